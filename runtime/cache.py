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

Entries are native code that the process links and runs, so the cache must be private: the
folders are created with mode 0700 (missing parents too), and a cache folder (or its
`objects` folder) that is not a directory owned by this user and closed to group and others
is refused with one `RuntimeWarning`; the process then runs without a disk cache.

Reading never blocks and never trusts the file system: an entry is opened with
`O_NOFOLLOW | O_NONBLOCK` and checked with `fstat` before a byte is read; anything that is not
a regular file owned by this user, not writable by others and at most `max_entry_bytes` long
(a FIFO, a symlink, a device, a huge file) is deleted and counts as a miss. An entry whose
magic, key, lengths or checksum do not match (a truncated or corrupted file) is deleted and
reported as a miss, so the caller rebuilds it; it is never loaded. A caller that finds a
well-formed entry unusable (its content fails to parse or to link) calls `reject` (or uses
`load_checked`), which deletes it too.

Entries are written to a temporary file in the same folder and moved into place with
`os.replace`, so readers and concurrent writers (threads or processes) only ever see complete
entries. After each store the folder is trimmed to `max_size` bytes (default
`DEFAULT_MAX_SIZE`, or `$ZIGGURAT_CACHE_MAX_SIZE`) by deleting the least recently used
entries first; a hit refreshes an entry's mtime, which is what "recently used" means. The
cap is kept by the writers, so concurrent writers can overshoot it briefly.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import stat
import struct
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

MAGIC = b"ZIGOBJ\x00\x01"
_HEADER = struct.Struct("<8s32sQQ32s")
SUFFIX = ".zobj"
TMP_SUFFIX = ".tmp"

DEFAULT_MAX_SIZE = 1 << 30
"""Default cap on the total size of the entries on disk (1 GiB)."""

MAX_ENTRY_BYTES = 256 << 20
"""Default cap on one entry (256 MiB): a larger file is never read (and never written)."""

MAX_SIZE_ENV = "ZIGGURAT_CACHE_MAX_SIZE"
"""Environment variable overriding `DEFAULT_MAX_SIZE`: bytes, with an optional K/M/G/T
suffix (powers of 1024, e.g. `512M`), or `unlimited`."""

STALE_TMP_SECONDS = 3600.0
"""A temporary file older than this is the leftover of a crashed writer and is deleted."""

TOUCH_SECONDS = 60.0
"""A hit refreshes the entry's mtime (its LRU age) when it is older than this."""

RESCAN_STORES = 32
"""`store` rescans the folder (and evicts) at least once every this many stores, and whenever
its running estimate of the total exceeds `max_size`."""

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"(\d+)\s*([kmgt]?)(?:i?b)?", re.IGNORECASE)
_UNLIMITED = ("unlimited", "none", "inf", "off")

_warned: set[str] = set()
_warned_lock = threading.Lock()

T = TypeVar("T")


def _warn_once(message: str) -> None:
    """Issue `message` as a RuntimeWarning, at most once per process."""
    with _warned_lock:
        if message in _warned:
            return
        _warned.add(message)
    warnings.warn(message, RuntimeWarning, stacklevel=3)


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


def parse_size(text: str) -> int | None:
    """Bytes for a size such as `1048576`, `512K`, `64M`, `2G`, `1GiB`; None for `unlimited`.

    Raises ValueError for anything else.
    """
    cleaned = text.strip()
    if cleaned.lower() in _UNLIMITED:
        return None
    match = _SIZE.fullmatch(cleaned)
    if match is None:
        raise ValueError(
            f"not a size: {text!r} (expected bytes with an optional K/M/G/T suffix, e.g. 512M, "
            f"or 'unlimited')"
        )
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def default_max_size() -> int | None:
    """`$ZIGGURAT_CACHE_MAX_SIZE` parsed by `parse_size`, else `DEFAULT_MAX_SIZE`.

    A value that does not parse warns once and gives the default.
    """
    text = os.environ.get(MAX_SIZE_ENV)
    if text is None or not text.strip():
        return DEFAULT_MAX_SIZE
    try:
        return parse_size(text)
    except ValueError as error:
        _warn_once(f"ziggurat: ignoring {MAX_SIZE_ENV}: {error}; using {DEFAULT_MAX_SIZE} bytes")
        return DEFAULT_MAX_SIZE


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
    """Counters of what the cache did in this process.

    hits/misses: loads that returned an entry / nothing; discarded: entries deleted because
    they were damaged, not regular files, too large, or rejected by the caller; stores and
    store_failures: writes; evicted: entries deleted to keep the cache under `max_size`;
    refused: operations skipped because the folder is not private.
    """

    hits: int = 0
    misses: int = 0
    discarded: int = 0
    stores: int = 0
    store_failures: int = 0
    evicted: int = 0
    refused: int = 0


@dataclass(frozen=True)
class CacheEntry:
    """A loaded entry: the object file bytes and the metadata stored with them."""

    obj: bytes
    meta: dict[str, Any] = field(default_factory=dict)


class _BadEntry(Exception):
    """The file at an entry path must not be read (and is deleted)."""


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
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(meta, dict):
        return None
    return CacheEntry(bytes(body[meta_len:]), meta)


def private_problem(st: os.stat_result) -> str | None:
    """Why a folder with status `st` is not private to this user, or None if it is.

    Private: a directory owned by the effective user, not writable by group or others.
    """
    if not stat.S_ISDIR(st.st_mode):
        return "it is not a directory"
    euid = os.geteuid()
    if st.st_uid != euid:
        return f"it is owned by uid {st.st_uid}, not by this user (uid {euid})"
    bits = (("group", stat.S_IWGRP), ("others", stat.S_IWOTH))
    writable = [who for who, bit in bits if st.st_mode & bit]
    if writable:
        mode = stat.S_IMODE(st.st_mode)
        return f"it is writable by {' and '.join(writable)} (mode {mode:o})"
    return None


def make_private_dirs(path: Path) -> None:
    """Create `path` and every missing parent with mode 0700 (existing ones are left alone)."""
    missing: list[Path] = []
    current = path
    while not os.path.lexists(current):
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            continue  # a concurrent process made it; the privacy check looks at it next
        os.chmod(folder, 0o700)  # the umask may have removed owner bits


class ObjectCache:
    """Compiled objects on disk, keyed by `cache_key` hex digests.

    `max_size` caps the total size of the entries: bytes, a string for `parse_size`
    (`"512M"`, `"unlimited"`), or None for `$ZIGGURAT_CACHE_MAX_SIZE` / `DEFAULT_MAX_SIZE`.
    `max_entry_bytes` caps one entry (default `MAX_ENTRY_BYTES`).
    """

    def __init__(
        self,
        directory: Path | str | None = None,
        *,
        max_size: int | str | None = None,
        max_entry_bytes: int = MAX_ENTRY_BYTES,
    ) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        if max_size is None:
            self.max_size: int | None = default_max_size()
        elif isinstance(max_size, str):
            self.max_size = parse_size(max_size)
        else:
            if max_size < 0:
                raise ValueError(f"max_size must be >= 0, got {max_size}")
            self.max_size = max_size
        self.max_entry_bytes = max_entry_bytes
        self.stats = CacheStats()
        # This process's estimate of the bytes on disk (None: not scanned yet), and stores
        # since the last scan: `store` rescans only when the estimate passes the cap or
        # every RESCAN_STORES stores (to see what other processes wrote).
        self._estimate: int | None = None
        self._stores_since_scan = 0

    @property
    def objects_dir(self) -> Path:
        """The folder holding the entries."""
        return self.directory / "objects"

    def path(self, key: str) -> Path:
        """Where the entry for `key` lives."""
        return self.objects_dir / f"{key}{SUFFIX}"

    # -- the folder ----------------------------------------------------------------------

    def _refuse(self, folder: Path, problem: str) -> None:
        self.stats.refused += 1
        _warn_once(
            f"ziggurat: not using the object cache in {folder}: {problem}; running without a "
            f"disk cache (make it private with 'chmod 700', or set ZIGGURAT_CACHE_DIR)"
        )

    def usable(self, create: bool = False) -> bool:
        """Whether the cache folders exist (created 0700 first if `create`) and are private.

        A folder that exists but is not private warns once and makes this False. With
        `create`, an I/O error creating the folders (a file in the way, a read-only disk)
        raises OSError.
        """
        # The top folder may be a symlink the user chose; `objects` must be a real folder.
        for folder, follow in ((self.directory, True), (self.objects_dir, False)):
            try:
                st = os.stat(folder) if follow else os.lstat(folder)
            except FileNotFoundError:
                if not create:
                    return False
                make_private_dirs(folder)
                st = os.stat(folder) if follow else os.lstat(folder)
            if stat.S_ISLNK(st.st_mode):
                problem: str | None = "it is a symbolic link"
            elif not stat.S_ISDIR(st.st_mode):
                if create:
                    raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(folder))
                return False
            else:
                problem = private_problem(st)
            if problem is not None:
                self._refuse(folder, problem)
                return False
        return True

    # -- reading -------------------------------------------------------------------------

    def _read_file(self, path: Path) -> bytes:
        """The bytes of the regular file at `path`; _BadEntry if it must not be read.

        FileNotFoundError (and other OSErrors) propagate for a plain miss.
        """
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            raise _BadEntry("not a regular file")
        if st.st_size > self.max_entry_bytes:
            raise _BadEntry("too large")
        try:
            fd = os.open(path, _OPEN_FLAGS)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise _BadEntry("a symbolic link") from error
            raise
        try:
            fst = os.fstat(fd)
            if not stat.S_ISREG(fst.st_mode):
                raise _BadEntry("not a regular file")
            if fst.st_uid != os.geteuid() or fst.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                raise _BadEntry("owned or writable by another user")
            size = fst.st_size
            if size > self.max_entry_bytes:
                raise _BadEntry("too large")
            chunks: list[bytes] = []
            remaining = size + 1  # one more byte: a file that grew is caught
            while remaining > 0:
                chunk = os.read(fd, min(remaining, 1 << 24))
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
            data = b"".join(chunks)
            if len(data) != size:
                raise _BadEntry("changed while being read")
            if time.time() - fst.st_mtime > TOUCH_SECONDS and os.utime in os.supports_fd:
                with contextlib.suppress(OSError):
                    os.utime(fd)  # a hit makes the entry the most recently used
            return data
        finally:
            os.close(fd)

    def load(self, key: str) -> CacheEntry | None:
        """The verified entry for `key`, or None (a bad entry is deleted and counts as a miss)."""
        if not self.usable():
            self.stats.misses += 1
            return None
        path = self.path(key)
        try:
            data = self._read_file(path)
        except _BadEntry:
            entry = None
        except OSError:
            self.stats.misses += 1
            return None
        else:
            entry = decode_entry(key, data)
        if entry is None:
            self.stats.discarded += 1
            self.stats.misses += 1
            self.discard(key)
            return None
        self.stats.hits += 1
        return entry

    def load_checked(self, key: str, parse: Callable[[CacheEntry], T]) -> T | None:
        """`parse(entry)` for the verified entry of `key`, or None.

        Any exception from `parse` means the entry is well formed but unusable: it is
        `reject`ed (deleted, so the caller rebuilds and rewrites it) and None is returned.
        """
        entry = self.load(key)
        if entry is None:
            return None
        try:
            return parse(entry)
        except Exception:
            self.reject(key)
            return None

    def reject(self, key: str) -> None:
        """The caller could not use the entry `load` returned: delete it, count it discarded.

        The load is re-counted as a miss.
        """
        self.stats.hits = max(0, self.stats.hits - 1)
        self.stats.misses += 1
        self.stats.discarded += 1
        self.discard(key)

    def discard(self, key: str) -> None:
        """Delete the entry for `key` if it exists (a symlink is removed, not its target)."""
        with contextlib.suppress(OSError):
            os.unlink(self.path(key))

    # -- writing -------------------------------------------------------------------------

    def store(self, key: str, obj: bytes, meta: dict[str, Any]) -> bool:
        """Write the entry atomically, then evict down to `max_size`.

        On an I/O error warn and return False; a folder that is not private, or an entry
        larger than `max_entry_bytes`, is skipped (False) without writing.
        """
        data = encode_entry(key, obj, meta)
        if len(data) > self.max_entry_bytes:
            _warn_once(
                f"ziggurat: not caching an object of {len(data)} bytes (larger than the "
                f"{self.max_entry_bytes}-byte limit of one cache entry)"
            )
            return False
        tmp_name: str | None = None
        try:
            if not self.usable(create=True):
                return False
            import tempfile  # only writers need it (and shutil, bz2, lzma with it)

            fd, tmp_name = tempfile.mkstemp(
                dir=self.objects_dir, prefix=f".{key[:16]}-", suffix=TMP_SUFFIX
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
        if self.max_size is not None:
            self._stores_since_scan += 1
            if self._estimate is not None:
                self._estimate += len(data)
            if (
                self._estimate is None
                or self._estimate > self.max_size
                or self._stores_since_scan >= RESCAN_STORES
            ):
                self.evict(self.max_size, keep=key)
        return True

    # -- size and eviction -----------------------------------------------------------------

    def _scan(self) -> list[tuple[float, int, str]]:
        """(mtime, size, name) of every regular entry; removes junk and stale temp files."""
        found: list[tuple[float, int, str]] = []
        now = time.time()
        try:
            listing = list(os.scandir(self.objects_dir))
        except OSError:
            return found
        for item in listing:
            try:
                st = item.stat(follow_symlinks=False)
            except OSError:
                continue
            regular = stat.S_ISREG(st.st_mode)
            if item.name.endswith(SUFFIX):
                if regular:
                    found.append((st.st_mtime, st.st_size, item.name))
                elif not stat.S_ISDIR(st.st_mode):
                    with contextlib.suppress(OSError):
                        os.unlink(item.path)  # a FIFO, symlink or device under an entry name
            elif item.name.endswith(TMP_SUFFIX) and now - st.st_mtime > STALE_TMP_SECONDS:
                with contextlib.suppress(OSError):
                    os.unlink(item.path)
        return found

    def size(self) -> int:
        """Total bytes of the entries on disk."""
        if not self.usable():
            return 0
        return sum(size for _, size, _ in self._scan())

    def evict(self, max_size: int | None = None, keep: str | None = None) -> int:
        """Delete least recently used entries (oldest mtime first) until the entries total
        at most `max_size` bytes (default: this cache's `max_size`); never the entry `keep`.

        Also deletes temporary files left by crashed writers. Returns how many entries went.
        """
        limit = self.max_size if max_size is None else max_size
        if not self.usable():
            return 0
        found = self._scan()
        total = sum(size for _, size, _ in found)
        self._stores_since_scan = 0
        self._estimate = total
        if limit is None:
            return 0
        keep_name = f"{keep}{SUFFIX}" if keep is not None else None
        removed = 0
        for _, size, name in sorted(found):
            if total <= limit:
                break
            if name == keep_name:
                continue
            try:
                os.unlink(self.objects_dir / name)
            except FileNotFoundError:
                pass  # a concurrent process evicted it
            except OSError:
                continue
            else:
                removed += 1
            total -= size
        self._estimate = total
        self.stats.evicted += removed
        return removed

    def entries(self) -> list[Path]:
        """Paths of all complete entries (temporary files excluded)."""
        if not self.objects_dir.is_dir():
            return []
        return sorted(p for p in self.objects_dir.iterdir() if p.name.endswith(SUFFIX))

    def clear(self) -> int:
        """Delete every entry; returns how many were deleted (none in a folder that is not
        private, which is left alone)."""
        if self.objects_dir.exists() and not self.usable():
            return 0
        removed = 0
        for path in self.entries():
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass
        return removed
