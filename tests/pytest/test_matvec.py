"""Matrix-vector products lowered as reductions (`lowering/ztensor_to_ztile_matvec.py`): the
same values as numpy's matmul, special values included, on every thread count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ziggurat as zg

NDArray = np.ndarray[Any, Any]


def _mv(a: Any, x: Any) -> Any:
    return a @ x


CASES: list[tuple[tuple[int, ...], tuple[int, ...]]] = [
    ((64, 32), (32, 1)),
    ((1000, 257), (257, 1)),
    ((3, 8192), (8192, 1)),
    ((1, 300), (300, 77)),
    ((1, 4096), (4096, 1024)),
    ((1, 2), (2, 1)),
    ((500, 700), (700,)),  # 1-D: numpy's matrix-vector product
    ((700,), (700, 33)),
    ((5, 9000), (9000, 1)),  # rows too long for a prologue: the GEMM kernel, still right
]


TRANSPOSED: list[tuple[Callable[[NDArray, NDArray], NDArray], int]] = [
    (lambda a, x: a.T @ x, 0),  # (the vector's length: a's dim 0 or 1)
    (lambda a, x: a.T @ x.reshape(-1, 1), 0),
    (lambda a, x: x @ a.T, 1),
    (lambda a, x: x.reshape(1, -1) @ a.T, 1),
]


@pytest.mark.parametrize(("fn", "dim"), TRANSPOSED)
@pytest.mark.parametrize("shape", [(300, 200), (64, 8192), (2, 40)])
def test_matvec_of_a_transposed_matrix(
    fn: Callable[[NDArray, NDArray], NDArray], dim: int, shape: tuple[int, int]
) -> None:
    rng = np.random.default_rng(shape[0] + dim)
    a = rng.standard_normal(shape, dtype=np.float32)
    x = rng.standard_normal(shape[dim], dtype=np.float32)
    want = fn(a.astype(np.float64), x.astype(np.float64))
    g = zg.jit(fn)
    got = g(a, x)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.sqrt(shape[dim]))
    text = g.lower(a, x).as_text("ztile")
    # one reduction kernel; the transpose is never materialized
    assert "ztile.dot" not in text and text.count("ztile.grid") == 1


@pytest.mark.parametrize(("lshape", "rshape"), CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matvec_matches_numpy(lshape: tuple[int, ...], rshape: tuple[int, ...], dtype: Any) -> None:
    rng = np.random.default_rng(sum(lshape) + sum(rshape))
    a = rng.standard_normal(lshape).astype(dtype)
    x = rng.standard_normal(rshape).astype(dtype)
    got = zg.jit(_mv)(a, x)
    want = a.astype(np.float64) @ x.astype(np.float64)
    assert got.shape == want.shape and got.dtype == dtype
    k = lshape[-1]
    tol = (1e-5 if dtype == np.float32 else 1e-13) * np.sqrt(k)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def test_matvec_is_a_reduction_kernel() -> None:
    a = np.ones((256, 128), np.float32)
    v = np.ones((128, 1), np.float32)
    text = zg.jit(_mv).lower(a, v).as_text("ztile")
    assert text.count("ztile.grid") == 1
    assert 'ztile.reduce "sum"' in text and "ztile.dot" not in text


def test_matvec_special_values_match_matmul() -> None:
    a = np.array(
        [
            [-0.0, -0.0, -0.0],  # products -0: the sum from +0.0 is +0.0, as matmul's
            [np.inf, 1.0, 2.0],
            [np.inf, -np.inf, 0.0],  # inf - inf
            [np.nan, 1.0, 1.0],
            [1e38, 1e38, 1e38],  # overflows to inf
            [0.0, np.inf, -1.0],  # +inf from the middle term
        ],
        np.float32,
    )
    x = np.array([[1.0], [2.0], [0.5]], np.float32)
    got = zg.jit(_mv)(a, x)
    with np.errstate(over="ignore", invalid="ignore"):
        want = a @ x
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    finite = ~np.isnan(want)
    np.testing.assert_array_equal(got[finite], want[finite])
    np.testing.assert_array_equal(np.signbit(got[finite]), np.signbit(want[finite]))
    assert not np.signbit(got[0, 0])
    u = np.array([[-0.0, -0.0]], np.float32)
    b = np.array([[1.0, np.inf], [2.0, 3.0]], np.float32)
    got = zg.jit(_mv)(u, b)
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(np.isnan(got), np.isnan(u @ b))
    assert not np.signbit(got[0, 0])


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, x: a @ x,
        lambda a, x: np.maximum(x.T @ a.T + 1.0, 0.0),
    ],
)
def test_matvec_results_are_the_same_on_every_thread_count(
    fn: Callable[[NDArray, NDArray], NDArray],
) -> None:
    rng = np.random.default_rng(5)
    a = rng.standard_normal((2048, 1024), dtype=np.float32)
    x = rng.standard_normal((1024, 1), dtype=np.float32)
    results = [zg.jit(fn, threads=t)(a, x) for t in (1, 2, 4)]
    for r in results[1:]:
        np.testing.assert_array_equal(r, results[0])
    np.testing.assert_allclose(results[0], fn(a, x), rtol=1e-4, atol=1e-3)
