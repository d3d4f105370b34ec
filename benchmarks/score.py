"""What the keep-probability costs: a candidate scored, and a note's share of the vault count.

    python benchmarks/score.py                 # the frozen 4,000-note vault (make_vault.py, seed 1)
    python benchmarks/score.py --vault DIR     # any vault

Why: the score runs for every mined candidate of every note a build parses, so it must
stay a small part of the build (issue 20: at most 0.1 ms a candidate, 0.5 ms a note in
all). Timed on one core, in this process, after one warm-up pass (the model compiled,
the candidates made), the fastest of ``--repeat`` passes:

* **features**: the numbers of every candidate of every note (judge/features.py);
* **probability**: the compiled trees on those numbers (judge/score.py);
* **recurrence**: each note's line keys and the vault's counts, and each note's
  signature (judge/vault.py; what a build does when a note changed);

and the same notes judged with the score (every rule asked of every candidate, its
features, its probability) against the rules alone as the judge asked them before the
score (the first rule that objects drops the candidate), so the difference is what the
score adds to a build's judge.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from cards.extract import Context, candidates  # noqa: E402
from cards.judge import judge_candidates, objections, verdict  # noqa: E402
from cards.judge.features import note_features  # noqa: E402
from cards.judge.score import shipped_model  # noqa: E402
from cards.judge.vault import NO_RECURRENCE, VaultKeys, note_keys  # noqa: E402
from cards.model import Candidate  # noqa: E402
from cards.notes.parse import parse_note  # noqa: E402
from cards.notes.read import find_notes, read_note  # noqa: E402
from cards.notes.reflow import reflow  # noqa: E402


def fastest(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vault", type=Path, help="default: make_vault.py 4000 --seed 1 in a temporary folder")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        vault = args.vault
        if vault is None:
            vault = Path(tmp) / "vault"
            subprocess.run(
                [sys.executable, str(HERE / "make_vault.py"), "4000", str(vault), "--seed", "1"],
                check=True,
                capture_output=True,
            )
        files = find_notes(vault)
        texts = [read_note(f) for f in files]
        notes: list[list[Candidate]] = []
        for f, text in zip(files, texts):
            parsed = parse_note(reflow(text).text, f.path, deck="Bench")
            notes.append(candidates(parsed, Context()))
        count = sum(len(n) for n in notes)
        model = shipped_model()
        flags = [[frozenset(objections(c)) for c in n] for n in notes]
        rows = [note_features(n, f, NO_RECURRENCE) for n, f in zip(notes, flags)]

        def features() -> None:
            for n, f in zip(notes, flags):
                note_features(n, f, NO_RECURRENCE)

        def probability() -> None:
            for note_rows in rows:
                for row in note_rows:
                    model.probability(row)

        def recurrence() -> None:
            keys = [note_keys(t) for t in texts]
            counts = VaultKeys(keys)
            for mine in keys:
                counts.recurrence(mine).signature()

        def scored() -> None:
            for n in notes:
                judge_candidates(n, model=model, explain=False)  # as a build judges

        def rules_only() -> None:
            for n in notes:
                for c in n:
                    verdict(c)

        times = {
            "features": fastest(features, args.repeat),
            "probability": fastest(probability, args.repeat),
            "recurrence": fastest(recurrence, args.repeat),
            "judge, scored": fastest(scored, args.repeat),
            "judge, rules only": fastest(rules_only, args.repeat),
        }
    n = len(files)
    print(f"{n} notes, {count} candidates ({count / n:.1f} a note), {len(model.trees)} trees")
    print(f"{'stage':<20} {'CPU s':>7} {'ms a candidate':>15} {'ms a note':>10}")
    for name, seconds in times.items():
        print(f"{name:<20} {seconds:7.3f} {seconds / count * 1000:15.4f} {seconds / n * 1000:10.3f}")
    scored = times["features"] + times["probability"]
    added = times["judge, scored"] - times["judge, rules only"] + times["recurrence"]
    print(f"score a candidate (features + probability): {scored / count * 1000:.4f} ms (target <= 0.1)")
    print(f"the score adds to a build's judge, recurrence included: {added / n * 1000:.3f} ms a note (target <= 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
