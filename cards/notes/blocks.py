"""Logseq's block ids: the words of every block that carries an ``id::``, graph-wide.

A Logseq block referenced from elsewhere (``((605c4b6f-…))``) gets a property line
``id:: 605c4b6f-…`` under its first line; the reference shows that block's words.
So a note's card needs *other* notes' text: this index reads every note of the graph
once, on first use (most builds of most vaults never ask), and keeps, per id, the
block's words without its marker, properties or drawers::

    - TODO Accuracy of learned keypoints
      id:: 605c4b6f-abef-4c73-a5e0-c31197183ad0
      SCHEDULED: <2023-02-16 Thu>

gives ``605c4b6f-…`` -> ``Accuracy of learned keypoints``.

Every note file of the vault counts (journals, templates and notes the config
excludes included: a reference shows the block wherever it lives), but not the
copies under Logseq's own ``logseq/`` folder (``bak/``). An id found twice keeps the
first by path. Which answers a note got is part of its cached result, and the cache
asks again before reusing it (pipeline/collect.py), so an edited block reaches every
note that shows it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..untrusted import read_in_vault
from .metadata import PROPERTY, TASK_MARKER, TRAILING_TAGS, metadata_lines
from .read import MAX_NOTE_BYTES, NOTE_SUFFIXES, SKIPPED_DIRS

__all__ = ["BlockIndex", "BlockText", "block_texts"]

#: The text of a block by its id (``((uuid))``), or None when the graph has none.
BlockText = Callable[[str], "str | None"]

_ID_LINE = re.compile(
    r"^([ \t]*)id::[ \t]*([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})[ \t]*$",
    re.MULTILINE,
)
_BULLET = re.compile(r"^([ \t]*)[-*+](?:[ \t]+|$)")
_HEADING = re.compile(r"^#{1,6}[ \t]+")


@dataclass(slots=True)
class BlockIndex:
    """The block ids of the vault at ``root`` -> their words (see the module's doc)."""

    root: Path
    _texts: dict[str, str] | None = None
    scans: int = field(default=0)  # how many times the graph was read (tests: once per build)

    def text(self, uuid: str) -> str | None:
        """The words of the block with this id, or None when no note holds it."""
        if self._texts is None:
            self._texts = self._scan()
        return self._texts.get(uuid.lower())

    def _scan(self) -> dict[str, str]:
        self.scans += 1
        found: dict[str, str] = {}
        root = self.root
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            dirnames[:] = sorted(
                d
                for d in dirnames
                if not d.startswith(".")
                and d not in SKIPPED_DIRS
                and not (here == root and d == "logseq" and (root / d / "config.edn").is_file())
            )
            for name in sorted(filenames):
                if name.startswith(".") or not name.lower().endswith(NOTE_SUFFIXES):
                    continue
                try:
                    data, _ = read_in_vault(root, here / name, limit=MAX_NOTE_BYTES)
                except OSError:
                    continue  # the walk of the notes (read.py) says why
                if b"id::" not in data:
                    continue
                for uuid, words in block_texts(data.decode("utf-8", errors="replace"), Path(name).stem).items():
                    found.setdefault(uuid, words)
        return found


def block_texts(text: str, page: str = "") -> dict[str, str]:
    """Every ``id::`` of one note's text -> the words of the block it sits in.
    ``page``: the note's file name without ``.md``.

    >>> block_texts("- **Shape** matters #card\\n  id:: 605C4B6F-ABEF-4C73-A5E0-C31197183AD0\\n\\t- child\\n")
    {'605c4b6f-abef-4c73-a5e0-c31197183ad0': '**Shape** matters'}

    An area highlight of a PDF (a block of a ``hls__`` page with ``hl-type:: area``)
    is the picture Logseq cut out of the page, kept under ``assets/``:

    >>> found = block_texts(
    ...     "- [:span]\\n  hl-page:: 419\\n  id:: 63c35db9-7581-4bb9-b557-8a4f428fb71e\\n  hl-type:: area\\n"
    ...     "  hl-stamp:: 1673747897164\\n",
    ...     "hls__Simon_Topology",
    ... )
    >>> found["63c35db9-7581-4bb9-b557-8a4f428fb71e"].split("/")
    ['![](<', 'assets', 'Simon_Topology', '419_63c35db9-7581-4bb9-b557-8a4f428fb71e_1673747897164.png>)']
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    found: dict[str, str] = {}
    for match in _ID_LINE.finditer(text):
        at = _line_at(starts, match.start())
        uuid = match.group(2).lower()
        words, properties = _block_words(lines, at, _width(match.group(1)))
        if properties.get("hl-type") == "area" and page.startswith("hls__"):
            words = (
                f"![](</assets/{page[5:]}/{properties.get('hl-page', '')}_{uuid}_{properties.get('hl-stamp', '')}.png>)"
            )
        if words:
            found.setdefault(uuid, words)
    return found


def _line_at(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _width(indent: str) -> int:
    return len(indent.expandtabs(4))


def _block_words(lines: list[str], at: int, indent: int) -> tuple[str, dict[str, str]]:
    """The words of the block whose property line is ``lines[at]`` (its bullet line
    above, less indented, and its continuation lines, metadata left out), and its
    properties."""
    head = at - 1
    while head >= 0:
        bullet = _BULLET.match(lines[head])
        if bullet and _width(bullet.group(1)) < indent:
            break
        if lines[head].strip() and _width(lines[head][: len(lines[head]) - len(lines[head].lstrip())]) < indent:
            return "", {}  # a less indented line that is no bullet: not a block's property
        head -= 1
    if head < 0:
        return "", {}  # a page's own id (page properties), not a block's
    first = _BULLET.sub("", lines[head], count=1)
    body = [first]
    end = head + 1
    while end < len(lines):
        line = lines[end]
        stripped = line.lstrip()
        if not stripped or _BULLET.match(line) or _width(line[: len(line) - len(stripped)]) < indent:
            break
        body.append(stripped)
        end += 1
    properties: dict[str, str] = {}
    words: list[str] = []
    for line, dropped in zip(body, metadata_lines(body)):
        if not dropped:
            words.append(TRAILING_TAGS.sub("", line.strip()))  # a #card block referenced elsewhere is words there
        elif PROPERTY.match(line.strip()):
            key, _, value = line.strip().partition("::")
            properties.setdefault(key.strip().lower(), value.strip())
    joined = " ".join(w for w in words if w)
    joined = TASK_MARKER.sub("", joined, count=1)
    return _HEADING.sub("", joined, count=1).strip(), properties
