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

from ..judge.notes import is_drawing
from ..judge.terms import dated, entry_verdict, is_aspect, is_metadata, subject_of, term_problem, term_reason
from ..lexicon import alternation, having
from ..model import (
    BASIC,
    CLOZE,
    Bare,
    Block,
    Blocks,
    Candidate,
    Element,
    Field,
    Inline,
    ListBlock,
    ListItem,
    Note,
    Paragraph,
    Sep,
    Span,
    TermFacts,
)
from ..notes.inline import (
    has_cloze,
    is_image_only,
    is_links_only,
    line_tokens,
    matching_close,
    spans,
    split_term,
    tokens_text,
    with_content,
)
from ..notes.parse import plain_blocks, plain_text
from ..text import Caseless, cjk
from .shapes import heading_inline, joined, refers_back, sentences, step_title
from .walk import Context, Visit

KIND = "terms"
_SPACES = r"\s+"  # a space of the lexicon's words: any run of spaces


@dataclass(slots=True)
class Entry:
    """One ``term: definition`` found on a line."""

    line: int
    term: list[Token]
    definition: list[Token]
    marked: bool
    reason: str | None = None  # why it is no term (a label, metadata), or None (judge/terms.py)
    more: list[Block] = field(default_factory=list)  # a bullet's children, on the back
    subject: str = ""  # what an aspect (优点, Treatment) is asked of
    dashed: bool = False  # written ``Term — definition``
    value: str = ""  # the definition's words as judged (before lines that continue it)

    def facts(self) -> TermFacts:
        return TermFacts(tokens_text(self.term), self.value, self.marked, self.dashed, self.subject)


#: The most a bullet's sub-bullets may say to ride on its term's card (plain characters):
#: more is a page of its own (a Logseq block holds whole outlines).
CHILDREN_CHARS = 300


def _entries(tokens: list[Token], first_line: int) -> list[Entry]:
    """The ``term: definition`` lines of an inline; a line with no colon continues the
    definition above it."""
    found: list[Entry] = []
    if not any(":" in t.content or "：" in t.content for t in tokens if t.type == "text"):
        return found  # every term is cut from its definition at a colon in text
    open_entry: Entry | None = None
    for offset, line in enumerate(line_tokens(tokens)):
        split = split_term(line)
        if split is not None:
            candidate, reason = entry_verdict(*split)
            if candidate:
                open_entry = Entry(first_line + offset, *split, reason, value=tokens_text(split[1]))
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
    tokens = line_tokens(item.inline.tokens)[0]
    marked = bool(tokens) and tokens[0].type in ("strong_open", "em_open", "code_inline")
    depth = 0
    for k, token in enumerate(tokens):
        if depth == 0 and token.type == "text":
            found = _DASH.search(token.content)
            if found:
                before, after = token.content[: found.start()], token.content[found.end() :]
                term = [*tokens[:k], *([with_content(token, before)] if before.strip() else [])]
                definition = [*([with_content(token, after)] if after.strip() else []), *tokens[k + 1 :]]
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
        words = len(re.findall(r"\w+", tokens_text(definition)))
        if term_problem(tokens_text(term), marked=marked) is None and (words >= 3 or cjk(tokens_text(definition)) >= 4):
            found[index] = Entry(item.line, term, definition, marked, dashed=True, value=tokens_text(definition))
    return found if len(found) >= 2 else {}


def _subject(note: Note, visit: Visit) -> str | None:
    """What an aspect label (``Treatment``, ``优点``) is an aspect of: the bullet it sits
    under, else the nearest heading that names something, else the note's title."""
    return subject_of([*(step_title(p) for p in reversed(visit.parents)), *reversed(visit.section.path), note.title])


def _term_card(note: Note, ctx: Context, visit: Visit, entry: Entry) -> Candidate:
    name = tokens_text(entry.term)
    front: Field = (Bare((Span(entry.term),)),)
    identity = name
    if entry.subject:
        front, identity = (Span(heading_inline(entry.subject).tokens), Sep(" — "), *front), f"{entry.subject} — {name}"
    back: Field = (Span(entry.definition),)
    if entry.more:
        back = (Element("p", back), Blocks(entry.more))
    return ctx.candidate(
        note,
        kind=KIND,
        model=BASIC,
        front=front,
        back=back,
        crumbs=ctx.where(note, visit),
        identity=identity,
        line=entry.line,
        facts=entry.facts(),
    )


def _children_hold_terms(children: list[Block]) -> bool:
    for child in children:
        if isinstance(child, ListBlock):
            for sub in child.items:
                if sub.inline is not None and _entries(sub.inline.tokens, sub.line):
                    return True
    return False


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    if is_drawing(note.front_matter):
        return
    for visit in ctx.walk(note):
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
        value, name = tokens_text(entry.definition), tokens_text(entry.term)
        long_enough = len(re.findall(r"[^\W\d_]{2,}", value)) >= 3 or cjk(value) >= 6
        formula = any(t.type.startswith("math") for t in entry.definition)
        short_han = cjk(name) <= 2 and not re.search(r"[A-Za-z]", name)
        if entry.marked or entry.reason is not None or ((long_enough or formula) and not short_han):
            kept.append(entry)
    return kept


def _node(
    note: Note, ctx: Context, visit: Visit, node: Paragraph | ListItem, entries: list[Entry], children: list[Block]
) -> Iterator[Candidate]:
    """The cards of one paragraph or bullet: its terms (a bullet's short sub-bullets on
    the last one's back), else the names its sentences define."""
    inline = node.inline
    assert inline is not None
    for entry in entries:
        if entry.reason is None and is_aspect(tokens_text(entry.term)):
            entry.subject = _subject(note, visit) or ""
            entry.reason = term_reason(entry.facts())  # an aspect with nothing named above it is a label
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
    rf"(?:\b(?:{alternation('copula')})\s+(?:(?:{alternation('naming_adverb')})\s+)?"
    rf"(?:{alternation('naming', spaces=_SPACES)})"
    rf"|(?<!\w)(?:{alternation('copula_romance')})\s+(?:(?:{alternation('naming_adverb_romance')})\s+)?"
    rf"(?:{alternation('naming_romance', spaces=_SPACES)})"
    rf"|\b(?:{alternation('naming_verb', spaces=_SPACES)})"
    rf"|{alternation('naming_zh')})\s*(?:是\s*)?",
    re.IGNORECASE,
)
_NAME_BEFORE = re.compile(
    r"^\s*(?:所谓(?:的)?\s*(?P<so>[^，。,；;：:\s][^，。,；;：:]{0,14}?)\s*[，,]\s*(?:就是|是指|指的是|即|是)"
    r"|(?P<zh>[^，。,；;：:\s][^，。,；;：:]{0,14}?)\s*(?:是指|指的是|就是指)(?![向针令定标数南出示导挥引明])"
    r"|(?:(?:the|a|an)\s+)?(?P<en>[^\s,.;:()][^,.;:()]{1,58}?)\s+(?:is|are)\s+defined\s+(?:as|to\s+be)\b)",
    re.IGNORECASE,
)
_NAME_END = re.compile(rf"[,.;:()，。；：（）、!?！？「」“”\"《》]|\s+(?:{alternation('name_end')})\b|的")
_ARTICLE = re.compile(rf"^(?:(?:{alternation('article')})\s+)", re.IGNORECASE)
#: What every definitional sentence holds (a naming word of _NAME_AFTER, or what
#: _NAME_BEFORE needs), anywhere: a paragraph without any defines nothing, and its
#: sentences need no cutting.
_NAMING = Caseless(
    rf"{alternation('naming', spaces=_SPACES)}|{alternation('naming_romance', spaces=_SPACES)}"
    rf"|{alternation('naming_verb', spaces=_SPACES)}|{alternation('naming_zh')}|所谓|是指|指的是|defined"
)


def _words_of(tokens: list[Token]) -> str:
    """The text of an inline's text tokens, run together (for a quick look)."""
    return "".join(t.content for t in tokens if t.type == "text")


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
                    group = next(g for g in ("so", "zh", "en") if found.group(g))
                    start = found.start(group)
                    return _wrap(tokens, k, start, start + len(found.group(group).rstrip()))
            found = _NAME_AFTER.search(token.content)
            if found:
                return _named_after(tokens, k, found.end())
        depth += token.nesting
        blank_before = blank_before and token.type == "text" and not token.content.strip()
    return None


def _named_after(tokens: list[Token], k: int, at: int) -> tuple[list[Token], Token, str] | None:
    """The name that follows ``is called`` (ending at ``tokens[k].content[at:]``): the
    rest of the text up to a clause's end, its article left out; else the italic span
    right after (``is called *osmosis*``)."""
    rest = tokens[k].content[at:]
    if rest.strip():
        end = _NAME_END.search(rest)
        stop = end.start() if end else len(rest)
        article = _ARTICLE.match(rest[:stop])
        begin = article.end() if article else 0
        return _wrap(tokens, k, at + begin, at + len(rest[:stop].rstrip()))
    after = tokens[k + 1] if k + 1 < len(tokens) else None
    if after is None or after.type != "em_open":
        return None
    close = matching_close(tokens, k + 1)
    if close is None:
        return None
    opener = Token("strong_open", "strong", 1)
    wrapped = [
        *tokens[: k + 1],
        opener,
        *tokens[k + 2 : close],
        Token("strong_close", "strong", -1),
        *tokens[close + 1 :],
    ]
    return wrapped, opener, tokens_text(tokens[k + 2 : close])


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
        with_content(tokens[k], content[:start]),
        opener,
        with_content(tokens[k], name),
        Token("strong_close", "strong", -1),
        with_content(tokens[k], content[end:]),
    ]
    return [*tokens[:k], *(p for p in pieces if p.type != "text" or p.content), *tokens[k + 1 :]], opener, name


#: Words a name the gap would cut off ends on (the lexicon's role ``preposition``).
_PREPOSITION = having("preposition")


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


def _defined(note: Note, ctx: Context, visit: Visit, node: object, inline: Inline, line: int) -> Iterator[Candidate]:
    """Clozes of the names a paragraph or bullet defines in plain words. A sentence with
    bold or highlighted phrases is left to the phrases kind."""
    if is_links_only(inline) or is_image_only(inline) or not _NAMING.found(_words_of(inline.tokens)):
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
        words, han = len(name.split()), cjk(name)
        if (
            words > NAME_WORDS
            or han > NAME_HAN
            or is_metadata(name)
            or name.endswith("的")
            or _cut_short(tokens, opener, name)
        ):
            continue
        extra: Field = (Element("p", (Span(inline.tokens),)),) if len(parts) > 1 else ()
        made = True
        yield ctx.candidate(
            note,
            kind=KIND,
            model=CLOZE,
            front=(Span(tokens, gap=opener),),
            back=extra,
            crumbs=ctx.where(note, visit),
            identity=f"{tokens_text(sentence.tokens)}\x1f{name}",
            line=line,
        )
    if made and not any(spans(s) for s in parts):
        ctx.claim(node)  # nothing left in it for the phrases kind; a section card would repeat it
