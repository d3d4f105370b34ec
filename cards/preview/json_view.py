"""Cards -> what a script reads before importing: the ``--json`` objects, and the filters.

The question and answer go through :mod:`cards.preview.faces`, the same rendering Anki applies
to our note types, so they are the ones Anki will show. The JSON objects
(:func:`card_objects`) are a documented, versioned interface (README, "Preview and the
JSON schema"); the terminal view for people lives in :mod:`cards.preview.terminal`.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fnmatch import fnmatch
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..deck.notetypes import note_type
from ..model import CLOZE, Card
from .faces import cloze_ordinals, render_faces, strip_html

if TYPE_CHECKING:
    from ..judge import Explained
from ..deck.render import card_fields

__all__ = [
    "JSON_KEYS",
    "JSON_VERSION",
    "card_objects",
    "file_uri",
    "resolved_uri",
    "note_uri",
    "note_view",
    "ordinals",
    "select",
    "source_uri",
    "view_objects",
    "view_texts",
    "write_json",
]

#: The JSON schema version; bump it only with a documented, breaking change.
JSON_VERSION = 1

#: Every key of a ``cards preview --json`` object and its JSON type or types (pinned by tests).
JSON_KEYS: Mapping[str, type | tuple[type, ...]] = {
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
    "score": (float, type(None)),
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
DROPPED_KEYS: Mapping[str, type | tuple[type, ...]] = {
    "kind": str,
    "source": dict,
    "source_link": str,
    "question": str,
    "answer": str,
    "rule": str,
    "reason": str,
    "score": (float, type(None)),
    "threshold": (float, type(None)),
    "weighed": list,
}


def dropped_objects(dropped: Iterable[Explained]) -> list[dict[str, Any]]:
    """The candidates the judge dropped, as ``--json --explain`` prints them."""
    return [
        {
            "kind": d.kind,
            "source": {"path": d.path, "line": d.line},
            "source_link": d.source_link,
            "question": d.front,
            "answer": d.answer,
            "rule": d.rule,
            "reason": d.reason,
            "score": _rounded(d.score),
            "threshold": d.threshold,
            "weighed": [[name, round(weight, 3)] for name, weight in d.weighed],
        }
        for d in dropped
    ]


def note_uri(card: Card, roots: Sequence[Path] = ()) -> str:
    """``file://`` URI of the note a card came from (the first root that holds it)."""
    return file_uri(card.source.path.as_posix(), roots)


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
        "score": _rounded(card.score),
    }


def _rounded(score: float | None) -> float | None:
    """A keep-probability as JSON shows it (3 decimals: what a threshold can tell apart)."""
    return None if score is None else round(score, 3)


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
# cache (a "view", pipeline/reading.py) and only the parts that are not a function of the
# note (the GUID, and a source link that names the vault's folder) are added as the
# list is written. The text is exactly what ``json.dumps(card_objects(...),
# ensure_ascii=False, indent=2)`` prints (tests/test_preview.py).

#: Deflate a view's body: a tenth of the bytes to keep, for a little time to read.
COMPRESS = False
_HEAD = struct.Struct("<I?")
#: Bytes of --json text gathered before one write.
_CHUNK = 1 << 20


def note_view(
    cards: Sequence[Card], guids: Sequence[str], *, uri: str = "", templates_dir: Path | None = None
) -> bytes:
    """One note's cards as the JSON preview prints them: their objects' text, each
    opened by ``,\\n`` (the list's first object drops the comma), after a head that
    gives each object's kind and end. ``uri``: the note's ``file://`` URI, the source
    link of a card without an obsidian:// link."""
    quote = encode_basestring  # json.dumps of one string, ensure_ascii=False, without its overhead
    kinds: list[tuple[str, int]] = []  # per Anki card: its kind, where its text ends
    body: list[bytes] = []
    at = 0
    for card, guid in zip(cards, guids, strict=True):
        fields = card_fields(card)
        tail = ',\n    "source_link": ' + quote(card.source_link or uri) + ',\n    "guid": ' + quote(guid) + "\n  }"
        for ordinal in ordinals(card):
            text = json.dumps(_object(card, fields, ordinal, templates_dir), ensure_ascii=False, indent=2)[:-2].replace(
                "\n", "\n  "
            )
            data = (",\n  " + text + tail).encode("utf-8")
            body.append(data)
            at += len(data)
            kinds.append((card.kind, at))
    if not kinds:
        return b""
    packed = b"".join(body)
    top = json.dumps(kinds, separators=(",", ":")).encode("ascii")  # data only: a view is read back from the cache
    return _HEAD.pack(len(top), COMPRESS) + top + (zlib.compress(packed, 1) if COMPRESS else packed)


def view_texts(view: bytes, kinds: Sequence[str] = ()) -> bytes:
    """The text of a note's Anki cards (those of ``kinds``, else all), each opened by ``,\\n``."""
    if not view:
        return b""
    size, packed = _HEAD.unpack_from(view)
    start = _HEAD.size + size
    body = zlib.decompress(view[start:]) if packed else view[start:]
    if not kinds:
        return body
    ends: list[tuple[str, int]] = json.loads(view[_HEAD.size : start])
    pieces, at = [], 0
    for kind, end in ends:
        if kind in kinds:
            pieces.append(body[at:end])
        at = end
    return b"".join(pieces)


def write_json(
    notes: Iterable[tuple[str, bytes]], out: IO[str], *, kinds: Sequence[str] = (), note: str | None = None
) -> int:
    """The ``--json`` list from each note's view (note path, :func:`note_view`), written
    as it goes; returns the bytes of objects written. The ``--kind`` and ``--note``
    filters apply as :func:`select` applies them. The text is
    ``json.dumps(card_objects(...), ensure_ascii=False, indent=2)`` and a newline."""
    binary: IO[bytes] | None = getattr(out, "buffer", None)
    if binary is not None:
        out.flush()
    write: Callable[[bytes], object] = (
        binary.write if binary is not None else (lambda data: out.write(data.decode("utf-8")))
    )
    written = 0
    held: list[bytes] = [b"["]  # written a megabyte at a time: a write per note cost a seventh of a warm preview
    size = 0
    for path, view in notes:
        if note and not (fnmatch(path, note) or fnmatch(path.rsplit("/", 1)[-1], note)):
            continue
        text = view_texts(view, kinds)
        if text:
            held.append(text[1:] if not written else text)  # the first object has no comma before it
            written += len(text)
            size += len(text)
            if size >= _CHUNK:
                write(b"".join(held))
                held, size = [], 0
    held.append(b"\n]\n" if written else b"]\n")
    write(b"".join(held))
    if binary is not None:
        binary.flush()
    return written


def view_objects(
    notes: Iterable[tuple[str, bytes]], *, kinds: Sequence[str] = (), note: str | None = None
) -> Iterator[dict[str, Any]]:
    """The objects :func:`write_json` writes, one at a time (for the HTML pages)."""
    for path, view in notes:
        if note and not (fnmatch(path, note) or fnmatch(path.rsplit("/", 1)[-1], note)):
            continue
        text = view_texts(view, kinds)
        if text:
            items: list[dict[str, Any]] = json.loads(b"[" + text[1:] + b"]")
            yield from items


def file_uri(path: str, roots: Sequence[Path]) -> str:
    """``file://`` URI of the note at vault-relative ``path`` (the first root that holds it).

    A link that loops (``ln -s a.md a.md``) has no resolved path: its own, made
    absolute, is given instead (it never raises)."""
    for root in roots:
        candidate = root / path
        if os.path.lexists(candidate):
            return resolved_uri(candidate)
    return resolved_uri(roots[0] / path) if roots else ""


def resolved_uri(path: Path) -> str:
    """``file://`` URI of ``path`` resolved, else (a loop of links) of ``path`` made absolute."""
    try:
        return path.resolve().as_uri()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path)).as_uri()


def select(
    cards: Iterable[Card], *, kinds: Sequence[str] = (), note: str | None = None, grep: str | None = None
) -> list[Card]:
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
