"""Proofs of eqsat's scalar rules with z3 (the optional `proofs` extra installs z3-solver).

A rule is *scalar* when both of its sides are built from elementwise ops that have an exact
meaning in z3 (`EXACT_OPS`: + - * / neg abs maximum minimum relu sqrt rsqrt floor ceil cmp
select),
scalar constants, constant folding's attribute functions and variables. Each direction of
such a rule is proved twice:

- **over the reals** (z3's nonlinear real arithmetic): both sides are equal for every real
  value of the variables where both are defined (divisors non-zero, square roots of
  non-negative values) and the rule's conditions hold. A refutation comes with z3's model
  as a counterexample: the rule is wrong, whatever the floating-point format.
- **over float32** (z3's IEEE 754 theory, round to nearest even): both sides are the same
  float32 value for every input, NaN where NaN, the same infinities and the same sign of
  zero. The fast-math flags of the rule's set relax this the way LLVM defines them: `nsz`
  compares +0.0 and -0.0 equal, `nnan`/`ninf` assume no operand or intermediate is NaN/inf,
  and under `reassoc`, `arcp`, `afn` or `contract` the float32 check does not apply (the rule
  is one of those identities of the reals). Constant folding computes in f64 and rounds once
  to float32, which for + - * / and sqrt of float32 values is the float32 result (53 >= 2 *
  24 + 2 bits), so folded constants are modelled by float32 operations.

Rules with any other op (tensor ops: matmul, reductions, transposes, broadcasts, fused
kernel forms; transcendental ops: exp, log, tanh, erf, ...; pow) are not scalar:
they keep the numeric check of `rules.check_rule`, and `prove_rule` says why.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ziggurat.passes.eqsat.rulefile import (
    AttrExpr,
    PApp,
    Pattern,
    PFun,
    PLit,
    Pred,
    PVar,
    Rule,
)

Z3_AVAILABLE = importlib.util.find_spec("z3") is not None
"""Whether z3-solver is installed (`pip install 'ziggurat[proofs]'`)."""

EXACT_OPS = frozenset(
    {
        "Add",
        "Sub",
        "Mul",
        "Div",
        "Neg",
        "Abs",
        "Maximum",
        "Minimum",
        "Relu",
        "Sqrt",
        "Rsqrt",
        "Floor",
        "Ceil",
        "Cmp",
        "Select",
        "Scalar",
    }
)
"""The eqsat constructors with an exact meaning in z3's real and float theories."""

FLOAT_EXEMPT_FLAGS = frozenset({"reassoc", "arcp", "afn", "contract"})
"""Fast-math flags under which a rule is an identity of the reals only."""

TIMEOUT_MS = 10000
"""z3's time limit per query; a query that runs out is reported as unknown."""


@dataclass(frozen=True)
class Verdict:
    """What z3 says of one direction of a rule in one theory."""

    status: str
    """"proved", "refuted", "unknown" (z3 gave up), or "not checked" (with `detail`)."""
    detail: str = ""
    """The counterexample of a refutation, or why it was not checked."""


@dataclass(frozen=True)
class Proof:
    """The proof of one rule direction (`name`): over the reals and over float32, or why the
    rule is not scalar (`numeric_only`)."""

    name: str
    reals: Verdict
    float32: Verdict
    numeric_only: str = ""

    @property
    def refuted(self) -> bool:
        return "refuted" in (self.reals.status, self.float32.status)

    def summary(self) -> str:
        if self.numeric_only:
            return f"{self.name}: numeric check only ({self.numeric_only})"
        parts = []
        for theory, v in (("reals", self.reals), ("float32", self.float32)):
            text = f"{theory} {v.status}"
            if v.detail:
                text += f" ({v.detail})"
            parts.append(text)
        return f"{self.name}: " + "; ".join(parts)


def not_scalar_reason(rule: Rule) -> str:
    """Why `rule` has no z3 proof ("" when it is scalar)."""
    from ziggurat.passes.eqsat.terms import OPS

    found: list[str] = []

    def walk(p: Pattern) -> None:
        if isinstance(p, PApp):
            if p.op not in EXACT_OPS:
                found.append(OPS[p.op].dsl if p.op in OPS else p.op)
            for c in p.args:
                walk(c)

    walk(rule.lhs)
    walk(rule.rhs)
    if not found:
        return ""
    names = sorted(set(found))
    return f"{', '.join(names)}: no exact form in z3"


def prove_rule(rule: Rule, flags: frozenset[str] = frozenset()) -> list[Proof]:
    """A proof per direction of `rule`, valid under the fast-math `flags` of its set.
    Requires z3 (`Z3_AVAILABLE`)."""
    proofs = []
    for d in rule.directions():
        reason = not_scalar_reason(d)
        if reason:
            skipped = Verdict("not checked", reason)
            proofs.append(Proof(d.name, skipped, skipped, reason))
            continue
        reals = _prove(d, _Reals())
        exempt = sorted(flags & FLOAT_EXEMPT_FLAGS)
        if exempt:
            f32 = Verdict("not checked", f"the set assumes {', '.join(exempt)}")
        else:
            f32 = _prove(d, _Float32(flags))
        proofs.append(Proof(d.name, reals, f32))
    return proofs


# ---------------------------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------------------------


class _Theory:
    """How patterns become z3 terms in one theory."""

    def __init__(self) -> None:
        import z3

        self.z3 = z3
        self.vars: dict[str, Any] = {}
        self.assumptions: list[Any] = []
        self.intermediates: list[Any] = []

    def var(self, name: str, boolean: bool = False) -> Any:
        if name not in self.vars:
            self.vars[name] = self.z3.Bool(name) if boolean else self.fresh(name)
        return self.vars[name]

    def fresh(self, name: str) -> Any:
        raise NotImplementedError

    def literal(self, value: float) -> Any:
        raise NotImplementedError

    def op(self, name: str, args: Sequence[Any], predicate: str | None) -> Any:
        raise NotImplementedError

    def equal(self, a: Any, b: Any) -> Any:
        raise NotImplementedError

    def attr(self, a: AttrExpr) -> Any:
        """The value of a `Scalar`'s attribute: a literal, a variable constant, or constant
        folding's function of them."""
        if isinstance(a, PLit):
            return self.literal(float(a.value))
        if isinstance(a, PVar):
            return self.var("const_" + a.name)
        assert isinstance(a, PFun)
        args = [self.attr(x) for x in a.args]
        name = {
            "f_add": "Add",
            "f_sub": "Sub",
            "f_mul": "Mul",
            "f_max": "Maximum",
            "f_min": "Minimum",
            "f_neg": "Neg",
        }.get(a.name)
        if name is None:
            raise _NotScalar(f"attribute function {a.name}")
        return self.op(name, args, None)

    def term(self, p: Pattern, boolean: bool = False) -> Any:
        if isinstance(p, PVar):
            return self.var(p.name, boolean)
        if p.op == "Scalar":
            return self.attr(p.attrs[0])
        predicate: str | None = None
        if p.op == "Cmp":
            first = p.attrs[0]
            if not isinstance(first, PLit):
                raise _NotScalar("a comparison whose predicate is a variable")
            predicate = str(first.value)
        kinds = "bff" if p.op == "Select" else "f" * len(p.args)
        args = [self.term(c, k == "b") for c, k in zip(p.args, kinds, strict=True)]
        value = self.op(p.op, args, predicate)
        self.intermediates.append(value)
        return value

    def condition(self, c: Any) -> Any | None:
        if isinstance(c, Pred) and c.name == "f_positive":
            return self.positive(self.attr(c.args[0]))
        if isinstance(c, Pred):
            raise _NotScalar(f"condition {c.name}")
        return None  # shape conditions: scalars have every shape

    def positive(self, x: Any) -> Any:
        raise NotImplementedError

    def model_text(self, model: Any) -> str:
        return ", ".join(f"{n}={self.show(model.eval(v, True))}" for n, v in self.vars.items())

    def show(self, value: Any) -> str:
        return str(value)


class _NotScalar(Exception):
    pass


class _Reals(_Theory):
    def fresh(self, name: str) -> Any:
        return self.z3.Real(name)

    def literal(self, value: float) -> Any:
        if value != value or value in (float("inf"), float("-inf")):
            raise _NotScalar("a non-finite literal")
        return self.z3.RealVal(value)

    def positive(self, x: Any) -> Any:
        return x > 0

    def op(self, name: str, args: Sequence[Any], predicate: str | None) -> Any:
        z3 = self.z3
        if name == "Add":
            return args[0] + args[1]
        if name == "Sub":
            return args[0] - args[1]
        if name == "Mul":
            return args[0] * args[1]
        if name == "Div":
            self.assumptions.append(args[1] != 0)
            return args[0] / args[1]
        if name == "Neg":
            return -args[0]
        if name == "Abs":
            return z3.If(args[0] >= 0, args[0], -args[0])
        if name == "Maximum":
            return z3.If(args[0] >= args[1], args[0], args[1])
        if name == "Minimum":
            return z3.If(args[0] <= args[1], args[0], args[1])
        if name == "Relu":
            return z3.If(args[0] >= 0, args[0], z3.RealVal(0))
        if name in ("Sqrt", "Rsqrt"):
            self.assumptions.append(args[0] >= 0)
            root = z3.Sqrt(args[0])
            if name == "Sqrt":
                return root
            self.assumptions.append(args[0] > 0)
            return 1 / root
        if name == "Floor":
            return z3.ToReal(z3.ToInt(args[0]))
        if name == "Ceil":
            return -z3.ToReal(z3.ToInt(-args[0]))
        if name == "Select":
            return z3.If(args[0], args[1], args[2])
        if name == "Cmp":
            a, b = args
            table: dict[str, Callable[[], Any]] = {
                "olt": lambda: a < b,
                "ole": lambda: a <= b,
                "ogt": lambda: a > b,
                "oge": lambda: a >= b,
                "oeq": lambda: a == b,
                "one": lambda: a != b,
                "une": lambda: a != b,
            }
            return table[str(predicate)]()
        raise _NotScalar(name)

    def equal(self, a: Any, b: Any) -> Any:
        return a == b

    def show(self, value: Any) -> str:
        if self.z3.is_rational_value(value):
            return str(value.as_fraction())
        if self.z3.is_algebraic_value(value):
            return value.as_decimal(6)
        return str(value)


class _Float32(_Theory):
    def __init__(self, flags: frozenset[str]) -> None:
        super().__init__()
        self.flags = flags
        self.sort = self.z3.Float32()
        self.rm = self.z3.RNE()

    def fresh(self, name: str) -> Any:
        return self.z3.FP(name, self.sort)

    def literal(self, value: float) -> Any:
        return self.z3.FPVal(value, self.sort)

    def positive(self, x: Any) -> Any:
        return self.z3.fpGT(x, self.literal(0.0))

    def op(self, name: str, args: Sequence[Any], predicate: str | None) -> Any:
        z3, rm = self.z3, self.rm
        nan = z3.fpNaN(self.sort)
        if name == "Add":
            return z3.fpAdd(rm, args[0], args[1])
        if name == "Sub":
            return z3.fpSub(rm, args[0], args[1])
        if name == "Mul":
            return z3.fpMul(rm, args[0], args[1])
        if name == "Div":
            return z3.fpDiv(rm, args[0], args[1])
        if name == "Neg":
            return z3.fpNeg(args[0])
        if name == "Abs":
            return z3.fpAbs(args[0])
        if name in ("Maximum", "Minimum"):
            # IEEE 754-2019 maximum/minimum (arith.maximumf): NaN propagates, -0.0 < +0.0.
            a, b = args
            is_max = name == "Maximum"
            bigger = z3.fpGT(a, b) if is_max else z3.fpLT(a, b)
            smaller = z3.fpLT(a, b) if is_max else z3.fpGT(a, b)
            tie = z3.If(z3.fpIsNegative(a), b, a) if is_max else z3.If(z3.fpIsNegative(a), a, b)
            return z3.If(
                z3.Or(z3.fpIsNaN(a), z3.fpIsNaN(b)), nan, z3.If(bigger, a, z3.If(smaller, b, tie))
            )
        if name == "Relu":
            return self.op("Maximum", [args[0], self.literal(0.0)], None)
        if name == "Sqrt":
            return z3.fpSqrt(rm, args[0])
        if name == "Rsqrt":
            return z3.fpDiv(rm, self.literal(1.0), z3.fpSqrt(rm, args[0]))
        if name == "Floor":
            return z3.fpRoundToIntegral(z3.RTN(), args[0])
        if name == "Ceil":
            return z3.fpRoundToIntegral(z3.RTP(), args[0])
        if name == "Select":
            return z3.If(args[0], args[1], args[2])
        if name == "Cmp":
            a, b = args
            table: dict[str, Callable[[], Any]] = {
                "olt": lambda: z3.fpLT(a, b),
                "ole": lambda: z3.fpLEQ(a, b),
                "ogt": lambda: z3.fpGT(a, b),
                "oge": lambda: z3.fpGEQ(a, b),
                "oeq": lambda: z3.fpEQ(a, b),
                "one": lambda: z3.Or(z3.fpLT(a, b), z3.fpGT(a, b)),
                "une": lambda: z3.Not(z3.fpEQ(a, b)),
            }
            return table[str(predicate)]()
        raise _NotScalar(name)

    def equal(self, a: Any, b: Any) -> Any:
        z3 = self.z3
        if z3.is_bool(a):
            return a == b
        same = a == b  # SMT equality: NaN equals NaN, +0.0 differs from -0.0
        if "nsz" in self.flags:
            same = z3.Or(same, z3.fpEQ(a, b))
        return same

    def finite_assumptions(self) -> list[Any]:
        z3 = self.z3
        values = [v for v in [*self.vars.values(), *self.intermediates] if not z3.is_bool(v)]
        out = []
        if "nnan" in self.flags:
            out += [z3.Not(z3.fpIsNaN(v)) for v in values]
        if "ninf" in self.flags:
            out += [z3.Not(z3.fpIsInf(v)) for v in values]
        return out

    def show(self, value: Any) -> str:
        z3 = self.z3
        if z3.is_fp_value(value):
            if value.isNaN():
                return "nan"
            if value.isInf():
                return "-inf" if value.isNegative() else "inf"
            if value.isZero():
                return "-0.0" if value.isNegative() else "0.0"
            bits = z3.simplify(z3.fpToIEEEBV(value)).as_long()
            return repr(float(np.frombuffer(bits.to_bytes(4, "little"), np.float32)[0]))
        return str(value)


def _prove(rule: Rule, theory: _Theory) -> Verdict:
    z3 = theory.z3
    try:
        lhs = theory.term(rule.lhs)
        rhs = theory.term(rule.rhs, boolean=z3.is_bool(lhs))
        conditions = [c for c in (theory.condition(c) for c in rule.conditions) if c is not None]
    except _NotScalar as exc:
        return Verdict("not checked", f"{exc}: no exact form in z3")
    solver = z3.Solver()
    solver.set("timeout", TIMEOUT_MS)
    solver.add(*conditions, *theory.assumptions)
    if isinstance(theory, _Float32):
        solver.add(*theory.finite_assumptions())
    solver.add(z3.Not(theory.equal(lhs, rhs)))
    result = solver.check()
    if result == z3.unsat:
        return Verdict("proved")
    if result == z3.sat:
        model = solver.model()
        left, right = theory.show(model.eval(lhs, True)), theory.show(model.eval(rhs, True))
        return Verdict(
            "refuted", f"{theory.model_text(model)}: left side {left}, right side {right}"
        )
    return Verdict("unknown", str(solver.reason_unknown()))


def _main() -> None:
    """Print the proof of every shipped rule (`python -m ziggurat.passes.eqsat.proofs`)."""
    from ziggurat.passes.eqsat.rules import RULE_SETS

    for set_name, rule_set in RULE_SETS.items():
        for rule in rule_set.rules:
            for proof in prove_rule(rule, rule_set.flags):
                print(f"{set_name}/{proof.summary()}")


if __name__ == "__main__":
    _main()
