"""The native side of the thread pool: `ziggurat_parallel_for` and its worker threads in
LLVM IR, so that a parallel loop of compiled code runs on the pool without entering Python.

The module is compiled once per triple (its object is kept in the object cache) and linked
once per process. It holds:

- **the pool**: `zp_worker(id)` is the body of worker thread `id` (1, 2, ...; the threads
  are Python threads that call it through ctypes, so they hold no GIL while they live).
  A worker waits for the generation counter `zp_gen` to change: it spins `zp_spin_limit`
  times (with the CPU's spin-wait hint), then sleeps on it with `futex(FUTEX_WAIT)`.
  `zp_run(fn, total, ctx, threads)` publishes a loop (the body, its trip count, its
  context, `min(total, 16 * threads)` chunks), bumps the generation, wakes sleeping workers
  with `futex(FUTEX_WAKE)` only if some sleep, runs chunks itself and waits until every
  chunk is done (spinning `WAIT_SPIN_LIMIT` times, then yielding the CPU between checks). Chunks are claimed with a compare-and-swap on one 64-bit word holding the
  loop's generation and the next chunk, so a worker that wakes late can never run a chunk
  of a loop that is over or read a later loop's body for an earlier loop's chunk. Only
  workers whose id is below the loop's thread count take part. One loop is in flight at a
  time (`zp_busy`): a loop started while one runs (a nested loop, or one from a second
  Python thread) runs serially on its caller.
- **the routing table**: `ziggurat_parallel_for(fn, total, ctx)`, the symbol compiled code
  calls, looks `(fn, total)` up in a 256-entry open-addressed table that the Python side
  fills once it has measured a body (`runtime/threads.py`): mode 1 runs the body serially
  (optionally counting down to a re-measurement: Python is entered when the count reaches
  zero), mode 2 runs it on the pool with the process's thread count `zp_threads`. A loop of
  one iteration runs in place. Everything else (an unmeasured body, a full table, tracing
  through `zp_route`, a Python thread with its own thread count: `zp_overrides`) goes to
  the Python entry `ziggurat_parallel_for_python`.

Only Linux on x86-64 and AArch64 has the native pool (it calls `futex` through libc's
`syscall`); elsewhere `native_pool_supported()` is false and the Python pool runs every
loop.
"""

from __future__ import annotations

import platform
import sys

from ziggurat.runtime.abi import PARALLEL_FOR_SYMBOL

TABLE_SIZE = 256
"""Entries of the routing table (a power of two)."""

TABLE_PROBES = 8
"""Slots looked at from a body's hash before the table counts as not having it."""

CHUNKS_PER_THREAD = 16
"""Chunks a loop is split into per thread (dynamic claiming balances uneven chunks)."""

SPIN_LIMIT = 4_000
"""Spin-wait iterations of an idle worker before it sleeps: about 110 us on the Zen 4 machine
of benchmarks/RESULTS.md, where one `pause` took 27 ns. A loop that follows soon after
another (the next loop of the same kernel, the next call from Python) finds the workers
awake; a worker that is not needed soon stops using its core."""

WAIT_SPIN_LIMIT = 2_000
"""Spin-wait iterations of a loop's caller waiting for chunks that workers run (about 50 us
at 27 ns a `pause`), after which it yields the CPU at every check: on a machine with more
runnable threads than cores, a worker that was preempted mid-chunk gets the core back."""

MODE_SERIAL = 1
MODE_POOL = 2

ENTRY_FIELDS = 4
"""Fields of a table entry, each 8 bytes: body address, trip count, mode, countdown."""

EXPORTS = (
    PARALLEL_FOR_SYMBOL,
    "zp_worker",
    "zp_run",
    "zp_stop_workers",
    "zp_route",
    "zp_threads",
    "zp_overrides",
    "zp_table",
    "zp_busy",
    "zp_sleepers",
    "zp_stop",
    "zp_spin_limit",
)
"""Symbols the Python side looks up in the linked module."""

_ARCH = {
    # machine: (spin hint call, SYS_futex, SYS_sched_yield, intrinsic declarations)
    "x86_64": ("call void @llvm.x86.sse2.pause()", 202, 24, "declare void @llvm.x86.sse2.pause()"),
    "aarch64": (
        "call void @llvm.aarch64.hint(i32 1)",
        98,
        124,
        "declare void @llvm.aarch64.hint(i32)",
    ),
}


def _machine() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def native_pool_supported() -> bool:
    """Whether this platform has the native pool (Linux on x86-64 or AArch64)."""
    return sys.platform.startswith("linux") and _machine() in _ARCH


def native_pool_ir() -> str:
    """The LLVM IR of the native pool for this machine (see the module docstring)."""
    hint, sys_futex, sys_yield, declarations = _ARCH[_machine()]
    mask = TABLE_SIZE - 1
    return f"""
{declarations}
declare i64 @syscall(i64, ...)
declare void @ziggurat_parallel_for_python(ptr, i64, ptr)

@zp_route = global i8 0
@zp_threads = global i64 1
@zp_overrides = global i64 0
@zp_table = global [{TABLE_SIZE * ENTRY_FIELDS} x i64] zeroinitializer
@zp_busy = global i32 0
@zp_sleepers = global i32 0
@zp_stop = global i32 0
@zp_spin_limit = global i64 {SPIN_LIMIT}
@zp_gen = global i32 0
@zp_claim = global i64 0
@zp_done = global i64 0
@zp_fn = global ptr null
@zp_ctx = global ptr null
@zp_total = global i64 0
@zp_chunks = global i64 0
@zp_participants = global i64 0

; Run chunks of the loop of generation %gen until none is left to claim.
define internal void @zp_work(i32 %gen) {{
entry:
  %tag = zext i32 %gen to i64
  %tagged = shl i64 %tag, 32
  br label %claim
claim:
  %v = load atomic i64, ptr @zp_claim seq_cst, align 8
  %vtag = and i64 %v, -4294967296
  %same = icmp eq i64 %vtag, %tagged
  br i1 %same, label %check, label %out
check:
  %idx = and i64 %v, 4294967295
  %chunks = load atomic i64, ptr @zp_chunks seq_cst, align 8
  %more = icmp ult i64 %idx, %chunks
  br i1 %more, label %take, label %out
take:
  %v1 = add i64 %v, 1
  %pair = cmpxchg ptr @zp_claim, i64 %v, i64 %v1 seq_cst seq_cst
  %ok = extractvalue {{ i64, i1 }} %pair, 1
  br i1 %ok, label %run, label %claim
run:
  %fn = load atomic ptr, ptr @zp_fn seq_cst, align 8
  %ctx = load atomic ptr, ptr @zp_ctx seq_cst, align 8
  %total = load atomic i64, ptr @zp_total seq_cst, align 8
  %q = udiv i64 %total, %chunks
  %r = urem i64 %total, %chunks
  %lo = mul i64 %idx, %q
  %idx1 = add i64 %idx, 1
  %hi = mul i64 %idx1, %q
  %small = icmp ult i64 %idx, %r
  %extra = select i1 %small, i64 %idx, i64 %r
  %small1 = icmp ult i64 %idx1, %r
  %extra1 = select i1 %small1, i64 %idx1, i64 %r
  %begin = add i64 %lo, %extra
  %end = add i64 %hi, %extra1
  call void %fn(i64 %begin, i64 %end, ptr %ctx)
  %ignored = atomicrmw add ptr @zp_done, i64 1 seq_cst
  br label %claim
out:
  ret void
}}

; The life of worker thread %id (>= 1): wait for a loop, take part if its thread count
; includes %id, repeat; return once zp_stop is set.
define void @zp_worker(i64 %id) {{
entry:
  %first = load atomic i32, ptr @zp_gen seq_cst, align 4
  br label %wait
wait:
  %seen = phi i32 [%first, %entry], [%seen, %sleep_done], [%g, %join], [%g, %take]
  %limit = load i64, ptr @zp_spin_limit
  br label %spin
spin:
  %i = phi i64 [0, %wait], [%i1, %spin_more]
  %g0 = load atomic i32, ptr @zp_gen seq_cst, align 4
  %changed = icmp ne i32 %g0, %seen
  br i1 %changed, label %got_spin, label %spin_more
spin_more:
  {hint}
  %i1 = add i64 %i, 1
  %again = icmp ult i64 %i1, %limit
  br i1 %again, label %spin, label %sleep
sleep:
  %s0 = atomicrmw add ptr @zp_sleepers, i32 1 seq_cst
  %g1 = load atomic i32, ptr @zp_gen seq_cst, align 4
  %still = icmp eq i32 %g1, %seen
  br i1 %still, label %futex_wait, label %sleep_end
futex_wait:
  %seen64 = zext i32 %seen to i64
  %w = call i64 (i64, ...) @syscall(i64 {sys_futex}, ptr @zp_gen, i64 128, i64 %seen64, ptr null)
  br label %sleep_end
sleep_end:
  %s1 = atomicrmw sub ptr @zp_sleepers, i32 1 seq_cst
  br label %sleep_done
sleep_done:
  %g2 = load atomic i32, ptr @zp_gen seq_cst, align 4
  %woke = icmp ne i32 %g2, %seen
  br i1 %woke, label %got_sleep, label %wait
got_spin:
  br label %got
got_sleep:
  br label %got
got:
  %g = phi i32 [%g0, %got_spin], [%g2, %got_sleep]
  %stop = load atomic i32, ptr @zp_stop seq_cst, align 4
  %stopping = icmp ne i32 %stop, 0
  br i1 %stopping, label %exit, label %join
join:
  %p = load atomic i64, ptr @zp_participants seq_cst, align 8
  %mine = icmp ult i64 %id, %p
  br i1 %mine, label %take, label %wait
take:
  call void @zp_work(i32 %g)
  br label %wait
exit:
  ret void
}}

; Run fn over [0, total) on up to %threads threads (the caller and workers 1..threads-1).
define void @zp_run(ptr %fn, i64 %total, ptr %ctx, i64 %threads) {{
entry:
  %few = icmp ule i64 %threads, 1
  %short = icmp ule i64 %total, 1
  %alone = or i1 %few, %short
  br i1 %alone, label %serial, label %acquire
acquire:
  %pair = cmpxchg ptr @zp_busy, i32 0, i32 1 seq_cst seq_cst
  %ok = extractvalue {{ i32, i1 }} %pair, 1
  br i1 %ok, label %publish, label %serial
serial:
  call void %fn(i64 0, i64 %total, ptr %ctx)
  ret void
publish:
  %want = mul i64 %threads, {CHUNKS_PER_THREAD}
  %fewer = icmp ult i64 %total, %want
  %chunks = select i1 %fewer, i64 %total, i64 %want
  store atomic ptr %fn, ptr @zp_fn seq_cst, align 8
  store atomic ptr %ctx, ptr @zp_ctx seq_cst, align 8
  store atomic i64 %total, ptr @zp_total seq_cst, align 8
  store atomic i64 %chunks, ptr @zp_chunks seq_cst, align 8
  store atomic i64 %threads, ptr @zp_participants seq_cst, align 8
  store atomic i64 0, ptr @zp_done seq_cst, align 8
  %g = load atomic i32, ptr @zp_gen seq_cst, align 4
  %g1 = add i32 %g, 1
  %tag = zext i32 %g1 to i64
  %tagged = shl i64 %tag, 32
  store atomic i64 %tagged, ptr @zp_claim seq_cst, align 8
  store atomic i32 %g1, ptr @zp_gen seq_cst, align 4
  %sleepers = load atomic i32, ptr @zp_sleepers seq_cst, align 4
  %asleep = icmp ne i32 %sleepers, 0
  br i1 %asleep, label %wake, label %work
wake:
  %w = call i64 (i64, ...) @syscall(i64 {sys_futex}, ptr @zp_gen, i64 129, i64 2147483647)
  br label %work
work:
  call void @zp_work(i32 %g1)
  br label %finish
finish:
  %i = phi i64 [0, %work], [%i1, %pause], [%i1, %yield]
  %done = load atomic i64, ptr @zp_done seq_cst, align 8
  %all = icmp uge i64 %done, %chunks
  br i1 %all, label %release, label %pause
pause:
  {hint}
  %i1 = add i64 %i, 1
  %long = icmp ugt i64 %i1, {WAIT_SPIN_LIMIT}
  br i1 %long, label %yield, label %finish
yield:
  %y = call i64 (i64, ...) @syscall(i64 {sys_yield})
  br label %finish
release:
  store atomic i32 0, ptr @zp_busy seq_cst, align 4
  ret void
}}

; Wake every worker with zp_stop set, so that each returns from zp_worker.
define void @zp_stop_workers() {{
entry:
  store atomic i32 1, ptr @zp_stop seq_cst, align 4
  %g = atomicrmw add ptr @zp_gen, i32 1 seq_cst
  %w = call i64 (i64, ...) @syscall(i64 {sys_futex}, ptr @zp_gen, i64 129, i64 2147483647)
  ret void
}}

define void @{PARALLEL_FOR_SYMBOL}(ptr %fn, i64 %total, ptr %ctx) {{
entry:
  %some = icmp ne ptr %fn, null
  br i1 %some, label %routed, label %python
routed:
  %route = load volatile i8, ptr @zp_route
  %native = icmp eq i8 %route, 0
  br i1 %native, label %one, label %python
one:
  %single = icmp eq i64 %total, 1
  br i1 %single, label %inline, label %overridden
overridden:
  %overrides = load atomic i64, ptr @zp_overrides monotonic, align 8
  %plain = icmp eq i64 %overrides, 0
  br i1 %plain, label %lookup, label %python
lookup:
  %address = ptrtoint ptr %fn to i64
  %h = lshr i64 %address, 4
  br label %probe
probe:
  %k = phi i64 [0, %lookup], [%k1, %next]
  %slot0 = add i64 %h, %k
  %slot = and i64 %slot0, {mask}
  %base = mul i64 %slot, {ENTRY_FIELDS}
  %pfn = getelementptr i64, ptr @zp_table, i64 %base
  %efn = load atomic i64, ptr %pfn monotonic, align 8
  %hit = icmp eq i64 %efn, %address
  br i1 %hit, label %found, label %miss
miss:
  %empty = icmp eq i64 %efn, 0
  br i1 %empty, label %python, label %next
next:
  %k1 = add i64 %k, 1
  %more = icmp ult i64 %k1, {TABLE_PROBES}
  br i1 %more, label %probe, label %python
found:
  %ptotal = getelementptr i64, ptr %pfn, i64 1
  %etotal = load atomic i64, ptr %ptotal monotonic, align 8
  %sametotal = icmp eq i64 %etotal, %total
  br i1 %sametotal, label %mode, label %python
mode:
  %pmode = getelementptr i64, ptr %pfn, i64 2
  %emode = load atomic i64, ptr %pmode monotonic, align 8
  %pooled = icmp eq i64 %emode, {MODE_POOL}
  br i1 %pooled, label %pool, label %serialmode
serialmode:
  %isserial = icmp eq i64 %emode, {MODE_SERIAL}
  br i1 %isserial, label %countdown, label %python
countdown:
  %pcount = getelementptr i64, ptr %pfn, i64 3
  %count = load atomic i64, ptr %pcount monotonic, align 8
  %counting = icmp ne i64 %count, 0
  br i1 %counting, label %count_one, label %inline
count_one:
  %count1 = sub i64 %count, 1
  store atomic i64 %count1, ptr %pcount monotonic, align 8
  %due = icmp eq i64 %count1, 0
  br i1 %due, label %python, label %inline
pool:
  %threads = load atomic i64, ptr @zp_threads monotonic, align 8
  call void @zp_run(ptr %fn, i64 %total, ptr %ctx, i64 %threads)
  ret void
inline:
  call void %fn(i64 0, i64 %total, ptr %ctx)
  ret void
python:
  call void @ziggurat_parallel_for_python(ptr %fn, i64 %total, ptr %ctx)
  ret void
}}
"""
