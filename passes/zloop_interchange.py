"""`zloop-interchange{order=1,0 remarks=false}`: permute the loops of a perfect band.

For each outermost `zloop.for`, the band is it and the loops perfectly nested in it, one per
entry of `order`. Loop `order[k]` of the band becomes the `k`-th loop of the new band (so
`order=1,0` swaps the two outermost loops, and `order=2,0,1` makes the third loop outermost).
The bounds, steps and body stay the same.

Legality comes from the polyhedral model (`ziggurat.passes.polyhedral`, islpy). An
interchange executes the band's iterations in the lexicographic order of the permuted
induction variables. It is legal when every dependence keeps its source before its
target, that is when no distance vector becomes lexicographically negative once its band
components are permuted. For the (1, -1) dependence of a Gauss-Seidel stencil, swapping `i`
and `j` gives (-1, 1), which is illegal. The nest is then left unchanged, and `remarks=true`
says which dependence forbids the interchange. Bands whose bounds depend on an outer band
loop (triangular nests), band loops with iter_args, and nests the model cannot describe are
also left unchanged, with a remark.
Assumes the memref arguments of a function do not alias one another.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import IndexType, ModuleOp
from xdsl.ir import Block, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter

from ziggurat.dialects import zloop
from ziggurat.errors import PassOptionError
from ziggurat.passes.polyhedral import Dependence
from ziggurat.passes.zloop_nest import (
    Refused,
    bounds_of,
    build_for,
    move_body,
    outermost_loops,
    rectangular_band,
    remark,
)


def reverses(dep: Dependence, band: list[zloop.ForOp], order: tuple[int, ...]) -> bool:
    """Whether permuting the band's loops by `order` makes some distance of `dep`
    lexicographically negative (its target would run before its source)."""
    levels = [lvl for lvl, lp in enumerate(dep.common) if lp.op in band]
    if len(levels) < len(band):
        return False
    zeros = [f"d{m} = 0" for m in range(levels[0])]
    permuted = [f"d{levels[k]}" for k in order]
    cases = []
    for m, d in enumerate(permuted):
        cases.append(" and ".join([*zeros, *(f"{p} = 0" for p in permuted[:m]), f"{d} < 0"]))
    return dep.has_distance(" or ".join(f"({c})" for c in cases))


def check_band(loop: zloop.ForOp, order: tuple[int, ...]) -> list[zloop.ForOp]:
    """The band of `loop` to permute (raises `Refused` saying why not)."""
    band, model = rectangular_band(loop, len(order), f"order has {len(order)} loops")
    for dep in model.dependences:
        if reverses(dep, band, order):
            raise Refused(f"the interchange would reverse the {dep.describe()}")
    return band


def interchange_band(band: list[zloop.ForOp], order: tuple[int, ...]) -> None:
    """Replace the perfect, rectangular `band` by its loops in `order`."""
    loops: list[zloop.ForOp] = []
    replacements: dict[SSAValue, SSAValue] = {}
    for k in order:
        old = band[k]
        bounds = bounds_of(old)
        assert bounds is not None
        new = build_for(bounds, Block(arg_types=[IndexType()]))
        new.induction_var.name_hint = old.induction_var.name_hint
        replacements[old.induction_var] = new.induction_var
        if loops:
            loops[-1].body.block.add_ops([new, zloop.YieldOp()])
        loops.append(new)
    move_body(band[-1].body.block, loops[-1].body.block, replacements)
    Rewriter.replace_op(band[0], loops[0], new_results=[])


@dataclass(frozen=True)
class ZLoopInterchangePass(ModulePass):
    """Permute the perfect band of every outermost `zloop.for` where the dependences allow it."""

    name = "zloop-interchange"

    order: tuple[int, ...] = ()
    remarks: bool = False

    def validate(self) -> None:
        if sorted(self.order) != list(range(len(self.order))) or len(self.order) < 2:
            raise PassOptionError(
                self.name,
                "order",
                f"must be a permutation of 0..n-1 with n >= 2 (e.g. order=1,0), got {self.order}",
            )

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        self.validate()
        for loop in outermost_loops(op):
            try:
                band = check_band(loop, self.order)
            except Refused as why:
                if self.remarks:
                    remark(self.name, loop, f"nest not interchanged: {why}")
                continue
            interchange_band(band, self.order)
