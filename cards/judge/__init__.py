"""judge: every verdict on a candidate, in one place; takes a note's candidates, gives
the kept ones and, for each dropped one, the rule and why.

The kinds propose candidates generously; the rules here keep a candidate, or drop it and
say why, so a learner never reviews junk for years and a user can ask why a fact gave no
card (``cards preview --explain``). Each rule is a small named function of one candidate
as the learner would see it (its :class:`~cards.model.View`, breadcrumb and typed facts),
returning the reason to drop it or None; its docstring examples are its specification
(tests/test_docstring_examples.py) and tests/judge/ holds its cases. The table below
says, in the order they are asked, which kinds and which note types each rule applies
to, so no rule asks a candidate's kind itself. The first rule that objects drops the
candidate. Then the note rules look at the note's kept candidates together, and a note
with nothing to learn (judge/notes.py) keeps only what its author wrote as cards.

Rules are grouped by what they look at: the gap (gaps.py), the answer (answers.py), what
a card names (terms.py), a list asked step by step (lists.py), a table asked row by row
(tables.py), the card as a whole (meta.py), the whole note (notes.py).

Cards the writer wrote as cards (``Candidate.written``: another tool's syntax,
``Q:``/``A:``, a hand-written ``{{c1::…}}``) are theirs: only rules marked ``written``
drop them (a ``<details>`` whose summary only says "click to expand").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
    Rule("worked_example", meta.worked_example, _of("terms", "sections", "tables")),
    Rule("tiny_gap", gaps.tiny_gap, cloze=True),
    Rule("label_gap", gaps.label_gap, cloze=True),
    Rule("clause_gap", gaps.clause_gap, PHRASES, cloze=True),
    Rule("clause_gap", gaps.step_gap, _ALL - PHRASES, cloze=True),
    Rule("emphasis_gap", gaps.emphasis_gap, cloze=True),
    Rule("answer_shown", answers.answer_shown, cloze=True),
    Rule("answer_shown", answers.answer_in_question, cloze=False),
    Rule("label_question", answers.label_question, _of("qa"), cloze=False),
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
NOTE_RULES: tuple[NoteRule, ...] = (
    NoteRule("crowded_sentence", notes.crowded_sentence, PHRASES, cloze=True),
    NoteRule("near_duplicate", notes.near_duplicate),
)

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


@dataclass(frozen=True, slots=True)
class Dropped:
    """A candidate a rule dropped: the candidate, the rule, the reason."""

    candidate: Candidate
    rule: str
    reason: str

    def explained(self, source_link: str = "") -> Explained:
        view = self.candidate.view
        source = self.candidate.source
        return Explained(
            source.path.as_posix(),
            source.line,
            self.candidate.kind,
            view.front,
            view.hidden or view.back,
            self.rule,
            self.reason,
            source_link,
        )


@dataclass(frozen=True, slots=True)
class Explained:
    """A dropped candidate in plain text, as ``preview --explain`` shows it: where it came
    from, what it would have asked (the gap as ``[...]``) and answered, which rule
    dropped it and why."""

    path: str
    line: int
    kind: str
    front: str
    answer: str
    rule: str
    reason: str
    source_link: str = ""


@dataclass(slots=True)
class Verdicts:
    """A note's candidates, judged: the kept ones in order, the dropped ones with why."""

    kept: list[Candidate] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)


def verdict(candidate: Candidate) -> tuple[str, str] | None:
    """(rule, reason) of the first rule that drops ``candidate``, or None to keep it."""
    for rule in rules_for(candidate.kind, candidate.cloze, candidate.written):
        reason = rule.check(candidate)
        if reason:
            return rule.name, reason
    return None


def judge_candidates(candidates: Sequence[Candidate]) -> Verdicts:
    """The candidates of one note that pass every rule, then every note rule, in order;
    the others dropped in the order the rules found them."""
    judged = Verdicts()
    for candidate in candidates:
        found = verdict(candidate)
        if found is None:
            judged.kept.append(candidate)
        else:
            judged.dropped.append(Dropped(candidate, *found))
    for rule in NOTE_RULES:
        asked = [c for c in judged.kept if rule.applies(c)]
        out = rule.check(asked)
        if out:
            gone = {id(asked[i]): reason for i, reason in out.items()}
            judged.dropped.extend(Dropped(c, rule.name, gone[id(c)]) for c in judged.kept if id(c) in gone)
            judged.kept = [c for c in judged.kept if id(c) not in gone]
    return judged


def judge_note(
    candidates: Sequence[Candidate],
    *,
    skipped: str | None = None,
    keeps_written: bool = True,
    shows_missing: Callable[[Candidate], bool] | None = None,
) -> Verdicts:
    """Every verdict on one note's candidates, all seen at once.

    ``skipped``: why the note has nothing to learn (judge/notes.py), or None; then only
    what its author wrote as cards stays, and only when ``keeps_written`` (a journal, not
    a note that opted out). ``shows_missing``: whether a candidate would show a Logseq
    block the graph lacks (left out: the parser reported it at its line). The dropped
    candidates come in this order: the rules' (when the note is not skipped), then the
    kept ones the note's skip or a missing block leaves out, then (when the note is
    skipped) the rules' again, now for the note's reason.
    """
    judged = judge_candidates(candidates)
    out = Verdicts()
    late: list[Dropped] = []
    for candidate in judged.kept:
        if skipped is not None and not (keeps_written and candidate.written):
            late.append(Dropped(candidate, NOTHING_TO_LEARN, f"the note is skipped: {skipped}"))
        elif shows_missing is not None and shows_missing(candidate):
            reason = "it would show a Logseq block reference the graph lacks (reported at its line)"
            late.append(Dropped(candidate, MISSING_BLOCK, reason))
        else:
            out.kept.append(candidate)
    if skipped is None:
        out.dropped = [*judged.dropped, *late]
    else:
        why = f"the note is skipped: {skipped}"
        out.dropped = [*late, *(Dropped(d.candidate, NOTHING_TO_LEARN, why) for d in judged.dropped)]
    return out


__all__ = [
    "RULES",
    "NOTE_RULES",
    "RULE_NAMES",
    "Rule",
    "NoteRule",
    "Dropped",
    "Explained",
    "Verdicts",
    "verdict",
    "judge_candidates",
    "judge_note",
]
