"""One message's files before any download (bot/chat/evidence_message.py), for the report and for
"add evidence": refused attachments, the cap per message, the room on the draft or case, and
the texts they come to in both languages. The downloads and the reservations themselves are
tested through a chat in tests/hostile/test_attachment_caps.py and tests/unit/test_evidence_intake.py.
"""

from __future__ import annotations

import pytest

from bot.chat.evidence_message import Admission, admit, fit, rejected, size_limit
from bot.chat.report_flow import say, spoken
from bot.errors import EvidenceRejected
from bot.intake.evidence import AttachmentRef
from bot.texts import Texts


def ref(n: int) -> AttachmentRef:
    return AttachmentRef(f"https://files.example/{n}", f"foto-{n}.png", "image/png", needs_auth=True)


def refs(count: int) -> list[AttachmentRef]:
    return [ref(n) for n in range(count)]


WORD_ART = EvidenceRejected("evidence.unsupported_attachment", "application/vnd.microsoft.card.hero")


def test_files_within_the_cap_are_all_taken_in_order_and_nothing_is_said() -> None:
    assert admit(refs(3), per_message=10, max_size="25 MB") == Admission(tuple(refs(3)))


def test_the_text_copy_teams_sends_beside_inline_images_is_not_a_file() -> None:
    assert admit([None, ref(0), None], per_message=10, max_size="25 MB") == Admission((ref(0),))


def test_an_attachment_that_is_no_file_is_refused_with_its_reason_and_the_rest_taken() -> None:
    admitted = admit([ref(0), WORD_ART, ref(1)], per_message=10, max_size="25 MB")
    assert admitted.refs == (ref(0), ref(1))
    assert admitted.said == (rejected("evidence.unsupported_attachment", "25 MB"),)


def test_more_files_than_the_cap_per_message_the_surplus_is_not_fetched_and_said() -> None:
    admitted = admit(refs(32), per_message=10, max_size="25 MB")
    assert admitted.refs == tuple(refs(10))  # the first ten, in the message's order
    assert admitted.said == (say("evidence.too_many_in_message", max=10, skipped=22),)


def test_refusals_are_said_before_the_cap_and_do_not_count_against_it() -> None:
    admitted = admit([WORD_ART, *refs(11)], per_message=10, max_size="25 MB")
    assert len(admitted.refs) == 10
    assert admitted.said == (
        rejected("evidence.unsupported_attachment", "25 MB"),
        say("evidence.too_many_in_message", max=10, skipped=1),
    )


def test_a_message_of_only_refusals_takes_nothing() -> None:
    assert admit([WORD_ART, None], per_message=10, max_size="25 MB").refs == ()


@pytest.mark.parametrize(("granted", "taken", "skipped"), [(3, 3, None), (2, 2, 1), (0, 0, 3)])
def test_only_the_files_the_draft_or_case_has_room_for_are_taken(granted: int, taken: int, skipped: int | None) -> None:
    before = Admission(tuple(refs(3)), (rejected("evidence.unsupported_attachment", "25 MB"),))
    after = fit(before, granted, cap=50)
    assert after.refs == tuple(refs(taken))
    full = () if skipped is None else (say("evidence.case_full", max=50, skipped=skipped),)
    assert after.said == (*before.said, *full)  # what was said before stays, first


# -- the texts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "reason", "expected"),
    [
        ("da", "evidence.too_large", "højst 25 MB"),
        ("en", "evidence.too_large", "25 MB"),
        ("da", "evidence.bad_type", "PNG"),
        ("en", "evidence.unsupported_attachment", "PDF"),
    ],
)
def test_a_refused_file_is_said_with_its_reason_and_limit_in_the_users_language(
    language: str, reason: str, expected: str
) -> None:
    tx = Texts(language)
    text = spoken(tx, rejected(reason, "25 MB"))
    assert text == tx("evidence.rejected", reason=tx(reason, max_size="25 MB"))
    assert expected in text and "{" not in text


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_caps_are_said_with_their_numbers(language: str) -> None:
    tx = Texts(language)
    too_many = spoken(tx, admit(refs(12), per_message=10, max_size="25 MB").said[0])
    full = spoken(tx, fit(Admission(tuple(refs(3))), 1, cap=50).said[0])
    assert "10" in too_many and "2" in too_many and "50" in full and "2" in full
    assert "{" not in too_many + full


@pytest.mark.parametrize(
    ("max_bytes", "shown"),
    [
        (25 * 1024 * 1024, "25 MB"),
        (1024 * 1024, "1 MB"),
        (3 * 1024 * 1024 // 2, "1 MB"),
        (4096, "4 KB"),
        (1500, "1 KB"),
    ],
)
def test_a_too_large_file_is_told_the_configured_limit_never_a_larger_one_or_0(max_bytes: int, shown: str) -> None:
    """The limit is EVIDENCE_MAX_BYTES: not a fixed 25 MB, and not "0 MB" below a megabyte."""
    for language, words in (("da", f"højst {shown})"), ("en", f"at most {shown})")):
        assert words in spoken(Texts(language), rejected("evidence.too_large", size_limit(max_bytes)))
