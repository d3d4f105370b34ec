"""What the score reads of a candidate: numbers that hold for notes in general.

The keep-probability (judge/score.py) is learned from judged candidates of many vaults
(benchmarks/labels/, benchmarks/train.py), so what it reads must mean the same in every
vault and language: the shape of the front and of the answer (lengths, a question mark,
a gap alone on its line, digits, a gloss beside the gap), how much of the answer the rest
of the card already shows, which of the rules object (each rule's verdict is one
feature, never a veto), how the candidate's note fares (how many of its candidates the
rules flag, how many share its line), and how often its question, answer, first word
and heading recur as lines across the vault (judge/vault.py: template and boilerplate
recur, facts do not). No word list and no vault's own vocabulary.

:data:`NAMES` fixes the order of the numbers; a model file names the features it was
trained on, and score.py refuses a model whose names differ.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from ..kinds import KINDS
from ..model import GAP, Asked, Candidate, ListShape, TableShape, TermFacts
from ..text import CJK, normalise, width
from .rules import RULES
from .vault import Recurrence, first_word, shape

#: The mined kinds (the written ones are never scored).
MINED: tuple[str, ...] = tuple(kind.name for kind in KINDS if not kind.written)

_PUNCT = re.compile(r"[,，;；。.!?:：]")
_LEAD_IN = re.compile(r"[:：]\s*$")
_BLANKS = " :：.-—*"


def _rule_names() -> tuple[str, ...]:
    return tuple(dict.fromkeys(rule.name for rule in RULES))


#: Every feature, in the order a model reads them.
NAMES: tuple[str, ...] = (
    *(f"kind={k}" for k in MINED),
    "cloze",
    *(f"rule={name}" for name in _rule_names()),
    "answer_width",
    "answer_words",
    "answer_cjk",
    "answer_digits",
    "answer_upper",
    "answer_punct",
    "front_width",
    "front_words",
    "back_width",
    "rest_words",
    "rest_cjk",
    "crumbs",
    "question_mark",
    "image",
    "math",
    "gap_at_start",
    "gap_only",
    "gloss_after_gap",
    "colon_after_gap",
    "answer_in_context",
    "answer_in_crumbs",
    "asked=question",
    "asked=case",
    "asked=term",
    "answer_lead_in",
    "list_items",
    "list_title_width",
    "list_ordered",
    "table_columns",
    "table_rows",
    "term_marked",
    "term_dashed",
    "same_line",
    "note_flagged",
    "note_candidates",
    "recur_front",
    "recur_first",
    "recur_answer",
    "recur_heading",
)
INDEX = {name: i for i, name in enumerate(NAMES)}


def answer_of(candidate: Candidate) -> str:
    """What the learner recalls: the hidden text of a cloze, the back of a question."""
    return candidate.view.hidden if candidate.cloze else candidate.view.back


@lru_cache(maxsize=4096)
def _grams(text: str) -> frozenset[str]:
    """Character trigrams of a text's letters (spaces out), for overlap across scripts.
    Cached: a note's candidates share their breadcrumbs and often their sentence."""
    folded = "".join(normalise(text).split())
    if len(folded) <= 2:
        return frozenset((folded,)) if folded else frozenset()
    return frozenset({folded[i : i + 3] for i in range(len(folded) - 2)})


def _share(part: frozenset[str], whole: frozenset[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


def _log_width(text: str) -> float:
    return math.log1p(width(text)) if text else 0.0


def _shape_features(candidate: Candidate, out: list[float]) -> None:
    """Lengths and marks of the front and the answer."""
    view = candidate.view
    answer = answer_of(candidate)
    rest = view.rest if candidate.cloze else view.front
    letters = sum(map(str.isalpha, answer))
    out[INDEX["answer_width"]] = _log_width(answer)
    out[INDEX["answer_words"]] = math.log1p(len(answer.split()))
    out[INDEX["answer_cjk"]] = math.log1p(len(CJK.findall(answer)))
    out[INDEX["answer_digits"]] = sum(map(str.isdigit, answer)) / max(1, len(answer))
    out[INDEX["answer_upper"]] = sum(map(str.isupper, answer)) / max(1, letters)
    out[INDEX["answer_punct"]] = float(_PUNCT.search(answer.strip().rstrip(".。")) is not None)
    out[INDEX["front_width"]] = _log_width(view.front)
    out[INDEX["front_words"]] = float(min(len(view.front.split()), 8))
    out[INDEX["back_width"]] = _log_width(view.back)
    out[INDEX["rest_words"]] = math.log1p(len(rest.split()))
    out[INDEX["rest_cjk"]] = math.log1p(len(CJK.findall(rest)))
    out[INDEX["crumbs"]] = float(len(candidate.crumbs))
    out[INDEX["question_mark"]] = float(view.front.rstrip().endswith(("?", "？")))
    out[INDEX["image"]] = float("[image]" in view.front or "[image]" in answer)
    out[INDEX["math"]] = float("\\(" in view.front or "\\(" in answer)
    if candidate.cloze:
        # a gap that opens its sentence (a label before a colon, a subject); a list of step
        # titles is no sentence: its first step hidden says nothing of the kind
        out[INDEX["gap_at_start"]] = float(
            not isinstance(candidate.facts, ListShape) and view.front.lstrip().startswith(GAP)
        )
        out[INDEX["gap_only"]] = float(not rest.strip(_BLANKS))
        out[INDEX["gloss_after_gap"]] = float(view.after.lstrip().startswith(("(", "（")))
        out[INDEX["colon_after_gap"]] = float(view.after.lstrip(" *").startswith((":", "：")))
    if isinstance(candidate.facts, Asked):
        name = f"asked={candidate.facts.form}"
        if name in INDEX:
            out[INDEX[name]] = 1.0


def _facts_features(candidate: Candidate, out: list[float]) -> None:
    """What the kind knew of the candidate's source, in numbers: how long a list asked
    step by step is and how long its titles are, how wide a table asked row by row is,
    whether a term was set in bold or written ``Term — definition``; and whether the
    answer only introduces what follows (it ends in a colon: the rest is not on the card)."""
    answer = answer_of(candidate)
    out[INDEX["answer_lead_in"]] = float(bool(_LEAD_IN.search(answer)))
    facts = candidate.facts
    if isinstance(facts, ListShape):
        out[INDEX["list_items"]] = math.log1p(len(facts.titles))
        widths = [width(t) for t in facts.titles]
        out[INDEX["list_title_width"]] = math.log1p(sum(widths) / len(widths)) if widths else 0.0
        out[INDEX["list_ordered"]] = float(facts.ordered)
    elif isinstance(facts, TableShape):
        out[INDEX["table_columns"]] = float(len(facts.header))
        out[INDEX["table_rows"]] = math.log1p(len(facts.body))
    elif isinstance(facts, TermFacts):
        out[INDEX["term_marked"]] = float(facts.marked)
        out[INDEX["term_dashed"]] = float(facts.dashed)


@lru_cache(maxsize=1024)
def _crumb_grams(crumbs: tuple[str, ...]) -> frozenset[str]:
    return frozenset().union(*map(_grams, crumbs)) if crumbs else frozenset()


def _overlap_features(candidate: Candidate, out: list[float]) -> None:
    """How much of the answer the rest of the card shows already (guessable, trivial)."""
    view = candidate.view
    answer = _grams(answer_of(candidate))
    crumbs = _crumb_grams(candidate.crumbs)
    rest = _grams(view.rest if candidate.cloze else view.front)
    out[INDEX["answer_in_context"]] = _share(answer, rest | crumbs)
    out[INDEX["answer_in_crumbs"]] = _share(answer, crumbs)


def _recurrence_features(candidate: Candidate, recurrence: Recurrence, out: list[float]) -> None:
    """How many notes of the vault hold the candidate's question, answer, first word or
    heading as a line of theirs (judge/vault.py), in buckets."""
    if not recurrence.buckets:
        return  # no line of the note recurs: every count is 0
    view = candidate.view
    answer = answer_of(candidate)
    asked = view.front.replace(GAP, answer) if candidate.cloze else view.front
    front = shape(asked)
    out[INDEX["recur_front"]] = float(recurrence.of(f"h:{front}", f"p:{front}", f"l:{front[:60]}"))
    out[INDEX["recur_first"]] = float(recurrence.of(f"t:{first_word(asked)}"))
    said = shape(answer)
    out[INDEX["recur_answer"]] = float(recurrence.of(f"b:{said}", f"p:{said}", f"l:{said[:60]}"))
    if len(candidate.crumbs) > 1:
        out[INDEX["recur_heading"]] = float(recurrence.of(f"h:{shape(candidate.crumbs[-1])}"))


def features(
    candidate: Candidate,
    flags: frozenset[str],
    *,
    recurrence: Recurrence,
    same_line: int = 1,
    note_flagged: float = 0.0,
    note_candidates: int = 1,
) -> list[float]:
    """The numbers of :data:`NAMES` for one candidate. ``flags``: the rules that object to
    it; ``same_line``: how many candidates of its note come from its line;
    ``note_flagged``: the share of its note's mined candidates some rule objects to."""
    out = [0.0] * len(NAMES)
    kind = INDEX.get(f"kind={candidate.kind}")
    if kind is not None:
        out[kind] = 1.0
    out[INDEX["cloze"]] = float(candidate.cloze)
    for name in flags:
        out[INDEX[f"rule={name}"]] = 1.0
    _shape_features(candidate, out)
    _facts_features(candidate, out)
    _overlap_features(candidate, out)
    _recurrence_features(candidate, recurrence, out)
    out[INDEX["same_line"]] = math.log(max(1, same_line))
    out[INDEX["note_flagged"]] = note_flagged
    out[INDEX["note_candidates"]] = math.log(max(1, note_candidates))
    return out


def note_features(
    candidates: Sequence[Candidate], flags: Sequence[frozenset[str]], recurrence: Recurrence
) -> list[list[float]]:
    """The features of a note's candidates, seen together (same line, the note's share
    of flagged candidates)."""
    mined = [i for i, c in enumerate(candidates) if not c.written]
    flagged = sum(1 for i in mined if flags[i]) / len(mined) if mined else 0.0
    lines = Counter(c.source.line for c in candidates)
    return [
        features(
            c,
            flags[i],
            recurrence=recurrence,
            same_line=lines[c.source.line],
            note_flagged=flagged,
            note_candidates=len(mined),
        )
        for i, c in enumerate(candidates)
    ]


__all__ = ["NAMES", "INDEX", "MINED", "answer_of", "features", "note_features"]
