"""The exceptions Ziggurat raises on purpose: one hierarchy under `ZigguratError`.

```
ZigguratError
├── ZigguratTraceError        a rejected input while tracing (zg.jit), located at the user's line
├── StageUnavailableError     Lowered.as_text asked for a stage the backend does not produce
├── ArgumentError             a bad argument of the Python API (zg.compile(threads="4"), ...)
│   └── ZigguratCallError     an argument of a compiled kernel does not match its signature
├── PipelineError             a pipeline string names an unknown pass or is malformed
│   └── PassOptionError       a pass option has a bad value (names the pass and the option)
├── CompileError              the program cannot be compiled
│   ├── DiagnosticError       parse, verify and pass errors at `file:line:col`; `.diagnostics`
│   │   └── UnsupportedError  valid IR that the default pipeline does not compile (?-dims, index)
│   └── ZigguratCompileError  LLVM IR the runtime cannot parse, verify or link
└── ZigguratRuntimeError      the runtime failed while a compiled kernel ran
```

`DiagnosticError` lives in `ziggurat.diagnostics`, `UnsupportedError` in
`ziggurat.cpu_pipeline`, `ZigguratTraceError` in `ziggurat.frontend`, and the runtime's
`ZigguratCallError` (with `ZigguratCallTypeError`), `ZigguratCompileError` and
`ZigguratRuntimeError` in `ziggurat.runtime`.

Every exception a user can cause through `zg.compile`, `zg.jit`, `zg.parse_pipeline` and
`zg.parse_module` is one of these; anything else escaping them is a bug. The command-line
tools print the same errors as one located message (see docs/cli.md).

This module imports nothing: it is the bottom layer (docs/layout.md), and `import ziggurat`
loads it.
"""

from __future__ import annotations


class ZigguratError(Exception):
    """Base of the exceptions Ziggurat raises on purpose."""


class StageUnavailableError(ZigguratError, NotImplementedError):
    """`Lowered.as_text` asked a backend for a stage it does not produce."""


class ArgumentError(ZigguratError, TypeError, ValueError):
    """A bad argument of the Python API (wrong type or out of range)."""


class PipelineError(ZigguratError, ValueError):
    """A pipeline string names an unknown pass, is malformed, or gives a pass a bad option."""


class PassOptionError(PipelineError):
    """A pass option has a value the pass rejects (`cpu-pipeline{opt-level=9}`).

    `pass_name` and `option` (its dashed name, e.g. `opt-level`; None when the pass did not
    say which) say where; `reason` what is wrong. `str()` is `pass 'P', option 'O': reason`.
    """

    def __init__(self, pass_name: str, option: str | None, reason: str):
        self.pass_name = pass_name
        self.option = None if option is None else option.replace("_", "-")
        self.reason = reason
        where = f"pass '{pass_name}'" + ("" if self.option is None else f", option '{self.option}'")
        super().__init__(f"{where}: {reason}")


class CompileError(ZigguratError):
    """The input program cannot be compiled: bad IR, unsupported constructs, a failed pass.

    Its subclass `ziggurat.diagnostics.DiagnosticError` carries the located diagnostics
    (`.diagnostics`); `str()` is the formatted `file:line:col: error: ...` report.
    """


__all__ = [
    "ArgumentError",
    "CompileError",
    "PassOptionError",
    "PipelineError",
    "StageUnavailableError",
    "ZigguratError",
]
