"""The native kernel entry `zt_call` (runtime/native_call.py): the common call without
Python, everything else exactly as `Kernel.__call__`."""

from __future__ import annotations

import sys
import threading
import time

import numpy as np
import pytest

import ziggurat as zg
from ziggurat.runtime import (
    ArgSpec,
    CompiledModule,
    ZigguratCallError,
    ZigguratRuntimeError,
    compile_llvm_ir,
    native_call,
)
from ziggurat.runtime import threads as zthreads

pytestmark = pytest.mark.skipif(
    native_call.array_layout() is None, reason="numpy/CPython object layout zt_call does not read"
)

IR = """
declare void @ziggurat_parallel_for(ptr, i64, ptr)

define void @addmul(ptr noalias %a, ptr noalias %b, ptr noalias %sum, ptr noalias %prod) {
entry:
  br label %loop
loop:
  %i = phi i64 [0, %entry], [%i1, %loop]
  %pa = getelementptr float, ptr %a, i64 %i
  %pb = getelementptr float, ptr %b, i64 %i
  %x = load float, ptr %pa
  %y = load float, ptr %pb
  %s = fadd float %x, %y
  %p = fmul float %x, %y
  %ps = getelementptr float, ptr %sum, i64 %i
  %pp = getelementptr float, ptr %prod, i64 %i
  store float %s, ptr %ps
  store float %p, ptr %pp
  %i1 = add i64 %i, 1
  %c = icmp slt i64 %i1, 12
  br i1 %c, label %loop, label %exit
exit:
  ret void
}

define void @double(ptr noalias %a, ptr noalias %out) {
entry:
  br label %loop
loop:
  %i = phi i64 [0, %entry], [%i1, %loop]
  %pa = getelementptr float, ptr %a, i64 %i
  %x = load float, ptr %pa
  %y = fadd float %x, %x
  %po = getelementptr float, ptr %out, i64 %i
  store float %y, ptr %po
  %i1 = add i64 %i, 1
  %c = icmp slt i64 %i1, 12
  br i1 %c, label %loop, label %exit
exit:
  ret void
}

define void @broken(ptr noalias %a, ptr noalias %out) {
entry:
  call void @ziggurat_parallel_for(ptr null, i64 10, ptr null)
  ret void
}

define void @bump(ptr %x) {
entry:
  %v = load double, ptr %x
  %v1 = fadd double %v, 1.0
  store double %v1, ptr %x
  ret void
}

define void @spin(ptr noalias %x, ptr noalias %out) {
entry:
  %x0 = load double, ptr %x
  br label %loop
loop:
  %i = phi i64 [0, %entry], [%i1, %loop]
  %v = phi double [%x0, %entry], [%v1, %loop]
  %v1 = call double @llvm.fma.f64(double %v, double 0.999999, double 0.000001)
  %i1 = add i64 %i, 1
  %c = icmp slt i64 %i1, 20000000
  br i1 %c, label %loop, label %exit
exit:
  store double %v1, ptr %out
  ret void
}
declare double @llvm.fma.f64(double, double, double)
"""


@pytest.fixture(scope="module")
def module() -> CompiledModule:
    f32 = np.dtype(np.float32)
    signatures = {
        "addmul": [
            ArgSpec((3, 4), f32, "in", "a"),
            ArgSpec((3, 4), f32, "in", "b"),
            ArgSpec((3, 4), f32, "out"),
            ArgSpec((3, 4), f32, "out"),
        ],
        "double": [ArgSpec((3, 4), f32, "in"), ArgSpec((3, 4), f32, "out")],
        "broken": [ArgSpec((2,), f32, "in"), ArgSpec((2,), f32, "out")],
        "bump": [ArgSpec((1,), np.float64, "inout")],
        "spin": [ArgSpec((1,), np.float64, "in"), ArgSpec((1,), np.float64, "out")],
    }
    return compile_llvm_ir(IR, signatures, cache=False)


def inputs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.random((3, 4), dtype=np.float32), rng.random((3, 4), dtype=np.float32)


def test_the_common_call_is_native_and_gives_the_kernels_results(module: CompiledModule) -> None:
    kernel = module.kernel("addmul")
    entry = kernel.native_entry()
    assert entry is not kernel and type(entry).__name__ == "builtin_function_or_method"
    a, b = inputs()
    got = entry(a, b)
    assert isinstance(got, tuple) and len(got) == 2
    np.testing.assert_array_equal(got[0], a + b)
    np.testing.assert_array_equal(got[1], a * b)
    assert all(g.dtype == np.float32 and g.flags.c_contiguous for g in got)


def test_every_other_call_goes_to_the_kernel(module: CompiledModule) -> None:
    kernel = module.kernel("addmul")
    entry = kernel.native_entry()
    a, b = inputs()
    # Not C-contiguous, read-only, unaligned: the kernel's checked path copies them.
    wide = np.zeros((3, 8), np.float32)
    wide[:, ::2] = a
    frozen = b.copy()
    frozen.flags.writeable = False
    raw = np.zeros(3 * 4 * 4 + 1, np.uint8)[1:].view(np.float32).reshape(3, 4)
    raw[...] = a
    for x, y in [(wide[:, ::2], b), (np.asfortranarray(a), frozen), (raw, b)]:
        got = entry(x, y)
        np.testing.assert_array_equal(got[0], a + b)
    # Outputs passed positionally or by keyword, and a thread count.
    s, p = np.empty((3, 4), np.float32), np.empty((3, 4), np.float32)
    assert entry(a, b, s, p)[0] is s
    np.testing.assert_array_equal(p, a * b)
    assert entry(a, b, out=(s, p))[1] is p
    np.testing.assert_array_equal(entry(a, b, threads=1)[0], a + b)
    # Errors: the kernel's own messages.
    with pytest.raises(ZigguratCallError, match="expected dtype float32, got float64"):
        entry(a.astype(np.float64), b)
    with pytest.raises(ZigguratCallError, match=r"expected shape \(3, 4\), got \(4, 3\)"):
        entry(a.T.copy(), b)
    with pytest.raises(ZigguratCallError, match=r"expected a numpy\.ndarray"):
        entry([[1.0] * 4] * 3, b)
    with pytest.raises(ZigguratCallError, match="takes 2 or 4 arguments"):
        entry(a)


def test_an_output_given_as_out_is_written_natively(module: CompiledModule) -> None:
    kernel = module.kernel("double")
    entry = kernel.native_entry()
    a, _ = inputs()
    out = np.empty((3, 4), np.float32)
    before = sys.getrefcount(out)
    for _ in range(100):
        assert entry(a, out=out) is out
    assert sys.getrefcount(out) == before  # each call's new reference was dropped
    np.testing.assert_array_equal(out, a + a)
    assert native_call.native_calls(entry) == 100
    # Anything the native entry does not take goes to the kernel: its results and errors.
    frozen = out.copy()
    frozen.flags.writeable = False
    with pytest.raises(ZigguratCallError, match="read-only"):
        entry(a, out=frozen)
    with pytest.raises(ZigguratCallError, match="overlaps"):
        entry(a, out=a)
    with pytest.raises(ZigguratCallError, match="overlaps"):
        entry(a, out=a.reshape(3, 4)[:, :])  # another view of the same memory
    with pytest.raises(ZigguratCallError, match="expected dtype float32"):
        entry(a, out=np.empty((3, 4), np.float64))
    with pytest.raises(ZigguratCallError, match="C-contiguous"):
        entry(a, out=np.empty((3, 8), np.float32)[:, ::2])
    assert native_call.native_calls(entry) == 100
    # Not taken natively when the entry was made without `out_keyword`.
    plain = kernel.native_entry(out_keyword=False)
    assert plain(a, out=out) is out
    assert native_call.native_calls(plain) == 0


def test_out_of_a_jitted_function_is_native_unless_it_names_an_argument() -> None:
    @zg.jit
    def f(x: np.ndarray) -> np.ndarray:
        return x * 3.0

    x = np.ones((4, 4), np.float32)
    out = np.empty((4, 4), np.float32)
    f(x)
    f(x)  # installs the native entry
    for _ in range(5):
        assert f(x, out=out) is out
    np.testing.assert_array_equal(out, x * 3)
    (spec,) = f._cache.values()
    assert native_call.native_calls(spec.entry) == 5

    @zg.jit
    def g(x: np.ndarray, out: np.ndarray) -> np.ndarray:
        return x + out

    y = np.full((4, 4), 2.0, np.float32)
    g(x, y)
    g(x, y)
    np.testing.assert_array_equal(g(x, out=y), x + y)  # `out` is g's own argument
    np.testing.assert_array_equal(y, 2.0)


def test_no_references_leak(module: CompiledModule) -> None:
    entry = module.kernel("addmul").native_entry()
    a, b = inputs()
    before = sys.getrefcount(a), sys.getrefcount(b)
    for _ in range(1000):
        s, _ = entry(a, b)
    assert (sys.getrefcount(a), sys.getrefcount(b)) == before
    assert sys.getrefcount(s) == 2  # this frame's name and the call's argument


def test_an_error_of_a_parallel_loop_is_raised(module: CompiledModule) -> None:
    entry = module.kernel("broken").native_entry()
    assert entry is not module.kernel("broken")
    with pytest.raises(ZigguratRuntimeError, match=r"@broken: a parallel loop failed.*null function"):
        entry(np.zeros(2, np.float32))
    assert zthreads.take_pending_error() is None
    np.testing.assert_array_equal(module.kernel("addmul").native_entry()(*inputs())[0].shape, (3, 4))


def test_kernels_with_inouts_have_no_native_entry(module: CompiledModule) -> None:
    kernel = module.kernel("bump")
    assert kernel.native_entry() is kernel


def test_the_native_call_releases_the_gil(module: CompiledModule) -> None:
    entry = module.kernel("spin").native_entry()
    counter = [0]
    stop = threading.Event()

    def count() -> None:
        while not stop.is_set():
            counter[0] += 1

    other = threading.Thread(target=count)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    other.start()
    try:
        while counter[0] == 0:
            time.sleep(0.001)
        before = counter[0]
        entry(np.ones(1))
        during = counter[0] - before
    finally:
        stop.set()
        other.join()
        sys.setswitchinterval(interval)
    assert during > 1000, f"the other thread ran {during} times while the kernel ran"


def test_zg_jit_calls_the_native_entry() -> None:
    @zg.jit
    def f(x: np.ndarray) -> np.ndarray:
        return x * 2.0 + 1.0

    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_array_equal(f(x), x * 2 + 1)
    (spec,) = f._cache.values()
    assert type(spec.direct).__name__ == "builtin_function_or_method"
    np.testing.assert_array_equal(f(np.asfortranarray(x)), x * 2 + 1)
    out = np.empty((3, 4), np.float32)
    assert f(x, out=out) is out


def test_zg_jit_serves_repeat_calls_natively_and_counts_them() -> None:
    @zg.jit
    def f(x: np.ndarray) -> np.ndarray:
        return x - 1.0

    small, large = np.ones((2, 3), np.float32), np.ones((4, 5), np.float32)
    f(small)
    f(small)  # a hit through the full path, which installs the native entry
    entry = f._entry
    assert entry is not None
    for _ in range(10):
        np.testing.assert_array_equal(f(small), small - 1)
    (spec,) = f._cache.values()
    assert native_call.native_calls(spec.entry) == 10
    assert f.cache_info().hits == 11
    np.testing.assert_array_equal(f(large), large - 1)  # another signature: the full path
    np.testing.assert_array_equal(f(small), small - 1)
    np.testing.assert_array_equal(f(small.astype(np.float64)), small - 1)
    assert f.cache_info().misses == 3
    f.cache_clear()
    assert f._entry is None and f.cache_info().hits == 0


def test_zg_jit_never_serves_a_static_default_from_another_value() -> None:
    @zg.jit
    def scale(x: np.ndarray, k: float = 2.0) -> np.ndarray:
        return x * k

    x = np.ones((2, 2), np.float32)
    for _ in range(3):
        np.testing.assert_array_equal(scale(x, 5.0), x * 5)
    for _ in range(3):
        np.testing.assert_array_equal(scale(x), x * 2)
    np.testing.assert_array_equal(scale(x, 5.0), x * 5)


def test_an_evicted_specialization_stops_being_the_native_entry() -> None:
    f = zg.jit(lambda x: x + 1.0, cache_size=1)
    a, b = np.zeros((2, 2), np.float32), np.zeros((3, 3), np.float32)
    f(a)
    f(a)
    assert f._entry is not None
    f(b)  # evicts a's specialization
    assert f._entry is None
    np.testing.assert_array_equal(f(a), a + 1)
    assert f.evictions == 2


ADD_ONE = """
func.func @add_one(%x: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %c = ztensor.constant dense<1.0> : tensor<8x8xf32>
  %y = ztensor.add %x, %c : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  func.return %y : tensor<8x8xf32>
}
"""


def test_an_executable_serves_plain_calls_natively() -> None:
    """`zg.compile(...)(x)`: the native entry; `threads=` and `out=` calls, and those of an
    executable with a thread count of its own, go to the kernel's checked path."""
    exe = zg.compile(ADD_ONE)
    x = np.arange(64, dtype=np.float32).reshape(8, 8)
    for _ in range(5):
        np.testing.assert_array_equal(exe(x), x + 1)
    assert native_call.native_calls(exe._native) == 5
    np.testing.assert_array_equal(exe(x, threads=1), x + 1)
    out = np.empty((8, 8), np.float32)
    assert exe(x, out=out) is out
    np.testing.assert_array_equal(exe(np.asfortranarray(x)), x + 1)  # the fallback
    assert native_call.native_calls(exe._native) == 5
    with pytest.raises(zg.ZigguratError, match="add_one"):
        exe(x.astype(np.float64)[:2])
    pinned = zg.compile(ADD_ONE, threads=1)
    np.testing.assert_array_equal(pinned(x), x + 1)
    assert not isinstance(pinned._native, type(exe._native))
