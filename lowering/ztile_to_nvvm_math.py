"""Scalar f32 math of `ztile-to-nvvm`: the `optable.Scalars` builder that elementwise ops
expand into, in LLVM IR for NVPTX.

NVPTX has no libm. `exp`/`log`/`tanh`/`erf` are the polynomial emitters of the CPU path
(`ziggurat.lowering.llvm_math`, target-independent: they use only `fma`, `rint`, `fabs` and
`copysign` intrinsics); sqrt is `llvm.sqrt.f32` (`sqrt.rn.f32`), rsqrt `1 / sqrt(x)` (not the
approximate `rsqrt.approx`), maximum/minimum the NaN-propagating `llvm.maximum/minimum`, and
pow is built from exp and log with numpy's sign and special cases (`emit_pow`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from llvmlite import ir

from ziggurat.lowering.llvm_math import EMITTERS

if TYPE_CHECKING:
    from ziggurat.lowering.ztile_to_nvvm_kernel import KernelBuilder

F32 = ir.FloatType()
I32 = ir.IntType(32)


class Scalars:
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


__all__ = ["Scalars", "emit_pow", "fcmp"]
