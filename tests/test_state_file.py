"""The state file's layout: streamed a slice per line, still one JSON document.

Why these tests: State.load reads the file a line at a time (to keep a 70 MB state
from sitting in memory whole); older versions of the tool read it with one
``json.loads``, and files they wrote (one line) must still load.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from cards import state as state_module
from cards.state import Entry, State


def _state(n: int) -> State:
    return State({f"g{i:05d}": Entry(f"key {i}", "qa", "basic", f"identity «{i}»\nline", f"notes/{i % 7}.md", f"c{i}", 1_700_000_000 + i, f"t{i}") for i in range(n)})


@pytest.mark.parametrize("n", [0, 1, 5, 23])
def test_round_trip_in_slices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    monkeypatch.setattr(state_module, "_SLICE", 4)
    path = tmp_path / "s.json"
    _state(n).save(path)
    assert State.load(path) == _state(n)
    raw = json.loads(path.read_bytes())  # what an older version of the tool does
    assert raw["version"] == 2 and len(raw["entries"]) == n


def test_one_line_version_2_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    entries = [[guid, *entry] for guid, entry in sorted(_state(9).entries.items())]
    path.write_text(json.dumps({"version": 2, "entries": entries}), encoding="utf-8")
    assert State.load(path) == _state(9)


@pytest.mark.parametrize("cut", [10, -4, -3])
def test_a_damaged_file_is_discarded_with_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut: int) -> None:
    monkeypatch.setattr(state_module, "_SLICE", 4)
    path = tmp_path / "s.json"
    _state(10).save(path)
    path.write_bytes(path.read_bytes()[:cut])
    seen: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("cards").addHandler(handler)  # the CLI's tests may stop propagation
    try:
        assert State.load(path) == State()
    finally:
        logging.getLogger("cards").removeHandler(handler)
    assert any("unreadable" in message for message in seen)
