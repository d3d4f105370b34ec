"""The keep-probability: the shipped model, the density the user chooses, the hard rules
that bind whatever the score, what ``preview`` shows of it, and the vault's recurrence
as the build counts it (the cache follows it)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from vaults import write_vault

from cards.cli import main
from cards.config import DENSITIES
from cards.judge.features import NAMES
from cards.judge.score import ModelError, model_from, shipped_model
from cards.judge.vault import VaultKeys, bucket, note_keys
from cards.pipeline.run import build

#: Notes a learner wrote: mined facts of every strength, and cards written by hand.
NOTES = {
    "cells.md": (
        "# Cells\n\n"
        "Mitochondria make **ATP** from glucose and oxygen.\n\n"
        "Osmosis is the movement of water across a semi-permeable membrane.\n\n"
        "## Apoptosis\n\n"
        "Apoptosis is programmed cell death: the cell shrinks and its fragments are eaten by phagocytes.\n\n"
        "1. **Glycolysis** splits glucose into pyruvate\n"
        "2. **Pyruvate oxidation** makes acetyl-CoA\n"
        "3. **Citric acid cycle** releases carbon dioxide\n"
    ),
    "written.md": (
        "# Written\n\n"
        "What is the powerhouse of the cell?::The mitochondrion #flashcards\n\n"
        "The capital of Italy is {{c1::Rome}}.\n\n"
        "Q: What does DNA stand for?\nA: Deoxyribonucleic acid\n"
    ),
    "tcp.md": (
        "# TCP\n\n"
        "- What does the three-way handshake establish?\n"
        "  - A connection with agreed sequence numbers\n"
        "- **Slow start** doubles the congestion window every round trip.\n"
    ),
}


@pytest.fixture()
def vault(tmp_path: Path) -> Path:
    return write_vault(tmp_path / "vault", NOTES)


def run(*args: object, code: int = 0) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def cards_at(vault: Path, density: str) -> list[dict]:
    return json.loads(run("preview", vault, "--json", "--density", density))


def test_shipped_model_loads_and_scores_deterministically() -> None:
    model = shipped_model()
    assert len(model.trees) > 0
    assert set(model.thresholds) == set(DENSITIES)
    assert model.threshold("all") == 0.0 <= model.threshold("normal") <= model.threshold("few") < 1.0
    x = [0.0] * len(NAMES)
    x[NAMES.index("kind=phrases")] = 1.0
    p = model.probability(x)
    assert 0.0 < p < 1.0 and p == model.probability(list(x))
    # the compiled function and the trees walked node by node agree
    walked = model.base + sum(t.value[t.path(x)[-1]] for t in model.trees)
    assert math.isclose(model.raw(x), walked, rel_tol=1e-9, abs_tol=1e-9)


def test_a_model_of_other_features_or_with_code_is_refused() -> None:
    data = json.loads((Path(__file__).parents[1] / "cards" / "judge" / "model.json").read_text("utf-8"))
    with pytest.raises(ModelError, match="other features"):
        model_from({**data, "features": [*data["features"], "something_new"]})
    tree = dict(data["trees"][0], feature=["__import__('os').system('true')", *data["trees"][0]["feature"][1:]])
    with pytest.raises(ValueError):
        model_from({**data, "trees": [tree]})


def test_density_nests_and_written_cards_stay_at_every_density(vault: Path) -> None:
    found = {density: cards_at(vault, density) for density in DENSITIES}
    keys = {d: {(c["guid"], c["ordinal"]) for c in cards} for d, cards in found.items()}
    assert keys["few"] <= keys["normal"] <= keys["all"]
    assert len(keys["few"]) < len(keys["all"])
    written = {(c["guid"], c["ordinal"]) for c in found["all"] if c["source"]["path"] == "written.md"}
    assert len(written) == 3
    for density, cards in found.items():
        assert written <= keys[density], density
        assert all(c["score"] is None for c in cards if c["source"]["path"] == "written.md")
        mined = [c for c in cards if c["source"]["path"] != "written.md"]
        assert all(isinstance(c["score"], float) and 0 < c["score"] < 1 for c in mined)
        if density != "all":
            floor = shipped_model().threshold(density)
            assert all(c["score"] >= floor - 0.0005 for c in mined)


def test_density_from_cards_toml_and_the_flag_over_it(vault: Path) -> None:
    few = cards_at(vault, "few")
    (vault / "cards.toml").write_text('density = "few"\n', "utf-8")
    assert json.loads(run("preview", vault, "--json")) == few
    assert json.loads(run("preview", vault, "--json", "--density", "all")) == cards_at(vault, "all")


def test_a_bad_density_is_named_with_its_file_and_line(vault: Path) -> None:
    (vault / "cards.toml").write_text('deck = "Bio"\ndensity = "lots"\n', "utf-8")
    out = run("build", vault, "-o", vault.parent / "d.apkg", code=1)
    assert "cards.toml:2:" in out and "density" in out and "Traceback" not in out
    out = run("build", vault, "-o", vault.parent / "d.apkg", "--density", "lots", code=2)
    assert "few" in out and "normal" in out and "Traceback" not in out


def test_density_with_several_paths_is_refused_not_ignored(vault: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.md").write_text("# A\n\nMitochondria make **ATP**.\n", "utf-8")
    out = run("build", vault, other, "-o", tmp_path / "d.apkg", "--density", "few", code=1)
    assert "--density" in out and "cards.toml" in out


def test_hard_rules_bind_even_at_all(tmp_path: Path) -> None:
    (tmp_path / "n.md").write_text("# Vectors\n\n- The vector **v** has two components.\n", "utf-8")
    cards = json.loads(run("preview", tmp_path, "--json", "--density", "all"))
    assert not any("{{c1::v}}" in c["fields"].get("Text", "") for c in cards)
    explained = json.loads(run("preview", tmp_path, "--json", "--explain", "--density", "all"))
    assert any(d["rule"] == "tiny_gap" and d["score"] is None for d in explained["dropped"])


def test_explain_shows_score_threshold_and_what_weighed(vault: Path) -> None:
    explained = json.loads(run("preview", vault, "--json", "--explain", "--density", "few"))
    below = [d for d in explained["dropped"] if d["rule"] == "score"]
    assert below, "at few, some mined candidate of these notes is below the threshold"
    for d in below:
        assert d["score"] < d["threshold"] == shipped_model().threshold("few")
        assert d["weighed"] and all(name in NAMES for name, _ in d["weighed"])
        assert f"{d['score']:.3f}" in d["reason"]
    text = run("preview", vault, "--explain", "--no-pager", "--density", "few")
    assert "keep-probability" in text and "    by   " in text and "  score 0." in text and "  written" in text


def test_the_summary_line_counts_the_candidates_below_the_threshold(vault: Path, tmp_path: Path) -> None:
    explained = json.loads(run("preview", vault, "--json", "--explain", "--density", "few"))
    below = sum(1 for d in explained["dropped"] if d["rule"] == "score")
    out = run("build", vault, "-o", tmp_path / "d.apkg", "--density", "few", "--no-cache")
    assert f"({below} candidates below the score threshold)" in out
    out = run("build", vault, "-o", tmp_path / "e.apkg", "--density", "all", "--no-cache")
    assert "below the score threshold" not in out


# ------------------------------------------------------------------ recurrence


def test_note_keys_and_buckets() -> None:
    keys = note_keys("---\ntags: [x]\n---\n## Summary\npg 12: **the** point\n")
    assert {"h:summary", "p:pg #", "b:the", "t:pg"} <= keys and not any("tags" in k for k in keys)
    counts = VaultKeys([note_keys("## Summary\nA fact.\n") for _ in range(5)] + [note_keys("## Other\n")])
    assert counts.recurrence(note_keys("## Summary\n")).of("h:summary") == bucket(5) > 0
    assert counts.recurrence(note_keys("## Other\n")).of("h:other") == 0


def _template_vault(root: Path, copies: int) -> None:
    root.mkdir(exist_ok=True)
    (root / "fact.md").write_text("# Cells\n\n## Summary\n\nMitochondria make **ATP** from glucose.\n", "utf-8")
    for i in range(copies):
        (root / f"t{i}.md").write_text(f"# Day {i}\n\n## Summary\n\nNothing new on day {i}.\n", "utf-8")


def test_a_note_is_judged_again_when_its_lines_start_to_recur(tmp_path: Path) -> None:
    root, out = tmp_path / "v", tmp_path / "d.apkg"
    _template_vault(root, 0)
    assert build([root], out, now=1_700_000_000).collected.parsed == 1
    _template_vault(root, 0)  # the same bytes written again
    assert build([root], out, now=1_700_000_100).collected.parsed == 0
    _template_vault(root, 3)  # three notes now share the heading "Summary"
    third = build([root], out, now=1_700_000_200).collected
    assert third.parsed == 4, "fact.md's heading recurs now: its candidates are scored again"
    assert build([root], out, now=1_700_000_300).collected.parsed == 0


def test_the_recurrence_is_the_same_with_or_without_a_cache(tmp_path: Path) -> None:
    root = tmp_path / "v"
    _template_vault(root, 4)
    cold = build([root], tmp_path / "cold.apkg", now=1_700_000_000, cache=False).collected
    build([root], tmp_path / "warm.apkg", now=1_700_000_000)
    (root / "t0.md").write_text("# Day 0\n\n## Summary\n\nNothing new on day 0.\n", "utf-8")  # same bytes
    warm = build([root], tmp_path / "warm.apkg", now=1_700_000_100).collected
    assert warm.parsed == 0
    assert [r.rows for r in cold.results] == [r.rows for r in warm.results]
    assert [r.below for r in cold.results] == [r.below for r in warm.results]
    assert (tmp_path / "cold.apkg").read_bytes() == (tmp_path / "warm.apkg").read_bytes()
