"""Ziggurat's version: the one place it is written.

`pyproject.toml` reads it (`[tool.setuptools.dynamic]`), so the installed package's metadata
says the same; the runtime puts it in every cache key (`ZIGGURAT_VERSION`) and `zg.__version__`
is it. A constant, because `importlib.metadata` costs a warm start about 12 ms to import and
to scan the installed distributions.
"""

__version__ = "0.1.0"
