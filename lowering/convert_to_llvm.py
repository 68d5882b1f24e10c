"""`convert-to-llvm`: lower func/zloop/scf/arith/math/memref/vector to xDSL's `llvm` dialect.

Input: the IR of the lowering contract (section 2): `func.func` on statically shaped,
identity-layout memrefs and f16/bf16/f32/f64 (and integer) scalars, bodies of `zloop`, `scf`,
`arith`, `math`, `memref` and `vector` ops on scalars and 1-D vectors. Output: a module of
`llvm.func`s.

Conventions (contract items 3 and 4):
- `index` becomes `i64`; every memref becomes a bare `!llvm.ptr` to its first element
  (no descriptors: shapes are static); pointer arguments get `llvm.noalias`.
- Functions keep their names and the C calling convention; public ones have external
  linkage, private ones internal.
- An `i1` element of a memref is a byte (0 or 1, numpy's bool): loads truncate, stores
  zero-extend (LLVM would pack `<N x i1>` into bits).
- f16 and bf16 elements are LLVM's `half` and `bfloat` (in memory and in vectors): the IR
  `ztile-to-zloop` emits computes in f32 and only loads, stores, extends and truncates them.
  `arith.extf`/`truncf` between f32 and them are `fpext`/`fptrunc` (`vcvtph2ps`,
  `vcvtps2ph`, `vcvtneps2bf16` on this kind of host). f64 -> f16/bf16 rounds once: to f32
  with round-to-odd (the truncation toward zero with its last bit set when inexact), then
  `fptrunc` (LLVM would call compiler-rt's `__truncdfhf2`, which the JIT does not link);
  f16/bf16 -> f64 and f16 <-> bf16 go through f32 (exact).
- `memref.alloc` -> `aligned_alloc(64, size rounded up to 64)`, `memref.dealloc` -> `free`,
  `memref.alloca` -> a 64-byte aligned `llvm.alloca` in the function's entry block;
  `memref.collapse_shape`/`expand_shape` -> the same pointer (a row-major reshape).
  Loads and stores carry the element alignment (callers' numpy buffers are only
  element-aligned).
- `zloop.parallel` (outermost) is outlined into `void @<fn>__par<k>(i64 begin, i64 end,
  ptr ctx)`, which runs the linearized iterations [begin, end); the captured values are
  stored in 8-byte-aligned slots of a context buffer on the stack (constants are
  re-materialized instead). The loop becomes a call to the external
  `void @ziggurat_parallel_for(ptr fn, i64 total, ptr ctx)`. A `zloop.parallel` nested in a
  parallel body, or one of constant bounds with a single iteration, runs as a sequential
  loop nest (no call, no thread pool).
- Structured loops become a header block (with the induction variable and loop-carried
  values as block arguments) branching to the body or the exit.
- Float arithmetic carries the `contract` fast-math flag (FMA formation); `vector.reduction
  <add>` also `reassoc`. No `nnan`/`ninf`: inf and NaN are handled exactly as IEEE says.
  `arith.maximumf`/`minimumf` use `llvm.maximum`/`llvm.minimum` (NaN-propagating).

The `math` ops become what the op table (`ziggurat.dialects.optable`) gives as the `llvm`
form of the row that lowers to them: an intrinsic (`math.sqrt` -> `llvm.sqrt`), a helper
(the transcendentals `exp`, `log`, `tanh`), or an expansion into other ops (`1 / sqrt(x)`).
What the `llvm` dialect of xDSL 0.74 cannot express (vector `fcmp`/`select`,
`extractelement`) and the helpers become calls to declared functions named
`__zg_<what>_<type>` (e.g. `__zg_exp_v16f32`, `__zg_fcmp_olt_v16f32`, `__zg_select_v16f32`,
`__zg_extract_v16f32`, `__zg_powi_f32_i32` for `math.fpowi`).
`ziggurat.lowering.llvm_translate` gives them internal, always-inlined bodies (polynomials
from `llvm_math` for the transcendentals, a square-and-multiply loop for `powi`), so O3 code
has no calls left.

Integer `arith` ops (`addi` ... `remsi`, `divui`/`remui`, `andi`/`ori`/`xori`, shifts,
`extsi`/`extui`/`trunci`, `cmpi`, `sitofp`, `index_cast`) become their LLVM instructions;
`has_lowering(op)` says whether the per-op table has an op (`linalg-to-zloop` asks it about
the body ops it clones).

The lowering walks each function once, emitting the CFG directly: structured regions turn
into blocks, which a pattern-per-op rewrite cannot express as simply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from xdsl.context import Context
from xdsl.dialects import arith, func, llvm, math, memref, scf, vector
from xdsl.dialects.builtin import (
    ArrayAttr,
    BFloat16Type,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    UnitAttr,
    VectorType,
    i1,
    i8,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.ir.affine import (
    AffineBinaryOpExpr,
    AffineBinaryOpKind,
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
    AffineMap,
    AffineSymExpr,
)
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import DiagnosticException

from ziggurat.dialects import optable, zloop
from ziggurat.lowering.index_builder import LLVM_I64, IndexBuilder
from ziggurat.runtime.abi import PARALLEL_FOR_SYMBOL

PTR = llvm.LLVMPointerType()
CONTRACT = llvm.FastMathAttr([llvm.FastMathFlag.ALLOW_CONTRACT])
REASSOC = llvm.FastMathAttr([llvm.FastMathFlag.ALLOW_CONTRACT, llvm.FastMathFlag.REASSOC])
MALLOC_ALIGNMENT = 64


class LoweringError(DiagnosticException):
    """An op or type `convert-to-llvm` does not handle."""


FLOAT_ELEMENTS = (Float16Type, BFloat16Type, Float32Type, Float64Type)
"""The float types of scalars and vector elements `convert-to-llvm` lowers."""


def lower_type(t: Attribute) -> Attribute:
    """The LLVM-dialect type of a value of type `t`."""
    if isinstance(t, IndexType):
        return i64
    if isinstance(t, MemRefType):
        return PTR
    if isinstance(t, VectorType):
        if t.get_num_dims() != 1:
            raise LoweringError(f"convert-to-llvm: only 1-D vectors are supported, got {t}")
        return t
    if isinstance(t, IntegerType | Float16Type | BFloat16Type | Float32Type | Float64Type):
        return t
    raise LoweringError(f"convert-to-llvm: unsupported type {t}")


def type_suffix(t: Attribute) -> str:
    """LLVM's mangling suffix of a type: `f32`, `v16f32`, `i64`, `v16i1`."""
    if isinstance(t, VectorType):
        return f"v{t.get_shape()[0]}{type_suffix(t.element_type)}"
    if isinstance(t, Float32Type):
        return "f32"
    if isinstance(t, Float64Type):
        return "f64"
    if isinstance(t, Float16Type):
        return "f16"
    if isinstance(t, BFloat16Type):
        return "bf16"
    if isinstance(t, IntegerType):
        return f"i{t.width.data}"
    if isinstance(t, IndexType):
        return "i64"
    raise LoweringError(f"convert-to-llvm: no mangling for {t}")


def byte_size(t: Attribute) -> int:
    """Size in bytes of a scalar or vector type (index and pointers are 8)."""
    if isinstance(t, VectorType):
        return t.get_shape()[0] * byte_size(t.element_type)
    if isinstance(t, Float32Type):
        return 4
    if isinstance(t, Float16Type | BFloat16Type):
        return 2
    if isinstance(t, Float64Type | IndexType | llvm.LLVMPointerType | MemRefType):
        return 8
    if isinstance(t, IntegerType):
        return max(1, t.width.data // 8)
    raise LoweringError(f"convert-to-llvm: no size for {t}")


def element_type(t: Attribute) -> Attribute:
    return t.element_type if isinstance(t, VectorType | MemRefType) else t


@dataclass
class _ModuleState:
    """What all function lowerings of one module share: new functions and declarations."""

    module: ModuleOp
    new_funcs: list[llvm.FuncOp] = field(default_factory=list)
    declared: dict[str, llvm.FuncOp] = field(default_factory=dict)
    par_counter: dict[str, int] = field(default_factory=dict)

    def declare(self, name: str, inputs: Sequence[Attribute], output: Attribute | None) -> None:
        if name in self.declared:
            return
        fn = llvm.FuncOp(
            name, llvm.LLVMFunctionType(list(inputs), output), linkage=llvm.LinkageAttr("external")
        )
        self.declared[name] = fn


class _FunctionLowering(IndexBuilder):
    """Emits the body of one `llvm.func` from a `func.func` body or an outlined parallel body
    (index arithmetic on `i64` from `IndexBuilder`; each constant is made where it is used)."""

    def __init__(self, state: _ModuleState, fn_name: str, entry: Block) -> None:
        self.state = state
        self.fn_name = fn_name
        self.entry = entry
        self.block = entry
        self.blocks: list[Block] = [entry]
        self.values: dict[SSAValue, SSAValue] = {}
        self.parallel_depth = 0
        super().__init__(LLVM_I64, self.emit, reuse=False)

    # ----- emission helpers ------------------------------------------------------------------

    def emit(self, op: Operation) -> SSAValue:
        self.block.add_op(op)
        return op.results[0]

    def emit0(self, op: Operation) -> None:
        self.block.add_op(op)

    def new_block(self, arg_types: Sequence[Attribute] = ()) -> Block:
        block = Block(arg_types=arg_types)
        self.blocks.append(block)
        return block

    def get(self, v: SSAValue) -> SSAValue:
        try:
            return self.values[v]
        except KeyError:
            raise LoweringError(f"convert-to-llvm: value {v} used before it was lowered") from None

    def const_int(self, value: int, t: Attribute) -> SSAValue:
        return self.emit(llvm.ConstantOp(IntegerAttr(value, cast(IntegerType, t)), t))

    def const_float(self, value: float, t: Attribute) -> SSAValue:
        if isinstance(t, VectorType):
            scalar = self.const_float(value, t.element_type)
            return self.splat(scalar, t)
        assert isinstance(t, FLOAT_ELEMENTS)
        return self.emit(llvm.ConstantOp(FloatAttr(value, cast(Float32Type, t)), t))

    def splat(self, scalar: SSAValue, t: VectorType) -> SSAValue:
        undef = self.emit(llvm.UndefOp(t))
        zero = self.const_int(0, i32)
        inserted = self.emit(llvm.InsertElementOp(undef, scalar, zero))
        n = t.get_shape()[0]
        return self.emit(
            llvm.ShuffleVectorOp(inserted, undef, DenseArrayBase.from_list(i32, [0] * n), t)
        )

    def select_value(self, cond: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        """`arith.select` of scalars or vectors (a vector condition through a helper)."""
        if isinstance(a.type, VectorType) and isinstance(cond.type, VectorType):
            return self.helper_call(f"__zg_select_{type_suffix(a.type)}", [cond, a, b], a.type)
        return self.emit(llvm.SelectOp(cond, a, b))

    def floordiv(self, a: SSAValue, b: SSAValue) -> SSAValue:
        """Floor division of signed integers (rounds toward negative infinity)."""
        q = self.emit(llvm.SDivOp(a, b))
        r = self.emit(llvm.SRemOp(a, b))
        zero = self.const_int(0, a.type)
        r_nonzero = self.cmpi("ne", r, zero)
        signs_differ = self.cmpi("slt", self.emit(llvm.XOrOp(r, b)), zero)
        adjust = self.emit(llvm.AndOp(r_nonzero, signs_differ))
        one = self.const_int(1, a.type)
        return self.select(adjust, self.emit(llvm.SubOp(q, one)), q)

    def intrinsic(
        self,
        name: str,
        args: Sequence[SSAValue],
        result: Attribute | None,
        fastmath: llvm.FastMathAttr | None = None,
    ) -> SSAValue:
        op = llvm.CallIntrinsicOp(name, list(args), [result] if result is not None else [])
        if fastmath is not None:
            op.properties["fastmathFlags"] = fastmath
        self.block.add_op(op)
        return op.results[0] if op.results else None  # type: ignore[return-value]

    def helper_call(self, name: str, args: Sequence[SSAValue], result: Attribute) -> SSAValue:
        self.state.declare(name, [a.type for a in args], result)
        return self.emit(llvm.CallOp(name, *args, return_type=result))

    def gep(self, base: SSAValue, index: SSAValue, elem: Attribute) -> SSAValue:
        return self.emit(
            llvm.GEPOp(base, [llvm.GEP_USE_SSA_VAL], elem, ssa_indices=[index], inbounds=True)
        )

    def element_ptr(
        self, base: SSAValue, mtype: Attribute, indices: Sequence[SSAValue]
    ) -> SSAValue:
        """Address of element `indices` of a row-major memref (linearized with static strides)."""
        if not isinstance(mtype, MemRefType):
            raise LoweringError(f"convert-to-llvm: expected a memref, got {mtype}")
        shape = mtype.get_shape()
        if any(d < 0 for d in shape):
            raise LoweringError(f"convert-to-llvm: memrefs must be statically shaped, got {mtype}")
        linear: SSAValue | None = None
        stride = 1
        for dim, idx in zip(reversed(shape), reversed(indices), strict=True):
            term = self.muli(self.get(idx), stride)
            linear = term if linear is None else self.addi(linear, term)
            stride *= dim
        if linear is None:
            linear = self.index(0)
        return self.gep(self.get_base(base), linear, _stored(mtype.element_type))

    def get_base(self, v: SSAValue) -> SSAValue:
        return self.get(v)

    # ----- affine bounds ---------------------------------------------------------------------

    def affine_expr(
        self, e: AffineExpr, dims: Sequence[SSAValue], syms: Sequence[SSAValue]
    ) -> SSAValue:
        if isinstance(e, AffineConstantExpr):
            return self.index(e.value)
        if isinstance(e, AffineDimExpr):
            return dims[e.position]
        if isinstance(e, AffineSymExpr):
            return syms[e.position]
        assert isinstance(e, AffineBinaryOpExpr)
        lhs = self.affine_expr(e.lhs, dims, syms)
        rhs = self.affine_expr(e.rhs, dims, syms)
        match e.kind:
            case AffineBinaryOpKind.Add:
                return self.addi(lhs, rhs)
            case AffineBinaryOpKind.Mul:
                return self.muli(lhs, rhs)
            case AffineBinaryOpKind.FloorDiv:
                return self.floordiv(lhs, rhs)
            case AffineBinaryOpKind.CeilDiv:
                one = self.index(1)
                num = self.emit(llvm.SubOp(self.addi(lhs, rhs), one))
                return self.floordiv(num, rhs)
            case AffineBinaryOpKind.Mod:
                q = self.floordiv(lhs, rhs)
                return self.emit(llvm.SubOp(lhs, self.muli(q, rhs)))
        raise LoweringError(f"convert-to-llvm: unsupported affine expression {e}")

    def bound(self, m: AffineMap, operands: Sequence[SSAValue], is_lower: bool) -> SSAValue:
        ops = [self.get(v) for v in operands]
        dims, syms = ops[: m.num_dims], ops[m.num_dims :]
        values = [self.affine_expr(e, dims, syms) for e in m.results]
        result = values[0]
        for v in values[1:]:
            result = self.max(result, v) if is_lower else self.min(result, v)
        return result

    # ----- structured control flow -------------------------------------------------------------

    def emit_loop(
        self,
        lb: SSAValue,
        ub: SSAValue,
        step: SSAValue,
        inits: Sequence[SSAValue],
        body: Block,
        iv_and_args: Sequence[SSAValue],
    ) -> list[SSAValue]:
        """A counted loop running `body` (whose terminator yields the next carried values)."""
        carried_types = [v.type for v in inits]
        header = self.new_block([i64, *carried_types])
        loop_body = self.new_block()
        exit_block = self.new_block()
        self.emit0(llvm.BrOp(header, lb, *inits))
        self.block = header
        iv = header.args[0]
        cond = self.cmpi("slt", iv, ub)
        self.emit0(llvm.CondBrOp(cond, loop_body, (), exit_block, ()))
        self.block = loop_body
        for old, new in zip(iv_and_args, header.args, strict=True):
            self.values[old] = new
        yielded = self.lower_ops(body)
        nxt = self.addi(iv, step)
        self.emit0(llvm.BrOp(header, nxt, *yielded))
        self.block = exit_block
        return list(header.args[1:])

    def lower_ops(self, block: Block) -> list[SSAValue]:
        """Lower every op of `block`; returns the lowered operands of its yield terminator."""
        for op in block.ops:
            if isinstance(op, zloop.YieldOp | scf.YieldOp):
                return [self.get(v) for v in op.operands]
            self.lower_op(op)
        return []

    def lower_for(self, op: zloop.ForOp) -> None:
        lb = self.bound(op.lowerBoundMap.data, op.lowerBoundOperands, True)
        ub = self.bound(op.upperBoundMap.data, op.upperBoundOperands, False)
        step = self.index(op.step_value)
        results = self.emit_loop(
            lb, ub, step, [self.get(v) for v in op.inits], op.body.block, op.body.block.args
        )
        for old, new in zip(op.res, results, strict=True):
            self.values[old] = new

    def lower_scf_for(self, op: scf.ForOp) -> None:
        results = self.emit_loop(
            self.get(op.lb),
            self.get(op.ub),
            self.get(op.step),
            [self.get(v) for v in op.iter_args],
            op.body.block,
            op.body.block.args,
        )
        for old, new in zip(op.res, results, strict=True):
            self.values[old] = new

    def lower_if(self, op: scf.IfOp) -> None:
        then_block = self.new_block()
        else_block = self.new_block()
        merge = self.new_block([lower_type(r.type) for r in op.output])
        self.emit0(llvm.CondBrOp(self.get(op.cond), then_block, (), else_block, ()))
        for region, target in ((op.true_region, then_block), (op.false_region, else_block)):
            self.block = target
            yielded = self.lower_ops(region.block) if region.blocks else []
            self.emit0(llvm.BrOp(merge, *yielded))
        self.block = merge
        for old, new in zip(op.output, merge.args, strict=True):
            self.values[old] = new

    def parallel_ranges(self, op: zloop.ParallelOp) -> list[tuple[SSAValue, SSAValue, int]]:
        """(lower bound, trip count, step) of each dimension."""
        out: list[tuple[SSAValue, SSAValue, int]] = []
        for dim in op.dimensions():
            step = dim.step
            lb = self.bound(dim.lower_map, dim.lower_operands, True)
            ub = self.bound(dim.upper_map, dim.upper_operands, False)
            span = self.emit(llvm.SubOp(ub, lb))
            span = self.addi(span, step - 1)
            trips = self.emit(llvm.SDivOp(span, self.index(step)))
            out.append((lb, self.max(trips, 0), step))
        return out

    def lower_parallel_sequential(self, op: zloop.ParallelOp) -> None:
        """A nested parallel loop, or one of a single iteration: a sequential loop nest."""
        ranges = self.parallel_ranges(op)
        self._nest(op, ranges, 0, [])

    def _nest(
        self,
        op: zloop.ParallelOp,
        ranges: list[tuple[SSAValue, SSAValue, int]],
        k: int,
        ivs: list[SSAValue],
    ) -> None:
        lb, trips, step = ranges[k]
        header = self.new_block([i64])
        body = self.new_block()
        exit_block = self.new_block()
        self.emit0(llvm.BrOp(header, self.index(0)))
        self.block = header
        t = header.args[0]
        self.emit0(llvm.CondBrOp(self.cmpi("slt", t, trips), body, (), exit_block, ()))
        self.block = body
        iv = self.addi(lb, self.muli(t, step))
        if k + 1 < len(ranges):
            self._nest(op, ranges, k + 1, [*ivs, iv])
        else:
            for old, new in zip(op.body.block.args, [*ivs, iv], strict=True):
                self.values[old] = new
            self.lower_ops(op.body.block)
        self.emit0(llvm.BrOp(header, self.addi(t, 1)))
        self.block = exit_block

    def lower_parallel(self, op: zloop.ParallelOp) -> None:
        if self.parallel_depth > 0 or op.static_trip_count() == 1:
            self.lower_parallel_sequential(op)
            return
        ranges = self.parallel_ranges(op)
        total = self.index(1)
        for _, trips, _ in ranges:
            total = self.muli(total, trips)
        captured = _free_values(op)
        constants = [v for v in captured if isinstance(v.owner, arith.ConstantOp)]
        slots: list[tuple[SSAValue, int]] = []
        offset = 0
        for v in captured:
            if v in constants:
                continue
            slots.append((v, offset))
            offset += (byte_size(v.type) + 7) // 8 * 8
        range_offset = offset
        offset += 16 * len(ranges)
        ctx = self.alloca_bytes(max(offset, 8), 8)
        for v, off in slots:
            ptr = self.gep(ctx, self.index(off), IntegerType(8))
            self.emit0(
                llvm.StoreOp(
                    self.get(v), ptr, alignment=8 if byte_size(v.type) >= 8 else byte_size(v.type)
                )
            )
        for k, (lb, trips, _) in enumerate(ranges):
            for j, val in enumerate((lb, trips)):
                ptr = self.gep(ctx, self.index(range_offset + 16 * k + 8 * j), IntegerType(8))
                self.emit0(llvm.StoreOp(val, ptr, alignment=8))
        k = self.state.par_counter.get(self.fn_name, 0)
        self.state.par_counter[self.fn_name] = k + 1
        outlined = f"{self.fn_name}__par{k}"
        self.outline(op, outlined, constants, slots, range_offset, [s for _, _, s in ranges])
        self.state.declare(PARALLEL_FOR_SYMBOL, [PTR, i64, PTR], None)
        fn_ptr = self.emit(llvm.AddressOfOp(outlined, PTR))
        self.emit0(llvm.CallOp(PARALLEL_FOR_SYMBOL, fn_ptr, total, ctx))

    def alloca_bytes(self, size: int, align: int) -> SSAValue:
        """A stack buffer allocated once, in the entry block."""
        count = llvm.ConstantOp(IntegerAttr(size, i64), i64)
        alloca = llvm.AllocaOp(count, IntegerType(8), alignment=align)
        first = self.entry.first_op
        if first is None:
            self.entry.add_ops([count, alloca])
        else:
            self.entry.insert_ops_before([count, alloca], first)
        return alloca.res

    def outline(
        self,
        op: zloop.ParallelOp,
        name: str,
        constants: list[SSAValue],
        slots: list[tuple[SSAValue, int]],
        range_offset: int,
        steps: list[int],
    ) -> None:
        entry = Block(arg_types=[i64, i64, PTR])
        body_fn = _FunctionLowering(self.state, name, entry)
        body_fn.parallel_depth = self.parallel_depth + 1
        begin, end, ctx = entry.args
        for c in constants:
            assert isinstance(c.owner, arith.ConstantOp)
            _constant(body_fn, c.owner)
        for v, off in slots:
            ptr = body_fn.gep(ctx, body_fn.index(off), IntegerType(8))
            t = lower_type(v.type)
            align = 8 if byte_size(v.type) >= 8 else byte_size(v.type)
            body_fn.values[v] = body_fn.emit(llvm.LoadOp(ptr, t, alignment=align))
        ranges: list[tuple[SSAValue, SSAValue]] = []
        for k in range(len(steps)):
            vals = []
            for j in range(2):
                ptr = body_fn.gep(ctx, body_fn.index(range_offset + 16 * k + 8 * j), IntegerType(8))
                vals.append(body_fn.emit(llvm.LoadOp(ptr, i64, alignment=8)))
            ranges.append((vals[0], vals[1]))
        header = body_fn.new_block([i64])
        loop_body = body_fn.new_block()
        exit_block = body_fn.new_block()
        body_fn.emit0(llvm.BrOp(header, begin))
        body_fn.block = header
        lin = header.args[0]
        body_fn.emit0(llvm.CondBrOp(body_fn.cmpi("slt", lin, end), loop_body, (), exit_block, ()))
        body_fn.block = loop_body
        rest: SSAValue = lin
        ivs: list[SSAValue] = [lin] * len(steps)
        for k in reversed(range(len(steps))):
            lb, trips = ranges[k]
            if k == 0:
                pos = rest
            else:
                pos = body_fn.emit(llvm.SRemOp(rest, trips))
                rest = body_fn.emit(llvm.SDivOp(rest, trips))
            scaled = body_fn.muli(pos, steps[k])
            ivs[k] = body_fn.addi(lb, scaled)
        for old, new in zip(op.body.block.args, ivs, strict=True):
            body_fn.values[old] = new
        body_fn.lower_ops(op.body.block)
        body_fn.emit0(llvm.BrOp(header, body_fn.addi(lin, 1)))
        body_fn.block = exit_block
        body_fn.emit0(llvm.ReturnOp())
        fn = llvm.FuncOp(
            name,
            llvm.LLVMFunctionType([i64, i64, PTR], None),
            linkage=llvm.LinkageAttr("internal"),
            body=Region(body_fn.blocks),
        )
        fn.properties["arg_attrs"] = _arg_attrs([i64, i64, PTR])
        self.state.new_funcs.append(fn)

    # ----- ops -------------------------------------------------------------------------------

    def lower_op(self, op: Operation) -> None:
        handler = _HANDLERS.get(type(op))
        if handler is None:
            raise LoweringError(f"convert-to-llvm: cannot lower '{op.name}'")
        handler(self, op)


def _arg_attrs(types: Sequence[Attribute]) -> ArrayAttr[DictionaryAttr]:
    return ArrayAttr(
        [
            DictionaryAttr({"llvm.noalias": UnitAttr()})
            if isinstance(t, llvm.LLVMPointerType)
            else DictionaryAttr({})
            for t in types
        ]
    )


def _free_values(op: Operation) -> list[SSAValue]:
    """Values used inside `op`'s regions but defined outside it (constants excluded)."""
    inside: set[SSAValue] = set()
    for nested in op.walk():
        if nested is op:
            continue
        inside.update(nested.results)
        for region in nested.regions:
            for block in region.blocks:
                inside.update(block.args)
    for region in op.regions:
        for block in region.blocks:
            inside.update(block.args)
    free: list[SSAValue] = []
    seen: set[SSAValue] = set()
    for nested in op.walk():
        if nested is op:
            continue
        for v in nested.operands:
            if v in inside or v in seen:
                continue
            seen.add(v)
            free.append(v)
    return free


# ---------------------------------------------------------------------------------------------
# Per-op lowering table
# ---------------------------------------------------------------------------------------------


def _constant(fl: _FunctionLowering, op: arith.ConstantOp) -> None:
    t = op.result.type
    value = op.value
    lt = lower_type(t)
    if isinstance(value, DenseIntOrFPElementsAttr):
        if not isinstance(t, VectorType):
            raise LoweringError(f"convert-to-llvm: dense constants must be vectors, got {t}")
        values = value.get_values()
        if len(set(values)) != 1:
            raise LoweringError("convert-to-llvm: only splat vector constants are supported")
        et = t.element_type
        if isinstance(et, FLOAT_ELEMENTS):
            scalar = fl.const_float(float(values[0]), et)
        else:
            scalar = fl.emit(llvm.ConstantOp(IntegerAttr(int(values[0]), et), et))
        fl.values[op.result] = fl.splat(scalar, t)
        return
    if isinstance(value, FloatAttr):
        fl.values[op.result] = fl.emit(
            llvm.ConstantOp(FloatAttr(value.value.data, cast(Float32Type, lt)), lt)
        )
        return
    if isinstance(value, IntegerAttr) and lt == i64:
        fl.values[op.result] = fl.index(value.value.data)
        return
    if isinstance(value, IntegerAttr):
        fl.values[op.result] = fl.emit(
            llvm.ConstantOp(IntegerAttr(value.value.data, cast(IntegerType, lt)), lt)
        )
        return
    raise LoweringError(f"convert-to-llvm: unsupported constant {value}")


def _float_binop(cls: type[llvm.AbstractFloatArithOp]):
    def lower(fl: _FunctionLowering, op: Operation) -> None:
        fl.values[op.results[0]] = fl.emit(
            cls(fl.get(op.operands[0]), fl.get(op.operands[1]), CONTRACT)
        )

    return lower


def _int_binop(cls: Callable[[SSAValue, SSAValue], Operation]):
    def lower(fl: _FunctionLowering, op: Operation) -> None:
        fl.values[op.results[0]] = fl.emit(cls(fl.get(op.operands[0]), fl.get(op.operands[1])))

    return lower


def _intrinsic_op(base: str, fastmath: llvm.FastMathAttr | None = None):
    def lower(fl: _FunctionLowering, op: Operation) -> None:
        t = lower_type(op.results[0].type)
        fl.values[op.results[0]] = fl.intrinsic(
            f"{base}.{type_suffix(t)}", [fl.get(v) for v in op.operands], t, fastmath
        )

    return lower


def _negf(fl: _FunctionLowering, op: arith.NegfOp) -> None:
    fl.values[op.result] = fl.emit(llvm.FNegOp(fl.get(op.operand)))


_FLOAT_ARITH: dict[str, type[llvm.AbstractFloatArithOp]] = {
    "arith.addf": llvm.FAddOp,
    "arith.subf": llvm.FSubOp,
    "arith.mulf": llvm.FMulOp,
    "arith.divf": llvm.FDivOp,
}


class _LLVMScalars:
    """Builds an op table `llvm` expansion (`optable.Scalars`) from LLVM ops: `arith` float
    arithmetic (with `contract`) and the `math` ops of other rows, in their own LLVM forms."""

    def __init__(self, fl: _FunctionLowering, t: Attribute) -> None:
        self.fl = fl
        self.t = t

    def const(self, value: float) -> SSAValue:
        return self.fl.const_float(value, self.t)

    def op(self, name: str, *operands: SSAValue, predicate: str | None = None) -> SSAValue:
        if predicate is None and name in _FLOAT_ARITH:
            lhs, rhs = operands
            return self.fl.emit(_FLOAT_ARITH[name](lhs, rhs, CONTRACT))
        if predicate is None and name in optable.MATH_OPS:
            return _lower_math(self.fl, optable.MATH_OPS[name], operands, self.t)
        raise LoweringError(f"convert-to-llvm: the op table expands into unknown '{name}'")


def _lower_math(
    fl: _FunctionLowering, row: optable.Elementwise, args: Sequence[SSAValue], t: Attribute
) -> SSAValue:
    """The LLVM value of `row`'s `math` op on lowered `args` of lowered type `t`."""
    form = row.llvm
    if isinstance(form, optable.Intrinsic):
        return fl.intrinsic(f"{form.name}.{type_suffix(t)}", args, t)
    if isinstance(form, optable.Helper):
        return fl.helper_call(f"__zg_{form.name}_{type_suffix(t)}", args, t)
    assert form is not None, row.name
    return form(_LLVMScalars(fl, t), *args)


def _math_op(row: optable.Elementwise):
    """The handler of the `math` op of an op table row (its `llvm` form)."""

    def lower(fl: _FunctionLowering, op: Operation) -> None:
        t = lower_type(op.results[0].type)
        args = [fl.get(v) for v in op.operands]
        fl.values[op.results[0]] = _lower_math(fl, row, args, t)

    return lower


_MATH_CLASSES: dict[str, type[Operation]] = {cls.name: cls for cls in math.Math.operations}


_ICMP = {
    0: "eq",
    1: "ne",
    2: "slt",
    3: "sle",
    4: "sgt",
    5: "sge",
    6: "ult",
    7: "ule",
    8: "ugt",
    9: "uge",
}


def _cmpi(fl: _FunctionLowering, op: arith.CmpiOp) -> None:
    fl.values[op.result] = fl.cmpi(_ICMP[op.predicate.value.data], fl.get(op.lhs), fl.get(op.rhs))


def _cmpf(fl: _FunctionLowering, op: arith.CmpfOp | zloop.CmpfOp) -> None:
    pred = op.code if isinstance(op, zloop.CmpfOp) else op.predicate.value.data
    lhs, rhs = fl.get(op.lhs), fl.get(op.rhs)
    if isinstance(lhs.type, VectorType):
        name = llvm.FCmpPredicateFlag.from_int(pred).value.lstrip("_")
        n = lhs.type.get_shape()[0]
        fl.values[op.result] = fl.helper_call(
            f"__zg_fcmp_{name}_{type_suffix(lhs.type)}", [lhs, rhs], VectorType(i1, [n])
        )
        return
    fl.values[op.result] = fl.emit(llvm.FCmpOp(lhs, rhs, IntegerAttr(pred, i64)))


def _select(fl: _FunctionLowering, op: arith.SelectOp | zloop.SelectOp) -> None:
    fl.values[op.result] = fl.select_value(fl.get(op.cond), fl.get(op.lhs), fl.get(op.rhs))


def _minmaxsi(is_max: bool):
    def lower(fl: _FunctionLowering, op: Operation) -> None:
        a, b = fl.get(op.operands[0]), fl.get(op.operands[1])
        fl.values[op.results[0]] = fl.max(a, b) if is_max else fl.min(a, b)

    return lower


def _floordivsi(fl: _FunctionLowering, op: arith.FloorDivSIOp) -> None:
    fl.values[op.result] = fl.floordiv(fl.get(op.lhs), fl.get(op.rhs))


def _index_cast(fl: _FunctionLowering, op: arith.IndexCastOp) -> None:
    src, dst = lower_type(op.input.type), lower_type(op.result.type)
    v = fl.get(op.input)
    assert isinstance(src, IntegerType) and isinstance(dst, IntegerType)
    if src.width.data == dst.width.data:
        fl.values[op.result] = v
    elif src.width.data > dst.width.data:
        fl.values[op.result] = fl.emit(llvm.TruncOp(v, dst))
    else:
        fl.values[op.result] = fl.emit(llvm.SExtOp(v, dst))


def _cast(cls: type[llvm.GenericCastOp]):
    def lower(fl: _FunctionLowering, op: Operation) -> None:
        fl.values[op.results[0]] = fl.emit(
            cls(fl.get(op.operands[0]), lower_type(op.results[0].type))
        )

    return lower


def _with_element(t: Attribute, elt: Attribute) -> Attribute:
    """The scalar or vector type `t` with element type `elt`."""
    return VectorType(elt, t.get_shape()) if isinstance(t, VectorType) else elt


_FCMP_CODES = {"ogt": 2, "one": 6}
"""LLVM's (and `arith.cmpf`'s) codes of the predicates `_fcmp` is asked for."""


def _fcmp(fl: _FunctionLowering, predicate: str, a: SSAValue, b: SSAValue) -> SSAValue:
    """`fcmp <predicate>` of scalars, or of vectors through the `__zg_fcmp_*` helper."""
    if isinstance(a.type, VectorType):
        mask = VectorType(i1, a.type.get_shape())
        return fl.helper_call(f"__zg_fcmp_{predicate}_{type_suffix(a.type)}", [a, b], mask)
    return fl.emit(llvm.FCmpOp(a, b, IntegerAttr(_FCMP_CODES[predicate], i64)))


def _round_to_odd_f32(fl: _FunctionLowering, x: SSAValue) -> SSAValue:
    """The f64 scalar or vector `x` as f32 rounded to odd: the nearest f32 toward zero, its
    last bit set when that is inexact (then rounding it to f16/bf16 rounds `x` once)."""
    t = x.type
    ft = _with_element(t, Float32Type())
    it = _with_element(t, i32)
    nearest = fl.emit(llvm.FPTruncOp(x, ft))  # round to nearest even
    back = fl.emit(llvm.FPExtOp(nearest, t))
    suffix = type_suffix(t)
    inexact = _fcmp(fl, "one", back, x)
    away = _fcmp(
        fl,
        "ogt",
        fl.intrinsic(f"llvm.fabs.{suffix}", [back], t),
        fl.intrinsic(f"llvm.fabs.{suffix}", [x], t),
    )

    def const(v: int) -> SSAValue:
        scalar = fl.const_int(v, i32)
        return fl.splat(scalar, it) if isinstance(it, VectorType) else scalar

    bits = fl.emit(llvm.BitcastOp(nearest, it))
    even = fl.emit(llvm.TruncOp(fl.emit(llvm.XOrOp(bits, const(1))), _with_element(t, i1)))
    # step: -1 toward zero when `nearest` rounded away from zero, else +1; taken when the
    # result is inexact and even (an odd nearest value is already the rounded-to-odd one).
    step = fl.emit(llvm.OrOp(fl.emit(llvm.SExtOp(away, it)), const(1)))
    take = fl.emit(llvm.SExtOp(fl.emit(llvm.AndOp(inexact, even)), it))
    odd = fl.emit(llvm.AddOp(bits, fl.emit(llvm.AndOp(step, take))))
    return fl.emit(llvm.BitcastOp(odd, ft))


def _float_cast(fl: _FunctionLowering, op: arith.ExtFOp | arith.TruncFOp) -> None:
    """`arith.extf`/`truncf` as `fpext`/`fptrunc`, through f32 where LLVM would need a
    compiler-rt call or round twice (the module docstring)."""
    value = fl.get(op.operands[0])
    target = lower_type(op.results[0].type)
    src, dst = element_type(value.type), element_type(target)
    narrow = (Float16Type, BFloat16Type)
    f32 = Float32Type()
    if isinstance(src, Float64Type) and isinstance(dst, narrow):
        value = _round_to_odd_f32(fl, value)
        src = f32
    elif isinstance(src, narrow) and isinstance(dst, Float64Type | Float16Type | BFloat16Type):
        value = fl.emit(llvm.FPExtOp(value, _with_element(target, f32)))
        src = f32
    if src == dst:
        fl.values[op.results[0]] = value
    elif byte_size(dst) > byte_size(src):
        fl.values[op.results[0]] = fl.emit(llvm.FPExtOp(value, target))
    else:
        fl.values[op.results[0]] = fl.emit(llvm.FPTruncOp(value, target))


def _int_cast(cls: type[llvm.TruncOp | llvm.ZExtOp | llvm.SExtOp]):
    def lower(fl: _FunctionLowering, op: Operation) -> None:
        fl.values[op.results[0]] = fl.emit(
            cls(fl.get(op.operands[0]), lower_type(op.results[0].type))
        )

    return lower


def _fpowi(fl: _FunctionLowering, op: math.FPowIOp) -> None:
    """`math.fpowi` -> a call of the helper `__zg_powi_<float>_<int>` (square and multiply;
    `llvm.powi` would need compiler-rt's `__powisf2`, which the JIT does not have)."""
    t = lower_type(op.result.type)
    power = fl.get(op.rhs)
    fl.values[op.result] = fl.helper_call(
        f"__zg_powi_{type_suffix(t)}_{type_suffix(power.type)}", [fl.get(op.lhs), power], t
    )


def _mem_align(t: Attribute) -> int:
    return byte_size(element_type(t))


def _stored(t: Attribute) -> Attribute:
    """How a value of (lowered) type `t` is held in memory: an `i1` (or a vector of them) as
    a byte per element, 0 or 1 (numpy's bool), since LLVM packs `<N x i1>` into bits."""
    if element_type(t) != i1:
        return t
    return VectorType(i8, t.get_shape()) if isinstance(t, VectorType) else i8


def _from_memory(fl: _FunctionLowering, value: SSAValue, t: Attribute) -> SSAValue:
    """A value of type `t` read from memory as `_stored(t)`."""
    return value if _stored(t) == t else fl.emit(llvm.TruncOp(value, t))


def _to_memory(fl: _FunctionLowering, value: SSAValue) -> SSAValue:
    """`value` as it is held in memory (`_stored`)."""
    stored = _stored(value.type)
    return value if stored == value.type else fl.emit(llvm.ZExtOp(value, stored))


def _load(fl: _FunctionLowering, op: memref.LoadOp) -> None:
    ptr = fl.element_ptr(op.memref, op.memref.type, op.indices)
    t = lower_type(op.res.type)
    raw = fl.emit(llvm.LoadOp(ptr, _stored(t), alignment=_mem_align(t)))
    fl.values[op.res] = _from_memory(fl, raw, t)


def _store(fl: _FunctionLowering, op: memref.StoreOp) -> None:
    ptr = fl.element_ptr(op.memref, op.memref.type, op.indices)
    value = _to_memory(fl, fl.get(op.value))
    fl.emit0(llvm.StoreOp(value, ptr, alignment=_mem_align(op.value.type)))


def _memref_bytes(t: Attribute) -> int:
    assert isinstance(t, MemRefType)
    n = 1
    for d in t.get_shape():
        if d < 0:
            raise LoweringError(f"convert-to-llvm: memrefs must be statically shaped, got {t}")
        n *= d
    return n * byte_size(t.element_type)


def _alloc(fl: _FunctionLowering, op: memref.AllocOp) -> None:
    size = _memref_bytes(op.memref.type)
    size = max(
        MALLOC_ALIGNMENT, (size + MALLOC_ALIGNMENT - 1) // MALLOC_ALIGNMENT * MALLOC_ALIGNMENT
    )
    fl.state.declare("aligned_alloc", [i64, i64], PTR)
    fl.values[op.memref] = fl.emit(
        llvm.CallOp("aligned_alloc", fl.index(MALLOC_ALIGNMENT), fl.index(size), return_type=PTR)
    )


def _alloca(fl: _FunctionLowering, op: memref.AllocaOp) -> None:
    fl.values[op.memref] = fl.alloca_bytes(max(_memref_bytes(op.memref.type), 1), MALLOC_ALIGNMENT)


def _view(fl: _FunctionLowering, op: memref.CollapseShapeOp | memref.ExpandShapeOp) -> None:
    """A reshaped view of a row-major memref: the same address (its type gives the strides)."""
    fl.values[op.result] = fl.get(op.src)


def _dealloc(fl: _FunctionLowering, op: memref.DeallocOp) -> None:
    fl.state.declare("free", [PTR], None)
    fl.emit0(llvm.CallOp("free", fl.get(op.memref)))


def _vload(fl: _FunctionLowering, op: vector.LoadOp) -> None:
    ptr = fl.element_ptr(op.base, op.base.type, op.indices)
    t = lower_type(op.result.type)
    raw = fl.emit(llvm.LoadOp(ptr, _stored(t), alignment=_mem_align(t)))
    fl.values[op.result] = _from_memory(fl, raw, t)


def _vstore(fl: _FunctionLowering, op: vector.StoreOp) -> None:
    ptr = fl.element_ptr(op.base, op.base.type, op.indices)
    value = _to_memory(fl, fl.get(op.vector))
    fl.emit0(llvm.StoreOp(value, ptr, alignment=_mem_align(op.vector.type)))


def _maskedload(fl: _FunctionLowering, op: vector.MaskedLoadOp) -> None:
    ptr = fl.element_ptr(op.base, op.base.type, op.indices)
    t = lower_type(op.result.type)
    stored = _stored(t)
    align = fl.const_int(_mem_align(t), i32)
    raw = fl.intrinsic(
        f"llvm.masked.load.{type_suffix(stored)}.p0",
        [ptr, align, fl.get(op.mask), _to_memory(fl, fl.get(op.pass_thru))],
        stored,
    )
    fl.values[op.result] = _from_memory(fl, raw, t)


def _maskedstore(fl: _FunctionLowering, op: vector.MaskedStoreOp) -> None:
    ptr = fl.element_ptr(op.base, op.base.type, op.indices)
    value = _to_memory(fl, fl.get(op.value_to_store))
    align = fl.const_int(_mem_align(op.value_to_store.type), i32)
    fl.intrinsic(
        f"llvm.masked.store.{type_suffix(value.type)}.p0",
        [value, ptr, align, fl.get(op.mask)],
        None,
    )


def _create_mask(fl: _FunctionLowering, op: vector.CreateMaskOp) -> None:
    t = op.mask_vector.type
    assert isinstance(t, VectorType)
    if t.get_num_dims() != 1 or len(op.mask_dim_sizes) != 1:
        raise LoweringError("convert-to-llvm: only 1-D masks are supported")
    n = t.get_shape()[0]
    vt = VectorType(i64, [n])
    lanes = fl.emit(llvm.ConstantOp(DenseIntOrFPElementsAttr.from_list(vt, list(range(n))), vt))
    bound = fl.splat(fl.get(op.mask_dim_sizes[0]), vt)
    fl.values[op.mask_vector] = fl.cmpi("slt", lanes, bound)


def _broadcast(fl: _FunctionLowering, op: vector.BroadcastOp) -> None:
    t = op.vector.type
    assert isinstance(t, VectorType)
    src = fl.get(op.source)
    if isinstance(src.type, VectorType):
        if src.type != t:
            raise LoweringError(f"convert-to-llvm: cannot broadcast {src.type} to {t}")
        fl.values[op.vector] = src
        return
    fl.values[op.vector] = fl.splat(src, t)


def _vfma(fl: _FunctionLowering, op: vector.FMAOp) -> None:
    t = lower_type(op.res.type)
    fl.values[op.res] = fl.intrinsic(
        f"llvm.fma.{type_suffix(t)}", [fl.get(op.lhs), fl.get(op.rhs), fl.get(op.acc)], t
    )


def _reduction(fl: _FunctionLowering, op: vector.ReductionOp) -> None:
    v = fl.get(op.vector)
    t = lower_type(op.dest.type)
    vt = v.type
    kind = op.kind.data.value
    if kind == "add":
        start = fl.get(op.acc) if op.acc is not None else fl.const_float(-0.0, t)
        fl.values[op.dest] = fl.intrinsic(
            f"llvm.vector.reduce.fadd.{type_suffix(vt)}", [start, v], t, REASSOC
        )
        return
    if kind in ("maximumf", "minimumf"):
        which = "fmaximum" if kind == "maximumf" else "fminimum"
        r = fl.intrinsic(f"llvm.vector.reduce.{which}.{type_suffix(vt)}", [v], t)
        if op.acc is not None:
            scalar = "llvm.maximum" if kind == "maximumf" else "llvm.minimum"
            r = fl.intrinsic(f"{scalar}.{type_suffix(t)}", [r, fl.get(op.acc)], t)
        fl.values[op.dest] = r
        return
    raise LoweringError(f"convert-to-llvm: vector.reduction <{kind}> is not supported")


def _extract(fl: _FunctionLowering, op: vector.ExtractOp) -> None:
    if op.dynamic_position:
        raise LoweringError("convert-to-llvm: vector.extract needs a constant position")
    (pos,) = op.static_position.get_values()
    v = fl.get(op.vector)
    t = lower_type(op.result.type)
    fl.values[op.result] = fl.helper_call(
        f"__zg_extract_{type_suffix(v.type)}", [v, fl.index(pos)], t
    )


def _math_fma(fl: _FunctionLowering, op: math.FmaOp) -> None:
    t = lower_type(op.result.type)
    fl.values[op.result] = fl.intrinsic(
        f"llvm.fma.{type_suffix(t)}", [fl.get(v) for v in op.operands], t
    )


def _call(fl: _FunctionLowering, op: func.CallOp) -> None:
    if len(op.res) > 1:
        raise LoweringError("convert-to-llvm: calls with several results are not supported")
    ret = lower_type(op.res[0].type) if op.res else None
    call = llvm.CallOp(
        op.callee.string_value(), *[fl.get(v) for v in op.arguments], return_type=ret
    )
    fl.emit0(call)
    if op.res:
        fl.values[op.res[0]] = call.results[0]


def _return(fl: _FunctionLowering, op: func.ReturnOp) -> None:
    if len(op.arguments) > 1:
        raise LoweringError("convert-to-llvm: functions with several results are not supported")
    fl.emit0(llvm.ReturnOp(fl.get(op.arguments[0]) if op.arguments else None))


_HANDLERS: dict[type[Operation], Callable[[_FunctionLowering, Any], None]] = {
    arith.ConstantOp: _constant,
    arith.AddfOp: _float_binop(llvm.FAddOp),
    arith.SubfOp: _float_binop(llvm.FSubOp),
    arith.MulfOp: _float_binop(llvm.FMulOp),
    arith.DivfOp: _float_binop(llvm.FDivOp),
    arith.MaximumfOp: _intrinsic_op("llvm.maximum"),
    arith.MinimumfOp: _intrinsic_op("llvm.minimum"),
    arith.NegfOp: _negf,
    arith.CmpfOp: _cmpf,
    arith.SelectOp: _select,
    arith.AddiOp: _int_binop(llvm.AddOp),
    arith.SubiOp: _int_binop(llvm.SubOp),
    arith.MuliOp: _int_binop(llvm.MulOp),
    arith.DivSIOp: _int_binop(llvm.SDivOp),
    arith.RemSIOp: _int_binop(llvm.SRemOp),
    arith.FloorDivSIOp: _floordivsi,
    arith.MinSIOp: _minmaxsi(False),
    arith.MaxSIOp: _minmaxsi(True),
    arith.DivUIOp: _int_binop(llvm.UDivOp),
    arith.RemUIOp: _int_binop(llvm.URemOp),
    arith.AndIOp: _int_binop(llvm.AndOp),
    arith.OrIOp: _int_binop(llvm.OrOp),
    arith.XOrIOp: _int_binop(llvm.XOrOp),
    arith.ShLIOp: _int_binop(llvm.ShlOp),
    arith.ShRSIOp: _int_binop(llvm.AShrOp),
    arith.ShRUIOp: _int_binop(llvm.LShrOp),
    arith.ExtSIOp: _int_cast(llvm.SExtOp),
    arith.ExtUIOp: _int_cast(llvm.ZExtOp),
    arith.TruncIOp: _int_cast(llvm.TruncOp),
    arith.CmpiOp: _cmpi,
    arith.IndexCastOp: _index_cast,
    arith.SIToFPOp: _cast(llvm.SIToFPOp),
    arith.ExtFOp: _float_cast,
    arith.TruncFOp: _float_cast,
    **{_MATH_CLASSES[name]: _math_op(row) for name, row in optable.MATH_OPS.items()},
    math.FmaOp: _math_fma,
    math.FPowIOp: _fpowi,
    memref.LoadOp: _load,
    memref.StoreOp: _store,
    memref.AllocOp: _alloc,
    memref.AllocaOp: _alloca,
    memref.DeallocOp: _dealloc,
    memref.CollapseShapeOp: _view,
    memref.ExpandShapeOp: _view,
    vector.LoadOp: _vload,
    vector.StoreOp: _vstore,
    vector.MaskedLoadOp: _maskedload,
    vector.MaskedStoreOp: _maskedstore,
    vector.CreateMaskOp: _create_mask,
    vector.BroadcastOp: _broadcast,
    vector.FMAOp: _vfma,
    vector.ReductionOp: _reduction,
    vector.ExtractOp: _extract,
    func.CallOp: _call,
    func.ReturnOp: _return,
    zloop.CmpfOp: _cmpf,
    zloop.SelectOp: _select,
    zloop.ForOp: _FunctionLowering.lower_for,
    zloop.ParallelOp: _FunctionLowering.lower_parallel,
    scf.ForOp: _FunctionLowering.lower_scf_for,
    scf.IfOp: _FunctionLowering.lower_if,
}


def has_lowering(op: Operation) -> bool:
    """Whether `convert-to-llvm` lowers ops of `op`'s kind (its per-op table has them)."""
    return type(op) in _HANDLERS


def lower_function(state: _ModuleState, fn: func.FuncOp) -> llvm.FuncOp:
    """The `llvm.func` of one `func.func` (a declaration when it has no body)."""
    inputs = [lower_type(t) for t in fn.function_type.inputs]
    outputs = [lower_type(t) for t in fn.function_type.outputs]
    if len(outputs) > 1:
        raise LoweringError(f"convert-to-llvm: @{fn.sym_name.data} returns several values")
    output = outputs[0] if outputs else None
    is_private = fn.sym_visibility is not None and fn.sym_visibility.data == "private"
    name = fn.sym_name.data
    if not fn.body.blocks:
        decl = llvm.FuncOp(
            name, llvm.LLVMFunctionType(inputs, output), linkage=llvm.LinkageAttr("external")
        )
        return decl
    entry = Block(arg_types=inputs)
    fl = _FunctionLowering(state, name, entry)
    if len(fn.body.blocks) != 1:
        raise LoweringError(f"convert-to-llvm: @{name} must have a single block")
    for old, new in zip(fn.body.block.args, entry.args, strict=True):
        fl.values[old] = new
    fl.lower_ops(fn.body.block)
    linkage = "internal" if is_private else "external"
    new_fn = llvm.FuncOp(
        name,
        llvm.LLVMFunctionType(inputs, output),
        linkage=llvm.LinkageAttr(linkage),
        body=Region(fl.blocks),
    )
    new_fn.properties["arg_attrs"] = _arg_attrs(inputs)
    return new_fn


def convert_module_to_llvm(module: ModuleOp) -> None:
    """Replace every `func.func` of `module` by its `llvm.func` (in place)."""
    state = _ModuleState(module)
    new_ops: list[Operation] = []
    defined: set[str] = set()
    for op in list(module.ops):
        if isinstance(op, func.FuncOp):
            new_ops.append(lower_function(state, op))
            defined.add(op.sym_name.data)
        elif isinstance(op, llvm.FuncOp | llvm.GlobalOp):
            new_ops.append(op.clone())
            defined.add(op.sym_name.data)
        else:
            raise LoweringError(f"convert-to-llvm: cannot lower top-level '{op.name}'")
    new_ops.extend(state.new_funcs)
    new_ops.extend(d for name, d in state.declared.items() if name not in defined)
    for op in list(module.ops):
        op.detach()
        op.erase()
    module.body.block.add_ops(new_ops)


@dataclass(frozen=True)
class ConvertToLLVMPass(ModulePass):
    """Lower func/zloop/scf/arith/math/memref/vector to the `llvm` dialect (see module doc)."""

    name = "convert-to-llvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        convert_module_to_llvm(op)
