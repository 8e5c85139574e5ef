"""The yardstick for bench_turn_latency: the least a botbuilder bot does in a turn.

A CloudAdapter bot, unauthenticated like the app in local mode, that answers every message with its
text through the connector before the HTTP response, exactly as the real bot answers. Run as its own
process, the way the app runs:

    .venv/bin/python -m benchmarks.echo_bot PORT
"""

from __future__ import annotations

import sys
from types import SimpleNamespace

from aiohttp import web
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication


class EchoBot(ActivityHandler):  # type: ignore[misc]  # botbuilder ships no type hints
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(MessageFactory.text(turn_context.activity.text or "echo"))


def create_app() -> web.Application:
    config = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        response: web.StreamResponse | None = await adapter.process(request, bot)
        return response or web.Response(status=201)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    web.run_app(create_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
