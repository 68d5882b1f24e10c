"""z3 proofs of eqsat's scalar rules (`ziggurat.passes.eqsat.proofs`, the `proofs` extra)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ziggurat.passes.eqsat import proofs
from ziggurat.passes.eqsat.rulefile import parse_rules
from ziggurat.passes.eqsat.rules import RULE_SETS

pytest.importorskip("z3", reason="z3-solver is not installed (pip install 'ziggurat[proofs]')")

_LOCAL = Path(os.environ.get("ZIGGURAT_TEST_BIN") or Path(sys.executable).parent) / "ziggurat-opt"
ZIGGURAT_OPT = str(_LOCAL) if _LOCAL.exists() else shutil.which("ziggurat-opt") or "ziggurat-opt"

SHIPPED = [
    (set_name, rule_set.flags, rule)
    for set_name, rule_set in RULE_SETS.items()
    for rule in rule_set.rules
]


def _rule(text: str) -> proofs.Proof:
    (rule,) = parse_rules(f"rule r: {text}\n", "<test>")
    (proof,) = proofs.prove_rule(rule)
    return proof


@pytest.mark.parametrize(
    ("set_name", "flags", "rule"), SHIPPED, ids=[f"{s}/{r.name}" for s, _, r in SHIPPED]
)
def test_every_shipped_rule_is_proved_or_numeric_only_with_a_reason(
    set_name: str, flags: frozenset[str], rule: object
) -> None:
    for proof in proofs.prove_rule(rule, flags):  # type: ignore[arg-type]
        if proof.numeric_only:
            assert proof.numeric_only.endswith("no exact form in z3"), proof.summary()
            continue
        assert proof.reals.status == "proved", proof.summary()
        if flags & proofs.FLOAT_EXEMPT_FLAGS:
            assert proof.float32.status == "not checked", proof.summary()
        else:
            # An exact set's rules hold on every float32 input (special values included).
            assert proof.float32.status == "proved", proof.summary()


def test_the_scalar_algebra_is_proved_not_skipped() -> None:
    proved = {
        p.name
        for _, flags, rule in SHIPPED
        for p in proofs.prove_rule(rule, flags)
        if p.reals.status == "proved"
    }
    for name in ("add-negzero", "maximum-zero", "div-sqrt", "fold-mul", "mul-add-distribute"):
        assert name in proved


def test_float_unsafe_identities_of_the_reals_are_refuted_with_a_counterexample() -> None:
    add_zero = _rule("add(x, 0.0) => x")
    assert add_zero.reals.status == "proved"
    assert add_zero.float32.status == "refuted"
    assert "x=-0.0" in add_zero.float32.detail
    relu = _rule('select(cmp{pred="ogt"}(x, 0.0), x, 0.0) => relu(x)')
    assert relu.float32.status == "refuted" and "x=nan" in relu.float32.detail
    square = _rule("mul(add(x, 1.0), add(x, 1.0)) => add(mul(x, x), add(mul(2.0, x), 1.0))")
    assert square.reals.status == "proved" and square.float32.status == "refuted"


def test_wrong_rules_are_refuted_over_the_reals() -> None:
    swapped = _rule("sub(x, y) => sub(y, x)")
    assert swapped.reals.status == "refuted" and "x=" in swapped.reals.detail
    assert _rule('cmp{pred="olt"}(x, y) => cmp{pred="ogt"}(y, x)').float32.status == "proved"
    assert _rule("ceil(x) => neg(floor(neg(x)))").float32.status == "proved"
    wrong = _rule("floor(x) => ceil(x)")
    assert wrong.reals.status == "refuted" and wrong.float32.status == "refuted"


def test_flags_relax_the_float_check_as_llvm_defines_them() -> None:
    (rule,) = parse_rules("rule r: add(x, 0.0) => x\n", "<test>")
    (nsz,) = proofs.prove_rule(rule, frozenset({"nsz"}))
    assert nsz.float32.status == "proved"
    (div,) = parse_rules("rule r: div(x, x) => 1.0\n", "<test>")
    (exact,) = proofs.prove_rule(div)
    assert exact.float32.status == "refuted"
    (finite,) = proofs.prove_rule(div, frozenset({"nnan", "ninf"}))
    assert finite.float32.status == "proved"  # 0/0 and inf/inf are NaNs, which nnan excludes
    (reassoc,) = proofs.prove_rule(div, frozenset({"reassoc"}))
    assert reassoc.float32.status == "not checked"


def test_tensor_and_transcendental_rules_say_why_they_are_not_proved() -> None:
    assert "matmul" in _rule("matmul(a, b) => matmul(a, b)").numeric_only
    assert "exp" in _rule("mul(exp(x), exp(y)) => exp(add(x, y))").numeric_only


def test_a_user_rule_z3_refutes_is_rejected_with_its_location(tmp_path: Path) -> None:
    # Passes the numeric check (equal up to rounding), but rounds differently at some inputs.
    rules = tmp_path / "r.rules"
    rules.write_text("rule third: mul(div(x, 3.0), 3.0) => x\n")
    mlir = tmp_path / "m.mlir"
    mlir.write_text(
        "func.func @f(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {\n"
        "  %0 = ztensor.add %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>\n"
        "  func.return %0 : tensor<4xf32>\n}\n"
    )
    proc = subprocess.run(
        [ZIGGURAT_OPT, str(mlir), "-p", f'eqsat{{rules-file="{rules}"}}'],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert f"{rules}:1:" in proc.stderr
    assert "unsound over float32 (z3)" in proc.stderr
    assert "Traceback" not in proc.stderr
