"""Imports point down the layers of docs/layout.md, never up or across.

Every module of the `ziggurat` package (found through `package-dir` in pyproject.toml) is
read with `ast`, and each import in it is checked, wherever it stands: top-level, inside a
function, under `if TYPE_CHECKING:`. So are the lazy imports by name that `ast` would not
see as imports: `import_module("ziggurat.x")` / `__import__("ziggurat.x")` calls and
`"ziggurat.x:Name"` loader strings (the pass table of `ziggurat.universe`).

The rule: a module may import a module of its own group, or of any group in a lower layer.
Groups that share a layer (lowering and passes; runtime and the IR infrastructure; the
frontend and the tools) do not import each other.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

LAYERS: tuple[dict[str, tuple[str, ...]], ...] = (
    # Bottom to top. Each layer maps its groups to the modules (or packages) they hold.
    {"errors": ("ziggurat.errors",), "version": ("ziggurat._version",)},
    {
        "runtime": ("ziggurat.runtime",),
        "IR infrastructure": ("ziggurat.diagnostics", "ziggurat.verifier"),
    },
    {"dialects": ("ziggurat.dialects",)},
    {
        "parsing": ("ziggurat.parsing",),
        "interpreter": ("ziggurat.interpreter", "ziggurat.linalg_semantics"),
    },
    {"lowering": ("ziggurat.lowering",), "passes": ("ziggurat.passes",)},
    {"targets": ("ziggurat.targets",)},
    {"pipeline": ("ziggurat.cpu_pipeline", "ziggurat.gpu_pipeline")},
    {"registry": ("ziggurat.universe",)},
    {"driver": ("ziggurat.driver", "ziggurat.artifacts", "ziggurat.autotune")},
    {
        "frontend": (
            "ziggurat.api",
            "ziggurat.frontend",
            "ziggurat.jit",
            "ziggurat.compiled_backend",
            "ziggurat.cuda_backend",
        ),
        "tools": ("ziggurat.tools",),
    },
    {"package root": ("ziggurat",)},
)

ALLOWED: frozenset[tuple[str, str]] = frozenset()
"""(importer, imported) pairs that break the rule on purpose, each with the reason."""

_LOADER = re.compile(r"^(ziggurat(?:\.\w+)*):\w+(?:\.\w+)*$")


@dataclass(frozen=True)
class Place:
    layer: int
    group: str


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    importer: str
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.importer} imports {self.imported}: {self.rule}"


def place(module: str, layers: tuple[dict[str, tuple[str, ...]], ...] = LAYERS) -> Place | None:
    """The layer and group of `module` (the longest matching prefix), None if it has none.

    The package root `ziggurat` holds only itself, not its subpackages."""
    best: tuple[int, Place] | None = None
    for index, layer in enumerate(layers):
        for group, prefixes in layer.items():
            for prefix in prefixes:
                matches = module == prefix or (
                    prefix != "ziggurat" and module.startswith(prefix + ".")
                )
                if matches and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), Place(index, group))
    return None if best is None else best[1]


def package_modules(repo: Path = REPO) -> dict[str, Path]:
    """Module name -> source file of every module of the packages in pyproject.toml."""
    config = tomllib.loads((repo / "pyproject.toml").read_text())
    package_dir: Mapping[str, str] = config["tool"]["setuptools"]["package-dir"]
    modules: dict[str, Path] = {}
    for package, folder in package_dir.items():
        root = repo / folder
        for path in sorted(root.rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "__pycache__" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join((package, *parts))] = path
    return modules


def _resolve_relative(importer: str, is_package: bool, level: int, name: str | None) -> str:
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([name] if name else [])])


def imports(
    source: str, importer: str, is_package: bool, known: set[str]
) -> Iterator[tuple[int, str]]:
    """(line, imported ziggurat module) for every import in `source`, at any depth."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "ziggurat":
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = _resolve_relative(importer, is_package, node.level, node.module)
            if base.split(".")[0] != "ziggurat":
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield node.lineno, submodule if submodule in known else base
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            arg = node.args[0]
            if (
                name in ("import_module", "__import__")
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and arg.value.split(".")[0] == "ziggurat"
            ):
                yield node.lineno, arg.value
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            loader = _LOADER.match(node.value)
            if loader is not None:
                yield node.lineno, loader.group(1)


def check_source(
    source: str,
    importer: str,
    path: str,
    known: set[str],
    *,
    is_package: bool = False,
    layers: tuple[dict[str, tuple[str, ...]], ...] = LAYERS,
    allowed: frozenset[tuple[str, str]] = ALLOWED,
) -> tuple[list[Violation], set[tuple[str, str]]]:
    """The violations of module `importer` (source `source`, file `path`), and the allowed
    pairs it uses."""
    violations: list[Violation] = []
    used: set[tuple[str, str]] = set()
    here = place(importer, layers)
    if here is None:
        rule = "the module is in no layer (add it to LAYERS here and to docs/layout.md)"
        return [Violation(path, 1, importer, "-", rule)], used
    for line, imported in imports(source, importer, is_package, known):
        there = place(imported, layers)
        if there is None or there.group == here.group or there.layer < here.layer:
            continue
        if (importer, imported) in allowed:
            used.add((importer, imported))
            continue
        direction = "up" if there.layer > here.layer else "across"
        rule = (
            f"points {direction}: {here.group} (layer {here.layer}) may import only its own "
            f"group and lower layers, and {imported} is in {there.group} (layer {there.layer})"
        )
        violations.append(Violation(path, line, importer, imported, rule))
    return violations, used


# ---------------------------------------------------------------------------------------------
# The check
# ---------------------------------------------------------------------------------------------


def test_imports_point_down_the_layers() -> None:
    modules = package_modules()
    assert "ziggurat.runtime.compiler" in modules and "ziggurat.driver" in modules
    known = set(modules)
    violations: list[Violation] = []
    used: set[tuple[str, str]] = set()
    for name, path in modules.items():
        found, allowed = check_source(
            path.read_text(),
            name,
            str(path.relative_to(REPO)),
            known,
            is_package=path.name == "__init__.py",
        )
        violations += found
        used |= allowed
    assert not violations, "imports against the layers:\n" + "\n".join(map(str, violations))
    stale = sorted(ALLOWED - used)
    assert not stale, f"ALLOWED entries no module needs any more (remove them): {stale}"


# ---------------------------------------------------------------------------------------------
# The package root loads its names on first use
# ---------------------------------------------------------------------------------------------


def run_python(code: str) -> None:
    """Run `code` in a fresh interpreter (a clean `sys.modules`); its assertions must hold."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr


def test_importing_a_dialect_loads_neither_the_frontend_nor_the_jit() -> None:
    run_python(
        """
        import sys
        import ziggurat.dialects.ztensor
        loaded = {"ziggurat.jit", "ziggurat.frontend", "ziggurat.api", "ziggurat.driver"}
        assert not loaded & set(sys.modules), sorted(loaded & set(sys.modules))
        """
    )


def test_import_ziggurat_loads_only_the_errors() -> None:
    run_python(
        """
        import sys
        import ziggurat as zg
        ours = sorted(m for m in sys.modules if m.startswith("ziggurat"))
        assert ours == ["ziggurat", "ziggurat.errors"], ours
        assert not {"numpy", "xdsl", "llvmlite"} & {m.split(".")[0] for m in sys.modules}
        assert zg.ZigguratError.__module__ == "ziggurat.errors"
        """
    )


def test_public_names_resolve_lazily_and_jit_stays_the_decorator() -> None:
    run_python(
        """
        import importlib, importlib.metadata, sys
        import ziggurat as zg
        from ziggurat import jit
        assert callable(jit) and jit.__module__ == "ziggurat.jit" and zg.jit is jit
        assert zg.exp.__module__ == "ziggurat.api" and "ziggurat.driver" not in sys.modules
        assert zg.__version__ == importlib.metadata.version("ziggurat")
        assert importlib.import_module("ziggurat.jit").jit is zg.jit
        for name in zg.__all__:
            getattr(zg, name)
        assert set(zg.__all__) <= set(dir(zg))
        assert issubclass(zg.DiagnosticError, zg.CompileError)
        try:
            zg.no_such_name
        except AttributeError as e:
            assert "no_such_name" in str(e)
        else:
            raise AssertionError("zg.no_such_name resolved")
        """
    )
    # The submodule `ziggurat.jit` imported first, by its own name: `zg.jit` is still the
    # decorator (the import system binds the submodule on the package).
    run_python(
        """
        import sys
        import ziggurat.jit
        from ziggurat.jit import JitOptions
        import ziggurat as zg
        assert callable(zg.jit) and zg.jit is sys.modules["ziggurat.jit"].jit
        assert zg.JitOptions is JitOptions
        """
    )


# ---------------------------------------------------------------------------------------------
# The checker itself
# ---------------------------------------------------------------------------------------------

KNOWN = {
    "ziggurat",
    "ziggurat.errors",
    "ziggurat.jit",
    "ziggurat.driver",
    "ziggurat.dialects",
    "ziggurat.dialects.ztensor",
    "ziggurat.lowering.tiling",
    "ziggurat.passes.options",
    "ziggurat.runtime",
    "ziggurat.runtime.abi",
    "ziggurat.runtime.compiler",
}


def violations_of(
    source: str, importer: str, allowed: frozenset[tuple[str, str]] = ALLOWED
) -> list[Violation]:
    found, _ = check_source(source, importer, "planted.py", KNOWN, allowed=allowed)
    return found


def test_checker_reports_an_upward_import_with_module_line_and_rule() -> None:
    source = "import numpy\n\nfrom ziggurat.dialects import ztensor\n"
    (v,) = violations_of(source, "ziggurat.runtime.compiler")
    assert (v.path, v.line, v.importer, v.imported) == (
        "planted.py",
        3,
        "ziggurat.runtime.compiler",
        "ziggurat.dialects.ztensor",
    )
    assert (
        "points up" in v.rule and "runtime (layer 1)" in v.rule and "dialects (layer 2)" in v.rule
    )
    assert str(v).startswith("planted.py:3: ziggurat.runtime.compiler imports ")


def test_checker_sees_function_local_type_checking_and_lazy_imports() -> None:
    source = """
from typing import TYPE_CHECKING
from importlib import import_module

if TYPE_CHECKING:
    from ziggurat.jit import JitOptions

def f():
    import ziggurat.driver
    return import_module("ziggurat.driver")

PASSES = {"x": "ziggurat.driver:Pass"}
"""
    lines = [(v.line, v.imported) for v in violations_of(source, "ziggurat.dialects.ztensor")]
    assert sorted(lines) == [
        (6, "ziggurat.jit"),
        (9, "ziggurat.driver"),
        (10, "ziggurat.driver"),
        (12, "ziggurat.driver"),
    ]


def test_checker_rejects_imports_across_a_layer_and_of_the_package_root() -> None:
    (across,) = violations_of(
        "from ziggurat.passes.options import run_step\n", "ziggurat.lowering.x"
    )
    assert "points across" in across.rule
    (root,) = violations_of("from ziggurat import jit_options\n", "ziggurat.driver")
    assert root.imported == "ziggurat" and "package root" in root.rule
    (submodule,) = violations_of("from ziggurat import jit\n", "ziggurat.driver")
    assert submodule.imported == "ziggurat.jit"
    relative = violations_of("from ..jit import jit\n", "ziggurat.dialects.ztensor")
    assert [v.imported for v in relative] == ["ziggurat.jit"]


def test_checker_accepts_downward_and_own_group_imports_and_the_allow_list() -> None:
    source = (
        "from ziggurat.errors import CompileError\n"
        "from ziggurat.runtime.abi import PARALLEL_FOR_SYMBOL\n"
        "from ziggurat.dialects import ztensor\n"
        "import ziggurat.lowering.tiling\n"
    )
    assert violations_of(source, "ziggurat.lowering.x") == []
    source = "from ziggurat.lowering.tiling import plan\n"
    assert len(violations_of(source, "ziggurat.passes.eqsat_terms", allowed=frozenset())) == 1
    pair = ("ziggurat.passes.eqsat_terms", "ziggurat.lowering.tiling")
    found, used = check_source(
        source, "ziggurat.passes.eqsat_terms", "p.py", KNOWN, allowed=frozenset({pair})
    )
    assert found == [] and used == {pair}


def test_checker_requires_every_module_to_have_a_layer() -> None:
    (v,) = violations_of("x = 1\n", "ziggurat.somewhere_new")
    assert "in no layer" in v.rule
    assert place("ziggurat") == Place(len(LAYERS) - 1, "package root")
    assert place("ziggurat.dialects.ztensor") == Place(2, "dialects")
    assert place("ziggurat.jit") == Place(9, "frontend")
