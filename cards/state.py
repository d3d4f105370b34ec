"""The build state beside the output: what the last build gave each GUID.

``deck.apkg`` gets ``deck.apkg.cards-state.json``, never anything in the notes. It lets
a rebuild (1) keep a card's GUID through a typo fix or a small rewording, which a hash
of the text cannot, (2) keep a note's modification time when its content did not
change (so Anki updates exactly the edited notes, and an unchanged rebuild is byte
for byte the same deck), and (3) tell what a rebuild adds, updates and retires.
Losing the file costs only (1) for cards edited since: unchanged cards hash to the
same GUIDs as before.
"""

from __future__ import annotations

import difflib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from .atomic import atomic_file
from .folding import normalise
from .ids import guid_from, unique_keys
from .model import Card
from .rows import Row, row_of

log = logging.getLogger("cards")
#: 2: one compact JSON list per GUID (1, indented objects, is still read).
STATE_VERSION = 2
#: How alike two identity texts must be for an edited card to keep its GUID.
SIMILARITY = 0.72


class Entry(NamedTuple):
    key: str  # the natural key this GUID was last seen under
    kind: str
    model: str
    identity: str
    path: str  # note path, vault-relative
    content: str  # content_hash of the fields Anki shows
    mod: int  # modification time written into the deck
    text: str = ""  # content_hash without the source line (tells "moved" from "edited")


@dataclass(slots=True)
class State:
    entries: dict[str, Entry] = field(default_factory=dict)  # guid -> entry

    @classmethod
    def load(cls, path: Path) -> State:
        try:
            with path.open("rb") as handle:
                if handle.readline() == _HEAD:
                    return cls(_entries(_slices(handle)))
                handle.seek(0)
                raw = json.loads(handle.read())
            version = raw.get("version")
            if version == 1:
                return cls({guid: Entry(**entry) for guid, entry in raw["entries"].items()})
            if version != STATE_VERSION:
                raise ValueError(f"version {version!r}")
            return cls(_entries([raw["entries"]]))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("%s: build state unreadable (%s); starting afresh, edits since the last build may show as new cards", path, exc)
            return cls()

    def save(self, path: Path, *, ready: Callable[[], object] | None = None) -> None:
        """Compact JSON, one list per GUID in GUID order, encoded in slices.

        Why: 170,000 entries as indented objects took seconds to encode and held the
        whole text (and its bytes) in memory at once; slices go through json's C
        encoder and are written as they are made, one slice per line so that
        :meth:`load` can read them back a slice at a time (see ``_HEAD``). ``ready``
        is called before the file replaces the old one (build passes "the deck is
        written": a state must never describe a deck that failed to write); if it
        raises, the old state stays.
        """
        items = sorted(self.entries.items())
        with atomic_file(path) as handle:
            handle.write(_HEAD)
            for start in range(0, len(items), _SLICE):
                chunk = [[guid, *entry] for guid, entry in items[start : start + _SLICE]]
                text = json.dumps(chunk, ensure_ascii=False, separators=(",", ":"))[1:-1]
                handle.write((text + ("," if start + _SLICE < len(items) else "") + "\n").encode("utf-8"))
            handle.write(b"]}\n")
            if ready is not None:
                ready()


_SLICE = 4096
#: The first line of a state written by :meth:`State.save`: the entries follow one
#: slice per line (JSON escapes every newline inside a string, so a raw newline only
#: ever separates slices). Any JSON reader reads the file whole, as version 2 always
#: was; :meth:`State.load` reads it a line at a time.
_HEAD = b'{"version":%d,"entries":[\n' % STATE_VERSION


def _slices(lines: Iterable[bytes]) -> Iterator[list[list[object]]]:
    """The entry lists of a state file after its first line, one slice per line.

    Why: ``json.loads`` of the whole 70 MB state of a 10,000-note vault held its bytes,
    its text and every entry as a list at once, a few hundred MiB on top of the build.
    """
    for line in lines:
        line = line.rstrip(b"\r\n")
        if line == b"]}":
            return
        yield json.loads(b"[" + line.removesuffix(b",") + b"]")
    raise ValueError("truncated")


def _entries(slices: Iterable[list[list[object]]]) -> dict[str, Entry]:
    """guid -> Entry from version-2 entry lists ``[guid, key, kind, ..., text]``."""
    make = Entry._make
    entries: dict[str, Entry] = {}
    # kind, model and path repeat across a note's cards: one string object each
    # (json gives every occurrence its own copy; ~20 MiB at 170,000 cards)
    shared: dict[object, object] = {}
    share = shared.setdefault
    for rows in slices:
        for row in rows:
            guid = row[0]
            entry = make((row[1], share(row[2], row[2]), share(row[3], row[3]), row[4], share(row[5], row[5]), *row[6:]))
            if not isinstance(guid, str) or not isinstance(entry.mod, int):
                raise ValueError("malformed entries")
            entries[guid] = entry
    return entries


def state_path(output: Path) -> Path:
    return output.with_name(output.name + ".cards-state.json")


@dataclass(frozen=True, slots=True)
class Changes:
    """What a build does to the deck compared with the last build of the same output."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()  # everything Anki will update, ``moved`` included
    moved: tuple[str, ...] = ()  # updated only because their source line moved
    unchanged: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()  # GUIDs of the last build that this one no longer has
    retired_entries: tuple[Entry, ...] = ()


class Identified:
    """Every card's GUID and modification time, the state to save, the changes.

    ``cards`` (the Card objects with their GUIDs) are made on first use: a build
    packages straight from the rows and ``guids``.
    """

    __slots__ = ("guids", "mods", "state", "changes", "_cards")

    def __init__(self, cards: tuple[Card, ...] | Callable[[], tuple[Card, ...]], mods: dict[str, int], state: State, changes: Changes, guids: Sequence[str] = ()) -> None:
        self._cards = cards
        self.mods = mods  # guid -> note modification time
        self.state = state
        self.changes = changes
        self.guids = guids  # in card order

    @property
    def cards(self) -> tuple[Card, ...]:
        if callable(self._cards):
            self._cards = self._cards()
        return self._cards


def identify(cards: Sequence[Card], previous: State, *, now: int, keep_paths: frozenset[str] = frozenset()) -> Identified:
    """Give every card its GUID and modification time; return the state to save.

    ``keep_paths`` are notes that failed to read this time: their old entries are kept
    so a broken save does not cost their edit-tracking.
    """
    found = identify_rows([row_of(c) for c in cards], previous, now=now, keep_paths=keep_paths)
    guids = found.guids
    return Identified(tuple(replace(c, guid=g) for c, g in zip(cards, guids)), found.mods, found.state, found.changes, guids)


def identify_rows(
    rows: Sequence[Row], previous: State, *, now: int, keep_paths: frozenset[str] = frozenset(),
    cards: Callable[[Sequence[str]], tuple[Card, ...]] | None = None, consume: bool = False,
) -> Identified:
    """:func:`identify` on rows; ``cards(guids)`` makes the Card objects when asked for.

    ``consume``: take each entry of ``previous`` out of it once a card has its GUID
    (``previous`` ends up holding what was retired or kept). Why: at 170,000 cards the
    old entries are ~170 MiB; freed as the new ones are made, the two never add up.
    """
    by_key = {e.key: g for g, e in previous.entries.items()}
    owners = {e.key: e.path for e in previous.entries.values()}
    keys = unique_keys([r.key for r in rows], lambda i: (rows[i].path, rows[i].context), owners)
    found: list[str | None] = [by_key.get(k) for k in keys]
    del by_key, owners
    taken = {g for g in found if g}
    if len(taken) < len(rows):
        _match_edited(rows, found, previous, taken)
    entries: dict[str, Entry] = {}
    mods: dict[str, int] = {}
    guids: list[str] = []
    added, updated, moved, unchanged = [], [], [], []
    old_entries = previous.entries
    take = old_entries.pop if consume else old_entries.get
    for row, key, guid in zip(rows, keys, found):
        guid = guid or guid_from(key)
        while guid in entries:  # a hash collision between two facts: never share a GUID
            guid = guid_from(key, guid)
        content = row.content
        old = take(guid, None)
        if old is None:
            mod = now
            added.append(guid)
        elif old.content == content:
            mod = old.mod
            unchanged.append(guid)
        else:
            mod = max(now, old.mod + 1)
            updated.append(guid)
            if old.text == row.text:
                moved.append(guid)
        mods[guid] = mod
        entries[guid] = Entry(key, row.kind, row.model, row.identity, row.path, content, mod, row.text)
        guids.append(guid)
    retired = [g for g, e in old_entries.items() if g not in entries and e.path not in keep_paths]
    for guid, entry in old_entries.items():
        if guid not in entries and entry.path in keep_paths:
            entries[guid] = entry
    changes = Changes(
        added=tuple(added), updated=tuple(updated), moved=tuple(moved), unchanged=tuple(unchanged),
        retired=tuple(retired), retired_entries=tuple(old_entries[g] for g in retired),
    )
    make = cards if cards is not None else (lambda guids: ())
    return Identified(lambda: make(guids), mods, State(entries), changes, guids)


def _match_edited(rows: Sequence[Row], guids: list[str | None], previous: State, taken: set[str]) -> None:
    """Give a card with no known key the GUID of a vanished card of the same note and kind
    whose identity text is similar enough: that is the same fact, edited."""
    orphans = {g: e for g, e in previous.entries.items() if g not in taken}
    if not orphans:
        return
    candidates: list[tuple[float, int, str]] = []
    for index, (card, guid) in enumerate(zip(rows, guids)):
        if guid is not None:
            continue
        mine = normalise(card.identity)
        for old_guid, entry in orphans.items():
            if entry.kind != card.kind or entry.model != card.model:
                continue
            same_note = entry.path == card.path
            theirs = normalise(entry.identity)
            matcher = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
            if matcher.real_quick_ratio() < SIMILARITY or matcher.quick_ratio() < SIMILARITY:
                continue
            ratio = matcher.ratio()
            if ratio >= SIMILARITY:
                candidates.append((ratio + (0.5 if same_note else 0.0), index, old_guid))
    for _, index, old_guid in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if guids[index] is None and old_guid not in taken:
            guids[index] = old_guid
            taken.add(old_guid)
