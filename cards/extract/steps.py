"""Steps: an ordered list of two or more items is a pipeline to recall step by step.

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
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import CLOZE, Card, Inline, ListBlock, ListItem, Note
from ..notes.parse import plain_text
from ..deck.render import Renderer
from . import Context, breadcrumb, make_card, walk
from .shapes import has_cloze, is_image_only, is_links_only, leading_span

KIND = "steps"


def _title_tokens(inline: Inline) -> tuple[int, int]:
    """Token indices [start, end) of a step's title: the leading bold span, else the first line."""
    span = leading_span(inline)
    if span is not None:
        return span[0] + 1, span[1]
    tokens = inline.tokens
    end = next((i for i, t in enumerate(tokens) if t.type in ("softbreak", "hardbreak")), len(tokens))
    return 0, end


def step_title(item: ListItem) -> str:
    """Plain text of a step's title (its leading bold phrase, else its first line)."""
    if item.inline is None:
        return ""
    start, end = _title_tokens(item.inline)
    return plain_text(Inline("", item.inline.tokens[start:end]))


def _title_html(renderer: Renderer, item: ListItem) -> str:
    assert item.inline is not None
    start, end = _title_tokens(item.inline)
    return renderer.tokens(item.inline.tokens[start:end]).strip()


def _details_html(renderer: Renderer, item: ListItem) -> str:
    """The step's whole line, when it says more than the title, then its sub-blocks."""
    assert item.inline is not None
    _, end = _title_tokens(item.inline)
    more = plain_text(Inline("", item.inline.tokens[end:]))
    line = f"<p>{renderer.inline(item.inline)}</p>" if more else ""
    return line + renderer.blocks(item.children)


def _is_step(item: ListItem) -> bool:
    return (
        item.task is None
        and item.inline is not None
        and not is_links_only(item.inline)
        and not is_image_only(item.inline)
        and bool(step_title(item))
    )


def is_pipeline(block: ListBlock) -> bool:
    if not block.ordered or any(has_cloze(i.inline) for i in block.items):
        return False
    return sum(_is_step(i) for i in block.items) >= 2


def extract(note: Note, ctx: Context) -> Iterator[Card]:
    for visit in walk(note):
        block = visit.block
        if not isinstance(block, ListBlock) or not is_pipeline(block):
            continue
        steps = [i for i in block.items if _is_step(i)]
        parent = step_title(visit.parents[-1]) if visit.parents else ""
        for k, item in enumerate(steps):
            if ctx.is_claimed(item):
                continue
            ctx.claim(item)
            titles = [_title_html(ctx.renderer, s) for s in steps]  # per card: each card owns its images
            rows = "".join(f"<li>{'{{c1::' + t + '}}' if j == k else t}</li>" for j, t in enumerate(titles))
            yield make_card(
                note,
                ctx,
                kind=KIND,
                model=CLOZE,
                front=f'<ol class="steps">{rows}</ol>',
                back=_details_html(ctx.renderer, item),
                context=breadcrumb(note, visit.section, parent),
                identity=step_title(item),
                line=item.line,
            )
