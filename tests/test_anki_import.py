"""Real Anki accepts the deck built from sample_notes/: every card renders, nothing duplicates."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from ankiclient import TEMPLATE_ERRORS, import_deck, open_collection, rendered, strip_tags
from click.testing import CliRunner

from cards.cli import main
from cards.config import KINDS
from cards.pipeline.run import build

SAMPLES = Path(__file__).resolve().parent.parent / "sample_notes"
pytestmark = pytest.mark.anki


@pytest.fixture()
def vault(tmp_path: Path) -> Path:
    copy = tmp_path / "sample_notes"
    shutil.copytree(SAMPLES, copy)
    return copy


def preview_json(vault: Path) -> list[dict]:
    result = CliRunner().invoke(main, ["preview", str(vault), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sample_deck_imports_and_every_card_renders(vault: Path, tmp_path: Path) -> None:
    deck = tmp_path / "out" / "samples.apkg"
    result = CliRunner().invoke(main, ["build", str(vault), "-o", str(deck)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output

    expected = preview_json(vault)
    assert len(expected) >= 20
    col = open_collection(tmp_path)
    try:
        log = import_deck(col, deck)
        assert (log.updated, log.duplicate, log.conflicting) == (0, 0, 0)
        assert log.new == len({c["guid"] for c in expected}) == col.note_count()
        assert col.card_count() == len(expected)

        # no note is left without cards
        empty = col.db.list("select id from notes where id not in (select nid from cards)")
        assert empty == []

        by_guid = {(c["guid"], c["ordinal"]): c for c in expected}
        for card_id in col.find_cards(""):
            card = col.get_card(card_id)
            question, answer = rendered(col, card_id)
            assert strip_tags(question) and strip_tags(answer)
            assert not TEMPLATE_ERRORS.search(question + answer), question + answer
            note = card.note()
            ours = by_guid[(note.guid, card.ord + 1)]
            assert col.decks.name(card.did) == ours["deck"]
            assert sorted(note.tags) == sorted(ours["tags"])

        # decks by folder, kinds all present
        kinds = Counter(c["kind"] for c in expected)
        assert set(kinds) == set(KINDS)
        names = {d.name for d in col.decks.all_names_and_ids()}
        assert {c["deck"] for c in expected} <= names
    finally:
        col.close()


def test_local_images_travel_as_media(vault: Path, tmp_path: Path) -> None:
    deck = tmp_path / "samples.apkg"
    build([vault], deck, now=1_700_000_000)
    with zipfile.ZipFile(deck) as archive:
        media = json.loads(archive.read("media"))
        assert media, "sample notes hold local images"
        packed = {name: archive.read(index) for index, name in media.items()}
        assert all(packed.values())
        # PNGs and JPEGs are stored as they are (compressed already), the rest deflated
        assert {archive.getinfo(i).compress_type for i, n in media.items() if n.endswith(".png")} == {
            zipfile.ZIP_STORED
        }
    col = open_collection(tmp_path)
    try:
        import_deck(col, deck)
        folder = Path(col.media.dir())
        assert {name: (folder / name).read_bytes() for name in packed} == packed  # Anki has every image, byte for byte
    finally:
        col.close()


def _edit_first_qa_answer(vault: Path) -> str:
    """Change the answer of one Q/A card in the notes; return the new answer text."""
    for note in sorted(vault.rglob("*.md")):
        text = note.read_text("utf-8")
        for marker in ("A: ", "答："):
            if marker in text:
                head, _, tail = text.partition(marker)
                new = "EDITED answer wording"
                note.write_text(head + marker + new + " " + tail, "utf-8")
                return new
    raise AssertionError("sample notes have no explicit answer to edit")


def test_rebuild_updates_and_never_duplicates(vault: Path, tmp_path: Path) -> None:
    deck = tmp_path / "samples.apkg"
    build([vault], deck, now=1_700_000_000)
    col = open_collection(tmp_path)
    try:
        first = import_deck(col, deck)
        notes, cards = col.note_count(), col.card_count()
        assert first.new == notes

        # unchanged rebuild, later build time: same bytes, nothing to update
        before = deck.read_bytes()
        build([vault], deck, now=1_700_000_500)
        assert deck.read_bytes() == before
        again = import_deck(col, deck)
        assert (again.new, again.updated, again.duplicate) == (0, 0, notes)  # all skipped as unchanged

        # one answer edited: exactly that note is updated, none added
        new_text = _edit_first_qa_answer(vault)
        build([vault], deck, now=1_700_001_000)
        edited = import_deck(col, deck)
        assert (edited.new, edited.updated, edited.duplicate, edited.conflicting) == (0, 1, notes - 1, 0)
        assert (col.note_count(), col.card_count()) == (notes, cards)
        shown = [rendered(col, cid)[1] for cid in col.find_cards("")]
        assert any(new_text in a for a in shown)
    finally:
        col.close()


def test_package_notes_match_preview(vault: Path, tmp_path: Path) -> None:
    deck = tmp_path / "samples.apkg"
    build([vault], deck, now=1_700_000_000)
    with zipfile.ZipFile(deck) as archive:
        (tmp_path / "c.anki2").write_bytes(archive.read("collection.anki2"))
    rows = sqlite3.connect(tmp_path / "c.anki2").execute("select guid, flds from notes").fetchall()
    expected = preview_json(vault)
    assert {g for g, _ in rows} == {c["guid"] for c in expected}
    fields = {c["guid"]: list(c["fields"].values()) for c in expected}
    for guid, flds in rows:
        assert flds.split("\x1f") == fields[guid]
