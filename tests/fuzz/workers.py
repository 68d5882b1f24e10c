"""Persistent worker processes that run Ziggurat's tools (or a Python function) as jobs, each
job isolated from the caller as a subprocess with a timeout would be.

`WorkerPool(workers=2)` starts `workers` fresh interpreters (`python workers.py --serve`, a
plain subprocess: no fork, so egglog's native thread is safe). Each one imports Ziggurat, xDSL,
egglog and llvmlite once (not with `preload=False`: then jobs import what they use), then runs
jobs one after another in-process: `ziggurat-opt`'s or
`ziggurat-run`'s `main(argv)` (SystemExit caught), or `path/to/file.py:function(*args)`. For
each job the worker points file descriptors 0, 1 and 2 at /dev/null and two files (so output
written by native code is captured too), applies the job's address-space limit and restores
its environment, working directory, warnings filters, recursion limit and `sys.argv`
afterwards.

The caller enforces each job's timeout: a job that does not answer in time is a hang, and its
worker is killed (SIGKILL on its process group) and replaced; a worker that dies during a job
(a signal, `os._exit`) reports that job as a crash with the signal or exit status. A worker
is also replaced after a job that did not end with exit status 0, 1 or 2, after `max_jobs`
jobs and when it grows beyond `MAX_RSS_BYTES`, which bounds the state one job can leak into
the next.

```python
with WorkerPool(workers=2, env={"ZIGGURAT_NO_CACHE": "1"}) as pool:
    r = pool.run("opt", ["x.mlir", "-p", "cpu-pipeline", "-t", "llvm"], timeout=20)
    r.rc, r.signal, r.timed_out, r.stdout, r.stderr, r.seconds
    results = list(pool.map([{"kind": "run", "argv": ["x.mlir", "--check"]}, ...]))
```

Protocol (one JSON object per line on the worker's stdin/stdout, which the worker moves off
fds 0 and 1 before anything else runs): after start-up the worker writes `{"ready": true}`;
a request is `{"kind": "opt" | "run" | "call", "argv": [...], "target": "file.py:function",
"args": [...], "cwd": dir, "memory": bytes, "stdout": path, "stderr": path}`, the reply
`{"rc": int, "seconds": float, "cpu": float, "rss": bytes}`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import queue
import resource
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

MEMORY_LIMIT_BYTES = 4 << 30
"""Default address-space limit (RLIMIT_AS) during a job: a runaway allocation fails in it."""

MAX_RSS_BYTES = 1536 << 20
"""A worker whose resident size exceeds this after a job is replaced."""

MAX_JOBS = 200
"""A worker is replaced after this many jobs (bounds what jobs can leak into later ones)."""

EXIT_UNCAUGHT = 86
"""Exit status of a job that raised an exception that the tool did not handle."""

STARTUP_TIMEOUT = 180.0
"""Seconds a new worker may take to import everything (the machine may be loaded)."""


@dataclass
class Result:
    """How one job ended."""

    rc: int | None
    signal: int | None
    timed_out: bool
    seconds: float
    stdout: str
    stderr: str
    cpu: float = 0.0

    def describe(self) -> str:
        if self.timed_out:
            return f"timed out after {self.seconds:.1f} s"
        if self.signal is not None:
            return f"killed by signal {signal.Signals(self.signal).name}"
        return f"exit {self.rc}"


# ---------------------------------------------------------------------------------------------
# Worker side
# ---------------------------------------------------------------------------------------------


def _preload() -> None:
    """Import everything jobs need (egglog included: this is a fresh interpreter, not a
    fork), so that the first job does not pay for it."""
    import numpy  # noqa: F401

    import ziggurat
    import ziggurat.driver
    import ziggurat.interpreter
    import ziggurat.passes
    import ziggurat.tools.opt
    import ziggurat.tools.run
    import ziggurat.universe

    for name in ("egglog", "ziggurat.passes.eqsat", "ziggurat.lowering.llvm_translate"):
        with contextlib.suppress(Exception):
            __import__(name)
    with contextlib.suppress(Exception):
        ziggurat.universe.all_passes()
    with contextlib.suppress(Exception):
        from ziggurat.parsing import default_context

        default_context()
    del ziggurat


_modules: dict[str, tuple[float, ModuleType]] = {}


def _load(file: str) -> ModuleType:
    """The module of a "call" job's file, loaded once (again when the file changes)."""
    mtime = os.stat(file).st_mtime
    cached = _modules.get(file)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    name = f"_job_{Path(file).stem}"
    spec = importlib.util.spec_from_file_location(name, file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    _modules[file] = (mtime, module)
    return module


def _dispatch(request: dict[str, Any]) -> int:
    """Run one job; its exit status."""
    kind = request["kind"]
    argv = [str(a) for a in request.get("argv", [])]
    try:
        if kind == "opt":
            from ziggurat.tools.opt import main as opt_main

            sys.argv = ["ziggurat-opt", *argv]
            opt_main(argv)
            return 0
        if kind == "run":
            from ziggurat.tools.run import main as run_main

            sys.argv = ["ziggurat-run", *argv]
            run_main(argv)
            return 0
        if kind == "call":
            file, _, name = request["target"].rpartition(":")
            sys.argv = [file, *argv]
            result = getattr(_load(file), name)(*request.get("args", []))
            return int(result or 0)
        raise ValueError(f"unknown job kind {kind!r}")
    except SystemExit as e:
        if e.code is None:
            return 0
        if isinstance(e.code, int):
            return e.code
        print(e.code, file=sys.stderr)
        return 1
    except BaseException:  # the job's own bug, KeyboardInterrupt and MemoryError included
        traceback.print_exc()
        return EXIT_UNCAUGHT


def _rss() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return 0


class _Streams:
    """The worker's sys.stdin/stdout/stderr: text streams on fds 0, 1 and 2, whose targets
    change per job (dup2), created once so that anything holding them stays valid."""

    def __init__(self) -> None:
        self.devnull = os.open(os.devnull, os.O_RDWR)
        self.log = os.dup(2)  # the worker's own stderr (its log), between jobs
        for fd in (0, 1):
            os.dup2(self.devnull, fd)
        # Encodings and error handlers as the interpreter chose them for this locale, as in
        # a process of the tool's own.
        out, err = sys.__stdout__, sys.__stderr__
        self.stdin = open(0, closefd=False)  # noqa: SIM115
        self.stdout = open(  # noqa: SIM115
            1,
            "w",
            encoding=out.encoding if out else "utf-8",
            errors=out.errors if out else "strict",
            closefd=False,
        )
        self.stderr = open(  # noqa: SIM115
            2,
            "w",
            encoding=err.encoding if err else "utf-8",
            errors=err.errors if err else "backslashreplace",
            closefd=False,
            buffering=1,
        )
        self.install()

    def install(self) -> None:
        sys.stdin, sys.stdout, sys.stderr = self.stdin, self.stdout, self.stderr

    def redirect(self, stdout: str, stderr: str) -> None:
        self.install()
        for fd, path in ((1, stdout), (2, stderr)):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(target, fd)
            os.close(target)

    def reset(self) -> None:
        for stream in (sys.stdout, sys.stderr, self.stdout, self.stderr):
            with contextlib.suppress(BaseException):
                stream.flush()
        os.dup2(self.devnull, 1)
        os.dup2(self.log, 2)
        self.install()


def _run_job(request: dict[str, Any], streams: _Streams) -> dict[str, Any]:
    start, cpu = time.monotonic(), time.process_time()
    environ, cwd, argv = dict(os.environ), os.getcwd(), list(sys.argv)
    recursion = sys.getrecursionlimit()
    limits = resource.getrlimit(resource.RLIMIT_AS)
    streams.redirect(request["stdout"], request["stderr"])
    try:
        memory = int(request.get("memory", MEMORY_LIMIT_BYTES))
        if memory > 0:
            resource.setrlimit(resource.RLIMIT_AS, (memory, limits[1]))
        if request.get("cwd"):
            os.chdir(request["cwd"])
        with warnings.catch_warnings():
            code = _dispatch(request)
    finally:
        with contextlib.suppress(BaseException):
            resource.setrlimit(resource.RLIMIT_AS, limits)
        streams.reset()
        os.environ.clear()
        os.environ.update(environ)
        os.chdir(cwd)
        sys.argv = argv
        sys.setrecursionlimit(recursion)
    return {
        "rc": code,
        "seconds": time.monotonic() - start,
        "cpu": time.process_time() - cpu,
        "rss": _rss(),
    }


def serve(preload: bool = True) -> None:
    """Read requests on the protocol pipe, run each, answer one line per request."""
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    streams = _Streams()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # Jobs import the harness modules by name (`import workers`): let them find this one.
    sys.modules.setdefault("workers", sys.modules[__name__])
    if preload:
        _preload()
    streams.reset()
    replies.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    replies.flush()
    for line in requests:
        if line.strip():
            replies.write(json.dumps(_run_job(json.loads(line), streams)) + "\n")
            replies.flush()
    # No interpreter shutdown: threads and atexit handlers of the jobs' libraries could block.
    os._exit(0)


# ---------------------------------------------------------------------------------------------
# Caller side
# ---------------------------------------------------------------------------------------------


def _read(path: Path, limit: int = 200_000) -> str:
    try:
        with open(path, "rb") as f:
            data = f.read(limit)
    except FileNotFoundError:
        return ""
    return data.decode(errors="replace")


class Worker:
    """One worker process, started on first use and replaced when it dies, hangs or has run
    `max_jobs` jobs; `run` is not thread-safe (`WorkerPool` runs several)."""

    def __init__(
        self,
        env: dict[str, str] | None = None,
        max_jobs: int = MAX_JOBS,
        max_rss: int = MAX_RSS_BYTES,
        startup_timeout: float = STARTUP_TIMEOUT,
        preload: bool = True,
    ) -> None:
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.env.setdefault("OPENBLAS_NUM_THREADS", "1")
        self.env.setdefault("OMP_NUM_THREADS", "1")
        self.env.pop("PYTHONFAULTHANDLER", None)
        self.max_jobs, self.max_rss, self.startup_timeout = max_jobs, max_rss, startup_timeout
        self.preload = preload
        self._scratch = tempfile.TemporaryDirectory(prefix="zg-worker-")
        self.scratch = Path(self._scratch.name)
        self.proc: subprocess.Popen[bytes] | None = None
        self.jobs = 0
        self.starts = 0
        self._buffer = b""

    # -- process management --------------------------------------------------------------

    def start(self) -> None:
        if self.proc is not None:
            return
        with open(self.scratch / "worker.log", "ab") as log_file:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--serve" if self.preload else "--serve-bare",
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log_file,
                env=self.env,
                cwd=self.scratch,
                start_new_session=True,
            )
        self.starts += 1
        self.jobs = 0
        self._buffer = b""
        line = self._line(time.monotonic() + self.startup_timeout)
        if isinstance(line, str) or not json.loads(line).get("ready"):
            status = self.stop(kill=True)
            log = _read(self.scratch / "worker.log")[-3000:]
            raise RuntimeError(f"worker did not start (status {status}):\n{log}")

    def stop(self, kill: bool = False) -> int | None:
        """Stop the worker (at once, SIGKILL to its process group, with `kill`); its exit
        status (negative: the signal that ended it)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        status: int | None = None
        if not kill:
            assert proc.stdin is not None
            with contextlib.suppress(OSError):
                proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                status = proc.wait(10)
        if status is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            status = proc.wait()
        else:
            # Anything the worker's jobs left behind in its group.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        return status

    def _line(self, deadline: float) -> bytes | str:
        """The next protocol line, or "timeout" at the deadline, or "exit" when the worker
        closed its end (it died)."""
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return "exit"
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    # -- jobs -------------------------------------------------------------------------------

    def run(
        self,
        kind: str,
        argv: Sequence[str] = (),
        timeout: float = 30.0,
        *,
        target: str = "",
        args: Sequence[Any] = (),
        cwd: str = "",
        memory: int = MEMORY_LIMIT_BYTES,
    ) -> Result:
        self.start()
        assert self.proc is not None and self.proc.stdin is not None
        out, err = self.scratch / "stdout", self.scratch / "stderr"
        request = {
            "kind": kind,
            "argv": [str(a) for a in argv],
            "target": target,
            "args": list(args),
            "cwd": cwd,
            "memory": memory,
            "stdout": str(out),
            "stderr": str(err),
        }
        start = time.monotonic()
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except OSError:
            pass  # it died between jobs: the read below sees it
        line = self._line(start + timeout)
        seconds = time.monotonic() - start
        rc: int | None
        sig: int | None = None
        timed_out = False
        cpu = 0.0
        if not isinstance(line, str):
            reply = json.loads(line)
            rc, cpu = int(reply["rc"]), float(reply["cpu"])
            self.jobs += 1
            if rc not in (0, 1, 2) or self.jobs >= self.max_jobs or reply["rss"] > self.max_rss:
                self.stop()
        else:
            timed_out = line == "timeout"
            status = self.stop(kill=True)
            if timed_out or status is None:
                rc, sig = None, signal.SIGKILL
            elif status < 0:
                rc, sig = None, -status
            else:
                rc = status
        result = Result(rc, sig, timed_out, seconds, _read(out), _read(err), cpu)
        for path in (out, err):
            path.unlink(missing_ok=True)
        return result

    def close(self) -> None:
        self.stop()
        self._scratch.cleanup()


class WorkerPool:
    """`workers` workers; `run` may be called from several threads at once, `map` runs jobs
    in parallel and yields their results in order. Workers start in parallel on creation."""

    def __init__(self, workers: int = 2, env: dict[str, str] | None = None, **options: Any):
        self.workers = max(1, workers)
        self._all = [Worker(env, **options) for _ in range(self.workers)]
        self._idle: queue.Queue[Worker] = queue.Queue()
        with ThreadPoolExecutor(self.workers) as ex:
            list(ex.map(lambda w: w.start(), self._all))
        for w in self._all:
            self._idle.put(w)
        self._lock = threading.Lock()

    @property
    def starts(self) -> int:
        """Worker processes started so far (the first ones included)."""
        return sum(w.starts for w in self._all)

    def run(self, kind: str, argv: Sequence[str] = (), timeout: float = 30.0, **kw: Any) -> Result:
        worker = self._idle.get()
        try:
            return worker.run(kind, argv, timeout, **kw)
        finally:
            self._idle.put(worker)

    def map(
        self,
        jobs: Sequence[dict[str, Any]],
        done: Callable[[int, Result], None] | None = None,
    ) -> Iterator[Result]:
        """Each job is the keyword arguments of `run`; `done(i, result)` is called as each
        job ends (in any order)."""

        def one(i: int) -> Result:
            r = self.run(**jobs[i])
            if done is not None:
                done(i, r)
            return r

        with ThreadPoolExecutor(self.workers) as ex:
            yield from ex.map(one, range(len(jobs)))

    def close(self) -> None:
        for w in self._all:
            w.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    if sys.argv[1:] in (["--serve"], ["--serve-bare"]):
        serve(preload=sys.argv[1] == "--serve")
    else:
        print("usage: workers.py --serve | --serve-bare (started by Worker)", file=sys.stderr)
        sys.exit(2)
