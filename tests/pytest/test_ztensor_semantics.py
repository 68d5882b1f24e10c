"""The interpreter runs every ztensor op and agrees with numpy over many shapes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from xdsl.builder import Builder
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import Builtin, Float32Type, Float64Type, ModuleOp, TensorType
from xdsl.dialects.func import Func
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.parser import Parser
from xdsl.rewriter import InsertPoint

from ziggurat.dialects import ztensor as zt
from ziggurat.dialects.ztensor_semantics import dense_attr
from ziggurat.interpreter import run_function

RNG = np.random.default_rng(0)
ScalarType = type[np.floating[Any]]  # np.float32 or np.float64
DTYPES: dict[ScalarType, Float32Type | Float64Type] = {
    np.float32: Float32Type(),
    np.float64: Float64Type(),
}
SHAPES = [(), (1,), (3,), (17,), (4, 1), (3, 17), (33, 5), (2, 3, 4)]


def _tensor_type(shape: Sequence[int], dtype: ScalarType) -> TensorType[Attribute]:
    return TensorType(DTYPES[dtype], shape)


def _build(
    arg_shapes: Sequence[Sequence[int]],
    dtype: ScalarType,
    body: Callable[[list[SSAValue]], Operation],
) -> ModuleOp:
    """A module with `@f(args) -> result` whose body is the op built by `body`."""
    arg_types = [_tensor_type(s, dtype) for s in arg_shapes]
    f = func.FuncOp("f", (arg_types, []))
    builder = Builder(InsertPoint.at_end(f.body.block))
    op = builder.insert(body(list(f.body.block.args)))
    builder.insert(func.ReturnOp(*op.results))
    f.function_type = func.FunctionType.from_lists(arg_types, [r.type for r in op.results])
    module = ModuleOp([f])
    module.verify()
    return module


def _random(
    shape: Sequence[int], dtype: ScalarType, positive: bool = False
) -> np.ndarray[Any, Any]:
    x = RNG.standard_normal(shape).astype(dtype)
    return np.abs(x) + dtype(0.1) if positive else x


def _run(module: ModuleOp, *args: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    (result,) = run_function(module, "f", *args)
    return np.asarray(result)


def _tol(dtype: ScalarType) -> float:
    return 1e-5 if dtype is np.float32 else 1e-12


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    ("op_type", "reference"),
    [
        (zt.NegOp, np.negative),
        (zt.ExpOp, np.exp),
        (zt.LogOp, np.log),
        (zt.TanhOp, np.tanh),
        (zt.SigmoidOp, lambda x: 1 / (1 + np.exp(-x))),
        (zt.ReluOp, lambda x: np.maximum(x, 0)),
        (
            zt.GeluOp,
            lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
        ),
        (zt.SqrtOp, np.sqrt),
        (zt.RsqrtOp, lambda x: 1 / np.sqrt(x)),
        (zt.AbsOp, np.abs),
    ],
)
def test_unary(op_type: type[zt.UnaryOp], reference: Callable[..., Any], shape, dtype) -> None:
    positive = op_type in (zt.LogOp, zt.SqrtOp, zt.RsqrtOp)
    x = _random(shape, dtype, positive)
    module = _build([shape], dtype, lambda a: op_type(a[0]))
    result = _run(module, x)
    assert result.dtype == dtype and result.shape == shape
    np.testing.assert_allclose(result, reference(x.astype(np.float64)), rtol=_tol(dtype) * 10)


BROADCAST_PAIRS = [
    ((3,), (3,)),
    ((4, 1), (3,)),
    ((1, 17), (33, 1)),
    ((), (2, 3)),
    ((2, 1, 4), (3, 1)),
    ((5, 7), (5, 7)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("lhs", "rhs"), BROADCAST_PAIRS)
@pytest.mark.parametrize(
    ("op_type", "reference"),
    [
        (zt.AddOp, np.add),
        (zt.SubOp, np.subtract),
        (zt.MulOp, np.multiply),
        (zt.DivOp, np.divide),
        (zt.MaximumOp, np.maximum),
        (zt.MinimumOp, np.minimum),
        (zt.PowOp, np.power),
    ],
)
def test_binary(op_type: type[zt.BinaryOp], reference, lhs, rhs, dtype) -> None:
    positive = op_type is zt.PowOp
    a, b = _random(lhs, dtype, positive), _random(rhs, dtype)
    module = _build([lhs, rhs], dtype, lambda v: op_type(v[0], v[1]))
    result = _run(module, a, b)
    expected = reference(a, b)
    assert result.shape == expected.shape and result.dtype == dtype
    np.testing.assert_allclose(result, expected, rtol=_tol(dtype) * 10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        ((1, 1), (1, 1)),
        ((3, 17), (17, 5)),
        ((33, 8), (8, 1)),
        ((2, 3, 4), (4, 5)),
        ((2, 1, 3, 4), (5, 4, 6)),
        ((7, 3), (2, 3, 2)),
    ],
)
def test_matmul(lhs, rhs, dtype) -> None:
    a, b = _random(lhs, dtype), _random(rhs, dtype)
    module = _build([lhs, rhs], dtype, lambda v: zt.MatmulOp(v[0], v[1]))
    np.testing.assert_allclose(_run(module, a, b), a @ b, rtol=_tol(dtype) * 10, atol=1e-6)


@pytest.mark.parametrize(
    ("shape", "perm"),
    [((3, 17), (1, 0)), ((2, 3, 4), (2, 0, 1)), ((5,), (0,)), ((1, 4, 1), (1, 2, 0))],
)
def test_transpose(shape, perm) -> None:
    x = _random(shape, np.float32)
    module = _build([shape], np.float32, lambda v: zt.TransposeOp(v[0], perm))
    np.testing.assert_array_equal(_run(module, x), np.transpose(x, perm))


@pytest.mark.parametrize(
    ("shape", "new"), [((3, 4), (12,)), ((2, 3, 4), (4, 6)), ((6,), (1, 2, 3, 1)), ((1,), ())]
)
def test_reshape(shape, new) -> None:
    x = _random(shape, np.float64)
    module = _build(
        [shape], np.float64, lambda v: zt.ReshapeOp(v[0], _tensor_type(new, np.float64))
    )
    np.testing.assert_array_equal(_run(module, x), x.reshape(new))


@pytest.mark.parametrize(
    ("shape", "new"), [((3,), (4, 3)), ((4, 1), (4, 5)), ((), (2, 2)), ((1, 3, 1), (2, 3, 4))]
)
def test_broadcast_to(shape, new) -> None:
    x = _random(shape, np.float32)
    module = _build(
        [shape], np.float32, lambda v: zt.BroadcastToOp(v[0], _tensor_type(new, np.float32))
    )
    np.testing.assert_array_equal(_run(module, x), np.broadcast_to(x, new))


REDUCE_CASES = [
    ((17,), (0,)),
    ((3, 17), (0,)),
    ((3, 17), (1,)),
    ((3, 17), (-1,)),
    ((3, 17), (0, 1)),
    ((2, 3, 4), (1,)),
    ((2, 3, 4), (0, 2)),
    ((2, 3, 4), (2, 1, 0)),
]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize(("shape", "axes"), REDUCE_CASES)
@pytest.mark.parametrize(
    ("op_type", "reference"),
    [(zt.ReduceSumOp, np.sum), (zt.ReduceMaxOp, np.max), (zt.ReduceMeanOp, np.mean)],
)
def test_reduce(op_type, reference, shape, axes, keepdims) -> None:
    x = _random(shape, np.float64)
    module = _build([shape], np.float64, lambda v: op_type(v[0], axes, keepdims))
    expected = reference(x, axis=axes, keepdims=keepdims)
    result = _run(module, x)
    assert result.shape == np.shape(expected)
    np.testing.assert_allclose(result, expected, rtol=1e-12)


def _softmax(x: np.ndarray[Any, Any], axis: int) -> np.ndarray[Any, Any]:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize(
    ("shape", "axis"), [((5,), 0), ((3, 17), -1), ((3, 17), 0), ((2, 3, 4), 1)]
)
def test_softmax(shape, axis) -> None:
    x = _random(shape, np.float32) * 10
    module = _build([shape], np.float32, lambda v: zt.SoftmaxOp(v[0], axis))
    result = _run(module, x)
    np.testing.assert_allclose(result, _softmax(x.astype(np.float64), axis), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(result.sum(axis=axis), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    ("shape", "axis"), [((5,), 0), ((3, 17), -1), ((3, 17), 0), ((2, 3, 4), 1)]
)
def test_layernorm(shape, axis) -> None:
    x = _random(shape, np.float64)
    module = _build([shape], np.float64, lambda v: zt.LayerNormOp(v[0], axis, 1e-3))
    mean = x.mean(axis=axis, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axis, keepdims=True)
    np.testing.assert_allclose(_run(module, x), (x - mean) / np.sqrt(var + 1e-3), rtol=1e-5)


def test_softmax_extreme_values() -> None:
    x = np.array([[1000.0, 0.0, -1000.0], [-np.inf, 0.0, 1.0]], dtype=np.float32)
    module = _build([(2, 3)], np.float32, lambda v: zt.SoftmaxOp(v[0], -1))
    result = _run(module, x)
    assert np.all(np.isfinite(result))
    np.testing.assert_allclose(result[0], [1.0, 0.0, 0.0])


def test_sigmoid_does_not_overflow() -> None:
    x = np.array([-1000.0, -20.0, 0.0, 20.0, 1000.0], dtype=np.float32)
    module = _build([(5,)], np.float32, lambda v: zt.SigmoidOp(v[0]))
    result = _run(module, x)
    np.testing.assert_allclose(result, [0.0, 2.0611537e-09, 0.5, 1.0, 1.0], rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_constant_and_cast(dtype) -> None:
    values = RNG.standard_normal((2, 3))
    ty = _tensor_type((2, 3), dtype)
    module = _build([], dtype, lambda _: zt.ConstantOp(dense_attr(values, ty)))
    np.testing.assert_allclose(_run(module), values.astype(dtype))
    other = np.float64 if dtype is np.float32 else np.float32
    x = _random((4, 5), dtype)
    cast = _build([(4, 5)], dtype, lambda v: zt.CastOp(v[0], DTYPES[other]))
    result = _run(cast, x)
    assert result.dtype == other
    np.testing.assert_array_equal(result, x.astype(other))


def test_fused_region() -> None:
    ctx = Context()
    for d in (Builtin, Func, zt.ZTensor):
        ctx.load_dialect(d)
    module = Parser(
        ctx,
        """
        func.func @f(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<16xf32>) -> tensor<4x16xf32> {
          %r = ztensor.fused "matmul_epilogue" (%a, %b, %c) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32> {
          ^bb0(%x: tensor<4x8xf32>, %y: tensor<8x16xf32>, %z: tensor<16xf32>):
            %m = ztensor.matmul %x, %y : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
            %s = ztensor.add %m, %z : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
            %t = ztensor.relu %s : tensor<4x16xf32>
            ztensor.yield %t : tensor<4x16xf32>
          }
          func.return %r : tensor<4x16xf32>
        }
        """,
    ).parse_module()
    module.verify()
    a, b, c = _random((4, 8), np.float32), _random((8, 16), np.float32), _random((16,), np.float32)
    (result,) = run_function(module, "f", a, b, c)
    np.testing.assert_allclose(result, np.maximum(a @ b + c, 0), rtol=1e-5, atol=1e-6)


def test_every_op_has_semantics() -> None:
    from ziggurat.dialects.ztensor_semantics import ZTensorFunctions

    implemented = {op for op, _ in ZTensorFunctions._impls()}
    assert set(zt.ZTensor.operations) <= implemented


def test_maximum_and_minimum_are_ieee_and_order_independent() -> None:
    """-0.0 < +0.0 and NaN propagates, whatever the order (numpy.maximum returns its second
    operand for maximum(-0.0, 0.0))."""
    from ziggurat.dialects.ztensor_semantics import (
        ieee_max_reduce,
        ieee_maximum,
        ieee_min_reduce,
        ieee_minimum,
        relu,
    )

    a = np.array([-0.0, 0.0, -0.0, np.nan, 1.0], np.float32)
    b = np.array([0.0, -0.0, -0.0, 1.0, np.nan], np.float32)
    for f in (ieee_maximum, ieee_minimum):
        np.testing.assert_array_equal(np.signbit(f(a, b)), np.signbit(f(b, a)))
        assert np.isnan(f(a, b)[3:]).all()
    assert list(np.signbit(ieee_maximum(a, b))[:3]) == [False, False, True]
    assert list(np.signbit(ieee_minimum(a, b))[:3]) == [True, True, True]
    assert not np.signbit(relu(np.array([-0.0], np.float32)))[0]
    z = np.array([[-0.0, 0.0], [-0.0, -0.0]], np.float32)
    assert list(np.signbit(ieee_max_reduce(z, axis=1))) == [False, True]
    assert list(np.signbit(ieee_min_reduce(z, axis=1))) == [True, True]
