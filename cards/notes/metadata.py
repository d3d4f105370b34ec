"""The lines of a block that are metadata, not words: one definition for the tree
(parse.py) and for the words of a referenced block (blocks.py).

Logseq and Dataview keep data inside a note's text: property lines (``collapsed::
true``, ``id:: 605c…``, ``card-repeats:: 2``, ``logseq.order-list-type:: number``,
``rating:: 4``), a task's marker (``TODO``, ``DONE`` …), its planning lines
(``SCHEDULED: <2023-02-16 Thu>``) and its ``:LOGBOOK:`` … ``:END:`` drawer, and the
``#tags`` that end a line. None of it is ever a card's words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["PROPERTY", "TASK_MARKER", "CLOSED_MARKERS", "TAG_NAME", "TRAILING_TAGS", "metadata_lines"]

PROPERTY = re.compile(r"^[A-Za-z][\w.-]*::(?:[ \t]|$)")
_PLANNING = re.compile(r"^(?:SCHEDULED|DEADLINE):[ \t]*<")
_DRAWER = re.compile(r"^:[A-Z][A-Z_-]*:$")
#: Logseq's task markers at the start of a block (``[#A]``: the task's priority).
TASK_MARKER = re.compile(
    r"^(TODO|DOING|DONE|LATER|NOW|WAITING|WAIT|CANCELED|CANCELLED|STARTED|IN-PROGRESS)(?:[ \t]+(?:\[#[A-C]\][ \t]*)?|$)"
)
#: The markers of a task that is over (shown ☑, as ``- [x]``).
CLOSED_MARKERS = frozenset({"DONE", "CANCELED", "CANCELLED"})
#: A tag's name (``#exam``, ``#bio/cells``, ``#2024b``; not ``#1`` nor ``#``).
TAG_NAME = r"(?:[^\W\d_][\w/-]*|\d+[^\W\d][\w/-]*)"
#: The ``#tags`` that end a line (``... reverse. #exam #bio``): they tag the block (and
#: Logseq's ``#card`` makes it a card), they are not its words.
TRAILING_TAGS = re.compile(rf"(?:^|\s+)#{TAG_NAME}(?:\s+#{TAG_NAME})*\s*$")


def metadata_lines(lines: Sequence[str]) -> list[bool]:
    """Which of a block's lines are metadata (see the module's doc).

    >>> metadata_lines(
    ...     [
    ...         "Read Schwartz",
    ...         "SCHEDULED: <2023-02-16 Thu>",
    ...         ":LOGBOOK:",
    ...         "CLOCK: [2022-12-23 Fri 16:47:12]",
    ...         ":END:",
    ...         "id:: 63e8",
    ...     ]
    ... )
    [False, True, True, True, True, True]
    """
    flags: list[bool] = []
    drawer = False
    for line in lines:
        text = line.strip()
        if drawer:
            flags.append(True)
            drawer = text != ":END:"
        elif _DRAWER.match(text) and text != ":END:":
            flags.append(True)
            drawer = True
        else:
            flags.append(bool(PROPERTY.match(text) or _PLANNING.match(text)))
    return flags
