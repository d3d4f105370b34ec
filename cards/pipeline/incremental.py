"""A rebuild that changed a few notes: patch the last deck instead of writing it again.

Why: with one note of 10,000 edited, a full rebuild loaded every cached note, the
170,000-card state, identified every card and inserted every note into a new
collection: ten seconds for one changed card. Everything it needs to know about the
other notes is already on disk: their GUIDs and per-note summaries in the cache's
manifest, their state entries on their own lines of the state file, their notes and
cards in the last deck's collection kept in the cache. So only the *touched* notes
(changed, added, deleted, or whose images changed) are parsed and identified; their
state lines are spliced; their rows in the collection are replaced.

The result is the full build's result, by construction and by test
(tests/test_incremental.py). Where the two could differ, the patch is not tried and
the full build runs:

* anything out of step: the deck, the state or the kept collection is not the one
  the last build wrote, the state is older than version 3, the tool or templates
  changed, more than one vault, a note that cannot be hashed;
* a note with an error, in this build or the last (their entries are kept, which
  the full identify handles);
* a text a touched card shares with an untouched card (the same natural key,
  ids.unique_keys) lost the touched card that kept its plain key: who keeps it now
  is a decision over the whole vault (see :func:`_shared_keys`);
* more than :data:`MAX_SHARE` of the notes touched (a checkout of another branch):
  then the full build, which writes every row in one ordered pass, is as quick.
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..deck.ids import guid_from, key_of
from ..deck.rows import Row
from ..deck.state import (
    Changes,
    Identified,
    NoteEntries,
    State,
    identify_rows,
    read_notes,
    splice,
    state_path,
)
from ..errors import WriteError
from .cache import (
    Manifest,
    NoteCache,
    NoteInfo,
    db_path,
    file_stamp,
    inputs_hash,
    note_info,
    summary_of,
)
from .collect import Collected, Plan, Progress, gather, recheck_images
from .commit import discard, replace_deck_and_state

log = logging.getLogger("cards")
#: Patch only when at most this share of the notes is touched.
MAX_SHARE = 0.5
#: ... but always when no more than this many are.
MIN_NOTES = 16


def natural_table(hashed: Iterable[str]) -> str:
    """The manifest's ``natural``: every card's hashed natural key (Row.hashed), sorted.

    Why: whether a touched card's text is on an untouched card too, and how often,
    decides its key (ids.unique_keys); this answers it without the other notes.
    """
    return "\n".join(sorted(hashed))


def _count(table: Sequence[str], hashed: str) -> int:
    return bisect_right(table, hashed) - bisect_left(table, hashed)


@dataclass(frozen=True, slots=True)
class Patched:
    """What a patching build did: run.py reports it as a BuildResult."""

    collected: Collected
    changes: Changes
    written: bool  # False: the touched notes gave the cards they gave, the deck stays


def patch(
    plan: Plan,
    store: NoteCache,
    output: Path,
    *,
    now: int,
    deck: str,
    templates_dir: Path | None,
    jobs: int | None,
    progress: Progress | None,
    full: Callable[[], Collected],
    committed: Callable[[], None] | None = None,
) -> Patched | None:
    """Patch the last deck for the notes that changed since; None: build it in full.

    ``deck`` is this build's deck fingerprint (cache.deck_fingerprint); ``full``
    collects every note, for a caller that asks the result for all its cards. The
    patched deck and the spliced state are replaced together (commit.py), then
    ``committed`` is told. A kept collection damaged since it was written (its CRC-32)
    or that SQLite finds malformed, or a cache folder that cannot take the patched
    one, is not patched: the full build writes the deck (and a new collection).
    """
    last = store.manifest()
    state_file, db = state_path(output), db_path(store.root)
    if last is None or _out_of_step(last, plan, deck, db, output, state_file):
        return _full("the last build's files are not in step, or more than one vault")
    keys: list[str] = [k for k in plan.keys if k is not None]
    touched, gone, media = _touched(plan, last, keys)
    if not (touched or gone) or len(touched) + len(gone) > max(MIN_NOTES, MAX_SHARE * len(keys)):
        return _full(f"{len(touched)} notes to parse, {len(gone)} gone")
    paths = {plan.notes[slot][1].path.as_posix() for slot in touched} | {last.notes[index].path for index in gone}
    previous = _previous(state_file, paths)
    if previous is None:
        return _full("the state file cannot be read by note")
    collected = gather(plan, store, jobs, progress, only=touched)
    if collected.errors:
        return _full("a note has an error")  # parsed and cached: the full build reuses them
    if collected.keys != tuple(keys[slot] for slot in touched):
        return _full("a note changed while it was read")
    at = _Patch(db, output, state_file, templates_dir, frozenset(previous.entries), paths, last.deflated)
    return _apply(
        at, store, last, keys, touched, media, collected, previous, now=now, deck=deck, full=full, committed=committed
    )


def _previous(state_file: Path, paths: set[str]) -> State | None:
    """What the last build gave the notes a patch touches (None: the state cannot be read by note)."""
    old_entries = read_notes(state_file, paths)
    if old_entries is None:
        return None
    return State({guid: entry for items in old_entries.values() for guid, entry in items})


def _apply(
    at: _Patch,
    store: NoteCache,
    last: Manifest,
    keys: list[str],
    touched: list[int],
    media: dict[str, Path],
    collected: Collected,
    previous: State,
    *,
    now: int,
    deck: str,
    full: Callable[[], Collected],
    committed: Callable[[], None] | None,
) -> Patched | None:
    """The touched notes' cards identified against what they gave last, the deck and
    state patched with them, the manifest saved; None (said why) when the patch cannot."""
    old_keys = Counter(key_of(e.model, e.kind, e.identity) for e in previous.entries.values())  # natural keys
    old_hashed = {key: guid_from(key) for key in old_keys}
    rows = collected.light_rows()
    table = last.natural.split("\n") if last.natural else []
    outside = _shared_keys(table, previous, rows, old_keys, old_hashed)
    if outside is None:
        return _full("a text shared with an untouched card lost the card that kept it")
    identified = identify_rows(
        rows, previous, now=now, consume=True, outside=outside, reserved=set(last.guids) - at.removed
    )
    if not _swap(table, (old_hashed[key] for key in old_keys.elements()), rows):
        return _full("the natural key table is not the last build's")
    notes, guids = _in_order(last, keys, touched, collected, identified.guids)
    shown = _shown(media, collected, notes)
    if shown is None:
        return _full("an image is not found again")
    media = shown
    changes = identified.changes
    written = bool(changes.added or changes.updated or changes.retired)
    deflated = last.deflated
    if written:  # else the touched notes gave the cards they gave: deck and state stay
        wrote = _write(
            at,
            rows,
            identified,
            notes,
            media,
            collected,
            committed,
        )
        if isinstance(wrote, str):
            return _full(wrote)
        deflated = wrote
    kept, refreshed = set(keys), set(collected.keys)
    images = {key: found for key, found in last.images.items() if key in kept and key not in refreshed}
    images.update(collected.images)
    summary = summary_of(notes)
    fingerprint = inputs_hash(keys)
    store.save(
        Manifest(
            fingerprint,
            deck,
            _stamp(at.output),
            _stamp(at.state_file),
            tuple(guids),
            tuple(keys),
            images,
            tuple(notes),
            "\n".join(table),
            file_stamp(at.db),
            deflated,
        ),
    )
    changes = _with_unchanged(changes, guids)
    done = Collected(
        None,
        media,
        parsed=collected.parsed,
        cached=len(keys) - collected.parsed,
        fingerprint=fingerprint,
        keys=tuple(keys),
        images=images,
        load=full,
        summary=summary,
    )
    return Patched(done, changes, written)


def _touched(plan: Plan, last: Manifest, keys: Sequence[str]) -> tuple[list[int], list[int], dict[str, Path]]:
    """The slots of the notes to parse (new bytes, or an image they show changed), the
    indexes in the last build of the notes gone, and the images the others show."""
    known = {key: index for index, key in enumerate(last.keys)}
    touched: list[int] = []
    media: dict[str, Path] = {}
    for slot, key in enumerate(keys):
        if key not in known:
            touched.append(slot)
            continue
        lookups = last.images.get(key)
        if lookups:
            shown = recheck_images(plan, slot, lookups)
            if shown is None:
                touched.append(slot)
            else:
                media.update(shown)
    now = set(keys)
    return touched, [index for index, key in enumerate(last.keys) if key not in now], media


def _swap(table: list[str], old: Iterable[str], rows: Iterable[Row]) -> bool:
    """The natural key table with the touched notes' old cards taken out and their new
    ones put in, in place (a few edits of a sorted list); False if an old one is missing."""
    for digest in old:
        at = bisect_left(table, digest)
        if at == len(table) or table[at] != digest:
            return False
        del table[at]
    for row in rows:
        insort(table, row.hashed)
    return True


def _in_order(
    last: Manifest,
    keys: Sequence[str],
    touched: Sequence[int],
    collected: Collected,
    new_guids: Sequence[str],
) -> tuple[list[NoteInfo], list[str]]:
    """Every note's info and every card's GUID in note order: the untouched ones as the
    last build had them, the touched ones from this build."""
    before: dict[str, tuple[NoteInfo, int]] = {}  # key -> its info and first card in last.guids
    at = 0
    for key, info in zip(last.keys, last.notes):
        before[key] = (info, at)
        at += info.cards
    fresh: dict[int, tuple[NoteInfo, Sequence[str]]] = {}
    at = 0
    for slot, result in zip(touched, collected.light):
        fresh[slot] = (note_info(result), new_guids[at : at + len(result.rows)])
        at += len(result.rows)
    notes: list[NoteInfo] = []
    guids: list[str] = []
    for slot, key in enumerate(keys):
        if slot in fresh:
            info, segment = fresh[slot]
        else:
            info, start = before[key]
            segment = last.guids[start : start + info.cards]
        notes.append(info)
        guids.extend(segment)
    return notes, guids


def _shared_keys(
    table: Sequence[str],
    previous: State,
    rows: Sequence[Row],
    old_keys: Counter[str],
    old_hashed: dict[str, str],
) -> set[str] | None:
    """The natural keys of touched cards whose plain form an untouched card keeps
    (ids.unique_keys ``outside``); None when the patch cannot know who keeps one.
    ``old_keys`` counts the natural keys of the touched notes' old cards (``previous``),
    ``old_hashed`` gives each its hash (as the table holds it).

    A natural key K of the touched cards, old or new, that untouched cards have too
    (the table counts K over the last build; the touched notes' old cards are taken
    off): the last build gave the plain K to one card, whose entry has key K. If that
    card is untouched, it keeps K and every touched card with K is salted. If it is
    touched and its note still has K, that note keeps it as the full build would. If
    its note lost K, the full build gives K to the first card in path order, which may
    be an untouched one: only a full build can say.
    """
    owners = {e.key: e.path for e in previous.entries.values()}
    hashed = old_hashed | {row.key: row.hashed for row in rows}
    outside: set[str] = set()
    for key, digest in hashed.items():
        others = _count(table, digest) - old_keys[key]
        if others < 0:
            return None  # the table is not the last build's
        if not others:
            continue
        owner = owners.get(key)
        if owner is None:
            outside.add(key)
        elif not any(row.key == key and row.path == owner for row in rows):
            return None
    return outside


def _out_of_step(last: Manifest, plan: Plan, deck: str, db: Path, output: Path, state_file: Path) -> bool:
    """Whether the last build's files are not what its manifest says (or the build
    reads more than one vault): then the deck is built in full."""
    return bool(
        len(last.notes) != len(last.keys)
        or last.summary.errors
        or last.deck != deck
        or len(plan.vaults) != 1
        or any(k is None for k in plan.keys)
        or last.db is None
        or last.db != file_stamp(db)
        or last.output != file_stamp(output)
        or last.state != file_stamp(state_file)
    )


#: A deck's deflated layout, as the manifest keeps it (zipping.Deflated's fields).
_Layout = tuple[int, tuple[int, ...], int, tuple[int, ...], int]


@dataclass(frozen=True, slots=True)
class _Patch:
    """Where a patch writes, and what it starts from."""

    db: Path
    output: Path
    state_file: Path
    templates_dir: Path | None
    removed: frozenset[str]
    paths: set[str]
    deflated: _Layout | None


def _write(
    at: _Patch,
    rows: list[Row],
    identified: Identified,
    notes: Sequence[NoteInfo],
    media: dict[str, Path],
    collected: Collected,
    committed: Callable[[], None] | None,
) -> _Layout | str:
    """The patched collection and the spliced state, replaced together with the deck
    (commit.py): the new deck's deflated layout, or why the patch is declined."""
    from ..deck.package import DamagedCollection, patch_rows
    from ..deck.zipping import Deflated

    scratch = at.db.with_name(at.db.name + ".new")
    try:
        made = patch_rows(
            at.db,
            scratch,
            at.output,
            remove=at.removed,
            rows=rows,
            guids=identified.guids,
            mods=identified.mods,
            decks={name for info in notes for name in info.decks},
            media=media,
            templates_dir=at.templates_dir,
            fields=collected.fields_of(),
            deflated=Deflated(*at.deflated) if at.deflated is not None else None,
        )
    except DamagedCollection as exc:
        return f"the kept collection is damaged ({exc})"
    except WriteError as exc:
        scratch.unlink(missing_ok=True)
        if not exc.path.is_relative_to(at.db.parent):
            raise  # the output cannot be written: the full build could not either
        return "the cache folder cannot take the patched collection"  # costs time only
    lines: dict[str, NoteEntries] = {path: [] for path in at.paths}  # a touched note left with no card: its line goes
    lines.update(identified.state.by_note())
    try:
        staged = splice(at.state_file, lines, ready=lambda: made.digest)
    except BaseException:
        discard(made)
        scratch.unlink(missing_ok=True)
        raise
    replace_deck_and_state(made, staged, scratch=scratch, db=at.db, committed=committed)
    return (made.deflated.offset, made.deflated.lengths, made.deflated.slice, made.deflated.crcs, made.deflated.crc)


def _shown(media: dict[str, Path], collected: Collected, notes: Sequence[NoteInfo]) -> dict[str, Path] | None:
    """The images the patched deck's notes show, by name (None: one is not found again)."""
    media.update(collected.media)
    used = sorted({name for info in notes for name in info.media})
    if not set(used) <= media.keys():
        return None
    return {name: media[name] for name in used}


def _with_unchanged(changes: Changes, guids: Sequence[str]) -> Changes:
    """The changes of a patch, every card of the deck it did not add or update unchanged."""
    changed = {*changes.added, *changes.updated}
    return Changes(
        changes.added,
        changes.updated,
        changes.moved,
        tuple(g for g in guids if g not in changed),
        changes.retired,
        changes.retired_entries,
    )


def _full(why: str) -> Patched | None:
    """None, the patch declined, saying why (logged at DEBUG level)."""
    log.debug("not patching the last deck: %s", why)
    return None


def _stamp(path: Path) -> tuple[int, int, int, int]:
    stamp = file_stamp(path)
    if stamp is None:
        raise FileNotFoundError(path)
    return stamp
