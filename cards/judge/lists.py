"""Rules that look at a list asked step by step: is it a procedure?

Only a procedure is drilled as a sequence: "recall item 3 of this list" is a poor
question for a list of properties, advantages or a syllabus. A list is a procedure when
its heading, its lead-in or the bullet it sits under says so (steps, process, pipeline,
how to, 步骤, 流程, 过程 …), when most of its items start with an instruction (Install,
Deploy, Switch …), or when they read in sequence (then, finally, 然后, 最后); a lead-in
that names an enumeration (advantages, types, 优点, 特点 …) wins over a weak sign. A
bulleted list under a lead-in that names steps is a procedure too. The steps kind asks
:func:`procedure_reason` to know which lists' items are its own; the judge drops the
candidates of any other numbered list (rule ``not_a_procedure``), and their items stay
free for the other kinds.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..lexicon import alternation, having
from ..model import Candidate, ListShape
from ..notes.inline import ends_with_question
from ..text import cjk, width
from .as_text import candidate_of  # noqa: F401  (the examples' candidates)

_PROCEDURE = re.compile(
    rf"(?<![\w-])(?:{alternation('procedure', script='latin')})(?![\w-])|{alternation('procedure', script='cjk')}",
    re.IGNORECASE,
)
_STRONG_PROCEDURE = re.compile(
    rf"(?<![\w-])(?:{alternation('procedure_named', script='latin')})(?![\w-])"
    rf"|{alternation('procedure_named', script='cjk')}",
    re.IGNORECASE,
)
_ENUMERATION = re.compile(
    rf"(?<![\w-])(?:{alternation('enumeration')})(?![\w-])|{alternation('enumeration_inside')}",
    re.IGNORECASE,
)
_SEQUENCE = re.compile(
    rf"(?<![\w-])(?:{alternation('sequence', script='latin')})(?![\w-])|{alternation('sequence', script='cjk')}",
    re.IGNORECASE,
)
#: Instructions a procedure's steps start with (the first word, case-folded).
_VERBS = having("instruction")


def last_sentence(lead: str) -> str:
    """The sentence of a lead-in that introduces what follows it: its last one. A
    paragraph that mentions an instruction in passing (``A processor fetches one
    instruction at a time. Each has many cores.``) does not introduce steps.

    >>> last_sentence("A processor fetches one instruction at a time. Each GPU has many cores.")
    'Each GPU has many cores.'
    >>> last_sentence("安装步骤如下：")
    '安装步骤如下：'
    """
    pieces = [p for p in re.split(r"(?<=[.!?])\s+|(?<=[。！？])", lead.strip()) if p.strip()]
    return pieces[-1] if pieces else ""


def _is_sentence(title: str) -> bool:
    """A step title that reads as a sentence: a clause break inside a long CJK line, or
    more than twelve words (``Mix flour, water and salt`` is a name for a step)."""
    han = cjk(title)
    return (han >= 12 and re.search(r"[，；;]", title.rstrip("，；;。")) is not None) or len(title.split()) > 12


def _defines(title: str) -> bool:
    """A list item that reads ``Term: what it means`` (a short name, then a colon)."""
    head, colon, rest = title.partition(":")
    if not colon:
        head, colon, rest = title.partition("：")
    return bool(colon) and 0 < len(head.split()) <= 5 and len(head) <= 40 and len(rest.split()) >= 2


@lru_cache(maxsize=1024)
def procedure_reason(shape: ListShape) -> str | None:
    """Why a list is not a procedure, or None when it is one (see the module's doc).

    >>> procedure_reason(
    ...     ListShape(True, ("Fast reads", "Cheap storage"), ("Fast reads", "Cheap storage"), "", "Advantages")
    ... )
    'a list of Advantages, not a procedure'
    >>> procedure_reason(ListShape(True, ("Install", "Run"), ("Install it", "Run it"), "", "Setup")) is None
    True
    """
    titles = shape.titles
    verbs = sum(1 for t in titles if t.split() and t.split()[0].casefold().strip(".,:") in _VERBS)
    sequence = sum(1 for line in shape.lines if _SEQUENCE.search(line))
    strong = verbs * 2 >= len(titles) or sequence >= 2
    found = _items_are_no_steps(titles)
    if found is not None:
        return found
    if not shape.ordered:
        return (
            None if _STRONG_PROCEDURE.search(last_sentence(shape.lead)) else "a bulleted list, not introduced as steps"
        )
    enumeration = _ENUMERATION.search(shape.lead) or (not shape.lead and _ENUMERATION.search(shape.heading))
    if enumeration and not strong:
        return f"a list of {enumeration.group(0)}, not a procedure"
    if _PROCEDURE.search(f"{shape.lead} {shape.heading}") or strong:
        return None
    return "nothing says it is a procedure (steps, process, first … then, instructions)"


def _items_are_no_steps(titles: tuple[str, ...]) -> str | None:
    """Why most items are something other than named steps: questions, paragraphs,
    sentences, or terms with their meanings."""
    if any(ends_with_question(t) for t in titles):
        return "a list of questions, not of steps"
    if titles and sum(len(t) > 90 or width(t) > 120 for t in titles) * 2 > len(titles):
        return "its items are paragraphs, not steps with a name"
    if titles and sum(_is_sentence(t) for t in titles) * 2 > len(titles):
        return "its items are sentences, not steps with a name"
    if titles and sum(_defines(t) for t in titles) * 2 > len(titles):
        return "its items define terms (term: meaning), they are not steps"
    return None


def not_a_procedure(card: Candidate) -> str | None:
    """A numbered list that is not a procedure gives no steps cards: "recall item 3" of
    a list of properties, advantages or chapters is a poor question.

    >>> not_a_procedure(
    ...     candidate_of(
    ...         "steps",
    ...         "1. [...] 2. Durability",
    ...         "Atomicity",
    ...         facts=ListShape(True, ("Atomicity", "Durability"), ("Atomicity", "Durability"), "", "ACID properties"),
    ...     )
    ... )
    'a list of properties, not a procedure'
    """
    return procedure_reason(card.facts) if isinstance(card.facts, ListShape) else None
