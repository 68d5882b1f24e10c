"""`ztile-to-zloop{vector-width=16}`: lower tile programs to parallel loops over vectors.

Each `ztile.grid` becomes a `zloop.parallel` over the grid whose body works on stack buffers
(`memref.alloca`, one per tile value, allocated at the top of the parallel body) with loops
(`zloop.for`) over `vector<Wxf32>` values, W being the `vector-width` option (16 for AVX-512,
8 for AVX2). The output uses only the ops of the lowering contract: `zloop`, `scf.for/if`,
`arith`, `math`, `memref.alloca/load/store` and `vector.load/store/maskedload/maskedstore/
create_mask/broadcast/fma/reduction`.

Assumptions: the grid bodies are bufferized (tiles are loaded from and stored to memrefs
with static shapes and identity layout); load/store offsets are non-negative; tiles flow
only through ztile ops, `scf.for` iter_args/results and `scf.yield` (no tiles through
`scf.if` or function calls). Other ops in a grid body (index math, scalar arith) are
copied unchanged.

Layout of a tile buffer: the tile's shape with the last dimension rounded up to a multiple
of W, so every row is a whole number of vectors; tiles whose last dimension is 1 (e.g. the
result of a reduction along the last axis) are not padded and use scalar code. Columns past
the tile's logical width hold don't-care values: reductions and stores ignore them.

Lowering per op:
- `ztile.program_id k` -> the k-th induction variable of the parallel loop.
- `ztile.load`/`ztile.store` -> a run-time test whether the whole tile lies in bounds; full
  tiles use plain vector loads/stores (a constant-mask masked access for a last-dimension
  tail that is not a multiple of W); edge tiles skip out-of-bounds rows and mask columns with
  `vector.create_mask` of the in-bounds count (loads fill the rest with `padding`). When the
  tile is larger than the memref, only the edge path is emitted. An offset that may be
  negative (not a non-negative constant, grid index or loop counter, or sum or product of
  such) is tested too, and its edge path moves scalars, each guarded on both sides.
- elementwise ops, `ztile.broadcast` and `ztile.splat` -> fused: consecutive ops producing
  tiles of the same shape become one loop nest over vectors, storing only values used
  outside the chain. Each element of an elementwise op becomes the `arith`/`math` ops its
  row of the op table names (`ziggurat.dialects.optable`: `exp` -> `math.exp`, `relu` ->
  `arith.maximumf` with +0.0, `gelu` -> its tanh approximation, ...).
- `ztile.reduce` -> along the last axis: vector accumulation, `vector.reduction`, scalar
  tail; along another axis: whole-vector accumulation across rows. Sums start from +0.0 (as
  numpy's: a sum of -0.0s is +0.0), maxima from the first element.
- `ztile.dot` -> register blocks of up to 6 rows x 4 vectors (2 vectors when W < 16) of
  the accumulator carried as `zloop.for` iter_args over K; each step broadcasts one element
  of A and multiplies it into a vector of B with `vector.fma`. When the accumulator tile has
  no other use (the usual `scf.for` K loop), its buffer is updated in place. A `ztile.load`
  whose only use is the lhs of a later dot (with only loads and `arith` ops in between) is
  not copied when the whole tile lies in bounds: the dot reads A from the loaded memref.
  Whether it does is decided at compile time from upper bounds of the offsets (grid size,
  `scf.for` bounds, `arith.addi`/`muli` of those), else by a run-time test whose other
  branch loads the tile (with padding) into a buffer and runs the same dot on it.
- `ztile.transpose` -> scalar copy loops.
- `scf.for` carrying tiles -> an `scf.for` over the non-tile iter_args; each tile iter_arg
  lives in one buffer updated by the body (copied only when the yielded tile lives elsewhere).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from xdsl.context import Context
from xdsl.dialects import arith, math, memref, scf, vector
from xdsl.dialects.builtin import (
    Float32Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    VectorType,
    i1,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.irdl import IRDLOperation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.traits import IsTerminator
from xdsl.utils.exceptions import DiagnosticException

from ziggurat.dialects import optable, zloop, ztile

_GROUP_OPS: tuple[type[Operation], ...] = (
    *ztile.ELEMENTWISE_OPS.values(),
    ztile.BroadcastOp,
    ztile.SplatOp,
)

_ROWS: dict[type[Operation], optable.Elementwise] = {
    op: optable.ELEMENTWISE[name] for name, op in ztile.ELEMENTWISE_OPS.items()
}
"""The op table row of each elementwise ztile op."""

_SCALAR_CLASSES: list[type[Operation]] = [
    *arith.Arith.operations,
    *math.Math.operations,
    zloop.CmpfOp,
    zloop.SelectOp,
]
_SCALAR_OPS: dict[str, Callable[..., Operation]] = {
    cast(type[IRDLOperation], op).name: op for op in _SCALAR_CLASSES
}
"""`arith`/`math`/`zloop` op classes by name, for the op table's expansions."""


class _Scalars:
    """Builds one element of an op table expansion (`optable.Scalars`) in a grid body."""

    def __init__(self, lowering: _GridLowering, element_type: Attribute, vectorized: bool):
        self.lowering = lowering
        self.element_type = element_type
        self.vectorized = vectorized

    def const(self, value: float) -> SSAValue:
        return self.lowering.const(value, self.element_type, self.vectorized)

    def op(self, name: str, *operands: SSAValue, predicate: str | None = None) -> SSAValue:
        cls = _SCALAR_OPS[name]
        op = cls(*operands) if predicate is None else cls(*operands, predicate)
        return self.lowering.value(op)


@dataclass(frozen=True)
class Buffer:
    """The stack buffer holding a tile: `vectorized` buffers have a padded last dimension."""

    memref: SSAValue
    shape: tuple[int, ...]
    element_type: Attribute
    vectorized: bool


def _tile_type(value: SSAValue) -> ztile.TileType:
    ty = value.type
    assert isinstance(ty, ztile.TileType)
    return ty


class _GridLowering:
    """Emits the body of the `zloop.parallel` that replaces one `ztile.grid`."""

    def __init__(self, width: int, grid: ztile.GridOp, parallel: zloop.ParallelOp) -> None:
        self.width = width
        self.grid = grid
        self.ivs = parallel.induction_vars
        self.block = parallel.body.block
        self.prologue: list[Operation] = []
        self.constants: dict[tuple[str | int, Attribute, bool], SSAValue] = {}
        self.values: dict[SSAValue, SSAValue] = {}
        self.buffers: dict[SSAValue, Buffer] = {}
        self.known_ints: dict[SSAValue, int] = {}
        self.deferred: dict[SSAValue, ztile.LoadOp] = {}
        self.upper: dict[SSAValue, int] = {
            iv: n - 1 for iv, n in zip(self.ivs, grid.grid_shape, strict=True)
        }

    # ----- building blocks -------------------------------------------------------------------

    def emit(self, op: Operation) -> Operation:
        self.block.add_op(op)
        return op

    def value(self, op: Operation) -> SSAValue:
        return self.emit(op).results[0]

    def lookup(self, value: SSAValue) -> SSAValue:
        return self.values.get(value, value)

    def index(self, n: int) -> SSAValue:
        """An `index` constant, defined once in the prologue."""
        key = (n, IndexType(), False)
        if key not in self.constants:
            op = arith.ConstantOp(IntegerAttr(n, IndexType()))
            self.prologue.append(op)
            self.constants[key] = op.result
            self.known_ints[op.result] = n
        return self.constants[key]

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

    def known(self, v: int | SSAValue) -> int | None:
        """The value of an `index` known at compile time, else None."""
        return v if isinstance(v, int) else self.known_ints.get(v)

    def add(self, a: int | SSAValue, b: int | SSAValue) -> SSAValue:
        ka, kb = self.known(a), self.known(b)
        if ka is not None and kb is not None:
            return self.index(ka + kb)
        if kb == 0:
            assert not isinstance(a, int)
            return a
        if ka == 0:
            assert not isinstance(b, int)
            return b
        lhs = self.index(a) if isinstance(a, int) else a
        rhs = self.index(b) if isinstance(b, int) else b
        return self.value(arith.AddiOp(lhs, rhs))

    def sub(self, a: int | SSAValue, b: int | SSAValue) -> SSAValue:
        ka, kb = self.known(a), self.known(b)
        if ka is not None and kb is not None:
            return self.index(ka - kb)
        if kb == 0:
            assert not isinstance(a, int)
            return a
        lhs = self.index(a) if isinstance(a, int) else a
        rhs = self.index(b) if isinstance(b, int) else b
        return self.value(arith.SubiOp(lhs, rhs))

    def min(self, a: SSAValue, b: SSAValue) -> SSAValue:
        """The smaller of two `index` values (`cmpi` + `select`)."""
        return self.value(arith.SelectOp(self.value(arith.CmpiOp(a, b, "slt")), a, b))

    def nonnegative(self, values: Sequence[SSAValue]) -> SSAValue:
        """An i1 that is true when every `index` in `values` is >= 0."""
        low = values[0]
        for v in values[1:]:
            low = self.min(low, v)
        return self.value(arith.CmpiOp(low, self.index(0), "sge"))

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

    def read(self, buf: Buffer, idx: Sequence[SSAValue]) -> SSAValue:
        if buf.vectorized:
            return self.value(vector.LoadOp(buf.memref, idx, self.vector_type(buf.element_type)))
        return self.value(memref.LoadOp.get(buf.memref, idx))

    def write(self, value: SSAValue, buf: Buffer, idx: Sequence[SSAValue]) -> None:
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

    # ----- driving ---------------------------------------------------------------------------

    def run(self) -> None:
        self.lower_ops(list(self.grid.body.block.ops))
        self.emit(zloop.YieldOp())
        first = self.block.first_op
        assert first is not None
        self.block.insert_ops_before(self.prologue, first)

    def lower_ops(self, ops: Sequence[Operation]) -> None:
        group: list[Operation] = []
        for load in _dot_lhs_loads(ops):
            self.deferred[load.result] = load

        def flush() -> None:
            if group:
                self.lower_group(list(group))
                group.clear()

        for op in ops:
            if isinstance(op, _GROUP_OPS):
                shape = _tile_type(op.results[0]).get_shape()
                if group and _tile_type(group[0].results[0]).get_shape() != shape:
                    flush()
                group.append(op)
                continue
            produced = {r for g in group for r in g.results}
            if op.regions or op.has_trait(IsTerminator) or any(v in produced for v in op.operands):
                flush()
            if isinstance(op, ztile.LoadOp) and op.result in self.deferred:
                continue
            self.lower_op(op)
        flush()

    def lower_op(self, op: Operation) -> None:
        match op:
            case ztile.YieldOp():
                pass
            case ztile.ProgramIdOp():
                self.values[op.result] = self.ivs[op.axis_value]
            case ztile.LoadOp():
                self.lower_load(op)
            case ztile.StoreOp():
                self.lower_store(op)
            case ztile.DotOp():
                self.lower_dot(op)
            case ztile.ReduceOp():
                self.lower_reduce(op)
            case ztile.TransposeOp():
                self.lower_transpose(op)
            case scf.ForOp():
                self.lower_for(op)
            case _:
                self.copy_op(op)

    def copy_op(self, op: Operation) -> None:
        tiles = [v for v in (*op.operands, *op.results) if isinstance(v.type, ztile.TileType)]
        nested_ztile = any(o.dialect_name() == "ztile" for r in op.regions for o in r.walk())
        if tiles or nested_ztile:
            raise DiagnosticException(f"ztile-to-zloop: cannot lower '{op.name}' carrying tiles")
        new = op.clone(value_mapper=dict(self.values))
        self.emit(new)
        for old, res in zip(op.results, new.results, strict=True):
            self.values[old] = res
        if (
            isinstance(new, arith.ConstantOp)
            and isinstance(new.value, IntegerAttr)
            and isinstance(new.result.type, IndexType)
        ):
            self.known_ints[new.result] = new.value.value.data
        elif isinstance(new, arith.AddiOp | arith.MuliOp):
            lhs, rhs = self.upper_bound(new.lhs), self.upper_bound(new.rhs)
            if lhs is not None and rhs is not None and min(lhs, rhs) >= 0:
                self.upper[new.result] = lhs + rhs if isinstance(new, arith.AddiOp) else lhs * rhs

    def provably_nonnegative(self, v: SSAValue) -> bool:
        """Whether an `index` value is known to be >= 0 at compile time."""
        known = self.known(v)
        return known >= 0 if known is not None else v in self.upper

    def upper_bound(self, v: SSAValue) -> int | None:
        """A compile-time upper bound of a non-negative `index` value, else None."""
        known = self.known(v)
        return known if known is not None else self.upper.get(v)

    # ----- scf.for carrying tiles ------------------------------------------------------------

    def lower_for(self, op: scf.ForOp) -> None:
        is_tile = [isinstance(v.type, ztile.TileType) for v in op.iter_args]
        iter_bufs: dict[int, Buffer] = {}
        for k, init in enumerate(op.iter_args):
            if not is_tile[k]:
                continue
            src = self.buffer(init)
            if init.has_one_use():
                iter_bufs[k] = src
            else:
                iter_bufs[k] = self.alloc(src.shape, src.element_type)
                self.copy(src, iter_bufs[k])
        old_block = op.body.block
        inits = [self.lookup(v) for k, v in enumerate(op.iter_args) if not is_tile[k]]
        arg_types = [old_block.args[0].type] + [
            a.type for k, a in enumerate(old_block.args[1:]) if not is_tile[k]
        ]
        new_block = Block(arg_types=arg_types)
        new = scf.ForOp(
            self.lookup(op.lb), self.lookup(op.ub), self.lookup(op.step), inits, new_block
        )
        self.emit(new)
        self.values[old_block.args[0]] = new_block.args[0]
        lb, ub, step = (self.known(self.lookup(v)) for v in (op.lb, op.ub, op.step))
        if lb is not None and ub is not None and step is not None and 0 <= lb < ub and step > 0:
            self.upper[new_block.args[0]] = lb + (ub - lb - 1) // step * step
        scalars = iter(new_block.args[1:])
        for k, arg in enumerate(old_block.args[1:]):
            if is_tile[k]:
                self.buffers[arg] = iter_bufs[k]
            else:
                self.values[arg] = next(scalars)
        saved, self.block = self.block, new_block
        terminator = old_block.last_op
        assert isinstance(terminator, scf.YieldOp)
        self.lower_ops([o for o in old_block.ops if o is not terminator])
        yielded: list[SSAValue] = []
        for k, v in enumerate(terminator.arguments):
            if is_tile[k]:
                src = self.buffer(v)
                if src.memref is not iter_bufs[k].memref:
                    self.copy(src, iter_bufs[k])
            else:
                yielded.append(self.lookup(v))
        self.emit(scf.YieldOp(*yielded))
        self.block = saved
        new_results = iter(new.results)
        for k, res in enumerate(op.results):
            if is_tile[k]:
                self.buffers[res] = iter_bufs[k]
            else:
                self.values[res] = next(new_results)

    # ----- loads and stores ------------------------------------------------------------------

    def lower_load(self, op: ztile.LoadOp) -> None:
        ty = _tile_type(op.result)
        buf = self.alloc(ty.get_shape(), ty.element_type)
        self.buffers[op.result] = buf
        self.transfer(op.memref, op.indices, buf, op.padding_value, is_load=True)

    def lower_store(self, op: ztile.StoreOp) -> None:
        buf = self.buffer(op.value)
        self.transfer(op.memref, op.indices, buf, 0.0, is_load=False)

    def transfer(
        self,
        mem_value: SSAValue,
        index_values: Sequence[SSAValue],
        buf: Buffer,
        padding: float,
        is_load: bool,
    ) -> None:
        """Copy a tile between `buf` and a memref at offsets: full-tile fast path, edge path."""
        mem = self.lookup(mem_value)
        mt = mem.type
        assert isinstance(mt, MemRefType)
        dims = tuple(mt.get_shape())
        offsets = [self.lookup(v) for v in index_values]
        shape = buf.shape
        access = _Access(self, mem, dims, offsets, buf, padding, is_load)
        known = [self.known(o) for o in offsets]
        if all(k is not None for k in known):
            fits = all(0 <= k + t <= d for k, t, d in zip(known, shape, dims, strict=True))  # type: ignore[operator]
            (access.full if fits else access.edge)()
        elif all(t <= d for t, d in zip(shape, dims, strict=True)):
            slack = [self.sub(d - t, o) for d, t, o in zip(dims, shape, offsets, strict=True)]
            low = [o for o in offsets if not self.provably_nonnegative(o)]
            self.if_(self.nonnegative([*low, *slack]), access.full, access.edge)
        else:
            access.edge()

    # ----- elementwise chains ----------------------------------------------------------------

    def lower_group(self, members: list[Operation]) -> None:
        # One loop nest over the tiles of one shape (their element types may differ: a
        # comparison of floats is a boolean tile).
        shape = _tile_type(members[0].results[0]).get_shape()
        vec = shape[-1] > 1

        def elt(m: Operation) -> Attribute:
            return _tile_type(m.results[0]).element_type

        inside = set(members)
        outputs = [m for m in members if any(u.operation not in inside for u in m.results[0].uses)]
        out_bufs = {m: self.alloc(shape, elt(m)) for m in outputs}
        hoisted: dict[SSAValue, SSAValue] = {}
        for m in members:
            if isinstance(m, ztile.SplatOp):
                scalar = self.lookup(m.value)
                if vec:
                    scalar = self.value(vector.BroadcastOp(scalar, self.vector_type(elt(m))))
                hoisted[m.result] = scalar

        def body(idx: list[SSAValue]) -> None:
            local = dict(hoisted)
            for m in members:
                if isinstance(m, ztile.SplatOp):
                    continue
                if isinstance(m, ztile.BroadcastOp):
                    if m.input in local:
                        # Everything in `local` has the chain's shape, so this broadcast is
                        # the identity (e.g. after a reduction over a size-1 axis) and its
                        # input may be a value of this very chain, which has no buffer.
                        local[m.result] = local[m.input]
                    else:
                        local[m.result] = self.read_broadcast(m.input, shape, idx)
                    continue
                operands: list[SSAValue] = []
                for v in m.operands:
                    if v not in local:
                        local[v] = self.read(self.buffer(v), idx)
                    operands.append(local[v])
                local[m.results[0]] = self.compute(m, operands, elt(m), vec)
            for m in outputs:
                self.write(local[m.results[0]], out_bufs[m], idx)

        self.tile_nest(shape, body)
        for m in outputs:
            self.buffers[m.results[0]] = out_bufs[m]

    def read_broadcast(
        self, tile: SSAValue, shape: Sequence[int], idx: Sequence[SSAValue]
    ) -> SSAValue:
        src = self.buffer(tile)
        zero = self.index(0)
        at = [i if s == d else zero for i, s, d in zip(idx, src.shape, shape, strict=True)]
        if src.shape[-1] == shape[-1]:
            return self.read(src, at)
        scalar = self.value(memref.LoadOp.get(src.memref, at))
        if shape[-1] == 1:
            return scalar
        return self.value(vector.BroadcastOp(scalar, self.vector_type(src.element_type)))

    def compute(
        self, op: Operation, args: Sequence[SSAValue], elt: Attribute, vec: bool
    ) -> SSAValue:
        """The vector (or scalar) value of one elementwise op: its op table expansion
        (constants of the result's element type `elt`)."""
        row = _ROWS.get(type(op))
        if row is None:
            raise DiagnosticException(f"ztile-to-zloop: cannot lower '{op.name}'")
        return row.expand(_Scalars(self, elt, vec), *args, predicate=optable.predicate_of(op))

    # ----- reductions, dot, transpose --------------------------------------------------------

    def lower_reduce(self, op: ztile.ReduceOp) -> None:
        src = self.buffer(op.input)
        shape, elt = src.shape, src.element_type
        axis = op.axis_value
        out_shape = tuple(1 if d == axis else n for d, n in enumerate(shape))
        out = self.alloc(out_shape, elt)
        self.buffers[op.result] = out
        is_sum = op.kind_name == "sum"
        combine = arith.AddfOp if is_sum else arith.MaximumfOp
        w = self.width

        if axis == len(shape) - 1 and src.vectorized:
            n = shape[-1]
            full = (n // w) * w

            def row(idx: list[SSAValue]) -> None:
                def at(j: SSAValue) -> list[SSAValue]:
                    return [*idx, j]

                if full:
                    # A sum starts from +0.0 (numpy's: a sum of -0.0s is +0.0); a max from
                    # the first vector.
                    if is_sum:
                        start, init = 0, self.const(0.0, elt, True)
                    else:
                        start, init = w, self.read(src, at(self.index(0)))
                    (acc,) = self.loop(
                        start,
                        full,
                        w,
                        [init],
                        lambda j, a: [self.value(combine(a[0], self.read(src, at(j))))],
                    )
                    kind = (
                        vector.CombiningKindFlag.ADD
                        if is_sum
                        else vector.CombiningKindFlag.MAXIMUMF
                    )
                    red = vector.ReductionOp.create(
                        operands=[acc],
                        result_types=[elt],
                        properties={"kind": vector.CombiningKindAttr(kind)},
                    )
                    total = self.value(red)
                else:
                    total = self.const(0.0 if is_sum else float("-inf"), elt, False)
                (total,) = self.loop(
                    full,
                    n,
                    1,
                    [total],
                    lambda j, a: [
                        self.value(combine(a[0], self.value(memref.LoadOp.get(src.memref, at(j)))))
                    ],
                )
                self.emit(memref.StoreOp.get(total, out.memref, at(self.index(0))))

            self.nest(shape[:-1], row)
            return

        def body(idx: list[SSAValue]) -> None:
            def at(k: SSAValue) -> list[SSAValue]:
                return [k if d == axis else i for d, i in enumerate(idx)]

            if is_sum:  # from +0.0, as numpy sums
                start, init = 0, self.const(0.0, elt, src.vectorized)
            else:
                start, init = 1, self.read(src, at(self.index(0)))
            (acc,) = self.loop(
                start,
                shape[axis],
                1,
                [init],
                lambda k, a: [self.value(combine(a[0], self.read(src, at(k))))],
            )
            self.write(acc, out, idx)

        self.tile_nest(out_shape, body)

    def lower_dot(self, op: ztile.DotOp) -> None:
        c = self.buffer(op.acc)
        out = c if op.acc.has_one_use() else self.alloc(c.shape, c.element_type)
        self.buffers[op.result] = out
        load = self.deferred.pop(op.lhs, None)
        if load is None:
            self.emit_dot(self.buffer_operand(self.buffer(op.lhs)), op, out)
            return

        # The lhs tile is read in place from the memref it is loaded from when the whole
        # tile lies in bounds; otherwise it is loaded (with padding) into a buffer first.
        def in_place() -> None:
            self.emit_dot(self.memref_operand(mem, offsets), op, out)

        def buffered() -> None:
            self.lower_load(load)
            self.emit_dot(self.buffer_operand(self.buffer(op.lhs)), op, out)

        mem = self.lookup(load.memref)
        mt = mem.type
        assert isinstance(mt, MemRefType)
        dims = tuple(mt.get_shape())
        offsets = [self.lookup(v) for v in load.indices]
        shape = _tile_type(load.result).get_shape()
        known = [self.known(o) for o in offsets]
        highest = [self.upper_bound(o) for o in offsets]
        if all(h is not None and h + t <= d for h, t, d in zip(highest, shape, dims, strict=True)):
            in_place()
        elif all(k is not None for k in known):
            buffered()
        elif all(t <= d for t, d in zip(shape, dims, strict=True)):
            slack = [self.sub(d - t, o) for d, t, o in zip(dims, shape, offsets, strict=True)]
            self.if_(self.nonnegative(slack), in_place, buffered)
        else:
            buffered()

    def buffer_operand(self, buf: Buffer) -> _Operand:
        return lambda i, kk: (buf.memref, [i, kk])

    def memref_operand(self, mem: SSAValue, offsets: Sequence[SSAValue]) -> _Operand:
        return lambda i, kk: (mem, [self.add(offsets[0], i), self.add(offsets[1], kk)])

    def emit_dot(self, a_at: _Operand, op: ztile.DotOp, out: Buffer) -> None:
        """`out = acc + a @ b`, reading element (i, k) of `a` where `a_at` says."""
        b, c = self.buffer(op.rhs), self.buffer(op.acc)
        m, k = _tile_type(op.lhs).get_shape()
        n = c.shape[1]
        elt = c.element_type

        def a_load(i: SSAValue, kk: SSAValue) -> SSAValue:
            mem, idx = a_at(i, kk)
            return self.value(memref.LoadOp.get(mem, idx))

        if not c.vectorized:

            def row(idx: list[SSAValue]) -> None:
                i = idx[0]
                zero = self.index(0)
                init = self.value(memref.LoadOp.get(c.memref, [i, zero]))

                def step(kk: SSAValue, acc: list[SSAValue]) -> list[SSAValue]:
                    x = a_load(i, kk)
                    y = self.value(memref.LoadOp.get(b.memref, [kk, zero]))
                    return [self.value(math.FmaOp(x, y, acc[0]))]

                (total,) = self.loop(0, k, 1, [init], step)
                self.emit(memref.StoreOp.get(total, out.memref, [i, zero]))

            self.nest([m], row)
            return

        w = self.width
        vectors = self.padded(n) // w
        rows_per_block = 6
        vecs_per_block = 4 if w >= 16 else 2
        row_blocks = _blocks(m, rows_per_block)
        col_blocks = _blocks(vectors, vecs_per_block)
        vty = self.vector_type(elt)

        def micro(i0: SSAValue, j0: SSAValue, rows: int, vecs: int) -> None:
            ri = [self.add(i0, r) for r in range(rows)]
            cj = [self.add(j0, v * w) for v in range(vecs)]
            accs = [self.value(vector.LoadOp(c.memref, [i, j], vty)) for i in ri for j in cj]

            def step(kk: SSAValue, acc: list[SSAValue]) -> list[SSAValue]:
                bs = [self.value(vector.LoadOp(b.memref, [kk, j], vty)) for j in cj]
                new: list[SSAValue] = []
                for r, i in enumerate(ri):
                    x = a_load(i, kk)
                    xb = self.value(vector.BroadcastOp(x, vty))
                    for v in range(vecs):
                        new.append(self.value(vector.FMAOp(xb, bs[v], acc[r * vecs + v])))
                return new

            final = self.loop(0, k, 1, accs, step)
            for r, i in enumerate(ri):
                for v, j in enumerate(cj):
                    self.emit(vector.StoreOp(final[r * vecs + v], out.memref, [i, j]))

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

                    self.loop(c_lo * w, c_hi * w, vecs * w, [], over_cols)
                    return []

                self.loop(r_lo, r_hi, rows, [], over_rows)

    def lower_transpose(self, op: ztile.TransposeOp) -> None:
        src = self.buffer(op.input)
        ty = _tile_type(op.result)
        out = self.alloc(ty.get_shape(), ty.element_type)
        self.buffers[op.result] = out
        perm = op.perm

        def body(idx: list[SSAValue]) -> None:
            at: list[SSAValue] = [idx[0]] * len(perm)
            for d, p in enumerate(perm):
                at[p] = idx[d]
            x = self.value(memref.LoadOp.get(src.memref, at))
            self.emit(memref.StoreOp.get(x, out.memref, idx))

        self.nest(ty.get_shape(), body)


_Operand = Callable[[SSAValue, SSAValue], tuple[SSAValue, list[SSAValue]]]
"""Where element (i, k) of a `ztile.dot` operand lives: (memref, indices)."""


def _dot_lhs_loads(ops: Sequence[Operation]) -> list[ztile.LoadOp]:
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
        if all(isinstance(o, ztile.LoadOp) or o.dialect_name() == "arith" for o in between):
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


class _Access:
    """Emits the full-tile and edge paths of one `ztile.load` or `ztile.store`."""

    def __init__(
        self,
        lowering: _GridLowering,
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
        return [self.g.add(o, i) for o, i in zip(self.offsets, idx, strict=True)]

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
            high = [g.sub(g.sub(dims[d] - 1, offsets[d]), i) for d, i in enumerate(idx)]
            low = [g.add(offsets[d], i) for d, i in enumerate(idx) if low_side[d]]
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
                left = g.sub(g.sub(dims[-1], offsets[-1]), j)
                count = g.min(left, g.sub(n, j))
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


class LowerGrid(RewritePattern):
    """Replace one `ztile.grid` by a `zloop.parallel` over vectors."""

    def __init__(self, vector_width: int) -> None:
        self.vector_width = vector_width

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ztile.GridOp, rewriter: PatternRewriter) -> None:
        grid = op.grid_shape
        parallel = zloop.ParallelOp.from_constants([0] * len(grid), list(grid))
        _GridLowering(self.vector_width, op, parallel).run()
        rewriter.replace(op, parallel)


@dataclass(frozen=True)
class ZTileToZLoopPass(ModulePass):
    """Lower every `ztile.grid` to a `zloop.parallel` over vector code (see the module doc)."""

    name = "ztile-to-zloop"

    vector_width: int = 16

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.vector_width < 1:
            raise DiagnosticException(
                f"ztile-to-zloop: vector-width must be positive, got {self.vector_width}"
            )
        PatternRewriteWalker(LowerGrid(self.vector_width), apply_recursively=False).rewrite_module(
            op
        )
