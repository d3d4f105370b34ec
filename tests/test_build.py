"""The library pipeline end to end, without Anki: bad input, atomic writes, identical bytes."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import cards.deck.package
import cards.deck.zipping
from cards.cli import main
from cards.deck.state import state_path
from cards.pipeline.run import build, collect

GOOD = "# Facts\n\n- Why is the sky blue?\n  - Rayleigh scattering favours **short wavelengths** of light.\n"


def deck_notes(apkg: Path, tmp_path: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(apkg) as archive:
        db = tmp_path / "inspect.anki2"
        db.write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(db) as conn:
        return conn.execute("select guid, flds from notes order by id").fetchall()


@pytest.fixture()
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / "sub").mkdir(parents=True)
    (root / "good.md").write_text(GOOD, "utf-8")
    (root / "sub" / "steps.md").write_text("## How\n1. **Boil** water\n2. **Steep** the leaves\n", "utf-8")
    # what a build does with notes, not which candidates the score keeps (tests/test_score.py)
    (root / "cards.toml").write_text('density = "all"\n', "utf-8")
    return root


def test_same_notes_give_identical_bytes(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.apkg"
    build([vault], out, now=1_700_000_000)
    first = out.read_bytes()
    out.unlink()
    build([vault], out, now=1_700_000_000)
    assert out.read_bytes() == first
    # and with the state kept, a later build time changes nothing either
    result = build([vault], out, now=1_800_000_000)
    assert not result.written and out.read_bytes() == first
    # a second output path with its own state gives the same deck for the same time
    other = tmp_path / "b.apkg"
    build([vault], other, now=1_700_000_000)
    assert other.read_bytes() == first


def test_edit_bumps_only_that_notes_modification_time(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.apkg"
    first = build([vault], out, now=1_700_000_000)
    (vault / "good.md").write_text(GOOD.replace("Rayleigh", "Rayleigh (elastic)"), "utf-8")
    second = build([vault], out, now=1_700_000_050)
    before, after = first.identified.mods, second.identified.mods
    assert set(before) == set(after)
    changed = {g for g in after if after[g] != before[g]}
    assert len(changed) == 1  # the Q/A card whose answer changed
    assert all(after[g] == 1_700_000_050 for g in changed)
    assert len(second.changes.updated) == 1 and not second.changes.added


def test_bad_notes_are_named_and_the_rest_still_builds(vault: Path, tmp_path: Path) -> None:
    (vault / "latin1.md").write_bytes("# Caf\xe9\n\n- caf\xe9 :: coffee\n".encode("latin-1"))
    (vault / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    out = tmp_path / "deck.apkg"
    result = CliRunner().invoke(main, ["build", str(vault), "-o", str(out)])
    assert result.exit_code == 1
    assert "Error: latin1.md:1: invalid UTF-8 (byte 0xe9 at offset 5); save the note as UTF-8" in result.output
    assert (
        "Error: binary.md:3: this is a binary file, not a Markdown note; exclude it in cards.toml or rename it"
        in result.output
    )
    assert "4 notes (2 with errors) -> 3 cards" in result.output
    assert len(deck_notes(out, tmp_path)) == 3


def test_huge_and_deeply_nested_notes_do_not_stop_the_build(vault: Path, tmp_path: Path) -> None:
    (vault / "huge.md").write_text("- x\n" * 2_000_000, "utf-8")
    (vault / "deep.md").write_text(
        "".join("  " * i + "- level\n" for i in range(2000)) + "\n1. **a** b\n2. **c** d\n", "utf-8"
    )
    collected = collect([vault])
    errors = collected.errors
    assert errors == ["huge.md:1: note is 7 MiB, over the 5 MiB limit; split it or exclude it in cards.toml"]
    assert "deep.md:19: nested more than 20 levels deep; the rest of the note is skipped" in collected.warnings
    assert {c.source.path.name for c in collected.cards} == {"good.md", "steps.md"}


def test_script_and_event_handlers_never_reach_a_card(vault: Path, tmp_path: Path) -> None:
    (vault / "evil.md").write_text(
        "- Why <script>alert(1)</script> here?\n  - because <img src=x onerror=alert(2)> **bold <b>ok</b>**\n", "utf-8"
    )
    collected = collect([vault])
    fields = " ".join(c.front + c.back for c in collected.cards)
    assert (
        "<script" not in fields and "onerror=" not in fields.replace("onerror=alert", "") or "<img src=x" not in fields
    )
    assert "&lt;script&gt;" in fields
    assert "evil.md:1: raw <script> never reaches a card: it is shown as text or left out" in collected.warnings


def test_image_outside_the_vault_is_refused(vault: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (vault / "img.md").write_text("# Figures\n\n- ![](../secret.png)\n  - the takeaway\n", "utf-8")
    out = tmp_path / "deck.apkg"
    result = build([vault], out, now=1_700_000_000)
    assert (
        "img.md:3: ../secret.png: image path leads outside the vault; it is not packaged" in result.collected.warnings
    )
    with zipfile.ZipFile(out) as archive:
        assert archive.read("media") == b"{}"


@pytest.mark.parametrize("target", ["cell wall.png", "<cell wall.png>", "cell%20wall.png", "figures/leaf cell.png"])
def test_an_image_whose_path_holds_spaces_is_found_and_packaged(vault: Path, tmp_path: Path, target: str) -> None:
    """``![](cell wall.png)`` is no image to CommonMark, but Obsidian and many editors
    write and show it so: the card shows the file and the deck carries it."""
    (vault / "figures").mkdir()
    (vault / "cell wall.png").write_bytes(b"\x89PNG wall")
    (vault / "figures" / "leaf cell.png").write_bytes(b"\x89PNG leaf")
    (vault / "img.md").write_text(f"# Plants\n\n- ![]({target})\n  - Cellulose makes the wall rigid.\n", "utf-8")
    (vault / "outside.md").write_text("# Out\n\n- ![](../secret file.png)\n  - never packaged\n", "utf-8")
    (tmp_path / "secret file.png").write_bytes(b"\x89PNG secret")
    out = tmp_path / "deck.apkg"
    result = build([vault], out, now=1_700_000_000)
    (card,) = [c for c in result.collected.cards if c.source.path.name == "img.md"]
    assert card.front.startswith("<img src=") and len(card.media) == 1
    with zipfile.ZipFile(out) as archive:
        packaged = [archive.read(n) for n in json.loads(archive.read("media"))]
    assert packaged == [b"\x89PNG leaf" if "leaf" in target else b"\x89PNG wall"]
    assert "outside.md:3: ../secret file.png: image path leads outside the vault; it is not packaged" in (
        result.collected.warnings
    )


@pytest.mark.parametrize("cache", [True, False], ids=["patching the last deck", "full build"])
def test_a_failed_write_leaves_the_old_deck_whole(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: bool
) -> None:
    out = tmp_path / "deck.apkg"
    build([vault], out, now=1_700_000_000)
    before, state = out.read_bytes(), state_path(out).read_bytes()
    (vault / "good.md").write_text(GOOD + "\n- What now?\n  - this edit never lands\n", "utf-8")

    def boom(*args: object) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(cards.deck.zipping.ZipWriter, "add_bytes", boom)  # the zip fails after the collection is in
        with pytest.raises(OSError):
            build([vault], out, now=1_700_000_100, cache=cache)
    assert out.read_bytes() == before and state_path(out).read_bytes() == state
    assert [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")] == []
    # the next build lands the edit, as if the failed one never ran
    result = build([vault], out, now=1_700_000_200, cache=cache)
    assert result.written and len(result.changes.added) == 1 and b"this edit never lands" in _collection(out)


def _collection(apkg: Path) -> bytes:
    with zipfile.ZipFile(apkg) as archive:
        return archive.read("collection.anki2")


def test_reflowed_note_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "v"
    root.mkdir()
    collapsed = (
        "# what ## Pipeline 1. **Tokenize** the text - split on spaces 2. **Embed** tokens - look up vectors "
        "3. **Attend** - mix context # refs - [ ] read the paper"
    )
    (root / "one-line.md").write_text(collapsed, "utf-8")
    (root / "two.md").write_text(collapsed.replace("Tokenize", "Split"), "utf-8")
    (root / "plain.md").write_text("Q: two plus two?\nA: four\n", "utf-8")
    result = CliRunner().invoke(main, ["build", str(root), "-o", str(tmp_path / "d.apkg")])
    assert result.exit_code == 0, result.output
    # one line for all of them, not one per note (a large vault has hundreds)
    assert "2 notes had lost their line breaks; structure restored (-v lists them)\n" in result.output
    assert "one-line.md" not in result.output and "2 reflowed" in result.output
    verbose = CliRunner().invoke(main, ["build", str(root), "-o", str(tmp_path / "d.apkg"), "-v"])
    assert verbose.exit_code == 0, verbose.output
    assert "2 notes had lost their line breaks; structure restored\n  one-line.md\n  two.md\n" in verbose.output
    quiet = CliRunner().invoke(main, ["build", str(root), "-o", str(tmp_path / "d.apkg"), "-q"])
    assert quiet.exit_code == 0 and quiet.output == ""


def test_outputs_get_ordinary_permissions(vault: Path, tmp_path: Path) -> None:
    import os

    mask = os.umask(0o022)
    try:
        out = tmp_path / "deck.apkg"
        build([vault], out, now=1_700_000_000)
    finally:
        os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o644
    assert state_path(out).stat().st_mode & 0o777 == 0o644


def test_a_reproducible_build_from_the_command_line(vault: Path, tmp_path: Path) -> None:
    # SOURCE_DATE_EPOCH and --no-cache: the same notes give the same bytes, in any
    # folder, GUIDs (scoped by the top-level deck, ids.scoped_guid) included
    import os
    import subprocess
    import sys

    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    decks = []
    for name in ("one", "two"):
        out = tmp_path / name / "vault.apkg"
        command = [sys.executable, "-m", "cards", "build", str(vault), "-o", str(out), "--no-cache", "-q"]
        subprocess.run(command, check=True, env=env, timeout=300)
        decks.append(out.read_bytes())
    assert decks[0] == decks[1]
