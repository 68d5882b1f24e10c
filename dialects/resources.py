"""`dense_resource` blobs as numpy arrays.

torch-mlir writes frozen weights as `dense_resource<handle> : tensor<...>` attributes whose
bytes are in the file's `{-# dialect_resources: { builtin: { handle: "0x..." } } #-}`
section. xDSL's parser keeps those hex strings in the builtin dialect's
`OpAsmDialectInterface` (one store per process; the located parser gives every file's
handles their own names, see core/parsing.py). A blob is MLIR's format: a 4-byte
little-endian alignment, then the elements, little-endian and densely packed (an `i1`
element takes one byte).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
from xdsl.dialects.builtin import (
    Builtin,
    DenseResourceAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    IndexType,
    IntegerType,
    ShapedType,
)
from xdsl.ir import Attribute

NDArray = np.ndarray[Any, Any]


class ResourceError(ValueError):
    """A `dense_resource` whose blob is missing or does not hold its type's elements."""


def element_dtype(element_type: Attribute) -> np.dtype[Any] | None:
    """The numpy dtype of one element of a builtin float or integer type, None for others."""
    if isinstance(element_type, Float64Type):
        return np.dtype("<f8")
    if isinstance(element_type, Float32Type):
        return np.dtype("<f4")
    if isinstance(element_type, Float16Type):
        return np.dtype("<f2")
    if isinstance(element_type, IndexType):
        return np.dtype("<i8")
    if isinstance(element_type, IntegerType):
        width = element_type.width.data
        if width == 1:
            return np.dtype(np.bool_)
        if width in (8, 16, 32, 64):
            return np.dtype(f"<i{width // 8}")
    return None


def resource_blob(attr: DenseResourceAttr) -> str | None:
    """The hex string of `attr`'s blob (`0x...`), or None if the file gave none."""
    interface = Builtin.get_interface(OpAsmDialectInterface)
    if interface is None:
        return None
    return interface.lookup(attr.resource_handle.data) or None


def resource_array(attr: DenseResourceAttr) -> NDArray:
    """The elements of `attr` as a numpy array of its shape (a fresh, writable copy).

    Raises `ResourceError` (naming the handle) when the blob is missing, is not hex, or
    does not hold exactly the elements of the attribute's type.
    """
    handle = attr.resource_handle.data
    ty = attr.type
    if not isinstance(ty, ShapedType):
        raise ResourceError(f"dense_resource<{handle}> has the non-shaped type {ty}")
    element = ty.get_element_type()  # type: ignore[attr-defined]
    dtype = element_dtype(element)
    if dtype is None:
        raise ResourceError(
            f"dense_resource<{handle}>: elements of type {element} are not supported"
        )
    blob = resource_blob(attr)
    if blob is None:
        raise ResourceError(
            f"dense_resource<{handle}> has no blob (no '{handle}' in the file's "
            "{-# dialect_resources #-} section)"
        )
    try:
        data = bytes.fromhex(blob[2:])
    except ValueError as e:
        raise ResourceError(f"dense_resource<{handle}>: the blob is not hexadecimal") from e
    shape = tuple(ty.get_shape())
    count = int(np.prod(shape, dtype=np.int64))
    payload = data[4:]
    if len(data) < 4 or len(payload) != count * dtype.itemsize:
        raise ResourceError(
            f"dense_resource<{handle}>: the blob holds {max(len(data) - 4, 0)} bytes, but "
            f"{ty} takes {count * dtype.itemsize}"
        )
    array = np.frombuffer(payload, dtype=dtype).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=True)
