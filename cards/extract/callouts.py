"""callouts: an Obsidian callout that asks a question is a question/answer card.

    > [!question] What does the Golgi apparatus do?
    > It modifies, sorts and packages proteins for secretion.

    > [!faq]- Why is the sky blue?
    > Rayleigh scattering: shorter wavelengths scatter more.

gives two cards: the title is the question, the callout's body the answer. A callout
of type ``question``, ``faq`` or ``help`` (Obsidian's names for one kind), or any
callout whose title ends in ``?``/``？``, is a question; a question callout without a
title asks its body's first paragraph when that ends in ``?``. A question callout
with nothing to answer it is reported; other callouts are ordinary text (their facts
are mined like any other).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from ..deck.render import blank
from ..errors import CardsError
from ..model import BASIC, Blocks, Callout, Candidate, Inline, Note, Paragraph, Source, Span
from ..notes.inline import ends_with_question, without_tasks
from ..notes.parse import plain_text
from .walk import Context

KIND = "callouts"
log = logging.getLogger("cards")
QUESTION_TYPES = frozenset({"question", "faq", "help"})


def asks(callout: Callout) -> bool:
    """Whether a callout is a question: its type says so, or its title ends in ``?``."""
    return callout.kind in QUESTION_TYPES or ends_with_question(plain_text(callout.title))


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    for visit in ctx.walk(note):
        callout = visit.block
        if not isinstance(callout, Callout) or ctx.is_claimed(callout) or not asks(callout):
            continue
        question: Inline | None = callout.title
        body = without_tasks(callout.blocks)
        if (
            question is None
            and body
            and isinstance(body[0], Paragraph)
            and ends_with_question(plain_text(body[0].inline))
        ):
            question, body = body[0].inline, body[1:]
        ctx.claim(callout)
        ctx.claim_blocks(callout.blocks)
        if question is None or not plain_text(question):
            log.warning(
                "%s",
                CardsError(
                    Source(note.path, callout.line),
                    f"a [!{callout.kind}] callout with no question in its title; it gives no card",
                ),
            )
            continue
        answer = (Blocks(body),)
        if not body or blank(answer):
            log.warning(
                "%s",
                CardsError(
                    Source(note.path, callout.line),
                    f"a [!{callout.kind}] callout with nothing under its question to answer it; it gives no card",
                ),
            )
            continue
        yield ctx.candidate(
            note,
            kind=KIND,
            model=BASIC,
            front=(Span(question.tokens),),
            back=answer,
            crumbs=ctx.where(note, visit),
            identity=plain_text(question),
            line=callout.line,
            written=True,
        )
