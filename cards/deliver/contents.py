"""What a built deck holds, read from the .apkg itself: each note's GUID, deck, fields and tags.

Why the file and not the build's own data: the file is exactly what Anki will import
(a full build, a patched one or an untouched one alike), and the plan must describe
that, nothing else.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from sys import intern

from ..deck.notetypes import NOTE_TYPES
from .target import AnkiCard, AnkiNote, DeliveryError, plain

#: Our note types' field names by note type id: a note in Anki is read by these names,
#: so a field the user added to one of our note types is never taken for ours.
OUR_FIELDS: Mapping[int, tuple[str, ...]] = {kind.id: kind.fields for kind in NOTE_TYPES.values()}
#: Our note types' card templates (names) by note type id.
OUR_TEMPLATES: Mapping[int, tuple[str, ...]] = {
    kind.id: tuple(t.name for t in kind.templates) for kind in NOTE_TYPES.values()
}


def fingerprint(fields: Sequence[str]) -> str:
    """A note's fields (ours, in our order) in short: how a note is recognised through
    AnkiConnect, which does not tell GUIDs, and how a note's fields are compared with
    the deck's. NFC first, since Anki stores field text normalised so."""
    text = unicodedata.normalize("NFC", "\x1f".join(fields))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class DeckNote:
    guid: str
    deck: str | None  # None for a note that gives no card (Anki adds no card for it)
    fingerprint: str
    first: str = ""  # the first field
    model: int = 0  # note type id
    tags: tuple[str, ...] = ()
    mod: int = 0  # modification time in the deck

    @property
    def text(self) -> str:
        return plain(self.first)


@dataclass(frozen=True, slots=True)
class DeckContents:
    notes: Mapping[str, DeckNote]  # by GUID
    digest: str  # sha256 of the .apkg: "this very deck"

    @property
    def decks(self) -> frozenset[str]:
        return frozenset(n.deck for n in self.notes.values() if n.deck is not None)


def file_digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


@contextmanager
def unpacked(apkg: Path) -> Iterator[Path]:
    """The deck's collection file, copied out of the .apkg into a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="cards-deliver-") as tmp:
        db = Path(tmp) / "collection.anki2"
        with zipfile.ZipFile(apkg) as archive, archive.open("collection.anki2") as packed, db.open("wb") as out:
            shutil.copyfileobj(packed, out, 1 << 20)
        yield db


def read_deck(apkg: Path, digest: str | None = None) -> DeckContents:
    """The notes of our note types in ``apkg`` (whose :func:`file_digest` is ``digest``,
    if known); DeliveryError if it is not a deck."""
    try:
        with unpacked(apkg) as db:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                notes = _notes(conn)
            finally:
                conn.close()
    except (OSError, KeyError, ValueError, sqlite3.Error, zipfile.BadZipFile) as exc:
        raise DeliveryError(
            f"{apkg}: not a deck this tool can deliver ({exc}); build it again with cards build"
        ) from None
    return DeckContents(notes, digest or file_digest(apkg))


def _notes(conn: sqlite3.Connection) -> dict[str, DeckNote]:
    (decks_json,) = conn.execute("SELECT decks FROM col").fetchone()
    names = {int(did): deck["name"] for did, deck in json.loads(decks_json).items()}
    deck_of = dict(conn.execute("SELECT nid, min(did) FROM cards GROUP BY nid"))
    marks = ",".join("?" * len(OUR_FIELDS))
    notes = {}
    for nid, guid, mid, mod, tags, flds in conn.execute(
        f"SELECT id, guid, mid, mod, tags, flds FROM notes WHERE mid IN ({marks})", tuple(OUR_FIELDS)
    ):
        fields = flds.split("\x1f")
        notes[guid] = DeckNote(
            guid,
            names.get(deck_of[nid]) if nid in deck_of else None,
            fingerprint(fields),
            fields[0],
            mid,
            tuple(intern(t) for t in tags.split()),
            mod,
        )
    return notes


def ours(model: int, fields: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """The values of our fields of a note of note type ``model``, in our order, read by
    name ("" for one of ours the note type lacks)."""
    names = OUR_FIELDS.get(model, ())
    if len(fields) == len(names) and all(have == name for (have, _), name in zip(fields, names)):
        return tuple(value for _, value in fields)  # the usual case: the note type as we made it
    by_name = dict(fields)
    return tuple(by_name.get(name, "") for name in names)


def anki_note(
    note_id: int,
    guid: str | None,
    model: int,
    fields: Sequence[tuple[str, str]],
    tags: Sequence[str],
    cards: Sequence[AnkiCard],
    mod: int | None = None,
) -> AnkiNote:
    """An :class:`AnkiNote` from what Anki holds, fingerprinted by our fields only."""
    mine = ours(model, fields)
    return AnkiNote(
        note_id,
        guid,
        fingerprint(mine),
        tuple(tags),
        tuple(cards),
        mine[0] if mine else "",
        model,
        tuple(fields),
        mod,
    )
