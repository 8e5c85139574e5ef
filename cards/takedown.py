"""The takedown helper drawn under the removal step: the platform's own reporting route, the
request text to send, and the police's online report (with the evidence pack as its attachment)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.texts import Texts
from cards.common import Element, text, user_text


@dataclass(frozen=True)
class TakedownView:
    platform: str  # the route's display name
    url: str | None  # the platform's reporting page; None for e-mail, SMS, phone, other
    guidance: str
    request: str  # the filled request text
    police_url: str
    police_guidance: str


def _open(title: str, url: str) -> Element:
    return {"type": "ActionSet", "actions": [{"type": "Action.OpenUrl", "title": title, "url": url}]}


def takedown_elements(tx: Texts, view: TakedownView) -> list[Element]:
    out: list[Element] = [
        text(f"**{tx('takedown.title')}**", spacing="Small"),
        text(f"{tx('takedown.route', platform=view.platform)}: {view.guidance}", size="Small"),
    ]
    if view.url:
        out.append(_open(tx("takedown.open", platform=view.platform), view.url))
    out += [
        text(tx("takedown.request"), size="Small", weight="Bolder"),
        # The request quotes the case's link and offender: users' text, defused like every card's.
        text(user_text(view.request).replace("\n", "\n\n"), fontType="Monospace", size="Small"),
        text(f"{tx('takedown.police')}: {view.police_guidance}", size="Small"),
        _open(tx("takedown.police.open"), view.police_url),
    ]
    return out


def police_elements(tx: Texts, view: TakedownView) -> list[Element]:
    """On the police report step: where to report online, and the evidence pack as the attachment."""
    return [
        text(tx("case.police_pack"), size="Small"),
        _open(tx("takedown.police.open"), view.police_url),
    ]
