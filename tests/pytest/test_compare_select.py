"""Comparisons (`ztensor.cmp`) and select (`ztensor.select`) end to end: compiled and
interpreted against numpy, and traced from the comparison operators and `zg.where`.

Inputs mix NaN, +-inf, +-0.0 and equal values, so every predicate's IEEE behaviour shows:
the ordered predicates are false where an operand is NaN, `une` (numpy's !=) true there,
and -0.0 equals +0.0. One module and one compile per element type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ziggurat as zg

NDArray = np.ndarray[Any, Any]

PREDICATES: dict[str, Callable[[Any, Any], Any]] = {
    "olt": np.less,
    "ole": np.less_equal,
    "ogt": np.greater,
    "oge": np.greater_equal,
    "oeq": np.equal,
    "one": lambda a, b: (a < b) | (a > b),
    "une": np.not_equal,
}
SPECIAL = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 1e-40, 2.5]


def _inputs(dtype: Any) -> tuple[NDArray, NDArray]:
    """Every pair of special values (rows of a) against (b), plus random values, 4 x 17 and 17."""
    rng = np.random.default_rng(11)
    a = rng.standard_normal((4, 17))
    b = rng.standard_normal(17)
    a[0, : len(SPECIAL)] = SPECIAL
    a[1, : len(SPECIAL)] = SPECIAL[::-1]
    b[: len(SPECIAL)] = SPECIAL
    a[2, -3:] = b[-3:]  # equal values
    return a.astype(dtype), b.astype(dtype)


def _module(elt: str) -> str:
    a, b, r = f"tensor<4x17x{elt}>", f"tensor<17x{elt}>", "tensor<4x17xi1>"
    lines = [f'  %{p} = ztensor.cmp "{p}" %a, %b : ({a}, {b}) -> {r}' for p in PREDICATES]
    results = ", ".join(f"%{p}" for p in PREDICATES)
    types = ", ".join([r] * len(PREDICATES))
    return (
        f"func.func @f(%a: {a}, %b: {b}) -> ({types}) {{\n"
        + "\n".join(lines)
        + f"\n  func.return {results} : {types}\n}}\n"
    )


@pytest.mark.parametrize(("elt", "dtype"), [("f32", np.float32), ("f64", np.float64)])
def test_every_predicate_compiled_and_interpreted(elt: str, dtype: Any) -> None:
    source = _module(elt)
    a, b = _inputs(dtype)
    with np.errstate(invalid="ignore"):
        want = [rule(a, b) for rule in PREDICATES.values()]
    compiled = zg.compile(source)(a, b)
    interpreted = zg.run_reference(source, "f", [a, b])
    for p, w, got, ref in zip(PREDICATES, want, compiled, interpreted, strict=True):
        assert got.dtype == np.bool_, p
        np.testing.assert_array_equal(got, w, err_msg=p)
        np.testing.assert_array_equal(ref, w, err_msg=p)


def _operators(x: Any, y: Any) -> tuple[Any, ...]:
    return (x < y, x <= y, x > y, x >= y, x == y, x != y, x > 0.5, np.less_equal(x, y))


def test_operators_on_traced_arrays() -> None:
    """The six Python comparisons and numpy's comparison ufuncs trace to `ztensor.cmp`,
    with scalars and arrays on either side, and give numpy's results."""
    a, b = _inputs(np.float32)
    f = zg.jit(_operators)
    got = f(a, b)
    with np.errstate(invalid="ignore"):
        want = _operators(a, b)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == np.bool_
        np.testing.assert_array_equal(g, w)
    text = f.lower(a, b).as_text("ztensor")
    for p in ("olt", "ole", "ogt", "oge", "oeq", "une"):
        assert f'ztensor.cmp "{p}"' in text


def test_traced_arrays_stay_hashable() -> None:
    """`==` builds a traced array, but hashing is by identity: dicts and sets still work."""
    seen: dict[Any, int] = {}

    def f(x: Any, y: Any) -> Any:
        seen[x] = 1
        seen[y] = 2
        assert len({x, y, x}) == 2 and seen[x] == 1
        return x == y

    x = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(zg.jit(f)(x, x), np.ones((2, 3), bool))
    assert sorted(seen.values()) == [1, 2]


def _select_module() -> str:
    a, b, c, m = "tensor<4x17xf32>", "tensor<17xf32>", "tensor<4x1xf32>", "tensor<4x17xi1>"
    k = "tensor<4x1xi1>"
    return f"""
func.func @s(%a: {a}, %b: {b}, %c: {c}) -> ({a}, {a}) {{
  %m = ztensor.cmp "olt" %a, %b : ({a}, {b}) -> {m}
  %r = ztensor.select %m, %b, %c : ({m}, {b}, {c}) -> {a}
  %z = ztensor.constant dense<0.0> : {c}
  %k = ztensor.cmp "une" %c, %z : ({c}, {c}) -> {k}
  %t = ztensor.select %k, %a, %b : ({k}, {a}, {b}) -> {a}
  func.return %r, %t : {a}, {a}
}}
"""


def test_select_with_broadcasting_compiled_and_interpreted() -> None:
    """select broadcasts its condition and both values (numpy.where); NaN and -0.0 are
    chosen as they are."""
    a, b = _inputs(np.float32)
    c = np.array([[np.nan], [-0.0], [0.0], [2.0]], np.float32)
    with np.errstate(invalid="ignore"):
        want = (np.where(a < b, b, c), np.where(c != 0, a, b))
    source = _select_module()
    for got in (zg.compile(source)(a, b, c), zg.run_reference(source, "s", [a, b, c])):
        for g, w in zip(got, want, strict=True):
            assert g.dtype == np.float32
            np.testing.assert_array_equal(g, w)
            np.testing.assert_array_equal(np.signbit(g), np.signbit(w))


def _leaky_relu(x: Any) -> Any:
    return zg.where(x > 0, x, 0.01 * x)


def _where_numpy_condition(x: Any) -> Any:
    return zg.where(np.ones(x.shape, bool), x, 0.0)  # ERR-where-condition


def test_where_traced_eager_and_dispatched() -> None:
    x = np.random.default_rng(12).standard_normal((3, 33)).astype(np.float32)
    x[0, :3] = [np.nan, -0.0, 0.0]
    want = np.where(x > 0, x, 0.01 * x)
    traced = zg.jit(_leaky_relu)
    np.testing.assert_array_equal(traced(x), want)
    np.testing.assert_array_equal(_leaky_relu(x), want)  # eager: numpy.where
    assert "ztensor.select" in traced.lower(x).as_text("ztensor")
    # numpy.where on traced arrays dispatches to zg.where; Python scalars take numpy's dtype.
    f = zg.jit(lambda x: (np.where(x < 1, 1.0, x), zg.where(x < 1, 1.0, 0.0)))
    a, b = f(x)
    assert a.dtype == np.float32 and b.dtype == np.float64
    np.testing.assert_array_equal(a, np.where(x < 1, 1.0, x))
    np.testing.assert_array_equal(b, np.where(x < 1, 1.0, 0.0))
    # A boolean argument is a condition too.
    m = x > 0.5
    np.testing.assert_array_equal(zg.jit(lambda m, x: zg.where(m, x, -x))(m, x), np.where(m, x, -x))


def test_where_needs_a_traced_condition() -> None:
    x = np.ones((2, 3), np.float32)
    with pytest.raises(zg.ZigguratTraceError, match="the condition must be a boolean traced array"):
        zg.jit(_where_numpy_condition)(x)
    with pytest.raises(zg.ZigguratTraceError, match="the condition must be a boolean traced"):
        zg.jit(lambda x: zg.where(x, x, x))(x)
