"""The soak's memory verdict (benchmarks/bench_soak.py) judges RSS once it has reached its level.

The bot's memory in use rises for about 10 minutes of the soak and then stays (docs/performance.md,
"Soak ... 1 December, morning"); the verdict takes the least-squares slope from 600 s against the same
0.2 MB/min it always had. These pin that: a rise that stops passes, one that goes on does not
(however it started), and a run too short to see the level says so instead of passing.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.bench_soak import FLAT_MB_PER_MINUTE, MEMORY_WARMUP, Sample, memory_verdict


def samples(rss_at: list[tuple[float, float]]) -> list[Sample]:
    return [Sample(at, mb, 0.0, None, 0.0, 0.0) for at, mb in rss_at]


def every_10_s(until: float, rss: Callable[[float], float]) -> list[Sample]:
    points = [(float(t), rss(float(t))) for t in range(0, int(until) + 1, 10)]
    return samples(points)


def test_a_rise_that_levels_off_by_ten_minutes_is_flat() -> None:
    # +0.3 MB a minute until 600 s (what the night's 10-minute runs measured), then level.
    line = memory_verdict(every_10_s(840, lambda t: 142 + 0.005 * min(t, 600)), 840, 120, MEMORY_WARMUP)
    assert "-> flat" in line and "+0.00 MB/min" in line
    assert "+0.30 MB/min" in line  # the approach is stated beside it


def test_a_rise_that_goes_on_past_ten_minutes_is_not_flat() -> None:
    per_minute = FLAT_MB_PER_MINUTE + 0.05
    line = memory_verdict(every_10_s(840, lambda t: 142 + per_minute * t / 60), 840, 120, MEMORY_WARMUP)
    assert "NOT flat" in line


def test_growth_only_after_ten_minutes_is_not_flat() -> None:
    line = memory_verdict(every_10_s(840, lambda t: 142 + 0.01 * max(0.0, t - 600)), 840, 120, MEMORY_WARMUP)
    assert "NOT flat" in line  # +0.6 MB a minute from 600 s


def test_a_ten_minute_run_is_not_judged() -> None:
    line = memory_verdict(every_10_s(600, lambda t: 142.0), 600, 120, MEMORY_WARMUP)
    assert "not judged" in line and "flat (limit" not in line
