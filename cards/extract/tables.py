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

from collections.abc import Iterator

from ..judge.notes import is_drawing
from ..judge.tables import table_problem
from ..model import BASIC, Candidate, Cell, Element, Field, Inline, Note, Piece, Sep, Span, Table, TableShape, Words
from ..notes.inline import is_image_only, is_links_only
from ..notes.parse import plain_text
from .walk import Context, Visit

KIND = "tables"


def _cell(cell: Inline) -> Cell:
    return Cell(
        plain_text(cell),
        not cell.tokens,
        is_links_only(cell),
        is_image_only(cell),
        any(t.type.startswith("math") for t in cell.tokens),
    )


def shape_of(table: Table) -> TableShape:
    """What the judge weighs of a table before its rows are asked (judge/tables.py)."""
    header = tuple(plain_text(h) for h in table.rows[0]) if table.rows else ()
    return TableShape(header, tuple(tuple(_cell(c) for c in row) for row in table.rows[1:]))


def _row_card(note: Note, ctx: Context, visit: Visit, table: Table, index: int, shape: TableShape) -> Candidate | None:
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
        crumbs=(*ctx.where(note, visit), names[0]),
        identity="\x1f".join((names[0], plain_text(row[0]), *(name for name, _ in asked))),
        line=table.line + 1 + index,  # header, delimiter row, then one line per body row
        facts=shape,
    )


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    if is_drawing(note.front_matter):
        return  # an Excalidraw drawing: labels on a canvas, not prose
    for visit in ctx.walk(note):
        table = visit.block
        if not isinstance(table, Table) or ctx.is_claimed(table):
            continue
        shape = shape_of(table)
        reason = table_problem(shape)
        if reason is not None and len(table.rows) < 3:
            continue  # nothing that looks like rows of facts: no candidate to explain
        for index in range(1, len(table.rows)):
            card = _row_card(note, ctx, visit, table, index, shape)
            if card is not None:
                yield card
                if reason is not None:
                    break  # one candidate says why the table gives none
        if reason is None:
            ctx.claim(table)
