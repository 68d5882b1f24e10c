"""Kernel timings from compiled code: the `ziggurat_profile_mark` symbol.

Code compiled with `ztensor-to-ztile{profile=true}` calls `ziggurat_profile_mark(2k)` before
its kernel `k` and `ziggurat_profile_mark(2k + 1)` after it, on the thread that called the
function (kernels are never inside a parallel region). While `recording()` is active on that
thread, each mark appends `(mark, time.perf_counter_ns())` to the list it yields; on other
threads and outside a recording a mark does nothing but return. A mark is a ctypes callback
(about a microsecond), so kernels timed this way should be longer than a few microseconds.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
import time
from collections.abc import Iterator

_MARK_TYPE = ctypes.CFUNCTYPE(None, ctypes.c_int64)


class _Marks(threading.local):
    def __init__(self) -> None:
        self.active: list[tuple[int, int]] | None = None


_MARKS = _Marks()


def _mark(mark: int) -> None:
    active = _MARKS.active
    if active is not None:
        active.append((mark, time.perf_counter_ns()))


_CALLBACK = _MARK_TYPE(_mark)


def mark_address() -> int:
    """The address of `ziggurat_profile_mark` (callable from compiled code)."""
    address = ctypes.cast(_CALLBACK, ctypes.c_void_p).value
    assert address is not None
    return address


@contextlib.contextmanager
def recording() -> Iterator[list[tuple[int, int]]]:
    """Record the marks made on this thread inside the `with` block (nested recordings are
    an error: the outer one would miss the inner one's marks)."""
    if _MARKS.active is not None:
        raise RuntimeError("profile.recording() is already active on this thread")
    marks: list[tuple[int, int]] = []
    _MARKS.active = marks
    try:
        yield marks
    finally:
        _MARKS.active = None


def kernel_times(marks: list[tuple[int, int]]) -> dict[int, int]:
    """Nanoseconds per kernel index from one call's marks: the time from mark `2k` to the
    next mark `2k + 1`, summed when kernel `k` ran more than once. An unmatched mark raises
    ValueError (the code was not compiled with balanced marks)."""
    times: dict[int, int] = {}
    started: dict[int, int] = {}
    for mark, ns in marks:
        kernel, end = divmod(mark, 2)
        if not end:
            if kernel in started:
                raise ValueError(f"kernel {kernel} started twice without ending")
            started[kernel] = ns
        elif kernel not in started:
            raise ValueError(f"kernel {kernel} ended without starting")
        else:
            times[kernel] = times.get(kernel, 0) + ns - started.pop(kernel)
    if started:
        raise ValueError(f"kernel(s) {sorted(started)} started without ending")
    return times


__all__ = ["kernel_times", "mark_address", "recording"]
