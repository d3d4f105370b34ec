"""``cards preview --explain``: why a fact gave no card, for a note of each mined kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cards.cli import main
from cards.judge import HARD, RULE_NAMES, SCORE
from cards.judge.score import shipped_model
from cards.preview.json_view import DROPPED_KEYS

#: A note per kind, each with one fact the judge refuses, and the rule that refuses it.
NOTES = {
    "phrases.md": (
        "# Cells\n\n- **Note:** the cell membrane is selectively permeable.\n- Mitochondria make **ATP** from glucose "
        "and oxygen.\n",
        "phrases",
        "label_gap",
    ),
    "steps.md": (
        "# Databases\n\n## Advantages\n\n1. **Fast** reads\n2. **Cheap** storage\n",
        "steps",
        "not_a_procedure",
    ),
    "qa.md": (
        "# Setup\n\n- drivers\n  - nvidia drivers\n- Why does the GPU need drivers?\n  - The kernel talks to the card "
        "through them.\n",
        "qa",
        "vague_term",
    ),
    "figure.md": ("# Plots\n\n- ![](plot.png)\n  - https://example.org/plot\n", "figure", "empty_answer"),
}


@pytest.fixture()
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    root.mkdir()
    for name, (text, _, _) in NOTES.items():
        (root / name).write_text(text, "utf-8")
    return root


def run(*args: object) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def shown(rule: str) -> str:
    """The rule ``--explain`` names for a candidate a rule objects to: a hard rule, or one
    the judged set made a veto, drops it itself; any other weighs in the score, which
    drops it (its reason names the rule)."""
    return rule if rule in HARD or rule in shipped_model().vetoes else SCORE


@pytest.mark.parametrize("name", list(NOTES))
def test_terminal_lists_each_kinds_dropped_candidate_with_its_rule(vault: Path, name: str) -> None:
    out = run("preview", vault, "--explain", "--no-pager")
    _, kind, rule = NOTES[name]
    assert f"  {shown(rule)}  {kind}  {name}:" in out, out
    assert "Dropped:" in out and "why  " in out
    assert f"; {rule}: " in out or shown(rule) == rule


def test_json_explain_gives_cards_and_dropped_candidates(vault: Path) -> None:
    objects = json.loads(run("preview", vault, "--json", "--explain"))
    assert set(objects) == {"version", "cards", "dropped"}
    assert {(d["source"]["path"], d["kind"], d["rule"]) for d in objects["dropped"]} >= {
        (n, k, shown(r)) for n, (_, k, r) in NOTES.items()
    }
    for n, (_, k, r) in NOTES.items():
        assert any(
            d["source"]["path"] == n and (shown(r) == r or f"; {r}: " in d["reason"]) for d in objects["dropped"]
        )
    for dropped in objects["dropped"]:
        assert set(dropped) == set(DROPPED_KEYS)
        assert all(type(dropped[k]) in (t if isinstance(t, tuple) else (t,)) for k, t in DROPPED_KEYS.items())
        assert (dropped["rule"] in RULE_NAMES or dropped["rule"] == SCORE) and dropped["reason"]
        assert (dropped["score"] is None) == (dropped["rule"] != SCORE)
    # the facts that pass are cards, as without --explain
    assert {c["kind"] for c in objects["cards"]} == {"phrases", "qa"}
    assert objects["cards"] == json.loads(run("preview", vault, "--json"))


def test_explain_follows_the_filters(vault: Path) -> None:
    only = json.loads(run("preview", vault, "--json", "--explain", "--note", "steps.md"))
    assert {d["source"]["path"] for d in only["dropped"]} == {"steps.md"}
    (qa,) = json.loads(run("preview", vault, "--json", "--explain", "--kind", "qa"))["dropped"]
    assert qa["kind"] == "qa" and (qa["rule"] == "vague_term" or "; vague_term: " in qa["reason"])


def test_cards_written_as_cards_are_never_dropped(tmp_path: Path) -> None:
    (tmp_path / "n.md").write_text("#flashcards\nNote:::a label the writer chose to learn\nX::x\n", "utf-8")
    objects = json.loads(run("preview", tmp_path, "--json", "--explain"))
    assert objects["dropped"] == []
    assert len(objects["cards"]) == 3  # a reversed pair and a basic card, whatever the rules would say


def test_a_details_block_that_only_says_click_to_expand_is_no_card(tmp_path: Path) -> None:
    """The one exception: its own extractor says a written card asks nothing."""
    (tmp_path / "n.md").write_text(
        "# Setup\n\n<details>\n<summary>click to expand</summary>\n\nA long install log.\n</details>\n\n"
        "<details>\n<summary>What is a heap?</summary>\n\nA tree whose parents order before their "
        "children.\n</details>\n",
        "utf-8",
    )
    objects = json.loads(run("preview", tmp_path, "--json", "--explain"))
    assert [c["fields"]["Front"] for c in objects["cards"]] == ["What is a heap?"]
    assert [(d["rule"], d["kind"]) for d in objects["dropped"]] == [("not_a_fact", "details")]


def test_every_rule_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    for rule in RULE_NAMES:
        assert f"`{rule}`" in readme, f"README: document the judge's rule {rule}"
