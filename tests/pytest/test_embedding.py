"""The embedding API (`zg.parse_pipeline`, `zg.compile`, `Executable`), pass registration
(decorator, entry points, plugin files), the compiled backend of `zg.jit` (options, stages,
layouts, errors) and the examples."""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, PassPipeline
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

import ziggurat as zg
import ziggurat.universe as zuniverse
from ziggurat.compiled_backend import CompiledBackend
from ziggurat.diagnostics import DiagnosticError
from ziggurat.dialects import ztensor as zt
from ziggurat.driver import PipelineError, pipeline_fingerprint
from ziggurat.jit import STAGES, InterpreterBackend, JitOptions, StageUnavailableError
from ziggurat.universe import PluginError, load_plugin, load_plugins, plugin_paths

ROOT = Path(__file__).resolve().parents[2]
RNG = np.random.default_rng(1)


def rand(*shape: int, dtype: Any = np.float32) -> Any:
    return RNG.uniform(-1, 1, size=shape).astype(dtype)


# ---------------------------------------------------------------------------------------------
# parse_pipeline
# ---------------------------------------------------------------------------------------------


def test_parse_pipeline_returns_an_xdsl_pipeline_usable_on_any_module() -> None:
    pipeline = zg.parse_pipeline("canonicalize,eqsat{node-limit=1000},cpu-pipeline")
    assert isinstance(pipeline, PassPipeline)
    assert [p.name for p in pipeline.passes] == ["canonicalize", "eqsat", "cpu-pipeline"]
    module = zg.parse_module(
        "func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {\n"
        "  %y = ztensor.neg %x : tensor<4xf32>\n"
        "  %z = ztensor.neg %y : tensor<4xf32>\n"
        "  func.return %z : tensor<4xf32>\n}"
    )
    zg.parse_pipeline("ztensor-to-ztile,bufferize").apply(zg.make_context(), module)
    assert "ztile.grid" in str(module) and "ztensor.neg" not in str(module)


@pytest.mark.parametrize(
    ("spec", "messages"),
    [
        (
            "canonicalize,nope",
            [
                "invalid pipeline 'canonicalize,nope': unknown pass 'nope'",
                "Ziggurat's passes (registered ones included) are bufferize, convert-to-llvm, "
                "cpu-pipeline, eqsat, ",
                "ztensor-to-ztile, ztile-to-nvvm, ztile-to-zloop, ztile-widen, plus ",
                "xDSL passes (`ziggurat-opt --help` lists every pass)",
            ],
        ),
        (
            "cpu-pipelin",
            ["unknown pass 'cpu-pipelin' (did you mean 'cpu-pipeline', 'gpu-pipeline'?)"],
        ),
        ("eqsat{bogus=1}", ['Provided arguments ["bogus"] not found', '"node_limit"']),
        ("cpu-pipeline{opt-level=fast}", ["invalid pipeline 'cpu-pipeline{opt-level=fast}'"]),
        ("canonicalize,,", ["Expected pass name here"]),
    ],
)
def test_parse_pipeline_errors(spec: str, messages: list[str]) -> None:
    with pytest.raises(PipelineError) as info:
        zg.parse_pipeline(spec)
    assert isinstance(info.value, zg.ZigguratError) and isinstance(info.value, ValueError)
    for message in messages:
        assert message in str(info.value)


# ---------------------------------------------------------------------------------------------
# zg.compile and Executable
# ---------------------------------------------------------------------------------------------

MLP = (ROOT / "examples" / "mlp.mlir").read_text()


def mlp_numpy(x: Any, w1: Any, b1: Any, w2: Any, b2: Any) -> Any:
    h = np.maximum(x @ w1 + b1, 0) @ w2 + b2
    e = np.exp(h - h.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_compile_text_and_module_agree_with_numpy() -> None:
    args = (rand(64, 128), rand(128, 256), rand(256), rand(256, 10), rand(10))
    exe = zg.compile(MLP, filename="mlp.mlir")
    assert isinstance(exe, zg.Executable)
    np.testing.assert_allclose(exe(*args), mlp_numpy(*args), rtol=1e-5, atol=1e-6)
    module = zg.parse_module(MLP)
    before = str(module)
    exe2 = zg.compile(module, opt_level=1, threads=1, cache=False)
    assert str(module) == before  # the input is not modified
    np.testing.assert_allclose(exe2(*args), mlp_numpy(*args), rtol=1e-5, atol=1e-6)
    assert 'define void @"mlp"(ptr' in exe2.llvm_ir and "mlp:" in exe2.asm()
    out = np.empty((64, 10), np.float32)
    assert exe2(*args, out) is out  # outputs may be passed after the inputs
    fresh = np.empty((64, 10), np.float32)
    assert exe2(*args, out=fresh) is fresh  # or as out=
    np.testing.assert_array_equal(fresh, out)
    with pytest.raises(zg.ArgumentError, match=r"\(output\): expected shape \(64, 10\)"):
        exe2(*args, out=np.empty((10, 64), np.float32))


TWO_FUNCTIONS = """
func.func @add1(%x: tensor<8xf64>) -> tensor<8xf64> {
  %c = ztensor.constant dense<1.0> : tensor<8xf64>
  %y = ztensor.add %x, %c : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  func.return %y : tensor<8xf64>
}
func.func @both(%x: tensor<8xf64>, %y: tensor<8xf64>) -> (tensor<8xf64>, tensor<8xf64>) {
  %s = ztensor.mul %x, %y : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  %t = ztensor.exp %x : tensor<8xf64>
  func.return %s, %t : tensor<8xf64>, tensor<8xf64>
}
func.func private @helper(%x: tensor<8xf64>) -> tensor<8xf64> {
  func.return %x : tensor<8xf64>
}
"""


def test_multiple_functions_and_entry() -> None:
    x, y = rand(8, dtype=np.float64), rand(8, dtype=np.float64)
    exe = zg.compile(TWO_FUNCTIONS)
    assert sorted(exe.signatures) == ["add1", "both"]
    with pytest.raises(zg.ZigguratError, match=r"2 public functions \(add1, both\): name one"):
        exe(x)
    np.testing.assert_allclose(exe.function("add1")(x), x + 1)
    s, t = exe.function("both")(x, y)
    np.testing.assert_allclose(s, x * y)
    np.testing.assert_allclose(t, np.exp(x))
    np.testing.assert_allclose(zg.compile(TWO_FUNCTIONS, entry="add1")(x), x + 1)
    with pytest.raises(KeyError, match=r"no public function @helper .*functions: add1, both"):
        exe.function("helper")


def test_compile_errors() -> None:
    with pytest.raises(DiagnosticError) as info:
        zg.compile(
            "func.func @f(%x: tensor<4xf32>) {\n  %y = ztensor.bogus %x\n}", filename="t.mlir"
        )
    assert "t.mlir:2:8: error: unknown operation 'ztensor.bogus'" in str(info.value)
    with pytest.raises(PipelineError, match="unknown pass 'nope'"):
        zg.compile(MLP, pipeline="canonicalize,nope")
    with pytest.raises(
        PipelineError,
        match=r"pipeline 'canonicalize' does not lower the module to the llvm dialect "
        r"\(func.func left at the top level\); a compiling pipeline must end with cpu-pipeline",
    ):
        zg.compile(MLP, pipeline="canonicalize", cache=False)
    bad_type = "func.func @f(%x: tensor<4xf32>) -> i32 {\n  %c = arith.constant 0 : i32\n  func.return %c : i32\n}"
    with pytest.raises(zg.ZigguratError, match="@f: result #0 has type i32; compiled functions"):
        zg.compile(bad_type)


# ---------------------------------------------------------------------------------------------
# Pass registration: decorator, entry points, plugin files
# ---------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _restore_registry() -> Any:
    """Passes registered and plugins loaded by a test are forgotten after it."""
    registered = dict(zuniverse._USER_PASSES)
    loaded = dict(zuniverse._LOADED_PLUGINS)
    yield
    zuniverse._USER_PASSES.clear()
    zuniverse._USER_PASSES.update(registered)
    zuniverse._LOADED_PLUGINS.clear()
    zuniverse._LOADED_PLUGINS.update(loaded)


class FoldNegNeg(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: zt.NegOp, rewriter: PatternRewriter) -> None:
        inner = op.input.owner
        if isinstance(inner, zt.NegOp):
            rewriter.replace(op, [], [inner.input])


@dataclass(frozen=True)
class FoldNegNegPass(ModulePass):
    """`test-fold-neg-neg`: neg(neg(x)) -> x."""

    name = "test-fold-neg-neg"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(FoldNegNeg()).rewrite_module(op)


def test_registered_pass_appears_everywhere_and_runs_inside_jit() -> None:
    assert "test-fold-neg-neg" not in zg.all_passes()
    assert zg.register_pass(FoldNegNegPass) is FoldNegNegPass  # usually a class decorator
    assert zg.all_passes()["test-fold-neg-neg"]() is FoldNegNegPass
    assert "test-fold-neg-neg" in zuniverse.get_all_passes()
    # eqsat would fold the negations too: leave it out to see the plug-in's work.
    pipeline = "canonicalize,test-fold-neg-neg,cpu-pipeline{eqsat=false}"
    assert [p.name for p in zg.parse_pipeline(pipeline).passes][1] == "test-fold-neg-neg"

    f = zg.jit(lambda x: zg.exp(-zg.negative(x)) * 2, pipeline=pipeline)
    x = rand(5, 7)
    lowered = f.lower(x)
    assert lowered.as_text("ztensor").count("ztensor.neg") == 2
    assert "ztensor.neg" not in lowered.as_text("eqsat")  # the module ztensor-to-ztile gets
    np.testing.assert_allclose(f(x), np.exp(x) * 2, rtol=1e-6)
    # Without the pass both negations are compiled.
    plain = zg.jit(
        lambda x: zg.exp(-zg.negative(x)) * 2, pipeline="canonicalize,cpu-pipeline{eqsat=false}"
    )
    assert plain.lower(x).as_text("eqsat").count("ztensor.neg") == 2


def test_register_pass_errors() -> None:
    @dataclass(frozen=True)
    class Nameless(ModulePass):
        name = ""

        def apply(self, ctx: Context, op: ModuleOp) -> None: ...

    @dataclass(frozen=True)
    class Clash(ModulePass):
        name = "cpu-pipeline"

        def apply(self, ctx: Context, op: ModuleOp) -> None: ...

    @dataclass(frozen=True)
    class XdslClash(ModulePass):
        name = "cse"

        def apply(self, ctx: Context, op: ModuleOp) -> None: ...

    with pytest.raises(ValueError, match="pass class Nameless has no `name`"):
        zg.register_pass(Nameless)
    with pytest.raises(ValueError, match="'cpu-pipeline' is already taken by a Ziggurat pass"):
        zg.register_pass(Clash)
    with pytest.raises(ValueError, match="'cse' is already taken by an xDSL pass"):
        zg.register_pass(XdslClash)
    with pytest.raises(TypeError, match="register_pass expects a ModulePass subclass"):
        zg.register_pass(int)  # type: ignore[type-var]


def test_entry_point_group_adds_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An installed package declares `[project.entry-points."ziggurat.passes"]
    # test-ep-marker = "test_ep_package:Marker"`; its module is imported on first use.
    (tmp_path / "test_ep_package.py").write_text(
        PLUGIN.replace("@zg.register_pass", "").replace("{name}", "test-ep-marker")
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    def fake_entry_points(group: str) -> list[EntryPoint]:
        assert group == "ziggurat.passes"
        return [EntryPoint(name="test-ep-marker", value="test_ep_package:Marker", group=group)]

    monkeypatch.setattr(zuniverse, "entry_points", fake_entry_points)
    assert "test_ep_package" not in sys.modules
    passes = zg.all_passes()
    assert "test_ep_package" not in sys.modules  # loaded lazily
    assert passes["test-ep-marker"]().name == "test-ep-marker"
    ir = zg.parse_module("func.func @f() {\n  func.return\n}")
    zg.parse_pipeline("test-ep-marker").apply(zg.make_context(), ir)
    assert "test.marked" in str(ir)
    monkeypatch.delitem(sys.modules, "test_ep_package")


def test_xdsl_universe_entry_points_add_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A package exporting `[project.entry-points."xdsl.universe"] mine = "test_universe:U"`
    # reaches xdsl-opt, ziggurat-opt and Ziggurat's pipeline strings.
    (tmp_path / "test_universe.py").write_text(
        PLUGIN.replace("@zg.register_pass", "").replace("{name}", "test-universe-marker")
        + "\nfrom xdsl.universe import Universe\n"
        + "U = Universe(all_passes={'test-universe-marker': lambda: Marker})\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    real = importlib.metadata.entry_points

    def fake_entry_points(group: str) -> Any:
        found = list(real(group=group))
        if group == "xdsl.universe":
            found.append(EntryPoint(name="mine", value="test_universe:U", group=group))
        return found

    monkeypatch.setattr(importlib.metadata, "entry_points", fake_entry_points)
    assert zg.all_passes()["test-universe-marker"]().name == "test-universe-marker"
    assert "cse" in zg.all_passes()  # xDSL's own universe is still there
    monkeypatch.delitem(sys.modules, "test_universe")


PLUGIN = """
from dataclasses import dataclass
from xdsl.passes import ModulePass
import ziggurat as zg

LOADS = globals().get("LOADS", 0) + 1


@zg.register_pass
@dataclass(frozen=True)
class Marker(ModulePass):
    name = "{name}"

    def apply(self, ctx, op):
        op.attributes["test.marked"] = op.attributes.get("test.marked") or __import__(
            "xdsl.dialects.builtin", fromlist=["UnitAttr"]).UnitAttr()
"""


def test_plugin_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = tmp_path / "marker_plugin.py"
    first.write_text(PLUGIN.replace("{name}", "test-plugin-marker"))
    module = load_plugin(str(first))
    assert module.__name__.startswith("ziggurat_plugin_marker_plugin_")
    assert load_plugin(str(first)) is module  # loaded once
    assert "test-plugin-marker" in zg.all_passes()
    ir = zg.parse_module("func.func @f() {\n  func.return\n}")
    zg.parse_pipeline("test-plugin-marker").apply(zg.make_context(), ir)
    assert "test.marked" in str(ir)

    second = tmp_path / "env_plugin.py"
    second.write_text(PLUGIN.replace("{name}", "test-plugin-env"))
    monkeypatch.setenv("ZIGGURAT_PLUGINS", f"{second}{os.pathsep}")
    assert "test-plugin-env" in zg.all_passes()  # get_all_passes loads $ZIGGURAT_PLUGINS

    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('boom')\n")
    monkeypatch.delenv("ZIGGURAT_PLUGINS")
    with pytest.raises(PluginError, match=r"broken.py' failed to import: RuntimeError: boom"):
        load_plugins([str(broken)])
    with pytest.raises(PluginError, match="no such file"):
        load_plugin(str(tmp_path / "missing.py"))
    with pytest.raises(PluginError, match=r"expected a \.py file"):
        load_plugin(str(tmp_path))
    assert plugin_paths(["a.mlir", "--load-plugin", "p.py", "--load-plugin=q.py", "-p", "x"]) == [
        "p.py",
        "q.py",
    ]


def test_plugin_shows_up_in_ziggurat_opt(tmp_path: Path) -> None:
    plugin = tmp_path / "opt_plugin.py"
    plugin.write_text(PLUGIN.replace("{name}", "test-opt-marker"))
    source = tmp_path / "in.mlir"
    source.write_text("func.func @f() {\n  func.return\n}\n")
    env = {**os.environ, "ZIGGURAT_PLUGINS": str(plugin)}
    helptext = subprocess.run(
        ["ziggurat-opt", "--help"], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "test-opt-marker" in helptext
    out = subprocess.run(
        ["ziggurat-opt", str(source), "-p", "test-opt-marker"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "test.marked" in out


def test_cache_fingerprint_follows_user_pass_sources(tmp_path: Path) -> None:
    plugin = tmp_path / "fp_plugin.py"
    plugin.write_text(PLUGIN.replace("{name}", "test-fp-marker"))
    load_plugin(str(plugin))
    pipeline = zg.parse_pipeline("canonicalize,test-fp-marker")
    before = pipeline_fingerprint(pipeline)
    assert pipeline_fingerprint(zg.parse_pipeline("canonicalize,test-fp-marker")) == before
    plugin.write_text(plugin.read_text() + "\n# edited\n")
    assert pipeline_fingerprint(pipeline) != before
    rules = tmp_path / "rules.txt"
    rules.write_text("x")
    with_file = zg.parse_pipeline(f'eqsat{{rules-file="{rules}"}}')
    stamp = pipeline_fingerprint(with_file)
    rules.write_text("xy")
    assert pipeline_fingerprint(with_file) != stamp


# ---------------------------------------------------------------------------------------------
# zg.jit on the compiled backend: options, stages, layouts, errors
# ---------------------------------------------------------------------------------------------


def test_compiled_backend_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    jit_module = sys.modules["ziggurat.jit"]
    assert isinstance(jit_module.default_backend(), CompiledBackend)
    assert jit_module.DEFAULT_BACKEND is jit_module.default_backend()
    f = zg.jit(lambda x: x * 3)
    assert f.lower(rand(2)).backend is jit_module.DEFAULT_BACKEND
    monkeypatch.setattr(jit_module, "DEFAULT_BACKEND", InterpreterBackend())
    assert isinstance(f.lower(rand(2)).backend, InterpreterBackend)
    np.testing.assert_allclose(f(np.ones(2)), [3.0, 3.0])


def test_options_flow_into_the_pipeline() -> None:
    backend = CompiledBackend()
    width = zg.Target.default().vector_width()
    assert backend.pipeline_spec(JitOptions(opt_level=1, eqsat=False)) == (
        f"cpu-pipeline{{opt-level=1 vector-width={width} eqsat=false}}"
    )
    # eqsat is part of the default pipeline: zg.jit's default is zg.compile's default.
    assert backend.pipeline_spec(JitOptions()) == (
        f"cpu-pipeline{{opt-level=3 vector-width={width}}}"
    )
    assert backend.pipeline_spec(JitOptions(pipeline="canonicalize,cpu-pipeline")) == (
        "canonicalize,cpu-pipeline"
    )
    f = zg.jit(lambda x, y: zg.sum(x * y, axis=0), opt_level=1, eqsat=False, threads=1)
    x, y = rand(33, 17), rand(33, 17)
    lowered = f.lower(x, y)
    assert "ziggurat.opt_level = 1 : i64" in lowered.as_text("llvm-dialect")
    np.testing.assert_allclose(f(x, y), (x * y).sum(axis=0), rtol=1e-5)
    compiled = lowered.compile()
    np.testing.assert_allclose(compiled(x, y), (x * y).sum(axis=0), rtol=1e-5)


def test_every_stage_of_the_default_pipeline() -> None:
    f = zg.jit(lambda x, w: zg.softmax(zg.relu(x @ w + 1.0)))
    x, w = rand(8, 16), rand(16, 32)
    lowered = f.lower(x, w)
    texts = {stage: lowered.as_text(stage) for stage in STAGES}
    assert "ztensor.matmul" in texts["ztensor"]
    assert "func.func @lambda" in texts["eqsat"] and "ztile" not in texts["eqsat"]
    assert "ztile.grid" in texts["ztile"]
    assert "zloop." in texts["zloop"] and "ztile." not in texts["zloop"]
    assert "llvm.func @lambda" in texts["llvm-dialect"] and "zloop." not in texts["llvm-dialect"]
    assert 'define void @"lambda"(ptr' in texts["llvm"]
    assert "lambda:" in texts["asm"] and ("vfmadd" in texts["asm"] or "vmul" in texts["asm"])
    with pytest.raises(ValueError, match="unknown stage 'mlir'; the stages are ztensor, eqsat"):
        lowered.as_text("mlir")


def test_stages_follow_a_custom_pipeline() -> None:
    x = rand(4, 4)
    explicit = zg.jit(
        lambda x: zg.tanh(x) + 1.0,
        pipeline="canonicalize,ztensor-to-ztile,bufferize,ztile-to-zloop,convert-to-llvm",
    )
    lowered = explicit.lower(x)
    assert "ztile.grid" in lowered.as_text("ztile")
    assert "zloop." in lowered.as_text("zloop")
    np.testing.assert_allclose(explicit(x), np.tanh(x) + 1, rtol=1e-6)

    stops_early = zg.jit(lambda x: zg.tanh(x) + 1.0, pipeline="canonicalize,ztensor-to-ztile")
    lowered = stops_early.lower(x)
    assert "ztile.grid" in lowered.as_text("ztile")
    with pytest.raises(
        StageUnavailableError,
        match=r"stage 'zloop' is not reached by the pipeline 'canonicalize,ztensor-to-ztile' "
        r"\(it reaches ztensor, eqsat, ztile\)",
    ):
        lowered.as_text("zloop")
    with pytest.raises(PipelineError, match="does not lower the module to the llvm dialect"):
        stops_early(x)


def test_bad_pipeline_in_jit() -> None:
    f = zg.jit(lambda x: x + 1, pipeline="canonicalize,not-a-pass,cpu-pipeline")
    with pytest.raises(PipelineError, match="unknown pass 'not-a-pass'"):
        f(rand(3))
    with pytest.raises(PipelineError, match="unknown pass 'not-a-pass'"):
        f.lower(rand(3)).as_text("ztile")
    assert f.lower(rand(3)).as_text("ztensor")  # the traced input needs no pipeline


def test_f_contiguous_inputs_are_read_in_place_and_strided_ones_copied() -> None:
    f = zg.jit(lambda a, b, c: (a @ b + c.sum(axis=0), c * 2.0))
    a, b, c = rand(5, 7), rand(7, 3), rand(4, 5, 3)
    want = (a @ b + c.sum(axis=0), c * 2)
    strided = rand(14, 6)[::2, ::2][:, :3]
    for args in [
        (np.asfortranarray(a), b, c),
        (a, np.asfortranarray(b), np.asfortranarray(c)),
        (a.T.copy().T, b.T.copy().T, c),  # F-contiguous views of transposes
        (a, strided, c),  # neither C- nor F-contiguous: copied to row-major at the call
    ]:
        want = (args[0] @ args[1] + args[2].sum(axis=0), args[2] * 2)
        for g, w in zip(f(*args), want, strict=True):
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
            assert g.flags.c_contiguous
    assert f.cache_info().currsize == 4  # each layout combination specializes separately
    lowered = f.lower(*args[:1], b, np.asfortranarray(c))
    assert '{ziggurat.layout = "col_major"}' in lowered.as_text()
    assert "ztensor.transpose %2 {permutation = array<i64: 2, 1, 0>}" in lowered.as_text("eqsat")


# ---------------------------------------------------------------------------------------------
# The examples
# ---------------------------------------------------------------------------------------------


def _run_example(*args: str) -> str:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert time.perf_counter() - start < 60
    return out.stdout


def test_quickstart_example_runs() -> None:
    out = _run_example("examples/quickstart.py", "--quick")
    assert "MLP 16x32 -> 16 -> 10 (float32): matches numpy" in out
    assert "us per call" in out and "numpy:" in out


def test_custom_pass_example_runs() -> None:
    out = _run_example("examples/custom_pass.py", "--quick")
    assert "result matches numpy" in out
    assert "ziggurat-opt in.mlir -p div-to-mul" in out


def test_mlp_mlir_example_runs_with_check() -> None:
    out = subprocess.run(
        ["ziggurat-run", "examples/mlp.mlir", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "check: OK" in out.stdout


def test_tutorial_commands_work(tmp_path: Path) -> None:
    """Every file and shell command of docs/tutorial-custom-pass.md, run in order."""
    text = (ROOT / "docs" / "tutorial-custom-pass.md").read_text()
    commands = []
    saved = []
    for block in re.finditer(r"```(\w*)\n(.*?)```", text, re.S):
        lang, body = block.groups()
        before = text[max(0, block.start() - 400) : block.start()]
        names = re.findall(r"(?:[Ss]ave (?:this )?as|next to the test,)\s+`([\w.]+)`", before)
        if lang in ("mlir", "python") and names:
            (tmp_path / names[-1]).write_text(body)
            saved.append(names[-1])
        elif lang == "sh" and not body.startswith("mkdir"):
            commands.append(body)
    assert saved == [
        "scale.mlir",
        "div_to_mul.py",
        "use_it.py",
        "div_to_mul.mlir",
        "lit.cfg.py",
        "test_div_to_mul.py",
    ]
    commands.append("python use_it.py\n")
    bins = [os.environ.get("ZIGGURAT_TEST_BIN"), str(Path(sys.executable).parent)]  # conftest.py
    env = {**os.environ, "PATH": os.pathsep.join([*filter(None, bins), os.environ["PATH"]])}
    out = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", "".join(commands)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "check: OK" in out.stdout
    assert "PASS: mine :: div_to_mul.mlir" in out.stdout
    assert "4 passed" in out.stdout


# ---------------------------------------------------------------------------------------------
# One error model: every user mistake is a ZigguratError
# ---------------------------------------------------------------------------------------------


def test_error_hierarchy() -> None:
    assert issubclass(zg.DiagnosticError, zg.CompileError)
    assert issubclass(zg.UnsupportedError, zg.DiagnosticError)
    assert issubclass(zg.CompileError, zg.ZigguratError)
    assert issubclass(zg.PassOptionError, zg.PipelineError)
    assert issubclass(zg.PipelineError, ValueError)
    assert issubclass(zg.ArgumentError, TypeError) and issubclass(zg.ArgumentError, ValueError)
    assert zg.DiagnosticError is DiagnosticError
    assert zg.PipelineError is PipelineError
    assert issubclass(zg.ZigguratTraceError, zg.ZigguratError)
    assert issubclass(zg.StageUnavailableError, zg.ZigguratError)


def _unary(ty: str) -> str:
    return (
        f"func.func @f(%a: tensor<{ty}>) -> tensor<{ty}> {{\n"
        f"  %0 = ztensor.exp %a : tensor<{ty}>\n  func.return %0 : tensor<{ty}>\n}}\n"
    )


@pytest.mark.parametrize(
    ("source", "error", "message"),
    [
        (
            "func.func @f(%a: tensor<4x8xindex>) -> tensor<4x8xindex> {\n"
            "  func.return %a : tensor<4x8xindex>\n}\n",
            zg.UnsupportedError,
            "t.mlir:1:1: error: 'func.func' op @f: argument #0 has type tensor<4x8xindex>: "
            "cpu-pipeline does not support element type index",
        ),
        (_unary("0x8xf32"), zg.UnsupportedError, "does not support zero-size tensors"),
        (
            "func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {\n"
            "  %0 = ztensor.exp %a : tensor<4xf32>\n"
            "  %1 = arith.constant 1.0 : f80\n  func.return %0 : tensor<4xf32>\n}\n",
            zg.UnsupportedError,
            "t.mlir:3:8: error: 'arith.constant' op result #0 has type f80",
        ),
        (_unary("4xf32").replace("ztensor.exp", "ztensor.frob"), zg.DiagnosticError, "t.mlir:2:8"),
    ],
)
def test_compile_raises_located_zigguraterrors(source: str, error: type, message: str) -> None:
    with pytest.raises(error) as info:
        zg.compile(source, filename="t.mlir", cache=False)
    assert message in str(info.value)
    assert isinstance(info.value, zg.ZigguratError)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"threads": "4"}, zg.ArgumentError, "threads must be None or an int >= 1, got '4'"),
        ({"threads": 0}, zg.ArgumentError, "threads must be None or an int >= 1"),
        ({"opt_level": 9}, zg.ArgumentError, "opt_level must be an int in 0..3, got 9"),
        ({"pipeline": 3}, zg.ArgumentError, "pipeline must be None or a str"),
        ({"target": "avx2"}, zg.ArgumentError, "target must be None or a zg.Target"),
        (
            {"pipeline": "cpu-pipeline{opt-level=9}"},
            zg.PassOptionError,
            "pass 'cpu-pipeline', option 'opt-level': must be 0..3, got 9",
        ),
        (
            {"pipeline": "ztensor-to-ztile{tile-sizes=0,0,0},cpu-pipeline"},
            zg.PassOptionError,
            "option 'tile-sizes'",
        ),
        ({"pipeline": "eqsat{extractor=foo},cpu-pipeline"}, zg.PassOptionError, "'extractor'"),
        (
            {"pipeline": "bufferize,cpu-pipeline"},
            zg.DiagnosticError,
            "<string>:5:8: error: 'ztensor.matmul' op is not lowered yet: 'bufferize'",
        ),
    ],
)
def test_compile_argument_and_pipeline_errors(kwargs: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        zg.compile(MLP, cache=False, **kwargs)


def test_pass_option_error_names_the_pass_and_the_option() -> None:
    with pytest.raises(zg.PassOptionError) as info:
        zg.parse_pipeline("canonicalize,eqsat{node-limit=-1}")
    assert (info.value.pass_name, info.value.option) == ("eqsat", "node-limit")
    with pytest.raises(zg.PassOptionError) as info:
        zg.parse_pipeline("cpu-pipeline{opt-level=4}")
    assert (info.value.pass_name, info.value.option) == ("cpu-pipeline", "opt-level")


def test_memref_function_without_results_compiles_and_runs_in_place() -> None:
    source = (
        "func.func @f(%a: memref<4xf32>, %b: memref<4xf32>) {\n"
        "  %c0 = arith.constant 0 : index\n  %v = memref.load %a[%c0] : memref<4xf32>\n"
        "  memref.store %v, %b[%c0] : memref<4xf32>\n  func.return\n}\n"
    )
    exe = zg.compile(source, cache=False)
    a, b = np.arange(4, dtype=np.float32) + 1, np.zeros(4, np.float32)
    assert exe(a, b) is None
    np.testing.assert_array_equal(b, [1, 0, 0, 0])


# ---------------------------------------------------------------------------------------------
# One default pipeline
# ---------------------------------------------------------------------------------------------


def test_default_pipeline_includes_eqsat_and_is_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    from ziggurat import driver
    from ziggurat.cpu_pipeline import CpuPipelinePass

    inner = [p.name for p in CpuPipelinePass().inner_passes()]
    assert inner == [
        "linalg-to-ztensor",
        "canonicalize",
        "eqsat",
        "ztensor-to-ztile",
        "linalg-to-zloop",
        "bufferize",
        "ztile-to-zloop",
        "zloop-parallelize",
        "canonicalize",
        "convert-to-llvm",
        "record-opt-level",
    ]
    assert "eqsat" not in [p.name for p in CpuPipelinePass(eqsat=False).inner_passes()]
    seen: list[str] = []
    original = driver.lower_to_llvm_ir

    def spy(module: ModuleOp, pipeline: Any = driver.DEFAULT_PIPELINE, *rest: Any) -> str:
        seen.append(pipeline)
        return original(module, pipeline, *rest)

    monkeypatch.setattr(driver, "lower_to_llvm_ir", spy)
    zg.compile(MLP, cache=False)
    assert seen == [CompiledBackend().pipeline_spec(JitOptions())]
    assert "eqsat" not in seen[0]  # on by default, so not spelled out
    assert CompiledBackend().pipeline_spec(JitOptions(eqsat=False)).endswith(" eqsat=false}")


def test_default_pipeline_fuses_with_eqsat() -> None:
    f = zg.jit(lambda x: zg.exp(-zg.negative(x)) * 2)
    x = rand(5, 7)
    assert "ztensor.fused" in f.lower(x).as_text("eqsat")
    np.testing.assert_allclose(f(x), np.exp(x) * 2, rtol=1e-6)
