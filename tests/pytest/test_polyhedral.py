"""The polyhedral model of zloop nests (`ziggurat.passes.polyhedral`) and `zloop-parallelize`."""

from __future__ import annotations

import numpy as np
import pytest

import ziggurat as zg
from ziggurat.dialects import zloop
from ziggurat.parsing import parse_module
from ziggurat.passes.polyhedral import NestModel, NotAffine, analyze


def _nest(body: str, args: str = "%a: memref<64x64xf32>") -> tuple[NestModel, list[zloop.ForOp]]:
    module = parse_module(
        f"func.func @f({args}) {{\n  %c1 = arith.constant 1 : index\n{body}\n  func.return\n}}\n"
    )
    loops = [op for op in module.walk() if isinstance(op, zloop.ForOp)]
    return analyze(loops[0]), loops


def _distances(model: NestModel) -> set[str]:
    return {str(d.distances) for d in model.dependences}


STENCIL = """
  zloop.for %i = 1 to 63 {
    zloop.for %j = 1 to 63 {
      %im = arith.subi %i, %c1 : index
      %jp = arith.addi %j, %c1 : index
      %x = memref.load %a[%im, %jp] : memref<64x64xf32>
      memref.store %x, %a[%i, %j] : memref<64x64xf32>
    }
  }"""


def test_a_one_minus_one_dependence_forbids_rectangular_tiling() -> None:
    model, (i, j) = _nest(STENCIL)
    assert [(d.kind, str(d.distances)) for d in model.dependences] == [("RAW", "{ C[1, -1] }")]
    assert not model.is_parallel(i) and model.is_parallel(j)
    forbidding = model.can_tile([i, j])
    assert forbidding is not None and forbidding.kind == "RAW"
    assert model.can_tile([j]) is None  # j alone: the dependence is carried outside it


def test_non_negative_distances_allow_tiling() -> None:
    # a[i][j] = a[i-1][j] + a[i][j-1]: distances (1, 0) and (0, 1).
    model, (i, j) = _nest("""
  zloop.for %i = 1 to 64 {
    zloop.for %j = 1 to 64 {
      %im = arith.subi %i, %c1 : index
      %jm = arith.subi %j, %c1 : index
      %x = memref.load %a[%im, %j] : memref<64x64xf32>
      %y = memref.load %a[%i, %jm] : memref<64x64xf32>
      %s = arith.addf %x, %y : f32
      memref.store %s, %a[%i, %j] : memref<64x64xf32>
    }
  }""")
    assert {"{ C[1, 0] }", "{ C[0, 1] }"} <= _distances(model)
    assert model.can_tile([i, j]) is None
    assert not model.is_parallel(i) and not model.is_parallel(j)


def test_matmul_dependences_are_carried_by_k_only() -> None:
    model, (i, j, k) = _nest(
        """
  zloop.for %i = 0 to 16 {
    zloop.for %j = 0 to 8 {
      zloop.for %k = 0 to 4 {
        %x = memref.load %a[%i, %k] : memref<16x4xf32>
        %y = memref.load %b[%k, %j] : memref<4x8xf32>
        %z = memref.load %c[%i, %j] : memref<16x8xf32>
        %p = arith.mulf %x, %y : f32
        %s = arith.addf %z, %p : f32
        memref.store %s, %c[%i, %j] : memref<16x8xf32>
      }
    }
  }""",
        "%a: memref<16x4xf32>, %b: memref<4x8xf32>, %c: memref<16x8xf32>",
    )
    assert model.is_parallel(i) and model.is_parallel(j) and not model.is_parallel(k)
    assert {d.kind for d in model.dependences} == {"RAW", "WAR", "WAW"}
    assert model.can_tile([i, j, k]) is None


def test_steps_and_vector_accesses() -> None:
    # Vectors of 8 at a stride of 8: iterations touch disjoint elements; at a stride of 4
    # they overlap, and the loop carries the overlap.
    disjoint, (i,) = _nest("""
  zloop.for %i = 0 to 64 step 8 {
    %v = vector.load %a[%c1, %i] : memref<64x64xf32>, vector<8xf32>
    vector.store %v, %a[%c1, %i] : memref<64x64xf32>, vector<8xf32>
  }""")
    assert disjoint.is_parallel(i)
    overlapping, (i,) = _nest("""
  zloop.for %i = 0 to 56 step 4 {
    %v = vector.load %a[%c1, %i] : memref<64x64xf32>, vector<8xf32>
    vector.store %v, %a[%c1, %i] : memref<64x64xf32>, vector<8xf32>
  }""")
    assert not overlapping.is_parallel(i)


def test_what_the_model_cannot_describe_is_named() -> None:
    with pytest.raises(NotAffine, match=r"'arith.muli'.*not affine"):
        _nest("""
  zloop.for %i = 0 to 8 {
    zloop.for %j = 0 to 8 {
      %ij = arith.muli %i, %j : index
      %x = memref.load %a[%ij, %j] : memref<64x64xf32>
      memref.store %x, %a[%i, %j] : memref<64x64xf32>
    }
  }""")


COMPILED = """
func.func @matmul(%a: memref<64x32xf32>, %b: memref<32x48xf32>, %c: memref<64x48xf32>) {
  zloop.for %i = 0 to 64 {
    zloop.for %j = 0 to 48 {
      zloop.for %k = 0 to 32 {
        %x = memref.load %a[%i, %k] : memref<64x32xf32>
        %y = memref.load %b[%k, %j] : memref<32x48xf32>
        %z = memref.load %c[%i, %j] : memref<64x48xf32>
        %p = arith.mulf %x, %y : f32
        %s = arith.addf %z, %p : f32
        memref.store %s, %c[%i, %j] : memref<64x48xf32>
      }
    }
  }
  func.return
}
func.func @stencil(%a: memref<64x64xf32>) {
  %c1 = arith.constant 1 : index
  zloop.for %i = 1 to 63 {
    zloop.for %j = 1 to 63 {
      %im = arith.subi %i, %c1 : index
      %jp = arith.addi %j, %c1 : index
      %x = memref.load %a[%im, %jp] : memref<64x64xf32>
      memref.store %x, %a[%i, %j] : memref<64x64xf32>
    }
  }
  func.return
}
func.func @transpose_add(%a: memref<32x32xf32>, %b: memref<32x32xf32>) {
  zloop.for %i = 0 to 32 step 2 {
    zloop.for %j = 0 to 32 {
      %x = memref.load %a[%j, %i] : memref<32x32xf32>
      %y = memref.load %b[%i, %j] : memref<32x32xf32>
      %s = arith.addf %x, %y : f32
      memref.store %s, %b[%i, %j] : memref<32x32xf32>
    }
  }
  func.return
}
"""


def test_parallelized_nests_compute_what_the_sequential_ones_do() -> None:
    """matmul and transpose-add become parallel, the stencil stays sequential; the compiled
    results (2 threads) equal numpy's, with and without the pass."""
    from ziggurat.passes.zloop_parallelize import ZLoopParallelizePass

    module = parse_module(COMPILED)
    ZLoopParallelizePass().apply(None, module)  # type: ignore[arg-type]
    tops = [type(op).__name__ for f in module.ops for op in f.body.block.ops]
    assert tops.count("ParallelOp") == 2 and tops.count("ForOp") == 1
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((64, 32), np.float32), rng.standard_normal((32, 48), np.float32)
    grid = rng.standard_normal((64, 64), np.float32)
    want = grid.copy()
    for i in range(1, 63):
        for j in range(1, 63):
            want[i, j] = want[i - 1, j + 1]
    t, u = rng.standard_normal((32, 32), np.float32), rng.standard_normal((32, 32), np.float32)
    added = u.copy()
    added[::2] += t.T[::2]
    for pipeline in ("cpu-pipeline", "zloop-parallelize,cpu-pipeline"):
        exe = zg.compile(COMPILED, pipeline=pipeline)
        c = np.zeros((64, 48), np.float32)
        exe.function("matmul")(a, b, c, threads=2)
        np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-5)
        g = grid.copy()
        exe.function("stencil")(g, threads=2)
        np.testing.assert_array_equal(g, want)
        v = u.copy()
        exe.function("transpose_add")(t, v, threads=2)
        np.testing.assert_array_equal(v, added)


def test_a_buffer_accessed_through_a_view_is_not_assumed_distinct() -> None:
    """A reshaped view is another memref value for the same memory: the model refuses rather
    than missing the dependence between the two."""
    module = parse_module("""
func.func @f(%a: memref<4x8xf32>) {
  %v = memref.collapse_shape %a [[0, 1]] : memref<4x8xf32> into memref<32xf32>
  zloop.for %i = 0 to 4 {
    zloop.for %j = 0 to 8 {
      %x = memref.load %a[%i, %j] : memref<4x8xf32>
      memref.store %x, %v[%j] : memref<32xf32>
    }
  }
  func.return
}
""")
    loop = next(op for op in module.walk() if isinstance(op, zloop.ForOp))
    with pytest.raises(NotAffine, match="through a view of another shape"):
        analyze(loop)
