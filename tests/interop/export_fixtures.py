"""Regenerate the linalg-on-tensors fixtures in tests/interop/fixtures/ with torch-mlir.

Each fixture is a small PyTorch module exported with
`torch_mlir.fx.export_and_import(module, *inputs, output_type="linalg-on-tensors")`, the way
a user of torch-mlir hands a model to another MLIR compiler. The weights are function
arguments (`@main(%x, %w, ...)`), except in `linear_relu_frozen.mlir`, whose weights are
parameters of the module and so come out as `dense_resource` blobs.

torch and torch-mlir are not test dependencies: the tests read the committed files. To
regenerate them (versions as in the header each file gets):

    pip install torch==2.13.0+cpu torch-mlir==20261001 \
        --extra-index-url https://download.pytorch.org/whl/cpu
    python tests/interop/export_fixtures.py
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch_mlir
from torch_mlir import fx

FIXTURES = Path(__file__).resolve().parent / "fixtures"

BATCH, HIDDEN, INNER = 8, 32, 64
"""The small shapes: an 8x32 input, a 32 -> 64 -> 32 MLP."""


class MLP(torch.nn.Module):
    """Two `nn.Linear`-style layers (weights out x in, so torch transposes them) with exact
    (erf) GELU between them: gelu(x @ w1.T + b1) @ w2.T + b2."""

    def forward(
        self,
        x: torch.Tensor,
        w1: torch.Tensor,
        b1: torch.Tensor,
        w2: torch.Tensor,
        b2: torch.Tensor,
    ) -> torch.Tensor:
        h = torch.nn.functional.gelu(torch.nn.functional.linear(x, w1, b1))
        return torch.nn.functional.linear(h, w2, b2)


class Softmax(torch.nn.Module):
    """Softmax over each row (torch exports it with a 2-result max+argmax generic)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(x, dim=-1)


class LayerNorm(torch.nn.Module):
    """Layer normalization over the last dimension, with scale and shift as arguments."""

    def forward(self, x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.layer_norm(x, (x.shape[-1],), gamma, beta, eps=1e-5)


class LinearRelu(torch.nn.Module):
    """relu(x @ w + b)."""

    def forward(self, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.relu(x @ w + b)


class FrozenLinearRelu(torch.nn.Module):
    """relu(x @ w + b) with w and b as parameters: frozen into `dense_resource` blobs."""

    def __init__(self) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(0)
        self.w = torch.nn.Parameter(torch.randn(4, 8, generator=generator) / math.sqrt(4))
        self.b = torch.nn.Parameter(torch.randn(8, generator=generator))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x @ self.w + self.b)


def _randn(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float32)


FIXTURE_MODELS: dict[str, tuple[Callable[[], torch.nn.Module], Callable[[], tuple[Any, ...]]]] = {
    "mlp_gelu": (
        MLP,
        lambda: (
            _randn(BATCH, HIDDEN),
            _randn(INNER, HIDDEN),
            _randn(INNER),
            _randn(HIDDEN, INNER),
            _randn(HIDDEN),
        ),
    ),
    "softmax": (Softmax, lambda: (_randn(BATCH, HIDDEN),)),
    "layernorm": (LayerNorm, lambda: (_randn(BATCH, HIDDEN), _randn(HIDDEN), _randn(HIDDEN))),
    "linear_relu": (
        LinearRelu,
        lambda: (_randn(BATCH, HIDDEN), _randn(HIDDEN, INNER), _randn(INNER)),
    ),
    "linear_relu_frozen": (FrozenLinearRelu, lambda: (_randn(2, 4),)),
}
"""Fixture name -> (module factory, example inputs). Shapes only matter: the exported
function takes every input as an argument."""


def export(name: str) -> str:
    """The linalg-on-tensors text of fixture `name`, with its header comment."""
    make_module, make_inputs = FIXTURE_MODELS[name]
    module = make_module().eval()
    exported = fx.export_and_import(module, *make_inputs(), output_type="linalg-on-tensors")
    version = getattr(torch_mlir, "__version__", "20261001")
    doc = " ".join((type(module).__doc__ or "").split())
    header = (
        f"// {name}: {type(module).__name__}: {doc}\n"
        f"// Made by tests/interop/export_fixtures.py with torch {torch.__version__} and\n"
        f"// torch-mlir {version}: torch_mlir.fx.export_and_import(module, *inputs,\n"
        '// output_type="linalg-on-tensors"). Regenerate with that script; do not edit.\n'
    )
    return header + str(exported)


def main(argv: list[str]) -> int:
    names = argv or list(FIXTURE_MODELS)
    torch.manual_seed(0)
    FIXTURES.mkdir(exist_ok=True)
    for name in names:
        path = FIXTURES / f"{name}.mlir"
        path.write_text(export(name))
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
