"""What the line-based card syntaxes share: a note's lines, and Markdown pieces of them as card fields.

Cards written for other tools (Spaced Repetition's ``?`` and ``::``, Obsidian_to_Anki's
``START``/``END``, ``<details>``) are defined by lines, not by the Markdown tree: a
question is "the lines above the separator". These helpers cut such a piece out of
the note and render it as our other cards are rendered (one Markdown parser, one
renderer), so an explicit card looks like a mined one.
"""

from __future__ import annotations

import re
import textwrap
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..model import Block, Blocks, Field, Note, Paragraph, Span
from ..notes.parse import parse_fragment, plain_blocks
from ..notes.scan import Occurrences

#: A list marker (``-``, ``*``, ``+``, ``1.``, ``1)``), a task box, or a quote marker at a line's start.
_LEAD = re.compile(r"^\s*(?:>\s*)*(?:(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?)?")
#: Spaced Repetition's scheduling comment, kept beside a card (``<!--SR:!2024-01-01,3,250-->``).
SR_COMMENT = re.compile(r"<!--SR:.*?-->")
#: An Obsidian block id ending a line (``... ^a1b2c3``): an anchor, not text.
_BLOCK_ID = re.compile(r"\s\^[\w-]+\s*$")
HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s|$)")


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # 1-based, as in the note
    text: str


def note_lines(note: Note) -> list[Line]:
    """The note's lines, front matter and HTML comment blocks left out."""
    return [Line(n, text) for n, text in enumerate(note.text.split("\n"), 1) if n not in note.hidden_lines]


def strip_lead(text: str) -> str:
    """A line without its list or quote marker: ``- [ ] Q::A`` -> ``Q::A``."""
    return text[_LEAD.match(text).end() :] if _LEAD.match(text) else text  # type: ignore[union-attr]


def clean(text: str) -> str:
    """Card text without scheduling comments and block ids."""
    lines = [_BLOCK_ID.sub("", SR_COMMENT.sub("", line)).rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def inline_code_test(text: str) -> Callable[[int], bool]:
    """Whether ``text[index]`` lies inside a backtick code span (an odd number of
    backticks before it on the line), for many indexes of one text: its backticks are
    counted once, not again from the start for every index (quadratic on a long line)."""
    ticks = Occurrences(text, "`").positions
    return lambda index: bisect_left(ticks, index) % 2 == 1


def outside_code(text: str, needle: str) -> Iterator[int]:
    """Every index of ``needle`` in ``text`` (overlapping ones too) outside inline code, in order.

    >>> list(outside_code("a::b `c::d` e::f", "::"))
    [1, 13]
    """
    inside = inline_code_test(text)
    index = text.find(needle)
    while index >= 0:
        if not inside(index):
            yield index
        index = text.find(needle, index + 1)


def dedent_lines(lines: Iterable[str]) -> str:
    return textwrap.dedent("\n".join(lines)).strip("\n")


@dataclass(frozen=True, slots=True)
class Fragment:
    """A piece of Markdown made into a card's side: its pieces and its plain words."""

    field: Field
    text: str


def fragment(markdown_text: str, *, handwritten: bool = False) -> Fragment:
    """A piece of a note as a card's side: one paragraph reads as an inline (as a Q/A
    bullet's question does), anything else as blocks."""
    blocks: list[Block] = parse_fragment(clean(markdown_text))
    if len(blocks) == 1 and isinstance(blocks[0], Paragraph):
        return Fragment((Span(blocks[0].inline.tokens, handwritten=handwritten),), plain_blocks(blocks))
    return Fragment((Blocks(blocks, handwritten=handwritten),), plain_blocks(blocks))
