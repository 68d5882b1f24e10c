"""`zloop-fuse{remarks=false}`: fuse a producer loop nest into the consumer that follows it.

Two adjacent `zloop.for` loops in the same block, with the same bounds and step, where the
first (the producer) writes a memref that the second (the consumer) reads, become one loop.
Its body is the producer's body followed by the consumer's. The pass then fuses the loops
inside the new body the same way, level by level: a transpose nest followed by an add nest
becomes one nest, so every element is consumed right after it is produced.

Legality comes from the polyhedral model (`ziggurat.passes.polyhedral`, islpy). Before
fusion, every producer iteration ran before every consumer iteration. After it, consumer
iteration `i` runs before producer iteration `i' > i`. The pass builds the fused nest on a
copy and analyzes it. The fusion is legal when no dependence goes from a consumer access to a
producer access within one iteration of the loops that enclose both. For example, a consumer
that reads `t[i + 1]`, which the producer writes one iteration later, forbids fusion. Illegal
fusions, loops with iter_args, different bounds and nests the model cannot describe are left
as they are (`remarks=true` says why).
Assumes the memref arguments of a function do not alias one another.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter

from ziggurat.dialects import zloop
from ziggurat.passes.polyhedral import NotAffine, access_of, analyze
from ziggurat.passes.zloop_nest import Bounds, Refused, bounds_of, inside_loop, remark


def _same(a: Bounds, b: Bounds) -> bool:
    return a.step == b.step and all(
        len(x) == len(y)
        and all(f.const == g.const and f.terms == g.terms for f, g in zip(x, y, strict=True))
        for x, y in ((a.lower, b.lower), (a.upper, b.upper))
    )


def _memrefs(loop: Operation, writes: bool) -> set[SSAValue]:
    found = set()
    for op in loop.walk():
        access = access_of(op)
        if access is not None and access[3] == writes:
            found.add(access[0])
    return found


def fuse_in_place(first: zloop.ForOp, second: zloop.ForOp) -> None:
    """Append `second`'s body to `first`'s (its induction variable replaced) and erase it."""
    second.induction_var.replace_all_uses_with(first.induction_var)
    yield_op = first.body.block.last_op
    assert isinstance(yield_op, zloop.YieldOp)
    for op in list(second.body.block.ops):
        if isinstance(op, zloop.YieldOp):
            continue
        op.detach()
        first.body.block.insert_op_before(op, yield_op)
    if second.parent is not None:
        second.detach()
    second.erase()


def check_pair(first: zloop.ForOp, second: zloop.ForOp) -> None:
    """Raises `Refused` when `first` and `second` are not a fusable producer and consumer
    (legality is checked separately, on the fused copy)."""
    if first.inits or second.inits:
        raise Refused("a loop carries values between iterations (iter_args)")
    fb, sb = bounds_of(first), bounds_of(second)
    if fb is None or sb is None:
        raise Refused("a loop has a bound that is not linear in its operands")
    if not _same(fb, sb):
        raise Refused("the loops have different bounds or steps")
    if not _memrefs(first, writes=True) & _memrefs(second, writes=False):
        raise Refused("the second loop reads nothing the first one writes")


def _legal(root: zloop.ForOp, fused: zloop.ForOp, consumer_ops: set[Operation]) -> str:
    """Why the fused nest `root` (containing `fused`) is illegal ("" when it is legal)."""
    try:
        model = analyze(root)
    except NotAffine as exc:
        return f"the polyhedral model cannot describe it: {exc}"
    fused_ops = set(fused.walk())
    for dep in model.dependences:
        src, tgt = dep.source.op, dep.target.op
        if src not in consumer_ops or tgt in consumer_ops or tgt not in fused_ops:
            continue
        depth = next(k for k, lp in enumerate(dep.common) if lp.op is fused)
        zeros = " and ".join(f"d{m} = 0" for m in range(depth)) or "true"
        if dep.has_distance(zeros):
            return f"fusion would reverse the {dep.describe()}"
    return ""


def _try_fuse(root: zloop.ForOp | None, first: zloop.ForOp, second: zloop.ForOp) -> zloop.ForOp:
    """Fuse `second` into `first` on a copy of their nest (`root`, None at the top level);
    returns the new nest (raises `Refused` when the fusion is illegal)."""
    check_pair(first, second)
    values: dict[SSAValue, SSAValue] = {}
    if root is None:
        copy_first, copy_second = first.clone(values), second.clone(values)
        new_root = copy_first
    else:
        new_root = root.clone(values)
        copy_first = _copy_of(first, values)
        copy_second = _copy_of(second, values)
    consumer_ops = set(copy_second.walk()) - {copy_second}
    fuse_in_place(copy_first, copy_second)
    why = _legal(new_root, copy_first, consumer_ops)
    if why:
        new_root.erase()
        raise Refused(why)
    if root is None:
        Rewriter.replace_op(first, copy_first, new_results=[])
        Rewriter.erase_op(second)
    else:
        Rewriter.replace_op(root, new_root, new_results=[])
    return new_root


def _copy_of(loop: zloop.ForOp, values: dict[SSAValue, SSAValue]) -> zloop.ForOp:
    copy = values[loop.induction_var]
    block = copy.owner
    assert isinstance(block, Block)
    op = block.parent_op()
    assert isinstance(op, zloop.ForOp)
    return op


def _loop_pairs(block: Block) -> list[tuple[zloop.ForOp, zloop.ForOp]]:
    ops = list(block.ops)
    return [
        (a, b)
        for a, b in itertools.pairwise(ops)
        if isinstance(a, zloop.ForOp) and isinstance(b, zloop.ForOp)
    ]


@dataclass(frozen=True)
class ZLoopFusePass(ModulePass):
    """Fuse adjacent producer/consumer `zloop.for` nests where the dependences allow it."""

    name = "zloop-fuse"

    remarks: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        blocks = {
            id(loop.parent_block()): loop.parent_block()
            for loop in op.walk()
            if isinstance(loop, zloop.ForOp) and not inside_loop(loop)
        }
        for block in blocks.values():
            assert block is not None
            self._fuse_block(block)

    def _fuse_block(self, block: Block) -> None:
        """Fuse the top-level loops of `block`, then inside each resulting nest."""
        changed = True
        while changed:
            changed = False
            for first, second in _loop_pairs(block):
                try:
                    root = _try_fuse(None, first, second)
                except Refused as why:
                    if self.remarks:
                        remark(self.name, first, f"loops not fused: {why}")
                    continue
                self._fuse_inside(root)
                changed = True
                break

    def _fuse_inside(self, root: zloop.ForOp) -> None:
        """Fuse adjacent loops at every level inside `root` (replacing it as it goes)."""
        refused: set[tuple[int, int]] = set()
        while True:
            index = {id(o): k for k, o in enumerate(root.walk())}
            todo = [
                (a, b)
                for inner in root.walk()
                if isinstance(inner, zloop.ForOp)
                for a, b in _loop_pairs(inner.body.block)
                if (index[id(a)], index[id(b)]) not in refused
            ]
            if not todo:
                return
            first, second = todo[0]
            try:
                root = _try_fuse(root, first, second)
            except Refused as why:
                refused.add((index[id(first)], index[id(second)]))
                if self.remarks:
                    remark(self.name, first, f"inner loops not fused: {why}")
                continue
            refused = set()
