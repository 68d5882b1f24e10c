"""Shared memory in `ztile-to-nvvm`: the ops where a thread needs elements another thread owns.

Each writes its operand tile(s) to the kernel's shared array between two barriers
(`KernelBuilder.to_shared`), then every thread reads what its result slots need:

- `ztile.broadcast`: the element at the result coordinates with broadcast dims set to 0;
- `ztile.transpose`: the element at the permuted coordinates;
- `ztile.reduce "sum" / "max"`: with at least as many outputs as threads, a loop over the
  reduced axis in index order per result slot; with fewer, a group of up to 32 lanes per
  output, each combining a strided share in order, then a `shfl.sync.bfly` butterfly (a fixed
  tree: deterministic; max is NaN-propagating);
- `ztile.dot`: f16/bf16 operands (or their casts to f32) on tensor cores where the tile shapes
  allow (`ztile_to_nvvm_mma`); otherwise both operand tiles staged at once and each thread's
  output elements accumulate `fma(a[i, k], b[k, j], acc)` in f32 in a loop over k in order.

16-bit tiles are staged as f32 (exact) and rounded back to their type when read.

An invalid slot reads element 0 (its value is never stored) and writes to the spare float past
the staged tiles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from llvmlite import ir

from ziggurat.dialects import ztile
from ziggurat.lowering.ztile_to_nvvm_kernel import (
    F32,
    I32,
    KernelBuilder,
    LoweringError,
    Tile,
    lowering,
    mma_operands,
    numel,
    strides,
)
from ziggurat.lowering.ztile_to_nvvm_mma import lower_mma_dot


@lowering(ztile.BroadcastOp)
def lower_broadcast(k: KernelBuilder, op: ztile.BroadcastOp) -> None:
    src = k.tile(op.input)
    shape = tuple(cast(ztile.TileType, op.result.type).get_shape())
    k.to_shared((src, 0))
    slots = []
    for j in range(k.slots(numel(shape))):
        c = k.coords(shape, j)
        index = [k.i64(0) if s == 1 else x for x, s in zip(c, src.shape, strict=True)]
        slots.append(_read_staged(k, k.linear(index, src.shape), numel(shape), j, src))
    k.values[op.result] = Tile(shape, slots, boolean=src.boolean, element=src.element)


def _read_staged(k: KernelBuilder, index: ir.Value, n: int, j: int, src: Tile) -> ir.Value:
    valid = k.valid(n, j)
    if not (isinstance(valid, ir.Constant) and valid.constant == 1):
        index = k.b.select(valid, index, k.i64(0))
    value = k.from_shared(index, src.boolean)
    return value if src.boolean else k.narrow(value, src.element)


@lowering(ztile.TransposeOp)
def lower_transpose(k: KernelBuilder, op: ztile.TransposeOp) -> None:
    src = k.tile(op.input)
    shape = tuple(cast(ztile.TileType, op.result.type).get_shape())
    k.to_shared((src, 0))
    slots = []
    for j in range(k.slots(numel(shape))):
        c = k.coords(shape, j)
        index = [k.i64(0)] * len(shape)
        for i, p in enumerate(op.perm):
            index[p] = c[i]
        slots.append(_read_staged(k, k.linear(index, src.shape), numel(shape), j, src))
    k.values[op.result] = Tile(shape, slots, boolean=src.boolean, element=src.element)


@lowering(ztile.ReduceOp)
def lower_reduce(k: KernelBuilder, op: ztile.ReduceOp) -> None:
    src = k.tile(op.input)
    axis = op.axis_value
    shape = tuple(cast(ztile.TileType, op.result.type).get_shape())
    n_out = numel(shape)
    count = src.shape[axis]
    combine: Callable[[ir.Value, ir.Value], ir.Value]
    if op.kind_name == "sum":
        init = -0.0

        def combine(acc: ir.Value, x: ir.Value) -> ir.Value:
            return k.b.fadd(acc, x)
    elif op.kind_name == "max":
        init = float("-inf")

        def combine(acc: ir.Value, x: ir.Value) -> ir.Value:
            return k.intrinsic("llvm.maximum.f32", F32, [acc, x])
    else:
        raise LoweringError(op, f"ztile-to-nvvm: no GPU lowering of reduce '{op.kind_name}'")
    k.to_shared((src, 0))
    group = reduce_group(k.threads, n_out, count)
    if group > 1:
        slots = _reduce_by_groups(k, src, shape, axis, group, init, combine)
    else:
        slots = _reduce_by_threads(k, src, shape, axis, init, combine)
    slots = [k.narrow(v, src.element) for v in slots]
    k.values[op.result] = Tile(shape, slots, element=src.element)


def reduce_group(threads: int, n_out: int, count: int) -> int:
    """Threads that reduce one output element together (a power of two, at most a warp): the
    threads left over per output, but no more than the reduced extent has elements; 1 when
    there are at least as many outputs as threads."""
    group = 1
    while group < 32 and n_out * group * 2 <= threads and group * 2 <= count:
        group *= 2
    return group


def _reduce_by_threads(
    k: KernelBuilder,
    src: Tile,
    shape: tuple[int, ...],
    axis: int,
    init: float,
    combine: Callable[[ir.Value, ir.Value], ir.Value],
) -> list[ir.Value]:
    """Each result slot a loop over the reduced axis in index order, in its own thread."""
    n_out = numel(shape)
    step = strides(src.shape)[axis]
    bases = []
    for j in range(k.slots(n_out)):
        base = k.linear(k.coords(shape, j), src.shape)
        valid = k.valid(n_out, j)
        if not (isinstance(valid, ir.Constant) and valid.constant == 1):
            base = k.b.select(valid, base, k.i64(0))
        bases.append(base)

    def body(r: ir.Value, accs: list[ir.Value]) -> list[ir.Value]:
        offset = k.b.mul(r, k.i64(step))
        return [
            combine(acc, k.from_shared(k.b.add(base, offset)))
            for acc, base in zip(accs, bases, strict=True)
        ]

    init_slots: list[ir.Value] = [ir.Constant(F32, init)] * len(bases)
    return k.counted_loop(src.shape[axis], init_slots, body)


def _reduce_by_groups(
    k: KernelBuilder,
    src: Tile,
    shape: tuple[int, ...],
    axis: int,
    group: int,
    init: float,
    combine: Callable[[ir.Value, ir.Value], ir.Value],
) -> list[ir.Value]:
    """`group` consecutive lanes of a warp per output element: lane r of a group combines
    the elements r, r + group, ... of the reduced axis in order, then the group combines its
    partials with a butterfly of `shfl.sync.bfly` (log2(group) steps, a fixed tree, so the
    result is the same on every run); the group's first lane writes the total to shared
    memory past the operand, and after a barrier each thread reads its result slots."""
    n_out = numel(shape)
    count = src.shape[axis]
    step = strides(src.shape)[axis]
    e = k.b.udiv(k.tid, k.i64(group))
    lane = k.b.urem(k.tid, k.i64(group))
    valid_e = k.b.icmp_unsigned("<", e, k.i64(n_out))
    e = k.b.select(valid_e, e, k.i64(0))
    base = k.linear(k.coords_of(e, shape), src.shape)
    neutral = ir.Constant(F32, init)

    def body(i: ir.Value, accs: list[ir.Value]) -> list[ir.Value]:
        index = k.b.add(lane, k.b.mul(i, k.i64(group)))
        inside = k.b.icmp_unsigned("<", index, k.i64(count))
        index = k.b.select(inside, index, k.i64(0))
        x = k.from_shared(k.b.add(base, k.b.mul(index, k.i64(step))))
        return [combine(accs[0], k.b.select(inside, x, neutral))]

    (acc,) = k.counted_loop(-(-count // group), [neutral], body)
    mask = group // 2
    while mask:
        other = k.intrinsic(
            "llvm.nvvm.shfl.sync.bfly.f32",
            F32,
            [ir.Constant(I32, -1), acc, ir.Constant(I32, mask), ir.Constant(I32, 0x1F)],
        )
        acc = combine(acc, other)
        mask //= 2
    offset = src.numel
    first = k.b.and_(valid_e, k.b.icmp_unsigned("==", lane, k.i64(0)))
    where = k.b.select(first, k.b.add(e, k.i64(offset)), k.i64(k.spare))
    assert k.shared is not None
    k.b.store(acc, k.b.gep(k.shared, [where]))
    k.barrier()
    slots = []
    for j in range(k.slots(n_out)):
        valid = k.valid(n_out, j)
        index = k.b.add(k.element(j), k.i64(offset))
        if not (isinstance(valid, ir.Constant) and valid.constant == 1):
            index = k.b.select(valid, index, k.i64(offset))
        slots.append(k.from_shared(index))
    return slots


@lowering(ztile.DotOp)
def lower_dot(k: KernelBuilder, op: ztile.DotOp) -> None:
    mma = mma_operands(op)
    if mma is not None:
        lower_mma_dot(k, op, k.tile(mma[0]), k.tile(mma[1]), mma[2])
        return
    a, b_, acc = k.tile(op.lhs), k.tile(op.rhs), k.tile(op.acc)
    m, depth = a.shape
    n = b_.shape[1]
    k.to_shared((a, 0), (b_, m * depth))
    rows, cols = [], []
    for j in range(len(acc.slots)):
        i, jj = k.coords(acc.shape, j)
        valid = k.valid(m * n, j)
        if not (isinstance(valid, ir.Constant) and valid.constant == 1):
            i = k.b.select(valid, i, k.i64(0))
            jj = k.b.select(valid, jj, k.i64(0))
        rows.append(k.b.mul(i, k.i64(depth)))
        cols.append(k.b.add(jj, k.i64(m * depth)))

    def body(kk: ir.Value, accs: list[ir.Value]) -> list[ir.Value]:
        brow = k.b.mul(kk, k.i64(n))
        out = []
        for c, row, col in zip(accs, rows, cols, strict=True):
            x = k.from_shared(k.b.add(row, kk))
            y = k.from_shared(k.b.add(col, brow))
            out.append(k.intrinsic("llvm.fma.f32", F32, [x, y, c]))
        return out

    init = [k.widen(v, acc.element) for v in acc.slots]
    slots = [k.narrow(v, acc.element) for v in k.counted_loop(depth, init, body)]
    k.values[op.result] = Tile(acc.shape, slots, element=acc.element)


__all__: list[str] = []
