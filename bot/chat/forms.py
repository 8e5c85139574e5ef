"""Typed payloads of the cards that employees fill in.

`ReportForm` is what the report card shows and what comes back. `from_payload` keeps only the
known inputs, as bounded strings: a hostile payload stays harmless. Semantic validation
(required, not in the future, http(s) link, valid choices) is bot/services/reports.py's job.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

MAX_DESCRIPTION = 4000
MAX_OFFENDER = 200
MAX_LINK = 2048
_LIMITS = {"description": MAX_DESCRIPTION, "offender": MAX_OFFENDER, "link": MAX_LINK}


@dataclass(frozen=True)
class ReportForm:
    category: str = ""
    description: str = ""
    date: str = ""  # YYYY-MM-DD, local time
    time: str = ""  # HH:MM, local time
    platform: str = ""
    link: str = ""
    offender: str = ""
    outside_hours: bool = False
    family: bool = False

    @classmethod
    def from_payload(cls, data: Any) -> ReportForm:
        """Keep only known inputs, as strings of bounded length (a hostile payload stays harmless)."""
        if not isinstance(data, dict):
            return cls()

        def s(key: str) -> str:
            value = data.get(key)
            if not isinstance(value, str):
                return ""
            return value.strip()[: _LIMITS.get(key, 100) + 1]  # +1 so "too long" is still detectable

        def b(key: str) -> bool:
            return data.get(key) in (True, "true", "True")

        return cls(
            s("category"),
            s("description"),
            s("date"),
            s("time"),
            s("platform"),
            s("link"),
            s("offender"),
            b("outside_hours"),
            b("family"),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
