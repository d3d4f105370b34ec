"""A vault's flashcard plugin settings beat our defaults (notes/plugins.py)."""

from __future__ import annotations

import json
import logging
from pathlib import Path, PurePosixPath

import pytest

from cards.notes.plugins import O2A_SETTINGS, OSR_SETTINGS, load_plugins
from cards.pipeline.run import collect


def vault_with(
    tmp_path: Path, settings: dict[str, object], notes: dict[str, str], where: PurePosixPath = OSR_SETTINGS
) -> Path:
    root = tmp_path / "vault"
    (root / where).parent.mkdir(parents=True)
    (root / where).write_text(json.dumps(settings), "utf-8")
    for name, text in notes.items():
        (root / name).write_text(text, "utf-8")
    return root


CUSTOM = {
    "settings": {
        "flashcardTags": ["#cards"],
        "singleLineCardSeparator": ";;",
        "singleLineReversedCardSeparator": ";;;",
        "multilineCardSeparator": "+?",
        "multilineReversedCardSeparator": "+??",
        "multilineCardEndMarker": "+++",
        "convertHighlightsToClozes": True,
        "convertBoldTextToClozes": False,
        "convertCurlyBracketsToClozes": True,
        "cardCommentOnSameLine": True,
    }
}

TAGGED = """\
# Deck #cards

What is the capital of Chile;;Santiago
Andes;;;the longest continental mountain range
A line with the default separator::is no card here

Name Chile's three zones
+?
The north is desert.

The centre is fertile; the south is rainy.
+++

The ==Atacama== is the driest desert; the {{Humboldt Current}} cools the coast; **Valparaíso** is a port.
"""

PLAIN = """\
# Plain note

Which ocean borders Chile? ;; The Pacific.

**Copper** is Chile's main export, mined mostly in the ==north==.
"""


def test_custom_separators_end_marker_and_cloze_switches(tmp_path: Path) -> None:
    root = vault_with(tmp_path, CUSTOM, {"tagged.md": TAGGED, "plain.md": PLAIN})
    cards = collect([root]).cards
    tagged = [c for c in cards if c.source.path.name == "tagged.md"]
    fronts = {c.front: c for c in tagged}
    assert fronts["What is the capital of Chile"].back == "Santiago"
    assert fronts["Andes"].model == "reversed"
    assert not any("default separator" in c.front for c in cards)
    zones = fronts["Name Chile's three zones"]
    assert zones.back == "<p>The north is desert.</p><p>The centre is fertile; the south is rainy.</p>"
    clozes = [c.front for c in tagged if c.model == "cloze"]
    assert len(clozes) == 2  # highlight and curly braces on; bold off
    assert any("{{c1::Atacama}}" in f for f in clozes) and any("{{c1::Humboldt Current}}" in f for f in clozes)
    assert not any("{{c1::Valparaíso}}" in f for f in clozes)
    # the settings hold across the vault: no bold cloze in a plain note either
    plain = [c for c in cards if c.source.path.name == "plain.md"]
    assert {c.front for c in plain if c.model == "basic"} == {"Which ocean borders Chile?"}
    assert [c.front for c in plain if c.model == "cloze"] == [
        "<b>Copper</b> is Chile's main export, mined mostly in the {{c1::north}}."
    ]


def test_cloze_patterns_in_the_settings_win_over_the_switches(tmp_path: Path) -> None:
    settings = {"settings": {"clozePatterns": ["**[123;;]answer[;;hint]**"], "convertHighlightsToClozes": True}}
    root = vault_with(tmp_path, settings, {"n.md": "#flashcards\nThe **1;;mitochondrion;;organelle** makes ==ATP==.\n"})
    [card] = collect([root]).cards
    assert card.front == "The {{c1::mitochondrion::organelle}} makes <mark>ATP</mark>."


def test_without_settings_the_plugin_defaults_hold(tmp_path: Path) -> None:
    plugins = load_plugins(tmp_path)
    assert not plugins.osr.found and plugins.osr.single == "::" and plugins.osr.tags == ("#flashcards",)
    assert plugins.bold_clozes and plugins.highlight_clozes
    assert plugins.o2a.begin == "START" and not plugins.o2a.curly_cloze


def test_broken_settings_are_reported_and_the_defaults_used(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / OSR_SETTINGS).parent.mkdir(parents=True)
    (tmp_path / OSR_SETTINGS).write_text("{not json", "utf-8")
    with caplog.at_level(logging.WARNING, logger="cards"):
        plugins = load_plugins(tmp_path)
    assert plugins.osr.single == "::"
    assert ".obsidian/plugins/obsidian-spaced-repetition/data.json:1: cannot read the plugin's settings" in caplog.text


def test_obsidian_to_anki_markers_and_curly_clozes_from_its_settings(tmp_path: Path) -> None:
    settings = {
        "settings": {
            "Syntax": {"Begin Note": "BEGIN-CARD", "End Note": "END-CARD", "Target Deck Line": "DECK"},
            "Defaults": {"CurlyCloze": True},
        }
    }
    note = (
        "DECK: Geo\n\nBEGIN-CARD\nCloze\nThis is a {cloze} note with {2:two} and "
        "{c3|three}.\nEND-CARD\n\nSTART\nBasic\nnot a block here\nEND\n"
    )
    root = vault_with(tmp_path, settings, {"n.md": note}, where=O2A_SETTINGS)
    cards = collect([root]).cards
    [card] = [c for c in cards if c.kind == "o2a"]
    assert card.front == "This is a {{c1::cloze}} note with {{c2::two}} and {{c3::three}}."
    assert card.deck == "Geo"


def test_a_changed_settings_file_changes_the_cards_of_a_cached_build(tmp_path: Path) -> None:
    from cards.pipeline.run import build

    root = vault_with(
        tmp_path,
        {"settings": {"convertBoldTextToClozes": True}},
        {"n.md": "#flashcards\nThe **mitochondrion** makes ATP.\n"},
    )
    out = tmp_path / "out" / "deck.apkg"
    first = build([root], out)
    assert [c.front for c in first.collected.cards] == ["The {{c1::mitochondrion}} makes ATP."]
    (root / OSR_SETTINGS).write_text(json.dumps({"settings": {"convertBoldTextToClozes": False}}), "utf-8")
    second = build([root], out)
    assert second.collected.cards == [] and len(second.changes.retired) == 1
