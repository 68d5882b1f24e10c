"""Tensor cores in `ztile-to-nvvm`: `ztile.dot` of f16 or bf16 tiles with an f32 accumulator
as `mma.sync.aligned.m16n8k16.row.col` (NVVM's `llvm.nvvm.mma.m16n8k16.row.col.f32.f32` for
f16, `.bf16` for bf16; sm_80 and newer).

The operands arrive in the blocked layout (`ztile_to_nvvm_kernel`), so the dot converts
layouts through shared memory, as Triton's `convert_layout` does:

1. every thread writes its slots: A (m x K) row-major, B transposed (n x K, so the two
   K-consecutive values a B fragment register holds are adjacent), both as 16-bit values with
   rows padded by 8 halves (the fragment loads of a warp then hit 32 different banks), and
   the f32 accumulator (m x n) row-major; barrier;
2. the m x n output is cut into 16x8 fragments; the warps form a `wm x wn` grid (`wm` the
   largest divisor of the warp count that is at most m / 16) and warp (i, j) owns the fragments
   (i + wm*r, j + wn*c). A warp with fewer fragments than others computes a repeat of a valid
   one and writes it to the spare float (no branch, so control flow stays uniform);
3. each lane reads its accumulator registers of each fragment from shared memory (the PTX
   fragment layout: lane = 4*group + q holds rows group and group + 8, columns 2q and 2q + 1),
   then for k0 = 0, 16, ... loads the A registers of each of its fragment rows with one
   `ldmatrix.x4` (rows group/group + 8, K columns k0 + 2q, k0 + 2q + 8, two halves a register)
   and the B registers of each fragment column with one `ldmatrix.x2` (K rows k0 + 2q and
   k0 + 2q + 8 of column group: rows of the transposed B), as Triton does, and issues one
   `mma.sync` per fragment; K order is fixed, so the result does not depend on the warp
   count;
4. the fragments go back to the accumulator's place in shared memory; barrier; every thread
   reads its slots of the result (blocked layout, f32).

Products of 16-bit values are exact in f32; how the tensor core rounds the accumulation of a
k-step of 16 products is the hardware's (not IEEE sequential FMA), so results agree with an
f32 reference to accumulation rounding, not bit for bit with the CPU's FMA order.
"""

from __future__ import annotations

from llvmlite import ir

from ziggurat.dialects import ztile
from ziggurat.lowering.ztile_to_nvvm_kernel import (
    F16,
    F32,
    I16,
    I32,
    MMA_PAD,
    MMA_SHAPE,
    SHARED,
    KernelBuilder,
    Tile,
)

WARP = 32
_RESULT = ir.LiteralStructType([F32] * 4)


def warp_grid(warps: int, row_fragments: int) -> tuple[int, int]:
    """(wm, wn): warps along the output's rows and columns; wm is the largest divisor of
    `warps` that is at most `row_fragments`."""
    wm = max(d for d in range(1, warps + 1) if warps % d == 0 and d <= max(1, row_fragments))
    return wm, warps // wm


def lower_mma_dot(k: KernelBuilder, op: ztile.DotOp, a: Tile, b: Tile, element: str) -> None:
    """`op` on tensor cores; `a` and `b` are its 16-bit operand tiles (before any widening
    cast), `element` their type."""
    acc = k.tile(op.acc)
    m, depth = a.shape
    n = b.shape[1]
    mm, nn, kk = MMA_SHAPE
    stride = depth + MMA_PAD
    bt_base = m * stride
    c_base = (m * stride + n * stride) // 2
    assert k.shared is not None
    halves = k.b.bitcast(k.shared, I16.as_pointer(SHARED))
    spare_half = k.i64(2 * k.spare)

    def bits(value: ir.Value) -> ir.Value:
        return value if value.type == I16 else k.b.bitcast(value, I16)

    k.barrier()
    for j, value in enumerate(a.slots):
        i, col = k.coords(a.shape, j)
        index = k.b.add(k.b.mul(i, k.i64(stride)), col)
        _store(k, halves, index, bits(value), k.valid(a.numel, j), spare_half)
    for j, value in enumerate(b.slots):
        row, col = k.coords(b.shape, j)
        index = k.b.add(k.b.mul(col, k.i64(stride)), k.b.add(row, k.i64(bt_base)))
        _store(k, halves, index, bits(value), k.valid(b.numel, j), spare_half)
    for j, value in enumerate(acc.slots):
        index = k.b.add(k.element(j), k.i64(c_base))
        _store(k, k.shared, index, value, k.valid(acc.numel, j), k.i64(k.spare))
    k.barrier()

    lane = k.b.and_(k.tid, k.i64(WARP - 1))
    warp = k.b.lshr(k.tid, k.i64(5))
    group = k.b.lshr(lane, k.i64(2))
    q = k.b.and_(lane, k.i64(3))
    fm, fn = m // mm, n // nn
    wm, wn = warp_grid(k.threads // WARP, fm)
    warp_row = k.b.udiv(warp, k.i64(wn))
    warp_col = k.b.urem(warp, k.i64(wn))

    def fragments(first: ir.Value, step: int, count: int) -> list[tuple[ir.Value, ir.Value]]:
        """(index, valid) of this warp's fragments along one axis; invalid ones repeat 0."""
        out = []
        for r in range(-(-count // step)):
            raw = k.b.add(first, k.i64(step * r)) if r else first
            if step * (r + 1) <= count:
                out.append((raw, ir.Constant(ir.IntType(1), 1)))
            else:
                ok = k.b.icmp_unsigned("<", raw, k.i64(count))
                out.append((k.b.select(ok, raw, k.i64(0)), ok))
        return out

    rows = fragments(warp_row, wm, fm)
    cols = fragments(warp_col, wn, fn)
    # the accumulator element (row, col) of register 0 of each fragment: row0 + group, col0 + 2q
    tiles = []
    for fi, ok_r in rows:
        for fj, ok_c in cols:
            row = k.b.add(k.b.mul(fi, k.i64(mm)), group)
            col = k.b.add(k.b.mul(fj, k.i64(nn)), k.b.shl(q, k.i64(1)))
            first = k.b.add(k.b.add(k.b.mul(row, k.i64(n)), col), k.i64(c_base))
            tiles.append((first, k.b.and_(ok_r, ok_c), fi, fj))
    offsets = (0, 1, 8 * n, 8 * n + 1)
    init: list[ir.Value] = []
    for first, _, _, _ in tiles:
        init.extend(k.from_shared(k.b.add(first, k.i64(o)) if o else first) for o in offsets)

    # ldmatrix: lane l gives the address of row l % 8 of 8x8 matrix l // 8; for A (x4) the
    # matrices are rows 0-7 / 8-15 at K columns 0-7, then the same at 8-15 (the order of the
    # mma's A registers); for B transposed (x2) columns 0-7 of n at K 0-7, then at K 8-15.
    row8 = k.b.and_(lane, k.i64(7))
    a_row = k.b.add(row8, k.b.shl(k.b.and_(k.b.lshr(lane, k.i64(3)), k.i64(1)), k.i64(3)))
    a_col = k.b.shl(k.b.lshr(lane, k.i64(4)), k.i64(3))
    b_col = k.b.shl(k.b.and_(k.b.lshr(lane, k.i64(3)), k.i64(1)), k.i64(3))

    def body(step: ir.Value, accs: list[ir.Value]) -> list[ir.Value]:
        k0 = k.b.mul(step, k.i64(kk))
        a_regs = {}
        for fi, _ in rows:
            row = k.b.add(k.b.mul(fi, k.i64(mm)), a_row)
            at = k.b.add(k.b.mul(row, k.i64(stride)), k.b.add(k0, a_col))
            a_regs[id(fi)] = _ldmatrix(k, halves, at, 4)
        b_regs = {}
        for fj, _ in cols:
            col = k.b.add(k.b.mul(fj, k.i64(nn)), row8)
            at = k.b.add(k.b.mul(col, k.i64(stride)), k.b.add(k0, b_col))
            b_regs[id(fj)] = _ldmatrix(k, halves, k.b.add(at, k.i64(bt_base)), 2)
        out: list[ir.Value] = []
        for t, (_, _, fi, fj) in enumerate(tiles):
            c = accs[4 * t : 4 * t + 4]
            out.extend(_mma(k, element, a_regs[id(fi)], b_regs[id(fj)], c))
        return out

    results = k.counted_loop(depth // kk, init, body)
    for t, (first, ok, _, _) in enumerate(tiles):
        for r, o in enumerate(offsets):
            index = k.b.add(first, k.i64(o)) if o else first
            _store(k, k.shared, index, results[4 * t + r], ok, k.i64(k.spare))
    k.barrier()
    slots = []
    for j in range(len(acc.slots)):
        valid = k.valid(acc.numel, j)
        index = k.b.add(k.element(j), k.i64(c_base))
        if not (isinstance(valid, ir.Constant) and valid.constant == 1):
            index = k.b.select(valid, index, k.i64(c_base))
        slots.append(k.from_shared(index))
    k.values[op.result] = Tile(acc.shape, slots, element="f32")


def _store(
    k: KernelBuilder,
    base: ir.Value,
    index: ir.Value,
    value: ir.Value,
    valid: ir.Value,
    spare: ir.Value,
) -> None:
    if not (isinstance(valid, ir.Constant) and valid.constant == 1):
        index = k.b.select(valid, index, spare)
    k.b.store(value, k.b.gep(base, [index]))


def _ldmatrix(k: KernelBuilder, halves: ir.Value, index: ir.Value, count: int) -> list[ir.Value]:
    """`ldmatrix.sync.aligned.m8n8.x{count}.shared.b16` at half `index` of shared memory: per
    lane, row lane // 4 and columns 2 (lane % 4), +1 of each matrix, as one 32-bit register."""
    result = ir.LiteralStructType([I32] * count)
    name = f"llvm.nvvm.ldmatrix.sync.aligned.m8n8.x{count}.b16"
    loaded = k.intrinsic(name, result, [k.b.gep(halves, [index])])
    return [k.b.extract_value(loaded, r) for r in range(count)]


def _mma(
    k: KernelBuilder, element: str, a: list[ir.Value], b: list[ir.Value], c: list[ir.Value]
) -> list[ir.Value]:
    """One m16n8k16 MMA: four A and two B registers (two 16-bit values each), four f32."""
    if element == "f16":
        pair = ir.VectorType(F16, 2)
        args = [k.b.bitcast(x, pair) for x in (*a, *b)]
        name = "llvm.nvvm.mma.m16n8k16.row.col.f32.f32"
    else:
        args = [*a, *b]
        name = "llvm.nvvm.mma.m16n8k16.row.col.bf16"
    d = k.intrinsic(name, _RESULT, [*args, *c])
    return [k.b.extract_value(d, r) for r in range(4)]


__all__ = ["lower_mma_dot", "warp_grid"]
