"""The rules' table: which rules there are, in the order they are asked, and which kinds
and note types each applies to (judge/__init__.py asks them; judge/features.py gives each
rule's verdict to the score as a feature).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..kinds import KINDS
from ..model import Candidate
from . import answers, gaps, lists, meta, notes, tables, terms

Check = Callable[[Candidate], "str | None"]
NoteCheck = Callable[[Sequence[Candidate]], dict[int, str]]

_ALL = frozenset(kind.name for kind in KINDS)


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule and what it applies to: ``kinds`` (all when None), cloze cards only
    (``cloze=True``), question/answer cards only (``cloze=False``) or both (None), and
    whether cards the writer wrote answer to it."""

    name: str
    check: Check
    kinds: frozenset[str] | None = None
    cloze: bool | None = None
    written: bool = False

    def applies(self, kind: str, cloze: bool, written: bool) -> bool:
        return (
            (self.kinds is None or kind in self.kinds)
            and (self.cloze is None or self.cloze == cloze)
            and (self.written or not written)
        )


@dataclass(frozen=True, slots=True)
class NoteRule:
    """A rule over a note's kept candidates (those of ``kinds``, ``cloze`` as in
    :class:`Rule`; never the written ones): the indexes it drops, with why."""

    name: str
    check: NoteCheck
    kinds: frozenset[str] | None = None
    cloze: bool | None = None

    def applies(self, candidate: Candidate) -> bool:
        return (
            not candidate.written
            and (self.kinds is None or candidate.kind in self.kinds)
            and (self.cloze is None or self.cloze == candidate.cloze)
        )


def _of(*kinds: str) -> frozenset[str]:
    unknown = set(kinds) - _ALL
    assert not unknown, f"rules name kinds the registry lacks: {unknown}"
    return frozenset(kinds)


PHRASES = _of("phrases")

#: The rules for one candidate, in the order they are asked. A name may appear more
#: than once, for kinds that need a variant of it (a step may hide a longer clause).
RULES: tuple[Rule, ...] = (
    Rule("not_a_procedure", lists.not_a_procedure, _of("steps")),
    Rule("not_a_fact", terms.not_a_term, _of("terms")),
    Rule("not_a_fact", terms.not_a_heading_fact, _of("sections")),
    Rule("not_a_fact", tables.not_a_table_fact, _of("tables")),
    Rule("not_a_fact", answers.long_solution, _of("problems")),
    Rule("not_a_fact", meta.opens_only_summary, _of("details"), written=True),
    Rule("worked_example", meta.worked_example, _of("terms", "sections", "tables", "prose", "outline")),
    Rule("tiny_gap", gaps.tiny_gap, cloze=True),
    Rule("label_gap", gaps.label_gap, cloze=True),
    Rule("clause_gap", gaps.clause_gap, PHRASES, cloze=True),
    Rule("clause_gap", gaps.step_gap, _ALL - PHRASES, cloze=True),
    Rule("emphasis_gap", gaps.emphasis_gap, cloze=True),
    Rule("hidden_shown", answers.hidden_shown, cloze=True),
    Rule("hidden_shown", answers.answer_in_question, cloze=False),
    Rule("answer_shown", answers.answer_shown, cloze=True),
    Rule("label_question", answers.label_question, _of("qa", "prose", "outline"), cloze=False),
    Rule("vague_term", answers.vague_term, _of("qa")),
    Rule("lead_in_gap", meta.lead_in_gap, PHRASES),
    Rule("leans_on_before", meta.leans_on_before, PHRASES),
    Rule("dangling_reference", meta.dangling_reference, PHRASES),
    Rule("personal_or_meta", meta.personal_or_meta, PHRASES),
    Rule("thin_context", meta.thin_context, PHRASES, cloze=True),
    Rule("long_front", meta.long_front),
    Rule("long_front", meta.long_sentence, PHRASES),
    Rule("empty_answer", answers.empty_answer, cloze=False),
    Rule("markup_left", meta.markup_left),
)

#: The rules over a note's kept candidates, in order.
NOTE_RULES: tuple[NoteRule, ...] = (NoteRule("near_duplicate", notes.near_duplicate),)

#: What the pipeline's last look drops: a candidate of a note with nothing to learn, one
#: that would show a Logseq block the graph lacks (judge_note).
NOTHING_TO_LEARN = "nothing_to_learn"
MISSING_BLOCK = "missing_block"

#: Every rule's name, in the order they are asked.
RULE_NAMES: tuple[str, ...] = tuple(
    dict.fromkeys([*(r.name for r in RULES), *(r.name for r in NOTE_RULES), NOTHING_TO_LEARN, MISSING_BLOCK])
)


@lru_cache(maxsize=256)
def rules_for(kind: str, cloze: bool, written: bool) -> tuple[Rule, ...]:
    """The rules a candidate of this kind, note type and authorship answers to, in order."""
    return tuple(rule for rule in RULES if rule.applies(kind, cloze, written))
