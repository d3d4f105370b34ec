"""Golden cards: every ``golden/<kind>/<case>.md`` against the cards it gave last time.

The expected cards live in ``test_golden/<kind>__<case>.yml``. After an intended change
regenerate them with ``pytest tests/test_golden.py --force-regen`` and read the diff:
a golden that records a bug is worse than none. ``golden/never/`` holds notes that
must give no card at all, which is also asserted outright.
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


def golden_cards(path: Path) -> list[Card]:
    rel = PurePosixPath(path.relative_to(GOLDEN).as_posix())
    note = parse_note(path.read_text(encoding="utf-8"), rel, deck="Golden")
    # Local images resolve to their own names, so the fields show what the note points at.
    return extract_cards(note, ctx=Context(resolve_image=lambda target: target))


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
    if path.parent.name == "never":
        assert cards == [], f"{path.name} must give no card"
    else:
        assert cards, f"{path.name} gives no card; move it to golden/never/ if that is intended"
    data_regression.check([readable(c) for c in cards], basename=f"{path.parent.name}__{path.stem}")


def test_golden_folders_are_kinds() -> None:
    from cards.extract import EXTRACTORS

    assert {p.name for p in GOLDEN.iterdir() if p.is_dir()} == {*EXTRACTORS, "never"}
