"""A Logseq graph works like an Obsidian vault: its metadata never reaches a card, its
assets resolve from the graph root, a block reference shows the block it names, and
an edit to a referenced block reaches every card that shows it, cache or not.

``tests/fixtures/graph`` is a minimal graph written for these tests (pages, a journal,
assets, ``logseq/config.edn``, a backup under ``logseq/bak``, a hidden folder).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path, PurePosixPath

import pytest
from ankiclient import TEMPLATE_ERRORS, import_deck, open_collection, rendered, strip_tags
from click.testing import CliRunner

import cards.notes.blocks
from cards.cli import main
from cards.extract import Context, candidates, extract_cards
from cards.model import ListBlock, ListShape
from cards.notes.blocks import BlockIndex, block_texts
from cards.notes.media import MediaIndex
from cards.notes.parse import parse_note, plain_text
from cards.pipeline.run import build, collect

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "graph"
MITO = "6a0c4b6f-abef-4c73-a5e0-c31197183ad0"

#: What a Logseq page holds that no card may show (outside code).
LEFTOVERS = re.compile(
    r"\(\(|\{:|\bTODO\b|\bDONE\b|\bLATER\b|SCHEDULED|DEADLINE|LOGBOOK|CLOCK:|collapsed|heading::|\bid::|order-list-type|\btitle::|\btags::|\[:span\]"
)


def note(text: str, blocks=None):
    return parse_note(text, PurePosixPath("pages/p.md"), deck="D", blocks=blocks)


def graph(tmp_path: Path) -> Path:
    return shutil.copytree(FIXTURE, tmp_path / "graph")


# ------------------------------------------------------------------ the tree


def test_a_logseq_task_is_a_task_item_without_its_marker_or_planning_lines() -> None:
    text = (
        "- TODO [#A] Read the chapter\n  SCHEDULED: <2024-01-10 Wed>\n  :LOGBOOK:\n  CLOCK: [2024-01-09 Tue "
        "10:00:00]\n  :END:\n"
        "- DONE Buy a notebook\n- CANCELED Skip the lab\n- NOW write\n- TODO: not a marker, a label\n- TODOS are "
        "words\n"
    )
    items = note(text).sections[0].blocks[0].items  # type: ignore[union-attr]
    assert [(plain_text(i.inline), i.task) for i in items] == [
        ("Read the chapter", False),
        ("Buy a notebook", True),
        ("Skip the lab", True),
        ("write", False),
        ("TODO: not a marker, a label", None),
        ("TODOS are words", None),
    ]
    assert items[0].inline.source == "Read the chapter"


def test_metadata_lines_and_image_sizes_never_reach_a_card() -> None:
    text = (
        "- What does the **ribosome** make?\n  collapsed:: true\n  heading:: true\n  id:: "
        "6a0c4b6f-abef-4c73-a5e0-c31197183ad1\n"
        "  logseq.order-list-type:: number\n\t- Proteins ![ribosome](../assets/r.png){:height 200, :width 300} from "
        "mRNA.\n"
        "\t- [the figure](https://example.org/r.png){:height 578, :width 728} shows it\n"
    )
    cards = extract_cards(note(text))
    assert cards
    for card in cards:
        assert not LEFTOVERS.search(card.front + card.back), (card.front, card.back)
    assert "from mRNA" in cards[0].back and "shows it" in cards[0].back


def test_page_properties_give_the_title_and_tags() -> None:
    parsed = note(
        "title:: Cell biology\nalias:: Cells\ntags:: #biology, [[cell theory]], exam\n\n- The **nucleus** holds DNA.\n"
    )
    assert parsed.title == "Cell biology"
    assert parsed.tags == ("biology", "cell_theory", "exam")
    assert [
        b for s in parsed.sections for b in s.blocks if not isinstance(b, ListBlock)
    ] == []  # the property lines are no paragraph


def test_block_properties_tag_nothing_in_a_graph_but_the_page_properties_do() -> None:
    """A block's ``background_color:: #a83f2c`` (an old Logseq highlight) or ``tags::``
    under a bullet is the block's own data: never a tag of the page, as it is never text.
    The page's properties (its first block, or front matter) still tag it."""
    text = (
        "tags:: cytology, #exam\n\n"
        "- What does a proton pump move?\n  background_color:: #a83f2c\n  id:: 6a0c4b6f-abef-4c73-a5e0-c31197183ad9\n"
        "\t- Hydrogen ions across the membrane.\n\t  tags:: #transport, [[membranes]]\n"
        "- The pump works against the gradient #energy\n"
    )
    graph_note = parse_note(text, PurePosixPath("pages/p.md"), deck="D", logseq=True)
    assert graph_note.tags == ("cytology", "exam", "energy")
    assert note(text).tags == ("cytology", "exam", "a83f2c", "transport", "energy")  # elsewhere: as Obsidian reads it
    for card in extract_cards(graph_note):
        assert "a83f2c" not in card.front + card.back and "transport" not in card.front + card.back
    first_block = "- tags:: #exam\n- The pump uses ATP.\n  color:: #blue\n"
    assert parse_note(first_block, PurePosixPath("pages/q.md"), deck="D", logseq=True).tags == ("exam",)
    matter = "---\ntags: cytology\n---\n- A block\n  color:: #blue\n"
    assert parse_note(matter, PurePosixPath("pages/r.md"), deck="D", logseq=True).tags == ("cytology",)


def test_a_graphs_build_takes_no_tag_from_a_block_property(tmp_path: Path) -> None:
    root = graph(tmp_path)
    (root / "pages" / "pumps.md").write_text(
        "tags:: cytology\n\n- What does a proton pump move?\n  background_color:: #a83f2c\n\t- Hydrogen ions.\n",
        "utf-8",
    )
    (pump,) = [c for c in collect([root]).cards if c.source.path.name == "pumps.md"]
    assert pump.tags == ("pages", "cytology")


def test_front_matter_logseq_writes_without_yaml_is_read_not_warned_about() -> None:
    warnings: list[str] = []
    text = "---\ntitle: ASLFeat\ntags: [[Keypoint]], #reference\nauthors:[[Zixin Luo]]\n---\n\n- text\n"
    parsed = parse_note(text, PurePosixPath("pages/a.md"), deck="D", warn=lambda e: warnings.append(str(e)))
    assert (parsed.title, parsed.tags, warnings) == ("ASLFeat", ("Keypoint", "reference"), [])
    parse_note("---\n- a: [\n---\n", PurePosixPath("b.md"), deck="D", warn=lambda e: warnings.append(str(e)))
    assert warnings and warnings[0].startswith("b.md:")  # not key: value lines either: still reported


def test_a_heading_bullet_shows_its_words_in_the_breadcrumb_not_its_html() -> None:
    text = "- ## Water <sup>2</sup>\n\t- The **bond angle** is about 104.5 degrees.\n\t- The **dipole** points to O.\n"
    cards = [c for c in extract_cards(note(text), density="all") if c.kind == "phrases"]
    assert [c.context[-1] for c in cards] == ["Water 2", "Water 2"]


def test_a_logseq_numbered_list_is_an_ordered_list() -> None:
    numbered = (
        "- Stages:\n\t- Prophase\n\t  logseq.order-list-type:: number\n\t- Metaphase\n\t  "
        "logseq.order-list-type:: number\n"
    )
    steps = [c for c in candidates(note(numbered), Context()) if c.kind == "steps"]
    assert [c.identity for c in steps] == ["Prophase", "Metaphase"]
    assert all(isinstance(c.facts, ListShape) and c.facts.ordered for c in steps)
    plain = "- Stages:\n\t- Prophase\n\t- Metaphase\n"
    steps = [c for c in candidates(note(plain), Context()) if c.kind == "steps"]
    assert all(isinstance(c.facts, ListShape) and not c.facts.ordered for c in steps)


# ------------------------------------------------------------------ block references


def test_block_texts_are_the_words_of_the_block_that_carries_the_id() -> None:
    text = (
        "- TODO **Shape** matters\n  id:: 605C4B6F-ABEF-4C73-A5E0-C31197183AD0\n  collapsed:: true\n\t- child\n"
        "- # A heading block\n  id:: 605c4b6f-abef-4c73-a5e0-c31197183ad1\n"
        "- first line\n  second line\n  id:: 605c4b6f-abef-4c73-a5e0-c31197183ad2\n"
        "id:: 605c4b6f-abef-4c73-a5e0-c31197183ad3\n"
    )
    assert block_texts(text) == {
        "605c4b6f-abef-4c73-a5e0-c31197183ad0": "**Shape** matters",
        "605c4b6f-abef-4c73-a5e0-c31197183ad1": "A heading block",
        "605c4b6f-abef-4c73-a5e0-c31197183ad2": "first line second line",
    }


def test_a_reference_shows_the_block_and_is_never_mined_again() -> None:
    blocks = {MITO: "The **mitochondrion** makes ATP"}.get
    parsed = note(f"- Which organelle? #card\n\t- (({MITO}))\n- Recall (({MITO})) today.\n", blocks)
    cards = extract_cards(parsed)
    assert [c.kind for c in cards] == ["logseq"]  # no cloze of the other page's bold phrase
    assert cards[0].back == "<ul><li>The <b>mitochondrion</b> makes ATP</li></ul>"


def test_an_unresolved_reference_drops_the_card_that_would_show_it_and_names_its_line(tmp_path: Path) -> None:
    root = graph(tmp_path)
    got = collect([root])
    assert (
        "pages/enzymes.md:5: ((0b0b0b0b-1111-2222-3333-444444444444)): no block with this id in the graph; a card "
        "that would show it is left out" in got.warnings
    )
    questions = [strip_tags(c.front) for c in got.cards]
    assert not any("important" in q for q in questions)
    assert not any("block not found" in q for q in questions)


def test_the_graph_is_read_once_per_build_and_never_when_no_note_refers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scans: list[Path] = []
    real = BlockIndex._scan

    def counted(self: BlockIndex) -> dict[str, str]:
        scans.append(self.root)
        return real(self)

    monkeypatch.setattr(cards.notes.blocks.BlockIndex, "_scan", counted)
    root = graph(tmp_path)
    build([root], tmp_path / "deck.apkg", jobs=1)
    assert len(scans) == 1
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.md").write_text("- The **nucleus** holds DNA.\n", "utf-8")
    build([plain], tmp_path / "plain.apkg", jobs=1)
    assert len(scans) == 1


@pytest.mark.parametrize("cache", [True, False])
def test_an_edit_to_a_referenced_block_reaches_the_cards_that_show_it(tmp_path: Path, cache: bool) -> None:
    root = graph(tmp_path)
    out = tmp_path / "deck.apkg"
    build([root], out, cache=cache)
    cells = root / "pages" / "cells.md"
    cells.write_text(cells.read_text("utf-8").replace("makes most of the cell's ATP", "burns sugar into ATP"), "utf-8")
    again = build([root], out, cache=cache)
    backs = {c.source.path.as_posix() + f":{c.source.line}": strip_tags(c.back) for c in again.collected.cards}
    assert backs["pages/enzymes.md:1"] == "The mitochondrion burns sugar into ATP."
    assert again.changes.updated  # enzymes.md did not change, its card did
    # the block goes: the card that showed it goes too, with a warning
    cells.write_text(cells.read_text("utf-8").replace(f"  id:: {MITO}\n", ""), "utf-8")
    third = build([root], out, cache=cache)
    assert not any(
        c.source.path.as_posix() == "pages/enzymes.md" and c.source.line in (1, 3) for c in third.collected.cards
    )
    assert (
        f"pages/enzymes.md:2: (({MITO})): no block with this id in the graph; a card that would show it is left out"
        in third.collected.warnings
    )


def test_a_cached_build_equals_a_fresh_one_after_a_referenced_edit(tmp_path: Path) -> None:
    root = graph(tmp_path)
    out = tmp_path / "deck.apkg"
    build([root], out)
    cells = root / "pages" / "cells.md"
    cells.write_text(cells.read_text("utf-8").replace("makes most of the cell's ATP", "burns sugar"), "utf-8")
    cached = build([root], out)
    fresh = build([root], tmp_path / "fresh.apkg", cache=False)
    key = lambda c: (c.source.path.as_posix(), c.source.line, c.front, c.back)  # noqa: E731
    assert sorted(map(key, cached.collected.cards)) == sorted(map(key, fresh.collected.cards))


# ------------------------------------------------------------------ images


def test_asset_paths_resolve_from_the_graph_root_and_a_missing_file_is_not_found(tmp_path: Path) -> None:
    root = graph(tmp_path)
    got = collect([root])
    assert sorted(Path(p).name for p in got.media.values()) == ["cell.png", "membrane.png"]
    assert (
        "pages/cells.md:23: ../assets/lost.png: image not found in the vault (looked for assets/lost.png); the card "
        "shows its name instead" in got.warnings
    )
    assert not any("outside the vault" in w for w in got.warnings)


def test_outside_the_vault_and_not_found_are_different_messages(tmp_path: Path) -> None:
    (tmp_path / "v" / "notes").mkdir(parents=True)
    (tmp_path / "secret.png").write_bytes(b"x")
    index = MediaIndex(tmp_path / "v")
    assert (
        index.locate(PurePosixPath("notes"), "../../secret.png")[1]
        == "image path leads outside the vault; it is not packaged"
    )
    assert (
        index.locate(PurePosixPath("notes"), "../pics/gone.png")[1]
        == "image not found in the vault (looked for pics/gone.png); the card shows its name instead"
    )
    assert (
        index.locate(PurePosixPath("notes"), "gone.png")[1]
        == "image not found in the vault (looked for gone.png in every folder); the card shows its name instead"
    )
    assert (
        index.locate(PurePosixPath("notes"), "/gone.png")[1]
        == "image not found in the vault (looked for gone.png); the card shows its name instead"
    )


# ------------------------------------------------------------------ the graph, end to end, into Anki


@pytest.mark.anki
def test_the_graph_in_anki_shows_no_logseq_syntax_and_every_picture(tmp_path: Path) -> None:
    root = graph(tmp_path)
    deck = tmp_path / "deck.apkg"
    result = CliRunner().invoke(main, ["build", str(root), "-o", str(deck)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    made = re.match(
        r"5 notes \(0 with errors, 3 skipped: 1 contents, 1 hidden, 1 journal\) -> (\d+) cards ", result.stdout
    )
    assert made, result.stdout  # logseq/bak is no note
    col = open_collection(tmp_path)
    try:
        assert import_deck(col, deck).new == int(made.group(1)) >= 10  # what the score keeps: tests/test_score.py
        faces = [rendered(col, cid) for cid in col.find_cards("")]
        media = sorted(p.name for p in Path(col.media.dir()).iterdir())
        pictures = [re.findall(r'<img src="([^"]+)"', q) for q, _ in faces]
    finally:
        col.close()
    for question, answer in faces:
        assert not TEMPLATE_ERRORS.search(question + answer)
        for face in (question, answer):
            without_code = re.sub(r"<code>.*?</code>", "", face, flags=re.S)
            assert not LEFTOVERS.search(strip_tags(without_code)), strip_tags(face)
    shown = {name for names in pictures for name in names}
    assert len(shown) == 2 and shown <= set(media)  # cell.png (twice, one file) and membrane.png
    texts = " | ".join(strip_tags(a) for _, a in faces)
    assert "Which organelle makes ATP? The mitochondrion makes most of the cell's ATP." in texts
    assert "In the mitochondrial matrix." in texts  # the journal's #card
    assert "Krebs" not in texts.replace("Where does the Krebs cycle run?", "")  # nothing mined from the journal
    for never in ("nucleus", "Golgi", "lipid bilayer"):  # logseq/bak, a hidden folder, under a task
        assert never not in texts


def test_parallel_workers_resolve_references_and_skips_as_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = graph(tmp_path)
    for n in range(110):
        (root / "pages" / f"q{n:03}.md").write_text(
            f"- Question {n}: which organelle? #card\n\t- (({MITO}))\n", "utf-8"
        )
    for n in range(10):
        (root / "journals" / f"2024_02_{n + 1:02}.md").write_text("- DONE a task\n- the **Krebs** cycle\n", "utf-8")
    monkeypatch.setattr(sys.modules["cards.pipeline.collect"], "PARALLEL_MIN", 50)
    serial = build([root], tmp_path / "serial.apkg", now=1_700_000_000, jobs=1, cache=False)
    parallel = build([root], tmp_path / "parallel.apkg", now=1_700_000_000, jobs=2, cache=True)
    assert parallel.collected.parsed == serial.collected.parsed > 100
    assert [r.cards for r in serial.collected.results] == [r.cards for r in parallel.collected.results]
    assert [(r.skipped, r.warnings) for r in serial.collected.results] == [
        (r.skipped, r.warnings) for r in parallel.collected.results
    ]
    assert sum("mitochondrion makes most" in strip_tags(c.back) for c in parallel.collected.cards) == 111
    assert (tmp_path / "serial.apkg").read_bytes() == (tmp_path / "parallel.apkg").read_bytes()


def test_the_readme_shows_what_building_the_graph_prints(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    shown = re.search(r"```text\n\$ cards build my-graph -o my-graph.apkg -v .*?\n(.*?)```", readme, re.S)
    assert shown, "README lost the example of -v"
    shutil.copytree(FIXTURE, tmp_path / "my-graph")
    result = CliRunner().invoke(
        main, ["build", str(tmp_path / "my-graph"), "-o", str(tmp_path / "my-graph.apkg"), "-v"], catch_exceptions=False
    )
    printed = (result.stderr + result.stdout).replace(str(tmp_path / "my-graph.apkg"), "my-graph.apkg")
    assert printed.splitlines() == shown.group(1).splitlines()


def test_explain_names_the_card_left_out_for_a_missing_block(tmp_path: Path) -> None:
    root = graph(tmp_path)
    result = CliRunner().invoke(main, ["preview", str(root), "--json", "--explain"], catch_exceptions=False)
    objects = json.loads(result.stdout)
    missing = [d for d in objects["dropped"] if d["rule"] == "missing_block"]
    assert [(d["source"]["path"], d["source"]["line"]) for d in missing] == [("pages/enzymes.md", 5)]
    assert not any(
        d["rule"] == "missing_block" and "mitochondrion" in d["answer"] for d in objects["dropped"]
    )  # a resolved one is a card
    assert any("The mitochondrion makes most of the cell's ATP." in strip_tags(c["answer"]) for c in objects["cards"])
