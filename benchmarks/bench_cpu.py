"""CPU benchmarks: numpy vs Ziggurat (and torch eager, where installed), in one run.

Run: `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_cpu.py [--repeat N] [--threads T] [--only NAME ...]`
(this machine sets OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE, which slow numpy's OpenBLAS: unset both
for a fair peer)

Each workload is written as ztensor MLIR, compiled with the default pipeline, checked against
numpy, then timed (median and min of N runs, after a warm-up). Ratios are peer time /
Ziggurat time (zg/np for numpy, zg/torch for torch eager), so > 1 means Ziggurat is faster. Compile times are measured cold (empty object
cache in a temporary directory) and warm (same module again, from the on-disk cache).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

Array = np.ndarray[Any, Any]


@dataclass
class Workload:
    name: str
    mlir: str
    inputs: Callable[[np.random.Generator], list[Array]]
    numpy_fn: Callable[..., Array]
    rtol: float = 1e-4
    torch_fn: Callable[..., Any] | None = None


def _t(*shape: int) -> str:
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


def sgemm(n: int) -> Workload:
    ty = _t(n, n)
    mlir = f"""
func.func @main(%a: {ty}, %b: {ty}) -> {ty} {{
  %c = ztensor.matmul %a, %b : ({ty}, {ty}) -> {ty}
  func.return %c : {ty}
}}"""
    return Workload(
        f"sgemm {n}",
        mlir,
        lambda r: [r.standard_normal((n, n), np.float32), r.standard_normal((n, n), np.float32)],
        lambda a, b: a @ b,
        rtol=1e-3,
        torch_fn=lambda a, b: a @ b,
    )


def batched_matmul(batch: int, n: int) -> Workload:
    ty = _t(batch, n, n)
    mlir = f"""
func.func @main(%a: {ty}, %b: {ty}) -> {ty} {{
  %c = ztensor.matmul %a, %b : ({ty}, {ty}) -> {ty}
  func.return %c : {ty}
}}"""

    def inputs(r: np.random.Generator) -> list[Array]:
        return [r.standard_normal((batch, n, n), np.float32) for _ in range(2)]

    return Workload(
        f"batched matmul {batch}x{n}x{n}",
        mlir,
        inputs,
        lambda a, b: a @ b,
        rtol=1e-3,
        torch_fn=lambda a, b: a @ b,
    )


def matvec(n: int, vector_first: bool) -> Workload:
    """`A @ v` (a matrix times a column) or `u @ A` (a row times a matrix) on an n x n matrix,
    the vector 2-D: lowered as the reduction of the products (memory-bound)."""
    mat, col, row = _t(n, n), _t(n, 1), _t(1, n)
    lhs, rhs, out = (row, mat, row) if vector_first else (mat, col, col)
    mlir = f"""
func.func @main(%a: {lhs}, %b: {rhs}) -> {out} {{
  %c = ztensor.matmul %a, %b : ({lhs}, {rhs}) -> {out}
  func.return %c : {out}
}}"""
    shapes = [(1, n), (n, n)] if vector_first else [(n, n), (n, 1)]
    return Workload(
        f"{'u@A' if vector_first else 'A@v'} {n}x{n}",
        mlir,
        lambda r: [r.standard_normal(s, np.float32) for s in shapes],
        lambda a, b: a @ b,
        rtol=1e-3,
        torch_fn=lambda a, b: a @ b,
    )


def relu_gemm_bias(n: int) -> Workload:
    ty = _t(n, n)
    mlir = f"""
func.func @main(%a: {ty}, %b: {ty}, %c: {ty}) -> {ty} {{
  %m = ztensor.matmul %a, %b : ({ty}, {ty}) -> {ty}
  %s = ztensor.add %m, %c : ({ty}, {ty}) -> {ty}
  %r = ztensor.relu %s : {ty}
  func.return %r : {ty}
}}"""
    return Workload(
        f"relu(A@B+C) {n}",
        mlir,
        lambda r: [r.standard_normal((n, n), np.float32) for _ in range(3)],
        lambda a, b, c: np.maximum(a @ b + c, 0),
        rtol=1e-3,
        torch_fn=lambda a, b, c: (a @ b + c).relu(),
    )


def tanh_affine(n: int) -> Workload:
    ty = _t(n, n)
    mlir = f"""
func.func @main(%x: {ty}) -> {ty} {{
  %two = ztensor.constant dense<2.0> : tensor<f32>
  %one = ztensor.constant dense<1.0> : tensor<f32>
  %a = ztensor.mul %x, %two : ({ty}, tensor<f32>) -> {ty}
  %b = ztensor.add %a, %one : ({ty}, tensor<f32>) -> {ty}
  %t = ztensor.tanh %b : {ty}
  %r = ztensor.mul %t, %x : ({ty}, {ty}) -> {ty}
  func.return %r : {ty}
}}"""
    return Workload(
        f"tanh(2x+1)*x {n}x{n}",
        mlir,
        lambda r: [r.standard_normal((n, n), np.float32)],
        lambda x: np.tanh(2 * x + 1) * x,
        torch_fn=lambda x: (2 * x + 1).tanh() * x,
    )


def softmax_rows(n: int) -> Workload:
    ty = _t(n, n)
    mlir = f"""
func.func @main(%x: {ty}) -> {ty} {{
  %s = ztensor.softmax %x {{axis = -1 : i64}} : {ty}
  func.return %s : {ty}
}}"""

    def ref(x: Array) -> Array:
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    return Workload(
        f"softmax rows {n}x{n}",
        mlir,
        lambda r: [r.standard_normal((n, n), np.float32)],
        ref,
        torch_fn=lambda x: x.softmax(-1),
    )


def layernorm_rows(n: int) -> Workload:
    ty = _t(n, n)
    mlir = f"""
func.func @main(%x: {ty}) -> {ty} {{
  %s = ztensor.layernorm %x {{axis = -1 : i64, epsilon = 1.0e-05 : f32}} : {ty}
  func.return %s : {ty}
}}"""

    def ref(x: Array) -> Array:
        m = x.mean(axis=-1, keepdims=True)
        v = ((x - m) ** 2).mean(axis=-1, keepdims=True)
        return (x - m) / np.sqrt(v + np.float32(1e-5))

    return Workload(
        f"layernorm rows {n}x{n}",
        mlir,
        lambda r: [r.standard_normal((n, n), np.float32)],
        ref,
        rtol=1e-3,
        torch_fn=lambda x: _torch().nn.functional.layer_norm(x, x.shape[-1:], eps=1e-5),
    )


def _torch() -> Any:
    import torch

    return torch


def _torch_gpt2(x: Any, w1: Any, b1: Any, w2: Any, b2: Any) -> Any:
    f = _torch().nn.functional
    g = f.gelu(x @ w1 + b1, approximate="tanh")
    r = g @ w2 + b2 + x
    return f.layer_norm(r, r.shape[-1:], eps=1e-5)


def gpt2_mlp(rows: int = 256, d: int = 768) -> Workload:
    h = 4 * d
    x, w1, b1, w2, b2 = _t(rows, d), _t(d, h), _t(h), _t(h, d), _t(d)
    xh = _t(rows, h)
    mlir = f"""
func.func @main(%x: {x}, %w1: {w1}, %b1: {b1}, %w2: {w2}, %b2: {b2}) -> {x} {{
  %m1 = ztensor.matmul %x, %w1 : ({x}, {w1}) -> {xh}
  %a1 = ztensor.add %m1, %b1 : ({xh}, {b1}) -> {xh}
  %g = ztensor.gelu %a1 : {xh}
  %m2 = ztensor.matmul %g, %w2 : ({xh}, {w2}) -> {x}
  %a2 = ztensor.add %m2, %b2 : ({x}, {b2}) -> {x}
  %r = ztensor.add %a2, %x : ({x}, {x}) -> {x}
  %y = ztensor.layernorm %r {{axis = -1 : i64, epsilon = 1.0e-05 : f32}} : {x}
  func.return %y : {x}
}}"""

    def ref(xv: Array, w1v: Array, b1v: Array, w2v: Array, b2v: Array) -> Array:
        a = xv @ w1v + b1v
        g = (
            0.5
            * a
            * (1 + np.tanh(np.float32(np.sqrt(2 / np.pi)) * (a + np.float32(0.044715) * a**3)))
        )
        r = g @ w2v + b2v + xv
        m = r.mean(axis=-1, keepdims=True)
        v = ((r - m) ** 2).mean(axis=-1, keepdims=True)
        return (r - m) / np.sqrt(v + np.float32(1e-5))

    def inputs(r: np.random.Generator) -> list[Array]:
        s = np.float32(0.05)
        return [
            r.standard_normal((rows, d), np.float32),
            r.standard_normal((d, h), np.float32) * s,
            r.standard_normal((h,), np.float32) * s,
            r.standard_normal((h, d), np.float32) * s,
            r.standard_normal((d,), np.float32) * s,
        ]

    return Workload(f"GPT-2 MLP {rows}x{d}", mlir, inputs, ref, rtol=2e-3, torch_fn=_torch_gpt2)


WORKLOADS: list[Callable[[], Workload]] = [
    lambda: sgemm(1024),
    lambda: batched_matmul(512, 32),
    lambda: matvec(4096, False),
    lambda: matvec(4096, True),
    lambda: relu_gemm_bias(1024),
    lambda: tanh_affine(4096),
    lambda: softmax_rows(4096),
    lambda: layernorm_rows(4096),
    gpt2_mlp,
]


def _time(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3, min(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--only", nargs="*", default=None, help="substrings of workload names")
    args = parser.parse_args()

    import ziggurat as zg

    os.environ.setdefault("ZIGGURAT_CACHE_DIR", tempfile.mkdtemp(prefix="zg-bench-cache-"))
    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}; cache {os.environ['ZIGGURAT_CACHE_DIR']}")
    try:
        import torch

        torch_version: str | None = torch.__version__
        if args.threads:
            torch.set_num_threads(args.threads)
    except ImportError:
        torch_version = None
    print(f"torch {torch_version or 'not installed'} (eager); numba and jax: not installed")
    header = (
        f"{'workload':28} {'numpy ms':>10} {'zg ms':>10} {'zg/np':>7} {'torch ms':>9} "
        f"{'zg/torch':>8} {'cold s':>7} {'warm ms':>8}"
    )
    print(header)
    print("-" * len(header))
    for make in WORKLOADS:
        w = make()
        if args.only and not any(s in w.name for s in args.only):
            continue
        inputs = w.inputs(rng)
        t0 = time.perf_counter()
        exe = zg.compile(w.mlir, threads=args.threads)
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        zg.compile(w.mlir, threads=args.threads)
        warm = (time.perf_counter() - t0) * 1e3
        out = exe(*inputs)
        expected = w.numpy_fn(*inputs)
        err = float(np.max(np.abs(out - expected)) / (np.max(np.abs(expected)) + 1e-30))
        status = "" if err <= w.rtol else f"  WRONG (rel err {err:.2e})"
        np_ms, _ = _time(partial(w.numpy_fn, *inputs), args.repeat)
        zg_ms, _ = _time(partial(exe, *inputs), args.repeat)
        torch_cols = f"{'-':>9} {'-':>8}"
        if torch_version is not None and w.torch_fn is not None:
            tin = [torch.from_numpy(a) for a in inputs]
            fn = w.torch_fn
            with torch.no_grad():
                t_ms, _ = _time(partial(fn, *tin), args.repeat)
            torch_cols = f"{t_ms:9.2f} {t_ms / zg_ms:7.2f}x"
        print(
            f"{w.name:28} {np_ms:10.2f} {zg_ms:10.2f} {np_ms / zg_ms:6.2f}x {torch_cols} "
            f"{cold:7.2f} {warm:8.1f}{status}",
            flush=True,
        )


if __name__ == "__main__":
    main()
