"""Traces and metrics for Application Insights, through OpenTelemetry and the Azure Monitor distro.

Why the OpenTelemetry API everywhere and the distro only at start-up: the API's default
providers do nothing (a call costs a dictionary look-up), so without
APPLICATIONINSIGHTS_CONNECTION_STRING nothing is sent and nothing slows down. With it,
`configure` installs the distro's providers once, and every instrument below starts exporting.

No personal data ever goes into a span, an attribute or a metric: only route templates, host
categories, status codes, counts and reasons from a closed list. Conversation ids, AAD object ids,
case ids, names, file names and URLs never do (tests/hostile/test_telemetry_flows.py checks it on
the main flows end to end; test_telemetry_off.py that nothing is installed without the setting).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

log = logging.getLogger(__name__)

NAME = "kraenkelser"

# Host -> category for dependency spans. Evidence hosts are named by category, never by host.
_HOST_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("graph.microsoft.com", "graph"),
    ("login.microsoftonline.com", "login"),
    ("smba.trafficmanager.net", "bot-connector"),
    ("botframework.com", "bot-connector"),
    ("blob.core.windows.net", "blob"),
    ("sharepoint.com", "evidence-sharepoint"),
    ("teams.microsoft.com", "evidence-teams"),
    ("asm.skype.com", "evidence-teams"),
)


_OFF = ("django", "fastapi", "flask", "psycopg2", "requests", "urllib", "urllib3", "azure_sdk")


def configure(connection_string: str) -> bool:
    """Install the Azure Monitor distro when a connection string is set; False when it is not."""
    if not connection_string:
        return False
    from azure.monitor.opentelemetry import configure_azure_monitor  # imported only when used

    configure_azure_monitor(
        connection_string=connection_string,
        logger_name=NAME,  # our own JSON logs stay on stderr; only this logger's records go there
        enable_live_metrics=False,
        # Off: web frameworks we do not use, and the HTTP/SDK instrumentations that record full
        # URLs (a Graph URL or a blob name holds an AAD object id or a case id). Our own spans
        # below name those calls by category instead.
        instrumentation_options={name: {"enabled": False} for name in _OFF},
    )
    log.info("telemetry to Application Insights is on")
    return True


def host_category(host: str | None) -> str:
    """A host's category for span attributes: never the host itself (it may name a tenant)."""
    if not host:
        return "unknown"
    host = host.lower()
    if host in ("127.0.0.1", "localhost", "::1"):
        return "local"
    for suffix, category in _HOST_CATEGORIES:
        if host == suffix or host.endswith("." + suffix):
            return category
    return "other"


def evidence_category(host: str | None) -> str:
    """An evidence download's category: where the screenshot came from, by kind of host only."""
    category = host_category(host)
    return category if category.startswith("evidence-") else f"evidence-{category}"


class Telemetry:
    """The app's instruments. One per runtime; cheap no-ops until a provider is installed."""

    def __init__(self) -> None:
        meter = metrics.get_meter(NAME)
        self._tracer = trace.get_tracer(NAME)
        self._cases_opened = meter.create_counter("cases.opened", description="Cases reported")
        self._notifications_failed = meter.create_counter(
            "notifications.failed", description="Notifications that could not be delivered on an attempt"
        )
        self._notifications_undelivered = meter.create_counter(
            "notifications.undelivered", description="Notifications given up after their retry window"
        )
        self._notifications_pending = meter.create_gauge(
            "notifications.pending", description="Cases with a notification owed and due, at the scheduler's last tick"
        )
        self._escalations = meter.create_counter("escalations", description="Escalations sent")
        self._med_sends = meter.create_counter("med.sends", description="MED reminders sent")
        self._med_failed = meter.create_counter("med.broadcast_failed", description="MED broadcasts that failed")
        self._throttled = meter.create_counter("connector.throttled", description="429 answers from the connector")
        self._evidence_refused = meter.create_counter("evidence.refused", description="Evidence refused, by reason")
        self._requests = meter.create_counter("http.requests", description="Incoming requests by route and status")

    # --- metrics ------------------------------------------------------------------------------
    def case_opened(self) -> None:
        self._cases_opened.add(1)

    def notifications_pending(self, cases: int) -> None:
        """How many cases owe a notification that is due: 0 unless deliveries fail or lag."""
        self._notifications_pending.set(cases)

    def notification_failed(self, kind: str) -> None:
        self._notifications_failed.add(1, {"kind": kind})

    def notification_undelivered(self, kind: str) -> None:
        self._notifications_undelivered.add(1, {"kind": kind})

    def escalation(self, kind: str) -> None:
        self._escalations.add(1, {"kind": kind})

    def med_sent(self, delivery: str) -> None:
        self._med_sends.add(1, {"delivery": delivery})

    def med_broadcast_failed(self) -> None:
        self._med_failed.add(1)

    def throttled(self) -> None:
        self._throttled.add(1)

    def evidence_refused(self, reason: str) -> None:
        self._evidence_refused.add(1, {"reason": reason})

    def request(self, route: str, status: int) -> None:
        self._requests.add(1, {"http.route": route, "http.response.status_code": status})

    # --- traces -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def server_span(self, method: str, route: str, correlation: str) -> Iterator[Any]:
        """An incoming request, named by its route template (never the path: it holds ids)."""
        with self._tracer.start_as_current_span(
            f"{method} {route}",
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "http.route": route, "correlation_id": correlation},
            record_exception=False,
            set_status_on_exception=False,  # its description would carry the exception's message
        ) as span:
            yield span

    def start_dependency(self, category: str, operation: str) -> Any:
        """A dependency span ended by the caller (for callbacks that open and close it apart)."""
        return self._tracer.start_span(
            f"{category} {operation}",
            kind=SpanKind.CLIENT,
            attributes={"peer.category": category, "operation": operation},
        )

    @contextlib.contextmanager
    def dependency(self, category: str, operation: str) -> Iterator[Any]:
        """An outgoing call (Graph, Bot Connector, an evidence host), named by category only."""
        with self._tracer.start_as_current_span(
            f"{category} {operation}",
            kind=SpanKind.CLIENT,
            attributes={"peer.category": category, "operation": operation},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                yield span
            except Exception as error:
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                span.set_attribute("error.type", type(error).__name__)
                raise


# The app's instruments. OpenTelemetry's own idiom is one set per process, created from the global
# API: until `configure` installs a provider they are proxies that do nothing, so creating them at
# import builds no client, opens nothing and costs nothing. Services record through this one.
METRICS = Telemetry()


def client_trace_config(
    telemetry: Telemetry, category: Callable[[str | None], str] = host_category
) -> aiohttp.TraceConfig:
    """Dependency spans for an aiohttp client session: category and status, never the URL.

    `category` names the peer from the URL's host; a session that only ever talks to one kind of
    peer (the blob store, on Azurite or a private endpoint) passes a constant."""
    config = aiohttp.TraceConfig()
    # The span rides on aiohttp's per-request trace context, so a request that never ends
    # (cancelled) leaves nothing behind in a map of ours.

    async def start(_session: Any, context: Any, params: aiohttp.TraceRequestStartParams) -> None:
        context.span = telemetry.start_dependency(category(params.url.host), params.method)

    async def end(_session: Any, context: Any, params: aiohttp.TraceRequestEndParams) -> None:
        span = getattr(context, "span", None)
        if span is not None:
            span.set_attribute("http.response.status_code", params.response.status)
            if params.response.status >= 500:
                span.set_status(Status(StatusCode.ERROR))
            span.end()

    async def failed(_session: Any, context: Any, params: aiohttp.TraceRequestExceptionParams) -> None:
        span = getattr(context, "span", None)
        if span is not None:
            span.set_status(Status(StatusCode.ERROR, type(params.exception).__name__))
            span.set_attribute("error.type", type(params.exception).__name__)
            span.end()

    config.on_request_start.append(start)
    config.on_request_end.append(end)
    config.on_request_exception.append(failed)
    return config
