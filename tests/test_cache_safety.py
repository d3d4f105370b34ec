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
from vaults import deck_fields, write_vault

from cards.pipeline.cache import NoteCache, cache_dir, dump_entry, load_entry

NOTES = {
    "a.md": "# Pipeline\n\n1. **Collect** data\n2. **Train** the model\n3. **Ship** it\n",
    "b.md": "# Facts\n\n- What is the capital of France?\n  - Paris\n- The **mitochondria** is the powerhouse.\n",
}


def cards(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cards", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return write_vault(tmp_path / "vault", NOTES)


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


def _warnings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("Warning:")]


def _can_mount_tmpfs(tmp_path: Path) -> bool:
    import shutil

    if shutil.which("unshare") is None:
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    done = subprocess.run(
        ["unshare", "--mount", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {probe}"], capture_output=True
    )
    return done.returncode == 0


def test_a_full_cache_disk_costs_time_not_the_deck(vault: Path, tmp_path: Path) -> None:
    """Item 14, on a real full file system (a 1 MiB tmpfs, in a mount namespace of its
    own): every build failed with no deck at all, and left collection.anki2.new."""
    if not _can_mount_tmpfs(tmp_path):
        pytest.skip("needs unshare --mount and mount -t tmpfs (root) for a real full file system")
    cache = tmp_path / "cache"
    cache.mkdir()
    out = tmp_path / "deck.apkg"
    script = f"""
set -e
mount -t tmpfs -o size=1m tmpfs {cache}
{sys.executable} -m cards build {vault} -o {out} -q
dd if=/dev/zero of={cache}/fill bs=4k 2>/dev/null || true
printf -- '- What is the capital of Italy?\\n  - Rome\\n' >> {vault}/b.md
set +e
{sys.executable} -m cards build {vault} -o {out}; echo "exit $?"
ls -a {cache}/decks/*/
{sys.executable} -m cards build {vault} -o {out}; echo "exit $?"
"""
    done = subprocess.run(
        ["unshare", "--mount", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "CARDS_CACHE_DIR": str(cache)},
    )
    first, second = done.stdout.split("exit ")[1:3]
    assert first.startswith("0") and second.startswith("0"), done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert f"wrote {out}" in done.stdout and "1 added" in done.stdout
    assert "collection.anki2.new" not in done.stdout  # nothing left half-written in the cache
    warned = _warnings(done.stderr)
    assert len(warned) == 2 and all("(database or disk is full)" in w for w in warned), done.stderr  # one a build
    assert "Rome" in cards("preview", str(vault), "--json", "-o", str(out)).stdout


def test_a_cache_that_cannot_keep_the_collection_still_writes_the_deck(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 14, anywhere: the cache folder's disk is full when the deck's collection is
    built there (SQLite says "database or disk is full"): the deck is written, one
    warning, no collection.anki2.new left."""
    from click.testing import CliRunner

    import cards.deck.package as package
    from cards.cli import main

    out = tmp_path / "deck.apkg"
    assert CliRunner().invoke(main, ["build", str(vault), "-o", str(out)]).exit_code == 0
    (vault / "b.md").write_text(NOTES["b.md"] + "- What is the capital of Italy?\n  - Rome\n", "utf-8")
    real, folder = package._insert, cache_dir(out)

    def insert(cursor: sqlite3.Cursor, *args: object, **kwargs: object) -> object:
        (_, _, where), *_ = cursor.execute("PRAGMA database_list").fetchall()
        if Path(where).is_relative_to(folder):
            raise sqlite3.OperationalError("database or disk is full")
        return real(cursor, *args, **kwargs)

    monkeypatch.setattr(package, "_insert", insert)
    for extra in ([], ["--no-cache"]):
        done = CliRunner().invoke(main, ["build", str(vault), "-o", str(out), *extra])
        assert done.exit_code == 0, done.output
        assert f"wrote {out}" in done.output or "is up to date" in done.output
        assert len(_warnings(done.output)) <= 1 and "Traceback" not in done.output
        assert not (folder / "collection.anki2.new").exists()
    assert "Rome" in cards("preview", str(vault), "--json", "-o", str(out)).stdout


def test_a_cache_file_replaced_by_a_folder_is_repaired_with_a_warning(vault: Path, tmp_path: Path) -> None:
    """Item 15: every build silently ran without a cache, and never repaired it."""
    import shutil

    out = tmp_path / "deck.apkg"
    assert cards("build", str(vault), "-o", str(out)).returncode == 0
    file = cache_dir(out) / "cache.sqlite"
    file.unlink()
    (file / "inside").mkdir(parents=True)
    done = cards("build", str(vault), "-o", str(out))
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert _warnings(done.stderr) == [
        f"Warning: {file} was not a file (a folder, a link or a FIFO); removed, the build cache is made anew there"
    ]
    assert file.is_file()
    again = cards("build", str(vault), "-o", str(out), "-v")
    assert again.returncode == 0 and not _warnings(again.stderr) and "is up to date" in again.stdout
    store = NoteCache.open(cache_dir(out))
    try:
        assert store.manifest() is not None  # the cache works again: the no-op fast path
    finally:
        store.close()
    shutil.rmtree(cache_dir(out))


def _rot(out: Path, damage: str) -> None:
    """Bit rot in the kept collection: its bytes change, its stamp does not. (Any write
    changes a file's ctime, which the build also checks; the manifest's record of the
    stamp is set to the damaged file's, as if the disk itself had changed the bytes.)"""
    import dataclasses
    import os

    from cards.pipeline.cache import file_stamp

    db = cache_dir(out) / "collection.anki2"
    st = db.stat()
    data = bytearray(db.read_bytes())
    if damage == "field changed in place":
        at = data.index(b"Paris")
        data[at : at + 5] = b"Pxris"
    else:  # a page scribbled over: SQLite finds it malformed
        data[4096 : 4096 * 3] = bytes(range(256)) * (4096 * 2 // 256)
    with db.open("r+b") as handle:
        handle.write(data)
    os.utime(db, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (db.stat().st_size, db.stat().st_mtime_ns, db.stat().st_ino) == (st.st_size, st.st_mtime_ns, st.st_ino)
    store = NoteCache.open(cache_dir(out))
    try:
        manifest = store.manifest()
        assert manifest is not None
        store.save(dataclasses.replace(manifest, db=file_stamp(db)))
    finally:
        store.close()


@pytest.mark.parametrize("damage", ["field changed in place", "page scribbled"])
def test_bit_rot_in_the_kept_collection_is_never_copied_into_a_deck(vault: Path, tmp_path: Path, damage: str) -> None:
    """Item 16: with size, mtime and inode unchanged, a field changed in place went into
    the next deck, and a damaged page gave a DatabaseError traceback on every build.
    The kept collection is checked against the CRC-32 it had when written: damaged,
    the deck is built in full (and the collection made anew)."""
    out = tmp_path / "deck.apkg"
    assert cards("build", str(vault), "-o", str(out)).returncode == 0
    _rot(out, damage)
    (vault / "a.md").write_text(NOTES["a.md"] + "4. **Monitor** it\n", "utf-8")  # b.md (Paris) untouched
    done = cards("build", str(vault), "-o", str(out))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    fresh = tmp_path / "fresh" / "deck.apkg"
    assert cards("build", str(vault), "-o", str(fresh), "--no-cache").returncode == 0
    assert deck_fields(out) == deck_fields(fresh)
    assert any("Paris" in f for f in deck_fields(out)) and not any("Pxris" in f for f in deck_fields(out))
    (vault / "b.md").write_text(NOTES["b.md"].replace("Paris", "Paris, on the Seine"), "utf-8")
    assert cards("build", str(vault), "-o", str(out)).returncode == 0  # the collection made anew patches again
    assert cards("build", str(vault), "-o", str(fresh), "--no-cache").returncode == 0
    assert deck_fields(out) == deck_fields(fresh)
