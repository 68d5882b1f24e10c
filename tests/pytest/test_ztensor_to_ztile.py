"""`ztensor-to-ztile` (+ `bufferize`): every ztensor op, run by the interpreter, agrees with
the ztensor reference semantics; fusion produces one grid where it should."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypedDict

import numpy as np
import pytest
from xdsl.builder import Builder
from xdsl.dialects import bufferization, func
from xdsl.dialects.builtin import (
    AnyFloat,
    DenseIntOrFPElementsAttr,
    Float32Type,
    Float64Type,
    ModuleOp,
    TensorType,
)
from xdsl.ir import Operation, SSAValue
from xdsl.passes import PassPipeline
from xdsl.rewriter import InsertPoint

from ziggurat.dialects import ztensor as zt
from ziggurat.dialects import ztile
from ziggurat.dialects.tiling import DefaultTileSizes
from ziggurat.interpreter import make_interpreter, run_function
from ziggurat.universe import all_passes, make_context

RNG = np.random.default_rng(0)
ScalarType = type[np.floating[Any]]  # np.float32 or np.float64
DTYPES: dict[ScalarType, Float32Type | Float64Type] = {
    np.float32: Float32Type(),
    np.float64: Float64Type(),
}

NDArray = np.ndarray[Any, Any]
Body = Callable[[list[SSAValue]], list[Operation]]


def dense(ty: TensorType[AnyFloat], values: list[float]) -> DenseIntOrFPElementsAttr[AnyFloat]:
    """A splat (one value) or full dense attribute of type `ty`."""
    return DenseIntOrFPElementsAttr.from_list(ty, values)


def build(arg_shapes: Sequence[Sequence[int]], dtype: ScalarType, body: Body) -> ModuleOp:
    """`@f(args) -> results`; `body` returns the ops to insert, the last one's results returned."""
    elt = DTYPES[dtype]
    arg_types = [TensorType(elt, s) for s in arg_shapes]
    f = func.FuncOp("f", (arg_types, []))
    builder = Builder(InsertPoint.at_end(f.body.block))
    ops = body(list(f.body.block.args))
    for op in ops:
        builder.insert(op)
    builder.insert(func.ReturnOp(*ops[-1].results))
    f.function_type = func.FunctionType.from_lists(arg_types, [r.type for r in ops[-1].results])
    module = ModuleOp([f])
    module.verify()
    return module


def lower(module: ModuleOp, pipeline: str = "ztensor-to-ztile,bufferize") -> ModuleOp:
    lowered = module.clone()
    PassPipeline.parse_spec(all_passes(), pipeline).apply(make_context(), lowered)
    lowered.verify()
    return lowered


def random(shape: Sequence[int], dtype: ScalarType, positive: bool = False) -> NDArray:
    x = RNG.standard_normal(shape).astype(dtype)
    return (np.abs(x) + dtype(0.5)).astype(dtype) if positive else x


class Tolerance(TypedDict):
    rtol: float
    atol: float


def tol(dtype: ScalarType) -> Tolerance:
    return {"rtol": 2e-5, "atol": 2e-5} if dtype is np.float32 else {"rtol": 1e-11, "atol": 1e-11}


def check(
    module: ModuleOp, inputs: Sequence[NDArray], pipeline: str = "ztensor-to-ztile,bufferize"
) -> ModuleOp:
    """Lower `module`, run both with the interpreter, and compare the results."""
    expected = [np.asarray(r) for r in run_function(module, "f", *inputs)]
    lowered = lower(module, pipeline)
    dtype = inputs[0].dtype.type if inputs else np.float32
    if "bufferize" in pipeline:
        outs = [np.full(e.shape, np.nan, dtype=e.dtype) for e in expected]
        assert run_function(lowered, "f", *[x.copy() for x in inputs], *outs) == ()
        got = outs
    else:
        interpreter = make_interpreter(lowered)
        got = [np.asarray(r) for r in interpreter.call_op("f", tuple(inputs))]
    for g, e in zip(got, expected, strict=True):
        assert g.shape == e.shape and g.dtype == e.dtype
        np.testing.assert_allclose(g, e, **tol(dtype))
    return lowered


def count(module: ModuleOp, op_type: type[Operation]) -> int:
    return sum(isinstance(op, op_type) for op in module.walk())


def no_ztensor(module: ModuleOp) -> bool:
    return not any(op.dialect_name() == "ztensor" for op in module.walk())


# ---------------------------------------------------------------------------------------------
# Elementwise
# ---------------------------------------------------------------------------------------------

UNARY = [
    (zt.NegOp, False),
    (zt.ExpOp, False),
    (zt.LogOp, True),
    (zt.TanhOp, False),
    (zt.SigmoidOp, False),
    (zt.ReluOp, False),
    (zt.GeluOp, False),
    (zt.SqrtOp, True),
    (zt.RsqrtOp, True),
    (zt.AbsOp, False),
]
SHAPES = [(), (1,), (3,), (17,), (3, 17), (33, 5), (2, 3, 4), (2, 1, 3, 5)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("op_type", "positive"), UNARY)
@pytest.mark.parametrize("shape", [(), (17,), (3, 17), (2, 1, 3, 5)])
def test_unary(
    op_type: type[zt.UnaryOp], positive: bool, shape: tuple[int, ...], dtype: ScalarType
) -> None:
    module = build([shape], dtype, lambda a: [op_type(a[0])])
    lowered = check(module, [random(shape, dtype, positive)])
    assert no_ztensor(lowered)
    assert count(lowered, ztile.GridOp) == 1


BINARY = [zt.AddOp, zt.SubOp, zt.MulOp, zt.DivOp, zt.MaximumOp, zt.MinimumOp, zt.PowOp]
BROADCAST_PAIRS = [
    ((), ()),
    ((1,), (33,)),
    ((17,), (17,)),
    ((3, 17), (17,)),
    ((33, 1), (1, 5)),
    ((4, 1, 3), (2, 1)),
    ((2, 3, 1, 5), (3, 4, 1)),
    ((3,), ()),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op_type", BINARY)
@pytest.mark.parametrize(("lhs", "rhs"), BROADCAST_PAIRS)
def test_binary(
    op_type: type[zt.BinaryOp], lhs: tuple[int, ...], rhs: tuple[int, ...], dtype: ScalarType
) -> None:
    positive = op_type in (zt.PowOp, zt.DivOp)
    module = build([lhs, rhs], dtype, lambda a: [op_type(a[0], a[1])])
    lowered = check(module, [random(lhs, dtype, positive), random(rhs, dtype, positive)])
    assert count(lowered, ztile.GridOp) == 1


@pytest.mark.parametrize("shape", [(3, 17), (2, 3, 4), (2, 3, 4, 5)])
def test_transpose_and_broadcast_to(shape: tuple[int, ...]) -> None:
    dtype = np.float32
    perm = list(reversed(range(len(shape))))
    module = build([shape], dtype, lambda a: [zt.TransposeOp(a[0], perm)])
    check(module, [random(shape, dtype)])
    target = TensorType(DTYPES[dtype], (2, *shape))
    module = build([shape], dtype, lambda a: [zt.BroadcastToOp(a[0], target)])
    check(module, [random(shape, dtype)])


def test_elementwise_chain_is_one_grid() -> None:
    """tanh(2x+1)*x, with a transposed and a broadcast operand, is one program."""
    dtype = np.float32
    elt = DTYPES[dtype]

    def body(a: list[SSAValue]) -> list[Operation]:
        two = zt.ConstantOp(dense(TensorType(elt, []), [2.0]))
        one = zt.ConstantOp(dense(TensorType(elt, [17]), [1.0]))
        t = zt.TransposeOp(a[1], [1, 0])
        m = zt.MulOp(two, a[0])
        s = zt.AddOp(m, one)
        th = zt.TanhOp(s)
        r = zt.MulOp(th, a[0])
        q = zt.AddOp(r, t)
        b = zt.BroadcastToOp(a[2], TensorType(elt, [5, 17]))
        return [two, one, t, m, s, th, r, q, b, zt.SubOp(q, b)]

    module = build([(5, 17), (17, 5), (1, 17)], dtype, body)
    lowered = check(
        module, [random((5, 17), dtype), random((17, 5), dtype), random((1, 17), dtype)]
    )
    assert count(lowered, ztile.GridOp) == 1


def test_shared_intermediate_is_materialized_once() -> None:
    """A value used by several kernels is computed once, by its own kernel."""
    dtype = np.float64

    def body(a: list[SSAValue]) -> list[Operation]:
        e = zt.ExpOp(a[0])
        s = zt.AddOp(e, a[0])
        t = zt.TransposeOp(e, [1, 0])
        m = zt.MatmulOp(e, t)
        r = zt.ReduceSumOp(s, [1], True)
        return [e, s, t, m, r, zt.AddOp(m, r)]

    module = build([(3, 4)], dtype, body)
    lowered = check(module, [random((3, 4), dtype)])
    assert count(lowered, ztile.ExpOp) == 1


# ---------------------------------------------------------------------------------------------
# Matmul
# ---------------------------------------------------------------------------------------------

MATMULS = [
    ((1, 1), (1, 1)),
    ((3, 17), (17, 33)),
    ((33, 17), (17, 3)),
    ((2, 3, 5), (5, 4)),
    ((3, 5), (2, 5, 4)),
    ((2, 1, 3, 5), (3, 5, 2)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("lhs", "rhs"), MATMULS)
def test_matmul(lhs: tuple[int, ...], rhs: tuple[int, ...], dtype: ScalarType) -> None:
    module = build([lhs, rhs], dtype, lambda a: [zt.MatmulOp(a[0], a[1])])
    lowered = check(module, [random(lhs, dtype), random(rhs, dtype)])
    assert count(lowered, ztile.DotOp) == 1


@pytest.mark.parametrize("tile_sizes", ["", "{tile-sizes=8,8,4}"])
def test_matmul_epilogue_fused(tile_sizes: str) -> None:
    """relu(a @ b + c) is one grid; small tiles exercise the K loop and the edge tiles."""
    dtype = np.float32

    def body(a: list[SSAValue]) -> list[Operation]:
        m = zt.MatmulOp(a[0], a[1])
        s = zt.AddOp(m, a[2])
        return [m, s, zt.ReluOp(s)]

    module = build([(17, 9), (9, 20), (20,)], dtype, body)
    lowered = check(
        module,
        [random((17, 9), dtype), random((9, 20), dtype), random((20,), dtype)],
        f"ztensor-to-ztile{tile_sizes},bufferize",
    )
    assert count(lowered, ztile.GridOp) == 1
    assert count(lowered, ztile.DotOp) == 1


def test_batched_matmul_gelu_epilogue_with_k_loop() -> None:
    dtype = np.float64

    def body(a: list[SSAValue]) -> list[Operation]:
        m = zt.MatmulOp(a[0], a[1])
        s = zt.MulOp(m, a[2])
        return [m, s, zt.GeluOp(s)]

    module = build([(2, 6, 12), (1, 12, 5), (6, 1)], dtype, body)
    lowered = check(
        module,
        [random((2, 6, 12), dtype), random((1, 12, 5), dtype), random((6, 1), dtype)],
        "ztensor-to-ztile{tile-sizes=4,4,4},bufferize",
    )
    assert count(lowered, ztile.GridOp) == 1


# ---------------------------------------------------------------------------------------------
# Reductions, softmax, layernorm
# ---------------------------------------------------------------------------------------------

REDUCE_CASES = [
    ((17,), [0]),
    ((3, 17), [0]),
    ((3, 17), [1]),
    ((3, 17), [0, 1]),
    ((2, 3, 4), [0]),
    ((2, 3, 4), [1]),
    ((2, 3, 4), [2]),
    ((2, 3, 4), [0, 2]),
    ((2, 3, 1, 5), [1, 3]),
    ((2, 3, 1, 5), [-1]),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op_type", [zt.ReduceSumOp, zt.ReduceMaxOp, zt.ReduceMeanOp])
@pytest.mark.parametrize(("shape", "axes"), REDUCE_CASES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduce(
    op_type: type[zt.ReduceOp],
    shape: tuple[int, ...],
    axes: list[int],
    keepdims: bool,
    dtype: ScalarType,
) -> None:
    module = build([shape], dtype, lambda a: [op_type(a[0], axes, keepdims)])
    check(module, [random(shape, dtype)])


def test_reduce_long_rows_are_chunked() -> None:
    """Rows longer than the tile budget are reduced in chunks with a padded last chunk."""
    dtype = np.float32
    shape = (2, 8200)

    def reduce_rows(op_type: type[zt.ReduceOp]) -> Body:
        return lambda a: [op_type(a[0], [1], False)]

    for op_type in (zt.ReduceSumOp, zt.ReduceMaxOp):
        module = build([shape], dtype, reduce_rows(op_type))
        lowered = check(module, [random(shape, dtype)])
        assert count(lowered, ztile.GridOp) == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op_type", [zt.SoftmaxOp, zt.LayerNormOp])
@pytest.mark.parametrize(
    ("shape", "axis"),
    [
        ((17,), 0),
        ((3, 17), 0),
        ((3, 17), -1),
        ((2, 3, 5), 1),
        ((2, 1, 3, 4), -1),
        ((2, 1, 3, 4), 0),
    ],
)
def test_normalize(op_type: type, shape: tuple[int, ...], axis: int, dtype: ScalarType) -> None:
    module = build([shape], dtype, lambda a: [op_type(a[0], axis)])
    lowered = check(module, [random(shape, dtype)])
    assert count(lowered, ztile.GridOp) == 1


@pytest.mark.parametrize("op_type", [zt.SoftmaxOp, zt.LayerNormOp])
def test_normalize_long_rows(op_type: type) -> None:
    shape = (1, 8200)
    module = build([shape], np.float64, lambda a: [op_type(a[0], -1)])
    check(module, [random(shape, np.float64) + 3.0])


def test_reduction_prologue_fused() -> None:
    """sum(exp(x) * y, axis=1) is one grid."""
    dtype = np.float32

    def body(a: list[SSAValue]) -> list[Operation]:
        e = zt.ExpOp(a[0])
        m = zt.MulOp(e, a[1])
        return [e, m, zt.ReduceSumOp(m, [1], False)]

    module = build([(5, 33), (33,)], dtype, body)
    lowered = check(module, [random((5, 33), dtype), random((33,), dtype)])
    assert count(lowered, ztile.GridOp) == 1


# ---------------------------------------------------------------------------------------------
# Reshape, cast, constants, fused ops
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "dst"), [((3, 4), (12,)), ((12,), (2, 2, 3)), ((1,), ()), ((2, 3, 4, 5), (6, 20))]
)
def test_reshape(src: tuple[int, ...], dst: tuple[int, ...]) -> None:
    dtype = np.float64
    module = build([src], dtype, lambda a: [zt.ReshapeOp(a[0], TensorType(DTYPES[dtype], dst))])
    check(module, [random(src, dtype)])


@pytest.mark.parametrize(
    ("src", "dst"), [(np.float32, np.float64), (np.float64, np.float32), (np.float32, np.float32)]
)
def test_cast(src: ScalarType, dst: ScalarType) -> None:
    module = build([(3, 5)], src, lambda a: [zt.CastOp(a[0], DTYPES[dst])])
    x = random((3, 5), src)
    expected = x.astype(dst)
    lowered = lower(module)
    out = np.zeros((3, 5), dtype=dst)
    run_function(lowered, "f", x, out)
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_constants(dtype: ScalarType) -> None:
    elt = DTYPES[dtype]

    def body(a: list[SSAValue]) -> list[Operation]:
        full = zt.ConstantOp(dense(TensorType(elt, [2, 3]), [1, 2, 3, 4, 5, 6.5]))
        splat = zt.ConstantOp(dense(TensorType(elt, [3, 3]), [0.5]))
        mm = zt.MatmulOp(full, splat)
        return [full, splat, mm, zt.AddOp(mm, a[0])]

    module = build([(2, 3)], dtype, body)
    check(module, [random((2, 3), dtype)])


def test_rank0_constant_result() -> None:
    elt = DTYPES[np.float32]
    module = build(
        [()],
        np.float32,
        lambda a: [zt.ConstantOp(dense(TensorType(elt, []), [3.0]))],
    )
    lowered = lower(module)
    out = np.zeros((), dtype=np.float32)
    run_function(lowered, "f", np.zeros((), dtype=np.float32), out)
    assert out == np.float32(3.0)


FUSED = """
func.func @f(%a: tensor<5x7xf32>, %b: tensor<7x9xf32>, %c: tensor<9xf32>) -> (tensor<5x9xf32>, tensor<5x9xf32>) {
  %r = ztensor.fused "matmul_epilogue" (%a, %b, %c) : (tensor<5x7xf32>, tensor<7x9xf32>, tensor<9xf32>) -> tensor<5x9xf32> {
  ^bb0(%x: tensor<5x7xf32>, %y: tensor<7x9xf32>, %z: tensor<9xf32>):
    %m = ztensor.matmul %x, %y : (tensor<5x7xf32>, tensor<7x9xf32>) -> tensor<5x9xf32>
    %s = ztensor.add %m, %z : (tensor<5x9xf32>, tensor<9xf32>) -> tensor<5x9xf32>
    %t = ztensor.relu %s : tensor<5x9xf32>
    ztensor.yield %t : tensor<5x9xf32>
  }
  %q = ztensor.fused "reduction" (%r) : (tensor<5x9xf32>) -> tensor<5x9xf32> {
  ^bb0(%x: tensor<5x9xf32>):
    %e = ztensor.mul %x, %x : (tensor<5x9xf32>, tensor<5x9xf32>) -> tensor<5x9xf32>
    %s = ztensor.softmax %e {axis = -1 : i64} : tensor<5x9xf32>
    ztensor.yield %s : tensor<5x9xf32>
  }
  func.return %q, %r : tensor<5x9xf32>, tensor<5x9xf32>
}
"""


def test_fused_ops_lower_to_one_grid_each() -> None:
    from xdsl.parser import Parser

    module = Parser(make_context(), FUSED).parse_module()
    dtype = np.float32
    inputs = [random((5, 7), dtype), random((7, 9), dtype), random((9,), dtype)]
    lowered = check(module, inputs)
    assert count(lowered, ztile.GridOp) == 2


HONOURED = """
func.func @f(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %n = ztensor.neg %x : tensor<8x16xf32>
  %e = ztensor.fused "elementwise" (%n) : (tensor<8x16xf32>) -> tensor<8x16xf32> {
  ^bb0(%u: tensor<8x16xf32>):
    %a = ztensor.exp %u : tensor<8x16xf32>
    ztensor.yield %a : tensor<8x16xf32>
  }
  %t = ztensor.tanh %e : tensor<8x16xf32>
  func.return %t : tensor<8x16xf32>
}
"""


def test_fused_ops_are_lowered_as_given() -> None:
    """A `ztensor.fused` op is one kernel: the planner fuses neither its single-use producer
    nor its single user into it (the same ops unfused are one grid)."""
    from xdsl.parser import Parser

    inputs = [random((8, 16), np.float32)]
    module = Parser(make_context(), HONOURED).parse_module()
    assert count(check(module, inputs), ztile.GridOp) == 3
    plain = HONOURED.replace(
        """  %e = ztensor.fused "elementwise" (%n) : (tensor<8x16xf32>) -> tensor<8x16xf32> {
  ^bb0(%u: tensor<8x16xf32>):
    %a = ztensor.exp %u : tensor<8x16xf32>
    ztensor.yield %a : tensor<8x16xf32>
  }
""",
        "  %e = ztensor.exp %n : tensor<8x16xf32>\n",
    )
    assert count(check(Parser(make_context(), plain).parse_module(), inputs), ztile.GridOp) == 1


TRIVIAL_FUSED = """
func.func @f(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = ztensor.fused "elementwise" (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%u: tensor<4xf32>):
    ztensor.yield %u : tensor<4xf32>
  }
  %b = ztensor.fused "elementwise" (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%u: tensor<4xf32>):
    %c = ztensor.constant dense<2.5> : tensor<4xf32>
    ztensor.yield %c : tensor<4xf32>
  }
  %s = ztensor.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %s, %b : tensor<4xf32>, tensor<4xf32>
}
"""


def test_fused_ops_that_compute_nothing() -> None:
    """A body yielding its operand or a splat constant is no kernel of its own."""
    from xdsl.parser import Parser

    module = Parser(make_context(), TRIVIAL_FUSED).parse_module()
    lowered = check(module, [random((4,), np.float32)])
    assert no_ztensor(lowered) and count(lowered, ztile.GridOp) == 2


class PaddingReductions:
    """Default tile sizes, except that reductions walk chunks of 8 (padded for 33)."""

    def elementwise(self, shape: Sequence[int]) -> tuple[int, ...]:
        return DefaultTileSizes().elementwise(shape)

    def matmul(self, m: int, n: int, k: int) -> tuple[int, int, int]:
        return DefaultTileSizes().matmul(m, n, k)

    def reduction(self, shape: Sequence[int], axes: Sequence[int]) -> tuple[int, ...]:
        return tuple(min(8, d) if a in axes else 1 for a, d in enumerate(shape))


FUSED_REDUCTION = """
func.func @f(%x: tensor<4x33xf32>) -> tensor<4xf32> {
  %r = ztensor.fused "reduction" (%x) : (tensor<4x33xf32>) -> tensor<4xf32> {
  ^bb0(%u: tensor<4x33xf32>):
    %e = ztensor.exp %u : tensor<4x33xf32>
    %s = ztensor.reduce_sum %e {axes = array<i64: 1>, keepdims = false} : tensor<4x33xf32> -> tensor<4xf32>
    ztensor.yield %s : tensor<4xf32>
  }
  func.return %r : tensor<4xf32>
}
"""


def test_fused_op_that_is_not_one_kernel_under_other_tile_sizes() -> None:
    """The verifier checks fused bodies under the default tile sizes; a chooser that pads a
    reduction's chunks makes the same body two kernels, which the lowering reports."""
    from xdsl.parser import Parser
    from xdsl.utils.exceptions import DiagnosticException

    from ziggurat.lowering.ztensor_to_ztile import lower_block

    module = Parser(make_context(), FUSED_REDUCTION).parse_module()
    check(module, [random((4, 33), np.float32)])
    f = next(op for op in module.walk() if isinstance(op, func.FuncOp))
    with pytest.raises(DiagnosticException, match="not one kernel under these tile sizes") as e:
        lower_block(f.body.block, PaddingReductions())
    assert "axis 1 (33 elements) is reduced in chunks of 8, the last one padded" in str(e.value)


def test_high_rank_transpose_is_a_copy_of_its_own() -> None:
    """A transpose of rank 4 is a copy kernel: its elementwise producer is not fused into it
    (it used to be taken into the group and erased while the copy still read it)."""
    dtype = np.float32

    def body(a: list[SSAValue]) -> list[Operation]:
        e = zt.ExpOp(a[0])
        return [e, zt.TransposeOp(e, [3, 2, 1, 0])]

    module = build([(2, 2, 2, 2)], dtype, body)
    lowered = check(module, [random((2, 2, 2, 2), dtype)])
    assert count(lowered, ztile.GridOp) == 1  # the exp; the transpose is scalar loops


def test_ztile_level_runs_before_bufferize() -> None:
    """The ztensor-to-ztile output alone (tensors at the function boundary) runs too."""
    dtype = np.float32

    def body(a: list[SSAValue]) -> list[Operation]:
        s = zt.AddOp(a[0], a[1])
        return [s, zt.SoftmaxOp(s, -1)]

    module = build([(3, 17), (17,)], dtype, body)
    lowered = check(module, [random((3, 17), dtype), random((17,), dtype)], "ztensor-to-ztile")
    assert count(lowered, bufferization.ToTensorOp) >= 1
    assert count(lowered, ztile.GridOp) == 1


@pytest.mark.parametrize(
    ("full", "flat", "groups"),
    [
        ((2, 3, 4), (6, 4), [[0, 1], [2]]),
        ((2, 3, 4), (24,), [[0, 1, 2]]),
        ((2, 3, 4), (2, 12), [[0], [1, 2]]),
        ((5, 1), (5,), [[0, 1]]),
        ((3, 4), (12, 1), None),  # a new unit dim is an expansion, not a collapse
        ((4,), (2, 2), None),
        ((2, 3, 4), (4, 6), None),  # same size, not consecutive dims merged
    ],
)
def test_collapse_groups(
    full: tuple[int, ...], flat: tuple[int, ...], groups: list[list[int]] | None
) -> None:
    from ziggurat.lowering.ztile_builder import collapse_groups

    assert collapse_groups(full, flat) == groups


@pytest.mark.parametrize(
    ("perm", "a_shape", "b_shape"),
    [
        ((2, 1, 0), (1, 13), (1, 1, 13)),  # found by test_frontend_hypothesis
        ((2, 1, 0), (1, 1, 3), (3,)),
        ((1, 2, 0), (3, 1), (2, 3, 4)),
        ((1, 0), (1, 5), (4, 5)),
    ],
)
def test_leaves_below_a_fused_transpose_are_read_in_its_operand_space(
    perm: tuple[int, ...], a_shape: tuple[int, ...], b_shape: tuple[int, ...]
) -> None:
    """transpose(a + b) with a broadcast leaf: the leaf's padded copy indexes the transpose's
    operand space, not the kernel's (transposed) output space. Before the fix, element 1 on
    of a (1, 13) leaf read element 0."""
    dtype = np.float32

    def body(a: list[SSAValue]) -> list[Operation]:
        s = zt.AddOp(a[0], a[1])
        return [s, zt.TransposeOp(s, perm)]

    module = build([a_shape, b_shape], dtype, body)
    lowered = check(module, [random(a_shape, dtype), random(b_shape, dtype)])
    assert count(lowered, ztile.GridOp) == 1
