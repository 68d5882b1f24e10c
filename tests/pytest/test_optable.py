"""The op table (`ziggurat.dialects.optable`) agrees with itself, the dialects and the frontend.

Every consumer reads the table, so these checks are what keeps a new row honest: its op
classes exist in both dialects (in the table's order), its expansions use only ops the
lowerings know and compute its reference, its LLVM form exists, and `zg.<frontend>` is
exported with the row's docstring.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from xdsl.dialects import arith, math

import ziggurat as zg
from ziggurat import api
from ziggurat.dialects import optable, zloop, ztensor, ztile
from ziggurat.dialects.zloop_semantics import fcmp
from ziggurat.lowering import llvm_math

NDArray = np.ndarray[Any, Any]
ROWS = list(optable.ELEMENTWISE.values())
ROWS_AND_REDUCTIONS: list[Any] = [*ROWS, *optable.REDUCTIONS]
SCALAR_OP_NAMES = {
    op.name for op in (*arith.Arith.operations, *math.Math.operations, *zloop.ZLoop.operations)
}


def test_table_is_consistent() -> None:
    optable.check_table()


def _names(ops: Any) -> list[str]:
    return [op.name.split(".", 1)[1] for op in ops]


def test_dialects_have_one_class_per_row_in_table_order() -> None:
    for dialect in (ztensor, ztile):
        assert _names(dialect.ELEMENTWISE_UNARY) == [r.name for r in optable.UNARY]
        assert _names(dialect.ELEMENTWISE_BINARY) == [r.name for r in optable.BINARY]
        assert _names(dialect.ELEMENTWISE_BOOLEAN) == [r.name for r in optable.BOOLEAN]
    assert _names(ztensor.REDUCTIONS) == [r.name for r in optable.REDUCTIONS]
    assert set(ztile.ReduceOp.KINDS) == set(optable.TILE_REDUCTION)


class _Recorder:
    """An `optable.Scalars` that records the op names an expansion uses."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def const(self, value: float) -> str:
        return "c"

    def op(self, name: str, *operands: str, predicate: str | None = None) -> str:
        self.names.append(name)
        return "v"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_expansions_use_known_ops(row: optable.Elementwise) -> None:
    rec = _Recorder()
    predicate = row.predicates[0].name if row.predicates else None
    row.expand(rec, *["x"] * row.arity, predicate=predicate)
    assert rec.names and set(rec.names) <= SCALAR_OP_NAMES
    llvm = row.llvm
    if isinstance(llvm, optable.Helper):
        assert llvm.name in llvm_math.EMITTERS
    elif isinstance(llvm, optable.Intrinsic):
        assert llvm.name.startswith("llvm.")
    elif llvm is not None:
        rec = _Recorder()
        llvm(rec, *["x"] * row.arity)
        from ziggurat.lowering.convert_to_llvm import _FLOAT_ARITH

        assert set(rec.names) <= set(_FLOAT_ARITH) | set(optable.MATH_OPS), rec.names
        assert row.math_op not in rec.names  # no expansion in terms of itself


_NUMPY_ARITH: dict[str, Callable[..., Any]] = {
    "arith.addf": np.add,
    "arith.subf": np.subtract,
    "arith.mulf": np.multiply,
    "arith.divf": np.divide,
    "arith.negf": np.negative,
    "arith.maximumf": optable.ieee_maximum,
    "arith.minimumf": optable.ieee_minimum,
}


class _Numpy:
    """An `optable.Scalars` computing with numpy: arith as IEEE says, math ops by their rows."""

    def __init__(self, dtype: Any) -> None:
        self.dtype = dtype

    def const(self, value: float) -> NDArray:
        return np.asarray(value, self.dtype)

    def op(self, name: str, *operands: NDArray, predicate: str | None = None) -> NDArray:
        if name == "zloop.cmpf":
            assert predicate is not None
            return np.asarray(fcmp(zloop.CMPF_PREDICATES.index(predicate), *operands))
        if name == "zloop.select":
            return np.asarray(np.where(*operands), self.dtype)
        if name in _NUMPY_ARITH:
            with np.errstate(all="ignore"):
                return np.asarray(_NUMPY_ARITH[name](*operands), self.dtype)
        return np.asarray(optable.MATH_OPS[name].evaluate(*operands), self.dtype)


SAMPLE = np.concatenate([np.linspace(-20, 20, 401), [0.0, -0.0, np.inf, -np.inf, np.nan, 0.5]])


def _agree(a: NDArray, b: NDArray, rtol: float) -> bool:
    nan = np.isnan(a)
    if not np.array_equal(nan, np.isnan(b)):
        return False
    a, b = a[~nan], b[~nan]
    zeros = (a == 0) & (b == 0)
    return bool(
        np.array_equal(np.signbit(a[zeros]), np.signbit(b[zeros]))
        and np.allclose(a, b, rtol=rtol, atol=1e-300)
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_expansions_compute_the_reference(row: optable.Elementwise, dtype: Any) -> None:
    x = SAMPLE.astype(dtype)
    floats = iter([x, x[::-1].copy(), np.roll(x, 7)])
    args = [x > 0.25 if k == "b" else next(floats) for k in row.operand_kinds]
    if row.name == "pow":
        args[0] = np.abs(args[0])
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    predicates: list[str | None] = [p.name for p in row.predicates] or [None]
    for predicate in predicates:
        ref = row.evaluate(*args, predicate=predicate)
        got = np.asarray(row.expand(_Numpy(dtype), *args, predicate=predicate))
        assert got.dtype == ref.dtype and _agree(got, ref, rtol), predicate
    if row.llvm is not None and callable(row.llvm):
        assert _agree(np.asarray(row.llvm(_Numpy(dtype), *args)), row.evaluate(*args), rtol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_references_keep_the_dtype_and_never_warn(row: optable.Elementwise, dtype: Any) -> None:
    x = SAMPLE.astype(dtype)
    args = [x > 0 if k == "b" else x for k in row.operand_kinds]
    want = np.bool_ if row.result_kind == "b" else dtype
    predicates: list[str | None] = [p.name for p in row.predicates] or [None]
    for predicate in predicates:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            r = row.evaluate(*args, predicate=predicate)
            scalar = row.evaluate(*[a[0] for a in args], predicate=predicate)
        assert r.dtype == want and r.shape == x.shape
        assert np.asarray(scalar).dtype == want


@pytest.mark.parametrize(
    "row", [r for r in ROWS_AND_REDUCTIONS if r.frontend is not None], ids=lambda r: r.name
)
def test_every_row_has_its_frontend_function(row: Any) -> None:
    function = getattr(zg, row.frontend)
    assert function is api.TABLE_FUNCTIONS[row.frontend]
    assert function.__name__ == row.frontend and function.__doc__ == row.doc
    assert row.frontend in zg.__all__ and row.frontend in api.__all__
    for ufunc in getattr(row, "ufuncs", ()):
        assert api.NUMPY_UFUNCS[ufunc] is function
    for name in getattr(row, "numpy_functions", ()):
        assert api.NUMPY_FUNCTIONS[getattr(np, name)] is function


def test_unknown_api_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'expm1'"):
        api.expm1  # noqa: B018
    assert "exp" in dir(api)
