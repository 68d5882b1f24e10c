"""Global memory in `ztile-to-nvvm`: masked tile loads and stores, scalar `memref` access.

`ztile.load` and `ztile.store` work per element: the global index of slot j is the tile's
offsets plus the slot's coordinates; the element is in bounds when `0 <= index < dim` along
every dim and the slot is valid. That predicate guards a PTX `@p ld.global` / `@p
st.global` in inline assembly (as Triton does): a masked-off load yields the load's
`padding`, a masked-off store writes nothing. i1 memrefs hold one byte an element (`u8`),
f16 and bf16 memrefs two (`u16`, through a 32-bit register as PTX allows for narrow types).
Scalar `memref.load/store` (host copy loops) are plain LLVM loads and stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from llvmlite import ir
from xdsl.dialects import memref
from xdsl.dialects.builtin import MemRefType
from xdsl.ir import SSAValue

from ziggurat.dialects import ztile
from ziggurat.lowering.ztile_to_nvvm_kernel import (
    F32,
    I1,
    I8,
    I16,
    I32,
    I64,
    VOID,
    KernelBuilder,
    Tile,
    lowering,
    numel,
)

LOAD_ASM = "mov.b32 $0, $3; @$2 ld.global.{kind} $0, [$1];"
"""Predicated global load: $0 = $2 ? *$1 : $3 (the padding's bits)."""
STORE_ASM = "@$2 st.global.{kind} [$1], $0;"
"""Predicated global store: if $2 then *$1 = $0."""


def _address(
    k: KernelBuilder, mem: SSAValue, index: Sequence[ir.Value], shape: Sequence[int]
) -> ir.Value:
    base = k.scalar(mem)
    return k.b.ptrtoint(k.b.gep(base, [k.linear(index, shape)]), I64)


def _in_bounds(
    k: KernelBuilder, op: ztile.LoadOp | ztile.StoreOp, n: int, j: int, shape: tuple[int, ...]
) -> tuple[ir.Value, list[ir.Value]]:
    mref = cast(MemRefType, op.memref.type)
    dims = mref.get_shape()
    offsets = [k.scalar(v) for v in op.indices]
    ok = k.valid(n, j)
    index = []
    for c, o, d in zip(k.coords(shape, j), offsets, dims, strict=True):
        g = k.b.add(o, c)
        # unsigned < d is 0 <= g < d for a signed g
        ok = k.b.and_(ok, k.b.icmp_unsigned("<", g, k.i64(d)))
        index.append(g)
    return ok, index


def _bits16(k: KernelBuilder, value: ir.Value) -> ir.Value:
    """The 16 bits of an f16 (`half`) or bf16 (already `i16`) value."""
    return value if value.type == I16 else k.b.bitcast(value, I16)


@lowering(ztile.LoadOp)
def lower_load(k: KernelBuilder, op: ztile.LoadOp) -> None:
    ty = cast(ztile.TileType, op.result.type)
    shape = tuple(ty.get_shape())
    n = numel(shape)
    storage = k.storage[op.memref]
    boolean = storage.element == "bool"
    dims = cast(MemRefType, op.memref.type).get_shape()
    if boolean:
        other = ir.Constant(I32, int(bool(op.padding_value)))
    elif storage.element == "f32":
        other = k.b.bitcast(ir.Constant(F32, op.padding_value), I32)
    else:
        padding = k.narrow(ir.Constant(F32, op.padding_value), storage.element)
        other = k.b.zext(_bits16(k, padding), I32)
    asm = ir.InlineAsm(
        ir.FunctionType(I32, [I64, I1, I32]),
        LOAD_ASM.format(kind=storage.asm_kind),
        "=r,l,b,r",
        side_effect=True,
    )
    slots = []
    for j in range(k.slots(n)):
        ok, index = _in_bounds(k, op, n, j, shape)
        bits = k.b.call(asm, [_address(k, op.memref, index, dims), ok, other])
        if boolean:
            slots.append(k.b.icmp_unsigned("!=", bits, ir.Constant(I32, 0)))
        elif storage.element == "f32":
            slots.append(k.b.bitcast(bits, F32))
        else:
            half = k.b.trunc(bits, I16)
            slots.append(half if storage.llvm == I16 else k.b.bitcast(half, storage.llvm))
    element = "f32" if boolean else storage.element
    k.values[op.result] = Tile(shape, slots, boolean=boolean, element=element)


@lowering(ztile.StoreOp)
def lower_store(k: KernelBuilder, op: ztile.StoreOp) -> None:
    tile = k.tile(op.value)
    storage = k.storage[op.memref]
    dims = cast(MemRefType, op.memref.type).get_shape()
    asm = ir.InlineAsm(
        ir.FunctionType(VOID, [I32, I64, I1]),
        STORE_ASM.format(kind=storage.asm_kind),
        "r,l,b",
        side_effect=True,
    )
    for j, value in enumerate(tile.slots):
        ok, index = _in_bounds(k, op, tile.numel, j, tile.shape)
        if storage.element in ("bool", "f32"):
            bits = k.b.zext(value, I32) if storage.llvm == I8 else k.b.bitcast(value, I32)
        else:
            bits = k.b.zext(_bits16(k, value), I32)
        k.b.call(asm, [bits, _address(k, op.memref, index, dims), ok])


@lowering(memref.LoadOp)
def lower_memref_load(k: KernelBuilder, op: memref.LoadOp) -> None:
    dims = cast(MemRefType, op.memref.type).get_shape()
    index = [k.scalar(v) for v in op.indices]
    ptr = k.b.gep(k.scalar(op.memref), [k.linear(index, dims)])
    value = k.b.load(ptr)
    if k.storage[op.memref].llvm == I8:
        value = k.b.icmp_unsigned("!=", value, ir.Constant(I8, 0))
    k.values[op.res] = value


@lowering(memref.StoreOp)
def lower_memref_store(k: KernelBuilder, op: memref.StoreOp) -> None:
    dims = cast(MemRefType, op.memref.type).get_shape()
    index = [k.scalar(v) for v in op.indices]
    ptr = k.b.gep(k.scalar(op.memref), [k.linear(index, dims)])
    value = k.scalar(op.value)
    if k.storage[op.memref].llvm == I8:
        value = k.b.zext(value, I8)
    k.b.store(value, ptr)


__all__ = ["LOAD_ASM", "STORE_ASM"]
