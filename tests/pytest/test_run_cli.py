"""`ziggurat-run`: runs, checks, benchmarks, and fails with one clear line on bad input."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
MLP = ROOT / "examples" / "mlp.mlir"

ADD = """
func.func @add(%a: tensor<3x4xf32>, %b: tensor<4xf32>) -> tensor<3x4xf32> {
  %0 = ztensor.add %a, %b : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  func.return %0 : tensor<3x4xf32>
}
func.func @twice(%a: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %0 = ztensor.exp %a : tensor<3xf32>
  func.return %0, %a : tensor<3xf32>, tensor<3xf32>
}
"""


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ziggurat-run", *map(str, args)], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def add_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("run") / "add.mlir"
    path.write_text(ADD)
    return path


def test_inputs_output_and_check(add_file: Path, tmp_path: Path) -> None:
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = np.array([1, 2, 3, 4], dtype=np.float32)
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    out = tmp_path / "out.npy"
    r = run(
        add_file,
        "--entry",
        "add",
        "--input",
        tmp_path / "a.npy",
        "--input",
        tmp_path / "b.npy",
        "--check",
        "--bench",
        "3",
        "-o",
        out,
    )
    assert r.returncode == 0, r.stderr
    assert "result 0: float32[3, 4]" in r.stdout
    assert "check: OK" in r.stdout and "bench: 3 runs, median" in r.stdout
    np.testing.assert_array_equal(np.load(out), a + b)


def test_several_results_to_npz(add_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.npz"
    r = run(add_file, "--entry", "twice", "--seed", "3", "--check", "-o", out)
    assert r.returncode == 0, r.stderr
    saved = np.load(out)
    np.testing.assert_allclose(saved["arr_0"], np.exp(saved["arr_1"]), rtol=1e-6)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--entry", "nope"], "no public function @nope (functions: add, twice)"),
        ([], "several public functions (add, twice): pick one with --entry"),
        (
            ["--entry", "add", "--input", "missing.npy", "--input", "x.npy"],
            "missing.npy: no such file",
        ),
        (["--entry", "add", "--input", "only-one.npy"], "@add takes 2 inputs, got 1 --input files"),
    ],
)
def test_errors_are_one_line(add_file: Path, args: list[str], message: str) -> None:
    r = run(add_file, *args)
    assert r.returncode == 1
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_wrong_input_shape_and_bad_npy(add_file: Path, tmp_path: Path) -> None:
    np.save(tmp_path / "a.npy", np.zeros((4, 3), np.float32))
    np.save(tmp_path / "b.npy", np.zeros(4, np.float32))
    r = run(
        add_file, "--entry", "add", "--input", tmp_path / "a.npy", "--input", tmp_path / "b.npy"
    )
    assert r.returncode == 1
    assert "input 0 of @add must be float32[3, 4], got float32[4, 3]" in r.stderr
    (tmp_path / "bad.npy").write_bytes(b"not numpy")
    r = run(
        add_file, "--entry", "add", "--input", tmp_path / "bad.npy", "--input", tmp_path / "b.npy"
    )
    assert r.returncode == 1 and "not a readable .npy file" in r.stderr
    assert "Traceback" not in r.stderr


def test_missing_file_and_parse_error(tmp_path: Path) -> None:
    r = run(tmp_path / "nope.mlir")
    assert r.returncode == 1 and "nope.mlir: no such file" in r.stderr
    bad = tmp_path / "bad.mlir"
    bad.write_text("func.func @f(%a: tensor<3xf32>) -> tensor<3xf32> {\n  %0 = ztensor.frob %a\n")
    r = run(bad)
    assert r.returncode == 1
    assert f"{bad}:2:" in r.stderr and "error:" in r.stderr
    assert "Traceback" not in r.stderr


# ---------------------------------------------------------------------------------------------
# Unsupported input, resources and option values: located or one-line errors, never tracebacks
# ---------------------------------------------------------------------------------------------

UNARY = """func.func @f(%a: tensor<{shape}x{ty}>) -> tensor<{shape}x{ty}> {{
  %0 = ztensor.exp %a : tensor<{shape}x{ty}>
  func.return %0 : tensor<{shape}x{ty}>
}}
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "func.func @f(%a: tensor<4x8xindex>) -> tensor<4x8xindex> {\n"
            "  func.return %a : tensor<4x8xindex>\n}\n",
            "1:1: error: 'func.func' op @f: argument #0 has "
            "type tensor<4x8xindex>: cpu-pipeline does not support element type index",
        ),
        (UNARY.format(shape="0x8", ty="f32"), "does not support zero-size tensors"),
        (
            "func.func @f(%a: tensor<?x4xf32>, %c: tensor<4x4xf32>) -> tensor<4x4xf32> {\n"
            "  %0 = linalg.add ins(%c, %c : tensor<4x4xf32>, tensor<4x4xf32>) "
            "outs(%a : tensor<?x4xf32>) -> tensor<4x4xf32>\n"
            "  func.return %0 : tensor<4x4xf32>\n}\n",
            "1:1: error: 'func.func' op @f: argument #0 has type tensor<?x4xf32>",
        ),
        (
            "func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {\n"
            "  %e = tensor.empty() : tensor<4xf32>\n"
            "  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, "
            'affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} '
            "ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) {\n"
            "  ^bb0(%x: f32, %o: f32):\n"
            "    %b = arith.bitcast %x : f32 to i32\n"
            "    %f = arith.sitofp %b : i32 to f32\n"
            "    linalg.yield %f : f32\n"
            "  } -> tensor<4xf32>\n"
            "  func.return %0 : tensor<4xf32>\n}\n",
            "3:8: error: 'linalg.generic' op is not supported by cpu-pipeline: the body op "
            "'arith.bitcast' has no loop lowering",
        ),
    ],
)
def test_unsupported_input_is_located(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "u.mlir"
    path.write_text(text)
    r = run(path, "--check")
    assert r.returncode == 1
    assert r.stderr.startswith(f"{path}:"), r.stderr
    assert message in r.stderr.splitlines()[0]
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr


INPLACE = """func.func @f(%a: memref<4xf32>, %b: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %v = memref.load %a[%c0] : memref<4xf32>
  memref.store %v, %b[%c0] : memref<4xf32>
  func.return
}
"""


def test_memref_function_without_results(tmp_path: Path) -> None:
    path = tmp_path / "inplace.mlir"
    path.write_text(INPLACE)
    np.save(tmp_path / "a.npy", np.arange(4, dtype=np.float32) + 1)
    np.save(tmp_path / "b.npy", np.zeros(4, np.float32))
    out = tmp_path / "out.npz"
    inputs: list[str | Path] = ["--input", tmp_path / "a.npy", "--input", tmp_path / "b.npy"]
    r = run(path, *inputs, "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "@f returns nothing; it updated its memref arguments in place:",
        "argument 0: float32[4]",
        "argument 1: float32[4]",
    ]
    with np.load(out) as saved:
        np.testing.assert_array_equal(saved["arr_1"], [1, 0, 0, 0])
    r = run(path, *inputs, "--check")
    assert r.returncode == 0, r.stderr
    assert "check: OK, matches the reference interpreter" in r.stdout
    # The check compares the memref arguments after the call: a miscompiled store fails it.
    plugin = tmp_path / "break_stores.py"
    plugin.write_text(BREAK_STORES)
    r = run(path, *inputs, "--check", "--load-plugin", plugin, "-p", "break-stores,cpu-pipeline")
    assert r.returncode == 1
    assert "check failed: result 1 differs from the reference interpreter" in r.stderr
    assert "Traceback" not in r.stderr


BREAK_STORES = """
from dataclasses import dataclass

from xdsl.dialects import arith, memref
from xdsl.dialects.builtin import FloatAttr, f32
from xdsl.passes import ModulePass

from ziggurat.universe import register_pass


@register_pass
@dataclass(frozen=True)
class BreakStores(ModulePass):
    name = "break-stores"

    def apply(self, ctx, op):
        for store in [o for o in op.walk() if isinstance(o, memref.StoreOp)]:
            seven = arith.ConstantOp(FloatAttr(7.0, f32))
            store.parent_block().insert_op_before(seven, store)
            store.operands[0] = seven.result
"""


def test_input_too_large_for_memory_is_rejected_before_allocating(tmp_path: Path) -> None:
    import os

    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    if memory >= 2**40:
        pytest.skip("this machine has 1 TiB of memory or more")
    path = tmp_path / "huge.mlir"
    path.write_text(UNARY.format(shape="131072x1048576", ty="f32"))  # 512 GiB
    r = run(path)
    assert r.returncode == 1
    first = r.stderr.splitlines()[0]
    assert first.startswith(f"{path}:1:1: error: 'func.func' op argument #0 "), first
    assert "needs 512.0 GiB, more than this machine's" in first
    assert "Traceback" not in r.stderr


def test_unwritable_output_fails_before_compiling(add_file: Path, tmp_path: Path) -> None:
    r = run(add_file, "--entry", "add", "-o", "/nonexistent/out.npy")
    assert r.returncode == 1
    assert r.stderr == (
        "ziggurat-run: error: cannot write '/nonexistent/out.npy': no such directory "
        "'/nonexistent'\n"
    )
    r = run(add_file, "--entry", "twice", "-o", tmp_path / "two.npy")
    assert r.returncode == 1
    assert "has 2 results: write them to a .npz file" in r.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bench", "-5"], "argument --bench: must be >= 0, got -5"),
        (["--rtol", "nan"], "argument --rtol: must be a finite number >= 0, got nan"),
        (["--atol", "-1"], "argument --atol: must be a finite number >= 0, got -1"),
        (["--threads", "0"], "argument --threads: must be >= 1, got 0"),
        (["-p", "cpu-pipeline{opt-level=9}"], "pass 'cpu-pipeline', option 'opt-level': must be"),
        (["-p", "nope,cpu-pipeline"], "unknown pass 'nope'"),
        (["-p", "cpu-pipeline", "--no-eqsat"], "--no-eqsat changes the default pipeline"),
        (["--load-plugin", "/no/such/plugin.py"], "plugin '/no/such/plugin.py': no such file"),
    ],
)
def test_bad_option_values_exit_2(add_file: Path, args: list[str], message: str) -> None:
    r = run(add_file, "--entry", "add", *args)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_pipeline_override_no_eqsat_and_plugins(add_file: Path) -> None:
    for args in (
        ["--no-eqsat"],
        ["-p", "canonicalize,cpu-pipeline{eqsat=false}"],
        ["--load-plugin", ROOT / "examples" / "custom_pass.py", "-p", "div-to-mul,cpu-pipeline"],
    ):
        r = run(add_file, "--entry", "add", "--check", *args)
        assert r.returncode == 0, (args, r.stderr)
        assert "check: OK" in r.stdout
    r = run(add_file, "--entry", "add", "-p", "canonicalize")
    assert r.returncode == 1
    assert "does not lower the module to the llvm dialect" in r.stderr


def test_internal_errors_are_one_line_with_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], add_file: Path
) -> None:
    from ziggurat import driver
    from ziggurat.tools import run as run_tool

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(driver, "compile", crash)
    with pytest.raises(SystemExit) as info:
        run_tool.main([str(add_file), "--entry", "add"])
    assert info.value.code == 3
    assert capsys.readouterr().err == (
        "ziggurat-run: internal error: KeyError: 'boom'\n"
        "ziggurat-run: note: this is a bug; rerun with --traceback to see where\n"
    )


def test_check_compares_infinities_and_nans_exactly() -> None:
    """An infinity in the reference result must not make the tolerance infinite."""
    from ziggurat.tools.run import RunError, _check

    want = [np.array([np.inf, 1.0, np.nan], np.float32)]
    assert _check([want[0].copy()], want, 1e-4, 1e-5) == 0.0
    for bad in ([np.inf, 2.0, np.nan], [-np.inf, 1.0, np.nan], [np.inf, 1.0, 0.0]):
        with pytest.raises(RunError, match="check failed"):
            _check([np.array(bad, np.float32)], want, 1e-4, 1e-5)


def test_check_of_a_function_with_nothing_to_compare(tmp_path: Path) -> None:
    """No results and no memref arguments: --check says there is nothing to compare (and
    does not interpret a huge grid; the fuzzer found a MemoryError there)."""
    path = tmp_path / "empty.mlir"
    path.write_text("func.func @f() {\n  ztile.grid [2, 100000000] {\n  }\n  func.return\n}\n")
    r = run(path, "--check")
    assert r.returncode == 1, r.stderr
    assert r.stdout.splitlines() == ["@f returns nothing and has no memref arguments"]
    assert "cannot --check @f: it has no results and no memref arguments" in r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr


def test_bfloat16_npy_files_are_read_as_bfloat16(tmp_path: Path) -> None:
    """numpy saves an ml_dtypes.bfloat16 array as raw 2-byte records ('|V2'): such a file is
    a bf16 input; the bf16 result file holds the same records."""
    import ml_dtypes

    path = tmp_path / "b.mlir"
    path.write_text(UNARY.format(shape="7x13", ty="bf16"))
    x = np.random.default_rng(1).standard_normal((7, 13)).astype(ml_dtypes.bfloat16)
    np.save(tmp_path / "x.npy", x)
    assert np.load(tmp_path / "x.npy").dtype == np.dtype("V2")
    out = tmp_path / "out.npy"
    r = run(path, "--input", tmp_path / "x.npy", "--check", "-o", out)
    assert r.returncode == 0, r.stderr
    assert "result 0: bfloat16[7, 13]" in r.stdout and "check: OK" in r.stdout
    got = np.load(out).view(ml_dtypes.bfloat16)
    np.testing.assert_allclose(got.astype(np.float32), np.exp(x.astype(np.float32)), rtol=2e-2)


def test_float16_inputs_output_and_check(tmp_path: Path) -> None:
    """f16 .npy inputs run and --check compares with the reference interpreter (within two
    ulps of f16, as the f32 polynomials may round a value to a neighbour); random f16 inputs
    too; an input of another dtype is refused."""
    path = tmp_path / "h.mlir"
    path.write_text(UNARY.format(shape="7x13", ty="f16"))
    x = np.random.default_rng(0).standard_normal((7, 13)).astype(np.float16)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "out.npy"
    r = run(path, "--input", tmp_path / "x.npy", "--check", "-o", out)
    assert r.returncode == 0, r.stderr
    assert "result 0: float16[7, 13]" in r.stdout and "check: OK" in r.stdout
    got = np.load(out)
    assert got.dtype == np.float16
    np.testing.assert_allclose(got, np.exp(x.astype(np.float32)), rtol=2e-3)
    r = run(path, "--check")
    assert r.returncode == 0 and "check: OK" in r.stdout, r.stderr
    np.save(tmp_path / "x32.npy", x.astype(np.float32))
    r = run(path, "--input", tmp_path / "x32.npy")
    assert r.returncode == 1
    assert "must be float16[7, 13], got float32[7, 13]" in r.stderr


def test_autotune_times_refits_and_runs_the_tuned_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZIGGURAT_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out.npy"
    r = run(MLP, "--autotune", "--check", "-o", out)
    assert r.returncode == 0, r.stderr
    first = r.stdout.splitlines()[0]
    assert first.startswith(
        "autotune: timed 3 kernel(s) over 5 profiled runs; model refit 1 time(s)"
    )
    assert "from 3 sample(s)" in first and first.endswith("compiled under it")
    assert "check: OK" in r.stdout
    plain = tmp_path / "plain.npy"
    assert run(MLP, "-o", plain).returncode == 0
    np.testing.assert_allclose(np.load(out), np.load(plain), rtol=1e-5, atol=1e-6)
    # Profiled once: the second run compiles under the model at once.
    r = run(MLP, "--autotune")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("autotune: already profiled; model refit 1 time(s) from 3 sample(s)")


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["-p", "cpu-pipeline"], "-p"),
        (["--target", "avx2"], "--target"),
        (["--device", "cuda"], "--device cuda"),
    ],
)
def test_autotune_refuses_other_pipelines(args: list[str], flag: str) -> None:
    r = run(MLP, "--autotune", *args)
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "ziggurat-run: error: --autotune compiles the default pipeline for the host; it "
        f"cannot be combined with {flag}"
    )


def test_autotune_of_a_memref_function_says_there_is_nothing_to_time(tmp_path: Path) -> None:
    path = tmp_path / "inplace.mlir"
    path.write_text(INPLACE)
    r = run(path, "--autotune")
    assert r.returncode == 1
    assert "--autotune times ztensor kernels; @f works on memrefs in place" in r.stderr
