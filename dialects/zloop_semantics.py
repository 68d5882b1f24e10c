"""Reference semantics of `zloop` and of the upstream ops its bodies use, on numpy values.

In Ziggurat's interpreter memrefs and vectors are numpy arrays and f32/f64 scalars are numpy
scalars of the right width (so f32 arithmetic rounds like compiled code). This module provides:

- `ZLoopFunctions`: `zloop.for`/`parallel`/`yield` (a parallel loop runs its iterations
  sequentially, in lexicographic order), `zloop.cmpf`/`select` (as `arith.cmpf`/`select`), `memref` alloc/alloca/dealloc/load/store and collapse_shape/expand_shape (views) on numpy
  arrays, the `vector` ops the CPU lowering uses (load, store, broadcast, fma, reduction,
  maskedload, maskedstore, create_mask, extract) and `math` (`fma`, and the op of every row
  of the op table that lowers to a `math` op: `math.exp` runs the rule of `exp`, ...) on
  scalars and vectors.
- `NumpyArithFunctions`: xDSL's `ArithFunctions` with the float and cast ops (and constants,
  cmpf, select) redone on numpy scalars and vectors. It replaces `ArithFunctions`.
- `BufferizationFunctions`: `bufferization.to_buffer`/`to_tensor`, so the IR between
  `ztensor-to-ztile` and `bufferize` can be interpreted too.

xDSL's own `MemRefFunctions` (ShapedArray-based) must not be registered next to these.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.dialects import arith, bufferization, math, memref, vector
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    BFloat16Type,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    TensorType,
    VectorType,
    i1,
)
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
from xdsl.interpreters.arith import ArithFunctions
from xdsl.ir import Attribute, Operation
from xdsl.utils.exceptions import InterpretationError

from ziggurat.dialects import optable, zloop
from ziggurat.dialects.resources import ResourceError, element_dtype, resource_array
from ziggurat.dialects.ztensor_semantics import (
    bfloat16,
    ieee_max_reduce,
    ieee_maximum,
    ieee_min_reduce,
    ieee_minimum,
)


def numpy_dtype(element_type: Attribute) -> np.dtype[Any]:
    """The numpy dtype holding values of an xDSL element type."""
    if isinstance(element_type, Float32Type):
        return np.dtype(np.float32)
    if isinstance(element_type, Float64Type):
        return np.dtype(np.float64)
    if isinstance(element_type, Float16Type):
        return np.dtype(np.float16)
    if isinstance(element_type, BFloat16Type):
        return bfloat16()
    if isinstance(element_type, IndexType):
        return np.dtype(np.int64)
    if isinstance(element_type, IntegerType):
        width = element_type.width.data
        if width == 1:
            return np.dtype(np.bool_)
        return np.dtype({8: np.int8, 16: np.int16, 32: np.int32, 64: np.int64}[width])
    raise InterpretationError(f"no numpy dtype for element type {element_type}")


def _dtype_of(t: Attribute) -> np.dtype[Any]:
    element = t.element_type if isinstance(t, VectorType | MemRefType | TensorType) else t
    if isinstance(element, IntegerType | IndexType) and element != i1:
        # Integers other than i1 (the i64 argmax of a linalg.generic): two's complement.
        dtype = element_dtype(element)
        if dtype is not None:
            return dtype.newbyteorder("=")
    return numpy_dtype(element)


def _cast(value: Any, t: Attribute) -> Any:
    """`value` as a numpy scalar or array of type `t`'s element dtype."""
    dtype = _dtype_of(t)
    if isinstance(t, VectorType):
        return np.asarray(value, dtype=dtype)
    return dtype.type(value)


def _lanes(op_name: str, base: np.ndarray, indices: tuple[int, ...], n: int) -> tuple[Any, ...]:
    """The numpy index of `n` contiguous elements along the last dim at `indices`."""
    if len(indices) != base.ndim:
        raise InterpretationError(f"'{op_name}' expects {base.ndim} indices, got {len(indices)}")
    *outer, last = (int(i) for i in indices)
    return (*outer, slice(last, last + n))


def _check_in_bounds(op_name: str, base: np.ndarray, indices: tuple[int, ...], n: int) -> None:
    *outer, last = (int(i) for i in indices)
    for i, d in zip(outer, base.shape[:-1], strict=False):
        if not 0 <= i < d:
            raise InterpretationError(f"'{op_name}' index {i} out of bounds for dim of size {d}")
    if last < 0 or last + n > base.shape[-1]:
        raise InterpretationError(
            f"'{op_name}' reads/writes [{last}, {last + n}) outside a last dim of size {base.shape[-1]}"
        )


def _loop_range(bound_map: Any, operands: tuple[Any, ...], is_lower: bool) -> int:
    return zloop.eval_bound(bound_map.data, [int(v) for v in operands], is_lower)


class ZLoopFunctions(InterpreterFunctions):
    """numpy-backed implementations of zloop, memref, vector and math ops."""

    # ----- zloop -----------------------------------------------------------------------------

    @impl(zloop.ForOp)
    def run_for(
        self, interpreter: Interpreter, op: zloop.ForOp, args: PythonValues
    ) -> PythonValues:
        n_lb, n_ub = len(op.lowerBoundOperands), len(op.upperBoundOperands)
        lb = _loop_range(op.lowerBoundMap, args[:n_lb], True)
        ub = _loop_range(op.upperBoundMap, args[n_lb : n_lb + n_ub], False)
        carried = tuple(args[n_lb + n_ub :])
        for i in range(lb, ub, op.step_value):
            carried = interpreter.run_ssacfg_region(op.body, (i, *carried), "zloop.for")
        return carried

    @impl(zloop.ParallelOp)
    def run_parallel(
        self, interpreter: Interpreter, op: zloop.ParallelOp, args: PythonValues
    ) -> PythonValues:
        n_lb = len(op.lowerBoundOperands)
        lb_args, ub_args = list(args[:n_lb]), list(args[n_lb:])
        ranges: list[range] = []
        lb_pos = ub_pos = 0
        for lb_map, ub_map, step in zip(
            op.lowerBoundMaps.data, op.upperBoundMaps.data, op.step_values, strict=False
        ):
            nl, nu = zloop.map_operand_count(lb_map), zloop.map_operand_count(ub_map)
            lb = _loop_range(lb_map, tuple(lb_args[lb_pos : lb_pos + nl]), True)
            ub = _loop_range(ub_map, tuple(ub_args[ub_pos : ub_pos + nu]), False)
            lb_pos, ub_pos = lb_pos + nl, ub_pos + nu
            ranges.append(range(lb, ub, step))
        for point in np.ndindex(*(len(r) for r in ranges)):
            ivs = tuple(r[k] for r, k in zip(ranges, point, strict=False))
            interpreter.run_ssacfg_region(op.body, ivs, "zloop.parallel")
        return ()

    @impl_terminator(zloop.YieldOp)
    def run_yield(
        self, interpreter: Interpreter, op: zloop.YieldOp, args: PythonValues
    ) -> tuple[TerminatorValue, PythonValues]:
        return ReturnedValues(args), ()

    # ----- memref ----------------------------------------------------------------------------

    def _alloc(self, op: memref.AllocOp | memref.AllocaOp) -> PythonValues:
        t = op.memref.type
        assert isinstance(t, MemRefType)
        shape = tuple(t.get_shape())
        if any(d < 0 for d in shape):
            raise InterpretationError(f"'{op.name}' only supports static shapes, got {t}")
        # Fresh buffers hold garbage in compiled code; NaN makes reads of unwritten data visible.
        dtype = numpy_dtype(t.element_type)
        fill = np.nan if dtype.kind == "f" else 0
        return (np.full(shape, fill, dtype=dtype),)

    @impl(memref.AllocOp)
    def run_alloc(
        self, interpreter: Interpreter, op: memref.AllocOp, args: PythonValues
    ) -> PythonValues:
        return self._alloc(op)

    @impl(memref.AllocaOp)
    def run_alloca(
        self, interpreter: Interpreter, op: memref.AllocaOp, args: PythonValues
    ) -> PythonValues:
        return self._alloc(op)

    @impl(memref.DeallocOp)
    def run_dealloc(
        self, interpreter: Interpreter, op: memref.DeallocOp, args: PythonValues
    ) -> PythonValues:
        return ()

    @impl(memref.CollapseShapeOp)
    def run_collapse_shape(
        self, interpreter: Interpreter, op: memref.CollapseShapeOp, args: PythonValues
    ) -> PythonValues:
        return (_reshaped_view(args[0], op.result.type),)

    @impl(memref.ExpandShapeOp)
    def run_expand_shape(
        self, interpreter: Interpreter, op: memref.ExpandShapeOp, args: PythonValues
    ) -> PythonValues:
        return (_reshaped_view(args[0], op.result.type),)

    @impl(memref.LoadOp)
    def run_load(
        self, interpreter: Interpreter, op: memref.LoadOp, args: PythonValues
    ) -> PythonValues:
        base, *indices = args
        return (base[tuple(int(i) for i in indices)],)

    @impl(memref.StoreOp)
    def run_store(
        self, interpreter: Interpreter, op: memref.StoreOp, args: PythonValues
    ) -> PythonValues:
        value, base, *indices = args
        base[tuple(int(i) for i in indices)] = value
        return ()

    # ----- vector ----------------------------------------------------------------------------

    @impl(vector.LoadOp)
    def run_vload(
        self, interpreter: Interpreter, op: vector.LoadOp, args: PythonValues
    ) -> PythonValues:
        base, *indices = args
        t = op.result.type
        assert isinstance(t, VectorType)
        n = t.element_count()
        _check_in_bounds(op.name, base, tuple(indices), n)
        return (base[_lanes(op.name, base, tuple(indices), n)].copy(),)

    @impl(vector.StoreOp)
    def run_vstore(
        self, interpreter: Interpreter, op: vector.StoreOp, args: PythonValues
    ) -> PythonValues:
        value, base, *indices = args
        n = value.shape[0]
        _check_in_bounds(op.name, base, tuple(indices), n)
        base[_lanes(op.name, base, tuple(indices), n)] = value
        return ()

    @impl(vector.MaskedLoadOp)
    def run_maskedload(
        self, interpreter: Interpreter, op: vector.MaskedLoadOp, args: PythonValues
    ) -> PythonValues:
        base, *indices, mask, pass_thru = args
        result = np.array(pass_thru, copy=True)
        *outer, last = (int(i) for i in indices)
        for lane in np.flatnonzero(mask):
            result[lane] = base[(*outer, last + int(lane))]
        return (result,)

    @impl(vector.MaskedStoreOp)
    def run_maskedstore(
        self, interpreter: Interpreter, op: vector.MaskedStoreOp, args: PythonValues
    ) -> PythonValues:
        base, *indices, mask, value = args
        *outer, last = (int(i) for i in indices)
        for lane in np.flatnonzero(mask):
            base[(*outer, last + int(lane))] = value[lane]
        return ()

    @impl(vector.CreateMaskOp)
    def run_create_mask(
        self, interpreter: Interpreter, op: vector.CreateMaskOp, args: PythonValues
    ) -> PythonValues:
        t = op.mask_vector.type
        assert isinstance(t, VectorType)
        shape = tuple(t.get_shape())
        mask = np.ones(shape, dtype=np.bool_)
        for axis, bound in enumerate(args):
            index = [slice(None)] * len(shape)
            index[axis] = slice(max(int(bound), 0), None)
            mask[tuple(index)] = False
        return (mask,)

    @impl(vector.BroadcastOp)
    def run_broadcast(
        self, interpreter: Interpreter, op: vector.BroadcastOp, args: PythonValues
    ) -> PythonValues:
        t = op.vector.type
        assert isinstance(t, VectorType)
        return (
            np.broadcast_to(np.asarray(args[0], dtype=_dtype_of(t)), tuple(t.get_shape())).copy(),
        )

    @impl(vector.FMAOp)
    def run_vfma(
        self, interpreter: Interpreter, op: vector.FMAOp, args: PythonValues
    ) -> PythonValues:
        a, b, c = args
        return (_fma(a, b, c),)

    @impl(vector.ReductionOp)
    def run_reduction(
        self, interpreter: Interpreter, op: vector.ReductionOp, args: PythonValues
    ) -> PythonValues:
        v = args[0]
        kind = op.kind.data.value
        dtype = _dtype_of(op.dest.type)
        if kind == "add":
            r = np.sum(v, dtype=dtype)
            if len(args) > 1:
                r = dtype.type(r + args[1])
        elif kind in ("maximumf", "minimumf"):
            f = ieee_max_reduce if kind == "maximumf" else ieee_min_reduce
            r = f(v)
            if len(args) > 1:
                pair = np.array([r, args[1]], dtype=dtype)
                r = f(pair)
        elif kind == "mul":
            r = np.prod(v, dtype=dtype)
            if len(args) > 1:
                r = dtype.type(r * args[1])
        else:
            raise InterpretationError(f"'vector.reduction' kind <{kind}> is not supported")
        return (dtype.type(r),)

    @impl(vector.ExtractOp)
    def run_extract(
        self, interpreter: Interpreter, op: vector.ExtractOp, args: PythonValues
    ) -> PythonValues:
        v, *dynamic = args
        dyn = iter(dynamic)
        position = tuple(
            int(next(dyn)) if p == DYNAMIC_INDEX else int(p)
            for p in op.static_position.get_values()
        )
        r = v[position]
        return (r.copy() if isinstance(r, np.ndarray) else r,)

    # ----- math ------------------------------------------------------------------------------

    @impl(zloop.CmpfOp)
    def run_zloop_cmpf(
        self, interpreter: Interpreter, op: zloop.CmpfOp, args: PythonValues
    ) -> PythonValues:
        return (fcmp(op.code, args[0], args[1]),)

    @impl(zloop.SelectOp)
    def run_zloop_select(
        self, interpreter: Interpreter, op: zloop.SelectOp, args: PythonValues
    ) -> PythonValues:
        return (_select(op, *args),)

    @impl(math.FmaOp)
    def run_fma(self, interpreter: Interpreter, op: math.FmaOp, args: PythonValues) -> PythonValues:
        a, b, c = args
        return (_cast(_fma(a, b, c), op.result.type),)


def _math_impl(row: optable.Elementwise) -> Any:
    """The interpreter function of the `math` op `row` lowers to: the row's rule."""

    def run(
        self: ZLoopFunctions, interpreter: Interpreter, op: Operation, args: PythonValues
    ) -> PythonValues:
        return (_cast(row.evaluate(*args), op.results[0].type),)

    return run


_MATH_CLASSES = {cls.name: cls for cls in math.Math.operations}
for _name, _row in optable.MATH_OPS.items():
    setattr(
        ZLoopFunctions,
        "run_" + _name.split(".")[1],
        impl(_MATH_CLASSES[_name])(_math_impl(_row)),
    )
register_impls(ZLoopFunctions)


def fcmp(code: int, a: Any, b: Any) -> Any:
    """`arith.cmpf` with the predicate of code `code` (`zloop.CMPF_PREDICATES`) on scalars
    (a Python bool) or vectors (a bool array): ordered predicates are false, unordered ones
    true, where an operand is NaN."""
    x, y = np.asarray(a), np.asarray(b)
    unordered = np.isnan(x) | np.isnan(y)
    with np.errstate(all="ignore"):
        table = {
            0: np.zeros_like(unordered),
            1: (x == y) & ~unordered,
            2: (x > y) & ~unordered,
            3: (x >= y) & ~unordered,
            4: (x < y) & ~unordered,
            5: (x <= y) & ~unordered,
            6: (x != y) & ~unordered,
            7: ~unordered,
            8: (x == y) | unordered,
            9: (x > y) | unordered,
            10: (x >= y) | unordered,
            11: (x < y) | unordered,
            12: (x <= y) | unordered,
            13: (x != y) | unordered,
            14: unordered,
            15: np.ones_like(unordered),
        }
    r = table[code]
    return r if r.ndim else bool(r)


def _select(op: Operation, cond: Any, lhs: Any, rhs: Any) -> Any:
    if isinstance(cond, np.ndarray):
        return np.asarray(np.where(cond, lhs, rhs), dtype=_dtype_of(op.results[0].type))
    return lhs if cond else rhs


def _fma(a: Any, b: Any, c: Any) -> Any:
    """a*b+c rounded once (computed in float64 for f32 inputs, which is exact to f32 rounding)."""
    dtype = np.result_type(a, b, c)
    if dtype == np.float32:
        wide = np.asarray(a, np.float64) * np.asarray(b, np.float64) + np.asarray(c, np.float64)
        r = np.asarray(wide).astype(np.float32)
    else:
        r = np.asarray(a) * np.asarray(b) + np.asarray(c)
    return r if r.ndim else dtype.type(r)


class NumpyArithFunctions(ArithFunctions):
    """xDSL's arith semantics with float, cast, compare and select ops on numpy values, and
    the integer ops (`INTEGER_OPS`, `math.fpowi`) on numpy arrays and scalars too (the
    integer bodies of a `linalg.generic` run on arrays; xDSL's take Python ints only)."""

    @impl(arith.ConstantOp)
    def run_constant(
        self, interpreter: Interpreter, op: arith.ConstantOp, args: PythonValues
    ) -> PythonValues:
        value = op.value
        t = op.result.type
        if isinstance(value, DenseResourceAttr):
            try:
                return (resource_array(value),)
            except ResourceError as e:
                raise InterpretationError(str(e)) from e
        if isinstance(value, DenseIntOrFPElementsAttr):
            assert isinstance(t, VectorType | MemRefType) or hasattr(t, "get_shape")
            shape = tuple(t.get_shape())
            data = np.asarray(value.get_values(), dtype=_dtype_of(t))
            if data.size == 1 and shape != data.shape:  # a splat, of any rank (0 too)
                return (np.broadcast_to(data.reshape(()), shape).copy(),)
            return (data.reshape(shape),)
        if isinstance(value, FloatAttr):
            return (numpy_dtype(t).type(value.value.data),)
        if isinstance(value, IntegerAttr) and isinstance(t, IntegerType) and t.width.data == 1:
            return (bool(value.value.data),)
        return super().run_constant(interpreter, op, args).values

    def _binary(self, op: Any, args: PythonValues, f: Any) -> PythonValues:
        with np.errstate(all="ignore"):
            return (_cast(f(args[0], args[1]), op.result.type),)

    @impl(arith.AddfOp)
    def run_addf(
        self, interpreter: Interpreter, op: arith.AddfOp, args: PythonValues
    ) -> PythonValues:
        return self._binary(op, args, np.add)

    @impl(arith.SubfOp)
    def run_subf(
        self, interpreter: Interpreter, op: arith.SubfOp, args: PythonValues
    ) -> PythonValues:
        return self._binary(op, args, np.subtract)

    @impl(arith.MulfOp)
    def run_mulf(
        self, interpreter: Interpreter, op: arith.MulfOp, args: PythonValues
    ) -> PythonValues:
        return self._binary(op, args, np.multiply)

    @impl(arith.DivfOp)
    def run_divf(
        self, interpreter: Interpreter, op: arith.DivfOp, args: PythonValues
    ) -> PythonValues:
        return self._binary(op, args, np.divide)

    @impl(arith.MaximumfOp)
    def run_maximumf(
        self, interpreter: Interpreter, op: arith.MaximumfOp, args: PythonValues
    ) -> PythonValues:
        return self._binary(op, args, ieee_maximum)

    @impl(arith.MinimumfOp)
    def run_minimumf(
        self, interpreter: Interpreter, op: arith.MinimumfOp, args: PythonValues
    ) -> PythonValues:
        return self._binary(op, args, ieee_minimum)

    @impl(arith.NegfOp)
    def run_negf(
        self, interpreter: Interpreter, op: arith.NegfOp, args: PythonValues
    ) -> PythonValues:
        return (_cast(np.negative(args[0]), op.result.type),)

    @impl(arith.CmpfOp)
    def run_cmpf(
        self, interpreter: Interpreter, op: arith.CmpfOp, args: PythonValues
    ) -> PythonValues:
        return (fcmp(op.predicate.value.data, args[0], args[1]),)

    @impl(arith.SelectOp)
    def run_select(
        self, interpreter: Interpreter, op: arith.SelectOp, args: PythonValues
    ) -> PythonValues:
        return (_select(op, *args),)

    @impl(arith.SIToFPOp)
    def run_sitofp(
        self, interpreter: Interpreter, op: arith.SIToFPOp, args: PythonValues
    ) -> PythonValues:
        return (_cast(args[0], op.result.type),)

    @impl(arith.IndexCastOp)
    def run_indexcast(
        self, interpreter: Interpreter, op: arith.IndexCastOp, args: PythonValues
    ) -> PythonValues:
        # On the integer arrays of a linalg.generic's `linalg.index` too (xDSL's works on
        # Python ints only); the same value in the wider or narrower type.
        value = args[0]
        if isinstance(value, np.ndarray):
            return (value.astype(_dtype_of(op.result.type)),)
        return super().run_indexcast(interpreter, op, args).values

    @impl(arith.ExtFOp)
    def run_extf(
        self, interpreter: Interpreter, op: arith.ExtFOp, args: PythonValues
    ) -> PythonValues:
        return (_cast(args[0], op.result.type),)

    @impl(arith.TruncFOp)
    def run_truncf(
        self, interpreter: Interpreter, op: arith.TruncFOp, args: PythonValues
    ) -> PythonValues:
        return (_cast(args[0], op.result.type),)


def _unsigned(x: Any) -> Any:
    """Integers as the unsigned integers of their width (two's complement)."""
    a = np.asarray(x)
    if a.dtype == np.bool_:
        return a.astype(np.uint8)
    return a.astype(np.dtype(f"u{a.dtype.itemsize}"))


def _div_toward_zero(a: Any, b: Any) -> Any:
    q = np.floor_divide(a, b)
    return q + ((np.remainder(a, b) != 0) & ((np.asarray(a) < 0) != (np.asarray(b) < 0)))


INTEGER_OPS: dict[type[Operation], Any] = {
    arith.AddiOp: np.add,
    arith.SubiOp: np.subtract,
    arith.MuliOp: np.multiply,
    arith.AndIOp: np.bitwise_and,
    arith.OrIOp: np.bitwise_or,
    arith.XOrIOp: np.bitwise_xor,
    arith.ShLIOp: np.left_shift,
    arith.ShRSIOp: np.right_shift,
    arith.ShRUIOp: lambda a, b: np.right_shift(_unsigned(a), _unsigned(b)),
    arith.DivSIOp: _div_toward_zero,
    arith.RemSIOp: lambda a, b: np.asarray(a) - np.asarray(b) * _div_toward_zero(a, b),
    arith.FloorDivSIOp: np.floor_divide,
    arith.CeilDivSIOp: lambda a, b: -np.floor_divide(-np.asarray(a), b),
    arith.DivUIOp: lambda a, b: np.floor_divide(_unsigned(a), _unsigned(b)),
    arith.RemUIOp: lambda a, b: np.remainder(_unsigned(a), _unsigned(b)),
    arith.MaxSIOp: np.maximum,
    arith.MinSIOp: np.minimum,
    arith.MaxUIOp: lambda a, b: np.maximum(_unsigned(a), _unsigned(b)),
    arith.MinUIOp: lambda a, b: np.minimum(_unsigned(a), _unsigned(b)),
}
"""Integer `arith` ops -> their numpy function on operands of the op's own dtype; the result
wraps around (two's complement) like the op's."""


def _wrap(value: Any, t: Attribute) -> Any:
    """An integer result as the two's complement value of type `t` (i1: its low bit)."""
    if t == i1:
        return np.asarray(np.bitwise_and(np.asarray(value).astype(np.int64), 1), dtype=np.bool_)
    return np.asarray(value).astype(_dtype_of(t))


def _is_python_index(args: PythonValues) -> bool:
    """Plain Python ints (index arithmetic of the loop interpreters), not bools (i1 values)
    or numpy values."""
    return all(isinstance(a, int) and not isinstance(a, bool | np.generic) for a in args)


def _integer_impl(op_type: type[Operation], f: Any) -> Any:
    inherited = next(
        (m for m in vars(ArithFunctions).values() if getattr(m, "__impl_op_type", None) is op_type),
        None,
    )

    def run(
        self: NumpyArithFunctions, interpreter: Interpreter, op: Operation, args: PythonValues
    ) -> PythonValues:
        if inherited is not None and _is_python_index(args):
            return inherited(self, interpreter, op, args).values  # xDSL's, on Python ints
        t = op.results[0].type
        dtype = np.dtype(np.uint8) if t == i1 else _dtype_of(t)
        operands = [np.asarray(a).astype(dtype) for a in args]
        with np.errstate(all="ignore"):
            r = _wrap(f(*operands), t)
        return (r if r.ndim else r[()],)

    return run


def _cmpi(
    self: Any, interpreter: Interpreter, op: arith.CmpiOp, args: PythonValues
) -> PythonValues:
    predicate = op.predicate.value.data
    a, b = (_unsigned(x) for x in args) if predicate >= 6 else (np.asarray(x) for x in args)
    compare = (np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal)
    f = compare[predicate] if predicate < 6 else compare[predicate - 4]
    r = np.asarray(f(a, b))
    return (r if r.ndim else bool(r),)


def _int_cast(kind: str) -> Any:
    def run(self: Any, interpreter: Interpreter, op: Operation, args: PythonValues) -> PythonValues:
        value = np.asarray(args[0])
        t = op.results[0].type
        if kind == "sext" and value.dtype == np.bool_:
            value = -value.astype(np.int64)
        elif kind == "zext":
            value = _unsigned(value).astype(np.uint64)
        r = _wrap(value, t)
        return (r if r.ndim else r[()],)

    return run


def _fpowi(
    self: Any, interpreter: Interpreter, op: math.FPowIOp, args: PythonValues
) -> PythonValues:
    with np.errstate(all="ignore"):
        r = np.power(np.asarray(args[0], np.float64), np.asarray(args[1], np.float64))
    return (_cast(r, op.result.type),)


for _op_type, _f in INTEGER_OPS.items():
    setattr(
        NumpyArithFunctions,
        "run_np_" + _op_type.name.split(".")[1],
        impl(_op_type)(_integer_impl(_op_type, _f)),
    )
_MORE_NUMPY_OPS: tuple[tuple[type[Operation], Any], ...] = (
    (arith.CmpiOp, _cmpi),
    (arith.ExtSIOp, _int_cast("sext")),
    (arith.ExtUIOp, _int_cast("zext")),
    (arith.TruncIOp, _int_cast("trunc")),
    (math.FPowIOp, _fpowi),
)
for _op_type, _run in _MORE_NUMPY_OPS:
    setattr(NumpyArithFunctions, "run_np_" + _op_type.name.split(".")[1], impl(_op_type)(_run))
register_impls(NumpyArithFunctions)


@register_impls
class BufferizationFunctions(InterpreterFunctions):
    """`bufferization.to_buffer`/`to_tensor` on numpy arrays: both give back their operand.

    Tensors and memrefs are both numpy arrays, so the tensor and the buffer share one array
    (as in MLIR, where they alias). The IR `ztensor-to-ztile` produces never writes a buffer
    that a live tensor views, so no copy is needed.
    """

    @impl(bufferization.ToBufferOp)
    def run_to_buffer(
        self, interpreter: Interpreter, op: bufferization.ToBufferOp, args: PythonValues
    ) -> PythonValues:
        return (args[0],)

    @impl(bufferization.ToTensorOp)
    def run_to_tensor(
        self, interpreter: Interpreter, op: bufferization.ToTensorOp, args: PythonValues
    ) -> PythonValues:
        return (args[0],)


def _reshaped_view(base: Any, t: Attribute) -> Any:
    """`base` with the shape of memref type `t`, sharing its memory (stores through the view
    write `base`, as in compiled code)."""
    assert isinstance(t, MemRefType)
    view = base.view()
    view.shape = t.get_shape()  # raises instead of copying when that is impossible
    return view
