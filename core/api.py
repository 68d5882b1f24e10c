"""The numpy-like functions of `import ziggurat as zg`.

Each function has numpy's signature. Called on a traced array (inside `zg.jit`) it appends a
ztensor op; called on numpy arrays or Python scalars it computes eagerly with numpy, using the
reference semantics for the composites (sigmoid, gelu, softmax, layer_norm), so eager and
traced results agree.

The elementwise functions and reductions (`zg.exp`, `zg.add`, `zg.sum`, ...) are made from the
rows of the op table (`ziggurat.dialects.optable`: spelling, docstring, numpy ufunc, eager rule);
the rest are written out here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from ziggurat import frontend as fe
from ziggurat.dialects import optable
from ziggurat.frontend import TracedArray, is_traced

NDArray = np.ndarray[Any, Any]
ArrayLike = Any
"""A `TracedArray`, a numpy array or a Python scalar."""


def _float_array(x: ArrayLike) -> NDArray:
    """`x` as a numpy array with a float dtype (integers and bools become float64, like np.exp)."""
    array = np.asarray(x)
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    return array


def _semantics() -> Any:
    from ziggurat.dialects import ztensor_semantics

    return ztensor_semantics


# ---------------------------------------------------------------------------------------------
# Elementwise ops and reductions: one function per row of the op table
# ---------------------------------------------------------------------------------------------


class TableFunction(Protocol):
    """A `zg.*` function of the op table (it takes numpy's arguments of its op)."""

    __name__: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...


def _elementwise(row: optable.Elementwise, frontend: str) -> Callable[..., Any]:
    """`zg.<frontend>`: the row's op on traced arrays, numpy's ufunc or function (or the
    row's eager rule on float arrays) otherwise."""
    spelling = f"zg.{frontend}"
    numpy_names = (*row.ufuncs, *row.numpy_functions)
    function: Callable[..., Any]
    if row.arity == 3:
        numpy_function = getattr(np, numpy_names[0])

        def ternary(condition: ArrayLike, x: ArrayLike, y: ArrayLike) -> Any:
            if is_traced(condition, x, y):
                return fe.elementwise(row.name, (condition, x, y), spelling)
            return numpy_function(condition, x, y)

        function = ternary
    elif row.arity == 2:

        def binary(x1: ArrayLike, x2: ArrayLike) -> Any:
            if is_traced(x1, x2):
                return fe.binary(row.name, x1, x2, spelling)
            return getattr(np, numpy_names[0])(x1, x2)

        function = binary
    elif numpy_names:

        def unary_ufunc(x: ArrayLike) -> Any:
            if is_traced(x):
                return fe.unary(row.name, x, spelling)
            return getattr(np, numpy_names[0])(x)

        function = unary_ufunc
    else:
        rule = row.eager or row.reference

        def unary(x: ArrayLike) -> Any:
            if is_traced(x):
                return fe.unary(row.name, x, spelling)
            return rule(_float_array(x))

        function = unary
    function.__name__ = function.__qualname__ = frontend
    function.__doc__ = row.doc
    return function


def _predicate_ufunc(row: optable.Elementwise, p: optable.Predicate) -> Callable[..., Any]:
    """What `numpy.<p.ufunc>` of traced arrays computes: the comparison `row` with `p`."""

    def compare(x1: ArrayLike, x2: ArrayLike) -> Any:
        return fe.elementwise(row.name, (x1, x2), f"numpy.{p.ufunc}", predicate=p.name)

    compare.__name__ = compare.__qualname__ = str(p.ufunc)
    return compare


def _reduction(row: optable.Reduction) -> Callable[..., Any]:
    """`zg.<row.frontend>`: the reduction on traced arrays, numpy's function otherwise."""
    numpy_function = getattr(np, row.numpy_functions[0])

    def reduction(
        x: ArrayLike, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
    ) -> Any:
        if is_traced(x):
            return fe.reduce(row.frontend, x, axis, keepdims, f"zg.{row.frontend}")
        return numpy_function(x, axis=axis, keepdims=keepdims)

    reduction.__name__ = reduction.__qualname__ = row.frontend
    reduction.__doc__ = row.doc
    return reduction


TABLE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    **{
        row.frontend: _elementwise(row, row.frontend)
        for row in optable.ELEMENTWISE.values()
        if row.frontend is not None
    },
    **{row.frontend: _reduction(row) for row in optable.REDUCTIONS},
}
"""The `zg.*` functions of the op table's rows, by name (`zg.exp`, `zg.add`, `zg.sum`, ...)."""


def __getattr__(name: str) -> TableFunction:
    # The op table's functions are attributes of this module (`from ziggurat.api import exp`).
    try:
        return TABLE_FUNCTIONS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted({*globals(), *TABLE_FUNCTIONS})


def matmul(x1: ArrayLike, x2: ArrayLike) -> Any:
    """Matrix product with numpy.matmul semantics (1-D operands, broadcast batch dims)."""
    if is_traced(x1, x2):
        return fe.matmul(x1, x2, "zg.matmul")
    return np.matmul(x1, x2)


def dot(a: ArrayLike, b: ArrayLike) -> Any:
    """numpy.dot for operands of rank at most 2 (a matrix product, or a product with a scalar)."""
    if is_traced(a, b):
        return fe.dot(a, b, "zg.dot")
    return np.dot(a, b)


def min(x: ArrayLike, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Any:
    """The minimum over `axis` (numpy.min), computed as `-max(-x)`."""
    if is_traced(x):
        return fe.reduce_min(x, axis, keepdims, "zg.min")
    return np.min(x, axis=axis, keepdims=keepdims)


def var(
    x: ArrayLike, axis: int | tuple[int, ...] | None = None, ddof: int = 0, keepdims: bool = False
) -> Any:
    """The variance over `axis` (numpy.var): mean((x - mean(x))**2) * n / (n - ddof)."""
    if is_traced(x):
        return fe.variance(x, axis, ddof, keepdims, "zg.var")
    return np.var(x, axis=axis, ddof=ddof, keepdims=keepdims)


def std(
    x: ArrayLike, axis: int | tuple[int, ...] | None = None, ddof: int = 0, keepdims: bool = False
) -> Any:
    """The standard deviation over `axis` (numpy.std): the square root of `var`."""
    if is_traced(x):
        return fe.standard_deviation(x, axis, ddof, keepdims, "zg.std")
    return np.std(x, axis=axis, ddof=ddof, keepdims=keepdims)


def square(x: ArrayLike) -> Any:
    """x * x (numpy.square)."""
    if is_traced(x):
        return fe.binary("mul", x, x, "zg.square")
    return np.square(x)


# ---------------------------------------------------------------------------------------------
# Data movement, composites
# ---------------------------------------------------------------------------------------------


def transpose(x: ArrayLike, axes: tuple[int, ...] | None = None) -> Any:
    """Permute the dimensions; `axes` None reverses them (numpy.transpose)."""
    if is_traced(x):
        return fe.transpose(x, axes, "zg.transpose")
    return np.transpose(x, axes)


def reshape(x: ArrayLike, shape: int | tuple[int, ...]) -> Any:
    """The same elements, in row-major order, under `shape` (one entry may be -1) (numpy.reshape)."""
    if is_traced(x):
        return fe.reshape(x, shape, "zg.reshape")
    return np.reshape(x, shape)


def broadcast_to(x: ArrayLike, shape: int | tuple[int, ...]) -> Any:
    """`x` broadcast to `shape` under numpy rules (numpy.broadcast_to)."""
    if is_traced(x):
        return fe.broadcast_to(x, shape, "zg.broadcast_to")
    return np.broadcast_to(x, shape)


def softmax(x: ArrayLike, axis: int = -1) -> Any:
    """exp(x - max(x)) / sum(exp(x - max(x))) along `axis`."""
    if is_traced(x):
        return fe.softmax(x, axis, "zg.softmax")
    array = _float_array(x)
    if array.ndim == 0:
        raise ValueError("zg.softmax: needs an array of rank >= 1, got a 0-d array")
    return _semantics().softmax(array, axis)


def layer_norm(x: ArrayLike, axis: int = -1, eps: float = 1e-5) -> Any:
    """(x - mean(x)) / sqrt(var(x) + eps) along `axis` (biased variance, no affine parameters)."""
    if is_traced(x):
        return fe.layer_norm(x, axis, eps, "zg.layer_norm")
    array = _float_array(x)
    if array.ndim == 0:
        raise ValueError("zg.layer_norm: needs an array of rank >= 1, got a 0-d array")
    return _semantics().layernorm(array, axis, eps)


# numpy functions applied to traced arrays dispatch here (TracedArray.__array_ufunc__ and
# __array_function__).
NUMPY_UFUNCS: dict[str, Any] = {
    **{
        ufunc: TABLE_FUNCTIONS[row.frontend]
        for row in optable.ELEMENTWISE.values()
        if row.frontend is not None
        for ufunc in row.ufuncs
    },
    **{
        p.ufunc: _predicate_ufunc(row, p)
        for row in optable.ELEMENTWISE.values()
        for p in row.predicates
        if p.ufunc is not None
    },
    "true_divide": TABLE_FUNCTIONS["divide"],
    "matmul": matmul,
    "square": square,
}

_ROWS: list[optable.Elementwise | optable.Reduction] = [
    *optable.ELEMENTWISE.values(),
    *optable.REDUCTIONS,
]
NUMPY_FUNCTIONS: dict[Any, Any] = {
    **{
        getattr(np, function): TABLE_FUNCTIONS[row.frontend]
        for row in _ROWS
        if row.frontend is not None
        for function in row.numpy_functions
    },
    np.transpose: transpose,
    np.reshape: reshape,
    np.dot: dot,
    np.min: min,
    np.amin: min,
    np.var: var,
    np.std: std,
    np.broadcast_to: broadcast_to,
}

__all__ = [
    "TracedArray",
    "broadcast_to",
    "dot",
    "layer_norm",
    "matmul",
    "min",
    "reshape",
    "softmax",
    "square",
    "std",
    "transpose",
    "var",
    *TABLE_FUNCTIONS,
]
