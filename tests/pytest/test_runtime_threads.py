"""The runtime thread pool and the `ziggurat_parallel_for` symbol called from compiled code."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

from ziggurat.runtime import (
    ArgSpec,
    CompiledModule,
    ZigguratRuntimeError,
    compile_llvm_ir,
    get_num_threads,
    num_threads,
    set_num_threads,
)
from ziggurat.runtime import threads as zthreads

ROWS, COLS = 257, 64


def rows_ir(rows: int, cols: int) -> str:
    """`@rows(a, out)`: out = 2*a + 1 row by row, with the row loop outlined as in contract 4."""
    return f"""
declare void @ziggurat_parallel_for(ptr, i64, ptr)

define internal void @rows__par0(i64 %begin, i64 %end, ptr %ctx) {{
entry:
  %a = load ptr, ptr %ctx
  %outp = getelementptr ptr, ptr %ctx, i64 1
  %out = load ptr, ptr %outp
  %empty = icmp sge i64 %begin, %end
  br i1 %empty, label %exit, label %row
row:
  %r = phi i64 [%begin, %entry], [%r1, %rowend]
  %base = mul i64 %r, {cols}
  br label %col
col:
  %j = phi i64 [0, %row], [%j1, %col]
  %idx = add i64 %base, %j
  %pa = getelementptr float, ptr %a, i64 %idx
  %po = getelementptr float, ptr %out, i64 %idx
  %v = load float, ptr %pa
  %v2 = fmul float %v, 2.0
  %v3 = fadd float %v2, 1.0
  store float %v3, ptr %po
  %j1 = add i64 %j, 1
  %cj = icmp slt i64 %j1, {cols}
  br i1 %cj, label %col, label %rowend
rowend:
  %r1 = add i64 %r, 1
  %cr = icmp slt i64 %r1, %end
  br i1 %cr, label %row, label %exit
exit:
  ret void
}}

define void @rows(ptr noalias %a, ptr noalias %out) {{
entry:
  %ctx = alloca [2 x ptr], align 8
  store ptr %a, ptr %ctx
  %p1 = getelementptr ptr, ptr %ctx, i64 1
  store ptr %out, ptr %p1
  call void @ziggurat_parallel_for(ptr @rows__par0, i64 {rows}, ptr %ctx)
  ret void
}}

define void @bad(ptr %a) {{
entry:
  call void @ziggurat_parallel_for(ptr null, i64 10, ptr null)
  ret void
}}
"""


@pytest.fixture(scope="module")
def rows_module() -> CompiledModule:
    signatures = {
        "rows": [ArgSpec((ROWS, COLS), np.float32, "in"), ArgSpec((ROWS, COLS), np.float32, "out")],
        "bad": [ArgSpec((1,), np.float32, "inout")],
    }
    return compile_llvm_ir(rows_ir(ROWS, COLS), signatures, cache=False)


def covered(records: list[tuple[int, int, int]], total: int) -> bool:
    spans = sorted((begin, end) for _, begin, end in records)
    return (
        spans[0][0] == 0
        and spans[-1][1] == total
        and all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1))
    )


@pytest.fixture
def always_pool() -> Iterator[None]:
    """Every parallel loop of compiled code uses the pool, however small (threshold 0)."""
    zthreads.set_min_parallel_ns(0)
    try:
        yield
    finally:
        zthreads.set_min_parallel_ns(None)


@pytest.mark.usefixtures("always_pool")
@pytest.mark.parametrize("threads", [1, 2, 4])
def test_parallel_rows_match_numpy(rows_module: CompiledModule, threads: int) -> None:
    a = np.random.default_rng(0).random((ROWS, COLS), dtype=np.float32)
    with zthreads.trace_chunks() as records:
        out = rows_module.kernel("rows")(a, threads=threads)
    np.testing.assert_array_equal(out, 2 * a + 1)
    assert covered(records, ROWS)
    thread_ids = {tid for tid, _, _ in records}
    if threads == 1:
        assert records == [(threading.get_ident(), 0, ROWS)]
    else:
        assert len(records) == threads * zthreads.pool().chunks_per_thread
        assert len(thread_ids) == threads
        assert threading.get_ident() in thread_ids


def test_small_loops_stay_on_the_calling_thread(rows_module: CompiledModule) -> None:
    """A body whose serial runs took less than the threshold is run serially from then on;
    one measured above it goes to the pool after a single sample (4x the threshold)."""
    a = np.random.default_rng(1).random((ROWS, COLS), dtype=np.float32)
    kernel = rows_module.kernel("rows")
    me = threading.get_ident()
    try:
        zthreads.set_min_parallel_ns(10**10)  # 10 s: every loop here is small
        for _ in range(zthreads.SAMPLES + 2):
            with zthreads.trace_chunks() as records:
                out = kernel(a, threads=2)
            np.testing.assert_array_equal(out, 2 * a + 1)
            assert records == [(me, 0, ROWS)]
        zthreads.set_min_parallel_ns(1)  # 1 ns: the first sample shows the loop is large
        with zthreads.trace_chunks() as records:
            kernel(a, threads=2)
        assert records == [(me, 0, ROWS)]
        with zthreads.trace_chunks() as records:
            out = kernel(a, threads=2)
        np.testing.assert_array_equal(out, 2 * a + 1)
        assert len(records) == 2 * zthreads.pool().chunks_per_thread
        assert len({tid for tid, _, _ in records}) == 2
    finally:
        zthreads.set_min_parallel_ns(None)


def test_loop_classification_small_large_and_pool_not_faster() -> None:
    """The decisions of `_Loop` on given times (ns), threshold 1000 ns."""
    zthreads.set_min_parallel_ns(1000)
    try:
        small = zthreads._Loop(1)
        for _ in range(zthreads.SAMPLES):
            small.sample(500)
        assert small.serial and small.retry == 0  # small: serial for good
        large = zthreads._Loop(1)
        large.sample(5000)  # over 4x the threshold: classified after one run
        assert not large.serial and large.samples == zthreads.SAMPLES
        for _ in range(zthreads.SAMPLES):
            large.sample_pooled(6000)  # the pool was slower (a loaded machine)
        assert large.serial and large.retry == zthreads.RETRY_INTERVAL
        assert all(large.countdown() for _ in range(zthreads.RETRY_INTERVAL - 1))
        assert not large.countdown() and not large.serial  # one more pooled run is due
        large.sample_pooled(2000)  # faster now: back to the pool
        assert not large.serial and large.retry == 0
    finally:
        zthreads.set_min_parallel_ns(None)


def test_one_iteration_loops_never_leave_native_code() -> None:
    """The native `ziggurat_parallel_for` runs `fn(0, 1, ctx)` itself: Python never sees the
    body (it has no entry in the runtime's table); longer loops go through Python."""
    signature = [ArgSpec((1, COLS), np.float32, "in"), ArgSpec((1, COLS), np.float32, "out")]
    one = compile_llvm_ir(rows_ir(1, COLS), {"rows": signature}, cache=False)
    a = np.arange(COLS, dtype=np.float32).reshape(1, COLS)
    zthreads.reset_loop_stats()
    np.testing.assert_array_equal(one.kernel("rows")(a, threads=2), 2 * a + 1)
    assert zthreads._loops == {}
    with zthreads.trace_chunks() as records:  # while tracing, every loop goes through Python
        one.kernel("rows")(a, threads=2)
    assert records == [(threading.get_ident(), 0, 1)]
    zthreads.reset_loop_stats()
    b = np.ones((ROWS, COLS), np.float32)
    many = compile_llvm_ir(
        rows_ir(ROWS, COLS),
        {
            "rows": [
                ArgSpec((ROWS, COLS), np.float32, "in"),
                ArgSpec((ROWS, COLS), np.float32, "out"),
            ]
        },
        cache=False,
    )
    np.testing.assert_array_equal(many.kernel("rows")(b), 2 * b + 1)
    assert len(zthreads._loops) == 1


def test_min_parallel_ns_is_checked() -> None:
    for bad in (-1, 1.5, True, "10"):
        with pytest.raises(ValueError, match="min_parallel_ns must be None or an int >= 0"):
            zthreads.set_min_parallel_ns(bad)  # type: ignore[arg-type]
    assert zthreads.min_parallel_ns() == zthreads.DEFAULT_MIN_PARALLEL_NS


def test_chunk_counts() -> None:
    pool = zthreads.pool()
    for total, threads, chunks in [(1, 4, 1), (2, 2, 2), (5, 2, 5), (1000, 2, 32), (1000, 4, 64)]:
        bounds = pool.chunk_bounds(total, threads)
        assert len(bounds) - 1 == chunks
        assert bounds[0] == 0 and bounds[-1] == total
        assert all(bounds[i] < bounds[i + 1] for i in range(chunks))


@pytest.mark.parametrize(("total", "threads", "chunks"), [(1, 4, 1), (2, 2, 2), (1000, 3, 48)])
def test_pool_runs_one_two_and_many_chunks(total: int, threads: int, chunks: int) -> None:
    seen = np.zeros(total, dtype=np.int64)

    def body(begin: int, end: int) -> None:
        seen[begin:end] += 1

    with zthreads.trace_chunks() as records:
        zthreads.pool().parallel_for(body, total, threads)
    assert len(records) == chunks
    assert (seen == 1).all()
    assert len({tid for tid, _, _ in records}) == min(threads, chunks)


def test_exception_in_a_chunk_is_raised_after_all_chunks_finish() -> None:
    done: list[int] = []
    lock = threading.Lock()

    def body(begin: int, end: int) -> None:
        if begin == 0:
            raise ZeroDivisionError("chunk 0 failed")
        with lock:
            done.append(begin)

    result: list[BaseException] = []

    def run() -> None:
        try:
            zthreads.pool().parallel_for(body, 100, 2)
        except BaseException as error:
            result.append(error)

    runner = threading.Thread(target=run)
    runner.start()
    runner.join(timeout=30)
    assert not runner.is_alive(), "parallel_for deadlocked after an exception"
    assert len(result) == 1 and isinstance(result[0], ZeroDivisionError)
    assert len(done) == 2 * zthreads.pool().chunks_per_thread - 1


def test_error_in_the_callback_surfaces_on_the_kernel(rows_module: CompiledModule) -> None:
    with pytest.raises(ZigguratRuntimeError, match="null function pointer"):
        rows_module.kernel("bad")(np.zeros(1, np.float32))
    assert zthreads.take_pending_error() is None


def test_nested_parallel_for_runs_serially() -> None:
    inner: list[int] = []

    def body(begin: int, end: int) -> None:
        with zthreads.trace_chunks() as records:
            zthreads.pool().parallel_for(lambda b, e: None, 10, 4)
        inner.append(len(records))

    zthreads.pool().parallel_for(body, 4, 2)
    assert inner == [1, 1, 1, 1]


def test_thread_count_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZIGGURAT_NUM_THREADS", "3")
    assert get_num_threads() == 3
    with num_threads(5):
        assert get_num_threads() == 5
    set_num_threads(2)
    try:
        assert get_num_threads() == 2
    finally:
        set_num_threads(None)
    monkeypatch.setenv("ZIGGURAT_NUM_THREADS", "zero")
    with pytest.raises(ValueError, match="ZIGGURAT_NUM_THREADS must be a positive integer"):
        get_num_threads()
    monkeypatch.delenv("ZIGGURAT_NUM_THREADS")
    assert get_num_threads() == zthreads.cpu_count()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.usefixtures("always_pool")
def test_parallel_kernel_works_in_a_forked_child(rows_module: CompiledModule) -> None:
    a = np.random.default_rng(0).random((ROWS, COLS), dtype=np.float32)
    rows_module.kernel("rows")(a, threads=2)
    pid = os.fork()
    if pid == 0:
        try:
            ok = np.array_equal(rows_module.kernel("rows")(a, threads=2), 2 * a + 1)
        finally:
            os._exit(0 if ok else 1)
    deadline = time.monotonic() + 20
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("parallel loop in a forked child hung")
        time.sleep(0.01)
    assert os.waitstatus_to_exitcode(status) == 0


SPIN_IR = """
define void @spin(ptr %x) {
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
  store double %v1, ptr %x
  ret void
}
declare double @llvm.fma.f64(double, double, double)
"""


def test_kernel_calls_release_the_gil() -> None:
    spin = compile_llvm_ir(SPIN_IR, {"spin": [ArgSpec((1,), np.float64, "inout")]}, cache=False)
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
        x = np.ones(1)
        before = counter[0]
        spin.kernel("spin")(x)
        during = counter[0] - before
    finally:
        stop.set()
        other.join()
        sys.setswitchinterval(interval)
    assert x[0] == pytest.approx(1.0)
    assert during > 50_000, "the Python thread made no progress while compiled code ran"
