"""numpy re-implementations of the PyTorch modules behind tests/interop/fixtures (see
export_fixtures.py), computed in float64: the oracle of the interop tests.

`CASES` maps each fixture with weights as arguments to (model, argument shapes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

NDArray = np.ndarray[Any, Any]
_ERF = np.vectorize(math.erf, otypes=[np.float64])


def mlp_gelu(x: NDArray, w1: NDArray, b1: NDArray, w2: NDArray, b2: NDArray) -> NDArray:
    h = x.astype(np.float64) @ w1.T.astype(np.float64) + b1
    h = h * 0.5 * (1 + _ERF(h / math.sqrt(2)))
    return h @ w2.T.astype(np.float64) + b2


def softmax(x: NDArray) -> NDArray:
    e = np.exp(x.astype(np.float64) - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def layernorm(x: NDArray, gamma: NDArray, beta: NDArray) -> NDArray:
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=1, keepdims=True)
    var = ((x64 - mean) ** 2).mean(axis=1, keepdims=True)
    return (x64 - mean) / np.sqrt(var + 1e-5) * gamma + beta


def linear_relu(x: NDArray, w: NDArray, b: NDArray) -> NDArray:
    return np.maximum(x.astype(np.float64) @ w + b, 0.0)


def bmm_attention(q: NDArray, k: NDArray, v: NDArray, w: NDArray) -> NDArray:
    scores = q.astype(np.float64) @ k.transpose(0, 2, 1).astype(np.float64)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)) @ v.astype(np.float64) @ w.astype(np.float64)


CASES: dict[str, tuple[Callable[..., NDArray], list[tuple[int, ...]]]] = {
    "mlp_gelu": (mlp_gelu, [(8, 32), (64, 32), (64,), (32, 64), (32,)]),
    "softmax": (softmax, [(8, 32)]),
    "layernorm": (layernorm, [(8, 32), (32,), (32,)]),
    "linear_relu": (linear_relu, [(8, 32), (32, 64), (64,)]),
    "bmm_attention": (bmm_attention, [(2, 8, 16), (2, 8, 16), (2, 8, 16), (16, 4)]),
}
