"""Fixtures for the e2e tests: the real app, Agents Playground instances, one headless Chromium.

Why these shapes:
- One Chromium per session (starting it costs seconds); each Playground tab gets its own browser context.
- Everything e2e runs in the session's event loop, because Playwright objects belong to the loop that
  created them; the hook below puts every test under tests/e2e there and marks it `e2e`.
- A missing Chromium or a Playground that does not start makes the test FAIL, never skip.
- Each test gets a fresh app (own data dir) and fresh Playground instances, so tests do not leak state.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright
from pytest_asyncio import is_async_test

from tests.e2e.harness.activities import FileServer
from tests.e2e.harness.config import EMPLOYEE, LEADER, PlaygroundConfig, PlaygroundUser, config_for
from tests.e2e.harness.procs import REPO, BotServer, PlaygroundServer, start_bot, start_playground
from tests.e2e.harness.ui import CHROMIUM, CHROMIUM_ARGS, Artifacts, ChatPage

E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS_ROOT = REPO / "test-artifacts" / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    session_loop = pytest.mark.asyncio(loop_scope="session")
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            if is_async_test(item):
                item.add_marker(session_loop, append=False)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not await asyncio.to_thread(Path(CHROMIUM).exists):
        pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)", pytrace=False)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Artifacts:
    """test-artifacts/e2e/<test>/, emptied at the start of the test."""
    directory = ARTIFACTS_ROOT / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return Artifacts(directory)


BotFactory = Callable[..., Awaitable[BotServer]]


@pytest_asyncio.fixture(loop_scope="session")
async def bot_factory(tmp_path: Path, artifacts: Artifacts) -> AsyncIterator[BotFactory]:
    """`await bot_factory(extra_env={...}, name="bot")` starts app.py; stopped after the test."""
    started: list[BotServer] = []

    async def start(*, extra_env: dict[str, str] | None = None, name: str = "bot") -> BotServer:
        server = await start_bot(tmp_path / name / "data", artifacts.directory / f"{name}.log", extra_env=extra_env)
        started.append(server)
        return server

    yield start
    await asyncio.gather(*(s.stop() for s in started))


@pytest_asyncio.fixture(loop_scope="session")
async def bot(bot_factory: BotFactory) -> BotServer:
    """The app with default settings."""
    return await bot_factory()


PlaygroundFactory = Callable[..., Awaitable[PlaygroundServer]]


@pytest_asyncio.fixture(loop_scope="session")
async def playground_factory(tmp_path: Path, artifacts: Artifacts) -> AsyncIterator[PlaygroundFactory]:
    """`await playground_factory(bot, user_or_config)` starts one Playground instance for that user."""
    started: list[PlaygroundServer] = []

    async def start(server: BotServer, who: PlaygroundUser | PlaygroundConfig) -> PlaygroundServer:
        config = who if isinstance(who, PlaygroundConfig) else config_for(who)
        key = config.current.key
        pg = await start_playground(
            server, config, tmp_path / f"playground-{key}", artifacts.directory / f"playground-{key}.log"
        )
        started.append(pg)
        return pg

    yield start
    await asyncio.gather(*(pg.stop() for pg in started))


ChatFactory = Callable[[PlaygroundServer], Awaitable[ChatPage]]


@pytest_asyncio.fixture(loop_scope="session")
async def open_chat(browser: Browser, artifacts: Artifacts) -> AsyncIterator[ChatFactory]:
    """`await open_chat(pg)` opens that instance in a new browser context (= installs the app)."""
    pages: list[ChatPage] = []

    async def open_(pg: PlaygroundServer) -> ChatPage:
        chat = await ChatPage.open(browser, pg.url, pg.config, artifacts)
        pages.append(chat)
        return chat

    yield open_
    for chat in pages:
        await chat.close()


@pytest_asyncio.fixture(loop_scope="session")
async def employee_pg(bot: BotServer, playground_factory: PlaygroundFactory) -> PlaygroundServer:
    return await playground_factory(bot, EMPLOYEE)


@pytest_asyncio.fixture(loop_scope="session")
async def leader_pg(bot: BotServer, playground_factory: PlaygroundFactory) -> PlaygroundServer:
    return await playground_factory(bot, LEADER)


@pytest_asyncio.fixture(loop_scope="session")
async def employee(employee_pg: PlaygroundServer, open_chat: ChatFactory) -> ChatPage:
    """The employee's Playground tab, open on the personal chat (the app just installed)."""
    return await open_chat(employee_pg)


@pytest_asyncio.fixture(loop_scope="session")
async def leader(leader_pg: PlaygroundServer, open_chat: ChatFactory) -> ChatPage:
    """The leader's Playground tab, against the same app as the employee's."""
    return await open_chat(leader_pg)


@pytest_asyncio.fixture(loop_scope="session")
async def file_server() -> AsyncIterator[FileServer]:
    """Serves attachment bytes on 127.0.0.1 (stands in for OneDrive/SharePoint download URLs)."""
    server = await FileServer().start()
    yield server
    await server.stop()
