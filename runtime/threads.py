"""The runtime-owned thread pool and the `ziggurat_parallel_for` symbol compiled code calls.

`convert-to-llvm` outlines the body of a `zloop.parallel` into
`void @f__parK(i64 begin, i64 end, ptr ctx)` and replaces the loop by a call to the external
`void @ziggurat_parallel_for(ptr fn, i64 total, ptr ctx)`. This module implements that symbol
as a ctypes callback: it splits `[0, total)` into `chunks_per_thread` (16) chunks per thread and
runs `fn(begin, end, ctx)` on the calling thread and on pool threads. Each chunk is a ctypes
call, which releases the GIL, so chunks run truly in parallel.

Scheduling: participant `p` (the caller is participant 0, pool worker `p - 1` the others)
first runs chunk `p`, so every participant gets work whenever there are at least as many
chunks as threads; the remaining chunks are claimed dynamically by whoever is free. The call returns when every chunk has run.
With one thread, a single iteration, a loop measured to be too small to pay for the pool, or
when called from inside a parallel region (nested parallelism), `fn(0, total, ctx)` is called
directly on the calling thread.

Two entry points: the symbol compiled code links to is native (`runtime/native_pool.py`:
LLVM IR compiled once and kept in the object cache, linked once per process). It runs a
one-iteration loop `fn(0, 1, ctx)` in place, and looks every other loop's body up in a
routing table: a body measured small runs serially, one measured to pay for the pool runs on
the native pool (worker threads that spin briefly, then sleep on a futex), both without
entering Python. A body not in the table goes to the Python entry `_parallel_for_entry`. That
entry times the first runs of each outlined body on the calling thread (`SAMPLES`, or one run
that is clearly large) and keeps a body on the calling thread for good when its best serial
run took less than `min_parallel_ns()` (waking the pool costs more than such a loop), or when
its first runs on the pool were not faster than on one thread (`_Loop`); then it writes the
decision into the table. Chunks compute the same values wherever they run, so the results are
bit-identical whatever the thread count. Python bodies (`ThreadPool.parallel_for`) and
every loop run while `trace_chunks` records use the Python pool: ctypes calls per chunk,
which release the GIL. Where the native pool is not supported (`native_pool_supported`:
Linux on x86-64 and AArch64 only), a small native stub runs one-iteration loops in place and
the Python pool runs every other loop.

Thread count: `ZIGGURAT_NUM_THREADS` if set, else the number of CPUs this process may run on;
`set_num_threads(n)` changes the process default, and `num_threads(n)` (a context manager)
or a kernel's `threads=` argument overrides it for the calls made by one Python thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from ziggurat._version import __version__
from ziggurat.runtime import elf_loader, native_call, native_pool
from ziggurat.runtime._llvm import llvm, toolchain
from ziggurat.runtime.abi import PARALLEL_FOR_SYMBOL, PROFILE_MARK_SYMBOL
from ziggurat.runtime.cache import CacheEntry, ObjectCache, cache_enabled, cache_key
from ziggurat.runtime.target import host_triple

BodyFn = Callable[[int, int], None]

_BODY_TYPE = ctypes.CFUNCTYPE(None, ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p)
_PARALLEL_FOR_TYPE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p)
_RUN_TYPE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_int64)
_WORKER_TYPE = ctypes.CFUNCTYPE(None, ctypes.c_int64)
_STOP_TYPE = ctypes.CFUNCTYPE(None)


def _env_num_threads() -> int | None:
    value = os.environ.get("ZIGGURAT_NUM_THREADS", "").strip()
    if not value:
        return None
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(f"ZIGGURAT_NUM_THREADS must be a positive integer, got {value!r}")
    return count


def cpu_count() -> int:
    """CPUs this process may run on (its affinity mask), falling back to `os.cpu_count()`."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class _State(threading.local):
    """Per-Python-thread settings and bookkeeping."""

    def __init__(self) -> None:
        self.threads: int | None = None
        self.depth = 0
        self.pending_error: BaseException | None = None


_state = _State()
_default_threads: int | None = None
_trace: list[tuple[int, int, int]] | None = None


def get_num_threads() -> int:
    """The thread count parallel loops use on this Python thread now."""
    if _state.threads is not None:
        return _state.threads
    return process_num_threads()


def set_num_threads(count: int | None) -> None:
    """Set the process-wide default thread count (None: back to the environment/CPU count)."""
    global _default_threads
    if count is not None and count < 1:
        raise ValueError(f"thread count must be >= 1, got {count}")
    _default_threads = count
    if _native is not None:
        _native.set_threads(process_num_threads())


def process_num_threads() -> int:
    """The process-wide thread count (what `get_num_threads` gives outside `num_threads`)."""
    if _default_threads is not None:
        return _default_threads
    return _env_num_threads() or cpu_count()


@contextlib.contextmanager
def num_threads(count: int | None) -> Iterator[None]:
    """Use `count` threads for parallel loops run by this Python thread inside the block."""
    if count is not None and count < 1:
        raise ValueError(f"thread count must be >= 1, got {count}")
    saved = _state.threads
    _state.threads = count if count is not None else saved
    _count_override(1)
    try:
        yield
    finally:
        _state.threads = saved
        _count_override(-1)


_overrides = 0  # `num_threads` blocks in effect, on any Python thread


def _count_override(delta: int) -> None:
    """Count a `num_threads` block in or out: while any is in effect, the native entry sends
    every loop to Python, which knows each Python thread's own count."""
    global _overrides
    _overrides += delta
    if _native is not None:
        _native.set_overrides(_overrides)


@contextlib.contextmanager
def trace_chunks() -> Iterator[list[tuple[int, int, int]]]:
    """Record `(thread id, begin, end)` for every chunk run inside the block (for tests)."""
    global _trace
    saved = _trace
    records: list[tuple[int, int, int]] = []
    _trace = records
    _set_route()
    try:
        yield records
    finally:
        _trace = saved
        _set_route()


def take_pending_error() -> BaseException | None:
    """Return and clear the error a parallel loop on this thread could not raise (or None)."""
    error = _state.pending_error
    if error is not None:
        _state.pending_error = None
    return error


def _run_chunk(body: BodyFn, begin: int, end: int) -> None:
    trace = _trace
    if trace is not None:
        trace.append((threading.get_ident(), begin, end))
    body(begin, end)


class _Region:
    """One parallel loop in flight: its chunks, who claimed them, and completion."""

    def __init__(self, body: BodyFn, bounds: list[int], participants: int) -> None:
        self.body = body
        self.bounds = bounds
        self.chunks = len(bounds) - 1
        self.next_free = participants
        self.remaining = self.chunks
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.errors: list[BaseException] = []

    def _claim(self) -> int:
        with self.lock:
            index = self.next_free
            self.next_free += 1
        return index

    def work(self, first: int) -> None:
        """Run reserved chunk `first`, then claim free chunks until none are left."""
        index = first
        while index < self.chunks:
            try:
                _state.depth += 1
                _run_chunk(self.body, self.bounds[index], self.bounds[index + 1])
            except BaseException as error:
                self.errors.append(error)
            finally:
                _state.depth -= 1
                with self.lock:
                    self.remaining -= 1
                    finished = self.remaining == 0
                if finished:
                    self.done.set()
            index = self._claim()


class ThreadPool:
    """Persistent worker threads that help the calling thread run parallel loops."""

    def __init__(self, chunks_per_thread: int = 16) -> None:
        self.chunks_per_thread = chunks_per_thread
        self._queues: list[queue.SimpleQueue[tuple[_Region, int] | None]] = []
        self._workers: list[threading.Thread] = []
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Number of worker threads started so far (the caller is not counted)."""
        return len(self._workers)

    def _ensure_workers(self, count: int) -> None:
        with self._lock:
            while len(self._workers) < count:
                jobs: queue.SimpleQueue[tuple[_Region, int] | None] = queue.SimpleQueue()
                worker = threading.Thread(
                    target=self._worker_loop,
                    args=(jobs,),
                    name=f"ziggurat-worker-{len(self._workers)}",
                    daemon=True,
                )
                worker.start()
                self._queues.append(jobs)
                self._workers.append(worker)

    def _worker_loop(self, jobs: queue.SimpleQueue[tuple[_Region, int] | None]) -> None:
        while True:
            item = jobs.get()
            if item is None:
                return
            region, first = item
            region.work(first)

    def chunk_bounds(self, total: int, threads: int) -> list[int]:
        """Chunk boundaries `[0, ..., total]`: `chunks_per_thread` per thread, near-equal sizes."""
        chunks = max(1, min(total, threads * self.chunks_per_thread))
        return [total * i // chunks for i in range(chunks + 1)]

    def parallel_for(self, body: BodyFn, total: int, threads: int | None = None) -> None:
        """Run `body(begin, end)` over chunks covering `[0, total)`; wait for all of them.

        Raises the first exception a chunk raised, after every chunk has finished.
        """
        if total <= 0:
            return
        count = get_num_threads() if threads is None else threads
        if count <= 1 or total == 1 or _state.depth > 0:
            _state.depth += 1
            try:
                _run_chunk(body, 0, total)
            finally:
                _state.depth -= 1
            return
        bounds = self.chunk_bounds(total, count)
        participants = min(count, len(bounds) - 1)
        region = _Region(body, bounds, participants)
        self._ensure_workers(participants - 1)
        for first in range(1, participants):
            self._queues[first - 1].put((region, first))
        region.work(0)
        region.done.wait()
        if region.errors:
            raise region.errors[0]

    def shutdown(self) -> None:
        """Stop the worker threads (they are daemons, so this is optional at exit)."""
        with self._lock:
            workers, self._workers = self._workers, []
            queues, self._queues = self._queues, []
        for jobs in queues:
            jobs.put(None)
        for worker in workers:
            worker.join()


_pool = ThreadPool()


def _forget_workers_after_fork() -> None:
    """A forked child has none of the parent's threads: start with an empty pool."""
    _pool._workers = []
    _pool._queues = []
    _pool._lock = threading.Lock()
    if _native is not None:
        _native.after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_workers_after_fork)


def pool() -> ThreadPool:
    """The process-wide thread pool."""
    return _pool


DEFAULT_MIN_PARALLEL_NS = 10_000
"""A parallel loop whose best serial run took less than this (ns) stays on the calling thread.

Where it comes from: `bench_dispatch.py --threshold` (tanh(2x+1)*x on rows x 256, the pool
forced on; benchmarks/RESULTS.md, "Dispatch") on a quiet 2-core machine with the native
pool: two threads took the same time as one at 4 us of serial work, 0.83x at 6-8 us, 0.65x
at 16-20 us and 0.55-0.6x from 50 us up. Waking the native pool costs a few microseconds, so
10 us keeps a margin. (With the Python pool it replaced, waking cost about 33 us a loop, and
the threshold was 100 us.) On a loaded machine the break-even is much higher; that case is
caught by timing the pooled runs too (`_Loop.sample_pooled`)."""

SAMPLES = 3
"""Runs timed per outlined body in each mode before it is classified (the best one counts)."""

RETRY_INTERVAL = 64
"""A body kept serial because the pool was not faster gets one timed pooled run every this
many calls, so that it goes back to the pool once the machine is less loaded."""

_min_parallel_ns = DEFAULT_MIN_PARALLEL_NS


def min_parallel_ns() -> int:
    """The serial run time (ns) below which a parallel loop of compiled code runs serially."""
    return _min_parallel_ns


def set_min_parallel_ns(value: int | None) -> None:
    """Set the threshold of `min_parallel_ns()` (0: always use the pool; None: the default)
    and forget how every body was classified (`reset_loop_stats`)."""
    global _min_parallel_ns
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"min_parallel_ns must be None or an int >= 0, got {value!r}")
    _min_parallel_ns = DEFAULT_MIN_PARALLEL_NS if value is None else value
    reset_loop_stats()


class _Loop:
    """What the runtime knows about one outlined body: its ctypes callable and its size.

    A body is run serially and timed `SAMPLES` times (or once, if that run is clearly above
    the threshold); below the threshold it is serial for good. Above it, its first `SAMPLES`
    runs on the pool are timed too, and it goes back to serial if the pool was not faster
    (a loaded machine: the other threads do not get a core); then every `RETRY_INTERVAL`
    calls one more pooled run is timed, and the pool is used again once it wins. `slot` is
    the body's entry in the native routing table (-1: none), which carries each decision.
    """

    __slots__ = (
        "body",
        "pooled",
        "pooled_ns",
        "retry",
        "samples",
        "serial",
        "serial_ns",
        "slot",
        "total",
    )

    def __init__(self, fn: int, total: int = 0) -> None:
        self.body = _BODY_TYPE(fn)
        self.total = total  # the trip count it was measured with
        self.samples = 0  # serial runs timed
        self.serial_ns = 0
        self.pooled = 0  # pooled runs timed
        self.pooled_ns = 0
        self.serial = False  # classified small: always run on the calling thread
        self.retry = 0  # serial because the pool was not faster: calls until it is tried again
        self.slot = -1

    def sample(self, elapsed_ns: int) -> None:
        """Record one serial run; classify the body once it is known to be small or large."""
        self.serial_ns = elapsed_ns if self.samples == 0 else min(self.serial_ns, elapsed_ns)
        self.samples += 1
        if self.samples >= SAMPLES or self.serial_ns >= 4 * _min_parallel_ns:
            self.serial = self.serial_ns < _min_parallel_ns
            self.samples = SAMPLES

    def sample_pooled(self, elapsed_ns: int) -> None:
        """Record one run on the pool; after `SAMPLES`, keep the pool only if it was faster."""
        self.pooled_ns = elapsed_ns if self.pooled == 0 else min(self.pooled_ns, elapsed_ns)
        self.pooled += 1
        if self.pooled >= SAMPLES:
            self.serial = self.pooled_ns >= self.serial_ns
            self.retry = RETRY_INTERVAL if self.serial else 0

    def countdown(self) -> bool:
        """Count a serial call of a body the pool lost on; False when the pool is due for
        another timed run (the machine's load may have changed): the best pooled time then
        decides again."""
        self.retry -= 1
        if self.retry > 0:
            return True
        self.serial = False
        self.pooled = SAMPLES - 1
        return False

    def decided(self) -> int:
        """The routing-table mode of what is known so far: serial, pool, or 0 (undecided)."""
        if self.serial:
            return native_pool.MODE_SERIAL
        if self.pooled >= SAMPLES or (_min_parallel_ns == 0 and self.samples == 0):
            return native_pool.MODE_POOL
        return 0


_loops: dict[int, _Loop] = {}
_python_entries = 0  # calls of `_parallel_for_entry` (for tests: the native table's effect)


def reset_loop_stats() -> None:
    """Forget how large each outlined body was measured to be (they are measured again)."""
    _loops.clear()
    if _native is not None:
        _native.clear_table()


def python_entries() -> int:
    """How many parallel loops of compiled code have entered Python so far in this process
    (the rest ran natively: one iteration in place, or a body the routing table knows)."""
    return _python_entries


def _run_pooled(loop: _Loop, fn: int, total: int, ctx: int | None, count: int) -> None:
    """Run `loop` on `count` threads: the native pool, or the Python one while tracing (it
    records the chunks) or where there is no native pool."""
    if _trace is None and _native is not None and _native.pool:
        _native.run(fn, total, ctx, count)
        return
    body = loop.body

    def run(begin: int, end: int) -> None:
        body(begin, end, ctx)

    _pool.parallel_for(run, total, count)


def _parallel_for_entry(fn: int | None, total: int, ctx: int | None) -> None:
    global _python_entries
    _python_entries += 1
    try:
        if fn is None:
            raise ValueError(f"{PARALLEL_FOR_SYMBOL} called with a null function pointer")
        loop = _loops.get(fn)
        if loop is None or loop.total != total:
            # New, or a body of another module loaded at a freed one's address.
            loop = _loops[fn] = _Loop(fn, total)
        if total <= 0:
            return
        body = loop.body
        nested = _state.depth > 0
        counted = loop.serial and loop.retry and not nested and _native is not None
        if counted and _native is not None and _native.counted_down(loop, fn):
            loop.retry = 1  # the routing table counted the interval down: the pool is due
        if (
            _trace is None
            and (loop.serial or nested)
            and (not loop.retry or nested or loop.countdown())
        ):
            body(0, total, ctx)
            return

        if loop.serial:
            _run_pooled(loop, fn, total, ctx, 1)
        elif _min_parallel_ns == 0 or loop.pooled >= SAMPLES:
            _run_pooled(loop, fn, total, ctx, get_num_threads())
        elif loop.samples < SAMPLES:
            start = time.perf_counter_ns()
            _run_pooled(loop, fn, total, ctx, 1)
            loop.sample(time.perf_counter_ns() - start)
        else:
            count = get_num_threads()
            start = time.perf_counter_ns()
            _run_pooled(loop, fn, total, ctx, count)
            if count > 1:
                loop.sample_pooled(time.perf_counter_ns() - start)
        if _native is not None and not nested:
            _native.publish(loop, fn, process_num_threads())
    except BaseException as error:
        if _state.pending_error is None:
            _state.pending_error = error
            if _native is not None and _native.errors is not None:
                _native.errors.value += 1  # native kernel entries check for pending errors


_parallel_for_callback = _PARALLEL_FOR_TYPE(_parallel_for_entry)

_STUB_IR = f"""
declare void @ziggurat_parallel_for_python(ptr, i64, ptr)

@zp_route = global i8 0

define void @{PARALLEL_FOR_SYMBOL}(ptr %fn, i64 %total, ptr %ctx) {{
entry:
  %route = load volatile i8, ptr @zp_route
  %native = icmp eq i8 %route, 0
  %one = icmp eq i64 %total, 1
  %some = icmp ne ptr %fn, null
  %a = and i1 %native, %one
  %direct = and i1 %a, %some
  br i1 %direct, label %inline, label %python
inline:
  call void %fn(i64 0, i64 1, ptr %ctx)
  ret void
python:
  call void @ziggurat_parallel_for_python(ptr %fn, i64 %total, ptr %ctx)
  ret void
}}
"""
"""The native `ziggurat_parallel_for` where there is no native pool: a one-iteration loop
runs in place; anything else (or everything, while `zp_route` is nonzero: `trace_chunks`)
goes to Python."""


_layout = native_call.array_layout()


def _native_ir() -> str:
    """The runtime's native module: the pool (or the stub), and `zt_call` where numpy's and
    CPython's object layouts are the ones it reads."""
    text = native_pool.native_pool_ir() if native_pool.native_pool_supported() else _STUB_IR
    if _layout is not None:
        text += native_call.native_call_ir(_layout)
    return text


class _Native:
    """The linked native module: what keeps it mapped, the addresses of its globals, and
    the native pool's worker threads."""

    def __init__(self, library: Any) -> None:
        self.library = library  # what keeps the code mapped
        self.pool = native_pool.native_pool_supported()
        self.entry = int(library[PARALLEL_FOR_SYMBOL])
        self.route = ctypes.c_uint8.from_address(library["zp_route"])
        self.workers: list[threading.Thread] = []
        self.lock = threading.Lock()
        self.call_entry = int(library["zt_call"]) if _layout is not None else None
        self.errors = (
            ctypes.c_int64.from_address(library["zt_errors"]) if _layout is not None else None
        )
        if not self.pool:
            return
        self.threads = ctypes.c_int64.from_address(library["zp_threads"])
        self.overrides = ctypes.c_int64.from_address(library["zp_overrides"])
        self.busy = ctypes.c_int32.from_address(library["zp_busy"])
        self.sleepers = ctypes.c_int32.from_address(library["zp_sleepers"])
        self.stop = ctypes.c_int32.from_address(library["zp_stop"])
        fields = native_pool.TABLE_SIZE * native_pool.ENTRY_FIELDS
        self.table = (ctypes.c_int64 * fields).from_address(library["zp_table"])
        self.run_fn = _RUN_TYPE(library["zp_run"])
        self.worker_fn = _WORKER_TYPE(library["zp_worker"])
        self.stop_fn = _STOP_TYPE(library["zp_stop_workers"])

    def set_threads(self, count: int) -> None:
        if self.pool:
            self.threads.value = count

    def set_overrides(self, count: int) -> None:
        if self.pool:
            self.overrides.value = count

    def clear_table(self) -> None:
        if self.pool:
            ctypes.memset(self.table, 0, ctypes.sizeof(self.table))

    def ensure_workers(self, count: int) -> None:
        """Start native workers until there are `count` (worker ids 1..count)."""
        with self.lock:
            while len(self.workers) < count:
                worker = threading.Thread(
                    target=self.worker_fn,
                    args=(len(self.workers) + 1,),
                    name=f"ziggurat-native-worker-{len(self.workers) + 1}",
                    daemon=True,
                )
                worker.start()
                self.workers.append(worker)

    def run(self, fn: int, total: int, ctx: int | None, count: int) -> None:
        """Run `fn` over `[0, total)` on the native pool with `count` threads."""
        if count > 1:
            self.ensure_workers(count - 1)
        self.run_fn(fn, total, ctx, count)

    def publish(self, loop: _Loop, fn: int, threads: int) -> None:
        """Write what is known of `loop` into the routing table (its slot, found once)."""
        if not self.pool:
            return
        self.threads.value = threads
        mode = loop.decided()
        if mode == native_pool.MODE_POOL and threads > 1:
            self.ensure_workers(threads - 1)
        slot = loop.slot if loop.slot >= 0 else self._slot(fn)
        if slot < 0:
            return  # the table is full around this body's hash: it keeps entering Python
        loop.slot = slot
        base = slot * native_pool.ENTRY_FIELDS
        table = self.table
        table[base] = 0  # no reader matches the entry while it changes
        table[base + 1] = loop.total
        table[base + 2] = mode
        table[base + 3] = loop.retry if mode == native_pool.MODE_SERIAL else 0
        table[base + 0] = fn

    def counted_down(self, loop: _Loop, fn: int) -> bool:
        """Whether `loop`'s table entry counted its serial calls down to zero (the native
        entry then sent this call to Python for a timed pooled run)."""
        if not self.pool or loop.slot < 0:
            return False
        base = loop.slot * native_pool.ENTRY_FIELDS
        table = self.table
        return bool(table[base] == fn and table[base + 2] == native_pool.MODE_SERIAL) and (
            table[base + 3] == 0
        )

    def _slot(self, fn: int) -> int:
        """A free (or `fn`'s own) slot among the probes from `fn`'s hash, or -1."""
        mask = native_pool.TABLE_SIZE - 1
        for k in range(native_pool.TABLE_PROBES):
            slot = ((fn >> 4) + k) & mask
            if self.table[slot * native_pool.ENTRY_FIELDS] in (0, fn):
                return slot
        return -1

    def after_fork(self) -> None:
        """A forked child has none of the workers, and no loop in flight."""
        self.workers = []
        self.lock = threading.Lock()
        if self.pool:
            self.busy.value = 0
            self.sleepers.value = 0
            self.clear_table()  # its pooled bodies go through Python, which starts workers

    def stop_workers(self) -> None:
        """Make every native worker return, wait for them, and allow new ones."""
        with self.lock:
            workers, self.workers = self.workers, []
            if not self.pool or not workers:
                return
            self.stop_fn()
            for worker in workers:
                worker.join()
            self.stop.value = 0
            self.clear_table()  # its pooled bodies go through Python, which starts workers


_native: _Native | None = None


def _stub_key(triple: str) -> str:
    """The cache key of the native module's object code for `triple` (generic CPU)."""
    return cache_key("parallel-for-stub", _native_ir(), triple, toolchain(), __version__)


def _stub_object(entry: CacheEntry) -> bytes:
    """The object code of a cached stub entry (raises if it is not one)."""
    if entry.meta.get("stub") != PARALLEL_FOR_SYMBOL or not entry.obj:
        raise ValueError("cache entry: not the parallel-for stub")
    return entry.obj


def _emit_stub(triple: str) -> bytes:
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    machine = llvm.Target.from_triple(triple).create_target_machine(jit=True)
    module = llvm.parse_assembly(_native_ir())
    module.verify()
    return bytes(machine.emit_object(module))


def _stub_imports() -> dict[str, int]:
    """The addresses the native module imports from Python (the rest are libc's)."""
    python_entry = ctypes.cast(_parallel_for_callback, ctypes.c_void_p).value
    assert python_entry is not None
    imports = {"ziggurat_parallel_for_python": python_entry}
    if _layout is not None:
        imports.update(native_call.python_api_symbols())
    return imports


def _stub_exports() -> list[str]:
    names = list(native_pool.EXPORTS if native_pool.native_pool_supported() else ())
    if _layout is not None:
        names += ["zt_call", "zt_errors"]
    return sorted({PARALLEL_FOR_SYMBOL, "zp_route", *names})


def _link_stub(obj: bytes) -> Any:
    """Link the native module's object: with the ELF loader where it runs, else an LLJIT of
    its own. Returns what keeps it mapped (looked up by symbol name)."""
    if elf_loader.enabled():
        try:
            return elf_loader.load_object(obj, _stub_imports().get, _stub_exports())
        except elf_loader.UnsupportedObject:
            pass  # the LLJIT links what the loader does not support
        except elf_loader.UnresolvedSymbol as error:
            raise RuntimeError(str(error)) from error
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    machine = llvm.Target.from_default_triple().create_target_machine(jit=True)
    jit = llvm.create_lljit_compiler(machine)
    builder = llvm.JITLibraryBuilder().add_object_img(obj).add_current_process()
    for name, address in _stub_imports().items():
        builder.import_symbol(name, address)
    for name in _stub_exports():
        builder.export_symbol(name)
    library = builder.link(jit, "ziggurat-runtime")
    return _Linked(jit, library)


class _Linked:
    """An LLJIT and the library linked into it (the JIT must live as long as the code)."""

    def __init__(self, jit: Any, library: Any) -> None:
        self.jit = jit
        self.library = library

    def __getitem__(self, name: str) -> int:
        return int(self.library[name])


def _native_entry() -> int:
    """Link the native module on first use and return the address of its entry.

    Its object code (for the default triple and a generic CPU) is kept in the object cache
    like any compiled module's: parsing and compiling the IR costs a new process 5-10 ms,
    loading and linking the cached object well under 1 ms with the ELF loader. A cached
    object that does not link is deleted and the module compiled again."""
    global _native
    if _native is None:
        triple = host_triple()
        store = ObjectCache() if cache_enabled() else None
        key = _stub_key(triple)
        library = None
        obj = store.load_checked(key, _stub_object) if store is not None else None
        if obj is not None and store is not None:
            try:
                library = _link_stub(obj)
            except RuntimeError:  # a well-formed but unusable entry: rebuild it
                store.reject(key)
        if library is None:
            obj = _emit_stub(triple)
            library = _link_stub(obj)
            if store is not None:
                store.store(key, obj, {"stub": PARALLEL_FOR_SYMBOL})
        native = _Native(library)
        native.set_threads(process_num_threads())
        native.set_overrides(_overrides)
        _native = native
        _set_route()
    return _native.entry


def _set_route() -> None:
    """Tell the native entry whether every loop must go through Python (while tracing)."""
    if _native is not None:
        _native.route.value = 0 if _trace is None else 1


def stop_native_workers() -> None:
    """Stop the native pool's worker threads (they are daemons, so this is optional at exit;
    later loops start new ones)."""
    if _native is not None:
        _native.stop_workers()


def native_call_entry() -> int | None:
    """The address of `zt_call` (runtime/native_call.py), or None where this process's
    object layouts are not the ones it reads."""
    _native_entry()
    return _native.call_entry if _native is not None else None


def parallel_for_address() -> int:
    """Address of the `ziggurat_parallel_for` implementation (callable from compiled code)."""
    return _native_entry()


def runtime_symbols() -> dict[str, int]:
    """Symbols the runtime provides to compiled code (bound in every object linked)."""
    from ziggurat.runtime import profile

    return {
        PARALLEL_FOR_SYMBOL: parallel_for_address(),
        PROFILE_MARK_SYMBOL: profile.mark_address(),
    }
