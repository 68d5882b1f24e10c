"""f16 and bf16 end to end: ztensor programs through `cpu-pipeline` and the runtime, checked
against numpy (`np.float16`) and ml_dtypes (`ml_dtypes.bfloat16`), and against the reference
interpreter.

The semantics (dialects/optable.py): an exact op (`add`, `mul`, `sqrt`, ...) is numpy's on the
narrow dtype, bit for bit (so no FMA may form across a chain such as `a * b + a`); a
transcendental or composite op computes in f32 and rounds once, compared with the float64
value within one ulp of the narrow type (the compiled f32 polynomials differ from numpy's f32
functions by an ulp of f32, which can move a rounding); reductions and matmul accumulate in f32
and round once, compared with the float64 value within an ulp plus the f32 summation error.
One module per dtype holds every op (one compile each); the shapes are edge-tile shapes (7x13,
33x65: tails of rows and columns against the vector width and the tile sizes).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import ml_dtypes
import numpy as np
import pytest

import ziggurat as zg
from ziggurat.artifacts import specs_from_json, specs_to_json
from ziggurat.dialects import optable
from ziggurat.runtime import ArgSpec

NDArray = np.ndarray[Any, Any]
F16 = np.dtype(np.float16)
BF16 = np.dtype(ml_dtypes.bfloat16)
NAMES = {F16: "f16", BF16: "bf16", np.dtype(np.float32): "f32", np.dtype(np.float64): "f64"}
EPS = {F16: 2.0**-10, BF16: 2.0**-7}
"""The distance from 1 to the next value: one ulp relative to a value in [1, 2)."""

EXACT_UNARY = ("neg", "relu", "sqrt", "abs", "floor", "ceil")
EXACT_BINARY = ("add", "sub", "mul", "div", "maximum", "minimum")
POSITIVE = {"log", "sqrt", "rsqrt"}


def tensor(shape: tuple[int, ...], dtype: np.dtype[Any]) -> str:
    return "tensor<" + "".join(f"{d}x" for d in shape) + NAMES[dtype] + ">"


def _erf64(x: NDArray) -> NDArray:
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def _gelu64(x: NDArray) -> NDArray:
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


F64_UNARY: dict[str, Callable[[NDArray], NDArray]] = {
    "exp": np.exp,
    "log": np.log,
    "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "gelu": _gelu64,
    "rsqrt": lambda x: 1 / np.sqrt(x),
    "erf": _erf64,
}
NUMPY_EXACT: dict[str, Callable[..., NDArray]] = {
    "neg": np.negative,
    "relu": lambda x: np.maximum(x, x.dtype.type(0)),
    "sqrt": np.sqrt,
    "abs": np.abs,
    "floor": np.floor,
    "ceil": np.ceil,
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "maximum": np.maximum,
    "minimum": np.minimum,
}


class Narrow:
    """One module of many ops on `dtype` tensors, with the expected result of each: `exact`
    (bit for bit) or a float64 value and a relative tolerance in ulps of `dtype`."""

    def __init__(self, dtype: np.dtype[Any]) -> None:
        self.dtype = dtype
        self.rng = np.random.default_rng(7)
        self.args: list[tuple[str, str]] = []
        self.inputs: list[NDArray] = []
        self.lines: list[str] = []
        self.results: list[tuple[str, str, str]] = []  # (label, name, type)
        self.expected: list[tuple[NDArray, float | None, float]] = []
        self.count = 0

    def arg(self, values: NDArray) -> str:
        name = f"%a{len(self.args)}"
        self.args.append((name, tensor(values.shape, values.dtype)))
        self.inputs.append(values)
        return name

    def random(self, shape: tuple[int, ...], positive: bool = False) -> NDArray:
        x = self.rng.standard_normal(shape) * 2
        return (np.abs(x) + 0.25 if positive else x).astype(self.dtype)

    def emit(self, text: str, ty: str) -> str:
        name = f"%v{self.count}"
        self.count += 1
        self.lines.append(f"  {name} = {text}")
        return name

    def result(
        self, label: str, name: str, ty: str, want: NDArray, ulps: float | None, atol: float = 0.0
    ) -> None:
        self.results.append((label, name, ty))
        self.expected.append((np.asarray(want), ulps, atol))

    def text(self) -> str:
        args = ", ".join(f"{n}: {t}" for n, t in self.args)
        types = ", ".join(t for _, _, t in self.results)
        names = ", ".join(n for _, n, _ in self.results)
        body = "\n".join(self.lines)
        return (
            f"func.func @f({args}) -> ({types}) {{\n{body}\n  func.return {names} : {types}\n}}\n"
        )

    def check(self, got: tuple[NDArray, ...], what: str) -> None:
        failures = []
        for (label, _, _), value, (want, ulps, atol) in zip(
            self.results, got, self.expected, strict=True
        ):
            try:
                assert value.dtype == want.dtype if ulps is None else True, value.dtype
                assert value.shape == want.shape, value.shape
                if ulps is None:
                    same = (value.view(np.uint16) == want.view(np.uint16)) | (
                        np.isnan(value.astype(np.float32)) & np.isnan(want.astype(np.float32))
                    )
                    assert same.all(), f"{(~same).sum()} elements differ in their bits"
                else:
                    eps = EPS[np.dtype(value.dtype)]
                    np.testing.assert_allclose(
                        value.astype(np.float64), want, rtol=ulps * eps, atol=atol
                    )
            except AssertionError as error:
                failures.append(f"--- {label}: {str(error).strip()}")
        assert not failures, f"{what}: {len(failures)} results differ:\n" + "\n".join(failures)


def build(dtype: np.dtype[Any]) -> Narrow:
    p = Narrow(dtype)
    ty = tensor((7, 13), dtype)
    a, b, pos = p.random((7, 13)), p.random((7, 13)), p.random((7, 13), positive=True)
    na, nb, npos = p.arg(a), p.arg(b), p.arg(pos)
    for op in EXACT_UNARY:
        x, nx = (pos, npos) if op in POSITIVE else (a, na)
        v = p.emit(f"ztensor.{op} {nx} : {ty}", ty)
        p.result(op, v, ty, NUMPY_EXACT[op](x), None)
    for op in EXACT_BINARY:
        v = p.emit(f"ztensor.{op} {na}, {nb} : ({ty}, {ty}) -> {ty}", ty)
        p.result(op, v, ty, NUMPY_EXACT[op](a, b), None)
    for op, f64 in F64_UNARY.items():
        x, nx = (pos, npos) if op in POSITIVE else (a, na)
        v = p.emit(f"ztensor.{op} {nx} : {ty}", ty)
        # atol: where `gelu` cancels (1 + tanh(-big)), its f32 value is off by ~1e-7.
        p.result(op, v, ty, f64(x.astype(np.float64)), 1.0, atol=3e-7)
    v = p.emit(f"ztensor.pow {npos}, {nb} : ({ty}, {ty}) -> {ty}", ty)
    p.result("pow", v, ty, np.power(pos.astype(np.float64), b.astype(np.float64)), 1.0)
    # An elementwise chain: each op rounds (numpy's result bit for bit, so no FMA forms).
    m = p.emit(f"ztensor.mul {na}, {nb} : ({ty}, {ty}) -> {ty}", ty)
    s = p.emit(f"ztensor.add {m}, {na} : ({ty}, {ty}) -> {ty}", ty)
    c = p.emit(f"ztensor.mul {s}, {s} : ({ty}, {ty}) -> {ty}", ty)
    c = p.emit(f"ztensor.sub {c}, {nb} : ({ty}, {ty}) -> {ty}", ty)
    p.result("a*b+a chain", c, ty, (a * b + a) * (a * b + a) - b, None)
    # Comparison, select, broadcasting and a transpose: exact.
    mask = p.emit(f'ztensor.cmp "olt" {na}, {nb} : ({ty}, {ty}) -> tensor<7x13xi1>', "")
    v = p.emit(f"ztensor.select {mask}, {na}, {nb} : (tensor<7x13xi1>, {ty}, {ty}) -> {ty}", ty)
    p.result("select(a < b, a, b)", v, ty, np.where(a < b, a, b), None)
    r13 = p.random((13,))
    nr = p.arg(r13)
    v = p.emit(f"ztensor.sub {na}, {nr} : ({ty}, {tensor((13,), dtype)}) -> {ty}", ty)
    p.result("a - row (broadcast)", v, ty, a - r13, None)
    tty = tensor((13, 7), dtype)
    v = p.emit(f"ztensor.transpose {na} {{permutation = array<i64: 1, 0>}} : {ty} -> {tty}", tty)
    v = p.emit(f"ztensor.mul {v}, {v} : ({tty}, {tty}) -> {tty}", tty)
    p.result("transpose(a)**2", v, tty, a.T * a.T, None)
    # Constants: a splat and a dense one (values exact in the narrow type).
    k = p.random((7, 13))
    literal = (
        "[" + ", ".join("[" + ", ".join(f"{float(v):.9e}" for v in row) + "]" for row in k) + "]"
    )
    dense = p.emit(f"ztensor.constant dense<{literal}> : {ty}", ty)
    splat = p.emit(f"ztensor.constant dense<0.375> : {ty}", ty)
    v = p.emit(f"ztensor.mul {na}, {dense} : ({ty}, {ty}) -> {ty}", ty)
    v = p.emit(f"ztensor.add {v}, {splat} : ({ty}, {ty}) -> {ty}", ty)
    p.result("a * dense + splat", v, ty, a * k + dtype.type(0.375), None)
    # Bigger edge tiles: 33x65 elementwise, reductions, matmul, softmax.
    big = tensor((33, 65), dtype)
    x, y = p.random((33, 65)), p.random((33, 65))
    nx, ny = p.arg(x), p.arg(y)
    v = p.emit(f"ztensor.div {nx}, {ny} : ({big}, {big}) -> {big}", big)
    p.result("div 33x65", v, big, x / y, None)
    row = tensor((33,), dtype)
    x64 = x.astype(np.float64)
    attrs = "{axes = array<i64: 1>, keepdims = false}"
    v = p.emit(f"ztensor.reduce_sum {nx} {attrs} : {big} -> {row}", row)
    sum_atol = EPS[dtype] * 2.0**-8 * np.abs(x64).sum(axis=1).max()
    p.result("reduce_sum rows", v, row, x64.sum(axis=1), 1.0, atol=sum_atol)
    v = p.emit(f"ztensor.reduce_mean {nx} {attrs} : {big} -> {row}", row)
    p.result("reduce_mean rows", v, row, x64.mean(axis=1), 1.0, atol=sum_atol / 65)
    v = p.emit(f"ztensor.reduce_max {nx} {attrs} : {big} -> {row}", row)
    p.result("reduce_max rows", v, row, x.max(axis=1), None)
    scalar = tensor((), dtype)
    all_axes = "{axes = array<i64: 0, 1>, keepdims = false}"
    v = p.emit(f"ztensor.reduce_sum {nx} {all_axes} : {big} -> {scalar}", scalar)
    p.result("reduce_sum all", v, scalar, x64.sum(), 1.0, atol=EPS[dtype] * np.abs(x64).sum() / 64)
    w = p.random((65, 20))
    nw = p.arg(w)
    out = tensor((33, 20), dtype)
    v = p.emit(f"ztensor.matmul {nx}, {nw} : ({big}, {tensor((65, 20), dtype)}) -> {out}", out)
    product = x64 @ w.astype(np.float64)
    mm_atol = EPS[dtype] * 2.0**-8 * (np.abs(x64) @ np.abs(w.astype(np.float64))).max()
    p.result("matmul 33x65x20", v, out, product, 1.0, atol=mm_atol)
    v = p.emit(f"ztensor.softmax {nx} {{axis = 1 : i64}} : {big}", big)
    e = np.exp(x64 - x64.max(axis=1, keepdims=True))
    p.result("softmax rows", v, big, e / e.sum(axis=1, keepdims=True), 1.0, atol=1e-6)
    v = p.emit(f"ztensor.layernorm {nx} {{axis = 1 : i64, epsilon = 1.0e-05 : f32}} : {big}", big)
    centered = x64 - x64.mean(axis=1, keepdims=True)
    eps32 = float(np.float32(1e-5))
    norm = centered / np.sqrt((centered**2).mean(axis=1, keepdims=True) + eps32)
    p.result("layernorm rows", v, big, norm, 1.0, atol=1e-5)
    return p


def cast_program(dtype: np.dtype[Any]) -> tuple[str, list[NDArray], list[NDArray]]:
    """Casts from and to every other float type, as numpy's `astype` rounds: f64 values
    halfway between two narrow values plus a little (rounded once, not through f32)."""
    other = BF16 if dtype == F16 else F16
    rng = np.random.default_rng(3)
    base = np.abs(rng.standard_normal(64)).astype(dtype).astype(np.float64) + 2.0**-6
    _, exponent = np.frexp(base)
    ulp = np.ldexp(EPS[dtype], exponent - 1)  # the spacing of dtype above base
    f32_ulp = np.spacing(base.astype(np.float32)).astype(np.float64)
    # Just above halfway between two narrow values: up from f64; a tie (to even) through f32.
    near_half = (base.astype(dtype).astype(np.float64) + ulp / 2 + f32_ulp / 8) * np.where(
        np.arange(64) % 2, 1.0, -1.0
    )
    x64 = np.concatenate([near_half, [np.inf, -np.inf, np.nan, 0.0, -0.0, 1e-9, 7e4, 1e39]])
    x32 = rng.standard_normal(72).astype(np.float32) * 100
    xn = rng.standard_normal(72).astype(dtype)
    shape = (72,)
    t = {d: tensor(shape, np.dtype(d)) for d in (np.float64, np.float32, dtype, other)}
    lines = [
        f"  %c0 = ztensor.cast %a0 : {t[np.float64]} -> {t[dtype]}",
        f"  %c1 = ztensor.cast %a1 : {t[np.float32]} -> {t[dtype]}",
        f"  %c2 = ztensor.cast %a2 : {t[dtype]} -> {t[other]}",
        f"  %c3 = ztensor.cast %a2 : {t[dtype]} -> {t[np.float64]}",
        f"  %c4 = ztensor.cast %c3 : {t[np.float64]} -> {t[np.float32]}",
        f"  %c5 = ztensor.cast %c4 : {t[np.float32]} -> {t[dtype]}",
    ]
    types = [t[dtype], t[dtype], t[other], t[np.float64], t[np.float32], t[dtype]]
    args = f"%a0: {t[np.float64]}, %a1: {t[np.float32]}, %a2: {t[dtype]}"
    rtypes = ", ".join(types)
    text = (
        f"func.func @f({args}) -> ({rtypes}) {{\n" + "\n".join(lines) + "\n"
        f"  func.return %c0, %c1, %c2, %c3, %c4, %c5 : {rtypes}\n}}\n"
    )
    with np.errstate(all="ignore"):
        want = [
            x64.astype(dtype),
            x32.astype(dtype),
            xn.astype(other),
            xn.astype(np.float64),
            xn.astype(np.float32),
            xn,
        ]
    return text, [x64, x32, xn], want


def _bits_equal(got: NDArray, want: NDArray) -> bool:
    nan = np.isnan(got.astype(np.float64)) & np.isnan(want.astype(np.float64))
    return bool(((got == want) | nan).all() and (np.signbit(got) == np.signbit(want))[~nan].all())


@pytest.mark.parametrize("dtype", [F16, BF16], ids=["f16", "bf16"])
def test_every_op_compiled_and_interpreted(dtype: np.dtype[Any]) -> None:
    p = build(dtype)
    text = p.text()
    exe = zg.compile(text, cache=False)
    got = exe(*p.inputs)
    assert all(g.dtype == dtype for g in got), [g.dtype for g in got]
    p.check(got, "compiled")
    reference = zg.run_reference(text, "f", p.inputs)
    p.check(tuple(np.asarray(r) for r in reference), "reference interpreter")


@pytest.mark.parametrize("dtype", [F16, BF16], ids=["f16", "bf16"])
def test_casts_round_once_as_numpy(dtype: np.dtype[Any]) -> None:
    text, inputs, want = cast_program(dtype)
    got = zg.compile(text, cache=False)(*inputs)
    reference = zg.run_reference(text, "f", inputs)
    for i, (g, r, w) in enumerate(zip(got, reference, want, strict=True)):
        assert g.dtype == w.dtype, (i, g.dtype)
        assert _bits_equal(g, w), (i, g[g != w], w[g != w])
        assert _bits_equal(np.asarray(r), w), (i, "reference")


@pytest.mark.parametrize("dtype", [F16, BF16], ids=["f16", "bf16"])
def test_op_table_references_round_once_in_f32(dtype: np.dtype[Any]) -> None:
    """The references are numpy's per-op results for the exact ops and f32-then-round for
    the others, bit for bit; reductions accumulate in f32."""
    rng = np.random.default_rng(5)
    x = (np.abs(rng.standard_normal(257)) + 0.1).astype(dtype)
    y = rng.standard_normal(257).astype(dtype)
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    for row in optable.UNARY:
        got = row.evaluate(x)
        assert got.dtype == dtype, row.name
        assert _bits_equal(got, row.evaluate(x32).astype(dtype)), row.name
        if row.name in NUMPY_EXACT:
            assert _bits_equal(got, NUMPY_EXACT[row.name](x)), row.name
    for row in optable.BINARY:
        got = row.evaluate(x, y)
        assert _bits_equal(got, row.evaluate(x32, y32).astype(dtype)), row.name
        if row.name in NUMPY_EXACT:
            assert _bits_equal(got, NUMPY_EXACT[row.name](x, y)), row.name
    big = np.full(4096, 1.0, dtype=dtype)
    total = optable.REDUCTION["reduce_sum"].reference(big)
    assert (
        np.asarray(total).dtype == dtype and float(total) == 4096.0
    )  # f16 steps would stop at 2048
    assert float(optable.REDUCTION["reduce_mean"].reference(big)) == 1.0


def test_jit_traces_float16_and_bfloat16() -> None:
    @zg.jit
    def f(a: Any, b: Any) -> Any:
        return zg.exp(a * b + a) - b

    rng = np.random.default_rng(11)
    for dtype in (F16, BF16):
        a = rng.standard_normal((7, 13)).astype(dtype)
        b = rng.standard_normal((7, 13)).astype(dtype)
        got = f(a, b)
        assert got.dtype == dtype
        ab = (a * b + a).astype(np.float32)
        want = (np.exp(ab).astype(dtype).astype(np.float32) - b.astype(np.float32)).astype(dtype)
        eps = EPS[dtype]
        np.testing.assert_allclose(
            got.astype(np.float64), want.astype(np.float64), rtol=2 * eps, atol=2 * eps
        )

    @zg.jit
    def g(x: Any, w: Any) -> Any:
        return (x @ w).sum(axis=1), x.astype(np.float32) * 2.0

    for dtype in (F16, BF16):
        x = rng.standard_normal((33, 65)).astype(dtype)
        w = rng.standard_normal((65, 20)).astype(dtype)
        total, wide = g(x, w)
        assert total.dtype == dtype and wide.dtype == np.float32
        mm = (x.astype(np.float32) @ w.astype(np.float32)).astype(dtype)  # rounded once
        want = mm.astype(np.float64).sum(axis=1)
        scale = np.abs(mm.astype(np.float64)).sum(axis=1).max()
        np.testing.assert_allclose(
            total.astype(np.float64), want, rtol=EPS[dtype], atol=EPS[dtype] * scale / 16
        )
        assert (wide == x.astype(np.float32) * 2).all()


def test_wrong_dtype_is_a_clear_error() -> None:
    ty = tensor((4,), F16)
    exe = zg.compile(
        f"func.func @f(%a: {ty}) -> {ty} {{\n  %r = ztensor.neg %a : {ty}\n  func.return %r : {ty}\n}}\n",
        cache=False,
    )
    x = np.arange(4, dtype=np.float16)
    assert _bits_equal(exe(x), -x)
    for wrong in (np.float32, ml_dtypes.bfloat16, np.int16, np.uint16):
        with pytest.raises(TypeError, match="expected dtype float16, got"):
            exe(np.arange(4).astype(wrong))
    bty = tensor((4,), BF16)
    exe = zg.compile(
        f"func.func @g(%a: {bty}) -> {bty} {{\n  %r = ztensor.abs %a : {bty}\n"
        f"  func.return %r : {bty}\n}}\n",
        cache=False,
    )
    y = np.asarray([-1.5, 2.0, -0.0, 3.25], dtype=BF16)
    got = exe(y)
    assert got.dtype == BF16 and _bits_equal(got, np.abs(y))
    for wrong in (np.float16, np.uint16, np.float32):
        with pytest.raises(zg.ZigguratError, match="expected dtype bfloat16, got"):
            exe(np.abs(y).astype(wrong))


def test_argspec_takes_bfloat16_but_not_other_void_dtypes() -> None:
    assert ArgSpec((2,), ml_dtypes.bfloat16).dtype == BF16
    assert ArgSpec((2,), np.float16, "out").nbytes == 4
    with pytest.raises(ValueError, match="native numeric dtype"):
        ArgSpec((2,), np.dtype("V2"))


def test_cached_signatures_keep_bfloat16() -> None:
    """The disk cache stores signatures as JSON: bf16 reads back as bfloat16, not raw bytes
    (`<V2`, its numpy `str`), so a warm cache serves bf16 kernels."""
    sigs: dict[str, tuple[ArgSpec, ...]] = {
        "f": (ArgSpec((2, 3), ml_dtypes.bfloat16), ArgSpec((2,), np.float16, "out"))
    }
    stored = json.loads(json.dumps(specs_to_json(sigs)))
    assert stored["f"][0][1] == "bfloat16"
    assert specs_from_json(stored) == sigs
