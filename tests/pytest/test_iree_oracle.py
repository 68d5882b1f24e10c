"""IREE as an independent oracle: every torch-mlir fixture (tests/interop/fixtures), compiled by
IREE for the host CPU and by Ziggurat's default pipeline, gives the same results on random
inputs. Needs the `interop` extra (iree-base-compiler, iree-base-runtime); skipped without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from xdsl.dialects import func

import ziggurat as zg
from ziggurat.parsing import parse_file

ireec = pytest.importorskip(
    "iree.compiler", reason="IREE is not installed (pip install -e '.[interop]')"
)
ireert = pytest.importorskip(
    "iree.runtime", reason="IREE's runtime is not installed (pip install -e '.[interop]')"
)

FIXTURES = Path(__file__).resolve().parents[1] / "interop" / "fixtures"
FIXTURE_FILES = sorted(FIXTURES.glob("*.mlir"))
IREE_FLAGS = ["--iree-llvmcpu-target-cpu=host"]


def iree_function(text: str, name: str = "main") -> Any:
    """`name` of `text` compiled by IREE for the host CPU (`llvm-cpu`), as a callable."""
    vmfb = ireec.compile_str(text, target_backends=["llvm-cpu"], extra_args=IREE_FLAGS)
    context = ireert.SystemContext(config=ireert.Config("local-task"))
    context.add_vm_module(ireert.VmModule.copy_buffer(context.instance, vmfb))
    return context.modules.module[name]


def _argument_shapes(path: Path) -> list[tuple[int, ...]]:
    module = parse_file(str(path))
    (main,) = [op for op in module.ops if isinstance(op, func.FuncOp)]
    return [tuple(t.get_shape()) for t in main.function_type.inputs.data]  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_ziggurat_matches_iree(path: Path) -> None:
    text = path.read_text()
    ours = zg.compile(text)
    theirs = iree_function(text)
    rng = np.random.default_rng(21)
    for _ in range(2):
        args = [rng.standard_normal(s).astype(np.float32) for s in _argument_shapes(path)]
        expected = np.asarray(theirs(*args).to_host())
        got = ours(*args)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
