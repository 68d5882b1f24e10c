"""A cost model refit from measured kernel times: per-class weights on the roofline.

`zg.jit(autotune=True)` times the kernels it runs (`ztensor-to-ztile{profile=true}` marks
them; `runtime/profile.py` records the marks) and logs one *sample* per kernel: the kernel's
description (`lowering/kernel_profile.py`: its ops and types) and its observed seconds. A
kernel is priced the way extraction prices the kernel term computing it (`kernel_nodes`: a
`fused`, `fused_matmul` or `fused_<reduction>` node, one `ep_in` per input it reads, one body
node per op), so a sample compares an observed time with the same node prices the e-graph
is extracted with.

Each node belongs to one *class* (`node_class`): `elementwise` (elementwise kernels and body
ops), `read` (`ep_in`: an input read inside a kernel), `matmul` (matmul kernels, their core
and epilogue), `reduction`, `softmax`, `layernorm`, `movement` (transpose, broadcast, reshape,
cast) and `other`. The refit model prices a node at `w[class] * base(node)`; a kernel's
predicted time is then `sum_c w_c * p_c`, where `p_c` is the base price of its nodes of class
`c`. Each class belongs to a family (`FAMILIES`: softmax and layernorm are reductions) and its
log weight is its family's factor plus its own: `log w_c = f_F(c) + d_c`. `fit` chooses them
by least squares on log time, with weak ridges towards the base model, weaker on the families:

    minimize  sum_k (log(sum_c w_c p_kc) - log t_k)^2
              + RIDGE_FAMILY * sum_F f_F^2 + RIDGE_CLASS * sum_c d_c^2

by Gauss-Newton steps (Levenberg-Marquardt damped). A class no sample has takes its family's
factor (a layernorm kernel never timed is priced like the reductions that were), a family
no sample has keeps weight 1; weights stay within [1e-6, 1e6]. `Fit.r2` is the R^2 of log time under the refit weights,
`Fit.r2_before` under the base model. Costs stay additive over e-nodes (each node is scaled by
its own class), which extraction needs; the price of that is that a body node cannot know
which kind of kernel it is in (an `ep_in` costs the same in an elementwise kernel and in a
reduction's prologue).

The model is a JSON file (`write_model`/`read_model`) with the weights, the fit's statistics
and the hardware it was fitted against; `eqsat{calibration=PATH}` uses one.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ziggurat.passes.eqsat.cost import CostModel, NodeInfo, RooflineCostModel
from ziggurat.passes.eqsat.terms import OPS, SPEC_OF_CLASS, OpSpec, TType

CLASSES = (
    "elementwise",
    "read",
    "matmul",
    "reduction",
    "softmax",
    "layernorm",
    "movement",
    "other",
)
"""The classes whose weights are fitted (`node_class`)."""

FAMILIES: dict[str, tuple[str, ...]] = {
    "elementwise": ("elementwise", "movement", "other"),
    "read": ("read",),
    "matmul": ("matmul",),
    "reduction": ("reduction", "softmax", "layernorm"),
}
"""Classes whose weights share a family factor (`fit`): softmax and layernorm kernels are row
reductions, transposes and casts elementwise passes."""
RIDGE_FAMILY = 1e-3
RIDGE_CLASS = 1e-2
MAX_LOG_WEIGHT = math.log(1e6)
MODEL_VERSION = 1

_CLASS_OF_CATEGORY = {
    "fused": "elementwise",
    "unary": "elementwise",
    "binary": "elementwise",
    "ternary": "elementwise",
    "fused_matmul": "matmul",
    "matmul": "matmul",
    "reduce": "reduction",
    "fused_reduce": "reduction",
    "softmax": "softmax",
    "fused_softmax": "softmax",
    "layernorm": "layernorm",
    "fused_layernorm": "layernorm",
    "transpose": "movement",
    "broadcast": "movement",
    "reshape": "movement",
    "cast": "movement",
}


def node_class(node: NodeInfo) -> str:
    """The class whose weight scales `node` (see the module docstring)."""
    if node.category == "ep_in":
        return "read"
    if node.sort == "Mp":
        return "matmul"
    if node.sort == "Ep":
        return "elementwise"
    return _CLASS_OF_CATEGORY.get(node.category, "other")


# ---------------------------------------------------------------------------------------------
# Kernels as nodes
# ---------------------------------------------------------------------------------------------


_SPECS: dict[str, OpSpec] = {cls.name: spec for cls, spec in SPEC_OF_CLASS.items()}
"""ztensor op name -> the spec of its unfused (`Op` sort) constructor."""


def _ttype(value: Sequence[Any] | None) -> TType:
    if value is None:
        return TType((), None)
    shape, elt = value
    return TType(tuple(int(d) for d in shape), str(elt))


def _node(egg: str, inputs: tuple[TType, ...], out: TType) -> NodeInfo:
    """The node of constructor `egg` (an opaque `Other` node, priced as an unfused op, when
    the op has no such constructor)."""
    if egg not in OPS:
        return NodeInfo("Other", "other", (), inputs, out)
    return NodeInfo(egg, OPS[egg].category, (), inputs, out)


def _egg(op: Mapping[str, Any], prefix: str = "") -> str:
    if op["op"] == "ztensor.constant":  # a splat fill, as `input_cost` prices it
        return "BroadcastTo"
    spec = _SPECS.get(op["op"])
    return "" if spec is None else prefix + spec.egg


def kernel_nodes(kernel: Mapping[str, Any]) -> list[NodeInfo]:
    """The e-nodes of the kernel term that computes the described kernel (a description of
    `lowering/kernel_profile.py`). A `generic` kernel (a copy, a transpose, a fill) is priced
    as its ops unfused."""
    kind = kernel["kind"]
    out = _ttype(kernel["output"])
    ops = kernel["ops"]
    root = _SPECS.get(ops[-1]["op"]) if ops else None
    if kind == "generic" or root is None:
        return [
            _node(
                _egg(op),
                tuple(_ttype(t) for t in op["operands"]) or (TType((), None),),
                _ttype(op["result"]),
            )
            for op in ops
        ]
    reads = [t for t in (_ttype(r) for r in kernel["reads"]) if t.shape != ()]
    nodes = [NodeInfo("EIn", "ep_in", (), (t,), t) for t in reads]
    body = ops
    prefix = "E"
    if kind == "matmul_epilogue":
        nodes.append(NodeInfo("FMatmul", "fused_matmul", (), (), out))
        prefix = "M"
    elif kind == "reduction":
        fused = {"reduce": "F" + root.egg, "softmax": "FSoftmax", "layernorm": "FLayerNorm"}
        inputs = tuple(_ttype(t) for t in ops[-1]["operands"])
        nodes.append(_node(fused.get(root.category, ""), inputs, out))
        body = ops[:-1]
    else:
        nodes.append(NodeInfo("Fused", "fused", (), (), out))
    for op in body:
        inputs = tuple(_ttype(t) for t in op["operands"])
        result = _ttype(op["result"])
        spec = _SPECS.get(op["op"])
        if spec is not None and spec.category == "matmul":
            nodes.append(NodeInfo("MCore", "matmul", (), inputs, result))
        else:
            nodes.append(_node(_egg(op, prefix), inputs, result))
    return nodes


def class_prices(kernel: Mapping[str, Any], base: CostModel) -> dict[str, float]:
    """The base model's price of the kernel's nodes, summed per class."""
    prices: dict[str, float] = {}
    for node in kernel_nodes(kernel):
        cls = node_class(node)
        prices[cls] = prices.get(cls, 0.0) + max(0.0, float(base.node_cost(node)))
    return prices


# ---------------------------------------------------------------------------------------------
# The refit model
# ---------------------------------------------------------------------------------------------


class RefitCostModel:
    """`base` with each node's price multiplied by its class's weight."""

    def __init__(self, base: CostModel, weights: Mapping[str, float]):
        self.base = base
        self.weights = {c: float(weights.get(c, 1.0)) for c in CLASSES}

    def node_cost(self, node: NodeInfo) -> float:
        return float(self.base.node_cost(node)) * self.weights[node_class(node)]


@dataclass
class Fit:
    """The result of `fit`."""

    weights: dict[str, float]
    samples: int
    r2: float
    """R^2 of log time under the refit weights (nan with fewer than two samples)."""
    r2_before: float
    """R^2 of log time under the base model (all weights 1)."""
    counts: dict[str, int] = field(default_factory=dict)
    """Samples with a nonzero price in each class."""


def _r2(logs: np.ndarray[Any, Any], predicted: np.ndarray[Any, Any]) -> float:
    if len(logs) < 2:
        return float("nan")
    total = float(np.sum((logs - logs.mean()) ** 2))
    residual = float(np.sum((logs - predicted) ** 2))
    if total == 0.0:
        return 1.0 if residual == 0.0 else float("-inf")
    return 1.0 - residual / total


def _family_matrix() -> np.ndarray[Any, Any]:
    """log weights (one per class) = this matrix @ (family factors, then class terms)."""
    families = list(FAMILIES)
    out = np.zeros((len(CLASSES), len(families) + len(CLASSES)))
    for i, cls in enumerate(CLASSES):
        family = next(f for f, members in FAMILIES.items() if cls in members)
        out[i, families.index(family)] = 1.0
        out[i, len(families) + i] = 1.0
    return out


def fit(samples: Sequence[tuple[Mapping[str, float], float]]) -> Fit:
    """Weights per class from `(class prices, observed seconds)` pairs (see the module
    docstring). Samples with a non-positive time or price are ignored."""
    rows = [(p, t) for p, t in samples if t > 0 and sum(p.values()) > 0 and math.isfinite(t)]
    counts = {c: sum(1 for p, _ in rows if p.get(c, 0.0) > 0) for c in CLASSES}
    if not rows:
        return Fit({c: 1.0 for c in CLASSES}, 0, float("nan"), float("nan"), counts)
    prices = np.array([[p.get(c, 0.0) for c in CLASSES] for p, _ in rows])
    logs = np.log(np.array([t for _, t in rows]))
    mix = _family_matrix()
    ridge = np.array([RIDGE_FAMILY] * len(FAMILIES) + [RIDGE_CLASS] * len(CLASSES))
    params = np.zeros(mix.shape[1])

    def log_weights(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.clip(mix @ x, -MAX_LOG_WEIGHT, MAX_LOG_WEIGHT)

    def objective(x: np.ndarray[Any, Any]) -> float:
        pred = np.log(prices @ np.exp(log_weights(x)))
        return float(np.sum((pred - logs) ** 2) + np.sum(ridge * x**2))

    damping = 1e-3
    current = objective(params)
    for _ in range(200):
        w = np.exp(log_weights(params))
        total = prices @ w
        residual = np.log(total) - logs
        jac = (prices * w / total[:, None]) @ mix
        grad = jac.T @ residual + ridge * params
        hess = jac.T @ jac + np.diag(ridge)
        improved = False
        step = np.zeros_like(params)
        while damping < 1e12:
            step = np.linalg.solve(hess + damping * np.diag(np.diag(hess) + 1e-12), -grad)
            value = objective(params + step)
            if value < current:
                params, current, improved = params + step, value, True
                damping = max(damping / 10, 1e-9)
                break
            damping *= 10
        if not improved or float(np.max(np.abs(step))) < 1e-9:
            break
    theta = log_weights(params)
    weights = {c: float(math.exp(t)) for c, t in zip(CLASSES, theta, strict=True)}
    after = np.log(prices @ np.exp(theta))
    before = np.log(prices.sum(axis=1))
    return Fit(weights, len(rows), _r2(logs, after), _r2(logs, before), counts)


# ---------------------------------------------------------------------------------------------
# Model files
# ---------------------------------------------------------------------------------------------


def model_dict(result: Fit, hardware: Mapping[str, Any], refits: int) -> dict[str, Any]:
    """The JSON object of a model file."""
    return {
        "version": MODEL_VERSION,
        "weights": result.weights,
        "samples": result.samples,
        "counts": result.counts,
        "refits": refits,
        "r2": None if math.isnan(result.r2) else result.r2,
        "r2_before": None if math.isnan(result.r2_before) else result.r2_before,
        "hardware": dict(hardware),
    }


def write_model(path: Path, model: Mapping[str, Any]) -> None:
    """Write `model` to `path` atomically (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".model-", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump(model, handle, indent=1, sort_keys=True)
    os.replace(tmp, path)


def read_weights(path: str) -> dict[str, float]:
    """The weights of the model file at `path` (ValueError if it is not one)."""
    try:
        data = json.loads(Path(path).read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not a JSON model file: {exc}") from exc
    weights = data.get("weights") if isinstance(data, dict) else None
    if not isinstance(weights, dict):
        raise ValueError(f"{path}: a model file needs a 'weights' object")
    unknown = set(weights) - set(CLASSES)
    if unknown:
        raise ValueError(
            f"{path}: unknown class(es) {sorted(unknown)} in 'weights' (known: {', '.join(CLASSES)})"
        )
    out = {}
    for cls, value in weights.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ValueError(f"{path}: weight of '{cls}' must be a positive number, got {value!r}")
        out[cls] = float(value)
    return out


def calibrated(base: CostModel, path: str) -> RefitCostModel:
    """`base` refit by the weights of the model file at `path`."""
    return RefitCostModel(base, read_weights(path))


__all__ = [
    "CLASSES",
    "FAMILIES",
    "Fit",
    "RefitCostModel",
    "RooflineCostModel",
    "calibrated",
    "class_prices",
    "fit",
    "kernel_nodes",
    "model_dict",
    "node_class",
    "read_weights",
    "write_model",
]
