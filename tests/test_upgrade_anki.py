"""A deck built by an earlier release updates in place after the upgrade, reviews kept.

``tests/fixtures/upgrade/deck.apkg`` and its state file were built from
``tests/fixtures/upgrade/notes/`` by the release before the card syntaxes of other tools
were read (commit 3dd6c3f: ``SOURCE_DATE_EPOCH=1700000000 cards build notes -o deck.apkg
--no-cache``). A user who studied that deck, upgrades and rebuilds must see every card
updated in place (a new note type joined the deck; ours kept their ids, fields and
templates), none duplicated, none conflicting, and every review kept.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from ankiclient import TEMPLATE_ERRORS, import_deck, open_collection, rendered, strip_tags, study_everything

from cards.pipeline.run import build

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "upgrade"
pytestmark = pytest.mark.anki


def test_a_deck_from_the_last_release_updates_in_place_with_reviews_kept(tmp_path: Path) -> None:
    notes = shutil.copytree(FIXTURE / "notes", tmp_path / "notes")
    out = tmp_path / "out" / "deck.apkg"
    out.parent.mkdir()
    shutil.copy(FIXTURE / "deck.apkg", out)
    shutil.copy(FIXTURE / "deck.apkg.cards-state.json", out.parent / "deck.apkg.cards-state.json")

    col = open_collection(tmp_path)
    try:
        first = import_deck(col, out)
        assert first.new == col.note_count() == 20 and col.card_count() == 21
        studied = study_everything(col)  # a cloze note's second card is buried until tomorrow
        reviews = {
            (col.get_note(c.nid).guid, c.ord): (c.reps, c.ivl, c.type) for c in map(col.get_card, col.find_cards(""))
        }
        assert studied >= 20 and sum(reps == 1 for reps, _, _ in reviews.values()) == studied

        result = build([notes], out, now=1_700_000_000 + 86_400)
        # the score keeps another set of cards than the last release's rules: what it
        # drops is reported retired, and Anki keeps it (imports never delete) with its
        # reviews; what it adds is new; every card it keeps is the same note, in place
        added, retired = len(result.changes.added), len(result.changes.retired)
        assert retired < 20
        second = import_deck(col, out)  # every note known by its GUID: only the added new, none conflicting
        assert (second.new, second.conflicting, second.updated + second.duplicate) == (added, 0, 20 - retired)
        explicit = notes / "explicit.md"
        explicit.write_text(
            explicit.read_text("utf-8").replace("The critic model.", "The critic (value) model."), "utf-8"
        )
        result = build([notes], out, now=1_700_000_000 + 2 * 86_400)
        assert len(result.changes.updated) == 1 and not result.changes.added and not result.changes.retired
        third = import_deck(col, out)
        assert (third.new, third.updated, third.conflicting) == (0, 1, 0)
        assert col.note_count() == 20 + added
        after = {
            (col.get_note(c.nid).guid, c.ord): (c.reps, c.ivl, c.type) for c in map(col.get_card, col.find_cards(""))
        }
        assert {k: v for k, v in after.items() if k in reviews} == reviews  # every review kept
        for card_id in col.find_cards(""):
            question, answer = rendered(col, card_id)
            assert strip_tags(question) and strip_tags(answer)
            assert not TEMPLATE_ERRORS.search(question + answer)
        ours = sorted(m["name"] for m in col.models.all() if m["name"].startswith("cards:"))
        assert ours == ["cards: basic", "cards: cloze"]  # no "cards: basic+" copy: the note types did not change
    finally:
        col.close()


@pytest.mark.parametrize("mode", ["direct", "ankiconnect"])
def test_a_synced_deck_from_the_last_release_keeps_its_guids_and_reviews(mode: str, tmp_path: Path) -> None:
    # GUIDs are scoped by output now (ids.scoped_guid); a deck the last release built and
    # delivered keeps every GUID it has (the state carries them), so every card it
    # delivered updates in place with its reviews; a fact new to one of its notes takes
    # that note's scheme, a new note the scoped one
    from anki.collection import Collection
    from test_sync_anki import Direct, ViaAnkiConnect, sync

    from cards.deck.ids import guid_from, key_of, scoped_guid
    from cards.deck.state import State, state_path
    from cards.deliver.contents import read_deck

    notes = shutil.copytree(FIXTURE / "notes", tmp_path / "notes")
    out = tmp_path / "out" / "deck.apkg"
    out.parent.mkdir()
    shutil.copy(FIXTURE / "deck.apkg", out)
    shutil.copy(FIXTURE / "deck.apkg.cards-state.json", state_path(out))
    old = set(read_deck(out).notes)
    col_path = tmp_path / "anki" / "collection.anki2"
    col_path.parent.mkdir()
    col = Collection(str(col_path))
    try:
        import_deck(col, out)  # delivered by the last release (its sync imported this very deck)
        study_everything(col)
        reviewed = {col.get_note(c.nid).guid: c.reps for c in map(col.get_card, col.find_cards(""))}
    finally:
        col.close()
    anki = Direct(col_path) if mode == "direct" else ViaAnkiConnect(col_path)
    try:
        (notes / "questions.md").write_text(
            (notes / "questions.md").read_text("utf-8") + "\n- What is a new question?\n  - A new answer.\n", "utf-8"
        )
        (notes / "fresh.md").write_text("- What is in a new note?\n  - A fresh answer.\n", "utf-8")
        (notes / "cards.toml").write_text('density = "all"\n', "utf-8")  # the two new facts, whatever they score
        result = sync(anki, notes, out)
        assert result.exit_code == 0, result.output
        added = int(re.search(r": (\d+) added, ", result.output).group(1))  # type: ignore[union-attr]
        now = read_deck(out).notes
        assert added >= 2 and len(set(now) - old) == added
        entries = State.load(state_path(out)).entries
        new_q = next(g for g, e in entries.items() if e.identity == "What is a new question?")
        fresh = next(g for g, e in entries.items() if e.identity == "What is in a new note?")
        assert new_q == guid_from(entries[new_q].key)  # the old scheme, as its note's other cards
        assert fresh == scoped_guid(key_of("basic", "qa", "What is in a new note?"), "notes")
        with anki.col() as col:
            after = {col.get_note(c.nid).guid: c.reps for c in map(col.get_card, col.find_cards(""))}
            assert {g: n for g, n in after.items() if g in reviewed} == reviewed  # every review kept, no duplicate
            assert col.note_count() == len(old) + added
    finally:
        anki.stop()
