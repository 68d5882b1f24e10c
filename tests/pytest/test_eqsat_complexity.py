"""Rewrites that change a program's complexity or cancel work (issue 13): reductions pushed
through matrix products, cancellation, inverse functions, and the `rank(t) == N` condition
that keeps the matrix rules off batched products.

Each program runs through `zg.jit` with and without `fast_math` and is compared with numpy in
float64; the rewritten program must not contain the product it avoids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ziggurat as zg
from ziggurat.passes.eqsat.rulefile import RankEq, RuleSyntaxError, parse_rules
from ziggurat.passes.eqsat.rules import RULE_SETS, check_rule, rule_to_egglog, values_agree

rng = np.random.default_rng(7)
# Large enough that the cost model prefers the rewrites (below a few microseconds of work the
# extra kernels cost more than the product they avoid).
A = rng.standard_normal((256, 192)).astype(np.float32)
B = rng.standard_normal((192, 224)).astype(np.float32)
C = rng.standard_normal((192, 224)).astype(np.float32)
X = (rng.random(257) + 0.5).astype(np.float32)
Y = (rng.random(257) + 0.5).astype(np.float32)
FULL = "tensor<256x224xf32>"  # the product every reduction rule avoids

PROGRAMS: dict[str, tuple[Callable[..., Any], tuple[np.ndarray, ...], str]] = {
    # name: (program, arguments, text the fast program must not contain)
    "sum": (lambda a, b: (a @ b).sum(), (A, B), FULL),
    "row_sums": (lambda a, b: (a @ b).sum(axis=1), (A, B), FULL),
    "row_sums_keepdims": (lambda a, b: (a @ b).sum(axis=1, keepdims=True), (A, B), FULL),
    "column_sums": (lambda a, b: (a @ b).sum(axis=0), (A, B), FULL),
    "column_means": (lambda a, b: (a @ b).mean(axis=0), (A, B), FULL),
    "row_means": (lambda a, b: (a @ b).mean(axis=1), (A, B), FULL),
    "mean": (lambda a, b: (a @ b).mean(), (A, B), FULL),
    "factored_difference": (lambda a, b, c: (a @ b + a @ c) - a @ c, (A, B, C), "ztensor.sub"),
    "log_exp": (lambda x: np.log(np.exp(x)), (X,), "ztensor.log"),
    "exp_log_sum": (lambda x, y: np.exp(np.log(x) + np.log(y)), (X, Y), "ztensor.exp"),
    "exp_log_difference": (lambda x, y: np.exp(np.log(x) - np.log(y)), (X, Y), "ztensor.exp"),
    "sqrt_square": (lambda x: np.sqrt(x * x), (X,), "ztensor.sqrt"),
    "cancel_add": (lambda x, y: x + y - y, (X, Y), "ztensor.sub"),
    "cancel_mul": (lambda x, y: x * y / y, (X, Y), "ztensor.div"),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_rewrites_apply_under_fast_math_only_and_keep_the_values(name: str) -> None:
    fn, args, avoided = PROGRAMS[name]
    want = fn(*(a.astype(np.float64) for a in args))
    exact, fast = zg.jit(fn), zg.jit(fn, fast_math=True)
    assert avoided in exact.lower(*args).as_text("eqsat")
    assert avoided not in fast.lower(*args).as_text("eqsat")
    for f in (exact, fast):
        np.testing.assert_allclose(f(*args), want, rtol=2e-4, atol=2e-3)


def test_reductions_of_a_batched_product_are_left_alone() -> None:
    a = rng.standard_normal((4, 24, 16)).astype(np.float32)
    b = rng.standard_normal((4, 16, 20)).astype(np.float32)
    for axis in (0, 1, 2):
        fn = zg.jit(lambda x, y, axis=axis: (x @ y).sum(axis=axis), fast_math=True)
        assert "tensor<4x24x20xf32>" in fn.lower(a, b).as_text("eqsat")
        want = (a.astype(np.float64) @ b).sum(axis=axis)
        np.testing.assert_allclose(fn(a, b), want, rtol=2e-4, atol=2e-3)


def test_the_rank_conditions_are_what_makes_the_matrix_rules_sound() -> None:
    """Without `rank(a) == 2 and rank(b) == 2` the soundness check refutes each rule on a
    batched product; with them it accepts it."""
    flags = RULE_SETS["reduce-matmul"].flags
    for rule in RULE_SETS["reduce-matmul"].rules:
        assert all(isinstance(c, RankEq) for c in rule.conditions) and rule.conditions
        assert check_rule(rule, trials=6, flags=flags) is None
        bare = rule.text().split(" if ")[0]
        (unconditioned,) = parse_rules(f"rule {rule.name}: {bare}", "u.rules")
        found = check_rule(unconditioned, trials=40, attempts=4000, flags=flags)
        assert found is not None, f"{rule.name} passes without its rank conditions"


def test_rank_condition_syntax_and_egglog_form() -> None:
    (rule,) = parse_rules(
        "rule r: reduce_max{axes=a, keepdims=1}(abs(x)) => abs(reduce_max{axes=a, keepdims=1}(x)) "
        "if rank(x) == 2 and rank($) == 0",
        "u.rules",
    )
    ranks = [(type(c), getattr(c, "rank", None)) for c in rule.conditions]
    assert ranks == [(RankEq, 2), (RankEq, 0)]
    assert rule.text().endswith("if rank(x) == 2 and rank($) == 0")
    egg = rule_to_egglog(rule, "rs")
    assert '(= (count-matches (shape v_x) "x") 1)' in egg and '(= (shape __root) "")' in egg
    for text, at, message in (
        ("rule r: abs(x) => x if rank(x) == two", "two", "expected a rank"),
        ("rule r: abs(x) => x if rank(x) == -1", "-1", "expected a rank"),
        ("rule r: abs(x) => x if rank(x) = 2", "= 2", "expected '=='"),
    ):
        with pytest.raises(RuleSyntaxError) as info:
            parse_rules(text, "f.rules")
        col = text.index(at) + 1
        assert str(info.value).startswith(f"f.rules:1:{col}: error: "), str(info.value)
        assert message in str(info.value)


def test_poison_under_nnan_and_ninf_is_any_value() -> None:
    """LLVM makes a NaN (infinite) result poison under nnan (ninf): the right side may be
    anything there, and must still agree everywhere else."""
    nan, inf = float("nan"), float("inf")
    assert not values_agree(np.array([nan, 1.0]), np.array([2.0, 1.0]))
    assert values_agree(np.array([nan, 1.0]), np.array([2.0, 1.0]), nnan=True)
    assert not values_agree(np.array([nan, 1.0]), np.array([2.0, 3.0]), nnan=True)
    assert not values_agree(np.array([inf]), np.array([5.0]), nnan=True)
    assert values_agree(np.array([inf]), np.array([5.0]), ninf=True)
