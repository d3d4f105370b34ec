"""Atomic file writes: a reader sees the old file or the new one, never half of either.

Every file the tool writes (the deck, its state, its cache entries, the preview page)
goes through here: a temporary file in the same folder, flushed to disk, then renamed
over the target. A write that fails (no permission, a read-only or full disk, a folder
that vanished) raises errors.WriteError naming the target, and leaves the old file as
it was and no temporary file behind. The new file gets the permissions a plain ``open()`` would give it
(mkstemp's private 0600 would hide a shared deck from other users).

Only a regular file is ever replaced (:func:`check_replaceable`): a symbolic link in
the target's place (``deck.apkg`` linked into a synced folder) would be replaced by a
file, leaving what it points to old, and a device (``-o /dev/null`` as root) would be
replaced by a file; both are refused, naming the path. The temporary file is made with
``O_EXCL``, so it never follows a link either.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import WRITE_ERRNOS, WriteError, cannot_write
from .untrusted import kind_of_file


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Read once at import: toggling the umask later could race with another thread.
_UMASK = _read_umask()


def check_replaceable(path: Path) -> None:
    """Raise errors.WriteError naming ``path`` unless it is missing or a regular file:
    a symbolic link or a device, a FIFO or a folder in its place is never replaced."""
    try:
        st = os.lstat(path)
    except OSError:
        return  # missing, or a folder on the way that the write itself reports
    if stat.S_ISLNK(st.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        raise WriteError(
            path,
            OSError(errno.ELOOP, f"it is a symbolic link to {target}"),
            advice="a build replaces the file, never what a link points to: "
            "give the link's target as the output instead, or remove the link",
        )
    if stat.S_ISDIR(st.st_mode):
        raise WriteError(path, OSError(errno.EISDIR, "it is a folder"))
    if not stat.S_ISREG(st.st_mode):
        raise WriteError(
            path,
            OSError(errno.EEXIST, f"it is {kind_of_file(st.st_mode)}, not a regular file"),
            advice="choose another name, or move it away",
        )


@contextmanager
def atomic_file(path: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path``; on a clean exit it replaces ``path``.

    ``durable=False`` skips the fsync: for cache files, which a crash may lose at the
    cost of a re-parse only. An OSError of the write itself (see errors.WRITE_ERRNOS,
    also when the body's writes raise it) becomes errors.WriteError naming ``path``;
    any other error of the body passes through as it is.
    """
    check_replaceable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise cannot_write(path, exc) from exc
    ours = False  # whether the error came from our own steps, not the body
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            ours = True
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        ours = True  # closing flushes, and may be where a full disk shows
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if ours or exc.errno in WRITE_ERRNOS:
            raise cannot_write(path, exc) from exc
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    with atomic_file(path, durable=durable) as handle:
        handle.write(data)
