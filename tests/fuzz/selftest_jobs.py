"""Jobs that misbehave on purpose, to check that the harness notices (test_fuzz.py)."""

from __future__ import annotations

import ctypes
import os
import sys
import time

LEAK = "ZG_SELFTEST_LEAK"


def ok() -> int:
    print("fine")
    return 0


def crash() -> int:
    os.abort()


def segfault() -> int:
    ctypes.string_at(0)
    return 0


def exit_process() -> int:
    os._exit(7)


def hang() -> int:
    time.sleep(3600)
    return 0


def busy_hang() -> int:
    while True:  # holds the GIL: only a kill from outside stops it
        pass


def uncaught() -> int:
    raise RuntimeError("boom")


def internal_error() -> int:
    print("ziggurat-opt: internal error: KeyError: 'x'", file=sys.stderr)
    return 3


def wrong_answer() -> int:
    print("ziggurat-run: error: check failed: result 0 differs", file=sys.stderr)
    return 1


def allocate() -> int:
    blob = bytearray(64 << 30)  # beyond the jobs' address-space limit
    return len(blob) and 0


def native_output() -> int:
    """Writes to the file descriptors directly, as native code would."""
    sys.stdout.write("python out\n")
    sys.stdout.flush()
    os.write(1, b"native out\n")
    os.write(2, b"native err\n")
    return 0


def leak_state() -> int:
    """Changes process state that a fresh process would not see."""
    os.environ[LEAK] = "1"
    os.chdir("/")
    sys.setrecursionlimit(123)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    return 0


def check_state() -> int:
    leaks = []
    if LEAK in os.environ:
        leaks.append("environment")
    if os.getcwd() == "/":
        leaks.append("working directory")
    if sys.getrecursionlimit() == 123:
        leaks.append("recursion limit")
    print("leaks: " + (", ".join(leaks) or "none"))
    return 1 if leaks else 0
