"""`ztile-to-zloop` of elementwise ops: chains of them become one loop nest over vectors.

Consecutive ops producing tiles of the same shape (`CHAIN_OPS`: the op table's elementwise
ops, `ztile.broadcast`, `ztile.splat`, `ztile.cast`; their element types may differ, as a
comparison of floats is a boolean tile and a cast changes the float type) are one loop nest
over the tile's vectors (`lower_chain`), which stores only the values used outside the chain;
a chain whose results are each read by one `ztile.reduce` alone (in whole vectors) stores
nothing: the reduce computes them where it reads them (`ZLoopBuilder.computed`). Each
element of an op becomes the `arith`/`math`/`zloop` ops its row of the op table names (`ziggurat.dialects.optable`:
`exp` -> `math.exp`, `relu` -> `arith.maximumf` with +0.0, `gelu` -> its tanh
approximation, ...), with constants of the result's element type; a `ztile.cast` element
is `arith.extf` (f32 -> f64) or `arith.truncf` (f64 -> f32) of the vector.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from xdsl.dialects import arith, math, memref, vector
from xdsl.dialects.builtin import VectorType
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.irdl import IRDLOperation
from xdsl.utils.exceptions import DiagnosticException

from ziggurat.dialects import optable, zloop, ztile
from ziggurat.lowering.zloop_builder import Buffer, ZLoopBuilder, memref_root, tile_type

CHAIN_OPS: tuple[type[Operation], ...] = (
    *ztile.ELEMENTWISE_OPS.values(),
    ztile.BroadcastOp,
    ztile.SplatOp,
    ztile.CastOp,
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

    def __init__(self, lowering: ZLoopBuilder, element_type: Attribute, vectorized: bool):
        self.lowering = lowering
        self.element_type = element_type
        self.vectorized = vectorized

    def const(self, value: float) -> SSAValue:
        return self.lowering.const(value, self.element_type, self.vectorized)

    def op(self, name: str, *operands: SSAValue, predicate: str | None = None) -> SSAValue:
        cls = _SCALAR_OPS[name]
        op = cls(*operands) if predicate is None else cls(*operands, predicate)
        return self.lowering.value(op)


def lower_chain(g: ZLoopBuilder, members: list[Operation]) -> None:
    """One loop nest over the tiles of one shape computing a chain of elementwise ops
    (their element types may differ: a comparison of floats is a boolean tile)."""
    shape = tile_type(members[0].results[0]).get_shape()
    vec = shape[-1] > 1

    def elt(m: Operation) -> Attribute:
        return tile_type(m.results[0]).element_type

    inside = set(members)
    outputs = [m for m in members if any(u.operation not in inside for u in m.results[0].uses)]
    hoisted: dict[SSAValue, SSAValue] = {}
    for m in members:
        if isinstance(m, ztile.SplatOp):
            scalar = g.lookup(m.value)
            if vec:
                scalar = g.value(vector.BroadcastOp(scalar, g.vector_type(elt(m))))
            hoisted[m.result] = scalar

    def element(idx: list[SSAValue]) -> dict[SSAValue, SSAValue]:
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
                    local[m.result] = read_broadcast(g, m.input, shape, idx)
                continue
            operands: list[SSAValue] = []
            for v in m.operands:
                if v not in local:
                    local[v] = g.read(g.buffer(v), idx)
                operands.append(local[v])
            local[m.results[0]] = compute(g, m, operands, elt(m), vec)
        return local

    if outputs and all(_computed_where_reduced(g, m, shape) for m in outputs):
        for m in outputs:
            g.computed[m.results[0]] = _reader(element, m.results[0])
        return
    out_bufs: dict[Operation, Buffer] = {}
    for m in outputs:
        target = in_place_target(g, m)
        if target is None:
            out_bufs[m] = g.alloc(shape, elt(m))
        else:
            out_bufs[m], store = target
            g.stored.add(store)

    def body(idx: list[SSAValue]) -> None:
        local = element(idx)
        for m in outputs:
            g.write(local[m.results[0]], out_bufs[m], idx)

    g.tile_nest(shape, body)
    for m in outputs:
        g.buffers[m.results[0]] = out_bufs[m]


def in_place_target(g: ZLoopBuilder, m: Operation) -> tuple[Buffer, ztile.StoreOp] | None:
    """Where the chain writes its result `m` in place: the view of the memref of the one
    `ztile.store` of it, when every program's tile lies wholly in bounds with rows of whole
    vectors (`ZLoopBuilder.in_bounds_view`) and the grid neither loads from that memref's
    buffer nor stores to it elsewhere (so writing it earlier than the store changes nothing
    the program reads; distinct memref arguments do not overlap)."""
    result = m.results[0]
    if not result.has_one_use():
        return None
    store = next(iter(result.uses)).operation
    if not isinstance(store, ztile.StoreOp):
        return None
    view = g.in_bounds_view(store.memref, store.indices, tile_type(result))
    if view is None:
        return None
    root = memref_root(store.memref)
    for inner in g.grid.walk():
        if inner is store or not isinstance(inner, ztile.LoadOp | ztile.StoreOp):
            continue
        if memref_root(inner.memref) is root:
            return None
    return view, store


def _reader(
    element: Callable[[list[SSAValue]], dict[SSAValue, SSAValue]], result: SSAValue
) -> Callable[[list[SSAValue]], SSAValue]:
    return lambda idx: element(idx)[result]


def _computed_where_reduced(g: ZLoopBuilder, m: Operation, shape: Sequence[int]) -> bool:
    """Whether the chain's result `m` is better computed inside the one `ztile.reduce` that
    reads it (each element is read there once) than stored to a stack buffer: its only use
    is that reduce, and the reduce reads the tile in whole vectors (no scalar tail)."""
    result = m.results[0]
    if not result.has_one_use():
        return False
    reader = next(iter(result.uses)).operation
    return isinstance(reader, ztile.ReduceOp) and (shape[-1] == 1 or shape[-1] % g.width == 0)


def read_broadcast(
    g: ZLoopBuilder, tile: SSAValue, shape: Sequence[int], idx: Sequence[SSAValue]
) -> SSAValue:
    src = g.buffer(tile)
    zero = g.index(0)
    at = [i if s == d else zero for i, s, d in zip(idx, src.shape, shape, strict=True)]
    if src.shape[-1] == shape[-1]:
        return g.read(src, at)
    scalar = g.value(memref.LoadOp.get(src.memref, g.at(src, at)))
    if shape[-1] == 1:
        return scalar
    return g.value(vector.BroadcastOp(scalar, g.vector_type(src.element_type)))


def convert_float(g: ZLoopBuilder, value: SSAValue, elt: Attribute, vec: bool) -> SSAValue:
    """`value` (a scalar, or when `vec` a vector) as `elt`: `arith.extf` or `arith.truncf`,
    or `value` itself when it already has that element type."""
    source = value.type.element_type if isinstance(value.type, VectorType) else value.type
    if source == elt:
        return value
    target = g.vector_type(elt) if vec else elt
    if _bitwidth(elt) > _bitwidth(source):
        return g.value(arith.ExtFOp(value, target))
    return g.value(arith.TruncFOp(value, target))


def _bitwidth(elt: Attribute) -> int:
    return int(getattr(elt, "bitwidth", 32))


def compute(
    g: ZLoopBuilder, op: Operation, args: Sequence[SSAValue], elt: Attribute, vec: bool
) -> SSAValue:
    """The vector (or scalar) value of one elementwise op: its op table expansion
    (constants of the result's element type `elt`), or the conversion of a cast."""
    if isinstance(op, ztile.CastOp):
        return convert_float(g, args[0], elt, vec)
    row = _ROWS.get(type(op))
    if row is None:
        raise DiagnosticException(f"ztile-to-zloop: cannot lower '{op.name}'")
    return row.expand(_Scalars(g, elt, vec), *args, predicate=optable.predicate_of(op))
