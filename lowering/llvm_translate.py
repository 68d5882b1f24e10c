"""Translate the `llvm` dialect to LLVM IR text with llvmlite.

Builds on `xdsl.backend.llvm.convert` (function declarations with argument attributes such
as `noalias`, and its per-op table `convert_op`) and extends it with:

- `llvm.call_intrinsic` with fast-math flags (xDSL rejects them), e.g. a `reassoc`
  `llvm.vector.reduce.fadd.v16f32`, and intrinsics declared by their mangled name
  (`llvm.fma.v16f32`, `llvm.maximum.v8f64`, `llvm.masked.load.v16f32.p0`, ...);
- bodies for the helper functions `convert-to-llvm` declares as `__zg_<what>_<type>`: the
  math functions of `ziggurat.lowering.llvm_math.EMITTERS` (`exp`/`log`/`tanh`, ...:
  polynomials), `powi` (`math.fpowi`: a square-and-multiply loop), `fcmp_<pred>`, `select`
  and `extract` on vectors. They are internal and
  `alwaysinline`.

- the `bfloat` type (bf16 elements), which llvmlite 0.50 lacks: `BFloatType`, registered
  with xDSL's type conversion (its table of converters) when this module is imported.

`translate_module(module)` returns the IR text without target triple and data layout (the
runtime sets those for the machine it compiles for); `lower_to_llvm_ir(module)` first runs
`convert-to-llvm` on a copy of the module. Optimizing and emitting code is the runtime's job
(`ziggurat.runtime.compiler`, the one LLVM backend).
"""

from __future__ import annotations

import re
import struct
from typing import cast

import numpy as np
from llvmlite import ir
from llvmlite.ir import instructions
from llvmlite.ir.types import _BaseFloatType
from xdsl.backend.llvm import convert_type as _convert_type_module
from xdsl.backend.llvm.convert import _convert_global, _declare_func
from xdsl.backend.llvm.convert_op import convert_op
from xdsl.backend.llvm.convert_type import convert_type
from xdsl.dialects import llvm
from xdsl.dialects.builtin import BFloat16Type, ModuleOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.utils.exceptions import LLVMTranslationException

from ziggurat.lowering.convert_to_llvm import convert_module_to_llvm
from ziggurat.lowering.llvm_math import EMITTERS


class BFloatType(_BaseFloatType):
    """LLVM's `bfloat` (bf16) for llvmlite, which has only `half`, `float` and `double`:
    printed as `bfloat`, constants as `0xR` and the four hex digits of their bits (rounded to
    nearest even from the value, as `ml_dtypes.bfloat16` rounds)."""

    null = "0.0"
    intrinsic_name = "bf16"

    def __str__(self) -> str:
        return "bfloat"

    def format_constant(self, value: float) -> str:
        import ml_dtypes  # on first use: its import takes over a second

        bits = struct.unpack("<H", np.asarray(value, dtype=ml_dtypes.bfloat16).tobytes())[0]
        return f"0xR{bits:04X}"


BFloatType._create_instance()
_convert_type_module._TYPE_CONVERTERS.setdefault(BFloat16Type, lambda _: BFloatType())

_HELPER = re.compile(
    rf"^__zg_(?P<what>{'|'.join(EMITTERS)}|powi|select|extract|fcmp_(?P<pred>[a-z]+))_(?P<type>\w+)$"
)


def _convert_call_intrinsic(
    op: llvm.CallIntrinsicOp, builder: ir.IRBuilder, values: dict[SSAValue, ir.Value]
) -> None:
    args = [values[a] for a in op.args]
    ret = convert_type(op.ress.type) if op.ress is not None else ir.VoidType()
    name = op.intrin.data
    module = builder.module
    if name in module.globals:
        fn = cast(ir.Function, module.globals[name])
    else:
        fn = ir.Function(module, ir.FunctionType(ret, [a.type for a in args]), name=name)
    flags = [f.value for f in op.fastmathFlags.data]
    result = builder.call(fn, args, fastmath=flags if isinstance(ret, _FLOATS) else ())
    if op.ress is not None:
        values[op.ress] = result


_FLOATS = (ir.HalfType, BFloatType, ir.FloatType, ir.DoubleType, ir.VectorType)


def _convert_op(
    op: Operation,
    builder: ir.IRBuilder,
    values: dict[SSAValue, ir.Value],
    blocks: dict[Block, ir.Block],
) -> None:
    if isinstance(op, llvm.CallIntrinsicOp):
        _convert_call_intrinsic(op, builder, values)
    elif isinstance(op, llvm.StoreOp):
        # llvmlite checks typed pointees (an i8 GEP into a context buffer holding a ptr fails).
        store = instructions.StoreInstr(builder.block, values[op.value], values[op.ptr])
        if op.alignment is not None:
            store.align = op.alignment.value.data
        builder._insert(store)
    else:
        convert_op(op, builder, values, blocks)


def _convert_body(op: llvm.FuncOp, module: ir.Module) -> None:
    fn = cast(ir.Function, module.get_global(op.sym_name.data))
    blocks: dict[Block, ir.Block] = {}
    values: dict[SSAValue, ir.Value] = {}
    for i, block in enumerate(op.body.blocks):
        blocks[block] = fn.append_basic_block(name=block.name_hint or f"bb{i}")
        if i == 0:
            for arg, llvm_arg in zip(block.args, fn.args, strict=True):
                values[arg] = llvm_arg
    for i, block in enumerate(op.body.blocks):
        if i and block.args:
            builder = ir.IRBuilder(blocks[block])
            for arg in block.args:
                values[arg] = builder.phi(convert_type(arg.type))
    for block in op.body.blocks:
        builder = ir.IRBuilder(blocks[block])
        if blocks[block].instructions:
            builder.position_after(blocks[block].instructions[-1])
        for inner in block.ops:
            _convert_op(inner, builder, values, blocks)


def _define_helper(fn: ir.Function) -> None:
    """Give a `__zg_*` helper declaration its body."""
    m = _HELPER.match(fn.name)
    if m is None:
        raise LLVMTranslationException(f"unknown Ziggurat helper function @{fn.name}")
    what = m.group("what")
    fn.linkage = "internal"
    fn.attributes.add("alwaysinline")
    fn.attributes.add("nounwind")
    builder = ir.IRBuilder(fn.append_basic_block("entry"))
    args = list(fn.args)
    if what in EMITTERS:
        builder.ret(EMITTERS[what](builder, args[0]))
    elif what == "powi":
        _define_powi(fn, builder)
    elif what == "select":
        builder.ret(builder.select(args[0], args[1], args[2]))
    elif what == "extract":
        builder.ret(builder.extract_element(args[0], args[1]))
    else:
        pred = m.group("pred")
        assert pred is not None
        if pred in ("false", "true"):
            lanes = cast(ir.VectorType, args[0].type).count
            value = 1 if pred == "true" else 0
            builder.ret(ir.Constant(ir.VectorType(ir.IntType(1), lanes), [value] * lanes))
            return
        ops = {
            "eq": "==",
            "gt": ">",
            "ge": ">=",
            "lt": "<",
            "le": "<=",
            "ne": "!=",
            "rd": "ord",
            "no": "uno",
        }
        cmp = builder.fcmp_ordered if pred[0] == "o" else builder.fcmp_unordered
        builder.ret(cmp(ops[pred[1:]], args[0], args[1]))


def _define_powi(fn: ir.Function, builder: ir.IRBuilder) -> None:
    """`x ** n` for a float `x` and an integer `n` by squaring and multiplying (compiler-rt's
    `__powisf2` order: r *= x for each set bit of |n|, lowest first, x *= x between), then
    1 / r for a negative `n`."""
    x, n = fn.args
    one = ir.Constant(x.type, 1.0)
    negative = builder.icmp_signed("<", n, ir.Constant(n.type, 0))
    magnitude = builder.select(negative, builder.neg(n), n)
    entry = builder.block
    head, body, done = (fn.append_basic_block(name) for name in ("head", "body", "done"))
    builder.branch(head)
    builder.position_at_end(head)
    result = builder.phi(x.type)
    base = builder.phi(x.type)
    bits = builder.phi(n.type)
    builder.cbranch(builder.icmp_unsigned("==", bits, ir.Constant(n.type, 0)), done, body)
    builder.position_at_end(body)
    odd = builder.trunc(bits, ir.IntType(1))
    next_result = builder.select(odd, builder.fmul(result, base), result)
    next_base = builder.fmul(base, base)
    next_bits = builder.lshr(bits, ir.Constant(n.type, 1))
    builder.branch(head)
    for phi, start, step in (
        (result, one, next_result),
        (base, x, next_base),
        (bits, magnitude, next_bits),
    ):
        phi.add_incoming(start, entry)
        phi.add_incoming(step, body)
    builder.position_at_end(done)
    builder.ret(builder.select(negative, builder.fdiv(one, result), result))


def translate_to_llvmlite(module: ModuleOp) -> ir.Module:
    """The llvmlite module of a module holding only `llvm.func`/`llvm.global` ops."""
    llvm_module = ir.Module()
    llvm_module.triple = ""
    funcs: list[llvm.FuncOp] = []
    for op in module.ops:
        if isinstance(op, llvm.GlobalOp):
            _convert_global(op, llvm_module)
        elif isinstance(op, llvm.FuncOp):
            funcs.append(op)
        else:
            raise LLVMTranslationException(
                f"cannot translate '{op.name}' to LLVM IR (run convert-to-llvm first)"
            )
    for op in funcs:
        _declare_func(op, llvm_module)
        if op.linkage.linkage.data == "internal" and op.body.blocks:
            cast(ir.Function, llvm_module.get_global(op.sym_name.data)).linkage = "internal"
    for op in funcs:
        if op.body.blocks:
            _convert_body(op, llvm_module)
        elif op.sym_name.data.startswith("__zg_"):
            _define_helper(cast(ir.Function, llvm_module.get_global(op.sym_name.data)))
    return llvm_module


def translate_module(module: ModuleOp) -> str:
    """LLVM IR text of an `llvm`-dialect module, without target triple and data layout."""
    text = str(translate_to_llvmlite(module))
    return (
        "\n".join(
            line
            for line in text.splitlines()
            if not line.startswith(("target triple", "target datalayout"))
        )
        + "\n"
    )


def lower_to_llvm_ir(module: ModuleOp) -> str:
    """Run `convert-to-llvm` on a copy of `module` and translate it to LLVM IR text."""
    copy = module.clone()
    convert_module_to_llvm(copy)
    copy.verify()
    return translate_module(copy)
