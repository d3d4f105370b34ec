"""Rules that look at a whole note: does it have anything to learn, and do its
candidates, taken together, ask each thing once?

Notes with nothing to learn: journals, templates, task lists, tables of contents. A card
nobody wants costs the learner time every day; a daily note, a to-do list or a list of
links has no fact worth reviewing, and mining it gave cards like "Study ☐" or "the [...]
of this week". Each rule below is one small function of the note (or its path) that
says why the note gives nothing, and the reason travels with the note's result, so
``cards build -v`` can answer "why did this note give no card?".

Two kinds of skip:

* **nothing at all** (``written=False``): a template (its text is placeholders), a
  note whose front matter says ``cards: false``, a note without the tags
  ``cards.toml``'s ``only_tagged`` asks for. The author said so, or there is no text.
* **nothing mined** (``written=True``): a journal page, a README, a task list, a table
  of contents. Cards the author *wrote* (Logseq's ``#card``, Spaced Repetition's ``::``,
  Obsidian_to_Anki blocks, question callouts, ``<details>``) still come: Logseq users
  write their flashcards in the journal, and a written card is never junk.

Front matter ``cards: true`` (or Logseq's page property ``cards:: true``) keeps a note
whatever the content rules say; ``cards: false`` drops it whatever it holds.

The note rule over candidates (``near_duplicate``) reads the candidates the judge kept,
all of one note at once; how many gaps share a line is the score's to weigh
(judge/features.py ``same_line``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from ..model import Block, Callout, Candidate, ListBlock, ListItem, Note, Paragraph
from ..notes.layout import Layout
from ..notes.skip import Skip
from ..text import normalise

__all__ = ["skip_note", "opt_in", "is_drawing", "near_duplicate", "TASKS_SHARE", "LINKS_SHARE"]

#: A note is a task list when more than this share of its items and lines are tasks
#: (and the tasks' text outweighs the rest of its words).
TASKS_SHARE = 0.5


#: A note is a table of contents when at least this share of its items and lines are
#: only links (and their visible text outweighs the rest of its words).
LINKS_SHARE = 0.6


#: ... and it has at least this many of them (two links are a "see also", not a table).
LINKS_MIN = 3


def opt_in(front: dict[str, Any]) -> bool | None:
    """Front matter ``cards:``: True keeps the note, False drops it, None says nothing.

    YAML reads ``no``/``off`` as false; a Logseq page property is a string.

    >>> opt_in({"cards": False}), opt_in({"cards": "no"}), opt_in({"cards": True}), opt_in({})
    (False, False, True, None)
    """
    value = front.get("cards")
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("false", "no", "off"):
            return False
        if word in ("true", "yes", "on"):
            return True
    return None


def skip_note(note: Note, *, layout: Layout, only_tagged: Sequence[str] = ()) -> Skip | None:
    """Why the parsed ``note`` gives nothing, or None. ``note.tags`` must be the note's
    own tags (front matter, ``#tags``, ``tags::``), not its folder's."""
    chosen = opt_in(note.front_matter)
    if chosen is False:
        return Skip("opted out", "cards: false in its front matter")
    placeholder = template_placeholder(note.text)
    if placeholder:
        return Skip("template", f"{placeholder} in its front matter or title")
    if chosen is True:
        return None
    if only_tagged and not has_tag(note.tags, only_tagged):
        return Skip("untagged", "none of cards.toml's only_tagged: " + ", ".join(f"#{t}" for t in only_tagged))
    where = layout.journal(note.path)
    if where:
        return Skip("journal", where, written=True)
    if daily_name(note.path):
        return Skip("journal", "named by a date", written=True)
    units = list(_all_units(note))  # both shares read every item and line
    tasks, items, task_text, other_text = task_share(note, units)
    if tasks > 1 and tasks > TASKS_SHARE * items and task_text >= other_text:
        return Skip("tasks", f"{tasks} of {items} items are tasks", written=True)
    links, lines, link_text, other_text = link_share(note, units)
    if links >= LINKS_MIN and links >= LINKS_SHARE * lines and link_text >= other_text:
        return Skip("contents", f"{links} of {lines} lines are only links", written=True)
    if readme(note.path):
        return Skip("readme", "a README says what the notes are and how to use them, not their subject", written=True)
    return None


def readme(path: PurePosixPath) -> bool:
    """A repository's ``README.md`` (any folder, any case): how to read or install the
    notes, who wrote them, how long the book is; Obsidian and Logseq never show it as a
    note of their own.

    >>> (
    ...     readme(PurePosixPath("network/README.md")),
    ...     readme(PurePosixPath("readme.markdown")),
    ...     readme(PurePosixPath("Reading.md")),
    ... )
    (True, True, False)
    """
    return path.stem.casefold() == "readme"


_OBSIDIAN_PLACEHOLDER = re.compile(r"\{\{\s*(?:date|time|title)(?::[^{}\n]*)?\s*\}\}", re.IGNORECASE)


_TEMPLATER = re.compile(r"<%[*_+-]?[\s\S]*?[_-]?%>")  # Templater's <% tp.date.now() %>, Logseq's <% today %>


def template_placeholder(text: str) -> str:
    """The first template placeholder in the front matter or the title line, or "".

    >>> template_placeholder("---\\ncreated: {{date}}\\n---\\n# Note\\n")
    '{{date}}'
    >>> template_placeholder("# <% tp.file.title %>\\n\\nText")
    '<% tp.file.title %>'
    >>> template_placeholder("# Templates\\n\\nObsidian fills in {{date}} for you.")
    ''
    """
    head = _front_matter_text(text)
    rest = text[len(head) :] if head else text
    title = next((line for line in rest.split("\n") if line.strip()), "")
    for part in (head, title):
        found = _OBSIDIAN_PLACEHOLDER.search(part) or _TEMPLATER.search(part)
        if found:
            return found.group(0)
    return ""


def _front_matter_text(text: str) -> str:
    if not text.startswith("---\n"):
        return ""
    end = text.find("\n---", 3)
    return text[: end + 4] if end >= 0 else ""


def has_tag(tags: Sequence[str], wanted: Sequence[str]) -> bool:
    """Whether a tag is one of ``wanted`` or nested under one (``anki::bio`` under
    ``anki``, as Obsidian nests ``#anki/bio``); case does not matter.

    >>> has_tag(("Anki::bio",), ("anki",)), has_tag(("ankidroid",), ("anki",))
    (True, False)
    """
    mine = [t.lower() for t in tags]
    return any(t == w or t.startswith(w + "::") for w in (x.lower() for x in wanted) for t in mine)


_DATE = re.compile(r"(?P<y>(?:19|20)\d\d)(?P<sep>[-_.])(?P<m>\d\d)(?P=sep)(?P<d>\d\d)")


def daily_name(path: PurePosixPath) -> bool:
    """A note named by a date alone, as Obsidian and Logseq name daily notes.

    ``2024-05-21``, ``2024_05_21`` and ``2024.05.21``; not ``20240521`` (a zettelkasten
    id looks like that) nor ``2024-05-21 Meeting with Ana`` (a note about something).

    >>> daily_name(PurePosixPath("Journal/2024-05-21.md")), daily_name(PurePosixPath("2021_04_15.md"))
    (True, True)
    >>> daily_name(PurePosixPath("20240521.md")), daily_name(PurePosixPath("2024-13-40.md"))
    (False, False)
    """
    match = _DATE.fullmatch(path.stem)
    return bool(match) and 1 <= int(match["m"]) <= 12 and 1 <= int(match["d"]) <= 31  # type: ignore[index]


def _units(blocks: Sequence[Block], task: bool = False) -> Iterator[tuple[ListItem | None, list[Any], bool]]:
    """Every list item and every line of a paragraph (a callout's title and body too),
    as (the item or None, its inline tokens, whether it is a task or inside one): what
    the two share rules count."""
    for block in blocks:
        if isinstance(block, Paragraph):
            for line in _lines(block.inline.tokens):
                yield None, line, task
        elif isinstance(block, ListBlock):
            for item in block.items:
                inside = task or item.task is not None
                if item.inline is not None:
                    yield item, list(item.inline.tokens), inside
                yield from _units(item.children, inside)
        elif isinstance(block, Callout):
            if block.title is not None:
                yield None, list(block.title.tokens), task
            yield from _units(block.blocks, task)


def _lines(tokens: Sequence[Any]) -> Iterator[list[Any]]:
    line: list[Any] = []
    for token in tokens:
        if token.type in ("softbreak", "hardbreak"):
            yield line
            line = []
        else:
            line.append(token)
    yield line


def _all_units(note: Note) -> Iterator[tuple[ListItem | None, list[Any], bool]]:
    for section in note.sections:
        yield from _units(section.blocks)


_TASK_BOX = re.compile(r"^\[[ xX]\]\s*")


def task_share(note: Note, units: Sequence[tuple[ListItem | None, list[Any], bool]] = ()) -> tuple[int, int, int, int]:
    """(task items, items and lines, characters of the tasks' text, characters of the
    rest). What sits under a task is the task's: not counted as an item, its text
    counted as the task's.

    >>> from cards.notes.parse import parse_note
    >>> task_share(
    ...     parse_note(
    ...         "- [ ] milk\\n- [x] call Ana\\n  - she is away\\n- bread is 2 EUR\\n", PurePosixPath("n.md"), deck="D"
    ...     )
    ... )
    (2, 3, 23, 14)
    """
    tasks = items = task_text = other_text = 0
    for item, tokens, in_task in units or _all_units(note):
        size = len(_TASK_BOX.sub("", "".join(t.content for t in tokens).strip()))
        if in_task:
            task_text += size
            if item is not None and item.task is not None:
                tasks += 1
                items += 1
        else:
            other_text += size
            items += 1
    return tasks, items, task_text, other_text


_LINK_TOKENS = frozenset({"wikilink", "wikiembed", "image"})


#: What may sit beside the links of a table-of-contents line: bullets, separators,
#: numbering, an emoji shortcode (``:point_down:``), and nothing else.
_FILLER = re.compile(r"^(?:[\s\d.,;:|/·•→>()\[\]*_~\-–—、，。：；（）]|:[a-z_]+:)*$")


def link_share(note: Note, units: Sequence[tuple[ListItem | None, list[Any], bool]] = ()) -> tuple[int, int, int, int]:
    """(lines that are only links, items and lines, characters of those links' text,
    characters of every other line's text).

    >>> from cards.notes.parse import parse_note
    >>> link_share(
    ...     parse_note(
    ...         "# Index\\n\\n- [[Cells]]\\n- [[Enzymes]] · [[ATP]]\\n- Read these first.\\n",
    ...         PurePosixPath("n.md"),
    ...         deck="D",
    ...     )
    ... )
    (2, 3, 15, 17)
    """
    links = lines = link_text = other_text = 0
    for _, tokens, _ in units or _all_units(note):
        words, inside, linked = _split_link_text(tokens)
        if not words and not inside.strip() and not linked:
            continue  # an empty line
        lines += 1
        if linked and _FILLER.match(words):
            links += 1
            link_text += len(inside.strip())
        else:
            other_text += len((words + inside).strip())
    return links, lines, link_text, other_text


def _split_link_text(tokens: Sequence[Any]) -> tuple[str, str, bool]:
    """(the text outside links, the text inside them, whether there is a link)."""
    words: list[str] = []
    inside: list[str] = []
    depth = 0
    linked = False
    for token in tokens:
        if token.type == "link_open":
            depth += 1
            linked = True
        elif token.type == "link_close":
            depth -= 1
        elif token.type in _LINK_TOKENS:
            linked = True
            inside.append(token.content)
        elif token.type == "text" and re.fullmatch(r"\s*https?://\S+\s*", token.content):
            linked = True
            inside.append(token.content)
        elif token.type in ("text", "code_inline", "math_inline"):
            (inside if depth else words).append(token.content)
    return "".join(words), "".join(inside), linked


def is_drawing(front_matter: Mapping[str, object]) -> bool:
    """An Excalidraw drawing saved as Markdown (its text elements are labels on a canvas)."""
    return any(str(key).startswith("excalidraw") for key in front_matter)


def near_duplicate(candidates: Sequence[Candidate]) -> dict[int, str]:
    """A note asks each thing once: a card with the same question and answer as an
    earlier one of the note is dropped.

    >>> from cards.judge.as_text import candidate_of
    >>> near_duplicate(
    ...     [candidate_of("qa", "What is ATP?", back="Energy"), candidate_of("terms", "What is ＡＴＰ?", back="energy")]
    ... )
    {1: 'asks what an earlier card of the note asks'}
    """
    first: dict[tuple[str, str, str], int] = {}
    found: dict[int, str] = {}
    for index, card in enumerate(candidates):
        view = card.view
        key = (normalise(view.front), normalise(view.hidden), normalise(view.back))
        if key in first:
            found[index] = "asks what an earlier card of the note asks"
        else:
            first[key] = index
    return found
