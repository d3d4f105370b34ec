"""cards: Markdown notes -> Anki flashcards that keep their reviews across rebuilds."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .model import Card, Note, Source
from .pipeline.run import BuildResult, Collected, build, collect

if TYPE_CHECKING:
    from .extract import EXTRACTORS, extract_cards
    from .notes.parse import parse_note

# The parser and extractors load on first use, not with the package: ``cards build``
# with nothing to parse never needs markdown-it.
_LAZY = {"EXTRACTORS": ".extract", "extract_cards": ".extract", "parse_note": ".notes.parse"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EXTRACTORS",
    "BuildResult",
    "Card",
    "Collected",
    "Note",
    "Source",
    "build",
    "collect",
    "extract_cards",
    "parse_note",
]
