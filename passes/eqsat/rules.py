"""The rule sets of `eqsat`, their egglog form, and the numeric soundness check of a rule.

Rules are written in the rule syntax of `rulefile` (one documented line each) and grouped
in named `RuleSet`s. The rules generated per op (transpose and fusion forms, commutativity) range
over the op table (`ziggurat.dialects.optable`), and a row's own `rules` (identities that name
the op, such as `maximum(x, +0) = relu(x)`) join the set they name. A set is *simplifying* (run to saturation first: it never makes the program
bigger in a way that feeds itself) or *expanding* (assoc/comm, distributivity, reassociation,
fusion: run one iteration at a time under the node, iteration and time budgets).

`check_rule` is the soundness check used for every shipped rule (by a test generated from
`RULE_SETS`) and for every user rule when it is loaded: it instantiates the left side on random
inputs of several shapes, evaluates both sides with the reference semantics of ztensor, and
returns a counterexample when they differ.
"""

from __future__ import annotations

import itertools
import random
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ziggurat.dialects import optable
from ziggurat.passes.eqsat.rulefile import (
    AttrExpr,
    Condition,
    PApp,
    Pattern,
    PFun,
    PLit,
    Pred,
    PRoot,
    PVar,
    RankEq,
    Rule,
    ShapeEq,
    parse_rules,
    show_condition,
)
from ziggurat.passes.eqsat.terms import (
    MAX_RANK,
    OPS,
    TermTypeError,
    TType,
    egg_literal,
    eval_node,
    infer_type,
    ints_str,
    shape_str,
    str_ints,
)
from ziggurat.passes.fast_math import FAST_MATH_FLAGS, parse_fast_math

NDArray = np.ndarray[Any, Any]


@dataclass(frozen=True)
class RuleSet:
    """A named group of rules; `expanding` sets run under budgets.

    `flags` are the fast-math flags (`FAST_MATH_FLAGS`) the rules are only valid under: a set
    without flags is IEEE-exact (both sides give the same result for every input, ±0, ±inf,
    NaN and subnormals included, up to the rounding order of a reduction), and only such sets
    run unless the pass is given `fast-math`.
    """

    name: str
    doc: str
    expanding: bool
    rules: tuple[Rule, ...]
    flags: frozenset[str] = frozenset()


UNARY = [row.name for row in optable.UNARY]
BINARY = [row.name for row in optable.BINARY]
REDUCE = [row.name for row in optable.REDUCTIONS]
COMMUTATIVE = [row.name for row in optable.BINARY if row.commutative]
PREDICATES = sorted({p.name for row in optable.ELEMENTWISE.values() for p in row.predicates})
"""Every comparison predicate of the op table (what the soundness check draws from)."""


def _algebra() -> str:
    return """
# x + -0 = x (exact: x + +0 would turn -0 into +0)
rule add-negzero: add(x, -0.0) => x if shape(x) == shape($)
# -0 + x = x
rule negzero-add: add(-0.0, x) => x if shape(x) == shape($)
# x - 0 = x (exact: x - +0 is x + -0)
rule sub-zero: sub(x, 0.0) => x if shape(x) == shape($)
# x * 1 = x
rule mul-one: mul(x, 1.0) => x if shape(x) == shape($)
# 1 * x = x
rule one-mul: mul(1.0, x) => x if shape(x) == shape($)
# x / 1 = x
rule div-one: div(x, 1.0) => x if shape(x) == shape($)
# x ** 1 = x
rule pow-one: pow(x, 1.0) => x if shape(x) == shape($)
# x ** 2 = x * x
rule pow-two: pow(x, 2.0) => mul(x, x) if shape(x) == shape($)
# -(-x) = x
rule neg-neg: neg(neg(x)) => x
# -0 - x = -x (exact: +0 - x is +0, not -0, for x = +0)
rule negzero-sub: sub(-0.0, x) => neg(x) if shape(x) == shape($)
# x + (-y) = x - y
rule add-neg: add(x, neg(y)) => sub(x, y)
# x * -1 = -x
rule mul-minus-one: mul(x, -1.0) => neg(x) if shape(x) == shape($)
# relu(relu(x)) = relu(x)
rule relu-relu: relu(relu(x)) => relu(x)
# |(|x|)| = |x|
rule abs-abs: abs(abs(x)) => abs(x)
# |-x| = |x|
rule abs-neg: abs(neg(x)) => abs(x)
"""


def _algebra_nsz() -> str:
    return """
# x + 0 = x, ignoring the sign of zero (-0 + 0 is +0)
rule add-zero: add(x, 0.0) => x if shape(x) == shape($)
# 0 + x = x, ignoring the sign of zero
rule zero-add: add(0.0, x) => x if shape(x) == shape($)
# 0 - x = -x, ignoring the sign of zero (0 - 0 is +0)
rule zero-sub: sub(0.0, x) => neg(x) if shape(x) == shape($)
# x - (-0) = x, ignoring the sign of zero
rule sub-negzero: sub(x, -0.0) => x if shape(x) == shape($)
"""


def _algebra_afn() -> str:
    return """
# exp(x) * exp(y) = exp(x + y) (exp(x) may overflow where exp(x + y) does not)
rule exp-mul: mul(exp(x), exp(y)) => exp(add(x, y))
"""


def _constant_folding() -> str:
    lines = []
    for op, fn in (
        ("add", "f_add"),
        ("sub", "f_sub"),
        ("mul", "f_mul"),
        ("maximum", "f_max"),
        ("minimum", "f_min"),
    ):
        lines.append(f"# c1 {op} c2 of two rank-0 constants is a constant")
        lines.append(f"rule fold-{op}: {op}(const(a), const(b)) => const({fn}(a, b))")
    lines.append("# -c is a constant")
    lines.append("rule fold-neg: neg(const(a)) => const(f_neg(a))")
    return "\n".join(lines)


def _constant_reassoc() -> str:
    return """
# (x * c1) * c2 = x * (c1 * c2) (x * c1 may overflow or underflow where x * (c1 * c2) does not)
rule fold-mul-mul: mul(mul(x, const(a)), const(b)) => mul(x, const(f_mul(a, b)))
# (x + c1) + c2 = x + (c1 + c2)
rule fold-add-add: add(add(x, const(a)), const(b)) => add(x, const(f_add(a, b)))
"""


def _commutativity() -> str:
    lines = []
    for op in COMMUTATIVE:
        lines.append(f"# {op} is commutative")
        lines.append(f"rule {op}-comm: {op}(x, y) => {op}(y, x)")
    for op in ("maximum", "minimum"):
        lines.append(f"# {op} is associative (IEEE {op}: NaN propagates, -0 < +0)")
        lines.append(f"rule {op}-assoc: {op}({op}(x, y), z) <=> {op}(x, {op}(y, z))")
    return "\n".join(lines)


def _associativity() -> str:
    lines = []
    for op in ("add", "mul"):
        lines.append(f"# {op} is associative in real arithmetic")
        lines.append(f"rule {op}-assoc: {op}({op}(x, y), z) <=> {op}(x, {op}(y, z))")
    return "\n".join(lines)


def _distributivity() -> str:
    return """
# x*(y+z) = x*y + x*z, and factoring back
rule mul-add-distribute: mul(x, add(y, z)) <=> add(mul(x, y), mul(x, z))
# x*(y-z) = x*y - x*z, and factoring back
rule mul-sub-distribute: mul(x, sub(y, z)) <=> sub(mul(x, y), mul(x, z))
# (x+y)/z = x/z + y/z, and back
rule div-add-distribute: div(add(x, y), z) <=> add(div(x, z), div(y, z))
# A(B+C) = AB + AC (B and C of one shape), and back
rule matmul-add-distribute: matmul(a, add(b, c)) <=> add(matmul(a, b), matmul(a, c)) if shape(b) == shape(c)
# (A+B)C = AC + BC (A and B of one shape), and back
rule add-matmul-distribute: matmul(add(a, b), c) <=> add(matmul(a, c), matmul(b, c)) if shape(a) == shape(b)
# A(B-C) = AB - AC (B and C of one shape), and back
rule matmul-sub-distribute: matmul(a, sub(b, c)) <=> sub(matmul(a, b), matmul(a, c)) if shape(b) == shape(c)
# (A-B)C = AC - BC (A and B of one shape), and back
rule sub-matmul-distribute: matmul(sub(a, b), c) <=> sub(matmul(a, c), matmul(b, c)) if shape(a) == shape(b)
"""


def _transpose() -> str:
    lines = [
        "# transpose(transpose(x, p), q) = transpose(x, p o q)",
        "rule transpose-transpose: transpose{perm=q}(transpose{perm=p}(x)) => transpose{perm=perm_compose(p, q)}(x)",
        "# transposing by the identity permutation does nothing",
        "rule transpose-identity: transpose{perm=p}(x) => x if perm_is_identity(p)",
        "# (AB)^T = B^T A^T for matrices",
        'rule transpose-matmul: transpose{perm="1,0"}(matmul(a, b)) <=> matmul(transpose{perm="1,0"}(b), transpose{perm="1,0"}(a))',
    ]
    for u in UNARY:
        lines.append(f"# transpose commutes with elementwise {u}")
        lines.append(
            f"rule transpose-{u}: transpose{{perm=p}}({u}(x)) <=> {u}(transpose{{perm=p}}(x))"
        )
    for b in BINARY:
        lines.append(f"# transpose distributes over {b} of equal shapes")
        lines.append(
            f"rule transpose-{b}: transpose{{perm=p}}({b}(x, y)) <=> "
            f"{b}(transpose{{perm=p}}(x), transpose{{perm=p}}(y)) if shape(x) == shape(y)"
        )
    return "\n".join(lines)


def _matmul() -> str:
    return """
# (AB)C = A(BC): matrix chains in any order
rule matmul-assoc: matmul(matmul(a, b), c) <=> matmul(a, matmul(b, c))
# (cA)B = c(AB) for a rank-0 constant c
rule matmul-scale-lhs: matmul(mul(a, const(c)), b) <=> mul(matmul(a, b), const(c))
# A(cB) = c(AB) for a rank-0 constant c
rule matmul-scale-rhs: matmul(a, mul(b, const(c))) <=> mul(matmul(a, b), const(c))
"""


def _reduce_matmul() -> str:
    lines = []
    matrices = "rank(a) == 2 and rank(b) == 2"
    for r in ("reduce_sum", "reduce_mean"):
        what = "sum" if r == "reduce_sum" else "mean"
        row = f'{r}{{axes="1", keepdims=1}}'
        col = f'{r}{{axes="0", keepdims=1}}'
        lines += [
            f"# row {what}s of AB are A times B's row {what}s: O(MK + KN), not O(MKN)",
            f"rule {r}-rows-matmul: {row}(matmul(a, b)) => matmul(a, {row}(b)) if {matrices}",
            f"# row {what}s of AB, dims dropped (a {what} over the one column left)",
            f'rule {r}-rows-matmul-drop: {r}{{axes="1", keepdims=0}}(matmul(a, b)) => '
            f'{r}{{axes="1", keepdims=0}}(matmul(a, {row}(b))) if {matrices}',
            f"# column {what}s of AB are A's column {what}s times B",
            f"rule {r}-cols-matmul: {col}(matmul(a, b)) => matmul({col}(a), b) if {matrices}",
            f"# column {what}s of AB, dims dropped",
            f'rule {r}-cols-matmul-drop: {r}{{axes="0", keepdims=0}}(matmul(a, b)) => '
            f'{r}{{axes="0", keepdims=0}}(matmul({col}(a), b)) if {matrices}',
            f"# the {what} of AB is the dot product of A's column {what}s and B's row {what}s",
            f'rule {r}-all-matmul: {r}{{axes="0,1", keepdims=k}}(matmul(a, b)) => '
            f'{r}{{axes="0,1", keepdims=k}}(matmul({col}(a), {row}(b))) if {matrices}',
        ]
    return "\n".join(lines)


def _cancellation() -> str:
    return """
# (x + y) - y = x
rule add-sub-cancel: sub(add(x, y), y) => x if shape(x) == shape($)
# (y + x) - y = x
rule add-sub-cancel-l: sub(add(y, x), y) => x if shape(x) == shape($)
# (x - y) + y = x
rule sub-add-cancel: add(sub(x, y), y) => x if shape(x) == shape($)
# y + (x - y) = x
rule sub-add-cancel-r: add(y, sub(x, y)) => x if shape(x) == shape($)
# (x * y) / y = x
rule mul-div-cancel: div(mul(x, y), y) => x if shape(x) == shape($)
# (y * x) / y = x
rule mul-div-cancel-l: div(mul(y, x), y) => x if shape(x) == shape($)
# (x / y) * y = x
rule div-mul-cancel: mul(div(x, y), y) => x if shape(x) == shape($)
"""


def _inverse_functions() -> str:
    return """
# log(exp(x)) = x (exp(x) overflows for x > 88 in f32; log(exp(-0)) is +0)
rule log-exp: log(exp(x)) => x
# exp(log(x)) = x for x >= 0 (NaN for x < 0; exp(log(-0)) is +0)
rule exp-log: exp(log(x)) => x
# exp(log(x) + log(y)) = x*y for x, y >= 0
rule exp-add-log: exp(add(log(x), log(y))) => mul(x, y)
# exp(log(x) - log(y)) = x/y for x, y >= 0
rule exp-sub-log: exp(sub(log(x), log(y))) => div(x, y)
# sqrt(x*x) = |x| (x*x overflows for |x| > 1.8e19 and underflows for |x| < 1e-23 in f32)
rule sqrt-square: sqrt(mul(x, x)) => abs(x)
"""


def _reduce() -> str:
    lines = []
    for r in REDUCE:
        lines.append(f"# {r} of a transpose reduces the matching axes of the operand")
        lines.append(
            f"rule {r}-transpose: {r}{{axes=a, keepdims=0}}(transpose{{perm=p}}(x)) => "
            f"transpose{{perm=perm_reduce(p, a)}}({r}{{axes=perm_axes(p, a), keepdims=0}}(x))"
        )
        lines.append(f"# {r} of a transpose, keeping dims")
        lines.append(
            f"rule {r}-transpose-keep: {r}{{axes=a, keepdims=1}}(transpose{{perm=p}}(x)) => "
            f"transpose{{perm=p}}({r}{{axes=perm_axes(p, a), keepdims=1}}(x))"
        )
    lines.append("# reduce_max over dims a broadcast only repeated gives back the operand")
    lines.append(
        "rule reduce_max-broadcast: reduce_max{axes=a, keepdims=1}(broadcast_to{shape=s}(x)) => x "
        "if shape(x) == shape($)"
    )
    lines.append("# max(x) of relu = relu of max(x) (relu is monotone)")
    lines.append(
        "rule reduce_max-relu: reduce_max{axes=a, keepdims=k}(relu(x)) <=> relu(reduce_max{axes=a, keepdims=k}(x))"
    )
    return "\n".join(lines)


def _reduce_reassoc() -> str:
    lines = []
    for r in ("reduce_sum", "reduce_mean"):
        lines.append(f"# {r}(c*x) = c*{r}(x) for a rank-0 constant c")
        lines.append(
            f"rule {r}-scale: {r}{{axes=a, keepdims=k}}(mul(x, const(c))) <=> "
            f"mul({r}{{axes=a, keepdims=k}}(x), const(c))"
        )
        lines.append(f"# {r}(x+y) = {r}(x) + {r}(y) for x, y of one shape")
        lines.append(
            f"rule {r}-add: {r}{{axes=a, keepdims=k}}(add(x, y)) <=> "
            f"add({r}{{axes=a, keepdims=k}}(x), {r}{{axes=a, keepdims=k}}(y)) if shape(x) == shape(y)"
        )
    lines.append("# the mean over dims a broadcast only repeated is the operand (n*x/n)")
    lines.append(
        "rule reduce_mean-broadcast: reduce_mean{axes=a, keepdims=1}(broadcast_to{shape=s}(x)) => x "
        "if shape(x) == shape($)"
    )
    return "\n".join(lines)


def _broadcast() -> str:
    lines = [
        "# broadcasting to the operand's own shape does nothing",
        "rule broadcast-noop: broadcast_to{shape=s}(x) => x if shape(x) == shape($)",
        "# reshaping to the operand's own shape does nothing",
        "rule reshape-noop: reshape{shape=s}(x) => x if shape(x) == shape($)",
        "# reshape of a reshape is one reshape",
        "rule reshape-reshape: reshape{shape=t}(reshape{shape=s}(x)) => reshape{shape=t}(x)",
    ]
    for b in BINARY:
        lines.append(
            f"# {b} broadcasts implicitly: an explicit broadcast_to of the rhs is redundant"
        )
        lines.append(
            f"rule {b}-broadcast-rhs: {b}(x, broadcast_to{{shape=s}}(y)) => {b}(x, y) if shape(x) == shape($)"
        )
        lines.append(
            f"# {b} broadcasts implicitly: an explicit broadcast_to of the lhs is redundant"
        )
        lines.append(
            f"rule {b}-broadcast-lhs: {b}(broadcast_to{{shape=s}}(x), y) => {b}(x, y) if shape(y) == shape($)"
        )
    return "\n".join(lines)


_SOFTMAX = (
    "div(exp(sub(x, reduce_max{axes=a, keepdims=1}(x))), "
    "reduce_sum{axes=a, keepdims=1}(exp(sub(x, reduce_max{axes=a, keepdims=1}(x)))))"
)
_LAYERNORM = (
    "div(sub(x, reduce_mean{axes=a, keepdims=1}(x)), sqrt(add(reduce_mean{axes=a, keepdims=1}("
    "mul(sub(x, reduce_mean{axes=a, keepdims=1}(x)), sub(x, reduce_mean{axes=a, keepdims=1}(x)))), "
    "const(e))))"
)


def _recompose() -> str:
    return f"""
# exp(x - max x) / sum(exp(x - max x)) along one axis is softmax
rule softmax-recompose: {_SOFTMAX} => softmax{{axis=a}}(x) if single_axis(a)
# (x - mean x) / sqrt(mean((x - mean x)^2) + eps) along one axis is layernorm
rule layernorm-recompose: {_LAYERNORM} => layernorm{{axis=a, epsilon=e}}(x) if f_positive(e) and single_axis(a)
"""


def _recompose_unshifted() -> str:
    return """
# exp(x) / sum(exp(x)) along one axis is softmax (exp(x) may overflow where softmax does not)
rule softmax-recompose-unshifted: div(exp(x), reduce_sum{axes=a, keepdims=1}(exp(x))) => softmax{axis=a}(x) if single_axis(a)
"""


def _decompose() -> str:
    return f"""
# softmax as exp, max, sum and div
rule softmax-decompose: softmax{{axis=a}}(x) => {_SOFTMAX}
# layernorm as mean, sub, mul, sqrt and div
rule layernorm-decompose: layernorm{{axis=a, epsilon=e}}(x) => {_LAYERNORM}
"""


def _fusion() -> str:
    lines = []
    for u in UNARY:
        lines.append(f"# {u} as a one-op elementwise kernel (grown by fuse-inline)")
        lines.append(f"rule fuse-{u}: {u}(x) => fused(ep_{u}(ep_in(x)))")
    for b in BINARY:
        lines.append(f"# {b} as a one-op elementwise kernel (grown by fuse-inline)")
        lines.append(f"rule fuse-{b}: {b}(x, y) => fused(ep_{b}(ep_in(x), ep_in(y)))")
    for row in optable.BOOLEAN:
        n = row.name
        attrs = "{pred=p}" if row.predicates else ""
        xs = ["x", "y", "z"][: row.arity]
        inputs = ", ".join(f"ep_in({x})" for x in xs)
        lines.append(f"# {n} as a one-op elementwise kernel (grown by fuse-inline)")
        lines.append(f"rule fuse-{n}: {n}{attrs}({', '.join(xs)}) => fused(ep_{n}{attrs}({inputs}))")
    lines += [
        "# a kernel's input produced by an elementwise kernel may be computed inline",
        "rule fuse-inline: ep_in(fused(e)) => e",
        "# a matmul of two materialized operands as a matmul kernel (grown by its epilogue)",
        "rule fuse-matmul: matmul(a, b) => fused_matmul(mm_core(a, b))",
    ]
    for u in UNARY:
        lines.append(f"# {u} of a matmul kernel's result joins its epilogue")
        lines.append(f"rule fuse-epilogue-{u}: {u}(fused_matmul(m)) => fused_matmul(mm_{u}(m))")
    for b in BINARY:
        lines.append(f"# {b} with a matmul kernel's result on the left joins its epilogue")
        lines.append(
            f"rule fuse-epilogue-{b}: {b}(fused_matmul(m), y) => fused_matmul(mm_{b}(m, ep_in(y)))"
        )
        lines.append(f"# {b} with a matmul kernel's result on the right joins its epilogue")
        lines.append(
            f"rule fuse-epilogue-{b}-r: {b}(y, fused_matmul(m)) => "
            f"fused_matmul(mm_{b}_r(ep_in(y), m))"
        )
    for r in REDUCE:
        lines.append(f"# {r} with an elementwise prologue is one kernel")
        lines.append(
            f"rule fuse-{r}: {r}{{axes=a, keepdims=k}}(fused(e)) => fused_{r}{{axes=a, keepdims=k}}(e)"
        )
    lines += [
        "# softmax with an elementwise prologue is one kernel",
        "rule fuse-softmax: softmax{axis=a}(fused(e)) => fused_softmax{axis=a}(e)",
        "# layernorm with an elementwise prologue is one kernel",
        "rule fuse-layernorm: layernorm{axis=a, epsilon=p}(fused(e)) => fused_layernorm{axis=a, epsilon=p}(e)",
    ]
    return "\n".join(lines)


def _table_rules(rule_set: str) -> str:
    """The rules the op table's rows give for `rule_set`, in the table's order."""
    rows = (*optable.BINARY, *optable.UNARY)
    rewrites = [r for row in rows for r in row.rules if r.rule_set == rule_set]
    return "\n".join(f"# {r.comment}\n{r.rule}" for r in rewrites)


def _make(name: str, doc: str, expanding: bool, text: str, flags: tuple[str, ...] = ()) -> RuleSet:
    """A rule set of the rules in `text`, then those the op table gives for it."""
    rules = tuple(parse_rules(text + "\n" + _table_rules(name), f"<rule set {name}>"))
    return RuleSet(name, doc, expanding, rules, frozenset(flags))


RULE_SETS: dict[str, RuleSet] = {
    s.name: s
    for s in (
        _make("algebra", "IEEE-exact identities of elementwise algebra.", False, _algebra()),
        _make(
            "algebra-nsz",
            "Identities that hold up to the sign of zero (x + 0 = x).",
            False,
            _algebra_nsz(),
            ("nsz",),
        ),
        _make(
            "algebra-arcp",
            "Division by a square root as a product with its reciprocal.",
            False,
            "",
            ("arcp",),
        ),
        _make("algebra-afn", "exp(x)*exp(y) = exp(x+y).", False, _algebra_afn(), ("afn", "ninf")),
        _make("constant-folding", "Arithmetic on rank-0 constants.", False, _constant_folding()),
        _make(
            "constant-reassoc",
            "Constants gathered across an op: (x*c1)*c2 = x*(c1*c2).",
            False,
            _constant_reassoc(),
            ("reassoc",),
        ),
        _make(
            "transpose",
            "Transpose composition, (AB)^T, transpose of elementwise ops.",
            True,
            _transpose(),
        ),
        _make("broadcast", "Redundant broadcasts and reshapes.", False, _broadcast()),
        _make("recompose", "Recognize softmax and layernorm.", False, _recompose()),
        _make(
            "recompose-unshifted",
            "Recognize exp(x)/sum(exp(x)) as softmax.",
            False,
            _recompose_unshifted(),
            ("ninf",),
        ),
        _make("reduce", "Reductions of transposed, broadcast and relu values.", True, _reduce()),
        _make(
            "reduce-reassoc",
            "Reductions of scaled and added values, means of broadcasts.",
            True,
            _reduce_reassoc(),
            ("reassoc",),
        ),
        _make(
            "commutativity",
            "Commutativity of +, *, max, min; associativity of max and min (budgeted).",
            True,
            _commutativity(),
        ),
        _make(
            "associativity",
            "Associativity of + and * (budgeted).",
            True,
            _associativity(),
            ("reassoc",),
        ),
        _make(
            "distributivity",
            "Distributing and factoring.",
            True,
            _distributivity(),
            ("reassoc", "nsz"),
        ),
        _make(
            "matmul",
            "Matrix chain reassociation and scalar motion.",
            True,
            _matmul(),
            ("reassoc", "nnan", "ninf"),
        ),
        _make(
            "reduce-matmul",
            "Sums and means of a matrix product through the product (lower complexity).",
            True,
            _reduce_matmul(),
            ("reassoc", "nnan", "ninf", "nsz"),
        ),
        _make(
            "cancellation",
            "(x+y)-y = x, (x*y)/y = x and their mirror images.",
            False,
            _cancellation(),
            ("reassoc", "nnan", "ninf", "nsz"),
        ),
        _make(
            "inverse-functions",
            "log(exp x) = x, exp(log x) = x, exp(log x + log y) = xy, sqrt(x*x) = |x|.",
            False,
            _inverse_functions(),
            ("afn", "nnan", "ninf", "nsz"),
        ),
        _make(
            "fusion",
            "Fused kernels: elementwise chains, matmul epilogues, reductions.",
            True,
            _fusion(),
        ),
        _make("decompose", "Softmax and layernorm as primitive ops (opt-in).", True, _decompose()),
    )
}
DEFAULT_RULE_SETS = tuple(name for name in RULE_SETS if name != "decompose")
"""The sets `eqsat` considers by default; of these, the ones with fast-math flags run only when
the pass's `fast-math` enables all their flags."""


def all_rules() -> list[Rule]:
    """Every shipped rule, in every direction it runs."""
    return [d for s in RULE_SETS.values() for r in s.rules for d in r.directions()]


# ---------------------------------------------------------------------------------------------
# Attribute functions (Python for checking; egglog tables for rewriting)
# ---------------------------------------------------------------------------------------------


def perm_compose(p: str, q: str) -> str:
    """transpose(transpose(x, p), q) == transpose(x, r): r[i] = p[q[i]]."""
    pp, qq = str_ints(p), str_ints(q)
    if len(pp) != len(qq):
        raise TermTypeError("permutations of different ranks")
    return ints_str([pp[i] for i in qq])


def perm_axes(p: str, a: str) -> str:
    """Reduce axes `a` of transpose(x, p) as axes of x."""
    pp = str_ints(p)
    return ints_str(sorted(pp[i] for i in str_ints(a)))


def perm_reduce(p: str, a: str) -> str:
    """The permutation left on the kept dims after reducing axes `a` of transpose(x, p)."""
    pp, axes = str_ints(p), set(str_ints(a))
    kept = [pp[i] for i in range(len(pp)) if i not in axes]
    order = sorted(kept)
    return ints_str([order.index(d) for d in kept])


ATTR_IMPLS: dict[str, Any] = {
    "perm_compose": perm_compose,
    "perm_axes": perm_axes,
    "perm_reduce": perm_reduce,
    "f_add": lambda a, b: a + b,
    "f_sub": lambda a, b: a - b,
    "f_mul": lambda a, b: a * b,
    "f_max": max,
    "f_min": min,
    "f_neg": lambda a: -a,
}
PRED_IMPLS: dict[str, Any] = {
    "perm_is_identity": lambda p: str_ints(p) == tuple(range(len(str_ints(p)))),
    "f_positive": lambda e: e > 0,
    "single_axis": lambda a: len(str_ints(a)) == 1,
}
_EGG_PRIMS = {
    "f_add": "+",
    "f_sub": "-",
    "f_mul": "*",
    "f_max": "max",
    "f_min": "min",
    "f_neg": "neg",
}
_EGG_TABLES = {
    "perm_compose": "perm-compose",
    "perm_axes": "perm-axes",
    "perm_reduce": "perm-reduce",
}


def _axes_subsets(rank: int) -> list[tuple[int, ...]]:
    return [c for k in range(1, rank + 1) for c in itertools.combinations(range(rank), k)]


def tables_program(ranks: Iterable[int]) -> str:
    """Facts for the permutation tables, for rank 0 (reducing every axis of a transpose leaves
    a transpose by the empty permutation, which is the identity) and the given ranks
    (1..MAX_RANK)."""
    lines: list[str] = []
    for rank in sorted({0, *(r for r in ranks if 1 <= r <= MAX_RANK)}):
        perms = [ints_str(p) for p in itertools.permutations(range(rank))]
        lines.append(f'(perm-identity "{ints_str(range(rank))}")')
        for p, q in itertools.product(perms, perms):
            lines.append(f'(set (perm-compose "{p}" "{q}") "{perm_compose(p, q)}")')
        for p in perms:
            for a in _axes_subsets(rank):
                s = ints_str(a)
                lines.append(f'(set (perm-axes "{p}" "{s}") "{perm_axes(p, s)}")')
                lines.append(f'(set (perm-reduce "{p}" "{s}") "{perm_reduce(p, s)}")')
    return "\n".join(lines)


def schema_program() -> str:
    """Sorts, constructors, the shape function, tables and the shape-propagation rules."""
    lines = ["(sort Op)", "(sort Ep)", "(sort Mp)"]
    for spec in OPS.values():
        args = " ".join([*spec.children, *(t for _, t in spec.attrs)])
        lines.append(f"(constructor {spec.egg} ({args}) {spec.sort})")
    lines += [
        "(function shape (Op) String :merge old)",
        "(function named (i64) Op :merge old)",
        "(function perm-compose (String String) String :no-merge)",
        "(function perm-axes (String String) String :no-merge)",
        "(function perm-reduce (String String) String :no-merge)",
        "(relation perm-identity (String))",
        "(relation single-axis (String))",
        *(f'(single-axis "{a}")' for a in range(MAX_RANK)),
        "(ruleset shapes)",
        # Two matmul kernels of one value have equal bodies (FMatmul computes its body). Without
        # this, an epilogue op on a value equal to its own operand (x*1 = x) would grow a new
        # Mp body every iteration.
        "(rule ((= c (FMatmul m1)) (= c (FMatmul m2)) (!= m1 m2)) ((union m1 m2)) "
        ':ruleset shapes :name "fused-matmul-bodies")',
    ]
    for spec in OPS.values():
        if spec.sort != "Op":
            continue
        if spec.row is not None and not spec.row.is_arithmetic:
            lines += _boolean_shape_rules(spec.egg, spec.row, len(spec.attrs))
        elif spec.category == "unary":
            lines.append(
                f"(rule ((= e ({spec.egg} x)) (= s (shape x))) ((set (shape e) s)) :ruleset shapes)"
            )
        elif spec.category == "binary":
            lines.append(
                f"(rule ((= e ({spec.egg} x y)) (= s (shape x)) (= s (shape y))) "
                f"((set (shape e) s)) :ruleset shapes)"
            )
            lines.append(
                f"(rule ((= e ({spec.egg} x (Scalar c))) (= s (shape x))) ((set (shape e) s)) "
                ":ruleset shapes)"
            )
            lines.append(
                f"(rule ((= e ({spec.egg} (Scalar c) x)) (= s (shape x))) ((set (shape e) s)) "
                ":ruleset shapes)"
            )
        elif spec.category in ("broadcast", "reshape"):
            lines.append(f"(rule ((= e ({spec.egg} x s))) ((set (shape e) s)) :ruleset shapes)")
        elif spec.category == "scalar":
            lines.append('(rule ((= e (Scalar c))) ((set (shape e) "")) :ruleset shapes)')
    return "\n".join(lines)


def _boolean_shape_rules(egg: str, row: optable.Elementwise, n_attrs: int) -> list[str]:
    """Shape rules of an elementwise constructor with boolean operands or result: its shape
    is that of its tensor operands when they agree; a float operand may be a `Scalar`."""
    names = ["x", "y", "z"][: row.arity]
    attrs = [f"a{i}" for i in range(n_attrs)]
    floats = [i for i, k in enumerate(row.operand_kinds) if k == "f"]
    lines = []
    for scalars in itertools.chain.from_iterable(
        itertools.combinations(floats, k) for k in range(len(floats))
    ):
        args = [f"(Scalar c{i})" if i in scalars else n for i, n in enumerate(names)]
        same = " ".join(f"(= s (shape {n}))" for i, n in enumerate(names) if i not in scalars)
        lines.append(
            f"(rule ((= e ({egg} {' '.join([*args, *attrs])})) {same}) ((set (shape e) s)) "
            ":ruleset shapes)"
        )
    return lines


class _Compiler:
    def __init__(self) -> None:
        self.query: list[str] = []
        self.fresh = 0

    def attr(self, a: AttrExpr, egg_type: str, side: str) -> str:
        if isinstance(a, PVar):
            return "v_" + a.name.replace("-", "_")
        if isinstance(a, PLit):
            return egg_literal(a.value, egg_type)
        args = [self.attr(x, t, side) for x, t in zip(a.args, _fun_types(a.name), strict=True)]
        if a.name in _EGG_PRIMS:
            return f"({_EGG_PRIMS[a.name]} {' '.join(args)})"
        name = f"__f{self.fresh}"
        self.fresh += 1
        self.query.append(f"(= {name} ({_EGG_TABLES[a.name]} {' '.join(args)}))")
        return name

    def term(self, p: Pattern | PRoot, side: str) -> str:
        if isinstance(p, PRoot):
            return "__root"
        if isinstance(p, PVar):
            return "v_" + p.name.replace("-", "_")
        spec = OPS[p.op]
        if spec.category == "scalar":
            return self.scalar(p.attrs[0], side)
        parts = [spec.egg, *(self.term(c, side) for c in p.args)]
        parts += [self.attr(a, t, side) for a, (_, t) in zip(p.attrs, spec.attrs, strict=True)]
        return "(" + " ".join(parts) + ")"

    def scalar(self, a: AttrExpr, side: str) -> str:
        """A rank-0 constant. egglog's f64 equality does not tell -0.0 from +0.0, so the
        e-graph holds -0.0 as `(Neg (Scalar 0.0))` and a `Scalar` is never -0.0; a constant
        computed on the right side (constant folding) must then not be zero."""
        if isinstance(a, PLit) and float(a.value) == 0.0 and np.signbit(float(a.value)):
            return "(Neg (Scalar 0.0))"
        value = self.attr(a, "f64", side)
        if side == "rhs" and isinstance(a, PFun):
            self.query.append(f"(!= {value} 0.0)")
        return f"(Scalar {value})"

    def condition(self, c: Condition) -> str:
        if isinstance(c, ShapeEq):
            return f"(= (shape {self.term(c.a, 'cond')}) (shape {self.term(c.b, 'cond')}))"
        if isinstance(c, RankEq):
            # A shape is its dims joined by "x" (`shape_str`): rank 0 is "", rank n > 0 has
            # n - 1 of them.
            shape = f"(shape {self.term(c.a, 'cond')})"
            if c.rank == 0:
                return f'(= {shape} "")'
            return f'(!= {shape} "") (= (count-matches {shape} "x") {c.rank - 1})'
        args = [
            self.attr(a, "String" if c.name.startswith("perm") else "f64", "cond") for a in c.args
        ]
        if c.name == "f_positive":
            return f"(> {args[0]} 0.0)"
        if c.name == "single_axis":
            return f"(single-axis {args[0]})"
        return f"(perm-identity {' '.join(args)})"


def _fun_types(name: str) -> tuple[str, ...]:
    from ziggurat.passes.eqsat.rulefile import ATTR_FUNCTIONS

    return ATTR_FUNCTIONS[name][0]


def rule_to_egglog(rule: Rule, ruleset: str) -> str:
    """One egglog `rule` command per direction of `rule`."""
    out = []
    for d in rule.directions():
        comp = _Compiler()
        lhs = comp.term(d.lhs, "lhs")
        conds = [comp.condition(c) for c in d.conditions]
        rhs = comp.term(d.rhs, "rhs")
        facts = " ".join([f"(= __root {lhs})", *conds, *comp.query])
        out.append(f'(rule ({facts}) ((union __root {rhs})) :ruleset {ruleset} :name "{d.name}")')
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Soundness check
# ---------------------------------------------------------------------------------------------


@dataclass
class Counterexample:
    """Why a rule is unsound: an instance whose two sides differ."""

    rule: Rule
    message: str
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    inputs: dict[str, NDArray] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)
    lhs: NDArray | None = None
    rhs: NDArray | None = None

    def __str__(self) -> str:
        parts = [f"rule '{self.rule.name}' is unsound: {self.message}"]
        parts.append(f"  rule: {self.rule.text()}")
        if self.shapes:
            shapes = ", ".join(f"{k}: {shape_str(v) or 'scalar'}" for k, v in self.shapes.items())
            parts.append(f"  shapes: {shapes}")
        if self.attrs:
            parts.append("  attributes: " + ", ".join(f"{k}={v!r}" for k, v in self.attrs.items()))
        with np.printoptions(precision=4, threshold=20, edgeitems=2):
            for k, v in self.inputs.items():
                parts.append(f"  input {k} = {np.array2string(v, separator=', ')}")
            if self.lhs is not None:
                parts.append(f"  left side  = {np.array2string(self.lhs, separator=', ')}")
            if self.rhs is not None:
                parts.append(f"  right side = {np.array2string(self.rhs, separator=', ')}")
        return "\n".join(parts)


class _Invalid(Exception):
    """This random instance does not type-check or does not satisfy the conditions."""


SPECIAL_VALUES: tuple[float, ...] = (
    0.0,
    -0.0,
    np.inf,
    -np.inf,
    np.nan,
    5e-324,
    -2.5e-320,
    1e300,
    -1e300,
    1.0,
    -1.0,
)
"""Values mixed into the soundness check's random inputs (subnormals and huge values of f64,
the type the check computes in)."""

CONSTANT_VALUES: tuple[float, ...] = (-1.5, -0.5, 0.5, 2.0, 3.0, 0.0, -0.0, 1.0, -1.0, 3e38)
"""Values the check gives a rule's rank-0 constants (`const(c)`)."""

_FINITE_FLAGS = frozenset({"reassoc", "nnan", "ninf", "afn", "arcp"})


class _Instance:
    def __init__(
        self, rng: random.Random, nrng: np.random.Generator, mode: int, special: bool = True
    ):
        self.rng, self.nrng, self.mode, self.special = rng, nrng, mode, special
        self.template = [rng.choice((2, 3, 4)) for _ in range(MAX_RANK)]
        self.terms: dict[str, tuple[TType, NDArray]] = {}
        self.attrs: dict[str, Any] = {}

    def leaf_shape(self) -> tuple[int, ...]:
        rank = self.rng.choices((0, 1, 2, 3), weights=(1, 2, 5, 2))[0]
        if self.mode == 0:
            shape = self.template[MAX_RANK - rank :]
            return tuple(1 if self.rng.random() < 0.15 else d for d in shape)
        return tuple(self.rng.choice((2, 3)) for _ in range(rank))

    grid: dict[str, NDArray] | None = None
    """Exhaustive mode: every variable is a vector, together all combinations of values."""

    def leaf(self, name: str, kind: str = "f") -> tuple[TType, NDArray]:
        """The value of variable `name`: f64 (`kind` "f") or boolean (`kind` "b", where the
        pattern uses it as a boolean operand)."""
        if self.grid is not None and name not in self.terms:
            if name not in self.grid:
                raise _Invalid
            value = self.grid[name]
            if kind == "b":
                value = value > 0
            self.terms[name] = (TType(value.shape, "i1" if kind == "b" else "f64"), value)
        if name not in self.terms and kind == "b":
            shape = self.leaf_shape()
            self.terms[name] = (TType(shape, "i1"), self.nrng.random(size=shape) < 0.5)
        if name not in self.terms:
            shape = self.leaf_shape()
            value = np.asarray(self.nrng.uniform(-2.0, 2.0, size=shape).round(3), np.float64)
            if self.special and value.size:
                mask = self.nrng.random(size=shape) < 0.4
                picks = self.nrng.choice(np.array(SPECIAL_VALUES), size=shape)
                value = np.where(mask, picks, value)
            self.terms[name] = (TType(shape, "f64"), np.asarray(value, dtype=np.float64))
        return self.terms[name]

    def choose(self, spec_category: str, attr: str, child: TType | None) -> Any:
        rank = len(child.shape) if child is not None else 0
        rng = self.rng
        if attr == "perm":
            perm = list(range(rank))
            rng.shuffle(perm)
            return ints_str(perm)
        if attr == "axes":
            if rank == 0:
                raise _Invalid
            return ints_str(rng.choice(_axes_subsets(rank)))
        if attr == "axis":
            if rank == 0:
                raise _Invalid
            return str(rng.randrange(rank))
        if attr == "keepdims":
            return rng.randrange(2)
        if attr == "epsilon":
            return rng.choice((1e-5, 0.1))
        if attr == "value":
            value = rng.choice(CONSTANT_VALUES)
            if not self.special and (value == 0.0 or abs(value) > 1e100):
                value = rng.choice(CONSTANT_VALUES[:5])
            # The e-graph never holds -0.0 in a `Scalar` (see `scalar_term`).
            return 0.0 if value == 0.0 else value
        if attr == "elt":
            return "f64"
        if attr == "pred":
            return rng.choice(PREDICATES)
        if attr == "shape" and child is not None:
            if spec_category == "reshape":
                return (
                    shape_str((child.elements,))
                    if rng.random() < 0.5
                    else shape_str(tuple(reversed(child.shape)))
                )
            target = tuple(3 if d == 1 else d for d in child.shape)
            return shape_str((2, *target) if rng.random() < 0.5 and rank < MAX_RANK else target)
        raise _Invalid

    def attr(self, a: AttrExpr, category: str, attr: str, child: TType | None) -> Any:
        if isinstance(a, PLit):
            return a.value
        if isinstance(a, PVar):
            if a.name not in self.attrs:
                self.attrs[a.name] = self.choose(category, attr, child)
            return self.attrs[a.name]
        args = [self.attr(x, category, attr, child) for x in a.args]
        try:
            value = ATTR_IMPLS[a.name](*args)
        except (ValueError, IndexError) as exc:
            raise TermTypeError(str(exc)) from exc
        if attr == "value" and value == 0.0:
            raise _Invalid  # egglog does not fold to a zero (its sign is unknown there)
        return value

    def eval(self, p: Pattern, kind: str = "f") -> tuple[TType, NDArray]:
        """The type and value of `p`, whose parent takes it as a `kind` ("f" float or "b"
        boolean) operand: an elementwise op's operands are the kinds of its row, the other
        nodes' children those of the node."""
        if isinstance(p, PVar):
            return self.leaf(p.name, kind)
        spec = OPS[p.op]
        kinds = spec.row.operand_kinds if spec.row is not None else kind * len(p.args)
        children = [self.eval(c, k) for c, k in zip(p.args, kinds, strict=True)]
        first = children[0][0] if children else None
        attrs = [
            self.attr(a, spec.category, n, first)
            for a, (n, _) in zip(p.attrs, spec.attrs, strict=True)
        ]
        types = [c[0] for c in children]
        t = infer_type(spec, attrs, types)
        return t, eval_node(spec, attrs, [c[1] for c in children], t, child_types=types)

    def holds(self, c: Condition, root: TType) -> bool:
        if isinstance(c, Pred):
            return bool(PRED_IMPLS[c.name](*(self.attr(a, "", "", None) for a in c.args)))
        a = root if isinstance(c.a, PRoot) else self.eval(c.a)[0]
        if isinstance(c, RankEq):
            return len(a.shape) == c.rank
        b = root if isinstance(c.b, PRoot) else self.eval(c.b)[0]
        return a.shape == b.shape


def check_rule(
    rule: Rule,
    trials: int = 3,
    seed: int = 0,
    attempts: int = 600,
    flags: frozenset[str] = frozenset(),
) -> Counterexample | None:
    """Evaluate both sides of every direction of `rule` on `trials` random instances.

    Returns None when all agree, else a counterexample. Instances are drawn with random shapes
    (ranks 0-3, broadcast-compatible or not) until `trials` type-correct instances satisfying
    the conditions are found; a rule that never yields one is reported as well.

    Without fast-math `flags` the inputs mix in ±0, ±inf, NaN, subnormals and huge values and
    the sides must agree exactly on them: NaN where NaN, the same infinities, the same sign of
    zero, finite values to rounding. `nsz` stops comparing the sign of zero; `reassoc`,
    `nnan`, `ninf`, `afn` and `arcp` draw moderate finite inputs only.
    """
    for d in rule.directions():
        found = _check_direction(d, trials, seed, attempts, flags)
        if found is not None:
            return found
    return None


def values_agree(
    lhs: NDArray, rhs: NDArray, nsz: bool = False, nnan: bool = False, ninf: bool = False
) -> bool:
    """Both sides give the same values: NaN in the same places, the same infinities, the same
    sign of zero (unless `nsz`), finite values equal up to rounding. Under `nnan` (`ninf`)
    an element where the left side is NaN (infinite) may be anything on the right: LLVM
    makes such a result poison."""
    a = np.asarray(lhs, np.float64)
    b = np.asarray(rhs, np.float64)
    if a.shape != b.shape:
        return False
    poison = (np.isnan(a) if nnan else False) | (np.isinf(a) if ninf else False)
    if np.any(poison):
        keep = ~np.broadcast_to(poison, a.shape)
        a, b = a[keep], b[keep]
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if not np.array_equal(nan_a, nan_b):
        return False
    inf_a, inf_b = np.isinf(a), np.isinf(b)
    if not np.array_equal(inf_a, inf_b) or not np.array_equal(a[inf_a], b[inf_b]):
        return False
    finite = ~(nan_a | inf_a)
    zeros = finite & (a == 0) & (b == 0)
    if not nsz and not np.array_equal(np.signbit(a[zeros]), np.signbit(b[zeros])):
        return False
    return bool(np.allclose(a[finite], b[finite], rtol=1e-5, atol=1e-6))


def _check_direction(
    rule: Rule, trials: int, seed: int, attempts: int, flags: frozenset[str]
) -> Counterexample | None:
    rng = random.Random(f"{seed}:{rule.name}")
    # A stable seed (str hashes differ between processes): the check is deterministic.
    nrng = np.random.default_rng(zlib.crc32(f"{seed}:{rule.name}".encode()))
    special = not (flags & _FINITE_FLAGS)
    if special:
        found = _check_exhaustive(rule, rng, nrng, "nsz" in flags)
        if found is not None:
            return found
    good = 0
    seen: set[tuple[Any, ...]] = set()
    for attempt in range(attempts):
        inst = _Instance(rng, nrng, attempt % 2, special)
        try:
            lt, lv = inst.eval(rule.lhs)
            if not all(inst.holds(c, lt) for c in rule.conditions):
                raise _Invalid
        except (TermTypeError, _Invalid):
            continue
        key = tuple(sorted((k, v[0].shape) for k, v in inst.terms.items())) + tuple(
            sorted(inst.attrs.items())
        )
        if key in seen and attempt < attempts // 2:
            continue
        seen.add(key)
        shapes = {k: v[0].shape for k, v in inst.terms.items()}
        inputs = {k: v[1] for k, v in inst.terms.items()}
        try:
            rt, rv = inst.eval(rule.rhs)
        except _Invalid:
            continue
        except TermTypeError as exc:
            return Counterexample(
                rule,
                f"the right side does not type-check ({exc})",
                shapes,
                inputs,
                dict(inst.attrs),
                lv,
            )
        if rt.shape != lt.shape:
            return Counterexample(
                rule,
                f"the sides have different shapes {lt.shape} and {rt.shape}",
                shapes,
                inputs,
                dict(inst.attrs),
                lv,
                rv,
            )
        if not values_agree(lv, rv, nsz="nsz" in flags, nnan="nnan" in flags, ninf="ninf" in flags):
            return Counterexample(
                rule,
                "the two sides compute different values",
                shapes,
                inputs,
                dict(inst.attrs),
                lv,
                rv,
            )
        good += 1
        if good >= trials:
            return None
    if good == 0:
        return Counterexample(rule, "no random instance type-checks and satisfies the conditions")
    return None


EXHAUSTIVE_VALUES: tuple[float, ...] = (
    0.0,
    -0.0,
    np.inf,
    -np.inf,
    np.nan,
    1e308,
    -1e308,
    5e-324,
    1.0,
    -1.5,
)


def _term_variables(p: Pattern, into: list[str]) -> list[str]:
    if isinstance(p, PVar):
        if p.name not in into:
            into.append(p.name)
    elif isinstance(p, PApp):
        for c in p.args:
            _term_variables(c, into)
    return into


def _check_exhaustive(
    rule: Rule, rng: random.Random, nrng: np.random.Generator, nsz: bool
) -> Counterexample | None:
    """Both sides on every combination of `EXHAUSTIVE_VALUES` for up to three variables (as
    vectors of one length), where the rule type-checks on vectors; None if it agrees."""
    names = _term_variables(rule.lhs, [])
    if not names or len(names) > 3:
        return None
    grids = np.meshgrid(*([np.array(EXHAUSTIVE_VALUES)] * len(names)), indexing="ij")
    inst = _Instance(rng, nrng, 0, True)
    inst.grid = {n: g.reshape(-1) for n, g in zip(names, grids, strict=True)}
    try:
        lt, lv = inst.eval(rule.lhs)
        if not all(inst.holds(c, lt) for c in rule.conditions):
            return None
        rt, rv = inst.eval(rule.rhs)
    except (TermTypeError, _Invalid):
        return None
    if rt.shape != lt.shape or values_agree(lv, rv, nsz):
        return None
    a, b = np.asarray(lv, np.float64).reshape(-1), np.asarray(rv, np.float64).reshape(-1)
    if a.shape != b.shape:
        return None
    bad = next(i for i in range(a.size) if not values_agree(a[i : i + 1], b[i : i + 1], nsz))
    if lt.shape != (a.size,):
        bad = 0
    inputs = {n: np.asarray(v[bad : bad + 1]) for n, v in inst.grid.items()}
    return Counterexample(
        rule,
        "the two sides compute different values on special values",
        {n: (1,) for n in names},
        inputs,
        dict(inst.attrs),
        a[bad : bad + 1],
        b[bad : bad + 1],
    )


def conditions_text(rule: Rule) -> str:
    return " and ".join(show_condition(c) for c in rule.conditions)


__all__ = [
    "DEFAULT_RULE_SETS",
    "FAST_MATH_FLAGS",
    "RULE_SETS",
    "Counterexample",
    "RuleSet",
    "all_rules",
    "check_rule",
    "parse_fast_math",
    "rule_to_egglog",
    "schema_program",
    "tables_program",
    "values_agree",
]
