"""Render a card's question and answer HTML exactly as Anki does, without Anki.

The preview must show what the learner will see, and the ``anki`` package is only a
test dependency, so this module re-implements the part of Anki's renderer (rslib
``template.rs``, ``template_filters.rs``, ``cloze.rs``, ``text.rs`` as shipped in
anki 26.9) that our note types use:

* template syntax: ``{{Field}}``, ``{{filter:Field}}``, ``{{#F}}…{{/F}}``,
  ``{{^F}}…{{/F}}``, ``{{FrontSide}}``, ``<!-- comments -->`` (kept verbatim, their
  handlebars untouched);
* filters ``cloze`` and ``text``; other filters are left as Anki leaves them
  without add-ons (the text passes through unchanged);
* Anki's cloze rendering, nested clozes and hints included::

      question, active:  <span class="cloze" data-cloze="foo" data-ordinal="1">[...]</span>
      question, hint:    <span class="cloze" data-cloze="foo" data-ordinal="1">[hint]</span>
      answer, active:    <span class="cloze" data-ordinal="1">foo</span>
      other ordinals:    <span class="cloze-inactive" data-ordinal="2">bar</span>

* HTML tags inside MathJax ``\\(…\\)``/``\\[…\\]`` are stripped after cloze rendering
  (so a gap inside a formula shows as plain ``[...]``);
* ``[sound:…]`` becomes ``[anki:play:q|a:N]`` as Anki's av-tag extraction does.

Problems Anki would paint into the card as an error text (an unknown field, an
unbalanced conditional, a cloze card whose ordinal has no deletion, a blank front)
raise :class:`FaceError` instead, so the tool can report them with the card's source.
Not covered: ``[latex]`` images, furigana/tts/hint/type filters, legacy ``<% %>``
syntax; none of them appear in our templates or fields.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cards.deck.notetypes import NOTE_TYPES, note_type
from cards.deck.templating import model_templates
from cards.notes.scan import Occurrences

__all__ = [
    "FaceError",
    "cloze_ordinals",
    "field_is_empty",
    "render_faces",
    "render_template_pair",
    "reveal_cloze_text",
    "strip_html",
]

MAX_OPEN_CLOZES = 10  # Anki ignores cloze openers nested deeper than this
#: The longest hidden text a question's cloze carries in its ``data-cloze`` attribute
#: (what Anki's reviewer shows on a click). A cloze inside clozes of its own number is
#: repeated, encoded, by each of them: ten levels make a megabyte of 40 characters, in
#: Anki as here, and 100 KB of them gigabytes. Past this the preview leaves the
#: attribute out; the face reads the same.
MAX_HIDDEN = 100_000
CLOZE_MODELS = frozenset(key for key, kind in NOTE_TYPES.items() if kind.cloze)


class FaceError(ValueError):
    """A card that Anki would render as an error message instead of its content."""


# ------------------------------------------------------------ template parsing


@dataclass(slots=True)
class _Text:
    text: str


@dataclass(slots=True)
class _Replacement:
    key: str
    filters: list[str]  # in the order they apply (innermost first)


@dataclass(slots=True)
class _Conditional:
    key: str
    negated: bool
    children: list[_Node] = field(default_factory=list)


_Node = _Text | _Replacement | _Conditional

_HANDLEBAR = re.compile(r"\{\{(.*?)\}\}", re.S)
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)


def _tokens(template: str) -> Iterator[tuple[str, str]]:
    """Split a template into ("text"|"handle", str) tokens the way Anki's lexer does.

    At each position Anki tries a ``{{…}}`` handlebar, then an HTML comment; a comment
    is emitted as text, so handlebars written inside it are never evaluated.
    """
    pos, start = 0, 0
    while pos < len(template):
        handle = _HANDLEBAR.match(template, pos)
        comment = None if handle else _COMMENT.match(template, pos)
        if handle is None and comment is None:
            pos += 1
            continue
        if pos > start:
            yield "text", template[start:pos]
        if handle is not None:
            yield "handle", handle.group(1)
            pos = start = handle.end()
        else:
            assert comment is not None
            yield "text", comment.group(0)
            pos = start = comment.end()
    if start < len(template):
        yield "text", template[start:]


def _classify(handle: str) -> tuple[str, str]:
    """("replace"|"open"|"negate"|"close", key) for the inside of a ``{{…}}``."""
    inner = handle.lstrip("{").strip()
    if len(inner) < 2:
        return "replace", inner
    kinds = {"#": "open", "/": "close", "^": "negate"}
    if inner[0] in kinds:
        return kinds[inner[0]], inner[1:].lstrip()
    return "replace", inner


@lru_cache(maxsize=32)
def _parse_template(template: str) -> list[_Node]:
    """Parse Anki template text into a node tree, raising FaceError like Anki would.

    Cached: a deck renders thousands of cards from the same four templates. The
    returned tree is shared, so nothing may mutate it.
    """
    root: list[_Node] = []
    stack: list[_Conditional] = []
    for kind, value in _tokens(template):
        target = stack[-1].children if stack else root
        if kind == "text":
            target.append(_Text(value))
            continue
        what, key = _classify(value)
        if what == "replace":
            *filters, name = key.split(":")
            target.append(_Replacement(name, list(reversed(filters))))
        elif what in ("open", "negate"):
            node = _Conditional(key, negated=what == "negate")
            target.append(node)
            stack.append(node)
        elif stack and stack[-1].key == key:
            stack.pop()
        else:
            raise FaceError(f"template closes {{{{/{key}}}}} which is not open")
    if stack:
        raise FaceError(f"template leaves {{{{#{stack[-1].key}}}}} unclosed")
    return root


# ------------------------------------------------------------ rendering


_EMPTY_FIELD = re.compile(r"^(?:[ \t\n\x0b\x0c\r]|</?(?:br|div) ?/?>)*$", re.S | re.I)


def field_is_empty(text: str) -> bool:
    """Anki's emptiness test: only ASCII whitespace and bare ``<br>``/``<div>`` tags."""
    return _EMPTY_FIELD.match(text) is not None


@dataclass(frozen=True, slots=True)
class _Context:
    fields: Mapping[str, str]
    nonempty: frozenset[str]
    ordinal: int  # 1-based cloze number / card number
    frontside: str | None  # None while rendering the question side


def _is_cloze_conditional(key: str) -> bool:
    return key.startswith("c") and key[1:].isascii() and key[1:].isdigit()


def _condition(key: str, negated: bool, ctx: _Context) -> bool:
    if key in ctx.nonempty:
        return not negated
    if key in ctx.fields or _is_cloze_conditional(key):
        return negated
    raise FaceError(f"there is no field called {key!r} (in {{{{{'^' if negated else '#'}{key}}}}})")


def _apply_filters(text: str, filters: Sequence[str], ctx: _Context) -> str:
    """Built-in filters; the first unknown one ends processing, as without add-ons."""
    for name in filters:
        if name == "cloze":
            text = cloze_filter(text, ctx.ordinal, question=ctx.frontside is None)
        elif name == "text":
            text = strip_html(text)
        elif name == "":
            continue
        else:
            break
    return text


def _render_nodes(nodes: Sequence[_Node], ctx: _Context, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, _Text):
            out.append(node.text)
        elif isinstance(node, _Replacement):
            out.append(_replacement(node, ctx))
        else:
            shown = _condition(node.key, node.negated, ctx)
            # like Anki, keep checking the hidden branch for errors
            _render_nodes(node.children, ctx, out if shown else [])


def _replacement(node: _Replacement, ctx: _Context) -> str:
    if node.key == "FrontSide":
        return ctx.frontside or ""
    if node.key == "" and node.filters:
        return ""
    if node.key not in ctx.fields:
        raise FaceError(f"there is no field called {node.key!r}")
    return _apply_filters(ctx.fields[node.key], node.filters, ctx)


def _template_is_empty(nodes: Sequence[_Node], nonempty: frozenset[str]) -> bool:
    """Anki's "front of this card is blank" test for a standard note type."""
    for node in nodes:
        if isinstance(node, _Replacement) and node.key in nonempty:
            return False
        if isinstance(node, _Conditional):
            if node.key in nonempty and node.negated:
                continue
            if not node.negated and node.key not in nonempty:
                continue
            if not _template_is_empty(node.children, nonempty):
                return False
    return True


# ------------------------------------------------------------ av tags

_AV_TAGS = re.compile(r"\[sound:(.+?)\]|\[anki:tts\]\[(.*?)\](.*?)\[/anki:tts\]", re.S)


_AV_START = re.compile(r"(?=\[(?:sound:|anki:tts\]\[))")


def _extract_av_tags(text: str, question: bool) -> str:
    """Replace ``[sound:…]``/tts tags with ``[anki:play:q:N]`` refs as Anki's player expects.

    What ``_AV_TAGS.sub`` does, in linear time (the regex read to the end of the text
    from every ``[sound:`` left open): a tag ends at the first ``]`` (then, for tts, the
    first ``[/anki:tts]``) after it, and once one has none, no later one has.
    """
    if "[" not in text:
        return text
    side = "q" if question else "a"
    closes, tts_ends = Occurrences(text, "]"), Occurrences(text, "[/anki:tts]")
    out: list[str] = []
    pos, played, sound, tts = 0, 0, True, True
    for at in (m.start() for m in _AV_START.finditer(text)):
        if at < pos:
            continue
        if text.startswith("[sound:", at):
            close = closes.next(at + 8) if sound else -1
            sound, end = close >= 0, close + 1
        else:
            close = closes.next(at + 11) if tts else -1
            close = tts_ends.next(close + 1) if close >= 0 else -1
            tts, end = close >= 0, close + 11
        if close >= 0:
            out += [text[pos:at], f"[anki:play:{side}:{played}]"]
            pos, played = end, played + 1
    out.append(text[pos:])
    return "".join(out)


# ------------------------------------------------------------ public API


def render_template_pair(
    qfmt: str,
    afmt: str,
    fields: Mapping[str, str],
    ordinal: int = 1,
    *,
    is_cloze: bool,
    special: Mapping[str, str] | None = None,
) -> tuple[str, str]:
    """Render raw Anki template texts; the engine under :func:`render_faces`.

    ``special`` adds Anki's special fields (``Tags``, ``Deck``, ``Card`` …); note fields
    win over them, as in Anki.
    """
    all_fields = {**(special or {}), **fields}
    all_fields.setdefault(f"c{ordinal}", "1")
    nonempty = frozenset(k for k, v in all_fields.items() if not field_is_empty(v))
    qnodes = _parse_template(qfmt)
    anodes = _parse_template(afmt)
    qctx = _Context(all_fields, nonempty, ordinal, None)
    qparts: list[str] = []
    _render_nodes(qnodes, qctx, qparts)
    if is_cloze and ordinal not in cloze_ordinals(*fields.values()):
        raise FaceError(f"no cloze {ordinal} found on card")
    if not is_cloze and _template_is_empty(qnodes, nonempty):
        raise FaceError("the front of this card is blank")
    question = _extract_av_tags("".join(qparts), question=True)
    actx = _Context(all_fields, nonempty, ordinal, question)
    aparts: list[str] = []
    _render_nodes(anodes, actx, aparts)
    return question, _extract_av_tags("".join(aparts), question=False)


def render_faces(
    model: str,
    fields: Mapping[str, str],
    ordinal: int = 1,
    templates_dir: Path | None = None,
    *,
    special: Mapping[str, str] | None = None,
) -> tuple[str, str]:
    """``(question_html, answer_html)`` of one card, without CSS, as Anki renders it.

    ``model`` is a note type of notetypes.py (``"cloze"``, ``"basic"``, ``"reversed"``);
    ``ordinal`` is the 1-based cloze number of a cloze card, else the 1-based card of
    the note type (2 is the reverse card). Equal to ``card.render_output().question_text``
    and ``.answer_text`` of the same note in Anki (see tests/test_faces_anki.py).
    """
    kind = note_type(model)
    card = 0 if kind.cloze else ordinal - 1
    if not 0 <= card < len(kind.templates):
        raise ValueError(f"note type {model!r} has no card {ordinal}")
    qfmt, afmt = model_templates(model, templates_dir, card)
    return render_template_pair(qfmt, afmt, fields, ordinal, is_cloze=model in CLOZE_MODELS, special=special)


# ------------------------------------------------------------ clozes

_OPEN_CLOZE = re.compile(r"\{\{c([0-9]+)::")
_CLOZE_MARK = re.compile(r"\{\{c|\}\}")  # where an opener or a "}}" may start


@dataclass(slots=True)
class _Cloze:
    ordinal: int
    nodes: list[str | _Cloze] = field(default_factory=list)
    hint: str | None = None

    def clozed_text(self) -> str:
        return "".join(n if isinstance(n, str) else n.clozed_text() for n in self.nodes)


def _cloze_tokens(text: str) -> Iterator[str | int | None]:
    """Anki's cloze lexer: ``int`` opens cloze N, ``None`` is ``}}``, ``str`` is text.

    An opener needs ``{{c``, ASCII digits that fit in u16, then ``::``; anything else
    is text, so ``{{c1:x}}`` or ``{{c99999::x}}`` stay literal (their ``}}`` still closes).
    """
    pos, start = 0, 0
    while (found := _CLOZE_MARK.search(text, pos)) is not None:  # skip the text between marks at once
        pos = found.start()
        token: int | None
        m = _OPEN_CLOZE.match(text, pos)
        if m and int(m.group(1)) <= 0xFFFF:
            token, end = int(m.group(1)), m.end()
        elif text.startswith("}}", pos):
            token, end = None, pos + 2
        else:
            pos += 1
            continue
        if pos > start:
            yield text[start:pos]
        yield token
        pos = start = end
    if start < len(text):
        yield text[start:]


def _parse_clozes(text: str) -> list[str | _Cloze]:
    """Nest clozes like Anki; unclosed clozes vanish with their text, as in Anki."""
    output: list[str | _Cloze] = []
    open_clozes: list[_Cloze] = []
    for token in _cloze_tokens(text):
        if isinstance(token, int):
            if len(open_clozes) < MAX_OPEN_CLOZES:
                open_clozes.append(_Cloze(token))
        elif isinstance(token, str):
            if open_clozes:
                current = open_clozes[-1]
                head, sep, tail = token.partition("::")
                if sep:
                    current.hint = tail
                current.nodes.append(head)
            else:
                output.append(token)
        elif open_clozes:
            closed = open_clozes.pop()
            (open_clozes[-1].nodes if open_clozes else output).append(closed)
        else:
            output.append("}}")
    return output


def _numbers(nodes: Sequence[str | _Cloze], found: set[int]) -> None:
    for node in nodes:
        if isinstance(node, _Cloze):
            if node.ordinal != 0:
                found.add(node.ordinal)
            _numbers(node.nodes, found)


def cloze_ordinals(*texts: str) -> list[int]:
    """Sorted cloze numbers in the texts; each is one Anki card of a cloze note.

    Anki 26.9 makes a card for every number in *any* field of a cloze note (not only
    the one under ``{{cloze:}}``), nested clozes included, even inside a ``c0``, which
    itself never makes a card. Pass all field values to get the note's cards.
    """
    found: set[int] = set()
    for text in texts:
        _numbers(_parse_clozes(text), found)
    return sorted(found)


_NAMED_ENTITIES = {'"': "&quot;", "&": "&amp;", "'": "&#x27;", "<": "&lt;", ">": "&gt;"}


def _encode_attribute(text: str) -> str:
    """htmlescape's ``encode_attribute``: every char below 256 except ASCII alphanumerics.

    Anki writes the hidden text into ``data-cloze`` this way (``&#x20;`` for a space,
    ``&#x0A;`` for a newline); characters from U+0100 up, CJK included, stay as they are.
    """
    return text.translate(_ATTRIBUTE_CODES)


#: ``_encode_attribute`` as a translation table (one pass in C: nested clozes repeat
#: their inner HTML in each level's attribute, a megabyte at ten levels).
_ATTRIBUTE_CODES = {
    code: _NAMED_ENTITIES.get(chr(code)) or f"&#x{code:02X};"
    for code in range(256)
    if code > 127 or not chr(code).isalnum()
}


def _reveal(cloze: _Cloze, ordinal: int, question: bool, found: list[bool]) -> str:
    active = cloze.ordinal == ordinal
    found[0] = found[0] or active
    inner = "".join(n if isinstance(n, str) else _reveal(n, ordinal, question, found) for n in cloze.nodes)
    if active and question:
        hint = "..." if cloze.hint is None else cloze.hint
        hidden = f' data-cloze="{_encode_attribute(inner)}"' if len(inner) <= MAX_HIDDEN else ""
        return f'<span class="cloze"{hidden} data-ordinal="{cloze.ordinal}">[{hint}]</span>'
    css = "cloze" if active else "cloze-inactive"
    return f'<span class="{css}" data-ordinal="{cloze.ordinal}">{inner}</span>'


def reveal_cloze_text(text: str, ordinal: int, question: bool) -> str:
    """One field with cloze ``ordinal`` hidden (question) or shown (answer).

    Empty when the field has no deletion with that number, as in Anki (which is what
    lets a note keep other fields free of clozes).
    """
    found = [False]
    parts = [n if isinstance(n, str) else _reveal(n, ordinal, question, found) for n in _parse_clozes(text)]
    return "".join(parts) if found[0] else ""


_MATHJAX = re.compile(r"(\\[(\[])(.*?)(\\[\])])", re.S)
_MATHJAX_OPEN = re.compile(r"\\[(\[]")
_MATHJAX_CLOSE = re.compile(r"\\[\])]")
_HTML = re.compile(r"(<!--.*?-->)|(<style.*?>.*?</style>)|(<script.*?>.*?</script>)|(<.*?>)", re.S | re.I)


def strip_html_preserving_entities(fragment: str) -> str:
    """Anki's tag stripper: comments, style/script blocks and every ``<…>`` go.

    What ``_HTML.sub("", fragment)`` does, in linear time: the regex read on to the end
    of the text from every ``<`` that nothing closes (40,000 of them took minutes).
    Each ``<`` is tried as the regex tries it, its closers looked up in an index.
    """
    if "<" not in fragment:
        return fragment
    closers = _Closers(fragment)
    out: list[str] = []
    pos = 0
    for at in (m.start() for m in re.finditer("<", fragment)):
        if at < pos:
            continue
        end = closers.tag_end(at)
        if end < 0:
            break  # no ">" after it: no tag opens here or later
        out.append(fragment[pos:at])
        pos = end
    out.append(fragment[pos:])
    return "".join(out)


class _Closers:
    """Where the next ``>``, ``-->``, ``</style>`` and ``</script>`` are in a text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.gt = Occurrences(text, ">")
        self.comment = Occurrences(text, "-->")
        self._named: dict[str, Occurrences] = {}

    def _closing(self, name: str, start: int) -> int:
        if name not in self._named:
            self._named[name] = Occurrences.at([m.start() for m in re.finditer(f"</{name}>", self.text, re.I)], 1)
        return self._named[name].next(start)

    def tag_end(self, at: int) -> int:
        """End of what ``_HTML`` matches at ``at`` (a ``<``); -1 when there is no ``>``
        after it (then nothing matches there or later: every alternative needs one)."""
        text = self.text
        gt = self.gt.next(at + 1)
        if gt < 0:
            return -1
        if text.startswith("<!--", at):
            end = self.comment.next(at + 4)
            if end >= 0:
                return end + 3
        for name, opening in _RAW_TEXT:
            if opening.match(text, at):
                first = self.gt.next(at + 1 + len(name))
                end = self._closing(name, first + 1) if first >= 0 else -1
                if end >= 0:
                    return end + len(name) + 3
        return gt + 1


_RAW_TEXT = tuple((name, re.compile(f"<{name}", re.I)) for name in ("style", "script"))


def strip_html(fragment: str) -> str:
    """Tags stripped and entities decoded (Anki's ``text:`` filter); nbsp becomes a space."""
    text = strip_html_preserving_entities(fragment)
    if "&" in text:
        text = html.unescape(text).replace("\xa0", " ")
    return text


def cloze_filter(text: str, ordinal: int, question: bool) -> str:
    """Anki's ``{{cloze:…}}``: reveal, then strip HTML inside MathJax delimiters."""
    revealed = reveal_cloze_text(text, ordinal, question)
    return _strip_html_in_mathjax(revealed)


def _strip_html_in_mathjax(text: str) -> str:
    """``_MATHJAX.sub`` stripping the HTML between each ``\\(``/``\\[`` and the first
    ``\\)``/``\\]`` after it, in linear time (the regex read to the end of the text from
    every opener left open). Once an opener has no closer after it, no later one has."""
    out: list[str] = []
    pos = 0
    while (opener := _MATHJAX_OPEN.search(text, pos)) is not None:
        closer = _MATHJAX_CLOSE.search(text, opener.end())
        if closer is None:
            break
        out += [text[pos : opener.start()], opener.group(0)]
        out += [strip_html_preserving_entities(text[opener.end() : closer.start()]), closer.group(0)]
        pos = closer.end()
    out.append(text[pos:])
    return "".join(out)
