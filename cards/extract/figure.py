"""Figure takeaways: a bullet that is only an image, with its takeaway nested under it.

    - ![](figures/response-length.png)
      - Longer training gives longer answers: the model learns to think.

gives a basic card with the image on the front and the takeaway on the back.
An image with nothing nested under it (or only to-do items) is not a card.
"""

from __future__ import annotations

from collections.abc import Iterator

from markdown_it.token import Token

from ..model import BASIC, Blocks, Candidate, ListBlock, Note, Span
from ..notes.inline import is_image_only, without_tasks
from .walk import Context

KIND = "figure"


def _image_target(tokens: list[Token]) -> str:
    for token in tokens:
        if token.type == "image":
            return str(token.attrGet("src") or "")
        if token.type == "wikiembed":
            return str(token.meta["target"])
    return ""


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    for visit in ctx.walk(note):
        if not isinstance(visit.block, ListBlock):
            continue
        for item in visit.block.items:
            if item.task is not None or ctx.is_claimed(item) or not is_image_only(item.inline) or not item.children:
                continue
            assert item.inline is not None
            back = (Blocks(without_tasks(item.children)),)
            if not ctx.words(back):
                continue  # only images under it, or nothing
            # The takeaway stays free for a key-phrase card: recalling the sentence is
            # a different question from recalling what the figure shows.
            ctx.claim(item)
            yield ctx.candidate(
                note,
                kind=KIND,
                model=BASIC,
                front=(Span(item.inline.tokens),),
                back=back,
                crumbs=ctx.where(note, visit),
                identity="image:" + _image_target(item.inline.tokens),
                line=item.line,
            )
