"""`ztile-to-zloop` of data movement: `ztile.load`, `ztile.store` and `ztile.transpose`.

A load or store first tests at run time whether the whole tile lies in bounds: full tiles
use plain vector loads/stores (a constant-mask masked access for a last-dimension tail that
is not a multiple of W); edge tiles skip out-of-bounds rows and mask columns with
`vector.create_mask` of the in-bounds count (loads fill the rest with `padding`). When the
tile is larger than the memref, only the edge path is emitted. An offset that may be
negative (not provably >= 0, `ZLoopBuilder.provably_nonnegative`) is tested too, and its
edge path moves scalars, each guarded on both sides: a vector mask cannot cut off a low
side. A transpose is scalar copy loops between the two buffers.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import memref, vector
from xdsl.dialects.builtin import (
    MemRefType,
    VectorType,
    i1,
)
from xdsl.ir import Operation, SSAValue

from ziggurat.dialects import ztile
from ziggurat.lowering.zloop_builder import Buffer, ZLoopBuilder, memref_root, tile_type
from ziggurat.lowering.ztile_to_zloop_elementwise import CHAIN_OPS


def lower_load(g: ZLoopBuilder, op: ztile.LoadOp) -> None:
    view = in_place_view(g, op)
    if view is not None:
        g.buffers[op.result] = view
        return
    ty = tile_type(op.result)
    buf = g.alloc(ty.get_shape(), ty.element_type)
    g.buffers[op.result] = buf
    transfer(g, op.memref, op.indices, buf, op.padding_value, is_load=True)


IN_PLACE_READERS: tuple[type[Operation], ...] = (*CHAIN_OPS, ztile.ReduceOp)
"""The ops whose lowerings read a tile only through `ZLoopBuilder.read`/`at`, so that the
tile may be a view of the memref it is loaded from."""


def _reads_in_place(user: Operation, index: int) -> bool:
    """Whether operand `index` of `user` may be a view: `IN_PLACE_READERS`, and the rhs of
    a `ztile.dot` (its lowering reads B through `ZLoopBuilder.at`) when the tile's rows are
    whole rows of the memref (`in_place_view`)."""
    return isinstance(user, IN_PLACE_READERS) or (isinstance(user, ztile.DotOp) and index == 1)


def in_place_view(g: ZLoopBuilder, op: ztile.LoadOp) -> Buffer | None:
    """The loaded tile as a view of its memref (no copy into a stack buffer), when that reads
    the same values: every program's tile lies wholly in bounds (known from the offsets'
    compile-time bounds), its rows are whole vectors, only `IN_PLACE_READERS` (or a dot, as
    its rhs, if the tile's rows are whole rows of the memref) use it, no
    store writes the memref's buffer, and no store before the tile's last reader (`_readers`)
    writes memory that might be it (only other `memref.alloc`s)."""
    if not all(_reads_in_place(u.operation, u.index) for u in op.result.uses):
        return None
    view = g.in_bounds_view(op.memref, op.indices, tile_type(op.result))
    if view is None:
        return None
    mt = g.lookup(op.memref).type
    assert isinstance(mt, MemRefType)
    whole_rows = view.shape[-1] == mt.get_shape()[-1]
    if not whole_rows and any(isinstance(u.operation, ztile.DotOp) for u in op.result.uses):
        # A dot reads B once per row block: from a copy its rows are contiguous (a packed
        # panel), in place they are a memref row apart, which costs large GEMMs a third of
        # their speed (cache sets, TLB). In place only when the tile's rows are whole rows.
        return None
    # A store into a memref argument could write this very array (two arguments bound to
    # one array), so none may come before the tile's last reader; stores into another
    # `memref.alloc` may come anywhere.
    order = {inner: n for n, inner in enumerate(g.grid.walk())}
    last_read = max(order[reader] for reader in _readers(op.result))
    root = memref_root(op.memref)
    for inner, n in order.items():
        if not isinstance(inner, ztile.StoreOp):
            continue
        target = memref_root(inner.memref)
        fresh = isinstance(target.owner, memref.AllocOp) and target is not root
        if target is root or (n < last_read and not fresh):
            return None
    return view


def _readers(tile: SSAValue) -> set[Operation]:
    """The ops that read `tile`'s elements where they are lowered: its users, and through
    elementwise chains their users (a chain that only a reduce reads is computed there)."""
    found: set[Operation] = set()
    stack = [tile]
    while stack:
        for use in stack.pop().uses:
            user = use.operation
            if user not in found:
                found.add(user)
                if isinstance(user, CHAIN_OPS):
                    stack.extend(user.results)
    return found


def lower_store(g: ZLoopBuilder, op: ztile.StoreOp) -> None:
    if op in g.stored:
        return  # its chain wrote the tile in place
    buf = g.buffer(op.value)
    transfer(g, op.memref, op.indices, buf, 0.0, is_load=False)


def transfer(
    g: ZLoopBuilder,
    mem_value: SSAValue,
    index_values: Sequence[SSAValue],
    buf: Buffer,
    padding: float,
    is_load: bool,
) -> None:
    """Copy a tile between `buf` and a memref at offsets: full-tile fast path, edge path."""
    mem = g.lookup(mem_value)
    mt = mem.type
    assert isinstance(mt, MemRefType)
    dims = tuple(mt.get_shape())
    offsets = [g.lookup(v) for v in index_values]
    shape = buf.shape
    access = _Access(g, mem, dims, offsets, buf, padding, is_load)
    known = [g.value_of(o) for o in offsets]
    if all(k is not None for k in known):
        fits = all(0 <= k + t <= d for k, t, d in zip(known, shape, dims, strict=True))  # type: ignore[operator]
        (access.full if fits else access.edge)()
    elif all(t <= d for t, d in zip(shape, dims, strict=True)):
        slack = [g.subi(d - t, o) for d, t, o in zip(dims, shape, offsets, strict=True)]
        low = [o for o in offsets if not g.provably_nonnegative(o)]
        g.if_(g.nonnegative([*low, *slack]), access.full, access.edge)
    else:
        access.edge()


def lower_transpose(g: ZLoopBuilder, op: ztile.TransposeOp) -> None:
    src = g.buffer(op.input)
    ty = tile_type(op.result)
    out = g.alloc(ty.get_shape(), ty.element_type)
    g.buffers[op.result] = out
    perm = op.perm

    def body(idx: list[SSAValue]) -> None:
        at: list[SSAValue] = [idx[0]] * len(perm)
        for d, p in enumerate(perm):
            at[p] = idx[d]
        x = g.value(memref.LoadOp.get(src.memref, at))
        g.emit(memref.StoreOp.get(x, out.memref, idx))

    g.nest(ty.get_shape(), body)


class _Access:
    """Emits the full-tile and edge paths of one `ztile.load` or `ztile.store`."""

    def __init__(
        self,
        lowering: ZLoopBuilder,
        mem: SSAValue,
        dims: tuple[int, ...],
        offsets: Sequence[SSAValue],
        buf: Buffer,
        padding: float,
        is_load: bool,
    ) -> None:
        self.g = lowering
        self.mem = mem
        self.dims = dims
        self.offsets = offsets
        self.buf = buf
        self.padding = padding
        self.is_load = is_load

    def at(self, idx: Sequence[SSAValue]) -> list[SSAValue]:
        return [self.g.addi(o, i) for o, i in zip(self.offsets, idx, strict=True)]

    def vector_move(self, idx: list[SSAValue], mask: SSAValue | None) -> None:
        g, buf = self.g, self.buf
        vty = g.vector_type(buf.element_type)
        where = self.at(idx)
        if self.is_load:
            if mask is None:
                v = g.value(vector.LoadOp(self.mem, where, vty))
            else:
                pad = g.const(self.padding, buf.element_type, True)
                v = g.value(vector.MaskedLoadOp(self.mem, where, mask, pad))
            g.emit(vector.StoreOp(v, buf.memref, idx))
        else:
            v = g.read(buf, idx)
            if mask is None:
                g.emit(vector.StoreOp(v, self.mem, where))
            else:
                g.emit(vector.MaskedStoreOp(self.mem, where, mask, v))

    def scalar_move(self, idx: list[SSAValue]) -> None:
        g = self.g
        where = self.at(idx)
        if self.is_load:
            x = g.value(memref.LoadOp.get(self.mem, where))
            g.emit(memref.StoreOp.get(x, self.buf.memref, idx))
        else:
            x = g.value(memref.LoadOp.get(self.buf.memref, idx))
            g.emit(memref.StoreOp.get(x, self.mem, where))

    def mask(self, count: SSAValue) -> SSAValue:
        return self.g.value(vector.CreateMaskOp([count], VectorType(i1, [self.g.width])))

    def full(self) -> None:
        """The whole tile is in bounds."""
        g, buf = self.g, self.buf
        if not buf.vectorized:
            g.nest(buf.shape, self.scalar_move)
            return
        w = g.width
        n = buf.shape[-1]
        whole = (n // w) * w

        def row(idx: list[SSAValue]) -> None:
            def chunk(j: SSAValue, _: list[SSAValue]) -> list[SSAValue]:
                self.vector_move([*idx, j], None)
                return []

            g.loop(0, whole, w, [], chunk)
            if whole < n:
                self.vector_move([*idx, g.index(whole)], self.mask(g.index(n - whole)))

        g.nest(buf.shape[:-1], row)

    def edge(self) -> None:
        """Part of the tile may be out of bounds: guard rows, mask columns."""
        g, buf = self.g, self.buf
        dims, offsets = self.dims, self.offsets

        low_side = [not g.provably_nonnegative(o) for o in offsets]

        def inside(idx: Sequence[SSAValue]) -> list[SSAValue]:
            # dims[d] - 1 - offsets[d] - idx[d] >= 0 for each dimension d, and
            # offsets[d] + idx[d] >= 0 where the offset may be negative
            high = [g.subi(g.subi(dims[d] - 1, offsets[d]), i) for d, i in enumerate(idx)]
            low = [g.addi(offsets[d], i) for d, i in enumerate(idx) if low_side[d]]
            return high + low

        # A vector mask counts lanes from the first, so it cannot cut off a low side: tiles whose
        # offsets may be negative take the scalar path, every element guarded.
        if not buf.vectorized or any(low_side):

            def element(idx: list[SSAValue]) -> None:
                def fill() -> None:
                    pad = g.const(self.padding, buf.element_type, False)
                    g.emit(memref.StoreOp.get(pad, buf.memref, idx))

                g.if_(
                    g.nonnegative(inside(idx)),
                    lambda: self.scalar_move(idx),
                    fill if self.is_load else None,
                )

            g.nest(buf.shape, element)
            return

        w = g.width
        n = buf.shape[-1]

        def columns(idx: list[SSAValue]) -> None:
            def chunk(j: SSAValue, _: list[SSAValue]) -> list[SSAValue]:
                left = g.subi(g.subi(dims[-1], offsets[-1]), j)
                count = g.min(left, g.subi(n, j))
                self.vector_move([*idx, j], self.mask(count))
                return []

            g.loop(0, g.padded(n), w, [], chunk)

        def padding_row(idx: list[SSAValue]) -> None:
            pad = g.const(self.padding, buf.element_type, True)

            def chunk(j: SSAValue, _: list[SSAValue]) -> list[SSAValue]:
                g.emit(vector.StoreOp(pad, buf.memref, [*idx, j]))
                return []

            g.loop(0, g.padded(n), w, [], chunk)

        def row(idx: list[SSAValue]) -> None:
            if not idx:
                columns(idx)
                return
            fill = (lambda: padding_row(idx)) if self.is_load else None
            g.if_(g.nonnegative(inside(idx)), lambda: columns(idx), fill)

        g.nest(buf.shape[:-1], row)
