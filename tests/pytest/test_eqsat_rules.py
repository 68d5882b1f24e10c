"""Soundness of every shipped eqsat rule, generated from the rule list itself, and the rule syntax.

Each rule of `RULE_SETS` (both directions of `<=>` rules) is instantiated on random inputs of
several shapes and both sides are evaluated with ztensor's reference semantics: adding a rule
adds a test case here without anyone writing one.
"""

from __future__ import annotations

import pytest

from ziggurat.passes.eqsat_rulefile import RuleSyntaxError, parse_rules
from ziggurat.passes.eqsat_rules import RULE_SETS, check_rule, rule_to_egglog

SHIPPED = [(s.name, r) for s in RULE_SETS.values() for r in s.rules]


@pytest.mark.parametrize(("ruleset", "rule"), SHIPPED, ids=[f"{s}/{r.name}" for s, r in SHIPPED])
def test_shipped_rule_is_sound(ruleset: str, rule) -> None:
    counterexample = check_rule(rule, trials=3)
    assert counterexample is None, str(counterexample)


def test_every_shipped_rule_is_documented_and_compiles() -> None:
    names = [r.name for _, r in SHIPPED]
    assert len(names) == len(set(names))
    for _, rule in SHIPPED:
        assert rule.doc, f"rule {rule.name} has no doc comment"
        assert f':name "{rule.name}"' in rule_to_egglog(rule, "rs")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("rule r: relu(x) => x", "different values"),
        ("rule r: sub(x, y) => sub(y, x)", "different values"),
        ("rule r: exp(log(x)) => x", "different values"),
        ("rule r: add(x, y) => x", "shape"),
        ("rule r: matmul(a, add(b, c)) => add(matmul(a, b), matmul(a, c))", "type-check"),
        ("rule r: softmax{axis=a}(x) => div(exp(x), reduce_sum{axes=a, keepdims=0}(exp(x)))", ""),
    ],
)
def test_unsound_rules_are_rejected_with_a_counterexample(text: str, why: str) -> None:
    (rule,) = parse_rules(text, "user.rules")
    counterexample = check_rule(rule)
    assert counterexample is not None
    message = str(counterexample)
    assert why in message
    assert "rule 'r' is unsound" in message


def test_counterexample_names_shapes_inputs_and_both_results() -> None:
    (rule,) = parse_rules("rule r: abs(x) => x", "user.rules")
    c = check_rule(rule)
    assert c is not None and c.lhs is not None and c.rhs is not None
    assert set(c.shapes) == {"x"} and set(c.inputs) == {"x"}
    text = str(c)
    for part in ("shapes: x:", "input x =", "left side", "right side"):
        assert part in text


@pytest.mark.parametrize(
    ("text", "location", "message"),
    [
        ("rule a: foo(x) => x", "f.rules:1:9", "unknown op 'foo'"),
        ("\n\nrule a: add(x, y) => mul(x, z)", "f.rules:3:29", "does not occur on the left side"),
        ("rule a: transpose(x) => x", "f.rules:1:9", "needs attribute(s) perm"),
        ("rule a: add(x, y, z) => x", "f.rules:1:17", "takes 2 operand(s)"),
        ("rule a: x => add(x, x)", "f.rules:1:9", "must be an op"),
        (
            "rule a: add(x, y) => add(y, x)\nrule a: mul(x, y) => mul(y, x)",
            "f.rules:2:6",
            "defined twice",
        ),
        ("rule a: add(x, y) add(y, x)", "f.rules:1:19", "expected '=>' or '<=>'"),
        ("rule a: add(x, y) => add(y, x) if shape(x) = shape(y)", "f.rules:1:44", "expected '=='"),
        ("(rewrite (Add x y) (Foo y x))", "f.rules:1:21", "unknown constructor 'Foo'"),
        ("(rewrite (Add x y)", "f.rules:1:1", "unclosed"),
    ],
)
def test_malformed_rules_give_located_errors(text: str, location: str, message: str) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse_rules(text, "f.rules")
    assert str(info.value).startswith(location + ": error: ")
    assert message in str(info.value)


def test_egglog_text_rules_become_checked_rules() -> None:
    rules = parse_rules(
        '; commutativity\n(rewrite (Mul x y) (Mul y x) :name "mul-c")\n(birewrite (Neg (Neg x)) x)',
        "u.egg",
    )
    assert [r.name for r in rules] == ["mul-c", "u-2"]
    assert check_rule(rules[0]) is None
