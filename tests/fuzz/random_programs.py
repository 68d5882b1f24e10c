"""Random straight-line programs over the traced API, and two interpretations of them.

Hypothesis strategy `programs()` builds a program (elementwise ops with broadcasting and
Python scalars, matmul incl. batched and 1-D, reductions with axes/keepdims, transpose,
reshape, broadcast_to, softmax, layer_norm) on tiny random inputs; `run(Zg, ...)` traces it
through the public zg API, `run(Np, ...)` evaluates it with numpy. Used by
tests/pytest/test_frontend_hypothesis.py (zg.jit against numpy) and
tests/pytest/test_ztensor_to_linalg.py (the linalg export against the ztensor program).

`ZIGGURAT_HYPOTHESIS_MAX_DIM` sets the largest dimension (default 3 on the interpreter
backend, where tiny shapes keep the run short; 20 on a compiled backend, to reach vector
tails and masking).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

import ziggurat as zg
from ziggurat.jit import InterpreterBackend, default_backend

MAX_DIM = int(
    os.environ.get(
        "ZIGGURAT_HYPOTHESIS_MAX_DIM",
        "3" if isinstance(default_backend(), InterpreterBackend) else "20",
    )
)
SCALARS = (0.5, 2.0, -1.5, 3.0, 0.25, 1)  # exactly representable in float32
UNARY = ("neg", "exp", "log", "tanh", "sqrt", "abs", "rsqrt", "relu", "sigmoid", "gelu")
BINARY = ("add", "subtract", "multiply", "divide", "maximum", "minimum", "power")


# ---------------------------------------------------------------------------------------------
# Two interpretations of the same program: the zg API (traced) and plain numpy in float64
# ---------------------------------------------------------------------------------------------


class Zg:
    """Program steps through the public zg API (traced inside zg.jit)."""

    unary = {
        "neg": lambda x: -x,
        "exp": zg.exp,
        "log": zg.log,
        "tanh": zg.tanh,
        "sqrt": zg.sqrt,
        "abs": zg.abs,
        "rsqrt": zg.rsqrt,
        "relu": zg.relu,
        "sigmoid": zg.sigmoid,
        "gelu": zg.gelu,
    }
    binary = {
        "add": lambda a, b: a + b,
        "subtract": zg.subtract,
        "multiply": lambda a, b: a * b,
        "divide": lambda a, b: a / b,
        "maximum": zg.maximum,
        "minimum": zg.minimum,
        "power": lambda a, b: a**b,
    }
    matmul = staticmethod(lambda a, b: a @ b)
    reduce = {"sum": zg.sum, "max": zg.max, "mean": zg.mean}
    transpose = staticmethod(zg.transpose)
    reshape = staticmethod(zg.reshape)
    broadcast_to = staticmethod(zg.broadcast_to)
    softmax = staticmethod(lambda x, axis: zg.softmax(x, axis=axis))
    layer_norm = staticmethod(lambda x, axis, eps: zg.layer_norm(x, axis=axis, eps=eps))


def _softmax(x: Any, axis: int) -> Any:
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _layer_norm(x: Any, axis: int, eps: float) -> Any:
    mu = np.mean(x, axis=axis, keepdims=True)
    return (x - mu) / np.sqrt(np.mean((x - mu) ** 2, axis=axis, keepdims=True) + eps)


class Np:
    """The same steps in numpy (inputs promoted to float64)."""

    unary = {
        "neg": np.negative,
        "exp": np.exp,
        "log": np.log,
        "tanh": np.tanh,
        "sqrt": np.sqrt,
        "abs": np.abs,
        "rsqrt": lambda x: 1 / np.sqrt(x),
        "relu": lambda x: np.maximum(x, 0),
        "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
        "gelu": lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
    }
    binary = {name: getattr(np, name) for name in BINARY}
    matmul = staticmethod(np.matmul)
    reduce = {"sum": np.sum, "max": np.max, "mean": np.mean}
    transpose = staticmethod(np.transpose)
    reshape = staticmethod(np.reshape)
    broadcast_to = staticmethod(np.broadcast_to)
    softmax = staticmethod(_softmax)
    layer_norm = staticmethod(_layer_norm)


@dataclass(frozen=True)
class Step:
    """One program step: `op` applied to value indices `args` with parameters `params`."""

    op: str
    args: tuple[int, ...]
    params: tuple[Any, ...] = ()


def run(lib: Any, steps: list[Step], inputs: list[Any], outputs: tuple[int, ...]) -> Any:
    """Evaluate `steps` with library `lib` (Zg or Np); returns the output values.

    Values are numbered in step order; an "input" step introduces `inputs[k]`.
    """
    values: list[Any] = []
    for s in steps:
        a = values[s.args[0]] if s.args else None
        match s.op:
            case "input":
                r = inputs[s.params[0]]
            case "unary":
                (name,) = s.params
                if name in ("log", "rsqrt"):  # keep the argument in the function's domain
                    a = lib.unary["abs"](a) + 0.5
                elif name == "sqrt":
                    a = lib.unary["abs"](a)
                elif name == "exp":  # keep the result small
                    a = lib.binary["minimum"](a, 2.0)
                r = lib.unary[name](a)
            case "binary":
                name, scalar, scalar_left = s.params
                b = scalar if scalar is not None else values[s.args[1]]
                if name == "divide" and scalar is None:  # denominators >= 1
                    b = lib.unary["abs"](b) + 1.0
                elif name == "divide" and scalar_left:
                    a = lib.unary["abs"](a) + 1.0
                if name == "power":  # base in [0.5, 4.5], exponent a scalar or in [-1, 1]
                    a = lib.binary["minimum"](lib.unary["abs"](a), 4.0) + 0.5
                    b = lib.unary["tanh"](b) if scalar is None else b
                    scalar_left = False
                r = lib.binary[name](b, a) if scalar_left else lib.binary[name](a, b)
            case "matmul":
                r = lib.matmul(a, values[s.args[1]])
            case "reduce":
                kind, axis, keepdims = s.params
                r = lib.reduce[kind](a, axis=axis, keepdims=keepdims)
            case "transpose":
                r = lib.transpose(a, s.params[0])
            case "reshape":
                r = lib.reshape(a, s.params[0])
            case "broadcast_to":
                r = lib.broadcast_to(a, s.params[0])
            case "softmax":
                r = lib.softmax(a, s.params[0])
            case "layer_norm":
                r = lib.layer_norm(a, *s.params)
            case _:
                raise AssertionError(s.op)
        values.append(r)
    result = tuple(values[i] for i in outputs)
    return result[0] if len(result) == 1 else result


# ---------------------------------------------------------------------------------------------
# Program generation
# ---------------------------------------------------------------------------------------------


def _compatible_shape(draw: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts with `shape` (drop leading dims, set dims to 1, add a dim)."""
    out = list(shape[draw(st.integers(0, len(shape))) :])
    for i in range(len(out)):
        if draw(st.booleans()):
            out[i] = 1
    if len(out) == len(shape) < 3 and draw(st.integers(0, 4)) == 0:
        out.insert(0, draw(st.integers(1, 2)))
    if draw(st.integers(0, 4)) == 0:  # make a broadcast the other way round
        out = [1 if d != 1 and draw(st.booleans()) else d for d in out]
    return tuple(out)


def _reshape_targets(shape: tuple[int, ...]) -> list[Any]:
    size = int(np.prod(shape, dtype=np.int64))
    targets: list[Any] = [(-1,), size, (1, size)]
    for a in range(2, size):
        if size % a == 0:
            targets += [(a, -1), (-1, a), (a, size // a)]
    if len(shape) >= 2:
        targets.append((shape[0] * shape[1], *shape[2:]))
    return targets


@st.composite
def programs(draw: Any) -> tuple[list[Step], list[Any], tuple[int, ...]]:
    dim = st.integers(1, MAX_DIM)
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    inputs: list[Any] = []
    shapes: list[tuple[int, ...]] = []
    steps: list[Step] = []

    def new_input(shape: tuple[int, ...]) -> int:
        layout = draw(st.sampled_from(["C", "C", "F"]))
        array = rng.uniform(-2, 2, size=shape).astype(dtype)
        inputs.append(np.asfortranarray(array) if layout == "F" and array.ndim >= 2 else array)
        steps.append(Step("input", (), (len(inputs) - 1,)))
        shapes.append(shape)
        return len(shapes) - 1

    def push(step: Step, shape: tuple[int, ...]) -> None:
        steps.append(step)
        shapes.append(shape)

    new_input(tuple(draw(st.lists(dim, min_size=0, max_size=3))))
    for _ in range(draw(st.integers(2, 6))):
        i = draw(st.integers(0, len(shapes) - 1))
        x = shapes[i]
        ops = ["unary", "binary", "binary", "reduce", "transpose", "reshape", "broadcast_to"]
        if len(x) >= 1:
            ops += ["matmul", "matmul", "softmax", "layer_norm"]
        kind = draw(st.sampled_from(ops))
        if kind == "unary":
            push(Step("unary", (i,), (draw(st.sampled_from(UNARY)),)), x)
        elif kind == "binary":
            name = draw(st.sampled_from(BINARY))
            if draw(st.integers(0, 3)) == 0:
                scalar = draw(st.sampled_from(SCALARS))
                push(Step("binary", (i,), (name, scalar, draw(st.booleans()))), x)
            else:
                same = [j for j, s in enumerate(shapes) if _broadcasts(s, x)]
                if draw(st.booleans()):
                    j = draw(st.sampled_from(same))
                else:
                    j = new_input(_compatible_shape(draw, x))
                out = tuple(np.broadcast_shapes(x, shapes[j]))
                push(Step("binary", (i, j), (name, None, False)), out)
        elif kind == "matmul":
            k = x[-1]
            n = draw(dim)
            rhs_kind = draw(st.sampled_from(["vector", "matrix", "batched"]))
            if rhs_kind == "vector":
                rhs: tuple[int, ...] = (k,)
            elif rhs_kind == "matrix":
                rhs = (k, n)
            else:
                batch = _compatible_shape(draw, x[:-2]) if len(x) > 2 else (draw(dim),)
                rhs = (*batch, k, n)
            j = new_input(rhs)
            out = np.matmul(np.zeros(x), np.zeros(rhs)).shape
            push(Step("matmul", (i, j)), out)
        elif kind == "reduce":
            red = draw(st.sampled_from(["sum", "max", "mean"]))
            choice = draw(st.integers(0, 2)) if x else 0
            axis: Any = None
            if choice == 1:
                axis = draw(st.integers(-len(x), len(x) - 1))
            elif choice == 2:
                axis = tuple(draw(st.sets(st.integers(0, len(x) - 1), min_size=1)))
            keepdims = draw(st.booleans())
            out = np.sum(np.zeros(x), axis=axis, keepdims=keepdims).shape
            push(Step("reduce", (i,), (red, axis, keepdims)), out)
        elif kind == "transpose":
            perm = draw(st.none() | st.permutations(range(len(x))).map(tuple))
            push(Step("transpose", (i,), (perm,)), np.transpose(np.zeros(x), perm).shape)
        elif kind == "reshape":
            target = draw(st.sampled_from(_reshape_targets(x)))
            push(Step("reshape", (i,), (target,)), np.reshape(np.zeros(x), target).shape)
        elif kind == "broadcast_to":
            target = tuple(draw(dim) if d == 1 else d for d in x)
            if len(target) < 3 and draw(st.booleans()):
                target = (draw(dim), *target)
            push(Step("broadcast_to", (i,), (target,)), target)
        elif kind == "softmax":
            push(Step("softmax", (i,), (draw(st.integers(-len(x), len(x) - 1)),)), x)
        else:
            axis = draw(st.integers(-len(x), len(x) - 1))
            # eps is held as f32 by ztensor.layernorm: use values exact in f32 (1e-5 is
            # covered by test_frontend.py).
            eps = draw(st.sampled_from([2.0**-7, 0.5]))
            push(Step("layer_norm", (i,), (axis, eps)), x)

    last = len(shapes) - 1
    outputs = (last,) if draw(st.booleans()) else (last, draw(st.integers(0, last)))
    return steps, inputs, outputs


def _broadcasts(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


