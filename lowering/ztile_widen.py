"""`ztile-widen`: compute f16 and bf16 tiles in f32, between casts.

The CPU has no arithmetic on 16-bit floats that rounds the way the semantics say (AVX-512
without `avx512fp16`), so every ztile op on f16/bf16 tiles other than `ztile.load`,
`ztile.store` and `ztile.cast` is rewritten to its f32 form:

- an elementwise arithmetic op: `ztile.cast` of each operand to f32, the op on f32, a cast of
  the result back (the semantics of the op table: one rounding per op);
  `%r = ztile.add %a, %b : !ztile.tile<8x16xf16>` becomes
  `%r = ztile.cast (ztile.add (ztile.cast %a), (ztile.cast %b)) -> f16`;
- `ztile.cmp`: the comparison of the operands cast to f32 (exact); `ztile.select`: the choice
  between the casts, cast back (exact);
- `ztile.reduce`: the reduction of the input cast to f32, cast back once (f32 accumulation);
- `ztile.dot` with f16/bf16 operands: the dot of their casts to f32 into an f32 accumulator
  (the narrow accumulator cast to f32, the result cast back once);
- `ztile.broadcast`, `ztile.transpose`: moved as f32 (exact both ways); `ztile.splat` of an
  f16/bf16 scalar: the splat of its `arith.extf` to f32, cast back;
- `ztile.cast` between f16 and bf16: through f32 (exact, then one rounding).

What is left on narrow tiles is loads, stores and casts, which `ztile-to-zloop` lowers to
vector loads and stores of `f16`/`bf16` elements and `arith.extf`/`truncf` on the vectors.
Each cast back to a narrow type rounds, so the f32 ops of two consecutive narrow ops never
meet without a rounding between them (no FMA contraction across them). `ztile-to-zloop`
runs this first.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith
from xdsl.dialects.builtin import Float32Type, ModuleOp
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)

from ziggurat.dialects import ztile

F32 = Float32Type()


def _narrow(value: SSAValue) -> bool:
    ty = value.type
    return isinstance(ty, ztile.TileType) and isinstance(ty.element_type, ztile.NARROW_FLOAT_TYPES)


def _element(value: SSAValue) -> Attribute:
    ty = value.type
    assert isinstance(ty, ztile.TileType)
    return ty.element_type


class WidenNarrowTiles(RewritePattern):
    """Rewrite one ztile op on f16/bf16 tiles to its f32 form (see the module docstring)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        new_ops: list[Operation] = []

        def add(new: Operation) -> SSAValue:
            new_ops.append(new)
            return new.results[0]

        def wide(value: SSAValue) -> SSAValue:
            return add(ztile.CastOp(value, F32)) if _narrow(value) else value

        def back(value: SSAValue, elt: Attribute) -> SSAValue:
            return add(ztile.CastOp(value, elt))

        result: SSAValue
        if isinstance(op, ztile.BinaryOp) and _narrow(op.result):
            elt = _element(op.result)
            result = back(add(type(op)(wide(op.lhs), wide(op.rhs))), elt)
        elif isinstance(op, ztile.UnaryOp) and _narrow(op.result):
            elt = _element(op.result)
            result = back(add(type(op)(wide(op.input))), elt)
        elif isinstance(op, ztile.CmpOp) and _narrow(op.lhs):
            result = add(ztile.CmpOp(op.predicate.data, wide(op.lhs), wide(op.rhs)))
        elif isinstance(op, ztile.SelectOp) and _narrow(op.result):
            elt = _element(op.result)
            result = back(add(ztile.SelectOp(op.cond, wide(op.lhs), wide(op.rhs))), elt)
        elif isinstance(op, ztile.ReduceOp) and _narrow(op.input):
            elt = _element(op.result)
            result = back(add(ztile.ReduceOp(op.kind_name, wide(op.input), op.axis_value)), elt)
        elif isinstance(op, ztile.DotOp) and _narrow(op.lhs):
            value = add(ztile.DotOp(wide(op.lhs), wide(op.rhs), wide(op.acc)))
            result = back(value, _element(op.acc)) if _narrow(op.acc) else value
        elif isinstance(op, ztile.BroadcastOp) and _narrow(op.result):
            ty = op.result.type
            assert isinstance(ty, ztile.TileType)
            moved = add(ztile.BroadcastOp(wide(op.input), ztile.TileType(ty.get_shape(), F32)))
            result = back(moved, ty.element_type)
        elif isinstance(op, ztile.TransposeOp) and _narrow(op.result):
            result = back(add(ztile.TransposeOp(wide(op.input), op.perm)), _element(op.result))
        elif isinstance(op, ztile.SplatOp) and _narrow(op.result):
            ty = op.result.type
            assert isinstance(ty, ztile.TileType)
            scalar = add(arith.ExtFOp(op.value, F32))
            splat = add(ztile.SplatOp(scalar, ztile.TileType(ty.get_shape(), F32)))
            result = back(splat, ty.element_type)
        elif isinstance(op, ztile.CastOp) and _narrow(op.input) and _narrow(op.result):
            if _element(op.input) == _element(op.result):
                rewriter.replace_all_uses_with(op.result, op.input)
                rewriter.erase_op(op)
                return
            result = back(wide(op.input), _element(op.result))
        else:
            return
        rewriter.replace(op, new_ops, [result])


def widen_narrow_tiles(module: ModuleOp) -> None:
    """Apply `WidenNarrowTiles` to every op of `module` (each op once: the f32 forms and the
    casts it builds match nothing)."""
    PatternRewriteWalker(
        GreedyRewritePatternApplier([WidenNarrowTiles()]), apply_recursively=False
    ).rewrite_module(module)


@dataclass(frozen=True)
class ZTileWidenPass(ModulePass):
    """Rewrite ztile ops on f16/bf16 tiles to f32 ops between casts (see the module doc)."""

    name = "ztile-widen"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        widen_narrow_tiles(op)


__all__ = ["WidenNarrowTiles", "ZTileWidenPass", "widen_narrow_tiles"]
