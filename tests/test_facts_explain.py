"""``cards preview --explain`` for the fact kinds: a note of each (terms, sections,
tables, problems) whose fact-shaped candidate states no fact says which rule objected
and why (the rule weighs in the score, which drops it), next to the card its real fact
gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_explain import run, shown

from cards.judge import SCORE

#: A note per kind: a real fact (a card) and a look-alike (dropped), and the rule and reason.
NOTES = {
    "terms.md": (
        "# Cells\n\nAuthor: Ana Lima\n\n- **Osmosis**: water crossing a membrane\n",
        "terms",
        "not_a_fact",
        "metadata (Author)",
    ),
    "sections.md": (
        "# Cells\n\n## Summary\nWe compared the two enzymes in detail.\n\n## RNA polymerase I\nMakes ribosomal RNA.\n",
        "sections",
        "not_a_fact",
        "a generic heading (Summary)",
    ),
    "tables.md": (
        "# Logic\n\n| p | q | p and q |\n|---|---|---|\n| V | V | V |\n| V | F | F |\n\n## Storage\n\n"
        "| Kubernetes | Linstor |\n|---|---|\n| pod | resource |\n| container | volume |\n",
        "tables",
        "not_a_fact",
        "a table of numbers or symbols",
    ),
    "problems.md": (
        "# Integrals\n\n> [!example]\n> Compute the area under one arch of the cycloid.\n\n"
        + "".join(f"Step {n} of a long derivation, with enough words to read as prose.\n\n" for n in range(12))
        + "## Optics\n\n> Why is the sky blue?\n\nRayleigh scattering.\n",
        "problems",
        "not_a_fact",
        "a solution of 12 blocks",
    ),
}


@pytest.fixture()
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    root.mkdir()
    for name, (text, *_) in NOTES.items():
        (root / name).write_text(text, "utf-8")
    return root


@pytest.mark.parametrize("name", list(NOTES))
def test_terminal_names_the_rule_for_each_fact_kind(vault: Path, name: str) -> None:
    out = run("preview", vault, "--explain", "--no-pager")
    _, kind, rule, reason = NOTES[name]
    if shown(rule) == rule:
        assert f"  {rule}  {kind}  {name}:" in out and reason in out, out
    else:
        assert f"  {SCORE}  {kind}  {name}:" in out, out
        assert f"; {rule}: {reason}" in " ".join(out.split())


def test_json_dropped_and_kept_of_each_fact_kind(vault: Path) -> None:
    objects = json.loads(run("preview", vault, "--json", "--explain"))
    dropped = {(d["source"]["path"], d["kind"], d["rule"]): d["reason"] for d in objects["dropped"]}
    for name, (_, kind, rule, reason) in NOTES.items():
        if shown(rule) == rule:
            assert dropped[(name, kind, rule)].startswith(reason), dropped
        else:
            assert f"; {rule}: {reason}" in dropped[(name, kind, SCORE)], dropped
    kept = {(c["source"]["path"], c["kind"]) for c in objects["cards"]}
    assert kept >= {(name, kind) for name, (_, kind, _, _) in NOTES.items()}, kept
