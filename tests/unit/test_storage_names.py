"""Every stored thing is in `bot.storage.names`, with an owner, and retention and the export cover
what they own. A new kind of document fails here until it says who deletes it and whether it is
personal data; a storage name spelled outside the names module fails too."""

from __future__ import annotations

import re
from pathlib import Path

from bot.services import person_export
from bot.services.reports import new_draft_id
from bot.storage import names
from bot.storage.names import KINDS, Owner

CASE_ID = "0123456789abcdef0123456789abcdef"
SHA = "a" * 64
PERIOD = "2026-1"

# One name of each kind, built by the names module: each must match its kind's pattern.
SAMPLES = {
    "evidence": names.evidence(CASE_ID, SHA),
    "pack": names.pack(CASE_ID, SHA),
    "audit": names.audit_log(CASE_ID),
    "case": names.case(CASE_ID),
    "draft": names.draft("AAD-1"),
    "user_ref": names.user_ref("aad-1"),
    "channel_refs": names.CHANNEL_REFS,
    "state": names.state("msteams/conversations/a:1"),
    "deletion": names.deletion(CASE_ID),
    "erasure": names.erasure(CASE_ID),
    "counter": names.case_number_counter(2026),
    "case_tags_migration": names.CASE_TAGS_MIGRATION,
    "seen": names.seen("a:1", "1234"),
    "hr_notice": names.hr_notice("n1"),
    "export": names.export("20261130", "x1", SHA),
    "lease": names.lease(names.SCHEDULER_LEASE),
    "staging": names.staging("0123456789abcdef0123456789abcdef"),
    "stats": names.stats_med(PERIOD),
    "med_unit": names.unit_record("Borgerservice"),
    "med_unit_audit": names.audit_log(names.unit_audit_id("Borgerservice")),
    "med_channel": names.legacy_med_channel("19:team", "19:channel"),
    "med_sent": names.med_sent(PERIOD, "Borgerservice"),
    "med_evaluation": names.med_evaluation("Borgerservice", PERIOD),
    "med_followup": names.med_followup("Borgerservice", PERIOD),
}


def _pattern(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]*\})", pattern)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


def test_every_kind_has_an_owner_a_note_and_a_sample_that_matches_its_pattern() -> None:
    keys = [k.key for k in KINDS]
    assert len(keys) == len(set(keys))
    assert set(SAMPLES) == set(keys)
    for kind in KINDS:
        assert kind.personal.strip(), kind.key
        assert _pattern(kind.pattern).fullmatch(SAMPLES[kind.key]), (kind.key, SAMPLES[kind.key])


def test_no_two_kinds_share_a_name() -> None:
    for key, name in SAMPLES.items():
        matching = [k.key for k in KINDS if _pattern(k.pattern).fullmatch(name)]
        if key == "med_unit_audit":
            # Units' audit logs sit beside the cases' under audit/; a case id is the bot's uuid hex,
            # never "med-unit-…", so no case owns (and no retention of a case deletes) one.
            assert matching == ["audit", key]
            assert re.fullmatch(r"[0-9a-f]{32}", new_draft_id())  # where case ids come from
            continue
        assert matching == [key], (key, matching)


def test_retention_deletes_every_kind_a_case_owns_and_the_case_document_last() -> None:
    owned = names.case_owned(CASE_ID)
    assert owned[-1] == names.case(CASE_ID)
    for kind in KINDS:
        if kind.owner is Owner.CASE:
            assert any(SAMPLES[kind.key].startswith(prefix) for prefix in owned), kind.key
        else:  # nothing that outlives the case is deleted with it
            assert not any(SAMPLES[kind.key].startswith(prefix) for prefix in owned), kind.key


def test_the_export_holds_every_kind_a_person_owns() -> None:
    person_kinds = {k.key for k in KINDS if k.owner is Owner.PERSON}
    assert set(person_export.PERSON_FILES) == person_kinds
    assert set(names.person_owned("aad-1")) == person_kinds
    # The export finds a person's cases by the case tags that name people.
    tags = names.case_tags(
        status="open", reporter="r", leader="l", deputy="d", unit="u", due="t", closed="c", number="n", figures="f"
    )
    assert set(person_export.ROLES) <= set(tags)


def test_med_retention_sweeps_every_per_period_kind_and_finds_its_period() -> None:
    for kind in KINDS:
        name = SAMPLES[kind.key]
        swept = [(prefix, part) for prefix, part in names.MED_PERIOD_RECORDS if name.startswith(prefix)]
        if kind.owner is Owner.MED_PERIOD:
            assert len(swept) == 1, kind.key
            assert name.removesuffix(".json").split("/")[swept[0][1]] == PERIOD
        else:
            assert not swept, kind.key


def test_names_are_read_back_by_the_same_module() -> None:
    assert names.case_id_of(names.case(CASE_ID)) == CASE_ID
    assert names.erasure_case_id(names.erasure(CASE_ID)) == CASE_ID
    assert names.export_day_of(names.export("20261130", "x1", SHA)) == "20261130"
    assert names.unit_record_tag(names.unit_record("Borgerservice")) == names.unit_tag("Borgerservice")
    tag = names.med_evaluation_unit_tag(names.med_evaluation("Borgerservice", PERIOD))
    assert tag == names.unit_tag("Borgerservice")
    assert names.med_sent_by_tag(PERIOD, tag) == names.med_sent(PERIOD, "Borgerservice")


# Storage prefixes and the `kind` tag, spelled anywhere but the names module.
_RAW = re.compile(
    r"""["'](cases|drafts|refs|med|counters|outbox|seen|exports|packs|evidence|deletions|erasures|stats|locks|state|audit|health|migrations|staging)/|["']kind["']"""
)
# Strings that look like storage names but are not: the export ZIP's entries, a metric attribute.
_NOT_STORAGE = {
    ("bot/services/person_export.py", 'f"cases/{case_id}/'),
    ("bot/hosting/telemetry.py", '{"kind": kind}'),
}


def test_no_storage_name_or_tag_is_spelled_outside_the_names_module() -> None:
    root = Path(__file__).resolve().parents[2]
    found = []
    for folder in ("bot", "dialogs", "cards"):
        for path in sorted((root / folder).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if rel == "bot/storage/names.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if _RAW.search(line) and not any(f == rel and s in line for f, s in _NOT_STORAGE):
                    found.append(f"{rel}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
