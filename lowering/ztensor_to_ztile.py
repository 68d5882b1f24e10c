"""`ztensor-to-ztile{tile-sizes=...}`: every ztensor op becomes ztile tile programs.

Each kernel (a group of ztensor ops computed by one program) is replaced by
`bufferization.to_buffer` of its inputs, a `memref.alloc` for its result, one `ztile.grid`
that computes the result tile by tile, and `bufferization.to_tensor` of the result buffer.
The function keeps its tensor signature; `bufferize` removes the tensors afterwards.

What one kernel computes is decided by `dialects/ztensor_kernels.py`: each `ztensor.fused`
op is one kernel, lowered as it is (its body is inlined and becomes one group; nothing is
re-planned across it), and the other ztensor ops of a block are grouped by its `Planner`,
from the last op backwards, at most `MAX_FUSED_OPS` (256) ops per kernel. The programs:

- elementwise kernels (binary ops with broadcasting, unary ops, `broadcast_to`, `transpose`,
  `cast` between float types (`ztile.cast`), splat constants; a chain like `tanh(2x+1)*x`)
  are one grid over output tiles;
- a matmul kernel's grid computes the accumulator tile with a `scf.for` over K (`ztile.dot`)
  and applies the elementwise epilogue (bias add, relu, gelu, ...) to it before the one
  store; batched matmuls get an extra grid axis over the (broadcast) batch; f16/bf16
  matmuls accumulate in an f32 tile, cast to the result type once before the epilogue;
- `reduce_sum/max/mean`, `softmax` and `layernorm` are row-blocked programs that reduce
  their axes inside the program (whole when the reduced extent fits the tile budget, else in
  chunks walked by `scf.for`), their elementwise prologue computed on the loaded tiles
  (f16/bf16 ones computed in f32 after the prologue, rounded once at the store);
- `reshape` and transposes of rank above 3 are copies (scalar loops over the elements,
  since ztile tiles have rank 1 to 3, the rank of their memref), a non-splat `constant` is a
  buffer filled by scalar stores.

ztile tiles have rank 1 to 3 and the rank of the memref they are loaded from, and `ztile.dot`
takes 2-D tiles. A kernel therefore works on a *view* of its data: the tensor's own shape
when its rank is 1 to 3, otherwise a shape whose dims group several tensor dims (rank 0 ->
`1`, batched matmul -> `(batch*M) x K`, rank > 3 elementwise -> three dims). Operands whose
buffer does not have the view's shape (lower-rank broadcast operands, high-rank tensors) are
copied into a buffer of the view's shape first, and results are copied back.

Planning and emission are iterative (a worklist grows each group, an explicit stack walks
its tile expression), linear in the size of the block: programs of any depth lower without
Python recursion (a 10,000-op chain is about 40 kernels).

`profile=true` brackets every kernel by calls of `ziggurat_profile_mark(2k)` and
`ziggurat_profile_mark(2k + 1)` and describes the kernels in the function's
`ziggurat.profile_kernels` attribute (`lowering/kernel_profile.py`): what `zg.jit(autotune=True)`
times.

Assumes: functions whose ztensor ops are on static shapes (what the dialect verifies).
Leaves every other op alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, bufferization, func, memref
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    Float32Type,
    ModuleOp,
    TensorType,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter
from xdsl.utils.exceptions import DiagnosticException

from ziggurat.dialects import ztensor as zt
from ziggurat.dialects import ztile
from ziggurat.dialects.tiling import (
    DefaultTileSizes,
    FixedTileSizes,
    GpuTileSizes,
    TileSizeChooser,
    largest_divisor_at_most,
)
from ziggurat.dialects.ztensor_kernels import (
    ELEMENTWISE_TYPES,
    MAX_TILE_RANK,
    Group,
    KernelError,
    Planner,
    View,
    body_kernel,
    elementwise_view,
    inline_fused,
    is_copy,
    matmul_view,
    reduction_axes,
    reduction_view,
    splat_value,
    tensor_shape,
)
from ziggurat.lowering.kernel_profile import KernelMarks
from ziggurat.lowering.ztensor_to_ztile_matvec import matvecs_as_reductions
from ziggurat.lowering.ztensor_to_ztile_reductions import ReductionKernel
from ziggurat.lowering.ztile_builder import (
    Gen,
    Shape,
    TileEmitter,
    alloc_like,
    buffer_for_view,
    collapsed_view,
    copy_loops,
    element_type,
    emit_grid,
    finish,
    identity_map,
    in_order,
    logical_index,
    reshape_copy,
    to_buffer,
)

# ---------------------------------------------------------------------------------------------
# Kernel emission
# ---------------------------------------------------------------------------------------------


def _operand_space(op: Operation, space: View) -> View:
    """The space the operands of group member `op` are read in when `op` is read in `space`:
    the same, except below a transpose (only fused into natural views), whose operand space
    is `space` with the transposed dims permuted back."""
    if not isinstance(op, zt.TransposeOp):
        return space
    shape = space.shape
    lead = len(shape) - len(op.perm)
    full = list(range(lead)) + [lead + p for p in op.perm]
    permuted = list(shape)
    for i, p in enumerate(full):
        permuted[p] = shape[i]
    return View(tuple(permuted), tuple((d,) for d in range(len(permuted))))


class Lowerer:
    """Emits the program of each group before its root and replaces the root's result."""

    def __init__(self, chooser: TileSizeChooser) -> None:
        self.chooser = chooser

    def lower_group(self, group: Group) -> None:
        root = group.root
        gen = Gen(root.parent_block(), before=root)  # type: ignore[arg-type]
        if group.matmul is not None:
            result = self.matmul(gen, group)
        elif isinstance(root, zt.CastOp) and is_copy(root):
            result = self.cast(gen, root)
        elif isinstance(root, ELEMENTWISE_TYPES) or splat_value(root) is not None:
            result = self.elementwise(gen, group)
        elif isinstance(root, zt.ReduceOp | zt.SoftmaxOp | zt.LayerNormOp):
            result = self.reduction(gen, group)
        elif isinstance(root, zt.ReshapeOp):
            result = self.reshape(gen, root)
        elif isinstance(root, zt.ConstantOp):
            result = self.constant(gen, root)
        else:
            raise NotImplementedError(f"ztensor-to-ztile: no lowering for '{root.name}'")
        root.results[0].replace_all_uses_with(result)
        if group.members == {root}:
            Rewriter.erase_op(root)
            return
        if len(group.order) == len(group.members) and set(group.order) == group.members:
            for op in group.order:  # users before producers: linear in the group's size
                Rewriter.erase_op(op)
            return
        ordered = [op for op in root.parent_block().ops if op in group.members]  # type: ignore[union-attr]
        for op in reversed(ordered):
            Rewriter.erase_op(op)

    # ----- leaves ----------------------------------------------------------------------------

    def _leaves(self, gen: Gen, group: Group, view: View) -> dict[SSAValue, SSAValue]:
        """A buffer per value the group reads from outside, shaped for the space it is read
        in: the kernel's view, or below a fused transpose the view with its dims permuted
        (the emitter indexes a transpose's operand with permuted offsets)."""
        leaves: dict[SSAValue, SSAValue] = {}
        spaces: dict[Operation, View] = {}
        for m in reversed(group.topological()):  # the root first
            if m is group.matmul:
                continue
            space = spaces.get(m, view)
            inner = _operand_space(m, space)
            for x in m.operands:
                owner = x.owner
                if isinstance(owner, Operation) and owner in group.members:
                    spaces.setdefault(owner, inner)
                    continue
                if isinstance(owner, Operation) and splat_value(owner) is not None:
                    continue
                if x not in leaves:
                    leaves[x] = buffer_for_view(gen, x, inner)
        return leaves

    # ----- elementwise -----------------------------------------------------------------------

    def elementwise(self, gen: Gen, group: Group) -> SSAValue:
        result = group.root.results[0]
        shape = tensor_shape(result)
        if isinstance(group.root, zt.TransposeOp) and len(shape) > MAX_TILE_RANK:
            return self.transpose_copy(gen, group.root)
        view = elementwise_view(shape)
        elt = element_type(result)
        leaves = self._leaves(gen, group, view)
        out = alloc_like(gen, view.dims, elt)
        tile = self.chooser.elementwise(view.dims)

        def body(g: Gen, offs: list[SSAValue]) -> None:
            em = TileEmitter(g, view, group.members, leaves)
            t = em.emit(result, offs, tile)
            g.add_op(ztile.StoreOp(t, out, offs))

        emit_grid(gen, view.dims, tile, body)
        return finish(gen, out, result, view)

    def transpose_copy(self, gen: Gen, op: zt.TransposeOp) -> SSAValue:
        src = gen.add(to_buffer(op.input))
        shape = tensor_shape(op.result)
        out = alloc_like(gen, shape, element_type(op.result))
        perm = op.perm

        def src_map(g: Gen, ivs: list[SSAValue]) -> list[SSAValue]:
            idx = [g.index(0)] * len(perm)
            for i, p in enumerate(perm):
                idx[p] = ivs[i]
            return idx

        copy_loops(gen, shape, src, src_map, out, identity_map)
        return gen.add(bufferization.ToTensorOp(out))

    # ----- matmul with epilogue --------------------------------------------------------------

    def matmul(self, gen: Gen, group: Group) -> SSAValue:
        mm = group.matmul
        assert mm is not None
        result = group.root.results[0]
        elt = element_type(result)
        lshape, rshape = tensor_shape(mm.lhs), tensor_shape(mm.rhs)
        out_shape = tensor_shape(mm.result)
        batch = out_shape[:-2]
        m, k = lshape[-2], lshape[-1]
        n = rshape[-1]
        nb = len(batch)
        b_total = math.prod(batch)
        lb = (1,) * (nb - (len(lshape) - 2)) + lshape[:-2]
        rb = (1,) * (nb - (len(rshape) - 2)) + rshape[:-2]
        tm, tn, tk = self.chooser.matmul(m, n, k)
        if b_total > 1:
            tm = largest_divisor_at_most(m, tm)
        if math.prod(rb) > 1:
            tk = largest_divisor_at_most(k, tk)

        def matrix_buffer(x: SSAValue, rows: int, cols: int) -> SSAValue:
            buf = gen.add(to_buffer(x))
            shape = tensor_shape(x)
            if len(shape) == 2:
                return buf
            flat = collapsed_view(gen, buf, (math.prod(shape[:-2]) * rows, cols))
            assert flat is not None  # batch dims and rows are consecutive
            return flat

        a = matrix_buffer(mm.lhs, m, k)
        b = matrix_buffer(mm.rhs, k, n)
        view = matmul_view(out_shape)
        leaves = self._leaves(gen, group, view)
        out = alloc_like(gen, view.dims, elt)
        # f16/bf16 products accumulate in f32 (the tensor-core form of `ztile.dot`), rounded
        # once before the epilogue.
        acc_elt: Attribute = Float32Type() if isinstance(elt, ztile.NARROW_FLOAT_TYPES) else elt
        acc_type = ztile.TileType((tm, tn), acc_elt)
        a_type = ztile.TileType((tm, tk), elt)
        b_type = ztile.TileType((tk, tn), elt)

        def batch_index(g: Gen, bid: SSAValue, operand_batch: Shape) -> SSAValue:
            if math.prod(operand_batch) == 1:
                return g.index(0)
            if operand_batch == batch:
                return bid
            idx = g.delinear(bid, batch)
            masked = [i if d != 1 else g.index(0) for i, d in zip(idx, operand_batch, strict=True)]
            return g.linear(masked, operand_batch)

        def body(g: Gen, offs: list[SSAValue]) -> None:
            if b_total > 1:
                bid, i, j = offs
                row = g.addi(g.muli(bid, m), i)
                a_row = g.addi(g.muli(batch_index(g, bid, lb), m), i)
                b_base = g.muli(batch_index(g, bid, rb), k)
            else:
                i, j = offs
                row = a_row = i
                b_base = g.index(0)
            init = g.add(ztile.SplatOp(g.fconst(0.0, acc_elt), acc_type))

            def k_step(inner: Gen, kk: SSAValue, carried: list[SSAValue]) -> list[SSAValue]:
                ta = inner.add(ztile.LoadOp(a, [a_row, kk], a_type, padding=0.0))
                tb = inner.add(ztile.LoadOp(b, [inner.addi(b_base, kk), j], b_type, padding=0.0))
                return [inner.add(ztile.DotOp(ta, tb, carried[0]))]

            (acc,) = g.loop(k, tk, [init], k_step)
            if acc_elt != elt:
                acc = g.add(ztile.CastOp(acc, elt))
            em = TileEmitter(g, view, group.members, leaves)
            em.cache[(mm.result, (row, j), (tm, tn))] = acc
            t = em.emit(result, [row, j], (tm, tn))
            g.add_op(ztile.StoreOp(t, out, [row, j]))

        extra = [b_total] if b_total > 1 else []
        emit_grid(gen, (m, n), (tm, tn), body, extra_axes=extra)
        return finish(gen, out, result, view if nb == 0 else None)

    # ----- reductions, softmax, layernorm ----------------------------------------------------

    def reduction(self, gen: Gen, group: Group) -> SSAValue:
        op = group.root
        x = op.operands[0]
        setup = reduction_view(tensor_shape(x), reduction_axes(op), self.chooser)
        if setup is None:
            return x
        view, vaxes, tile = setup
        if view.natural:
            leaves = self._leaves(gen, group, view)
        else:
            buf = gen.add(to_buffer(x))
            flat = collapsed_view(gen, buf, view.dims) if in_order(view) else None
            if flat is None:
                flat = alloc_like(gen, view.dims, element_type(op.results[0]))
                copy_loops(gen, view.dims, buf, logical_index(view), flat, identity_map)
            leaves = {x: flat}
        return ReductionKernel(gen, group, view, vaxes, tile, leaves).emit()

    # ----- data movement, casts, constants ---------------------------------------------------

    def reshape(self, gen: Gen, op: zt.ReshapeOp) -> SSAValue:
        if op.input.type == op.result.type:
            return op.input
        src = gen.add(to_buffer(op.input))
        out = alloc_like(gen, tensor_shape(op.result), element_type(op.result))
        reshape_copy(gen, src, out)
        return gen.add(bufferization.ToTensorOp(out))

    def cast(self, gen: Gen, op: zt.CastOp) -> SSAValue:
        src_elt, dst_elt = element_type(op.input), element_type(op.result)
        if src_elt == dst_elt:
            return op.input
        src = gen.add(to_buffer(op.input))
        shape = tensor_shape(op.result)
        out = alloc_like(gen, shape, dst_elt)
        widen = _bitwidth(dst_elt) > _bitwidth(src_elt)

        def convert(g: Gen, v: SSAValue) -> SSAValue:
            return g.add(arith.ExtFOp(v, dst_elt) if widen else arith.TruncFOp(v, dst_elt))

        copy_loops(gen, shape, src, identity_map, out, identity_map, convert)
        return gen.add(bufferization.ToTensorOp(out))

    def constant(self, gen: Gen, op: zt.ConstantOp) -> SSAValue:
        shape = tensor_shape(op.result)
        elt = element_type(op.result)
        out = alloc_like(gen, shape, elt)
        value = op.value
        assert isinstance(value, DenseIntOrFPElementsAttr)
        # Splats never get here (they lower as elementwise kernels); this stores every element.
        assert zt.stored_count(value) == op.result.type.element_count(), "expanded constant"  # type: ignore[attr-defined]
        values = [float(v) for v in value.get_values()]
        for lin, x in enumerate(values):
            idx = [gen.index(i) for i in _unravel(lin, shape)]
            gen.add_op(memref.StoreOp.get(gen.fconst(x, elt), out, idx))
        return gen.add(bufferization.ToTensorOp(out))


def _bitwidth(elt: Attribute) -> int:
    return int(getattr(elt, "bitwidth", 32))


def _unravel(lin: int, shape: Shape) -> list[int]:
    out: list[int] = []
    for d in reversed(shape):
        out.append(lin % d)
        lin //= d
    return list(reversed(out))


# ---------------------------------------------------------------------------------------------
# The pass
# ---------------------------------------------------------------------------------------------


def kernel_of_fused(op: zt.FusedOp, chooser: TileSizeChooser) -> Group | None:
    """Inline the body of a `ztensor.fused` op in front of it and return the one kernel it
    computes (None when it computes nothing), for the planner to keep as it is."""
    try:
        group = body_kernel(op.body.block, chooser)
    except KernelError as exc:
        # The verifier checks the body under the default tile sizes; another chooser may
        # pad a reduction that the default ones do not.
        raise DiagnosticException(
            f"ztensor-to-ztile: a 'ztensor.fused' op is not one kernel under these tile "
            f"sizes: {exc}"
        ) from exc
    inline_fused(op)
    return group


def _reject_empty_tensors(op: Operation) -> None:
    """Tile sizes and grids need at least one element per dimension: fail clearly (instead of
    dividing by zero while choosing tiles) on a ztensor op over a zero-size tensor."""
    for value in (*op.operands, *op.results):
        ty = value.type
        if isinstance(ty, TensorType) and 0 in ty.get_shape():
            raise DiagnosticException(
                f"ztensor-to-ztile: '{op.name}' works on {ty}, which has no elements; "
                "zero-size tensors are not supported"
            )


def lower_block(block: Block, chooser: TileSizeChooser, marks: KernelMarks | None = None) -> None:
    """Plan and emit the kernels of one block, then lower the splat constants left over.
    Each `ztensor.fused` op is one kernel; the planner groups the other ztensor ops;
    identity transposes are dropped first. With `marks`, every kernel but a reshape is
    bracketed by profiling marks (`kernel_profile.KernelMarks`), in block order."""
    for op in list(block.ops):
        if isinstance(op, zt.TransposeOp) and tuple(op.perm) == tuple(range(len(op.perm))):
            # The identity (such as the empty permutation of a rank-0 value): no kernel.
            op.results[0].replace_all_uses_with(op.input)
            Rewriter.erase_op(op)
    matvecs_as_reductions(block)
    fused = [op for op in block.ops if isinstance(op, zt.FusedOp)]
    given = [g for g in (kernel_of_fused(op, chooser) for op in fused) if g is not None]
    groups = Planner(block, chooser).plan(given)
    if marks is not None:
        for group in reversed(groups):  # block order
            if not isinstance(group.root, zt.ReshapeOp):
                marks.bracket(group)
    lowerer = Lowerer(chooser)
    for group in groups:
        lowerer.lower_group(group)
    for op in list(block.ops):
        if isinstance(op, zt.ConstantOp):
            if op.result.uses:
                group = Group(op, {op})
                if marks is not None:
                    marks.bracket(group)
                lowerer.lower_group(group)
            else:
                Rewriter.erase_op(op)


@dataclass(frozen=True)
class ZTensorToZTilePass(ModulePass):
    """Lowers every ztensor op to ztile programs on buffers (see the module docstring).

    `tile-sizes` is empty for the built-in heuristic of `target` (`cpu`: `DefaultTileSizes`,
    `gpu`: `GpuTileSizes`), or `M,N,K`: the output tile of matmul and 2-D elementwise
    programs and the K chunk of matmul.
    """

    name = "ztensor-to-ztile"

    tile_sizes: tuple[int, ...] = ()
    target: str = "cpu"
    profile: bool = False
    """Bracket every kernel by calls of `ziggurat_profile_mark` and describe the kernels on
    their function (`lowering/kernel_profile.py`), for the runtime to time them."""

    def chooser(self) -> TileSizeChooser:
        if self.target not in ("cpu", "gpu"):
            raise ValueError(f"ztensor-to-ztile: target must be cpu or gpu, got '{self.target}'")
        if not self.tile_sizes:
            return GpuTileSizes() if self.target == "gpu" else DefaultTileSizes()
        if any(s < 1 for s in self.tile_sizes):
            raise ValueError(
                f"ztensor-to-ztile: tile-sizes must be positive, got {self.tile_sizes}"
            )
        return FixedTileSizes(tuple(self.tile_sizes))

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        chooser = self.chooser()
        blocks: list[Block] = []
        for inner in op.walk():
            if inner.dialect_name() == "ztensor":
                _reject_empty_tensors(inner)
                block = inner.parent_block()
                if isinstance(inner.parent_op(), zt.FusedOp):
                    continue  # lowered with the fused op, as one kernel
                if block is not None and block not in blocks:
                    blocks.append(block)
        for block in blocks:
            if not self.profile:
                lower_block(block, chooser)
                continue
            marks = KernelMarks()
            lower_block(block, chooser, marks)
            owner = block.parent_op()
            if isinstance(owner, func.FuncOp):
                marks.attach(owner)


__all__ = ["ZTensorToZTilePass", "kernel_of_fused", "lower_block"]
