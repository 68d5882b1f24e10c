"""The native pool and routing table of `ziggurat_parallel_for` (runtime/native_pool.py).

The kernels here are LLVM IR written for the test: `@who` records, for every iteration of
its parallel loop, the `pthread_self()` of the thread that ran it (equal to
`threading.get_ident()` on Linux) after some arithmetic, so a test can see which threads ran
which chunks without the Python pool's chunk tracing (which routes every loop through
Python). `@nested` runs a parallel loop inside each iteration of another.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

from ziggurat.runtime import ArgSpec, CompiledModule, compile_llvm_ir, native_pool, set_num_threads
from ziggurat.runtime import threads as zthreads

pytestmark = pytest.mark.skipif(
    not native_pool.native_pool_supported(), reason="the native pool needs Linux on x86-64/AArch64"
)

ROWS = 64
WORK = 100_000  # fma steps per iteration of @who: about 50-100 us, 3-6 ms a call

IR = f"""
declare i64 @pthread_self()
declare void @ziggurat_parallel_for(ptr, i64, ptr)
declare double @llvm.fma.f64(double, double, double)

define internal void @who__par0(i64 %begin, i64 %end, ptr %ctx) {{
entry:
  %out = load ptr, ptr %ctx
  %empty = icmp sge i64 %begin, %end
  br i1 %empty, label %exit, label %row
row:
  %r = phi i64 [%begin, %entry], [%r1, %spin_end]
  br label %spin
spin:
  %i = phi i64 [0, %row], [%i1, %spin]
  %v = phi double [1.0, %row], [%v1, %spin]
  %v1 = call double @llvm.fma.f64(double %v, double 0.999999, double 0.000001)
  %i1 = add i64 %i, 1
  %c = icmp slt i64 %i1, {WORK}
  br i1 %c, label %spin, label %spin_end
spin_end:
  %id = call i64 @pthread_self()
  %bits = bitcast double %v1 to i64
  %nonzero = icmp ne i64 %bits, 0
  %keep = select i1 %nonzero, i64 %id, i64 0
  %p = getelementptr i64, ptr %out, i64 %r
  store i64 %keep, ptr %p
  %r1 = add i64 %r, 1
  %cr = icmp slt i64 %r1, %end
  br i1 %cr, label %row, label %exit
exit:
  ret void
}}

define void @who(ptr noalias %out) {{
entry:
  %ctx = alloca ptr, align 8
  store ptr %out, ptr %ctx
  call void @ziggurat_parallel_for(ptr @who__par0, i64 {ROWS}, ptr %ctx)
  ret void
}}

define internal void @inner__par(i64 %begin, i64 %end, ptr %ctx) {{
entry:
  %row = load ptr, ptr %ctx
  br label %loop
loop:
  %j = phi i64 [%begin, %entry], [%j1, %loop]
  %p = getelementptr i64, ptr %row, i64 %j
  %old = load i64, ptr %p
  %new = add i64 %old, 1
  store i64 %new, ptr %p
  %j1 = add i64 %j, 1
  %c = icmp slt i64 %j1, %end
  br i1 %c, label %loop, label %exit
exit:
  ret void
}}

define internal void @outer__par(i64 %begin, i64 %end, ptr %ctx) {{
entry:
  %out = load ptr, ptr %ctx
  %inner_ctx = alloca ptr, align 8
  br label %loop
loop:
  %i = phi i64 [%begin, %entry], [%i1, %loop]
  %base = mul i64 %i, {ROWS}
  %row = getelementptr i64, ptr %out, i64 %base
  store ptr %row, ptr %inner_ctx
  call void @ziggurat_parallel_for(ptr @inner__par, i64 {ROWS}, ptr %inner_ctx)
  %i1 = add i64 %i, 1
  %c = icmp slt i64 %i1, %end
  br i1 %c, label %loop, label %exit
exit:
  ret void
}}

define void @nested(ptr noalias %out) {{
entry:
  %ctx = alloca ptr, align 8
  store ptr %out, ptr %ctx
  call void @ziggurat_parallel_for(ptr @outer__par, i64 {ROWS}, ptr %ctx)
  ret void
}}
"""


@pytest.fixture(scope="module")
def module() -> CompiledModule:
    signatures = {
        "who": [ArgSpec((ROWS,), np.int64, "out")],
        "nested": [ArgSpec((ROWS, ROWS), np.int64, "inout")],
    }
    return compile_llvm_ir(IR, signatures, cache=False)


@pytest.fixture
def two_threads_always_pool() -> Iterator[None]:
    """Two threads by default, and every loop on the pool however small."""
    set_num_threads(2)
    zthreads.set_min_parallel_ns(0)
    try:
        yield
    finally:
        zthreads.set_min_parallel_ns(None)
        set_num_threads(None)


@pytest.mark.usefixtures("two_threads_always_pool")
def test_measured_loops_run_on_native_workers_without_python(module: CompiledModule) -> None:
    who = module.kernel("who")
    who()  # the first call is measured in Python and fills the routing table
    before = zthreads.python_entries()
    me = threading.get_ident()
    seen: set[int] = set()
    # On a loaded machine the scheduler may give a woken worker a core only after the
    # caller has run every chunk, call after call: keep calling for a while.
    deadline = time.monotonic() + 20.0
    while time.monotonic() < deadline:
        ids = who()
        assert (ids != 0).all()
        seen |= set(ids.tolist())
        if len(seen) >= 2:
            break
    assert zthreads.python_entries() == before, "a routed loop entered Python"
    assert me in seen, "the calling thread took no chunk"
    assert len(seen) == 2, f"expected the caller and one native worker, saw {len(seen)} threads"


def test_small_loops_stay_serial_without_python(module: CompiledModule) -> None:
    who = module.kernel("who")
    zthreads.set_min_parallel_ns(10**10)  # 10 s: every loop here is small
    try:
        for _ in range(zthreads.SAMPLES):
            who()
        before = zthreads.python_entries()
        for _ in range(5):
            assert set(who().tolist()) == {threading.get_ident()}
        assert zthreads.python_entries() == before
    finally:
        zthreads.set_min_parallel_ns(None)


def test_a_body_the_pool_lost_on_is_timed_again_after_the_interval(
    module: CompiledModule,
) -> None:
    """The routing table counts the serial calls of a body whose pooled runs were slower;
    when the count runs out, the call goes to Python, which times one more pooled run."""
    who = module.kernel("who")
    zthreads.reset_loop_stats()
    set_num_threads(2)
    try:
        who()
        (fn, loop), *_ = zthreads._loops.items()
        loop.samples = zthreads.SAMPLES
        loop.serial_ns = 1  # nothing can beat that: the pool lost
        loop.pooled = zthreads.SAMPLES
        loop.pooled_ns = 10**12
        loop.serial = True
        loop.retry = zthreads.RETRY_INTERVAL
        native = zthreads._native
        assert native is not None
        native.publish(loop, fn, 2)
        before = zthreads.python_entries()
        for _ in range(zthreads.RETRY_INTERVAL - 1):
            who()
        assert zthreads.python_entries() == before
        who()  # the count ran out: this one is timed on the pool, in Python
        assert zthreads.python_entries() == before + 1
        assert loop.serial and loop.retry == zthreads.RETRY_INTERVAL  # lost again: re-armed
        who()
        assert zthreads.python_entries() == before + 1
    finally:
        set_num_threads(None)
        zthreads.reset_loop_stats()


@pytest.mark.usefixtures("two_threads_always_pool")
def test_a_per_thread_count_routes_through_python(module: CompiledModule) -> None:
    who = module.kernel("who")
    who()
    before = zthreads.python_entries()
    with zthreads.num_threads(1):
        assert set(who().tolist()) == {threading.get_ident()}
    assert set(who(threads=1).tolist()) == {threading.get_ident()}
    assert zthreads.python_entries() == before + 2
    who()
    assert zthreads.python_entries() == before + 2


@pytest.mark.usefixtures("two_threads_always_pool")
def test_nested_loops_run_the_inner_loop_serially(module: CompiledModule) -> None:
    nested = module.kernel("nested")
    out = np.zeros((ROWS, ROWS), np.int64)
    for _ in range(3):
        nested(out)
    np.testing.assert_array_equal(out, np.full((ROWS, ROWS), 3))


@pytest.mark.usefixtures("two_threads_always_pool")
def test_workers_stop_and_start_again(module: CompiledModule) -> None:
    who = module.kernel("who")
    who()
    zthreads.stop_native_workers()
    assert not any(t.name.startswith("ziggurat-native-worker") for t in threading.enumerate())
    ids = who()
    assert (ids != 0).all()
    assert any(t.name.startswith("ziggurat-native-worker") for t in threading.enumerate())


def test_the_chunks_cover_every_iteration_once(module: CompiledModule) -> None:
    """Many thread counts, many calls: every iteration written, by the caller or a worker."""
    nested = module.kernel("nested")
    zthreads.set_min_parallel_ns(0)
    try:
        out = np.zeros((ROWS, ROWS), np.int64)
        for count in (2, 3, 4, 8):
            set_num_threads(count)
            nested(out)
        np.testing.assert_array_equal(out, np.full((ROWS, ROWS), 4))
    finally:
        zthreads.set_min_parallel_ns(None)
        set_num_threads(None)
