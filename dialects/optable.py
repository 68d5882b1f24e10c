"""The op table: every elementwise and reduction op of Ziggurat, one row each.

The dialect op classes stay explicit IRDL classes, one per op and dialect (`ztensor.exp` in
`ztensor.py`, `ztile.exp` in `ztile.py`, named like the row); everything that depends on
*which* elementwise or reduction op it is reads its row here:

| field | read by |
|---|---|
| `name`, `arity`, `types` | the dialects' op lists (a test checks they match), eqsat terms, the frontend's checks |
| `reference`, `predicates` | the semantics of ztensor and ztile, constant folding, eqsat's rule checker |
| `lower` | `ztile-to-zloop`: the `arith`/`math`/`zloop` ops one element becomes |
| `llvm` | `convert-to-llvm` for the `math` op of `lower`; zloop semantics run that op with `reference` |
| `flops` | eqsat's cost model |
| `frontend`, `ufuncs`, `numpy_functions`, `eager`, `doc` | `zg.<frontend>` in `core/api.py`, numpy dispatch on traced arrays |
| `identity`, `commutative` | `canonicalize` (`x + -0.0 -> x`), eqsat's commutativity rules |
| `rules` | eqsat's rule sets: identities that name this op |

References are numpy functions on arrays of one float dtype (scalars of that dtype for the
zloop interpreter) that return that dtype; operands and results that `types` marks `b` are
bool arrays (`i1` tensors), and a comparison's reference takes its predicate by name.
`UNARY` and `BINARY` hold the arithmetic rows (floats in, a float out), `BOOLEAN` the rows
with boolean operands or results. They are total: every consumer calls them through
`evaluate`, under `np.errstate(all="ignore")`, so an overflow or a division by zero is the
IEEE result (inf, NaN), never a warning. `eager` (what `zg.*` computes outside a trace) keeps
numpy's own error state, as numpy does, except where a row says otherwise (`rsqrt` ignores the
division by zero of `1 / sqrt(0)`, which is its defined result +inf).

`lower` is either the name of the one `arith`/`math` op an element becomes (`"math.exp"`) or an
*expansion*: a function `(b, *operands) -> value` that builds the element with `b.const(x)`
(a float constant of the element type) and `b.op(name, *operands)` (the `arith`/`math` op
`name`). The same kind of function can be a `llvm` form, built from `arith` float ops and the
other rows' `math` ops. Expansions build their ops in the order the lowering emits them.

Narrow floats (f16 and bf16, held as `np.float16` and `ml_dtypes.bfloat16` arrays): the
reference of every arithmetic row (`UNARY`, `BINARY`) extends its operands to f32, computes
there and rounds the result once to the narrow dtype (`computed_in_f32`). For the exact ops
(`add`, `sub`, `mul`, `div`, `maximum`, `minimum`, `neg`, `relu`, `sqrt`, `abs`, `floor`,
`ceil`) that is what numpy computes on those dtypes, the correctly rounded result: f32 has more
than twice their precision plus two bits, so rounding twice is harmless. For the
transcendentals and compositions (`exp`, `log`, `tanh`, `sigmoid`, `gelu`, `rsqrt`, `erf`,
`pow`) it is the definition: one rounding of the f32 result (numpy's own `np.exp` on float16
does the same; `gelu` and `sigmoid` would otherwise round after every step). Comparisons and
`select` are exact in any dtype. The reductions accumulate in f32 and round once at the end,
as `matmul` and `ztile.dot` do (the tensor-core convention).

This module imports numpy only (not xDSL), so `import ziggurat` stays light.

Adding an elementwise op: a row in `ELEMENTWISE` (its `lower` may name a `math` op no other
row uses; give that op an `llvm` form, and if it is a new `Helper`, an emitter in
`lowering/llvm_math.py`), one op class in `ztensor.py` and one in `ztile.py` (added to their
`ELEMENTWISE_*` tuples), tests and the regenerated dialect pages (docs/lowering.md, "Adding an
elementwise op").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np

NDArray = np.ndarray[Any, Any]
V = TypeVar("V")


class Scalars(Protocol[V]):
    """What an expansion builds with: one element's constants and `arith`/`math` ops."""

    def const(self, value: float) -> V:
        """A float constant of the element type (a vector of it when vectorized)."""
        ...

    def op(self, name: str, *operands: V, predicate: str | None = None) -> V:
        """The result of the `arith`/`math`/`zloop` op `name` (e.g. `"arith.mulf"`) on
        `operands`; `predicate` for a comparison (`"zloop.cmpf"`)."""
        ...


Expansion = Callable[..., Any]
"""`(b: Scalars[V], *operands: V) -> V`: one element of an op built from other ops."""


# ---------------------------------------------------------------------------------------------
# numpy references (shared with the semantics modules, which re-export them)
# ---------------------------------------------------------------------------------------------


def is_narrow(dtype: Any) -> bool:
    """Whether `dtype` is a 16-bit float: `np.float16` or `ml_dtypes.bfloat16`."""
    dt = np.dtype(dtype)
    return dt == np.float16 or dt.name == "bfloat16"


def computed_in_f32(fn: Callable[..., NDArray]) -> Callable[..., NDArray]:
    """`fn` computed in f32 on narrow floats: operands of a 16-bit float dtype are extended
    to f32 and the result is rounded once back to that dtype; other operands pass as they
    are (`fn` itself runs on them)."""

    def rule(*operands: Any, **kwargs: Any) -> NDArray:
        narrow = [np.asarray(x).dtype for x in operands if is_narrow(np.asarray(x).dtype)]
        if not narrow:
            return fn(*operands, **kwargs)
        wide = [
            np.asarray(x).astype(np.float32) if is_narrow(np.asarray(x).dtype) else x
            for x in operands
        ]
        result = np.asarray(fn(*wide, **kwargs))
        return result.astype(narrow[0]) if result.dtype == np.float32 else result

    rule.__name__ = getattr(fn, "__name__", "rule")
    rule.__doc__ = fn.__doc__
    rule.__wrapped__ = fn  # type: ignore[attr-defined]
    return rule


SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu(x: NDArray) -> NDArray:
    """GELU, tanh approximation, computed in the input's dtype."""
    c = x.dtype.type(SQRT_2_OVER_PI)
    half = x.dtype.type(0.5)
    return half * x * (1 + np.tanh(c * (x + x.dtype.type(0.044715) * x * x * x)))


def sigmoid(x: NDArray) -> NDArray:
    """1 / (1 + exp(-x)); exp of -|x| never overflows, and both branches agree with it."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


def ieee_maximum(x: Any, y: Any) -> NDArray:
    """IEEE 754-2019 `maximum` (as `arith.maximumf` and `llvm.maximum`): NaN propagates and
    -0.0 < +0.0, so the result does not depend on the order of the operands."""
    r = np.maximum(x, y)
    zeros = (np.asarray(x) == 0) & (np.asarray(y) == 0)
    if np.any(zeros):
        both_negative = np.signbit(x) & np.signbit(y)
        r = np.where(zeros, np.where(both_negative, -0.0, 0.0).astype(r.dtype), r)
    return np.asarray(r)


def ieee_minimum(x: Any, y: Any) -> NDArray:
    """IEEE 754-2019 `minimum`: NaN propagates and -0.0 < +0.0."""
    r = np.minimum(x, y)
    zeros = (np.asarray(x) == 0) & (np.asarray(y) == 0)
    if np.any(zeros):
        either_negative = np.signbit(x) | np.signbit(y)
        r = np.where(zeros, np.where(either_negative, -0.0, 0.0).astype(r.dtype), r)
    return np.asarray(r)


def ieee_max_reduce(x: NDArray, axis: Any = None, keepdims: bool = False) -> NDArray:
    """The maximum over `axis` with `ieee_maximum`'s order: +0.0 wins over -0.0, NaN propagates."""
    r = np.max(x, axis=axis, keepdims=keepdims)
    if np.any(r == 0):
        positive_zero = np.any((x == 0) & ~np.signbit(x), axis=axis, keepdims=keepdims)
        r = np.where(r == 0, np.where(positive_zero, 0.0, -0.0).astype(x.dtype), r)
    return np.asarray(r)


def ieee_min_reduce(x: NDArray, axis: Any = None, keepdims: bool = False) -> NDArray:
    """The minimum over `axis` with `ieee_minimum`'s order: -0.0 wins over +0.0, NaN propagates."""
    r = np.min(x, axis=axis, keepdims=keepdims)
    if np.any(r == 0):
        negative_zero = np.any((x == 0) & np.signbit(x), axis=axis, keepdims=keepdims)
        r = np.where(r == 0, np.where(negative_zero, -0.0, 0.0).astype(x.dtype), r)
    return np.asarray(r)


def relu(x: NDArray) -> NDArray:
    """max(x, +0.0) in IEEE order: relu(-0.0) is +0.0, relu(NaN) is NaN."""
    return ieee_maximum(x, x.dtype.type(0))


def rsqrt(x: NDArray) -> NDArray:
    """1 / sqrt(x): +inf at +-0.0 (no division-by-zero warning), NaN below zero."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (1 / np.sqrt(x)).astype(x.dtype)


_ERF = np.vectorize(math.erf, otypes=[np.float64])


def erf(x: NDArray) -> NDArray:
    """The error function, from Python's `math.erf` (the C library's, accurate to an ulp in
    float64), rounded to the input's dtype."""
    return np.asarray(_ERF(x)).astype(x.dtype)


def select(c: NDArray, x: NDArray, y: NDArray) -> NDArray:
    """x where c is true, y elsewhere (numpy.where), in x's dtype."""
    return np.asarray(np.where(c, x, y)).astype(np.result_type(x, y))


def _relu_eager(x: NDArray) -> NDArray:
    # What zg.relu has always computed outside a trace: numpy's maximum (which may keep -0.0).
    return np.maximum(x, x.dtype.type(0))


# ---------------------------------------------------------------------------------------------
# Expansions into arith/math ops (ztile-to-zloop) and into LLVM (convert-to-llvm)
# ---------------------------------------------------------------------------------------------


def _expand_relu(b: Scalars[V], x: V) -> V:
    # max(x, +0.0)
    return b.op("arith.maximumf", x, b.const(0.0))


def _expand_sigmoid(b: Scalars[V], x: V) -> V:
    # 1 / (1 + exp(-x))
    e = b.op("math.exp", b.op("arith.negf", x))
    return b.op("arith.divf", b.const(1.0), b.op("arith.addf", b.const(1.0), e))


def _expand_gelu(b: Scalars[V], x: V) -> V:
    # 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x**3)))
    x3 = b.op("arith.mulf", b.op("arith.mulf", x, x), x)
    inner = b.op("arith.addf", x, b.op("arith.mulf", b.const(0.044715), x3))
    t = b.op("math.tanh", b.op("arith.mulf", b.const(SQRT_2_OVER_PI), inner))
    half_x = b.op("arith.mulf", b.const(0.5), x)
    return b.op("arith.mulf", half_x, b.op("arith.addf", b.const(1.0), t))


def _llvm_rsqrt(b: Scalars[V], x: V) -> V:
    # 1 / sqrt(x): LLVM has no reciprocal square root intrinsic.
    root = b.op("math.sqrt", x)
    return b.op("arith.divf", b.const(1.0), root)


@dataclass(frozen=True)
class Intrinsic:
    """An LLVM intrinsic, called with the type suffix of its operands (`llvm.sqrt.v16f32`)."""

    name: str


@dataclass(frozen=True)
class Helper:
    """A helper function `__zg_<name>_<type>` whose body `lowering/llvm_math.py` emits
    (`EMITTERS[name]`): for what LLVM has no intrinsic for, or none that vectorizes."""

    name: str


@dataclass(frozen=True)
class Predicate:
    """One predicate of a comparison row: `name` (the ops' `predicate`, as `arith.cmpf`'s),
    its numpy rule, the Python operator that spells it on traced arrays and the numpy ufunc
    that dispatches to it."""

    name: str
    reference: Callable[..., NDArray]
    operator: str | None = None
    ufunc: str | None = None


@dataclass(frozen=True)
class Rewrite:
    """An eqsat rule about an op, in the rule syntax of `passes/eqsat_rulefile.py`: `rule` is
    appended to the shipped rule set `rule_set`, after a `# comment` line saying its identity."""

    rule_set: str
    comment: str
    rule: str


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Elementwise:
    """One elementwise op: `arity` tensors (broadcast together) in, one tensor out."""

    name: str
    """The op's name in every dialect (`ztensor.<name>`, `ztile.<name>`) and in eqsat rules."""
    arity: int
    reference: Callable[..., NDArray]
    """The numpy rule (see the module docstring); call it through `evaluate`. A row with
    `predicates` takes the predicate's name as the keyword `predicate`."""
    lower: str | Expansion
    """The `arith`/`math`/`zloop` op one element becomes, or an expansion into such ops."""
    flops: int
    """Arithmetic per element in FLOP-equivalents, for eqsat's cost model."""
    frontend: str | None
    """`zg.<frontend>` (None: no `zg` function, e.g. operators spell it)."""
    doc: str
    """The docstring of `zg.<frontend>`."""
    types: str = ""
    """The kinds of the operands and of the result, `"ff->f"` by default: `f` a float of the
    op's element type, `b` a boolean (`i1`): `"ff->b"` for a comparison."""
    predicates: tuple[Predicate, ...] = ()
    """The predicates of a comparison: the ops carry one as their `predicate` property."""
    ufuncs: tuple[str, ...] = ()
    """numpy ufuncs that dispatch to this op on traced arrays; the first is what
    `zg.<frontend>` computes on numpy values (so it stays exactly numpy's)."""
    numpy_functions: tuple[str, ...] = ()
    """numpy functions (not ufuncs) that dispatch to this op on traced arrays (`np.where`);
    the first is what `zg.<frontend>` computes on numpy values."""
    eager: Callable[..., Any] | None = None
    """What `zg.<frontend>` computes on float arrays when there is no ufunc and `reference`
    (the default) is not it."""
    llvm: Intrinsic | Helper | Expansion | None = None
    """How `convert-to-llvm` lowers `lower` when it names a `math` op."""
    identity: float | None = None
    """A binary op's right identity: `x op identity` is exactly `x` (-0.0 for `add`)."""
    commutative: bool = False
    rules: tuple[Rewrite, ...] = ()

    @property
    def math_op(self) -> str | None:
        """The `math` op `lower` names, if it names one."""
        if isinstance(self.lower, str) and self.lower.startswith("math."):
            return self.lower
        return None

    @property
    def operand_kinds(self) -> str:
        """One letter per operand: `f` (float) or `b` (boolean)."""
        return self.types.split("->")[0] if self.types else "f" * self.arity

    @property
    def result_kind(self) -> str:
        """`f` (a float of the op's element type) or `b` (boolean)."""
        return self.types.split("->")[1] if self.types else "f"

    @property
    def is_arithmetic(self) -> bool:
        """Floats in, a float out, no predicate: the ops of `UNARY` and `BINARY`."""
        return not self.predicates and "b" not in self.types

    def predicate(self, name: str) -> Predicate:
        """The predicate called `name` (KeyError if the row has none of that name)."""
        for p in self.predicates:
            if p.name == name:
                return p
        raise KeyError(f"{self.name} has no predicate {name!r}")

    def evaluate(self, *operands: Any, predicate: str | None = None) -> NDArray:
        """`reference` on `operands` with IEEE results instead of floating-point warnings."""
        with np.errstate(all="ignore"):
            if self.predicates:
                return self.reference(*operands, predicate=predicate)
            return self.reference(*operands)

    def expand(self, b: Scalars[V], *operands: V, predicate: str | None = None) -> V:
        """One element of the op, built with `b` (see `lower`)."""
        if isinstance(self.lower, str):
            if self.predicates:
                return b.op(self.lower, *operands, predicate=predicate)
            return b.op(self.lower, *operands)
        if self.predicates:
            return self.lower(b, *operands, predicate=predicate)
        return self.lower(b, *operands)


@dataclass(frozen=True)
class Reduction:
    """One reduction over a set of axes, optionally keeping them as size-1 dims."""

    name: str
    """`ztensor.<name>` and its eqsat term."""
    reference: Callable[..., NDArray]
    """`reference(x, axis=tuple_of_axes, keepdims=bool)`."""
    frontend: str
    """`zg.<frontend>` and the traced array's method `x.<frontend>(...)`."""
    numpy_functions: tuple[str, ...]
    """numpy functions that dispatch to this op on traced arrays; the first is what
    `zg.<frontend>` computes on numpy values."""
    doc: str
    tile_kind: str | None = None
    """The `ztile.reduce` kind computing it (`mean` is a `sum` divided by the count)."""


def _ordered_not_equal(x: NDArray, y: NDArray) -> NDArray:
    """x != y where neither is NaN (`one`; numpy's != is the unordered `une`)."""
    return np.asarray((x < y) | (x > y))


COMPARE_PREDICATES: tuple[Predicate, ...] = (
    Predicate("olt", np.less, "<", "less"),
    Predicate("ole", np.less_equal, "<=", "less_equal"),
    Predicate("ogt", np.greater, ">", "greater"),
    Predicate("oge", np.greater_equal, ">=", "greater_equal"),
    Predicate("oeq", np.equal, "==", "equal"),
    Predicate("one", _ordered_not_equal),
    Predicate("une", np.not_equal, "!=", "not_equal"),
)
"""The predicates of `cmp`: IEEE comparisons as numpy's operators give them (ordered: false
where an operand is NaN; `une`, numpy's !=, true there); -0.0 == +0.0."""


def _compare(x: NDArray, y: NDArray, *, predicate: str) -> NDArray:
    rule = next(p.reference for p in COMPARE_PREDICATES if p.name == predicate)
    return np.asarray(rule(x, y))


def _unary(
    name: str,
    reference: Callable[..., NDArray],
    lower: str | Expansion,
    flops: int,
    doc: str,
    **facts: Any,
) -> Elementwise:
    frontend = facts.pop("frontend", name)
    return Elementwise(name, 1, computed_in_f32(reference), lower, flops, frontend, doc, **facts)


def _binary(
    name: str,
    reference: Callable[..., NDArray],
    lower: str,
    flops: int,
    frontend: str,
    doc: str,
    **facts: Any,
) -> Elementwise:
    return Elementwise(
        name,
        2,
        computed_in_f32(reference),
        lower,
        flops,
        frontend,
        doc,
        ufuncs=(frontend,),
        **facts,
    )


BINARY: tuple[Elementwise, ...] = (
    _binary("add", np.add, "arith.addf", 1, "add", "x1 + x2 with numpy broadcasting (numpy.add).",
            identity=-0.0, commutative=True),
    _binary("sub", np.subtract, "arith.subf", 1, "subtract",
            "x1 - x2 with numpy broadcasting (numpy.subtract).", identity=0.0),
    _binary("mul", np.multiply, "arith.mulf", 1, "multiply",
            "x1 * x2 with numpy broadcasting (numpy.multiply).", identity=1.0, commutative=True),
    _binary("div", np.divide, "arith.divf", 4, "divide",
            "x1 / x2 (true division) with numpy broadcasting (numpy.divide).", identity=1.0),
    _binary("maximum", ieee_maximum, "arith.maximumf", 1, "maximum",
            "Elementwise maximum, NaN-propagating (numpy.maximum).", commutative=True),
    _binary("minimum", ieee_minimum, "arith.minimumf", 1, "minimum",
            "Elementwise minimum, NaN-propagating (numpy.minimum).", commutative=True),
    _binary("pow", np.power, "math.powf", 20, "power",
            "x1 ** x2 with numpy broadcasting (numpy.power).", identity=1.0,
            llvm=Intrinsic("llvm.pow")),
)  # fmt: skip
"""The elementwise binary ops, in the dialects' order."""

UNARY: tuple[Elementwise, ...] = (
    _unary("neg", np.negative, "arith.negf", 1, "-x (numpy.negative).", frontend="negative",
           ufuncs=("negative",)),
    _unary("exp", np.exp, "math.exp", 10, "e**x (numpy.exp).", ufuncs=("exp",),
           llvm=Helper("exp")),
    _unary("log", np.log, "math.log", 10, "Natural logarithm (numpy.log).", ufuncs=("log",),
           llvm=Helper("log")),
    _unary("tanh", np.tanh, "math.tanh", 12, "Hyperbolic tangent (numpy.tanh).",
           ufuncs=("tanh",), llvm=Helper("tanh")),
    _unary("sigmoid", sigmoid, _expand_sigmoid, 12,
           "The logistic function 1 / (1 + e**-x), elementwise."),
    _unary("relu", relu, _expand_relu, 1, "max(x, 0), elementwise.", eager=_relu_eager,
           rules=(Rewrite("algebra", "max(x, +0) = relu(x)",
                          "rule maximum-zero: maximum(x, 0.0) => relu(x) if shape(x) == shape($)"),)),
    _unary("gelu", gelu, _expand_gelu, 16,
           "GELU, tanh approximation: 0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3)))."),
    _unary("sqrt", np.sqrt, "math.sqrt", 4, "Square root (numpy.sqrt).", ufuncs=("sqrt",),
           llvm=Intrinsic("llvm.sqrt")),
    _unary("rsqrt", rsqrt, "math.rsqrt", 4, "1 / sqrt(x).", llvm=_llvm_rsqrt,
           rules=(Rewrite("algebra", "1 / sqrt(x) = rsqrt(x)",
                          "rule div-sqrt: div(1.0, sqrt(x)) => rsqrt(x) if shape(x) == shape($)"),
                  Rewrite("algebra-arcp",
                          "x / sqrt(y) = x * rsqrt(y): a reciprocal instead of a division (rounds differently)",
                          "rule div-sqrt-rsqrt: div(x, sqrt(y)) => mul(x, rsqrt(y))"))),
    _unary("abs", np.abs, "math.absf", 1, "Absolute value (numpy.abs).", ufuncs=("absolute",),
           llvm=Intrinsic("llvm.fabs")),
    _unary("erf", erf, "math.erf", 20,
           "The error function 2/sqrt(pi) * integral of exp(-t**2) from 0 to x (math.erf), "
           "elementwise; exact GELU is 0.5 * x * (1 + zg.erf(x / sqrt(2))).",
           llvm=Helper("erf")),
    _unary("floor", np.floor, "math.floor", 1, "The largest integral value <= x (numpy.floor).",
           ufuncs=("floor",), llvm=Intrinsic("llvm.floor")),
    _unary("ceil", np.ceil, "math.ceil", 1, "The smallest integral value >= x (numpy.ceil).",
           ufuncs=("ceil",), llvm=Intrinsic("llvm.ceil")),
)  # fmt: skip
"""The elementwise unary ops, in the dialects' order."""

BOOLEAN: tuple[Elementwise, ...] = (
    Elementwise("cmp", 2, _compare, "zloop.cmpf", 1, None,
                "An elementwise comparison (the operators < <= > >= == != of traced arrays).",
                types="ff->b", predicates=COMPARE_PREDICATES),
    Elementwise("select", 3, select, "zloop.select", 1, "where",
                "x where condition is true, y elsewhere, with numpy broadcasting (numpy.where).",
                types="bff->f", numpy_functions=("where",)),
)  # fmt: skip
"""The elementwise ops with boolean operands or results (`types`), in the dialects' order."""

ELEMENTWISE: dict[str, Elementwise] = {row.name: row for row in (*BINARY, *UNARY, *BOOLEAN)}
"""Every elementwise op by name."""

REDUCTIONS: tuple[Reduction, ...] = (
    Reduction("reduce_sum", computed_in_f32(np.sum), "sum", ("sum",),
              "Sum over `axis` (None: all axes) (numpy.sum).", tile_kind="sum"),
    Reduction("reduce_max", computed_in_f32(ieee_max_reduce), "max", ("max", "amax"),
              "Maximum over `axis` (None: all axes) (numpy.max).", tile_kind="max"),
    Reduction("reduce_mean", computed_in_f32(np.mean), "mean", ("mean",),
              "Arithmetic mean over `axis` (None: all axes) (numpy.mean)."),
)  # fmt: skip
"""The reductions, in the dialect's order."""

REDUCTION: dict[str, Reduction] = {row.name: row for row in REDUCTIONS}
TILE_REDUCTION: dict[str, Reduction] = {
    row.tile_kind: row for row in REDUCTIONS if row.tile_kind is not None
}
"""`ztile.reduce` kind -> the reduction it computes."""

MATH_OPS: dict[str, Elementwise] = {
    row.math_op: row for row in ELEMENTWISE.values() if row.math_op is not None
}
"""`math` op name -> the row that lowers to it (its reference and LLVM form)."""


def predicate_of(op: Any) -> str | None:
    """The `predicate` property of an op of a comparison row (a `StringAttr`), else None."""
    attr = op.properties.get("predicate")
    return None if attr is None else str(attr.data)


def unknown_predicate(op_name: str, row_name: str, predicate: str) -> str | None:
    """The verifier's message when `predicate` is not one of row `row_name`'s, else None."""
    names = [p.name for p in ELEMENTWISE[row_name].predicates]
    if predicate in names:
        return None
    return f"'{op_name}' op predicate must be one of {', '.join(names)}, got \"{predicate}\""


def check_table() -> None:
    """Raise AssertionError when the table contradicts itself (run by the tests)."""
    names = [row.name for row in (*BINARY, *UNARY, *BOOLEAN)] + [r.name for r in REDUCTIONS]
    assert len(set(names)) == len(names), "duplicate op names"
    fronts = [row.frontend for row in ELEMENTWISE.values() if row.frontend is not None]
    fronts += [row.frontend for row in REDUCTIONS]
    assert len(set(fronts)) == len(fronts), "duplicate frontend spellings"
    for row in ELEMENTWISE.values():
        assert (row.math_op is None) == (row.llvm is None), f"{row.name}: llvm form"
        assert row.arity == 2 or row.identity is None, f"{row.name}: identity of a unary op"
        assert len(row.operand_kinds) == row.arity and row.result_kind in "fb", row.name
        assert "f" in row.operand_kinds, f"{row.name}: the element type comes from a float"
        assert row.is_arithmetic == (row in (*BINARY, *UNARY)), f"{row.name}: wrong tuple"
        assert not row.is_arithmetic or row.ufuncs or row.arity == 1, f"{row.name}: ufunc"
        names = [p.name for p in row.predicates]
        assert len(set(names)) == len(names), f"{row.name}: duplicate predicates"
    for name in MATH_OPS:
        assert sum(r.math_op == name for r in ELEMENTWISE.values()) == 1, f"{name}: two rows"


__all__ = [
    "BINARY",
    "BOOLEAN",
    "ELEMENTWISE",
    "MATH_OPS",
    "REDUCTION",
    "REDUCTIONS",
    "TILE_REDUCTION",
    "UNARY",
    "Elementwise",
    "Expansion",
    "Helper",
    "Intrinsic",
    "Predicate",
    "Reduction",
    "Rewrite",
    "Scalars",
    "check_table",
    "computed_in_f32",
    "erf",
    "gelu",
    "ieee_max_reduce",
    "ieee_maximum",
    "ieee_min_reduce",
    "ieee_minimum",
    "is_narrow",
    "predicate_of",
    "relu",
    "rsqrt",
    "select",
    "sigmoid",
]
