"""The kernel builder of `ztile-to-nvvm`: one CUDA kernel as LLVM IR for NVPTX (llvmlite), the
blocked layout of its tiles, shared memory, loops and scalar code; the per-op lowerings
register themselves with `@lowering(OpType)`.

The layout: a tile of `numel` elements is held by the T = 32 * num_warps threads of a thread
block; thread t owns the elements whose row-major linear index e has e % T == t, in
`ceil(numel / T)` register slots (slot j holds element j * T + t; the last slot of a thread is
invalid where that index is >= numel). Tile shapes are static, so the slots are unrolled.

The op lowerings, by concern:
- here: elementwise ops (through the op table, `optable.Elementwise.expand`, into the scalar
  ops of `ztile_to_nvvm_math`), `ztile.splat`, `ztile.program_id` (`ctaid.x/y/z`), `scf.for`
  (bounds uniform across the block, so every thread takes the same branches; tiles carried
  slot by slot), `arith` scalar ops;
- `ztile_to_nvvm_transfers`: predicated global loads and stores, scalar `memref` access;
- `ztile_to_nvvm_shared`: the ops where a thread needs elements another thread owns
  (broadcast, transpose, reduce, dot), through one static shared-memory array per kernel.

Element types: f32, f16 and bf16 tiles (and i1 tiles of comparisons). An f16 slot is an
LLVM `half`, a bf16 slot the 16 bits of the value (`i16`: llvmlite has no bfloat type); both
compute in f32 and round to their type after every op, as numpy does (`KernelBuilder.widen`,
`narrow`). f64 is not supported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
from llvmlite import ir
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import (
    BFloat16Type,
    DenseIntOrFPElementsAttr,
    Float16Type,
    Float32Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
)
from xdsl.ir import Block, Operation, SSAValue

from ziggurat.dialects import optable, ztile
from ziggurat.lowering.ztile_to_nvvm_math import Scalars

F32 = ir.FloatType()
F16 = ir.HalfType()
I1 = ir.IntType(1)
I8 = ir.IntType(8)
I16 = ir.IntType(16)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
VOID = ir.VoidType()
GLOBAL = 1
SHARED = 3

SHARED_BUDGET_BYTES = 48 * 1024
"""Static shared memory a kernel may use (the limit without opt-in on every sm_80+ GPU)."""


class LoweringError(Exception):
    """A program the GPU lowering does not support, located at `op`."""

    def __init__(self, op: Operation, message: str) -> None:
        super().__init__(message)
        self.op = op


FLOAT_ELEMENTS = ("f32", "f16", "bf16")
"""The float element types of GPU tiles, by name."""


def element_name(op: Operation, elt: object) -> str:
    """The name of a float element type `elt` ("f32", "f16" or "bf16"); a located error
    otherwise."""
    if isinstance(elt, Float32Type):
        return "f32"
    if isinstance(elt, Float16Type):
        return "f16"
    if isinstance(elt, BFloat16Type):
        return "bf16"
    raise LoweringError(op, f"ztile-to-nvvm supports f32, f16 and bf16 data only, got {elt}")


def bf16_bits(x: float) -> int:
    """The bits of `x` rounded to bf16 (f32 first, then to nearest even; NaN stays quiet NaN),
    as `KernelBuilder.narrow` computes them on the GPU."""
    bits = int(np.array(x, np.float32).view(np.uint32))
    if np.isnan(np.float32(x)):
        return (bits >> 16) | 0x40
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) & 0xFFFF


def register_type(element: str) -> ir.Type:
    """How a slot of `element` is held: f32 `float`, f16 `half`, bf16 the bits as `i16`."""
    return {"f32": F32, "f16": F16, "bf16": I16}[element]


@dataclass
class Tile:
    """A tile in the blocked layout: `slots[j]` is this thread's element j * T + tid.
    `element` is the float type of its values (ignored for boolean tiles)."""

    shape: tuple[int, ...]
    slots: list[ir.Value]
    boolean: bool = False
    element: str = "f32"

    @property
    def numel(self) -> int:
        return numel(self.shape)


def numel(shape: Sequence[int]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def strides(shape: Sequence[int]) -> list[int]:
    """Row-major strides in elements."""
    out = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        out[d] = out[d + 1] * shape[d + 1]
    return out


@dataclass(frozen=True)
class Storage:
    """How elements of a memref element type sit in global memory."""

    llvm: ir.Type
    bytes: int
    asm_kind: str
    element: str
    """"f32", "f16", "bf16" or "bool"."""


def storage_of(op: Operation, ty: MemRefType) -> Storage:
    elt = ty.element_type
    if isinstance(elt, IntegerType) and elt.width.data == 1:
        return Storage(I8, 1, "u8", "bool")
    if not isinstance(elt, Float32Type | Float16Type | BFloat16Type):
        raise LoweringError(
            op, f"ztile-to-nvvm supports f32, f16, bf16 and i1 memrefs only, got {ty}"
        )
    element = element_name(op, elt)
    if element == "f32":
        return Storage(F32, 4, "b32", element)
    return Storage(register_type(element), 2, "u16", element)


MMA_SHAPE = (16, 8, 16)
"""The tensor-core instruction `ztile.dot` uses for 16-bit inputs: `mma.sync.aligned.m16n8k16`
(sm_80 and newer)."""


def mma_operands(op: ztile.DotOp) -> tuple[SSAValue, SSAValue, str] | None:
    """The 16-bit operands of a dot that runs on tensor cores, and their type ("f16"/"bf16"):
    lhs and rhs are tiles of one 16-bit type, or `ztile.cast`s of such tiles to f32 (the
    lowering of a 16-bit matmul: exact widening), the accumulator is f32, and the tile shapes
    are multiples of the m16n8k16 instruction's. None where the dot uses FMAs."""
    sources = []
    for v in (op.lhs, op.rhs):
        owner = v.owner
        if isinstance(owner, ztile.CastOp):
            v = owner.input
        sources.append(v)
    types = [cast(ztile.TileType, v.type) for v in sources]
    elts = {type(t.element_type) for t in types}
    acc = cast(ztile.TileType, op.acc.type)
    if len(elts) != 1 or not isinstance(acc.element_type, Float32Type):
        return None
    (elt,) = elts
    if elt not in (Float16Type, BFloat16Type):
        return None
    (m, depth), (_, n) = types[0].get_shape(), types[1].get_shape()
    mm, nn, kk = MMA_SHAPE
    if m % mm or n % nn or depth % kk:
        return None
    return sources[0], sources[1], "f16" if elt is Float16Type else "bf16"


MMA_PAD = 8
"""Halves of padding after each staged row of a tensor-core dot's operands (bank conflicts)."""


def mma_shared_floats(m: int, n: int, depth: int) -> int:
    """Shared floats of a tensor-core dot: A (m x K) and B transposed (n x K) as 16-bit
    values in rows of K + `MMA_PAD`, the f32 accumulator (m x n), and one spare float."""
    return (m + n) * (depth + MMA_PAD) // 2 + m * n + 1


def shared_floats_needed(op: Operation) -> int:
    """The shared-memory floats `op` stages (0 for per-thread ops)."""
    if isinstance(op, ztile.DotOp):
        (m, depth) = cast(ztile.TileType, op.lhs.type).get_shape()
        n = cast(ztile.TileType, op.rhs.type).get_shape()[1]
        if mma_operands(op) is not None:
            return mma_shared_floats(m, n, depth)
        return m * depth + depth * n
    if isinstance(op, ztile.ReduceOp):
        # the operand, then one float per result element (the groups' totals)
        return numel(cast(ztile.TileType, op.input.type).get_shape()) + numel(
            cast(ztile.TileType, op.result.type).get_shape()
        )
    if isinstance(op, ztile.BroadcastOp | ztile.TransposeOp):
        return numel(cast(ztile.TileType, op.input.type).get_shape())
    return 0


class KernelBuilder:
    """Builds one `ptx_kernel` function: parameters are the global buffers it uses."""

    def __init__(
        self,
        module: ir.Module,
        name: str,
        params: Sequence[tuple[SSAValue, Storage]],
        threads: int,
        shared_floats: int,
    ) -> None:
        self.module = module
        self.threads = threads
        fnty = ir.FunctionType(VOID, [s.llvm.as_pointer(GLOBAL) for _, s in params])
        self.fn = ir.Function(module, fnty, name)
        self.fn.calling_convention = "ptx_kernel"
        for i, arg in enumerate(self.fn.args):
            arg.name = f"buf{i}"
            arg.add_attribute("noalias")
        self.b = ir.IRBuilder(self.fn.append_basic_block("entry"))
        self.values: dict[SSAValue, ir.Value | Tile] = {}
        self.storage: dict[SSAValue, Storage] = {}
        for (value, storage), arg in zip(params, self.fn.args, strict=True):
            self.values[value] = arg
            self.storage[value] = storage
        self.tid: ir.Value = (
            self.b.zext(self.sreg("tid.x"), I64, name="tid") if threads > 1 else ir.Constant(I64, 0)
        )
        self._coords: dict[tuple[object, tuple[int, ...], int], list[ir.Value]] = {}
        self.shared: ir.Value | None = None
        self.spare = shared_floats - 1
        """The last shared float: where invalid slots write (nothing reads it)."""
        if shared_floats:
            smem = ir.GlobalVariable(
                module, ir.ArrayType(F32, shared_floats), f"{name}_smem", addrspace=SHARED
            )
            smem.linkage = "internal"
            smem.initializer = ir.Constant(smem.value_type, ir.Undefined)
            smem.align = 16
            self.shared = self.b.gep(smem, [ir.Constant(I32, 0), ir.Constant(I32, 0)], name="smem")
        self.scalars = Scalars(self)

    # -- small helpers --------------------------------------------------------------------

    def declare(self, name: str, ret: ir.Type, args: Sequence[ir.Type]) -> ir.Function:
        if name in self.module.globals:
            return cast(ir.Function, self.module.globals[name])
        return ir.Function(self.module, ir.FunctionType(ret, list(args)), name)

    def intrinsic(self, name: str, ret: ir.Type, args: list[ir.Value]) -> ir.Value:
        return self.b.call(self.declare(name, ret, [a.type for a in args]), args)

    def sreg(self, which: str) -> ir.Value:
        return self.intrinsic(f"llvm.nvvm.read.ptx.sreg.{which}", I32, [])

    def barrier(self) -> None:
        self.intrinsic("llvm.nvvm.barrier0", VOID, [])

    def i64(self, value: int) -> ir.Constant:
        return ir.Constant(I64, value)

    def i32(self, value: int) -> ir.Constant:
        return ir.Constant(I32, value)

    def widen(self, value: ir.Value, element: str) -> ir.Value:
        """A slot of `element` as an f32 (exact)."""
        if element == "f16":
            return self.b.fpext(value, F32)
        if element == "bf16":
            bits = self.b.shl(self.b.zext(value, I32), self.i32(16))
            return self.b.bitcast(bits, F32)
        return value

    def narrow(self, value: ir.Value, element: str) -> ir.Value:
        """An f32 rounded to `element` (to nearest even; NaN stays NaN)."""
        if element == "f16":
            return self.b.fptrunc(value, F16)
        if element == "bf16":
            bits = self.b.bitcast(value, I32)
            lsb = self.b.and_(self.b.lshr(bits, self.i32(16)), self.i32(1))
            rounded = self.b.lshr(self.b.add(bits, self.b.add(lsb, self.i32(0x7FFF))), self.i32(16))
            quiet = self.b.or_(self.b.lshr(bits, self.i32(16)), self.i32(0x40))
            nan = self.b.fcmp_unordered("uno", value, value)
            return self.b.trunc(self.b.select(nan, quiet, rounded), I16)
        return value

    def slots(self, n: int) -> int:
        return -(-n // self.threads)

    def element(self, j: int) -> ir.Value:
        """The linear index slot j of this thread holds."""
        if j == 0:
            return self.tid
        return self.b.add(self.tid, self.i64(j * self.threads))

    def valid(self, n: int, j: int) -> ir.Value:
        """Whether slot j of this thread holds one of the n elements."""
        if (j + 1) * self.threads <= n:
            return ir.Constant(I1, 1)
        return self.b.icmp_unsigned("<", self.element(j), self.i64(n))

    def coords(self, shape: tuple[int, ...], j: int) -> list[ir.Value]:
        """The multi-index of slot j's element in a tile of `shape` (memoized per block)."""
        key = (self.b.block, shape, j)
        found = self._coords.get(key)
        if found is not None:
            return found
        out = self.coords_of(self.element(j), shape)
        self._coords[key] = out
        return out

    def coords_of(self, e: ir.Value, shape: tuple[int, ...]) -> list[ir.Value]:
        """The multi-index of linear index `e` (< numel) in a tile of `shape`."""
        out: list[ir.Value] = []
        for d, (size, stride) in enumerate(zip(shape, strides(shape), strict=True)):
            c = e if stride == 1 else self.b.udiv(e, self.i64(stride))
            if d > 0:  # e < numel, so the outermost coordinate needs no remainder
                c = self.b.urem(c, self.i64(size))
            out.append(c)
        return out

    def linear(self, index: Sequence[ir.Value], shape: Sequence[int]) -> ir.Value:
        total: ir.Value | None = None
        for c, s in zip(index, strides(shape), strict=True):
            if _is_zero(c):
                continue
            term = c if s == 1 else self.b.mul(c, self.i64(s))
            total = term if total is None else self.b.add(total, term)
        return self.i64(0) if total is None else total

    def scalar(self, value: SSAValue) -> ir.Value:
        got = self.values[value]
        assert not isinstance(got, Tile)
        return got

    def tile(self, value: SSAValue) -> Tile:
        got = self.values[value]
        assert isinstance(got, Tile)
        return got

    # -- shared memory ----------------------------------------------------------------------

    def to_shared(self, *tiles: tuple[Tile, int]) -> None:
        """Write each (tile, float offset) to shared memory (row-major), between barriers."""
        self.barrier()
        for tile, offset in tiles:
            self._write_shared(tile, offset)
        self.barrier()

    def _write_shared(self, tile: Tile, offset: int) -> None:
        assert self.shared is not None
        n = tile.numel
        for j, value in enumerate(tile.slots):
            valid = self.valid(n, j)
            index = self.element(j)
            if offset:
                index = self.b.add(index, self.i64(offset))
            if not (isinstance(valid, ir.Constant) and valid.constant == 1):
                # An invalid slot writes to the spare float after the staged tiles.
                index = self.b.select(valid, index, self.i64(self.spare))
            value = self.b.uitofp(value, F32) if tile.boolean else self.widen(value, tile.element)
            self.b.store(value, self.b.gep(self.shared, [index]))

    def from_shared(self, index: ir.Value, boolean: bool = False) -> ir.Value:
        assert self.shared is not None
        value = self.b.load(self.b.gep(self.shared, [index]))
        if boolean:
            return self.b.fcmp_ordered("!=", value, ir.Constant(F32, 0.0))
        return value

    # -- ops ------------------------------------------------------------------------------

    def lower_block(self, block: Block) -> list[ir.Value | Tile]:
        """Lower every op of `block`; returns the operands of its terminator."""
        for op in block.ops:
            if isinstance(op, ztile.YieldOp):
                return []
            if isinstance(op, scf.YieldOp):
                return [self.values[v] for v in op.operands]
            self.lower_op(op)
        return []

    def lower_op(self, op: Operation) -> None:
        handler = HANDLERS.get(type(op))
        if handler is not None:
            handler(self, op)
            return
        if type(op) in _ELEMENTWISE:
            self.elementwise(op)
            return
        raise LoweringError(op, f"ztile-to-nvvm: '{op.name}' has no GPU lowering")

    def elementwise(self, op: Operation) -> None:
        row = optable.ELEMENTWISE[_ELEMENTWISE[type(op)]]
        tiles = [self.tile(v) for v in op.operands]
        shape = tiles[0].shape
        floats = [t for t in tiles if not t.boolean]
        element = floats[0].element if floats else "f32"
        boolean = row.result_kind == "b"
        slots = []
        for j in range(len(tiles[0].slots)):
            args = [t.slots[j] if t.boolean else self.widen(t.slots[j], t.element) for t in tiles]
            value = row.expand(self.scalars, *args, predicate=optable.predicate_of(op))
            slots.append(value if boolean else self.narrow(value, element))
        self.values[op.results[0]] = Tile(shape, slots, boolean=boolean, element=element)

    def splat(self, op: ztile.SplatOp) -> None:
        shape = tuple(cast(ztile.TileType, op.result.type).get_shape())
        value = self.scalar(op.value)
        elt = cast(ztile.TileType, op.result.type).element_type
        boolean = isinstance(elt, IntegerType)
        element = "f32" if boolean else element_name(op, elt)
        self.values[op.result] = Tile(
            shape, [value] * self.slots(numel(shape)), boolean=boolean, element=element
        )

    def counted_loop(
        self,
        count: int,
        init: list[ir.Value],
        body: Callable[[ir.Value, list[ir.Value]], list[ir.Value]],
    ) -> list[ir.Value]:
        """A loop r = 0 .. count-1 carrying `init` through `body` (unrolled when short)."""
        if count <= 4:
            values = init
            for r in range(count):
                values = body(self.i64(r), values)
            return values
        return self.loop(self.i64(0), self.i64(count), self.i64(1), init, body)

    def loop(
        self,
        lower: ir.Value,
        upper: ir.Value,
        step: ir.Value,
        init: list[ir.Value],
        body: Callable[[ir.Value, list[ir.Value]], list[ir.Value]],
    ) -> list[ir.Value]:
        """for (iv = lower; iv < upper; iv += step) with loop-carried `init`; the bounds are
        uniform across the block."""
        pre = self.b.block
        header = self.fn.append_basic_block("loop")
        latch_body = self.fn.append_basic_block("body")
        exit_ = self.fn.append_basic_block("done")
        self.b.branch(header)
        self.b.position_at_end(header)
        iv = self.b.phi(I64, name="iv")
        iv.add_incoming(lower, pre)
        phis = []
        for value in init:
            phi = self.b.phi(value.type)
            phi.add_incoming(value, pre)
            phis.append(phi)
        self.b.cbranch(self.b.icmp_signed("<", iv, upper), latch_body, exit_)
        self.b.position_at_end(latch_body)
        out = body(iv, list(phis))
        nxt = self.b.add(iv, step)
        end = self.b.block
        self.b.branch(header)
        iv.add_incoming(nxt, end)
        for phi, value in zip(phis, out, strict=True):
            phi.add_incoming(value, end)
        self.b.position_at_end(exit_)
        return list(phis)

    def scf_for(self, op: scf.ForOp) -> None:
        inits = [self.values[v] for v in op.iter_args]
        flat: list[ir.Value] = []
        layout: list[Tile | None] = []
        for v in inits:
            if isinstance(v, Tile):
                flat.extend(v.slots)
                layout.append(v)
            else:
                flat.append(v)
                layout.append(None)

        def unflatten(values: list[ir.Value]) -> list[ir.Value | Tile]:
            out: list[ir.Value | Tile] = []
            pos = 0
            for t in layout:
                if t is None:
                    out.append(values[pos])
                    pos += 1
                else:
                    out.append(
                        Tile(t.shape, values[pos : pos + len(t.slots)], t.boolean, t.element)
                    )
                    pos += len(t.slots)
            return out

        def body(iv: ir.Value, values: list[ir.Value]) -> list[ir.Value]:
            block = op.body.block
            self.values[block.args[0]] = iv
            for arg, value in zip(block.args[1:], unflatten(values), strict=True):
                self.values[arg] = value
            yielded = self.lower_block(block)
            result: list[ir.Value] = []
            for v in yielded:
                result.extend(v.slots if isinstance(v, Tile) else [v])
            return result

        lb, ub, st = (self.scalar(v) for v in (op.lb, op.ub, op.step))
        out = unflatten(self.loop(lb, ub, st, flat, body))
        for res, value in zip(op.results, out, strict=True):
            self.values[res] = value

    def constant(self, op: arith.ConstantOp) -> None:
        value = op.value
        if isinstance(value, IntegerAttr):
            bits = 64 if isinstance(op.result.type, IndexType) else op.result.type.width.data  # type: ignore[attr-defined]
            self.values[op.result] = ir.Constant(ir.IntType(bits), value.value.data)
        elif isinstance(value, FloatAttr) and isinstance(op.result.type, Float32Type):
            self.values[op.result] = ir.Constant(F32, value.value.data)
        elif isinstance(value, FloatAttr) and isinstance(op.result.type, Float16Type):
            bits = int(np.array(value.value.data, np.float16).view(np.int16))
            self.values[op.result] = self.b.bitcast(ir.Constant(I16, bits), F16)
        elif isinstance(value, FloatAttr) and isinstance(op.result.type, BFloat16Type):
            bits = bf16_bits(value.value.data)
            self.values[op.result] = ir.Constant(I16, bits - (bits >> 15 << 16))  # signed
        elif isinstance(value, DenseIntOrFPElementsAttr):
            raise LoweringError(
                op, "ztile-to-nvvm: tensor constants inside a kernel are not supported"
            )
        else:
            raise LoweringError(op, f"ztile-to-nvvm: no GPU lowering of the constant {value}")

    def program_id(self, op: ztile.ProgramIdOp) -> None:
        axis = "xyz"[op.axis_value]
        self.values[op.result] = self.b.zext(self.sreg(f"ctaid.{axis}"), I64)

    def int_binary(self, op: Operation) -> None:
        x, y = (self.scalar(v) for v in op.operands)
        self.values[op.results[0]] = _INT_BINARY[type(op)](self.b, x, y)

    def float_binary(self, op: Operation) -> None:
        x, y = (self.scalar(v) for v in op.operands)
        self.values[op.results[0]] = self.scalars.op(op.name, x, y)


def _is_zero(value: ir.Value) -> bool:
    return isinstance(value, ir.Constant) and value.type == I64 and value.constant == 0


_INT_BINARY: dict[type[Operation], Callable[[ir.IRBuilder, ir.Value, ir.Value], ir.Value]] = {
    arith.AddiOp: lambda b, x, y: b.add(x, y),
    arith.SubiOp: lambda b, x, y: b.sub(x, y),
    arith.MuliOp: lambda b, x, y: b.mul(x, y),
    arith.DivSIOp: lambda b, x, y: b.sdiv(x, y),
    arith.RemSIOp: lambda b, x, y: b.srem(x, y),
    arith.DivUIOp: lambda b, x, y: b.udiv(x, y),
    arith.RemUIOp: lambda b, x, y: b.urem(x, y),
    arith.MaxSIOp: lambda b, x, y: b.select(b.icmp_signed(">", x, y), x, y),
    arith.MinSIOp: lambda b, x, y: b.select(b.icmp_signed("<", x, y), x, y),
}
_FLOAT_OPS: tuple[type[Operation], ...] = (
    arith.AddfOp,
    arith.SubfOp,
    arith.MulfOp,
    arith.DivfOp,
    arith.MaximumfOp,
    arith.MinimumfOp,
)
_ELEMENTWISE: dict[type[Operation], str] = {
    cls: name for name, cls in ztile.ELEMENTWISE_OPS.items()
}


Lowering = Callable[["KernelBuilder", Operation], None]
HANDLERS: dict[type[Operation], Lowering] = {}
"""Op type -> its lowering (filled by `@lowering` here and in the ztile_to_nvvm_* modules)."""


def lowering(*types: type[Operation]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register the decorated function as the lowering of `types`."""

    def register(fn: Callable[..., None]) -> Callable[..., None]:
        for t in types:
            HANDLERS[t] = fn
        return fn

    return register


def _cast(k: KernelBuilder, op: Operation) -> None:
    """`ztile.cast` between f32, f16 and bf16: widened to f32 (exact), then rounded once."""
    assert isinstance(op, ztile.CastOp)
    src, dst = (cast(ztile.TileType, v.type).element_type for v in (op.input, op.result))
    if not all(isinstance(e, Float32Type | Float16Type | BFloat16Type) for e in (src, dst)):
        raise LoweringError(
            op,
            f"ztile-to-nvvm supports f32, f16 and bf16 data only: cannot convert "
            f"{op.input.type} to {op.result.type}",
        )
    tile = k.tile(op.input)
    element = element_name(op, dst)
    slots = [k.narrow(k.widen(v, tile.element), element) for v in tile.slots]
    k.values[op.result] = Tile(tile.shape, slots, element=element)


_BUILTIN: list[tuple[type[Operation], Callable[..., None]]] = [
    (ztile.SplatOp, KernelBuilder.splat),
    (ztile.ProgramIdOp, KernelBuilder.program_id),
    (scf.ForOp, KernelBuilder.scf_for),
    (arith.ConstantOp, KernelBuilder.constant),
    (ztile.CastOp, _cast),
    *((cls, KernelBuilder.int_binary) for cls in _INT_BINARY),
    *((cls, KernelBuilder.float_binary) for cls in _FLOAT_OPS),
]
for _cls, _fn in _BUILTIN:
    lowering(_cls)(_fn)

__all__ = [
    "HANDLERS",
    "MMA_PAD",
    "MMA_SHAPE",
    "SHARED_BUDGET_BYTES",
    "KernelBuilder",
    "LoweringError",
    "Storage",
    "Tile",
    "element_name",
    "lowering",
    "mma_operands",
    "register_type",
    "shared_floats_needed",
    "storage_of",
]
