"""Reference semantics of `ztensor`: one numpy rule per op, and the xDSL interpreter functions.

Tensor values are numpy arrays whose dtype matches the tensor's element type. These rules are
the oracle that every lowering is tested against, and constant folding evaluates them too.
The rules of the elementwise ops and reductions are the op table's
(`ziggurat.dialects.optable`); this module re-exports its numpy helpers (`gelu`, `sigmoid`,
`relu`, `ieee_maximum`, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np
from xdsl.dialects.builtin import (
    BFloat16Type,
    BytesAttr,
    DenseIntOrFPElementsAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    TensorType,
    i1,
)
from xdsl.interpreter import (
    Interpreter,
    InterpreterFunctions,
    PythonValues,
    ReturnedValues,
    TerminatorValue,
    impl,
    impl_terminator,
    register_impls,
)
from xdsl.ir import Attribute, Operation

from ziggurat.dialects import optable
from ziggurat.dialects import ztensor as zt
from ziggurat.dialects.optable import (
    gelu,
    ieee_max_reduce,
    ieee_maximum,
    ieee_min_reduce,
    ieee_minimum,
    relu,
    sigmoid,
)

NDArray = np.ndarray[Any, Any]
Rule = Callable[[Any, Sequence[NDArray]], NDArray]


def bfloat16() -> np.dtype[Any]:
    """`ml_dtypes.bfloat16`, imported on first use (the import takes a second or more)."""
    import ml_dtypes

    return np.dtype(ml_dtypes.bfloat16)


def numpy_dtype(element_type: Attribute) -> np.dtype[Any]:
    """The numpy dtype that holds values of a float element type (f16: `np.float16`, bf16:
    `ml_dtypes.bfloat16`), or of i1 (bool)."""
    if element_type == i1:
        return np.dtype(np.bool_)
    if isinstance(element_type, Float64Type):
        return np.dtype(np.float64)
    if isinstance(element_type, Float32Type):
        return np.dtype(np.float32)
    if isinstance(element_type, Float16Type):
        return np.dtype(np.float16)
    if isinstance(element_type, BFloat16Type):
        return bfloat16()
    raise TypeError(f"no numpy dtype for element type {element_type}")


@optable.computed_in_f32
def softmax(x: NDArray, axis: int) -> NDArray:
    """exp(x - max) / sum(exp(x - max)) over `axis`; f16/bf16 computed in f32, rounded once."""
    shifted = x - ieee_max_reduce(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


@optable.computed_in_f32
def layernorm(x: NDArray, axis: int, epsilon: float) -> NDArray:
    """(x - mean) / sqrt(var + epsilon) over `axis`; f16/bf16 computed in f32, rounded once."""
    mean = np.mean(x, axis=axis, keepdims=True)
    centered = x - mean
    var = np.mean(centered * centered, axis=axis, keepdims=True)
    return centered / np.sqrt(var + x.dtype.type(epsilon))


UNARY_RULES: dict[type[zt.UnaryOp], Callable[[NDArray], NDArray]] = {
    zt.UNARY_OPS[row.name]: row.reference for row in optable.UNARY
}
"""The numpy rule of each elementwise unary op (from the op table)."""

BINARY_RULES: dict[type[zt.BinaryOp], Callable[[NDArray, NDArray], NDArray]] = {
    zt.BINARY_OPS[row.name]: row.reference for row in optable.BINARY
}
"""The numpy rule of each elementwise binary op (from the op table)."""

ROWS: dict[type[Operation], optable.Elementwise] = {
    cls: optable.ELEMENTWISE[name] for name, cls in zt.ELEMENTWISE_OPS.items()
}
"""The op table row of each elementwise ztensor op."""

REDUCE_RULES: dict[type[zt.ReduceOp], Callable[..., NDArray]] = {
    zt.REDUCTION_OPS[row.name]: row.reference for row in optable.REDUCTIONS
}
"""The numpy rule of each reduction (from the op table)."""


matmul = optable.computed_in_f32(np.matmul)
"""numpy.matmul; on f16/bf16 the products accumulate in f32 and the result is rounded once."""


def _result_type(op: Operation) -> TensorType[Attribute]:
    ty = op.results[0].type
    assert isinstance(ty, TensorType)
    return ty


def _shaped(op: Operation, value: NDArray | np.generic) -> NDArray:
    """`value` as an array with the result's dtype and shape (numpy returns scalars for 0-d)."""
    ty = _result_type(op)
    return np.asarray(value, dtype=numpy_dtype(ty.element_type)).reshape(ty.get_shape())


SPLAT_MATERIALIZE_LIMIT = 1 << 16
"""`constant_value` returns splats with more elements than this as read-only broadcast views
(one stored element), so that a huge splat constant costs no memory in the interpreter."""

_LITTLE_ENDIAN_DTYPES: dict[type[Attribute], str] = {
    Float16Type: "<f2",
    Float32Type: "<f4",
    Float64Type: "<f8",
}


def _stored_dtype(element_type: Attribute) -> Any:
    """The dtype of the bytes a dense float attribute of `element_type` stores (little
    endian, as this host), or None for types stored otherwise."""
    if isinstance(element_type, BFloat16Type):
        return bfloat16()
    return _LITTLE_ENDIAN_DTYPES.get(type(element_type))


def constant_value(op: zt.ConstantOp) -> NDArray:
    """The numpy array of a `ztensor.constant`.

    A splat is read from its one stored element: above `SPLAT_MATERIALIZE_LIMIT` elements it
    is a read-only `np.broadcast_to` view (O(1) memory), otherwise a fresh array.
    """
    ty = _result_type(op)
    dtype = numpy_dtype(ty.element_type)
    shape = tuple(ty.get_shape())
    attr = op.value
    if zt.stored_count(attr) == 1:
        scalar = np.asarray(attr.get_values()[0], dtype=dtype)
        if ty.element_count() > SPLAT_MATERIALIZE_LIMIT:
            return np.broadcast_to(scalar, shape)
        return np.full(shape, scalar, dtype=dtype)
    stored = _stored_dtype(ty.element_type)
    if stored is not None:
        return np.frombuffer(attr.data.data, dtype=stored).astype(dtype).reshape(shape)
    values = [float(v) for v in attr.get_values()]
    return np.asarray(values, dtype=dtype).reshape(shape)


SPLAT_PRESERVING: tuple[type[Operation], ...] = (
    *(cls for cls, row in ROWS.items() if row.result_kind == "f"),
    zt.BroadcastToOp,
    zt.ReshapeOp,
    zt.TransposeOp,
    zt.CastOp,
    zt.ReduceMaxOp,
)
"""Ops whose result is a splat when every operand is one (`evaluate_splat`)."""


def evaluate_splat(op: Operation, scalars: Sequence[NDArray]) -> NDArray | None:
    """The 0-d result of `op` on splat operands given by their 0-d scalars (in the operands'
    dtypes), or None when `op` is not in `SPLAT_PRESERVING`. Exact: every element of the
    result is this value (the max of equal values is that value; the others act per element).
    """
    out = numpy_dtype(_result_type(op).element_type)
    with np.errstate(all="ignore"):
        row = ROWS.get(type(op))
        if row is not None and isinstance(op, SPLAT_PRESERVING):
            r = row.evaluate(*scalars, predicate=optable.predicate_of(op))
        elif isinstance(op, SPLAT_PRESERVING):
            r = scalars[0]
        else:
            return None
        return np.asarray(r).astype(out).reshape(())


def evaluate(op: Operation, args: Sequence[NDArray]) -> tuple[NDArray, ...]:
    """Evaluate one ztensor op (not `fused`, which needs an interpreter) on numpy arrays."""
    with np.errstate(all="ignore"):
        row = ROWS.get(type(op))
        if row is not None:
            return (_shaped(op, row.evaluate(*args, predicate=optable.predicate_of(op))),)
        if type(op) in REDUCE_RULES:
            assert isinstance(op, zt.ReduceOp)
            rule = REDUCE_RULES[type(op)]
            return (_shaped(op, rule(args[0], axis=op.reduced_axes, keepdims=op.keep)),)
        match op:
            case zt.MatmulOp():
                return (_shaped(op, matmul(args[0], args[1])),)
            case zt.TransposeOp():
                return (_shaped(op, np.transpose(args[0], op.perm)),)
            case zt.ReshapeOp() | zt.BroadcastToOp():
                shape = tuple(_result_type(op).get_shape())
                value = args[0].reshape(shape) if isinstance(op, zt.ReshapeOp) else args[0]
                return (_shaped(op, np.broadcast_to(value, shape).copy()),)
            case zt.SoftmaxOp():
                return (_shaped(op, softmax(args[0], op.normalized_axis)),)
            case zt.LayerNormOp():
                eps = op.epsilon.value.data
                return (_shaped(op, layernorm(args[0], op.normalized_axis, eps)),)
            case zt.ConstantOp():
                return (constant_value(op),)
            case zt.CastOp():
                return (_shaped(op, args[0].astype(numpy_dtype(_result_type(op).element_type))),)
            case _:
                raise NotImplementedError(f"no reference semantics for '{op.name}'")


def dense_attr(array: NDArray, tensor_type: TensorType[Attribute]) -> DenseIntOrFPElementsAttr:
    """A dense elements attribute holding `array` with the given tensor type; a splat (every
    element equal, bit for bit) is stored once (`ztensor.splat_attr`)."""
    flat = np.ascontiguousarray(array).reshape(-1)
    if flat.size and bool(
        (flat.view(np.uint8).reshape(flat.size, -1) == flat[:1].view(np.uint8)).all()
    ):
        return zt.splat_attr(tensor_type, float(flat[0]))
    stored = _stored_dtype(tensor_type.element_type)
    if stored is not None:
        data = flat.astype(stored).tobytes()
        return DenseIntOrFPElementsAttr(cast(Any, tensor_type), BytesAttr(data))
    values = [float(v) for v in flat]
    return DenseIntOrFPElementsAttr.from_list(cast(Any, tensor_type), values)


def _splat_scalar(a: NDArray) -> NDArray | None:
    """The 0-d scalar of an array whose elements are all equal bit for bit: a broadcast view
    (as `constant_value` returns large splats) or a small array; else None."""
    if a.size == 0:
        return None
    if all(stride == 0 for stride in a.strides):
        return a.reshape(-1)[0].reshape(())
    if a.size > SPLAT_MATERIALIZE_LIMIT:
        return None
    flat = np.ascontiguousarray(a).reshape(-1)
    rows = flat.view(np.uint8).reshape(flat.size, -1)
    return flat[0].reshape(()) if bool((rows == rows[0]).all()) else None


def _run_rule(
    ft: InterpreterFunctions, interpreter: Interpreter, op: Operation, args: PythonValues
) -> PythonValues:
    arrays = [np.asarray(a) for a in args]
    ty = _result_type(op)
    if isinstance(op, SPLAT_PRESERVING) and ty.element_count() > SPLAT_MATERIALIZE_LIMIT:
        scalars = [_splat_scalar(a) for a in arrays]
        if scalars and all(x is not None for x in scalars):
            # Splats stay splat: evaluate once on the scalars, answer a broadcast view.
            value = evaluate_splat(op, cast(list[NDArray], scalars))
            assert value is not None
            return (np.broadcast_to(value, tuple(ty.get_shape())),)
    return evaluate(op, arrays)


def _run_fused(
    ft: InterpreterFunctions, interpreter: Interpreter, op: zt.FusedOp, args: PythonValues
) -> PythonValues:
    return interpreter.run_ssacfg_region(op.body, args, "ztensor.fused")


def _run_yield(
    ft: InterpreterFunctions, interpreter: Interpreter, op: zt.YieldOp, args: PythonValues
) -> tuple[TerminatorValue, PythonValues]:
    return ReturnedValues(args), ()


class ZTensorFunctions(InterpreterFunctions):
    """xDSL interpreter functions for every ztensor op; tensors are numpy arrays."""


for _op_type in zt.ZTensor.operations:
    _name = "run_" + _op_type.name.split(".")[1]
    if _op_type is zt.YieldOp:
        setattr(ZTensorFunctions, _name, impl_terminator(zt.YieldOp)(_run_yield))
    elif _op_type is zt.FusedOp:
        setattr(ZTensorFunctions, _name, impl(zt.FusedOp)(_run_fused))
    else:
        setattr(ZTensorFunctions, _name, impl(_op_type)(_run_rule))
register_impls(ZTensorFunctions)

__all__ = [
    "BINARY_RULES",
    "REDUCE_RULES",
    "ROWS",
    "SPLAT_MATERIALIZE_LIMIT",
    "SPLAT_PRESERVING",
    "UNARY_RULES",
    "ZTensorFunctions",
    "bfloat16",
    "constant_value",
    "dense_attr",
    "evaluate",
    "evaluate_splat",
    "gelu",
    "ieee_max_reduce",
    "ieee_maximum",
    "ieee_min_reduce",
    "ieee_minimum",
    "layernorm",
    "matmul",
    "numpy_dtype",
    "relu",
    "sigmoid",
    "softmax",
]
