"""Regenerate the linalg-on-tensors fixtures in tests/interop/fixtures/ with torch-mlir.

Each fixture is a small PyTorch module exported with
`torch_mlir.fx.export_and_import(module, *inputs, output_type="linalg-on-tensors")`, the way
a user of torch-mlir hands a model to another MLIR compiler. The weights are function
arguments (`@main(%x, %w, ...)`), except in the `*_frozen.mlir` files (relu(x@W+b), the MLP
and the LayerNorm), whose weights are parameters of the module and so come out as
`dense_resource` blobs.

torch and torch-mlir are not test dependencies: the tests read the committed files. To
regenerate them (versions as in the header each file gets):

    pip install torch==2.13.0+cpu torch-mlir==20261001 \
        --extra-index-url https://download.pytorch.org/whl/cpu
    python tests/interop/export_fixtures.py            # the test fixtures
    python tests/interop/export_fixtures.py --bench    # benchmarks/inputs/ (full size)

`--bench` writes the benchmark inputs of benchmarks/bench_interop.py: the same modules at the
sizes of issue 12 (an MLP 256x768 -> 3072 -> 768, softmax and LayerNorm over 256x3072 and
256x768 rows). Their weights are arguments too, so the files stay a few kilobytes.
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
BENCH_INPUTS = Path(__file__).resolve().parents[2] / "benchmarks" / "inputs"

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


class FrozenMLP(torch.nn.Module):
    """The MLP as `nn.Linear` layers with exact (erf) GELU between them: their weights and
    biases are parameters, frozen into `dense_resource` blobs."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.up = torch.nn.Linear(HIDDEN, INNER)
        self.down = torch.nn.Linear(INNER, HIDDEN)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(torch.nn.functional.gelu(self.up(x)))


class FrozenLayerNorm(torch.nn.Module):
    """`nn.LayerNorm` over the last dimension, its scale and shift parameters (set to random
    values) frozen into `dense_resource` blobs."""

    def __init__(self) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(0)
        self.norm = torch.nn.LayerNorm(HIDDEN, eps=1e-5)
        with torch.no_grad():
            self.norm.weight.copy_(torch.randn(HIDDEN, generator=generator))
            self.norm.bias.copy_(torch.randn(HIDDEN, generator=generator))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x)


class BatchedAttentionScores(torch.nn.Module):
    """Batched products: softmax(q @ k^T) @ v per batch with torch.bmm (exported as
    `linalg.batch_matmul`), then a projection of every row (a 3-d by 2-d matmul)."""

    def forward(
        self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, w: torch.Tensor
    ) -> torch.Tensor:
        scores = torch.softmax(torch.bmm(q, k.transpose(1, 2)), dim=-1)
        return torch.bmm(scores, v) @ w


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
    "mlp_gelu_frozen": (FrozenMLP, lambda: (_randn(BATCH, HIDDEN),)),
    "layernorm_frozen": (FrozenLayerNorm, lambda: (_randn(BATCH, HIDDEN),)),
    "bmm_attention": (
        BatchedAttentionScores,
        lambda: (_randn(2, 8, 16), _randn(2, 8, 16), _randn(2, 8, 16), _randn(16, 4)),
    ),
}
"""Fixture name -> (module factory, example inputs). Shapes only matter: the exported
function takes every input as an argument."""


BENCH_MODELS: dict[str, tuple[Callable[[], torch.nn.Module], Callable[[], tuple[Any, ...]]]] = {
    "mlp_gelu": (
        MLP,
        lambda: (_randn(256, 768), _randn(3072, 768), _randn(3072), _randn(768, 3072), _randn(768)),
    ),
    "softmax": (Softmax, lambda: (_randn(256, 3072),)),
    "layernorm": (LayerNorm, lambda: (_randn(256, 768), _randn(768), _randn(768))),
}
"""The benchmark inputs (`--bench`): issue 12's sizes."""


def export(name: str, models: dict[str, Any] = FIXTURE_MODELS) -> str:
    """The linalg-on-tensors text of `models[name]`, with its header comment."""
    make_module, make_inputs = models[name]
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
    bench = "--bench" in argv
    models = BENCH_MODELS if bench else FIXTURE_MODELS
    folder = BENCH_INPUTS if bench else FIXTURES
    names = [a for a in argv if a != "--bench"] or list(models)
    torch.manual_seed(0)
    folder.mkdir(exist_ok=True)
    for name in names:
        path = folder / f"{name}.mlir"
        path.write_text(export(name, models))
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
