"""Our Anki note types, in one table: names, ids, fields and card templates.

Everything here is part of the released format. Anki matches a note type by id and
treats a changed field list or template list as a new note type (its notes then come
back "conflicting" and are not updated), so once a note type is released its id,
fields and templates stay as they are forever; a new kind of card needs a new note
type with a new id (as ``reversed`` was added beside ``basic``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ..model import BASIC, CLOZE, REVERSED
from .ids import BASIC_MODEL_ID, CLOZE_MODEL_ID, REVERSED_MODEL_ID


@dataclass(frozen=True, slots=True)
class Template:
    """One card of a note type: its name in Anki and the files of its two faces
    (in ``templates/anki/``, read by templating.py)."""

    name: str
    front: str
    back: str


@dataclass(frozen=True, slots=True)
class NoteType:
    key: str  # what a Card's ``model`` says
    name: str  # the note type's name in Anki
    id: int
    fields: tuple[str, ...]
    templates: tuple[Template, ...]
    cloze: bool = False


NOTE_TYPES: Mapping[str, NoteType] = MappingProxyType(
    {
        CLOZE: NoteType(
            CLOZE,
            "cards: cloze",
            CLOZE_MODEL_ID,
            ("Text", "Extra", "Context", "Source"),
            (Template("Cloze", "cloze_front.html", "cloze_back.html"),),
            cloze=True,
        ),
        BASIC: NoteType(
            BASIC,
            "cards: basic",
            BASIC_MODEL_ID,
            ("Front", "Back", "Context", "Source"),
            (Template("Card 1", "basic_front.html", "basic_back.html"),),
        ),
        REVERSED: NoteType(
            REVERSED,
            "cards: basic and reversed",
            REVERSED_MODEL_ID,
            ("Front", "Back", "Context", "Source"),
            (
                Template("Card 1", "basic_front.html", "basic_back.html"),
                Template("Card 2", "reversed_front.html", "reversed_back.html"),
            ),
        ),
    }
)


def note_type(key: str) -> NoteType:
    try:
        return NOTE_TYPES[key]
    except KeyError:
        raise ValueError(f"unknown note type {key!r}; expected one of {sorted(NOTE_TYPES)}") from None
