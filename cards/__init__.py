"""cards: Markdown notes -> Anki flashcards that keep their reviews across rebuilds."""

from __future__ import annotations

from .build import BuildResult, Collected, build, collect
from .extract import EXTRACTORS, extract_cards
from .model import Card, Note, Source
from .parse import parse_note

__all__ = ["EXTRACTORS", "BuildResult", "Card", "Collected", "Note", "Source", "build", "collect", "extract_cards", "parse_note"]
