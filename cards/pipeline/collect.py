"""Every note of the vaults -> their cards, parsing only what the cache does not know.

A note whose bytes, config and images are unchanged comes from the per-note cache
(cache.py); the rest is parsed, in worker processes when there are enough of them
to pay for the start-up (:data:`PARALLEL_MIN`). The result is the same either way.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..config import Config
from ..deck.rows import Row, card_of
from ..errors import CardsError, NoNotesError
from ..judge.vault import Recurrence
from ..model import Card
from ..notes.blocks import BlockIndex
from ..notes.media import MediaIndex
from ..notes.read import MAX_NOTE_BYTES, NoteFile, decode_note, no_notes_message, read_note, read_note_bytes
from .cache import (
    Entry,
    ImageLookup,
    NoteCache,
    NoteInfo,
    Summary,
    config_fingerprint,
    dump_entry,
    inputs_hash,
    load_entry,
    note_info,
    note_key,
    summary_of,
    unpack_fields,
)
from .cache import (
    light as light_entry,
)
from .per_note import NoteResult, Vault, log, process_note
from .processes import die_with_parent, worker_pool
from .recurrence import VaultRecurrence, recurrence_of


class Collected:
    """Every note's result, in path order, and the images the cards use.

    ``parsed`` counts the notes that went through process_note in this run (the rest
    came from the cache); ``fingerprint`` names every input of the results when all of
    them are known (the cache's key for "nothing changed"), else None. When nothing
    changed since the last build, ``results`` are loaded from the cache only if asked
    for: the report comes from ``summary``, which the last build left in the cache.

    Every note is held *light*: its rows without their Anki fields, which are kept
    packed per note (cache.light). Why: those fields are most of the memory of a build,
    and only the deck writer needs them, a note at a time (:meth:`fields_of`). ``light``
    gives the results as held; ``results``, ``rows`` and ``cards`` unpack the fields.
    """

    __slots__ = (
        "_results",
        "_load",
        "media",
        "parsed",
        "cached",
        "fingerprint",
        "keys",
        "images",
        "_summary",
        "_packed",
        "_infos",
    )

    def __init__(
        self,
        results: list[NoteResult] | None = None,
        media: dict[str, Path] | None = None,
        *,
        parsed: int = 0,
        cached: int = 0,
        fingerprint: str | None = None,
        keys: tuple[str, ...] = (),
        images: dict[str, tuple[ImageLookup, ...]] | None = None,
        load: Callable[[], Collected] | None = None,
        summary: Summary | None = None,
        packed: list[bytes] | None = None,
    ) -> None:
        self._results = results if results is not None or load is not None else []
        self._load = load
        self.media = media if media is not None else {}
        self.parsed = parsed
        self.cached = cached
        self.fingerprint = fingerprint
        self.keys = keys
        self.images = images if images is not None else {}  # note key -> its image lookups
        self._summary = summary
        self._packed = packed  # per note: its rows' packed fields (b"": its rows have them)
        self._infos: tuple[NoteInfo, ...] | None = None

    @property
    def light(self) -> list[NoteResult]:
        """The results as held: a light note's rows have ``fields == ()``."""
        if self._results is None:
            assert self._load is not None
            other = self._load()
            self._results, self._packed = other.light, other._packed
        return self._results

    @property
    def loaded(self) -> bool:
        """Whether the notes are held (not only named by the last build's manifest)."""
        return self._results is not None

    def note(self, index: int) -> NoteResult:
        """Note ``index``'s result with its rows' fields, unpacking no other note."""
        result = self.light[index]
        packed = self._packed[index] if self._packed is not None else b""
        return _with_fields(result, packed)

    @property
    def results(self) -> list[NoteResult]:
        results = self.light
        if self._packed is not None:
            self._results = results = [_with_fields(r, packed) for r, packed in zip(results, self._packed)]
            self._packed = None
        return results

    def light_rows(self) -> list[Row]:
        return [row for r in self.light for row in r.rows]

    def fields_of(self) -> Callable[[int], tuple[str, ...]]:
        """Row i's Anki fields (i in :meth:`light_rows` order), reading a light note's
        entry once per run of its rows (the deck writer asks in deck order, which keeps
        a note's rows together)."""
        results, packed = self.light, self._packed
        note, start = array("l"), array("l")
        for n, r in enumerate(results):
            start.append(len(note))
            note.extend([n] * len(r.rows))
        held: list[Any] = [-1, ()]

        def fields(i: int) -> tuple[str, ...]:
            n = note[i]
            if held[0] != n:
                mine = packed[n] if packed is not None else b""
                held[:] = [n, unpack_fields(mine) if mine else tuple(row.fields for row in results[n].rows)]
            values: tuple[str, ...] = held[1][i - start[n]]
            return values

        return fields

    @property
    def rows(self) -> list[Row]:
        return [row for r in self.results for row in r.rows]

    @property
    def cards(self) -> list[Card]:
        return [c for r in self.results for c in r.cards]

    @property
    def errors(self) -> list[str]:
        if self._results is None and self._summary is not None:
            return list(self._summary.errors)
        return [r.error for r in self.light if r.error]

    @property
    def warnings(self) -> list[str]:
        if self._results is None and self._summary is not None:
            return list(self._summary.warnings)
        return [w for r in self.light for w in r.warnings]

    def by_kind(self) -> Counter[str]:
        return Counter(dict(self.summary.kinds))

    @property
    def summary(self) -> Summary:
        if self._summary is None:
            self._summary = summary_of(self.infos)
        return self._summary

    @property
    def infos(self) -> tuple[NoteInfo, ...]:
        """Each note's cache.NoteInfo (its report and what a patch needs), in order."""
        if self._infos is None:
            self._infos = tuple(map(note_info, self.light))
        return self._infos

    def cards_with(self, guids: Sequence[str]) -> tuple[Card, ...]:
        """The cards, in order, with the GUIDs identify gave them."""
        found = iter(guids)
        return tuple(card_of(row, r.path, next(found)) for r in self.results for row in r.rows)


def _with_fields(result: NoteResult, packed: bytes) -> NoteResult:
    if not packed:
        return result
    rows = tuple(row._replace(fields=fields) for row, fields in zip(result.rows, unpack_fields(packed)))
    return NoteResult(result.path, rows, result.error, result.warnings, result.reflowed, result.skipped, result.below)


#: Progress callback: (notes done, notes to do); called from the building thread.
Progress = Callable[[int, int], None]
#: Parse in worker processes only when at least this many notes need parsing.
PARALLEL_MIN = 200


class _Images:
    """A MediaIndex stand-in for process_note that records every image lookup, and every
    Logseq block reference it resolves (``block``; recorded under ``((uuid))``)."""

    def __init__(self, index: MediaIndex, blocks: BlockIndex | None = None) -> None:
        self.index = index
        self.blocks = blocks
        self.lookups: dict[str, ImageLookup] = {}

    def block(self, uuid: str) -> str | None:
        text = self.blocks.text(uuid) if self.blocks is not None else None
        self.lookups.setdefault(f"(({uuid}))", (f"(({uuid}))", text, ()))
        return text

    def resolver(self, note: PurePosixPath, text: str | Callable[[], str]) -> Callable[[str], str | None]:
        inner = self.index.resolver(note, text)

        def resolve(target: str) -> str | None:
            seen = len(inner.warned)
            out = inner(target)
            self.lookups.setdefault(target, (target, out, tuple(inner.warned[seen:])))
            return out

        return resolve

    def media(self) -> dict[str, Path]:
        return {
            out: self.index.files[out]
            for target, out, _ in self.lookups.values()
            if out is not None and not _is_block(target) and out in self.index.files
        }


def _is_block(target: str) -> bool:
    return target.startswith("((")


def _still_valid(
    lookups: Sequence[ImageLookup],
    index: MediaIndex,
    note: NoteFile,
    text: str | Callable[[], str],
    blocks: BlockIndex | None = None,
) -> dict[str, Path] | None:
    """Resolve a note's image targets and block references again: same names, texts and
    warnings, or None."""
    images = _Images(index, blocks)
    resolve = images.resolver(note.path, text)
    # silent: these warnings were reported when the note was parsed. (An empty handler
    # list is not silence: logging's last resort then prints them, raw, a second time.)
    handlers, log.handlers = log.handlers, [logging.NullHandler()]
    propagate, log.propagate = log.propagate, False
    try:
        for target, out, warnings in lookups:
            if _is_block(target):
                images.block(target[2:-2])
            else:
                resolve(target)
            if images.lookups[target][1:] != (out, warnings):
                return None
    finally:
        log.handlers = handlers
        log.propagate = propagate
    return images.media()


def recheck_images(plan: Plan, slot: int, lookups: Sequence[ImageLookup]) -> dict[str, Path] | None:
    """The images a cached note shows (name -> file) if its targets resolve as they did
    when it was parsed, else None (the note must be parsed again)."""
    vault_no, note = plan.notes[slot]
    data = plan.data[slot]
    try:
        # the text only names a warning's line: read only when a warning is made
        return _still_valid(lookups, plan.indexes[vault_no], note, lambda: _read(note, data), plan.blocks[vault_no])
    except CardsError:
        return None


def _read(note: NoteFile, data: bytes | None) -> str:
    if data is None:
        return read_note(note)
    return decode_note(data, note.path)


def _process(
    vault: Vault,
    note: NoteFile,
    data: bytes | None,
    index: MediaIndex,
    key: str | None,
    blocks: BlockIndex | None = None,
    recurrence: Recurrence | None = None,
) -> tuple[Entry, dict[str, Path], bool]:
    """Bytes of one note -> its result (as a cache entry), the images it uses, and
    whether the entry may be cached (not when the note could not be read at all)."""
    try:
        text = _read(note, data)
    except CardsError as error:
        return Entry(key or "", note.path, (), str(error), (), False), {}, data is not None
    images = _Images(index, blocks)
    result = process_note(vault, note, text, images, images.block, recurrence)  # type: ignore[arg-type]
    entry = Entry(
        key or "",
        note.path,
        result.rows,
        result.error,
        result.warnings,
        result.reflowed,
        tuple(images.lookups.values()),
        skipped=result.skipped,
        below=result.below,
    )
    return entry, images.media(), True


def _result(entry: Entry) -> NoteResult:
    return NoteResult(entry.path, entry.rows, entry.error, entry.warnings, entry.reflowed, entry.skipped, entry.below)


# Worker side of a parallel build. The pool is forked after these are set, so each
# worker sees the vaults (a Config holds a MappingProxyType, which does not pickle)
# and builds its own MediaIndex per vault.
_WORK: dict[str, Any] = {}


def _work_init(parent: int) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler (processes.Terminated)
    die_with_parent(parent)
    log.handlers = [logging.NullHandler()]  # its warnings travel back in its results (no last resort)
    _WORK["indexes"] = {}
    _WORK["blocks"] = {}


def _work(
    chunk: Sequence[tuple[int, int, PurePosixPath, str | None, str | None, dict[str, int] | None]],
) -> list[tuple[int, bytes, dict[str, str], bool]]:
    """Parse a chunk of notes: (slot, vault, path, key, sha256 the key names, how its
    lines recur in its vault: recurrence.py) each.

    The worker reads each note itself (the parent holds no note's bytes meanwhile) and
    sends back each result packed as the cache keeps it, and whether it may be kept
    (the parent writes the cache: one file, one transaction). A note whose bytes are no
    longer the ones the key names is parsed but not cached.
    """
    vaults: list[Vault] = _WORK["vaults"]
    indexes: dict[int, MediaIndex] = _WORK["indexes"]
    blocks: dict[int, BlockIndex] = _WORK["blocks"]
    out = []
    for slot, vault_no, rel, key, digest, buckets in chunk:
        vault = vaults[vault_no]
        index = indexes.setdefault(vault_no, MediaIndex(vault.root))
        graph = blocks.setdefault(vault_no, BlockIndex(vault.root))
        data: bytes | None = None
        try:
            data = read_note_bytes(NoteFile(vault.root, rel))
        except CardsError:
            pass  # _process reads it again and reports why it cannot
        if data is None or digest is None or hashlib.sha256(data).hexdigest() != digest:
            key = None
        entry, media, cacheable = _process(
            vault, NoteFile(vault.root, rel), data, index, key, graph, recurrence_of(buckets)
        )
        out.append(
            (slot, dump_entry(entry), {name: str(path) for name, path in media.items()}, cacheable and key is not None)
        )
    return out


def _parallel_jobs(jobs: int | None, todo: int) -> int:
    if jobs is not None and jobs <= 1:
        return 1
    if todo < PARALLEL_MIN:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # pragma: no cover - the workers rely on inheriting the vaults
    return max(1, min(jobs or cpus, cpus if jobs is None else jobs, todo // 50 or 1))


@dataclass(slots=True)
class Plan:
    """The notes of a collect, each with its cache key (None: unknown) and the bytes read
    to hash it (None: not read, its stat was known)."""

    vaults: list[Vault] = field(default_factory=list)
    indexes: list[MediaIndex] = field(default_factory=list)
    blocks: list[BlockIndex] = field(default_factory=list)  # Logseq block ids per vault, read on first use
    prints: list[str] = field(default_factory=list)  # config fingerprint per vault
    notes: list[tuple[int, NoteFile]] = field(default_factory=list)  # (vault number, note)
    keys: list[str | None] = field(default_factory=list)
    data: list[bytes | None] = field(default_factory=list)
    digests: list[str | None] = field(default_factory=list)  # sha256 of the bytes each key names
    starts: list[int] = field(default_factory=list)  # per vault: the slot of its first note
    #: per vault: how often its notes' lines recur in it (the score's vault features)
    recurrences: list[VaultRecurrence] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)  # per note: its Recurrence.signature

    def sign(self, vault_no: int, cache: NoteCache | None) -> None:
        """Count how the lines of vault ``vault_no``'s notes recur in it and fold each
        note's signature into its key: its cached cards hold while the note's bytes and
        the recurrence of its lines are what they were (recurrence.py)."""
        start, fp = self.starts[vault_no], self.prints[vault_no]
        notes = [note for _, note in self.notes[start:]]
        found = VaultRecurrence(
            notes,
            self.data[start:],
            digests=self.digests[start:],
            cache=cache,
            name=str(self.vaults[vault_no].root.resolve()),
        )
        self.recurrences.append(found)
        for offset, signature in enumerate(found.signatures()):
            slot = start + offset
            self.signatures.append(signature)
            digest = self.digests[slot]
            if signature and digest is not None and self.keys[slot] is not None:
                self.keys[slot] = note_key(fp, notes[offset].path, f"{digest}+{signature}")

    def key_of(self, slot: int, digest: str) -> str:
        """The cache key of note ``slot`` with bytes of sha256 ``digest`` (see :meth:`sign`)."""
        vault_no, note = self.notes[slot]
        signature = self.signatures[slot]
        return note_key(self.prints[vault_no], note.path, f"{digest}+{signature}" if signature else digest)

    def recurrence(self, slot: int) -> Recurrence:
        """How often note ``slot``'s lines recur in its vault."""
        vault_no = self.notes[slot][0]
        return self.recurrences[vault_no].of(slot - self.starts[vault_no])


def plan_notes(
    paths: Sequence[Path],
    deck: str | None,
    config: Config | None,
    cache: NoteCache | None,
    *,
    outputs: Sequence[Path] = (),
    allow_empty: bool = False,
) -> Plan:
    """Every note of ``paths`` with its cache key. ``outputs``: the build's own files,
    never read as notes where they sit inside a vault. A PATH with no note raises
    errors.NoNotesError (a typo must not look like success) unless ``allow_empty``."""
    plan = Plan()
    for path in paths:
        vault = Vault.open(path, deck=deck, config=config)
        found = vault.notes(path if path.is_file() else None, skip=vault.inside(outputs))
        if not found:
            message = no_notes_message(path, configured=(vault.root / "cards.toml").is_file())
            if not allow_empty:
                raise NoNotesError(message)
            log.warning("%s; the deck has no cards from it (--allow-empty)", message.split(" (looked for")[0])
        plan.vaults.append(vault)
        plan.indexes.append(
            MediaIndex(vault.root, digest=_image_digest(cache, vault.root.resolve()) if cache else None)
        )
        plan.blocks.append(BlockIndex(vault.root))
        fp = config_fingerprint(
            vault.config,
            deck=vault.deck,
            obsidian=vault.obsidian,
            vault_name=vault.root.resolve().name,
            plugins=vault.plugins,
            layout=vault.layout,
        )
        plan.prints.append(fp)
        plan.starts.append(len(plan.notes))
        root = vault.root.resolve()
        for note in found:
            plan.notes.append((len(plan.vaults) - 1, note))
            key: str | None = None
            data: bytes | None = None
            digest: str | None = None
            if note.skipped:  # never read: its result is its reason, a function of its path and the layout
                plan.keys.append(note_key(fp, note.path, "skipped"))
                plan.data.append(None)
                plan.digests.append(None)
                continue
            try:
                digest, data = (
                    cache.digest(root, note.path, note.absolute, limit=MAX_NOTE_BYTES) if cache else (None, None)
                )
                if digest is not None:
                    key = note_key(fp, note.path, digest)
            except OSError:
                key = None  # unreadable: process_note's read reports it below
            plan.keys.append(key)
            plan.data.append(data)
            plan.digests.append(digest)
        plan.sign(len(plan.vaults) - 1, cache)
    return plan


def _image_digest(cache: NoteCache, root: Path) -> Callable[[Path], str]:
    """An image's sha256 through the cache's stat index (as for notes)."""

    def digest(path: Path) -> str:
        try:
            rel = PurePosixPath(path.relative_to(root).as_posix())
        except ValueError:
            return hashlib.sha256(path.read_bytes()).hexdigest()
        return cache.digest(root, rel, path)[0]

    return digest


def unchanged(plan: Plan, cache: NoteCache, jobs: int | None) -> Collected | None:
    """The whole-build fast path: every note has the key it had in the last build, and
    the images those notes show resolve as they did. Then the last build's summary is
    this build's, and no entry needs loading (``results`` loads them if asked for)."""
    manifest = cache.manifest()
    if manifest is None or len(manifest.notes) != len(manifest.keys) or any(k is None for k in plan.keys):
        return None
    keys = tuple(k for k in plan.keys if k is not None)
    fingerprint = inputs_hash(keys)
    if fingerprint != manifest.inputs:
        return None
    media: dict[str, Path] = {}
    for slot, key in enumerate(keys):
        lookups = manifest.images.get(key)
        if not lookups:
            continue
        used = recheck_images(plan, slot, lookups)
        if used is None:
            return None
        media.update(used)
    cache.hits += len(keys)
    return Collected(
        None,
        media,
        cached=len(keys),
        fingerprint=fingerprint,
        keys=keys,
        images=manifest.images,
        load=lambda: gather(plan, cache, jobs, None),
        summary=manifest.summary,
    )


def collect(
    paths: Sequence[Path],
    *,
    deck: str | None = None,
    config: Config | None = None,
    cache: NoteCache | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    allow_empty: bool = False,
) -> Collected:
    """Read, reflow, parse and extract every note under ``paths``.

    With a ``cache`` (see cache.py) a note whose key and images are unchanged is not
    parsed again. ``jobs`` caps the worker processes for the notes that need parsing
    (None: one per CPU, when there are at least :data:`PARALLEL_MIN` of them; 1: none);
    the result is the same either way.
    """
    plan = plan_notes(paths, deck, config, cache, allow_empty=allow_empty)
    if cache is not None:
        found = unchanged(plan, cache, jobs)
        if found is not None:
            return found
    return gather(plan, cache, jobs, progress)


def gather(
    plan: Plan, cache: NoteCache | None, jobs: int | None, progress: Progress | None, only: Sequence[int] | None = None
) -> Collected:
    """Each note's result: from its cache entry when that is still valid, else parsed.

    ``only``: just the notes of these slots of the plan (in slot order), for a build
    that patches the last deck (incremental.py)."""
    slots = range(len(plan.notes)) if only is None else only
    found = _Gathered(plan, cache)
    todo = [job for job in (found.from_cache(slot) for slot in slots) if job is not None]
    for slot in slots:
        plan.data[slot] = None  # what is still needed is in ``todo``; the rest is read
    total = len(todo)
    if progress and total:
        progress(0, total)
    workers = _parallel_jobs(jobs, total)
    if workers > 1:
        found.parse_in_workers(todo, workers, progress)
    else:
        found.parse_here(todo, progress)
    return found.collected(slots, total)


#: A note to parse: (slot, vault number, path in the vault, its bytes if read, its cache key).
_Job = tuple[int, int, PurePosixPath, "bytes | None", "str | None"]


class _Gathered:
    """What :func:`gather` found so far, slot by slot: each note's result, the images
    it showed, its packed fields (see Collected) and its cache key."""

    def __init__(self, plan: Plan, cache: NoteCache | None) -> None:
        self.plan, self.cache = plan, cache
        self.cached = 0
        self.keys = list(plan.keys)
        self.digests = list(plan.digests)
        self.results: list[NoteResult | None] = [None] * len(plan.notes)
        self.packed: list[bytes] = [b""] * len(plan.notes)
        self.media: list[dict[str, Path]] = [{} for _ in plan.notes]
        self.images: dict[str, tuple[ImageLookup, ...]] = {}

    def from_cache(self, slot: int) -> _Job | None:
        """A note's result from the cache, when its entry is still valid (its images
        resolve as they did); else the job of parsing it."""
        plan, cache = self.plan, self.cache
        vault_no, note = plan.notes[slot]
        key, data = self.keys[slot], plan.data[slot]
        if note.skipped:
            self.results[slot] = NoteResult(note.path, skipped=note.skipped)
            self.cached += 1
            return None
        entry = cache.get(key, light=True) if cache is not None and key is not None else None
        if entry is not None:
            used: dict[str, Path] | None = recheck_images(plan, slot, entry.images) if entry.images else {}
            if used is not None:
                assert cache is not None and key is not None
                cache.hits += 1
                self.cached += 1
                self.results[slot], self.media[slot], self.packed[slot] = _result(entry), used, entry.fields
                if entry.images:
                    self.images[key] = entry.images
                return None
        if cache is not None:
            cache.misses += 1
            if data is None and key is not None:
                data, key = self._read(slot)
        return (slot, vault_no, note.path, data, key)

    def _read(self, slot: int) -> tuple[bytes | None, str | None]:
        """A note known by its stat but not in the cache: its bytes and the key of exactly
        them, so the entry is stored under the key of what is parsed."""
        vault_no, note = self.plan.notes[slot]
        key: str | None
        try:
            data: bytes | None = read_note_bytes(note)
            digest = hashlib.sha256(data or b"").hexdigest()
            self.digests[slot], key = digest, self.plan.key_of(slot, digest)
        except CardsError:
            data, key = None, None
        self.keys[slot] = key
        return data, key

    def finished(self, slot: int, entry: Entry, used: dict[str, Path]) -> None:
        self.results[slot], self.media[slot], self.packed[slot] = _result(entry), used, entry.fields
        key = self.keys[slot]
        if entry.images and key is not None:
            self.images[key] = entry.images

    def parse_in_workers(self, todo: list[_Job], workers: int, progress: Progress | None) -> None:
        from concurrent.futures import FIRST_COMPLETED, wait

        total, done, cache = len(todo), 0, self.cache
        _WORK.update(vaults=self.plan.vaults)
        size = max(8, min(64, total // (workers * 8) or 1))
        work = [
            (slot, vault_no, rel, key, self.digests[slot], dict(self.plan.recurrence(slot).buckets))
            for slot, vault_no, rel, _, key in todo
        ]
        todo.clear()  # the workers read the notes: no note's bytes are held here meanwhile
        try:
            with worker_pool(workers, _work_init, (os.getpid(),)) as pool:
                running = {pool.submit(_work, work[i : i + size]) for i in range(0, total, size)}
                del work
                while running:
                    # A finished chunk is dropped once read: its results (every note's
                    # rows, pickled) are not held until the last chunk is in.
                    ready, running = wait(running, return_when=FIRST_COMPLETED)
                    for future in ready:
                        for slot, data, names, keep in future.result():
                            entry = load_entry(data, light=True)
                            if keep and cache is not None:
                                cache.put(entry, data)
                            self.finished(slot, entry, {name: Path(p) for name, p in names.items()})
                            done += 1
                    del ready, future
                    if progress:
                        progress(done, total)
        finally:
            _WORK.clear()

    def parse_here(self, todo: list[_Job], progress: Progress | None) -> None:
        total, done, plan, cache = len(todo), 0, self.plan, self.cache
        for slot, vault_no, rel, data, key in todo:
            vault = plan.vaults[vault_no]
            entry, used, cacheable = _process(
                vault,
                NoteFile(vault.root, rel),
                data,
                plan.indexes[vault_no],
                key,
                plan.blocks[vault_no],
                plan.recurrence(slot),
            )
            if cache is not None and cacheable and key is not None:
                cache.put(entry)
            self.finished(slot, light_entry(entry), used)
            done += 1
            if progress and (done % 16 == 0 or done == total):
                progress(done, total)

    def collected(self, slots: Sequence[int], total: int) -> Collected:
        collected = Collected([], parsed=total, cached=self.cached, packed=[self.packed[slot] for slot in slots])
        for slot in slots:
            result = self.results[slot]
            assert result is not None
            collected.light.append(result)
            collected.media.update(self.media[slot])
        if all(self.keys[slot] is not None for slot in slots):
            collected.keys = tuple(k for k in (self.keys[slot] for slot in slots) if k is not None)
            collected.fingerprint = inputs_hash(collected.keys)
            collected.images = self.images
        return collected
