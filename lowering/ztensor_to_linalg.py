"""`ztensor-to-linalg`: write ztensor programs as linalg on tensors, for other MLIR compilers.

The export direction of `linalg-to-ztensor`: after `canonicalize` and `eqsat`, a ztensor
program (fused forms included) becomes the `linalg`/`tensor`/`arith`/`math` ops that
`mlir-opt`, `iree-opt` and `iree-compile` accept, so a user can hand Ziggurat's optimized
program to their own MLIR flow. Each output tensor comes from a `tensor.empty` (through a
`linalg.fill` where the op accumulates), as torch-mlir writes them:

| ztensor | linalg |
|---|---|
| an elementwise op (the op table's rows, `cmp`, `select`), `cast`, `broadcast_to` | one `linalg.generic` over the result's shape, all loops parallel; operands broadcast through their indexing maps (numpy's rules: a missing leading dim is dropped from the map, a size-1 dim reads index 0); the body is the row's `lower` form (its `arith`/`math` op, or its expansion) |
| `ztensor.fused "elementwise"` (and any fused body of elementwise ops only) | **one** `linalg.generic` whose body computes the whole chain, so the fusion eqsat chose survives the export |
| other `ztensor.fused` kinds | their body's ops, each exported as below |
| `matmul` of two matrices | `linalg.matmul` into a zero `linalg.fill` |
| `matmul` of two 3-d tensors with the same batch | `linalg.batch_matmul` into a zero fill |
| `matmul` with other batch dims | a `linalg.generic` contraction (batch dims broadcast like numpy's) |
| `transpose` | `linalg.transpose` |
| `reshape` | `tensor.collapse_shape` and/or `tensor.expand_shape` (through rank 1 when neither alone can; to or from rank 0 a copy generic) |
| `reduce_sum`, `reduce_max`, `reduce_mean` | a `linalg.generic` with reduction loops into a `linalg.fill` of +0.0 or -inf (`arith.addf`/`arith.maximumf` of the accumulator); `mean` divides the sum by the count; kept dims through `tensor.expand_shape` |
| `softmax`, `layernorm` | their definitions (`ztensor_semantics.softmax`/`layernorm`) as the generics above |
| `constant` | `arith.constant` of the same elements (`dense<...>` or `dense_resource<...>`) |

The arithmetic is the reference semantics' op by op (IEEE `maximumf`, a sum from +0.0, a mean
as a division by the count); what another compiler then does with it (reassociation, fast
math) is up to that compiler. Functions, calls and returns are left as they are.

Assumes static shapes (as every ztensor value has). Ops of other dialects are left alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from xdsl.context import Context
from xdsl.dialects import arith, tensor
from xdsl.dialects import math as xmath
from xdsl.dialects.builtin import (
    AffineMapAttr,
    ArrayAttr,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    TensorType,
    i1,
    i64,
)
from xdsl.dialects.linalg import attrs as linalg_attrs
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.ir.affine import AffineConstantExpr, AffineDimExpr, AffineExpr, AffineMap
from xdsl.irdl import IRDLOperation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)
from xdsl.rewriter import InsertPoint

from ziggurat.dialects import optable
from ziggurat.dialects import ztensor as zt
from ziggurat.dialects.linalg_named import BatchMatmulOp

_SCALAR_OPS: dict[str, type[IRDLOperation]] = {
    cast(type[IRDLOperation], op).name: cast(type[IRDLOperation], op)
    for op in (*arith.Arith.operations, *xmath.Math.operations)
}
"""`arith`/`math` op classes by name, for the op table's `lower` forms."""

_ROWS: dict[type[Operation], optable.Elementwise] = {
    cls: optable.ELEMENTWISE[name] for name, cls in zt.ELEMENTWISE_OPS.items()
}

ELEMENTWISE: tuple[type[Operation], ...] = (
    *zt.ELEMENTWISE_OPS.values(),
    zt.CastOp,
    zt.BroadcastToOp,
)
"""ztensor ops that become one all-parallel `linalg.generic` (and may share one when fused)."""

PARALLEL = linalg_attrs.IteratorTypeAttr.parallel()
REDUCTION = linalg_attrs.IteratorTypeAttr.reduction()


def _type(value: SSAValue) -> TensorType[Attribute]:
    ty = value.type
    assert isinstance(ty, TensorType)
    return cast(TensorType[Attribute], ty)


def _shape(value: SSAValue) -> tuple[int, ...]:
    return tuple(_type(value).get_shape())


def broadcast_map(shape: Sequence[int], out_shape: Sequence[int]) -> AffineMap:
    """The indexing map reading an operand of `shape` broadcast (numpy's rules) to `out_shape`:
    operand dim k is loop dim `len(out) - len(shape) + k`, or 0 where the operand has size 1."""
    offset = len(out_shape) - len(shape)
    results: list[AffineExpr] = []
    for k, extent in enumerate(shape):
        loop = offset + k
        if extent == 1 and out_shape[loop] != 1:
            results.append(AffineConstantExpr(0))
        else:
            results.append(AffineDimExpr(loop))
    return AffineMap(len(out_shape), 0, tuple(results))


def _identity(rank: int) -> AffineMap:
    return AffineMap.identity(rank)


class _BodyScalars:
    """`optable.Scalars` appending one element's ops to a `linalg.generic` body."""

    def __init__(self, block: Block, element_type: Attribute):
        self.block = block
        self.element_type = element_type

    def add(self, op: Operation) -> SSAValue:
        self.block.add_op(op)
        return op.results[0]

    def const(self, value: float) -> SSAValue:
        return self.add(arith.ConstantOp(FloatAttr(value, cast(arith.AnyFloat, self.element_type))))

    def op(self, name: str, *operands: SSAValue, predicate: str | None = None) -> SSAValue:
        if name == "zloop.cmpf":
            assert predicate is not None
            return self.add(arith.CmpfOp(operands[0], operands[1], predicate))
        if name == "zloop.select":
            return self.add(arith.SelectOp(*operands))
        cls = _SCALAR_OPS[name]
        return self.add(cls(*operands))


def convert_scalar(b: _BodyScalars, value: SSAValue, target: Attribute) -> SSAValue:
    """The float `value` as a float of type `target`, rounded to nearest (`ztensor.cast`)."""
    source = value.type
    if source == target:
        return value
    source_width = cast(arith.AnyFloat, source).bitwidth
    target_width = cast(arith.AnyFloat, target).bitwidth
    if target_width > source_width:
        return b.add(arith.ExtFOp(value, target))
    return b.add(arith.TruncFOp(value, target))


@dataclass
class _Emitter:
    """Inserts linalg/tensor ops before `anchor`."""

    rewriter: PatternRewriter
    anchor: Operation

    def add(self, op: Operation) -> SSAValue:
        self.rewriter.insert(op, InsertPoint.before(self.anchor))
        return op.results[0]

    def empty(self, ty: TensorType[Attribute]) -> SSAValue:
        return self.add(tensor.EmptyOp([], ty))

    def filled(self, ty: TensorType[Attribute], value: float) -> SSAValue:
        scalar = self.add(arith.ConstantOp(FloatAttr(value, cast(arith.AnyFloat, ty.element_type))))
        return self.add(linalg.FillOp([scalar], [self.empty(ty)]))

    def generic(
        self,
        inputs: Sequence[SSAValue],
        maps: Sequence[AffineMap],
        init: SSAValue,
        out_map: AffineMap,
        iterators: Sequence[Attribute],
        body: Callable[[_BodyScalars, Sequence[SSAValue], SSAValue], SSAValue],
    ) -> SSAValue:
        """A one-result `linalg.generic`; `body(b, inputs, accumulator)` builds the yielded
        element with `b` (whose `const` makes constants of the output's element type)."""
        element = _type(init).element_type
        block = Block(arg_types=[*(_type(v).element_type for v in inputs), element])
        b = _BodyScalars(block, element)
        result = body(b, block.args[: len(inputs)], block.args[-1])
        block.add_op(linalg.YieldOp(result))
        return self.add(
            linalg.GenericOp(
                list(inputs),
                [init],
                Region(block),
                [AffineMapAttr(m) for m in (*maps, out_map)],
                list(iterators),
                [init.type],
            )
        )

    def elementwise(
        self,
        inputs: Sequence[SSAValue],
        out: TensorType[Attribute],
        body: Callable[[_BodyScalars, Sequence[SSAValue]], SSAValue],
    ) -> SSAValue:
        """An all-parallel generic over `out`'s shape, operands broadcast to it."""
        shape = tuple(out.get_shape())
        return self.generic(
            inputs,
            [broadcast_map(_shape(v), shape) for v in inputs],
            self.empty(out),
            _identity(len(shape)),
            [PARALLEL] * len(shape),
            lambda b, args, _acc: body(b, args),
        )

    def reduce(self, value: SSAValue, axes: Sequence[int], keep: bool, kind: str) -> SSAValue:
        """`reduce_<kind>` (sum, max, mean) of `value` over `axes` (normalized, sorted)."""
        ty = _type(value)
        shape = tuple(ty.get_shape())
        kept = [d for d in range(len(shape)) if d not in axes]
        reduced_type = TensorType(ty.element_type, [shape[d] for d in kept])
        init = self.filled(reduced_type, float("-inf") if kind == "max" else 0.0)
        combine = arith.MaximumfOp if kind == "max" else arith.AddfOp
        out_map = AffineMap(len(shape), 0, tuple(AffineDimExpr(d) for d in kept))
        result = self.generic(
            [value],
            [_identity(len(shape))],
            init,
            out_map,
            [REDUCTION if d in axes else PARALLEL for d in range(len(shape))],
            lambda b, args, acc: b.add(combine(args[0], acc)),
        )
        if kind == "mean":
            count = float(math.prod(shape[d] for d in axes))
            result = self.elementwise(
                [result], reduced_type, lambda b, args: b.add(arith.DivfOp(args[0], b.const(count)))
            )
        if keep:
            result = self.reshape(
                result,
                TensorType(
                    ty.element_type, [1 if d in axes else shape[d] for d in range(len(shape))]
                ),
            )
        return result

    def reshape(self, value: SSAValue, target: TensorType[Attribute]) -> SSAValue:
        """`value` under `target`'s shape: a collapse, an expand, or both through rank 1."""
        source = _shape(value)
        shape = tuple(target.get_shape())
        if source == shape:
            return value
        if not source or not shape:
            # To or from rank 0 (every extent 1): a copy generic reading index 0 everywhere
            # (MLIR takes an empty reassociation here, xDSL 0.74's verifier does not).
            zeros = tuple(AffineConstantExpr(0) for _ in source)
            return self.generic(
                [value],
                [AffineMap(len(shape), 0, zeros)],
                self.empty(target),
                _identity(len(shape)),
                [PARALLEL] * len(shape),
                lambda b, args, _acc: args[0],
            )
        if len(shape) < len(source) and (groups := reassociation(source, shape)) is not None:
            return self._collapse(value, groups, target)
        if len(shape) > len(source) and (groups := reassociation(shape, source)) is not None:
            return self._expand(value, groups, target)
        flat = TensorType(target.element_type, [math.prod(source)])
        value = self._collapse(value, [list(range(len(source)))], flat)
        return self._expand(value, [list(range(len(shape)))], target)

    def _collapse(
        self, value: SSAValue, groups: list[list[int]], target: TensorType[Attribute]
    ) -> SSAValue:
        return self.add(
            tensor.CollapseShapeOp.create(
                operands=[value],
                result_types=[target],
                properties={"reassociation": _reassociation_attr(groups)},
            )
        )

    def _expand(
        self, value: SSAValue, groups: list[list[int]], target: TensorType[Attribute]
    ) -> SSAValue:
        return self.add(
            tensor.ExpandShapeOp(
                value, [], _reassociation_attr(groups), list(target.get_shape()), target
            )
        )


def _reassociation_attr(groups: list[list[int]]) -> ArrayAttr[ArrayAttr[IntegerAttr]]:
    return ArrayAttr([ArrayAttr([IntegerAttr(d, i64) for d in group]) for group in groups])


def reassociation(big: Sequence[int], small: Sequence[int]) -> list[list[int]] | None:
    """Groups of consecutive dims of `big` whose products are the dims of `small`, in order
    (trailing size-1 dims of `big` join the last group), or None if there are none."""
    if not small:
        return [] if all(d == 1 for d in big) else None
    groups: list[list[int]] = []
    k = 0
    for extent in small:
        if k == len(big):
            return None
        group, product = [k], big[k]
        k += 1
        while product < extent and k < len(big):
            group.append(k)
            product *= big[k]
            k += 1
        if product != extent:
            return None
        groups.append(group)
    while k < len(big) and big[k] == 1:
        groups[-1].append(k)
        k += 1
    return groups if k == len(big) else None


# ---------------------------------------------------------------------------------------------
# One element of an elementwise op
# ---------------------------------------------------------------------------------------------


def _scalar_element(op: Operation) -> Attribute:
    """The float type an op computes in (a comparison's: its operands')."""
    element = _type(op.results[0]).element_type
    if element == i1 and op.operands:
        return _type(op.operands[-1]).element_type
    return element


def element_of(op: Operation, block: Block, args: Sequence[SSAValue]) -> SSAValue:
    """One element of the elementwise ztensor op `op` (see `ELEMENTWISE`) from its operands'
    elements `args`, built at the end of `block`."""
    b = _BodyScalars(block, _scalar_element(op))
    if isinstance(op, zt.BroadcastToOp):
        return args[0]
    if isinstance(op, zt.CastOp):
        return convert_scalar(b, args[0], _type(op.result).element_type)
    row = _ROWS[type(op)]
    return row.expand(b, *args, predicate=optable.predicate_of(op))


def is_elementwise_body(op: zt.FusedOp) -> bool:
    """Whether a fused body holds elementwise ops only (so it is one all-parallel generic)."""
    return all(isinstance(o, (*ELEMENTWISE, zt.YieldOp)) for o in op.body.block.ops)


# ---------------------------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------------------------


class ElementwiseToGeneric(RewritePattern):
    """An elementwise op, `cast` or `broadcast_to` -> one all-parallel `linalg.generic`."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, ELEMENTWISE):
            return
        e = _Emitter(rewriter, op)
        result = e.elementwise(
            list(op.operands),
            _type(op.results[0]),
            lambda b, args: element_of(op, b.block, args),
        )
        rewriter.replace(op, [], [result])


class FusedToLinalg(RewritePattern):
    """A fused body of elementwise ops -> one generic computing the chain per element; any
    other fused body is inlined (its ops are then exported one by one)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, zt.FusedOp):
            return
        block = op.body.block
        term = block.last_op
        assert isinstance(term, zt.YieldOp)
        if not is_elementwise_body(op) or len(term.values) != 1:
            operands: dict[SSAValue, SSAValue] = dict(zip(block.args, op.inputs, strict=True))
            results = [operands.get(v, v) for v in term.values]
            rewriter.erase(term)
            rewriter.inline_block(block, InsertPoint.before(op), list(op.inputs))
            rewriter.replace(op, [], results)
            return
        out = _type(op.results[0])
        used = [i for i, arg in enumerate(block.args) if arg.uses]
        inputs = [op.inputs[i] for i in used]

        def body(b: _BodyScalars, args: Sequence[SSAValue]) -> SSAValue:
            local: dict[SSAValue, SSAValue] = {
                block.args[i]: arg for i, arg in zip(used, args, strict=True)
            }
            for member in block.ops:
                if member is term:
                    break
                operands = [local[v] for v in member.operands]
                local[member.results[0]] = element_of(member, b.block, operands)
            return local[term.values[0]]

        rewriter.replace(op, [], [_Emitter(rewriter, op).elementwise(inputs, out, body)])


class MatmulToLinalg(RewritePattern):
    """`ztensor.matmul` -> `linalg.matmul` (matrices) or a batched contraction generic."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, zt.MatmulOp):
            return
        e = _Emitter(rewriter, op)
        out = _type(op.result)
        init = e.filled(out, 0.0)
        lhs, rhs = _shape(op.lhs), _shape(op.rhs)
        if len(lhs) == len(rhs) == len(out.get_shape()) == 2:
            result = e.add(linalg.MatmulOp([op.lhs, op.rhs], [init]))
            rewriter.replace(op, [], [result])
            return
        if len(lhs) == len(rhs) == 3 and lhs[0] == rhs[0]:
            result = e.add(BatchMatmulOp([op.lhs, op.rhs], [init]))
            rewriter.replace(op, [], [result])
            return
        shape = tuple(out.get_shape())
        batch = len(shape) - 2
        loops = (*shape, lhs[-1])  # batch..., m, n, k
        m, n, k = batch, batch + 1, batch + 2

        def operand_map(operand: tuple[int, ...], rows: int, cols: int) -> AffineMap:
            batch_map = broadcast_map(operand[:-2], shape[:batch])
            results = (*batch_map.results, AffineDimExpr(rows), AffineDimExpr(cols))
            return AffineMap(len(loops), 0, results)

        result = e.generic(
            [op.lhs, op.rhs],
            [operand_map(lhs, m, k), operand_map(rhs, k, n)],
            init,
            AffineMap(len(loops), 0, tuple(AffineDimExpr(d) for d in range(len(shape)))),
            [*[PARALLEL] * len(shape), REDUCTION],
            lambda b, args, acc: b.add(arith.AddfOp(acc, b.add(arith.MulfOp(args[0], args[1])))),
        )
        rewriter.replace(op, [], [result])


class TransposeToLinalg(RewritePattern):
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, zt.TransposeOp):
            return
        e = _Emitter(rewriter, op)
        out = _type(op.result)
        result = e.add(linalg.TransposeOp(op.input, e.empty(out), op.permutation, out))
        rewriter.replace(op, [], [result])


class ReshapeToTensor(RewritePattern):
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, zt.ReshapeOp):
            return
        rewriter.replace(op, [], [_Emitter(rewriter, op).reshape(op.input, _type(op.result))])


class ReduceToGeneric(RewritePattern):
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, zt.ReduceOp):
            return
        kind = op.name.removeprefix("ztensor.reduce_")
        result = _Emitter(rewriter, op).reduce(op.input, op.reduced_axes, op.keep, kind)
        rewriter.replace(op, [], [result])


class NormalizeToGenerics(RewritePattern):
    """`softmax` and `layernorm` along one axis, by their definitions."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, zt.NormalizeOp):
            return
        e = _Emitter(rewriter, op)
        x = op.input
        ty = _type(x)
        axis = (op.normalized_axis,)

        def binary(cls: type[IRDLOperation], a: SSAValue, c: SSAValue) -> SSAValue:
            return e.elementwise([a, c], ty, lambda b, args: b.add(cls(*args)))

        if isinstance(op, zt.SoftmaxOp):
            shifted = binary(arith.SubfOp, x, e.reduce(x, axis, True, "max"))
            exp = e.elementwise([shifted], ty, lambda b, args: b.add(xmath.ExpOp(args[0])))
            result = binary(arith.DivfOp, exp, e.reduce(exp, axis, True, "sum"))
        else:
            assert isinstance(op, zt.LayerNormOp)
            epsilon = float(cast(FloatAttr, op.epsilon).value.data)
            centered = binary(arith.SubfOp, x, e.reduce(x, axis, True, "mean"))
            squared = binary(arith.MulfOp, centered, centered)
            var = e.reduce(squared, axis, True, "mean")
            var_type = _type(var)
            std = e.elementwise(
                [var],
                var_type,
                lambda b, args: b.add(xmath.SqrtOp(b.add(arith.AddfOp(args[0], b.const(epsilon))))),
            )
            result = binary(arith.DivfOp, centered, std)
        rewriter.replace(op, [], [result])


class ConstantToArith(RewritePattern):
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, zt.ConstantOp):
            return
        rewriter.replace(op, arith.ConstantOp(op.value, op.result.type))


@dataclass(frozen=True)
class ZTensorToLinalgPass(ModulePass):
    """Writes every ztensor op as linalg on tensors (see the module docstring)."""

    name = "ztensor-to-linalg"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier(
                [
                    FusedToLinalg(),
                    ElementwiseToGeneric(),
                    MatmulToLinalg(),
                    TransposeToLinalg(),
                    ReshapeToTensor(),
                    ReduceToGeneric(),
                    NormalizeToGenerics(),
                    ConstantToArith(),
                ]
            ),
            apply_recursively=True,
        ).rewrite_module(op)
