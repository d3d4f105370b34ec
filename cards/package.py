"""Cards -> .apkg with genanki (the only module that imports it).

Three things genanki does not do for us are done here: every note carries its own
modification time (newer exactly when its content changed, so Anki's default import
updates edited notes and leaves the rest alone); the zip has fixed entry times and a
stable order, so an unchanged rebuild gives the same bytes; and all decks are written
in one go, because genanki's per-deck rewrite of the deck table costs the square of
the number of decks.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from .atomic import atomic_file
from .ids import BASIC_MODEL_ID, CLOZE_MODEL_ID, deck_id
from .model import BASIC, CLOZE, Card
from .render import FIELD_NAMES, card_fields
from .templating import deck_css, model_templates

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: Note type names and template names are part of the released format: never change them.
MODEL_NAMES = {CLOZE: "cards: cloze", BASIC: "cards: basic"}
TEMPLATE_NAMES = {CLOZE: "Cloze", BASIC: "Card 1"}


def note_models(templates_dir: Path | None = None) -> dict[str, genanki.Model]:
    css = deck_css(templates_dir)
    models = {}
    for kind, model_id, model_type in ((CLOZE, CLOZE_MODEL_ID, genanki.Model.CLOZE), (BASIC, BASIC_MODEL_ID, genanki.Model.FRONT_BACK)):
        qfmt, afmt = model_templates(kind, templates_dir)
        models[kind] = genanki.Model(
            model_id,
            MODEL_NAMES[kind],
            fields=[{"name": name} for name in FIELD_NAMES[kind]],
            templates=[{"name": TEMPLATE_NAMES[kind], "qfmt": qfmt, "afmt": afmt}],
            css=css,
            model_type=model_type,
            sort_field_index=0,
        )
    return models


class _Note(genanki.Note):  # type: ignore[misc]
    """A genanki note that writes its own modification time, not the build's."""

    def __init__(self, *args: object, mod: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.mod = mod

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, deck_id: int, id_gen: Iterator[int]) -> None:
        super().write_to_db(cursor, self.mod, deck_id, id_gen)


def _all_decks(names: Sequence[str]) -> list[str]:
    """Every deck and its parents, so ``Vault::a::b`` never arrives without ``Vault``."""
    found: set[str] = set()
    for name in names:
        parts = name.split("::")
        found.update("::".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(found)


def write_apkg(
    cards: Sequence[Card],
    mods: Mapping[str, int],
    output: Path,
    *,
    media: Mapping[str, Path],
    templates_dir: Path | None = None,
) -> None:
    """Write the deck atomically: readers see the old file or the new one, never half of it."""
    models = note_models(templates_dir)
    timestamp = max(mods.values(), default=0) or 1
    ordered = sorted(cards, key=lambda c: (c.deck, c.source.path.as_posix(), c.source.line, c.guid))
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cards-") as tmp:
        db_path = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db_path)
        try:
            cursor = conn.cursor()
            cursor.executescript(APKG_SCHEMA)
            cursor.executescript(APKG_COL)
            decks = _all_decks([c.deck for c in ordered] or ["Default"])
            deck_json = json.loads(cursor.execute("SELECT decks FROM col").fetchone()[0])
            deck_json.update({str(deck_id(n)): genanki.Deck(deck_id(n), n).to_json() for n in decks})
            model_json = json.loads(cursor.execute("SELECT models FROM col").fetchone()[0])
            first = deck_id(decks[0])
            model_json.update({str(m.model_id): m.to_json(timestamp, first) for m in models.values()})
            cursor.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(deck_json, sort_keys=True), json.dumps(model_json, sort_keys=True)))
            id_gen = itertools.count(int(timestamp) * 1000)
            for position, card in enumerate(ordered):
                note = _Note(
                    model=models[card.model],
                    fields=list(card_fields(card).values()),
                    tags=list(card.tags),
                    guid=card.guid,
                    due=position,
                    mod=mods[card.guid],
                )
                note.write_to_db(cursor, timestamp, deck_id(card.deck), id_gen)
            conn.commit()
        finally:
            conn.close()
        _zip(db_path, media, output)


def _zip(db_path: Path, media: Mapping[str, Path], output: Path) -> None:
    with atomic_file(output) as handle:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            _add(archive, "collection.anki2", db_path.read_bytes())
            names = sorted(media)
            _add(archive, "media", json.dumps({str(i): n for i, n in enumerate(names)}).encode())
            for i, name in enumerate(names):
                _add(archive, str(i), media[name].read_bytes())


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)
