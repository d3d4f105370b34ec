"""Every candidate card of a vault, kept or dropped, as plain text: what judges grade and the score learns from.

    python benchmarks/candidates.py VAULT [--out FILE.jsonl]

One JSON object a line: where the candidate comes from (``path``, ``line``), its ``kind``
and note type (``model``), whether the author wrote it (``written``), what a learner sees
(``front`` with the gap as ``[...]``, ``hidden``: what the gap hides, ``back``: the answer or
a cloze's Extra, ``crumbs``: the breadcrumb), the rule that drops it today (``rule``,
``reason``; empty when it is kept) and its ``key``.

The key finds the same candidate again when the pinned repository is laid out once more
(benchmarks/corpus.toml): a hash of its kind and of the text a learner sees, never of the
rule verdict, so a candidate keeps its key when the rules change and its label stays
attached to it. Nothing of the notes is ever written into the project: labelled sets keep
only repo, commit, path, line, kind and key (../shared/JUDGING.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))

from cards.deck.render import Renderer  # noqa: E402
from cards.errors import CardsError  # noqa: E402
from cards.judge import Scored, verdict  # noqa: E402
from cards.judge.as_text import facts_to_json  # noqa: E402
from cards.model import Candidate as Proposed  # noqa: E402
from cards.notes.blocks import BlockIndex  # noqa: E402
from cards.notes.media import MediaIndex  # noqa: E402
from cards.notes.read import decode_note  # noqa: E402
from cards.pipeline.per_note import Judged, Vault, judge_text, log  # noqa: E402
from cards.pipeline.recurrence import VaultRecurrence, note_bytes  # noqa: E402
from cards.text import html_to_text  # noqa: E402

_CLOZE = re.compile(r"\{\{c1::(.*?)(?:::[^{}]*?)?\}\}", re.S)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One candidate as a learner would see it, with today's verdict."""

    path: str
    line: int
    kind: str
    model: str
    written: bool
    front: str
    hidden: str
    back: str
    crumbs: tuple[str, ...]
    rule: str
    reason: str
    key: str
    shown: str = ""  # the front with its list items on lines of their own (for judging sheets)
    facts: dict[str, Any] | None = None  # what the kind knew, typed (cards.judge.as_text.facts_to_json)
    objections: tuple[str, ...] = ()  # every rule that objects (judge.objections)
    features: tuple[float, ...] = ()  # what the score reads (judge/features.py NAMES, in order)


def key_of(kind: str, front: str, hidden: str, back: str) -> str:
    """What finds a candidate again: its kind and the text a learner sees, hashed.

    >>> key_of("phrases", "Cells make [...].", "ATP", "")
    'f16b7ab77f8b5c2f'
    """
    digest = hashlib.sha256("\x1f".join((kind, front, hidden, back)).encode("utf-8")).hexdigest()
    return digest[:16]


def _candidate(
    candidate: Proposed,
    renderer: Renderer,
    rule: str = "",
    reason: str = "",
    line: int = 0,
    scored: Scored | None = None,
) -> Candidate:
    view = candidate.view
    front = renderer.field(candidate.front)
    return Candidate(
        candidate.source.path.as_posix(),
        line or candidate.source.line,
        candidate.kind,
        candidate.model,
        candidate.written,
        view.front,
        view.hidden,
        view.back,
        tuple(candidate.crumbs),
        rule,
        reason,
        key_of(candidate.kind, view.front, view.hidden, view.back),
        _shown(front) if "<li>" in front else "",
        facts_to_json(candidate.facts),
        tuple(scored.objections) if scored else (),
        tuple(round(x, 4) for x in scored.features) if scored else (),
    )


def _shown(front: str) -> str:
    """A front whose lists show as lists: each item on a line, numbered in an ordered list."""
    out, number = [], 0
    for piece in re.split(r"(<ol[^>]*>|<ul[^>]*>|<li>)", _CLOZE.sub("[...]", front, count=1)):
        if piece.startswith("<ol"):
            number = 1
        elif piece.startswith("<ul"):
            number = 0
        elif piece == "<li>":
            out.append(f"\n  {number}. " if number else "\n  • ")
            number += 1 if number else 0
        else:
            out.append(html_to_text(piece))
    return "".join(out).strip()


def vault_candidates(root: Path) -> Iterator[Candidate]:
    """Every candidate of the vault at ``root``, note by note, as the build sees it (the
    vault's recurrence counted first, judge/vault.py), unscored: with every rule that
    objects, its features, and the rule that drops it today (``rule``: the first rule
    that objects, or the note's reason; empty when the rules alone would keep it)."""
    vault = Vault.open(root)
    media = MediaIndex(vault.root)
    blocks = BlockIndex(vault.root)
    quiet = logging.Handler(logging.CRITICAL + 1)
    notes = vault.notes()
    data = note_bytes(notes)
    counted = VaultRecurrence(notes, data)  # as a build counts it
    for at, note in enumerate(notes):
        held = data[at]
        if note.skipped or held is None:
            continue
        try:
            text = decode_note(held, note.path)
        except CardsError:
            continue
        handlers, log.handlers = log.handlers, [quiet]
        propagate, log.propagate = log.propagate, False
        try:
            judged = judge_text(
                vault,
                note,
                text,
                media,
                blocks.text,
                explain=True,
                recurrence=counted.of(at),
                score=False,
            )
        except (CardsError, RecursionError):
            continue
        finally:
            log.handlers, log.propagate = handlers, propagate
        if not isinstance(judged, Judged):
            continue
        renderer = Renderer(resolve_image=judged.resolve)  # a front's lists, shown as lists on judging sheets
        line = 1 if judged.reflowed else 0  # a kept card of a reflowed note comes from its one line
        late = {id(d.candidate): d for d in judged.verdicts.dropped}
        found = []
        for scored in judged.verdicts.scored:
            c = scored.candidate
            first = verdict(c) or ((late[id(c)].rule, late[id(c)].reason) if id(c) in late else ("", ""))
            found.append(_candidate(c, renderer, *first, line=line if not first[0] else 0, scored=scored))
        yield from sorted(found, key=lambda c: c.line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--out", type=Path, help="write JSON lines here (default: standard output)")
    args = parser.parse_args(argv)
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    try:
        for candidate in vault_candidates(args.vault):
            out.write(json.dumps(asdict(candidate), ensure_ascii=False) + "\n")
    finally:
        if args.out:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
