"""`linalg-to-zloop`: the loop fallback for the linalg on tensors that `linalg-to-ztensor`
did not raise.

Every linalg op still on tensors becomes scalar loops on buffers, in the form
`ztensor-to-ztile` gives its kernels and `bufferize` takes: `bufferization.to_buffer` of its
tensor inputs, a `memref.alloc` per result, a `zloop.for` nest over its loops (in the order
of its loop dims) whose body loads the input elements through the indexing maps, runs a
clone of the op's body and stores what it yields, and `bufferization.to_tensor` of each
result buffer. Lowered this way:

| op | as |
|---|---|
| `linalg.generic` (any affine indexing maps without symbols, parallel and reduction loops, several results, `linalg.index`) | the loops of its maps and body |
| the structured named ops of xDSL 0.74 (`linalg.fill`, `copy`, `add`, `sub`, `mul`, `max`, `min`, `exp`, `log`, `sqrt`, `select`, `matmul`, `transpose`, convolutions and pooling) | their indexing maps and (hidden) body, as a generic |
| `linalg.broadcast`, `linalg.reduce` | the generic they are: the init's dims without `dimensions` index the input, reduction loops over `dimensions` |
| `tensor.expand_shape`, `tensor.collapse_shape` | a copy in row-major order |
| `arith.constant` of an integer or float tensor (`dense`, `dense_resource`) | a buffer filled by stores, one per element (a loop for a splat); in `cpu-pipeline` only integer ones get here, `linalg-to-ztensor` raises the float ones |
| `tensor.empty` | nothing: an output buffer whose init it is starts uninitialized |

A result buffer starts as a copy of the op's init when the body reads the accumulator, the
op has reduction loops, or the output map does not reach every element; a `linalg.fill`
init used by this op alone is filled into the buffer directly, a `tensor.empty` init is not
copied (its contents are undefined). Index expressions of the maps become `arith` ops on
`index` values (`floordiv`, `ceildiv` and `mod` round towards minus infinity). Body ops
must be scalar `arith`/`math` ops that `convert-to-llvm` lowers (integer ops,
`arith.sitofp`, `math.fpowi`, ... included); values the body takes from outside it are used
as they are.

Assumes static shapes and the element types the backend compiles (f32, f64, i1, i8, i16,
i32, i64). What it cannot lower (dynamic shapes, linalg on memrefs, maps with symbols or
without an extent for some loop, other body or tensor ops, other element types, an
uninitialized tensor read or returned) is a located "not supported" error at the op,
before anything is rewritten (`unsupported_reason` says why, for `cpu-pipeline`'s input
check). Other ops are left alone; a module without linalg or tensor ops is unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from xdsl.context import Context
from xdsl.dialects import arith, bufferization, memref, tensor
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    Signedness,
    TensorType,
)
from xdsl.dialects.linalg import attrs as linalg_attrs
from xdsl.dialects.linalg import ops as linalg
from xdsl.dialects.linalg.abstract_ops import LinalgStructuredOperation
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.ir.affine import (
    AffineBinaryOpExpr,
    AffineBinaryOpKind,
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
    AffineMap,
)
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from ziggurat.diagnostics import DiagnosticError, op_diagnostic
from ziggurat.dialects import zloop
from ziggurat.dialects.resources import ResourceError, resource_array
from ziggurat.lowering.convert_to_llvm import has_lowering
from ziggurat.lowering.ztile_builder import Gen, to_buffer

ELEMENT_WIDTHS = (1, 8, 16, 32, 64)
"""Widths of the integer elements a lowered tensor may hold (signless integers)."""

STRUCTURED = (LinalgStructuredOperation, linalg.BroadcastOp, linalg.ReduceOp)
"""The linalg ops lowered as the generic they are."""


class Unsupported(Exception):
    """Why an op cannot be lowered: a phrase that follows "is not supported by ...: "."""


def _static_tensor(value: SSAValue) -> TensorType[Attribute]:
    ty = value.type
    if not isinstance(ty, TensorType):
        raise Unsupported(f"it works on {ty} (the fallback lowers linalg on tensors)")
    ty = cast(TensorType[Attribute], ty)
    if any(d < 0 for d in ty.get_shape()):
        raise Unsupported(f"{ty} has dynamic dimensions ('?')")
    _check_element(ty.element_type, f"{ty}")
    return ty


def _check_element(element: Attribute, what: str) -> None:
    if isinstance(element, Float32Type | Float64Type):
        return
    if (
        isinstance(element, IntegerType)
        and element.width.data in ELEMENT_WIDTHS
        and element.signedness.data == Signedness.SIGNLESS
    ):
        return
    raise Unsupported(f"{what} holds {element} elements (it lowers f32, f64, i1, i8 to i64)")


def _shape(value: SSAValue) -> tuple[int, ...]:
    return tuple(_static_tensor(value).get_shape())


# ---------------------------------------------------------------------------------------------
# Linalg ops as generics
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Structured:
    """A linalg op as a generic: operands (inputs, then inits) with their indexing maps,
    which loops reduce, the body (one block argument per operand) and the loop ranges."""

    op: Operation
    inputs: tuple[SSAValue, ...]
    inits: tuple[SSAValue, ...]
    maps: tuple[AffineMap, ...]
    reduction: frozenset[int]
    block: Block
    ranges: tuple[int, ...]

    @property
    def operands(self) -> tuple[SSAValue, ...]:
        return (*self.inputs, *self.inits)

    def output_map(self, j: int) -> AffineMap:
        return self.maps[len(self.inputs) + j]

    def reads_accumulator(self, j: int) -> bool:
        return bool(self.block.args[len(self.inputs) + j].uses)


def structured(op: Operation) -> Structured:
    """`op` (a structured linalg op, `linalg.broadcast` or `linalg.reduce` on tensors) as a
    generic; `Unsupported` says why it cannot be lowered."""
    if isinstance(op, LinalgStructuredOperation):
        maps = tuple(m.data for m in op.get_indexing_maps().data)
        kinds = [t.data for t in op.get_iterator_types().data]
        reduction = frozenset(
            d for d, k in enumerate(kinds) if k != linalg_attrs.IteratorType.PARALLEL
        )
        inputs, inits, block = tuple(op.inputs), tuple(op.outputs), op.body.block
        results = op.res
    elif isinstance(op, linalg.BroadcastOp):
        rank = len(_shape(op.init))
        added = {int(d) for d in op.dimensions.get_values()}
        kept = tuple(AffineDimExpr(d) for d in range(rank) if d not in added)
        maps = (AffineMap(rank, 0, kept), AffineMap.identity(rank))
        reduction = frozenset[int]()
        inputs, inits, block, results = (op.input,), (op.init,), op.hidden_region.block, op.result
    elif isinstance(op, linalg.ReduceOp):
        rank = len(_shape(op.input))
        reduced = frozenset(int(d) for d in op.dimensions.get_values())
        kept = tuple(AffineDimExpr(d) for d in range(rank) if d not in reduced)
        maps = (AffineMap.identity(rank), AffineMap(rank, 0, kept))
        reduction = reduced
        inputs, inits, block, results = (op.input,), (op.init,), op.region.block, op.result
    else:
        raise Unsupported(f"'{op.name}' has no loop lowering")
    if not results:
        raise Unsupported("it works on memrefs (the fallback lowers linalg on tensors)")
    if len(results) != len(inits):
        raise Unsupported(f"it has {len(results)} results for {len(inits)} inits")
    ranges = _loop_ranges(op, (*inputs, *inits), maps)
    described = Structured(op, inputs, inits, maps, reduction, block, ranges)
    _check_body(described)
    return described


def _loop_ranges(
    op: Operation, operands: Sequence[SSAValue], maps: Sequence[AffineMap]
) -> tuple[int, ...]:
    if not maps:
        raise Unsupported("it has no indexing maps")
    count = maps[0].num_dims
    ranges: list[int | None] = [None] * count
    for value, amap in zip(operands, maps, strict=True):
        if amap.num_symbols:
            raise Unsupported(f"indexing map {amap} has symbols")
        if amap.num_dims != count:
            raise Unsupported(f"indexing map {amap} is not over the op's {count} loops")
        if not isinstance(value.type, TensorType):
            _check_element(value.type, f"the scalar operand {value.type}")
            if amap.results:
                raise Unsupported(f"the scalar operand has indexing map {amap}")
            continue
        shape = _shape(value)
        if len(shape) != len(amap.results):
            raise Unsupported(f"indexing map {amap} does not match the operand {value.type}")
        for expr, extent in zip(amap.results, shape, strict=True):
            if isinstance(expr, AffineDimExpr) and ranges[expr.position] is None:
                ranges[expr.position] = extent
    missing = [d for d, r in enumerate(ranges) if r is None]
    if missing:
        raise Unsupported(f"loop dims {missing} have no extent in any operand's indexing map")
    known = tuple(cast(list[int], ranges))
    for value, amap in zip(operands, maps, strict=True):
        if not isinstance(value.type, TensorType):
            continue
        for k, (expr, extent) in enumerate(zip(amap.results, _shape(value), strict=True)):
            low, high = _interval(expr, known)
            if low < 0 or high >= extent:
                raise Unsupported(
                    f"indexing map {amap} reaches indices {low} to {high} of dim {k} of "
                    f"{value.type} (out of bounds)"
                )
    return known


def _interval(expr: AffineExpr, ranges: Sequence[int]) -> tuple[int, int]:
    """The smallest and largest value of `expr` over the loop ranges (interval arithmetic:
    exact for a sum of distinct dims times constants, otherwise a superset)."""
    if isinstance(expr, AffineDimExpr):
        return 0, ranges[expr.position] - 1
    if isinstance(expr, AffineConstantExpr):
        return expr.value, expr.value
    if not isinstance(expr, AffineBinaryOpExpr):
        raise Unsupported(f"the affine expression {expr} has symbols")
    a, b = _interval(expr.lhs, ranges), _interval(expr.rhs, ranges)
    match expr.kind:
        case AffineBinaryOpKind.Add:
            return a[0] + b[0], a[1] + b[1]
        case AffineBinaryOpKind.Mul:
            products = [x * y for x in a for y in b]
            return min(products), max(products)
        case _:
            pass
    if b[0] != b[1] or b[0] <= 0:
        raise Unsupported(f"the affine expression {expr} divides by a non-constant")
    n = b[0]
    match expr.kind:
        case AffineBinaryOpKind.FloorDiv:
            return a[0] // n, a[1] // n
        case AffineBinaryOpKind.CeilDiv:
            return -(-a[0] // n), -(-a[1] // n)
        case _:
            return (a[0], a[1]) if a[0] >= 0 and a[1] < n else (0, n - 1)


def _check_body(s: Structured) -> None:
    block = s.block
    if len(block.args) != len(s.operands):
        raise Unsupported("its body does not take one argument per operand")
    for arg, value in zip(block.args, s.operands, strict=True):
        expected = value.type.element_type if isinstance(value.type, TensorType) else value.type
        if arg.type != expected:
            raise Unsupported(f"its body takes {arg.type} for an operand of {value.type}")
    for op in block.ops:
        if isinstance(op, linalg.YieldOp):
            continue
        if isinstance(op, linalg.IndexOp):
            if op.dim.value.data >= len(s.ranges):
                raise Unsupported(f"'linalg.index {op.dim.value.data}' is not a loop dim")
            continue
        if op.regions or op.dialect_name() not in ("arith", "math") or not has_lowering(op):
            raise Unsupported(f"the body op '{op.name}' has no loop lowering")
        for v in (*op.operands, *op.results):
            if not isinstance(v.type, IndexType):
                _check_element(v.type, f"the body op '{op.name}'")
    yield_op = block.last_op
    if not isinstance(yield_op, linalg.YieldOp) or len(yield_op.operands) != len(s.inits):
        raise Unsupported("its body does not yield one value per init")
    for j, (value, init) in enumerate(zip(yield_op.operands, s.inits, strict=True)):
        element = _static_tensor(init).element_type
        if value.type != element:
            raise Unsupported(f"its body yields {value.type} for result #{j} of {init.type}")


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------


def is_lowered_here(op: Operation) -> bool:
    """Whether this pass lowers (or erases) `op`: linalg and tensor ops, tensor constants."""
    if isinstance(op, linalg.YieldOp | linalg.IndexOp):
        return False
    if op.dialect_name() in ("linalg", "tensor"):
        return True
    return isinstance(op, arith.ConstantOp) and isinstance(op.result.type, TensorType)


def _inside_linalg(op: Operation) -> bool:
    parent = op.parent_op()
    while parent is not None:
        if parent.dialect_name() == "linalg":
            return True
        parent = parent.parent_op()
    return False


def unsupported_reason(op: Operation) -> str | None:
    """Why this pass cannot lower `op` (None if it can, or if it does not lower ops like it):
    a phrase that follows "is not supported by linalg-to-zloop: "."""
    if not is_lowered_here(op) or _inside_linalg(op):
        return None
    try:
        if isinstance(op, STRUCTURED):
            structured(op)
        elif isinstance(op, tensor.EmptyOp):
            _check_empty(op)
        elif isinstance(op, tensor.ExpandShapeOp | tensor.CollapseShapeOp):
            _static_tensor(op.src)
            _static_tensor(op.result)
        elif isinstance(op, arith.ConstantOp):
            _constant_values(op)
        else:
            raise Unsupported(f"'{op.name}' has no loop lowering")
    except Unsupported as e:
        return str(e)
    return None


def _check_empty(op: tensor.EmptyOp) -> None:
    _static_tensor(op.tensor)
    for use in op.tensor.uses:
        user = use.operation
        inputs = len(user.inputs) if isinstance(user, LinalgStructuredOperation) else 1
        if isinstance(user, STRUCTURED) and use.index >= inputs:
            continue
        raise Unsupported(
            "an uninitialized tensor is only compiled as the init of a linalg op that "
            f"overwrites it, not read by '{user.name}'"
        )


def _constant_values(op: arith.ConstantOp) -> tuple[TensorType[Attribute], Any]:
    """The type of a tensor constant and its elements (a numpy array, or a Python number
    for a splat)."""
    ty = _static_tensor(op.result)
    value = op.value
    if isinstance(value, DenseResourceAttr):
        try:
            return ty, resource_array(value)
        except ResourceError as e:
            raise Unsupported(str(e)) from e
    if not isinstance(value, DenseIntOrFPElementsAttr):
        raise Unsupported(f"the constant {value} is not dense elements")
    values = value.get_values()
    if len(values) == 1:
        return ty, values[0]
    return ty, np.asarray(values).reshape(ty.get_shape())


def first_unsupported(module: ModuleOp) -> DiagnosticError | None:
    """The located error of the first op of `module` this pass cannot lower, if any."""
    for op in module.walk():
        reason = unsupported_reason(op)
        if reason is not None:
            return DiagnosticError(
                op_diagnostic(op, f"is not supported by linalg-to-zloop: {reason}", None)
            )
    return None


# ---------------------------------------------------------------------------------------------
# Emission
# ---------------------------------------------------------------------------------------------


def _nest(gen: Gen, ranges: Sequence[int], body: Any) -> None:
    """`zloop.for` loops over `ranges` (outermost first) around `body(gen, ivs)`; a loop of
    one iteration is its body at index 0."""

    def level(g: Gen, d: int, ivs: list[SSAValue]) -> None:
        if d == len(ranges):
            body(g, ivs)
            return
        if ranges[d] == 1:
            level(g, d + 1, [*ivs, g.index(0)])
            return
        loop = zloop.ForOp.from_constants(0, ranges[d])
        inner = Gen(loop.body.block, parent=g)
        level(inner, d + 1, [*ivs, loop.induction_var])
        inner.add_op(zloop.YieldOp())
        g.add_op(loop)

    level(gen, 0, [])


def _nonnegative(expr: AffineExpr) -> bool:
    """Whether `expr` is >= 0 for non-negative loop indices (no negative coefficient)."""
    if isinstance(expr, AffineDimExpr):
        return True
    if isinstance(expr, AffineConstantExpr):
        return expr.value >= 0
    if isinstance(expr, AffineBinaryOpExpr):
        return _nonnegative(expr.lhs) and _nonnegative(expr.rhs)
    return False


def _index(g: Gen, expr: AffineExpr, ivs: Sequence[SSAValue]) -> SSAValue:
    """The `index` value of the affine expression `expr` of the loop indices `ivs`."""
    if isinstance(expr, AffineDimExpr):
        return ivs[expr.position]
    if isinstance(expr, AffineConstantExpr):
        return g.index(expr.value)
    assert isinstance(expr, AffineBinaryOpExpr), expr
    lhs = _index(g, expr.lhs, ivs)
    match expr.kind:
        case AffineBinaryOpKind.Add:
            return g.addi(lhs, _index(g, expr.rhs, ivs))
        case AffineBinaryOpKind.Mul:
            return g.muli(lhs, _index(g, expr.rhs, ivs))
        case _:
            pass
    if not isinstance(expr.rhs, AffineConstantExpr) or expr.rhs.value <= 0:
        raise Unsupported(f"the affine expression {expr} divides by a non-constant")
    n = expr.rhs.value
    exact = _nonnegative(expr.lhs)
    match expr.kind:
        case AffineBinaryOpKind.FloorDiv:
            return g.divi(lhs, n) if exact else g.add(arith.FloorDivSIOp(lhs, g.index(n)))
        case AffineBinaryOpKind.CeilDiv:
            shifted = g.addi(lhs, n - 1)
            return g.divi(shifted, n) if exact else g.add(arith.FloorDivSIOp(shifted, g.index(n)))
        case AffineBinaryOpKind.Mod:
            if exact:
                return g.remi(lhs, n)
            quotient = g.add(arith.FloorDivSIOp(lhs, g.index(n)))
            return g.subi(lhs, g.muli(quotient, n))
    raise Unsupported(f"the affine expression {expr} is not supported")


def _indices(g: Gen, amap: AffineMap, ivs: Sequence[SSAValue]) -> list[SSAValue]:
    return [_index(g, e, ivs) for e in amap.results]


def _covers(amap: AffineMap, shape: Sequence[int], ranges: Sequence[int]) -> bool:
    """Whether the loops reach every element of an operand of `shape` through `amap`."""
    dims: list[int] = []
    for expr, extent in zip(amap.results, shape, strict=True):
        if isinstance(expr, AffineConstantExpr) and expr.value == 0 and extent == 1:
            continue
        if not isinstance(expr, AffineDimExpr) or ranges[expr.position] != extent:
            return False
        dims.append(expr.position)
    return len(set(dims)) == len(dims)


def _alloc(g: Gen, ty: TensorType[Attribute]) -> SSAValue:
    return g.add(memref.AllocOp.get(ty.element_type, shape=ty.get_shape()))


def emit_structured(
    g: Gen, s: Structured, buffers: Sequence[SSAValue] | None = None
) -> list[SSAValue]:
    """Emit the loops of `s` with `g`, into `buffers` (fresh ones by default); the result
    buffers."""
    inputs: list[SSAValue] = [
        g.add(to_buffer(v)) if isinstance(v.type, TensorType) else v for v in s.inputs
    ]
    outs = list(buffers) if buffers is not None else [_alloc(g, _static_tensor(v)) for v in s.inits]
    for j, (init, out) in enumerate(zip(s.inits, outs, strict=True)):
        shape = _shape(init)
        if s.reads_accumulator(j) or s.reduction or not _covers(s.output_map(j), shape, s.ranges):
            _initialize(g, init, out)
    yield_op = s.block.last_op
    assert isinstance(yield_op, linalg.YieldOp)

    def body(inner: Gen, ivs: list[SSAValue]) -> None:
        values: dict[SSAValue, SSAValue] = {}
        n_in = len(s.inputs)
        for k, arg in enumerate(s.block.args):
            if not arg.uses:
                continue
            if k < n_in and not isinstance(s.inputs[k].type, TensorType):
                values[arg] = inputs[k]
                continue
            buffer = inputs[k] if k < n_in else outs[k - n_in]
            values[arg] = inner.add(memref.LoadOp.get(buffer, _indices(inner, s.maps[k], ivs)))
        for op in s.block.ops:
            if op is yield_op:
                continue
            if isinstance(op, linalg.IndexOp):
                values[op.result] = ivs[op.dim.value.data]
                continue
            inner.add_op(op.clone(values))
        for j, value in enumerate(yield_op.operands):
            index = _indices(inner, s.output_map(j), ivs)
            inner.add_op(memref.StoreOp.get(values.get(value, value), outs[j], index))

    _nest(g, s.ranges, body)
    return outs


def _copy(g: Gen, src: SSAValue, dst: SSAValue, shape: Sequence[int]) -> None:
    def body(inner: Gen, ivs: list[SSAValue]) -> None:
        element = inner.add(memref.LoadOp.get(src, ivs))
        inner.add_op(memref.StoreOp.get(element, dst, ivs))

    _nest(g, shape, body)


def _initialize(g: Gen, init: SSAValue, out: SSAValue) -> None:
    """Make the buffer `out` hold the tensor `init` (nothing for an uninitialized one)."""
    owner = init.owner
    if isinstance(owner, tensor.EmptyOp):
        return
    if isinstance(owner, linalg.FillOp) and owner.res and init.uses.get_length() == 1:
        # A fill only this op reads: fill the output buffer itself.
        emit_structured(g, structured(owner), [out])
        return
    _copy(g, g.add(to_buffer(init)), out, _shape(init))


def _scalar_attr(element: Attribute, value: Any) -> FloatAttr | IntegerAttr:
    if isinstance(element, Float32Type | Float64Type):
        return FloatAttr(float(value), element)
    assert isinstance(element, IntegerType)
    return IntegerAttr(int(value), element)


def emit_constant(g: Gen, op: arith.ConstantOp) -> SSAValue:
    """A buffer holding the tensor constant `op`: a loop storing a splat, else one store per
    element."""
    ty, values = _constant_values(op)
    out = _alloc(g, ty)
    element = ty.element_type
    if not isinstance(values, np.ndarray) or (values.size and (values == values.flat[0]).all()):
        first = values.flat[0] if isinstance(values, np.ndarray) else values
        scalar = g.add(arith.ConstantOp(_scalar_attr(element, first)))
        _nest(
            g, ty.get_shape(), lambda inner, ivs: inner.add_op(memref.StoreOp.get(scalar, out, ivs))
        )
        return out
    for position in np.ndindex(*values.shape):
        scalar = g.add(arith.ConstantOp(_scalar_attr(element, values[position])))
        g.add_op(memref.StoreOp.get(scalar, out, [g.index(i) for i in position]))
    return out


def emit_reshape(g: Gen, op: tensor.ExpandShapeOp | tensor.CollapseShapeOp) -> SSAValue:
    """A copy of the source in row-major order into a buffer of the result's shape."""
    source = g.add(to_buffer(op.src))
    src_shape, ty = _shape(op.src), _static_tensor(op.result)
    out = _alloc(g, ty)
    shape = tuple(ty.get_shape())

    def body(inner: Gen, ivs: list[SSAValue]) -> None:
        index = inner.delinear(inner.linear(ivs, shape), src_shape)
        element = inner.add(memref.LoadOp.get(source, index))
        inner.add_op(memref.StoreOp.get(element, out, ivs))

    _nest(g, shape, body)
    return out


# ---------------------------------------------------------------------------------------------
# Patterns and the pass
# ---------------------------------------------------------------------------------------------


def _replace(rewriter: PatternRewriter, op: Operation, buffers: Sequence[SSAValue]) -> None:
    as_tensors = [bufferization.ToTensorOp(buffer) for buffer in buffers]
    rewriter.replace(op, as_tensors, [t.tensor for t in as_tensors])


def _gen(op: Operation) -> Gen:
    block = op.parent_block()
    assert block is not None
    return Gen(block, before=op)


def _dead(op: Operation, rewriter: PatternRewriter) -> bool:
    """Erase `op` if nobody uses its results (ops on tensors have no other effect)."""
    if any(r.uses for r in op.results):
        return False
    rewriter.erase(op)
    return True


class LowerStructured(RewritePattern):
    """A linalg op on tensors -> its loop nest on buffers."""

    @op_type_rewrite_pattern
    def match_and_rewrite(
        self,
        op: LinalgStructuredOperation | linalg.BroadcastOp | linalg.ReduceOp,
        rewriter: PatternRewriter,
    ) -> None:
        if _inside_linalg(op) or _dead(op, rewriter):
            return
        _replace(rewriter, op, emit_structured(_gen(op), structured(op)))


class LowerTensorOps(RewritePattern):
    """`tensor.expand_shape`/`collapse_shape` -> a copy; an unused `tensor.empty` is erased."""

    @op_type_rewrite_pattern
    def match_and_rewrite(
        self,
        op: tensor.EmptyOp | tensor.ExpandShapeOp | tensor.CollapseShapeOp,
        rewriter: PatternRewriter,
    ) -> None:
        if _dead(op, rewriter) or isinstance(op, tensor.EmptyOp):
            return
        _replace(rewriter, op, [emit_reshape(_gen(op), op)])


class LowerTensorConstant(RewritePattern):
    """`arith.constant` of a tensor -> a buffer filled by stores."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: arith.ConstantOp, rewriter: PatternRewriter) -> None:
        if not isinstance(op.result.type, TensorType) or _inside_linalg(op):
            return
        if _dead(op, rewriter):
            return
        _replace(rewriter, op, [emit_constant(_gen(op), op)])


@dataclass(frozen=True)
class LinalgToZLoopPass(ModulePass):
    """Lower the linalg ops on tensors left in a module to `zloop.for` loops on buffers (see
    the module docstring); a located "not supported" error at the first op it cannot lower,
    before it rewrites anything."""

    name = "linalg-to-zloop"

    def check_input(self, module: ModuleOp) -> None:
        error = first_unsupported(module)
        if error is not None:
            raise error

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if not any(is_lowered_here(o) for o in op.walk()):
            return
        self.check_input(op)
        # Consumers first: an op's fill init is still a fill when the op is lowered (and is
        # filled into its buffer), and is then erased as dead.
        PatternRewriteWalker(
            GreedyRewritePatternApplier(
                [LowerStructured(), LowerTensorOps(), LowerTensorConstant()]
            ),
            walk_reverse=True,
            apply_recursively=False,
        ).rewrite_module(op)


__all__ = [
    "LinalgToZLoopPass",
    "Structured",
    "Unsupported",
    "first_unsupported",
    "is_lowered_here",
    "structured",
    "unsupported_reason",
]
