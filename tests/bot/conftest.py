"""A bot runtime over a real local store, a directory file, a fake file host and a hand clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app import Overrides, Runtime, build_runtime
from bot.directory import FileDirectory
from bot.hosting.settings import Settings
from bot.storage.local import LocalStore
from bot.storage.store import Store
from tests.bot.chat import Chat
from tests.fakes.clock import FakeClock
from tests.fakes.connector import FakeConnector
from tests.fakes.file_host import FakeFileHost, FakeHostPolicy

EMPLOYEE = "00000000-0000-0000-0000-00000000e001"
LEADER = "00000000-0000-0000-0000-00000000a001"
DEPUTY = "00000000-0000-0000-0000-00000000d001"
HR = "00000000-0000-0000-0000-0000000000c1"
STRANGER = "00000000-0000-0000-0000-00000000f001"

DIRECTORY_CSV = (
    "employee_aad_object_id,employee_name,leader_aad_object_id,leader_name,deputy_aad_object_id,deputy_name,"
    "unit,leader_absent\n"
    f"{EMPLOYEE},Mette Medarbejder,{LEADER},Lene Leder,{DEPUTY},Dorte Stedfortræder,Borgerservice,false\n"
)


@dataclass
class World:
    settings: Settings
    store: LocalStore
    clock: FakeClock
    files: FakeFileHost
    connector: FakeConnector
    data_dir: Path
    runtimes: list[Runtime] = field(default_factory=list)

    def chat(self, runtime: Runtime, aad_object_id: str, name: str = "Medarbejder", locale: str = "da-DK") -> Chat:
        return Chat(runtime, aad_object_id, name, locale, service_url=self.connector.service_url)

    async def runtime(self, store: Store | None = None) -> Runtime:
        """A fresh bot instance on the same store (as after a restart, or a second instance)."""
        runtime = await build_runtime(
            self.settings,
            Overrides(
                store=store or self.store,
                directory=await FileDirectory.open(self.data_dir.parent / "leaders.csv"),
                address_policy=FakeHostPolicy(self.files.url("/")),
                clock=self.clock,
                sleep=_no_wait,
                run_scheduler=False,
            ),
        )
        self.runtimes.append(runtime)
        return runtime


async def _no_wait(_seconds: float) -> None:
    """The sender's back-off, without the wait (the fake connector's 429 timing is tested elsewhere)."""


@asynccontextmanager
async def open_world(tmp_path: Path) -> AsyncIterator[World]:
    """The world in a folder of its own (the `world` fixture; also the golden chat's scenario)."""
    (tmp_path / "leaders.csv").write_text(DIRECTORY_CSV, encoding="utf-8")
    settings = Settings.from_env({"DATA_DIR": str(tmp_path / "data"), "HR_AAD_OBJECT_IDS": HR})
    store = LocalStore(tmp_path / "data")
    async with FakeFileHost() as files, FakeConnector() as connector:
        the_world = World(settings, store, FakeClock(), files, connector, tmp_path / "data")
        yield the_world
        for runtime in the_world.runtimes:
            await runtime.close()
    await store.close()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path) as the_world:
        yield the_world


def file_attachment(url: str, name: str = "skaermbillede.png") -> dict[str, object]:
    """A Teams personal-chat file upload, as Teams sends it."""
    return {
        "contentType": "application/vnd.microsoft.teams.file.download.info",
        "name": name,
        "content": {"downloadUrl": url, "uniqueId": "x", "fileType": name.rsplit(".", 1)[-1]},
    }
