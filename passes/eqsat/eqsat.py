"""`eqsat`: equality saturation on ztensor with egglog, cost-based extraction, rebuild.

For every `func.func` with a single block, the pass:
1. translates the block's ztensor ops to egglog terms (`terms.translate`): one `let` per
   SSA value, block arguments and results of ops it does not model as `Input` leaves; those ops
   stay where they are, untouched;
2. runs the rule sets in bounded steps (`Saturation`): the simplifying sets until they change
   nothing, then the expanding ones one iteration at a time (with the simplifying sets in
   between) until a fixpoint or a budget (`node-limit` e-nodes, `iter-limit` iterations,
   `time-limit-ms`, `memory-limit-mb`) is hit; the budgets are checked after every step, so
   they hold within an iteration too;
3. prices every e-node with the cost model (`cost`: roofline on a detected or given
   `hardware`, `flops`, or a user's `module:Class`), scaled per node class by the weights of
   a refit model file when `calibration=PATH` names one (`calibration.py`: what
   `zg.jit(autotune=True)` fits from measured kernel times);
4. extracts the cheapest program counting shared subexpressions once (greedy-DAG, or the exact
   ILP with `extractor=ilp`, which also runs greedy-DAG and keeps the better), keeps the input
   unless the result is strictly cheaper, and otherwise rebuilds the ops in dependency order in
   front of their first user outside the e-graph, groups them into kernels with the planner of
   `ziggurat.dialects.ztensor_kernels` (`form_kernels`: each kernel one `ztensor.fused` op),
   then verifies the function.

`rules` names rule sets of `rules.RULE_SETS`. By default only the IEEE-exact sets run
(the same result for every input, signed zeros, infinities and NaN included); `fast-math`
(`nsz`, `nnan`, `ninf`, `reassoc`, `arcp`, `afn` or `fast`) enables the sets that need those
flags, e.g. matrix-chain reassociation (`fast-math=reassoc,nnan,ninf`). `rules-file` adds user
rules (checked for soundness under the enabled flags unless `check-rules=false`). `stats=remark`
(or `-`) prints a remark to stderr, `stats=PATH.json` writes the stats as JSON to that file (any
other value is an option error), `stats-file=PATH` writes the JSON to PATH whatever its name;
`dot=PATH` writes the e-graph as DOT (and PATH.svg when graphviz is installed).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import egglog.bindings as egglog
from xdsl.context import Context
from xdsl.dialects import builtin, func
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import DiagnosticException

from ziggurat.dialects import ztensor as zt
from ziggurat.dialects import ztensor_kernels as kernels
from ziggurat.errors import PassOptionError
from ziggurat.passes.eqsat import calibration, proofs
from ziggurat.passes.eqsat.cost import CostModel, NodeInfo, make_cost_model
from ziggurat.passes.eqsat.extract import (
    EGraphView,
    dag_cost,
    greedy_dag,
    ilp_extract,
    price,
    read_egraph,
)
from ziggurat.passes.eqsat.rulefile import Rule, RuleSyntaxError, load_rule_file
from ziggurat.passes.eqsat.rules import (
    DEFAULT_RULE_SETS,
    RULE_SETS,
    check_rule,
    parse_fast_math,
    rule_to_egglog,
    schema_program,
    tables_program,
)
from ziggurat.passes.eqsat.terms import (
    OPS,
    SPEC_OF_CLASS,
    Builder,
    Translation,
    TType,
    translate,
    ttype_of,
)


@dataclass
class EqsatStats:
    """What one function's saturation did."""

    function: str
    iterations: int = 0
    enodes: int = 0
    eclasses: int = 0
    saturated: bool = False
    stop_reason: str = ""
    time_ms: dict[str, float] = field(default_factory=dict)
    cost_before: float = 0.0
    cost_after: float = 0.0
    extractor: str = "greedy-dag"
    changed: bool = False
    rules_fired: dict[str, int] = field(default_factory=dict)

    def remark(self) -> str:
        fired = sum(self.rules_fired.values())
        return (
            f"remark: eqsat @{self.function}: {self.iterations} iterations "
            f"({self.stop_reason}), {self.enodes} e-nodes, {self.eclasses} e-classes, "
            f"{sum(self.time_ms.values()):.1f} ms, cost {self.cost_before:.4g} -> "
            f"{self.cost_after:.4g} ({self.extractor}{'' if self.changed else ', input kept'}), "
            f"{fired} rule matches in {len(self.rules_fired)} rules"
        )


def egraph_sizes(eg: egglog.EGraph) -> tuple[int, int]:
    """(e-nodes of Ziggurat constructors, rows of all tables) in the e-graph."""
    nodes = rows = 0
    for out in eg.run_program(*eg.parse_program("(print-size)")):
        if isinstance(out, egglog.PrintAllFunctionsSize):
            for name, n in out.sizes:
                rows += int(n)
                if name in OPS:
                    nodes += int(n)
    return nodes, rows


def egraph_size(eg: egglog.EGraph) -> int:
    """Number of e-nodes of Ziggurat constructors in the e-graph."""
    return egraph_sizes(eg)[0]


def _reports(outputs: list[Any]) -> list[Any]:
    return [out.report for out in outputs if isinstance(out, egglog.RunScheduleOutput)]


def _fired(report: Any, into: dict[str, int]) -> None:
    for name, n in report.num_matches_per_rule.items():
        if n:
            into[name] = into.get(name, 0) + int(n)


def resident_memory_mb() -> float:
    """This process's resident memory in MiB (0 where /proc is unavailable)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


MATCH_CAP = 1000
"""The most matches of one rule one step applies (egglog's back-off scheduler bans a rule for
the rest of the step beyond its match limit), so that one step stays short."""


@dataclass
class Saturation:
    """Runs rule sets on one e-graph in bounded steps, checking the budgets after each step.

    A step is one iteration of rule sets under egglog's back-off scheduler, whose match limit
    (an eighth of the e-nodes left in the budget, at least 64, at most `MATCH_CAP`) caps how
    many matches of each rule the step applies, so that a step adds a bounded number of
    e-nodes. A simplifying step runs shape propagation and every simplifying set once; they
    repeat until they change nothing (at most `simplify_rounds` times). Each iteration then runs every
    expanding set as a step of its own, followed by the simplifying steps again. After every
    step the e-node, iteration, time and memory budgets are checked; the first one exceeded
    stops the run, and `stats.stop_reason` names it. An iteration that changes nothing ends the
    run: "saturated", or "match limit" when rules were held back by the match limit.
    """

    simplify: list[str]
    expand: list[str]
    node_limit: int
    iter_limit: int
    time_limit_s: float
    memory_limit_mb: float = 4096.0
    simplify_rounds: int = 8

    def run(self, eg: egglog.EGraph, stats: EqsatStats) -> None:
        self._start = time.perf_counter()
        self._memory_base = resident_memory_mb()
        self._programs: dict[tuple[tuple[str, ...], int], list[Any]] = {}
        self._size, self._rows = egraph_sizes(eg)
        stats.stop_reason = "saturated"
        for iteration in range(self.iter_limit + 1):
            stats.iterations = iteration
            self._reported = False
            updated = self._simplify(eg, stats)
            if updated is None:
                return
            if iteration == self.iter_limit:
                stats.stop_reason = "iteration limit"
                return
            if not self.expand:
                return
            for ruleset in self.expand:
                changed = self._step(eg, (ruleset,), stats)
                if changed is None:
                    return
                updated |= changed
            if not updated:
                # Without a change in the tables, egglog's own "updated" means that rules were
                # banned for having more matches than a step allows.
                stats.saturated = not self._reported
                if not stats.saturated:
                    stats.stop_reason = "match limit"
                return

    def _simplify(self, eg: egglog.EGraph, stats: EqsatStats) -> bool | None:
        """Simplifying steps until nothing changes; whether anything changed, or None when a
        budget stopped the run."""
        any_update = False
        for _ in range(self.simplify_rounds):
            changed = self._step(eg, ("shapes", *self.simplify), stats)
            if changed is None:
                return None
            any_update |= changed
            if not changed:
                break
        return any_update

    def _step(self, eg: egglog.EGraph, rulesets: tuple[str, ...], stats: EqsatStats) -> bool | None:
        """One bounded iteration of `rulesets`; whether it changed the e-graph, or None when a
        budget is exhausted (a step is never started over budget)."""
        reason = self._exhausted()
        if reason:
            stats.stop_reason = reason
            return None
        limit = max(64, min(MATCH_CAP, (self.node_limit - self._size) // 8))
        key = (rulesets, limit)
        if key not in self._programs:
            runs = " ".join(f"(run-with bo {r})" for r in rulesets)
            self._programs[key] = eg.parse_program(
                f"(run-schedule (let-scheduler bo (back-off :match-limit {limit})) (seq {runs}))"
            )
        for report in _reports(eg.run_program(*self._programs[key])):
            _fired(report, stats.rules_fired)
            self._reported |= bool(report.updated)
        # egglog reports an update when a rule was banned by the scheduler or a `set` wrote an
        # equal value; progress is a change in the tables.
        rows = self._rows
        self._size, self._rows = egraph_sizes(eg)
        updated = self._rows != rows
        reason = self._exhausted()
        if reason:
            stats.stop_reason = reason
            return None
        return updated

    def _exhausted(self) -> str:
        if self._size > self.node_limit:
            return "node limit"
        if time.perf_counter() - self._start > self.time_limit_s:
            return "time limit"
        if resident_memory_mb() - self._memory_base > self.memory_limit_mb:
            return "memory limit"
        return ""


def load_user_rules(
    path: str, check: bool = True, flags: frozenset[str] = frozenset()
) -> list[Rule]:
    """Parse a rule file and check every rule's soundness (unless `check` is False): IEEE-exact
    on special values, or under the fast-math `flags` the pass enables; with z3 installed,
    every scalar rule is also proved (`proofs.prove_rule`), and a refutation is an error with
    z3's counterexample. Without z3 a note on stderr says the rules were checked numerically
    only."""
    try:
        rules = load_rule_file(path)
    except RuleSyntaxError as exc:
        raise DiagnosticException(str(exc)) from exc
    if not check:
        return rules
    for rule in rules:
        counterexample = check_rule(rule, trials=4, flags=flags)
        if counterexample is not None:
            # One line: tools print the first line of a diagnostic.
            text = str(counterexample).replace("\n", " ")
            raise DiagnosticException(f"{rule.location}: error: {text}")
    if not proofs.Z3_AVAILABLE:
        print(
            f"note: eqsat: the rules of {path} are checked numerically only (z3 is not "
            "installed: pip install 'ziggurat[proofs]')",
            file=sys.stderr,
        )
        return rules
    for rule in rules:
        for proof in proofs.prove_rule(rule, flags):
            for theory, verdict in (("the reals", proof.reals), ("float32", proof.float32)):
                if verdict.status == "refuted":
                    raise DiagnosticException(
                        f"{rule.location}: error: rule '{proof.name}' is unsound over "
                        f"{theory} (z3): {verdict.detail}; rule: {rule.text()}"
                    )
                if verdict.status == "unknown":
                    print(
                        f"{rule.location}: note: z3 did not decide rule '{proof.name}' over "
                        f"{theory} ({verdict.detail}); it is checked numerically only",
                        file=sys.stderr,
                    )
    return rules


@dataclass(frozen=True)
class EqsatPass(ModulePass):
    """Equality saturation over each function's ztensor ops (see the module docstring)."""

    name = "eqsat"

    rules: tuple[str, ...] = DEFAULT_RULE_SETS
    fast_math: tuple[str, ...] = ()
    node_limit: int = 6000
    iter_limit: int = 12
    time_limit_ms: int = 10000
    memory_limit_mb: int = 4096
    extractor: str = "greedy-dag"
    cost_model: str = "roofline"
    hardware: str = ""
    calibration: str = ""
    rules_file: str = ""
    check_rules: bool = True
    stats: str = ""
    stats_file: str = ""
    dot: str = ""
    ilp_time_limit_ms: int = 2000

    def flags(self) -> frozenset[str]:
        """The enabled fast-math flags."""
        try:
            return parse_fast_math(self.fast_math)
        except ValueError as exc:
            raise PassOptionError(self.name, "fast-math", str(exc)) from exc

    def rule_sets(self) -> list[str]:
        """The rule sets that run: those of `rules` whose fast-math flags are all enabled. A
        set named explicitly (not by the default) without its flags enabled is an error."""
        unknown = [r for r in self.rules if r not in RULE_SETS]
        if unknown:
            raise PassOptionError(
                self.name,
                "rules",
                f"unknown rule set(s) {', '.join(unknown)}; known: {', '.join(RULE_SETS)}",
            )
        enabled = self.flags()
        chosen = []
        for name in self.rules:
            missing = RULE_SETS[name].flags - enabled
            if not missing:
                chosen.append(name)
            elif tuple(self.rules) != DEFAULT_RULE_SETS:
                raise PassOptionError(
                    self.name,
                    "rules",
                    f"rule set '{name}' is not IEEE-exact: it needs "
                    f"fast-math={','.join(sorted(RULE_SETS[name].flags))} "
                    f"(missing: {','.join(sorted(missing))})",
                )
        return chosen

    def validate(self) -> None:
        """Raise a PassOptionError naming the first invalid option."""
        if self.extractor not in ("greedy-dag", "ilp"):
            raise PassOptionError(
                self.name, "extractor", f"must be greedy-dag or ilp, got '{self.extractor}'"
            )
        if self.extractor == "ilp" and importlib.util.find_spec("scipy") is None:
            raise PassOptionError(
                self.name,
                "extractor",
                "ilp needs scipy, which is not installed (pip install 'ziggurat[ilp]'); "
                "or use extractor=greedy-dag",
            )
        if self.stats not in ("", "-", "remark") and not _is_json_path(self.stats):
            raise PassOptionError(
                self.name,
                "stats",
                f"must be remark (or -) or a path ending in .json, got '{self.stats}'",
            )
        for option, value in (
            ("node-limit", self.node_limit),
            ("iter-limit", self.iter_limit),
            ("time-limit-ms", self.time_limit_ms),
            ("memory-limit-mb", self.memory_limit_mb),
            ("ilp-time-limit-ms", self.ilp_time_limit_ms),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise PassOptionError(
                    self.name, option, f"must be a non-negative integer, got {value!r}"
                )
        self.rule_sets()

    def apply(self, ctx: Context, op: builtin.ModuleOp) -> None:
        self.validate()
        try:
            model = make_cost_model(self.cost_model, self.hardware)
            if self.calibration:
                model = calibration.calibrated(model, self.calibration)
        except (OSError, ValueError, ImportError, AttributeError, TypeError) as exc:
            raise DiagnosticException(f"eqsat: cannot make cost model: {exc}") from exc
        flags = self.flags()
        user = load_user_rules(self.rules_file, self.check_rules, flags) if self.rules_file else []
        rulesets = self.rule_sets()
        all_stats = []
        dots = []
        for f in list(op.walk()):
            if isinstance(f, func.FuncOp) and len(f.body.blocks) == 1:
                stats, dot = optimize_function(f, self, model, user, rulesets)
                if stats is not None:
                    all_stats.append(stats)
                if dot:
                    dots.append(dot)
        self._report(all_stats, dots)

    def _report(self, all_stats: list[EqsatStats], dots: list[str]) -> None:
        for s in all_stats:
            if s.stop_reason in ("time limit", "memory limit"):
                # The node and iteration budgets make the result deterministic; these two
                # are safety nets, and a result they cut short depends on the machine.
                limit = (
                    f"time-limit-ms={self.time_limit_ms}"
                    if s.stop_reason == "time limit"
                    else f"memory-limit-mb={self.memory_limit_mb}"
                )
                print(
                    f"note: eqsat @{s.function}: stopped by the {s.stop_reason} ({limit}) "
                    f"after {s.iterations} iterations and {s.enodes} e-nodes, before the node "
                    f"and iteration budgets: this result depends on the machine's speed and "
                    f"load (lower node-limit or iter-limit for a reproducible one)",
                    file=sys.stderr,
                )
        if self.stats in ("-", "remark"):
            for s in all_stats:
                print(s.remark(), file=sys.stderr)
        elif self.stats:
            _write_stats(all_stats, self.stats, "stats")
        if self.stats_file:
            _write_stats(all_stats, self.stats_file, "stats-file")
        if self.dot and dots:
            text = dots[0] if len(dots) == 1 else "\n".join(dots)
            with open(self.dot, "w") as out:
                out.write(text)
            if shutil.which("dot") and len(dots) == 1:
                subprocess.run(
                    ["dot", "-Tsvg", self.dot, "-o", self.dot + ".svg"], check=False, timeout=60
                )


def _is_json_path(value: str) -> bool:
    """Whether a `stats` value names a JSON file (`PATH.json`, not `.json` alone)."""
    return value.endswith(".json") and os.path.basename(value) != ".json"


def _write_stats(all_stats: list[EqsatStats], path: str, option: str) -> None:
    try:
        with open(path, "w") as out:
            json.dump([s.__dict__ for s in all_stats], out, indent=2)
    except OSError as exc:
        raise DiagnosticException(f"eqsat: cannot write {option} '{path}': {exc.strerror}") from exc


def build_egraph(
    tr: Translation, rulesets: list[str], user: list[Rule]
) -> tuple[egglog.EGraph, list[str], list[str]]:
    """An e-graph holding the translation, with the named rule sets (and `user`) declared."""
    eg = egglog.EGraph()
    parts = [schema_program(), tables_program(tr.ranks)]
    run_commands(eg, parts)
    parts = []
    simplify: list[str] = []
    expand: list[str] = []
    for name in rulesets:
        s = RULE_SETS[name]
        ident = "rs_" + name.replace("-", "_")
        (expand if s.expanding else simplify).append(ident)
        parts.append(f"(ruleset {ident})")
        parts += [rule_to_egglog(r, ident) for r in s.rules]
    if user:
        expand.append("rs_user")
        parts.append("(ruleset rs_user)")
        parts += [rule_to_egglog(r, "rs_user") for r in user]
    parts += tr.program()
    run_commands(eg, parts)
    return eg, simplify, expand


def run_commands(eg: egglog.EGraph, texts: list[str], chunk: int = 64) -> None:
    """Parse and run egglog text in small pieces (parsing one large text is slow in egglog)."""
    lines = [line for text in texts for line in text.split("\n") if line.strip()]
    commands = []
    for i in range(0, len(lines), chunk):
        commands += eg.parse_program("\n".join(lines[i : i + chunk]))
    eg.run_program(*commands)


def input_cost(tr: Translation, model: CostModel) -> float:
    """The cost of the modeled ops as written (the same node prices extraction uses)."""
    total = 0.0
    for op in tr.modeled:
        out = ttype_of(op.results[0])
        assert out is not None
        if isinstance(op, zt.ConstantOp):
            spec = OPS["BroadcastTo"]
            if out.shape == ():
                continue
            info = NodeInfo(spec.egg, spec.category, (), (TType((), None),), out)
        else:
            spec = SPEC_OF_CLASS[type(op)]
            inputs = tuple(t for t in (ttype_of(v) for v in op.operands) if t is not None)
            info = NodeInfo(spec.egg, spec.category, (), inputs, out)
        total += max(0.0, float(model.node_cost(info)))
    return total


def optimize_function(
    f: func.FuncOp,
    options: EqsatPass,
    model: CostModel,
    user: list[Rule],
    rulesets: list[str] | None = None,
) -> tuple[EqsatStats | None, str]:
    """Saturate, extract and rebuild one function; returns its stats and DOT text."""
    t0 = time.perf_counter()
    tr = translate(f)
    stats = EqsatStats(f.sym_name.data, extractor=options.extractor)
    if not tr.modeled:
        return None, ""
    chosen = options.rule_sets() if rulesets is None else rulesets
    eg, simplify, expand = build_egraph(tr, chosen, user)
    t1 = time.perf_counter()
    size = egraph_size(eg)
    if size > options.node_limit:
        # The function alone exceeds the budget: nothing can be rewritten, and extraction
        # would only give back the input.
        stats.enodes = size
        stats.stop_reason = f"node limit (the function alone has {size} e-nodes)"
        stats.time_ms = {"build": (t1 - t0) * 1e3}
        return stats, ""
    Saturation(
        simplify,
        expand,
        options.node_limit,
        options.iter_limit,
        options.time_limit_ms / 1000,
        options.memory_limit_mb,
    ).run(eg, stats)
    t2 = time.perf_counter()
    serialized = eg.serialize([])
    view = read_egraph(serialized.to_json(), tr.leaf_types)
    price(view, model)
    stats.enodes, stats.eclasses = view.num_nodes, view.num_classes
    dot = serialized.to_dot() if options.dot else ""
    roots_by_value = _roots(f, tr, view)
    roots = sorted(set(roots_by_value.values()))
    stats.cost_before = input_cost(tr, model)
    t3 = time.perf_counter()
    choice = greedy_dag(view)
    best = _safe_cost(view, choice, roots)
    if options.extractor == "ilp":
        ilp = ilp_extract(view, roots, options.ilp_time_limit_ms / 1000, best)
        if ilp is not None:
            merged = {**choice, **ilp}
            cost = _safe_cost(view, merged, roots)
            if cost < best:
                choice, best = merged, cost
    t4 = time.perf_counter()
    stats.cost_after = min(best, stats.cost_before)
    if best < stats.cost_before * (1 - 1e-9):
        stats.changed = _rebuild(f, tr, view, choice, roots_by_value)
        if not stats.changed:
            stats.cost_after = stats.cost_before
    t5 = time.perf_counter()
    stats.time_ms = {
        "build": (t1 - t0) * 1e3,
        "saturate": (t2 - t1) * 1e3,
        "serialize": (t3 - t2) * 1e3,
        "extract": (t4 - t3) * 1e3,
        "rebuild": (t5 - t4) * 1e3,
    }
    return stats, dot


def _safe_cost(view: EGraphView, choice: dict[str, str], roots: list[str]) -> float:
    try:
        return dag_cost(view, choice, roots)
    except (KeyError, ValueError):
        return float("inf")


def _roots(f: func.FuncOp, tr: Translation, view: EGraphView) -> dict[SSAValue, str]:
    """Modeled values used outside the e-graph (by other ops or the terminator) -> e-class."""
    modeled = set(tr.modeled)
    roots: dict[SSAValue, str] = {}
    for value, name in tr.value_names.items():
        if any(use.operation not in modeled for use in value.uses):
            roots[value] = view.lets[name]
    return roots


def _rebuild(
    f: func.FuncOp,
    tr: Translation,
    view: EGraphView,
    choice: dict[str, str],
    roots: dict[SSAValue, str],
) -> bool:
    """Build the chosen program in front of each root's first outside user; False if impossible."""
    block = f.body.block
    modeled = set(tr.modeled)
    used_consts = [c for c in tr.const_ops.values() if c.result.uses]
    inserted: list[Operation] = []
    current: list[Operation] = []
    leaf_ops = {i: v.owner for i, v in enumerate(tr.leaf_values) if isinstance(v.owner, Operation)}

    def leaf_value(i: int) -> SSAValue:
        owner = leaf_ops.get(i)
        if owner is not None and owner in modeled:
            raise LookupError("a leaf is produced by a modeled op")
        if owner is not None and not owner.is_before_in_block(current[0]):
            raise LookupError("a leaf is defined after its use point")
        return tr.leaf_values[i]

    def insert(new: Operation) -> None:
        block.insert_op_before(new, current[0])
        inserted.append(new)

    builder = Builder({c: view.nodes[n] for c, n in choice.items()}, view.types, leaf_value, insert)
    new_values: dict[SSAValue, SSAValue] = {}
    try:
        for user in list(block.ops):
            if user in modeled:
                continue
            needed = [v for v in _used_values(user) if v in roots and v not in new_values]
            for v in needed:
                current[:] = [user]
                t = ttype_of(v)
                new_values[v] = builder.value(roots[v], t.elt if t else None)
    except (LookupError, KeyError):
        for new_op in reversed(inserted):
            new_op.detach()
            new_op.erase(safe_erase=False)
        return False
    for old, new in new_values.items():
        if new is not old:
            old.replace_all_uses_with(new)
    for old_op in [*reversed(tr.modeled), *used_consts]:
        if all(not r.uses for r in old_op.results):
            old_op.detach()
            old_op.erase()
    form_kernels(block, set(inserted))
    f.verify()
    return True


def form_kernels(block: Block, built: set[Operation]) -> None:
    """Group the rebuilt ops of `block` (`built`) into kernels, each one `ztensor.fused` op.

    Extraction priced the kernel terms it chose; the kernels themselves are formed by
    `ztensor_kernels.Planner`, the planner `ztensor-to-ztile` uses for unfused ops: the
    `ztensor.fused` ops built from kernel terms are inlined, the block is planned, and every
    kernel of two or more ops that holds an op of such a term (and only ops eqsat built) is
    outlined as one `ztensor.fused` op. So the planner grows kernels where the term grammar
    cannot (an epilogue that uses the matmul result twice) or the budgets stopped fusion (long
    chains, split at `MAX_FUSED_OPS`), and what `ztensor-to-ztile` lowers as given is what
    it would have planned. Ops eqsat leaves alone stay as they are.
    """
    from_terms: set[Operation] = set()
    for op in list(block.ops):
        if isinstance(op, zt.FusedOp) and op in built:
            moved = kernels.inline_fused(op)
            built.update(moved)
            from_terms.update(moved)
    planner = kernels.Planner(block)
    groups = planner.plan()
    built.update(c for c, original in planner.clones.items() if original in built)
    for group in groups:
        if len(group.members) > 1 and group.members <= built and group.members & from_terms:
            kernels.outline(group)


def _used_values(op: Operation) -> list[SSAValue]:
    values = list(op.operands)
    for region in op.regions:
        for inner in region.walk():
            values.extend(v for v in inner.operands if not _defined_inside(v, op))
    return values


def _defined_inside(value: SSAValue, op: Operation) -> bool:
    parent = value.owner.parent_op()
    while parent is not None:
        if parent is op:
            return True
        parent = parent.parent_op()
    return False
