"""osr: cards written for the Obsidian Spaced Repetition plugin, read as the plugin reads them.

    #flashcards/biology
    What does ATP stand for?::adenosine triphosphate
    Mitochondria:::the powerhouse of the cell

    What are the two stages of photosynthesis?
    ?
    The light reactions and the Calvin cycle.

    Which organelle makes ATP?
    ??
    The mitochondrion.

    The first female prime minister of Australia was ==Julia Gillard==.

gives a question/answer card (``::`` on one line; ``?`` on a line of its own between
the question lines above and the answer lines below, each up to a blank line or a
heading), a reversed pair (``:::`` and ``??``: front -> back and back -> front, one
Anki note of the ``reversed`` note type), and a cloze card per deletion of a block
holding ``==highlight==`` (``**bold**`` and ``{{curly}}`` only where the vault's plugin
settings turn them on; the numbered and hinted form ``==1;;answer;;hint==`` too).

The plugin's rules: a note is a flashcard note when it carries one of the plugin's
flashcard tags (``#flashcards`` unless its settings say otherwise) or the settings turn
folders into decks. In a flashcard note every form above is a card, with the plugin's
own separators and end marker from ``.obsidian/plugins/obsidian-spaced-repetition/
data.json``. In any other note only the forms no prose uses by accident are cards:
``?``/``??`` on a line of their own, and ``front :: back`` / ``front ::: back`` with
spaces around the separator (``key:: value`` is a Dataview field, ``std::move`` code).

``#flashcards/a/b`` puts the cards after it, up to the next such tag, into the deck
``a::b`` under the vault's root deck; a tag that starts a card's first line is for that
card only. ``<!--SR:...-->`` scheduling comments never reach a card, and text inside
code or an HTML comment is never a card.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..deck.render import blank
from ..errors import CardsError
from ..model import BASIC, CLOZE, REVERSED, Candidate, Note, Source
from ..notes.plugins import SpacedRepetition
from .clozes import Deletion, cloze_text, find_deletions
from .lines import HEADING, SR_COMMENT, Line, dedent_lines, fragment, outside_code, strip_lead
from .shapes import TAG, deck_of, is_flashcard_note
from .walk import Context, breadcrumb, section_at

KIND = "osr"
log = logging.getLogger("cards")


@dataclass(slots=True)
class _Decks:
    """The deck each card goes to: the note's, or what the last flashcard tag named."""

    note: Note
    root: str
    names: list[str]
    current: str = ""

    def __post_init__(self) -> None:
        front = self.note.front_matter.get("tags", self.note.front_matter.get("tag"))
        listed = front if isinstance(front, list) else str(front or "").replace(",", " ").split()
        for tag in listed:
            deck = deck_of(f"#{str(tag).lstrip('#')}", self.names)
            if deck:
                self.current = self.deck_for(deck)

    def deck_for(self, sub: str) -> str:
        return f"{self.root}::{sub}" if sub else ""

    def tags_in(self, text: str) -> list[str]:
        """The sub-decks of the flashcard tags in ``text``."""
        found = (deck_of(tag, self.names) for tag in re.findall(rf"(?<![\w&/\\]){TAG}", text))
        return [deck for deck in found if deck is not None]

    def note_line(self, text: str) -> None:
        """A line outside any card: its flashcard tag (if any) sets the deck that follows."""
        subs = self.tags_in(text)
        if subs:
            self.current = self.deck_for(subs[0])

    def card_line(self, text: str) -> tuple[str, str]:
        """A card's first line: (its deck, the line without leading flashcard tags). A
        tag that starts the line is the card's own; a tag-only line sets what follows."""
        stripped = strip_lead(text)
        lead = re.match(rf"(?:{TAG}\s+)+", stripped + " ")
        subs = self.tags_in(lead.group(0)) if lead else []
        if lead is None or not subs:
            return self.current, text
        rest = (stripped + " ")[lead.end() :].rstrip()
        if rest:
            return self.deck_for(subs[0]) or self.current, text[: len(text) - len(stripped)] + rest
        self.current = self.deck_for(subs[0])
        return self.current, ""


def _without_flashcard_tags(text: str, names: list[str]) -> str:
    return re.sub(rf"(?<![\w&/\\]){TAG}", lambda m: "" if deck_of(m.group(0), names) is not None else m.group(0), text)


@dataclass(slots=True)
class _Block:
    """Lines between blank lines, as the plugin collects them, and what they turned out to be."""

    lines: list[Line] = field(default_factory=list)
    kind: str = ""  # "multi", "multi_reversed", "cloze"
    separator: int = -1  # index in lines of the ? / ?? line


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    settings = ctx.plugins.osr
    flashcards = ctx.shared("flashcards", note, lambda: is_flashcard_note(note, settings))
    separators = {settings.multi: "multi", settings.multi_reversed: "multi_reversed"}
    separators.pop("", None)
    lines = ctx.lines(note)
    if not flashcards and not _written(note.text, settings, lines, separators):
        return  # no separator anywhere: nothing the plugin would read, nothing to warn about
    names = [t.lstrip("#") for t in settings.tags]
    decks = _Decks(note, ctx.root_deck or note.deck.split("::")[0], names)
    block = _Block()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        text, stripped = line.text, line.text.strip()
        if line.number in ctx.claimed_lines:  # another syntax's card (an Obsidian_to_Anki block)
            yield from _finish(note, ctx, block, decks, names)
            block = _Block()
            continue
        if line.number in note.code_lines:
            block.lines.append(line)  # code is part of a card's text, never its syntax
            continue
        if _ends(settings, block, text, stripped):
            yield from _finish(note, ctx, block, decks, names)
            block = _Block()
            decks.note_line(text)
            continue
        single = None if block.kind else _single(text, settings, flashcards)
        if single is not None:
            for earlier in block.lines:
                decks.note_line(earlier.text)
            block = _Block()
            more = _children(lines, index, text, note)
            index += len(more)
            yield from _single_card(note, ctx, line, single, more, decks, names)
            continue
        _add_line(note, ctx, block, line, separators, flashcards)
    yield from _finish(note, ctx, block, decks, names)


def _ends(settings: SpacedRepetition, block: _Block, text: str, stripped: str) -> bool:
    """Whether a line ends the block of lines before it: the plugin's end marker, a
    heading, or a blank line (unless an end marker closes a card that spans blank lines)."""
    return bool(
        (settings.end_marker and stripped == settings.end_marker)
        or HEADING.match(text) is not None
        or (not stripped and not (settings.end_marker and block.kind))
    )


def _add_line(
    note: Note, ctx: Context, block: _Block, line: Line, separators: dict[str, str], flashcards: bool
) -> None:
    """A line joins its block: a ``?``/``??`` separator makes it a question and its answer
    (reported when no question stands above it), a deletion in a flashcard note a cloze."""
    settings = ctx.plugins.osr
    stripped = line.text.strip()
    if stripped in separators and block.kind in ("", "cloze"):
        if not any(earlier.text.strip() for earlier in block.lines):
            ctx.claim_lines(line.number, line.number)
            _warn(
                note,
                line.number,
                f"a Spaced Repetition card: the separator {stripped!r} has no question on the lines above it",
            )
            return
        block.kind, block.separator = separators[stripped], len(block.lines)
    elif flashcards and not block.kind and find_deletions(line.text, settings.cloze_patterns):
        block.kind = "cloze"
    block.lines.append(line)


def _written(text: str, settings: SpacedRepetition, lines: list[Line], separators: dict[str, str]) -> bool:
    """Whether a note that is no flashcard note holds any of the plugin's separators:
    a one-line card's (``::``) anywhere, or a line that is only ``?`` or ``??``."""
    singles = (settings.single, settings.single_reversed)
    return any(s.strip() and s in text for s in singles) or any(line.text.strip() in separators for line in lines)


@dataclass(frozen=True, slots=True)
class _Single:
    front: str
    back: str
    reversed: bool


def _single(text: str, settings: SpacedRepetition, flashcards: bool) -> _Single | None:
    """A one-line card: the line split at the (longest) separator outside inline code.

    Outside a flashcard note the separator must have spaces around it, so a Dataview
    field (``key:: value``) or code (``std::move``) is never taken for a card.

    >>> _single("What is 2+2? :: 4", SpacedRepetition(), flashcards=False)
    _Single(front='What is 2+2?', back='4', reversed=False)
    >>> _single("Rating:: 5", SpacedRepetition(), flashcards=False) is None
    True
    """
    for separator, reverse in sorted(
        ((settings.single, False), (settings.single_reversed, True)), key=lambda p: -len(p[0])
    ):
        if not separator.strip():
            continue
        width = len(separator)
        at = next(
            (
                at
                for at in outside_code(text, separator)
                if flashcards or (text[at - 1 : at].isspace() and text[at + width : at + width + 1].isspace())
            ),
            -1,
        )
        if at < 0:
            continue
        front, back = text[:at], text[at + len(separator) :]
        if not flashcards:
            front, back = front.rstrip(), back.lstrip()
        return _Single(front, back, reverse)
    return None


def _children(lines: list[Line], start: int, text: str, note: Note) -> list[Line]:
    """The lines nested under a one-line card written as a bullet (they add to its answer)."""
    indent = len(text) - len(text.lstrip())
    marker = re.match(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+", text)
    if marker is None:
        return []
    found: list[Line] = []
    for line in lines[start:]:
        if not line.text.strip() or (
            len(line.text) - len(line.text.lstrip()) <= indent and line.number not in note.code_lines
        ):
            break
        found.append(line)
    return found


def _single_card(
    note: Note, ctx: Context, line: Line, single: _Single, more: list[Line], decks: _Decks, names: list[str]
) -> Iterator[Candidate]:
    deck, front = decks.card_line(single.front)
    front = _without_flashcard_tags(strip_lead(front), names)
    back = single.back + ("\n\n" + dedent_lines(m.text for m in more) if more else "")
    last = more[-1].number if more else line.number
    ctx.claim_lines(line.number, last)
    yield from _basic(
        note,
        ctx,
        front,
        back,
        line.number,
        deck,
        reverse=single.reversed,
        syntax="::" if not single.reversed else ":::",
    )


def _finish(note: Note, ctx: Context, block: _Block, decks: _Decks, names: list[str]) -> Iterator[Candidate]:
    if not block.lines:
        return
    if not block.kind:
        for line in block.lines:
            decks.note_line(line.text)
        return
    first, last = block.lines[0].number, block.lines[-1].number
    ctx.claim_lines(first, last)
    if block.kind == "cloze":
        yield from _cloze_cards(note, ctx, block, decks, names)
        return
    question_lines, answer_lines = block.lines[: block.separator], block.lines[block.separator + 1 :]
    deck = decks.current
    if question_lines:
        deck, head = decks.card_line(question_lines[0].text)
        question_lines = [Line(question_lines[0].number, head), *question_lines[1:]]
    question = _without_flashcard_tags(
        dedent_lines(strip_lead(q.text) if i == 0 else q.text for i, q in enumerate(question_lines)), names
    )
    answer = dedent_lines(a.text for a in answer_lines)
    separator = block.lines[block.separator]
    if not _words(question):
        _warn(
            note,
            separator.number,
            f"a Spaced Repetition card: the separator {separator.text.strip()!r} has no question on the lines above it",
        )
        return
    if not _words(answer):
        _warn(
            note,
            separator.number,
            f"a Spaced Repetition card: the question above {separator.text.strip()!r} "
            "has no answer on the lines below it",
        )
        return
    yield from _basic(note, ctx, question, answer, first, deck, reverse=block.kind == "multi_reversed", syntax="?")


def _words(text: str) -> bool:
    return bool(SR_COMMENT.sub("", text).strip())


def _basic(
    note: Note, ctx: Context, front_md: str, back_md: str, line: int, deck: str, *, reverse: bool, syntax: str
) -> Iterator[Candidate]:
    front, back = fragment(front_md), fragment(back_md)
    if not front.text.strip() or blank(back.field):
        _warn(note, line, f"a Spaced Repetition card ({syntax}) needs text on both sides of the separator")
        return
    yield ctx.candidate(
        note,
        kind=KIND,
        model=REVERSED if reverse else BASIC,
        front=front.field,
        back=back.field,
        crumbs=breadcrumb(note, section_at(note, line)),
        identity=front.text,
        line=line,
        deck=deck,
        written=True,
    )


def _cloze_cards(note: Note, ctx: Context, block: _Block, decks: _Decks, names: list[str]) -> Iterator[Candidate]:
    settings = ctx.plugins.osr
    deck, head = decks.card_line(block.lines[0].text)
    lines = [head, *(line.text for line in block.lines[1:])]
    markdown_text = _without_flashcard_tags(dedent_lines(lines), names)
    deletions = find_deletions(markdown_text, settings.cloze_patterns)
    if not deletions:
        return
    yield from cloze_cards(note, ctx, markdown_text, deletions, block.lines[0].number, deck)


def cloze_cards(
    note: Note, ctx: Context, markdown_text: str, deletions: list[Deletion], line: int, deck: str
) -> Iterator[Candidate]:
    """The cards of a text with written deletions: numbered ones (``==1;;x==``) make one
    note with the writer's numbers; unnumbered ones one note each (cloze 1), so adding a
    deletion never moves another's reviews."""
    context = breadcrumb(note, section_at(note, line))
    plain = fragment(cloze_text(markdown_text, deletions, ask=())).text
    if any(d.number is not None for d in deletions):
        piece = fragment(cloze_text(markdown_text, deletions, ask=deletions, numbered=True), handwritten=True)
        yield ctx.candidate(
            note,
            kind=KIND,
            model=CLOZE,
            front=piece.field,
            back=(),
            crumbs=context,
            identity=plain,
            line=line,
            deck=deck,
            written=True,
        )
        return
    for deletion in deletions:
        piece = fragment(cloze_text(markdown_text, deletions, ask=(deletion,)), handwritten=True)
        yield ctx.candidate(
            note,
            kind=KIND,
            model=CLOZE,
            front=piece.field,
            back=(),
            crumbs=context,
            identity=f"{plain}\x1f{deletion.answer}",
            line=line,
            deck=deck,
            written=True,
        )


def _warn(note: Note, line: int, message: str) -> None:
    log.warning("%s", CardsError(Source(note.path, line), message))
