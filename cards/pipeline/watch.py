"""``cards watch``: rebuild the deck on every save.

watchfiles reports a burst of saves (an editor writing a temp file and renaming it,
a sync client touching ten notes) as one set once the burst has been quiet for
:data:`STEP_MS`, and at most :data:`DEBOUNCE_MS` after it began; each set is one
rebuild. A rebuild is an ordinary :func:`cards.pipeline.run.build` (same lock, same cache, so
it parses only the notes that changed and replaces the deck atomically) and prints
one line. A note with an error is reported and left out, a broken ``cards.toml`` is
reported and the last good deck stays; the watcher keeps running either way. The
deck, its state and lock may sit inside the vault: changes to them are ignored. The
first build must succeed in writing: an unwritable output or a PATH without notes
stops the watcher (the CLI says why, exit 1); later failures (a full disk) are reported
and the next save tries again.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..deck.state import state_path
from ..errors import NoNotesError
from .processes import sigterm_as_interrupt
from .run import BuildResult, build, output_files

DEBOUNCE_MS = 800
STEP_MS = 50
#: How often the watcher wakes up with nothing to report (and how soon it is armed).
ARM_MS = 250

Echo = Callable[[str], None]


def make_filter(paths: Sequence[Path], output: Path) -> Callable[[Any, str], bool]:
    """A watchfiles filter: notes, images and cards.toml; never the build's own files."""
    from watchfiles import DefaultFilter

    default = DefaultFilter()
    own = {p.resolve() for p in output_files(output)}
    out_dir, out_name = output.resolve().parent, output.name
    roots = [(p if p.is_dir() else p.parent).resolve() for p in paths]

    def accept(change: Any, raw: str) -> bool:
        if not default(change, raw):
            return False
        path = Path(raw).resolve()
        if path in own or any(parent in own for parent in path.parents):
            return False
        if path.parent == out_dir and path.name.startswith((f".{out_name}.", f".{state_path(output).name}.")):
            return False  # the temporary files of an atomic write
        if path.parent == out_dir and path.name.startswith(f"{out_name}.cards-"):
            return False  # any other file the tool keeps beside the deck (the delivery record)
        for root in roots:
            if path.is_relative_to(root):
                rel = path.relative_to(root).parts
                if any(part.startswith(".") for part in rel[:-1]):
                    return False  # .obsidian/, .trash/, .git/: never notes
        return True

    return accept


def describe(result: BuildResult, seconds: float) -> str:
    changes, collected = result.changes, result.collected
    errors = len(collected.errors)
    status = f"wrote {result.output}" if result.written else "up to date"
    return (
        f"{time.strftime('%H:%M:%S')} {collected.parsed} note{'s' if collected.parsed != 1 else ''} changed: "
        f"{len(changes.added)} added, {len(changes.updated)} updated, {len(changes.retired)} retired"
        f"{f', {errors} note(s) with errors' if errors else ''}; {status} ({seconds:.2f} s)"
    )


def watch(
    paths: Sequence[Path],
    output: Path,
    *,
    rebuild: Callable[[], BuildResult] | None = None,
    echo: Echo = print,
    problem: Echo = print,
    debounce_ms: int = DEBOUNCE_MS,
    stop_event: Any = None,
    after: Callable[[BuildResult], str] | None = None,
    **build_options: Any,
) -> None:
    """Build once, then once per burst of changes, until Ctrl-C (KeyboardInterrupt) or
    ``stop_event`` is set. ``rebuild`` defaults to ``build(paths, output, **build_options)``;
    the CLI passes one that re-reads cards.toml each time.

    ``after`` runs after each rebuild (``cards watch --sync`` delivers the deck into
    Anki); what it returns ends the rebuild's line. If it raises, the line says so and
    the watcher keeps going: the next rebuild runs it again.
    """
    from watchfiles import watch as watch_changes

    run = rebuild or (lambda: build(list(paths), output, **build_options))
    shown: set[str] = set()
    built = False

    def once() -> None:
        nonlocal shown, built
        started = time.monotonic()
        try:
            result = run()
        except KeyboardInterrupt:
            raise
        except (OSError, NoNotesError):
            if not built:
                raise  # the first build: an unwritable output or a PATH without notes stops the watcher
            problem(f"{time.strftime('%H:%M:%S')} Error: {sys.exc_info()[1]}")
            return
        except Exception as exc:  # noqa: BLE001 - a watcher reports and keeps going
            problem(f"{time.strftime('%H:%M:%S')} rebuild failed: {exc}")
            return
        built = True
        problems = [f"Error: {e}" for e in result.collected.errors] + [
            f"Warning: {w}" for w in result.collected.warnings
        ]
        for line in problems:
            if line not in shown:
                problem(line)
        shown = set(problems)
        line = describe(result, time.monotonic() - started)
        if after is not None:
            try:
                line += after(result)
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # noqa: BLE001 - a failed delivery is reported, then retried
                line += f"; sync failed: {exc} (retried on the next rebuild)"
        echo(line)

    with sigterm_as_interrupt():
        armed = False
        # The first (empty) yield comes once the watcher is armed: build then, so a
        # save made while the first build runs is seen and gives a second rebuild.
        for changes in watch_changes(
            *paths,
            watch_filter=make_filter(paths, output),
            debounce=debounce_ms,
            step=STEP_MS,
            stop_event=stop_event,
            raise_interrupt=True,
            yield_on_timeout=True,
            rust_timeout=ARM_MS,
        ):
            if changes or not armed:
                armed = True
                once()
