"""The blob SDK's aiohttp transport with a dependency span per request, named "blob" only.

The Azure SDK's own OpenTelemetry spans are off (telemetry.py): they carry the blob URL, and a blob
name holds a case id or an Entra object id. This transport opens the SDK's aiohttp session with our
trace config instead, which records the category, the method and the status, never the URL. With
no telemetry configured the span calls are OpenTelemetry's no-ops.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from azure.core.pipeline.transport import AioHttpTransport

from bot.hosting.telemetry import METRICS, client_trace_config

# The storage SDK's own defaults when it builds its transport (azure.storage.blob._shared.constants).
_TIMEOUTS: dict[str, Any] = {"connection_timeout": 20, "read_timeout": 60, "connection_data_block_size": 256 * 1024}


def _blob(_host: str | None) -> str:
    return "blob"


class TracedBlobTransport(AioHttpTransport):  # type: ignore[misc]
    def __init__(self, *, trust_env: bool = False) -> None:
        super().__init__(use_env_settings=trust_env, **_TIMEOUTS)
        self._trust_env = trust_env

    async def open(self) -> None:
        if getattr(self, "session", None) is None and not self._has_been_opened:
            # What the SDK's transport builds, plus the trace config.
            self.session = aiohttp.ClientSession(
                trust_env=self._trust_env,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                trace_configs=[client_trace_config(METRICS, _blob)],
            )
        await super().open()
