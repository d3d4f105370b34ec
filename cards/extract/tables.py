"""tables: a glossary or a comparison table gives one card per row.

    | Kubernetes | Linstor             |
    |------------|---------------------|
    | pod        | resource            |
    | container  | volume              |

    |            | Necrosis   | Apoptosis |
    |------------|------------|-----------|
    | Cell size  | Enlarged   | Reduced   |
    | Membrane   | Disrupted  | Intact    |

gives a card per body row: the row's first cell on the front with the names of the
other columns it asks for (``pod — Linstor``, ``Cell size — Necrosis · Apoptosis``),
the other cells on the back (labelled by their column when there are two or more), and
the heading path and the first column's name as context. One card per row, not per
cell: a comparison is learnt as its contrast, and a table of twenty rows gives twenty
cards, not sixty.

Never a card: a table with fewer than two body rows or two columns, a table of
numbers or symbols (a truth table, timings: most answer cells are digits or one
character), a table of links or images, a layout table (no header), a table whose
first column names no terms (numbers, repeated values such as ``Done``), a table of
more than 40 rows (a listing, not a glossary), a row whose answer cells are empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import BASIC, Candidate, Element, Field, Inline, Note, Piece, Sep, Span, Table, Words
from ..notes.parse import plain_text
from . import Context, Visit, walk, where
from .naming import is_drawing
from .shapes import is_image_only, is_links_only

KIND = "tables"
#: More body rows than this make a listing (a reading log, a schedule), not a glossary.
MAX_ROWS = 40
_SYMBOLIC = re.compile(r"^[\s\d.,:;%+\-−–×x*/~()\[\]<>=≈±°$€¥£#'\"^_|\\]*$|^\S$")


#: A file name, a path or a CONSTANT_NAME: a code reference table's first column.
_IDENTIFIER = re.compile(
    r"[\w./-]+\.(?:c|cc|cpp|cxx|h|hh|hpp|py|js|ts|java|go|rs|glsl|hlsl|cs|m|mm|md|json|yaml|yml)|[\w./]*/[\w./]+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?:\[\d+\])?"
)


def _symbolic(cell: Inline) -> bool:
    """A cell of numbers, symbols or one character (``0``, ``3 s``, ``V``, ``✓``, a bare formula)."""
    text = plain_text(cell)
    if any(t.type.startswith("math") for t in cell.tokens) and len(re.sub(r"\$[^$]*\$", "", text).strip()) == 0:
        return len(text) <= 12  # $x$, $\delta$: a symbol; a longer formula says something
    return bool(_SYMBOLIC.match(text)) or bool(re.fullmatch(r"\d+(?:[.,]\d+)?\s*[a-zA-Zµμ%]{0,3}", text.strip()))


def _names_terms(firsts: list[str]) -> bool:
    """The first column reads as terms: words (or a formula), mostly distinct, not numbers."""
    filled = [f for f in firsts if f]
    if len(filled) < 2:
        return False
    wordy = sum(1 for f in filled if re.search(r"[^\W\d_]", f) and len(f) <= 80)
    return wordy * 4 >= len(filled) * 3 and len(set(filled)) * 5 >= len(filled) * 4


def table_problem(table: Table) -> str | None:
    """Why a table gives no cards, or None when each of its rows is a fact."""
    if len(table.rows) < 3 or len(table.rows[0]) < 2:
        return "fewer than two rows or two columns"
    header, body = table.rows[0], table.rows[1:]
    if len(body) > MAX_ROWS:
        return f"{len(body)} rows: a listing, not a glossary"
    if not any(plain_text(h) for h in header):
        return "a layout table (no header)"
    answers = [cell for row in body for cell in row[1:] if plain_text(cell) or cell.tokens]
    if not answers:
        return "no answers"
    if sum(1 for c in answers if is_links_only(c) or is_image_only(c)) * 2 > len(answers):
        return "a table of links or images"
    if sum(1 for c in answers if _symbolic(c)) * 2 > len(answers):
        return "a table of numbers or symbols"
    firsts = [plain_text(row[0]) if row else "" for row in body]
    if not _names_terms(firsts):
        return "its first column names no terms"
    if len(header) >= 3 and sum(1 for f in firsts if _IDENTIFIER.fullmatch(f)) * 2 > len(firsts):
        return "a code reference (file names, constants): look it up, do not learn it"
    return None


def _row_card(note: Note, ctx: Context, visit: Visit, table: Table, index: int, reason: str | None) -> Candidate | None:
    header, row = table.rows[0], table.rows[index]
    if not row or not plain_text(row[0]):
        return None
    names = [plain_text(h) for h in header]
    asked = [
        (names[k] if k < len(names) else "", cell)
        for k, cell in enumerate(row[1:], 1)
        if plain_text(cell) or cell.tokens
    ]
    if not asked:
        return None
    columns: list[Piece] = []
    for name, _ in asked:
        if name:
            columns += [*([Sep(" · ")] if columns else []), Words(name)]
    front: Field = (Span(row[0].tokens), Sep(" — "), *columns) if columns else (Span(row[0].tokens),)
    if len(asked) == 1:
        back: Field = (Span(asked[0][1].tokens),)
    else:
        back = (
            Element(
                "ul",
                tuple(
                    Element("li", (*((Words(name), Sep(": ")) if name else ()), Span(cell.tokens)))
                    for name, cell in asked
                ),
            ),
        )
    return ctx.candidate(
        note,
        kind=KIND,
        model=BASIC,
        front=front,
        back=back,
        crumbs=(*where(note, visit), names[0]),
        identity="\x1f".join((names[0], plain_text(row[0]), *(name for name, _ in asked))),
        line=table.line + 1 + index,  # header, delimiter row, then one line per body row
        facts={"not_fact": reason} if reason else None,
    )


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    if is_drawing(note.front_matter):
        return  # an Excalidraw drawing: labels on a canvas, not prose
    for visit in walk(note):
        table = visit.block
        if not isinstance(table, Table) or ctx.is_claimed(table):
            continue
        reason = table_problem(table)
        if reason is not None and len(table.rows) < 3:
            continue  # nothing that looks like rows of facts: no candidate to explain
        for index in range(1, len(table.rows)):
            card = _row_card(note, ctx, visit, table, index, reason)
            if card is not None:
                yield card
                if reason is not None:
                    break  # one candidate says why the table gives none
        if reason is None:
            ctx.claim(table)
