"""One typed settings object, read once and strictly from the environment (optionally `.env`).

A missing or malformed value stops start-up with a `SettingsError` that names the variable.
Secrets are wrapped in `Secret`, whose repr never shows the value, so a settings object can be
logged. Every variable is documented in `.env.example`.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SettingsError(ValueError):
    """A setting is missing or malformed. The message names the variable."""


class Secret:
    """A string that hides itself in repr/str; call `reveal()` where the value is really needed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


APP_TYPES = ("SingleTenant", "UserAssignedMSI", "MultiTenant")
LANGUAGES = ("da", "en")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_OFFICE_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
# Grundlovsdag, Juleaftensdag, Nytårsaftensdag: days off by agreement (the statutory holidays are computed).
DEFAULT_EXTRA_HOLIDAYS: tuple[tuple[int, int], ...] = ((6, 5), (12, 24), (12, 31))


@dataclass(frozen=True)
class Settings:
    # Bot registration. Empty app id = local unauthenticated mode (loopback only).
    app_id: str = ""
    app_password: Secret = field(default_factory=lambda: Secret(""))
    app_type: str = "SingleTenant"
    app_tenant_id: str = ""
    # Hosting
    port: int = 3978
    host: str = ""  # derived when empty: 0.0.0.0 with an app id, else 127.0.0.1
    log_level: str = "INFO"
    # Diagnostics: a tracemalloc sample appended to this file every so many seconds (empty = off).
    memory_trace_file: Path | None = None
    memory_trace_seconds: int = 60
    malloc_trim_seconds: int = 60  # 0: never (bot/hosting/malloc.py: Trimmer)
    # Application Insights (OpenTelemetry through the Azure Monitor distro); empty = nothing sent.
    applicationinsights_connection_string: Secret = field(default_factory=lambda: Secret(""))
    # Storage
    storage_connection_string: Secret = field(default_factory=lambda: Secret(""))
    storage_account_url: str = ""
    storage_container: str = "kraenkelser"
    data_dir: Path = Path("data")
    # People
    leader_directory_file: Path | None = None
    graph_enabled: bool = False
    graph_base_url: str = "https://graph.microsoft.com"
    login_authority_host: str = "https://login.microsoftonline.com"
    hr_aad_object_ids: frozenset[str] = frozenset()
    hr_group_id: str = ""
    admin_aad_object_ids: frozenset[str] = frozenset()
    # Guideline and calendar
    time_zone: str = "Europe/Copenhagen"
    default_language: str = "da"
    immediate_deadline_working_days: int = 1
    office_hours: tuple[time, time] = (time(8, 0), time(16, 0))
    ack_working_hours: int = 2
    extra_holidays: tuple[tuple[int, int], ...] = DEFAULT_EXTRA_HOLIDAYS
    escalate_after_days: int = 3
    checkin_after_followup_days: int = 1
    draft_ttl_hours: int = 72
    undelivered_alert_minutes: int = 60
    med_reminder_dates: tuple[tuple[int, int], ...] = ((3, 1), (9, 1))
    med_followup_weeks: int = 4
    med_anonymity_threshold: int = 3
    # Evidence
    evidence_max_bytes: int = 25 * 1024 * 1024
    evidence_allowed_hosts: tuple[str, ...] = ()  # extra host suffixes beside the built-in Microsoft list
    evidence_dev_origins: tuple[str, ...] = ()  # local mode only: exact origins, e.g. http://127.0.0.1:8123
    evidence_files_per_message: int = 10  # more in one message are refused before any download
    evidence_turn_budget_ms: int = 5000  # then "receiving…" and the answers follow proactively
    retention_days: int = 730  # days after closing before a case is deleted; 0 = keep (see bot/guideline/retention.py)
    med_retention_days: int = 1825  # days after a MED period ended before its records are deleted; 0 = keep
    public_base_url: str = ""  # where signed evidence links point
    evidence_link_key: Secret = field(default_factory=lambda: Secret(""))  # shared by all instances
    evidence_pack_link_minutes: int = 60  # how long the links to an evidence pack work
    takedown_routes_file: Path | None = None  # the municipality's own routes; None = bot/takedown/routes.toml
    removal_recheck_days: int = 3  # days after a takedown request before the leader is asked if it is gone
    # Test seams, never set in production: where botbuilder fetches OpenID metadata for JWT checks.
    openid_metadata_url: str = ""
    token_issuer: str = ""

    @property
    def authenticated(self) -> bool:
        return bool(self.app_id)

    @property
    def bind_host(self) -> str:
        if self.host:
            return self.host
        return "0.0.0.0" if self.authenticated else "127.0.0.1"

    @property
    def base_url(self) -> str:
        return self.public_base_url or f"http://127.0.0.1:{self.port}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from a mapping of variables (os.environ, merged with `.env` by the caller)."""
        r = _Reader(env)
        settings = cls(
            app_id=r.guid_or_empty("MicrosoftAppId"),
            app_password=Secret(r.text("MicrosoftAppPassword")),
            app_type=r.choice("MicrosoftAppType", APP_TYPES, "SingleTenant"),
            app_tenant_id=r.guid_or_empty("MicrosoftAppTenantId"),
            port=r.integer("PORT", 3978, low=1, high=65535),
            host=r.text("HOST"),
            log_level=r.choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO"),
            memory_trace_file=Path(p) if (p := r.text("MEMORY_TRACE_FILE")) else None,
            memory_trace_seconds=r.integer("MEMORY_TRACE_SECONDS", 60, low=1, high=24 * 60 * 60),
            malloc_trim_seconds=r.integer("MALLOC_TRIM_SECONDS", 60, low=0, high=24 * 60 * 60),
            applicationinsights_connection_string=Secret(r.text("APPLICATIONINSIGHTS_CONNECTION_STRING")),
            storage_connection_string=Secret(r.text("STORAGE_CONNECTION_STRING")),
            storage_account_url=r.url_or_empty("STORAGE_ACCOUNT_URL"),
            storage_container=r.container("STORAGE_CONTAINER", "kraenkelser"),
            data_dir=Path(r.text("DATA_DIR") or "data"),
            leader_directory_file=Path(p) if (p := r.text("LEADER_DIRECTORY_FILE")) else None,
            graph_enabled=r.boolean("GRAPH_ENABLED", False),
            graph_base_url=r.url_or_empty("GRAPH_BASE_URL") or "https://graph.microsoft.com",
            login_authority_host=r.url_or_empty("LOGIN_AUTHORITY_HOST") or "https://login.microsoftonline.com",
            hr_aad_object_ids=frozenset(r.guid_list("HR_AAD_OBJECT_IDS")),
            hr_group_id=r.guid_or_empty("HR_GROUP_ID"),
            admin_aad_object_ids=frozenset(r.guid_list("ADMIN_AAD_OBJECT_IDS")),
            time_zone=r.zone("TIME_ZONE", "Europe/Copenhagen"),
            default_language=r.choice("DEFAULT_LANGUAGE", LANGUAGES, "da"),
            immediate_deadline_working_days=r.integer("IMMEDIATE_DEADLINE_WORKING_DAYS", 1, low=0, high=30),
            office_hours=r.office_hours("OFFICE_HOURS", (time(8, 0), time(16, 0))),
            ack_working_hours=r.integer("ACK_WORKING_HOURS", 2, low=1, high=40),
            extra_holidays=r.holidays("EXTRA_HOLIDAYS", DEFAULT_EXTRA_HOLIDAYS),
            escalate_after_days=r.integer("ESCALATE_AFTER_DAYS", 3, low=1, high=90),
            checkin_after_followup_days=r.integer("CHECKIN_AFTER_FOLLOWUP_DAYS", 1, low=0, high=90),
            draft_ttl_hours=r.integer("DRAFT_TTL_HOURS", 72, low=1, high=24 * 90),
            undelivered_alert_minutes=r.integer("UNDELIVERED_ALERT_MINUTES", 60, low=1, high=7 * 24 * 60),
            med_reminder_dates=r.month_days("MED_REMINDER_DATES", ((3, 1), (9, 1))),
            med_followup_weeks=r.integer("MED_FOLLOWUP_WEEKS", 4, low=1, high=26),
            med_anonymity_threshold=r.integer("MED_ANONYMITY_THRESHOLD", 3, low=1, high=50),
            evidence_max_bytes=r.integer("EVIDENCE_MAX_BYTES", 25 * 1024 * 1024, low=1024, high=200 * 1024 * 1024),
            evidence_allowed_hosts=tuple(r.word_list("EVIDENCE_ALLOWED_HOSTS")),
            evidence_dev_origins=tuple(r.origins("EVIDENCE_DEV_ORIGINS")),
            evidence_files_per_message=r.integer("EVIDENCE_FILES_PER_MESSAGE", 10, low=1, high=50),
            evidence_turn_budget_ms=r.integer("EVIDENCE_TURN_BUDGET_MS", 5000, low=0, high=12000),
            retention_days=r.retention_days("RETENTION_DAYS", 730),
            med_retention_days=r.retention_days("MED_RETENTION_DAYS", 1825),
            public_base_url=r.url_or_empty("PUBLIC_BASE_URL"),
            evidence_link_key=Secret(r.text("EVIDENCE_LINK_KEY")),
            evidence_pack_link_minutes=r.integer("EVIDENCE_PACK_LINK_MINUTES", 60, low=5, high=7 * 24 * 60),
            takedown_routes_file=Path(p) if (p := r.text("TAKEDOWN_ROUTES_FILE")) else None,
            removal_recheck_days=r.integer("REMOVAL_RECHECK_DAYS", 3, low=1, high=60),
            openid_metadata_url=r.url_or_empty("BOT_OPENID_METADATA_URL"),
            token_issuer=r.text("BOT_TOKEN_ISSUER"),
        )
        if settings.app_id and not settings.app_tenant_id and settings.app_type != "MultiTenant":
            raise SettingsError("MicrosoftAppTenantId: required when MicrosoftAppId is set (single-tenant bot)")
        if settings.app_id and settings.app_type == "SingleTenant" and not settings.app_password:
            raise SettingsError("MicrosoftAppPassword: required for a SingleTenant bot with MicrosoftAppId")
        if settings.app_id and settings.evidence_dev_origins:
            raise SettingsError("EVIDENCE_DEV_ORIGINS: only allowed in local mode (no MicrosoftAppId)")
        if not settings.app_id and settings.host and not is_loopback_host(settings.host):
            # Without an app id nothing authenticates a request: anyone who reaches the port could
            # post as any employee. Local mode therefore listens on this machine only.
            raise SettingsError(
                f"HOST: {settings.host!r} is not a loopback address; without MicrosoftAppId the bot is "
                "unauthenticated and may only listen on 127.0.0.1, ::1 or localhost (set MicrosoftAppId "
                "to serve other hosts)"
            )
        return settings


LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


def is_loopback_host(host: str) -> bool:
    """True for a host name or address that can only be reached from this machine."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def load_settings(env: Mapping[str, str], dotenv_path: Path | None = Path(".env")) -> Settings:
    """Merge `.env` (if present) under the real environment, then parse strictly."""
    merged: dict[str, str] = {}
    if dotenv_path is not None and dotenv_path.is_file():
        from dotenv import dotenv_values

        merged.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    merged.update(env)
    return Settings.from_env(merged)


class _Reader:
    """Parses one variable at a time and names it in every error."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def text(self, name: str) -> str:
        return self._env.get(name, "").strip()

    def _fail(self, name: str, why: str) -> SettingsError:
        return SettingsError(f"{name}: {why}")

    def integer(self, name: str, default: int, *, low: int, high: int) -> int:
        raw = self.text(name)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise self._fail(name, f"must be a whole number, got {raw!r}") from None
        if not low <= value <= high:
            raise self._fail(name, f"must be between {low} and {high}, got {value}")
        return value

    def retention_days(self, name: str, default: int) -> int:
        value = self.integer(name, default, low=0, high=3650)
        if 0 < value < 365:  # bot.guideline.retention.MIN_CLOSED_CASE_DAYS (settings import no domain)
            raise self._fail(name, f"must be 0 (keep) or at least 365 days, got {value}")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        raw = self.text(name).lower()
        if not raw:
            return default
        if raw in ("1", "true", "yes", "ja", "on"):
            return True
        if raw in ("0", "false", "no", "nej", "off"):
            return False
        raise self._fail(name, f"must be true or false, got {raw!r}")

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        raw = self.text(name)
        if not raw:
            return default
        for option in allowed:
            if raw.lower() == option.lower():
                return option
        raise self._fail(name, f"must be one of {', '.join(allowed)}, got {raw!r}")

    def guid_or_empty(self, name: str) -> str:
        raw = self.text(name)
        if not raw:
            return ""
        try:
            return str(uuid.UUID(raw))
        except ValueError:
            raise self._fail(name, "must be a GUID such as 00000000-0000-0000-0000-000000000000") from None

    def guid_list(self, name: str) -> list[str]:
        out = []
        for item in self.word_list(name):
            try:
                out.append(str(uuid.UUID(item)))
            except ValueError:
                raise self._fail(name, f"{item!r} is not a GUID (comma-separated object ids)") from None
        return out

    def word_list(self, name: str) -> list[str]:
        return [part.strip() for part in self.text(name).split(",") if part.strip()]

    def origins(self, name: str) -> list[str]:
        out = []
        for item in self.word_list(name):
            if not re.fullmatch(r"https?://[^\s/]+", item):
                raise self._fail(name, f"{item!r} is not an origin such as http://127.0.0.1:8123")
            out.append(item)
        return out

    def url_or_empty(self, name: str) -> str:
        raw = self.text(name)
        if raw and not re.match(r"^https?://[^\s/]+", raw):
            raise self._fail(name, f"must be an http(s) URL, got {raw!r}")
        return raw.rstrip("/")

    def container(self, name: str, default: str) -> str:
        raw = self.text(name) or default
        if not re.fullmatch(r"[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]", raw):
            raise self._fail(name, "must be 3-63 lower-case letters, digits or single hyphens")
        return raw

    def zone(self, name: str, default: str) -> str:
        raw = self.text(name) or default
        try:
            ZoneInfo(raw)
        except (ZoneInfoNotFoundError, ValueError):
            raise self._fail(name, f"unknown time zone {raw!r}") from None
        return raw

    def office_hours(self, name: str, default: tuple[time, time]) -> tuple[time, time]:
        raw = self.text(name)
        if not raw:
            return default
        m = _OFFICE_HOURS.match(raw)
        try:
            if not m:
                raise ValueError
            start = time(int(m.group(1)), int(m.group(2)))
            end = time(int(m.group(3)), int(m.group(4)))
        except ValueError:
            raise self._fail(name, f"use HH:MM-HH:MM, e.g. 08:00-16:00, got {raw!r}") from None
        if not start < end:
            raise self._fail(name, "office hours must start before they end")
        return start, end

    def holidays(self, name: str, default: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
        """MM-DD days off every year beside the statutory holidays; "none" for no extra days."""
        raw = self.text(name)
        if not raw:
            return default
        if raw.lower() == "none":
            return ()
        out = []
        for item in self.word_list(name):
            m = _MONTH_DAY.match(item)
            try:
                if not m:
                    raise ValueError
                date(2001, int(m.group(1)), int(m.group(2)))  # a common year
            except ValueError:
                raise self._fail(name, f"{item!r}: use MM-DD, e.g. 06-05,12-24,12-31 (or none)") from None
            out.append((int(m.group(1)), int(m.group(2))))
        return tuple(sorted(set(out)))

    def month_days(self, name: str, default: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
        items = self.word_list(name)
        if not items:
            return default
        out = []
        for item in items:
            m = _MONTH_DAY.match(item)
            if not m or not (1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 28):
                raise self._fail(name, f"{item!r}: use MM-DD with a day from 01 to 28, e.g. 03-01,09-01")
            out.append((int(m.group(1)), int(m.group(2))))
        if len(set(out)) != len(out):
            raise self._fail(name, "dates must differ")
        return tuple(sorted(out))
