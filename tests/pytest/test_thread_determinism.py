"""Compiled programs give bit-identical results on 1, 2 and 4 threads.

The pool is forced on for every parallel loop (`set_min_parallel_ns(0)`: no loop is kept on
the calling thread for being small), and each program is checked to really split a loop
across threads, so the comparison is not between three serial runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import ziggurat as zg
from ziggurat.runtime import threads as zthreads

NDArray = np.ndarray[Any, Any]


@pytest.fixture(autouse=True)
def always_pool() -> Iterator[None]:
    zthreads.set_min_parallel_ns(0)
    try:
        yield
    finally:
        zthreads.set_min_parallel_ns(None)


def elementwise(x: Any) -> Any:
    return zg.tanh(2.0 * x + 1.0) * x


def row_sums(x: Any) -> Any:
    return zg.sum(x * x, axis=1)


def matmul(a: Any, b: Any) -> Any:
    return a @ b


def softmax(x: Any) -> Any:
    return zg.softmax(x, axis=-1)


def full_sum(x: Any) -> Any:
    return zg.sum(x * x)


def _inputs(rng: np.random.Generator, *shapes: tuple[int, ...]) -> list[NDArray]:
    return [rng.standard_normal(shape).astype(np.float32) for shape in shapes]


PROGRAMS: list[tuple[str, Callable[..., Any], list[tuple[int, ...]], Callable[..., NDArray]]] = [
    ("elementwise", elementwise, [(96, 257)], lambda x: np.tanh(2 * x + 1) * x),
    ("reduction", row_sums, [(200, 333)], lambda x: (x * x).sum(axis=1)),
    ("matmul", matmul, [(130, 70), (70, 150)], lambda a, b: a @ b),
    # a split full reduction (8 partials of 40 rows each, then their sum)
    ("full sum", full_sum, [(320, 257)], lambda x: np.asarray((x * x).sum())),
    (
        "softmax",
        softmax,
        [(64, 300)],
        lambda x: (
            np.exp(x - x.max(-1, keepdims=True))
            / np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True)
        ),
    ),
]


@pytest.mark.parametrize(
    ("name", "fn", "shapes", "reference"), PROGRAMS, ids=[p[0] for p in PROGRAMS]
)
def test_same_bits_on_one_two_and_four_threads(
    name: str,
    fn: Callable[..., Any],
    shapes: list[tuple[int, ...]],
    reference: Callable[..., NDArray],
) -> None:
    inputs = _inputs(np.random.default_rng(len(name)), *shapes)
    jitted = zg.jit(fn)
    results = {}
    for threads in (1, 2, 4):
        with zthreads.num_threads(threads), zthreads.trace_chunks() as records:
            results[threads] = jitted(*inputs)
        workers = {tid for tid, _, _ in records}
        if threads == 1:
            assert len(workers) == 1
        else:
            assert len(workers) > 1, f"{name}: no loop was split across {threads} threads"
    np.testing.assert_allclose(results[1], reference(*inputs), rtol=1e-4, atol=1e-4)
    for threads in (2, 4):
        assert results[threads].tobytes() == results[1].tobytes(), (
            f"{name}: {threads} threads differ from 1 thread"
        )


@pytest.mark.parametrize(
    ("name", "fn", "shapes", "reference"), PROGRAMS, ids=[p[0] for p in PROGRAMS]
)
def test_same_bits_on_the_native_pool(
    name: str,
    fn: Callable[..., Any],
    shapes: list[tuple[int, ...]],
    reference: Callable[..., NDArray],
) -> None:
    """The same programs with the process-wide thread count set, so that the loops run on
    the native pool from the routing table (the test above traces chunks, which routes every
    loop through the Python pool); test_native_pool.py shows those loops are split."""
    inputs = _inputs(np.random.default_rng(len(name)), *shapes)
    jitted = zg.jit(fn)
    results = {}
    try:
        for threads in (1, 2, 4):
            zthreads.set_num_threads(threads)
            for _ in range(3):  # the first call fills the routing table
                results[threads] = jitted(*inputs)
    finally:
        zthreads.set_num_threads(None)
    np.testing.assert_allclose(results[1], reference(*inputs), rtol=1e-4, atol=1e-4)
    for threads in (2, 4):
        assert results[threads].tobytes() == results[1].tobytes(), (
            f"{name}: {threads} threads differ from 1 thread"
        )
