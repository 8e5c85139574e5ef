"""Without APPLICATIONINSIGHTS_CONNECTION_STRING nothing is sent and nothing slows down.

`app.main()` runs in a fresh process (OpenTelemetry's providers are process-wide, and this test
process has in-memory ones installed), with `web.run_app` replaced so it returns. Without the
setting: no provider is installed (the API's proxies stay: every span and metric call is a no-op),
the distro is never imported, no exporter thread runs, and a span does not record. With a setting
(an unreachable endpoint), the same script sees the distro's providers: the test can fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import json, os, sys, threading
import app
app.web.run_app = lambda application, **kw: None
app.main()
from opentelemetry import metrics, trace
from bot.hosting.telemetry import METRICS
span = METRICS.start_dependency("blob", "GET")
print("RESULT " + json.dumps({
    "tracer_provider": type(trace.get_tracer_provider()).__name__,
    "meter_provider": type(metrics.get_meter_provider()).__name__,
    "distro_loaded": "azure.monitor.opentelemetry" in sys.modules,
    "recording": span.is_recording(),
    "threads": sorted(t.name for t in threading.enumerate()),
}), flush=True)
os._exit(0)  # with the distro on, a normal exit waits for its exporter's retries
"""


def started_app(tmp_path: Path, connection_string: str | None) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "APPLICATIONINSIGHTS_CONNECTION_STRING"}
    env.update(DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING")
    if connection_string is not None:
        env["APPLICATIONINSIGHTS_CONNECTION_STRING"] = connection_string
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    [line] = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    result: dict[str, object] = json.loads(line.removeprefix("RESULT "))
    return result


def test_without_the_setting_no_provider_no_exporter_and_spans_do_not_record(tmp_path: Path) -> None:
    off = started_app(tmp_path, None)
    assert off == {
        "tracer_provider": "ProxyTracerProvider",
        "meter_provider": "_ProxyMeterProvider",
        "distro_loaded": False,
        "recording": False,
        "threads": ["MainThread"],
    }


def test_with_the_setting_the_distro_s_providers_are_installed(tmp_path: Path) -> None:
    on = started_app(
        tmp_path, "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/"
    )
    assert on["tracer_provider"] == "TracerProvider" and on["meter_provider"] == "MeterProvider"
    assert on["distro_loaded"] is True  # (whether a span records then is the distro's sampler's call)
