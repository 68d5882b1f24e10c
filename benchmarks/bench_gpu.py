"""GPU benchmark: an f16 GEMM 4096^3 and the GPT-2 MLP block, Ziggurat's kernels against torch
(cuBLAS and torch's CUDA kernels) on the same GPU, in one run of under 5 minutes.

Run on a machine with an NVIDIA GPU (sm_80 or newer), the `gpu` extra and torch with CUDA:

    python benchmarks/bench_gpu.py [--rounds 30] [--json out.json]

Without a GPU, `--check` does everything up to the launch: it compiles both workloads with
`gpu-pipeline` for `--arch` (default sm_90), assembles the PTX with ptxas, reports whether the
GEMM uses tensor cores (`mma.sync`), and runs a small f16 GEMM and the GPT-2 block at a small
size through the CPU interpreter of the generated kernels against numpy:

    python benchmarks/bench_gpu.py --check

What is timed (median over `--rounds`, each round one call of each peer in turn, after a
warm-up): for Ziggurat, the kernels alone on device buffers (`GpuExecutable.prepare(...).launch()`,
which launches every kernel of the function and synchronizes the context), and also the whole
`zg.jit(device="cuda")` call (host arrays in and out, so it includes the copies); for torch,
the same computation on device tensors followed by `torch.cuda.synchronize()` (torch eager,
and torch.compile after its warm-up where it works). Results are checked against torch first.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import ziggurat as zg

Array = np.ndarray[Any, Any]
GEMM = 4096
BLOCK = (256, 768, 3072)
"""GPT-2 MLP block: tokens, model width, hidden width."""


def gemm_text(n: int, elt: str = "f16") -> str:
    t = f"tensor<{n}x{n}x{elt}>"
    return (
        f"func.func @gemm(%a: {t}, %b: {t}) -> {t} {{\n"
        f"  %c = ztensor.matmul %a, %b : ({t}, {t}) -> {t}\n"
        f"  func.return %c : {t}\n}}\n"
    )


def gpt2_mlp(x: Any, w1: Any, b1: Any, w2: Any, b2: Any) -> Any:
    h = zg.gelu(x @ w1 + b1) @ w2 + b2 + x
    return zg.layer_norm(h, axis=-1)


def block_inputs(tokens: int, width: int, hidden: int) -> list[Array]:
    rng = np.random.default_rng(0)
    return [
        rng.standard_normal((tokens, width), dtype=np.float32),
        rng.standard_normal((width, hidden), dtype=np.float32) * np.float32(0.02),
        np.zeros(hidden, np.float32),
        rng.standard_normal((hidden, width), dtype=np.float32) * np.float32(0.02),
        np.zeros(width, np.float32),
    ]


def gemm_inputs(n: int) -> list[Array]:
    rng = np.random.default_rng(1)
    return [rng.standard_normal((n, n)).astype(np.float16) for _ in range(2)]


def block_module(inputs: list[Array]) -> Any:
    """The traced ztensor module of the GPT-2 block (what zg.jit compiles)."""
    return zg.jit(gpt2_mlp, device="cuda").lower(*inputs).module


# -- --check: no GPU needed ----------------------------------------------------------------------


def check(arch: str) -> int:
    from xdsl.context import Context

    from ziggurat.gpu_pipeline import GpuPipelinePass
    from ziggurat.lowering.nvvm_interpret import run_function
    from ziggurat.lowering.ztile_to_nvvm import lower_module
    from ziggurat.runtime.ptx import ptx_of

    ptxas = shutil.which("ptxas")

    def lowered(module: Any) -> Any:
        *front, _ = GpuPipelinePass(arch=arch).inner_passes()
        for p in front:
            p.apply(Context(), module)
        return lower_module(module)

    status = 0
    workloads = [
        ("f16 GEMM 4096^3", zg.parse_module(gemm_text(GEMM)), "gemm"),
        ("GPT-2 MLP block", block_module(block_inputs(*BLOCK)), "gpt2_mlp"),
    ]
    for title, module, name in workloads:
        program = lowered(module)
        ptx = ptx_of(str(program.module), arch)
        kernels = len(program.manifest[name]["launches"])
        mma = "mma.sync" in ptx
        line = f"{title}: {kernels} kernels, {len(ptx) // 1024} KiB of PTX, mma.sync: {mma}"
        if ptxas is None:
            line += ", ptxas: not on PATH (not checked)"
        else:
            with tempfile.TemporaryDirectory() as tmp:
                src = Path(tmp) / "k.ptx"
                src.write_text(ptx)
                done = subprocess.run(
                    [ptxas, f"-arch={arch}", str(src), "-o", str(Path(tmp) / "k.cubin")],
                    capture_output=True,
                    text=True,
                    check=False,
                )
            line += ", ptxas: " + ("ok" if done.returncode == 0 else done.stderr.strip())
            status |= done.returncode != 0
        print(line)
    # the same kernels at small sizes, on the CPU interpreter of the generated LLVM IR
    rng = np.random.default_rng(2)
    a = rng.standard_normal((128, 96)).astype(np.float16)
    b = rng.standard_normal((96, 80)).astype(np.float16)
    text = (
        "func.func @gemm(%a: tensor<128x96xf16>, %b: tensor<96x80xf16>) -> tensor<128x80xf16> {\n"
        "  %c = ztensor.matmul %a, %b : (tensor<128x96xf16>, tensor<96x80xf16>) -> "
        "tensor<128x80xf16>\n  func.return %c : tensor<128x80xf16>\n}\n"
    )
    (got,) = run_function(lowered(zg.parse_module(text)), "gemm", [a, b])
    want = (a.astype(np.float32) @ b.astype(np.float32)).astype(np.float16)
    err = float(np.max(np.abs(got.astype(np.float32) - want.astype(np.float32))))
    print(f"f16 GEMM 128x96x80 on the interpreter: max |diff| to numpy {err:.3g}")
    status |= not err < 0.05
    inputs = block_inputs(32, 64, 128)
    (got,) = run_function(lowered(block_module(inputs)), "gpt2_mlp", inputs)
    want = zg.jit(gpt2_mlp)(*inputs)
    err = float(np.max(np.abs(got - want)))
    print(f"GPT-2 block 32x64x128 on the interpreter: max |diff| to the CPU backend {err:.3g}")
    status |= not err < 1e-3
    return int(status)


# -- the GPU run ---------------------------------------------------------------------------------


def run(rounds: int, out: str | None) -> int:
    try:
        import torch
    except ImportError:
        torch = None
    from ziggurat.runtime import cuda

    gpu = cuda.device(0)  # CudaUnavailableError: one line saying what is missing
    print(f"GPU: {gpu.name} ({gpu.arch}); torch: {getattr(torch, '__version__', 'not installed')}")
    has_torch = torch is not None and torch.cuda.is_available()
    if torch is not None and not has_torch:
        print("torch has no CUDA here: the peers are skipped")
    rows: list[dict[str, Any]] = []

    # f16 GEMM
    a, b = gemm_inputs(GEMM)
    exe = zg.compile(gemm_text(GEMM), device="cuda")
    call = exe.prepare("gemm", [a, b])
    flops = 2.0 * GEMM**3
    peers: dict[str, Callable[[], object]] = {"ziggurat kernels": call.launch}
    if has_torch:
        ta, tb = (torch.from_numpy(x).cuda() for x in (a, b))

        def cublas() -> Any:
            c = ta @ tb
            torch.cuda.synchronize()
            return c

        want = cublas().float().cpu().numpy()
        call.launch()
        got = call.results()[0].astype(np.float32)
        rel = float(np.max(np.abs(got - want)) / np.max(np.abs(want)))
        print(f"f16 GEMM: max relative difference to cuBLAS {rel:.2e}")
        peers["torch (cuBLAS)"] = cublas
    rows += measure("f16 GEMM 4096^3", peers, rounds, flops)
    call.close()

    # GPT-2 MLP block
    inputs = block_inputs(*BLOCK)
    jitted = zg.jit(gpt2_mlp, device="cuda")
    jitted(*inputs)
    exe = zg.compile(block_module(inputs), device="cuda")
    call = exe.prepare("gpt2_mlp", inputs)
    peers = {
        "ziggurat kernels": call.launch,
        "ziggurat zg.jit call (with copies)": lambda: jitted(*inputs),
    }
    if has_torch:
        import torch.nn.functional as F

        device_inputs = [torch.from_numpy(x).cuda() for x in inputs]

        def block(x: Any, w1: Any, b1: Any, w2: Any, b2: Any) -> Any:
            h = F.gelu(x @ w1 + b1, approximate="tanh") @ w2 + b2 + x
            return F.layer_norm(h, (h.shape[-1],), eps=1e-5)

        def synchronized(fn: Callable[..., Any]) -> Callable[[], Any]:
            def call_it() -> Any:
                y = fn(*device_inputs)
                torch.cuda.synchronize()
                return y

            return call_it

        call.launch()
        got = call.results()[0]
        diff = np.max(np.abs(got - synchronized(block)().cpu().numpy()))
        print(f"GPT-2 block: max |difference| to torch eager {diff:.2e}")
        peers["torch eager"] = synchronized(block)
        try:
            compiled = synchronized(torch.compile(block))
            for _ in range(3):
                compiled()
            peers["torch.compile"] = compiled
        except Exception as err:  # a peer that does not work is reported, not fatal
            print(f"torch.compile is skipped: {type(err).__name__}: {err}")
    block_flops = 2.0 * BLOCK[0] * BLOCK[1] * BLOCK[2] * 2
    rows += measure("GPT-2 MLP block 256x768x3072", peers, rounds, block_flops)
    call.close()
    if out:
        record = {"gpu": gpu.name, "arch": gpu.arch, "rows": rows}
        Path(out).write_text(json.dumps(record, indent=1))
    return 0


def measure(
    title: str, peers: dict[str, Callable[[], object]], rounds: int, flops: float
) -> list[dict[str, Any]]:
    for fn in peers.values():  # warm-up
        fn()
    times: dict[str, list[float]] = {name: [] for name in peers}
    for _ in range(rounds):
        for name, fn in peers.items():
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) * 1e3)
    base = statistics.median(times["ziggurat kernels"])
    print(f"\n{title} (median of {rounds} interleaved rounds)")
    print(f"  {'peer':38} {'ms':>9} {'IQR':>17} {'TFLOP/s':>8} {'time / zg kernels':>17}")
    rows = []
    for name, ts in times.items():
        med = statistics.median(ts)
        q = statistics.quantiles(ts, n=4)
        ratio = med / base
        tflops = flops / med / 1e9
        print(f"  {name:38} {med:9.3f} {q[0]:8.3f}-{q[2]:8.3f} {tflops:8.1f} {ratio:17.2f}")
        rows.append({"workload": title, "peer": name, "ms": med, "q1": q[0], "q3": q[2]})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compile and check without a GPU")
    parser.add_argument("--arch", default="sm_90", help="the arch of --check (default sm_90)")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--json", help="write the measurements to this file")
    args = parser.parse_args()
    if args.check:
        return check(args.arch)
    return run(args.rounds, args.json)


if __name__ == "__main__":
    sys.exit(main())
