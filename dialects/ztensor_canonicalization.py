"""Canonicalization patterns of `ztensor`, attached to ops through their canonicalization trait.

xDSL's `canonicalize` pass (`ziggurat-opt -p canonicalize`) applies them together with the
upstream dialects' patterns.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern
from xdsl.traits import HasCanonicalizationPatternsTrait

from ziggurat.dialects import ztensor as zt
from ziggurat.dialects.optable import ELEMENTWISE

FOLD_ELEMENT_LIMIT = 64
"""Ops whose operands are all constants are folded when the result has at most this many elements."""


def _splat_value(value: SSAValue) -> float | None:
    """The scalar of a splat `ztensor.constant` (sign of zero kept), or None.

    Compares the raw element bytes (`ztensor.splat_scalar`), so it never unpacks the elements
    into Python floats and tells -0.0 from +0.0; a compact splat is read in O(1).
    """
    op = value.owner
    if not isinstance(op, zt.ConstantOp):
        return None
    return zt.splat_scalar(op.value)


def _is(value: float | None, expected: float) -> bool:
    """`value` is exactly `expected`, telling -0.0 from +0.0."""
    return (
        value is not None
        and value == expected
        and bool(np.signbit(value)) == bool(np.signbit(expected))
    )


def _replace_with(rewriter: PatternRewriter, op: Operation, value: SSAValue) -> bool:
    """Replace `op` by `value` when the types agree (broadcasting may change shapes)."""
    if value.type != op.results[0].type:
        return False
    rewriter.replace(op, [], [value])
    return True


class FoldTransposeTranspose(RewritePattern):
    # transpose(transpose(x, p), q) -> transpose(x, p∘q); identity -> x
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: zt.TransposeOp, rewriter: PatternRewriter) -> None:
        inner = op.input.owner
        if not isinstance(inner, zt.TransposeOp):
            return
        p, q = inner.perm, op.perm
        composed = [p[i] for i in q]
        if composed == list(range(len(composed))):
            rewriter.replace(op, [], [inner.input])
        else:
            rewriter.replace(op, zt.TransposeOp(inner.input, composed))


class FoldIdentityTranspose(RewritePattern):
    # transpose(x, identity) -> x
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: zt.TransposeOp, rewriter: PatternRewriter) -> None:
        if list(op.perm) == list(range(len(op.perm))):
            rewriter.replace(op, [], [op.input])


class FoldIdentityShapeOp(RewritePattern):
    # reshape(x : T -> T) -> x ; broadcast_to(x : T -> T) -> x ; cast(x : T -> T) -> x
    @op_type_rewrite_pattern
    def match_and_rewrite(
        self, op: zt.ReshapeOp | zt.BroadcastToOp | zt.CastOp, rewriter: PatternRewriter
    ) -> None:
        if op.input.type == op.result.type:
            rewriter.replace(op, [], [op.input])


class FoldReshapeReshape(RewritePattern):
    # reshape(reshape(x)) -> reshape(x)
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: zt.ReshapeOp, rewriter: PatternRewriter) -> None:
        inner = op.input.owner
        if isinstance(inner, zt.ReshapeOp):
            rewriter.replace(op, zt.ReshapeOp(inner.input, op.result.type))


class FoldBinaryIdentity(RewritePattern):
    # IEEE-exact identities only (the sign of zero matters: -0.0 + 0.0 is +0.0), from the op
    # table's `identity` and `commutative`:
    # x + -0.0 -> x ; -0.0 + x -> x ; x - 0.0 -> x ; x * 1 -> x ; 1 * x -> x ; x / 1 -> x ;
    # x ** 1 -> x (only when the splat does not broadcast x to a larger shape).
    # `x + 0.0 -> x` is not exact (it keeps -0.0) and is not applied.
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: zt.BinaryOp, rewriter: PatternRewriter) -> None:
        row = ELEMENTWISE[op.name.split(".")[1]]
        if row.identity is None:
            return
        if _is(_splat_value(op.rhs), row.identity) and _replace_with(rewriter, op, op.lhs):
            return
        if row.commutative and _is(_splat_value(op.lhs), row.identity):
            _replace_with(rewriter, op, op.rhs)


class FoldSmallConstants(RewritePattern):
    # op(constant, ..., constant) -> constant, evaluated with the reference semantics;
    # op(splat, ..., splat) -> splat for elementwise and shape ops, whatever the size
    # (evaluated once on the scalars, never on the elements).
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if (
            isinstance(op, zt.ConstantOp | zt.FusedOp | zt.YieldOp)
            or op.dialect_name() != "ztensor"
        ):
            return
        if not op.operands or not all(isinstance(v.owner, zt.ConstantOp) for v in op.operands):
            return
        ty = op.results[0].type
        assert isinstance(ty, TensorType)
        if not isinstance(ty.element_type, zt.FLOAT_TYPES):
            return  # constants hold floats: a comparison is not folded into one
        from ziggurat.dialects.ztensor_semantics import (
            SPLAT_PRESERVING,
            constant_value,
            dense_attr,
            evaluate,
            evaluate_splat,
            numpy_dtype,
        )

        if isinstance(op, SPLAT_PRESERVING) and ty.element_count() > 0:
            scalars = [_splat_value(v) for v in op.operands]
            if all(s is not None for s in scalars):
                args0 = [
                    np.asarray(s, dtype=numpy_dtype(v.type.element_type))  # type: ignore[attr-defined]
                    for s, v in zip(scalars, op.operands, strict=True)
                ]
                value = evaluate_splat(op, args0)
                if value is not None:
                    rewriter.replace(op, zt.ConstantOp(zt.splat_attr(ty, float(value))))
                return
        if ty.element_count() > FOLD_ELEMENT_LIMIT:
            return
        args = [constant_value(v.owner) for v in op.operands]  # type: ignore[arg-type]
        (result,) = evaluate(op, args)
        # Folded in the result's type, so an overflow is inf as at run time.
        rewriter.replace(op, zt.ConstantOp(dense_attr(result, ty)))


_PATTERNS: dict[str, tuple[RewritePattern, ...]] = {
    "TransposeOp": (FoldIdentityTranspose(), FoldTransposeTranspose(), FoldSmallConstants()),
    "ReshapeOp": (FoldIdentityShapeOp(), FoldReshapeReshape(), FoldSmallConstants()),
    "BroadcastToOp": (FoldIdentityShapeOp(), FoldSmallConstants()),
    "CastOp": (FoldIdentityShapeOp(), FoldSmallConstants()),
    "Binary": (FoldBinaryIdentity(), FoldSmallConstants()),
    "Unary": (FoldSmallConstants(),),
    "Reduce": (FoldSmallConstants(),),
    "MatmulOp": (FoldSmallConstants(),),
}


def canonicalization_trait(op_class: str) -> HasCanonicalizationPatternsTrait:
    """The canonicalization trait carrying the patterns registered for `op_class`."""
    patterns = _PATTERNS[op_class]

    class _Trait(HasCanonicalizationPatternsTrait):
        @classmethod
        def get_canonicalization_patterns(cls) -> tuple[RewritePattern, ...]:
            return patterns

    _Trait.__name__ = f"{op_class}Canonicalization"
    return _Trait()
