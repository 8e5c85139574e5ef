"""Telemetry carries no personal data: a whole report over HTTP, then every span and metric is read.

The app's spans and metrics go to OpenTelemetry's global providers; here those are in-memory
ones (set once per process, as the distro would in production), so what Application Insights
would receive is exactly what this test reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.hosting.settings import Settings
from bot.storage.local import LocalStore
from tests.bot.test_report_dialog import GOOD_FORM
from tests.conftest import running_app
from tests.fakes.connector import FakeConnector
from tests.hostile.telemetry_capture import Exporters, everything_exported

EMPLOYEE = "00000000-0000-0000-0000-00000000e7e7"
LEADER = "00000000-0000-0000-0000-00000000a7a7"
CHAT = "a:personal-chat-telemetry"
SECRET_WORDS = "Hemmeligt-Ord-Q7"
NAMES = ("Mette Medarbejder", "Lene Leder", "Borgerservice")


def activity(
    service_url: str, n: int, *, text: str | None = None, value: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "message",
        "id": f"act-{n}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "locale": "da-DK",
        "from": {"id": "29:user", "aadObjectId": EMPLOYEE, "name": NAMES[0]},
        "recipient": {"id": "28:bot", "name": "Bot"},
        "conversation": {"id": CHAT, "conversationType": "personal", "tenantId": "t"},
    }
    if text is not None:
        body["text"] = text
    if value is not None:
        body["value"] = value
    return body


async def test_a_report_leaves_no_personal_data_in_spans_or_metrics(tmp_path: Path, exporters: Exporters) -> None:
    leaders = tmp_path / "leaders.csv"
    leaders.write_text(
        "employee_aad_object_id,employee_name,leader_aad_object_id,leader_name,unit\n"
        f"{EMPLOYEE},{NAMES[0]},{LEADER},{NAMES[1]},{NAMES[2]}\n",
        encoding="utf-8",
    )
    settings = Settings.from_env({"DATA_DIR": str(tmp_path / "data"), "LEADER_DIRECTORY_FILE": str(leaders)})
    store = LocalStore(tmp_path / "data")
    form = dict(GOOD_FORM, description=f"{SECRET_WORDS} skrev noget grimt", offender="Profilen Sandhedsvidne")
    async with FakeConnector() as connector, running_app(settings, store=store) as client:
        url = connector.service_url
        steps = [
            activity(url, 1, text="rapportér"),
            activity(url, 2, value=form),
            # A screenshot from a host that is not allowed: refused, and counted by reason only.
            dict(
                activity(url, 6),
                attachments=[
                    {
                        "contentType": "image/png",
                        "contentUrl": f"https://files.example.net/{SECRET_WORDS}/x.png",
                        "name": f"{SECRET_WORDS}.png",
                    }
                ],
            ),
            activity(url, 3, text="færdig"),
            activity(url, 4, value={"verb": "review_submit"}),
            activity(url, 5, text="mine sager"),
        ]
        for step in steps:
            assert (await client.post("/api/messages", json=step)).status in (200, 201)
        # The leader's card goes out in the background after the answer: wait for its span.
        for _ in range(200):
            if any(s.name.startswith("bot-connector") for s in exporters.spans.get_finished_spans()):
                break
            await __import__("asyncio").sleep(0.02)
        assert (await client.get("/readyz")).status in (200, 503)
    await store.close()

    exported = everything_exported(exporters)
    names = {s.name for s in exporters.spans.get_finished_spans()}
    assert "POST /api/messages" in names  # incoming requests are traced, by route template
    assert any(n.startswith("bot-connector") for n in names)  # and the proactive delivery
    metric_names = {line for line in exported if line.startswith(("cases.", "http.", "connector.", "evidence."))}
    assert {"http.requests", "cases.opened"} <= metric_names
    assert "evidence.refused" in exported  # counted, with the reason as its only attribute
    case_files = [p.stem for p in (tmp_path / "data").rglob("*.json") if "cases" in p.parts]
    assert case_files, "the report was saved"
    forbidden = [EMPLOYEE, LEADER, CHAT, SECRET_WORDS, "Sandhedsvidne", *NAMES, *case_files, "KH-"]
    leaks = [(word, line) for line in exported for word in forbidden if word.lower() in line.lower()]
    assert not leaks, leaks


async def test_outgoing_calls_are_spans_named_by_category_never_by_url(exporters: Exporters) -> None:
    import aiohttp
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from bot.hosting.telemetry import METRICS, client_trace_config

    async def manager(_request: web.Request) -> web.Response:
        return web.json_response({}, status=404)

    app = web.Application()
    app.router.add_get("/users/{id}/manager", manager)
    async with (
        TestServer(app, host="127.0.0.1") as server,
        aiohttp.ClientSession(trace_configs=[client_trace_config(METRICS)]) as session,
        session.get(server.make_url(f"/users/{EMPLOYEE}/manager")) as response,
    ):
        assert response.status == 404
    [span] = [s for s in exporters.spans.get_finished_spans() if s.name.startswith("local")]
    assert span.name == "local GET" and (span.attributes or {})["http.response.status_code"] == 404
    assert not [line for line in everything_exported(exporters) if EMPLOYEE in line]


async def test_an_authenticated_request_s_token_never_reaches_telemetry(tmp_path: Path, exporters: Exporters) -> None:
    """Authenticated mode (a Bot Framework JWT checked against the local OpenID fake): the token,
    accepted or refused, and the user and chat it came with are in no span or metric."""
    from tests.bot.test_auth import APP_ID, SERVICE_URL, USER, bearer, settings_for, typing_activity
    from tests.fakes.openid import new_key, openid_fake

    with openid_fake() as idp:
        good = idp.token(audience=APP_ID, service_url=SERVICE_URL)
        forged = idp.token(audience=APP_ID, service_url=SERVICE_URL, key=new_key())
        store = LocalStore(tmp_path / "data")
        async with running_app(settings_for(idp, tmp_path / "data"), store=store) as client:
            statuses = []
            for token in (good, forged):
                response = await client.post("/api/messages", json=typing_activity(), headers=bearer(token))
                statuses.append(response.status)
        await store.close()
    assert statuses[0] in (200, 201) and statuses[1] == 401
    served = [s for s in exporters.finished() if s.name == "POST /api/messages"]
    assert {(s.attributes or {}).get("http.response.status_code") for s in served} >= {401}
    exported = everything_exported(exporters)
    forbidden = [good, forged, good.split(".")[2], forged.split(".")[2], USER, "a:personal-chat", SERVICE_URL]
    assert not [(word, line) for line in exported for word in forbidden if word in line]
