"""ztensor <-> egglog terms for the `eqsat` pass.

The e-graph has three sorts. `Op` holds tensor values: one constructor per modeled ztensor op,
`Input` leaves (block arguments and results of ops that are not modeled), `Const` leaves
(non-splat constants), `Scalar` (a rank-0 constant, broadcast by its consumer) and the fused
kernels. The other two sorts hold kernel bodies, and their grammar is the fused-form invariant
(each kernel is exactly what `ztensor-to-ztile` computes in one `ztile.grid`):

- `Ep`: elementwise bodies: elementwise ops over `EIn` (a value read from memory, or a scalar);
  no matmul, reduction or data movement.
- `Mp`: matmul-epilogue bodies: exactly one matmul `MCore(a, b)` of two materialized `Op`
  values, at the bottom, under elementwise ops (`MAdd(m, e)`, `MAddR(e, m)`, `MRelu(m)`, ...)
  whose other operands are `Ep` bodies.

Kernels: `Fused(Ep)` (kind `elementwise`), `FMatmul(Mp)` (`matmul_epilogue`), and
`FReduce*(Ep)`, `FSoftmax(Ep)`, `FLayerNorm(Ep)` (`reduction`: the reduction-like op applied to
an elementwise prologue). What a kernel may hold is decided by `ziggurat.dialects.ztensor_kernels`
alone: `kernel_node_ok` asks it what the grammar cannot say (ranks, shapes and tile sizes), node
by node, and extraction drops the nodes it rejects. The kernels of the rebuilt program are then
formed by its planner (see `eqsat.form_kernels`).

`OPS` describes every constructor once: its egglog name, its name in the rule syntax, its
children's sorts and its attributes. The elementwise ops and reductions, and their kernel-body
forms, are one constructor each per row of the op table (`ziggurat.dialects.optable`). Evaluation (reference semantics on numpy arrays), type
inference and op building are all keyed by that table, so the rule checker, the cost model and
the rebuilder agree on what a term means.

Attribute encodings: permutations, axes and shapes are strings (`"1,0"`, `"0,2"`, `"4x8"`,
`""` for rank 0); `keepdims` is an i64 (0 or 1); epsilons and scalars are f64.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    BFloat16Type,
    DenseIntOrFPElementsAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    TensorType,
    i1,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

from ziggurat.dialects import optable
from ziggurat.dialects import ztensor as zt
from ziggurat.dialects import ztensor_kernels as kernels
from ziggurat.dialects import ztensor_semantics as sem

NDArray = np.ndarray[Any, Any]
Shape = tuple[int, ...]
MAX_RANK = 4
"""Tensors of higher rank are not modeled: ops on them stay opaque."""


@dataclass(frozen=True)
class TType:
    """The type of an e-class: a static shape and an element type (None for a bare scalar)."""

    shape: Shape
    elt: str | None

    @property
    def elements(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1

    @property
    def itemsize(self) -> int:
        return {"f64": 8, "f32": 4, "f16": 2, "bf16": 2, "i1": 1, None: 4}[self.elt]


class TermTypeError(Exception):
    """A term whose operand types do not fit (raised by `infer_type`)."""


@dataclass(frozen=True)
class OpSpec:
    """One egglog constructor: its sort, children sorts and attributes (name, egglog type)."""

    egg: str
    dsl: str
    sort: str
    children: tuple[str, ...]
    attrs: tuple[tuple[str, str], ...]
    category: str
    ztensor: type[Operation] | None = None
    row: optable.Elementwise | None = None
    """The op table row of an elementwise constructor (categories unary, binary, ternary)."""


ARITY_CATEGORY = {1: "unary", 2: "binary", 3: "ternary"}
"""The category of an elementwise constructor of each arity."""
ELEMENTWISE_CATEGORIES = tuple(ARITY_CATEGORY.values())


def egg_name(dsl: str) -> str:
    """The egglog constructor of an op named `dsl` in the rule syntax (`reduce_sum` -> `ReduceSum`)."""
    return "".join(part.capitalize() for part in dsl.split("_"))


def _build_specs() -> dict[str, OpSpec]:
    specs: list[OpSpec] = [
        OpSpec("Input", "input", "Op", (), (("id", "i64"),), "leaf"),
        OpSpec("Const", "tensor_const", "Op", (), (("id", "i64"),), "leaf"),
        OpSpec("Scalar", "const", "Op", (), (("value", "f64"),), "scalar"),
    ]
    for row in optable.BINARY:
        n, b = row.name, zt.BINARY_OPS[row.name]
        e = egg_name(n)
        specs.append(OpSpec(e, n, "Op", ("Op", "Op"), (), "binary", b, row))
        specs.append(OpSpec("E" + e, "ep_" + n, "Ep", ("Ep", "Ep"), (), "binary", b, row))
        specs.append(OpSpec("M" + e, "mm_" + n, "Mp", ("Mp", "Ep"), (), "binary", b, row))
        specs.append(
            OpSpec("M" + e + "R", "mm_" + n + "_r", "Mp", ("Ep", "Mp"), (), "binary", b, row)
        )
    for row in optable.UNARY:
        n, u = row.name, zt.UNARY_OPS[row.name]
        e = egg_name(n)
        specs.append(OpSpec(e, n, "Op", ("Op",), (), "unary", u, row))
        specs.append(OpSpec("E" + e, "ep_" + n, "Ep", ("Ep",), (), "unary", u, row))
        specs.append(OpSpec("M" + e, "mm_" + n, "Mp", ("Mp",), (), "unary", u, row))
    for row in optable.BOOLEAN:
        # Tensor values and elementwise kernel bodies; no matmul-epilogue forms.
        n, cls = row.name, zt.ELEMENTWISE_OPS[row.name]
        e, k = egg_name(n), ARITY_CATEGORY[row.arity]
        attrs = (("pred", "String"),) if row.predicates else ()
        specs.append(OpSpec(e, n, "Op", ("Op",) * row.arity, attrs, k, cls, row))
        specs.append(OpSpec("E" + e, "ep_" + n, "Ep", ("Ep",) * row.arity, attrs, k, cls, row))
    specs += [
        OpSpec("Matmul", "matmul", "Op", ("Op", "Op"), (), "matmul", zt.MatmulOp),
        OpSpec(
            "Transpose",
            "transpose",
            "Op",
            ("Op",),
            (("perm", "String"),),
            "transpose",
            zt.TransposeOp,
        ),
        OpSpec(
            "Reshape", "reshape", "Op", ("Op",), (("shape", "String"),), "reshape", zt.ReshapeOp
        ),
        OpSpec(
            "BroadcastTo",
            "broadcast_to",
            "Op",
            ("Op",),
            (("shape", "String"),),
            "broadcast",
            zt.BroadcastToOp,
        ),
        OpSpec("Cast", "cast", "Op", ("Op",), (("elt", "String"),), "cast", zt.CastOp),
        OpSpec("Softmax", "softmax", "Op", ("Op",), (("axis", "String"),), "softmax", zt.SoftmaxOp),
        OpSpec(
            "LayerNorm",
            "layernorm",
            "Op",
            ("Op",),
            (("axis", "String"), ("epsilon", "f64")),
            "layernorm",
            zt.LayerNormOp,
        ),
        OpSpec("MCore", "mm_core", "Mp", ("Op", "Op"), (), "matmul", zt.MatmulOp),
        OpSpec("Fused", "fused", "Op", ("Ep",), (), "fused"),
        OpSpec("FMatmul", "fused_matmul", "Op", ("Mp",), (), "fused_matmul"),
        OpSpec(
            "FSoftmax",
            "fused_softmax",
            "Op",
            ("Ep",),
            (("axis", "String"),),
            "fused_softmax",
            zt.SoftmaxOp,
        ),
        OpSpec(
            "FLayerNorm",
            "fused_layernorm",
            "Op",
            ("Ep",),
            (("axis", "String"), ("epsilon", "f64")),
            "fused_layernorm",
            zt.LayerNormOp,
        ),
        OpSpec("EIn", "ep_in", "Ep", ("Op",), (), "ep_in"),
    ]
    for red in optable.REDUCTIONS:
        n, r = red.name, zt.REDUCTION_OPS[red.name]
        reduce_attrs = (("axes", "String"), ("keepdims", "i64"))
        specs.append(OpSpec(egg_name(n), n, "Op", ("Op",), reduce_attrs, "reduce", r))
        specs.append(
            OpSpec("F" + egg_name(n), "fused_" + n, "Op", ("Ep",), reduce_attrs, "fused_reduce", r)
        )
    return {s.egg: s for s in specs}


OPS: dict[str, OpSpec] = _build_specs()
"""egglog constructor name -> spec."""
BY_DSL: dict[str, OpSpec] = {s.dsl: s for s in OPS.values()}
"""rule-syntax name -> spec."""


# ---------------------------------------------------------------------------------------------
# Attribute encodings
# ---------------------------------------------------------------------------------------------


def ints_str(values: Sequence[int]) -> str:
    return ",".join(str(v) for v in values)


def str_ints(text: str) -> tuple[int, ...]:
    return tuple(int(v) for v in text.split(",")) if text else ()


def shape_str(shape: Sequence[int]) -> str:
    return "x".join(str(d) for d in shape)


def str_shape(text: str) -> Shape:
    return tuple(int(d) for d in text.split("x")) if text else ()


def splat_scalar(op: zt.ConstantOp) -> float | None:
    """The value of a splat constant (sign of zero kept), or None (`ztensor.splat_scalar`)."""
    return zt.splat_scalar(op.value)


def scalar_term(value: float) -> str:
    """The egglog term of a rank-0 constant. egglog's f64 equality does not tell -0.0 from
    +0.0 (a pattern `(Scalar 0.0)` would match both), so -0.0 is `(Neg (Scalar 0.0))` and a
    `Scalar` never holds -0.0."""
    if value == 0.0 and np.signbit(value):
        return "(Neg (Scalar 0.0))"
    return Term("Scalar", (value,)).egg()


def egg_literal(value: object, egg_type: str) -> str:
    """An attribute value as egglog source text."""
    if egg_type == "String":
        return '"' + str(value) + '"'
    if egg_type == "f64":
        text = repr(float(value))  # type: ignore[arg-type]
        if text in ("inf", "-inf", "nan"):
            raise ValueError(f"egglog has no literal for {text}")
        return text if any(c in text for c in ".e") else text + ".0"
    return str(int(value))  # type: ignore[call-overload]


def elt_name(element_type: Attribute) -> str | None:
    if element_type == i1:
        return "i1"
    return {
        Float32Type: "f32",
        Float64Type: "f64",
        Float16Type: "f16",
        BFloat16Type: "bf16",
    }.get(type(element_type))  # type: ignore[arg-type]


def elt_attr(name: str) -> Attribute:
    return {
        "f32": Float32Type(),
        "f64": Float64Type(),
        "f16": Float16Type(),
        "bf16": BFloat16Type(),
        "i1": i1,
    }[name]


def np_dtype(name: str | None) -> np.dtype[Any]:
    """The numpy dtype of an element type name (`ml_dtypes.bfloat16` for bf16)."""
    if name == "i1":
        return np.dtype(np.bool_)
    if name == "bf16":
        return sem.bfloat16()
    return np.dtype({"f64": np.float64, "f16": np.float16}.get(name or "f32", np.float32))


def ttype_of(value: SSAValue) -> TType | None:
    """The TType of a modeled tensor value, or None (not a static float tensor of rank <= 4)."""
    ty = value.type
    if not isinstance(ty, TensorType):
        return None
    elt = elt_name(ty.element_type)
    shape = tuple(ty.get_shape())
    if elt is None or any(d < 0 for d in shape) or len(shape) > MAX_RANK:
        return None
    return TType(shape, elt)


def tensor_type(t: TType, elt: str | None = None) -> TensorType[Attribute]:
    return TensorType(elt_attr(t.elt or elt or "f32"), t.shape)


# ---------------------------------------------------------------------------------------------
# Type inference
# ---------------------------------------------------------------------------------------------


def _elt(*types: TType) -> str | None:
    elts = {t.elt for t in types if t.elt is not None}
    if len(elts) > 1:
        raise TermTypeError(f"element types differ: {sorted(elts)}")
    return elts.pop() if elts else None


def _wrap(f: Callable[[], Shape]) -> Shape:
    try:
        return f()
    except Exception as exc:  # VerifyException from the dialect's shape helpers
        raise TermTypeError(str(exc)) from exc


def _axes(text: str, rank: int) -> tuple[int, ...]:
    axes = str_ints(text)
    if any(not 0 <= a < rank for a in axes) or len(set(axes)) != len(axes):
        raise TermTypeError(f"axes {text!r} out of range for rank {rank}")
    return axes


def infer_type(
    spec: OpSpec, attrs: Sequence[Any], children: Sequence[TType], leaf_types: Sequence[TType] = ()
) -> TType:
    """The type of a node given its attributes and its children's types."""
    c = spec.category
    if c == "leaf":
        return leaf_types[int(attrs[0])]
    if c == "scalar":
        return TType((), None)
    if spec.row is not None and not spec.row.is_arithmetic:
        return _elementwise_type(spec, spec.row, attrs, children)
    if c in ("unary", "ep_in", "fused", "fused_matmul"):
        return children[0]
    if c == "binary":
        a, b = children
        shape = _wrap(lambda: zt.broadcast_shapes(spec.dsl, a.shape, b.shape))
        return TType(shape, _elt(a, b))
    if c == "matmul":
        a, b = children
        return TType(_wrap(lambda: zt.matmul_shape("matmul", a.shape, b.shape)), _elt(a, b))
    x = children[0]
    if c == "transpose":
        perm = str_ints(attrs[0])
        if sorted(perm) != list(range(len(x.shape))):
            raise TermTypeError(f"bad permutation {attrs[0]!r} for rank {len(x.shape)}")
        return TType(tuple(x.shape[p] for p in perm), x.elt)
    if c == "reshape":
        shape = str_shape(attrs[0])
        if int(np.prod(shape, dtype=np.int64)) != x.elements:
            raise TermTypeError(f"cannot reshape {x.shape} into {shape}")
        return TType(shape, x.elt)
    if c == "broadcast":
        shape = str_shape(attrs[0])
        ok = len(x.shape) <= len(shape) and all(
            s in (1, d) for s, d in zip(reversed(x.shape), reversed(shape), strict=False)
        )
        if not ok:
            raise TermTypeError(f"cannot broadcast {x.shape} to {shape}")
        return TType(shape, x.elt)
    if c == "cast":
        if x.elt is None:
            raise TermTypeError("cannot cast a bare scalar")
        return TType(x.shape, str(attrs[0]))
    if c in ("reduce", "fused_reduce"):
        axes = _axes(attrs[0], len(x.shape))
        return TType(zt.reduced_shape(x.shape, axes, bool(int(attrs[1]))), x.elt)
    if c in ("softmax", "layernorm", "fused_softmax", "fused_layernorm"):
        if len(_axes(attrs[0], len(x.shape))) != 1:
            raise TermTypeError(f"axis {attrs[0]!r} is not one axis")
        if c in ("layernorm", "fused_layernorm") and not float(attrs[1]) > 0:
            raise TermTypeError("epsilon must be positive")
        return x
    raise TermTypeError(f"no type rule for {spec.egg}")


def _elementwise_type(
    spec: OpSpec, row: optable.Elementwise, attrs: Sequence[Any], children: Sequence[TType]
) -> TType:
    """The type of an elementwise node with boolean operands or result: the operands'
    broadcast shape; a boolean (`i1`) or the float operands' element type."""
    if row.predicates and attrs[0] not in {p.name for p in row.predicates}:
        raise TermTypeError(f"{spec.dsl}: unknown predicate {attrs[0]!r}")
    floats = []
    for kind, child in zip(row.operand_kinds, children, strict=True):
        if (child.elt == "i1") != (kind == "b"):
            want = "a boolean" if kind == "b" else "a float"
            raise TermTypeError(f"{spec.dsl}: an operand of type {child.elt} where {want} goes")
        if kind == "f":
            floats.append(child)
    shape = _wrap(lambda: zt.broadcast_shapes(spec.dsl, *(t.shape for t in children)))
    return TType(shape, "i1" if row.result_kind == "b" else _elt(*floats))


def operand_elts(spec: OpSpec, children: Sequence[TType], out: TType) -> list[str | None]:
    """The element type each child of a node takes (what a bare scalar child becomes): a
    boolean operand's is `i1`, the others' that of the node's float operands (which is the
    result's for an arithmetic op)."""
    row = spec.row
    if row is None or row.is_arithmetic:
        return [out.elt] * len(children)
    floats = [t.elt for t, k in zip(children, row.operand_kinds, strict=True) if k == "f"]
    elt = next((e for e in floats if e is not None), None)
    return ["i1" if k == "b" else elt for k in row.operand_kinds]


def kernel_node_ok(
    spec: OpSpec, attrs: Sequence[Any], children: Sequence[TType], out: TType
) -> bool:
    """Whether a node of a fused kernel keeps every body the extractor may choose for it one
    kernel (what the sorts cannot say), as `ztensor_kernels` decides:

    - an elementwise kernel has a natural view (`elementwise_term_ok`: rank 1 to 3);
    - a matmul kernel is a 2-D matmul (`matmul_term_ok`) whose epilogue keeps the matmul's
      shape (`epilogue_term_ok`: the epilogue's other operands broadcast into it);
    - a reduction kernel takes a prologue (`prologue_term_ok`: rank 1 to 3, no padded chunk).
    """
    c = spec.category
    if c == "fused":
        return kernels.elementwise_term_ok(out.shape)
    if spec.sort == "Mp":
        if c == "matmul":
            return kernels.matmul_term_ok(out.shape)
        core = [t for t, s in zip(children, spec.children, strict=True) if s == "Mp"]
        return kernels.epilogue_term_ok(core[0].shape, out.shape)
    if c in ("fused_reduce", "fused_softmax", "fused_layernorm"):
        return kernels.prologue_term_ok(children[0].shape, str_ints(attrs[0]))
    return True


# ---------------------------------------------------------------------------------------------
# Reference evaluation (numpy, through dialects/ztensor_semantics.py)
# ---------------------------------------------------------------------------------------------


def _cast(value: NDArray, t: TType) -> NDArray:
    return np.asarray(value, dtype=np_dtype(t.elt)).reshape(t.shape)


def eval_node(
    spec: OpSpec,
    attrs: Sequence[Any],
    children: Sequence[NDArray],
    out: TType,
    leaves: Sequence[NDArray] = (),
    child_types: Sequence[TType] = (),
) -> NDArray:
    """The value of one node on numpy children, with the reference semantics of ztensor
    (`child_types`: the children's types, needed by nodes with boolean operands or result)."""
    c = spec.category
    with np.errstate(all="ignore"):
        if c == "leaf":
            return leaves[int(attrs[0])]
        if c == "scalar":
            # Rounded as the rebuilt constant is (a bare scalar is f32 unless it meets f64).
            return _cast(np.asarray(float(attrs[0])), out)
        if c in ("ep_in", "fused", "fused_matmul"):
            return children[0]
        if spec.row is not None and not spec.row.is_arithmetic:
            elts = operand_elts(spec, child_types, out)
            args = [
                np.asarray(a, dtype=np_dtype(e)) if e is not None else a
                for a, e in zip(children, elts, strict=True)
            ]
            predicate = attrs[0] if spec.row.predicates else None
            return _cast(spec.row.evaluate(*args, predicate=predicate), out)
        # A bare scalar takes the element type of the tensor it meets (as the rebuilt IR does).
        dtype = np_dtype(out.elt) if out.elt is not None else None
        args = [np.asarray(a, dtype=dtype) if dtype is not None else a for a in children]
        if c == "unary":
            return _cast(sem.UNARY_RULES[spec.ztensor](args[0]), out)  # type: ignore[index]
        if c == "binary":
            return _cast(sem.BINARY_RULES[spec.ztensor](args[0], args[1]), out)  # type: ignore[index]
        if c == "matmul":
            return _cast(np.matmul(args[0], args[1]), out)
        x = args[0]
        if c == "transpose":
            return _cast(np.transpose(x, str_ints(attrs[0])), out)
        if c == "reshape":
            return _cast(x.reshape(out.shape), out)
        if c == "broadcast":
            return _cast(np.broadcast_to(x, out.shape).copy(), out)
        if c == "cast":
            return _cast(x, out)
        if c in ("reduce", "fused_reduce"):
            rule = sem.REDUCE_RULES[spec.ztensor]  # type: ignore[index]
            return _cast(rule(x, axis=str_ints(attrs[0]), keepdims=bool(int(attrs[1]))), out)
        if c in ("softmax", "fused_softmax"):
            return _cast(sem.softmax(x, str_ints(attrs[0])[0]), out)
        if c in ("layernorm", "fused_layernorm"):
            return _cast(sem.layernorm(x, str_ints(attrs[0])[0], float(attrs[1])), out)
    raise TermTypeError(f"no evaluation rule for {spec.egg}")


# ---------------------------------------------------------------------------------------------
# Plain terms (rule instances, tests) and function translation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A ground term: a constructor, its attribute values and its children."""

    op: str
    attrs: tuple[Any, ...] = ()
    args: tuple[Term, ...] = ()

    def egg(self) -> str:
        spec = OPS[self.op]
        parts = [self.op, *(a.egg() for a in self.args)]
        parts += [egg_literal(v, t) for v, (_, t) in zip(self.attrs, spec.attrs, strict=True)]
        return "(" + " ".join(parts) + ")"


@dataclass
class Translation:
    """A function's modeled ops as egglog `let` bindings, one per SSA value."""

    lets: list[tuple[str, str]] = field(default_factory=list)
    """(name, egglog term text) in dependency order; a name is `(named K)`, K its index."""
    shapes: dict[str, str] = field(default_factory=dict)
    """name -> shape string."""
    leaf_values: list[SSAValue] = field(default_factory=list)
    """`Input i` stands for leaf_values[i] (block args, opaque results)."""
    leaf_types: list[TType] = field(default_factory=list)
    """Type of `Input i` (and of `Const i`, which shares the numbering)."""
    const_ops: dict[int, zt.ConstantOp] = field(default_factory=dict)
    """`Const i` -> the constant op it stands for."""
    value_names: dict[SSAValue, str] = field(default_factory=dict)
    """Modeled SSA value -> its let name."""
    modeled: list[Operation] = field(default_factory=list)
    """Top-level ops represented in the e-graph, in program order."""
    ranks: set[int] = field(default_factory=set)

    def program(self) -> list[str]:
        """egglog commands: one `named` binding per value, then the known shapes.

        Bindings go through the one function `named` rather than global `let`s, which egglog
        turns into one table each (slow on large functions).
        """
        lines = [f"(set {name} {term})" for name, term in self.lets]
        lines += [f'(set (shape {name}) "{s}")' for name, s in self.shapes.items()]
        return lines


def _attr_values(op: Operation) -> tuple[Any, ...] | None:
    """The egglog attributes of a modeled op (None: an attribute we cannot encode)."""
    match op:
        case zt.TransposeOp():
            return (ints_str(op.perm),)
        case zt.ReshapeOp() | zt.BroadcastToOp():
            t = ttype_of(op.results[0])
            return None if t is None else (shape_str(t.shape),)
        case zt.CastOp():
            t = ttype_of(op.results[0])
            return None if t is None else (t.elt,)
        case zt.ReduceOp():
            return (ints_str(op.reduced_axes), int(op.keep))
        case zt.SoftmaxOp():
            return (str(op.normalized_axis),)
        case zt.LayerNormOp():
            return (str(op.normalized_axis), float(op.epsilon.value.data))
    predicate = optable.predicate_of(op)
    return () if predicate is None else (predicate,)


SPEC_OF_CLASS: dict[type[Operation], OpSpec] = {
    s.ztensor: s
    for s in OPS.values()
    if s.ztensor is not None
    and s.sort == "Op"
    and s.category
    in (
        *ELEMENTWISE_CATEGORIES,
        "matmul",
        "transpose",
        "reshape",
        "broadcast",
        "cast",
        "reduce",
        "softmax",
        "layernorm",
    )
}


def _typed_by_its_operands(spec: OpSpec, op: Operation) -> bool:
    """Whether the e-graph can tell the element type of `op`'s result: a splat constant is a
    `Scalar` without one (it takes that of the tensor it meets), so an op with boolean
    operands needs a float operand that is not a splat (`select(c, 1.0, 0.0)` stays opaque)."""
    row = spec.row
    if row is None or row.is_arithmetic:
        return True
    return any(
        k == "f" and not (isinstance(v.owner, zt.ConstantOp) and splat_scalar(v.owner) is not None)
        for v, k in zip(op.operands, row.operand_kinds, strict=True)
    )


def translate(function: func.FuncOp) -> Translation:
    """One `let` per modeled SSA value of the function's (single) block."""
    tr = Translation()
    names: dict[SSAValue, str] = {}

    def leaf(value: SSAValue, t: TType) -> str:
        if value in names:
            return names[value]
        index = len(tr.leaf_values)
        tr.leaf_values.append(value)
        tr.leaf_types.append(t)
        name = f"(named {len(tr.lets)})"
        tr.lets.append((name, f"(Input {index})"))
        tr.shapes[name] = shape_str(t.shape)
        names[value] = name
        return name

    def operand(value: SSAValue) -> str | None:
        if value in names:
            return names[value]
        t = ttype_of(value)
        return None if t is None else leaf(value, t)

    # Splats that an op left opaque for want of a typed operand reads keep their own type:
    # they stay leaves (a `Scalar` would be rebuilt in whatever type it meets).
    held = {
        v
        for op in function.body.block.ops
        if type(op) in SPEC_OF_CLASS and not _typed_by_its_operands(SPEC_OF_CLASS[type(op)], op)
        for v in op.operands
    }
    for op in function.body.block.ops:
        result_types = [ttype_of(r) for r in op.results]
        if len(op.results) != 1 or result_types[0] is None:
            continue
        out = result_types[0]
        tr.ranks.add(len(out.shape))
        if isinstance(op, zt.ConstantOp):
            value = splat_scalar(op)
            if value is not None and np.isfinite(value) and op.results[0] not in held:
                term = scalar_term(value)
                if out.shape != ():
                    term = f'(BroadcastTo {term} "{shape_str(out.shape)}")'
            else:
                # A non-splat constant stays where it is, as a leaf (a kernel input).
                index = len(tr.leaf_values)
                tr.leaf_values.append(op.results[0])
                tr.leaf_types.append(out)
                tr.const_ops[index] = op
                name = f"(named {len(tr.lets)})"
                tr.lets.append((name, f"(Const {index})"))
                tr.shapes[name] = shape_str(out.shape)
                names[op.results[0]] = name
                continue
        elif type(op) in SPEC_OF_CLASS and not op.regions:
            spec = SPEC_OF_CLASS[type(op)]
            if not _typed_by_its_operands(spec, op):
                continue
            attrs = _attr_values(op)
            args = [operand(v) for v in op.operands]
            if attrs is None or any(a is None for a in args):
                continue
            for v in op.operands:
                t = ttype_of(v)
                if t is not None:
                    tr.ranks.add(len(t.shape))
            parts = [spec.egg, *[a for a in args if a is not None]]
            parts += [egg_literal(v, t) for v, (_, t) in zip(attrs, spec.attrs, strict=True)]
            term = "(" + " ".join(parts) + ")"
        else:
            continue
        name = f"(named {len(tr.lets)})"
        tr.lets.append((name, term))
        tr.shapes[name] = shape_str(out.shape)
        names[op.results[0]] = name
        tr.value_names[op.results[0]] = name
        tr.modeled.append(op)
    return tr


# ---------------------------------------------------------------------------------------------
# Building ops back from chosen nodes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """A node of the serialized e-graph: constructor, attribute values, child e-classes."""

    op: str
    attrs: tuple[Any, ...]
    children: tuple[str, ...]

    @property
    def spec(self) -> OpSpec:
        return OPS[self.op]


class Builder:
    """Materializes chosen e-graph nodes as ztensor ops, memoized per e-class (sharing kept)."""

    def __init__(
        self,
        choice: dict[str, Node],
        types: dict[str, TType],
        leaf_value: Callable[[int], SSAValue],
        insert: Callable[[Operation], None],
    ):
        self.choice = choice
        self.types = types
        self.leaf_value = leaf_value
        self.insert = insert
        self.built: dict[str, SSAValue] = {}

    def scalar_of(self, cls: str) -> float | None:
        """The value of a chosen rank-0 constant (`Scalar c`, or -0.0 as `Neg (Scalar 0.0)`)."""
        node = self.choice[cls]
        if node.spec.category == "scalar":
            return float(node.attrs[0])
        if node.op == "Neg":
            inner = self.choice[node.children[0]]
            if inner.spec.category == "scalar" and float(inner.attrs[0]) == 0.0:
                return -0.0
        return None

    def value(self, cls: str, elt: str | None = None) -> SSAValue:
        """The SSA value of an Op e-class (a class of bare scalars, which has no element type
        of its own, takes element type `elt`).

        Builds the classes it needs first, in post-order, with an explicit stack (programs
        may be thousands of ops deep); LookupError on a cyclic choice.
        """
        scalar = self.scalar_of(cls)
        if scalar is not None:
            return self._scalar(scalar, elt or "f32", self.insert)
        expanding: set[str] = set()
        stack: list[tuple[str, str | None, bool]] = [(cls, elt, False)]
        while stack:
            c, want, ready = stack.pop()
            key = self._key(c, want)
            if key in self.built:
                continue
            if ready:
                self.built[key] = self._build(self.choice[c], self.types[c], want)
                continue
            if key in expanding:
                raise LookupError("cyclic choice")
            expanding.add(key)
            stack.append((c, want, True))
            for d, e in reversed(self._deps(c, want)):
                if self._key(d, e) not in self.built and self.scalar_of(d) is None:
                    if self._key(d, e) in expanding:
                        raise LookupError("cyclic choice")
                    stack.append((d, e, False))
        return self.built[self._key(cls, elt)]

    def _key(self, cls: str, elt: str | None) -> str:
        """Where `built` keeps the value of `cls`: under the class, or for a class without an
        element type under the class and the element type it is built in."""
        return cls if self.types[cls].elt is not None else f"{cls}:{elt or 'f32'}"

    def _deps(self, cls: str, want: str | None) -> list[tuple[str, str | None]]:
        """The Op e-classes that must be built before `cls` (built in element type `want` if
        it has none), each with the element type it is built in."""
        node = self.choice[cls]
        out = self.types[cls]
        if node.spec.category == "leaf":
            return []
        if node.spec.category.startswith("fused"):
            inputs = self._fused_inputs(node)
            elt = self._fused_elt(inputs, out, want)
            return [(d, elt) for d in inputs]
        t = TType(out.shape, out.elt or want)
        elts = operand_elts(node.spec, [self.types[d] for d in node.children], t)
        return list(zip(node.children, elts, strict=True))

    def _fused_elt(self, inputs: Sequence[str], out: TType, want: str | None) -> str:
        """The float element type of a kernel: its result's, or for a kernel computing a
        boolean (or one without an element type) that of the floats it reads."""
        if out.elt is not None and out.elt != "i1":
            return out.elt
        floats = [e for c in inputs if (e := self.types[c].elt) is not None and e != "i1"]
        return next(iter(floats), want if want is not None and want != "i1" else "f32")

    def _fused_inputs(self, node: Node) -> list[str]:
        """The Op e-classes a kernel body reads (`EIn` operands that are not scalars, and the
        matmul's two operands), in first-use order."""
        inputs: list[str] = []
        seen: set[str] = set()
        stack = [node.children[0]]
        while stack:
            body = stack.pop()
            if body in seen:
                continue
            seen.add(body)
            n = self.choice[body]
            if n.spec.category in ("ep_in", "matmul"):  # a matmul only occurs as MCore here
                for c in n.children:
                    if self.scalar_of(c) is None and c not in inputs:
                        inputs.append(c)
            else:
                stack.extend(reversed(n.children))
        return inputs

    @staticmethod
    def _scalar(value: float, elt: str, insert: Callable[[Operation], None]) -> SSAValue:
        ty = TensorType(elt_attr(elt), [])
        c = zt.ConstantOp(DenseIntOrFPElementsAttr.from_list(ty, [value]))  # type: ignore[arg-type, type-var]
        insert(c)
        return c.result

    def _build(self, node: Node, out: TType, want: str | None = None) -> SSAValue:
        """The op of `node` with result type `out` (element type `want` if `out` has none)."""
        spec = node.spec
        if spec.category == "leaf":
            return self.leaf_value(int(node.attrs[0]))
        if spec.category.startswith("fused"):
            return self._build_fused(node, out, want)
        t = TType(out.shape, out.elt or want)
        elts = operand_elts(spec, [self.types[c] for c in node.children], t)
        operands = [self.value(c, e) for c, e in zip(node.children, elts, strict=True)]
        op = make_op(spec, node.attrs, operands, out, want)
        self.insert(op)
        return op.results[0]

    def _build_fused(self, node: Node, out: TType, want: str | None = None) -> SSAValue:
        """One `ztensor.fused` op for a kernel node: its inputs are the materialized values the
        body reads (`EIn` operands that are not scalars, and the matmul's two operands)."""
        spec = node.spec
        inputs = self._fused_inputs(node)
        elt = self._fused_elt(inputs, out, want)
        operands = [self.value(c, elt) for c in inputs]
        block = Block(arg_types=[v.type for v in operands])
        arg_of = dict(zip(inputs, block.args, strict=True))
        body_ops: list[Operation] = []
        memo: dict[str, SSAValue] = {}

        def body_value(root: str) -> SSAValue:
            # Post-order with an explicit stack: a kernel body may be a long chain.
            stack: list[tuple[str, bool]] = [(root, False)]
            while stack:
                body, ready = stack.pop()
                if body in memo:
                    continue
                n = self.choice[body]
                if n.spec.category == "ep_in":
                    scalar = self.scalar_of(n.children[0])
                    if scalar is not None:
                        memo[body] = self._scalar(scalar, elt, body_ops.append)
                    else:
                        memo[body] = arg_of[n.children[0]]
                    continue
                args: list[SSAValue]
                if n.spec.category == "matmul":
                    args = [arg_of[c] for c in n.children]
                elif not ready:
                    stack.append((body, True))
                    stack.extend((c, False) for c in reversed(n.children) if c not in memo)
                    continue
                else:
                    args = [memo[c] for c in n.children]
                op = make_op(n.spec, n.attrs, args, self.types[body], elt)
                body_ops.append(op)
                memo[body] = op.results[0]
            return memo[root]

        result = body_value(node.children[0])
        if spec.category not in ("fused", "fused_matmul"):
            op = make_op(spec, node.attrs, [result], out, elt)
            body_ops.append(op)
            result = op.results[0]
        body_ops.append(zt.YieldOp(result))
        block.add_ops(body_ops)
        fused = zt.FusedOp.create(
            operands=operands,
            result_types=[tensor_type(out, elt)],
            attributes={"kind": _string(fused_kind(spec.category))},
            regions=[Region(block)],
        )
        self.insert(fused)
        return fused.results[0]


def fused_kind(category: str) -> str:
    """The `kind` of the `ztensor.fused` op built for a kernel node of `category`."""
    return {"fused": "elementwise", "fused_matmul": "matmul_epilogue"}.get(category, "reduction")


def _string(text: str) -> Attribute:
    from xdsl.dialects.builtin import StringAttr

    return StringAttr(text)


def make_op(
    spec: OpSpec,
    attrs: Sequence[Any],
    operands: Sequence[SSAValue],
    out: TType,
    elt: str | None = None,
) -> Operation:
    """A ztensor op for a node of category unary/binary/matmul/... with the given operands."""
    cls = spec.ztensor
    assert cls is not None, spec.egg
    c = spec.category
    result = tensor_type(out, elt)
    if spec.row is not None and spec.row.predicates:
        properties: dict[str, Attribute] = {"predicate": _string(str(attrs[0]))}
        return cls.create(operands=list(operands), result_types=[result], properties=properties)
    if c in (*ELEMENTWISE_CATEGORIES, "matmul"):
        return cls.create(operands=list(operands), result_types=[result])
    if c == "transpose":
        return zt.TransposeOp(operands[0], str_ints(attrs[0]))
    if c in ("reshape", "broadcast", "cast"):
        return cls.create(operands=list(operands), result_types=[result])
    if c in ("reduce", "fused_reduce"):
        return cls.create(
            operands=list(operands),
            result_types=[result],
            attributes={
                "axes": zt._i64_array(str_ints(attrs[0])),
                "keepdims": IntegerAttr(int(attrs[1]), i1),
            },
        )
    if c in ("softmax", "fused_softmax"):
        return zt.SoftmaxOp(operands[0], str_ints(attrs[0])[0])
    if c in ("layernorm", "fused_layernorm"):
        return zt.LayerNormOp.create(
            operands=list(operands),
            result_types=[result],
            attributes={
                "axis": IntegerAttr(str_ints(attrs[0])[0], i64),
                "epsilon": FloatAttr(float(attrs[1]), Float32Type()),
            },
        )
    raise TermTypeError(f"cannot build an op for {spec.egg}")


def all_perms(rank: int) -> list[tuple[int, ...]]:
    return list(itertools.permutations(range(rank)))


__all__ = [
    "ARITY_CATEGORY",
    "BY_DSL",
    "ELEMENTWISE_CATEGORIES",
    "MAX_RANK",
    "OPS",
    "Builder",
    "Node",
    "OpSpec",
    "TType",
    "Term",
    "TermTypeError",
    "Translation",
    "eval_node",
    "infer_type",
    "operand_elts",
    "translate",
]
