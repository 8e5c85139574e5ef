"""The takedown helper's data: each platform's own reporting route, and the police's online report.

The routes live in a TOML file (`routes.toml` beside this module, or the municipality's own copy
named by TAKEDOWN_ROUTES_FILE) so the municipality can change a link or a piece of advice without
touching code. It is read once at start-up and checked strictly: a missing platform, a link that is
not https, or an unknown key stops the bot with a message naming the file and the entry, rather
than showing a leader a broken or unsafe link later.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.guideline.definitions import Platform

DEFAULT_FILE = Path(__file__).with_name("routes.toml")
MAX_TEXT = 600
MAX_URL = 500
_KEYS = frozenset({"name", "name_en", "url", "guidance", "guidance_en"})


class RoutesError(ValueError):
    """The routes file is wrong; the message names the file and the entry."""


@dataclass(frozen=True)
class Route:
    name: str
    url: str | None
    guidance: str
    guidance_en: str
    name_en: str = ""

    def advice(self, lang: str) -> str:
        return self.guidance_en if lang == "en" and self.guidance_en else self.guidance

    def title(self, lang: str) -> str:
        """The name in the reader's language: an English card must not say "Report on Telefon"."""
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True)
class TakedownRoutes:
    organisation: str
    police: Route
    platforms: Mapping[Platform, Route]

    def for_platform(self, platform: Platform) -> Route:
        return self.platforms[platform]


def _text(raw: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise RoutesError(f"{where}.{key}: must be text")
    value = value.strip()
    if required and not value:
        raise RoutesError(f"{where}.{key}: required")
    if len(value) > MAX_TEXT:
        raise RoutesError(f"{where}.{key}: at most {MAX_TEXT} characters")
    return value


def _url(raw: Mapping[str, Any], where: str, *, required: bool) -> str | None:
    value = raw.get("url")
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise RoutesError(f"{where}.url: required")
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise RoutesError(f"{where}.url: must be an https link without user or password, got {value!r}")
    if len(value) > MAX_URL or any(c.isspace() for c in value):
        raise RoutesError(f"{where}.url: not a plain link")
    return value


def _route(raw: object, where: str, *, url_required: bool) -> Route:
    if not isinstance(raw, dict):
        raise RoutesError(f"{where}: missing (a [{where}] table)")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise RoutesError(f"{where}: unknown key(s) {', '.join(unknown)}")
    return Route(
        name=_text(raw, "name", where),
        url=_url(raw, where, required=url_required),
        guidance=_text(raw, "guidance", where),
        guidance_en=_text(raw, "guidance_en", where, required=False),
        name_en=_text(raw, "name_en", where, required=False),
    )


# Platforms whose content sits on a service with its own reporting page: a link is required.
NEEDS_LINK = frozenset(
    {Platform.FACEBOOK, Platform.INSTAGRAM, Platform.X, Platform.TIKTOK, Platform.LINKEDIN, Platform.YOUTUBE}
)


def parse_routes(data: Mapping[str, Any], source: str = "routes") -> TakedownRoutes:
    try:
        unknown = sorted(set(data) - {"organisation", "police", "platforms"})
        if unknown:
            raise RoutesError(f"unknown key(s) {', '.join(unknown)}")
        organisation = _text(data, "organisation", "file", required=False)
        police = _route(data.get("police"), "police", url_required=True)
        raw_platforms = data.get("platforms")
        if not isinstance(raw_platforms, dict):
            raise RoutesError("platforms: missing (a [platforms.<name>] table per platform)")
        extra = sorted(set(raw_platforms) - {p.value for p in Platform})
        if extra:
            raise RoutesError(f"platforms: unknown platform(s) {', '.join(extra)}")
        platforms = {
            p: _route(raw_platforms.get(p.value), f"platforms.{p.value}", url_required=p in NEEDS_LINK)
            for p in Platform
        }
    except RoutesError as exc:
        raise RoutesError(f"{source}: {exc}") from None
    return TakedownRoutes(organisation or "Kommunen", police, platforms)


def load_routes(path: Path | None = None) -> TakedownRoutes:
    """Read and check the routes file (the default one when `path` is None). Blocking: start-up only."""
    path = path or DEFAULT_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RoutesError(f"{path}: not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RoutesError(f"{path}: not valid TOML ({exc})") from None
    return parse_routes(data, str(path))
