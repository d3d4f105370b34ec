"""``cards sync`` respects what the user does in Anki, both ways in, with one outcome.

Each case runs in direct mode (the collection file, through the official ``anki``
package) and through AnkiConnect (tests/fake_ankiconnect.py: the add-on's actions,
Anki's own importer with the add-on's options, on a real collection), and asserts the
same things in both: an update held back by a mark, a tag or a leech reaches Anki
with the user's tags kept; a field the user added to a ``cards:`` note type keeps its
content while updates, retirements and moves go on; two outputs holding the same fact
(a subfolder beside the whole vault, a note copied into a second vault) are two notes
that never touch each other; and the rough edges around them.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from anki.collection import Collection
from click.testing import CliRunner, Result
from test_sync_anki import GEO, Direct, ViaAnkiConnect, card_state, guid_of, nid_of, sync

from cards.cli import main
from cards.deliver.contents import read_deck
from cards.deliver.record import Record, record_path

pytestmark = pytest.mark.anki
MODES = ["direct", "ankiconnect"]

BIO = """\
---
tags: [bio]
---
# Cells

- What holds a cell's genes?
  - The nucleus
- What makes a cell's energy?
  - The mitochondria
- What wraps a cell?
  - The membrane
"""


def anki_for(mode: str, col_path: Path) -> Direct | ViaAnkiConnect:
    if not col_path.exists():
        col_path.parent.mkdir(parents=True, exist_ok=True)
        Collection(str(col_path)).close()
    return Direct(col_path) if mode == "direct" else ViaAnkiConnect(col_path)


def vault_of(root: Path, name: str = "vault", **notes: str) -> Path:
    vault = root / name
    for rel, text in notes.items():
        path = vault / rel.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return vault


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def build_earlier(vault: Path, out: Path, monkeypatch: pytest.MonkeyPatch, seconds_ago: int = 3600) -> None:
    """``cards build`` as an hour ago: the deck's notes are older than what the user
    does in Anki now (the importer compares modification times)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time()) - seconds_ago))
    ok(CliRunner().invoke(main, ["build", str(vault), "-o", str(out)], catch_exceptions=False))
    monkeypatch.delenv("SOURCE_DATE_EPOCH")


def fields_of(col: Collection, nid: int) -> dict[str, str]:
    note = col.get_note(nid)  # type: ignore[arg-type]
    return dict(note.items())


# ------------------------------------------------------------------ bug 1 and 2: marks, tags, leeches


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("mark", ["marked", "my-own-tag", "leech"])
def test_an_update_held_back_by_what_the_user_did_reaches_anki_and_their_tags_stay(
    mode: str, mark: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = vault_of(tmp_path, **{"facts__bio.md": BIO})
    out = tmp_path / "out" / "vault.apkg"
    anki = anki_for(mode, tmp_path / "anki" / "collection.anki2")
    try:
        ok(sync(anki, vault, out))
        nucleus = guid_of(out, "genes")
        # the answer is edited and built; then, in Anki, the user marks the note (or tags
        # it; Anki's scheduler tags a leech and suspends its card): its time in Anki is
        # now newer than the deck's, and Anki's importer alone would keep the old answer
        (vault / "facts" / "bio.md").write_text(BIO.replace("The nucleus", "The nucleus, in its chromosomes"), "utf-8")
        build_earlier(vault, out, monkeypatch)
        with anki.col() as col:
            note = col.get_note(nid_of(col, nucleus))
            note.add_tag(mark)
            col.update_note(note)
            if mark == "leech":
                col.sched.suspend_cards(col.card_ids_of_note(note.id))
        result = ok(sync(anki, vault, out))
        assert ": 0 added, 1 updated, 0 retired" in result
        with anki.col() as col:
            note = col.get_note(nid_of(col, nucleus))
            assert "in its chromosomes" in note["Back"]
            assert sorted(note.tags) == sorted([mark, "bio", "facts"])  # the user's tag and ours (front matter, folder)
            queues = [q for _, _, q, _ in card_state(col, nucleus)]
            assert queues == ([-1] if mark == "leech" else [0])  # a leech stays suspended: the user's to lift
        assert "is in " in ok(sync(anki, vault, out)) and "already" in ok(sync(anki, vault, out))
    finally:
        anki.stop()


@pytest.mark.parametrize("mode", MODES)
def test_only_the_tags_the_notes_give_are_replaced(mode: str, tmp_path: Path) -> None:
    vault = vault_of(tmp_path, **{"bio.md": BIO})
    out = tmp_path / "out" / "vault.apkg"
    anki = anki_for(mode, tmp_path / "anki" / "collection.anki2")
    try:
        ok(sync(anki, vault, out))
        membrane = guid_of(out, "wraps")
        with anki.col() as col:
            note = col.get_note(nid_of(col, membrane))
            note.tags += ["marked", "exam::2025"]
            col.update_note(note)
        (vault / "bio.md").write_text(BIO.replace("tags: [bio]", "tags: [biology, cells]"), "utf-8")
        result = ok(sync(anki, vault, out))
        assert ": 0 added, 3 updated, 0 retired" in result  # every note's tags, no field
        with anki.col() as col:
            assert sorted(col.get_note(nid_of(col, membrane)).tags) == ["biology", "cells", "exam::2025", "marked"]
            assert not col.find_notes("tag:bio -tag:biology")
    finally:
        anki.stop()


@pytest.mark.parametrize("mode", MODES)
def test_an_update_anki_passes_over_is_set_field_by_field(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a note synced from a device whose clock is a day ahead: its time in Anki is newer
    # than any package can say, so Anki's importer keeps it as it is; the sync reads
    # back what Anki holds and makes that update itself
    vault = vault_of(tmp_path, **{"bio.md": BIO})
    out = tmp_path / "out" / "vault.apkg"
    anki = anki_for(mode, tmp_path / "anki" / "collection.anki2")
    try:
        ok(sync(anki, vault, out))
        energy = guid_of(out, "energy")
        with anki.col() as col:
            col.db.execute("update notes set mod = ? where guid = ?", int(time.time()) + 86_400, energy)
        (vault / "bio.md").write_text(BIO.replace("The mitochondria", "The mitochondria, by respiration"), "utf-8")
        result = ok(sync(anki, vault, out))
        assert ": 0 added, 1 updated, 0 retired" in result
        with anki.col() as col:
            assert "by respiration" in col.get_note(nid_of(col, energy))["Back"]
        assert "already" in ok(sync(anki, vault, out))
    finally:
        anki.stop()


def test_an_update_anki_does_not_hold_is_reported_and_stays_pending(tmp_path: Path) -> None:
    # the importer passes the note over and the add-on's updateNoteFields does nothing
    # (a broken add-on): the sync says which note, does not record the deck as
    # delivered, and the next sync (the add-on fixed) applies it
    vault = vault_of(tmp_path, **{"bio.md": BIO})
    out = tmp_path / "out" / "vault.apkg"
    anki = anki_for("ankiconnect", tmp_path / "c.anki2")
    assert isinstance(anki, ViaAnkiConnect)
    try:
        ok(sync(anki, vault, out))
        energy = guid_of(out, "energy")
        with anki.col() as col:
            col.db.execute("update notes set mod = ? where guid = ?", int(time.time()) + 86_400, energy)
        (vault / "bio.md").write_text(BIO.replace("The mitochondria", "The mitochondria, by respiration"), "utf-8")
        working = anki.fake.actions["updateNoteFields"]
        anki.fake.actions["updateNoteFields"] = lambda note: None
        result = ok(sync(anki, vault, out))
        assert (
            ": 0 added, 0 updated, 0 retired; 1 not updated: changed in Anki after the build; run `cards sync` "
            "again to apply (What makes a cell's energy?)"
        ) in result
        assert Record.load(record_path(out)).targets[f"ankiconnect {anki.fake.url}"].digest is None
        anki.fake.actions["updateNoteFields"] = working
        assert ": 0 added, 1 updated, 0 retired" in ok(sync(anki, vault, out))  # no --force needed
        with anki.col() as col:
            assert "by respiration" in col.get_note(nid_of(col, energy))["Back"]
    finally:
        anki.stop()


# ------------------------------------------------------------------ bug 4: a field the user added


@pytest.mark.parametrize("mode", MODES)
def test_a_field_the_user_adds_keeps_its_content_and_delivery_goes_on(mode: str, tmp_path: Path) -> None:
    vault = vault_of(tmp_path, **{"bio.md": BIO, "geo.md": GEO})
    out = tmp_path / "out" / "vault.apkg"
    anki = anki_for(mode, tmp_path / "anki" / "collection.anki2")
    try:
        ok(sync(anki, vault, out))
        nucleus, wraps, paris = (guid_of(out, t) for t in ("genes", "wraps", "France"))
        with anki.col() as col:  # Tools › Manage Note Types › cards: basic › Fields › Add
            model = col.models.by_name("cards: basic")
            assert model is not None
            col.models.add_field(model, col.models.new_field("My mnemonic"))
            col.models.update_dict(model)
            note = col.get_note(nid_of(col, nucleus))
            note["My mnemonic"] = "nuclear family"
            col.update_note(note)
        # an answer edited, a fact deleted, a note moved, a fact added
        (vault / "bio.md").write_text(
            BIO.replace("The nucleus", "The nucleus, always").replace("- What wraps a cell?\n  - The membrane\n", "")
            + "- Which organelle builds proteins?\n  - The ribosome\n",
            "utf-8",
        )
        (vault / "places").mkdir()
        (vault / "geo.md").rename(vault / "places" / "geo.md")
        result = ok(sync(anki, vault, out))
        assert "; 1 added, 3 updated, 1 retired; wrote" in result  # the build
        assert ": 1 added, 3 updated (2 moved to another deck), 1 retired" in result  # the sync: the same
        with anki.col() as col:
            names = sorted(m["name"] for m in col.models.all() if m["name"].startswith("cards:"))
            assert names == ["cards: basic"]  # no "cards: basic+" copy
            assert fields_of(col, nid_of(col, nucleus)) == {
                **fields_of(col, nid_of(col, nucleus)),
                "Back": "<ul><li>The nucleus, always</li></ul>",
                "My mnemonic": "nuclear family",
            }
            assert col.get_note(nid_of(col, wraps)).has_tag("cards::retired")
            assert [d for _, d, _, _ in card_state(col, paris)] == ["vault::places"]
            moves = col.get_note(nid_of(col, guid_of(out, "builds proteins")))
            assert moves.mid == model["id"] and moves["My mnemonic"] == ""
        assert "already" in ok(sync(anki, vault, out))
    finally:
        anki.stop()


# ------------------------------------------------------------------ bug 3: two outputs, one fact


@pytest.mark.parametrize("mode", MODES)
def test_a_subfolder_synced_beside_the_whole_vault_gets_notes_of_its_own(mode: str, tmp_path: Path) -> None:
    vault = vault_of(tmp_path, **{"cells__bio.md": BIO, "geo.md": GEO})
    whole, part = tmp_path / "out" / "vault.apkg", tmp_path / "out" / "cells.apkg"
    anki = anki_for(mode, tmp_path / "anki" / "collection.anki2")
    try:
        ok(sync(anki, vault, whole))
        with anki.col() as col:
            before = {g: fields_of(col, nid_of(col, g)) for g in read_deck(whole).notes}
        result = ok(sync(anki, vault / "cells", part))
        assert ": 3 added, 0 updated, 0 retired" in result
        assert not set(read_deck(whole).notes) & set(read_deck(part).notes)
        with anki.col() as col:
            assert {
                g: fields_of(col, nid_of(col, g)) for g in read_deck(whole).notes
            } == before  # Source kept its folder
            assert len(col.find_notes('"What holds a cell*"')) == 2
        # the subfolder's output drops a fact (excluded there): the whole vault's card stays in play
        (vault / "cells" / "cards.toml").write_text('exclude = ["bio.md"]\n', "utf-8")
        (vault / "cells" / "more.md").write_text("- What is a ribosome?\n  - A protein factory\n", "utf-8")
        result = ok(sync(anki, vault / "cells", part))
        assert ": 1 added, 0 updated, 3 retired" in result
        assert ": 1 added, 0 updated, 0 retired" in ok(sync(anki, vault, whole))  # the ribosome: its own note
        with anki.col() as col:
            for guid in read_deck(whole).notes:
                assert all(q != -1 for _, _, q, _ in card_state(col, guid))
                assert not col.get_note(nid_of(col, guid)).has_tag("cards::retired")
    finally:
        anki.stop()


@pytest.mark.parametrize("mode", MODES)
def test_a_note_copied_into_a_second_vault_is_a_note_of_its_own(mode: str, tmp_path: Path) -> None:
    first = vault_of(tmp_path, "first", **{"bio.md": BIO})
    second = vault_of(tmp_path, "second", **{"copied.md": BIO, "geo.md": GEO})
    one, two = tmp_path / "out" / "first.apkg", tmp_path / "out" / "second.apkg"
    anki = anki_for(mode, tmp_path / "anki" / "collection.anki2")
    try:
        ok(sync(anki, first, one))
        result = ok(sync(anki, second, two))
        assert ": 5 added, 0 updated, 0 retired" in result
        with anki.col() as col:
            assert col.note_count() == 3 + 5
            rows = {g: col.db.all("select * from notes where guid = ?", g) for g in read_deck(one).notes}
        (second / "copied.md").unlink()  # the second vault drops the copy
        assert ": 0 added, 0 updated, 3 retired" in ok(sync(anki, second, two))
        assert "already" in ok(sync(anki, first, one))
        with anki.col() as col:
            assert {g: col.db.all("select * from notes where guid = ?", g) for g in read_deck(one).notes} == rows
            assert len(col.find_notes("tag:cards::retired")) == 3
    finally:
        anki.stop()


# ------------------------------------------------------------------ the rough edges


@pytest.mark.parametrize("mode", MODES)
def test_a_retired_card_answered_in_the_reviewer_is_suspended_again_by_a_plain_sync(mode: str, tmp_path: Path) -> None:
    vault = vault_of(tmp_path, **{"bio.md": BIO})
    out = tmp_path / "out" / "vault.apkg"
    anki = anki_for(mode, tmp_path / "anki" / "collection.anki2")
    try:
        ok(sync(anki, vault, out))
        wraps = guid_of(out, "wraps")
        (vault / "bio.md").write_text(BIO.replace("- What wraps a cell?\n  - The membrane\n", ""), "utf-8")
        assert ", 1 retired" in ok(sync(anki, vault, out))
        with anki.col() as col:  # shown in the reviewer as it was retired, then answered: unsuspended
            col.sched.unsuspend_cards(col.card_ids_of_note(nid_of(col, wraps)))
        assert ": 0 added, 0 updated, 1 retired" in ok(sync(anki, vault, out))  # no --force
        with anki.col() as col:
            assert [q for _, _, q, _ in card_state(col, wraps)] == [-1]
        assert "already" in ok(sync(anki, vault, out))
        # the user takes it out of retirement (untags it): it is theirs to keep
        with anki.col() as col:
            col.tags.bulk_remove([nid_of(col, wraps)], "cards::retired")  # type: ignore[list-item]
            col.sched.unsuspend_cards(col.card_ids_of_note(nid_of(col, wraps)))
        gone = BIO.replace("- What wraps a cell?\n  - The membrane\n", "")
        (vault / "bio.md").write_text(gone.replace("The nucleus", "The nucleus!"), "utf-8")
        result = ok(sync(anki, vault, out))
        assert ": 0 added, 1 updated, 0 retired (1 left in play: taken out of retirement in Anki)" in result
        with anki.col() as col:
            assert [q for _, _, q, _ in card_state(col, wraps)] == [0]
    finally:
        anki.stop()


@pytest.mark.parametrize("mode", MODES)
def test_a_vanished_note_edited_in_anki_is_retired_in_both_modes_and_the_lines_agree(mode: str, tmp_path: Path) -> None:
    vault = vault_of(tmp_path, **{"bio.md": BIO})
    out = tmp_path / "out" / "vault.apkg"
    anki = anki_for(mode, tmp_path / "anki" / "collection.anki2")
    try:
        ok(sync(anki, vault, out))
        wraps = guid_of(out, "wraps")
        with anki.col() as col:  # the user fixes the answer in Anki
            note = col.get_note(nid_of(col, wraps))
            note["Back"] = "<ul><li>The cell membrane</li></ul>"
            col.update_note(note)
        assert "already" in ok(sync(anki, vault, out))
        (vault / "bio.md").write_text(BIO.replace("The nucleus", "The nucleus."), "utf-8")  # another edit
        result = ok(sync(anki, vault, out))
        assert "; 0 added, 1 updated, 0 retired; wrote" in result  # the build's line
        assert ": 0 added, 1 updated, 0 retired" in result  # the sync's: the user's edit is left as it is
        with anki.col() as col:
            assert col.get_note(nid_of(col, wraps))["Back"] == "<ul><li>The cell membrane</li></ul>"
        edited = BIO.replace("The nucleus", "The nucleus.")
        (vault / "bio.md").write_text(edited.replace("- What wraps a cell?\n  - The membrane\n", ""), "utf-8")
        result = ok(sync(anki, vault, out))
        assert "; 0 added, 0 updated, 1 retired; wrote" in result
        assert ": 0 added, 0 updated, 1 retired" in result
        with anki.col() as col:
            assert col.get_note(nid_of(col, wraps)).has_tag("cards::retired")
        # it comes back: the build adds it, the sync adds it back (revives it), same words
        (vault / "bio.md").write_text(edited, "utf-8")
        result = ok(sync(anki, vault, out))
        assert "; 1 added, 0 updated, 0 retired; wrote" in result
        assert ": 1 added (1 revived), 0 updated, 0 retired" in result
        assert "; 1 kept as edited in Anki (unchanged in the notes since)" in result
        with anki.col() as col:
            assert col.get_note(nid_of(col, wraps))["Back"] == "<ul><li>The cell membrane</li></ul>"
            assert [q for _, _, q, _ in card_state(col, wraps)] == [0]
    finally:
        anki.stop()


@pytest.mark.parametrize("mode", MODES)
def test_decks_left_empty_that_only_cards_made_are_removed(mode: str, tmp_path: Path) -> None:
    vault = vault_of(tmp_path, **{"old__bio.md": BIO, "geo.md": GEO})
    out = tmp_path / "out" / "vault.apkg"
    anki = anki_for(mode, tmp_path / "anki" / "collection.anki2")
    with anki.col() as col:
        col.decks.id("vault::kept")  # a deck the user made first (empty): never ours to remove
        col.decks.id("Mine")
    try:
        ok(sync(anki, vault, out))
        (vault / "new").mkdir()
        (vault / "old" / "bio.md").rename(vault / "new" / "bio.md")
        result = ok(sync(anki, vault, out))
        assert ": 0 added, 3 updated (3 moved to another deck), 0 retired (" in result
        assert "removed 1 empty deck(s)" in result
        with anki.col() as col:
            names = {d.name for d in col.decks.all_names_and_ids()}
            assert "vault::old" not in names
            assert {"vault", "vault::new", "vault::kept", "Mine", "Default"} <= names
        result = ok(
            CliRunner().invoke(
                main, ["sync", str(vault), "-o", str(out), "--deck", "Biology", *anki.args()], catch_exceptions=False
            )
        )
        assert ": 0 added, 5 updated (5 moved to another deck), 0 retired (" in result  # the build: 5 updated
        assert "removed 1 empty deck(s)" in result
        with anki.col() as col:
            names = {d.name for d in col.decks.all_names_and_ids()}
            assert "vault::new" not in names and "Biology::new" in names
            assert {"vault", "vault::kept"} <= names  # the user made them (vault as vault::kept's parent)
    finally:
        anki.stop()


def test_after_an_ankiconnect_delivery_anki_shows_the_new_deck_list(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, **{"bio.md": BIO})
    out = tmp_path / "out" / "vault.apkg"
    anki = anki_for("ankiconnect", tmp_path / "c.anki2")
    assert isinstance(anki, ViaAnkiConnect)
    try:
        ok(sync(anki, vault, out))
        assert anki.fake.calls[-2:] == ["guiReviewActive", "guiDeckBrowser"]
        anki.fake.reviewing = True  # never pulled out of a review
        (vault / "bio.md").write_text(BIO.replace("The nucleus", "The nucleus."), "utf-8")
        ok(sync(anki, vault, out))
        assert anki.fake.calls[-1] == "guiReviewActive"
    finally:
        anki.stop()


def prefs(base: Path, signed_in: bool) -> None:
    import pickle
    import sqlite3

    base.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(base / "prefs21.db")
    conn.execute("create table profiles (name text primary key, data blob not null)")
    conn.execute("insert into profiles values ('_global', ?)", (pickle.dumps({"last_loaded_profile_name": "User 1"}),))
    conn.execute("insert into profiles values ('User 1', ?)", (pickle.dumps({"syncKey": "k" if signed_in else None}),))
    conn.commit()
    conn.close()


def test_ankiweb_without_a_login_is_refused_before_anything_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefs(tmp_path / "Anki2", signed_in=False)
    monkeypatch.setenv("ANKI_BASE", str(tmp_path / "Anki2"))
    vault = vault_of(tmp_path, **{"bio.md": BIO})
    out = tmp_path / "out" / "vault.apkg"
    anki = anki_for("ankiconnect", tmp_path / "c.anki2")
    assert isinstance(anki, ViaAnkiConnect)
    try:
        result = sync(anki, vault, out, "--ankiweb")
        assert result.exit_code == 5
        assert (
            f"Error: Anki via AnkiConnect ({anki.fake.url}) is not signed in to AnkiWeb, so --ankiweb would only open "
            "Anki's login window: sign in once in Anki (the Sync button), then sync again; nothing was changed"
        ) in result.output
        assert "sync" not in anki.fake.calls and "importPackage" not in anki.fake.calls and not out.exists()
        prefs_path = tmp_path / "Anki2" / "prefs21.db"
        prefs_path.unlink()
        prefs(tmp_path / "Anki2", signed_in=True)
        assert "(asked Anki to sync with AnkiWeb)" in ok(sync(anki, vault, out, "--ankiweb"))
        assert anki.fake.calls[-1] == "sync"
    finally:
        anki.stop()


def test_a_stopped_anki_or_a_wrong_profile_is_told_before_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    vault = vault_of(tmp_path, **{"bio.md": BIO})
    out = tmp_path / "out" / "vault.apkg"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    result = CliRunner().invoke(main, ["sync", str(vault), "-o", str(out), "--anki-connect", url])
    assert result.exit_code == 4 and "Error: Anki is not running at" in result.output
    assert not out.exists()  # nothing was built
    (tmp_path / "Anki2" / "User 1").mkdir(parents=True)
    Collection(str(tmp_path / "Anki2" / "User 1" / "collection.anki2")).close()
    monkeypatch.setenv("ANKI_BASE", str(tmp_path / "Anki2"))
    result = CliRunner().invoke(main, ["sync", str(vault), "-o", str(out), "--profile", "User1"])
    assert result.exit_code == 2 and "no Anki profile 'User1'" in result.output
    assert not out.exists()


def test_the_api_key_from_the_environment_or_cards_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = vault_of(tmp_path, **{"bio.md": BIO})
    out = tmp_path / "out" / "vault.apkg"
    Collection(str(tmp_path / "c.anki2")).close()
    anki = ViaAnkiConnect(tmp_path / "c.anki2", api_key="s3cret")
    try:
        monkeypatch.setenv("CARDS_API_KEY", "s3cret")
        ok(sync(anki, vault, out))
        monkeypatch.delenv("CARDS_API_KEY")
        (vault / "bio.md").write_text(BIO.replace("The nucleus", "The nucleus."), "utf-8")
        assert sync(anki, vault, out).exit_code == 5  # no key: refused
        (vault / "cards.toml").write_text(f'[sync]\napi_key = "s3cret"\nanki_connect = "{anki.fake.url}"\n', "utf-8")
        result = CliRunner().invoke(main, ["sync", str(vault), "-o", str(out)], catch_exceptions=False)
        assert ": 0 added, 1 updated" in ok(result)  # the address from cards.toml too
        monkeypatch.setenv("CARDS_API_KEY", "wrong")  # the environment wins over the file
        assert "a wrong API key was given" in sync(anki, vault, out, "--force").output
    finally:
        anki.stop()


def test_anki_dying_during_the_import_is_said_so_and_the_next_sync_finishes(tmp_path: Path) -> None:
    from fake_ankiconnect import FakeAnkiConnect

    vault = vault_of(tmp_path, **{"bio.md": BIO})
    out = tmp_path / "out" / "vault.apkg"
    col_path = tmp_path / "c.anki2"
    Collection(str(col_path)).close()
    fake = FakeAnkiConnect(col_path, crash_on={"importPackage"})
    try:
        result = CliRunner().invoke(main, ["sync", str(vault), "-o", str(out), "--anki-connect", fake.url])
        assert result.exit_code == 4
        assert (
            f"Error: Anki stopped answering at {fake.url} during importPackage (the connection closed without an "
            "answer): was it closed, or did it crash? Start it again and run cards sync: it finishes this delivery"
        ) in result.output
        assert "not running" not in result.output and "Traceback" not in result.output
    finally:
        fake.stop()
    port = int(fake.url.rsplit(":", 1)[1])
    fake = FakeAnkiConnect(col_path, port=port)  # Anki started again
    try:
        result = CliRunner().invoke(
            main, ["sync", str(vault), "-o", str(out), "--anki-connect", fake.url], catch_exceptions=False
        )
        assert ": 3 added, 0 updated, 0 retired" in ok(result)
    finally:
        fake.stop()


def test_a_dry_run_reads_the_notes_through_the_cache(tmp_path: Path) -> None:
    from cards.deliver.sync import dry_build
    from cards.pipeline.run import build

    vault = vault_of(tmp_path, **{"bio.md": BIO, "geo.md": GEO, "more.md": GEO.replace("Capitals", "More")})
    out = tmp_path / "out" / "vault.apkg"
    build([vault], out)
    deck = out.read_bytes()
    with dry_build([vault], out) as result:
        assert result.collected.parsed == 0  # nothing parsed again: the cache knew every note
        assert read_deck(result.output).notes.keys() == read_deck(out).notes.keys()
    (vault / "bio.md").write_text(BIO.replace("The nucleus", "The nucleus."), "utf-8")
    with dry_build([vault], out) as result:
        assert result.collected.parsed == 1
        assert result.changes.updated and not result.changes.added
    assert out.read_bytes() == deck
