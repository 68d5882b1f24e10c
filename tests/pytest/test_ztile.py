"""The ztile dialect: verifier messages, numpy semantics, and `ztile-to-zloop` against numpy."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp
from xdsl.parser import Parser
from xdsl.utils.exceptions import ParseError, VerifyException

from ziggurat.dialects import ztile
from ziggurat.dialects.ztensor_semantics import gelu, sigmoid
from ziggurat.interpreter import run_function
from ziggurat.lowering.ztile_to_zloop import ZTileToZLoopPass
from ziggurat.universe import make_context

ROOT = Path(__file__).resolve().parents[2]
RNG = np.random.default_rng(0)
NP_TYPES = {"f32": np.float32, "f64": np.float64}

# Ops that may appear after ztile-to-zloop (lowering contract, section 2).
ALLOWED = {
    "builtin.module", "func.func", "func.return", "func.call",
    "zloop.for", "zloop.parallel", "zloop.yield", "scf.for", "scf.if", "scf.yield",
    "arith.constant", "arith.addf", "arith.subf", "arith.mulf", "arith.divf",
    "arith.maximumf", "arith.minimumf", "arith.negf", "arith.cmpf", "arith.select",
    "arith.addi", "arith.subi", "arith.muli", "arith.divsi", "arith.remsi",
    "arith.floordivsi", "arith.minsi", "arith.maxsi", "arith.cmpi", "arith.index_cast",
    "arith.sitofp", "arith.extf", "arith.truncf",
    "math.exp", "math.log", "math.tanh", "math.sqrt", "math.rsqrt", "math.absf",
    "math.powf", "math.fma", "math.erf", "math.floor", "math.ceil", "zloop.cmpf",
    "zloop.select",
    "memref.alloc", "memref.alloca", "memref.dealloc", "memref.load", "memref.store",
    "vector.load", "vector.store", "vector.broadcast", "vector.fma", "vector.reduction",
    "vector.maskedload", "vector.maskedstore", "vector.create_mask", "vector.extract",
}  # fmt: skip


def parse(text: str) -> ModuleOp:
    module = Parser(make_context(), text).parse_module()
    module.verify()
    return module


def lower(module: ModuleOp, width: int) -> ModuleOp:
    lowered = module.clone()
    ZTileToZLoopPass(vector_width=width).apply(make_context(), lowered)
    lowered.verify()
    names = {op.name for op in lowered.walk()}
    assert names <= ALLOWED, f"ops outside the lowering contract: {names - ALLOWED}"
    return lowered


def run_all(
    module: ModuleOp,
    name: str,
    inputs: list[np.ndarray],
    out_shape: tuple[int, ...],
    widths=(16, 8),
) -> list[np.ndarray]:
    """Outputs of `name` interpreted on ztile and on its zloop lowering at each width."""
    results = []
    for m in [module, *(lower(module, w) for w in widths)]:
        out = np.full(out_shape, np.nan, dtype=inputs[0].dtype)
        run_function(m, name, *[x.copy() for x in inputs], out)
        results.append(out)
    return results


def tile(shape: tuple[int, ...], elt: str) -> str:
    return f"!ztile.tile<{'x'.join(map(str, shape))}x{elt}>"


def mem(shape: tuple[int, ...], elt: str) -> str:
    return f"memref<{'x'.join(map(str, shape))}x{elt}>"


# ---------------------------------------------------------------------------------------------
# Programs
# ---------------------------------------------------------------------------------------------


def matmul_program(m: int, k: int, n: int, bm: int, bk: int, bn: int, elt: str = "f32") -> str:
    """C = relu(A @ B + bias), one program per bm x bn output tile, K loop in steps of bk."""
    ta, tb, tc, tbias = (
        tile((bm, bk), elt),
        tile((bk, bn), elt),
        tile((bm, bn), elt),
        tile((1, bn), elt),
    )
    ma, mb, mbias, mc = mem((m, k), elt), mem((k, n), elt), mem((1, n), elt), mem((m, n), elt)
    gm, gn = -(-m // bm), -(-n // bn)
    return f"""
func.func @mm(%a: {ma}, %b: {mb}, %bias: {mbias}, %c: {mc}) {{
  ztile.grid [{gm}, {gn}] {{
    %pi = ztile.program_id 0 : index
    %pj = ztile.program_id 1 : index
    %cbm = arith.constant {bm} : index
    %cbn = arith.constant {bn} : index
    %cbk = arith.constant {bk} : index
    %i = arith.muli %pi, %cbm : index
    %j = arith.muli %pj, %cbn : index
    %c0 = arith.constant 0 : index
    %ck = arith.constant {k} : index
    %zero = arith.constant 0.0 : {elt}
    %init = ztile.splat %zero : {elt} -> {tc}
    %acc = scf.for %kk = %c0 to %ck step %cbk iter_args(%t = %init) -> ({tc}) {{
      %x = ztile.load %a[%i, %kk] {{padding = 0.0 : {elt}}} : {ma} -> {ta}
      %y = ztile.load %b[%kk, %j] {{padding = 0.0 : {elt}}} : {mb} -> {tb}
      %d = ztile.dot %x, %y, %t : {ta}, {tb}, {tc} -> {tc}
      scf.yield %d : {tc}
    }}
    %tb = ztile.load %bias[%c0, %j] : {mbias} -> {tbias}
    %bb = ztile.broadcast %tb : {tbias} -> {tc}
    %s = ztile.add %acc, %bb : {tc}
    %r = ztile.relu %s : {tc}
    ztile.store %r, %c[%i, %j] : {tc}, {mc}
  }}
  func.return
}}
"""


def softmax_program(rows: int, cols: int, br: int, bc: int, elt: str = "f32") -> str:
    """Row-wise softmax; each program holds br whole rows in a br x bc tile (bc >= cols)."""
    t, t1, mm = tile((br, bc), elt), tile((br, 1), elt), mem((rows, cols), elt)
    return f"""
func.func @softmax(%x: {mm}, %y: {mm}) {{
  ztile.grid [{-(-rows // br)}] {{
    %p = ztile.program_id 0 : index
    %cbr = arith.constant {br} : index
    %c0 = arith.constant 0 : index
    %i = arith.muli %p, %cbr : index
    %t = ztile.load %x[%i, %c0] {{padding = 0xFF800000 : f32}} : {mm} -> {t}
    %m = ztile.reduce "max" %t {{axis = 1 : i64}} : {t} -> {t1}
    %mb = ztile.broadcast %m : {t1} -> {t}
    %d = ztile.sub %t, %mb : {t}
    %e = ztile.exp %d : {t}
    %s = ztile.reduce "sum" %e {{axis = 1 : i64}} : {t} -> {t1}
    %sb = ztile.broadcast %s : {t1} -> {t}
    %r = ztile.div %e, %sb : {t}
    ztile.store %r, %y[%i, %c0] : {t}, {mm}
  }}
  func.return
}}
"""


def softmax_ref(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------------------------
# Dialect: parsing, verification, semantics
# ---------------------------------------------------------------------------------------------


def test_tile_type_roundtrip() -> None:
    ty = ztile.TileType([32, 16], ztile.Float32Type())
    assert str(ty) == "!ztile.tile<32x16xf32>"
    assert ty.get_shape() == (32, 16) and ty.element_count() == 512


def _invalid_cases() -> list[tuple[str, str]]:
    text = (ROOT / "tests/filecheck/dialects/ztile/invalid.mlir").read_text()
    cases = []
    for chunk in text.split("// -----"):
        found = re.search(r"expected-error@\+1 \{\{(.*)\}\}", chunk)
        assert found, chunk
        cases.append((chunk, found.group(1)))
    return cases


@pytest.mark.parametrize(("source", "message"), _invalid_cases())
def test_verifier_messages(source: str, message: str) -> None:
    with pytest.raises((VerifyException, ParseError)) as info:
        parse(source)
    assert message in str(info.value)


def test_load_store_edge_semantics() -> None:
    program = f"""
func.func @f(%x: {mem((5, 7), "f32")}, %y: {mem((5, 7), "f32")}) {{
  ztile.grid [2, 2] {{
    %pi = ztile.program_id 0 : index
    %pj = ztile.program_id 1 : index
    %c4 = arith.constant 4 : index
    %i = arith.muli %pi, %c4 : index
    %j = arith.muli %pj, %c4 : index
    %t = ztile.load %x[%i, %j] {{padding = 2.0 : f32}} : {mem((5, 7), "f32")} -> {tile((4, 4), "f32")}
    %u = ztile.add %t, %t : {tile((4, 4), "f32")}
    ztile.store %u, %y[%i, %j] : {tile((4, 4), "f32")}, {mem((5, 7), "f32")}
  }}
  func.return
}}
"""
    x = RNG.standard_normal((5, 7)).astype(np.float32)
    for out in run_all(parse(program), "f", [x], (5, 7)):
        np.testing.assert_allclose(out, 2 * x, rtol=1e-6)


@pytest.mark.parametrize(("row", "col"), [(0, 3), (2, 0), (3, 8)])
def test_store_writes_only_the_tile(row: int, col: int) -> None:
    """Full (0, 3) and edge (2, 0), (3, 8) tiles narrower than a vector leave the rest alone."""
    mt, tt = mem((5, 10), "f32"), tile((4, 4), "f32")
    program = f"""
func.func @f(%x: {mt}, %y: {mt}) {{
  ztile.grid [1] {{
    %i = arith.constant {row} : index
    %j = arith.constant {col} : index
    %t = ztile.load %x[%i, %j] {{padding = 0.0 : f32}} : {mt} -> {tt}
    %u = ztile.neg %t : {tt}
    ztile.store %u, %y[%i, %j] : {tt}, {mt}
  }}
  func.return
}}
"""
    x = RNG.standard_normal((5, 10)).astype(np.float32)
    expected = np.full((5, 10), np.nan, np.float32)
    expected[row : row + 4, col : col + 4] = -x[row : row + 4, col : col + 4]
    for out in run_all(parse(program), "f", [x], (5, 10)):
        np.testing.assert_array_equal(out, expected)


def negative_offset_program(load_shift: int, store_shift: int, n: int = 20) -> str:
    """A 1-D grid of 16-element tiles whose load and store offsets are p*16 + shift."""
    mt, tt = mem((n,), "f32"), tile((16,), "f32")
    return f"""
func.func @f(%x: {mt}, %y: {mt}) {{
  ztile.grid [2] {{
    %p = ztile.program_id 0 : index
    %c16 = arith.constant 16 : index
    %a = arith.constant {load_shift} : index
    %b = arith.constant {store_shift} : index
    %base = arith.muli %p, %c16 : index
    %i = arith.addi %base, %a : index
    %j = arith.addi %base, %b : index
    %t = ztile.load %x[%i] {{padding = 7.0 : f32}} : {mt} -> {tt}
    %u = ztile.neg %t : {tt}
    ztile.store %u, %y[%j] : {tt}, {mt}
  }}
  func.return
}}
"""


def negative_offset_expected(x: np.ndarray, load_shift: int, store_shift: int) -> np.ndarray:
    n = x.shape[0]
    y = np.full(n, np.nan, np.float32)
    for p in range(2):
        for k in range(16):
            src, dst = 16 * p + load_shift + k, 16 * p + store_shift + k
            if 0 <= dst < n:
                y[dst] = -x[src] if 0 <= src < n else np.float32(-7.0)
    return y


@pytest.mark.parametrize(("load_shift", "store_shift"), [(-2, 0), (0, -3), (-5, -1)])
def test_negative_tile_offsets_are_masked_on_both_sides(load_shift: int, store_shift: int) -> None:
    """Offsets below zero read padding and write nothing, at every level (regression: the
    lowering masked only the high side and wrote before the start of the memref)."""
    x = RNG.standard_normal(20).astype(np.float32)
    expected = negative_offset_expected(x, load_shift, store_shift)
    module = parse(negative_offset_program(load_shift, store_shift))
    for out in run_all(module, "f", [x], (20,)):
        np.testing.assert_array_equal(out, expected)


def test_negative_tile_offsets_compiled(tmp_path: Path) -> None:
    """The compiled kernel (through LLVM) gives the reference result for a negative load offset."""
    import os
    import subprocess
    import sys

    source = tmp_path / "neg.mlir"
    source.write_text(negative_offset_program(-2, 0))
    x = RNG.standard_normal(20).astype(np.float32)
    y = np.full(20, np.nan, np.float32)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    out = tmp_path / "out.npz"
    runner = (
        Path(os.environ.get("ZIGGURAT_TEST_BIN") or Path(sys.executable).parent) / "ziggurat-run"
    )
    done = subprocess.run(
        [runner, source, "--input", tmp_path / "x.npy", "--input", tmp_path / "y.npy", "-o", out],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with np.load(out) as results:
        arrays = [results[k] for k in sorted(results.files)]
    np.testing.assert_array_equal(arrays[-1], negative_offset_expected(x, -2, 0))


# ---------------------------------------------------------------------------------------------
# Interpreted ztile and its zloop lowering against numpy
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("m", "k", "n", "bm", "bk", "bn", "elt"),
    [
        (33, 17, 20, 16, 16, 16, "f32"),  # odd sizes: every edge case of 16x16 tiles
        (16, 16, 32, 16, 8, 32, "f32"),  # full tiles only
        (13, 5, 9, 8, 4, 8, "f64"),  # tiles narrower than a vector
        (7, 3, 37, 7, 3, 37, "f32"),  # one tile, 37 columns = 2 vectors + tail (W=16)
        (9, 4, 3, 4, 4, 1, "f32"),  # 1-wide output tiles: scalar dot
    ],
)
def test_matmul_bias_relu(m: int, k: int, n: int, bm: int, bk: int, bn: int, elt: str) -> None:
    dtype = NP_TYPES[elt]
    a = RNG.standard_normal((m, k)).astype(dtype)
    b = RNG.standard_normal((k, n)).astype(dtype)
    bias = RNG.standard_normal((1, n)).astype(dtype)
    expected = np.maximum(a @ b + bias, 0)
    module = parse(matmul_program(m, k, n, bm, bk, bn, elt))
    for out in run_all(module, "mm", [a, b, bias], (m, n)):
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("rows", "cols", "br", "bc"), [(33, 17, 16, 32), (8, 16, 4, 16), (5, 40, 2, 48), (3, 1, 2, 1)]
)
def test_softmax(rows: int, cols: int, br: int, bc: int) -> None:
    x = RNG.standard_normal((rows, cols)).astype(np.float32)
    module = parse(softmax_program(rows, cols, br, bc))
    for out in run_all(module, "softmax", [x], (rows, cols)):
        np.testing.assert_allclose(out, softmax_ref(x), rtol=1e-5, atol=1e-6)


UNARY: dict[str, Any] = {
    "neg": np.negative,
    "exp": np.exp,
    "log": np.log,
    "tanh": np.tanh,
    "sigmoid": sigmoid,
    "relu": lambda x: np.maximum(x, 0),
    "gelu": gelu,
    "sqrt": np.sqrt,
    "rsqrt": lambda x: 1 / np.sqrt(x),
    "abs": np.abs,
    "erf": np.vectorize(math.erf, otypes=[np.float32]),
    "floor": np.floor,
    "ceil": np.ceil,
}
BINARY: dict[str, Any] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "pow": np.power,
}


def elementwise_program(op: str, shape: tuple[int, ...], tshape: tuple[int, ...]) -> str:
    """y = op(x) or op(x, z), tiled with `tshape` over a grid covering `shape`."""
    mt, tt = mem(shape, "f32"), tile(tshape, "f32")
    grid = [-(-s // t) for s, t in zip(shape, tshape, strict=True)]
    lines = [f"%p{d} = ztile.program_id {d} : index" for d in range(len(shape))]
    lines += [f"%s{d} = arith.constant {t} : index" for d, t in enumerate(tshape)]
    lines += [f"%o{d} = arith.muli %p{d}, %s{d} : index" for d in range(len(shape))]
    at = ", ".join(f"%o{d}" for d in range(len(shape)))
    lines.append(f"%x = ztile.load %a[{at}] {{padding = 1.0 : f32}} : {mt} -> {tt}")
    if op in BINARY:
        lines.append(f"%z = ztile.load %b[{at}] {{padding = 1.0 : f32}} : {mt} -> {tt}")
        lines.append(f"%r = ztile.{op} %x, %z : {tt}")
    else:
        lines.append(f"%r = ztile.{op} %x : {tt}")
    lines.append(f"ztile.store %r, %c[{at}] : {tt}, {mt}")
    body = "\n    ".join(lines)
    return f"""
func.func @f(%a: {mt}, %b: {mt}, %c: {mt}) {{
  ztile.grid [{", ".join(map(str, grid))}] {{
    {body}
  }}
  func.return
}}
"""


@pytest.mark.parametrize("op", [*UNARY, *BINARY])
def test_elementwise(op: str) -> None:
    shape, tshape = (5, 19), (4, 16)
    positive = op in ("log", "sqrt", "rsqrt", "pow")
    a = RNG.uniform(0.5, 2.0, shape) if positive else RNG.standard_normal(shape)
    a = a.astype(np.float32)
    b = RNG.uniform(0.5, 2.0, shape).astype(np.float32)
    expected = BINARY[op](a, b) if op in BINARY else UNARY[op](a)
    for out in run_all(parse(elementwise_program(op, shape, tshape)), "f", [a, b], shape):
        np.testing.assert_allclose(out, expected, rtol=2e-5, atol=1e-6)


def test_bool_tiles_load_and_store_edge_masked() -> None:
    """i1 tiles: edge-masked loads read false outside the memref, stores write only in-bounds
    elements; the zloop lowering keeps one byte per element in memory."""
    src = """
func.func @f(%a: memref<5x19xi1>, %c: memref<5x19xi1>) {
  ztile.grid [2, 2] {
    %p0 = ztile.program_id 0 : index
    %p1 = ztile.program_id 1 : index
    %c4 = arith.constant 4 : index
    %c16 = arith.constant 16 : index
    %i = arith.muli %p0, %c4 : index
    %j = arith.muli %p1, %c16 : index
    %x = ztile.load %a[%i, %j] : memref<5x19xi1> -> !ztile.tile<4x16xi1>
    ztile.store %x, %c[%i, %j] : !ztile.tile<4x16xi1>, memref<5x19xi1>
  }
  func.return
}
"""
    m = RNG.random((5, 19)) < 0.5
    for out in run_all(parse(src), "f", [m], (5, 19)):
        np.testing.assert_array_equal(out, m)
    assert "vector<16xi1>" in str(lower(parse(src), 16))


def test_compare_and_select_tiles() -> None:
    """ztile.cmp into i1 tiles and ztile.select by them, edge-masked, interpreted and lowered
    at both widths."""
    src = """
func.func @f(%a: memref<5x19xf32>, %b: memref<5x19xf32>, %c: memref<5x19xi1>,
             %d: memref<5x19xf32>) {
  ztile.grid [2, 2] {
    %p0 = ztile.program_id 0 : index
    %p1 = ztile.program_id 1 : index
    %c4 = arith.constant 4 : index
    %c16 = arith.constant 16 : index
    %i = arith.muli %p0, %c4 : index
    %j = arith.muli %p1, %c16 : index
    %x = ztile.load %a[%i, %j] : memref<5x19xf32> -> !ztile.tile<4x16xf32>
    %y = ztile.load %b[%i, %j] : memref<5x19xf32> -> !ztile.tile<4x16xf32>
    %s = ztile.add %x, %y : !ztile.tile<4x16xf32>
    %m = ztile.cmp "une" %s, %y : !ztile.tile<4x16xf32> -> !ztile.tile<4x16xi1>
    ztile.store %m, %c[%i, %j] : !ztile.tile<4x16xi1>, memref<5x19xi1>
    %r = ztile.select %m, %x, %s : !ztile.tile<4x16xi1>, !ztile.tile<4x16xf32>
    ztile.store %r, %d[%i, %j] : !ztile.tile<4x16xf32>, memref<5x19xf32>
  }
  func.return
}
"""
    a = RNG.standard_normal((5, 19)).astype(np.float32)
    b = RNG.standard_normal((5, 19)).astype(np.float32)
    a[0, :4] = [0.0, np.nan, -0.0, 1.0]
    b[0, :4] = [1.0, 1.0, np.nan, -0.0]
    mask = (a + b) != b
    for m in [parse(src), lower(parse(src), 16), lower(parse(src), 8)]:
        out, chosen = np.zeros((5, 19), bool), np.zeros((5, 19), np.float32)
        run_function(m, "f", a.copy(), b.copy(), out, chosen)
        np.testing.assert_array_equal(out, mask)
        np.testing.assert_array_equal(chosen, np.where(mask, a, a + b))


def test_cast_tiles_between_f32_and_f64() -> None:
    """ztile.cast widens edge-masked f32 tiles (19 of 32 columns, 5 of 8 rows) to f64,
    computes and row-sums in f64 and narrows back (round to nearest even), interpreted and lowered at both widths: the f64
    arithmetic is exact IEEE, so every level equals numpy bit for bit."""
    t32, t64 = tile((4, 32), "f32"), tile((4, 32), "f64")
    r64 = tile((4, 1), "f64")
    mx, ms = mem((5, 19), "f32"), mem((5, 1), "f64")
    src = f"""
func.func @f(%x: {mx}, %s: {ms}, %y: {mx}) {{
  ztile.grid [2] {{
    %p0 = ztile.program_id 0 : index
    %c0 = arith.constant 0 : index
    %c4 = arith.constant 4 : index
    %i = arith.muli %p0, %c4 : index
    %t = ztile.load %x[%i, %c0] {{padding = 0.0 : f32}} : {mx} -> {t32}
    %w = ztile.cast %t : {t32} -> {t64}
    %third = arith.constant 0.3333333333333333 : f64
    %k = ztile.splat %third : f64 -> {t64}
    %q = ztile.mul %w, %w : {t64}
    %u = ztile.add %q, %k : {t64}
    %n = ztile.cast %u : {t64} -> {t32}
    ztile.store %n, %y[%i, %c0] : {t32}, {mx}
    %r = ztile.reduce "sum" %w {{axis = 1 : i64}} : {t64} -> {r64}
    ztile.store %r, %s[%i, %c0] : {r64}, {ms}
  }}
  func.return
}}
"""
    x = RNG.standard_normal((5, 19)).astype(np.float32) * np.float32(1e3)
    x64 = x.astype(np.float64)
    expected = (x64 * x64 + 0.3333333333333333).astype(np.float32)
    assert not np.array_equal(expected, (x * x + np.float32(1 / 3)))  # f64 steps matter here
    module = parse(src)
    for m in [module, lower(module, 16), lower(module, 8)]:
        sums = np.full((5, 1), np.nan, np.float64)
        out = np.full((5, 19), np.nan, np.float32)
        run_function(m, "f", x.copy(), sums, out)
        np.testing.assert_array_equal(out, expected)
        np.testing.assert_allclose(sums, x64.sum(axis=1, keepdims=True), rtol=1e-13)
    lowered = lower(module, 16)
    assert _count(lowered, "arith.extf") == 1 and _count(lowered, "arith.truncf") == 1
    assert "vector<16xf64>" in str(lowered)


IN_PLACE = """
func.func @f(%x: memref<8x32xf32>, %y: memref<8x32xf32>, %z: memref<8x32xf32>, %s: memref<8x1xf32>) {
  ztile.grid [2] {
    %p = ztile.program_id 0 : index
    %c0 = arith.constant 0 : index
    %c4 = arith.constant 4 : index
    %i = arith.muli %p, %c4 : index
    %t = ztile.load %x[%i, %c0] : memref<8x32xf32> -> !ztile.tile<4x32xf32>
    %n = ztile.neg %t : !ztile.tile<4x32xf32>
    ztile.store %n, %y[%i, %c0] : !ztile.tile<4x32xf32>, memref<8x32xf32>
    %u = ztile.add %t, %t : !ztile.tile<4x32xf32>
    ztile.store %u, %z[%i, %c0] : !ztile.tile<4x32xf32>, memref<8x32xf32>
    %e = ztile.exp %t : !ztile.tile<4x32xf32>
    %r = ztile.reduce "sum" %e {axis = 1 : i64} : !ztile.tile<4x32xf32> -> !ztile.tile<4x1xf32>
    ztile.store %r, %s[%i, %c0] : !ztile.tile<4x1xf32>, memref<8x1xf32>
  }
  func.return
}
"""


def test_a_tile_read_after_a_store_is_a_copy_even_when_in_bounds() -> None:
    """A loaded tile is read in place only when no store comes before its last use: here x
    and y are one array, and the tile must keep the values loaded before `y` is written."""
    x = RNG.standard_normal((8, 32)).astype(np.float32)
    module = parse(IN_PLACE)
    for m in [module, lower(module, 16), lower(module, 8)]:
        shared = x.copy()
        z, s = np.zeros((8, 32), np.float32), np.zeros((8, 1), np.float32)
        run_function(m, "f", shared, shared, z, s)
        np.testing.assert_array_equal(shared, -x)
        np.testing.assert_array_equal(z, x + x)
        np.testing.assert_allclose(s, np.exp(x).sum(axis=1, keepdims=True), rtol=1e-5)
    # Without the stores before it, the same tile is read in place, and the exp that only
    # the reduce reads is computed in its loop (neither has a stack buffer).
    reads_only = IN_PLACE.replace(
        "    ztile.store %n, %y[%i, %c0] : !ztile.tile<4x32xf32>, memref<8x32xf32>\n", ""
    ).replace("    ztile.store %u, %z[%i, %c0] : !ztile.tile<4x32xf32>, memref<8x32xf32>\n", "")
    # The tile's one user (exp) comes before the store, but the reduce computes the exp in
    # its loop, after the store: still a copy.
    late = f"""
func.func @f(%x: memref<8x32xf32>, %v: memref<8x32xf32>, %y: memref<8x32xf32>, %s: memref<8x1xf32>) {{
  ztile.grid [2] {{
    %p = ztile.program_id 0 : index
    %c0 = arith.constant 0 : index
    %c4 = arith.constant 4 : index
    %i = arith.muli %p, %c4 : index
    %t = ztile.load %x[%i, %c0] : {mem((8, 32), "f32")} -> {tile((4, 32), "f32")}
    %e = ztile.exp %t : {tile((4, 32), "f32")}
    %w = ztile.load %v[%i, %c0] : {mem((8, 32), "f32")} -> {tile((4, 32), "f32")}
    ztile.store %w, %y[%i, %c0] : {tile((4, 32), "f32")}, {mem((8, 32), "f32")}
    %r = ztile.reduce "sum" %e {{axis = 1 : i64}} : {tile((4, 32), "f32")} -> {tile((4, 1), "f32")}
    ztile.store %r, %s[%i, %c0] : {tile((4, 1), "f32")}, {mem((8, 1), "f32")}
  }}
  func.return
}}
"""
    for m in [parse(late), lower(parse(late), 16)]:
        shared = x.copy()
        s = np.zeros((8, 1), np.float32)
        run_function(m, "f", shared, np.zeros_like(x), shared, s)
        np.testing.assert_array_equal(shared, 0.0)
        np.testing.assert_allclose(s, np.exp(x).sum(axis=1, keepdims=True), rtol=1e-5)
    lowered = lower(parse(reads_only), 16)
    buffers = {str(op.results[0].type) for op in lowered.walk() if op.name == "memref.alloca"}
    assert buffers == {"memref<4x1xf32>"}
    s = np.zeros((8, 1), np.float32)
    run_function(lowered, "f", x.copy(), np.zeros_like(x), np.zeros_like(x), s)
    np.testing.assert_allclose(s, np.exp(x).sum(axis=1, keepdims=True), rtol=1e-5)


def test_a_chain_writes_in_place_only_where_nothing_reads_the_target() -> None:
    """A chain's result is written straight into the memref it is stored to, unless the grid
    also reads that memref: here the chain is emitted at the first store (to z), `y` is
    loaded after it and before the negation is stored to `y`, and must read its old values."""
    t, m = tile((4, 32), "f32"), mem((8, 32), "f32")
    src = f"""
func.func @f(%x: {m}, %y: {m}, %z: {m}, %w: {m}) {{
  ztile.grid [2] {{
    %p = ztile.program_id 0 : index
    %c0 = arith.constant 0 : index
    %c4 = arith.constant 4 : index
    %i = arith.muli %p, %c4 : index
    %a = ztile.load %x[%i, %c0] : {m} -> {t}
    %n = ztile.neg %a : {t}
    ztile.store %a, %z[%i, %c0] : {t}, {m}
    %old = ztile.load %y[%i, %c0] : {m} -> {t}
    ztile.store %n, %y[%i, %c0] : {t}, {m}
    ztile.store %old, %w[%i, %c0] : {t}, {m}
  }}
  func.return
}}
"""
    x, y0 = (RNG.standard_normal((8, 32)).astype(np.float32) for _ in range(2))
    module = parse(src)
    for lowered in [module, lower(module, 16), lower(module, 8)]:
        y, z, w = y0.copy(), np.zeros_like(y0), np.zeros_like(y0)
        run_function(lowered, "f", x.copy(), y, z, w)
        np.testing.assert_array_equal(y, -x)
        np.testing.assert_array_equal(z, x)
        np.testing.assert_array_equal(w, y0)
    # Without that load, the negation is written into y directly.
    reads = f"    %old = ztile.load %y[%i, %c0] : {m} -> {t}\n"
    direct = src.replace(reads, "").replace("ztile.store %old, %w", "ztile.store %a, %w")
    stores = [op for op in lower(parse(direct), 16).walk() if op.name == "vector.store"]
    assert any(op.operands[1].name_hint == "y" for op in stores)


@pytest.mark.parametrize(("shape", "tshape"), [((37,), (16,)), ((3, 5, 20), (2, 2, 16))])
def test_elementwise_ranks(shape: tuple[int, ...], tshape: tuple[int, ...]) -> None:
    a = RNG.standard_normal(shape).astype(np.float32)
    b = RNG.standard_normal(shape).astype(np.float32)
    for out in run_all(parse(elementwise_program("mul", shape, tshape)), "f", [a, b], shape):
        np.testing.assert_allclose(out, a * b, rtol=1e-6)


def test_chain_reduce_transpose_splat() -> None:
    """Fused chains, reductions over both axes, transpose and splat in one program."""
    t, tt = tile((6, 20), "f32"), tile((20, 6), "f32")
    src = f"""
func.func @f(%x: memref<6x20xf32>, %cs: memref<1x20xf32>, %rm: memref<6x1xf32>, %xt: memref<20x6xf32>) {{
  ztile.grid [1] {{
    %c0 = arith.constant 0 : index
    %t = ztile.load %x[%c0, %c0] : memref<6x20xf32> -> {t}
    %half = arith.constant 0.5 : f32
    %h = ztile.splat %half : f32 -> {t}
    %g = ztile.gelu %t : {t}
    %s = ztile.sigmoid %g : {t}
    %u = ztile.mul %s, %h : {t}
    %colsum = ztile.reduce "sum" %u {{axis = 0 : i64}} : {t} -> {tile((1, 20), "f32")}
    ztile.store %colsum, %cs[%c0, %c0] : {tile((1, 20), "f32")}, memref<1x20xf32>
    %rowmax = ztile.reduce "max" %u {{axis = 1 : i64}} : {t} -> {tile((6, 1), "f32")}
    ztile.store %rowmax, %rm[%c0, %c0] : {tile((6, 1), "f32")}, memref<6x1xf32>
    %tr = ztile.transpose %u {{permutation = array<i64: 1, 0>}} : {t} -> {tt}
    ztile.store %tr, %xt[%c0, %c0] : {tt}, memref<20x6xf32>
  }}
  func.return
}}
"""
    x = RNG.standard_normal((6, 20)).astype(np.float32)
    u = sigmoid(gelu(x)) * np.float32(0.5)
    module = parse(src)
    for m in [module, lower(module, 16), lower(module, 8)]:
        outs = [np.full(s, np.nan, np.float32) for s in ((1, 20), (6, 1), (20, 6))]
        run_function(m, "f", x, *outs)
        np.testing.assert_allclose(outs[0], u.sum(axis=0, keepdims=True), rtol=1e-5)
        np.testing.assert_allclose(outs[1], u.max(axis=1, keepdims=True), rtol=1e-6)
        np.testing.assert_allclose(outs[2], u.T, rtol=1e-6)


# ---------------------------------------------------------------------------------------------
# Shape of the lowered code
# ---------------------------------------------------------------------------------------------


def _count(module: ModuleOp, name: str) -> int:
    return sum(1 for op in module.walk() if op.name == name)


def test_elementwise_chain_is_one_loop() -> None:
    """relu(acc + broadcast(bias)) becomes a single loop over vectors."""
    lowered = lower(parse(matmul_program(32, 16, 32, 16, 16, 32)), 16)
    adds = [op for op in lowered.walk() if op.name == "arith.addf"]
    relus = [op for op in lowered.walk() if op.name == "arith.maximumf"]
    assert len(adds) == 1 and len(relus) == 1
    assert adds[0].parent_block() is relus[0].parent_block()
    assert _count(lowered, "vector.fma") == 6 * 2 + 4 * 2  # 6-row blocks x 2 vectors, 4 left


def test_vector_width_option() -> None:
    lowered = lower(parse(softmax_program(8, 16, 4, 16)), 8)
    vector_types = {str(op.results[0].type) for op in lowered.walk() if op.name == "vector.load"}
    assert vector_types == {"vector<8xf32>"}
    assert _count(lowered, "vector.reduction") == 2


# ---------------------------------------------------------------------------------------------
# f16 and bf16 tiles: computed in f32, rounded once per op (ztile-widen)
# ---------------------------------------------------------------------------------------------


def _narrow(elt: str) -> Any:
    if elt == "f16":
        return np.dtype(np.float16)
    import ml_dtypes

    return np.dtype(ml_dtypes.bfloat16)


@pytest.mark.parametrize(
    ("m", "k", "n", "bm", "bk", "bn", "elt"),
    [(33, 17, 20, 16, 8, 16, "f16"), (7, 13, 9, 8, 16, 16, "bf16")],
)
def test_matmul_bias_relu_narrow(
    m: int, k: int, n: int, bm: int, bk: int, bn: int, elt: str
) -> None:
    """A narrow accumulator rounds after each `ztile.dot` (one per K chunk), each dot sums in
    f32; the bias add and relu round once each."""
    dtype = _narrow(elt)
    a = RNG.standard_normal((m, k)).astype(dtype)
    b = RNG.standard_normal((k, n)).astype(dtype)
    bias = RNG.standard_normal((1, n)).astype(dtype)
    acc = np.zeros((m, n), dtype)
    for k0 in range(0, k, bk):
        chunk = a[:, k0 : k0 + bk].astype(np.float32) @ b[k0 : k0 + bk].astype(np.float32)
        acc = (acc.astype(np.float32) + chunk).astype(dtype)
    expected = np.maximum(acc + bias, dtype.type(0)).astype(np.float64)
    module = parse(matmul_program(m, k, n, bm, bk, bn, elt))
    ulp = 2.0**-10 if elt == "f16" else 2.0**-7
    for out in run_all(module, "mm", [a, b, bias], (m, n)):
        assert out.dtype == dtype
        # An f32 sum in another order may round to the neighbouring narrow value.
        np.testing.assert_allclose(out.astype(np.float64), expected, rtol=ulp, atol=ulp / 4)


def test_narrow_tiles_exact_ops_casts_and_reduce() -> None:
    """Exact ops are numpy's on float16 bit for bit, on every path; casts between f64, f16
    and bf16 round once; a sum over a row accumulates in f32."""
    import ml_dtypes

    h, bf = tile((5, 20), "f16"), tile((5, 20), "bf16")
    program = f"""
func.func @f(%x: {mem((5, 20), "f16")}, %y: {mem((5, 20), "f16")}, %d: {mem((5, 20), "f64")},
             %o1: {mem((5, 20), "f16")}, %o2: {mem((5, 20), "bf16")}, %o3: {mem((5, 20), "f16")},
             %o4: {mem((5, 1), "f16")}) {{
  ztile.grid [1] {{
    %c0 = arith.constant 0 : index
    %a = ztile.load %x[%c0, %c0] : {mem((5, 20), "f16")} -> {h}
    %b = ztile.load %y[%c0, %c0] : {mem((5, 20), "f16")} -> {h}
    %m = ztile.mul %a, %b : {h}
    %s = ztile.add %m, %a : {h}
    %q = ztile.div %s, %b : {h}
    ztile.store %q, %o1[%c0, %c0] : {h}, {mem((5, 20), "f16")}
    %w = ztile.cast %q : {h} -> {bf}
    ztile.store %w, %o2[%c0, %c0] : {bf}, {mem((5, 20), "bf16")}
    %t = ztile.load %d[%c0, %c0] : {mem((5, 20), "f64")} -> {tile((5, 20), "f64")}
    %n = ztile.cast %t : {tile((5, 20), "f64")} -> {h}
    ztile.store %n, %o3[%c0, %c0] : {h}, {mem((5, 20), "f16")}
    %r = ztile.reduce "sum" %a {{axis = 1 : i64}} : {h} -> {tile((5, 1), "f16")}
    ztile.store %r, %o4[%c0, %c0] : {tile((5, 1), "f16")}, {mem((5, 1), "f16")}
  }}
  func.return
}}
"""
    x = RNG.standard_normal((5, 20)).astype(np.float16)
    y = (np.abs(RNG.standard_normal((5, 20))) + 0.5).astype(np.float16)
    # f64 values just above halfway between two f16 values: through f32 they would tie.
    d = x.astype(np.float64) + np.spacing(x).astype(np.float64) * (0.5 + 2.0**-20)
    q = (x * y + x) / y
    want = [q, q.astype(ml_dtypes.bfloat16), d.astype(np.float16)]
    total = x.astype(np.float32).sum(axis=1, keepdims=True)
    module = parse(program)
    for m in [module, lower(module, 16), lower(module, 8)]:
        outs = [
            np.zeros((5, 20), np.float16),
            np.zeros((5, 20), ml_dtypes.bfloat16),
            np.zeros((5, 20), np.float16),
            np.zeros((5, 1), np.float16),
        ]
        run_function(m, "f", x, y, d, *outs)
        for got, expected in zip(outs[:3], want, strict=True):
            assert got.dtype == expected.dtype
            assert (got.view(np.uint16) == expected.view(np.uint16)).all()
        np.testing.assert_allclose(outs[3].astype(np.float64), total, rtol=2.0**-10)
