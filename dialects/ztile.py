"""The `ztile` dialect: block programs on static tiles over a grid of program instances.

A tile program is a `ztile.grid` op inside a function. Its body runs once per program
instance of a static grid; instances are independent and may run in parallel. Values of type
`!ztile.tile<32x16xf32>` (static shape, rank 1 to 3, f16, bf16, f32 or f64; i1 for booleans)
are tiles: small blocks of data that live in registers or stack buffers. The body reads tiles from the
memrefs of the enclosing function with `ztile.load` (at index offsets computed from
`ztile.program_id`, edge-masked: elements outside the memref read the `padding` value, false
for i1 tiles), computes on them (elementwise math, `ztile.cast` between float types, `ztile.dot`,
`ztile.reduce`, `ztile.broadcast`, `ztile.splat`, `ztile.transpose`) and writes them back with `ztile.store`
(only in-bounds elements are written). Loops inside a program (e.g. over K in a tiled matmul, carrying the accumulator
tile) use `scf.for` with iter_args; index math uses `arith` on `index`.

f16 and bf16 tiles compute as the op table says (`ziggurat.dialects.optable`): every
elementwise op extends its operands to f32 and rounds its result once to the tile's type
(numpy's result on float16 and ml_dtypes.bfloat16 arrays for the exact ops); `ztile.reduce`
accumulates in f32 and rounds once; `ztile.dot` of f16 or bf16 tiles accumulates in f32 and
rounds once when the accumulator is narrow, or keeps an f32 accumulator (the tensor-core form
`f32 += f16 x f16`).

Example (C = relu(A @ B + bias) for A: 33x17, B: 17x20, 16x16 output tiles):
```
func.func @mm(%a: memref<33x17xf32>, %b: memref<17x20xf32>, %bias: memref<1x20xf32>,
              %c: memref<33x20xf32>) {
  ztile.grid [3, 2] {
    %pi = ztile.program_id 0 : index
    %pj = ztile.program_id 1 : index
    %c16 = arith.constant 16 : index
    %i = arith.muli %pi, %c16 : index
    %j = arith.muli %pj, %c16 : index
    %c0 = arith.constant 0 : index
    %c17 = arith.constant 17 : index
    %zero = arith.constant 0.0 : f32
    %init = ztile.splat %zero : f32 -> !ztile.tile<16x16xf32>
    %acc = scf.for %k = %c0 to %c17 step %c16 iter_args(%t = %init) -> (!ztile.tile<16x16xf32>) {
      %ta = ztile.load %a[%i, %k] {padding = 0.0 : f32} : memref<33x17xf32> -> !ztile.tile<16x16xf32>
      %tb = ztile.load %b[%k, %j] {padding = 0.0 : f32} : memref<17x20xf32> -> !ztile.tile<16x16xf32>
      %n = ztile.dot %ta, %tb, %t : !ztile.tile<16x16xf32>, !ztile.tile<16x16xf32>, !ztile.tile<16x16xf32> -> !ztile.tile<16x16xf32>
      scf.yield %n : !ztile.tile<16x16xf32>
    }
    %tbias = ztile.load %bias[%c0, %j] : memref<1x20xf32> -> !ztile.tile<1x16xf32>
    %bb = ztile.broadcast %tbias : !ztile.tile<1x16xf32> -> !ztile.tile<16x16xf32>
    %s = ztile.add %acc, %bb : !ztile.tile<16x16xf32>
    %r = ztile.relu %s : !ztile.tile<16x16xf32>
    ztile.store %r, %c[%i, %j] : !ztile.tile<16x16xf32>, memref<33x20xf32>
    ztile.yield
  }
  func.return
}
```

## How ztile lowers to the CPU (`ztile-to-zloop{vector-width=16}`)

- Each `ztile.grid [G0, ...]` becomes a `zloop.parallel` over the grid; `ztile.program_id k`
  becomes the k-th induction variable.
- Each tile value gets a stack buffer (`memref.alloca`, allocated once at the top of the
  parallel body) whose last dimension is padded up to a multiple of the vector width W, so
  every row is processed as whole `vector<Wxf32>` values; tiles whose last dimension is 1
  (reduction results) are processed with scalar loops. Two exceptions: a loaded tile that
  lies wholly in bounds in every program, with rows of whole vectors, read only by
  elementwise ops and reductions and by no store before them, is read in place from its
  memref; an elementwise chain that only a `ztile.reduce` reads is computed inside the
  reduction loop; a chain result whose one use is a store of such a tile, into a memref the
  grid neither loads nor stores elsewhere, is written there in place.
- `ztile.load`/`ztile.store` test at run time whether the whole tile is in bounds. Full
  tiles take a fast path of plain `vector.load`/`vector.store` (a constant-mask
  `vector.maskedload`/`maskedstore` for a last-dimension tail that is not a multiple of W);
  edge tiles skip out-of-bounds rows and use `vector.create_mask` with the number of
  in-bounds columns, filling the rest with the padding value.
- Chains of elementwise ops on equal-shaped tiles (including `broadcast`, `splat` and
  `cast`, which becomes `arith.extf`/`truncf` on vectors) are fused into one loop nest
  over vectors; only values used outside the chain are stored. `sigmoid`, `gelu` (tanh approximation), `relu`, `rsqrt`, `abs`, `neg` are
  expanded into the `arith`/`math` ops the LLVM conversion accepts.
- `ztile.reduce` over the last axis accumulates whole vectors, finishes with
  `vector.reduction <add|maximumf>`, and adds the tail columns with scalar ops; over another
  axis it combines whole rows of vectors.
- `ztile.dot` becomes a register-blocked multiply-accumulate: for each block of up to 6 rows
  by 4 vectors (2 when W < 16) of the accumulator, kept as `zloop.for` iter_args across the
  K loop, an element of A is broadcast and multiplied into a vector of B with `vector.fma`.
  The accumulator tile of an `scf.for` K loop is updated in place.
- f16 and bf16 tiles: every op other than load, store and cast is first rewritten to its f32
  form between casts (`ztile_widen`): elementwise ops as `cast` to f32, the op, `cast` back
  (one rounding per op, as the semantics say), `reduce` and `dot` on f32 tiles extended
  from the narrow ones. Loads and stores move the narrow elements; casts become
  `arith.extf`/`truncf`.
- Constant offsets pick the fast or edge path at compile time. Stack buffers are allocated
  once at the top of the parallel body (`convert-to-llvm` places them in the outlined
  function's entry block).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar, cast

from xdsl.dialects.builtin import (
    ArrayAttr,
    BFloat16Type,
    DenseArrayBase,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntAttr,
    IntegerAttr,
    IntegerType,
    MemRefType,
    StringAttr,
    i1,
    i64,
)
from xdsl.ir import (
    Attribute,
    Block,
    Dialect,
    Operation,
    ParametrizedAttribute,
    Region,
    SSAValue,
    TypeAttribute,
)
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    VarConstraint,
    attr_def,
    irdl_attr_definition,
    irdl_op_definition,
    lazy_traits_def,
    operand_def,
    opt_attr_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.parser import AttrParser, Parser
from xdsl.printer import Printer
from xdsl.traits import (
    HasParent,
    IsTerminator,
    MemoryReadEffect,
    MemoryWriteEffect,
    Pure,
    RecursiveMemoryEffect,
    SingleBlockImplicitTerminator,
)
from xdsl.utils.exceptions import VerifyException

from ziggurat.dialects.optable import TILE_REDUCTION, unknown_predicate

FLOAT_TYPES: tuple[type[Attribute], ...] = (Float16Type, BFloat16Type, Float32Type, Float64Type)
NARROW_FLOAT_TYPES: tuple[type[Attribute], ...] = (Float16Type, BFloat16Type)
"""The 16-bit float element types: computed in f32 and rounded per op (module docstring)."""
BOOL = i1
"""The element type of boolean tiles (comparison results, select conditions)."""


# ---------------------------------------------------------------------------------------------
# The tile type
# ---------------------------------------------------------------------------------------------


@irdl_attr_definition
class TileType(ParametrizedAttribute, TypeAttribute):
    """A static-shaped block of f16, bf16, f32, f64 or i1 values, rank 1 to 3:
    `!ztile.tile<32x16xf32>`."""

    name = "ztile.tile"

    shape: ArrayAttr[IntAttr]
    element_type: Attribute

    def __init__(self, shape: Iterable[int], element_type: Attribute) -> None:
        super().__init__(ArrayAttr([IntAttr(d) for d in shape]), element_type)

    def get_shape(self) -> tuple[int, ...]:
        return tuple(d.data for d in self.shape.data)

    def get_num_dims(self) -> int:
        return len(self.shape.data)

    def get_element_type(self) -> Attribute:
        return self.element_type

    def element_count(self) -> int:
        count = 1
        for d in self.get_shape():
            count *= d
        return count

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        with parser.in_angle_brackets():
            dims, element_type = parser.parse_ranked_shape()
        return [ArrayAttr([IntAttr(d) for d in dims]), element_type]

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string("".join(f"{d}x" for d in self.get_shape()))
            printer.print_attribute(self.element_type)

    def verify(self) -> None:
        shape = self.get_shape()
        if not 1 <= len(shape) <= 3:
            raise VerifyException(f"'ztile.tile' type expects rank 1 to 3, got {len(shape)}")
        if any(d <= 0 for d in shape):
            raise VerifyException(
                f"'ztile.tile' type expects positive static dimensions, got {list(shape)}"
            )
        if not isinstance(self.element_type, FLOAT_TYPES) and self.element_type != BOOL:
            raise VerifyException(
                "'ztile.tile' type expects an f16, bf16, f32, f64 or i1 element type, got "
                f"{self.element_type}"
            )


def _tile(op_name: str, what: str, value: SSAValue) -> TileType:
    ty = value.type
    if not isinstance(ty, TileType):
        raise VerifyException(f"'{op_name}' op expects {what} to be a !ztile.tile, got {ty}")
    return ty


def _float_tile(op_name: str, what: str, value: SSAValue) -> TileType:
    ty = _tile(op_name, what, value)
    if not isinstance(ty.element_type, FLOAT_TYPES):
        raise VerifyException(
            f"'{op_name}' op expects {what} to be a tile of f16, bf16, f32 or f64, got {ty}"
        )
    return ty


def _shape_str(shape: Sequence[int]) -> str:
    return "x".join(map(str, shape))


# ---------------------------------------------------------------------------------------------
# Program structure
# ---------------------------------------------------------------------------------------------


@irdl_op_definition
class YieldOp(IRDLOperation):
    """Terminates the body of a `ztile.grid`.

    Example: `ztile.yield`
    """

    name = "ztile.yield"
    traits = lazy_traits_def(lambda: (IsTerminator(), HasParent(GridOp), Pure()))

    assembly_format = "attr-dict"

    def __init__(self) -> None:
        super().__init__()


@irdl_op_definition
class GridOp(IRDLOperation):
    """Runs its body once per program instance of a static grid.

    `grid` gives the number of instances along each axis (1 to 3 axes, each >= 1). Instances
    are independent (they must write disjoint memory) and may run in parallel, in any order.
    The body captures memrefs and scalars from the enclosing function, reads its coordinates
    with `ztile.program_id`, and ends with `ztile.yield`. The op has no results.

    Example:
    ```
    ztile.grid [4, 2] {
      %i = ztile.program_id 0 : index
      %t = ztile.load %x[%i, %c0] : memref<4x16xf32> -> !ztile.tile<1x16xf32>
      ztile.store %t, %y[%i, %c0] : !ztile.tile<1x16xf32>, memref<4x16xf32>
      ztile.yield
    }
    ```
    """

    name = "ztile.grid"

    grid = prop_def(DenseArrayBase)
    body = region_def("single_block")
    traits = lazy_traits_def(
        lambda: (RecursiveMemoryEffect(), SingleBlockImplicitTerminator(YieldOp))
    )

    def __init__(self, grid: Sequence[int], body: Region | Block | None = None) -> None:
        if body is None:
            body = Block()
        if isinstance(body, Block):
            body = Region(body)
        super().__init__(
            properties={"grid": DenseArrayBase.from_list(i64, list(grid))}, regions=[body]
        )

    @property
    def grid_shape(self) -> tuple[int, ...]:
        return tuple(int(v) for v in cast(DenseArrayBase[IntegerType], self.grid).get_values())

    def verify_(self) -> None:
        if self.grid.elt_type != i64:
            raise VerifyException(f"'{self.name}' op expects grid to be an array<i64: ...>")
        shape = self.grid_shape
        if not 1 <= len(shape) <= 3:
            raise VerifyException(f"'{self.name}' op expects 1 to 3 grid axes, got {len(shape)}")
        if any(g < 1 for g in shape):
            raise VerifyException(
                f"'{self.name}' op expects every grid size to be >= 1, got {list(shape)}"
            )
        if self.body.block.args:
            raise VerifyException(f"'{self.name}' op expects a body without block arguments")

    @classmethod
    def parse(cls, parser: Parser) -> GridOp:
        grid = parser.parse_comma_separated_list(
            Parser.Delimiter.SQUARE, lambda: parser.parse_integer(allow_boolean=False)
        )
        attrs = parser.parse_optional_attr_dict_with_keyword()
        region = parser.parse_region()
        if not region.blocks:
            region.add_block(Block())
        if not isinstance(region.block.last_op, YieldOp):
            region.block.add_op(YieldOp())
        op = GridOp(grid, region)
        if attrs is not None:
            op.attributes |= attrs.data
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" [" + ", ".join(str(g) for g in self.grid_shape) + "]")
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False)


@irdl_op_definition
class ProgramIdOp(IRDLOperation):
    """This program instance's coordinate along one axis of the enclosing `ztile.grid`.

    Example: `%p = ztile.program_id 0 : index`
    """

    name = "ztile.program_id"

    axis = prop_def(IntegerAttr[IntegerType])
    result = result_def(IndexType)
    traits = traits_def(Pure())

    def __init__(self, axis: int) -> None:
        super().__init__(properties={"axis": IntegerAttr(axis, i64)}, result_types=[IndexType()])

    @property
    def axis_value(self) -> int:
        return int(self.axis.value.data)

    def verify_(self) -> None:
        grid = self.parent_op()
        while grid is not None and not isinstance(grid, GridOp):
            grid = grid.parent_op()
        if grid is None:
            raise VerifyException(f"'{self.name}' op expects to be inside a 'ztile.grid'")
        rank = len(grid.grid_shape)
        if not 0 <= self.axis_value < rank:
            raise VerifyException(
                f"'{self.name}' op axis {self.axis_value} is out of range for a grid of rank {rank}"
            )

    @classmethod
    def parse(cls, parser: Parser) -> ProgramIdOp:
        axis = parser.parse_integer(allow_boolean=False)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        parser.parse_type()
        op = ProgramIdOp(axis)
        op.attributes |= attrs
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.axis_value}")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : index")


# ---------------------------------------------------------------------------------------------
# Memory access
# ---------------------------------------------------------------------------------------------


def _check_access(
    op_name: str, memref: SSAValue, indices: Sequence[SSAValue], tile: TileType
) -> MemRefType[Attribute]:
    mt = memref.type
    if not isinstance(mt, MemRefType):
        raise VerifyException(f"'{op_name}' op expects a memref operand, got {mt}")
    mt = cast(MemRefType[Attribute], mt)
    if any(d < 0 for d in mt.get_shape()):
        raise VerifyException(f"'{op_name}' op expects a statically shaped memref, got {mt}")
    if mt.get_num_dims() != tile.get_num_dims():
        raise VerifyException(
            f"'{op_name}' op expects the tile rank ({tile.get_num_dims()}) to equal the memref "
            f"rank ({mt.get_num_dims()})"
        )
    if len(indices) != mt.get_num_dims():
        raise VerifyException(
            f"'{op_name}' op expects {mt.get_num_dims()} indices for {mt}, got {len(indices)}"
        )
    if mt.element_type != tile.element_type:
        raise VerifyException(
            f"'{op_name}' op expects the tile element type {tile.element_type} to equal the "
            f"memref element type {mt.element_type}"
        )
    return mt


@irdl_op_definition
class LoadOp(IRDLOperation):
    """Reads the tile whose first element is at the given offsets of a memref, edge-masked.

    One `index` offset per memref dimension (tile rank == memref rank). Tile elements that
    fall outside the memref read `padding` (default 0.0; an i1 tile takes none and reads
    false).

    Example:
    `%t = ztile.load %m[%i, %j] {padding = 0.0 : f32} : memref<128x64xf32> -> !ztile.tile<32x16xf32>`
    """

    name = "ztile.load"

    memref = operand_def(MemRefType)
    indices = var_operand_def(IndexType)
    padding = opt_attr_def(FloatAttr)
    result = result_def(TileType)
    traits = traits_def(MemoryReadEffect())

    assembly_format = "$memref `[` $indices `]` attr-dict `:` type($memref) `->` type($result)"

    def __init__(
        self,
        memref: SSAValue | Operation,
        indices: Sequence[SSAValue | Operation],
        result_type: TileType,
        padding: float | None = None,
    ) -> None:
        attrs: dict[str, Attribute] = {}
        if padding is not None and result_type.element_type != BOOL:  # i1 tiles pad with false
            attrs["padding"] = FloatAttr(padding, cast(Float32Type, result_type.element_type))
        super().__init__(operands=[memref, indices], result_types=[result_type], attributes=attrs)

    @property
    def padding_value(self) -> float:
        return 0.0 if self.padding is None else float(self.padding.value.data)

    def verify_(self) -> None:
        tile = _tile(self.name, "the result", self.result)
        _check_access(self.name, self.memref, self.indices, tile)
        if self.padding is not None and self.padding.type != tile.element_type:
            raise VerifyException(
                f"'{self.name}' op expects padding of type {tile.element_type}, "
                f"got {self.padding.type}"
            )


@irdl_op_definition
class StoreOp(IRDLOperation):
    """Writes a tile into a memref at the given offsets; only in-bounds elements are written.

    Example: `ztile.store %t, %m[%i, %j] : !ztile.tile<32x16xf32>, memref<128x64xf32>`
    """

    name = "ztile.store"

    value = operand_def(TileType)
    memref = operand_def(MemRefType)
    indices = var_operand_def(IndexType)
    traits = traits_def(MemoryWriteEffect())

    assembly_format = (
        "$value `,` $memref `[` $indices `]` attr-dict `:` type($value) `,` type($memref)"
    )

    def __init__(
        self,
        value: SSAValue | Operation,
        memref: SSAValue | Operation,
        indices: Sequence[SSAValue | Operation],
    ) -> None:
        super().__init__(operands=[value, memref, indices])

    def verify_(self) -> None:
        tile = _tile(self.name, "the stored value", self.value)
        _check_access(self.name, self.memref, self.indices, tile)


# ---------------------------------------------------------------------------------------------
# Elementwise ops
# ---------------------------------------------------------------------------------------------


class BinaryOp(IRDLOperation):
    """Base of elementwise binary ops on two tiles of the same type."""

    T: ClassVar = VarConstraint("T", AnyAttr())
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())

    assembly_format = "$lhs `,` $rhs attr-dict `:` type($result)"

    def __init__(self, lhs: SSAValue | Operation, rhs: SSAValue | Operation) -> None:
        super().__init__(operands=[lhs, rhs], result_types=[SSAValue.get(lhs).type])

    def verify_(self) -> None:
        _float_tile(self.name, "operands", self.lhs)


@irdl_op_definition
class AddOp(BinaryOp):
    """Elementwise addition of two tiles.

    Example: `%r = ztile.add %a, %b : !ztile.tile<16x16xf32>`
    """

    name = "ztile.add"


@irdl_op_definition
class SubOp(BinaryOp):
    """Elementwise subtraction of two tiles.

    Example: `%r = ztile.sub %a, %b : !ztile.tile<16x16xf32>`
    """

    name = "ztile.sub"


@irdl_op_definition
class MulOp(BinaryOp):
    """Elementwise multiplication of two tiles.

    Example: `%r = ztile.mul %a, %b : !ztile.tile<16x16xf32>`
    """

    name = "ztile.mul"


@irdl_op_definition
class DivOp(BinaryOp):
    """Elementwise true division of two tiles.

    Example: `%r = ztile.div %a, %b : !ztile.tile<16x16xf32>`
    """

    name = "ztile.div"


@irdl_op_definition
class MaximumOp(BinaryOp):
    """Elementwise IEEE 754-2019 maximum (NaN propagates, -0.0 < +0.0).

    Example: `%r = ztile.maximum %a, %b : !ztile.tile<16x16xf32>`
    """

    name = "ztile.maximum"


@irdl_op_definition
class MinimumOp(BinaryOp):
    """Elementwise IEEE 754-2019 minimum (NaN propagates, -0.0 < +0.0).

    Example: `%r = ztile.minimum %a, %b : !ztile.tile<16x16xf32>`
    """

    name = "ztile.minimum"


@irdl_op_definition
class PowOp(BinaryOp):
    """Elementwise power `lhs ** rhs`.

    Example: `%r = ztile.pow %a, %b : !ztile.tile<16x16xf32>`
    """

    name = "ztile.pow"


class UnaryOp(IRDLOperation):
    """Base of elementwise unary ops: the result has the operand's type."""

    T: ClassVar = VarConstraint("T", AnyAttr())
    input = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())

    assembly_format = "$input attr-dict `:` type($input)"

    def __init__(self, input: SSAValue | Operation) -> None:
        super().__init__(operands=[input], result_types=[SSAValue.get(input).type])

    def verify_(self) -> None:
        _float_tile(self.name, "the operand", self.input)


@irdl_op_definition
class NegOp(UnaryOp):
    """Elementwise negation. Example: `%r = ztile.neg %x : !ztile.tile<16x16xf32>`"""

    name = "ztile.neg"


@irdl_op_definition
class ExpOp(UnaryOp):
    """Elementwise e**x. Example: `%r = ztile.exp %x : !ztile.tile<16x16xf32>`"""

    name = "ztile.exp"


@irdl_op_definition
class LogOp(UnaryOp):
    """Elementwise natural logarithm. Example: `%r = ztile.log %x : !ztile.tile<16x16xf32>`"""

    name = "ztile.log"


@irdl_op_definition
class TanhOp(UnaryOp):
    """Elementwise hyperbolic tangent. Example: `%r = ztile.tanh %x : !ztile.tile<16x16xf32>`"""

    name = "ztile.tanh"


@irdl_op_definition
class SigmoidOp(UnaryOp):
    """Elementwise logistic sigmoid 1/(1+e**-x).

    Example: `%r = ztile.sigmoid %x : !ztile.tile<16x16xf32>`
    """

    name = "ztile.sigmoid"


@irdl_op_definition
class ReluOp(UnaryOp):
    """Elementwise maximum(x, +0.0). Example: `%r = ztile.relu %x : !ztile.tile<16x16xf32>`"""

    name = "ztile.relu"


@irdl_op_definition
class GeluOp(UnaryOp):
    """Elementwise GELU, tanh approximation: 0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3))).

    Example: `%r = ztile.gelu %x : !ztile.tile<16x16xf32>`
    """

    name = "ztile.gelu"


@irdl_op_definition
class SqrtOp(UnaryOp):
    """Elementwise square root. Example: `%r = ztile.sqrt %x : !ztile.tile<16x16xf32>`"""

    name = "ztile.sqrt"


@irdl_op_definition
class RsqrtOp(UnaryOp):
    """Elementwise reciprocal square root 1/sqrt(x).

    Example: `%r = ztile.rsqrt %x : !ztile.tile<16x16xf32>`
    """

    name = "ztile.rsqrt"


@irdl_op_definition
class AbsOp(UnaryOp):
    """Elementwise absolute value. Example: `%r = ztile.abs %x : !ztile.tile<16x16xf32>`"""

    name = "ztile.abs"


@irdl_op_definition
class ErfOp(UnaryOp):
    """Elementwise error function erf(x). Example: `%r = ztile.erf %x : !ztile.tile<16x16xf32>`"""

    name = "ztile.erf"


@irdl_op_definition
class FloorOp(UnaryOp):
    """Elementwise rounding down to an integral value.

    Example: `%r = ztile.floor %x : !ztile.tile<16x16xf32>`
    """

    name = "ztile.floor"


@irdl_op_definition
class CeilOp(UnaryOp):
    """Elementwise rounding up to an integral value.

    Example: `%r = ztile.ceil %x : !ztile.tile<16x16xf32>`
    """

    name = "ztile.ceil"


@irdl_op_definition
class CmpOp(IRDLOperation):
    """Elementwise comparison of two float tiles of one type into a boolean (i1) tile, with
    the predicates of `ztensor.cmp`.

    Example: `%m = ztile.cmp "olt" %a, %b : !ztile.tile<16x16xf32> -> !ztile.tile<16x16xi1>`
    """

    name = "ztile.cmp"

    T: ClassVar = VarConstraint("T", AnyAttr())
    predicate = prop_def(StringAttr)
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(TileType)
    traits = traits_def(Pure())

    assembly_format = "$predicate $lhs `,` $rhs attr-dict `:` type($lhs) `->` type($result)"

    def __init__(self, predicate: str, lhs: SSAValue | Operation, rhs: SSAValue | Operation):
        ty = SSAValue.get(lhs).type
        assert isinstance(ty, TileType)
        super().__init__(
            operands=[lhs, rhs],
            result_types=[TileType(ty.get_shape(), BOOL)],
            properties={"predicate": StringAttr(predicate)},
        )

    def verify_(self) -> None:
        message = unknown_predicate(self.name, "cmp", self.predicate.data)
        if message is not None:
            raise VerifyException(message)
        ty = _float_tile(self.name, "operands", self.lhs)
        expected = TileType(ty.get_shape(), BOOL)
        if self.result.type != expected:
            raise VerifyException(
                f"'{self.name}' op expects result type {expected}, got {self.result.type}"
            )


@irdl_op_definition
class SelectOp(IRDLOperation):
    """Elementwise choice between two float tiles of one type: `lhs` where the boolean (i1)
    tile `cond` of their shape is true, `rhs` elsewhere.

    Example: `%r = ztile.select %m, %a, %b : !ztile.tile<16x16xi1>, !ztile.tile<16x16xf32>`
    """

    name = "ztile.select"

    T: ClassVar = VarConstraint("T", AnyAttr())
    cond = operand_def(TileType)
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())

    assembly_format = "$cond `,` $lhs `,` $rhs attr-dict `:` type($cond) `,` type($result)"

    def __init__(
        self, cond: SSAValue | Operation, lhs: SSAValue | Operation, rhs: SSAValue | Operation
    ) -> None:
        super().__init__(operands=[cond, lhs, rhs], result_types=[SSAValue.get(lhs).type])

    def verify_(self) -> None:
        ty = _float_tile(self.name, "the choices", self.lhs)
        expected = TileType(ty.get_shape(), BOOL)
        if self.cond.type != expected:
            raise VerifyException(
                f"'{self.name}' op expects a condition of type {expected}, got {self.cond.type}"
            )


# ---------------------------------------------------------------------------------------------
# Contraction, reduction, data movement
# ---------------------------------------------------------------------------------------------


@irdl_op_definition
class DotOp(IRDLOperation):
    """Tile multiply-accumulate: `acc + lhs @ rhs` for 2-D tiles.

    `lhs` and `rhs` have one element type, and `acc` (and the result) has that type too, or
    f32 when it is f16 or bf16 (the tensor-core form). On f16/bf16 operands the products are
    summed in f32, with `acc` extended to f32, and the result is rounded once to `acc`'s type.

    Example:
    ```
    %c = ztile.dot %a, %b, %acc : !ztile.tile<32x8xf32>, !ztile.tile<8x16xf32>, !ztile.tile<32x16xf32> -> !ztile.tile<32x16xf32>
    ```
    """

    name = "ztile.dot"

    lhs = operand_def(TileType)
    rhs = operand_def(TileType)
    acc = operand_def(TileType)
    result = result_def(TileType)
    traits = traits_def(Pure())

    assembly_format = (
        "$lhs `,` $rhs `,` $acc attr-dict `:` type($lhs) `,` type($rhs) `,` type($acc) "
        "`->` type($result)"
    )

    def __init__(
        self,
        lhs: SSAValue | Operation,
        rhs: SSAValue | Operation,
        acc: SSAValue | Operation,
    ) -> None:
        super().__init__(operands=[lhs, rhs, acc], result_types=[SSAValue.get(acc).type])

    def verify_(self) -> None:
        a = _float_tile(self.name, "lhs", self.lhs)
        b = _float_tile(self.name, "rhs", self.rhs)
        c = _float_tile(self.name, "acc", self.acc)
        r = _tile(self.name, "the result", self.result)
        if not a.get_num_dims() == b.get_num_dims() == c.get_num_dims() == 2:
            raise VerifyException(
                f"'{self.name}' op expects 2-D tiles, got ranks {a.get_num_dims()}, "
                f"{b.get_num_dims()} and {c.get_num_dims()}"
            )
        f32_acc = isinstance(a.element_type, NARROW_FLOAT_TYPES) and isinstance(
            c.element_type, Float32Type
        )
        if a.element_type != b.element_type or (a.element_type != c.element_type and not f32_acc):
            raise VerifyException(
                f"'{self.name}' op expects equal element types (or an f32 accumulator for f16 "
                f"or bf16 operands), got {a.element_type}, {b.element_type} and "
                f"{c.element_type}"
            )
        (m, k), (k2, n), (cm, cn) = a.get_shape(), b.get_shape(), c.get_shape()
        if k != k2:
            raise VerifyException(
                f"'{self.name}' op expects lhs columns ({k}) to equal rhs rows ({k2})"
            )
        if (cm, cn) != (m, n):
            raise VerifyException(
                f"'{self.name}' op expects an accumulator of shape {m}x{n}, got {cm}x{cn}"
            )
        if r != c:
            raise VerifyException(
                f"'{self.name}' op expects the result type {r} to equal the accumulator type {c}"
            )


@irdl_op_definition
class ReduceOp(IRDLOperation):
    """Reduces a tile along one axis with "sum" or "max"; the reduced dim is kept with size 1.

    On f16/bf16 tiles the reduction accumulates in f32 and rounds the result once.

    Example: `%r = ztile.reduce "max" %t {axis = 1 : i64} : !ztile.tile<8x32xf32> -> !ztile.tile<8x1xf32>`
    """

    name = "ztile.reduce"
    KINDS: ClassVar[tuple[str, ...]] = tuple(TILE_REDUCTION)

    kind = attr_def(StringAttr)
    input = operand_def(TileType)
    axis = attr_def(IntegerAttr[IntegerType])
    result = result_def(TileType)
    traits = traits_def(Pure())

    assembly_format = "$kind $input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, kind: str, input: SSAValue | Operation, axis: int) -> None:
        ty = SSAValue.get(input).type
        assert isinstance(ty, TileType)
        shape = list(ty.get_shape())
        shape[axis % len(shape)] = 1
        super().__init__(
            operands=[input],
            result_types=[TileType(shape, ty.element_type)],
            attributes={"kind": StringAttr(kind), "axis": IntegerAttr(axis, i64)},
        )

    @property
    def kind_name(self) -> str:
        return self.kind.data

    @property
    def axis_value(self) -> int:
        """The reduced axis in [0, rank)."""
        ty = cast(TileType, self.input.type)
        return int(self.axis.value.data) % ty.get_num_dims()

    def verify_(self) -> None:
        if self.kind.data not in self.KINDS:
            raise VerifyException(
                f"'{self.name}' op expects kind "
                + " or ".join(f'"{k}"' for k in self.KINDS)
                + f', got "{self.kind.data}"'
            )
        ty = _float_tile(self.name, "the operand", self.input)
        rt = _tile(self.name, "the result", self.result)
        rank = ty.get_num_dims()
        axis = int(self.axis.value.data)
        if not -rank <= axis < rank:
            raise VerifyException(
                f"'{self.name}' op axis {axis} is out of range for a tile of rank {rank}"
            )
        shape = list(ty.get_shape())
        shape[axis % rank] = 1
        expected = TileType(shape, ty.element_type)
        if rt != expected:
            raise VerifyException(f"'{self.name}' op expects result type {expected}, got {rt}")


@irdl_op_definition
class BroadcastOp(IRDLOperation):
    """Expands size-1 dims of a tile to the result's shape (same rank, numpy broadcasting).

    Example: `%b = ztile.broadcast %t : !ztile.tile<8x1xf32> -> !ztile.tile<8x32xf32>`
    """

    name = "ztile.broadcast"

    input = operand_def(TileType)
    result = result_def(TileType)
    traits = traits_def(Pure())

    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue | Operation, result_type: TileType) -> None:
        super().__init__(operands=[input], result_types=[result_type])

    def verify_(self) -> None:
        it = _tile(self.name, "the operand", self.input)
        rt = _tile(self.name, "the result", self.result)
        if it.element_type != rt.element_type:
            raise VerifyException(
                f"'{self.name}' op expects equal element types, got {it.element_type} and "
                f"{rt.element_type}"
            )
        src, dst = it.get_shape(), rt.get_shape()
        if len(src) != len(dst) or any(s not in (1, d) for s, d in zip(src, dst, strict=True)):
            raise VerifyException(
                f"'{self.name}' op cannot broadcast a {_shape_str(src)} tile to {_shape_str(dst)}"
            )


@irdl_op_definition
class CastOp(IRDLOperation):
    """Converts the elements of a float tile to another float type (any two of f16, bf16,
    f32, f64), keeping the shape: exact when widening, rounded once to nearest even when
    narrowing (f64 -> f16 rounds from the f64 value; f16 <-> bf16 is exact through f32, then
    rounded), as numpy's `astype` and `ztensor.cast`.

    Example: `%w = ztile.cast %t : !ztile.tile<8x32xf32> -> !ztile.tile<8x32xf64>`
    """

    name = "ztile.cast"

    input = operand_def(TileType)
    result = result_def(TileType)
    traits = traits_def(Pure())

    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue | Operation, element_type: Attribute) -> None:
        ty = SSAValue.get(input).type
        assert isinstance(ty, TileType)
        super().__init__(operands=[input], result_types=[TileType(ty.get_shape(), element_type)])

    def verify_(self) -> None:
        it = _float_tile(self.name, "the operand", self.input)
        rt = _float_tile(self.name, "the result", self.result)
        if tuple(it.get_shape()) != tuple(rt.get_shape()):
            raise VerifyException(
                f"'{self.name}' op cannot change the shape: {_shape_str(it.get_shape())} -> "
                f"{_shape_str(rt.get_shape())}"
            )


@irdl_op_definition
class SplatOp(IRDLOperation):
    """A tile with every element equal to a scalar.

    Example: `%s = ztile.splat %x : f32 -> !ztile.tile<16x16xf32>`
    """

    name = "ztile.splat"

    value = operand_def(AnyAttr())
    result = result_def(TileType)
    traits = traits_def(Pure())

    assembly_format = "$value attr-dict `:` type($value) `->` type($result)"

    def __init__(self, value: SSAValue | Operation, result_type: TileType) -> None:
        super().__init__(operands=[value], result_types=[result_type])

    def verify_(self) -> None:
        rt = _tile(self.name, "the result", self.result)
        if self.value.type != rt.element_type:
            raise VerifyException(
                f"'{self.name}' op expects a scalar of the tile's element type "
                f"{rt.element_type}, got {self.value.type}"
            )


@irdl_op_definition
class TransposeOp(IRDLOperation):
    """Permutes the dims of a tile: result dim i is operand dim permutation[i].

    Example:
    `%t2 = ztile.transpose %t {permutation = array<i64: 1, 0>} : !ztile.tile<8x16xf32> -> !ztile.tile<16x8xf32>`
    """

    name = "ztile.transpose"

    input = operand_def(TileType)
    permutation = attr_def(DenseArrayBase)
    result = result_def(TileType)
    traits = traits_def(Pure())

    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue | Operation, permutation: Sequence[int]) -> None:
        ty = SSAValue.get(input).type
        assert isinstance(ty, TileType)
        shape = ty.get_shape()
        super().__init__(
            operands=[input],
            result_types=[TileType([shape[p] for p in permutation], ty.element_type)],
            attributes={"permutation": DenseArrayBase.from_list(i64, list(permutation))},
        )

    @property
    def perm(self) -> tuple[int, ...]:
        return tuple(
            int(v) for v in cast(DenseArrayBase[IntegerType], self.permutation).get_values()
        )

    def verify_(self) -> None:
        it = _tile(self.name, "the operand", self.input)
        rt = _tile(self.name, "the result", self.result)
        if self.permutation.elt_type != i64:
            raise VerifyException(f"'{self.name}' op expects permutation to be an array<i64: ...>")
        perm = self.perm
        rank = it.get_num_dims()
        if sorted(perm) != list(range(rank)):
            raise VerifyException(
                f"'{self.name}' op permutation {list(perm)} is not a permutation of [0, {rank})"
            )
        shape = it.get_shape()
        expected = TileType([shape[p] for p in perm], it.element_type)
        if rt != expected:
            raise VerifyException(f"'{self.name}' op expects result type {expected}, got {rt}")


ELEMENTWISE_BINARY: tuple[type[BinaryOp], ...] = (
    AddOp,
    SubOp,
    MulOp,
    DivOp,
    MaximumOp,
    MinimumOp,
    PowOp,
)
ELEMENTWISE_UNARY: tuple[type[UnaryOp], ...] = (
    NegOp,
    ExpOp,
    LogOp,
    TanhOp,
    SigmoidOp,
    ReluOp,
    GeluOp,
    SqrtOp,
    RsqrtOp,
    AbsOp,
    ErfOp,
    FloorOp,
    CeilOp,
)

BINARY_OPS: dict[str, type[BinaryOp]] = {op.name.split(".")[1]: op for op in ELEMENTWISE_BINARY}
"""The op class of each binary row of the op table (`ziggurat.dialects.optable`)."""
UNARY_OPS: dict[str, type[UnaryOp]] = {op.name.split(".")[1]: op for op in ELEMENTWISE_UNARY}
"""The op class of each unary row of the op table."""
ELEMENTWISE_BOOLEAN: tuple[type[IRDLOperation], ...] = (CmpOp, SelectOp)
"""The elementwise ops with boolean operands or results (`optable.BOOLEAN`)."""
ELEMENTWISE_OPS: dict[str, type[IRDLOperation]] = {
    **BINARY_OPS,
    **UNARY_OPS,
    **{op.name.split(".")[1]: op for op in ELEMENTWISE_BOOLEAN},
}
"""The op class of each elementwise row of the op table."""

ZTile = Dialect(
    "ztile",
    [
        GridOp,
        YieldOp,
        ProgramIdOp,
        LoadOp,
        StoreOp,
        *ELEMENTWISE_BINARY,
        *ELEMENTWISE_UNARY,
        *ELEMENTWISE_BOOLEAN,
        DotOp,
        ReduceOp,
        BroadcastOp,
        CastOp,
        SplatOp,
        TransposeOp,
    ],
    [TileType],
)

__all__ = [
    "BINARY_OPS",
    "ELEMENTWISE_BINARY",
    "ELEMENTWISE_BOOLEAN",
    "ELEMENTWISE_OPS",
    "ELEMENTWISE_UNARY",
    "NARROW_FLOAT_TYPES",
    "UNARY_OPS",
    "AbsOp",
    "AddOp",
    "BinaryOp",
    "BroadcastOp",
    "CastOp",
    "CeilOp",
    "CmpOp",
    "DivOp",
    "DotOp",
    "ErfOp",
    "ExpOp",
    "FloorOp",
    "GeluOp",
    "GridOp",
    "LoadOp",
    "LogOp",
    "MaximumOp",
    "MinimumOp",
    "MulOp",
    "NegOp",
    "PowOp",
    "ProgramIdOp",
    "ReduceOp",
    "ReluOp",
    "RsqrtOp",
    "SelectOp",
    "SigmoidOp",
    "SplatOp",
    "SqrtOp",
    "StoreOp",
    "SubOp",
    "TanhOp",
    "TileType",
    "TransposeOp",
    "UnaryOp",
    "YieldOp",
    "ZTile",
]
