"""Parity: what ``cards preview --json`` shows is what Anki shows, card for card.

Builds the deck with ``cards build``, imports it into a collection of the official
``anki`` package, and compares every card's rendered question and answer text with
the preview's (tags stripped, entities unescaped, whitespace collapsed), matching cards
by (note GUID, ordinal = card.ord + 1). Runs on sample_notes/ and on a vault with every
card kind, hand-written clozes (c1/c2, a hint), math, CJK and a local image.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from ankiclient import TEMPLATE_ERRORS, import_deck, open_collection, strip_tags
from click.testing import CliRunner
from test_preview import all_kinds_vault

from cards.cli import main
from cards.config import KINDS

pytestmark = pytest.mark.anki

SAMPLE = Path(__file__).resolve().parent.parent / "sample_notes"


def _cli(*args: str | Path) -> Any:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(params=["sample_notes", "all_kinds"])
def vault(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "sample_notes":
        return shutil.copytree(SAMPLE, tmp_path / "sample_notes")
    return all_kinds_vault(tmp_path / "all_kinds")


def test_preview_question_and_answer_equal_what_anki_renders(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    _cli("build", vault, "-o", out)
    objects = json.loads(_cli("preview", vault, "--json", "-o", out).stdout)
    assert {o["kind"] for o in objects} == set(KINDS)
    preview = {(o["guid"], o["ordinal"]): o for o in objects}
    assert len(preview) == len(objects), "two preview objects for one Anki card"

    (tmp_path / "anki").mkdir()
    col = open_collection(tmp_path / "anki")
    try:
        imported = import_deck(col, out)
        assert imported.new == len({o["guid"] for o in objects})
        card_ids = col.find_cards("")
        assert len(card_ids) == len(objects)
        seen = set()
        for cid in card_ids:
            card = col.get_card(cid)
            key = (card.note().guid, card.ord + 1)
            assert key in preview, f"Anki has a card the preview does not show: {key}"
            seen.add(key)
            obj = preview[key]
            output = card.render_output()
            where = f"{obj['source']['path']}:{obj['source']['line']} c{obj['ordinal']}"
            assert not TEMPLATE_ERRORS.search(output.question_text + output.answer_text), where
            assert strip_tags(obj["question"]) == strip_tags(output.question_text), where
            assert strip_tags(obj["answer"]) == strip_tags(output.answer_text), where
            # the faces themselves, not only their text
            assert obj["question"] == output.question_text, where
            assert obj["answer"] == output.answer_text, where
            assert col.decks.name(card.did) == obj["deck"], where
            assert sorted(card.note().tags) == sorted(t.replace(" ", "_") for t in obj["tags"]), where
        assert seen == set(preview)
    finally:
        col.close()
