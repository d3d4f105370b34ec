"""Straight into the collection file while Anki is closed, with the official ``anki`` package.

The same importer as File › Import (``Collection.import_anki_package``), after Anki's
own backup of the collection (``create_backup``, into the profile's ``backups``
folder, where Anki's Preferences › Backups finds it). Anki holds its collection
locked while it runs: opening it then fails at once, before anything is written,
and the message points to AnkiConnect.

``anki`` is large and only direct mode needs it: it is the optional extra
``cards[anki]`` and is imported here, lazily.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..deck.ids import MODEL_IDS
from .ankiconnect import ADDON_CODE
from .contents import fingerprint
from .target import REFUSED, UNREACHABLE, AnkiCard, AnkiNote, DeliveryError

if TYPE_CHECKING:
    from anki.collection import Collection

MISSING_ANKI = (
    "direct mode needs the anki package: pip install 'cards[anki]' (or pip install anki); "
    f"or start Anki with the AnkiConnect add-on (code {ADDON_CODE})"
)
NO_ANKIWEB = "--ankiweb needs AnkiConnect: direct mode cannot sign in to AnkiWeb (Anki syncs when you open it next)"
QUEUE_SUSPENDED = -1


def _open(path: Path) -> Collection:
    try:
        from anki.collection import Collection
        from anki.errors import DBError
    except ImportError:
        raise DeliveryError(MISSING_ANKI) from None
    if not path.is_file():
        raise DeliveryError(
            f"no Anki collection at {path}: pass the collection.anki2 of a profile (--collection) or --profile NAME",
            UNREACHABLE,
        )
    try:
        return Collection(str(path))
    except DBError as exc:
        if "already open" in str(exc).lower() or "locked" in str(exc).lower():
            raise DeliveryError(
                f"the collection {path} is in use (Anki is open): close Anki and sync again, or deliver into the running "
                f"Anki through the AnkiConnect add-on (code {ADDON_CODE}; cards sync finds it by itself)",
                UNREACHABLE,
            ) from None
        raise DeliveryError(f"cannot open the collection {path}: {exc}", REFUSED) from None
    except Exception as exc:  # noqa: BLE001 - the anki package raises its own kinds; none may surface as a traceback
        raise DeliveryError(f"cannot open the collection {path}: {exc}", REFUSED) from None


class CollectionTarget:
    """The collection at ``path``, opened (and so locked against Anki) until :meth:`close`."""

    def __init__(self, path: Path, *, backups: Path | None = None) -> None:
        self.path = path.resolve()
        self.where = f"collection {path}"
        self.ankiweb = False  # signing in to AnkiWeb is the running Anki's job
        self.key = f"collection {self.path}"
        # a profile keeps its backups beside its collection, where Anki's own go
        self.backups = backups if backups is not None else self.path.parent / "backups"
        self.col = _open(self.path)

    def notes(self) -> list[AnkiNote]:
        db = self.col.db
        assert db is not None  # open until close()
        marks = ",".join(str(int(mid)) for mid in MODEL_IDS)
        names = {int(d.id): d.name for d in self.col.decks.all_names_and_ids()}
        cards: dict[int, list[AnkiCard]] = {}
        for cid, nid, did, queue in db.all(
            f"SELECT c.id, c.nid, c.did, c.queue FROM cards c JOIN notes n ON n.id = c.nid WHERE n.mid IN ({marks}) ORDER BY c.nid, c.ord"
        ):
            cards.setdefault(nid, []).append(AnkiCard(cid, names.get(did, ""), queue == QUEUE_SUSPENDED))
        notes = []
        for nid, guid, flds, tags in db.all(f"SELECT id, guid, flds, tags FROM notes WHERE mid IN ({marks})"):
            fields = flds.split("\x1f")
            notes.append(
                AnkiNote(nid, guid, fingerprint(fields), tuple(tags.split()), tuple(cards.get(nid, ())), fields[0])
            )
        return notes

    def before_import(self) -> str | None:
        self.backups.mkdir(parents=True, exist_ok=True)
        self.col.create_backup(backup_folder=str(self.backups), force=True, wait_for_completion=True)
        return f"backup in {self.backups}"

    def import_package(self, apkg: Path) -> None:
        from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

        try:
            self.col.import_anki_package(
                ImportAnkiPackageRequest(package_path=str(apkg.resolve()), options=ImportAnkiPackageOptions())
            )
        except Exception as exc:  # noqa: BLE001 - Anki's own refusal, said as such (the backup stays)
            raise DeliveryError(f"Anki could not import {apkg} into {self.path}: {exc}", REFUSED) from None

    def move(self, card_ids: Sequence[int], deck: str) -> None:
        from anki.cards import CardId

        did = self.col.decks.id(deck)  # the import made it; created if not
        assert did is not None
        self.col.set_deck([CardId(c) for c in card_ids], did)

    def suspend(self, card_ids: Sequence[int]) -> None:
        from anki.cards import CardId

        if card_ids:
            self.col.sched.suspend_cards([CardId(c) for c in card_ids])

    def unsuspend(self, card_ids: Sequence[int]) -> None:
        from anki.cards import CardId

        if card_ids:
            self.col.sched.unsuspend_cards([CardId(c) for c in card_ids])

    def add_tag(self, note_ids: Sequence[int], tag: str) -> None:
        from anki.notes import NoteId

        if note_ids:
            self.col.tags.bulk_add([NoteId(n) for n in note_ids], tag)

    def remove_tag(self, note_ids: Sequence[int], tag: str) -> None:
        from anki.notes import NoteId

        if note_ids:
            self.col.tags.bulk_remove([NoteId(n) for n in note_ids], tag)

    def delete_notes(self, note_ids: Sequence[int]) -> None:
        from anki.notes import NoteId

        if note_ids:
            self.col.remove_notes([NoteId(n) for n in note_ids])

    def sync_ankiweb(self) -> None:
        raise DeliveryError(NO_ANKIWEB, 2)

    def close(self) -> None:
        self.col.close()
