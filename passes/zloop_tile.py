"""`zloop-tile{sizes=32,32 skew=false remarks=false}`: rectangular tiling of loop bands,
skewed first when that makes tiling legal.

For each outermost `zloop.for`, the band is it and the loops perfectly nested in it, one per
tile size. Tiling the band with sizes `T0, T1, ...` gives tile loops over `t_k` (step `T_k`)
around point loops over `i_k` from `max(lb_k, t_k)` to `min(ub_k, t_k + T_k)`:

```
zloop.for %i = 0 to 64 {              zloop.for %ti = 0 to 64 step 32 {
  zloop.for %j = 0 to 48 {      ->      zloop.for %tj = 0 to 48 step 16 {
    BODY                                  zloop.for %i = %ti to min(64, %ti + 32) {
                                            zloop.for %j = %tj to min(48, %tj + 16) { BODY
```

Legality comes from the polyhedral model (`ziggurat.passes.polyhedral`, islpy): tiling
reorders the band's iterations. It is legal when every dependence between them has
non-negative distances on all of the band's loops. When a dependence has a negative distance,
the nest is left unchanged, and `remarks=true` says which dependence forbids tiling. With
`skew=true`, the pass first looks for a skew that makes tiling legal: each inner band loop
`k` gets the new coordinate `y_k = x_k + sum_{l<k} f_kl * x_l` (a unimodular,
lower-triangular transform, as Pluto's tiling hyperplanes are for stencils). Its
coefficients are the smallest non-negative ones, row by row, that make every distance
non-negative. For the (1, -1) dependence of a Gauss-Seidel stencil that is `j' = j + i`.
For a time-iterated stencil over (t, i, j) it may be `i' = i + t, j' = j + t + i`. The
pass then tiles the skewed band. Tile loops of a
skewed band get bounds that cover every point of their tile (a parallelogram), and the point
loops clip to the exact domain.

Bounds may be affine in `index` values defined outside the band and, after a skew, in the
outer band loops. A band loop with iter_args, with a bound that is not linear, or with a step
that does not divide its tile size (or any step other than 1 when skewing) is left unchanged,
with a remark. Assumes the memref arguments of a function do not alias one another.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith
from xdsl.dialects.builtin import IndexType, IntegerAttr, ModuleOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter

from ziggurat.dialects import zloop
from ziggurat.errors import PassOptionError
from ziggurat.passes.polyhedral import Dependence, NestModel
from ziggurat.passes.zloop_nest import (
    Bounds,
    Linear,
    Refused,
    bounds_of,
    build_for,
    move_body,
    outermost_loops,
    rectangular_band,
    remark,
)

MAX_SKEW = 16
"""The largest skew factor tried."""


Skew = list[list[int]]
"""Row `k` holds the coefficients `f_kl` (l < k) of the skew `y_k = x_k + sum_l f_kl * x_l`
of band loop `k` (row 0 is empty): a unimodular, lower-triangular change of coordinates."""


def no_skew(n: int) -> Skew:
    return [[0] * k for k in range(n)]


def skew_factors(model: NestModel, band: list[zloop.ForOp]) -> Skew:
    """The skew with the smallest coefficients (row by row, smallest sum first) after which
    every dependence has non-negative distances on the band: a distance `d` becomes
    `d'_k = d_k + sum_l f_kl * d_l`. Raises `Refused` when no row with coefficients summing
    to at most MAX_SKEW works."""
    skew: Skew = [[]]
    for k in range(1, len(band)):
        for row in _rows(k, MAX_SKEW):
            if not any(_negative_after_skew(dep, band, k, row) for dep in model.dependences):
                skew.append(row)
                break
        else:
            dep = next(d for d in model.dependences if _negative_after_skew(d, band, k, [0] * k))
            raise Refused(
                f"no skew by the outer band loops (coefficients summing to at most {MAX_SKEW}) "
                f"makes tiling legal: it would still violate the {dep.describe()}"
            )
    return skew


def _rows(k: int, limit: int) -> list[list[int]]:
    """Every row of `k` non-negative coefficients summing to at most `limit`, by sum."""
    rows: list[list[int]] = []
    for total in range(limit + 1):
        rows += [list(c) for c in _compositions(total, k)]
    return rows


def _compositions(total: int, parts: int) -> list[tuple[int, ...]]:
    if parts == 1:
        return [(total,)]
    return [
        (first, *rest)
        for first in range(total, -1, -1)
        for rest in _compositions(total - first, parts - 1)
    ]


def _negative_after_skew(dep: Dependence, band: list[zloop.ForOp], k: int, row: list[int]) -> bool:
    levels = [lvl for lvl, lp in enumerate(dep.common) if lp.op in band]
    if len(levels) <= k:
        return False
    zeros = " and ".join(f"d{m} = 0" for m in range(levels[0])) or "true"
    skewed = " + ".join([f"d{levels[k]}", *(f"{f} * d{levels[m]}" for m, f in enumerate(row) if f)])
    return dep.has_distance(f"{zeros} and {skewed} < 0")


def describe_skew(band: list[zloop.ForOp], skew: Skew) -> str:
    """The skew as equations, e.g. `j' = j + i`."""
    names = [lp.induction_var.name_hint or f"loop{k}" for k, lp in enumerate(band)]
    eqs = []
    for k, row in enumerate(skew):
        terms = [names[m] if f == 1 else f"{f}*{names[m]}" for m, f in enumerate(row) if f]
        if terms:
            eqs.append(f"{names[k]}' = {' + '.join([names[k], *terms])}")
    return ", ".join(eqs)


def tile_band(band: list[zloop.ForOp], sizes: tuple[int, ...], skew: Skew) -> None:
    """Replace the perfect `band` by its tiled (and, where `skew` has non-zero coefficients,
    skewed) version. The caller has checked legality."""
    n = len(band)
    bounds: list[Bounds] = []
    for loop in band:
        b = bounds_of(loop)
        assert b is not None
        bounds.append(b)
    old_ivs = [loop.induction_var for loop in band]
    # Point ivs are created before their loops so that inner bounds can refer to them.
    point_blocks = [Block(arg_types=[IndexType()]) for _ in range(n)]
    points = [blk.args[0] for blk in point_blocks]
    # The original ivs in terms of the new point ivs (x = inverse(L) y, by substitution):
    # x_k = y_k - sum_l f_kl * x_l.
    originals: list[Linear] = []
    for k in range(n):
        x = Linear.of(points[k])
        for m, f in enumerate(skew[k]):
            x = x.plus(originals[m], -f)
        originals.append(x)
    skewed: list[Bounds] = []
    for k in range(n):
        b = bounds[k]
        for m in range(k):
            b = b.substitute(old_ivs[m], originals[m])
        shift = Linear(0)
        for m, f in enumerate(skew[k]):
            shift = shift.plus(originals[m], f)
        if shift.terms:
            b = Bounds([f.plus(shift) for f in b.lower], [f.plus(shift) for f in b.upper], b.step)
        skewed.append(b)

    tiles: list[zloop.ForOp] = []
    exact_lower: list[bool] = []
    for k in range(n):
        b = skewed[k]
        # A tile loop whose lower bound is the band loop's own starts every tile in the domain.
        exact_lower.append(not b.uses(points))
        for m in range(k):
            t = Linear.of(tiles[m].induction_var)
            last = t.shifted(sizes[m] - 1)
            b = Bounds(
                [_extreme(f, points[m], t, last, low=True) for f in b.lower],
                [_extreme(f, points[m], t, last, low=False) for f in b.upper],
                b.step,
            )
        tile = build_for(Bounds(b.lower, b.upper, sizes[k]))
        if tiles:
            _append(tiles[-1].body.block, tile)
        tiles.append(tile)
    parent: Block = tiles[-1].body.block
    innermost: zloop.ForOp | None = None
    for k in range(n):
        t = Linear.of(tiles[k].induction_var)
        b = skewed[k]
        lower = [t] if exact_lower[k] else [*b.lower, t]
        upper = [t.shifted(sizes[k])]
        if not _divides(sizes[k], b):
            upper = [*b.upper, *upper]
        point = build_for(Bounds(lower, upper, b.step), point_blocks[k])
        _append(parent, point)
        parent = point_blocks[k]
        innermost = point
    assert innermost is not None
    body = innermost.body.block
    for k in range(n):
        name = old_ivs[k].name_hint
        points[k].name_hint = name
        tiles[k].induction_var.name_hint = f"{name}_tile" if name else None
    replacements: dict[SSAValue, SSAValue] = {old_ivs[0]: points[0]}
    for k in range(1, n):
        if not any(skew[k]):
            replacements[old_ivs[k]] = points[k]
            continue
        offset: SSAValue | None = None
        for m, f in enumerate(skew[k]):
            if not f:
                continue
            term = replacements[old_ivs[m]]
            if f != 1:
                c = arith.ConstantOp(IntegerAttr.from_index_int_value(f))
                body.add_ops([c, mul := arith.MuliOp(term, c.result)])
                term = mul.result
            if offset is not None:
                body.add_op(add := arith.AddiOp(offset, term))
                term = add.result
            offset = term
        assert offset is not None
        original = arith.SubiOp(points[k], offset)
        body.add_op(original)
        original.result.name_hint = old_ivs[k].name_hint
        points[k].name_hint = f"{old_ivs[k].name_hint}_skewed" if old_ivs[k].name_hint else None
        replacements[old_ivs[k]] = original.result
    move_body(band[-1].body.block, body, replacements)
    Rewriter.replace_op(band[0], tiles[0], new_results=[])


def _divides(size: int, b: Bounds) -> bool:
    """Whether tiles of `size` cover the constant range of `b` exactly (no partial tile)."""
    if len(b.lower) != 1 or len(b.upper) != 1 or b.lower[0].terms or b.upper[0].terms:
        return False
    return (b.upper[0].const - b.lower[0].const) % size == 0


def _extreme(form: Linear, p: SSAValue, first: Linear, last: Linear, low: bool) -> Linear:
    """`form` with the point iv `p`, which runs over [first, last], replaced by the end that
    makes it smallest (`low`) or largest."""
    c = form.terms.get(p, 0)
    if not c:
        return form
    return form.substitute(p, first if (c > 0) == low else last)


def _append(block: Block, loop: Operation) -> None:
    block.add_op(loop)
    block.add_op(zloop.YieldOp())


def check_band(
    loop: zloop.ForOp, sizes: tuple[int, ...], skew: bool
) -> tuple[list[zloop.ForOp], Skew]:
    """The band of `loop` to tile and its skew factors (raises `Refused` saying why not)."""
    band, model = rectangular_band(loop, len(sizes), f"{len(sizes)} tile sizes")
    factors = no_skew(len(band))
    forbidding = model.can_tile(list(band))
    if forbidding is not None:
        if not skew:
            raise Refused(
                f"tiling would violate the {forbidding.describe()} (skew=true may make it legal)"
            )
        factors = skew_factors(model, band)
    for depth, (lp, size) in enumerate(zip(band, sizes, strict=True)):
        step = lp.step_value
        if step != 1 and any(any(row) for row in factors):
            raise Refused(f"band loop {depth} has step {step}: only unit steps are skewed")
        if size % step:
            raise Refused(
                f"tile size {size} of band loop {depth} is not a multiple of its step {step}"
            )
    return band, factors


@dataclass(frozen=True)
class ZLoopTilePass(ModulePass):
    """Tile the perfect band of every outermost `zloop.for` where the dependences allow it."""

    name = "zloop-tile"

    sizes: tuple[int, ...] = ()
    skew: bool = False
    remarks: bool = False

    def validate(self) -> None:
        if not self.sizes:
            raise PassOptionError(
                self.name, "sizes", "give one tile size per band loop, e.g. sizes=32,32"
            )
        if any(s < 1 for s in self.sizes):
            raise PassOptionError(self.name, "sizes", f"sizes must be >= 1, got {self.sizes}")

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        self.validate()
        for loop in outermost_loops(op):
            try:
                band, factors = check_band(loop, self.sizes, self.skew)
            except Refused as why:
                if self.remarks:
                    remark(self.name, loop, f"nest not tiled: {why}")
                continue
            if self.remarks and any(any(row) for row in factors):
                remark(self.name, loop, f"nest skewed ({describe_skew(band, factors)}) before tiling")
            tile_band(band, self.sizes, factors)
