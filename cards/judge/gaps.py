"""Rules that look at the gap of a cloze: what it hides, and what stands right beside it.

A gap is the learner's question. It must hide a fact: not a letter or a reference
number (``tiny_gap``), not a label that heads a passage (``label_gap``), not a whole
clause to recite (``clause_gap``), not emphasis alone (``emphasis_gap``).
"""

from __future__ import annotations

import re

from ..lexicon import alternation, having
from ..model import Candidate
from ..text import CJK_RUN, cjk, normalise, width, words
from .as_text import candidate_of  # noqa: F401  (the examples' candidates)

__all__ = [
    "LABEL_WORDS",
    "EMPHASIS",
    "is_label",
    "is_ordinal",
    "tiny_gap",
    "label_gap",
    "clause_gap",
    "step_gap",
    "emphasis_gap",
]


def tiny_gap(card: Candidate) -> str | None:
    """A gap of at most two characters (a letter, a symbol, one CJK character) asks
    nothing worth remembering: the bold initials of ``**D**ictionary **O**f **K**eys``,
    a bold variable.

    >>> tiny_gap(candidate_of("phrases", "[...]ictionary Of Keys", "D"))
    'hides "D", 1 character'
    >>> tiny_gap(candidate_of("phrases", "such that [...] holds", "(1)"))
    'hides "(1)", an equation or reference number'
    >>> tiny_gap(candidate_of("phrases", "A [...] is a running program.", "进程")) is None
    True
    """
    if width(card.view.hidden) <= 2:
        return f'hides "{card.view.hidden}", {width(card.view.hidden)} character{"s" * (width(card.view.hidden) != 1)}'
    if re.fullmatch(r"\s*[(\[（]\s*\d+(?:\.\d+)*\s*[)\]）]\s*", card.view.hidden):
        return f'hides "{card.view.hidden.strip()}", an equation or reference number'
    return None


#: Words that head a passage rather than state a fact (folded; the lexicon's role ``label``).
LABEL_WORDS = having("label")


_ORDINAL = re.compile(
    rf"^(?:{alternation('ordinal_label')})\s*[0-9一二三四五六七八九十百]+(?:\.[0-9]+)*\s*[步种点类个条章节]?\.?$",
    re.I,
)


_SECTION = re.compile(r"^\d+(?:\.\d+)+\.?\s+\S|^\d+\.\s+\S")  # "3.4 Descriptor", "2. Methods"; not "50 steps"


def is_label(text: str) -> bool:
    """A label word (``Note``, ``优点``), an ordinal (``方式一``, ``Step 2``) or a section
    number (``3.4 Descriptor``), with or without its colon: heads a passage.

    >>> is_label("Note:"), is_label("方式一"), is_label("3.4 Descriptor"), is_label("glycolysis")
    (True, True, True, False)
    """
    core = normalise(text.strip().rstrip(":：").strip())
    return core in LABEL_WORDS or is_ordinal(text) or bool(_SECTION.match(text.strip()))


def is_ordinal(text: str) -> bool:
    """A numbered label: ``方式一``, ``Step 2``, ``定理 4``, ``例 6.3``.

    >>> is_ordinal("方式一"), is_ordinal("Step 2:"), is_ordinal("Windows 10")
    (True, True, False)
    """
    return bool(_ORDINAL.match(normalise(text.strip().rstrip(":：").strip())))


def label_gap(card: Candidate) -> str | None:
    """A gap that hides a label (a word that heads a passage) instead of a fact: it ends
    with a colon or is followed by one, is a label word (``Note``, ``Solution``,
    ``优点``), an ordinal (``方式一``, ``Step 2``) or a section number (``3.4 Descriptor``).
    A ``**term**: definition`` line is a definition, made into a question by its own kind.

    >>> label_gap(candidate_of("phrases", "[...] check the sign first.", "Note:"))
    'hides the label "Note:"'
    >>> label_gap(candidate_of("phrases", "[...]: water crossing a membrane", "Osmosis"))
    'hides "Osmosis", followed by a colon'
    >>> label_gap(candidate_of("phrases", "[...] uses a hash table.", "方式一"))
    'hides the label "方式一"'
    >>> label_gap(
    ...     candidate_of("phrases", "[...] Yes, by the completeness axiom.", "Is every bounded set bounded above?")
    ... )
    'hides a question, not its answer'
    >>> label_gap(candidate_of("phrases", "Glucose is split by [...].", "glycolysis")) is None
    True
    """
    hidden = card.view.hidden.strip()
    if hidden.endswith(("?", "？")):
        return "hides a question, not its answer"
    if hidden.endswith((":", "：")) or is_label(hidden):
        return f'hides the label "{hidden}"'
    leads = len(words(card.view.before)) <= 2 and cjk(card.view.before) <= 4
    if leads and card.view.after.lstrip(" *").startswith((":", "：")):
        return f'hides "{hidden}", followed by a colon'
    return None


def clause_gap(card: Candidate) -> str | None:
    """A gap that hides a clause or a whole sentence asks the learner to recite prose,
    not to recall a fact: more than six words or twelve CJK characters, a clause break
    (a comma, a full stop) inside more than four words or eight CJK characters, or three
    words or more that outweigh the rest of the sentence (a long name is one word). A
    translation in parentheses does not count.

    >>> clause_gap(candidate_of("phrases", "所以，[...]。", "TCP 会重传报文，直到收到确认"))
    'hides a clause (TCP 会重传报文，直到收到确认)'
    >>> clause_gap(
    ...     candidate_of("phrases", "TCP gives applications a [...] on top of IP.", "reliable, ordered byte stream")
    ... ) is None
    True
    """
    hidden = card.view.hidden.strip()
    core = _without_glosses(hidden)
    words_, han = _counts(core)
    inner = re.search(r"[,，;；。]|[.!?](?:\s|$)", core.strip().rstrip(".。!！?？"))
    if (
        words_ > 6
        or han > 12
        or (inner and (words_ > 4 or han > 8))
        or ((words_ >= 3 or han >= 6) and width(core) > width(card.view.rest))
    ):
        return f"hides a clause ({hidden[:40]})"
    return None


def step_gap(card: Candidate) -> str | None:
    """A step may be a longer instruction than a phrase, commas and all: a gap that
    hides more than ten words or twenty CJK characters hides a sentence (rule
    ``clause_gap`` for every cloze kind but phrases).

    >>> step_gap(
    ...     candidate_of("steps", "1. SFT 2. [...] 3. 拒绝采样", "推理取向的强化学习 (Reasoning Oriented RL，GRPO)")
    ... ) is None
    True
    """
    hidden = card.view.hidden.strip()
    words_, han = _counts(_without_glosses(hidden))
    return f"hides a sentence ({hidden[:40]})" if words_ > 10 or han > 20 else None


def _without_glosses(hidden: str) -> str:
    """The hidden text without what stands in parentheses (a translation, an acronym)."""
    return re.sub(r"\([^()]*\)|（[^（）]*）", " ", hidden)


def _counts(core: str) -> tuple[int, int]:
    """(words of Latin script or digits, CJK characters)."""
    return len([t for t in core.split() if re.search(r"[A-Za-z0-9\u00c0-\u024f]", t)]), cjk(core)


#: Words that stress rather than state: a gap hiding only these tests nothing (the lexicon's role ``emphasis``).
EMPHASIS = having("emphasis")


def emphasis_gap(card: Candidate) -> str | None:
    """A gap that hides only emphasis (``not``, ``always``, ``一定``): bold used to
    stress a sentence, not to mark its fact.

    >>> emphasis_gap(candidate_of("phrases", "Antibiotics do [...] treat viral infections.", "not"))
    'hides emphasis only ("not")'
    >>> emphasis_gap(candidate_of("phrases", "L insieme delle parti [...].", "CONTIENE INSIEME VUOTO"))
    'shouts rather than names ("CONTIENE INSIEME VUOTO")'
    >>> emphasis_gap(candidate_of("phrases", "A set is open [...] its complement is closed.", "if and only if"))
    'hides emphasis only ("if and only if")'
    >>> emphasis_gap(candidate_of("phrases", "先来看看[...]，线程会被阻塞。", "阻塞 I/O")) is None
    True
    >>> emphasis_gap(candidate_of("phrases", "Antibiotics do not treat [...] infections.", "viral")) is None
    True
    """
    folded = normalise(card.view.hidden)
    tokens = words(folded) + CJK_RUN.findall(folded) or [card.view.hidden.strip()]  # 阻塞 I/O is no "I"
    if all(t in EMPHASIS for t in tokens):
        return f'hides emphasis only ("{card.view.hidden.strip()}")'
    parts = card.view.hidden.split()
    shouted = [w for w in parts if re.fullmatch(r"[A-Z][A-Z'’\-]*[A-Z]", w.strip(".,;:!?()"))]
    if not cjk(card.view.hidden) and len(parts) >= 2 and len(shouted) == len(parts) and max(map(len, shouted)) > 4:
        return f'shouts rather than names ("{card.view.hidden.strip()[:30]}")'
    return None
