"""Figure takeaways: a bullet that is only an image, with its takeaway nested under it.

    - ![](figures/response-length.png)
      - Longer training gives longer answers: the model learns to think.

gives a basic card with the image on the front and the takeaway on the back.
An image with nothing nested under it (or only to-do items) is not a card.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown_it.token import Token

from ..model import BASIC, Card, ListBlock, Note
from . import Context, make_card, walk, where
from .shapes import is_image_only, without_tasks

KIND = "figure"


def _image_target(tokens: list[Token]) -> str:
    for token in tokens:
        if token.type == "image":
            return str(token.attrGet("src") or "")
        if token.type == "wikiembed":
            return str(token.meta["target"])
    return ""


def extract(note: Note, ctx: Context) -> Iterator[Card]:
    for visit in walk(note):
        if not isinstance(visit.block, ListBlock):
            continue
        for item in visit.block.items:
            if item.task is not None or ctx.is_claimed(item) or not is_image_only(item.inline) or not item.children:
                continue
            assert item.inline is not None
            front = ctx.renderer.inline(item.inline)
            back = ctx.renderer.blocks(without_tasks(item.children))
            if not re.sub(r"<[^>]*>", "", back).strip():
                ctx.take_media()
                continue
            # The takeaway stays free for a key-phrase card: recalling the sentence is
            # a different question from recalling what the figure shows.
            ctx.claim(item)
            yield make_card(
                note,
                ctx,
                kind=KIND,
                model=BASIC,
                front=front,
                back=back,
                context=where(note, visit),
                identity="image:" + _image_target(item.inline.tokens),
                line=item.line,
            )
