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
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .atomic import write_atomic
from .extract.shapes import normalise
from .ids import content_hash, guid_from, natural_keys
from .model import Card

log = logging.getLogger("cards")
STATE_VERSION = 1
#: How alike two identity texts must be for an edited card to keep its GUID.
SIMILARITY = 0.72


@dataclass(frozen=True, slots=True)
class Entry:
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
            raw = json.loads(path.read_text("utf-8"))
            if raw.get("version") != STATE_VERSION:
                raise ValueError(f"version {raw.get('version')!r}")
            return cls({guid: Entry(**entry) for guid, entry in raw["entries"].items()})
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("%s: build state unreadable (%s); starting afresh, edits since the last build may show as new cards", path, exc)
            return cls()

    def save(self, path: Path) -> None:
        data = {"version": STATE_VERSION, "entries": {g: asdict(e) for g, e in sorted(self.entries.items())}}
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))


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


@dataclass(frozen=True, slots=True)
class Identified:
    cards: tuple[Card, ...]
    mods: dict[str, int]  # guid -> note modification time
    state: State
    changes: Changes


def identify(cards: Sequence[Card], previous: State, *, now: int, keep_paths: frozenset[str] = frozenset()) -> Identified:
    """Give every card its GUID and modification time; return the state to save.

    ``keep_paths`` are notes that failed to read this time: their old entries are kept
    so a broken save does not cost their edit-tracking.
    """
    by_key = {e.key: g for g, e in previous.entries.items()}
    owners = {e.key: e.path for e in previous.entries.values()}
    keys = natural_keys(cards, owners)
    guids: list[str | None] = [by_key.get(k) for k in keys]
    taken = {g for g in guids if g}
    _match_edited(cards, guids, previous, taken)
    result: list[Card] = []
    entries: dict[str, Entry] = {}
    mods: dict[str, int] = {}
    added, updated, moved, unchanged = [], [], [], []
    for card, key, guid in zip(cards, keys, guids):
        guid = guid or guid_from(key)
        while guid in entries:  # a hash collision between two facts: never share a GUID
            guid = guid_from(key, guid)
        content, text = content_hash(card), content_hash(card, with_line=False)
        old = previous.entries.get(guid)
        if old is None:
            mod = now
            added.append(guid)
        elif old.content == content:
            mod = old.mod
            unchanged.append(guid)
        else:
            mod = max(now, old.mod + 1)
            updated.append(guid)
            if old.text == text:
                moved.append(guid)
        mods[guid] = mod
        entries[guid] = Entry(key, card.kind, card.model, card.identity, card.source.path.as_posix(), content, mod, text)
        result.append(replace(card, guid=guid))
    retired = [g for g, e in previous.entries.items() if g not in entries and e.path not in keep_paths]
    for guid, entry in previous.entries.items():
        if guid not in entries and entry.path in keep_paths:
            entries[guid] = entry
    changes = Changes(
        added=tuple(added), updated=tuple(updated), moved=tuple(moved), unchanged=tuple(unchanged),
        retired=tuple(retired), retired_entries=tuple(previous.entries[g] for g in retired),
    )
    return Identified(tuple(result), mods, State(entries), changes)


def _match_edited(cards: Sequence[Card], guids: list[str | None], previous: State, taken: set[str]) -> None:
    """Give a card with no known key the GUID of a vanished card of the same note and kind
    whose identity text is similar enough: that is the same fact, edited."""
    orphans = {g: e for g, e in previous.entries.items() if g not in taken}
    if not orphans:
        return
    candidates: list[tuple[float, int, str]] = []
    for index, (card, guid) in enumerate(zip(cards, guids)):
        if guid is not None:
            continue
        mine = normalise(card.identity)
        for old_guid, entry in orphans.items():
            if entry.kind != card.kind or entry.model != card.model:
                continue
            same_note = entry.path == card.source.path.as_posix()
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
