"""`ztile-to-zloop` of `ztile.reduce` (sum and max along one axis of a tile).

Along the last axis of a vectorized tile: accumulation of whole vectors in `CHAINS`
independent accumulators (combined pairwise), one `vector.reduction`, then a scalar tail.
Along another axis: the vectors of a row accumulated side by side down the rows, in groups
of up to `MAX_COLUMN_VECTORS` (element by element for scalar tiles). Sums start from +0.0
(as numpy's: a sum of -0.0s is +0.0), maxima from the first element.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.dialects import arith, memref, vector
from xdsl.ir import SSAValue

from ziggurat.dialects import ztile
from ziggurat.lowering.zloop_builder import Buffer, ZLoopBuilder, tile_type

CHAINS = 4
"""Independent vector accumulators of a row reduction (a power of 2): vector adds take about
4 cycles on AVX2/AVX-512 cores and issue twice a cycle, so one chain runs at a fraction of
the load bandwidth."""


MAX_COLUMN_VECTORS = 16
"""Most vectors of a row a reduction along another axis than the last accumulates at once
(half the 32 vector registers of AVX-512)."""


def lower_reduce(g: ZLoopBuilder, op: ztile.ReduceOp) -> None:
    computed = g.computed.get(op.input)
    if computed is None:
        src = g.buffer(op.input)
    else:  # an elementwise chain's result, computed where it is read
        ty = tile_type(op.input)
        shape = tuple(ty.get_shape())
        src = Buffer(op.input, shape, ty.element_type, shape[-1] > 1)

    def read(idx: list[SSAValue]) -> SSAValue:
        return g.read(src, idx) if computed is None else computed(idx)

    shape, elt = src.shape, src.element_type
    axis = op.axis_value
    out_shape = tuple(1 if d == axis else n for d, n in enumerate(shape))
    out = g.alloc(out_shape, elt)
    g.buffers[op.result] = out
    is_sum = op.kind_name == "sum"
    combine = arith.AddfOp if is_sum else arith.MaximumfOp
    w = g.width

    if axis == len(shape) - 1 and src.vectorized:
        n = shape[-1]
        full = (n // w) * w

        def row(idx: list[SSAValue]) -> None:
            def at(j: SSAValue) -> list[SSAValue]:
                return [*idx, j]

            if full:
                # CHAINS independent accumulators hide the latency of the vector add or max
                # (one chain waits for each result before the next); they combine once, and
                # the vectors left over go into the combined one. A sum starts from +0.0
                # (numpy's: a sum of -0.0s is +0.0); a max from the first vectors.
                chains = CHAINS if full >= CHAINS * w else 1
                block = (full // (chains * w)) * (chains * w)
                if is_sum:
                    start, inits = 0, [g.const(0.0, elt, True)] * chains
                else:
                    start = chains * w
                    inits = [read(at(g.index(c * w))) for c in range(chains)]
                accs = g.loop(
                    start,
                    block,
                    chains * w,
                    inits,
                    lambda j, a: [
                        g.value(combine(a[c], read(at(g.addi(j, c * w))))) for c in range(chains)
                    ],
                )
                while len(accs) > 1:  # a balanced tree: (a0 + a1) + (a2 + a3)
                    accs = [g.value(combine(accs[c], accs[c + 1])) for c in range(0, len(accs), 2)]
                (acc,) = g.loop(
                    block,
                    full,
                    w,
                    accs,
                    lambda j, a: [g.value(combine(a[0], read(at(j))))],
                )
                kind = vector.CombiningKindFlag.ADD if is_sum else vector.CombiningKindFlag.MAXIMUMF
                red = vector.ReductionOp.create(
                    operands=[acc],
                    result_types=[elt],
                    properties={"kind": vector.CombiningKindAttr(kind)},
                )
                total = g.value(red)
            else:
                total = g.const(0.0 if is_sum else float("-inf"), elt, False)
            (total,) = g.loop(
                full,
                n,
                1,
                [total],
                lambda j, a: [
                    g.value(combine(a[0], g.value(memref.LoadOp.get(src.memref, g.at(src, at(j))))))
                ],
            )
            g.emit(memref.StoreOp.get(total, out.memref, at(g.index(0))))

        g.nest(shape[:-1], row)
        return

    blocks = g.padded(shape[-1]) // w if src.vectorized else 0
    if axis != len(shape) - 1 and blocks > 1:
        # Down the rows of a block of columns: every vector of a row in its own accumulator
        # (in groups of at most MAX_COLUMN_VECTORS), so each row is read contiguously and the
        # adds of one row are independent. Each column is still reduced row by row, in the
        # same order as one vector at a time.
        for first in range(0, blocks, MAX_COLUMN_VECTORS):
            group = range(first, min(blocks, first + MAX_COLUMN_VECTORS))
            _reduce_columns(g, read, out, shape[axis], axis, is_sum, [c * w for c in group])
        return

    def body(idx: list[SSAValue]) -> None:
        def at(k: SSAValue) -> list[SSAValue]:
            return [k if d == axis else i for d, i in enumerate(idx)]

        if is_sum:  # from +0.0, as numpy sums
            start, init = 0, g.const(0.0, elt, src.vectorized)
        else:
            start, init = 1, read(at(g.index(0)))
        (acc,) = g.loop(
            start,
            shape[axis],
            1,
            [init],
            lambda k, a: [g.value(combine(a[0], read(at(k))))],
        )
        g.write(acc, out, idx)

    g.tile_nest(out_shape, body)


def _reduce_columns(
    g: ZLoopBuilder,
    read: Callable[[list[SSAValue]], SSAValue],
    out: Buffer,
    length: int,
    axis: int,
    is_sum: bool,
    offsets: list[int],
) -> None:
    """Reduce `axis` (not the last; `length` long) of a vectorized tile for the vectors of
    its last dim at `offsets`, one accumulator each, carried down `axis` together, into
    `out` (1 along `axis`)."""
    combine = arith.AddfOp if is_sum else arith.MaximumfOp
    columns = [g.index(j) for j in offsets]
    elt = out.element_type

    def rows(idx: list[SSAValue]) -> None:
        def at(k: SSAValue, j: SSAValue) -> list[SSAValue]:
            return [*(k if d == axis else i for d, i in enumerate(idx)), j]

        if is_sum:  # from +0.0, as numpy sums
            start, inits = 0, [g.const(0.0, elt, True)] * len(columns)
        else:
            start, inits = 1, [read(at(g.index(0), j)) for j in columns]
        accs = g.loop(
            start,
            length,
            1,
            inits,
            lambda k, a: [g.value(combine(a[c], read(at(k, j)))) for c, j in enumerate(columns)],
        )
        for acc, j in zip(accs, columns, strict=True):
            g.write(acc, out, [*idx, j])

    g.nest(out.shape[:-1], rows)
