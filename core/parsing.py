"""The located parser: MLIR text to a module whose operations know their `FILE:LINE:COL`.

xDSL operations carry a `location` attribute but its parser leaves it unknown. This module
parses with `LocatingParser`, which stamps every parsed operation with a `FileLineColLoc`
pointing at its name (as MLIR does), so a verifier failure, even one found after a pass has
run, can be reported at the line and column of the failing operation
(`ziggurat.verifier.verify_operation`).

- `parse_module(text, filename)`: parse and verify, raising `DiagnosticError`.
- `parse_buffer(ctx, buffer)`: parse one `SourceBuffer` without verifying.
- `default_context()`: a context with every xDSL and Ziggurat dialect registered.

It sits above the dialects (docs/layout.md): `default_context` registers them, and dense
literals in any op are parsed by `ziggurat.dialects.ztensor.parse_optional_dense_elements`
(bit-pattern hex floats, splats held once).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from difflib import get_close_matches
from functools import cache
from typing import TYPE_CHECKING, TypeVar, cast

from xdsl.context import Context
from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
from xdsl.dialects import get_all_dialects as xdsl_dialects
from xdsl.dialects.builtin import (
    AffineMapAttr,
    AnyDenseElement,
    ArrayAttr,
    DenseIntOrFPElementsAttr,
    FileLineColLoc,
    IntAttr,
    ModuleOp,
    RankedStructure,
    StringAttr,
    UnknownLoc,
)
from xdsl.ir import Attribute, AttributeInvT, Block, Dialect, Operation, SSAValue, TypeAttribute
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.parser.generic_parser import ParserState
from xdsl.utils.exceptions import ParseError
from xdsl.utils.lexer import Input, Span
from xdsl.utils.mlir_lexer import MLIRLexer, MLIRTokenKind

from ziggurat.diagnostics import (
    Diagnostic,
    DiagnosticError,
    LocatedParseError,
    SourceBuffer,
    decode_source,
    exception_message,
    is_input_error,
    parse_error_diagnostic,
)
from ziggurat.dialects import get_all_dialects as ziggurat_dialects
from ziggurat.verifier import verify_operation

if TYPE_CHECKING:
    from xdsl.dialects.linalg.ops import GenericOp

_A = TypeVar("_A", bound=Attribute)


class _SafeMLIRLexer(MLIRLexer):
    """xDSL's lexer with a linear-time string-literal pattern.

    xDSL 0.74's pattern nests quantifiers (`(?:[^"...]+|...)*"`), so an unterminated string
    literal on a long line backtracks exponentially (the parser hangs). A plain
    one-character-per-repetition pattern would not hang but keeps a backtracking point per
    character (a 37 MB `dense_resource` hex blob took seconds and gigabytes). This one is
    possessive (`++`, `*+`): every character decides its branch (a backslash starts an
    escape, anything else but a quote or line break is plain), so giving nothing back loses
    no match, and it accepts the same strings as xDSL's in one pass with no saved state.
    """

    _unescaped_characters_regex = re.compile(r'"(?:[^"\\\n\v\f]++|\\(?:["nt\\]|[0-9A-Fa-f]{2}))*+"')


def parse_linalg_generic(parser: Parser) -> GenericOp:
    """Parse a `linalg.generic` after its name, in MLIR's (and xDSL's printer's) syntax.

    xDSL 0.74's `GenericOp.parse` reads the result types with `parse_attribute`, which takes
    the `(` of several results, `-> (tensor<8xf32>, tensor<8xi64>)`, for the start of a
    function type and fails ("Expected '->'"). This is the same grammar with the result
    types read as a type list, parenthesized when there is more than one.
    """
    # Imported here: linalg takes ~0.15 s to import, which a module without it never needs.
    from xdsl.dialects.linalg.attrs import IteratorType, IteratorTypeAttr
    from xdsl.dialects.linalg.ops import GenericOp

    attrs_start = parser.pos
    attrs = parser.parse_optional_attr_dict()
    attrs_end = parser.pos
    indexing_maps = attrs.pop("indexing_maps", None)
    iterators = attrs.pop("iterator_types", None)
    doc = attrs.pop("doc", None)
    library_call = attrs.pop("library_call", None)
    if not isinstance(indexing_maps, ArrayAttr) or not all(
        isinstance(m, AffineMapAttr) for m in indexing_maps
    ):
        parser.raise_error(
            "Expected indexing_maps for linalg.generic (an array of affine maps)",
            attrs_start,
            attrs_end,
        )
    if not isinstance(iterators, ArrayAttr):
        parser.raise_error("Expected iterator_types for linalg.generic", attrs_start, attrs_end)
    iterator_types: list[IteratorTypeAttr] = []
    for iterator in iterators:
        if isinstance(iterator, IteratorTypeAttr):
            iterator_types.append(iterator)
        elif isinstance(iterator, StringAttr) and iterator.data in {t.value for t in IteratorType}:
            iterator_types.append(IteratorTypeAttr(IteratorType(iterator.data)))
        else:
            parser.raise_error(f"Unknown iterator type {iterator}", attrs_start, attrs_end)
    for name, value in (("doc", doc), ("library_call", library_call)):
        if value is not None and not isinstance(value, StringAttr):
            parser.raise_error(f"Expected a string for {name}", attrs_start, attrs_end)
    ins = _parse_operand_group(parser, "ins")
    outs = _parse_operand_group(parser, "outs")
    extra: dict[str, Attribute] = {}
    if parser.parse_optional_keyword("attrs"):
        parser.parse_punctuation("=")
        extra = parser.expect(parser.parse_optional_attr_dict, "expect extra attributes")
    body = parser.parse_region()
    result_types: list[Attribute] = []
    if parser.parse_optional_punctuation("->"):
        if parser.parse_optional_punctuation("(") is not None:
            if parser.parse_optional_punctuation(")") is None:
                result_types = parser.parse_comma_separated_list(
                    Parser.Delimiter.NONE, parser.parse_type
                )
                parser.parse_punctuation(")")
        else:
            result_types = [parser.parse_type()]
    generic = GenericOp(
        ins,
        outs,
        body,
        cast(ArrayAttr[AffineMapAttr], indexing_maps),
        iterator_types,
        result_types,
        cast(StringAttr | None, doc),
        cast(StringAttr | None, library_call),
    )
    generic.attributes |= attrs | extra
    return generic


def _parse_operand_group(parser: Parser, keyword: str) -> Sequence[SSAValue]:
    """`keyword(%a, %b : T1, T2)`, or nothing when `keyword` is absent."""
    pos = parser.pos
    if not parser.parse_optional_characters(keyword):
        return ()
    parser.parse_punctuation("(")
    operands = parser.parse_comma_separated_list(
        Parser.Delimiter.NONE, parser.parse_unresolved_operand
    )
    parser.parse_punctuation(":")
    types = parser.parse_comma_separated_list(Parser.Delimiter.NONE, parser.parse_type)
    parser.parse_punctuation(")")
    return parser.resolve_operands(operands, types, pos)


@cache
def _linalg_generic_syntax() -> type[Operation]:
    """The parse hook `LocatingParser` uses for `linalg.generic`: `parse_linalg_generic`.

    It only parses; the operation it builds is xDSL's own `GenericOp` (interpreters and
    patterns look ops up by their class).
    """
    from xdsl.dialects.linalg.ops import GenericOp

    class LinalgGenericSyntax(GenericOp):
        @classmethod
        def parse(cls, parser: Parser) -> GenericOp:  # type: ignore[override]
            # Returns the base class on purpose (see above).
            return parse_linalg_generic(parser)

    return LinalgGenericSyntax


@cache
def _named_op_syntax(op_type: type[Operation]) -> type[Operation]:
    """The parse hook `LocatingParser` uses for named linalg ops (`linalg.matmul`, ...):
    their parse, with the `IndexError` xDSL 0.74 raises when it builds the hidden body of an
    op written with too few `ins`/`outs` operands turned into a located error. It builds the
    op's own class, as `_linalg_generic_syntax` does."""

    class NamedOpSyntax(op_type):  # type: ignore[valid-type, misc]
        @classmethod
        def parse(cls, parser: Parser) -> Operation:
            start = parser.pos
            try:
                return op_type.parse(parser)
            except IndexError as e:
                span = Span(start, max(parser.pos, start + 1), parser.lexer.input)
                raise LocatedParseError(
                    span,
                    f"'{op_type.name}' has too few operands for its body: write "
                    "ins(...) and outs(...) with every input and output",
                ) from e

    return NamedOpSyntax


class LocatingParser(Parser):
    """xDSL's MLIR parser that stamps each parsed operation with the location of its name.

    Operations whose text ends in an explicit `loc(...)` keep that location. It also
    reports undefined values at their first use and attribute/type verification
    failures at the attribute, instead of at the end of the input, and keeps each
    `dense_resource` handle pointing at its own file's blob (`_parse_dialect_resource_handle`).
    """

    def __init__(self, ctx: Context, buffer: SourceBuffer):
        super().__init__(ctx, "", buffer.name)
        self._parser_state = ParserState(_SafeMLIRLexer(Input(buffer.text, buffer.name)))
        self.buffer = buffer
        self._name_positions: list[int] = []
        self._first_undefined_use: dict[str, Span] = {}
        self._resource_keys: dict[tuple[str, str], str] = {}

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
            op_type = super()._get_op_by_name(name)
        except ParseError as e:
            if not self._name_positions:
                raise
            pos = self._name_positions[-1]
            quoted = self.buffer.text.startswith('"', pos)
            end = pos + len(name) + (2 if quoted else 0)
            raise LocatedParseError(
                Span(pos, end, self.lexer.input), self._unknown_op_message(name)
            ) from e
        if name == "linalg.generic" and op_type.__module__ == "xdsl.dialects.linalg.ops":
            # Several results of a `linalg.generic`: see `parse_linalg_generic`.
            return _linalg_generic_syntax()
        if name.startswith("linalg."):
            from xdsl.dialects.linalg.abstract_ops import NamedOperation

            if issubclass(op_type, NamedOperation):
                return _named_op_syntax(op_type)
        return op_type

    def _parse_block(self) -> Block:
        # xDSL 0.74 pops a forward reference to a block when the block is defined but keeps
        # no span for it, so a second definition of a forward-referenced block raised
        # KeyError (found by the fuzzer).
        token = self._current_token
        if token.kind == MLIRTokenKind.CARET_IDENT:
            name = token.text[1:]
            entry = self.blocks.get(name)
            if entry is not None and entry[1] is None and name not in self.forward_block_references:
                raise LocatedParseError(token.span, f"re-declaration of block '{name}'")
        return super()._parse_block()

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

    def _parse_dialect_resource_handle(
        self, dialect_name: str, interface: OpAsmDialectInterface
    ) -> str:
        # Blobs live in the dialect object, shared by every parse in the process. xDSL 0.74
        # renames a handle already declared by an earlier parse (`w` -> `w_0`) at its use but
        # declares it afresh (`w_1`) where the `{-# dialect_resources #-}` section gives its
        # blob, so the second file with a handle `w` reads an empty blob. One name per
        # handle of this file, used by its uses and its blob alike:
        key = self.parse_identifier(" for resource handle")
        declared = self._resource_keys.get((dialect_name, key))
        if declared is None:
            declared = interface.declare_resource(key)
            self._resource_keys[(dialect_name, key)] = declared
            self.dialect_resources.add((dialect_name, declared))
        return declared

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
            if not is_input_error(e):
                raise
            end = max(self.pos, start + 1)
            raise LocatedParseError(Span(start, end, self.lexer.input), exception_message(e)) from e

    def parse_optional_type(self) -> TypeAttribute | None:
        return self._guard(super().parse_optional_type)

    def parse_optional_attribute(self) -> Attribute | None:
        return self._guard(super().parse_optional_attribute)

    def parse_dense_int_or_fp_elements_attr(
        self, type: RankedStructure[AnyDenseElement] | None
    ) -> DenseIntOrFPElementsAttr:
        # Hexadecimal float elements are bit patterns (as MLIR prints infinities and NaNs) and
        # a large splat is held once, not expanded (ztensor.parse_optional_dense_elements);
        # what that leaves, or fails on, xDSL parses as usual. (Imported here: ztensor takes
        # ~0.3 s to import, and a module without dense literals never needs it.)
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
        if not is_input_error(e):
            raise
        pos = 0 if parser is None else parser.pos
        raise DiagnosticError(buffer.at("error", exception_message(e), pos)) from e


def all_dialects() -> dict[str, Callable[[], Dialect]]:
    """xDSL's dialects plus Ziggurat's (name -> lazy loader); `linalg` is xDSL's with the
    named contractions xDSL 0.74 lacks (`ziggurat.dialects.linalg_named`)."""
    return {**xdsl_dialects(), **ziggurat_dialects(), **DIALECT_OVERRIDES}


def _linalg() -> Dialect:
    from ziggurat.dialects.linalg_named import LINALG

    return LINALG


DIALECT_OVERRIDES: dict[str, Callable[[], Dialect]] = {"linalg": _linalg}
"""xDSL dialects that Ziggurat's contexts load in an extended form (`ziggurat-opt` too)."""


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
