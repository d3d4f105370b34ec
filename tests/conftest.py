"""Shared helpers: parse a Markdown string into a note, or straight into its cards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

import pytest

from cards.extract import Context, extract_cards
from cards.model import Card, Note
from cards.notes.parse import parse_note


def parse(text: str, path: str = "note.md") -> Note:
    return parse_note(text, PurePosixPath(path), deck="Test")


def extract(text: str, path: str = "note.md") -> list[Card]:
    return extract_cards(parse(text, path), ctx=Context())


@pytest.fixture
def note_from() -> Callable[..., Note]:
    """``note_from(text, path="note.md")``: the parsed note, deck "Test"."""
    return parse


@pytest.fixture
def cards_from() -> Callable[..., list[Card]]:
    """``cards_from(text, path="note.md")``: every card of the note, kinds in registry order."""
    return extract
