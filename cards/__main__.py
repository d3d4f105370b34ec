"""``python -m cards`` and the ``cards`` command: Ctrl-C is handled before anything loads.

Why here, first: loading the command (click, the pipeline, rich) takes a tenth of a
second or more on a cold disk, and a Ctrl-C in that time ended in a KeyboardInterrupt
traceback. Until the command's own handling is in place, Ctrl-C ends the command
quietly (exit 130): nothing has been read or written yet. (The package's
``__init__`` loads nothing, so this runs before any of the command's imports.) What
runs before the first line of this file is Python's own start-up (and, for the
``cards`` script pip writes, its ``import re``): a few milliseconds no package can
reach.
"""

import os

try:  # the C module under ``signal``: importing ``signal`` itself (enum, functools) takes ~7 ms
    import _signal as signal  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - a Python without it
    import signal


def _interrupted_at_start(signum: int, frame: object) -> None:
    os.write(2, b"interrupted\n")
    os._exit(130)


try:
    signal.signal(signal.SIGINT, _interrupted_at_start)
except ValueError:  # pragma: no cover - imported outside the main thread: not the command
    pass


def main() -> None:
    """The ``cards`` command (cli.main), once it has loaded."""
    from .cli import main as command

    signal.signal(signal.SIGINT, signal.default_int_handler)  # from here, the command handles Ctrl-C
    command()


if __name__ == "__main__":
    main()
