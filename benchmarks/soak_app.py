"""`app.py` with a record of where each turn's time went, for the soak (benchmarks/bench_soak.py).

The soak's latencies mix the bot's own work with the time it waits on the store, and on Azurite
the store's part grows with the container (it scans every blob for a tag query, Azure looks in an
index). To tell the two apart this runs the app exactly as `python app.py` does, with one
OpenTelemetry span processor installed first: the app already opens a server span per request and
a dependency span per store request (bot/storage/blob_transport.py) and per connector call
(bot/hosting/telemetry.py); without a provider those are no-ops, here they are timed. For each
request it writes one JSON line to TURN_TIMES_FILE when the request's span ends:

- `c`: the correlation id the soak sent (x-ms-correlation-id), which names the turn;
- `ms`: the request, from the middleware's span start to its end;
- `store_ms`: the time at least one store request of the turn was open (overlapping requests
  count once), `store_n` how many, `finds` how many were tag queries (GET ...&comp=blobs) and
  `find_ms` the time a tag query was open;
- `out_ms`: the same for the other dependencies in the turn (the connector, the file host).

Store requests outside any request (the scheduler, deliveries after the answer) are added up per
10 s in lines with `bg`. What this costs: real spans, about 20-40 µs of CPU each, ~10 a turn; no
exporter. The figures are the bot's view: a store request's time includes its queueing in the
bot's own event loop once the answer is in.
"""

from __future__ import annotations

import json
import os
import time
from collections import OrderedDict
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.trace import SpanKind

Interval = tuple[int, int]  # ns since the epoch
# Requests remembered as ended, so a dependency that ends after its request's answer counts as
# outside turns: ~60 s of the soak's 16 requests a second. Small, so this record does not itself
# grow the process it measures (10,000 grew it by ~0.3 MiB over a 5-minute soak).
ENDED_KEPT = 1_000


def union_ns(intervals: list[Interval]) -> int:
    """How long at least one of the intervals was open."""
    total, end = 0, -1
    for start, stop in sorted(intervals):
        if start > end:
            total += stop - start
            end = stop
        elif stop > end:
            total += stop - end
            end = stop
    return total


class TurnTimes(SpanProcessor):
    def __init__(self, path: str) -> None:
        self._out = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (open for the process's life)
        self._open: dict[int, list[tuple[Interval, str, bool]]] = {}  # trace id -> its dependency spans
        self._ended: OrderedDict[int, None] = OrderedDict()  # traces whose request has ended
        self._bg: dict[str, float] = {"store_ms": 0.0, "store_n": 0, "finds": 0, "find_ms": 0.0}
        self._bg_since = time.time()

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        return None

    def on_end(self, span: ReadableSpan) -> None:
        start, end = span.start_time or 0, span.end_time or 0
        trace_id = span.context.trace_id if span.context else 0
        if span.kind == SpanKind.SERVER:
            deps = self._open.pop(trace_id, [])
            self._ended[trace_id] = None
            while len(self._ended) > ENDED_KEPT:
                self._ended.popitem(last=False)
            store = [i for i, category, _ in deps if category == "blob"]
            finds = [i for i, category, find in deps if find]
            out = [i for i, category, _ in deps if category != "blob"]
            attributes = span.attributes or {}
            self._write(
                {
                    "c": str(attributes.get("correlation_id", "")),
                    "end": end / 1e9,
                    "ms": (end - start) / 1e6,
                    "store_ms": union_ns(store) / 1e6,
                    "store_n": len(store),
                    "finds": len(finds),
                    "find_ms": union_ns(finds) / 1e6,
                    "out_ms": union_ns(out) / 1e6,
                }
            )
            return
        if span.kind != SpanKind.CLIENT:
            return
        attributes = span.attributes or {}
        category = str(attributes.get("peer.category", ""))
        find = category == "blob" and bool(attributes.get("soak.find"))
        parent = span.parent
        if parent is not None and parent.trace_id not in self._ended:
            self._open.setdefault(parent.trace_id, []).append(((start, end), category, find))
        elif category == "blob":
            self._bg["store_ms"] += (end - start) / 1e6
            self._bg["store_n"] += 1
            if find:
                self._bg["finds"] += 1
                self._bg["find_ms"] += (end - start) / 1e6
        now = time.time()
        if now - self._bg_since >= 10:
            self._write({"bg": True, "end": now, **self._bg})
            self._bg = dict.fromkeys(self._bg, 0)
            self._bg_since = now

    def _write(self, line: dict[str, Any]) -> None:
        self._out.write(json.dumps(line, separators=(",", ":")) + "\n")

    def shutdown(self) -> None:
        self._out.close()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        self._out.flush()
        return True


def mark_finds() -> None:
    """Tag a store request's span as a tag query (Find Blobs by Tags: `comp=blobs` with `where=`),
    from the URL the span itself never carries (bot/hosting/telemetry.py keeps URLs out)."""
    import aiohttp

    from bot.hosting import telemetry

    plain = telemetry.client_trace_config

    def traced(*args: Any, **kwargs: Any) -> aiohttp.TraceConfig:
        config = plain(*args, **kwargs)

        async def mark(_session: Any, context: Any, params: aiohttp.TraceRequestStartParams) -> None:
            span = getattr(context, "span", None)
            if span is not None and params.url.query.get("comp") == "blobs" and "where" in params.url.query:
                span.set_attribute("soak.find", True)

        config.on_request_start.append(mark)  # after the span is opened by the app's own callback
        return config

    telemetry.client_trace_config = traced
    from bot.storage import blob_transport

    setattr(blob_transport, "client_trace_config", traced)  # noqa: B010 (its import of the name)


def main() -> None:
    if os.environ.get("MEMORY_STATS_FILE"):
        from benchmarks.memory_stats import Sampler
        from bot.hosting.malloc import limit_arenas

        limit_arenas()  # before this first thread, as app.main does before its own
        Sampler(os.environ["MEMORY_STATS_FILE"], float(os.environ.get("MEMORY_STATS_SECONDS", "10"))).start()
    if os.environ.get("TURN_TIMES_FILE"):
        provider = TracerProvider()
        provider.add_span_processor(TurnTimes(os.environ["TURN_TIMES_FILE"]))
        trace.set_tracer_provider(provider)
        mark_finds()
    import app

    app.main()


if __name__ == "__main__":
    main()
