"""Shared memory in `ztile-to-nvvm`: the ops where a thread needs elements another thread owns.

Each writes its operand tile(s) to the kernel's shared array between two barriers
(`KernelBuilder.to_shared`), then every thread reads what its result slots need:

- `ztile.broadcast`: the element at the result coordinates with broadcast dims set to 0;
- `ztile.transpose`: the element at the permuted coordinates;
- `ztile.reduce "sum" / "max"`: a loop over the reduced axis in index order (deterministic;
  max is NaN-propagating), one per result slot;
- `ztile.dot`: both operand tiles staged at once; each thread's output elements accumulate
  `fma(a[i, k], b[k, j], acc)` in a loop over k in order.

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
    KernelBuilder,
    LoweringError,
    Tile,
    lowering,
    numel,
    strides,
)


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
    k.values[op.result] = Tile(shape, slots, boolean=src.boolean)


def _read_staged(k: KernelBuilder, index: ir.Value, n: int, j: int, src: Tile) -> ir.Value:
    valid = k.valid(n, j)
    if not (isinstance(valid, ir.Constant) and valid.constant == 1):
        index = k.b.select(valid, index, k.i64(0))
    return k.from_shared(index, src.boolean)


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
    k.values[op.result] = Tile(shape, slots, boolean=src.boolean)


@lowering(ztile.ReduceOp)
def lower_reduce(k: KernelBuilder, op: ztile.ReduceOp) -> None:
    src = k.tile(op.input)
    axis = op.axis_value
    shape = tuple(cast(ztile.TileType, op.result.type).get_shape())
    n_out = numel(shape)
    k.to_shared((src, 0))
    count = src.shape[axis]
    step = strides(src.shape)[axis]
    bases = []
    for j in range(k.slots(n_out)):
        base = k.linear(k.coords(shape, j), src.shape)
        valid = k.valid(n_out, j)
        if not (isinstance(valid, ir.Constant) and valid.constant == 1):
            base = k.b.select(valid, base, k.i64(0))
        bases.append(base)
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

    def body(r: ir.Value, accs: list[ir.Value]) -> list[ir.Value]:
        offset = k.b.mul(r, k.i64(step))
        return [
            combine(acc, k.from_shared(k.b.add(base, offset)))
            for acc, base in zip(accs, bases, strict=True)
        ]

    init_slots: list[ir.Value] = [ir.Constant(F32, init)] * len(bases)
    slots = k.counted_loop(count, init_slots, body)
    k.values[op.result] = Tile(shape, slots)


@lowering(ztile.DotOp)
def lower_dot(k: KernelBuilder, op: ztile.DotOp) -> None:
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

    slots = k.counted_loop(depth, list(acc.slots), body)
    k.values[op.result] = Tile(acc.shape, slots)


__all__: list[str] = []
