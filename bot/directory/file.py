"""The leader directory as a file kept by HR or IT: CSV (as Excel saves it) or JSON.

Used where Entra ID has no managers filled in, and for what Entra cannot know: deputies and a
leader's absence. The file is read off the event loop, checked strictly at start-up (a bad file stops
the bot with the file, line and column named), and re-read whenever its modification time changes;
a bad edit while running keeps the last good version and is logged.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from bot.directory.model import (
    NAME_MAX,
    DirectoryEntry,
    DirectoryFileError,
    Person,
    Workplace,
    is_object_id,
    workplaces_of,
)

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("employee_aad_object_id", "employee_name", "leader_aad_object_id", "leader_name")
OPTIONAL_COLUMNS = ("deputy_aad_object_id", "deputy_name", "unit", "leader_absent")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
_TRUE = frozenset({"true", "ja", "yes", "1", "x"})
_FALSE = frozenset({"false", "nej", "no", "0", ""})


@dataclass(frozen=True)
class _Row:
    line: int
    values: dict[str, str]


class FileDirectory:
    """`Directory` over a CSV or JSON file. Build with `await FileDirectory.open(path)` at start-up."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._entries: dict[str, DirectoryEntry] = {}
        self._stamp: tuple[int, int] | None = None
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> FileDirectory:
        """Load and validate now, so a bad file stops start-up (raises DirectoryFileError)."""
        directory = cls(path)
        await directory.reload()
        return directory

    async def reload(self) -> None:
        """Read the file again; raises DirectoryFileError and keeps the old entries if it is bad."""
        try:
            stamp, text = await asyncio.to_thread(_read, self._path)
        except OSError as exc:
            raise DirectoryFileError(str(self._path), f"cannot read the file ({type(exc).__name__})") from exc
        entries = parse(text, self._path)
        self._entries, self._stamp = entries, stamp
        log.info("leader directory loaded", extra={"fields": {"entries": len(entries)}})

    async def lookup(self, employee: str) -> DirectoryEntry | None:
        await self._refresh_if_changed()
        return self._entries.get(employee.lower())

    async def units(self) -> list[str]:
        return [w.name for w in await self.workplaces()]

    async def workplaces(self) -> list[Workplace]:
        await self._refresh_if_changed()
        return workplaces_of(self._entries.values())

    async def is_leader(self, user_id: str) -> bool:
        return user_id.lower() in {p.aad_object_id.lower() for p in await self.leaders()}

    async def is_member_of_group(self, user_id: str, group_id: str) -> bool:
        return False  # a file has no groups; HR by group needs Graph

    async def group_members(self, group_id: str) -> frozenset[str]:
        return frozenset()  # a file has no groups; HR by group needs Graph

    async def leaders(self) -> list[Person]:
        await self._refresh_if_changed()
        people = {p.aad_object_id: p for e in self._entries.values() for p in (e.leader, e.deputy) if p}
        return sorted(people.values(), key=lambda p: p.name.casefold())

    async def _refresh_if_changed(self) -> None:
        try:
            stamp = await asyncio.to_thread(_stamp, self._path)
        except OSError:
            log.warning("leader directory file unreadable; keeping the last good version")
            return
        if stamp == self._stamp:
            return
        async with self._lock:
            if stamp == self._stamp:
                return
            try:
                await self.reload()
            except DirectoryFileError as exc:
                self._stamp = stamp  # do not re-parse the same bad version on every lookup
                log.error("leader directory file rejected; keeping the last good version: %s", exc)


def _stamp(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size


def _read(path: Path) -> tuple[tuple[int, int], str]:
    stamp = _stamp(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DirectoryFileError(str(path), "not UTF-8 text") from exc
    return stamp, text


def parse(text: str, path: Path) -> dict[str, DirectoryEntry]:
    """Parse and validate a whole file into entries keyed by lower-case employee object id."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = list(_csv_rows(text, str(path)))
    elif suffix == ".json":
        rows = list(_json_rows(text, str(path)))
    else:
        raise DirectoryFileError(str(path), "unknown file type; use .csv or .json")
    return _build(rows, str(path))


def _csv_rows(text: str, name: str) -> Iterator[_Row]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","  # Danish Excel saves with ';'
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise DirectoryFileError(name, "the file is empty; expected a header line", line=1) from None
    except csv.Error as exc:
        raise DirectoryFileError(name, f"not valid CSV ({exc})", line=1) from None
    _check_columns(header, name, line=1)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DirectoryFileError(name, f"not valid CSV ({exc})", line=reader.line_num) from None
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise DirectoryFileError(name, f"expected {len(header)} cells, found {len(cells)}", line=reader.line_num)
        yield _Row(reader.line_num, {h: c.strip() for h, c in zip(header, cells, strict=True)})


def _json_rows(text: str, name: str) -> Iterator[_Row]:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DirectoryFileError(name, f"not valid JSON ({exc.msg})", line=exc.lineno) from None
    if not isinstance(data, list):
        raise DirectoryFileError(name, "expected a JSON list of objects", line=1)
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise DirectoryFileError(name, f"entry {index} is not an object")
        _check_columns([str(k).lower() for k in item], name, entry=index)
        values: dict[str, str] = {}
        for key, value in item.items():
            column = str(key).lower()
            if value is None:
                values[column] = ""
            elif isinstance(value, bool):
                values[column] = "true" if value else "false"
            elif isinstance(value, str):
                values[column] = value.strip()
            else:
                raise DirectoryFileError(name, f"entry {index}: expected text", column=column)
        yield _Row(index, values)


def _check_columns(columns: list[str], name: str, line: int | None = None, entry: int | None = None) -> None:
    prefix = f"entry {entry}: " if entry is not None else ""
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise DirectoryFileError(
            name, f"{prefix}unknown column; expected {', '.join(COLUMNS)}", line=line, column=unknown[0]
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise DirectoryFileError(name, f"{prefix}missing column", line=line, column=missing[0])
    if len(set(columns)) != len(columns):
        raise DirectoryFileError(name, f"{prefix}a column appears twice", line=line)


def _build(rows: list[_Row], name: str) -> dict[str, DirectoryEntry]:
    people: dict[str, tuple[int, str, Person | None, Person | None, str | None, bool]] = {}
    for row in rows:
        fail = _Failer(name, row)
        employee = fail.object_id("employee_aad_object_id", required=True)
        employee_name = fail.name("employee_name", required=True)
        leader_id = fail.object_id("leader_aad_object_id")
        leader = Person(leader_id, fail.name("leader_name", required=True)) if leader_id else None
        deputy_id = fail.object_id("deputy_aad_object_id")
        deputy = Person(deputy_id, fail.name("deputy_name", required=True)) if deputy_id else None
        if leader_id == employee:
            fail("an employee cannot be their own leader", "leader_aad_object_id")
        if deputy_id and deputy_id == employee:
            fail("an employee cannot be their own leader's deputy", "deputy_aad_object_id")
        absent = fail.flag("leader_absent")
        if absent and deputy is None:
            fail("the leader is marked absent but no deputy is given", "deputy_aad_object_id")
        if employee in people:
            first = _where(name, people[employee][0])
            fail(f"employee listed twice (first on {first})", "employee_aad_object_id")
        unit = row.values.get("unit") or None
        people[employee] = (row.line, employee_name, leader, deputy, unit, absent)
    entries: dict[str, DirectoryEntry] = {}
    for employee, (_line, employee_name, leader, deputy, unit, absent) in people.items():
        above = people.get(leader.aad_object_id) if leader else None
        entries[employee] = DirectoryEntry(
            employee_id=employee,
            employee_name=employee_name,
            leader=leader,
            deputy=deputy,
            unit=unit,
            leader_absent=absent,
            leader_manager=above[2] if above else None,
        )
    return entries


def _where(name: str, line: int) -> str:
    return f"entry {line}" if name.lower().endswith(".json") else f"line {line}"


class _Failer:
    """Reads one row's cells and raises errors that point at the row and column."""

    def __init__(self, name: str, row: _Row) -> None:
        self._name, self._row = name, row
        self._json = name.lower().endswith(".json")

    def __call__(self, reason: str, column: str) -> NoReturn:
        if self._json:
            raise DirectoryFileError(self._name, f"entry {self._row.line}: {reason}", column=column)
        raise DirectoryFileError(self._name, reason, line=self._row.line, column=column)

    def object_id(self, column: str, required: bool = False) -> str:
        value = self._row.values.get(column, "")
        if not value:
            if required:
                self(f"{column} is required", column)
            return ""
        if not is_object_id(value):
            self("not an Entra object id (a GUID like 8f7c...-....)", column)
        return value.lower()

    def name(self, column: str, required: bool = False) -> str:
        value = self._row.values.get(column, "")
        if required and not value:
            self("a name is required with the object id", column)
        if len(value) > NAME_MAX:
            self(f"longer than {NAME_MAX} characters", column)
        return value

    def flag(self, column: str) -> bool:
        value = self._row.values.get(column, "").lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self("expected true/false, ja/nej or blank", column)
        return False
