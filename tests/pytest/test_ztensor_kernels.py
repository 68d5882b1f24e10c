"""The one module that decides what a kernel is (dialects/ztensor_kernels.py): the
`ztensor.fused` verifier, the planner of `ztensor-to-ztile` and eqsat's kernel terms agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import Float32Type, TensorType
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import PassPipeline

from ziggurat.dialects import ztensor as zt
from ziggurat.dialects import ztensor_kernels as kernels
from ziggurat.dialects import ztile
from ziggurat.driver import parse_module
from ziggurat.lowering.ztensor_to_ztile import ZTensorToZTilePass
from ziggurat.parsing import parse_file
from ziggurat.universe import all_passes, make_context


def _t(shape: tuple[int, ...]) -> str:
    return "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"


def prologue_program(shape: tuple[int, ...], axes: tuple[int, ...]) -> str:
    """`reduce_sum(exp(x), axes)` as plain ops."""
    out = tuple(1 if d in axes else n for d, n in enumerate(shape))
    axes_text = ", ".join(str(a) for a in axes)
    return f"""
func.func @f(%x: {_t(shape)}) -> {_t(out)} {{
  %e = ztensor.exp %x : {_t(shape)}
  %s = ztensor.reduce_sum %e {{axes = array<i64: {axes_text}>, keepdims = true}} : {_t(shape)} -> {_t(out)}
  func.return %s : {_t(out)}
}}
"""


def fused_body(ops: list[Operation], block: Block) -> Block:
    block.add_ops([*ops, zt.YieldOp(ops[-1].results[0])])
    return block


PROLOGUE_CASES = [
    ((4, 8), (1,)),
    ((4, 8192), (1,)),  # reduced whole
    ((4, 10000), (1,)),  # chunks of 4096, the last one padded
    ((4, 12288), (1,)),  # three full chunks of 4096
    ((2, 3, 17), (0, 2)),
    ((9000,), (0,)),
    ((3, 4, 5, 6), (3,)),  # rank 4: viewed as (kept, reduced), no prologue
]


@pytest.mark.parametrize(("shape", "axes"), PROLOGUE_CASES)
def test_prologue_rule_is_the_same_for_eqsat_the_planner_and_the_verifier(
    shape: tuple[int, ...], axes: tuple[int, ...]
) -> None:
    fuses = kernels.prologue_term_ok(shape, axes)
    assert fuses == (kernels.prologue_problem(shape, axes) is None)
    # The planner fuses the exp into the reduction's grid exactly when eqsat may.
    module = parse_module(prologue_program(shape, axes))
    ZTensorToZTilePass().apply(Context(), module)
    grids = sum(isinstance(op, ztile.GridOp) for op in module.walk())
    assert grids == (1 if fuses else 2)
    # The verifier accepts the fused form exactly then.
    block = Block(arg_types=[TensorType(Float32Type(), shape)])
    e = zt.ExpOp(block.args[0])
    body = fused_body([e, zt.ReduceSumOp(e, list(axes), True)], block)
    if fuses:
        group = kernels.body_kernel(body)
        assert group is not None and group.members == set(body.ops) - {body.last_op}
    else:
        with pytest.raises(kernels.KernelError, match=r"is a prologue of 'ztensor\.reduce_sum'"):
            kernels.body_kernel(body)


def chain_body(n: int) -> Block:
    block = Block(arg_types=[TensorType(Float32Type(), (16,))])
    ops: list[Operation] = []
    value: SSAValue = block.args[0]
    for _ in range(n):
        ops.append(zt.NegOp(value))
        value = ops[-1].results[0]
    return fused_body(ops, block)


def test_a_kernel_holds_at_most_max_fused_ops() -> None:
    cap = kernels.MAX_FUSED_OPS
    group = kernels.body_kernel(chain_body(cap))
    assert group is not None and len(group.members) == cap
    with pytest.raises(
        kernels.KernelError, match=rf"it holds {cap + 1} ops \(a kernel computes at most {cap}\)"
    ):
        kernels.body_kernel(chain_body(cap + 1))


@pytest.mark.parametrize(
    ("shape", "ok"),
    [((), False), ((7,), True), ((3, 4), True), ((2, 3, 4), True), ((2, 2, 2, 2), False)],
)
def test_elementwise_terms_have_natural_views(shape: tuple[int, ...], ok: bool) -> None:
    assert kernels.elementwise_term_ok(shape) == ok
    assert kernels.elementwise_view(shape).natural == ok


def test_matmul_terms_are_2d_with_epilogues_of_their_shape() -> None:
    assert kernels.matmul_term_ok((4, 8))
    assert not kernels.matmul_term_ok((2, 4, 8))
    assert kernels.epilogue_term_ok((4, 8), (4, 8))
    assert not kernels.epilogue_term_ok((4, 8), (2, 4, 8))


VARIANCE = """
func.func @f(%x: tensor<8x32xf32>) -> {results} {{
  %w = ztensor.cast %x : tensor<8x32xf32> -> tensor<8x32xf64>
  %s = ztensor.reduce_mean %w {{axes = array<i64: 1>, keepdims = true}} : tensor<8x32xf64> -> tensor<8x1xf64>
  %d = ztensor.sub %w, %s : (tensor<8x32xf64>, tensor<8x1xf64>) -> tensor<8x32xf64>
  %q = ztensor.mul %d, %d : (tensor<8x32xf64>, tensor<8x32xf64>) -> tensor<8x32xf64>
  %v = ztensor.reduce_sum %q {{axes = array<i64: 1>, keepdims = true}} : tensor<8x32xf64> -> tensor<8x1xf64>
  func.return {returned}
}}
"""


def _plan(text: str) -> tuple[kernels.Planner, list[kernels.Group]]:
    module = parse_module(text)
    f = next(op for op in module.walk() if op.name == "func.func")
    block = f.regions[0].block
    planner = kernels.Planner(block)
    return planner, planner.plan()


def _casts(group: kernels.Group) -> list[Operation]:
    return [m for m in group.members if isinstance(m, zt.CastOp)]


def test_a_cast_read_by_two_kernels_is_computed_in_each() -> None:
    """torch's f64 variance reads `x.to(f64)` in two kernels: each gets its own copy of the
    cast and reads the f32 input, and no kernel writes the f64 copy to memory."""
    planner, groups = _plan(
        VARIANCE.format(results="tensor<8x1xf64>", returned="%v : tensor<8x1xf64>")
    )
    assert [type(g.root) for g in groups] == [zt.ReduceSumOp, zt.ReduceMeanOp]
    assert all(len(_casts(g)) == 1 for g in groups)
    assert len(planner.clones) == 1
    for g in groups:
        (cast,) = _casts(g)
        assert cast.operands[0].type == TensorType(Float32Type(), (8, 32))


def test_a_cast_with_a_user_outside_kernels_keeps_its_own_kernel() -> None:
    """A cast that is also returned stays a kernel (writing f64) for that use; the two users
    that compute it again get copies."""
    planner, groups = _plan(
        VARIANCE.format(
            results="(tensor<8x1xf64>, tensor<8x32xf64>)",
            returned="%v, %w : tensor<8x1xf64>, tensor<8x32xf64>",
        )
    )
    assert len(planner.clones) == 2
    roots = [type(g.root) for g in groups]
    assert roots.count(zt.CastOp) == 1 and len(groups) == 3
    cast_kernel = next(g for g in groups if isinstance(g.root, zt.CastOp))
    assert cast_kernel.kind == "elementwise" and cast_kernel.members == {cast_kernel.root}


def test_a_cast_from_f16_joins_the_kernel_of_its_user() -> None:
    """Tiles hold f16 and bf16 too: a cast from f16 is a tile cast computed in its user's
    kernel, not a copy of its own."""
    text = """
func.func @f(%x: tensor<8x32xf16>) -> tensor<8x32xf32> {
  %w = ztensor.cast %x : tensor<8x32xf16> -> tensor<8x32xf32>
  %e = ztensor.exp %w : tensor<8x32xf32>
  func.return %e : tensor<8x32xf32>
}
"""
    _, groups = _plan(text)
    assert [type(g.root) for g in groups] == [zt.ExpOp]
    (cast,) = _casts(groups[0])
    assert kernels.is_tile_cast(cast) and not kernels.is_copy(cast)


def test_the_exported_layernorm_reads_x_in_f32_only() -> None:
    """torch-mlir's LayerNorm (variance in f64) compiles to 4 programs, and none of them
    writes an f64 copy of its input: the casts are computed in the programs that read x."""
    fixture = Path(__file__).resolve().parents[1] / "interop" / "fixtures" / "layernorm.mlir"
    module = parse_file(str(fixture))
    pipeline = "linalg-to-ztensor,canonicalize,eqsat,ztensor-to-ztile"
    PassPipeline.parse_spec(all_passes(), pipeline).apply(make_context(), module)
    assert sum(isinstance(op, ztile.GridOp) for op in module.walk()) == 4
    f64_buffers = [
        op
        for op in module.walk()
        if op.name == "memref.alloc" and "8x32xf64" in str(op.results[0].type)
    ]
    assert not f64_buffers
    assert sum(isinstance(op, ztile.CastOp) for op in module.walk()) == 3
