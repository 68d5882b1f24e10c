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
  splat constants; a chain like `tanh(2x+1)*x`) are one grid over output tiles;
- a matmul kernel's grid computes the accumulator tile with a `scf.for` over K (`ztile.dot`)
  and applies the elementwise epilogue (bias add, relu, gelu, ...) to it before the one
  store; batched matmuls get an extra grid axis over the (broadcast) batch;
- `reduce_sum/max/mean`, `softmax` and `layernorm` are row-blocked programs that reduce
  their axes inside the program (whole when the reduced extent fits the tile budget, else in
  chunks walked by `scf.for`), their elementwise prologue computed on the loaded tiles;
- `reshape`, `cast` and transposes of rank above 3 are copies (scalar loops over the
  elements, since ztile tiles have rank 1 to 3, the rank of their memref, and no
  element-type conversion), a non-splat `constant` is a buffer filled by scalar stores.

ztile tiles have rank 1 to 3 and the rank of the memref they are loaded from, and `ztile.dot`
takes 2-D tiles. A kernel therefore works on a *view* of its data: the tensor's own shape
when its rank is 1 to 3, otherwise a shape whose dims group several tensor dims (rank 0 ->
`1`, batched matmul -> `(batch*M) x K`, rank > 3 elementwise -> three dims). Operands whose
buffer does not have the view's shape (lower-rank broadcast operands, high-rank tensors) are
copied into a buffer of the view's shape first, and results are copied back.

Planning and emission are iterative (a worklist grows each group, an explicit stack walks
its tile expression), linear in the size of the block: programs of any depth lower without
Python recursion (a 10,000-op chain is about 40 kernels).

Assumes: functions whose ztensor ops are on static shapes (what the dialect verifies).
Leaves every other op alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from xdsl.context import Context
from xdsl.dialects import arith, bufferization, memref, scf
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IndexType,
    IntegerAttr,
    MemRefType,
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
    TileSizeChooser,
    largest_divisor_at_most,
)
from ziggurat.dialects.ztensor_kernels import (
    ELEMENTWISE_TYPES,
    MAX_TILE_RANK,
    NORMALIZE_TYPES,
    Group,
    KernelError,
    Planner,
    View,
    body_kernel,
    elementwise_view,
    inline_fused,
    matmul_view,
    reduction_axes,
    reduction_view,
    splat_value,
    tensor_shape,
)

Shape = tuple[int, ...]

# ---------------------------------------------------------------------------------------------
# Building blocks: an op inserter with index arithmetic, and scalar copy loops
# ---------------------------------------------------------------------------------------------


class Gen:
    """Appends ops to a block (or inserts them before an op) and builds index arithmetic,
    folding constants and reusing the index and float constants it already made."""

    def __init__(
        self, block: Block, before: Operation | None = None, parent: Gen | None = None
    ) -> None:
        self.block = block
        self.before = before
        self.known: dict[SSAValue, int] = dict(parent.known) if parent else {}
        self._index: dict[int, SSAValue] = dict(parent._index) if parent else {}
        self._float: dict[tuple[str, Attribute], SSAValue] = dict(parent._float) if parent else {}

    def add(self, op: Operation) -> SSAValue:
        """Insert `op`; its first result (ops without results return a dummy via `add_op`)."""
        self.add_op(op)
        return op.results[0]

    def add_op(self, op: Operation) -> None:
        if self.before is not None:
            self.block.insert_op_before(op, self.before)
        else:
            self.block.add_op(op)

    def index(self, n: int) -> SSAValue:
        if n not in self._index:
            v = self.add(arith.ConstantOp(IntegerAttr(n, IndexType())))
            self._index[n] = v
            self.known[v] = n
        return self._index[n]

    def fconst(self, x: float, elt: Attribute) -> SSAValue:
        key = (float(x).hex(), elt)  # tells -0.0 from +0.0
        if key not in self._float:
            self._float[key] = self.add(arith.ConstantOp(FloatAttr(x, cast(Any, elt))))
        return self._float[key]

    def muli(self, a: SSAValue, n: int) -> SSAValue:
        if a in self.known:
            return self.index(self.known[a] * n)
        if n == 1:
            return a
        if n == 0:
            return self.index(0)
        return self.add(arith.MuliOp(a, self.index(n)))

    def addi(self, a: SSAValue, b: SSAValue) -> SSAValue:
        if self.known.get(a) == 0:
            return b
        if self.known.get(b) == 0:
            return a
        if a in self.known and b in self.known:
            return self.index(self.known[a] + self.known[b])
        return self.add(arith.AddiOp(a, b))

    def divi(self, a: SSAValue, n: int) -> SSAValue:
        if a in self.known:
            return self.index(self.known[a] // n)
        if n == 1:
            return a
        return self.add(arith.DivSIOp(a, self.index(n)))

    def remi(self, a: SSAValue, n: int) -> SSAValue:
        if a in self.known:
            return self.index(self.known[a] % n)
        if n == 1:
            return self.index(0)
        return self.add(arith.RemSIOp(a, self.index(n)))

    def linear(self, idx: Sequence[SSAValue], shape: Sequence[int]) -> SSAValue:
        """The row-major linear index of `idx` in `shape`."""
        total = self.index(0)
        stride = 1
        for i, d in reversed(list(zip(idx, shape, strict=True))):
            if d != 1:
                total = self.addi(total, self.muli(i, stride))
            stride *= d
        return total

    def delinear(self, lin: SSAValue, shape: Sequence[int]) -> list[SSAValue]:
        """The row-major multi-index of linear index `lin` in `shape`."""
        out: list[SSAValue] = []
        stride = math.prod(shape)
        for k, d in enumerate(shape):
            stride //= d
            if d == 1:
                out.append(self.index(0))
                continue
            q = self.divi(lin, stride)
            out.append(q if k == 0 else self.remi(q, d))
        return out

    def loop(
        self,
        count: int,
        step: int,
        inits: Sequence[SSAValue],
        body: Callable[[Gen, SSAValue, list[SSAValue]], Sequence[SSAValue]],
    ) -> list[SSAValue]:
        """`scf.for %iv = 0 to count step step iter_args(inits)`; a single trip is inlined."""
        if count <= step:
            return list(body(self, self.index(0), list(inits)))
        block = Block(arg_types=[IndexType(), *(v.type for v in inits)])
        inner = Gen(block, parent=self)
        results = body(inner, block.args[0], list(block.args[1:]))
        inner.add_op(scf.YieldOp(*results))
        op = scf.ForOp(self.index(0), self.index(count), self.index(step), list(inits), block)
        self.add_op(op)
        return list(op.results)


def memref_of(ty: Attribute) -> MemRefType[Attribute]:
    assert isinstance(ty, TensorType)
    return MemRefType(ty.element_type, ty.get_shape())


def element_type(v: SSAValue) -> Attribute:
    ty = v.type
    assert isinstance(ty, TensorType | MemRefType | ztile.TileType)
    return ty.element_type


IndexMap = Callable[[Gen, list[SSAValue]], list[SSAValue]]


def copy_loops(
    gen: Gen,
    shape: Shape,
    src: SSAValue,
    src_map: IndexMap,
    dst: SSAValue,
    dst_map: IndexMap,
    convert: Callable[[Gen, SSAValue], SSAValue] | None = None,
) -> None:
    """Scalar loops over `shape`: `dst[dst_map(i)] = convert(src[src_map(i)])`."""

    def level(g: Gen, d: int, ivs: list[SSAValue]) -> None:
        if d == len(shape):
            v = g.add(memref.LoadOp.get(src, src_map(g, ivs)))
            if convert is not None:
                v = convert(g, v)
            g.add_op(memref.StoreOp.get(v, dst, dst_map(g, ivs)))
            return
        if shape[d] == 1:
            level(g, d + 1, [*ivs, g.index(0)])
            return

        def body(inner: Gen, iv: SSAValue, _: list[SSAValue]) -> list[SSAValue]:
            level(inner, d + 1, [*ivs, iv])
            return []

        block = Block(arg_types=[IndexType()])
        inner = Gen(block, parent=g)
        body(inner, block.args[0], [])
        inner.add_op(scf.YieldOp())
        g.add_op(scf.ForOp(g.index(0), g.index(shape[d]), g.index(1), [], block))

    level(gen, 0, [])


def identity_map(g: Gen, ivs: list[SSAValue]) -> list[SSAValue]:
    return list(ivs)


def reshape_map(src_shape: Shape, dst_shape: Shape) -> IndexMap:
    """Maps an index of `dst_shape` to the index of `src_shape` with the same linear position."""
    squeezed_src = [d for d in src_shape if d != 1]
    squeezed_dst = [d for d in dst_shape if d != 1]

    def direct(g: Gen, ivs: list[SSAValue]) -> list[SSAValue]:
        kept = iter([i for i, d in zip(ivs, dst_shape, strict=True) if d != 1])
        return [g.index(0) if d == 1 else next(kept) for d in src_shape]

    def general(g: Gen, ivs: list[SSAValue]) -> list[SSAValue]:
        return g.delinear(g.linear(ivs, dst_shape), src_shape)

    return direct if squeezed_src == squeezed_dst else general


def reshape_copy(gen: Gen, src: SSAValue, dst: SSAValue) -> None:
    """Copy `src` into `dst` (same element count) in row-major order."""
    s, d = tensor_shape(src), tensor_shape(dst)
    copy_loops(gen, d, src, reshape_map(s, d), dst, identity_map)


def tile_copy(gen: Gen, src: SSAValue, dst: SSAValue, chooser: TileSizeChooser) -> None:
    """Copy `src` into `dst` of the same shape: a tile grid for ranks 1 to 3, else scalar loops."""
    shape = tensor_shape(src)
    if not 1 <= len(shape) <= MAX_TILE_RANK:
        copy_loops(gen, shape, src, identity_map, dst, identity_map)
        return
    tile = chooser.elementwise(shape)
    tt = ztile.TileType(tile, element_type(src))

    def body(g: Gen, offs: list[SSAValue]) -> None:
        t = g.add(ztile.LoadOp(src, offs, tt))
        g.add_op(ztile.StoreOp(t, dst, offs))

    emit_grid(gen, shape, tile, body)


def emit_grid(
    gen: Gen,
    shape: Shape,
    tile: Shape,
    body: Callable[[Gen, list[SSAValue]], None],
    extra_axes: Sequence[int] = (),
) -> None:
    """A `ztile.grid` with one axis per entry of `extra_axes` and then one per dim of `shape`
    (tiled by `tile`); `body` gets the extra program ids followed by the tile offsets."""
    counts = [*extra_axes, *(-(-n // t) for n, t in zip(shape, tile, strict=True))]
    block = Block()
    g = Gen(block)
    ids: list[SSAValue] = []
    for axis, count in enumerate(counts):
        ids.append(g.index(0) if count == 1 else g.add(ztile.ProgramIdOp(axis)))
    n_extra = len(extra_axes)
    offs = list(ids[:n_extra]) + [
        g.muli(pid, t) for pid, t in zip(ids[n_extra:], tile, strict=True)
    ]
    body(g, offs)
    g.add_op(ztile.YieldOp())
    gen.add_op(ztile.GridOp(counts or [1], block))


# ---------------------------------------------------------------------------------------------
# Views (`ztensor_kernels.View`): index maps between a kernel's view and its logical shape
# ---------------------------------------------------------------------------------------------


def logical_index(view: View) -> IndexMap:
    """Maps a view index of `view` to the logical index."""

    def mapping(g: Gen, ivs: list[SSAValue]) -> list[SSAValue]:
        out: list[SSAValue] = [g.index(0)] * len(view.shape)
        for iv, grp in zip(ivs, view.groups, strict=True):
            for d, v in zip(grp, g.delinear(iv, [view.shape[d] for d in grp]), strict=True):
                out[d] = v
        return out

    return mapping


def source_map(view: View, src_shape: Shape) -> IndexMap:
    """Maps a view index to the index of a value of `src_shape` broadcast into the view."""
    offset = len(view.shape) - len(src_shape)
    to_logical = logical_index(view)

    def mapping(g: Gen, ivs: list[SSAValue]) -> list[SSAValue]:
        logical = to_logical(g, ivs)
        return [g.index(0) if n == 1 else logical[offset + k] for k, n in enumerate(src_shape)]

    return mapping


def buffer_for_view(gen: Gen, tensor: SSAValue, view: View) -> SSAValue:
    """A memref of `tensor` shaped `view.leaf_shape(...)`: its own buffer when the shapes agree,
    else a copy (broadcast dims that mix with full ones in a view dim are materialized)."""
    shape = tensor_shape(tensor)
    buf = gen.add(to_buffer(tensor))
    want = view.leaf_shape(shape)
    if want == shape:
        return buf
    tmp = gen.add(memref.AllocOp.get(element_type(tensor), shape=want))
    copy_loops(gen, want, buf, source_map(view, shape), tmp, identity_map)
    return tmp


def to_buffer(tensor: SSAValue) -> Operation:
    return bufferization.ToBufferOp(operands=[tensor], result_types=[memref_of(tensor.type)])


def alloc_like(gen: Gen, shape: Shape, elt: Attribute) -> SSAValue:
    return gen.add(memref.AllocOp.get(elt, shape=shape))


def finish(gen: Gen, view_buf: SSAValue, result: SSAValue, view: View | None = None) -> SSAValue:
    """A tensor for `result` from the kernel's output buffer `view_buf`; copies into a buffer
    of the result's shape when the view differs (`view` maps view to logical indices)."""
    shape = tensor_shape(result)
    buf = view_buf
    if tensor_shape(view_buf) != shape:
        buf = alloc_like(gen, shape, element_type(result))
        vshape = tensor_shape(view_buf)
        if view is None or view.natural:
            reshape_copy(gen, view_buf, buf)
        else:
            copy_loops(gen, vshape, view_buf, identity_map, buf, logical_index(view))
    return gen.add(bufferization.ToTensorOp(buf))


# ---------------------------------------------------------------------------------------------
# The tile expression emitter shared by elementwise, matmul-epilogue and reduction programs
# ---------------------------------------------------------------------------------------------

# ztensor.<name> -> ztile.<name> for every elementwise op of the op table.
_ZT_TO_ZTILE: dict[type[Operation], type[Operation]] = {
    op: ztile.ELEMENTWISE_OPS[name] for name, op in zt.ELEMENTWISE_OPS.items()
}


_Key = tuple[SSAValue, tuple[SSAValue, ...], Shape]
_Steps = Generator[_Key, SSAValue, SSAValue]
"""A step of tile emission: yields the keys of sub-tiles it needs, returns its tile."""


class TileEmitter:
    """Emits the tile of a group value over a region of the kernel's view.

    `emit(v, offs, shape)` returns the tile of `v` (broadcast to the view's logical shape)
    at view offsets `offs` with tile `shape`; operands broadcast along view dims where they
    have size 1 are loaded once (offset 0, size 1) and expanded with `ztile.broadcast`.
    """

    def __init__(
        self,
        gen: Gen,
        view: View,
        members: set[Operation],
        leaves: dict[SSAValue, SSAValue],
        padding: float = 0.0,
    ) -> None:
        self.gen = gen
        self.view = view
        self.members = members
        self.leaves = leaves
        self.padding = padding
        self.cache: dict[tuple[SSAValue, tuple[SSAValue, ...], Shape], SSAValue] = {}
        self._splats: dict[SSAValue, float | None] = {}

    def with_gen(self, gen: Gen) -> TileEmitter:
        """An emitter for a nested block (a fresh cache: tiles of the outer block stay valid
        there, but values made inside must not leak out)."""
        other = TileEmitter(gen, self.view, self.members, self.leaves, self.padding)
        other.cache = dict(self.cache)
        return other

    def operand(self, x: SSAValue, offs: list[SSAValue], shape: Shape) -> SSAValue:
        """The tile of `x` expanded to `shape` (numpy broadcasting along view dims)."""
        return self._run(self._operand_steps(x, offs, shape))

    def emit(self, v: SSAValue, offs: list[SSAValue], shape: Shape) -> SSAValue:
        key = (v, tuple(offs), shape)
        if key in self.cache:
            return self.cache[key]
        return self._run(self._emit_steps(v, list(offs), shape), key)

    def _run(self, steps: _Steps, key: _Key | None = None) -> SSAValue:
        """Drive emission steps with an explicit stack instead of Python recursion, so that
        expressions as deep as the program (chains of 10,000 ops) emit in constant Python
        stack depth. Each step generator yields the key of a sub-tile it needs and receives
        that tile; ops are emitted in the same order as a recursive walk would emit them."""
        stack: list[tuple[_Key | None, _Steps]] = [(key, steps)]
        sent: SSAValue | None = None
        while True:
            k, it = stack[-1]
            try:
                req = next(it) if sent is None else it.send(sent)
            except StopIteration as stop:
                tile = cast(SSAValue, stop.value)
                if k is not None:
                    self.cache[k] = tile
                stack.pop()
                if not stack:
                    return tile
                sent = tile
                continue
            if req in self.cache:
                sent = self.cache[req]
                continue
            stack.append((req, self._emit_steps(req[0], list(req[1]), req[2])))
            sent = None

    def _splat_of(self, v: SSAValue) -> float | None:
        """The splat value of `v`'s defining constant (memoized), else None."""
        if v not in self._splats:
            owner = v.owner
            self._splats[v] = splat_value(owner) if isinstance(owner, Operation) else None
        return self._splats[v]

    def _splat_tile(self, v: SSAValue, value: float, shape: Shape) -> SSAValue:
        """One `ztile.splat` of a splat constant per tile shape and block (cached under the
        key `(v, (), shape)`: its tile does not depend on the offsets)."""
        key: _Key = (v, (), shape)
        if key not in self.cache:
            elt = element_type(v)
            tt = ztile.TileType(shape, elt)
            self.cache[key] = self.gen.add(ztile.SplatOp(self.gen.fconst(value, elt), tt))
        return self.cache[key]

    def _operand_steps(self, x: SSAValue, offs: list[SSAValue], shape: Shape) -> _Steps:
        splat = self._splat_of(x)
        if splat is not None:
            return self._splat_tile(x, splat, shape)
        if x in self.leaves:
            pattern: tuple[int, ...] | None = tensor_shape(self.leaves[x])
        else:
            pattern = self.view.pattern(tensor_shape(x))
        assert pattern is not None, "mixed broadcast inside a fused group"
        x_offs = [self.gen.index(0) if p == 1 else o for p, o in zip(pattern, offs, strict=True)]
        x_shape = tuple(1 if p == 1 else s for p, s in zip(pattern, shape, strict=True))
        t = yield (x, tuple(x_offs), x_shape)
        if x_shape != shape:
            t = self.gen.add(ztile.BroadcastOp(t, ztile.TileType(shape, element_type(x))))
        return t

    def _emit_steps(self, v: SSAValue, offs: list[SSAValue], shape: Shape) -> _Steps:
        g = self.gen
        elt = element_type(v)
        tt = ztile.TileType(shape, elt)
        op = v.owner
        splat = self._splat_of(v)
        if splat is not None:
            return self._splat_tile(v, splat, shape)
        if v in self.leaves:
            return g.add(ztile.LoadOp(self.leaves[v], offs, tt, padding=self.padding))
        assert isinstance(op, Operation) and op in self.members, f"not in the group: {v}"
        if type(op) in _ZT_TO_ZTILE:
            # The ztile op of the same name on the operands' tiles, with the same properties
            # (a comparison's predicate).
            tiles: list[SSAValue] = []
            for x in op.operands:
                tiles.append((yield from self._operand_steps(x, offs, shape)))
            return g.add(
                _ZT_TO_ZTILE[type(op)].create(
                    operands=tiles, result_types=[tt], properties=dict(op.properties)
                )
            )
        if isinstance(op, zt.BroadcastToOp):
            return (yield from self._operand_steps(op.input, offs, shape))
        if isinstance(op, zt.TransposeOp):
            # View dims are the logical dims here (transposes only fuse into natural views).
            perm = op.perm
            lead = len(shape) - len(perm)
            full = list(range(lead)) + [lead + p for p in perm]
            in_offs = list(offs)
            in_shape = list(shape)
            for i, p in enumerate(full):
                in_offs[p] = offs[i]
                in_shape[p] = shape[i]
            t = yield from self._operand_steps(op.input, in_offs, tuple(in_shape))
            return g.add(ztile.TransposeOp(t, full))
        raise AssertionError(f"cannot emit {op.name} as a tile expression")


# ---------------------------------------------------------------------------------------------
# Kernel emission
# ---------------------------------------------------------------------------------------------


class Lowerer:
    """Emits the program of each group before its root and replaces the root's result."""

    def __init__(self, chooser: TileSizeChooser) -> None:
        self.chooser = chooser

    def lower_group(self, group: Group) -> None:
        root = group.root
        gen = Gen(root.parent_block(), before=root)  # type: ignore[arg-type]
        if group.matmul is not None:
            result = self.matmul(gen, group)
        elif isinstance(root, ELEMENTWISE_TYPES) or splat_value(root) is not None:
            result = self.elementwise(gen, group)
        elif isinstance(root, zt.ReduceOp | zt.SoftmaxOp | zt.LayerNormOp):
            result = self.reduction(gen, group)
        elif isinstance(root, zt.ReshapeOp):
            result = self.reshape(gen, root)
        elif isinstance(root, zt.CastOp):
            result = self.cast(gen, root)
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
        leaves: dict[SSAValue, SSAValue] = {}
        for m in reversed(group.topological()):  # the root first
            if m is group.matmul:
                continue
            for x in m.operands:
                owner = x.owner
                if isinstance(owner, Operation) and (
                    owner in group.members or splat_value(owner) is not None
                ):
                    continue
                if x not in leaves:
                    leaves[x] = buffer_for_view(gen, x, view)
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
            flat = alloc_like(gen, (math.prod(shape[:-2]) * rows, cols), elt)
            reshape_copy(gen, buf, flat)
            return flat

        a = matrix_buffer(mm.lhs, m, k)
        b = matrix_buffer(mm.rhs, k, n)
        view = matmul_view(out_shape)
        leaves = self._leaves(gen, group, view)
        out = alloc_like(gen, view.dims, elt)
        acc_type = ztile.TileType((tm, tn), elt)
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
            init = g.add(ztile.SplatOp(g.fconst(0.0, elt), acc_type))

            def k_step(inner: Gen, kk: SSAValue, carried: list[SSAValue]) -> list[SSAValue]:
                ta = inner.add(ztile.LoadOp(a, [a_row, kk], a_type, padding=0.0))
                tb = inner.add(ztile.LoadOp(b, [inner.addi(b_base, kk), j], b_type, padding=0.0))
                return [inner.add(ztile.DotOp(ta, tb, carried[0]))]

            (acc,) = g.loop(k, tk, [init], k_step)
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
        result = op.results[0]
        setup = reduction_view(tensor_shape(x), reduction_axes(op), self.chooser)
        if setup is None:
            return x
        view, vaxes, tile = setup
        elt = element_type(result)
        dims = view.dims
        if view.natural:
            leaves = self._leaves(gen, group, view)
        else:
            buf = gen.add(to_buffer(x))
            flat = alloc_like(gen, dims, elt)
            copy_loops(gen, dims, buf, logical_index(view), flat, identity_map)
            leaves = {x: flat}
        kept = [d for d in range(len(dims)) if d not in vaxes]
        stats_shape = tuple(1 if d in vaxes else t for d, t in enumerate(tile))
        stats_dims = tuple(1 if d in vaxes else n for d, n in enumerate(dims))
        chunks = {a: -(-dims[a] // tile[a]) for a in vaxes}
        n_total = math.prod(dims[a] for a in vaxes)
        padded_total = math.prod(chunks[a] * tile[a] for a in vaxes)
        is_norm = isinstance(op, NORMALIZE_TYPES)
        out = alloc_like(gen, dims if is_norm else stats_dims, elt)
        st = ztile.TileType(stats_shape, elt)
        full_t = ztile.TileType(tile, elt)
        neg_inf = float("-inf")

        def body(g: Gen, kept_offs: list[SSAValue]) -> None:
            base: list[SSAValue] = [g.index(0)] * len(dims)
            for d, o in zip(kept, kept_offs, strict=True):
                base[d] = o

            def load(gg: Gen, offs: list[SSAValue], pad: float) -> SSAValue:
                em = TileEmitter(gg, view, group.members, leaves, padding=pad)
                return em.emit(x, offs, tile)

            def reduce(gg: Gen, t: SSAValue, kind: str) -> SSAValue:
                for a in vaxes:
                    t = gg.add(ztile.ReduceOp(kind, t, a))
                return t

            def over_chunks(
                gg: Gen,
                inits: list[SSAValue],
                step: Callable[[Gen, list[SSAValue], list[SSAValue]], list[SSAValue]],
            ) -> list[SSAValue]:
                """Runs `step(offs, carried)` for every chunk along the reduced axes."""

                def level(
                    g3: Gen, i: int, offs: list[SSAValue], carried: list[SSAValue]
                ) -> list[SSAValue]:
                    if i == len(vaxes):
                        return step(g3, offs, carried)
                    a = vaxes[i]

                    def inner(g4: Gen, iv: SSAValue, c: list[SSAValue]) -> list[SSAValue]:
                        o = list(offs)
                        o[a] = iv
                        return level(g4, i + 1, o, c)

                    return g3.loop(dims[a], tile[a], carried, inner)

                return level(gg, 0, list(base), inits)

            single = all(chunks[a] == 1 for a in vaxes)
            whole = load(g, base, 0.0) if single and isinstance(op, zt.LayerNormOp) else None

            def total(
                kind: str, pad: float, f: Callable[[Gen, SSAValue], SSAValue] | None
            ) -> SSAValue:
                if single:
                    t = whole if whole is not None and pad == 0.0 else load(g, base, pad)
                    return reduce(g, f(g, t) if f else t, kind)
                init_value = 0.0 if kind == "sum" else neg_inf
                init = g.add(ztile.SplatOp(g.fconst(init_value, elt), st))
                combine = ztile.AddOp if kind == "sum" else ztile.MaximumOp

                def step(g3: Gen, offs: list[SSAValue], c: list[SSAValue]) -> list[SSAValue]:
                    t = load(g3, offs, pad)
                    r = reduce(g3, f(g3, t) if f else t, kind)
                    return [g3.add(combine(c[0], r))]

                return over_chunks(g, [init], step)[0]

            def bcast(gg: Gen, t: SSAValue) -> SSAValue:
                return gg.add(ztile.BroadcastOp(t, full_t))

            if isinstance(op, zt.ReduceSumOp | zt.ReduceMeanOp):
                r = total("sum", 0.0, None)
                if isinstance(op, zt.ReduceMeanOp):
                    r = g.add(ztile.DivOp(r, g.add(ztile.SplatOp(g.fconst(n_total, elt), st))))
                g.add_op(ztile.StoreOp(r, out, base))
                return
            if isinstance(op, zt.ReduceMaxOp):
                g.add_op(ztile.StoreOp(total("max", neg_inf, None), out, base))
                return
            if isinstance(op, zt.SoftmaxOp):
                mx = total("max", neg_inf, None)

                def shifted_exp(gg: Gen, t: SSAValue) -> SSAValue:
                    return gg.add(ztile.ExpOp(gg.add(ztile.SubOp(t, bcast(gg, mx)))))

                s = total("sum", neg_inf, shifted_exp)

                def write(gg: Gen, offs: list[SSAValue], c: list[SSAValue]) -> list[SSAValue]:
                    e = shifted_exp(gg, load(gg, offs, neg_inf))
                    gg.add_op(ztile.StoreOp(gg.add(ztile.DivOp(e, bcast(gg, s))), out, offs))
                    return []

                over_chunks(g, [], write)
                return
            assert isinstance(op, zt.LayerNormOp)
            count = g.add(ztile.SplatOp(g.fconst(n_total, elt), st))
            mean = g.add(ztile.DivOp(total("sum", 0.0, None), count))

            def square_dev(gg: Gen, t: SSAValue) -> SSAValue:
                d = gg.add(ztile.SubOp(t, bcast(gg, mean)))
                return gg.add(ztile.MulOp(d, d))

            ss = total("sum", 0.0, square_dev)
            if padded_total != n_total:
                # Padded elements (0.0) each added mean**2 to the sum of squared deviations.
                pads = g.add(ztile.SplatOp(g.fconst(padded_total - n_total, elt), st))
                ss = g.add(
                    ztile.SubOp(ss, g.add(ztile.MulOp(pads, g.add(ztile.MulOp(mean, mean)))))
                )
            eps = g.add(ztile.SplatOp(g.fconst(op.epsilon.value.data, elt), st))
            denom = g.add(ztile.SqrtOp(g.add(ztile.AddOp(g.add(ztile.DivOp(ss, count)), eps))))

            def write_norm(gg: Gen, offs: list[SSAValue], c: list[SSAValue]) -> list[SSAValue]:
                t = whole if whole is not None else load(gg, offs, 0.0)
                y = gg.add(ztile.DivOp(gg.add(ztile.SubOp(t, bcast(gg, mean))), bcast(gg, denom)))
                gg.add_op(ztile.StoreOp(y, out, offs))
                return []

            over_chunks(g, [], write_norm)

        kept_dims = tuple(dims[d] for d in kept)
        kept_tile = tuple(tile[d] for d in kept)
        if kept_dims:
            emit_grid(gen, kept_dims, kept_tile, body)
        else:
            block = Block()
            g = Gen(block)
            body(g, [])
            g.add_op(ztile.YieldOp())
            gen.add_op(ztile.GridOp([1], block))
        return finish(gen, out, result, view if is_norm else None)

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


def lower_block(block: Block, chooser: TileSizeChooser) -> None:
    """Plan and emit the kernels of one block, then lower the splat constants left over.
    Each `ztensor.fused` op is one kernel; the planner groups the other ztensor ops."""
    fused = [op for op in block.ops if isinstance(op, zt.FusedOp)]
    given = [g for g in (kernel_of_fused(op, chooser) for op in fused) if g is not None]
    groups = Planner(block, chooser).plan(given)
    lowerer = Lowerer(chooser)
    for group in groups:
        lowerer.lower_group(group)
    for op in list(block.ops):
        if isinstance(op, zt.ConstantOp):
            if op.result.uses:
                lowerer.lower_group(Group(op, {op}))
            else:
                Rewriter.erase_op(op)


@dataclass(frozen=True)
class ZTensorToZTilePass(ModulePass):
    """Lowers every ztensor op to ztile programs on buffers (see the module docstring).

    `tile-sizes` is empty for the built-in heuristic (`DefaultTileSizes`), or `M,N,K`:
    the output tile of matmul and 2-D elementwise programs and the K chunk of matmul.
    """

    name = "ztensor-to-ztile"

    tile_sizes: tuple[int, ...] = ()

    def chooser(self) -> TileSizeChooser:
        if not self.tile_sizes:
            return DefaultTileSizes()
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
            lower_block(block, chooser)


__all__ = [
    "Gen",
    "TileEmitter",
    "View",
    "ZTensorToZTilePass",
    "copy_loops",
    "lower_block",
    "reshape_copy",
    "tile_copy",
]
