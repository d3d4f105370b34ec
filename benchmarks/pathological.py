"""Pathological notes build in linear time: each at two sizes, 10x apart, and the ratio.

    python benchmarks/pathological.py                    # every case, 100 KB and 1 MB
    python benchmarks/pathological.py --case '[' --case yaml-bomb --timeout 120
    python benchmarks/pathological.py --sweep            # each special character, stage by stage

Why: one unlucky or hostile note (a pasted run of ``[``, an unclosed cloze, a YAML alias
bomb, a 4,000-step procedure) once hung a build for minutes, because some scan of the
note restarted from every position. A linear build takes about ten times as long for
ten times the input; a quadratic one a hundred times. Each case is one note in a vault
of its own, built as ``cards build --no-cache`` builds it and previewed as
``cards preview --json`` shows it (a cold cache), each size in a fresh process with a
time limit (a case over it prints ``> LIMIT``). Nothing is changed in the build.

Cases are runs of Markdown's special characters sized in bytes (100 KB and 1 MB), and
shapes sized by count (``steps`` is a procedure of N numbered steps, ``bold`` a bullet
of N bold words, ``headings`` N headings), at N and 10 N. ``--sweep`` looks for more:
each special character of the syntaxes (and the pieces they make) repeated to 100 KB
and 1 MB, timed stage by stage (reflow, parse, each extractor, the judge); a stage
that grows more than 15x for 10x the input is named.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

KB = 1024


def _run(unit: str) -> Callable[[int], str]:
    """``unit`` repeated to ``size`` bytes, on one line (the worst case for a line scan)."""
    return lambda size: unit * max(1, size // len(unit.encode()))


def _lines(unit: str) -> Callable[[int], str]:
    """``unit`` (a line) repeated to ``size`` bytes."""
    return lambda size: unit * max(1, size // len(unit.encode()))


def _yaml_bomb(size: int) -> str:
    """Billion-laughs front matter: nine levels, each naming the one before nine times
    (9**9 strings once expanded, from about 1.2 KB), repeated under new names to ``size``
    bytes; ``tags``, ``tag`` and ``title`` name the last level of the first."""
    lines: list[str] = []
    bomb = 0
    while sum(len(line) + 1 for line in lines) < size:
        lines.append(f'b{bomb}l0: &b{bomb}l0 ["lol"]')
        for level in range(1, 10):
            lines.append(f"b{bomb}l{level}: &b{bomb}l{level} [{', '.join([f'*b{bomb}l{level - 1}'] * 9)}]")
        bomb += 1
    front = "\n".join([*lines, "tags: *b0l9", "tag: *b0l9", "title: *b0l9"])
    return f"---\n{front}\n---\n\n# Note\n\n- a **bold** fact\n"


def _cloze_then_parens(size: int) -> str:
    r"""A written cloze, then ``\\(`` (Markdown for ``\(``, MathJax's opener) to ``size`` bytes."""
    return "{{c1::answer}} " + "\\\\(" * max(1, (size - 15) // 3)


_SYLLABLES = "ka lo mi ne ru ta vo se pi do fu ge hi ja ku le mo na po ri sa te wu ya zo be ci da fe gu ho ji ko lu ma"


def _word(i: int) -> str:
    """A made-up word, different for each ``i`` below 36**3 (a step title no rule calls a label)."""
    parts = [*_SYLLABLES.split(), "nu"]
    return "".join(parts[(i // 36**k) % 36] for k in range(3)).capitalize()


def _steps(count: int) -> str:
    return "# Procedure\n\n" + "".join(f"{i}. **{_word(i)}** the batch\n" for i in range(1, count + 1))


def _bold(count: int) -> str:
    return "- " + " ".join(f"**w{i}**" for i in range(count)) + "\n"


def _headings(count: int) -> str:
    return "".join(f"# Heading {i}\n\nText {i}.\n\n" for i in range(count))


#: name -> (make text from a size, the two sizes, what a size counts)
CASES: dict[str, tuple[Callable[[int], str], tuple[int, int], str]] = {
    "[": (_run("["), (100 * KB, 1024 * KB), "bytes"),
    "![": (_run("!["), (100 * KB, 1024 * KB), "bytes"),
    "[a](": (_run("[a]("), (100 * KB, 1024 * KB), "bytes"),
    "[[a|": (_run("[[a|"), (100 * KB, 1024 * KB), "bytes"),
    "::": (_run("::"), (100 * KB, 1024 * KB), "bytes"),
    "{{c1::": (_run("{{c1::"), (100 * KB, 1024 * KB), "bytes"),
    "$a ": (_run("$a "), (100 * KB, 1024 * KB), "bytes"),
    "yaml-bomb": (_yaml_bomb, (100 * KB, 1024 * KB), "bytes"),
    "cloze+\\(": (_cloze_then_parens, (100 * KB, 1024 * KB), "bytes"),
    "steps": (_steps, (400, 4000), "steps"),
    "bold": (_bold, (2222, 22220), "words"),
    "headings": (_headings, (2000, 20000), "headings"),
}


#: What ``--sweep`` repeats: each special character of the syntaxes we read, and the pieces they make.
SWEEP = (
    *"[]()!*_$:{}=^|>#-`\\<&~", "1.", "中", " ", "\n", "\t", "a. ", "- a\n", "> ", "1. ", "**a ", "*a ", "_a ",
    "$a ", "$$", "==a ", "^^a ", "| a ", "|a|\n", "<a ", "<!-- ", "\\(", "((", "[[", "]]", "![", "[a](", "[[a|",
    "{{c1::", "{{cloze ", "::", ":::", " :: ", "::\n", "a:: b\n", "#a ", "# a\n", "## x # a, ", "- [ ] ", "Q: ",
    "A: ", "?\n", "```\n", "**a** ", "1. **a**\n", "[^1]", "<div>", "`a",
)  # fmt: skip


def stages(unit: str, size: int) -> dict[str, float]:
    """Seconds of each stage of one note's pipeline (reflow, parse, every extractor, the
    judge) for ``unit`` repeated to ``size`` bytes, with the collector off as in a build."""
    import gc
    from pathlib import PurePosixPath

    from cards.extract import EXTRACTORS, Context
    from cards.judge import judge_candidates
    from cards.notes.parse import parse_note
    from cards.notes.reflow import reflow

    gc.disable()
    text = unit * max(1, size // len(unit.encode()))
    seconds: dict[str, float] = {}
    began = time.perf_counter()
    flowed = reflow(text)
    seconds["reflow"] = time.perf_counter() - began
    began = time.perf_counter()
    note = parse_note(flowed.text, PurePosixPath("note.md"), deck="D", reflowed=flowed.reflowed)
    seconds["parse"] = time.perf_counter() - began
    ctx, found = Context(), []
    for name, extract in EXTRACTORS.items():
        began = time.perf_counter()
        found += list(extract(note, ctx))
        seconds[name] = time.perf_counter() - began
    began = time.perf_counter()
    judge_candidates(found)
    seconds["judge"] = time.perf_counter() - began
    return seconds


def sweep(timeout: float, scale: float = 1.0) -> None:
    """Each of SWEEP at 100 KB and 1 MB: the total, its ratio, and any stage over 15x."""
    print(f"{'unit':<14} {'100 KB s':>9} {'1 MB s':>9} {'ratio':>7}  stages over 15x (100 KB s -> 1 MB s)")
    for unit in SWEEP:
        small = _child(unit, round(100 * KB * scale), timeout, "--stages")
        large = _child(unit, round(1024 * KB * scale), timeout, "--stages") if small is not None else None
        total = [sum(f.values()) if f is not None else None for f in (small, large)]
        shown = [f"{t:.2f}" if t is not None else f"> {timeout:.0f}" for t in total]
        ratio = f"{total[1] / max(total[0], 1e-3):.1f}x" if total[0] is not None and total[1] is not None else "-"
        slow = [
            f"{k} {small[k]:.2f} -> {large[k]:.2f}"
            for k in (small or {})
            if large is not None and large[k] > 0.3 and large[k] / max(small[k], 0.01) > 15  # type: ignore[index]
        ]
        print(f"{unit!r:<14} {shown[0]:>9} {shown[1]:>9} {ratio:>7}  {'; '.join(slow)}", flush=True)


def measure(case: str, size: int) -> dict[str, float]:
    """Build and preview one note (in this process); seconds for each."""
    from cards.cli import main as cli

    text = CASES[case][0](size)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CARDS_CACHE_DIR"] = str(Path(tmp, "cache"))
        vault = Path(tmp, "vault")
        vault.mkdir()
        (vault / "note.md").write_text(text, encoding="utf-8")
        out = Path(tmp, "out", "deck.apkg")
        begin = time.perf_counter()
        _quiet(cli, ["build", str(vault), "-o", str(out), "--no-cache", "-q", "-j", "1"])
        built = time.perf_counter()
        _quiet(cli, ["preview", str(vault), "--json"])
        previewed = time.perf_counter()
    return {"bytes": len(text.encode()), "build": built - begin, "preview": previewed - built}


def _quiet(cli: Callable[..., object], args: list[str]) -> None:
    """Run one command as the CLI does; what it prints (and its exit code) is not the point."""
    with redirect_stdout(io.StringIO()):
        try:
            cli(args, standalone_mode=False)
        except SystemExit:
            pass


def _child(case: str, size: int, timeout: float, flag: str = "--one") -> dict[str, float] | None:
    """This script again in a fresh process (``--one``: a case built and previewed;
    ``--stages``: a unit timed stage by stage): its figures, or None past ``timeout``."""
    try:
        done = subprocess.run(
            [sys.executable, __file__, flag, case, str(size)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _seconds(figures: dict[str, float] | None, key: str, timeout: float) -> str:
    return f"> {timeout:.0f}" if figures is None else f"{figures[key]:.2f}"


def _ratio(small: dict[str, float] | None, large: dict[str, float] | None, key: str) -> str:
    if small is None or large is None:
        return "-"
    return f"{large[key] / max(small[key], 1e-3):.1f}x"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="only this case (repeatable)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds one size may take (default: 300)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size (default: 1)")
    parser.add_argument("--sweep", action="store_true", help="each special character's run, stage by stage, instead")
    parser.add_argument("--one", nargs=2, metavar=("CASE", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--stages", nargs=2, metavar=("UNIT", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one[0], int(args.one[1]))))
        return 0
    if args.stages:
        print(json.dumps(stages(args.stages[0], int(args.stages[1]))))
        return 0
    if args.sweep:
        sweep(args.timeout, args.scale)
        return 0
    print(f"{'case':<12} {'N':>8} {'10 N':>8} {'unit':<9} {'build s':>16} {'ratio':>7} {'preview s':>16} {'ratio':>7}")
    for case in args.case or CASES:
        _, sizes, unit = CASES[case]
        small_size, large_size = (max(1, round(size * args.scale)) for size in sizes)
        small = _child(case, small_size, args.timeout)
        large = _child(case, large_size, args.timeout) if small is not None else None
        shown = (small_size, large_size) if unit != "bytes" else (small_size // KB, large_size // KB)
        builds = f"{_seconds(small, 'build', args.timeout)} {_seconds(large, 'build', args.timeout)}"
        previews = f"{_seconds(small, 'preview', args.timeout)} {_seconds(large, 'preview', args.timeout)}"
        print(
            f"{case:<12} {shown[0]:>8} {shown[1]:>8} {'KB' if unit == 'bytes' else unit:<9} "
            f"{builds:>16} {_ratio(small, large, 'build'):>7} {previews:>16} {_ratio(small, large, 'preview'):>7}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
