"""Rules that look at the answer: is it on the front already, does it say anything, is
the question only a label, does a heading's paragraph answer it?

A question card is only worth reviewing when the learner cannot read the answer off the
card (``answer_shown``), when there is an answer to check (``empty_answer``), and when
the question asks something (``label_question``, ``vague_term``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..lexicon import alternation, having
from ..model import Asked, Candidate, Inline, Paragraph, Solution
from ..notes.inline import is_formula, is_image_only, is_links_only, prose, span_text, spans, split_term
from ..notes.parse import plain_text
from ..text import cjk, normalise, width, words
from .as_text import candidate_of  # noqa: F401  (the examples' candidates)
from .gaps import LABEL_WORDS
from .meta import personal
from .terms import is_metadata, is_passage_label, is_pointer, says_something, term_problem


def _acronym(text: str) -> str:
    parts = [w for w in re.split(r"[\s\-/]+", text) if w[:1].isalpha()]
    return "".join(w[0] for w in parts).casefold() if len(parts) >= 2 else ""


_GLOSS = re.compile(rf"^\s*(?:[(（]|[,，]?\s*(?:{alternation('gloss')})\b)", re.IGNORECASE)


def _parts(hidden: str) -> list[str]:
    """A hidden text and the names inside it: ``缓冲池（Buffer Pool）`` is also ``缓冲池`` and
    ``Buffer Pool``."""
    found = [hidden]
    inside = re.findall(r"[(（]([^()（）]+)[)）]", hidden)
    outside = re.sub(r"[(（][^()（）]*[)）]", " ", hidden).strip()
    found += [p.strip() for p in (*inside, outside) if p.strip() and p.strip() != hidden]
    return found


#: Words too common to give an answer away when the breadcrumb holds them (the lexicon's role ``common``).
_STOPWORDS = having("common")


@lru_cache(maxsize=8192)
def _latin_words(text: str) -> frozenset[str]:
    """Folded words, hyphenated and dotted ones split (``master-slave latch`` is
    ``master``, ``slave``, ``latch``; ``127.0.0.1`` is ``127``, ``0``, ``1``), short
    letter-only words (``a``, ``de``) left out; CJK text is no word here."""
    return frozenset(
        w for w in re.findall(r"[^\W_]+", normalise(text)) if not cjk(w) and not (len(w) <= 2 and w.isalpha())
    )


def _occurs(haystack: str, needle: str) -> bool:
    """``needle`` in ``haystack`` as a whole word (a CJK needle anywhere); a part of a
    hyphenated word counts: ``public-key`` shows ``public``."""
    if not needle:
        return False
    if needle not in haystack:
        return False  # the quick answer, and the usual one
    if cjk(needle):
        return True
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


def answer_shown(card: Candidate) -> str | None:
    """The answer is on the front already: the hidden text (or a name in it) again
    elsewhere in the question or in the breadcrumb, its acronym or a gloss (``i.e.``,
    ``即``, a translation in parentheses) right beside the gap, or (a question/answer
    card) the whole answer inside the question.

    >>> answer_shown(candidate_of("phrases", "[...] splits memory into pages.", "Paging", crumbs=("OS", "Paging")))
    'the breadcrumb shows "Paging"'
    >>> answer_shown(
    ...     candidate_of("phrases", "[...] (DHCP) hands out addresses.", "Dynamic Host Configuration Protocol")
    ... )
    'the front shows its acronym DHCP'
    >>> answer_shown(
    ...     candidate_of(
    ...         "phrases", "Innodb 设计了一个[...]。", "缓冲池（Buffer Pool）", crumbs=("为什么要有 Buffer Pool？",)
    ...     )
    ... )
    'the breadcrumb shows "Buffer Pool"'
    >>> answer_shown(candidate_of("phrases", "发送[...]（Echo Request）的消息", "回送请求"))
    'a gloss beside the gap gives "回送请求" away'
    >>> answer_shown(
    ...     candidate_of(
    ...         "phrases",
    ...         "Il [...] copia il master.",
    ...         "flip-flop Slave",
    ...         crumbs=("master-slave latch (o flip-flop SR master-slave)",),
    ...     )
    ... )
    'the breadcrumb shows the words of "flip-flop Slave"'
    >>> answer_shown(candidate_of("phrases", "Logarithmic map ([...]) sends a rotation to its axis.", "log"))
    'the front shows "Logarithmic", which begins with it'
    >>> answer_shown(candidate_of("phrases", "Cells make [...] in mitochondria.", "ATP")) is None
    True
    """
    return _shown_again(card) or _shown_beside(card)


def hidden_shown(card: Candidate) -> str | None:
    """The hidden text itself stands elsewhere in its sentence, as it is: a hard rule,
    whatever the score. The breadcrumb naming it, a name inside it shown, its acronym or
    a gloss beside it make the card guessable, not void (../shared/JUDGING.md): they only
    weigh against it (``answer_shown``).

    >>> hidden_shown(candidate_of("phrases", "[...] splits memory into pages, as paging does.", "Paging"))
    'the front shows "Paging" as it is'
    >>> hidden_shown(candidate_of("phrases", "[...] splits memory.", "Paging", crumbs=("OS", "Paging")))
    >>> hidden_shown(candidate_of("phrases", "[...] (DHCP) hands out addresses.", "Dynamic Host Config Protocol"))
    """
    needle = normalise(card.view.hidden)
    if width(needle) < 2:
        return None
    if _occurs(normalise(card.view.rest), needle):
        return f'the front shows "{card.view.hidden.strip()}" as it is'
    return None


def answer_in_question(card: Candidate) -> str | None:
    """A question card whose whole answer stands in its question (rule ``hidden_shown``
    for question/answer cards: a hard rule; in the breadcrumb it only weighs against it).

    >>> answer_in_question(candidate_of("qa", "What is TCP?", back="TCP"))
    'the question shows the answer "TCP"'
    >>> answer_in_question(candidate_of("qa", "Which protocol?", back="TCP", crumbs=("Net", "TCP")))
    """
    back = normalise(card.view.back)
    if back and _occurs(normalise(card.view.front), back):
        return f'the question shows the answer "{card.view.back[:40]}"'
    return None


def _shown_again(card: Candidate) -> str | None:
    """The hidden text, or a name inside it, again in the front or in the breadcrumb;
    a short word the front shows as the start of a longer one."""
    for part in _parts(card.view.hidden):
        needle = normalise(part)
        if width(needle) < 2 or (part != card.view.hidden and width(needle) < 3):
            continue
        if _occurs(normalise(card.view.rest), needle):
            return f'the front shows "{part}" again'
        if any(_occurs(normalise(c), needle) for c in card.crumbs):
            return f'the breadcrumb shows "{part}"'
    bare = card.view.hidden.strip()
    if re.fullmatch(r"[A-Za-z]{3,}", bare):
        longer = re.search(rf"(?<![\w-]){re.escape(bare)}[a-z]+", card.view.rest, re.IGNORECASE)
        if longer:
            return f'the front shows "{longer.group(0)}", which begins with it'
    crumb_words = {w for c in card.crumbs for w in _latin_words(c)}
    hidden_words = _latin_words(card.view.hidden) - _STOPWORDS
    if hidden_words and not cjk(card.view.hidden) and hidden_words <= crumb_words:
        return f'the breadcrumb shows the words of "{card.view.hidden.strip()[:40]}"'
    return None


def _shown_beside(card: Candidate) -> str | None:
    """The hidden text's acronym, a gloss, or its letters spelled out beside the gap."""
    acronym = _acronym(card.view.hidden)
    if len(acronym) >= 2 and re.search(rf"[(（]\s*{re.escape(acronym)}s?\s*[)）]", normalise(card.view.front)):
        return f"the front shows its acronym {acronym.upper()}"
    if _GLOSS.match(card.view.after):
        return f'a gloss beside the gap gives "{card.view.hidden}" away'
    bare = card.view.hidden.strip()
    if 2 <= len(bare) <= 8 and bare.isupper() and bare.isalpha():
        spelled = r"[\s\-/]+".join(rf"{re.escape(ch)}\w*" for ch in bare.casefold())
        if re.search(rf"(?<!\w){spelled}", normalise(card.view.rest)):
            return f"the front spells out {bare}"
    return None


def label_question(card: Candidate) -> str | None:
    """A mined question that is only a label (``Remarks``, ``Problem``, ``Proof``, ``注``)
    asks nothing; only ``Def`` under a breadcrumb that names the thing asks for its
    definition.

    >>> label_question(candidate_of("qa", "Remarks", back="At most one index is zero.", crumbs=("Electrodynamics",)))
    'the question is the label "Remarks"'
    >>> label_question(
    ...     candidate_of("qa", "Def", back="A space locally like R^n.", crumbs=("Topology", "Manifold"))
    ... ) is None
    True
    """
    core = normalise(card.view.front.rstrip(":：?？ ."))
    if core in LABEL_WORDS or core in having("question_label"):
        # "Manifold › Def" asks for the definition of what the breadcrumb names; a proof,
        # remarks or examples of it ask for nothing in particular
        defines = core in having("defines")
        named = (
            len(card.crumbs) >= 2 and len(words(card.crumbs[-1])) <= 5 and normalise(card.crumbs[-1]) not in LABEL_WORDS
        )
        if not (defines and named):
            return f'the question is the label "{card.view.front}"'
    return None


def vague_term(card: Candidate) -> str | None:
    """A short bullet with one short child is not always a term and its definition
    (``drivers`` → ``nvidia drivers``, a journal bullet and its note): a term card needs
    an explanation of three words (six CJK characters) or more that is not the term
    again with a word added.

    >>> vague_term(candidate_of("qa", "drivers", back="nvidia drivers", facts=Asked("term")))
    'the answer does not explain "drivers"'
    >>> vague_term(
    ...     candidate_of(
    ...         "qa",
    ...         "Competitive inhibitor",
    ...         back="Binds the active site and competes with the substrate.",
    ...         facts=Asked("term"),
    ...     )
    ... ) is None
    True
    """
    if not isinstance(card.facts, Asked) or card.facts.form != "term":
        return None
    answer, term = normalise(card.view.back), normalise(card.view.front)
    short = len(words(answer)) < 3 and cjk(answer) < 6
    if short or (term in answer and len(words(answer)) <= len(words(term)) + 2 and cjk(answer) <= cjk(term) + 4):
        return f'the answer does not explain "{card.view.front}"'
    return None


_LINK_ONLY = re.compile(r"^(?:https?://\S+|[^\w\[\]])*$")


def empty_answer(card: Candidate) -> str | None:
    """A question card whose answer says nothing (empty, only links, or only an image)
    cannot be checked.

    >>> empty_answer(candidate_of("qa", "What is the plan?", back="https://example.org/plan"))
    'the answer says nothing'
    >>> empty_answer(candidate_of("qa", "Open papers", back="{{query (and [[paper]] (task TODO))}}"))
    'the answer is a Logseq macro, not words'
    >>> empty_answer(candidate_of("qa", "What is ATP?", back="The energy currency of the cell.")) is None
    True
    """
    if not card.view.back.strip() or _LINK_ONLY.match(card.view.back.strip()):
        return "the answer says nothing"
    if re.fullmatch(
        r"(?:•\s*)?\{\{\s*(?:query|embed|renderer|video|tweet|youtube|pdf)\b.*\}\}", card.view.back.strip(), re.S | re.I
    ):
        return "the answer is a Logseq macro, not words"
    return None


# ------------------------------------------------------------------ a heading's paragraph

#: The longest paragraph a section card takes (plain characters): more is a passage to read.
SECTION_CHARS = 400


def _marked(inline: Inline) -> bool:
    """A paragraph with a bold or highlighted phrase that is not a leading label: the
    writer marked what to remember, and the phrases kind asks exactly that."""
    for start, close in spans(inline):
        after = (
            inline.tokens[close + 1].content
            if close + 1 < len(inline.tokens) and inline.tokens[close + 1].type == "text"
            else ""
        )
        leading = all(t.type == "text" and not t.content.strip() for t in inline.tokens[:start])
        if not (
            leading
            and (
                span_text(inline, (start, close)).rstrip().endswith((":", "："))
                or after.lstrip().startswith((":", "："))
            )
        ):
            return True
    return False


def section_problem(paragraph: Paragraph | None, formulas: list[Paragraph]) -> str | None:
    """Why a section's one paragraph (and the formulas after it) is no answer to its
    heading, or None; the sections kind then proposes nothing (a silent no)."""
    if paragraph is None:
        return None
    text = plain_text(paragraph.inline)
    if (
        is_links_only(paragraph.inline)
        or is_image_only(paragraph.inline)
        or not says_something(prose(paragraph.inline.tokens))
    ):
        return "says nothing"
    if personal(text) or is_pointer(text):
        return "a personal remark or a pointer elsewhere"
    if _marked(paragraph.inline):
        return "its bold phrases are the writer's own gaps (phrases kind)"
    if len(text) > SECTION_CHARS:
        return "too long"
    if text.rstrip().endswith(("?", "？")):
        return "a question"
    if text.rstrip().endswith((":", "：")):
        if not any(is_formula(b) for b in formulas):
            return "a lead-in"
        if term_problem(text.rstrip().rstrip(":：")) is None:
            return "a label line (its formula is a card of its own)"
    split = split_term(paragraph.inline.tokens)
    if split is not None and (
        is_metadata(plain_text(Inline("", split[0]))) or is_passage_label(plain_text(Inline("", split[0])))
    ):
        return "metadata"
    return None


# ------------------------------------------------------------------ a worked problem's solution

#: The most a solution may be (blocks, plain characters): more is a chapter to read.
SOLUTION_BLOCKS = 10
SOLUTION_CHARS = 1500


def solution_fits(blocks: int, chars: int) -> bool:
    """Whether a solution is short enough to recall: one to ten blocks, 1,500 characters."""
    return 0 < blocks <= SOLUTION_BLOCKS and chars <= SOLUTION_CHARS


def long_solution(card: Candidate) -> str | None:
    """A worked problem whose solution is a chapter (rule ``not_a_fact`` for problems).

    >>> long_solution(candidate_of("problems", "Compute the integral.", back="…", facts=Solution(14, 3200)))
    'a solution of 14 blocks and 3200 characters: a chapter to read, not an answer to recall'
    """
    found = card.facts
    if not isinstance(found, Solution) or solution_fits(found.blocks, found.chars):
        return None
    return (
        f"a solution of {found.blocks} blocks and {found.chars} characters: a chapter to read, not an answer to recall"
    )
