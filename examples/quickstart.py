"""Quick start: a two-layer MLP written with numpy-like code, compiled by `@zg.jit`.

    python examples/quickstart.py            # batch 256, 784 -> 256 -> 10, float32
    python examples/quickstart.py --quick    # small sizes, a few runs (what the tests use)

The first call traces `mlp` into the ztensor dialect and compiles it through the default
pipeline (`cpu-pipeline`: canonicalize, eqsat, ztensor-to-ztile, bufferize, ztile-to-zloop,
convert-to-llvm, then LLVM); later calls with the same shapes and dtypes reuse the executable.
The result is checked against numpy and both are timed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import ziggurat as zg

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


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of `fn()` in seconds over `repeat` runs (after one warm-up run)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and few runs")
    args = parser.parse_args(argv)
    batch, features, hidden, classes, repeat = (
        (16, 32, 16, 10, 3) if args.quick else (256, 784, 256, 10, 50)
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

    t_zg = best_time(lambda: mlp(*inputs), repeat)
    t_np = best_time(lambda: mlp_numpy(*inputs), repeat)
    print(f"  zg.jit: {t_zg * 1e6:9.1f} us per call")
    print(f"  numpy:  {t_np * 1e6:9.1f} us per call  (zg.jit is {t_np / t_zg:.2f}x numpy's speed)")
    print(f"  cache:  {mlp.cache_info()}")


if __name__ == "__main__":
    main()
