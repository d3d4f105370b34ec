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
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from sys import intern
from typing import IO, Any, NamedTuple

from ..atomic import Staged, staged_file
from ..model import Card
from ..text import normalise
from ..untrusted import open_regular
from .ids import Salted, fact_kind, guid_from, key_text, scoped_guid, unique_keys
from .rows import Row, row_of

log = logging.getLogger("cards")
#: 4: the sha256 of the deck the state goes with, after the notes (3, without it: one
#: line per note, its entries in GUID order; 2, one list per GUID, and 1, indented
#: objects, are still read).
STATE_VERSION = 4
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


#: One note's entries as its line of the state file holds them: (guid, entry), by GUID.
NoteEntries = list[tuple[str, Entry]]


@dataclass(slots=True)
class State:
    entries: dict[str, Entry] = field(default_factory=dict)  # guid -> entry
    #: the sha256 of the deck written with this state (None: not known, an older file)
    deck: str | None = field(default=None, compare=False)

    @classmethod
    def load(cls, path: Path) -> State:
        try:
            with open_regular(path) as handle:
                head = handle.readline()
                if head in (_HEAD, _HEAD_V3):
                    entries: dict[str, Entry] = {}
                    tail: list[bytes] = []
                    for _, items in _note_lines(handle, tail):
                        entries.update(items)
                    return cls(entries, _deck_of(tail[0]) if head == _HEAD else None)
                if head == _HEAD_V2:
                    return cls(_entries(_slices(handle)))
                handle.seek(0)
                raw = json.loads(handle.read())
            version = raw.get("version")
            if version == 1:
                return cls({guid: Entry(**entry) for guid, entry in raw["entries"].items()})
            if version == 2:
                return cls(_entries([raw["entries"]]))
            if version != STATE_VERSION:
                raise ValueError(f"version {version!r}")
            return cls({guid: entry for line in raw["notes"] for guid, entry in _note_entries(line)[1]})
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning(
                "%s: build state unreadable (%s); starting afresh, edits since the last build may show as new cards",
                path,
                exc,
            )
            return cls()

    def by_note(self) -> dict[str, NoteEntries]:
        """The entries grouped as the file holds them: by note path, then GUID."""
        return {note: self._note(guids) for note, guids in self._guids_by_note()}

    def _guids_by_note(self) -> list[tuple[str, list[str]]]:
        notes: dict[str, list[str]] = {}
        for guid, entry in self.entries.items():
            notes.setdefault(entry.path, []).append(guid)
        return sorted(notes.items())

    def _note(self, guids: list[str]) -> NoteEntries:
        return [(guid, self.entries[guid]) for guid in sorted(guids)]

    def save(self, path: Path, *, deck: str | None = None) -> None:
        """Write the state at ``path`` (see :meth:`stage`), ``deck`` the sha256 of the deck
        it goes with."""
        self.stage(path, ready=lambda: deck).commit()

    def stage(self, path: Path, *, ready: Callable[[], str | None]) -> Staged:
        """Write the state beside ``path``, not yet in its place (atomic.Staged): compact
        JSON, one line per note (by path), its entries by GUID, then the sha256 of the
        deck that ``ready`` gives (it writes the deck: build passes "stage the deck"; a
        state names the deck it goes with, see pipeline/run.py).

        Why a line per note: a rebuild that changed a few notes reads just their lines
        (:func:`read_notes`) and writes the new file by copying the other lines
        (:func:`splice`), instead of decoding and encoding 170,000 entries; and
        :meth:`load` reads a line at a time, never the whole text at once. Any JSON
        reader still reads the file whole. If ``ready`` raises, nothing is left behind.
        """
        with staged_file(path) as staged:
            assert staged.handle is not None
            writer = StateWriter(staged.handle)
            # a note's items are made as its line is written, never all at once
            for note, guids in self._guids_by_note():
                writer.line(_note_line(note, self._note(guids)))
            writer.finish(ready())
        return staged


#: The first line of a state file (version 3): then one line per note, each but the
#: last ending in a comma (JSON escapes every newline inside a string, so a raw
#: newline only ever separates notes), then ``]}``.
_HEAD = b'{"version":%d,"notes":[\n' % STATE_VERSION
_HEAD_V3 = b'{"version":3,"notes":[\n'
_HEAD_V2 = b'{"version":2,"entries":[\n'


def _deck_of(tail: bytes) -> str | None:
    """The deck's sha256 from a version 4 file's last line, ``],"deck":"…"}``."""
    raw = json.loads(b"{" + tail.removeprefix(b"],"))
    deck = raw["deck"]
    if not (deck is None or isinstance(deck, str)):
        raise ValueError("malformed deck")
    return deck


def _note_line(note: str, items: NoteEntries) -> bytes:
    rows = [[guid, e.key, e.kind, e.model, e.identity, e.content, e.mod, e.text] for guid, e in items]
    return json.dumps([note, rows], ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _note_entries(raw: object) -> tuple[str, NoteEntries]:
    """A decoded note line: the note's path and its entries."""
    if not (isinstance(raw, list) and len(raw) == 2 and isinstance(raw[0], str) and isinstance(raw[1], list)):
        raise ValueError("malformed note line")
    note: str = raw[0]
    rows: list[list[Any]] = raw[1]
    items: NoteEntries = []
    for guid, key, kind, model, identity, content, mod, text in rows:
        if not (isinstance(guid, str) and isinstance(mod, int) and isinstance(kind, str) and isinstance(model, str)):
            raise ValueError("malformed entries")
        # kind and model repeat on every card: one string object each (~15 MiB at 170,000)
        items.append((guid, Entry(key, intern(kind), intern(model), identity, note, content, mod, text)))
    return note, items


def _line_path(line: bytes) -> str:
    """The note path a state line starts with, without decoding the rest of the line."""
    end = line.find(b'",[', 2)
    while end > 0 and (end - len(line[:end].rstrip(b"\\"))) % 2:  # an escaped quote
        end = line.find(b'",[', end + 1)
    if not line.startswith(b'["') or end < 0:
        raise ValueError("malformed note line")
    raw = line[2:end]
    if b"\\" not in raw:  # nothing escaped (the usual path): the bytes are the text
        return raw.decode("utf-8")
    path: str = json.loads(line[1 : end + 1])
    return path


def _raw_lines(handle: IO[bytes], tail: list[bytes] | None = None) -> Iterator[bytes]:
    """The note lines after the head, without their commas; the last line (``]}``, or
    version 4's ``],"deck":…}``) goes to ``tail``; raises when truncated."""
    for line in handle:
        line = line.rstrip(b"\r\n")
        if line.startswith(b"]"):
            if line != b"]}" and not (line.startswith(b'],"deck":') and line.endswith(b"}")):
                raise ValueError("truncated")
            if tail is not None:
                tail.append(line)
            return
        yield line.removesuffix(b",")
    raise ValueError("truncated")


def _note_lines(handle: IO[bytes], tail: list[bytes] | None = None) -> Iterator[tuple[str, NoteEntries]]:
    for line in _raw_lines(handle, tail):
        yield _note_entries(json.loads(line))


def read_notes(path: Path, notes: Collection[str]) -> dict[str, NoteEntries] | None:
    """The entries of ``notes`` only (a note with none is left out), decoding no other
    line; None when the file is missing, damaged or older than version 3."""
    wanted = set(notes)
    found: dict[str, NoteEntries] = {}
    try:
        with open_regular(path) as handle:
            if handle.readline() != _HEAD:
                return None
            for line in _raw_lines(handle):
                if wanted and _line_path(line) in wanted:
                    note, items = _note_entries(json.loads(line))
                    if items:
                        found[note] = items
    except (OSError, ValueError, TypeError) as exc:
        log.debug("state: cannot read notes (%s)", exc)
        return None
    return found


def splice(path: Path, notes: Mapping[str, NoteEntries], *, ready: Callable[[], str | None]) -> Staged:
    """The state file with the lines of ``notes`` replaced (an empty list drops the
    note's line; a new note's line goes in path order), every other line copied as it
    is, and the deck's sha256 that ``ready`` gives (as :meth:`State.stage`), written
    beside ``path`` and not yet in its place (atomic.Staged). The result is byte for
    byte what :meth:`State.stage` writes for the same entries. Raises ValueError on a
    file :func:`read_notes` would not read."""
    new = sorted((note, _note_line(note, sorted(items))) for note, items in notes.items() if items)

    def merged(old: Iterator[bytes]) -> Iterator[bytes]:
        pending = iter(new)
        nxt = next(pending, None)
        for line in old:
            note = _line_path(line)
            while nxt is not None and nxt[0] < note:
                yield nxt[1]
                nxt = next(pending, None)
            if nxt is not None and nxt[0] == note:
                yield nxt[1]
                nxt = next(pending, None)
            elif note not in notes:
                yield line
        while nxt is not None:
            yield nxt[1]
            nxt = next(pending, None)

    with open_regular(path) as source:
        if source.readline() != _HEAD:
            raise ValueError("not a version 4 state file")
        with staged_file(path) as staged:
            assert staged.handle is not None
            writer = StateWriter(staged.handle)
            for line in merged(_raw_lines(source)):
                writer.line(line)
            writer.finish(ready())
    return staged


def _slices(handle: IO[bytes]) -> Iterator[list[list[object]]]:
    """The entry lists of a version 2 state file after its first line, one slice per line."""
    for line in _raw_lines(handle):
        yield json.loads(b"[" + line + b"]")


def _entries(slices: Iterable[list[list[object]]]) -> dict[str, Entry]:
    """guid -> Entry from version-2 entry lists ``[guid, key, kind, ..., text]``."""
    make = Entry._make
    entries: dict[str, Entry] = {}
    for rows in slices:
        for row in rows:
            guid = row[0]
            entry = make(row[1:])
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

    def __init__(
        self,
        cards: tuple[Card, ...] | Callable[[], tuple[Card, ...]],
        mods: Mapping[str, int],
        state: State,
        changes: Changes,
        guids: Sequence[str] = (),
    ) -> None:
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


def identify(
    cards: Sequence[Card], previous: State, *, now: int, keep_paths: frozenset[str] = frozenset()
) -> Identified:
    """Give every card its GUID and modification time; return the state to save.

    ``keep_paths`` are notes that failed to read this time: their old entries are kept
    so a broken save does not cost their edit-tracking.
    """
    found = identify_rows([row_of(c) for c in cards], previous, now=now, keep_paths=keep_paths)
    guids = found.guids
    return Identified(
        tuple(replace(c, guid=g) for c, g in zip(cards, guids)), found.mods, found.state, found.changes, guids
    )


def identify_rows(
    rows: Sequence[Row],
    previous: State,
    *,
    now: int,
    keep_paths: frozenset[str] = frozenset(),
    cards: Callable[[Sequence[str]], tuple[Card, ...]] | None = None,
    consume: bool = False,
    outside: Collection[str] = (),
    reserved: Collection[str] = (),
    sink: Callable[[str, NoteEntries], None] | None = None,
) -> Identified:
    """:func:`identify` on rows; ``cards(guids)`` makes the Card objects when asked for.

    ``outside``: see ids.unique_keys; ``reserved``: GUIDs of cards not in ``rows``
    that keep them (a build that patches a few notes, pipeline/incremental.py). ``sink``: each
    note's entries go to it (a StateWriter) once its rows are done, and are not kept
    (``state`` comes back empty; rows must come in path order, and ``keep_paths`` be
    empty). ``consume``: take each entry of ``previous`` out of it once a card has its GUID
    (``previous`` ends up holding what was retired or kept). Why: at 170,000 cards the
    old entries are ~170 MiB; freed as the new ones are made, the two never add up.
    """
    keys, found = _known(rows, previous, outside)
    taken = {g for g in found if g}
    if len(taken) < len(rows):
        _match_edited(rows, found, previous, taken)
    fresh = {rows[i].path for i, g in enumerate(found) if g is None}
    legacy = _unscoped_notes(previous, fresh) if fresh else frozenset()
    entries: dict[str, Entry] = {}  # with a ``sink``: the current note's only
    assigned: set[str] | dict[str, Entry] = set() if sink is not None else entries
    mods: dict[str, int] = {}
    guids: list[str] = []
    changed: dict[str, list[str]] = {"added": [], "updated": [], "moved": [], "unchanged": []}
    old_entries = previous.entries
    take = old_entries.pop if consume else old_entries.get
    note = ""
    for index, (row, salted, guid) in enumerate(zip(rows, keys, found)):
        key = key_text(salted)
        if sink is not None and row.path != note:
            _next_note(sink, note, row.path, entries, keep_paths)
            note = row.path
        if guid is None:
            guid = _new_guid(row, key, row.path in legacy, (taken, assigned, reserved))
        mod = _mod(take(guid, None), row, now, guid, changed)
        entries[guid] = Entry(key, row.kind, row.model, row.identity, row.path, row.content, mod, row.text)
        guids.append(guid)
        mods[guid] = mod
        if sink is not None:
            assigned.add(guid)  # type: ignore[union-attr]
            keys[index] = ""  # a salted key lives on in its entry only, until its note is written
    if sink is not None and entries:
        sink(note, sorted(entries.items()))
        entries.clear()
    changes = _retire(old_entries, assigned, keep_paths, entries, changed)
    make = cards if cards is not None else (lambda guids: ())
    return Identified(lambda: make(guids), mods, State(entries), changes, guids)


def _retire(
    old_entries: dict[str, Entry],
    assigned: Collection[str],
    keep_paths: frozenset[str],
    entries: dict[str, Entry],
    changed: dict[str, list[str]],
) -> Changes:
    """The build's changes: what it gave, and the last build's cards no row took, retired
    unless their note is kept (then their entries stay)."""
    retired = [g for g, e in old_entries.items() if g not in assigned and e.path not in keep_paths]
    for guid, entry in old_entries.items():
        if guid not in assigned and entry.path in keep_paths:
            entries[guid] = entry
    return Changes(
        added=tuple(changed["added"]),
        updated=tuple(changed["updated"]),
        moved=tuple(changed["moved"]),
        unchanged=tuple(changed["unchanged"]),
        retired=tuple(retired),
        retired_entries=tuple(old_entries[g] for g in retired),
    )


def _known(
    rows: Sequence[Row], previous: State, outside: Collection[str]
) -> tuple[list[str | Salted], list[str | None]]:
    """Each row's key, unique within the build (ids.unique_keys), and the GUID the last
    build gave that key (None: a new key)."""
    by_key = {e.key: g for g, e in previous.entries.items()}
    owners = {e.key: e.path for e in previous.entries.values()}
    keys = unique_keys([r.key for r in rows], lambda i: (rows[i].path, rows[i].context), owners, outside)
    found: list[str | None] = [by_key.get(key_text(k)) for k in keys] if by_key else [None] * len(keys)
    return keys, found


def _next_note(
    sink: Callable[[str, NoteEntries], None],
    note: str,
    path: str,
    entries: dict[str, Entry],
    keep_paths: frozenset[str],
) -> None:
    """Rows have moved on to the note at ``path``: the last note's entries go to the sink."""
    if path < note or keep_paths:
        raise ValueError("a sink needs rows in note path order and no kept notes")
    if entries:
        sink(note, sorted(entries.items()))
        entries.clear()


def _new_guid(row: Row, key: str, legacy: bool, held: tuple[Collection[str], ...]) -> str:
    """A new fact's GUID: the hash of its key within its output (ids.scoped_guid; in a
    note of GUIDs made before GUIDs were scoped, the hash of the key alone), unless that
    GUID is ``held``: by a card that has it from the state (say a question whose typo was
    fixed into this very text), by another new fact (a hash collision), or by a card the
    caller keeps (``reserved``). The held GUID stays with its card's reviews."""
    if legacy:
        guid = row.hashed if key == row.key else guid_from(key)
    else:
        guid = scoped_guid(key, row.deck)
    while any(guid in taken for taken in held):
        guid = guid_from(key, guid)
    return guid


def _mod(old: Entry | None, row: Row, now: int, guid: str, changed: dict[str, list[str]]) -> int:
    """A card's modification time against its entry of the last build, and which change
    it is (added, updated, moved, unchanged)."""
    if old is None:
        changed["added"].append(guid)
        return now
    if old.content == row.content:
        changed["unchanged"].append(guid)
        return old.mod
    changed["updated"].append(guid)
    if old.text == row.text:
        changed["moved"].append(guid)
    return max(now, old.mod + 1)


class StateWriter:
    """A state file written a note at a time, as :meth:`State.save` writes it: give it
    each note's entries in path order (:func:`identify_rows` ``sink``), then ``finish``.

    Why: a full build of 10,000 notes held every card's entry (and its salted key,
    ids.unique_keys) until the state was saved: ~60 MiB at the build's peak.
    """

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self._last: bytes | None = None
        handle.write(_HEAD)

    def note(self, path: str, items: NoteEntries) -> None:
        self.line(_note_line(path, items))

    def line(self, line: bytes) -> None:
        """A note's line as the file holds it (each but the last ends in a comma)."""
        if self._last is not None:
            self._handle.write(self._last + b",\n")
        self._last = line

    def finish(self, deck: str | None) -> None:
        """The last line: the sha256 of the deck this state goes with (None: unknown)."""
        if self._last is not None:
            self._handle.write(self._last + b"\n")
        self._handle.write(b'],"deck":' + json.dumps(deck).encode("ascii") + b"}\n")


def _unscoped_notes(previous: State, paths: Collection[str]) -> frozenset[str]:
    """The notes among ``paths`` with a card of the last build whose GUID is its key's
    hash alone (made before GUIDs were scoped by output, ids.scoped_guid): their new
    facts keep that scheme, so a fact deleted from such a note and written again gets
    its old GUID back (and Anki its reviews), in a full build and a patching one alike
    (both see the note's old entries)."""
    return frozenset(
        entry.path for guid, entry in previous.entries.items() if entry.path in paths and guid == guid_from(entry.key)
    )


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
            if fact_kind(entry.kind, entry.model) != fact_kind(card.kind, card.model) or entry.model != card.model:
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
