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
import hashlib
import linecache
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ziggurat.dialects.optable import ELEMENTWISE, REDUCTIONS
from ziggurat.errors import ZigguratError

if TYPE_CHECKING:
    from xdsl.dialects.builtin import ModuleOp
    from xdsl.ir import Attribute, Operation, SSAValue

NDArray = np.ndarray[Any, Any]

SUPPORTED_DTYPES: tuple[np.dtype[Any], ...] = (
    np.dtype(np.float16),
    np.dtype(np.float32),
    np.dtype(np.float64),
)
"""The numpy-native numeric element types a traced array may have; `ml_dtypes.bfloat16` is
one too (`is_supported_dtype`), named rather than listed here so that `import ziggurat` does
not import ml_dtypes (over a second)."""

SUPPORTED_NAMES = "float16, bfloat16, float32 and float64"
"""The supported dtypes as error messages name them."""


def is_supported_dtype(dtype: Any) -> bool:
    """Whether a traced array may have `dtype`: float16, ml_dtypes.bfloat16, float32 or
    float64."""
    dt = np.dtype(dtype)
    return dt in SUPPORTED_DTYPES or (dt.name == "bfloat16" and dt.itemsize == 2)


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
    from xdsl.dialects.builtin import BFloat16Type, Float16Type, Float32Type, Float64Type, i1

    if dtype == BOOL:
        return i1
    if dtype == np.float16:
        return Float16Type()
    if dtype.name == "bfloat16":
        return BFloat16Type()
    return Float64Type() if dtype == np.float64 else Float32Type()


def tensor_type(shape: Sequence[int], dtype: np.dtype[Any]) -> Attribute:
    """The builtin `tensor<...>` type of an array of `shape` and `dtype`."""
    from xdsl.dialects.builtin import TensorType

    return TensorType(_element_type(dtype), list(shape))


# ---------------------------------------------------------------------------------------------
# The tracer
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    """One traced value: `op` ("arg", "constant", or a traced operation: a key of
    `_BUILDERS`), the indices of its operand nodes, its shape and dtype, and the attributes
    the op is built from (ints, strings, bools, floats and tuples of them)."""

    op: str
    operands: tuple[int, ...]
    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    attrs: tuple[Any, ...] = ()


class Tracer:
    """Records the body of one function: an "arg" node per input, one node per traced call.

    Nothing of xDSL is built while tracing: `finish` returns a `TracedProgram`, whose key
    (a digest of its text) finds a compiled artifact on disk and whose `module()` builds the
    ztensor module when one must be compiled.
    """

    def __init__(self, name: str):
        self.name = name
        self.nodes: list[Node] = []
        self.constants: dict[int, NDArray] = {}
        self.active = True

    def argument(
        self, shape: Sequence[int], dtype: np.dtype[Any], layout: str | None
    ) -> TracedArray:
        """A new function argument of the given shape and dtype (layout: None or "col_major")."""
        return self.record("arg", (), shape, dtype, (layout,))

    def record(
        self,
        op: str,
        operands: Sequence[TracedArray],
        shape: Sequence[int],
        dtype: np.dtype[Any],
        attrs: tuple[Any, ...] = (),
    ) -> TracedArray:
        """Append a node computing an array of `shape` and `dtype` and wrap it."""
        if not self.active:
            raise trace_error("a traced array was used after its zg.jit trace had finished")
        index = len(self.nodes)
        shape = tuple(int(d) for d in shape)
        self.nodes.append(Node(op, tuple(o.value for o in operands), shape, dtype, attrs))
        return TracedArray(self, index, shape, dtype)

    def constant(self, array: NDArray) -> TracedArray:
        """A `ztensor.constant` holding `array`: a splat (stored once) when every element is
        equal bit for bit, so `[0.0, -0.0]` is not a splat. A zero-strided array (a
        broadcast scalar) is a splat without being materialized."""
        splat = array.size > 0 and all(stride == 0 for stride in array.strides)
        # A copy: the key digests these bytes now, the module may be built later.
        data = (array.reshape(-1)[:1] if splat else array).copy(order="C")
        digest = hashlib.sha256(data.tobytes()).hexdigest()
        result = self.record("constant", (), array.shape, array.dtype, (digest, splat))
        self.constants[result.value] = data
        return result

    def finish(self, outputs: Sequence[TracedArray]) -> TracedProgram:
        """Close the trace: the program returning `outputs`."""
        self.active = False
        return TracedProgram(
            self.name, tuple(self.nodes), self.constants, [o.value for o in outputs]
        )


class TracedProgram:
    """A finished trace: a function's nodes and outputs.

    `text` spells the program (every node, attribute and output; constants by a digest of
    their bytes), `key` is its sha256, and `module()` builds the ztensor `func.func` in a
    module (importing xDSL on first use).
    """

    def __init__(
        self,
        name: str,
        nodes: tuple[Node, ...],
        constants: dict[int, NDArray],
        outputs: Sequence[int],
    ):
        self.name = name
        self.nodes = nodes
        self.constants = constants
        self.outputs = tuple(outputs)
        self._module: ModuleOp | None = None
        self._key: str | None = None

    @property
    def text(self) -> str:
        lines = [f"func {self.name}"]
        for i, n in enumerate(self.nodes):
            shape = "x".join(map(str, n.shape))
            lines.append(f"%{i} = {n.op}{list(n.operands)} {n.attrs!r} : {shape} {n.dtype.str}")
        lines.append(f"return {list(self.outputs)}")
        return "\n".join(lines)

    @property
    def key(self) -> str:
        if self._key is None:
            self._key = hashlib.sha256(self.text.encode()).hexdigest()
        return self._key

    def module(self) -> ModuleOp:
        """The traced ztensor module (a fresh copy on every call)."""
        if self._module is None:
            self._module = self._build()
        return self._module.clone()

    def _build(self) -> ModuleOp:
        from xdsl.dialects import func
        from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, ModuleOp, StringAttr
        from xdsl.ir import Block, Region
        from xdsl.utils.exceptions import VerifyException

        args = [n for n in self.nodes if n.op == "arg"]
        block = Block(arg_types=[tensor_type(n.shape, n.dtype) for n in args])
        values: list[SSAValue] = []
        arg_values = iter(block.args)
        for i, n in enumerate(self.nodes):
            if n.op == "arg":
                values.append(next(arg_values))
                continue
            ty = tensor_type(n.shape, n.dtype)
            op = _BUILDERS[n.op](n, [values[j] for j in n.operands], ty, self.constants.get(i))
            try:
                op.verify()
            except VerifyException as err:
                raise trace_error(f"internal error while tracing: {err}") from None
            if op.results[0].type != ty:
                raise trace_error(
                    f"internal error while tracing: {op.name} gives {op.results[0].type}, the "
                    f"tracer expected {ty}"
                )
            block.add_op(op)
            values.append(op.results[0])
        results = [values[i] for i in self.outputs]
        block.add_op(func.ReturnOp(*results))
        layouts = [n.attrs[0] for n in args]
        arg_attrs = None
        if any(layouts):
            arg_attrs = ArrayAttr(
                [
                    DictionaryAttr({LAYOUT_ATTR: StringAttr(layout)} if layout else {})
                    for layout in layouts
                ]
            )
        function = func.FuncOp(
            self.name,
            ([a.type for a in block.args], [v.type for v in results]),
            Region(block),
            arg_attrs=arg_attrs,
        )
        module = ModuleOp([function])
        try:
            module.verify()
        except VerifyException as err:
            raise trace_error(f"internal error: the traced module does not verify: {err}") from None
        return module


def _build_constant(node: Node, values: Sequence[SSAValue], ty: Any, data: Any) -> Operation:
    from ziggurat.dialects import ztensor as zt
    from ziggurat.dialects.ztensor_semantics import dense_attr

    _, splat = node.attrs
    if splat:
        return zt.ConstantOp(zt.splat_attr(ty, float(data[0])))
    return zt.ConstantOp(dense_attr(data.reshape(node.shape), ty))


def _build_elementwise(node: Node, values: Sequence[SSAValue], ty: Any, _: Any) -> Operation:
    from xdsl.dialects.builtin import StringAttr

    from ziggurat.dialects import ztensor as zt

    kind, predicate = node.attrs
    properties = {} if predicate is None else {"predicate": StringAttr(predicate)}
    return zt.ELEMENTWISE_OPS[kind].create(
        operands=list(values), result_types=[ty], properties=properties
    )


def _build_cast(node: Node, values: Sequence[SSAValue], ty: Any, _: Any) -> Operation:
    from ziggurat.dialects import ztensor as zt

    return zt.CastOp(values[0], _element_type(node.dtype))


def _build_matmul(node: Node, values: Sequence[SSAValue], ty: Any, _: Any) -> Operation:
    from ziggurat.dialects import ztensor as zt

    return zt.MatmulOp(values[0], values[1])


def _build_transpose(node: Node, values: Sequence[SSAValue], ty: Any, _: Any) -> Operation:
    from ziggurat.dialects import ztensor as zt

    return zt.TransposeOp(values[0], node.attrs[0])


def _build_reshape(node: Node, values: Sequence[SSAValue], ty: Any, _: Any) -> Operation:
    from ziggurat.dialects import ztensor as zt

    return zt.ReshapeOp(values[0], ty)


def _build_broadcast_to(node: Node, values: Sequence[SSAValue], ty: Any, _: Any) -> Operation:
    from ziggurat.dialects import ztensor as zt

    return zt.BroadcastToOp(values[0], ty)


def _build_reduce(node: Node, values: Sequence[SSAValue], ty: Any, _: Any) -> Operation:
    from ziggurat.dialects import ztensor as zt

    name, axes, keepdims = node.attrs
    op_type: Any = zt.REDUCTION_OPS[name]
    return op_type(values[0], axes, keepdims)


def _build_softmax(node: Node, values: Sequence[SSAValue], ty: Any, _: Any) -> Operation:
    from ziggurat.dialects import ztensor as zt

    return zt.SoftmaxOp(values[0], node.attrs[0])


def _build_layer_norm(node: Node, values: Sequence[SSAValue], ty: Any, _: Any) -> Operation:
    from ziggurat.dialects import ztensor as zt

    axis, eps = node.attrs
    return zt.LayerNormOp(values[0], axis, eps)


_BUILDERS: dict[str, Callable[[Node, Sequence[SSAValue], Any, Any], Operation]] = {
    "constant": _build_constant,
    "elementwise": _build_elementwise,
    "cast": _build_cast,
    "matmul": _build_matmul,
    "transpose": _build_transpose,
    "reshape": _build_reshape,
    "broadcast_to": _build_broadcast_to,
    "reduce": _build_reduce,
    "softmax": _build_softmax,
    "layer_norm": _build_layer_norm,
}
"""How each traced node becomes its ztensor op: (node, operand values, result type, the
constant's data)."""


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

    def __init__(self, tracer: Tracer, value: int, shape: tuple[int, ...], dtype: np.dtype[Any]):
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

    def min(self, axis: Any = None, keepdims: bool = False) -> TracedArray:
        return reduce_min(self, axis, keepdims, "x.min")

    def var(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> TracedArray:
        return variance(self, axis, ddof, keepdims, "x.var")

    def std(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> TracedArray:
        return standard_deviation(self, axis, ddof, keepdims, "x.std")

    def dot(self, other: Any) -> TracedArray:
        return dot(self, other, "x.dot")

    def astype(self, dtype: Any) -> TracedArray:
        return cast(self, dtype, "x.astype")

    # What tracing cannot do -------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # Only reached for names the class does not define.
        if not name.startswith("_") and hasattr(np.ndarray, name):
            raise trace_error(
                f"x.{name} (numpy.ndarray.{name}) is not supported on traced arrays; "
                f"see docs/python-api.md for the methods and functions that are"
            )
        raise AttributeError(f"'TracedArray' object has no attribute {name!r}")

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
                f"{_qualified(func)} is not supported on traced arrays; "
                f"use the zg.* functions (see docs/python-api.md)"
            )
        try:
            import inspect  # ~10 ms to import: only here

            inspect.signature(target).bind(*args, **kwargs)
        except TypeError as err:
            raise trace_error(f"{_qualified(func)} on a traced array: {err}") from None
        return target(*args, **kwargs)


def _qualified(func: Any) -> str:
    """`numpy.linalg.norm` for np.linalg.norm (`numpy.var` for np.var)."""
    module = getattr(func, "__module__", None) or "numpy"
    return f"{module}.{func.__name__}"


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
        if value.dtype.kind not in "biuf" and not is_supported_dtype(value.dtype):
            raise trace_error(f"{name}: numpy operand of dtype {value.dtype} is not supported")
        return value.dtype
    raise trace_error(
        f"{name}: unsupported operand of type {type(value).__name__}; expected a traced array, "
        f"a numpy float array or a Python scalar"
    )


def _result_dtype(name: str, *values: Any) -> np.dtype[Any]:
    """The dtype numpy would give to an elementwise op over `values` (must be a float of
    `is_supported_dtype`)."""
    dtype = np.result_type(*(_operand_dtype(name, v) for v in values))
    if not is_supported_dtype(dtype):
        raise trace_error(
            f"{name}: the operands promote to {dtype}; only {SUPPORTED_NAMES} are supported"
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
            scalar = np.asarray(value, dtype=dtype)
            return tracer.constant(np.broadcast_to(scalar, tuple(like)))
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
    result_dtype = BOOL if row.result_kind == "b" else dtype
    return tracer.record("elementwise", values, shape, result_dtype, (kind, predicate))


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
    """`x` converted to `dtype` (float16, bfloat16, float32 or float64) with `ztensor.cast`."""
    try:
        target = np.dtype(dtype)
    except TypeError:
        raise trace_error(f"{name}: {dtype!r} is not a dtype") from None
    if x.dtype == BOOL and target != BOOL:
        raise trace_error(
            f"{name}: cannot convert a boolean traced array to {target}; use "
            f"zg.where(condition, 1.0, 0.0)"
        )
    if not is_supported_dtype(target):
        raise trace_error(
            f"{name}: cannot convert to {target}; only {SUPPORTED_NAMES} are supported"
        )
    if target == x.dtype:
        return x
    return x.tracer.record("cast", (x,), x.shape, target)


def matmul(lhs: Any, rhs: Any, name: str) -> TracedArray:
    """numpy.matmul, including 1-D operands (promoted to matrices and squeezed again)."""
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
    result = tracer.record("matmul", (a, b), (*batch, a.shape[-2], b.shape[-1]), dtype)
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
    return x.tracer.record("transpose", (x,), [x.shape[p] for p in perm], x.dtype, (perm,))


def reshape(x: Any, shape: Any, name: str) -> TracedArray:
    """numpy.reshape in row-major order; one dimension may be -1."""
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
    return x.tracer.record("reshape", (x,), target, x.dtype)


def broadcast_to(x: Any, shape: Any, name: str) -> TracedArray:
    """numpy.broadcast_to."""
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
    return x.tracer.record("broadcast_to", (x,), target, x.dtype)


def reduce(kind: str, x: Any, axis: Any, keepdims: bool, name: str) -> TracedArray:
    """The reduction spelled `zg.<kind>` (numpy.sum / max / mean: a reduction of the op table)
    over `axis` (None, an int or a tuple), optionally keeping dims."""
    x = _as_traced(name, x)
    if not isinstance(keepdims, bool | np.bool_):
        raise trace_error(f"{name}: keepdims must be a bool, got {keepdims!r}")
    axes = normalize_axes(name, axis, x.ndim)
    if not axes:
        return x
    (row,) = (r for r in REDUCTIONS if r.frontend == kind)
    if keepdims:
        shape = [1 if i in axes else d for i, d in enumerate(x.shape)]
    else:
        shape = [d for i, d in enumerate(x.shape) if i not in axes]
    return x.tracer.record("reduce", (x,), shape, x.dtype, (row.name, axes, bool(keepdims)))


def reduce_min(x: Any, axis: Any, keepdims: bool, name: str) -> TracedArray:
    """numpy.min as `-max(-x)`: the same value bit for bit (NaN propagates; the minimum of
    +0 and -0 is -0 either way)."""
    x = _as_traced(name, x)
    return unary("neg", reduce("max", unary("neg", x, name), axis, keepdims, name), name)


def variance(x: Any, axis: Any, ddof: Any, keepdims: bool, name: str) -> TracedArray:
    """numpy.var: the mean of the squared deviations from the mean, over `n - ddof`."""
    x = _as_traced(name, x)
    if isinstance(ddof, bool) or not isinstance(ddof, int | float | np.integer | np.floating):
        raise trace_error(f"{name}: ddof must be a number, got {ddof!r}")
    axes = normalize_axes(name, axis, x.ndim)
    count = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
    if not count - ddof > 0:
        raise trace_error(
            f"{name}: ddof={ddof} leaves no degrees of freedom over {count} element(s)"
        )
    deviation = x - reduce("mean", x, axes, True, name)
    result = reduce("mean", deviation * deviation, axes, keepdims, name)
    return result * (count / (count - float(ddof))) if ddof else result


def standard_deviation(x: Any, axis: Any, ddof: Any, keepdims: bool, name: str) -> TracedArray:
    """numpy.std: the square root of `variance`."""
    return unary("sqrt", variance(x, axis, ddof, keepdims, name), name)


def dot(lhs: Any, rhs: Any, name: str) -> TracedArray:
    """numpy.dot for operands of rank at most 2 (a product with a scalar, a matrix product
    otherwise); numpy.dot of higher ranks contracts other axes than matmul and is refused."""
    ranks = [v.ndim if isinstance(v, TracedArray) else np.ndim(v) for v in (lhs, rhs)]
    if max(ranks) > 2:
        raise trace_error(
            f"{name}: operands of ranks {ranks[0]} and {ranks[1]} are not supported "
            f"(numpy.dot of rank > 2 is not matmul); use matmul or transpose first"
        )
    if 0 in ranks:
        return binary("mul", lhs, rhs, name)
    return matmul(lhs, rhs, name)


def softmax(x: Any, axis: Any, name: str) -> TracedArray:
    """Softmax along `axis`."""
    x = _as_traced(name, x)
    if x.ndim == 0:
        raise trace_error(f"{name}: needs an array of rank >= 1, got a 0-d array")
    return x.tracer.record("softmax", (x,), x.shape, x.dtype, (normalize_axis(name, axis, x.ndim),))


def layer_norm(x: Any, axis: Any, eps: Any, name: str) -> TracedArray:
    """Layer normalization (no affine parameters) along `axis`."""
    x = _as_traced(name, x)
    if x.ndim == 0:
        raise trace_error(f"{name}: needs an array of rank >= 1, got a 0-d array")
    ax = normalize_axis(name, axis, x.ndim)
    if isinstance(eps, bool) or not isinstance(eps, int | float | np.floating) or not eps > 0:
        raise trace_error(f"{name}: eps must be a positive float, got {eps!r}")
    if float(np.float32(eps)) == 0.0:
        raise trace_error(f"{name}: eps {eps!r} underflows to 0 in float32")
    return x.tracer.record("layer_norm", (x,), x.shape, x.dtype, (ax, float(eps)))


__all__ = [
    "BOOL",
    "COL_MAJOR",
    "LAYOUT_ATTR",
    "SUPPORTED_DTYPES",
    "SUPPORTED_NAMES",
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
    "is_supported_dtype",
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
