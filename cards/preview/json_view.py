"""Cards -> what a script reads before importing: the ``--json`` objects, and the filters.

The question and answer go through :mod:`cards.preview.faces`, the same rendering Anki applies
to our note types, so they are the ones Anki will show. The JSON objects
(:func:`card_objects`) are a documented, versioned interface (README, "Preview and the
JSON schema"); the terminal view for people lives in :mod:`cards.preview.terminal`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING, Any


from .faces import cloze_ordinals, render_faces, strip_html
from ..deck.notetypes import note_type
from ..model import CLOZE, Card

if TYPE_CHECKING:
    from ..extract.judge import Explained
from ..deck.render import card_fields

__all__ = [
    "JSON_KEYS",
    "JSON_VERSION",
    "card_objects",
    "note_uri",
    "ordinals",
    "select",
    "source_uri",
]

#: The JSON schema version; bump it only with a documented, breaking change.
JSON_VERSION = 1

#: Every key of a ``cards preview --json`` object and its JSON type (pinned by tests).
JSON_KEYS: Mapping[str, type] = {
    "kind": str,
    "note_type": str,
    "ordinal": int,
    "fields": dict,
    "question": str,
    "answer": str,
    "context": list,
    "note": str,
    "deck": str,
    "tags": list,
    "source": dict,
    "source_link": str,
    "guid": str,
}


def ordinals(card: Card) -> list[int]:
    """The Anki cards a note gives: one per cloze number, else one per card of its
    note type (a reversed pair gives 1 and 2).

    Anki counts a cloze number in *any* field of a cloze note, so all fields count.
    """
    if card.model != CLOZE:
        return list(range(1, len(note_type(card.model).templates) + 1))
    return cloze_ordinals(*card_fields(card).values()) or [1]


#: Every key of a ``cards preview --json --explain`` dropped candidate (pinned by tests).
DROPPED_KEYS: Mapping[str, type] = {
    "kind": str,
    "source": dict,
    "source_link": str,
    "question": str,
    "answer": str,
    "rule": str,
    "reason": str,
}


def dropped_objects(dropped: Iterable[Explained]) -> list[dict[str, Any]]:
    """The candidates the judge dropped, as ``--json --explain`` prints them."""
    return [
        {"kind": d.kind, "source": {"path": d.path, "line": d.line}, "source_link": d.source_link,
         "question": d.front, "answer": d.answer, "rule": d.rule, "reason": d.reason}
        for d in dropped
    ]


def note_uri(card: Card, roots: Sequence[Path] = ()) -> str:
    """``file://`` URI of the note a card came from (the first root that holds it)."""
    for root in roots:
        candidate = root / card.source.path
        if candidate.exists():
            return candidate.resolve().as_uri()
    if roots:
        return (roots[0] / card.source.path).resolve().as_uri()
    return ""


def source_uri(card: Card, roots: Sequence[Path] = ()) -> str:
    """Where a click on the card's source should go: its obsidian:// link, else the file."""
    return card.source_link or note_uri(card, roots)


def card_objects(
    cards: Sequence[Card],
    *,
    templates_dir: Path | None = None,
    media: dict[str, Path] | None = None,
    roots: Sequence[Path] = (),
) -> list[dict[str, Any]]:
    """One JSON-ready object per Anki card (a note with clozes c1 and c2 gives two).

    Keys and types are :data:`JSON_KEYS`. ``media`` (for the HTML page only) adds a
    ``media`` key mapping each image name the card uses to its file.
    """
    objects = []
    for card in cards:
        fields = card_fields(card)
        for ordinal in ordinals(card):
            question, answer = render_faces(card.model, fields, ordinal, templates_dir)
            obj: dict[str, Any] = {
                "kind": card.kind,
                "note_type": card.model,
                "ordinal": ordinal,
                "fields": fields,
                "question": question,
                "answer": answer,
                "context": list(card.context),
                "note": card.note_title,
                "deck": card.deck,
                "tags": list(card.tags),
                "source": {"path": card.source.path.as_posix(), "line": card.source.line},
                "source_link": source_uri(card, roots),
                "guid": card.guid,
            }
            if media is not None:
                obj["media"] = {name: str(media[name]) for name in card.media if name in media}
            objects.append(obj)
    return objects


def select(cards: Iterable[Card], *, kinds: Sequence[str] = (), note: str | None = None, grep: str | None = None) -> list[Card]:
    """The cards the preview filters keep; the filters combine (all must match).

    ``kinds``: any of these kinds; ``note``: a glob on the vault-relative note path or
    its file name (``biology/*``, ``tcp.md``); ``grep``: case-insensitive text in the
    card's fields (question, answer, extra) or its heading path.
    """
    needle = " ".join(grep.split()).casefold() if grep else None
    kept = []
    for card in cards:
        if kinds and card.kind not in kinds:
            continue
        path = card.source.path.as_posix()
        if note and not (fnmatch(path, note) or fnmatch(card.source.path.name, note)):
            continue
        if needle:
            haystack = " ".join(strip_html(part) for part in (card.front, card.back, *card.context))
            if needle not in " ".join(haystack.split()).casefold():
                continue
        kept.append(card)
    return kept
