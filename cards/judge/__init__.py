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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..model import Candidate
from .features import note_features
from .rules import MISSING_BLOCK, NOTE_RULES, NOTHING_TO_LEARN, RULE_NAMES, RULES, NoteRule, Rule, rules_for
from .score import DEFAULT_DENSITY, Model, shipped_model
from .vault import NO_RECURRENCE, Recurrence


@dataclass(frozen=True, slots=True)
class Dropped:
    """A candidate left out: the candidate, the rule (or ``score``), the reason; for a
    candidate the score left out, its keep-probability, the density's threshold and the
    features that weighed most (judge/score.py)."""

    candidate: Candidate
    rule: str
    reason: str
    score: float | None = None
    threshold: float | None = None
    weighed: tuple[tuple[str, float], ...] = ()

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
            self.score,
            self.threshold,
            self.weighed,
        )


@dataclass(frozen=True, slots=True)
class Explained:
    """A dropped candidate in plain text, as ``preview --explain`` shows it: where it came
    from, what it would have asked (the gap as ``[...]``) and answered, which rule
    dropped it and why (``score``: the keep-probability was below the density's threshold)."""

    path: str
    line: int
    kind: str
    front: str
    answer: str
    rule: str
    reason: str
    source_link: str = ""
    score: float | None = None
    threshold: float | None = None
    weighed: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate as the score saw it: every rule that objects to it (name -> reason),
    its features (judge/features.py) and its keep-probability (None: written by its
    author, or left out by a hard rule, so never scored)."""

    candidate: Candidate
    objections: Mapping[str, str]
    features: tuple[float, ...] = ()
    probability: float | None = None


@dataclass(slots=True)
class Verdicts:
    """A note's candidates, judged: the kept ones in order (with their keep-probability,
    None for what the author wrote), the dropped ones with why, and every candidate as
    the score saw it (``scored``, for ``preview --explain`` and the training set)."""

    kept: list[Candidate] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    scores: list[float | None] = field(default_factory=list)
    scored: list[Scored] = field(default_factory=list)


#: The hard invariants: a candidate one of these objects to is never a card, whatever
#: its score (raw markup left, an answer that says nothing, the hidden text shown on the
#: front as it is, a gap of a character or two). Every other rule is one feature of the
#: score; rules marked ``written`` bind the cards the author wrote too.
HARD: frozenset[str] = frozenset({"tiny_gap", "hidden_shown", "markup_left", "empty_answer"})
SCORE = "score"


def verdict(candidate: Candidate) -> tuple[str, str] | None:
    """(rule, reason) of the first rule that objects to ``candidate``, or None: the verdict
    the rules alone would give (the training set's baseline, benchmarks/candidates.py)."""
    for rule in rules_for(candidate.kind, candidate.cloze, candidate.written):
        reason = rule.check(candidate)
        if reason:
            return rule.name, reason
    return None


def objections(candidate: Candidate) -> dict[str, str]:
    """Every rule that objects to ``candidate``, by name, with its first reason."""
    found: dict[str, str] = {}
    for rule in rules_for(candidate.kind, candidate.cloze, candidate.written):
        if rule.name not in found:
            reason = rule.check(candidate)
            if reason:
                found[rule.name] = reason
    return found


def _hard(candidate: Candidate, objected: Mapping[str, str]) -> tuple[str, str] | None:
    """The first hard rule that objects (for a written card: any rule that binds it)."""
    for name, reason in objected.items():
        if name in HARD or candidate.written:
            return name, reason
    return None


def _veto(objected: Mapping[str, str], vetoes: frozenset[str]) -> tuple[str, str] | None:
    """The first objection of a rule the judged set made a veto (judge/score.py)."""
    return next(((name, reason) for name, reason in objected.items() if name in vetoes), None)


def judge_candidates(
    candidates: Sequence[Candidate],
    *,
    recurrence: Recurrence = NO_RECURRENCE,
    density: str = DEFAULT_DENSITY,
    model: Model | None = None,
    score: bool = True,
    explain: bool = True,
) -> Verdicts:
    """The candidates of one note the author wrote, or that break no hard rule, meet no
    learned veto and whose keep-probability clears the density's threshold (``all``:
    every one that breaks no hard rule), in order; then a note asks each thing once
    (``near_duplicate``). The others are dropped, with why. ``recurrence``: how often the
    note's lines recur in its vault (judge/vault.py); ``score=False`` scores nothing and
    keeps what breaks no hard rule (the training set, before any model exists);
    ``explain``: say which features weighed most on each score that dropped a candidate
    (``preview --explain``; a build that does not show them skips the work)."""
    judged = Verdicts()
    objected = [objections(c) for c in candidates]
    rows = note_features(candidates, [frozenset(o) for o in objected], recurrence)
    scorer = (model or shipped_model()) if score else None
    threshold = scorer.threshold(density) if scorer is not None else 0.0
    for candidate, objection, row in zip(candidates, objected, rows):
        hard = _hard(candidate, objection)
        probability = None
        if hard is not None:
            judged.dropped.append(Dropped(candidate, *hard))
        elif candidate.written or scorer is None:
            judged.kept.append(candidate)
            judged.scores.append(None)
        elif density != "all" and (veto := _veto(objection, scorer.vetoes)) is not None:
            judged.dropped.append(Dropped(candidate, *veto))
        else:
            probability = scorer.probability(row)
            if density == "all" or probability >= threshold:
                judged.kept.append(candidate)
                judged.scores.append(probability)
            else:
                weighed = tuple(scorer.weighed(row)) if explain else ()  # a third of a build when asked
                why = f"keep-probability {probability:.3f} below {threshold:.3f} ({density})"
                if objection:  # what the rules say weighs in the score; the first of them, in words
                    name, reason = next(iter(objection.items()))
                    why += f"; {name}: {reason}"
                judged.dropped.append(Dropped(candidate, SCORE, why, probability, threshold, weighed))
        judged.scored.append(Scored(candidate, objection, tuple(row), probability))
    _note_rules(judged)
    return judged


def _note_rules(judged: Verdicts) -> None:
    for rule in NOTE_RULES:
        asked = [c for c in judged.kept if rule.applies(c)]
        out = rule.check(asked)
        if out:
            gone = {id(asked[i]): reason for i, reason in out.items()}
            judged.dropped.extend(Dropped(c, rule.name, gone[id(c)]) for c in judged.kept if id(c) in gone)
            pairs = [(c, p) for c, p in zip(judged.kept, judged.scores) if id(c) not in gone]
            judged.kept, judged.scores = [c for c, _ in pairs], [p for _, p in pairs]


def judge_note(
    candidates: Sequence[Candidate],
    *,
    skipped: str | None = None,
    keeps_written: bool = True,
    shows_missing: Callable[[Candidate], bool] | None = None,
    recurrence: Recurrence = NO_RECURRENCE,
    density: str = DEFAULT_DENSITY,
    model: Model | None = None,
    score: bool = True,
    explain: bool = True,
) -> Verdicts:
    """Every verdict on one note's candidates, all seen at once (judge_candidates: the
    hard rules, the score against the density's threshold, the note rules).

    ``skipped``: why the note has nothing to learn (judge/notes.py), or None; then only
    what its author wrote as cards stays, and only when ``keeps_written`` (a journal, not
    a note that opted out). ``shows_missing``: whether a candidate would show a Logseq
    block the graph lacks (left out: the parser reported it at its line). The dropped
    candidates come in this order: the rules' (when the note is not skipped), then the
    kept ones the note's skip or a missing block leaves out, then (when the note is
    skipped) the rules' again, now for the note's reason.
    """
    judged = judge_candidates(
        candidates, recurrence=recurrence, density=density, model=model, score=score, explain=explain
    )
    out = Verdicts(scored=judged.scored)
    late: list[Dropped] = []
    for candidate, probability in zip(judged.kept, judged.scores):
        if skipped is not None and not (keeps_written and candidate.written):
            late.append(Dropped(candidate, NOTHING_TO_LEARN, f"the note is skipped: {skipped}"))
        elif shows_missing is not None and shows_missing(candidate):
            reason = "it would show a Logseq block reference the graph lacks (reported at its line)"
            late.append(Dropped(candidate, MISSING_BLOCK, reason))
        else:
            out.kept.append(candidate)
            out.scores.append(probability)
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
    "Scored",
    "HARD",
    "SCORE",
    "objections",
    "verdict",
    "judge_candidates",
    "judge_note",
]
