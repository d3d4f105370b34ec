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
import hashlib
import os
import signal
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass(slots=True)
class Staged:
    """A file written in full (flushed, fsynced, its permissions set) beside ``path``,
    not yet in its place: :meth:`commit` puts it there, :meth:`discard` drops it."""

    path: Path
    tmp: Path
    handle: BinaryIO | None = None  # open while the body of staged_file writes it

    def commit(self) -> None:
        try:
            os.replace(self.tmp, self.path)
        except OSError as exc:
            self.discard()
            raise cannot_write(self.path, exc) from exc

    def discard(self) -> None:
        try:
            self.tmp.unlink(missing_ok=True)
        except OSError:
            pass


@contextmanager
def staged_file(path: Path, *, durable: bool = True) -> Iterator[Staged]:
    """Write a temporary file beside ``path`` (``staged.handle``); on a clean exit it is
    complete (flushed, fsynced unless ``durable=False``) and waits for
    :meth:`Staged.commit` or :func:`replace_together`; on an error it is removed.

    An OSError of the write itself (see errors.WRITE_ERRNOS, also when the body's
    writes raise it) becomes errors.WriteError naming ``path``; any other error of the
    body passes through as it is.
    """
    check_replaceable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise cannot_write(path, exc) from exc
    staged = Staged(path, Path(tmp))
    ours = False  # whether the error came from our own steps, not the body
    try:
        with os.fdopen(fd, "wb") as handle:
            staged.handle = handle
            yield staged
            ours = True
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        ours = True  # closing flushes, and may be where a full disk shows
        staged.handle = None
        os.chmod(tmp, 0o666 & ~_UMASK)
    except OSError as exc:
        staged.discard()
        if ours or exc.errno in WRITE_ERRNOS:
            raise cannot_write(path, exc) from exc
        raise
    except BaseException:
        staged.discard()
        raise


@contextmanager
def atomic_file(path: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path``; on a clean exit it replaces ``path``
    (see :func:`staged_file`: ``durable=False`` skips the fsync, for cache files, which
    a crash may lose at the cost of a re-parse only)."""
    with staged_file(path, durable=durable) as staged:
        assert staged.handle is not None
        yield staged.handle
    staged.commit()


def replace_together(*files: Staged, done: Callable[[], None] | None = None) -> None:
    """Put staged files in their places, in the order given, as one step: no signal
    (Ctrl-C, SIGTERM) is taken between the renames (it is held, and arrives right
    after), and the folders are fsynced after them, so the new names are on disk.

    Two renames are never one atomic step: only a crash of the machine or SIGKILL can
    come between them, and the caller orders them so that the file renamed first says
    what the second must be (the build's state names its deck's sha256, see
    pipeline/commit.py). A rename that fails drops the files not yet in place and raises
    errors.WriteError. ``done`` is called once all are in place, before a held signal
    can arrive: whoever handles it knows what was written.
    """
    held = _hold_signals()
    try:
        for count, staged in enumerate(files):
            try:
                staged.commit()
            except BaseException:
                for rest in files[count + 1 :]:
                    rest.discard()
                raise
        if done is not None:
            done()
    finally:
        _release_signals(held)
    for folder in dict.fromkeys(staged.path.parent for staged in files):
        _fsync_folder(folder)


_SIGNALS = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)}


def _hold_signals() -> set[int] | None:
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        return None
    return set(signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS))


def _release_signals(held: set[int] | None) -> None:
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where folders can be opened: not Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes (hex), read a MiB at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    with atomic_file(path, durable=durable) as handle:
        handle.write(data)
