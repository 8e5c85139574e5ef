"""The MED benchmarks run at sizes below Teams' first limit (50 messages a second).

There the least time the limits allow is 0 s: every message may go at once. The "x least" column
divided by it and the benchmark died (`bench_med_service --units 12`: ZeroDivisionError). Run as
the operator runs them, in a child process, against the fake connector.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.bench_med_broadcast import least_time, times_least

ROOT = Path(__file__).resolve().parents[2]


def test_the_ratio_to_a_least_time_of_nothing_is_not_a_number() -> None:
    assert least_time(12) == 0.0  # under the 50-a-second window nothing waits
    assert times_least(1.5, 0.0) == "n/a"
    assert times_least(2.2, 1.1) == "2.00"
    assert times_least(2.2, 1.1, digits=3) == "2.000"


@pytest.mark.parametrize(
    "command",
    [
        ["benchmarks.bench_med_service", "--units", "12", "--connector", "in"],
        ["benchmarks.bench_med_broadcast", "--channels", "12", "--concurrency", "4"],
    ],
)
def test_a_round_under_the_first_limit_prints_its_row(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and "n/a" in line]
    assert rows, done.stdout  # one row per connector placement asked for
