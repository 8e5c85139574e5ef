"""Draw a case card for one person: their role decides what they see and may do.

The presenter computes the view (available actions from the domain, evidence links, the history
from the audit trail) and cards/case_card.py turns it into JSON. The edge calls it for the answer
to a click; the notifications service gets it through its `CasePainter` port (it never imports
cards).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.guideline.acknowledgement import ack_owed, ack_schedule
from bot.guideline.actions import Prefill, available_actions
from bot.guideline.insubiz import insubiz_note_draft
from bot.guideline.model import Actor, Case, Person, StepId
from bot.guideline.policy import DeadlinePolicy
from bot.services import access_log, audit
from bot.services.case_view import viewer_role
from bot.storage.store import Store
from bot.takedown import TakedownRoutes
from bot.takedown.request import request_text
from bot.texts import Texts
from cards.case_card import CaseView, HistoryLine, case_card, evidence_card
from cards.common import Card
from cards.refusal import refusal_card
from cards.takedown import TakedownView

LinkSigner = Callable[[str, str, str], str]  # (case_id, sha256, viewer) -> a signed, expiring URL


class CaseCards:
    def __init__(
        self,
        store: Store,
        policy: DeadlinePolicy,
        zone: ZoneInfo,
        link_signer: LinkSigner | None = None,
        leaders: Callable[[], Awaitable[list[Person]]] | None = None,
        takedown: TakedownRoutes | None = None,
    ) -> None:
        self.takedown = takedown
        self.leaders = leaders
        self.store = store
        self.policy = policy
        self.zone = zone
        self.link_signer = link_signer

    def _takedown(self, case: Case, tx: Texts) -> TakedownView | None:
        if self.takedown is None or self.takedown.police.url is None:
            return None
        route = self.takedown.for_platform(case.facts.platform)
        return TakedownView(
            platform=route.title(tx.lang),
            url=route.url,
            guidance=route.advice(tx.lang),
            request=request_text(case, self.takedown, tx, self.zone),
            police_url=self.takedown.police.url,
            police_guidance=self.takedown.police.advice(tx.lang),
        )

    async def evidence_links(self, case: Case, viewer: str) -> dict[str, str]:
        """Short signed links to the bot's own route (which streams the file, or on Azure redirects
        to a minutes-long read-only SAS minted at the click): short enough for 30 on one card.
        Each is signed for the person whose card it is, so opening it is an access-log line."""
        if self.link_signer is None:
            return {}
        return {item.sha256: self.link_signer(case.id, item.sha256, viewer) for item in case.evidence}

    async def _leader_choices(self) -> tuple[tuple[str, str], ...]:
        return tuple((p.aad_object_id, p.name) for p in await self.leaders()) if self.leaders else ()

    async def history(self, case: Case, tx: Texts) -> tuple[HistoryLine, ...]:
        names = {p.aad_object_id: p.name for p in (case.reporter, case.leader, case.deputy, case.leader_manager) if p}
        lines = []
        for entry in await audit.trail(self.store, case.id):
            at = datetime.fromisoformat(str(entry.get("at")))
            actor = names.get(str(entry.get("actor")), tx("history.someone"))
            kind = str(entry.get("type", ""))
            if kind == access_log.READ:
                continue  # the access log is for the data protection officer, not the case's story
            what = tx(f"history.{kind}") if tx.has(f"history.{kind}") else kind
            step = entry.get("step")
            if isinstance(step, str):
                after = entry.get("after")
                after = after if isinstance(after, dict) else {}
                outcome = after.get("outcome")
                state = tx(f"outcome.{outcome}") if outcome else tx(f"stepstatus.{after.get('status', 'open')}")
                what = f"{tx('step.' + step)}: {state}"
            lines.append(HistoryLine(at, actor, what))
        return tuple(lines)

    async def render(
        self,
        case: Case,
        actor: Actor,
        tx: Texts,
        now: datetime,
        *,
        notice: str = "",
        notice_is_error: bool = False,
        with_history: bool = False,
        evidence_only: bool = False,
    ) -> Card:
        role = viewer_role(case, actor)
        if role is None:
            return refusal_card(tx)
        available = available_actions(case, actor, now, self.policy)
        names = {spec.name for spec in available}
        schedule = ack_schedule(case, self.policy) if ack_owed(case) else None
        # Teams refreshes the card for these people only: a deputy not brought in is not among them.
        people = [p.aad_object_id for p in (case.reporter, case.leader, case.active_deputy) if p]
        today = now.astimezone(self.zone).date()
        prefill = {Prefill.TODAY: today.isoformat()}
        if "insubiz_draft" in names and "note" not in case.step(StepId.INSUBIZ_NOTE).fields:
            prefill[Prefill.INSUBIZ_DRAFT] = insubiz_note_draft(case, self.policy.tz)
        view = CaseView(
            case=case,
            role=role,
            available=available,
            zone=self.zone,
            today=today,
            evidence_links=await self.evidence_links(case, actor.aad_object_id),
            prefill=prefill,
            leader_choices=await self._leader_choices() if "reassign" in names else (),
            refresh_user_ids=tuple(people),
            ack_by=schedule.ack_by if schedule else None,
            notice=notice,
            notice_is_error=notice_is_error,
            history=await self.history(case, tx) if with_history else None,
            takedown=self._takedown(case, tx) if names & HELPED_ACTIONS else None,
        )
        return evidence_card(tx, view) if evidence_only else case_card(tx, view)


# The actions a takedown or police helper is drawn beside (they are the leader's: never the reporter's).
HELPED_ACTIONS = frozenset({"removal_removed", "removal_requested", "removal_not_possible", "police_reported"})
