"""End to end: every ztensor op through `cpu-pipeline`, LLVM and the runtime, against numpy.

Each test group builds one module holding many independent ops (one compile, many checks; a
failure lists every op that disagrees). The reference is computed alongside the program in
float64 numpy from the very inputs the compiled code gets. Every group is lowered once per
vector width (AVX-512: 16 lanes, AVX2: 8 lanes) and that LLVM IR is compiled at O0 and at
O3, so every op runs on both code paths at both optimization levels. Nothing here uses the
on-disk caches (`cache=False`), so the tests cost the same in CI as they do on a warm machine.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import ziggurat as zg
from ziggurat.driver import DEFAULT_PIPELINE, Executable, lower_to_llvm_ir, parse_module, signatures
from ziggurat.runtime import Target, compile_llvm_ir

NDArray = np.ndarray[Any, Any]
F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)

# ---------------------------------------------------------------------------------------------
# Building a program and its float64 reference together
# ---------------------------------------------------------------------------------------------


def tensor_type(shape: Sequence[int], dtype: np.dtype[Any]) -> str:
    elt = {F32: "f32", F64: "f64"}[dtype]
    return "tensor<" + "".join(f"{d}x" for d in shape) + elt + ">"


def dense_literal(values: NDArray) -> str:
    """An MLIR dense literal (`[[1.0, 2.0], ...]`) holding exactly `values`."""
    if values.ndim == 0:
        return f"{float(values):.17e}"
    return "[" + ", ".join(dense_literal(v) for v in values) + "]"


def ref_gelu(x: NDArray) -> NDArray:
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def ref_sigmoid(x: NDArray) -> NDArray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def ref_softmax(x: NDArray, axis: int) -> NDArray:
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def ref_layernorm(x: NDArray, axis: int, eps: float) -> NDArray:
    centered = x - np.mean(x, axis=axis, keepdims=True)
    return centered / np.sqrt(np.mean(centered**2, axis=axis, keepdims=True) + eps)


UNARY: dict[str, Callable[[NDArray], NDArray]] = {
    "neg": np.negative,
    "exp": np.exp,
    "log": np.log,
    "tanh": np.tanh,
    "sigmoid": ref_sigmoid,
    "relu": lambda x: np.maximum(x, 0.0),
    "gelu": ref_gelu,
    "sqrt": np.sqrt,
    "rsqrt": lambda x: 1 / np.sqrt(x),
    "abs": np.abs,
    "erf": np.vectorize(math.erf, otypes=[np.float64]),
    "floor": np.floor,
    "ceil": np.ceil,
}
POSITIVE_ONLY = {"log", "sqrt", "rsqrt"}
BINARY: dict[str, Callable[[NDArray, NDArray], NDArray]] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "pow": np.power,
}
REDUCE: dict[str, Callable[..., NDArray]] = {"sum": np.sum, "max": np.max, "mean": np.mean}

# Relative tolerances for float32 results (compared with the float64 reference). Correctly
# rounded ops get a few ulps; the polynomial transcendentals promise <= 1e-6 relative error.
RTOL_F32 = {"exact": 2e-7, "transcendental": 2e-6, "pow": 1e-5, "composite": 1e-5}
OP_CLASS = {
    **{op: "exact" for op in ("neg", "relu", "abs", "add", "sub", "mul", "div", "maximum")},
    **{op: "exact" for op in ("minimum", "sqrt", "rsqrt", "floor", "ceil")},
    **{op: "transcendental" for op in ("exp", "log", "tanh", "sigmoid", "erf")},
    "gelu": "composite",
    "pow": "pow",
}


@dataclass
class Val:
    """An SSA value of the program with its float64 reference value."""

    name: str
    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    ref: NDArray

    @property
    def type(self) -> str:
        return tensor_type(self.shape, self.dtype)


@dataclass
class Output:
    label: str
    val: Val
    rtol: float
    atol: float


class Program:
    """A `func.func @f` built op by op, each op's reference computed in float64 as it is added."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        self.args: list[Val] = []
        self.inputs: list[NDArray] = []
        self.lines: list[str] = []
        self.outputs: list[Output] = []
        self._count = 0

    # -- values ------------------------------------------------------------------------------
    def arg(
        self,
        shape: Sequence[int],
        dtype: np.dtype[Any] = F32,
        kind: str = "normal",
        values: NDArray | None = None,
    ) -> Val:
        shape = tuple(shape)
        if values is None:
            x = self.rng.standard_normal(shape)
            if kind == "positive":
                x = np.abs(x) + 0.5
            values = x
        array = np.asarray(values, dtype=dtype).reshape(shape)
        val = Val(f"%arg{len(self.args)}", shape, dtype, array.astype(np.float64))
        self.args.append(val)
        self.inputs.append(array)
        return val

    def _emit(self, text: str, shape: Sequence[int], dtype: np.dtype[Any], ref: NDArray) -> Val:
        name = f"%v{self._count}"
        self._count += 1
        self.lines.append(f"  {name} = {text}")
        ref = np.asarray(ref, dtype=np.float64).reshape(tuple(shape))
        return Val(name, tuple(shape), dtype, ref)

    def unary(self, op: str, x: Val) -> Val:
        with np.errstate(all="ignore"):
            ref = UNARY[op](x.ref)
        return self._emit(f"ztensor.{op} {x.name} : {x.type}", x.shape, x.dtype, ref)

    def binary(self, op: str, x: Val, y: Val) -> Val:
        with np.errstate(all="ignore"):
            ref = BINARY[op](x.ref, y.ref)
        shape = ref.shape
        ty = tensor_type(shape, x.dtype)
        return self._emit(
            f"ztensor.{op} {x.name}, {y.name} : ({x.type}, {y.type}) -> {ty}", shape, x.dtype, ref
        )

    def matmul(self, x: Val, y: Val) -> Val:
        ref = np.matmul(x.ref, y.ref)
        ty = tensor_type(ref.shape, x.dtype)
        text = f"ztensor.matmul {x.name}, {y.name} : ({x.type}, {y.type}) -> {ty}"
        return self._emit(text, ref.shape, x.dtype, ref)

    def reduce(self, kind: str, x: Val, axes: Sequence[int], keepdims: bool) -> Val:
        ref = REDUCE[kind](x.ref, axis=tuple(axes), keepdims=keepdims)
        ty = tensor_type(ref.shape, x.dtype)
        attrs = (
            f"axes = array<i64: {', '.join(map(str, axes))}>, keepdims = {str(keepdims).lower()}"
        )
        text = f"ztensor.reduce_{kind} {x.name} {{{attrs}}} : {x.type} -> {ty}"
        return self._emit(text, ref.shape, x.dtype, ref)

    def softmax(self, x: Val, axis: int) -> Val:
        text = f"ztensor.softmax {x.name} {{axis = {axis} : i64}} : {x.type}"
        return self._emit(text, x.shape, x.dtype, ref_softmax(x.ref, axis))

    def layernorm(self, x: Val, axis: int, eps: float = 1e-5) -> Val:
        text = f"ztensor.layernorm {x.name} {{axis = {axis} : i64, epsilon = {eps:.6e} : f32}} : {x.type}"
        # The epsilon attribute is an f32: the reference uses the same rounded value.
        return self._emit(
            text, x.shape, x.dtype, ref_layernorm(x.ref, axis, float(np.float32(eps)))
        )

    def transpose(self, x: Val, perm: Sequence[int]) -> Val:
        ref = np.transpose(x.ref, perm)
        ty = tensor_type(ref.shape, x.dtype)
        text = (
            f"ztensor.transpose {x.name} {{permutation = array<i64: {', '.join(map(str, perm))}>}}"
            f" : {x.type} -> {ty}"
        )
        return self._emit(text, ref.shape, x.dtype, ref)

    def reshape(self, x: Val, shape: Sequence[int]) -> Val:
        ty = tensor_type(shape, x.dtype)
        text = f"ztensor.reshape {x.name} : {x.type} -> {ty}"
        return self._emit(text, shape, x.dtype, x.ref.reshape(tuple(shape)))

    def broadcast_to(self, x: Val, shape: Sequence[int]) -> Val:
        ty = tensor_type(shape, x.dtype)
        text = f"ztensor.broadcast_to {x.name} : {x.type} -> {ty}"
        return self._emit(text, shape, x.dtype, np.broadcast_to(x.ref, tuple(shape)))

    def cast(self, x: Val, dtype: np.dtype[Any]) -> Val:
        ty = tensor_type(x.shape, dtype)
        ref = x.ref.astype(dtype).astype(np.float64)
        return self._emit(f"ztensor.cast {x.name} : {x.type} -> {ty}", x.shape, dtype, ref)

    def constant(self, values: NDArray, dtype: np.dtype[Any] = F32, splat: bool = False) -> Val:
        values = np.asarray(values, dtype=dtype)
        ty = tensor_type(values.shape, dtype)
        literal = f"{float(values.flat[0]):.17e}" if splat else dense_literal(values)
        return self._emit(
            f"ztensor.constant dense<{literal}> : {ty}",
            values.shape,
            dtype,
            values.astype(np.float64),
        )

    # -- results -----------------------------------------------------------------------------
    def output(self, label: str, val: Val, rtol: float | None = None, atol: float = 0.0) -> None:
        if rtol is None:
            rtol = 2e-7 if val.dtype == F32 else 1e-15
        self.outputs.append(Output(label, val, rtol, atol))

    def text(self) -> str:
        args = ", ".join(f"{a.name}: {a.type}" for a in self.args)
        types = ", ".join(o.val.type for o in self.outputs)
        names = ", ".join(o.val.name for o in self.outputs)
        body = "\n".join(self.lines)
        return (
            f"func.func @f({args}) -> ({types}) {{\n{body}\n  func.return {names} : {types}\n}}\n"
        )

    def check(self, results: Any) -> None:
        """Compare compiled results with the references; report every mismatch at once."""
        if not isinstance(results, tuple):
            results = (results,)
        assert len(results) == len(self.outputs)
        failures = []
        for out, got in zip(self.outputs, results, strict=True):
            with np.errstate(all="ignore"):
                expected = out.val.ref.astype(out.val.dtype)
            try:
                assert got.dtype == out.val.dtype, f"dtype {got.dtype}"
                assert got.shape == out.val.shape, f"shape {got.shape}"
                np.testing.assert_allclose(got, expected, rtol=out.rtol, atol=out.atol)
            except AssertionError as error:
                failures.append(f"--- {out.label}: {str(error).strip()}")
        assert not failures, (
            f"{len(failures)} of {len(self.outputs)} results differ:\n" + "\n".join(failures)
        )


# ---------------------------------------------------------------------------------------------
# Compiling: lower once per vector width, compile that IR at O0 and O3
# ---------------------------------------------------------------------------------------------

TARGETS: dict[str, Callable[[], Target]] = {"avx512": Target.avx512, "avx2": Target.avx2}
VARIANTS = [
    pytest.param(t, o, id=f"{t}-O{o}") for t, o in itertools.product(("avx512", "avx2"), (0, 3))
]

_lowered: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
_compiled: dict[tuple[str, str, int], Executable] = {}


def target_for(name: str) -> Target:
    target = TARGETS[name]()
    if not target.runs_on_host():
        pytest.skip(f"this machine cannot run {target} (missing {target.missing_on_host()})")
    return target


def compile_variant(group: str, source: str, target_name: str, opt_level: int) -> Executable:
    """`zg.compile(source, opt_level=..., target=..., cache=False)`, sharing the (opt-level
    independent) Python lowering between O0 and O3 of the same target."""
    key = (group, target_name, opt_level)
    if key not in _compiled:
        target = target_for(target_name)
        if (group, target_name) not in _lowered:
            module = parse_module(source)
            sigs = signatures(module)
            # Each op's own lowering, so without eqsat (which may rewrite the op form).
            spec = (
                f"{DEFAULT_PIPELINE}{{opt-level=3 vector-width={target.vector_width()} "
                "eqsat=false}"
            )
            _lowered[(group, target_name)] = (lower_to_llvm_ir(module, spec), sigs)
        ir_text, sigs = _lowered[(group, target_name)]
        compiled = compile_llvm_ir(ir_text, sigs, target=target, opt_level=opt_level, cache=False)
        _compiled[key] = Executable(compiled, sigs, ir_text)
    return _compiled[key]


def run_group(program: Program, group: str, target_name: str, opt_level: int) -> None:
    exe = compile_variant(group, program.text(), target_name, opt_level)
    program.check(exe(*program.inputs))


# ---------------------------------------------------------------------------------------------
# Groups
# ---------------------------------------------------------------------------------------------

SHAPES = [(), (1,), (3,), (17,), (33,), (1000,), (3, 17), (33, 5), (2, 3, 17)]


def elementwise_program(dtype: np.dtype[Any], shapes: Sequence[tuple[int, ...]]) -> Program:
    p = Program(seed=1)
    for shape in shapes:
        x, y, pos = p.arg(shape, dtype), p.arg(shape, dtype), p.arg(shape, dtype, "positive")
        for op in UNARY:
            r = p.unary(op, pos if op in POSITIVE_ONLY else x)
            p.output(f"{op} {shape}", r, rtol=rtol(op, dtype), atol=atol(op, dtype))
        for op in BINARY:
            r = p.binary(op, pos if op == "pow" else x, y)
            p.output(f"{op} {shape}", r, rtol=rtol(op, dtype), atol=atol(op, dtype))
    return p


def rtol(op: str, dtype: np.dtype[Any]) -> float:
    if dtype == F64:
        return {"exact": 1e-15, "transcendental": 1e-14, "pow": 1e-13, "composite": 1e-13}[
            OP_CLASS[op]
        ]
    return RTOL_F32[OP_CLASS[op]]


def atol(op: str, dtype: np.dtype[Any]) -> float:
    # gelu(x) for negative x cancels (1 + tanh(...) -> 0): only an absolute bound makes sense.
    if op == "gelu":
        return 1e-7 if dtype == F32 else 1e-15
    return 0.0


ELEMENTWISE_F32 = elementwise_program(F32, SHAPES)


@pytest.mark.parametrize(("target", "opt"), VARIANTS)
def test_elementwise_ops_f32(target: str, opt: int) -> None:
    run_group(ELEMENTWISE_F32, "elementwise-f32", target, opt)


BROADCAST_PAIRS = [
    ((3, 17), (17,)),
    ((17,), (3, 17)),
    ((33, 1), (1, 5)),
    ((2, 1, 17), (3, 1)),
    ((), (33,)),
    ((1000,), ()),
    ((2, 3, 4, 5), (4, 1)),
    ((1,), (17,)),
    ((5, 1, 1), (1, 33)),
]


def broadcast_program() -> Program:
    p = Program(seed=2)
    for lhs, rhs in BROADCAST_PAIRS:
        x, y = p.arg(lhs), p.arg(rhs)
        base = p.arg(lhs, kind="positive")
        for op in BINARY:
            r = p.binary(op, base if op == "pow" else x, y)
            p.output(f"{op} {lhs} {rhs}", r, rtol=rtol(op, F32))
    # A fused elementwise chain with broadcast operands: tanh(2x + b) * x.
    x, b = p.arg((33, 17)), p.arg((17,))
    two = p.constant(np.full((), 2.0, np.float32), splat=True)
    chain = p.binary("mul", p.unary("tanh", p.binary("add", p.binary("mul", x, two), b)), x)
    p.output("tanh(2x+b)*x", chain, rtol=1e-5, atol=1e-6)
    return p


BROADCAST = broadcast_program()


@pytest.mark.parametrize(("target", "opt"), VARIANTS)
def test_broadcasting_binary_ops(target: str, opt: int) -> None:
    run_group(BROADCAST, "broadcast", target, opt)


MATMULS = [
    ((1, 1), (1, 1)),
    ((3, 17), (17, 33)),
    ((17, 3), (3, 5)),
    ((33, 65), (65, 17)),
    ((1, 1000), (1000, 3)),
    ((64, 128), (128, 96)),
    ((2, 3, 17, 5), (3, 5, 33)),
    ((2, 1, 4, 8), (3, 8, 16)),
    ((17, 5), (3, 5, 33)),
    ((3, 17, 5), (5, 33)),
    ((1, 3, 5), (4, 5, 1)),
]


def matmul_program(
    dtype: np.dtype[Any], shapes: Sequence[tuple[Sequence[int], Sequence[int]]]
) -> Program:
    p = Program(seed=3)
    for lhs, rhs in shapes:
        r = p.matmul(p.arg(lhs, dtype), p.arg(rhs, dtype))
        k = lhs[-1]
        eps = 1e-6 if dtype == F32 else 1e-14
        # Summation order differs from numpy: the error grows with the contraction length.
        p.output(f"matmul {lhs} @ {rhs}", r, rtol=eps * 10, atol=eps * 4 * np.sqrt(k))
    return p


MATMUL_F32 = matmul_program(F32, MATMULS)


@pytest.mark.parametrize(("target", "opt"), VARIANTS)
def test_matmul(target: str, opt: int) -> None:
    run_group(MATMUL_F32, "matmul-f32", target, opt)


REDUCE_SHAPES = [(1,), (17,), (1000,), (3, 17), (33, 5), (1, 33), (2, 3, 17), (4, 1, 33)]


def all_axis_sets(rank: int) -> list[tuple[int, ...]]:
    """Every non-empty set of axes, single axes also in negative form."""
    sets: list[tuple[int, ...]] = []
    for n in range(1, rank + 1):
        sets.extend(itertools.combinations(range(rank), n))
    sets.extend((a - rank,) for a in range(rank))
    return sets


def reduction_program(dtype: np.dtype[Any], shapes: Sequence[tuple[int, ...]]) -> Program:
    p = Program(seed=4)
    for shape in shapes:
        x = p.arg(shape, dtype)
        for axes in all_axis_sets(len(shape)):
            n = int(np.prod([shape[a] for a in axes]))
            for kind in REDUCE:
                for keep in (False, True):
                    r = p.reduce(kind, x, axes, keep)
                    eps = 1e-6 if dtype == F32 else 1e-14
                    tol = 0.0 if kind == "max" else eps * 4 * np.sqrt(n)
                    p.output(f"reduce_{kind} {shape} axes={axes} keepdims={keep}", r, 1e-6, tol)
    return p


REDUCTIONS_F32 = reduction_program(F32, REDUCE_SHAPES)


@pytest.mark.parametrize(("target", "opt"), VARIANTS)
def test_reductions_every_axis(target: str, opt: int) -> None:
    run_group(REDUCTIONS_F32, "reductions-f32", target, opt)


NORMALIZE_CASES = [((17,), 0), ((1, 17), -1), ((1, 17), 0), ((33, 17), 0), ((33, 17), -1)]
NORMALIZE_CASES += [((3, 1000), -1), ((1000, 3), 0), ((2, 3, 17), 1), ((2, 3, 17), -1)]


def normalize_program(
    dtype: np.dtype[Any], cases: Sequence[tuple[tuple[int, ...], int]]
) -> Program:
    p = Program(seed=5)
    tol = 1e-6 if dtype == F32 else 1e-14
    for shape, axis in cases:
        x = p.arg(shape, dtype)
        p.output(f"softmax {shape} axis={axis}", p.softmax(x, axis), 10 * tol, tol)
        p.output(f"layernorm {shape} axis={axis}", p.layernorm(x, axis), 10 * tol, 10 * tol)
    # Large logits: softmax must subtract the max first.
    big = p.arg((3, 17), dtype, values=np.linspace(-300, 300, 51).reshape(3, 17))
    p.output("softmax of large logits", p.softmax(big, -1), 10 * tol, tol)
    return p


NORMALIZE_F32 = normalize_program(F32, NORMALIZE_CASES)


@pytest.mark.parametrize(("target", "opt"), VARIANTS)
def test_softmax_and_layernorm(target: str, opt: int) -> None:
    run_group(NORMALIZE_F32, "normalize-f32", target, opt)


def data_movement_program() -> Program:
    p = Program(seed=6)
    m = p.arg((17, 33))
    p.output("transpose 2d", p.transpose(m, (1, 0)))
    t3 = p.arg((2, 3, 17))
    for perm in itertools.permutations(range(3)):
        if perm != (0, 1, 2):
            p.output(f"transpose {perm}", p.transpose(t3, perm))
    t4 = p.arg((2, 3, 4, 5))
    p.output("transpose 4d", p.transpose(t4, (3, 1, 0, 2)))
    p.output("reshape (2,3,17)->(6,17)", p.reshape(t3, (6, 17)))
    p.output("reshape (2,3,17)->(102,)", p.reshape(t3, (102,)))
    v = p.arg((1000,))
    p.output("reshape (1000,)->(10,100)", p.reshape(v, (10, 100)))
    s = p.arg((17,))
    p.output("reshape (17,)->(1,17,1)", p.reshape(s, (1, 17, 1)))
    p.output("broadcast_to (17,)->(3,17)", p.broadcast_to(s, (3, 17)))
    c = p.arg((3, 1))
    p.output("broadcast_to (3,1)->(3,17)", p.broadcast_to(c, (3, 17)))
    r0 = p.arg(())
    p.output("broadcast_to ()->(2,33)", p.broadcast_to(r0, (2, 33)))
    row = p.arg((1, 17))
    p.output("broadcast_to (1,17)->(2,33,17)", p.broadcast_to(row, (2, 33, 17)))
    # Casts both ways; f64 -> f32 rounds.
    p.output("cast f32->f64", p.cast(m, F64))
    d = p.arg((3, 17), F64, values=np.random.default_rng(7).standard_normal((3, 17)) * 1e3)
    p.output("cast f64->f32", p.cast(d, F32))
    # Constants: dense, splat, rank 0, and used in arithmetic.
    dense = np.arange(51, dtype=np.float32).reshape(3, 17) / 7
    p.output("dense constant", p.constant(dense))
    p.output("splat constant", p.constant(np.full((33,), 0.25, np.float32), splat=True))
    p.output("rank-0 constant", p.constant(np.asarray(-1.5, np.float32)))
    p.output("x + dense constant", p.binary("add", p.arg((3, 17)), p.constant(dense)))
    # Rank 0 everywhere.
    a0, b0 = p.arg(()), p.arg(())
    p.output("rank-0 add", p.binary("mul", p.binary("add", a0, b0), a0))
    p.output("rank-0 exp", p.unary("exp", a0), rtol=2e-6)
    p.output("rank-0 broadcast add", p.binary("add", a0, p.arg((17,))))
    return p


DATA_MOVEMENT = data_movement_program()


@pytest.mark.parametrize(("target", "opt"), VARIANTS)
def test_data_movement_casts_constants_rank0(target: str, opt: int) -> None:
    run_group(DATA_MOVEMENT, "data-movement", target, opt)


def f64_program() -> Program:
    """A representative subset in double precision."""
    p = elementwise_program(F64, [(), (17,), (3, 33)])
    for lhs, rhs in [((17, 33), (33, 5)), ((2, 1, 4, 8), (3, 8, 16))]:
        r = p.matmul(p.arg(lhs, F64), p.arg(rhs, F64))
        p.output(f"f64 matmul {lhs} @ {rhs}", r, rtol=1e-13, atol=1e-13)
    x = p.arg((3, 17), F64)
    for axes in all_axis_sets(2):
        for kind in REDUCE:
            p.output(f"f64 reduce_{kind} {axes}", p.reduce(kind, x, axes, False), 1e-14, 1e-14)
    for axis in (0, -1):
        p.output(f"f64 softmax axis={axis}", p.softmax(x, axis), 1e-13, 1e-15)
        p.output(f"f64 layernorm axis={axis}", p.layernorm(x, axis), 1e-13, 1e-13)
    p.output("f64 transpose", p.transpose(x, (1, 0)))
    p.output("f64 cast to f32", p.cast(x, F32))
    p.output("f64 constant", p.constant(np.linspace(-1, 1, 17), F64))
    return p


F64_OPS = f64_program()


@pytest.mark.parametrize(("target", "opt"), VARIANTS)
def test_f64_subset(target: str, opt: int) -> None:
    run_group(F64_OPS, "f64", target, opt)


def large_program() -> Program:
    """Shapes spanning several tiles in every dimension, rank 4 and 5, fused casts, pow."""
    p = Program(seed=9)
    for shape in [(257, 129), (5, 2000), (40, 50, 33), (2, 3, 4, 5)]:
        x = p.arg(shape)
        for axes in all_axis_sets(len(shape))[: 2 * len(shape)]:
            n = int(np.prod([shape[a] for a in axes]))
            for kind in REDUCE:
                r = p.reduce(kind, x, axes, False)
                p.output(f"reduce_{kind} {shape} axes={axes}", r, 1e-6, 4e-6 * np.sqrt(n))
    x = p.arg((129, 257))
    p.output("transpose (129,257)", p.transpose(x, (1, 0)))
    y = p.arg((40, 50, 33))
    for perm in [(2, 1, 0), (1, 2, 0), (0, 2, 1)]:
        p.output(f"transpose (40,50,33) {perm}", p.transpose(y, perm))
    z = p.arg((3, 4, 5, 6, 7))
    p.output("transpose rank 5", p.transpose(z, (4, 2, 0, 3, 1)))
    p.output("reshape rank 5 -> 2", p.reshape(z, (60, 42)))
    p.output("reshape 2 -> rank 5", p.reshape(p.arg((60, 42)), (3, 4, 5, 6, 7)))
    p.output("reshape of a transpose", p.reshape(p.transpose(p.arg((17, 33)), (1, 0)), (3, 11, 17)))
    p.output("reshape () -> (1,1)", p.reshape(p.arg(()), (1, 1)))
    p.output("reshape (1,1) -> ()", p.reshape(p.arg((1, 1)), ()))
    col, row = p.arg((300, 1)), p.arg((1, 257))
    p.output("outer broadcast add", p.binary("add", col, row))
    r5, r3 = p.arg((2, 3, 4, 5, 6)), p.arg((4, 1, 6))
    p.output("rank-5 broadcast mul", p.binary("mul", r5, r3))
    p.output("rank-5 tanh", p.unary("tanh", r5), 2e-6)
    for lhs, rhs in [
        ((129, 300), (300, 70)),
        ((8, 1, 33, 17), (1, 5, 17, 65)),
        ((3, 2, 200, 9), (9, 150)),
    ]:
        r = p.matmul(p.arg(lhs), p.arg(rhs))
        p.output(f"matmul {lhs} @ {rhs}", r, 1e-5, 4e-6 * np.sqrt(lhs[-1]))
    for shape, axis in [((1, 5000), -1), ((5000, 1), 0), ((5000, 1), -1), ((4, 3, 17), 0)]:
        x = p.arg(shape)
        p.output(f"softmax {shape} axis={axis}", p.softmax(x, axis), 1e-5, 1e-6)
        p.output(f"layernorm {shape} axis={axis}", p.layernorm(x, axis), 1e-5, 1e-5)
    for shape, axis in [((2, 3, 4, 5), 2), ((2, 3, 4, 5), 0)]:
        x = p.arg(shape)
        p.output(f"softmax {shape} axis={axis}", p.softmax(x, axis), 1e-5, 1e-6)
        p.output(f"layernorm {shape} axis={axis}", p.layernorm(x, axis), 1e-5, 1e-5)
    # Casts inside fused chains, both directions.
    x, d = p.arg((33, 17)), p.arg((33, 17), F64)
    chain = p.binary("add", p.cast(p.unary("exp", x), F64), d)
    p.output("cast f32->f64 in a chain", chain, 2e-6, 1e-6)
    p.output("cast f64->f32 in a chain", p.unary("exp", p.cast(p.arg((17,), F64), F32)), 2e-6)
    # torch's LayerNorm variance: one f64 cast read by a reduction and a chain (each kernel
    # computes it again from the f32 input), with whole rows and with chunked padded rows.
    for shape in [(64, 768), (4, 10000)]:
        w = p.cast(p.arg(shape), F64)
        d = p.binary("sub", w, p.reduce("mean", w, (1,), True))
        v = p.reduce("sum", p.binary("mul", d, d), (1,), True)
        p.output(f"f64 variance of a cast {shape}", p.cast(v, F32), 1e-6)
        p.output(f"f64 centred cast {shape}", p.cast(d, F32), 1e-6, 1e-7)
    # pow at integer exponents of negative bases, zeros and infinities (numpy's rules).
    base = p.arg((8,), values=np.array([-2, -2, -0.5, 0, 0, 2, np.inf, -1]))
    expo = p.arg((8,), values=np.array([2, 3, -2, 0, 2, -1, 0.5, 0.5]))
    p.output("pow special values", p.binary("pow", base, expo), 1e-6)
    # Softmax with -inf logits, layernorm of a constant row (variance 0).
    logits = p.arg((2, 5), values=np.array([[1, 1, 1, 1, 1], [-np.inf, 0, 1, 2, 3]]))
    p.output("softmax with -inf", p.softmax(logits, -1), 1e-6, 1e-7)
    p.output("layernorm of constant rows", p.layernorm(p.arg((3, 4), values=np.ones((3, 4))), -1))
    return p


LARGE = large_program()


@pytest.mark.parametrize(("target", "opt"), VARIANTS)
def test_large_and_high_rank_shapes(target: str, opt: int) -> None:
    run_group(LARGE, "large", target, opt)


def test_zero_size_tensors_are_rejected_clearly() -> None:
    p = Program()
    p.output("empty add", p.binary("add", p.arg((3, 0)), p.arg((3, 0))))
    with pytest.raises(zg.UnsupportedError, match="does not support zero-size tensors"):
        zg.compile(p.text(), cache=False)


# ---------------------------------------------------------------------------------------------
# Edge values of the polynomial transcendentals
# ---------------------------------------------------------------------------------------------


def special_values(dtype: np.dtype[Any]) -> NDArray:
    info = np.finfo(dtype)
    values = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e-3, -1e-3, 0.625, -0.625, 9.0, -9.0]
    values += [20.0, -20.0, 50.0, -50.0, 80.0, 88.0, 88.7, 89.0, 100.0, -80.0, -87.0, -88.0]
    values += [-100.0, -103.0, -104.0, -110.0, 700.0, 709.0, 710.0, -700.0, -745.0, -750.0]
    values += [1e30, -1e30, 1e300, -1e300, float(info.max), -float(info.max)]
    values += [float(info.tiny), float(info.smallest_subnormal), -float(info.tiny)]
    values += [1e-30, 1e-40, 1e-300, np.inf, -np.inf, np.nan]
    with np.errstate(over="ignore"):
        return np.asarray(values, dtype=dtype)


def sweep_values(dtype: np.dtype[Any]) -> tuple[NDArray, NDArray]:
    """A dense sweep of ordinary arguments (for exp/tanh/sigmoid/gelu) and positive ones (log)."""
    lim = 85.0 if dtype == F32 else 700.0
    signed = np.linspace(-lim, lim, 4001).astype(dtype)
    small = np.linspace(-2, 2, 1001).astype(dtype)
    tiny_exp = -126 if dtype == F32 else -1000
    positive = np.logspace(tiny_exp - 20, 37 if dtype == F32 else 300, 3001).astype(dtype)
    return np.concatenate([signed, small]), positive[positive > 0]


TRANSCENDENTAL = ("exp", "log", "tanh", "sigmoid", "gelu")


def edge_program() -> Program:
    p = Program(seed=8)
    for dtype in (F32, F64):
        info = np.finfo(dtype)
        rel = 2e-6 if dtype == F32 else 1e-13
        # Subnormal results carry fewer significant bits: an absolute bound at the normal limit.
        tiny = float(info.tiny)
        specials = p.arg((len(special_values(dtype)),), dtype, values=special_values(dtype))
        signed_values, positive_values = sweep_values(dtype)
        signed = p.arg(signed_values.shape, dtype, values=signed_values)
        positive = p.arg(positive_values.shape, dtype, values=positive_values)
        name = "f32" if dtype == F32 else "f64"
        for op in TRANSCENDENTAL:
            a = 1e-7 if (op == "gelu" and dtype == F32) else (1e-15 if op == "gelu" else tiny)
            p.output(f"{op} {name} special values", p.unary(op, specials), rel, a)
            p.output(f"{op} {name} sweep", p.unary(op, positive if op == "log" else signed), rel, a)
    return p


EDGES = edge_program()


@pytest.mark.parametrize(("target", "opt"), VARIANTS)
def test_transcendental_edge_values(target: str, opt: int) -> None:
    run_group(EDGES, "edges", target, opt)


# ---------------------------------------------------------------------------------------------
# The two code paths really differ
# ---------------------------------------------------------------------------------------------


def test_avx512_path_uses_zmm_and_avx2_path_does_not() -> None:
    avx512 = compile_variant("broadcast", BROADCAST.text(), "avx512", 3).asm()
    avx2 = compile_variant("broadcast", BROADCAST.text(), "avx2", 3).asm()
    assert "zmm" in avx512
    assert "zmm" not in avx2 and "ymm" in avx2
    assert (
        "vector<16xf32>" in _lowered[("broadcast", "avx512")][0]
        or "<16 x float>" in (_lowered[("broadcast", "avx512")][0])
    )
    assert "<8 x float>" in _lowered[("broadcast", "avx2")][0]
