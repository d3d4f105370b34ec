"""The cache of an output: a rebuild parses only the notes that changed.

It lives in the user's cache folder, never beside the deck nor in the notes: the
deck is often written into the vault or a synced folder, and the cache is several
times the size of the notes. ``platformdirs`` gives the folder by each system's
convention (``~/.cache/cards`` or ``$XDG_CACHE_HOME/cards`` on Linux,
``~/Library/Caches/cards`` on macOS, ``%LOCALAPPDATA%\\cards\\Cache`` on Windows);
``CARDS_CACHE_DIR`` overrides it. Each output has its own sub-folder, named by the
deck's file name and a hash of its absolute path (:func:`cache_dir`), holding two files::

    <cache folder>/decks/deck.apkg-1f0e…/
      cache.sqlite       one SQLite file: every note's result (``notes``), what the
                         preview made of it (``views``, by kind, tagged with the note's
                         GUIDs), the stat index and the manifest of the last build (``meta``)
      collection.anki2   the last deck's collection, uncompressed (patched by the next build)

Why one SQLite file and not a file per note: 10,000 small files cost seconds of
system time to write and to delete on every cold build. The build's parent process
writes every entry (the workers send theirs back packed) in one transaction that
commits when the build ends. A build that fails or is interrupted still commits the
entries it made (each is true for its key) but never a manifest: the next build
starts from the last one's; a build that is killed commits nothing.

**The key** of a note is the sha256 of: the cache schema and a hash of the tool's own
source (a new version, or an edited checkout, never reuses an old result), the config
values that shape a note's cards (every ``Config`` field except the ones that only
choose files or the output: deck mapping, tag prefix, kinds, … plus the root deck name
and the Obsidian flag and vault name, which the source links carry), the vault-relative
path, and the sha256 of the note's bytes. So the key names everything a note's result
is a function of, except the images it shows and the Logseq blocks it refers to: those
are checked when the entry is used. Each entry records every image target the note
asked for, what it resolved to (the media name embeds a hash of the image's bytes) and
the warnings it gave, and the text of every block it showed; the entry is used only
if resolving those again gives the same answers. It keeps the note's skip reason too.

**The whole-build fast path**: when every note's key is the one the manifest lists and
the images those notes show resolve as before, the build is reported from the
manifest's summary and no entry is loaded (they load only if someone asks for cards).

**The fast path** in front of the content hash: the stat index remembers each note's
(size, mtime_ns, ctime_ns, inode) with the sha256 of its bytes, and a note whose stat
is unchanged is not read. ``ctime`` changes on every write and cannot be set back by
``touch``, so an editor or a script that restores the mtime is still seen. A stat is
only remembered when the file's times are older than :data:`RACY_NS` before the scan
started: a file written in the same clock tick as the scan (coarse filesystem clocks)
could change again without its stat changing, so such a file is hashed next time too.

**What the file holds** is plain data: SQLite columns, and MessagePack (strings,
numbers, arrays, maps, bytes; the fields of a note's cards also zlib-compressed) in
its blobs, never pickle. Reading it back cannot run code: a cache folder can be
shared (``CARDS_CACHE_DIR``), synced or restored from a backup, and whoever could
write it must not be able to run a command as the user on the next build. A file of
an older version (pickled, schema 9 and before) is emptied by its schema number before
any of its rows is read; a blob that does not decode is a miss.

Losing or corrupting the file costs time, never correctness: a file SQLite cannot
read is deleted and made anew, an unreadable entry is a miss, an unreadable stat
index means every note is hashed, an unreadable manifest means the deck is checked
card by card, and any SQLite error while the build runs turns the cache off for the
rest of that build. The build lock (lock.py) keeps two builds out of each other's way;
``cards preview`` (which never takes the lock) only adds entries and views, which
are true for their keys whoever writes them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import sqlite3
import stat
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

import msgpack

from ..deck.notetypes import note_type
from ..deck.rows import Row
from ..model import CLOZE
from ..untrusted import read_in_vault

if TYPE_CHECKING:
    from .per_note import NoteResult

log = logging.getLogger("cards")

#: Bump when the layout of an entry changes (2: rows, and a summary in the manifest;
#: 3: the rows' fields apart, compressed; 4: rows carry their hashed GUID; 5: the
#: manifest's summary is made from its notes; 6: notes count their Anki cards; 7: why a
#: note was skipped, and the Logseq block references a note resolved among its lookups;
#: 8, 9: one SQLite file instead of a file per note, with views; 10: MessagePack
#: instead of pickle, which could run code: see "What the file holds" above).
SCHEMA = 11
#: The cache's one file in its folder.
FILE = "cache.sqlite"
#: Keys asked for in one query (SQLite's oldest limit on a query's parameters is 999).
BATCH = 500
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


def drop_legacy_cache(output: Path) -> None:
    """Remove a cache an older version left beside the deck (``OUT.apkg.cards-cache/``,
    one file per note): its format is not read any more, and it may sit in a synced
    vault. Hold the output's lock."""
    old = legacy_cache_dir(output)
    if not (old.is_dir() and any((old / name).exists() for name in _LEGACY_FILES)):
        return
    import shutil

    shutil.rmtree(old, ignore_errors=True)
    if not old.exists():
        log.warning("removed the old cache %s (caches now live in %s)", old, cache_dir(output).parent)


#: What versions before the single-file cache kept in a cache folder.
_LEGACY_FILES = ("manifest.pickle", "stat.pickle", "notes")


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
            root,
            exc.strerror or exc,
            CACHE_ENV,
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


def config_fingerprint(
    config: Any, *, deck: str, obsidian: bool, vault_name: str, plugins: object = None, layout: object = None
) -> str:
    """Everything outside a note's bytes that shapes its cards (``plugins``: the vault's
    flashcard plugin settings, notes/plugins.py; ``layout``: its journals and templates
    folders, notes/layout.py)."""
    shaping = {
        f.name: _plain(getattr(config, f.name)) for f in dataclasses.fields(config) if f.name not in _NOT_CARD_SHAPING
    }
    text = repr(
        (code_fingerprint(), sorted(shaping.items()), deck, obsidian, vault_name if obsidian else "", plugins, layout)
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def note_key(config_fp: str, path: PurePosixPath, digest: str) -> str:
    return hashlib.sha256(f"{config_fp}\0{path.as_posix()}\0{digest}".encode()).hexdigest()


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
    below: int = 0  # how many of its candidates the score left out


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
    packed = zlib.compress(_packb(tuple(row.fields for row in entry.rows)), 1)
    rows = tuple(row._replace(fields=()) for row in entry.rows)
    return dataclasses.replace(entry, rows=rows, fields=packed)


def unpack_fields(packed: bytes) -> tuple[tuple[str, ...], ...]:
    """The fields of a light entry's rows, in order."""
    fields: tuple[tuple[str, ...], ...] = _unpackb(zlib.decompress(packed)) if packed else ()
    return fields


def _packb(value: Any) -> bytes:
    """``value`` (tuples, lists, dicts of str keys, str, bytes, int, bool, None) as
    MessagePack: plain data, which reading back can never turn into code."""
    data: bytes = msgpack.packb(value, use_bin_type=True)
    return data


def _unpackb(data: bytes) -> Any:
    """What :func:`_packb` packed, arrays as tuples. Raises ValueError (or a
    msgpack error, also a ValueError) on bytes it did not write."""
    return msgpack.unpackb(data, use_list=False, raw=False)


def _pack(entry: Entry) -> tuple[Any, ...]:
    entry = light(entry)
    return (
        SCHEMA,
        entry.key,
        entry.path.as_posix(),
        tuple(tuple(row) for row in entry.rows),
        entry.error,
        entry.warnings,
        entry.reflowed,
        entry.images,
        entry.fields,
        entry.skipped,
        entry.below,
    )


def _unpack(data: Any, light: bool = False) -> Entry:
    schema, key, path_text, rows, error, warnings, reflowed, images, packed, skipped, below = data
    if schema != SCHEMA:
        raise ValueError(f"schema {schema!r}")
    if not (isinstance(key, str) and isinstance(path_text, str) and isinstance(packed, bytes)):
        raise ValueError("malformed entry")
    made = _rows(rows, iter(unpack_fields(packed)) if not light else None)
    return Entry(
        key,
        PurePosixPath(path_text),
        made,
        error,
        tuple(warnings),
        bool(reflowed),
        tuple(images),
        packed if light else b"",
        skipped,
        int(below),
    )


def _rows(rows: Iterable[Any], fields: Iterator[tuple[str, ...]] | None) -> tuple[Row, ...]:
    """Rows as MessagePack gave them back, with ``fields`` (None: a light entry's).

    What repeats across a note's rows is made one object again: the tuples rows.shared
    made one, and the strings every row of a note has alike (kind, note type, path,
    deck, title, link). pickle's memo did it by itself; without it a 10,000-note build
    held ~70 MiB more. Unrolled: this runs for every row of every cached note.
    """
    one: dict[Any, Any] = {}
    share = one.setdefault
    make = tuple.__new__
    made = []
    # a row of another length raises ValueError: a miss
    for (
        kind,
        model,
        context,
        identity,
        path,
        line,
        deck,
        tags,
        title,
        media,
        link,
        held,
        ords,
        key,
        content,
        text,
        hashed,
        score,
    ) in rows:
        made.append(
            make(
                Row,
                (
                    share(kind, kind),
                    share(model, model),
                    share(context, context),
                    identity,
                    share(path, path),
                    line,
                    share(deck, deck),
                    share(tags, tags),
                    share(title, title),
                    share(media, media),
                    share(link, link),
                    next(fields) if fields is not None else held,
                    share(ords, ords),
                    key,
                    content,
                    text,
                    hashed,
                    score,
                ),
            )
        )
    return tuple(made)


def dump_entry(entry: Entry) -> bytes:
    return _packb(_pack(entry))


def load_entry(data: bytes, *, light: bool = False) -> Entry:
    """An entry; ``light``: as :func:`light` gives it (what the file holds). Raises
    ValueError (or TypeError) on bytes :func:`dump_entry` did not write."""
    return _unpack(_unpackb(data), light)


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
    below: int = 0  # candidates the score left out, in every note


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
    below: int = 0  # how many of its candidates the score left out

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
        result.path.as_posix(),
        tuple(sorted(kinds.items())),
        result.error,
        result.warnings,
        result.reflowed,
        tuple(sorted({name for row in result.rows for name in row.media})),
        tuple(sorted({row.deck for row in result.rows})),
        tuple(sorted(anki.items())),
        result.skipped,
        result.below,
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
        len(notes),
        sum(kinds.values()),
        tuple(sorted(kinds.items())),
        tuple(i.error for i in notes if i.error),
        tuple(w for i in notes for w in i.warnings),
        tuple(i.path for i in notes if i.reflowed),
        sum(anki.values()),
        tuple(sorted(anki.items())),
        tuple((i.path, i.skipped) for i in notes if i.skipped),
        sum(i.below for i in notes),
    )


@dataclass(slots=True)
class Manifest:
    """What the last build of the deck was made from, to skip identify + write on a no-op
    and, when no note changed, to report the build without loading any entry."""

    inputs: str  # hash over every note's key, in order
    deck: str  # hash of the things outside the cards that shape the deck (templates)
    output: tuple[int, int, int, int]  # file_stamp of the deck as written
    state: tuple[int, int, int, int]  # the same for the state file
    guids: tuple[str, ...]
    keys: tuple[str, ...]
    images: dict[str, tuple[ImageLookup, ...]] = field(default_factory=dict)  # key -> lookups, notes with images only
    notes: tuple[NoteInfo, ...] = ()  # in the order of ``keys``
    natural: str = ""  # every card's natural key hashed (Row.hashed), sorted, one per line
    db: tuple[int, int, int, int] | None = None  # file_stamp of the deck's collection kept in the cache (db_path)
    # zipping.Deflated of the deck's collection, as a tuple: its slices in the deck, their
    # CRC-32s and the collection's CRC-32 (a patch checks the kept collection against it)
    deflated: tuple[int, tuple[int, ...], int, tuple[int, ...], int] | None = None

    @property
    def summary(self) -> Summary:
        """The last build's report, made from its notes (not stored twice)."""
        return summary_of(self.notes)


_TABLES = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS notes (key TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS views (
    key TEXT NOT NULL, kind TEXT NOT NULL, tag TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (key, kind)
);
"""


def _connect(path: Path, *, busy: float) -> sqlite3.Connection:
    """The cache file, made when missing; one of another schema is emptied first.
    Raises sqlite3.Error (a file that is not a database, a full disk)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=busy)
    try:
        # a cache only costs time when lost: no fsync, and its pages stay small
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -4096")
        conn.executescript(_TABLES)
        row = conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        if row is None or row[0] != SCHEMA:  # made by another version: made anew
            conn.executescript("BEGIN; DROP TABLE meta; DROP TABLE notes; DROP TABLE views; COMMIT;")
            conn.executescript(_TABLES)
            conn.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA,))
    except BaseException:
        conn.close()
        raise
    return conn


@dataclass(slots=True)
class NoteCache:
    """The cache of one output (its folder, ``root``). A build holds the output's lock
    while it uses it; whatever it adds is written in one transaction, by :meth:`save`
    (or :meth:`close`, which keeps the entries of a build that failed)."""

    root: Path
    stats: dict[StatKey, StatValue] = field(default_factory=dict)
    new_stats: dict[StatKey, StatValue] = field(default_factory=dict)
    scan_ns: int = 0
    hits: int = 0
    misses: int = 0
    _db: sqlite3.Connection | None = None
    _writes: bool = True  # False once closed: a build's result read later only reads
    _manifest: Manifest | None = None
    _manifest_read: bool = False
    _warned: bool = False

    @classmethod
    def open(cls, root: Path, *, busy: float = 5.0) -> NoteCache:
        """``busy``: seconds to wait for another process writing the file (a preview
        adding what it made); past that the build goes on without the cache."""
        cache = cls(root, scan_ns=time.time_ns())
        for name in _LEGACY_FILES:  # a folder an older version wrote: its files are not read
            old = root / name
            if old.is_dir():
                import shutil

                shutil.rmtree(old, ignore_errors=True)
            elif old.exists():
                old.unlink(missing_ok=True)
        path = root / FILE
        _make_room(path)
        for _ in range(2):
            try:
                cache._db = _connect(path, busy=busy)
                break
            except sqlite3.OperationalError as exc:  # locked, full, cannot open: go on without
                cache._warn(exc)
                break
            except sqlite3.Error as exc:  # not a database, or damaged: made anew
                log.debug("cache: %s damaged (%s); starting it afresh", path, exc)
                _remove(path)
        raw = cache._meta("stats")
        if raw is not None:
            try:
                cache.stats = {(root, path): tuple(rest) for root, path, *rest in _unpackb(raw)}
            except Exception as exc:  # noqa: BLE001 - any damage only costs a re-hash
                log.debug("cache: stat index unreadable (%s); hashing every note", exc)
        return cache

    # -- the file -------------------------------------------------------

    def _conn(self) -> sqlite3.Connection | None:
        """The open file; after :meth:`close`, opened again to read (a build's result
        asked for its cards later loads them from here), never to write."""
        if self._db is None and not self._writes:
            try:
                self._db = sqlite3.connect(self.root / FILE, isolation_level=None, timeout=1.0)
            except sqlite3.Error:
                return None
        return self._db

    def _one(self, sql: str, args: tuple[str, ...]) -> bytes | None:
        """The one blob ``sql`` selects, or None (none, or no usable file)."""
        db = self._conn()
        if db is None:
            return None
        try:
            row = db.execute(sql, args).fetchone()
        except sqlite3.Error as exc:
            self._failed(exc)
            return None
        return bytes(row[0]) if row is not None else None

    def _meta(self, name: str) -> bytes | None:
        return self._one("SELECT value FROM meta WHERE name = ?", (name,))

    def record(self, name: str) -> bytes | None:
        """A record kept beside the entries under ``name`` (never pruned by :meth:`save`:
        one per name, each write replaces it), e.g. a vault's recurrence signatures."""
        return self._meta("record:" + name)

    def put_record(self, name: str, data: bytes) -> None:
        self._write("INSERT OR REPLACE INTO meta VALUES (?, ?)", ("record:" + name, data))

    def _write(self, sql: str, rows: Iterable[tuple[Any, ...]] | tuple[Any, ...] = (), *, many: bool = False) -> None:
        """A write inside the build's one transaction (begun on the first write)."""
        db = self._db
        if db is None or not self._writes:
            return
        try:
            if not db.in_transaction:
                db.execute("BEGIN")
            if many:
                db.executemany(sql, rows)
            else:
                db.execute(sql, rows)  # type: ignore[arg-type]
        except sqlite3.Error as exc:
            self._failed(exc)

    def _warn(self, exc: sqlite3.Error) -> None:
        self.warn_once(
            f"{self.root / FILE}: cannot use the build cache ({str(exc) or type(exc).__name__}); "
            "going on without it (it costs time, not the deck)"
        )

    def warn_once(self, message: str) -> None:
        """Say once per build that the cache cannot be used as it should (a full disk,
        no permission, a file locked for too long): it costs time, and the user should
        know why every build is slow; one line is enough."""
        if not self._warned:
            self._warned = True
            log.warning("%s", message)

    def _failed(self, exc: sqlite3.Error) -> None:
        """Any SQLite error turns the cache off for the rest of this build (a damaged
        file is made anew by the next one): it only ever costs time."""
        if isinstance(exc, sqlite3.OperationalError):
            self._warn(exc)
        else:
            log.debug("cache: %s; going on without the cache", exc)
        db, self._db = self._db, None
        if db is not None:
            try:
                db.close()
            except sqlite3.Error:
                pass
            if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
                _remove(self.root / FILE)

    def commit(self) -> None:
        """Write what this build added; the cache stays open."""
        if self._db is not None and self._writes and self._db.in_transaction:
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._failed(exc)

    def close(self) -> None:
        """Commit what was added (entries are true for their keys even if the build
        failed afterwards) and let go of the file."""
        self.commit()
        self._writes = False
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- note digests ---------------------------------------------------

    def digest(
        self, root: Path, rel: PurePosixPath, absolute: Path, *, limit: int | None = None
    ) -> tuple[str, bytes | None]:
        """The sha256 of a vault file's bytes, and the bytes when they had to be read.

        Read as notes/read.py's ``read_in_vault`` reads (a regular file, no link out of
        ``root``, at most ``limit`` bytes). Raises OSError when the file cannot be
        stat'ed or read, or is refused.
        """
        key = (str(root), rel.as_posix())
        st = os.stat(absolute)
        sig = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        old = self.stats.get(key)
        if old is not None and old[:4] == sig and stat.S_ISREG(st.st_mode):
            self._remember(key, sig, old[4], st)
            return old[4], None
        data, opened = read_in_vault(root, absolute, limit=limit)
        after = os.stat(absolute)
        digest = hashlib.sha256(data).hexdigest()
        if (
            (after.st_size, after.st_mtime_ns, after.st_ctime_ns, after.st_ino)
            == sig
            == (
                opened.st_size,
                opened.st_mtime_ns,
                opened.st_ctime_ns,
                opened.st_ino,
            )
        ):
            self._remember(key, sig, digest, st)
        return digest, data

    def _remember(self, key: StatKey, sig: tuple[int, int, int, int], digest: str, st: os.stat_result) -> None:
        if max(st.st_mtime_ns, st.st_ctime_ns) < self.scan_ns - RACY_NS:
            self.new_stats[key] = (*sig, digest)

    # -- entries --------------------------------------------------------

    def get(self, key: str, *, light: bool = False) -> Entry | None:
        data = self.get_packed(key)
        if data is None:
            return None
        try:
            entry = load_entry(data, light=light)
            if entry.key != key:
                raise ValueError("key mismatch")
            return entry
        except Exception as exc:  # noqa: BLE001 - a damaged entry is a miss
            log.debug("cache: entry %s unreadable (%s)", key, exc)
            return None

    def get_packed(self, key: str) -> bytes | None:
        return self._one("SELECT data FROM notes WHERE key = ?", (key,))

    def put(self, entry: Entry, data: bytes | None = None) -> None:
        """Keep one note's result; ``data`` is ``dump_entry(entry)`` when the caller has it."""
        self.put_packed(entry.key, data if data is not None else dump_entry(entry))

    def put_packed(self, key: str, data: bytes) -> None:
        self._write("INSERT OR REPLACE INTO notes VALUES (?, ?)", (key, data))

    # -- views: what a reader made of a note (cards preview), by kind ------

    def views_of(self, keys: Sequence[str], kind: str) -> dict[str, bytes]:
        """The views of ``kind`` kept for ``keys`` (those it has), in one query per
        :data:`BATCH` keys: a query per note cost a fifth of a warm preview."""
        db = self._conn()
        found: dict[str, bytes] = {}
        if db is None:
            return found
        try:
            for start in range(0, len(keys), BATCH):
                batch = keys[start : start + BATCH]
                marks = ",".join("?" * len(batch))
                for key, data in db.execute(
                    f"SELECT key, data FROM views WHERE kind = ? AND key IN ({marks})", (kind, *batch)
                ):
                    found[key] = bytes(data)
        except sqlite3.Error as exc:
            self._failed(exc)
        return found

    def view_tags(self, kind: str) -> dict[str, str]:
        """The notes that have a view of ``kind``, each with the tag it was made under."""
        db = self._conn()
        if db is None:
            return {}
        try:
            return dict(db.execute("SELECT key, tag FROM views WHERE kind = ?", (kind,)))
        except sqlite3.Error as exc:
            self._failed(exc)
            return {}

    def put_view(self, key: str, kind: str, tag: str, data: bytes) -> None:
        """Keep a view of a note (its key); ``tag`` names what else it was made from."""
        self._write("INSERT OR REPLACE INTO views VALUES (?, ?, ?, ?)", (key, kind, tag, data))

    # -- the manifest -----------------------------------------------------

    def manifest(self) -> Manifest | None:
        """The manifest of the last build (read once per cache object)."""
        if not self._manifest_read:
            self._manifest, self._manifest_read = self._read_manifest(), True
        return self._manifest

    def _read_manifest(self) -> Manifest | None:
        data = self._meta("manifest")
        if data is None:
            return None
        try:
            raw = _unpackb(data)
            inputs, deck, output, state, guids, keys, images, notes, natural, db, deflated = raw
            return Manifest(
                inputs,
                deck,
                output,
                state,
                tuple(guids.split("\n")) if guids else (),
                keys,
                images,
                tuple(NoteInfo._make(n) for n in notes),
                natural,
                db,
                deflated,
            )
        except Exception as exc:  # noqa: BLE001
            log.debug("cache: manifest unreadable (%s)", exc)
            return None

    def save(self, manifest: Manifest | None, *, manifest_changed: bool = True) -> None:
        """Write the stat index (when it changed) and the manifest (unless told it did
        not change); drop the entries and views of notes this build does not have; commit."""
        if self.new_stats != self.stats:
            self._write(
                "INSERT OR REPLACE INTO meta VALUES ('stats', ?)",
                (_packb([(*key, *value) for key, value in self.new_stats.items()]),),
            )
        if manifest_changed:
            if manifest is None:
                self._write("DELETE FROM meta WHERE name = 'manifest'")
            else:
                self._write("INSERT OR REPLACE INTO meta VALUES ('manifest', ?)", (_dump_manifest(manifest),))
                self._write("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
                self._write("DELETE FROM keep")
                self._write("INSERT OR IGNORE INTO keep VALUES (?)", ((key,) for key in manifest.keys), many=True)
                self._write("DELETE FROM notes WHERE key NOT IN (SELECT key FROM keep)")
                self._write("DELETE FROM views WHERE key NOT IN (SELECT key FROM keep)")
        self.commit()


def _dump_manifest(manifest: Manifest) -> bytes:
    fields = (
        # the GUIDs as one string: 170,000 string objects cost ~20 MiB more to hold
        manifest.inputs,
        manifest.deck,
        manifest.output,
        manifest.state,
        "\n".join(manifest.guids),
        manifest.keys,
        manifest.images,
        tuple(tuple(n) for n in manifest.notes),
        manifest.natural,
        manifest.db,
        manifest.deflated,
    )
    return _packb(fields)


def _make_room(path: Path) -> None:
    """The cache file's place, cleared of what is not a file (a folder, a link, a FIFO
    put there by hand or by a sync tool), with a warning: left there, every build ran
    without a cache and never said so."""
    try:
        st = os.lstat(path)
    except OSError:
        return
    if stat.S_ISREG(st.st_mode):
        return
    try:
        if stat.S_ISDIR(st.st_mode):
            import shutil

            shutil.rmtree(path)
        else:
            path.unlink()
    except OSError as exc:
        log.warning("%s is not a file and cannot be removed (%s); building without a cache", path, exc.strerror or exc)
        return
    log.warning("%s was not a file (a folder, a link or a FIFO); removed, the build cache is made anew there", path)


def _remove(path: Path) -> None:
    for name in (path, path.with_name(path.name + "-journal")):
        try:
            name.unlink(missing_ok=True)
        except OSError:
            pass


def file_stamp(path: Path) -> tuple[int, int, int, int] | None:
    """(size, mtime_ns, inode, ctime_ns) of a file the build wrote: any write since, by
    any means (``touch`` cannot set a ctime back), changes it; then the file is checked
    by its content (run.py)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


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
