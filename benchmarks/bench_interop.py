"""Interop benchmark: torch-mlir's linalg-on-tensors exports through Ziggurat and through IREE.

Run: `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_interop.py [--rounds 21] [--threads 1,2]`

The inputs are benchmarks/inputs/*.mlir, exported from PyTorch modules by
`python tests/interop/export_fixtures.py --bench` (torch 2.13.0+cpu, torch-mlir 20261001): an
MLP 256x768 -> 3072 -> 768 with exact (erf) GELU, a row softmax over 256x3072 and a LayerNorm
over 256x768, weights as arguments. Each file is compiled as it is by both compilers:

- Ziggurat: `zg.compile(text)` (the default `cpu-pipeline`: `linalg-to-ztensor`, eqsat, ...),
  called with `threads=N`;
- IREE 3.13 (the `interop` extra): `iree-compile --iree-hal-target-backends=llvm-cpu
  --iree-llvmcpu-target-cpu=host`, run on the `local-sync` driver for 1 thread (no worker
  threads, as IREE recommends for single-threaded runs) and on `local-task` with
  `--task_topology_max_group_count=N` for N > 1.

Both results are checked against each other first. Every round calls each variant once, in
turns; the table gives the median over rounds, the middle half (25th-75th percentile) and
IREE's median / Ziggurat's median (> 1: Ziggurat is faster).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from iree import compiler as ireec
from iree import runtime as ireert
from xdsl.dialects import func
from xdsl.dialects.builtin import TensorType

import ziggurat as zg

Array = np.ndarray[Any, Any]
INPUTS = Path(__file__).resolve().parent / "inputs"
MODELS = ("mlp_gelu", "softmax", "layernorm")


def _argument_shapes(text: str) -> list[tuple[int, ...]]:
    module = zg.parse_module(text)
    (main,) = [op for op in module.ops if isinstance(op, func.FuncOp)]
    shapes = []
    for ty in main.function_type.inputs.data:
        assert isinstance(ty, TensorType)
        shapes.append(tuple(ty.get_shape()))
    return shapes


def iree_callable(vmfb: bytes, threads: int) -> Callable[..., Array]:
    """`main` of `vmfb` on IREE's CPU runtime with `threads` worker threads (1: local-sync)."""
    if threads == 1:
        config = ireert.Config("local-sync")
    else:
        ireert.flags.parse_flags(f"--task_topology_max_group_count={threads}")
        config = ireert.Config("local-task")
    context = ireert.SystemContext(config=config)
    context.add_vm_module(ireert.VmModule.copy_buffer(context.instance, vmfb))
    main = context.modules.module["main"]
    device = config.device

    def run(*args: Array) -> Array:
        inputs = [ireert.asdevicearray(device, a) for a in args]
        return np.asarray(main(*inputs).to_host())

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--models", default=",".join(MODELS))
    args = parser.parse_args()
    thread_counts = [int(t) for t in args.threads.split(",")]
    print(f"{args.rounds} rounds; ratio = IREE / Ziggurat (median); times in ms")
    print("| model | threads | Ziggurat | IREE | ratio |")
    print("|---|---|---|---|---|")
    for model in args.models.split(","):
        text = (INPUTS / f"{model}.mlir").read_text()
        rng = np.random.default_rng(0)
        inputs = [rng.standard_normal(s).astype(np.float32) for s in _argument_shapes(text)]
        ours = zg.compile(text)
        vmfb = ireec.compile_str(
            text, target_backends=["llvm-cpu"], extra_args=["--iree-llvmcpu-target-cpu=host"]
        )
        for threads in thread_counts:
            theirs = iree_callable(vmfb, threads)
            variants: dict[str, Callable[[], Array]] = {
                "ziggurat": functools.partial(ours, *inputs, threads=threads),
                "iree": functools.partial(theirs, *inputs),
            }
            expected = variants["iree"]()
            np.testing.assert_allclose(variants["ziggurat"](), expected, rtol=2e-3, atol=2e-3)
            times: dict[str, list[float]] = {name: [] for name in variants}
            for _ in range(args.rounds):
                for name, run in variants.items():
                    start = time.perf_counter()
                    run()
                    times[name].append(time.perf_counter() - start)
            cells = []
            for name in variants:
                q1, med, q3 = statistics.quantiles(times[name], n=4, method="inclusive")
                cells.append(f"{med * 1e3:.2f} ({q1 * 1e3:.2f}-{q3 * 1e3:.2f})")
            ratio = statistics.median(times["iree"]) / statistics.median(times["ziggurat"])
            print(f"| {model} | {threads} | {cells[0]} | {cells[1]} | {ratio:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
