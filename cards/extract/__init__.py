"""The card kinds, in one ordered table, and the walk they share.

Each kind is one module with one ``extract(note, ctx)``. Earlier kinds win a contested
node: ``ctx.claim(node)`` marks a list item or paragraph as used, and later kinds skip
claimed nodes, so a Q/A bullet does not also become a key-phrase cloze. The explicit
syntaxes (cards the author wrote for another tool) come first and read the note's
lines; ``ctx.claim_lines`` marks a card's lines, and every node that starts on one is
claimed: explicit beats implicit, and nothing the author wrote as a card is mined again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from types import MappingProxyType

from ..deck.render import Renderer
from ..model import Block, Callout, Card, ListBlock, ListItem, Note, Paragraph, Section, Source
from ..notes.folding import normalise
from ..notes.parse import plain_text
from ..notes.plugins import Plugins


@dataclass(slots=True)
class Context:
    """What an extractor needs besides the note: rendering and the claimed nodes."""

    renderer: Renderer = field(default_factory=Renderer)
    claimed: set[int] = field(default_factory=set)
    source_link: Callable[[Source], str] = lambda source: ""
    #: the vault's flashcard plugin settings (notes/plugins.py)
    plugins: Plugins = field(default_factory=Plugins)
    #: the vault's root deck, for decks a card names (``#flashcards/a/b`` -> ``Root::a::b``)
    root_deck: str = ""
    claimed_lines: set[int] = field(default_factory=set)

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

    def take_media(self) -> tuple[str, ...]:
        media, self.renderer.media = tuple(dict.fromkeys(self.renderer.media)), []
        return media


@dataclass(frozen=True, slots=True)
class Visit:
    """A block reached by the walk, with where it sits."""

    block: Block
    section: Section
    parents: tuple[ListItem, ...]  # enclosing list items, outermost first
    siblings: list[Block]  # the blocks this one sits among (a section's, an item's, a callout's)


def walk(note: Note) -> Iterator[Visit]:
    """Every block of the note, depth first, in source order. Task items are pruned;
    a callout is visited, then the blocks inside it."""
    for section in note.sections:
        yield from _walk_blocks(section.blocks, section, ())


def _walk_blocks(blocks: list[Block], section: Section, parents: tuple[ListItem, ...]) -> Iterator[Visit]:
    for block in blocks:
        yield Visit(block, section, parents, blocks)
        if isinstance(block, ListBlock):
            for item in block.items:
                if item.task is None:
                    yield from _walk_blocks(item.children, section, (*parents, item))
        elif isinstance(block, Callout):
            yield from _walk_blocks(block.blocks, section, parents)


def sibling_index(visit: Visit, *, missing: int) -> int:
    """Where the visited block sits among its siblings (the first that is it), else
    ``missing``. Each list of siblings is indexed once: finding the place of every
    block of a long section again from its start was quadratic.
    """
    known = _INDEXES.get(id(visit.siblings))
    if known is None or known[0] is not visit.siblings or known[2] != len(visit.siblings):
        places: dict[int, int] = {}
        for k, block in enumerate(visit.siblings):
            places.setdefault(id(block), k)
        if len(_INDEXES) >= 256:
            _INDEXES.clear()
        known = _INDEXES[id(visit.siblings)] = (visit.siblings, places, len(visit.siblings))  # held: ids stay unique
    return known[1].get(id(visit.block), missing)


_INDEXES: dict[int, tuple[list[Block], dict[int, int], int]] = {}


def make_card(
    note: Note,
    ctx: Context,
    *,
    kind: str,
    model: str,
    front: str,
    back: str,
    context: tuple[str, ...],
    identity: str,
    line: int,
    deck: str = "",
    tags: tuple[str, ...] = (),
    written: bool = False,
    extra: Mapping[str, str] | None = None,
) -> Card:
    """A card of ``note``; ``deck`` and ``tags`` (added to the note's) when the card names its own."""
    source = Source(note.path, line)
    return Card(
        kind=kind,
        model=model,
        front=front,
        back=back,
        context=tuple(c for c in context if c),
        identity=identity,
        source=source,
        deck=deck or note.deck,
        tags=tuple(dict.fromkeys((*note.tags, *tags))) if tags else note.tags,
        note_title=note.title,
        media=ctx.take_media(),
        source_link=ctx.source_link(source),
        written=written,
        extra=dict(extra or {}),
    )


def breadcrumb(note: Note, section: Section, *more: str) -> tuple[str, ...]:
    """Where a card sits: the note's title, the heading path, then ``more`` (the bullet
    a list hangs under). The first heading is left out when it repeats the title (a
    note ``cell.md`` whose H1 is "Cell"), and math reads as MathJax, not ``$...$``.

    >>> breadcrumb(Note(PurePosixPath("cell.md"), "cell", {}, [], "V", ()), Section(3, ("Cell", "The $n$-th division"), []))
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
    from .steps import step_title

    headings = [plain_text(item.inline) for item in visit.parents[:-1] if item.heading]
    last = visit.parents[-1] if visit.parents else None
    if last is not None:
        headings.append(plain_text(last.inline) if last.heading else step_title(last))
    return breadcrumb(note, visit.section, *headings)


def section_at(note: Note, line: int) -> Section:
    """The section a source line falls in (for cards found by line, not by the tree)."""
    found = Section(1, (), [])
    for section in note.sections:
        if section.line <= line:
            found = section
    return found


Extractor = Callable[[Note, Context], Iterable[Card]]

from . import callouts, details, figure, logseq, o2a, osr, phrases, problems, qa, sections, steps, tables, terms  # noqa: E402  (the modules use the helpers above)
from .judge import Dropped, judge_cards  # noqa: E402

EXTRACTORS: Mapping[str, Extractor] = MappingProxyType(
    {
        # cards written for other tools come first: their lines are never mined again
        "o2a": o2a.extract,
        "osr": osr.extract,
        "details": details.extract,
        "callouts": callouts.extract,
        "logseq": logseq.extract,
        "qa": qa.extract,  # explicit Q/A and question bullets claim their nodes first
        "problems": problems.extract,  # a worked problem's solution is not mined again
        "figure": figure.extract,
        "steps": steps.extract,
        "terms": terms.extract,  # before phrases: a bold term and its definition is one question
        "sections": sections.extract,  # after terms: a paragraph of term lines gives a card per term
        "tables": tables.extract,
        "phrases": phrases.extract,
    }
)


def extract_cards(
    note: Note,
    *,
    kinds: Collection[str] | None = None,
    ctx: Context | None = None,
    dropped: list[Dropped] | None = None,
) -> list[Card]:
    """All cards of one note that pass the judge (judge.py), kinds in table order, each
    kind's cards in source order; the candidates the judge dropped go to ``dropped``."""
    ctx = ctx or Context()
    cards: list[Card] = []
    for name, extractor in EXTRACTORS.items():
        if kinds is None or name in kinds:
            cards.extend(extractor(note, ctx))
    return judge_cards(cards, dropped)


__all__ = ["EXTRACTORS", "Context", "Visit", "extract_cards", "walk", "make_card", "breadcrumb", "Paragraph"]
