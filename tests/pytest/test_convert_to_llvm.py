"""convert-to-llvm + LLVM IR translation: JIT-compiled kernels checked against numpy.

Kernels are optimized by the runtime's backend (`ziggurat.runtime.compiler`), loaded with a
small local MCJIT helper (not the runtime's loader) and called through ctypes with bare
pointers, following the calling convention of docs/lowering.md.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Callable
from typing import Any

import llvmlite.binding as llvm_binding
import numpy as np
import pytest
from llvmlite import ir
from xdsl.dialects.builtin import ModuleOp
from xdsl.parser import Parser

from ziggurat.interpreter import run_function
from ziggurat.lowering.llvm_math import ERF_SPLIT, emit_erf
from ziggurat.lowering.llvm_translate import lower_to_llvm_ir
from ziggurat.runtime import Target, assembly
from ziggurat.runtime.compiler import optimized_module
from ziggurat.universe import make_context

_ENGINES: list[Any] = []


def parse(text: str) -> ModuleOp:
    module = Parser(make_context(), text).parse_module()
    module.verify()
    return module


def jit(text: str, name: str, n_args: int, opt: int = 3) -> Callable[..., None]:
    """Compile `text` through convert-to-llvm and llvmlite; return `name` as a ctypes function."""
    ir_text = lower_to_llvm_ir(parse(text))
    host = Target.host()
    # MCJIT takes ownership of its TargetMachine: give it one of its own.
    tm = llvm_binding.Target.from_triple(host.triple).create_target_machine(
        cpu=host.cpu, features=host.features, opt=opt, codemodel="jitdefault"
    )
    engine = llvm_binding.create_mcjit_compiler(optimized_module(ir_text, host, opt), tm)
    engine.finalize_object()
    _ENGINES.append(engine)
    proto = ctypes.CFUNCTYPE(None, *[ctypes.c_void_p] * n_args)
    return proto(engine.get_function_address(name))


def call(fn: Callable[..., None], *arrays: np.ndarray) -> None:
    fn(*[a.ctypes.data for a in arrays])


ELEMENTWISE = """
func.func @ew(%a: memref<37xf32>, %b: memref<37xf32>, %out: memref<37xf32>) {
  %zv = arith.constant dense<0.0> : vector<16xf32>
  %two = arith.constant 2.0 : f32
  %c32 = arith.constant 32 : index
  %c5 = arith.constant 5 : index
  %twov = vector.broadcast %two : f32 to vector<16xf32>
  zloop.for %i = 0 to 32 step 16 {
    %x = vector.load %a[%i] : memref<37xf32>, vector<16xf32>
    %y = vector.load %b[%i] : memref<37xf32>, vector<16xf32>
    %m = vector.fma %x, %twov, %y : vector<16xf32>
    %r = arith.maximumf %m, %zv : vector<16xf32>
    %t = math.tanh %r : vector<16xf32>
    vector.store %t, %out[%i] : memref<37xf32>, vector<16xf32>
  }
  %mask = vector.create_mask %c5 : vector<16xi1>
  %x = vector.maskedload %a[%c32], %mask, %zv : memref<37xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  %y = vector.maskedload %b[%c32], %mask, %zv : memref<37xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  %m = vector.fma %x, %twov, %y : vector<16xf32>
  %r = arith.maximumf %m, %zv : vector<16xf32>
  %t = math.tanh %r : vector<16xf32>
  vector.maskedstore %out[%c32], %mask, %t : memref<37xf32>, vector<16xi1>, vector<16xf32>
  func.return
}
"""


def test_elementwise_with_vector_tail() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 37)).astype(np.float32)
    out = np.full(40, -7.0, np.float32)  # 3 guard elements past the end must stay untouched
    call(jit(ELEMENTWISE, "ew", 3), a, b, out)
    expected = np.tanh(np.maximum(a.astype(np.float64) * 2 + b, 0))
    np.testing.assert_allclose(out[:37], expected, rtol=2e-6, atol=1e-7)
    assert (out[37:] == -7.0).all()
    reference = np.zeros(37, np.float32)
    run_function(parse(ELEMENTWISE), "ew", a, b, reference)
    np.testing.assert_allclose(out[:37], reference, rtol=2e-6, atol=1e-7)


REDUCTION = """
func.func @rowsum(%a: memref<8x100xf64>, %out: memref<8xf64>) {
  %zv = arith.constant dense<0.0> : vector<8xf64>
  %ninf_s = arith.constant 0xFFF0000000000000 : f64
  %ninf = vector.broadcast %ninf_s : f64 to vector<8xf64>
  zloop.parallel (%r) = (0) to (8) {
    %s, %mx = zloop.for %j = 0 to 96 step 8 iter_args(%acc = %zv, %macc = %ninf) -> (vector<8xf64>, vector<8xf64>) {
      %x = vector.load %a[%r, %j] : memref<8x100xf64>, vector<8xf64>
      %n = arith.addf %acc, %x : vector<8xf64>
      %m = arith.maximumf %macc, %x : vector<8xf64>
      zloop.yield %n, %m : vector<8xf64>, vector<8xf64>
    }
    %head = vector.reduction <add>, %s : vector<8xf64> into f64
    %mxs = vector.reduction <maximumf>, %mx : vector<8xf64> into f64
    %tail = zloop.for %j = 96 to 100 iter_args(%acc = %head) -> (f64) {
      %x = memref.load %a[%r, %j] : memref<8x100xf64>
      %n = arith.addf %acc, %x : f64
      zloop.yield %n : f64
    }
    %res = arith.addf %tail, %mxs : f64
    memref.store %res, %out[%r] : memref<8xf64>
  }
  func.return
}
"""


@pytest.fixture
def serial_parallel_for() -> list[tuple[int, int]]:
    """Provide `ziggurat_parallel_for` as a serial ctypes callback; records (begin, end) chunks."""
    chunks: list[tuple[int, int]] = []
    body_proto = ctypes.CFUNCTYPE(None, ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p)

    @ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p)
    def parallel_for(fn: int, total: int, ctx: int) -> None:
        body = body_proto(fn)
        half = total // 2
        for begin, end in ((0, half), (half, total)):  # two chunks, as a thread pool would
            chunks.append((begin, end))
            body(begin, end, ctx)

    _ENGINES.append(parallel_for)
    llvm_binding.add_symbol(
        "ziggurat_parallel_for", ctypes.cast(parallel_for, ctypes.c_void_p).value
    )
    return chunks


def test_reduction_with_iter_args_in_parallel_loop(
    serial_parallel_for: list[tuple[int, int]],
) -> None:
    a = np.random.default_rng(1).standard_normal((8, 100))
    out = np.zeros(8)
    call(jit(REDUCTION, "rowsum", 2), a, out)
    np.testing.assert_allclose(out, a.sum(axis=1) + a[:, :96].max(axis=1), rtol=1e-12)
    assert serial_parallel_for == [(0, 4), (4, 8)]


PARALLEL_2D = """
func.func @scale(%a: memref<10x37xf32>, %s: memref<1xf32>, %out: memref<10x37xf32>) {
  %c0 = arith.constant 0 : index
  %k = memref.load %s[%c0] : memref<1xf32>
  zloop.parallel (%i, %j) = (0, 1) to (10, 37) step (3, 2) {
    %x = memref.load %a[%i, %j] : memref<10x37xf32>
    %y = arith.mulf %x, %k : f32
    %e = math.exp %y : f32
    memref.store %e, %out[%i, %j] : memref<10x37xf32>
  }
  func.return
}
"""


def test_parallel_loop_2d_with_steps(serial_parallel_for: list[tuple[int, int]]) -> None:
    a = np.random.default_rng(2).standard_normal((10, 37)).astype(np.float32)
    s = np.array([0.5], np.float32)
    out = np.zeros((10, 37), np.float32)
    call(jit(PARALLEL_2D, "scale", 3), a, s, out)
    expected = np.zeros((10, 37), np.float32)
    expected[0:10:3, 1:37:2] = np.exp(a[0:10:3, 1:37:2] * np.float32(0.5))
    np.testing.assert_allclose(out, expected, rtol=2e-7)
    assert serial_parallel_for == [(0, 36), (36, 72)]  # 4 x 18 iterations


SCF_AND_MALLOC = """
func.func @prefix(%a: memref<64xf32>, %out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  %tmp = memref.alloc() : memref<64xf32>
  %stack = memref.alloca() : memref<1xf32>
  memref.store %zero, %stack[%c0] : memref<1xf32>
  %last = scf.for %i = %c0 to %c64 step %c1 iter_args(%acc = %zero) -> (f32) {
    %x = memref.load %a[%i] : memref<64xf32>
    %neg = arith.cmpf olt, %x, %zero : f32
    %v = scf.if %neg -> (f32) {
      %n = arith.negf %x : f32
      scf.yield %n : f32
    } else {
      scf.yield %x : f32
    }
    %s = arith.addf %acc, %v : f32
    memref.store %s, %tmp[%i] : memref<64xf32>
    scf.yield %s : f32
  }
  memref.store %last, %stack[%c0] : memref<1xf32>
  %total = memref.load %stack[%c0] : memref<1xf32>
  zloop.for %i = 0 to 64 step 16 {
    %v = vector.load %tmp[%i] : memref<64xf32>, vector<16xf32>
    %t = vector.broadcast %total : f32 to vector<16xf32>
    %r = arith.divf %v, %t : vector<16xf32>
    vector.store %r, %out[%i] : memref<64xf32>, vector<16xf32>
  }
  memref.dealloc %tmp : memref<64xf32>
  func.return
}
"""


def test_scf_for_if_alloc_alloca() -> None:
    a = np.random.default_rng(3).standard_normal(64).astype(np.float32)
    out = np.zeros(64, np.float32)
    call(jit(SCF_AND_MALLOC, "prefix", 2), a, out)
    c = np.cumsum(np.abs(a), dtype=np.float32)
    np.testing.assert_allclose(out, c / c[-1], rtol=1e-5)
    reference = np.zeros(64, np.float32)
    run_function(parse(SCF_AND_MALLOC), "prefix", a, reference)
    np.testing.assert_allclose(out, reference, rtol=1e-6)


INTEGER_AND_CASTS = """
func.func @ints(%out: memref<6xf64>) {
  %m7 = arith.constant -7 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %fd = arith.floordivsi %m7, %c2 : index
  %dv = arith.divsi %m7, %c2 : index
  %rm = arith.remsi %m7, %c3 : index
  %mn = arith.minsi %fd, %dv : index
  %mx = arith.maxsi %fd, %dv : index
  %vals = arith.constant 0 : index
  %i0 = arith.constant 0 : index
  %i1 = arith.constant 1 : index
  %i2 = arith.constant 2 : index
  %i3 = arith.constant 3 : index
  %i4 = arith.constant 4 : index
  %i5 = arith.constant 5 : index
  %a = arith.index_cast %fd : index to i64
  %b = arith.index_cast %dv : index to i32
  %af = arith.sitofp %a : i64 to f64
  %bf32 = arith.sitofp %b : i32 to f32
  %bf = arith.extf %bf32 : f32 to f64
  %r64 = arith.index_cast %rm : index to i64
  %rf = arith.sitofp %r64 : i64 to f64
  %mn64 = arith.index_cast %mn : index to i64
  %mnf = arith.sitofp %mn64 : i64 to f64
  %mx64 = arith.index_cast %mx : index to i64
  %mxf = arith.sitofp %mx64 : i64 to f64
  %t = arith.truncf %af : f64 to f32
  %sq = math.sqrt %bf32 : f32
  %p = math.powf %bf32, %bf32 : f32
  %pe = arith.extf %p : f32 to f64
  memref.store %af, %out[%i0] : memref<6xf64>
  memref.store %bf, %out[%i1] : memref<6xf64>
  memref.store %rf, %out[%i2] : memref<6xf64>
  memref.store %mnf, %out[%i3] : memref<6xf64>
  memref.store %mxf, %out[%i4] : memref<6xf64>
  memref.store %pe, %out[%i5] : memref<6xf64>
  func.return
}
"""


def test_integer_ops_and_casts() -> None:
    out = np.zeros(6)
    call(jit(INTEGER_AND_CASTS, "ints", 1), out)
    np.testing.assert_allclose(out, [-4, -3, -1, -4, -3, (-3.0) ** -3])


BOOL_MEMORY = """
func.func @bools(%m: memref<37xi1>, %copy: memref<37xi1>) {
  %c32 = arith.constant 32 : index
  %c5 = arith.constant 5 : index
  %false = arith.constant dense<false> : vector<16xi1>
  zloop.for %i = 0 to 32 step 16 {
    %v = vector.load %m[%i] : memref<37xi1>, vector<16xi1>
    vector.store %v, %copy[%i] : memref<37xi1>, vector<16xi1>
  }
  %mask = vector.create_mask %c5 : vector<16xi1>
  %v = vector.maskedload %m[%c32], %mask, %false : memref<37xi1>, vector<16xi1>, vector<16xi1> into vector<16xi1>
  vector.maskedstore %copy[%c32], %mask, %v : memref<37xi1>, vector<16xi1>, vector<16xi1>
  %last = arith.constant 36 : index
  %first = arith.constant 0 : index
  %s = memref.load %m[%last] : memref<37xi1>
  memref.store %s, %copy[%first] : memref<37xi1>
  func.return
}
"""


def test_bool_memrefs_hold_one_byte_per_element() -> None:
    """i1 elements in memory are numpy bools (0 or 1 per byte), through vector, masked and
    scalar loads and stores."""
    m = np.random.default_rng(3).random(37) < 0.5
    copy = np.zeros(37, bool)
    call(jit(BOOL_MEMORY, "bools", 2), m, copy)
    want = m.copy()
    want[0] = m[36]
    np.testing.assert_array_equal(copy.view(np.uint8), want.astype(np.uint8))


COMPARE_SELECT = """
func.func @cs(%a: memref<37xf32>, %b: memref<37xf32>, %lt: memref<37xi1>, %une: memref<37xi1>,
              %sel: memref<37xf32>) {
  %c32 = arith.constant 32 : index
  %c5 = arith.constant 5 : index
  %zv = arith.constant dense<0.0> : vector<16xf32>
  zloop.for %i = 0 to 32 step 16 {
    %x = vector.load %a[%i] : memref<37xf32>, vector<16xf32>
    %y = vector.load %b[%i] : memref<37xf32>, vector<16xf32>
    %c = zloop.cmpf "olt" %x, %y : vector<16xf32> -> vector<16xi1>
    vector.store %c, %lt[%i] : memref<37xi1>, vector<16xi1>
    %n = zloop.cmpf "une" %x, %y : vector<16xf32> -> vector<16xi1>
    vector.store %n, %une[%i] : memref<37xi1>, vector<16xi1>
    %s = zloop.select %c, %x, %y : vector<16xi1>, vector<16xf32>
    vector.store %s, %sel[%i] : memref<37xf32>, vector<16xf32>
  }
  %mask = vector.create_mask %c5 : vector<16xi1>
  %x = vector.maskedload %a[%c32], %mask, %zv : memref<37xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  %y = vector.maskedload %b[%c32], %mask, %zv : memref<37xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  %c = zloop.cmpf "olt" %x, %y : vector<16xf32> -> vector<16xi1>
  vector.maskedstore %lt[%c32], %mask, %c : memref<37xi1>, vector<16xi1>, vector<16xi1>
  %n = zloop.cmpf "une" %x, %y : vector<16xf32> -> vector<16xi1>
  vector.maskedstore %une[%c32], %mask, %n : memref<37xi1>, vector<16xi1>, vector<16xi1>
  %s = zloop.select %c, %x, %y : vector<16xi1>, vector<16xf32>
  vector.maskedstore %sel[%c32], %mask, %s : memref<37xf32>, vector<16xi1>, vector<16xf32>
  %last = arith.constant 36 : index
  %xs = memref.load %a[%last] : memref<37xf32>
  %ys = memref.load %b[%last] : memref<37xf32>
  %cs = zloop.cmpf "olt" %ys, %xs : f32 -> i1
  memref.store %cs, %lt[%last] : memref<37xi1>
  %ss = zloop.select %cs, %ys, %xs : i1, f32
  memref.store %ss, %sel[%last] : memref<37xf32>
  func.return
}
"""


def test_vector_compare_and_select() -> None:
    """zloop.cmpf/select on vectors (lane by lane) and scalars, compiled and interpreted:
    ordered `<` is false for NaN, unordered `!=` true; comparisons are stored as bytes."""
    rng = np.random.default_rng(4)
    a = rng.standard_normal(37).astype(np.float32)
    b = rng.standard_normal(37).astype(np.float32)
    a[:4], b[:4] = [np.nan, 1.0, -0.0, 2.0], [1.0, np.nan, 0.0, 2.0]
    a[33], b[36] = np.nan, np.inf
    want_lt, want_une = a < b, a != b
    want_lt[36] = b[36] < a[36]
    want_sel = np.where(a < b, a, b)
    want_sel[36] = b[36] if b[36] < a[36] else a[36]
    lt, une, sel = np.zeros(37, bool), np.zeros(37, bool), np.zeros(37, np.float32)
    call(jit(COMPARE_SELECT, "cs", 5), a, b, lt, une, sel)
    np.testing.assert_array_equal(lt.view(np.uint8), want_lt.astype(np.uint8))
    np.testing.assert_array_equal(une, want_une)
    np.testing.assert_array_equal(sel, want_sel)
    outs = [np.zeros(37, bool), np.zeros(37, bool), np.zeros(37, np.float32)]
    run_function(parse(COMPARE_SELECT), "cs", a, b, *outs)
    for got, want in zip(outs, (want_lt, want_une, want_sel), strict=True):
        np.testing.assert_array_equal(got, want)


def _unary_kernel(fn: str, dt: str, n: int, w: int) -> str:
    return f"""
func.func @k(%a: memref<{n}x{dt}>, %o: memref<{n}x{dt}>) {{
  zloop.for %i = 0 to {n} step {w} {{
    %x = vector.load %a[%i] : memref<{n}x{dt}>, vector<{w}x{dt}>
    %e = math.{fn} %x : vector<{w}x{dt}>
    vector.store %e, %o[%i] : memref<{n}x{dt}>, vector<{w}x{dt}>
  }}
  func.return
}}"""


def _sweep(dtype: type[np.floating[Any]]) -> np.ndarray:
    fi = np.finfo(dtype)
    smallest = float(np.nextafter(dtype(0), dtype(1)))
    edges = [
        0.0,
        -0.0,
        np.inf,
        -np.inf,
        np.nan,
        float(fi.max),
        -float(fi.max),
        float(fi.tiny),
        smallest,
    ]
    edges += [
        88.72,
        88.73,
        -87.3,
        -103.9,
        709.7,
        709.8,
        -745.1,
        0.625,
        -0.625,
        9.0,
        -9.0,
        20.0,
        -20.0,
    ]
    with np.errstate(over="ignore"):
        parts = [
            np.linspace(-120, 120, 60001),
            np.linspace(-1, 1, 20001),
            np.geomspace(smallest, float(fi.max), 20000),
            -np.geomspace(1e-30, 1e30, 2000),
            np.array(edges),
        ]
    return np.concatenate(parts).astype(dtype)


@pytest.mark.parametrize("dt", ["f32", "f64"])
@pytest.mark.parametrize("fn", ["exp", "log", "tanh", "erf"])
def test_transcendental_accuracy(fn: str, dt: str) -> None:
    dtype = np.float32 if dt == "f32" else np.float64
    w = 16 if dt == "f32" else 8
    x = _sweep(dtype)
    n = -(-len(x) // w) * w
    x = np.concatenate([x, np.ones(n - len(x), dtype)])
    out = np.empty_like(x)
    call(jit(_unary_kernel(fn, dt, n, w), "k", 2), x, out)
    with np.errstate(all="ignore"):
        exact = EXACT[fn](x.astype(np.float64))
    _assert_accurate(fn, x, out, exact)


EXACT: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "exp": np.exp,
    "log": np.log,
    "tanh": np.tanh,
    "erf": np.vectorize(math.erf, otypes=[np.float64]),
}
"""float64 references of the transcendentals (erf: the C library's, through `math.erf`)."""


def _assert_accurate(
    fn: str, x: np.ndarray, out: np.ndarray, exact: np.ndarray, limit: float | None = None
) -> None:
    """`out` (computed in x's dtype) is `exact` (float64) within the relative error `limit`
    (default 1e-6 for f32, 1e-15 for f64) where the result is a normal number, and within one
    subnormal step below; NaN, infinities and zeros exactly where `exact` has them."""
    dtype = x.dtype.type
    dt = "f32" if dtype == np.float32 else "f64"
    with np.errstate(all="ignore"):
        rounded = exact.astype(dtype)
    fi = np.finfo(dtype)
    # NaN exactly where numpy gives NaN; infinities and zeros where numpy gives them.
    np.testing.assert_array_equal(np.isnan(out), np.isnan(rounded))
    special = np.isinf(rounded) | (rounded == 0)
    np.testing.assert_array_equal(out[special], rounded[special])
    normal = np.isfinite(rounded) & (np.abs(exact) >= fi.tiny)
    rel = np.abs(out[normal] - exact[normal]) / np.abs(exact[normal])
    if limit is None:
        limit = 1e-6 if dt == "f32" else 1e-15
    assert rel.max() <= limit, f"{fn} {dt}: max relative error {rel.max():.3g}"
    subnormal = np.isfinite(rounded) & (np.abs(exact) < fi.tiny) & (rounded != 0)
    if subnormal.any():  # results below the normal range: within 1 subnormal step
        step = float(np.nextafter(dtype(0), dtype(1)))
        assert np.abs(out[subnormal] - exact[subnormal]).max() <= step


def _emitter_kernel(emit: Callable[..., Any], dtype: Any) -> Callable[..., None]:
    """`void k(T* x, T* out, i64 n)` applying an `llvm_math` emitter to each element: the
    scalar path of the polynomial, compiled at O3."""
    t = ir.FloatType() if dtype == np.float32 else ir.DoubleType()
    module = ir.Module()
    i64 = ir.IntType(64)
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [t.as_pointer(), t.as_pointer(), i64]), "k")
    entry, body, done = (fn.append_basic_block(n) for n in ("entry", "body", "done"))
    ir.IRBuilder(entry).branch(body)
    b = ir.IRBuilder(body)
    i = b.phi(i64)
    i.add_incoming(ir.Constant(i64, 0), entry)
    value = emit(b, b.load(b.gep(fn.args[0], [i])))
    b.store(value, b.gep(fn.args[1], [i]))
    nxt = b.add(i, ir.Constant(i64, 1))
    i.add_incoming(nxt, body)
    b.cbranch(b.icmp_signed("<", nxt, fn.args[2]), body, done)
    ir.IRBuilder(done).ret_void()
    host = Target.host()
    tm = llvm_binding.Target.from_triple(host.triple).create_target_machine(
        cpu=host.cpu, features=host.features, opt=3, codemodel="jitdefault"
    )
    engine = llvm_binding.create_mcjit_compiler(optimized_module(str(module), host, 3), tm)
    engine.finalize_object()
    _ENGINES.append(engine)
    proto = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)
    return proto(engine.get_function_address("k"))


@pytest.mark.parametrize("dt", ["f32", "f64"])
def test_erf_polynomial_accuracy(dt: str) -> None:
    dtype = np.float32 if dt == "f32" else np.float64
    x = np.concatenate([_sweep(dtype), np.linspace(-7, 7, 200001).astype(dtype)])
    x = np.concatenate([x, [ERF_SPLIT, np.nextafter(dtype(ERF_SPLIT), dtype(0)), 3.92, 5.93]])
    x = x.astype(dtype)
    out = np.empty_like(x)
    _emitter_kernel(emit_erf, dtype)(x.ctypes.data, out.ctypes.data, len(x))
    exact = np.vectorize(math.erf, otypes=[np.float64])(x.astype(np.float64))
    # Measured: 7.8e-8 (f32, 1.0 ulp) and 2.2e-16 (f64, 1.1 ulp); the bounds allow 2 ulp.
    _assert_accurate("erf", x, out, exact, 1.5e-7 if dt == "f32" else 4.5e-16)
    np.testing.assert_array_equal(np.signbit(out[x == 0]), np.signbit(x[x == 0]))


ASM_KERNEL = """
func.func @axpy(%x: memref<1024xf32>, %y: memref<1024xf32>) {
  %a = arith.constant dense<3.0> : vector<16xf32>
  zloop.for %i = 0 to 1024 step 16 {
    %xv = vector.load %x[%i] : memref<1024xf32>, vector<16xf32>
    %yv = vector.load %y[%i] : memref<1024xf32>, vector<16xf32>
    %r = vector.fma %a, %xv, %yv : vector<16xf32>
    %e = math.exp %r : vector<16xf32>
    vector.store %e, %y[%i] : memref<1024xf32>, vector<16xf32>
  }
  func.return
}
"""


@pytest.mark.parametrize(
    ("cpu", "features", "register"),
    [
        ("znver4", "+avx512f,+avx512bw,+avx512dq,+avx512vl,+avx2,+fma", "zmm"),
        ("skylake-avx512", "+avx512f,+avx512bw,+avx512dq,+avx512vl,+avx2,+fma", "zmm"),
        ("haswell", "+avx2,+fma", "ymm"),
    ],
)
def test_assembly_uses_wide_registers(cpu: str, features: str, register: str) -> None:
    asm = assembly(lower_to_llvm_ir(parse(ASM_KERNEL)), Target(cpu, features))
    assert "vfmadd" in asm
    assert register in asm
    assert "zmm" not in asm if register == "ymm" else True
    assert "call" not in asm  # exp is inlined, no libm call


def test_ir_text_has_no_triple_and_marks_noalias() -> None:
    text = lower_to_llvm_ir(parse(ASM_KERNEL))
    assert "target triple" not in text and "target datalayout" not in text
    assert 'define void @"axpy"(ptr noalias' in text
    assert "llvm.fma.v16f32" in text
