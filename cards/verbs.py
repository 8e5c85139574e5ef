"""Every verb a card can send back. The router (bot/chat/routes.py) maps each to one handler,
and tests/unit/test_cards_limits.py checks that every card only uses verbs the router knows."""

from __future__ import annotations

from enum import StrEnum


class Verb(StrEnum):
    # Employee, personal chat (Action.Submit -> message with value)
    REPORT = "report"
    MY_CASES = "my_cases"
    GUIDELINE = "guideline"
    HELP = "help"
    REPORT_FORM = "report_form"  # the report card's submit
    REPORT_CANCEL = "report_cancel"
    EVIDENCE_DONE = "evidence_done"  # "no more screenshots" -> review
    REVIEW_EDIT = "review_edit"
    REVIEW_SUBMIT = "review_submit"
    ADD_EVIDENCE = "add_evidence"  # from "Mine sager"
    # Case card (Action.Execute -> adaptiveCard/action invoke)
    DECIDE = "decide"
    REFRESH_CASE = "refresh_case"
    HISTORY = "history"
    EVIDENCE_LIST = "evidence_list"
    EVIDENCE_PACK = "evidence_pack"  # build the pack; the links come as a chat message
    OPEN_CASE = "open_case"  # a line of "Mine sager" (leaders) or HR's overview
    # HR
    HR_CASES = "hr_cases"
    HR_OPEN_CASE = "hr_open_case"
    HR_MED_OVERVIEW = "hr_med_overview"  # the units' MED state ("MED-overblik"; was "MED-status")
    HR_MED_SEND = "hr_med_send"
    HR_HOLD = "hr_hold"  # stop a case's deletion (retention)
    HR_RELEASE = "hr_release"  # let it be deleted again
    HR_EXPORT = "hr_export"  # a person's data on request (GDPR art. 15)
    HR_ERASE = "hr_erase"  # delete a case now, on request (GDPR art. 17)
    HR_CORRECT_NAME = "hr_correct_name"  # correct a person's name on their cases (GDPR art. 16)
    # MED channel
    MED_REGISTER = "med_register"
    MED_AGENDA = "med_agenda"
    MED_DONE = "med_done"
    MED_PLAN = "med_plan"  # the unit's local guideline and action plan (a link)
    MED_CARD = "med_card"  # the channel's units' evaluation cards, on request


# HR's typed commands: listed in HR's part of `hjælp`, and answered even while a dialog waits.
HR_COMMANDS = frozenset(
    {
        Verb.HR_CASES,
        Verb.HR_MED_OVERVIEW,
        Verb.HR_MED_SEND,
        Verb.HR_HOLD,
        Verb.HR_RELEASE,
        Verb.HR_EXPORT,
        Verb.HR_ERASE,
        Verb.HR_CORRECT_NAME,
    }
)
