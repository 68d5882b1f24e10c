"""Reductions along an axis other than the last (column sums, means, maxima): the tiles the
default chooser gives them and the compiled results against numpy.

Such a reduction keeps the contiguous last dim: each program takes a block of up to 256
columns (1024 for operands beyond 8M elements) and walks the rows in chunks, every vector of a
row in its own accumulator.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ziggurat as zg
from ziggurat.dialects.tiling import REDUCTION_BUDGET, DefaultTileSizes
from ziggurat.dialects.ztensor_kernels import prologue_problem

SHAPES = [(4096, 1024), (1000, 768), (1009, 768), (2003, 770), (33, 17), (5, 3, 300), (2, 1)]


@pytest.mark.parametrize("shape", SHAPES, ids=["x".join(map(str, s)) for s in SHAPES])
def test_column_tiles_read_contiguous_blocks_within_the_budget(shape: tuple[int, ...]) -> None:
    tile = DefaultTileSizes().reduction(shape, (0,))
    assert tile[-1] == min(shape[-1], 256) or (tile[-1] == 16 and tile[0] == shape[0])
    assert all(1 <= t <= d for t, d in zip(tile, shape, strict=True))
    assert int(np.prod(tile)) <= 2 * REDUCTION_BUDGET


@pytest.mark.parametrize("shape", [(1000, 768), (1009, 768), (4096, 1024), (256, 64, 300)])
def test_column_reductions_keep_their_prologue(shape: tuple[int, ...]) -> None:
    """No padded chunk where a divisor, or the whole axis in a narrower block, avoids one."""
    assert prologue_problem(shape, (0,)) is None
    assert prologue_problem(shape, (1,)) is None


REDUCTIONS: dict[str, Any] = {
    "sum": lambda x: x.sum(axis=0),
    "mean": lambda x: x.mean(axis=0, keepdims=True),
    "max": lambda x: x.max(axis=0),
    "exp-sum": lambda x: np.exp(x).sum(axis=0),
    "var": lambda x: x.var(axis=0),
    "middle": lambda x: x.sum(axis=-2),
}


@pytest.mark.parametrize("shape", SHAPES, ids=["x".join(map(str, s)) for s in SHAPES])
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_column_reductions_match_numpy(name: str, shape: tuple[int, ...]) -> None:
    if name == "middle" and len(shape) < 2:
        pytest.skip("needs two axes")
    fn = REDUCTIONS[name]
    x = np.random.default_rng(sum(shape)).standard_normal(shape).astype(np.float32)
    got = zg.jit(fn)(x)
    want = fn(x.astype(np.float64))
    if name == "max":
        np.testing.assert_array_equal(got, want.astype(np.float32))
    else:
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.sqrt(shape[0]))


def test_column_maxima_propagate_nan_and_order_signed_zeros() -> None:
    x = np.full((300, 40), -0.0, np.float32)
    x[17, 3] = 0.0  # IEEE maximum: +0 > -0
    x[250, 5] = np.nan
    got = zg.jit(lambda a: a.max(axis=0))(x)
    assert np.isnan(got[5]) and not np.isnan(np.delete(got, 5)).any()
    assert not np.signbit(got[3]) and np.signbit(got[[0, 4, 39]]).all()


@pytest.mark.parametrize(("shape", "reduces"), [((4096, 4096), 2), ((300, 7), 2), ((5, 1), 1)])
def test_a_full_reduction_skips_axes_of_one_element(shape: tuple[int, ...], reduces: int) -> None:
    """A full reduction of 4096x4096 walks 1 x 4096 chunks: reducing their one row computes
    nothing, so each chunk is reduced along its last axis only (a 300x7 tile needs both; the
    4096x4096 one is split, and its second reduce is the partials'); a sum of -0.0s is still
    +0.0, as numpy's."""
    fn = zg.jit(lambda a: a.sum())
    x = np.full(shape, -0.0, np.float32)
    assert fn.lower(x).as_text("ztile").count("ztile.reduce") == reduces
    got, want = fn(x), np.sum(x)
    assert got == want and np.signbit(got) == np.signbit(want)
    y = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(fn(y), y.astype(np.float64).sum(), rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize(
    ("shape", "columns"),
    [((4096, 2049), 1024), ((2049, 4096), 1024), ((4097, 2048), 256), ((2048, 4096), 256)],
)
def test_large_operands_get_wide_column_blocks(shape: tuple[int, int], columns: int) -> None:
    """Beyond WIDE_COLUMNS_ELEMENTS, 1024 columns a block, unless only the narrow blocks
    divide the rows (4097 = 17 * 241: chunks of 17 rows in 256 columns, none in 1024)."""
    tile = DefaultTileSizes().reduction(shape, (0,))
    assert tile[-1] == columns
    assert prologue_problem(shape, (0,)) is None
    rng = np.random.default_rng(shape[0])
    x = rng.standard_normal(shape, dtype=np.float32)
    y = rng.standard_normal(shape, dtype=np.float32)
    f = zg.jit(lambda a, b: (a * b).sum(axis=0))
    got = f(x, y)
    want = (x.astype(np.float64) * y).sum(axis=0)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3 * np.sqrt(shape[0]))
    assert f.lower(x, y).as_text("ztile").count("ztile.grid") == 1  # the product fused in
