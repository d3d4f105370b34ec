"""Walk a vault and decode its notes; a note that cannot be read is an error, not a crash."""

from __future__ import annotations

import codecs
import logging
import os
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import CardsError, ReadError, reason
from ..model import Source
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

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
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
        for name in filenames:
            if name.startswith(".") or not name.lower().endswith(NOTE_SUFFIXES):
                continue
            rel = rel_of(name)
            if rel not in skipped and (include is None or include(rel)):
                why = skip_file(rel, layout) if layout is not None else None
                found.append(NoteFile(root, rel, str(why) if why else None))
    return sorted(found, key=lambda f: f.path.as_posix())


def no_notes_message(root: Path, *, configured: bool) -> str:
    """Why a PATH gave no note, for ``Error: no Markdown notes under PATH (looked for …)``:
    what was looked for, and what the folder holds instead (a typo, the wrong folder)."""
    looked = f"files ending in {' or '.join(NOTE_SUFFIXES)}, outside hidden folders and {', '.join(sorted(d for d in SKIPPED_DIRS if not d.startswith('.')))}"
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
        raise CardsError(
            Source(path, 1),
            f"note is {len(data) // 1024 // 1024} MiB, over the {MAX_NOTE_BYTES // 1024 // 1024} MiB limit; split it or exclude it in cards.toml",
        )
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


def read_note(note: NoteFile) -> str:
    try:
        data = note.absolute.read_bytes()
    except OSError as exc:
        raise CardsError(Source(note.path, 1), f"cannot read the note: {exc.strerror or exc}") from None
    return decode_note(data, note.path)


def iter_texts(notes: list[NoteFile]) -> Iterator[tuple[NoteFile, str | CardsError]]:
    for note in notes:
        try:
            yield note, read_note(note)
        except CardsError as error:
            yield note, error
