"""Branch-free polynomial `exp`, `log`, `tanh` and `erf` emitted as LLVM IR (llvmlite), for
scalars and vectors of f32/f64, so that loops calling them vectorize.

Each `emit_*` takes an `llvmlite.ir.IRBuilder` and a float or float-vector value and returns
the result value. Only straight-line code is emitted (selects instead of branches).

- `exp`: x = n*ln2 + r with n = rint(x/ln2) and ln2 split in two parts (Cody-Waite),
  exp(r) by a polynomial on |r| <= ln2/2 (f32: Cephes `expf` degree 7; f64: Taylor to degree
  13), scaled by 2^n built from exponent bits in two halves so that subnormal results and
  overflow to +inf come out right. Inputs are clamped to [-104, 89] (f32) / [-746, 710] (f64)
  first; NaN is passed through.
- `log`: x = m * 2^e with m in [sqrt(1/2), sqrt(2)) (subnormals are scaled by 2^24 / 2^54
  first), log(m) = 2 atanh(s) with s = (m-1)/(m+1), an odd series in s (f32: to s^11;
  f64: to s^23), plus e*ln2 in two parts. log(0) = -inf, log(x<0) = NaN, log(inf) = inf.
- `tanh`: |x| < 0.625 an odd minimax polynomial (f32, Cephes `tanhf`) or rational
  function (f64, Cephes `tanh`); otherwise sign(x) * (1 - 2/(exp(2|x|)+1)), which saturates
  to +-1 (exp overflows to inf for large |x|).

- `erf` (LLVM has no intrinsic for it): |x| < 0.921875 a polynomial x + x*P(x^2) (f32:
  degree 5 in x^2; f64: 11); otherwise 1 - exp(R(|x| - 0.921875)) with R a polynomial
  approximating log(erfc) (f32: degree 6 up to |x| = 4; f64: 17 up to 6; |x| is clamped
  there, erf rounds to +-1 beyond), with the sign of x. NaN is passed through, erf(-0.0) is
  -0.0. Max error over a dense sweep (tests/pytest/test_convert_to_llvm.py): 1.0 ulp (f32,
  7.8e-8 relative) and 1.1 ulp (f64, 2.2e-16).

The f64 versions are polynomials too (higher degree), not libm calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from llvmlite import ir
from xdsl.backend.llvm.convert_op import declare_intrinsic

_F32_EXP_POLY = (
    1.9875691500e-4,
    1.3981999507e-3,
    8.3334519073e-3,
    4.1665795894e-2,
    1.6666665459e-1,
    5.0000001201e-1,
)
_F32_TANH_POLY = (
    -5.70498872745e-3,
    2.06390887954e-2,
    -5.37397155531e-2,
    1.33314422036e-1,
    -3.33332819422e-1,
)
_F64_TANH_P = (-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3)
_F64_TANH_Q = (1.0, 1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3)

LN2_HI_F64 = 6.93147180369123816490e-01
LN2_LO_F64 = 1.90821492927058770002e-10
LN2_HI_F32 = 0.693359375
LN2_LO_F32 = -2.12194440e-4
LOG2E = 1.4426950408889634


class _Emitter:
    """Helpers bound to one builder and one float (or float vector) type."""

    def __init__(self, builder: ir.IRBuilder, t: ir.Type) -> None:
        self.b = builder
        self.t = t
        elem = t.element if isinstance(t, ir.VectorType) else t
        self.is_f64 = isinstance(elem, ir.DoubleType)
        self.count = t.count if isinstance(t, ir.VectorType) else None
        bits = 64 if self.is_f64 else 32
        self.int_elem = ir.IntType(bits)
        self.it: ir.Type = ir.VectorType(self.int_elem, self.count) if self.count else self.int_elem
        self.mant_bits = 52 if self.is_f64 else 23
        self.bias = 1023 if self.is_f64 else 127

    def c(self, value: float) -> ir.Constant:
        if self.count:
            elem = cast(ir.VectorType, self.t).element
            return ir.Constant(self.t, [ir.Constant(elem, value)] * self.count)
        return ir.Constant(self.t, value)

    def ci(self, value: int) -> ir.Constant:
        if self.count:
            return ir.Constant(self.it, [ir.Constant(self.int_elem, value)] * self.count)
        return ir.Constant(self.it, value)

    def intr(self, name: str, args: Sequence[ir.Value]) -> ir.Value:
        fnty = ir.FunctionType(self.t, [self.t] * len(args))
        fn = declare_intrinsic(self.b.module, name, self.t, fnty)
        return self.b.call(fn, list(args))

    def fma(self, a: ir.Value, b: ir.Value, c: ir.Value) -> ir.Value:
        return self.intr("llvm.fma", [a, b, c])

    def horner(self, x: ir.Value, coeffs: Sequence[float]) -> ir.Value:
        acc: ir.Value = self.c(coeffs[0])
        for coef in coeffs[1:]:
            acc = self.fma(acc, x, self.c(coef))
        return acc

    def fcmp(self, op: str, a: ir.Value, b: ir.Value, ordered: bool = True) -> ir.Value:
        return (self.b.fcmp_ordered if ordered else self.b.fcmp_unordered)(op, a, b)

    def isnan(self, x: ir.Value) -> ir.Value:
        return self.b.fcmp_unordered("uno", x, x)

    def pow2i(self, k: ir.Value) -> ir.Value:
        """2^k for an integer vector k in the normal exponent range."""
        biased = self.b.add(k, self.ci(self.bias))
        return self.b.bitcast(self.b.shl(biased, self.ci(self.mant_bits)), self.t)


def emit_exp(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    """exp(x), elementwise."""
    e = _Emitter(builder, x.type)
    b = builder
    lo, hi = (-746.0, 710.0) if e.is_f64 else (-104.0, 89.0)
    xc = b.select(e.fcmp(">", x, e.c(hi)), e.c(hi), x)
    xc = b.select(e.fcmp("<", xc, e.c(lo), ordered=False), e.c(lo), xc)  # NaN -> lo
    n = e.intr("llvm.rint", [b.fmul(xc, e.c(LOG2E))])
    ln2_hi, ln2_lo = (LN2_HI_F64, LN2_LO_F64) if e.is_f64 else (LN2_HI_F32, LN2_LO_F32)
    r = e.fma(n, e.c(-ln2_hi), xc)
    r = e.fma(n, e.c(-ln2_lo), r)
    if e.is_f64:
        taylor = [1.0]
        for k in range(1, 14):
            taylor.append(taylor[-1] / k)
        p = e.horner(r, list(reversed(taylor)))
    else:
        r2 = b.fmul(r, r)
        p = e.horner(r, _F32_EXP_POLY)
        p = e.fma(p, r2, b.fadd(r, e.c(1.0)))
    ni = b.fptosi(n, e.it)
    k1 = b.ashr(ni, e.ci(1))
    k2 = b.sub(ni, k1)
    result = b.fmul(b.fmul(p, e.pow2i(k1)), e.pow2i(k2))
    return b.select(e.isnan(x), x, result)


def emit_log(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    """log(x), elementwise."""
    e = _Emitter(builder, x.type)
    b = builder
    min_normal = 2.0**-1022 if e.is_f64 else 2.0**-126
    scale_bits = 54 if e.is_f64 else 24
    tiny = e.fcmp("<", x, e.c(min_normal))
    xs = b.select(tiny, b.fmul(x, e.c(2.0**scale_bits)), x)
    bits = b.bitcast(xs, e.it)
    exponent = b.sub(b.lshr(bits, e.ci(e.mant_bits)), e.ci(e.bias))
    exponent = b.sub(exponent, b.select(tiny, e.ci(scale_bits), e.ci(0)))
    mant_mask = (1 << e.mant_bits) - 1
    m_bits = b.or_(b.and_(bits, e.ci(mant_mask)), e.ci(e.bias << e.mant_bits))
    m = b.bitcast(m_bits, e.t)
    big = e.fcmp(">", m, e.c(2.0**0.5))
    m = b.select(big, b.fmul(m, e.c(0.5)), m)
    exponent = b.add(exponent, b.select(big, e.ci(1), e.ci(0)))
    f = b.fsub(m, e.c(1.0))
    s = b.fdiv(f, b.fadd(m, e.c(1.0)))
    z = b.fmul(s, s)
    terms = 12 if e.is_f64 else 6
    coeffs = [1.0 / (2 * k + 1) for k in reversed(range(1, terms))]
    poly = e.horner(z, coeffs)  # s^2/3 + s^4/5 + ... as z * poly(z)
    # log(m) = 2s + 2s*z*poly = f - s*(f - z*2*poly... ) written as 2s + 2s z poly
    two_s = b.fadd(s, s)
    log_m = e.fma(b.fmul(two_s, z), poly, two_s)
    ef = b.sitofp(exponent, e.t)
    ln2_hi, ln2_lo = (LN2_HI_F64, LN2_LO_F64) if e.is_f64 else (LN2_HI_F32, LN2_LO_F32)
    result = e.fma(ef, e.c(ln2_hi), e.fma(ef, e.c(ln2_lo), log_m))
    inf = float("inf")
    result = b.select(e.fcmp("==", x, e.c(0.0)), e.c(-inf), result)
    result = b.select(e.fcmp("<", x, e.c(0.0)), e.c(float("nan")), result)
    result = b.select(e.fcmp("==", x, e.c(inf)), e.c(inf), result)
    return b.select(e.isnan(x), x, result)


def emit_tanh(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    """tanh(x), elementwise."""
    e = _Emitter(builder, x.type)
    b = builder
    ax = e.intr("llvm.fabs", [x])
    z = b.fmul(x, x)
    if e.is_f64:
        num = e.horner(z, _F64_TANH_P)
        den = e.horner(z, _F64_TANH_Q)
        small = e.fma(b.fmul(x, z), b.fdiv(num, den), x)
    else:
        small = e.fma(b.fmul(x, z), e.horner(z, _F32_TANH_POLY), x)
    # tanh is odd: the sign of x, which the polynomial loses at x = -0.0 (x*z*p(0) + x is
    # +0.0 + -0.0 = +0.0 since p(0) < 0).
    small = e.intr("llvm.copysign", [small, x])
    ex = emit_exp(builder, b.fadd(ax, ax))
    large = b.fsub(e.c(1.0), b.fdiv(e.c(2.0), b.fadd(ex, e.c(1.0))))
    large = e.intr("llvm.copysign", [large, x])
    result = b.select(e.fcmp("<", ax, e.c(0.625)), small, large)
    return b.select(e.isnan(x), x, result)


# erf: |x| < ERF_SPLIT: x + x*P(x^2); above: 1 - exp(R(min(|x|, TMAX) - ERF_SPLIT)), R ~ log erfc
# (erf rounds to 1 beyond TMAX; the subtraction is exact near the split, where erf is most
# sensitive to R). Coefficients: minimax fits of the relative error of erf on [0, ERF_SPLIT]
# and [ERF_SPLIT, TMAX], highest degree first, rounded to the type.
ERF_SPLIT = 0.921875
_F32_ERF_SMALL = (
    -0.0005991611978970468, 0.0049933576956391335, -0.026766767725348473,
    0.11281821876764297, -0.37612494826316833, 0.12837915122509003,
)  # fmt: skip
_F32_ERF_LARGE = (
    0.0001957329222932458, -0.0019585576374083757, 0.010695978999137878, -0.044761572033166885,
    -0.8330002427101135, -2.508011817932129, -1.648561954498291,
)  # fmt: skip
_F32_ERF_TMAX = 4.0
_F64_ERF_SMALL = (
    -8.329686488110345e-10, 1.3979428308576218e-08, -1.6262901580841234e-07,
    1.6453875049030031e-06, -1.492521139564896e-05, 0.0001205531730594778,
    -0.0008548326653697755, 0.005223977619898584, -0.026866170644639746,
    0.1128379167095287, -0.3761263890318371, 0.1283791670955126,
)  # fmt: skip
_F64_ERF_LARGE = (
    -6.471398175593283e-12, 1.6238933580713568e-10, -1.848199062954119e-09,
    1.2458144792727545e-08, -5.30039335096002e-08, 1.2407906539126618e-07,
    7.616065814987956e-08, -2.1916960963621167e-06, 1.1297163042048252e-05,
    -3.451238993181893e-05, 4.548961957234486e-05, 0.00021790883234400202,
    -0.0020850081013276496, 0.010827658350128973, -0.04481961452569266, -0.8329893621358155,
    -2.508012522377528, -1.648561893721469,
)  # fmt: skip
_F64_ERF_TMAX = 6.0


def emit_erf(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    """erf(x), elementwise."""
    e = _Emitter(builder, x.type)
    b = builder
    small_p, large_p = (
        (_F64_ERF_SMALL, _F64_ERF_LARGE) if e.is_f64 else (_F32_ERF_SMALL, _F32_ERF_LARGE)
    )
    tmax = _F64_ERF_TMAX if e.is_f64 else _F32_ERF_TMAX
    # x * (1 + P(x^2)) as one fma: exact at +-0.0 (sign kept) and for subnormal x.
    small = e.fma(e.horner(b.fmul(x, x), small_p), x, x)
    t = e.intr("llvm.fabs", [x])
    tc = b.select(e.fcmp(">", t, e.c(tmax)), e.c(tmax), t)  # also +inf -> 1
    r = e.horner(b.fsub(tc, e.c(ERF_SPLIT)), large_p)
    large = e.intr("llvm.copysign", [b.fsub(e.c(1.0), emit_exp(builder, r)), x])
    result = b.select(e.fcmp("<", t, e.c(ERF_SPLIT)), small, large)
    return b.select(e.isnan(x), x, result)


EMITTERS = {"exp": emit_exp, "log": emit_log, "tanh": emit_tanh, "erf": emit_erf}
