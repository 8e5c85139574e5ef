"""Small validators shared by the model and the decisions; each raises InvalidDecision."""

from __future__ import annotations

import re
from datetime import datetime

from bot.guideline.errors import InvalidDecision

_SHA256 = re.compile(r"[0-9a-f]{64}")


def text(value: object, field: str, max_len: int) -> str:
    """A required text: stripped, non-empty, at most `max_len` characters."""
    if not isinstance(value, str):
        raise InvalidDecision(field, "not_text")
    cleaned = value.strip()
    if not cleaned:
        raise InvalidDecision(field, "empty")
    if len(cleaned) > max_len:
        raise InvalidDecision(field, "too_long")
    return cleaned


def optional_text(value: object, field: str, max_len: int) -> str | None:
    """An optional text: None or blank becomes None, otherwise as `text`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return text(value, field, max_len)


def aware(value: object, field: str) -> datetime:
    """A timezone-aware datetime."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidDecision(field, "not_aware_datetime")
    return value


def sha256_hex(value: object, field: str) -> str:
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise InvalidDecision(field, "invalid_format")
    return value
