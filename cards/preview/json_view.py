"""Cards -> what a script reads before importing: the ``--json`` objects, and the filters.

The question and answer go through :mod:`cards.preview.faces`, the same rendering Anki applies
to our note types, so they are the ones Anki will show. The JSON objects
(:func:`card_objects`) are a documented, versioned interface (README, "Preview and the
JSON schema"); the terminal view for people lives in :mod:`cards.preview.terminal`.
"""

from __future__ import annotations

import json
import pickle
import struct
import zlib
from json.encoder import encode_basestring
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fnmatch import fnmatch
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any


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
    "note_view",
    "ordinals",
    "select",
    "source_uri",
    "view_objects",
    "view_rows",
    "write_json",
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
    return _file_uri(card.source.path.as_posix(), roots)


def source_uri(card: Card, roots: Sequence[Path] = ()) -> str:
    """Where a click on the card's source should go: its obsidian:// link, else the file."""
    return card.source_link or note_uri(card, roots)


def _object(card: Card, fields: dict[str, str], ordinal: int, templates_dir: Path | None) -> dict[str, Any]:
    """One Anki card's JSON object, without ``source_link`` and ``guid`` (they follow)."""
    question, answer = render_faces(card.model, fields, ordinal, templates_dir)
    return {
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
    }


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
            obj = _object(card, fields, ordinal, templates_dir)
            obj["source_link"] = source_uri(card, roots)
            obj["guid"] = card.guid
            if media is not None:
                obj["media"] = {name: str(media[name]) for name in card.media if name in media}
            objects.append(obj)
    return objects


# ------------------------------------------------------------------ the cached view
#
# ``cards preview --json`` of an unchanged vault must cost about a no-op build, so the
# slow part, each card's faces rendered and encoded, is kept per note in the build's
# cache (a "view", build/reading.py) and only the parts that are not a function of the
# note (the GUID, and a source link that names the vault's folder) are added as the
# list is written. The text is exactly what ``json.dumps(card_objects(...),
# ensure_ascii=False, indent=2)`` prints (tests/test_preview.py).

#: Ends each Anki card's text inside a view's body (JSON text never holds a raw NUL).
_END = b"\x00"
#: Deflate a view's body: a tenth of the bytes to keep for a little time to read.
COMPRESS = True


def note_view(cards: Sequence[Card], *, templates_dir: Path | None = None) -> bytes:
    """One note's cards as the JSON preview prints them, less GUIDs and file links.

    A head (per card its kind, obsidian:// link or "", and number of Anki cards) and a
    body: each Anki card's object, opened by ``,\\n`` and left open where its
    ``source_link`` and ``guid`` go, then :data:`_END`.
    """
    head: list[tuple[str, str, int]] = []
    body: list[str] = []
    for card in cards:
        fields = card_fields(card)
        numbers = ordinals(card)
        head.append((card.kind, card.source_link, len(numbers)))
        for ordinal in numbers:
            text = json.dumps(_object(card, fields, ordinal, templates_dir), ensure_ascii=False, indent=2)[:-2].replace("\n", "\n  ")
            body.append(",\n  " + text + "\x00")
    if not head:
        return b""
    packed = "".join(body).encode("utf-8")
    top = pickle.dumps(head, protocol=pickle.HIGHEST_PROTOCOL)
    return struct.pack("<I?", len(top), COMPRESS) + top + (zlib.compress(packed, 1) if COMPRESS else packed)


def view_rows(view: bytes) -> tuple[list[tuple[str, str, int]], list[bytes]]:
    """A note's view: the head (per card: kind, obsidian link, Anki cards) and the text
    of each Anki card (``,\\n`` first, ``source_link`` and ``guid`` still to come)."""
    if not view:
        return [], []
    size, packed = struct.unpack_from("<I?", view)
    start = struct.calcsize("<I?")
    head: list[tuple[str, str, int]] = pickle.loads(view[start : start + size])
    body = view[start + size :]
    return head, (zlib.decompress(body) if packed else body).split(_END)[:-1]


def _selected(
    notes: Iterable[tuple[str, bytes]], guids: Iterable[str], *, kinds: Sequence[str], note: str | None, roots: Sequence[Path],
) -> Iterator[list[bytes]]:
    """Per note that passes the filters, the texts of its Anki cards that do (each
    followed by its tail, the ``source_link``, the ``guid`` and the closing brace)."""
    found = iter(guids)
    quote = encode_basestring  # json.dumps of one string, ensure_ascii=False, without its overhead
    links: dict[str, bytes] = {}
    for path, view in notes:
        head, texts = view_rows(view)
        if note and not (fnmatch(path, note) or fnmatch(path.rsplit("/", 1)[-1], note)):
            for _ in head:
                next(found)
            continue
        uri: str | None = None
        pieces: list[bytes] = []
        at = 0
        for kind, link, count in head:
            guid = next(found)
            if kinds and kind not in kinds:
                at += count
                continue
            if not link:
                if uri is None:
                    uri = _file_uri(path, roots)
                link = uri
            lead = links.get(link)
            if lead is None:
                lead = links[link] = (',\n    "source_link": ' + quote(link) + ',\n    "guid": ').encode("utf-8")
            tail = lead + (quote(guid) + "\n  }").encode("utf-8")
            for text in texts[at : at + count]:
                pieces.append(text)
                pieces.append(tail)
            at += count
        if pieces:
            yield pieces


def write_json(
    notes: Iterable[tuple[str, bytes]], guids: Iterable[str], out: IO[str], *, kinds: Sequence[str] = (), note: str | None = None,
    roots: Sequence[Path] = (),
) -> int:
    """The ``--json`` list from each note's view (note path, :func:`note_view`) and the
    cards' GUIDs in order, written as it goes; returns the Anki cards written. The
    ``--kind`` and ``--note`` filters apply as :func:`select` applies them. The text is
    ``json.dumps(card_objects(...), ensure_ascii=False, indent=2)`` and a newline."""
    binary: IO[bytes] | None = getattr(out, "buffer", None)
    if binary is not None:
        out.flush()
    write: Callable[[bytes], object] = binary.write if binary is not None else (lambda data: out.write(data.decode("utf-8")))
    written = 0
    write(b"[")
    for pieces in _selected(notes, guids, kinds=kinds, note=note, roots=roots):
        if not written:
            pieces[0] = pieces[0][1:]  # the first object has no comma before it
        written += len(pieces) // 2
        write(b"".join(pieces))
    write(b"\n]\n" if written else b"]\n")
    if binary is not None:
        binary.flush()
    return written


def view_objects(
    notes: Iterable[tuple[str, bytes]], guids: Iterable[str], *, kinds: Sequence[str] = (), note: str | None = None,
    roots: Sequence[Path] = (),
) -> Iterator[dict[str, Any]]:
    """The objects :func:`write_json` writes, one at a time (for the HTML pages)."""
    for pieces in _selected(notes, guids, kinds=kinds, note=note, roots=roots):
        for text, tail in zip(pieces[::2], pieces[1::2]):
            obj: dict[str, Any] = json.loads(text[1:] + tail)
            yield obj


def _file_uri(path: str, roots: Sequence[Path]) -> str:
    for root in roots:
        candidate = root / path
        if candidate.exists():
            return candidate.resolve().as_uri()
    return (roots[0] / path).resolve().as_uri() if roots else ""


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
