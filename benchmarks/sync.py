"""What ``cards sync`` costs, through each way into Anki, on a synthetic vault.

    python benchmarks/sync.py --n 2000

For each mode (direct: the collection file through the ``anki`` package; ankiconnect:
HTTP to tests/fake_ankiconnect.py, which runs the add-on's actions, Anki's importer
included, on a real collection in this process) it builds the vault once, then times
the delivery alone (the build is ``cards build``'s, measured by bench.py):

- first: into an empty collection (every note added);
- again: the same deck once more (recognised as delivered: nothing is read or imported);
- forced: the same deck with ``--force`` (every note read back, the import finds nothing new);
- one edit: one note's answer changed (rebuild not counted);
- one gone: one note deleted from the vault (its cards retired);
- read: reading our notes back from Anki, on its own (the plan needs it on every delivery).

Timings are wall-clock seconds, fastest of ``--repeat`` runs of each step's whole
sequence; the machine is shared, so compare modes within one run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake AnkiConnect
sys.path.insert(0, str(ROOT / "benchmarks"))

from anki.collection import Collection  # noqa: E402
from make_vault import make_vault  # noqa: E402

from cards.deliver.sync import Choice, Options, deliver_output, open_target  # noqa: E402
from cards.pipeline.run import build  # noqa: E402

STEPS = ("first", "again", "forced", "one edit", "one gone", "read")


def timed(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def run(mode: str, n: int, work: Path) -> tuple[int, dict[str, float]]:
    from fake_ankiconnect import FakeAnkiConnect

    vault = work / "vault"
    if not vault.exists():
        make_vault(n, vault, seed=1)
    out = work / mode / "vault.apkg"
    col_path = work / mode / "anki" / "collection.anki2"
    col_path.parent.mkdir(parents=True)
    Collection(str(col_path)).close()
    fake = FakeAnkiConnect(col_path) if mode == "ankiconnect" else None
    choice = Choice(anki_connect=fake.url) if fake is not None else Choice(collection=col_path)
    try:
        result = build([vault], out)
        cards = result.collected.summary.cards
        times = {
            "first": timed(lambda: deliver_output(out, choice)),
            "again": timed(lambda: deliver_output(out, choice)),
            "forced": timed(lambda: deliver_output(out, choice, Options(force=True))),
        }
        notes = sorted(vault.rglob("*.md"))
        notes[0].write_text(
            notes[0].read_text("utf-8") + "\n- What changed in this note?\n  - One answer, for the benchmark.\n",
            "utf-8",
        )
        build([vault], out)
        times["one edit"] = timed(lambda: deliver_output(out, choice))
        notes[1].unlink()
        build([vault], out)
        times["one gone"] = timed(lambda: deliver_output(out, choice))
        target = open_target(choice)
        try:
            times["read"] = timed(target.notes)
        finally:
            target.close()
        return cards, times
    finally:
        if fake is not None:
            fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300, help="notes in the vault")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each mode; the fastest counts")
    parser.add_argument("--mode", action="append", choices=("direct", "ankiconnect"), help="default: both")
    args = parser.parse_args()
    print(f"{'mode':<12} {'N':>6} {'cards':>7} " + " ".join(f"{s:>9}" for s in STEPS))
    for mode in args.mode or ("direct", "ankiconnect"):
        best: dict[str, float] = {}
        cards = 0
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix="cards-sync-bench-") as tmp:
                cards, times = run(mode, args.n, Path(tmp))
            best = {s: min(times[s], best.get(s, times[s])) for s in STEPS}
        print(f"{mode:<12} {args.n:>6} {cards:>7} " + " ".join(f"{best[s]:>8.2f}s" for s in STEPS), flush=True)


if __name__ == "__main__":
    main()
