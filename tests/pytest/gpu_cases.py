"""The cases of every ztensor op for the GPU tests (test_gpu.py in f32, test_gpu_16bit.py in
f16 and bf16): one function per op with inputs and float64 references, one small shape and one
with edge tiles (a shape the GPU tiles do not divide, so masked loads and stores, padded K
chunks and partial thread slots are exercised); and `assemble`, which runs ptxas on PTX."""

from __future__ import annotations

import math
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

NDArray = np.ndarray[Any, Any]
PTXAS = shutil.which("ptxas")
needs_ptxas = pytest.mark.skipif(PTXAS is None, reason="ptxas (CUDA toolkit) is not on PATH")


def assemble(ptx: str | Path, arch: str, tmp_path: Path) -> None:
    """Assert that ptxas accepts `ptx` (text, or a .ptx file) for `arch`."""
    src = ptx if isinstance(ptx, Path) else tmp_path / "k.ptx"
    if not isinstance(ptx, Path):
        src.write_text(ptx)
    assert PTXAS is not None
    done = subprocess.run(
        [PTXAS, f"-arch={arch}", str(src), "-o", str(tmp_path / "k.cubin")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def ttype(shape: Sequence[int], elt: str = "f32") -> str:
    return "tensor<" + "".join(f"{d}x" for d in shape) + elt + ">"


def ref_gelu(x: NDArray) -> NDArray:
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


UNARY: dict[str, Callable[[NDArray], NDArray]] = {
    "neg": np.negative,
    "exp": np.exp,
    "log": np.log,
    "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "relu": lambda x: np.maximum(x, 0.0),
    "gelu": ref_gelu,
    "sqrt": np.sqrt,
    "rsqrt": lambda x: 1 / np.sqrt(x),
    "abs": np.abs,
    "erf": np.vectorize(math.erf, otypes=[np.float64]),
    "floor": np.floor,
    "ceil": np.ceil,
}
POSITIVE = {"log", "sqrt", "rsqrt"}
BINARY: dict[str, Callable[[NDArray, NDArray], NDArray]] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "pow": np.power,
}
CMP = {"olt": np.less, "oge": np.greater_equal, "une": np.not_equal, "oeq": np.equal}

SMALL = (5, 7)
EDGE = (9, 300)
"""Elementwise tiles on the GPU are 4x256: 3x2 programs, the last row and column partial."""


@dataclass
class Case:
    """One function `@name` and its float64 reference."""

    name: str
    text: str
    inputs: list[NDArray]
    expected: list[NDArray]
    rtol: float = 2e-6
    atol: float = 1e-6


@dataclass
class Cases:
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))
    cases: list[Case] = field(default_factory=list)
    round_to: Any = None
    """A 16-bit dtype the data are rounded through (still held as f32), so that the float64
    references are exact for the same inputs in that type."""

    def data(self, shape: Sequence[int], positive: bool = False) -> NDArray:
        x = self.rng.standard_normal(tuple(shape))
        if positive:
            x = np.abs(x) + 0.5
        if self.round_to is not None:
            return x.astype(self.round_to).astype(np.float32)
        return x.astype(np.float32)

    def add(
        self,
        name: str,
        inputs: list[NDArray],
        body: str,
        results: list[tuple[str, NDArray]],
        **tol: float,
    ) -> None:
        args = ", ".join(f"%a{i}: {ttype(x.shape)}" for i, x in enumerate(inputs))
        types = ", ".join(t for t, _ in results)
        names = ", ".join(f"%r{i}" for i in range(len(results)))
        text = (
            f"func.func @{name}({args}) -> ({types}) {{\n{body}\n"
            f"  func.return {names} : {types}\n}}\n"
        )
        self.cases.append(Case(name, text, inputs, [r for _, r in results], **tol))


def build_cases(round_to: Any = None) -> list[Case]:
    c = Cases(round_to=round_to)
    for tag, shape in (("small", SMALL), ("edge", EDGE)):
        for op, ref in UNARY.items():
            x = c.data(shape, positive=op in POSITIVE)
            ty = ttype(shape)
            with np.errstate(all="ignore"):
                expected = ref(x.astype(np.float64))
            c.add(f"{op}_{tag}", [x], f"  %r0 = ztensor.{op} %a0 : {ty}", [(ty, expected)])
        for op, ref2 in BINARY.items():
            other = (shape[1],) if tag == "small" else (shape[0], 1)
            x, y = c.data(shape, positive=op == "pow"), c.data(other)
            if op == "pow":  # negative bases with integral exponents too
                x[0, :] = -x[0, :]
                y = np.round(y * 3).astype(np.float32)
            ty = ttype(shape)
            with np.errstate(all="ignore"):
                expected = ref2(x.astype(np.float64), y.astype(np.float64))
            line = f"  %r0 = ztensor.{op} %a0, %a1 : ({ty}, {ttype(other)}) -> {ty}"
            c.add(f"{op}_{tag}", [x, y], line, [(ty, expected)], rtol=2e-5 if op == "pow" else 2e-6)
        x, y = c.data(shape), c.data(shape)
        y.flat[::5] = x.flat[::5]  # some equal pairs
        ty, bt = ttype(shape), ttype(shape, "i1")
        lines, results = [], []
        for i, (pred, rel) in enumerate(CMP.items()):
            lines.append(f'  %c{i} = ztensor.cmp "{pred}" %a0, %a1 : ({ty}, {ty}) -> {bt}')
            lines.append(f"  %r{i} = ztensor.select %c{i}, %a0, %a1 : ({bt}, {ty}, {ty}) -> {ty}")
            results.append((ty, np.where(rel(x, y), x, y).astype(np.float64)))
        c.add(f"cmp_select_{tag}", [x, y], "\n".join(lines), results)
    for tag, (m, k, n) in (("small", (5, 7, 6)), ("edge", (70, 40, 80))):
        a, b = c.data((m, k)), c.data((k, n))
        line = (
            f"  %r0 = ztensor.matmul %a0, %a1 : ({ttype((m, k))}, {ttype((k, n))}) -> "
            f"{ttype((m, n))}"
        )
        expected = a.astype(np.float64) @ b
        c.add(f"matmul_{tag}", [a, b], line, [(ttype((m, n)), expected)], rtol=1e-5, atol=1e-5)
    x3 = c.data((2, 3, 4))
    x2 = c.data((70, 40))
    c.add(
        "layout",
        [x3, x2],
        "\n".join(
            [
                f"  %r0 = ztensor.transpose %a0 {{permutation = array<i64: 2, 0, 1>}} : "
                f"{ttype((2, 3, 4))} -> {ttype((4, 2, 3))}",
                f"  %r1 = ztensor.transpose %a1 {{permutation = array<i64: 1, 0>}} : "
                f"{ttype((70, 40))} -> {ttype((40, 70))}",
                f"  %r2 = ztensor.reshape %a0 : {ttype((2, 3, 4))} -> {ttype((6, 4))}",
                f"  %r3 = ztensor.broadcast_to %a0 : {ttype((2, 3, 4))} -> {ttype((5, 2, 3, 4))}",
            ]
        ),
        [
            (ttype((4, 2, 3)), np.transpose(x3, (2, 0, 1)).astype(np.float64)),
            (ttype((40, 70)), x2.T.astype(np.float64)),
            (ttype((6, 4)), x3.reshape(6, 4).astype(np.float64)),
            (ttype((5, 2, 3, 4)), np.broadcast_to(x3, (5, 2, 3, 4)).astype(np.float64)),
        ],
    )
    for tag, shape in (("small", SMALL), ("edge", (3, 5000))):
        x = c.data(shape)
        x64 = x.astype(np.float64)
        ty = ttype(shape)
        lines, results = [], []
        specs: list[tuple[str, Callable[..., NDArray], tuple[int, ...], bool]] = [
            ("sum", np.sum, (1,), False),
            ("max", np.max, (0,), False),
            ("mean", np.mean, (1,), True),
            ("sum", np.sum, (0, 1), False),
        ]
        for i, (kind, ref, axes, keep) in enumerate(specs):
            expected = np.asarray(ref(x64, axis=axes, keepdims=keep))
            rt = ttype(expected.shape)
            attrs = (
                f"axes = array<i64: {', '.join(map(str, axes))}>, keepdims = {str(keep).lower()}"
            )
            lines.append(f"  %r{i} = ztensor.reduce_{kind} %a0 {{{attrs}}} : {ty} -> {rt}")
            results.append((rt, expected))
        c.add(f"reduce_{tag}", [x], "\n".join(lines), results, rtol=1e-5, atol=1e-5)
    for tag, shape in (("small", SMALL), ("edge", EDGE)):
        x = c.data(shape)
        x64 = x.astype(np.float64)
        ty = ttype(shape)
        e = np.exp(x64 - x64.max(axis=-1, keepdims=True))
        centered = x64 - x64.mean(axis=-1, keepdims=True)
        eps = float(np.float32(1e-5))
        norm = centered / np.sqrt((centered**2).mean(axis=-1, keepdims=True) + eps)
        body = (
            f"  %r0 = ztensor.softmax %a0 {{axis = -1 : i64}} : {ty}\n"
            f"  %r1 = ztensor.layernorm %a0 {{axis = -1 : i64, epsilon = 1.0e-05 : f32}} : {ty}"
        )
        results = [(ty, e / e.sum(axis=-1, keepdims=True)), (ty, norm)]
        c.add(f"normalize_{tag}", [x], body, results, rtol=1e-5, atol=1e-6)
    x = c.data(SMALL)
    ty = ttype(SMALL)
    body = (
        f"  %k = ztensor.constant dense<2.5> : {ty}\n"
        f"  %r0 = ztensor.mul %a0, %k : ({ty}, {ty}) -> {ty}"
    )
    c.add("constant_splat", [x], body, [(ty, x.astype(np.float64) * 2.5)])
    v = c.data((3,))
    body = (
        "  %k = ztensor.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>\n"
        "  %r0 = ztensor.add %a0, %k : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>\n"
        "  %r1 = ztensor.neg %k : tensor<3xf32>"
    )
    steps = np.arange(1.0, 4.0)
    c.add("constant_dense", [v], body, [("tensor<3xf32>", v + steps), ("tensor<3xf32>", -steps)])
    line = "  %r0 = ztensor.reshape %a0 : tensor<3xf32> -> tensor<3xf32>"
    c.add("identity", [v], line, [("tensor<3xf32>", v.astype(np.float64))])
    return c.cases
