"""Structured logging with a correlation id per activity.

Log lines are JSON objects so App Service / Log Analytics can query them. Only ids and outcomes
are logged at INFO: never message text, names or case facts (see the security model).
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime

correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="-")


class JsonFormatter(logging.Formatter):
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
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str) -> None:
    """Install the JSON formatter on the root logger (idempotent)."""
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_kraenkelser", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._kraenkelser = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    # Third-party loggers that would print request bodies or tokens at INFO stay quieter.
    for noisy in ("azure", "msal", "msrest", "botframework", "urllib3", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def fields(**kwargs: object) -> dict[str, dict[str, object]]:
    """`log.info("case submitted", extra=fields(case_id=...))` – ids only."""
    return {"fields": dict(kwargs)}
