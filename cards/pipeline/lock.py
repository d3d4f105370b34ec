"""One build at a time per output: a lock file beside the deck.

``deck.apkg`` gets ``deck.apkg.cards-lock``. A build holds an exclusive ``flock`` on it
while it reads the cache and state and writes the deck, the state and the cache, so a
cron job that fires while ``cards watch`` (or a slow earlier run) is still writing
waits its turn instead of interleaving with it.

Why the lock cannot outlive its build: the kernel drops a ``flock`` when the last
descriptor of the open file closes, so a build that dies in any way (Ctrl-C, SIGTERM,
SIGKILL) releases it, provided no other process holds a copy of the descriptor. The
only processes that could are the build's own worker processes (forked, so they
inherit it): they close it first thing (:func:`held_descriptors`, collect.py) and die
with their parent.

The holder writes who it is into the file (pid, the process's start time, command
and since when), and empties it again before letting go. A build that finds the lock
taken reads that, says once who it is waiting for, and gives up after
``--lock-timeout`` naming the holder.

**A held flock means a live holder**, whatever the pid in the file says: the lock is
never taken over. The pid is only a description: a build in a container's PID
namespace writes a pid that names nothing, or another process, on the host, and a
build that took the lock over because that pid looked dead ran beside the live one.
When the pid names no process here, the message says so (the holder may run in
another PID namespace, or be a process a dead build left behind, such as a worker of
an older version): the user decides, and the build never writes beside a holder.
(Older versions replaced a stale lock file; a waiter that locks a file no longer at
the path opens the new one.)

The lock file is opened with ``O_NOFOLLOW`` and must be a regular file: a link in its
place (``ln -s ../victim.txt d.apkg.cards-lock``) would have the build empty the file
it points to.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shlex
import stat
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..atomic import check_replaceable
from ..errors import cannot_write
from ..untrusted import open_regular

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, builds are not serialised
    fcntl = None  # type: ignore[assignment]

#: How long a build waits for another build of the same output (seconds).
DEFAULT_TIMEOUT = 120.0
log = logging.getLogger("cards")
_HELD: set[int] = set()


def held_descriptors() -> frozenset[int]:
    """The descriptors of the locks this process holds: a forked worker closes them."""
    return frozenset(_HELD)


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds (or last held) an output's lock, as it wrote itself into the file."""

    pid: int
    command: str
    since: float  # time.time() when it took the lock
    start: str | None = None  # the process's start time (Linux /proc), tells a reused pid

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.since))
        said = f"pid {self.pid} ({self.command}), holding it since {when}"
        if self.gone():
            said += (
                "; no such process runs here: it may run in another container or PID namespace, "
                "or be a process a stopped build left behind"
            )
        return said

    def gone(self) -> bool:
        """Whether no process with the holder's pid (and start time) runs *as seen from
        here*: only a description, never a reason to take the lock (see the module doc)."""
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass  # it exists, as another user
        return self.start is not None and _start_time(self.pid) not in (None, self.start)


def _start_time(pid: int) -> str | None:
    """Field 22 of /proc/PID/stat (clock ticks after boot); None where there is no /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()[19]


def _command() -> str:
    argv = sys.argv or ["cards"]
    name = Path(argv[0]).name
    return shlex.join(["python -m cards" if name == "__main__.py" else name, *argv[1:]])


def read_holder(path: Path) -> Holder | None:
    """What the lock file says of its holder; None when it says nothing readable (the
    holder has just taken it and not written yet, or an older version wrote a bare pid)."""
    try:
        with open_regular(path) as handle:
            raw = json.loads(handle.read(_MOST))
        return Holder(int(raw["pid"]), str(raw["command"]), float(raw["since"]), raw.get("start"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


#: The most of a lock file read for who holds it.
_MOST = 64 << 10


class LockTimeout(Exception):
    """Another build held the output's lock for longer than we were willing to wait."""

    def __init__(self, output: Path, path: Path, timeout: float, holder: Holder | None = None) -> None:
        who = holder.describe() if holder is not None else "a process that did not say who it is"
        super().__init__(
            f"another cards build is writing {output}: {who}; gave up after {timeout:g} s "
            f"(lock {path}). Let it finish, stop it, or raise --lock-timeout"
        )
        self.output = output
        self.path = path
        self.timeout = timeout
        self.holder = holder


def lock_path(output: Path) -> Path:
    return output.with_name(output.name + ".cards-lock")


#: Told once when a build has to wait: (the output, who holds its lock or None).
OnWait = Callable[[Path, "Holder | None"], None]


@contextmanager
def output_lock(output: Path, *, timeout: float | None = None, on_wait: OnWait | None = None) -> Iterator[Path]:
    """Hold the lock of ``output`` for the ``with`` block; raise :class:`LockTimeout`
    after ``timeout`` seconds (None: :data:`DEFAULT_TIMEOUT`; 0: do not wait), and
    errors.WriteError when the lock file cannot be made (an unwritable folder)."""
    path = lock_path(output)
    if fcntl is None:  # pragma: no cover
        yield path
        return
    wait = DEFAULT_TIMEOUT if timeout is None else max(0.0, timeout)
    fd = _acquire(output, path, _open(output, path), wait, on_wait)
    _HELD.add(fd)
    try:
        try:
            me = {"pid": os.getpid(), "command": _command(), "since": time.time(), "start": _start_time(os.getpid())}
            os.ftruncate(fd, 0)
            os.write(fd, (json.dumps(me) + "\n").encode())
        except OSError:
            pass  # who holds it is a courtesy for the next build, not part of the protocol
        yield path
    finally:
        _HELD.discard(fd)
        try:
            os.ftruncate(fd, 0)  # who held it is said only while held: an idle lock file is empty
        except OSError:
            pass
        os.close(fd)  # closing the descriptor releases the flock


#: Never through a link (``ln -s ../victim.txt d.apkg.cards-lock`` would have the build
#: empty ``victim.txt``), never blocking on a FIFO.
_FLAGS = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


#: errnos that say the output's folder cannot take a file.
_FOLDER_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOSPC, errno.EDQUOT})


def _open(output: Path, path: Path) -> int:
    """The lock file, opened (made when missing); a link, a folder or a device in its
    place is refused (errors.WriteError naming the lock file, not the deck)."""
    check_replaceable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, _FLAGS, 0o644)
    except OSError as exc:
        check_replaceable(path)  # swapped for a link since: say so
        # the folder's fault (no permission, read-only, full, gone) is the deck's too:
        # it is named; anything else is the lock file's own
        raise cannot_write(output if exc.errno in _FOLDER_ERRNOS else path, exc) from exc
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        check_replaceable(path)
        raise cannot_write(path, OSError(errno.EEXIST, "not a regular file"))
    return fd


def _acquire(output: Path, path: Path, fd: int, wait: float, on_wait: OnWait | None) -> int:
    """Lock ``fd`` (the file at ``path``), waiting up to ``wait`` seconds; returns the
    descriptor that holds the lock (another one when the file was replaced)."""
    deadline = time.monotonic() + wait
    delay = 0.01
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _is_current(fd, path):
                return fd
            os.close(fd)  # a stale lock file was replaced while we waited: lock the new one
            fd = _open(output, path)
            continue
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                os.close(fd)
                raise cannot_write(path, exc) from exc
        holder = read_holder(path)  # a held flock: a live holder, never taken over (module doc)
        if not told and on_wait is not None and wait > 0:
            on_wait(output, holder)
            told = True
        if time.monotonic() >= deadline:
            os.close(fd)
            raise LockTimeout(output, path, wait, holder)
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 0.2)


def _is_current(fd: int, path: Path) -> bool:
    """Whether ``fd`` is still the file at ``path`` (not one replaced since)."""
    try:
        mine, there = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)
