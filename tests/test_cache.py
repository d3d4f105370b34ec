"""The per-note cache: no-op builds touch nothing, edits re-parse only the edited note,
a lost or damaged cache costs time only, and parallel builds equal serial ones."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cards.cli import main
from cards.deck.state import state_path
from cards.pipeline.cache import NoteCache, cache_dir
from cards.pipeline.run import build, collect

NOTES = {
    "a.md": "# Pipeline\n\n1. **Collect** data\n2. **Train** the model\n3. **Ship** it\n",
    "b.md": "# Facts\n\n- What is the capital of France?\n  - Paris\n- The **mitochondria** is the powerhouse.\n",
    "sub/c.md": "# Figure\n\n- ![](img/pixel.png)\n  - the takeaway of the figure\n",
    "sub/d.md": "Q: two plus two?\nA: four\n",
}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def make_vault(root: Path, notes: dict[str, str] = NOTES) -> Path:
    for rel, text in notes.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    (root / "sub" / "img").mkdir(parents=True, exist_ok=True)
    (root / "sub" / "img" / "pixel.png").write_bytes(PNG)
    return root


def deck_notes(apkg: Path, tmp: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(apkg) as archive:
        (tmp / "col.anki2").write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(tmp / "col.anki2") as conn:
        return sorted(conn.execute("SELECT guid, flds FROM notes").fetchall())


def age(path: Path, seconds: int = 10) -> None:
    """Pretend a file was written a while ago (outside the racy window)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 1_000_000_000))


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "vault")


def test_noop_build_leaves_the_deck_untouched(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    first = build([vault], out, now=1_700_000_000)
    assert first.written and first.collected.parsed == 4
    before = (out.read_bytes(), out.stat().st_mtime_ns, state_path(out).stat().st_mtime_ns)
    second = build([vault], out, now=1_700_000_100)
    assert not second.written
    assert second.collected.parsed == 0 and second.collected.cached == 4
    assert (out.read_bytes(), out.stat().st_mtime_ns, state_path(out).stat().st_mtime_ns) == before
    assert not (second.changes.added or second.changes.updated or second.changes.retired)
    # the lazily identified cards are those of the first build
    assert [c.guid for c in second.identified.cards] == [c.guid for c in first.identified.cards]
    assert second.identified.mods == first.identified.mods


def test_one_edit_parses_only_that_note(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    build([vault], out, now=1_700_000_000)
    (vault / "b.md").write_text(NOTES["b.md"].replace("Paris", "Paris, on the Seine"), "utf-8")
    result = build([vault], out, now=1_700_000_100)
    assert result.collected.parsed == 1 and result.collected.cached == 3
    assert result.written
    assert len(result.changes.updated) == 1 and not result.changes.added and not result.changes.retired
    assert any("Seine" in flds for _, flds in deck_notes(out, tmp_path))


def test_same_size_same_mtime_edit_is_still_seen(vault: Path, tmp_path: Path) -> None:
    """An edit that keeps the size and puts the mtime back (touch -d) changes ctime."""
    out = tmp_path / "deck.apkg"
    note = vault / "b.md"
    age(note)
    build([vault], out, now=1_700_000_000)
    st = note.stat()
    note.write_text(NOTES["b.md"].replace("Paris", "Lyon!"), "utf-8")  # same length
    os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert note.stat().st_size == st.st_size and note.stat().st_mtime_ns == st.st_mtime_ns
    result = build([vault], out, now=1_700_000_100)
    assert result.collected.parsed == 1
    assert any("Lyon!" in flds for _, flds in deck_notes(out, tmp_path))


def test_stat_fast_path_skips_reading_old_files(vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "deck.apkg"
    # ctime cannot be set back, so shrink the racy window instead of ageing the files
    monkeypatch.setattr(sys.modules["cards.pipeline.cache"], "RACY_NS", 0)
    time.sleep(0.05)
    build([vault], out, now=1_700_000_000)
    reads: list[Path] = []
    original = Path.read_bytes

    def spy(self: Path) -> bytes:
        reads.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    result = build([vault], out, now=1_700_000_100)
    assert not result.written and result.collected.parsed == 0
    # not a note, not an image: the note with an image has its image lookups checked
    # again (its text would only be read to name the line of a warning), and the
    # image is known by its stat like a note
    assert [p.name for p in reads if p.suffix in (".md", ".png")] == []
    assert result.collected.media  # the image is still packaged


@pytest.mark.parametrize("damage", ["delete", "corrupt", "truncate"])
def test_lost_or_corrupt_cache_only_costs_time(vault: Path, tmp_path: Path, damage: str) -> None:
    out = tmp_path / "deck.apkg"
    first = build([vault], out, now=1_700_000_000)
    expected = deck_notes(out, tmp_path)
    (vault / "a.md").write_text(NOTES["a.md"] + "4. **Monitor** it\n", "utf-8")
    root = cache_dir(out)
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files
    if damage == "delete":
        shutil.rmtree(root)
    else:
        for path in files:
            path.write_bytes(b"garbage" if damage == "corrupt" else path.read_bytes()[:5])
    second = build([vault], out, now=1_700_000_100)
    assert second.collected.parsed == 4  # everything parsed again, nothing wrong
    assert len(second.changes.added) == 1 and not second.changes.retired
    cold = tmp_path / "cold.apkg"
    shutil.copy(out, tmp_path / "kept.apkg")
    third = build([vault], cold, now=1_700_000_100, cache=False)
    assert sorted(c.front for c in third.identified.cards) == sorted(c.front for c in second.identified.cards)
    assert {g for g, _ in expected} <= {g for g, _ in deck_notes(out, tmp_path)}
    assert first.written and second.written


def _fresh_deck(vault: Path, tmp_path: Path, now: int) -> list[tuple[str, str]]:
    fresh = tmp_path / "fresh" / "deck.apkg"
    build([vault], fresh, now=now, cache=False)
    return deck_notes(fresh, tmp_path)


@pytest.mark.parametrize("damage", ["garbage", "first half", "pages scribbled", "header only"])
def test_a_damaged_cache_file_is_made_anew(vault: Path, tmp_path: Path, damage: str) -> None:
    """The cache is one SQLite file: damaged in any way, it is made anew and the deck
    is the one a build without a cache writes."""
    out = tmp_path / "deck.apkg"
    build([vault], out, now=1_700_000_000)
    path = cache_dir(out) / "cache.sqlite"
    data = path.read_bytes()
    assert len(data) >= 4096 * 3
    if damage == "garbage":
        path.write_bytes(b"garbage" * 1000)
    elif damage == "first half":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "pages scribbled":
        path.write_bytes(data[:4096] + bytes(range(256)) * ((len(data) - 4096) // 256))
    else:
        path.write_bytes(data[:100])
    (vault / "a.md").write_text(NOTES["a.md"] + "4. **Monitor** it\n", "utf-8")
    second = build([vault], out, now=1_700_000_100)
    assert deck_notes(out, tmp_path) == _fresh_deck(vault, tmp_path, 1_700_000_100)
    assert second.written and len(second.changes.added) == 1 and not second.changes.retired
    third = build([vault], out, now=1_700_000_200)  # the cache works again
    assert not third.written and third.collected.parsed == 0


def test_a_cache_deleted_while_the_build_runs_only_costs_time(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "deck.apkg"
    build([vault], out, now=1_700_000_000)
    (vault / "b.md").write_text(NOTES["b.md"].replace("Paris", "Paris, on the Seine"), "utf-8")
    pipeline = sys.modules["cards.pipeline.run"]
    inner = pipeline.gather

    def gather_then_delete(*args: object, **kwargs: object) -> object:
        found = inner(*args, **kwargs)
        shutil.rmtree(cache_dir(out), ignore_errors=True)  # the whole folder, mid-way: the kept collection too
        return found

    monkeypatch.setattr(pipeline, "gather", gather_then_delete)
    monkeypatch.setattr(sys.modules["cards.pipeline.incremental"], "gather", gather_then_delete)
    second = build([vault], out, now=1_700_000_100)
    monkeypatch.undo()
    assert second.written and len(second.changes.updated) == 1
    assert deck_notes(out, tmp_path) == _fresh_deck(vault, tmp_path, 1_700_000_100)
    third = build([vault], out, now=1_700_000_200)
    assert third.collected.parsed == 4 and not third.changes.updated and not third.changes.added
    assert deck_notes(out, tmp_path) == _fresh_deck(vault, tmp_path, 1_700_000_200)
    assert not build([vault], out, now=1_700_000_300).written


def test_the_cache_is_one_file_beside_the_kept_collection(tmp_path: Path, synthetic: Any) -> None:
    vault = tmp_path / "big"
    synthetic(60, vault, folders=6, seed=2)
    out = tmp_path / "deck.apkg"
    # an older version's folder of one file per note is cleared on the way
    old = cache_dir(out) / "notes" / "ab"
    old.mkdir(parents=True)
    (old / "ab12.pickle").write_bytes(b"old")
    (cache_dir(out) / "stat.pickle").write_bytes(b"old")
    first = build([vault], out, now=1_700_000_000)
    assert first.collected.parsed == 60
    assert sorted(p.name for p in cache_dir(out).iterdir()) == ["cache.sqlite", "collection.anki2"]
    with sqlite3.connect(cache_dir(out) / "cache.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 60
    # a note deleted: its entry goes with the next build
    sorted(vault.rglob("*.md"))[0].unlink()
    build([vault], out, now=1_700_000_100)
    with sqlite3.connect(cache_dir(out) / "cache.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 59


def test_changed_image_invalidates_the_notes_that_show_it(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    first = build([vault], out, now=1_700_000_000)
    old = {n for c in first.identified.cards for n in c.media}
    (vault / "sub" / "img" / "pixel.png").write_bytes(PNG + b"\0")
    second = build([vault], out, now=1_700_000_100)
    assert second.collected.parsed == 1  # only sub/c.md shows the image
    new = {n for c in second.identified.cards for n in c.media}
    assert old and new and old != new
    with zipfile.ZipFile(out) as archive:
        assert sorted(new) == sorted(__import__("json").loads(archive.read("media")).values())


def test_config_change_invalidates_every_note(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    build([vault], out, now=1_700_000_000)
    (vault / "cards.toml").write_text('tag_prefix = "cards"\n', "utf-8")
    result = build([vault], out, now=1_700_000_100)
    assert result.collected.parsed == 4
    assert all(t.startswith("cards::") for c in result.identified.cards for t in c.tags)


def test_deleted_note_retires_its_cards(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    build([vault], out, now=1_700_000_000)
    (vault / "sub" / "d.md").unlink()
    result = build([vault], out, now=1_700_000_100)
    assert result.collected.parsed == 0 and len(result.changes.retired) == 1 and result.written


def test_parallel_build_equals_serial_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        from make_vault import make_vault as synthetic
    finally:
        sys.path.pop(0)
    vault = tmp_path / "big"
    synthetic(240, vault, folders=12, seed=3)
    monkeypatch.setattr(sys.modules["cards.pipeline.collect"], "PARALLEL_MIN", 50)
    serial = build([vault], tmp_path / "serial.apkg", now=1_700_000_000, jobs=1, cache=False)
    parallel = build([vault], tmp_path / "parallel.apkg", now=1_700_000_000, jobs=2, cache=True)
    assert serial.collected.parsed == parallel.collected.parsed == 240
    assert [r.cards for r in serial.collected.results] == [r.cards for r in parallel.collected.results]
    assert [r.warnings for r in serial.collected.results] == [r.warnings for r in parallel.collected.results]
    assert serial.collected.media == parallel.collected.media
    assert (tmp_path / "serial.apkg").read_bytes() == (tmp_path / "parallel.apkg").read_bytes()
    # and a cached rebuild gives the very same cards
    again = collect([vault], cache=NoteCache.open(cache_dir(tmp_path / "parallel.apkg")))
    assert again.parsed == 0 and again.cards == serial.collected.cards


def test_cli_noop_says_up_to_date(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    runner = CliRunner()
    assert runner.invoke(main, ["build", str(vault), "-o", str(out)], catch_exceptions=False).exit_code == 0
    result = runner.invoke(main, ["build", str(vault), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0 and "is up to date" in result.output
    quiet = runner.invoke(main, ["build", str(vault), "-o", str(out), "-q"], catch_exceptions=False)
    assert quiet.exit_code == 0 and quiet.output == ""
    fresh = runner.invoke(
        main, ["build", str(vault), "-o", str(out), "--no-cache", "--jobs", "1"], catch_exceptions=False
    )
    assert fresh.exit_code == 0 and "is up to date" in fresh.output


def test_cards_toml_output_and_deck_are_used_and_flags_override(vault: Path, tmp_path: Path) -> None:
    (vault / "cards.toml").write_text('deck = "From Toml"\noutput = "build/toml.apkg"\n', "utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(vault)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    toml_deck = vault / "build" / "toml.apkg"
    assert toml_deck.exists()
    with zipfile.ZipFile(toml_deck) as archive:
        (tmp_path / "t.anki2").write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "t.anki2") as conn:
        decks = conn.execute("SELECT decks FROM col").fetchone()[0]
    assert "From Toml" in decks

    flag_out = tmp_path / "flag.apkg"
    result = runner.invoke(
        main, ["build", str(vault), "-o", str(flag_out), "--deck", "From Flag"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(flag_out) as archive:
        (tmp_path / "f.anki2").write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "f.anki2") as conn:
        decks = conn.execute("SELECT decks FROM col").fetchone()[0]
    assert "From Flag" in decks and "From Toml" not in decks


def test_bad_note_exits_1_and_is_cached_as_bad(vault: Path, tmp_path: Path) -> None:
    (vault / "bad.md").write_bytes(b"# ok\n\n- \xff\xfe broken\n")
    out = tmp_path / "deck.apkg"
    cmd = [sys.executable, "-m", "cards", "build", str(vault), "-o", str(out), "-q"]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert first.returncode == 1 and "bad.md:3: invalid UTF-8" in first.stderr
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert second.returncode == 1 and "bad.md:3: invalid UTF-8" in second.stderr and second.stdout == ""
