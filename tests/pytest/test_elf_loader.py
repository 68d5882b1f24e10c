"""The ELF loader (runtime/elf_loader.py): objects LLVM emits, linked without LLVM.

Each object is emitted here by llvmlite from IR written for the test, for every code model
and relocation model LLVM may be asked for, then loaded and run; the ones the loader does
not support must say so before anything is mapped, and the compiler then links them with
the LLJIT.
"""

from __future__ import annotations

import ctypes
import functools
import os
import re
import subprocess
import sys
from collections.abc import Callable

import llvmlite.binding as llvm
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ziggurat.runtime import ArgSpec, compile_llvm_ir, compiler, elf_loader
from ziggurat.runtime.target import Target, _ask_llvm, _host_cpu, cpu_identity

pytestmark = pytest.mark.skipif(
    not elf_loader.loader_supported(), reason="the ELF loader links x86-64 Linux objects only"
)

IR = r"""
@table = internal constant [4 x float] [float 1.0, float 2.0, float 3.0, float 4.0]
@calls = global i64 0
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
declare float @expf(float)
declare void @callback(i64)

define void @f(ptr %out, ptr %in, i64 %bytes) {
entry:
  call void @llvm.memcpy.p0.p0.i64(ptr %out, ptr %in, i64 %bytes, i1 false)
  %v = load float, ptr %out
  %t = load float, ptr getelementptr ([4 x float], ptr @table, i64 0, i64 2)
  %e = call float @expf(float %v)
  %s = fadd float %e, %t
  store float %s, ptr %out
  %c = load i64, ptr @calls
  %c1 = add i64 %c, 1
  store i64 %c1, ptr @calls
  call void @callback(i64 %c1)
  ret void
}
"""

CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_int64)


def emit(reloc: str, codemodel: str, ir: str = IR) -> bytes:
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    machine = llvm.Target.from_default_triple().create_target_machine(
        opt=2, reloc=reloc, codemodel=codemodel
    )
    return bytes(machine.emit_object(llvm.parse_assembly(ir)))


def mappings() -> dict[int, str]:
    """Start address -> permissions of every mapping of this process."""
    found = {}
    with open("/proc/self/maps") as f:
        for line in f:
            match = re.match(r"([0-9a-f]+)-[0-9a-f]+ (\S+)", line)
            if match:
                found[int(match.group(1), 16)] = match.group(2)
    return found


def run_f(address: int) -> tuple[np.ndarray, np.ndarray]:
    f = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)(address)
    a = np.arange(1, 9, dtype=np.float32)
    out = np.zeros(8, np.float32)
    f(out.ctypes.data, a.ctypes.data, a.nbytes)
    want = a.copy()
    want[0] = np.exp(np.float32(1.0)) + np.float32(3.0)
    return out, want


@pytest.mark.parametrize(
    ("reloc", "codemodel"), [("pic", "default"), ("static", "default"), ("default", "large")]
)
def test_an_object_runs_with_its_data_libc_and_a_callback(reloc: str, codemodel: str) -> None:
    seen: list[int] = []
    callback = CALLBACK(seen.append)
    address = ctypes.cast(callback, ctypes.c_void_p).value
    image = elf_loader.load_object(
        emit(reloc, codemodel), {"callback": address}.get, ["f", "calls"]
    )
    try:
        for _ in range(2):
            out, want = run_f(image["f"])
            np.testing.assert_allclose(out, want, rtol=1e-6)
        assert ctypes.c_int64.from_address(image["calls"]).value == 2
        assert seen == [1, 2]
        perms = mappings()
        assert perms[image.base] == "r-xp"  # code first: executable, not writable
        writable = [a for a, p in perms.items() if image.base < a < image.base + image.size]
        assert any(perms[a] == "rw-p" for a in writable)  # @calls
    finally:
        image.close()
    assert image.base not in mappings()


def test_a_large_pic_object_is_unsupported_and_the_compiler_uses_the_lljit() -> None:
    obj = emit("pic", "large")
    with pytest.raises(elf_loader.UnsupportedObject, match="relocation type"):
        elf_loader.load_object(obj, lambda name: 0, ["f"])
    fallbacks = compiler.STATS.lljit_fallbacks
    # The LLJIT path binds the runtime's symbols only: give @callback a libc function's shape.
    obj = emit("pic", "large", IR.replace("@callback", "@srand"))
    tracker, addresses = compiler.load_object(obj, ["f"], "test-large-pic")
    assert compiler.STATS.lljit_fallbacks == fallbacks + 1
    assert not isinstance(tracker, elf_loader.LoadedImage)
    out, want = run_f(addresses["f"])
    np.testing.assert_allclose(out, want, rtol=1e-6)


def test_unresolved_symbols_are_named() -> None:
    with pytest.raises(elf_loader.UnresolvedSymbol, match="callback"):
        elf_loader.load_object(emit("pic", "default"), lambda name: None, ["f"])
    with pytest.raises(compiler.ZigguratCompileError, match=r"cannot load.*callback"):
        compiler.load_object(emit("pic", "default"), ["f"], "test-unresolved")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda obj: b"\x7fELG" + obj[4:], "not an ELF file"),
        (lambda obj: obj[:18] + b"\xb7\x00" + obj[20:], "not an x86-64 relocatable"),
        (lambda obj: obj[:16] + b"\x03\x00" + obj[18:], "not an x86-64 relocatable"),
        (lambda obj: obj[:40] + (len(obj) + 1).to_bytes(8, "little") + obj[48:], "malformed"),
    ],
)
def test_malformed_objects_are_refused(change: Callable[[bytes], bytes], message: str) -> None:
    with pytest.raises(elf_loader.UnsupportedObject, match=message):
        elf_loader.load_object(change(emit("pic", "default")), lambda name: 1, ["f"])


@functools.cache
def kernel_object() -> bytes:
    return emit("pic", "default")


@settings(max_examples=300, deadline=None)
@given(
    cut=st.integers(0, 1 << 16),
    flips=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), max_size=4),
)
def test_a_corrupted_object_is_refused_or_loaded_never_a_crash(
    cut: int, flips: list[tuple[int, int]]
) -> None:
    """Truncated and byte-flipped objects raise one of the loader's two errors (or load:
    their code is never run here), never another exception, a hang or a huge mapping."""
    obj = bytearray(kernel_object())
    obj = obj[: max(1, cut % (len(obj) + 1))] if cut % 3 == 0 else obj
    for at, value in flips:
        if obj:
            obj[at % len(obj)] = value
    try:
        image = elf_loader.load_object(bytes(obj), {"callback": 1}.get, ["f"])
    except (elf_loader.UnsupportedObject, elf_loader.UnresolvedSymbol):
        return
    assert image.size < 1 << 31
    image.close()


def test_a_missing_export_is_refused() -> None:
    with pytest.raises(elf_loader.UnsupportedObject, match="does not define g"):
        elf_loader.load_object(emit("pic", "default"), lambda name: 1, ["f", "g"])


def test_thread_local_data_is_refused() -> None:
    ir = "@t = thread_local global i64 0\ndefine ptr @f() {\n  ret ptr @t\n}\n"
    with pytest.raises(elf_loader.UnsupportedObject, match="thread-local"):
        elf_loader.load_object(emit("pic", "default", ir), lambda name: None, ["f"])


def test_compiled_kernels_are_linked_by_the_loader() -> None:
    ir = """
define void @add(ptr noalias %a, ptr noalias %out) {
  %x = load float, ptr %a
  %y = fadd float %x, 1.5
  store float %y, ptr %out
  ret void
}
"""
    loads = compiler.STATS.elf_loads
    module = compile_llvm_ir(
        ir,
        {"add": [ArgSpec((1,), np.float32, "in"), ArgSpec((1,), np.float32, "out")]},
        cache=False,
    )
    assert compiler.STATS.elf_loads == loads + 1
    assert isinstance(module._tracker, elf_loader.LoadedImage)
    np.testing.assert_array_equal(module.kernel("add")(np.ones(1, np.float32)), [2.5])


def test_the_cached_host_description_is_llvms() -> None:
    """The host description kept in the cache (keyed by /proc/cpuinfo) is what LLVM says."""
    assert cpu_identity() is not None
    assert _host_cpu() == _ask_llvm()
    assert Target.host().runs_on_host()


LLJIT_PROCESS = """
import numpy as np
import ziggurat as zg
from ziggurat.runtime import compiler, elf_loader, threads

@zg.jit
def f(x):
    return zg.exp(x) * 2.0 + x

x = np.linspace(-1, 1, 256 * 1024, dtype=np.float32).reshape(512, 512)
for _ in range(4):
    np.testing.assert_allclose(f(x), np.exp(x) * np.float32(2.0) + x, rtol=1e-5, atol=1e-6)
assert compiler.STATS.elf_loads == 0 and compiler.STATS.loads >= 1, compiler.STATS
assert not isinstance(threads._native.library, elf_loader.LoadedImage)
print("ok")
"""


@pytest.mark.parametrize("cache", ["cold", "warm"])
def test_every_object_goes_to_the_lljit_when_asked(tmp_path: str, cache: str) -> None:
    """`ZIGGURAT_LINKER=lljit`: kernels and the runtime's native module (which a warm
    process reads from the cache) are linked by LLVM's JIT, and run."""
    env = {**os.environ, "ZIGGURAT_LINKER": "lljit", "ZIGGURAT_CACHE_DIR": str(tmp_path)}
    runs = 2 if cache == "warm" else 1
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", LLJIT_PROCESS], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert done.stdout.strip() == "ok"
