"""Where one build's time and memory go: ``cards build`` with its phases timed.

    python benchmarks/phases.py VAULT -o OUT.apkg [--no-cache] [any other build option]

Runs the CLI's build in this process with the library's phases wrapped (planning,
parsing, the patch of the last deck, identifying, writing the deck and the state, the
cache) and prints, per phase, its seconds, when it ended and the peak memory by then.
A phase that did not run (the patch on a cold build, the full write on a patched one)
is not printed. Nothing is changed in the build itself.
"""

from __future__ import annotations

import functools
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

START = time.perf_counter()


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(owner: Any, name: str, label: str) -> None:
    inner: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(inner)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            now = time.perf_counter()
            print(
                f"  {label:<22} {now - began:7.2f} s   ends at {now - START:7.2f} s   peak {_peak_mib():5.0f} MiB",
                file=sys.stderr,
            )

    setattr(owner, name, wrapper)


def main(argv: list[str]) -> int:
    from cards.deck import package, state
    from cards.pipeline import cache, incremental
    from cards.pipeline import run as build_module

    for owner, name, label in (
        (build_module, "plan_notes", "plan (stat every note)"),
        (build_module, "gather", "parse (full build)"),
        (build_module, "patch", "patch the last deck"),
        (incremental, "gather", "parse (touched notes)"),
        (build_module, "identify_cards", "identify (+ state)"),
        (package, "write_rows", "write the deck"),
        (package, "patch_rows", "patch the collection"),
        (package, "_zip", "zip"),
        (state.State, "save", "save the state"),
        (incremental, "splice", "splice the state"),
        (cache.NoteCache, "save", "save the cache"),
    ):
        _timed(owner, name, label)
    from cards.cli import main as cli

    try:
        cli(["build", *argv], standalone_mode=False)
    finally:
        print(
            f"  {'total':<22} {time.perf_counter() - START:7.2f} s                          peak {_peak_mib():5.0f} "
            f"MiB",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
