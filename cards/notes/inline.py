"""Questions asked of a parsed inline: is it only an image, only links, where are its
bold spans, does it read ``term: definition``?

The kinds ask them to recognise a card's shape, the judge to weigh one; both read the
same tree (notes/parse.py), so the answers live here, below both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..model import Block, Inline, ListBlock, Paragraph
from ..text import fold
from .parse import plain_text

if TYPE_CHECKING:
    from markdown_it.token import Token

_TOKEN_FIELDS: tuple[str, ...] = ()


def with_content(token: Token, content: str) -> Token:
    """A copy of a token with other text (as ``token.copy(content=…)``, without
    ``dataclasses.replace``'s cost: a note's sentences copy tens of tokens each)."""
    global _TOKEN_FIELDS
    kind = type(token)
    if not _TOKEN_FIELDS:
        _TOKEN_FIELDS = tuple(f for f in kind.__slots__ if f != "content")
    new = kind.__new__(kind)
    for name in _TOKEN_FIELDS:
        setattr(new, name, getattr(token, name))
    new.content = content
    return new


_IMAGE_EXT = re.compile(r"\.(png|jpe?g|gif|svg|webp|bmp|avif)$", re.IGNORECASE)


def blank(token: Token) -> bool:
    """A token that shows nothing: blank text or a line break."""
    return (token.type == "text" and not token.content.strip()) or token.type in ("softbreak", "hardbreak")


def is_image_only(inline: Inline | None) -> bool:
    if inline is None:
        return False
    seen = False
    for token in inline.tokens:
        if token.type == "image" or (token.type == "wikiembed" and _IMAGE_EXT.search(token.meta["target"])):
            seen = True
        elif not blank(token):
            return False
    return seen


def is_links_only(inline: Inline | None) -> bool:
    """A bullet that is only links (a reading list) is never a card."""
    if inline is None:
        return False
    depth, seen = 0, False
    for token in inline.tokens:
        if token.type == "link_open":
            depth, seen = depth + 1, True
        elif token.type == "link_close":
            depth -= 1
        elif token.type == "wikilink":
            seen = True
        elif depth == 0 and not blank(token):
            return False
    return seen


def without_tasks(blocks: list[Block]) -> list[Block]:
    """The blocks with task items left out: a to-do under a question does not answer it."""
    kept: list[Block] = []
    for block in blocks:
        if isinstance(block, ListBlock):
            items = [i for i in block.items if i.task is None]
            if items:
                kept.append(block if len(items) == len(block.items) else ListBlock(block.line, block.ordered, items))
        else:
            kept.append(block)
    return kept


def leading_span(inline: Inline) -> tuple[int, int] | None:
    """Token indices (open, close) of a bold or highlight span that starts the inline."""
    tokens = inline.tokens
    start = 0
    while start < len(tokens) and blank(tokens[start]):
        start += 1
    if start >= len(tokens) or tokens[start].type not in ("strong_open", "mark_open"):
        return None
    close = matching_close(tokens, start)
    return (start, close) if close is not None else None


def matching_close(tokens: list[Token], start: int) -> int | None:
    """Index of the token that closes the span opened at ``tokens[start]``, or None."""
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    return None


def spans(inline: Inline) -> list[tuple[int, int]]:
    """Every top-level bold / highlight span, as (open, close) token indices."""
    found: list[tuple[int, int]] = []
    i, tokens = 0, inline.tokens
    while i < len(tokens):
        if tokens[i].type in ("strong_open", "mark_open"):
            close = matching_close(tokens, i)
            if close is None:
                break
            found.append((i, close))
            i = close + 1
        else:
            i += 1
    return found


def span_text(inline: Inline, span: tuple[int, int]) -> str:
    return plain_text(Inline("", inline.tokens[span[0] + 1 : span[1]]))


def has_cloze(inline: Inline | None) -> bool:
    return inline is not None and any(t.type == "cloze_open" for t in inline.tokens)


def ends_with_question(value: str) -> bool:
    return fold(value).rstrip().endswith("?")


def prose(tokens: Sequence[Token], *, links: bool = True) -> str:
    """The words of inline tokens a reader reads as prose: text, code and math, without
    images, embedded files and ``#tags`` (and without links' text when ``links`` is
    False: a definition that is only links defines nothing).

    >>> from cards.notes.markdown import markdown
    >>> prose(markdown().parseInline("#toadd ![[plot.png]] see [the paper](https://x.org)")[0].children)
    'see the paper'
    >>> prose(markdown().parseInline("[[a]], [[b]]")[0].children, links=False)
    ','
    """
    out: list[str] = []
    depth = 0
    for token in tokens:
        if token.type == "link_open":
            depth += 1
        elif token.type == "link_close":
            depth -= 1
        elif token.type in ("image", "wikiembed") or (not links and (depth or token.type == "wikilink")):
            continue
        elif token.type in ("text", "code_inline", "wikilink") or token.type.startswith("math"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
    text = re.sub(r"(?:https?://|www\.)\S+", " ", "".join(out))
    return " ".join(re.sub(r"(?<![\w&])#[^\s#]+", " ", text).split())


_BLANK = ("softbreak", "hardbreak")


def line_tokens(tokens: list[Token]) -> list[list[Token]]:
    """An inline's tokens cut at its line breaks (outside any span)."""
    lines: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if depth == 0 and token.type in _BLANK:
            lines.append([])
            continue
        lines[-1].append(token)
        depth += token.nesting
    return lines


def tokens_text(tokens: list[Token]) -> str:
    """The plain words of some inline tokens, stripped."""
    return plain_text(Inline("", tokens)).strip()


def _colon(content: str) -> re.Match[str] | None:
    return re.search(r"[:：]", content)


def _strip_colon(tokens: list[Token]) -> list[Token]:
    """``tokens`` without the colon that ends them (``**Term:**``, ``***Term:***``)."""
    out = list(tokens)
    last = next((k for k in range(len(out) - 1, -1, -1) if out[k].type == "text" and out[k].content.strip()), None)
    if last is not None and all(
        t.type.endswith("_close") or (t.type == "text" and not t.content.strip()) for t in out[last + 1 :]
    ):
        out[last] = with_content(out[last], out[last].content.rstrip().rstrip(":：").rstrip())
    return out


def split_term(tokens: list[Token]) -> tuple[list[Token], list[Token], bool] | None:
    """(term, definition, marked) of a line ``term: definition``, or None.

    ``marked``: the term is set in bold, italics or code. The colon may end the bold
    (``**Term:** …``), follow it (``**Term**: …``) or stand in plain text; ``::`` (a
    Dataview field) and ``://`` (a URL) are no separator.
    """
    start = 0
    while start < len(tokens) and tokens[start].type == "text" and not tokens[start].content.strip():
        start += 1
    if start >= len(tokens):
        return None
    marked = tokens[start].type in ("strong_open", "em_open", "code_inline")
    return _marked_term(tokens, start) or _plain_term(tokens, marked)


_COLON_AFTER = re.compile(r"\s*[:：](?![:/])")


def _marked_term(tokens: list[Token], start: int) -> tuple[list[Token], list[Token], bool] | None:
    """A term set in bold or italics, its colon inside or right after it; or in code,
    its colon right after it."""
    first = tokens[start]
    if first.type in ("strong_open", "em_open"):
        close = matching_close(tokens, start)
        if close is None:
            return None
        inner = tokens[start + 1 : close]
        if tokens_text(inner).endswith((":", "：")) and not tokens_text(inner).endswith("::"):
            return _strip_colon(inner), tokens[close + 1 :], True
        term, at = inner, close + 1
    elif first.type == "code_inline":
        term, at = [first], start + 1
    else:
        return None
    after = tokens[at] if at < len(tokens) else None
    if after is not None and after.type == "text" and _COLON_AFTER.match(after.content):
        rest = re.sub(r"^\s*[:：]", "", after.content, count=1)
        return term, [with_content(after, rest), *tokens[at + 1 :]], True
    return None


def _plain_term(tokens: list[Token], marked: bool) -> tuple[list[Token], list[Token], bool] | None:
    """A term cut at the first colon of the line's own text (``::`` and ``://`` cut nothing)."""
    depth = 0
    for k, token in enumerate(tokens):
        if depth == 0 and token.type == "text":
            found = _colon(token.content)
            if found:
                before, after_text = token.content[: found.start()], token.content[found.end() :]
                if after_text.startswith((":", "/")) or before.endswith(":"):
                    return None
                term = [*tokens[:k], *([with_content(token, before)] if before.strip() else [])]
                definition = [*([with_content(token, after_text)] if after_text.strip() else []), *tokens[k + 1 :]]
                return term, definition, marked
        depth += token.nesting
    return None


def is_formula(block: Block) -> bool:
    """A paragraph that is only formulas (``$$…$$`` on its own, or ``$…$``)."""
    if not isinstance(block, Paragraph):
        return False
    kinds = [
        t.type
        for t in block.inline.tokens
        if not (t.type == "text" and not t.content.strip()) and t.type not in ("softbreak", "hardbreak")
    ]
    return bool(kinds) and all(k in ("math_block_inline", "math_inline_double", "math_inline") for k in kinds)
