"""Rules that look at what a card names: a term, a heading, a subject.

The fact kinds (terms, sections, tables, problems) turn a term, a heading or a table
cell into the question side of a card. Before they do, they ask the same few things of
it, answered here once so the kinds and the judge agree:

- is it a **question** already (``Why is the sky blue?``, ``进程和线程有什么区别``)?
- is it a **passage label** (``Note``, ``Example``, ``注意``), which heads text without
  naming anything, or **metadata** (``Date``, ``Author``, ``来源``)? Neither is a card.
- is it an **aspect** of a subject (``Treatment``, ``优点``, ``Causes``): a fine question
  once the subject is named with it (``Melanoma — Treatment``), a label alone?
- is it a **generic heading** (``Introduction``, ``References``, ``总结``) or a date?
- does it read as a **term** (a name, ≤ 6 words or 12 CJK characters) or as the start
  of a sentence (``The rest is easy``, ``我们可以得到``)?

Each answer is a reason (a short phrase for ``preview --explain``) or None. The rules
``not_a_fact`` of terms and of sections are made of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from ..lexicon import alternation, having, words
from ..model import Candidate, HeadingFacts, TermFacts
from ..notes.inline import prose, tokens_text
from ..text import cjk, normalise
from .as_text import candidate_of  # noqa: F401  (the examples' candidates)
from .gaps import LABEL_WORDS, is_label, is_ordinal
from .meta import personal

if TYPE_CHECKING:
    from markdown_it.token import Token

_SPACES = r"\s+"  # a space of the lexicon's words: any run of spaces

#: Labels that head a passage and name nothing, even with a subject beside them (folded;
#: the lexicon's role ``passage``).
PASSAGE_LABELS = having("passage")


#: Words that name one aspect of a subject (besides the judge's label words, folded; the
#: lexicon's role ``aspect``): ``Treatment``, ``概念``, ``实现`` ask something only beside what
#: they are an aspect of.
ASPECT_WORDS = having("aspect")


#: Keys whose value describes the note, not its subject (folded; the lexicon's role ``metadata``).
METADATA_KEYS = having("metadata")


#: Headings whose text is about the note, not a fact of the subject (folded; the lexicon's role ``heading``).
GENERIC_HEADINGS = having("heading")


_GENERIC_AFFIX = re.compile(
    rf"^(?:{alternation('heading_prefix')})\s+(?:to|of|on|for)\b|^(?:{alternation('heading_unit')})\s*\d+\b|"
    rf"(?:{alternation('heading_suffix')})$",
    re.IGNORECASE,
)


_DATE = re.compile(
    r"^(?:\d{4}[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|(?:19|20)\d{2}|"
    rf"\d{{1,2}}\s+(?:{alternation('month')})\w*\.?\s+\d{{2,4}}|"
    rf"(?:{alternation('month', languages=('en',))})\w*\.?\s+\d{{1,2}},?\s+\d{{4}}|"
    rf"(?:{alternation('period')})\s*[\dIVX]+\s*[天周课讲章节]?|\d+\s*(?:{alternation('days')})|"
    rf"(?:{alternation('weekday')}))$",
    re.IGNORECASE,
)


_QUESTION_WORDS = re.compile(rf"^(?:{alternation('question_word', script='latin')})\b", re.IGNORECASE)


_ZH_QUESTION = re.compile(rf"{alternation('question_word', script='cjk')}|吗$|呢$")


#: A subject that states something (``Labels are not facts``) or a file name (``label_gaps``).
_STATES = re.compile(rf"\b(?:{alternation('copula', languages=('en',))}|not)\b|_")


def subject_of(candidates: Sequence[str]) -> str | None:
    """The first of ``candidates`` (the bullets and headings above an aspect, nearest
    first, then the note's title) that names a thing an aspect (``Treatment``, ``优点``)
    can be asked of: not itself an aspect, a label or a generic heading, not a clause
    (``Labels are not facts``) and not a file name (``label_gaps``); None when none does.

    >>> subject_of(["Treatment", "Atopic dermatitis", "Skin"]), subject_of(["Labels are not facts", "label_gaps"])
    ('Atopic dermatitis', None)
    """
    for text in candidates:
        name = re.sub(r"^\s*(?:\d+(?:\.\d+)*\.?)\s+", "", text).strip()
        if not name or is_aspect(name) or is_passage_label(name) or generic_heading(name) is not None:
            continue
        if term_problem(name, marked=True) is None and not clause_edge(name) and not _STATES.search(name):
            return name
    return None


@lru_cache(maxsize=8192)
def is_question(text: str) -> bool:
    """Whether ``text`` asks something: it ends in ``?``/``？``, starts with an
    interrogative, or holds a Chinese question word.

    >>> is_question("Why is the sky blue"), is_question("进程和线程有什么区别"), is_question("RNA polymerase I")
    (True, True, False)
    """
    text = normalise(text).strip()
    return text.endswith("?") or bool(_QUESTION_WORDS.match(text)) or bool(_ZH_QUESTION.search(text))


@lru_cache(maxsize=8192)
def _core(text: str) -> str:
    """Folded, without a trailing colon, leading section number or list marker."""
    core = re.sub(r"^[^\w$`(\[]+", "", normalise(text).strip()).rstrip(":.").strip()  # ✔️解决办法: the label
    return re.sub(r"^(?:\d+(?:\.\d+)*\.?|[a-z]\)|[ivx]+\.)\s+", "", core)


@lru_cache(maxsize=8192)
def is_passage_label(text: str) -> bool:
    """``Note``, ``Example``, ``注意``: heads a passage and names nothing.

    >>> is_passage_label("Note:"), is_passage_label("注意"), is_passage_label("Treatment")
    (True, True, False)
    """
    return _core(text) in PASSAGE_LABELS


@lru_cache(maxsize=8192)
def is_aspect(text: str) -> bool:
    """A label that names one aspect of a subject (``Treatment``, ``优点``, ``Causes``,
    ``方法 1``): a question only with its subject.

    >>> is_aspect("Treatment"), is_aspect("优点："), is_aspect("Note"), is_aspect("Osmosis")
    (True, True, False, False)
    """
    core = _core(text)
    singular = core[:-1] if core.endswith("s") and len(core) > 4 else core  # Treatments, Causes
    return not is_passage_label(text) and any(
        is_label(c) or c in LABEL_WORDS or c in ASPECT_WORDS for c in (core, singular)
    )


@lru_cache(maxsize=8192)
def is_metadata(text: str) -> bool:
    """``Date``, ``Author``, ``Source``, ``来源``: describes the note, not its subject.

    >>> is_metadata("Date"), is_metadata("来源"), is_metadata("Osmosis")
    (True, True, False)
    """
    return _core(text) in METADATA_KEYS


@lru_cache(maxsize=8192)
def generic_heading(text: str) -> str | None:
    """Why a heading names nothing a paragraph under it could define, or None.

    >>> generic_heading("References"), generic_heading("2023-05-01"), generic_heading("15 gen 2018")
    ('a generic heading (References)', 'a date', 'a date')
    >>> generic_heading("方法 1"), generic_heading("3. Liberation") is None, generic_heading("RNA polymerase I") is None
    ('a numbered label (方法 1)', True, True)
    """
    if _DATE.match(normalise(text).strip().rstrip(":").strip()):
        return "a date"
    core = _core(text)
    if not core or not re.search(r"[^\W\d_]", core):
        return "a heading without words"
    if len(core) < 2:
        return "a heading of one letter"
    if core in GENERIC_HEADINGS or core in PASSAGE_LABELS or _GENERIC_AFFIX.search(core):
        return f"a generic heading ({text.strip()})"
    if is_numbered(core):
        return f"a numbered label ({text.strip()})"
    return None


#: Words that start a clause, not a name (folded; the lexicon's role ``clause_start``).
_CLAUSE_START = having("clause_start")


#: Verbs that make a clause of what comes before a colon (folded; the lexicon's role ``clause_verb``).
_CLAUSE_VERB = having("clause_verb")


_ZH_CLAUSE = re.compile(rf"{alternation('clause_word')}|(?<!是)是(?!否)")


#: How a Chinese clause starts (a condition, a connective, "let x …") or ends (a verb
#: waiting for its object: 则有, 可得, 记为).
_ZH_EDGE = re.compile(
    rf"^(?:{alternation('clause_opening')}|[令设若当取记对由因有在将把]\s*[$\\A-Za-z(（])"
    rf"|(?:{alternation('clause_ending')}|(?<![规原法准细否])则|(?<![行作认称成因以])为|(?<![所拥具含没特共固私公])有|(?<![获取求记心觉])得)$"
)


#: A label in two words or more: ``Example of …``, ``Motivating problem``, ``Dirty way``
#: (folded; the lexicon's roles ``label_head`` and ``label_tail``).
_LABEL_HEADS = having("label_head")


_LABEL_TAILS = having("label_tail")


#: A Chinese count before a classifier: what follows lists things, the words before name none.
_COUNT = re.compile(r"[一二两三四五六七八九十几多]\s*[种个点类条步项大]")


_WORD = re.compile(r"[A-Za-z\u00c0-\u024f0-9][\w'’\-.]*")


#: A figure the text points at (``the figure``, ``图中``): no term, a place in the note.
_FIGURE = re.compile(
    rf"(?<![\w])(?:{alternation('pointing')})\s+(?:{alternation('figure')})(?![\w])|{alternation('figure_pointer')}",
    re.IGNORECASE,
)
#: How an adverb ends (``Geometrically``): a way of seeing, not a thing.
_ADVERB = re.compile(rf"(?:{alternation('adverb_ending')})$")
TERM_WORDS = 6


TERM_HAN = 12


TERM_CHARS = 60


_NUMBERED = re.compile(
    rf"^(?:{alternation('numbered_label')})\s*[0-9一二三四五六七八九十]+(?:\.\d+)*[.)]?$",
    re.IGNORECASE,
)


_ORDINAL_WORD = re.compile(rf"^(?:\d+(?:st|nd|rd|th)|{alternation('ordinal_word')})$", re.IGNORECASE)


@lru_cache(maxsize=8192)
def is_numbered(text: str) -> bool:
    """A numbered label (``案例4``, ``Step 2``, ``Figure 3``, ``定理 4``, ``2nd``): names
    a place in the note, not a thing.

    >>> is_numbered("案例4"), is_numbered("Figure 3."), is_numbered("2nd"), is_numbered("Python 3")
    (True, True, True, False)
    """
    core = _core(text)
    return is_ordinal(core) or bool(_NUMBERED.match(core)) or bool(_ORDINAL_WORD.match(core))


@lru_cache(maxsize=8192)
def dated(path: tuple[str, ...]) -> bool:
    """Whether a heading path runs through a date (``2023-05-01``, ``giorno 3``, ``Day 2``):
    what stands under it is a log of that day, not a fact to learn."""
    return any(generic_heading(heading) == "a date" for heading in path)


@lru_cache(maxsize=8192)
def term_problem(text: str, *, marked: bool = False) -> str | None:
    """Why ``text`` (what stands before a colon) is not a term, or None when it names
    one. ``marked``: the writer set it in bold, italics or code, so only its length,
    labels and metadata count, not how it reads.

    >>> term_problem("Osmosis"), term_problem("互斥信号量 mutex"), term_problem("M3 (q)")
    (None, None, None)
    >>> term_problem("Date"), term_problem("Note"), term_problem("The rest is easy")
    ('metadata (Date)', 'a label (Note)', 'reads as a clause, not a term')
    >>> term_problem("从网上看到一个"), term_problem("2 factors"), term_problem("One two three four five six seven")
    ('reads as a clause, not a term', 'starts with a number', 'too long for a term')
    >>> term_problem("图中橙色部分"), term_problem("兼容性(surface format"), term_problem("Motivating problem")
    ('points at a figure', 'reads as a clause, not a term', 'a label (Motivating problem)')
    >>> term_problem("Geometrically"), term_problem("实现方案有两种"), term_problem("Supply") is None
    ('a label (Geometrically)', 'a count (两种, 三点), not a term', True)
    >>> term_problem("典型的例子")
    'a label (典型的例子)'
    """
    core = " ".join(text.split())
    if not core or not re.search(r"[^\W\d_]", core):
        return "no words"
    found = _names_no_thing(core)
    if found is not None:
        return found
    words, han = len(_WORD.findall(re.sub(r"\$[^$]*\$|`[^`]*`", "x", core))), cjk(core)
    if len(core) > TERM_CHARS + 20 * marked or words > TERM_WORDS + 4 * marked or han > TERM_HAN + 8 * marked:
        return "too long for a term"
    if marked:
        return None
    return _reads_as_no_name(core)


def _names_no_thing(core: str) -> str | None:
    """Metadata, a passage label or a numbered label, however it is written."""
    if is_metadata(core):
        return f"metadata ({core})"
    if is_passage_label(core):
        return f"a label ({core})"
    if is_numbered(core):
        return f"a numbered label ({core})"
    return None


def _reads_as_no_name(core: str) -> str | None:
    """Why plain words before a colon do not read as a name: a number, punctuation, a
    clause, a relation, a pointer at a figure, a label of two words, a count."""
    return _punctuated(core) or _worded(core)


def _punctuated(core: str) -> str | None:
    """What the digits and punctuation of a text say it is: a number, a clause, a relation."""
    if re.match(r"^\d+(?:[.,]\d+)?\s", core) or re.fullmatch(r"[\d\s.,:/-]+", core):
        return "starts with a number"
    if core[0] in "「『“\"'‘(（[【<《-—–*>#|":
        return "starts with punctuation"
    if (
        re.search(r"[,，。;；!！?？]", core)
        or core.count("(") != core.count(")")
        or core.count("（") != core.count("）")
    ):
        return "reads as a clause, not a term"
    if re.search(r"→|->|=>|⇒|⟶|←|<-|<=>|⇔", re.sub(r"\$[^$]*\$", " ", core)):
        return "a relation, not a term"
    return None


def _worded(core: str) -> str | None:
    """What the words of a text say it is: a pointer at a figure, a clause, a label, a count."""
    if _FIGURE.search(core):
        return "points at a figure"
    tokens = [w.casefold() for w in _WORD.findall(core)]
    if clause_edge(core) or any(t in _CLAUSE_VERB for t in tokens) or _ZH_CLAUSE.search(core):
        return "reads as a clause, not a term"
    if len(tokens) >= 2 and (tokens[0].rstrip(".") in _LABEL_HEADS or tokens[-1].rstrip(".") in _LABEL_TAILS):
        return f"a label ({core})"
    if len(tokens) == 1 and _ADVERB.search(tokens[0]) and not cjk(core):
        return f"a label ({core})"  # Geometrically, Intuitively: a way of seeing, not a thing
    if _COUNT.search(core):
        return "a count (两种, 三点), not a term"
    return None


@lru_cache(maxsize=8192)
def clause_edge(text: str) -> bool:
    """Whether ``text`` starts as a clause does (``If``, ``We``, ``若 $x$``, ``对于``) or
    ends on a verb waiting for its object (``则有``, ``记为``): a lead-in, not a name.

    >>> (
    ...     clause_edge("若 $x$ 为整数"),
    ...     clause_edge("When the list is empty"),
    ...     clause_edge("Gamma 函数"),
    ...     clause_edge("运算规则"),
    ... )
    (True, True, False, False)
    """
    text = " ".join(text.split())
    tokens = [w.casefold() for w in _WORD.findall(text)]
    first = tokens[0] if tokens and re.match(r"^\W*[A-Za-z\u00c0-\u024f]", text) else ""
    # Sostituendo l'ipotesi …, Combiniamo i termini: a gerund or a "we" verb opens a clause
    gerund = len(first) > 6 and first.endswith(words("gerund_ending"))
    return first in _CLAUSE_START or gerund or bool(_ZH_EDGE.search(text))


def says_something(text: str, *, words: int = 2, han: int = 4) -> bool:
    """At least ``words`` words (of two letters or more) or ``han`` CJK characters."""
    return len(re.findall(r"[^\W\d_]{2,}", text)) >= words or cjk(text) >= han


def is_title(text: str) -> bool:
    """Words in Title Case (a paper's or a book's title): names a work, defines nothing.

    >>> is_title("On the Fairness of Detection and Re-Identification in Multiple Object Tracking")
    True
    >>> (
    ...     is_title("a protease that carries out apoptosis"),
    ...     is_title("Binds Programmed Death Protein Ligand 1 and 2 (PDL1 and 2)."),
    ... )
    (False, False)
    """
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", text)]
    small = having("title_small")
    big = [w for w in words if w.casefold() not in small]
    sentence = re.search(r"[.;。]\s", text) or text.rstrip().endswith((".", "。"))  # a title has no full stop
    return len(words) >= 4 and len(big) >= 3 and sum(w[0].isupper() for w in big) >= 0.8 * len(big) and not sentence


_POINTER = re.compile(rf"^\s*(?:{alternation('pointer', spaces=_SPACES)})(?:\s|[:：]|$)", re.IGNORECASE)


_POINTER_INSIDE = re.compile(rf"(?<![\w])(?:{alternation('pointer_inside')})(?![\w])", re.IGNORECASE)


def is_pointer(text: str) -> bool:
    """Text that only sends the reader elsewhere (``See here: Drug Metabolism``,
    ``refer to advance_c++_skills.md``, ``详见 …``): no answer to recall.

    >>> (
    ...     is_pointer("See here: Drug Metabolism"),
    ...     is_pointer("For classification, see here: Glands"),
    ...     is_pointer("Seeds germinate in spring."),
    ... )
    (True, True, False)
    """
    return len(text) < 120 and bool(_POINTER.match(text) or _POINTER_INSIDE.search(text))


#: What stands before the colon of the writer's own cards (claimed before the terms kind
#: runs; the lexicon's role ``card_field``).
_EXPLICIT = having("card_field")


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
    return out and len(re.findall(r"[^\W\d_]{2,}", words)) < 12 and cjk(words) < 24


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


def entry_verdict(term: list[Token], definition: list[Token], marked: bool) -> tuple[bool, str | None]:
    """(is a candidate at all, why it is no term). Not a candidate: an explicit card's
    key, a time, a URL, nothing after the colon, a lead-in (``…as follows:``), a
    sentence before the colon. A candidate with a reason: a label or metadata."""
    name, value = tokens_text(term), tokens_text(definition)
    if not name or name.casefold() in _EXPLICIT or name.casefold().endswith(("http", "https", "ftp")):
        return False, None
    if name[-1:].isdigit() and value[:1].isdigit():  # a time, a ratio, a verse
        return False, None
    if _no_definition(definition, value, marked):
        return False, None
    problem = term_problem(name, marked=marked) or letter_symbol(name, value)
    if problem is None:
        return True, None
    if problem.startswith(("one letter", "metadata", "a label", "a numbered label")):
        return True, problem
    return False, None


def _no_definition(definition: list[Token], value: str, marked: bool) -> bool:
    """What stands after the colon defines nothing: nothing at all, a lead-in, a
    question, a remark, a setting's value or a path, a title, a pointer, a bookmark."""
    if not _says_something(definition) or value.endswith((":", "：", "?", "？")) or personal(value):
        return True  # nothing after the colon, a lead-in, a question, a remark
    if (
        not marked
        and not (re.search(r"[^\W\d_]{4,}", value) or cjk(value))
        and not any(t.type.startswith("math") for t in definition)
    ):
        return True  # a setting's value (容量: 30000, schedule: 80k), not a definition
    if not marked and re.fullmatch(r"\S*[\\/]\S*", value):
        return True  # a path (D:\exec\bin, /usr/include): a setting
    return is_title(value) or is_pointer(value) or _links_out(definition)  # a paper's title; "see …"; a bookmark


def letter_symbol(name: str, definition: str) -> str | None:
    """A name of one letter is a symbol of one proof or formula (``H: there is an upper
    bound``), unless the definition spells it out (``T: Tumour size`` of TNM staging).

    >>> letter_symbol("H", "esiste almeno un maggiorante"), letter_symbol("T", "Tumour size/location")
    ('one letter, a symbol rather than a term (H)', None)
    """
    if len(name) != 1 or not name.isalpha() or cjk(name):
        return None
    first = re.search(r"[^\W\d_]+", definition)
    return (
        None
        if first and first.group(0)[0].casefold() == name.casefold()
        else f"one letter, a symbol rather than a term ({name})"
    )


def term_reason(facts: TermFacts) -> str | None:
    """Why a term line the terms kind proposes states no fact: a label, metadata, a
    symbol (a colon's term only: a run of ``Term — definition`` bullets names terms), or
    an aspect (``Treatment:``) with nothing named above it to ask it of.

    >>> (
    ...     term_reason(TermFacts("Date", "2023-01-01", marked=False)),
    ...     term_reason(TermFacts("Treatment", "Emollients", marked=True)),
    ... )
    ('metadata (Date)', 'a label (Treatment) with nothing named above it to ask it of')
    >>> term_reason(TermFacts("Treatment", "Emollients", marked=True, subject="Atopic dermatitis")) is None
    True
    """
    if not facts.dashed:
        problem = term_problem(facts.name, marked=facts.marked) or letter_symbol(facts.name, facts.definition)
        if problem is not None:
            return problem
    if is_aspect(facts.name) and not facts.subject:
        return f"a label ({facts.name}) with nothing named above it to ask it of"
    return None


def not_a_term(card: Candidate) -> str | None:
    """A term line that states no fact (rule ``not_a_fact`` for terms, :func:`term_reason`).

    >>> not_a_term(
    ...     candidate_of("terms", "Date", back="2023-01-01", facts=TermFacts("Date", "2023-01-01", marked=False))
    ... )
    'metadata (Date)'
    """
    return term_reason(card.facts) if isinstance(card.facts, TermFacts) else None


#: A section number before a heading's words (``3.4``, ``IV.``, ``b)``).
SECTION_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVXivx]+\.|[A-Za-z]\))\s+(?=\S)")


def heading_problem(heading: str) -> str | None:
    """Why a heading cannot ask for its paragraph: a generic heading, a date, a numbered
    label, or a clause (too long for a term, or it opens as a clause does).

    >>> heading_problem("Introduction"), heading_problem("We can write the sum so"), heading_problem("RNA polymerase I")
    ('a generic heading (Introduction)', 'the heading is a clause, not a term or a question', None)
    """
    reason = generic_heading(heading)
    if reason is None and not is_question(heading):
        bare = SECTION_NUMBER.sub("", heading, count=1)
        if term_problem(bare, marked=True) == "too long for a term" or clause_edge(bare):
            reason = "the heading is a clause, not a term or a question"
    return reason


def names_an_aspect(heading: str) -> bool:
    """A heading asked with its subject (``Atopic dermatitis — Treatment``): it names an
    aspect, or ends in a colon, and is no question."""
    return (heading.rstrip().endswith((":", "：")) or is_aspect(heading)) and not is_question(heading)


def heading_reason(facts: HeadingFacts) -> str | None:
    """Why a heading and its paragraph state no fact (:func:`heading_problem`, or an
    aspect with nothing named above it to ask it of).

    >>> (
    ...     heading_reason(HeadingFacts("Treatment")),
    ...     heading_reason(HeadingFacts("Treatment", "Atopic dermatitis")) is None,
    ... )
    ('an aspect (Treatment) with nothing named above it to ask it of', True)
    """
    reason = heading_problem(facts.heading)
    if reason is None and names_an_aspect(facts.heading) and not facts.subject:
        return f"an aspect ({facts.heading}) with nothing named above it to ask it of"
    return reason


def not_a_heading_fact(card: Candidate) -> str | None:
    """A section whose heading asks nothing (rule ``not_a_fact`` for sections, :func:`heading_reason`).

    >>> not_a_heading_fact(candidate_of("sections", "References", back="Smith 2020", facts=HeadingFacts("References")))
    'a generic heading (References)'
    """
    return heading_reason(card.facts) if isinstance(card.facts, HeadingFacts) else None
