"""Atomic file writes: a reader sees the old file or the new one, never half of either.

Every file the tool writes (the deck, its state, its cache entries, the preview page)
goes through here: a temporary file in the same folder, flushed to disk, then renamed
over the target. The new file gets the permissions a plain ``open()`` would give it
(mkstemp's private 0600 would hide a shared deck from other users).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Read once at import: toggling the umask later could race with another thread.
_UMASK = _read_umask()


@contextmanager
def atomic_file(path: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path``; on a clean exit it replaces ``path``.

    ``durable=False`` skips the fsync: for cache files, which a crash may lose at the
    cost of a re-parse only.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    with atomic_file(path, durable=durable) as handle:
        handle.write(data)
