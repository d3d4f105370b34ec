"""Linear-time questions about a long text: the next occurrence, the span covering a spot.

Why: a scan that asks "where is the next ``]`` (or ``}}``, or `` :: ``) after here?"
once per candidate, by searching the text again, costs the rest of the text each time;
over a note that is one long run of candidates (100 KB of ``[``), that is quadratic and
a build hangs for minutes. Here each text is indexed once (one pass), and every
question after that is a binary search.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator


class Occurrences:
    """Where ``needle`` (a literal) occurs in ``text``, overlapping ones included.

    >>> at = Occurrences("a]]]b", "]]")
    >>> at.next(0), at.next(2), at.next(3), at.within(0, 3), at.within(0, 2)
    (1, 2, -1, True, False)
    """

    __slots__ = ("positions", "_length")

    def __init__(self, text: str, needle: str) -> None:
        self._length = len(needle)
        found: list[int] = []
        at = text.find(needle)
        while at >= 0:
            found.append(at)
            at = text.find(needle, at + 1)
        self.positions = found

    @classmethod
    def at(cls, positions: list[int], length: int) -> Occurrences:
        """Occurrences already found (sorted), each ``length`` characters long."""
        made = cls.__new__(cls)
        made._length = length
        made.positions = positions
        return made

    @classmethod
    def of_chars(cls, text: str, chars: str) -> Occurrences:
        """Where any character of the regex class ``chars`` (e.g. ``[)\\s]``) occurs."""
        return cls.at([m.start() for m in re.finditer(chars, text)], 1)

    def next(self, start: int) -> int:
        """The first occurrence at or after ``start``, or -1."""
        k = bisect_left(self.positions, start)
        return self.positions[k] if k < len(self.positions) else -1

    def last_before(self, end: int) -> int:
        """The last occurrence that starts before ``end``, or -1."""
        k = bisect_left(self.positions, end)
        return self.positions[k - 1] if k else -1

    def within(self, start: int, end: int) -> bool:
        """Whether an occurrence lies wholly inside ``text[start:end]`` (``needle in text[start:end]``)."""
        at = self.next(start)
        return at >= 0 and at + self._length <= end


class Spans:
    """Sorted spans that do not overlap (as ``finditer`` gives them): which one covers a spot.

    >>> Spans([(2, 4), (6, 9)]).covers(3), Spans([(2, 4), (6, 9)]).covers(4)
    (True, False)
    """

    __slots__ = ("starts", "ends")

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        pairs = list(spans)
        self.starts = [a for a, _ in pairs]
        self.ends = [b for _, b in pairs]

    def covers(self, pos: int) -> bool:
        k = bisect_right(self.starts, pos) - 1
        return k >= 0 and pos < self.ends[k]


def bracket_spans(text: str, *, links: bool = True, wikilinks: bool = True) -> Iterator[tuple[int, int, int]]:
    """Every ``[`` that opens a link or a wikilink, in order: (its index, the index of the
    ``]`` that closes its label, the end of the span).

    A link is what ``\\[[^\\]]*\\]\\([^)\\s]*\\)`` matches, a wikilink what
    ``\\[\\[[^\\]]*\\]\\]`` matches (never both: the ``]`` is followed by ``(`` or by
    ``]``). Both run from a ``[`` to the *first* ``]``
    after it, so whether one matches depends only on what follows that ``]``: each
    ``]`` is judged once, and the ``[`` before it are read only when it closes a span
    (the regex engine read the text from every ``[`` to its ``]`` again).

    >>> list(bracket_spans("[[a]] [b](c) [d] ![e](f g)"))
    [(0, 3, 5), (6, 8, 12)]
    """
    if "[" not in text or "]" not in text:
        return
    closes = [m.start() for m in re.finditer(r"\]", text)]
    opens = [m.start() for m in re.finditer(r"\[", text)]
    stops: Occurrences | None = None
    for close in (m.start() for m in re.finditer(r"\](?=[(\]])", text)):
        wiki = text.startswith("]", close + 1)
        if wiki and not wikilinks:
            continue
        if wiki:
            end = close + 2
        else:
            if not links:
                continue
            stops = stops or Occurrences.of_chars(text, r"[)\s]")
            stop = stops.next(close + 2)
            if stop < 0:
                links = False  # no `)` or space after it: no later link closes either
                continue
            if text[stop] != ")":
                continue
            end = stop + 1
        k = bisect_left(closes, close)
        first = bisect_left(opens, closes[k - 1] + 1 if k else 0)
        for at in opens[first : bisect_left(opens, close, first)]:
            if not wiki or text.startswith("[", at + 1):
                yield at, close, end
