"""Deletions written for another tool, found by its cloze patterns and made into Anki's.

The Obsidian Spaced Repetition plugin describes each cloze syntax by a pattern such as
``==[123;;]answer[;;hint]==``: literal text, the word ``answer`` where the hidden text
goes, and optional bracketed parts holding ``123`` (a sequence number) or ``hint``.
So ``==Paris==``, ``==1;;Paris==`` and ``==Paris;;a city==`` are all deletions of
"Paris". :func:`compile_pattern` turns such a pattern into a regular expression,
:func:`find_deletions` finds them in a text, and :func:`cloze_text` writes the text
again with Anki's ``{{c1::Paris::a city}}`` for the deletions a card asks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .lines import inline_code_test


@dataclass(frozen=True, slots=True)
class Deletion:
    start: int  # offsets of the whole written deletion in the text
    end: int
    answer: str
    hint: str = ""
    number: int | None = None  # the writer's sequence number, if any


@lru_cache(maxsize=64)
def compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """A cloze pattern as a regular expression with groups ``answer``, ``seq``, ``hint``.

    >>> compile_pattern("==[123;;]answer[;;hint]==").pattern
    '==(?:(?P<seq>\\\\w+);;)?(?P<answer>[^\\\\n]+?)(?:;;(?P<hint>[^\\\\n]+?))?=='
    >>> compile_pattern("==x==") is None  # no word "answer": nothing is hidden
    True
    """
    out: list[str] = []
    i = 0
    found = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif char == "[":
            close = _group_end(pattern, i)
            if close < 0:
                return None
            out.append(_group(pattern[i + 1 : close]))
            i = close + 1
        elif pattern.startswith("answer", i):
            out.append(r"(?P<answer>[^\n]+?)")
            found = True
            i += len("answer")
        else:
            out.append(re.escape(char))
            i += 1
    if not found:
        return None
    try:
        return re.compile("".join(out))
    except re.error:
        return None


@lru_cache(maxsize=64)
def closing(pattern: str) -> str:
    """The literal text a cloze pattern ends with, "" when it ends with a part.

    A deletion ends there, so none is looked for past its last occurrence on a line:
    without one, ``==`` then 10,000 ``;;`` took 90 s (the answer and the hint, both
    lazy, tried every split of the rest of the line).

    >>> closing("==[123;;]answer[;;hint]=="), closing("{{answer}}"), closing("answer[;;hint]")
    ('==', '}}', '')
    """
    tail: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            tail.append(pattern[i + 1])
            i += 2
        elif pattern[i] == "[":
            end = _group_end(pattern, i)
            if end < 0:
                return ""
            tail, i = [], end + 1
        elif pattern.startswith("answer", i):
            tail, i = [], i + len("answer")
        else:
            tail.append(pattern[i])
            i += 1
    return "".join(tail)


def _group_end(pattern: str, start: int) -> int:
    i = start + 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]":
            return i
        i += 1
    return -1


def _group(body: str) -> str:
    """An optional bracketed part: ``123;;`` (a sequence number) or ``;;hint``."""
    literal = _unescape(body)
    for word, group in (("123", r"(?P<seq>\w+)"), ("hint", r"(?P<hint>[^\n]+?)")):
        at = literal.find(word)
        if at >= 0:
            return f"(?:{re.escape(literal[:at])}{group}{re.escape(literal[at + len(word) :])})?"
    return f"(?:{re.escape(literal)})?"


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def find_deletions(text: str, patterns: Iterable[str]) -> list[Deletion]:
    """Every deletion any of ``patterns`` finds in ``text``, in order, none overlapping
    and none inside inline code (the earliest wins, then the longest)."""
    found: list[Deletion] = []
    offset = 0
    compiled = [(p, closing(pattern)) for p, pattern in ((compile_pattern(q), q) for q in patterns) if p is not None]
    for line in text.split("\n"):
        candidates: list[tuple[int, int, re.Match[str]]] = []
        in_code = inline_code_test(line)
        for regex, last in compiled:
            end = line.rfind(last) + len(last) if last else len(line)
            if end < len(last):
                continue  # its closing text is not on the line
            for match in regex.finditer(line, 0, end):
                if match["answer"].strip() and not in_code(match.start()):
                    candidates.append((match.start(), -match.end(), match))
        taken_until = -1
        for start, _, match in sorted(candidates, key=lambda c: (c[0], c[1])):
            if start < taken_until:
                continue
            seq = match.groupdict().get("seq")
            found.append(
                Deletion(
                    offset + match.start(),
                    offset + match.end(),
                    match["answer"].strip(),
                    (match.groupdict().get("hint") or "").strip(),
                    int(seq) if seq and seq.isdigit() else None,
                )
            )
            taken_until = match.end()
        offset += len(line) + 1
    return found


def cloze_text(text: str, deletions: Sequence[Deletion], *, ask: Iterable[Deletion], numbered: bool = False) -> str:
    """``text`` with the deletions in ``ask`` written as Anki clozes and the others as
    their plain answer. ``numbered``: each takes its own number (unnumbered ones the
    numbers after the writer's), else all are cloze 1.

    >>> d = find_deletions("Paris is the ==capital== of ==France==", ["==answer=="])
    >>> cloze_text("Paris is the ==capital== of ==France==", d, ask=d[1:])
    'Paris is the capital of {{c1::France}}'
    """
    asked = set(ask)
    numbers = [d.number for d in deletions if d.number is not None]
    spare = iter(range(max(numbers, default=0) + 1, 10_000))
    out: list[str] = []
    at = 0
    for deletion in deletions:
        out.append(text[at : deletion.start])
        if deletion in asked:
            number = (deletion.number if deletion.number is not None else next(spare)) if numbered else 1
            hint = f"::{deletion.hint}" if deletion.hint else ""
            out.append(f"{{{{c{number}::{deletion.answer}{hint}}}}}")
        else:
            out.append(deletion.answer)
        at = deletion.end
    out.append(text[at:])
    return "".join(out)
