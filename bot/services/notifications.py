"""Delivering what a case needs to tell people: never lost, sent once except after a crash mid-send.

The case document is the outbox. The domain's due function says what is owed (the new case to
its leader, overdue reminders, escalations, follow-ups, the employee's check-in); each item has
a stable key, and the key is recorded in the case (with the ETag) only after the send. A crash
between send and record means one duplicate on retry, never a loss. Retries happen at start-up
and on every scheduler tick, with back-off recorded in the case document.

Cards and texts go to people by their Entra object id (the Notifier port); the Teams side finds
their chat, or opens one for someone who never wrote to the bot. Where a person's case card went
is kept as the Notifier named it (opaque here) with its activity id, to update it in place.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from bot.chat.outgoing import message
from bot.chat.safe_text import user_text
from bot.errors import DeliveryFailed
from bot.guideline.acknowledgement import bring_in_deputy_if_due
from bot.guideline.due import (
    DueItem,
    DueKind,
    deputy_removed_key,
    due_items,
    leader_replaced_key,
    mark_sent,
    pending_items,
)
from bot.guideline.events import Event
from bot.guideline.model import Actor, Case, DeputyReason, DeputyRemoved, Outcome, Person, Role, StepId
from bot.guideline.policy import DeadlinePolicy
from bot.hosting.logs import fields
from bot.hosting.telemetry import METRICS, Telemetry
from bot.jobs.send_guard import ClaimLost, NotOurs, guarded
from bot.repositories.cases import CaseDoc, CaseRepository
from bot.repositories.documents import Unchanged
from bot.services import audit
from bot.services.hr_people import HrPeople, HrUnavailable
from bot.services.ports import CasePainter, Clock, Languages, Notifier
from bot.storage.store import Store
from bot.texts import Texts, language_for

log = logging.getLogger(__name__)

REPORTER_CARD = "reporter_card"  # the reporter's own case card, claimed like a due item
CLAIM_FOR = timedelta(minutes=5)
CLAIM_MARGIN = timedelta(minutes=1)  # a send attempt starts only with this much of the claim left
# A new case's first claim (`claim_new_case`): its round starts at once and sends within seconds
# (a send later than 30 s extends the claim, as any); short, so a crash delays it this long at most.
FIRST_CLAIM_FOR = CLAIM_MARGIN + timedelta(seconds=30)
OFFER_KINDS = frozenset({DueKind.OFFER_ASKED, DueKind.OFFER_REMINDER})
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))


@dataclass(frozen=True)
class Recipient:
    person_id: str
    role: Role | None  # None: named on the item, no role on the case (a replaced leader)


class Notifications:
    def __init__(
        self,
        store: Store,
        repo: CaseRepository,
        notifier: Notifier,
        cards: CasePainter,
        clock: Clock,
        policy: DeadlinePolicy,
        hr: HrPeople,
        default_language: str,
        is_hr: Callable[[str], Awaitable[bool]],
        languages: Languages,
        alert_after: timedelta = timedelta(hours=1),
        telemetry: Telemetry | None = None,
    ) -> None:
        self.store = store
        self.languages = languages
        self.repo = repo
        self.notifier = notifier
        self.cards = cards
        self.clock = clock
        self.policy = policy
        self.hr = hr
        self.alert_after = alert_after  # nobody reached for this long: tell the reporter, log an ERROR
        self.telemetry = telemetry or METRICS  # the "notification-undelivered" alert counts these
        self.default_language = default_language
        self.is_hr = is_hr

    # -- what the edge calls ---------------------------------------------------------------------
    async def deliver_case(self, case_id: str, first: FirstClaim | None = None) -> None:
        """Send everything this case owes now (also the reporter's own case card). `first`: the
        claim a new case was created with (`claim_new_case`), so the round needs no claim write."""
        claimed = first.claimed() if first is not None and first.case.id == case_id else await self._claim(case_id)
        if claimed is None:
            return  # nothing owed now, or another delivery (this or another instance) holds it
        case, items, reporter_card, pending, mine = claimed
        done = _Delivered()
        try:
            # Every send first checks the claim (a Retry-After can outlast it): see _keep_claim.
            with guarded(lambda: self._keep_claim(case_id, mine)):
                if reporter_card:
                    # The reporter's own card matters less than the leader's: a failure here is
                    # retried on the next tick and must not hold up the leader's notification.
                    await self._send_card(
                        case, case.reporter.aad_object_id, "case.new_for_reporter", done, swallow=True, finishes=True
                    )
                for item in items:
                    await self._deliver(case, item, done, pending.get(item.key, {}))
        except ClaimLost:
            log.info("claim taken over by another delivery; it sends the rest", extra=fields(case_id=case_id))
        finally:
            # One write for everything sent above (where the cards went, what was delivered, the
            # audit lines now in the log); our claims of what was not sent are released.
            await self._record_delivered(case_id, case, done, mine)

    async def _claim(self, case_id: str) -> tuple[Case, list[DueItem], bool, dict[str, Any], _Claim] | None:
        """Claim what is owed with the case's ETag before sending, so two deliveries of the same
        case (a decision's and the scheduler's, or two instances') never both send it. A claim
        left by a crash expires after CLAIM_FOR and the item is sent then: at least once.

        The same write brings the deputy in when the leader's acknowledgement is overdue (the
        deputy's card is then owed), with its audit line in the case's outbox."""
        now = self.clock.now()
        joined: list[bool] = []

        def free(entry: dict[str, Any]) -> bool:
            return all(
                not entry.get(k) or datetime.fromisoformat(entry[k]) <= now for k in ("next_at", "claimed_until")
            )

        token = uuid.uuid4().hex

        def claim(doc: CaseDoc) -> tuple[CaseDoc, tuple[Case, list[DueItem], bool, dict[str, Any], _Claim]]:
            case, events = bring_in_deputy_if_due(doc.case, now, self.policy)
            joined[:] = [bool(events)]
            items = [i for i in due_items([case], now, self.policy) if free(doc.retry.get(i.key, {}))]
            reporter_card = case.reporter.aad_object_id not in doc.cards and free(doc.retry.get(REPORTER_CARD, {}))
            if not items and not reporter_card and not events:
                raise Unchanged
            until = now + CLAIM_FOR
            keys = [i.key for i in items] + ([REPORTER_CARD] if reporter_card else [])
            mark = {"claimed_until": until.isoformat(), "claimed_by": token}
            retry = {**doc.retry, **{k: {**doc.retry.get(k, {}), **mark} for k in keys}}
            lines = [*doc.audit, *audit.event_lines(events)]
            claimed = (case, items, reporter_card, doc.retry, _Claim(token, keys, until, outbox=lines))
            return replace(doc, case=case, retry=retry, audit=lines), claimed

        result: tuple[Case, list[DueItem], bool, dict[str, Any], _Claim] | None = await self.repo.change(case_id, claim)
        if result is not None and joined and joined[0]:
            log.info("deputy brought in", extra=fields(case_id=case_id, reason="ack_overdue"))
            await audit.flush(self.repo, case_id)
        return result

    async def _keep_claim(self, case_id: str, mine: _Claim) -> None:
        """Right before each send: is the claim still ours? Far from its end it surely is (no
        other delivery takes a claim before it expires). Near or past its end, it is extended with
        the ETag if the case still names us; if another delivery took it over, ClaimLost."""
        now = self.clock.now()
        if now < mine.until - CLAIM_MARGIN:
            return
        until = now + CLAIM_FOR

        def extend(doc: CaseDoc) -> tuple[CaseDoc, None]:
            retry = dict(doc.retry)
            for key in mine.keys:
                entry = retry.get(key) or {}
                if entry.get("claimed_by") != mine.token:
                    raise ClaimLost(key)
                retry[key] = {**entry, "claimed_until": until.isoformat()}
            return replace(doc, retry=retry), None

        await self.repo.change(case_id, extend)
        mine.until = until

    async def deliver_due(self) -> int:
        """The scheduler tick: every case with something due by now (index query, no scan)."""
        count = 0
        due = await self.repo.due_by(self.clock.now())
        self.telemetry.notifications_pending(len(due))  # owed past their first attempt, or newly due
        for case in due:
            try:
                await audit.flush(self.repo, case.id)  # lines a crash or a failed append left behind
                await self.deliver_case(case.id)
                count += 1
            except NotOurs:
                raise  # the scheduler lease is gone: the tick stops sending
            except Exception:  # one broken case must not stop the others
                log.exception("delivery failed for a case", extra=fields(case_id=case.id))
        return count

    async def after_decision(self, case: Case, events: list[Event], actor_id: str) -> None:
        """Update the other people's cards in place and send what became due (a replaced leader's
        notice among it: kept in the case by the decision, so a failed send is retried)."""
        doc = await self.repo.get(case.id)
        for person_id, where in doc.cards.items():
            if person_id == actor_id:
                continue
            tx = await self._texts(person_id)
            content = await self.cards.render(doc.case, await self._actor(person_id), tx, self.clock.now())
            if not where.get("activity_id"):
                continue  # the channel gave no id for this card: it cannot be updated in place
            try:
                await self.notifier.update(where["reference"], where["activity_id"], message("", content))
            except Exception:  # one card that cannot be updated must not stop the others
                log.warning("card update failed", extra=fields(case_id=case.id))
        await self.deliver_case(case.id)

    # -- one due item ----------------------------------------------------------------------------
    async def _deliver(self, case: Case, item: DueItem, done: _Delivered, pending: dict[str, Any]) -> None:
        """Send one item to everyone it is for. Recorded as delivered only when a person got it:
        an empty HR group, an unreadable one or nobody reachable keeps it pending (`_not_reached`)."""
        recipients = await self._recipients(case, item)
        reached = 0
        for recipient in recipients:
            try:
                await self._send_item(case, item, recipient, done)
                reached += 1
            except DeliveryFailed as exc:
                self.telemetry.notification_failed(item.kind.value)
                log.warning(
                    "delivery failed",
                    extra=fields(case_id=case.id, kind=item.kind.value, permanent=exc.permanent),
                )
        now = self.clock.now()
        if not reached:
            await self._not_reached(case, item, bool(recipients), done)
            return
        done.keys.append(item.key)
        done.audit.append(audit.note_line("notified", "bot", now, kind=item.kind.value, reached=reached))
        if item.kind in (DueKind.ESCALATION, DueKind.ACK_ESCALATION):
            self.telemetry.escalation(item.kind.value)
        if item.kind is DueKind.CASE_ASSIGNED and pending.get("reporter_told_nobody"):
            # The reporter was told that nobody had the case; now somebody has: say so.
            tx = await self._texts(case.reporter.aad_object_id)
            await self._send_text(case.reporter.aad_object_id, tx("notify.reached_late", number=case.number))

    async def _send_item(self, case: Case, item: DueItem, to: Recipient, done: _Delivered) -> None:
        """Send one due item to one person; raises DeliveryFailed when it did not reach them, so
        `_deliver` keeps the item pending (never a swallowed send counted as delivered)."""
        tx = await self._texts(to.person_id)
        step = tx(f"step.{item.step.value}") if item.step else ""
        if item.kind is DueKind.CASE_ASSIGNED:
            if case.leader is not None and case.assigned_at is not None:
                # A case HR handed over is not a new one: its steps may be under way.
                text = tx("notify.reassigned_new", number=case.number)
                await self._send_card(case, to.person_id, None, done, text=text)
                return
            intro = "case.new_for_leader" if case.leader else "notify.unassigned"
            await self._send_card(case, to.person_id, intro, done)
            return
        if item.kind is DueKind.DEPUTY_IN:
            reason = case.deputy_in.reason if case.deputy_in else DeputyReason.HR
            leader = case.leader.name if case.leader else ""
            if reason is DeputyReason.ACK_OVERDUE:
                hours = self.policy.ack_working_hours
                text = tx("notify.deputy_late", number=case.number, leader=leader, hours=hours)
            else:
                text = tx(f"notify.deputy_in.{reason.value}", number=case.number, leader=leader)
            await self._send_card(case, to.person_id, None, done, text=text)
            return
        if item.kind is DueKind.ACK_ESCALATION:
            text = tx("notify.ack_escalation", number=case.number)
            await self._send_card(case, to.person_id, None, done, text=text, finishes=True)
            return
        if item.kind is DueKind.EVIDENCE_ADDED:
            count = case.evidence_notice.count if case.evidence_notice else 0
            text = tx("notify.evidence_added", count=count, number=case.number)
            # Not swallowed: a text nobody got keeps the item pending, retried with back-off.
            await self._send_text(to.person_id, text, swallow=False)
            return
        if item.kind is DueKind.LEADER_REPLACED:
            successor = _successor(case, item)
            text = tx("notify.reassigned_old", number=case.number, leader=user_text(successor.name, 80))
            await self._send_text(to.person_id, text, swallow=False)  # not swallowed: pending until sent
            return
        if item.kind is DueKind.DEPUTY_REMOVED:
            now_leads = _deputy_removed(case, item).leader
            text = tx("notify.deputy_removed", number=case.number, leader=user_text(now_leads.name, 80))
            await self._send_text(to.person_id, text, swallow=False)  # not swallowed: pending until sent
            return
        if item.kind is DueKind.EMPLOYEE_CHECKIN:
            await self._send_text(to.person_id, tx("notify.checkin", number=case.number), swallow=False)
            return
        if item.kind is DueKind.OFFER_ANSWERED:
            outcome = case.step(StepId.POLICE_OFFER).outcome or ""
            if outcome == Outcome.NO_REPORT:
                text = tx("notify.offer_no_report", number=case.number)
            else:
                text = tx("notify.offer_answered", number=case.number, answer=tx(f"outcome.{outcome}"))
            await self._send_text(to.person_id, text, swallow=False)
            return
        key = {
            DueKind.STEP_OVERDUE: "notify.overdue",
            DueKind.ESCALATION: "notify.escalation",
            DueKind.FOLLOWUP_REMINDER: "notify.followup",
            DueKind.OFFER_ASKED: "notify.offer_asked",
            DueKind.OFFER_REMINDER: "notify.offer_reminder",
            DueKind.REMOVAL_RECHECK: "notify.removal_recheck",
        }[item.kind]
        recheck = item.kind is DueKind.REMOVAL_RECHECK
        if recheck and case.step(StepId.REMOVAL).fields.get("still_there"):
            key = "notify.removal_recheck_again"  # counted from the last "still there", not the request
        planned = _followup_day(case, item)
        if planned is not None and planned != self.clock.now().astimezone(self.policy.zone).date():
            key = "notify.followup_late"  # sent after its day (retried, or the bot was down): not "i dag"
        days = self.policy.removal_recheck_days if recheck else self.policy.escalate_after_days
        date = planned.strftime("%d-%m-%Y") if planned else ""
        text = tx(key, step=step, number=case.number, days=days, date=date)
        # The offer's question and its reminders come with the employee's card: they answer on it.
        if to.role in (Role.LEADER, Role.DEPUTY, Role.HR) or item.kind in OFFER_KINDS:
            await self._send_card(case, to.person_id, None, done, text=text, finishes=True)
        else:
            await self._send_text(to.person_id, text, swallow=False)

    async def _recipients(self, case: Case, item: DueItem) -> list[Recipient]:
        out: list[Recipient] = [Recipient(item.to.aad_object_id, None)] if item.to is not None else []
        for role in item.recipients:
            person: Person | None = {
                Role.LEADER: case.leader,
                Role.DEPUTY: case.active_deputy,
                Role.REPORTER: case.reporter,
                Role.LEADER_MANAGER: case.leader_manager,
            }.get(role)
            ids = await self._hr_ids() if role is Role.HR else [person.aad_object_id] if person else []
            out += [Recipient(i, role) for i in ids if i not in {r.person_id for r in out}]
        return out

    async def _hr_ids(self) -> list[str]:
        try:
            return await self.hr.ids()
        except HrUnavailable:
            log.warning("HR's group could not be read; HR's messages stay pending", extra=fields())
            return []

    async def _not_reached(self, case: Case, item: DueItem, had_recipients: bool, done: _Delivered) -> None:
        """Nobody got the item: it stays pending with back-off. An unreachable leader's case goes to
        HR, and the reporter hears "HR has been told" only once HR really got it. When nobody at all
        has been reached for `alert_after`, the reporter is told the truth and an ERROR is logged
        for the operator (ids and counts only)."""
        now = self.clock.now()

        def bump(doc: CaseDoc) -> tuple[CaseDoc, dict[str, Any]]:
            entry = dict(doc.retry.get(item.key, {}))
            attempts = int(entry.get("attempts", 0)) + 1
            wait = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
            entry.update(
                attempts=attempts, next_at=(now + wait).isoformat(), since=entry.get("since") or now.isoformat()
            )
            return replace(doc, retry={**doc.retry, item.key: entry}), entry

        entry = await self.repo.change(case.id, bump)
        notes: dict[str, Any] = {}
        lines: list[dict[str, Any]] = []  # audit lines, written with the notes
        hr_has_it = bool(entry.get("hr_told"))
        if item.kind is DueKind.CASE_ASSIGNED and case.leader is not None and not hr_has_it:
            hr_has_it = await self._hand_to_hr(case, done)
            if hr_has_it:
                notes["hr_told"] = True
                tx = await self._texts(case.reporter.aad_object_id)
                await self._send_text(case.reporter.aad_object_id, tx("notify.unreachable", number=case.number))
                lines.append(audit.note_line("unreachable", "bot", now, kind=item.kind.value))
        waited = now - datetime.fromisoformat(str(entry["since"]))
        if waited >= self.alert_after and not entry.get("alerted"):
            self.telemetry.notification_undelivered(item.kind.value)
            log.error(
                "notification undelivered: nobody reached",
                extra=fields(
                    case_id=case.id,
                    kind=item.kind.value,
                    attempts=entry["attempts"],
                    minutes=int(waited.total_seconds() // 60),
                    recipients=had_recipients,
                    hr_has_it=hr_has_it,
                ),
            )
            told = True
            if item.kind is DueKind.CASE_ASSIGNED and not hr_has_it:
                tx = await self._texts(case.reporter.aad_object_id)
                key = "notify.nobody_reached" if case.leader is not None else "notify.nobody_reached_hr"
                told = await self._send_text(case.reporter.aad_object_id, tx(key, number=case.number))
                if told:
                    notes["reporter_told_nobody"] = True
                    lines.append(audit.note_line("nobody_reached", "bot", now, kind=item.kind.value))
            if told:
                notes["alerted"] = True
        if notes or lines:

            def note(doc: CaseDoc) -> tuple[CaseDoc, None]:
                retry = doc.retry
                if item.key in retry:  # (not when delivered meanwhile)
                    retry = {**retry, item.key: {**retry[item.key], **notes}}
                return replace(doc, retry=retry, audit=[*doc.audit, *lines]), None

            await self.repo.change(case.id, note)
            if lines:
                await audit.flush(self.repo, case.id)

    async def _hand_to_hr(self, case: Case, done: _Delivered) -> bool:
        """The leader cannot be reached: HR gets the case card with a note. True when one HR person got it."""
        reached = False
        for hr in await self._hr_ids():
            hr_tx = await self._texts(hr)
            try:
                await self._send_card(case, hr, None, done, text=hr_tx("notify.unreachable_hr", number=case.number))
                reached = True
            except DeliveryFailed:
                log.warning("HR not reached about an unreachable leader", extra=fields(case_id=case.id))
        return reached

    async def _record_delivered(self, case_id: str, drawn: Case, done: _Delivered, mine: _Claim) -> None:
        """One write for the round: mark the sent items, remember where the cards went, release
        our claims (a claim another delivery has taken over is left to it), and empty the outbox
        of the audit lines now in the log.

        The lines are appended first (those the case had waiting when claimed, then the round's
        "notified" lines, in that order, as one flush after the round appended them before): a
        line that could not be appended stays in (or goes into) the outbox with this write, and
        the next tick appends it. A card drawn from a case that a decision changed before this
        write is updated in place here, as the decision's own update could not see it yet."""
        logged = await audit.append_new(self.repo.store, case_id, [*mine.outbox, *done.audit])
        changed: list[bool] = []

        def apply(doc: CaseDoc) -> tuple[CaseDoc, None]:
            changed[:] = [doc.case != drawn]
            case = doc.case
            for key in done.keys:
                case = mark_sent(case, key)
            finished = set(done.keys) | ({REPORTER_CARD} if case.reporter.aad_object_id in done.cards_sent else set())
            retry = {}
            for key, entry in doc.retry.items():
                if key in finished:
                    continue
                ours = key in mine.keys and entry.get("claimed_by") == mine.token
                kept = {k: v for k, v in entry.items() if not (ours and k in ("claimed_until", "claimed_by"))}
                if kept:
                    retry[key] = kept
            waiting = [line for line in [*doc.audit, *done.audit] if str(line.get("id")) not in logged]
            cards = {**doc.cards, **done.cards}
            new = replace(doc, case=case, retry=retry, cards=cards, audit=waiting)
            if new == doc:
                raise Unchanged
            return new, None

        await self.repo.change(case_id, apply)
        if changed and changed[0] and done.cards:
            await self._redraw(case_id, done.cards)

    async def _redraw(self, case_id: str, sent: Mapping[str, Mapping[str, Any]]) -> None:
        """Update the cards just sent to show the case as it is now (no intro, as any update)."""
        doc = await self.repo.get(case_id)
        for person_id, where in sent.items():
            if not where.get("activity_id"):
                continue
            tx = await self._texts(person_id)
            content = await self.cards.render(doc.case, await self._actor(person_id), tx, self.clock.now())
            try:
                await self.notifier.update(where["reference"], where["activity_id"], message("", content))
            except Exception:  # one card that cannot be updated must not stop the others
                log.warning("card update failed", extra=fields(case_id=case_id))

    # -- sending ---------------------------------------------------------------------------------
    async def _actor(self, person_id: str) -> Actor:
        return Actor(person_id, is_hr=await self.is_hr(person_id))

    async def _texts(self, person_id: str) -> Texts:
        return Texts(language_for(await self.languages.locale(person_id), self.default_language))

    async def _send_card(
        self,
        case: Case,
        person_id: str,
        intro_key: str | None,
        done: _Delivered,
        *,
        text: str = "",
        swallow: bool = False,
        finishes: bool = False,
    ) -> None:
        """Send the person's case card; where it went is recorded with the round (`done.cards`).
        `finishes`: the card counts as the reporter's own card when it goes to the reporter."""
        tx = await self._texts(person_id)
        # The intro goes inside the card: a message of text plus card is two messages to some
        # clients, and only a single one gets an id back that lets the card be updated in place.
        intro = text or tx(intro_key or "")
        content = await self.cards.render(case, await self._actor(person_id), tx, self.clock.now(), notice=intro)
        try:
            sent_to, activity_id = await self._send(case, person_id, message("", content))
        except DeliveryFailed:
            if swallow:
                return
            raise
        if finishes:
            done.cards_sent.add(person_id)
        # Kept with the round's one write (`_record_delivered`), which also redraws the card if a
        # decision changed the case before that write.
        done.cards[person_id] = {"reference": dict(sent_to), "activity_id": activity_id}  # as the Notifier named it

    async def _send_text(self, person_id: str, text: str, *, swallow: bool = True) -> bool:
        """Send a plain message; False when it could not be delivered (and `swallow`)."""
        try:
            await self._send(None, person_id, message(text))
        except DeliveryFailed:
            if not swallow:
                raise
            log.warning("text message not delivered", extra=fields())
            return False
        return True

    async def _send(self, case: Case | None, person_id: str, activity: dict[str, Any]) -> tuple[Mapping[str, Any], str]:
        # Someone who never wrote to the bot gets a new chat, opened where the reporter's chat is.
        opener = case.reporter.aad_object_id if case else None
        return await self.notifier.to_person(person_id, activity, open_from=opener)


def owed_retries(retry: Mapping[str, dict[str, Any]], case: Case, policy: DeadlinePolicy) -> dict[str, dict[str, Any]]:
    """The case document's retry entries of the items `case` still owes (and of the reporter's own
    card). An entry of an item no longer owed goes: a manager HR handed the case away from, a step
    decided, an acknowledgement given. An item's key names the case and the person, so the same
    item owed again later (HR hands the case back to that manager) would otherwise inherit the
    earlier assignment's back-off (its card held back up to an hour), "HR has it" (HR and the
    reporter not told of this assignment's failure) and "the reporter was told nobody has it" (a
    "now it has reached someone" that does not follow anything said about this assignment)."""
    owed = {item.key for item in pending_items(case, policy)} | {REPORTER_CARD}
    return {key: entry for key, entry in retry.items() if key in owed}


def _successor(case: Case, item: DueItem) -> Person:
    """Who took the case over from the leader a LEADER_REPLACED item is for (named in the notice)."""
    for notice in case.replaced_leaders:
        if leader_replaced_key(case.id, notice) == item.key:
            return notice.successor
    raise LookupError(f"no replaced leader under {item.key}")  # due items come from the case itself


def _deputy_removed(case: Case, item: DueItem) -> DeputyRemoved:
    """The removal a DEPUTY_REMOVED item is for (it names who leads the case now)."""
    for notice in case.removed_deputies:
        if deputy_removed_key(case.id, notice) == item.key:
            return notice
    raise LookupError(f"no removed deputy under {item.key}")  # due items come from the case itself


def _followup_day(case: Case, item: DueItem) -> date | None:
    """The day a follow-up reminder is for (None for every other kind)."""
    if item.kind is not DueKind.FOLLOWUP_REMINDER or item.step is None:
        return None
    planned = case.step(item.step).fields.get("followup_date")
    return date.fromisoformat(planned) if planned else None


@dataclass(frozen=True)
class FirstClaim:
    """A new case's first delivery round, claimed in the case's own create-only write: what it
    owes at once (the leader's notification) and the reporter's own card, marked as `_claim`
    marks them. The round that follows the submit then sends without a claim write of its own.

    After a crash between that write and the round the marks hold the items until they expire
    (FIRST_CLAIM_FOR, 90 s) and the scheduler sends them then, not on the very next tick: the
    price of one write less on every report. A round slower than 30 s extends the claim before
    its next send (`_keep_claim`), as any round does near the end of its claim."""

    case: Case
    items: tuple[DueItem, ...]
    token: str
    until: datetime
    outbox: tuple[dict[str, Any], ...]  # the case's audit lines, appended by the round

    @property
    def keys(self) -> list[str]:
        return [i.key for i in self.items] + [REPORTER_CARD]

    def retry(self) -> dict[str, dict[str, Any]]:
        """The case document's `retry` entries that hold the claim."""
        return {key: {"claimed_until": self.until.isoformat(), "claimed_by": self.token} for key in self.keys}

    def claimed(self) -> tuple[Case, list[DueItem], bool, dict[str, Any], _Claim]:
        """What `Notifications._claim` would have returned for the new case."""
        return self.case, list(self.items), True, {}, _Claim(self.token, self.keys, self.until, list(self.outbox))


def claim_new_case(case: Case, outbox: list[dict[str, Any]], now: datetime, policy: DeadlinePolicy) -> FirstClaim:
    """The first claim of a case about to be created (nothing sent, no retry yet): everything
    due at `now` and the reporter's card, for FIRST_CLAIM_FOR, with a fresh token."""
    items = tuple(due_items([case], now, policy))
    return FirstClaim(case, items, uuid.uuid4().hex, now + FIRST_CLAIM_FOR, tuple(outbox))


@dataclass
class _Claim:
    """What one delivery claimed: its token in the case's `retry` entries, and until when."""

    token: str
    keys: list[str]
    until: datetime
    outbox: list[dict[str, Any]] = field(default_factory=list)  # audit lines waiting in the case when claimed


@dataclass
class _Delivered:
    """What one delivery round sent: recorded in the case together at the end."""

    keys: list[str] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)  # "notified" lines, written with the marks
    cards_sent: set[str] = field(default_factory=set)  # people whose own case card went out (`finishes`)
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)  # person id -> where their card went
