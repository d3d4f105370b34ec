"""Cards written for other tools, built from the golden notes and imported into real Anki.

Every card Anki makes from ``tests/golden/<syntax>/`` renders a question and an answer
with no template error and no leftover of the syntax that wrote it (``START``, a lone
``?``, ``::``, ``<!--``, ``#card``, ``collapsed::`` …); fronts, backs, cloze numbers,
decks and tags are the ones the syntax asks for.
"""

from __future__ import annotations

import html as html_module
import json
import re
import shutil
from pathlib import Path

import pytest
from ankiclient import TEMPLATE_ERRORS, import_deck, open_collection, rendered, strip_tags
from click.testing import CliRunner

from cards.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden"
SYNTAXES = ("o2a", "osr", "details", "callouts", "logseq")
pytestmark = pytest.mark.anki

#: What no card may show: the markers of the syntaxes (code spans are left out first).
LEFTOVERS = re.compile(
    r"\bSTARTI?\b|\bENDI?\b|TARGET DECK|FILE TAGS|::|<!--|-->|#card|\[\[card\]\]|collapsed|card-repeats|card-next"
    r"|\[!\w+\]|<details|<summary|\{\{cloze|\^\^|==|;;|#flashcards|\bTags:|\bBack:|\bFront:"
)
LONE_SEPARATOR = re.compile(r"(?:^|<br>|<p>|\n)\s*\?{1,2}\s*(?:<br>|</p>|\n|$)")


def leftovers(html: str) -> list[str]:
    """Syntax markers left on a rendered face (inside <code> they are the note's text)."""
    without_code = re.sub(r"<code>.*?</code>|<pre>.*?</pre>", "", html, flags=re.S)
    text = strip_tags(without_code)
    return LEFTOVERS.findall(text) + LONE_SEPARATOR.findall(without_code)


def build_and_import(
    syntax: str, tmp_path: Path
) -> tuple[list[dict], dict[tuple[str, int], tuple[str, str, str, list[str]]]]:
    """The golden notes of ``syntax`` built and imported into Anki, at density ``all``:
    every candidate that breaks no hard rule must render cleanly in Anki, whether or not
    the score keeps it (what ``normal`` keeps: tests/golden/)."""
    vault = shutil.copytree(GOLDEN / syntax, tmp_path / syntax)
    deck = tmp_path / "deck.apkg"
    result = CliRunner().invoke(
        main, ["build", str(vault), "-o", str(deck), "--density", "all"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    preview = CliRunner().invoke(
        main, ["preview", str(vault), "--json", "-o", str(deck), "--density", "all"], catch_exceptions=False
    )
    objects = json.loads(preview.stdout)
    col = open_collection(tmp_path)
    try:
        log = import_deck(col, deck)
        assert (log.updated, log.duplicate, log.conflicting) == (0, 0, 0)
        assert log.new == len({o["guid"] for o in objects}) == col.note_count()
        assert col.card_count() == len(objects)
        faces: dict[tuple[str, int], tuple[str, str, str, list[str]]] = {}
        for card_id in col.find_cards(""):
            card = col.get_card(card_id)
            note = card.note()
            question, answer = rendered(col, card_id)
            faces[(note.guid, card.ord + 1)] = (question, answer, col.decks.name(card.did), note.tags)
        return objects, faces
    finally:
        col.close()


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_every_written_card_renders_in_anki_without_its_markers(syntax: str, tmp_path: Path) -> None:
    objects, faces = build_and_import(syntax, tmp_path)
    assert len(faces) >= 2
    for (guid, ordinal), (question, answer, deck, tags) in faces.items():
        assert strip_tags(question) and strip_tags(answer), (guid, ordinal)
        assert not TEMPLATE_ERRORS.search(question + answer), question + answer
        assert leftovers(question) == [] and leftovers(answer) == [], (question, answer)
        preview = next(o for o in objects if o["guid"] == guid and o["ordinal"] == ordinal)
        assert preview["deck"] == deck and sorted(preview["tags"]) == sorted(tags)


def _part(html: str, css: str) -> str:
    """The text of the template's ``<div class="css">`` (our faces: question, answer, extra),
    read as a learner reads it: inline tags join words, block tags separate them."""
    found = re.search(rf'<div class="{css}">(.*?)</div>(?:\n|$)', html, re.S)
    if not found:
        return ""
    blocks = re.sub(r"<br>|</?(?:p|li|ul|ol|div|pre)\b[^>]*>", " ", found.group(1))
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", "", blocks)).split())


def _cards(faces: dict[tuple[str, int], tuple[str, str, str, list[str]]]) -> list[tuple[str, str, str, list[str]]]:
    """(question, answer, deck, tags) per Anki card, as the learner reads them: a basic
    card's answer is its answer div, a cloze's the revealed text and its Extra."""
    out = []
    for question, answer, deck, tags in faces.values():
        back = _part(answer, "answer") or " ".join(filter(None, (_part(answer, "question"), _part(answer, "extra"))))
        out.append((_part(question, "question"), back, deck, sorted(tags)))
    return sorted(out)


def test_spaced_repetition_cards_decks_and_reversed_pairs(tmp_path: Path) -> None:
    _, faces = build_and_import("osr", tmp_path)
    cards = _cards(faces)
    by_question = {q: (a, deck) for q, a, deck, _ in cards}
    assert by_question["What is the capital of Peru?"] == ("Lima", "osr")
    # a reversed pair: one note, two cards, each side asks the other
    assert by_question["Mitosis"][0] == "cell division that gives two identical daughter cells"
    assert by_question["cell division that gives two identical daughter cells"][0] == "Mitosis"
    assert by_question["Which enzyme unwinds DNA?"][0] == "Helicase."
    assert by_question["Helicase."][0] == "Which enzyme unwinds DNA?"
    assert by_question["Name the four bases of DNA"][0] == "adenine cytosine guanine thymine"
    # deck tags: a tag line sets the deck of the cards after it; a tag starting a card is its own
    assert by_question["What is the powerhouse of the cell?"][1] == "osr::biology::cells"
    assert by_question["Which element has the symbol Na?"][1] == "osr::chemistry"
    assert by_question["Still in biology/cells?"][1] == "osr::biology::cells"
    assert by_question["What is the SI unit of force?"][1] == "osr::physics"
    # clozes: one card per unnumbered deletion; numbered ones share a note with their numbers
    clozes = [q for q in by_question if "[...]" in q or "[a country]" in q]
    assert "The first female prime minister of Australia was [...]." in clozes
    assert "The [...] makes ATP by oxidative phosphorylation." in clozes
    assert "The mitochondrion makes [...] by oxidative phosphorylation." in clozes
    assert "Paris is the capital of [a country] and Rome of Italy." in clozes
    assert "Paris is the capital of France and [...] of Italy." in clozes
    numbered = [key for key, face in faces.items() if "Paris is the capital" in strip_tags(face[0])]
    assert len({guid for guid, _ in numbered}) == 1 and sorted(o for _, o in numbered) == [1, 2]
    # outside a flashcard note: no Dataview field, no code, but the unambiguous forms
    assert "What does DNS stand for?" in by_question and "Which layer does IP belong to?" in by_question
    assert not any("Rating" in q or "std" in q for q in by_question)


def test_obsidian_to_anki_blocks_decks_tags_and_clozes(tmp_path: Path) -> None:
    _, faces = build_and_import("o2a", tmp_path)
    cards = _cards(faces)
    by_question = {q: (a, deck, tags) for q, a, deck, tags in cards}
    assert by_question["What is the powerhouse of the cell?"] == (
        "The mitochondrion.",
        "o2a",
        ["cell-biology", "organelles"],
    )
    assert by_question["What does a ribosome make?"][0] == "Proteins, from the mRNA it reads."
    assert by_question["ribosome"][0] == "the organelle that translates mRNA into protein"
    assert by_question["the organelle that translates mRNA into protein"][0] == "ribosome"
    assert by_question["What does ATP stand for?"] == ("Adenosine triphosphate.", "Biology::Cells", ["biology", "exam"])
    assert by_question["nucleus"][1:] == ("Biology::Cells", ["biology", "exam"])
    assert by_question["The [...] makes ATP."][0].endswith("by oxidative phosphorylation")
    assert by_question["The mitochondrion makes [...]."][0].endswith("by oxidative phosphorylation")


def test_logseq_callout_and_details_questions(tmp_path: Path) -> None:
    questions = {q: a for q, a, _, _ in _cards(build_and_import("logseq", tmp_path / "l")[1])}
    assert questions["What does the Krebs cycle produce?"] == "NADH, FADH2, ATP and CO2"
    assert questions["Where does glycolysis run?"] == "In the cytoplasm."
    assert "The [...] runs in the mitochondrial matrix." in questions
    questions = {q: a for q, a, _, _ in _cards(build_and_import("callouts", tmp_path / "c")[1])}
    assert questions["What does the Golgi apparatus do?"] == "It modifies, sorts and packages proteins for secretion."
    assert questions["Why is the sky blue?"].startswith("Rayleigh scattering")
    assert questions["What is osmosis?"].startswith("Water moving across a membrane")
    questions = {q: a for q, a, _, _ in _cards(build_and_import("details", tmp_path / "d")[1])}
    assert questions["What is the time complexity of binary search?"] == "O(log n): each step halves the range."
    assert questions["What does HTTP 418 mean?"] == "I'm a teapot."


WRITTEN = """\
# Cells #flashcards

What is the powerhouse of the cell?::The mitochondrion.
Ribosome:::the organelle that builds proteins

Which organelle holds the DNA?
?
The nucleus.

START
Basic
What does the Golgi apparatus do?
Back: It packages proteins.
END
"""


def test_written_cards_keep_their_reviews_through_edits_and_a_change_of_syntax(tmp_path: Path) -> None:
    from ankiclient import note_id_for_guid, reviews, study_everything

    from cards.pipeline.run import build

    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "cells.md"
    note.write_text(WRITTEN, "utf-8")
    deck = tmp_path / "out" / "deck.apkg"
    first = build([vault], deck, now=1_700_000_000)
    guids = {c.identity: c.guid for c in first.identified.cards}
    assert len(guids) == 4
    col = open_collection(tmp_path)
    try:
        assert import_deck(col, deck).new == 4 and col.card_count() == 5  # the reversed pair is one note, two cards
        studied = study_everything(col)
        assert studied >= 4
        before = {cid: reviews(col, cid) for cid in col.find_cards("")}
        assert sum(before.values()) == studied

        # every answer edited: the same notes update, reviews kept
        text = note.read_text("utf-8")
        for old, new in (
            ("The mitochondrion.", "The mitochondrion, by respiration."),
            ("builds proteins", "builds proteins from mRNA"),
            ("The nucleus.", "The nucleus (and mitochondria, a little)."),
            ("It packages proteins.", "It packages and ships proteins."),
        ):
            text = text.replace(old, new)
        note.write_text(text, "utf-8")
        second = build([vault], deck, now=1_700_000_100)
        assert {c.identity: c.guid for c in second.identified.cards} == guids
        log = import_deck(col, deck)
        assert (log.new, log.updated, log.conflicting) == (0, 4, 0)
        assert {cid: reviews(col, cid) for cid in col.find_cards("")} == before

        # the same facts written in other syntaxes: a question bullet, Q:/A:, a callout
        note.write_text(
            "# Cells\n\n- What is the powerhouse of the cell?\n  - The mitochondrion, by respiration.\n\n"
            "Ribosome ::: the organelle that builds proteins from mRNA\n\n"
            "Q: Which organelle holds the DNA?\nA: The nucleus.\n\n"
            "> [!question] What does the Golgi apparatus do?\n> It packages and ships proteins.\n",
            "utf-8",
        )
        third = build([vault], deck, now=1_700_000_200)
        assert {c.identity: c.guid for c in third.identified.cards} == guids
        assert {c.kind for c in third.identified.cards} == {"qa", "osr", "callouts"}
        log = import_deck(col, deck)
        assert (log.new, log.conflicting) == (0, 0) and col.note_count() == 4
        assert {cid: reviews(col, cid) for cid in col.find_cards("")} == before
        assert all(note_id_for_guid(col, guid) for guid in guids.values())
    finally:
        col.close()
