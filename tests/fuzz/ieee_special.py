"""Differential testing on IEEE special values: programs, oracles and the exact comparison.

A program is a small ztensor function built from a `Term` tree (inputs, rank-0 constants and
ztensor ops with concrete attributes). `mlir(term, inputs)` prints it as .mlir text,
`numpy_eval` evaluates it with plain numpy in float32 (the independent oracle), and
`run_case` (a job of a worker process, tests/fuzz/workers.py) compiles and runs it under one
configuration: the reference interpreter, or `zg.compile` with `cpu-pipeline{opt-level=O
eqsat=E}`. `compare` checks one result against another exactly on special values (NaN
positions, infinities with their sign, the sign of zeros) and to a per-op tolerance on finite
values.

`instantiate(rule)` turns the left side of an eqsat rule into such a program, trying
attribute values and shapes until it type-checks and satisfies the rule's conditions, with
special values (±0, inf, NaN, ...) for the rule's constants.
"""

from __future__ import annotations

import itertools
import json
import math
import struct
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

NDArray = np.ndarray[Any, Any]
F32 = np.float32

# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------

TINY = float(np.finfo(F32).tiny)  # smallest normal
SUB_MIN = float(np.nextafter(F32(0), F32(1)))  # smallest subnormal, 1.4e-45
MAX = float(np.finfo(F32).max)

SPECIALS: tuple[float, ...] = (
    0.0,
    -0.0,
    math.inf,
    -math.inf,
    math.nan,
    SUB_MIN,
    -SUB_MIN,
    1e-40,
    -1e-40,
    TINY,
    MAX,
    -MAX,
    1e30,
    -1e30,
    88.5,
    -104.0,
    1.0,
    -1.0,
    0.5,
    -2.5,
    3.0,
    1e-7,
    10.0,
)
"""Inputs of the elementwise tests: every pair of these is tried for binary ops."""

TAME: tuple[float, ...] = tuple(v for v in SPECIALS if not (math.isfinite(v) and abs(v) > 1e3))
"""Specials without huge finite values: for programs whose results depend on summation order
(reductions, matmul), where a huge value could overflow an intermediate sum in one order only."""

CONSTANTS: tuple[float, ...] = (0.0, -0.0, math.inf, math.nan, 3.0, -1.0, 0.5, SUB_MIN, 1e30)
"""Values tried for a rule's rank-0 constants (the largest float32 is tried on its own in the
tests: folding MAX + MAX fails at compile time, which would hide every other result)."""


def f32_hex(value: float) -> str:
    return "0x{:08X}".format(struct.unpack("<I", struct.pack("<f", value))[0])


def cycle_values(pool: Sequence[float], n: int, offset: int) -> NDArray:
    """`n` float32 values from `pool`, starting at `offset`, then cycling with a stride that
    makes different inputs meet different partners."""
    stride = 1 + offset % max(1, len(pool) - 1)
    return np.array([pool[(offset + i * stride) % len(pool)] for i in range(n)], dtype=F32)


# ---------------------------------------------------------------------------------------------
# Terms
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Term:
    """`kind` is "input" (name), "scalar" (value: a rank-0 f32 constant) or an op: the
    ztensor op name without the dialect (`add`, `reduce_sum`, ...) with `attrs`:
    perm/axes (tuples), keepdims (bool), shape (tuple), axis (int), epsilon (float).

    Terms compare by identity (as values, 0.0 == -0.0 and NaN != NaN); `to_json` is the key
    to compare or deduplicate them by."""

    kind: str
    args: tuple[Term, ...] = ()
    attrs: tuple[tuple[str, Any], ...] = ()
    name: str = ""
    value: float = 0.0

    def attr(self, key: str) -> Any:
        return dict(self.attrs)[key]

    def to_json(self) -> Any:
        if self.kind == "input":
            return ["input", self.name]
        if self.kind == "scalar":
            return ["scalar", f32_hex(self.value)]
        return [
            self.kind,
            [[k, list(v) if isinstance(v, tuple) else v] for k, v in self.attrs],
            [a.to_json() for a in self.args],
        ]

    @staticmethod
    def from_json(data: Any) -> Term:
        if data[0] == "input":
            return inp(data[1])
        if data[0] == "scalar":
            return scalar(struct.unpack("<f", struct.pack("<I", int(data[1], 16)))[0])
        attrs = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in data[1])
        return Term(data[0], tuple(Term.from_json(a) for a in data[2]), attrs)

    def text(self) -> str:
        if self.kind == "input":
            return self.name
        if self.kind == "scalar":
            return repr(self.value)
        attrs = ", ".join(f"{k}={v}" for k, v in self.attrs)
        inner = ", ".join(a.text() for a in self.args)
        return f"{self.kind}{{{attrs}}}({inner})" if attrs else f"{self.kind}({inner})"

    def ops(self) -> set[str]:
        out = set() if self.kind in ("input", "scalar") else {self.kind}
        for a in self.args:
            out |= a.ops()
        return out


def rename(term: Term, prefix: str) -> Term:
    """`term` with every input `n` renamed `prefix + n`."""
    if term.kind == "input":
        return inp(prefix + term.name)
    if term.kind == "scalar":
        return term
    return Term(term.kind, tuple(rename(a, prefix) for a in term.args), term.attrs)


def inp(name: str) -> Term:
    return Term("input", name=name)


def scalar(value: float) -> Term:
    return Term("scalar", value=float(F32(value)))


def op(kind: str, *args: Term, **attrs: Any) -> Term:
    return Term(kind, tuple(args), tuple(sorted(attrs.items())))


UNARY = ("neg", "exp", "log", "tanh", "sigmoid", "relu", "gelu", "sqrt", "rsqrt", "abs", "erf", "floor", "ceil")
BINARY = ("add", "sub", "mul", "div", "maximum", "minimum", "pow")
REDUCE = ("reduce_sum", "reduce_max", "reduce_mean")

# ---------------------------------------------------------------------------------------------
# The numpy oracle (also the type checker of instantiated rules)
# ---------------------------------------------------------------------------------------------


class IllTyped(Exception):
    pass


PREDICATES: dict[str, Any] = {
    "oeq": np.equal,
    "one": lambda x, y: np.less(x, y) | np.greater(x, y),
    "olt": np.less,
    "ole": np.less_equal,
    "ogt": np.greater,
    "oge": np.greater_equal,
    "une": np.not_equal,
}
"""`ztensor.cmp`'s predicates as numpy computes them (IEEE: o = ordered, u = unordered)."""


def _ieee_max(x: NDArray, y: NDArray) -> NDArray:
    r = np.maximum(x, y)
    zeros = (x == 0) & (y == 0)
    return np.where(zeros, np.where(np.signbit(x) & np.signbit(y), F32(-0.0), F32(0.0)), r)


def _ieee_min(x: NDArray, y: NDArray) -> NDArray:
    r = np.minimum(x, y)
    zeros = (x == 0) & (y == 0)
    return np.where(zeros, np.where(np.signbit(x) | np.signbit(y), F32(-0.0), F32(0.0)), r)


def _f64(fn: Any, *xs: NDArray) -> NDArray:
    return np.asarray(fn(*(np.asarray(x, np.float64) for x in xs))).astype(F32)


def _gelu64(x: NDArray) -> NDArray:
    c = math.sqrt(2.0 / math.pi)
    return 0.5 * x * (1 + np.tanh(c * (x + 0.044715 * x * x * x)))


def _sigmoid64(x: NDArray) -> NDArray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _axes(axes: Sequence[int], rank: int) -> tuple[int, ...]:
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise IllTyped(f"axis {a} out of range for rank {rank}")
        out.append(a % rank)
    if len(set(out)) != len(out):
        raise IllTyped("repeated axis")
    return tuple(out)


def _reduce_max(x: NDArray, axes: tuple[int, ...], keep: bool) -> NDArray:
    r = np.max(x, axis=axes, keepdims=keep)
    pos_zero = np.any((x == 0) & ~np.signbit(x), axis=axes, keepdims=keep)
    return np.asarray(np.where(r == 0, np.where(pos_zero, F32(0.0), F32(-0.0)), r), F32)


def numpy_eval(term: Term, inputs: dict[str, NDArray]) -> NDArray:
    """The value of `term` with numpy (float32 results; transcendental functions evaluated
    in float64 and rounded). Raises IllTyped when the term does not type-check."""
    with np.errstate(all="ignore"):
        return _eval(term, inputs)


def _eval(t: Term, env: dict[str, NDArray]) -> NDArray:
    if t.kind == "input":
        return env[t.name]
    if t.kind == "scalar":
        return np.asarray(F32(t.value))
    xs = [_eval(a, env) for a in t.args]
    k = t.kind
    if k in ("cmp", "select"):
        floats = xs[1:] if k == "select" else xs
        if any(x.dtype != F32 for x in floats) or (k == "select" and xs[0].dtype != np.bool_):
            raise IllTyped(f"{k}: operand types")
        try:
            np.broadcast_shapes(*(x.shape for x in xs))
        except ValueError as e:
            raise IllTyped(str(e)) from None
        if k == "select":
            return np.where(*xs).astype(F32)
        return np.asarray(PREDICATES[str(t.attr("pred"))](*xs), np.bool_)
    if any(x.dtype == np.bool_ for x in xs):
        raise IllTyped(f"{k}: a boolean operand")
    if k in BINARY:
        x, y = xs
        try:
            np.broadcast_shapes(x.shape, y.shape)
        except ValueError as e:
            raise IllTyped(str(e)) from None
        fns: dict[str, Any] = {
            "add": np.add,
            "sub": np.subtract,
            "mul": np.multiply,
            "div": np.divide,
        }
        if k in fns:
            return np.asarray(fns[k](x, y), F32)
        if k == "maximum":
            return np.asarray(_ieee_max(*np.broadcast_arrays(x, y)), F32)
        if k == "minimum":
            return np.asarray(_ieee_min(*np.broadcast_arrays(x, y)), F32)
        return _f64(np.power, x, y)
    if k in UNARY:
        (x,) = xs
        if k == "neg":
            return np.negative(x)
        if k == "abs":
            return np.abs(x)
        if k == "relu":
            return np.asarray(_ieee_max(x, np.zeros_like(x)), F32)
        if k == "sqrt":
            return np.sqrt(x)
        if k == "floor":
            return np.floor(x)
        if k == "ceil":
            return np.ceil(x)
        table: dict[str, Any] = {
            "exp": np.exp,
            "log": np.log,
            "tanh": np.tanh,
            "sigmoid": _sigmoid64,
            "gelu": _gelu64,
            "rsqrt": lambda v: 1 / np.sqrt(v),
            "erf": np.vectorize(math.erf, otypes=[np.float64]),
        }
        return _f64(table[k], x)
    if k == "matmul":
        a, b = xs
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
            raise IllTyped("matmul shapes")
        return _f64(np.matmul, a, b)
    (x,) = xs
    if k == "transpose":
        perm = tuple(t.attr("perm"))
        if sorted(perm) != list(range(x.ndim)):
            raise IllTyped("bad permutation")
        return np.ascontiguousarray(np.transpose(x, perm))
    if k == "reshape":
        shape = tuple(t.attr("shape"))
        if math.prod(shape) != x.size:
            raise IllTyped("reshape size")
        return x.reshape(shape)
    if k == "broadcast_to":
        shape = tuple(t.attr("shape"))
        try:
            return np.broadcast_to(x, shape).copy()
        except ValueError as e:
            raise IllTyped(str(e)) from None
    if k in REDUCE:
        if x.ndim == 0:
            raise IllTyped("reduction of a scalar")
        axes = _axes(t.attr("axes"), x.ndim)
        keep = bool(t.attr("keepdims"))
        if k == "reduce_max":
            return _reduce_max(x, axes, keep)
        # The float64 sum of float32 values, rounded once: exact for two addends, and it
        # overflows exactly when the float32 sum does. A sum starts from +0.0, as numpy's
        # does (Ziggurat's semantics of reduce_sum and reduce_mean), so a zero sum is +0.0,
        # even of -0.0s only (where IEEE's sum of the addends alone would be -0.0).
        total = np.asarray(np.sum(x.astype(np.float64), axis=axes, keepdims=keep)).astype(F32)
        total = np.where(total == 0, F32(0.0), total)
        if k == "reduce_mean":
            count = math.prod(x.shape[a] for a in axes)
            total = total / F32(count)
        return np.asarray(total, F32)
    if k == "softmax":
        axis = _axes((t.attr("axis"),), x.ndim)[0]
        x64 = x.astype(np.float64)
        ex = np.exp(x64 - np.max(x64, axis=axis, keepdims=True))
        return (ex / np.sum(ex, axis=axis, keepdims=True)).astype(F32)
    if k == "layernorm":
        axis = _axes((t.attr("axis"),), x.ndim)[0]
        x64 = x.astype(np.float64)
        c = x64 - np.mean(x64, axis=axis, keepdims=True)
        var = np.mean(c * c, axis=axis, keepdims=True)
        return (c / np.sqrt(var + float(F32(t.attr("epsilon"))))).astype(F32)
    raise IllTyped(f"no numpy rule for {k}")


# ---------------------------------------------------------------------------------------------
# .mlir text
# ---------------------------------------------------------------------------------------------


def _type(shape: Sequence[int], dtype: Any = F32) -> str:
    elt = "i1" if np.dtype(dtype) == np.bool_ else "f32"
    return "tensor<" + "".join(f"{d}x" for d in shape) + elt + ">"


def mlir(term: Term | Sequence[Term], inputs: dict[str, NDArray], name: str = "f") -> str:
    """A function `@name(inputs in sorted order) -> (one result per term)`."""
    terms = [term] if isinstance(term, Term) else list(term)
    names = sorted(inputs)
    lines: list[str] = []
    # Keyed by the JSON form: as dataclasses, scalar(0.0) == scalar(-0.0).
    cache: dict[str, tuple[str, tuple[int, ...], Any]] = {}
    counter = itertools.count()

    def emit(t: Term) -> tuple[str, tuple[int, ...], Any]:
        key = json.dumps(t.to_json())
        if key in cache:
            return cache[key]
        if t.kind == "input":
            x = inputs[t.name]
            result = (f"%{t.name}", tuple(x.shape), x.dtype)
            cache[key] = result
            return result
        value = numpy_eval(t, inputs)
        shape = tuple(value.shape)
        v = f"%v{next(counter)}"
        ty = _type(shape, value.dtype)
        if t.kind == "scalar":
            lines.append(f"  {v} = ztensor.constant dense<{f32_hex(t.value)}> : tensor<f32>")
            cache[key] = (v, (), F32)
            return cache[key]
        args = [emit(a) for a in t.args]
        k = t.kind
        operands = ", ".join(a for a, _, _ in args)
        in_types = [_type(s, d) for _, s, d in args]
        if k == "cmp":
            lines.append(
                f'  {v} = ztensor.cmp "{t.attr("pred")}" {operands} : '
                f"({in_types[0]}, {in_types[1]}) -> {ty}"
            )
        elif k == "select":
            lines.append(f"  {v} = ztensor.select {operands} : ({', '.join(in_types)}) -> {ty}")
        elif k in BINARY or k == "matmul":
            lines.append(f"  {v} = ztensor.{k} {operands} : ({in_types[0]}, {in_types[1]}) -> {ty}")
        elif k in UNARY:
            lines.append(f"  {v} = ztensor.{k} {operands} : {ty}")
        elif k == "transpose":
            perm = ", ".join(str(p) for p in t.attr("perm"))
            lines.append(
                f"  {v} = ztensor.transpose {operands} {{permutation = array<i64: {perm}>}} : "
                f"{in_types[0]} -> {ty}"
            )
        elif k in ("reshape", "broadcast_to"):
            lines.append(f"  {v} = ztensor.{k} {operands} : {in_types[0]} -> {ty}")
        elif k in REDUCE:
            axes = ", ".join(str(a) for a in t.attr("axes"))
            keep = "true" if t.attr("keepdims") else "false"
            lines.append(
                f"  {v} = ztensor.{k} {operands} {{axes = array<i64: {axes}>, keepdims = {keep}}}"
                f" : {in_types[0]} -> {ty}"
            )
        elif k == "softmax":
            lines.append(
                f"  {v} = ztensor.softmax {operands} {{axis = {t.attr('axis')} : i64}} : {ty}"
            )
        elif k == "layernorm":
            eps = f32_hex(float(t.attr("epsilon")))
            lines.append(
                f"  {v} = ztensor.layernorm {operands} {{axis = {t.attr('axis')} : i64, "
                f"epsilon = {eps} : f32}} : {ty}"
            )
        else:
            raise IllTyped(f"cannot print {k}")
        cache[key] = (v, shape, value.dtype)
        return cache[key]

    results = [emit(t) for t in terms]
    params = ", ".join(f"%{n}: {_type(inputs[n].shape, inputs[n].dtype)}" for n in names)
    rtypes = ", ".join(_type(s, d) for _, s, d in results)
    rvals = ", ".join(v for v, _, _ in results)
    head = f"func.func @{name}({params}) -> ({rtypes}) {{"
    return "\n".join([head, *lines, f"  func.return {rvals} : {rtypes}", "}", ""])


# ---------------------------------------------------------------------------------------------
# Configurations, each run as a job of a worker process
# ---------------------------------------------------------------------------------------------

CONFIGS: tuple[str, ...] = ("interp", "O0", "O3", "eqsat-O0", "eqsat-O3")
"""The reference interpreter, and the compiled pipeline without and with eqsat at O0/O3."""

JOBS: tuple[tuple[str, ...], ...] = (("interp", "O3", "O0"), ("eqsat-O3", "eqsat-O0"))
"""How the test groups the configurations of a case into jobs (`run_configs`): the two opt
levels of one eqsat setting share their lowering (see `run_case`)."""


def pipeline(config: str) -> str:
    level = config[-1]
    eqsat = "true" if config.startswith("eqsat") else "false"
    return f"cpu-pipeline{{opt-level={level} eqsat={eqsat}}}"


def _mlir_passes(config: str) -> list[Any]:
    """The passes `pipeline(config)` runs before LLVM, composites expanded, without the
    `record-opt-level` step (which only labels the module for `-t asm`)."""
    from ziggurat import driver

    passes: list[Any] = []
    for p in driver.parse_pipeline(pipeline(config)).passes:
        inner = getattr(p, "inner_passes", None)
        passes += inner() if callable(inner) else [p]
    return [p for p in passes if p.name != "record-opt-level"]


def same_lowering(a: str, b: str) -> bool:
    """Whether configs `a` and `b` run the same passes (with the same options) up to LLVM IR,
    so that one's LLVM IR is the other's: then only LLVM's opt level tells them apart."""
    try:
        return _mlir_passes(a) == _mlir_passes(b)
    except Exception:
        return False


def run_case(folder: str, config: str, lowered: dict[str, Any] | None = None) -> int:
    """Job entry point: read `folder/case.mlir` and `folder/inputs.npz`, run `config`, write
    `folder/<config>.npz` (results r0, r1, ...) or `folder/<config>.error` (the exception).

    A compiled config goes through `zg.compile` (`driver.compile`) with `pipeline(config)`,
    unless `lowered` holds the executable of a config that lowers the same way
    (`same_lowering`): then its LLVM IR is compiled again at this config's opt level, as
    `zg.compile` does with a cached lowering. Each compiled executable goes into `lowered`."""
    import traceback

    base = Path(folder)
    for stale in (base / f"{config}.npz", base / f"{config}.error"):
        stale.unlink(missing_ok=True)
    text = (base / "case.mlir").read_text()
    with np.load(base / "inputs.npz") as data:
        names = sorted(data.files)
        inputs = [np.ascontiguousarray(data[n]) for n in names]
    try:
        from ziggurat import driver

        if config == "interp":
            results = driver.run_reference(text, "f", [a.copy() for a in inputs])
        else:
            level = int(config[-1])
            shared = next(
                (exe for c, exe in (lowered or {}).items() if same_lowering(c, config)), None
            )
            if shared is not None:
                from ziggurat.runtime import compile_llvm_ir

                compiled = compile_llvm_ir(shared.llvm_ir, shared.signatures, opt_level=level)
                exe = driver.Executable(compiled, shared.signatures, shared.llvm_ir)
            else:
                exe = driver.compile(
                    text, pipeline=pipeline(config), opt_level=level, filename="case.mlir"
                )
            if lowered is not None:
                lowered[config] = exe
            out = exe(*[a.copy() for a in inputs])
            results = out if isinstance(out, tuple) else (out,)
        arrays = {f"r{i}": np.asarray(r) for i, r in enumerate(results)}
        # numpy's stub lets **kwds reach `allow_pickle: bool`
        np.savez(base / f"{config}.npz", **arrays)  # type: ignore[arg-type]
    except Exception as e:
        (base / f"{config}.error").write_text(
            f"{type(e).__name__}: {e}\n\n" + traceback.format_exc()
        )
    return 0


def run_configs(folder: str, configs: Sequence[str]) -> int:
    """Job entry point: `run_case` for each of `configs` in turn, sharing lowerings."""
    lowered: dict[str, Any] = {}
    for config in configs:
        run_case(folder, config, lowered)
    return 0


def load_results(folder: Path, config: str) -> list[NDArray] | str:
    error = folder / f"{config}.error"
    if error.exists():
        return error.read_text()
    path = folder / f"{config}.npz"
    if not path.exists():
        return "no result"
    with np.load(path) as data:
        return [data[f"r{i}"] for i in range(len(data.files))]


# ---------------------------------------------------------------------------------------------
# Exact comparison
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tolerance:
    """Finite results may differ by `ulps` units in the last place of the expected value, or
    by `atol` absolutely (`atol_scaled`: times the largest finite expected magnitude, for
    results of sums, whose rounding depends on the order). Results below the smallest normal
    number may be flushed to zero only where `flush` is set."""

    ulps: float = 0.0
    atol: float = 0.0
    atol_scaled: float = 0.0
    flush: bool = False

    def __add__(self, other: Tolerance) -> Tolerance:
        return Tolerance(
            self.ulps + other.ulps,
            self.atol + other.atol,
            self.atol_scaled + other.atol_scaled,
            self.flush or other.flush,
        )


EXACT = Tolerance()
OP_TOLERANCE: dict[str, Tolerance] = {
    "exp": Tolerance(ulps=2, flush=True),
    "log": Tolerance(ulps=2, atol=1e-7),
    "tanh": Tolerance(ulps=2, atol=1e-7),
    "sigmoid": Tolerance(ulps=4, atol=1e-7, flush=True),
    "gelu": Tolerance(ulps=8, atol=1e-7, flush=True),
    "rsqrt": Tolerance(ulps=2),
    "erf": Tolerance(ulps=2),
    "pow": Tolerance(ulps=4, flush=True),
    "softmax": Tolerance(ulps=8, atol=1e-7, flush=True),
    "layernorm": Tolerance(ulps=16, atol=1e-6),
    "reduce_sum": Tolerance(ulps=2, atol_scaled=1e-6),
    "reduce_mean": Tolerance(ulps=2, atol_scaled=1e-6),
    "matmul": Tolerance(ulps=2, atol_scaled=1e-6),
}
"""Per-op tolerance on finite values (everything else is exact: +, -, *, /, sqrt, neg, abs,
max, min, relu, reduce_max are correctly rounded in IEEE arithmetic)."""


def tolerance_of(term: Term | Sequence[Term]) -> Tolerance:
    """A program's tolerance: each op's, summed along the deepest chain (errors compound)."""
    terms = [term] if isinstance(term, Term) else list(term)

    def tol(t: Term) -> Tolerance:
        below = [tol(a) for a in t.args]
        best = EXACT
        for b in below:
            best = Tolerance(
                max(best.ulps, b.ulps),
                max(best.atol, b.atol),
                max(best.atol_scaled, b.atol_scaled),
                best.flush or b.flush,
            )
        own = OP_TOLERANCE.get(t.kind, EXACT)
        # An inexact op fed by inexact ops amplifies their error: be generous, not exact.
        if below and own != EXACT and best != EXACT:
            return best + own + Tolerance(ulps=4 * best.ulps, atol_scaled=1e-6)
        return best + own

    total = EXACT
    for t in terms:
        x = tol(t)
        total = Tolerance(
            max(total.ulps, x.ulps),
            max(total.atol, x.atol),
            max(total.atol_scaled, x.atol_scaled),
            total.flush or x.flush,
        )
    return total


def _fmt(v: float) -> str:
    v = float(v)
    return f"{v!r}" if not math.isfinite(v) or v == 0 else f"{v:.9g}"


def compare(got: NDArray, want: NDArray, tol: Tolerance, limit: int = 6) -> list[str]:
    """Mismatches of `got` against `want`: shape, NaN positions, infinities (with sign), the
    sign of zero, finite values beyond `tol`. Empty when they agree."""
    got = np.asarray(got)
    want = np.asarray(want)
    if got.shape != want.shape:
        return [f"shape {got.shape} != {want.shape}"]
    if got.dtype != want.dtype:
        return [f"dtype {got.dtype} != {want.dtype}"]
    g = got.astype(np.float64).ravel()
    w = want.astype(np.float64).ravel()
    bad = np.zeros(g.shape, bool)
    why: dict[int, str] = {}
    gn, wn = np.isnan(g), np.isnan(w)
    for i in np.flatnonzero(gn != wn):
        bad[i] = True
        why[int(i)] = "NaN" if gn[i] else "not NaN"
    gi, wi = np.isinf(g), np.isinf(w)
    for i in np.flatnonzero(~bad & (gi | wi) & ~(gi & wi & (np.sign(g) == np.sign(w)))):
        bad[i] = True
        why[int(i)] = "infinity"
    zeros = ~bad & (g == 0) & (w == 0)
    for i in np.flatnonzero(zeros & (np.signbit(g) != np.signbit(w))):
        bad[i] = True
        why[int(i)] = "sign of zero"
    finite = ~bad & np.isfinite(g) & np.isfinite(w) & ~((g == 0) & (w == 0))
    if finite.any():
        scale = float(np.max(np.abs(w[np.isfinite(w)]), initial=0.0))
        with np.errstate(all="ignore"):
            spacing = np.spacing(np.abs(w).astype(F32)).astype(np.float64)
            # (only finite expected values use it; NaN and inf would poison the products)
            spacing = np.where(np.isfinite(spacing), spacing, 2.0**104)  # the ulp at MAX
        limit_abs = tol.ulps * spacing + tol.atol + tol.atol_scaled * max(1.0, scale)
        if tol.flush:
            limit_abs = np.where(np.abs(w) < TINY, np.maximum(limit_abs, TINY), limit_abs)
        with np.errstate(invalid="ignore", over="ignore"):
            err = np.abs(g - w)
        for i in np.flatnonzero(finite & (err > limit_abs)):
            bad[i] = True
            ulps = err[i] / max(spacing[i], SUB_MIN)
            why[int(i)] = f"off by {ulps:.3g} ulp"
    out = []
    for k in sorted(why)[:limit]:
        index = np.unravel_index(k, want.shape) if want.ndim else ()
        out.append(
            f"at {tuple(int(j) for j in index)}: got {_fmt(g[k])}, want {_fmt(w[k])} ({why[k]})"
        )
    if len(why) > limit:
        out.append(f"... {len(why)} mismatches in all")
    return out


def describe_inputs(inputs: dict[str, NDArray], index: Sequence[int], term: Term) -> str:
    """The input values feeding result element `index` for elementwise programs (best effort)."""
    parts = []
    for name, value in sorted(inputs.items()):
        try:
            v = value[tuple(index)[-value.ndim :]] if value.ndim else value
            parts.append(f"{name}={_fmt(float(np.asarray(v).ravel()[0]))}")
        except (IndexError, ValueError):
            pass
    return ", ".join(parts)


# ---------------------------------------------------------------------------------------------
# Rule instances
# ---------------------------------------------------------------------------------------------


@dataclass
class Instance:
    """A program instantiating one rule's left side (several constant choices as results)."""

    rule: str
    terms: list[Term]
    inputs: dict[str, NDArray]
    also: list[str] = field(default_factory=list)

    def key(self) -> str:
        return json.dumps(
            [
                [t.to_json() for t in self.terms],
                sorted((k, list(v.shape)) for k, v in self.inputs.items()),
            ]
        )


SHAPES_BY_RANK: dict[int, tuple[tuple[int, ...], ...]] = {
    0: ((),),
    1: ((24,), (1,)),
    2: ((6, 8), (8, 8), (6, 1), (1, 8)),
    3: ((2, 3, 8), (2, 1, 8)),
}
SHAPE_CHOICES: tuple[tuple[int, ...], ...] = (
    (6, 8),
    (8, 8),
    (24,),
    (8,),
    (2, 3, 8),
    (8, 6),
    (6, 1),
    (1, 8),
    (2, 1, 8),
    (),
)


def _pattern_vars(p: Any, rulefile: Any) -> tuple[list[str], list[str]]:
    """(tensor variables, attribute variables) of a pattern, in order of appearance."""
    tensors: list[str] = []
    attrs: list[str] = []

    def walk(q: Any) -> None:
        if isinstance(q, rulefile.PVar):
            if q.name not in tensors:
                tensors.append(q.name)
        elif isinstance(q, rulefile.PApp):
            for a in q.attrs:
                walk_attr(a)
            for c in q.args:
                walk(c)

    def walk_attr(a: Any) -> None:
        if isinstance(a, rulefile.PVar):
            if a.name not in attrs:
                attrs.append(a.name)
        elif isinstance(a, rulefile.PFun):
            for x in a.args:
                walk_attr(x)

    walk(p)
    return tensors, attrs


USER_CATEGORIES = {
    "unary",
    "binary",
    "matmul",
    "transpose",
    "reshape",
    "broadcast",
    "reduce",
    "softmax",
    "layernorm",
    "scalar",
    "ternary",
}
FUSED_CATEGORIES = {
    "fused",
    "fused_matmul",
    "ep_in",
    "fused_reduce",
    "fused_softmax",
    "fused_layernorm",
}


def _attr_domain(category: str, attr: str) -> list[Any]:
    if attr == "perm":
        return ["1,0", "0,1", "2,0,1", "1,0,2", "0", ""]
    if attr == "axes":
        return ["1", "0", "-1", "0,1", "2", "1,2"]
    if attr == "axis":
        return ["1", "-1", "0"]
    if attr == "keepdims":
        return [1, 0]
    if attr == "epsilon":
        return [1e-5]
    if attr == "value":
        return list(CONSTANTS)
    if attr == "pred":
        return list(PREDICATES)
    if attr == "shape":
        return ["6x8", "8x8", "2x6x8", "24", "8x6", "6x1", "48", "2x3x8", "3x2x8", "8"]
    return []


def _decode_attr(attr: str, value: Any) -> Any:
    if attr in ("perm", "axes"):
        return tuple(int(v) for v in str(value).split(",") if v != "")
    if attr == "shape":
        return tuple(int(v) for v in str(value).split("x") if v != "")
    if attr == "axis":
        return int(value)
    if attr == "keepdims":
        return bool(int(value))
    if attr == "pred":
        return str(value)
    return float(value)


def instantiate(rule: Any, max_tries: int = 4000) -> Instance | str:
    """A program computing `rule.lhs` on special values, or why none was found.

    Tensor variables get shapes from `SHAPE_CHOICES` and special values; attribute variables
    the values of `_attr_domain`; rank-0 constants (`const(c)`) each value of `CONSTANTS`
    (one result per choice). The rule's conditions must hold (checked on the numpy values).
    """
    from ziggurat.passes.eqsat import rulefile as rf
    from ziggurat.passes.eqsat.terms import OPS

    # Sorts of the tensor variables: "Op" (a tensor), "Ep" (an elementwise kernel body,
    # instantiated as neg(input)) or "Mp" (a matmul kernel, instantiated as matmul(a, b)).
    sorts: dict[str, str] = {}
    roles: dict[str, tuple[str, str]] = {}
    problems: list[str] = []
    booleans: set[str] = set()  # variables in a boolean operand's place (select's condition)

    def scan(q: Any, sort: str) -> None:
        if isinstance(q, rf.PVar):
            sorts.setdefault(q.name, sort)
            return
        if not isinstance(q, rf.PApp):
            return
        spec = OPS[q.op]
        if spec.category not in USER_CATEGORIES | FUSED_CATEGORIES:
            problems.append(f"constructor {spec.dsl}")
        for a, (attr_name, _) in zip(q.attrs, spec.attrs, strict=False):
            if isinstance(a, rf.PVar):
                roles.setdefault(a.name, (spec.category, attr_name))
            elif isinstance(a, rf.PFun):
                problems.append(f"attribute function {a.name} on the left side")
        kinds = spec.row.operand_kinds if spec.row is not None else ""
        for i, (c, child_sort) in enumerate(zip(q.args, spec.children, strict=False)):
            if isinstance(c, rf.PVar) and kinds[i : i + 1] == "b":
                booleans.add(c.name)
            scan(c, child_sort)

    scan(rule.lhs, "Op")
    if problems:
        return "; ".join(sorted(set(problems)))
    tensors: list[str] = []
    for name, sort in sorts.items():
        tensors += {"Op": [name], "Ep": [name], "Mp": [name + "_a", name + "_b"]}[sort]
    attr_vars = list(roles)
    value_vars = [v for v in attr_vars if roles[v][1] == "value"]
    other_vars = [v for v in attr_vars if v not in value_vars]
    domains = [_attr_domain(*roles[v]) for v in other_vars]
    uses_sums = False

    def to_term(q: Any, env: dict[str, Any]) -> Term:
        nonlocal uses_sums
        if isinstance(q, rf.PVar):
            if sorts.get(q.name) == "Ep":
                return op("neg", inp(q.name))
            if sorts.get(q.name) == "Mp":
                uses_sums = True
                return op("matmul", inp(q.name + "_a"), inp(q.name + "_b"))
            return inp(q.name)
        spec = OPS[q.op]
        attrs: dict[str, Any] = {}
        for a, (attr_name, _) in zip(q.attrs, spec.attrs, strict=True):
            raw = a.value if isinstance(a, rf.PLit) else env[a.name]
            attrs[attr_name] = _decode_attr(attr_name, raw)
        if spec.category == "scalar":
            return scalar(attrs["value"])
        if spec.category in ("fused", "fused_matmul", "ep_in"):
            return to_term(q.args[0], env)
        assert spec.ztensor is not None
        name = spec.ztensor.name.split(".", 1)[1]
        if spec.category in (
            "reduce",
            "fused_reduce",
            "matmul",
            "softmax",
            "fused_softmax",
            "layernorm",
            "fused_layernorm",
        ):
            uses_sums = True
        return op(name, *(to_term(c, env) for c in q.args), **attrs)

    def holds(cond: Any, env: dict[str, Any], inputs: dict[str, NDArray], root: NDArray) -> bool:
        if isinstance(cond, rf.ShapeEq):
            a = root if isinstance(cond.a, rf.PRoot) else numpy_eval(to_term(cond.a, env), inputs)
            b = root if isinstance(cond.b, rf.PRoot) else numpy_eval(to_term(cond.b, env), inputs)
            return a.shape == b.shape
        if isinstance(cond, rf.Pred):
            from ziggurat.passes.eqsat.rules import PRED_IMPLS

            args = [a.value if isinstance(a, rf.PLit) else env[a.name] for a in cond.args]
            return bool(PRED_IMPLS[cond.name](*args))
        return False

    value_choices: list[tuple[float, ...]] = []
    if value_vars:
        combos = [tuple([c] * len(value_vars)) for c in CONSTANTS]
        combos += [
            tuple(CONSTANTS[(i + j) % len(CONSTANTS)] for j in range(len(value_vars)))
            for i in range(len(CONSTANTS))
        ]
        combos += [tuple(3.0 if j else c for j in range(len(value_vars))) for c in CONSTANTS]
        combos += [tuple(1e-5 for _ in value_vars)]
        seen: set[tuple[str, ...]] = set()
        for c in combos:
            k = tuple(f32_hex(v) for v in c)
            if k not in seen:
                seen.add(k)
                value_choices.append(c)
    else:
        value_choices = [()]

    tries = 0
    for attr_values in itertools.product(*domains) if domains else [()]:
        env0 = dict(zip(other_vars, attr_values, strict=True))
        for shapes in _shape_assignments(len(tensors)):
            tries += 1
            if tries > max_tries:
                return "no instance type-checks and satisfies the conditions"
            terms: list[Term] = []
            inputs: dict[str, NDArray] = {}
            for values in value_choices:
                env = {**env0, **dict(zip(value_vars, values, strict=True))}
                uses_sums = False
                try:
                    term = to_term(rule.lhs, env)
                    if not inputs:
                        pool = TAME if uses_sums or "exp" in term.ops() else SPECIALS
                        inputs = {
                            name: cycle_values(pool, math.prod(shape), 3 * i).reshape(shape)
                            for i, (name, shape) in enumerate(zip(tensors, shapes, strict=True))
                        }
                        for name in booleans & set(inputs):
                            inputs[name] = inputs[name] > 0
                    root = numpy_eval(term, inputs)
                    if not all(holds(c, env, inputs, root) for c in rule.conditions):
                        continue
                except (IllTyped, KeyError, ValueError, TypeError):
                    terms = []
                    break
                terms.append(term)
            if terms:
                return Instance(rule.name, terms, inputs)
    return "no instance type-checks and satisfies the conditions"


def _shape_assignments(n: int) -> Iterator[tuple[tuple[int, ...], ...]]:
    """Shape tuples for `n` tensor variables: all equal first, then mixed."""
    for s in SHAPE_CHOICES:
        yield (s,) * n
    if n >= 2:
        for combo in itertools.product(SHAPE_CHOICES, repeat=n):
            if len(set(combo)) > 1:
                yield combo


def default_rules() -> tuple[list[tuple[str, Any]], list[str]]:
    """(set name, rule direction) of every rule that eqsat runs by default, and the names of
    the default sets. A set runs by default when it is in `DEFAULT_RULE_SETS` and needs no
    fast-math flag (the `flags` of a `RuleSet`, where the tree has them)."""
    from ziggurat.passes.eqsat.rules import DEFAULT_RULE_SETS, RULE_SETS

    sets = [n for n in DEFAULT_RULE_SETS if not getattr(RULE_SETS[n], "flags", frozenset())]
    rules = [(n, d) for n in sets for r in RULE_SETS[n].rules for d in r.directions()]
    return rules, sets


def write_case(
    folder: Path,
    terms: Sequence[Term],
    inputs: dict[str, NDArray],
    labels: Sequence[str] | None = None,
) -> str:
    """Write `case.mlir`, `inputs.npz` and `terms.json` (with a label per result) into
    `folder`; returns the text."""
    folder.mkdir(parents=True, exist_ok=True)
    text = mlir(terms, inputs)
    (folder / "case.mlir").write_text(text)
    # numpy's stub lets **kwds reach `allow_pickle: bool`
    np.savez(folder / "inputs.npz", **inputs)  # type: ignore[arg-type]
    labels = list(labels) if labels is not None else [t.text() for t in terms]
    (folder / "terms.json").write_text(
        json.dumps({"terms": [t.to_json() for t in terms], "labels": labels})
    )
    return text


def check_case(folder: Path, configs: Sequence[str] = CONFIGS) -> list[str]:
    """Compare the results in `folder` of every config with numpy and (for compiled configs)
    with the interpreter; one line per problem."""
    saved = json.loads((folder / "terms.json").read_text())
    terms = [Term.from_json(t) for t in saved["terms"]]
    labels = saved["labels"]
    with np.load(folder / "inputs.npz") as data:
        inputs = {k: data[k] for k in data.files}
    wants = [numpy_eval(t, inputs) for t in terms]
    tols = [tolerance_of(t) for t in terms]
    results = {c: load_results(folder, c) for c in configs}
    problems: list[str] = []
    for c in configs:
        got = results[c]
        if isinstance(got, str):
            problems.append(f"{c}: {got.strip().splitlines()[0] if got.strip() else 'error'}")
            continue
        if len(got) != len(terms):
            problems.append(f"{c}: {len(got)} results, expected {len(terms)}")
            continue
        ref = results.get("interp")
        for i, (g, w, tol) in enumerate(zip(got, wants, tols, strict=True)):
            label = f"result {i} ({labels[i]})" if len(terms) > 1 else labels[i]
            for m in compare(g, w, tol):
                problems.append(f"{c} vs numpy: {label}: {m}")
            if c != "interp" and isinstance(ref, list) and len(ref) == len(terms):
                for m in compare(g, ref[i], tol + tol):
                    problems.append(f"{c} vs interpreter: {label}: {m}")
    return problems


def replay(folder: Path, configs: Sequence[str]) -> int:
    """Run `configs` on the case in `folder` in this process and print the comparison."""
    run_configs(str(folder), configs)
    problems = check_case(folder, configs)
    print((folder / "case.mlir").read_text())
    print("\n".join(problems) if problems else "all configurations agree")
    return 1 if problems else 0


if __name__ == "__main__":  # pragma: no cover - command-line use
    import argparse

    parser = argparse.ArgumentParser(
        description="special-value cases: list rule instances or replay a case"
    )
    parser.add_argument("--replay", metavar="FOLDER", help="a case folder written by the test")
    parser.add_argument(
        "--configs", default=",".join(CONFIGS), help=f"subset of {','.join(CONFIGS)}"
    )
    args = parser.parse_args()
    if args.replay:
        sys.exit(replay(Path(args.replay), [c for c in args.configs.split(",") if c]))
    rules, sets = default_rules()
    print(f"default sets: {', '.join(sets)}; {len(rules)} rule directions")
    for set_name, rule in rules:
        inst = instantiate(rule)
        shapes = "" if isinstance(inst, str) else [v.shape for v in inst.inputs.values()]
        print(
            f"{set_name:18} {rule.name:32}",
            inst if isinstance(inst, str) else f"{len(inst.terms)} results, inputs {shapes}",
        )
