"""Reference semantics of `ztensor`: one numpy rule per op, and the xDSL interpreter functions.

Tensor values are numpy arrays whose dtype matches the tensor's element type. These rules are
the oracle that every lowering is tested against, and constant folding evaluates them too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np
from xdsl.dialects.builtin import (
    BFloat16Type,
    DenseIntOrFPElementsAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    TensorType,
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

from ziggurat.dialects import ztensor as zt

NDArray = np.ndarray[Any, Any]
Rule = Callable[[Any, Sequence[NDArray]], NDArray]

_SQRT_2_OVER_PI = float(np.sqrt(2.0 / np.pi))


def numpy_dtype(element_type: Attribute) -> np.dtype[Any]:
    """The numpy dtype that holds values of a float element type (bf16 is held as f32)."""
    if isinstance(element_type, Float64Type):
        return np.dtype(np.float64)
    if isinstance(element_type, Float32Type | BFloat16Type):
        return np.dtype(np.float32)
    if isinstance(element_type, Float16Type):
        return np.dtype(np.float16)
    raise TypeError(f"no numpy dtype for element type {element_type}")


def gelu(x: NDArray) -> NDArray:
    """GELU, tanh approximation, computed in the input's dtype."""
    c = x.dtype.type(_SQRT_2_OVER_PI)
    half = x.dtype.type(0.5)
    return half * x * (1 + np.tanh(c * (x + x.dtype.type(0.044715) * x * x * x)))


def sigmoid(x: NDArray) -> NDArray:
    # exp of -|x| never overflows; both branches agree with 1/(1+exp(-x)).
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


def softmax(x: NDArray, axis: int) -> NDArray:
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def layernorm(x: NDArray, axis: int, epsilon: float) -> NDArray:
    mean = np.mean(x, axis=axis, keepdims=True)
    centered = x - mean
    var = np.mean(centered * centered, axis=axis, keepdims=True)
    return centered / np.sqrt(var + x.dtype.type(epsilon))


def _rsqrt(x: NDArray) -> NDArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (1 / np.sqrt(x)).astype(x.dtype)


UNARY_RULES: dict[type[zt.UnaryOp], Callable[[NDArray], NDArray]] = {
    zt.NegOp: np.negative,
    zt.ExpOp: np.exp,
    zt.LogOp: np.log,
    zt.TanhOp: np.tanh,
    zt.SigmoidOp: sigmoid,
    zt.ReluOp: lambda x: np.maximum(x, x.dtype.type(0)),
    zt.GeluOp: gelu,
    zt.SqrtOp: np.sqrt,
    zt.RsqrtOp: _rsqrt,
    zt.AbsOp: np.abs,
}

BINARY_RULES: dict[type[zt.BinaryOp], Callable[[NDArray, NDArray], NDArray]] = {
    zt.AddOp: np.add,
    zt.SubOp: np.subtract,
    zt.MulOp: np.multiply,
    zt.DivOp: np.divide,
    zt.MaximumOp: np.maximum,
    zt.MinimumOp: np.minimum,
    zt.PowOp: np.power,
}

REDUCE_RULES: dict[type[zt.ReduceOp], Callable[..., NDArray]] = {
    zt.ReduceSumOp: np.sum,
    zt.ReduceMaxOp: np.max,
    zt.ReduceMeanOp: np.mean,
}


def _result_type(op: Operation) -> TensorType[Attribute]:
    ty = op.results[0].type
    assert isinstance(ty, TensorType)
    return ty


def _shaped(op: Operation, value: NDArray | np.generic) -> NDArray:
    """`value` as an array with the result's dtype and shape (numpy returns scalars for 0-d)."""
    ty = _result_type(op)
    return np.asarray(value, dtype=numpy_dtype(ty.element_type)).reshape(ty.get_shape())


def constant_value(op: zt.ConstantOp) -> NDArray:
    """The numpy array of a `ztensor.constant`."""
    ty = _result_type(op)
    dtype = numpy_dtype(ty.element_type)
    values = [float(v) for v in op.value.get_values()]
    shape = tuple(ty.get_shape())
    if len(values) == 1:
        return np.full(shape, values[0], dtype=dtype)
    return np.asarray(values, dtype=dtype).reshape(shape)


def evaluate(op: Operation, args: Sequence[NDArray]) -> tuple[NDArray, ...]:
    """Evaluate one ztensor op (not `fused`, which needs an interpreter) on numpy arrays."""
    with np.errstate(all="ignore"):
        if type(op) in UNARY_RULES:
            return (_shaped(op, UNARY_RULES[type(op)](args[0])),)  # type: ignore[index]
        if type(op) in BINARY_RULES:
            return (_shaped(op, BINARY_RULES[type(op)](args[0], args[1])),)  # type: ignore[index]
        if type(op) in REDUCE_RULES:
            assert isinstance(op, zt.ReduceOp)
            rule = REDUCE_RULES[type(op)]
            return (_shaped(op, rule(args[0], axis=op.reduced_axes, keepdims=op.keep)),)
        match op:
            case zt.MatmulOp():
                return (_shaped(op, np.matmul(args[0], args[1])),)
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
    """A dense elements attribute holding `array` with the given tensor type."""
    values = [float(v) for v in array.reshape(-1)]
    return DenseIntOrFPElementsAttr.from_list(cast(Any, tensor_type), values)


def _run_rule(
    ft: InterpreterFunctions, interpreter: Interpreter, op: Operation, args: PythonValues
) -> PythonValues:
    return evaluate(op, [np.asarray(a) for a in args])


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
