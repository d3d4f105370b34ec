"""prose: a title or a heading over prose is a question its opening paragraph answers.

    # Run pytest on one folder
    Pass the folder to pytest: `pytest tests/unit` runs only the tests under it.

    ```bash
    pytest tests/unit -q
    ```

    ## Why every output has its own cache
    Two decks built from one vault keep their cards apart, so each output remembers
    its own last build. A shared cache would mix them.

    Deleting the cache only costs time.

gives a card per note title (when no heading comes before its first paragraph) and per
heading whose section opens with a paragraph of prose: the title or heading on the front
(the headings above it as context), the paragraph on the back, with the code block right
after it when it is short. A heading over one short paragraph and nothing else is the
sections kind's (sections.py); this kind takes the rest, the sections that say more, and
the notes whose title is their only heading: how-to notes, reading notes, explanations.

It proposes liberally: whether a learner would keep the card (a title that names a task
or a subject, an answer short enough to recall) is the score's to say (judge/score.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import BASIC, Block, Blocks, Candidate, Code, Note, Paragraph, Section, Span
from ..notes.inline import has_cloze, is_image_only, is_links_only
from ..notes.parse import plain_text
from ..text import normalise
from .shapes import heading_inline
from .walk import Context, breadcrumb

KIND = "prose"
_TAG_LINE = re.compile(r"^(?:#[^\s#]+[ \t]*)+(?:\n|$)")
#: A code block this short still answers "how" in one look.
SHORT_CODE = 12


def _answer(blocks: list[Block]) -> list[Block] | None:
    """The opening paragraph of a section (and a short code block right after it), or
    None when the section does not open with prose."""
    first = blocks[0] if blocks else None
    if not isinstance(first, Paragraph) or has_cloze(first.inline):
        return None
    if is_links_only(first.inline) or is_image_only(first.inline) or not plain_text(first.inline).strip():
        return None
    if _TAG_LINE.match(first.inline.source):
        return None  # a line of tags opens it (``#flashcards``): a note of written cards, not prose
    answer: list[Block] = [first]
    after = blocks[1] if len(blocks) > 1 else None
    if isinstance(after, Code) and 0 < after.text.count("\n") + 1 <= SHORT_CODE:
        answer.append(after)
    return answer


def _sections_own(section: Section) -> bool:
    """A heading over one paragraph and nothing else: the sections kind asks it."""
    return len(section.blocks) == 1


def _question(note: Note, section: Section, first: bool) -> tuple[str, tuple[str, ...]] | None:
    """What the section asks (its heading, or the note's title for the text before the
    first heading) and the breadcrumb above it."""
    if not section.path:
        return (note.title, ()) if first and note.title.strip() else None
    heading = section.path[-1]
    if len(section.path) == 1 and normalise(heading) == normalise(note.title):
        return note.title, ()  # the title written again as the first heading
    return heading, breadcrumb(note, Section(section.line, section.path[:-1], []))


def _written_in(block: Block, ctx: Context) -> bool:
    """Whether a line of the block belongs to a card its author wrote (``Q::A`` lines
    of a paragraph): that paragraph is theirs, not an answer to mine."""
    if ctx.is_claimed(block):
        return True
    if not isinstance(block, Paragraph) or not ctx.claimed_lines:
        return False
    last = block.line + block.inline.source.count("\n")
    return any(line in ctx.claimed_lines for line in range(block.line, last + 1))


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    for k, section in enumerate(note.sections):
        if not section.blocks or _written_in(section.blocks[0], ctx):
            continue
        asked = _question(note, section, first=k == 0)
        if asked is None or (section.path and _sections_own(section)):
            continue
        answer = _answer(section.blocks)
        if answer is None:
            continue
        question, crumbs = asked
        yield ctx.candidate(
            note,
            kind=KIND,
            model=BASIC,
            front=(Span(heading_inline(question).tokens),),
            back=(Blocks(answer),),
            crumbs=crumbs,
            identity=question,
            line=section.blocks[0].line,
        )
