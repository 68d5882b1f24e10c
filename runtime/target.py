"""Code-generation targets: a CPU name plus an LLVM feature string.

A `Target` says which x86-64 machine the runtime compiles for. `Target.host()` reads the
CPU name and features of the machine Python runs on; `Target.avx2()` and `Target.avx512()`
force a haswell-like (256-bit vectors) or skylake-avx512-like (512-bit vectors) machine, so
that either code path can be produced, inspected and, where the host supports it, run on any
AVX-512 machine. The vector width that the lowering should use (`vector_width`) and the
`"prefer-vector-width"` function attribute the compiler adds are derived from the features.

The host's description comes from LLVM (`llvm.get_host_cpu_name()` and features). On x86-64
Linux it is also kept in the object cache, keyed by the first CPU's identity and flags in
`/proc/cpuinfo` and by the code generator's version, so that a process whose kernels come
from the cache does not import `llvmlite.binding` to learn it again.
"""

from __future__ import annotations

import functools
import os
import platform
import sys
from dataclasses import dataclass

import numpy as np

from ziggurat.runtime._llvm import llvm, toolchain
from ziggurat.runtime.cache import CacheEntry, ObjectCache, cache_enabled, cache_key

_AVX512_FEATURES = (
    "avx512f",
    "avx512bw",
    "avx512cd",
    "avx512dq",
    "avx512vl",
    "avx512bf16",
    "avx512bitalg",
    "avx512fp16",
    "avx512ifma",
    "avx512vbmi",
    "avx512vbmi2",
    "avx512vnni",
    "avx512vp2intersect",
    "avx512vpopcntdq",
    "avx10.1",
    "avx10.2",
    "amx-avx512",
)
_AVX2_FEATURES = (
    "sse",
    "sse2",
    "sse3",
    "ssse3",
    "sse4.1",
    "sse4.2",
    "popcnt",
    "avx",
    "avx2",
    "fma",
    "f16c",
    "bmi",
    "bmi2",
    "lzcnt",
    "movbe",
    "cx16",
    "cmov",
    "fxsr",
    "xsave",
)
_SKX_FEATURES = (*_AVX2_FEATURES, "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl")


def _feature_string(enabled: tuple[str, ...], disabled: tuple[str, ...] = ()) -> str:
    return ",".join([f"+{f}" for f in enabled] + [f"-{f}" for f in disabled])


def _parse_features(features: str) -> dict[str, bool]:
    parsed: dict[str, bool] = {}
    for item in features.split(","):
        item = item.strip()
        if len(item) > 1 and item[0] in "+-":
            parsed[item[1:]] = item[0] == "+"
    return parsed


_CPUINFO_FIELDS = (b"vendor_id", b"cpu family", b"model", b"model name", b"stepping", b"flags")


def cpu_identity() -> str | None:
    """The identity and flags of the first CPU in `/proc/cpuinfo` (x86 Linux), or None: what
    LLVM's host CPU name and features are derived from (both come from `cpuid`)."""
    try:
        with open("/proc/cpuinfo", "rb") as f:
            text = b""
            while b"\n\n" not in text:
                chunk = f.read(8192)
                if not chunk:
                    break
                text += chunk
    except OSError:
        return None
    fields = {}
    for line in text.split(b"\n\n", 1)[0].split(b"\n"):
        name, _, value = line.partition(b":")
        name = name.strip()
        if name in _CPUINFO_FIELDS:
            fields[name] = value.strip()
    if set(fields) != set(_CPUINFO_FIELDS):
        return None
    return "\n".join(f"{k.decode()}={fields[k].decode('ascii', 'replace')}" for k in _CPUINFO_FIELDS)


def _ask_llvm() -> tuple[str, str, str]:
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    return (
        llvm.get_host_cpu_name(),
        llvm.get_host_cpu_features().flatten(),
        llvm.get_process_triple(),
    )


def _host_entry(entry: CacheEntry) -> tuple[str, str, str]:
    """The host description of a cache entry (raises if malformed)."""
    cpu, features, triple = (entry.meta.get(k) for k in ("cpu", "features", "triple"))
    if entry.obj != b"host" or not (
        isinstance(cpu, str) and cpu and isinstance(features, str) and isinstance(triple, str)
    ):
        raise ValueError("cache entry: not a host description")
    if not triple:
        raise ValueError("cache entry: the host triple is empty")
    return cpu, features, triple


@functools.cache
def _host_cpu() -> tuple[str, str, str]:
    """(CPU name, features, triple) of this machine, from the cache where it can be."""
    identity = cpu_identity() if _cacheable_host() else None
    store = ObjectCache() if identity is not None and cache_enabled() else None
    if store is None:
        return _ask_llvm()
    key = cache_key("host-target", identity or "", toolchain())
    cached = store.load_checked(key, _host_entry)
    if cached is not None:
        return cached
    cpu, features, triple = _ask_llvm()
    store.store(key, b"host", {"cpu": cpu, "features": features, "triple": triple})
    return cpu, features, triple


def host_triple() -> str:
    """The triple of this process (LLVM's `get_process_triple()`)."""
    return _host_cpu()[2]


def _cacheable_host() -> bool:
    return sys.platform.startswith("linux") and platform.machine().lower() in ("x86_64", "amd64")


@dataclass(frozen=True)
class Target:
    """A CPU to generate code for: LLVM CPU name, feature string (`+f,-g`) and triple.

    Example: `Target.host()`, `Target.avx2()`, `Target.avx512()`, or
    `Target("znver4", "+avx2,+fma,-avx512f")`.
    """

    cpu: str
    features: str
    triple: str = ""

    def __post_init__(self) -> None:
        if not self.triple:
            object.__setattr__(self, "triple", _host_cpu()[2])

    @classmethod
    def host(cls) -> Target:
        """The machine this process runs on (CPU name and every detected feature)."""
        cpu, features, triple = _host_cpu()
        return cls(cpu, features, triple)

    @classmethod
    def avx2(cls) -> Target:
        """A haswell-like machine: AVX2 and FMA, AVX-512 explicitly disabled (ymm registers)."""
        return cls("haswell", _feature_string(_AVX2_FEATURES, _AVX512_FEATURES))

    @classmethod
    def avx512(cls) -> Target:
        """A skylake-avx512-like machine (AVX-512 F/BW/CD/DQ/VL), 512-bit vectors preferred."""
        return cls("skylake-avx512", _feature_string(_SKX_FEATURES))

    @classmethod
    def named(cls, name: str) -> Target:
        """`host`, `avx2` or `avx512` (the names `ZIGGURAT_TARGET` accepts)."""
        makers = {"host": cls.host, "avx2": cls.avx2, "avx512": cls.avx512}
        if name not in makers:
            raise ValueError(f"unknown target {name!r}; expected one of {sorted(makers)}")
        return makers[name]()

    @classmethod
    def default(cls) -> Target:
        """`Target.named($ZIGGURAT_TARGET)` when that is set, else `Target.host()`."""
        name = os.environ.get("ZIGGURAT_TARGET", "").strip()
        return cls.named(name) if name else cls.host()

    @functools.cached_property
    def feature_map(self) -> dict[str, bool]:
        """Features named in the feature string, mapped to enabled (True) or disabled."""
        return _parse_features(self.features)

    def has_feature(self, name: str) -> bool:
        """Whether the feature string enables `name` (e.g. "avx512f")."""
        return self.feature_map.get(name, False)

    @property
    def has_avx512(self) -> bool:
        """Whether 512-bit AVX-512 vectors are available."""
        return self.has_feature("avx512f")

    @property
    def has_avx2(self) -> bool:
        """Whether 256-bit AVX2 vectors are available."""
        return self.has_feature("avx2")

    @property
    def vector_bits(self) -> int:
        """Width of the widest vector registers the code should use: 512, 256 or 128."""
        if self.has_avx512:
            return 512
        if self.has_feature("avx"):
            return 256
        return 128

    def vector_width(self, dtype: object = np.float32) -> int:
        """Lanes per vector register for `dtype`: 16 f32 on AVX-512, 8 on AVX2 (half for f64)."""
        itemsize = np.dtype(dtype).itemsize  # type: ignore[call-overload]
        return self.vector_bits // (8 * itemsize)

    @property
    def prefer_vector_width(self) -> int | None:
        """The `"prefer-vector-width"` function attribute to add: 512 with AVX-512, else None."""
        return 512 if self.has_avx512 else None

    @property
    def key(self) -> str:
        """A string identifying the target in cache keys."""
        return f"{self.triple}|{self.cpu}|{self.features}"

    def missing_on_host(self) -> list[str]:
        """Features this target enables that the host CPU lacks (code using them cannot run)."""
        host = _parse_features(_host_cpu()[1])
        return sorted(f for f, on in self.feature_map.items() if on and not host.get(f, False))

    def runs_on_host(self) -> bool:
        """Whether code compiled for this target can run on this machine."""
        return self.triple == _host_cpu()[2] and not self.missing_on_host()

    def __str__(self) -> str:
        width = self.vector_width(np.float32)
        return f"Target({self.cpu}, {self.vector_bits}-bit vectors, {width} x f32)"
