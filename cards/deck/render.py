"""Note tree -> HTML for Anki fields.

Field text is HTML that Anki puts into our templates as it is, so three things are
decided here once: (1) raw HTML from a note never reaches a card except a short list
of harmless formatting tags with no attributes, (2) text that could be read as cloze
syntax (``{``, ``}``, ``::``) is written as character references, so a deletion we
emit is the only deletion Anki sees and a phrase like ``Distill-{Qwen/Llama}-{*B}``
shows exactly as written, (3) images resolve through one callback, which owns the
vault boundary and the media names.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it.token import Token

from ..model import (
    CLOZE,
    GAP,
    Bare,
    Block,
    Blocks,
    Callout,
    Candidate,
    Card,
    Code,
    Element,
    Gap,
    Inline,
    ListBlock,
    ListItem,
    Paragraph,
    Piece,
    Sep,
    Span,
    Table,
    View,
    Words,
)
from ..text import joins_without_space
from .notetypes import NOTE_TYPES

#: Given an image target from a note, return the ``src`` to use, or None to drop it.
ImageResolver = Callable[[str], "str | None"]

#: What a Logseq block reference the graph does not hold shows; a card whose question
#: would show it is left out (pipeline/per_note.py), an answer or Extra keeps the mark.
MISSING_BLOCK = '<span class="missing-block">[block not found]</span>'

_TASK_BOX = re.compile(r"^\[[ xX]\]\s*")
_IMAGE_FILE = re.compile(r"\.(png|jpe?g|gif|svg|webp|bmp|avif)$", re.IGNORECASE)
#: Tokens whose HTML is always the same.
_FIXED = {
    "softbreak": "<br>",
    "hardbreak": "<br>",
    "em_open": "<i>",
    "em_close": "</i>",
    "s_open": "<s>",
    "s_close": "</s>",
    "link_close": "</a>",
}
_SAFE_TAG = re.compile(r"^</?(b|i|u|s|em|strong|sub|sup|mark|kbd|small|br|code)\s*/?>$", re.IGNORECASE)
_SAFE_SCHEME = re.compile(r"^(https?:|mailto:|obsidian:|zotero:|#)", re.IGNORECASE)
_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def _cloze_safe(value: str) -> str:
    if "{" in value or "}" in value:  # translate reads every character: most text has no brace
        value = value.translate(_BRACES)
    return value.replace("::", "&#58;&#58;")


def text(value: str) -> str:
    """Escape plain text for a field: HTML-safe and unable to open or close a cloze."""
    return _cloze_safe(html.escape(value, quote=False))


def attr(value: str) -> str:
    return _cloze_safe(html.escape(value, quote=True))


@dataclass(slots=True)
class Renderer:
    """Renders inline tokens and blocks of one note.

    ``cloze_target`` names the token (by identity) whose span becomes ``{{c1::...}}``;
    hand-written clozes always pass through with their own numbers.
    """

    resolve_image: ImageResolver = lambda target: target if target.startswith(("http://", "https://")) else None
    media: list[str] = field(default_factory=list)
    #: Only the Text field of a cloze card may carry hand-written deletions: Anki makes
    #: a card for a cloze found in *any* field, and one outside Text renders blank.
    handwritten: bool = False
    #: A soft line break (one newline inside a paragraph) shows as ``<br>``, as the
    #: vault's app shows it (notes/layout.py); False: it joins the lines (:func:`soft_break`).
    line_breaks: bool = True

    # ------------------------------------------------------------- inline

    def inline(self, inline: Inline | None, *, cloze: Token | None = None, handwritten: bool | None = None) -> str:
        """HTML for an inline; ``handwritten`` keeps its ``{{cN::...}}`` as real deletions
        (None: as the renderer is set, see :meth:`handwritten_blocks`)."""
        if inline is None:
            return ""
        before = self.handwritten
        self.handwritten = before if handwritten is None else handwritten
        try:
            return self.tokens(inline.tokens, cloze=cloze).strip()
        finally:
            self.handwritten = before

    def tokens(self, tokens: Sequence[Token], *, cloze: Token | None = None) -> str:
        out: list[str] = []
        closing: list[str] = []  # for strong/mark: what closes the span opened last
        for k, token in enumerate(tokens):
            kind = token.type
            if kind == "softbreak" and not self.line_breaks:
                out.append(soft_break(tokens, k))
            elif kind in ("strong_open", "mark_open"):
                tag = "b" if kind == "strong_open" else "mark"
                if token is cloze:
                    out.append("{{c1::")
                    closing.append("}}")
                else:
                    out.append(f"<{tag}>")
                    closing.append(f"</{tag}>")
            elif kind in ("strong_close", "mark_close"):
                out.append(closing.pop() if closing else "")
            else:
                out.append(self._token(token))
        return "".join(out)

    def _token(self, token: Token) -> str:
        kind = token.type
        if kind == "text":
            return text(token.content.replace("**", ""))  # an unmatched "**" is markup, never words
        fixed = _FIXED.get(kind)
        if fixed is not None:
            return fixed
        if kind == "code_inline":
            return f"<code>{text(token.content)}</code>"
        if kind == "math_inline":
            return f"\\({text(token.content)}\\)"
        if kind in ("math_inline_double", "math_block_inline"):
            return f"\\[{text(token.content.strip())}\\]"
        if kind == "link_open":
            href = str(token.attrGet("href") or "")
            return f'<a href="{attr(href)}">' if _SAFE_SCHEME.match(href) else "<a>"
        if kind in ("image", "wikiembed", "block_ref"):
            return self._shown(token)
        if kind == "html_inline":
            return token.content if _SAFE_TAG.match(token.content.strip()) else text(token.content)
        if kind in ("cloze_open", "cloze_close"):
            return self._deletion(token) if self.handwritten else ""
        return text(token.content)

    def _shown(self, token: Token) -> str:
        """An image, an embedded file, or the words of a referenced block."""
        if token.type == "image":
            return self.image(str(token.attrGet("src") or ""), token.content)
        if token.type == "wikiembed":
            target = token.meta["target"]
            if _IMAGE_FILE.search(target):
                return self.image(target, token.meta.get("alias", ""))
            return text(token.content)
        if token.meta.get("missing"):
            return MISSING_BLOCK
        return self.tokens(token.children or [])

    @staticmethod
    def _deletion(token: Token) -> str:
        """A hand-written deletion's markers, as Anki reads them."""
        if token.type == "cloze_open":
            return f"{{{{c{token.meta['ordinal']}::"
        hint = token.meta.get("hint", "")
        return f"::{text(hint)}}}}}" if hint else "}}"

    def image(self, target: str, alt: str) -> str:
        src = self.resolve_image(target)
        if src is None:
            return f'<span class="missing-image">[{text(alt or target)}]</span>'
        if not src.startswith(("http://", "https://")):
            self.media.append(src)
        return f'<img src="{attr(src)}" alt="{attr(alt)}">'

    # ------------------------------------------------------------- blocks

    def blocks(self, blocks: Sequence[Block]) -> str:
        return "".join(self.block(b) for b in blocks)

    def handwritten_blocks(self, blocks: Sequence[Block]) -> str:
        """Blocks whose ``{{cN::...}}`` stay deletions (a cloze card's Text field)."""
        before, self.handwritten = self.handwritten, True
        try:
            return self.blocks(blocks)
        finally:
            self.handwritten = before

    def block(self, block: Block) -> str:
        if isinstance(block, Paragraph):
            return f"<p>{self.inline(block.inline)}</p>"
        if isinstance(block, Code):
            return f"<pre><code>{text(block.text)}</code></pre>"
        if isinstance(block, ListBlock):
            tag = "ol" if block.ordered else "ul"
            return f"<{tag}>{''.join(self.item(i) for i in block.items)}</{tag}>"
        if isinstance(block, Table):
            rows = "".join("<tr>" + "".join(f"<td>{self.inline(c)}</td>" for c in row) + "</tr>" for row in block.rows)
            return f"<table>{rows}</table>"
        if isinstance(block, Callout):
            title = f'<div class="callout-title">{self.inline(block.title)}</div>' if block.title is not None else ""
            return f'<div class="callout">{title}{self.blocks(block.blocks)}</div>'
        return ""

    def item(self, item: ListItem) -> str:
        head = self.inline(item.inline)
        if item.task is not None:
            head = ("☑ " if item.task else "☐ ") + _TASK_BOX.sub("", head)
        return f"<li>{head}{self.blocks(item.children)}</li>"

    # ------------------------------------------------------------- pieces

    def field(self, pieces: Sequence[Piece]) -> str:
        """HTML of a candidate's side."""
        return "".join(self.piece(p) for p in pieces)

    def piece(self, piece: Piece) -> str:
        if isinstance(piece, Span):
            return self.inline(Inline("", list(piece.tokens)), cloze=piece.gap, handwritten=piece.handwritten)
        if isinstance(piece, Blocks):
            return self.handwritten_blocks(piece.blocks) if piece.handwritten else self.blocks(piece.blocks)
        if isinstance(piece, Words):
            return text(piece.text)
        if isinstance(piece, Sep):
            return piece.text
        if isinstance(piece, Element):
            named = f' class="{piece.cls}"' if piece.cls else ""
            named += "".join(f' {name}="{attr(value)}"' for name, value in piece.attrs)
            open_tag = f"<{piece.tag}{named}>"
            return f"{open_tag}{self.field(piece.parts)}</{piece.tag}>"
        if isinstance(piece, Gap):
            return "{{c1::" + self.field(piece.parts) + "}}"
        inner = self.field(piece.parts)
        for tag in ("b", "i", "mark"):  # the whole piece in bold says nothing more
            if inner.startswith(f"<{tag}>") and inner.endswith(f"</{tag}>") and inner.count(f"<{tag}>") == 1:
                return inner[len(tag) + 2 : -len(tag) - 3]
        return inner


def soft_break(tokens: Sequence[Token], k: int) -> str:
    """What the soft line break ``tokens[k]`` shows where lines join (CommonMark): a
    space, or nothing between two wide characters (cards/text.py,
    ``joins_without_space``), so a hard-wrapped Chinese paragraph reads unbroken."""
    return "" if joins_without_space(_edge(tokens, k, -1), _edge(tokens, k, 1)) else " "


def _edge(tokens: Sequence[Token], k: int, step: int) -> str:
    """The character of text beside ``tokens[k]`` (``step`` -1: before it, 1: after
    it), through the marks of a span (``**``, ``==``); "" when something else is there."""
    i = k + step
    while 0 <= i < len(tokens) and tokens[i].nesting != 0:
        i += step
    if not 0 <= i < len(tokens) or tokens[i].type != "text" or not tokens[i].content:
        return ""
    return tokens[i].content[-1 if step < 0 else 0]


# ----------------------------------------------------------------- card fields

#: Field names per note type, fixed forever (Anki treats a renamed field as a new note type).
FIELD_NAMES = {key: kind.fields for key, kind in NOTE_TYPES.items()}


def card_fields(card: Card) -> dict[str, str]:
    """The Anki fields of a card, by name, in note type order."""
    context = " › ".join(text(part) for part in card.context)
    where = text(str(card.source))
    source = f'<a href="{attr(card.source_link)}">{where}</a>' if card.source_link else where
    names = FIELD_NAMES[card.model]
    return dict(
        zip(names, (card.front, card.back, f'<span class="crumbs">{context}</span>' if context else "", source))
    )


def blank(pieces: Sequence[Piece]) -> bool:
    """Whether pieces would render as nothing at all (an empty side of a written card).
    Images count as shown, found or not, so none is looked up."""
    return not Renderer(resolve_image=lambda target: target).field(pieces).strip()


def shows_missing_block(candidate: Candidate) -> bool:
    """Whether a card would show a Logseq block the graph lacks on its question, or on
    its answer (a cloze's answer is in its Text; its Extra may keep the mark)."""
    sides = (candidate.front,) if candidate.model == CLOZE else (candidate.front, candidate.back)
    return any(t.type == "block_ref" and t.meta.get("missing") for side in sides for t in _tokens(side))


def _tokens(pieces: Sequence[Piece]) -> Iterator[Token]:
    """Every inline token the pieces render, a block reference's words included."""
    for piece in pieces:
        if isinstance(piece, Span):
            yield from _inline_tokens(piece.tokens)
        elif isinstance(piece, Blocks):
            for block in piece.blocks:
                yield from _block_tokens(block)
        elif isinstance(piece, (Element, Gap, Bare)):
            yield from _tokens(piece.parts)


def _inline_tokens(tokens: Sequence[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.type == "block_ref" and token.children:
            yield from _inline_tokens(token.children)


def _block_tokens(block: Block) -> Iterator[Token]:
    if isinstance(block, Paragraph):
        yield from _inline_tokens(block.inline.tokens)
    elif isinstance(block, ListBlock):
        for item in block.items:
            if item.inline is not None:
                yield from _inline_tokens(item.inline.tokens)
            for child in item.children:
                yield from _block_tokens(child)
    elif isinstance(block, Table):
        for row in block.rows:
            for cell in row:
                yield from _inline_tokens(cell.tokens)
    elif isinstance(block, Callout):
        if block.title is not None:
            yield from _inline_tokens(block.title.tokens)
        for inner in block.blocks:
            yield from _block_tokens(inner)


def has_deletion(pieces: Sequence[Piece]) -> bool:
    """Whether pieces hold a deletion of the writer's (``{{c1::…}}``) where it counts."""
    return "{{c" in Renderer(resolve_image=lambda target: target).field(pieces)


def render_card(
    candidate: Candidate,
    renderer: Renderer,
    *,
    note_deck: str,
    note_tags: tuple[str, ...],
    note_title: str,
    source_link: str = "",
    score: float | None = None,
) -> Card:
    """The card of a kept candidate: its sides as HTML, the images they show, its deck
    (its own, else its note's) and its tags (its note's, then its own); ``score``: the
    keep-probability the judge gave it (None: its author wrote it)."""
    renderer.media = []
    front = renderer.field(candidate.front)
    back = renderer.field(candidate.back)
    media, renderer.media = tuple(dict.fromkeys(renderer.media)), []
    tags = tuple(dict.fromkeys((*note_tags, *candidate.tags))) if candidate.tags else note_tags
    return Card(
        kind=candidate.kind,
        model=candidate.model,
        front=front,
        back=back,
        context=candidate.crumbs,
        identity=candidate.identity,
        source=candidate.source,
        deck=candidate.deck or note_deck,
        tags=tags,
        note_title=note_title,
        media=media,
        source_link=source_link,
        score=score,
    )


# ----------------------------------------------------------------- plain text
#
# What the judge reads of a candidate is the text a learner sees: the HTML above with
# its tags taken out, blocks apart, an image as "[image]" (or its name when missing).
# It is made from the pieces directly, token by token, as the HTML is: each HTML tag
# becomes an "atom" (marked by a leading noncharacter) carrying the text it leaves (" " for a
# block or a line break, "" for an inline tag), so an inline is stripped of whitespace
# exactly where its HTML is, and cloze markers are kept as noncharacters until the gap
# is cut out (a written "{{c1::" in a note is escaped, never a marker).

_TAG = "\ufdd0"
_OPEN = "\ufdd3"  # "{{c" of a deletion
_COLONS = "\ufdd2"  # its "::" (before the answer, or before a hint)
_CLOSE = "\ufdd1"  # its "}}"
_MARKERS = str.maketrans({_OPEN: "{{c", _COLONS: "::", _CLOSE: "}}"})
#: The first deletion numbered 1, as judge rules read it: the answer, then an optional hint.
_FIRST_GAP = re.compile(f"{_OPEN}1{_COLONS}(.*?)(?:{_COLONS}[^{_OPEN}{_CLOSE}]*?)?{_CLOSE}", re.S)
_BREAK = re.compile(r"<br\s*/?>", re.I)
_BLOCK_TAGS = frozenset({"p", "li", "ul", "ol", "div", "tr", "td", "th", "table", "blockquote", "pre"})

_SPACE = _TAG + " "  # a tag that leaves a space (a block's edge, a line break)
_NOTHING = _TAG  # a tag that leaves nothing (bold, a link)


@dataclass(slots=True)
class TextRenderer:
    """The plain text of pieces, as :func:`cards.text.html_to_text` reads their HTML.

    ``image``: what a shown image leaves (``" [image] "`` for the judge; "" to ask
    whether a side shows any words)."""

    resolve_image: ImageResolver
    image: str = " [image] "
    #: as :attr:`Renderer.line_breaks`
    line_breaks: bool = True

    def view(self, model: str, front: Sequence[Piece], back: Sequence[Piece]) -> View:
        """The view of a candidate's sides (a cloze's first ``c1`` deletion is its gap)."""
        shown = self.text(front, raw=True)
        if model == CLOZE:
            found = _FIRST_GAP.search(shown)
            if found:
                hidden = found.group(1)
                shown = shown[: found.start()] + GAP + shown[found.end() :]
                return View(_words(shown), _words(hidden), self.text(back))
        return View(_words(shown), "", self.text(back))

    def text(self, pieces: Sequence[Piece], *, raw: bool = False) -> str:
        """The text of pieces, whitespace collapsed (``raw``: deletion markers kept, not collapsed)."""
        atoms: list[str] = []
        for piece in pieces:
            self._piece(piece, atoms)
        joined = "".join(a[1:] if a.startswith(_TAG) else a for a in atoms)
        return joined if raw else _words(joined)

    # --------------------------------------------------------- atoms

    def _piece(self, piece: Piece, out: list[str]) -> None:
        if isinstance(piece, Span):
            self._inline(piece.tokens, out, gap=piece.gap, handwritten=piece.handwritten)
        elif isinstance(piece, Blocks):
            for block in piece.blocks:
                self._block(block, out, piece.handwritten)
        elif isinstance(piece, (Words, Sep)):
            out.append(piece.text)
        elif isinstance(piece, Element):
            edge = _SPACE if piece.tag in _BLOCK_TAGS else _NOTHING
            out.append(edge)
            for part in piece.parts:
                self._piece(part, out)
            out.append(edge)
        elif isinstance(piece, Gap):
            out.append(_TAG + _OPEN + "1" + _COLONS)
            for part in piece.parts:
                self._piece(part, out)
            out.append(_TAG + _CLOSE)
        else:
            for part in piece.parts:  # Bare: only tags go, and tags leave no text
                self._piece(part, out)

    def _inline(
        self, tokens: Sequence[Token] | None, out: list[str], *, gap: Token | None = None, handwritten: bool = False
    ) -> None:
        """Atoms of an inline, stripped as Renderer.inline strips its HTML."""
        if not tokens:
            return
        atoms: list[str] = []
        self._tokens(tokens, atoms, gap, handwritten)
        _strip(atoms)
        out.extend(atoms)

    def _tokens(self, tokens: Sequence[Token], out: list[str], gap: Token | None, handwritten: bool) -> None:
        closing: list[str] = []
        for k, token in enumerate(tokens):
            kind = token.type
            if kind == "softbreak" and not self.line_breaks:
                out.append(soft_break(tokens, k))
            elif kind in ("strong_open", "mark_open"):
                if token is gap:
                    out.append(_TAG + _OPEN + "1" + _COLONS)
                    closing.append(_TAG + _CLOSE)
                else:
                    out.append(_NOTHING)
                    closing.append(_NOTHING)
            elif kind in ("strong_close", "mark_close"):
                if closing:
                    out.append(closing.pop())
            else:
                self._token(token, out, handwritten)

    def _token(self, token: Token, out: list[str], handwritten: bool) -> None:
        kind = token.type
        if kind == "text":
            out.append(token.content.replace("**", ""))
        elif kind in ("softbreak", "hardbreak"):
            out.append(_SPACE)
        elif kind in ("em_open", "em_close", "s_open", "s_close", "link_open", "link_close"):
            out.append(_NOTHING)
        elif kind == "code_inline":
            out.extend((_NOTHING, token.content, _NOTHING))
        elif kind == "math_inline":
            out.append(_TAG + f"\\({token.content}\\)")
        elif kind in ("math_inline_double", "math_block_inline"):
            out.append(_TAG + f"\\[{token.content.strip()}\\]")
        elif kind == "image":
            self._image(str(token.attrGet("src") or ""), token.content, out)
        elif kind == "wikiembed" and _IMAGE_FILE.search(token.meta["target"]):
            self._image(token.meta["target"], token.meta.get("alias", ""), out)
        elif kind == "block_ref":
            if token.meta.get("missing"):
                out.extend((_NOTHING, "[block not found]", _NOTHING))
            else:
                self._tokens(token.children or [], out, None, handwritten)
        elif kind == "html_inline":
            self._html_inline(token.content, out)
        elif kind == "cloze_open":
            if handwritten:
                out.append(_TAG + _OPEN + str(token.meta["ordinal"]) + _COLONS)
        elif kind == "cloze_close":
            if handwritten:
                hint = token.meta.get("hint", "")
                out.append(_TAG + (_COLONS + hint + _CLOSE if hint else _CLOSE))
        else:
            out.append(token.content)

    def _html_inline(self, content: str, out: list[str]) -> None:
        if not _SAFE_TAG.match(content.strip()):
            out.append(content)  # shown as text
            return
        before = content[: len(content) - len(content.lstrip())]
        after = content[len(content.rstrip()) :]
        tag = content.strip()
        out.extend((before, _SPACE if _BREAK.fullmatch(tag) else _NOTHING, after))

    def _image(self, target: str, alt: str, out: list[str]) -> None:
        if self.resolve_image(target) is None:
            out.extend((_NOTHING, f"[{alt or target}]", _NOTHING))
        else:
            out.append(_TAG + self.image)

    def _block(self, block: Block, out: list[str], handwritten: bool) -> None:
        if isinstance(block, Paragraph):
            out.append(_SPACE)
            self._inline(block.inline.tokens, out, handwritten=handwritten)
            out.append(_SPACE)
        elif isinstance(block, Code):
            out.extend((_SPACE, _NOTHING, block.text, _NOTHING, _SPACE))
        elif isinstance(block, ListBlock):
            out.append(_SPACE)
            for item in block.items:
                self._item(item, out, handwritten)
            out.append(_SPACE)
        elif isinstance(block, Table):
            out.append(_SPACE)
            for row in block.rows:
                out.append(_SPACE)
                for cell in row:
                    out.append(_SPACE)
                    self._inline(cell.tokens, out, handwritten=handwritten)
                    out.append(_SPACE)
                out.append(_SPACE)
            out.append(_SPACE)
        elif isinstance(block, Callout):
            out.append(_SPACE)
            if block.title is not None:
                out.append(_SPACE)
                self._inline(block.title.tokens, out, handwritten=handwritten)
                out.append(_SPACE)
            for inner in block.blocks:
                self._block(inner, out, handwritten)
            out.append(_SPACE)

    def _item(self, item: ListItem, out: list[str], handwritten: bool) -> None:
        out.append(_SPACE)
        head: list[str] = []
        self._inline(item.inline.tokens if item.inline is not None else None, head, handwritten=handwritten)
        if item.task is not None:
            out.append("☑ " if item.task else "☐ ")
            if head and not head[0].startswith(_TAG):
                found = _TASK_BOX.match(head[0])  # the box starts the head's HTML only as its first text
                if found:
                    head[0] = head[0][found.end() :]
        out.extend(head)
        for child in item.children:
            self._block(child, out, handwritten)
        out.append(_SPACE)


def _strip(atoms: list[str]) -> None:
    """Strip whitespace from both ends of an inline's atoms as str.strip() strips its
    HTML: through text, never past a tag."""
    while atoms and not atoms[0].startswith(_TAG):
        stripped = atoms[0].lstrip()
        if stripped:
            atoms[0] = stripped
            break
        atoms.pop(0)
    while atoms and not atoms[-1].startswith(_TAG):
        stripped = atoms[-1].rstrip()
        if stripped:
            atoms[-1] = stripped
            break
        atoms.pop()


def _words(value: str) -> str:
    """Whitespace collapsed, deletion markers written out (translate reads every
    character: only text that holds a marker is translated)."""
    if _OPEN in value or _COLONS in value or _CLOSE in value:
        value = value.translate(_MARKERS)
    return " ".join(value.split())
