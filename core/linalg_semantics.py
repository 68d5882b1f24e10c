"""Reference semantics of linalg on tensors (what torch-mlir exports) on numpy arrays.

The interpreter functions of `tensor.empty`, `tensor.expand_shape`/`collapse_shape`,
`linalg.fill`, `linalg.generic` (with `linalg.index` and `linalg.yield`), `linalg.matmul`
(with any projected-permutation indexing maps) and `linalg.transpose`, with tensors as numpy
arrays (as everywhere in `ziggurat.interpreter`). xDSL 0.74 has no `linalg.batch_matmul` or
`linalg.matvec` op, so files with those do not parse. `dense_resource` constants are read by
`NumpyArithFunctions` (dialects/zloop_semantics.py).

xDSL 0.74 has interpreter functions for some of these, but on its own `ShapedArray` values,
one element at a time, writing every result of a generic into the first one and refusing to
fill a non-zero tensor; these replace them.

A `linalg.generic` runs its body once per point of its reduction dims, in lexicographic
order, each time on whole numpy arrays over its parallel dims: an element of the result is
computed by the same sequence of scalar operations as in a loop nest (a body that reads the
accumulator sees the value of the previous reduction step), only many elements at a time.
Indexing maps may be any affine maps of the loop dims (no symbols); the loop ranges come
from the operands' static shapes through the map results that are plain dims.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from xdsl.dialects import tensor
from xdsl.dialects.builtin import TensorType
from xdsl.dialects.linalg import Linalg
from xdsl.dialects.linalg import attrs as linalg_attrs
from xdsl.dialects.linalg import ops as linalg
from xdsl.dialects.linalg.abstract_ops import LinalgStructuredOperation
from xdsl.interpreter import (
    Interpreter,
    InterpreterFunctions,
    PythonValues,
    ReturnedValues,
    TerminatorValue,
    impl,
    impl_terminator,
    register_impls,
)
from xdsl.ir import Attribute, Operation, Region
from xdsl.ir.affine import (
    AffineBinaryOpExpr,
    AffineBinaryOpKind,
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
    AffineMap,
)
from xdsl.utils.exceptions import InterpretationError

from ziggurat.dialects.linalg_named import BatchMatmulOp, MatvecOp
from ziggurat.dialects.resources import element_dtype

NDArray = np.ndarray[Any, Any]


def tensor_dtype(ty: Attribute) -> np.dtype[Any]:
    """The numpy dtype holding elements of the tensor type `ty` (native byte order)."""
    if not isinstance(ty, TensorType):
        raise InterpretationError(f"expected a tensor type, got {ty}")
    dtype = element_dtype(ty.get_element_type())
    if dtype is None:
        raise InterpretationError(f"no numpy dtype for elements of {ty}")
    return dtype.newbyteorder("=")


def _static_shape(ty: Attribute) -> tuple[int, ...]:
    if not isinstance(ty, TensorType) or any(d < 0 for d in ty.get_shape()):
        raise InterpretationError(f"expected a static tensor type, got {ty}")
    return tuple(ty.get_shape())


def eval_affine(expr: AffineExpr, dims: tuple[Any, ...]) -> Any:
    """`expr` at loop-dim values `dims` (ints or integer arrays that broadcast)."""
    if isinstance(expr, AffineDimExpr):
        return dims[expr.position]
    if isinstance(expr, AffineConstantExpr):
        return expr.value
    if isinstance(expr, AffineBinaryOpExpr):
        lhs, rhs = eval_affine(expr.lhs, dims), eval_affine(expr.rhs, dims)
        match expr.kind:
            case AffineBinaryOpKind.Add:
                return lhs + rhs
            case AffineBinaryOpKind.Mul:
                return lhs * rhs
            case AffineBinaryOpKind.Mod:
                return np.mod(lhs, rhs)
            case AffineBinaryOpKind.FloorDiv:
                return np.floor_divide(lhs, rhs)
            case AffineBinaryOpKind.CeilDiv:
                return -np.floor_divide(-lhs, rhs)
    raise InterpretationError(f"affine expression {expr} is not supported (symbols?)")


def loop_ranges(maps: list[AffineMap], shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    """The extent of each loop dim, read off the operand dims that are a plain loop dim."""
    count = maps[0].num_dims
    ranges: list[int | None] = [None] * count
    for amap, shape in zip(maps, shapes, strict=True):
        for expr, extent in zip(amap.results, shape, strict=True):
            if isinstance(expr, AffineDimExpr) and ranges[expr.position] is None:
                ranges[expr.position] = extent
    if any(r is None for r in ranges):
        missing = [d for d, r in enumerate(ranges) if r is None]
        raise InterpretationError(f"loop dims {missing} have no extent in any operand")
    return tuple(r for r in ranges if r is not None)


class LinalgFunctions(InterpreterFunctions):
    """Interpreter functions of linalg and tensor ops on tensors (numpy arrays)."""

    def __init__(self) -> None:
        # The loop-dim values of the generics being run, innermost last (`linalg.index`).
        self._dims: list[tuple[Any, ...]] = []

    # ---- tensor -----------------------------------------------------------------------

    @impl(tensor.EmptyOp)
    def run_empty(
        self, interpreter: Interpreter, op: tensor.EmptyOp, args: PythonValues
    ) -> PythonValues:
        ty = op.tensor.type
        return (np.zeros(_static_shape(ty), dtype=tensor_dtype(ty)),)

    @impl(tensor.ExpandShapeOp)
    def run_expand_shape(
        self, interpreter: Interpreter, op: tensor.ExpandShapeOp, args: PythonValues
    ) -> PythonValues:
        return (np.asarray(args[0]).reshape(_static_shape(op.result.type)),)

    @impl(tensor.CollapseShapeOp)
    def run_collapse_shape(
        self, interpreter: Interpreter, op: tensor.CollapseShapeOp, args: PythonValues
    ) -> PythonValues:
        return (np.asarray(args[0]).reshape(_static_shape(op.result.type)),)

    # ---- named linalg ops ---------------------------------------------------------------

    @impl(linalg.FillOp)
    def run_fill(
        self, interpreter: Interpreter, op: linalg.FillOp, args: PythonValues
    ) -> PythonValues:
        value, out = args
        out = np.asarray(out)
        return (np.full(out.shape, value, dtype=out.dtype),)

    @impl(linalg.TransposeOp)
    def run_transpose(
        self, interpreter: Interpreter, op: linalg.TransposeOp, args: PythonValues
    ) -> PythonValues:
        permutation = [int(p) for p in op.permutation.get_values()]
        return (np.ascontiguousarray(np.transpose(np.asarray(args[0]), permutation)),)

    def _contraction(self, op: Any, args: PythonValues) -> PythonValues:
        """`out + sum over the reduced dims of lhs * rhs`, as the op's indexing maps say."""
        lhs, rhs, out = (np.asarray(a) for a in args)
        maps = [m.data for m in op.indexing_maps.data]
        letters = "abcdefghijklmnopqrstuvwxyz"

        def subscripts(amap: AffineMap) -> str:
            if not all(isinstance(e, AffineDimExpr) for e in amap.results):
                raise InterpretationError(f"'{op.name}' with indexing map {amap} is not supported")
            return "".join(letters[e.position] for e in amap.results)  # type: ignore[attr-defined]

        spec = f"{subscripts(maps[0])},{subscripts(maps[1])}->{subscripts(maps[2])}"
        product = np.einsum(spec, lhs.astype(out.dtype), rhs.astype(out.dtype))
        return ((out + product).astype(out.dtype),)

    @impl(linalg.MatmulOp)
    def run_matmul(
        self, interpreter: Interpreter, op: linalg.MatmulOp, args: PythonValues
    ) -> PythonValues:
        return self._contraction(op, args)

    @impl(BatchMatmulOp)
    def run_batch_matmul(
        self, interpreter: Interpreter, op: BatchMatmulOp, args: PythonValues
    ) -> PythonValues:
        return self._contraction(op, args)

    @impl(MatvecOp)
    def run_matvec(
        self, interpreter: Interpreter, op: MatvecOp, args: PythonValues
    ) -> PythonValues:
        return self._contraction(op, args)

    # ---- linalg.generic -------------------------------------------------------------------

    @impl(linalg.GenericOp)
    def run_generic(
        self, interpreter: Interpreter, op: linalg.GenericOp, args: PythonValues
    ) -> PythonValues:
        return self.run_structured(interpreter, op, args)

    @impl(linalg.BroadcastOp)
    def run_broadcast(
        self, interpreter: Interpreter, op: linalg.BroadcastOp, args: PythonValues
    ) -> PythonValues:
        if not op.result:
            raise InterpretationError("'linalg.broadcast' on memrefs is not supported")
        value, out = (np.asarray(a) for a in args)
        added = [int(d) for d in op.dimensions.get_values()]
        return (np.broadcast_to(np.expand_dims(value, added), out.shape).astype(out.dtype),)

    @impl(linalg.ReduceOp)
    def run_reduce(
        self, interpreter: Interpreter, op: linalg.ReduceOp, args: PythonValues
    ) -> PythonValues:
        if not op.result:
            raise InterpretationError("'linalg.reduce' on memrefs is not supported")
        rank = np.asarray(args[0]).ndim
        reduced = {int(d) for d in op.dimensions.get_values()}
        kept = tuple(AffineDimExpr(d) for d in range(rank) if d not in reduced)
        maps = [AffineMap.identity(rank), AffineMap(rank, 0, kept)]
        kinds = [d in reduced for d in range(rank)]
        return self._loops(interpreter, op, maps, kinds, 1, op.region, args)

    def run_structured(
        self, interpreter: Interpreter, op: LinalgStructuredOperation, args: PythonValues
    ) -> PythonValues:
        """A `linalg.generic`, or a named op as the generic of its maps and hidden body."""
        if not op.res:
            raise InterpretationError(f"'{op.name}' on memrefs is not supported")
        maps = [m.data for m in op.get_indexing_maps().data]
        kinds = [t.data != linalg_attrs.IteratorType.PARALLEL for t in op.get_iterator_types()]
        return self._loops(interpreter, op, maps, kinds, len(op.inputs), op.body, args)

    def _loops(
        self,
        interpreter: Interpreter,
        op: Operation,
        maps: list[AffineMap],
        reduces: list[bool],
        n_in: int,
        body: Region,
        args: PythonValues,
    ) -> PythonValues:
        operands = [np.asarray(a) for a in args]
        ranges = loop_ranges(maps, [a.shape for a in operands])
        parallel = [d for d, r in enumerate(reduces) if not r]
        reduction = [d for d, r in enumerate(reduces) if r]
        grid = tuple(ranges[d] for d in parallel)
        # Each parallel dim as an index array over the grid of all parallel dims.
        axes = {
            d: np.arange(ranges[d]).reshape([-1 if i == j else 1 for j in range(len(grid))])
            for i, d in enumerate(parallel)
        }
        outputs = [a.copy() for a in operands[n_in:]]
        for point in itertools.product(*(range(ranges[d]) for d in reduction)):
            values = dict(zip(reduction, point, strict=True))
            dims = tuple(axes[d] if d in axes else values[d] for d in range(len(ranges)))
            index = [tuple(eval_affine(e, dims) for e in m.results) for m in maps]
            block_args = [
                np.broadcast_to(a[i], grid)
                for a, i in zip(operands[:n_in] + outputs, index, strict=True)
            ]
            self._dims.append(dims)
            try:
                results = interpreter.run_ssacfg_region(body, tuple(block_args), op.name)
            finally:
                self._dims.pop()
            for out, i, r in zip(outputs, index[n_in:], results, strict=True):
                out[i] = np.broadcast_to(np.asarray(r, dtype=out.dtype), grid)
        return tuple(outputs)

    @impl(linalg.IndexOp)
    def run_index(
        self, interpreter: Interpreter, op: linalg.IndexOp, args: PythonValues
    ) -> PythonValues:
        if not self._dims:
            raise InterpretationError("'linalg.index' outside a running 'linalg.generic'")
        return (self._dims[-1][op.dim.value.data],)

    @impl_terminator(linalg.YieldOp)
    def run_yield(
        self, interpreter: Interpreter, op: linalg.YieldOp, args: PythonValues
    ) -> tuple[TerminatorValue, PythonValues]:
        return ReturnedValues(args), ()


def _run_named(
    self: LinalgFunctions, interpreter: Interpreter, op: Operation, args: PythonValues
) -> PythonValues:
    assert isinstance(op, LinalgStructuredOperation)
    return self.run_structured(interpreter, op, args)


NAMED_AS_GENERIC = tuple(
    cls
    for cls in Linalg.operations
    if issubclass(cls, LinalgStructuredOperation)
    and cls not in (linalg.GenericOp, linalg.FillOp, linalg.TransposeOp, linalg.MatmulOp)
)
"""The named structured ops run as the generic of their indexing maps and hidden body
(`linalg.add`, `sub`, `mul`, `max`, `min`, `exp`, `log`, `sqrt`, `select`, `copy`, the
convolutions and pooling, ...)."""

for _cls in NAMED_AS_GENERIC:
    setattr(LinalgFunctions, "run_" + _cls.name.replace(".", "_"), impl(_cls)(_run_named))
register_impls(LinalgFunctions)
