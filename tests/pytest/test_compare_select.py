"""Comparisons (`ztensor.cmp`) end to end: compiled and interpreted against numpy, and
traced from the comparison operators of traced arrays.

Inputs mix NaN, +-inf, +-0.0 and equal values, so every predicate's IEEE behaviour shows:
the ordered predicates are false where an operand is NaN, `une` (numpy's !=) true there,
and -0.0 equals +0.0. One module and one compile per element type.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ziggurat as zg

NDArray = np.ndarray[Any, Any]

PREDICATES = {
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
    lines = [
        f'  %{p} = ztensor.cmp "{p}" %a, %b : ({a}, {b}) -> {r}' for p in PREDICATES
    ]
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
