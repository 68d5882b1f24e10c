"""SSA dominance by region kind (MLIR's RegionKindInterface) in `verify_operation`, and the
two meanings of `--verify-diagnostics` (MLIR's with `expected-*` annotations, xDSL's
without), compared with `xdsl-opt` itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from xdsl.ir import Block, Region
from xdsl.irdl import IRDLOperation, irdl_op_definition, region_def, traits_def
from xdsl.traits import NoTerminator

from ziggurat.diagnostics import DiagnosticError, has_expected_diagnostics
from ziggurat.parsing import default_context, parse_module
from ziggurat.verifier import GraphRegions, region_kind


def _script(name: str) -> str:
    # The session's fork-server clients (tests/pytest/conftest.py), else the installed one.
    local = Path(os.environ.get("ZIGGURAT_TEST_BIN") or Path(sys.executable).parent) / name
    found = str(local) if local.exists() else shutil.which(name)
    assert found is not None, f"{name} is not installed"
    return found


ZIGGURAT_OPT = _script("ziggurat-opt")
XDSL_OPT = _script("xdsl-opt")


def dominance_error(text: str) -> str | None:
    """The message of the dominance error `text` gives, or None if it verifies."""
    try:
        parse_module(text, "t.mlir")
    except DiagnosticError as e:
        assert "does not dominate" in e.diagnostic.message, str(e)
        return e.diagnostic.message
    return None


# ---------------------------------------------------------------------------------------------
# Region kinds
# ---------------------------------------------------------------------------------------------


def test_module_body_is_a_graph_region() -> None:
    # Uses before definitions and self-uses are valid at module level (as in MLIR).
    assert dominance_error("%0 = arith.addi %1, %1 : i32\n%1 = arith.constant 1 : i32\n") is None
    assert dominance_error("%0 = arith.addi %0, %0 : i32\n") is None


def test_function_body_is_an_ssacfg_region() -> None:
    text = """func.func @f() -> i32 {
  %0 = arith.addi %1, %1 : i32
  %1 = arith.constant 1 : i32
  func.return %0 : i32
}
"""
    assert dominance_error(text) == "'arith.addi' op operand #0 does not dominate this use"
    self_use = "func.func @f() {\n  %0 = arith.addi %0, %0 : i32\n  func.return\n}\n"
    assert dominance_error(self_use) is not None


def test_equivalence_graph_is_a_graph_region() -> None:
    text = """func.func @f(%x: index) -> index {
  %g = equivalence.graph -> index {
    %c = equivalence.class %r : index
    %r = arith.addi %x, %x : index
    equivalence.yield %c : index
  }
  func.return %g : index
}
"""
    assert dominance_error(text) is None


def test_graph_region_inside_ssacfg_still_needs_outer_dominance() -> None:
    # The graph region may use values of the function only if they dominate the graph op.
    text = """func.func @f(%x: index) -> index {
  %g = equivalence.graph -> index {
    %r = arith.addi %later, %later : index
    %c = equivalence.class %r : index
    equivalence.yield %c : index
  }
  %later = arith.addi %x, %x : index
  func.return %g : index
}
"""
    assert dominance_error(text) == "'arith.addi' op operand #0 does not dominate this use"


def test_unreachable_blocks_are_not_checked() -> None:
    text = """func.func @f() -> i32 {
  %0 = arith.constant 0 : i32
  func.return %0 : i32
^dead:
  %1 = arith.addi %2, %2 : i32
  %2 = arith.constant 1 : i32
  func.return %1 : i32
}
"""
    assert dominance_error(text) is None


def test_unreachable_predecessor_does_not_hide_dominance() -> None:
    # xDSL's DominanceInfo intersects over unreachable predecessors too and loses the entry
    # block; MLIR's dominator tree ignores them (pdl_interp matchers look like this).
    text = """func.func @f() -> i32 {
  %0 = arith.constant 0 : i32
  cf.br ^join
^dead:
  cf.br ^join
^join:
  %1 = arith.addi %0, %0 : i32
  func.return %1 : i32
}
"""
    assert dominance_error(text) is None


def test_value_from_one_branch_does_not_dominate_the_join() -> None:
    text = """func.func @f(%c: i1) -> i32 {
  cf.cond_br %c, ^a, ^b
^a:
  %0 = arith.constant 0 : i32
  cf.br ^j
^b:
  cf.br ^j
^j:
  func.return %0 : i32
}
"""
    assert dominance_error(text) == "'func.return' op operand #0 does not dominate this use"
    loop = """func.func @f(%c: i1) -> i32 {
  %0 = arith.constant 0 : i32
  cf.br ^head
^head:
  %1 = arith.addi %0, %0 : i32
  cf.cond_br %c, ^head, ^exit
^exit:
  func.return %1 : i32
}
"""
    assert dominance_error(loop) is None


def test_value_used_outside_its_region() -> None:
    text = """func.func @f(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %inner = arith.addi %i, %i : index
    scf.yield
  }
  %bad = arith.addi %inner, %inner : index
  func.return
}
"""
    with pytest.raises(DiagnosticError):
        parse_module(text, "t.mlir")


def test_register_level_code_is_not_checked() -> None:
    # x86 assembly inside a func.func: registers are passed to a jump's target block.
    text = """func.func @f() {
  x86.fallthrough ^a()
^a:
  x86.label "a"
  x86.c.jmp ^b(%arg : !x86.reg64)
^b(%arg: !x86.reg64):
  x86.label "b"
  func.return
}
"""
    assert dominance_error(text) is None


def test_region_kind_table() -> None:
    ctx = default_context(allow_unregistered=True)
    module = parse_module(
        """func.func @f() { func.return }
riscv_func.func @g() { riscv_func.return }
"unknown.op"() ({ "unknown.end"() : () -> () }) : () -> ()
""",
        "t.mlir",
        ctx,
    )
    func_op, riscv_op, unknown_op = list(module.ops)
    assert region_kind(module, 0) == "graph"
    assert region_kind(func_op, 0) == "ssacfg"
    assert region_kind(riscv_op, 0) == "graph"
    assert region_kind(unknown_op, 0) == "graph"


@irdl_op_definition
class _GraphOp(IRDLOperation):
    name = "testkinds.graph"
    body = region_def()
    traits = traits_def(GraphRegions(), NoTerminator())


@irdl_op_definition
class _MixedOp(IRDLOperation):
    name = "testkinds.mixed"
    first = region_def()
    second = region_def()
    traits = traits_def(GraphRegions(1), NoTerminator())


def test_graph_regions_trait() -> None:
    ctx = default_context()
    ctx.load_op(_GraphOp)
    ctx.load_op(_MixedOp)
    body = "{\n    %0 = arith.addi %1, %1 : i32\n    %1 = arith.constant 1 : i32\n  }"
    graph = f'func.func @f() {{\n  "testkinds.graph"() ({body}) : () -> ()\n  func.return\n}}\n'
    parse_module(graph, "t.mlir", ctx)
    ok = f'func.func @f() {{\n  "testkinds.mixed"() ({{\n  }}, {body}) : () -> ()\n  func.return\n}}\n'
    parse_module(ok, "t.mlir", ctx)
    bad = f'func.func @f() {{\n  "testkinds.mixed"() ({body}, {{\n  }}) : () -> ()\n  func.return\n}}\n'
    with pytest.raises(DiagnosticError, match="does not dominate"):
        parse_module(bad, "t.mlir", ctx)
    mixed = parse_module(ok, "t.mlir", ctx).body.block.first_op
    assert mixed is not None
    holder = next(op for op in mixed.walk() if isinstance(op, _MixedOp))
    assert (region_kind(holder, 0), region_kind(holder, 1)) == ("ssacfg", "graph")


def test_dominator_tree_of_a_long_cfg() -> None:
    # Iterative (no recursion on the CFG's depth) and about linear: a 20,000-block chain
    # with a side branch. (xDSL's own per-op verifier is quadratic in the number of blocks,
    # so this checks the dominator tree directly.)
    from xdsl.dialects.builtin import i1
    from xdsl.dialects.cf import BranchOp, ConditionalBranchOp
    from xdsl.dialects.test import TestOp

    from ziggurat.verifier import _DomTree

    n = 20_000
    blocks = [Block() for _ in range(n + 2)]
    cond = TestOp(result_types=[i1])
    blocks[0].add_ops([cond, ConditionalBranchOp(cond.res[0], blocks[1], (), blocks[n + 1], ())])
    for i in range(1, n):
        blocks[i].add_op(BranchOp(blocks[i + 1]))
    blocks[n].add_op(BranchOp(blocks[n + 1]))
    blocks[n + 1].add_op(TestOp())
    region = Region(blocks)
    start = time.perf_counter()
    tree = _DomTree.build(region)
    assert tree.dominates(blocks[1], blocks[n])
    assert tree.dominates(blocks[0], blocks[n + 1])
    assert not tree.dominates(blocks[1], blocks[n + 1])  # reached from the entry directly
    assert not tree.dominates(blocks[n], blocks[1])
    assert time.perf_counter() - start < 30


# ---------------------------------------------------------------------------------------------
# --verify-diagnostics and --parsing-diagnostics: xDSL's meaning without annotations
# ---------------------------------------------------------------------------------------------


def run(tool: str, path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [tool, path.name, *args], capture_output=True, text=True, cwd=path.parent, timeout=120
    )
    assert "Traceback" not in proc.stderr or tool == XDSL_OPT, proc.stderr
    return proc


VERIFIER_ERRORS = """func.func @f() -> i32 {
  %0 = arith.constant 1 : i64
  func.return %0 : i64
}

// -----

func.func @g(%a: i32) {
  %0 = "arith.addi"(%a, %a) : (i32, i32) -> i64
  func.return
}

// -----

func.func @fine() {
  func.return
}
"""

PARSE_ERRORS = """func.func @f() {
  %0 = arith.constant 1 : i32
  %0 = arith.constant 2 : i32
  func.return
}

// -----

builtin.module {
  %0 = "test.op"(%1) : (i32) -> i32
}

// -----

func.func @g() {
  func.return
"""


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        (VERIFIER_ERRORS, ("--verify-diagnostics", "--split-input-file")),
        (PARSE_ERRORS, ("--parsing-diagnostics", "--split-input-file")),
        (PARSE_ERRORS + "// -----\n" + VERIFIER_ERRORS, (
            "--parsing-diagnostics", "--verify-diagnostics", "--split-input-file",
        )),
    ],
    ids=["verify", "parse", "both"],
)  # fmt: skip
def test_xdsl_semantics_match_xdsl_opt(tmp_path: Path, text: str, flags: tuple[str, ...]) -> None:
    path = tmp_path / "x.mlir"
    path.write_text(text)
    ours = run(ZIGGURAT_OPT, path, *flags)
    theirs = run(XDSL_OPT, path, *flags)
    assert theirs.returncode == 0, theirs.stderr
    assert (ours.returncode, ours.stdout) == (0, theirs.stdout)
    assert ours.stderr == ""


def test_xdsl_semantics_print_dominance_errors_like_verifier_errors(tmp_path: Path) -> None:
    path = tmp_path / "d.mlir"
    path.write_text(
        "func.func @f() -> i32 {\n  %0 = arith.addi %1, %1 : i32\n"
        "  %1 = arith.constant 1 : i32\n  func.return %0 : i32\n}\n"
    )
    proc = run(ZIGGURAT_OPT, path, "--verify-diagnostics")
    assert proc.returncode == 0
    assert proc.stdout.startswith("operand #0 does not dominate this use\n")
    assert "\n    | operand #0 does not dominate this use\n" in proc.stdout  # under the op
    # Without --verify-diagnostics it is an error, located, on stderr.
    plain = run(ZIGGURAT_OPT, path)
    assert plain.returncode == 1
    assert plain.stderr.startswith("d.mlir:2:8: error: 'arith.addi' op operand #0 does not")


def test_without_the_flags_errors_stay_located(tmp_path: Path) -> None:
    path = tmp_path / "x.mlir"
    path.write_text(VERIFIER_ERRORS)
    proc = run(ZIGGURAT_OPT, path, "--split-input-file")
    assert proc.returncode == 1
    assert proc.stderr.startswith("x.mlir:3:3: error: 'func.return' op ")
    parse = tmp_path / "p.mlir"
    parse.write_text(PARSE_ERRORS)
    proc = run(ZIGGURAT_OPT, parse, "--split-input-file", "--verify-diagnostics")
    assert proc.returncode == 1  # a parse error needs --parsing-diagnostics, as in xdsl-opt
    assert proc.stderr.startswith("p.mlir:3:3: error: ")


def test_annotations_select_mlir_semantics(tmp_path: Path) -> None:
    annotated = "// expected-error@+2 {{does not dominate}}\n// expected-note@+2 {{defined here}}\n"
    body = (
        "func.func @f() -> i32 {\n  %0 = arith.addi %1, %1 : i32\n"
        "  %1 = arith.constant 1 : i32\n  func.return %0 : i32\n}\n"
    )
    assert has_expected_diagnostics(annotated)
    assert not has_expected_diagnostics(body + "// CHECK: expected-{{error}}\n")
    path = tmp_path / "m.mlir"
    path.write_text("func.func @f() -> i32 {\n  // expected-error@+1 {{does not dominate}}\n"
                    "  %0 = arith.addi %1, %1 : i32\n  // expected-note@+1 {{defined here}}\n"
                    "  %1 = arith.constant 1 : i32\n  func.return %0 : i32\n}\n")  # fmt: skip
    proc = run(ZIGGURAT_OPT, path, "--verify-diagnostics")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    # A file with annotations fails on an unexpected diagnostic (MLIR), even in another chunk.
    path.write_text(path.read_text() + "// -----\n" + VERIFIER_ERRORS)
    proc = run(ZIGGURAT_OPT, path, "--verify-diagnostics", "--split-input-file")
    assert proc.returncode == 1
    assert "error: unexpected error: 'func.return' op" in proc.stderr
