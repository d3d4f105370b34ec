"""Why a fact gave no card: the candidates the judge dropped, note by note.

``cards preview --explain`` shows them. They are found by running every note through
the same per-note pipeline as a build (per_note.note_cards), without the cache (the
cache keeps the cards, not the candidates), so an explanation always matches the
rules of the tool that gives it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..errors import CardsError
from ..notes.blocks import BlockIndex
from ..notes.media import MediaIndex
from ..notes.read import decode_note
from .per_note import Vault, log, note_cards
from .recurrence import VaultRecurrence, note_bytes

if TYPE_CHECKING:
    from ..judge import Explained


def explain(paths: Sequence[Path], *, deck: str | None = None, config: Config | None = None) -> list[Explained]:
    """Every candidate the judge dropped under ``paths``, in note and line order."""
    from ..judge import Dropped

    found: list[Explained] = []
    quiet = logging.Handler(logging.CRITICAL + 1)  # the build reports warnings; here only the candidates
    for path in paths:
        vault = Vault.open(path, deck=deck, config=config)
        media = MediaIndex(vault.root)
        blocks = BlockIndex(vault.root)  # Logseq block references resolve as in a build
        notes = vault.notes(path if path.is_file() else None)
        data = note_bytes(notes)
        recurrences = VaultRecurrence(notes, data)
        for at, note in enumerate(notes):
            held = data[at]
            if held is None:
                continue  # the note's error is the build's to report
            handlers, log.handlers = log.handlers, [quiet]
            propagate, log.propagate = log.propagate, False
            try:
                dropped: list[Dropped] = []
                note_cards(vault, note, decode_note(held, note.path), media, dropped, blocks.text, recurrences.of(at))
            except (CardsError, RecursionError):
                continue  # the note's error is the build's to report
            finally:
                log.handlers, log.propagate = handlers, propagate
            found.extend(item.explained(vault.source_link(item.candidate.source)) for item in dropped)
    return found
