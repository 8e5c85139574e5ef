"""'Mine sager' puts what a worried employee looks for first: the open reports, then the closed
ones, newest first in each, at most MAX_LISTED (the rest counted)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.guideline.model import CaseStatus
from bot.texts import Texts
from cards.my_cases import MAX_LISTED, my_cases_card
from tests.bot.chat import all_text
from tests.unit.guideline.builders import OPENED, opened

TZ = ZoneInfo("Europe/Copenhagen")


def test_open_reports_come_first_then_the_newest_closed_ones() -> None:
    cases = []
    for n in range(MAX_LISTED + 2):  # KH-2026-0001 is the oldest
        at = OPENED + timedelta(days=n)
        case = replace(opened(at, case_id=f"{n:032x}"), number=f"KH-2026-{n + 1:04d}")
        if n not in (0, 5):  # the oldest and a middle one are still open
            case = replace(case, status=CaseStatus.CLOSED, closed_at=at + timedelta(hours=1))
        cases.append(case)
    text = all_text(my_cases_card(Texts("da"), cases, TZ))
    shown = re.findall(r"KH-2026-(\d{4})", text)
    assert shown == ["0006", "0001", "0012", "0011", "0010", "0009", "0008", "0007", "0005", "0004"]
    assert f"+{2}" in text  # KH-2026-0003 and -0002, the oldest closed ones, counted
