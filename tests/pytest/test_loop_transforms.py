"""`zloop-tile`, `zloop-interchange` and `zloop-fuse` on hand-written nests: the compiled
transformed nest computes what the reference interpreter computes on the untransformed one.

The nests (tests/filecheck/passes/Inputs/zloop_nests.mlir) are a matmul, a Gauss-Seidel
stencil with a (1, -1) dependence, a row reduction through memory, a transpose followed by
an add, a producer/consumer pair that must not be fused, and four Gauss-Seidel sweeps whose
(t, i, j) band needs a two-row skew.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ziggurat as zg
from ziggurat.dialects import zloop
from ziggurat.interpreter import run_function
from ziggurat.parsing import parse_module
from ziggurat.passes.zloop_fuse import ZLoopFusePass
from ziggurat.passes.zloop_interchange import ZLoopInterchangePass
from ziggurat.passes.zloop_tile import ZLoopTilePass, no_skew, tile_band

NESTS = (
    Path(__file__).parents[1] / "filecheck" / "passes" / "Inputs" / "zloop_nests.mlir"
).read_text()

Array = np.ndarray[Any, Any]


def _arguments(module: Any, name: str, seed: int) -> list[Array]:
    rng = np.random.default_rng(seed)
    signature = zg.signatures(module)[name]
    return [rng.standard_normal(s.shape).astype(np.float32) for s in signature]


def _expected(name: str, args: list[Array]) -> list[Array]:
    """The memref arguments after the reference interpreter ran the untransformed `name`."""
    copies = [a.copy() for a in args]
    run_function(parse_module(NESTS), name, *copies)
    return copies


def _loops(module: Any, name: str) -> list[str]:
    """The loop structure of function `name`: each loop's depth, kind, bounds and step."""
    function = next(f for f in module.ops if f.sym_name.data == name)
    out = []
    for op in function.walk():
        if isinstance(op, zloop.ForOp):
            depth = sum(1 for p in _parents(op) if isinstance(p, zloop.ForOp | zloop.ParallelOp))
            bounds = (op.lowerBoundMap, op.upperBoundMap, op.step_value)
            out.append(f"{depth}:{op.induction_var.name_hint}:{bounds}")
    return out


def _parents(op: Any) -> list[Any]:
    found = []
    parent = op.parent_op()
    while parent is not None:
        found.append(parent)
        parent = parent.parent_op()
    return found


FUNCTIONS = ("matmul", "stencil", "rowsum", "transpose_add", "shifted", "sweeps")

CASES = [
    ("zloop-tile{sizes=16,8}", {"matmul", "rowsum", "transpose_add"}),
    ("zloop-tile{sizes=1,1}", {"matmul", "rowsum", "transpose_add"}),
    ("zloop-tile{sizes=5,7,3}", {"matmul"}),
    ("zloop-tile{sizes=100,100}", {"matmul", "rowsum", "transpose_add"}),
    ("zloop-tile{sizes=16,8 skew=true}", {"matmul", "stencil", "rowsum", "transpose_add", "sweeps"}),
    ("zloop-tile{sizes=3,7 skew=true}", {"matmul", "stencil", "rowsum", "transpose_add", "sweeps"}),
    ("zloop-tile{sizes=2,8,8 skew=true}", {"matmul", "sweeps"}),
    ("zloop-tile{sizes=3,5,4 skew=true}", {"matmul", "sweeps"}),
    ("zloop-interchange{order=1,0}", {"matmul", "rowsum", "transpose_add"}),
    ("zloop-interchange{order=2,0,1}", {"matmul"}),
    ("zloop-fuse", {"transpose_add"}),
    ("zloop-fuse,zloop-tile{sizes=8,8}", {"matmul", "rowsum", "transpose_add"}),
]


@pytest.fixture(scope="module")
def reference() -> dict[str, tuple[list[Array], list[Array]]]:
    module = parse_module(NESTS)
    out = {}
    for seed, name in enumerate(FUNCTIONS):
        args = _arguments(module, name, seed)
        out[name] = (args, _expected(name, args))
    return out


@pytest.mark.parametrize(("pipeline", "changed"), CASES)
def test_transformed_nests_compute_what_the_untransformed_ones_do(
    pipeline: str, changed: set[str], reference: dict[str, tuple[list[Array], list[Array]]]
) -> None:
    module = parse_module(NESTS)
    before = {name: _loops(module, name) for name in FUNCTIONS}
    zg.parse_pipeline(pipeline).apply(zg.make_context(), module)
    after = {name: _loops(module, name) for name in FUNCTIONS}
    assert {n for n in FUNCTIONS if before[n] != after[n]} == changed
    for f in [f for f in module.ops if f.sym_name.data not in changed]:
        f.detach()  # unchanged: the interpreter's run of them is the reference itself
    exe = zg.compile(module, pipeline="cpu-pipeline")
    for name in sorted(changed):
        args, want = reference[name]
        got = [a.copy() for a in args]
        exe.function(name)(*got, threads=2)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-5, err_msg=f"{pipeline} @{name}")


def test_tiling_the_stencil_without_a_skew_would_be_wrong(
    reference: dict[str, tuple[list[Array], list[Array]]],
) -> None:
    """The refusal is not overcautious: forcing rectangular tiles changes the result."""
    module = parse_module(NESTS)
    stencil = next(f for f in module.ops if f.sym_name.data == "stencil")
    outer = next(op for op in stencil.walk() if isinstance(op, zloop.ForOp))
    inner = next(op for op in outer.body.block.ops if isinstance(op, zloop.ForOp))
    tile_band([outer, inner], (8, 8), no_skew(2))
    exe = zg.compile(module, pipeline="cpu-pipeline")
    args, want = reference["stencil"]
    got = [a.copy() for a in args]
    exe.function("stencil")(*got)
    assert not np.allclose(got[0], want[0], rtol=1e-5, atol=1e-5)


def test_refusals_name_the_dependence(capsys: pytest.CaptureFixture[str]) -> None:
    module = parse_module(NESTS)
    ZLoopTilePass(sizes=(8, 8), remarks=True).apply(zg.make_context(), module)
    ZLoopInterchangePass(order=(1, 0), remarks=True).apply(zg.make_context(), module)
    ZLoopFusePass(remarks=True).apply(zg.make_context(), module)
    err = capsys.readouterr().err
    assert (
        "remark: zloop-tile: @stencil: nest not tiled: tiling would violate the RAW dependence "
        "from 'memref.store' to 'memref.load' on a (distance { C[1, -1] })"
    ) in err
    assert "zloop-interchange: @stencil: nest not interchanged: the interchange would reverse" in err
    assert "zloop-fuse: @shifted: loops not fused: fusion would reverse the WAR dependence" in err


@pytest.mark.parametrize(
    ("pipeline", "message"),
    [
        ("zloop-tile", "option 'sizes': give one tile size per band loop"),
        ("zloop-tile{sizes=4,0}", "option 'sizes': sizes must be >= 1"),
        ("zloop-interchange{order=0,0}", "option 'order': must be a permutation"),
        ("zloop-interchange{order=0}", "option 'order': must be a permutation"),
    ],
)
def test_bad_options_are_pipeline_errors(pipeline: str, message: str) -> None:
    with pytest.raises(zg.PipelineError, match=message):
        zg.parse_pipeline(pipeline)


# ----- differential: random stencils, every transform against the untransformed nest -------

RANDOM_NEST = """func.func @f(%a: memref<{n}x{n}xf32>) {{
  %half = arith.constant 0.5 : f32
  zloop.for %i = 2 to {hi} {{
    zloop.for %j = 2 to {hi} {{
{body}
    }}
  }}
  func.return
}}
"""


def _random_nest(reads: list[tuple[int, int]], write: tuple[int, int], n: int = 11) -> str:
    """a[i+wi][j+wj] = (a[i+r0i][j+r0j] + ...) * 0.5 over [2, n-2)^2 (offsets in -2..2)."""
    lines: list[str] = []
    names: dict[int, str] = {}

    def index(offset: int, iv: str) -> str:
        if offset == 0:
            return f"%{iv}"
        name = f"%{iv}{'p' if offset > 0 else 'm'}{abs(offset)}"
        if name not in names.values():
            names[len(names)] = name
            lines.append(f"      %c{iv}{len(names)} = arith.constant {offset} : index")
            lines.append(f"      {name} = arith.addi %{iv}, %c{iv}{len(names)} : index")
        return name

    values = []
    for k, (di, dj) in enumerate(reads):
        i, j = index(di, "i"), index(dj, "j")
        lines.append(f"      %x{k} = memref.load %a[{i}, {j}] : memref<{n}x{n}xf32>")
        values.append(f"%x{k}")
    acc = values[0]
    for k, v in enumerate(values[1:]):
        lines.append(f"      %s{k} = arith.addf {acc}, {v} : f32")
        acc = f"%s{k}"
    lines.append(f"      %h = arith.mulf {acc}, %half : f32")
    i, j = index(write[0], "i"), index(write[1], "j")
    lines.append(f"      memref.store %h, %a[{i}, {j}] : memref<{n}x{n}xf32>")
    return RANDOM_NEST.format(n=n, hi=n - 2, body="\n".join(lines))


offsets = st.tuples(st.integers(-2, 2), st.integers(-2, 2))


@settings(max_examples=60, deadline=None)
@given(
    reads=st.lists(offsets, min_size=1, max_size=3),
    write=offsets,
    sizes=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    transform=st.sampled_from(["tile", "skew", "interchange"]),
)
def test_random_stencils_keep_their_results(
    reads: list[tuple[int, int]], write: tuple[int, int], sizes: tuple[int, int], transform: str
) -> None:
    """Whatever the dependences, a transform either refuses or keeps every result bit for bit
    (the interpreter runs both nests: each element gets the same operations in the same order
    when the transform is legal)."""
    source = _random_nest(reads, write)
    rng = np.random.default_rng(0)
    data = rng.standard_normal((11, 11)).astype(np.float32)
    want = data.copy()
    run_function(parse_module(source), "f", want)
    module = parse_module(source)
    p = {
        "tile": ZLoopTilePass(sizes=sizes),
        "skew": ZLoopTilePass(sizes=sizes, skew=True),
        "interchange": ZLoopInterchangePass(order=(1, 0)),
    }[transform]
    p.apply(zg.make_context(), module)
    got = data.copy()
    run_function(module, "f", got)
    np.testing.assert_array_equal(got, want)


def test_the_default_pipeline_parallelizes_hand_written_nests() -> None:
    """cpu-pipeline runs zloop-parallelize: the matmul nest's i loop becomes a parallel loop
    (dispatched through the thread pool), the stencil stays sequential; results as before."""
    exe = zg.compile(NESTS)
    ir = exe.llvm_ir
    matmul = ir[ir.index('define void @"matmul"') :]
    stencil = ir[ir.index('define void @"stencil"') :]
    assert "ziggurat_parallel_for" in matmul[: matmul.index("\n}")]
    assert "ziggurat_parallel_for" not in stencil[: stencil.index("\n}")]
    module = parse_module(NESTS)
    for seed, name in enumerate(FUNCTIONS):
        args = _arguments(module, name, seed)
        want = _expected(name, args)
        for threads in (1, 2):
            got = [a.copy() for a in args]
            exe.function(name)(*got, threads=threads)
            for g, w in zip(got, want, strict=True):
                np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-5, err_msg=name)
