"""Reading a vault's files as untrusted: what a cloned or shared vault may hold.

Vaults travel (git keeps symbolic links, sync tools copy FIFOs), so every file the
tool reads out of a vault (notes, images, settings) goes through :func:`read_in_vault`:
only a regular file is opened (a FIFO blocks ``open``, ``/dev/zero`` never ends), its
size is checked *before* it is read and no more than the limit is ever read, and a
symbolic link is followed only when it leads to a file inside the vault, so that no
file outside the folder the user named (``img/x.png -> /etc/passwd``) can reach a
deck. The checks are made on the open descriptor too (``O_NOFOLLOW``, ``fstat``):
a file swapped between a check and the read is refused as well.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

#: The most a settings file of a vault (cards.toml, an app's JSON or EDN) may hold.
SETTINGS_LIMIT = 4 * 1024 * 1024

#: Open flags for a vault's file: a link as the last part of the path, or a FIFO's
#: wait for a writer, must not get past ``open`` (where the platform has the flags).
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)


class UnsafeFile(OSError):
    """A vault's file that is not read: a link leaving the vault or leading nowhere, a
    FIFO or a device, a file over the size limit. ``strerror`` says which, as a clause
    that fits ``PATH: …``."""

    def __init__(self, path: Path, why: str, *, code: int = errno.EPERM) -> None:
        super().__init__(code, why, os.fspath(path))


class TooLarge(UnsafeFile):
    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(
            path, f"{size // 1024 // 1024} MiB, over the {limit // 1024 // 1024} MiB limit", code=errno.EFBIG
        )
        self.size = size
        self.limit = limit


def kind_of_file(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def link_target(root: Path, path: Path) -> Path:
    """Where the symbolic link ``path`` leads, which must be inside the vault ``root``.

    Raises :class:`UnsafeFile` when it leads outside the vault or nowhere (a missing
    target, a loop).
    """
    try:
        real = Path(os.path.realpath(path, strict=True))
    except (OSError, RuntimeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise UnsafeFile(path, f"a symbolic link that leads nowhere ({why[:1].lower() + why[1:]})") from None
    if not real.is_relative_to(os.path.realpath(root)):
        raise UnsafeFile(path, f"a symbolic link to {real}, outside the vault")
    return real


def read_in_vault(root: Path, path: Path, *, limit: int | None = None) -> tuple[bytes, os.stat_result]:
    """The bytes of the vault's file ``path`` and its stat, read as untrusted.

    Only a regular file is opened (a FIFO would block, a device never end), never
    through a link leaving ``root`` (:func:`link_target`), and its size is checked
    *before* it is read: at most ``limit`` bytes are ever read (:class:`TooLarge`).
    The checks are made again on the open descriptor (``O_NOFOLLOW``, ``fstat``), so a
    file swapped between the walk and the read is refused too. Raises OSError
    (:class:`UnsafeFile` for what is refused).
    """
    target = link_target(root, path) if os.path.islink(path) else path
    st = os.stat(target, follow_symlinks=False)
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeFile(path, f"{kind_of_file(st.st_mode)}, not a regular file")
    if limit is not None and st.st_size > limit:
        raise TooLarge(path, st.st_size, limit)
    fd = os.open(target, _OPEN_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeFile(path, f"{kind_of_file(st.st_mode)}, not a regular file")
        if limit is not None and st.st_size > limit:
            raise TooLarge(path, st.st_size, limit)
        chunks = []
        left = (limit if limit is not None else st.st_size) + 1  # one more: a file that grew is seen
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if limit is not None and len(data) > limit:
        raise TooLarge(path, len(data), limit)
    return data, st


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened to read if it is a regular file, not a link: for the files a build
    keeps beside the deck (its state, its lock), which a link to ``/dev/zero`` or a FIFO
    in their place must not turn into a read without end. Raises OSError
    (:class:`UnsafeFile` for a link or a file that is not regular)."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP and os.path.islink(path):
            raise UnsafeFile(path, "a symbolic link", code=errno.ELOOP) from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnsafeFile(path, f"{kind_of_file(mode)}, not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")
