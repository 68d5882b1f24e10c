"""Run the kernels `ztile-to-nvvm` generates on the CPU: a lockstep interpreter of the LLVM IR.

This is the numeric check of the GPU lowering where no GPU is present. It executes the very
llvmlite module whose text goes to the NVPTX backend (before LLVM's optimizations), one thread
block at a time: every SSA value is a numpy array with one entry per thread, and the T threads
of a block execute each instruction together. That is exact for these kernels because their
control flow is uniform (loop bounds are the same in every thread; `cbranch` checks it and
raises otherwise), so `llvm.nvvm.barrier0` holds trivially: every thread has finished the
instructions before it. Shared memory is one byte array per block, filled with NaN bits so that
reading an element never written shows up in results.

What it models: integer and float arithmetic in the widths of the IR (f32 stays float32; `fma`
is computed in float64 and rounded once, which matches a fused f32 FMA except in rare double
rounding cases), comparisons, selects, casts, GEPs with byte addresses, loads and stores in the
global and shared address spaces, the predicated `ld.global`/`st.global` inline assembly of
`ztile_to_nvvm_transfers` (interpreted by its template: a masked load keeps the other value, a masked
store writes nothing), the `sreg.tid`/`sreg.ctaid` registers, the float intrinsics used, full-warp
`shfl.sync.bfly` (lane l reads lane l ^ mask), `ldmatrix.m8n8` and `mma.sync.aligned.m16n8k16`
(per warp, in the PTX ISA's fragment layouts).
What it does not: LLVM's optimizations and the NVPTX backend (trusted, and checked by ptxas),
timing, and any memory model beyond "barriers order everything".
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
from llvmlite import ir
from llvmlite.ir import instructions as ins

from ziggurat.lowering.ztile_to_nvvm import GpuProgram
from ziggurat.lowering.ztile_to_nvvm_transfers import LOAD_ASM, STORE_ASM

NDArray = np.ndarray[Any, Any]

_REGION_BITS = 40
_OFFSET_MASK = (1 << _REGION_BITS) - 1
_NAN_BITS = np.frombuffer(np.float32(np.nan).tobytes(), dtype=np.uint8)


class InterpretError(Exception):
    """The kernel did something this interpreter does not model (or diverged)."""


def _dtype(t: ir.Type) -> np.dtype[Any]:
    if isinstance(t, ir.FloatType):
        return np.dtype(np.float32)
    if isinstance(t, ir.HalfType):
        return np.dtype(np.float16)
    if isinstance(t, ir.VectorType):
        return _dtype(t.element)
    if isinstance(t, ir.DoubleType):
        return np.dtype(np.float64)
    if isinstance(t, ir.IntType):
        widths = {1: np.bool_, 8: np.uint8, 16: np.int16, 32: np.int32}
        return np.dtype(widths.get(t.width, np.int64))
    if isinstance(t, ir.PointerType):
        return np.dtype(np.int64)
    raise InterpretError(f"no numpy type for {t}")


def _size(t: ir.Type) -> int:
    if isinstance(t, ir.ArrayType):
        return t.count * _size(t.element)
    if isinstance(t, ir.IntType):
        return max(1, t.width // 8)
    if isinstance(t, ir.VectorType):
        return t.count * _size(t.element)
    return {ir.HalfType: 2, ir.FloatType: 4, ir.DoubleType: 8, ir.PointerType: 8}[type(t)]


def _unsigned(x: NDArray) -> NDArray:
    return x.view({1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[x.dtype.itemsize])


def _mma_m16n8k16(name: str, args: list[NDArray], lanes: int) -> NDArray:
    """`mma.sync.aligned.m16n8k16.row.col` with f32 accumulators, per warp, in the PTX
    fragment layout (lane = 4 * group + q): A registers hold rows group / group + 8 at K
    columns 2q, 2q + 1 (+ 8 for registers 2 and 3), B registers K rows 2q, 2q + 1 (+ 8) of
    column group, C/D rows group / group + 8 at columns 2q, 2q + 1. The products are exact and
    their sum is rounded to f32 once (the hardware rounds within a k-step in its own way).
    Returns (lanes, 4) float32."""
    if name.endswith(".f32.f32"):  # f16: six <2 x half> values, (lanes, 2) float16
        pairs = [x.astype(np.float64) for x in args[:6]]
    else:  # bf16: six i32 registers of two bf16 values (low half first)
        pairs = []
        for x in args[:6]:
            bits = _unsigned(x).astype(np.uint32)
            lo, hi = (bits & 0xFFFF) << 16, bits & 0xFFFF0000
            pairs.append(np.stack([lo, hi], axis=1).astype(np.uint32).view(np.float32))
        pairs = [p.astype(np.float64) for p in pairs]
    acc = [x.astype(np.float64) for x in args[6:10]]
    if lanes % 32:
        raise InterpretError("mma.sync needs whole warps")
    out = np.zeros((lanes, 4), dtype=np.float32)
    lane = np.arange(32)
    group, q = lane >> 2, lane & 3
    for w in range(lanes // 32):
        sl = slice(32 * w, 32 * w + 32)
        a = np.zeros((16, 16))
        b = np.zeros((16, 8))
        c = np.zeros((16, 8))
        for r, (row_off, col_off) in enumerate(((0, 0), (8, 0), (0, 8), (8, 8))):
            for h in range(2):
                a[group + row_off, 2 * q + h + col_off] = pairs[r][sl, h]
        for r in range(2):
            for h in range(2):
                b[2 * q + h + 8 * r, group] = pairs[4 + r][sl, h]
        for r, (row_off, h) in enumerate(((0, 0), (0, 1), (8, 0), (8, 1))):
            c[group + row_off, 2 * q + h] = acc[r][sl]
        d = (a @ b + c).astype(np.float32)
        for r, (row_off, h) in enumerate(((0, 0), (0, 1), (8, 0), (8, 1))):
            out[sl, r] = d[group + row_off, 2 * q + h]
    return out


_EQUALITY = {"eq": "==", "ne": "!="}
_SIGNED = {"slt": "<", "sle": "<=", "sgt": ">", "sge": ">="}
_UNSIGNED = {"ult": "<", "ule": "<=", "ugt": ">", "uge": ">="}
_COMPARE = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


def _float_intrinsic(name: str, args: list[NDArray]) -> NDArray:
    base = name.rsplit(".", 1)[0]
    with np.errstate(all="ignore"):
        if base == "llvm.fma":
            a, b, c = (x.astype(np.float64) for x in args)
            return (a * b + c).astype(args[0].dtype)
        unary = {
            "llvm.fabs": np.abs,
            "llvm.floor": np.floor,
            "llvm.ceil": np.ceil,
            "llvm.sqrt": np.sqrt,
            "llvm.rint": np.rint,
        }
        if base in unary:
            return unary[base](args[0])
        binary = {
            "llvm.maximum": np.maximum,
            "llvm.minimum": np.minimum,
            "llvm.maxnum": np.fmax,
            "llvm.minnum": np.fmin,
            "llvm.copysign": np.copysign,
        }
        if base in binary:
            return binary[base](args[0], args[1])
    raise InterpretError(f"intrinsic {name} is not modelled")


class Memory:
    """Byte regions addressed by (region << 40) + offset."""

    def __init__(self) -> None:
        self.regions: list[NDArray] = []

    def add(self, data: NDArray) -> int:
        self.regions.append(data)
        return len(self.regions) << _REGION_BITS

    def _where(self, addr: NDArray) -> tuple[NDArray, NDArray]:
        region = addr >> _REGION_BITS
        first = int(region[0])
        if not np.all(region == first) or not 1 <= first <= len(self.regions):
            raise InterpretError("an access spans memory regions or is out of any region")
        mem = self.regions[first - 1]
        off = addr & _OFFSET_MASK
        return mem, off

    def load(self, addr: NDArray, dtype: np.dtype[Any]) -> NDArray:
        mem, off = self._where(addr)
        width = dtype.itemsize
        if np.any(off + width > mem.size) or np.any(off < 0):
            raise InterpretError("a load outside its buffer")
        raw = mem[off[:, None] + np.arange(width)]
        return raw.reshape(-1).view(dtype)

    def store(self, addr: NDArray, value: NDArray, mask: NDArray | None = None) -> None:
        if mask is not None:
            if not np.any(mask):
                return
            addr, value = addr[mask], value[mask]
        mem, off = self._where(addr)
        width = value.dtype.itemsize
        if np.any(off + width > mem.size) or np.any(off < 0):
            raise InterpretError("a store outside its buffer")
        raw = np.ascontiguousarray(value).view(np.uint8).reshape(-1, width)
        mem[off[:, None] + np.arange(width)] = raw


class _Frame:
    """One thread block running one kernel."""

    def __init__(
        self,
        fn: ir.Function,
        memory: Memory,
        args: Sequence[int],
        lanes: int,
        block_id: tuple[int, int, int],
    ) -> None:
        self.fn = fn
        self.memory = memory
        self.lanes = lanes
        self.block_id = block_id
        self.values: dict[int, NDArray] = {}
        for arg, address in zip(fn.args, args, strict=True):
            self.values[id(arg)] = np.full(lanes, address, dtype=np.int64)
        self.globals: dict[str, int] = {}

    def global_address(self, g: ir.GlobalVariable) -> int:
        if g.name not in self.globals:
            size = _size(g.value_type)
            data = np.tile(_NAN_BITS, -(-size // 4))[:size].copy()
            self.globals[g.name] = self.memory.add(data)
        return self.globals[g.name]

    def get(self, v: ir.Value) -> NDArray:
        found = self.values.get(id(v))
        if found is not None:
            return found
        if isinstance(v, ir.Constant):
            if v.constant is ir.Undefined or v.constant is None:
                return np.zeros(self.lanes, dtype=_dtype(v.type))
            if isinstance(v.type, ir.IntType) and v.type.width > 1:  # wrap, as LLVM does
                return np.full(self.lanes, v.constant, dtype=np.int64).astype(_dtype(v.type))
            return np.full(self.lanes, v.constant, dtype=_dtype(v.type))
        if isinstance(v, ir.GlobalVariable):
            return np.full(self.lanes, self.global_address(v), dtype=np.int64)
        raise InterpretError(f"value {v} used before it is defined")

    def run(self) -> None:
        block: ir.Block = self.fn.blocks[0]
        previous: ir.Block | None = None
        while True:
            phis = [i for i in block.instructions if isinstance(i, ins.PhiInstr)]
            incoming = {}
            for phi in phis:
                for value, pred in phi.incomings:
                    if pred is previous:
                        incoming[id(phi)] = self.get(value)
                        break
                else:
                    raise InterpretError(f"phi {phi.name} has no value for this edge")
            self.values.update(incoming)
            for inst in block.instructions:
                if isinstance(inst, ins.PhiInstr):
                    continue
                if isinstance(inst, ins.Ret):
                    return
                if isinstance(inst, ins.ConditionalBranch):
                    cond = self.get(inst.operands[0])
                    if np.all(cond):
                        target = inst.operands[1]
                    elif not np.any(cond):
                        target = inst.operands[2]
                    else:
                        raise InterpretError("a branch diverges across the threads of a block")
                    break
                if isinstance(inst, ins.Branch):
                    target = inst.operands[0]
                    break
                self.step(inst)
            else:
                raise InterpretError(f"block {block.name} has no terminator")
            previous, block = block, cast(ir.Block, target)

    def step(self, inst: ins.Instruction) -> None:
        op = inst.opname
        ops = inst.operands
        out: NDArray | None
        with np.errstate(all="ignore"):
            if isinstance(inst, ins.CallInstr):
                out = self.call(inst)
            elif isinstance(inst, ins.ICMPInstr):
                x, y = self.get(ops[0]), self.get(ops[1])
                if inst.op in _UNSIGNED:
                    out = _COMPARE[_UNSIGNED[inst.op]](_unsigned(x), _unsigned(y))
                else:
                    out = _COMPARE[_SIGNED.get(inst.op) or _EQUALITY[inst.op]](x, y)
            elif isinstance(inst, ins.FCMPInstr):
                x, y = self.get(ops[0]), self.get(ops[1])
                unordered = np.isnan(x) | np.isnan(y)
                name = inst.op
                if name == "ord":
                    out = ~unordered
                elif name == "uno":
                    out = unordered
                else:
                    rel = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
                    base = _COMPARE[rel[name[1:]]](x, y)
                    out = base & ~unordered if name[0] == "o" else base | unordered
            elif isinstance(inst, ins.SelectInstr):
                c, x, y = (self.get(o) for o in ops)
                out = np.where(c, x, y).astype(x.dtype)
            elif isinstance(inst, ins.GEPInstr):
                out = self.gep(inst)
            elif isinstance(inst, ins.LoadInstr):
                out = self.memory.load(self.get(ops[0]), _dtype(inst.type))
            elif isinstance(inst, ins.StoreInstr):
                self.memory.store(self.get(ops[1]), self.get(ops[0]))
                out = None
            elif isinstance(inst, ins.CastInstr):
                out = self.cast(op, self.get(ops[0]), inst.type)
            elif op == "fneg":
                out = -self.get(ops[0])
            elif op == "extractvalue":
                (index,) = cast(Any, inst).indices
                out = self.get(ops[0])[:, index]
            else:
                out = self.binary(op, self.get(ops[0]), self.get(ops[1]))
        if out is not None:
            self.values[id(inst)] = out

    def binary(self, op: str, x: NDArray, y: NDArray) -> NDArray:
        simple = {
            "add": np.add,
            "sub": np.subtract,
            "mul": np.multiply,
            "fadd": np.add,
            "fsub": np.subtract,
            "fmul": np.multiply,
            "fdiv": np.divide,
            "and": np.bitwise_and,
            "or": np.bitwise_or,
            "xor": np.bitwise_xor,
            "shl": np.left_shift,
            "ashr": np.right_shift,
        }
        if op in simple:
            return cast(NDArray, simple[op](x, y)).astype(x.dtype)
        if op == "lshr":
            return np.right_shift(_unsigned(x), _unsigned(y)).view(x.dtype)
        if op in ("udiv", "urem"):
            if np.any(y == 0):
                raise InterpretError("integer division by zero")
            fn = np.floor_divide if op == "udiv" else np.remainder
            return cast(NDArray, fn(_unsigned(x), _unsigned(y))).view(x.dtype)
        if op in ("sdiv", "srem"):
            if np.any(y == 0):
                raise InterpretError("integer division by zero")
            q = np.trunc(x / y).astype(x.dtype)  # C division truncates toward zero
            return q if op == "sdiv" else (x - q * y).astype(x.dtype)
        raise InterpretError(f"instruction '{op}' is not modelled")

    def cast(self, op: str, x: NDArray, to: ir.Type) -> NDArray:
        dtype = _dtype(to)
        if op == "bitcast":
            if isinstance(to, ir.VectorType):
                return np.ascontiguousarray(x).view(dtype).reshape(self.lanes, to.count)
            return np.ascontiguousarray(x).view(dtype).reshape(self.lanes)
        if op == "zext":
            return _unsigned(x).astype(dtype) if x.dtype != np.bool_ else x.astype(dtype)
        if op in ("sext", "trunc", "sitofp", "fptosi", "ptrtoint", "fpext", "fptrunc"):
            if op == "trunc" and dtype == np.bool_:
                return (x & 1).astype(np.bool_)
            return x.astype(dtype)
        if op == "uitofp":
            return (_unsigned(x) if x.dtype != np.bool_ else x).astype(dtype)
        raise InterpretError(f"cast '{op}' is not modelled")

    def gep(self, inst: ins.GEPInstr) -> NDArray:
        addr = self.get(inst.pointer).astype(np.int64)
        etype = getattr(inst, "source_etype", None) or inst.pointer.type.pointee
        for i, index in enumerate(inst.indices):
            if i > 0:
                etype = etype.element
            addr = addr + self.get(index).astype(np.int64) * _size(etype)
        return addr

    def call(self, inst: ins.CallInstr) -> NDArray | None:
        callee = inst.callee
        args = [self.get(a) for a in inst.args]
        if isinstance(callee, ir.InlineAsm):
            return self.inline_asm(callee, args)
        name = callee.name
        if name.startswith("llvm.nvvm.read.ptx.sreg."):
            which = name.rsplit(".", 2)[-2:]
            if which[0] == "tid" and which[1] == "x":
                return np.arange(self.lanes, dtype=np.int32)
            if which[0] == "ctaid":
                return np.full(self.lanes, self.block_id["xyz".index(which[1])], dtype=np.int32)
            raise InterpretError(f"special register {name} is not modelled")
        if name == "llvm.nvvm.barrier0":
            return None  # lockstep: every thread is here
        if name.startswith("llvm.nvvm.mma.m16n8k16.row.col."):
            return _mma_m16n8k16(name, args, self.lanes)
        if name.startswith("llvm.nvvm.ldmatrix.sync.aligned.m8n8.x"):
            return self.ldmatrix(int(name.split(".x")[1].split(".")[0]), args[0])
        if name == "llvm.nvvm.shfl.sync.bfly.f32":
            mask, value, lanemask, clamp = args
            if not (np.all(mask == -1) and np.all(clamp == 0x1F)) or self.lanes % 32:
                raise InterpretError("only full-warp shfl.sync.bfly is modelled")
            partner = np.arange(self.lanes) ^ int(lanemask[0])
            return value[partner]
        return _float_intrinsic(name, args)

    def ldmatrix(self, count: int, addr: NDArray) -> NDArray:
        """`ldmatrix.sync.aligned.m8n8.x{count}.shared.b16`, per warp: lanes 8i .. 8i + 7 give
        the (16-byte aligned) row addresses of 8x8 matrix i; lane t receives row t // 4,
        columns 2 (t % 4) and 2 (t % 4) + 1 of each matrix, low column in the low half.
        Returns (lanes, count) int32."""
        if self.lanes % 32:
            raise InterpretError("ldmatrix needs whole warps")
        if np.any((addr & _OFFSET_MASK) % 16):
            raise InterpretError("ldmatrix: a row address is not 16-byte aligned")
        out = np.zeros((self.lanes, count), dtype=np.int32)
        lane = np.arange(32)
        for w in range(self.lanes // 32):
            for i in range(count):
                rows = addr[32 * w + 8 * i : 32 * w + 8 * i + 8]
                m = np.stack(
                    [self.memory.load(rows + 2 * h, np.dtype(np.uint16)) for h in range(8)], axis=1
                ).astype(np.uint32)
                lo, hi = m[lane // 4, 2 * (lane % 4)], m[lane // 4, 2 * (lane % 4) + 1]
                out[32 * w : 32 * w + 32, i] = (lo | (hi << 16)).view(np.int32)
        return out

    def inline_asm(self, asm: ir.InlineAsm, args: list[NDArray]) -> NDArray | None:
        kinds = (("b32", np.int32), ("u16", np.uint16), ("u8", np.uint8))
        for kind, dtype in ((kind, np.dtype(t)) for kind, t in kinds):
            if asm.asm == LOAD_ASM.format(kind=kind):
                addr, mask, other = args
                out = other.copy()
                if np.any(mask):
                    loaded = self.memory.load(addr[mask], dtype)
                    out[mask] = loaded.astype(np.int32)
                return out
            if asm.asm == STORE_ASM.format(kind=kind):
                value, addr, mask = args
                self.memory.store(addr, value.astype(dtype), mask)
                return None
        raise InterpretError(f"inline assembly is not modelled: {asm.asm!r}")


_NUMPY: dict[str, Any] = {"f32": np.float32, "f16": np.float16, "bool": np.bool_}


def _numpy(dtype: str) -> Any:
    if dtype == "bf16":
        import ml_dtypes

        return ml_dtypes.bfloat16
    return _NUMPY[dtype]


def run_function(program: GpuProgram, name: str, inputs: Sequence[NDArray]) -> list[NDArray]:
    """Run function `name` of `program` on `inputs` (numpy arrays), launch after launch, every
    thread block of a launch in turn; returns the function's results."""
    spec = program.manifest[name]
    memory = Memory()
    buffers: list[NDArray] = []
    addresses: list[int] = []
    for buf in spec["buffers"]:
        dtype = _numpy(buf["dtype"])
        if buf["kind"] == "arg":
            array: NDArray = np.ascontiguousarray(inputs[buf["index"]], dtype=dtype).copy()
            if list(array.shape) != buf["shape"]:
                raise ValueError(
                    f"input {buf['index']} has shape {array.shape}, not {buf['shape']}"
                )
        else:
            array = np.zeros(buf["shape"], dtype=dtype)
            if buf["dtype"] != "bool":
                array[...] = np.nan  # results never written show up
        buffers.append(array)
        addresses.append(memory.add(array.reshape(-1).view(np.uint8)))
    for launch in spec["launches"]:
        fn = cast(ir.Function, program.module.globals[launch["kernel"]])
        args = [addresses[i] for i in launch["args"]]
        gx, gy, gz = launch["grid"]
        for z, y, x in itertools.product(range(gz), range(gy), range(gx)):
            shared_before = len(memory.regions)
            _Frame(fn, memory, args, launch["block"][0], (x, y, z)).run()
            del memory.regions[shared_before:]  # shared memory lives for one block
    return [buffers[i].copy() for i in spec["results"]]


__all__ = ["InterpretError", "run_function"]
