"""Personal data stays in personal chats.

A team channel or a group chat is read by everyone in it. Reports, case lists and case cards are
therefore drawn only in the personal chat between one person and the bot; in a shared conversation
the same commands, card submits and invokes get a pointer to that chat and nothing else (no case
number, text or name). Pure: the handler asks, tests/hostile/test_channel_privacy.py proves it.
"""

from __future__ import annotations

from typing import Any

from cards.verbs import Verb

# Everything that starts or continues a report, or shows a case or a list of cases.
PERSONAL_ONLY = frozenset(
    {
        Verb.REPORT,
        Verb.REPORT_FORM,
        Verb.REPORT_CANCEL,
        Verb.EVIDENCE_DONE,
        Verb.REVIEW_EDIT,
        Verb.REVIEW_SUBMIT,
        Verb.ADD_EVIDENCE,
        Verb.MY_CASES,
        Verb.HR_CASES,
        Verb.DECIDE,
        Verb.REFRESH_CASE,
        Verb.HISTORY,
        Verb.EVIDENCE_LIST,
        Verb.HR_OPEN_CASE,
    }
)


def is_personal(activity: Any) -> bool:
    """True only for a one-to-one chat with the bot.

    Teams marks it `conversationType: personal`; a missing type counts as personal only when
    nothing else says the conversation is shared (a group flag, a team or channel in channelData).
    """
    conversation = getattr(activity, "conversation", None)
    if conversation is None:
        return False
    if getattr(conversation, "conversation_type", None) not in (None, "personal"):
        return False
    if getattr(conversation, "is_group", None):
        return False
    data = getattr(activity, "channel_data", None)
    return not (isinstance(data, dict) and (data.get("team") or data.get("channel")))
