"""One mechanism for pass options and pass preconditions, used by every driver.

`ziggurat-opt`, `zg.parse_pipeline`, `zg.compile`, `ziggurat-run` and the composite
`cpu-pipeline` check every pass they build with `check_options`, and run each pass after
`check_input`:

- `check_options(p)` raises `PassOptionError` (naming the pass and the option) when an
  option has the wrong type for its dataclass field, or when the pass rejects it: a pass
  defines `validate(self) -> None` raising `PassOptionError` (Ziggurat's passes do; plug-in
  passes may). For passes whose module does not define `validate` yet, a validator can be
  registered here with `register_option_validator`.
- `check_input(p, module)` raises a located `DiagnosticError` when the module is not
  something the pass handles (e.g. `bufferize` on ztensor ops that were never lowered): a
  pass defines `check_input(self, module) -> None`, or one is registered with
  `register_input_check`.

The CLI turns `PassOptionError` into exit code 2 and input errors into exit code 1; the
Python API raises them (both are `ZigguratError`s).
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import DiagnosticException

from ziggurat.diagnostics import DiagnosticError, op_diagnostic
from ziggurat.errors import PassOptionError, ZigguratError

OptionValidator = Callable[[Any], None]
InputCheck = Callable[[Any, ModuleOp], None]

_OPTION_VALIDATORS: dict[str, OptionValidator] = {}
_INPUT_CHECKS: dict[str, InputCheck] = {}


def register_option_validator(pass_name: str) -> Callable[[OptionValidator], OptionValidator]:
    """Register `fn(pass_instance)` as the option validator of the pass named `pass_name`
    (used when the pass class defines no `validate` method)."""

    def wrap(fn: OptionValidator) -> OptionValidator:
        _OPTION_VALIDATORS[pass_name] = fn
        return fn

    return wrap


def register_input_check(pass_name: str) -> Callable[[InputCheck], InputCheck]:
    """Register `fn(pass_instance, module)` as the input check of the pass named
    `pass_name` (used when the pass class defines no `check_input` method)."""

    def wrap(fn: InputCheck) -> InputCheck:
        _INPUT_CHECKS[pass_name] = fn
        return fn

    return wrap


# ---------------------------------------------------------------------------------------------
# Option types
# ---------------------------------------------------------------------------------------------


def _type_name(hint: Any) -> str:
    if isinstance(hint, type):
        return hint.__name__
    return str(hint).replace("typing.", "")


def _conforms(value: Any, hint: Any) -> bool:
    """Whether `value` has the option type `hint` (the types xDSL pass options can have)."""
    if hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, h) for h in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_conforms(v, args[0]) for v in value)
        return len(args) == len(value) and all(
            _conforms(v, a) for v, a in zip(value, args, strict=True)
        )
    if origin is typing.Literal:
        return value in typing.get_args(hint)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True  # an annotation we do not understand: the pass checks it


def _check_types(p: ModulePass) -> None:
    cls = type(p)
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # unresolvable annotations (a plug-in's): leave it to the pass
        return
    for f in dataclasses.fields(cls):
        if not f.init or f.name == "name" or f.name not in hints:
            continue
        value = getattr(p, f.name)
        if not _conforms(value, hints[f.name]):
            raise PassOptionError(
                p.name, f.name, f"expected {_type_name(hints[f.name])}, got {value!r}"
            )


def check_options(p: ModulePass) -> None:
    """Raise `PassOptionError` if an option of `p` has the wrong type or a value the pass
    rejects (its `validate()` method, or the validator registered for its name)."""
    if dataclasses.is_dataclass(p):
        _check_types(p)
    validate = getattr(p, "validate", None)
    try:
        if callable(validate):
            validate()
        elif p.name in _OPTION_VALIDATORS:
            _OPTION_VALIDATORS[p.name](p)
    except PassOptionError:
        raise
    except (DiagnosticException, ValueError, TypeError) as e:
        # A validator that words its error as a message ("eqsat: extractor must be ..."):
        # find the option it names.
        raise _option_error(p, str(e)) from e


def _option_error(p: ModulePass, message: str) -> PassOptionError:
    text = message.strip().splitlines()[0] if message.strip() else "invalid option"
    if text.startswith(f"{p.name}:"):
        text = text[len(p.name) + 1 :].strip()
    names = [
        f.name.replace("_", "-")
        for f in (dataclasses.fields(p) if dataclasses.is_dataclass(p) else ())
        if f.init and f.name != "name"
    ]
    # The longest name first, so `ilp-time-limit-ms` wins over `time-limit-ms`.
    for name in sorted(names, key=len, reverse=True):
        if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
            if text.startswith(f"{name} "):
                text = text[len(name) + 1 :]
            return PassOptionError(p.name, name, text)
    return PassOptionError(p.name, None, text)


def check_input(p: ModulePass, module: ModuleOp) -> None:
    """Raise a located `DiagnosticError` if `module` is not an input `p` handles."""
    check = getattr(p, "check_input", None)
    if callable(check):
        check(module)
    elif p.name in _INPUT_CHECKS:
        _INPUT_CHECKS[p.name](p, module)


def inner_passes(p: ModulePass) -> list[ModulePass] | None:
    """The passes a composite pass (one with an `inner_passes()` method, like `cpu-pipeline`)
    runs, in order; None for an ordinary pass."""
    inner = getattr(p, "inner_passes", None)
    return list(inner()) if callable(inner) else None


@dataclass(frozen=True)
class Step:
    """One pass of a flattened pipeline: `label` is its name, prefixed by the composites it
    is part of (`cpu-pipeline/eqsat`); `starts` the composites whose first pass it is (their
    `check_input` runs before it)."""

    label: str
    pass_: ModulePass
    starts: tuple[ModulePass, ...] = ()


def flatten(passes: typing.Iterable[ModulePass]) -> list[Step]:
    """The steps of `passes`, composites replaced by their inner passes, recursively."""
    out: list[Step] = []
    for p in passes:
        inner = inner_passes(p)
        if inner is None:
            out.append(Step(p.name, p))
            continue
        for q in inner:
            check_options(q)
        steps = flatten(inner)
        if not steps:
            continue
        out += [
            Step(f"{p.name}/{s.label}", s.pass_, ((p,) if k == 0 else ()) + s.starts)
            for k, s in enumerate(steps)
        ]
    return out


def run_step(step: Step, ctx: Context, module: ModuleOp) -> None:
    """Check the input of `step` (and of the composites it starts), then apply it."""
    for composite in step.starts:
        check_input(composite, module)
    check_input(step.pass_, module)
    step.pass_.apply(ctx, module)


def pass_failure(step: Step, exc: BaseException) -> str | None:
    """The one-line message for `exc` raised while running `step` if it is the pass rejecting
    its input (a `DiagnosticException`, or a `ValueError`/`TypeError` whose message starts
    with the pass's name, as Ziggurat's passes word theirs); None for anything else (a bug).
    Located errors (`DiagnosticError`) and option errors are not pass failures: re-raise them.
    """
    if isinstance(exc, ZigguratError):
        return None
    text = str(exc).strip()
    deliberate = isinstance(exc, DiagnosticException) or (
        isinstance(exc, ValueError | TypeError) and text.startswith(f"{step.pass_.name}:")
    )
    if not deliberate:
        return None
    first = text.splitlines()[0] if text else type(exc).__name__
    return f"pass '{step.label}' failed: {first}"


# ---------------------------------------------------------------------------------------------
# Validators and input checks of passes defined in modules this one does not own
# ---------------------------------------------------------------------------------------------


def _at_least(p: Any, option: str, low: int) -> None:
    value = getattr(p, option)
    if value < low:
        raise PassOptionError(p.name, option, f"must be >= {low}, got {value}")


@register_option_validator("ztensor-to-ztile")
def _validate_ztensor_to_ztile(p: Any) -> None:
    sizes = tuple(p.tile_sizes)
    if any(s < 1 for s in sizes):
        raise PassOptionError(p.name, "tile-sizes", f"sizes must be >= 1, got {sizes}")
    if len(sizes) > 3:
        raise PassOptionError(
            p.name, "tile-sizes", f"takes at most 3 sizes (M,N,K), got {len(sizes)}"
        )
    if p.target not in ("cpu", "gpu"):
        raise PassOptionError(p.name, "target", f"must be cpu or gpu, got '{p.target}'")


@register_option_validator("ztile-to-zloop")
def _validate_ztile_to_zloop(p: Any) -> None:
    _at_least(p, "vector_width", 1)


@register_input_check("bufferize")
def _check_bufferize_input(p: Any, module: ModuleOp) -> None:
    """`bufferize` handles what `ztensor-to-ztile` produces: tensors that come from
    `bufferization.to_tensor` (or function arguments)."""
    for op in module.walk():
        if op.dialect_name() == "ztensor":
            raise DiagnosticError(
                op_diagnostic(
                    op,
                    f"is not lowered yet: '{p.name}' works on the buffers of ztile programs; "
                    "run 'ztensor-to-ztile' first (or 'cpu-pipeline' for the whole pipeline)",
                    None,
                )
            )
        if isinstance(op, func.ReturnOp):
            for value in op.arguments:
                owner = value.owner
                if (
                    isinstance(value.type, TensorType)
                    and isinstance(owner, Operation)
                    and owner.name not in ("bufferization.to_tensor", "func.call")
                ):
                    raise DiagnosticError(
                        op_diagnostic(
                            owner,
                            f"produces a returned tensor that '{p.name}' cannot bufferize: it "
                            "handles tensors made by 'ztensor-to-ztile' "
                            "(bufferization.to_tensor), calls and function arguments",
                            None,
                        )
                    )


__all__ = [
    "PassOptionError",
    "Step",
    "check_input",
    "check_options",
    "flatten",
    "inner_passes",
    "pass_failure",
    "register_input_check",
    "register_option_validator",
    "run_step",
]
