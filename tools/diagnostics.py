"""Located diagnostics for Ziggurat: parsing and verifying IR with `FILE:LINE:COL` errors.

xDSL operations carry a `location` attribute but its parser leaves it unknown. This module
parses with `LocatingParser`, which stamps every parsed operation with a `FileLineColLoc`
pointing at its name (as MLIR does), so a verifier failure, even one found after a pass has
run, can be reported at the line and column of the failing operation.

The pieces, reusable outside `ziggurat-opt`:

- `Diagnostic` / `DiagnosticError`: a located message (`FILE:LINE:COL: error: message`,
  then the source line and a caret) with attached notes.
- `SourceBuffer`: a source text, or one `// -----` chunk of it, mapping positions to lines.
- `parse_module(text, filename)`: parse and verify, raising `DiagnosticError`.
- `verify_operation(op, buffer)`: xDSL's verifier plus SSA dominance, located.
- `expected_diagnostics(buffer)` / `match_expected_diagnostics(...)`: MLIR's
  `--verify-diagnostics` annotations (`// expected-error@+1 {{...}}`).

Example:
```
from ziggurat.tools.diagnostics import DiagnosticError, parse_module

try:
    module = parse_module(text, "model.mlir")
except DiagnosticError as e:
    print(e)  # model.mlir:3:8: error: 'ztensor.add' op operand shapes are not ...
```
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Literal, NoReturn, TypeVar, cast

from xdsl.context import Context
from xdsl.dialects.builtin import FileLineColLoc, IntAttr, ModuleOp, StringAttr, UnknownLoc
from xdsl.ir import (
    Attribute,
    AttributeInvT,
    Block,
    BlockArgument,
    Dialect,
    Operation,
    OpResult,
    SSAValue,
    TypeAttribute,
)
from xdsl.irdl.dominance import DominanceInfo
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.parser.generic_parser import ParserState
from xdsl.utils.exceptions import (
    DiagnosticException,
    MultipleSpansParseError,
    ParseError,
)
from xdsl.utils.lexer import Input, Span
from xdsl.utils.mlir_lexer import MLIRLexer, MLIRTokenKind

Severity = Literal["error", "warning", "note", "remark"]
_A = TypeVar("_A", bound=Attribute)
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "note", "remark")


# ---------------------------------------------------------------------------------------------
# Diagnostics
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceLocation:
    """A 1-based line and column in a named source file."""

    filename: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    """One message with a severity, an optional location and the source line it points at.

    `format()` gives MLIR's layout:
    ```
    model.mlir:3:8: error: 'ztensor.add' op operand shapes are not broadcast-compatible
      %0 = ztensor.add %a, %b : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
           ^
    ```
    """

    severity: Severity
    message: str
    location: SourceLocation | None = None
    filename: str | None = None
    """Where an unlocated diagnostic comes from (printed as `FILE: error: ...`)."""
    source_line: str | None = None
    caret_length: int = 1
    notes: tuple[Diagnostic, ...] = ()

    def format(self) -> str:
        """The message, its source line with a caret under the location, then the notes."""
        message = "".join(
            ch if ch.isprintable() or ch == "\n" else f"\\x{ord(ch):02x}" for ch in self.message
        )
        if self.location is not None:
            head = f"{self.location}: {self.severity}: {message}"
        elif self.filename is not None:
            head = f"{self.filename}: {self.severity}: {message}"
        else:
            head = f"{self.severity}: {message}"
        lines = [head]
        if self.location is not None and self.source_line is not None:
            text = "".join(
                ch if ch.isprintable() or ch == "\t" else "?"
                for ch in self.source_line.rstrip("\r\n")
            )
            col = max(self.location.column - 1, 0)
            # Keep tabs so the caret lines up under the column on any tab width.
            pad = "".join("\t" if ch == "\t" else " " for ch in text[:col])
            pad += " " * max(col - len(text), 0)
            width = max(1, min(self.caret_length, max(len(text) - col, 1)))
            lines += [text, pad + "^" * width]
        out = "\n".join(lines)
        for note in self.notes:
            out += "\n" + note.format()
        return out

    def __str__(self) -> str:
        return self.format()


class DiagnosticError(Exception):
    """An error in the input (IR text, pipeline, file), carrying located diagnostics.

    `str(error)` is the formatted report; `error.diagnostics` the diagnostics themselves
    (usually one error with its notes).
    """

    diagnostics: tuple[Diagnostic, ...]

    def __init__(self, *diagnostics: Diagnostic):
        if not diagnostics:
            raise ValueError("DiagnosticError needs at least one diagnostic")
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics))

    @property
    def diagnostic(self) -> Diagnostic:
        """The first (primary) diagnostic."""
        return self.diagnostics[0]


# ---------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------


@dataclass
class SourceBuffer:
    """A source text and where it sits in its file.

    With `--split-input-file` each chunk is a buffer whose `line_offset` is the number of
    lines before it, so reported lines are lines of the whole file.
    """

    name: str
    text: str
    line_offset: int = 0
    _line_starts: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]

    @property
    def first_line(self) -> int:
        """The file line of this buffer's first line."""
        return self.line_offset + 1

    @property
    def last_line(self) -> int:
        """The file line of this buffer's last line."""
        return self.line_offset + len(self._line_starts)

    def location(self, pos: int) -> SourceLocation:
        """The file location of character offset `pos` in this buffer."""
        pos = max(0, min(pos, len(self.text)))
        index = bisect.bisect_right(self._line_starts, pos) - 1
        return SourceLocation(
            self.name, index + 1 + self.line_offset, pos - self._line_starts[index] + 1
        )

    def line_text(self, line: int) -> str | None:
        """The text of file line `line` (without newline), if it lies in this buffer."""
        index = line - self.line_offset - 1
        if not 0 <= index < len(self._line_starts):
            return None
        start = self._line_starts[index]
        end = self.text.find("\n", start)
        return self.text[start : len(self.text) if end < 0 else end]

    def lines(self) -> Iterable[tuple[int, str]]:
        """(file line, text) for every line of the buffer."""
        for i in range(len(self._line_starts)):
            line = i + 1 + self.line_offset
            text = self.line_text(line)
            assert text is not None
            yield line, text

    def diagnostic(
        self,
        severity: Severity,
        message: str,
        location: SourceLocation | None,
        length: int = 1,
        notes: Sequence[Diagnostic] = (),
    ) -> Diagnostic:
        """A diagnostic at `location`, quoting the source line when it is in this buffer."""
        source = None
        if location is not None and location.filename == self.name:
            source = self.line_text(location.line)
        return Diagnostic(
            severity,
            message,
            location,
            filename=self.name,
            source_line=source,
            caret_length=length,
            notes=tuple(notes),
        )

    def at(
        self, severity: Severity, message: str, start: int, end: int | None = None
    ) -> Diagnostic:
        """A diagnostic at character offsets [start, end) of this buffer."""
        loc = self.location(start)
        length = 1 if end is None else max(end - start, 1)
        return self.diagnostic(severity, message, loc, length)


SPLIT_MARKER = "// -----"


def split_input(name: str, text: str) -> list[SourceBuffer]:
    """Split `text` at every `// -----` the way xdsl-opt's `--split-input-file` does.

    Chunk k starts right after the k-th marker (the rest of the marker's line is its first
    line), so its lines are numbered from the marker's line in the whole file.
    """
    chunks = text.split(SPLIT_MARKER)
    buffers: list[SourceBuffer] = []
    offset = 0
    for chunk in chunks:
        buffers.append(SourceBuffer(name, chunk, offset))
        offset += chunk.count("\n")
    return buffers


def decode_source(data: bytes, name: str) -> str:
    """`data` decoded as UTF-8, or a `DiagnosticError` located at the first invalid byte.

    Binary input is rejected here, with a location, instead of deep in the lexer.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        if b"\x00" in data[: e.start]:
            text = data[: e.start].decode("utf-8")
            return _reject_nul(text, name)
        good = data[: e.start].decode("utf-8")
        buffer = SourceBuffer(name, good + "\n")
        loc = buffer.location(len(good))
        raise DiagnosticError(
            Diagnostic(
                "error",
                f"input is not valid UTF-8 text (byte 0x{data[e.start]:02x} at offset "
                f"{e.start}); is this a binary file?",
                loc,
                filename=name,
                source_line=buffer.line_text(loc.line),
            )
        ) from None
    if "\x00" in text:
        _reject_nul(text, name)
    return text


def _reject_nul(text: str, name: str) -> NoReturn:
    pos = text.index("\x00")
    buffer = SourceBuffer(name, text)
    raise DiagnosticError(
        buffer.at("error", "input contains a NUL character; is this a binary file?", pos)
    )


# ---------------------------------------------------------------------------------------------
# Parsing with locations
# ---------------------------------------------------------------------------------------------


def _input_error(exc: BaseException) -> bool:
    """Whether `exc`, raised while parsing, reports bad input rather than a bug."""
    return isinstance(exc, DiagnosticException | ValueError)


class _SafeMLIRLexer(MLIRLexer):
    """xDSL's lexer with a linear-time string-literal pattern.

    xDSL 0.74's pattern nests quantifiers (`(?:[^"...]+|...)*"`), so an unterminated string
    literal on a long line backtracks exponentially (the parser hangs). This one accepts
    the same strings.
    """

    _unescaped_characters_regex = re.compile(r'"(?:[^"\\\n\v\f]|\\(?:["nt\\]|[0-9A-Fa-f]{2}))*"')


class LocatingParser(Parser):
    """xDSL's MLIR parser that stamps each parsed operation with the location of its name.

    Operations whose text ends in an explicit `loc(...)` keep that location. It also
    reports undefined values at their first use and attribute/type verification
    failures at the attribute, instead of at the end of the input.
    """

    def __init__(self, ctx: Context, buffer: SourceBuffer):
        super().__init__(ctx, "", buffer.name)
        self._parser_state = ParserState(_SafeMLIRLexer(Input(buffer.text, buffer.name)))
        self.buffer = buffer
        self._name_positions: list[int] = []
        self._first_undefined_use: dict[str, Span] = {}

    def _parse_op_result_list(self) -> list[tuple[Span, int]]:
        results = super()._parse_op_result_list()
        self._name_positions.append(self._current_token.span.start)
        return results

    def parse_operation(self) -> Operation:
        depth = len(self._name_positions)
        op = super().parse_operation()
        if len(self._name_positions) > depth:
            pos = self._name_positions[depth]
            del self._name_positions[depth:]
            if isinstance(op.location, UnknownLoc):
                loc = self.buffer.location(pos)
                op.location = FileLineColLoc(
                    StringAttr(loc.filename), IntAttr(loc.line), IntAttr(loc.column)
                )
        return op

    def _get_op_by_name(self, name: str) -> type[Operation]:
        try:
            return super()._get_op_by_name(name)
        except ParseError as e:
            if not self._name_positions:
                raise
            pos = self._name_positions[-1]
            quoted = self.buffer.text.startswith('"', pos)
            end = pos + len(name) + (2 if quoted else 0)
            raise ParseError(
                Span(pos, end, self.lexer.input), self._unknown_op_message(name)
            ) from e

    def _unknown_op_message(self, name: str) -> str:
        if "." not in name:
            return f"unknown operation '{name}' (operation names are 'dialect.op')"
        dialect_name = name.split(".", 1)[0]
        if dialect_name not in set(self.ctx.registered_dialect_names):
            return (
                f"unknown operation '{name}': no dialect '{dialect_name}' is registered "
                "(--allow-unregistered-dialect accepts unknown operations)"
            )
        dialect = self.ctx.get_optional_dialect(dialect_name)
        ops = [op.name for op in dialect.operations] if dialect is not None else []
        close = get_close_matches(name, ops, n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return f"unknown operation '{name}': dialect '{dialect_name}' has no such operation{hint}"

    def resolve_operand(
        self, operand: UnresolvedOperand, type: AttributeInvT
    ) -> SSAValue[AttributeInvT]:
        if operand.operand_name not in self.ssa_values:
            self._first_undefined_use.setdefault(operand.operand_name, operand.span)
        return super().resolve_operand(operand, type)

    def _guard(self, parse: Callable[[], _A | None]) -> _A | None:
        start = self.pos
        try:
            return parse()
        except ParseError:
            raise
        except Exception as e:
            if not _input_error(e):
                raise
            end = max(self.pos, start + 1)
            raise ParseError(Span(start, end, self.lexer.input), _exception_message(e)) from e

    def parse_optional_type(self) -> TypeAttribute | None:
        return self._guard(super().parse_optional_type)

    def parse_optional_attribute(self) -> Attribute | None:
        return self._guard(super().parse_optional_attribute)

    def parse_module(self, allow_implicit_module: bool = True) -> ModuleOp:
        if allow_implicit_module and self._current_token.kind == MLIRTokenKind.EOF:
            # Like mlir-opt: an input with no operations is an empty module.
            return ModuleOp([])
        try:
            return super().parse_module(allow_implicit_module)
        except ParseError as e:
            if not e.msg.startswith("values used but not defined") or type(e) is not ParseError:
                raise
            uses = [
                (span.start, name, span)
                for name, span in self._first_undefined_use.items()
                if name in self.forward_ssa_references
            ]
            if not uses:
                raise
            _, name, span = min(uses, key=lambda u: u[0])
            raise ParseError(span, f"use of undefined value '%{name}'") from None


def _exception_message(exc: BaseException) -> str:
    """The message of `exc` on one line (xDSL's constraint errors span several)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    text = lines[0]
    for line in lines[1:]:
        text += (" " if text.endswith(":") else "; ") + line
    return text


def parse_error_diagnostic(error: ParseError, buffer: SourceBuffer) -> Diagnostic:
    """A `ParseError` (whose span indexes `buffer.text`) as a located diagnostic."""
    start, end = error.span.start, error.span.end
    if isinstance(error.span.input.content, bytes):
        # Byte offsets: map to characters.
        content = error.span.input.content
        start = len(content[:start].decode("utf-8", "replace"))
        end = len(content[:end].decode("utf-8", "replace"))
    notes: list[Diagnostic] = []
    if isinstance(error, MultipleSpansParseError):
        for span, msg in error.refs:
            if msg is not None:
                notes.append(buffer.at("note", msg, span.start, span.end))
    main = buffer.at("error", error.msg, start, end)
    return Diagnostic(
        main.severity,
        main.message,
        main.location,
        filename=main.filename,
        source_line=main.source_line,
        caret_length=main.caret_length,
        notes=tuple(notes),
    )


def parse_buffer(ctx: Context, buffer: SourceBuffer, implicit_module: bool = True) -> ModuleOp:
    """Parse `buffer` into a module, stamping locations; `DiagnosticError` on bad input."""
    parser: LocatingParser | None = None
    try:
        parser = LocatingParser(ctx, buffer)
        return parser.parse_module(implicit_module)
    except ParseError as e:
        raise DiagnosticError(parse_error_diagnostic(e, buffer)) from e
    except RecursionError as e:
        pos = 0 if parser is None else parser.pos
        raise DiagnosticError(buffer.at("error", "input is nested too deeply to parse", pos)) from e
    except Exception as e:
        if not _input_error(e):
            raise
        pos = 0 if parser is None else parser.pos
        raise DiagnosticError(buffer.at("error", _exception_message(e), pos)) from e


# ---------------------------------------------------------------------------------------------
# Verification with locations
# ---------------------------------------------------------------------------------------------


def op_location(op: Operation) -> SourceLocation | None:
    """The source location of `op`, or of its closest ancestor that has one."""
    current: Operation | None = op
    while current is not None:
        loc = current.location
        if isinstance(loc, FileLineColLoc):
            return SourceLocation(loc.filename.data, loc.line.data, loc.column.data)
        current = current.parent_op()
    return None


def op_diagnostic(
    op: Operation,
    message: str,
    buffer: SourceBuffer | None,
    severity: Severity = "error",
    notes: Sequence[Diagnostic] = (),
) -> Diagnostic:
    """A diagnostic about `op` at its location, in MLIR's `'name' op message` style."""
    prefix = f"'{op.name}' op"
    if not message.startswith(prefix):
        bare = f"'{op.name}' "
        rest = message[len(bare) :] if message.startswith(bare) else message
        message = f"{prefix} {rest}"
    loc = op_location(op)
    if buffer is not None:
        return buffer.diagnostic(severity, message, loc, notes=notes)
    return Diagnostic(severity, message, loc, notes=tuple(notes))


def _is_graph_region_owner(op: Operation | None) -> bool:
    # MLIR's builtin.module body is a graph region: no dominance inside it.
    return isinstance(op, ModuleOp)


class _Dominance:
    """Answers "does this value dominate this use" for the SSA-CFG regions of one verify."""

    def __init__(self) -> None:
        self._order: dict[Block, dict[Operation, int]] = {}
        self._info: dict[int, DominanceInfo] = {}

    def _index(self, block: Block, op: Operation) -> int:
        order = self._order.get(block)
        if order is None:
            order = {o: i for i, o in enumerate(block.ops)}
            self._order[block] = order
        return order[op]

    def dominates(self, value: SSAValue, user: Operation) -> bool:
        if isinstance(value, OpResult):
            def_op: Operation | None = value.op
            def_block = value.op.parent_block()
        elif isinstance(value, BlockArgument):
            def_op = None
            def_block = value.block
        else:
            return False
        if def_block is None:
            return False
        if _is_graph_region_owner(def_block.parent_op()):
            return True
        # Walk up from the user to its ancestor in def_block's region.
        current: Operation | None = user
        while current is not None:
            block = current.parent_block()
            if block is None:
                return False
            if block is def_block:
                if def_op is None:
                    return True
                if current is def_op:
                    return False
                return self._index(block, def_op) < self._index(block, current)
            region = block.parent
            if region is not None and region is def_block.parent:
                info = self._info.get(id(region))
                if info is None:
                    info = DominanceInfo(region)
                    self._info[id(region)] = info
                return info.dominates(def_block, block)
            current = block.parent_op()
        return False


def _verify_failure(
    op: Operation, exc: BaseException, buffer: SourceBuffer | None
) -> DiagnosticError:
    return DiagnosticError(op_diagnostic(op, _exception_message(exc), buffer))


def verify_operation(op: Operation, buffer: SourceBuffer | None = None) -> None:
    """Verify `op` and everything nested in it, raising a located `DiagnosticError`.

    Runs xDSL's verifier op by op, nested operations first (as `Operation.verify` does),
    and also checks what xDSL does not: every operand dominates its use (SSA-CFG regions;
    `builtin.module` is a graph region as in MLIR). `buffer` supplies source lines.
    """
    dominance = _Dominance()

    def visit(current: Operation) -> None:
        for region in current.regions:
            for block in region.blocks:
                for child in block.ops:
                    visit(child)
                if block.first_op is None:
                    try:
                        block.verify()
                    except DiagnosticException as e:
                        raise _verify_failure(current, e, buffer) from e
        for i, operand in enumerate(current.operands):
            if not dominance.dominates(operand, current):
                notes: list[Diagnostic] = []
                if isinstance(operand, OpResult):
                    def_loc = op_location(operand.op)
                    if def_loc is not None:
                        notes.append(
                            buffer.diagnostic("note", "operand defined here", def_loc)
                            if buffer is not None
                            else Diagnostic("note", "operand defined here", def_loc)
                        )
                raise DiagnosticError(
                    op_diagnostic(
                        current, f"operand #{i} does not dominate this use", buffer, notes=notes
                    )
                )
        try:
            current.verify(verify_nested_ops=False)
        except DiagnosticException as e:
            raise _verify_failure(current, e, buffer) from e

    visit(op)


# ---------------------------------------------------------------------------------------------
# The Python API
# ---------------------------------------------------------------------------------------------


def all_dialects() -> dict[str, Callable[[], Dialect]]:
    """xDSL's dialects plus Ziggurat's (name -> lazy loader)."""
    from xdsl.dialects import get_all_dialects as xdsl_dialects

    from ziggurat.dialects import get_all_dialects as ziggurat_dialects

    return {**xdsl_dialects(), **ziggurat_dialects()}


def default_context(allow_unregistered: bool = False) -> Context:
    """A context with every xDSL and Ziggurat dialect registered (loaded lazily)."""
    ctx = Context(allow_unregistered=allow_unregistered)
    for name, factory in all_dialects().items():
        ctx.register_dialect(name, factory)
    return ctx


def parse_module(
    text: str | bytes,
    filename: str = "<string>",
    ctx: Context | None = None,
    *,
    verify: bool = True,
    implicit_module: bool = True,
) -> ModuleOp:
    """Parse (and by default verify) MLIR text, raising `DiagnosticError` on bad input.

    Operations get `FileLineColLoc` locations in `filename`, so later verifier errors on
    this module can be located with `verify_operation`.
    """
    if isinstance(text, bytes):
        text = decode_source(text, filename)
    buffer = SourceBuffer(filename, text)
    module = parse_buffer(ctx or default_context(), buffer, implicit_module)
    if verify:
        verify_operation(module, buffer)
    return module


def parse_file(path: str, ctx: Context | None = None, *, verify: bool = True) -> ModuleOp:
    """Read and parse the MLIR file at `path`; missing or unreadable files raise
    `DiagnosticError` too."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise DiagnosticError(
            Diagnostic("error", f"cannot read '{path}': {e.strerror or e}")
        ) from e
    return parse_module(data, path, ctx, verify=verify)


# ---------------------------------------------------------------------------------------------
# --verify-diagnostics
# ---------------------------------------------------------------------------------------------

_EXPECTED = re.compile(
    r"expected-(?P<kind>error|warning|note|remark)(?P<re>-re)?"
    r" *(?:@(?P<where>[+-][0-9]+|above|below|unknown))? *\{\{(?P<msg>.*)\}\}"
)


@dataclass
class ExpectedDiagnostic:
    """One `// expected-<severity>[@where] {{message}}` annotation."""

    severity: Severity
    message: str
    line: int | None
    """The file line the diagnostic is expected on; None for `@unknown`."""
    annotation: SourceLocation
    pattern: re.Pattern[str] | None = None
    """For `expected-<severity>-re`: the message with `{{regex}}` parts."""
    matched: bool = False

    def matches(self, diagnostic: Diagnostic) -> bool:
        """Whether `diagnostic` has this severity and line and contains the message."""
        if diagnostic.severity != self.severity:
            return False
        if self.line is None:
            if diagnostic.location is not None:
                return False
        elif diagnostic.location is None or diagnostic.location.line != self.line:
            return False
        if self.pattern is not None:
            return self.pattern.search(diagnostic.message) is not None
        return self.message in diagnostic.message


def _regex_message(text: str) -> re.Pattern[str]:
    """MLIR's `-re` form: literal text with `{{regex}}` parts."""
    parts: list[str] = []
    i = 0
    while (j := text.find("{{", i)) >= 0:
        k = text.find("}}", j + 2)
        if k < 0:
            raise ValueError("unterminated '{{' in regex")
        parts += [re.escape(text[i:j]), f"(?:{text[j + 2 : k]})"]
        i = k + 2
    parts.append(re.escape(text[i:]))
    return re.compile("".join(parts))


def expected_diagnostics(buffer: SourceBuffer) -> tuple[list[ExpectedDiagnostic], list[Diagnostic]]:
    """The annotations in `buffer`, and errors for malformed ones.

    `@+N`/`@-N` count from the annotation's line; no designator means the same line;
    `@above`/`@below` name the closest line above/below that holds no annotation;
    `@unknown` expects a diagnostic without a location.
    """
    found: list[ExpectedDiagnostic] = []
    errors: list[Diagnostic] = []
    pending_below: list[ExpectedDiagnostic] = []
    last_plain_line: int | None = None
    for line, text in buffer.lines():
        matches = list(_EXPECTED.finditer(text))
        if not matches:
            last_plain_line = line
            for below in pending_below:
                below.line = line
            pending_below.clear()
            continue
        for m in matches:
            severity = cast(Severity, m.group("kind"))
            where = m.group("where")
            annotation = SourceLocation(buffer.name, line, m.start() + 1)
            expected = ExpectedDiagnostic(severity, m.group("msg"), line, annotation)
            if m.group("re"):
                try:
                    expected.pattern = _regex_message(expected.message)
                except (ValueError, re.error) as err:
                    errors.append(
                        buffer.diagnostic("error", f"invalid expected regex: {err}", annotation)
                    )
                    continue
            if where is None:
                pass
            elif where == "unknown":
                expected.line = None
            elif where == "above":
                if last_plain_line is None:
                    errors.append(
                        buffer.diagnostic(
                            "error", "expected diagnostic '@above' has no line above", annotation
                        )
                    )
                    continue
                expected.line = last_plain_line
            elif where == "below":
                pending_below.append(expected)
            else:
                target = line + int(where)
                if not buffer.first_line <= target <= buffer.last_line:
                    errors.append(
                        buffer.diagnostic(
                            "error",
                            f"expected diagnostic offset '@{where}' points outside the input",
                            annotation,
                        )
                    )
                    continue
                expected.line = target
            found.append(expected)
    for below in pending_below:
        errors.append(
            buffer.diagnostic(
                "error", "expected diagnostic '@below' has no line below", below.annotation
            )
        )
        found.remove(below)
    return found, errors


def flatten(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Each diagnostic followed by its notes, as separate diagnostics (MLIR matches notes
    against `expected-note` one by one)."""
    out: list[Diagnostic] = []
    for d in diagnostics:
        out.append(
            Diagnostic(d.severity, d.message, d.location, d.filename, d.source_line, d.caret_length)
        )
        out += flatten(d.notes)
    return out


def match_expected_diagnostics(
    buffer: SourceBuffer, produced: Sequence[Diagnostic]
) -> list[Diagnostic]:
    """Match `produced` against the annotations of `buffer` (MLIR semantics).

    Each produced diagnostic (notes included) consumes the first unmatched annotation of
    the same severity on the same line whose message it contains. Returns the errors to
    report: unexpected diagnostics and annotations no diagnostic matched; empty if all
    agree.
    """
    expected, errors = expected_diagnostics(buffer)
    for diag in flatten(produced):
        hit = next((e for e in expected if not e.matched and e.matches(diag)), None)
        if hit is not None:
            hit.matched = True
            continue
        errors.append(
            Diagnostic(
                "error",
                f"unexpected {diag.severity}: {diag.message}",
                diag.location,
                filename=diag.filename or buffer.name,
                source_line=diag.source_line,
                caret_length=diag.caret_length,
            )
        )
    for e in expected:
        if not e.matched:
            errors.append(
                buffer.diagnostic(
                    "error",
                    f'expected {e.severity} "{e.message}" was not produced',
                    e.annotation,
                    length=len("expected-") + len(e.severity),
                )
            )
    return errors
