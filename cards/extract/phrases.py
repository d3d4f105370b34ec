"""Key phrases: a ``**bold**`` or ``==highlighted==`` phrase inside a sentence is the
thing to remember, so the sentence becomes a cloze with that phrase as the gap.

    - GRPO drops the critic and scores a **group of sampled answers** instead.

gives ``GRPO drops the critic and scores a {{c1::group of sampled answers}} instead.``
with the heading path (and the step the bullet sits under) as context. The card shows
the phrase's sentence only (and the one before it, when the sentence leans on it: "It
…", "这样 …"), and, when the phrase is a line of its own above the text (a title:
``**Central limit theorem**``), the sentences after it up to the first that is more
than a premise (``Given …``, ``Seja …``, ``设 …``); when the paragraph says more, the
whole paragraph goes to Extra (the answer side), where it cannot give the gap away.
A sentence with three phrases gives three cards, one gap each, so no cloze number can
ever move onto another fact. A sentence holding hand-written ``{{c1::...}}`` passes through as one card with
the writer's own numbers. The judge (judge.py) drops a phrase that is a label, a
clause, emphasis, one letter, or shown elsewhere on the card.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..judge.meta import LONG_FRONT
from ..model import CLOZE, Candidate, Element, Inline, Note, Opening, Span
from ..notes.inline import has_cloze, is_image_only, is_links_only, span_text, spans
from ..notes.parse import plain_text
from .shapes import (
    is_flashcard_note,
    joined,
    minable_marks,
    opens_with_title,
    prose_nodes,
    refers_back,
    sentences,
    titled_statement,
)
from .walk import Context, Visit

KIND = "phrases"

#: A sentence with more phrases than this, too long for a question, gives only its first
#: ones as candidates (for ``preview --explain``). Each holds the whole sentence and the
#: judge drops every one (``long_front``), so all of them made a note quadratic: a bullet
#: of 2,222 bold words took 15 s to give nothing.
MANY_PHRASES = 20


def _surely_long(inline: Inline) -> bool:
    """Whether every phrase card of this sentence has a front of more than `LONG_FRONT`
    characters: its plain text alone (what the renderer never drops) is longer, with
    room for the spaces the judge's reading may fold, and holds no ``[...]`` that the
    judge would read as the gap."""
    if any("[...]" in t.content for t in inline.tokens):
        return False
    seen = "".join(t.content.replace("**", "") for t in inline.tokens if t.type == "text")
    return len("".join(seen.split())) > LONG_FRONT + 10


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    flashcards = ctx.shared("flashcards", note, lambda: is_flashcard_note(note, ctx.plugins.osr))
    bold, highlight = minable_marks(note, ctx.plugins, flashcards)
    allowed = frozenset(kind for kind, on in (("strong_open", bold), ("mark_open", highlight)) if on)
    for visit in ctx.walk(note):
        for node, inline, line in prose_nodes(visit):
            if ctx.is_claimed(node) or is_links_only(inline) or is_image_only(inline):
                continue
            if has_cloze(inline):
                ctx.claim(node)
                yield ctx.candidate(
                    note,
                    kind=KIND,
                    model=CLOZE,
                    front=(Span(inline.tokens, handwritten=True),),
                    back=(),
                    crumbs=ctx.where(note, visit),
                    identity=plain_text(inline),
                    line=line,
                    written=True,
                )
            elif any(t.type in allowed for t in inline.tokens):  # else no bold or highlight it may ask
                yield from _phrases(note, ctx, visit, node, inline, line, allowed)


def _phrases(
    note: Note, ctx: Context, visit: Visit, node: object, inline: Inline, line: int, allowed: frozenset[str]
) -> Iterator[Candidate]:
    """A cloze per bold or highlighted phrase of a paragraph or bullet, each shown in its
    sentence (and the one before it when it leans on it)."""
    whole = plain_text(inline)  # the identity keeps the paragraph: GUIDs made before sentences stay
    parts = sentences(inline)
    titled = opens_with_title(inline)
    for k, sentence in enumerate(parts):
        # a sentence that leans on the one before it is shown with it
        said = plain_text(sentence)
        shown = joined(parts[k - 1], sentence) if k and refers_back(said) else sentence
        for n, span in enumerate(spans(sentence)):
            if n == MANY_PHRASES and _surely_long(shown):
                break  # the judge drops every one (long_front): the first few say why
            if sentence.tokens[span[0]].type not in allowed:
                continue
            phrase = span_text(sentence, span)
            if not phrase.strip():
                continue
            ctx.claim(node)
            extra = (Element("p", (Span(inline.tokens),)),) if len(parts) > 1 else ()
            opening = Opening(said) if not k else None  # it may lean on what came before
            asked = shown
            if titled and not k and span == spans(sentence)[0]:
                # a title line is asked with its statement, not only the premises that open it
                asked, opening = titled_statement(parts, phrase), None
                if plain_text(asked).split() == whole.split():
                    extra = ()  # the front shows the whole paragraph already
            yield ctx.candidate(
                note,
                kind=KIND,
                model=CLOZE,
                front=(Span(asked.tokens, gap=sentence.tokens[span[0]]),),
                back=extra,
                crumbs=ctx.where(note, visit),
                identity=f"{whole}\x1f{phrase}",
                line=line,
                facts=opening,
            )
