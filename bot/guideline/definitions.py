"""The guideline's own words: categories with their definitions, and platform names in Danish.

The definitions are quoted from the municipality's guideline ("Retningslinje for krænkende
handlinger på sociale medier", decided by KommuneMED on 16 December 2020). They are the
municipality's text, kept verbatim so the bot shows the employee exactly what the guideline says.
English renderings belong to the Teams layer's texts.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Category(StrEnum):
    THREAT = "trussel"
    BULLYING = "mobning"
    HARASSMENT = "chikane"


class Platform(StrEnum):
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    X = "x"
    TIKTOK = "tiktok"
    LINKEDIN = "linkedin"
    YOUTUBE = "youtube"
    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    OTHER = "other"


DEFINITIONS: Mapping[Category, str] = MappingProxyType(
    {
        Category.THREAT: (
            "Digitale trusler er adfærd eller ytringer, der er fremsat på de sociale medier, og som kan "
            "fremkalde alvorlig frygt for eget eller andres liv, helbred eller velfærd. Det kan for "
            "eksempel være trusler mod dig selv eller din familie/dine nærmeste."
        ),
        Category.BULLYING: (
            "Digital mobning (eller cyberchikane) er en alvorlig form for mobning, som foregår via "
            "digitale medier på internettet eller via mobiltelefoner. Billeder, videoer eller krænkende "
            "tekster bliver lagt på nettet eller udsendt, uden at der tages hensyn til, at det krænker "
            "tredjepart eller berører privatlivets fred. Mobningen kan foregå via blogs, hjemmesider, "
            "netsamfund, email, SMS, MMS eller videoklip, som lægges ud på nettet."
        ),
        Category.HARASSMENT: (
            "Digital chikane er påtrængende eller krænkende adfærd på sociale medier. Det kan fx være "
            "chikanerende e-mails, SMS’er og telefonopkald, uønskede pakker/gaver, systematisk og "
            "vedvarende forfølgelse og overvågning, herunder stalking, misbrug af navn og falsk "
            "rygtespredning. Det kan også være seksuel chikane i form af mimik og/eller gestikulation, "
            "skriftlige og/eller mundtlige kommentarer eller berøringer."
        ),
    }
)

# Short Danish names for running text (the InsuBiz note): "udsat for digitale trusler".
CATEGORY_NAMES_DA: Mapping[Category, str] = MappingProxyType(
    {
        Category.THREAT: "digitale trusler",
        Category.BULLYING: "digital mobning",
        Category.HARASSMENT: "digital chikane",
    }
)

PLATFORM_NAMES_DA: Mapping[Platform, str] = MappingProxyType(
    {
        Platform.FACEBOOK: "Facebook",
        Platform.INSTAGRAM: "Instagram",
        Platform.X: "X (tidligere Twitter)",
        Platform.TIKTOK: "TikTok",
        Platform.LINKEDIN: "LinkedIn",
        Platform.YOUTUBE: "YouTube",
        Platform.EMAIL: "e-mail",
        Platform.SMS: "sms",
        Platform.PHONE: "telefon",
        Platform.OTHER: "andet medie",
    }
)
