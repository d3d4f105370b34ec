"""What a built deck holds, read from the .apkg itself: each note's GUID, deck and fields.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..deck.ids import MODEL_IDS
from .target import DeliveryError, plain


def fingerprint(fields: Sequence[str]) -> str:
    """A note's fields in short: how a note is recognised through AnkiConnect, which
    does not tell GUIDs. NFC first, since Anki stores field text normalised so."""
    text = unicodedata.normalize("NFC", "\x1f".join(fields))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class DeckNote:
    guid: str
    deck: str | None  # None for a note that gives no card (Anki adds no card for it)
    fingerprint: str
    first: str = ""  # the first field

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


def read_deck(apkg: Path, digest: str | None = None) -> DeckContents:
    """The notes of our note types in ``apkg`` (whose :func:`file_digest` is ``digest``,
    if known); DeliveryError if it is not a deck."""
    try:
        with tempfile.TemporaryDirectory(prefix="cards-deliver-") as tmp:
            db = Path(tmp) / "collection.anki2"
            with zipfile.ZipFile(apkg) as archive, archive.open("collection.anki2") as packed, db.open("wb") as out:
                shutil.copyfileobj(packed, out, 1 << 20)
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                (decks_json,) = conn.execute("SELECT decks FROM col").fetchone()
                names = {int(did): deck["name"] for did, deck in json.loads(decks_json).items()}
                deck_of = dict(conn.execute("SELECT nid, min(did) FROM cards GROUP BY nid"))
                marks = ",".join("?" * len(MODEL_IDS))
                notes = {}
                for nid, guid, flds in conn.execute(
                    f"SELECT id, guid, flds FROM notes WHERE mid IN ({marks})", MODEL_IDS
                ):
                    fields = flds.split("\x1f")
                    notes[guid] = DeckNote(
                        guid, names.get(deck_of[nid]) if nid in deck_of else None, fingerprint(fields), fields[0]
                    )
            finally:
                conn.close()
    except (OSError, KeyError, ValueError, sqlite3.Error, zipfile.BadZipFile) as exc:
        raise DeliveryError(
            f"{apkg}: not a deck this tool can deliver ({exc}); build it again with cards build"
        ) from None
    return DeckContents(notes, digest or file_digest(apkg))
