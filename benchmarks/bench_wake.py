"""What a wake-up after a pause costs the waiting thread on this machine, nothing else running.

For each pause length, the thread's CPU (`time.thread_time`) across one `asyncio.sleep(pause)`
awaited 20 coroutine frames deep (as a store call is in the bot), and across one `time.sleep`;
medians of `rounds` runs, the order of the pauses reversed every other round. A thread that waits
spends next to nothing; a larger figure after a longer pause is the cost of resuming (the kernel's
and the interpreter's state that went cold while the thread did not run), which a benchmark that
waits on a slow store pays once a request (docs/performance.md, 1 December).

    .venv/bin/python -m benchmarks.bench_wake [--pauses 0,0.001,0.003,0.01,0.1,0.5] [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time


async def _nested(depth: int, pause: float) -> float:
    if depth:
        return await _nested(depth - 1, pause)
    began = time.thread_time()
    await asyncio.sleep(pause)
    return time.thread_time() - began


async def measure(pauses: list[float], rounds: int) -> dict[float, tuple[float, float]]:
    """Each pause's median thread CPU (seconds) across an asyncio.sleep and across a time.sleep."""
    loop: dict[float, list[float]] = {p: [] for p in pauses}
    plain: dict[float, list[float]] = {p: [] for p in pauses}
    for turn in range(rounds):
        for pause in pauses if turn % 2 == 0 else pauses[::-1]:
            loop[pause].append(await _nested(20, pause))
            began = time.thread_time()
            time.sleep(pause)  # noqa: ASYNC251 - the thread's own sleep is what is measured
            plain[pause].append(time.thread_time() - began)
    return {p: (statistics.median(loop[p]), statistics.median(plain[p])) for p in pauses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pauses", default="0,0.001,0.003,0.01,0.1,0.5", help="seconds, comma-separated")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    pauses = [float(p) for p in args.pauses.split(",")]
    for pause, (loop, plain) in asyncio.run(measure(pauses, args.rounds)).items():
        cpu = f"{loop * 1e6:5.0f} µs (asyncio.sleep), {plain * 1e6:5.0f} µs (time.sleep)"
        print(f"pause {pause:6.3f} s: the thread's CPU {cpu}")


if __name__ == "__main__":
    main()
