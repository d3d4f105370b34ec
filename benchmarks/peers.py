"""How many of the peers' own test cases give the card they expect, when `cards` reads them.

Two peers define the syntaxes `cards` reads (extract/osr.py, extract/o2a.py), and both
test their parsers on small notes:

- Obsidian Spaced Repetition, ``tests/unit/parser.test.ts``: calls ``parseT(text,
  parserOptions)`` with the plugin's standard separators and expect a list of
  ``[CardType.X, text, firstLine, lastLine]``. Each expected card counts once: it is
  given here when `cards`, reading ``text`` as a flashcard note (all three cloze
  delimiters on, as ``parserOptions`` sets them), makes a card of the same shape
  (basic, reversed or cloze) from that first line. Cases calling the parser with
  other options are not counted (they test custom separators).
- Obsidian_to_Anki, ``tests/defaults/test_vault_suites/*``: notes whose every expected
  card is marked by a ``<!-- CARD -->`` line before it. A marked block written in the
  plugin's standard syntax (``START``, ``STARTI``, ``Q:``, after any ``TARGET DECK`` /
  ``FILE TAGS`` lines) counts; it is given when `cards`, building the suite's folder as a
  vault with its plugin settings, makes a card from a line of that block. Blocks in the
  plugin's user-defined regular-expression styles are not counted.

The peers' files are read from local clones (the search tool's ``fetch``); nothing of
theirs is copied into this project. Usage::

    python benchmarks/peers.py --osr /work/.mirror/st3v3nmw+obsidian-spaced-repetition/repo \\
        --o2a /work/.mirror/ObsidianToAnki+Obsidian_to_Anki/repo [-v]
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cards.pipeline.run import collect  # noqa: E402

OSR_TEST = "tests/unit/parser.test.ts"
O2A_SUITES = "tests/defaults/test_vault_suites"
SHAPE = {
    "SingleLineBasic": "basic",
    "MultiLineBasic": "basic",
    "SingleLineReversed": "reversed",
    "MultiLineReversed": "reversed",
    "Cloze": "cloze",
}
OSR_SETTINGS = {
    "settings": {
        "convertFoldersToDecks": True,  # every note is a flashcard note, as the parser assumes
        "clozePatterns": ["==[123;;]answer[;;hint]==", "**[123;;]answer[;;hint]**", "{{[123;;]answer[;;hint]}}"],
    }
}


@dataclass
class Tally:
    expected: int = 0
    given: int = 0
    empty_cases: int = 0  # cases that expect no card
    empty_kept: int = 0  # ... and got none here


def git_file(repo: Path, path: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={repo}", "show", f"HEAD:{path}"], capture_output=True, check=True, text=True
    ).stdout


# ------------------------------------------------------------------ a little JavaScript


def _string_at(src: str, i: int) -> tuple[str, int]:
    """A JS string literal starting at ``src[i]`` ("…", '…' or `…`) and the index after it."""
    quote = src[i]
    j = i + 1
    while src[j] != quote:
        j += 2 if src[j] == "\\" else 1
    raw = src[i + 1 : j]
    if quote == "`":
        return raw.replace("\\`", "`").replace("\\\\", "\\"), j + 1
    if quote == "'":
        raw = raw.replace('\\"', '"').replace('"', '\\"').replace("\\'", "'")
    return json.loads(f'"{raw}"'), j + 1


def _expression(src: str, i: int) -> tuple[str, int]:
    """String literals joined by ``+`` from ``src[i]``; the value and the index after it."""
    parts: list[str] = []
    while True:
        while src[i].isspace():
            i += 1
        value, i = _string_at(src, i)
        parts.append(value)
        j = i
        while src[j].isspace():
            j += 1
        if src[j] != "+":
            return "".join(parts), i
        i = j + 1


def osr_cases(source: str) -> list[tuple[str, list[tuple[str, str, int, int]]]]:
    """(note text, expected cards) of every parser test with the standard options."""
    cases = []
    for match in re.finditer(r"expect\(\s*parseT\(", source):
        text, i = _expression(source, match.end())
        rest = source[i:].lstrip()
        if not rest.startswith(","):
            continue
        options = rest[1:].lstrip()
        if not options.startswith("parserOptions"):
            continue  # custom separators: not the standard syntax
        start = source.index(".toEqual(", i) + len(".toEqual(")
        depth, j = 0, start
        while True:
            if source[j] in "\"'`":
                j = _string_at(source, j)[1]
                continue
            depth += {"[": 1, "]": -1}.get(source[j], 0)
            j += 1
            if depth == 0 and source[j - 1] == "]":
                break
        expected = []
        body = source[start:j]
        for card in re.finditer(r"CardType\.(\w+),", body):
            value, k = _expression(body, card.end())
            numbers = re.match(r"\s*,\s*(\d+)\s*,\s*(\d+)", body[k:])
            assert numbers, body[k : k + 40]
            expected.append((card.group(1), value, int(numbers.group(1)), int(numbers.group(2))))
        cases.append((text, expected))
    return cases


# ------------------------------------------------------------------ counting


def _cards_of(vault: Path) -> list[tuple[str, int, str]]:
    """(note path, line, note type) of every card `cards` makes from the vault."""
    logging.getLogger("cards").disabled = True
    return [(c.source.path.as_posix(), c.source.line, c.model) for c in collect([vault]).cards]


def count_osr(repo: Path, verbose: bool) -> Tally:
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp)
        settings = vault / ".obsidian" / "plugins" / "obsidian-spaced-repetition" / "data.json"
        settings.parent.mkdir(parents=True)
        settings.write_text(json.dumps(OSR_SETTINGS), "utf-8")
        cases = osr_cases(git_file(repo, OSR_TEST))
        for n, (text, _) in enumerate(cases):
            (vault / f"case{n:03}.md").write_text(text, "utf-8")
        made = _cards_of(vault)
    for n, (text, expected) in enumerate(cases):
        mine = [(line, model) for path, line, model in made if path == f"case{n:03}.md"]
        if not expected:
            tally.empty_cases += 1
            tally.empty_kept += not mine
            if mine and verbose:
                print(f"osr: extra card(s) {mine} from {text!r}")
        for kind, card_text, first, _ in expected:
            tally.expected += 1
            ok = (first + 1, SHAPE[kind]) in mine
            tally.given += ok
            if not ok and verbose:
                print(f"osr: missed {kind} at line {first + 1} of {text!r}; made {mine}")
    return tally


def count_o2a(repo: Path, verbose: bool) -> Tally:
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", f"--git-dir={repo}", "archive", "HEAD", O2A_SUITES], capture_output=True, check=True
        ).stdout
        tarfile.open(fileobj=io.BytesIO(archive)).extractall(tmp, filter="data")
        suites = Path(tmp) / O2A_SUITES
        for suite in sorted(p for p in suites.iterdir() if p.is_dir()):
            made = _cards_of(suite)
            for note in sorted(suite.rglob("*.md")):
                rel = note.relative_to(suite).as_posix()
                lines = note.read_text("utf-8").split("\n")
                markers = [k for k, line in enumerate(lines) if line.strip() == "<!-- CARD -->"]
                for m, k in enumerate(markers):
                    end = markers[m + 1] if m + 1 < len(markers) else len(lines)
                    block = [
                        line.strip()
                        for line in lines[k + 1 : end]
                        if line.strip() and not line.strip().startswith("<!--")
                    ]
                    if not block or not re.match(r"^(START|STARTI\b|Q:)", block[0]):
                        continue  # a user-defined regular-expression style
                    tally.expected += 1
                    ok = any(path == rel and k + 2 <= line <= end for path, line, _ in made)
                    tally.given += ok
                    if not ok and verbose:
                        print(f"o2a: missed the card at {suite.name}/{rel}:{k + 2}: {block[:3]}")
    return tally


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--osr", type=Path, required=True, help="bare git dir of st3v3nmw/obsidian-spaced-repetition")
    parser.add_argument("--o2a", type=Path, required=True, help="bare git dir of ObsidianToAnki/Obsidian_to_Anki")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every missed case")
    args = parser.parse_args(argv)
    total = Tally()
    for name, tally in (
        ("Obsidian Spaced Repetition parser tests", count_osr(args.osr, args.verbose)),
        ("Obsidian_to_Anki test vault suites", count_o2a(args.o2a, args.verbose)),
    ):
        share = 100 * tally.given / tally.expected if tally.expected else 0.0
        print(f"{name}: {tally.given}/{tally.expected} expected cards given ({share:.1f} %)", end="")
        print(f"; {tally.empty_kept}/{tally.empty_cases} no-card cases give none" if tally.empty_cases else "")
        total.expected += tally.expected
        total.given += tally.given
    print(f"together: {total.given}/{total.expected} ({100 * total.given / max(total.expected, 1):.1f} %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
