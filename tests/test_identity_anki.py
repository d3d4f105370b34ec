"""Everyday edits keep every review: build, import, study, edit, rebuild, re-import.

Each edit below is applied on its own, then the deck is rebuilt with a later build
time and re-imported into the same real Anki collection with default options.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from ankiclient import (
    TEMPLATE_ERRORS,
    import_deck,
    note_id_for_guid,
    open_collection,
    rendered,
    reviews,
    study_everything,
)

from cards.deck.state import state_path
from cards.pipeline.run import build

pytestmark = pytest.mark.anki

PIPELINE = """\
# Training notes

## Pipeline
1. **Collect data** from forums
   - crawl public pages
2. **Clean data**
   - drop duplicates
3. **Train the model**
   - GRPO with rule rewards

## Facts
- In GRPO the critic is replaced by a **group baseline** of sampled answers.
- Why do answers grow lnoger during RL?
  - The model learns to think before it answers.
- What is the reward for format?
  - A bonus when the reasoning sits inside think tags.

Q: What does SFT stand for?
A: Supervised fine-tuning.
"""


@dataclass
class Edit:
    name: str
    apply: Callable[[Path], Path]  # returns the (possibly new) path of the note
    new_cards: int  # cards that are new facts after this edit
    shows: str  # text Anki must show somewhere after the edit


def _replace(old: str, new: str) -> Callable[[Path], Path]:
    def apply(note: Path) -> Path:
        text = note.read_text("utf-8")
        assert old in text, old
        note.write_text(text.replace(old, new), "utf-8")
        return note

    return apply


def _move(note: Path) -> Path:
    target = note.parent / "archive" / "2025" / "rl-training.md"
    target.parent.mkdir(parents=True)
    shutil.move(note, target)
    return target


EDITS = [
    Edit(
        "answer edited",
        _replace("Supervised fine-tuning.", "Supervised fine-tuning on curated chats."),
        0,
        "curated chats",
    ),
    Edit("typo in question fixed", _replace("grow lnoger", "grow longer"), 0, "grow longer"),
    Edit(
        "phrase sentence reworded", _replace("of sampled answers.", "of several sampled answers."), 0, "several sampled"
    ),
    Edit(
        "step inserted before",
        _replace("2. **Clean data**", "2. **Filter spam**\n   - a small classifier\n3. **Clean data**"),
        1,
        "Filter spam",
    ),
    Edit(
        "bullets reordered",
        _replace(
            "- Why do answers grow longer during RL?\n  - The model learns to think before it answers.\n"
            "- What is the reward for format?\n  - A bonus when the reasoning sits inside think tags.\n",
            "- What is the reward for format?\n  - A bonus when the reasoning sits inside think tags.\n"
            "- Why do answers grow longer during RL?\n  - The model learns to think before it answers.\n",
        ),
        0,
        "think tags",
    ),
    Edit("section heading renamed", _replace("## Facts", "## Key facts"), 0, "Key facts"),
    Edit("note moved and renamed", _move, 0, "rl-training"),
]


def _cloze_reveal(answer_html: str) -> str:
    match = re.search(r'<span class="cloze" data-ordinal="1">(.*?)</span>', answer_html, re.S)
    return match.group(1) if match else ""


def test_everyday_edits_keep_reviews(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "rl.md"
    note.write_text(PIPELINE, "utf-8")
    deck = tmp_path / "out" / "vault.apkg"
    now = 1_700_000_000
    first = build([vault], deck, now=now)
    kinds = {c.kind for c in first.identified.cards}
    assert kinds == {"steps", "phrases", "qa"}

    col = open_collection(tmp_path)
    try:
        assert import_deck(col, deck).new == len(first.identified.cards)
        assert study_everything(col) == col.card_count()
        studied = {c.guid: note_id_for_guid(col, c.guid) for c in first.identified.cards}
        reveal = {}
        for guid, nid in studied.items():
            (cid,) = col.card_ids_of_note(nid)
            assert reviews(col, cid) == 1
            reveal[guid] = _cloze_reveal(rendered(col, cid)[1])

        notes = col.note_count()
        for edit in EDITS:
            now += 100
            note = edit.apply(note)
            result = build([vault], deck, now=now)
            assert result.written, edit.name
            log = import_deck(col, deck)
            # Anki's "duplicate" is an existing note it skipped as unchanged, not a copy
            assert (log.new, log.conflicting) == (edit.new_cards, 0), edit.name
            assert log.updated >= 1, edit.name
            assert log.new + log.updated + log.duplicate == len(result.identified.cards)
            notes += edit.new_cards
            assert col.note_count() == notes, f"{edit.name}: a stale duplicate was left behind"

            # every studied card is still there with its review, and asks the same fact
            for guid, nid in studied.items():
                assert note_id_for_guid(col, guid) == nid, f"{edit.name}: {guid} lost"
                (cid,) = col.card_ids_of_note(nid)
                assert reviews(col, cid) == 1, f"{edit.name}: reviews of {guid} lost"
                assert col.get_card(cid).type == 2, f"{edit.name}: {guid} is no longer a review card"
                if reveal[guid]:
                    assert _cloze_reveal(rendered(col, cid)[1]) == reveal[guid], edit.name
            shown = " ".join(" ".join(rendered(col, cid)) for cid in col.find_cards(""))
            assert edit.shows in shown, f"{edit.name}: Anki does not show the edit"
            assert not TEMPLATE_ERRORS.search(shown)

        # the inserted step is a new, unstudied card; the others are the studied ones
        new = [c for c in result.identified.cards if c.guid not in studied]
        assert [(c.kind, c.identity) for c in new] == [("steps", "Filter spam")]
        (cid,) = col.card_ids_of_note(note_id_for_guid(col, new[0].guid))
        assert reviews(col, cid) == 0
    finally:
        col.close()


def test_a_different_fact_is_a_new_card_and_the_old_one_is_reported(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "rl.md"
    note.write_text(PIPELINE, "utf-8")
    deck = tmp_path / "vault.apkg"
    before = build([vault], deck, now=1_700_000_000)
    note.write_text(PIPELINE.replace("What is the reward for format?", "Which optimiser trains the policy?"), "utf-8")
    after = build([vault], deck, now=1_700_000_100)
    old = {c.identity: c.guid for c in before.identified.cards}
    new = {c.identity: c.guid for c in after.identified.cards}
    assert new["Which optimiser trains the policy?"] not in old.values()
    assert after.changes.retired == (old["What is the reward for format?"],)
    col = open_collection(tmp_path)
    try:
        import_deck(col, deck)  # Anki never deletes on import: the retired note stays
        assert col.note_count() == len(new)
    finally:
        col.close()


def test_losing_the_state_keeps_unchanged_cards(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "rl.md").write_text(PIPELINE, "utf-8")
    deck = tmp_path / "vault.apkg"
    first = build([vault], deck, now=1_700_000_000)
    state_path(deck).unlink()
    second = build([vault], deck, now=1_700_000_100)
    assert [c.guid for c in first.identified.cards] == [c.guid for c in second.identified.cards]
