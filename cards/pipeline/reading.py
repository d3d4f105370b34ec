"""The cards of a vault for a reader (``cards preview``), through the build's cache.

Why: a preview parsed every note again and rendered every card's faces, so looking
at the cards of a 3,000-note vault cost 20 seconds, whatever the last build knew.
Here the notes are read as a build reads them, from the cache of the same output
(the output is known without building: ``-o``, cards.toml's ``output``, else
``<folder>.apkg``): an unchanged vault loads no note at all, the GUIDs come from the
last build's manifest when its state file is the one beside the deck, and what a
reader makes of a note (its *view*, e.g. the JSON text of its cards) is kept in the
cache beside the note's entry, keyed by the note and the view's kind, so that the
next preview of an unchanged note only reads it back.

A reader never writes the deck, its state or the manifest, and takes no lock: it
only adds entries and views, which are true for their keys whoever wrote them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config
from ..deck.state import state_path
from ..model import Card
from .cache import BATCH, NoteCache, file_stamp, load_entry, usable_cache_dir
from .collect import Collected, Plan, _parallel_jobs, _result, _work_init, gather, plan_notes, unchanged
from .per_note import NoteResult
from .processes import worker_pool
from .run import identify_cards, output_files

__all__ = ["Reading", "read_vault"]

#: Seconds a reader waits for a build writing the cache before it goes on without it.
BUSY = 1.0


@dataclass(slots=True)
class Reading:
    """The notes under some paths, for a reader: ``collected`` as a build collects them."""

    collected: Collected
    output: Path | None
    plan: Plan
    store: NoteCache | None
    fast: bool  # nothing changed since the last build: its manifest describes these notes

    def guids(self) -> Sequence[str]:
        """Every card's GUID, in card order, as the next build of ``output`` gives them."""
        manifest = self.store.manifest() if self.store is not None else None
        if (
            self.fast
            and manifest is not None
            and self.output is not None
            and manifest.state == file_stamp(state_path(self.output))
        ):
            return manifest.guids
        return identify_cards(self.collected, self.output).guids

    def views(self, kind: str, make: Make, *, jobs: int | None = None) -> Iterator[tuple[str, bytes]]:
        """Each note's path and view of ``kind``, in note order: ``make(path, cards,
        guids)`` of the note, kept in the cache under the note's key, tagged with its
        GUIDs (a view made with other GUIDs is made again). Views are made in worker
        processes when there are enough to make (see collect.PARALLEL_MIN)."""
        guids = self.guids()
        manifest = self.store.manifest() if self.store is not None else None
        infos = manifest.notes if self.fast and manifest is not None else self.collected.infos
        paths = [info.path for info in infos]
        mine, at = [], 0
        for info in infos:
            mine.append(guids[at : at + info.cards])
            at += info.cards
        keys = self.collected.keys
        if self.store is None or not keys or len(keys) != len(paths):
            for slot, result in enumerate(self.collected.results):
                yield paths[slot], make(paths[slot], result.cards, mine[slot])
            return
        yield from self._kept_views(kind, make, paths, mine, jobs)

    def _kept_views(
        self, kind: str, make: Make, paths: list[str], mine: list[Sequence[str]], jobs: int | None
    ) -> Iterator[tuple[str, bytes]]:
        """:meth:`views` through the cache: a note's kept view when it was made with its
        GUIDs, else made (in workers when there are enough) and kept."""
        store, keys = self.store, self.collected.keys
        assert store is not None and keys is not None
        tags = [_tag(found) for found in mine]
        known = store.view_tags(kind)
        missing = [slot for slot, key in enumerate(keys) if known.get(key) != tags[slot]]
        made: dict[int, bytes | None] = {}
        pending = iter(_made_in_workers(store, keys, missing, paths, mine, make, jobs)) if missing else iter(())
        kept: dict[str, bytes] = {}
        for slot, key in enumerate(keys):
            if slot % BATCH == 0:  # the kept views of the next notes, read together
                kept = store.views_of(
                    [k for at, k in enumerate(keys[slot : slot + BATCH], slot) if known.get(k) == tags[at]], kind
                )
            view = kept.pop(key, None) if known.get(key) == tags[slot] else None
            if view is None:
                view = self._made(slot, made, pending, kind, tags)
            if view is None:  # not made by a worker (none ran, or its entry is not cached)
                result = (
                    self.collected.note(slot) if self.collected.loaded else _entry_result(store, key)
                ) or self.collected.note(slot)
                view = make(paths[slot], result.cards, mine[slot])
                store.put_view(key, kind, tags[slot], view)
            yield paths[slot], view

    def _made(
        self,
        slot: int,
        made: dict[int, bytes | None],
        pending: Iterator[tuple[int, bytes | None]],
        kind: str,
        tags: list[str],
    ) -> bytes | None:
        """The view of ``slot`` a worker made, waiting for it (and keeping every view that
        comes in meanwhile); None when no worker made it."""
        store, keys = self.store, self.collected.keys
        assert store is not None and keys is not None
        while slot not in made:
            done = next(pending, None)
            if done is None:
                break
            made[done[0]] = done[1]
            if done[1] is not None:
                store.put_view(keys[done[0]], kind, tags[done[0]], done[1])
        return made.pop(slot, None)


def _tag(guids: Sequence[str]) -> str:
    return hashlib.sha1("\n".join(guids).encode("utf-8")).hexdigest()


#: Make a view: (note path, its cards, their GUIDs) -> bytes.
Make = Callable[[str, Sequence[Card], Sequence[str]], bytes]


def _made_in_workers(
    store: NoteCache,
    keys: Sequence[str],
    slots: Sequence[int],
    paths: Sequence[str],
    guids: Sequence[Sequence[str]],
    make: Make,
    jobs: int | None,
) -> Iterator[tuple[int, bytes | None]]:
    """(slot, view) of the notes of ``slots`` made in worker processes, in the order
    they finish (a view of None: the note's entry is not in the cache). Nothing when
    there are too few to pay for the workers.

    This process reads each chunk's entries and sends them along: a forked worker
    must not open the SQLite file this process holds open (SQLite's locks do not
    survive a fork; a worker that tried hung)."""
    workers = _parallel_jobs(jobs, len(slots))
    if workers <= 1:
        return
    from concurrent.futures import FIRST_COMPLETED, Future, wait

    size = max(8, min(64, len(slots) // (workers * 8) or 1))
    chunks = iter(range(0, len(slots), size))
    _VIEWS.update(make=make)

    def submit(pool: Any) -> Future[list[tuple[int, bytes | None]]] | None:
        start = next(chunks, None)
        if start is None:
            return None
        work = [
            (slot, paths[slot], tuple(guids[slot]), store.get_packed(keys[slot]) or b"")
            for slot in slots[start : start + size]
        ]
        future: Future[list[tuple[int, bytes | None]]] = pool.submit(_make_views, work)
        return future

    try:
        with worker_pool(workers, _work_init, (os.getpid(),)) as pool:
            # a few chunks in flight per worker: the entries are read as they are needed
            running = {f for f in (submit(pool) for _ in range(workers * 2)) if f is not None}
            while running:
                ready, running = wait(running, return_when=FIRST_COMPLETED)
                for future in ready:
                    yield from future.result()
                    more = submit(pool)
                    if more is not None:
                        running.add(more)
    finally:
        _VIEWS.clear()


# Worker side: the pool is forked after this is set.
_VIEWS: dict[str, Any] = {}


def _make_views(chunk: list[tuple[int, str, tuple[str, ...], bytes]]) -> list[tuple[int, bytes | None]]:
    make: Make = _VIEWS["make"]
    out: list[tuple[int, bytes | None]] = []
    for slot, path, guids, packed in chunk:
        view = None
        if packed:
            try:
                entry = load_entry(packed)
            except Exception:  # noqa: BLE001 - a damaged entry: the parent makes this view
                entry = None
            if entry is not None:
                view = make(path, _result(entry).cards, guids)
        out.append((slot, view))
    return out


def _entry_result(store: NoteCache, key: str) -> NoteResult | None:
    entry = store.get(key)
    return _result(entry) if entry is not None else None


@contextmanager
def read_vault(
    paths: Sequence[Path],
    output: Path | None,
    *,
    deck: str | None = None,
    config: Config | None = None,
    jobs: int | None = None,
    cache: bool = True,
) -> Iterator[Reading]:
    """The notes under ``paths`` read through the cache of ``output`` (parsed where it
    does not know them); what was added to the cache is kept when the block ends."""
    root = usable_cache_dir(output) if cache and output is not None else None
    store = NoteCache.open(root, busy=BUSY) if root is not None else None
    try:
        plan = plan_notes(paths, deck, config, store, outputs=output_files(output) if output is not None else ())
        found = unchanged(plan, store, jobs) if store is not None else None
        collected = found if found is not None else gather(plan, store, jobs, None)
        yield Reading(collected, output, plan, store, found is not None)
    finally:
        if store is not None:
            store.close()
