"""The pipeline as a library: paths in, a deck out.

``collect`` (collect.py) gives every note's cards; ``build`` identifies them against the
state of the last build of the same output (deck/state.py) and writes the deck (deck/package.py),
holding the output's lock. Three ways through, fastest first: nothing changed (the deck
is left alone); some notes changed (incremental.py patches the last deck with just
those notes); else the full build. The CLI is a thin layer over ``collect`` and
``build``; a script can call them the same way.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import staged_file
from ..config import Config
from ..deck.state import Changes, Identified, NoteEntries, State, StateWriter, identify_rows, state_path
from ..errors import WriteError, reason
from .cache import (
    Manifest,
    NoteCache,
    db_path,
    deck_fingerprint,
    drop_legacy_cache,
    file_stamp,
    legacy_cache_dir,
    usable_cache_dir,
)
from .collect import Collected, Plan, Progress, collect, gather, plan_notes, unchanged
from .commit import discard, is_the_deck, replace_deck_and_state
from .incremental import natural_table, patch
from .lock import OnWait, lock_path, output_lock
from .outputs import check_output
from .per_note import NoteResult, Vault, process_note

if TYPE_CHECKING:
    from ..deck.package import Written

log = logging.getLogger("cards")

# genanki loads only when a deck is written: a build that finds nothing changed starts
# in a fraction of the time.

__all__ = [
    "BuildResult",
    "Collected",
    "NoteResult",
    "Vault",
    "build",
    "build_time",
    "collect",
    "identify_cards",
    "process_note",
]


class BuildResult:
    """What a build did. ``identified`` is computed on first use when the build found
    the deck up to date without identifying its cards (the no-op fast path)."""

    __slots__ = ("collected", "output", "written", "_identified", "_changes")

    def __init__(
        self,
        collected: Collected,
        identified: Identified | Callable[[], Identified],
        output: Path,
        written: bool,  # False when the deck on disk was already this deck
        *,
        changes: Changes | None = None,
    ) -> None:
        self.collected = collected
        self._identified = identified
        self.output = output
        self.written = written
        self._changes = changes

    @property
    def identified(self) -> Identified:
        if not isinstance(self._identified, Identified):
            self._identified = self._identified()
        return self._identified

    @property
    def changes(self) -> Changes:
        return self._changes if self._changes is not None else self.identified.changes

    def __repr__(self) -> str:
        # from the summary: the no-op and patching builds would load every card for a count
        return f"BuildResult(output={self.output!r}, written={self.written}, notes={self.collected.summary.notes})"


def identify_cards(
    collected: Collected,
    output: Path | None,
    *,
    now: int | None = None,
    sink: Callable[[str, NoteEntries], None] | None = None,
    previous: State | None = None,
) -> Identified:
    """GUIDs and modification times against the state of the last build of ``output``
    (``previous``, when the caller has loaded it; ``sink``: see state.identify_rows)."""
    if previous is None:
        previous = State.load(state_path(output)) if output is not None else State()
    failed = frozenset(r.path.as_posix() for r in collected.light if r.error)
    return identify_rows(
        collected.light_rows(),
        previous,
        now=now or build_time(),
        keep_paths=failed,
        cards=collected.cards_with,
        consume=True,
        sink=sink,
    )


def _streams(collected: Collected) -> bool:
    """Whether the state can be written a note at a time as cards are identified: no
    note failed (their old entries are kept) and the notes come in path order once
    each (one vault; notes are found sorted)."""
    infos = collected.infos
    paths = [info.path for info in infos if info.cards]
    return not any(info.error for info in infos) and all(a < b for a, b in zip(paths, paths[1:]))


class _Unchanged(Exception):
    """The deck would be what it is: keep the old state file too (nothing is written)."""


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a build runs.

    Why: a 10,000-note build holds millions of small tuples (rows, state entries), and
    every full collection walks all of them: a quarter of a one-edit rebuild went to
    the collector and found nothing, since rows and entries hold no cycles. Reference
    counting still frees everything; the collector resumes (as it was) afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def output_files(output: Path) -> tuple[Path, ...]:
    """The files a build writes beside the deck (and where older versions kept the
    cache): never notes, even when they sit inside the vault."""
    return (output, state_path(output), lock_path(output), legacy_cache_dir(output))


def build_time() -> int:
    """Now, or ``SOURCE_DATE_EPOCH`` for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return int(epoch) if epoch and epoch.isdigit() else int(time.time())


def build(
    paths: Sequence[Path],
    output: Path,
    *,
    deck: str | None = None,
    config: Config | None = None,
    now: int | None = None,
    templates_dir: Path | None = None,
    collected: Collected | None = None,
    cache: bool = True,
    jobs: int | None = None,
    lock_timeout: float | None = None,
    progress: Progress | None = None,
    on_wait: OnWait | None = None,
    allow_empty: bool = False,
) -> BuildResult:
    """Build the deck at ``output`` and the state beside it; skip the write when unchanged.

    Holds the output's lock (lock.py; raises ``LockTimeout``, and tells ``on_wait``
    once if it has to wait) for the whole build. An output that cannot be a deck (not
    ``.apkg``, a name too long, a link, folder or device in the place of the deck,
    state or lock: outputs.py) raises outputs.OutputError before anything is read. A
    PATH without notes raises errors.NoNotesError unless ``allow_empty``; an output
    that cannot be written raises errors.WriteError, with the old deck and state left
    whole (together: commit.py). With ``cache`` the
    per-note results live in the user's cache folder (cache.py): only
    changed notes are parsed; when no note, image, config or template changed and the
    deck and its state are as this tool last wrote them, nothing is identified or
    written at all; when some notes changed, the last deck is patched with just those
    (incremental.py), giving what the full build would.
    """
    check_output(output)
    done: list[Path] = []  # the output, once its deck and state are in place
    try:
        return _build(
            paths,
            output,
            deck=deck,
            config=config,
            now=now,
            templates_dir=templates_dir,
            collected=collected,
            cache=cache,
            jobs=jobs,
            lock_timeout=lock_timeout,
            progress=progress,
            on_wait=on_wait,
            allow_empty=allow_empty,
            committed=lambda: done.append(output),
        )
    except KeyboardInterrupt as interrupt:
        # Ctrl-C or SIGTERM (processes.Terminated): say whether the deck and state on
        # disk are the new ones, so the message does not claim what is not so
        setattr(interrupt, WRITTEN, bool(done))
        raise


#: The attribute a KeyboardInterrupt out of :func:`build` carries: True when the new
#: deck and state were in place before it came (only the cache was not saved).
WRITTEN = "cards_written"


def _build(
    paths: Sequence[Path],
    output: Path,
    *,
    deck: str | None,
    config: Config | None,
    now: int | None,
    templates_dir: Path | None,
    collected: Collected | None,
    cache: bool,
    jobs: int | None,
    lock_timeout: float | None,
    progress: Progress | None,
    on_wait: OnWait | None,
    allow_empty: bool,
    committed: Callable[[], None],
) -> BuildResult:
    with output_lock(output, timeout=lock_timeout, on_wait=on_wait), _gc_paused(), ExitStack() as stack:
        drop_legacy_cache(output)
        root = usable_cache_dir(output) if cache and collected is None else None
        store = NoteCache.open(root) if root is not None else None
        if store is not None:
            stack.callback(store.close)
        deck_fp = deck_fingerprint(templates_dir)
        if collected is None:
            plan = plan_notes(paths, deck, config, store, outputs=output_files(output), allow_empty=allow_empty)
            collected = unchanged(plan, store, jobs) if store is not None else None
            if collected is None and store is not None:
                patched = _patched(plan, store, output, now, deck_fp, templates_dir, jobs, progress, committed)
                if patched is not None:
                    return patched
            collected = collected or gather(plan, store, jobs, progress)
        previous = store.manifest() if store is not None else None
        if previous is not None and _up_to_date(previous, collected, output, deck_fp):
            assert store is not None
            store.save(previous, manifest_changed=False)
            return BuildResult(
                collected,
                lambda: identify_cards(collected, output, now=now),
                output,
                False,
                changes=Changes(unchanged=previous.guids),
            )
        return _write_full(collected, output, store, previous, deck_fp, now, templates_dir, committed)


def _write_full(
    collected: Collected,
    output: Path,
    store: NoteCache | None,
    previous: Manifest | None,
    deck_fp: str,
    now: int | None,
    templates_dir: Path | None,
    committed: Callable[[], None],
) -> BuildResult:
    """Every card identified and the whole deck written (unless it would be the same),
    and the manifest of what it was made of saved."""
    db = db_path(store.root) if store is not None else None
    stale_faces = previous is not None and previous.deck != deck_fp
    identified, written, deflated = _identify_and_write(
        collected,
        output,
        db,
        now=now,
        templates_dir=templates_dir,
        stale_faces=stale_faces,
        committed=committed,
        warn=store.warn_once if store is not None else None,
    )
    if store is not None:
        assert db is not None
        kept = deflated if written else previous.deflated if previous is not None else None
        store.save(_manifest(collected, identified, output, db, deck_fp, kept))
    return BuildResult(collected, identified, output, written)


def _patched(
    plan: Plan,
    store: NoteCache,
    output: Path,
    now: int | None,
    deck_fp: str,
    templates_dir: Path | None,
    jobs: int | None,
    progress: Progress | None,
    committed: Callable[[], None],
) -> BuildResult | None:
    """The build as a patch of the last deck (incremental.py), or None: build in full."""
    when = now or build_time()
    patched = patch(
        plan,
        store,
        output,
        now=when,
        deck=deck_fp,
        templates_dir=templates_dir,
        jobs=jobs,
        progress=progress,
        full=lambda: gather(plan, store, jobs, None),
        committed=committed,
    )
    if patched is None:
        return None
    done = patched.collected
    return BuildResult(
        done, lambda: identify_cards(done, output, now=when), output, patched.written, changes=patched.changes
    )


def _up_to_date(previous: Manifest, collected: Collected, output: Path, deck_fp: str) -> bool:
    """Whether the last build made the deck of exactly these notes, and its files are as it
    left them: nothing to write."""
    return bool(
        collected.parsed == 0  # a re-parse under an unchanged key: an image changed
        and collected.fingerprint is not None
        and previous.inputs == collected.fingerprint
        and previous.deck == deck_fp
        and previous.output == file_stamp(output)
        and previous.state == file_stamp(state_path(output))
    )


Slices = tuple[int, tuple[int, ...], int, tuple[int, ...], int]  # zipping.Deflated as the manifest keeps it


def _identify_and_write(
    collected: Collected,
    output: Path,
    db: Path | None,
    *,
    now: int | None,
    templates_dir: Path | None,
    stale_faces: bool,
    committed: Callable[[], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> tuple[Identified, bool, Slices | None]:
    """The full build: every card identified, then the deck and state written unless
    they would come out as they are: the same cards, and the deck on disk the one the
    state names (its sha256: a deck overwritten or damaged since, or left behind by a
    torn write, is written again; commit.py). Deck and state are replaced together
    (commit.py). Returns the identified cards, whether the deck was written, and where
    it holds its collection's deflated slices."""
    state_file = state_path(output)
    previous = State.load(state_file)
    made: list[Written] = []
    scratch = db.with_name(db.name + ".new") if db is not None else None  # the kept collection, once all is written

    def must_write(changes: Changes) -> bool:
        same = not (changes.added or changes.updated or changes.retired)
        if stale_faces or not same or not (state_file.exists() and (db is None or db.exists())):
            return True
        return not is_the_deck(output, previous.deck)

    def write_deck(identified: Identified) -> str:
        made.append(_write_deck(collected, identified, output, scratch, templates_dir, warn or log.warning))
        return made[-1].digest

    try:
        if _streams(collected):
            # The state is written as the cards are identified, a note at a time, into a
            # temporary file; no card's entry is held meanwhile.
            with staged_file(state_file) as staged:
                assert staged.handle is not None
                writer = StateWriter(staged.handle)
                identified = identify_cards(collected, output, now=now, sink=writer.note, previous=previous)
                if not must_write(identified.changes):
                    raise _Unchanged
                writer.finish(write_deck(identified))
        else:
            identified = identify_cards(collected, output, now=now, previous=previous)
            if not must_write(identified.changes):
                raise _Unchanged
            # The state is encoded first and its entries let go before the deck is written
            # (which needs only the GUIDs and their times): the two never sit in memory together.

            def release_and_write() -> str:
                identified.state.entries.clear()
                return write_deck(identified)

            staged = identified.state.stage(state_file, ready=release_and_write)
    except _Unchanged:
        return identified, False, None
    except BaseException:
        discard(*made)
        if scratch is not None:
            scratch.unlink(missing_ok=True)
        raise
    kept = scratch if scratch is not None and scratch.exists() else None
    if kept is None and db is not None:
        db.unlink(missing_ok=True)  # the cache could not keep this deck's collection: none is kept
    replace_deck_and_state(made[-1], staged, scratch=kept, db=db, committed=committed)
    deflated = made[-1].deflated
    return identified, True, (deflated.offset, deflated.lengths, deflated.slice, deflated.crcs, deflated.crc)


def _write_deck(
    collected: Collected,
    identified: Identified,
    output: Path,
    scratch: Path | None,
    templates_dir: Path | None,
    warn: Callable[[str], None],
) -> Written:
    """The deck staged beside ``output``, its collection built at ``scratch`` (kept for
    the next build's patch) when the cache folder can take it, else in a temporary
    folder: a cache only costs time, and a full cache disk must not cost the deck."""
    from ..deck.package import write_rows

    rows = collected.light_rows()  # without their fields: write_rows reads them a note at a time
    used = {name for row in rows for name in row.media}
    media = {name: path for name, path in collected.media.items() if name in used}

    def write(keep: Path | None) -> Written:
        return write_rows(
            rows,
            identified.guids,
            identified.mods,
            output,
            media=media,
            templates_dir=templates_dir,
            fields=collected.fields_of(),
            keep_db=keep,
        )

    if scratch is None:
        return write(None)
    try:
        scratch.parent.mkdir(parents=True, exist_ok=True)
        return write(scratch)
    except WriteError as exc:
        if not exc.path.is_relative_to(scratch.parent):
            raise  # the deck's own folder: the build cannot write it
        try:
            scratch.unlink(missing_ok=True)
        except OSError:
            pass
        warn(
            f"{scratch.parent}: the build cache cannot keep the deck's collection ({reason(exc)}); "
            "the deck is written without it (it costs time, not the deck)"
        )
        return write(None)


def _manifest(
    collected: Collected, identified: Identified, output: Path, db: Path, deck_fp: str, deflated: Slices | None
) -> Manifest | None:
    """What the next build needs to know of this one (cache.Manifest); None when some
    input was not known (a note that could not be hashed) or a file is missing."""
    out_stamp, state_stamp = file_stamp(output), file_stamp(state_path(output))
    if collected.fingerprint is None or out_stamp is None or state_stamp is None:
        return None
    return Manifest(
        collected.fingerprint,
        deck_fp,
        out_stamp,
        state_stamp,
        tuple(identified.guids),
        collected.keys,
        collected.images,
        collected.infos,
        natural_table(row.hashed for r in collected.light for row in r.rows),
        file_stamp(db),
        deflated,
    )
