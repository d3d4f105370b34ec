"""Cards -> rich text for a terminal: what a person reads before importing.

The terminal view is for people and may change freely (scripts use ``--json``). Each
Anki card is shown compactly: its kind and ``file:line`` (a clickable link where the
terminal supports it), the question with the gap marked ``[...]``, the answer with the
revealed text highlighted and the Extra field dimmed. ``--changed`` draws what a
rebuild would add, update and retire the same way.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.rule import Rule
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from ..deck.render import card_fields
from ..errors import visible
from ..model import CLOZE, Card
from .faces import cloze_filter
from .json_view import note_uri, ordinals, resolved_uri, select, source_uri

if TYPE_CHECKING:
    from ..judge import Explained

# ------------------------------------------------------------------ terminal


class Visible:
    """A renderable drawn with its control characters made visible (errors.visible),
    in its text and in its links: what a note holds (its text, its file name, a
    link's address, an HTML entity such as ``&#x1b;``) may carry escape sequences that
    would set the window title, write the clipboard (OSC 52) or clear the screen. Made
    visible as the last step, after the layout: nothing a note holds can get past it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):
            if segment.control:  # rich's own cursor moves, never a note's text
                yield segment
                continue
            style = segment.style
            if style is not None and style.link and visible(style.link) != style.link:
                style = style + Style(link=visible(style.link))
            yield Segment(visible(segment.text), style)


def _print(console: Console, *objects: Any, **options: Any) -> None:
    """``console.print`` with every object drawn through :class:`Visible`."""
    console.print(*(Visible(o) if not isinstance(o, str) else visible(o) for o in objects), **options)


GAP = Style(bold=True, color="yellow", reverse=True)  # the hidden text, "[...]"
REVEALED = Style(bold=True, color="green")  # the same text on the answer side
KIND = Style(bold=True, color="magenta")
CRUMBS = Style(bold=True, color="cyan")
DIM = Style(dim=True)

_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "hr", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "blockquote"}
)
_INLINE_STYLES = {
    "b": Style(bold=True),
    "strong": Style(bold=True),
    "i": Style(italic=True),
    "em": Style(italic=True),
    "u": Style(underline=True),
    "mark": Style(bold=True, underline=True),
    "code": Style(color="cyan"),
    "kbd": Style(color="cyan"),
    "sub": Style(),
    "sup": Style(),
    "small": Style(),
    "s": Style(strike=True),
}


@dataclass(slots=True)
class Line:
    """One line of a face in the terminal: a list item or a paragraph."""

    text: Text
    depth: int = 0  # list nesting
    gap: bool = False  # holds the active cloze of this card
    hang: int = 0  # cells of its list marker ("1. ", "• "), for the wrapped lines under it


class _Faces(HTMLParser):
    """Field HTML -> :class:`Line` objects: one per list item, paragraph or ``<br>``."""

    def __init__(self, gap_style: Style) -> None:
        super().__init__(convert_charrefs=True)
        self.gap_style = gap_style
        self.lines: list[Line] = []
        self.current = Text()
        self.gap = False
        self.lists: list[list[int]] = []  # [ordered, counter] per open list
        self.styles: list[tuple[str, Style]] = []
        self.hang = 0

    def _break(self) -> None:
        text = self.current
        text.rstrip()
        if text.plain.strip():
            self.lines.append(Line(text, max(len(self.lists) - 1, 0), self.gap, self.hang))
        self.current, self.gap, self.hang = Text(), False, 0

    def _style(self) -> Style:
        return Style.combine(style for _, style in self.styles) if self.styles else Style()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag in ("ol", "ul"):
            self._break()
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            self._break()
            if self.lists:
                self.lists[-1][1] += 1
                ordered, number = self.lists[-1]
                marker = f"{number}. " if ordered else "• "
                self.current.append(marker, DIM)
                self.hang = len(marker)
        elif tag in _BLOCK_TAGS:
            self._break()
        elif tag in ("td", "th"):
            if self.current.plain:
                self.current.append(" │ ", DIM)
        elif tag == "img":
            name = unquote(attributes.get("src", "").rsplit("/", 1)[-1]) or "image"
            self.current.append(f"[image: {name}]", Style(italic=True, dim=True))
        elif tag == "span":
            css = attributes.get("class", "").split()
            if "cloze" in css:
                self.gap = True
                self.styles.append((tag, self.gap_style))
            else:
                self.styles.append((tag, Style()))
        elif tag == "a":
            href = attributes.get("href", "")
            self.styles.append((tag, Style(underline=True, link=href or None)))
        elif tag in _INLINE_STYLES:
            self.styles.append((tag, _INLINE_STYLES[tag]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ol", "ul"):
            self._break()
            if self.lists:
                self.lists.pop()
        elif tag in ("li", "p", "div", "tr", "pre", "table", "blockquote") or tag.startswith("h") and tag[1:].isdigit():
            self._break()
        elif any(name == tag for name, _ in self.styles):
            while self.styles:
                name, _ = self.styles.pop()
                if name == tag:
                    break

    def handle_data(self, data: str) -> None:
        data = re.sub(r"\s+", " ", data.replace("\xa0", " "))
        if not self.current.plain.strip():
            data = data.lstrip()
        if data:
            self.current.append(data, self._style())

    def close(self) -> None:
        super().close()
        self._break()


def face_lines(fragment: str, gap_style: Style = GAP) -> list[Line]:
    """Field HTML as terminal lines; the active cloze span is drawn with ``gap_style``."""
    parser = _Faces(gap_style)
    parser.feed(fragment)
    parser.close()
    return parser.lines


def _focus(lines: list[Line], *, around: int) -> list[Line | int]:
    """The lines holding the gap, ``around`` lines either side, and counts of the rest."""
    if not any(line.gap for line in lines):
        return list(lines)
    keep = {i + d for i, line in enumerate(lines) if line.gap for d in range(-around, around + 1)}
    out: list[Line | int] = []
    skipped = 0
    for i, line in enumerate(lines):
        if i in keep:
            if skipped:
                out.append(skipped)
            out.append(line)
            skipped = 0
        else:
            skipped += 1
    if skipped:
        out.append(skipped)
    return out


# no line starts with these (kinsoku): closing punctuation, CJK and Latin
_NO_START = frozenset("，。、；：？！）」』”’》〉】〕…·,.;:?!)]}%")
_NO_END = frozenset("（「『“‘《〈【〔([{")  # and none ends with these


def wrap_offsets(plain: str, width: int) -> list[int]:
    """Where to break ``plain`` so each piece fits ``width`` cells.

    Breaks after spaces and between CJK characters (which need no space to break),
    never before closing punctuation; a Latin word longer than a line is cut.
    """
    width = max(width, 4)
    breaks: list[int] = []
    start, col, last = 0, 0, 0
    i = 0
    while i < len(plain):
        ch = plain[i]
        w = cell_len(ch)
        if col + w > width and i > start and ch != " ":
            cut = last if last > start else i
            breaks.append(cut)
            start = cut
            while start < len(plain) and plain[start] == " ":
                start += 1
            i, col, last = start, 0, 0
            continue
        col += w
        after = plain[i + 1] if i + 1 < len(plain) else ""
        if after and after not in _NO_START and ch not in _NO_END and (ch == " " or w == 2 or cell_len(after) == 2):
            last = i + 1
        i += 1
    return breaks


def _wrap(text: Text, width: int) -> list[Text]:
    pieces = text.divide(wrap_offsets(text.plain, width)) if text.plain else [text]
    out = []
    for piece in pieces:
        piece = piece.copy()
        piece.rstrip()
        left = len(piece.plain) - len(piece.plain.lstrip(" "))
        out.append(piece[left:] if left else piece)
    return out


@dataclass(slots=True)
class CardView:
    """A card in the terminal: a header, then labelled blocks wrapped with hanging indents."""

    head: Text
    rows: list[tuple[str, list[Line | int], Style | None]]
    margin: int = 2

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        pad = " " * self.margin
        yield Text(pad) + self.head
        for label, lines, style in self.rows:
            first = True
            indent = 4 if label else 6  # "Q  " + 1, or an extra block under "A"
            for item in lines or [0]:
                lead = Text(pad) + (Text(f"{label:<{indent}}", style="bold") if first and label else Text(" " * indent))
                first = False
                if isinstance(item, int):
                    yield lead + Text(f"⋯ {item} more" if item else "(empty)", style=DIM)
                    continue
                shift = " " * (2 * item.depth)
                marker, body = item.text[: item.hang], item.text[item.hang :]
                room = width - len(lead) - len(shift) - item.hang
                for n, piece in enumerate(_wrap(body, room)):
                    line = (lead if n == 0 else Text(" " * len(lead))) + Text(shift)
                    line.append_text(marker if n == 0 else Text(" " * item.hang))
                    if style is not None:
                        piece.stylize(style)
                    line.append_text(piece)
                    line.no_wrap = True
                    yield line


def render_card(card: Card, ordinal: int, *, link: str = "", mark: Text | None = None, score: bool = False) -> CardView:
    """One Anki card, compact: kind and file:line, Q with the gap, A revealed, Extra dimmed;
    ``score``: its keep-probability after file:line (``preview --explain``).

    A cloze question shows the lines that hold the gap and one line either side (a
    pipeline of eight steps shows three); the answer shows the revealed lines only.
    """
    fields = card_fields(card)
    if card.model == CLOZE:
        text = fields["Text"]
        question: list[Line | int] = _focus(face_lines(cloze_filter(text, ordinal, question=True), GAP), around=1)
        revealed = face_lines(cloze_filter(text, ordinal, question=False), REVEALED)
        answer: list[Line | int] = [line for line in revealed if line.gap] or list(revealed)
        extra: list[Line | int] = list(face_lines(fields["Extra"]))
    else:
        front, back = (fields["Back"], fields["Front"]) if ordinal == 2 else (fields["Front"], fields["Back"])
        question = list(face_lines(front))
        answer = list(face_lines(back))
        extra = []
    head = (mark + Text("  ")) if mark is not None else Text()
    head.append(card.kind, style=KIND)
    if card.model == CLOZE and len(ordinals(card)) > 1:
        head.append(f" c{ordinal}", style=KIND)
    elif ordinal == 2:
        head.append(" reverse", style=KIND)
    head.append("  ")
    head.append(str(card.source), style=Style(dim=True, link=link or None))
    if score:
        head.append(f"  score {card.score:.2f}" if card.score is not None else "  written", style=DIM)
    rows: list[tuple[str, list[Line | int], Style | None]] = [("Q", question, None), ("A", answer, None)]
    if extra:
        rows.append(("", extra, DIM))
    return CardView(head, rows)


def _reading_order(cards: Sequence[Card]) -> list[Card]:
    """Notes in the given order; in a note, cards by line, then section (a reflowed
    note has every card on line 1), then as extracted."""
    notes: dict[str, int] = {}
    sections: dict[tuple[str, ...], int] = {}
    for card in cards:
        notes.setdefault(card.source.path.as_posix(), len(notes))
        sections.setdefault(card.context, len(sections))
    return sorted(cards, key=lambda c: (notes[c.source.path.as_posix()], c.source.line, sections[c.context]))


def print_cards(
    console: Console,
    cards: Sequence[Card],
    *,
    roots: Sequence[Path] = (),
    scores: bool = False,
) -> None:
    """Cards grouped by note and section, then a table of counts by kind and note;
    ``scores``: each card's keep-probability beside it (``preview --explain``)."""
    if not cards:
        _print(console, "No cards.")
        return
    note = section = None
    for card in _reading_order(cards):
        where = card.source.path.as_posix()
        if where != note:
            note, section = where, None
            title = Text(card.note_title, style="bold")
            title.append(f"  {where}", style=Style(dim=True, link=note_uri(card, roots) or None))
            _print(console, Rule(title, align="left"))
        crumbs = " › ".join(card.context[1:])
        if crumbs != section:
            section = crumbs
            if crumbs:
                _print(console, Text(crumbs, style=CRUMBS))
        link = source_uri(card, roots)
        for ordinal in ordinals(card):
            _print(console, render_card(card, ordinal, link=link, score=scores))
            _print(console)
    counts_table(console, cards)


def print_dropped(console: Console, dropped: Sequence[Explained], *, roots: Sequence[Path] = ()) -> None:
    """The candidates the judge dropped, by note, each with its rule and reason, then a
    count per rule: why a fact gave no card (``preview --explain``)."""
    _print(console)
    if not dropped:
        _print(console, Text("No candidate was dropped.", style=DIM))
        return
    _print(
        console,
        Rule(
            Text(f"Dropped: {len(dropped)} candidate{'s' * (len(dropped) != 1)} no card was made of", style="bold"),
            align="left",
        ),
    )
    note = None
    for item in dropped:
        if item.path != note:
            note = item.path
            _print(console, Text(note, style="bold"))
        head = Text("  ")
        head.append(item.rule, style=KIND)
        head.append(f"  {item.kind}  ")
        head.append(
            f"{item.path}:{item.line}",
            style=Style(dim=True, link=item.source_link or _file_link(roots, item.path) or None),
        )
        _print(console, head)
        _print(console, Text(f"    why  {item.reason}", style=DIM))
        if item.weighed:
            weighed = ", ".join(f"{name} {weight:+.2f}" for name, weight in item.weighed)
            _print(console, Text(f"    by   {weighed}", style=DIM))
        _print(console, Text(f"    Q    {_short(item.front)}"))
        if item.answer:
            _print(console, Text(f"    A    {_short(item.answer)}"))
    table = Table(title="dropped by rule", title_justify="left", box=None)
    table.add_column("rule")
    table.add_column("candidates", justify="right")
    for rule, count in Counter(item.rule for item in dropped).most_common():
        table.add_row(rule, str(count))
    _print(console)
    _print(console, table)


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _file_link(roots: Sequence[Path], path: str) -> str:
    for root in roots:
        if os.path.lexists(root / path):
            return resolved_uri(root / path)
    return ""


def counts_table(console: Console, cards: Sequence[Card]) -> None:
    """Anki cards per note and kind, with totals."""
    kinds = sorted({c.kind for c in cards})
    per_note: dict[str, Counter[str]] = {}
    for card in cards:
        per_note.setdefault(card.source.path.as_posix(), Counter())[card.kind] += len(ordinals(card))
    total = sum((counts for counts in per_note.values()), Counter[str]())
    count = sum(total.values())
    table = Table(
        title=f"{count} card{'s' if count != 1 else ''} from {len(per_note)} note{'s' if len(per_note) != 1 else ''}",
        title_justify="left",
        show_footer=True,
        box=None,
        header_style="bold",
        footer_style="bold",
    )
    table.add_column("note", footer="total")
    for kind in kinds:
        table.add_column(kind, justify="right", footer=str(total.get(kind, 0)))
    table.add_column("all", justify="right", footer=str(sum(total.values())))
    for note, counts in per_note.items():
        table.add_row(Text(note), *(str(counts.get(k, 0) or "·") for k in kinds), str(sum(counts.values())))
    _print(console, table)


# ------------------------------------------------------------------ changes

_MARKS = {
    "added": ("+", Style(bold=True, color="green")),
    "updated": ("~", Style(bold=True, color="yellow")),
    "moved": ("↓", Style(color="yellow")),
    "retired": ("-", Style(bold=True, color="red")),
}


def _print_retired(
    console: Console, entries: Sequence[Any], *, kinds: Sequence[str], note: str | None, grep: str | None
) -> int:
    """The retired cards the filters select (a retired card has no line any more: its
    note and the fact it held); how many."""
    needle = " ".join(grep.split()).casefold() if grep else None
    listed = 0
    for entry in entries:
        facts = " · ".join(part for part in entry.identity.split("\x1f") if part)
        if kinds and entry.kind not in kinds:
            continue
        if note and not (fnmatch(entry.path, note) or fnmatch(entry.path.rsplit("/", 1)[-1], note)):
            continue
        if needle and needle not in " ".join(facts.split()).casefold():
            continue
        mark, style = _MARKS["retired"]
        listed += 1
        _print(console)
        _print(
            console, Text.assemble("  ", (f"{mark} retired", style), "  ", (entry.kind, KIND), "  ", (entry.path, DIM))
        )
        _print(console, Text.assemble("  " + " " * 4, facts))
    return listed


def print_changes(
    console: Console,
    identified: Any,
    output: Path,
    *,
    known: bool,
    kinds: Sequence[str] = (),
    note: str | None = None,
    grep: str | None = None,
    roots: Sequence[Path] = (),
) -> None:
    """What a rebuild of ``output`` would add, update and retire (``identified``:
    :class:`cards.deck.state.Identified` against the state of its last build).

    Added and updated cards are drawn as the learner will see them, with ``file:line``;
    a retired card has no line any more, so it shows its note and the fact it held.
    ``known`` is False when there is no state beside ``output``: then nothing can be
    compared, and the output says so instead of calling every card new.
    """
    changes = identified.changes
    total = sum(len(ordinals(c)) for c in identified.cards)
    if not known:
        _print(
            console,
            Text.assemble(
                ("No earlier build of ", "bold"),
                (str(output), "bold"),
                (" is known", "bold"),
                f": there is no {output.name}.cards-state.json beside it, so there is nothing to compare with.\n",
                f"A build would write all {len(identified.cards)} notes ({total} cards); importing it adds them to "
                f"Anki, "
                "and notes that are already there and unchanged keep their reviews.",
            ),
        )
        return
    shown = {c.guid for c in select(identified.cards, kinds=kinds, note=note, grep=grep)}
    _print(console, Text.assemble(("Compared with the last build of ", "bold"), (str(output), "bold")), soft_wrap=True)
    listed = 0
    label_of = (
        {g: "added" for g in changes.added}
        | {g: "updated" for g in changes.updated}
        | {g: "moved" for g in changes.moved}  # same text, new source line
    )
    for card in _reading_order([c for c in identified.cards if c.guid in label_of and c.guid in shown]):
        label = label_of[card.guid]
        mark, style = _MARKS[label]
        listed += 1
        link = source_uri(card, roots)
        for ordinal in ordinals(card):
            _print(console)
            _print(console, render_card(card, ordinal, link=link, mark=Text(f"{mark} {label:<7}", style=style)))
    listed += _print_retired(console, changes.retired_entries, kinds=kinds, note=note, grep=grep)
    _print(console)
    if not listed:
        _print(
            console,
            "No changes."
            if not (changes.added or changes.updated or changes.retired)
            else "No changes among the cards selected.",
        )
    _print(
        console,
        Text.assemble(
            (f"{len(changes.added)} added", _MARKS["added"][1]),
            ", ",
            (f"{len(changes.updated)} updated", _MARKS["updated"][1]),
            (f" ({len(changes.moved)} only moved a line)" if changes.moved else "", _MARKS["moved"][1]),
            ", ",
            (f"{len(changes.retired)} retired", _MARKS["retired"][1]),
            ", ",
            f"{len(changes.unchanged)} unchanged notes; nothing was written",
        ),
    )
