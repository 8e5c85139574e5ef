"""Start Microsoft's Azurite blob emulator for tests, on a free loopback port.

Use `running_azurite()` (sync, fits a session fixture) or `azurite_async()`. Both yield the
connection string for the well-known development account (public, test-only). If Azurite cannot
start, they raise: a blob test must fail, never skip.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
AZURITE_BLOB = REPO_ROOT / "node_modules" / ".bin" / "azurite-blob"
DEV_ACCOUNT = "devstoreaccount1"
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def connection_string(port: int) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={DEV_ACCOUNT};AccountKey={DEV_KEY};"
        f"BlobEndpoint=http://127.0.0.1:{port}/{DEV_ACCOUNT};"
    )


def _port_answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


class AzuriteError(RuntimeError):
    pass


@contextlib.contextmanager
def running_azurite(
    timeout: float = 30.0,
    extra_args: Sequence[str] = (),
    preload: Path | None = None,
    location: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Run azurite-blob in a temp folder; yield its connection string; stop it afterwards.
    `extra_args` go to azurite-blob as given (a benchmark's `--inMemoryPersistence`); `preload` is
    a script Node loads first (`--require`: a benchmark's correction of the emulator); `location`
    a data folder that outlives the emulator (a benchmark's seeded store), `env` more variables."""
    if not AZURITE_BLOB.exists():
        raise AzuriteError(f"{AZURITE_BLOB} is missing: run npm ci")
    port = free_port()
    with contextlib.ExitStack() as folders:
        if location is None:
            location = Path(folders.enter_context(tempfile.TemporaryDirectory(prefix="azurite-")))
        command = [
            str(AZURITE_BLOB),
            "--blobHost", "127.0.0.1",
            "--blobPort", str(port),
            "--skipApiVersionCheck",
            "--silent",
            *extra_args,
        ]  # fmt: skip
        if "--inMemoryPersistence" not in extra_args:  # Azurite refuses a location with it
            command += ["--location", str(location)]
        log_path = Path(location) / "azurite.out"
        with log_path.open("wb") as log:
            variables = {**os.environ, **(env or {})}
            if preload is not None:
                variables["NODE_OPTIONS"] = f"{os.environ.get('NODE_OPTIONS', '')} --require {preload}".strip()
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, env=variables)
            try:
                deadline = time.monotonic() + timeout
                while not _port_answers(port):
                    if process.poll() is not None or time.monotonic() > deadline:
                        output = log_path.read_text(errors="replace")[-2000:]
                        raise AzuriteError(f"Azurite did not start (exit {process.returncode}): {output}")
                    time.sleep(0.1)
                yield connection_string(port)
            finally:
                # Azurite's graceful stop waits out Node's 5 s keep-alive timeout; its data is
                # throw-away, so give it a moment and then kill it.
                process.terminate()
                try:
                    process.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)


@contextlib.asynccontextmanager
async def azurite_async(
    start_timeout: float = 30.0, extra_args: Sequence[str] = (), preload: Path | None = None
) -> AsyncIterator[str]:
    """The same, for async code: the blocking start and stop run in a worker thread."""
    manager = running_azurite(start_timeout, extra_args, preload)
    conn = await asyncio.to_thread(manager.__enter__)
    try:
        yield conn
    finally:
        await asyncio.to_thread(manager.__exit__, None, None, None)
