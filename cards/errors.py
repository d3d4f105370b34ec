"""Errors that always say where: ``file:line: what is wrong; how to fix``, and
``PATH: cannot write (reason); what to do`` for an output that cannot be written."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from .model import Source


class CardsError(Exception):
    """A problem with one note (or the config); the build reports it and goes on."""

    def __init__(self, source: Source, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


#: What to do about an output that cannot be written, by errno (the rest: _OTHER).
_ADVICE = {
    errno.EACCES: "write somewhere you have permission to, or fix the folder's permissions",
    errno.EPERM: "write somewhere you have permission to, or fix the folder's permissions",
    errno.EROFS: "the file system is read-only: write somewhere else",
    errno.ENOSPC: "the disk is full: free some space and run again",
    errno.EDQUOT: "the disk quota is used up: free some space and run again",
    errno.EFBIG: "the file is larger than this file system allows: write somewhere else",
    errno.ENOENT: "its folder is gone: create it or write somewhere else",
    errno.ENOTDIR: "a part of the path is a file, not a folder: write somewhere else",
    errno.EISDIR: "a folder has that name: choose a file name",
    errno.ENAMETOOLONG: "the name is longer than this file system allows: choose a shorter one",
}
_OTHER = "check the path and the disk, then run again"


class WriteError(OSError):
    """An output (deck, state, lock, preview page) could not be written.

    An OSError still, so code that treats a failed write as a miss (the cache) goes on
    doing so; its message is the line the CLI prints after ``Error:``. The old file is
    whole: every write goes through a temporary file first (atomic.py).
    """

    def __init__(self, path: Path, cause: OSError, *, advice: str | None = None) -> None:
        reason = cause.strerror or str(cause) or type(cause).__name__
        super().__init__(cause.errno, reason, os.fspath(path))
        self.path = path
        self.cause = cause
        self.advice = advice or _ADVICE.get(cause.errno or 0, _OTHER)

    def __str__(self) -> str:
        return f"{self.path}: cannot write ({reason(self)}); {self.advice}"


def cannot_write(path: Path, cause: OSError) -> WriteError:
    """``cause`` (raised while writing ``path``) as a WriteError naming ``path``."""
    return cause if isinstance(cause, WriteError) else WriteError(path, cause)


#: errnos that mean "this file cannot be written here", wherever in a write they arise.
WRITE_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


class NoNotesError(Exception):
    """A PATH holds no note: most often a typo, which must not look like success."""


class ReadError(OSError):
    """A PATH given to the tool cannot be read at all: say so, never "no notes"."""

    def __init__(self, path: Path, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror or str(cause), os.fspath(path))
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: cannot read ({reason(self)}); check the path and its permissions"


#: Control characters made visible: C0 (but tab and newline) as Unicode's control
#: pictures (ESC -> ␛, BEL -> ␇, CR -> ␍), DEL as ␡, C1 (U+0080-U+009F, e.g. the
#: one-byte CSI U+009B) as ``\x9b``.
_VISIBLE = {
    **{code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\t\n"},
    0x7F: "\u2421",
    **{code: f"\\x{code:02x}" for code in range(0x80, 0xA0)},
}


def visible(text: str) -> str:
    """``text`` as a terminal may show it: every control character made visible.

    Why: a note's text, a file name or an image target can hold escape sequences
    (a vault travels): printed raw they would set the window title, write the
    clipboard (OSC 52), clear the screen or move the cursor. Every line the CLI prints
    goes through here; newlines and tabs stay.

    >>> visible("a" + chr(27) + "]52;c;aGk=" + chr(7) + " b" + chr(0x9B) + "2J")
    'a␛]52;c;aGk=␇ b\\\\x9b2J'
    """
    return text.translate(_VISIBLE)


def reason(exc: OSError) -> str:
    """The OS's reason, as a clause: ``permission denied``."""
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]
