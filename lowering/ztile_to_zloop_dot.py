"""`ztile-to-zloop` of `ztile.dot`: register-blocked `acc + a @ b` with `vector.fma`.

The accumulator is carried in register blocks of up to 6 rows x 4 vectors (2 vectors when
W < 16) as `zloop.for` iter_args over K; each step broadcasts one element of A and
multiplies it into a vector of B with `vector.fma`. When the accumulator tile has no other
use (the usual `scf.for` K loop), its buffer is updated in place. A result whose one use
stores a wholly in-bounds tile of a memref the grid does not otherwise touch is written
there directly (`in_place_target`, as elementwise chains are). A `ztile.load` whose only
use is the lhs of a later dot (`dot_lhs_loads`) is not copied when the whole tile lies in
bounds: the dot reads A from the loaded memref; a loaded rhs is read in place under the
conditions of any in-place tile when its rows are whole rows of the memref
(`in_place_view`), else copied into a contiguous panel. An accumulator that is a splat used by
nothing else (`dot_acc_splats`) is never filled: the register blocks start from the scalar. Whether it does is decided at compile time
from upper bounds of the offsets, else by a run-time test whose other branch loads the tile
(with padding) into a buffer and runs the same dot on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xdsl.dialects import math, memref, vector
from xdsl.dialects.builtin import (
    MemRefType,
)
from xdsl.ir import Operation, SSAValue

from ziggurat.dialects import ztile
from ziggurat.lowering.zloop_builder import Buffer, ZLoopBuilder, tile_type
from ziggurat.lowering.ztile_to_zloop_elementwise import in_place_target
from ziggurat.lowering.ztile_to_zloop_transfers import lower_load


def lower_dot(g: ZLoopBuilder, op: ztile.DotOp) -> None:
    splat = g.acc_splats.pop(op.acc, None)
    c: Buffer | SSAValue = g.lookup(splat.value) if splat is not None else g.buffer(op.acc)
    shape = tuple(tile_type(op.acc).get_shape())
    vectorized = shape[-1] > 1
    target = in_place_target(g, op) if vectorized else None
    if target is not None:
        out, store = target
        g.stored.add(store)
    elif isinstance(c, Buffer) and op.acc.has_one_use() and not c.offsets:
        out = c
    else:
        out = g.alloc(shape, tile_type(op.acc).element_type)
    g.buffers[op.result] = out
    load = g.deferred.pop(op.lhs, None)
    if load is None:
        emit_dot(g, buffer_operand(g.buffer(op.lhs)), op, out, c)
        return

    # The lhs tile is read in place from the memref it is loaded from when the whole
    # tile lies in bounds; otherwise it is loaded (with padding) into a buffer first.
    def in_place() -> None:
        emit_dot(g, memref_operand(g, mem, offsets), op, out, c)

    def buffered() -> None:
        lower_load(g, load)
        emit_dot(g, buffer_operand(g.buffer(op.lhs)), op, out, c)

    mem = g.lookup(load.memref)
    mt = mem.type
    assert isinstance(mt, MemRefType)
    dims = tuple(mt.get_shape())
    offsets = [g.lookup(v) for v in load.indices]
    shape = tile_type(load.result).get_shape()
    known = [g.value_of(o) for o in offsets]
    highest = [g.upper_bound(o) for o in offsets]
    if all(h is not None and h + t <= d for h, t, d in zip(highest, shape, dims, strict=True)):
        in_place()
    elif all(k is not None for k in known):
        buffered()
    elif all(t <= d for t, d in zip(shape, dims, strict=True)):
        slack = [g.subi(d - t, o) for d, t, o in zip(dims, shape, offsets, strict=True)]
        g.if_(g.nonnegative(slack), in_place, buffered)
    else:
        buffered()


def buffer_operand(buf: Buffer) -> _Operand:
    return lambda i, kk: (buf.memref, [i, kk])


def memref_operand(g: ZLoopBuilder, mem: SSAValue, offsets: Sequence[SSAValue]) -> _Operand:
    return lambda i, kk: (mem, [g.addi(offsets[0], i), g.addi(offsets[1], kk)])


def emit_dot(
    g: ZLoopBuilder, a_at: _Operand, op: ztile.DotOp, out: Buffer, c: Buffer | SSAValue
) -> None:
    """`out = c + a @ b`, reading element (i, k) of `a` where `a_at` says; `c` is the
    accumulator's buffer, or the scalar every element of it equals (a splat)."""
    b = g.buffer(op.rhs)
    m, k = tile_type(op.lhs).get_shape()
    n = out.shape[1]
    elt = out.element_type

    def a_load(i: SSAValue, kk: SSAValue) -> SSAValue:
        mem, idx = a_at(i, kk)
        return g.value(memref.LoadOp.get(mem, idx))

    if not out.vectorized:

        def row(idx: list[SSAValue]) -> None:
            i = idx[0]
            zero = g.index(0)
            if isinstance(c, Buffer):
                init = g.value(memref.LoadOp.get(c.memref, g.at(c, [i, zero])))
            else:
                init = c

            def step(kk: SSAValue, acc: list[SSAValue]) -> list[SSAValue]:
                x = a_load(i, kk)
                y = g.value(memref.LoadOp.get(b.memref, g.at(b, [kk, zero])))
                return [g.value(math.FmaOp(x, y, acc[0]))]

            (total,) = g.loop(0, k, 1, [init], step)
            g.emit(memref.StoreOp.get(total, out.memref, g.at(out, [i, zero])))

        g.nest([m], row)
        return

    w = g.width
    vectors = g.padded(n) // w
    rows_per_block = 6
    vecs_per_block = 4 if w >= 16 else 2
    row_blocks = _blocks(m, rows_per_block)
    col_blocks = _blocks(vectors, vecs_per_block)
    vty = g.vector_type(elt)

    def micro(i0: SSAValue, j0: SSAValue, rows: int, vecs: int) -> None:
        ri = [g.addi(i0, r) for r in range(rows)]
        cj = [g.addi(j0, v * w) for v in range(vecs)]
        if isinstance(c, Buffer):
            accs = [g.value(vector.LoadOp(c.memref, g.at(c, [i, j]), vty)) for i in ri for j in cj]
        else:
            accs = [g.value(vector.BroadcastOp(c, vty))] * (rows * vecs)

        def step(kk: SSAValue, acc: list[SSAValue]) -> list[SSAValue]:
            bs = [g.value(vector.LoadOp(b.memref, g.at(b, [kk, j]), vty)) for j in cj]
            new: list[SSAValue] = []
            for r, i in enumerate(ri):
                x = a_load(i, kk)
                xb = g.value(vector.BroadcastOp(x, vty))
                for v in range(vecs):
                    new.append(g.value(vector.FMAOp(xb, bs[v], acc[r * vecs + v])))
            return new

        final = g.loop(0, k, 1, accs, step)
        for r, i in enumerate(ri):
            for v, j in enumerate(cj):
                g.emit(vector.StoreOp(final[r * vecs + v], out.memref, g.at(out, [i, j])))

    for r_lo, r_hi, rows in row_blocks:
        for c_lo, c_hi, vecs in col_blocks:

            def over_rows(
                i0: SSAValue,
                _: list[SSAValue],
                vecs: int = vecs,
                rows: int = rows,
                c_lo: int = c_lo,
                c_hi: int = c_hi,
            ) -> list[SSAValue]:
                def over_cols(j0: SSAValue, __: list[SSAValue]) -> list[SSAValue]:
                    micro(i0, j0, rows, vecs)
                    return []

                g.loop(c_lo * w, c_hi * w, vecs * w, [], over_cols)
                return []

            g.loop(r_lo, r_hi, rows, [], over_rows)


_Operand = Callable[[SSAValue, SSAValue], tuple[SSAValue, list[SSAValue]]]
"""Where element (i, k) of a `ztile.dot` operand lives: (memref, indices)."""


def dot_lhs_loads(ops: Sequence[Operation]) -> list[ztile.LoadOp]:
    """The `ztile.load`s in `ops` whose only use is as the lhs of a later `ztile.dot` in
    `ops`, with nothing but loads and `arith` ops in between (so nothing writes memory)."""
    found: list[ztile.LoadOp] = []
    position = {op: n for n, op in enumerate(ops)}
    for n, op in enumerate(ops):
        if not isinstance(op, ztile.LoadOp) or not op.result.has_one_use():
            continue
        user = next(iter(op.result.uses))
        dot = user.operation
        if not isinstance(dot, ztile.DotOp) or user.index != 0 or dot not in position:
            continue
        between = ops[n + 1 : position[dot]]
        if all(isinstance(o, _WRITE_NOTHING) or o.dialect_name() == "arith" for o in between):
            found.append(op)
    return found


_WRITE_NOTHING = (ztile.LoadOp, ztile.SplatOp)
"""Tile ops that write no memory the program can read (a splat fills a stack buffer)."""


def dot_acc_splats(ops: Sequence[Operation]) -> list[ztile.SplatOp]:
    """The `ztile.splat`s in `ops` whose only use is the accumulator of a `ztile.dot` in
    `ops`: the dot starts its register blocks from the scalar, and no buffer is filled."""
    inside = set(ops)
    found: list[ztile.SplatOp] = []
    for op in ops:
        if not isinstance(op, ztile.SplatOp) or not op.result.has_one_use():
            continue
        use = next(iter(op.result.uses))
        if isinstance(use.operation, ztile.DotOp) and use.index == 2 and use.operation in inside:
            found.append(op)
    return found


def _blocks(n: int, size: int) -> list[tuple[int, int, int]]:
    """Split [0, n) into full blocks of `size` and one remainder block: (lo, hi, block size)."""
    size = min(size, n)
    full = (n // size) * size
    blocks = [(0, full, size)]
    if full < n:
        blocks.append((full, n, n - full))
    return blocks
