"""Single-core CPU a note of a cold build, beside ankdown's on the same cards (issue 19).

    python benchmarks/cpu.py                                   # the frozen 4,000-note vault, seed 1
    python benchmarks/cpu.py --reference /path/to/other/python  # and another cards, in the same run

A cold build (no deck, no state, no cache) of ``benchmarks/make_vault.py N --seed 1`` runs
as a user runs it, ``python -m cards build VAULT -o OUT -j 1`` in a child process, and
its CPU time (user + system, from ``os.wait4``) is divided by N: one core's work a note,
which a shared machine's load changes far less than wall time. ``--reference PYTHON``
runs the same build with another interpreter's ``cards`` (an older commit installed in
its own virtual environment), so two versions are compared in one run. ankdown (a peer
that turns Markdown cards into a deck with genanki on one core) gets the cold deck's
cards in its own format (bench.py's ``ankdown_vault``), installed into the benchmark's
own venv, and its CPU is divided by the same N. The builds take turns, ``--repeat``
rounds (default 3), and each one's fastest round counts: load only ever adds.

Last, the two-core cold build (``-j 2``, wall time) against ankdown's wall time: the
ratio a user sees on a laptop with two cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench import ankdown_command, ankdown_vault  # noqa: E402
from make_vault import make_vault  # noqa: E402


@dataclass
class Timed:
    cpu: float  # seconds of CPU, user + system, of the child and what it waited for
    wall: float
    code: int


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> Timed:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    return Timed(usage.ru_utime + usage.ru_stime, time.perf_counter() - start, os.waitstatus_to_exitcode(status))


def cold_build(python: str, vault: Path, work: Path, name: str, jobs: int, env: dict[str, str]) -> Timed:
    """A build with no deck, no state and no cache beside it."""
    out = work / f"{name}.apkg"
    for leftover in work.glob(f"{name}.apkg*"):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    cache = work / f"cache-{name}"
    shutil.rmtree(cache, ignore_errors=True)
    done = timed(
        [python, "-m", "cards", "build", str(vault), "-o", str(out), "-j", str(jobs), "-q"],
        {**env, "CARDS_CACHE_DIR": str(cache)},
        work,
    )
    assert done.code in (0, 1), f"{name}: the build failed"
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="notes in the vault (default 4000)")
    parser.add_argument("--seed", type=int, default=1, help="make_vault's seed (default 1: the frozen vault)")
    parser.add_argument("--reference", help="another python whose cards is built too, in turns")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the fastest of each build counts (default 3)")
    parser.add_argument("--ankdown", type=Path, help="ankdown's executable (default: installed into WORK)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="cards-cpu-"))
    work.mkdir(parents=True, exist_ok=True)
    ours = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    other = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    builds = {"cards": (sys.executable, ours)}
    if args.reference:
        builds["reference"] = (args.reference, other)
    try:
        vault = work / f"vault-{args.n}"
        if not vault.exists():
            make_vault(args.n, vault, seed=args.seed)
        print(f"{args.n} notes (seed {args.seed}), {os.cpu_count()} CPUs, work dir {work}", flush=True)
        best: dict[str, Timed] = {}
        for round_no in range(max(1, args.repeat)):
            for name, (python, env) in builds.items():
                done = cold_build(python, vault, work, name, 1, env)
                print(f"  round {round_no + 1} {name:<10} {done.cpu / args.n * 1000:6.2f} ms CPU a note", flush=True)
                if name not in best or done.cpu < best[name].cpu:
                    best[name] = done
        ankdown = ankdown_command(work, args.ankdown)
        if ankdown is not None:
            cards_dir = work / "ankdown-cards"
            if not cards_dir.exists():
                ankdown_vault(work / "cards.apkg", cards_dir)
            for round_no in range(max(1, args.repeat)):
                done = timed(
                    [str(ankdown), "-r", str(cards_dir), "-p", str(work / "ankdown.apkg")], dict(os.environ), work
                )
                assert done.code == 0, "ankdown failed"
                print(f"  round {round_no + 1} ankdown    {done.cpu / args.n * 1000:6.2f} ms CPU a note", flush=True)
                if "ankdown" not in best or done.cpu < best["ankdown"].cpu:
                    best["ankdown"] = done
        two = min(
            (cold_build(sys.executable, vault, work, "two-cores", 2, ours) for _ in range(max(1, args.repeat))),
            key=lambda t: t.wall,
        )
        print()
        print(f"{'build':<22} {'CPU s':>8} {'ms a note':>10}")
        for name, done in best.items():
            print(f"{name + ' (one core)':<22} {done.cpu:>8.2f} {done.cpu / args.n * 1000:>10.2f}")
        if "reference" in best:
            print(f"cards / reference: {best['cards'].cpu / best['reference'].cpu:.2f} (one core, CPU)")
        if "ankdown" in best:
            print(f"cards / ankdown:   {best['cards'].cpu / best['ankdown'].cpu:.2f} (one core, CPU)")
            print(
                f"two-core cold build {two.wall:.2f} s wall / ankdown {best['ankdown'].wall:.2f} s wall: "
                f"{two.wall / best['ankdown'].wall:.2f}"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
