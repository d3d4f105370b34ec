"""What delivery needs from an Anki: the notes of our note types, and a few actions.

Both ways into Anki (AnkiConnect, the collection file) implement :class:`Target`, so
the plan (reconcile.py) and the run (sync.py) are written once. The notes are read in
one go before anything changes: the plan is made from what Anki holds, and the import
must not run first (it strips our ``cards::retired`` tag from a returning note).

A note is read field by field *by name*: the fields of our note types (``Text``,
``Front``, ...) are ours, any field the user added to one of them is theirs, and only
ours are compared with the deck, fingerprinted and replaced.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
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
    fingerprint: str  # contents.fingerprint of our fields, in our order
    tags: tuple[str, ...]
    cards: tuple[AnkiCard, ...]
    first: str = ""  # the first of our fields as Anki holds it
    model: int = 0  # note type id
    fields: tuple[tuple[str, str], ...] = ()  # every field, (name, value), in the note type's order
    mod: int | None = None  # modification time (None through AnkiConnect, which does not tell it)

    @property
    def text(self) -> str:
        """How the note is named to the user (made only for the few shown)."""
        return plain(self.first)


@dataclass(frozen=True, slots=True)
class Shape:
    """One of our note types as the user's Anki has it: its fields and card templates
    (name, front, back), in order. The user may have added fields or templates."""

    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]


def plain(field_html: str, limit: int = 70) -> str:
    """A field as one line of text, for naming a note to the user."""
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", field_html)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Target(Protocol):
    """An Anki to deliver into. ``where`` names it for the user; ``key`` names it in the
    delivery record (the same Anki gives the same key); ``by_guid``: its notes come
    with their GUIDs (else the record's note ids and the fields tell them)."""

    where: str
    key: str
    ankiweb: bool  # can it ask Anki to sync with AnkiWeb
    by_guid: bool

    def notes(self, ids: Sequence[int] | None = None) -> list[AnkiNote]:
        """The notes of our note types (``ids``: only those of them)."""
        ...

    def guids(self, ids: Sequence[int]) -> dict[int, str] | None:
        """The GUIDs of these notes (cheap: to check what an import added); None when
        this Anki does not tell GUIDs."""
        ...

    def note_ids(self) -> list[int]:
        """The ids of the notes of our note types (cheap: to find the ones an import added)."""
        ...

    def shapes(self) -> dict[int, Shape]:
        """Our note types as Anki has them, by id (a missing one is not there yet)."""
        ...

    def decks(self) -> set[str]: ...

    def retired_in_play(self, tag: str) -> bool:
        """Whether a note of our note types tagged ``tag`` has a card that is not
        suspended (answered in the reviewer, say): cheap, asked when the deck itself
        is in Anki already."""
        ...

    def before_import(self) -> str | None:
        """Anything to do first (the collection's backup); returns what to tell the user."""
        ...

    def import_package(self, apkg: Path) -> None: ...

    def update_note(self, note_id: int, fields: Mapping[str, str], tags: Sequence[str]) -> None:
        """Set these fields (by name; the others stay) and exactly these tags."""
        ...

    def store_media(self, name: str, data: bytes) -> None: ...

    def move(self, card_ids: Sequence[int], deck: str) -> None: ...

    def suspend(self, card_ids: Sequence[int]) -> None: ...

    def unsuspend(self, card_ids: Sequence[int]) -> None: ...

    def add_tag(self, note_ids: Sequence[int], tag: str) -> None: ...

    def remove_tag(self, note_ids: Sequence[int], tag: str) -> None: ...

    def delete_notes(self, note_ids: Sequence[int]) -> None: ...

    def remove_empty_deck(self, name: str) -> bool:
        """Remove the deck ``name`` if it holds no card and no other deck; whether it did."""
        ...

    def refresh(self) -> None:
        """Show what changed (the running Anki's deck list); nothing for a closed collection."""
        ...

    def signed_in(self) -> bool | None:
        """Whether Anki is signed in to AnkiWeb (None: cannot tell)."""
        ...

    def sync_ankiweb(self) -> None: ...

    def close(self) -> None: ...
