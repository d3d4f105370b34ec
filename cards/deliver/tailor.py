"""The package one delivery imports: the deck cut and fitted to what this Anki holds.

Why not the deck as it is: Anki's importer replaces an updated note's tags and every
one of its fields (the ``marked`` tag, a leech tag, a field the user added to our note
type: all lost), passes over a note whose modification time in Anki is newer than the
deck's (a note the user marked or tagged after the build), and answers a note type to
which the user added a field with a copy of it (``cards: basic+``) or a merge that
empties that field. So the package holds only the notes this delivery adds or
changes, each as it must end up: our fields from the deck, the user's added fields
and tags as Anki holds them, and a modification time newer than Anki's; and our note
types as the user's Anki has them (their added fields and templates, our templates
and styling). Both ways in import it with the same options and get the same result.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .contents import OUR_FIELDS, OUR_TEMPLATES, fingerprint, unpacked
from .reconcile import Update
from .target import Shape

#: What a field refers to in the media folder (our cards show images only).
_MEDIA_REF = re.compile(r"""<img[^>]*?\ssrc=["']([^"']+)["']|\[sound:([^\]]+)\]""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Wanted:
    """What a note must hold once delivered."""

    fingerprint: str  # of our fields (contents.fingerprint; "" for one its note type lacks)
    tags: tuple[str, ...]
    fields: Mapping[str, str]  # our fields, by name, that its note type has


def import_path(output: Path) -> Path:
    """Where the package for ``output``'s delivery is written, beside the deck: a path
    the running Anki can read whenever it can read the deck (a sandboxed Anki may not
    see the system's temporary folder)."""
    return output.with_name(output.name + ".cards-import.apkg")


def reshaped(shapes: Mapping[int, Shape]) -> dict[int, Shape]:
    """Our note types whose fields or templates the user changed in Anki."""
    return {
        mid: shape
        for mid, shape in shapes.items()
        if mid in OUR_FIELDS
        and (shape.fields != OUR_FIELDS[mid] or tuple(t for t, _, _ in shape.templates) != OUR_TEMPLATES[mid])
    }


def referenced(fields: str) -> set[str]:
    """The media names a note's fields (joined) refer to."""
    return {a or b for a, b in _MEDIA_REF.findall(fields)}


def write_package(
    apkg: Path,
    target: Path,
    *,
    add: Collection[str],
    updates: Mapping[str, Update],
    shapes: Mapping[int, Shape],
    now: int,
) -> dict[str, Wanted]:
    """Write to ``target`` the package that adds the GUIDs ``add`` and applies
    ``updates`` (see the module doc); ``shapes`` are our note types in Anki, ``now``
    the modification time an updated note gets at least. Returns, per GUID, what each
    note must hold, for the check afterwards (verify.py)."""
    reshape = reshaped(shapes)
    with unpacked(apkg) as db, zipfile.ZipFile(apkg) as source:
        conn = sqlite3.connect(db)
        try:
            wanted = _trim(conn, add, updates, reshape, now)
            _fit_note_types(conn, reshape)
            conn.commit()
            conn.execute("VACUUM")
        finally:
            conn.close()
        names = json.loads(source.read("media") or b"{}")
        used = {ref for want in wanted.values() for value in want.fields.values() for ref in referenced(value)}
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            out.write(db, "collection.anki2")
            kept = {key: name for key, name in names.items() if name in used}
            out.writestr("media", json.dumps(kept))
            for key in kept:
                out.writestr(key, source.read(key), zipfile.ZIP_STORED)
    return wanted


def _trim(
    conn: sqlite3.Connection,
    add: Collection[str],
    updates: Mapping[str, Update],
    reshape: Mapping[int, Shape],
    now: int,
) -> dict[str, Wanted]:
    """Leave only the notes to add or update, each as it must end up in Anki."""
    conn.execute("CREATE TEMP TABLE keep (guid TEXT PRIMARY KEY)")
    conn.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((g,) for g in (*add, *updates)))
    conn.execute("DELETE FROM cards WHERE nid IN (SELECT id FROM notes WHERE guid NOT IN (SELECT guid FROM keep))")
    conn.execute("DELETE FROM notes WHERE guid NOT IN (SELECT guid FROM keep)")
    wanted: dict[str, Wanted] = {}
    rows = conn.execute("SELECT id, guid, mid, mod, tags, flds FROM notes").fetchall()
    for nid, guid, mid, mod, tags, flds in rows:
        deck_fields = dict(zip(OUR_FIELDS.get(mid, ()), flds.split("\x1f")))
        update = updates.get(guid)
        if update is None:
            names = reshape[mid].fields if mid in reshape else OUR_FIELDS.get(mid, ())
            fields = {name: deck_fields.get(name, "") for name in names}
            note_tags = tuple(tags.split())
        else:
            held = update.note
            fields = dict(held.fields)  # every field as Anki holds it, in its order
            if update.fields:
                fields.update((name, value) for name, value in deck_fields.items() if name in fields)
            note_tags = update.tags
            mod = max(mod, now, (held.mod or 0) + 1)  # newer than Anki's: the importer takes it
        mine = {name: fields[name] for name in OUR_FIELDS.get(mid, ()) if name in fields}
        print_ = fingerprint(tuple(mine.get(name, "") for name in OUR_FIELDS.get(mid, ())))
        wanted[guid] = Wanted(print_, note_tags, mine)
        conn.execute(
            "UPDATE notes SET flds = ?, sfld = ?, tags = ?, mod = ? WHERE id = ?",
            ("\x1f".join(fields.values()), next(iter(fields.values()), ""), _tags(note_tags), mod, nid),
        )
    return wanted


def _tags(tags: tuple[str, ...]) -> str:
    return f" {' '.join(tags)} " if tags else ""


def _fit_note_types(conn: sqlite3.Connection, reshape: Mapping[int, Shape]) -> None:
    """Our note types as the user's Anki has them: the same fields and templates, in
    its order (so Anki's importer sees the same note type, and neither copies nor
    merges it), with our templates' faces and our styling."""
    if not reshape:
        return
    (models_json,) = conn.execute("SELECT models FROM col").fetchone()
    models: dict[str, Any] = json.loads(models_json)
    for mid, shape in reshape.items():
        model = models.get(str(mid))
        if model is None:
            continue
        field_of = {f["name"]: f for f in model["flds"]}
        blank = {**model["flds"][0], "media": [], "sticky": False}
        model["flds"] = [{**field_of.get(name, blank), "name": name, "ord": i} for i, name in enumerate(shape.fields)]
        template_of = {t["name"]: t for t in model["tmpls"]}
        model["tmpls"] = [
            {**template_of[name], "ord": i}
            if name in template_of
            else {**model["tmpls"][0], "name": name, "qfmt": front, "afmt": back, "ord": i}
            for i, (name, front, back) in enumerate(shape.templates)
        ]
        first = OUR_FIELDS[mid][0]
        model["sortf"] = shape.fields.index(first) if first in shape.fields else 0
        model.pop("req", None)  # which fields a card needs: Anki works it out from the templates
    conn.execute("UPDATE col SET models = ?", (json.dumps(models),))
