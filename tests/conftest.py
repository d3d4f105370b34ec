"""Shared helpers: parse a Markdown string into a note, or straight into its cards;
every test's build cache in its own temporary folder, never the user's."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from cards.extract import Context, extract_cards
from cards.model import Card, Note
from cards.notes.parse import parse_note
from cards.pipeline.cache import CACHE_ENV


def parse(text: str, path: str = "note.md") -> Note:
    return parse_note(text, PurePosixPath(path), deck="Test")


def extract(text: str, path: str = "note.md", density: str = "all", kinds: frozenset[str] | None = None) -> list[Card]:
    return extract_cards(parse(text, path), ctx=Context(), density=density, kinds=kinds)


@pytest.fixture
def note_from() -> Callable[..., Note]:
    """``note_from(text, path="note.md")``: the parsed note, deck "Test"."""
    return parse


@pytest.fixture
def cards_from() -> Callable[..., list[Card]]:
    """``cards_from(text, path="note.md", density="all", kinds=None)``: the cards of the note,
    kinds in registry order. At ``all`` (the default here) every candidate that breaks no
    hard rule: what the kinds make, whatever the score says (the score has its own tests,
    tests/test_score.py; what a deck keeps is in tests/golden/); ``kinds``: only these."""
    return extract


@pytest.fixture(autouse=True, scope="session")
def _cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Builds cache into a temporary folder, never the user's cache folder. Set in the
    environment, so subprocesses (``python -m cards ...``) inherit it, and for the whole
    session, so module-scoped fixtures that build have it too (each output has its own
    sub-folder there, keyed by its path)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("cards-cache")))
        yield


@pytest.fixture()
def synthetic() -> Any:
    """benchmarks/make_vault.py's ``make_vault(n, root, *, folders=..., seed=...)``: a
    deterministic vault of ``n`` notes in the benchmark's shapes."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        from make_vault import make_vault
    finally:
        sys.path.pop(0)
    return make_vault
