"""A native entry for calling a compiled kernel from Python: `zt_call`, in LLVM IR.

`Kernel.__call__` checks every argument in Python and costs a few microseconds, more than a
small kernel itself. `zt_call` is a CPython `METH_FASTCALL | METH_KEYWORDS` function that
does the common call natively: its `self` is a tuple whose first item is a capsule holding
a descriptor (below); for each positional argument it checks that the object is exactly a
`numpy.ndarray` with the parameter's dtype object, rank and shape, C-contiguous and aligned
(the `PyArrayObject` fields, at offsets checked against live arrays before any entry is
made: `array_layout`), allocates every output by calling its allocator (a
`functools.partial(numpy.empty, shape, dtype)`), releases the GIL around the kernel and
returns the output (a tuple of them if several). A kernel with one output may also be
given it as `out=` (when the entry was made with `out_keyword`): the array is checked like
an input and must be writeable and overlap no input (its bytes and theirs, from the data
pointers and sizes), and it is returned. Anything else (other keyword arguments, another
argument count, any argument that does not match) goes to the fallback, the `Kernel` object
itself, which checks, copies or raises exactly as before. After the kernel, if a parallel
loop stored an error in Python (`zt_errors` changed), the "raise pending" callable raises it.

Only kernels whose parameters are inputs followed by at least one output (no `inout`), at
most `MAX_PARAMS` of them, get an entry. The descriptor is an array of 64-bit words:

    [0] the kernel's address  [1] inputs  [2] outputs  [3] the numpy.ndarray type object
    [4] the fallback  [5] the raise-pending callable  [6] calls made natively (a counter)
    [7] the "out" string object when `out=` is taken natively, else 0
    then per input: the dtype object, the rank, the address of its shape (int64 words),
        its size in bytes
    then per output: the allocator, the dtype object, the rank, the shape, the size
"""

from __future__ import annotations

import ctypes
import sys
from functools import partial
from typing import Any

import numpy as np

MAX_PARAMS = 16
"""Most parameters (inputs and outputs) a kernel with a native entry may have."""

HEADER_WORDS = 8
INPUT_WORDS = 4
OUTPUT_WORDS = 5

METH_FASTCALL_KEYWORDS = 0x80 | 0x02

PYTHON_API = (
    "PyCapsule_GetPointer",
    "PyObject_Vectorcall",
    "PyObject_CallNoArgs",
    "PyEval_SaveThread",
    "PyEval_RestoreThread",
    "PyTuple_New",
    "PyTuple_SetItem",
    "Py_DecRef",
    "Py_IncRef",
)
"""The CPython functions `zt_call` calls (their addresses come from `ctypes.pythonapi`)."""

ARRAY_C_CONTIGUOUS = 0x0001
ARRAY_ALIGNED = 0x0100
ARRAY_WRITEABLE = 0x0400


def python_api_symbols() -> dict[str, int]:
    """Name -> address of each function of `PYTHON_API` in this process."""
    return {
        name: int(ctypes.cast(getattr(ctypes.pythonapi, name), ctypes.c_void_p).value or 0)
        for name in PYTHON_API
    }


def _read_word(address: int) -> int:
    return int(ctypes.c_int64.from_address(address).value)


def array_layout() -> dict[str, int] | None:
    """Offsets (from the object's address) of the `PyArrayObject` fields `zt_call` reads, and
    of an object's type and a tuple's first item, if this process's numpy and CPython have
    the layout `zt_call` assumes (checked on probe arrays and a tuple), else None."""
    head = object.__basicsize__
    layout = {
        "type": head - 8,
        "data": head,
        "nd": head + 8,
        "dims": head + 16,
        "descr": head + 40,
        "flags": head + 48,
        "tuple_item": tuple.__basicsize__,
        "tuple_size": tuple.__basicsize__ - 8,
    }
    base = np.arange(60, dtype=np.float64)
    probes: list[np.ndarray[Any, Any]] = [
        base,
        base.reshape(3, 4, 5),
        base[::2],
        np.empty((2, 3), np.float32),
        np.zeros((1, 7), np.int32)[:, 2:],
        np.asfortranarray(np.ones((3, 2))),
        np.broadcast_to(base, (2, 60)),  # read-only
    ]
    try:
        for probe in probes:
            at = id(probe)
            if _read_word(at + layout["type"]) != id(np.ndarray):
                return None
            if _read_word(at + layout["data"]) != probe.ctypes.data:
                return None
            if ctypes.c_int32.from_address(at + layout["nd"]).value != probe.ndim:
                return None
            dims = _read_word(at + layout["dims"])
            shape = tuple(_read_word(dims + 8 * i) for i in range(probe.ndim))
            if shape != probe.shape:
                return None
            if _read_word(at + layout["descr"]) != id(probe.dtype):
                return None
            flags = ctypes.c_int32.from_address(at + layout["flags"]).value
            if bool(flags & ARRAY_C_CONTIGUOUS) != probe.flags.c_contiguous:
                return None
            if bool(flags & ARRAY_ALIGNED) != probe.flags.aligned:
                return None
            if bool(flags & ARRAY_WRITEABLE) != probe.flags.writeable:
                return None
        pair = (base, probes)
        if _read_word(id(pair) + layout["tuple_item"]) != id(base):
            return None
        if _read_word(id(pair) + layout["tuple_size"]) != len(pair):
            return None
    except (ValueError, OverflowError):
        return None
    return layout


def native_call_ir(layout: dict[str, int]) -> str:
    """The LLVM IR of `zt_call` (and of the `zt_errors` counter) for these field offsets."""
    calls = []
    cases = []
    for n in range(1, MAX_PARAMS + 1):
        loads = []
        names = []
        for i in range(n):
            loads.append(f"  %p{n}_{i}ptr = getelementptr ptr, ptr %params, i64 {i}")
            loads.append(f"  %p{n}_{i} = load ptr, ptr %p{n}_{i}ptr")
            names.append(f"ptr %p{n}_{i}")
        calls.append(
            f"arity{n}:\n" + "\n".join(loads) + f"\n  call void %fn({', '.join(names)})\n"
            "  br label %called"
        )
        cases.append(f"i64 {n}, label %arity{n}")
    arities = "\n".join(calls)
    switch = " ".join(cases)
    item = layout["tuple_item"]
    read = ARRAY_C_CONTIGUOUS | ARRAY_ALIGNED
    write = read | ARRAY_WRITEABLE
    return f"""
declare ptr @PyCapsule_GetPointer(ptr, ptr)
declare ptr @PyObject_Vectorcall(ptr, ptr, i64, ptr)
declare ptr @PyObject_CallNoArgs(ptr)
declare ptr @PyEval_SaveThread()
declare void @PyEval_RestoreThread(ptr)
declare ptr @PyTuple_New(i64)
declare i32 @PyTuple_SetItem(ptr, i64, ptr)
declare void @Py_DecRef(ptr)
declare void @Py_IncRef(ptr)

@zt_errors = global i64 0

define internal i64 @zt_word(ptr %d, i64 %i) {{
  %p = getelementptr i64, ptr %d, i64 %i
  %v = load i64, ptr %p
  ret i64 %v
}}

; The data pointer of %obj if it is exactly a numpy.ndarray (type word %typew) with the
; dtype object, rank and shape of descriptor words %w, %w+1, %w+2 and every flag of %need;
; else null.
define internal ptr @zt_array(ptr %obj, ptr %d, i64 %w, i64 %typew, i32 %need) {{
entry:
  %objtypep = getelementptr i8, ptr %obj, i64 {layout["type"]}
  %objtype = load i64, ptr %objtypep
  %isarray = icmp eq i64 %objtype, %typew
  br i1 %isarray, label %fields, label %no
fields:
  %wantdescr = call i64 @zt_word(ptr %d, i64 %w)
  %wr = add i64 %w, 1
  %wantnd = call i64 @zt_word(ptr %d, i64 %wr)
  %ws = add i64 %w, 2
  %wantdimsw = call i64 @zt_word(ptr %d, i64 %ws)
  %wantdims = inttoptr i64 %wantdimsw to ptr
  %descrp = getelementptr i8, ptr %obj, i64 {layout["descr"]}
  %descr = load i64, ptr %descrp
  %ndp = getelementptr i8, ptr %obj, i64 {layout["nd"]}
  %nd32 = load i32, ptr %ndp
  %nd = sext i32 %nd32 to i64
  %flagsp = getelementptr i8, ptr %obj, i64 {layout["flags"]}
  %flags = load i32, ptr %flagsp
  %has = and i32 %flags, %need
  %flagsok = icmp eq i32 %has, %need
  %descrok = icmp eq i64 %descr, %wantdescr
  %ndok = icmp eq i64 %nd, %wantnd
  %ok1 = and i1 %flagsok, %descrok
  %ok2 = and i1 %ok1, %ndok
  br i1 %ok2, label %dims, label %no
dims:
  %dimsp = getelementptr i8, ptr %obj, i64 {layout["dims"]}
  %objdims = load ptr, ptr %dimsp
  br label %dim
dim:
  %k = phi i64 [0, %dims], [%k1, %dim_ok]
  %dmore = icmp ult i64 %k, %nd
  br i1 %dmore, label %dim_check, label %yes
dim_check:
  %gp = getelementptr i64, ptr %objdims, i64 %k
  %got = load i64, ptr %gp
  %ep = getelementptr i64, ptr %wantdims, i64 %k
  %exp = load i64, ptr %ep
  %same = icmp eq i64 %got, %exp
  br i1 %same, label %dim_ok, label %no
dim_ok:
  %k1 = add i64 %k, 1
  br label %dim
yes:
  %datap = getelementptr i8, ptr %obj, i64 {layout["data"]}
  %data = load ptr, ptr %datap
  ret ptr %data
no:
  ret ptr null
}}

; Decrement the first %n outputs (after a failure).
define internal void @zt_drop(ptr %outs, i64 %n) {{
entry:
  br label %loop
loop:
  %j = phi i64 [0, %entry], [%j1, %body]
  %more = icmp ult i64 %j, %n
  br i1 %more, label %body, label %exit
body:
  %op = getelementptr ptr, ptr %outs, i64 %j
  %o = load ptr, ptr %op
  call void @Py_DecRef(ptr %o)
  %j1 = add i64 %j, 1
  br label %loop
exit:
  ret void
}}

define ptr @zt_call(ptr %self, ptr %args, i64 %nargs, ptr %kwnames) {{
entry:
  %params = alloca [{MAX_PARAMS} x ptr], align 8
  %outs = alloca [{MAX_PARAMS} x ptr], align 8
  %capp = getelementptr i8, ptr %self, i64 {item}
  %capsule = load ptr, ptr %capp
  %d = call ptr @PyCapsule_GetPointer(ptr %capsule, ptr null)
  %dnull = icmp eq ptr %d, null
  br i1 %dnull, label %error, label %start
start:
  %fnw = call i64 @zt_word(ptr %d, i64 0)
  %fn = inttoptr i64 %fnw to ptr
  %nin = call i64 @zt_word(ptr %d, i64 1)
  %nout = call i64 @zt_word(ptr %d, i64 2)
  %typew = call i64 @zt_word(ptr %d, i64 3)
  %nokw = icmp eq ptr %kwnames, null
  %count = icmp eq i64 %nargs, %nin
  br i1 %count, label %keywords, label %fallback
keywords:
  br i1 %nokw, label %inputs, label %out_keyword
out_keyword:
  %outname = call i64 @zt_word(ptr %d, i64 7)
  %takes = icmp ne i64 %outname, 0
  %one_out = icmp eq i64 %nout, 1
  %may = and i1 %takes, %one_out
  br i1 %may, label %out_name, label %fallback
out_name:
  %kwsizep = getelementptr i8, ptr %kwnames, i64 {layout["tuple_size"]}
  %kwsize = load i64, ptr %kwsizep
  %kw0p = getelementptr i8, ptr %kwnames, i64 {item}
  %kw0 = load ptr, ptr %kw0p
  %kw0w = ptrtoint ptr %kw0 to i64
  %single_kw = icmp eq i64 %kwsize, 1
  %is_out = icmp eq i64 %kw0w, %outname
  %out_only = and i1 %single_kw, %is_out
  br i1 %out_only, label %inputs, label %fallback
inputs:
  %i = phi i64 [0, %keywords], [0, %out_name], [%i1, %input_ok]
  %inmore = icmp ult i64 %i, %nin
  br i1 %inmore, label %input, label %inputs_done
input:
  %argp = getelementptr ptr, ptr %args, i64 %i
  %obj = load ptr, ptr %argp
  %w0 = mul i64 %i, {INPUT_WORDS}
  %w = add i64 %w0, {HEADER_WORDS}
  %data = call ptr @zt_array(ptr %obj, ptr %d, i64 %w, i64 %typew, i32 {read})
  %bad = icmp eq ptr %data, null
  br i1 %bad, label %fallback, label %input_ok
input_ok:
  %slot = getelementptr ptr, ptr %params, i64 %i
  store ptr %data, ptr %slot
  %i1 = add i64 %i, 1
  br label %inputs
inputs_done:
  %outw0 = mul i64 %nin, {INPUT_WORDS}
  %outw = add i64 %outw0, {HEADER_WORDS}
  br i1 %nokw, label %allocate, label %given
given:
  %gobjp = getelementptr ptr, ptr %args, i64 %nargs
  %gobj = load ptr, ptr %gobjp
  %gw = add i64 %outw, 1
  %gdata = call ptr @zt_array(ptr %gobj, ptr %d, i64 %gw, i64 %typew, i32 {write})
  %gbad = icmp eq ptr %gdata, null
  br i1 %gbad, label %fallback, label %overlap
overlap:
  %gsizew = add i64 %outw, 4
  %gsize = call i64 @zt_word(ptr %d, i64 %gsizew)
  %gstart = ptrtoint ptr %gdata to i64
  %gend = add i64 %gstart, %gsize
  br label %against
against:
  %q = phi i64 [0, %overlap], [%q1, %apart]
  %qmore = icmp ult i64 %q, %nin
  br i1 %qmore, label %against_one, label %given_ok
against_one:
  %qslot = getelementptr ptr, ptr %params, i64 %q
  %qdata = load ptr, ptr %qslot
  %qstart = ptrtoint ptr %qdata to i64
  %qw0 = mul i64 %q, {INPUT_WORDS}
  %qw1 = add i64 %qw0, {HEADER_WORDS}
  %qw = add i64 %qw1, 3
  %qsize = call i64 @zt_word(ptr %d, i64 %qw)
  %qend = add i64 %qstart, %qsize
  %before_end = icmp ult i64 %gstart, %qend
  %after_start = icmp ult i64 %qstart, %gend
  %both = and i1 %before_end, %after_start
  %gnonempty = icmp ne i64 %gsize, 0
  %qnonempty = icmp ne i64 %qsize, 0
  %nonempty = and i1 %gnonempty, %qnonempty
  %overlaps = and i1 %both, %nonempty
  br i1 %overlaps, label %fallback, label %apart
apart:
  %q1 = add i64 %q, 1
  br label %against
given_ok:
  call void @Py_IncRef(ptr %gobj)
  store ptr %gobj, ptr %outs
  %gpslot = getelementptr ptr, ptr %params, i64 %nin
  store ptr %gdata, ptr %gpslot
  br label %run
allocate:
  %j = phi i64 [0, %inputs_done], [%j1, %allocated]
  %omore = icmp ult i64 %j, %nout
  br i1 %omore, label %alloc_one, label %run
alloc_one:
  %aw0 = mul i64 %j, {OUTPUT_WORDS}
  %aw = add i64 %outw, %aw0
  %allocw = call i64 @zt_word(ptr %d, i64 %aw)
  %alloc = inttoptr i64 %allocw to ptr
  %out = call ptr @PyObject_CallNoArgs(ptr %alloc)
  %outnull = icmp eq ptr %out, null
  br i1 %outnull, label %alloc_failed, label %allocated
alloc_failed:
  call void @zt_drop(ptr %outs, i64 %j)
  ret ptr null
allocated:
  %outslot = getelementptr ptr, ptr %outs, i64 %j
  store ptr %out, ptr %outslot
  %odatap = getelementptr i8, ptr %out, i64 {layout["data"]}
  %odata = load ptr, ptr %odatap
  %pi = add i64 %nin, %j
  %pslot = getelementptr ptr, ptr %params, i64 %pi
  store ptr %odata, ptr %pslot
  %j1 = add i64 %j, 1
  br label %allocate
run:
  %callsp = getelementptr i64, ptr %d, i64 6
  %calls = load i64, ptr %callsp
  %calls1 = add i64 %calls, 1
  store i64 %calls1, ptr %callsp
  %before = load atomic i64, ptr @zt_errors monotonic, align 8
  %total = add i64 %nin, %nout
  %state = call ptr @PyEval_SaveThread()
  switch i64 %total, label %called [ {switch} ]
{arities}
called:
  call void @PyEval_RestoreThread(ptr %state)
  %after = load atomic i64, ptr @zt_errors monotonic, align 8
  %clean = icmp eq i64 %before, %after
  br i1 %clean, label %results, label %pending
pending:
  %raisew = call i64 @zt_word(ptr %d, i64 5)
  %raise = inttoptr i64 %raisew to ptr
  %r = call ptr @PyObject_CallNoArgs(ptr %raise)
  %raised = icmp eq ptr %r, null
  br i1 %raised, label %pending_failed, label %pending_none
pending_failed:
  call void @zt_drop(ptr %outs, i64 %nout)
  ret ptr null
pending_none:
  call void @Py_DecRef(ptr %r)
  br label %results
results:
  %single = icmp eq i64 %nout, 1
  br i1 %single, label %one, label %tuple
one:
  %o0 = load ptr, ptr %outs
  ret ptr %o0
tuple:
  %t = call ptr @PyTuple_New(i64 %nout)
  %tnull = icmp eq ptr %t, null
  br i1 %tnull, label %tuple_failed, label %fill
tuple_failed:
  call void @zt_drop(ptr %outs, i64 %nout)
  ret ptr null
fill:
  %m = phi i64 [0, %tuple], [%m1, %put]
  %fmore = icmp ult i64 %m, %nout
  br i1 %fmore, label %put, label %filled
put:
  %tp = getelementptr ptr, ptr %outs, i64 %m
  %to = load ptr, ptr %tp
  %set = call i32 @PyTuple_SetItem(ptr %t, i64 %m, ptr %to)
  %m1 = add i64 %m, 1
  br label %fill
filled:
  ret ptr %t
fallback:
  %fbw = call i64 @zt_word(ptr %d, i64 4)
  %fb = inttoptr i64 %fbw to ptr
  %res = call ptr @PyObject_Vectorcall(ptr %fb, ptr %args, i64 %nargs, ptr %kwnames)
  ret ptr %res
error:
  ret ptr null
}}
"""


class _MethodDef(ctypes.Structure):
    _fields_ = (
        ("ml_name", ctypes.c_char_p),
        ("ml_meth", ctypes.c_void_p),
        ("ml_flags", ctypes.c_int),
        ("ml_doc", ctypes.c_char_p),
    )


_new_function = ctypes.pythonapi.PyCFunction_NewEx
_new_function.restype = ctypes.py_object
_new_function.argtypes = (ctypes.POINTER(_MethodDef), ctypes.py_object, ctypes.c_void_p)
_new_capsule = ctypes.pythonapi.PyCapsule_New
_new_capsule.restype = ctypes.py_object
_new_capsule.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p)


def make_entry(
    entry_address: int,
    name: str,
    kernel_address: int,
    inputs: list[tuple[np.dtype[Any], tuple[int, ...]]],
    outputs: list[tuple[np.dtype[Any], tuple[int, ...]]],
    fallback: Any,
    raise_pending: Any,
    out_keyword: bool = False,
) -> Any:
    """A Python callable that calls the kernel at `kernel_address` through `zt_call` (at
    `entry_address`): inputs are (dtype, shape) pairs checked per call, outputs are
    allocated per call, or, with `out_keyword` and one output, given as `out=`; any other
    call goes to `fallback`."""
    if not outputs or len(inputs) + len(outputs) > MAX_PARAMS:
        raise ValueError("zt_call: a kernel with 1 output or more and at most 16 parameters")
    keep: list[Any] = []
    out_name = sys.intern("out")
    words: list[int] = [
        kernel_address,
        len(inputs),
        len(outputs),
        id(np.ndarray),
        id(fallback),
        id(raise_pending),
        0,
        id(out_name) if out_keyword else 0,
    ]
    keep += [fallback, raise_pending, out_name]

    def shape_words(dtype: np.dtype[Any], shape: tuple[int, ...]) -> list[int]:
        dims = (ctypes.c_int64 * max(1, len(shape)))(*shape)
        keep.extend((dtype, dims))
        size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        return [id(dtype), len(shape), ctypes.addressof(dims), size]

    for dtype, shape in inputs:
        words += shape_words(dtype, shape)
    for dtype, shape in outputs:
        allocate = partial(np.empty, shape, dtype)
        keep.append(allocate)
        words += [id(allocate), *shape_words(dtype, shape)]
    descriptor = (ctypes.c_int64 * len(words))(*words)
    capsule = _new_capsule(ctypes.addressof(descriptor), None, None)
    method = _MethodDef(name.encode(), entry_address, METH_FASTCALL_KEYWORDS, None)
    owner = (capsule, descriptor, method, keep)
    return _new_function(ctypes.byref(method), owner, None)


def native_calls(entry: Any) -> int:
    """How many calls of `entry` (a `make_entry` callable) ran natively, not through its
    fallback."""
    descriptor = entry.__self__[1]
    return int(descriptor[6])
