"""The defect classes the hard rules own never reach Anki, and good facts still do: a
vault of the ``golden/never`` notes beside a note of good facts, in a real Anki
collection. (What the score still keeps of the never notes: tests/test_golden/never__*.yml.)"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from ankiclient import TEMPLATE_ERRORS, import_deck, open_collection, rendered, strip_tags
from click.testing import CliRunner

from cards.cli import main

NEVER = Path(__file__).resolve().parent / "golden" / "never"
pytestmark = pytest.mark.anki

#: One fact of each mined kind, stated as people write them: every one a card.
GOOD = """\
# Cells

## Respiration

- Mitochondria make **ATP** from glucose and oxygen in the cell.
- Why does a cell need oxygen?
  - It accepts the electrons at the end of the transport chain.
- Competitive inhibitor
  - Binds the active site and competes with the substrate for it.

## How to prepare a slide for the microscope

1. **Fix** the cells with heat
2. **Stain** them with crystal violet
3. **Rinse** with water
"""
GOOD_CARDS = 6  # a phrase, a question, a term, three steps


def test_the_defect_notes_give_no_card_in_anki_and_good_facts_still_do(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(NEVER, vault)
    (vault / "good.md").write_text(GOOD, "utf-8")
    deck = tmp_path / "deck.apkg"
    result = CliRunner().invoke(main, ["build", str(vault), "-o", str(deck)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    col = open_collection(tmp_path)
    try:
        log = import_deck(col, deck)
        assert log.new == col.note_count()
        sources: list[str] = []
        for card_id in col.find_cards(""):
            question, answer = rendered(col, card_id)
            assert strip_tags(question) and strip_tags(answer) and not TEMPLATE_ERRORS.search(question + answer)
            sources.append(re.search(r'<div class="source">([^<:]+):', answer).group(1))  # type: ignore[union-attr]
            for hidden in re.findall(r'data-cloze="([^"]*)"', question):
                text = html.unescape(hidden)
                assert len(text) > 2 and not text.rstrip().endswith((":", "：")), text
            assert not re.search(r"\*\*|==|\[\[|\(\(|\{:|<!--", strip_tags(question) + strip_tags(answer))
        assert sources.count("good.md") == GOOD_CARDS
    finally:
        col.close()
