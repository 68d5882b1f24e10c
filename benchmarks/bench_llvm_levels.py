"""LLVM's O2 against O3 on the IR Ziggurat's pipeline emits: compile time and kernel time.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_llvm_levels.py

Each workload of benchmarks/bench_cpu.py (and sgemm at 64 and 256) is lowered once by
`zg.compile`; its LLVM IR is then compiled by `compile_llvm_ir` at O2 and at O3 without the
cache (twice each, the faster counts), and the two kernels are timed in turns: 15 rounds of
a ~20 ms batch of each, median per call. Both results are checked against each other. This
is the measurement behind `ziggurat.runtime.compiler.pipeline_llvm_level` (the pipeline's
opt level 3 runs LLVM at O2).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

import bench_cpu  # the script's folder is on sys.path when it runs
import numpy as np


def first(result: Any) -> Any:
    return result[0] if isinstance(result, tuple) else result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("ZIGGURAT_CACHE_DIR", tempfile.mkdtemp(prefix="zg-bench-cache-"))

    import ziggurat as zg
    from ziggurat.runtime import compile_llvm_ir

    rng = np.random.default_rng(0)
    makers: list[Callable[[], bench_cpu.Workload]] = [
        *bench_cpu.WORKLOADS,
        lambda: bench_cpu.sgemm(256),
        lambda: bench_cpu.sgemm(64),
    ]
    print(f"{'workload':28} {'O2 s':>6} {'O3 s':>6} {'O2 ms':>9} {'O3 ms':>9} {'O3/O2':>7}")
    for make in makers:
        work = make()
        inputs = work.inputs(rng)
        exe = zg.compile(work.mlir)
        ir, sigs, name = exe.compiled.ir_text, exe.signatures, exe.entry_name
        compile_s: dict[int, float] = {}
        kernels = {}
        for level in (2, 3, 2, 3):
            start = time.perf_counter()
            module = compile_llvm_ir(ir, sigs, opt_level=level, cache=False)
            elapsed = time.perf_counter() - start
            compile_s[level] = min(compile_s.get(level, elapsed), elapsed)
            kernels[level] = module.kernel(name)
        np.testing.assert_allclose(
            first(kernels[2](*inputs)), first(kernels[3](*inputs)), rtol=1e-4, atol=1e-5
        )
        start = time.perf_counter()
        kernels[3](*inputs)
        batch = max(1, int(0.02 / max(time.perf_counter() - start, 1e-7)))
        times: dict[int, list[float]] = {2: [], 3: []}
        for _ in range(args.rounds):
            for level in (2, 3):
                start = time.perf_counter()
                for _ in range(batch):
                    kernels[level](*inputs)
                times[level].append((time.perf_counter() - start) / batch)
        o2, o3 = (statistics.median(times[level]) * 1e3 for level in (2, 3))
        print(
            f"{work.name:28} {compile_s[2]:6.2f} {compile_s[3]:6.2f} {o2:9.3f} {o3:9.3f} "
            f"{o3 / o2:6.2f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
