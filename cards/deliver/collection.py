"""Straight into the collection file while Anki is closed, with the official ``anki`` package.

The same importer as File › Import (``Collection.import_anki_package``), with the
options the AnkiConnect add-on's ``importPackage`` uses (:data:`IMPORT_OPTIONS`), so
that both ways in treat the same package alike, after Anki's own backup of the
collection (``create_backup``, into the profile's ``backups`` folder, where Anki's
Preferences › Backups finds it). Anki holds its collection locked while it runs:
opening it then fails at once, before anything is written, and the message points to
AnkiConnect.

``anki`` is large and only direct mode needs it: it is the optional extra
``cards[anki]`` and is imported here, lazily.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..deck.ids import MODEL_IDS
from .ankiconnect import ADDON_CODE
from .contents import anki_note
from .target import REFUSED, UNREACHABLE, AnkiCard, AnkiNote, DeliveryError, Shape

if TYPE_CHECKING:
    from anki.collection import Collection

MISSING_ANKI = (
    "direct mode needs the anki package: pip install 'cards[anki]' (or pip install anki); "
    f"or start Anki with the AnkiConnect add-on (code {ADDON_CODE})"
)
NO_ANKIWEB = "--ankiweb needs AnkiConnect: direct mode cannot sign in to AnkiWeb (Anki syncs when you open it next)"
QUEUE_SUSPENDED = -1
#: ``ImportAnkiPackageOptions`` as the AnkiConnect add-on's importPackage sets them (its
#: AnkiPackageImporter: merge note types, with scheduling and deck options; notes are
#: updated when the package's are newer). Why those of the add-on: it cannot be told
#: others, and both ways in must treat one package alike. ``with_scheduling`` matters
#: beyond that: without it Anki's importer drops the ``marked`` and ``leech`` tags of
#: the notes it updates.
IMPORT_OPTIONS: Mapping[str, bool] = MappingProxyType(
    {"merge_notetypes": True, "with_scheduling": True, "with_deck_configs": True}
)


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
                f"the collection {path} is in use (Anki is open): close Anki and sync again, or deliver into the "
                f"running "
                f"Anki through the AnkiConnect add-on (code {ADDON_CODE}; cards sync finds it by itself)",
                UNREACHABLE,
            ) from None
        raise DeliveryError(f"cannot open the collection {path}: {exc}", REFUSED) from None
    except Exception as exc:  # noqa: BLE001 - the anki package raises its own kinds; none may surface as a traceback
        raise DeliveryError(f"cannot open the collection {path}: {exc}", REFUSED) from None


class CollectionTarget:
    """The collection at ``path``, opened (and so locked against Anki) until :meth:`close`."""

    by_guid = True

    def __init__(self, path: Path, *, backups: Path | None = None) -> None:
        self.path = path.resolve()
        self.where = f"collection {path}"
        self.ankiweb = False  # signing in to AnkiWeb is the running Anki's job
        self.key = f"collection {self.path}"
        # a profile keeps its backups beside its collection, where Anki's own go
        self.backups = backups if backups is not None else self.path.parent / "backups"
        self.col = _open(self.path)

    @property
    def _db(self) -> Any:
        db = self.col.db
        assert db is not None  # open until close()
        return db

    def _field_names(self) -> dict[int, list[str]]:
        names = {}
        for mid in MODEL_IDS:
            model = self.col.models.get(mid)  # type: ignore[arg-type]
            if model is not None:
                names[mid] = [f["name"] for f in model["flds"]]
        return names

    def notes(self, ids: Sequence[int] | None = None) -> list[AnkiNote]:
        marks = ",".join(str(int(mid)) for mid in MODEL_IDS)
        only = f" AND n.id IN ({','.join(str(int(i)) for i in ids)})" if ids is not None else ""
        if ids is not None and not ids:
            return []
        decks = {int(d.id): d.name for d in self.col.decks.all_names_and_ids()}
        cards: dict[int, list[AnkiCard]] = {}
        for cid, nid, did, queue in self._db.all(
            "SELECT c.id, c.nid, c.did, c.queue FROM cards c JOIN notes n ON n.id = c.nid "
            f"WHERE n.mid IN ({marks}){only} ORDER BY c.nid, c.ord"
        ):
            cards.setdefault(nid, []).append(AnkiCard(cid, decks.get(did, ""), queue == QUEUE_SUSPENDED))
        names = self._field_names()
        notes = []
        for nid, guid, mid, mod, flds, tags in self._db.all(
            f"SELECT n.id, n.guid, n.mid, n.mod, n.flds, n.tags FROM notes n WHERE n.mid IN ({marks}){only}"
        ):
            fields = list(zip(names.get(mid, ()), flds.split("\x1f")))
            notes.append(anki_note(nid, guid, mid, fields, tags.split(), cards.get(nid, ()), mod))
        return notes

    def guids(self, ids: Sequence[int]) -> dict[int, str] | None:
        found: dict[int, str] = {}
        for start in range(0, len(ids), 10_000):
            chunk = ",".join(str(int(i)) for i in ids[start : start + 10_000])
            found.update(self._db.all(f"SELECT id, guid FROM notes WHERE id IN ({chunk})"))
        return found

    def note_ids(self) -> list[int]:
        marks = ",".join(str(int(mid)) for mid in MODEL_IDS)
        return [int(n) for n in self._db.list(f"SELECT id FROM notes WHERE mid IN ({marks})")]

    def shapes(self) -> dict[int, Shape]:
        found = {}
        for mid in MODEL_IDS:
            model = self.col.models.get(mid)  # type: ignore[arg-type]
            if model is not None:
                found[mid] = Shape(
                    tuple(f["name"] for f in model["flds"]),
                    tuple((t["name"], t["qfmt"], t["afmt"]) for t in model["tmpls"]),
                )
        return found

    def decks(self) -> set[str]:
        return {d.name for d in self.col.decks.all_names_and_ids()}

    def retired_in_play(self, tag: str) -> bool:
        marks = ",".join(str(int(mid)) for mid in MODEL_IDS)
        return bool(
            self._db.scalar(
                f"SELECT 1 FROM cards c JOIN notes n ON n.id = c.nid WHERE n.mid IN ({marks}) "
                f"AND c.queue != {QUEUE_SUSPENDED} AND n.tags LIKE ? ESCAPE '\\' LIMIT 1",
                "% " + tag.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + " %",
            )
        )

    def before_import(self) -> str | None:
        self.backups.mkdir(parents=True, exist_ok=True)
        self.col.create_backup(backup_folder=str(self.backups), force=True, wait_for_completion=True)
        return f"backup in {self.backups}"

    def import_package(self, apkg: Path) -> None:
        from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

        try:
            self.col.import_anki_package(
                ImportAnkiPackageRequest(
                    package_path=str(apkg.resolve()),
                    options=ImportAnkiPackageOptions(
                        merge_notetypes=IMPORT_OPTIONS["merge_notetypes"],
                        with_scheduling=IMPORT_OPTIONS["with_scheduling"],
                        with_deck_configs=IMPORT_OPTIONS["with_deck_configs"],
                    ),
                )
            )
        except Exception as exc:  # noqa: BLE001 - Anki's own refusal, said as such (the backup stays)
            raise DeliveryError(f"Anki could not import {apkg} into {self.path}: {exc}", REFUSED) from None

    def update_note(self, note_id: int, fields: Mapping[str, str], tags: Sequence[str]) -> None:
        from anki.notes import NoteId

        note = self.col.get_note(NoteId(note_id))
        for name, value in fields.items():
            if name in note:
                note[name] = value
        note.tags = list(tags)
        self.col.update_note(note)

    def store_media(self, name: str, data: bytes) -> None:
        self.col.media.write_data(name, data)

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

    def remove_empty_deck(self, name: str) -> bool:
        from anki.decks import DeckId

        did = self.col.decks.id_for_name(name)
        if did is None or did == 1 or self.col.decks.is_filtered(did) or self.col.decks.children(DeckId(did)):
            return False
        if self._db.scalar("SELECT 1 FROM cards WHERE did = ? OR odid = ? LIMIT 1", did, did):
            return False
        self.col.decks.remove([DeckId(did)])
        return True

    def refresh(self) -> None:
        pass  # nothing shows a closed collection

    def signed_in(self) -> bool | None:
        return None

    def sync_ankiweb(self) -> None:
        raise DeliveryError(NO_ANKIWEB, 2)

    def close(self) -> None:
        self.col.close()
