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
        [sys.executable, str(BENCH), "--n", "40", "--no-folders", "--repeat", "1", "--keep", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=600, check=True,
    )
    row = next(line for line in done.stdout.splitlines() if re.match(r"\s+40\s+\d+\s", line))
    figures = row.split()
    assert len(figures) == 12 and int(figures[1]) > 100  # N, cards, cold ... config s, its MiB
    assert all(float(x) > 0 for x in figures[2:] if "+" not in x)  # (parse+write) is "a+b"
    for ratio in ("cold / floor", "no-op / cold", "one-edit / cold"):
        assert re.search(rf"\s40\s+{re.escape(ratio)}\s+[\d.]+\s+<= [\d.]+\s+(ok|MISSED)", done.stdout), ratio


def test_phases_prints_each_phase_of_a_build(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("# A\n\n- What is **osmosis**?\n  - Water crossing a membrane.\n", "utf-8")
    phases = BENCH.with_name("phases.py")
    done = subprocess.run([sys.executable, str(phases), str(vault), "-o", str(tmp_path / "d.apkg"), "-q"], capture_output=True, text=True, timeout=300, check=True)
    for phase in ("plan (stat every note)", "parse (full build)", "identify (+ state)", "write the deck", "zip", "total"):
        assert re.search(rf"^\s+{re.escape(phase)}\s+[\d.]+ s", done.stderr, re.MULTILINE), phase
    assert (tmp_path / "d.apkg").stat().st_size > 0


def test_sync_bench_prints_each_step_for_both_ways_in() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH.with_name("sync.py")), "--n", "20"], capture_output=True, text=True, timeout=600, check=True,
    )
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()[1:] if line.strip()}
    assert set(rows) == {"direct", "ankiconnect"}
    for figures in rows.values():
        assert figures[0] == "20" and int(figures[1]) > 100
        assert len(figures) == 8 and all(f.endswith("s") and float(f[:-1]) >= 0 for f in figures[2:])
