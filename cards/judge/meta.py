"""Rules that look at the card as a whole: where it sits, who speaks in it, how long it
is, what it leans on, whether markup was left in it.

A fact is worth reviewing when the card can be answered from what it shows: not a
sentence about the writer or the text (``personal_or_meta``), nor one that points at
something the card cannot show (``dangling_reference``) or leans on the sentence before
it (``leans_on_before``), nor a lead-in (``lead_in_gap``), nor a paragraph to read
(``long_front``), nor a phrase with nothing around it (``thin_context``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..lexicon import alternation
from ..model import GAP, Candidate, Opening, Summary
from ..text import cjk, width, words
from .as_text import candidate_of  # noqa: F401  (the examples' candidates)

_SPACES = r"\s+"  # a space of the lexicon's words: any run of spaces

_MATH = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.S)


#: A breadcrumb level that opens one worked example or exercise (``Example 2``, ``esempio di ALU``,
#: ``例题``), or a section of them (``Exercises``, ``Esempi:``); ``Examples of transport`` lists facts.
_EXAMPLE = re.compile(
    rf"^(?:{alternation('example')})(?![\w-])|^(?:{alternation('examples')})\s*[0-9.:：)-]*\s*$"
    rf"|^(?:{alternation('example_label')}|例\s*[0-9一二三四五六七八九十])",
    re.IGNORECASE,
)


def worked_example(card: Candidate) -> str | None:
    """A term, a section or a table row inside a worked example or an exercise holds that
    example's own values (``Y1 = A·B' + AC`` of one circuit, the state ``S11`` of one
    automaton): nothing to remember once the example is gone. Phrases and questions
    there may still state general facts and stay.

    >>> worked_example(
    ...     candidate_of("sections", "SOP forms of the outputs", back="Y1 = AB' + AC", crumbs=("PLA", "esempio"))
    ... )
    'belongs to a worked example ("esempio")'
    >>> worked_example(candidate_of("terms", "Sum", back="6", crumbs=("Induction", "Exercises")))
    'belongs to a worked example ("Exercises")'
    >>> worked_example(
    ...     candidate_of(
    ...         "terms", "Osmosis", back="water crossing a membrane", crumbs=("Cells", "Examples of transport")
    ...     )
    ... ) is None
    True
    """
    found = next((c for c in card.crumbs if _EXAMPLE.match(c.strip())), None)
    return f'belongs to a worked example ("{found[:40]}")' if found else None


_DANGLING = re.compile(
    rf"(?<![\w])(?:{alternation('dangling', script='latin')}|(?:above|below)$)|{alternation('dangling', script='cjk')}",
    re.IGNORECASE,
)


def dangling_reference(card: Candidate) -> str | None:
    """A sentence about something the card cannot show (``the formula above``, ``如图``,
    ``上式称为 …``) cannot be answered from its front.

    >>> dangling_reference(candidate_of("phrases", "上式称为 [...]。", "特征方程"))
    'refers to something the card does not show ("上式")'
    >>> dangling_reference(candidate_of("phrases", "The [...] is shown above.", "loss curve"))
    'refers to something the card does not show ("shown above")'
    """
    found = _DANGLING.search(_MATH.sub(" ", card.view.rest))
    return f'refers to something the card does not show ("{found.group(0).strip(" ,.")}")' if found else None


_PERSONAL = re.compile(
    rf"(?<![\w'])(?:{alternation('about_the_text', script='latin', either_case=True)})(?![\w'])"
    rf"|我(?!们)|{alternation('about_the_text', script='cjk')}|\d+\s*分(?![钟子析布类解配])",
)


#: Thanks to the reader, in the gap or around it: a closing remark, never a fact.
_THANKS = re.compile(
    rf"{alternation('thanks', script='cjk')}|(?<![\w])(?:{alternation('thanks', script='latin')})(?![\w])",
    re.IGNORECASE,
)


#: Faces, gestures and fire (😂 🤣 🗿 🔥 🙏) and their Chinese web slang (哈哈, 手动狗头): a
#: sentence that laughs or cheers is an aside. Markers people put on facts (✅ ❌ ⚠️ 📌) are no jokes.
_JOKE = re.compile(
    "[\U0001f600-\U0001f64f\U0001f910-\U0001f92f\U0001f970-\U0001f97a\U0001f5e3\U0001f5ff\U0001f525\U0001f4aa]|"
    + alternation("laughter")
)


def personal_or_meta(card: Candidate) -> str | None:
    """A sentence about the writer, the reader or the text itself (``my plan is …``,
    ``today we look at …``, ``再来，我们说说 …``, exam points) holds no fact to learn.

    >>> personal_or_meta(candidate_of("phrases", "所以我的学习规划基本上是[...]的", "C++ 服务端方向"))
    'speaks of the writer or the text ("我")'
    >>> personal_or_meta(candidate_of("phrases", "QUESTO È [...] 🗿🔥🔥", "BASATO"))
    'a joke or an aside ("🗿")'
    >>> personal_or_meta(candidate_of("phrases", "其实主要还是[...]。", "谢谢你们的支持"))
    'speaks of the writer or the text ("谢谢")'
    >>> personal_or_meta(candidate_of("phrases", "The kernel schedules [...] by priority.", "threads")) is None
    True
    """
    found = _PERSONAL.search(_MATH.sub(" ", card.view.rest)) or _THANKS.search(f"{card.view.rest} {card.view.hidden}")
    if found:
        return f'speaks of the writer or the text ("{found.group(0)}")'
    joke = _JOKE.search(card.view.rest)
    return f'a joke or an aside ("{joke.group(0)}")' if joke else None


def leans_on_before(card: Candidate) -> str | None:
    """A sentence that opens a paragraph leaning on what came before it (``It …``,
    ``这就是 …``) needs text the card does not show (within a paragraph, the sentence
    before it is shown with it instead).

    >>> leans_on_before(
    ...     candidate_of("phrases", "这就是所谓的[...]。", "粘包问题", facts=Opening("这就是所谓的粘包问题。"))
    ... )
    'opens with a reference to text before it'
    >>> leans_on_before(
    ...     candidate_of("phrases", "这一阶段结束后形成了 [...]。", "R1", facts=Opening("这一阶段结束后形成了 R1。"))
    ... ) is None
    True
    """
    opening = card.facts
    if isinstance(opening, Opening) and refers_to_nothing_shown(opening.sentence):
        return "opens with a reference to text before it"
    return None


def lead_in_gap(card: Candidate) -> str | None:
    """A sentence that ends in a colon introduces what follows (a list, a formula): the
    fact is below it, so a gap in it asks for half a thought.

    >>> lead_in_gap(candidate_of("phrases", "The [...] has three stages:", "Krebs cycle"))
    'the sentence introduces what follows'
    """
    if card.view.front.rstrip().endswith((":", "：")):
        return "the sentence introduces what follows"
    return None


LONG_FRONT = 300


LONG_SENTENCE = 200  # width: a CJK character counts two


def long_front(card: Candidate) -> str | None:
    """A question of over 300 characters is a paragraph to read, not a question to answer.

    >>> long_front(candidate_of("qa", "x" * 301))
    'the front is 301 characters'
    """
    full = card.view.front.replace(GAP, card.view.hidden)
    return f"the front is {len(full)} characters" if len(full) > LONG_FRONT else None


def long_sentence(card: Candidate) -> str | None:
    """A phrase card's sentence over 200 wide (a CJK character counting two: about 40
    words or 100 characters) is one to decipher (rule ``long_front`` for phrases).

    >>> long_sentence(candidate_of("phrases", "一" * 110 + "[...]", "y"))
    'the sentence is 221 wide'
    """
    full = card.view.front.replace(GAP, card.view.hidden)
    return f"the sentence is {width(full)} wide" if width(full) > LONG_SENTENCE else None


def thin_context(card: Candidate) -> str | None:
    """A phrase with almost nothing around it cannot be recalled from its sentence: fewer
    than three words (six CJK characters) besides the gap. (A step's context is its
    list and its heading path.)

    >>> thin_context(candidate_of("phrases", "[...] :point_down:", "HTTP 篇"))
    'too little around the gap to recall it from'
    >>> thin_context(candidate_of("phrases", "Mitochondria in cells make [...].", "ATP")) is None
    True
    """
    rest = re.sub(r":[a-z_]+:", " ", card.view.rest)  # :emoji: shortcodes say nothing
    if len(words(rest)) < 3 and cjk(rest) < 6 and not (cjk(rest) >= 3 and words(rest)):
        return "too little around the gap to recall it from"
    return None


_RAW = re.compile(
    r"\*\*|==|\^\^|\[\[|\]\]|<!--|\{:|\(\(|\)\)|(?<![\w\\])\$(?!\s)|(?<![\w-])(?:TODO|DONE|DOING|LATER|WAITING|CANCEL+ED)(?![\w-])"
    r"|#\+(?:BEGIN|END)_\w+"
)


def markup_left(card: Candidate) -> str | None:
    """Raw markup a learner should never see (``**``, ``==``, ``[[``, ``((``, ``$``, a
    task marker) left on a side or in the breadcrumb after rendering: the note wrote
    something the renderer could not read, so the card would show noise.

    >>> markup_left(candidate_of("qa", "What is ((64a1-ff))?", back="x"))
    'shows raw "(("'
    >>> markup_left(candidate_of("qa", "What is TCP?", back="A protocol")) is None
    True
    """
    for side in (card.view.front, card.view.back, *card.crumbs):
        found = _raw(side)
        if found:
            return f'shows raw "{found}"'
    return None


@lru_cache(maxsize=8192)
def _raw(text: str) -> str:
    """The first raw markup outside formulas ("" for none): breadcrumbs repeat, card after card."""
    found = _RAW.search(_MATH.sub(" ", text))
    return found.group(0) if found else ""


_BARE_REFERENCE = re.compile(
    rf"^(?:{alternation('bare_reference', script='latin')})\b|^(?:{alternation('bare_reference', script='cjk')})",
    re.IGNORECASE,
)


def refers_to_nothing_shown(sentence: str) -> bool:
    """Whether a sentence that opens its paragraph stands on text before the paragraph:
    a bare pronoun or connector (``It …``, ``So …``, ``这就是 …``); a noun after "this"
    (``This stage …``, ``这一阶段 …``) is named by the heading above.

    >>> refers_to_nothing_shown("这就是所谓的粘包问题。"), refers_to_nothing_shown("这一阶段结束后形成了 R1。")
    (True, False)
    """
    return bool(_BARE_REFERENCE.match(sentence.strip()))


_SELF = re.compile(
    rf"(?<![\w])I(?:{alternation('contraction')}|\s+(?:{alternation('first_person_verb')}))(?![\w])"
    rf"|(?<![\w])(?:{alternation('first_person')})(?![\w])|我(?!们)|{alternation('self_promotion', script='cjk')}"
    rf"|(?<![\w])(?:{alternation('self_promotion', script='latin')})(?![\w])",
    re.IGNORECASE,
)


def personal(text: str) -> bool:
    """The writer speaking of themself (``I think``, ``我也没搞懂``), asking for a follow or
    thanking the reader: a remark, not a fact about the subject.

    >>> personal("HyperLogLog 太费脑子了，我也没有搞懂"), personal("Scored on a scale of I to VI.")
    (True, False)
    >>> personal("其实主要还是谢谢你们的支持"), personal("Thanks for reading!")
    (True, True)
    """
    return bool(_SELF.search(text))


#: A summary that names the widget, not a question: the <details> folds a long passage away.
_OPENER = re.compile(
    rf"^\W*(?:click\s+(?:here\s+)?(?:to\s+)?(?:expand|open|show|see|view)\w*"
    rf"|{alternation('opener', spaces=_SPACES)})\W*$",
    re.IGNORECASE,
)


def opens_only(summary: str) -> bool:
    """A summary that only says how to open the block (``click to expand``, ``展开``):
    the author folded a long passage away; nothing is asked.

    >>> opens_only("click to expand"), opens_only("Show more"), opens_only("What is a heap?")
    (True, True, False)
    """
    return _OPENER.match(summary.strip()) is not None


def opens_only_summary(card: Candidate) -> str | None:
    """A ``<details>`` whose summary only says how to open it asks nothing (rule
    ``not_a_fact`` for details: the one rule a written card answers to).

    >>> opens_only_summary(
    ...     candidate_of(
    ...         "details", "click to expand", back="A long log.", written=True, facts=Summary("click to expand")
    ...     )
    ... )
    'its summary only says how to open it ("click to expand")'
    """
    summary = card.facts
    if isinstance(summary, Summary) and opens_only(summary.text):
        return f'its summary only says how to open it ("{summary.text.strip()}")'
    return None
