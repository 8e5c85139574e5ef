"""Malformed input never gives a 500, and the chat stays usable afterwards.

A hand-written corpus of the shapes that broke the bot (a case id that is no storage name, wrong
types where botbuilder's model reads, missing fields, nesting, huge strings, control and bidi
characters), and a seeded mutation fuzzer over valid activities, all posted over HTTP to the
running app. Every answer must be 2xx or 4xx, no turn may fail (no ERROR log line), and a normal
`hjælp` still gets the welcome card.
"""

from __future__ import annotations

import copy
import json
import logging
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.bot.conftest import EMPLOYEE, LEADER
from tests.bot.test_report_dialog import GOOD_FORM
from tests.hostile.harness import Bot, hostile_app

SEED = 20261130
HOSTILE_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "\u2066\u2067\u2068\u2069",
    "\ufeff",
    "\ud7ff\ue000",
    "../../etc/passwd",
    "KH-٢٠٢٦-٠٠٠١",
    "١٢٣",
    "x" * 100_000,
    "<at>" * 5_000,
    "[klik](https://evil.example)",
    "%00%2e%2e",
    "null",
    "NaN",
    "🙂" * 1000,
]
HOSTILE_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**63,
    1.5e308,
    [],
    {},
    [None],
    {"": None},
    [[[[[]]]]],
    *HOSTILE_STRINGS,
]


def invoke(bot: Bot, verb: str, data: Any, user: str = EMPLOYEE) -> dict[str, Any]:
    value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
    return bot.activity(user, kind="invoke", value=value) | {"name": "adaptiveCard/action"}


def handwritten(bot: Bot, case_id: str) -> Iterator[tuple[str, Any]]:
    """(what, body) pairs; a str body is sent as raw bytes."""
    base = bot.activity(text="hjælp")
    yield "deep nesting", '{"type":"message","value":' + "[" * 100_000 + "]" * 100_000 + "}"
    yield "not json", "{"
    yield "not utf-8", b'{"type": "message", "text": "\xff\xfe"}'
    yield "a list", "[]"
    yield "a number", "5"
    yield "null", "null"
    yield "no type", {k: v for k, v in base.items() if k != "type"}
    yield "type is a number", {**base, "type": 5}
    yield "unknown type", {**base, "type": "somethingElse"}
    for field in ("from", "conversation", "serviceUrl", "recipient", "channelData", "id", "locale", "text"):
        yield f"{field} missing", {k: v for k, v in base.items() if k != field}
        bad: object
        for bad in ("x", 5, [], {"id": 5}, None):
            yield f"{field} = {bad!r}", {**base, field: bad}
    yield "serviceUrl not http", {**base, "serviceUrl": "javascript:alert(1)"}
    yield "aadObjectId not a GUID", {**base, "from": {"id": "29:x", "aadObjectId": "../../etc/passwd"}}
    yield "aadObjectId huge", {**base, "from": {"id": "29:x", "aadObjectId": "a" * 100_000}}
    yield "name huge", {**base, "from": {**base["from"], "name": "N" * 100_000}}
    yield "name a number", {**base, "from": {**base["from"], "name": 5}}
    yield "timestamp not a date", {**base, "timestamp": "yesterday"}
    yield "entities not a list", {**base, "entities": "x"}
    yield "attachments an object", {**base, "attachments": {"a": 1}}
    yield "attachments strings", {**base, "attachments": ["x", 1]}
    yield "attachment type a number", {**base, "attachments": [{"contentType": 5}]}
    yield "attachment without url", {**base, "attachments": [{"contentType": "image/png"}]}
    yield "membersAdded text", {**bot.activity(kind="conversationUpdate"), "membersAdded": "x"}
    yield "membersAdded numbers", {**bot.activity(kind="conversationUpdate"), "membersAdded": [1, {"id": 5}]}
    yield "reactions text", {**bot.activity(kind="messageReaction"), "reactionsAdded": "x"}
    yield "installationUpdate odd", {**bot.activity(kind="installationUpdate"), "action": 5}
    yield "invoke without name", bot.activity(kind="invoke", value={})
    yield "invoke name a number", {**bot.activity(kind="invoke", value={}), "name": 5}
    yield "unknown invoke", {**bot.activity(kind="invoke", value={}), "name": "task/fetch"}
    yield "text with controls", bot.activity(text="\x00\x07\x1b[31m\u202ehjælp\u2066")
    yield "text huge", bot.activity(text="rapportér " * 50_000)
    yield "value a string", bot.activity(value="report")
    yield "value a list", bot.activity(value=["report"])
    yield "form with wrong types", bot.activity(value={**GOOD_FORM, "category": ["x"], "date": 5, "time": {}})
    yield "form huge", bot.activity(value={**GOOD_FORM, "description": "x" * 500_000})
    for verb in ("refresh_case", "history", "evidence_list", "hr_open_case", "decide"):
        for bad_id in ["../x", "KH-٢٠٢٦", "a\x00b", "a" * 5_000, "", "a/b", ".hidden", 5, None, ["x"]]:
            yield f"{verb} case_id={str(bad_id)[:12]!r}", invoke(bot, verb, {"case_id": bad_id, "action": "close"})
        yield f"{verb} data a list", invoke(bot, verb, [case_id])
        yield f"{verb} data a string", invoke(bot, verb, case_id)
    for action in (5, ["close"], None, "drop_tables", "x" * 10_000):
        yield (
            f"decide action={str(action)[:10]!r}",
            invoke(bot, "decide", {"case_id": case_id, "action": action}, LEADER),
        )
    yield (
        "decide note huge",
        invoke(
            bot, "decide", {"case_id": case_id, "action": "removal_requested", "removal_note": "x" * 600_000}, LEADER
        ),
    )
    yield "verb a number", invoke(bot, 5, {"case_id": case_id})  # type: ignore[arg-type]
    yield "action a list", bot.activity(kind="invoke", value={"action": ["x"]}) | {"name": "adaptiveCard/action"}
    yield "med invoke odd", invoke(bot, "med_agenda", {"period": ["x"], "meeting_date": 5})


def mutate(body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Replace one to three values anywhere in the activity with hostile ones."""
    out = copy.deepcopy(body)
    for _ in range(rng.randint(1, 3)):
        node: Any = out
        path: list[Any] = []
        while isinstance(node, (dict, list)) and node and (not path or rng.random() < 0.6):
            key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
            path.append((node, key))
            node = node[key]
        if path:
            parent, key = path[-1]
            parent[key] = copy.deepcopy(rng.choice(HOSTILE_VALUES))
    return out


def seeds(bot: Bot, case_id: str) -> list[dict[str, Any]]:
    return [
        bot.activity(text="hjælp"),
        bot.activity(text="mine sager"),
        bot.activity(value=GOOD_FORM),
        bot.activity(value={"verb": "add_evidence", "case_id": case_id}),
        invoke(bot, "refresh_case", {"case_id": case_id}, LEADER),
        invoke(bot, "decide", {"case_id": case_id, "action": "removal_requested", "removal_note": "x"}, LEADER),
        bot.activity(kind="conversationUpdate") | {"membersAdded": [{"id": "28:bot"}]},
    ]


async def post_any(bot: Bot, body: Any) -> int:
    if isinstance(body, (str, bytes)):
        return (await bot.post(body, raw=True)).status
    data = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return (await bot.post(data, raw=True)).status


def assert_usable(answers: list[tuple[str, int]], caplog: pytest.LogCaptureFixture) -> None:
    bad = [(what, status) for what, status in answers if not (200 <= status < 500)]
    assert bad == []
    failed = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failed == [], [(r.getMessage(), getattr(r, "fields", None)) for r in failed]


async def test_the_handwritten_corpus_gets_2xx_or_4xx_and_the_chat_stays_usable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with hostile_app(tmp_path) as bot:
        case = await bot.report()
        caplog.set_level(logging.INFO)
        answers = [(what, await post_any(bot, body)) for what, body in handwritten(bot, case.id)]
        assert len(answers) > 120
        assert_usable(answers, caplog)
        assert "Det kan du skrive til mig" in (await bot.say(text="hjælp")).text
        assert case.number in (await bot.say(text="mine sager")).text
        assert (await bot.runtime.cases.get(case.id)).case == case  # nothing forged got through


async def test_mutated_activities_get_2xx_or_4xx_and_the_chat_stays_usable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(SEED)
    async with hostile_app(tmp_path) as bot:
        case = await bot.report()
        caplog.set_level(logging.INFO)
        answers = []
        for n in range(300):
            body = mutate(rng.choice(seeds(bot, case.id)), rng)
            answers.append((f"#{n}", await post_any(bot, body)))
        assert_usable(answers, caplog)
        assert {s for _, s in answers} & {200, 201} and {s for _, s in answers} & {400}  # both kinds were hit
        await bot.say(text="annuller")  # a mutated form may have begun a report
        assert "Det kan du skrive til mig" in (await bot.say(text="hjælp")).text
