"""HR stops and allows the deletion of a case by its number; others cannot; both are audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.guideline.model import CaseStatus, Person
from bot.repositories.cases import CaseDoc
from tests.bot.chat import texts
from tests.bot.conftest import EMPLOYEE, HR, STRANGER, World
from tests.unit.guideline.builders import opened


async def test_hr_holds_and_releases_a_case_and_others_cannot(world: World) -> None:
    runtime = await world.runtime()
    now = world.clock.now()
    case = replace(
        opened(now - timedelta(days=900), case_id="case0042", occurred_at=now - timedelta(days=901)),
        number="KH-2024-0042",
        status=CaseStatus.CLOSED,
        closed_at=now - timedelta(days=800),
    )
    await runtime.cases.create(CaseDoc(case))

    stranger = world.chat(runtime, STRANGER)
    assert texts(await stranger.send("stop sletning KH-2024-0042")) == ["Kommandoen kan kun bruges af HR."]

    hr = world.chat(runtime, HR)
    said = texts(await hr.send("stop sletning kh-2024-0042"))
    assert said and "KH-2024-0042" in said[0] and "tillad sletning" in said[0]
    assert "allerede" in texts(await hr.send("stop sletning KH-2024-0042"))[0]
    assert texts(await hr.send("stop sletning KH-2099-9999")) == ["Jeg kan ikke finde en sag med det nummer."]

    assert await runtime.scheduler.tick()  # the retention job runs and leaves the held case alone
    assert await runtime.cases.exists("case0042")

    assert "slettes igen" in texts(await hr.send("tillad sletning KH-2024-0042"))[0]
    audit = [line["type"] for line in await world.store.read_audit("case0042")]
    assert audit == ["retention_hold", "retention_release"]

    assert await runtime.scheduler.tick()  # the default rule (730 days) deletes it now
    assert not await runtime.cases.exists("case0042")
    assert await world.store.read_audit("case0042") == []


async def test_hr_erases_a_case_on_request_after_confirming(world: World) -> None:
    runtime = await world.runtime()
    now = world.clock.now()
    case = replace(opened(now, case_id="case0043", occurred_at=now - timedelta(days=1)), number="KH-2026-0043")
    await runtime.cases.create(CaseDoc(case))  # open, and nowhere near its retention time
    hr = world.chat(runtime, HR)

    [confirm] = texts(await hr.send("slet sag KH-2026-0043"))
    assert "bekræft" in confirm
    assert await runtime.cases.exists("case0043")  # nothing happens without the confirmation

    await hr.send("stop sletning KH-2026-0043")
    assert "tillad sletning" in texts(await hr.send("slet sag KH-2026-0043 bekræft"))[0]
    assert await runtime.cases.exists("case0043")  # a held case is not erased
    await hr.send("tillad sletning KH-2026-0043")

    assert texts(await hr.send("slet sag KH-2026-0043 bekræft")) == [
        "Sag KH-2026-0043 er slettet. En note om sletningen er gemt."
    ]
    assert not await runtime.cases.exists("case0043")
    record = await world.store.get("deletions/case0043.json")
    assert record is not None
    assert record.data["rule"] == "erased on request" and record.data["requested_by"] == HR
    assert await world.store.list("erasures/") == []
    # What the confirmation said remains is what remains: the MED count keeps the case number with
    # its workplace and category (so it is not "anonym"), and no name.
    [stats] = [await world.store.get(n) for n in await world.store.list("stats/")]
    assert stats is not None and "KH-2026-0043" in stats.data["counted"]
    assert "anonym" not in confirm and "sagsnummer, arbejdsplads og kategori – ingen navne" in confirm
    assert case.reporter.name not in str(stats.data)


async def test_hr_corrects_a_persons_name_on_their_cases(world: World) -> None:
    runtime = await world.runtime()
    now = world.clock.now()
    employee = Person(EMPLOYEE, "Mete Medarbejder")
    case = replace(opened(now, case_id="case0044", occurred_at=now - timedelta(days=1)), reporter=employee)
    await runtime.cases.create(CaseDoc(case))
    hr = world.chat(runtime, HR)
    assert "Entra-objekt-id" in texts(await hr.send("ret navn Mette"))[0]
    said = texts(await hr.send(f"ret navn {EMPLOYEE} Mette Æbelø-Hansen"))
    assert said == ["Navnet er rettet på 1 sag(er). Hver rettelse står i sagens log."]
    doc = await runtime.cases.get("case0044")
    assert doc.case.reporter.name == "Mette Æbelø-Hansen"  # as typed, not lower-cased
    assert [line["type"] for line in await world.store.read_audit("case0044")] == ["name_corrected"]
    assert texts(await hr.send(f"ret navn {EMPLOYEE} Mette Æbelø-Hansen"))[0].startswith("Navnet er rettet på 0")
