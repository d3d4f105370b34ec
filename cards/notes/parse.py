"""Markdown text -> our note tree (sections of blocks, every node with its source line).

Extractors never see markdown-it's flat token stream: they walk a small tree that says
what a note *is* (a section under a heading path, a list whose items have children),
which is the shape the card rules are written in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

import yaml
from markdown_it.token import Token

from ..errors import CardsError
from ..model import Block, Callout, Code, Inline, ListBlock, ListItem, Note, Paragraph, Section, Source, Table
from .blocks import BlockText
from .markdown import markdown, markdown_for
from .metadata import CLOSED_MARKERS, TAG_NAME, TASK_MARKER, TRAILING_TAGS, metadata_lines

_CALLOUT = re.compile(r"^\[!(?P<kind>[\w-]+)\](?P<fold>[+-]?)(?:[ \t]+|(?=\n)|$)")
_TASK = re.compile(r"^\[([ xX])\](?:\s|$)")
_INLINE_TAG = re.compile(rf"(?<![\w&#/\\])#({TAG_NAME})")


def parse_note(
    text: str,
    path: PurePosixPath,
    *,
    deck: str,
    tags: Sequence[str] = (),
    reflowed: bool = False,
    warn: Any = None,
    blocks: BlockText | None = None,
    logseq: bool = False,
) -> Note:
    """Parse one note. ``deck`` and ``tags`` come from the folder; front matter may override.

    ``blocks`` gives the text of a Logseq block by its id, for ``((block refs))``
    (notes/blocks.py); without it a reference is unresolved. ``logseq``: the note is a
    page of a Logseq graph (notes/layout.py), whose block properties tag nothing
    (:func:`_inline_tags`).
    """
    md = markdown_for(text)
    tokens = md.parse(text)
    too_deep = next((t for t in tokens if t.level >= md.options["maxNesting"] - 1 and t.map), None)
    if too_deep is not None and warn:
        warn(
            CardsError(
                Source(path, _line(too_deep)),
                f"nested more than {md.options['maxNesting'] // 2} levels deep; the rest of the note is skipped",
            )
        )
    code, hidden = _special_lines(tokens)
    front: dict[str, Any] = {}
    front_matter = bool(tokens) and tokens[0].type == "front_matter"
    if front_matter:
        front = _front_matter(tokens[0], path, warn)
        tokens = tokens[1:]
    for key, value in page_properties(tokens).items():
        front.setdefault(key, value)
    _resolve_block_refs(tokens, blocks, path, warn)
    sections = _sections(tokens)
    title = str(front.get("title") or path.stem)
    note_deck = str(front["deck"]).strip() if isinstance(front.get("deck"), str) and front["deck"].strip() else deck
    all_tags = [*tags, *_front_tags(front), *_inline_tags(tokens, logseq=logseq, page_block=not front_matter)]
    return Note(
        path=path,
        title=title,
        front_matter=front,
        sections=sections,
        deck=note_deck,
        tags=tuple(dict.fromkeys(clean_tag(t) for t in all_tags if clean_tag(t))),
        reflowed=reflowed,
        text=text,
        code_lines=code,
        hidden_lines=hidden,
    )


#: How deep a reference inside a referenced block is followed (a cycle stops here).
_REF_DEPTH = 4


def _resolve_block_refs(tokens: list[Token], blocks: BlockText | None, path: PurePosixPath, warn: Any) -> None:
    """Give each ``((uuid))`` of the note the referenced block's words, as Logseq shows
    them: its inline tokens become the reference's children (so they render and read as
    text, and a bold phrase in another note's block is never mined here). A reference
    the graph does not hold is marked ``missing`` and reported at its line; the card
    that would show it is left out (pipeline/per_note.py)."""
    for token in tokens:
        if token.type != "inline" or not token.children or not any(c.type == "block_ref" for c in token.children):
            continue
        line = _line(token)
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "block_ref":
                if not _fill_ref(child, blocks, 0) and warn:
                    warn(
                        CardsError(
                            Source(path, line),
                            f"(({child.meta['uuid']})): no block with this id in the graph; "
                            "a card that would show it is left out",
                        )
                    )


def _fill_ref(ref: Token, blocks: BlockText | None, depth: int) -> bool:
    """Resolve one reference (and the references in its text); False when not found."""
    text = blocks(ref.meta["uuid"]) if blocks is not None and depth < _REF_DEPTH else None
    if text is None:
        ref.meta["missing"] = True
        return False
    children = [c for t in markdown().parseInline(text) for c in t.children or []]
    children = _without_image_attributes(children)
    for child in children:
        if child.type == "block_ref":
            _fill_ref(child, blocks, depth + 1)
    ref.children = children
    ref.content = "".join(_plain(c) for c in children)
    return True


def _special_lines(tokens: list[Token]) -> tuple[frozenset[int], frozenset[int]]:
    """1-based lines of code blocks, and of front matter and HTML comment blocks: a card
    syntax found in either is an example or a comment, not a card."""
    code: set[int] = set()
    hidden: set[int] = set()
    for token in tokens:
        if not token.map:
            continue
        if token.type in ("fence", "code_block"):
            code.update(range(token.map[0] + 1, token.map[1] + 1))
        elif token.type == "front_matter" or (token.type == "html_block" and token.content.lstrip().startswith("<!--")):
            hidden.update(range(token.map[0] + 1, token.map[1] + 1))
    return frozenset(code), frozenset(hidden)


def parse_fragment(text: str) -> list[Block]:
    """The blocks of a piece of Markdown that is part of a card (the answer lines of a
    ``?`` card, the fields of an Obsidian_to_Anki block); headings read as paragraphs."""
    blocks: list[Block] = []
    for section in _sections(markdown().parse(text)):
        if section.path and section.line:
            heading = markdown().parseInline(section.path[-1])
            blocks.append(
                Paragraph(section.line, Inline(section.path[-1], heading[0].children or [] if heading else []))
            )
        blocks.extend(section.blocks)
    return blocks


def plain_blocks(blocks: Sequence[Block]) -> str:
    """The words of some blocks, without markup, one space between blocks."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            parts.append(plain_text(block.inline))
        elif isinstance(block, Code):
            parts.append(block.text.strip())
        elif isinstance(block, ListBlock):
            for item in block.items:
                parts.append(plain_text(item.inline))
                parts.append(plain_blocks(item.children))
        elif isinstance(block, Table):
            parts.extend(plain_text(cell) for row in block.rows for cell in row)
        elif isinstance(block, Callout):
            parts.append(plain_text(block.title))
            parts.append(plain_blocks(block.blocks))
    return " ".join(p for p in parts if p)


#: libyaml's safe loader when PyYAML has it: the same data, about seven times faster
#: (front matter was a tenth of a note's parse time in vaults that use it).
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


#: How many values a front matter may repeat through YAML aliases (``&name`` then
#: ``*name``). An alias repeats all its anchor names, so a few lines of aliases of
#: aliases can name billions of values (a "billion laughs"): the note's tags and title
#: were read out of them for minutes, memory rising. Real front matter repeats a few.
YAML_REPEATS = 10_000


def _front_matter(token: Token, path: PurePosixPath, warn: Any) -> dict[str, Any]:
    bomb = _alias_bomb(token.content)
    if bomb is not None:
        if warn:
            warn(
                CardsError(
                    Source(path, 2 + bomb),
                    f"front matter repeats more than {YAML_REPEATS:,} values through YAML aliases; it is ignored",
                )
            )
        return {}
    try:
        try:
            data = yaml.load(token.content, Loader=_FAST_LOADER)  # noqa: S506 - a safe loader
        except yaml.YAMLError:
            data = yaml.safe_load(token.content)  # the pure loader's words for the warning
    except yaml.YAMLError as exc:
        lenient = _key_value_lines(token.content)
        if lenient is not None:
            return lenient
        line = 2 + (getattr(getattr(exc, "problem_mark", None), "line", 0) or 0)
        if warn:
            warn(CardsError(Source(path, line), f"front matter is not valid YAML ({_first_line(exc)}); it is ignored"))
        return {}
    return data if isinstance(data, dict) else {}


def _alias_bomb(content: str) -> int | None:
    """The line (0-based, in ``content``) of the alias that makes the YAML repeat more
    than `YAML_REPEATS` values, or None. Counted on the parser's events, in one pass,
    without building (let alone expanding) anything: each anchored value's size, aliases
    inside it expanded, and each alias adds the size of the value it names.

    >>> _alias_bomb("a: &a [x, y]\\nb: [*a, *a]\\n") is None
    True
    >>> levels = [f"{k}: &{k} [{', '.join([f'*{j}'] * 9)}]" for j, k in zip("abcd", "bcde")]
    >>> _alias_bomb("\\n".join(["a: &a [x, x, x, x, x, x, x, x, x]", *levels]))  # e repeats 9 × 820 values
    4
    """
    if "&" not in content or "*" not in content:
        return None
    sizes: dict[str, int] = {}
    stack = [0]  # the values of each collection open so far (its own included), the document's at the bottom
    anchors: list[str | None] = [None]
    repeated = 0
    try:
        for event in yaml.parse(content, Loader=_FAST_LOADER):
            if isinstance(event, yaml.CollectionStartEvent):
                stack.append(1)
                anchors.append(event.anchor)
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                size, anchor = stack.pop(), anchors.pop()
            elif isinstance(event, yaml.ScalarEvent):
                size, anchor = 1, event.anchor
            elif isinstance(event, yaml.AliasEvent):
                size, anchor = sizes.get(event.anchor or "", 1), None
                repeated += size
                if repeated > YAML_REPEATS:
                    return event.start_mark.line if event.start_mark is not None else 0
            else:
                continue
            if anchor:
                sizes[anchor] = size
            stack[-1] += size
    except yaml.YAMLError:
        return None  # not YAML: the loader says so
    return None


_KEY_VALUE = re.compile(r"^([A-Za-z][\w -]*?)\s*:(?:[ \t]*(.*))?$")


def _key_value_lines(content: str) -> dict[str, Any] | None:
    """Front matter YAML refuses but that is plainly ``key: value`` lines, as Logseq
    writes and reads it (``tags: [[a]], #b``); None when it is not that either.

    >>> _key_value_lines("title: ASLFeat\\ntags: [[Keypoint]], #reference\\n")
    {'title': 'ASLFeat', 'tags': ['Keypoint', 'reference']}
    """
    found: dict[str, Any] = {}
    for line in content.split("\n"):
        if not line.strip():
            continue
        match = _KEY_VALUE.match(line)
        if match is None:
            return None
        key, value = match.group(1).strip().lower(), (match.group(2) or "").strip()
        found.setdefault(key, _property_tags(value) if key in ("tags", "tag") else value)
    return found or None


_PAGE_PROPERTY = re.compile(r"^([A-Za-z][\w-]*)::(?:[ \t]+(.*))?$")


def page_properties(tokens: list[Token]) -> dict[str, Any]:
    """The page properties of a Logseq page (or Dataview's page fields): the
    ``key:: value`` lines that open the note, before any block. ``tags::`` is a list.

    >>> page_properties(markdown().parse("title:: Fusion\\ntags:: #physics, [[anyon model]]\\n\\n- text\\n"))
    {'title': 'Fusion', 'tags': ['physics', 'anyon model']}
    """
    if len(tokens) < 2 or tokens[0].type != "paragraph_open":
        return {}
    found: dict[str, Any] = {}
    for line in tokens[1].content.split("\n"):
        match = _PAGE_PROPERTY.match(line.strip())
        if match is None:
            break
        key, value = match.group(1).lower(), (match.group(2) or "").strip()
        found.setdefault(key, _property_tags(value) if key in ("tags", "tag") else value)
    return found


def _property_tags(value: str) -> list[str]:
    """``#a, [[b c]], d`` -> ``["a", "b c", "d"]`` (Logseq's way of listing tags)."""
    parts = re.findall(r"\[\[([^\]]+)\]\]|#?([^,\s\[\]][^,\[\]]*)", value)
    return [(linked or plain).strip().lstrip("#") for linked, plain in parts if (linked or plain).strip().lstrip("#")]


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _front_tags(front: dict[str, Any]) -> list[str]:
    raw = front.get("tags", front.get("tag"))
    if isinstance(raw, str):
        return re.split(r"[,\s]+", raw)
    if isinstance(raw, list):
        return [str(t) for t in raw if t is not None]
    return []


#: Tags that mark a card for a flashcard tool rather than say what a note is about.
_CARD_MARKERS = frozenset({"card"})  # Logseq's #card


def _inline_tags(tokens: list[Token], *, logseq: bool = False, page_block: bool = True) -> list[str]:
    """The ``#tags`` written in the note's text.

    ``logseq``: the note is a Logseq page. Then a property line of a block tags nothing:
    a line of the block's text that is only ``key:: value``, the key a letter then
    letters, digits, ``_``, ``-`` or ``.``, then ``::`` and a space or the line's end
    (notes/metadata.py's ``PROPERTY``, the rule that already keeps such lines out of a
    card's words: ``background_color:: #793e3e``, ``tags:: #exam`` under a bullet;
    never ``ATP::adenosine``, ``What is ATP? :: …`` nor ``std::move``, which are no
    property). Such a line
    Logseq reads its ``#`` as the property's value (a colour, a page the block links
    to), never as a tag of the page. The page's own properties, the lines of its first
    block, stay the page's tags as Logseq makes them (``tags:: #a, [[b]]``, also read by
    :func:`page_properties`), unless front matter holds the page's properties
    (``page_block`` False). Elsewhere a ``#tag`` on such a line is a tag, as Obsidian
    reads a Dataview field's ``#tag``.
    """
    found: list[str] = []
    first = page_block
    for token in tokens:
        if token.type == "inline":
            children = token.children or []
            if logseq and not first:
                children, _ = _without_properties(children, token.content)
            first = False
            for child in children:
                if child.type == "text":
                    found += [t for t in _INLINE_TAG.findall(child.content) if t.lower() not in _CARD_MARKERS]
    return found


def clean_tag(tag: str) -> str:
    """Anki tags cannot hold spaces; ``/`` nests in Obsidian and ``::`` nests in Anki."""
    tag = tag.strip().lstrip("#").replace("/", "::")
    return re.sub(r"\s+", "_", tag)


def inline_of(source: str) -> Inline:
    """A piece of one paragraph's Markdown (the question after ``Q:``) as an inline,
    cleaned as every inline of a note is (tags and property lines taken off)."""
    tokens = markdown().parseInline(source.strip())
    return _inline(tokens[0]) if tokens else Inline("", [])


def plain_text(inline: Inline | None) -> str:
    """The words of an inline, without markup: what identities and breadcrumbs use."""
    if inline is None:
        return ""
    return "".join(_plain(t) for t in inline.tokens).strip()


def heading_text(inline: Inline | None) -> str:
    """A heading's words as a reader sees them, for breadcrumbs and the questions made
    of them: :func:`plain_text` without the inline HTML tags (``## Title <img …>``,
    ``## H<sub>2</sub>O``; a ``<br>`` leaves a space), which a rendered heading never
    shows as text.

    >>> heading_text(inline_of("Water <sup>1</sup> cycle<br>today")), heading_text(inline_of("1) <br> 2)"))
    ('Water 1 cycle today', '1) 2)')
    """
    if inline is None:
        return ""
    if not any(t.type == "html_inline" for t in inline.tokens):
        return plain_text(inline)
    shown = [t.copy(type="softbreak") if _BREAK_TAG.match(t.content) else t for t in inline.tokens if _shown(t)]
    return " ".join("".join(_plain(t) for t in shown).split())  # the spaces around a tag, once


_BREAK_TAG = re.compile(r"^\s*<br\s*/?>\s*$", re.IGNORECASE)


def _shown(token: Token) -> bool:
    return token.type != "html_inline" or bool(_BREAK_TAG.match(token.content))


def _plain(token: Token) -> str:
    if token.type in ("text", "code_inline", "wikilink", "wikiembed", "html_inline"):
        return token.content
    if token.type in ("math_inline", "math_inline_double"):
        return f"${token.content}$"
    if token.type in ("softbreak", "hardbreak"):
        return " "
    if token.type == "block_ref":
        return "".join(_plain(t) for t in token.children or [])
    return ""


# ------------------------------------------------------------------ tree building


def _sections(tokens: list[Token]) -> list[Section]:
    sections = [Section(line=1, path=(), blocks=[])]
    stack: list[tuple[int, str]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            level = int(token.tag[1:])
            title = heading_text(_inline(tokens[i + 1]))
            stack = [(lvl, t) for lvl, t in stack if lvl < level]
            stack.append((level, title))
            sections.append(Section(line=_line(token), path=tuple(t for _, t in stack if t), blocks=[]))
            i += 3
            continue
        blocks, i = _block(tokens, i)
        sections[-1].blocks.extend(blocks)
    return [s for s in sections if s.blocks or s.path]


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


def _close_index(tokens: list[Token], i: int) -> int:
    """Index of the token that closes ``tokens[i]`` (an ``*_open`` token; a token that
    opens nothing closes itself). Every close of a token list is found in one pass, the
    first time one is asked for: nested lists asked for them over and over."""
    known = _CLOSES
    if known[0] is not tokens:
        known = _closes(tokens)
    return known[1][i]


def _closes(tokens: list[Token]) -> tuple[list[Token], list[int]]:
    global _CLOSES
    found = list(range(len(tokens)))
    opened: list[int] = []
    for j, token in enumerate(tokens):
        if token.nesting == 1:
            opened.append(j)
        elif token.nesting == -1 and opened:
            found[opened.pop()] = j
    for j in opened:
        found[j] = len(tokens) - 1  # never closed: it runs to the end
    _CLOSES = (tokens, found)
    return _CLOSES


_CLOSES: tuple[list[Token] | None, list[int]] = (None, [])


def _without_properties(children: list[Token], source: str) -> tuple[list[Token], str]:
    """An inline without its metadata lines (notes/metadata.py): never a card's words."""
    if not any(":" in child.content for child in children):
        return children, source  # every metadata line holds a colon
    lines: list[list[Token]] = [[]]
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            lines.append([])
        else:
            lines[-1].append(child)
    drop = metadata_lines(
        ["".join(t.content for t in line) if line and line[0].type == "text" else "" for line in lines]
    )
    if not any(drop):
        return children, source
    kept: list[Token] = []
    breaks = [c for c in children if c.type in ("softbreak", "hardbreak")]
    for n, line in enumerate(lines):
        if not drop[n]:
            if kept and n > 0:
                kept.append(breaks[n - 1])
            kept.extend(line)
    parts = source.split("\n")
    text = "\n".join(part for part, dropped in zip(parts, metadata_lines(parts)) if not dropped)
    return kept, text


def _without_image_attributes(children: list[Token]) -> list[Token]:
    """Logseq's size of an image (``![x](a.png){:height 200, :width 300}``, also after a
    link to one): layout for Logseq, never words on a card."""
    if not any(t.type in ("image", "link_close") for t in children):
        return children
    out: list[Token] = []
    for child in children:
        if child.type == "text" and out and out[-1].type in ("image", "link_close"):
            match = _IMAGE_ATTRIBUTES.match(child.content)
            if match:
                rest = child.content[match.end() :]
                if not rest:
                    continue
                child = child.copy(content=rest)
        out.append(child)
    return out


_IMAGE_ATTRIBUTES = re.compile(r"\{:[^{}\n]*\}")


def _inline(token: Token) -> Inline:
    """An inline without its property lines and its trailing ``#tags``: they tag the
    note, they are not its words (the inline keeps their names in ``tags``)."""
    children, content = _without_properties(_without_image_attributes(list(token.children or [])), token.content)
    stripped: list[str] = []
    while children:
        last = children[-1]
        if stripped and last.type in ("softbreak", "hardbreak"):
            children.pop()
            continue
        kept = TRAILING_TAGS.sub("", last.content) if last.type == "text" and "#" in last.content else last.content
        if last.type != "text" or kept == last.content:
            break
        stripped = _INLINE_TAG.findall(last.content[len(kept) :]) + stripped
        if kept.strip():
            children[-1] = last.copy(content=kept)
            break
        children.pop()
    children, inner = _without_line_tags(children)
    if not stripped and not inner:
        return Inline(content, children)
    return Inline(TRAILING_TAGS.sub("", content), children, tuple(inner + stripped))


_LEADING_TAGS = re.compile(rf"^\s*#{TAG_NAME}(?:\s+#{TAG_NAME})*\s+(?=\S)")


def _without_line_tags(children: list[Token]) -> tuple[list[Token], list[str]]:
    """Tags that open or close a line inside an inline (``#AI The flip-flop …``,
    ``How is this possible? #exam`` followed by another line) are the note's tags, not
    its words; tags inside a sentence stay (``I learn #python daily``)."""
    found: list[str] = []
    kept = list(children)
    for k, token in enumerate(kept):
        if token.type != "text" or "#" not in token.content:
            continue  # no tag: nothing to take off (most text, asked of every inline)
        text = token.content
        if k == 0 or kept[k - 1].type in ("softbreak", "hardbreak"):
            lead = _LEADING_TAGS.match(text)
            if lead:
                found += _INLINE_TAG.findall(lead.group(0))
                text = text[lead.end() :]
        if k + 1 < len(kept) and kept[k + 1].type in ("softbreak", "hardbreak"):
            trimmed = TRAILING_TAGS.sub("", text)
            if trimmed.strip() and trimmed != text:
                found += _INLINE_TAG.findall(text[len(trimmed) :])
                text = trimmed
        if text != token.content:
            kept[k] = token.copy(content=text)
    return kept, found


def _block(tokens: list[Token], i: int) -> tuple[list[Block], int]:
    """Build the block(s) starting at ``tokens[i]``; return them and the index after.

    A block quote gives its content as plain siblings: quoted notes hold ordinary facts.
    """
    token = tokens[i]
    kind = token.type
    if kind == "paragraph_open":
        inline = _inline(tokens[i + 1])
        return ([Paragraph(_line(token), inline)] if inline.tokens else []), i + 3
    if kind in ("fence", "code_block"):
        return [Code(_line(token), token.info.strip(), token.content)], i + 1
    if kind == "math_block":
        return [Paragraph(_line(token), Inline(f"$${token.content}$$", [_math_token(token)]))], i + 1
    if kind in ("bullet_list_open", "ordered_list_open"):
        end = _close_index(tokens, i)
        starts = _children_starts(tokens, i + 1, end)
        items = [_item(tokens, j, _close_index(tokens, j)) for j in starts]
        kept = [
            (item, _numbered(tokens, j)) for item, j in zip(items, starts) if item.inline is not None or item.children
        ]  # an empty bullet says nothing
        if not kept:
            return [], end + 1
        if kind == "bullet_list_open":
            return _logseq_numbered(_line(token), kept), end + 1
        return [ListBlock(_line(token), True, [item for item, _ in kept])], end + 1
    if kind == "table_open":
        end = _close_index(tokens, i)
        return [Table(_line(token), _table_rows(tokens[i:end]))], end + 1
    if kind == "blockquote_open":
        end = _close_index(tokens, i)
        return _callout(_line(token), _blocks(tokens, i + 1, end)), end + 1
    if kind.endswith("_open"):
        return [], _close_index(tokens, i) + 1
    return [], i + 1  # hr, html_block, front matter leftovers: never cards


_NUMBERED = re.compile(r"^[ \t]*logseq\.order-list-type::[ \t]*number[ \t]*$", re.MULTILINE)


def _numbered(tokens: list[Token], start: int) -> bool:
    """A Logseq block in a numbered list (``logseq.order-list-type:: number`` under it):
    Logseq shows its list as ``1. 2. 3.``, so the tree holds it as an ordered list."""
    first = tokens[start + 2] if start + 2 < len(tokens) and tokens[start + 1].type == "paragraph_open" else None
    return first is not None and first.type == "inline" and bool(_NUMBERED.search(first.content))


def _callout(line: int, blocks: list[Block]) -> list[Block]:
    """A block quote: an Obsidian callout (``> [!note] Title``) when its first line is
    the marker, else its blocks as plain siblings (quoted notes hold ordinary facts)."""
    first = blocks[0] if blocks else None
    match = _CALLOUT.match(first.inline.source) if isinstance(first, Paragraph) else None
    if match is None or not isinstance(first, Paragraph):
        return blocks
    tokens = first.inline.tokens
    cut = next((k for k, t in enumerate(tokens) if t.type in ("softbreak", "hardbreak")), len(tokens))
    title_tokens = _drop_prefix(tokens[:cut], match.end())
    title = None
    if any(t.type != "text" or t.content.strip() for t in title_tokens):
        title = Inline(
            first.inline.source.split("\n", 1)[0][match.end() :].strip(),
            title_tokens,
            first.inline.tags if cut >= len(tokens) else (),
        )
    body = list(blocks[1:])
    if cut < len(tokens) - 1:
        rest = first.inline.source.split("\n", 1)[1]
        body.insert(0, Paragraph(first.line + 1, Inline(rest, tokens[cut + 1 :], first.inline.tags)))
    return [Callout(line, match["kind"].lower(), title, match["fold"], body)]


def _drop_prefix(tokens: list[Token], length: int) -> list[Token]:
    """``tokens`` without their first ``length`` characters of text (the callout marker)."""
    kept = list(tokens)
    while kept and length > 0 and kept[0].type == "text":
        first = kept.pop(0)
        if len(first.content) > length:
            kept.insert(0, first.copy(content=first.content[length:].lstrip()))
            break
        length -= len(first.content)
    return kept


def _math_token(token: Token) -> Token:
    math = Token("math_block_inline", "", 0)
    math.content = token.content
    return math


def _children_starts(tokens: list[Token], start: int, end: int) -> list[int]:
    starts, j = [], start
    while j < end:
        starts.append(j)
        j = _close_index(tokens, j) + 1
    return starts


def _blocks(tokens: list[Token], start: int, end: int) -> list[Block]:
    blocks: list[Block] = []
    j = start
    while j < end:
        found, j = _block(tokens, j)
        blocks.extend(found)
    return blocks


def _numbered_wrapper(item: ListItem) -> ListItem | None:
    """The numbered item inside a bullet written ``- 1. text`` (markdown-it reads it as a
    bullet whose first child is a one-item ordered list), with the bullet's other children."""
    first = item.children[0] if item.inline is None and item.children else None
    if isinstance(first, ListBlock) and first.ordered and len(first.items) == 1:
        inner = first.items[0]
        return ListItem(inner.line, inner.inline, [*inner.children, *item.children[1:]], inner.task)
    return None


def _logseq_numbered(line: int, items: list[tuple[ListItem, bool]]) -> list[Block]:
    """A bullet list, with each run of numbered bullets made one ordered list: Logseq
    writes a numbered list as bullets, either ``- 1. text`` or with the property
    ``logseq.order-list-type:: number``, and a procedure written so is still a procedure.

    >>> note = parse_note("- 1. Mix\\n- 2. Bake\\n- serve warm\\n", PurePosixPath("n.md"), deck="d")
    >>> lists = [b for b in note.sections[0].blocks if isinstance(b, ListBlock)]
    >>> [(b.ordered, [plain_text(i.inline) for i in b.items]) for b in lists]
    [(True, ['Mix', 'Bake']), (False, ['serve warm'])]
    """
    runs: list[tuple[bool, list[ListItem]]] = []
    for item, by_property in items:
        inner = _numbered_wrapper(item)
        numbered = by_property or inner is not None
        if not runs or runs[-1][0] != numbered:
            runs.append((numbered, []))
        runs[-1][1].append(inner or item)
    blocks: list[Block] = []
    for numbered, run in runs:
        blocks.append(ListBlock(line if not blocks else run[0].line, numbered, run))
    return blocks


def _item(tokens: list[Token], start: int, end: int) -> ListItem:
    if start + 2 < end and tokens[start + 1].type == "heading_open":
        # Logseq's "- ## Title": a heading written as a bullet, its children under it
        return ListItem(
            _line(tokens[start]), _inline(tokens[start + 2]), _blocks(tokens, start + 4, end), None, heading=True
        )
    children = _blocks(tokens, start + 1, end)
    inline: Inline | None = None
    if children and isinstance(children[0], Paragraph) and children[0].line == _line(tokens[start]):
        inline = children.pop(0).inline  # type: ignore[union-attr]
    task: bool | None = None
    if inline is not None:
        match = _TASK.match(inline.source)
        if match:
            task = match.group(1) != " "
        else:
            marker = TASK_MARKER.match(inline.source)
            if marker:  # a Logseq task is a task item, as ``- [ ]`` is
                task = marker.group(1) in CLOSED_MARKERS
                inline = _without_marker(inline, marker.end())
    return ListItem(_line(tokens[start]), inline, children, task)


def _without_marker(inline: Inline, length: int) -> Inline | None:
    """The task's words without its marker (the tree says it is a task)."""
    tokens = _drop_prefix(list(inline.tokens), length)
    while tokens and tokens[0].type in ("softbreak", "hardbreak"):
        tokens.pop(0)
    if not tokens:
        return None
    return Inline(inline.source[length:].lstrip(), tokens, inline.tags)


def _table_rows(tokens: list[Token]) -> list[list[Inline]]:
    rows: list[list[Inline]] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows:
            rows[-1].append(_inline(token))
    return rows
