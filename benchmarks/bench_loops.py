"""Loop-transform benchmark: a time-iterated in-place stencil, untiled and tiled by
`zloop-tile{skew=true}`, with a numpy row loop as the peer; all timed in turns.

Run: `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_loops.py [--n 2048] [--sweeps 8] [--rounds 15]`

The nest (`SOURCE`): `sweeps` Gauss-Seidel-style sweeps over an n x n float32 array, each row
computed in place from the three neighbours above it,
`a[i][j] = (a[i-1][j-1] + a[i-1][j] + a[i-1][j+1]) * (1/3)`. Its (t, i, j) band has distances
such as (1, -1, -1), so rectangular tiles are illegal: `zloop-tile{skew=true}` skews it
(`i' = i + t, j' = j + 2*t + i`) and tiles the skewed band. Each variant is compiled on one
thread (`threads=1`; the loops stay sequential), checked against the untiled nest (bit for bit)
and timed. The peer is what a numpy user writes for this recurrence: one vectorized row
update per row and sweep (rows depend on the previous row only). Every round times each
variant once, one after the other; the table gives the median over rounds, the middle half
(25th-75th percentile) and time of the untiled nest / time of the variant.
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

SOURCE = """func.func @wave(%a: memref<{n}x{n}xf32>) {{
  %c1 = arith.constant 1 : index
  %third = arith.constant 0.333333343 : f32
  zloop.for %t = 0 to {sweeps} {{
    zloop.for %i = 1 to {last} {{
      zloop.for %j = 1 to {last} {{
        %im = arith.subi %i, %c1 : index
        %jm = arith.subi %j, %c1 : index
        %jp = arith.addi %j, %c1 : index
        %x = memref.load %a[%im, %jm] : memref<{n}x{n}xf32>
        %y = memref.load %a[%im, %j] : memref<{n}x{n}xf32>
        %z = memref.load %a[%im, %jp] : memref<{n}x{n}xf32>
        %s = arith.addf %x, %y : f32
        %u = arith.addf %s, %z : f32
        %r = arith.mulf %u, %third : f32
        memref.store %r, %a[%i, %j] : memref<{n}x{n}xf32>
      }}
    }}
  }}
  func.return
}}
"""

TILES = ((4, 32, 512), (8, 64, 256), (2, 16, 2048))


def numpy_sweeps(a: Array, sweeps: int) -> None:
    third = np.float32(1 / 3)
    for _ in range(sweeps):
        for i in range(1, a.shape[0] - 1):
            a[i, 1:-1] = (a[i - 1, :-2] + a[i - 1, 1:-1] + a[i - 1, 2:]) * third


def _one_thread(exe: Any) -> Callable[[Array], object]:
    return lambda a: exe(a, threads=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2048)
    parser.add_argument("--sweeps", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    source = SOURCE.format(n=args.n, sweeps=args.sweeps, last=args.n - 1)
    variants: dict[str, Callable[[Array], object]] = {}
    for name, pipeline in [("untiled", "cpu-pipeline")] + [
        (f"tiled {t}x{i}x{j}", f"zloop-tile{{sizes={t},{i},{j} skew=true}},cpu-pipeline")
        for t, i, j in TILES
    ]:
        variants[name] = _one_thread(zg.compile(source, pipeline=pipeline))
    variants["numpy row loop"] = lambda a: numpy_sweeps(a, args.sweeps)

    rng = np.random.default_rng(0)
    data = rng.standard_normal((args.n, args.n)).astype(np.float32)
    want = data.copy()
    variants["untiled"](want)
    for name, run in variants.items():
        got = data.copy()
        run(got)
        if name.startswith("numpy"):
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
        else:
            np.testing.assert_array_equal(got, want, err_msg=name)

    times: dict[str, list[float]] = {name: [] for name in variants}
    buffers = {name: data.copy() for name in variants}
    for _ in range(args.rounds):
        for name, run in variants.items():
            np.copyto(buffers[name], data)
            start = time.perf_counter()
            run(buffers[name])
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["untiled"])
    print(f"stencil sweeps: n={args.n}, {args.sweeps} sweeps, {args.rounds} rounds, 1 thread")
    print("| variant | median ms | middle half ms | untiled / variant |")
    print("|---|---|---|---|")
    for name, samples in times.items():
        q1, med, q3 = statistics.quantiles(samples, n=4, method="inclusive")
        print(f"| {name} | {med * 1e3:.2f} | {q1 * 1e3:.2f}-{q3 * 1e3:.2f} | {base / med:.2f}x |")


if __name__ == "__main__":
    main()
