"""Tile-size choice for the kernels of ztensor ops.

`ztensor-to-ztile` tiles its programs with these sizes, and `ztensor_kernels` asks them
whether a reduction's chunks are padded (then no elementwise prologue fuses into it). Pure
Python on shapes, so both the dialects and the lowering can use it.

A `TileSizeChooser` answers three questions about a kernel: the output tile of an elementwise
program, the (M, N, K) blocking of a matmul, and the tile of a reduction program (with the
chunk walked along each reduced axis). `DefaultTileSizes` is the built-in heuristic (tall
output tiles of up to 256x64 with K chunks of up to 256 for matmul, row blocks for
reductions); `GpuTileSizes` the small tiles of the GPU path; `FixedTileSizes` applies the sizes given by the `tile-sizes` pass option. The
polyhedral auto-tiler plugs in by providing another object with the same methods.

Every size returned is >= 1 and at most the dimension it tiles, so tiles never exceed the data
(except where an exact divisor is asked for, see `largest_divisor_at_most`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

ELEMENTWISE_BUDGET = 4096
"""Most elements in one elementwise output tile (16 KiB of f32)."""

REDUCTION_BUDGET = 8192
WIDE_COLUMNS_ELEMENTS = 8 * 1024 * 1024
"""Column reductions of operands with more elements get 1024-column blocks (`DefaultTileSizes`)."""
"""Most elements in one reduction tile; a row up to this length is reduced in one piece."""


def next_power_of_two(n: int) -> int:
    """The smallest power of two >= n (n >= 1)."""
    return 1 << max(0, n - 1).bit_length()


def largest_divisor_at_most(n: int, limit: int) -> int:
    """The largest divisor of n that is <= limit (at least 1)."""
    for d in range(min(n, max(limit, 1)), 0, -1):
        if n % d == 0:
            return d
    return 1


def balanced_split(n: int, limit: int) -> int:
    """The size of the fewest equal pieces of at most `limit` that cover n (n, limit >= 1):
    1000 with limit 256 gives 250 (4 pieces), not 256 (and a last piece of 232)."""
    pieces = -(-n // max(limit, 1))
    return -(-n // pieces)


def clamp_tile(shape: Sequence[int], tile: Sequence[int]) -> tuple[int, ...]:
    """`tile` with every size clipped to [1, dim]."""
    return tuple(max(1, min(t, d)) for t, d in zip(tile, shape, strict=True))


def reduction_tile(
    shape: Sequence[int],
    axes: Sequence[int],
    budget: int,
    chunk: int,
    rows: int,
    columns: int | None = None,
) -> tuple[int, ...]:
    """The tile of a program reducing `axes` of `shape` within `budget` elements: the reduced
    axes whole when they fit, else chunks of `chunk` along the innermost reduced axis (the
    outer reduced axes in single steps); kept dims in blocks of up to `rows` (up to 128
    along a kept last dim) from what the budget leaves.

    With `columns`, a kept last dim gets its block of up to `columns` first and the reduced
    axes share what is left, in chunks that divide them where a large enough divisor exists."""
    tile = list(shape)
    kept = [d for d in range(len(shape)) if d not in axes]
    block = 1
    if columns is not None and shape and len(shape) - 1 in kept:
        block = tile[-1] = min(shape[-1], columns)
        kept.pop()
    reduced = 1
    for a in axes:
        reduced *= shape[a]
    room = max(1, budget // block)
    if reduced > room:
        last = max(axes)
        for a in axes:
            tile[a] = 1
        size = min(shape[last], chunk, room)
        tile[last] = size
        if block > 1:
            # A chunk of rows that divides the axis leaves no padded last chunk (which would
            # keep an elementwise prologue out of the kernel). Without a large enough divisor,
            # an axis of up to 2 * budget / 16 rows is taken whole by a block of 16 columns.
            divisor = largest_divisor_at_most(shape[last], size)
            if 4 * divisor >= size:
                tile[last] = divisor
            elif len(axes) == 1 and shape[last] * 16 <= 2 * budget:
                block = tile[-1] = min(shape[-1], max(16, budget // shape[last] // 16 * 16))
                tile[last] = shape[last]
        reduced = tile[last]
    left = max(1, budget // (reduced * block))
    for d in reversed(kept):
        limit = 128 if d == len(shape) - 1 else rows
        tile[d] = max(1, min(shape[d], limit, left))
        left = max(1, left // tile[d])
    return tuple(tile)


@runtime_checkable
class TileSizeChooser(Protocol):
    """Chooses tile shapes for the programs that `ztensor-to-ztile` generates."""

    def elementwise(self, shape: Sequence[int]) -> tuple[int, ...]:
        """The output tile (same rank as `shape`, rank 1 to 3) of an elementwise program."""
        ...

    def matmul(self, m: int, n: int, k: int) -> tuple[int, int, int]:
        """(tile M, tile N, tile K) for a matmul of an MxK by a KxN matrix."""
        ...

    def reduction(self, shape: Sequence[int], axes: Sequence[int]) -> tuple[int, ...]:
        """The tile (same rank as `shape`) of a program reducing `axes` of `shape`; the size
        along a reduced axis is the chunk a loop walks, the other sizes block the kept dims."""
        ...


def _pads(shape: Sequence[int], axes: Sequence[int], tile: Sequence[int]) -> bool:
    """Whether `tile` leaves a padded last chunk along a reduced axis of `shape`."""
    return any(shape[a] % tile[a] for a in axes)


@dataclass(frozen=True)
class DefaultTileSizes:
    """The built-in heuristic.

    - elementwise: up to 256 along the last dim, the rest of a 4096-element budget on the
      dims before it (innermost first);
    - matmul: output tiles of up to 256 rows by 64 columns and K chunks of up to 256, the
      rows and the K extent split into equal pieces (a padded last piece is computed in
      full); when that leaves fewer than 4 output tiles, M tiles shrink (not below 48
      rows) so that several threads get work. `ztile-to-zloop` reads the lhs tile in place
      and copies only the rhs tile, so tall tiles amortize that copy over many rows, and 64
      columns are one register block of 4 AVX-512 vectors.
    - reduction: a reduced axis is taken whole when the reduced extent fits the 8192-element
      budget (so no chunk loop and no padding), otherwise in chunks of 4096 along the last
      reduced axis; kept dims get row blocks of up to 8 rows (up to 128 along a kept last
      dim). When the last dim is kept (column sums), it gets blocks of 256 columns first
      and the reduced axes are walked in chunks of the 32 rows left (a divisor of the
      extent when one of at least 8 exists; else up to 1024 rows are taken whole by blocks
      of 16 columns): each program reads 1 KiB of every row, side by side in vector
      accumulators, instead of two columns down all rows. An operand of more than
      `WIDE_COLUMNS_ELEMENTS` (8M: 32 MiB of f32, more than most CPUs' L3) gets blocks of
      1024 columns: out of cache, 1 KiB pieces of long rows restart the hardware prefetcher
      on every row (column sums of 4096^2: 3.8-4.8 -> 2.8-4.4 ms, of 8192x2048: 4.3-7.4 ->
      2.2-3.7 ms on 2 vCPUs of a Zen 4, three alternations), while in cache the narrower
      blocks are up to 3x faster (1024^2, 4096x1024). Where the wide blocks would pad the
      last chunk of rows and the narrow ones would not, the narrow ones are kept.
    """

    matmul_m: int = 256
    matmul_n: int = 64
    matmul_k: int = 256
    matmul_min_m: int = 48
    matmul_min_programs: int = 4

    def elementwise(self, shape: Sequence[int]) -> tuple[int, ...]:
        if not shape:
            return ()
        tile = [1] * len(shape)
        tile[-1] = min(shape[-1], 256)
        budget = max(1, ELEMENTWISE_BUDGET // tile[-1])
        for d in range(len(shape) - 2, -1, -1):
            tile[d] = max(1, min(shape[d], budget))
            budget = max(1, budget // tile[d])
        return tuple(tile)

    def matmul(self, m: int, n: int, k: int) -> tuple[int, int, int]:
        tn = min(n, self.matmul_n)
        # Split M further (not below `matmul_min_m` rows) when the grid would otherwise have
        # fewer than `matmul_min_programs` instances, so that several threads get work.
        row_pieces = -(-self.matmul_min_programs // -(-n // tn))
        row_pieces = max(1, min(row_pieces, m // self.matmul_min_m))
        limit = min(self.matmul_m, -(-m // row_pieces))
        return (balanced_split(m, limit), tn, balanced_split(k, self.matmul_k))

    def reduction(self, shape: Sequence[int], axes: Sequence[int]) -> tuple[int, ...]:
        narrow = reduction_tile(shape, axes, REDUCTION_BUDGET, chunk=4096, rows=8, columns=256)
        if math.prod(shape) <= WIDE_COLUMNS_ELEMENTS:
            return narrow
        wide = reduction_tile(shape, axes, REDUCTION_BUDGET, chunk=4096, rows=8, columns=1024)
        # Wide blocks leave fewer rows per chunk: keep the narrow ones where only they divide
        # the reduced axes (a padded chunk keeps an elementwise prologue out of the kernel).
        if _pads(shape, axes, wide) and not _pads(shape, axes, narrow):
            return narrow
        return wide


@dataclass(frozen=True)
class FixedTileSizes:
    """Tile sizes given by the user (`tile-sizes=64,64,256`): the first two numbers are the
    output tile of matmul and 2-D elementwise programs, the third the K chunk; rank-1 and
    rank-3 elementwise tiles use the last one or three numbers; reductions keep the default
    heuristic."""

    sizes: tuple[int, ...]

    def elementwise(self, shape: Sequence[int]) -> tuple[int, ...]:
        if not shape:
            return ()
        sizes = list(self.sizes[:2]) if len(self.sizes) >= 2 else list(self.sizes)
        while len(sizes) < len(shape):
            sizes.insert(0, 1 if len(sizes) else 256)
        return clamp_tile(shape, sizes[len(sizes) - len(shape) :])

    def matmul(self, m: int, n: int, k: int) -> tuple[int, int, int]:
        tm = self.sizes[0]
        tn = self.sizes[1] if len(self.sizes) > 1 else tm
        tk = self.sizes[2] if len(self.sizes) > 2 else 256
        return (max(1, min(m, tm)), max(1, min(n, tn)), max(1, min(k, tk)))

    def reduction(self, shape: Sequence[int], axes: Sequence[int]) -> tuple[int, ...]:
        return DefaultTileSizes().reduction(shape, axes)


GPU_ELEMENTWISE_BUDGET = 1024
"""Most elements in one elementwise output tile on the GPU (8 registers a thread at 128)."""

GPU_REDUCTION_BUDGET = 4096
"""Most elements in one reduction tile on the GPU (16 KiB of f32 staged in shared memory)."""


@dataclass(frozen=True)
class GpuTileSizes:
    """Small tiles for `ztile-to-nvvm`, whose tiles live in the registers of one thread block
    and whose cross-thread ops stage a tile in (48 KiB of) shared memory:

    - elementwise: up to 256 along the last dim, the rest of a 1024-element budget on the
      dims before it;
    - matmul: 64x64 output tiles and K chunks of 32 (the two staged operand tiles take
      16 KiB of shared memory), smaller ones for smaller matrices rounded up to multiples of
      16x8x16 (the tensor-core instruction's shape);
    - reduction: a reduced extent up to 4096 is taken whole, a longer one in chunks of 1024
      along the last reduced axis; kept dims get row blocks within the 4096-element budget
      (up to 4 rows, or 128 along a kept last dim).
    """

    matmul_m: int = 64
    matmul_n: int = 64
    matmul_k: int = 32

    def elementwise(self, shape: Sequence[int]) -> tuple[int, ...]:
        if not shape:
            return ()
        tile = [1] * len(shape)
        tile[-1] = min(shape[-1], 256)
        budget = max(1, GPU_ELEMENTWISE_BUDGET // tile[-1])
        for d in range(len(shape) - 2, -1, -1):
            tile[d] = max(1, min(shape[d], budget))
            budget = max(1, budget // tile[d])
        return tuple(tile)

    def matmul(self, m: int, n: int, k: int) -> tuple[int, int, int]:
        """At most 64x64 with K chunks of 32, rounded up to multiples of 16x8x16 (the padding
        of edge tiles covers the rest), so that 16-bit dots of any shape fit the tensor-core
        instruction `mma.sync.m16n8k16`."""
        return (
            _round_up(min(m, self.matmul_m), 16),
            _round_up(min(n, self.matmul_n), 8),
            _round_up(min(k, self.matmul_k), 16),
        )

    def reduction(self, shape: Sequence[int], axes: Sequence[int]) -> tuple[int, ...]:
        return reduction_tile(shape, axes, GPU_REDUCTION_BUDGET, chunk=1024, rows=4)


def _round_up(x: int, multiple: int) -> int:
    return -(-x // multiple) * multiple


def chooser_from_option(option: str) -> TileSizeChooser:
    """The chooser for a `tile-sizes` option: empty or `auto` for the default heuristic,
    otherwise comma- or x-separated positive integers."""
    text = option.strip()
    if text in ("", "auto", "default"):
        return DefaultTileSizes()
    parts = [p for p in text.replace("x", ",").split(",") if p.strip()]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError as err:
        raise ValueError(f"ztensor-to-ztile: bad tile-sizes '{option}'") from err
    if not sizes or any(s < 1 for s in sizes):
        raise ValueError(f"ztensor-to-ztile: tile-sizes must be positive integers, got '{option}'")
    return FixedTileSizes(sizes)
