"""Why a note gives nothing, and the notes the walk never reads.

A note with nothing to learn (a journal, a template, a task list, a table of contents)
is found by the judge (judge/notes.py: ``skip_note``); a note in the vault's templates
folder, or in a folder the app hides, is not even read (:func:`skip_file`, asked by
read.py). Either way the reason is a :class:`Skip`, which travels with the note's result
so ``cards build -v`` can answer "why did this note give no card?".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from .layout import Layout

__all__ = ["Skip", "kind_of", "skip_file"]


@dataclass(frozen=True, slots=True)
class Skip:
    """Why a note gives nothing: ``kind`` (one word, for the summary's counts), the
    ``detail`` a user reads, and whether cards written by the author still come."""

    kind: str
    detail: str
    written: bool = False

    def __str__(self) -> str:
        """``journal (in Logseq's journals folder)``: the reason, as reported.

        >>> str(Skip("tasks", "5 of 6 items are tasks", written=True))
        'tasks (5 of 6 items are tasks)'
        """
        return f"{self.kind} ({self.detail})"


def kind_of(reason: str) -> str:
    """The kind of a reported reason (what the summary counts).

    >>> kind_of("journal (in Logseq's journals folder)")
    'journal'
    """
    return reason.split(" (", 1)[0]


def skip_file(path: PurePosixPath, layout: Layout) -> Skip | None:
    """A note the walk need not even read: in a templates folder, or hidden by the app."""
    where = layout.template(path)
    if where:
        return Skip("template", where)
    where = layout.hidden_by_app(path)
    if where:
        return Skip("hidden", where)
    return None
