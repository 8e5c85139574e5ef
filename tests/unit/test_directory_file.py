"""FileDirectory: CSV and JSON leader files, deputies, validation errors, reload on change."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.directory import (
    ChainedDirectory,
    DirectoryEntry,
    DirectoryFileError,
    FileDirectory,
    Person,
    effective_leader,
)

EMP = "e0000000-0000-4000-8000-000000000001"
EMP2 = "e0000000-0000-4000-8000-000000000002"
LEADER = "10000000-0000-4000-8000-000000000001"
TOP = "20000000-0000-4000-8000-000000000001"
DEPUTY = "30000000-0000-4000-8000-000000000001"
HEADER = (
    "employee_aad_object_id,employee_name,leader_aad_object_id,leader_name,"
    "deputy_aad_object_id,deputy_name,unit,leader_absent"
)


def write_csv(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "leaders.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


async def test_csv_lookup_with_leaders_own_leader_and_units(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        f"{EMP},Ea Medarbejder,{LEADER},Lars Leder,{DEPUTY},Dan Deputy,Skolen Nord,nej",
        f"{LEADER},Lars Leder,{TOP},Tove Direktør,,,Forvaltningen,",
        f"{EMP2},Bo Kollega,,,,,Skolen Nord,",
    )
    directory = await FileDirectory.open(path)

    entry = await directory.lookup(EMP)
    assert entry == DirectoryEntry(
        employee_id=EMP,
        employee_name="Ea Medarbejder",
        leader=Person(LEADER, "Lars Leder"),
        deputy=Person(DEPUTY, "Dan Deputy"),
        unit="Skolen Nord",
        leader_absent=False,
        leader_manager=Person(TOP, "Tove Direktør"),
    )
    assert effective_leader(entry) == Person(LEADER, "Lars Leder")
    no_leader = await directory.lookup(EMP2)
    assert no_leader is not None and no_leader.leader is None
    assert await directory.lookup(EMP.upper()) == entry
    assert await directory.lookup("f0000000-0000-4000-8000-000000000000") is None
    assert await directory.units() == ["Forvaltningen", "Skolen Nord"]
    assert await directory.is_member_of_group(EMP, "any-group") is False


async def test_absent_leader_hands_over_to_the_deputy(tmp_path: Path) -> None:
    directory = await FileDirectory.open(write_csv(tmp_path, f"{EMP},Ea,{LEADER},Lars Leder,{DEPUTY},Dan Deputy,,ja"))

    entry = await directory.lookup(EMP)

    assert entry is not None and entry.leader_absent is True
    assert effective_leader(entry) == Person(DEPUTY, "Dan Deputy")


async def test_excel_csv_with_bom_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "ledere.csv"
    text = HEADER.replace(",", ";") + "\r\n" + f'{EMP};"Ea; Medarbejder";{LEADER};Lars Leder;;;Rådhuset;\r\n'
    path.write_bytes(text.encode("utf-8-sig"))

    entry = await (await FileDirectory.open(path)).lookup(EMP)

    assert entry is not None
    assert entry.employee_name == "Ea; Medarbejder" and entry.unit == "Rådhuset"


async def test_json_file(tmp_path: Path) -> None:
    path = tmp_path / "leaders.json"
    path.write_text(
        json.dumps(
            [
                {
                    "employee_aad_object_id": EMP,
                    "employee_name": "Ea",
                    "leader_aad_object_id": LEADER,
                    "leader_name": "Lars Leder",
                    "deputy_aad_object_id": DEPUTY,
                    "deputy_name": "Dan Deputy",
                    "unit": "Skolen Nord",
                    "leader_absent": True,
                },
                {
                    "employee_aad_object_id": LEADER,
                    "employee_name": "Lars Leder",
                    "leader_aad_object_id": TOP,
                    "leader_name": "Tove",
                    "unit": None,
                },
            ]
        ),
        encoding="utf-8",
    )
    directory = await FileDirectory.open(path)

    entry = await directory.lookup(EMP)

    assert entry is not None
    assert effective_leader(entry) == Person(DEPUTY, "Dan Deputy")
    assert entry.leader_manager == Person(TOP, "Tove")
    assert await directory.units() == ["Skolen Nord"]


@pytest.mark.parametrize(
    ("rows", "line", "column"),
    [
        ([f"not-a-guid,Ea,{LEADER},Lars,,,,"], 2, "employee_aad_object_id"),
        ([f"{EMP},Ea,{LEADER},Lars,,,,", f"{EMP2},Bo,{LEADER},Lars,,,,måske"], 3, "leader_absent"),
        ([f"{EMP},Ea,{LEADER},,,,,"], 2, "leader_name"),
        ([f"{EMP},Ea,{LEADER},Lars,,,,ja"], 2, "deputy_aad_object_id"),
        ([f"{EMP},Ea,{EMP},Ea,,,,"], 2, "leader_aad_object_id"),
        ([f"{EMP},Ea,{LEADER},Lars,,,,", "", f"{EMP},Ea,{LEADER},Lars,,,,"], 4, "employee_aad_object_id"),
        ([f"{EMP},,{LEADER},Lars,,,,"], 2, "employee_name"),
        ([f"{EMP},Ea,{LEADER},{'L' * 257},,,,"], 2, "leader_name"),
    ],
)
async def test_bad_rows_name_the_file_line_and_column(tmp_path: Path, rows: list[str], line: int, column: str) -> None:
    path = write_csv(tmp_path, *rows)

    with pytest.raises(DirectoryFileError) as caught:
        await FileDirectory.open(path)

    assert (caught.value.line, caught.value.column) == (line, column)
    assert str(path) in str(caught.value) and f"line {line}" in str(caught.value)
    assert "Lars" not in str(caught.value)  # values (names) never appear in the message


@pytest.mark.parametrize(
    ("header", "rows", "line", "column"),
    [
        ("employee_aad_object_id,employee_name,leader_name", [], 1, "leader_aad_object_id"),
        (HEADER + ",leader_email", [], 1, "leader_email"),
        (HEADER, [f"{EMP},Ea,{LEADER},Lars,,"], 2, None),
    ],
)
async def test_bad_structure_is_reported(
    tmp_path: Path, header: str, rows: list[str], line: int, column: str | None
) -> None:
    with pytest.raises(DirectoryFileError) as caught:
        await FileDirectory.open(write_csv(tmp_path, *rows, header=header))
    assert (caught.value.line, caught.value.column) == (line, column)


async def test_bad_json_and_unknown_types_are_reported(tmp_path: Path) -> None:
    broken = tmp_path / "leaders.json"
    broken.write_text('[\n  {"employee_aad_object_id": "x",\n  oops}\n]', encoding="utf-8")
    with pytest.raises(DirectoryFileError) as caught:
        await FileDirectory.open(broken)
    assert caught.value.line == 3

    wrong_item = tmp_path / "items.json"
    wrong_item.write_text(
        json.dumps(
            [{"employee_aad_object_id": EMP, "employee_name": "Ea", "leader_aad_object_id": LEADER, "leader_name": 7}]
        )
    )
    with pytest.raises(DirectoryFileError) as caught:
        await FileDirectory.open(wrong_item)
    assert caught.value.column == "leader_name" and "entry 1" in str(caught.value)

    other = tmp_path / "leaders.xlsx"
    other.write_bytes(b"PK")
    with pytest.raises(DirectoryFileError, match=r"leaders\.xlsx"):
        await FileDirectory.open(other)

    with pytest.raises(DirectoryFileError, match=r"missing\.csv"):
        await FileDirectory.open(tmp_path / "missing.csv")


async def test_reloads_when_the_file_changes_and_keeps_the_last_good_version(tmp_path: Path) -> None:
    path = write_csv(tmp_path, f"{EMP},Ea,{LEADER},Lars Leder,,,,")
    directory = await FileDirectory.open(path)
    assert (await directory.lookup(EMP) or pytest.fail()).leader == Person(LEADER, "Lars Leder")

    write_csv(tmp_path, f"{EMP},Ea,{TOP},Tove Direktør,,,,")
    os.utime(path, ns=(10**18, 10**18))
    assert (await directory.lookup(EMP) or pytest.fail()).leader == Person(TOP, "Tove Direktør")

    write_csv(tmp_path, f"{EMP},Ea,not-a-guid,Nobody,,,,")  # a bad edit while running
    os.utime(path, ns=(2 * 10**18, 2 * 10**18))
    assert (await directory.lookup(EMP) or pytest.fail()).leader == Person(TOP, "Tove Direktør")

    path.unlink()  # a file that disappears does not take the directory with it
    assert (await directory.lookup(EMP) or pytest.fail()).leader == Person(TOP, "Tove Direktør")


async def test_chain_with_nobody_knowing_the_employee_asks_the_employee(tmp_path: Path) -> None:
    file = await FileDirectory.open(write_csv(tmp_path, f"{EMP2},Bo,,,,,Rådhuset,"))
    chain = ChainedDirectory([file])

    unknown = await chain.lookup(EMP)
    known_without_leader = await chain.lookup(EMP2)

    assert unknown == DirectoryEntry(employee_id=EMP, employee_name="")
    assert known_without_leader.leader is None and known_without_leader.unit == "Rådhuset"
