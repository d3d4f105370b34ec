"""Cards -> .apkg with genanki (the only module that imports it).

Three things genanki does not do for us are done here: every note carries its own
modification time (newer exactly when its content changed, so Anki's default import
updates edited notes and leaves the rest alone); the zip has fixed entry times and a
stable order, so an unchanged rebuild gives the same bytes; and all decks are written
in one go, because genanki's per-deck rewrite of the deck table costs the square of
the number of decks.
"""

from __future__ import annotations

import errno
import json
import re
import sqlite3
import tempfile
import zlib
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from ..atomic import Staged, sha256_file, staged_file
from ..errors import WriteError, cannot_write
from .ids import deck_id
from .notetypes import NOTE_TYPES
from .rows import Row, cloze_ords
from .templating import deck_css, model_templates
from .zipping import Deflated, Reuse, ZipWriter

# genanki's schema, split: tables first, indexes once the rows are in.
_TABLES = "\n".join(line for line in APKG_SCHEMA.splitlines() if not line.lstrip().upper().startswith("CREATE INDEX"))
_INDEXES = "\n".join(line for line in APKG_SCHEMA.splitlines() if line.lstrip().upper().startswith("CREATE INDEX"))
#: Image formats that are compressed already: packaged as they are (deflating a vault's
#: photos again costs seconds on every build and saves nothing).
COMPRESSED_IMAGES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif"})


@dataclass(frozen=True, slots=True)
class Written:
    """A deck written in full beside its place, not yet in it (``staged``: the caller
    puts it there together with its state, atomic.replace_together), its sha256, and
    where its collection's deflated slices sit (the next build's zipping.Reuse)."""

    staged: Staged
    digest: str
    deflated: Deflated


class DamagedCollection(Exception):
    """The kept collection a patch starts from is not what was written (bit rot, a
    damaged page): the caller builds the deck in full, which makes it anew."""


def note_models(templates_dir: Path | None = None) -> dict[str, genanki.Model]:
    """Our note types (notetypes.py) as genanki models, with the card faces and CSS."""
    css = deck_css(templates_dir)
    models = {}
    for key, kind in NOTE_TYPES.items():
        templates = []
        for number, template in enumerate(kind.templates):
            qfmt, afmt = model_templates(key, templates_dir, number)
            templates.append({"name": template.name, "qfmt": qfmt, "afmt": afmt})
        models[key] = genanki.Model(
            kind.id,
            kind.name,
            fields=[{"name": name} for name in kind.fields],
            templates=templates,
            css=css,
            model_type=genanki.Model.CLOZE if kind.cloze else genanki.Model.FRONT_BACK,
            sort_field_index=0,
        )
    return models


def _all_decks(names: Iterable[str]) -> list[str]:
    """Every deck and its parents, so ``Vault::a::b`` never arrives without ``Vault``."""
    found: set[str] = set()
    for name in set(names):
        parts = name.split("::")
        found.update("::".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(found)


def write_rows(
    rows: Sequence[Row],
    guids: Sequence[str],
    mods: Mapping[str, int],
    output: Path,
    *,
    media: Mapping[str, Path],
    templates_dir: Path | None = None,
    rows_in: Callable[[], object] | None = None,
    fields: Callable[[int], tuple[str, ...]] | None = None,
    keep_db: Path | None = None,
) -> Written:
    """Write the deck in full beside ``output`` (:class:`Written`: the caller puts it in
    place, so readers see the old file or the new one, never half of it).

    ``rows_in`` is called once every row is inserted: what remains (the indexes, the
    zip) runs in sqlite and zlib, which release the GIL, so a caller writing in a
    thread can do its own Python work from then on without slowing the deck down.

    The rows go straight into genanki's schema with the ids and values genanki's
    ``Note.write_to_db`` would give them, in the same order, without a genanki Note per
    card. The indexes are built after the rows and the zip uses deflate level 1 (both
    for speed), so the bytes differ from genanki's file but not between builds: the
    same rows, GUIDs and times give the same deck.

    ``fields(i)`` gives row i's Anki fields when the rows come without them (a build
    holds light rows, see collect.Collected); it is asked once per row, in deck order.
    ``keep_db``: build the collection at this path and leave it there (the cache keeps
    it for :func:`patch_rows`), instead of in a temporary folder.
    """
    models = note_models(templates_dir)
    timestamp = max(mods.values(), default=0) or 1
    order = deck_order(rows, guids)
    output.parent.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        if keep_db is None:
            db_path = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cards-"))) / "collection.anki2"
        else:
            db_path = keep_db
            db_path.unlink(missing_ok=True)
        with _collection_writes(db_path):
            conn = sqlite3.connect(db_path)
        try:
            cursor = conn.cursor()
            _scratch(cursor)
            cursor.executescript(_TABLES)
            cursor.executescript(APKG_COL)
            _set_col(cursor, [r.deck for r in rows], models, timestamp)
            _insert(
                cursor,
                rows,
                guids,
                mods,
                order,
                models,
                first_id=int(timestamp) * 1000,
                fields=fields or (lambda i: rows[i].fields),
            )
            if rows_in is not None:
                rows_in()
            cursor.executescript(_INDEXES)  # built once, after the rows: a third of the insert time
            conn.commit()
        except sqlite3.OperationalError as exc:
            raise _write_error(db_path, exc) from exc
        finally:
            conn.close()
        return _zip(db_path, media, output)


def patch_rows(
    db: Path,
    scratch: Path,
    output: Path,
    *,
    remove: Collection[str],
    rows: Sequence[Row],
    guids: Sequence[str],
    mods: Mapping[str, int],
    decks: Iterable[str],
    media: Mapping[str, Path],
    templates_dir: Path | None = None,
    fields: Callable[[int], tuple[str, ...]] | None = None,
    deflated: Deflated | None = None,
) -> Written:
    """The next deck from the last one's collection ``db``: its notes with the GUIDs
    ``remove`` go, ``rows`` come in, and the zip is written beside ``output``
    (:class:`Written`, not yet in place). ``deflated`` (where the last deck holds its
    collection's slices) also gives the CRC-32 the kept collection had when it was
    written: ``db`` is checked against it as it is copied, and a collection damaged
    since raises :class:`DamagedCollection` (its damage is never copied into a deck).

    Why: when one note of 10,000 changed, inserting 170,000 notes again cost seconds;
    copying the collection and changing a few rows costs a tenth of a second. The
    collection is patched in ``scratch`` (a copy; ``db`` stays as it was, so a failed
    patch leaves nothing half-done) which the caller keeps as the next ``db``.

    The deck holds what :func:`write_rows` would write for the same cards: the same
    notes by GUID (fields, tags, note type, modification time), the same cards (deck,
    ordinal), decks ``decks`` (every deck a note is in) and note types. Only ids and new
    cards' positions differ: the new notes get ids above the collection's highest and
    positions after its last. Anki matches notes by GUID, and keeps an existing card's
    position, so neither shows in Anki.
    """
    models = note_models(templates_dir)
    order = deck_order(rows, guids)
    with _collection_writes(scratch):
        crc = _copy(db, scratch)
        if deflated is not None and deflated.crc and crc != deflated.crc:
            scratch.unlink(missing_ok=True)
            raise DamagedCollection(f"{db}: its CRC-32 is {crc:08x}, {deflated.crc:08x} when it was written")
        conn = sqlite3.connect(scratch)
    try:
        cursor = conn.cursor()
        _scratch(cursor)
        cursor.execute("CREATE TEMP TABLE gone (guid TEXT PRIMARY KEY)")
        cursor.executemany("INSERT OR IGNORE INTO gone VALUES (?)", ((g,) for g in remove))
        cursor.execute("DELETE FROM cards WHERE nid IN (SELECT id FROM notes WHERE guid IN (SELECT guid FROM gone))")
        cursor.execute("DELETE FROM notes WHERE guid IN (SELECT guid FROM gone)")
        top = max(_one(cursor, "SELECT max(id) FROM notes") or 0, _one(cursor, "SELECT max(id) FROM cards") or 0)
        last = _one(cursor, "SELECT max(due) FROM cards")
        newest = max(mods.values(), default=0)
        _insert(
            cursor,
            rows,
            guids,
            mods,
            order,
            models,
            first_id=max(top + 1, newest * 1000),
            fields=fields or (lambda i: rows[i].fields),
            first_due=0 if last is None else last + 1,
        )
        _set_col(cursor, decks, models, _one(cursor, "SELECT max(mod) FROM notes") or 1)
        conn.commit()
    except sqlite3.OperationalError as exc:
        raise _write_error(scratch, exc) from exc
    except sqlite3.DatabaseError as exc:  # "database disk image is malformed": not ours to fix here
        conn.close()
        scratch.unlink(missing_ok=True)
        raise DamagedCollection(f"{db}: {exc}") from exc
    finally:
        conn.close()
    # ``deflated``: where the last deck (``output``, made from ``db``) holds its slices
    return _zip(scratch, media, output, Reuse(db, output, deflated) if deflated is not None else None)


def deck_order(rows: Sequence[Row], guids: Sequence[str]) -> list[int]:
    """The rows' indexes in the order their notes go into the deck: by deck, note path,
    line, GUID.

    Why not one sort of every row: the 170,000 sort keys of a 10,000-note deck held
    ~20 MiB at the build's peak. A note's rows sit together and share a deck, so the
    notes are sorted, then each note's few rows; rows that do not fit that shape are
    sorted one by one, as before.
    """
    runs: list[tuple[str, str, int, int]] = []  # (deck, path, start, end)
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i].path != rows[start].path:
            runs.append((rows[start].deck, rows[start].path, start, i))
            start = i
    if len({path for _, path, _, _ in runs}) != len(runs) or any(
        rows[i].deck != deck for deck, _, a, b in runs for i in range(a, b)
    ):
        return sorted(range(len(rows)), key=lambda i: (rows[i].deck, rows[i].path, rows[i].line, guids[i]))
    order: list[int] = []
    for _, _, a, b in sorted(runs):
        order.extend(sorted(range(a, b), key=lambda i: (rows[i].line, guids[i])))
    return order


def _write_error(path: Path, exc: sqlite3.Error) -> WriteError:
    """sqlite's "database or disk is full" and the like, as the OSError they stand for."""
    text = str(exc)
    code = (
        errno.ENOSPC
        if "full" in text
        else errno.EROFS
        if "readonly" in text
        else errno.EACCES
        if "unable to open" in text
        else errno.EIO
    )
    return cannot_write(path, OSError(code, text))


@contextmanager
def _collection_writes(path: Path) -> Iterator[None]:
    """Making the deck's collection at ``path``: a failure is errors.WriteError naming it."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise _write_error(path, exc) from exc
    except OSError as exc:
        raise cannot_write(path, exc) from exc


def _one(cursor: sqlite3.Cursor, sql: str) -> Any:
    return cursor.execute(sql).fetchone()[0]


def _scratch(cursor: sqlite3.Cursor) -> None:
    # A scratch file: no journal, no fsync (neither changes what the file holds).
    cursor.execute("PRAGMA journal_mode = OFF")
    cursor.execute("PRAGMA synchronous = OFF")
    # 4 MiB of page cache: rows go in in id order (appends), and the indexes are
    # built once at the end; 16 or 64 MiB built the 10,000-note deck no faster, and
    # those pages sat on top of the build's peak memory.
    cursor.execute("PRAGMA cache_size = -4096")


@lru_cache(maxsize=1)
def _base_col() -> tuple[str, str]:
    """The decks and note types JSON of genanki's empty collection."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(_TABLES)
        conn.executescript(APKG_COL)
        decks, models = conn.execute("SELECT decks, models FROM col").fetchone()
        return decks, models
    finally:
        conn.close()


def _set_col(cursor: sqlite3.Cursor, names: Iterable[str], models: Mapping[str, genanki.Model], timestamp: int) -> None:
    """The collection's decks (``names`` and their parents) and note types."""
    decks = _all_decks(list(names) or ["Default"])
    base_decks, base_models = _base_col()
    deck_json = json.loads(base_decks)
    deck_json.update({str(deck_id(n)): genanki.Deck(deck_id(n), n).to_json() for n in decks})
    model_json = json.loads(base_models)
    first = deck_id(decks[0])
    model_json.update({str(m.model_id): m.to_json(timestamp, first) for m in models.values()})
    cursor.execute(
        "UPDATE col SET decks = ?, models = ?",
        (json.dumps(deck_json, sort_keys=True), json.dumps(model_json, sort_keys=True)),
    )


def _insert(
    cursor: sqlite3.Cursor,
    rows: Sequence[Row],
    guids: Sequence[str],
    mods: Mapping[str, int],
    order: Sequence[int],
    models: Mapping[str, genanki.Model],
    *,
    first_id: int,
    fields: Callable[[int], tuple[str, ...]],
    first_due: int = 0,
) -> None:
    """genanki's rows: per note its ``notes`` row, then one ``cards`` row per card ordinal.

    Ids come from one counter in that order; ``due`` is the note's position; the
    note's own modification time goes on the note and its cards. Two ``executemany``
    over generators: sqlite binds each row in C, and no list of 170,000 tuples is held.
    The notes pass is the only one that reads ``fields`` (it also counts each note's
    card ordinals for the ids), so a row's fields are needed once and briefly.
    """
    for index in order:
        for tag in rows[index].tags:
            if " " in tag:  # genanki refuses these too
                raise ValueError(f'Tag "{tag}" contains a space; this is not allowed!')
    ords_of = {kind: _ords(model) for kind, model in models.items()}
    model_ids = {kind: model.model_id for kind, model in models.items()}
    deck_ids = {name: deck_id(name) for name in {rows[i].deck for i in order}}
    note_ids = array("q")
    card_ords: list[tuple[int, ...]] = []
    shared: dict[tuple[int, ...], tuple[int, ...]] = {}  # one object per distinct tuple

    def notes() -> Iterator[tuple[object, ...]]:
        next_id = first_id  # the counter: a note's id, then one per card of it
        for index in order:
            row, guid, values = rows[index], guids[index], fields(index)
            ords = tuple(ords_of[row.model](row, values))
            note_ids.append(next_id)
            card_ords.append(shared.setdefault(ords, ords))
            yield (
                next_id,
                guid,
                model_ids[row.model],
                mods[guid],
                -1,
                " " + " ".join(row.tags) + " ",
                "\x1f".join(values),
                values[0],
                0,
                0,
                "",
            )
            next_id += 1 + len(ords)

    def cards() -> Iterator[tuple[object, ...]]:
        for position, (note_id, index, ords) in enumerate(zip(note_ids, order, card_ords)):
            row = rows[index]
            mod, did = mods[guids[index]], deck_ids[row.deck]
            for offset, ord_ in enumerate(ords, 1):
                yield (
                    note_id + offset,
                    note_id,
                    did,
                    ord_,
                    mod,
                    -1,
                    0,
                    0,
                    first_due + position,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    "",
                )

    cursor.executemany("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);", notes())
    cursor.executemany("INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);", cards())


def _ords(model: genanki.Model) -> Callable[[Row, Sequence[str]], Sequence[int]]:
    """Card ordinals of a note of ``model``, as genanki's ``Note.cards`` gives them."""
    if model.model_type == genanki.Model.FRONT_BACK:
        req = [(card_ord, any if how == "any" else all, tuple(need)) for card_ord, how, need in model._req]
        return lambda row, fields: [o for o, op, need in req if op(fields[i] for i in need)]
    qfmt = model.templates[0]["qfmt"]
    names = set(re.findall(r"{{[^}]*?cloze:(?:[^}]?:)*(.+?)}}", qfmt) + re.findall("<%cloze:(.+?)%>", qfmt))
    indexes = [next((i for i, f in enumerate(model.fields) if f["name"] == name), -1) for name in names]
    if indexes == [0]:
        return lambda row, fields: list(row.ords)  # worked out in the worker, for a Text-field cloze
    return lambda row, fields: list(cloze_ords(*(fields[i] if i >= 0 else "" for i in indexes)))


def _zip(db_path: Path, media: Mapping[str, Path], output: Path, reuse: Reuse | None = None) -> Written:
    """The .apkg, written beside ``output``: the collection, the media index, the media;
    its sha256, and where the collection's deflated slices sit in it (for the next
    build's ``reuse``)."""
    with staged_file(output) as staged:
        assert staged.handle is not None
        archive = ZipWriter(staged.handle)
        deflated = archive.add_file("collection.anki2", db_path, reuse=reuse)
        names = sorted(media)
        archive.add_bytes("media", json.dumps({str(i): n for i, n in enumerate(names)}).encode())
        for i, name in enumerate(names):
            archive.add_bytes(str(i), media[name].read_bytes(), store=Path(name).suffix.lower() in COMPRESSED_IMAGES)
        archive.close()
    try:
        digest = sha256_file(staged.tmp)  # read back from the page cache: what is on disk
    except OSError as exc:
        staged.discard()
        raise cannot_write(output, exc) from exc
    return Written(staged, digest, deflated)


def _copy(source: Path, target: Path) -> int:
    """Copy a file, a MiB at a time; the CRC-32 of its bytes (checked on the way: the
    copy reads every byte anyway)."""
    crc = 0
    with source.open("rb") as src, target.open("wb") as dst:
        while block := src.read(1 << 20):
            crc = zlib.crc32(block, crc)
            dst.write(block)
    return crc
