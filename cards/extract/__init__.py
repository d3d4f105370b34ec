"""extract: a note tree -> its candidate cards, one module per kind, run in the order of
the kind registry (cards/kinds.py).

Each kind is one module with one ``extract(note, ctx)`` that proposes candidates
(cards/model.py: parsed pieces, never HTML); what the kinds share (the walk, the claimed
nodes, making a candidate) is walk.py, what they borrow from one another is shapes.py,
so no kind imports another. Earlier kinds win a contested node (walk.py). The judge
(cards/judge/) keeps or drops the candidates; deck/render.py renders the kept ones.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from types import MappingProxyType

from ..deck.render import Renderer, render_card
from ..judge import Dropped, judge_candidates
from ..judge.score import DEFAULT_DENSITY
from ..kinds import KINDS
from ..model import Candidate, Card, Note
from . import (
    callouts,
    defines,
    details,
    figure,
    logseq,
    o2a,
    osr,
    outline,
    phrases,
    problems,
    prose,
    qa,
    sections,
    steps,
    tables,
    terms,
)
from .walk import Context, Visit, breadcrumb, walk, where

Extractor = Callable[[Note, Context], Iterable[Candidate]]

_MODULES = {
    m.KIND: m
    for m in (o2a, osr, details, callouts, logseq, qa, problems, figure, steps, terms, sections, prose, tables)
    + (outline, defines, phrases)
}
#: Every kind's extractor, in the registry's order: cards written for other tools first
#: (their lines are never mined again); qa before problems (explicit Q/A and question
#: bullets claim their nodes first), problems before the rest (a worked problem's
#: solution is not mined again); terms before sections (a paragraph of term lines gives
#: a card per term) and before phrases (a bold term and its definition is one question).
EXTRACTORS: Mapping[str, Extractor] = MappingProxyType({kind.name: _MODULES[kind.name].extract for kind in KINDS})


def candidates(note: Note, ctx: Context, kinds: Collection[str] | None = None) -> list[Candidate]:
    """Every candidate of one note, kinds in table order, each kind's in source order."""
    found: list[Candidate] = []
    for name, extractor in EXTRACTORS.items():
        if kinds is None or name in kinds:
            found.extend(extractor(note, ctx))
    return found


def extract_cards(
    note: Note,
    *,
    kinds: Collection[str] | None = None,
    ctx: Context | None = None,
    dropped: list[Dropped] | None = None,
    density: str = DEFAULT_DENSITY,
) -> list[Card]:
    """The cards of one note (the library's shortcut, and the tests'): its candidates,
    those the judge keeps at ``density`` (the note alone: no other note's lines recur),
    rendered; the dropped ones go to ``dropped``. The build's own per-note pipeline
    (pipeline/per_note.py) also skips notes with nothing to learn."""
    ctx = ctx or Context()
    judged = judge_candidates(candidates(note, ctx, kinds), density=density)
    if dropped is not None:
        dropped.extend(judged.dropped)
    renderer = Renderer(resolve_image=ctx.resolve, line_breaks=ctx.line_breaks)
    return [
        render_card(c, renderer, note_deck=note.deck, note_tags=note.tags, note_title=note.title, score=score)
        for c, score in zip(judged.kept, judged.scores)
    ]


__all__ = ["EXTRACTORS", "Context", "Visit", "candidates", "extract_cards", "walk", "where", "breadcrumb"]
