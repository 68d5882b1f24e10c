"""The on-disk cache of compiled object files.

Location: `$ZIGGURAT_CACHE_DIR` if set, else `$XDG_CACHE_HOME/ziggurat`, else
`~/.cache/ziggurat`; `ZIGGURAT_NO_CACHE=1` turns the cache off. Entries live in
`<dir>/objects/<key>.zobj`, where the key is the sha256 of everything that determines the
machine code (see `cache_key`).

Entry format (little-endian):

    magic     8 bytes  b"ZIGOBJ\\x00\\x01"
    key      32 bytes  the raw sha256 key (guards against a file stored under a wrong name)
    meta_len  8 bytes  length of the JSON metadata
    obj_len   8 bytes  length of the object file
    checksum 32 bytes  sha256 of metadata + object
    metadata, object

An entry whose magic, key, lengths or checksum do not match (a truncated or corrupted file) is
deleted and reported as a miss, so the caller rebuilds it; it is never loaded. Entries are
written to a temporary file in the same folder and moved into place with `os.replace`, so
readers and concurrent writers (threads or processes) only ever see complete entries.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAGIC = b"ZIGOBJ\x00\x01"
_HEADER = struct.Struct("<8s32sQQ32s")
SUFFIX = ".zobj"


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def cache_enabled() -> bool:
    """False when `ZIGGURAT_NO_CACHE` is set to 1/true/yes/on."""
    return not _env_flag("ZIGGURAT_NO_CACHE")


def default_cache_dir() -> Path:
    """`$ZIGGURAT_CACHE_DIR`, else `$XDG_CACHE_HOME/ziggurat`, else `~/.cache/ziggurat`."""
    explicit = os.environ.get("ZIGGURAT_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "ziggurat"


def cache_key(*parts: str) -> str:
    """The sha256 (hex) of the given strings, each length-prefixed so no two tuples collide."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        digest.update(struct.pack("<Q", len(data)))
        digest.update(data)
    return digest.hexdigest()


@dataclass
class CacheStats:
    """Counters of what the cache did in this process."""

    hits: int = 0
    misses: int = 0
    discarded: int = 0
    stores: int = 0
    store_failures: int = 0


@dataclass(frozen=True)
class CacheEntry:
    """A loaded entry: the object file bytes and the metadata stored with them."""

    obj: bytes
    meta: dict[str, Any] = field(default_factory=dict)


def encode_entry(key: str, obj: bytes, meta: dict[str, Any]) -> bytes:
    """Serialize an entry (header, metadata, object) for `key`."""
    meta_bytes = json.dumps(meta, sort_keys=True).encode("utf-8")
    checksum = hashlib.sha256(meta_bytes + obj).digest()
    header = _HEADER.pack(MAGIC, bytes.fromhex(key), len(meta_bytes), len(obj), checksum)
    return header + meta_bytes + obj


def decode_entry(key: str, data: bytes) -> CacheEntry | None:
    """Parse and verify an entry; None if it is truncated, corrupted or for another key."""
    if len(data) < _HEADER.size:
        return None
    magic, raw_key, meta_len, obj_len, checksum = _HEADER.unpack_from(data)
    if magic != MAGIC or raw_key != bytes.fromhex(key):
        return None
    if len(data) != _HEADER.size + meta_len + obj_len:
        return None
    body = data[_HEADER.size :]
    if hashlib.sha256(body).digest() != checksum:
        return None
    try:
        meta = json.loads(body[:meta_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(meta, dict):
        return None
    return CacheEntry(bytes(body[meta_len:]), meta)


class ObjectCache:
    """Compiled objects on disk, keyed by `cache_key` hex digests."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.stats = CacheStats()

    @property
    def objects_dir(self) -> Path:
        """The folder holding the entries."""
        return self.directory / "objects"

    def path(self, key: str) -> Path:
        """Where the entry for `key` lives."""
        return self.objects_dir / f"{key}{SUFFIX}"

    def load(self, key: str) -> CacheEntry | None:
        """The verified entry for `key`, or None (a bad entry is deleted and counts as a miss)."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            self.stats.misses += 1
            return None
        entry = decode_entry(key, data)
        if entry is None:
            self.stats.discarded += 1
            self.stats.misses += 1
            self.discard(key)
            return None
        self.stats.hits += 1
        return entry

    def discard(self, key: str) -> None:
        """Delete the entry for `key` if it exists."""
        with contextlib.suppress(OSError):
            self.path(key).unlink()

    def store(self, key: str, obj: bytes, meta: dict[str, Any]) -> bool:
        """Write the entry atomically; on an I/O error warn and return False."""
        data = encode_entry(key, obj, meta)
        tmp_name: str | None = None
        try:
            self.objects_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(
                dir=self.objects_dir, prefix=f".{key[:16]}-", suffix=".tmp"
            )
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, self.path(key))
            tmp_name = None
        except OSError as error:
            self.stats.store_failures += 1
            warnings.warn(
                f"ziggurat: could not write the object cache entry in {self.objects_dir}: {error}",
                RuntimeWarning,
                stacklevel=3,
            )
            return False
        finally:
            if tmp_name is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)
        self.stats.stores += 1
        return True

    def entries(self) -> list[Path]:
        """Paths of all complete entries (temporary files excluded)."""
        if not self.objects_dir.is_dir():
            return []
        return sorted(p for p in self.objects_dir.iterdir() if p.name.endswith(SUFFIX))

    def clear(self) -> int:
        """Delete every entry; returns how many were deleted."""
        removed = 0
        for path in self.entries():
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass
        return removed
