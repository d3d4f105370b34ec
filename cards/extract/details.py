"""details: an HTML ``<details>`` whose ``<summary>`` asks and whose body answers.

    <details>
    <summary>What is the time complexity of binary search?</summary>

    O(log n): each step halves the range.

    </details>

gives a question/answer card: the summary on the front, the body (Markdown) on the
back. A ``<details>`` without ``</details>``, or without a summary or a body, is
reported and gives no card.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from ..deck.render import blank
from ..errors import CardsError
from ..model import BASIC, Candidate, Note, Source, Summary
from .lines import fragment
from .walk import Context, breadcrumb, section_at

KIND = "details"
log = logging.getLogger("cards")
_OPEN = re.compile(r"<details\b[^>]*>", re.IGNORECASE)
_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary\b[^>]*>(?P<q>.*?)</summary\s*>", re.IGNORECASE | re.DOTALL)


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    if _OPEN.search(note.text) is None:
        return
    lines = ctx.lines(note, code=False)
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        opened = _OPEN.search(line.text)
        if opened is None or line.number in ctx.claimed_lines:
            continue
        end = next(
            (
                k
                for k in range(index - 1, len(lines))
                if _CLOSE.search(lines[k].text[opened.end() if k == index - 1 else 0 :])
            ),
            -1,
        )
        if end < 0:
            ctx.claim_lines(line.number, line.number)
            _warn(note, line.number, "a <details> card with no </details> after it; it gives no card")
            continue
        ctx.claim_lines(line.number, lines[end].number)
        text = "\n".join(l.text for l in lines[index - 1 : end + 1])
        text = text[_OPEN.search(text).end() :]  # type: ignore[union-attr]
        text = text[: _CLOSE.search(text).start()]  # type: ignore[union-attr]
        index = end + 1
        summary = _SUMMARY.search(text)
        if summary is None or not re.sub(r"<[^>]*>", "", summary["q"]).strip():
            _warn(note, line.number, "a <details> card with no <summary> to ask its question; it gives no card")
            continue
        question = fragment(re.sub(r"\s+", " ", summary["q"]).strip())
        answer = fragment(_dedent(text[summary.end() :]))
        if blank(answer.field):
            _warn(note, line.number, "a <details> card with nothing after its <summary> to answer it; it gives no card")
            continue
        yield ctx.candidate(
            note,
            kind=KIND,
            model=BASIC,
            front=question.field,
            back=answer.field,
            crumbs=breadcrumb(note, section_at(note, line.number)),
            identity=question.text,
            line=line.number,
            written=True,
            facts=Summary(question.text),  # a summary that only says "click to expand" asks nothing
        )


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text.strip("\n")).strip()


def _warn(note: Note, line: int, message: str) -> None:
    log.warning("%s", CardsError(Source(note.path, line), message))
