"""Walk a vault and decode its notes; a note that cannot be read is an error, not a crash.

A note is read as untrusted (notes/untrusted.py): only a regular file, at most
:data:`MAX_NOTE_BYTES`, never through a link out of the vault. The walk leaves out,
with a warning naming each, a symbolic link that leads outside the vault or nowhere
and a FIFO, device or socket named ``.md``; a link to another note inside the same
vault is kept (people link a note into a second folder), and gives that note's cards
a second time.
"""

from __future__ import annotations

import codecs
import logging
import os
import stat
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import CardsError, ReadError, reason
from ..model import Source
from ..untrusted import TooLarge, UnsafeFile, kind_of_file, link_target, read_in_vault
from .layout import Layout
from .skip import skip_file

NOTE_SUFFIXES = (".md", ".markdown")
SKIPPED_DIRS = frozenset({".obsidian", ".trash", ".git", "node_modules", "__pycache__"})
log = logging.getLogger("cards")
MAX_NOTE_BYTES = 5 * 1024 * 1024  # a "note" bigger than this is a data dump, not notes


@dataclass(frozen=True, slots=True)
class NoteFile:
    """A note of the vault. ``skipped``: why the walk did not read it (a template, a
    folder the app hides); such a note is reported, never read (notes/skip.py)."""

    root: Path
    path: PurePosixPath  # relative to root
    skipped: str | None = None

    @property
    def absolute(self) -> Path:
        return self.root / self.path


def find_notes(
    root: Path,
    *,
    include: Callable[[PurePosixPath], bool] | None = None,
    skip: Collection[PurePosixPath] = (),
    layout: Layout | None = None,
) -> list[NoteFile]:
    """Every note under ``root`` (or ``root`` itself when it is a file), sorted by path.

    ``skip``: vault-relative files and folders never to read, whatever their names: the
    build's own outputs when they sit inside the vault. A folder that cannot be
    listed is reported (logged) and left out; the root itself raises ReadError.
    ``layout`` (notes/layout.py): the app's own folders are not walked (Logseq's
    ``logseq/``, like ``.obsidian/``), and notes in its templates or hidden folders
    come back with the reason they are ``skipped``.
    """
    if root.is_file():
        return [NoteFile(root.parent, PurePosixPath(root.name))]
    found: list[NoteFile] = []
    skipped = frozenset(skip)

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        if where == root:
            raise ReadError(root, exc)
        log.warning("%s: cannot read the folder (%s); its notes are left out", where, reason(exc))

    real_root = Path(os.path.realpath(root))
    for dirpath, dirnames, entries in _walk(root, unreadable):
        rel_dir = PurePosixPath(Path(dirpath).relative_to(root).as_posix())
        rel_of = (lambda name: rel_dir / name) if str(rel_dir) != "." else PurePosixPath
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".")
            and d not in SKIPPED_DIRS
            and rel_of(d) not in skipped
            and not (layout is not None and layout.is_ignored(rel_of(d)))
        )
        for entry in entries:
            name = entry.name
            if name.startswith(".") or not name.lower().endswith(NOTE_SUFFIXES):
                continue
            rel = rel_of(name)
            if rel in skipped or (include is not None and not include(rel)):
                continue
            if not _plain_note(real_root, entry, rel):
                continue
            why = skip_file(rel, layout) if layout is not None else None
            found.append(NoteFile(root, rel, str(why) if why else None))
    return sorted(found, key=lambda f: f.path.as_posix())


def _walk(root: Path, onerror: Callable[[OSError], None]) -> Iterator[tuple[str, list[str], list[os.DirEntry[str]]]]:
    """``os.walk`` (top down, links to folders not followed) that gives each folder's
    files as ``os.DirEntry`` objects: their type (a link, a FIFO) is known without a
    ``stat`` per file."""
    stack = [os.fspath(root)]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as listing:
                entries = list(listing)
        except OSError as exc:
            onerror(exc)
            continue
        folders: list[str] = []
        files: list[os.DirEntry[str]] = []
        for entry in entries:
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            (folders if is_folder else files).append(entry.name if is_folder else entry)  # type: ignore[arg-type]
        yield here, folders, files
        stack.extend(os.path.join(here, name) for name in reversed(folders))


def _plain_note(real_root: Path, entry: os.DirEntry[str], rel: PurePosixPath) -> bool:
    """Whether the walk keeps this file as a note: a regular file, or a link to one
    inside the vault. Anything else is warned about (it is not read)."""
    try:
        if entry.is_symlink():
            mode = os.stat(link_target(real_root, Path(entry.path))).st_mode
            if stat.S_ISREG(mode):
                return True
            raise UnsafeFile(Path(entry.path), f"a symbolic link to {kind_of_file(mode)}, not to a regular file")
        if entry.is_file(follow_symlinks=False):
            return True
        kind = kind_of_file(entry.stat(follow_symlinks=False).st_mode)
        raise UnsafeFile(Path(entry.path), f"{kind}, not a regular file")
    except UnsafeFile as exc:
        log.warning("%s: %s; it is not read", rel, exc.strerror)
    except OSError as exc:
        log.warning("%s: cannot read the note (%s); it is not read", rel, reason(exc))
    return False


def no_notes_message(root: Path, *, configured: bool) -> str:
    """Why a PATH gave no note, for ``Error: no Markdown notes under PATH (looked for …)``:
    what was looked for, and what the folder holds instead (a typo, the wrong folder)."""
    skipped = ", ".join(sorted(d for d in SKIPPED_DIRS if not d.startswith(".")))
    looked = f"files ending in {' or '.join(NOTE_SUFFIXES)}, outside hidden folders and {skipped}"
    if configured:
        looked += ", matching cards.toml's include and exclude"
    others: dict[str, int] = {}
    if root.is_dir():
        for _, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                suffix = Path(name).suffix.lower() or name
                others[suffix] = others.get(suffix, 0) + 1
            if sum(others.values()) > 10_000:
                break
    total = sum(others.values())
    if not total:
        held = "the folder is empty"
    else:
        kinds = sorted(others, key=lambda k: (-others[k], k))
        shown = ", ".join(f"{others[k]} {k}" for k in kinds[:5]) + (", …" if len(kinds) > 5 else "")
        held = f"it holds {total} other file{'s' if total != 1 else ''} ({shown})"
    return f"no Markdown notes under {root} (looked for {looked}); {held}. Check the path"


def decode_note(data: bytes, path: PurePosixPath) -> str:
    """Bytes -> text: UTF-8 (with or without BOM), CRLF/CR -> LF. Binary or bad bytes raise."""
    if len(data) > MAX_NOTE_BYTES:
        raise CardsError(Source(path, 1), _too_large(len(data)))
    if b"\x00" in data[:8192]:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise CardsError(
            Source(path, line), "this is a binary file, not a Markdown note; exclude it in cards.toml or rename it"
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CardsError(
            Source(path, line),
            f"invalid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the note as UTF-8",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_note_bytes(note: NoteFile) -> bytes:
    """A note's bytes, read as :func:`read_in_vault` reads (at most
    :data:`MAX_NOTE_BYTES`); raises CardsError saying why it cannot be read."""
    try:
        return read_in_vault(note.root, note.absolute, limit=MAX_NOTE_BYTES)[0]
    except TooLarge as exc:
        raise CardsError(Source(note.path, 1), _too_large(exc.size)) from None
    except UnsafeFile as exc:
        raise CardsError(Source(note.path, 1), f"{exc.strerror}; it is not read") from None
    except OSError as exc:
        raise CardsError(Source(note.path, 1), f"cannot read the note: {exc.strerror or exc}") from None


def _too_large(size: int) -> str:
    limit = MAX_NOTE_BYTES // 1024 // 1024
    return f"note is {size // 1024 // 1024} MiB, over the {limit} MiB limit; split it or exclude it in cards.toml"


def read_note(note: NoteFile) -> str:
    return decode_note(read_note_bytes(note), note.path)


def iter_texts(notes: list[NoteFile]) -> Iterator[tuple[NoteFile, str | CardsError]]:
    for note in notes:
        try:
            yield note, read_note(note)
        except CardsError as error:
            yield note, error
