"""The state file's layout: one line per note, still one JSON document.

Why these tests: State.load reads the file a line at a time (to keep a 70 MB state
from sitting in memory whole); a rebuild that changed a few notes reads only their
lines (read_notes) and writes the new file by copying the others (splice), which must
give the bytes a full save gives. Files older versions wrote (2: a slice of entries per
line, or one line; 1: objects) must still load.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from cards.deck.state import Entry, State, read_notes, splice


def _entry(i: int, note: str | None = None) -> Entry:
    return Entry(
        f"key {i}",
        "qa",
        "basic",
        f"identity «{i}»\nline",
        note or f'notes/{i % 7} "q\\\\".md',
        f"c{i}",
        1_700_000_000 + i,
        f"t{i}",
    )


def _state(n: int) -> State:
    return State({f"g{i:05d}": _entry(i) for i in range(n)})


@pytest.mark.parametrize("n", [0, 1, 5, 23])
def test_round_trip_a_line_per_note(tmp_path: Path, n: int) -> None:
    path = tmp_path / "s.json"
    _state(n).save(path, deck="ab" * 32)
    assert State.load(path) == _state(n) and State.load(path).deck == "ab" * 32
    raw = json.loads(path.read_bytes())  # any JSON reader reads it whole
    assert raw["version"] == 4 and sum(len(entries) for _, entries in raw["notes"]) == n
    assert raw["deck"] == "ab" * 32  # the deck it goes with (pipeline/commit.py)
    assert len(path.read_bytes().splitlines()) == 2 + len({e.path for e in _state(n).entries.values()})


def test_version_2_files_still_load(tmp_path: Path) -> None:
    entries = [[guid, *entry] for guid, entry in sorted(_state(9).entries.items())]
    one_line, sliced = tmp_path / "one.json", tmp_path / "sliced.json"
    one_line.write_text(json.dumps({"version": 2, "entries": entries}), encoding="utf-8")
    rows = [json.dumps(entries[i : i + 4], ensure_ascii=False)[1:-1] for i in range(0, 9, 4)]
    sliced.write_text('{"version":2,"entries":[\n' + ",\n".join(rows) + "\n]}\n", encoding="utf-8")
    assert State.load(one_line) == _state(9) == State.load(sliced)
    assert read_notes(sliced, ["notes/1.md"]) is None  # too old to read in part: a full build


def test_version_3_files_still_load_without_a_deck(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    _state(9).save(path, deck="cd" * 32)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b'{"version":3,"notes":[\n' + b"".join(lines[1:-1]) + b"]}\n")
    assert State.load(path) == _state(9) and State.load(path).deck is None
    assert read_notes(path, ["notes/1.md"]) is None  # older: a full build, which writes version 4


def test_read_notes_reads_just_those_notes(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    state = _state(23)
    state.save(path)
    wanted = sorted({e.path for e in state.entries.values()})[:2]
    found = read_notes(path, [*wanted, "absent.md"])
    assert found == {note: items for note, items in state.by_note().items() if note in wanted}


def test_splice_writes_what_a_full_save_writes(tmp_path: Path) -> None:
    path, full = tmp_path / "s.json", tmp_path / "full.json"
    state = _state(23)
    state.save(path)
    notes = sorted(state.by_note())
    changes = {
        notes[0]: [("g99999", _entry(99, notes[0]))],  # replaced
        notes[3]: [],  # dropped
        "0 first.md": [("g88888", _entry(88, "0 first.md"))],  # new, sorts first
        "zz last.md": [("g77777", _entry(77, "zz last.md")), ("g66666", _entry(66, "zz last.md"))],  # new, last
    }
    splice(path, changes, ready=lambda: None).commit()
    expected = {g: e for g, e in state.entries.items() if e.path not in changes}
    expected.update({g: e for items in changes.values() for g, e in items})
    State(expected).save(full)
    assert path.read_bytes() == full.read_bytes()
    assert State.load(path) == State(expected)


def test_splice_of_everything_away_leaves_an_empty_state(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    _state(3).save(path)
    splice(path, {note: [] for note in _state(3).by_note()}, ready=lambda: "ef" * 32).commit()
    assert State.load(path) == State()
    assert json.loads(path.read_bytes()) == {"version": 4, "notes": [], "deck": "ef" * 32}


@pytest.mark.parametrize("cut", [10, -4, -3])
def test_a_damaged_file_is_discarded_with_a_warning(tmp_path: Path, cut: int) -> None:
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
    assert read_notes(path, ["notes/1.md"]) is None
