"""The numpy-like functions of `import ziggurat as zg`.

Each function has numpy's signature. Called on a traced array (inside `zg.jit`) it appends a
ztensor op; called on numpy arrays or Python scalars it computes eagerly with numpy, using the
reference semantics of `ziggurat.dialects.ztensor_semantics` for the composites (sigmoid, gelu,
softmax, layer_norm), so eager and traced results agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ziggurat import frontend as fe
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
# Elementwise binary
# ---------------------------------------------------------------------------------------------


def add(x1: ArrayLike, x2: ArrayLike) -> Any:
    """x1 + x2 with numpy broadcasting (numpy.add)."""
    if is_traced(x1, x2):
        return fe.binary("add", x1, x2, "zg.add")
    return np.add(x1, x2)


def subtract(x1: ArrayLike, x2: ArrayLike) -> Any:
    """x1 - x2 with numpy broadcasting (numpy.subtract)."""
    if is_traced(x1, x2):
        return fe.binary("sub", x1, x2, "zg.subtract")
    return np.subtract(x1, x2)


def multiply(x1: ArrayLike, x2: ArrayLike) -> Any:
    """x1 * x2 with numpy broadcasting (numpy.multiply)."""
    if is_traced(x1, x2):
        return fe.binary("mul", x1, x2, "zg.multiply")
    return np.multiply(x1, x2)


def divide(x1: ArrayLike, x2: ArrayLike) -> Any:
    """x1 / x2 (true division) with numpy broadcasting (numpy.divide)."""
    if is_traced(x1, x2):
        return fe.binary("div", x1, x2, "zg.divide")
    return np.divide(x1, x2)


def maximum(x1: ArrayLike, x2: ArrayLike) -> Any:
    """Elementwise maximum, NaN-propagating (numpy.maximum)."""
    if is_traced(x1, x2):
        return fe.binary("maximum", x1, x2, "zg.maximum")
    return np.maximum(x1, x2)


def minimum(x1: ArrayLike, x2: ArrayLike) -> Any:
    """Elementwise minimum, NaN-propagating (numpy.minimum)."""
    if is_traced(x1, x2):
        return fe.binary("minimum", x1, x2, "zg.minimum")
    return np.minimum(x1, x2)


def power(x1: ArrayLike, x2: ArrayLike) -> Any:
    """x1 ** x2 with numpy broadcasting (numpy.power)."""
    if is_traced(x1, x2):
        return fe.binary("pow", x1, x2, "zg.power")
    return np.power(x1, x2)


def matmul(x1: ArrayLike, x2: ArrayLike) -> Any:
    """Matrix product with numpy.matmul semantics (1-D operands, broadcast batch dims)."""
    if is_traced(x1, x2):
        return fe.matmul(x1, x2, "zg.matmul")
    return np.matmul(x1, x2)


# ---------------------------------------------------------------------------------------------
# Elementwise unary
# ---------------------------------------------------------------------------------------------


def negative(x: ArrayLike) -> Any:
    """-x (numpy.negative)."""
    if is_traced(x):
        return fe.unary("neg", x, "zg.negative")
    return np.negative(x)


def exp(x: ArrayLike) -> Any:
    """e**x (numpy.exp)."""
    if is_traced(x):
        return fe.unary("exp", x, "zg.exp")
    return np.exp(x)


def log(x: ArrayLike) -> Any:
    """Natural logarithm (numpy.log)."""
    if is_traced(x):
        return fe.unary("log", x, "zg.log")
    return np.log(x)


def tanh(x: ArrayLike) -> Any:
    """Hyperbolic tangent (numpy.tanh)."""
    if is_traced(x):
        return fe.unary("tanh", x, "zg.tanh")
    return np.tanh(x)


def sqrt(x: ArrayLike) -> Any:
    """Square root (numpy.sqrt)."""
    if is_traced(x):
        return fe.unary("sqrt", x, "zg.sqrt")
    return np.sqrt(x)


def abs(x: ArrayLike) -> Any:
    """Absolute value (numpy.abs)."""
    if is_traced(x):
        return fe.unary("abs", x, "zg.abs")
    return np.abs(x)


def rsqrt(x: ArrayLike) -> Any:
    """1 / sqrt(x)."""
    if is_traced(x):
        return fe.unary("rsqrt", x, "zg.rsqrt")
    array = _float_array(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (1 / np.sqrt(array)).astype(array.dtype)


def relu(x: ArrayLike) -> Any:
    """max(x, 0), elementwise."""
    if is_traced(x):
        return fe.unary("relu", x, "zg.relu")
    array = _float_array(x)
    return np.maximum(array, array.dtype.type(0))


def sigmoid(x: ArrayLike) -> Any:
    """The logistic function 1 / (1 + e**-x), elementwise."""
    if is_traced(x):
        return fe.unary("sigmoid", x, "zg.sigmoid")
    return _semantics().sigmoid(_float_array(x))


def gelu(x: ArrayLike) -> Any:
    """GELU, tanh approximation: 0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3)))."""
    if is_traced(x):
        return fe.unary("gelu", x, "zg.gelu")
    return _semantics().gelu(_float_array(x))


# ---------------------------------------------------------------------------------------------
# Reductions, data movement, composites
# ---------------------------------------------------------------------------------------------


def sum(x: ArrayLike, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Any:
    """Sum over `axis` (None: all axes) (numpy.sum)."""
    if is_traced(x):
        return fe.reduce("sum", x, axis, keepdims, "zg.sum")
    return np.sum(x, axis=axis, keepdims=keepdims)


def max(x: ArrayLike, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Any:
    """Maximum over `axis` (None: all axes) (numpy.max)."""
    if is_traced(x):
        return fe.reduce("max", x, axis, keepdims, "zg.max")
    return np.max(x, axis=axis, keepdims=keepdims)


def mean(x: ArrayLike, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Any:
    """Arithmetic mean over `axis` (None: all axes) (numpy.mean)."""
    if is_traced(x):
        return fe.reduce("mean", x, axis, keepdims, "zg.mean")
    return np.mean(x, axis=axis, keepdims=keepdims)


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
    "add": add,
    "subtract": subtract,
    "multiply": multiply,
    "divide": divide,
    "true_divide": divide,
    "maximum": maximum,
    "minimum": minimum,
    "power": power,
    "matmul": matmul,
    "negative": negative,
    "exp": exp,
    "log": log,
    "tanh": tanh,
    "sqrt": sqrt,
    "absolute": abs,
}

NUMPY_FUNCTIONS: dict[Any, Any] = {
    np.sum: sum,
    np.max: max,
    np.amax: max,
    np.mean: mean,
    np.transpose: transpose,
    np.reshape: reshape,
    np.broadcast_to: broadcast_to,
}

__all__ = [
    "TracedArray",
    "abs",
    "add",
    "broadcast_to",
    "divide",
    "exp",
    "gelu",
    "layer_norm",
    "log",
    "matmul",
    "max",
    "maximum",
    "mean",
    "minimum",
    "multiply",
    "negative",
    "power",
    "relu",
    "reshape",
    "rsqrt",
    "sigmoid",
    "softmax",
    "sqrt",
    "subtract",
    "sum",
    "tanh",
    "transpose",
]
