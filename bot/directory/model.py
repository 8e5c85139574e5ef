"""What the bot needs to know about an employee's place in the organisation, and the port behind it.

The guideline sends a report to the employee's own leader (or the leader's deputy when the leader is
away), and escalations go one level further up. Where that knowledge lives differs between
municipalities (Entra ID managers, a file kept by HR), so the rest of the bot sees only `Directory`.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.errors import BotError
from bot.guideline import Person
from bot.guideline.med_units import Workplace, merge_workplaces, unit_key
from bot.guideline.model import MAX_NAME

__all__ = [
    "Directory",
    "DirectoryEntry",
    "DirectoryFileError",
    "DirectoryUnavailable",
    "Person",
    "Workplace",
    "effective_leader",
    "is_object_id",
    "workplaces_of",
]

NAME_MAX = MAX_NAME  # what the domain's Person accepts: Entra's 256 characters


@dataclass(frozen=True)
class DirectoryEntry:
    """One employee and the people the guideline routes their case to.

    `leader` None means no directory knows the leader: the Teams layer lets the employee choose.
    `leader_manager` is the leader's own leader (for escalations), when known.
    """

    employee_id: str
    employee_name: str
    leader: Person | None = None
    deputy: Person | None = None
    unit: str | None = None
    leader_absent: bool = False
    leader_manager: Person | None = None


def effective_leader(entry: DirectoryEntry) -> Person | None:
    """Who receives the case: the deputy stands in while the leader is marked absent."""
    if entry.leader_absent and entry.deputy is not None:
        return entry.deputy
    return entry.leader


class Directory(Protocol):
    """Port for "who is this employee's leader". Implementations: Graph, a file, a chain of both."""

    async def lookup(self, employee: str) -> DirectoryEntry | None:
        """The entry for an Entra object id, or None when this directory does not know the employee."""
        ...

    async def units(self) -> list[str]:
        """Units (workplaces) known, offered when a MED channel is registered."""
        ...

    async def workplaces(self) -> list[Workplace]:
        """The units known with their leader and deputy: every one gets the MED reminder."""
        ...

    async def is_member_of_group(self, user_id: str, group_id: str) -> bool:
        """Whether the user is in an Entra group (HR may be configured as a group)."""
        ...

    async def group_members(self, group_id: str) -> frozenset[str]:
        """The object ids of a group's users (HR configured as a group gets every HR message).
        Raises DirectoryUnavailable when the directory that knows groups cannot answer."""
        ...

    async def leaders(self) -> list[Person]:
        """Leaders known (offered when an employee must choose their leader themselves)."""
        ...

    async def is_leader(self, user_id: str) -> bool:
        """Whether the person leads anyone here (`hjælp` then shows the leader's part)."""
        ...


class DirectoryUnavailable(BotError):
    """A remote directory could not answer (throttled, down, refused our credentials)."""


class DirectoryFileError(BotError):
    """The leader file is malformed. The message names the file, the line and the column, never values."""

    def __init__(self, path: str, reason: str, line: int | None = None, column: str | None = None) -> None:
        where = path
        if line is not None:
            where += f", line {line}"
        if column:
            where += f", column {column!r}"
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.column = column
        self.reason = reason


def is_object_id(value: str) -> bool:
    """Entra object ids are GUIDs; checking keeps anything else out of Graph URLs and the file."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def workplaces_of(entries: Iterable[DirectoryEntry]) -> list[Workplace]:
    """The workplaces named on employees' entries. A unit's leader is the leader most of its
    employees have (ties: the first seen); its deputy and absence come from those employees'
    entries that name that leader."""
    by_unit: dict[str, list[DirectoryEntry]] = {}  # one pass: a municipality has thousands of rows
    names: dict[str, str] = {}
    leaders: dict[str, Counter[Person]] = {}
    for entry in entries:
        key = unit_key(entry.unit) if entry.unit else ""
        if not key:
            continue
        by_unit.setdefault(key, []).append(entry)
        names.setdefault(key, entry.unit or "")
        counts = leaders.setdefault(key, Counter())
        if entry.leader is not None:
            counts[entry.leader] += 1
    places = []
    for key, name in names.items():
        leader = leaders[key].most_common(1)[0][0] if leaders[key] else None
        same = [e for e in by_unit[key] if e.leader == leader]
        deputies = Counter(e.deputy for e in same if e.deputy is not None)
        deputy = deputies.most_common(1)[0][0] if deputies else None
        absent = any(e.leader_absent for e in same)
        places.append(Workplace(name, leader, deputy, absent and deputy is not None))
    return merge_workplaces(places)
