"""Workplaces (units) for MED: one canonical form, who leads each, and who may act for it.

Why a canonical key: the directory file, Graph's department field and text typed on a card spell
one workplace in many ways ("Borgerservice", " borgerservice", "BORGERSERVICE", an "å" typed as
"a" plus a combining ring). Figures, channels and evaluations are all keyed by `unit_key`, so a
spelling never splits one workplace into two. The name shown is the directory's spelling.

Who may act (the guideline's "Evaluering" puts the evaluation with the workplace and its leader):
- register or move a unit's MED channel: the unit's leader or deputy, or HR;
- set the unit's local plan, put the evaluation on the agenda, mark it done: the members of the
  unit's registered MED channel, or the unit's leader (or deputy) in their own chat.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from bot.guideline.errors import InvalidDecision
from bot.guideline.model import MAX_LINK, MAX_SHORT, Person


def unit_key(name: str) -> str:
    """The canonical form: Unicode NFKC, spaces collapsed and trimmed, case folded."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def unit_display(name: str) -> str:
    """A spelling fit to show and store: NFC (composed Danish letters), spaces collapsed and
    trimmed, at most MAX_SHORT characters (what an evaluation keeps)."""
    return " ".join(unicodedata.normalize("NFC", name).split())[:MAX_SHORT].rstrip()


@dataclass(frozen=True)
class Workplace:
    """A unit the directory knows, with the people who lead it (when known)."""

    name: str
    leader: Person | None = None
    deputy: Person | None = None
    leader_absent: bool = False

    @property
    def key(self) -> str:
        return unit_key(self.name)

    @property
    def recipient(self) -> Person | None:
        """Who gets the reminder when the unit has no channel: the deputy while the leader is away."""
        if self.leader_absent and self.deputy is not None:
            return self.deputy
        return self.leader or self.deputy

    def is_led_by(self, actor_id: str) -> bool:
        actor = actor_id.lower()
        people = (p for p in (self.leader, self.deputy) if p is not None)
        return bool(actor) and any(p.aad_object_id.lower() == actor for p in people)


def may_manage_channel(workplace: Workplace, actor_id: str, is_hr: bool) -> bool:
    """Register the unit's MED channel, or move it to another channel."""
    return is_hr or workplace.is_led_by(actor_id)


def may_act_in_chat(workplace: Workplace, actor_id: str) -> bool:
    """Evaluation and local plan from a personal chat (the 1:1 fallback): the unit's leader or deputy."""
    return workplace.is_led_by(actor_id)


def merge_workplaces(*sources: Iterable[Workplace]) -> list[Workplace]:
    """One workplace per key, sources in priority order: the first spelling and leader win; a
    later source fills in what an earlier one lacks (Entra has no deputies, the file may)."""
    merged: dict[str, Workplace] = {}
    for source in sources:
        for place in source:
            key = place.key
            if not key:
                continue
            current = merged.get(key)
            if current is None:
                merged[key] = replace(place, name=unit_display(place.name))
                continue
            if current.leader is None and place.leader is not None:
                current = replace(current, leader=place.leader, leader_absent=place.leader_absent)
            if current.deputy is None and place.deputy is not None:
                current = replace(current, deputy=place.deputy)
            merged[key] = current
    return sorted(merged.values(), key=lambda w: w.key)


def find_workplace(text: str, workplaces: Iterable[Workplace]) -> Workplace | None:
    key = unit_key(text)
    return next((w for w in workplaces if w.key == key), None) if key else None


def closest_names(text: str, workplaces: Iterable[Workplace], n: int = 3) -> list[str]:
    """The known names nearest to what was typed (difflib's ratio on the canonical forms)."""
    by_key = {w.key: w.name for w in workplaces}
    return [by_key[k] for k in difflib.get_close_matches(unit_key(text), list(by_key), n=n, cutoff=0.5)]


def https_link(link: object, field: str) -> str:
    """A link people follow from a card: https only, no spaces, a host, at most MAX_LINK long."""
    if not isinstance(link, str) or not link.strip():
        raise InvalidDecision(field, "empty")
    cleaned = link.strip()
    if len(cleaned) > MAX_LINK:
        raise InvalidDecision(field, "too_long")
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        raise InvalidDecision(field, "not_https_link") from None
    if parts.scheme.lower() != "https" or not parts.hostname or any(c.isspace() for c in cleaned):
        raise InvalidDecision(field, "not_https_link")
    return cleaned
