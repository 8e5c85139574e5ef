"""What Application Insights would receive, read from in-memory OpenTelemetry exporters.

The app records through OpenTelemetry's global API; the distro installs the providers in
production. Here in-memory ones are installed instead, once per process (the API allows only one),
so a test reads exactly the spans, events, metric points and resources the exporter would send.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


class Exporters:
    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.metrics = InMemoryMetricReader()
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        trace.set_tracer_provider(tracer_provider)
        metrics.set_meter_provider(MeterProvider(metric_readers=[self.metrics]))

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def points(self) -> dict[str, list[tuple[dict[str, Any], float]]]:
        """Each metric's data points: (attributes, value); a histogram's value is its count."""
        out: dict[str, list[tuple[dict[str, Any], float]]] = {}
        data = self.metrics.get_metrics_data()
        for resource_metrics in data.resource_metrics if data else ():
            for scope in resource_metrics.scope_metrics:
                for metric in scope.metrics:
                    for point in metric.data.data_points:
                        value: float = getattr(point, "value", None) or 0
                        if not hasattr(point, "value"):
                            value = getattr(point, "count", 0)  # a histogram: how many were recorded
                        out.setdefault(metric.name, []).append((dict(point.attributes or {}), float(value)))
        return out

    def total(self, name: str, **attributes: Any) -> float:
        """A metric's value summed over the points that carry `attributes`."""
        return sum(
            value
            for attrs, value in self.points().get(name, [])
            if all(attrs.get(k) == v for k, v in attributes.items())
        )


_INSTALLED: list[Exporters] = []


def installed() -> Exporters:
    """The process's in-memory exporters (installed on first use), with no finished spans."""
    if not _INSTALLED:
        _INSTALLED.append(Exporters())
    found = _INSTALLED[0]
    found.spans.clear()
    return found


def _pairs(attributes: Mapping[str, Any] | None) -> list[str]:
    return [f"{k}={v}" for k, v in (attributes or {}).items()]


def everything_exported(exporters: Exporters) -> list[str]:
    """Every string an exporter would send: names, attributes, events, links, statuses, resources."""
    out: list[str] = []
    for span in exporters.finished():
        out.append(span.name)
        out += _pairs(span.attributes)
        for event in span.events:
            out.append(event.name)
            out += _pairs(event.attributes)
        for link in span.links:
            out += _pairs(link.attributes)
        out.append(str(span.status.description))
        out += _pairs(span.resource.attributes)
        scope = span.instrumentation_scope
        out.append(scope.name if scope else "")
    data = exporters.metrics.get_metrics_data()
    for resource_metrics in data.resource_metrics if data else ():
        out += _pairs(resource_metrics.resource.attributes)
        for scope_metrics in resource_metrics.scope_metrics:
            out.append(scope_metrics.scope.name)
            for metric in scope_metrics.metrics:
                out += [metric.name, metric.description or "", metric.unit or ""]
                for point in metric.data.data_points:
                    out += _pairs(point.attributes)
                    for exemplar in getattr(point, "exemplars", None) or ():
                        out += _pairs(exemplar.filtered_attributes)
    return out
