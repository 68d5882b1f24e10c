"""Located diagnostics: messages at `FILE:LINE:COL`, source buffers, expected diagnostics.

The bottom of Ziggurat's IR infrastructure (docs/layout.md): it knows xDSL's IR but no
dialect of Ziggurat's, and is used by the parser (`ziggurat.parsing`), the verifier
(`ziggurat.verifier`), the passes and the tools.

- `Diagnostic` / `DiagnosticError`: a located message (`FILE:LINE:COL: error: message`,
  then the source line and a caret) with attached notes.
- `SourceBuffer`: a source text, or one `// -----` chunk of it, mapping positions to lines;
  `split_input` and `decode_source` make them.
- `op_diagnostic(op, message, buffer)`: a diagnostic at an operation's location.
- `parse_error_diagnostic(error, buffer)`: an xDSL `ParseError` as a diagnostic.
- `expected_diagnostics(buffer)` / `match_expected_diagnostics(...)`: MLIR's
  `--verify-diagnostics` annotations (`// expected-error@+1 {{...}}`).

Example:
```
from ziggurat.diagnostics import DiagnosticError
from ziggurat.parsing import parse_module

try:
    module = parse_module(text, "model.mlir")
except DiagnosticError as e:
    print(e)  # model.mlir:3:8: error: 'ztensor.add' op operand shapes are not ...
```
"""

from __future__ import annotations

import bisect
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, NoReturn, cast

from xdsl.dialects.builtin import FileLineColLoc
from xdsl.ir import Operation
from xdsl.utils.exceptions import DiagnosticException, MultipleSpansParseError, ParseError

from ziggurat.errors import CompileError

Severity = Literal["error", "warning", "note", "remark"]
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


class DiagnosticError(CompileError):
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
# Errors of xDSL's parser and verifier
# ---------------------------------------------------------------------------------------------


XDSL_LIMITS = (NotImplementedError, AssertionError, OverflowError, MemoryError, struct.error)
"""What xDSL's parser and printer raise on input they cannot represent (complex or f80
dense constants, huge shapes, integers out of range of a dense array's element type):
reported as unsupported input, not as internal errors."""


def is_input_error(exc: BaseException) -> bool:
    """Whether `exc`, raised while parsing, reports bad input rather than a bug."""
    return isinstance(exc, (DiagnosticException, ValueError, *XDSL_LIMITS))


class LocatedParseError(ParseError):
    """A parse error that `LocatingParser` reports in place of xDSL's (a better location or
    message); xDSL's own error, if any, is its `__cause__`."""


def exception_message(exc: BaseException) -> str:
    """The message of `exc` on one line (xDSL's constraint errors span several)."""
    if isinstance(exc, MemoryError):
        return "unsupported: too large to represent (out of memory)"
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        if isinstance(exc, XDSL_LIMITS):
            return f"unsupported: xDSL cannot represent this ({type(exc).__name__})"
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


# ---------------------------------------------------------------------------------------------
# Diagnostics at operations
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


def has_expected_diagnostics(text: str) -> bool:
    """Whether `text` carries `expected-*` annotations.

    `--verify-diagnostics` has two meanings: in mlir-opt it checks the diagnostics against
    these annotations; in xdsl-opt it prints the first diagnostic of each chunk and exits 0
    (xDSL's own tests read that output with FileCheck). `ziggurat-opt` uses MLIR's meaning
    for a file with annotations and xDSL's for a file without.
    """
    return _EXPECTED.search(text) is not None
