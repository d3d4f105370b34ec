"""Candidates before cards: kinds propose candidates of parsed pieces, the judge reads
their plain text, and only the kept ones are rendered, once."""

from __future__ import annotations

import logging
import re
from pathlib import Path, PurePosixPath

import pytest

from cards.deck import render
from cards.deck.render import Renderer
from cards.extract import Context, candidates
from cards.model import CLOZE, Candidate, View
from cards.notes.parse import parse_note
from cards.notes.reflow import reflow
from cards.pipeline.per_note import Vault, note_cards
from cards.text import html_to_text

ROOT = Path(__file__).resolve().parent.parent
NOTES = sorted(
    [
        *(ROOT / "sample_notes").rglob("*.md"),
        *(ROOT / "tests" / "golden").rglob("*.md"),
        *(ROOT / "tests" / "fixtures" / "graph").rglob("*.md"),
    ]
)
_FIRST_GAP = re.compile(r"\{\{c1::(.*?)(?:::[^{}]*?)?\}\}", re.S)


def html_view(candidate: Candidate, renderer: Renderer) -> View:
    """What the judge read before candidates: the rendered HTML with its tags taken out
    (the first c1 deletion as the gap)."""
    front, back = renderer.field(candidate.front), renderer.field(candidate.back)
    found = _FIRST_GAP.search(front) if candidate.model == CLOZE else None
    if found is None:
        return View(html_to_text(front), "", html_to_text(back))
    shown = html_to_text(front[: found.start()] + "[...]" + front[found.end() :])
    return View(shown, html_to_text(found.group(1)), html_to_text(back))


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_candidates_text_is_what_its_card_shows(path: Path) -> None:
    """The plain text made from the pieces equals the text of the HTML they render to,
    for every candidate, kept or dropped (images found or missing alike)."""
    text = path.read_text("utf-8")
    flowed = reflow(text)
    note = parse_note(flowed.text, PurePosixPath(path.name), deck="D", reflowed=flowed.reflowed)
    ctx = Context(resolve_image=lambda target: None if "missing" in target else target)
    renderer = Renderer(resolve_image=ctx.resolve)
    found = candidates(note, ctx)
    for candidate in found:
        assert candidate.view == html_view(candidate, renderer), candidate.source


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_candidates_text_is_what_its_card_shows_where_lines_join(path: Path) -> None:
    """The same where a soft line break joins its lines (a plain Markdown folder): a
    space, or nothing between two wide characters, in the HTML and the text alike."""
    text = path.read_text("utf-8")
    flowed = reflow(text)
    note = parse_note(flowed.text, PurePosixPath(path.name), deck="D", reflowed=flowed.reflowed)
    ctx = Context(resolve_image=lambda target: None if "missing" in target else target, line_breaks=False)
    renderer = Renderer(resolve_image=ctx.resolve, line_breaks=False)
    for candidate in candidates(note, ctx):
        assert candidate.view == html_view(candidate, renderer), candidate.source


def test_text_of_a_tricky_inline_matches_its_html() -> None:
    """Tags at an inline's edge keep the space beside them, a line break is a space, a
    hand-written deletion reads as the gap, a missing image as its name."""
    note = parse_note(
        "Q: <b> x</b> a<br>b ![](gone.png) ![](a.png) `c` $y$ [l](https://e.org) A: yes\n\n"
        "- Paris is {{c1::the capital::city}} of {{c2::France}}\n\n- The **cell** holds <i>DNA</i>  \n  and more\n",
        PurePosixPath("n.md"),
        deck="D",
    )
    ctx = Context(resolve_image=lambda target: None if target == "gone.png" else target)
    renderer = Renderer(resolve_image=ctx.resolve)
    found = candidates(note, ctx)
    assert [c.view for c in found] == [
        View("x a b [gone.png] [image] c \\(y\\) l", "", "yes"),
        View("Paris is [...] of {{c2::France}}", "the capital"),
        View("The [...] holds DNA and more", "cell"),
    ]
    for candidate in found:
        assert candidate.view == html_view(candidate, renderer)


def test_text_of_a_long_procedure_shown_in_part_matches_its_html() -> None:
    """A procedure of more than 30 steps shows each step with its neighbours, "…" where
    the list goes on: the pieces' text is still the text of their HTML."""
    text = "# Procedure\n\n" + "".join(f"{i}. **Step{i:02d}** the batch\n" for i in range(1, 46))
    note = parse_note(text, PurePosixPath("n.md"), deck="D")
    found = candidates(note, Context(), kinds=["steps"])
    assert len(found) == 45
    renderer = Renderer()
    for candidate in found:
        assert candidate.view == html_view(candidate, renderer)
    assert found[0].view.front.endswith("Step30 …") and found[-1].view.front.startswith("… Step16")


def test_only_kept_candidates_are_rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A candidate the judge drops is never rendered: the renderer sees the kept ones only."""
    (tmp_path / "n.md").write_text(
        "# Cells\n\n- **Note:** the membrane is selectively permeable.\n- Mitochondria make **ATP** from glucose.\n",
        "utf-8",
    )
    rendered: list[str] = []
    inner = render.render_card

    def spy(candidate: Candidate, *args: object, **kwargs: object) -> object:
        rendered.append(candidate.identity)
        return inner(candidate, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "render_card", spy)
    vault = Vault.open(tmp_path)
    (note,) = vault.notes()
    from cards.notes.media import MediaIndex

    dropped: list = []
    cards, _, _, _ = note_cards(vault, note, (tmp_path / "n.md").read_text("utf-8"), MediaIndex(tmp_path), dropped)
    assert [c.identity for c in cards] == rendered
    assert "Mitochondria make ATP from glucose.\x1fATP" in rendered
    assert not any(i.startswith(("Note", "\x1fNote")) for i in rendered)  # the phrase and the term of "Note:"
    assert {d.candidate.identity for d in dropped}.isdisjoint(rendered)
    said = [f"{d.rule} {d.reason}" for d in dropped]
    assert any("label_gap" in s for s in said) and any("not_a_fact" in s for s in said)
    assert not {d.candidate.identity for d in dropped} & set(rendered)


def test_a_missing_image_is_reported_once_per_note(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Every candidate reads its images, and the kept ones render them again: the vault
    is asked once per image of a note, so a missing one is one warning, not one per card
    (a list of steps showed it on every step's card)."""
    (tmp_path / "n.md").write_text("## Steps\n\n1. ![](gone.png) **Mix**\n2. **Bake** it\n3. **Serve** it\n", "utf-8")
    from cards.pipeline.run import build

    with caplog.at_level(logging.WARNING, logger="cards"):
        result = build([tmp_path], tmp_path / "out.apkg")
    warnings = [w for w in result.collected.warnings if "gone.png" in w]
    assert len(warnings) == 1, warnings
    assert len(result.collected.cards) == 3
