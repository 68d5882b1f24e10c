"""Rewriting zloop nests: perfect bands, loop bounds as linear forms, remarks.

The loop transforms (`zloop-tile`, `zloop-interchange`, `zloop-fuse`, `zloop-parallelize`)
share this module. A loop's bound is a list of affine expressions (a maximum for the lower
bound, a minimum for the upper one). Here each expression is a `Linear` form: a constant plus
integer multiples of `index` values (the map's dim and symbol operands). The transforms
rewrite bounds in that form: they substitute induction variables, add terms, append results.
`build_for` turns the forms back into a `zloop.for` with one map over the values they use.
A bound that is not linear in its operands (a `floordiv`, a `mod`, a product of two
operands) has no `Linear` form, and the transforms leave such loops as they are.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from xdsl.dialects import func
from xdsl.dialects.builtin import IndexType, ModuleOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.ir.affine import (
    AffineBinaryOpExpr,
    AffineBinaryOpKind,
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
    AffineMap,
    AffineSymExpr,
)

from ziggurat.dialects import zloop
from ziggurat.passes.polyhedral import NestModel, NotAffine, analyze


@dataclass
class Linear:
    """`const + sum(coeff * value)` over `index` SSA values."""

    const: int = 0
    terms: dict[SSAValue, int] = field(default_factory=dict)

    def plus(self, other: Linear, scale: int = 1) -> Linear:
        terms = dict(self.terms)
        for v, c in other.terms.items():
            terms[v] = terms.get(v, 0) + scale * c
        return Linear(self.const + scale * other.const, {v: c for v, c in terms.items() if c})

    def scaled(self, k: int) -> Linear:
        return Linear(0).plus(self, k)

    def shifted(self, k: int) -> Linear:
        return Linear(self.const + k, dict(self.terms))

    def substitute(self, value: SSAValue, by: Linear) -> Linear:
        """This form with `value` replaced by `by`."""
        if value not in self.terms:
            return self
        c = self.terms[value]
        rest = Linear(self.const, {v: k for v, k in self.terms.items() if v is not value})
        return rest.plus(by, c)

    def uses(self, values: Sequence[SSAValue]) -> bool:
        return any(v in self.terms for v in values)

    @staticmethod
    def of(value: SSAValue) -> Linear:
        return Linear(0, {value: 1})


def linear_results(m: AffineMap, operands: Sequence[SSAValue]) -> list[Linear] | None:
    """The results of `m` applied to `operands` as linear forms (None if one is not linear)."""
    out = []
    for e in m.results:
        form = _linear(e, m.num_dims, operands)
        if form is None:
            return None
        out.append(form)
    return out


def _linear(e: AffineExpr, num_dims: int, operands: Sequence[SSAValue]) -> Linear | None:
    if isinstance(e, AffineConstantExpr):
        return Linear(e.value)
    if isinstance(e, AffineDimExpr):
        return Linear.of(operands[e.position])
    if isinstance(e, AffineSymExpr):
        return Linear.of(operands[num_dims + e.position])
    if not isinstance(e, AffineBinaryOpExpr):
        return None
    lhs = _linear(e.lhs, num_dims, operands)
    rhs = _linear(e.rhs, num_dims, operands)
    if lhs is None or rhs is None:
        return None
    if e.kind == AffineBinaryOpKind.Add:
        return lhs.plus(rhs)
    if e.kind == AffineBinaryOpKind.Mul:
        if not rhs.terms:
            return lhs.scaled(rhs.const)
        if not lhs.terms:
            return rhs.scaled(lhs.const)
    return None


def to_map(forms: Sequence[Linear]) -> tuple[list[SSAValue], AffineMap]:
    """One affine map (all operands as symbols, so that a bound that is one value prints as
    that value) and its operands, computing `forms`."""
    values: list[SSAValue] = []
    for f in forms:
        for v in f.terms:
            if v not in values:
                values.append(v)
    results = []
    for f in forms:
        e: AffineExpr | None = None
        for v, c in f.terms.items():
            term = AffineExpr.symbol(values.index(v))
            term = term if c == 1 else term * c
            e = term if e is None else e + term
        if e is None:
            e = AffineExpr.constant(f.const)
        elif f.const:
            e = e + f.const
        results.append(e)
    return values, AffineMap(0, len(values), tuple(results))


@dataclass
class Bounds:
    """A loop dimension's bounds as linear forms: max of `lower`, min of `upper`, `step`."""

    lower: list[Linear]
    upper: list[Linear]
    step: int

    def substitute(self, value: SSAValue, by: Linear) -> Bounds:
        return Bounds(
            [f.substitute(value, by) for f in self.lower],
            [f.substitute(value, by) for f in self.upper],
            self.step,
        )

    def uses(self, values: Sequence[SSAValue]) -> bool:
        return any(f.uses(values) for f in [*self.lower, *self.upper])


def bounds_of(loop: zloop.ForOp) -> Bounds | None:
    """The bounds of `loop` as linear forms (None when one is not linear)."""
    lower = linear_results(loop.lowerBoundMap.data, tuple(loop.lowerBoundOperands))
    upper = linear_results(loop.upperBoundMap.data, tuple(loop.upperBoundOperands))
    if lower is None or upper is None:
        return None
    return Bounds(lower, upper, loop.step_value)


def build_for(bounds: Bounds, body: Block | None = None) -> zloop.ForOp:
    """A `zloop.for` with `bounds` (a new empty body block unless `body` is given)."""
    lb_operands, lb_map = to_map(bounds.lower)
    ub_operands, ub_map = to_map(bounds.upper)
    return zloop.ForOp(
        lb_operands,
        lb_map,
        ub_operands,
        ub_map,
        bounds.step,
        body=body if body is not None else Block(arg_types=[IndexType()]),
    )


def perfect_band(loop: zloop.ForOp, depth: int) -> list[zloop.ForOp]:
    """`loop` and the loops perfectly nested in it (each body holds only the next loop and
    its terminator), outermost first, at most `depth` of them."""
    band = [loop]
    while len(band) < depth:
        ops = [op for op in band[-1].body.block.ops if not isinstance(op, zloop.YieldOp)]
        if len(ops) != 1 or not isinstance(ops[0], zloop.ForOp):
            break
        band.append(ops[0])
    return band


class Refused(Exception):
    """Why a transform leaves a nest as it is (the text of its remark)."""


def rectangular_band(
    loop: zloop.ForOp, depth: int, wanted: str
) -> tuple[list[zloop.ForOp], NestModel]:
    """The perfect band of `depth` loops at `loop` and the polyhedral model of its nest.
    Raises `Refused` when the band is shorter (`wanted` says what asked for `depth`, e.g.
    "2 tile sizes"), when a band loop carries iter_args or has a bound that is not linear
    or depends on another band loop, or when the model cannot describe the nest."""
    band = perfect_band(loop, depth)
    if len(band) < depth:
        raise Refused(
            f"{wanted} but the nest has only {len(band)} perfectly nested "
            f"loop{'s' if len(band) != 1 else ''}"
        )
    ivs = [lp.induction_var for lp in band]
    for k, lp in enumerate(band):
        if lp.inits:
            raise Refused(f"band loop {k} carries values between iterations (iter_args)")
        b = bounds_of(lp)
        if b is None:
            raise Refused(f"band loop {k} has a bound that is not linear in its operands")
        if b.uses(ivs):
            raise Refused(
                f"band loop {k} has bounds that depend on an outer band loop (not a "
                "rectangular band)"
            )
    try:
        model = analyze(loop)
    except NotAffine as exc:
        raise Refused(f"the polyhedral model cannot describe it: {exc}") from None
    return band, model


def outermost_loops(module: ModuleOp) -> list[zloop.ForOp]:
    """The `zloop.for` loops not inside another zloop loop, in program order."""
    return [op for op in module.walk() if isinstance(op, zloop.ForOp) and not inside_loop(op)]


def inside_loop(op: Operation) -> bool:
    """Whether `op` is inside a `zloop.for` or `zloop.parallel`."""
    parent = op.parent_op()
    while parent is not None:
        if isinstance(parent, zloop.ForOp | zloop.ParallelOp):
            return True
        parent = parent.parent_op()
    return False


def function_name(op: Operation) -> str:
    """The name of the function `op` is in ("?" outside one)."""
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, func.FuncOp):
        parent = parent.parent_op()
    return parent.sym_name.data if isinstance(parent, func.FuncOp) else "?"


def remark(pass_name: str, at: Operation, message: str) -> None:
    """Print `remark: PASS: @function: MESSAGE` on stderr."""
    print(f"remark: {pass_name}: @{function_name(at)}: {message}", file=sys.stderr)


def body_ops(loop: zloop.ForOp) -> Iterator[Operation]:
    """The ops of `loop`'s body, without its terminator."""
    return (op for op in loop.body.block.ops if not isinstance(op, zloop.YieldOp))


def move_body(source: Block, target: Block, replacements: dict[SSAValue, SSAValue]) -> None:
    """Move the ops of `source` (its terminator included) to the end of `target`, with the
    uses of the keys of `replacements` (block arguments of `source`) replaced by the values."""
    for old, new in replacements.items():
        old.replace_all_uses_with(new)
    for op in list(source.ops):
        op.detach()
        target.add_op(op)


__all__ = [
    "Bounds",
    "Linear",
    "Refused",
    "body_ops",
    "bounds_of",
    "build_for",
    "function_name",
    "inside_loop",
    "linear_results",
    "move_body",
    "outermost_loops",
    "perfect_band",
    "rectangular_band",
    "remark",
    "to_map",
]
