"""terms: a term and its definition, stated plainly, is a question and its answer.

    - **Osmosis**: water crossing a semi-permeable membrane
    - `git add -p`: stage changes hunk by hunk
    Thymus: where T cells mature
    互斥信号量：用于互斥访问缓冲区，初始化值为 1

    - Flameshot — a screenshot tool for Linux
    - Peek — a GIF screen recorder

    The enzyme that unwinds DNA is called helicase.
    传输控制协议，简称 TCP。

gives a card per term: the term on the front (with the heading path as context), the
definition (and the bullet's sub-bullets) on the back. A term is bold, italic, code,
or plain words that read as a name (at most six words or twelve CJK characters, not
the start of a sentence); the colon may be half- or full-width, inside the bold or
after it. A ``Term — definition`` bullet counts when two or more bullets of its list
are written so. A label that names an aspect (``优点：…``, ``Treatment: …``) is asked
with its subject (``用户线程 — 优点``). Never a term: metadata (``Date:``,
``Author:``, ``Source:``), a passage label (``Note:``, ``Example:``), a Dataview field
(``key:: value``), a time (``at 10:30``), a URL, a label with nothing after it, the
explicit ``Q:``/``A:`` forms (those are the writer's cards, taken first).

A definitional sentence without markup ("X is called Y", "Y is defined as …",
"X 称为 Y", "X 叫做 Y", "X 简称 Y", "Y 是指 …", "所谓 Y，就是 …", "X é chamado Y",
"X si chiama Y") gives a cloze hiding the name it defines, shown as its sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from markdown_it.token import Token

from ..model import BASIC, CLOZE, Block, Card, Inline, ListBlock, ListItem, Note, Paragraph
from ..notes.parse import plain_blocks, plain_text
from . import Context, Visit, make_card, walk, where
from .naming import (
    dated,
    inline_of,
    is_aspect,
    is_drawing,
    is_metadata,
    is_pointer,
    is_title,
    personal,
    prose,
    subject_of,
    term_problem,
)
from .shapes import has_cloze, is_image_only, is_links_only, joined, matching_close, refers_back, sentences, spans
from .steps import step_title

KIND = "terms"

#: What stands before the colon of the writer's own cards (claimed before this kind runs).
_EXPLICIT = frozenset(
    {
        "q",
        "a",
        "问",
        "答",
        "问题",
        "答案",
        "question",
        "answer",
        "front",
        "back",
        "text",
        "extra",
        "tags",
        "deck",
        "target deck",
        "file tags",
    }
)
_BLANK = ("softbreak", "hardbreak")


@dataclass(slots=True)
class Entry:
    """One ``term: definition`` found on a line."""

    line: int
    term: list[Token]
    definition: list[Token]
    marked: bool
    reason: str | None = None  # why it is no term (a label, metadata), or None
    more: list[Block] = field(default_factory=list)  # a bullet's children, on the back
    subject: str = ""  # what an aspect (优点, Treatment) is asked of


def _lines(tokens: list[Token]) -> list[list[Token]]:
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


def _text(tokens: list[Token]) -> str:
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
        out[last] = out[last].copy(content=out[last].content.rstrip().rstrip(":：").rstrip())
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
    first = tokens[start]
    marked = first.type in ("strong_open", "em_open", "code_inline")
    if first.type in ("strong_open", "em_open"):
        close = matching_close(tokens, start)
        if close is not None:
            inner = tokens[start + 1 : close]
            if _text(inner).endswith((":", "：")) and not _text(inner).endswith("::"):
                return _strip_colon(inner), tokens[close + 1 :], True
            after = tokens[close + 1] if close + 1 < len(tokens) else None
            if after is not None and after.type == "text" and re.match(r"\s*[:：](?![:/])", after.content):
                rest = re.sub(r"^\s*[:：]", "", after.content, count=1)
                return inner, [after.copy(content=rest), *tokens[close + 2 :]], True
    elif first.type == "code_inline":
        after = tokens[start + 1] if start + 1 < len(tokens) else None
        if after is not None and after.type == "text" and re.match(r"\s*[:：](?![:/])", after.content):
            rest = re.sub(r"^\s*[:：]", "", after.content, count=1)
            return [first], [after.copy(content=rest), *tokens[start + 2 :]], True
    depth = 0
    for k, token in enumerate(tokens):
        if depth == 0 and token.type == "text":
            found = _colon(token.content)
            if found:
                before, after_text = token.content[: found.start()], token.content[found.end() :]
                if after_text.startswith((":", "/")) or before.endswith(":"):
                    return None
                term = [*tokens[:k], *([token.copy(content=before)] if before.strip() else [])]
                definition = [*([token.copy(content=after_text)] if after_text.strip() else []), *tokens[k + 1 :]]
                return term, definition, marked
        depth += token.nesting
    return None


def _links_out(tokens: list[Token]) -> bool:
    """A short definition that points to a web page (a bare URL or a link to one): a
    bookmark (``PhysX in the browser: https://…``), not what the term means. A definition
    that says more (twelve words, twenty-four CJK characters) keeps its link.

    >>> from cards.notes.markdown import markdown
    >>> _links_out(markdown().parseInline("WebAssembly PhysX: https://example.org/post")[0].children)
    True
    """
    out = any(
        (t.type == "link_open" and str(t.attrGet("href") or "").startswith(("http://", "https://")))
        or (t.type == "text" and re.search(r"https?://|www\.", t.content))
        for t in tokens
    )
    words = re.sub(r"(?:https?://|www\.)\S*", " ", prose(tokens, links=False))
    return out and len(re.findall(r"[^\W\d_]{2,}", words)) < 12 and len(re.findall(r"[\u4e00-\u9fff]", words)) < 24


def _says_something(tokens: list[Token]) -> bool:
    """A definition that holds words, a number or a formula, not only links, images or a URL."""
    if not tokens:
        return False
    if any(t.type.startswith("math") or t.type == "code_inline" for t in tokens):
        return True
    text = prose(tokens, links=False)
    if re.search(r"#\+[A-Z_]+", text):
        return False  # org-mode directives (#+END_IMPORTANT): markup, not a definition
    return bool(re.search(r"[^\W_]", re.sub(r"(?:https?://|www\.)\S*", " ", text)))


#: The most a bullet's sub-bullets may say to ride on its term's card (plain characters):
#: more is a page of its own (a Logseq block holds whole outlines).
CHILDREN_CHARS = 300


def judge_entry(term: list[Token], definition: list[Token], marked: bool) -> tuple[bool, str | None]:
    """(is a candidate at all, why it is no term). Not a candidate: an explicit card's
    key, a time, a URL, nothing after the colon, a lead-in (``…as follows:``), a
    sentence before the colon. A candidate with a reason: a label or metadata."""
    name, value = _text(term), _text(definition)
    if not name or name.casefold() in _EXPLICIT or name.casefold().endswith(("http", "https", "ftp")):
        return False, None
    if name[-1:].isdigit() and value[:1].isdigit():  # a time, a ratio, a verse
        return False, None
    if not _says_something(definition) or value.endswith((":", "：", "?", "？")) or personal(value):
        return False, None  # nothing after the colon, a lead-in, a question, a remark
    if (
        not marked
        and not re.search(r"[^\W\d_]{4,}|[\u4e00-\u9fff]", value)
        and not any(t.type.startswith("math") for t in definition)
    ):
        return False, None  # a setting's value (容量: 30000, schedule: 80k), not a definition
    if not marked and re.fullmatch(r"\S*[\\/]\S*", value):
        return False, None  # a path (D:\exec\bin, /usr/include): a setting
    if is_title(value) or is_pointer(value) or _links_out(definition):
        return False, None  # a paper's title after its short name; "see …"; a bookmark
    problem = term_problem(name, marked=marked) or letter_symbol(name, value)
    if problem is None:
        return True, None
    if problem.startswith("one letter"):
        return True, problem
    if problem.startswith(("metadata", "a label", "a numbered label")):
        return True, problem
    return False, None


def letter_symbol(name: str, definition: str) -> str | None:
    """A name of one letter is a symbol of one proof or formula (``H: there is an upper
    bound``), unless the definition spells it out (``T: Tumour size`` of TNM staging).

    >>> letter_symbol("H", "esiste almeno un maggiorante"), letter_symbol("T", "Tumour size/location")
    ('one letter, a symbol rather than a term (H)', None)
    """
    if len(name) != 1 or not name.isalpha() or "\u4e00" <= name <= "\u9fff":
        return None
    first = re.search(r"[^\W\d_]+", definition)
    return (
        None
        if first and first.group(0)[0].casefold() == name.casefold()
        else f"one letter, a symbol rather than a term ({name})"
    )


def _entries(tokens: list[Token], first_line: int) -> list[Entry]:
    """The ``term: definition`` lines of an inline; a line with no colon continues the
    definition above it."""
    found: list[Entry] = []
    open_entry: Entry | None = None
    for offset, line in enumerate(_lines(tokens)):
        split = split_term(line)
        if split is not None:
            candidate, reason = judge_entry(*split)
            if candidate:
                open_entry = Entry(first_line + offset, split[0], split[1], split[2], reason)
                found.append(open_entry)
                continue
            open_entry = None
            continue
        if open_entry is not None and open_entry.reason is None:
            open_entry.definition.extend([Token("softbreak", "br", 0), *line])
    return found


_DASH = re.compile(r"\s+[—–-]{1,2}\s+")


def _dash_split(item: ListItem) -> tuple[list[Token], list[Token], bool] | None:
    """(term, definition, marked) of a bullet ``Term — definition``, or None."""
    if item.inline is None:
        return None
    tokens = _lines(item.inline.tokens)[0]
    marked = bool(tokens) and tokens[0].type in ("strong_open", "em_open", "code_inline")
    depth = 0
    for k, token in enumerate(tokens):
        if depth == 0 and token.type == "text":
            found = _DASH.search(token.content)
            if found:
                before, after = token.content[: found.start()], token.content[found.end() :]
                term = [*tokens[:k], *([token.copy(content=before)] if before.strip() else [])]
                definition = [*([token.copy(content=after)] if after.strip() else []), *tokens[k + 1 :]]
                return term, definition, marked
        depth += token.nesting
    return None


def _dash_entries(block: ListBlock) -> dict[int, Entry]:
    """Bullets written ``Term — definition``, when two or more of the list are: one
    such bullet alone may be a range or an aside (``2019 - 2021 in Paris``)."""
    found: dict[int, Entry] = {}
    for index, item in enumerate(block.items):
        split = _dash_split(item) if item.task is None else None
        if split is None:
            continue
        term, definition, marked = split
        words = len(re.findall(r"\w+", _text(definition)))
        if term_problem(_text(term), marked=marked) is None and (
            words >= 3 or len(re.findall(r"[\u4e00-\u9fff]", _text(definition))) >= 4
        ):
            found[index] = Entry(item.line, term, definition, marked)
    return found if len(found) >= 2 else {}


def _subject(note: Note, visit: Visit) -> str | None:
    """What an aspect label (``Treatment``, ``优点``) is an aspect of: the bullet it sits
    under, else the nearest heading that names something, else the note's title."""
    return subject_of([*(step_title(p) for p in reversed(visit.parents)), *reversed(visit.section.path), note.title])


def _term_card(note: Note, ctx: Context, visit: Visit, entry: Entry) -> Card:
    name = _text(entry.term)
    term_html = ctx.renderer.tokens(entry.term).strip()
    for tag in ("b", "i", "mark"):  # the whole front in bold says nothing more
        if term_html.startswith(f"<{tag}>") and term_html.endswith(f"</{tag}>") and term_html.count(f"<{tag}>") == 1:
            term_html = term_html[len(tag) + 2 : -len(tag) - 3]
    identity = name
    if entry.subject:
        term_html, identity = (
            f"{ctx.renderer.inline(inline_of(entry.subject))} — {term_html}",
            f"{entry.subject} — {name}",
        )
    back = ctx.renderer.tokens(entry.definition).strip()
    if entry.more:
        back = f"<p>{back}</p>{ctx.renderer.blocks(entry.more)}"
    return make_card(
        note,
        ctx,
        kind=KIND,
        model=BASIC,
        front=term_html,
        back=back,
        context=where(note, visit),
        identity=identity,
        line=entry.line,
        extra={"not_fact": entry.reason} if entry.reason else None,
    )


def _children_hold_terms(children: list[Block]) -> bool:
    for child in children:
        if isinstance(child, ListBlock):
            for sub in child.items:
                if sub.inline is not None and _entries(sub.inline.tokens, sub.line):
                    return True
    return False


def extract(note: Note, ctx: Context) -> Iterator[Card]:
    if is_drawing(note.front_matter):
        return
    for visit in walk(note):
        block = visit.block
        if dated(visit.section.path):
            continue  # what is written under a date is a log of that day
        if isinstance(block, Paragraph):
            if not ctx.is_claimed(block) and not has_cloze(block.inline):
                entries = _entries(block.inline.tokens, block.line)
                yield from _node(note, ctx, visit, block, _sure(entries, len(entries)), [])
        elif isinstance(block, ListBlock):
            dashes = _dash_entries(block)
            found = {
                index: [dashes[index]] if index in dashes else _entries(item.inline.tokens, item.line)
                for index, item in enumerate(block.items)
                if item.task is None
                and item.inline is not None
                and not ctx.is_claimed(item)
                and not has_cloze(item.inline)
            }
            run = sum(1 for entries in found.values() if any(e.reason is None for e in entries))
            for index, entries in found.items():
                item = block.items[index]
                yield from _node(note, ctx, visit, item, _sure(entries, run), item.children)


def _sure(entries: list[Entry], run: int) -> list[Entry]:
    """The entries to make cards of. A plain term alone (not bold, not one of a run of
    term lines, a glossary) must define at length: ``近似: …`` or ``Trick: …`` in a
    derivation is a note to self more often than a term."""
    if run >= 2:
        return entries
    kept = []
    for entry in entries:
        value, name = _text(entry.definition), _text(entry.term)
        long_enough = len(re.findall(r"[^\W\d_]{2,}", value)) >= 3 or len(re.findall(r"[\u4e00-\u9fff]", value)) >= 6
        formula = any(t.type.startswith("math") for t in entry.definition)
        short_han = len(re.findall(r"[\u4e00-\u9fff]", name)) <= 2 and not re.search(r"[A-Za-z]", name)
        if entry.marked or entry.reason is not None or ((long_enough or formula) and not short_han):
            kept.append(entry)
    return kept


def _node(
    note: Note, ctx: Context, visit: Visit, node: Paragraph | ListItem, entries: list[Entry], children: list[Block]
) -> Iterator[Card]:
    """The cards of one paragraph or bullet: its terms (a bullet's short sub-bullets on
    the last one's back), else the names its sentences define."""
    inline = node.inline
    assert inline is not None
    for entry in entries:
        if entry.reason is None and is_aspect(_text(entry.term)):
            entry.subject = _subject(note, visit) or ""
            if not entry.subject:
                entry.reason = f"a label ({_text(entry.term)}) with nothing named above it to ask it of"
    if (
        entries
        and entries[-1].reason is None
        and children
        and not _children_hold_terms(children)
        and len(plain_blocks(children)) <= CHILDREN_CHARS
    ):
        entries[-1].more = children
        ctx.claim_blocks(children)
    if any(e.reason is None for e in entries):
        ctx.claim(node)
    for entry in entries:
        yield _term_card(note, ctx, visit, entry)
    if not entries:
        yield from _defined(note, ctx, visit, node, inline, node.line)


# ------------------------------------------------------------------ definitional sentences

_NAME_AFTER = re.compile(
    r"(?:\b(?:is|are|was|were)\s+(?:(?:also|often|usually|commonly|sometimes|simply|then)\s+)?"
    r"(?:called|known\s+as|termed|named|referred\s+to\s+as)"
    r"|(?<!\w)(?:é|são|sono|è)\s+(?:(?:também|anche|spesso)\s+)?(?:chamad[oa]s?(?:\s+de)?|denominad[oa]s?|dit[oa]s?|dett[oa]|dett[ei]|chiamat[oa]|chiamat[ei])"
    r"|\bsi\s+chiama(?:no)?|\bviene\s+(?:chiamat[oa]|dett[oa])|\bprende\s+il\s+nome\s+di"
    r"|被?称为|被?称作|叫做|叫作|简称)\s*(?:是\s*)?",
    re.IGNORECASE,
)
_NAME_BEFORE = re.compile(
    r"^\s*(?:所谓(?:的)?\s*(?P<so>[^，。,；;：:\s][^，。,；;：:]{0,14}?)\s*[，,]\s*(?:就是|是指|指的是|即|是)"
    r"|(?P<zh>[^，。,；;：:\s][^，。,；;：:]{0,14}?)\s*(?:是指|指的是|就是指)(?![向针令定标数南出示导挥引明])"
    r"|(?:(?:the|a|an)\s+)?(?P<en>[^\s,.;:()][^,.;:()]{1,58}?)\s+(?:is|are)\s+defined\s+(?:as|to\s+be)\b)",
    re.IGNORECASE,
)
_NAME_END = re.compile(
    r"[,.;:()，。；：（）、!?！？「」“”\"《》]|\s+(?:and|or|because|if|when|which|since|while|for|in|of|by|to|that|e|ou|o|che|que|de|da|do|di|del|della|dos|das|em|per|para)\b|的"
)
_ARTICLE = re.compile(r"^(?:(?:the|a|an|o|os|as|il|lo|la|i|gli|le|un|uno|una|um|uma)\s+)", re.IGNORECASE)
_QUOTES = "\"'＂“”‘’「」『』《》"
NAME_WORDS = 5
NAME_HAN = 10


def _gap(tokens: list[Token]) -> tuple[list[Token], Token, str] | None:
    """The sentence's tokens with the name it defines wrapped in a bold span (the span the
    renderer turns into the gap), the span's opening token and the name; or None."""
    depth = 0
    blank_before = True  # only blank text before this token (kept as it goes: asking again was quadratic)
    for k, token in enumerate(tokens):
        if depth == 0 and token.type == "text":
            if blank_before:
                found = _NAME_BEFORE.match(token.content)
                if found:
                    name = next(g for g in (found.group("so"), found.group("zh"), found.group("en")) if g)
                    start = (
                        found.start("so")
                        if found.group("so")
                        else found.start("zh")
                        if found.group("zh")
                        else found.start("en")
                    )
                    return _wrap(tokens, k, start, start + len(name.rstrip()))
            found = _NAME_AFTER.search(token.content)
            if found:
                rest = token.content[found.end() :]
                if rest.strip():
                    end = _NAME_END.search(rest)
                    stop = end.start() if end else len(rest)
                    article = _ARTICLE.match(rest[:stop])
                    begin = article.end() if article else 0
                    return _wrap(tokens, k, found.end() + begin, found.end() + len(rest[:stop].rstrip()))
                after = tokens[k + 1] if k + 1 < len(tokens) else None
                if after is not None and after.type == "em_open":
                    close = matching_close(tokens, k + 1)
                    if close is not None:
                        opener = Token("strong_open", "strong", 1)
                        wrapped = [
                            *tokens[: k + 1],
                            opener,
                            *tokens[k + 2 : close],
                            Token("strong_close", "strong", -1),
                            *tokens[close + 1 :],
                        ]
                        return wrapped, opener, _text(tokens[k + 2 : close])
                return None
        depth += token.nesting
        blank_before = blank_before and token.type == "text" and not token.content.strip()
    return None


def _wrap(tokens: list[Token], k: int, start: int, end: int) -> tuple[list[Token], Token, str] | None:
    content = tokens[k].content
    while start < end and (content[start].isspace() or content[start] in _QUOTES):
        start += 1
    while end > start and (content[end - 1].isspace() or content[end - 1] in _QUOTES):
        end -= 1
    name = content[start:end]
    if not name or content[end:].lstrip().startswith((":", "：")):
        return None  # "… is called X:" introduces what follows
    opener = Token("strong_open", "strong", 1)
    pieces = [
        tokens[k].copy(content=content[:start]),
        opener,
        tokens[k].copy(content=name),
        Token("strong_close", "strong", -1),
        tokens[k].copy(content=content[end:]),
    ]
    return [*tokens[:k], *(p for p in pieces if p.type != "text" or p.content), *tokens[k + 1 :]], opener, name


_PREPOSITION = frozenset(
    """of to in on at by for from with between into onto over under than as and or the a an
    de da do das dos di del della dei degli em no na nos nas en per para con com su tra fra entre e o y""".split()
)


def _cut_short(tokens: list[Token], opener: Token, name: str) -> bool:
    """A name the gap would cut off: it ends on a preposition (``a homotopy between``),
    or runs into a formula or a link with no break between (``called a map $f$``), or
    does not read as a term (``Note that a symmetry``)."""
    words = name.casefold().split()
    if words and words[-1] in _PREPOSITION:
        return True
    if (
        re.search(r"[A-Za-z]", name)
        and term_problem(name, marked=True) is None
        and term_problem(name) is not None
        and name.split()[0][:1].isupper()
    ):
        return True
    index = next(k for k, t in enumerate(tokens) if t is opener)
    after = tokens[index + 3] if index + 3 < len(tokens) else None  # opener, name, closer, then what follows
    if after is not None and after.type != "text":
        return after.type not in ("softbreak", "hardbreak")
    return after is not None and not re.match(
        r"\s*(?:[,.;:()，。；：（）、!?！？「」“”\"《》＂]|$|\s+\w)", after.content
    )


def _defined(note: Note, ctx: Context, visit: Visit, node: object, inline: Inline, line: int) -> Iterator[Card]:
    """Clozes of the names a paragraph or bullet defines in plain words. A sentence with
    bold or highlighted phrases is left to the phrases kind."""
    if is_links_only(inline) or is_image_only(inline):
        return
    parts = sentences(inline)
    made = False
    for k, sentence in enumerate(parts):
        if spans(sentence):
            continue
        found = _gap(sentence.tokens)
        if found is None:
            continue
        tokens, opener, name = found
        if k and refers_back(plain_text(sentence)):  # "This is referred to as …": the sentence before says what
            tokens = joined(parts[k - 1], Inline("", tokens)).tokens
        words, han = len(name.split()), len(re.findall(r"[\u4e00-\u9fff]", name))
        if (
            words > NAME_WORDS
            or han > NAME_HAN
            or is_metadata(name)
            or name.endswith("的")
            or _cut_short(tokens, opener, name)
        ):
            continue
        extra = f"<p>{ctx.renderer.inline(inline)}</p>" if len(parts) > 1 else ""
        made = True
        yield make_card(
            note,
            ctx,
            kind=KIND,
            model=CLOZE,
            front=ctx.renderer.inline(Inline("", tokens), cloze=opener),
            back=extra,
            context=where(note, visit),
            identity=f"{_text(sentence.tokens)}\x1f{name}",
            line=line,
        )
    if made and not any(spans(s) for s in parts):
        ctx.claim(node)  # nothing left in it for the phrases kind; a section card would repeat it
