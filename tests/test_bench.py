"""The benchmark script runs end to end (on a small vault) and prints every figure.

Why: benchmarks/bench.py is how the closing notes' numbers are made; a script that
rots unnoticed makes the next figures impossible to reproduce. Nothing here is timed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


def test_bench_prints_every_figure_and_verdict(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--n",
            "40",
            "--no-folders",
            "--repeat",
            "1",
            "--no-ankdown",
            "--keep",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    row = next(line for line in done.stdout.splitlines() if re.match(r"\s+40\s+\d+\s", line))
    figures = row.split()
    assert len(figures) == 15 and int(figures[1]) > 100  # N, cards, cold, ankdown ... config s, its MiB
    assert float(figures[3]) == 0  # ankdown left out
    assert all(float(x) > 0 for i, x in enumerate(figures[2:], 2) if "+" not in x and i != 3)  # (parse+write) is "a+b"
    assert re.search(r"\s40\s+\(cold / floor, no target\)\s+[\d.]+", done.stdout)
    for ratio in ("no-op / cold", "one-edit / cold", "preview --json (warm) / no-op"):
        assert re.search(rf"\s40\s+{re.escape(ratio)}\s+[\d.]+\s+<= [\d.]+\s+(ok|MISSED)", done.stdout), ratio


def test_ankdown_gets_the_same_cards_in_its_own_format(tmp_path: Path) -> None:
    """Each note of the deck becomes an ankdown card (question, %, answer, ---), in one
    file per source note, with the deck's images beside them."""
    sys.path.insert(0, str(BENCH.parent))
    try:
        from bench import ankdown_vault
    finally:
        sys.path.pop(0)
    from cards.pipeline.run import build

    vault = Path(__file__).resolve().parents[1] / "sample_notes"
    deck = tmp_path / "d.apkg"
    built = build([vault], deck, now=1_700_000_000)
    dest = tmp_path / "ankdown"
    assert ankdown_vault(deck, dest) == len(built.identified.cards)
    files = sorted(dest.glob("*.md"))
    notes = {c.source.path.stem for c in built.identified.cards}
    assert len(files) == len(notes)
    cards = [card for f in files for card in f.read_text("utf-8").split("\n---\n")]
    assert len(cards) == len(built.identified.cards)
    assert all(card.count("\n%\n") >= 1 for card in cards)
    fronts = {c.front for c in built.identified.cards}
    assert {card.split("\n\n%\n\n")[0].strip() for card in cards} == {f.strip() for f in fronts}
    images = {name for c in built.identified.cards for name in c.media}
    assert images and all((dest / name).is_file() for name in images)


def test_phases_prints_each_phase_of_a_build(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("# A\n\n- What is **osmosis**?\n  - Water crossing a membrane.\n", "utf-8")
    phases = BENCH.with_name("phases.py")
    done = subprocess.run(
        [sys.executable, str(phases), str(vault), "-o", str(tmp_path / "d.apkg"), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    for phase in (
        "plan (stat every note)",
        "parse (full build)",
        "identify (+ state)",
        "write the deck",
        "zip",
        "total",
    ):
        assert re.search(rf"^\s+{re.escape(phase)}\s+[\d.]+ s", done.stderr, re.MULTILINE), phase
    assert (tmp_path / "d.apkg").stat().st_size > 0


def test_sync_bench_prints_each_step_for_both_ways_in() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH.with_name("sync.py")), "--n", "20"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()[1:] if line.strip()}
    assert set(rows) == {"direct", "ankiconnect"}
    for figures in rows.values():
        assert figures[0] == "20" and int(figures[1]) > 100
        assert len(figures) == 8 and all(f.endswith("s") and float(f[:-1]) >= 0 for f in figures[2:])


def test_pathological_benchmark_prints_each_case_and_its_ratio() -> None:
    """benchmarks/pathological.py (issue 22's figures) runs end to end, here at a fiftieth
    of its sizes: one row per case, both sizes timed, build and preview ratios."""
    script = BENCH.parent / "pathological.py"
    done = subprocess.run(
        [sys.executable, str(script), "--case", "[", "--case", "steps", "--case", "yaml-bomb", "--scale", "0.02"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    rows = [line.split() for line in done.stdout.splitlines()[1:]]
    assert [row[0] for row in rows] == ["[", "steps", "yaml-bomb"]
    for row in rows:
        assert len(row) == 10 and row[6].endswith("x") and row[9].endswith("x"), row  # two seconds and a ratio, twice
