"""What delivery needs from an Anki: the notes of our note types, and a few actions.

Both ways into Anki (AnkiConnect, the collection file) implement :class:`Target`, so
the plan (reconcile.py) and the run (sync.py) are written once. The notes are read in
one go before anything changes: the plan is made from what Anki holds, and the import
must not run first (it strips our ``cards::retired`` tag from a returning note).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

#: Exit codes of ``cards sync`` beyond the build's (0, 1, 2, 3, 130): see cli.py.
UNREACHABLE = 4  # Anki not running, collection in use or missing: try again later
REFUSED = 5  # Anki answered but will not do it: wrong API key, add-on too old, an error


class DeliveryError(Exception):
    """Delivery could not run; the message says why and what to do, ``code`` is the exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class AnkiCard:
    id: int
    deck: str
    suspended: bool


@dataclass(frozen=True, slots=True)
class AnkiNote:
    """A note of one of our note types as Anki holds it."""

    id: int
    guid: str | None  # None through AnkiConnect, which does not tell GUIDs
    fingerprint: str  # reconcile.fingerprint of its fields
    tags: tuple[str, ...]
    cards: tuple[AnkiCard, ...]
    first: str = ""  # the first field as Anki holds it

    @property
    def text(self) -> str:
        """How the note is named to the user (made only for the few shown)."""
        return plain(self.first)


def plain(field_html: str, limit: int = 70) -> str:
    """A field as one line of text, for naming a note to the user."""
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", field_html)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Target(Protocol):
    """An Anki to deliver into. ``where`` names it for the user; ``key`` names it in the
    delivery record (the same Anki gives the same key)."""

    where: str
    key: str
    ankiweb: bool  # can it ask Anki to sync with AnkiWeb

    def notes(self) -> list[AnkiNote]: ...

    def before_import(self) -> str | None:
        """Anything to do first (the collection's backup); returns what to tell the user."""
        ...

    def import_package(self, apkg: Path) -> None: ...

    def move(self, card_ids: Sequence[int], deck: str) -> None: ...

    def suspend(self, card_ids: Sequence[int]) -> None: ...

    def unsuspend(self, card_ids: Sequence[int]) -> None: ...

    def add_tag(self, note_ids: Sequence[int], tag: str) -> None: ...

    def remove_tag(self, note_ids: Sequence[int], tag: str) -> None: ...

    def delete_notes(self, note_ids: Sequence[int]) -> None: ...

    def sync_ankiweb(self) -> None: ...

    def close(self) -> None: ...
