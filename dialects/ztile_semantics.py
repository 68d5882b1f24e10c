"""Reference semantics of `ztile`: numpy rules per op and the xDSL interpreter functions.

Tiles and memrefs are numpy arrays (memrefs are mutated in place by `ztile.store`); indices
are Python ints. Elementwise ops and `ztile.reduce` compute the rules of the op table
(`ziggurat.dialects.optable`). A `ztile.grid` runs its body once per program instance in
row-major order; `ztile.program_id` reads the instance from a stack kept on the
`ZTileFunctions` object (a stack, so a grid may be interpreted while another one is running).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
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
from xdsl.ir import Operation
from xdsl.utils.exceptions import InterpretationError

from ziggurat.dialects import optable, ztile
from ziggurat.dialects.ztensor_semantics import numpy_dtype

NDArray = np.ndarray[Any, Any]


UNARY_RULES: dict[type[ztile.UnaryOp], Callable[[NDArray], NDArray]] = {
    ztile.UNARY_OPS[row.name]: row.reference for row in optable.UNARY
}
"""The numpy rule of each elementwise unary op (from the op table)."""

BINARY_RULES: dict[type[ztile.BinaryOp], Callable[[NDArray, NDArray], NDArray]] = {
    ztile.BINARY_OPS[row.name]: row.reference for row in optable.BINARY
}
"""The numpy rule of each elementwise binary op (from the op table)."""


def _window(
    offsets: Sequence[int], tile_shape: Sequence[int], memref_shape: Sequence[int]
) -> tuple[tuple[slice, ...], tuple[slice, ...]] | None:
    """The in-bounds part of a tile as (slices into the memref, slices into the tile)."""
    src: list[slice] = []
    dst: list[slice] = []
    for o, t, d in zip(offsets, tile_shape, memref_shape, strict=True):
        lo, hi = max(o, 0), min(o + t, d)
        if lo >= hi:
            return None
        src.append(slice(lo, hi))
        dst.append(slice(lo - o, hi - o))
    return tuple(src), tuple(dst)


def load_tile(
    memref: NDArray, offsets: Sequence[int], tile_type: ztile.TileType, padding: float
) -> NDArray:
    """The tile of `tile_type` at `offsets` of `memref`; out-of-bounds elements are `padding`."""
    shape = tile_type.get_shape()
    tile = np.full(shape, padding, dtype=numpy_dtype(tile_type.element_type))
    window = _window(offsets, shape, memref.shape)
    if window is not None:
        tile[window[1]] = memref[window[0]]
    return tile


def store_tile(memref: NDArray, offsets: Sequence[int], tile: NDArray) -> None:
    """Write the in-bounds elements of `tile` into `memref` at `offsets`."""
    window = _window(offsets, tile.shape, memref.shape)
    if window is not None:
        memref[window[0]] = tile[window[1]]


def _result_dtype(op: Operation) -> np.dtype[Any]:
    ty = op.results[0].type
    assert isinstance(ty, ztile.TileType)
    return numpy_dtype(ty.element_type)


class ZTileFunctions(InterpreterFunctions):
    """xDSL interpreter functions for every ztile op; tiles and memrefs are numpy arrays."""

    def __init__(self) -> None:
        super().__init__()
        self.instances: list[tuple[int, ...]] = []

    @impl(ztile.GridOp)
    def run_grid(
        self, interpreter: Interpreter, op: ztile.GridOp, args: PythonValues
    ) -> PythonValues:
        for instance in itertools.product(*(range(g) for g in op.grid_shape)):
            self.instances.append(instance)
            try:
                interpreter.run_ssacfg_region(op.body, (), "ztile.grid")
            finally:
                self.instances.pop()
        return ()

    @impl_terminator(ztile.YieldOp)
    def run_yield(
        self, interpreter: Interpreter, op: ztile.YieldOp, args: PythonValues
    ) -> tuple[TerminatorValue, PythonValues]:
        return ReturnedValues(()), ()

    @impl(ztile.ProgramIdOp)
    def run_program_id(
        self, interpreter: Interpreter, op: ztile.ProgramIdOp, args: PythonValues
    ) -> PythonValues:
        if not self.instances:
            raise InterpretationError("'ztile.program_id' runs outside a 'ztile.grid'")
        return (self.instances[-1][op.axis_value],)

    @impl(ztile.LoadOp)
    def run_load(
        self, interpreter: Interpreter, op: ztile.LoadOp, args: PythonValues
    ) -> PythonValues:
        memref, *offsets = args
        ty = op.result.type
        assert isinstance(ty, ztile.TileType)
        return (load_tile(memref, [int(o) for o in offsets], ty, op.padding_value),)

    @impl(ztile.StoreOp)
    def run_store(
        self, interpreter: Interpreter, op: ztile.StoreOp, args: PythonValues
    ) -> PythonValues:
        tile, memref, *offsets = args
        store_tile(memref, [int(o) for o in offsets], np.asarray(tile))
        return ()

    @impl(ztile.DotOp)
    def run_dot(
        self, interpreter: Interpreter, op: ztile.DotOp, args: PythonValues
    ) -> PythonValues:
        a, b, acc = args
        if optable.is_narrow(a.dtype):
            # f32 accumulation (acc extended), rounded once to the accumulator's type.
            wide = np.float32
            value = acc.astype(wide) + a.astype(wide) @ b.astype(wide)
            return (value.astype(_result_dtype(op)),)
        return ((acc + a @ b).astype(_result_dtype(op)),)

    @impl(ztile.ReduceOp)
    def run_reduce(
        self, interpreter: Interpreter, op: ztile.ReduceOp, args: PythonValues
    ) -> PythonValues:
        rule = optable.TILE_REDUCTION[op.kind_name].reference
        value = rule(args[0], axis=op.axis_value, keepdims=True)
        return (np.asarray(value, dtype=_result_dtype(op)),)

    @impl(ztile.BroadcastOp)
    def run_broadcast(
        self, interpreter: Interpreter, op: ztile.BroadcastOp, args: PythonValues
    ) -> PythonValues:
        ty = op.result.type
        assert isinstance(ty, ztile.TileType)
        return (np.broadcast_to(args[0], ty.get_shape()).copy(),)

    @impl(ztile.CastOp)
    def run_cast(
        self, interpreter: Interpreter, op: ztile.CastOp, args: PythonValues
    ) -> PythonValues:
        return (np.asarray(args[0]).astype(_result_dtype(op)),)

    @impl(ztile.SplatOp)
    def run_splat(
        self, interpreter: Interpreter, op: ztile.SplatOp, args: PythonValues
    ) -> PythonValues:
        ty = op.result.type
        assert isinstance(ty, ztile.TileType)
        return (np.full(ty.get_shape(), args[0], dtype=_result_dtype(op)),)

    @impl(ztile.TransposeOp)
    def run_transpose(
        self, interpreter: Interpreter, op: ztile.TransposeOp, args: PythonValues
    ) -> PythonValues:
        return (np.ascontiguousarray(np.transpose(args[0], op.perm)),)


ROWS: dict[type[Operation], optable.Elementwise] = {
    cls: optable.ELEMENTWISE[name] for name, cls in ztile.ELEMENTWISE_OPS.items()
}
"""The op table row of each elementwise ztile op."""


def _run_elementwise(
    ft: ZTileFunctions, interpreter: Interpreter, op: Operation, args: PythonValues
) -> PythonValues:
    value = ROWS[type(op)].evaluate(*args, predicate=optable.predicate_of(op))
    return (np.asarray(value, dtype=_result_dtype(op)),)


for _name, _op in ztile.ELEMENTWISE_OPS.items():
    setattr(ZTileFunctions, "run_" + _name, impl(_op)(_run_elementwise))
register_impls(ZTileFunctions)
