"""The data every stage passes on: where a thing came from, the note tree, the card.

Frozen where a value crosses a stage boundary (Source, Card) so no later stage can
quietly change what an earlier one decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    from markdown_it.token import Token


@dataclass(frozen=True, slots=True)
class Source:
    """A place in the vault: a path relative to the vault root and a 1-based line."""

    path: PurePosixPath
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


# ---------------------------------------------------------------- note tree


@dataclass(slots=True)
class Inline:
    """Inline Markdown: its raw source and markdown-it's inline tokens for it.

    ``tags``: the ``#tags`` that ended it, taken off (they tag the note; a Logseq
    ``#card`` among them makes the block a card).
    """

    source: str
    tokens: list[Token]
    tags: tuple[str, ...] = ()


@dataclass(slots=True)
class Paragraph:
    line: int
    inline: Inline


@dataclass(slots=True)
class Code:
    line: int
    info: str
    text: str


@dataclass(slots=True)
class Table:
    line: int
    rows: list[list[Inline]]


@dataclass(slots=True)
class ListItem:
    """One bullet: its first paragraph (may be None for an empty bullet) and the rest.

    ``task`` is None for an ordinary item, False for ``- [ ]`` and True for ``- [x]``.
    """

    line: int
    inline: Inline | None
    children: list[Block]
    task: bool | None = None
    #: the bullet is a heading (Logseq's ``- ## Title``): its children sit under it as
    #: under a heading, and it joins their breadcrumb
    heading: bool = False


@dataclass(slots=True)
class ListBlock:
    line: int
    ordered: bool
    items: list[ListItem]


@dataclass(slots=True)
class Callout:
    """An Obsidian callout: ``> [!question]- Title`` and the quoted blocks under it.

    ``kind`` is the callout type, lower-cased (``question``, ``faq``, ``note``); ``title``
    the text after the marker (None when there is none); ``fold`` is ``+``, ``-`` or "".
    """

    line: int
    kind: str
    title: Inline | None
    fold: str
    blocks: list[Block]


Block = Union[Paragraph, Code, Table, ListBlock, Callout]


@dataclass(slots=True)
class Section:
    """The blocks under one heading; ``path`` is the plain text of every heading above and this one."""

    line: int
    path: tuple[str, ...]
    blocks: list[Block]


@dataclass(slots=True)
class Note:
    """A parsed note: what the extractors read."""

    path: PurePosixPath  # relative to the vault root
    title: str
    front_matter: dict[str, Any]
    sections: list[Section]
    deck: str
    tags: tuple[str, ...]
    reflowed: bool = False
    #: the text the tree was parsed from (line-based card syntaxes read it)
    text: str = ""
    #: 1-based lines of code blocks: part of a card's text, never a card's syntax
    code_lines: frozenset[int] = frozenset()
    #: 1-based lines of front matter and HTML comment blocks: never part of a card
    hidden_lines: frozenset[int] = frozenset()


# ---------------------------------------------------------------- cards

CLOZE = "cloze"  # note type: fields Text, Extra, Context, Source
BASIC = "basic"  # note type: fields Front, Back, Context, Source
REVERSED = "reversed"  # note type: fields as basic, two cards (front -> back, back -> front)


@dataclass(frozen=True, slots=True)
class Card:
    """One Anki note as the extractors produce it.

    ``front``/``back`` hold HTML: for a cloze card ``front`` is the Text field (with its
    ``{{c1::...}}``) and ``back`` the Extra field; for a basic card they are Front and Back.
    ``identity`` is the plain text that names the fact (never the answer of a Q/A card);
    deck/ids.py hashes it into the GUID. ``guid`` is empty until ids.assign_guids runs.
    """

    kind: str
    model: str
    front: str
    back: str
    context: tuple[str, ...]
    identity: str
    source: Source
    deck: str
    tags: tuple[str, ...]
    note_title: str
    media: tuple[str, ...] = ()  # vault-relative paths of local images the fields use
    guid: str = ""
    source_link: str = ""  # obsidian:// link when the vault is an Obsidian vault
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: the writer wrote this card as a card (another tool's syntax, Q:/A:, {{c1::…}}):
    #: the judge's rules never drop it (extract/judge.py)
    written: bool = field(default=False, compare=False, hash=False)
