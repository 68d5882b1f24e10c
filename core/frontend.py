"""Tracing numpy-like Python into a `func.func` of ztensor ops.

A `Tracer` owns one function body under construction; every array input becomes a block
argument wrapped in a `TracedArray`. Operations on traced arrays (the Python operators, the
`zg.*` functions in `ziggurat.api`, and the numpy functions routed through
`__array_ufunc__`/`__array_function__`) check shapes and dtypes the way numpy does and append one
ztensor op each. Mistakes raise `ZigguratTraceError`, whose message names the user's file and line.

xDSL is imported only once a trace starts, so `import ziggurat` stays light.
"""

from __future__ import annotations

import builtins
import inspect
import linecache
import sys
import typing
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ziggurat.dialects.optable import ELEMENTWISE, REDUCTIONS
from ziggurat.errors import ZigguratError

if TYPE_CHECKING:
    from xdsl.dialects.builtin import ModuleOp
    from xdsl.ir import Attribute, Block, Operation, SSAValue

NDArray = np.ndarray[Any, Any]

SUPPORTED_DTYPES: tuple[np.dtype[Any], ...] = (np.dtype(np.float32), np.dtype(np.float64))
"""The numeric element types a traced array may have."""

BOOL = np.dtype(np.bool_)
"""The dtype of boolean traced arrays (`tensor<...xi1>`: comparison results, zg.jit inputs):
they can be returned and be the condition of a select, not operands of arithmetic."""

COL_MAJOR = "col_major"
LAYOUT_ATTR = "ziggurat.layout"
"""Argument attribute marking an input that arrives F-contiguous (`"col_major"`)."""


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class ZigguratTraceError(ZigguratError, TypeError, ValueError):
    """A rejected input or a shape/dtype error while tracing, located at the user's line.

    `filename`, `lineno`, `function` and `source` describe the first stack frame outside
    Ziggurat (and numpy) when the error was raised; the message ends with that location.
    """

    def __init__(
        self,
        message: str,
        filename: str | None = None,
        lineno: int | None = None,
        function: str | None = None,
        source: str | None = None,
    ):
        self.message = message
        self.filename = filename
        self.lineno = lineno
        self.function = function
        self.source = source
        text = message
        if filename is not None:
            text += f"\n  at {filename}:{lineno} in {function}"
            if source:
                text += f"\n    {source}"
        super().__init__(text)


_INTERNAL_PREFIXES = ("ziggurat", "numpy", "xdsl")


def user_frame() -> Any | None:
    """The innermost stack frame whose module is not part of Ziggurat, numpy or xDSL."""
    frame: Any = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not any(
            module == prefix or module.startswith(prefix + ".") for prefix in _INTERNAL_PREFIXES
        ):
            return frame
        frame = frame.f_back
    return None


def trace_error(message: str) -> ZigguratTraceError:
    """A `ZigguratTraceError` carrying `message` and the user's current file:line."""
    frame = user_frame()
    if frame is None:
        return ZigguratTraceError(message)
    filename = frame.f_code.co_filename
    lineno = frame.f_lineno
    source = linecache.getline(filename, lineno).strip()
    return ZigguratTraceError(message, filename, lineno, frame.f_code.co_name, source)


def _shape_str(shape: Sequence[int]) -> str:
    return str(tuple(shape))


# ---------------------------------------------------------------------------------------------
# xDSL access (imported on first use)
# ---------------------------------------------------------------------------------------------


def _element_type(dtype: np.dtype[Any]) -> Attribute:
    from xdsl.dialects.builtin import Float32Type, Float64Type, i1

    if dtype == BOOL:
        return i1
    return Float64Type() if dtype == np.float64 else Float32Type()


def tensor_type(shape: Sequence[int], dtype: np.dtype[Any]) -> Attribute:
    """The builtin `tensor<...>` type of an array of `shape` and `dtype`."""
    from xdsl.dialects.builtin import TensorType

    return TensorType(_element_type(dtype), list(shape))


# ---------------------------------------------------------------------------------------------
# The tracer
# ---------------------------------------------------------------------------------------------


class Tracer:
    """Builds the body of one function: block arguments for inputs, one op per traced call."""

    def __init__(self, name: str):
        from xdsl.ir import Block

        self.name = name
        self.block: Block = Block()
        self.arg_layouts: list[str | None] = []
        self.active = True

    def argument(
        self, shape: Sequence[int], dtype: np.dtype[Any], layout: str | None
    ) -> TracedArray:
        """A new function argument of the given shape and dtype (layout: None or "col_major")."""
        value = self.block.insert_arg(tensor_type(shape, dtype), len(self.block.args))
        self.arg_layouts.append(layout)
        return TracedArray(self, value, tuple(shape), dtype)

    def emit(self, op: Operation) -> TracedArray:
        """Append `op` (a ztensor op with one result) and wrap its result."""
        from xdsl.dialects.builtin import TensorType
        from xdsl.utils.exceptions import VerifyException

        if not self.active:
            raise trace_error("a traced array was used after its zg.jit trace had finished")
        try:
            op.verify()
        except VerifyException as err:
            raise trace_error(f"internal error while tracing: {err}") from None
        self.block.add_op(op)
        result = op.results[0]
        ty = result.type
        assert isinstance(ty, TensorType)
        return TracedArray(self, result, tuple(ty.get_shape()), _dtype(ty.element_type))

    def constant(self, array: NDArray) -> TracedArray:
        """A `ztensor.constant` holding `array`: a splat (stored once) when every element is
        equal bit for bit, so `[0.0, -0.0]` is not a splat."""
        from ziggurat.dialects import ztensor as zt
        from ziggurat.dialects.ztensor_semantics import dense_attr

        ty = tensor_type(array.shape, array.dtype)
        return self.emit(zt.ConstantOp(dense_attr(array, typing.cast(Any, ty))))

    def finish(self, outputs: Sequence[TracedArray]) -> ModuleOp:
        """Close the trace: return `outputs` and wrap the function in a module."""
        from xdsl.dialects import func
        from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, ModuleOp, StringAttr
        from xdsl.ir import Region
        from xdsl.utils.exceptions import VerifyException

        self.active = False
        values = [o.value for o in outputs]
        self.block.add_op(func.ReturnOp(*values))
        arg_attrs = None
        if any(self.arg_layouts):
            arg_attrs = ArrayAttr(
                [
                    DictionaryAttr({LAYOUT_ATTR: StringAttr(layout)} if layout else {})
                    for layout in self.arg_layouts
                ]
            )
        function = func.FuncOp(
            self.name,
            ([a.type for a in self.block.args], [v.type for v in values]),
            Region(self.block),
            arg_attrs=arg_attrs,
        )
        module = ModuleOp([function])
        try:
            module.verify()
        except VerifyException as err:
            raise trace_error(f"internal error: the traced module does not verify: {err}") from None
        return module


def _dtype(element_type: Attribute) -> np.dtype[Any]:
    """The dtype of a traced array of `element_type` (f32, f64 or i1)."""
    from xdsl.dialects.builtin import Float64Type, i1

    if element_type == i1:
        return BOOL
    return SUPPORTED_DTYPES[1] if isinstance(element_type, Float64Type) else SUPPORTED_DTYPES[0]


# ---------------------------------------------------------------------------------------------
# Traced arrays
# ---------------------------------------------------------------------------------------------


class TracedArray:
    """A symbolic array inside a `zg.jit` trace: a shape, a dtype and the SSA value computing it.

    Supports numpy semantics for `@ + - * / **` and `< <= > >= == !=` (Python scalars and
    numpy arrays on either side; a comparison is a boolean traced array), unary `-`, `.T`, `.shape`, `.ndim`, `.dtype`, `.size`, the methods `reshape`,
    `transpose`, `sum`, `max`, `mean`, `astype`, and the numpy ufuncs/functions that have a
    `zg.*` counterpart (`np.exp(x)`, `np.sum(x, axis=0)`, ...).
    """

    __slots__ = ("dtype", "shape", "tracer", "value")
    __array_priority__ = 1000

    def __init__(
        self, tracer: Tracer, value: SSAValue, shape: tuple[int, ...], dtype: np.dtype[Any]
    ):
        self.tracer = tracer
        self.value = value
        self.shape = shape
        self.dtype = dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def T(self) -> TracedArray:
        return transpose(self, None, "x.T")

    def __repr__(self) -> str:
        return f"TracedArray(shape={self.shape}, dtype={self.dtype})"

    def __len__(self) -> int:
        if not self.shape:
            raise trace_error("len() of a 0-d traced array")
        return self.shape[0]

    # Arithmetic -------------------------------------------------------------------------------

    def __add__(self, other: Any) -> TracedArray:
        return binary("add", self, other, "operator +")

    def __radd__(self, other: Any) -> TracedArray:
        return binary("add", other, self, "operator +")

    def __sub__(self, other: Any) -> TracedArray:
        return binary("sub", self, other, "operator -")

    def __rsub__(self, other: Any) -> TracedArray:
        return binary("sub", other, self, "operator -")

    def __mul__(self, other: Any) -> TracedArray:
        return binary("mul", self, other, "operator *")

    def __rmul__(self, other: Any) -> TracedArray:
        return binary("mul", other, self, "operator *")

    def __truediv__(self, other: Any) -> TracedArray:
        return binary("div", self, other, "operator /")

    def __rtruediv__(self, other: Any) -> TracedArray:
        return binary("div", other, self, "operator /")

    def __pow__(self, other: Any) -> TracedArray:
        return binary("pow", self, other, "operator **")

    def __rpow__(self, other: Any) -> TracedArray:
        return binary("pow", other, self, "operator **")

    def __matmul__(self, other: Any) -> TracedArray:
        return matmul(self, other, "operator @")

    def __rmatmul__(self, other: Any) -> TracedArray:
        return matmul(other, self, "operator @")

    def __neg__(self) -> TracedArray:
        return unary("neg", self, "unary -")

    def __pos__(self) -> TracedArray:
        return self

    def __abs__(self) -> TracedArray:
        return unary("abs", self, "abs()")

    # Methods ----------------------------------------------------------------------------------

    def reshape(self, *shape: Any) -> TracedArray:
        target = shape[0] if len(shape) == 1 else shape
        return reshape(self, target, "x.reshape")

    def transpose(self, *axes: Any) -> TracedArray:
        if not axes or (len(axes) == 1 and axes[0] is None):
            return transpose(self, None, "x.transpose")
        perm = axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes
        return transpose(self, perm, "x.transpose")

    def sum(self, axis: Any = None, keepdims: bool = False) -> TracedArray:
        return reduce("sum", self, axis, keepdims, "x.sum")

    def max(self, axis: Any = None, keepdims: bool = False) -> TracedArray:
        return reduce("max", self, axis, keepdims, "x.max")

    def mean(self, axis: Any = None, keepdims: bool = False) -> TracedArray:
        return reduce("mean", self, axis, keepdims, "x.mean")

    def astype(self, dtype: Any) -> TracedArray:
        return cast(self, dtype, "x.astype")

    # What tracing cannot do -------------------------------------------------------------------

    def _unsupported(self, what: str) -> ZigguratTraceError:
        return trace_error(
            f"{what} is not supported on a traced array inside zg.jit "
            f"(the values are not known while tracing; shape={self.shape}, dtype={self.dtype})"
        )

    def __bool__(self) -> bool:
        raise self._unsupported("bool() / data-dependent control flow")

    def __float__(self) -> float:
        raise self._unsupported("float()")

    def __int__(self) -> int:
        raise self._unsupported("int()")

    def __index__(self) -> int:
        raise self._unsupported("use as an index")

    def __iter__(self) -> Any:
        raise self._unsupported("iteration")

    def __getitem__(self, key: Any) -> Any:
        raise self._unsupported("indexing")

    def __setitem__(self, key: Any, value: Any) -> None:
        raise self._unsupported("item assignment")

    def __array__(self, dtype: Any = None, copy: Any = None) -> NDArray:
        raise self._unsupported("conversion to a numpy array")

    # Comparisons: boolean traced arrays (`ztensor.cmp`), as numpy's operators compute them.

    def __lt__(self, other: Any) -> TracedArray:
        return compare("<", self, other)

    def __le__(self, other: Any) -> TracedArray:
        return compare("<=", self, other)

    def __gt__(self, other: Any) -> TracedArray:
        return compare(">", self, other)

    def __ge__(self, other: Any) -> TracedArray:
        return compare(">=", self, other)

    def __eq__(self, other: Any) -> TracedArray:  # type: ignore[override]
        return compare("==", self, other)

    def __ne__(self, other: Any) -> TracedArray:  # type: ignore[override]
        return compare("!=", self, other)

    # `==` builds an array, so hashing stays by identity: traced arrays remain usable as
    # dict keys and set members (which compare them by identity first).
    __hash__ = object.__hash__

    # numpy interoperability -------------------------------------------------------------------

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        from ziggurat import api

        name = f"numpy.{getattr(ufunc, '__name__', ufunc)}"
        target = api.NUMPY_UFUNCS.get(getattr(ufunc, "__name__", ""))
        if method != "__call__" or target is None:
            raise trace_error(
                f"{name} ({method}) is not supported on traced arrays; "
                f"use the zg.* functions (see docs/python-api.md)"
            )
        if kwargs:
            raise trace_error(
                f"{name}: keyword arguments {sorted(kwargs)} are not supported in a trace"
            )
        return target(*inputs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        from ziggurat import api

        target = api.NUMPY_FUNCTIONS.get(func)
        if target is None:
            raise trace_error(
                f"numpy.{func.__name__} is not supported on traced arrays; "
                f"use the zg.* functions (see docs/python-api.md)"
            )
        try:
            inspect.signature(target).bind(*args, **kwargs)
        except TypeError as err:
            raise trace_error(f"numpy.{func.__name__} on a traced array: {err}") from None
        return target(*args, **kwargs)


def is_traced(*values: Any) -> bool:
    """True when any of `values` is a `TracedArray`."""
    return builtins.any(isinstance(v, TracedArray) for v in values)


# ---------------------------------------------------------------------------------------------
# Operand handling
# ---------------------------------------------------------------------------------------------


def _tracer_of(name: str, *values: Any) -> Tracer:
    tracers = {id(v.tracer): v.tracer for v in values if isinstance(v, TracedArray)}
    assert tracers, "no traced operand"
    if len(tracers) > 1:
        raise trace_error(f"{name}: operands come from different zg.jit traces")
    tracer = next(iter(tracers.values()))
    if not tracer.active:
        raise trace_error(f"{name}: a traced array was used after its zg.jit trace had finished")
    return tracer


def _is_python_scalar(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, np.generic)


def _operand_dtype(name: str, value: Any) -> Any:
    """What numpy's promotion sees for `value`: a dtype, or the Python scalar itself (weak)."""
    if isinstance(value, TracedArray):
        if value.dtype == BOOL:
            raise trace_error(
                f"{name}: a boolean traced array (a comparison's result) is not a number here; "
                f"choose numbers with zg.where(condition, x, y)"
            )
        return value.dtype
    if _is_python_scalar(value):
        return value
    if isinstance(value, np.ndarray | np.generic):
        if value.dtype.kind not in "biuf":
            raise trace_error(f"{name}: numpy operand of dtype {value.dtype} is not supported")
        return value.dtype
    raise trace_error(
        f"{name}: unsupported operand of type {type(value).__name__}; expected a traced array, "
        f"a numpy float array or a Python scalar"
    )


def _result_dtype(name: str, *values: Any) -> np.dtype[Any]:
    """The dtype numpy would give to an elementwise op over `values` (must be f32 or f64)."""
    dtype = np.result_type(*(_operand_dtype(name, v) for v in values))
    if dtype not in SUPPORTED_DTYPES:
        raise trace_error(
            f"{name}: the operands promote to {dtype}; only float32 and float64 are supported"
        )
    return dtype


def _lift(
    tracer: Tracer, name: str, value: Any, dtype: np.dtype[Any], like: Sequence[int]
) -> TracedArray:
    """`value` as a traced array of `dtype`; a Python scalar becomes a splat of shape `like`."""
    if isinstance(value, TracedArray):
        return cast(value, dtype, name)
    if _is_python_scalar(value):
        try:
            return tracer.constant(np.full(tuple(like), value, dtype=dtype))
        except OverflowError:
            raise trace_error(f"{name}: the scalar {value!r} does not fit in {dtype}") from None
    array = np.asarray(value)
    if array.size == 0:
        raise trace_error(f"{name}: zero-size numpy constants are not supported")
    return tracer.constant(array.astype(dtype))


def _as_traced(name: str, value: Any) -> TracedArray:
    if not isinstance(value, TracedArray):
        raise trace_error(f"{name}: expected a traced array, got {type(value).__name__}")
    return value


def broadcast_shapes(name: str, *shapes: Sequence[int]) -> tuple[int, ...]:
    """numpy's broadcast of `shapes`, or a ZigguratTraceError worded like numpy's."""
    try:
        return tuple(np.broadcast_shapes(*(tuple(s) for s in shapes)))
    except ValueError:
        pretty = " and ".join(_shape_str(s) for s in shapes)
        raise trace_error(
            f"{name}: operands could not be broadcast together with shapes {pretty}"
        ) from None


def normalize_axis(name: str, axis: Any, ndim: int) -> int:
    """`axis` in [-ndim, ndim) as a non-negative int."""
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise trace_error(f"{name}: axis must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise trace_error(f"{name}: axis {axis} is out of bounds for an array of dimension {ndim}")
    return int(axis) % ndim


def normalize_axes(name: str, axis: Any, ndim: int) -> tuple[int, ...]:
    """`axis` (None = all, an int, or a tuple of ints) as sorted non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, tuple | list):
        axes = [normalize_axis(name, a, ndim) for a in axis]
    else:
        axes = [normalize_axis(name, axis, ndim)]
    if len(set(axes)) != len(axes):
        raise trace_error(f"{name}: repeated axis in {axis!r}")
    return tuple(sorted(axes))


def _shape_arg(name: str, shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int | np.integer) and not isinstance(shape, bool):
        return (int(shape),)
    if isinstance(shape, tuple | list) and builtins.all(
        isinstance(d, int | np.integer) and not isinstance(d, bool) for d in shape
    ):
        return tuple(int(d) for d in shape)
    raise trace_error(f"{name}: shape must be an int or a tuple of ints, got {shape!r}")


# ---------------------------------------------------------------------------------------------
# Traced operations (one ztensor op each, after numpy-style checks)
# ---------------------------------------------------------------------------------------------


def _condition(name: str, value: Any) -> TracedArray:
    """A boolean operand: a boolean traced array (a comparison's result, a bool argument)."""
    if not isinstance(value, TracedArray) or value.dtype != BOOL:
        what = value.dtype if isinstance(value, TracedArray) else type(value).__name__
        raise trace_error(
            f"{name}: the condition must be a boolean traced array (a comparison of traced "
            f"arrays, or a bool argument), got {what}"
        )
    return value


def elementwise(
    kind: str, operands: Sequence[Any], name: str, predicate: str | None = None
) -> TracedArray:
    """The elementwise op `kind` of the op table on `operands`, with numpy's broadcasting and
    dtype promotion among the float operands (the row's `types`): Python scalars become splat
    constants, numpy arrays constants, boolean operands must be boolean traced arrays.
    `predicate` names a comparison's predicate."""
    from xdsl.dialects.builtin import StringAttr

    from ziggurat.dialects import ztensor as zt

    row = ELEMENTWISE[kind]
    tracer = _tracer_of(name, *operands)
    kinds = row.operand_kinds
    dtype = _result_dtype(name, *(v for v, k in zip(operands, kinds, strict=True) if k == "f"))
    for v, k in zip(operands, kinds, strict=True):
        if k == "b":
            _condition(name, v)
    shape = broadcast_shapes(name, *(v.shape for v in operands if not _is_python_scalar(v)))
    values = [
        v if k == "b" else _lift(tracer, name, v, dtype, shape)
        for v, k in zip(operands, kinds, strict=True)
    ]
    properties = {} if predicate is None else {"predicate": StringAttr(predicate)}
    result_dtype = BOOL if row.result_kind == "b" else dtype
    op = zt.ELEMENTWISE_OPS[kind].create(
        operands=[v.value for v in values],
        result_types=[tensor_type(shape, result_dtype)],
        properties=properties,
    )
    return tracer.emit(op)


def binary(kind: str, lhs: Any, rhs: Any, name: str) -> TracedArray:
    """The elementwise binary op `kind` (a binary op of the op table: add, sub, ...)."""
    return elementwise(kind, (lhs, rhs), name)


def unary(kind: str, x: Any, name: str) -> TracedArray:
    """The elementwise unary op `kind` (a unary op of the op table: neg, exp, ...)."""
    return elementwise(kind, (_as_traced(name, x),), name)


def compare(operator: str, lhs: Any, rhs: Any) -> TracedArray:
    """`lhs <operator> rhs` (`<`, `<=`, `>`, `>=`, `==`, `!=`): the comparison of the op table
    whose predicate that operator spells (numpy's semantics: `!=` is true where an operand is
    NaN, the others false)."""
    (row,) = (r for r in ELEMENTWISE.values() if any(p.operator for p in r.predicates))
    (predicate,) = (p.name for p in row.predicates if p.operator == operator)
    return elementwise(row.name, (lhs, rhs), f"operator {operator}", predicate=predicate)


def cast(x: TracedArray, dtype: Any, name: str) -> TracedArray:
    """`x` converted to `dtype` (float32 or float64) with `ztensor.cast`."""
    from ziggurat.dialects import ztensor as zt

    try:
        target = np.dtype(dtype)
    except TypeError:
        raise trace_error(f"{name}: {dtype!r} is not a dtype") from None
    if x.dtype == BOOL and target != BOOL:
        raise trace_error(
            f"{name}: cannot convert a boolean traced array to {target}; use "
            f"zg.where(condition, 1.0, 0.0)"
        )
    if target not in SUPPORTED_DTYPES:
        raise trace_error(
            f"{name}: cannot convert to {target}; only float32 and float64 are supported"
        )
    if target == x.dtype:
        return x
    return x.tracer.emit(zt.CastOp(x.value, _element_type(target)))


def matmul(lhs: Any, rhs: Any, name: str) -> TracedArray:
    """numpy.matmul, including 1-D operands (promoted to matrices and squeezed again)."""
    from ziggurat.dialects import ztensor as zt

    tracer = _tracer_of(name, lhs, rhs)
    dtype = _result_dtype(name, lhs, rhs)
    for i, v in enumerate((lhs, rhs)):
        if (v.ndim if isinstance(v, TracedArray) else np.ndim(v)) == 0:
            raise trace_error(f"{name}: operand {i} is a scalar; matmul needs arrays of rank >= 1")
    a = _lift(tracer, name, lhs, dtype, ())
    b = _lift(tracer, name, rhs, dtype, ())
    squeeze_rows, squeeze_cols = a.ndim == 1, b.ndim == 1
    if squeeze_rows:
        a = reshape(a, (1, a.shape[0]), name)
    if squeeze_cols:
        b = reshape(b, (b.shape[0], 1), name)
    if a.shape[-1] != b.shape[-2]:
        raise trace_error(
            f"{name}: contraction dimensions differ: {_shape_str(a.shape)} @ {_shape_str(b.shape)} "
            f"({a.shape[-1]} != {b.shape[-2]})"
        )
    batch = broadcast_shapes(name, a.shape[:-2], b.shape[:-2])
    result = tracer.emit(zt.MatmulOp(a.value, b.value))
    assert result.shape == (*batch, a.shape[-2], b.shape[-1])
    if squeeze_rows or squeeze_cols:
        shape = list(result.shape)
        if squeeze_cols:
            shape.pop(-1)
        if squeeze_rows:
            shape.pop(-1 if squeeze_cols else -2)
        result = reshape(result, tuple(shape), name)
    return result


def transpose(x: Any, axes: Any, name: str) -> TracedArray:
    """numpy.transpose: `axes` None reverses the dimensions."""
    from ziggurat.dialects import ztensor as zt

    x = _as_traced(name, x)
    if axes is None:
        perm = tuple(reversed(range(x.ndim)))
    else:
        if not isinstance(axes, tuple | list):
            raise trace_error(f"{name}: axes must be a tuple of ints, got {axes!r}")
        if len(axes) != x.ndim:
            raise trace_error(
                f"{name}: axes {tuple(axes)} don't match an array of dimension {x.ndim}"
            )
        perm = tuple(normalize_axis(name, a, x.ndim) for a in axes)
        if len(set(perm)) != len(perm):
            raise trace_error(f"{name}: repeated axis in transpose axes {tuple(axes)}")
    if perm == tuple(range(x.ndim)):
        return x
    return x.tracer.emit(zt.TransposeOp(x.value, perm))


def reshape(x: Any, shape: Any, name: str) -> TracedArray:
    """numpy.reshape in row-major order; one dimension may be -1."""
    from ziggurat.dialects import ztensor as zt

    x = _as_traced(name, x)
    target = list(_shape_arg(name, shape))
    unknown = [i for i, d in enumerate(target) if d == -1]
    bad = [d for d in target if d < -1]
    known = int(np.prod([d for d in target if d != -1], dtype=np.int64))
    if bad or len(unknown) > 1:
        raise trace_error(f"{name}: invalid shape {tuple(target)}")
    if unknown:
        if known == 0 or x.size % known:
            raise trace_error(
                f"{name}: cannot reshape array of size {x.size} into shape {tuple(target)}"
            )
        target[unknown[0]] = x.size // known
    elif known != x.size:
        raise trace_error(
            f"{name}: cannot reshape array of size {x.size} into shape {tuple(target)}"
        )
    if tuple(target) == x.shape:
        return x
    return x.tracer.emit(zt.ReshapeOp(x.value, tensor_type(target, x.dtype)))


def broadcast_to(x: Any, shape: Any, name: str) -> TracedArray:
    """numpy.broadcast_to."""
    from ziggurat.dialects import ztensor as zt

    x = _as_traced(name, x)
    target = _shape_arg(name, shape)
    ok = len(x.shape) <= len(target) and builtins.all(
        s in (1, d) for s, d in zip(reversed(x.shape), reversed(target), strict=False)
    )
    if not ok or builtins.any(d < 0 for d in target):
        raise trace_error(
            f"{name}: cannot broadcast an array of shape {_shape_str(x.shape)} to {target}"
        )
    if target == x.shape:
        return x
    return x.tracer.emit(zt.BroadcastToOp(x.value, tensor_type(target, x.dtype)))


def reduce(kind: str, x: Any, axis: Any, keepdims: bool, name: str) -> TracedArray:
    """The reduction spelled `zg.<kind>` (numpy.sum / max / mean: a reduction of the op table)
    over `axis` (None, an int or a tuple), optionally keeping dims."""
    from ziggurat.dialects import ztensor as zt

    x = _as_traced(name, x)
    if not isinstance(keepdims, bool | np.bool_):
        raise trace_error(f"{name}: keepdims must be a bool, got {keepdims!r}")
    axes = normalize_axes(name, axis, x.ndim)
    if not axes:
        return x
    (row,) = (r for r in REDUCTIONS if r.frontend == kind)
    op_type: Any = zt.REDUCTION_OPS[row.name]
    return x.tracer.emit(op_type(x.value, axes, bool(keepdims)))


def softmax(x: Any, axis: Any, name: str) -> TracedArray:
    """Softmax along `axis`."""
    from ziggurat.dialects import ztensor as zt

    x = _as_traced(name, x)
    if x.ndim == 0:
        raise trace_error(f"{name}: needs an array of rank >= 1, got a 0-d array")
    return x.tracer.emit(zt.SoftmaxOp(x.value, normalize_axis(name, axis, x.ndim)))


def layer_norm(x: Any, axis: Any, eps: Any, name: str) -> TracedArray:
    """Layer normalization (no affine parameters) along `axis`."""
    from ziggurat.dialects import ztensor as zt

    x = _as_traced(name, x)
    if x.ndim == 0:
        raise trace_error(f"{name}: needs an array of rank >= 1, got a 0-d array")
    ax = normalize_axis(name, axis, x.ndim)
    if isinstance(eps, bool) or not isinstance(eps, int | float | np.floating) or not eps > 0:
        raise trace_error(f"{name}: eps must be a positive float, got {eps!r}")
    if float(np.float32(eps)) == 0.0:
        raise trace_error(f"{name}: eps {eps!r} underflows to 0 in float32")
    return x.tracer.emit(zt.LayerNormOp(x.value, ax, float(eps)))


__all__ = [
    "BOOL",
    "COL_MAJOR",
    "LAYOUT_ATTR",
    "SUPPORTED_DTYPES",
    "TracedArray",
    "Tracer",
    "ZigguratError",
    "ZigguratTraceError",
    "binary",
    "broadcast_shapes",
    "broadcast_to",
    "cast",
    "compare",
    "elementwise",
    "is_traced",
    "layer_norm",
    "matmul",
    "normalize_axes",
    "normalize_axis",
    "reduce",
    "reshape",
    "softmax",
    "trace_error",
    "transpose",
    "unary",
    "user_frame",
]
