"""The Python frontend: tracing into ztensor, eager mode, zg.jit caching, lower(), and errors.

Traced functions run through the default backend (`ziggurat.jit.DEFAULT_BACKEND`), so these
tests exercise whichever backend is the default; tests about the interpreter backend itself
pass it explicitly.
"""

from __future__ import annotations

import math
import subprocess
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.dialects.func import Func
from xdsl.parser import Parser

import ziggurat as zg
from ziggurat.dialects.ztensor import ZTensor
from ziggurat.jit import (
    STAGES,
    InterpreterBackend,
    JitOptions,
    StageUnavailableError,
    default_backend,
)

NDArray = np.ndarray[Any, Any]
RNG = np.random.default_rng(0)
THIS_FILE = str(Path(__file__))
SOURCE_LINES = Path(__file__).read_text().splitlines()


def line_of(marker: str) -> int:
    """The line number of the unique line of this file ending with `# <marker>`."""
    hits = [i + 1 for i, line in enumerate(SOURCE_LINES) if line.rstrip().endswith(f"# {marker}")]
    assert len(hits) == 1, marker
    return hits[0]


def rand(*shape: int, dtype: Any = np.float32, low: float = -1.0, high: float = 1.0) -> Any:
    return RNG.uniform(low, high, size=shape).astype(dtype)


class Tolerance(TypedDict, total=False):
    rtol: float
    atol: float


def tol(dtype: Any) -> Tolerance:
    return {"rtol": 2e-5, "atol": 2e-6} if np.dtype(dtype) == np.float32 else {"rtol": 1e-11}


def ref_gelu(x: Any) -> Any:
    x = x.astype(np.float64)
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def ref_softmax(x: Any, axis: int) -> Any:
    x = x.astype(np.float64)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def ref_layer_norm(x: Any, axis: int, eps: float) -> Any:
    x = x.astype(np.float64)
    mu = x.mean(axis=axis, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=axis, keepdims=True)
    return (x - mu) / np.sqrt(var + eps)


def check(fn: Callable[..., Any], ref: Callable[..., Any], *args: Any) -> None:
    """zg.jit(fn)(*args) agrees with ref(*args) in dtype, shape and values."""
    got = zg.jit(fn)(*args)
    want = ref(*args)
    arrays = [a for a in args if isinstance(a, np.ndarray)]
    dtype = np.result_type(*arrays)
    assert isinstance(got, np.ndarray)
    assert got.dtype == dtype
    assert got.shape == np.shape(want)
    np.testing.assert_allclose(got, want, **tol(dtype))


DTYPES = [np.float32, np.float64]

# ---------------------------------------------------------------------------------------------
# Every function, traced, against numpy
# ---------------------------------------------------------------------------------------------

Fn = Callable[..., Any]

BINARY: list[tuple[Fn, Fn]] = [
    (zg.add, np.add),
    (zg.subtract, np.subtract),
    (zg.multiply, np.multiply),
    (zg.divide, np.divide),
    (zg.maximum, np.maximum),
    (zg.minimum, np.minimum),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("zfn", "nfn"), BINARY, ids=[b[0].__name__ for b in BINARY])
@pytest.mark.parametrize(
    ("lshape", "rshape"), [((3, 4), (3, 4)), ((2, 1, 4), (3, 1)), ((4,), (2, 3, 4)), ((), (2,))]
)
def test_binary_broadcasting(zfn: Any, nfn: Any, dtype: Any, lshape: Any, rshape: Any) -> None:
    a, b = rand(*lshape, dtype=dtype), rand(*rshape, dtype=dtype, low=0.5, high=2.0)
    check(zfn, nfn, a, b)


@pytest.mark.parametrize("dtype", DTYPES)
def test_power(dtype: Any) -> None:
    a, b = rand(3, 4, dtype=dtype, low=0.5, high=2.0), rand(4, dtype=dtype)
    check(zg.power, np.power, a, b)


UNARY: list[tuple[Fn, Fn, bool]] = [
    (zg.negative, np.negative, False),
    (zg.exp, np.exp, False),
    (zg.log, np.log, True),
    (zg.tanh, np.tanh, False),
    (zg.sqrt, np.sqrt, True),
    (zg.abs, np.abs, False),
    (zg.rsqrt, lambda x: 1 / np.sqrt(x.astype(np.float64)), True),
    (zg.relu, lambda x: np.maximum(x, 0), False),
    (zg.sigmoid, lambda x: 1 / (1 + np.exp(-x.astype(np.float64))), False),
    (zg.gelu, ref_gelu, False),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("zfn", "nfn", "positive"), UNARY, ids=[u[0].__name__ for u in UNARY])
def test_unary(zfn: Any, nfn: Any, positive: bool, dtype: Any) -> None:
    x = rand(2, 3, 4, dtype=dtype, low=0.1 if positive else -3.0, high=3.0)
    check(zfn, nfn, x)


# Ops added through the op table; their inputs come from their own generator, so that adding
# one does not change the data of the tests after it.
TABLE_UNARY = [
    (zg.erf, np.vectorize(math.erf, otypes=[np.float64])),
    (zg.floor, np.floor),
    (zg.ceil, np.ceil),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("zfn", "nfn"), TABLE_UNARY, ids=[u[0].__name__ for u in TABLE_UNARY])
def test_table_unary(zfn: Any, nfn: Any, dtype: Any) -> None:
    x = np.random.default_rng(7).uniform(-3.0, 3.0, size=(2, 3, 4)).astype(dtype)
    check(zfn, nfn, x)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("lshape", "rshape"),
    [
        ((3, 4), (4, 5)),
        ((2, 3, 4), (4, 5)),
        ((2, 1, 3, 4), (5, 4, 2)),
        ((4,), (4, 3)),
        ((3, 4), (4,)),
        ((4,), (4,)),
    ],
)
def test_matmul(dtype: Any, lshape: Any, rshape: Any) -> None:
    check(zg.matmul, np.matmul, rand(*lshape, dtype=dtype), rand(*rshape, dtype=dtype))


REDUCTIONS: list[tuple[Fn, Fn]] = [(zg.sum, np.sum), (zg.max, np.max), (zg.mean, np.mean)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("zfn", "nfn"), REDUCTIONS, ids=["sum", "max", "mean"])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2), (2, 1, 0), ()])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions(zfn: Any, nfn: Any, dtype: Any, axis: Any, keepdims: bool) -> None:
    x = rand(2, 3, 4, dtype=dtype)
    check(
        lambda x: zfn(x, axis=axis, keepdims=keepdims),
        lambda x: np.asarray(nfn(x, axis=axis, keepdims=keepdims)),
        x,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize(
    ("zfn", "nfn", "ddof"),
    [(zg.var, np.var, 0), (zg.var, np.var, 1), (zg.std, np.std, 0), (zg.std, np.std, 1.5)],
    ids=["var", "var-ddof1", "std", "std-ddof1.5"],
)
def test_variance_and_deviation(
    zfn: Any, nfn: Any, ddof: float, dtype: Any, axis: Any, keepdims: bool
) -> None:
    x = rand(3, 4, 5, dtype=dtype) * 3 + 1
    check(
        lambda x: zfn(x, axis=axis, ddof=ddof, keepdims=keepdims),
        lambda x: np.asarray(nfn(x, axis=axis, ddof=ddof, keepdims=keepdims)),
        x,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [None, 1, (0, 2)])
def test_min_is_exact(dtype: Any, axis: Any) -> None:
    x = rand(3, 4, 5, dtype=dtype)
    x[0, 0, :2] = (0.0, -0.0)  # numpy.min of +0 and -0 is -0; so is -max(-x)
    x[1, 2, 3] = np.nan
    got = zg.jit(lambda x: zg.min(x, axis=axis))(x)
    want = np.asarray(np.min(x, axis=axis))
    np.testing.assert_array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))


def test_numpy_var_std_min_dot_and_square_dispatch() -> None:
    def f(x: Any, v: Any) -> Any:
        return (
            np.var(x, axis=0)
            + np.std(x, axis=0, ddof=1)
            + np.min(x, axis=0)
            + np.amin(x)
            + x.min(axis=0)
            + x.var(axis=0)
            + x.std()
            + np.dot(x, v).sum()
            + x.dot(v).max()
            + np.dot(np.float32(2), x).sum(axis=0)
            + np.square(x).mean(axis=0)
        )

    check(f, f, rand(4, 3), rand(3))
    check(lambda a, b: np.dot(a, b), lambda a, b: np.dot(a, b), rand(4, 3), rand(3, 5))


NOT_A_NUMBER: Any = "1"


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (lambda x: x.var(ddof=12), "ddof=12 leaves no degrees of freedom over 12 element"),
        (lambda x: np.std(x, ddof=NOT_A_NUMBER), "ddof must be a number"),
        (lambda x: np.dot(x.reshape(1, 4, 3), x.T), "ranks 3 and 2 are not supported"),
        (lambda x: np.var(x, dtype=np.float64), "numpy.var on a traced array"),
        (lambda x: x.copy(), r"x.copy \(numpy.ndarray.copy\) is not supported"),
        (lambda x: np.linalg.norm(x), "numpy.linalg.norm is not supported"),
    ],
)
def test_composite_errors_are_trace_errors(fn: Any, message: str) -> None:
    with pytest.raises(zg.ZigguratTraceError, match=message):
        zg.jit(fn)(rand(4, 3))


@pytest.mark.parametrize("axes", [None, (1, 0, 2), (2, 0, 1), (-1, 0, 1), (0, 1, 2)])
def test_transpose(axes: Any) -> None:
    check(lambda x: zg.transpose(x, axes), lambda x: np.transpose(x, axes), rand(2, 3, 4))


@pytest.mark.parametrize("shape", [(6, 4), (-1,), (4, -1, 2), 24, (2, 3, 4), (1, 24, 1)])
def test_reshape(shape: Any) -> None:
    check(lambda x: zg.reshape(x, shape), lambda x: np.reshape(x, shape), rand(2, 3, 4))


@pytest.mark.parametrize(
    ("src", "dst"), [((4,), (3, 4)), ((3, 1), (2, 3, 5)), ((), (2, 2)), ((2, 2), (2, 2))]
)
def test_broadcast_to(src: Any, dst: Any) -> None:
    check(lambda x: zg.broadcast_to(x, dst), lambda x: np.broadcast_to(x, dst), rand(*src))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_and_layer_norm(dtype: Any, axis: int) -> None:
    x = rand(3, 5, dtype=dtype, low=-4, high=4)
    check(lambda x: zg.softmax(x, axis=axis), lambda x: ref_softmax(x, axis), x)
    check(lambda x: zg.layer_norm(x, axis=axis), lambda x: ref_layer_norm(x, axis, 1e-5), x)
    check(lambda x: zg.layer_norm(x, axis, 0.5), lambda x: ref_layer_norm(x, axis, 0.5), x)
    check(zg.softmax, lambda x: ref_softmax(x, -1), x)


# ---------------------------------------------------------------------------------------------
# Operators, attributes, scalars, numpy functions on traced arrays
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_operators_and_scalars(dtype: Any) -> None:
    def f(x: Any, y: Any) -> Any:
        return (x @ y.T + 1) * 2.0 - 0.5 / (x.sum(axis=1, keepdims=True) ** 2 + 1) + 3 ** (-x @ y.T)

    def ref(x: Any, y: Any) -> Any:
        return (
            (x @ y.T + 1) * 2.0 - 0.5 / (x.sum(axis=1, keepdims=True) ** 2 + 1) + 3.0 ** (-x @ y.T)
        )

    check(f, ref, rand(3, 4, dtype=dtype), rand(5, 4, dtype=dtype))


def test_reflected_operators_with_numpy_constants() -> None:
    w = rand(4, 2)
    b = rand(2)
    x = rand(3, 4)
    check(
        lambda x: b + x @ w - b * b / (1 + x.max()), lambda x: b + x @ w - b * b / (1 + x.max()), x
    )
    check(lambda x: w.T @ x.T, lambda x: w.T @ x.T, x)


def test_attributes_inside_the_trace() -> None:
    seen: dict[str, Any] = {}

    @zg.jit
    def f(x: Any) -> Any:
        seen.update(
            shape=x.shape, ndim=x.ndim, dtype=x.dtype, size=x.size, tshape=x.T.shape, n=len(x)
        )
        return x.reshape(x.shape[1], -1)

    out = f(rand(2, 3, dtype=np.float64))
    assert out.shape == (3, 2)
    assert seen == {
        "shape": (2, 3),
        "ndim": 2,
        "dtype": np.dtype(np.float64),
        "size": 6,
        "tshape": (3, 2),
        "n": 2,
    }


def test_numpy_functions_dispatch_on_traced_arrays() -> None:
    def f(x: Any) -> Any:
        y = np.exp(np.tanh(x)) + np.maximum(x, 0.0)
        return np.sum(np.transpose(y), axis=0, keepdims=True) / np.mean(np.abs(x)) + np.max(y)

    check(f, f, rand(3, 4))


def test_methods() -> None:
    def f(x: Any) -> Any:
        return (
            x.transpose(1, 0).reshape(2, 6).sum(0) + x.mean() + x.max(axis=(0, 1)) + abs(+x).sum()
        )

    check(f, f, rand(4, 3))


def test_mixed_precision_promotes_like_numpy() -> None:
    jitted = zg.jit(lambda a, b: a * b + 1.0)
    a, b = rand(3, 4), rand(4, dtype=np.float64)
    got = jitted(a, b)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, a * b + 1.0, rtol=1e-12)
    text = jitted.lower(a, b).as_text("ztensor")
    assert "ztensor.cast %0 : tensor<3x4xf32> -> tensor<3x4xf64>" in text
    # A Python scalar is weakly typed: float32 stays float32.
    assert zg.jit(lambda a: a * 3)(a).dtype == np.float32
    # astype inside the trace.
    assert zg.jit(lambda a: a.astype(np.float64))(a).dtype == np.float64


def test_scalar_constants_are_splats_in_the_input_dtype() -> None:
    text = zg.jit(lambda x: 2.0 * x + 1).lower(rand(3, 4, dtype=np.float64)).as_text()
    assert "ztensor.constant dense<2.000000e+00> : tensor<3x4xf64>" in text
    assert "ztensor.constant dense<1.000000e+00> : tensor<3x4xf64>" in text


# ---------------------------------------------------------------------------------------------
# Eager mode
# ---------------------------------------------------------------------------------------------


def test_eager_mode_matches_numpy() -> None:
    x = rand(3, 4, low=0.1, high=2.0)
    y = rand(4, low=0.1, high=2.0)
    binary: list[tuple[Fn, Fn]] = [*BINARY, (zg.power, np.power), (zg.matmul, np.matmul)]
    for zfn, nfn in binary:
        other = y if zfn is not zg.matmul else rand(4, 2)
        out = zfn(x, other)
        assert isinstance(out, np.ndarray)
        np.testing.assert_array_equal(out, nfn(x, other))
    for zfn, nfn, _ in UNARY:
        out = zfn(x)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out, nfn(x), rtol=1e-6)
    for zfn, nfn in REDUCTIONS:
        np.testing.assert_array_equal(zfn(x, axis=0, keepdims=True), nfn(x, axis=0, keepdims=True))
        assert zfn(x) == nfn(x)
    np.testing.assert_array_equal(zg.transpose(x), x.T)
    np.testing.assert_array_equal(zg.transpose(x, (1, 0)), x.T)
    np.testing.assert_array_equal(zg.reshape(x, (-1, 2)), x.reshape(-1, 2))
    np.testing.assert_array_equal(zg.broadcast_to(y, (2, 4)), np.broadcast_to(y, (2, 4)))
    np.testing.assert_allclose(zg.softmax(x, axis=0), ref_softmax(x, 0), rtol=1e-6)
    np.testing.assert_allclose(zg.layer_norm(x, eps=1e-3), ref_layer_norm(x, -1, 1e-3), rtol=1e-5)
    assert zg.add(1.0, 2) == 3.0
    np.testing.assert_allclose(zg.relu([-1, 2]), [0.0, 2.0])


def test_exact_gelu_with_erf() -> None:
    """GELU as torch exports it (approximate="none"), traced and eager, against math.erf."""

    def gelu(x: Any) -> Any:
        return 0.5 * x * (1 + zg.erf(x / math.sqrt(2)))

    x = np.random.default_rng(8).uniform(-6, 6, size=(4, 33)).astype(np.float32)
    x[0, :5] = [0.0, -0.0, 3.9, -3.9, 1e-30]
    ref = np.vectorize(lambda v: 0.5 * v * (1 + math.erf(v / math.sqrt(2))))(x.astype(np.float64))
    got = zg.jit(gelu)(x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ref, rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(gelu(x), ref, rtol=2e-6, atol=1e-7)


def test_eager_matches_traced_composites() -> None:
    x = rand(4, 6, low=-3, high=3)
    for fn in (zg.gelu, zg.sigmoid, zg.softmax, zg.layer_norm, zg.rsqrt):
        arg = np.abs(x) + 0.1 if fn is zg.rsqrt else x
        np.testing.assert_allclose(zg.jit(fn)(arg), fn(arg), rtol=2e-6, atol=1e-7)


# ---------------------------------------------------------------------------------------------
# zg.jit: callables, outputs, arguments, caching
# ---------------------------------------------------------------------------------------------


def test_tuple_and_list_outputs() -> None:
    x = rand(3, 4)
    a, b, c = zg.jit(lambda x: (zg.relu(x), x.sum(), x))(x)
    np.testing.assert_array_equal(a, np.maximum(x, 0))
    np.testing.assert_allclose(b, x.sum(), rtol=1e-6)
    np.testing.assert_array_equal(c, x)
    assert c is not x and not np.shares_memory(c, x)
    out = zg.jit(lambda x: [x * 2, x * 2])(x)
    assert isinstance(out, list) and len(out) == 2


def test_lambda_star_args_and_kwargs() -> None:
    def total(*arrays: Any, scale: float = 1.0) -> Any:
        acc = arrays[0]
        for a in arrays[1:]:
            acc = acc + a
        return acc * scale

    f = zg.jit(total)
    xs = [rand(2, 3) for _ in range(3)]
    np.testing.assert_allclose(f(*xs), xs[0] + xs[1] + xs[2], rtol=1e-6)
    np.testing.assert_allclose(f(*xs, scale=0.5), (xs[0] + xs[1] + xs[2]) * 0.5, rtol=1e-6)
    np.testing.assert_allclose(f(xs[0], scale=xs[1]), xs[0] * xs[1], rtol=1e-6)
    assert f.__name__ == "total" and f.__wrapped__ is total
    assert zg.jit(lambda x, y: x - y)(xs[0], xs[1]).shape == (2, 3)


def test_decorator_forms_and_options() -> None:
    @zg.jit(opt_level=1, eqsat=False, threads=1, pipeline="canonicalize,cpu-pipeline")
    def f(x: Any) -> Any:
        return x + 1

    assert f.options == JitOptions(
        opt_level=1, eqsat=False, threads=1, pipeline="canonicalize,cpu-pipeline"
    )
    np.testing.assert_array_equal(f(np.zeros(3)), np.ones(3))
    g = zg.jit(lambda x: x * 2, opt_level=0)
    assert g.options.opt_level == 0
    assert zg.jit(lambda x: x).options == JitOptions()


def test_nested_jit_inlines() -> None:
    inner = zg.jit(lambda x: zg.exp(x))
    outer = zg.jit(lambda x: inner(x) + 1)
    x = rand(2, 2)
    np.testing.assert_allclose(outer(x), np.exp(x) + 1, rtol=1e-6)
    assert inner.cache_info().misses == 0
    assert outer.lower(x).as_text().count("ztensor.exp") == 1


def test_cache_hits_and_misses() -> None:
    calls = []

    @zg.jit
    def f(x: Any, alpha: float) -> Any:
        calls.append(1)
        return x * alpha

    x32, x64 = rand(3, 4), rand(3, 4, dtype=np.float64)
    f(x32, 2.0)
    f(x32 + 1, 2.0)  # same shape/dtype/scalar: hit
    f(x64, 2.0)  # new dtype
    f(rand(4, 3), 2.0)  # new shape
    f(x32, 3.0)  # new scalar value
    f(np.asfortranarray(x32), 2.0)  # new layout
    f(x32[:, ::2].copy(), 2.0)  # new shape
    f(x32, 3.0)  # hit
    info = f.cache_info()
    assert (info.hits, info.misses, info.currsize) == (2, 6, 6)
    assert len(calls) == 6
    assert "(f32[3,4], 2.0)" in info.specializations
    assert "(f32[3,4] col_major, 2.0)" in info.specializations
    assert "(f64[3,4], 2.0)" in info.specializations
    f.cache_clear()
    assert f.cache_info() == (0, 0, 0, ())


def test_f_contiguous_inputs_are_marked_compiled_as_transposes_and_strided_ones_copied() -> None:
    f = zg.jit(lambda x, y: x @ y)
    a, b = rand(4, 3), rand(3, 5)
    fa = np.asfortranarray(a)
    lowered = f.lower(fa, b)
    # the traced module keeps the user's shapes and marks the layout ...
    text = lowered.as_text("ztensor")
    assert '%0: tensor<4x3xf32> {ziggurat.layout = "col_major"}' in text
    assert "ziggurat.layout" not in f.lower(a, b).as_text("ztensor")
    # ... and the compiled backend takes a.T (C-contiguous in fa's buffer), transposed back
    eqsat = lowered.as_text("eqsat")
    assert "func.func @lambda(%0: tensor<3x4xf32>, %1: tensor<3x5xf32>)" in eqsat
    assert "ziggurat.layout" not in eqsat
    np.testing.assert_allclose(f(fa, b), a @ b, rtol=1e-6)
    strided = rand(8, 6)[::2, ::2]  # neither C- nor F-contiguous: copied to row-major
    np.testing.assert_allclose(f(a, strided[:3, :5]), a @ strided[:3, :5], rtol=1e-6)
    assert "ztensor.transpose" not in f.lower(a, strided[:3, :5]).as_text("ztensor")


class _Recording:
    """A backend around the compiled one that records the arrays its executables receive."""

    name = "recording"
    transposes_col_major = True  # as the compiled backend it wraps

    def __init__(self) -> None:
        from ziggurat.compiled_backend import CompiledBackend

        self.inner = CompiledBackend()
        self.received: list[tuple[NDArray, ...]] = []

    def compile(self, module: Any, func_name: str, options: Any) -> Any:
        exe = self.inner.compile(module, func_name, options)

        def run(*arrays: NDArray) -> Any:
            self.received.append(arrays)
            return exe(*arrays)

        return run

    def stage_text(self, module: Any, stage: str, options: Any) -> str:
        return self.inner.stage_text(module, stage, options)


@pytest.mark.parametrize("shape", [(64, 48), (3, 4, 5)])
def test_an_f_contiguous_input_reaches_the_kernel_in_its_own_buffer(shape: tuple[int, ...]) -> None:
    """No copy: the executable gets a C-contiguous view of the caller's F-ordered buffer (a
    backend that is not `transposes_col_major` gets the array itself)."""
    backend = _Recording()
    f = zg.jit(lambda x, y: x * 2.0 + y, backend=backend)
    x = np.asfortranarray(rand(*shape))
    y = rand(*shape)
    for _ in range(2):  # the first call and a cached one
        np.testing.assert_allclose(f(x, y), x * 2.0 + y, rtol=1e-6)
        got = backend.received[-1][0]
        assert got.flags.c_contiguous
        assert got.ctypes.data == x.ctypes.data and got.shape == shape[::-1]
        assert backend.received[-1][1] is y
    plain = zg.jit(lambda x, y: x * 2.0 + y, backend=zg.InterpreterBackend())
    np.testing.assert_allclose(plain(x, y), x * 2.0 + y, rtol=1e-6)


def test_zero_d_inputs_and_numpy_scalars() -> None:
    f = zg.jit(lambda x, s: x * s)
    x = rand(3)
    np.testing.assert_allclose(f(x, np.float32(2.0)), x * 2, rtol=1e-6)
    np.testing.assert_allclose(f(x, np.array(3.0, dtype=np.float32)), x * 3, rtol=1e-6)
    assert f.cache_info().misses == 1  # numpy scalars are 0-d array inputs, not constants


# ---------------------------------------------------------------------------------------------
# lower(), stages, backends
# ---------------------------------------------------------------------------------------------


def _parse(text: str) -> ModuleOp:
    ctx = Context()
    for dialect in (Builtin, Func, ZTensor):
        ctx.load_dialect(dialect)
    module = Parser(ctx, text).parse_module()
    module.verify()
    return module


def test_lower_ztensor_text_round_trips() -> None:
    f = zg.jit(lambda x, w: zg.softmax(zg.layer_norm(x @ w), axis=0))
    lowered = f.lower(np.asfortranarray(rand(4, 3)), rand(3, 2))
    text = lowered.as_text("ztensor")
    assert text == lowered.as_text()
    assert "func.func @lambda(" in text
    for op in ("ztensor.matmul", "ztensor.layernorm", "ztensor.softmax"):
        assert op in text
    assert str(_parse(text)) == text
    assert lowered.stages == STAGES
    assert f.cache_info().misses == 1 and f.cache_info().hits == 0


def test_lower_compile_runs_that_signature_only() -> None:
    f = zg.jit(lambda x: x + 1)
    x = rand(2, 3)
    compiled = f.lower(x).compile()
    np.testing.assert_array_equal(compiled(x), x + 1)
    with pytest.raises(zg.ZigguratTraceError) as info:
        compiled(rand(3, 3))  # ERR-compiled-signature
    assert "was compiled for (f32[2,3]) but called with (f32[3,3])" in str(info.value)
    assert info.value.lineno == line_of("ERR-compiled-signature")


def test_interpreter_backend_stages() -> None:
    f = zg.jit(lambda x: x * 2, backend=InterpreterBackend())
    lowered = f.lower(rand(2))
    assert "ztensor.mul" in lowered.as_text("ztensor")
    for stage in STAGES[1:]:
        with pytest.raises(
            StageUnavailableError, match=f"stage '{stage}' needs the compiled backend"
        ):
            lowered.as_text(stage)
    with pytest.raises(ValueError, match="unknown stage 'mlir'; the stages are ztensor, eqsat"):
        lowered.as_text("mlir")


def test_default_backend_is_used_and_backends_plug_in() -> None:
    assert zg.jit(lambda x: x).lower(rand(1)).backend is default_backend()

    class Recording(InterpreterBackend):
        name = "recording"

        def __init__(self) -> None:
            self.compiled: list[tuple[str, JitOptions]] = []

        def compile(self, module: ModuleOp, func_name: str, options: JitOptions) -> Any:
            self.compiled.append((func_name, options))
            return super().compile(module, func_name, options)

    backend = Recording()
    f = zg.jit(lambda x: x - 1, backend=backend, threads=2)
    x = rand(3)
    f(x)
    f(x)
    assert backend.compiled == [("lambda", JitOptions(threads=2))]
    assert isinstance(backend, zg.Backend)


def test_import_is_light() -> None:
    code = "import sys, ziggurat; print(sorted({m.split('.')[0] for m in sys.modules} & {'xdsl'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------------
# Errors: every rejected input, with the message and the user's line
# ---------------------------------------------------------------------------------------------


def assert_user_error(info: pytest.ExceptionInfo[Any], message: str, marker: str) -> None:
    err = info.value
    assert isinstance(err, zg.ZigguratTraceError)
    assert isinstance(err, TypeError) and isinstance(err, ValueError)
    assert message in err.message, err.message
    assert err.filename == THIS_FILE
    assert err.lineno == line_of(marker), (err.lineno, line_of(marker))
    assert f"{THIS_FILE}:{err.lineno}" in str(err)
    assert err.__cause__ is None
    # The traceback holds no frames from deep inside Ziggurat or xDSL.
    frames = [Path(f.filename).name for f in traceback.extract_tb(err.__traceback__)]
    assert set(frames) <= {Path(THIS_FILE).name, "jit.py"}, frames


X = np.ones((3, 4), dtype=np.float32)
F = zg.jit(lambda x, y: x + y)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            np.ones((3, 4), dtype=np.int64),
            "argument 1 has dtype int64; only float16, bfloat16, float32 and float64",
        ),
        (np.ones((3, 4), dtype=np.int32), "argument 1 has dtype int32"),
        (np.ones((3, 4), dtype=np.uint16), "argument 1 has dtype uint16"),
        (np.ones((3, 4), dtype=np.complex64), "argument 1 has dtype complex64"),
        (np.array([None, 1.0], dtype=object), "argument 1 has dtype object"),
        ([1.0, 2.0], "argument 1 is a list; pass a numpy array"),
        ((1.0, 2.0), "argument 1 is a tuple; pass a numpy array"),
        ({"a": 1}, "argument 1 is a dict; expected a float32/float64 numpy array"),
        (np.int64(3), "argument 1 is a numpy scalar of dtype int64"),
        (np.zeros((0, 4), dtype=np.float32), "argument 1 has zero size (shape (0, 4))"),
        (1 + 2j, "argument 1 is a complex"),
    ],
)
def test_rejected_inputs(bad: Any, message: str) -> None:
    with pytest.raises(zg.ZigguratTraceError) as info:
        F(X, bad)  # ERR-input
    assert_user_error(info, message, "ERR-input")


def _bool_plus(m: Any, x: Any) -> Any:
    return x + m  # ERR-bool-operand


def _bool_astype(m: Any) -> Any:
    return m.astype(np.float32)  # ERR-bool-astype


def test_bool_arrays_in_and_out() -> None:
    """Bool arrays are traced as i1 tensors: they can be returned (as bool arrays) but are
    not numbers (arithmetic and astype on them are located errors)."""
    m = np.random.default_rng(9).random((3, 17)) < 0.5
    f = zg.jit(lambda m: m)
    out = f(m)
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out, m)
    assert "tensor<3x17xi1>" in f.lower(m).as_text("ztensor")
    with pytest.raises(zg.ZigguratTraceError) as info:
        zg.jit(_bool_plus)(m, X[:, :1].repeat(17, 1)[:3])
    assert_user_error(info, "operator +: a boolean traced array", "ERR-bool-operand")
    with pytest.raises(zg.ZigguratTraceError) as info:
        zg.jit(_bool_astype)(m)
    assert_user_error(info, "cannot convert a boolean traced array to float32", "ERR-bool-astype")


def test_rejected_keyword_input() -> None:
    f = zg.jit(lambda x, w=None: x if w is None else x * w)
    with pytest.raises(zg.ZigguratTraceError) as info:
        f(X, w=[1.0])  # ERR-kwarg
    assert_user_error(info, "zg.jit(lambda): argument 'w' is a list", "ERR-kwarg")


def _broadcast(x: Any) -> Any:
    return x + np.ones(5, dtype=np.float32)  # ERR-broadcast


def _matmul_k(x: Any) -> Any:
    return x @ x  # ERR-matmul


def _matmul_scalar(x: Any) -> Any:
    return zg.matmul(x, 2.0)  # ERR-matmul-scalar


def _batch(x: Any) -> Any:
    lhs = zg.reshape(x, (3, 1, 4))
    rhs = zg.broadcast_to(zg.reshape(x, (4, 3)), (2, 4, 3))
    return zg.matmul(lhs, rhs)  # ERR-batch


def _reshape(x: Any) -> Any:
    return zg.reshape(x, (5, -1))  # ERR-reshape


def _reshape2(x: Any) -> Any:
    return x.reshape(-1, -1)  # ERR-reshape2


def _transpose(x: Any) -> Any:
    return zg.transpose(x, (0, 0))  # ERR-transpose


def _transpose_rank(x: Any) -> Any:
    return zg.transpose(x, (1, 0, 2))  # ERR-transpose-rank


def _axis(x: Any) -> Any:
    return zg.sum(x, axis=2)  # ERR-axis


def _repeated(x: Any) -> Any:
    return zg.mean(x, axis=(0, -2))  # ERR-repeated


def _axis_type(x: Any) -> Any:
    return zg.max(x, axis=1.5)  # ERR-axis-type


def _broadcast_to(x: Any) -> Any:
    return zg.broadcast_to(x, (4, 4))  # ERR-broadcast-to


def _softmax_axis(x: Any) -> Any:
    return zg.softmax(x, axis=-3)  # ERR-softmax


def _softmax_scalar(x: Any) -> Any:
    return zg.softmax(zg.sum(x))  # ERR-softmax-0d


def _eps(x: Any) -> Any:
    return zg.layer_norm(x, eps=0.0)  # ERR-eps


def _bool(x: Any) -> Any:
    if x:  # ERR-bool
        return x
    return -x


def _index(x: Any) -> Any:
    return x[0]  # ERR-index


def _compare(x: Any) -> Any:
    return x if x < 0 else -x  # ERR-compare


def _equal(x: Any) -> Any:
    return x == np.ones(5, dtype=np.float32)  # ERR-equal


def _np_function(x: Any) -> Any:
    return np.concatenate([x, x])  # ERR-np-function


def _np_ufunc(x: Any) -> Any:
    return np.sin(x)  # ERR-np-ufunc


def _np_kwargs(x: Any) -> Any:
    return np.sum(x, dtype=np.float64)  # ERR-np-kwargs


def _np_convert(x: Any) -> Any:
    return np.asarray(x)  # ERR-np-convert


def _complex_constant(x: Any) -> Any:
    return x + np.ones(4, dtype=np.complex64)  # ERR-complex-constant


def _bad_operand(x: Any) -> Any:
    return x * "two"  # ERR-operand


def _cast(x: Any) -> Any:
    return x.astype(np.int32)  # ERR-cast


SHAPE_ERRORS = [
    (
        _broadcast,
        "operator +: operands could not be broadcast together with shapes (3, 4) and (5,)",
        "ERR-broadcast",
    ),
    (
        _matmul_k,
        "operator @: contraction dimensions differ: (3, 4) @ (3, 4) (4 != 3)",
        "ERR-matmul",
    ),
    (
        _matmul_scalar,
        "zg.matmul: operand 1 is a scalar; matmul needs arrays of rank >= 1",
        "ERR-matmul-scalar",
    ),
    (
        _batch,
        "zg.matmul: operands could not be broadcast together with shapes (3,) and (2,)",
        "ERR-batch",
    ),
    (_reshape, "zg.reshape: cannot reshape array of size 12 into shape (5, -1)", "ERR-reshape"),
    (_reshape2, "x.reshape: invalid shape (-1, -1)", "ERR-reshape2"),
    (_transpose, "zg.transpose: repeated axis in transpose axes (0, 0)", "ERR-transpose"),
    (
        _transpose_rank,
        "zg.transpose: axes (1, 0, 2) don't match an array of dimension 2",
        "ERR-transpose-rank",
    ),
    (_axis, "zg.sum: axis 2 is out of bounds for an array of dimension 2", "ERR-axis"),
    (_repeated, "zg.mean: repeated axis in (0, -2)", "ERR-repeated"),
    (_axis_type, "zg.max: axis must be an int, got 1.5", "ERR-axis-type"),
    (
        _broadcast_to,
        "zg.broadcast_to: cannot broadcast an array of shape (3, 4) to (4, 4)",
        "ERR-broadcast-to",
    ),
    (
        _softmax_axis,
        "zg.softmax: axis -3 is out of bounds for an array of dimension 2",
        "ERR-softmax",
    ),
    (_softmax_scalar, "zg.softmax: needs an array of rank >= 1, got a 0-d array", "ERR-softmax-0d"),
    (_eps, "zg.layer_norm: eps must be a positive float, got 0.0", "ERR-eps"),
    (_bool, "bool() / data-dependent control flow is not supported on a traced array", "ERR-bool"),
    (_index, "indexing is not supported on a traced array", "ERR-index"),
    (
        _compare,
        "bool() / data-dependent control flow is not supported on a traced array",
        "ERR-compare",
    ),
    (
        _equal,
        "operator ==: operands could not be broadcast together with shapes (3, 4) and (5,)",
        "ERR-equal",
    ),
    (_np_function, "numpy.concatenate is not supported on traced arrays", "ERR-np-function"),
    (_np_ufunc, "numpy.sin (__call__) is not supported on traced arrays", "ERR-np-ufunc"),
    (
        _np_kwargs,
        "numpy.sum on a traced array: got an unexpected keyword argument 'dtype'",
        "ERR-np-kwargs",
    ),
    (
        _np_convert,
        "conversion to a numpy array is not supported on a traced array",
        "ERR-np-convert",
    ),
    (
        _complex_constant,
        "operator +: numpy operand of dtype complex64 is not supported",
        "ERR-complex-constant",
    ),
    (_bad_operand, "operator *: unsupported operand of type str", "ERR-operand"),
    (
        _cast,
        "x.astype: cannot convert to int32; only float16, bfloat16, float32 and float64",
        "ERR-cast",
    ),
]


@pytest.mark.parametrize(
    ("fn", "message", "marker"), SHAPE_ERRORS, ids=[e[2] for e in SHAPE_ERRORS]
)
def test_errors_inside_the_trace(fn: Any, message: str, marker: str) -> None:
    with pytest.raises(zg.ZigguratTraceError) as info:
        zg.jit(fn)(X)
    assert_user_error(info, message, marker)


def test_bad_results() -> None:
    with pytest.raises(zg.ZigguratTraceError) as info:
        zg.jit(lambda x: None)(X)  # ERR-none
    assert_user_error(
        info, "the function's result is a NoneType; a jitted function must return", "ERR-none"
    )
    with pytest.raises(zg.ZigguratTraceError) as info:
        zg.jit(lambda x: (x, 1.0))(X)  # ERR-scalar-result
    assert_user_error(info, "zg.jit(lambda): result 1 is a float", "ERR-scalar-result")
    with pytest.raises(zg.ZigguratTraceError) as info:
        zg.jit(lambda x: ())(X)  # ERR-empty
    assert_user_error(info, "the function returned an empty tuple", "ERR-empty")


def test_leaked_traced_array() -> None:
    leaked: list[Any] = []

    def leak(x: Any) -> Any:
        leaked.append(x)
        return x

    zg.jit(leak)(X)
    with pytest.raises(zg.ZigguratTraceError) as info:
        zg.relu(leaked[0])  # ERR-leak
    assert "used after its zg.jit trace had finished" in str(info.value)
    assert info.value.lineno == line_of("ERR-leak")
    with pytest.raises(zg.ZigguratTraceError) as info:
        zg.jit(lambda x: x + leaked[0])(X)  # ERR-leak-mix
    assert_user_error(
        info, "operator +: operands come from different zg.jit traces", "ERR-leak-mix"
    )


def test_user_exceptions_propagate_unchanged() -> None:
    def f(x: Any) -> Any:
        raise KeyError("mine")

    with pytest.raises(KeyError, match="mine"):
        zg.jit(f)(X)


def test_bad_jit_options() -> None:
    with pytest.raises(TypeError, match="unknown option"):
        zg.jit(lambda x: x, opt_levl=2)
    with pytest.raises(ValueError, match=r"opt_level must be in 0\.\.3, got 7"):
        zg.jit(opt_level=7)
    with pytest.raises(ValueError, match="threads must be None or an int >= 1"):
        zg.jit(lambda x: x, threads=0)
    with pytest.raises(TypeError, match="eqsat must be a bool"):
        zg.jit(lambda x: x, eqsat="yes")
    with pytest.raises(TypeError, match="expected a callable"):
        zg.jit(3)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="backend must implement Backend"):
        zg.jit(lambda x: x, backend=object())  # type: ignore[call-overload]


# ---------------------------------------------------------------------------------------------
# Repeat calls (the fast key) and out=
# ---------------------------------------------------------------------------------------------


def test_repeat_calls_with_each_layout_and_static_get_their_own_specialization() -> None:
    @zg.jit
    def f(x: Any, alpha: Any) -> Any:
        return x * alpha

    x = rand(6, 5)
    wide = rand(6, 10)
    cases: list[tuple[np.ndarray, Any]] = [
        (x, 2.0),
        (np.asfortranarray(x), 2.0),
        (wide[:, ::2], 2.0),  # strided: copied, never on the fast path
        (x, 2),
        (x, True),
        (x, -0.0),
        (x, 0.0),
    ]
    for _ in range(3):
        for array, alpha in cases:
            np.testing.assert_allclose(f(array, alpha), array * alpha, rtol=1e-6)
    info = f.cache_info()
    # x with 2.0 and the strided copy share f32[6,5]; the F-ordered one is col_major.
    assert info.misses == 6 and info.hits == 3 * len(cases) - 6
    assert "(f32[6,5], -0.0)" in info.specializations
    assert "(f32[6,5], True)" in info.specializations and "(f32[6,5], 2)" in info.specializations


def test_evicted_specializations_leave_no_fast_keys() -> None:
    f = zg.jit(lambda x: x + 1.0, cache_size=1)
    small, large = rand(3, 3), rand(4, 4)
    for _ in range(3):
        np.testing.assert_allclose(f(small), small + 1)
        np.testing.assert_allclose(f(large), large + 1)
    assert f.cache_info().currsize == 1 and f.evictions == 5
    assert len(f._fast) == 1


def test_out_writes_the_results_into_given_arrays() -> None:
    @zg.jit
    def one(x: Any) -> Any:
        return x * 2.0

    @zg.jit
    def two(x: Any) -> Any:
        return x + 1.0, x - 1.0

    x = rand(4, 8)
    out = np.zeros_like(x)
    for _ in range(2):  # the first call traces, the second takes the fast path
        out[:] = 0
        assert one(x, out=out) is out
        np.testing.assert_allclose(out, x * 2)
    first, second = np.empty_like(x), np.empty_like(x)
    got = two(x, out=(first, second))
    assert got == (first, second) and got[0] is first
    np.testing.assert_allclose(second, x - 1)
    assert one.lower(x).compile()(x, out=out) is out


def test_out_errors() -> None:
    one = zg.jit(lambda x: x * 2.0)
    two = zg.jit(lambda x: (x, x + 1.0))
    x = rand(4, 8)
    one(x)
    with pytest.raises(zg.ZigguratError, match=r"expected shape \(4, 8\), got \(8, 4\)"):
        one(x, out=np.empty((8, 4), np.float32))
    with pytest.raises(zg.ZigguratError, match=r"expected dtype float32, got float64"):
        one(x, out=np.empty((4, 8)))
    with pytest.raises(zg.ZigguratError, match=r"overlaps the memory of argument 0"):
        one(x, out=x)
    with pytest.raises(zg.ZigguratTraceError, match=r"out= must be one array .*got a tuple"):
        one(x, out=(x,))
    with pytest.raises(zg.ZigguratTraceError, match=r"out= must be a tuple or list of 2 arrays"):
        two(x, out=np.empty_like(x))


def test_out_on_a_backend_without_it_is_copied_and_checked() -> None:
    f = zg.jit(lambda x: x * 2.0, backend=InterpreterBackend())
    x = rand(3, 4)
    out = np.zeros_like(x)
    assert f(x, out=out) is out
    np.testing.assert_allclose(out, x * 2)
    with pytest.raises(zg.ZigguratTraceError, match=r"out= array 0: expected dtype float32"):
        f(x, out=np.zeros((3, 4)))


def test_a_parameter_named_out_is_an_ordinary_argument() -> None:
    @zg.jit
    def f(x: Any, out: Any) -> Any:
        return x + out

    x, y = rand(2, 3), rand(2, 3)
    np.testing.assert_allclose(f(x, out=y), x + y, rtol=1e-6)
    np.testing.assert_allclose(f(x, out=y), x + y, rtol=1e-6)
