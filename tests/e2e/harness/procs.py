"""Start and stop the real bot (`app.py`) and Agents Playground instances as child processes.

Why: the e2e tests drive the app as a person would, so the app runs exactly as an operator starts it
(`python app.py`, configured by environment), in local unauthenticated mode bound to 127.0.0.1. Each
child's output goes to a log file next to the test's screenshots, so a failure can be read afterwards.
Readiness is polled (health endpoint, "Listening on" line); a child that dies early fails the test at
once with the tail of its log.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import aiohttp

from tests.e2e.harness.config import PlaygroundConfig
from tests.e2e.harness.net import free_port
from tests.e2e.harness.proxy import LocaleProxy

REPO = Path(__file__).resolve().parents[3]
PLAYGROUND_CLI = REPO / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
LISTENING = re.compile(r"Listening on (\d+)")


class HarnessError(AssertionError):
    """A child process did not come up. An AssertionError, so the test fails rather than errors or skips."""


def _python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class Child:
    """A started child process and the log file it writes to."""

    name: str
    proc: asyncio.subprocess.Process
    log_path: Path
    _log: IO[bytes]

    def check_alive(self) -> None:
        if self.proc.returncode is not None:
            raise HarnessError(
                f"{self.name} exited with {self.proc.returncode}; last log lines:\n{_tail(self.log_path)}"
            )

    async def stop(self) -> None:
        """Terminate this one process (by its own pid), then kill it if it lingers."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
                await self.proc.wait()
        self._log.close()


async def _spawn(name: str, args: list[str], env: dict[str, str], cwd: Path, log_path: Path) -> Child:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = await asyncio.to_thread(log_path.open, "wb")  # closed by Child.stop
    proc = await asyncio.create_subprocess_exec(
        *args,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
    )
    return Child(name, proc, log_path, log)


@dataclass
class BotServer:
    """The running app. `messages_url` is what the Playground posts activities to."""

    port: int
    data_dir: Path
    child: Child

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def messages_url(self) -> str:
        return f"{self.base_url}/api/messages"

    @property
    def log_path(self) -> Path:
        return self.child.log_path

    async def stop(self) -> None:
        await self.child.stop()


async def start_bot(
    data_dir: Path,
    log_path: Path,
    *,
    extra_env: dict[str, str] | None = None,
    ready_within: float = 30.0,
) -> BotServer:
    """Run `app.py` with no MicrosoftAppId (local mode, 127.0.0.1) and wait for GET /healthz = 200.

    The working directory is the data dir's parent, so a developer's `.env` in the repo cannot leak
    credentials or settings into the test.
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MicrosoftApp")}
    env.update(
        PORT=str(port),
        DATA_DIR=str(data_dir),
        LOG_LEVEL="INFO",
        MicrosoftAppId="",
        MicrosoftAppPassword="",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra_env or {})
    await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
    # E2E_APP runs the suite against another entry point (e.g. a build under test elsewhere).
    app = os.environ.get("E2E_APP") or str(REPO / "app.py")
    child = await _spawn("app.py", [_python(), app], env, data_dir.parent, log_path)
    bot = BotServer(port, data_dir, child)
    try:
        await _wait_http_ok(f"{bot.base_url}/healthz", child, ready_within)
    except BaseException:
        await child.stop()
        raise
    return bot


async def _wait_http_ok(url: str, child: Child, within: float) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while True:
            child.check_alive()
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with http.get(url) as resp:
                    if resp.status == 200:
                        return
            if time.monotonic() > deadline:
                raise HarnessError(f"{child.name}: {url} not 200 after {within}s\n{_tail(child.log_path)}")
            await asyncio.sleep(0.1)


@dataclass
class PlaygroundServer:
    """One running Agents Playground instance for one current user."""

    port: int
    config: PlaygroundConfig
    config_path: Path
    child: Child
    proxy: LocaleProxy | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def service_url(self) -> str:
        """The connector URL the Playground puts in activities (it says localhost, not 127.0.0.1)."""
        return f"http://localhost:{self.port}/_connector"

    async def stop(self) -> None:
        await self.child.stop()
        if self.proxy is not None:
            await self.proxy.stop()


async def start_playground(
    bot: BotServer,
    config: PlaygroundConfig,
    work_dir: Path,
    log_path: Path,
    *,
    ready_within: float = 30.0,
) -> PlaygroundServer:
    """Write the instance's yml and start the Playground CLI against the bot; wait until it serves."""
    if not await asyncio.to_thread(PLAYGROUND_CLI.exists):
        raise HarnessError(f"Agents Playground not installed: {PLAYGROUND_CLI} (run npm ci)")
    await asyncio.to_thread(work_dir.mkdir, parents=True, exist_ok=True)
    config_path = work_dir / ".m365agentsplayground.yml"
    await asyncio.to_thread(config_path.write_text, config.render(), encoding="utf-8")
    port = free_port()
    env = dict(os.environ)
    env.update(
        TEAMSAPPTESTER_BROWSER="none",  # it would try to open a desktop browser and die
        M365_AGENTS_PLAYGROUND_CONFIG_PATH=str(config_path),
        M365_AGENTS_PLAYGROUND_LOGFILE=str(work_dir / "playground-internal.log"),
        LANG=config.locale.replace("-", "_") + ".UTF-8",  # the Playground's server locale comes from Intl
        LC_ALL=config.locale.replace("-", "_") + ".UTF-8",
        TZ=config.time_zone,
    )
    # The Playground hard-codes en-US in activities; a Danish client is emulated by the locale proxy.
    proxy = None
    endpoint = bot.messages_url
    if config.locale != "en-US":
        proxy = await LocaleProxy(bot.messages_url, config.locale).start()
        endpoint = proxy.url
    args = ["node", str(PLAYGROUND_CLI), "-e", endpoint, "-c", "msteams", "-p", str(port), "--dt"]
    child = await _spawn(f"playground[{config.current.key}]", args, env, work_dir, log_path)
    server = PlaygroundServer(port, config, config_path, child, proxy)
    try:
        server.port = await _wait_listening(child, ready_within)
        await _wait_http_ok(f"http://127.0.0.1:{server.port}/", child, ready_within)
    except BaseException:
        await server.stop()
        raise
    return server


async def _wait_listening(child: Child, within: float) -> int:
    """The CLI falls back to a random port when ours is taken, so read the port it reports."""
    deadline = time.monotonic() + within
    while True:
        child.check_alive()
        text = await asyncio.to_thread(child.log_path.read_text, encoding="utf-8", errors="replace")
        match = LISTENING.search(text)
        if match:
            return int(match.group(1))
        if time.monotonic() > deadline:
            raise HarnessError(f"{child.name} did not listen after {within}s\n{_tail(child.log_path)}")
        await asyncio.sleep(0.05)
