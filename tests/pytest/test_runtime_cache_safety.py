"""The object cache cannot be poisoned or blocked, and both caches are bounded (issue 14.5).

A private folder (0700, refused otherwise), only regular files of bounded size read without
blocking, well-formed but unusable entries rebuilt (runtime and `zg.compile` layers), an LRU
of `zg.jit` specializations whose `cache_clear()` frees memory, and a size cap on disk.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import stat
import threading
import time
import tracemalloc
import warnings
import weakref
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import ziggurat as zg
from ziggurat.jit import DEFAULT_CACHE_SIZE, InterpreterBackend, release_memory
from ziggurat.runtime import ArgSpec, ObjectCache, compile_llvm_ir, compiler
from ziggurat.runtime import cache as cache_module
from ziggurat.runtime.cache import (
    DEFAULT_MAX_SIZE,
    MAX_ENTRY_BYTES,
    SUFFIX,
    decode_entry,
    default_max_size,
    encode_entry,
    parse_size,
)

N = 64
IR = f"""
define void @scale(ptr noalias %a, ptr noalias %out) {{
entry:
  br label %loop
loop:
  %i = phi i64 [0, %entry], [%i1, %loop]
  %pa = getelementptr float, ptr %a, i64 %i
  %po = getelementptr float, ptr %out, i64 %i
  %v = load float, ptr %pa
  %s = fmul float %v, 5.0
  store float %s, ptr %po
  %i1 = add i64 %i, 1
  %c = icmp slt i64 %i1, {N}
  br i1 %c, label %loop, label %exit
exit:
  ret void
}}
"""
SIGNATURES = {"scale": [ArgSpec((N,), np.float32, "in"), ArgSpec((N,), np.float32, "out")]}
KEY = "ab" * 32


def check_runs(module: compiler.CompiledModule) -> None:
    a = np.arange(N, dtype=np.float32)
    np.testing.assert_array_equal(module.kernel("scale")(a), 5 * a)


def cold(cache: ObjectCache) -> compiler.CompiledModule:
    """Compile IR into `cache`, checking it was not a hit."""
    module = compile_llvm_ir(IR, SIGNATURES, cache=cache)
    assert not module.from_cache
    check_runs(module)
    return module


def assert_rebuilt(cache: ObjectCache, key: str) -> None:
    """The entry for `key` is a regular, valid file and the next compile is a warm hit."""
    path = cache.path(key)
    assert stat.S_ISREG(os.lstat(path).st_mode)
    assert decode_entry(key, path.read_bytes()) is not None
    warm = compile_llvm_ir(IR, SIGNATURES, cache=cache)
    assert warm.from_cache
    check_runs(warm)


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


# ---------------------------------------------------------------------------------------------
# A private folder
# ---------------------------------------------------------------------------------------------


def test_folders_and_parents_are_created_private(tmp_path: Path) -> None:
    root = tmp_path / "a" / "b" / "cache"
    with umask(0o002):  # a permissive umask must not leak into the cache folders
        module = cold(ObjectCache(root))
    for folder in (tmp_path / "a", tmp_path / "a" / "b", root, root / "objects"):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder
    entry = ObjectCache(root).path(module.key)
    assert stat.S_IMODE(os.stat(entry).st_mode) & 0o077 == 0


@pytest.mark.parametrize("which", ["top", "objects"])
@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777])
def test_folder_writable_by_others_is_refused(tmp_path: Path, which: str, mode: int) -> None:
    cache = ObjectCache(tmp_path / f"c{which}{mode:o}")
    module = cold(cache)  # a good entry exists
    path = cache.path(module.key)
    planted = path.read_bytes()
    os.chmod(cache.directory if which == "top" else cache.objects_dir, mode)
    with pytest.warns(RuntimeWarning, match=r"not using the object cache in .*writable by"):
        again = compile_llvm_ir(IR, SIGNATURES, cache=cache)
    assert not again.from_cache  # the entry in a folder others can write is never loaded
    check_runs(again)
    assert cache.stats.refused >= 1
    assert path.read_bytes() == planted  # and the folder is left alone
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one warning per folder, not one per compile
        compile_llvm_ir(IR, SIGNATURES, cache=cache)


def test_folder_owned_by_another_user_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ObjectCache(tmp_path / "theirs")
    cold(cache)
    if os.geteuid() == 0:
        os.chown(cache.directory, 65534, -1)
    else:
        real = os.geteuid()
        monkeypatch.setattr(os, "geteuid", lambda: real + 1)
    with pytest.warns(RuntimeWarning, match="is owned by uid"):
        module = compile_llvm_ir(IR, SIGNATURES, cache=cache)
    assert not module.from_cache
    check_runs(module)


def test_objects_folder_symlink_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    cold(ObjectCache(elsewhere))
    cache = ObjectCache(tmp_path / "linked")
    cache.directory.mkdir(mode=0o700)
    cache.objects_dir.symlink_to(elsewhere / "objects")
    with pytest.warns(RuntimeWarning, match="symbolic link"):
        module = compile_llvm_ir(IR, SIGNATURES, cache=cache)
    assert not module.from_cache


def test_default_cache_in_a_public_folder_warns_and_runs_without_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    public = tmp_path / "public"
    public.mkdir()
    os.chmod(public, 0o777)
    monkeypatch.setenv("ZIGGURAT_CACHE_DIR", str(public))
    with pytest.warns(RuntimeWarning, match="running without a disk cache"):
        first = compile_llvm_ir(IR, SIGNATURES)
    assert not compile_llvm_ir(IR, SIGNATURES).from_cache
    check_runs(first)
    assert not (public / "objects").exists()


# ---------------------------------------------------------------------------------------------
# Only regular files of bounded size, read without blocking
# ---------------------------------------------------------------------------------------------


def test_fifo_at_entry_path_does_not_block(tmp_path: Path) -> None:
    cache = ObjectCache(tmp_path)
    key = cold(cache).key
    path = cache.path(key)
    path.unlink()
    os.mkfifo(path)
    result: list[compiler.CompiledModule] = []
    worker = threading.Thread(
        target=lambda: result.append(compile_llvm_ir(IR, SIGNATURES, cache=cache)), daemon=True
    )
    worker.start()
    worker.join(60)
    if worker.is_alive():  # unblock the reader so the test process can finish
        with contextlib.suppress(OSError):
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("a FIFO at an entry path blocked the compile")
    assert result and not result[0].from_cache
    check_runs(result[0])
    assert cache.stats.discarded == 1
    assert_rebuilt(cache, key)


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/null", "valid-entry"])
def test_symlink_at_entry_path_is_not_followed(tmp_path: Path, target: str) -> None:
    cache = ObjectCache(tmp_path / "cache")
    key = cold(cache).key
    path = cache.path(key)
    if target == "valid-entry":  # even a link to a good entry is not read
        moved = tmp_path / "moved.zobj"
        path.rename(moved)
        target = str(moved)
    else:
        path.unlink()
    path.symlink_to(target)
    module = compile_llvm_ir(IR, SIGNATURES, cache=cache)
    assert not module.from_cache
    check_runs(module)
    assert cache.stats.discarded == 1
    assert_rebuilt(cache, key)
    if target == "/dev/null":
        assert os.path.exists("/dev/null") and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_oversized_entry_is_not_read(tmp_path: Path) -> None:
    cache = ObjectCache(tmp_path)
    key = cold(cache).key
    path = cache.path(key)
    with open(path, "r+b") as handle:  # sparse: costs no disk, but reading it would
        handle.truncate(MAX_ENTRY_BYTES + 1)
    tracemalloc.start()
    try:
        assert cache.load(key) is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20  # refused from its size, not read into memory
    assert cache.stats.discarded == 1 and not path.exists()
    assert not compile_llvm_ir(IR, SIGNATURES, cache=cache).from_cache
    assert_rebuilt(cache, key)


def test_entry_limit_is_configurable_and_applies_to_writes(tmp_path: Path) -> None:
    big = ObjectCache(tmp_path)
    cold(big)
    small = ObjectCache(tmp_path, max_entry_bytes=100)
    with pytest.warns(RuntimeWarning, match="larger than the 100-byte limit"):
        assert not compile_llvm_ir(IR, SIGNATURES, cache=small).from_cache
    assert small.stats.discarded == 1 and small.stats.stores == 0
    assert big.entries() == []


def test_entry_writable_by_others_is_discarded(tmp_path: Path) -> None:
    cache = ObjectCache(tmp_path)
    key = cold(cache).key
    os.chmod(cache.path(key), 0o666)
    assert not compile_llvm_ir(IR, SIGNATURES, cache=cache).from_cache
    assert cache.stats.discarded == 1
    assert_rebuilt(cache, key)


def test_hit_does_not_block_on_a_directory_at_entry_path(tmp_path: Path) -> None:
    cache = ObjectCache(tmp_path)
    key = cold(cache).key
    cache.path(key).unlink()
    cache.path(key).mkdir()
    with pytest.warns(RuntimeWarning, match="could not write"):
        module = compile_llvm_ir(IR, SIGNATURES, cache=cache)
    check_runs(module)


# ---------------------------------------------------------------------------------------------
# Well-formed entries with bad content are rebuilt, never trusted
# ---------------------------------------------------------------------------------------------


def good_meta(module: compiler.CompiledModule) -> dict[str, object]:
    return {
        "functions": module.functions,
        "cpu": module.target.cpu,
        "features": module.target.features,
        "opt_level": module.opt_level,
        "toolchain": compiler.TOOLCHAIN,
        "llvm": compiler.llvm_version(),
        "ziggurat": zg.__version__,
    }


@functools.cache
def other_object() -> bytes:
    """A valid object that defines @other instead of @scale."""
    target = compiler.Target.default()
    module = compiler.prepare_module(IR.replace("@scale", "@other"), target)
    return compiler.emit_object(module, target, 0)


POISONS = {
    "garbage-object": lambda meta, obj: (meta, b"\x7fELF not really an object" * 4),
    "empty-object": lambda meta, obj: (meta, b""),
    "truncated-object": lambda meta, obj: (meta, obj[: len(obj) // 2]),
    "no-functions": lambda meta, obj: ({k: v for k, v in meta.items() if k != "functions"}, obj),
    "functions-not-a-map": lambda meta, obj: ({**meta, "functions": ["scale"]}, obj),
    "params-not-strings": lambda meta, obj: ({**meta, "functions": {"scale": [1, 2]}}, obj),
    "params-not-a-list": lambda meta, obj: ({**meta, "functions": {"scale": "ptr"}}, obj),
    "function-missing": lambda meta, obj: ({**meta, "functions": {}}, obj),
    "wrong-arity": lambda meta, obj: ({**meta, "functions": {"scale": ["ptr"]}}, obj),
    "renamed-function": lambda meta, obj: ({**meta, "functions": {"other": ["ptr", "ptr"]}}, obj),
    "symbol-absent": lambda meta, obj: (meta, other_object()),
    "wrong-cpu": lambda meta, obj: ({**meta, "cpu": "i386"}, obj),
    "wrong-version": lambda meta, obj: ({**meta, "toolchain": "llvmlite-0.0"}, obj),
    "meta-empty": lambda meta, obj: ({}, obj),
}


@pytest.mark.parametrize("poison", sorted(POISONS))
def test_valid_checksum_bad_content_is_rebuilt(tmp_path: Path, poison: str) -> None:
    cache = ObjectCache(tmp_path)
    module = cold(cache)
    obj = decode_entry(module.key, cache.path(module.key).read_bytes())
    assert obj is not None
    meta, data = POISONS[poison](good_meta(module), obj.obj)
    assert cache.store(module.key, data, meta)  # a well-formed entry with a valid checksum
    assert decode_entry(module.key, cache.path(module.key).read_bytes()) is not None

    before = compiler.STATS.optimizations
    again = compile_llvm_ir(IR, SIGNATURES, cache=cache)  # no exception reaches the caller
    assert not again.from_cache
    assert compiler.STATS.optimizations == before + 1
    check_runs(again)
    assert cache.stats.discarded == 1
    assert_rebuilt(cache, module.key)  # rewritten: the next process loads it again


def test_wrong_user_signature_still_reports_the_real_error(tmp_path: Path) -> None:
    cache = ObjectCache(tmp_path)
    cold(cache)
    with pytest.raises(compiler.ZigguratCompileError, match="no external function"):
        compile_llvm_ir(IR, {"nope": SIGNATURES["scale"]}, cache=cache)
    with pytest.raises(ValueError, match="lists 1 arguments"):
        compile_llvm_ir(IR, {"scale": SIGNATURES["scale"][:1]}, cache=cache)


def test_reject_moves_a_hit_to_discarded(tmp_path: Path) -> None:
    cache = ObjectCache(tmp_path)
    assert cache.store(KEY, b"obj", {"a": 1})
    assert cache.load_checked(KEY, lambda entry: entry.meta["missing"]) is None
    assert (cache.stats.hits, cache.stats.misses, cache.stats.discarded) == (0, 1, 1)
    assert not cache.path(KEY).exists()
    assert cache.store(KEY, b"obj", {"a": 1})
    assert cache.load_checked(KEY, lambda entry: entry.meta["a"]) == 1
    assert cache.stats.hits == 1


MODULE = """
func.func @twice(%x: tensor<8xf32>) -> tensor<8xf32> {
  %y = ztensor.add %x, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  func.return %y : tensor<8xf32>
}
"""


def lowered_entry(cache: ObjectCache) -> tuple[str, dict[str, object]]:
    """The key and metadata of the `zg.compile` (lowered LLVM IR) entry in `cache`."""
    for path in cache.entries():
        key = path.name[: -len(SUFFIX)]
        entry = decode_entry(key, path.read_bytes())
        assert entry is not None
        if "signatures" in entry.meta:
            return key, entry.meta
    raise AssertionError("no lowered entry")


LOWERED_POISONS = {
    "unparseable-ir": lambda meta: (meta, b"this is not LLVM IR"),
    "non-utf8-ir": lambda meta: (meta, b"\xff\xfe\x00"),
    "ir-without-function": lambda meta: (meta, b"; nothing\n"),
    "no-signatures": lambda meta: ({}, None),
    "signatures-not-json": lambda meta: ({"signatures": "{"}, None),
    "signatures-not-a-map": lambda meta: ({"signatures": json.dumps([1, 2])}, None),
    "signatures-empty": lambda meta: ({"signatures": "{}"}, None),
    "signatures-wrong-types": lambda meta: ({"signatures": json.dumps({"twice": [[1]]})}, None),
    "signatures-bad-dtype": lambda meta: (
        {"signatures": json.dumps({"twice": [[[8], "object", "in", None]] * 2})},
        None,
    ),
    "signatures-number": lambda meta: ({"signatures": 7}, None),
}


@pytest.mark.parametrize("poison", sorted(LOWERED_POISONS))
def test_zg_compile_rebuilds_a_poisoned_lowered_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, poison: str
) -> None:
    monkeypatch.setenv("ZIGGURAT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("ZIGGURAT_NO_CACHE", raising=False)
    x = np.arange(8, dtype=np.float32)
    np.testing.assert_array_equal(zg.compile(MODULE)(x), 2 * x)
    cache = ObjectCache(tmp_path)
    key, meta = lowered_entry(cache)
    good = decode_entry(key, cache.path(key).read_bytes())
    assert good is not None
    new_meta, ir = LOWERED_POISONS[poison](meta)
    cache.store(key, good.obj if ir is None else ir, new_meta)

    np.testing.assert_array_equal(zg.compile(MODULE)(x), 2 * x)  # no exception, right answer
    rewritten = decode_entry(key, cache.path(key).read_bytes())
    assert rewritten is not None and rewritten.obj == good.obj and rewritten.meta == meta


# ---------------------------------------------------------------------------------------------
# The disk cache is bounded
# ---------------------------------------------------------------------------------------------


def test_parse_size_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_size("1048576") == 1 << 20
    assert parse_size("512K") == 512 << 10
    assert parse_size("64m") == 64 << 20
    assert parse_size("2GiB") == 2 << 30
    assert parse_size(" unlimited ") is None
    with pytest.raises(ValueError, match="not a size"):
        parse_size("lots")
    monkeypatch.delenv("ZIGGURAT_CACHE_MAX_SIZE", raising=False)
    assert default_max_size() == DEFAULT_MAX_SIZE == 1 << 30
    monkeypatch.setenv("ZIGGURAT_CACHE_MAX_SIZE", "3M")
    assert default_max_size() == 3 << 20
    assert ObjectCache("/nonexistent").max_size == 3 << 20
    assert ObjectCache("/nonexistent", max_size="1K").max_size == 1024
    monkeypatch.setenv("ZIGGURAT_CACHE_MAX_SIZE", "-5")
    with pytest.warns(RuntimeWarning, match="ignoring ZIGGURAT_CACHE_MAX_SIZE"):
        assert default_max_size() == DEFAULT_MAX_SIZE
    with pytest.raises(ValueError, match="max_size"):
        ObjectCache("/nonexistent", max_size=-1)


def test_default_cache_follows_the_size_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZIGGURAT_NO_CACHE", raising=False)
    monkeypatch.setenv("ZIGGURAT_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("ZIGGURAT_CACHE_MAX_SIZE", "5M")
    store = compiler.default_cache()
    assert store is not None and store.max_size == 5 << 20
    monkeypatch.setenv("ZIGGURAT_CACHE_MAX_SIZE", "unlimited")
    store = compiler.default_cache()
    assert store is not None and store.max_size is None


def entry_size(obj_len: int) -> int:
    return len(encode_entry(KEY, b"x" * obj_len, {}))


def test_store_evicts_least_recently_used(tmp_path: Path) -> None:
    size = entry_size(1000)
    cache = ObjectCache(tmp_path, max_size=3 * size)
    keys = [f"{i:064x}" for i in range(3)]
    now = time.time()
    for age, key in zip((300, 200, 100), keys, strict=True):
        assert cache.store(key, b"x" * 1000, {})
        os.utime(cache.path(key), (now - age, now - age))
    assert cache.size() == 3 * size and cache.stats.evicted == 0
    assert cache.load(keys[0]) is not None  # a hit makes the oldest the most recent
    assert cache.path(keys[0]).stat().st_mtime > now - 10
    new = "f" * 64
    assert cache.store(new, b"x" * 1000, {})
    assert cache.stats.evicted == 1
    assert not cache.path(keys[1]).exists()  # the least recently used went
    assert all(cache.path(k).exists() for k in (keys[0], keys[2], new))
    assert cache.max_size is not None and cache.size() <= cache.max_size


def test_writes_of_other_processes_are_seen_by_a_periodic_rescan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "RESCAN_STORES", 3)
    size = entry_size(1000)
    mine = ObjectCache(tmp_path, max_size=4 * size)
    other = ObjectCache(tmp_path, max_size="unlimited")  # another process, say
    assert mine.store(f"{0:064x}", b"x" * 1000, {})  # the first store scans
    for i in range(1, 7):
        assert other.store(f"{i:064x}", b"x" * 1000, {})
    for i in (7, 8):  # its estimate is 2, then 3 entries: no scan
        assert mine.store(f"{i:064x}", b"x" * 1000, {})
    assert len(mine.entries()) == 9 and mine.stats.evicted == 0
    assert mine.store(f"{9:064x}", b"x" * 1000, {})  # the third store since the scan
    assert mine.stats.evicted == 6 and mine.size() == 4 * size
    assert mine.path(f"{9:064x}").exists()


def test_an_entry_larger_than_the_cap_is_kept_alone(tmp_path: Path) -> None:
    cache = ObjectCache(tmp_path, max_size=10)
    assert cache.store(KEY, b"x" * 100, {})
    assert cache.load(KEY) is not None
    assert cache.store("cd" * 32, b"y" * 100, {})
    assert not cache.path(KEY).exists() and cache.path("cd" * 32).exists()


def test_unlimited_cache_never_evicts(tmp_path: Path) -> None:
    cache = ObjectCache(tmp_path, max_size="unlimited")
    for i in range(5):
        assert cache.store(f"{i:064x}", b"x" * 1000, {})
    assert len(cache.entries()) == 5 and cache.stats.evicted == 0


def test_evict_removes_stale_temporary_files_and_junk(tmp_path: Path) -> None:
    cache = ObjectCache(tmp_path)
    assert cache.store(KEY, b"obj", {})
    stale = cache.objects_dir / ".deadbeef-crashed.tmp"
    fresh = cache.objects_dir / ".deadbeef-writing.tmp"
    stale.write_bytes(b"partial")
    fresh.write_bytes(b"partial")
    old = time.time() - 2 * cache_module.STALE_TMP_SECONDS
    os.utime(stale, (old, old))
    fifo = cache.objects_dir / f"{'ef' * 32}{SUFFIX}"
    os.mkfifo(fifo)
    assert cache.evict(0, keep=KEY) == 0
    assert not stale.exists() and fresh.exists() and not os.path.lexists(fifo)
    assert cache.path(KEY).exists()
    assert cache.evict(0) == 1 and cache.entries() == []


# ---------------------------------------------------------------------------------------------
# In-memory specializations of zg.jit are bounded
# ---------------------------------------------------------------------------------------------


def arrays(n: int) -> np.ndarray:
    return np.ones(n, np.float32)


def test_jit_specializations_are_an_lru() -> None:
    f = zg.jit(lambda x: x + 1.0, backend=InterpreterBackend(), cache_size=2)
    assert f.cache_size == 2
    f(arrays(1))
    f(arrays(2))
    f(arrays(1))  # 1 is now more recent than 2
    f(arrays(3))  # evicts 2
    info = f.cache_info()
    assert info.currsize == 2 and info.misses == 3 and info.hits == 1
    assert info.specializations == ("(f32[1])", "(f32[3])")
    assert f.evictions == 1
    np.testing.assert_array_equal(f(arrays(2)), arrays(2) + 1)  # traced again
    assert f.cache_info().misses == 4 and f.cache_info().currsize == 2


def test_jit_cache_size_default_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZIGGURAT_JIT_CACHE_SIZE", raising=False)
    assert zg.jit(lambda x: x).cache_size == DEFAULT_CACHE_SIZE == 64
    monkeypatch.setenv("ZIGGURAT_JIT_CACHE_SIZE", "7")
    assert zg.jit(lambda x: x).cache_size == 7
    assert zg.jit(cache_size=3)(lambda x: x).cache_size == 3
    monkeypatch.setenv("ZIGGURAT_JIT_CACHE_SIZE", "zero")
    with pytest.warns(RuntimeWarning, match="ignoring ZIGGURAT_JIT_CACHE_SIZE"):
        assert zg.jit(lambda x: x).cache_size == DEFAULT_CACHE_SIZE
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="cache_size"):
            zg.jit(lambda x: x, cache_size=bad)  # type: ignore[arg-type]


def test_jit_lru_bounds_memory_of_many_shapes() -> None:
    f = zg.jit(lambda x: x * 2.0, backend=InterpreterBackend(), cache_size=4)
    held = []
    for n in range(1, 21):
        f(arrays(n))
        spec = next(reversed(f._cache.values()))
        held.append((weakref.ref(spec.program), weakref.ref(spec.compiled())))
    del spec
    gc.collect()
    assert f.cache_info().currsize == 4
    # Evicted traces and executables (the interpreter's holds its module) are freed.
    assert sum(p() is not None for p, _ in held) == 4
    assert sum(e() is not None for _, e in held) == 4


def test_cache_clear_releases_memory_now() -> None:
    f = zg.jit(lambda x: x - 1.0, backend=InterpreterBackend())
    for n in range(1, 6):
        f(arrays(n))
    modules = [weakref.ref(s.module) for s in f._cache.values()]
    gc.collect()
    gc.disable()  # only cache_clear itself may free the (cyclic) traced modules
    try:
        f(arrays(9))
        f.cache_clear()
        assert all(m() is None for m in modules)
    finally:
        gc.enable()
    assert f.cache_info() == (0, 0, 0, ())


def test_compiled_module_is_freed_without_the_garbage_collector(tmp_path: Path) -> None:
    module = compile_llvm_ir(IR, SIGNATURES, cache=ObjectCache(tmp_path))
    check_runs(module)
    kernel = module.kernel("scale")
    assert module.kernel("scale") is kernel  # kept while the caller holds it
    ref = weakref.ref(module)
    gc.collect()
    gc.disable()
    try:
        del module, kernel
        assert ref() is None  # no Kernel <-> module cycle keeps native code alive
    finally:
        gc.enable()


def test_jit_release_memory_is_safe_to_call() -> None:
    release_memory()
