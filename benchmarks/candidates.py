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
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))

from cards.errors import CardsError  # noqa: E402
from cards.extract.judge import _CLOZE, Dropped, seen, text_of  # noqa: E402
from cards.model import Card  # noqa: E402
from cards.notes.blocks import BlockIndex  # noqa: E402
from cards.notes.media import MediaIndex  # noqa: E402
from cards.notes.read import read_note  # noqa: E402
from cards.pipeline.per_note import Vault, log, note_cards  # noqa: E402


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
    facts: dict[str, str] = field(default_factory=dict)  # what the extractor knew (Card.extra)


def key_of(kind: str, front: str, hidden: str, back: str) -> str:
    """What finds a candidate again: its kind and the text a learner sees, hashed.

    >>> key_of("phrases", "Cells make [...].", "ATP", "")
    'f16b7ab77f8b5c2f'
    """
    digest = hashlib.sha256("\x1f".join((kind, front, hidden, back)).encode("utf-8")).hexdigest()
    return digest[:16]


def _candidate(card: Card, rule: str = "", reason: str = "") -> Candidate:
    view = seen(card)
    return Candidate(
        card.source.path.as_posix(),
        card.source.line,
        card.kind,
        card.model,
        card.written,
        view.front,
        view.hidden,
        view.back,
        tuple(view.crumbs),
        rule,
        reason,
        key_of(card.kind, view.front, view.hidden, view.back),
        _shown(card.front) if "<li>" in card.front else "",
        dict(card.extra),
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
            out.append(text_of(piece))
    return "".join(out).strip()


def vault_candidates(root: Path) -> Iterator[Candidate]:
    """Every candidate of the vault at ``root``, note by note, kept ones and dropped ones
    in the order the extractors gave them."""
    vault = Vault.open(root)
    media = MediaIndex(vault.root)
    blocks = BlockIndex(vault.root)
    quiet = logging.Handler(logging.CRITICAL + 1)
    for note in vault.notes():
        handlers, log.handlers = log.handlers, [quiet]
        propagate, log.propagate = log.propagate, False
        dropped: list[Dropped] = []
        try:
            kept, _, _ = note_cards(vault, note, read_note(note), media, dropped, blocks.text)
        except (CardsError, RecursionError):
            continue
        finally:
            log.handlers, log.propagate = handlers, propagate
        found = [_candidate(card) for card in kept] + [_candidate(d.card, d.rule, d.reason) for d in dropped]
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
