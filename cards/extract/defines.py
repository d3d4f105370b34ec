"""defines: a sentence that says what a thing is asks for the thing's name.

    Osmosis is the movement of water across a semi-permeable membrane.
    - A deadlock is a state in which each process waits for another to release a lock.
    进程是指正在运行的程序的实例。

gives a cloze per such sentence with the name it defines as the gap:
``{{c1::Osmosis}} is the movement of water across a semi-permeable membrane.`` The
sentence must open with its subject, a short name of plain words (at most five words, or
twelve CJK characters), followed by a copula that defines (``is a``, ``refers to``,
``是指``, ``とは``; the lexicon's ``defining`` list, one per language). A name set in bold is
the phrases kind's question already, and ``X is called Y`` the terms kind's.

It proposes liberally (a subject that is a pronoun, a copula that only describes):
whether a learner would keep the card is the score's to say (judge/score.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache

from markdown_it.token import Token

from ..lexicon import alternation
from ..model import CLOZE, Candidate, Gap, Note, Sep, Span, Words
from ..notes.inline import has_cloze, is_image_only, is_links_only, with_content
from ..text import cjk, words
from .shapes import prose_nodes, refers_back, sentences
from .walk import Context

KIND = "defines"
MAX_WORDS = 5
MAX_CJK = 12
_NAME_EDGE = re.compile(r"^[\W_]|[,;:，；：(（]")


@cache
def _copula() -> re.Pattern[str]:
    latin = alternation("defining", script="latin", spaces=r"\s+")
    han = alternation("defining", script="cjk")
    return re.compile(rf"\s+(?:{latin})\s+|(?:{han})", re.IGNORECASE)


def _split(first: Token) -> tuple[str, str] | None:
    """(the name, the rest of the text) of a sentence's opening text that defines."""
    found = _copula().search(first.content, 0, 120)
    if found is None or found.start() == 0:
        return None
    name = first.content[: found.start()].strip()
    if not name or _NAME_EDGE.search(name):
        return None
    if cjk(name):
        if cjk(name) > MAX_CJK or words(name):
            return None
    elif not 1 <= len(words(name)) <= MAX_WORDS or len(name.split()) > MAX_WORDS:
        return None
    return name, first.content[found.start() :]


def _asks(tokens: Sequence[Token]) -> bool:
    """A question (``What is …?``, ``… 是什么？``) states nothing to define.

    >>> _asks([Token("text", "", 0, content="What is a lock?")]), _asks([Token("text", "", 0, content="A lock.")])
    (True, False)
    """
    text = "".join(t.content for t in tokens if t.type == "text").rstrip()
    return text.endswith(("?", "？")) or "?::" in text or "？::" in text


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    for visit in ctx.walk(note):
        for node, inline, line in prose_nodes(visit):
            if ctx.is_claimed(node) or has_cloze(inline) or is_links_only(inline) or is_image_only(inline):
                continue
            for sentence in sentences(inline):
                tokens = sentence.tokens
                if not tokens or tokens[0].type != "text" or _asks(tokens):
                    continue
                found = _split(tokens[0])
                if found is None or refers_back(found[0]):
                    continue
                name, rest = found
                joiner = (Sep(" "),) if rest[:1].isspace() else ()
                shown = [with_content(tokens[0], rest.lstrip()), *tokens[1:]]
                yield ctx.candidate(
                    note,
                    kind=KIND,
                    model=CLOZE,
                    front=(Gap((Words(name),)), *joiner, Span(shown)),
                    back=(),
                    crumbs=ctx.where(note, visit),
                    identity=f"{name}\x1f{''.join(t.content for t in tokens if t.type == 'text')}",
                    line=line,
                )
