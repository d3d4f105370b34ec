"""The one MarkdownIt setup, with the few inline rules Obsidian notes need.

markdown-it-py parses CommonMark; mdit-py-plugins adds front matter and ``$math$``.
A few small inline rules are ours because no maintained plugin covers them:
``==highlight==`` and Logseq's ``^^highlight^^`` (mark), ``[[Page|alias]]`` /
``![[image.png]]`` (wikilinks), Logseq's block references ``((uuid))``, a
hand-written cloze, Anki's
``{{c1::text::hint}}`` or Logseq's ``{{cloze text}}``, which must reach Anki as a
deletion rather than as text whose braces get escaped, an image whose path holds
spaces (``![](my image.png)``, as Obsidian reads it), and inline HTML that only
wraps words (``<span class="…">``, ``<mark>``: their words, see :func:`_html_wrappers`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import PurePosixPath
from weakref import WeakKeyDictionary

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from .media import IMAGE_SUFFIXES
from .scan import Occurrences

_CLOZE_START = re.compile(r"\{\{c(\d{1,3})::")


class _Scan:
    """One inline text's index, so that a rule looking for its closer does not search
    the rest of the text again from every opener (100 KB of ``[[`` or of an unclosed
    ``{{c1::`` was quadratic: a minute and more)."""

    __slots__ = ("src", "_found", "_closes")

    def __init__(self, src: str) -> None:
        self.src = src
        self._found: dict[str, Occurrences] = {}
        self._closes: dict[int, int] | None = None

    def next(self, needle: str, start: int) -> int:
        """``src.find(needle, start)``."""
        found = self._found.get(needle)
        if found is None:
            found = self._found[needle] = Occurrences(self.src, needle)
        return found.next(start)

    def cloze_close(self, start: int) -> int:
        """Index of the ``}}`` that closes the ``{{cN::`` at ``start`` (nested ones
        counted), or -1.

        Read left to right, the text is a sequence of openers and ``}}``s (an opener
        never starts inside another, or on a ``}}``), the same from any opener on; so
        one pass with a stack pairs them all.
        """
        if self._closes is None:
            self._closes = {}
            stack: list[int] = []
            src, i = self.src, 0
            opener = _CLOZE_START.search(src, i)
            while True:
                close = self.next("}}", i)
                if opener is not None and opener.start() < i:
                    opener = _CLOZE_START.search(src, i)
                if opener is not None and (close < 0 or opener.start() < close):
                    stack.append(opener.start())
                    i = opener.end()
                elif close >= 0:
                    if stack:
                        self._closes[stack.pop()] = close
                    i = close + 2
                else:
                    break
        return self._closes.get(start, -1)


_SCANS: WeakKeyDictionary[StateInline, _Scan] = WeakKeyDictionary()


def _scan(state: StateInline) -> _Scan:
    """The index of the text ``state`` parses (made on first use, gone with the state)."""
    scan = _SCANS.get(state)
    if scan is None or scan.src is not state.src:
        scan = _SCANS[state] = _Scan(state.src)
    return scan


def _mark(state: StateInline, silent: bool) -> bool:
    """``==highlight==`` (Obsidian) and ``^^highlight^^`` (Logseq)."""
    src, pos = state.src, state.pos
    delimiter = src[pos : pos + 2]
    if delimiter not in ("==", "^^") or src.startswith(delimiter[0], pos + 2):
        return False
    end = src.find(delimiter, pos + 2, state.posMax)
    if end <= pos + 2 or src[pos + 2].isspace() or src[end - 1].isspace():
        return False
    if not silent:
        old_max = state.posMax
        state.push("mark_open", "mark", 1).markup = delimiter
        state.pos, state.posMax = pos + 2, end
        state.md.inline.tokenize(state)
        state.push("mark_close", "mark", -1).markup = delimiter
        state.posMax = old_max
    state.pos = end + 2
    return True


_LOGSEQ_CLOZE = re.compile(r"\{\{cloze[ \t]+")


def _logseq_cloze(state: StateInline, silent: bool) -> bool:
    """Logseq's ``{{cloze answer}}`` (``{{cloze answer \\ hint}}`` with a hint): a deletion
    that Logseq hides together with the block's other clozes, so all take number 1."""
    match = _LOGSEQ_CLOZE.match(state.src, state.pos)
    if not match:
        return False
    end = _scan(state).next("}}", match.end())
    if end < 0 or end + 2 > state.posMax:
        return False
    body = state.src[match.end() : end]
    answer, _, hint = body.partition(" \\\\ ")
    if not answer.strip():
        return False
    if not silent:
        old_max = state.posMax
        state.push("cloze_open", "", 1).meta = {"ordinal": 1, "hint": hint.strip()}
        state.pos, state.posMax = match.end(), match.end() + len(answer.rstrip())
        state.md.inline.tokenize(state)
        state.push("cloze_close", "", -1).meta = {"hint": hint.strip()}
        state.posMax = old_max
    state.pos = end + 2
    return True


def _strong(state: StateInline, silent: bool) -> bool:
    """``**bold**`` closed by the next ``**`` on the line, even beside CJK or punctuation.

    CommonMark's flanking rules refuse ``**Distill-{*B}**模型`` (punctuation before the
    closer, a letter after it), which is how CJK notes are written every day and how
    Obsidian renders them bold. A ``**`` with no closer falls through to CommonMark.
    """
    src, pos = state.src, state.pos
    if not src.startswith("**", pos) or src.startswith("***", pos):
        return False
    end = src.find("**", pos + 2, state.posMax)
    while end > 0 and src.startswith("***", end):
        end += 1  # "***" closing a nested "*" leaves the last two for us
    if end <= pos + 2 or src[pos + 2].isspace() or src[end - 1].isspace():
        return False
    if "\n\n" in src[pos:end]:
        return False
    if not silent:
        old_max = state.posMax
        state.push("strong_open", "strong", 1).markup = "**"
        state.pos, state.posMax = pos + 2, end
        state.md.inline.tokenize(state)
        state.push("strong_close", "strong", -1).markup = "**"
        state.posMax = old_max
    state.pos = end + 2
    return True


def _wikilink(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    embed = src.startswith("![[", pos)
    start = pos + (3 if embed else 2)
    if not (embed or src.startswith("[[", pos)):
        return False
    scan = _scan(state)
    end = scan.next("]]", start)
    if end < 0 or end >= state.posMax or 0 <= scan.next("\n", start) < end or end == start:
        return False
    if not silent:
        target, _, alias = src[start:end].partition("|")
        token = state.push("wikiembed" if embed else "wikilink", "", 0)
        token.meta = {"target": target.strip(), "alias": alias.strip()}
        token.content = alias.strip() or _link_text(target.strip())
    state.pos = end + 2
    return True


_UUID = r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
_BLOCK_REF = re.compile(r"\{\{\{?\s*embed\s+\(\(" + _UUID + r"\)\)\s*\}\}\}?|\(\(" + _UUID + r"\)\)")


def _block_refs(state: StateCore) -> None:
    """Logseq's block reference ``((uuid))`` and block embed ``{{embed ((uuid))}}``
    become ``block_ref`` tokens whose ``meta["uuid"]`` names the block (parse.py gives
    them the block's words).

    A core rule over the joined text, not an inline rule: markdown-it's text rule
    runs through ``(``, so an inline rule would never stand at a ``((``.
    """
    for block in state.tokens:
        if block.type != "inline" or not block.children or "((" not in block.content:
            continue
        children: list[Token] = []
        for token in block.children:
            if token.type != "text" or "((" not in token.content:
                children.append(token)
                continue
            at = 0
            for match in _BLOCK_REF.finditer(token.content):
                if match.start() > at:
                    children.append(token.copy(content=token.content[at : match.start()]))
                ref = Token("block_ref", "", 0)
                ref.meta = {"uuid": (match.group(1) or match.group(2)).lower(), "embed": match.group(1) is not None}
                ref.markup = match.group(0)
                children.append(ref)
                at = match.end()
            if at < len(token.content):
                children.append(token.copy(content=token.content[at:]))
        block.children = children


#: An inline HTML tag (markdown-it's ``html_inline`` holds exactly one): its name, and its attributes.
_HTML_TAG = re.compile(r"^<(/?)([A-Za-z][A-Za-z0-9-]*)(\s[^>]*)?/?>$")
_HREF = re.compile(r"\shref\s*=", re.IGNORECASE)
#: Tags that only colour or place the words they wrap, never words themselves.
_WRAPPERS = frozenset({"span", "font"})


def _html_wrappers(state: StateCore) -> None:
    """Inline HTML that only wraps words gives its words, as the note's app shows them.

    Logseq writes a coloured highlight as ``<span class="…">words</span>``, editors a
    colour as ``<span style="…">`` or ``<font color="…">``, and a heading's anchor as
    ``<a name="intro"></a>`` (an ``a`` without ``href``): the tags go and the words stay
    text (so they are escaped like any text). ``<mark …>words</mark>`` is a highlight,
    as ``==words==`` is (``mark_open``/``mark_close``, a key phrase where highlights
    are); a ``<mark>`` never closed in its paragraph only goes. Every other tag is left
    as it was: the renderer (deck/render.py) shows a short list of harmless tags
    without attributes and escapes the rest.
    """
    for block in state.tokens:
        if block.type != "inline" or not block.children or "<" not in block.content:
            continue
        if not any(c.type == "html_inline" for c in block.children):
            continue
        block.children = _unwrapped(block.children)


def _unwrapped(children: list[Token]) -> list[Token]:
    tags = [_HTML_TAG.match(c.content.strip()) if c.type == "html_inline" else None for c in children]
    marks: dict[int, int] = {}  # an opening <mark>'s index -> its closing tag's
    opened: list[int] = []
    anchors: list[bool] = []  # for each <a> open: whether it is a bare anchor (no href)
    drop: set[int] = set()
    for k, tag in enumerate(tags):
        if tag is None:
            continue
        closing, name = bool(tag.group(1)), tag.group(2).lower()
        if name in _WRAPPERS:
            drop.add(k)
        elif name == "mark":
            if not closing:
                opened.append(k)
            elif opened:
                marks[opened.pop()] = k
            else:
                drop.add(k)
        elif name == "a":
            if not closing:
                anchors.append(not _HREF.search(tag.group(3) or ""))
                if anchors[-1]:
                    drop.add(k)
            elif anchors and anchors.pop():
                drop.add(k)
    drop.update(opened)  # never closed
    closes = {close: start for start, close in marks.items()}
    out: list[Token] = []
    for k, child in enumerate(children):
        if k in drop:
            continue
        if k in marks or k in closes:
            mark = Token("mark_open" if k in marks else "mark_close", "mark", 1 if k in marks else -1)
            mark.markup, mark.level = "<mark>", child.level
            out.append(mark)
        elif child.type == "text" and out and out[-1].type == "text":
            out[-1] = out[-1].copy(content=out[-1].content + child.content)  # the words a tag stood between
        else:
            out.append(child)
    return out


def _link_text(target: str) -> str:
    """What Obsidian shows for ``[[Page#Heading]]`` (``Page > Heading``) or ``[[Page#^block]]``."""
    page, _, anchor = target.partition("#")
    if not anchor or anchor.startswith("^"):
        return page or anchor.lstrip("^")
    return f"{page} > {anchor}" if page else anchor


def _cloze(state: StateInline, silent: bool) -> bool:
    match = _CLOZE_START.match(state.src, state.pos)
    if not match:
        return False
    # the matching "}}", allowing nested {{cN::...}} inside
    i, src = _scan(state).cloze_close(match.start()), state.src
    if i < 0 or i >= state.posMax:
        return False
    if not silent:
        body = src[match.end() : i]
        hint = ""
        top_hint = _top_level_hint(body)
        if top_hint is not None:
            body, hint = body[:top_hint], body[top_hint + 2 :]
        old_max = state.posMax
        open_ = state.push("cloze_open", "", 1)
        open_.meta = {"ordinal": int(match.group(1)), "hint": hint}
        state.pos, state.posMax = match.end(), match.end() + len(body)
        state.md.inline.tokenize(state)
        state.push("cloze_close", "", -1).meta = {"hint": hint}
        state.posMax = old_max
    state.pos = i + 2
    return True


def _top_level_hint(body: str) -> int | None:
    """Index of the ``::`` that starts a hint, ignoring ones inside nested clozes."""
    depth, i = 0, 0
    while i < len(body):
        m = _CLOZE_START.match(body, i)
        if m:
            depth, i = depth + 1, m.end()
        elif body.startswith("}}", i):
            depth, i = depth - 1, i + 2
        elif depth == 0 and body.startswith("::", i):
            return i
        else:
            i += 1
    return None


#: The longest path a spaced image may have (no path is longer; a longer "path" is prose).
_PATH_LIMIT = 1024


def _spaced_image(state: StateInline, silent: bool) -> bool:
    """``![alt](my image.png)``: an image whose path holds spaces, written bare.

    CommonMark reads no destination with a space unless it is in ``<…>`` (``![](<my
    image.png>)``, ``![](my%20image.png)``: markdown-it's own image rule), so the note
    showed its source; Obsidian and many editors write and show it as the image. Tried
    after markdown-it's rule, and only for a path that ends in an image's suffix, with
    no ``(``, ``<``, ``>`` nor line break in it. The path is then an image target like
    any other: notes/media.py finds it in the vault, or the card names it as missing.
    """
    src, pos = state.src, state.pos
    if not src.startswith("![", pos):
        return False
    label_end = state.md.helpers.parseLinkLabel(state, pos + 1, False)
    if label_end < 0 or not src.startswith("(", label_end + 1):
        return False
    close = _scan(state).next(")", label_end + 2)
    if close < 0 or close >= state.posMax or close - label_end > _PATH_LIMIT:
        return False
    target = src[label_end + 2 : close].strip()
    if (
        " " not in target
        or any(c in target for c in "(<>\n")
        or PurePosixPath(target).suffix.lower() not in IMAGE_SUFFIXES
    ):
        return False
    href = state.md.normalizeLink(target)
    if not state.md.validateLink(href):
        return False
    if not silent:
        content = src[pos + 2 : label_end]
        children: list[Token] = []
        state.md.inline.parse(content, state.md, state.env, children)
        token = state.push("image", "img", 0)
        token.attrs = {"src": href, "alt": ""}
        token.children = children or None
        token.content = content
    state.pos = close + 1
    return True


InlineRule = Callable[[StateInline, bool], bool]


def _rule(md: MarkdownIt, name: str) -> InlineRule:
    """The inline rule ``name`` as markdown-it set it up."""
    return next(rule.fn for rule in md.inline.ruler.__rules__ if rule.name == name)


def _closed_label(rule: InlineRule) -> InlineRule:
    """markdown-it's ``link`` or ``image`` rule, tried only when a ``]`` follows, and a
    ``)`` too when the note defines no reference (``[a]: url``) a label could name.

    Without them no link can close, yet the rule would look for its label from every
    ``[`` (through nested ``[`` up to the nesting limit: 1 MB of ``[`` took minutes), or
    read a destination through 32 ``(`` from every ``[a](``.
    """

    def guarded(state: StateInline, silent: bool) -> bool:
        if state.src[state.pos] in "![":
            scan, after, end = _scan(state), state.pos + 1, state.posMax
            if not 0 <= scan.next("]", after) < end:
                return False
            if "references" not in state.env and not 0 <= scan.next(")", after) < end:
                return False
        return rule(state, silent)

    return guarded


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """The parser every stage shares (built once; MarkdownIt is safe to reuse)."""
    return _setup()


#: Each rule a note's text can leave out, with what it needs to find anything: one of
#: these strings somewhere in the text (every rule looks for its own characters first:
#: a table's header row holds a ``|``, a fence opens with three backticks or tildes,
#: the front matter opens the text with ``---``, an image is ``![``, a hand-written
#: cloze opens with ``{{`` …). Code blocks, lists, rules, headings and paragraphs are
#: kept always: their marks are spaces, ``-`` or ``#``, in nearly every note.
_NEEDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("front_matter", ("---",)),
    ("table", ("|",)),
    ("math_block", ("$$",)),
    ("fence", ("```", "~~~")),
    ("blockquote", (">",)),
    ("reference", ("[",)),
    ("html_block", ("<",)),
    ("math_inline", ("$",)),
    ("escape", ("\\",)),
    ("backticks", ("`",)),
    ("strikethrough", ("~",)),
    ("cloze", ("{{",)),
    ("logseq_cloze", ("{{",)),
    ("mark", ("==", "^^")),
    ("strong", ("**",)),
    ("emphasis", ("*", "_")),
    ("wikilink", ("[[",)),
    ("link", ("[",)),
    ("image", ("![",)),
    ("autolink", ("<",)),
    ("html_inline", ("<",)),
    ("entity", ("&",)),
)


def markdown_for(text: str) -> MarkdownIt:
    """The parser for a whole note's ``text``: :func:`markdown` without the rules that
    cannot find anything in it, so the same tokens, sooner.

    Why: markdown-it tries every block rule at every line (and again to see whether a
    paragraph ends there) and every inline rule at every punctuation mark; a third of a
    note's parse went to rules that answered no, since the text lacks what they look
    for. Every inline text a note's parse reads is a piece of the note's text, so a
    string absent from the note is absent from each. The few sets of rules left out
    seen in a vault are built once each (a parser depends on which, never on notes read
    before).
    """
    return _without(frozenset(name for name, needs in _NEEDS if not any(need in text for need in needs)))


@cache
def _without(rules: frozenset[str]) -> MarkdownIt:
    """:func:`markdown`'s parser without ``rules`` (a new one: the shared parser stays whole)."""
    md = _setup()
    if rules:
        md.disable(sorted(rules))
    return md


def _setup() -> MarkdownIt:
    """A new parser set up as every stage's."""
    md = (
        MarkdownIt("commonmark", {"html": True, "maxNesting": 40})
        .enable(["table", "strikethrough"])
        .use(front_matter_plugin)
        .use(dollarmath_plugin, double_inline=True)
    )
    for name in ("link", "image"):
        md.inline.ruler.at(name, _closed_label(_rule(md, name)))
    md.inline.ruler.after("image", "spaced_image", _closed_label(_spaced_image))
    md.inline.ruler.before("emphasis", "cloze", _cloze)
    md.inline.ruler.before("emphasis", "logseq_cloze", _logseq_cloze)
    md.inline.ruler.before("link", "wikilink", _wikilink)
    md.core.ruler.push("block_ref", _block_refs)
    md.core.ruler.push("html_wrappers", _html_wrappers)
    md.inline.ruler.before("emphasis", "mark", _mark)
    md.inline.ruler.before("emphasis", "strong", _strong)
    _quiet_block_rules()
    return md


class _Quiet:
    """A logger that drops what it is told: markdown-it-py's block rules log a debug line
    each time they are tried (hundreds a note, a tenth of the parse even when nothing is
    logged)."""

    def debug(self, *args: object, **kwargs: object) -> None:
        return None


def _quiet_block_rules() -> None:
    import importlib
    import pkgutil

    from markdown_it import rules_block

    for module in pkgutil.iter_modules(rules_block.__path__):
        rule = importlib.import_module(f"markdown_it.rules_block.{module.name}")
        if hasattr(rule, "LOGGER"):
            setattr(rule, "LOGGER", _Quiet())  # a module of markdown-it-py's
