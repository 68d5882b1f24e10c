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
