"""Layouts benchmark: `zg.jit` on F-contiguous (np.asfortranarray) inputs against the same
functions on C-contiguous inputs and against numpy on the F-contiguous ones, in one run.

Run: `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_layouts.py [--rounds 41] [--n 1024]`

`zg.jit` reads an F-contiguous array where it is: the traced function takes its transpose (a
C-contiguous view) and the kernels fuse the transpose back into their reads. numpy's
elementwise ops keep the F order in their result (no transposed writes); `zg.jit` results are
C-ordered. Every round calls each variant once, in turns; the table gives the median over
rounds and the ratio numpy / Ziggurat on the same F-contiguous inputs (> 1: Ziggurat is
faster).
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

Array = np.ndarray[Any, Any]


def workloads(n: int) -> list[tuple[str, Callable[..., Any], list[Array]]]:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    return [
        (f"matmul {n}, F-ordered lhs", lambda x, y: x @ y, [a, b]),
        (f"matmul {n}, F-ordered rhs", lambda x, y: x @ y, [b, a]),
        (f"x * 2 + 1 on {n}x{n}", lambda x: x * np.float32(2) + np.float32(1), [a]),
        (f"row sums of {n}x{n}", lambda x: x.sum(axis=1), [a]),
        (f"softmax rows of {n}x{n}", _softmax, [a]),
    ]


def _softmax(x: Any) -> Any:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=41)
    parser.add_argument("--n", type=int, default=1024)
    args = parser.parse_args()
    print(f"median of {args.rounds} interleaved rounds, ms; F = np.asfortranarray")
    print(f"{'workload':30} {'numpy F':>9} {'zg F':>9} {'zg C':>9} {'np/zg (F)':>10}")
    for title, fn, inputs in workloads(args.n):
        # the first operand F-ordered ("rhs": the second), the others as they are
        which = 1 if "rhs" in title else 0
        f_inputs = list(inputs)
        f_inputs[which] = np.asfortranarray(inputs[which])
        jitted = zg.jit(fn)
        np.testing.assert_allclose(jitted(*f_inputs), fn(*f_inputs), rtol=2e-3, atol=2e-3)
        peers: dict[str, Callable[[], object]] = {
            "numpy F": partial(fn, *f_inputs),
            "zg F": partial(jitted, *f_inputs),
            "zg C": partial(jitted, *inputs),
        }
        for call in peers.values():
            call()
        times: dict[str, list[float]] = {name: [] for name in peers}
        for _ in range(args.rounds):
            for name, call in peers.items():
                t0 = time.perf_counter()
                call()
                times[name].append((time.perf_counter() - t0) * 1e3)
        med = {name: statistics.median(ts) for name, ts in times.items()}
        print(
            f"{title:30} {med['numpy F']:9.3f} {med['zg F']:9.3f} {med['zg C']:9.3f} "
            f"{med['numpy F'] / med['zg F']:10.2f}"
        )


if __name__ == "__main__":
    main()
