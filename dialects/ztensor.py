"""The `ztensor` dialect: tensor algebra with value semantics and numpy broadcasting.

Every op works on builtin ranked, static-shaped `tensor<...>` types whose element type is
f16, bf16, f32 or f64. Results carry their full static shape, and the verifiers check that it
is the one numpy would compute.

f16 and bf16 (numpy's float16 and ml_dtypes.bfloat16): each elementwise op extends its
operands to f32 and rounds its result once (which is numpy's own result on those dtypes for
the exact ops: `add`, `sub`, `mul`, `div`, `maximum`, `minimum`, `neg`, `relu`, `sqrt`, `abs`,
`floor`, `ceil`); the transcendentals and compositions (`exp`, `log`, `tanh`, `sigmoid`,
`gelu`, `rsqrt`, `erf`, `pow`) compute in f32 and round once; `reduce_sum/mean/max`, `matmul`,
`softmax` and `layernorm` accumulate and compute in f32 and round once at the end. The rules
are the op table's (dialects/optable.py).

Fused forms (what `eqsat` produces) are `ztensor.fused` ops: a region of ordinary ztensor ops
that the lowering turns into a single kernel.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import numpy as np
from xdsl.dialects.builtin import (
    BFloat16Type,
    BytesAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    PackableType,
    StringAttr,
    TensorType,
    UnrankedTensorType,
    VectorType,
    i1,
    i64,
)
from xdsl.ir import Attribute, Dialect, Operation, SSAValue
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    ParamAttrConstraint,
    VarConstraint,
    attr_def,
    irdl_op_definition,
    lazy_traits_def,
    operand_def,
    opt_attr_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import (
    ConstantLike,
    HasParent,
    IsTerminator,
    Pure,
    RecursiveMemoryEffect,
    SingleBlockImplicitTerminator,
)
from xdsl.utils.exceptions import ParseError, VerifyException

from ziggurat.dialects.optable import unknown_predicate

FLOAT_TYPES: tuple[type[Attribute], ...] = (Float16Type, BFloat16Type, Float32Type, Float64Type)


# ---------------------------------------------------------------------------------------------
# Shape helpers (shared with passes and the frontend)
# ---------------------------------------------------------------------------------------------


def broadcast_shapes(op_name: str, *shapes: Sequence[int]) -> tuple[int, ...]:
    """The numpy broadcast of `shapes`; raises VerifyException naming `op_name` if they clash."""
    rank = max((len(s) for s in shapes), default=0)
    result: list[int] = []
    for i in range(rank):
        dim = 1
        for s in shapes:
            j = i - (rank - len(s))
            if j < 0:
                continue
            d = s[j]
            if d == 1 or d == dim:
                continue
            if dim != 1:
                pretty = ", ".join("x".join(map(str, s)) or "scalar" for s in shapes)
                raise VerifyException(
                    f"'{op_name}' op operand shapes are not broadcast-compatible: {pretty}"
                )
            dim = d
        result.append(dim)
    return tuple(result)


def normalize_axis(op_name: str, axis: int, rank: int) -> int:
    """`axis` in [-rank, rank) as a non-negative index, or a VerifyException naming `op_name`."""
    if not -rank <= axis < rank:
        raise VerifyException(f"'{op_name}' op axis {axis} is out of range for rank {rank}")
    return axis % rank


def reduced_shape(shape: Sequence[int], axes: Sequence[int], keepdims: bool) -> tuple[int, ...]:
    """The shape left after reducing `axes` (already normalized) of `shape`."""
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def matmul_shape(op_name: str, lhs: Sequence[int], rhs: Sequence[int]) -> tuple[int, ...]:
    """The result shape of a (batched) matmul with numpy broadcasting of batch dims."""
    if len(lhs) < 2 or len(rhs) < 2:
        raise VerifyException(
            f"'{op_name}' op expects operands of rank >= 2, got ranks {len(lhs)} and {len(rhs)}"
        )
    if lhs[-1] != rhs[-2]:
        raise VerifyException(
            f"'{op_name}' op contraction dimensions differ: lhs has {lhs[-1]} columns "
            f"but rhs has {rhs[-2]} rows"
        )
    batch = broadcast_shapes(op_name, lhs[:-2], rhs[:-2])
    return (*batch, lhs[-2], rhs[-1])


# ---------------------------------------------------------------------------------------------
# Sizes and dense constants (splats are held once, never expanded)
# ---------------------------------------------------------------------------------------------

INDEX_MAX = 2**63 - 1
"""The largest `index` (i64) value: the bound on every dimension, element count and byte size."""

_INDEX_MAX_TEXT = f"at most 2^63-1 = {INDEX_MAX}"


def element_size(element_type: Attribute) -> int | None:
    """The bytes one element of `element_type` takes in a dense attribute, or None if xDSL
    cannot pack that type (f80, f128, wide integers, ...)."""
    if not isinstance(element_type, PackableType):
        return None
    try:
        return int(element_type.compile_time_size)
    except NotImplementedError:
        return None


def check_index_range(op_name: str, what: str, ty: TensorType[Attribute]) -> None:
    """Raise a VerifyException naming `op_name`, `what` and the dimension when a dimension,
    the element count or the byte size of `ty` does not fit the index type (i64)."""
    shape = ty.get_shape()
    for i, d in enumerate(shape):
        if d > INDEX_MAX:
            raise VerifyException(
                f"'{op_name}' op {what} dimension {i} is {d}, beyond the index range "
                f"({_INDEX_MAX_TEXT})"
            )
    count = math.prod(shape)
    if count > INDEX_MAX:
        dims = " x ".join(map(str, shape))
        raise VerifyException(
            f"'{op_name}' op {what} has {dims} = {count} elements, beyond the index range "
            f"({_INDEX_MAX_TEXT})"
        )
    size = element_size(ty.element_type)
    if size is not None and count * size > INDEX_MAX:
        raise VerifyException(
            f"'{op_name}' op {what} takes {count} x {size} = {count * size} bytes, beyond the "
            f"index range ({_INDEX_MAX_TEXT})"
        )


def splat_attr(tensor_type: TensorType[Attribute], value: float | int) -> DenseIntOrFPElementsAttr:
    """A splat dense attribute of `tensor_type` that stores `value` once (O(1) memory, whatever
    the shape); it prints as `dense<value>` and every ztensor consumer reads it as a splat.

    Use this instead of `DenseIntOrFPElementsAttr.from_list(ty, [value])`, which stores every
    element. A type with no elements stores none.
    """
    elt = tensor_type.element_type
    if not isinstance(elt, PackableType):
        raise TypeError(f"splat_attr: cannot pack elements of type {elt}")
    count = math.prod(tensor_type.get_shape())
    if isinstance(elt, IntegerType):
        value = elt.get_normalized_value(int(value))
    data = elt.pack([value]) if count else b""  # pyright: ignore[reportUnknownMemberType]
    return DenseIntOrFPElementsAttr(cast(Any, tensor_type), BytesAttr(data))


def stored_count(attr: DenseIntOrFPElementsAttr) -> int:
    """How many elements `attr` stores: the element count of its type, or 1 for a compact
    splat (see `splat_attr`)."""
    size = element_size(attr.get_element_type())
    return len(attr.data.data) // size if size else 0


def is_compact_splat(attr: DenseIntOrFPElementsAttr) -> bool:
    """`attr` stores one element for a type with a different element count (a compact splat)."""
    return stored_count(attr) == 1 and math.prod(attr.get_shape()) != 1


def _stored_splat_bytes(attr: DenseIntOrFPElementsAttr) -> bytes | None:
    """The bytes of the one element every element of `attr` equals, or None."""
    size = element_size(attr.get_element_type())
    raw = attr.data.data
    if not size or not raw or len(raw) % size:
        return None
    if len(raw) > size:
        word = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}.get(size)
        if word is not None:
            words = np.frombuffer(raw, dtype=word)
            if not bool((words == words[0]).all()):
                return None
        elif raw != raw[:size] * (len(raw) // size):
            return None
    return raw[:size]


def splat_scalar(attr: DenseIntOrFPElementsAttr) -> float | None:
    """The scalar of a splat dense attribute (every element equal, bit for bit: -0.0 and +0.0
    differ), or None for a non-splat or an empty one.

    O(1) for a compact splat (`splat_attr`, or the parsed `dense<x>` of `ztensor.constant`);
    an expanded one is compared as raw bytes, never unpacked into Python floats.
    """
    first = _stored_splat_bytes(attr)
    if first is None:
        return None
    elt = attr.get_element_type()
    assert isinstance(elt, PackableType)
    return float(elt.unpack(first, 1)[0])  # pyright: ignore[reportUnknownArgumentType]


def compact_splat(attr: DenseIntOrFPElementsAttr) -> DenseIntOrFPElementsAttr:
    """`attr` with a splat stored once (see `splat_attr`); other attributes unchanged (also
    those whose stored element count does not match their type: the verifier reports them)."""
    stored = stored_count(attr)
    if stored <= 1 or stored != math.prod(attr.get_shape()):
        return attr
    first = _stored_splat_bytes(attr)
    if first is None:
        return attr
    return DenseIntOrFPElementsAttr(attr.type, BytesAttr(first))


_HEX = re.compile(r"-?\s*0x", re.IGNORECASE)


@dataclass(frozen=True)
class _Element:
    """A parsed literal element: its value, how it was written, where."""

    value: int | float
    at: int
    is_hex: bool = False
    is_bool: bool = False


class _Unsupported(Exception):
    """A dense literal that `parse_dense_elements` leaves to xDSL's parser (complex)."""


def _parse_literal_element(parser: Parser) -> _Element:
    at = parser.pos
    is_hex = bool(_HEX.match(parser.lexer.input.content, at))
    if (value := parser.parse_optional_number()) is not None:
        return _Element(value, at, is_hex=is_hex)
    if (flag := parser.parse_optional_boolean()) is not None:
        return _Element(int(flag), at, is_bool=True)
    if parser.parse_optional_punctuation("(") is not None:
        raise _Unsupported
    parser.raise_error("expected a float, integer or boolean literal in dense literal", at)


def _parse_literal(parser: Parser) -> tuple[list[_Element], list[int]]:
    """A scalar (shape []) or a nested list of elements, flattened, with its shape."""
    at = parser.pos
    nested = parser.parse_optional_comma_separated_list(
        parser.Delimiter.SQUARE, lambda: _parse_literal(parser)
    )
    if nested is None:
        return [_parse_literal_element(parser)], []
    if not nested:
        return [], [0]
    inner = nested[0][1]
    if any(shape != inner for _, shape in nested):
        parser.raise_error("dense literal has inconsistent shapes between elements", at)
    return [e for values, _ in nested for e in values], [len(nested), *inner]


def _convert_element(parser: Parser, element: _Element, elt: Attribute, size: int) -> int | float:
    value, at = element.value, element.at
    if isinstance(elt, IntegerType | IndexType):
        if isinstance(value, float):
            parser.raise_error(f"expected an integer literal for element type {elt}", at)
        if element.is_bool and elt != i1:
            parser.raise_error(f"boolean literals are only allowed for i1, not {elt}", at)
        if isinstance(elt, IntegerType):
            try:
                return elt.get_normalized_value(value)
            except ValueError as e:
                parser.raise_error(str(e), at)
        if not -(2**63) <= value <= INDEX_MAX:
            parser.raise_error(f"integer literal {value} is out of range for index", at)
        return value
    assert isinstance(elt, PackableType)
    if element.is_hex:
        # As in MLIR: a hexadecimal integer in a float context is the element's bit pattern
        # (how infinities and NaNs print).
        if isinstance(value, float) or value < 0 or value >= 1 << (8 * size):
            parser.raise_error(f"hexadecimal literal is not a {size}-byte bit pattern of {elt}", at)
        return float(elt.unpack(value.to_bytes(size, "little"), 1)[0])  # pyright: ignore[reportUnknownArgumentType]
    try:
        number = float(value)
        elt.pack([number])  # pyright: ignore[reportUnknownMemberType]
    except (OverflowError, ValueError):
        parser.raise_error(f"literal {value} is out of range for {elt}", at)
    return number


LARGE_SPLAT = 1 << 16
"""In other ops' dense attributes, splats with more elements than this are held once."""

_SHAPED_TYPES = (TensorType, VectorType, MemRefType)


def parse_dense_elements(
    parser: Parser, type: Attribute | None = None, *, for_constant: bool = False
) -> DenseIntOrFPElementsAttr:
    """Parse a dense elements attribute after its `dense` keyword: `<...>`, then `: type`
    unless the caller parsed `type` already (`parse_with_type`).

    Accepts what xDSL's dense parser accepts for tensors, vectors and memrefs of f16, bf16,
    f32, f64, integer and index elements: a scalar (a splat), a nested list, a hex string, or
    `<>`. Unlike xDSL's parser, a hexadecimal integer element of a float type is its bit
    pattern, as in MLIR (how infinities and NaNs print), and a splat is held once (see
    `splat_attr`): always for `ztensor.constant` (`for_constant`), above `LARGE_SPLAT`
    elements otherwise.

    For `ztensor.constant`, the type must be a ranked tensor, and an element count that does
    not match the type (`dense<>` for a non-empty tensor) is left to the verifier, which
    reports it at the op. Otherwise such counts are parse errors, and literals this does not
    handle (complex elements, other element types) raise `_Unsupported`.
    """
    start = parser.pos
    parser.parse_punctuation("<", " in dense attribute")
    elements: list[_Element] = []
    literal_shape: list[int] = [0]
    hex_data: bytes | None = None
    literal_at = parser.pos
    if parser.parse_optional_punctuation(">") is None:
        if (text := parser.parse_optional_str_literal()) is not None:
            if not text.lower().startswith("0x"):
                parser.raise_error("hex string in dense attribute must start with '0x'", literal_at)
            try:
                hex_data = bytes.fromhex(text[2:])
            except ValueError:
                parser.raise_error("hex string in dense attribute is invalid", literal_at)
        else:
            elements, literal_shape = _parse_literal(parser)
        parser.parse_punctuation(">", " in dense attribute")
    type_at = parser.pos
    if type is None:
        parser.parse_punctuation(":", " in dense attribute")
        type_at = parser.pos
        type = parser.parse_type()
    if not isinstance(type, TensorType if for_constant else _SHAPED_TYPES):
        if not for_constant:
            raise _Unsupported
        parser.raise_error(f"'ztensor.constant' expects a ranked tensor type, got {type}", type_at)
    ty = cast(TensorType[Attribute], type)
    shape = list(ty.get_shape())
    if any(d < 0 for d in shape):
        parser.raise_error(f"a dense literal needs a static shape, got {ty}", type_at)
    elt = ty.element_type
    size = element_size(elt)
    if size is None or not isinstance(elt, (*FLOAT_TYPES, IntegerType, IndexType)):
        if not for_constant:
            raise _Unsupported
        parser.raise_error(
            f"'ztensor.constant' must have a float element type (f16, bf16, f32, f64), got {elt}",
            type_at,
        )
    count = math.prod(shape)
    splat_min = 1 if for_constant else LARGE_SPLAT
    if hex_data is not None:
        if len(hex_data) % size:
            parser.raise_error(
                f"hex string holds {len(hex_data)} bytes, not a whole number of {elt} elements",
                literal_at,
            )
        held = len(hex_data) // size
        if held == 1 and count != 1:  # a splat
            data = hex_data if count > splat_min else hex_data * count
        elif held == count:
            data = hex_data
        else:
            parser.raise_error(
                f"hex string holds {held} elements of {elt}, but {ty} has {count} (give one "
                "element for a splat, or all of them)",
                literal_at,
            )
    else:
        if not shape and len(elements) != 1:
            parser.raise_error(
                f"a dense literal of rank-0 type {ty} holds exactly one element", start
            )
        if literal_shape and (elements or not for_constant) and literal_shape != shape:
            parser.raise_error(
                f"dense literal has shape {literal_shape}, but the type {ty} has shape {shape}",
                literal_at,
            )
        values = [_convert_element(parser, e, elt, size) for e in elements]
        if not literal_shape and count != 1:  # a splat
            values = values if count > splat_min else values * count
        assert isinstance(elt, PackableType)
        data = elt.pack(values)  # pyright: ignore[reportUnknownMemberType]
    return DenseIntOrFPElementsAttr(cast(Any, ty), BytesAttr(data))


def parse_optional_dense_elements(
    parser: Parser, type: Attribute | None = None
) -> DenseIntOrFPElementsAttr | None:
    """`parse_dense_elements` for any op's dense attribute (a parser's
    `parse_dense_int_or_fp_elements_attr`, after `dense`), or None, with tokens consumed,
    where it fails or does not handle the literal: the caller then rewinds and lets xDSL parse
    it (and report its own errors)."""
    try:
        return parse_dense_elements(parser, type)
    except (_Unsupported, ParseError):
        return None


def parse_dense_literal(parser: Parser) -> DenseIntOrFPElementsAttr:
    """Parse `dense<...> : tensor<...>` for `ztensor.constant` (see `parse_dense_elements`)."""
    parser.parse_keyword("dense", " (a 'ztensor.constant' takes a dense elements attribute)")
    at = parser.pos
    try:
        return parse_dense_elements(parser, for_constant=True)
    except _Unsupported:
        parser.raise_error(
            "complex literals are not supported in 'ztensor.constant' (float elements only)", at
        )


def _tensor(op_name: str, what: str, value: SSAValue) -> TensorType[Attribute]:
    ty = value.type
    if not isinstance(ty, TensorType):
        kind = "ranked " if isinstance(ty, UnrankedTensorType) else ""
        raise VerifyException(f"'{op_name}' op {what} must be a {kind}tensor, got {ty}")
    if not isinstance(ty.element_type, FLOAT_TYPES):
        raise VerifyException(
            f"'{op_name}' op {what} must have a float element type (f16, bf16, f32, f64), "
            f"got {ty.element_type}"
        )
    if any(d < 0 for d in ty.get_shape()):
        raise VerifyException(f"'{op_name}' op {what} must have a static shape, got {ty}")
    check_index_range(op_name, what, ty)
    return ty


def _check_result(op_name: str, result: SSAValue, shape: Sequence[int], elt: Attribute) -> None:
    ty = _tensor(op_name, "result", result)
    if tuple(ty.get_shape()) != tuple(shape) or ty.element_type != elt:
        expected = TensorType(elt, shape)
        raise VerifyException(f"'{op_name}' op result type should be {expected}, got {ty}")


def _bool_tensor(op_name: str, what: str, value: SSAValue) -> TensorType[Attribute]:
    """A boolean (`i1`) tensor of static shape."""
    ty = value.type
    if not isinstance(ty, TensorType) or ty.element_type != i1:
        raise VerifyException(f"'{op_name}' op {what} must be a tensor of i1, got {ty}")
    if any(d < 0 for d in ty.get_shape()):
        raise VerifyException(f"'{op_name}' op {what} must have a static shape, got {ty}")
    check_index_range(op_name, what, ty)
    return ty


def _check_bool_result(op_name: str, result: SSAValue, shape: Sequence[int]) -> None:
    """The result is the boolean (`i1`) tensor of `shape`."""
    expected = TensorType(i1, shape)
    if result.type != expected:
        raise VerifyException(f"'{op_name}' op result type should be {expected}, got {result.type}")


def _same_element_types(op_name: str, *types: TensorType[Attribute]) -> Attribute:
    elts = {t.element_type for t in types}
    if len(elts) != 1:
        pretty = ", ".join(str(t) for t in types)
        raise VerifyException(f"'{op_name}' op operand element types differ: {pretty}")
    return types[0].element_type


def _i64_array(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, values)


def int_values(attr: DenseArrayBase) -> tuple[int, ...]:
    """The integers of an `array<i64: ...>` attribute."""
    return tuple(int(v) for v in cast(DenseArrayBase[IntegerType], attr).get_values())


def _normalized_axes(op_name: str, attr: DenseArrayBase, rank: int, what: str) -> list[int]:
    if attr.elt_type != i64:
        raise VerifyException(f"'{op_name}' op {what} must be an array<i64: ...>")
    values = int_values(attr)
    axes = [normalize_axis(op_name, a, rank) for a in values]
    if len(set(axes)) != len(axes):
        raise VerifyException(f"'{op_name}' op {what} contains repeated axes: {list(values)}")
    return axes


# ---------------------------------------------------------------------------------------------
# Elementwise ops
# ---------------------------------------------------------------------------------------------


class BinaryOp(IRDLOperation):
    """Base of elementwise binary ops with numpy broadcasting."""

    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    traits = lazy_traits_def(lambda: (Pure(), _canonicalization_trait("Binary")))

    assembly_format = (
        "$lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($result)"
    )

    def __init__(
        self,
        lhs: SSAValue | Operation,
        rhs: SSAValue | Operation,
        result_type: Attribute | None = None,
    ):
        if result_type is None:
            lt, rt = SSAValue.get(lhs).type, SSAValue.get(rhs).type
            assert isinstance(lt, TensorType) and isinstance(rt, TensorType)
            shape = broadcast_shapes(self.name, lt.get_shape(), rt.get_shape())
            result_type = TensorType(lt.element_type, shape)
        super().__init__(operands=[lhs, rhs], result_types=[result_type])

    def verify_(self) -> None:
        lt = _tensor(self.name, "lhs", self.lhs)
        rt = _tensor(self.name, "rhs", self.rhs)
        elt = _same_element_types(self.name, lt, rt)
        shape = broadcast_shapes(self.name, lt.get_shape(), rt.get_shape())
        _check_result(self.name, self.result, shape, elt)


@irdl_op_definition
class AddOp(BinaryOp):
    """Elementwise addition with numpy broadcasting.

    Example: `%r = ztensor.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>`
    """

    name = "ztensor.add"


@irdl_op_definition
class SubOp(BinaryOp):
    """Elementwise subtraction with numpy broadcasting.

    Example: `%r = ztensor.sub %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>`
    """

    name = "ztensor.sub"


@irdl_op_definition
class MulOp(BinaryOp):
    """Elementwise multiplication with numpy broadcasting.

    Example: `%r = ztensor.mul %a, %b : (tensor<4x1xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>`
    """

    name = "ztensor.mul"


@irdl_op_definition
class DivOp(BinaryOp):
    """Elementwise true division with numpy broadcasting.

    Example: `%r = ztensor.div %a, %b : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>`
    """

    name = "ztensor.div"


@irdl_op_definition
class MaximumOp(BinaryOp):
    """Elementwise maximum with broadcasting: IEEE 754-2019 `maximum` (as `arith.maximumf`):
    NaN propagates and -0.0 < +0.0, so it does not depend on the order of the operands (unlike
    numpy.maximum, which returns its second operand for `maximum(-0.0, 0.0)`).

    Example: `%r = ztensor.maximum %a, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>`
    """

    name = "ztensor.maximum"


@irdl_op_definition
class MinimumOp(BinaryOp):
    """Elementwise minimum with broadcasting: IEEE 754-2019 `minimum`: NaN propagates and
    -0.0 < +0.0.

    Example: `%r = ztensor.minimum %a, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>`
    """

    name = "ztensor.minimum"


@irdl_op_definition
class PowOp(BinaryOp):
    """Elementwise power `lhs ** rhs` (numpy.power) with broadcasting.

    Example: `%r = ztensor.pow %a, %b : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>`
    """

    name = "ztensor.pow"


class UnaryOp(IRDLOperation):
    """Base of elementwise unary ops: the result has the operand's type."""

    T: ClassVar = VarConstraint("T", AnyAttr())
    input = operand_def(T)
    result = result_def(T)
    traits = lazy_traits_def(lambda: (Pure(), _canonicalization_trait("Unary")))

    assembly_format = "$input attr-dict `:` type($input)"

    def __init__(self, input: SSAValue | Operation):
        super().__init__(operands=[input], result_types=[SSAValue.get(input).type])

    def verify_(self) -> None:
        _tensor(self.name, "operand", self.input)


@irdl_op_definition
class NegOp(UnaryOp):
    """Elementwise negation. Example: `%r = ztensor.neg %x : tensor<4xf32>`"""

    name = "ztensor.neg"


@irdl_op_definition
class ExpOp(UnaryOp):
    """Elementwise e**x. Example: `%r = ztensor.exp %x : tensor<4xf32>`"""

    name = "ztensor.exp"


@irdl_op_definition
class LogOp(UnaryOp):
    """Elementwise natural logarithm. Example: `%r = ztensor.log %x : tensor<4xf32>`"""

    name = "ztensor.log"


@irdl_op_definition
class TanhOp(UnaryOp):
    """Elementwise hyperbolic tangent. Example: `%r = ztensor.tanh %x : tensor<4xf32>`"""

    name = "ztensor.tanh"


@irdl_op_definition
class SigmoidOp(UnaryOp):
    """Elementwise logistic sigmoid 1/(1+e**-x). Example: `%r = ztensor.sigmoid %x : tensor<4xf32>`"""

    name = "ztensor.sigmoid"


@irdl_op_definition
class ReluOp(UnaryOp):
    """Elementwise `maximum(x, +0.0)`: relu(-0.0) is +0.0, relu(NaN) is NaN.

    Example: `%r = ztensor.relu %x : tensor<4xf32>`
    """

    name = "ztensor.relu"


@irdl_op_definition
class GeluOp(UnaryOp):
    """Elementwise GELU, tanh approximation:
    0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3))).

    Example: `%r = ztensor.gelu %x : tensor<4xf32>`
    """

    name = "ztensor.gelu"


@irdl_op_definition
class SqrtOp(UnaryOp):
    """Elementwise square root. Example: `%r = ztensor.sqrt %x : tensor<4xf32>`"""

    name = "ztensor.sqrt"


@irdl_op_definition
class RsqrtOp(UnaryOp):
    """Elementwise reciprocal square root 1/sqrt(x). Example: `%r = ztensor.rsqrt %x : tensor<4xf32>`"""

    name = "ztensor.rsqrt"


@irdl_op_definition
class AbsOp(UnaryOp):
    """Elementwise absolute value. Example: `%r = ztensor.abs %x : tensor<4xf32>`"""

    name = "ztensor.abs"


@irdl_op_definition
class ErfOp(UnaryOp):
    """Elementwise error function erf(x) = 2/sqrt(pi) * integral of exp(-t**2) from 0 to x
    (math.erf): odd, erf(+-inf) = +-1. Exact GELU (as torch exports it) is
    `0.5 * x * (1 + erf(x / sqrt(2)))`.

    Example: `%r = ztensor.erf %x : tensor<4xf32>`
    """

    name = "ztensor.erf"


@irdl_op_definition
class FloorOp(UnaryOp):
    """Elementwise rounding down to an integral value (numpy.floor): floor(-0.5) is -1.0,
    floor(-0.0) is -0.0, infinities and NaN stay.

    Example: `%r = ztensor.floor %x : tensor<4xf32>`
    """

    name = "ztensor.floor"


@irdl_op_definition
class CeilOp(UnaryOp):
    """Elementwise rounding up to an integral value (numpy.ceil): ceil(-0.5) is -0.0,
    ceil(0.5) is 1.0, infinities and NaN stay.

    Example: `%r = ztensor.ceil %x : tensor<4xf32>`
    """

    name = "ztensor.ceil"


@irdl_op_definition
class CmpOp(IRDLOperation):
    """Elementwise comparison with numpy broadcasting; the result is a boolean (`i1`) tensor.

    `predicate` is one of `olt` (<), `ole` (<=), `ogt` (>), `oge` (>=), `oeq` (==), `une`
    (!=, true where an operand is NaN) and `one` (ordered !=, false where an operand is NaN):
    IEEE comparisons, as numpy's operators give them (-0.0 == +0.0).

    Example:
    `%m = ztensor.cmp "olt" %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xi1>`
    """

    name = "ztensor.cmp"
    predicate = prop_def(StringAttr)
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())

    assembly_format = (
        "$predicate $lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` "
        "type($result)"
    )

    def __init__(self, predicate: str, lhs: SSAValue | Operation, rhs: SSAValue | Operation):
        lt, rt = SSAValue.get(lhs).type, SSAValue.get(rhs).type
        assert isinstance(lt, TensorType) and isinstance(rt, TensorType)
        shape = broadcast_shapes(self.name, lt.get_shape(), rt.get_shape())
        super().__init__(
            operands=[lhs, rhs],
            result_types=[TensorType(i1, shape)],
            properties={"predicate": StringAttr(predicate)},
        )

    def verify_(self) -> None:
        message = unknown_predicate(self.name, "cmp", self.predicate.data)
        if message is not None:
            raise VerifyException(message)
        lt = _tensor(self.name, "lhs", self.lhs)
        rt = _tensor(self.name, "rhs", self.rhs)
        _same_element_types(self.name, lt, rt)
        _check_bool_result(
            self.name, self.result, broadcast_shapes(self.name, lt.get_shape(), rt.get_shape())
        )


@irdl_op_definition
class SelectOp(IRDLOperation):
    """Elementwise choice with numpy broadcasting of all three operands (numpy.where): `lhs`
    where the boolean (`i1`) `cond` is true, `rhs` elsewhere.

    Example:
    `%r = ztensor.select %m, %a, %b : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>`
    """

    name = "ztensor.select"
    cond = operand_def(TensorType)
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())

    assembly_format = (
        "$cond `,` $lhs `,` $rhs attr-dict `:` `(` type($cond) `,` type($lhs) `,` type($rhs) "
        "`)` `->` type($result)"
    )

    def __init__(
        self, cond: SSAValue | Operation, lhs: SSAValue | Operation, rhs: SSAValue | Operation
    ):
        types = [SSAValue.get(v).type for v in (cond, lhs, rhs)]
        assert all(isinstance(t, TensorType) for t in types)
        shape = broadcast_shapes(
            self.name, *(cast(TensorType[Attribute], t).get_shape() for t in types)
        )
        elt = cast(TensorType[Attribute], types[1]).element_type
        super().__init__(operands=[cond, lhs, rhs], result_types=[TensorType(elt, shape)])

    def verify_(self) -> None:
        ct = _bool_tensor(self.name, "condition", self.cond)
        lt = _tensor(self.name, "lhs", self.lhs)
        rt = _tensor(self.name, "rhs", self.rhs)
        elt = _same_element_types(self.name, lt, rt)
        shape = broadcast_shapes(self.name, ct.get_shape(), lt.get_shape(), rt.get_shape())
        _check_result(self.name, self.result, shape, elt)


# ---------------------------------------------------------------------------------------------
# Contraction, data movement, reductions, composites
# ---------------------------------------------------------------------------------------------


@irdl_op_definition
class MatmulOp(IRDLOperation):
    """Matrix product with numpy.matmul semantics for operands of rank >= 2.

    The last two dims are contracted as matrices; leading (batch) dims broadcast. On f16 and
    bf16 the products are summed in f32 and the result is rounded once.

    Example:
    `%c = ztensor.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>`
    """

    name = "ztensor.matmul"
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    traits = lazy_traits_def(lambda: (Pure(), _canonicalization_trait("MatmulOp")))

    assembly_format = (
        "$lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($result)"
    )

    def __init__(
        self,
        lhs: SSAValue | Operation,
        rhs: SSAValue | Operation,
        result_type: Attribute | None = None,
    ):
        if result_type is None:
            lt, rt = SSAValue.get(lhs).type, SSAValue.get(rhs).type
            assert isinstance(lt, TensorType) and isinstance(rt, TensorType)
            shape = matmul_shape(self.name, lt.get_shape(), rt.get_shape())
            result_type = TensorType(lt.element_type, shape)
        super().__init__(operands=[lhs, rhs], result_types=[result_type])

    def verify_(self) -> None:
        lt = _tensor(self.name, "lhs", self.lhs)
        rt = _tensor(self.name, "rhs", self.rhs)
        elt = _same_element_types(self.name, lt, rt)
        shape = matmul_shape(self.name, lt.get_shape(), rt.get_shape())
        _check_result(self.name, self.result, shape, elt)


@irdl_op_definition
class TransposeOp(IRDLOperation):
    """Permutes dimensions: result dim i is operand dim permutation[i] (numpy.transpose).

    Example:
    `%t = ztensor.transpose %x {permutation = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>`
    """

    name = "ztensor.transpose"
    input = operand_def(TensorType)
    permutation = attr_def(DenseArrayBase)
    result = result_def(TensorType)
    traits = lazy_traits_def(lambda: (Pure(), _canonicalization_trait("TransposeOp")))

    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue | Operation, permutation: Sequence[int]):
        ty = SSAValue.get(input).type
        assert isinstance(ty, TensorType)
        shape = ty.get_shape()
        result_type = TensorType(ty.element_type, [shape[p] for p in permutation])
        super().__init__(
            operands=[input],
            result_types=[result_type],
            attributes={"permutation": _i64_array(permutation)},
        )

    @property
    def perm(self) -> tuple[int, ...]:
        return int_values(self.permutation)

    def verify_(self) -> None:
        ty = _tensor(self.name, "operand", self.input)
        if self.permutation.elt_type != i64:
            raise VerifyException(f"'{self.name}' op permutation must be an array<i64: ...>")
        perm = self.perm
        rank = ty.get_num_dims()
        if sorted(perm) != list(range(rank)):
            raise VerifyException(
                f"'{self.name}' op permutation {list(perm)} is not a permutation of "
                f"[0, {rank}) for an operand of rank {rank}"
            )
        shape = ty.get_shape()
        _check_result(self.name, self.result, [shape[p] for p in perm], ty.element_type)


@irdl_op_definition
class ReshapeOp(IRDLOperation):
    """Reinterprets the row-major element order under a new static shape (numpy.reshape).

    Example: `%r = ztensor.reshape %x : tensor<4x8xf32> -> tensor<32xf32>`
    """

    name = "ztensor.reshape"
    input = operand_def(TensorType)
    result = result_def(TensorType)
    traits = lazy_traits_def(lambda: (Pure(), _canonicalization_trait("ReshapeOp")))

    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue | Operation, result_type: Attribute):
        super().__init__(operands=[input], result_types=[result_type])

    def verify_(self) -> None:
        it = _tensor(self.name, "operand", self.input)
        rt = _tensor(self.name, "result", self.result)
        if it.element_type != rt.element_type:
            raise VerifyException(
                f"'{self.name}' op result element type {rt.element_type} differs from the "
                f"operand's {it.element_type}"
            )
        if it.element_count() != rt.element_count():
            raise VerifyException(
                f"'{self.name}' op cannot reshape {it} ({it.element_count()} elements) into "
                f"{rt} ({rt.element_count()} elements)"
            )


@irdl_op_definition
class BroadcastToOp(IRDLOperation):
    """Broadcasts the operand to the result's shape under numpy rules (numpy.broadcast_to).

    Example: `%r = ztensor.broadcast_to %x : tensor<8xf32> -> tensor<4x8xf32>`
    """

    name = "ztensor.broadcast_to"
    input = operand_def(TensorType)
    result = result_def(TensorType)
    traits = lazy_traits_def(lambda: (Pure(), _canonicalization_trait("BroadcastToOp")))

    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue | Operation, result_type: Attribute):
        super().__init__(operands=[input], result_types=[result_type])

    def verify_(self) -> None:
        it = _tensor(self.name, "operand", self.input)
        rt = _tensor(self.name, "result", self.result)
        if it.element_type != rt.element_type:
            raise VerifyException(
                f"'{self.name}' op result element type {rt.element_type} differs from the "
                f"operand's {it.element_type}"
            )
        src, dst = it.get_shape(), rt.get_shape()
        ok = len(src) <= len(dst) and all(
            s in (1, d) for s, d in zip(reversed(src), reversed(dst), strict=False)
        )
        if not ok:
            raise VerifyException(f"'{self.name}' op cannot broadcast {it} to {rt}")


class ReduceOp(IRDLOperation):
    """Base of reductions over `axes` (array<i64>, negatives count from the end)."""

    input = operand_def(TensorType)
    axes = attr_def(DenseArrayBase)
    keepdims = opt_attr_def(Attribute)
    result = result_def(TensorType)
    traits = lazy_traits_def(lambda: (Pure(), _canonicalization_trait("Reduce")))

    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue | Operation, axes: Sequence[int], keepdims: bool = False):
        ty = SSAValue.get(input).type
        assert isinstance(ty, TensorType)
        rank = ty.get_num_dims()
        norm = [a % rank for a in axes]
        result_type = TensorType(ty.element_type, reduced_shape(ty.get_shape(), norm, keepdims))
        super().__init__(
            operands=[input],
            result_types=[result_type],
            attributes={
                "axes": _i64_array(axes),
                "keepdims": IntegerAttr(int(keepdims), i1),
            },
        )

    @property
    def keep(self) -> bool:
        return isinstance(self.keepdims, IntegerAttr) and bool(self.keepdims.value.data)

    @property
    def reduced_axes(self) -> tuple[int, ...]:
        """The reduced axes, normalized to [0, rank) and sorted."""
        ty = self.input.type
        assert isinstance(ty, TensorType)
        rank = ty.get_num_dims()
        return tuple(sorted(a % rank for a in int_values(self.axes)))

    def verify_(self) -> None:
        ty = _tensor(self.name, "operand", self.input)
        if self.keepdims is not None and not (
            isinstance(self.keepdims, IntegerAttr) and self.keepdims.type == i1
        ):
            raise VerifyException(
                f"'{self.name}' op keepdims must be a bool (true or false), got {self.keepdims}"
            )
        axes = _normalized_axes(self.name, self.axes, ty.get_num_dims(), "axes")
        shape = reduced_shape(ty.get_shape(), axes, self.keep)
        _check_result(self.name, self.result, shape, ty.element_type)


@irdl_op_definition
class ReduceSumOp(ReduceOp):
    """Sum over `axes`, optionally keeping reduced dims as size 1 (numpy.sum: the sum starts
    from +0.0, so a sum of -0.0s is +0.0; the order of the additions is unspecified). On f16
    and bf16 the sum is accumulated in f32 and rounded once.

    Example:
    `%s = ztensor.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf32> -> tensor<4x1xf32>`
    """

    name = "ztensor.reduce_sum"


@irdl_op_definition
class ReduceMaxOp(ReduceOp):
    """Maximum over `axes` (numpy.max, in `ztensor.maximum`'s order: NaN propagates and +0.0
    wins over -0.0).

    Example: `%m = ztensor.reduce_max %x {axes = array<i64: 0>} : tensor<4x8xf32> -> tensor<8xf32>`
    """

    name = "ztensor.reduce_max"


@irdl_op_definition
class ReduceMeanOp(ReduceOp):
    """Arithmetic mean over `axes` (numpy.mean; f16 and bf16: the sum and the division in
    f32, rounded once).

    Example:
    `%m = ztensor.reduce_mean %x {axes = array<i64: 0, 1>} : tensor<4x8xf32> -> tensor<f32>`
    """

    name = "ztensor.reduce_mean"


class NormalizeOp(IRDLOperation):
    """Base of composites that normalize along one `axis` and keep the operand's type."""

    T: ClassVar = VarConstraint("T", AnyAttr())
    input = operand_def(T)
    axis = attr_def(IntegerAttr)
    result = result_def(T)
    traits = traits_def(Pure())

    assembly_format = "$input attr-dict `:` type($input)"

    @property
    def normalized_axis(self) -> int:
        ty = self.input.type
        assert isinstance(ty, TensorType)
        return int(self.axis.value.data) % ty.get_num_dims()

    def verify_(self) -> None:
        ty = _tensor(self.name, "operand", self.input)
        if self.axis.type != i64:
            raise VerifyException(
                f"'{self.name}' op axis must be an i64 integer attribute, got {self.axis}"
            )
        if ty.get_num_dims() == 0:
            raise VerifyException(f"'{self.name}' op expects an operand of rank >= 1")
        normalize_axis(self.name, self.axis.value.data, ty.get_num_dims())


@irdl_op_definition
class SoftmaxOp(NormalizeOp):
    """Softmax along `axis`: exp(x - max(x)) / sum(exp(x - max(x))) (f16 and bf16: computed
    in f32, rounded once).

    Example: `%s = ztensor.softmax %x {axis = -1 : i64} : tensor<4x8xf32>`
    """

    name = "ztensor.softmax"

    def __init__(self, input: SSAValue | Operation, axis: int = -1):
        super().__init__(
            operands=[input],
            result_types=[SSAValue.get(input).type],
            attributes={"axis": IntegerAttr(axis, i64)},
        )


@irdl_op_definition
class LayerNormOp(NormalizeOp):
    """Layer normalization along `axis` without affine parameters:
    (x - mean(x)) / sqrt(var(x) + epsilon), with the biased variance (f16 and bf16: computed
    in f32, rounded once).

    Example: `%y = ztensor.layernorm %x {axis = -1 : i64, epsilon = 1.0e-05 : f32} : tensor<4x8xf32>`
    """

    name = "ztensor.layernorm"
    epsilon = attr_def(FloatAttr)

    def __init__(self, input: SSAValue | Operation, axis: int = -1, epsilon: float = 1e-5):
        super().__init__(
            operands=[input],
            result_types=[SSAValue.get(input).type],
            attributes={
                "axis": IntegerAttr(axis, i64),
                "epsilon": FloatAttr(epsilon, Float32Type()),
            },
        )

    def verify_(self) -> None:
        super().verify_()
        if not isinstance(self.epsilon.type, Float32Type):
            raise VerifyException(
                f"'{self.name}' op epsilon must be an f32 float attribute, got {self.epsilon}"
            )
        if not self.epsilon.value.data > 0:
            raise VerifyException(
                f"'{self.name}' op epsilon must be positive, got {self.epsilon.value.data}"
            )


@irdl_op_definition
class ConstantOp(IRDLOperation):
    """A tensor constant from dense elements (a splat or every element).

    Syntax: `ztensor.constant dense<...> : tensor<...> attr-dict`. A splat (`dense<x>`, or a
    hex string of one element) is held once whatever the shape, and stays a splat through
    canonicalization, folding, the interpreter and the lowering; a hexadecimal integer
    element of a float type is its bit pattern (`dense<0x7F800000>` is +inf in f32).

    Example: `%c = ztensor.constant dense<1.0> : tensor<4x8xf32>`
    """

    name = "ztensor.constant"
    _T: ClassVar = VarConstraint("T", AnyAttr())
    value = attr_def(ParamAttrConstraint(DenseIntOrFPElementsAttr, (_T, AnyAttr())))
    result = result_def(_T)
    traits = traits_def(Pure(), ConstantLike())

    def __init__(self, value: DenseIntOrFPElementsAttr):
        """`value` is stored as given, except that a splat is stored once (`compact_splat`)."""
        value = compact_splat(value)
        super().__init__(attributes={"value": value}, result_types=[value.type])

    @classmethod
    def parse(cls, parser: Parser) -> ConstantOp:
        # `$value attr-dict`, with a splat `dense<x>` held once however large the tensor.
        value = parse_dense_literal(parser)
        at = parser.pos
        attributes = parser.parse_optional_attr_dict()
        if "value" in attributes:
            parser.raise_error("'ztensor.constant' takes its value once, not in attr-dict too", at)
        op = cls.create(attributes={"value": value, **attributes}, result_types=[value.type])
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_attribute(self.value)  # a splat prints as `dense<x>` (one element)
        printer.print_op_attributes(self.attributes, reserved_attr_names=("value",))

    def verify_(self) -> None:
        ty = _tensor(self.name, "result", self.result)
        if self.value.type != ty:
            raise VerifyException(
                f"'{self.name}' op value type {self.value.type} differs from result type {ty}"
            )
        count = ty.element_count()
        size = element_size(ty.element_type)
        held = len(self.value.data.data)
        if size is None or held % size or held // size not in ({count, 1} if count else {0}):
            holds = f"{held // size} elements" if size and not held % size else f"{held} bytes"
            raise VerifyException(
                f"'{self.name}' op value holds {holds}, but {ty} has {count} elements "
                "(a dense literal holds one element, a splat, or all of them)"
            )


@irdl_op_definition
class CastOp(IRDLOperation):
    """Converts the element type (round to nearest even, once: f64 -> f16 rounds the f64
    value; f16 <-> bf16 goes exactly through f32), keeping the shape (numpy.astype).

    Example: `%r = ztensor.cast %x : tensor<4xf32> -> tensor<4xf64>`
    """

    name = "ztensor.cast"
    input = operand_def(TensorType)
    result = result_def(TensorType)
    traits = lazy_traits_def(lambda: (Pure(), _canonicalization_trait("CastOp")))

    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue | Operation, element_type: Attribute):
        ty = SSAValue.get(input).type
        assert isinstance(ty, TensorType)
        super().__init__(operands=[input], result_types=[TensorType(element_type, ty.get_shape())])

    def verify_(self) -> None:
        it = _tensor(self.name, "operand", self.input)
        rt = _tensor(self.name, "result", self.result)
        if tuple(it.get_shape()) != tuple(rt.get_shape()):
            raise VerifyException(f"'{self.name}' op cannot change the shape: {it} -> {rt}")


# ---------------------------------------------------------------------------------------------
# Fused forms
# ---------------------------------------------------------------------------------------------


@irdl_op_definition
class YieldOp(IRDLOperation):
    """Terminates a `ztensor.fused` body, naming its results.

    Example: `ztensor.yield %r : tensor<4x8xf32>`
    """

    name = "ztensor.yield"
    values = var_operand_def(TensorType)
    traits = lazy_traits_def(lambda: (IsTerminator(), HasParent(FusedOp), Pure()))

    assembly_format = "($values^ `:` type($values))? attr-dict"

    def __init__(self, *values: SSAValue | Operation):
        super().__init__(operands=[list(values)])


@irdl_op_definition
class FusedOp(IRDLOperation):
    """A group of ztensor ops that lowers to a single kernel; intermediates are never stored.

    The body is one block whose arguments are the operands (same types), holding only ztensor
    ops and ending in `ztensor.yield` of one value. The body must be one kernel as
    `ziggurat.dialects.ztensor_kernels` defines it (the verifier names the op that keeps it
    from being one, and the rule), and `ztensor-to-ztile` lowers it as that one kernel.
    Optimization (`eqsat`) produces these forms: `kind = "matmul_epilogue"` (a matmul whose
    result flows through elementwise ops), `"elementwise"` (a chain of elementwise/broadcast
    ops) and `"reduction"` (a reduction, softmax or layernorm with an elementwise prologue).
    `kind` is advisory: a lowering may use it to pick a kernel template; semantics are always
    those of the body.

    Example:
    ```
    %r = ztensor.fused "matmul_epilogue" (%a, %b, %c) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32> {
    ^bb0(%x: tensor<4x8xf32>, %y: tensor<8x16xf32>, %z: tensor<16xf32>):
      %m = ztensor.matmul %x, %y : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
      %s = ztensor.add %m, %z : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
      %t = ztensor.relu %s : tensor<4x16xf32>
      ztensor.yield %t : tensor<4x16xf32>
    }
    ```
    """

    name = "ztensor.fused"
    KINDS: ClassVar[tuple[str, ...]] = ("matmul_epilogue", "elementwise", "reduction", "generic")

    kind = attr_def(Attribute)
    inputs = var_operand_def(TensorType)
    outputs = var_result_def(TensorType)
    body = region_def("single_block")
    traits = lazy_traits_def(
        lambda: (RecursiveMemoryEffect(), SingleBlockImplicitTerminator(YieldOp))
    )

    assembly_format = "$kind `(` $inputs `)` attr-dict `:` functional-type($inputs, $outputs) $body"

    def verify_(self) -> None:
        from xdsl.dialects.builtin import StringAttr

        if not isinstance(self.kind, StringAttr) or self.kind.data not in self.KINDS:
            raise VerifyException(
                f"'{self.name}' op kind must be one of {', '.join(self.KINDS)}, got {self.kind}"
            )
        block = self.body.block
        arg_types = [a.type for a in block.args]
        in_types = [v.type for v in self.inputs]
        if arg_types != in_types:
            raise VerifyException(
                f"'{self.name}' op block argument types ({_types(arg_types)}) differ from "
                f"operand types ({_types(in_types)})"
            )
        for op in block.ops:
            if op.dialect_name() != "ztensor" or isinstance(op, FusedOp):
                raise VerifyException(
                    f"'{self.name}' op body may only hold ztensor ops (no nested fused ops), "
                    f"found '{op.name}'"
                )
        term = block.last_op
        assert isinstance(term, YieldOp)
        yielded = [v.type for v in term.values]
        out_types = [r.type for r in self.outputs]
        if yielded != out_types:
            raise VerifyException(
                f"'{self.name}' op yields ({_types(yielded)}) but its results are "
                f"({_types(out_types)})"
            )
        from ziggurat.dialects.ztensor_kernels import KernelError, body_kernel

        try:
            body_kernel(block)
        except KernelError as exc:
            raise VerifyException(f"'{self.name}' op body is not one kernel: {exc}") from exc


def _types(types: Sequence[Attribute]) -> str:
    return ", ".join(str(t) for t in types)


def _canonicalization_trait(op_class: str):
    from ziggurat.dialects.ztensor_canonicalization import canonicalization_trait

    return canonicalization_trait(op_class)


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
REDUCTIONS: tuple[type[ReduceOp], ...] = (ReduceSumOp, ReduceMaxOp, ReduceMeanOp)

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
REDUCTION_OPS: dict[str, type[ReduceOp]] = {op.name.split(".")[1]: op for op in REDUCTIONS}
"""The reduction op class of each reduction of the op table."""

ZTensor = Dialect(
    "ztensor",
    [
        *ELEMENTWISE_BINARY,
        *ELEMENTWISE_UNARY,
        *ELEMENTWISE_BOOLEAN,
        MatmulOp,
        TransposeOp,
        ReshapeOp,
        BroadcastToOp,
        *REDUCTIONS,
        SoftmaxOp,
        LayerNormOp,
        ConstantOp,
        CastOp,
        FusedOp,
        YieldOp,
    ],
    [],
)

__all__ = [
    "AbsOp",
    "AddOp",
    "BroadcastToOp",
    "CastOp",
    "CeilOp",
    "CmpOp",
    "ConstantOp",
    "DivOp",
    "ErfOp",
    "ExpOp",
    "FloorOp",
    "FusedOp",
    "GeluOp",
    "LayerNormOp",
    "LogOp",
    "MatmulOp",
    "MaximumOp",
    "MinimumOp",
    "MulOp",
    "NegOp",
    "PowOp",
    "ReduceMaxOp",
    "ReduceMeanOp",
    "ReduceSumOp",
    "ReluOp",
    "ReshapeOp",
    "RsqrtOp",
    "SelectOp",
    "SigmoidOp",
    "SoftmaxOp",
    "SqrtOp",
    "SubOp",
    "TanhOp",
    "TransposeOp",
    "YieldOp",
    "ZTensor",
    "broadcast_shapes",
    "matmul_shape",
    "normalize_axis",
    "reduced_shape",
]
