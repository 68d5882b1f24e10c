"""The on-disk object cache: cold and warm compiles, damaged entries, concurrent writers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ziggurat as zg
from ziggurat.runtime import ArgSpec, ObjectCache, Target, compile_llvm_ir, compiler, elf_loader
from ziggurat.runtime.cache import SUFFIX, decode_entry, default_cache_dir

N = 256
IR = f"""
define void @scale(ptr noalias %a, ptr noalias %out) {{
entry:
  br label %loop
loop:
  %i = phi i64 [0, %entry], [%i1, %loop]
  %pa = getelementptr float, ptr %a, i64 %i
  %po = getelementptr float, ptr %out, i64 %i
  %v = load float, ptr %pa
  %s = fmul float %v, 3.0
  store float %s, ptr %po
  %i1 = add i64 %i, 1
  %c = icmp slt i64 %i1, {N}
  br i1 %c, label %loop, label %exit
exit:
  ret void
}}
"""
SIGNATURES = {"scale": [ArgSpec((N,), np.float32, "in"), ArgSpec((N,), np.float32, "out")]}


def check_runs(module: compiler.CompiledModule) -> None:
    a = np.arange(N, dtype=np.float32)
    np.testing.assert_array_equal(module.kernel("scale")(a), 3 * a)


def only_entry(cache: ObjectCache) -> Path:
    entries = cache.entries()
    assert len(entries) == 1
    return entries[0]


def test_cold_then_warm_skips_llvm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ObjectCache(tmp_path)
    before = compiler.STATS.optimizations
    cold = compile_llvm_ir(IR, SIGNATURES, cache=cache)
    assert not cold.from_cache
    assert compiler.STATS.optimizations == before + 1
    check_runs(cold)

    def forbidden(*args: object) -> None:
        raise AssertionError("a warm load must not parse, optimize or emit")

    monkeypatch.setattr(compiler, "optimize_module", forbidden)
    monkeypatch.setattr(compiler, "prepare_module", forbidden)
    monkeypatch.setattr(compiler, "emit_object", forbidden)
    warm = compile_llvm_ir(IR, SIGNATURES, cache=cache)
    assert warm.from_cache
    assert warm.key == cold.key
    assert cache.stats.hits == 1
    check_runs(warm)


def test_key_depends_on_opt_level_and_target(tmp_path: Path) -> None:
    cache = ObjectCache(tmp_path)
    keys = {
        compile_llvm_ir(IR, SIGNATURES, opt_level=3, cache=cache).key,
        compile_llvm_ir(IR, SIGNATURES, opt_level=1, cache=cache).key,
        compile_llvm_ir(IR, SIGNATURES, target=Target.avx2(), cache=cache).key,
        compile_llvm_ir(IR + "\n; changed\n", SIGNATURES, cache=cache).key,
    }
    assert len(keys) == 4
    assert len(cache.entries()) == 4


@pytest.mark.parametrize("damage", ["flip", "truncate", "magic", "empty"])
def test_damaged_entry_is_discarded_and_rebuilt(tmp_path: Path, damage: str) -> None:
    cache = ObjectCache(tmp_path)
    compile_llvm_ir(IR, SIGNATURES, cache=cache)
    path = only_entry(cache)
    data = bytearray(path.read_bytes())
    if damage == "flip":
        middle = len(data) - 200
        data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "magic":
        data[0:4] = b"ELF\x7f"
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    before = compiler.STATS.optimizations

    module = compile_llvm_ir(IR, SIGNATURES, cache=cache)
    assert not module.from_cache
    assert cache.stats.discarded == 1
    assert compiler.STATS.optimizations == before + 1
    check_runs(module)
    assert decode_entry(module.key, only_entry(cache).read_bytes()) is not None
    assert compile_llvm_ir(IR, SIGNATURES, cache=cache).from_cache


def test_concurrent_compiles_from_four_processes(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys, numpy as np
        from ziggurat.runtime import ArgSpec, ObjectCache, compile_llvm_ir
        IR = {IR!r}
        sig = {{"scale": [ArgSpec(({N},), np.float32, "in"), ArgSpec(({N},), np.float32, "out")]}}
        module = compile_llvm_ir(IR, sig, cache=ObjectCache(sys.argv[1]))
        a = np.arange({N}, dtype=np.float32)
        assert (module.kernel("scale")(a) == 3 * a).all()
        print("ok", module.from_cache)
        """
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert out.startswith("ok")
    cache = ObjectCache(tmp_path)
    files = list(cache.objects_dir.iterdir())
    assert len(files) == 1 and files[0].name.endswith(SUFFIX)
    key = files[0].name[: -len(SUFFIX)]
    assert decode_entry(key, files[0].read_bytes()) is not None
    assert compile_llvm_ir(IR, SIGNATURES, cache=cache).from_cache


def test_cache_location_and_switch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZIGGURAT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "ziggurat"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "ziggurat"
    monkeypatch.setenv("ZIGGURAT_CACHE_DIR", str(tmp_path / "explicit"))
    assert default_cache_dir() == tmp_path / "explicit"

    assert not compile_llvm_ir(IR, SIGNATURES).from_cache
    assert compile_llvm_ir(IR, SIGNATURES).from_cache
    assert len(ObjectCache(tmp_path / "explicit").entries()) == 1

    monkeypatch.setenv("ZIGGURAT_NO_CACHE", "1")
    monkeypatch.setenv("ZIGGURAT_CACHE_DIR", str(tmp_path / "unused"))
    assert compiler.default_cache() is None
    assert not compile_llvm_ir(IR, SIGNATURES).from_cache
    assert not (tmp_path / "unused").exists()


def test_unwritable_cache_warns_and_still_compiles(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ObjectCache(blocker)
    with pytest.warns(RuntimeWarning, match="could not write the object cache entry"):
        module = compile_llvm_ir(IR, SIGNATURES, cache=cache)
    check_runs(module)
    assert cache.stats.store_failures == 1


def test_unresolved_symbol_is_reported_and_not_cached(tmp_path: Path) -> None:
    cache = ObjectCache(tmp_path)
    ir = (
        "declare void @ziggurat_no_such_symbol(ptr)\n"
        "define void @f(ptr %a) {\n"
        "  call void @ziggurat_no_such_symbol(ptr %a)\n  ret void\n}\n"
    )
    with pytest.raises(compiler.ZigguratCompileError, match="ziggurat_no_such_symbol"):
        compile_llvm_ir(ir, {"f": [ArgSpec((1,), np.float32, "inout")]}, cache=cache)
    assert cache.entries() == []


WARM_START = """
import sys
import numpy as np
import ziggurat as zg
text = '''func.func @f(%a: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %e = ztensor.exp %a : tensor<8x16xf32>
  func.return %e : tensor<8x16xf32>
}'''
out = zg.compile(text)(np.zeros((8, 16), np.float32))
assert (out == 1).all()
print(sorted(m for m in ("egglog", "ziggurat.dialects.zloop_semantics", "xdsl.interpreters") if m in sys.modules))
"""


def test_a_warm_compile_in_a_new_process_builds_no_pass(tmp_path: Path) -> None:
    """The second process finds the lowered IR in the disk cache from the pipeline's text:
    it imports neither egglog (eqsat's) nor the interpreters; the first one (a miss) did."""
    env = {**os.environ, "ZIGGURAT_CACHE_DIR": str(tmp_path)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", WARM_START], capture_output=True, text=True, env=env, timeout=300
        )
        for _ in range(2)
    ]
    for run in runs:
        assert run.returncode == 0, run.stderr
    assert "egglog" in runs[0].stdout
    assert runs[1].stdout.strip() == "[]"


JIT_WARM_START = """
import sys
import numpy as np
import ziggurat as zg

@zg.jit
def block(x, w, b):
    h = np.tanh(x @ w + b) * 0.5
    return zg.layer_norm(h + x, axis=-1)

rng = np.random.default_rng(0)
x = rng.standard_normal((16, 32)).astype(np.float32)
w = rng.standard_normal((32, 32)).astype(np.float32)
b = rng.standard_normal(32).astype(np.float32)
h = np.tanh(x @ w + b) * np.float32(0.5) + x
mean = h.mean(-1, keepdims=True)
want = (h - mean) / np.sqrt(((h - mean) ** 2).mean(-1, keepdims=True) + np.float32(1e-5))
got = block(x, w, b)
metadata = sorted(m for m in ("importlib.metadata",) if m in sys.modules)  # numpy.testing has it
np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
print(sorted({m.split(".")[0] for m in sys.modules if m.startswith(("xdsl", "egglog"))}))
print(metadata)
print("llvmlite.binding.ffi" in sys.modules)
"""


def test_a_warm_jit_call_in_a_new_process_imports_no_xdsl(tmp_path: Path) -> None:
    """The second process finds the compiled function from the traced program alone (its
    alias of the lowered entry): it builds no module, so it imports neither xDSL nor
    egglog; the first one (a miss) compiled with both. Nor does it read package metadata
    (`importlib.metadata`: Ziggurat's version is a constant), nor, where the ELF loader
    links objects (x86-64 Linux), import `llvmlite.binding`: the host's description and
    the objects come from the cache."""
    env = {**os.environ, "ZIGGURAT_CACHE_DIR": str(tmp_path)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", JIT_WARM_START],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        for _ in range(2)
    ]
    for run in runs:
        assert run.returncode == 0, run.stderr
    assert runs[0].stdout.split("\n")[0] == "['egglog', 'xdsl']"  # they read metadata
    assert runs[1].stdout.split("\n")[:2] == ["[]", "[]"]
    assert runs[0].stdout.split("\n")[2] == "True"
    if elf_loader.loader_supported():
        assert runs[1].stdout.split("\n")[2] == "False"


STUB_START = """
import sys
from ziggurat.runtime import threads
if sys.argv[1] == "warm":
    def no_compile(machine):
        raise AssertionError("the stub was compiled, not loaded from the cache")
    threads._emit_stub = no_compile
assert threads.parallel_for_address() != 0
"""


def _stub_process(mode: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", STUB_START, mode],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _is_stub(path: Path) -> bool:
    entry = decode_entry(path.name.removesuffix(SUFFIX), path.read_bytes())
    return entry is not None and "stub" in entry.meta


def test_the_parallel_for_stub_is_compiled_once_and_then_loaded_from_the_cache(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "ZIGGURAT_CACHE_DIR": str(tmp_path)}
    cold = _stub_process("cold", env)
    assert cold.returncode == 0, cold.stderr
    entries = [e for e in (tmp_path / "objects").iterdir() if _is_stub(e)]
    assert len(entries) == 1
    warm = _stub_process("warm", env)
    assert warm.returncode == 0, warm.stderr
    # A well-formed entry that is not the stub's is rejected and the stub compiled again.
    key = entries[0].name.removesuffix(SUFFIX)
    ObjectCache(tmp_path).store(key, b"not an object", {"stub": "something else"})
    rebuilt = _stub_process("cold", env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _stub_process("warm", env).returncode == 0
    # Without a cache it is compiled every time and nothing is written.
    off = {**env, "ZIGGURAT_CACHE_DIR": str(tmp_path / "off"), "ZIGGURAT_NO_CACHE": "1"}
    assert _stub_process("cold", off).returncode == 0
    assert _stub_process("warm", off).returncode != 0
    assert not (tmp_path / "off").exists()


def _traced_program(fn: Any, *arrays: np.ndarray) -> Any:
    return zg.jit(fn).lower(*arrays)._spec.program


def test_the_key_of_a_traced_program_spells_everything_it_computes() -> None:
    x = np.ones((4, 8), np.float32)
    key = _traced_program(lambda a: a * 2.0 + 1.0, x).key
    assert key == _traced_program(lambda a: a * 2.0 + 1.0, x).key
    others = [
        _traced_program(lambda a: a * 2.0 + 1.5, x),  # another constant
        _traced_program(lambda a: a * 2.0 - 1.0, x),  # another op
        _traced_program(lambda a: a * 2.0 + 1.0, x.astype(np.float64)),  # another dtype
        _traced_program(lambda a: a * 2.0 + 1.0, np.ones((8, 4), np.float32)),  # shape
        _traced_program(lambda a: a * 2.0 + 1.0, np.asfortranarray(x)),  # layout
        _traced_program(lambda a: (a * 2.0 + 1.0).sum(axis=0), x),
        _traced_program(lambda a: (a * 2.0 + 1.0).sum(axis=1), x),
        _traced_program(lambda a: a * 2.0 + np.arange(8, dtype=np.float32), x),
        _traced_program(lambda a: a * 2.0 + np.arange(8, dtype=np.float32)[::-1], x),
    ]
    keys = {key, *(p.key for p in others)}
    assert len(keys) == len(others) + 1


def test_a_traced_scalar_is_a_splat_never_materialized() -> None:
    program = _traced_program(lambda a: a + 1.0, np.ones((512, 1024), np.float32))
    (data,) = program.constants.values()
    assert data.size == 1
    assert "dense<1.000000e+00> : tensor<512x1024xf32>" in str(program.module())


def test_a_traced_constant_is_the_array_at_trace_time() -> None:
    bias = np.arange(32, dtype=np.float32).reshape(4, 8)
    program = _traced_program(lambda a: (a + 1.0, bias), np.ones((4, 8), np.float32))
    key = program.key
    bias[:] = -1.0  # after the trace: neither the key nor the module may see it
    assert program.key == key
    text = str(program.module())
    assert "-1.000000e+00" not in text and "3.100000e+01" in text


def test_a_stale_or_broken_alias_falls_back_to_compiling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ziggurat.artifacts import store_alias

    monkeypatch.setenv("ZIGGURAT_CACHE_DIR", str(tmp_path))
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    f = zg.jit(lambda a: a * 3.0)
    np.testing.assert_array_equal(f(x), x * 3)
    cache = ObjectCache(tmp_path)
    aliases = [p for p in cache.entries() if cache.load(p.stem).meta.get("alias")]  # type: ignore[union-attr]
    assert len(aliases) == 1
    alias = aliases[0].stem
    store_alias(cache, alias, "0" * 64)  # names a lowered entry that is not there
    g = zg.jit(lambda a: a * 3.0)
    np.testing.assert_array_equal(g(x), x * 3)
    cache.store(alias, b"not a key", {"alias": True})
    h = zg.jit(lambda a: a * 3.0)
    np.testing.assert_array_equal(h(x), x * 3)
    entry = cache.load(alias)
    assert entry is not None and len(entry.obj) == 64  # rewritten by the compile


def test_the_fingerprint_of_a_builtin_pipeline_is_read_from_its_text(tmp_path: Path) -> None:
    from ziggurat.driver import parse_pipeline, pipeline_fingerprint, spec_fingerprint

    rules = tmp_path / "rules.txt"
    rules.write_text("(rewrite (Neg (Neg x)) x)\n")
    spec = f'cpu-pipeline{{opt-level=3}},eqsat{{rules-file="{rules}"}}'
    first = spec_fingerprint(spec)
    assert first == pipeline_fingerprint(parse_pipeline(spec))
    rules.write_text("(rewrite (Neg (Neg x)) x)\n\n")  # another size: another fingerprint
    assert spec_fingerprint(spec) not in (None, first)
    assert spec_fingerprint("canonicalize,my-plugin-pass") is None  # not built in
    assert spec_fingerprint("cpu-pipeline{") is None
