"""A card as the build carries it between stages: one flat tuple, derived values included.

Why: a 10,000-note vault gives ~170,000 cards. Hashing every card for its identity
(identify: the GUID hash alone was 3 s of a 10,000-note build) and rendering its Anki
fields (package) cost seconds in the parent process, one core, on every build, even
when one note changed. A :class:`Row` computes those once, in the worker that extracted
the card, and the per-note cache keeps them, so the parent only looks things up.
``Card`` objects are made from rows only when asked for (the library API, preview,
tests); ``card_of(row_of(card)) == card``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from ..model import Card, Source
from .ids import content_hash, guid_from, natural_key
from .render import card_fields

#: genanki's pattern for the cloze numbers of a field (package.py writes one card per number).
CLOZE_NUMBER = re.compile(r"{{c(\d+)::.+?}}", re.DOTALL)


class Row(NamedTuple):
    kind: str
    model: str
    context: tuple[str, ...]
    identity: str
    path: str  # the card's note, vault-relative, as posix text
    line: int
    deck: str
    tags: tuple[str, ...]
    note_title: str
    media: tuple[str, ...]
    source_link: str
    fields: tuple[str, ...]  # the Anki fields in note type order (render.card_fields)
    ords: tuple[int, ...]  # cloze card ordinals of the first field, in genanki's order
    key: str  # ids.natural_key
    content: str  # ids.content_hash
    text: str  # ids.content_hash without the source line
    hashed: str  # ids.guid_from(key): the GUID unless the state or a repeated key says otherwise
    score: float | None = None  # Card.score


def cloze_ords(*values: str) -> tuple[int, ...]:
    """The card ordinals genanki gives a cloze note whose cloze fields hold ``values``,
    in the order it writes them (the iteration order of the set it builds)."""
    ords: set[int] = set()
    for value in values:
        ords.update(int(m) - 1 for m in CLOZE_NUMBER.findall(value) if int(m) > 0)
    return tuple(ords)


def row_of(card: Card) -> Row:
    fields = tuple(card_fields(card).values())
    key = natural_key(card)
    return Row(
        card.kind,
        card.model,
        card.context,
        card.identity,
        card.source.path.as_posix(),
        card.source.line,
        card.deck,
        card.tags,
        card.note_title,
        card.media,
        card.source_link,
        fields,
        cloze_ords(fields[0]),
        key,
        content_hash(card),
        content_hash(card, with_line=False),
        guid_from(key),
        card.score,
    )


def shared(rows: tuple[Row, ...]) -> tuple[Row, ...]:
    """The rows of one note with equal tuples made one object (context, tags, media,
    ords): pickled, the cache entry and the parent's copy then hold each once.

    Why: a section's cards all carry the same context; as one tuple per card it was a
    tenth of a 10,000-note build's memory.
    """
    one: dict[tuple[object, ...], tuple[object, ...]] = {}

    def share(value: tuple[Any, ...]) -> tuple[Any, ...]:
        return one.setdefault(value, value)

    return tuple(
        row._replace(context=share(row.context), tags=share(row.tags), media=share(row.media), ords=share(row.ords))
        for row in rows
    )


def card_of(row: Row, path: PurePosixPath | None = None, guid: str = "") -> Card:
    """The Card of a row; ``path`` may pass the row's path object to share it."""
    source = Source(path if path is not None and path.as_posix() == row.path else PurePosixPath(row.path), row.line)
    return Card(
        row.kind,
        row.model,
        row.fields[0],
        row.fields[1],
        row.context,
        row.identity,
        source,
        row.deck,
        row.tags,
        row.note_title,
        row.media,
        guid,
        row.source_link,
        row.score,
    )
