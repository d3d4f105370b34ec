"""A progress bar for long builds: on a terminal only, and only once a build is slow.

The bar is rich's, on stderr, ``transient`` (it vanishes when done, so the summary
line is the last thing on screen), and appears only after :data:`DELAY` seconds, so a
fast or cached build prints nothing extra. When stderr is not a terminal (cron, pipes,
tests) there is no bar at all.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import IO, Any

DELAY = 1.0


class BuildProgress:
    """Callable as ``progress(done, total)``; use as a context manager."""

    def __init__(self, *, enabled: bool | None = None, stream: IO[str] | None = None, delay: float = DELAY) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled if enabled is not None else _isatty(self.stream)
        self.delay = delay
        self.start = time.monotonic()
        self._progress: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._progress is None:
            if time.monotonic() - self.start < self.delay or done >= total:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("parsing notes"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("parse", total=total)
        self._progress.update(self._task, completed=done, total=total)

    def __enter__(self) -> BuildProgress:
        self.start = time.monotonic()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
