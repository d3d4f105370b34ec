"""The card kinds, in one ordered table, and the walk they share.

Each kind is one module with one ``extract(note, ctx)``. Earlier kinds win a contested
node: ``ctx.claim(node)`` marks a list item or paragraph as used, and later kinds skip
claimed nodes, so a Q/A bullet does not also become a key-phrase cloze.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ..model import Block, Card, ListBlock, ListItem, Note, Paragraph, Section, Source
from ..deck.render import Renderer


@dataclass(slots=True)
class Context:
    """What an extractor needs besides the note: rendering and the claimed nodes."""

    renderer: Renderer = field(default_factory=Renderer)
    claimed: set[int] = field(default_factory=set)
    source_link: Callable[[Source], str] = lambda source: ""

    def claim(self, node: object) -> None:
        self.claimed.add(id(node))

    def is_claimed(self, node: object) -> bool:
        return id(node) in self.claimed

    def take_media(self) -> tuple[str, ...]:
        media, self.renderer.media = tuple(dict.fromkeys(self.renderer.media)), []
        return media


@dataclass(frozen=True, slots=True)
class Visit:
    """A block reached by the walk, with where it sits."""

    block: Block
    section: Section
    parents: tuple[ListItem, ...]  # enclosing list items, outermost first


def walk(note: Note) -> Iterator[Visit]:
    """Every block of the note, depth first, in source order. Task items are pruned."""
    for section in note.sections:
        yield from _walk_blocks(section.blocks, section, ())


def _walk_blocks(blocks: Iterable[Block], section: Section, parents: tuple[ListItem, ...]) -> Iterator[Visit]:
    for block in blocks:
        yield Visit(block, section, parents)
        if isinstance(block, ListBlock):
            for item in block.items:
                if item.task is None:
                    yield from _walk_blocks(item.children, section, (*parents, item))


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
) -> Card:
    source = Source(note.path, line)
    return Card(
        kind=kind,
        model=model,
        front=front,
        back=back,
        context=tuple(c for c in context if c),
        identity=identity,
        source=source,
        deck=note.deck,
        tags=note.tags,
        note_title=note.title,
        media=ctx.take_media(),
        source_link=ctx.source_link(source),
    )


def breadcrumb(note: Note, section: Section, *more: str) -> tuple[str, ...]:
    return (note.title, *section.path, *more)


Extractor = Callable[[Note, Context], Iterable[Card]]

from . import figure, phrases, qa, steps  # noqa: E402  (the modules use the helpers above)

EXTRACTORS: Mapping[str, Extractor] = MappingProxyType(
    {
        "qa": qa.extract,  # explicit Q/A and question bullets claim their nodes first
        "figure": figure.extract,
        "steps": steps.extract,
        "phrases": phrases.extract,
    }
)


def extract_cards(note: Note, *, kinds: Collection[str] | None = None, ctx: Context | None = None) -> list[Card]:
    """All cards of one note, kinds in table order, each kind's cards in source order."""
    ctx = ctx or Context()
    cards: list[Card] = []
    for name, extractor in EXTRACTORS.items():
        if kinds is None or name in kinds:
            cards.extend(extractor(note, ctx))
    return cards


__all__ = ["EXTRACTORS", "Context", "Visit", "extract_cards", "walk", "make_card", "breadcrumb", "Paragraph"]
