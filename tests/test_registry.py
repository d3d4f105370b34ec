"""Every card kind in the registry is tested by golden cards and documented in the README.

A kind is one lowercase word everywhere: registry key, module, golden folder and README
heading (``### steps``, ``### phrases``, ``### qa``, ``### figure``).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

from cards import extract
from cards.extract import EXTRACTORS
from cards.kinds import KINDS, NAMES

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
    """cards.toml's [kinds] and ``preview --kind`` name the registry's kinds, in its order."""
    from cards.config import KINDS

    assert KINDS == tuple(EXTRACTORS) == NAMES


def test_the_registry_holds_every_kind_module_and_golden_folder_and_no_other() -> None:
    """A kind is a record in cards/kinds.py, a module cards/extract/<name>.py with a
    ``KIND``, and a folder tests/golden/<name>/: one missing from any of them fails here."""
    modules = {
        name
        for _, name, _ in pkgutil.iter_modules(extract.__path__)
        if hasattr(importlib.import_module(f"cards.extract.{name}"), "KIND")
    }
    golden = {p.name for p in (ROOT / "tests" / "golden").iterdir() if p.is_dir()} - {"never"}
    assert modules == set(NAMES), "a kind module the registry lacks, or a record with no module"
    assert golden == set(NAMES), "a golden folder the registry lacks, or a kind with no golden folder"


def test_written_kinds_come_from_the_registry() -> None:
    """The identity of written cards (deck/ids.py) reads the registry: a written kind is
    keyed as the mined kind of its shape."""
    from cards.deck.ids import WRITTEN_KINDS, fact_kind

    assert WRITTEN_KINDS == {k.name for k in KINDS if k.written}
    for kind in KINDS:
        assert fact_kind(kind.name, "cloze") == kind.fact_kind("cloze")
        assert fact_kind(kind.name, "basic") == kind.fact_kind("basic")
