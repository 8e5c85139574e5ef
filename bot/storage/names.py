"""Every storage name and index tag the bot writes, in one place.

Why one module: retention must delete everything a case owns, and a person's export (GDPR art. 15)
must find everything held about a person. Both read `KINDS`: each stored thing says here who owns
it (a case, a person, a MED period, or nobody) and what personal data it holds, and
`tests/unit/test_storage_names.py` fails when a kind is added without that, or when retention or
the export does not cover a kind they own.

Names are built from ids and digests only, never from typed text (the store refuses anything
else, see `bot.storage.store.check_name`). The repositories (`bot/repositories/`) are the only
callers besides retention and the export; services never spell a name themselves.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from bot.guideline.med_units import unit_key

# -- the index's tag keys and the `kind` values ----------------------------------------------------
KIND = "kind"  # every indexed document carries it: a find is always scoped to one kind

CASE = "case"
DRAFT = "draft"
SEEN = "seen"
HR_NOTICE = "hr_notice"
DELETION = "deletion"
MED_UNIT = "med_unit"
MED_SENT = "med_sent"
MED_EVALUATION = "med_evaluation"
MED_CHANNEL = "med_channel"

NEVER = "9999-12-31T00:00:00Z"  # the tag of a moment that never comes (sorts after every stamp)
NEVER_MONTH = "9999-12"  # the same for a tag that holds a month

_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def _safe(part: str, limit: int) -> str:
    """Ids from Teams are data, not paths: keep only a conservative character set."""
    cleaned = _SAFE.sub("_", part)[:limit]
    if not cleaned or cleaned in (".", ".."):
        raise ValueError("empty id")
    return cleaned


def _med_id(part: str) -> str:
    return _SAFE.sub("_", part)[:150] or "_"


def _digest(*parts: str, length: int = 16) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


# -- cases and what they own -----------------------------------------------------------------------
CASES = "cases/"
EVIDENCE = "evidence/"
PACKS = "packs/"
AUDIT = "audit/"


def case(case_id: str) -> str:
    return f"{CASES}{case_id}.json"


def case_id_of(name: str) -> str:
    """The case id in a case document's name (as `find` returns it)."""
    return name.removeprefix(CASES).removesuffix(".json")


def evidence_prefix(case_id: str) -> str:
    """A case's (or a draft's: its files are stored under the case id it will have) evidence."""
    return f"{EVIDENCE}{case_id}/"


def evidence(case_id: str, sha256: str) -> str:
    return f"{evidence_prefix(case_id)}{sha256}"


def pack_prefix(case_id: str) -> str:
    return f"{PACKS}{case_id}/"


def pack(case_id: str, sha256: str) -> str:
    return f"{pack_prefix(case_id)}{sha256}"


def audit_log(log_id: str) -> str:
    """Where `Store.append_audit(log_id, ...)` keeps its lines (the stores spell it the same way)."""
    return f"{AUDIT}{log_id}.log"


def deletion(case_id: str) -> str:
    """Kept after a case is deleted: its number, when and by which rule."""
    return f"deletions/{case_id}.json"


ERASURES = "erasures/"


def erasure(case_id: str) -> str:
    return f"{ERASURES}{case_id}.json"


def erasure_case_id(name: str) -> str:
    return name.removeprefix(ERASURES).removesuffix(".json")


def case_number_counter(year: int) -> str:
    return f"counters/case-number-{year}.json"


def unit_tag(unit: str | None) -> str:
    """Unit names may hold Danish letters, which blob tags refuse: index a short digest of the
    unit's canonical form (`unit_key`), so every spelling of one workplace has one tag."""
    key = unit_key(unit) if unit else ""
    return hashlib.sha256(key.encode()).hexdigest()[:16] if key else "none"


def legacy_unit_tags(unit: str | None) -> set[str]:
    """Tags written before the canonical form (trimmed and lower-cased only), where they differ:
    documents stored then under a decomposed "å" or doubled spaces are still found."""
    if not unit:
        return set()
    old = hashlib.sha256(unit.strip().lower().encode()).hexdigest()[:16]
    return {old} - {unit_tag(unit)}


def case_tags(
    *,
    status: str,
    reporter: str,
    leader: str,
    deputy: str,
    unit: str,
    due: str,
    closed: str,
    number: str,
    figures: str,
) -> dict[str, str]:
    """A case's index: "my cases", "open cases led by X", "due by T", "closed by T", "KH-… ",
    "can count in the MED figures of a half-year starting in month M". `unit` is already a
    `unit_tag`; `due` is a UTC stamp, `closed` a UTC day, `figures` a UTC month (NEVER, NEVER_MONTH
    for none). Ten tags: Azure's most."""
    return {
        KIND: CASE,
        "status": status,
        "reporter": reporter,
        "leader": leader,
        "deputy": deputy,
        "unit": unit,
        "due": due,
        "closed": closed,
        "number": number,
        "figures": figures,
    }


# The migration that gives stored cases this version's tags (bot/services/case_tags.py). A new name
# when the tags change: v2 added the status to the leader and deputy tags (the figures tag came in v1,
# "migrations/case-tags-figures.json", which stores written then still hold).
CASE_TAGS_MIGRATION = "migrations/case-tags-v2.json"
CASE_STATUSES = ("open", "closed")


def role_tag(person_id: str, status: str) -> str:
    """The value of a case's `leader` or `deputy` tag: the case's status, then the person
    ("open:<id>"). "Open cases led by X" is then one index value, as large as its answer; with the
    status as a tag of its own the index could only intersect X's cases of every year with every
    open case. "none" (nobody in the role) stays "none"."""
    return "none" if person_id == "none" else f"{status}:{person_id}"


def cases_where(**equals: str) -> dict[str, str]:
    """A find over cases: `cases_where(status="open", leader=id)`."""
    return {KIND: CASE, **equals}


CASE_PERSON_TAGS = ("reporter", "leader", "deputy")  # the case tags that name a person


# -- a person's own documents ----------------------------------------------------------------------
def draft(aad_object_id: str) -> str:
    return f"drafts/{aad_object_id.lower()}.json"


def draft_tags(touched: str) -> dict[str, str]:
    return {KIND: DRAFT, "touched": touched}


def user_ref(aad_object_id: str) -> str:
    return f"refs/users/{_safe(aad_object_id.lower(), 200)}.json"


# The MED channels' references, one document (read once per process by the MED round).
CHANNEL_REFS = "refs/channels.json"


STATE = "state"


def state(key: str, prefix: str = STATE) -> str:
    """A safe, injective name for any botbuilder state key (they hold ':' '/' and more)."""
    encoded = base64.b32encode(key.encode()).decode().rstrip("=").lower()
    if len(encoded) > 150:  # b32 has no '-', so the two forms never collide
        encoded = "h-" + hashlib.sha256(key.encode()).hexdigest()
    return f"{prefix}/{encoded}.json"


# -- the bot's own bookkeeping ----------------------------------------------------------------------
def seen(conversation_id: str, activity_id: str) -> str:
    # Conversation and activity ids hold ':' '@' ';' and more: name the claim by digests.
    return f"seen/{_digest(conversation_id, length=40)}/{_digest(activity_id, length=40)}.json"


def seen_tags(at: str) -> dict[str, str]:
    return {KIND: SEEN, "at": at}


HR_OUTBOX = "outbox/hr/"


def hr_notice(notice_id: str) -> str:
    return f"{HR_OUTBOX}{notice_id}.json"


def hr_notice_tags(due: str) -> dict[str, str]:
    return {KIND: HR_NOTICE, "due": due}


def deletion_tags() -> dict[str, str]:
    return {KIND: DELETION}


EXPORTS = "exports/"


def export(day: str, export_id: str, sha256: str) -> str:
    """A person's export ZIP, by the UTC day it was built (retention drops whole days)."""
    return f"{EXPORTS}{day}/{export_id}/{sha256}"


def export_day(day: str) -> str:
    return f"{EXPORTS}{day}/"


def export_day_of(name: str) -> str:
    return name.removeprefix(EXPORTS).split("/", 1)[0]


SCHEDULER_LEASE = "scheduler"
LOCKS = "locks/"


def lease(name: str) -> str:
    """Where a store keeps the lease `Store.acquire_lease(name, ...)` takes."""
    return f"{LOCKS}{name}"


HEALTH_PROBE = "health/ready.json"  # read (never written) by the readiness check

STAGING = "staging/"


def staging(upload_id: str) -> str:
    """Azure: the blob an evidence upload's blocks are staged on while its name (its hash) is not
    known yet (bot.storage.blob_upload); the local store stages in its hidden `.tmp/` instead."""
    return f"{STAGING}{upload_id}"


# -- MED ------------------------------------------------------------------------------------------
def stats_med(period_id: str) -> str:
    """Counts of deleted cases by unit digest and category for MED, with the case numbers counted (no names)."""
    return f"stats/med/{period_id}.json"


def unit_record(unit: str) -> str:
    return f"med/units/{unit_tag(unit)}.json"


def unit_record_tag(name: str) -> str:
    """The unit tag in a unit record's name (as `find` returns it)."""
    return name.rsplit("/", 1)[-1].removesuffix(".json")


def team_tag(team_id: str) -> str:
    return _digest(team_id)


def channel_tag(team_id: str, channel_id: str) -> str:
    return _digest(team_id, channel_id)


def med_unit_tags(key: str, team_id: str | None = None, channel_id: str | None = None) -> dict[str, str]:
    tags = {KIND: MED_UNIT, "unit": unit_tag(key), "has_channel": "yes" if team_id is not None else "no"}
    if team_id is not None and channel_id is not None:
        tags["team"] = team_tag(team_id)
        tags["channel"] = channel_tag(team_id, channel_id)
    return tags


def med_units_where(**equals: str) -> dict[str, str]:
    return {KIND: MED_UNIT, **equals}


MED_SENT_PREFIX = "med/sent/"


def med_sent_units(period_id: str) -> str:
    """The prefix of a period's per-unit reminder records (older per-channel ones sit beside it)."""
    return f"{MED_SENT_PREFIX}{period_id}/units/"


def med_sent(period_id: str, unit: str) -> str:
    """A unit's reminder of one half-year. `unit` is a unit name or key (digested here)."""
    return f"{med_sent_units(period_id)}{unit_tag(unit)}.json"


def med_sent_tag(name: str) -> str:
    """The unit tag in a per-unit reminder record's name (as `find` returns it)."""
    return name.rsplit("/", 1)[-1].removesuffix(".json")


def med_sent_by_tag(period_id: str, tag: str) -> str:
    return f"{med_sent_units(period_id)}{tag}.json"


def med_sent_tags(period_id: str, state: str) -> dict[str, str]:
    return {KIND: MED_SENT, "period": period_id, "state": state}


def med_sent_where(period_id: str, **equals: str) -> dict[str, str]:
    return {KIND: MED_SENT, "period": period_id, **equals}


MED_EVALUATIONS = "med/evaluations/"


def med_evaluation(unit: str, period_id: str) -> str:
    return f"{MED_EVALUATIONS}{unit_tag(unit)}/{period_id}.json"


def legacy_med_evaluation(tag: str, period_id: str) -> str:
    return f"{MED_EVALUATIONS}{tag}/{period_id}.json"


def med_evaluation_unit_tag(name: str) -> str:
    """The unit tag in an evaluation's name (as `find` returns it)."""
    return name.removeprefix(MED_EVALUATIONS).split("/", 1)[0]


def med_evaluation_tags(unit: str, period_id: str) -> dict[str, str]:
    return {KIND: MED_EVALUATION, "period": period_id, "unit": unit_tag(unit)}


def med_evaluations_where(period_id: str) -> dict[str, str]:
    return {KIND: MED_EVALUATION, "period": period_id}


MED_FOLLOWUPS = "med/followups/"


def med_followup(unit: str, period_id: str) -> str:
    return f"{MED_FOLLOWUPS}{unit_tag(unit)}/{period_id}.json"


def legacy_med_channel(team_id: str, channel_id: str) -> str:
    """A channel registered before unit records existed (read once, moved into the unit record)."""
    return f"med/channels/{_med_id(team_id)}/{_med_id(channel_id)}.json"


def legacy_med_channel_tags(active: bool, unit: str) -> dict[str, str]:
    return {KIND: MED_CHANNEL, "active": "true" if active else "false", "unit": unit_tag(unit)}


def unit_audit_id(unit: str) -> str:
    """The audit log (`audit_log(...)`) of one unit's channel and plan changes."""
    return f"med-unit-{unit_tag(unit)}"


# Per-period MED records, each with where the period id sits in the name's '/'-separated parts
# (without ".json"): retention deletes them MED_RETENTION_DAYS after their half-year ended.
MED_PERIOD_RECORDS: tuple[tuple[str, int], ...] = ((MED_SENT_PREFIX, 2), (MED_EVALUATIONS, 3), (MED_FOLLOWUPS, 3))


# -- the registry: who owns each stored thing --------------------------------------------------------
class Owner(Enum):
    CASE = "case"  # deleted with the case (retention, erasure); in the export of everyone on it
    PERSON = "person"  # one person's own: in their export, discarded with what it serves
    MED_PERIOD = "med period"  # deleted MED_RETENTION_DAYS after its half-year (retention)
    KEPT = "kept"  # kept on purpose, with no personal data (or none beyond an HR actor's id)
    TRANSIENT = "transient"  # short-lived bookkeeping, deleted by the job that owns it


@dataclass(frozen=True)
class Kind:
    """One stored thing: the shape of its names, its owner, and what personal data it holds."""

    key: str
    pattern: str
    owner: Owner
    personal: str  # what personal data it holds and who deletes it, or why it holds none
    # For CASE: the name (or prefix) of the thing for one case id; for PERSON: for one person.
    owned: Callable[[str], str] | None = None


KINDS: tuple[Kind, ...] = (
    Kind(
        "evidence",
        "evidence/{case_id}/{sha256}",
        Owner.CASE,
        "screenshots and files the reporter (or the leader) sent; a draft's files are discarded with the draft",
        evidence_prefix,
    ),
    Kind("pack", "packs/{case_id}/{sha256}", Owner.CASE, "the evidence pack built from the case", pack_prefix),
    Kind("audit", "audit/{case_id}.log", Owner.CASE, "who did what on the case, with names and ids", audit_log),
    Kind(
        "case",
        "cases/{case_id}.json",
        Owner.CASE,
        "the report, the people on it and the guideline's steps (deleted last of what a case owns)",
        case,
    ),
    Kind(
        "draft",
        "drafts/{aad_object_id}.json",
        Owner.PERSON,
        "a report in progress: its evidence list; discarded on cancel or expiry, dropped when submitted",
        draft,
    ),
    Kind(
        "user_ref",
        "refs/users/{aad_object_id}.json",
        Owner.PERSON,
        "how the bot reaches a person in Teams (their chat's reference and language)",
        user_ref,
    ),
    Kind(
        "state",
        "state/{b32 of the conversation or user key}.json",
        Owner.TRANSIENT,
        "botbuilder's dialog state: a report's description lives here until it is submitted (then in "
        "the case); deleted with the draft it belongs to. Named by conversation, not by person, so the "
        "export does not find it: the draft's own document (in the export) names it",
    ),
    Kind(
        "deletion",
        "deletions/{case_id}.json",
        Owner.KEPT,
        "proof that a case was deleted: its number, when, the rule, and the HR person who asked",
    ),
    Kind(
        "erasure",
        "erasures/{case_id}.json",
        Owner.TRANSIENT,
        "HR's erasure request while it runs (HR's id); deleted when the case is gone",
    ),
    Kind(
        "case_tags_migration",
        "migrations/case-tags-{version}.json",
        Owner.KEPT,
        "how far the scheduler got in giving stored cases this version's tags: a case document's name; no person",
    ),
    Kind("counter", "counters/case-number-{year}.json", Owner.KEPT, "the next case number of a year; no person"),
    Kind(
        "seen",
        "seen/{digest}/{digest}.json",
        Owner.TRANSIENT,
        "activity ids already taken, as digests; deleted after an hour",
    ),
    Kind(
        "hr_notice",
        "outbox/hr/{id}.json",
        Owner.TRANSIENT,
        "a notice to HR about a unit (unit and channel names); deleted once delivered",
    ),
    Kind(
        "export",
        "exports/{day}/{export_id}/{sha256}",
        Owner.TRANSIENT,
        "a person's export ZIP (a copy of their data); deleted after EXPORT_KEEP_DAYS",
    ),
    Kind("lease", "locks/{name}", Owner.TRANSIENT, "which instance runs the scheduler; no person"),
    Kind(
        "staging",
        "staging/{upload_id}",
        Owner.TRANSIENT,
        "Azure only: an accepted evidence file's bytes for the moment between committing their staging "
        "blob and copying it to the evidence name; deleted right after (with its version), and what a "
        "crash leaves is swept at the next start. Before that commit the blocks are invisible",
    ),
    Kind(
        "stats",
        "stats/med/{period}.json",
        Owner.KEPT,
        "counts of deleted cases by unit and category, with case numbers",
    ),
    Kind(
        "channel_refs",
        "refs/channels.json",
        Owner.KEPT,
        "how the bot posts in each MED channel registered (the Teams side's channel book): the "
        "channels' conversation references, each with the id and name of who registered it (as the "
        "unit record's history); kept",
    ),
    Kind(
        "med_unit",
        "med/units/{unit_tag}.json",
        Owner.KEPT,
        "a workplace's MED channel and local plan, with who registered or changed them (an employee "
        "acting for the workplace); kept while the workplace exists",
    ),
    Kind(
        "med_unit_audit",
        "audit/med-unit-{unit_tag}.log",
        Owner.KEPT,
        "changes of a unit's channel and plan, with who made them; kept with the unit record",
    ),
    Kind(
        "med_channel",
        "med/channels/{team}/{channel}.json",
        Owner.KEPT,
        "a MED channel registered before unit records (moved into the unit record on first use)",
    ),
    Kind(
        "med_sent",
        "med/sent/{period}/units/{unit_tag}.json",
        Owner.MED_PERIOD,
        "where a unit's reminder went (a channel's or a leader's chat reference)",
    ),
    Kind(
        "med_evaluation",
        "med/evaluations/{unit_tag}/{period}.json",
        Owner.MED_PERIOD,
        "a unit's evaluation of a half-year, with who marked it",
    ),
    Kind("med_followup", "med/followups/{unit_tag}/{period}.json", Owner.MED_PERIOD, "a follow-up was sent; no person"),
)


def kind(key: str) -> Kind:
    for found in KINDS:
        if found.key == key:
            return found
    raise KeyError(key)


def case_owned(case_id: str) -> tuple[str, ...]:
    """Everything a case owns, as names or prefixes, the case document last (retention deletes
    them in this order, so a kill before the last leaves a claimed case the next run finishes)."""
    owned = [k.owned(case_id) for k in KINDS if k.owner is Owner.CASE and k.owned is not None]
    document = case(case_id)
    return (*[n for n in owned if n != document], document)


def person_owned(aad_object_id: str) -> dict[str, str]:
    """A person's own documents by kind key (the export reads each)."""
    return {k.key: k.owned(aad_object_id) for k in KINDS if k.owner is Owner.PERSON and k.owned is not None}
