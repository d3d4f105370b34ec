"""Hand-judged candidates: draw a sample, write judging sheets, collect the grades.

    python benchmarks/judging.py sample --candidates DIR --corpus /work/corpus --per-repo 150 \\
        --seed 1 --batch 250 --double 0.1 --out SHEETS [--labels benchmarks/labels/judged.tsv]
    python benchmarks/judging.py collect SHEETS [--labels benchmarks/labels/judged.tsv]
    python benchmarks/judging.py agreement [--labels benchmarks/labels/judged.tsv]

``sample`` draws, per repository, up to ``--per-repo`` mined candidates at random with a fixed
seed (from the JSON lines benchmarks/candidates.py wrote, one file per repository named by
its slug), leaving out candidates already in the labelled set and cards the author wrote
(they are always kept). So both sides are learned, kept and dropped candidates are drawn
alike. It writes judging sheets (``batch-NN.md``: each candidate as a learner sees it, then
its source lines) outside the project, and ``manifest.json`` that says where each sheet item
comes from. A share ``--double`` of the items also appears in another batch, shuffled in, so
a second judge grades it without seeing the first grade.

A judge writes ``batch-NN.tsv`` beside the sheet: ``item<TAB>grade<TAB>cause`` a line, grade
``good``/``weak``/``bad`` and, for weak and bad, a cause from ../shared/JUDGING.md.
``collect`` appends the grades to the labelled set, which holds no text of the notes: only
repo, commit, path, line, kind, key, grade, cause, judge (../shared/JUDGING.md).
``agreement`` reports, on the candidates graded twice, the share of equal grades and Cohen's
kappa (good / weak / bad, and bad versus not bad).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

from corpus import DEFAULT_LIST, load_entries  # noqa: E402

LABELS = HERE / "labels" / "judged.tsv"
COLUMNS = ("repo", "commit", "path", "line", "kind", "key", "grade", "cause", "judge")
GRADES = ("good", "weak", "bad")
CAUSES = frozenset(
    "label_gap letter_gap function_word_gap answer_shown unclear_question not_knowledge broken_markup fragment "
    "too_long guessable thin_context trivial sequence_drill multi_column other".split()
)
CONTEXT_LINES = 3
CLIP = 300


@dataclass(frozen=True, slots=True)
class Label:
    repo: str
    commit: str
    path: str
    line: int
    kind: str
    key: str
    grade: str
    cause: str
    judge: str


def read_labels(path: Path = LABELS) -> list[Label]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [Label(**{**row, "line": int(row["line"])}) for row in rows]  # type: ignore[arg-type]


def write_labels(labels: Iterable[Label], path: Path = LABELS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter="\t", lineterminator="\n")
        out.writerow(COLUMNS)
        for label in labels:
            out.writerow([getattr(label, column) for column in COLUMNS])


# ------------------------------------------------------------------ sample


def _clip(text: str) -> str:
    return text if len(text) <= CLIP else text[:CLIP] + " …"


def _source(corpus: Path, slug: str, path: str, line: int) -> list[str]:
    try:
        lines = (corpus / slug / path).read_text("utf-8", errors="replace").split("\n")
    except OSError:
        return ["(source not found)"]
    first, last = max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES)
    return [f"{'>' if n == line else ' '} {n:5d}| {_clip(lines[n - 1])}" for n in range(first, last + 1)]


def _sheet_item(number: int, item: dict, corpus: Path) -> str:
    crumbs = " › ".join(item["crumbs"])
    lines = [f"### item {number}", f"- where: {item['slug']} : {item['path']}:{item['line']}"]
    lines.append(f"- breadcrumb: {crumbs}" if crumbs else "- breadcrumb: (none)")
    if item["model"] == "cloze":
        front = f"(a list)\n  {item['shown']}" if item.get("shown") else item["front"]
        lines += [f"- front: {front}", f"- hidden (the answer): {item['hidden']}"]
        if item["back"]:
            lines.append(f"- extra (shown on the back): {item['back']}")
    else:
        lines += [f"- front: {item['front']}", f"- back: {item['back']}"]
    lines += ["- source:", "```", *_source(corpus, item["slug"], item["path"], item["line"]), "```", ""]
    return "\n".join(lines)


def _load_candidates(folder: Path, slugs: Sequence[str]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for slug in slugs:
        file = folder / f"{slug}.jsonl"
        if file.exists():
            found[slug] = [json.loads(line) for line in file.read_text("utf-8").splitlines() if line.strip()]
    return found


def kept_at(density: str) -> Callable[[dict], bool]:
    """Whether the shipped model keeps a dumped candidate at ``density``: no hard rule and
    no veto objects, and its keep-probability clears the density's threshold."""
    from cards.judge import HARD
    from cards.judge.score import shipped_model

    if density == "rules":
        return lambda c: not c.get("rule")  # the first rule that objects dropped it (candidates.py)
    model = shipped_model()
    threshold = model.threshold(density)

    def keeps(c: dict) -> bool:
        objected = set(c.get("objections") or ())
        if objected & HARD or (density != "all" and objected & model.vetoes):
            return False
        return density == "all" or model.probability(c["features"]) >= threshold

    return keeps


def sample(args: argparse.Namespace) -> int:
    entries = {e.slug: e for e in load_entries(args.list)}
    keeps = kept_at(args.kept) if args.kept else None
    judged = {(label.repo, label.key) for label in read_labels(args.labels)}
    rng = random.Random(args.seed)
    drawn: list[dict] = []
    slugs = [s for s in entries if not args.repo or s in args.repo]
    for slug, candidates in _load_candidates(args.candidates, slugs).items():
        entry = entries[slug]
        pool = [
            c
            for c in candidates
            if not c["written"]
            and (entry.repo, c["key"]) not in judged
            and (not args.kind or c["kind"] in args.kind)
            and (keeps is None or keeps(c))
        ]
        unique = list({c["key"]: c for c in pool}.values())
        for c in rng.sample(unique, min(args.per_repo, len(unique))):
            drawn.append({**c, "slug": slug, "repo": entry.repo, "commit": entry.commit})
    rng.shuffle(drawn)
    batches = [drawn[i : i + args.batch] for i in range(0, len(drawn), args.batch)]
    if len(batches) > 1 and args.double > 0:  # a share of each batch again in the next one, blind
        doubles = [rng.sample(b, round(len(b) * args.double)) for b in batches]
        for k, extra in enumerate(doubles):
            target = batches[(k + 1) % len(batches)]
            target.extend(extra)
            rng.shuffle(target)
    args.out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict[str, dict]] = {}
    for k, batch in enumerate(batches, 1):
        name = f"batch-{k:02d}"
        items = {str(n): item for n, item in enumerate(batch, 1)}
        manifest[name] = {
            n: {f: item[f] for f in ("repo", "commit", "path", "line", "kind", "key", "rule")}
            for n, item in items.items()
        }
        body = "\n".join(_sheet_item(int(n), item, args.corpus) for n, item in items.items())
        (args.out / f"{name}.md").write_text(f"# {name}: {len(items)} candidates\n\n{body}", "utf-8")
    (args.out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    print(f"{len(drawn)} candidates from {len(slugs)} repositories in {len(batches)} batches under {args.out}")
    return 0


# ------------------------------------------------------------------ collect


def _grades(file: Path) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for number, raw in enumerate(file.read_text("utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = [p.strip() for p in raw.split("\t")]
        item, grade = parts[0], parts[1].lower() if len(parts) > 1 else ""
        cause = parts[2].lower() if len(parts) > 2 else ""
        if grade not in GRADES or (grade != "good" and cause not in CAUSES):
            raise SystemExit(f"{file}:{number}: expected 'item<TAB>good|weak|bad<TAB>cause', got {raw!r}")
        found[item] = (grade, "" if grade == "good" else cause)
    return found


def collect(args: argparse.Namespace) -> int:
    manifest = json.loads((args.sheets / "manifest.json").read_text("utf-8"))
    labels = read_labels(args.labels)
    have = {(label.repo, label.key, label.judge) for label in labels}
    added = 0
    for name, items in manifest.items():
        file = args.sheets / f"{name}.tsv"
        if not file.exists():
            continue
        judge = args.judge_prefix + name
        for item, (grade, cause) in _grades(file).items():
            where = items.get(item)
            if where is None:
                raise SystemExit(f"{file}: no item {item} in {name}")
            if (where["repo"], where["key"], judge) in have:
                continue
            labels.append(
                Label(
                    where["repo"],
                    where["commit"],
                    where["path"],
                    int(where["line"]),
                    where["kind"],
                    where["key"],
                    grade,
                    cause,
                    judge,
                )
            )
            have.add((where["repo"], where["key"], judge))
            added += 1
    write_labels(labels, args.labels)
    print(f"{added} grades added; {len(labels)} in {args.labels}")
    return 0


# ------------------------------------------------------------------ agreement


def kappa(pairs: Sequence[tuple[str, str]]) -> float:
    """Cohen's kappa of two judges' grades on the same items.

    >>> round(kappa([("good", "good"), ("bad", "bad"), ("good", "bad"), ("weak", "weak")]), 3)
    0.636
    """
    if not pairs:
        return float("nan")
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[g] * second[g] for g in set(first) | set(second)) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def doubles(labels: Sequence[Label]) -> list[tuple[Label, Label]]:
    """The candidates graded by two judges: (first, second) pairs."""
    by_key: dict[tuple[str, str], list[Label]] = defaultdict(list)
    for label in labels:
        by_key[(label.repo, label.key)].append(label)
    return [(group[0], group[1]) for group in by_key.values() if len(group) >= 2]


def agreement(args: argparse.Namespace) -> int:
    pairs = doubles(read_labels(args.labels))
    grades = [(a.grade, b.grade) for a, b in pairs]
    bad = [(str(a == "bad"), str(b == "bad")) for a, b in grades]
    same = sum(a == b for a, b in grades)
    print(f"{len(pairs)} candidates graded twice; equal grades {same}/{len(pairs)} ({same / max(1, len(pairs)):.1%})")
    print(f"Cohen's kappa good/weak/bad: {kappa(grades):.3f}; bad vs not bad: {kappa(bad):.3f}")
    print("confusion (first judge rows, second judge columns):")
    table = Counter(grades)
    print("        " + "".join(f"{g:>7}" for g in GRADES))
    for g in GRADES:
        print(f"{g:>7} " + "".join(f"{table[(g, h)]:7d}" for h in GRADES))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--candidates", type=Path, required=True)
    s.add_argument("--corpus", type=Path, required=True)
    s.add_argument("--per-repo", type=int, default=150)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--batch", type=int, default=250)
    s.add_argument("--double", type=float, default=0.1)
    s.add_argument("--repo", action="append", help="only this slug (repeatable)")
    s.add_argument("--list", type=Path, default=DEFAULT_LIST, help="the repositories (default: corpus.toml)")
    s.add_argument(
        "--kept",
        choices=("few", "normal", "all", "rules"),
        help="only what the shipped model keeps at this density (rules: what the rules alone keep)",
    )
    s.add_argument(
        "--kind", action="append", help="only candidates of this kind (repeatable): a new kind's first labels"
    )
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--labels", type=Path, default=LABELS)
    c = sub.add_parser("collect")
    c.add_argument("sheets", type=Path)
    c.add_argument("--labels", type=Path, default=LABELS)
    c.add_argument("--judge-prefix", default="", help="prefixed to each batch name to name its judge")
    a = sub.add_parser("agreement")
    a.add_argument("--labels", type=Path, default=LABELS)
    args = parser.parse_args(argv)
    return {"sample": sample, "collect": collect, "agreement": agreement}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
