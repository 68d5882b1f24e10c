"""The generated dialect reference pages match the op docstrings."""

from pathlib import Path

import pytest

from ziggurat.dialects import get_all_dialects
from ziggurat.tools.docgen import render

DOCS = Path(__file__).resolve().parents[2] / "docs" / "dialects"
GENERATED = ["ztensor", "ztile", "zloop"]


@pytest.mark.parametrize("name", GENERATED)
def test_dialect_page_is_current(name: str) -> None:
    page = (DOCS / f"{name}.md").read_text()
    assert page == render(get_all_dialects()[name]()), (
        f"docs/dialects/{name}.md is stale: run "
        f"`python -m ziggurat.tools.docgen {name} > docs/dialects/{name}.md`"
    )
