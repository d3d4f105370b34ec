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
from ..model import BASIC, Candidate, Note, Source
from . import Context, breadcrumb, section_at
from .lines import fragment, note_lines

KIND = "details"
log = logging.getLogger("cards")
_OPEN = re.compile(r"<details\b[^>]*>", re.IGNORECASE)
_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary\b[^>]*>(?P<q>.*?)</summary\s*>", re.IGNORECASE | re.DOTALL)


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    lines = [line for line in note_lines(note) if line.number not in note.code_lines]
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
        opener = opens_only(question.text)
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
            facts={"not_fact": f'its summary only says how to open it ("{question.text.strip()}")'} if opener else None,
        )


#: A summary that names the widget, not a question: the <details> folds a long passage away.
_OPENER = re.compile(
    r"^\W*(?:click\s+(?:here\s+)?(?:to\s+)?(?:expand|open|show|see|view)\w*|expand|show(?:\s+(?:more|all|details?|answer|code))?|"
    r"more|details?|spoiler|toggle|点击展开|点击查看|展开|查看|更多|详情|点此展开)\W*$",
    re.IGNORECASE,
)


def opens_only(summary: str) -> bool:
    """A summary that only says how to open the block (``click to expand``, ``展开``):
    the author folded a long passage away; nothing is asked.

    >>> opens_only("click to expand"), opens_only("Show more"), opens_only("What is a heap?")
    (True, True, False)
    """
    return _OPENER.match(summary.strip()) is not None


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text.strip("\n")).strip()


def _warn(note: Note, line: int, message: str) -> None:
    log.warning("%s", CardsError(Source(note.path, line), message))
