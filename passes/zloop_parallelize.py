"""`zloop-parallelize{remarks=false}`: outermost `zloop.for` loops without loop-carried
dependences become `zloop.parallel`.

For each `zloop.for` that is not inside another zloop loop, the polyhedral model of its nest
(`ziggurat.passes.polyhedral`, islpy) decides: when no dependence is carried by the loop (and
it carries no values between iterations), its iterations are independent and it is replaced
by a one-dimensional `zloop.parallel` with the same bounds, step and body, which compiled code
may run on several threads. Otherwise the loop is left as it is; with `remarks=true` a remark
on stderr says which dependence (or which op the model cannot describe) keeps it sequential.
Loops inside a kept loop are not parallelized (a parallel loop per outer iteration would
start threads that often).

Assumes the memref arguments of a function do not alias one another (the runtime rejects
calls whose output buffers overlap).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter

from ziggurat.dialects import zloop
from ziggurat.passes.polyhedral import NotAffine, analyze
from ziggurat.passes.zloop_nest import outermost_loops, remark


def _why_sequential(loop: zloop.ForOp) -> str:
    """Why `loop` must stay sequential ("" when it may run in parallel)."""
    if loop.inits:
        return "it carries values between iterations (iter_args)"
    try:
        model = analyze(loop)
    except NotAffine as exc:
        return f"the polyhedral model cannot describe it: {exc}"
    if model.is_parallel(loop):
        return ""
    dep = next(
        d for d in model.dependences if d.common and d.common[0].op is loop and d.carried_by(0)
    )
    return f"it carries a {dep.describe()}"


@dataclass(frozen=True)
class ZLoopParallelizePass(ModulePass):
    """Replace dependence-free outermost `zloop.for` loops by `zloop.parallel`."""

    name = "zloop-parallelize"

    remarks: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for loop in outermost_loops(op):
            why = _why_sequential(loop)
            if why:
                if self.remarks:
                    remark(self.name, loop, f"loop kept sequential: {why}")
                continue
            body = loop.body.detach_block(0)
            parallel = zloop.ParallelOp(
                [tuple(loop.lowerBoundOperands)],
                [loop.lowerBoundMap],
                [tuple(loop.upperBoundOperands)],
                [loop.upperBoundMap],
                [loop.step_value],
                body,
            )
            Rewriter.replace_op(loop, parallel)
