"""One build at a time per output: a lock file beside the deck.

``deck.apkg`` gets ``deck.apkg.cards-lock``. A build holds an exclusive ``flock`` on it
while it reads the cache and state and writes the deck, the state and the cache, so a
cron job that fires while ``cards watch`` (or a slow earlier run) is still writing
waits its turn instead of interleaving with it. The kernel drops the lock when the
process dies, so a killed build never leaves a stale lock behind; the file itself is
left in place on purpose (deleting a lock file while another process waits on it is
a classic race).
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, builds are not serialised
    fcntl = None  # type: ignore[assignment]

#: How long a build waits for another build of the same output (seconds).
DEFAULT_TIMEOUT = 120.0


class LockTimeout(Exception):
    """Another build held the output's lock for longer than we were willing to wait."""

    def __init__(self, output: Path, path: Path, timeout: float) -> None:
        super().__init__(
            f"another cards build is writing {output} (lock {path}); gave up after {timeout:g} s. "
            "If no build is running, a slow disk may be to blame: raise --lock-timeout"
        )
        self.output = output
        self.path = path
        self.timeout = timeout


def lock_path(output: Path) -> Path:
    return output.with_name(output.name + ".cards-lock")


@contextmanager
def output_lock(output: Path, *, timeout: float | None = None) -> Iterator[Path]:
    """Hold the lock of ``output`` for the ``with`` block; raise :class:`LockTimeout`
    after ``timeout`` seconds (None: :data:`DEFAULT_TIMEOUT`; 0: do not wait)."""
    path = lock_path(output)
    if fcntl is None:  # pragma: no cover
        yield path
        return
    wait = DEFAULT_TIMEOUT if timeout is None else max(0.0, timeout)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + wait
        delay = 0.01
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
            if time.monotonic() >= deadline:
                raise LockTimeout(output, path, wait)
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 0.2)
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass  # the pid is a courtesy for humans, not part of the protocol
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the flock
