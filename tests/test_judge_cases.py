"""The judge, case by case: every file tests/judge/<rule>.txt holds candidates written as
text and the verdict the whole rule table gives each (the first rule that drops it, and
why, or ``kept``), so a case also proves which kinds and note types a rule applies to.

A case, as markdown-it-py's fixture files have them::

    what the case shows
    .
    kind: phrases
    front: Cells make [...] in mitochondria.     (the gap as [...])
    hidden: ATP
    back: …                                      (the answer, a cloze's Extra)
    crumbs: Biology › Cells
    written: true                                (the writer wrote it as a card)
    facts: {"Opening": {"sentence": "…"}}        (typed facts, by type name, as JSON)
    .
    rule: reason                                 (or: kept)
    .
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cards.judge import RULE_NAMES, verdict
from cards.judge.as_text import candidate_of, facts_from_json
from cards.model import Candidate

CASES = Path(__file__).parent / "judge"


def read_cases(path: Path) -> list[tuple[str, dict[str, str], str]]:
    """(title, fields, expected) of every case in a fixture file."""
    found = []
    lines = path.read_text("utf-8").split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title = lines[i]
        assert lines[i + 1] == ".", f"{path.name}:{i + 2}: a '.' after the title"
        fields: dict[str, str] = {}
        j = i + 2
        while lines[j] != ".":
            key, _, value = lines[j].partition(": ")
            fields[key] = value
            j += 1
        expected = lines[j + 1]
        assert lines[j + 2] == ".", f"{path.name}:{j + 3}: a '.' after the verdict"
        found.append((title, fields, expected))
        i = j + 3
    return found


def candidate(fields: dict[str, str]) -> Candidate:
    facts = facts_from_json(json.loads(fields["facts"])) if "facts" in fields else None
    return candidate_of(
        fields["kind"],
        fields["front"],
        fields.get("hidden", ""),
        fields.get("back", ""),
        crumbs=tuple(fields["crumbs"].split(" › ")) if "crumbs" in fields else (),
        model=fields.get("model"),
        facts=facts,
        written=fields.get("written") == "true",
    )


ALL = [(path, *case) for path in sorted(CASES.glob("*.txt")) for case in read_cases(path)]


@pytest.mark.parametrize(("path", "title", "fields", "expected"), ALL, ids=[f"{c[0].stem}: {c[1]}" for c in ALL])
def test_case(path: Path, title: str, fields: dict[str, str], expected: str) -> None:
    found = verdict(candidate(fields))
    assert (f"{found[0]}: {found[1]}" if found else "kept") == expected


def test_every_rule_has_cases_and_every_case_file_a_rule() -> None:
    """A rule of the table has its file of cases, with a candidate it drops and one it keeps."""
    per_note = {"near_duplicate", "nothing_to_learn", "missing_block"}  # tests/test_explain.py
    files = {p.stem for p in CASES.glob("*.txt")}
    assert files == set(RULE_NAMES) - per_note
    for path in CASES.glob("*.txt"):
        verdicts = [expected for _, _, expected in read_cases(path)]
        assert any(v.startswith(f"{path.stem}: ") for v in verdicts), f"{path.name}: no case the rule drops"
        assert "kept" in verdicts, f"{path.name}: no case the rule keeps"
