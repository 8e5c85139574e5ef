"""The msrest speed fixes keep exactly what msrest produces.

The retry codes are compared with msrest's own definition; the (de)serialisation of activities,
cards and references with what unpatched msrest gives for the same input, computed in a fresh
interpreter (the fixes patch msrest's classes for the whole process, as the app does).
"""

from __future__ import annotations

import enum
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
    Mention,
)
from botframework.connector import models
from msrest import Deserializer, Serializer
from msrest.universal_http.requests import ClientRetryPolicy

from bot.teams.activities import card_activity
from bot.teams.msrest_patch import speed_up_msrest, speed_up_msrest_retry_policy
from bot.texts import Texts
from cards.help import Audience, help_card


def test_same_status_codes_after_the_fix() -> None:
    speed_up_msrest_retry_policy()
    assert isinstance(ClientRetryPolicy.safe_codes, frozenset)
    # msrest's own definition: retry on every code that is not "safe" (below 500 except 408, 501, 505).
    safe = [i for i in range(500) if i != 408] + [501, 505]
    assert ClientRetryPolicy().policy.status_forcelist == [i for i in range(999) if i not in safe]


class Colour(enum.StrEnum):  # a str subclass (like our Verb): msrest has its own way with it, kept
    RED = "red"


class Size(enum.IntEnum):
    BIG = 3


def samples() -> list[Any]:
    """Everything msrest (de)serialises on our turns, and the odd types it treats specially."""
    client_models = {k: v for k, v in models.__dict__.items() if isinstance(v, type)}
    # msrest has no annotations: its (de)serialisers are Any here.
    serializer: Any = Serializer(client_models)  # type: ignore[no-untyped-call]
    deserializer: Any = Deserializer(client_models)  # type: ignore[no-untyped-call]
    card = card_activity(help_card(Texts("da"), Audience(leader=True, hr=True, channel=False), "Bot"), text="hej")
    card.conversation = ConversationAccount(id="a:1", conversation_type="personal", tenant_id="t")
    card.from_property = ChannelAccount(id="28:bot", name="Bot")
    card.recipient = ChannelAccount(id="29:u", name="Ulla", aad_object_id="u-1")
    odd = Activity(
        type=ActivityTypes.message,
        timestamp=datetime(2026, 11, 30, 12, 0, 5, 123000, tzinfo=UTC),
        text="æøå",
        channel_data={
            "tenant": {"id": "t"},
            "n": 3,
            "f": 1.5,
            "b": True,
            "none": None,
            "list": [1, "x", None, False, 2.25, {"deep": ["y"]}],
            "enum": Colour.RED,
            "int_enum": Size.BIG,
            7: "an int key",
            "when": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        },
        value={"verb": Colour.RED, "case_id": "abc", "count": 2},
        entities=[Mention(mentioned=ChannelAccount(id="28:bot", name="Bot"), text="<at>Bot</at>", type="mention")],
        attachments=[Attachment(content_type="application/json", content=[1, {"a": None}])],
        local_timezone="Europe/Copenhagen",
    )
    incoming = {
        "type": "message",
        "id": "m-1",
        "timestamp": "2026-11-30T12:00:00.000Z",
        "channelId": "msteams",
        "serviceUrl": "https://smba.example/emea/",
        "from": {"id": "29:u", "name": "Ulla", "aadObjectId": "u-1"},
        "recipient": {"id": "28:bot", "name": "Bot"},
        "conversation": {"id": "a:1", "conversationType": "personal", "tenantId": "t"},
        "channelData": {"tenant": {"id": "t"}, "legacy": 1},
        "value": {"verb": "report_form", "outside_hours": "true", "n": 4, "f": 0.5, "b": False, "l": [None]},
        "attachments": [{"contentType": "image/png", "contentUrl": "https://x/y.png", "name": "s.png"}],
        "unknownField": {"kept": "or not"},
        "locale": "da-DK",
    }
    reference = ConversationReference.deserialize(
        {
            "activityId": "m-1",
            "user": {"id": "29:u", "aadObjectId": "u-1"},
            "bot": {"id": "28:bot"},
            "conversation": {"id": "a:1", "conversationType": "personal", "tenantId": "t", "isGroup": False},
            "channelId": "msteams",
            "serviceUrl": "https://smba.example/emea/",
        }
    )
    proactive = {"type": "message", "text": "x", "attachments": [card.attachments[0].serialize()]}
    return [
        serializer.body(card, "Activity"),
        serializer.body(odd, "Activity"),
        serializer.body({"type": "message", "text": "from a dict", "channelData": {"x": [1]}}, "Activity"),
        card.serialize(),
        odd.as_dict(),
        Activity().deserialize(incoming).serialize(),
        Activity.deserialize(proactive).serialize(),
        deserializer("Activity", incoming).as_dict(keep_readonly=True),
        deserializer("ResourceResponse", {"id": "1:42"}).id,
        reference.serialize(),
        serializer.serialize_data("12", "int"),
        serializer.serialize_data(True, "bool"),
        serializer.serialize_data(2, "float"),
        deserializer.deserialize_data("12", "int"),
        deserializer.deserialize_data("true", "bool"),
        deserializer.deserialize_data(3, "str"),
    ]


def dump() -> str:
    return json.dumps(samples(), sort_keys=True, default=repr, ensure_ascii=False)


def test_serialisation_is_what_plain_msrest_gives() -> None:
    plain = subprocess.run(
        [sys.executable, "-c", "from tests.unit.test_msrest_patch import dump; print(dump())"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout.strip()
    speed_up_msrest()
    speed_up_msrest()  # idempotent: a second start-up in the same process patches nothing twice
    assert dump() == plain
    # msrest's own quirks for subclasses of str and int and for other keys, kept as they were.
    assert '"enum": "red"' in plain and '"int_enum": "3"' in plain and '"7": "an int key"' in plain
