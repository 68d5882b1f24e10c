"""One GPU kernel as LLVM IR for NVPTX (llvmlite): the blocked layout, per-thread and
shared-memory op lowerings, scalar code and loops. Used by `ztile-to-nvvm`.

The layout: a tile of `numel` elements is held by the T = 32 * num_warps threads of a thread
block; thread t owns the elements whose row-major linear index e has e % T == t, in
`ceil(numel / T)` register slots (slot j holds element j * T + t; the last slot of a thread is
invalid where that index is >= numel). Tile shapes are static, so the slots are unrolled.

- per-thread ops (elementwise, cmp, select, splat, load, store) work slot by slot;
- ops where a thread needs elements another thread owns go through one static shared-memory
  array per kernel (`addrspace(3)`, f32): `ztile.broadcast`, `ztile.reduce`,
  `ztile.transpose` write their operand there (a barrier before the writes and one after),
  then every thread reads what its slots need; `ztile.dot` stages both operand tiles and each
  thread computes its own output elements by an FMA loop over K, in k order (so results are
  deterministic, as are reductions: a fixed left-to-right order per output element);
- global loads and stores are predicated per element (PTX `@p ld.global` / `@p st.global`
  in inline assembly, as Triton does): an element outside the memref, or in an invalid slot,
  is not read (its value is the load's padding) and not written.

Scalar code (index arithmetic, `scf.for` with tile or scalar iter_args, `memref.load/store`)
is lowered per thread too; loop bounds are uniform across the block, so every thread takes
the same branches. Elementwise ops expand through the op table (`optable.Elementwise.expand`)
into the scalar ops of `_Scalars.op`; `exp`/`log`/`tanh`/`erf` use the same polynomial
emitters as the CPU path (`ziggurat.lowering.llvm_math`). NVPTX has no libm, so `pow` is
built from them too. Only f32 tiles (and i1 tiles of comparisons) are supported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from llvmlite import ir
from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    Float32Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
)
from xdsl.ir import Block, Operation, SSAValue

from ziggurat.dialects import optable, ztile
from ziggurat.lowering.llvm_math import EMITTERS

F32 = ir.FloatType()
I1 = ir.IntType(1)
I8 = ir.IntType(8)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
VOID = ir.VoidType()
GLOBAL = 1
SHARED = 3

SHARED_BUDGET_BYTES = 48 * 1024
"""Static shared memory a kernel may use (the limit without opt-in on every sm_80+ GPU)."""

LOAD_ASM = "mov.b32 $0, $3; @$2 ld.global.{kind} $0, [$1];"
"""Predicated global load: $0 = $2 ? *$1 : $3 (the padding's bits)."""
STORE_ASM = "@$2 st.global.{kind} [$1], $0;"
"""Predicated global store: if $2 then *$1 = $0."""


class LoweringError(Exception):
    """A program the GPU lowering does not support, located at `op`."""

    def __init__(self, op: Operation, message: str) -> None:
        super().__init__(message)
        self.op = op


@dataclass
class Tile:
    """A tile in the blocked layout: `slots[j]` is this thread's element j * T + tid."""

    shape: tuple[int, ...]
    slots: list[ir.Value]
    boolean: bool = False

    @property
    def numel(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n


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


def storage_of(op: Operation, ty: MemRefType) -> Storage:
    elt = ty.element_type
    if isinstance(elt, Float32Type):
        return Storage(F32, 4, "b32")
    if isinstance(elt, IntegerType) and elt.width.data == 1:
        return Storage(I8, 1, "u8")
    raise LoweringError(op, f"the GPU lowering supports f32 and i1 memrefs only, got {ty}")


def shared_floats_needed(op: Operation) -> int:
    """The shared-memory floats `op` stages (0 for per-thread ops)."""
    if isinstance(op, ztile.DotOp):
        return numel(cast(ztile.TileType, op.lhs.type).get_shape()) + numel(
            cast(ztile.TileType, op.rhs.type).get_shape()
        )
    if isinstance(op, ztile.BroadcastOp | ztile.ReduceOp | ztile.TransposeOp):
        return numel(cast(ztile.TileType, op.input.type).get_shape())
    return 0


class _Scalars:
    """The `optable.Scalars` builder for one f32 element in LLVM IR."""

    def __init__(self, kernel: KernelBuilder) -> None:
        self.k = kernel

    def const(self, value: float) -> ir.Value:
        return ir.Constant(F32, value)

    def op(self, name: str, *operands: ir.Value, predicate: str | None = None) -> ir.Value:
        b = self.k.b
        if name in _FLOAT_BINARY:
            return _FLOAT_BINARY[name](b, operands[0], operands[1])
        if name in _FLOAT_INTRINSICS:
            return self.k.intrinsic(_FLOAT_INTRINSICS[name], F32, list(operands))
        if name == "arith.negf":
            return b.fneg(operands[0])
        if name == "math.rsqrt":
            root = self.k.intrinsic("llvm.sqrt.f32", F32, [operands[0]])
            return b.fdiv(ir.Constant(F32, 1.0), root)
        if name in _EMITTED:
            return EMITTERS[_EMITTED[name]](b, operands[0])
        if name == "math.powf":
            return emit_pow(self.k, operands[0], operands[1])
        if name == "zloop.cmpf":
            assert predicate is not None
            return fcmp(b, predicate, operands[0], operands[1])
        if name == "zloop.select":
            return b.select(operands[0], operands[1], operands[2])
        raise NotImplementedError(f"ztile-to-nvvm has no lowering for '{name}'")


_FLOAT_BINARY: dict[str, Callable[[ir.IRBuilder, ir.Value, ir.Value], ir.Value]] = {
    "arith.addf": lambda b, x, y: b.fadd(x, y),
    "arith.subf": lambda b, x, y: b.fsub(x, y),
    "arith.mulf": lambda b, x, y: b.fmul(x, y),
    "arith.divf": lambda b, x, y: b.fdiv(x, y),
}
_FLOAT_INTRINSICS = {
    "arith.maximumf": "llvm.maximum.f32",
    "arith.minimumf": "llvm.minimum.f32",
    "math.sqrt": "llvm.sqrt.f32",
    "math.absf": "llvm.fabs.f32",
    "math.floor": "llvm.floor.f32",
    "math.ceil": "llvm.ceil.f32",
}
_EMITTED = {"math.exp": "exp", "math.log": "log", "math.tanh": "tanh", "math.erf": "erf"}

_FCMP = {
    "oeq": (True, "=="),
    "one": (True, "!="),
    "olt": (True, "<"),
    "ole": (True, "<="),
    "ogt": (True, ">"),
    "oge": (True, ">="),
    "ord": (True, "ord"),
    "ueq": (False, "=="),
    "une": (False, "!="),
    "ult": (False, "<"),
    "ule": (False, "<="),
    "ugt": (False, ">"),
    "uge": (False, ">="),
    "uno": (False, "uno"),
}


def fcmp(b: ir.IRBuilder, predicate: str, x: ir.Value, y: ir.Value) -> ir.Value:
    ordered, op = _FCMP[predicate]
    return (b.fcmp_ordered if ordered else b.fcmp_unordered)(op, x, y)


def emit_pow(k: KernelBuilder, x: ir.Value, y: ir.Value) -> ir.Value:
    """numpy's float32 power: exp(y * log|x|) with the sign and special cases of `powf`."""
    b = k.b
    one = ir.Constant(F32, 1.0)
    ax = k.intrinsic("llvm.fabs.f32", F32, [x])
    r = EMITTERS["exp"](b, b.fmul(y, EMITTERS["log"](b, ax)))
    y_int = b.fcmp_ordered("==", k.intrinsic("llvm.floor.f32", F32, [y]), y)
    half = b.fmul(y, ir.Constant(F32, 0.5))
    odd = b.and_(y_int, b.fcmp_ordered("!=", k.intrinsic("llvm.floor.f32", F32, [half]), half))
    negative = b.icmp_signed("<", b.bitcast(x, I32), ir.Constant(I32, 0))
    finite_nonzero = b.and_(
        b.fcmp_ordered("<", ax, ir.Constant(F32, float("inf"))),
        b.fcmp_ordered("!=", ax, ir.Constant(F32, 0.0)),
    )
    nan = b.and_(b.and_(negative, b.not_(y_int)), finite_nonzero)
    signed = b.select(b.and_(negative, odd), b.fneg(r), r)
    result = b.select(nan, ir.Constant(F32, float("nan")), signed)
    trivial = b.or_(b.fcmp_ordered("==", y, ir.Constant(F32, 0.0)), b.fcmp_ordered("==", x, one))
    return b.select(trivial, one, result)


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
        if shared_floats:
            smem = ir.GlobalVariable(
                module, ir.ArrayType(F32, shared_floats), f"{name}_smem", addrspace=SHARED
            )
            smem.linkage = "internal"
            smem.initializer = ir.Constant(smem.value_type, ir.Undefined)
            smem.align = 16
            self.shared = self.b.gep(smem, [ir.Constant(I32, 0), ir.Constant(I32, 0)], name="smem")
        self.scalars = _Scalars(self)

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
        e = self.element(j)
        out: list[ir.Value] = []
        for d, (size, stride) in enumerate(zip(shape, strides(shape), strict=True)):
            c = e if stride == 1 else self.b.udiv(e, self.i64(stride))
            if d > 0:  # e < numel, so the outermost coordinate needs no remainder
                c = self.b.urem(c, self.i64(size))
            out.append(c)
        self._coords[key] = out
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
            if tile.boolean:
                value = self.b.uitofp(value, F32)
            self.b.store(value, self.b.gep(self.shared, [index]))

    def from_shared(self, index: ir.Value, boolean: bool = False) -> ir.Value:
        assert self.shared is not None
        value = self.b.load(self.b.gep(self.shared, [index]))
        if boolean:
            return self.b.fcmp_ordered("!=", value, ir.Constant(F32, 0.0))
        return value

    spare = 0
    """Float index of the spare shared slot (set by the caller to the staged maximum)."""

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
        handler = _HANDLERS.get(type(op))
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
        slots = []
        for j in range(len(tiles[0].slots)):
            args = [t.slots[j] for t in tiles]
            slots.append(row.expand(self.scalars, *args, predicate=optable.predicate_of(op)))
        self.values[op.results[0]] = Tile(shape, slots, boolean=row.result_kind == "b")

    def splat(self, op: ztile.SplatOp) -> None:
        shape = tuple(cast(ztile.TileType, op.result.type).get_shape())
        value = self.scalar(op.value)
        self.values[op.result] = Tile(shape, [value] * self.slots(numel(shape)))

    def _address(self, mem: SSAValue, index: Sequence[ir.Value], shape: Sequence[int]) -> ir.Value:
        base = self.scalar(mem)
        return self.b.ptrtoint(self.b.gep(base, [self.linear(index, shape)]), I64)

    def _in_bounds(
        self, op: ztile.LoadOp | ztile.StoreOp, n: int, j: int, shape: tuple[int, ...]
    ) -> tuple[ir.Value, list[ir.Value]]:
        mref = cast(MemRefType, op.memref.type)
        dims = mref.get_shape()
        offsets = [self.scalar(v) for v in op.indices]
        ok = self.valid(n, j)
        index = []
        for c, o, d in zip(self.coords(shape, j), offsets, dims, strict=True):
            g = self.b.add(o, c)
            # unsigned < d is 0 <= g < d for a signed g
            ok = self.b.and_(ok, self.b.icmp_unsigned("<", g, self.i64(d)))
            index.append(g)
        return ok, index

    def load(self, op: ztile.LoadOp) -> None:
        ty = cast(ztile.TileType, op.result.type)
        shape = tuple(ty.get_shape())
        n = numel(shape)
        storage = self.storage[op.memref]
        boolean = storage.llvm == I8
        dims = cast(MemRefType, op.memref.type).get_shape()
        if boolean:
            other = ir.Constant(I32, int(bool(op.padding_value)))
        else:
            other = self.b.bitcast(ir.Constant(F32, op.padding_value), I32)
        asm = ir.InlineAsm(
            ir.FunctionType(I32, [I64, I1, I32]),
            LOAD_ASM.format(kind=storage.asm_kind),
            "=r,l,b,r",
            side_effect=True,
        )
        slots = []
        for j in range(self.slots(n)):
            ok, index = self._in_bounds(op, n, j, shape)
            bits = self.b.call(asm, [self._address(op.memref, index, dims), ok, other])
            if boolean:
                slots.append(self.b.icmp_unsigned("!=", bits, ir.Constant(I32, 0)))
            else:
                slots.append(self.b.bitcast(bits, F32))
        self.values[op.result] = Tile(shape, slots, boolean=boolean)

    def store(self, op: ztile.StoreOp) -> None:
        tile = self.tile(op.value)
        storage = self.storage[op.memref]
        dims = cast(MemRefType, op.memref.type).get_shape()
        asm = ir.InlineAsm(
            ir.FunctionType(VOID, [I32, I64, I1]),
            STORE_ASM.format(kind=storage.asm_kind),
            "r,l,b",
            side_effect=True,
        )
        for j, value in enumerate(tile.slots):
            ok, index = self._in_bounds(op, tile.numel, j, tile.shape)
            bits = self.b.zext(value, I32) if storage.llvm == I8 else self.b.bitcast(value, I32)
            self.b.call(asm, [bits, self._address(op.memref, index, dims), ok])

    def broadcast(self, op: ztile.BroadcastOp) -> None:
        src = self.tile(op.input)
        shape = tuple(cast(ztile.TileType, op.result.type).get_shape())
        self.to_shared((src, 0))
        slots = []
        for j in range(self.slots(numel(shape))):
            c = self.coords(shape, j)
            index = [self.i64(0) if s == 1 else x for x, s in zip(c, src.shape, strict=True)]
            slots.append(self._read_staged(self.linear(index, src.shape), numel(shape), j, src))
        self.values[op.result] = Tile(shape, slots, boolean=src.boolean)

    def _read_staged(self, index: ir.Value, n: int, j: int, src: Tile) -> ir.Value:
        valid = self.valid(n, j)
        if not (isinstance(valid, ir.Constant) and valid.constant == 1):
            index = self.b.select(valid, index, self.i64(0))
        return self.from_shared(index, src.boolean)

    def transpose(self, op: ztile.TransposeOp) -> None:
        src = self.tile(op.input)
        shape = tuple(cast(ztile.TileType, op.result.type).get_shape())
        self.to_shared((src, 0))
        slots = []
        for j in range(self.slots(numel(shape))):
            c = self.coords(shape, j)
            index = [self.i64(0)] * len(shape)
            for i, p in enumerate(op.perm):
                index[p] = c[i]
            slots.append(self._read_staged(self.linear(index, src.shape), numel(shape), j, src))
        self.values[op.result] = Tile(shape, slots, boolean=src.boolean)

    def reduce(self, op: ztile.ReduceOp) -> None:
        src = self.tile(op.input)
        axis = op.axis_value
        shape = tuple(cast(ztile.TileType, op.result.type).get_shape())
        n_out = numel(shape)
        self.to_shared((src, 0))
        count = src.shape[axis]
        step = strides(src.shape)[axis]
        bases = []
        for j in range(self.slots(n_out)):
            base = self.linear(self.coords(shape, j), src.shape)
            valid = self.valid(n_out, j)
            if not (isinstance(valid, ir.Constant) and valid.constant == 1):
                base = self.b.select(valid, base, self.i64(0))
            bases.append(base)
        combine: Callable[[ir.Value, ir.Value], ir.Value]
        if op.kind_name == "sum":
            init = -0.0

            def combine(acc: ir.Value, x: ir.Value) -> ir.Value:
                return self.b.fadd(acc, x)
        elif op.kind_name == "max":
            init = float("-inf")

            def combine(acc: ir.Value, x: ir.Value) -> ir.Value:
                return self.intrinsic("llvm.maximum.f32", F32, [acc, x])
        else:
            raise LoweringError(op, f"ztile-to-nvvm: no GPU lowering of reduce '{op.kind_name}'")

        def body(r: ir.Value, accs: list[ir.Value]) -> list[ir.Value]:
            offset = self.b.mul(r, self.i64(step))
            return [
                combine(acc, self.from_shared(self.b.add(base, offset)))
                for acc, base in zip(accs, bases, strict=True)
            ]

        init_slots: list[ir.Value] = [ir.Constant(F32, init)] * len(bases)
        slots = self.counted_loop(count, init_slots, body)
        self.values[op.result] = Tile(shape, slots)

    def dot(self, op: ztile.DotOp) -> None:
        a, b_, acc = self.tile(op.lhs), self.tile(op.rhs), self.tile(op.acc)
        m, k = a.shape
        n = b_.shape[1]
        self.to_shared((a, 0), (b_, m * k))
        rows, cols = [], []
        for j in range(len(acc.slots)):
            i, jj = self.coords(acc.shape, j)
            valid = self.valid(m * n, j)
            if not (isinstance(valid, ir.Constant) and valid.constant == 1):
                i = self.b.select(valid, i, self.i64(0))
                jj = self.b.select(valid, jj, self.i64(0))
            rows.append(self.b.mul(i, self.i64(k)))
            cols.append(self.b.add(jj, self.i64(m * k)))

        def body(kk: ir.Value, accs: list[ir.Value]) -> list[ir.Value]:
            brow = self.b.mul(kk, self.i64(n))
            out = []
            for c, row, col in zip(accs, rows, cols, strict=True):
                x = self.from_shared(self.b.add(row, kk))
                y = self.from_shared(self.b.add(col, brow))
                out.append(self.intrinsic("llvm.fma.f32", F32, [x, y, c]))
            return out

        slots = self.counted_loop(k, list(acc.slots), body)
        self.values[op.result] = Tile(acc.shape, slots)

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
                    out.append(Tile(t.shape, values[pos : pos + len(t.slots)], t.boolean))
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

    def memref_load(self, op: memref.LoadOp) -> None:
        dims = cast(MemRefType, op.memref.type).get_shape()
        index = [self.scalar(v) for v in op.indices]
        ptr = self.b.gep(self.scalar(op.memref), [self.linear(index, dims)])
        value = self.b.load(ptr)
        if self.storage[op.memref].llvm == I8:
            value = self.b.icmp_unsigned("!=", value, ir.Constant(I8, 0))
        self.values[op.res] = value

    def memref_store(self, op: memref.StoreOp) -> None:
        dims = cast(MemRefType, op.memref.type).get_shape()
        index = [self.scalar(v) for v in op.indices]
        ptr = self.b.gep(self.scalar(op.memref), [self.linear(index, dims)])
        value = self.scalar(op.value)
        if self.storage[op.memref].llvm == I8:
            value = self.b.zext(value, I8)
        self.b.store(value, ptr)


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

_HANDLERS: dict[type[Operation], Callable[[KernelBuilder, Operation], None]] = {
    ztile.SplatOp: KernelBuilder.splat,  # type: ignore[dict-item]
    ztile.LoadOp: KernelBuilder.load,  # type: ignore[dict-item]
    ztile.StoreOp: KernelBuilder.store,  # type: ignore[dict-item]
    ztile.BroadcastOp: KernelBuilder.broadcast,  # type: ignore[dict-item]
    ztile.TransposeOp: KernelBuilder.transpose,  # type: ignore[dict-item]
    ztile.ReduceOp: KernelBuilder.reduce,  # type: ignore[dict-item]
    ztile.DotOp: KernelBuilder.dot,  # type: ignore[dict-item]
    ztile.ProgramIdOp: KernelBuilder.program_id,  # type: ignore[dict-item]
    scf.ForOp: KernelBuilder.scf_for,  # type: ignore[dict-item]
    arith.ConstantOp: KernelBuilder.constant,  # type: ignore[dict-item]
    memref.LoadOp: KernelBuilder.memref_load,  # type: ignore[dict-item]
    memref.StoreOp: KernelBuilder.memref_store,  # type: ignore[dict-item]
    **{cls: KernelBuilder.int_binary for cls in _INT_BINARY},
    **{cls: KernelBuilder.float_binary for cls in _FLOAT_OPS},
}

__all__ = [
    "SHARED_BUDGET_BYTES",
    "KernelBuilder",
    "LoweringError",
    "Storage",
    "Tile",
    "shared_floats_needed",
    "storage_of",
]
