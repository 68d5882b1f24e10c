"""`ziggurat-opt`: xDSL's opt driver with Ziggurat's dialects, passes and targets, and
mlir-opt style diagnostics.

Every xdsl-opt flag works (`-p`, `-t`, `-o`, `--split-input-file`, `--print-op-generic`,
`--print-between-passes`, `--time-passes`, ...). On top of xdsl-opt it:

- reports bad input as `FILE:LINE:COL: error: message` with the source line and a caret
  (parse errors, verifier errors at the failing op, use-before-def, binary input), never a
  Python traceback (`--traceback` shows one for internal errors);
- explains unknown passes, malformed pipelines and bad pass options, listing what is valid;
- implements MLIR's `--verify-diagnostics` (`// expected-error@+1 {{...}}` annotations).

Exit codes: 0 success, 1 errors in the input (or unmatched expected diagnostics),
2 command-line errors (flags, pipeline, target), 3 internal errors. See docs/cli.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import textwrap
import time
import traceback
from collections.abc import Sequence
from dataclasses import fields
from difflib import get_close_matches
from importlib.metadata import PackageNotFoundError, version
from io import StringIO
from typing import IO, ClassVar, NoReturn

from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.passes import ModulePass, PassPipeline, get_pass_option_infos
from xdsl.printer import Printer
from xdsl.utils.arg_spec import ArgSpec, parse_pipeline
from xdsl.utils.exceptions import (
    ArgSpecParseError,
    DiagnosticException,
    ParseError,
    ShrinkException,
)
from xdsl.xdsl_opt_main import xDSLOptMain

from ziggurat.diagnostics import (
    Diagnostic,
    DiagnosticError,
    LocatedParseError,
    SourceBuffer,
    decode_source,
    has_expected_diagnostics,
    match_expected_diagnostics,
    op_diagnostic,
    split_input,
)
from ziggurat.dialects import get_all_dialects
from ziggurat.errors import PassOptionError
from ziggurat.parsing import DIALECT_OVERRIDES, parse_buffer
from ziggurat.passes.options import Step, check_options, flatten, pass_failure, run_step
from ziggurat.targets import UNIMPLEMENTED_TARGETS, get_all_targets, target_problem
from ziggurat.verifier import DominanceError, verify_operation

PROG = "ziggurat-opt"

EXIT_OK = 0
EXIT_INPUT_ERROR = 1
EXIT_USAGE_ERROR = 2
EXIT_INTERNAL_ERROR = 3


class UsageError(Exception):
    """A command-line mistake (pipeline, pass option, target): exit code 2."""


class ParseFailure(DiagnosticError):
    """The input did not parse (`--parsing-diagnostics` prints these and carries on)."""


class InternalError(Exception):
    """An unexpected exception inside Ziggurat or xDSL (a bug): exit code 3."""

    def __init__(self, message: str, cause: BaseException):
        super().__init__(message)
        self.cause = cause


def _ziggurat_version() -> str:
    try:
        return version("ziggurat")
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        return "unknown"


def _wrapped(names: Sequence[str], indent: str = "  ") -> str:
    return textwrap.fill(
        ", ".join(names),
        width=100,
        initial_indent=indent,
        subsequent_indent=indent,
        break_on_hyphens=False,
    )


def _option_list(pass_cls: type[ModulePass]) -> str:
    infos = [i for i in get_pass_option_infos(pass_cls) if i.name != "name"]
    if not infos:
        return "it takes no options"
    parts = []
    for info in infos:
        default = "" if info.default_value is None else f" = {info.default_value}"
        parts.append(f"{info.name.replace('_', '-')}: {info.expected_type}{default}")
    return "its options are: " + "; ".join(parts)


class ZigguratOptMain(xDSLOptMain):
    """xDSL's `xDSLOptMain` with Ziggurat's universe and located diagnostics."""

    version_format: ClassVar[str] = (
        f"{PROG} (ziggurat {_ziggurat_version()}) built from xdsl version {{xdsl_version}}"
    )

    def __init__(self, args: Sequence[str] | None = None):
        self._current_buffer: SourceBuffer | None = None
        self._running_pass: str | None = None
        self._steps: list[Step] = []
        super().__init__(
            description="Ziggurat's modular optimizer driver (xdsl-opt with Ziggurat's "
            "dialects, passes and targets, and located diagnostics).",
            args=args,
        )

    # ---- registration ------------------------------------------------------------------

    def register_all_dialects(self) -> None:
        from xdsl.universe import Universe

        for name, factory in Universe.get_multiverse().all_dialects.items():
            self.ctx.register_dialect(name, DIALECT_OVERRIDES.get(name, factory))
        registered = set(self.ctx.registered_dialect_names)
        for name, factory in get_all_dialects().items():
            if name not in registered:
                self.ctx.register_dialect(name, factory)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        from ziggurat.universe import get_all_passes

        for name, factory in get_all_passes().items():
            self.available_passes.setdefault(name, factory)

    def register_all_targets(self) -> None:
        # Ziggurat's targets win over xDSL's of the same name (e.g. `llvm`).
        for name, factory in get_all_targets().items():
            self.available_targets[name] = factory
        super().register_all_targets()

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.prog = PROG
        arg_parser.formatter_class = argparse.RawDescriptionHelpFormatter
        for action in arg_parser._actions:
            if action.dest == "verify_diagnostics":
                action.help = (
                    "check the diagnostics against `// expected-error@+1 {{...}}` "
                    "annotations (also expected-warning/note/remark, @-N, @above, "
                    "@below, @unknown); exit 0 if they all match"
                )
            elif action.dest == "passes":
                action.help = (
                    "pass pipeline: comma-separated passes with optional options, "
                    "e.g. 'canonicalize,cse' or 'pass{opt=1 flag=true}' (list below)"
                )
            elif action.dest == "target":
                action.help = "output target (default: mlir; list below)"
        arg_parser.add_argument(
            "--load-plugin",
            action="append",
            default=[],
            metavar="FILE.py",
            help="import a .py file that registers passes with @register_pass (repeatable; "
            "also $ZIGGURAT_PLUGINS)",
        )
        arg_parser.add_argument(
            "--traceback",
            default=False,
            action="store_true",
            help="show the Python traceback of internal errors (for debugging)",
        )
        from ziggurat.universe import get_all_passes

        ours = sorted(get_all_passes())
        theirs = sorted(n for n in self.available_passes if n not in ours)
        epilog = []
        if ours:
            epilog += ["Ziggurat passes:", _wrapped(ours), ""]
        epilog += ["xDSL passes:", _wrapped(theirs), ""]
        epilog += ["Targets (-t):", _wrapped(sorted(self.available_targets)), ""]
        epilog += [
            "Exit codes: 0 success, 1 errors in the input, 2 command-line errors, "
            "3 internal errors.",
            "Documentation: docs/cli.md",
        ]
        arg_parser.epilog = "\n".join(epilog)

    # ---- pipeline ----------------------------------------------------------------------

    def setup_pipeline(self) -> None:
        """Build the pass pipeline, explaining unknown passes and bad options."""
        spec = self.args.passes
        try:
            specs = list(parse_pipeline(spec))
        except ArgSpecParseError as e:
            raise UsageError(self._pipeline_syntax_message(spec, e)) from None
        valid = sorted(self.available_passes)
        for s in specs:
            if s.name not in self.available_passes:
                close = get_close_matches(s.name, valid, n=3)
                hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
                raise UsageError(
                    f"unknown pass '{s.name}' in pipeline '{spec}'{hint}\n"
                    f"available passes:\n{_wrapped(valid)}"
                )
        passes = tuple(self._instantiate(s) for s in specs)
        try:
            # Composites (cpu-pipeline) run pass by pass, so that --print-between-passes,
            # --time-passes and the verifier see each of their passes.
            self._steps = flatten(passes)
        except PassOptionError as e:
            raise UsageError(self._option_message(spec, e)) from None
        self.pipeline = PassPipeline(passes)
        target = self.args.target
        if target in UNIMPLEMENTED_TARGETS:
            raise UsageError(
                f"target '{target}' cannot print anything: {UNIMPLEMENTED_TARGETS[target]}"
            )

    @staticmethod
    def _option_message(spec: str, error: PassOptionError) -> str:
        """The error with the pipeline and a caret under the option, when it is there."""
        message = str(error)
        start = spec.find(f"{error.pass_name}{{")
        if start < 0 or error.option is None:
            return message
        end = spec.find("}", start)
        body = spec[start : end if end >= 0 else len(spec)]
        for name in (error.option, error.option.replace("-", "_")):
            at = body.find(f"{name}=")
            if at >= 0:
                column = start + at
                return f"{message}\n  {spec}\n  {' ' * column}^"
        return message

    @staticmethod
    def _pipeline_syntax_message(spec: str, error: ArgSpecParseError) -> str:
        lines = str(error).splitlines()
        column = 1
        if len(lines) >= 2 and lines[1].startswith("pass-pipeline:"):
            try:
                column = int(lines[1].rsplit(":", 1)[1])
            except ValueError:
                column = 1
        reason = lines[-1].strip() if lines else "syntax error"
        return (
            f"malformed pass pipeline: {reason}\n  {spec}\n  {' ' * (column - 1)}^\n"
            "expected syntax: pass-name, pass-name{option=value other-option=v1,v2}, "
            "passes separated by commas"
        )

    def _instantiate(self, spec: ArgSpec) -> ModulePass:
        try:
            pass_cls = self.available_passes[spec.name]()
        except Exception as e:
            raise InternalError(
                f"cannot load pass '{spec.name}': {type(e).__name__}: {e}", e
            ) from e
        known = {f.name for f in fields(pass_cls) if f.init and f.name != "name"}
        for option in spec.normalize_parameter_names().parameters:
            if option not in known:
                raise UsageError(
                    f"pass '{spec.name}' has no option '{option.replace('_', '-')}'; "
                    f"{_option_list(pass_cls)}"
                )
        try:
            instance = pass_cls.from_pass_spec(spec)
            check_options(instance)
        except PassOptionError as e:
            raise UsageError(self._option_message(self.args.passes, e)) from None
        except (ValueError, TypeError) as e:
            raise UsageError(
                f"invalid options for pass '{spec.name}' in '{spec}': {e}; {_option_list(pass_cls)}"
            ) from None
        return instance

    def _verify_after(self, module: ModuleOp, step: Step) -> None:
        label = step.label
        try:
            verify_operation(module, self._current_buffer)
        except DiagnosticError as e:
            if isinstance(e.__cause__, DominanceError) and _is_xdsl_pass(step.pass_):
                # xDSL's verifier checks no dominance and some of xDSL's own passes produce
                # IR that breaks it: say so, and hold that IR to xDSL's verifier only.
                first = e.diagnostics[0]
                report(
                    [
                        Diagnostic(
                            "warning",
                            f"{first.message} (in the IR produced by xDSL's pass '{label}'; "
                            "xdsl-opt does not check dominance, so neither does this run "
                            "after that pass)",
                            first.location,
                            first.filename,
                            first.source_line,
                            first.caret_length,
                            first.notes,
                        )
                    ]
                )
                self._xdsl_verify_after(module, label)
                return
            first, *rest = e.diagnostics
            raise DiagnosticError(
                Diagnostic(
                    first.severity,
                    f"{first.message} (in the IR produced by pass '{label}')",
                    first.location,
                    first.filename,
                    first.source_line,
                    first.caret_length,
                    first.notes,
                ),
                *rest,
            ) from e

    def _xdsl_verify_after(self, module: ModuleOp, label: str) -> None:
        """xDSL's own verifier on the IR a pass produced, as xdsl-opt runs it."""
        try:
            module.verify()
        except DiagnosticException as e:
            message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise DiagnosticError(
                Diagnostic(
                    "error",
                    f"{message} (in the IR produced by pass '{label}')",
                    filename=self._current_buffer.name if self._current_buffer else None,
                )
            ) from e

    def run_pipeline(self, module: ModuleOp, buffer: SourceBuffer) -> None:
        """Run every pass (composites expanded), verifying after each; `DiagnosticError` for
        input the passes reject, `InternalError` for anything else they raise."""
        timings: list[tuple[str, float]] = []
        for k, step in enumerate(self._steps):
            self._running_pass = step.label
            start = time.perf_counter()
            try:
                run_step(step, self.ctx, module)
            except (DiagnosticError, ShrinkException):
                raise
            except Exception as e:
                message = pass_failure(step, e)
                if message is None:
                    raise InternalError(
                        f"in pass '{step.label}': {type(e).__name__}: {e}", e
                    ) from e
                raise DiagnosticError(Diagnostic("error", message, filename=buffer.name)) from e
            timings.append((step.label, time.perf_counter() - start))
            if not self.args.disable_verify:
                self._verify_after(module, step)
            if self.args.print_between_passes and k + 1 < len(self._steps):
                print(f"IR after {step.label}:")
                Printer(stream=sys.stdout).print_op(module)
                print("\n\n\n")
        self._running_pass = None
        if self.args.time_passes:
            sys.stdout.write(timing_table(timings))
            sys.stdout.flush()

    # ---- processing --------------------------------------------------------------------

    def read_input(self) -> tuple[str, str]:
        """(name, text) of the input file or stdin; `DiagnosticError` if unreadable."""
        path = self.args.input_file
        if path is None or path == "-":
            return "<stdin>", decode_source(sys.stdin.buffer.read(), "<stdin>")
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise DiagnosticError(
                Diagnostic("error", f"cannot open input file '{path}': {e.strerror or e}")
            ) from None
        return path, decode_source(data, path)

    def process_chunk(self, buffer: SourceBuffer) -> str:
        """Parse, verify, run the pipeline on and print one chunk (`DiagnosticError` on
        bad input, `InternalError` on bugs)."""
        self._current_buffer = buffer
        try:
            module = parse_buffer(self.ctx, buffer, not self.args.no_implicit_module)
        except DiagnosticError as e:
            raise ParseFailure(*e.diagnostics) from e
        except Exception as e:
            raise InternalError(f"{type(e).__name__} while parsing {buffer.name}: {e}", e) from e
        if not self.args.disable_verify:
            try:
                verify_operation(module, buffer)
            except DiagnosticError:
                raise
            except Exception as e:
                raise InternalError(
                    f"{type(e).__name__} while verifying {buffer.name}: {e}", e
                ) from e
        try:
            self.run_pipeline(module, buffer)
        except DiagnosticError as e:
            raise DiagnosticError(*with_source(e.diagnostics, buffer)) from e
        problem = target_problem(self.args.target, module)
        if problem is not None:
            op, message = problem
            raise DiagnosticError(
                op_diagnostic(op, message, buffer)
                if op is not None
                else Diagnostic("error", message, filename=buffer.name)
            )
        try:
            return self.output_resulting_program(module)
        except (NotImplementedError, AssertionError, OverflowError) as e:
            # xDSL's printer cannot print some valid IR (f80 or complex constants).
            op = _unprintable_op(module)
            reason = (
                f"xDSL's printer cannot print it ({type(e).__name__}{': ' if str(e) else ''}{e})"
            )
            raise DiagnosticError(
                op_diagnostic(op, f"unsupported: {reason}", buffer)
                if op is not None
                else Diagnostic("error", f"cannot print the module: {reason}", filename=buffer.name)
            ) from e
        except DiagnosticException as e:
            raise DiagnosticError(
                Diagnostic(
                    "error",
                    f"cannot emit target '{self.args.target}': {str(e).strip() or type(e).__name__}",
                    filename=buffer.name,
                )
            ) from e
        except Exception as e:
            raise InternalError(
                f"while emitting target '{self.args.target}': {type(e).__name__}: {e}", e
            ) from e

    def run(self) -> int:
        """Process every chunk of the input; returns the exit code."""
        name, text = self.read_input()
        buffers = (
            split_input(name, text) if self.args.split_input_file else [SourceBuffer(name, text)]
        )
        to_file = self.args.output_file is not None
        output: IO[str] = StringIO() if to_file else sys.stdout
        failed = False
        # --verify-diagnostics: MLIR's meaning with expected-* annotations, else xDSL's; with
        # --parsing-diagnostics (xdsl-opt's flag, MLIR has none) always xDSL's.
        mlir_verify = (
            self.args.verify_diagnostics
            and not self.args.parsing_diagnostics
            and has_expected_diagnostics(text)
        )
        try:
            for i, buffer in enumerate(buffers):
                if i > 0:
                    output.write("// -----\n")
                produced: list[Diagnostic] = []
                parse_failed = False
                xdsl_output: str | None = None
                try:
                    output.write(self.process_chunk(buffer))
                except DiagnosticError as e:
                    produced = list(e.diagnostics)
                    parse_failed = isinstance(e, ParseFailure)
                    if not mlir_verify:
                        xdsl_output = xdsl_opt_output(
                            e,
                            buffer,
                            parsing_diagnostics=self.args.parsing_diagnostics,
                            verify_diagnostics=self.args.verify_diagnostics,
                        )
                output.flush()
                if xdsl_output is not None:
                    print(xdsl_output, end="", flush=True)
                elif mlir_verify:
                    errors = match_expected_diagnostics(buffer, produced)
                    report(errors)
                    failed |= bool(errors)
                elif produced and parse_failed and self.args.parsing_diagnostics:
                    print("\n".join(d.format() for d in produced))
                elif produced:
                    report(produced)
                    failed = True
        except ShrinkException:
            print("Success, can shrink")
            return EXIT_OK
        if self.args.shrink:
            print("Failure, can't shrink")
            return EXIT_INPUT_ERROR
        if to_file and not failed:
            assert isinstance(output, StringIO)
            try:
                # `-t cubin` writes bytes as latin-1 text (see CubinTarget): one char a byte.
                encoding = "latin-1" if self.args.target == "cubin" else None
                with open(self.args.output_file, "w", encoding=encoding, newline="") as f:
                    f.write(output.getvalue())
            except OSError as e:
                report(
                    [
                        Diagnostic(
                            "error",
                            f"cannot write output file '{self.args.output_file}': {e.strerror or e}",
                        )
                    ]
                )
                return EXIT_INPUT_ERROR
        return EXIT_INPUT_ERROR if failed else EXIT_OK


# ---------------------------------------------------------------------------------------------
# xdsl-opt's diagnostics modes
# ---------------------------------------------------------------------------------------------


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


def with_source(diagnostics: Sequence[Diagnostic], buffer: SourceBuffer) -> list[Diagnostic]:
    """`diagnostics` with the source line and caret of `buffer` where they have a location
    in it but no source line (errors raised by passes, located at an op)."""
    out = []
    for d in diagnostics:
        notes = with_source(d.notes, buffer)
        if d.location is not None and d.source_line is None:
            d = buffer.diagnostic(d.severity, d.message, d.location, d.caret_length, notes)
        else:
            d = Diagnostic(
                d.severity,
                d.message,
                d.location,
                d.filename,
                d.source_line,
                d.caret_length,
                tuple(notes),
            )
        out.append(d)
    return out


def _unprintable_op(module: ModuleOp) -> Operation | None:
    """The first op without regions that xDSL's printer fails on (None if none does)."""
    for op in module.walk():
        if op.regions:
            continue
        try:
            Printer(stream=StringIO()).print_op(op)
        except Exception:
            return op
    return None


def timing_table(timings: Sequence[tuple[str, float]]) -> str:
    """`--time-passes`: wall time per pass, composite passes (`cpu-pipeline/eqsat` labels)
    with their total and their inner passes indented below them."""
    total = sum(t for _, t in timings)
    rows: list[tuple[int, str, float]] = []
    open_groups: list[str] = []
    for label, seconds in timings:
        *groups, leaf = label.split("/")
        depth = 0
        while depth < min(len(groups), len(open_groups)) and groups[depth] == open_groups[depth]:
            depth += 1
        del open_groups[depth:]
        for level in range(depth, len(groups)):
            prefix = "/".join(groups[: level + 1]) + "/"
            group_total = sum(t for lab, t in timings if lab.startswith(prefix))
            rows.append((level, groups[level], group_total))
            open_groups.append(groups[level])
        rows.append((len(groups), leaf, seconds))
    lines = [
        "===" + "-" * 70 + "===",
        "Pass execution timing report".center(76).rstrip(),
        "===" + "-" * 70 + "===",
        f"  Total Execution Time: {total:.4f} seconds",
        "",
        f"  {'Wall Time':>9} {'(%)':^8}  Name",
    ]
    for depth, name, seconds in rows:
        share = 100.0 * seconds / total if total > 0 else 0.0
        lines.append(f"  {seconds:9.4f} ({share:5.1f}%)  {'  ' * depth}{name}")
    lines.append(f"  {total:9.4f} ({100.0 if total > 0 else 0.0:5.1f}%)  Total")
    return "\n".join(lines) + "\n\n"


def _is_xdsl_pass(p: ModulePass) -> bool:
    """Whether `p` is one of xDSL's own passes (not Ziggurat's or a plugin's)."""
    return type(p).__module__.split(".")[0] == "xdsl"


def report(diagnostics: Sequence[Diagnostic], stream: IO[str] | None = None) -> None:
    """Print diagnostics, prefixing the ones that name no file with the program name."""
    out = stream or sys.stderr
    for d in diagnostics:
        text = d.format()
        if d.location is None and d.filename is None:
            text = f"{PROG}: {text}"
        print(text, file=out)
    out.flush()


def _fail(message: str, code: int) -> NoReturn:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point of the `ziggurat-opt` console script."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    show_traceback = "--traceback" in arguments
    try:
        # Imported here: importing the registry loads the plugin files named in
        # $ZIGGURAT_PLUGINS, whose errors are reported below like any other.
        from ziggurat.universe import PluginError, load_plugins, plugin_paths

        try:
            load_plugins(plugin_paths(arguments))
        except PluginError as e:
            raise UsageError(str(e)) from None
        tool = ZigguratOptMain(arguments)
        code = tool.run()
    except UsageError as e:
        _fail(str(e), EXIT_USAGE_ERROR)
    except DiagnosticError as e:
        report(e.diagnostics)
        sys.exit(EXIT_INPUT_ERROR)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_OK)
    except Exception as e:
        cause = e.cause if isinstance(e, InternalError) else e
        message = str(e) if isinstance(e, InternalError) else f"{type(e).__name__}: {e}"
        if show_traceback:
            traceback.print_exception(cause, file=sys.stderr)
        print(
            f"{PROG}: internal error: {message.splitlines()[0] if message else ''}", file=sys.stderr
        )
        if not show_traceback:
            print(
                f"{PROG}: note: this is a bug; rerun with --traceback to see where", file=sys.stderr
            )
        sys.exit(EXIT_INTERNAL_ERROR)
    sys.exit(code)


__all__ = [
    "InternalError",
    "UsageError",
    "ZigguratOptMain",
    "main",
    "report",
    "timing_table",
    "with_source",
]
