"""What recurs across a vault: the shapes of each note's lines, counted over its notes.

Template and boilerplate recur; facts do not. A ``Title`` heading in every note made
from one template, ``pg 103:`` before every highlight of a book export, ``Note:`` and
``Beispiel:`` lines, a ``**Definition**`` above every paragraph: a card that asks one of
those asks a label, not a fact, whatever the language. A term defined once is a fact.
So the score (judge/features.py) asks how many notes of the vault hold the candidate's
question, answer, first word or heading as a line of theirs.

A note's keys come from its raw text alone (before it is parsed), so the build can count
them over every note first and hand each note only the counts of its own keys
(:class:`Recurrence`). Counts are kept as buckets (1, 2, 3–4, 5 or more): a note's cards
change only when one of its keys crosses a bucket, and an edit elsewhere in the vault
rarely does that, so the cached result of most notes stays valid
(:meth:`Recurrence.signature`).

Key kinds: ``h:`` a heading, ``l:`` a whole line (its first 60 characters), ``p:`` the
text before a colon (up to 40 characters), ``t:`` a line's first word, ``b:`` a bold or
highlighted phrase. Every key is a :func:`shape`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ..text import normalise

_DIGITS = re.compile(r"\d+")
_HEADING = re.compile(r"^\s*(?:[-*]\s+)?#{1,6}\s+(.+?)\s*#*\s*$")
_MARKS = re.compile(r"^\s*(?:#{1,6}\s+|[-*+>]\s+|\d+[.)]\s+|\[[ xX]\]\s+)*")
_INLINE = re.compile(r"\*\*|__|==|`|\[\[|\]\]")
_BOLD = re.compile(r"\*\*(.+?)\*\*|==(.+?)==")
_COLON = re.compile(r"[:：]")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n(?:---|\.\.\.)\n", re.S)
LINE_KEY = 60
PREFIX_KEY = 40
MAX_BUCKET = 3


def shape(text: str) -> str:
    """A text's shape: case- and width-folded, numbers as ``#``, edge punctuation off, so
    ``pg 103:`` and ``PG 7`` are one shape, and so are ``例1`` and ``例 2``'s words.

    >>> shape("PG 103:"), shape("Satz 9.9"), shape("  Note ")
    ('pg #', 'satz #.#', 'note')
    """
    folded = " ".join(text.lower().split()) if text.isascii() else normalise(text)
    return _DIGITS.sub("#", folded).strip(" :：.。,，;；-—*")


def first_word(text: str) -> str:
    """The first word of a text's shape.

    >>> first_word("Beispiel: ein Satz"), first_word("")
    ('beispiel', '')
    """
    parts = shape(text).split()
    return parts[0].strip(":：.。,，;；") if parts else ""


def note_keys(text: str) -> frozenset[str]:
    """The shapes of a note's lines (see the module doc), front matter left out.

    >>> sorted(note_keys("## Note\\npg 12: **the** point\\n"))
    ['b:the', 'h:note', 'l:note', 'l:pg #: the point', 'p:pg #', 't:note', 't:pg']
    """
    keys: set[str] = set()
    for line in _FRONT_MATTER.sub("", text).split("\n"):
        if not line.strip():
            continue
        heading = _HEADING.match(line)
        if heading:
            keys.add("h:" + shape(heading.group(1)))
        core = _INLINE.sub("", _MARKS.sub("", line))
        folded = shape(core)
        if not folded:
            continue
        keys.add("l:" + folded[:LINE_KEY])
        keys.add("t:" + folded.split(None, 1)[0].strip(":：.。,，;；"))
        colon = _COLON.search(core)
        if colon and 0 < colon.start() <= PREFIX_KEY:
            keys.add("p:" + shape(core[: colon.start()]))
        for bold in _BOLD.finditer(line):
            keys.add("b:" + shape(bold.group(1) or bold.group(2) or ""))
    return frozenset(keys)


def bucket(count: int) -> int:
    """How often a key recurs: 0 for one note, 1 for two, 2 for three or four, 3 for five
    or more. Why so few: a key of many notes (a template's heading, the first word
    "the") is boilerplate whether 50 or 500 notes hold it, and a note's cached cards hold
    while its buckets do, so an edit that moves a count past 64 or 128 must not send
    every note holding that key back to the judge.

    >>> [bucket(n) for n in (1, 2, 3, 4, 5, 8, 9, 100)]
    [0, 1, 2, 2, 3, 3, 3, 3]
    """
    return min(MAX_BUCKET, max(0, count - 1).bit_length())


@dataclass(frozen=True, slots=True)
class Recurrence:
    """The buckets of one note's keys over its vault (keys of no other note left out: 0)."""

    buckets: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def of(self, *keys: str) -> int:
        """The largest bucket among ``keys`` (0 when none recurs)."""
        return max((self.buckets.get(key, 0) for key in keys), default=0)

    def signature(self) -> str:
        """What of the vault this note's cards depend on: changes only when a bucket of
        one of its keys does (part of the note's cache key)."""
        if not self.buckets:
            return ""
        body = "\n".join(f"{key}\t{value}" for key, value in sorted(self.buckets.items()))
        return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


NO_RECURRENCE = Recurrence()


class VaultKeys:
    """Every note's keys, counted over the notes: from it each note's :class:`Recurrence`."""

    def __init__(self, notes: Iterable[frozenset[str]] = ()) -> None:
        self.counts: dict[str, int] = {}
        for keys in notes:
            self.add(keys)

    def add(self, keys: Iterable[str]) -> None:
        counts = self.counts
        for key in keys:
            counts[key] = counts.get(key, 0) + 1

    def recurrence(self, keys: Iterable[str]) -> Recurrence:
        """The buckets of a note's own keys that recur in other notes."""
        counts = self.counts
        found = {key: b for key in keys if (b := bucket(counts.get(key, 1)))}
        return Recurrence(MappingProxyType(found)) if found else NO_RECURRENCE
