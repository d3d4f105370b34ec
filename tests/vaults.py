"""Small helpers the tests share: a vault written from a dict of notes, a deck's fields."""

from __future__ import annotations

import sqlite3
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path


def write_vault(root: Path, notes: Mapping[str, str]) -> Path:
    """``root`` holding each note of ``notes`` (path -> text; folders made as needed)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in notes.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    return root


def deck_fields(deck: Path) -> list[str]:
    """Every note's fields in a built deck, as Anki stores them (``flds``), sorted."""
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(deck) as archive:
        db = Path(tmp, "c.anki2")
        db.write_bytes(archive.read("collection.anki2"))
        conn = sqlite3.connect(db)
        try:
            return sorted(row[0] for row in conn.execute("SELECT flds FROM notes"))
        finally:
            conn.close()
