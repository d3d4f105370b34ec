"""logseq: a Logseq block tagged ``#card`` is a question; its child blocks are the answer.

    - What does the Krebs cycle produce? #card
      - NADH, FADH2, ATP and CO2
    - The {{cloze Krebs cycle}} runs in the mitochondrial matrix.

gives a question/answer card, and a cloze card (``{{cloze ...}}`` is read by the
Markdown parser and mined as a hand-written cloze; ``^^text^^`` is a highlight like
``==text==``). A ``#card`` block holding ``{{cloze ...}}`` is a cloze card, its child
blocks on the answer side. The SRS properties Logseq writes under a card (``card-repeats:: 2``)
are metadata, never text. A ``#card`` block with nothing under it is reported.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from ..errors import CardsError
from ..model import BASIC, CLOZE, Blocks, Candidate, Inline, ListBlock, ListItem, Note, Source, Span
from ..notes.inline import has_cloze, with_content, without_tasks
from ..notes.parse import plain_text
from .walk import Context, Visit

KIND = "logseq"
log = logging.getLogger("cards")


def is_card_block(item: ListItem) -> bool:
    """A block tagged ``#card`` (or ``[[card]]``), as Logseq's flashcards are.

    The tag is one of the tags that end the block's first line (parse.py keeps them).
    """
    if item.inline is None:
        return False
    if any(tag.lower() == "card" for tag in item.inline.tags):
        return True
    return any(t.type == "wikilink" and t.meta.get("target", "").lower() == "card" for t in item.inline.tokens) or (
        "#card" in item.inline.source.split("\n", 1)[0].lower().split()
    )


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    for visit in ctx.walk(note):
        if isinstance(visit.block, ListBlock):
            for item in visit.block.items:
                if item.task is None and not ctx.is_claimed(item) and is_card_block(item):
                    yield from _card(note, ctx, visit, item)


def _card(note: Note, ctx: Context, visit: Visit, item: ListItem) -> Iterator[Candidate]:
    assert item.inline is not None
    ctx.claim(item)
    answer = without_tasks(item.children)
    ctx.claim_blocks(item.children)
    if has_cloze(item.inline):  # a #card block with {{cloze …}}: Logseq hides its clozes
        yield ctx.candidate(
            note,
            kind=KIND,
            model=CLOZE,
            front=(Span(_without_card_tag(item).tokens, handwritten=True),),
            back=(Blocks(answer),),
            crumbs=ctx.where(note, visit),
            identity=plain_text(_without_card_tag(item)),
            line=item.line,
            written=True,
        )
        return
    if not answer:
        log.warning(
            "%s",
            CardsError(
                Source(note.path, item.line),
                "a Logseq #card block with no child block under it to answer it; it gives no card",
            ),
        )
        return
    yield ctx.candidate(
        note,
        kind=KIND,
        model=BASIC,
        front=(Span(_without_card_tag(item).tokens),),
        back=(Blocks(answer),),
        crumbs=ctx.where(note, visit),
        identity=plain_text(_without_card_tag(item)),
        line=item.line,
        written=True,
    )


def _without_card_tag(item: ListItem) -> Inline:
    """The question without a ``#card`` / ``[[card]]`` left inside it."""
    assert item.inline is not None
    tokens = [
        t for t in item.inline.tokens if not (t.type == "wikilink" and t.meta.get("target", "").lower() == "card")
    ]
    tokens = [
        with_content(t, " ".join(w for w in t.content.split(" ") if w.lower() != "#card")) if t.type == "text" else t
        for t in tokens
    ]
    return Inline(item.inline.source, tokens, item.inline.tags)
