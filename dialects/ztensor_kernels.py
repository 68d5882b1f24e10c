"""Kernel legality: which ztensor ops one program (one `ztile.grid`) computes together.

A *kernel* is a group of ztensor ops whose intermediate values never leave the program's
tiles; `ztensor-to-ztile` computes each kernel with one `ztile.grid` (a copy — `reshape`,
`cast`, a non-splat `constant`, a transpose of rank above 3 — is a kernel of one op computed by
scalar loops). This module is the one place that decides what a kernel may hold, and every
client asks it:

- `ztensor-to-ztile` lowers each `ztensor.fused` op as the kernel `body_kernel` finds (no
  re-planning across it) and groups the other ztensor ops of a block with `Planner`;
- the `ztensor.fused` verifier rejects a body that is not one kernel, naming the op and the
  rule (`body_kernel` raises `KernelError`);
- `eqsat` builds kernel terms only where the `*_term_ok` functions allow them, and groups the
  program it rebuilds into kernels with `Planner`, each one `ztensor.fused` op (`outline`).

A kernel grows from its *root* (the op computing its result) towards the ops producing the
root's operands:

- a producer joins when every use of its value is inside the group;
- elementwise ops (`ELEMENTWISE_TYPES`: binary ops with numpy broadcasting, unary ops,
  `broadcast_to`, `transpose`, and `cast` between f16, bf16, f32 and f64, the float types of
  tiles)
  join; splat constants are never members: members read them as splat tiles;
- a cast is cheap to compute again and its operand is half (or twice) its size, so a cast
  with several users is *rematerialized* first (`Planner.plan`): every user that can take it
  as a member (an elementwise op, a reduction that takes a prologue) gets a copy of its own.
  torch's LayerNorm reads `x.to(f64)` twice; each reduction then reads `x` itself instead of
  an f64 copy of it written to memory;
- one `matmul` whose result has the root's shape may join a group whose root is elementwise:
  it is the kernel's core (its operands are read from memory, never computed in the kernel),
  the rest of the group its epilogue;
- `reduce_*`, `softmax` and `layernorm` (`REDUCTION_TYPES`) are only roots; elementwise
  producers join them as a prologue when the operand has rank 1 to 3 and no chunk along a
  reduced axis is padded under the tile sizes (padded elements would flow through the
  prologue): `prologue_problem`;
- `reshape`, casts to or from other float types, non-splat constants, a second matmul and
  transposes of rank above 3 never join (`is_copy`); a matmul, `reshape`, such a cast,
  non-splat constant or a transpose of rank above 3 as root is a kernel of its own;
- a kernel iterates over a *view* of its root's shape (`View`): ranks 1 to 3 are their own
  view, rank 0 is `1`, higher ranks group the leading dims (`elementwise_view`), a matmul
  kernel groups batch and M (`matmul_view`). A value whose broadcast dims mix with full dims
  inside one view dim cannot be computed in tiles, and a transpose joins only a natural view
  (rank 1 to 3) without a matmul;
- a group holds at most `MAX_FUSED_OPS` ops.

Assumes static shapes (what the ztensor verifiers check). Besides the analysis, `inline_fused`
and `outline` turn a `ztensor.fused` op into the ops of its kernel and back.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from xdsl.dialects.builtin import (
    BFloat16Type,
    Float16Type,
    Float32Type,
    Float64Type,
    MemRefType,
    StringAttr,
    TensorType,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.dialects import ztensor as zt
from ziggurat.dialects.tiling import DefaultTileSizes, TileSizeChooser

Shape = tuple[int, ...]
Groups = tuple[tuple[int, ...], ...]

MAX_TILE_RANK = 3
"""ztile tiles have rank 1 to 3 (and the rank of the memref they are loaded from)."""

MAX_FUSED_OPS = 256
"""The most ztensor ops one kernel computes. Fusion stops growing a group at this size and
the producers left out start kernels of their own (their results pass through a buffer):
LLVM's code generation is superlinear in the size of a loop body (a 2,000-op body takes
about 10x the time of 500 ops of it), so a 10,000-op chain compiles as about 40 kernels
in linear time instead of one body that takes minutes."""

ELEMENTWISE_TYPES: tuple[type[Operation], ...] = (
    *zt.ELEMENTWISE_OPS.values(),
    zt.BroadcastToOp,
    zt.TransposeOp,
    zt.CastOp,
)
"""Ops computed tile by tile: they join any kernel whose view fits them (except the copies
among them, `is_copy`)."""
TILE_FLOAT_TYPES: tuple[type[Attribute], ...] = (
    Float16Type,
    BFloat16Type,
    Float32Type,
    Float64Type,
)
"""The float element types of ztile tiles (what a cast computed in tiles converts between)."""
NORMALIZE_TYPES: tuple[type[Operation], ...] = (zt.SoftmaxOp, zt.LayerNormOp)
REDUCTION_TYPES: tuple[type[Operation], ...] = (zt.ReduceOp, *NORMALIZE_TYPES)
"""Ops that reduce axes inside their program: only ever a kernel's root."""


def tensor_shape(v: SSAValue) -> Shape:
    ty = v.type
    assert isinstance(ty, TensorType | MemRefType)
    return tuple(ty.get_shape())


def splat_value(op: Operation) -> float | None:
    """The value of a splat `ztensor.constant` (every element equal bit for bit, so -0.0 and
    +0.0 differ), else None; O(1) for the compact splats the parser and folders build."""
    if not isinstance(op, zt.ConstantOp):
        return None
    return zt.splat_scalar(op.value)


# ---------------------------------------------------------------------------------------------
# Views: how a kernel's iteration space groups the dims of its logical tensor shape
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """A kernel's iteration space: view dim k covers the logical dims `groups[k]` (row-major
    collapsed). `shape` is the logical shape (numpy broadcasting right-aligns operands)."""

    shape: Shape
    groups: Groups

    @property
    def dims(self) -> Shape:
        return tuple(math.prod(self.shape[d] for d in g) for g in self.groups)

    @property
    def natural(self) -> bool:
        return self.groups == tuple((d,) for d in range(len(self.shape)))

    def padded(self, shape: Shape) -> Shape:
        return (1,) * (len(self.shape) - len(shape)) + tuple(shape)

    def pattern(self, shape: Shape) -> tuple[int, ...] | None:
        """The view shape of a value of `shape` (broadcast to `self.shape`): 1 along view dims
        it is broadcast on; None when a view dim mixes broadcast and full logical dims."""
        p = self.padded(shape)
        if self.natural:
            return p
        out: list[int] = []
        for g, n in zip(self.groups, self.dims, strict=True):
            if all(p[d] == 1 for d in g):
                out.append(1)
            elif all(p[d] == self.shape[d] for d in g):
                out.append(n)
            else:
                return None
        return tuple(out)

    def leaf_shape(self, shape: Shape) -> Shape:
        """The view shape a leaf buffer of `shape` is given (mixed dims are materialized)."""
        p = self.padded(shape)
        if self.natural:
            return p
        return tuple(
            1 if all(p[d] == 1 for d in g) else n
            for g, n in zip(self.groups, self.dims, strict=True)
        )


def elementwise_view(shape: Shape) -> View:
    """The view of an elementwise kernel with result `shape`: itself for ranks 1 to 3, `1`
    for rank 0, (leading dims collapsed, d[-2], d[-1]) above rank 3."""
    rank = len(shape)
    if rank == 0:
        return View(shape, ((),))
    if rank <= MAX_TILE_RANK:
        return View(shape, tuple((d,) for d in range(rank)))
    return View(shape, (tuple(range(rank - 2)), (rank - 2,), (rank - 1,)))


def matmul_view(shape: Shape) -> View:
    """The view of a matmul kernel with result `shape`: (batch dims and M) x N."""
    nb = max(0, len(shape) - 2)
    return View(shape, (tuple(range(nb + 1)), (nb + 1,)))


def reduction_axes(op: Operation) -> tuple[int, ...]:
    """The axes a `REDUCTION_TYPES` op reduces (softmax and layernorm: their one axis)."""
    if isinstance(op, zt.ReduceOp):
        return op.reduced_axes
    assert isinstance(op, zt.SoftmaxOp | zt.LayerNormOp)
    return (op.normalized_axis,)


def reduction_view(
    shape: Shape, axes: Sequence[int], chooser: TileSizeChooser
) -> tuple[View, tuple[int, ...], Shape] | None:
    """(view, reduced view axes, tile) of a program reducing `axes` of an operand of `shape`,
    or None when it reduces nothing (an identity). Ranks 1 to 3 are their own view; higher
    ranks are viewed as (kept dims, reduced dims)."""
    if not axes:
        return None
    if len(shape) <= MAX_TILE_RANK:
        view = View(shape, tuple((d,) for d in range(len(shape))))
        vaxes = tuple(axes)
    else:
        kept = tuple(d for d in range(len(shape)) if d not in axes)
        view = View(shape, (kept, tuple(axes)))
        vaxes = (1,)
    tile = chooser.reduction(view.dims, vaxes)
    return view, vaxes, tile


def prologue_problem(
    shape: Shape, axes: Sequence[int], chooser: TileSizeChooser | None = None
) -> str | None:
    """Why no elementwise prologue fuses into a program reducing `axes` of an operand of
    `shape` (None when one does): the operand must have rank 1 to 3, and no chunk along a
    reduced axis may be padded under `chooser`'s tile sizes (the default ones if None)."""
    if not axes:
        return "it reduces no axis"
    if not 1 <= len(shape) <= MAX_TILE_RANK:
        return f"its operand has rank {len(shape)}, and prologues fuse only at ranks 1 to 3"
    if any(shape[a] == 0 for a in axes):
        return None  # nothing is reduced, so nothing is padded
    setup = reduction_view(shape, axes, chooser or DefaultTileSizes())
    assert setup is not None
    view, vaxes, tile = setup
    for a in vaxes:
        if view.dims[a] % tile[a]:
            return (
                f"axis {a} ({view.dims[a]} elements) is reduced in chunks of {tile[a]}, "
                "the last one padded"
            )
    return None


# ---------------------------------------------------------------------------------------------
# What eqsat's kernel terms may be (one e-node at a time, before a body is chosen)
# ---------------------------------------------------------------------------------------------


def elementwise_term_ok(shape: Shape) -> bool:
    """Whether an elementwise kernel term with result `shape` is a kernel for every body the
    extractor may choose: its view is natural (rank 1 to 3), which fits every operand."""
    return 1 <= len(shape) <= MAX_TILE_RANK


def matmul_term_ok(shape: Shape) -> bool:
    """Whether a matmul kernel's core with result `shape` fits every epilogue: a 2-D matmul
    (a batched one's view groups batch and M, which a broadcast operand may mix)."""
    return len(shape) == 2


def epilogue_term_ok(core: Shape, shape: Shape) -> bool:
    """Whether an epilogue op with result `shape` on a matmul core of shape `core` stays in
    the kernel: it keeps the matmul's shape (its other operands broadcast into it)."""
    return core == shape


def prologue_term_ok(shape: Shape, axes: Sequence[int]) -> bool:
    """Whether a reduction term over `axes` of an operand of `shape` may take an elementwise
    prologue under the default tile sizes (`prologue_problem`)."""
    return prologue_problem(shape, axes) is None


# ---------------------------------------------------------------------------------------------
# Kernels of a block
# ---------------------------------------------------------------------------------------------


@dataclass
class Group:
    """Ops computed by one kernel: `root` produces the kernel's result; `members` (root
    included) are the ops whose values stay in tiles."""

    root: Operation
    members: set[Operation] = field(default_factory=set)
    matmul: zt.MatmulOp | None = None
    order: list[Operation] = field(default_factory=list)
    """The members, every op before the ops that produce its operands (filled by the
    planner; erasing in this order never erases a value that is still used)."""
    rejected: dict[Operation, str] = field(default_factory=dict)
    """Producers that were considered and could not join, with the rule that kept them out."""
    no_prologue: str | None = None
    """Why nothing joins a reduction root (`prologue_problem`), if that is the case."""
    full: bool = False
    """Whether growth stopped at `MAX_FUSED_OPS` members."""

    @property
    def has_transpose(self) -> bool:
        return any(isinstance(m, zt.TransposeOp) for m in self.members)

    @property
    def kind(self) -> str:
        """The `kind` of a `ztensor.fused` op computing this kernel: `matmul_epilogue`,
        `reduction`, `elementwise`, or `generic` (a copy)."""
        if self.matmul is not None:
            return "matmul_epilogue"
        if isinstance(self.root, REDUCTION_TYPES):
            return "reduction"
        if isinstance(self.root, ELEMENTWISE_TYPES) and not is_copy(self.root):
            return "elementwise"
        return "generic"

    def topological(self) -> list[Operation]:
        """The members, every op before the ops that use its value (a deterministic order;
        a set's order changes from run to run)."""
        if self.members == {self.root}:
            return [self.root]
        if len(self.order) == len(self.members) and set(self.order) == self.members:
            return self.order[::-1]
        block = self.root.parent_block()
        assert block is not None
        return [op for op in block.ops if op in self.members]


def _only_root(op: Operation) -> str:
    """Why `op`, which is not elementwise, cannot join a kernel."""
    if isinstance(op, zt.ConstantOp):
        return "is a non-splat constant, which a kernel reads from memory: make it an operand"
    if isinstance(op, REDUCTION_TYPES):
        return "reduces axes, so it is only ever the root of a kernel"
    if isinstance(op, zt.ReshapeOp):
        return "is a copy, which is a kernel of its own"
    if isinstance(op, zt.CastOp):
        return (
            "is a cast to or from a type that tiles do not hold (f16, bf16, f32 and f64 only), "
            "a copy of its own"
        )
    return "is not elementwise (only elementwise ops and one matmul join a kernel)"


def _use_count(value: SSAValue) -> int:
    return sum(1 for _ in value.uses)


def _shape_text(shape: Shape) -> str:
    return "x".join(str(d) for d in shape) if shape else "scalar"


def is_copy(op: Operation) -> bool:
    """Whether `op` (of `ELEMENTWISE_TYPES`) is computed by scalar copy loops, not tiles: a
    transpose of rank above 3 (its view is not natural, so its tile expression would not be
    a transpose of tiles), or a cast with a side that is not a tile float type (`is_tile_cast`)."""
    if isinstance(op, zt.CastOp):
        return not is_tile_cast(op)
    return isinstance(op, zt.TransposeOp) and len(tensor_shape(op.results[0])) > MAX_TILE_RANK


def is_tile_cast(op: Operation) -> bool:
    """Whether `op` is a `ztensor.cast` between the float types of tiles (f16, bf16, f32, f64)."""
    if not isinstance(op, zt.CastOp):
        return False
    types = (op.input.type, op.result.type)
    return all(
        isinstance(t, TensorType) and isinstance(t.element_type, TILE_FLOAT_TYPES) for t in types
    )


class Planner:
    """Groups the ztensor ops of one block into kernels (see the module docstring), from the
    last op backwards; `chooser` gives the tile sizes (the default ones if None)."""

    def __init__(self, block: Block, chooser: TileSizeChooser | None = None) -> None:
        self.block = block
        self.chooser = chooser or DefaultTileSizes()
        self.assigned: dict[Operation, Group] = {}
        self._splats: dict[Operation, float | None] = {}
        self.clones: dict[Operation, Operation] = {}
        """The casts `plan` added to the block (`rematerialize_casts`), each to its original."""

    def plan(self, given: Sequence[Group] = ()) -> list[Group]:
        """The kernels of the block's ztensor ops, the last one first, after rematerializing
        casts (`rematerialize_casts`). The `given` kernels (those of inlined `ztensor.fused`
        ops) are kept as they are: no other kernel takes their ops, and they take no other
        op."""
        roots = {g.root: g for g in given}
        for g in given:
            for m in g.members:
                self.assigned[m] = g
        self.rematerialize_casts()
        groups: list[Group] = []
        ops = [op for op in self.block.ops if op.dialect_name() == "ztensor"]
        for op in reversed(ops):
            if op in roots:
                groups.append(roots[op])
                continue
            if op in self.assigned or self._splat(op) is not None:
                continue
            groups.append(self.grow(op))
        return groups

    def rematerialize_casts(self) -> None:
        """Give every user of a tile cast with several users that can take the cast as a
        member (`_takes_member`) a copy of it of its own, inserted after the original; the
        original keeps the other users (or the first taker, when all of them take it). No
        user is left reading a cast written to memory that it could compute from the cast's
        operand."""
        for op in list(self.block.ops):
            if not is_tile_cast(op) or op in self.assigned:
                continue
            value = op.results[0]
            users: list[Operation] = []
            for use in value.uses:
                if use.operation not in users:
                    users.append(use.operation)
            takers = [u for u in users if self._takes_member(u)]
            if len(users) < 2 or not takers:
                continue
            for user in takers if len(takers) < len(users) else takers[1:]:
                clone = op.clone()
                self.block.insert_op_after(clone, op)
                for i, x in enumerate(user.operands):
                    if x is value:
                        user.operands[i] = clone.results[0]
                self.clones[clone] = op

    def _takes_member(self, user: Operation) -> bool:
        """Whether `user`, an op of this block no kernel holds yet, can take the producer of
        one of its operands as a member of its kernel: it is elementwise (not a copy), or a
        reduction that takes a prologue."""
        if user.parent is not self.block or user in self.assigned:
            return False
        if isinstance(user, ELEMENTWISE_TYPES):
            return not is_copy(user)
        if isinstance(user, REDUCTION_TYPES):
            shape = tensor_shape(user.operands[0])
            return prologue_problem(shape, reduction_axes(user), self.chooser) is None
        return False

    def grow(self, root: Operation) -> Group:
        """The kernel rooted at `root`, grown towards the producers of its operands."""
        group = Group(root, {root})
        if isinstance(root, zt.MatmulOp):
            group.matmul = root
        self.assigned[root] = group
        if isinstance(root, ELEMENTWISE_TYPES) and not is_copy(root):
            self._absorb(group, allow_matmul=True)
        elif isinstance(root, REDUCTION_TYPES):
            group.no_prologue = prologue_problem(
                tensor_shape(root.operands[0]), reduction_axes(root), self.chooser
            )
            if group.no_prologue is None:
                self._absorb(group, allow_matmul=False)
        group.order = group.order or [root]
        return group

    def _splat(self, op: Operation) -> float | None:
        """`splat_value(op)`, memoized (constants are looked at once per use)."""
        if op not in self._splats:
            self._splats[op] = splat_value(op)
        return self._splats[op]

    def _absorb(self, group: Group, allow_matmul: bool) -> None:
        """Grow `group` from its root towards its producers with a worklist (no recursion,
        linear in the group's size and edges).

        A producer joins when every use of its value is inside the group: each member's
        operands are examined once, counting the uses seen, and the producer is considered
        when the count reaches the value's number of uses (at its last user's turn)."""
        reduction = isinstance(group.root, REDUCTION_TYPES)
        root_shape = tensor_shape(group.root.operands[0] if reduction else group.root.results[0])
        view = elementwise_view(root_shape)
        mview = matmul_view(root_shape)  # used only when a matmul (rank >= 2) is the core

        def fits_mview(op: Operation) -> bool:
            if len(root_shape) < 2:  # no matmul can be the core (its result has rank >= 2)
                return True
            return all(mview.pattern(tensor_shape(r)) is not None for r in op.results)

        has_transpose = group.has_transpose
        mview_misfits = sum(1 for m in group.members if not fits_mview(m))
        group.order = [group.root]
        seen_uses: dict[SSAValue, int] = {}
        use_counts: dict[SSAValue, int] = {}
        queue: deque[Operation] = deque([group.root])
        reject = group.rejected
        while queue:
            member = queue.popleft()
            if member is group.matmul:  # its operands are read as buffers, not fused
                continue
            for x in member.operands:
                p = x.owner
                if not isinstance(p, Operation) or p in self.assigned:
                    continue
                if p.parent is not self.block or self._splat(p) is not None:
                    continue
                seen = seen_uses.get(x, 0) + 1
                seen_uses[x] = seen
                if x not in use_counts:
                    use_counts[x] = _use_count(x)
                if seen != use_counts[x]:
                    continue
                shape = tensor_shape(x)
                if view.pattern(shape) is None:
                    reject[p] = (
                        f"has shape {_shape_text(shape)}, which mixes broadcast and full dims "
                        f"in one dim of the kernel's view {_shape_text(view.dims)}"
                    )
                    continue
                # A matmul program's view groups (batch, M): values it computes in tiles
                # must not mix broadcast and full dims there.
                if group.matmul is not None and mview.pattern(shape) is None:
                    reject[p] = (
                        f"has shape {_shape_text(shape)}, which mixes broadcast and full dims "
                        f"in the (batch x M) dim of the matmul kernel's view"
                    )
                    continue
                if isinstance(p, zt.TransposeOp):
                    if not view.natural or group.matmul is not None:
                        reject[p] = (
                            "is a transpose, which joins only kernels of rank 1 to 3 without "
                            "a matmul"
                        )
                        continue
                    has_transpose = True
                elif isinstance(p, zt.MatmulOp):
                    why = None
                    if not allow_matmul:
                        why = "is a matmul, which cannot join a reduction kernel"
                    elif group.matmul is not None:
                        why = "is a second matmul (a kernel holds one)"
                    elif has_transpose:
                        why = "is a matmul, which cannot join a kernel with a transpose"
                    elif shape != root_shape:
                        why = (
                            f"is a matmul of shape {_shape_text(shape)}, which joins only a "
                            f"kernel of its own shape ({_shape_text(root_shape)})"
                        )
                    elif mview_misfits:
                        why = (
                            "is a matmul, and values of its epilogue mix broadcast and full "
                            "dims in the (batch x M) dim of its view"
                        )
                    if why is not None:
                        reject[p] = why
                        continue
                    group.matmul = p
                elif not isinstance(p, ELEMENTWISE_TYPES) or is_copy(p):
                    reject[p] = _only_root(p)
                    continue
                group.members.add(p)
                group.order.append(p)
                self.assigned[p] = group
                if len(group.members) >= MAX_FUSED_OPS:
                    group.full = True
                    return
                if not fits_mview(p):
                    mview_misfits += 1
                queue.append(p)


# ---------------------------------------------------------------------------------------------
# The kernel of a `ztensor.fused` body
# ---------------------------------------------------------------------------------------------


class KernelError(Exception):
    """A `ztensor.fused` body that is not one kernel; the message says which op and why."""


def body_kernel(body: Block, chooser: TileSizeChooser | None = None) -> Group | None:
    """The kernel a `ztensor.fused` body computes (its block, ending in `ztensor.yield`), or
    None when it computes nothing (it yields an operand or a splat constant). Raises
    `KernelError` when the body is not one kernel under `chooser` (the default tile sizes if
    None): every op but the splat constants must be a member of the kernel of the yielded
    value, as `Planner` grows it."""
    term = body.last_op
    assert isinstance(term, zt.YieldOp), "a fused body ends in ztensor.yield"
    values = list(term.values)
    if len(values) != 1:
        raise KernelError(f"it yields {len(values)} values (a kernel computes one result)")
    ops = [op for op in body.ops if op is not term]
    root = values[0].owner
    if not isinstance(root, Operation) or root.parent is not body or splat_value(root) is not None:
        for i, op in enumerate(ops):
            if splat_value(op) is None:
                raise KernelError(f"{_describe(op, i)} does not contribute to the yielded value")
        return None
    group = Planner(body, chooser).grow(root)
    outside = [(i, op) for i, op in enumerate(ops) if op not in group.members]
    outside = [(i, op) for i, op in outside if splat_value(op) is None]
    if outside:
        raise KernelError(_why_not(group, outside, len(ops)))
    return group


def _describe(op: Operation, index: int) -> str:
    return f"'{op.name}' (body op #{index + 1})"


def _why_not(group: Group, outside: list[tuple[int, Operation]], n_ops: int) -> str:
    """Why the ops in `outside` are not members of `group`: the first rule that kept one out."""
    for i, op in outside:
        if op in group.rejected:
            return f"{_describe(op, i)} {group.rejected[op]}"
    first, first_op = outside[0]
    root = group.root
    if group.no_prologue is not None:
        return (
            f"{_describe(first_op, first)} is a prologue of '{root.name}', which takes none "
            f"here: {group.no_prologue}"
        )
    if group.full:
        return f"it holds {n_ops} ops (a kernel computes at most {MAX_FUSED_OPS})"
    matmul = group.matmul
    for i, op in outside:
        if matmul is not None and any(v.owner is op for v in matmul.operands):
            return (
                f"{_describe(op, i)} computes an operand of the kernel's matmul, which reads "
                "its operands from memory"
            )
    if not isinstance(root, ELEMENTWISE_TYPES) or is_copy(root):
        return f"{_describe(first_op, first)} cannot join '{root.name}', a kernel of its own"
    for i, op in outside:
        if all(not r.uses for r in op.results):
            return f"{_describe(op, i)} computes a value that nothing uses"
    return f"{_describe(first_op, first)} does not contribute to the yielded value"


# ---------------------------------------------------------------------------------------------
# Kernels and `ztensor.fused` ops
# ---------------------------------------------------------------------------------------------


def inline_fused(op: zt.FusedOp) -> list[Operation]:
    """Move the body of `op` in front of it (its block arguments replaced by its operands, its
    result by the yielded value) and erase it; returns the moved ops."""
    block = op.body.block
    term = block.last_op
    assert isinstance(term, zt.YieldOp)
    args: dict[SSAValue, SSAValue] = dict(zip(block.args, op.inputs, strict=True))
    results = [args.get(v, v) for v in term.values]  # a yielded block argument is an operand
    moved = [o for o in block.ops if o is not term]
    Rewriter.erase_op(term)
    Rewriter.inline_block(block, InsertPoint.before(op), list(op.inputs))
    for old, new in zip(op.results, results, strict=True):
        old.replace_all_uses_with(new)
    Rewriter.erase_op(op)
    return moved


def outline(group: Group) -> zt.FusedOp:
    """Wrap the members of `group`, a kernel of the block that holds them, in one
    `ztensor.fused` op where its root was. Its operands are the values the members read from
    outside; the splat constants they read are moved into the body (copied when something
    else uses them too), so that the kernel still sees them as splats."""
    root = group.root
    block = root.parent_block()
    assert block is not None
    members = group.topological()
    inputs: list[SSAValue] = []
    splats: dict[SSAValue, Operation] = {}
    for m in members:
        for x in m.operands:
            owner = x.owner
            if isinstance(owner, Operation) and owner in group.members:
                continue
            if isinstance(owner, Operation) and splat_value(owner) is not None:
                if x not in splats:
                    alone = all(use.operation in group.members for use in x.uses)
                    splats[x] = owner if alone else owner.clone()
                continue
            if x not in inputs:
                inputs.append(x)
    body = Block(arg_types=[v.type for v in inputs])
    fused = zt.FusedOp.create(
        operands=inputs,
        result_types=[root.results[0].type],
        attributes={"kind": StringAttr(group.kind)},
        regions=[Region(body)],
    )
    block.insert_op_before(fused, root)
    root.results[0].replace_all_uses_with(fused.results[0])  # the name goes with the value
    root.results[0].name_hint = None
    for constant in splats.values():
        if constant.parent is not None:
            constant.detach()
        body.add_op(constant)
    for m in members:
        m.detach()
        body.add_op(m)
    new_value: dict[SSAValue, SSAValue] = dict(zip(inputs, body.args, strict=True))
    new_value.update((v, c.results[0]) for v, c in splats.items())
    for m in members:
        for i, x in enumerate(m.operands):
            if x in new_value:
                m.operands[i] = new_value[x]
    body.add_op(zt.YieldOp(root.results[0]))
    return fused


__all__ = [
    "ELEMENTWISE_TYPES",
    "MAX_FUSED_OPS",
    "MAX_TILE_RANK",
    "NORMALIZE_TYPES",
    "REDUCTION_TYPES",
    "TILE_FLOAT_TYPES",
    "Group",
    "KernelError",
    "Planner",
    "View",
    "body_kernel",
    "elementwise_term_ok",
    "elementwise_view",
    "epilogue_term_ok",
    "inline_fused",
    "is_copy",
    "is_tile_cast",
    "matmul_term_ok",
    "matmul_view",
    "outline",
    "prologue_problem",
    "prologue_term_ok",
    "reduction_axes",
    "reduction_view",
    "splat_value",
    "tensor_shape",
]
