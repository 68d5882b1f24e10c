"""Building blocks of the ztile programs `ztensor-to-ztile` emits.

`Gen` inserts ops and builds index arithmetic (an `IndexBuilder` on `index` values); scalar
copy loops between buffers (`copy_loops`, `reshape_copy`, `tile_copy`); `emit_grid`, the
`ztile.grid` over a kernel's output tiles; the index maps between a kernel's view
(`ztensor_kernels.View`) and its tensors' shapes, with the buffers of the view's shape;
and `TileEmitter`, which writes the tile expression of a kernel's members (elementwise ops,
broadcasts, transposes, splats) for one output tile. Used by the kernels of
`ztensor_to_ztile.py` and `ztensor_to_ztile_reductions.py`, and by `bufferize`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from typing import Any, cast

from xdsl.dialects import arith, bufferization, memref, scf
from xdsl.dialects.builtin import (
    ArrayAttr,
    FloatAttr,
    IndexType,
    IntegerAttr,
    MemRefType,
    TensorType,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue

from ziggurat.dialects import ztensor as zt
from ziggurat.dialects import ztile
from ziggurat.dialects.tiling import (
    TileSizeChooser,
)
from ziggurat.dialects.ztensor_kernels import (
    MAX_TILE_RANK,
    View,
    splat_value,
    tensor_shape,
)
from ziggurat.lowering.index_builder import ARITH_INDEX, IndexBuilder

Shape = tuple[int, ...]

# ---------------------------------------------------------------------------------------------
# Building blocks: an op inserter with index arithmetic, and scalar copy loops
# ---------------------------------------------------------------------------------------------


class Gen(IndexBuilder):
    """Appends ops to a block (or inserts them before an op) and builds index arithmetic
    (`IndexBuilder` on `index` values), reusing the index and float constants it made."""

    def __init__(
        self, block: Block, before: Operation | None = None, parent: Gen | None = None
    ) -> None:
        self.block = block
        self.before = before
        super().__init__(ARITH_INDEX, self.add_op, parent=parent)
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

    def fconst(self, x: float, elt: Attribute) -> SSAValue:
        key = (float(x).hex(), elt)  # tells -0.0 from +0.0
        if key not in self._float:
            self._float[key] = self.add(arith.ConstantOp(FloatAttr(x, cast(Any, elt))))
        return self._float[key]

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
    """Copy `src` into `dst` of the same shape: a tile grid for ranks 1 to 3, else (and for
    elements tiles do not hold: the integer buffers of `linalg-to-zloop`) scalar loops."""
    shape = tensor_shape(src)
    elt = element_type(src)
    tileable = isinstance(elt, ztile.FLOAT_TYPES) or elt == ztile.BOOL
    if not 1 <= len(shape) <= MAX_TILE_RANK or not tileable:
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


def collapse_groups(full: Shape, flat: Shape) -> list[list[int]] | None:
    """The reassociation (consecutive dims of `full` merged into each dim of `flat`, row-major)
    that turns shape `full` into `flat`, or None when `flat` is not such a collapse."""
    if math.prod(full) != math.prod(flat) or len(flat) > len(full) or not flat:
        return None
    groups: list[list[int]] = []
    d = 0
    for k, size in enumerate(flat):
        if d >= len(full):
            return None
        group = [d]
        product = full[d]
        d += 1
        while product < size or (k == len(flat) - 1 and d < len(full)):
            if d >= len(full):
                return None
            product *= full[d]
            group.append(d)
            d += 1
        if product != size:
            return None
        groups.append(group)
    return groups if d == len(full) else None


def collapsed_view(gen: Gen, buf: SSAValue, flat: Shape) -> SSAValue | None:
    """`buf` viewed with shape `flat` (a `memref.collapse_shape`: the same memory, no copy),
    or None when `flat` does not collapse consecutive dims of `buf`'s shape."""
    groups = collapse_groups(tensor_shape(buf), flat)
    if groups is None:
        return None
    if len(groups) == len(flat) == len(tensor_shape(buf)):
        return buf
    t = buf.type
    assert isinstance(t, MemRefType)
    return gen.add(
        memref.CollapseShapeOp(
            operands=[buf],
            result_types=[MemRefType(t.element_type, flat)],
            properties={
                "reassociation": ArrayAttr(
                    [ArrayAttr([IntegerAttr(d, i64) for d in g]) for g in groups]
                )
            },
        )
    )


def buffer_for_view(gen: Gen, tensor: SSAValue, view: View) -> SSAValue:
    """A memref of `tensor` shaped `view.leaf_shape(...)`: its own buffer when the shapes agree,
    a view of it when the leaf shape only collapses consecutive dims, else a copy (broadcast
    dims that mix with full ones in a view dim are materialized)."""
    shape = tensor_shape(tensor)
    buf = gen.add(to_buffer(tensor))
    want = view.leaf_shape(shape)
    if want == shape:
        return buf
    flat = collapsed_view(gen, buf, want)
    if flat is not None:
        return flat
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
    owner = view_buf.owner
    vshape = tensor_shape(view_buf)
    if (
        vshape != shape
        and (view is None or view.natural or in_order(view))
        and isinstance(owner, memref.AllocOp)
        and collapse_groups(shape, vshape) is not None
    ):
        # The kernel writes a view of a buffer of the result's shape: no copy.
        full = memref.AllocOp.get(element_type(result), shape=shape)
        block = owner.parent_block()
        assert block is not None
        block.insert_op_before(full, owner)
        at = Gen(block, before=owner)
        flat = collapsed_view(at, full.memref, vshape)
        assert flat is not None
        view_buf.replace_all_uses_with(flat)
        owner.detach()
        owner.erase()
        return gen.add(bufferization.ToTensorOp(full.memref))
    if vshape != shape:
        buf = alloc_like(gen, shape, element_type(result))
        vshape = tensor_shape(view_buf)
        if view is None or view.natural:
            reshape_copy(gen, view_buf, buf)
        else:
            copy_loops(gen, vshape, view_buf, identity_map, buf, logical_index(view))
    return gen.add(bufferization.ToTensorOp(buf))


def in_order(view: View) -> bool:
    """Whether the view's dims merge consecutive logical dims in order (a row-major collapse)."""
    return [d for g in view.groups for d in g] == list(range(len(view.shape)))


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
        if isinstance(op, zt.CastOp):
            t = yield from self._operand_steps(op.input, offs, shape)
            converted = ztile.CastOp(t, elt)
            converted.location = op.location  # a target without f64 reports the source cast
            return g.add(converted)
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
