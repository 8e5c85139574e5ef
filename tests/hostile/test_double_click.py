"""Two clicks at the same moment on one card, each taken by an instance of its own (or two turns
of one instance): both read the same dialog state, both move it on, and the later write finds the
state moved (its ETag is stale). That is a normal double click, not a fault: the clicker must not
get the generic apology ("noget gik galt"), but a clear answer in their language that nothing was
lost and where to go on from, and the report must go on as if clicked once.

The interleaving is forced at the storage boundary: instance A's state write is held until B's
click has been answered (tests/fakes/held_store.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage import names
from tests.hostile.conftest import (
    EMPLOYEE,
    activity,
    file_attachment,
    instances,
    post,
    runtime_of,
    start_report,
)


@pytest.mark.parametrize(
    ("locale", "expected", "apology"),
    [
        ("da-DK", "Du trykkede to gange på samme tid", "gik galt"),
        ("en-US", "You clicked twice at the same moment", "went wrong"),
    ],
)
async def test_a_double_click_on_two_instances_gets_a_clear_answer_and_the_report_goes_on(
    tmp_path: Path, locale: str, expected: str, apology: str
) -> None:
    hold_state = [False]  # A's dialog-state writes are held from the double click on

    def hold(name: str, _data: object) -> bool:
        return hold_state[0] and name.startswith(f"{names.STATE}/")

    async with instances(tmp_path, hold=hold) as apps:
        url = apps.url
        await start_report(apps.a, apps.connector)
        shot = [file_attachment(apps.files.url("/files/shot.png"), "shot.png")]
        assert await post(apps.a, activity(url, attachments=shot, locale=locale)) in (200, 201)
        before = len(apps.shown())
        hold_state[0] = True
        click = {"verb": "evidence_done"}

        async def meanwhile() -> None:  # A moved the state on, not yet written
            assert await post(apps.b, activity(url, value=click, locale=locale)) in (200, 201)

        await apps.while_held(activity(url, value=click, locale=locale), meanwhile)
        answers = apps.shown()[before:]
        assert not any(apology in a for a in answers), answers
        [told] = [a for a in answers if expected in a]
        assert "shot.png" not in told  # a short answer; the review card is above it
        assert await post(apps.b, activity(url, value={"verb": "review_submit"}, locale=locale)) in (200, 201)
        [case] = await runtime_of(apps.b).cases.reported_by(EMPLOYEE)
        assert [e.original_name for e in case.evidence] == ["shot.png"]
