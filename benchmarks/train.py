"""Learn a keep-probability for candidate cards from the judged set, and measure it by
leave-one-repository-out cross-validation (prototype: features computed here).

    python benchmarks/train.py --candidates DIR --corpus /work/corpus [--labels FILE] [--model gbm|lr]

Reads the labelled set (benchmarks/labels/judged.tsv), finds each judged candidate again in
the candidate dumps (benchmarks/candidates.py, one JSON-lines file per repository) by its
key, computes its features, and for each repository trains on all the others and scores
that one. Prints, for a range of thresholds, the share of good and bad among the kept
candidates and the yield (good kept / good judged), pooled over the repositories.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import numpy as np  # noqa: E402
from judging import LABELS, read_labels  # noqa: E402

from cards import judge  # noqa: E402
from cards.judge.as_text import candidate_of, facts_from_json  # noqa: E402
from cards.model import GAP, Candidate  # noqa: E402
from cards.text import normalise, width  # noqa: E402

GRADE_ORDER = {"bad": 0, "weak": 1, "good": 2}
_LOADED: list[dict] = []
MINED = ("qa", "problems", "figure", "steps", "terms", "sections", "tables", "phrases")
NOTE_RULES = ("nothing_to_learn", "missing_block", "crowded_sentence", "near_duplicate")
_HAN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_DATE = re.compile(r"\b(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")
_FIRST_PERSON = re.compile(r"(?<![\w'])(?:I|I'm|I've|my|me|we|our)(?![\w'])|我|咱")
_TASK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[ xX-]\]")
_LINK_ONLY = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*(?:\[\[[^\]]*\]\]|\[[^\]]*\]\([^)]*\)|https?://\S+|[\s,;|])+\s*$")
_HEADING = re.compile(r"^\s*(?:-\s+)?#{1,6}\s+(.+?)\s*#*\s*$")


_FREQ: tuple[dict[str, float], dict[str, float]] | None = None


def _freq() -> tuple[dict[str, float], dict[str, float]]:
    global _FREQ
    if _FREQ is None:
        import pickle

        _FREQ = pickle.load(open("/work/freq.pkl", "rb"))  # noqa: SIM115 (prototype: wordfreq's tables, max zipf over languages)
    return _FREQ


def zipfs(text: str) -> list[float]:
    """Word frequencies (zipf, 0 when unknown) of a text's words; CJK runs cut by greedy longest match."""
    latin, cjk = _freq()
    folded = normalise(text)
    out = [latin.get(w, 0.0) for w in _WORD.findall(folded) if not _HAN.search(w)]
    for run in re.findall(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+", folded):
        i = 0
        while i < len(run):
            for j in range(min(len(run), i + 6), i, -1):
                if run[i:j] in cjk or j == i + 1:
                    out.append(cjk.get(run[i:j], 0.0))
                    i = j
                    break
    return out


def tokens(text: str) -> set[str]:
    """Folded words and CJK bigrams of a text: what document frequency counts."""
    folded = normalise(text)
    found = set(_WORD.findall(folded))
    han = "".join(ch if _HAN.match(ch) else " " for ch in folded).split()
    for run in han:
        found.update(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    return found


@dataclass(slots=True)
class NoteStats:
    lines: int
    first_person: float
    dated: float
    tasks: float
    link_only: float
    headings: tuple[str, ...]


@dataclass(slots=True)
class VaultStats:
    notes: int
    df: Counter[str]
    headings: Counter[str]
    prefixes: Counter[str]
    fronts: Counter[str]
    by_note: dict[str, NoteStats]
    lines: dict[str, list[str]]
    answers: Counter[str]  # folded answers (what a gap hides, a question's answer) over the vault's candidates
    note_dropped: dict[str, float]  # per note: the share of its candidates today's rules drop
    per_line: Counter[tuple[str, int]]  # candidates per source line
    shapes: Counter[str]  # front shapes (folded, digits as #), over the vault's notes
    answer_shapes: Counter[str]
    first_tokens: Counter[str]


def _prefix(line: str) -> str:
    core = re.sub(r"^\s*(?:[-*+>]|\d+[.)])?\s*", "", line)
    return normalise(core)[:12]


def vault_stats(root: Path, candidates: list[dict]) -> VaultStats:
    df: Counter[str] = Counter()
    headings: Counter[str] = Counter()
    prefixes: Counter[str] = Counter()
    by_note: dict[str, NoteStats] = {}
    texts: dict[str, list[str]] = {}
    files = [p for p in root.rglob("*") if p.suffix.lower() in (".md", ".markdown") and p.is_file()]
    for file in files:
        rel = file.relative_to(root).as_posix()
        try:
            text = file.read_text("utf-8", errors="replace")
        except OSError:
            continue
        lines = text.split("\n")
        texts[rel] = lines
        df.update(tokens(text))
        heads = tuple(normalise(m.group(1)) for line in lines if (m := _HEADING.match(line)))
        headings.update(set(heads))
        prefixes.update({_prefix(line) for line in lines if line.strip()})
        n = max(1, sum(1 for line in lines if line.strip()))
        by_note[rel] = NoteStats(
            len(lines),
            sum(bool(_FIRST_PERSON.search(line)) for line in lines) / n,
            sum(bool(_DATE.search(line)) for line in lines) / n,
            sum(bool(_TASK.match(line)) for line in lines) / n,
            sum(bool(_LINK_ONLY.match(line)) for line in lines if line.strip()) / n,
            heads,
        )
    fronts: Counter[str] = Counter()
    seen_pairs = {(c["path"], normalise(c["front"])) for c in candidates}
    fronts.update(front for _, front in seen_pairs)
    answers: Counter[str] = Counter()
    answers.update({(c["path"], normalise(_answer(c))) for c in candidates if not c["written"]})
    answers = Counter(a for _, a in answers.elements())
    dropped: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in candidates:
        dropped[c["path"]][0] += bool(c["rule"])
        dropped[c["path"]][1] += 1
    per_line = Counter((c["path"], c["line"]) for c in candidates)
    note_dropped = {path: d / n for path, (d, n) in dropped.items()}
    shapes = Counter(s for _, s in {(c["path"], shape(c["front"])) for c in candidates})
    answer_shapes = Counter(s for _, s in {(c["path"], shape(_answer(c))) for c in candidates})
    first_tokens = Counter(t for _, t in {(c["path"], first_token(c["front"])) for c in candidates})
    return VaultStats(
        max(1, len(files)),
        df,
        headings,
        prefixes,
        fronts,
        by_note,
        texts,
        answers,
        note_dropped,
        per_line,
        shapes,
        answer_shapes,
        first_tokens,
    )


def shape(text: str) -> str:
    """A text's shape: folded, digits as ``#``, end punctuation off (``pg 103`` and ``pg 7`` are ``pg #``)."""
    return re.sub(r"\d+", "#", normalise(text)).strip(" :：.。,，")


def first_token(text: str) -> str:
    parts = shape(text).split()
    return parts[0] if parts else ""


def _answer(c: dict) -> str:
    return c["hidden"] if c["model"] == "cloze" else c["back"]


def _grams(text: str) -> set[str]:
    folded = "".join(normalise(text).split())
    return {folded[i : i + 3] for i in range(len(folded) - 2)} if len(folded) > 2 else {folded}


class _Seen:
    """A dump row as the judge reads it: its text, breadcrumb and note type (and the
    candidate, for the judge's rules)."""

    def __init__(self, candidate: Candidate) -> None:
        view = candidate.view
        self.candidate = candidate
        self.front, self.hidden, self.back = view.front, view.hidden, view.back
        self.after, self.rest = view.after, view.rest
        self.crumbs, self.cloze = candidate.crumbs, candidate.cloze


def _seen(c: dict) -> _Seen:
    return _Seen(
        candidate_of(
            c["kind"],
            c["front"],
            c["hidden"],
            c["back"],
            crumbs=tuple(c["crumbs"]),
            model=c["model"],
            facts=facts_from_json(c.get("facts")),
        )
    )


def _rules(candidate: Candidate) -> dict[str, bool]:
    """Which rules of the judge's table, asked of every candidate of a kind and note
    type they apply to (written or not), would drop it."""
    found: dict[str, bool] = {}
    for rule in judge.RULES:
        if rule.applies(candidate.kind, candidate.cloze, written=False):
            found[rule.name] = found.get(rule.name, False) or bool(rule.check(candidate))
        else:
            found.setdefault(rule.name, False)
    return found


def _width_log(text: str) -> float:
    return math.log1p(width(text)) if text else 0.0


def features(c: dict, vault: VaultStats) -> dict[str, float]:
    """The features of one candidate (a dump row) in its vault."""
    view = _seen(c)
    f: dict[str, float] = {f"kind={k}": float(c["kind"] == k) for k in MINED}
    f["cloze"] = float(view.cloze)
    for name, drops in _rules(view.candidate).items():
        f[f"rule={name}"] = float(drops)
    for name in NOTE_RULES:
        f[f"rule={name}"] = float(c["rule"] == name)
    answer = view.hidden if view.cloze else view.back
    f["answer_width"] = _width_log(answer)
    f["answer_words"] = math.log1p(len(answer.split()))
    f["answer_han"] = math.log1p(len(_HAN.findall(answer)))
    f["front_width"] = _width_log(view.front)
    f["back_width"] = _width_log(view.back)
    f["crumbs"] = float(len(view.crumbs))
    f["question_mark"] = float(view.front.rstrip().endswith(("?", "？")))
    f["answer_digits"] = sum(ch.isdigit() for ch in answer) / max(1, len(answer))
    f["answer_upper"] = sum(ch.isupper() for ch in answer) / max(1, sum(ch.isalpha() for ch in answer))
    f["answer_punct"] = float(bool(re.search(r"[,，;；。.!?:：]", answer.strip().rstrip(".。"))))
    f["image"] = float("[image]" in view.front or "[image]" in answer)
    f["math"] = float("\\(" in view.front or "\\(" in answer)
    f["gap_at_start"] = float(view.cloze and view.front.lstrip().startswith(GAP))
    rest = view.rest if view.cloze else view.front
    f["rest_words"] = math.log1p(len(rest.split()))
    f["rest_han"] = math.log1p(len(_HAN.findall(rest)))
    f["front_tokens"] = float(min(len(view.front.split()), 8))
    f["gloss_after_gap"] = float(view.cloze and view.after.lstrip().startswith(("(", "（")))
    f["colon_after_gap"] = float(view.cloze and view.after.lstrip(" *").startswith((":", "：")))
    grams = _grams(answer)
    shown = _grams(rest) | set().union(*(_grams(c) for c in view.crumbs)) if view.crumbs else _grams(rest)
    f["answer_in_context"] = len(grams & shown) / max(1, len(grams))
    f["answer_in_crumbs"] = (
        len(grams & set().union(*(_grams(c) for c in view.crumbs))) / max(1, len(grams)) if view.crumbs else 0.0
    )
    f["answer_recurs"] = math.log1p(vault.answers[normalise(answer)] - 1) if answer else 0.0
    f["note_dropped"] = vault.note_dropped.get(c["path"], 0.0)
    f["same_line"] = math.log1p(vault.per_line[(c["path"], c["line"])] - 1)
    f["front_shape_recurs"] = math.log1p(vault.shapes[shape(view.front)] - 1)
    f["answer_shape_recurs"] = math.log1p(vault.answer_shapes[shape(answer)] - 1)
    f["first_token_recurs"] = vault.first_tokens[first_token(view.front)] / vault.notes
    f["gap_only"] = float(view.cloze and not rest.strip(" :：.-—*"))
    for side, text in (("front", rest), ("answer", answer)):
        z = zipfs(text)
        f[f"{side}_zipf_max"] = max(z) if z else 0.0
        f[f"{side}_zipf_min"] = min(z) if z else 0.0
        f[f"{side}_zipf_mean"] = sum(z) / len(z) if z else 0.0
        f[f"{side}_common"] = sum(v >= 5.0 for v in z) / len(z) if z else 0.0
        f[f"{side}_rare"] = sum(v < 3.0 for v in z) / len(z) if z else 0.0
    facts = c.get("facts", {})
    for form in ("question", "case", "term"):
        f[f"shape={form}"] = float(facts.get("shape") == form)
    # vault: how often what the card shows recurs, how specific what it asks is
    folded_front = normalise(view.front)
    f["front_recurs"] = math.log1p(vault.fronts[folded_front] - 1) if folded_front else 0.0
    heading = normalise(view.crumbs[-1]) if len(view.crumbs) > 1 else ""
    f["heading_recurs"] = vault.headings[heading] / vault.notes if heading else 0.0
    lines = vault.lines.get(c["path"], [])
    source = lines[c["line"] - 1] if 0 < c["line"] <= len(lines) else ""
    f["prefix_recurs"] = math.log1p(vault.prefixes[_prefix(source)]) if source.strip() else 0.0
    words = tokens(answer)
    dfs = [vault.df[w] / vault.notes for w in words if w in vault.df]
    f["answer_df_min"] = min(dfs) if dfs else 0.0
    f["answer_df_mean"] = sum(dfs) / len(dfs) if dfs else 0.0
    note = vault.by_note.get(c["path"])
    if note is not None:
        f["note_lines"] = math.log1p(note.lines)
        f["note_first_person"] = note.first_person
        f["note_dated"] = note.dated
        f["note_tasks"] = note.tasks
        f["note_link_only"] = note.link_only
    return f


# ------------------------------------------------------------------ data


def load(args: argparse.Namespace) -> tuple[list[str], list[dict[str, float]], list[int], list[bool]]:
    """(repos, feature rows, grades 0/1/2, kept by today's rules) of the judged candidates found again."""
    labels = read_labels(args.labels)
    grade: dict[tuple[str, str], int] = {}
    for label in labels:  # graded twice: the lower grade (JUDGING.md: take the lower one)
        key = (label.repo, label.key)
        grade[key] = min(grade.get(key, 2), GRADE_ORDER[label.grade])
    wanted: dict[str, set[str]] = defaultdict(set)
    for repo, key in grade:
        wanted[repo].add(key)
    repos, rows, ys, kinds = [], [], [], []
    missing = 0
    for repo, keys in sorted(wanted.items()):
        slug = repo.replace("/", "+")
        dump = args.candidates / f"{slug}.jsonl"
        candidates = [json.loads(line) for line in dump.read_text("utf-8").splitlines()] if dump.exists() else []
        by_key = {c["key"]: c for c in candidates}
        vault = vault_stats(args.corpus / slug, candidates)
        for key in sorted(keys):
            c = by_key.get(key)
            if c is None:
                missing += 1
                continue
            repos.append(repo)
            _LOADED.append(c)
            rows.append(features(c, vault))
            ys.append(grade[(repo, key)])
            kinds.append(not c["rule"])
    if missing:
        print(f"{missing} judged candidates not found again in the dumps", file=sys.stderr)
    return repos, rows, ys, kinds


def matrix(rows: list[dict[str, float]]) -> tuple[np.ndarray, list[str]]:
    names = sorted({k for row in rows for k in row})
    return np.array([[row.get(n, 0.0) for n in names] for row in rows], dtype=float), names


def make_model(kind: str):  # type: ignore[no-untyped-def]
    if kind == "lr":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), LogisticRegression(C=0.3, max_iter=2000))
    from sklearn.ensemble import GradientBoostingClassifier

    return GradientBoostingClassifier(n_estimators=150, max_depth=3, learning_rate=0.05, subsample=0.8, random_state=0)


def loro(x: np.ndarray, good: np.ndarray, repos: list[str], kind: str) -> np.ndarray:
    """Out-of-fold keep-probabilities: each repository scored by a model trained on the others."""
    scores = np.zeros(len(good))
    groups = np.array(repos)
    for repo in sorted(set(repos)):
        test = groups == repo
        model = make_model(kind)
        model.fit(x[~test], good[~test])
        scores[test] = model.predict_proba(x[test])[:, 1]
    return scores


def report(scores: np.ndarray, y: np.ndarray) -> None:
    total_good = int((y == 2).sum())
    print(f"{len(y)} candidates: {total_good} good, {(y == 1).sum()} weak, {(y == 0).sum()} bad")
    print(" thresh   kept   good%   weak%    bad%   yield")
    for t in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        kept = scores >= t
        n = int(kept.sum())
        if not n:
            continue
        g, w, b = ((y[kept] == v).sum() / n for v in (2, 1, 0))
        print(f"  {t:4.2f} {n:6d}  {g:6.1%}  {w:6.1%}  {b:6.1%}  {(y[kept] == 2).sum() / max(1, total_good):6.1%}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--model", choices=("gbm", "lr"), default="gbm")
    parser.add_argument("--importance", action="store_true", help="print the weightiest features")
    parser.add_argument(
        "--dump", type=Path, help="write each candidate's out-of-fold score here (JSON lines; outside the project)"
    )
    args = parser.parse_args(argv)
    repos, rows, ys, kinds = load(args)
    x, names = matrix(rows)
    y = np.array(ys)
    scores = loro(x, (y == 2).astype(int), repos, args.model)
    report(scores, y)
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as out:
            for c, score, grade, repo in zip(_LOADED, scores, y, repos):
                out.write(
                    json.dumps(
                        {"score": round(float(score), 3), "grade": int(grade), "repo": repo, **c}, ensure_ascii=False
                    )
                    + "\n"
                )
    if args.importance:
        model = make_model(args.model)
        model.fit(x, (y == 2).astype(int))
        weights = getattr(model, "feature_importances_", None)
        if weights is None:
            weights = np.abs(model[-1].coef_[0])
        for weight, name in sorted(zip(weights, names), reverse=True)[:30]:
            print(f"  {weight:7.4f}  {name}")
    today = np.array(kinds)
    print("today's rules:")
    report(today.astype(float), y)
    return 0


if __name__ == "__main__":
    sys.exit(main())
