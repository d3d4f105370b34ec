"""outline: a bullet with two or more bullets under it is a question they answer.

    - [[TCP handshake]]
      - SYN
      - SYN-ACK
      - ACK
    - Causes of inflation
      - demand-pull
      - cost-push

gives a card per such bullet: the bullet on the front (a bullet that is only a link, a
Logseq page as an outline's parent, shows the link's words), its child list on the back,
with the bullets above it as context. Outlines are how Logseq and many Markdown notes
hold what a thing is made of; a bullet with a single child is the qa kind's (a term and
its explanation), and a numbered procedure is the steps kind's.

It proposes liberally (a parent that is a label, a list too long to recall): whether a
learner would keep the card is the score's to say (judge/score.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import BASIC, Blocks, Candidate, ListBlock, ListItem, Note, Span
from ..notes.inline import has_cloze, is_image_only
from ..notes.parse import plain_text
from ..text import width
from .walk import Context

KIND = "outline"
#: A parent longer than this is a sentence with notes under it, not a name.
LONG_PARENT = 120
MIN_CHILDREN = 2
MAX_CHILDREN = 8


def _children(item: ListItem) -> ListBlock | None:
    """The one child list of a bullet, when it has 2–8 bullets of words and no to-dos."""
    if len(item.children) != 1 or not isinstance(item.children[0], ListBlock):
        return None
    child = item.children[0]
    items = child.items
    if not MIN_CHILDREN <= len(items) <= MAX_CHILDREN:
        return None
    if any(i.task is not None or i.inline is None or not plain_text(i.inline).strip() for i in items):
        return None
    return child


def _parent(item: ListItem) -> bool:
    inline = item.inline
    if item.task is not None or inline is None or has_cloze(inline) or is_image_only(inline):
        return False
    text = plain_text(inline).strip()
    return bool(text) and width(text) <= LONG_PARENT


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    for visit in ctx.walk(note):
        if not isinstance(visit.block, ListBlock):
            continue
        for item in visit.block.items:
            if ctx.is_claimed(item) or not _parent(item):
                continue
            child = _children(item)
            if child is None or any(ctx.is_claimed(i) for i in child.items):
                continue
            assert item.inline is not None
            yield ctx.candidate(
                note,
                kind=KIND,
                model=BASIC,
                front=(Span(item.inline.tokens),),
                back=(Blocks([child]),),
                crumbs=ctx.where(note, visit),
                identity=plain_text(item.inline),
                line=item.line,
            )
