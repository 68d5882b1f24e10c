"""`ziggurat-opt` on bad input: located errors, no tracebacks, the right exit codes; and the
Python API of ziggurat.diagnostics, ziggurat.parsing and ziggurat.verifier."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from xdsl.dialects.builtin import (
    DenseArrayBase,
    FileLineColLoc,
    Float32Type,
    ModuleOp,
    TensorType,
    i64,
)
from xdsl.passes import ModulePass

from ziggurat.diagnostics import DiagnosticError, SourceBuffer, expected_diagnostics, split_input
from ziggurat.dialects.ztensor import AddOp, TransposeOp
from ziggurat.parsing import default_context, parse_module
from ziggurat.tools import opt
from ziggurat.verifier import verify_operation

REPO = Path(__file__).resolve().parents[2]
OPS_FILE = REPO / "tests" / "filecheck" / "dialects" / "ztensor" / "ops.mlir"


def _script(name: str) -> str:
    # The session's fork-server clients (tests/pytest/conftest.py), else the installed one.
    local = Path(os.environ.get("ZIGGURAT_TEST_BIN") or Path(sys.executable).parent) / name
    found = str(local) if local.exists() else shutil.which(name)
    assert found is not None, f"{name} is not installed"
    return found


ZIGGURAT_OPT = _script("ziggurat-opt")


def run(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ziggurat-opt; no run may ever print a Python traceback."""
    proc = subprocess.run(
        [ZIGGURAT_OPT, *args],
        input=stdin.decode("latin-1") if stdin is not None else None,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout
    return proc


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


FUNC = """func.func @f(%a: tensor<4x8xf32>, %b: tensor<5xf32>) -> tensor<4x8xf32> {{
{body}
  func.return %0 : tensor<4x8xf32>
}}
"""


# ---------------------------------------------------------------------------------------------
# Located errors
# ---------------------------------------------------------------------------------------------


def test_shape_mismatch_is_located(tmp_path: Path) -> None:
    body = "  %0 = ztensor.add %a, %b : (tensor<4x8xf32>, tensor<5xf32>) -> tensor<4x8xf32>"
    write(tmp_path, "shape.mlir", FUNC.format(body=body))
    proc = run("shape.mlir", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == (
        "shape.mlir:2:8: error: 'ztensor.add' op operand shapes are not broadcast-compatible: "
        "4x8, 5\n" + body + "\n       ^\n"
    )


def test_unknown_op(tmp_path: Path) -> None:
    body = "  %0 = ztensor.addd %a, %a : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>"
    write(tmp_path, "unknown.mlir", FUNC.format(body=body))
    proc = run("unknown.mlir", cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0].startswith(
        "unknown.mlir:2:8: error: unknown operation 'ztensor.addd': dialect 'ztensor' has no "
        "such operation; did you mean 'ztensor.add'"
    )
    assert lines[1:] == [body, "       " + "^" * len("ztensor.addd")]


def test_unknown_dialect(tmp_path: Path) -> None:
    write(tmp_path, "d.mlir", '"acme.frob"() : () -> ()\n')
    proc = run("d.mlir", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith(
        "d.mlir:1:1: error: unknown operation 'acme.frob': no dialect 'acme' is registered"
    )
    # ... which --allow-unregistered-dialect accepts.
    assert run("d.mlir", "--allow-unregistered-dialect", cwd=tmp_path).returncode == 0


def test_use_before_def(tmp_path: Path) -> None:
    body = "  %0 = ztensor.exp %1 : tensor<4x8xf32>\n  %1 = ztensor.neg %a : tensor<4x8xf32>"
    write(tmp_path, "ubd.mlir", FUNC.format(body=body))
    proc = run("ubd.mlir", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr == (
        "ubd.mlir:2:8: error: 'ztensor.exp' op operand #0 does not dominate this use\n"
        "  %0 = ztensor.exp %1 : tensor<4x8xf32>\n"
        "       ^\n"
        "ubd.mlir:3:8: note: operand defined here\n"
        "  %1 = ztensor.neg %a : tensor<4x8xf32>\n"
        "       ^\n"
    )


def test_use_before_def_into_nested_region(tmp_path: Path) -> None:
    text = """func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ztensor.fused "elementwise" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %y = ztensor.add %x, %later : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ztensor.yield %y : tensor<4xf32>
  }
  %later = ztensor.exp %a : tensor<4xf32>
  func.return %0 : tensor<4xf32>
}
"""
    write(tmp_path, "nested.mlir", text)
    proc = run("nested.mlir", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith(
        "nested.mlir:4:10: error: 'ztensor.add' op operand #1 does not dominate this use\n"
    )


def test_undefined_value(tmp_path: Path) -> None:
    body = "  %0 = ztensor.exp %missing : tensor<4x8xf32>"
    write(tmp_path, "undef.mlir", FUNC.format(body=body))
    proc = run("undef.mlir", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr == (
        "undef.mlir:2:20: error: use of undefined value '%missing'\n"
        + body
        + "\n                   ^^^^^^^^\n"
    )


def test_truncated_file(tmp_path: Path) -> None:
    text = OPS_FILE.read_text()
    cut = text.index("%3 = ztensor.div %1, %2 : (tensor<4x8xf32>, tensor<4x8") + 50
    write(tmp_path, "cut.mlir", text[:cut])
    proc = run("cut.mlir", cwd=tmp_path)
    assert proc.returncode == 1
    line = text[:cut].count("\n") + 1
    assert proc.stderr.startswith(f"cut.mlir:{line}:")
    assert ": error: " in proc.stderr.splitlines()[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00\x01\x00\x00\x00\xc0\xff",
            "bin:1:8: error: input contains a NUL character; is this a binary file?",
        ),
        (
            b"module {\n  \x93\x94\x00\n}\n",
            "bin:2:3: error: input is not valid UTF-8 text (byte 0x93 at offset 11); is this a "
            "binary file?",
        ),
        (b"\x01\x02\x03", "bin:1:1: error: Unexpected character: \\x01"),
    ],
)
def test_binary_garbage(tmp_path: Path, data: bytes, message: str) -> None:
    write(tmp_path, "bin", data)
    proc = run("bin", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0] == message


def test_missing_file(tmp_path: Path) -> None:
    proc = run("nope.mlir", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr == (
        "ziggurat-opt: error: cannot open input file 'nope.mlir': No such file or directory\n"
    )


def test_unreadable_file(tmp_path: Path) -> None:
    proc = run(str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("ziggurat-opt: error: cannot open input file")
    assert "Is a directory" in proc.stderr


def test_stdin_is_named(tmp_path: Path) -> None:
    proc = run(stdin=b"func.func @f() {\n  %0 = ztensor.bogus\n}\n")
    assert proc.returncode == 1
    assert proc.stderr.startswith("<stdin>:2:8: error: unknown operation 'ztensor.bogus'")


def test_split_input_file_reports_every_chunk_with_file_lines(tmp_path: Path) -> None:
    text = (
        "func.func @ok() {\n  func.return\n}\n"
        "// -----\n"
        "func.func @bad() {\n  %0 = ztensor.nope\n}\n"
        "// -----\n"
        "func.func @also_ok() {\n  func.return\n}\n"
    )
    write(tmp_path, "split.mlir", text)
    proc = run("split.mlir", "--split-input-file", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("split.mlir:6:8: error: unknown operation 'ztensor.nope'")
    assert "@ok" in proc.stdout and "@also_ok" in proc.stdout
    assert proc.stdout.count("// -----") == 2


def test_output_file_not_written_on_error(tmp_path: Path) -> None:
    write(tmp_path, "bad.mlir", "%0 = ztensor.nope\n")
    proc = run("bad.mlir", "-o", "out.mlir", cwd=tmp_path)
    assert proc.returncode == 1
    assert not (tmp_path / "out.mlir").exists()
    write(tmp_path, "good.mlir", "func.func @f() {\n  func.return\n}\n")
    assert run("good.mlir", "-o", "out.mlir", cwd=tmp_path).returncode == 0
    assert "func.func @f()" in (tmp_path / "out.mlir").read_text()


# ---------------------------------------------------------------------------------------------
# Pipelines
# ---------------------------------------------------------------------------------------------


def test_unknown_pass(tmp_path: Path) -> None:
    proc = run("-p", "canonicalize,cannonicalize", str(OPS_FILE))
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert lines[0] == (
        "ziggurat-opt: error: unknown pass 'cannonicalize' in pipeline "
        "'canonicalize,cannonicalize' (did you mean 'canonicalize', 'canonicalize-dmp'?)"
    )
    assert lines[1] == "available passes:"
    listed = " ".join(lines[2:])
    assert "canonicalize," in listed and "cse," in listed


def test_malformed_pipeline() -> None:
    proc = run("-p", "canonicalize{", str(OPS_FILE))
    assert proc.returncode == 2
    assert proc.stderr == (
        "ziggurat-opt: error: malformed pass pipeline: Expected argument name here\n"
        "  canonicalize{\n"
        "               ^\n"
        "expected syntax: pass-name, pass-name{option=value other-option=v1,v2}, passes "
        "separated by commas\n"
    )


def test_bad_pass_option() -> None:
    proc = run("-p", "scf-parallel-loop-tiling{tile=4}", str(OPS_FILE))
    assert proc.returncode == 2
    assert proc.stderr == (
        "ziggurat-opt: error: pass 'scf-parallel-loop-tiling' has no option 'tile'; its "
        "options are: parallel-loop-tile-sizes: tuple[int, ...]\n"
    )
    proc = run("-p", "scf-parallel-loop-tiling{parallel-loop-tile-sizes=x}", str(OPS_FILE))
    assert proc.returncode == 2
    assert "Incompatible types: given ('x',), expected tuple[int, ...]" in proc.stderr


def test_unknown_target() -> None:
    proc = run("-t", "nonsense", str(OPS_FILE))
    assert proc.returncode == 2
    assert "invalid choice: 'nonsense'" in proc.stderr


def test_help_lists_passes() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    assert "--traceback" in proc.stdout
    assert "xDSL passes:" in proc.stdout
    assert "canonicalize" in proc.stdout


# ---------------------------------------------------------------------------------------------
# --verify-diagnostics
# ---------------------------------------------------------------------------------------------

VERIFY = """func.func @f(%a: tensor<4xf32>, %b: tensor<5xf32>) -> tensor<4xf32> {{
  {annotation}
  %0 = ztensor.add %a, %b : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}}
// -----
func.func @g(%a: tensor<4xf32>) -> tensor<4xf32> {{
  func.return %a : tensor<4xf32>
}}
"""


def test_verify_diagnostics_success(tmp_path: Path) -> None:
    annotation = "// expected-error@+1 {{operand shapes are not broadcast-compatible: 4, 5}}"
    write(tmp_path, "v.mlir", VERIFY.format(annotation=annotation))
    proc = run("v.mlir", "--split-input-file", "--verify-diagnostics", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    # The chunk without errors is printed like mlir-opt does.
    assert "func.func @g" in proc.stdout and "func.func @f" not in proc.stdout


def test_verify_diagnostics_missing_expected(tmp_path: Path) -> None:
    annotation = "// expected-error@+1 {{shapes are fine}}"
    write(tmp_path, "v.mlir", VERIFY.format(annotation=annotation))
    proc = run("v.mlir", "--split-input-file", "--verify-diagnostics", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr == (
        "v.mlir:3:8: error: unexpected error: 'ztensor.add' op operand shapes are not "
        "broadcast-compatible: 4, 5\n"
        "  %0 = ztensor.add %a, %b : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>\n"
        "       ^\n"
        'v.mlir:2:6: error: expected error "shapes are fine" was not produced\n'
        "  " + annotation + "\n"
        "     ^^^^^^^^^^^^^^\n"
    )


def test_verify_diagnostics_unexpected(tmp_path: Path) -> None:
    # MLIR's meaning applies to a file with expected-* annotations (here in another chunk).
    annotated = (
        "// -----\nfunc.func @h(%a: tensor<4xf32>) {\n"
        "  // expected-error@+1 {{is out of range}}\n"
        "  %0 = ztensor.softmax %a {axis = 3 : i64} : tensor<4xf32>\n  func.return\n}\n"
    )
    write(tmp_path, "v.mlir", VERIFY.format(annotation="// no annotation") + annotated)
    proc = run("v.mlir", "--split-input-file", "--verify-diagnostics", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0] == (
        "v.mlir:3:8: error: unexpected error: 'ztensor.add' op operand shapes are not "
        "broadcast-compatible: 4, 5"
    )
    assert len(proc.stderr.splitlines()) == 3  # the annotated chunk's error was expected


def test_verify_diagnostics_without_annotations_is_xdsl_opt_mode(tmp_path: Path) -> None:
    # A file without annotations: xdsl-opt's meaning (print the diagnostic, carry on, exit 0),
    # which xDSL's own FileCheck tests rely on (tests/filecheck/xdsl_compat).
    write(tmp_path, "v.mlir", VERIFY.format(annotation="// no annotation"))
    proc = run("v.mlir", "--split-input-file", "--verify-diagnostics", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert proc.stdout.startswith(
        "'ztensor.add' op operand shapes are not broadcast-compatible: 4, 5\n"
    )
    assert "func.func @g" in proc.stdout
    xdsl_opt = subprocess.run(
        [_script("xdsl-opt"), "v.mlir", "--split-input-file", "--verify-diagnostics"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert (xdsl_opt.returncode, xdsl_opt.stdout) == (0, proc.stdout)


def test_verify_diagnostics_expected_but_input_is_valid(tmp_path: Path) -> None:
    text = "func.func @g() {\n  // expected-warning@+1 {{never}}\n  func.return\n}\n"
    write(tmp_path, "v.mlir", text)
    proc = run("v.mlir", "--verify-diagnostics", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith('v.mlir:2:6: error: expected warning "never" was not produced')


def test_expected_diagnostic_designators() -> None:
    text = "\n".join(
        [
            "%0 = a",  # 1
            "// expected-error@above {{A}}",  # 2 -> 1
            "// expected-note@below {{B}}",  # 3 -> 7 (5 holds an annotation)
            "// expected-remark@-3 {{C}}",  # 4 -> 1
            "%1 = b // expected-warning {{D}}",  # 5 -> 5
            "// expected-error@+1 {{E}}",  # 6 -> 7
            "%2 = c",  # 7
            "// expected-error@unknown {{F}}",  # 8 -> None
            "// expected-error-re@-1 {{x {{[0-9]+}} y}}",  # 9 -> 8
        ]
    )
    # Lines of a later chunk are lines of the whole file.
    found, errors = expected_diagnostics(SourceBuffer("t.mlir", text, line_offset=10))
    assert errors == []
    got = [(e.severity, e.message, e.line) for e in found]
    assert got == [
        ("error", "A", 11),
        ("note", "B", 17),
        ("remark", "C", 11),
        ("warning", "D", 15),
        ("error", "E", 17),
        ("error", "F", None),
        ("error", "x {{[0-9]+}} y", 18),
    ]
    assert found[-1].pattern is not None and found[-1].pattern.search("a x 42 y b")


def test_split_input_matches_xdsl() -> None:
    text = "a\n// -----\nb\nc\n// -----\nd"
    chunks = split_input("f.mlir", text)
    assert [c.text for c in chunks] == ["a\n", "\nb\nc\n", "\nd"]
    assert [c.line_offset for c in chunks] == [0, 1, 4]
    assert chunks[2].location(chunks[2].text.index("d")).line == 6


# ---------------------------------------------------------------------------------------------
# Entry point, internal errors, the Python API
# ---------------------------------------------------------------------------------------------


def test_plain_xdsl_opt_parses_ztensor() -> None:
    proc = subprocess.run(
        [_script("xdsl-opt"), str(OPS_FILE)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "ztensor.fused" in proc.stdout and "ztensor.layernorm" in proc.stdout


class _CrashingPass(ModulePass):
    name = "test-crash"

    def apply(self, ctx: object, op: ModuleOp) -> None:
        raise KeyError("boom")


def _with_crashing_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    original = opt.ZigguratOptMain.register_all_passes

    def register(self: opt.ZigguratOptMain) -> None:
        original(self)
        self.available_passes["test-crash"] = lambda: _CrashingPass

    monkeypatch.setattr(opt.ZigguratOptMain, "register_all_passes", register)


def test_internal_error_is_one_line_with_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_crashing_pass(monkeypatch)
    with pytest.raises(SystemExit) as exit_info:
        opt.main([str(OPS_FILE), "-p", "test-crash"])
    assert exit_info.value.code == opt.EXIT_INTERNAL_ERROR
    err = capsys.readouterr().err
    assert err == (
        "ziggurat-opt: internal error: in pass 'test-crash': KeyError: 'boom'\n"
        "ziggurat-opt: note: this is a bug; rerun with --traceback to see where\n"
    )


def test_traceback_flag_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_crashing_pass(monkeypatch)
    with pytest.raises(SystemExit) as exit_info:
        opt.main([str(OPS_FILE), "-p", "test-crash", "--traceback"])
    assert exit_info.value.code == opt.EXIT_INTERNAL_ERROR
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert 'raise KeyError("boom")' in err


def test_parse_module_records_locations() -> None:
    text = (
        "func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {\n"
        "  %0 = ztensor.exp %a : tensor<4xf32>\n"
        "  func.return %0 : tensor<4xf32>\n"
        "}\n"
    )
    module = parse_module(text, "api.mlir")
    exp = next(op for op in module.walk() if op.name == "ztensor.exp")
    assert isinstance(exp.location, FileLineColLoc)
    assert exp.location.filename.data == "api.mlir"
    assert (exp.location.line.data, exp.location.column.data) == (2, 8)


def test_parse_module_raises_located_diagnostic_error() -> None:
    text = "func.func @f(%a: tensor<2x3xf32>) {\n  %0 = ztensor.transpose %a {permutation = array<i64: 0, 0>} : tensor<2x3xf32> -> tensor<2x2xf32>\n  func.return\n}\n"
    with pytest.raises(DiagnosticError) as info:
        parse_module(text, "api.mlir")
    diag = info.value.diagnostic
    assert diag.location is not None
    assert (diag.location.filename, diag.location.line, diag.location.column) == (
        "api.mlir",
        2,
        8,
    )
    assert str(info.value).startswith(
        "api.mlir:2:8: error: 'ztensor.transpose' op permutation [0, 0] is not a permutation"
    )


REWRITE = (
    "func.func @f(%a: tensor<4x8xf32>) -> tensor<8x4xf32> {\n"
    "  %0 = ztensor.transpose %a {permutation = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>\n"
    "  func.return %0 : tensor<8x4xf32>\n"
    "}\n"
)


def test_verify_after_rewrite_locates_the_broken_op() -> None:
    """IR broken after parsing (as by a pass) is reported at the op's parse location."""
    module = parse_module(REWRITE, "r.mlir")
    transpose = next(op for op in module.walk() if isinstance(op, TransposeOp))
    transpose.attributes["permutation"] = DenseArrayBase.from_list(i64, [0, 0])
    with pytest.raises(DiagnosticError) as info:
        verify_operation(module, SourceBuffer("r.mlir", REWRITE))
    assert str(info.value).splitlines() == [
        "r.mlir:2:8: error: 'ztensor.transpose' op permutation [0, 0] is not a permutation of "
        "[0, 2) for an operand of rank 2",
        REWRITE.splitlines()[1],
        "       ^",
    ]


def test_new_op_without_location_is_reported_at_its_ancestor() -> None:
    module = parse_module(REWRITE, "r.mlir")
    func = next(op for op in module.walk() if op.name == "func.func")
    ret = func.regions[0].block.last_op
    assert ret is not None
    arg = func.regions[0].block.args[0]
    bad = AddOp(arg, arg, TensorType(Float32Type(), [7]))
    func.regions[0].block.insert_op_before(bad, ret)
    with pytest.raises(DiagnosticError) as info:
        verify_operation(module, SourceBuffer("r.mlir", REWRITE))
    assert str(info.value).startswith(
        "r.mlir:1:1: error: 'ztensor.add' op result type should be tensor<4x8xf32>, got "
        "tensor<7xf32>"
    )


def test_fuzzed_inputs_give_only_diagnostics() -> None:
    """Truncations and random edits of a valid file: only located errors, never a crash
    (or a hang: xDSL's string-literal regex backtracks exponentially without our lexer)."""
    text = OPS_FILE.read_text()
    ctx = default_context()
    rng = random.Random(1234)
    inputs = [text[:cut] for cut in range(0, len(text), 97)]
    tokens = ["%", "{", "}", "(", ")", "<", ">", ":", ",", "x", "0", "-1", '"', "tensor", "f64"]
    for _ in range(120):
        chars = list(text)
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(chars))
            if rng.random() < 0.5:
                del chars[pos : pos + rng.randint(1, 4)]
            else:
                chars.insert(pos, rng.choice(tokens))
        inputs.append("".join(chars))

    def hang(signum: int, frame: object) -> None:
        raise TimeoutError("parsing hangs")

    previous = signal.signal(signal.SIGALRM, hang)
    try:
        for source in inputs:
            signal.alarm(10)
            try:
                parse_module(source, "fuzz.mlir", ctx)
            except DiagnosticError as e:
                assert e.diagnostic.location is not None, str(e)
            finally:
                signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------------------------------------
# Pass options, pass preconditions, unsupported input and targets: user errors, not bugs
# ---------------------------------------------------------------------------------------------

MLP_FILE = REPO / "examples" / "mlp.mlir"


@pytest.mark.parametrize(
    ("pipeline", "first", "caret"),
    [
        (
            "cpu-pipeline{opt-level=9}",
            "pass 'cpu-pipeline', option 'opt-level': must be 0..3, got 9",
            13,
        ),
        (
            "canonicalize,ztensor-to-ztile{tile-sizes=0,0,0}",
            "pass 'ztensor-to-ztile', option 'tile-sizes': sizes must be >= 1, got (0, 0, 0)",
            30,
        ),
        ("eqsat{extractor=foo}", "pass 'eqsat', option 'extractor': must be greedy-dag or ilp", 6),
        ("ztile-to-zloop{vector-width=0}", "pass 'ztile-to-zloop', option 'vector-width'", 15),
        ("cpu-pipeline{vector-width=-8}", "pass 'cpu-pipeline', option 'vector-width'", 13),
    ],
)
def test_bad_pass_option_values_exit_2(pipeline: str, first: str, caret: int) -> None:
    proc = run(str(MLP_FILE), "-p", pipeline)
    assert proc.returncode == opt.EXIT_USAGE_ERROR, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0].startswith(f"ziggurat-opt: error: {first}"), lines[0]
    assert lines[1:] == [f"  {pipeline}", "  " + " " * caret + "^"]


def test_pass_preconditions_are_located_user_errors(tmp_path: Path) -> None:
    proc = run(str(MLP_FILE), "-p", "bufferize")
    assert proc.returncode == opt.EXIT_INPUT_ERROR
    assert proc.stderr.splitlines()[0] == (
        f"{MLP_FILE}:5:8: error: 'ztensor.matmul' op is not lowered yet: 'bufferize' works on "
        "the buffers of ztile programs; run 'ztensor-to-ztile' first (or 'cpu-pipeline' for the "
        "whole pipeline)"
    )
    linalg = write(
        tmp_path,
        "linalg.mlir",
        "func.func @f(%a: tensor<4x4xf32>, %c: tensor<4x4xf32>) -> tensor<4x4xf32> {\n"
        "  %0 = linalg.add ins(%a, %a : tensor<4x4xf32>, tensor<4x4xf32>) "
        "outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>\n"
        "  func.return %0 : tensor<4x4xf32>\n}\n",
    )
    on_memrefs = write(
        tmp_path,
        "linalg_memrefs.mlir",
        "func.func @f(%a: memref<4x4xf32>, %c: memref<4x4xf32>) {\n"
        "  linalg.add ins(%a, %a : memref<4x4xf32>, memref<4x4xf32>) "
        "outs(%c : memref<4x4xf32>)\n"
        "  func.return\n}\n",
    )
    # (cpu-pipeline compiles linalg.add on tensors as loops, linalg-to-zloop; not on memrefs.)
    for path, pipeline, message in (
        (
            on_memrefs,
            "cpu-pipeline",
            "2:3: error: 'linalg.add' op is not supported by cpu-pipeline",
        ),
        (
            linalg,
            "bufferize",
            "2:8: error: 'linalg.add' op produces a returned tensor that 'bufferize' cannot",
        ),
    ):
        proc = run(str(path), "-p", pipeline)
        assert proc.returncode == opt.EXIT_INPUT_ERROR
        assert proc.stderr.startswith(f"{path}:{message}"), proc.stderr
        assert "internal error" not in proc.stderr
    proc = run(str(linalg), "-p", "cpu-pipeline")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith(f"{linalg}:2:8: remark: 'linalg.add' op is not raised by ")


@pytest.mark.parametrize(
    ("signature", "body", "where", "message"),
    [
        ("%a: tensor<0x8xf32>) -> tensor<0x8xf32>", "", "1:1", "zero-size tensors"),
        ("%a: tensor<?x8xf32>) -> tensor<?x8xf32>", "", "1:1", "dynamic dimensions ('?')"),
        ("%a: tensor<4xindex>) -> tensor<4xindex>", "", "1:1", "element type index"),
        (
            "%a: tensor<4611686018427387904x4xf32>) -> tensor<4611686018427387904x4xf32>",
            "",
            "1:1",
            "beyond the index range",
        ),
        (
            "%a: tensor<4xf32>) -> tensor<4xf32>",
            "  %c = arith.constant 1.0 : f80\n",
            "2:8",
            "'arith.constant' op result #0 has type f80: cpu-pipeline does not support f80",
        ),
    ],
)
def test_cpu_pipeline_rejects_unsupported_input_at_the_op(
    tmp_path: Path, signature: str, body: str, where: str, message: str
) -> None:
    path = write(
        tmp_path,
        "u.mlir",
        f"func.func @f({signature} {{\n{body}  func.return %a : "
        f"{signature.rsplit('-> ', 1)[1]}\n}}\n",
    )
    proc = run(str(path), "-p", "cpu-pipeline", "-t", "llvm")
    assert proc.returncode == opt.EXIT_INPUT_ERROR, proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith(f"{path}:{where}: error: "), first
    assert message in first
    assert "internal error" not in proc.stderr


def test_xdsl_parser_and_printer_limits_are_located(tmp_path: Path) -> None:
    complex_splat = write(
        tmp_path, "c.mlir", '"test.op"() {a = dense<1.0> : tensor<2xcomplex<f32>>} : () -> ()\n'
    )
    proc = run(str(complex_splat), "--allow-unregistered-dialect")
    assert proc.returncode == opt.EXIT_INPUT_ERROR
    assert proc.stderr.splitlines()[0] == (
        f"{complex_splat}:1:18: error: unsupported: xDSL cannot represent this (AssertionError)"
    )
    f80 = write(
        tmp_path,
        "f80.mlir",
        "func.func @f() {\n  %0 = arith.constant 1.0 : f80\n  func.return\n}\n",
    )
    proc = run(str(f80))
    assert proc.returncode == opt.EXIT_INPUT_ERROR
    assert proc.stderr.splitlines()[0] == (
        f"{f80}:2:8: error: 'arith.constant' op unsupported: xDSL's printer cannot print it "
        "(NotImplementedError)"
    )


@pytest.mark.parametrize("target", ["x86-asm", "riscv-asm", "arm-asm"])
def test_assembly_targets_on_our_ir_are_located_errors(target: str) -> None:
    proc = run(str(MLP_FILE), "-t", target)
    assert proc.returncode == opt.EXIT_INPUT_ERROR
    assert proc.stderr.splitlines()[0].startswith(
        f"{MLP_FILE}:3:1: error: 'func.func' op cannot be printed by target '{target}': it prints"
    )
    assert proc.stdout == ""


@pytest.mark.parametrize(("target", "needs"), [("wat", "wasm.module"), ("wgsl", "gpu.module")])
def test_targets_that_would_print_nothing_are_errors(target: str, needs: str) -> None:
    proc = run(str(MLP_FILE), "-t", target)
    assert proc.returncode == opt.EXIT_INPUT_ERROR
    assert proc.stderr.startswith(
        f"{MLP_FILE}: error: target '{target}' does not apply to this module"
    )
    assert f"has no '{needs}'" in proc.stderr
    assert proc.stdout == ""


def test_unimplemented_target_is_a_usage_error() -> None:
    proc = run(str(MLP_FILE), "-t", "mps")
    assert proc.returncode == opt.EXIT_USAGE_ERROR
    assert proc.stderr.startswith("ziggurat-opt: error: target 'mps' cannot print anything")


def test_deliberate_value_errors_of_passes_are_pass_failures(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Rejecting(ModulePass):
        name = "test-reject"

        def apply(self, ctx: object, op: ModuleOp) -> None:
            raise ValueError("test-reject: this module has no @main")

    original = opt.ZigguratOptMain.register_all_passes

    def register(self: opt.ZigguratOptMain) -> None:
        original(self)
        self.available_passes["test-reject"] = lambda: Rejecting

    monkeypatch.setattr(opt.ZigguratOptMain, "register_all_passes", register)
    with pytest.raises(SystemExit) as exit_info:
        opt.main([str(OPS_FILE), "-p", "test-reject"])
    assert exit_info.value.code == opt.EXIT_INPUT_ERROR
    assert capsys.readouterr().err == (
        f"{OPS_FILE}: error: pass 'test-reject' failed: test-reject: this module has no @main\n"
    )


# ---------------------------------------------------------------------------------------------
# Composite pipelines report their inner passes
# ---------------------------------------------------------------------------------------------

INNER = [
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


def test_time_passes_table_lists_the_inner_passes_of_cpu_pipeline() -> None:
    proc = run(str(MLP_FILE), "-p", "canonicalize,cpu-pipeline", "--time-passes", "-t", "llvm")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    start = lines.index("  Wall Time   (%)     Name")
    names = [line[22:] for line in lines[start + 1 : start + 4 + len(INNER)]]
    assert names == ["canonicalize", "cpu-pipeline", *[f"  {n}" for n in INNER], "Total"]
    assert lines[start - 2].startswith("  Total Execution Time: ")
    assert 'define void @"mlp"' in proc.stdout


def test_print_between_passes_shows_each_inner_pass() -> None:
    proc = run(str(MLP_FILE), "-p", "cpu-pipeline", "--print-between-passes")
    assert proc.returncode == 0, proc.stderr
    shown = [line for line in proc.stdout.splitlines() if line.startswith("IR after ")]
    assert shown == [f"IR after cpu-pipeline/{n}:" for n in INNER[:-1]]


def test_timing_table_nests_composites() -> None:
    table = opt.timing_table([("a", 1.0), ("p/b", 2.0), ("p/c", 1.0)])
    assert table.splitlines()[3:] == [
        "  Total Execution Time: 4.0000 seconds",
        "",
        "  Wall Time   (%)     Name",
        "     1.0000 ( 25.0%)  a",
        "     3.0000 ( 75.0%)  p",
        "     2.0000 ( 50.0%)    b",
        "     1.0000 ( 25.0%)    c",
        "     4.0000 (100.0%)  Total",
        "",
    ]


def test_plain_xdsl_opt_lowers_to_llvm_ir_through_the_plugin() -> None:
    proc = subprocess.run(
        [_script("xdsl-opt"), str(MLP_FILE), "-p", "cpu-pipeline{eqsat=false}", "-t", "llvm"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert 'define void @"mlp"' in proc.stdout
    assert "Traceback" not in proc.stderr
