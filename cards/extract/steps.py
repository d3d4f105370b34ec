"""Steps: an ordered list of two or more items is a pipeline to recall step by step.

    ## Training pipeline
    1. **Cold start** with a few thousand long CoT samples
       - teaches the output format
    2. **Reasoning RL** (GRPO)

gives one cloze card per step: the whole list of step titles with this step's title as
the gap, the heading path as context, and the step's details (the rest of its line and
its sub-bullets) in Extra, never on the question side where they could give it away.
A step's title is its leading bold phrase, else its first line.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import CLOZE, Card, ListBlock, ListItem, Note
from ..parse import plain_text
from ..render import Renderer
from . import Context, breadcrumb, make_card, walk
from .shapes import is_image_only, is_links_only, leading_span, span_text

KIND = "steps"


def step_title(item: ListItem) -> str:
    """Plain text of a step's title (its leading bold phrase, else its first line)."""
    if item.inline is None:
        return ""
    span = leading_span(item.inline)
    return span_text(item.inline, span) if span else plain_text(item.inline)


def _title_html(renderer: Renderer, item: ListItem) -> tuple[str, str]:
    """(title HTML, rest-of-line HTML) of a step."""
    assert item.inline is not None
    span = leading_span(item.inline)
    if span is None:
        return renderer.inline(item.inline), ""
    tokens = item.inline.tokens
    title = renderer.tokens(tokens[span[0] + 1 : span[1]]).strip()
    rest = renderer.tokens(tokens[span[1] + 1 :]).strip()
    return title, rest


def is_pipeline(block: ListBlock) -> bool:
    steps = [i for i in block.items if _is_step(i)]
    return block.ordered and len(steps) >= 2


def _is_step(item: ListItem) -> bool:
    return item.task is None and item.inline is not None and bool(step_title(item)) and not is_links_only(item.inline) and not is_image_only(item.inline)


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
            titles = [_title_html(ctx.renderer, s)[0] for s in steps]
            rows = "".join(
                f"<li>{'{{c1::' + t + '}}' if j == k else t}</li>" for j, t in enumerate(titles)
            )
            _, rest = _title_html(ctx.renderer, item)
            details = (f"<p>{rest}</p>" if rest else "") + ctx.renderer.blocks(item.children)
            yield make_card(
                note,
                ctx,
                kind=KIND,
                model=CLOZE,
                front=f'<ol class="steps">{rows}</ol>',
                back=details,
                context=breadcrumb(note, visit.section, parent),
                identity=step_title(item),
                line=item.line,
            )
