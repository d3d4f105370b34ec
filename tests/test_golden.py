"""Golden cards: every ``golden/<kind>/<case>.md`` against the cards it gave last time.

The expected cards live in ``test_golden/<kind>__<case>.yml``. After an intended change
regenerate them with ``pytest tests/test_golden.py --force-regen`` and read the diff:
a golden that records a bug is worse than none. Cards are what the deck keeps at the
default density (``normal``). ``golden/never/`` holds notes every hand rule once dropped
whole (labels hidden, meta text, shown answers, …): since the score decides (judge/), the
few cards it still keeps of them are recorded like any other, as its known misses: a
shorter ``never__*.yml`` is better.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from cards.extract import Context, extract_cards
from cards.model import Card
from cards.notes.parse import parse_note

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("*/*.md"))


def golden_cards(path: Path, density: str = "normal") -> list[Card]:
    rel = PurePosixPath(path.relative_to(GOLDEN).as_posix())
    note = parse_note(path.read_text(encoding="utf-8"), rel, deck="Golden")
    # Local images resolve to their own names, so the fields show what the note points at.
    return extract_cards(note, ctx=Context(resolve_image=lambda target: target), density=density)


def readable(card: Card) -> dict[str, Any]:
    return {
        "kind": card.kind,
        "model": card.model,
        "front": card.front,
        "back": card.back,
        "context": list(card.context),
        "identity": card.identity.replace("\x1f", " | "),
        "line": card.source.line,
        "deck": card.deck,
        "tags": list(card.tags),
        "media": list(card.media),
    }


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden(path: Path, data_regression: Any) -> None:
    cards = golden_cards(path)
    if path.parent.name != "never":  # the kind makes its cards; what normal keeps is recorded
        made = golden_cards(path, density="all")
        assert made, f"{path.name} gives no candidate; move it to golden/never/ if that is intended"
    data_regression.check([readable(c) for c in cards], basename=f"{path.parent.name}__{path.stem}")


def test_golden_folders_are_kinds() -> None:
    from cards.extract import EXTRACTORS

    assert {p.name for p in GOLDEN.iterdir() if p.is_dir()} == {*EXTRACTORS, "never"}
