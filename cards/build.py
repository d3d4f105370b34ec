"""The pipeline as a library: paths in, a deck out.

``collect`` (collect.py) gives every note's cards; ``build`` identifies them against the
state of the last build of the same output (state.py) and writes the deck (package.py),
holding the output's lock, or leaves the deck alone when nothing changed. The CLI is a
thin layer over ``collect`` and ``build``; a script can call them the same way.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .cache import Manifest, NoteCache, cache_dir, deck_fingerprint, file_stamp
from .collect import Collected, Progress, collect
from .config import Config
from .lock import output_lock
from .note import NoteResult, Vault, process_note
from .state import Changes, Identified, State, identify_rows, state_path

# genanki loads only when a deck is written: a build that finds nothing changed starts
# in a fraction of the time.

__all__ = ["BuildResult", "Collected", "NoteResult", "Vault", "build", "build_time", "collect", "identify_cards", "process_note"]

log = logging.getLogger("cards")


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
        return f"BuildResult(output={self.output!r}, written={self.written}, notes={len(self.collected.results)})"


def identify_cards(collected: Collected, output: Path | None, *, now: int | None = None) -> Identified:
    """GUIDs and modification times against the state of the last build of ``output``."""
    previous = State.load(state_path(output)) if output is not None else State()
    failed = frozenset(r.path.as_posix() for r in collected.light if r.error)
    return identify_rows(collected.light_rows(), previous, now=now or build_time(), keep_paths=failed, cards=collected.cards_with, consume=True)


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
) -> BuildResult:
    """Build the deck at ``output`` and the state beside it; skip the write when unchanged.

    Holds the output's lock (lock.py; raises ``LockTimeout``) for the whole build. With
    ``cache`` the per-note results live in ``<output>.cards-cache/`` (cache.py): only
    changed notes are parsed, and when no note, image, config or template changed and
    the deck and its state are as this tool last wrote them, nothing is identified or
    written at all.
    """
    with output_lock(output, timeout=lock_timeout), _gc_paused():
        store = NoteCache.open(cache_dir(output)) if cache and collected is None else None
        collected = collected or collect(paths, deck=deck, config=config, cache=store, jobs=jobs, progress=progress)
        previous = store.manifest() if store is not None else None
        deck_fp = deck_fingerprint(templates_dir)
        if (
            previous is not None
            and collected.parsed == 0  # a re-parse under an unchanged key: an image changed
            and collected.fingerprint is not None
            and previous.inputs == collected.fingerprint
            and previous.deck == deck_fp
            and previous.output == file_stamp(output)
            and previous.state == file_stamp(state_path(output))
        ):
            assert store is not None
            store.save(previous, previous=previous, manifest_changed=False)
            return BuildResult(collected, lambda: identify_cards(collected, output, now=now), output, False, changes=Changes(unchanged=previous.guids))
        identified = identify_cards(collected, output, now=now)
        changes = identified.changes
        unchanged = not (changes.added or changes.updated or changes.retired)
        stale_faces = previous is not None and previous.deck != deck_fp
        written = False
        if stale_faces or not (unchanged and output.exists() and state_path(output).exists()):
            from .package import write_rows

            rows = collected.light_rows()  # without their fields: write_rows reads them a note at a time
            used = {name for row in rows for name in row.media}
            media = {name: path for name, path in collected.media.items() if name in used}
            # The deck is written in a thread while this one encodes the state: sqlite
            # and zlib release the GIL, so the two overlap. Encoding starts only once
            # the rows are in: until then the writer runs Python for every row, and
            # the encoder, holding the GIL for a whole slice at a time, starved it
            # (the pair took about as long as running one after the other). The
            # state replaces the old one only once the deck is written.
            import threading
            from concurrent.futures import ThreadPoolExecutor

            rows_in = threading.Event()
            with ThreadPoolExecutor(1) as pool:
                writing = pool.submit(write_rows, rows, identified.guids, identified.mods, output, media=media, templates_dir=templates_dir, rows_in=rows_in.set, fields=collected.fields_of())
                writing.add_done_callback(lambda _: rows_in.set())  # also when it failed
                try:
                    rows_in.wait()
                    identified.state.save(state_path(output), ready=writing.result)
                finally:
                    writing.result()  # the deck's own error, if it failed
            written = True
        if store is not None:
            manifest = None
            out_stamp, state_stamp = file_stamp(output), file_stamp(state_path(output))
            if collected.fingerprint is not None and out_stamp is not None and state_stamp is not None:
                manifest = Manifest(
                    collected.fingerprint, deck_fp, out_stamp, state_stamp, tuple(identified.guids), collected.keys,
                    collected.summary, collected.images,
                )
            store.save(manifest, previous=previous)
        return BuildResult(collected, identified, output, written)
