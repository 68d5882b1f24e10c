"""`ztile-to-zloop{vector-width=16}`: lower tile programs to parallel loops over vectors.

Each `ztile.grid` becomes a `zloop.parallel` over the grid whose body works on stack buffers
(`memref.alloca`, one per tile value, allocated at the top of the parallel body) with loops
(`zloop.for`) over `vector<Wxf32>` values, W being the `vector-width` option (16 for AVX-512,
8 for AVX2). The output uses only the ops of the lowering contract: `zloop`, `scf.for/if`,
`arith`, `math`, `memref.alloca/load/store` and `vector.load/store/maskedload/maskedstore/
create_mask/broadcast/fma/reduction`.

Assumptions: the grid bodies are bufferized (tiles are loaded from and stored to memrefs
with static shapes and identity layout); tiles flow
only through ztile ops, `scf.for` iter_args/results and `scf.yield` (no tiles through
`scf.if` or function calls). Other ops in a grid body (index math, scalar arith) are
copied unchanged.

Layout of a tile buffer: the tile's shape with the last dimension rounded up to a multiple
of W, so every row is a whole number of vectors; tiles whose last dimension is 1 (e.g. the
result of a reduction along the last axis) are not padded and use scalar code. Columns past
the tile's logical width hold don't-care values: reductions and stores ignore them.

Lowering per op (after `ztile-widen`, which leaves f16/bf16 tiles only to loads, stores and
casts: their buffers hold the narrow elements, and a cast is `arith.extf`/`truncf`):
- `ztile.program_id k` -> the k-th induction variable of the parallel loop.
- `ztile.load` of a tile that every program reads wholly in bounds (from the offsets'
  compile-time bounds), with rows of whole vectors, used only by elementwise ops and
  reductions, with no store into a memref argument before its last reader -> nothing: the
  readers index the memref in place (`ztile_to_zloop_transfers.in_place_view`).
- `ztile.load`/`ztile.store` -> a run-time test whether the whole tile lies in bounds; full
  tiles use plain vector loads/stores (a constant-mask masked access for a last-dimension
  tail that is not a multiple of W); edge tiles skip out-of-bounds rows and mask columns with
  `vector.create_mask` of the in-bounds count (loads fill the rest with `padding`). When the
  tile is larger than the memref, only the edge path is emitted. An offset that may be
  negative (not a non-negative constant, grid index or loop counter, or sum or product of
  such) is tested too, and its edge path moves scalars, each guarded on both sides.
- elementwise ops, `ztile.broadcast`, `ztile.splat` and `ztile.cast` -> fused: consecutive
  ops producing tiles of the same shape become one loop nest over vectors, storing only
  values used outside the chain (none when only a `ztile.reduce` reads them: it computes
  them in its loop; a value whose one use is a store of an in-bounds tile, into a memref the
  grid loads nowhere and stores nowhere else, is written into that memref in place,
  `ztile_to_zloop_elementwise.in_place_target`). A store waits for the chain before it.
  Each element of an elementwise op becomes the `arith`/`math` ops its
  row of the op table names (`ziggurat.dialects.optable`: `exp` -> `math.exp`, `relu` ->
  `arith.maximumf` with +0.0, `gelu` -> its tanh approximation, ...).
- `ztile.reduce` -> along the last axis: vector accumulation, `vector.reduction`, scalar
  tail; along another axis: whole-vector accumulation across rows. Sums start from +0.0 (as
  numpy's: a sum of -0.0s is +0.0), maxima from the first element.
- `ztile.dot` -> register blocks of up to 6 rows x 4 vectors (2 vectors when W < 16) of
  the accumulator carried as `zloop.for` iter_args over K; each step broadcasts one element
  of A and multiplies it into a vector of B with `vector.fma`. When the accumulator tile has
  no other use (the usual `scf.for` K loop), its buffer is updated in place; when it is a
  splat nothing else reads, the blocks start from the scalar and no buffer is filled; a
  result stored as an in-bounds tile of a memref the grid does not otherwise touch is
  written there directly. A `ztile.load` whose only use is the lhs of a later dot (with only
  loads, splats and `arith` ops in between) is not copied when the whole tile lies in
  bounds: the dot reads A from the loaded memref. B is read in place like any in-place tile
  (above) when its rows are whole rows of the memref, else copied into a contiguous panel.
  Whether it does is decided at compile time from upper bounds of the offsets (grid size,
  `scf.for` bounds, `arith.addi`/`muli` of those), else by a run-time test whose other
  branch loads the tile (with padding) into a buffer and runs the same dot on it.
- `ztile.transpose` -> scalar copy loops.
- `scf.for` carrying tiles -> an `scf.for` over the non-tile iter_args; each tile iter_arg
  lives in one buffer updated by the body (copied only when the yielded tile lives elsewhere).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import IndexType, IntegerAttr, ModuleOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.traits import IsTerminator
from xdsl.utils.exceptions import DiagnosticException

from ziggurat.dialects import zloop, ztile
from ziggurat.lowering.zloop_builder import Buffer, ZLoopBuilder, tile_type
from ziggurat.lowering.ztile_to_zloop_dot import dot_acc_splats, dot_lhs_loads, lower_dot
from ziggurat.lowering.ztile_to_zloop_elementwise import CHAIN_OPS, lower_chain
from ziggurat.lowering.ztile_to_zloop_reductions import lower_reduce
from ziggurat.lowering.ztile_to_zloop_transfers import lower_load, lower_store, lower_transpose
from ziggurat.lowering.ztile_widen import widen_narrow_tiles


class GridLowering(ZLoopBuilder):
    """Lowers the body of one `ztile.grid` into the `zloop.parallel` that replaces it: walks
    its ops, lowering chains of elementwise ops together, each other ztile op with the module
    of its kind, `scf.for` loops carrying tiles here, and copying every other op."""

    def run(self) -> None:
        self.lower_ops(list(self.grid.body.block.ops))
        self.emit(zloop.YieldOp())
        first = self.block.first_op
        assert first is not None
        self.block.insert_ops_before(self.prologue, first)

    def lower_ops(self, ops: Sequence[Operation]) -> None:
        group: list[Operation] = []
        for load in dot_lhs_loads(ops):
            self.deferred[load.result] = load
        for splat in dot_acc_splats(ops):
            self.acc_splats[splat.result] = splat

        def flush() -> None:
            if group:
                lower_chain(self, list(group))
                group.clear()

        for op in ops:
            if isinstance(op, ztile.SplatOp) and op.result in self.acc_splats:
                continue
            if isinstance(op, CHAIN_OPS):
                shape = tile_type(op.results[0]).get_shape()
                if group and tile_type(group[0].results[0]).get_shape() != shape:
                    flush()
                group.append(op)
                continue
            produced = {r for g in group for r in g.results}
            # Stores wait for the chain before them (which may read a tile in place).
            writes = isinstance(op, ztile.StoreOp)
            if op.regions or op.has_trait(IsTerminator) or writes or produced & set(op.operands):
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
                lower_load(self, op)
            case ztile.StoreOp():
                lower_store(self, op)
            case ztile.DotOp():
                lower_dot(self, op)
            case ztile.ReduceOp():
                lower_reduce(self, op)
            case ztile.TransposeOp():
                lower_transpose(self, op)
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
            self.known[new.result] = new.value.value.data
        elif isinstance(new, arith.AddiOp | arith.MuliOp):
            lhs, rhs = self.upper_bound(new.lhs), self.upper_bound(new.rhs)
            if lhs is not None and rhs is not None and min(lhs, rhs) >= 0:
                self.upper[new.result] = lhs + rhs if isinstance(new, arith.AddiOp) else lhs * rhs

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
        lb, ub, step = (self.value_of(self.lookup(v)) for v in (op.lb, op.ub, op.step))
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


class LowerGrid(RewritePattern):
    """Replace one `ztile.grid` by a `zloop.parallel` over vectors."""

    def __init__(self, vector_width: int) -> None:
        self.vector_width = vector_width

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ztile.GridOp, rewriter: PatternRewriter) -> None:
        grid = op.grid_shape
        parallel = zloop.ParallelOp.from_constants([0] * len(grid), list(grid))
        GridLowering(self.vector_width, op, parallel).run()
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
        widen_narrow_tiles(op)
        PatternRewriteWalker(LowerGrid(self.vector_width), apply_recursively=False).rewrite_module(
            op
        )
