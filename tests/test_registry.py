"""Every card kind in the registry is tested by golden cards and documented in the README.

A kind is one lowercase word everywhere: registry key, module, golden folder and README
heading (``### steps``, ``### phrases``, ``### qa``, ``### figure``).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from cards.extract import EXTRACTORS

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("kind", list(EXTRACTORS))
def test_kind_has_golden_cases(kind: str) -> None:
    assert sorted((ROOT / "tests" / "golden" / kind).glob("*.md")), f"add tests/golden/{kind}/<case>.md"


@pytest.mark.parametrize("kind", list(EXTRACTORS))
def test_kind_is_documented(kind: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")  # missing README fails, never skips
    heading = re.compile(rf"^#{{2,4}}[ \t].*\b{re.escape(kind)}\b", re.MULTILINE)
    assert heading.search(readme), f"README.md needs a heading for the {kind!r} kind, e.g. '### {kind}'"


@pytest.mark.parametrize("kind", list(EXTRACTORS))
def test_kind_module_shows_its_markdown(kind: str) -> None:
    module = importlib.import_module(f"cards.extract.{kind}")
    assert module.KIND == kind
    assert module.extract is EXTRACTORS[kind]
    assert module.__doc__ and "\n    " in module.__doc__, "the docstring shows the Markdown it recognises, indented"


def test_config_knows_every_kind_in_table_order() -> None:
    """cards.toml's [kinds] and ``preview --kind`` name the registry's kinds (config.py
    sits below extract/ and cannot import the table, so it keeps a copy: this test
    keeps the copy true)."""
    from cards.config import KINDS

    assert KINDS == tuple(EXTRACTORS)
