"""The build cache as an attacker or bad luck leaves it (issue 22, items 5, 14, 15, 16).

The cache folder can be shared (``CARDS_CACHE_DIR``), synced or restored from a
backup: what it holds must never run code, and a cache that cannot be used only ever
costs time: the deck is still written, with at most one warning.
"""

from __future__ import annotations

import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cards.pipeline.cache import NoteCache, cache_dir, dump_entry, load_entry

NOTES = {
    "a.md": "# Pipeline\n\n1. **Collect** data\n2. **Train** the model\n3. **Ship** it\n",
    "b.md": "# Facts\n\n- What is the capital of France?\n  - Paris\n- The **mitochondria** is the powerhouse.\n",
}


def cards(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cards", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    root.mkdir()
    for name, text in NOTES.items():
        (root / name).write_text(text, "utf-8")
    return root


class _Payload:
    """What a crafted pickle holds: unpickling it runs ``open(marker, "w")``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def _plant(db: Path, payload: bytes, *, schema: int | None) -> None:
    """Every blob of the cache file replaced by ``payload`` (``schema``: also set the
    file's schema number, as an older version's file has it)."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("UPDATE notes SET data = ?", (payload,))
        conn.execute("UPDATE views SET data = ?", (payload,))
        for name in ("manifest", "stats"):
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, payload))
        if schema is not None:
            conn.execute("UPDATE meta SET value = ? WHERE name = 'schema'", (schema,))
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize("schema", [9, None], ids=["old-pickled-cache", "current-schema"])
def test_a_crafted_cache_row_never_runs_code(vault: Path, tmp_path: Path, schema: int | None) -> None:
    """Item 5: a crafted pickle in the cache ran a command on the next build. An old
    cache (schema 9, pickled) is emptied by its number before a row is read; a pickle
    under the current schema is only bytes that do not decode: a miss."""
    out = tmp_path / "deck.apkg"
    first = cards("build", str(vault), "-o", str(out))
    assert first.returncode == 0, first.stderr
    assert cards("preview", str(vault), "--json", "-o", str(out)).returncode == 0  # views too
    marker = tmp_path / "ran-code"
    payload = pickle.dumps(_Payload(marker))
    _plant(cache_dir(out) / "cache.sqlite", payload, schema=schema)
    (vault / "b.md").write_text(NOTES["b.md"] + "- What is the capital of Italy?\n  - Rome\n", "utf-8")
    for command in (["build", str(vault), "-o", str(out)], ["preview", str(vault), "--json", "-o", str(out)]):
        done = cards(*command)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    assert not marker.exists(), "unpickling the cache ran code"
    assert "Rome" in cards("preview", str(vault), "--json", "-o", str(out)).stdout


def test_an_entry_is_plain_data(vault: Path, tmp_path: Path) -> None:
    """What the cache stores of a note decodes to the same entry, and holds no pickle."""
    out = tmp_path / "deck.apkg"
    assert cards("build", str(vault), "-o", str(out)).returncode == 0
    store = NoteCache.open(cache_dir(out))
    try:
        rows = store._db.execute("SELECT data FROM notes").fetchall()  # type: ignore[union-attr]
    finally:
        store.close()
    assert len(rows) == 2
    for (data,) in rows:
        with pytest.raises(pickle.UnpicklingError):
            pickle.loads(bytes(data))
        entry = load_entry(bytes(data), light=True)
        assert dump_entry(entry) == bytes(data)
        full = load_entry(bytes(data))
        assert full.rows and all(row.fields for row in full.rows)
