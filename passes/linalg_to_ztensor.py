"""`linalg-to-ztensor`: raise linalg on tensors (what torch-mlir exports) to ztensor ops.

It turns the ops of a `linalg-on-tensors` file into the ztensor ops they compute, so that
`canonicalize`, `eqsat` and the rest of `cpu-pipeline` see ordinary ztensor programs:

| input | ztensor |
|---|---|
| `arith.constant` of a tensor (`dense<...>`, `dense_resource<...>`) | `ztensor.constant` |
| `linalg.fill` of a scalar constant | a splat `ztensor.constant` |
| `linalg.matmul`, `linalg.batch_matmul` (default maps) | `ztensor.matmul`, plus `ztensor.add` of its init unless that is a zero fill |
| `linalg.matvec` (default maps) | `ztensor.matmul` of the matrix and the vector as a column, reshaped to the vector, plus the init as above |
| `linalg.transpose` | `ztensor.transpose` |
| `linalg.broadcast` | `ztensor.reshape` to the result's rank (size 1 at the added dims), then `ztensor.broadcast_to` |
| `linalg.reduce` whose body yields `addf`/`maximumf` of its element and accumulator | `ztensor.reduce_sum`/`reduce_max` over its dimensions, combined with the init unless it is the identity (0.0, -inf) |
| `tensor.expand_shape`, `tensor.collapse_shape` | `ztensor.reshape` |
| `linalg.generic`, all loops parallel, an output map that permutes the loops | the body's ops, each an elementwise ztensor op (the op table's `lower` names the scalar op of each row; `arith.cmpf`+`arith.select` too) on operands broadcast through their indexing maps (and a `ztensor.transpose` for a permuted output) |
| `linalg.generic` with reduction loops whose body yields `addf`/`maximumf` of its accumulator and a value computed from the inputs alone | that value as above, then `ztensor.reduce_sum`/`reduce_max` over the reduction loops, reshaped to the output, combined with the init unless it is the identity (0.0, -inf) |

Operands enter a generic's body as tensors over its loop dims (a dim the indexing map does
not use has extent 1, and leading 1s are left to broadcasting): a map result must be a loop
dim or the constant 0 on an extent-1 dim; a permuted map becomes a `ztensor.transpose`.
Scalars the body takes from outside become splat constants. torch's relu,
`select(cmpf ugt x, 0.0), x, 0.0)`, becomes `ztensor.relu` (the same for NaN and -0.0); other
unordered comparisons become the negated ordered one with the select's branches swapped.
Results nobody uses are dropped (softmax's argmax). `tensor.empty` and the fills that only
initialized raised ops disappear with them.

A sum whose init is +0.0 is raised as the sum alone: the only difference is a sum of -0.0s,
which is -0.0 instead of +0.0.

What it cannot raise (a body with `linalg.index`, non-float tensors, other named ops, maps
with symbols, ...) stays as it is, its operands and users connected to the raised ops around
it, and a located remark on stderr names it and what is missing (`remarks=false` silences
them; `fallback=false` makes it a located "not supported" error, for pipelines without the
fallback). `linalg-to-zloop` (lowering/linalg_to_zloop.py), later in `cpu-pipeline`, compiles
those ops as loops or reports, located, why it cannot. Modules without linalg or tensor ops
are left untouched.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from xdsl.context import Context
from xdsl.dialects import arith, tensor
from xdsl.dialects.builtin import (
    BytesAttr,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    Float32Type,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    TensorType,
    i1,
)
from xdsl.dialects.linalg import attrs as linalg_attrs
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Attribute, Block, BlockArgument, Operation, SSAValue
from xdsl.ir.affine import AffineConstantExpr, AffineDimExpr, AffineMap
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint
from xdsl.utils.exceptions import VerifyException

from ziggurat.diagnostics import DiagnosticError, op_diagnostic
from ziggurat.dialects import optable
from ziggurat.dialects import ztensor as zt
from ziggurat.dialects.linalg_named import BatchMatmulOp, MatvecOp
from ziggurat.dialects.resources import ResourceError, resource_array

RAISED_DIALECTS = ("linalg", "tensor")
"""Dialects whose ops this pass raises; a module with none of them is left as it is."""

FLOAT_ELEMENTS = (Float32Type, Float64Type)

SCALAR_TO_ROW: dict[str, str] = {
    row.lower: row.name
    for row in optable.ELEMENTWISE.values()
    if isinstance(row.lower, str) and row.lower.startswith(("arith.", "math."))
}
"""The scalar `arith`/`math` op a body may hold -> the op-table row (ztensor op) it raises to:
every row whose `lower` is one such op (`arith.addf` -> `add`, `math.erf` -> `erf`, ...)."""

NEGATED_UNORDERED = {"ugt": "ole", "uge": "olt", "ult": "oge", "ule": "ogt", "ueq": "one"}
"""An unordered comparison is the negation of an ordered one: `ugt(a, b) = !ole(a, b)`."""

COMBINERS: dict[str, tuple[type[zt.ReduceOp], type[zt.BinaryOp], float]] = {
    "arith.addf": (zt.ReduceSumOp, zt.AddOp, 0.0),
    "arith.maximumf": (zt.ReduceMaxOp, zt.MaximumOp, float("-inf")),
}
"""Accumulator update of a reduction body -> (the reduction, the op that folds in the init,
the init that needs no folding)."""


class NotRaisable(Exception):
    """Why an op cannot be raised: a phrase that follows "is not supported by
    linalg-to-ztensor: "."""


def _tensor_type(value: SSAValue) -> TensorType[Attribute]:
    ty = value.type
    if not isinstance(ty, TensorType):
        raise NotRaisable(f"value of type {ty} is not a tensor")
    if any(d < 0 for d in ty.get_shape()):
        raise NotRaisable(f"{ty} has dynamic dimensions")
    return cast(TensorType[Attribute], ty)


def _element_tensor(value: SSAValue) -> TensorType[Attribute]:
    """A static tensor of f32, f64 or i1 (booleans: comparisons, select conditions)."""
    ty = _tensor_type(value)
    if ty.element_type != i1 and not isinstance(ty.element_type, FLOAT_ELEMENTS):
        raise NotRaisable(f"{ty} does not hold f32, f64 or i1 elements")
    return ty


def _float_tensor(value: SSAValue) -> TensorType[Attribute]:
    ty = _tensor_type(value)
    if not isinstance(ty.element_type, FLOAT_ELEMENTS):
        raise NotRaisable(f"{ty} does not hold f32 or f64 elements")
    return ty


def _shape(value: SSAValue) -> tuple[int, ...]:
    return tuple(_tensor_type(value).get_shape())


def splat_of(value: SSAValue) -> float | None:
    """The float every element of the tensor `value` equals, if it is a constant splat
    (a `linalg.fill` of a scalar constant, or a splat constant), else None."""
    owner = value.owner
    if isinstance(owner, linalg.FillOp) and owner.inputs:
        return _scalar_constant(owner.inputs[0])
    if isinstance(owner, zt.ConstantOp):
        return zt.splat_scalar(owner.value)
    if isinstance(owner, arith.ConstantOp) and isinstance(owner.value, DenseIntOrFPElementsAttr):
        return zt.splat_scalar(owner.value)
    return None


def _scalar_constant(value: SSAValue) -> float | None:
    """The value of a float or i1 `arith.constant` (i1 as 0.0 or 1.0), else None."""
    owner = value.owner
    if not isinstance(owner, arith.ConstantOp):
        return None
    if isinstance(owner.value, FloatAttr) and isinstance(value.type, FLOAT_ELEMENTS):
        return float(owner.value.value.data)
    if isinstance(owner.value, IntegerAttr) and value.type == i1:
        return float(owner.value.value.data != 0)
    return None


def _is(value: float | None, expected: float) -> bool:
    return value is not None and value == expected


@dataclass
class _Builder:
    """Inserts ztensor ops before one op, with their result types inferred."""

    rewriter: PatternRewriter
    anchor: Operation

    def add(self, op: Operation) -> SSAValue:
        self.rewriter.insert(op, InsertPoint.before(self.anchor))
        return op.results[0]

    def reshape(self, value: SSAValue, shape: Sequence[int]) -> SSAValue:
        ty = _tensor_type(value)
        if tuple(ty.get_shape()) == tuple(shape):
            return value
        return self.add(zt.ReshapeOp(value, TensorType(ty.element_type, shape)))

    def broadcast(self, value: SSAValue, shape: Sequence[int]) -> SSAValue:
        ty = _tensor_type(value)
        if tuple(ty.get_shape()) == tuple(shape):
            return value
        return self.add(zt.BroadcastToOp(value, TensorType(ty.element_type, shape)))

    def splat(self, element: Attribute, value: float, shape: Sequence[int]) -> SSAValue:
        ty = TensorType(element, shape)
        return self.add(zt.ConstantOp(zt.splat_attr(ty, value)))


# ---------------------------------------------------------------------------------------------
# linalg.generic
# ---------------------------------------------------------------------------------------------


def _loop_ranges(op: linalg.GenericOp, maps: list[AffineMap]) -> tuple[int, ...]:
    ranges: list[int | None] = [None] * maps[0].num_dims
    for value, amap in zip(op.operands, maps, strict=True):
        shape = _shape(value)
        if len(shape) != len(amap.results):
            raise NotRaisable(f"indexing map {amap} does not match the operand {value.type}")
        for expr, extent in zip(amap.results, shape, strict=True):
            if isinstance(expr, AffineDimExpr) and ranges[expr.position] is None:
                ranges[expr.position] = extent
    if any(r is None for r in ranges):
        raise NotRaisable("a loop dim has no extent in any operand's indexing map")
    return tuple(cast(list[int], ranges))


@dataclass
class _GenericRaiser:
    """Raises one `linalg.generic`: its body's scalar values become tensors over its loops."""

    op: linalg.GenericOp
    build: _Builder
    maps: list[AffineMap] = field(init=False)
    ranges: tuple[int, ...] = field(init=False)
    reduction: tuple[int, ...] = field(init=False)
    values: dict[SSAValue, SSAValue] = field(default_factory=dict[SSAValue, SSAValue])

    def __post_init__(self) -> None:
        self.maps = [m.data for m in self.op.indexing_maps.data]
        if any(m.num_symbols for m in self.maps):
            raise NotRaisable("indexing maps with symbols")
        self.ranges = _loop_ranges(self.op, self.maps)
        self.reduction = tuple(
            d
            for d, kind in enumerate(self.op.iterator_types.data)
            if kind.data != linalg_attrs.IteratorType.PARALLEL
        )

    @property
    def block(self) -> Block:
        return self.op.body.block

    def raise_results(self) -> list[SSAValue | None]:
        """The tensor replacing each result (None for a result nobody uses)."""
        yield_op = self.block.last_op
        assert isinstance(yield_op, linalg.YieldOp)
        out: list[SSAValue | None] = []
        n_in = len(self.op.inputs)
        for j, result in enumerate(self.op.results):
            if not result.uses:
                out.append(None)
                continue
            _element_tensor(result)
            yielded = yield_op.operands[j]
            if self.reduction:
                out.append(self._reduction(j, yielded, self.maps[n_in + j]))
            else:
                out.append(self._elementwise(j, yielded, self.maps[n_in + j]))
        return out

    def _elementwise(self, j: int, yielded: SSAValue, out_map: AffineMap) -> SSAValue:
        dims = [e.position for e in out_map.results if isinstance(e, AffineDimExpr)]
        if len(dims) != len(out_map.results) or sorted(dims) != list(range(len(self.ranges))):
            raise NotRaisable(f"the output indexing map {out_map} is not a permutation")
        value = self.tensor(yielded)
        result_type = self.op.results[j].type
        value = self.build.broadcast(value, self.ranges)
        if dims != sorted(dims):
            # Output dim k is loop dim dims[k]: a transpose of the value over the loops.
            value = self.build.add(zt.TransposeOp(value, dims))
        if value.type != result_type:
            raise NotRaisable(f"the body computes {value.type}, not the result type {result_type}")
        return value

    def _reduction(self, j: int, yielded: SSAValue, out_map: AffineMap) -> SSAValue:
        accumulator = self.block.args[len(self.op.inputs) + j]
        combine = yielded.owner
        if not isinstance(combine, Operation) or combine.name not in COMBINERS:
            raise NotRaisable(
                "a reduction body must yield arith.addf or arith.maximumf of its accumulator "
                "and a value of the inputs"
            )
        lhs, rhs = combine.operands
        if accumulator not in (lhs, rhs) or lhs == rhs:
            raise NotRaisable("the reduction body does not combine its accumulator once")
        term = rhs if lhs == accumulator else lhs
        reduce_cls, fold_cls, identity = COMBINERS[combine.name]
        value = self.build.broadcast(self.tensor(term), self.ranges)
        reduced = self.build.add(reduce_cls(value, list(self.reduction), keepdims=True))
        # The output map: the parallel dims, in order, and constant 0s on extent-1 dims.
        dims: list[int] = []
        for expr in out_map.results:
            if isinstance(expr, AffineDimExpr):
                dims.append(expr.position)
            elif not isinstance(expr, AffineConstantExpr) or expr.value != 0:
                raise NotRaisable(f"the output indexing map {out_map} is not supported")
        parallel = [d for d in range(len(self.ranges)) if d not in self.reduction]
        if dims != parallel:
            raise NotRaisable(
                f"the output indexing map {out_map} does not keep the parallel dims in order"
            )
        init = self.op.outputs[j]
        result = self.build.reshape(reduced, _shape(init))
        if not _is(splat_of(init), identity):
            result = self.build.add(fold_cls(init, result))
        if result.type != self.op.results[j].type:
            raise NotRaisable(f"the body computes {result.type}, not {self.op.results[j].type}")
        return result

    # ---- body values as tensors ------------------------------------------------------------

    def tensor(self, value: SSAValue) -> SSAValue:
        """The tensor over the loop dims that holds `value` of the body at every point."""
        if value in self.values:
            return self.values[value]
        result = self._raise_value(value)
        self.values[value] = result
        return result

    def _raise_value(self, value: SSAValue) -> SSAValue:
        if isinstance(value, BlockArgument) and value.owner is self.block:
            n_in = len(self.op.inputs)
            if value.index >= n_in:
                raise NotRaisable("the body reads its output outside a sum or max reduction")
            return self._lift(self.op.inputs[value.index], self.maps[value.index])
        owner = value.owner
        if not self._inside(owner):
            # A scalar from outside the body: a splat constant.
            constant = _scalar_constant(value)
            if constant is None:
                raise NotRaisable(
                    f"the body uses a {value.type} value from outside that is not a float or "
                    "i1 constant"
                )
            return self.build.splat(value.type, constant, (1,) * len(self.ranges))
        assert isinstance(owner, Operation)
        return self._raise_op(owner)

    def _inside(self, owner: Operation | Block) -> bool:
        op = owner if isinstance(owner, Operation) else owner.parent_op()
        while op is not None:
            if op is self.op:
                return True
            op = op.parent_op()
        return False

    def _raise_op(self, op: Operation) -> SSAValue:
        name = op.name
        constant = _scalar_constant(op.results[0]) if isinstance(op, arith.ConstantOp) else None
        if constant is not None:
            return self.build.splat(op.results[0].type, constant, (1,) * len(self.ranges))
        if isinstance(op, arith.CmpfOp):
            predicate = _cmpf_predicate(op)
            if predicate not in {p.name for p in optable.COMPARE_PREDICATES}:
                raise NotRaisable(
                    f"'arith.cmpf {predicate}' has no ztensor form (unordered comparisons only "
                    "as the condition of an arith.select)"
                )
            return self.build.add(zt.CmpOp(predicate, self.tensor(op.lhs), self.tensor(op.rhs)))
        if isinstance(op, arith.SelectOp):
            return self._select(op)
        if isinstance(op, arith.ExtFOp | arith.TruncFOp):
            return self.build.add(zt.CastOp(self.tensor(op.operands[0]), op.results[0].type))
        row = SCALAR_TO_ROW.get(name)
        if row is None or len(op.results) != 1:
            raise NotRaisable(f"the body op '{name}' has no ztensor form")
        operands = [self.tensor(v) for v in op.operands]
        return self.build.add(zt.ELEMENTWISE_OPS[row](*operands))

    def _select(self, op: arith.SelectOp) -> SSAValue:
        cmp = op.cond.owner
        unordered = isinstance(cmp, arith.CmpfOp) and _cmpf_predicate(cmp) in NEGATED_UNORDERED
        if not unordered:
            condition = self.tensor(op.cond)
            return self.build.add(zt.SelectOp(condition, self.tensor(op.lhs), self.tensor(op.rhs)))
        assert isinstance(cmp, arith.CmpfOp)
        predicate = _cmpf_predicate(cmp)
        if (
            predicate == "ugt"
            and cmp.lhs == op.lhs
            and _is_positive_zero(cmp.rhs)
            and _is_positive_zero(op.rhs)
        ):
            # select(x > +0.0 or unordered, x, +0.0) is max(x, +0.0): relu, NaN and -0.0 alike.
            return self.build.add(zt.ReluOp(self.tensor(op.lhs)))
        # select(!c, x, y) = select(c, y, x), with c the ordered comparison that ! negates.
        negation = zt.CmpOp(
            NEGATED_UNORDERED[predicate], self.tensor(cmp.lhs), self.tensor(cmp.rhs)
        )
        condition = self.build.add(negation)
        return self.build.add(zt.SelectOp(condition, self.tensor(op.rhs), self.tensor(op.lhs)))

    def _lift(self, operand: SSAValue, amap: AffineMap) -> SSAValue:
        """`operand` as a tensor over the loop dims, through its indexing map."""
        _element_tensor(operand)
        shape = _shape(operand)
        dims: list[int] = []
        kept: list[int] = []
        for expr, extent in zip(amap.results, shape, strict=True):
            if isinstance(expr, AffineDimExpr):
                dims.append(expr.position)
                kept.append(extent)
            elif not (isinstance(expr, AffineConstantExpr) and expr.value == 0 and extent == 1):
                raise NotRaisable(
                    f"indexing map {amap} is not a projected permutation (with 0 on size-1 dims)"
                )
        if len(set(dims)) != len(dims):
            raise NotRaisable(f"indexing map {amap} uses a loop dim twice")
        target = [self.ranges[d] if d in dims else 1 for d in range(len(self.ranges))]
        if dims == sorted(dims) and _broadcasts_as(shape, target):
            return operand
        value = self.build.reshape(operand, kept)
        order = sorted(range(len(dims)), key=lambda k: dims[k])
        if order != list(range(len(dims))):
            value = self.build.add(zt.TransposeOp(value, order))
        if _broadcasts_as(_shape(value), target):
            return value
        return self.build.reshape(value, target)


def _broadcasts_as(shape: Sequence[int], target: Sequence[int]) -> bool:
    """`shape` is `target` less some of its leading 1s: numpy broadcasting lines them up."""
    extra = len(target) - len(shape)
    return (
        extra >= 0 and all(d == 1 for d in target[:extra]) and list(target[extra:]) == list(shape)
    )


def _cmpf_predicate(op: arith.CmpfOp) -> str:
    from ziggurat.dialects.zloop import CMPF_PREDICATES

    return CMPF_PREDICATES[op.predicate.value.data]


def _is_positive_zero(value: SSAValue) -> bool:
    constant = _scalar_constant(value)
    return constant is not None and constant == 0.0 and math.copysign(1.0, constant) > 0


# ---------------------------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------------------------


@dataclass
class _Patterns:
    """The rewrite patterns of one run, with why each op they could not raise was left."""

    reasons: dict[Operation, str] = field(default_factory=dict[Operation, str])

    def attempt(
        self, op: Operation, rewriter: PatternRewriter, raise_op: Callable[[_Builder], Any]
    ) -> None:
        """Replace `op` by what `raise_op` builds (its results; None for one nobody uses),
        or record why it cannot be raised."""
        if op in self.reasons:
            return
        try:
            new = raise_op(_Builder(rewriter, op))
        except NotRaisable as e:
            self.reasons[op] = str(e)
            return
        except VerifyException as e:
            # A ztensor op rejected what the body computes (e.g. shapes that do not broadcast).
            self.reasons[op] = f"its raised form is invalid: {e}"
            return
        results = list(new) if isinstance(new, list | tuple) else [new]
        for old, value in zip(op.results, results, strict=True):
            if value is not None:
                rewriter.replace_all_uses_with(old, value)
        rewriter.erase(op, safe_erase=False)

    def patterns(self) -> list[RewritePattern]:
        return [
            _RaiseConstant(self),
            _RaiseFill(self),
            _RaiseMatmul(self),
            _RaiseTranspose(self),
            _RaiseBroadcast(self),
            _RaiseReduce(self),
            _RaiseReshape(self),
            _RaiseGeneric(self),
        ]


@dataclass
class _Pattern(RewritePattern):
    owner: _Patterns


class _RaiseConstant(_Pattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: arith.ConstantOp, rewriter: PatternRewriter) -> None:
        if not isinstance(op.result.type, TensorType):
            return
        self.owner.attempt(op, rewriter, lambda b: b.add(zt.ConstantOp(_dense_value(op))))


def _dense_value(op: arith.ConstantOp) -> DenseIntOrFPElementsAttr:
    ty = _float_tensor(op.result)
    value = op.value
    if isinstance(value, DenseIntOrFPElementsAttr):
        return value
    if isinstance(value, DenseResourceAttr):
        try:
            array = resource_array(value)
        except ResourceError as e:
            raise NotRaisable(str(e)) from e
        return DenseIntOrFPElementsAttr(
            cast(Any, ty), BytesAttr(array.astype(array.dtype.newbyteorder("<")).tobytes())
        )
    raise NotRaisable(f"the constant {value} is not dense elements")


class _RaiseFill(_Pattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: linalg.FillOp, rewriter: PatternRewriter) -> None:
        if len(op.results) != 1:
            return

        def fill(b: _Builder) -> SSAValue:
            ty = _float_tensor(op.results[0])
            value = _scalar_constant(op.inputs[0])
            if value is None:
                raise NotRaisable("it fills with a value that is not a float constant")
            return b.splat(ty.element_type, value, ty.get_shape())

        if any(not _consumes_as_init(use.operation, use.index) for use in op.results[0].uses):
            self.owner.attempt(op, rewriter, fill)


def _consumes_as_init(user: Operation, index: int) -> bool:
    """`user` reads operand `index` only as an init that the raising folds away or reads
    through `splat_of` (matmul and reduction inits)."""
    if isinstance(user, (*CONTRACTIONS, linalg.GenericOp)):
        return index >= len(user.inputs)
    if isinstance(user, linalg.ReduceOp | linalg.BroadcastOp):
        return index == 1
    return False


CONTRACTIONS = (linalg.MatmulOp, BatchMatmulOp, MatvecOp)
"""The named contractions raised to `ztensor.matmul` (a matvec through a column)."""


class _RaiseMatmul(_Pattern):
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, CONTRACTIONS):
            return

        def matmul(b: _Builder) -> SSAValue:
            assert isinstance(op, CONTRACTIONS)
            default = type(op).get_irdl_definition().properties["indexing_maps"]
            if op.indexing_maps != default.default_value:
                raise NotRaisable(f"indexing maps {op.indexing_maps} (only the default ones)")
            if len(op.inputs) != 2 or len(op.outputs) != 1 or len(op.results) != 1:
                raise NotRaisable("it is not on tensors")
            lhs, rhs = op.inputs
            init = op.outputs[0]
            for v in (lhs, rhs, init):
                _float_tensor(v)
            types = {cast(TensorType[Attribute], v.type).element_type for v in (lhs, rhs, init)}
            if len(types) != 1:
                raise NotRaisable("operands of different element types")
            if isinstance(op, MatvecOp):
                (k,) = _shape(rhs)
                column = b.add(zt.MatmulOp(lhs, b.reshape(rhs, (k, 1))))
                product = b.reshape(column, _shape(init))
            else:
                product = b.add(zt.MatmulOp(lhs, rhs))
            if _is(splat_of(init), 0.0):
                return product
            return b.add(zt.AddOp(init, product))

        self.owner.attempt(op, rewriter, matmul)


class _RaiseTranspose(_Pattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: linalg.TransposeOp, rewriter: PatternRewriter) -> None:
        def transpose(b: _Builder) -> SSAValue:
            if len(op.results) != 1:
                raise NotRaisable("it is not on tensors")
            _float_tensor(op.inputs[0])
            permutation = [int(p) for p in op.permutation.get_values()]
            return b.add(zt.TransposeOp(op.inputs[0], permutation))

        self.owner.attempt(op, rewriter, transpose)


class _RaiseBroadcast(_Pattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: linalg.BroadcastOp, rewriter: PatternRewriter) -> None:
        def broadcast(b: _Builder) -> SSAValue:
            if len(op.result) != 1:
                raise NotRaisable("it works on memrefs (only tensors are raised)")
            _float_tensor(op.input)
            out = _float_tensor(op.result[0])
            added = {int(d) for d in op.dimensions.get_values()}
            shape = list(_shape(op.input))
            # The input's dims in order, with a size-1 dim at each added dim.
            lifted = [1 if d in added else shape.pop(0) for d in range(len(out.get_shape()))]
            return b.broadcast(b.reshape(op.input, lifted), out.get_shape())

        self.owner.attempt(op, rewriter, broadcast)


class _RaiseReduce(_Pattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: linalg.ReduceOp, rewriter: PatternRewriter) -> None:
        def reduce(b: _Builder) -> SSAValue:
            if len(op.result) != 1:
                raise NotRaisable("it works on memrefs (only tensors are raised)")
            _float_tensor(op.input)
            out = _float_tensor(op.result[0])
            block = op.region.block
            yielded = block.last_op
            combine = yielded.operands[0].owner if isinstance(yielded, linalg.YieldOp) else None
            element, accumulator = block.args
            if (
                not isinstance(combine, Operation)
                or combine.name not in COMBINERS
                or set(combine.operands) != {element, accumulator}
                or len(combine.operands) != 2
            ):
                raise NotRaisable(
                    "a linalg.reduce body must yield arith.addf or arith.maximumf of its "
                    "element and its accumulator"
                )
            reduce_cls, fold_cls, identity = COMBINERS[combine.name]
            axes = sorted(int(d) for d in op.dimensions.get_values())
            reduced = b.add(reduce_cls(op.input, axes, keepdims=False))
            if not _is(splat_of(op.init), identity):
                reduced = b.add(fold_cls(op.init, reduced))
            if reduced.type != out:
                raise NotRaisable(f"it computes {reduced.type}, not the result type {out}")
            return reduced

        self.owner.attempt(op, rewriter, reduce)


class _RaiseReshape(_Pattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(
        self, op: tensor.ExpandShapeOp | tensor.CollapseShapeOp, rewriter: PatternRewriter
    ) -> None:
        def reshape(b: _Builder) -> SSAValue:
            _float_tensor(op.src)
            ty = _float_tensor(op.result)
            return b.add(zt.ReshapeOp(op.src, ty))

        self.owner.attempt(op, rewriter, reshape)


class _RaiseGeneric(_Pattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: linalg.GenericOp, rewriter: PatternRewriter) -> None:
        if not op.results:
            self.owner.reasons.setdefault(op, "it works on memrefs (only tensors are raised)")
            return
        self.owner.attempt(op, rewriter, lambda b: _GenericRaiser(op, b).raise_results())


# ---------------------------------------------------------------------------------------------
# The pass
# ---------------------------------------------------------------------------------------------


def has_raisable_ops(module: ModuleOp) -> bool:
    """Whether `module` holds linalg or tensor ops, or constants of tensors outside ztensor."""
    return any(_is_input_op(op) for op in module.walk())


def _is_input_op(op: Operation) -> bool:
    if op.dialect_name() in RAISED_DIALECTS:
        return True
    return isinstance(op, arith.ConstantOp) and isinstance(op.result.type, TensorType)


def _erase_dead(module: ModuleOp) -> None:
    """Erase ops of the input dialects and ztensor whose results nobody uses, in reverse."""
    changed = True
    while changed:
        changed = False
        for op in reversed(list(module.walk())):
            dead = op.results and all(not r.uses for r in op.results)
            if dead and (_is_input_op(op) or op.dialect_name() == "ztensor"):
                if op.parent_op() is not None and _is_input_op(op.parent_op()):  # type: ignore[arg-type]
                    continue
                op.detach()
                op.erase()
                changed = True


@dataclass(frozen=True)
class LinalgToZTensorPass(ModulePass):
    """Raise linalg on tensors to ztensor (see the module docstring). What it cannot raise
    stays as it is, connected to the ztensor ops around it, for `linalg-to-zloop`; with
    `remarks=true` (the default) a located remark on stderr names each such op and why.
    `fallback=false` (pipelines without the loop fallback: `gpu-pipeline`) makes the first
    such op a located "not supported" error instead."""

    name = "linalg-to-ztensor"

    remarks: bool = True
    fallback: bool = True

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if not has_raisable_ops(op):
            return
        patterns = _Patterns()
        PatternRewriteWalker(
            GreedyRewritePatternApplier(patterns.patterns()), apply_recursively=True
        ).rewrite_module(op)
        _erase_dead(op)
        left = unraised(op, patterns.reasons)
        if left and not self.fallback:
            first, reason = left[0]
            raise DiagnosticError(
                op_diagnostic(first, f"is not supported by linalg-to-ztensor: {reason}", None)
            )
        if self.remarks:
            for o, reason in left:
                message = f"is not raised by linalg-to-ztensor, left for linalg-to-zloop: {reason}"
                print(op_diagnostic(o, message, None, severity="remark").format(), file=sys.stderr)


def unraised(module: ModuleOp, reasons: dict[Operation, str]) -> list[tuple[Operation, str]]:
    """The ops of the input dialects left in `module` that are causes (not a `tensor.empty`
    or `linalg.fill` left only as the init of other linalg ops), each with why it is left."""
    left = [
        o
        for o in module.walk()
        if _is_input_op(o) and not _is_input_op(cast(Operation, o.parent_op()))
    ]
    return [
        (o, reasons.get(o) or _default_reason(o))
        for o in left
        if o in reasons or not _only_an_init(o)
    ]


def _only_an_init(op: Operation) -> bool:
    """`op` is a `tensor.empty` or `linalg.fill` whose users are all linalg ops (the ops it
    initializes, left too)."""
    return isinstance(op, tensor.EmptyOp | linalg.FillOp) and all(
        use.operation.dialect_name() == "linalg" for r in op.results for use in r.uses
    )


def _default_reason(op: Operation) -> str:
    if isinstance(op, tensor.EmptyOp):
        return "an uninitialized tensor is only raised as the init of an op that overwrites it"
    return f"'{op.name}' has no ztensor form (it raises {', '.join(_SUPPORTED)})"


_SUPPORTED = (
    "arith.constant",
    "linalg.fill",
    "linalg.batch_matmul",
    "linalg.broadcast",
    "linalg.generic",
    "linalg.matmul",
    "linalg.matvec",
    "linalg.reduce",
    "linalg.transpose",
    "tensor.empty",
    "tensor.expand_shape",
    "tensor.collapse_shape",
)
