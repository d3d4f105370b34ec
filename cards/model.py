"""The data every stage passes on: where a thing came from, the note tree, the card.

Frozen where a value crosses a stage boundary (Source, Card) so no later stage can
quietly change what an earlier one decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

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


Block = Paragraph | Code | Table | ListBlock | Callout


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
    """One Anki note: a kept candidate, rendered (deck/render.py).

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
    #: the keep-probability the score gave it (judge/score.py); None: its author wrote it
    score: float | None = None


# ---------------------------------------------------------------- candidates
#
# A kind proposes candidates, the judge keeps some, and deck/render.py renders only the
# kept ones, once. A candidate's sides are parsed Markdown pieces (a Field), never HTML:
# the judge reads their plain text (a View) and the renderer turns them into fields.


@dataclass(frozen=True, slots=True)
class Span:
    """Inline tokens (an inline, or a part of one), rendered as one inline: stripped.

    ``gap``: the bold or highlight opening token (by identity) whose span is this
    card's deletion ``{{c1::…}}``; ``handwritten``: the writer's own ``{{cN::…}}`` stay
    deletions (only ever in a cloze card's Text field)."""

    tokens: Sequence[Token]
    gap: Token | None = None
    handwritten: bool = False


@dataclass(frozen=True, slots=True)
class Blocks:
    """Blocks of the note (a question's answer, a step's sub-bullets)."""

    blocks: Sequence[Block]
    handwritten: bool = False


@dataclass(frozen=True, slots=True)
class Words:
    """Plain text a kind adds (a column's name, a subject), escaped when rendered."""

    text: str


@dataclass(frozen=True, slots=True)
class Sep:
    """Punctuation a kind puts between pieces (``: ``, `` — ``), written as it is."""

    text: str


@dataclass(frozen=True, slots=True)
class Element:
    """An HTML element around pieces: ``<p>``, ``<li>``, ``<ol class="steps">``."""

    tag: str
    parts: Field
    cls: str = ""
    #: attributes after the class (``<ol start="16">``), as written
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Gap:
    """This card's deletion around pieces (``{{c1::…}}``): what the learner recalls."""

    parts: Field


@dataclass(frozen=True, slots=True)
class Bare:
    """Pieces shown without the bold, italics or highlight that wraps all of them
    (a term written ``**Osmosis**:`` is asked as "Osmosis": a front all in bold says
    nothing more)."""

    parts: Field


Piece = Span | Blocks | Words | Sep | Element | Gap | Bare
#: One side of a candidate: its pieces in order.
Field = tuple[Piece, ...]

GAP = "[...]"


@dataclass(frozen=True, slots=True)
class View:
    """A candidate in plain text, as the learner would read it: what the judge reads.

    ``front``: the question with this card's gap as ``[...]``; ``hidden``: what the gap
    hides ("" for a question/answer card); ``back``: the answer (a cloze: its Extra).
    An image reads ``[image]``, or ``[its name]`` when the vault lacks it.
    """

    front: str
    hidden: str = ""
    back: str = ""

    @property
    def after(self) -> str:
        """What follows the gap."""
        return self.front.split(GAP, 1)[1] if GAP in self.front else ""

    @property
    def before(self) -> str:
        """What precedes the gap (the whole front when there is none)."""
        return self.front.split(GAP, 1)[0] if GAP in self.front else self.front

    @property
    def rest(self) -> str:
        """The front without its gap: the context the learner recalls from."""
        return self.front.replace(GAP, " ")


# What a kind knew of a candidate, typed, for the judge (cards/judge/): the plain facts
# a verdict is made of, never the verdict itself.


@dataclass(frozen=True, slots=True)
class ListShape:
    """A list whose items are asked as steps: is it a procedure? (judge/lists.py)"""

    ordered: bool
    titles: tuple[str, ...]  # each step's title (its leading bold phrase, else its first line)
    lines: tuple[str, ...]  # the plain text of every item that has any
    lead: str  # what introduces the list: the bullet it sits under, else the paragraph before it
    heading: str  # the heading above it (the note's title when there is none)


@dataclass(frozen=True, slots=True)
class Asked:
    """How a mined question was recognised: ``question`` (it ends in ``?``), ``case``
    (``Case 3:``), ``term`` (a short term with one explaining child)."""

    form: str


@dataclass(frozen=True, slots=True)
class Opening:
    """A phrase in the first sentence of its paragraph, shown alone: the sentence, which
    may lean on text before the paragraph (``It …``, ``这就是 …``)."""

    sentence: str


@dataclass(frozen=True, slots=True)
class TermFacts:
    """A ``term: definition`` (or ``Term — definition``) line, as the terms kind found it."""

    name: str
    definition: str
    marked: bool  # the term is set in bold, italics or code
    dashed: bool = False  # written ``Term — definition``, one of a run of such bullets
    subject: str = ""  # what an aspect (``Treatment``, ``优点``) is asked of, when found


@dataclass(frozen=True, slots=True)
class HeadingFacts:
    """A section's heading asked as the question of its paragraph."""

    heading: str
    subject: str = ""  # what an aspect heading is asked of, when found


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell as the judge weighs it."""

    text: str  # its plain words
    empty: bool  # no tokens at all
    links_only: bool
    image_only: bool
    math: bool  # holds a formula


@dataclass(frozen=True, slots=True)
class TableShape:
    """A table whose body rows are asked one by one: is each row a fact? (judge/tables.py)"""

    header: tuple[str, ...]
    body: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True, slots=True)
class Solution:
    """A worked problem's solution, by its size."""

    blocks: int
    chars: int


@dataclass(frozen=True, slots=True)
class Summary:
    """A ``<details>`` block's summary: its question, in plain words."""

    text: str


Facts = ListShape | Asked | Opening | TermFacts | HeadingFacts | TableShape | Solution | Summary


@dataclass(frozen=True, slots=True)
class Candidate:
    """A card a kind proposes, before the judge has kept or dropped it.

    ``front``/``back`` are pieces (for a cloze: its Text and its Extra); ``view`` is
    their plain text; ``crumbs`` the breadcrumb (note title, headings, the bullet it
    hangs under); ``identity`` the text that names the fact (deck/ids.py);
    ``deck``/``tags``: a deck the card names itself and tags it adds to its note's;
    ``written``: the writer wrote it as a card (no rule drops it); ``facts``: what the
    kind knew of it, for the judge.
    """

    kind: str
    model: str
    front: Field
    back: Field
    view: View
    crumbs: tuple[str, ...]
    identity: str
    source: Source
    deck: str = ""
    tags: tuple[str, ...] = ()
    written: bool = False
    facts: Facts | None = None

    @property
    def cloze(self) -> bool:
        return self.model == CLOZE
