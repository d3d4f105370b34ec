"""How a build's processes end: workers never outlive the build, SIGTERM ends it like Ctrl-C.

A build parses notes in forked worker processes (collect.py). Whatever ends the
build, its workers must end with it, at once: a worker left behind would go on using
the CPU and, worse, hold a copy of the output lock's descriptor (lock.py), so that
every later build of that output would wait and give up. Three layers see to it:

* the parent kills its workers when the build stops for any exception (Ctrl-C,
  SIGTERM, an error) and does not wait for their queued work (:func:`worker_pool`);
  a second Ctrl-C or SIGTERM while it does so is ignored instead of interrupting
  the clean-up;
* on Linux each worker asks the kernel to SIGKILL it when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``), which covers a SIGKILL of the parent, and checks
  that its parent is still the build that forked it (the parent may have died before
  the request was made) (:func:`die_with_parent`);
* each worker closes the lock descriptors it inherited first thing.

Elsewhere (macOS, BSD) there is no PDEATHSIG: a worker whose parent was SIGKILLed
finishes the chunk it is parsing, then finds its task queue closed and exits. It
never holds the lock (it closed its copy), so later builds are not held up.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .lock import held_descriptors

if TYPE_CHECKING:  # loaded only when a build has enough notes to parse in parallel
    from concurrent.futures import ProcessPoolExecutor

#: Linux <sys/prctl.h>
_PR_SET_PDEATHSIG = 1


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, ``timeout`` in a cron line, systemd stopping a unit), raised in
    the main thread so the build unwinds as on Ctrl-C: temporary files removed, workers
    killed, the lock released, the old deck and state untouched."""


@contextmanager
def _handlers(handlers: dict[signal.Signals, Any]) -> Iterator[None]:
    """These signal handlers within the block, the old ones after (outside the main
    thread, where Python cannot set them, the block runs as it is)."""
    try:
        previous = {sig: signal.signal(sig, handler) for sig, handler in handlers.items()}
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _terminated(signum: int, frame: object) -> None:
    raise Terminated


def sigterm_as_interrupt() -> contextlib.AbstractContextManager[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (a KeyboardInterrupt)."""
    return _handlers({signal.SIGTERM: _terminated})


def signals_ignored() -> contextlib.AbstractContextManager[None]:
    """Ctrl-C and SIGTERM are ignored within the block (a clean-up that must finish)."""
    return _handlers({signal.SIGINT: signal.SIG_IGN, signal.SIGTERM: signal.SIG_IGN})


def ignore_further_interrupts() -> None:
    """After the first Ctrl-C or SIGTERM was handled: the rest of the way out (a message,
    the exit) is short, and a second one must not turn it into a traceback."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            signal.signal(sig, signal.SIG_IGN)
        except ValueError:  # pragma: no cover - not the main thread
            pass


def die_with_parent(parent: int) -> None:
    """In a forked worker: be killed when ``parent`` dies (Linux), leave now if it
    already has, and let go of the output locks the fork inherited."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the queue check remains
            pass
    if os.getppid() != parent:
        os._exit(1)  # the build died between fork and prctl: nobody wants our work
    for fd in held_descriptors():
        try:
            os.close(fd)  # not LOCK_UN: the parent's descriptor keeps its lock
        except OSError:
            pass


_HELD = {signal.SIGINT, signal.SIGTERM}


def _launch(pool: ProcessPoolExecutor) -> None:
    """Fork every worker now, with Ctrl-C and SIGTERM held back: a signal that lands
    mid-fork interrupts the fork hooks (logging's lock), where Python can only print
    "Exception ignored … Traceback" and drop it. Held, it arrives right after."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        pool.submit(int)  # a fork pool starts all its workers on the first task
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _started(initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    """A worker's first act: its own initializer (which sets its signal handlers), then
    the signals the fork held back are let through."""
    initializer(*initargs)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)


@contextmanager
def worker_pool(
    workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...] = ()
) -> Iterator[ProcessPoolExecutor]:
    """A fork pool whose workers die with the block: on a clean exit they finish and
    are joined; on any exception (Ctrl-C included) they are killed at once, their
    queued work dropped, and the exception goes on."""
    from concurrent.futures import ProcessPoolExecutor

    before = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=_started, initargs=(initializer, initargs)
    )
    try:
        _launch(pool)
        yield pool
    except BaseException:
        with signals_ignored():
            mine = [p for p in multiprocessing.active_children() if p not in before]
            for process in mine:
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)
            for process in mine:
                process.join(timeout=5)
        raise
    pool.shutdown(wait=True)
