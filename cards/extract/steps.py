"""Steps: a numbered procedure is a pipeline to recall step by step.

    ## Training pipeline
    1. **Cold start** with a few thousand long CoT samples
       - teaches the output format
    2. **Reasoning RL** (GRPO)
    3. Rejection sampling
       collects 600k reasoning samples

gives one cloze card per step: the whole list of step titles with this step's title as
the gap, the heading path (and the bullet the list sits under) as context, and the
step's details (its whole line and its sub-bullets) in Extra, never on the question
side where they could give it away. A step's title is its leading bold phrase, else
its first line. Task items and bullets that are only links or an image are not steps;
a list holding hand-written ``{{c1::...}}`` clozes is left to the phrases kind.

Only a procedure is drilled as a sequence (judge/lists.py says which lists are): the
judge drops the candidates of any other numbered list (rule ``not_a_procedure``), and
their items stay free for the other kinds; a bulleted list gives candidates only when
it is introduced as steps.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..judge.lists import procedure_reason
from ..model import CLOZE, Blocks, Candidate, Element, Field, Gap, Inline, ListBlock, ListItem, Note, Span, Words
from ..notes.parse import plain_text
from .shapes import is_pipeline, is_step, list_shape, step_title, title_tokens
from .walk import Context

KIND = "steps"


def _title(item: ListItem) -> Span:
    assert item.inline is not None
    start, end = title_tokens(item.inline)
    return Span(item.inline.tokens[start:end])


def _details(item: ListItem) -> Field:
    """The step's whole line, when it says more than the title, then its sub-blocks."""
    assert item.inline is not None
    _, end = title_tokens(item.inline)
    more = plain_text(Inline("", item.inline.tokens[end:]))
    line: Field = (Element("p", (Span(item.inline.tokens),)),) if more else ()
    return (*line, Blocks(item.children))


#: A procedure of up to this many steps is shown whole on each of its cards; a longer
#: one shows the step asked and its neighbours, this many in all, with "…" where the
#: list goes on: every card holding every title made a deck that grows as the square
#: of the list (4,000 steps: 50 s, and each card unreadable).
SHOWN_STEPS = 30


def _front(titles: list[Span], k: int) -> Field:
    """The list of step titles with step ``k``'s as the gap."""
    first = min(max(k - SHOWN_STEPS // 2, 0), max(len(titles) - SHOWN_STEPS, 0))
    shown = titles[first : first + SHOWN_STEPS]
    rows = tuple(Element("li", (Gap((t,)),) if first + j == k else (t,)) for j, t in enumerate(shown))
    if len(shown) == len(titles):
        return (Element("ol", rows, cls="steps"),)
    more = Element("p", (Words("…"),))
    before: Field = (more,) if first > 0 else ()
    after: Field = (more,) if first + len(shown) < len(titles) else ()
    return (*before, Element("ol", rows, cls="steps", attrs=(("start", str(first + 1)),)), *after)


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    for visit in ctx.walk(note):
        block = visit.block
        if not isinstance(block, ListBlock) or not ctx.shared("pipeline", block, lambda: is_pipeline(block)):
            continue
        shape = ctx.shared("list_shape", block, lambda: list_shape(block, visit, note))
        reason = procedure_reason(shape)
        if reason is not None and not block.ordered:
            continue  # a bulleted list: no candidate to explain
        steps = [i for i in block.items if is_step(i)]
        titles = [_title(s) for s in steps]
        for k, item in enumerate(steps):
            if ctx.is_claimed(item):
                continue
            if reason is None:
                ctx.claim(item)  # a procedure's items are its steps; a mere list's stay free
            yield ctx.candidate(
                note,
                kind=KIND,
                model=CLOZE,
                front=_front(titles, k),
                back=_details(item),
                crumbs=ctx.where(note, visit),
                identity=step_title(item),
                line=item.line,
                facts=shape,
            )
