"""cards: Markdown notes -> Anki flashcards that keep their reviews across rebuilds."""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # not typing's: importing typing costs the command's start-up ~20 ms
if TYPE_CHECKING:
    from typing import Any

    from .extract import EXTRACTORS, extract_cards
    from .model import Card, Note, Source
    from .notes.parse import parse_note
    from .pipeline.run import BuildResult, Collected, build, collect

# Every name loads on first use, not with the package: the ``cards`` command
# (__main__.py) must get its Ctrl-C handler in before any module loads, and
# ``cards build`` with nothing to parse never needs markdown-it.
_LAZY = {
    "EXTRACTORS": ".extract",
    "extract_cards": ".extract",
    "parse_note": ".notes.parse",
    "Card": ".model",
    "Note": ".model",
    "Source": ".model",
    "BuildResult": ".pipeline.run",
    "Collected": ".pipeline.run",
    "build": ".pipeline.run",
    "collect": ".pipeline.run",
}


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
