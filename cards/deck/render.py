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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it.token import Token

from ..model import Block, Callout, Card, Code, Inline, ListBlock, ListItem, Paragraph, Table
from .notetypes import NOTE_TYPES

#: Given an image target from a note, return the ``src`` to use, or None to drop it.
ImageResolver = Callable[[str], "str | None"]

#: What a Logseq block reference the graph does not hold shows; a card whose question
#: would show it is left out (pipeline/per_note.py), an answer or Extra keeps the mark.
MISSING_BLOCK = '<span class="missing-block">[block not found]</span>'

_SAFE_TAG = re.compile(r"^</?(b|i|u|s|em|strong|sub|sup|mark|kbd|small|br|code)\s*/?>$", re.IGNORECASE)
_SAFE_SCHEME = re.compile(r"^(https?:|mailto:|obsidian:|zotero:|#)", re.IGNORECASE)
_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def _cloze_safe(value: str) -> str:
    return value.translate(_BRACES).replace("::", "&#58;&#58;")


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
        for token in tokens:
            kind = token.type
            if kind in ("strong_open", "mark_open"):
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
        if kind in ("softbreak", "hardbreak"):
            return "<br>"
        if kind == "em_open":
            return "<i>"
        if kind == "em_close":
            return "</i>"
        if kind == "s_open":
            return "<s>"
        if kind == "s_close":
            return "</s>"
        if kind == "code_inline":
            return f"<code>{text(token.content)}</code>"
        if kind in ("math_inline",):
            return f"\\({text(token.content)}\\)"
        if kind in ("math_inline_double", "math_block_inline"):
            return f"\\[{text(token.content.strip())}\\]"
        if kind == "link_open":
            href = str(token.attrGet("href") or "")
            return f'<a href="{attr(href)}">' if _SAFE_SCHEME.match(href) else "<a>"
        if kind == "link_close":
            return "</a>"
        if kind == "image":
            return self.image(str(token.attrGet("src") or ""), token.content)
        if kind == "wikilink":
            return text(token.content)
        if kind == "wikiembed":
            target = token.meta["target"]
            if re.search(r"\.(png|jpe?g|gif|svg|webp|bmp|avif)$", target, re.IGNORECASE):
                return self.image(target, token.meta.get("alias", ""))
            return text(token.content)
        if kind == "block_ref":
            if token.meta.get("missing"):
                return MISSING_BLOCK
            return self.tokens(token.children or [])
        if kind == "html_inline":
            return token.content if _SAFE_TAG.match(token.content.strip()) else text(token.content)
        if kind == "cloze_open":
            return f"{{{{c{token.meta['ordinal']}::" if self.handwritten else ""
        if kind == "cloze_close":
            hint = token.meta.get("hint", "")
            if not self.handwritten:
                return ""
            return f"::{text(hint)}}}}}" if hint else "}}"
        return text(token.content)

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
            head = ("☑ " if item.task else "☐ ") + re.sub(r"^\[[ xX]\]\s*", "", head)
        return f"<li>{head}{self.blocks(item.children)}</li>"


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
