"""The floor for bench_turn_cpu: a framework-free aiohttp bot, the least any Python bot on aiohttp does.

It reads the activity, posts one reply to the connector over a kept-alive session, and answers
200. No authentication (like the app in local mode), no state, no botbuilder.

    .venv/bin/python -m benchmarks.floor_bot PORT
"""

from __future__ import annotations

import sys

import aiohttp
from aiohttp import web


def create_app() -> web.Application:
    app = web.Application()
    session: list[aiohttp.ClientSession] = []

    async def lifecycle(_app: web.Application):  # type: ignore[no-untyped-def]
        session.append(aiohttp.ClientSession())
        yield
        await session[0].close()

    async def messages(request: web.Request) -> web.Response:
        activity = await request.json()
        conversation = activity["conversation"]["id"]
        reply = {
            "type": "message",
            "text": activity.get("text") or "echo",
            "from": activity["recipient"],
            "recipient": activity["from"],
            "conversation": activity["conversation"],
            "replyToId": activity.get("id"),
        }
        url = f"{activity['serviceUrl'].rstrip('/')}/v3/conversations/{conversation}/activities"
        async with session[0].post(url, json=reply) as response:
            await response.read()
        return web.Response(status=200)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app.cleanup_ctx.append(lifecycle)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    web.run_app(create_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
