"""Quick start: a two-layer MLP written with numpy-like code, compiled by `@zg.jit`.

    python examples/quickstart.py            # batch 256, 784 -> 256 -> 10, float32
    python examples/quickstart.py --quick    # small sizes, a few runs (what the tests use)

The first call traces `mlp` into the ztensor dialect and compiles it through the default
pipeline (`cpu-pipeline`: canonicalize, eqsat, ztensor-to-ztile, bufferize, ztile-to-zloop,
convert-to-llvm, then LLVM); later calls with the same shapes and dtypes reuse the executable.
The result is checked against numpy, then both are timed in turns (a batch of calls of one,
then of the other, for several rounds, so that both see the same machine load): the median
per-call time of each with its spread over the rounds, and the thread counts each side used.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import ziggurat as zg
from ziggurat.runtime import get_num_threads

Array = np.ndarray[Any, Any]


@zg.jit
def mlp(x: Any, w1: Any, b1: Any, w2: Any, b2: Any) -> Any:
    h = zg.relu(x @ w1 + b1)
    return zg.softmax(h @ w2 + b2, axis=-1)


def mlp_numpy(x: Array, w1: Array, b1: Array, w2: Array, b2: Array) -> Array:
    h = np.maximum(x @ w1 + b1, 0)
    logits = h @ w2 + b2
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def per_call(fn: Callable[[], object], calls: int) -> float:
    """Wall time of one call of `fn` in seconds, averaged over a batch of `calls` calls."""
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def interleaved(
    ours: Callable[[], object], peer: Callable[[], object], rounds: int, calls: int
) -> tuple[list[float], list[float]]:
    """Per-call times of `ours` and `peer`, one batch of each per round (after a warm-up)."""
    ours()
    peer()
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(rounds):
        mine.append(per_call(ours, calls))
        theirs.append(per_call(peer, calls))
    return mine, theirs


def spread(times: list[float]) -> str:
    """Median and the range of the middle half (25th-75th percentile) in microseconds."""
    q1, median, q3 = statistics.quantiles(times, n=4, method="inclusive")
    return f"{median * 1e6:9.1f} us per call (middle half {q1 * 1e6:.1f}-{q3 * 1e6:.1f})"


def numpy_threads() -> str:
    """The thread count of numpy's OpenBLAS, when it can be asked (else 'unknown')."""
    with contextlib.suppress(OSError):
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
        for path in sorted(p for p in paths if ".so" in p):
            lib = ctypes.CDLL(path)
            for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads"):
                get = getattr(lib, name, None)
                if get is not None:
                    return f"{get()} OpenBLAS"
    return "unknown"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and few runs")
    args = parser.parse_args(argv)
    batch, features, hidden, classes, rounds, calls = (
        (16, 32, 16, 10, 5, 20) if args.quick else (256, 784, 256, 10, 21, 10)
    )

    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, features))
    w1 = rng.standard_normal((features, hidden)) / np.sqrt(features)
    b1 = rng.standard_normal(hidden) * 0.1
    w2 = rng.standard_normal((hidden, classes)) / np.sqrt(hidden)
    b2 = rng.standard_normal(classes) * 0.1
    inputs = tuple(a.astype(np.float32) for a in (x, w1, b1, w2, b2))

    start = time.perf_counter()
    probs = mlp(*inputs)  # traces and compiles (or loads from the on-disk cache)
    first_call = time.perf_counter() - start

    expected = mlp_numpy(*inputs)
    assert probs.shape == (batch, classes) and probs.dtype == np.float32
    assert np.allclose(probs, expected, rtol=1e-4, atol=1e-6), np.abs(probs - expected).max()
    print(f"MLP {batch}x{features} -> {hidden} -> {classes} (float32): matches numpy")
    print(f"  max abs difference: {np.abs(probs - expected).max():.2e}")
    print(f"  first call (trace + compile): {first_call * 1e3:.1f} ms")

    mine, theirs = interleaved(lambda: mlp(*inputs), lambda: mlp_numpy(*inputs), rounds, calls)
    ratio = statistics.median(theirs) / statistics.median(mine)
    print(f"  timed in turns, {rounds} rounds of {calls} calls each:")
    print(f"  zg.jit: {spread(mine)}  ({get_num_threads()} threads)")
    print(f"  numpy:  {spread(theirs)}  ({numpy_threads()} threads)")
    print(f"  zg.jit is {ratio:.2f}x numpy's speed (numpy's median time / zg.jit's)")
    print(f"  cache:  {mlp.cache_info()}")


if __name__ == "__main__":
    main()
