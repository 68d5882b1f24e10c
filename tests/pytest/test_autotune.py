"""Autotuning: kernels timed through profiling marks, the cost model refit from the times, and
eqsat extracting under the refit model (`ziggurat.autotune`, `passes/eqsat/calibration.py`,
`lowering/kernel_profile.py`, `runtime/profile.py`)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ziggurat as zg
from ziggurat import autotune
from ziggurat.passes.eqsat import calibration as cal
from ziggurat.passes.eqsat.cost import Hardware, NodeInfo, RooflineCostModel
from ziggurat.passes.eqsat.terms import TType
from ziggurat.runtime import profile

PROGRAM = """
func.func @f(%a: tensor<64x32xf32>, %b: tensor<32x16xf32>, %c: tensor<16xf32>) -> tensor<64xf32> {
  %m = ztensor.matmul %a, %b : (tensor<64x32xf32>, tensor<32x16xf32>) -> tensor<64x16xf32>
  %s = ztensor.add %m, %c : (tensor<64x16xf32>, tensor<16xf32>) -> tensor<64x16xf32>
  %t = ztensor.tanh %s : tensor<64x16xf32>
  %r = ztensor.reduce_sum %t {axes = array<i64: 1>, keepdims = false} : tensor<64x16xf32> -> tensor<64xf32>
  func.return %r : tensor<64xf32>
}
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZIGGURAT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("ZIGGURAT_NO_CACHE", raising=False)
    return tmp_path


def _inputs(seed: int = 0) -> list[np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape, dtype=np.float32) for shape in ((64, 32), (32, 16), (16,))]


def _expected(a: Any, b: Any, c: Any) -> Any:
    return np.tanh(a @ b + c).sum(axis=1)


# ---------------------------------------------------------------------------------------------
# Marks and their times
# ---------------------------------------------------------------------------------------------


def test_kernel_times_pairs_marks() -> None:
    assert profile.kernel_times([(0, 10), (1, 25), (2, 30), (3, 70)]) == {0: 15, 1: 40}
    assert profile.kernel_times([(0, 0), (1, 5), (0, 10), (1, 12)]) == {0: 7}
    with pytest.raises(ValueError, match="ended without starting"):
        profile.kernel_times([(1, 3)])
    with pytest.raises(ValueError, match="started without ending"):
        profile.kernel_times([(0, 3)])
    with pytest.raises(ValueError, match="started twice"):
        profile.kernel_times([(0, 3), (0, 4)])


def test_recording_does_not_nest() -> None:
    with (
        profile.recording(),
        pytest.raises(RuntimeError, match="already active"),
        profile.recording(),
    ):
        pass


def test_profiled_code_records_each_kernel_and_computes_the_same(cache: Path) -> None:
    profiled = zg.compile(PROGRAM, pipeline="cpu-pipeline{profile=true eqsat=false}")
    plain = zg.compile(PROGRAM, pipeline="cpu-pipeline{eqsat=false}")
    args = _inputs()
    outside = profiled(*args)  # no recording: the marks return at once
    with profile.recording() as marks:
        inside = profiled(*args)
    assert [m for m, _ in marks] == [0, 1, 2, 3]
    times = profile.kernel_times(marks)
    assert set(times) == {0, 1} and all(t > 0 for t in times.values())
    np.testing.assert_array_equal(inside, plain(*args))
    np.testing.assert_array_equal(outside, inside)
    np.testing.assert_allclose(inside, _expected(*args), rtol=1e-4, atol=1e-4)


def test_profile_marks_describe_the_kernels() -> None:
    from xdsl.dialects import func

    from ziggurat.driver import parse_module, parse_pipeline, run_pipeline
    from ziggurat.lowering.kernel_profile import KERNELS_ATTR

    module = parse_module(PROGRAM)
    run_pipeline(parse_pipeline("ztensor-to-ztile{profile=true}"), module)
    f = next(op for op in module.ops if isinstance(op, func.FuncOp) and op.sym_name.data == "f")
    kernels = json.loads(f.attributes[KERNELS_ATTR].data)  # type: ignore[attr-defined]
    assert [k["kind"] for k in kernels] == ["matmul_epilogue", "reduction"]
    assert [op["op"] for op in kernels[1]["ops"]] == [
        "ztensor.add",
        "ztensor.tanh",
        "ztensor.reduce_sum",
    ]
    # The reduction reads the matmul's result and the bias; the matmul reads its operands in
    # its core, not as kernel reads.
    assert kernels[1]["reads"] == [[[64, 16], "f32"], [[16], "f32"]]
    assert kernels[0]["reads"] == []
    assert kernels[1]["output"] == [[64], "f32"]


# ---------------------------------------------------------------------------------------------
# Kernels as e-nodes, and the fit
# ---------------------------------------------------------------------------------------------


def test_kernel_nodes_are_the_kernel_terms() -> None:
    f32 = "f32"
    kernel = {
        "kind": "matmul_epilogue",
        "ops": [
            {
                "op": "ztensor.matmul",
                "operands": [[[8, 4], f32], [[4, 6], f32]],
                "result": [[8, 6], f32],
            },
            {"op": "ztensor.add", "operands": [[[8, 6], f32], [[6], f32]], "result": [[8, 6], f32]},
            {"op": "ztensor.relu", "operands": [[[8, 6], f32]], "result": [[8, 6], f32]},
        ],
        "reads": [[[6], f32]],
        "output": [[8, 6], f32],
    }
    nodes = cal.kernel_nodes(kernel)
    assert [(n.op, cal.node_class(n)) for n in nodes] == [
        ("EIn", "read"),
        ("FMatmul", "matmul"),
        ("MCore", "matmul"),
        ("MAdd", "matmul"),
        ("MRelu", "matmul"),
    ]
    reduction = {
        "kind": "reduction",
        "ops": [
            {"op": "ztensor.exp", "operands": [[[8, 6], f32]], "result": [[8, 6], f32]},
            {"op": "ztensor.reduce_max", "operands": [[[8, 6], f32]], "result": [[8], f32]},
        ],
        "reads": [[[8, 6], f32]],
        "output": [[8], f32],
    }
    assert [(n.op, cal.node_class(n)) for n in cal.kernel_nodes(reduction)] == [
        ("EIn", "read"),
        ("FReduceMax", "reduction"),
        ("EExp", "elementwise"),
    ]
    copy = {
        "kind": "generic",
        "ops": [{"op": "ztensor.transpose", "operands": [[[8, 6], f32]], "result": [[6, 8], f32]}],
        "reads": [[[8, 6], f32]],
        "output": [[6, 8], f32],
    }
    assert [(n.op, cal.node_class(n)) for n in cal.kernel_nodes(copy)] == [
        ("Transpose", "movement")
    ]
    prices = cal.class_prices(kernel, RooflineCostModel(Hardware()))
    assert set(prices) == {"read", "matmul"} and all(p > 0 for p in prices.values())


def test_fit_recovers_known_weights() -> None:
    rng = np.random.default_rng(1)
    true = {"elementwise": 3.0, "read": 0.5, "matmul": 40.0, "reduction": 2.0}
    samples = []
    for _ in range(60):
        prices = {c: float(rng.uniform(1e-6, 1e-3)) for c in true if rng.random() < 0.6}
        if not prices:
            continue
        seconds = sum(true[c] * p for c, p in prices.items()) * math.exp(rng.normal(0, 0.01))
        samples.append((prices, seconds))
    result = cal.fit(samples)
    for cls, weight in true.items():
        assert result.weights[cls] == pytest.approx(weight, rel=0.05)
    # never observed: its family's factor (softmax kernels are reductions)
    assert 1.0 < result.weights["softmax"] < 2.0
    assert result.weights["layernorm"] == pytest.approx(result.weights["softmax"])
    assert result.counts["softmax"] == 0 and result.samples == len(samples)
    assert result.r2 > 0.99 > result.r2_before


def test_unobserved_classes_take_their_familys_factor() -> None:
    rng = np.random.default_rng(4)
    samples = []
    for _ in range(20):
        price = float(rng.uniform(1e-5, 1e-3))
        samples.append(({"reduction": price}, 4.0 * price))
    result = cal.fit(samples)
    assert result.weights["reduction"] == pytest.approx(4.0, rel=0.02)
    # layernorm and softmax kernels are reductions: priced like the ones timed, mostly
    assert 2.0 < result.weights["layernorm"] < 4.0
    # another family, and the read prices the samples had none of: the base model's
    assert result.weights["matmul"] == 1.0 and result.weights["read"] == 1.0


def test_fit_without_samples_is_the_base_model() -> None:
    result = cal.fit([({"read": 1e-3}, 0.0), ({}, 1.0)])
    assert result.samples == 0 and set(result.weights.values()) == {1.0}
    assert math.isnan(result.r2)


def test_refit_model_scales_each_node_by_its_class() -> None:
    base = RooflineCostModel(Hardware())
    model = cal.RefitCostModel(base, {"matmul": 10.0})
    t = TType((64, 64), "f32")
    core = NodeInfo("MCore", "matmul", (), (t, t), t)
    add = NodeInfo("Add", "binary", (), (t, t), t)
    assert model.node_cost(core) == pytest.approx(10 * base.node_cost(core))
    assert model.node_cost(add) == pytest.approx(base.node_cost(add))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "needs a 'weights' object"),
        ('{"weights": {"matmol": 2}}', "unknown class(es) ['matmol']"),
        ('{"weights": {"matmul": -1}}', "must be a positive number"),
        ("{", "not a JSON model file"),
    ],
)
def test_bad_model_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(text)
    with pytest.raises(ValueError) as info:
        cal.read_weights(str(path))
    assert message in str(info.value)


def test_eqsat_calibration_option_reports_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "bad model.json"
    path.write_text('{"weights": {"matmol": 2}}')
    with pytest.raises(zg.ZigguratError, match=r"cannot make cost model: .*unknown class"):
        zg.compile(PROGRAM, pipeline=f'cpu-pipeline{{calibration="{path}"}}')


# ---------------------------------------------------------------------------------------------
# zg.jit(autotune=True)
# ---------------------------------------------------------------------------------------------


def _factorable(a: Any, b: Any, c: Any) -> Any:
    return a @ b + a @ c


def _seed_wrong_model(where: Path) -> None:
    """A model that prices matmul kernels a million times too cheap: under it, computing
    A@B + A@C as written looks cheaper than A@(B + C) (the add kernel costs more than the
    second matmul)."""
    wrong = {"weights": {"matmul": 1e-6}, "refits": 0}
    cal.write_model(where / "model-wrong.json", wrong)
    cal.write_model(where / "model.json", {**wrong, "file": "model-wrong.json"})


def test_profiling_corrects_a_wrong_cost_model(cache: Path) -> None:
    n = 256
    rng = np.random.default_rng(2)
    a, b, c = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(3))
    _seed_wrong_model(autotune.folder())
    f = zg.jit(_factorable, fast_math=True, autotune=True)
    assert f.lower(a, b, c).as_text("eqsat").count("ztensor.matmul") == 2
    for _ in range(autotune.WARMUP_CALLS + autotune.TIMED_CALLS):
        np.testing.assert_allclose(f(a, b, c), a @ b + a @ c, rtol=1e-3, atol=1e-2)
    stats = zg.autotune_stats()
    assert stats["samples"] == 2  # the two matmul kernels
    assert stats["refits"] == 1 and stats["programs"] == 1
    assert stats["weights"]["matmul"] > 1e-3  # measured: nowhere near a millionth
    # The refit model prices the second matmul above the add: eqsat factors A@(B + C).
    assert f.lower(a, b, c).as_text("eqsat").count("ztensor.matmul") == 1
    np.testing.assert_allclose(f(a, b, c), a @ b + a @ c, rtol=1e-3, atol=1e-2)
    # A program profiled once is compiled under the newest model at once, not profiled again.
    again = zg.jit(_factorable, fast_math=True, autotune=True)
    np.testing.assert_allclose(again(a, b, c), a @ b + a @ c, rtol=1e-3, atol=1e-2)
    assert zg.autotune_stats()["samples"] == 2


def test_autotune_samples_accumulate_across_programs(cache: Path) -> None:
    f = zg.jit(lambda x: np.tanh(x * 2.0 + 1.0), autotune=True)
    g = zg.jit(lambda x: (x * x).sum(axis=1), autotune=True)
    x = np.random.default_rng(3).standard_normal((512, 512), dtype=np.float32)
    for _ in range(autotune.WARMUP_CALLS + autotune.TIMED_CALLS + 1):
        np.testing.assert_allclose(f(x), np.tanh(x * 2 + 1), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(g(x), (x * x).sum(axis=1), rtol=1e-4)
    stats = zg.autotune_stats()
    assert stats["samples"] == 2 and stats["refits"] == 2 and stats["programs"] == 2
    assert stats["persistent"] and Path(stats["model"]).is_file()
    assert stats["r2"] is not None and stats["r2_before"] is not None
    lines = (Path(stats["folder"]) / "samples.jsonl").read_text().splitlines()
    kinds = sorted(json.loads(line)["kernel"]["kind"] for line in lines)
    assert kinds == ["elementwise", "reduction"]


def test_tuned_calls_take_the_native_entry(cache: Path) -> None:
    f = zg.jit(lambda x: x * 2.0 + 1.0, autotune=True)
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    out = np.empty_like(x)
    for i in range(autotune.WARMUP_CALLS + autotune.TIMED_CALLS):
        if i == 1:
            assert f(x, out=out) is out  # out= while profiling
            np.testing.assert_array_equal(out, x * 2 + 1)
        else:
            np.testing.assert_array_equal(f(x), x * 2 + 1)
        assert f._entry is None  # profiled calls go through the Python path
    np.testing.assert_array_equal(f(x), x * 2 + 1)
    assert f._entry is not None  # tuned: the kernel's native entry, as without autotune
    np.testing.assert_array_equal(f(x), x * 2 + 1)
    assert f(x, out=out) is out
    np.testing.assert_array_equal(out, x * 2 + 1)


def test_autotune_without_a_cache_uses_a_temporary_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ZIGGURAT_NO_CACHE", "1")
    f = zg.jit(lambda x: x * 3.0 - 1.0, autotune=True)
    x = np.ones((64, 64), np.float32)
    for _ in range(autotune.WARMUP_CALLS + autotune.TIMED_CALLS):
        np.testing.assert_array_equal(f(x), np.full((64, 64), 2.0, np.float32))
    stats = zg.autotune_stats()
    assert not stats["persistent"] and stats["samples"] >= 1


def test_autotune_option_errors() -> None:
    with pytest.raises(TypeError, match="autotune must be a bool"):
        zg.jit(lambda x: x, autotune=1)
    with pytest.raises(ValueError, match="needs the default pipeline"):
        zg.jit(lambda x: x, autotune=True, pipeline="cpu-pipeline")
    with pytest.raises(ValueError, match="autotune= is CPU-only"):
        zg.jit(lambda x: x, autotune=True, device="cuda")
