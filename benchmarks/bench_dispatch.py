"""Dispatch benchmark: the per-call cost of small compiled calls against numpy, interleaved.

Run: `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_dispatch.py [--rounds R] [--calls N] [--threshold]`
(this machine sets OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE, which slow numpy's OpenBLAS: unset both
for a fair peer)

Cases: `a + 1.0` on an 8x8 float32 array (a `zg.jit` call, the same with `out=`, and the
`zg.compile`d `Executable` of the traced module), sgemm 64 and 128 (`zg.jit` of `a @ b`).
Each case and its numpy peer are timed in turns: every round times a batch of `--calls`
calls of each, one after the other, so both sides see the same machine load (the 8x8 cases
and the sgemm cases form two groups, each timed in turns on its own); the table gives
the median over the rounds of the per-call time, its spread (the middle half of the rounds:
25th-75th percentile) and numpy time / Ziggurat time (> 1: Ziggurat is faster). Results are
checked against numpy before timing.

`--threshold` measures instead what one parallel loop costs on 1 and on 2 threads for a
range of sizes (the pool forced on: `set_min_parallel_ns(0)`), the data behind
`ziggurat.runtime.threads.DEFAULT_MIN_PARALLEL_NS`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

import ziggurat as zg
from ziggurat.runtime import get_num_threads
from ziggurat.runtime import threads as zthreads

Array = np.ndarray[Any, Any]
Call = Callable[[], object]
Case = tuple[str, Call, Call, int]
"""(name, Ziggurat call, numpy call, cost: a batch has `--calls // cost` calls)."""


def per_call_us(fn: Call, calls: int) -> float:
    """Microseconds per call of `fn` over one batch of `calls` calls."""
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e6


def quartiles(samples: list[float]) -> tuple[float, float, float]:
    """25th percentile, median and 75th percentile of `samples`."""
    q1, median, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    return q1, median, q3


def interleaved(cases: list[Case], rounds: int, calls: int) -> None:
    """Time each case and its peer in turns and print the table."""
    for _, ours, peer, _ in cases:  # warm-up: compile, fill caches
        for _ in range(10):
            ours()
            peer()
    zg_samples: dict[str, list[float]] = {name: [] for name, *_ in cases}
    np_samples: dict[str, list[float]] = {name: [] for name, *_ in cases}
    for _ in range(rounds):
        for name, ours, peer, cost in cases:
            batch = max(10, calls // cost)
            np_samples[name].append(per_call_us(peer, batch))
            zg_samples[name].append(per_call_us(ours, batch))
    header = f"{'case':28s} {'numpy us':>9s} {'(spread)':>13s} {'zg us':>9s} {'(spread)':>13s} {'np/zg':>7s}"
    print(header)
    print("-" * len(header))
    for name, *_ in cases:
        n1, nm, n3 = quartiles(np_samples[name])
        z1, zm, z3 = quartiles(zg_samples[name])
        print(
            f"{name:28s} {nm:9.2f} {f'{n1:.2f}-{n3:.2f}':>13s} {zm:9.2f} "
            f"{f'{z1:.2f}-{z3:.2f}':>13s} {nm / zm:6.2f}x"
        )


def dispatch_cases() -> list[Case]:
    """The measured calls, each checked against numpy first."""
    rng = np.random.default_rng(0)

    @zg.jit
    def add1(a: Any) -> Any:
        return a + 1.0

    @zg.jit
    def matmul(a: Any, b: Any) -> Any:
        return a @ b

    a = rng.standard_normal((8, 8), np.float32)
    out = np.empty_like(a)
    np.testing.assert_array_equal(add1(a), a + 1.0)
    exe = zg.compile(add1.lower(a).as_text("ztensor"))
    np.testing.assert_array_equal(exe(a), a + 1.0)
    cases: list[Case] = [
        ("jit a + 1.0 8x8", lambda: add1(a), lambda: a + 1.0, 1),
        ("jit a + 1.0 8x8 out=", lambda: add1(a, out=out), lambda: np.add(a, 1.0, out=out), 1),
        ("Executable a + 1.0 8x8", lambda: exe(a), lambda: a + 1.0, 1),
    ]
    for n in (64, 128):
        x = rng.standard_normal((n, n), np.float32)
        y = rng.standard_normal((n, n), np.float32)
        np.testing.assert_allclose(matmul(x, y), x @ y, rtol=1e-3, atol=1e-3)
        cost = (n // 32) ** 3
        cases.append((f"jit sgemm {n}", partial(matmul, x, y), partial(np.matmul, x, y), cost))
    return cases


def threshold_table(rounds: int) -> None:
    """Per-call time of `tanh(2x+1)*x` on rows x 256 float32 on 1 and 2 threads, pool forced."""

    @zg.jit
    def elementwise(x: Any) -> Any:
        return zg.tanh(2.0 * x + 1.0) * x

    zthreads.set_min_parallel_ns(0)
    try:
        print(f"{'rows x 256':>10s} {'1 thread us':>12s} {'2 threads us':>13s} {'2t/1t':>7s}")
        for rows in (2, 8, 32, 128, 256, 512, 1024, 2048, 4096):
            x = np.random.default_rng(0).standard_normal((rows, 256), np.float32)
            elementwise(x)
            calls = max(5, 20_000 // rows)
            one: list[float] = []
            two: list[float] = []
            call = partial(elementwise, x)
            for _ in range(rounds):
                zthreads.set_num_threads(1)
                one.append(per_call_us(call, calls))
                zthreads.set_num_threads(2)
                two.append(per_call_us(call, calls))
            t1, t2 = statistics.median(one), statistics.median(two)
            print(f"{rows:10d} {t1:12.1f} {t2:13.1f} {t2 / t1:6.2f}x")
    finally:
        zthreads.set_min_parallel_ns(None)
        zthreads.set_num_threads(None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=41, help="interleaved rounds (default 41)")
    parser.add_argument("--calls", type=int, default=2000, help="calls per batch (default 2000)")
    parser.add_argument(
        "--threshold", action="store_true", help="time one parallel loop on 1 and 2 threads"
    )
    args = parser.parse_args()
    print(
        f"threads: Ziggurat {get_num_threads()} (parallel loops under "
        f"{zthreads.min_parallel_ns() / 1000:.0f} us run on the calling thread)"
    )
    if args.threshold:
        threshold_table(max(3, args.rounds // 4))
        return
    cases = dispatch_cases()
    # Two groups, each interleaved on its own: OpenBLAS's threads keep spinning for a while
    # after a GEMM, which would slow whatever small call came next.
    interleaved([c for c in cases if "sgemm" not in c[0]], args.rounds, args.calls)
    print()
    interleaved([c for c in cases if "sgemm" in c[0]], args.rounds, args.calls)


if __name__ == "__main__":
    main()
