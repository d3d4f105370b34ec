"""The per-note cache of an output: a rebuild parses only the notes that changed.

It lives in the user's cache folder, never beside the deck nor in the notes: the
deck is often written into the vault or a synced folder, and the cache is several
times the size of the notes. ``platformdirs`` gives the folder by each system's
convention (``~/.cache/cards`` or ``$XDG_CACHE_HOME/cards`` on Linux,
``~/Library/Caches/cards`` on macOS, ``%LOCALAPPDATA%\\cards\\Cache`` on Windows);
``CARDS_CACHE_DIR`` overrides it. Each output has its own sub-folder, named by the
deck's file name and a hash of its absolute path (:func:`cache_dir`)::

    <cache folder>/decks/deck.apkg-1f0e…/
      stat.pickle          path -> (size, mtime_ns, ctime_ns, inode, sha256 of the bytes)
      manifest.pickle      what the last build of the deck was made from, and its summary
      collection.anki2     the last deck's collection, uncompressed (patched by the next build)
      notes/ab/abcd….pickle  one note's result, named by its key

**The key** of a note is the sha256 of: the cache schema and a hash of the tool's own
source (a new version, or an edited checkout, never reuses an old result), the config
values that shape a note's cards (every ``Config`` field except the ones that only
choose files or the output: deck mapping, tag prefix, kinds, … plus the root deck name
and the Obsidian flag and vault name, which the source links carry), the vault-relative
path, and the sha256 of the note's bytes. So the key names everything a note's result
is a function of, except the images it shows: those are checked when the entry is
used. Each entry records every image target the note asked for, what it resolved to
(the media name embeds a hash of the image's bytes) and the warnings it gave; the
entry is used only if resolving those targets again gives the same answers.

**The whole-build fast path**: when every note's key is the one the manifest lists and
the images those notes show resolve as before, the build is reported from the
manifest's summary and no entry is loaded (they load only if someone asks for cards).

**The fast path** in front of the content hash: ``stat.pickle`` remembers each note's
(size, mtime_ns, ctime_ns, inode) with the sha256 of its bytes, and a note whose stat
is unchanged is not read. ``ctime`` changes on every write and cannot be set back by
``touch``, so an editor or a script that restores the mtime is still seen. A stat is
only remembered when the file's times are older than :data:`RACY_NS` before the scan
started: a file written in the same clock tick as the scan (coarse filesystem clocks)
could change again without its stat changing, so such a file is hashed next time too.

Losing or corrupting any of these files costs time, never correctness: an unreadable
entry is a miss, an unreadable stat index means every note is hashed, an unreadable
manifest means the deck is checked card by card. Files are written to a temporary
name and renamed, and the build lock (lock.py) keeps two builds out of each other's
way.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import pickle
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

from ..atomic import write_atomic
from ..deck.rows import Row
from ..deck.notetypes import note_type
from ..model import CLOZE

if TYPE_CHECKING:
    from .per_note import NoteResult

log = logging.getLogger("cards")

#: Bump when the layout of an entry changes (2: rows, and a summary in the manifest;
#: 3: the rows' fields apart, compressed; 4: rows carry their hashed GUID; 5: the
#: manifest's summary is made from its notes; 6: notes count their Anki cards; 7: why a
#: note was skipped, and the Logseq block references a note resolved among its lookups).
SCHEMA = 7
#: A file whose mtime/ctime is this close to the scan is hashed again next time.
RACY_NS = 2_000_000_000
#: Config fields that choose files or the output, not what a note's cards are.
_NOT_CARD_SHAPING = frozenset({"include", "exclude", "output", "path"})

# A lookup a note made outside its own text: (target, answer, warnings). An image
# target gives its media name or None; a Logseq block reference, whose target is
# ``((uuid))``, gives the block's text or None (notes/blocks.py).
ImageLookup = tuple[str, "str | None", tuple[str, ...]]


#: Set to a folder to keep the caches there instead of the user's cache folder.
CACHE_ENV = "CARDS_CACHE_DIR"


def cache_home() -> Path:
    """Where every output's cache lives: ``$CARDS_CACHE_DIR``, else the user's cache folder."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("cards", appauthor=False))


def cache_dir(output: Path) -> Path:
    """The cache folder of one output, keyed by its absolute path (two decks of the
    same name in different folders have their own)."""
    target = Path(os.path.abspath(output)).resolve()
    digest = hashlib.sha256(os.fsencode(target)).hexdigest()[:16]
    return cache_home() / "decks" / f"{target.name}-{digest}"


def legacy_cache_dir(output: Path) -> Path:
    """Where versions before 0.2 kept the cache: beside the deck."""
    return output.with_name(output.name + ".cards-cache")


def adopt_legacy_cache(output: Path) -> None:
    """Move a cache an older version left beside the deck to :func:`cache_dir` (or
    remove it when it cannot move: a cache only saves time). Hold the output's lock."""
    old = legacy_cache_dir(output)
    if not (old.is_dir() and any((old / name).exists() for name in ("manifest.pickle", "stat.pickle", "notes"))):
        return
    new = cache_dir(output)
    try:
        if new.exists():
            raise FileExistsError(new)
        new.parent.mkdir(parents=True, exist_ok=True)
        os.rename(old, new)
        log.warning("moved the cache from %s to %s (caches now live in the user's cache folder)", old, new)
    except OSError:
        import shutil

        shutil.rmtree(old, ignore_errors=True)
        if not old.exists():
            log.warning("removed the old cache %s (caches now live in %s)", old, new.parent)


def usable_cache_dir(output: Path) -> Path | None:
    """:func:`cache_dir` made ready, or None (with a warning) when it cannot be written:
    then the build runs without a cache, which costs time, not correctness."""
    root = cache_dir(output)
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        log.warning(
            "cannot use the cache folder %s (%s); building without a cache. Set %s to a folder you can write to",
            root, exc.strerror or exc, CACHE_ENV,
        )
        return None
    return root


def db_path(root: Path) -> Path:
    """The last deck's collection, uncompressed, kept so that a rebuild that changed a
    few notes patches it (incremental.py) instead of writing 170,000 notes again."""
    return root / "collection.anki2"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the package's own files: a changed tool never reuses an old result."""
    package = Path(__file__).resolve().parents[1]  # the whole cards package
    digest = hashlib.sha256(f"cards-cache/{SCHEMA}".encode())
    roots = [package, package.parent / "templates"]
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """A canonical, repr-stable form of a config value (sets sorted, mappings sorted)."""
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _plain(v)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(_plain(v) for v in value))
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, Path):
        return value.as_posix()
    return value


def config_fingerprint(config: Any, *, deck: str, obsidian: bool, vault_name: str, plugins: object = None, layout: object = None) -> str:
    """Everything outside a note's bytes that shapes its cards (``plugins``: the vault's
    flashcard plugin settings, notes/plugins.py; ``layout``: its journals and templates
    folders, notes/layout.py)."""
    shaping = {
        f.name: _plain(getattr(config, f.name))
        for f in dataclasses.fields(config)
        if f.name not in _NOT_CARD_SHAPING
    }
    text = repr((code_fingerprint(), sorted(shaping.items()), deck, obsidian, vault_name if obsidian else "", plugins, layout))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def note_key(config_fp: str, path: PurePosixPath, digest: str) -> str:
    return hashlib.sha256(f"{config_fp}\0{path.as_posix()}\0{digest}".encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- entries


@dataclass(frozen=True, slots=True)
class Entry:
    """One note's cached result: its cards as rows (deck/rows.py, GUIDs not yet given)."""

    key: str
    path: PurePosixPath
    rows: tuple[Row, ...]
    error: str | None
    warnings: tuple[str, ...]
    reflowed: bool
    images: tuple[ImageLookup, ...] = ()
    fields: bytes = b""  # a light entry's packed fields (see light), else b""
    skipped: str | None = None  # why the note has nothing to learn (notes/skip.py)


#: Where a row's Anki fields sit in its tuple (see ``light``).
_FIELDS = Row._fields.index("fields")


def light(entry: Entry) -> Entry:
    """The entry with its rows' Anki fields packed apart (``fields == ()`` in each row).

    Why: the rendered fields are most of a row's memory (about 120 MiB of a
    10,000-note build) and only the deck writer needs them, a note at a time
    (:func:`unpack_fields`); packed and compressed they take a tenth of that.
    """
    if entry.fields or not entry.rows:
        return entry
    packed = zlib.compress(pickle.dumps(tuple(row.fields for row in entry.rows), protocol=pickle.HIGHEST_PROTOCOL), 1)
    rows = tuple(row._replace(fields=()) for row in entry.rows)
    return dataclasses.replace(entry, rows=rows, fields=packed)


def unpack_fields(packed: bytes) -> tuple[tuple[str, ...], ...]:
    """The fields of a light entry's rows, in order."""
    fields: tuple[tuple[str, ...], ...] = pickle.loads(zlib.decompress(packed)) if packed else ()
    return fields


def _pack(entry: Entry) -> tuple[Any, ...]:
    # plain tuples pickle smaller and load faster than NamedTuples
    entry = light(entry)
    rows = tuple(tuple(row) for row in entry.rows)
    return (SCHEMA, entry.key, entry.path.as_posix(), rows, entry.error, entry.warnings, entry.reflowed, entry.images, entry.fields, entry.skipped)


def _unpack(data: tuple[Any, ...], light: bool = False) -> Entry:
    schema, key, path_text, rows, error, warnings, reflowed, images, packed, skipped = data
    if schema != SCHEMA:
        raise ValueError(f"schema {schema!r}")
    make = Row._make
    if not light:
        rows = [(*row[:_FIELDS], fields, *row[_FIELDS + 1 :]) for row, fields in zip(rows, unpack_fields(packed))]
        packed = b""
    return Entry(key, PurePosixPath(path_text), tuple(map(make, rows)), error, tuple(warnings), bool(reflowed), tuple(images), packed, skipped)


def dump_entry(entry: Entry) -> bytes:
    return pickle.dumps(_pack(entry), protocol=pickle.HIGHEST_PROTOCOL)


def load_entry(data: bytes, *, light: bool = False) -> Entry:
    """An entry; ``light``: as :func:`light` gives it (what the file holds)."""
    return _unpack(pickle.loads(data), light)


def write_file(path: Path, data: bytes) -> None:
    """Atomic replace without fsync: a cache file lost in a crash is only a miss."""
    write_atomic(path, data, durable=False)


def entry_path(root: Path, key: str) -> Path:
    return root / "notes" / key[:2] / f"{key}.pickle"


def store_entry(root: Path, entry: Entry, data: bytes | None = None) -> None:
    """Write one entry (also called from worker processes); ``data`` is
    ``dump_entry(entry)`` when the caller has it already."""
    path = entry_path(root, entry.key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, data if data is not None else dump_entry(entry))
    except OSError as exc:
        log.debug("cache: cannot write %s: %s", path, exc)


# ---------------------------------------------------------------- the cache


StatKey = tuple[str, str]  # (vault root, note path)
StatValue = tuple[int, int, int, int, str]  # size, mtime_ns, ctime_ns, inode, sha256


class Summary(NamedTuple):
    """What a build's notes gave, for its report: enough to say it without the cards.

    ``cards``/``kinds`` count the build's cards as it carries them (one per Anki note);
    ``anki_cards``/``anki_kinds`` count the cards Anki will show (a note with clozes
    c1 and c2 is two), which is what the summary and ``cards preview`` report."""

    notes: int
    cards: int
    kinds: tuple[tuple[str, int], ...]  # (kind, cards), by kind
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    reflowed: tuple[str, ...]  # paths of the notes whose line breaks were restored
    anki_cards: int = 0
    anki_kinds: tuple[tuple[str, int], ...] = ()  # (kind, Anki cards), by kind
    skipped: tuple[tuple[str, str], ...] = ()  # (path, why) of the notes with nothing to learn


class NoteInfo(NamedTuple):
    """One note of a build as the next build needs it without loading its entry: for
    the report, and to patch the deck when only a few notes changed (incremental.py)."""

    path: str  # vault-relative, posix
    kinds: tuple[tuple[str, int], ...]  # (kind, cards), by kind
    error: str | None
    warnings: tuple[str, ...]
    reflowed: bool
    media: tuple[str, ...]  # packaged names of the images its cards show
    decks: tuple[str, ...]  # the decks its cards go to
    anki: tuple[tuple[str, int], ...]  # (kind, Anki cards), by kind: a cloze note makes one per number
    skipped: str | None = None  # why it has nothing to learn (notes/skip.py)

    @property
    def cards(self) -> int:
        return sum(count for _, count in self.kinds)


def note_info(result: NoteResult) -> NoteInfo:
    """What the manifest keeps of one note's result."""
    kinds = Counter(row.kind for row in result.rows)
    anki: Counter[str] = Counter()
    for row in result.rows:
        anki[row.kind] += len(row.ords) if row.model == CLOZE else len(note_type(row.model).templates)
    return NoteInfo(
        result.path.as_posix(), tuple(sorted(kinds.items())), result.error, result.warnings, result.reflowed,
        tuple(sorted({name for row in result.rows for name in row.media})), tuple(sorted({row.deck for row in result.rows})),
        tuple(sorted(anki.items())),
        result.skipped,
    )


def summary_of(notes: Iterable[NoteInfo]) -> Summary:
    """The Summary of a build from its notes, in path order."""
    notes = list(notes)
    kinds: Counter[str] = Counter()
    anki: Counter[str] = Counter()
    for info in notes:
        kinds.update(dict(info.kinds))
        anki.update(dict(info.anki))
    return Summary(
        len(notes), sum(kinds.values()), tuple(sorted(kinds.items())), tuple(i.error for i in notes if i.error),
        tuple(w for i in notes for w in i.warnings), tuple(i.path for i in notes if i.reflowed),
        sum(anki.values()), tuple(sorted(anki.items())),
        tuple((i.path, i.skipped) for i in notes if i.skipped),
    )


@dataclass(slots=True)
class Manifest:
    """What the last build of the deck was made from, to skip identify + write on a no-op
    and, when no note changed, to report the build without loading any entry."""

    inputs: str  # hash over every note's key, in order
    deck: str  # hash of the things outside the cards that shape the deck (templates)
    output: tuple[int, int, int]  # size, mtime_ns, inode of the deck as written
    state: tuple[int, int, int]  # the same for the state file
    guids: tuple[str, ...]
    keys: tuple[str, ...]
    images: dict[str, tuple[ImageLookup, ...]] = field(default_factory=dict)  # key -> lookups, notes with images only
    notes: tuple[NoteInfo, ...] = ()  # in the order of ``keys``
    natural: str = ""  # every card's natural key hashed (Row.hashed), sorted, one per line
    db: tuple[int, int, int] | None = None  # file_stamp of the deck's collection kept in the cache (db_path)
    deflated: tuple[int, tuple[int, ...], int] | None = None  # zipping.Deflated of the deck's collection, as a tuple

    @property
    def summary(self) -> Summary:
        """The last build's report, made from its notes (not stored twice)."""
        return summary_of(self.notes)


@dataclass(slots=True)
class NoteCache:
    """The cache folder of one output; hold the output's lock while using it."""

    root: Path
    stats: dict[StatKey, StatValue] = field(default_factory=dict)
    new_stats: dict[StatKey, StatValue] = field(default_factory=dict)
    scan_ns: int = 0
    hits: int = 0
    misses: int = 0
    _manifest: Manifest | None = None
    _manifest_read: bool = False
    _notes: str = ""  # str(root / "notes"), see get

    def __post_init__(self) -> None:
        self._notes = os.fspath(self.root / "notes")

    @classmethod
    def open(cls, root: Path) -> NoteCache:
        cache = cls(root, scan_ns=time.time_ns())
        try:
            raw = pickle.loads((root / "stat.pickle").read_bytes())
            if isinstance(raw, tuple) and len(raw) == 2 and raw[0] == (SCHEMA, code_fingerprint()) and isinstance(raw[1], dict):
                cache.stats = raw[1]
        except FileNotFoundError:
            pass
        except Exception as exc:  # noqa: BLE001 - any damage only costs a re-hash
            log.debug("cache: stat index unreadable (%s); hashing every note", exc)
        return cache

    # -- note digests ---------------------------------------------------

    def digest(self, root: Path, rel: PurePosixPath, absolute: Path) -> tuple[str, bytes | None]:
        """The sha256 of a note's bytes, and the bytes when they had to be read.

        Raises OSError when the note cannot be stat'ed or read.
        """
        key = (str(root), rel.as_posix())
        st = os.stat(absolute)
        sig = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        old = self.stats.get(key)
        if old is not None and old[:4] == sig:
            self._remember(key, sig, old[4], st)
            return old[4], None
        data = absolute.read_bytes()
        after = os.stat(absolute)
        digest = hashlib.sha256(data).hexdigest()
        if (after.st_size, after.st_mtime_ns, after.st_ctime_ns, after.st_ino) == sig:
            self._remember(key, sig, digest, st)
        return digest, data

    def _remember(self, key: StatKey, sig: tuple[int, int, int, int], digest: str, st: os.stat_result) -> None:
        if max(st.st_mtime_ns, st.st_ctime_ns) < self.scan_ns - RACY_NS:
            self.new_stats[key] = (*sig, digest)

    # -- entries --------------------------------------------------------

    def get(self, key: str, *, light: bool = False) -> Entry | None:
        # Plain string paths and open(): a one-edit rebuild of 10,000 notes loads every
        # entry, and pathlib's joining cost a third of that.
        path = f"{self._notes}/{key[:2]}/{key}.pickle"
        try:
            with open(path, "rb") as handle:
                entry = load_entry(handle.read(), light=light)
            if entry.key != key:
                raise ValueError("key mismatch")
            return entry
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - a damaged entry is a miss
            log.debug("cache: entry %s unreadable (%s)", path, exc)
            return None

    def put(self, entry: Entry) -> None:
        store_entry(self.root, entry)

    # -- the manifest -----------------------------------------------------

    def manifest(self) -> Manifest | None:
        """The manifest of the last build (read once per cache object)."""
        if not self._manifest_read:
            self._manifest, self._manifest_read = self._read_manifest(), True
        return self._manifest

    def _read_manifest(self) -> Manifest | None:
        try:
            raw = pickle.loads((self.root / "manifest.pickle").read_bytes())
            if not (isinstance(raw, tuple) and raw[0] == SCHEMA):
                return None
            inputs, deck, output, state, guids, keys, images, notes, natural, db, deflated = raw[1:]
            return Manifest(
                inputs, deck, output, state, tuple(guids.split("\n")) if guids else (), keys, images,
                tuple(NoteInfo._make(n) for n in notes), natural, db, deflated,
            )
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001
            log.debug("cache: manifest unreadable (%s)", exc)
            return None

    def save(self, manifest: Manifest | None, *, previous: Manifest | None = None, manifest_changed: bool = True) -> None:
        """Write the stat index (when it changed) and the manifest (unless told it did not
        change); drop entries the last build used and this one does not."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            if self.new_stats != self.stats:
                write_file(self.root / "stat.pickle", pickle.dumps(((SCHEMA, code_fingerprint()), self.new_stats), protocol=pickle.HIGHEST_PROTOCOL))
            if manifest_changed:
                self._write_manifest(manifest)
            if previous is not None and manifest is not None:
                for key in set(previous.keys) - set(manifest.keys):
                    entry_path(self.root, key).unlink(missing_ok=True)
        except OSError as exc:
            log.debug("cache: cannot save (%s)", exc)

    def _write_manifest(self, manifest: Manifest | None) -> None:
        if manifest is None:
            (self.root / "manifest.pickle").unlink(missing_ok=True)
            return
        fields = (
            # the GUIDs as one string: 170,000 string objects took pickle's memo ~20 MiB
            manifest.inputs, manifest.deck, manifest.output, manifest.state, "\n".join(manifest.guids), manifest.keys, manifest.images,
            tuple(tuple(n) for n in manifest.notes), manifest.natural, manifest.db, manifest.deflated,
        )
        write_file(self.root / "manifest.pickle", pickle.dumps((SCHEMA, *fields), protocol=pickle.HIGHEST_PROTOCOL))


def file_stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def inputs_hash(keys: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for key in keys:
        digest.update(key.encode() + b"\n")
    return digest.hexdigest()


def deck_fingerprint(templates_dir: Path | None) -> str:
    """What shapes the deck file besides the cards: the tool itself and --templates."""
    digest = hashlib.sha256(code_fingerprint().encode())
    if templates_dir is not None and templates_dir.is_dir():
        for path in sorted(templates_dir.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(templates_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
