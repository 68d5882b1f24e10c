"""A fork server for the lit tests' `ziggurat-opt`, `ziggurat-run` and `xdsl-opt` commands.

Almost all of a typical RUN line's time is the tool's start (importing xDSL, the Ziggurat
dialects, passes and llvmlite: about 0.9 s of a 1 s `ziggurat-opt` call), and the suite runs
the tools about 220 times. lit.cfg.py starts one server per lit run that imports those
modules once; a RUN line's `ziggurat-opt` (found first on PATH) is a small client that hands
the server its argv, working directory, environment and its own stdin, stdout and stderr
(the file descriptors themselves), and the server forks a fresh child that runs the tool's
console-script entry point (`sys.exit(main())`) exactly as the installed script does. The
client exits with the child's exit status, or dies of the same signal, so `not`, `not
--crash`, pipes and redirections see what they would see of the real command.

Every command gets its own process forked from the same pristine, freshly imported state:
nothing one RUN line does can leak into another. What differs from a fresh interpreter is
only that the modules are already imported (and that the hash seed is the server's).

`lit -Dforkserver=0 tests/filecheck` (or ZIGGURAT_LIT_FORKSERVER=0) runs the real
installed commands instead; if the server is not running, the client runs the real command
itself (exec), so a missing server costs time, never a result.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import struct
import sys

TOOLS = {
    "ziggurat-opt": "ziggurat.tools.opt:main",
    "ziggurat-run": "ziggurat.tools.run:main",
    "xdsl-opt": "xdsl.tools.xdsl_opt:main",
}

_LEN = struct.Struct("!I")


# ---------------------------------------------------------------------------------------------
# Client: the `ziggurat-opt` etc. that RUN lines find on PATH
# ---------------------------------------------------------------------------------------------


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def client(tool: str, real: str, sock_path: str) -> None:
    """Run `tool` (whose real script is `real`) through the server at `sock_path`."""
    argv = sys.argv[1:]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        for fd in (0, 1, 2):
            os.fstat(fd)  # a closed standard stream cannot be handed over
        sock.connect(sock_path)
    except OSError:
        sock.close()
        os.execv(real, [real, *argv])  # no server: the real command, same result
    import resource

    limits = {
        name: resource.getrlimit(getattr(resource, name))
        for name in dir(resource)
        if name.startswith("RLIMIT_")
    }
    mask = os.umask(0)
    os.umask(mask)
    request: dict[str, object] = {"tool": tool, "real": real, "argv": argv, "cwd": os.getcwd()}
    request |= {"env": dict(os.environ), "rlimits": limits, "umask": mask}
    payload = json.dumps(request).encode()
    socket.send_fds(sock, [_LEN.pack(len(payload))], [0, 1, 2])
    sock.sendall(payload)
    # The child's pid, so that a signal that would stop the real command stops the child.
    pid_text = _recv_exact(sock, 4)
    if len(pid_text) == 4:
        child = _LEN.unpack(pid_text)[0]

        def forward(signum: int, _frame: object) -> None:
            with contextlib.suppress(OSError):
                os.kill(child, signum)

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
            signal.signal(signum, forward)
    status = _recv_exact(sock, 8)
    if len(status) != 8:
        sys.stderr.write(f"{tool}: lit fork server: lost the child's exit status\n")
        os._exit(125)
    kind, value = struct.unpack("!ii", status)
    if kind == 1:  # killed by signal `value`: die the same way
        signal.signal(value, signal.SIG_DFL)
        os.kill(os.getpid(), value)
        os._exit(128 + value)
    os._exit(value)


# ---------------------------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------------------------


# Not preloaded: egglog's native library starts a thread pool at import, and a forked child
# has none of its threads (it would wait on them forever). A child imports it itself.
NOT_PRELOADED = ("egglog",)


class _Blocker:
    """A meta-path finder that makes NOT_PRELOADED fail to import during the preload."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] in NOT_PRELOADED:
            raise ImportError(f"{name} is not preloaded")


def _preload() -> None:
    """Import what the tools import (lazily too), and nothing else: no tool code runs."""
    import importlib
    import pkgutil

    blocker = _Blocker()
    sys.meta_path.insert(0, blocker)
    try:
        for target in TOOLS.values():
            importlib.import_module(target.partition(":")[0])
        import ziggurat

        names = [info.name for info in pkgutil.walk_packages(ziggurat.__path__, "ziggurat.")]
        for name in [*names, "llvmlite.binding", "numpy", "xdsl.dialects", "xdsl.transforms"]:
            # egglog's users and GPU-only parts may fail here: the children import them.
            with contextlib.suppress(Exception):
                importlib.import_module(name)
    finally:
        sys.meta_path.remove(blocker)
    # A module that failed half way may have left what it imported, never itself.
    assert not any(name.partition(".")[0] in NOT_PRELOADED for name in sys.modules)


def _run_child(request: dict[str, object]) -> None:
    """In the forked child, with fds 0-2 already the client's: be the tool, then exit."""
    import atexit
    import importlib
    import io
    import random
    import traceback

    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    env = request["env"]
    assert isinstance(env, dict)
    os.environ.clear()
    os.environ.update(env)
    os.chdir(str(request["cwd"]))
    os.umask(int(str(request["umask"])))
    # The client's resource limits (a caller's RLIMIT_AS, say), as a child of it would have.
    import resource

    limits = request["rlimits"]
    assert isinstance(limits, dict)
    for name, (soft, hard) in limits.items():
        which = getattr(resource, name, None)
        if which is not None and resource.getrlimit(which) != (soft, hard):
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(which, (soft, hard))
    # The standard streams as a fresh interpreter opens them on these fds (CPython's
    # create_stdio: no newline translation, stdout line-buffered on a terminal, stderr
    # line-buffered with backslashreplace).
    enc = (sys.__stdout__.encoding if sys.__stdout__ else None) or "utf-8"
    errors = (sys.__stdout__.errors if sys.__stdout__ else None) or "strict"

    def stream(fd: int, write: bool, errs: str, line: bool) -> io.TextIOWrapper:
        raw = io.FileIO(fd, "w" if write else "r", closefd=False)
        buffered = io.BufferedWriter(raw) if write else io.BufferedReader(raw)
        return io.TextIOWrapper(
            buffered, encoding=enc, errors=errs, newline="\n", line_buffering=line
        )

    streams = vars(sys)
    streams["stdin"] = streams["__stdin__"] = stream(0, False, errors, False)
    streams["stdout"] = streams["__stdout__"] = stream(1, True, errors, os.isatty(1))
    streams["stderr"] = streams["__stderr__"] = stream(2, True, "backslashreplace", True)
    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    argv = request["argv"]
    assert isinstance(argv, list)
    sys.argv = [str(request["real"]), *map(str, argv)]
    module, _, attr = TOOLS[str(request["tool"])].partition(":")
    code = 0
    try:
        main = getattr(importlib.import_module(module), attr)
        sys.exit(main())
    except SystemExit as error:
        if error.code is None:
            code = 0
        elif isinstance(error.code, int):
            code = error.code
        else:
            print(error.code, file=sys.stderr)
            code = 1
    except BaseException:  # as the interpreter does with an uncaught exception
        traceback.print_exc()
        code = 1
    try:
        atexit._run_exitfuncs()
    except BaseException:
        traceback.print_exc()
    for out in (sys.stdout, sys.stderr):
        try:
            out.flush()
        except BaseException:  # e.g. EPIPE: the interpreter would say so and exit 120
            code = code or 120
    os._exit(code & 0xFF)


def _handle(conn: socket.socket) -> None:
    """In a forked monitor process: read the request, fork the child, report its status."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    header, fds, _flags, _addr = socket.recv_fds(conn, _LEN.size, 3)
    if len(header) != _LEN.size or len(fds) != 3:
        os._exit(1)
    payload = _recv_exact(conn, _LEN.unpack(header)[0])
    request = json.loads(payload)
    pid = os.fork()
    if pid == 0:
        try:
            conn.close()
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
                if fd > 2:
                    os.close(fd)
            _run_child(request)
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            os._exit(125)
    for fd in fds:
        os.close(fd)
    conn.sendall(_LEN.pack(pid))
    # Wait for the child; should the client die first (killed by a timeout, say), kill the
    # child too, as the real command would have died with it.
    pidfd = os.pidfd_open(pid)
    while True:
        ready, _, _ = select.select([pidfd, conn.fileno()], [], [])
        if pidfd in ready:
            break
        if not conn.recv(1, socket.MSG_PEEK):  # EOF: the client is gone
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            break
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        result = struct.pack("!ii", 1, os.WTERMSIG(status))
    else:
        result = struct.pack("!ii", 0, os.waitstatus_to_exitcode(status))
    try:
        conn.sendall(result)
    finally:
        os._exit(0)


def serve(sock_path: str, lifeline: int) -> None:
    """Serve until `lifeline` (the read end of a pipe that lit holds open) reports EOF."""
    import gc

    _preload()
    threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 0
    print(f"fork server: preloaded {len(sys.modules)} modules; {threads} threads", flush=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock_path + ".tmp")
    listener.listen(64)
    os.rename(sock_path + ".tmp", sock_path)  # clients see it only once it accepts
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the monitors reap themselves
    gc.collect()
    gc.freeze()  # keep the preloaded objects' pages shared with the children
    sys.stdout.flush()
    sys.stderr.flush()
    while True:
        ready, _, _ = select.select([listener.fileno(), lifeline], [], [])
        if lifeline in ready:
            break
        try:
            conn, _ = listener.accept()
        except OSError:
            continue
        if os.fork() == 0:
            try:
                listener.close()
                _handle(conn)
            finally:
                os._exit(1)
        conn.close()
    listener.close()
    os.unlink(sock_path)


def start(tools: dict[str, str], timeout: float = 60.0) -> tuple[str, int]:
    """Start a server for `tools` (name: the real command's path); returns the folder of
    the client commands to put first on PATH, and the write end of the server's lifeline
    (the server stops when every copy of it is closed; it is closed on exec)."""
    import atexit
    import shutil
    import subprocess
    import tempfile
    import time

    folder = tempfile.mkdtemp(prefix="zfork-")
    sock = os.path.join(folder, "s")
    bin_dir = os.path.join(folder, "bin")
    os.mkdir(bin_dir)
    here = os.path.dirname(os.path.abspath(__file__))
    for tool, real in tools.items():
        shim = os.path.join(bin_dir, tool)
        with open(shim, "w") as f:
            f.write(
                f"#!{sys.executable} -SE\n"
                f"import sys\nsys.path.insert(0, {here!r})\nimport forkserver\n"
                f"forkserver.client({tool!r}, {real!r}, {sock!r})\n"
            )
        os.chmod(shim, 0o755)
    read_end, write_end = os.pipe()
    with open(os.path.join(folder, "server.log"), "w") as log:
        subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), sock, str(read_end)],
            pass_fds=(read_end,),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    os.close(read_end)
    atexit.register(shutil.rmtree, folder, True)
    deadline = time.monotonic() + timeout
    while not os.path.exists(sock) and time.monotonic() < deadline:
        time.sleep(0.05)  # the preload takes seconds; until it is done clients exec the tool
    return bin_dir, write_end


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
