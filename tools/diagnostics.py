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
- `region_kind(op, index)` / `GraphRegions`: which regions obey SSA dominance (MLIR's
  `RegionKindInterface`, which xDSL lacks).
- `has_expected_diagnostics(text)` / `xdsl_opt_output(...)`: xdsl-opt's meaning of
  `--verify-diagnostics` and `--parsing-diagnostics` for files without annotations.

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
import dataclasses
import functools
import re
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from io import StringIO
from typing import Literal, NoReturn, TypeVar, cast

from xdsl.context import Context
from xdsl.dialects.builtin import (
    AnyDenseElement,
    DenseIntOrFPElementsAttr,
    FileLineColLoc,
    IntAttr,
    ModuleOp,
    RankedStructure,
    StringAttr,
    UnknownLoc,
    UnregisteredOp,
)
from xdsl.ir import (
    Attribute,
    AttributeInvT,
    Block,
    BlockArgument,
    Dialect,
    Operation,
    OpResult,
    Region,
    SSAValue,
    TypeAttribute,
)
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.parser.generic_parser import ParserState
from xdsl.traits import OpTrait
from xdsl.utils.exceptions import (
    DiagnosticException,
    MultipleSpansParseError,
    ParseError,
    VerifyException,
)
from xdsl.utils.lexer import Input, Span
from xdsl.utils.mlir_lexer import MLIRLexer, MLIRTokenKind

from ziggurat.errors import CompileError

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
# Parsing with locations
# ---------------------------------------------------------------------------------------------


_XDSL_LIMITS = (NotImplementedError, AssertionError, OverflowError, MemoryError, struct.error)
"""What xDSL's parser and printer raise on input they cannot represent (complex or f80
dense constants, huge shapes, integers out of range of a dense array's element type):
reported as unsupported input, not as internal errors."""


def _input_error(exc: BaseException) -> bool:
    """Whether `exc`, raised while parsing, reports bad input rather than a bug."""
    return isinstance(exc, (DiagnosticException, ValueError, *_XDSL_LIMITS))


class _SafeMLIRLexer(MLIRLexer):
    """xDSL's lexer with a linear-time string-literal pattern.

    xDSL 0.74's pattern nests quantifiers (`(?:[^"...]+|...)*"`), so an unterminated string
    literal on a long line backtracks exponentially (the parser hangs). This one accepts
    the same strings.
    """

    _unescaped_characters_regex = re.compile(r'"(?:[^"\\\n\v\f]|\\(?:["nt\\]|[0-9A-Fa-f]{2}))*"')


class LocatedParseError(ParseError):
    """A parse error that `LocatingParser` reports in place of xDSL's (a better location or
    message); xDSL's own error, if any, is its `__cause__`."""


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
            raise LocatedParseError(
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
            raise LocatedParseError(
                Span(start, end, self.lexer.input), _exception_message(e)
            ) from e

    def parse_optional_type(self) -> TypeAttribute | None:
        return self._guard(super().parse_optional_type)

    def parse_optional_attribute(self) -> Attribute | None:
        return self._guard(super().parse_optional_attribute)

    def parse_dense_int_or_fp_elements_attr(
        self, type: RankedStructure[AnyDenseElement] | None
    ) -> DenseIntOrFPElementsAttr:
        # Hexadecimal float elements are bit patterns (as MLIR prints infinities and NaNs) and
        # a large splat is held once, not expanded (ztensor.parse_optional_dense_elements);
        # what that leaves, or fails on, xDSL parses as usual.
        from ziggurat.dialects.ztensor import parse_optional_dense_elements

        start = self.pos
        attr = parse_optional_dense_elements(self, type)
        if attr is not None:
            return attr
        self._resume_from(start)
        return super().parse_dense_int_or_fp_elements_attr(type)

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
            raise LocatedParseError(span, f"use of undefined value '%{name}'") from e


def _exception_message(exc: BaseException) -> str:
    """The message of `exc` on one line (xDSL's constraint errors span several)."""
    if isinstance(exc, MemoryError):
        return "unsupported: too large to represent (out of memory)"
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        if isinstance(exc, _XDSL_LIMITS):
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


# ---------------------------------------------------------------------------------------------
# Region kinds and SSA dominance
# ---------------------------------------------------------------------------------------------

RegionKind = Literal["ssacfg", "graph"]
"""MLIR's `RegionKind`: `ssacfg` regions obey SSA dominance, `graph` regions do not."""


class GraphRegions(OpTrait):
    """Marks an operation whose regions are graph regions (no SSA dominance).

    The counterpart of MLIR's `RegionKindInterface` returning `RegionKind::Graph` (and of
    its `HasOnlyGraphRegion` trait), which xDSL lacks: inside such a region, uses and
    definitions may come in any order and values may form cycles. `indices` limits it to
    some regions (by position); the default is all of them. Add it to an op's `traits`.
    """

    indices: tuple[int, ...]

    def __init__(self, *indices: int):
        object.__setattr__(self, "indices", tuple(indices))

    def region_kind(self, index: int) -> RegionKind:
        return "graph" if not self.indices or index in self.indices else "ssacfg"


GRAPH_REGION_OPS: frozenset[str] = frozenset({"builtin.module", "equivalence.graph"})
"""Operations of xDSL's dialects whose regions are graph regions: `builtin.module` (as in
MLIR, whose `ModuleOp` has `HasOnlyGraphRegion`) and `equivalence.graph` (an e-graph, whose
e-classes may refer to each other in cycles)."""

REGISTER_LEVEL_DIALECTS: frozenset[str] = frozenset(
    {
        "arm", "arm_func", "arm_neon", "riscv", "riscv_cf", "riscv_debug", "riscv_func",
        "riscv_scf", "riscv_snitch", "rv32", "rv64", "snitch", "snitch_stream", "x86",
        "x86_func", "x86_scf",
    }
)  # fmt: skip
"""xDSL's assembly-level dialects. Their SSA values name machine registers and their
branches jump to labels, so a register may be written in one block and read in another
that the CFG does not show it dominates; their regions are not SSA-CFG regions."""

EGRAPH_NODE_OPS: frozenset[str] = frozenset({"equivalence.class", "equivalence.const_class"})
"""E-class operations of xDSL's `equivalence` dialect. Equality saturation
(`apply-eqsat-pdl-interp`) leaves an e-graph inline in a function body, where an e-class
may use an operation that uses the e-class (a cycle): a use of an e-class, or by one, is
an e-graph edge, checked only for scope (the use lies in the region of the definition),
not for order."""

UNKNOWN_KIND_DIALECTS: frozenset[str] = frozenset({"test"})
"""Dialects of placeholder operations (xDSL's `test.op`, `test.termop`, ...) whose region
kind is unknown, like an unregistered operation's in MLIR: their regions are not checked."""


def region_kind(op: Operation, index: int) -> RegionKind:
    """The kind of region `index` of `op`, as MLIR's `RegionKindInterface` would say.

    In order: a `GraphRegions` trait on the op; `GRAPH_REGION_OPS`; operations of unknown
    kind (unregistered operations, `UNKNOWN_KIND_DIALECTS`) and of xDSL's assembly-level
    dialects (`REGISTER_LEVEL_DIALECTS`, or ops that xDSL's backend marks as assembly
    printable or register allocatable) are `graph`; everything else is `ssacfg`, MLIR's
    default for an operation without `RegionKindInterface`.
    """
    trait = op.get_trait(GraphRegions)
    if trait is not None:
        return trait.region_kind(index)
    if op.name in GRAPH_REGION_OPS or isinstance(op, UnregisteredOp):
        return "graph"
    dialect = op.name.split(".", 1)[0] if "." in op.name else ""
    if dialect in UNKNOWN_KIND_DIALECTS or dialect in REGISTER_LEVEL_DIALECTS:
        return "graph"
    if _is_register_level(type(op)):
        return "graph"
    return "ssacfg"


@functools.cache
def _backend_classes() -> tuple[tuple[type, ...], tuple[type, ...]]:
    """(register types, assembly-level op classes) of xDSL's backend, imported on first use."""
    try:
        from xdsl.backend.assembly_printer import AssemblyPrintable
        from xdsl.backend.register_allocatable import RegisterAllocatableOperation
        from xdsl.backend.register_type import RegisterType
    except ImportError:  # pragma: no cover - an xDSL without the backend package
        return (), ()
    return (RegisterType,), (AssemblyPrintable, RegisterAllocatableOperation)


def _is_register_level(op_type: type[Operation]) -> bool:
    return issubclass(op_type, _backend_classes()[1])


def _is_register(value: SSAValue) -> bool:
    """Whether `value` is a machine register of xDSL's assembly-level dialects (its type is
    a `RegisterType`): assembly code writes and reads registers across jumps, also inside
    SSA-CFG regions such as a `func.func` body, so dominance does not apply to it."""
    return isinstance(value.type, _backend_classes()[0])


def has_ssa_dominance(region: Region) -> bool:
    """Whether `region` obeys SSA dominance (an SSA-CFG region, or a region with no owner)."""
    owner = region.parent
    if owner is None:
        return True
    index = next(i for i, r in enumerate(owner.regions) if r is region)
    return region_kind(owner, index) == "ssacfg"


@dataclass
class _DomTree:
    """The dominator tree of one region's CFG (reachable blocks only), as DFS intervals."""

    entry: Block
    interval: dict[Block, tuple[int, int]]
    """Reachable block -> (entry time, exit time) in a DFS of the dominator tree."""

    @staticmethod
    def build(region: Region) -> _DomTree:
        entry = region.first_block
        assert entry is not None

        def successors(block: Block) -> Iterable[Block]:
            last = block.last_op
            if last is None:
                return ()
            return [s for s in last.successors if s.parent is region]

        # Iterative DFS from the entry: postorder numbers of the reachable blocks.
        postorder: list[Block] = []
        seen = {entry}
        stack: list[tuple[Block, list[Block]]] = [(entry, list(successors(entry)))]
        preds: dict[Block, list[Block]] = {entry: []}
        while stack:
            block, todo = stack[-1]
            if todo:
                succ = todo.pop()
                preds.setdefault(succ, []).append(block)
                if succ not in seen:
                    seen.add(succ)
                    stack.append((succ, list(successors(succ))))
            else:
                stack.pop()
                postorder.append(block)
        number = {b: i for i, b in enumerate(postorder)}
        # Cooper, Harvey and Kennedy, "A Simple, Fast Dominance Algorithm" (2001).
        idom: dict[Block, Block] = {entry: entry}

        def intersect(a: Block, b: Block) -> Block:
            while a is not b:
                while number[a] < number[b]:
                    a = idom[a]
                while number[b] < number[a]:
                    b = idom[b]
            return a

        changed = True
        while changed:
            changed = False
            for block in reversed(postorder):
                if block is entry:
                    continue
                new: Block | None = None
                for p in preds.get(block, ()):
                    if p in idom:
                        new = p if new is None else intersect(p, new)
                if new is not None and idom.get(block) is not new:
                    idom[block] = new
                    changed = True
        children: dict[Block, list[Block]] = {}
        for block, parent in idom.items():
            if block is not entry:
                children.setdefault(parent, []).append(block)
        interval: dict[Block, tuple[int, int]] = {}
        clock = 0
        start: dict[Block, int] = {}
        walk: list[tuple[Block, bool]] = [(entry, False)]
        while walk:
            block, done = walk.pop()
            if done:
                interval[block] = (start[block], clock)
                clock += 1
                continue
            start[block] = clock
            clock += 1
            walk.append((block, True))
            walk.extend((c, False) for c in children.get(block, ()))
        return _DomTree(entry, interval)

    def reachable(self, block: Block) -> bool:
        return block in self.interval

    def dominates(self, a: Block, b: Block) -> bool:
        """Whether `a` dominates `b` (both in this region); an unreachable `b` is dominated
        by every block, an unreachable `a` dominates nothing else (as in LLVM)."""
        if a is b:
            return True
        ib = self.interval.get(b)
        if ib is None:
            return True
        ia = self.interval.get(a)
        if ia is None:
            return False
        return ia[0] <= ib[0] and ib[1] <= ia[1]


class _Dominance:
    """MLIR's `DominanceInfo::properlyDominates(Value, Operation*)` for one verification,
    with region kinds: inside a region without SSA dominance every value dominates every
    use in that region (and in the regions nested in it)."""

    def __init__(self) -> None:
        self._order: dict[Block, dict[Operation, int]] = {}
        self._trees: dict[Region, _DomTree] = {}
        self._ssa: dict[Region, bool] = {}

    def _index(self, block: Block, op: Operation) -> int:
        order = self._order.get(block)
        if order is None:
            order = {o: i for i, o in enumerate(block.ops)}
            self._order[block] = order
        return order[op]

    def has_ssa_dominance(self, region: Region) -> bool:
        ssa = self._ssa.get(region)
        if ssa is None:
            ssa = has_ssa_dominance(region)
            self._ssa[region] = ssa
        return ssa

    def _tree(self, region: Region) -> _DomTree:
        tree = self._trees.get(region)
        if tree is None:
            tree = _DomTree.build(region)
            self._trees[region] = tree
        return tree

    def reachable(self, block: Block) -> bool:
        """Whether `block` is reachable from its region's entry (always, outside SSA-CFG
        regions and in single-block regions). MLIR checks operands in reachable blocks only."""
        region = block.parent
        if region is None or region.first_block is block or not self.has_ssa_dominance(region):
            return True
        return self._tree(region).reachable(block)

    @staticmethod
    def _ancestor_in(region: Region, user: Operation) -> Operation | None:
        """`user` or its closest ancestor operation whose block lies in `region`."""
        current: Operation | None = user
        while current is not None:
            block = current.parent_block()
            if block is None:
                return None
            if block.parent is region:
                return current
            current = block.parent_op()
        return None

    def dominates(self, value: SSAValue, user: Operation) -> bool:
        """Whether `value` properly dominates `user` (may be used as its operand)."""
        if _is_register(value):
            return True
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
        region = def_block.parent
        if region is None:
            # A detached block: only its own operations may use its values.
            return def_op is None and user.parent_block() is def_block
        ancestor = self._ancestor_in(region, user)
        if ancestor is None:
            return False  # the use is not inside the region that defines the value
        use_block = ancestor.parent_block()
        assert use_block is not None
        if not self.has_ssa_dominance(region):
            return True
        if user.name in EGRAPH_NODE_OPS or (def_op is not None and def_op.name in EGRAPH_NODE_OPS):
            return True
        if use_block is def_block:
            if def_op is None:
                return True
            if ancestor is def_op:
                return False  # used by its own operation, or inside its regions
            return self._index(def_block, def_op) < self._index(def_block, ancestor)
        return self._tree(region).dominates(def_block, use_block)


class DominanceError(VerifyException):
    """A use that its definition does not dominate (the `__cause__` of the located
    `DiagnosticError`), in the form xDSL reports verifier errors."""

    def __init__(self, op: Operation, message: str):
        super().__init__(message)
        self.op = op

    def xdsl_notes(self) -> list[str]:
        """The IR printed generically with the message under the operation, as xDSL's
        `Operation.emit_error` attaches to its verifier errors."""
        from xdsl.printer import Printer
        from xdsl.utils.diagnostic import Diagnostic as XDSLDiagnostic

        diagnostic = XDSLDiagnostic()
        diagnostic.add_message(self.op, str(self))
        stream = StringIO()
        printer = Printer(stream=stream, diagnostic=diagnostic, print_generic_format=True)
        top = self.op.get_toplevel_object()
        if isinstance(top, Operation):
            printer.print_op(top)
            printer.print_string("\n")
        return [stream.getvalue()]


def _verify_failure(
    op: Operation, exc: BaseException, buffer: SourceBuffer | None
) -> DiagnosticError:
    return DiagnosticError(op_diagnostic(op, _exception_message(exc), buffer))


def verify_operation(op: Operation, buffer: SourceBuffer | None = None) -> None:
    """Verify `op` and everything nested in it, raising a located `DiagnosticError`.

    Runs xDSL's verifier op by op, nested operations first (as `Operation.verify` does),
    and also checks what xDSL does not: SSA dominance, as MLIR's verifier does. Every operand
    of an operation in a reachable block must properly dominate it; a region that is not an
    SSA-CFG region (`region_kind`: `builtin.module`, `equivalence.graph`, assembly-level
    and unknown operations, ops with `GraphRegions`) lets its values be used anywhere in it.
    `buffer` supplies source lines.
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
        block = current.parent_block()
        checked = block is None or dominance.reachable(block)
        for i, operand in enumerate(current.operands if checked else ()):
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
                message = f"operand #{i} does not dominate this use"
                raise DiagnosticError(
                    op_diagnostic(current, message, buffer, notes=notes)
                ) from DominanceError(current, message)
        try:
            current.verify(verify_nested_ops=False)
        except (DiagnosticException, *_XDSL_LIMITS) as e:
            # xDSL's verifiers raise its representation limits too (an f128 integer
            # attribute): unsupported input at the op, not an internal error.
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


# ---------------------------------------------------------------------------------------------
# xdsl-opt's diagnostics modes
# ---------------------------------------------------------------------------------------------


def has_expected_diagnostics(text: str) -> bool:
    """Whether `text` carries `expected-*` annotations.

    `--verify-diagnostics` has two meanings: in mlir-opt it checks the diagnostics against
    these annotations; in xdsl-opt it prints the first diagnostic of each chunk and exits 0
    (xDSL's own tests read that output with FileCheck). `ziggurat-opt` uses MLIR's meaning
    for a file with annotations and xDSL's for a file without.
    """
    return _EXPECTED.search(text) is not None


def xdsl_exception(error: BaseException) -> BaseException | None:
    """The exception xDSL itself raised behind `error`, if any.

    Follows `__cause__` past `DiagnosticError` and `LocatedParseError` (Ziggurat's located
    reports) to the first exception of xDSL's: a `ParseError` or a `DiagnosticException`
    (verifier, pass), or Ziggurat's `DominanceError`.
    """
    current: BaseException | None = error
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, LocatedParseError | DiagnosticError):
            current = current.__cause__
            continue
        if isinstance(current, ParseError | DiagnosticException):
            return current
        return None
    return None


def xdsl_opt_output(
    error: DiagnosticError,
    buffer: SourceBuffer,
    *,
    parsing_diagnostics: bool,
    verify_diagnostics: bool,
) -> str | None:
    """What xdsl-opt 0.74 prints on stdout for `error` in a chunk, where it carries on.

    xdsl-opt prints a parse error (`file:line:col`, the source line, carets, the message)
    under `--parsing-diagnostics`, and any other diagnostic (a verifier or pass error: its
    message, then the IR with the message under the failing operation) under
    `--verify-diagnostics`; the run then goes on to the next chunk and exits 0. Returns that
    text (ending in a newline), or None where xdsl-opt would fail (or where the error is
    one that only Ziggurat reports, such as binary input).
    """
    original = xdsl_exception(error)
    if isinstance(original, ParseError):
        if not parsing_diagnostics:
            return None
        shifted = dataclasses.replace(original)
        shifted.span = dataclasses.replace(original.span, line_offset=buffer.line_offset)
        return f"{shifted}\n"
    if isinstance(original, DiagnosticException):
        if not verify_diagnostics:
            return None
        notes = (
            original.xdsl_notes()
            if isinstance(original, DominanceError)
            else [str(n) for n in getattr(original, "__notes__", ())]
        )
        return "".join(f"{part}\n" for part in [str(original), *notes])
    return None
