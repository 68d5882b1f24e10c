"""The eqsat pass: fusion, matrix chains, numeric equality of extracted programs, costs, options."""

from __future__ import annotations

import json
import random
import re
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import Builtin, ModuleOp, StringAttr, TensorType
from xdsl.parser import Parser
from xdsl.utils.exceptions import DiagnosticException

from ziggurat.dialects import ztensor as zt
from ziggurat.interpreter import run_function
from ziggurat.passes.eqsat import EqsatPass, optimize_function
from ziggurat.passes.eqsat.cost import (
    FlopCostModel,
    Hardware,
    NodeInfo,
    RooflineCostModel,
    make_cost_model,
)


def parse(text: str) -> ModuleOp:
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(func.Func)
    ctx.load_dialect(zt.ZTensor)
    return Parser(ctx, text).parse_module()


def kind(op: zt.FusedOp) -> str:
    """The kind of a `ztensor.fused` op (a string attribute, checked by its verifier)."""
    assert isinstance(op.kind, StringAttr)
    return op.kind.data


def apply(text: str, **options: Any) -> tuple[ModuleOp, ModuleOp, list[dict[str, Any]]]:
    """(input module, optimized module, stats) for `text` under `eqsat{options}`."""
    before = parse(text)
    after = parse(text)
    stats_file = Path(__import__("tempfile").mkstemp(suffix=".json")[1])
    EqsatPass(stats_file=str(stats_file), **options).apply(Context(), after)
    after.verify()
    stats = json.loads(stats_file.read_text())
    stats_file.unlink()
    return before, after, stats


def inputs_for(module: ModuleOp, name: str, seed: int = 0) -> list[np.ndarray]:
    f = next(op for op in module.walk() if isinstance(op, func.FuncOp) and op.sym_name.data == name)
    rng = np.random.default_rng(seed)
    out = []
    for t in f.function_type.inputs:
        assert isinstance(t, TensorType)
        out.append(rng.uniform(-1, 1, size=tuple(t.get_shape())).astype(np.float32))
    return out


def assert_same_results(before: ModuleOp, after: ModuleOp, name: str) -> None:
    for seed in range(2):
        args = inputs_for(before, name, seed)
        want = run_function(before, name, *args)
        got = run_function(after, name, *args)
        assert len(want) == len(got)
        for w, g in zip(want, got, strict=True):
            np.testing.assert_allclose(g, w, rtol=2e-4, atol=2e-5)


MLP = """
func.func @mlp(%a: tensor<64x32xf32>, %b: tensor<32x128xf32>, %c: tensor<128xf32>) -> tensor<64x128xf32> {
  %m = ztensor.matmul %a, %b : (tensor<64x32xf32>, tensor<32x128xf32>) -> tensor<64x128xf32>
  %s = ztensor.add %m, %c : (tensor<64x128xf32>, tensor<128xf32>) -> tensor<64x128xf32>
  %r = ztensor.relu %s : tensor<64x128xf32>
  func.return %r : tensor<64x128xf32>
}
"""


def test_matmul_bias_relu_becomes_one_fused_kernel() -> None:
    before, after, stats = apply(MLP)
    f = next(iter(after.ops))
    assert isinstance(f, func.FuncOp)
    ops = list(f.body.block.ops)
    assert len(ops) == 2 and isinstance(ops[0], zt.FusedOp)
    assert kind(ops[0]) == "matmul_epilogue"
    body = [op.name for op in ops[0].body.block.ops]
    assert sorted(body) == sorted(
        ["ztensor.matmul", "ztensor.add", "ztensor.relu", "ztensor.yield"]
    )
    assert stats[0]["cost_after"] < stats[0]["cost_before"]
    assert stats[0]["changed"] and stats[0]["rules_fired"]["fuse-matmul"] >= 1
    assert_same_results(before, after, "mlp")


CHAIN_DIMS = (300, 350, 150, 50, 100, 200, 250, 400, 120, 80, 500)


def chain_text(dims: tuple[int, ...]) -> str:
    n = len(dims) - 1
    args = ", ".join(f"%a{i}: tensor<{dims[i]}x{dims[i + 1]}xf32>" for i in range(n))
    body, prev = [], "%a0"
    for i in range(1, n):
        body.append(
            f"  %m{i} = ztensor.matmul {prev}, %a{i} : (tensor<{dims[0]}x{dims[i]}xf32>, "
            f"tensor<{dims[i]}x{dims[i + 1]}xf32>) -> tensor<{dims[0]}x{dims[i + 1]}xf32>"
        )
        prev = f"%m{i}"
    result = f"tensor<{dims[0]}x{dims[n]}xf32>"
    return (
        f"func.func @chain({args}) -> {result} {{\n"
        + "\n".join(body)
        + (f"\n  func.return {prev} : {result}\n}}\n")
    )


def chain_optimum(dims: tuple[int, ...]) -> int:
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
            total += a.get_shape()[0] * a.get_shape()[1] * b.get_shape()[1]
    return total


MATMUL_FLAGS = ("reassoc", "nnan", "ninf")
"""Matrix-chain reassociation is not IEEE-exact: it needs these fast-math flags."""


@pytest.mark.parametrize("cost_model", ["roofline", "flops"])
def test_ten_matrix_chain_reaches_the_dp_optimum(cost_model: str) -> None:
    _, after, stats = apply(
        chain_text(CHAIN_DIMS), rules=("matmul",), fast_math=MATMUL_FLAGS, cost_model=cost_model
    )
    assert multiplications(after) == chain_optimum(CHAIN_DIMS) == 28_755_000
    assert stats[0]["saturated"] and stats[0]["eclasses"] == 55


SMALL_CHAIN_DIMS = (30, 35, 15, 5, 10, 20, 25, 40, 8)
"""Eight small matrices: every product's operands fit in L1 (issue 13's example)."""


def test_an_l1_resident_chain_reaches_the_flop_optimum_under_the_roofline(
    tmp_path: Path,
) -> None:
    """Priced at DRAM (or L2) bandwidth, bytes dominated these tiny products and the
    roofline chose an order with 12% more multiplications; at L1 bandwidth it finds the
    optimum, as the FLOP model does."""
    hardware = tmp_path / "hardware.json"
    hardware.write_text(json.dumps(PINNED_HARDWARE.to_dict()))
    _, after, _ = apply(
        chain_text(SMALL_CHAIN_DIMS),
        rules=("matmul",),
        fast_math=MATMUL_FLAGS,
        hardware=str(hardware),
    )
    assert multiplications(after) == chain_optimum(SMALL_CHAIN_DIMS) == 19_175
    slow = tmp_path / "no_l1.json"  # every byte at the old L2 price: the worse order wins
    slow.write_text(json.dumps({**PINNED_HARDWARE.to_dict(), "l1_bandwidth": 8.0e10}))
    _, worse, _ = apply(
        chain_text(SMALL_CHAIN_DIMS), rules=("matmul",), fast_math=MATMUL_FLAGS, hardware=str(slow)
    )
    assert multiplications(worse) > 19_175


def test_each_level_has_its_bandwidth() -> None:
    hw = Hardware(bandwidth=1.0e10, l1_bytes=1024, l2_bytes=4096, l3_bytes=65536, cores=2)
    assert [hw.level_bandwidth(b) for b in (2048, 8192, 65536, 65537)] == [
        16e10,
        4e10,
        2e10,
        1e10,
    ]
    pinned = Hardware(
        bandwidth=1.0e10,
        l1_bytes=1024,
        cores=2,
        l1_bandwidth=5e11,
        l2_bandwidth=1e11,
        l3_bandwidth=3e10,
    )
    assert pinned.level_bandwidth(2048) == 5e11 and pinned.level_bandwidth(2049) == 1e11
    detected = Hardware.detect()
    assert detected.l1_bandwidth > detected.l2_bandwidth > detected.bandwidth


def test_small_chain_numerics() -> None:
    dims = (5, 7, 2, 9, 3)
    before, after, _ = apply(
        chain_text(dims), rules=("matmul",), fast_math=MATMUL_FLAGS, cost_model="flops"
    )
    assert multiplications(after) == chain_optimum(dims)
    assert_same_results(before, after, "chain")


UNARY = ["relu", "exp", "tanh", "neg", "sigmoid", "abs"]
BINARY = ["add", "mul", "sub", "maximum"]


def random_program(seed: int, n_ops: int = 14) -> str:
    """A random function over 4x8 tensors: elementwise ops, broadcasts, reductions, transposes,
    matmuls, softmax and scalar constants, with several results (so values are shared)."""
    rng = random.Random(seed)
    t, tt, row = "tensor<4x8xf32>", "tensor<8x4xf32>", "tensor<4x1xf32>"
    values: list[tuple[str, str]] = [("%x", t), ("%y", t), ("%w", tt)]
    lines = [
        "  %c2 = ztensor.constant dense<2.0> : tensor<f32>",
        "  %c1 = ztensor.constant dense<1.0> : tensor<f32>",
    ]

    def pick(ty: str) -> str:
        return rng.choice([v for v, vt in values if vt == ty])

    for i in range(n_ops):
        k = rng.random()
        name = f"%v{i}"
        if k < 0.25:
            lines.append(f"  {name} = ztensor.{rng.choice(UNARY)} {pick(t)} : {t}")
        elif k < 0.5:
            op = rng.choice(BINARY)
            lines.append(f"  {name} = ztensor.{op} {pick(t)}, {pick(t)} : ({t}, {t}) -> {t}")
        elif k < 0.6:
            c = rng.choice(["%c1", "%c2"])
            lines.append(f"  {name} = ztensor.mul {pick(t)}, {c} : ({t}, tensor<f32>) -> {t}")
        elif k < 0.7:
            red = rng.choice(["reduce_sum", "reduce_max", "reduce_mean"])
            r = f"%r{i}"
            lines.append(
                f"  {r} = ztensor.{red} {pick(t)} {{axes = array<i64: 1>, keepdims = true}} : {t} -> {row}"
            )
            lines.append(f"  {name} = ztensor.sub {pick(t)}, {r} : ({t}, {row}) -> {t}")
        elif k < 0.8:
            m = f"%q{i}"
            lines.append(
                f"  {m} = ztensor.matmul {pick(t)}, {pick(tt)} : ({t}, {tt}) -> tensor<4x4xf32>"
            )
            lines.append(
                f"  {name} = ztensor.matmul {m}, {pick(t)} : (tensor<4x4xf32>, {t}) -> {t}"
            )
        elif k < 0.9:
            tr = f"%t{i}"
            lines.append(
                f"  {tr} = ztensor.transpose {pick(t)} {{permutation = array<i64: 1, 0>}} : {t} -> {tt}"
            )
            lines.append(
                f"  {name} = ztensor.transpose {tr} {{permutation = array<i64: 1, 0>}} : {tt} -> {t}"
            )
        else:
            lines.append(f"  {name} = ztensor.softmax {pick(t)} {{axis = 1 : i64}} : {t}")
        values.append((name, t))
    outs = [v for v, vt in values[-3:]]
    return (
        f"func.func @f(%x: {t}, %y: {t}, %w: {tt}) -> ({t}, {t}, {t}) {{\n"
        + "\n".join(lines)
        + f"\n  func.return {', '.join(outs)} : {t}, {t}, {t}\n}}\n"
    )


@pytest.mark.parametrize("seed", range(6))
def test_random_programs_keep_their_values_and_never_cost_more(seed: int) -> None:
    text = random_program(seed)
    extractor = "ilp" if seed % 3 == 0 else "greedy-dag"
    before, after, stats = apply(text, extractor=extractor, ilp_time_limit_ms=500)
    assert stats[0]["cost_after"] <= stats[0]["cost_before"] * (1 + 1e-9)
    assert_same_results(before, after, "f")


F64_SPLAT = """
func.func @f(%x: tensor<f64>) -> (tensor<1xf64>, tensor<f64>) {
  %b = ztensor.broadcast_to %x : tensor<f64> -> tensor<1xf64>
  %c = ztensor.constant dense<2.0> : tensor<1xf64>
  %m = ztensor.minimum %b, %c : (tensor<1xf64>, tensor<1xf64>) -> tensor<1xf64>
  %e = ztensor.exp %m : tensor<1xf64>
  func.return %e, %x : tensor<1xf64>, tensor<f64>
}
"""


def test_splats_are_rebuilt_in_the_element_type_of_their_use() -> None:
    """A splat has no element type in the e-graph (`BroadcastTo(Scalar)`): rebuilt under an
    f64 op, it is an f64 constant (it used to be f32, which the verifier rejects)."""
    before, after, _ = apply(F64_SPLAT)
    x = np.array(0.75)
    want = run_function(before, "f", x)
    got = run_function(after, "f", x)
    for w, g in zip(want, got, strict=True):
        assert np.asarray(g).dtype == np.float64
        np.testing.assert_allclose(g, w, rtol=1e-12)
    constants = [op for op in after.walk() if isinstance(op, zt.ConstantOp)]
    assert constants and all("f64" in str(op.result.type) for op in constants)


def test_input_is_kept_when_nothing_is_cheaper() -> None:
    text = MLP
    _, after, stats = apply(text, rules=("algebra",))
    assert not stats[0]["changed"]
    assert str(after) == str(parse(text))


def test_opaque_ops_are_left_in_place() -> None:
    text = """
func.func @g(%x: tensor<4xf32>) -> tensor<4xf32> {
  func.return %x : tensor<4xf32>
}
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = ztensor.neg %x : tensor<4xf32>
  %b = ztensor.neg %a : tensor<4xf32>
  %c = func.call @g(%b) : (tensor<4xf32>) -> tensor<4xf32>
  %d = ztensor.relu %c : tensor<4xf32>
  %e = ztensor.relu %d : tensor<4xf32>
  func.return %e : tensor<4xf32>
}
"""
    before, after, _ = apply(text, rules=("algebra",))
    f = list(after.ops)[1]
    assert isinstance(f, func.FuncOp)
    names = [op.name for op in f.body.block.ops]
    assert names == ["func.call", "ztensor.relu", "func.return"]
    call = next(iter(f.body.block.ops))
    assert call.operands[0] is f.body.block.args[0]
    assert_same_results(before, after, "f")


def test_stats_and_dot(tmp_path: Path) -> None:
    module = parse(MLP)
    dot = tmp_path / "egraph.dot"
    stats = tmp_path / "stats.json"
    EqsatPass(stats_file=str(stats), dot=str(dot)).apply(Context(), module)
    data = json.loads(stats.read_text())[0]
    for key in (
        "iterations",
        "enodes",
        "eclasses",
        "time_ms",
        "cost_before",
        "cost_after",
        "rules_fired",
    ):
        assert key in data
    assert data["enodes"] > 5 and data["eclasses"] > 3
    assert dot.read_text().startswith("digraph")


def test_stats_remark(capsys: pytest.CaptureFixture[str]) -> None:
    EqsatPass(stats="-").apply(Context(), parse(MLP))
    err = capsys.readouterr().err
    assert err.startswith("remark: eqsat @mlp:") and "e-nodes" in err and "cost" in err


def test_user_rule_file_rewrites(tmp_path: Path) -> None:
    rules = tmp_path / "mine.rules"
    rules.write_text(
        "# tanh is odd\nrule tanh-odd: tanh(neg(x)) => neg(tanh(x))\nrule nn: neg(neg(x)) => x\n"
    )
    text = """
func.func @f(%x: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %n = ztensor.neg %x : tensor<64x64xf32>
  %t = ztensor.tanh %n : tensor<64x64xf32>
  %r = ztensor.neg %t : tensor<64x64xf32>
  func.return %r : tensor<64x64xf32>
}
"""
    before, after, stats = apply(text, rules=(), rules_file=str(rules))
    f = next(iter(after.ops))
    assert isinstance(f, func.FuncOp)
    assert [op.name for op in f.body.block.ops] == ["ztensor.tanh", "func.return"]
    assert stats[0]["rules_fired"]["tanh-odd"] >= 1
    assert_same_results(before, after, "f")


def test_unsound_and_malformed_user_rules(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rules"
    bad.write_text("rule sq: sqrt(mul(x, x)) => x\n")
    with pytest.raises(DiagnosticException, match=r"bad.rules:1: error: rule 'sq' is unsound"):
        EqsatPass(rules_file=str(bad)).apply(Context(), parse(MLP))
    EqsatPass(rules_file=str(bad), check_rules=False).apply(Context(), parse(MLP))
    broken = tmp_path / "broken.rules"
    broken.write_text("rule ok: neg(neg(x)) => x\nrule b: neg(x => x\n")
    with pytest.raises(DiagnosticException, match=r"broken.rules:2:15: error: expected"):
        EqsatPass(rules_file=str(broken)).apply(Context(), parse(MLP))


def test_bad_options() -> None:
    from ziggurat.errors import PassOptionError

    with pytest.raises(PassOptionError, match="option 'extractor': must be greedy-dag or ilp"):
        EqsatPass(extractor="best").apply(Context(), parse(MLP))
    with pytest.raises(PassOptionError, match="option 'node-limit'"):
        EqsatPass(node_limit=-1).apply(Context(), parse(MLP))
    with pytest.raises(DiagnosticException, match="unknown cost model"):
        EqsatPass(cost_model="magic").apply(Context(), parse(MLP))


def test_hardware_detection_and_file(tmp_path: Path) -> None:
    hw = Hardware.detect()
    assert hw.peak_flops > 0 and hw.bandwidth > 0 and hw.vector_bits in (128, 256, 512)
    path = tmp_path / "hw.json"
    path.write_text(json.dumps({"peak_flops": 1e9, "bandwidth": 1e12, "launch_seconds": 0.0}))
    model = make_cost_model("roofline", str(path))
    assert isinstance(model, RooflineCostModel) and model.hw.peak_flops == 1e9
    path.write_text(json.dumps({"peek_flops": 1}))
    with pytest.raises(ValueError, match="unknown hardware field"):
        Hardware.from_json(str(path))
    assert isinstance(make_cost_model("ziggurat.passes.eqsat.cost:FlopCostModel"), FlopCostModel)


def test_fused_kernels_do_not_pay_for_intermediates() -> None:
    from ziggurat.passes.eqsat.terms import TType

    model = RooflineCostModel(Hardware())
    t = TType((1024, 1024), "f32")
    add = model.node_cost(NodeInfo("Add", "binary", (), (t, t), t))
    inline = model.node_cost(NodeInfo("EAdd", "binary", (), (t, t), t))
    assert inline < add / 10


class OnlyMatmulsCost:
    """A user cost model: matmuls are expensive, everything else is free."""

    def node_cost(self, node: NodeInfo) -> float:
        return 1.0 if node.category == "matmul" else 0.0


def test_custom_cost_model_plugs_in() -> None:
    text = """
func.func @f(%x: tensor<8x8xf32>, %y: tensor<8x8xf32>, %z: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %a = ztensor.matmul %x, %y : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  %b = ztensor.matmul %x, %z : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  %r = ztensor.add %a, %b : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  func.return %r : tensor<8x8xf32>
}
"""
    before = parse(text)
    module = parse(text)
    f = next(iter(module.ops))
    assert isinstance(f, func.FuncOp)
    stats, _ = optimize_function(
        f, EqsatPass(rules=("distributivity",), fast_math=("reassoc", "nsz")), OnlyMatmulsCost(), []
    )
    assert stats is not None and stats.cost_before == 2.0 and stats.cost_after == 1.0
    assert sum(isinstance(op, zt.MatmulOp) for op in module.walk()) == 1
    assert_same_results(before, module, "f")


# ---------------------------------------------------------------------------------------------
# The fused-form invariant: every `ztensor.fused` op eqsat builds is ONE grid after lowering
# ---------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def _dense_vector(n: int) -> str:
    return "dense<[" + ", ".join(f"{0.5 + (i % 7) * 0.25}" for i in range(n)) + "]>"


MLP_EXAMPLE = (ROOT / "examples" / "mlp.mlir").read_text()
# The example with a non-splat constant vector scaling the hidden layer.
MLP_DENSE = MLP_EXAMPLE.replace("dense<1.0>", _dense_vector(256))
GPT2_BLOCK = """
func.func @gpt2_mlp(%x: tensor<32x64xf32>, %w1: tensor<64x256xf32>, %b1: tensor<256xf32>,
                    %w2: tensor<256x64xf32>, %b2: tensor<64xf32>) -> tensor<32x64xf32> {
  %h = ztensor.matmul %x, %w1 : (tensor<32x64xf32>, tensor<64x256xf32>) -> tensor<32x256xf32>
  %hb = ztensor.add %h, %b1 : (tensor<32x256xf32>, tensor<256xf32>) -> tensor<32x256xf32>
  %g = ztensor.gelu %hb : tensor<32x256xf32>
  %o = ztensor.matmul %g, %w2 : (tensor<32x256xf32>, tensor<256x64xf32>) -> tensor<32x64xf32>
  %ob = ztensor.add %o, %b2 : (tensor<32x64xf32>, tensor<64xf32>) -> tensor<32x64xf32>
  %r = ztensor.add %ob, %x : (tensor<32x64xf32>, tensor<32x64xf32>) -> tensor<32x64xf32>
  %n = ztensor.layernorm %r {axis = -1 : i64, epsilon = 1.0e-05 : f32} : tensor<32x64xf32>
  func.return %n : tensor<32x64xf32>
}
"""
RELU_MM = """
func.func @f(%a: tensor<33x17xf32>, %b: tensor<17x65xf32>, %c: tensor<33x65xf32>) -> tensor<33x65xf32> {
  %0 = ztensor.matmul %a, %b : (tensor<33x17xf32>, tensor<17x65xf32>) -> tensor<33x65xf32>
  %1 = ztensor.add %0, %c : (tensor<33x65xf32>, tensor<33x65xf32>) -> tensor<33x65xf32>
  %2 = ztensor.relu %1 : tensor<33x65xf32>
  func.return %2 : tensor<33x65xf32>
}
"""
SOFTMAX_AFFINE = """
func.func @f(%x: tensor<64x100xf32>) -> tensor<64x100xf32> {
  %c2 = ztensor.constant dense<2.0> : tensor<f32>
  %c1 = ztensor.constant dense<1.0> : tensor<f32>
  %a = ztensor.mul %x, %c2 : (tensor<64x100xf32>, tensor<f32>) -> tensor<64x100xf32>
  %b = ztensor.add %a, %c1 : (tensor<64x100xf32>, tensor<f32>) -> tensor<64x100xf32>
  %s = ztensor.softmax %b {axis = 1 : i64} : tensor<64x100xf32>
  func.return %s : tensor<64x100xf32>
}
"""
# Rows longer than the reduction tile budget are reduced in padded chunks: no prologue fuses.
LONG_ROWS = """
func.func @f(%x: tensor<4x10000xf32>, %y: tensor<4x10000xf32>) -> tensor<4x1xf32> {
  %e = ztensor.exp %x : tensor<4x10000xf32>
  %a = ztensor.add %e, %y : (tensor<4x10000xf32>, tensor<4x10000xf32>) -> tensor<4x10000xf32>
  %s = ztensor.reduce_sum %a {axes = array<i64: 1>, keepdims = true} : tensor<4x10000xf32> -> tensor<4x1xf32>
  func.return %s : tensor<4x1xf32>
}
"""
# eqsat's matmul kernel terms are 2-D, but the planner that forms the kernels of the rebuilt
# program makes the batched matmul and its epilogue one kernel (tanh(c) mixes broadcast and
# full dims in the batch x M view dim, so it stays a kernel of its own).
BATCHED_EPILOGUE = """
func.func @f(%a: tensor<2x8x16xf32>, %b: tensor<2x16x8xf32>, %c: tensor<8x8xf32>) -> tensor<2x8x8xf32> {
  %m = ztensor.matmul %a, %b : (tensor<2x8x16xf32>, tensor<2x16x8xf32>) -> tensor<2x8x8xf32>
  %t = ztensor.tanh %c : tensor<8x8xf32>
  %s = ztensor.add %m, %t : (tensor<2x8x8xf32>, tensor<8x8xf32>) -> tensor<2x8x8xf32>
  %r = ztensor.relu %s : tensor<2x8x8xf32>
  func.return %r : tensor<2x8x8xf32>
}
"""
INVARIANT_PROGRAMS = {
    "long-rows": (LONG_ROWS, ["elementwise"]),
    "batched-epilogue": (BATCHED_EPILOGUE, ["matmul_epilogue"]),
    "mlp": (MLP_EXAMPLE, ["matmul_epilogue", "reduction"]),
    "mlp-dense-constant": (MLP_DENSE, ["matmul_epilogue", "reduction"]),
    "gpt2-mlp": (GPT2_BLOCK, ["matmul_epilogue", "reduction"]),
    "relu-mm": (RELU_MM, ["matmul_epilogue"]),
    "softmax-affine": (SOFTMAX_AFFINE, ["reduction"]),
    **{f"random-{seed}": (random_program(seed), None) for seed in range(6)},
}


def lowered_grids(fused: zt.FusedOp) -> int:
    """The number of `ztile.grid`s `ztensor-to-ztile` makes of `fused` alone in a function."""
    from xdsl.dialects.builtin import FunctionType
    from xdsl.ir import Block, Region

    from ziggurat.dialects import ztile
    from ziggurat.lowering.ztensor_to_ztile import ZTensorToZTilePass

    types = [v.type for v in fused.inputs]
    block = Block(arg_types=types)
    op = fused.clone()
    op.operands = list(block.args)
    block.add_ops([op, func.ReturnOp(op.results[0])])
    f = func.FuncOp("kernel", FunctionType.from_lists(types, [op.results[0].type]), Region(block))
    module = ModuleOp([f])
    ZTensorToZTilePass().apply(Context(), module)
    module.verify()
    assert not any(o.dialect_name() == "ztensor" for o in module.walk())
    return sum(isinstance(o, ztile.GridOp) for o in module.walk())


PINNED_HARDWARE = Hardware(
    peak_flops=2 * 2500e6 * 16 * 2 * 2,
    bandwidth=2.0e10,
    l1_bytes=32 * 1024,
    l2_bytes=1024 * 1024,
    l3_bytes=32 * 1024 * 1024,
    vector_bits=512,
    cores=2,
)
"""A 2-core AVX-512 machine: the kernel kinds eqsat picks depend on the hardware it prices."""


@pytest.mark.parametrize("name", list(INVARIANT_PROGRAMS))
def test_every_fused_op_lowers_to_one_grid(name: str, tmp_path: Path) -> None:
    import ziggurat as zg
    from ziggurat.driver import parse_module

    text, kinds = INVARIANT_PROGRAMS[name]
    before = parse_module(text)
    after = parse_module(text)
    hardware = tmp_path / "hardware.json"
    hardware.write_text(json.dumps(PINNED_HARDWARE.to_dict()))
    zg.parse_pipeline(f'canonicalize,eqsat{{hardware="{hardware}"}}').apply(
        zg.make_context(), after
    )
    after.verify()
    fused = [op for op in after.walk() if isinstance(op, zt.FusedOp)]
    for op in fused:
        matmuls = sum(isinstance(o, zt.MatmulOp) for o in op.body.walk())
        assert matmuls <= 1, str(op)
        assert lowered_grids(op) == 1, f"{kind(op)} kernel is not one grid:\n{op}"
    if kinds is not None:
        assert [kind(op) for op in fused] == kinds, str(after)
    f = next(op for op in before.walk() if isinstance(op, func.FuncOp))
    entry = f.sym_name.data
    exe = zg.compile(after, pipeline="cpu-pipeline{opt-level=1}", entry=entry, cache=False)
    for seed in range(2):
        args = inputs_for(before, entry, seed)
        want = run_function(before, entry, *args)
        got = exe(*args)
        got = got if isinstance(got, tuple) else (got,)
        assert len(want) == len(got)
        for w, g in zip(want, got, strict=True):
            np.testing.assert_allclose(g, w, rtol=2e-4, atol=2e-5)


class KernelCount:
    """A cost model counting kernels: every node computing a tensor in memory costs 1."""

    def node_cost(self, node: NodeInfo) -> float:
        return 1.0 if node.sort == "Op" and node.category not in ("leaf", "scalar") else 0.0


@pytest.mark.parametrize("name", list(INVARIANT_PROGRAMS))
def test_kernels_priced_are_the_grids_lowered(name: str) -> None:
    """With a cost model counting kernels, the extracted cost is the number of grids the
    lowering makes of the whole function: a fused op is priced as exactly one kernel."""
    from ziggurat.dialects import ztile
    from ziggurat.driver import parse_module
    from ziggurat.lowering.ztensor_to_ztile import ZTensorToZTilePass

    module = parse_module(INVARIANT_PROGRAMS[name][0])
    f = next(op for op in module.walk() if isinstance(op, func.FuncOp))
    stats, _ = optimize_function(f, EqsatPass(), KernelCount(), [])
    assert stats is not None and stats.changed
    ZTensorToZTilePass().apply(Context(), module)
    grids = sum(isinstance(op, ztile.GridOp) for op in module.walk())
    assert stats.cost_after == grids


# ---------------------------------------------------------------------------------------------
# IEEE special values and budgets (reliability regressions)
# ---------------------------------------------------------------------------------------------

SPECIALS = np.array([1.0, -2.0, -0.0, 0.0, np.inf, -np.inf, np.nan, 1e-45, 3e38], np.float32)


def elementwise_text(body: list[str], result: str, n: int = len(SPECIALS)) -> str:
    t = f"tensor<{n}xf32>"
    lines = "\n".join(f"  {line.replace('T', t)}" for line in body)
    return f"func.func @f(%x: {t}) -> {t} {{\n{lines}\n  func.return {result} : {t}\n}}\n"


TIMES_ZERO = {
    "x*0*3": [
        "%z = ztensor.constant dense<0.0> : tensor<f32>",
        "%t = ztensor.constant dense<3.0> : tensor<f32>",
        "%a = ztensor.mul %x, %z : (T, tensor<f32>) -> T",
        "%b = ztensor.mul %a, %t : (T, tensor<f32>) -> T",
    ],
    "x*3*0": [
        "%z = ztensor.constant dense<0.0> : tensor<f32>",
        "%t = ztensor.constant dense<3.0> : tensor<f32>",
        "%a = ztensor.mul %x, %t : (T, tensor<f32>) -> T",
        "%b = ztensor.mul %a, %z : (T, tensor<f32>) -> T",
    ],
    "x*-0*3": [
        "%z = ztensor.constant dense<-0.0> : tensor<f32>",
        "%t = ztensor.constant dense<3.0> : tensor<f32>",
        "%a = ztensor.mul %x, %z : (T, tensor<f32>) -> T",
        "%b = ztensor.mul %a, %t : (T, tensor<f32>) -> T",
    ],
    "1/((x-x)*3)": [
        "%o = ztensor.constant dense<1.0> : tensor<f32>",
        "%t = ztensor.constant dense<3.0> : tensor<f32>",
        "%d = ztensor.sub %x, %x : (T, T) -> T",
        "%a = ztensor.mul %d, %t : (T, tensor<f32>) -> T",
        "%b = ztensor.div %o, %a : (tensor<f32>, T) -> T",
    ],
    "1/(x+0)": [
        "%o = ztensor.constant dense<1.0> : tensor<f32>",
        "%z = ztensor.constant dense<0.0> : tensor<f32>",
        "%a = ztensor.add %x, %z : (T, tensor<f32>) -> T",
        "%b = ztensor.div %o, %a : (tensor<f32>, T) -> T",
    ],
}


def same_floats(got: np.ndarray, want: np.ndarray) -> bool:
    """Equal as IEEE values: NaN where NaN, and the sign of zero and of infinity."""
    from ziggurat.passes.eqsat.rules import values_agree

    return values_agree(np.asarray(got, np.float64), np.asarray(want, np.float64))


@pytest.mark.parametrize("name", list(TIMES_ZERO))
def test_default_rules_keep_ieee_values(name: str) -> None:
    """The default eqsat (and canonicalize) keep signed zeros, infinities and NaN as numpy."""
    import ziggurat as zg
    from ziggurat.driver import parse_module

    text = elementwise_text(TIMES_ZERO[name], "%b")
    before = parse_module(text)
    after = parse_module(text)
    zg.parse_pipeline("canonicalize,eqsat,canonicalize").apply(zg.make_context(), after)
    after.verify()
    (want,) = run_function(before, "f", SPECIALS)
    (got,) = run_function(after, "f", SPECIALS)
    assert same_floats(got, want), f"{got} != {want}\n{after}"
    exe = zg.compile(text, cache=False)
    assert same_floats(exe(SPECIALS), want)


@pytest.mark.parametrize("name", ["x*0*3", "x*3*0", "x*-0*3"])
@pytest.mark.parametrize("fast_math", [(), ("fast",)])
def test_times_zero_chains_terminate(name: str, fast_math: tuple[str, ...]) -> None:
    """`x * 0.0 * 3.0` once made eqsat grow without bound; it saturates, with any flags."""
    _, _, stats = apply(elementwise_text(TIMES_ZERO[name], "%b"), fast_math=fast_math)
    assert stats[0]["stop_reason"] == "saturated" and stats[0]["enodes"] < 500


def chain_program(n: int) -> str:
    """s_i = m_{i-1} + a_i, m_i = s_i * a_i: assoc/comm/distributivity grow it exponentially."""
    args = ", ".join(f"%a{i}: tensor<8xf32>" for i in range(n))
    lines, prev = [], "%a0"
    t = "(tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>"
    for i in range(1, n):
        lines.append(f"  %s{i} = ztensor.add {prev}, %a{i} : {t}")
        lines.append(f"  %m{i} = ztensor.mul %s{i}, %a{i} : {t}")
        prev = f"%m{i}"
    return (
        f"func.func @f({args}) -> tensor<8xf32> {{\n"
        + "\n".join(lines)
        + (f"\n  func.return {prev} : tensor<8xf32>\n}}\n")
    )


def test_node_budget_holds_within_an_iteration() -> None:
    before, after, stats = apply(
        chain_program(16), fast_math=("fast",), node_limit=400, iter_limit=200
    )
    assert stats[0]["stop_reason"] == "node limit"
    # One step adds at most a bounded number of e-nodes past the budget.
    assert stats[0]["enodes"] < 2 * 400
    assert_same_results(before, after, "f")


def test_time_budget_holds_within_an_iteration(monkeypatch: pytest.MonkeyPatch) -> None:
    """The time budget is checked after every step, not once per iteration: with a clock that
    advances one second per reading and a 3.5 s budget, the run stops inside iteration 1."""
    import types

    import egglog.bindings as egglog

    import ziggurat.passes.eqsat.eqsat as eqsat_module

    clock = [0.0]

    def perf_counter() -> float:
        clock[0] += 1.0
        return clock[0]

    steps: list[tuple[str, ...]] = []
    step = eqsat_module.Saturation._step

    def counting_step(
        self: eqsat_module.Saturation,
        eg: egglog.EGraph,
        rulesets: tuple[str, ...],
        stats: eqsat_module.EqsatStats,
    ) -> bool | None:
        steps.append(rulesets)
        return step(self, eg, rulesets, stats)

    monkeypatch.setattr(eqsat_module, "time", types.SimpleNamespace(perf_counter=perf_counter))
    monkeypatch.setattr(eqsat_module.Saturation, "_step", counting_step)
    _, _, stats = apply(chain_program(8), fast_math=("fast",), time_limit_ms=3500)
    assert stats[0]["stop_reason"] == "time limit"
    expanding = [s for s in steps if len(s) == 1]
    # Stopped before running every expanding set of the first iteration once.
    assert 0 < len(expanding) < 5, steps


def test_stats_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`stats` is `-`, `remark` or a path ending in `.json` (the JSON is written there); any
    other value is an option error, from the pass and from a pipeline string, and writes
    nothing."""
    import ziggurat as zg
    from ziggurat.errors import PassOptionError

    direct = tmp_path / "direct.json"
    EqsatPass(stats=str(direct)).apply(Context(), parse(MLP))
    assert json.loads(direct.read_text())[0]["function"] == "mlp"
    piped = tmp_path / "piped.json"
    zg.parse_pipeline(f'eqsat{{stats="{piped}"}}').apply(zg.make_context(), parse(MLP))
    assert json.loads(piped.read_text())[0]["function"] == "mlp"
    monkeypatch.chdir(tmp_path)
    for bad in ("json", "json.out", "stats.txt", ".json", "remarks"):
        with pytest.raises(PassOptionError, match=r"a path ending in \.json") as raised:
            EqsatPass(stats=bad).apply(Context(), parse(MLP))
        assert (raised.value.pass_name, raised.value.option) == ("eqsat", "stats")
        with pytest.raises(PassOptionError, match=f"option 'stats'.*got '{re.escape(bad)}'"):
            zg.parse_pipeline(f'eqsat{{stats="{bad}"}}')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["direct.json", "piped.json"]


def test_jit_reassociates_matrix_chains_only_under_fast_math() -> None:
    """`(A @ B) @ v` keeps numpy's order by default; `fast_math` lets eqsat reassociate."""
    import ziggurat as zg

    def chain(a: np.ndarray, b: np.ndarray, v: np.ndarray) -> np.ndarray:
        return (a @ b) @ v

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((64, 64), np.float32), rng.standard_normal((64, 64), np.float32)
    v = rng.standard_normal((64, 1), np.float32)

    def first_matmul_operands(fn: zg.JittedFunction) -> str:
        text = fn.lower(a, b, v).as_text("eqsat")
        line = next(x for x in text.splitlines() if "ztensor.matmul" in x)
        return line.split("ztensor.matmul")[1].split(":")[0].strip()

    exact = zg.jit(chain)
    fast = zg.jit(chain, fast_math=True)
    flags = zg.jit(chain, fast_math=("reassoc", "nnan", "ninf"))
    assert first_matmul_operands(exact).startswith("%0, %1")  # a @ b first
    assert first_matmul_operands(fast).startswith("%1, %2")  # b @ v first
    assert first_matmul_operands(flags).startswith("%1, %2")
    want = (a.astype(np.float64) @ b) @ v
    for fn in (exact, fast):
        np.testing.assert_allclose(fn(a, b, v), want, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize(
    ("value", "error"),
    [("fast", TypeError), (("fastest",), ValueError), (1, TypeError), ((3,), ValueError)],
)
def test_jit_fast_math_is_validated(value: object, error: type[Exception]) -> None:
    import ziggurat as zg

    with pytest.raises(error, match="fast_math"):
        zg.jit(lambda x: x, fast_math=value)


def long_chain(n: int) -> str:
    """`n` elementwise ops in one dependence chain (unary and binary, splat constants)."""
    t = "tensor<16xf32>"
    lines = [f"  %c = ztensor.constant dense<1.0001> : {t}"]
    cur = "%x"
    for i in range(n):
        k = i % 4
        if k == 0:
            lines.append(f"  %v{i} = ztensor.mul {cur}, %c : ({t}, {t}) -> {t}")
        elif k == 1:
            lines.append(f"  %v{i} = ztensor.tanh {cur} : {t}")
        elif k == 2:
            lines.append(f"  %v{i} = ztensor.add {cur}, %x : ({t}, {t}) -> {t}")
        else:
            lines.append(f"  %v{i} = ztensor.neg {cur} : {t}")
        cur = f"%v{i}"
    body = "\n".join(lines)
    return f"func.func @f(%x: {t}) -> {t} {{\n{body}\n  func.return {cur} : {t}\n}}\n"


def test_long_chains_need_no_recursion() -> None:
    """eqsat's translation, extraction and rebuild walk iteratively: a 1,500-op chain passes
    with a recursion limit far below its depth; a function larger than the node budget is
    left as it is."""
    import sys

    limit = sys.getrecursionlimit()
    text = long_chain(1500)
    before, after = parse(text), parse(text)
    sys.setrecursionlimit(400)
    try:
        EqsatPass(node_limit=20000, iter_limit=1).apply(Context(), after)
    finally:
        sys.setrecursionlimit(limit)
    assert_same_results(before, after, "f")
    _, kept, stats = apply(long_chain(1500), node_limit=1000)
    assert stats[0]["stop_reason"].startswith("node limit (the function alone")
    assert str(kept) == str(parse(long_chain(1500)))


def _matrix_chain(dims: list[int]) -> str:
    args = ", ".join(f"%a{i}: tensor<{dims[i]}x{dims[i + 1]}xf32>" for i in range(len(dims) - 1))
    lines, prev = [], "%a0"
    for i in range(1, len(dims) - 1):
        lines.append(
            f"  %m{i} = ztensor.matmul {prev}, %a{i} : (tensor<{dims[0]}x{dims[i]}xf32>, "
            f"tensor<{dims[i]}x{dims[i + 1]}xf32>) -> tensor<{dims[0]}x{dims[i + 1]}xf32>"
        )
        prev = f"%m{i}"
    result = f"tensor<{dims[0]}x{dims[-1]}xf32>"
    body = "\n".join(lines)
    return f"func.func @f({args}) -> {result} {{\n{body}\n  func.return {prev} : {result}\n}}\n"


def _spin(seconds: float) -> None:
    import time

    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_budgets_decide_the_result_not_the_machine_load(capfd: pytest.CaptureFixture[str]) -> None:
    """The node and iteration budgets stop the run, so the same program gives the same result
    on an idle machine and on one whose cores are all busy; only the wall-clock safety net
    depends on the load, and it says so when it fires."""
    import multiprocessing
    import os

    text = _matrix_chain([30, 35, 15, 5, 10, 20, 25, 40, 8])
    options: dict[str, Any] = {"fast_math": ("fast",), "node_limit": 400, "iter_limit": 4}
    _, idle, idle_stats = apply(text, **options)
    busy = [
        multiprocessing.get_context("fork").Process(target=_spin, args=(60.0,))
        for _ in range(os.cpu_count() or 1)
    ]
    for p in busy:
        p.start()
    try:
        _, loaded, loaded_stats = apply(text, **options)
        assert all(p.is_alive() for p in busy)  # the cores were busy throughout
    finally:
        for p in busy:
            p.terminate()
            p.join()
    assert idle_stats[0]["stop_reason"] in ("node limit", "iteration limit", "saturated")
    assert str(loaded) == str(idle)
    assert loaded_stats[0]["stop_reason"] == idle_stats[0]["stop_reason"]
    assert "note: eqsat" not in capfd.readouterr().err
    _, _, cut = apply(text, **options, time_limit_ms=1)
    assert cut[0]["stop_reason"] == "time limit"
    assert "stopped by the time limit (time-limit-ms=1)" in capfd.readouterr().err


@pytest.mark.parametrize("shape", [(1, 1), (3, 4), (2, 3, 4)])
def test_a_full_reduction_of_a_transpose_leaves_no_rank_0_transpose(shape: tuple[int, ...]) -> None:
    """`reduce_sum-transpose` moves the transpose after the reduction; reducing every axis
    leaves a transpose by the empty permutation, the identity, which eqsat removes (and
    ztensor-to-ztile drops; it crashed on it). Found by test_frontend_hypothesis."""
    import ziggurat as zg

    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    fn = zg.jit(lambda a: (-a).T.sum())
    assert "ztensor.transpose" not in fn.lower(x).as_text("eqsat")
    np.testing.assert_allclose(fn(x), -x.astype(np.float64).sum(), rtol=1e-5, atol=1e-6)
