"""What an activity must look like before botbuilder sees it: the fields the bot reads, with the
types Teams sends. Anything else is a 400, so a malformed request never becomes a failed turn (a
500, an apology, an ERROR log line) and never reaches the store.

Only shape and size are checked here; what the values mean (a case id, a verb, a form) is checked
where it is used. Pure: tested in tests/hostile/test_malformed_corpus.py over HTTP.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

MAX_DEPTH = 32  # Teams' activities nest about 6 deep; card data a few more
MAX_ID = 1024  # conversation ids with ";messageid=..." are long, but not this long
MAX_SHORT = 256
# Teams' ids are printable ASCII ("a:1Jx…", "19:…@thread.tacv2;messageid=…"); botbuilder puts the
# conversation id in an HTTP header of its reply, where anything else fails the turn.
_ID = re.compile(r"[\x21-\x7e]+")


def _problem_of_id(value: Any, where: str, *, required: bool = False) -> str | None:
    problem = _problem_of_str(value, where, required=required)
    if problem is None and value and not _ID.fullmatch(value):
        return f"{where} is not printable ASCII"
    return problem


def _problem_of_str(value: Any, where: str, *, required: bool = False, limit: int = MAX_ID) -> str | None:
    if value is None:
        return f"{where} missing" if required else None
    if not isinstance(value, str):
        return f"{where} is not text"
    if len(value) > limit:
        return f"{where} too long"
    if required and not value:
        return f"{where} empty"
    return None


def _problem_of_dict(value: Any, where: str, *, required: bool = False) -> str | None:
    if value is None:
        return f"{where} missing" if required else None
    return None if isinstance(value, dict) else f"{where} is not an object"


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _account_problem(account: Any, where: str, *, required: bool) -> str | None:
    problem = _problem_of_dict(account, where, required=required)
    if problem or account is None:
        return problem
    aad = account.get("aadObjectId")
    if isinstance(aad, str) and aad and not _is_guid(aad):
        return f"{where}.aadObjectId is not a GUID"
    return (
        _problem_of_id(account.get("id"), f"{where}.id", required=required)
        or _problem_of_str(aad, f"{where}.aadObjectId", limit=64)
        or _problem_of_str(account.get("name"), f"{where}.name", limit=64 * 1024)
    )


def _list_of_objects_problem(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        return f"{where} is not a list of objects"
    return None


def _depth_problem(body: Any) -> str | None:
    """Iterative, so a hostile nesting cannot exhaust the stack here either."""
    stack: list[tuple[Any, int]] = [(body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return "nested too deeply"
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values() if isinstance(child, (dict, list)))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node if isinstance(child, (dict, list)))
    return None


def activity_problem(body: Any) -> str | None:
    """Why `body` is not an activity the bot can handle, or None when it has the right shape."""
    if not isinstance(body, dict):
        return "not an object"
    problem = _depth_problem(body) or _problem_of_str(body.get("type"), "type", required=True, limit=64)
    if problem:
        return problem
    service_url = body.get("serviceUrl")
    problem = _problem_of_str(service_url, "serviceUrl", required=True, limit=2048)
    if problem:
        return problem
    if not str(service_url).lower().startswith(("https://", "http://")):
        return "serviceUrl is not an http(s) URL"
    conversation = body.get("conversation")
    problem = (
        _problem_of_id(body.get("id"), "id")
        or _problem_of_id(body.get("replyToId"), "replyToId")
        or _problem_of_str(body.get("name"), "name", limit=MAX_SHORT)
        or _problem_of_str(body.get("locale"), "locale", limit=64)
        or _problem_of_str(body.get("text"), "text", limit=1024 * 1024)
        or _problem_of_id(body.get("channelId"), "channelId", required=True)
        or _account_problem(body.get("from"), "from", required=True)
        or _account_problem(body.get("recipient"), "recipient", required=False)
        or _problem_of_dict(conversation, "conversation", required=True)
        or _problem_of_dict(body.get("channelData"), "channelData")
        or _list_of_objects_problem(body.get("attachments"), "attachments")
        or _list_of_objects_problem(body.get("entities"), "entities")
        or _list_of_objects_problem(body.get("membersAdded"), "membersAdded")
        or _list_of_objects_problem(body.get("membersRemoved"), "membersRemoved")
    )
    if problem:
        return problem
    assert isinstance(conversation, dict)
    problem = (
        _problem_of_id(conversation.get("id"), "conversation.id", required=True)
        or _problem_of_str(conversation.get("conversationType"), "conversation.conversationType", limit=64)
        or _problem_of_str(conversation.get("tenantId"), "conversation.tenantId", limit=64)
    )
    if problem:
        return problem
    if conversation.get("isGroup") is not None and not isinstance(conversation.get("isGroup"), bool):
        return "conversation.isGroup is not true or false"
    for item in body.get("attachments") or []:
        problem = _problem_of_str(item.get("contentType"), "attachments.contentType", limit=MAX_SHORT) or (
            _problem_of_str(item.get("contentUrl"), "attachments.contentUrl", limit=8192)
            or _problem_of_str(item.get("name"), "attachments.name", limit=4096)
        )
        if problem:
            return problem
    for member in [*(body.get("membersAdded") or []), *(body.get("membersRemoved") or [])]:
        problem = _account_problem(member, "member", required=True)
        if problem:
            return problem
    return None
