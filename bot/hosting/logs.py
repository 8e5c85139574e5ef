"""Structured logging with a correlation id per activity.

Log lines are JSON objects so App Service / Log Analytics can query them. Only ids and outcomes
are logged at INFO: never message text, names, e-mails, file names, case facts, conversation ids,
Entra object ids or file hosts (docs/security.md). Where a line must still let an operator see
that two lines concern the same conversation or person, it carries `pseudonym(value)`: a short
keyed hash, stable within a deployment, that cannot be turned back into the id without the key.

An exception's message can hold anything (a URL with a conversation id, a storage name with an
object id), so at INFO and above a traceback shows its types and frames, not its messages; with
LOG_LEVEL=DEBUG the full text is logged.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
import logging
import os
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType

correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="-")

_pseudonym_key = os.urandom(32)  # replaced at start-up by a key derived from the deployment's secrets


def set_pseudonym_key(secret: str) -> None:
    """Derive the pseudonym key from a secret every instance shares (so lines correlate across
    instances); with no secret (local mode) a random key per process is kept."""
    global _pseudonym_key
    if secret:
        _pseudonym_key = hmac.new(secret.encode(), b"kraenkelser log pseudonyms v1", hashlib.sha256).digest()


def pseudonym(value: object) -> str:
    """A short keyed hash of an id for a log line: the same id gives the same 12 characters."""
    digest = hmac.new(_pseudonym_key, str(value).encode(), hashlib.sha256).hexdigest()
    return digest[:12]


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def exception_outline(exc_info: ExcInfo) -> str:
    """A traceback without messages: each exception's type and where it passed, cause first."""
    parts: list[str] = []
    seen: set[int] = set()
    exc: BaseException | None = exc_info[1]
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        frames = traceback.extract_tb(exc.__traceback__)
        where = " <- ".join(f"{os.path.basename(f.filename)}:{f.lineno} {f.name}" for f in reversed(frames))
        parts.append(f"{type(exc).__module__}.{type(exc).__qualname__} at {where or '?'}")
        exc = exc.__cause__ or exc.__context__
    return "\ncaused by ".join(parts)


class JsonFormatter(logging.Formatter):
    def __init__(self, *, full_exceptions: bool = False) -> None:
        super().__init__()
        self.full_exceptions = full_exceptions

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "correlation_id": correlation_id.get(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            line.update(extra)
        if record.exc_info and record.exc_info[1] is not None:
            full = self.full_exceptions or record.levelno < logging.INFO
            line["exc"] = self.formatException(record.exc_info) if full else exception_outline(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str) -> None:
    """Install the JSON formatter on the root logger (idempotent)."""
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_kraenkelser", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(full_exceptions=logging.getLevelName(level) <= logging.DEBUG))
    handler._kraenkelser = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    # Third-party loggers that would print request bodies or tokens at INFO stay quieter.
    for noisy in ("azure", "msal", "msrest", "botframework", "urllib3", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def fields(**kwargs: object) -> dict[str, dict[str, object]]:
    """`log.info("case submitted", extra=fields(case_id=...))` – ids only."""
    return {"fields": dict(kwargs)}
