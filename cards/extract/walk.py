"""What every kind shares: the note's walk, the claimed nodes, and how a candidate is made.

Earlier kinds win a contested node: ``ctx.claim(node)`` marks a list item or paragraph
as used, and later kinds skip claimed nodes, so a Q/A bullet does not also become a
key-phrase cloze. The explicit syntaxes (cards the author wrote for another tool) come
first and read the note's lines; ``ctx.claim_lines`` marks a card's lines, and every
node that starts on one is claimed: explicit beats implicit, and nothing the author
wrote as a card is mined again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from ..deck.render import ImageResolver, TextRenderer
from ..model import Block, Callout, Candidate, Facts, Field, ListBlock, ListItem, Note, Section, Source
from ..notes.parse import heading_text
from ..notes.plugins import Plugins
from ..text import normalise
from .lines import Line, note_lines
from .shapes import step_title

__all__ = ["Context", "Visit", "walk", "breadcrumb", "where", "section_at"]

T = TypeVar("T")
_MISSING = object()


def _web_only(target: str) -> str | None:
    return target if target.startswith(("http://", "https://")) else None


@dataclass(slots=True)
class Context:
    """What an extractor needs besides the note: the note's images and the claimed nodes.

    ``resolve_image`` says what an image target shows (a media name, or None when the
    vault lacks it); each target is looked up once per note (:meth:`resolve`), for the
    candidates' text and for the cards rendered later.
    """

    resolve_image: ImageResolver = _web_only
    claimed: set[int] = field(default_factory=set)
    #: the vault's flashcard plugin settings (notes/plugins.py)
    plugins: Plugins = field(default_factory=Plugins)
    #: the vault's root deck, for decks a card names (``#flashcards/a/b`` -> ``Root::a::b``)
    root_deck: str = ""
    claimed_lines: set[int] = field(default_factory=set)
    #: a soft line break shows as a line break (notes/layout.py; deck/render.py)
    line_breaks: bool = True
    _resolved: dict[str, str | None] = field(default_factory=dict)
    _text: TextRenderer | None = None
    _walked: tuple[Note, list[Visit]] | None = None
    _crumbs: dict[int, tuple[str, ...]] = field(default_factory=dict)
    _shared: dict[tuple[str, int], object] = field(default_factory=dict)

    def walk(self, note: Note) -> list[Visit]:
        """Every block of the note, as :func:`walk` gives them: walked once for all kinds."""
        if self._walked is None or self._walked[0] is not note:
            self._walked, self._crumbs = (note, list(walk(note))), {}
        return self._walked[1]

    def lines(self, note: Note, *, code: bool = True) -> list[Line]:
        """The note's lines for the kinds that read lines (lines.py: front matter and
        comment blocks left out; without ``code``, code blocks too), split once."""
        found = self.shared("lines", note, lambda: note_lines(note))
        if code:
            return found
        return self.shared("lines outside code", note, lambda: [x for x in found if x.number not in note.code_lines])

    def where(self, note: Note, visit: Visit) -> tuple[str, ...]:
        """The breadcrumb of a visit (:func:`where`), made once for all kinds."""
        found = self._crumbs.get(id(visit))
        if found is None:
            found = self._crumbs[id(visit)] = where(note, visit)
        return found

    def shared(self, key: str, node: object, make: Callable[[], T]) -> T:
        """What one kind works out of a node and another needs too (a list's shape),
        worked out once per note; ``node`` is held by the walk, so its id stays its own."""
        found = self._shared.get((key, id(node)), _MISSING)
        if found is _MISSING:
            found = self._shared[(key, id(node))] = make()
        return found  # type: ignore[return-value]

    def resolve(self, target: str) -> str | None:
        """What ``target`` shows, looked up once (a missing image is reported once)."""
        if target not in self._resolved:
            self._resolved[target] = self.resolve_image(target)
        return self._resolved[target]

    @property
    def text(self) -> TextRenderer:
        """The plain text of pieces, as the learner would read them."""
        if self._text is None:
            self._text = TextRenderer(self.resolve, line_breaks=self.line_breaks)
        return self._text

    def words(self, pieces: Field) -> str:
        """The words pieces show, images left out: "" when they show only images or nothing."""
        return TextRenderer(self.resolve, image="", line_breaks=self.line_breaks).text(pieces)

    def shows_image(self, pieces: Field) -> bool:
        """Whether pieces show an image the vault has (or a web image)."""
        return "\ufdd4" in TextRenderer(self.resolve, image="\ufdd4", line_breaks=self.line_breaks).text(pieces)

    def claim(self, node: object) -> None:
        self.claimed.add(id(node))

    def claim_blocks(self, blocks: Iterable[Block]) -> None:
        """Claim these blocks and everything inside them (an answer is not mined again)."""
        for block in blocks:
            self.claim(block)
            if isinstance(block, ListBlock):
                for item in block.items:
                    self.claim(item)
                    self.claim_blocks(item.children)
            elif isinstance(block, Callout):
                self.claim_blocks(block.blocks)

    def claim_lines(self, first: int, last: int) -> None:
        """Lines ``first``..``last`` (1-based) belong to an explicit card."""
        self.claimed_lines.update(range(first, last + 1))

    def is_claimed(self, node: object) -> bool:
        return id(node) in self.claimed or getattr(node, "line", None) in self.claimed_lines

    def candidate(
        self,
        note: Note,
        *,
        kind: str,
        model: str,
        front: Field,
        back: Field,
        crumbs: tuple[str, ...],
        identity: str,
        line: int,
        deck: str = "",
        tags: tuple[str, ...] = (),
        written: bool = False,
        facts: Facts | None = None,
    ) -> Candidate:
        """A candidate of ``note``; ``deck`` and ``tags`` when the card names its own."""
        return Candidate(
            kind=kind,
            model=model,
            front=front,
            back=back,
            view=self.text.view(model, front, back),
            crumbs=tuple(c for c in crumbs if c),
            identity=identity,
            source=Source(note.path, line),
            deck=deck,
            tags=tags,
            written=written,
            facts=facts,
        )


@dataclass(frozen=True, slots=True)
class Visit:
    """A block reached by the walk, with where it sits."""

    block: Block
    section: Section
    parents: tuple[ListItem, ...]  # enclosing list items, outermost first
    siblings: list[Block]  # the blocks this one sits among (a section's, an item's, a callout's)
    index: int = 0  # where it sits among them


def walk(note: Note) -> Iterator[Visit]:
    """Every block of the note, depth first, in source order. Task items are pruned;
    a callout is visited, then the blocks inside it."""
    for section in note.sections:
        yield from _walk_blocks(section.blocks, section, ())


def _walk_blocks(blocks: list[Block], section: Section, parents: tuple[ListItem, ...]) -> Iterator[Visit]:
    for index, block in enumerate(blocks):
        yield Visit(block, section, parents, blocks, index)
        if isinstance(block, ListBlock):
            for item in block.items:
                if item.task is None:
                    yield from _walk_blocks(item.children, section, (*parents, item))
        elif isinstance(block, Callout):
            yield from _walk_blocks(block.blocks, section, parents)


def breadcrumb(note: Note, section: Section, *more: str) -> tuple[str, ...]:
    """Where a card sits: the note's title, the heading path, then ``more`` (the bullet
    a list hangs under). The first heading is left out when it repeats the title (a
    note ``cell.md`` whose H1 is "Cell"), and math reads as MathJax, not ``$...$``.

    >>> from pathlib import PurePosixPath
    >>> breadcrumb(
    ...     Note(PurePosixPath("cell.md"), "cell", {}, [], "V", ()), Section(3, ("Cell", "The $n$-th division"), [])
    ... )
    ('cell', 'The \\\\(n\\\\)-th division')
    """
    path = section.path
    if path and normalise(path[0]) == normalise(note.title):
        path = path[1:]
    return tuple(_mathjax(part) for part in (note.title, *path, *more))


def _mathjax(text: str) -> str:
    """``$x$`` and ``$$x$$`` in a heading as MathJax delimiters, which render in any field."""
    if "$" not in text:
        return text
    text = re.sub(r"\$\$(.+?)\$\$", lambda m: f"\\[{m.group(1)}\\]", text)
    return re.sub(r"(?<![\\\w])\$(?!\s)(.+?)(?<!\s)\$(?!\w)", lambda m: f"\\({m.group(1)}\\)", text)


def where(note: Note, visit: Visit) -> tuple[str, ...]:
    """The breadcrumb of a block reached by the walk: the note's, then the bullets
    written as headings above it (Logseq's ``- ## Title``), then the bullet it hangs
    under (its title: a leading bold phrase, else its first line)."""
    headings = [heading_text(item.inline) for item in visit.parents[:-1] if item.heading]
    last = visit.parents[-1] if visit.parents else None
    if last is not None:
        headings.append(heading_text(last.inline) if last.heading else step_title(last))
    return breadcrumb(note, visit.section, *headings)


def section_at(note: Note, line: int) -> Section:
    """The section a source line falls in (for cards found by line, not by the tree)."""
    found = Section(1, (), [])
    for section in note.sections:
        if section.line <= line:
            found = section
    return found
