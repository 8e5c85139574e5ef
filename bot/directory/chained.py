"""Ask several directories in order: Graph first, then the file, else the employee chooses.

The first directory that names a leader wins. Later ones still add what the first cannot know
when they agree on who the leader is: Entra ID has managers but no deputies or absences, the file
kept by HR may have both. A directory that is down is skipped (logged), so a Graph outage falls
back to the file instead of failing the report.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from bot.directory.model import Directory, DirectoryEntry, DirectoryUnavailable, Person, Workplace
from bot.guideline.med_units import merge_workplaces

log = logging.getLogger(__name__)


class ChainedDirectory:
    def __init__(self, directories: Sequence[Directory]) -> None:
        self._directories = tuple(directories)

    async def lookup(self, employee: str) -> DirectoryEntry:
        """Always an entry: with `leader` None when nobody knows the leader (the card then asks)."""
        found: list[DirectoryEntry] = []
        for index, directory in enumerate(self._directories):
            try:
                entry = await directory.lookup(employee)
            except DirectoryUnavailable:
                log.warning("directory unavailable; trying the next", extra={"fields": {"source": index}})
                continue
            if entry is not None:
                found.append(entry)
        return merge(employee, found)

    async def units(self) -> list[str]:
        return [w.name for w in await self.workplaces()]

    async def workplaces(self) -> list[Workplace]:
        """Every directory's units in one canonical form; the earlier directory's spelling and
        leader win, a later one adds a deputy (see `merge_workplaces`)."""
        found: list[list[Workplace]] = []
        for index, directory in enumerate(self._directories):
            try:
                found.append(await directory.workplaces())
            except DirectoryUnavailable:
                log.warning("directory unavailable for units; using the others", extra={"fields": {"source": index}})
        return sorted(merge_workplaces(*found), key=lambda w: w.name.casefold())

    async def leaders(self) -> list[Person]:
        people: dict[str, Person] = {}
        for directory in self._directories:
            try:
                people.update({p.aad_object_id: p for p in await directory.leaders()})
            except DirectoryUnavailable:
                continue
        return sorted(people.values(), key=lambda p: p.name.casefold())

    async def is_leader(self, user_id: str) -> bool:
        for directory in self._directories:
            try:
                if await directory.is_leader(user_id):
                    return True
            except DirectoryUnavailable:
                log.warning("directory unavailable for a leader check")
        return False

    async def is_member_of_group(self, user_id: str, group_id: str) -> bool:
        for directory in self._directories:
            try:
                if await directory.is_member_of_group(user_id, group_id):
                    return True
            except DirectoryUnavailable:
                log.warning("directory unavailable for a group check")
        return False

    async def group_members(self, group_id: str) -> frozenset[str]:
        """Every directory's answer together. When a directory could not answer and the others
        know nobody, that is not "the group is empty": DirectoryUnavailable goes to the caller,
        which keeps the message pending instead of recording it as delivered to no one."""
        members: set[str] = set()
        failed = False
        for directory in self._directories:
            try:
                members |= await directory.group_members(group_id)
            except DirectoryUnavailable:
                failed = True
                log.warning("directory unavailable for a group's members")
        if failed and not members:
            raise DirectoryUnavailable("no directory could list the group's members")
        return frozenset(members)


def merge(employee: str, found: Sequence[DirectoryEntry]) -> DirectoryEntry:
    """Combine entries given in priority order (see the module docstring)."""
    if not found:
        return DirectoryEntry(employee_id=employee.lower(), employee_name="")
    primary = next((e for e in found if e.leader is not None), found[0])
    agreeing = [
        e
        for e in found
        if e is not primary
        and e.leader is not None
        and primary.leader is not None
        and e.leader.aad_object_id == primary.leader.aad_object_id
    ]
    merged = primary
    for other in agreeing:
        if merged.deputy is None and other.deputy is not None:
            merged = replace(merged, deputy=other.deputy, leader_absent=other.leader_absent)
        if merged.leader_manager is None and other.leader_manager is not None:
            merged = replace(merged, leader_manager=other.leader_manager)
    unit = next((e.unit for e in found if e.unit), None)
    name = merged.employee_name or next((e.employee_name for e in found if e.employee_name), "")
    return replace(merged, unit=unit, employee_name=name)
