"""Rules that look at a table asked row by row: is each row a fact?

A glossary or a comparison table gives one card per body row. Never a card: a table with
fewer than two body rows or two columns, a table of numbers or symbols (a truth table,
timings: most answer cells are digits or one character), a table of links or images, a
layout table (no header), a table whose first column names no terms (numbers, repeated
values such as ``Done``), a table of more than 40 rows (a listing, not a glossary), a
code reference (file names, constants). The tables kind asks :func:`table_problem` to
know which tables it may claim; the judge drops the candidate that says why a table
gives none (rule ``not_a_fact``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..model import Candidate, Cell, TableShape
from .as_text import candidate_of  # noqa: F401  (the examples' candidates)

#: More body rows than this make a listing (a reading log, a schedule), not a glossary.
MAX_ROWS = 40
_SYMBOLIC = re.compile(r"^[\s\d.,:;%+\-−–×x*/~()\[\]<>=≈±°$€¥£#'\"^_|\\]*$|^\S$")
#: A file name, a path or a CONSTANT_NAME: a code reference table's first column.
_IDENTIFIER = re.compile(
    r"[\w./-]+\.(?:c|cc|cpp|cxx|h|hh|hpp|py|js|ts|java|go|rs|glsl|hlsl|cs|m|mm|md|json|yaml|yml)|[\w./]*/[\w./]+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?:\[\d+\])?"
)


def _symbolic(cell: Cell) -> bool:
    """A cell of numbers, symbols or one character (``0``, ``3 s``, ``V``, ``✓``, a bare formula)."""
    text = cell.text
    if cell.math and len(re.sub(r"\$[^$]*\$", "", text).strip()) == 0:
        return len(text) <= 12  # $x$, $\delta$: a symbol; a longer formula says something
    return bool(_SYMBOLIC.match(text)) or bool(re.fullmatch(r"\d+(?:[.,]\d+)?\s*[a-zA-Zµμ%]{0,3}", text.strip()))


def _names_terms(firsts: list[str]) -> bool:
    """The first column reads as terms: words (or a formula), mostly distinct, not numbers."""
    filled = [f for f in firsts if f]
    if len(filled) < 2:
        return False
    wordy = sum(1 for f in filled if re.search(r"[^\W\d_]", f) and len(f) <= 80)
    return wordy * 4 >= len(filled) * 3 and len(set(filled)) * 5 >= len(filled) * 4


@lru_cache(maxsize=256)
def table_problem(table: TableShape) -> str | None:
    """Why a table gives no cards, or None when each of its rows is a fact.

    >>> def cell(text):
    ...     return Cell(text, not text, False, False, False)
    >>> table_problem(TableShape(("bit", "value"), ((cell("a"), cell("0")), (cell("b"), cell("1")))))
    'a table of numbers or symbols'
    >>> table_problem(
    ...     TableShape(
    ...         ("Kubernetes", "Linstor"), ((cell("pod"), cell("resource")), (cell("container"), cell("volume")))
    ...     )
    ... ) is None
    True
    """
    if len(table.body) < 2 or len(table.header) < 2:
        return "fewer than two rows or two columns"
    if len(table.body) > MAX_ROWS:
        return f"{len(table.body)} rows: a listing, not a glossary"
    if not any(table.header):
        return "a layout table (no header)"
    return _answers_problem(table) or _firsts_problem(table)


def _answers_problem(table: TableShape) -> str | None:
    """Why the answer cells (every row's cells after the first) say nothing to recall."""
    answers = [cell for row in table.body for cell in row[1:] if cell.text or not cell.empty]
    if not answers:
        return "no answers"
    if sum(1 for c in answers if c.links_only or c.image_only) * 2 > len(answers):
        return "a table of links or images"
    if sum(1 for c in answers if _symbolic(c)) * 2 > len(answers):
        return "a table of numbers or symbols"
    return None


def _firsts_problem(table: TableShape) -> str | None:
    """Why the first column (what each row's card asks about) names no terms."""
    firsts = [row[0].text if row else "" for row in table.body]
    if not _names_terms(firsts):
        return "its first column names no terms"
    if len(table.header) >= 3 and sum(1 for f in firsts if _IDENTIFIER.fullmatch(f)) * 2 > len(firsts):
        return "a code reference (file names, constants): look it up, do not learn it"
    return None


def not_a_table_fact(card: Candidate) -> str | None:
    """A table row that states no fact because its table is none (rule ``not_a_fact``
    for tables, :func:`table_problem`).

    >>> shape = TableShape(
    ...     ("", ""), ((Cell("a", False, False, False, False),), (Cell("b", False, False, False, False),))
    ... )
    >>> not_a_table_fact(candidate_of("tables", "a", back="x", facts=shape))
    'a layout table (no header)'
    """
    return table_problem(card.facts) if isinstance(card.facts, TableShape) else None
