"""An in-memory leader directory (the `Directory` port) for service tests: entries and groups
given by the test, and a switch that makes it unavailable as Graph can be."""

from __future__ import annotations

from collections.abc import Iterable

from bot.directory.model import Directory, DirectoryEntry, DirectoryUnavailable, Person, Workplace, workplaces_of


class MemoryDirectory:
    def __init__(self, entries: Iterable[DirectoryEntry] = (), groups: dict[str, set[str]] | None = None) -> None:
        self.entries = {e.employee_id.lower(): e for e in entries}
        self.groups = {k: {m.lower() for m in v} for k, v in (groups or {}).items()}
        self.unavailable = False

    def _check(self) -> None:
        if self.unavailable:
            raise DirectoryUnavailable("the directory is down (test)")

    async def lookup(self, employee: str) -> DirectoryEntry | None:
        self._check()
        return self.entries.get(employee.lower())

    async def units(self) -> list[str]:
        return [w.name for w in await self.workplaces()]

    async def workplaces(self) -> list[Workplace]:
        self._check()
        return workplaces_of(self.entries.values())

    async def is_member_of_group(self, user_id: str, group_id: str) -> bool:
        self._check()
        return user_id.lower() in self.groups.get(group_id, set())

    async def group_members(self, group_id: str) -> frozenset[str]:
        self._check()
        return frozenset(self.groups.get(group_id, set()))

    async def leaders(self) -> list[Person]:
        self._check()
        people = {p.aad_object_id: p for e in self.entries.values() for p in (e.leader, e.deputy) if p}
        return sorted(people.values(), key=lambda p: p.name.casefold())

    async def is_leader(self, user_id: str) -> bool:
        return user_id.lower() in {p.aad_object_id.lower() for p in await self.leaders()}


def _conforms(directory: MemoryDirectory) -> Directory:
    return directory  # mypy checks the fake keeps the port's shape
