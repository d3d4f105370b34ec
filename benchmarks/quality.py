"""How good are the cards a vault gives? Counts, automatic defects and recall, per vault.

    python benchmarks/quality.py VAULT... [--json] [--jobs N]
    python benchmarks/quality.py VAULT... --sample 25 --seed 1     # cards to judge by hand
    python benchmarks/quality.py VAULT... --sample 10 --kind terms # ... of one kind
    python benchmarks/quality.py VAULT... --defect shown           # the cards of one class
    python benchmarks/quality.py VAULT... --missed 20 --seed 1     # facts that gave no card

Builds each vault's cards in this process through the library (``cards.collect``, then
``json_view.card_objects``: what Anki renders), and prints per vault: notes, Anki cards,
cards per note and per kind; the share of cards in each defect class of
benchmarks/defects.py (label, tiny, shown, long, markup, and any of them); and recall:
how many facts of each class of benchmarks/facts.py the notes state, and the share that
gave at least one card whose source line lies within the fact. Nothing is written.

Why: issue 11 judges ``cards`` by the quality of what it mines from ordinary notes, on
a corpus of real vaults (benchmarks/corpus.toml); this is the instrument, so a change to
the extraction rules can be measured before and after with the same command.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import defects  # noqa: E402  (beside this script)
import facts  # noqa: E402

from cards import collect  # noqa: E402
from cards.notes.skip import kind_of  # noqa: E402
from cards.preview.json_view import card_objects  # noqa: E402


@dataclass(slots=True)
class VaultReport:
    """What one vault gave and how good it is."""

    root: Path
    notes: int = 0
    errors: int = 0
    anki_notes: int = 0
    views: list[defects.CardView] = field(default_factory=list)
    found: dict[str, list[tuple[defects.CardView, str]]] = field(default_factory=dict)  # class -> (card, reason)
    facts: list[tuple[str, facts.Fact, bool]] = field(default_factory=list)  # (note path, fact, carded)
    skipped: Counter[str] = field(default_factory=Counter)  # notes with nothing to learn, per reason (notes/skip.py)
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return self.root.name

    @property
    def cards(self) -> int:
        return len(self.views)

    def kinds(self) -> Counter[str]:
        return Counter(v.kind for v in self.views)

    def any_defect(self) -> int:
        return len({id(v) for found in self.found.values() for v, _ in found})

    def recall(self) -> dict[str, tuple[int, int]]:
        """Per fact class: (facts, facts that gave a card)."""
        out: dict[str, tuple[int, int]] = {}
        for kind in facts.CLASSES:
            mine = [carded for _, fact, carded in self.facts if fact.kind == kind]
            out[kind] = (len(mine), sum(mine))
        return out


def measure(root: Path, *, jobs: int | None = None) -> VaultReport:
    """Build ``root``'s cards in this process and run every detector over them."""
    began = time.perf_counter()
    report = VaultReport(root)
    collected = collect([root], jobs=jobs)
    results = collected.results
    report.notes = len(results)
    report.errors = sum(1 for r in results if r.error)
    report.skipped = Counter(kind_of(r.skipped) for r in results if r.skipped)
    lines_by_note: dict[str, list[int]] = {}
    for result in results:
        cards = list(result.cards)
        report.anki_notes += len(cards)
        for obj in card_objects(cards):
            view = defects.view_of(obj)
            report.views.append(view)
            lines_by_note.setdefault(view.path, []).append(view.line)
    for name, detector in defects.CLASSES.items():
        report.found[name] = [(v, reason) for v in report.views if (reason := detector(v))]
    for result in results:
        path = result.path.as_posix()
        try:
            text = (root / result.path).read_text("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        lines = facts.body(text)
        card_lines = lines_by_note.get(path, [])
        for detector in facts.CLASSES.values():
            for fact in detector(lines):
                report.facts.append((path, fact, any(fact.covers(n) for n in card_lines)))
    report.seconds = time.perf_counter() - began
    return report


def _share(count: int, total: int) -> float:
    return 100.0 * count / total if total else 0.0


def as_json(reports: Sequence[VaultReport]) -> dict[str, Any]:
    """The figures of every vault, for scripts (shares in percent)."""
    vaults = []
    for r in reports:
        vaults.append(
            {
                "vault": str(r.root),
                "notes": r.notes,
                "errors": r.errors,
                "anki_notes": r.anki_notes,
                "cards": r.cards,
                "cards_per_note": round(r.cards / r.notes, 2) if r.notes else 0.0,
                "kinds": dict(sorted(r.kinds().items())),
                "skipped": dict(sorted(r.skipped.items())),
                "defects": {
                    name: {"count": len(found), "share": round(_share(len(found), r.cards), 2)}
                    for name, found in [*r.found.items(), ("any", [None] * r.any_defect())]
                },
                "recall": {
                    kind: {"facts": total, "carded": carded, "share": round(_share(carded, total), 2)}
                    for kind, (total, carded) in r.recall().items()
                },
                "seconds": round(r.seconds, 2),
            }
        )
    return {"vaults": vaults}


def print_tables(reports: Sequence[VaultReport]) -> None:
    """Three rich tables: counts and kinds, defect shares, recall."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200)
    kinds = sorted({k for r in reports for k in r.kinds()})
    counts = Table(title="Cards", show_lines=False)
    for col in ("vault", "notes", "errors", "anki notes", "cards", "cards/note", *kinds, "s"):
        counts.add_column(col, justify="left" if col == "vault" else "right")
    for r in reports:
        k = r.kinds()
        counts.add_row(
            r.name,
            str(r.notes),
            str(r.errors),
            str(r.anki_notes),
            str(r.cards),
            f"{r.cards / r.notes:.2f}" if r.notes else "-",
            *(str(k.get(x, 0)) for x in kinds),
            f"{r.seconds:.1f}",
        )
    console.print(counts)

    reasons = sorted({k for r in reports for k in r.skipped})
    if reasons:
        skipped = Table(title="Notes skipped as having nothing to learn (notes/skip.py)")
        for col in ("vault", "notes", *reasons, "all"):
            skipped.add_column(col, justify="left" if col == "vault" else "right")
        for r in reports:
            skipped.add_row(
                r.name, str(r.notes), *(str(r.skipped.get(x, 0)) for x in reasons), str(sum(r.skipped.values()))
            )
        console.print(skipped)

    table = Table(title="Defects (% of cards)")
    table.add_column("vault")
    for name in (*defects.CLASSES, "any"):
        table.add_column(name, justify="right")
    total_cards = sum(r.cards for r in reports)
    for r in reports:
        table.add_row(
            r.name,
            *(f"{_share(len(r.found[n]), r.cards):.1f}" for n in defects.CLASSES),
            f"{_share(r.any_defect(), r.cards):.1f}",
        )
    table.add_row(
        "all",
        *(f"{_share(sum(len(r.found[n]) for r in reports), total_cards):.1f}" for n in defects.CLASSES),
        f"{_share(sum(r.any_defect() for r in reports), total_cards):.1f}",
        style="bold",
    )
    console.print(table)

    recall = Table(title="Recall: facts that gave a card (carded / facts)")
    recall.add_column("vault")
    for kind in facts.CLASSES:
        recall.add_column(kind, justify="right")
    sums: Counter[str] = Counter()
    for r in reports:
        cells = []
        for kind, (total, carded) in r.recall().items():
            sums[kind + "/t"] += total
            sums[kind + "/c"] += carded
            cells.append(f"{carded}/{total} {_share(carded, total):.0f}%")
        recall.add_row(r.name, *cells)
    recall.add_row(
        "all",
        *(f"{sums[k + '/c']}/{sums[k + '/t']} {_share(sums[k + '/c'], sums[k + '/t']):.0f}%" for k in facts.CLASSES),
        style="bold",
    )
    console.print(recall)


def source_lines(root: Path, path: str, line: int, *, most: int = 6, block: bool = True) -> list[str]:
    """Lines ``line``… of a note, numbered: at most ``most``, up to a blank line when
    ``block`` (a card's source line and the rest of its block)."""
    try:
        lines = (root / path).read_text("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    out = []
    for n in range(line, min(len(lines), line + most - 1) + 1):
        text = lines[n - 1]
        if block and n > line and not text.strip():
            break
        out.append(f"{n:5d}| {text}")
    return out


def _clip(text: str, size: int = 600) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def print_card(root: Path, n: int, view: defects.CardView, reasons: Sequence[str] = ()) -> None:
    """One card as a learner sees it, with its source, for judging by hand."""
    print(f"[{n}] {view.kind} {view.path}:{view.line}" + (f"   <{'; '.join(reasons)}>" if reasons else ""))
    for text in source_lines(root, view.path, view.line):
        print("     " + _clip(text, 300))
    print("   Q: " + _clip(view.front))
    answer = " | ".join(view.hidden) if view.model == "cloze" else view.back
    print("   A: " + _clip(answer))
    if view.model == "cloze" and view.back:
        print("   Extra: " + _clip(view.back, 300))
    print("   Crumbs: " + " › ".join(view.context))
    print()


def print_sample(reports: Sequence[VaultReport], size: int, seed: int, kinds: Sequence[str] = ()) -> None:
    """``size`` random cards per vault (the same for the same seed and cards); only
    cards of ``kinds`` when given (to judge one kind by hand)."""
    for r in reports:
        views = [v for v in r.views if not kinds or v.kind in kinds]
        print(f"===== {r.name}: {min(size, len(views))} of {len(views)} cards (seed {seed})\n")
        rng = random.Random(seed)
        picked = rng.sample(range(len(views)), min(size, len(views)))
        flags = {id(v): [name for name, found in r.found.items() if any(v is w for w, _ in found)] for v in views}
        for n, index in enumerate(picked, 1):
            view = views[index]
            print_card(r.root, n, view, flags.get(id(view), []))


def print_defect(reports: Sequence[VaultReport], name: str, kinds: Sequence[str] = ()) -> None:
    """Every card of one defect class, with the reason (of ``kinds`` only, when given)."""
    for r in reports:
        found = [(v, why) for v, why in r.found[name] if not kinds or v.kind in kinds]
        total = sum(1 for v in r.views if not kinds or v.kind in kinds)
        print(f"===== {r.name}: {len(found)} {name} cards of {total}\n")
        for n, (view, reason) in enumerate(found, 1):
            print_card(r.root, n, view, [reason])


def print_missed(reports: Sequence[VaultReport], size: int, seed: int) -> None:
    """``size`` random facts per vault that gave no card, with their lines."""
    for r in reports:
        missed = [(path, fact) for path, fact, carded in r.facts if not carded]
        rng = random.Random(seed)
        picked = rng.sample(missed, min(size, len(missed)))
        print(f"===== {r.name}: {len(picked)} of {len(missed)} missed facts (seed {seed})\n")
        for n, (path, fact) in enumerate(picked, 1):
            print(f"[{n}] {fact.kind} {path}:{fact.start}-{fact.end}")
            for text in source_lines(r.root, path, fact.start, most=fact.end - fact.start + 1, block=False):
                print("     " + _clip(text, 300))
            print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vaults", nargs="+", type=Path, metavar="VAULT")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--sample", type=int, metavar="N", help="print N random cards per vault, to judge by hand")
    parser.add_argument("--seed", type=int, default=1, help="seed of --sample and --missed (default 1)")
    parser.add_argument(
        "--kind",
        action="append",
        default=[],
        metavar="K",
        help="with --sample or --defect: only cards of kind K (repeatable)",
    )
    parser.add_argument("--defect", choices=list(defects.CLASSES), help="list the cards of one defect class")
    parser.add_argument("--missed", type=int, metavar="N", help="print N random facts per vault that gave no card")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes for parsing (default: one per CPU)")
    args = parser.parse_args(argv)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends the listing quietly
    for root in args.vaults:
        if not root.is_dir():
            parser.error(f"{root}: not a folder")
    reports = [measure(root, jobs=args.jobs) for root in args.vaults]
    if args.sample:
        print_sample(reports, args.sample, args.seed, args.kind)
    elif args.defect:
        print_defect(reports, args.defect, args.kind)
    elif args.missed:
        print_missed(reports, args.missed, args.seed)
    elif args.json:
        print(json.dumps(as_json(reports), ensure_ascii=False, indent=2))
    else:
        print_tables(reports)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
