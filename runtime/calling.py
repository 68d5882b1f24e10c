"""Calling compiled functions from numpy: signatures, argument checks and the ctypes call.

A compiled function takes one bare pointer per memref (contract item 3: inputs first, then one
caller-provided output buffer per result; it returns nothing). Its Python signature is a list
of `ArgSpec(shape, dtype, role)`, one per pointer parameter, with role `"in"` (read only),
`"out"` (written; allocated by the runtime when the caller does not pass it) or `"inout"`
(read and written in place; always passed by the caller).

`Kernel.__call__` checks every argument before the call, so a mismatch raises a
`ZigguratCallError` naming the argument and what was expected, never a crash:

- each argument must be a `numpy.ndarray` of exactly the spec's dtype (no silent casts), rank
  and shape (f16 parameters take `np.float16` arrays, bf16 ones `ml_dtypes.bfloat16` arrays);
- an input that is not C-contiguous or not aligned for its dtype is copied into a fresh
  C-contiguous array first (the copy is what the function reads);
- an output or inout must be a writeable, aligned, C-contiguous array; it is never copied,
  since the function's writes must land in it, and it must not overlap any other argument
  (compiled code may assume `noalias` pointers).

The call goes through a ctypes function pointer built once per kernel with `c_void_p`
parameters, which releases the GIL for the duration of the call.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from ziggurat.errors import ArgumentError, ZigguratError
from ziggurat.runtime import native_call
from ziggurat.runtime import threads as _threads

ROLES = ("in", "out", "inout")


class ZigguratCallError(ArgumentError):
    """An argument passed to a compiled kernel does not match its signature (an
    `ArgumentError`, hence also a `ValueError` and a `TypeError`)."""


class ZigguratCallTypeError(ZigguratCallError):
    """An argument of the wrong Python type or dtype."""


class ZigguratRuntimeError(ZigguratError, RuntimeError):
    """The runtime failed while a compiled kernel ran (e.g. in a parallel loop)."""


@dataclass(frozen=True)
class ArgSpec:
    """One pointer parameter of a compiled function: a statically shaped, row-major memref.

    Example: `ArgSpec((128, 64), np.float32, "in")`. `dtype` is a numpy numeric dtype or
    `ml_dtypes.bfloat16`.
    """

    shape: tuple[int, ...]
    dtype: Any
    role: str = "in"
    name: str | None = None

    def __post_init__(self) -> None:
        shape = tuple(int(d) for d in self.shape)
        if any(d < 0 for d in shape):
            raise ValueError(f"ArgSpec shape must be non-negative, got {shape}")
        dtype = np.dtype(self.dtype)
        numeric = dtype.kind in "biufc" or dtype.name == "bfloat16"  # ml_dtypes.bfloat16
        if not dtype.isnative or dtype.hasobject or not numeric:
            raise ValueError(f"ArgSpec dtype must be a native numeric dtype, got {dtype}")
        if self.role not in ROLES:
            raise ValueError(f"ArgSpec role must be one of {ROLES}, got {self.role!r}")
        object.__setattr__(self, "shape", shape)
        object.__setattr__(self, "dtype", dtype)

    @property
    def rank(self) -> int:
        """Number of dimensions."""
        return len(self.shape)

    @property
    def nbytes(self) -> int:
        """Size of the buffer in bytes."""
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize

    @property
    def writes(self) -> bool:
        """Whether the function writes this buffer (role out or inout)."""
        return self.role != "in"

    def __str__(self) -> str:
        return f"{self.role} {self.dtype}{list(self.shape)}"


def check_signature(
    name: str, specs: Sequence[ArgSpec], param_types: Sequence[str]
) -> tuple[ArgSpec, ...]:
    """Check `specs` against the LLVM parameter types of function `name` (all must be `ptr`)."""
    specs = tuple(specs)
    for spec in specs:
        if not isinstance(spec, ArgSpec):
            raise TypeError(f"signature of @{name}: expected ArgSpec entries, got {spec!r}")
    if len(specs) != len(param_types):
        raise ValueError(
            f"signature of @{name} lists {len(specs)} arguments, "
            f"but the function takes {len(param_types)} ({', '.join(param_types) or 'none'})"
        )
    for index, param in enumerate(param_types):
        if param != "ptr":
            raise ValueError(
                f"@{name} parameter {index} has LLVM type {param}; "
                "the runtime passes every argument as a bare pointer (ptr)"
            )
    return specs


def _address(array: np.ndarray) -> int:
    """The data address of a C-contiguous array.

    `c_char.from_buffer` is about 3x faster than `array.ctypes.data` but needs a writeable,
    non-empty buffer; other arrays take the slow path.
    """
    try:
        return ctypes.addressof(ctypes.c_char.from_buffer(array))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return int(array.ctypes.data)


def _c_strides(spec: ArgSpec) -> tuple[int, ...]:
    """The strides of a C-contiguous array of `spec`'s shape and dtype (numpy's for every
    shape without a zero extent; arrays of zero size never match them and take the checked
    path, which is as good for them)."""
    strides: list[int] = []
    step = spec.dtype.itemsize
    for extent in reversed(spec.shape):
        strides.append(step)
        step *= extent
    return tuple(reversed(strides))


_Fact = tuple[Any, tuple[int, ...], tuple[int, ...], int, bool]


def _find_data_offset() -> int | None:
    """Where an ndarray object keeps its data pointer, relative to `id(array)`.

    numpy's `PyArrayObject_fields` starts with the object header, then `char *data`; the
    candidate offset (the size of a bare object's header) is used only if it gives the data
    address of a few probe arrays and views exactly, else None (the fast path then reads the
    address through the buffer protocol).
    """
    offset = object.__basicsize__
    base = np.arange(64, dtype=np.float64)
    probes: list[np.ndarray[Any, Any]] = [base, base[3:], base[::2], np.empty((2, 3), np.float32)]
    probes.append(np.zeros(1, np.uint8))
    probes.append(np.frombuffer(bytes(16), np.uint8))  # read-only
    try:
        for probe in probes:
            if ctypes.c_void_p.from_address(id(probe) + offset).value != probe.ctypes.data:
                return None
    except (ValueError, OverflowError):
        return None
    return offset


_DATA_OFFSET = _find_data_offset()
_pointer_at = ctypes.c_void_p.from_address


def _data_address(array: np.ndarray) -> int:
    """The data address of an exact `numpy.ndarray` (readable or not)."""
    if _DATA_OFFSET is not None:
        return _pointer_at(id(array) + _DATA_OFFSET).value or 0
    return _address(array)


def _fast_address(array: object, fact: _Fact) -> int:
    """The address of `array` if it is exactly what the parameter `fact` describes (its dtype
    object, shape, C-contiguous strides, aligned; writeable if written), else -1."""
    if type(array) is not np.ndarray:
        return -1
    dtype, shape, strides, alignment, writes = fact
    if array.dtype is not dtype or array.shape != shape or array.strides != strides:
        return -1
    if writes and not array.flags.writeable:
        return -1
    address = _data_address(array)
    return -1 if address == 0 or address % alignment else address


def _label(kernel: str, index: int, spec: ArgSpec) -> str:
    role = {"in": "input", "out": "output", "inout": "inout"}[spec.role]
    named = f" {spec.name!r}" if spec.name else ""
    return f"@{kernel} argument {index}{named} ({role})"


class Kernel:
    """A compiled function callable with numpy arrays.

    `kernel(*inputs)` allocates the outputs and returns them; `kernel(*inputs, *outputs)` writes
    into the given outputs and returns them. One output is returned as an array, several as a
    tuple, none as None. `threads=` overrides the thread count of this call's parallel loops.
    """

    def __init__(self, name: str, address: int, specs: Sequence[ArgSpec], owner: object) -> None:
        self.name = name
        self.address = address
        self.specs = tuple(specs)
        self._owner = owner
        self._cfunc = ctypes.CFUNCTYPE(None, *([ctypes.c_void_p] * len(self.specs)))(address)
        self._given = tuple(i for i, s in enumerate(self.specs) if s.role != "out")
        self._outputs = tuple(i for i, s in enumerate(self.specs) if s.role == "out")
        self._writes = tuple(i for i, s in enumerate(self.specs) if s.writes)
        # The fast path's facts per parameter: (dtype, shape, C-contiguous strides, alignment,
        # written?), and how to allocate the outputs the caller leaves out.
        self._fast = tuple(
            (s.dtype, s.shape, _c_strides(s), s.dtype.alignment, s.writes) for s in self.specs
        )
        self._fast_given = tuple(self._fast[i] for i in self._given)
        self._fast_outputs = tuple((s.shape, s.dtype) for s in self.specs if s.role == "out")
        self._inouts = any(s.role == "inout" for s in self.specs)
        self._trailing_outputs = self._given == tuple(range(len(self._given)))
        self._sizes = tuple(s.nbytes for s in self.specs)

    def __repr__(self) -> str:
        specs = ", ".join(str(s) for s in self.specs)
        return f"Kernel(@{self.name}({specs}))"

    def _arity_error(self, got: int) -> ZigguratCallError:
        given, outs = len(self._given), len(self._outputs)
        expected = f"{given} arguments" if not outs else f"{given} or {given + outs} arguments"
        return ZigguratCallError(
            f"@{self.name} takes {expected} ({', '.join(str(s) for s in self.specs)}), got {got}"
        )

    def _check(self, index: int, array: object, spec: ArgSpec) -> np.ndarray:
        if not isinstance(array, np.ndarray):
            raise ZigguratCallTypeError(
                f"{_label(self.name, index, spec)}: expected a numpy.ndarray of "
                f"dtype {spec.dtype} and shape {spec.shape}, got {type(array).__name__}"
            )
        if array.dtype is not spec.dtype and array.dtype != spec.dtype:
            raise ZigguratCallTypeError(
                f"{_label(self.name, index, spec)}: expected dtype {spec.dtype}, got {array.dtype}"
            )
        if array.shape != spec.shape:
            if array.ndim != spec.rank:
                raise ZigguratCallError(
                    f"{_label(self.name, index, spec)}: expected rank {spec.rank} "
                    f"(shape {spec.shape}), got rank {array.ndim} (shape {array.shape})"
                )
            raise ZigguratCallError(
                f"{_label(self.name, index, spec)}: expected shape {spec.shape}, got {array.shape}"
            )
        flags = array.flags
        if not spec.writes:
            if not (flags.c_contiguous and flags.aligned):
                return np.array(array, order="C", copy=True)
            return array
        if not flags.writeable:
            raise ZigguratCallError(
                f"{_label(self.name, index, spec)}: the array is read-only; "
                "outputs must be writeable"
            )
        if not flags.c_contiguous:
            raise ZigguratCallError(
                f"{_label(self.name, index, spec)}: expected a C-contiguous array, got a "
                f"non-contiguous one (strides {array.strides}); outputs are written in place, "
                "so pass a C-contiguous array (or omit outputs to have them allocated)"
            )
        if not flags.aligned:
            raise ZigguratCallError(
                f"{_label(self.name, index, spec)}: the array is not aligned to "
                f"{spec.dtype.alignment} bytes; outputs must be aligned"
            )
        return array

    def _overlap(self, addresses: list[int]) -> bool:
        """Whether a written buffer overlaps another argument, for C-contiguous arguments of
        exactly the specs' sizes at `addresses` (the fast path's)."""
        sizes = self._sizes
        for w in self._writes:
            start, end = addresses[w], addresses[w] + sizes[w]
            if start == end:
                continue
            for other, address in enumerate(addresses):
                size = sizes[other]
                if other != w and size and address < end and start < address + size:
                    return True
        return False

    def _check_overlap(self, arrays: list[np.ndarray], addresses: list[int]) -> None:
        for w in self._writes:
            start, end = addresses[w], addresses[w] + arrays[w].nbytes
            if start == end:
                continue
            for other, array in enumerate(arrays):
                if other == w or array.nbytes == 0:
                    continue
                if addresses[other] < end and start < addresses[other] + array.nbytes:
                    raise ZigguratCallError(
                        f"{_label(self.name, w, self.specs[w])} overlaps the memory of "
                        f"argument {other}; a written buffer must not alias another argument"
                    )

    def _with_out(self, args: tuple[object, ...], out: object) -> tuple[object, ...]:
        """`args` followed by the output arrays of `out=` (one array, or a tuple/list)."""
        outs = tuple(out) if isinstance(out, tuple | list) else (out,)
        count = len(self._outputs)
        if len(outs) != count or len(args) != len(self._given):
            wanted = ", ".join(str(self.specs[i]) for i in self._outputs) or "none"
            raise ZigguratCallError(
                f"@{self.name} with out= takes {len(self._given)} arguments and {count} "
                f"output array{'s' if count != 1 else ''} in out= ({wanted}), got "
                f"{len(args)} arguments and {len(outs)} in out="
            )
        return args + outs

    def __call__(self, *args: object, threads: int | None = None, out: object = None) -> Any:
        """Check the arguments, call the function, return the outputs.

        `out=` (an array, or a tuple of arrays with several outputs) gives the output buffers
        by keyword; it is the same as passing them after the inputs.
        """
        if out is not None:
            args = self._with_out(args, out)
        arrays: list[Any] | None = None
        addresses: list[int] | None
        if len(args) == len(self._given) and self._trailing_outputs:
            addresses = []
            for array, fact in zip(args, self._fast_given, strict=True):
                address = _fast_address(array, fact)
                if address < 0:
                    break
                addresses.append(address)
            else:
                arrays = [*args]
            if arrays is not None:
                for shape, dtype in self._fast_outputs:
                    fresh = np.empty(shape, dtype)
                    arrays.append(fresh)
                    addresses.append(_data_address(fresh))
                if self._inouts and self._overlap(addresses):
                    self._check_overlap(arrays, addresses)  # raises, naming the arguments
        elif len(args) == len(self.specs):
            addresses = []
            for array, fact in zip(args, self._fast, strict=True):
                address = _fast_address(array, fact)
                if address < 0:
                    break
                addresses.append(address)
            else:
                arrays = [*args]
            if arrays is not None and self._writes and self._overlap(addresses):
                self._check_overlap(arrays, addresses)  # raises, naming the arguments
        else:
            addresses = None
        if arrays is None or addresses is None:
            arrays, addresses = self._checked(args)
        if threads is None:
            self._cfunc(*addresses)
        else:
            with _threads.num_threads(threads):
                self._cfunc(*addresses)
        if _threads._state.pending_error is not None:
            self._raise_pending()
        outputs = self._outputs
        if not outputs:
            return None
        if len(outputs) == 1:
            return arrays[outputs[0]]
        return tuple(arrays[i] for i in outputs)

    def _raise_pending(self) -> None:
        """Raise the error a parallel loop of this call stored on this thread, if any."""
        error = _threads.take_pending_error()
        if error is not None:
            raise ZigguratRuntimeError(f"@{self.name}: a parallel loop failed: {error!r}") from error

    def native_entry(
        self, fallback: Callable[..., Any] | None = None, out_keyword: bool = True
    ) -> Callable[..., Any]:
        """A callable that behaves like this kernel and does the common call natively
        (`runtime/native_call.py`: exact arrays of the right dtype, shape and layout as
        positional inputs, the outputs allocated and returned, or, for a kernel with one
        output and when `out_keyword`, given as `out=`: writeable, overlapping no input);
        every other call goes to `fallback` (default: the kernel itself). `fallback` itself
        where there is no native entry (a kernel with an `inout` parameter, no output or
        more than 16 parameters, or object layouts the entry does not know)."""
        specs = self.specs
        fallback = self if fallback is None else fallback
        if self._inouts or not self._outputs or not self._trailing_outputs:
            return fallback
        if len(specs) > native_call.MAX_PARAMS:
            return fallback
        entry = _threads.native_call_entry()
        if entry is None:
            return fallback
        inputs = [(s.dtype, s.shape) for s in specs if s.role == "in"]
        outputs = [(s.dtype, s.shape) for s in specs if s.role == "out"]
        return cast(
            Callable[..., Any],
            native_call.make_entry(
                entry,
                self.name,
                self.address,
                inputs,
                outputs,
                fallback,
                self._raise_pending,
                out_keyword,
            ),
        )

    def _checked(self, args: tuple[object, ...]) -> tuple[list[np.ndarray], list[int]]:
        """The arrays to pass (inputs copied where needed, outputs allocated) and their
        addresses, after checking every argument: the path of any call the fast path in
        `__call__` does not take, and the one that raises on a bad argument."""
        specs = self.specs
        if len(args) == len(specs):
            supplied = list(args)
        elif len(args) == len(self._given):
            supplied = [None] * len(specs)
            for position, index in enumerate(self._given):
                supplied[index] = args[position]
            for index in self._outputs:
                spec = specs[index]
                supplied[index] = np.empty(spec.shape, spec.dtype)
        else:
            raise self._arity_error(len(args))
        arrays = [
            self._check(i, a, s) for i, (a, s) in enumerate(zip(supplied, specs, strict=True))
        ]
        addresses = [_address(a) for a in arrays]
        if self._writes:
            self._check_overlap(arrays, addresses)
        return arrays, addresses
