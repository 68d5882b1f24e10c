"""The reduction kernels of `ztensor-to-ztile`: `reduce_sum/mean/max`, `softmax`, `layernorm`.

A reduction kernel is one `ztile.grid` over the kept axes of its view. Each program reduces
the reduced axes of its rows: whole when the reduced extent fits one tile, else chunk by
chunk with a `scf.for` per reduced axis (`ReductionKernel.over_chunks`). A full `sum`,
`mean` or `max` (every axis reduced) of at least `SPLIT_MIN` elements is two grids instead
of one program, so that every core takes part: `SPLIT` programs (or the largest divisor of
the outermost reduced axis's chunk count up to it) each reduce an equal run of chunks into
one partial (kept in the compute type), then one program reduces the partials in order. The
split depends on the shape only, never on the thread count, so results are the same on any
number of threads. The kernel's elementwise prologue (the group's other
members) is computed on every tile loaded. One method per kind writes the program body:

- `sum`, `mean`: a sum from +0.0 (then divided by the count);
- `max`: a maximum from -inf (tiles padded with -inf);
- `softmax`: the maximum, the sum of `exp(x - max)`, then `exp(x - max) / sum` stored;
- `layernorm`: the mean, the sum of squared deviations (corrected for padded elements,
  each of which added `mean**2`), then `(x - mean) / sqrt(var + eps)` stored.

On f16/bf16 inputs the program computes in f32: each loaded tile (its prologue computed in
the narrow type, op by op) is cast to f32, the statistics and the result are f32 tiles, and
the result is cast back once before its store (the semantics: f32 accumulation, one
rounding).

Assumes the group's root is one of those ops and its view, reduced view axes and tile come
from `ztensor_kernels.reduction_view`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from xdsl.dialects.builtin import Float32Type
from xdsl.ir import Block, SSAValue

from ziggurat.dialects import ztensor as zt
from ziggurat.dialects import ztile
from ziggurat.dialects.ztensor_kernels import NORMALIZE_TYPES, Group, View
from ziggurat.lowering.ztile_builder import (
    Gen,
    Shape,
    TileEmitter,
    alloc_like,
    element_type,
    emit_grid,
    finish,
)

_Step = Callable[[Gen, list[SSAValue], list[SSAValue]], list[SSAValue]]
"""One chunk of `over_chunks`: (builder, the chunk's offsets, carried values) -> carried."""

NEG_INF = float("-inf")
SPLIT = 8
"""Programs of the first grid of a split full reduction (at most)."""
SPLIT_MIN = 1 << 16
"""Elements a full reduction needs before it is split."""


class ReductionKernel:
    """The program of one reduction kernel (see the module docstring); made with the builder
    of the code before the group's root, where it allocates the result buffer."""

    def __init__(
        self,
        gen: Gen,
        group: Group,
        view: View,
        vaxes: tuple[int, ...],
        tile: Shape,
        leaves: dict[SSAValue, SSAValue],
    ) -> None:
        self.group = group
        self.op = group.root
        self.x = self.op.operands[0]
        self.result = self.op.results[0]
        self.view = view
        self.vaxes = vaxes
        self.tile = tile
        self.leaves = leaves
        self.elt = element_type(self.result)
        narrow = isinstance(self.elt, ztile.NARROW_FLOAT_TYPES)
        self.compute = Float32Type() if narrow else self.elt
        """The element type the program computes in (f32 for f16/bf16 inputs)."""
        dims = self.dims = view.dims
        self.kept = [d for d in range(len(dims)) if d not in vaxes]
        self.chunks = {a: -(-dims[a] // tile[a]) for a in vaxes}
        self.n_total = math.prod(dims[a] for a in vaxes)
        self.padded_total = math.prod(self.chunks[a] * tile[a] for a in vaxes)
        self.single = all(self.chunks[a] == 1 for a in vaxes)
        self.is_norm = isinstance(self.op, NORMALIZE_TYPES)
        stats_shape = tuple(1 if d in vaxes else t for d, t in enumerate(tile))
        self.stats_type = ztile.TileType(stats_shape, self.compute)
        self.tile_type = ztile.TileType(tile, self.compute)
        stats_dims = tuple(1 if d in vaxes else n for d, n in enumerate(dims))
        self.gen = gen
        self.out = alloc_like(gen, dims if self.is_norm else stats_dims, self.elt)
        self.split = self._split()

    def _split(self) -> int:
        """Programs of the first grid of a split full reduction (1: not split)."""
        if self.kept or self.single or self.n_total < SPLIT_MIN:
            return 1
        if not isinstance(self.op, zt.ReduceSumOp | zt.ReduceMeanOp | zt.ReduceMaxOp):
            return 1
        chunks = self.chunks[self.vaxes[0]]
        return max(p for p in range(1, SPLIT + 1) if chunks % p == 0)

    def emit(self) -> SSAValue:
        """The kernel's grid before the root; returns the tensor of its result."""
        gen, dims = self.gen, self.dims
        kept_dims = tuple(dims[d] for d in self.kept)
        kept_tile = tuple(self.tile[d] for d in self.kept)
        if kept_dims:
            emit_grid(gen, kept_dims, kept_tile, self.program)
        elif self.split > 1:
            self.emit_split()
        else:
            block = Block()
            g = Gen(block)
            self.program(g, [])
            g.add_op(ztile.YieldOp())
            gen.add_op(ztile.GridOp([1], block))
        return finish(gen, self.out, self.result, self.view if self.is_norm else None)

    def emit_split(self) -> None:
        """A full sum/mean/max as two grids: partials of equal runs of chunks, then their
        reduction in order (see the module docstring)."""
        parts_n, rank = self.split, len(self.dims)
        first = self.vaxes[0]
        run = self.chunks[first] // parts_n
        is_max = isinstance(self.op, zt.ReduceMaxOp)
        kind, pad = ("max", NEG_INF) if is_max else ("sum", 0.0)
        shape = (parts_n,) + (1,) * (rank - 1)
        parts = alloc_like(self.gen, shape, self.compute)

        def partial(g: Gen, ids: list[SSAValue]) -> None:
            start = g.muli(ids[0], run * self.tile[first])
            zeros = [g.index(0)] * rank
            t = self.total(g, zeros, kind, pad, runs=(start, run))
            g.add_op(ztile.StoreOp(t, parts, [ids[0], *zeros[1:]]))

        def combine(g: Gen, _: list[SSAValue]) -> None:
            zeros = [g.index(0)] * rank
            t = g.add(ztile.LoadOp(parts, zeros, ztile.TileType(shape, self.compute), pad))
            r = g.add(ztile.ReduceOp(kind, t, 0))
            if isinstance(self.op, zt.ReduceMeanOp):
                r = g.add(ztile.DivOp(r, self.splat(g, self.n_total)))
            self.store(g, r, zeros)

        emit_grid(self.gen, (), (), partial, extra_axes=(parts_n,))
        emit_grid(self.gen, (), (), combine)

    def program(self, g: Gen, kept_offs: list[SSAValue]) -> None:
        base: list[SSAValue] = [g.index(0)] * len(self.dims)
        for d, o in zip(self.kept, kept_offs, strict=True):
            base[d] = o
        op = self.op
        if isinstance(op, zt.ReduceMeanOp):
            self.mean(g, base)
        elif isinstance(op, zt.ReduceSumOp):
            self.sum(g, base)
        elif isinstance(op, zt.ReduceMaxOp):
            self.max(g, base)
        elif isinstance(op, zt.SoftmaxOp):
            self.softmax(g, base)
        else:
            assert isinstance(op, zt.LayerNormOp), op.name
            self.layernorm(g, base)

    # ----- building blocks -------------------------------------------------------------------

    def load(self, g: Gen, offs: list[SSAValue], pad: float) -> SSAValue:
        """The tile of the kernel's input at `offs` (its prologue computed on it), in the
        compute type."""
        em = TileEmitter(g, self.view, self.group.members, self.leaves, padding=pad)
        t = em.emit(self.x, offs, self.tile)
        if self.compute != self.elt:
            t = g.add(ztile.CastOp(t, self.compute))
        return t

    def store(self, g: Gen, t: SSAValue, offs: list[SSAValue]) -> None:
        """Store the compute-type tile `t` into the result at `offs` (rounded once to the
        result's type)."""
        if self.compute != self.elt:
            t = g.add(ztile.CastOp(t, self.elt))
        g.add_op(ztile.StoreOp(t, self.out, offs))

    def reduce(self, g: Gen, t: SSAValue, kind: str) -> SSAValue:
        # Reducing an axis the tile has one element along computes nothing (each chunk of a
        # full reduction is 1 x n): one reduce is kept, so a sum still starts from +0.0.
        axes = [a for a in self.vaxes if self.tile[a] > 1] or list(self.vaxes[-1:])
        for a in axes:
            t = g.add(ztile.ReduceOp(kind, t, a))
        return t

    def over_chunks(
        self,
        g: Gen,
        base: list[SSAValue],
        inits: list[SSAValue],
        step: _Step,
        runs: tuple[SSAValue, int] | None = None,
    ) -> list[SSAValue]:
        """Runs `step(offs, carried)` for every chunk along the reduced axes (`runs`: only
        the `runs[1]` chunks of the first reduced axis from offset `runs[0]`)."""

        def level(gg: Gen, i: int, offs: list[SSAValue], carried: list[SSAValue]) -> list[SSAValue]:
            if i == len(self.vaxes):
                return step(gg, offs, carried)
            a = self.vaxes[i]
            start = runs[0] if runs is not None and i == 0 else None

            def inner(g2: Gen, iv: SSAValue, c: list[SSAValue]) -> list[SSAValue]:
                o = list(offs)
                o[a] = iv if start is None else g2.addi(start, iv)
                return level(g2, i + 1, o, c)

            count = self.dims[a] if runs is None or i else runs[1] * self.tile[a]
            return gg.loop(count, self.tile[a], carried, inner)

        return level(g, 0, list(base), inits)

    def total(
        self,
        g: Gen,
        base: list[SSAValue],
        kind: str,
        pad: float,
        f: Callable[[Gen, SSAValue], SSAValue] | None = None,
        whole: SSAValue | None = None,
        runs: tuple[SSAValue, int] | None = None,
    ) -> SSAValue:
        """The `kind` ("sum" or "max") of `f` of the input over the reduced axes, as a stats
        tile (`whole`: the input's one tile, already loaded with padding 0.0; `runs`: only
        those chunks of the first reduced axis, see `over_chunks`)."""
        if self.single:
            t = whole if whole is not None and pad == 0.0 else self.load(g, base, pad)
            return self.reduce(g, f(g, t) if f else t, kind)
        init_value = 0.0 if kind == "sum" else NEG_INF
        init = g.add(ztile.SplatOp(g.fconst(init_value, self.compute), self.stats_type))
        combine = ztile.AddOp if kind == "sum" else ztile.MaximumOp

        def step(gg: Gen, offs: list[SSAValue], c: list[SSAValue]) -> list[SSAValue]:
            t = self.load(gg, offs, pad)
            r = self.reduce(gg, f(gg, t) if f else t, kind)
            return [gg.add(combine(c[0], r))]

        return self.over_chunks(g, base, [init], step, runs)[0]

    def broadcast(self, g: Gen, t: SSAValue) -> SSAValue:
        """A stats tile broadcast to the input's tile."""
        return g.add(ztile.BroadcastOp(t, self.tile_type))

    def splat(self, g: Gen, value: float) -> SSAValue:
        return g.add(ztile.SplatOp(g.fconst(value, self.compute), self.stats_type))

    # ----- kinds -----------------------------------------------------------------------------

    def sum(self, g: Gen, base: list[SSAValue]) -> None:
        self.store(g, self.total(g, base, "sum", 0.0), base)

    def mean(self, g: Gen, base: list[SSAValue]) -> None:
        r = self.total(g, base, "sum", 0.0)
        r = g.add(ztile.DivOp(r, self.splat(g, self.n_total)))
        self.store(g, r, base)

    def max(self, g: Gen, base: list[SSAValue]) -> None:
        self.store(g, self.total(g, base, "max", NEG_INF), base)

    def softmax(self, g: Gen, base: list[SSAValue]) -> None:
        mx = self.total(g, base, "max", NEG_INF)

        def shifted_exp(gg: Gen, t: SSAValue) -> SSAValue:
            return gg.add(ztile.ExpOp(gg.add(ztile.SubOp(t, self.broadcast(gg, mx)))))

        s = self.total(g, base, "sum", NEG_INF, shifted_exp)

        def write(gg: Gen, offs: list[SSAValue], c: list[SSAValue]) -> list[SSAValue]:
            e = shifted_exp(gg, self.load(gg, offs, NEG_INF))
            y = gg.add(ztile.DivOp(e, self.broadcast(gg, s)))
            self.store(gg, y, offs)
            return []

        self.over_chunks(g, base, [], write)

    def layernorm(self, g: Gen, base: list[SSAValue]) -> None:
        op = self.op
        assert isinstance(op, zt.LayerNormOp)
        whole = self.load(g, base, 0.0) if self.single else None
        count = self.splat(g, self.n_total)
        mean = g.add(ztile.DivOp(self.total(g, base, "sum", 0.0, whole=whole), count))

        def square_dev(gg: Gen, t: SSAValue) -> SSAValue:
            d = gg.add(ztile.SubOp(t, self.broadcast(gg, mean)))
            return gg.add(ztile.MulOp(d, d))

        ss = self.total(g, base, "sum", 0.0, square_dev, whole=whole)
        if self.padded_total != self.n_total:
            # Padded elements (0.0) each added mean**2 to the sum of squared deviations.
            pads = self.splat(g, self.padded_total - self.n_total)
            ss = g.add(ztile.SubOp(ss, g.add(ztile.MulOp(pads, g.add(ztile.MulOp(mean, mean))))))
        eps = self.splat(g, op.epsilon.value.data)
        denom = g.add(ztile.SqrtOp(g.add(ztile.AddOp(g.add(ztile.DivOp(ss, count)), eps))))

        def write(gg: Gen, offs: list[SSAValue], c: list[SSAValue]) -> list[SSAValue]:
            t = whole if whole is not None else self.load(gg, offs, 0.0)
            y = gg.add(
                ztile.DivOp(
                    gg.add(ztile.SubOp(t, self.broadcast(gg, mean))), self.broadcast(gg, denom)
                )
            )
            self.store(gg, y, offs)
            return []

        self.over_chunks(g, base, [], write)
