"""o2a: cards written for Obsidian_to_Anki, read as the plugin reads them.

    TARGET DECK: Biology::Cells
    FILE TAGS: biology exam

    START
    Basic
    What is the powerhouse of the cell?
    Back: The mitochondrion.
    Tags: organelles
    END

    START
    Basic (and reversed card)
    Front: mitochondrion
    Back: the organelle that makes most of a cell's ATP
    END

    START
    Cloze
    The {{c1::mitochondrion}} makes {{c2::ATP}}.
    Extra: by oxidative phosphorylation
    END

    STARTI [Basic] What does ATP stand for? Back: Adenosine triphosphate. ENDI

gives a basic card, a reversed pair, a cloze card with the writer's numbers and another
basic card. A block's fields are named (``Front:``, ``Back:``, ``Text:``, ``Extra:``)
or, before the first name, the note type's first field; ``Tags:`` adds tags.
``TARGET DECK`` (on the same line after ``:`` or on the next) names the deck of the
file's cards and ``FILE TAGS`` tags them all. The plugin's ``<!--ID: ...-->`` lines
never reach a card (and ``cards`` writes no id into a note). With the plugin's
CurlyCloze option on, ``{answer}``, ``{2:answer}`` and ``{c2|answer}`` in a Cloze
block are deletions too. The markers are the plugin's own, from its settings file
when the vault has one. A block the plugin would refuse (no ``END``, a note type
``cards`` cannot make, a Cloze without a deletion) gets a warning naming what is
missing; the rest of the note still builds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..deck.render import blank, has_deletion
from ..errors import CardsError
from ..model import BASIC, CLOZE, REVERSED, Candidate, Note, Source
from ..notes.plugins import ObsidianToAnki
from .lines import Line, fragment
from .walk import Context, breadcrumb, section_at

KIND = "o2a"
log = logging.getLogger("cards")

#: The plugin's note types that ``cards`` makes, and the fields each has in Anki.
NOTE_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "basic": (BASIC, ("Front", "Back")),
    "basic (and reversed card)": (REVERSED, ("Front", "Back")),
    "basic (optional reversed card)": (BASIC, ("Front", "Back", "Add Reverse")),
    "basic (type in the answer)": (BASIC, ("Front", "Back")),
    "cloze": (CLOZE, ("Text", "Back Extra")),
}
_FIELD_ALIASES = {"extra": "Back Extra", "back extra": "Back Extra", "text": "Text", "front": "Front", "back": "Back"}
_ID_LINE = re.compile(r"^\s*<!--\s*ID:\s*\d+\s*-->\s*$")
_ID_COMMENT = re.compile(r"<!--\s*ID:\s*\d+\s*-->")


@dataclass(slots=True)
class _FileSettings:
    deck: str = ""
    tags: tuple[str, ...] = ()


@dataclass(slots=True)
class _Block:
    start: Line
    note_type: str = ""
    lines: list[Line] = field(default_factory=list)


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    settings = ctx.plugins.o2a
    if settings.begin not in note.text and settings.begin_inline not in note.text:
        return  # no block and no inline card
    lines = ctx.lines(note, code=False)
    file = _file_settings(lines, settings, ctx)
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.text.strip()
        index += 1
        if stripped == settings.begin:
            end = next(
                (k for k in range(index, len(lines)) if lines[k].text.strip() in (settings.end, settings.begin)), -1
            )
            if end < 0 or lines[end].text.strip() != settings.end:
                ctx.claim_lines(line.number, line.number)
                _warn(
                    note,
                    line.number,
                    f"an Obsidian_to_Anki block: {settings.begin} has no {settings.end} line after it; "
                    "the block gives no card",
                )
                continue
            block = _Block(line, lines[index].text.strip() if index < end else "", lines[index + 1 : end])
            ctx.claim_lines(line.number, lines[end].number)
            index = end + 1
            yield from _block_cards(note, ctx, block, file, settings)
        elif stripped.startswith(settings.begin_inline):
            yield from _inline_cards(note, ctx, line, file, settings)


def _file_settings(lines: list[Line], settings: ObsidianToAnki, ctx: Context) -> _FileSettings:
    """The file's ``TARGET DECK`` and ``FILE TAGS`` (after ``:`` or on the next line);
    their lines are the plugin's, claimed (no other kind reads them as prose)."""
    found = _FileSettings()
    for k, line in enumerate(lines):
        for marker in (settings.target_deck, settings.file_tags):
            value = _marker_value(lines, k, marker)
            if value is None:
                continue
            ctx.claim_lines(line.number, line.number + (1 if line.text.strip() == marker else 0))
            if marker == settings.target_deck:
                found.deck = value.strip()
            else:
                found.tags = tuple(re.sub(r"\s+", "_", t) for t in re.split(r"[\s,]+", value.strip()) if t)
    return found


def _marker_value(lines: list[Line], k: int, marker: str) -> str | None:
    text = lines[k].text.strip()
    if text == marker:
        return lines[k + 1].text if k + 1 < len(lines) else ""
    if text.startswith(marker + ":"):
        return text[len(marker) + 1 :]
    return None


def _fields(text_lines: list[str], names: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """A block's fields by name, and its ``Tags:``. Lines before the first named field
    belong to the note type's first field."""
    values: dict[str, list[str]] = {}
    current = names[0]
    tags: list[str] = []
    by_prefix = {name.lower(): name for name in names} | {a: n for a, n in _FIELD_ALIASES.items() if n in names}
    for text in text_lines:
        if _ID_LINE.match(text):
            continue
        text = _ID_COMMENT.sub("", text)
        head, colon, rest = text.partition(":")
        if colon and head.strip().lower() == "tags":
            tags += [t for t in re.split(r"[\s,]+", rest.strip()) if t]
            continue
        if colon and head.strip().lower() in by_prefix and head == head.lstrip():
            current = by_prefix[head.strip().lower()]
            values.setdefault(current, []).append(rest.lstrip())
            continue
        values.setdefault(current, []).append(text)
    return {name: "\n".join(lines).strip() for name, lines in values.items()}, tags


def _block_cards(
    note: Note, ctx: Context, block: _Block, file: _FileSettings, settings: ObsidianToAnki
) -> Iterator[Candidate]:
    kind = NOTE_TYPES.get(block.note_type.lower())
    if any(line.text.strip() == settings.delete for line in block.lines):
        return  # the plugin's way of deleting the card from Anki: no card here
    if kind is None:
        _warn(
            note,
            block.start.number,
            f"an Obsidian_to_Anki block of note type {block.note_type!r}, which cards cannot make; "
            "use Basic, Basic (and reversed card) or Cloze",
        )
        return
    model, names = kind
    values, tags = _fields([line.text for line in block.lines if line.text.strip() != settings.frozen], names)
    yield from _card(note, ctx, block.start.number, model, names, values, (*file.tags, *tags), file.deck, settings)


_INLINE = re.compile(r"\[(?P<type>[^\]]+)\]\s*(?P<body>.*?)\s*$")


def _inline_cards(
    note: Note, ctx: Context, line: Line, file: _FileSettings, settings: ObsidianToAnki
) -> Iterator[Candidate]:
    text = line.text.strip()
    end = text.rfind(settings.end_inline)
    if end < 0:
        ctx.claim_lines(line.number, line.number)
        _warn(
            note,
            line.number,
            f"an Obsidian_to_Anki inline card: {settings.begin_inline} has no {settings.end_inline} on its line; "
            "it gives no card",
        )
        return
    match = _INLINE.match(text[len(settings.begin_inline) : end].strip())
    ctx.claim_lines(line.number, line.number)
    if match is None:
        _warn(
            note,
            line.number,
            f"an Obsidian_to_Anki inline card: {settings.begin_inline} needs a note type in brackets, "
            f"as in {settings.begin_inline} [Basic]",
        )
        return
    kind = NOTE_TYPES.get(match["type"].strip().lower())
    if kind is None:
        _warn(
            note,
            line.number,
            f"an Obsidian_to_Anki inline card of note type {match['type']!r}, which cards cannot make",
        )
        return
    model, names = kind
    body = match["body"]
    for name in names[1:]:  # inline fields are named on the one line: "... Back: ..."
        body = re.sub(rf"\s+{re.escape(name)}:\s*", f"\n{name}: ", body, count=1)
    body = re.sub(r"\s+Tags:\s*", "\nTags: ", body, count=1)
    values, tags = _fields(body.split("\n"), names)
    yield from _card(note, ctx, line.number, model, names, values, (*file.tags, *tags), file.deck, settings)


def _card(
    note: Note,
    ctx: Context,
    line: int,
    model: str,
    names: tuple[str, ...],
    values: dict[str, str],
    tags: tuple[str, ...],
    deck: str,
    settings: ObsidianToAnki,
) -> Iterator[Candidate]:
    context = breadcrumb(note, section_at(note, line))
    clean_tags = tuple(t.replace("/", "::") for t in tags)
    if model == CLOZE:
        text = _curly_clozes(values.get("Text", ""), settings)
        front = fragment(_ID_COMMENT.sub("", text), handwritten=True)
        if not has_deletion(front.field):
            _warn(note, line, "an Obsidian_to_Anki Cloze block with no deletion ({{c1::...}}); it gives no card")
            return
        extra = fragment(values.get("Back Extra", ""))
        yield ctx.candidate(
            note,
            kind=KIND,
            model=CLOZE,
            front=front.field,
            back=extra.field,
            crumbs=context,
            identity=front.text,
            line=line,
            deck=deck,
            tags=clean_tags,
            written=True,
        )
        return
    front, back = fragment(values.get("Front", "")), fragment(values.get("Back", ""))
    if not front.text.strip() and not ctx.shows_image(front.field):
        _warn(
            note, line, f"an Obsidian_to_Anki {names[0]}/{names[1]} block with nothing in {names[0]}; it gives no card"
        )
        return
    if blank(back.field):
        _warn(note, line, "an Obsidian_to_Anki block with no Back: field; it gives no card")
        return
    if values.get("Add Reverse", "").strip():
        model = REVERSED
    yield ctx.candidate(
        note,
        kind=KIND,
        model=model,
        front=front.field,
        back=back.field,
        crumbs=context,
        identity=front.text,
        line=line,
        deck=deck,
        tags=clean_tags,
        written=True,
    )


_CURLY = re.compile(r"(?<!\{)\{(?:(?:c?(?P<number>\d+))[:|])?(?P<answer>[^{}\n]+)\}(?!\})")


def _curly_clozes(text: str, settings: ObsidianToAnki) -> str:
    """With the plugin's CurlyCloze option: ``{answer}``, ``{2:answer}``, ``{c2|answer}``
    (and ``==answer==`` with its highlight option) written as Anki clozes; unnumbered
    ones are numbered 1, 2, … in order, as the plugin does."""
    if settings.highlights_to_clozes:
        text = re.sub(r"==([^=\n]+)==", r"{\1}", text)
    if not settings.curly_cloze:
        return text
    counter = iter(range(1, 10_000))

    def number(match: re.Match[str]) -> str:
        n = match["number"] or str(next(counter))
        return f"{{{{c{n}::{match['answer']}}}}}"

    # Anki's own {{c1::...}} stay as they are: only single braces are rewritten
    parts = re.split(r"(\{\{c\d+::.*?\}\})", text)
    return "".join(part if part.startswith("{{c") else _CURLY.sub(number, part) for part in parts)


def _warn(note: Note, line: int, message: str) -> None:
    log.warning("%s", CardsError(Source(note.path, line), message))
