"""The InsuBiz note: a Danish text the leader copies into InsuBiz.

Why: the guideline says that when the employee does not want the episode reported to the
police, the leader must write a note about it and register it in InsuBiz. The bot drafts the
note from the case so the leader only checks and copies it. The draft holds no evidence bytes
and no free-text description: only what the note must say.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.guideline.calendar import DEFAULT_TZ
from bot.guideline.definitions import CATEGORY_NAMES_DA, PLATFORM_NAMES_DA
from bot.guideline.errors import InvalidTransition
from bot.guideline.model import Case, Outcome, StepId, StepStatus


def _day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d.%m.%Y")


_OFFERED_VIA = {"in_person": "personligt", "phone": "telefonisk", "bot": "i Teams"}


def _offer_line(case: Case, zone: ZoneInfo) -> str:
    offer = case.step(StepId.POLICE_OFFER)
    how = _OFFERED_VIA.get(offer.fields.get("offered_via", ""))
    if how is None or offer.first_decided_at is None:
        return "Medarbejderen er tilbudt at deltage ved politianmeldelse af episoden."
    day = _day(offer.first_decided_at, zone)
    return f"Medarbejderen blev den {day} tilbudt {how} at deltage ved politianmeldelse af episoden."


def insubiz_note_draft(case: Case, tz: str = DEFAULT_TZ) -> str:
    """The note text; refused (InvalidTransition) unless the employee declined the police report."""
    police = case.step(StepId.POLICE_REPORT)
    if police.status is not StepStatus.DONE or police.outcome != Outcome.DECLINED_BY_EMPLOYEE:
        raise InvalidTransition("step_not_applicable", StepId.INSUBIZ_NOTE.value)
    zone = ZoneInfo(tz)
    facts = case.facts
    declined_at = police.decided_at or case.created_at
    leader = case.leader.name if case.leader is not None else "lederen"
    lines = [
        f"Notat om krænkende handling på sociale medier (sag {case.number})",
        "",
        f"Medarbejder: {case.reporter.name}",
        f"Enhed: {case.unit}" if case.unit else None,
        f"Dato for episoden: {_day(facts.occurred_at, zone)}",
        f"Type: {CATEGORY_NAMES_DA[facts.category]}",
        f"Medie: {PLATFORM_NAMES_DA[facts.platform]}",
        "",
        (
            f"Medarbejderen har den {_day(facts.occurred_at, zone)} været udsat for "
            f"{CATEGORY_NAMES_DA[facts.category]} via {PLATFORM_NAMES_DA[facts.platform]}."
        ),
        "Episoden fandt sted uden for arbejdstiden." if facts.outside_working_hours else None,
        ("Der blev også fremsat trusler mod medarbejderens familie/nærmeste." if facts.family_threatened else None),
        (f"Der er sikret {len(case.evidence)} skærmbillede(r) som dokumentation på sagen." if case.evidence else None),
        _offer_line(case, zone),
        (
            f"Medarbejderen har den {_day(declined_at, zone)} oplyst, at medarbejderen ikke ønsker "
            "at anmelde episoden til politiet."
        ),
        "",
        ("Notatet registreres i InsuBiz efter kommunens retningslinje for krænkende handlinger på sociale medier."),
        f"Udarbejdet af: {leader}",
    ]
    return "\n".join(line for line in lines if line is not None)
