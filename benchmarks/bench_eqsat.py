"""Benchmarks of the `eqsat` pass (not tests): run `python benchmarks/bench_eqsat.py`.

1. A chain of 10 matmuls with varied shapes: the extracted order's cost against the
   matrix-chain dynamic-programming optimum (scalar multiplications, and the roofline model).
2. A 500-op random DAG of elementwise ops and matmuls: wall time under the default budgets,
   and the extracted cost against the input's for greedy-DAG and ILP.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from functools import cache
from typing import Any

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.parser import Parser

from ziggurat.dialects import ztensor as zt
from ziggurat.passes.eqsat import EqsatPass

CHAIN_DIMS = (300, 350, 150, 50, 100, 200, 250, 400, 120, 80, 500)


def context() -> Context:
    from xdsl.dialects.builtin import Builtin

    from ziggurat.dialects import get_all_dialects

    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(func.Func)
    for name, loader in get_all_dialects().items():
        ctx.register_dialect(name, loader)
    return ctx


def chain_module(dims: tuple[int, ...]) -> str:
    n = len(dims) - 1
    args = ", ".join(f"%a{i}: tensor<{dims[i]}x{dims[i + 1]}xf32>" for i in range(n))
    body, prev = [], "%a0"
    for i in range(1, n):
        body.append(
            f"  %m{i} = ztensor.matmul {prev}, %a{i} : (tensor<{dims[0]}x{dims[i]}xf32>, "
            f"tensor<{dims[i]}x{dims[i + 1]}xf32>) -> tensor<{dims[0]}x{dims[i + 1]}xf32>"
        )
        prev = f"%m{i}"
    return (
        f"func.func @chain({args}) -> tensor<{dims[0]}x{dims[n]}xf32> {{\n"
        + "\n".join(body)
        + f"\n  func.return {prev} : tensor<{dims[0]}x{dims[n]}xf32>\n}}\n"
    )


def chain_dp(dims: tuple[int, ...]) -> int:
    """Minimum scalar multiplications of the chain (textbook matrix-chain DP)."""

    @cache
    def best(i: int, j: int) -> int:
        if i == j:
            return 0
        return min(
            best(i, k) + best(k + 1, j) + dims[i] * dims[k + 1] * dims[j + 1] for k in range(i, j)
        )

    return best(0, len(dims) - 2)


def multiplications(module: ModuleOp) -> int:
    total = 0
    for op in module.walk():
        if isinstance(op, zt.MatmulOp):
            a, b = op.lhs.type, op.rhs.type
            assert isinstance(a, TensorType) and isinstance(b, TensorType)
            m, k = a.get_shape()
            n = b.get_shape()[1]
            total += m * k * n
    return total


def run_pass(text: str, **options: Any) -> tuple[ModuleOp, dict[str, Any], float]:
    ctx = context()
    module = Parser(ctx, text).parse_module()
    with tempfile.NamedTemporaryFile(suffix=".json") as stats:
        start = time.perf_counter()
        EqsatPass(stats_file=stats.name, **options).apply(ctx, module)
        elapsed = time.perf_counter() - start
        with open(stats.name) as f:
            data = json.load(f)[0]
    module.verify()
    return module, data, elapsed


def random_dag(n_ops: int, seed: int = 0) -> str:
    """`n_ops` ops over 8 inputs of shape 64x64: elementwise ops, matmuls and a few scalars."""
    rng = random.Random(seed)
    ty = "tensor<64x64xf32>"
    values = [f"%x{i}" for i in range(8)]
    lines = ["  %c2 = ztensor.constant dense<2.0> : tensor<f32>"]
    unary = ["relu", "exp", "tanh", "neg", "sigmoid"]
    binary = ["add", "mul", "sub", "maximum"]
    for i in range(n_ops):
        kind = rng.random()
        pick = lambda: rng.choice(values[-24:])  # noqa: E731 - recent values make a deep DAG
        if kind < 0.3:
            lines.append(f"  %v{i} = ztensor.{rng.choice(unary)} {pick()} : {ty}")
        elif kind < 0.85:
            op = rng.choice(binary)
            lines.append(f"  %v{i} = ztensor.{op} {pick()}, {pick()} : ({ty}, {ty}) -> {ty}")
        elif kind < 0.93:
            lines.append(f"  %v{i} = ztensor.matmul {pick()}, {pick()} : ({ty}, {ty}) -> {ty}")
        else:
            lines.append(f"  %v{i} = ztensor.mul {pick()}, %c2 : ({ty}, tensor<f32>) -> {ty}")
        values.append(f"%v{i}")
    args = ", ".join(f"%x{i}: {ty}" for i in range(8))
    outs = values[-4:]
    return (
        f"func.func @dag({args}) -> ({', '.join([ty] * 4)}) {{\n"
        + "\n".join(lines)
        + f"\n  func.return {', '.join(outs)} : {', '.join([ty] * 4)}\n}}\n"
    )


def main() -> None:
    text = chain_module(CHAIN_DIMS)
    optimum = chain_dp(CHAIN_DIMS)
    before = multiplications(Parser(context(), text).parse_module())
    for model in ("flops", "roofline"):
        module, stats, elapsed = run_pass(
            text, cost_model=model, fast_math=("reassoc", "nnan", "ninf")
        )
        got = multiplications(module)
        print(
            f"chain-10 [{model}]: multiplications {before} -> {got} (DP optimum {optimum}, "
            f"{'optimal' if got == optimum else 'NOT optimal'}), {stats['enodes']} e-nodes, "
            f"{elapsed * 1e3:.0f} ms"
        )
    dag = random_dag(500)
    for extractor, flags in (("greedy-dag", ()), ("greedy-dag", ("fast",)), ("ilp", ("fast",))):
        _, stats, elapsed = run_pass(dag, extractor=extractor, fast_math=flags)
        extractor += "".join(f", fast-math={f}" for f in flags)
        ratio = float(stats["cost_after"]) / float(stats["cost_before"])
        print(
            f"dag-500 [{extractor}]: {elapsed * 1e3:.0f} ms total, {stats['iterations']} iterations "
            f"({stats['stop_reason']}), {stats['enodes']} e-nodes, cost {stats['cost_before']:.4g} "
            f"-> {stats['cost_after']:.4g} ({(ratio - 1) * 100:+.1f}%), times "
            + ", ".join(f"{k} {v:.0f} ms" for k, v in stats["time_ms"].items())
        )


if __name__ == "__main__":
    main()
