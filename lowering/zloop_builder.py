"""The builder of `ztile-to-zloop`: what lowering one `ztile.grid` to a `zloop.parallel` needs.

`ZLoopBuilder` appends ops to the parallel loop's body (or to the loop, test or branch being
built), defines constants once in a prologue at the top of that body (index constants and
index arithmetic from `IndexBuilder`), allocates the stack buffer of each tile value
(`Buffer`: the tile's shape with its last dimension padded to whole vectors), reads and
writes buffers a vector (or a scalar) at a time, and knows the compile-time value or upper
bound of the index values it has seen. The lowering of each kind of ztile op is in its own
module (`ztile_to_zloop_transfers`, `_elementwise`, `_reductions`, `_dot`); the driver is
`ztile_to_zloop.GridLowering`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from xdsl.dialects import arith, memref, scf, vector
from xdsl.dialects.builtin import Float32Type, FloatAttr, IntegerAttr, MemRefType, VectorType, i1
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.utils.exceptions import DiagnosticException

from ziggurat.dialects import zloop, ztile
from ziggurat.lowering.index_builder import ARITH_INDEX, IndexBuilder


@dataclass(frozen=True)
class Buffer:
    """The stack buffer holding a tile: `vectorized` buffers have a padded last dimension.
    With `offsets`, the tile is a view: element `idx` is `memref[offsets + idx]` (a loaded
    tile read in place, `ztile_to_zloop_transfers.in_place_view`, or a chain's result
    written where it is stored, `ztile_to_zloop_elementwise.in_place_target`)."""

    memref: SSAValue
    shape: tuple[int, ...]
    element_type: Attribute
    vectorized: bool
    offsets: tuple[SSAValue, ...] = ()


def memref_root(mem: SSAValue) -> SSAValue:
    """The buffer a memref value views (through reshapes and casts of memrefs)."""
    while isinstance(mem.owner, Operation) and mem.owner.dialect_name() == "memref":
        if not mem.owner.operands or isinstance(mem.owner, memref.LoadOp):
            break
        mem = mem.owner.operands[0]
    return mem


def tile_type(value: SSAValue) -> ztile.TileType:
    ty = value.type
    assert isinstance(ty, ztile.TileType)
    return ty


class ZLoopBuilder(IndexBuilder):
    """Builds the body of the `zloop.parallel` that replaces one `ztile.grid`: ops appended
    to the current block, constants (index ones from `IndexBuilder`) defined once in the
    prologue, stack buffers of tiles, loops and tests, and what is known of index values
    (compile-time values, upper bounds of non-negative ones)."""

    def __init__(self, width: int, grid: ztile.GridOp, parallel: zloop.ParallelOp) -> None:
        self.width = width
        self.grid = grid
        self.ivs = parallel.induction_vars
        self.block = parallel.body.block
        self.prologue: list[Operation] = []
        self.constants: dict[tuple[str | int, Attribute, bool], SSAValue] = {}
        self.values: dict[SSAValue, SSAValue] = {}
        self.buffers: dict[SSAValue, Buffer] = {}
        self.deferred: dict[SSAValue, ztile.LoadOp] = {}
        self.acc_splats: dict[SSAValue, ztile.SplatOp] = {}
        """Splats that only a dot's accumulator reads: lowered by the dot (no buffer)."""
        self.stored: set[ztile.StoreOp] = set()
        """Stores whose tile was written in place by the chain computing it."""
        self.computed: dict[SSAValue, Callable[[list[SSAValue]], SSAValue]] = {}
        """Tiles with no buffer: the function builds the element (a vector along the last
        dim, if > 1) at tile index `idx` where it is read (an elementwise chain's result
        whose one reader is a `ztile.reduce`: `ztile_to_zloop_elementwise.lower_chain`)."""
        self.upper: dict[SSAValue, int] = {
            iv: n - 1 for iv, n in zip(self.ivs, grid.grid_shape, strict=True)
        }
        super().__init__(ARITH_INDEX, self.emit, constants_at=self.prologue.append)

    # ----- building blocks -------------------------------------------------------------------

    def emit(self, op: Operation) -> Operation:
        self.block.add_op(op)
        return op

    def value(self, op: Operation) -> SSAValue:
        return self.emit(op).results[0]

    def lookup(self, value: SSAValue) -> SSAValue:
        return self.values.get(value, value)

    def const(self, x: float, element_type: Attribute, vectorized: bool) -> SSAValue:
        """A float constant (splat into a vector when `vectorized`), defined in the prologue;
        of an `i1` element type, `x != 0`."""
        key = (float(x).hex(), element_type, vectorized)  # tells -0.0 from +0.0
        if key not in self.constants:
            if element_type == i1:
                scalar = arith.ConstantOp(IntegerAttr(int(x != 0), i1))
            else:
                scalar = arith.ConstantOp(FloatAttr(x, cast(Float32Type, element_type)))
            self.prologue.append(scalar)
            result = scalar.result
            if vectorized:
                splat = vector.BroadcastOp(result, self.vector_type(element_type))
                self.prologue.append(splat)
                result = splat.vector
            self.constants[key] = result
        return self.constants[key]

    def vector_type(self, element_type: Attribute) -> VectorType[Attribute]:
        return VectorType(element_type, [self.width])

    def loop(
        self,
        lb: int,
        ub: int,
        step: int,
        inits: Sequence[SSAValue],
        body: Callable[[SSAValue, list[SSAValue]], Sequence[SSAValue]],
    ) -> list[SSAValue]:
        """A `zloop.for` with constant bounds (inlined when it runs at most once)."""
        trips = max(0, -(-(ub - lb) // step))
        if trips == 0:
            return list(inits)
        if trips == 1:
            return list(body(self.index(lb), list(inits)))
        op = zloop.ForOp.from_constants(lb, ub, step, inits)
        self.emit(op)
        saved, self.block = self.block, op.body.block
        results = body(op.induction_var, list(op.region_iter_args))
        self.emit(zloop.YieldOp(*results))
        self.block = saved
        return list(op.res)

    def nest(self, dims: Sequence[int], body: Callable[[list[SSAValue]], None]) -> None:
        """Loops over every index of `dims` (row-major), calling `body` with the indices."""

        def level(k: int, idx: list[SSAValue]) -> None:
            if k == len(dims):
                body(idx)
                return

            def step(iv: SSAValue, carried: list[SSAValue]) -> list[SSAValue]:
                level(k + 1, [*idx, iv])
                return []

            self.loop(0, dims[k], 1, [], step)

        level(0, [])

    def tile_nest(self, shape: Sequence[int], body: Callable[[list[SSAValue]], None]) -> None:
        """Loops over a tile: outer dims one by one, the last dim by whole vectors if > 1."""
        last = shape[-1]

        def outer(idx: list[SSAValue]) -> None:
            if last == 1:
                body([*idx, self.index(0)])
                return

            def step(j: SSAValue, carried: list[SSAValue]) -> list[SSAValue]:
                body([*idx, j])
                return []

            self.loop(0, self.padded(last), self.width, [], step)

        self.nest(shape[:-1], outer)

    def if_(
        self,
        cond: SSAValue,
        then: Callable[[], None],
        otherwise: Callable[[], None] | None = None,
    ) -> None:
        regions: list[Region] = []
        for fill in (then, otherwise):
            if fill is None:
                regions.append(Region())
                continue
            block = Block()
            saved, self.block = self.block, block
            fill()
            self.emit(scf.YieldOp())
            self.block = saved
            regions.append(Region(block))
        self.emit(scf.IfOp(cond, [], regions[0], regions[1]))

    def padded(self, n: int) -> int:
        return n if n == 1 else -(-n // self.width) * self.width

    def alloc(self, shape: Sequence[int], element_type: Attribute) -> Buffer:
        shape = tuple(shape)
        dims = (*shape[:-1], self.padded(shape[-1]))
        op = memref.AllocaOp.get(element_type, shape=dims)
        self.prologue.append(op)
        return Buffer(op.memref, shape, element_type, shape[-1] > 1)

    def at(self, buf: Buffer, idx: Sequence[SSAValue]) -> list[SSAValue]:
        """The memref indices of tile element `idx` of `buf`."""
        if not buf.offsets:
            return list(idx)
        return [self.addi(o, i) for o, i in zip(buf.offsets, idx, strict=True)]

    def read(self, buf: Buffer, idx: Sequence[SSAValue]) -> SSAValue:
        idx = self.at(buf, idx)
        if buf.vectorized:
            return self.value(vector.LoadOp(buf.memref, idx, self.vector_type(buf.element_type)))
        return self.value(memref.LoadOp.get(buf.memref, idx))

    def write(self, value: SSAValue, buf: Buffer, idx: Sequence[SSAValue]) -> None:
        idx = self.at(buf, idx)
        if buf.vectorized:
            self.emit(vector.StoreOp(value, buf.memref, idx))
        else:
            self.emit(memref.StoreOp.get(value, buf.memref, idx))

    def copy(self, src: Buffer, dst: Buffer) -> None:
        self.tile_nest(src.shape, lambda idx: self.write(self.read(src, idx), dst, idx))

    def buffer(self, tile: SSAValue) -> Buffer:
        if tile not in self.buffers:
            raise DiagnosticException(f"ztile-to-zloop: no buffer for tile value {tile.name_hint}")
        return self.buffers[tile]

    # ----- what is known of index values -----------------------------------------------------

    def provably_nonnegative(self, v: SSAValue) -> bool:
        """Whether an `index` value is known to be >= 0 at compile time."""
        known = self.value_of(v)
        return known >= 0 if known is not None else v in self.upper

    def in_bounds_view(
        self, mem_value: SSAValue, index_values: Sequence[SSAValue], tile: ztile.TileType
    ) -> Buffer | None:
        """The tile at `index_values` of memref `mem_value` as a view of the memref, when
        every program's tile lies wholly in bounds (from the offsets' compile-time bounds)
        and its rows are whole vectors; else None."""
        shape = tuple(tile.get_shape())
        if shape[-1] % self.width:
            return None
        mem = self.lookup(mem_value)
        mt = mem.type
        assert isinstance(mt, MemRefType)
        offsets = [self.lookup(v) for v in index_values]
        for o, t, d in zip(offsets, shape, mt.get_shape(), strict=True):
            high = self.upper_bound(o)
            if not self.provably_nonnegative(o) or high is None or high + t > d:
                return None
        return Buffer(mem, shape, tile.element_type, shape[-1] > 1, tuple(offsets))

    def upper_bound(self, v: SSAValue) -> int | None:
        """A compile-time upper bound of a non-negative `index` value, else None."""
        known = self.value_of(v)
        return known if known is not None else self.upper.get(v)
