"""The rule syntax of `eqsat`: parsing rule text (shipped rule sets and user rule files).

One rule per line; `#` starts a comment, and comment lines right above a rule document it:

```
# x*(y+z) = x*y + x*z
rule mul-distribute: mul(x, add(y, z)) => add(mul(x, y), mul(x, z))
rule add-comm: add(x, y) => add(y, x)
rule mul-one: mul(x, 1.0) => x if shape(x) == shape($)
rule transpose-transpose: transpose{perm=q}(transpose{perm=p}(x)) => transpose{perm=perm_compose(p, q)}(x)
rule softmax-recompose: div(exp(x), reduce_sum{axes=a, keepdims=1}(exp(x))) <=> softmax{axis=a}(x)
```

- Terms use ztensor op names (`add`, `matmul`, `reduce_sum`, ...), the fused forms (`fused`,
  `fused_matmul`, `fused_reduce_sum`, `fused_softmax`, `fused_layernorm`) and their bodies
  (`ep_in`, `ep_add`, ...; `mm_core`, `mm_add`, `mm_add_r`, ...). Attributes go in braces: `transpose{perm="1,0"}`, `reduce_sum{axes=a,
  keepdims=1}`, `layernorm{axis=a, epsilon=e}`. A number is a rank-0 constant; `const(c)` binds
  a rank-0 constant's value to `c`. Any other identifier is a variable.
- `=>` rewrites left to right; `<=>` both ways.
- Conditions after `if`, joined by `and`: `shape(t1) == shape(t2)` (a term or `$`, the matched
  left side), `rank(t) == N` (the rank of a term, or of `$`) and `perm_is_identity(p)`. Shape
  and rank conditions hold only where the e-graph knows the shape (the program's own values
  and what elementwise ops, broadcasts and reshapes compute from them).
- Attribute functions on the right side: `perm_compose(p, q)` (transpose of a transpose),
  `perm_axes(p, a)` (reduce axes through a transpose), `perm_reduce(p, a)` (the permutation left
  after reducing), and scalar arithmetic `f_add f_sub f_mul f_max f_min f_neg` (constant folding).
- Predicates: `perm_is_identity(p)`, `single_axis(a)`, `f_positive(c)`.

A file whose first non-blank, non-`;` line starts with `(` is egglog text instead: `(rewrite LHS RHS)` and
`(birewrite LHS RHS)` over the egglog constructor names (`Add`, `Matmul`, `Scalar`, ...),
optionally with `:name "..."`. Both forms become the same `Rule` objects, so both are checked
for soundness the same way. Errors are `FILE:LINE:COL: error: message`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from ziggurat.passes.eqsat.terms import BY_DSL, OPS, OpSpec

# ---------------------------------------------------------------------------------------------
# Pattern AST
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PVar:
    """A pattern variable (a term, or an attribute value)."""

    name: str


@dataclass(frozen=True)
class PLit:
    """A literal attribute value (string, int or float)."""

    value: str | int | float


@dataclass(frozen=True)
class PFun:
    """An attribute function applied to attribute expressions (right sides only)."""

    name: str
    args: tuple[AttrExpr, ...]


AttrExpr = PVar | PLit | PFun


@dataclass(frozen=True)
class PApp:
    """A constructor (egglog name) applied to attribute expressions and child patterns."""

    op: str
    attrs: tuple[AttrExpr, ...] = ()
    args: tuple[Pattern, ...] = ()


Pattern = PApp | PVar


@dataclass(frozen=True)
class PRoot:
    """`$` in a condition: the term matched by the left side."""


@dataclass(frozen=True)
class ShapeEq:
    """Condition `shape(a) == shape(b)`."""

    a: Pattern | PRoot
    b: Pattern | PRoot


@dataclass(frozen=True)
class Pred:
    """Condition `name(attr...)`: an attribute predicate (a relation in egglog)."""

    name: str
    args: tuple[AttrExpr, ...]


@dataclass(frozen=True)
class RankEq:
    """Condition `rank(a) == rank`."""

    a: Pattern | PRoot
    rank: int


Condition = ShapeEq | RankEq | Pred


@dataclass(frozen=True)
class Rule:
    """A named rewrite `lhs => rhs` (or both ways) with conditions."""

    name: str
    lhs: Pattern
    rhs: Pattern
    conditions: tuple[Condition, ...] = ()
    bidirectional: bool = False
    doc: str = ""
    location: str = ""

    def directions(self) -> list[Rule]:
        """The rule itself, and its reverse `<name>-rev` when bidirectional."""
        if not self.bidirectional:
            return [self]
        forward = Rule(
            self.name, self.lhs, self.rhs, self.conditions, False, self.doc, self.location
        )
        back = Rule(
            self.name + "-rev", self.rhs, self.lhs, self.conditions, False, self.doc, self.location
        )
        return [forward, back]

    def text(self) -> str:
        arrow = "<=>" if self.bidirectional else "=>"
        conds = " and ".join(show_condition(c) for c in self.conditions)
        return f"{show(self.lhs)} {arrow} {show(self.rhs)}" + (f" if {conds}" if conds else "")


ATTR_FUNCTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "perm_compose": (("String", "String"), "String"),
    "perm_axes": (("String", "String"), "String"),
    "perm_reduce": (("String", "String"), "String"),
    "f_add": (("f64", "f64"), "f64"),
    "f_sub": (("f64", "f64"), "f64"),
    "f_mul": (("f64", "f64"), "f64"),
    "f_max": (("f64", "f64"), "f64"),
    "f_min": (("f64", "f64"), "f64"),
    "f_neg": (("f64",), "f64"),
}
"""Attribute function -> (argument types, result type); tables are filled per e-graph."""
PREDICATES: dict[str, tuple[str, ...]] = {
    "perm_is_identity": ("String",),
    "single_axis": ("String",),
    "f_positive": ("f64",),
}


def show_attr(a: AttrExpr) -> str:
    if isinstance(a, PVar):
        return a.name
    if isinstance(a, PLit):
        return f'"{a.value}"' if isinstance(a.value, str) else repr(a.value)
    return f"{a.name}({', '.join(show_attr(x) for x in a.args)})"


def show(p: Pattern | PRoot) -> str:
    """A pattern in the rule syntax."""
    if isinstance(p, PRoot):
        return "$"
    if isinstance(p, PVar):
        return p.name
    spec = OPS[p.op]
    if spec.category == "scalar":
        a = p.attrs[0]
        return f"const({a.name})" if isinstance(a, PVar) else show_attr(a)
    attrs = ", ".join(f"{n}={show_attr(a)}" for (n, _), a in zip(spec.attrs, p.attrs, strict=True))
    return spec.dsl + (f"{{{attrs}}}" if attrs else "") + f"({', '.join(show(x) for x in p.args)})"


def show_condition(c: Condition) -> str:
    if isinstance(c, ShapeEq):
        return f"shape({show(c.a)}) == shape({show(c.b)})"
    if isinstance(c, RankEq):
        return f"rank({show(c.a)}) == {c.rank}"
    return f"{c.name}({', '.join(show_attr(a) for a in c.args)})"


# ---------------------------------------------------------------------------------------------
# Errors and tokens
# ---------------------------------------------------------------------------------------------


class RuleSyntaxError(Exception):
    """A malformed rule; `str()` is `FILE:LINE:COL: error: message`."""

    def __init__(self, filename: str, line: int, col: int, message: str):
        super().__init__(f"{filename}:{line}:{col}: error: {message}")
        self.filename, self.line, self.col, self.message = filename, line, col, message


_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+\.\d*(?:[eE][-+]?\d+)?|-?\d+[eE][-+]?\d+|-?\d+)"
    r"|(?P<str>\"[^\"]*\")|(?P<id>[A-Za-z_][A-Za-z0-9_\-]*)"
    r"|(?P<op><=>|=>|==|[(){},=:$]))"
)


@dataclass
class _Tok:
    kind: str
    text: str
    col: int


def _tokenize(text: str, filename: str, line: int) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "" or text[pos:].lstrip().startswith("#"):
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.lastgroup is None:
            col = len(text) - len(text[pos:].lstrip()) + 1
            raise RuleSyntaxError(filename, line, col, f"unexpected character {text[col - 1]!r}")
        toks.append(_Tok(m.lastgroup, m.group(m.lastgroup), m.start(m.lastgroup) + 1))
        pos = m.end()
    toks.append(_Tok("eof", "", len(text) + 1))
    return toks


@dataclass
class _Parser:
    toks: list[_Tok]
    filename: str
    line: int
    pos: int = 0
    var_sorts: dict[str, str] = field(default_factory=dict)
    side: str = "lhs"

    def peek(self) -> _Tok:
        return self.toks[self.pos]

    def error(self, message: str, tok: _Tok | None = None) -> RuleSyntaxError:
        return RuleSyntaxError(self.filename, self.line, (tok or self.peek()).col, message)

    def next(self) -> _Tok:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def expect(self, text: str) -> _Tok:
        tok = self.peek()
        if tok.text != text:
            shown = tok.text or "end of line"
            raise self.error(f"expected '{text}', found '{shown}'")
        return self.next()

    def bind(self, name: str, sort: str, tok: _Tok) -> PVar:
        known = self.var_sorts.get(name)
        if known is None:
            if self.side == "rhs":
                raise self.error(f"variable '{name}' does not occur on the left side", tok)
            self.var_sorts[name] = sort
        elif known != sort:
            raise self.error(f"variable '{name}' is used as {known} and as {sort}", tok)
        return PVar(name)

    def term(self, sort: str) -> Pattern:
        tok = self.next()
        if tok.kind == "num":
            if sort != "Op":
                raise self.error(f"a constant cannot stand where an {sort} term is expected", tok)
            return PApp("Scalar", (PLit(float(tok.text)),))
        if tok.kind != "id":
            raise self.error(f"expected a term, found '{tok.text or 'end of line'}'", tok)
        if tok.text == "const" and self.peek().text == "(":
            self.expect("(")
            if self.peek().kind not in ("num", "id"):
                raise self.error("const(...) takes a number, a variable or an f64 function")
            value = self.attr_expr("f64")
            self.expect(")")
            return PApp("Scalar", (value,))
        spec = BY_DSL.get(tok.text)
        if spec is None or spec.category == "leaf":
            if self.peek().text in ("(", "{"):
                raise self.error(f"unknown op '{tok.text}'", tok)
            return self.bind(tok.text, sort, tok)
        if spec.sort != sort:
            raise self.error(f"'{spec.dsl}' is an {spec.sort} term, expected an {sort} term", tok)
        attrs = self.attrs(spec, tok)
        args: list[Pattern] = []
        self.expect("(")
        for i, child_sort in enumerate(spec.children):
            if i:
                self.expect(",")
            args.append(self.term(child_sort))
        if self.peek().text == ",":
            raise self.error(f"'{spec.dsl}' takes {len(spec.children)} operand(s)")
        self.expect(")")
        return PApp(spec.egg, attrs, tuple(args))

    def term_any(self) -> Pattern:
        spec = BY_DSL.get(self.peek().text)
        return self.term(spec.sort if spec is not None else "Op")

    def attrs(self, spec: OpSpec, op_tok: _Tok) -> tuple[AttrExpr, ...]:
        given: dict[str, AttrExpr] = {}
        if self.peek().text == "{":
            self.next()
            while True:
                name = self.next()
                if name.kind != "id":
                    raise self.error("expected an attribute name", name)
                types = dict(spec.attrs)
                if name.text not in types:
                    raise self.error(f"'{spec.dsl}' has no attribute '{name.text}'", name)
                self.expect("=")
                given[name.text] = self.attr_expr(types[name.text])
                if self.peek().text == "}":
                    self.next()
                    break
                self.expect(",")
        missing = [n for n, _ in spec.attrs if n not in given]
        if missing:
            raise self.error(f"'{spec.dsl}' needs attribute(s) {', '.join(missing)}", op_tok)
        return tuple(given[n] for n, _ in spec.attrs)

    def attr_expr(self, egg_type: str) -> AttrExpr:
        tok = self.next()
        if tok.kind == "str":
            if egg_type != "String":
                raise self.error(f"expected an {egg_type} value, found a string", tok)
            return PLit(tok.text[1:-1])
        if tok.kind == "num":
            if egg_type == "String":
                raise self.error("expected a string value", tok)
            return PLit(float(tok.text) if egg_type == "f64" else int(tok.text))
        if tok.kind != "id":
            raise self.error("expected an attribute value", tok)
        if self.peek().text == "(":
            if tok.text not in ATTR_FUNCTIONS:
                raise self.error(f"unknown attribute function '{tok.text}'", tok)
            if self.side == "lhs":
                raise self.error("attribute functions may only appear on the right side", tok)
            arg_types, result = ATTR_FUNCTIONS[tok.text]
            if result != egg_type:
                raise self.error(f"'{tok.text}' gives a {result}, expected {egg_type}", tok)
            self.next()
            args = []
            for i, t in enumerate(arg_types):
                if i:
                    self.expect(",")
                args.append(self.attr_expr(t))
            self.expect(")")
            return PFun(tok.text, tuple(args))
        return self.bind(tok.text, egg_type, tok)

    def condition(self) -> Condition:
        tok = self.next()
        if tok.text == "shape":
            a = self.shape_arg()
            self.expect("==")
            if self.next().text != "shape":
                raise self.error("expected 'shape(...)' after '=='")
            return ShapeEq(a, self.shape_arg())
        if tok.text == "rank":
            a = self.shape_arg()
            self.expect("==")
            rank = self.next()
            if rank.kind != "num" or not rank.text.isdigit():
                raise self.error("expected a rank (a non-negative integer) after '=='", rank)
            return RankEq(a, int(rank.text))
        if tok.text in PREDICATES:
            self.expect("(")
            args = []
            for i, t in enumerate(PREDICATES[tok.text]):
                if i:
                    self.expect(",")
                args.append(self.attr_expr(t))
            self.expect(")")
            return Pred(tok.text, tuple(args))
        raise self.error(f"unknown condition '{tok.text}'", tok)

    def shape_arg(self) -> Pattern | PRoot:
        self.expect("(")
        if self.peek().text == "$":
            self.next()
            self.expect(")")
            return PRoot()
        t = self.term("Op")
        self.expect(")")
        return t


def _sort(p: Pattern, var_sorts: dict[str, str]) -> str:
    return var_sorts[p.name] if isinstance(p, PVar) else OPS[p.op].sort


def parse_rule_line(text: str, filename: str = "<rules>", line: int = 1, doc: str = "") -> Rule:
    """Parse one `rule NAME: LHS => RHS [if ...]` line."""
    p = _Parser(_tokenize(text, filename, line), filename, line)
    p.expect("rule")
    name = p.next()
    if name.kind != "id":
        raise p.error("expected a rule name", name)
    p.expect(":")
    lhs_tok = p.peek()
    lhs = p.term_any()
    if isinstance(lhs, PVar):
        raise p.error("the left side must be an op, not a variable", lhs_tok)
    arrow = p.next()
    if arrow.text not in ("=>", "<=>"):
        raise p.error(f"expected '=>' or '<=>', found '{arrow.text or 'end of line'}'", arrow)
    bidirectional = arrow.text == "<=>"
    if not bidirectional:
        p.side = "rhs"
    rhs_tok = p.peek()
    rhs = p.term(_sort(lhs, p.var_sorts))
    if bidirectional:
        lhs_vars, rhs_vars = _vars(lhs), _vars(rhs)
        if lhs_vars != rhs_vars or isinstance(rhs, PVar):
            raise p.error("both sides of '<=>' must be ops with the same variables", rhs_tok)
    p.side = "lhs" if bidirectional else "rhs"
    conditions: list[Condition] = []
    if p.peek().text == "if":
        p.next()
        p.side = "cond"
        conditions.append(p.condition())
        while p.peek().text == "and":
            p.next()
            conditions.append(p.condition())
    if p.peek().kind != "eof":
        raise p.error(f"unexpected '{p.peek().text}' after the rule")
    return Rule(name.text, lhs, rhs, tuple(conditions), bidirectional, doc, f"{filename}:{line}")


def _vars(p: Pattern | AttrExpr) -> set[str]:
    if isinstance(p, PVar):
        return {p.name}
    if isinstance(p, PLit):
        return set()
    if isinstance(p, PFun):
        return set().union(*(_vars(a) for a in p.args)) if p.args else set()
    out: set[str] = set()
    for a in (*p.attrs, *p.args):
        out |= _vars(a)
    return out


def parse_rules(text: str, filename: str = "<rules>") -> list[Rule]:
    """All rules of a rule text (the rule syntax, or egglog text when it starts with `(`)."""
    code = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith(";")]
    if code and code[0].startswith("("):
        return parse_egglog_rules(text, filename)
    rules: list[Rule] = []
    names: set[str] = set()
    doc: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            doc = []
            continue
        if stripped.startswith("#"):
            doc.append(stripped[1:].strip())
            continue
        rule = parse_rule_line(raw, filename, number, " ".join(doc))
        if rule.name in names:
            col = raw.index(rule.name) + 1
            raise RuleSyntaxError(filename, number, col, f"rule '{rule.name}' is defined twice")
        names.add(rule.name)
        rules.append(rule)
        doc = []
    return rules


def load_rule_file(path: str) -> list[Rule]:
    """Parse a user rule file (raises RuleSyntaxError with the file's location)."""
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise RuleSyntaxError(path, 1, 1, f"cannot read rule file: {exc.strerror}") from exc
    return parse_rules(text, path)


# ---------------------------------------------------------------------------------------------
# egglog text: (rewrite ...) and (birewrite ...)
# ---------------------------------------------------------------------------------------------


def parse_egglog_rules(text: str, filename: str) -> list[Rule]:
    """`(rewrite L R [:name "n"])` / `(birewrite L R [:name "n"])` forms as Rules."""
    line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def where(offset: int) -> tuple[int, int]:
        line = max(i for i, s in enumerate(line_starts) if s <= offset)
        return line + 1, offset - line_starts[line] + 1

    def fail(offset: int, message: str) -> RuleSyntaxError:
        line, col = where(offset)
        return RuleSyntaxError(filename, line, col, message)

    # Comments become blanks, so offsets still point into the original text.
    clean = re.sub(r";[^\n]*", lambda m: " " * len(m.group(0)), text)
    tokens: list[tuple[str, int]] = []
    for m in re.finditer(r'\(|\)|"[^"]*"|[^\s()"]+|"', clean):
        if m.group(0) == '"':
            raise fail(m.start(), "unterminated string")
        tokens.append((m.group(0), m.start()))
    sexps: list[object] = []
    stack: list[list[object]] = []
    for tok, offset in tokens:
        if tok == "(":
            stack.append([("(", offset)])
        elif tok == ")":
            if not stack:
                raise fail(offset, "unbalanced ')'")
            done = stack.pop()
            (stack[-1] if stack else sexps).append(done)
        else:
            (stack[-1] if stack else sexps).append((tok, offset))
    if stack:
        raise fail(stack[-1][0][1], "unclosed '('")  # type: ignore[index]

    def head(s: object) -> tuple[str, int]:
        return s[0] if isinstance(s, list) else s  # type: ignore[return-value]

    var_sorts: dict[str, str] = {}

    def pattern(s: object, sort: str, side: str) -> Pattern:
        if not isinstance(s, list):
            tok, offset = cast(tuple[str, int], s)
            if re.fullmatch(r"-?\d+(\.\d*)?([eE][-+]?\d+)?", tok):
                return PApp("Scalar", (PLit(float(tok)),))
            if side == "rhs" and tok not in var_sorts:
                raise fail(offset, f"variable '{tok}' does not occur on the left side")
            if var_sorts.setdefault(tok, sort) != sort:
                raise fail(offset, f"variable '{tok}' is used as {var_sorts[tok]} and as {sort}")
            return PVar(tok)
        name, offset = cast(tuple[str, int], s[1])
        spec = OPS.get(name)
        if spec is None or spec.category == "leaf":
            raise fail(offset, f"unknown constructor '{name}'")
        items = s[2:]
        if len(items) != len(spec.children) + len(spec.attrs):
            raise fail(offset, f"'{name}' takes {len(spec.children) + len(spec.attrs)} argument(s)")
        args = tuple(
            pattern(x, c, side)
            for x, c in zip(items[: len(spec.children)], spec.children, strict=True)
        )
        attrs: list[AttrExpr] = []
        for x, (_, t) in zip(items[len(spec.children) :], spec.attrs, strict=True):
            if isinstance(x, list):
                raise fail(head(x)[1], "attribute functions are not supported in egglog rules")
            tok, off = cast(tuple[str, int], x)
            if tok.startswith('"'):
                attrs.append(PLit(tok[1:-1]))
            elif re.fullmatch(r"-?\d+(\.\d*)?([eE][-+]?\d+)?", tok):
                attrs.append(PLit(float(tok) if t == "f64" else int(float(tok))))
            else:
                if side == "rhs" and tok not in var_sorts:
                    raise fail(off, f"variable '{tok}' does not occur on the left side")
                var_sorts.setdefault(tok, t)
                attrs.append(PVar(tok))
        return PApp(spec.egg, tuple(attrs), args)

    rules: list[Rule] = []
    for index, s in enumerate(sexps):
        if not isinstance(s, list) or len(s) < 2:
            raise fail(head(s)[1], "expected (rewrite ...) or (birewrite ...)")
        kind, offset = cast(tuple[str, int], s[1])
        if kind not in ("rewrite", "birewrite"):
            raise fail(offset, f"only rewrite and birewrite are supported here, found '{kind}'")
        if len(s) not in (4, 6):
            raise fail(offset, f"'{kind}' takes a left side, a right side and optionally :name")
        name = f"{Path(filename).stem}-{index + 1}"
        if len(s) == 6:
            key, koff = cast(tuple[str, int], s[4])
            value = s[5]
            if key != ":name" or isinstance(value, list) or not value[0].startswith('"'):
                raise fail(koff, 'expected :name "..."')
            name = value[0][1:-1]
        var_sorts.clear()
        lhs = pattern(s[2], "Op", "lhs")
        if isinstance(lhs, PVar):
            raise fail(head(s[2])[1], "the left side must be a constructor, not a variable")
        rhs = pattern(s[3], OPS[lhs.op].sort, "lhs" if kind == "birewrite" else "rhs")
        line, _ = where(offset)
        rules.append(Rule(name, lhs, rhs, (), kind == "birewrite", "", f"{filename}:{line}"))
    return rules
