"""What the kinds borrow from one another: a step's title, whether a list is a
pipeline, a paragraph's sentences, whether a note is a Spaced Repetition flashcard note.

One module, so no kind imports another kind.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markdown_it.token import Token

from ..lexicon import alternation, having
from ..model import Inline, ListBlock, ListItem, ListShape, Note, Paragraph
from ..notes.inline import blank, has_cloze, is_image_only, is_links_only, leading_span, matching_close, with_content
from ..notes.markdown import markdown
from ..notes.parse import plain_text
from ..notes.plugins import Plugins, SpacedRepetition

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .walk import Visit


def prose_nodes(visit: Visit) -> Iterator[tuple[object, Inline, int]]:
    """The paragraph, or the list's items (not its tasks) that hold text, a visit shows:
    (node, its inline, its line), where sentences are looked for (phrases, defines)."""
    block = visit.block
    if isinstance(block, Paragraph):
        yield block, block.inline, block.line
    elif isinstance(block, ListBlock):
        for item in block.items:
            if item.task is None and item.inline is not None:
                yield item, item.inline, item.line


# ------------------------------------------------------------------ steps


def title_tokens(inline: Inline) -> tuple[int, int]:
    """Token indices [start, end) of a step's title: the leading bold span, else the first line."""
    span = leading_span(inline)
    if span is not None:
        return span[0] + 1, span[1]
    tokens = inline.tokens
    end = next((i for i, t in enumerate(tokens) if t.type in ("softbreak", "hardbreak")), len(tokens))
    return 0, end


def step_title(item: ListItem) -> str:
    """Plain text of a step's title (its leading bold phrase, else its first line).

    Remembered per item's inline (the tree is never changed after parsing): a note's
    lists ask for the same titles over and over (whether an item is a step, the
    procedure test, every sibling of every step), ~50,000 times for 2,000 notes.
    """
    inline = item.inline
    if inline is None:
        return ""
    known = _TITLES.get(id(inline))
    if known is not None and known[0] is inline:
        return known[1]
    start, end = title_tokens(inline)
    title = plain_text(Inline("", inline.tokens[start:end]))
    if len(_TITLES) >= 4096:
        _TITLES.clear()
    _TITLES[id(inline)] = (inline, title)  # the inline is held: its id is not reused meanwhile
    return title


_TITLES: dict[int, tuple[Inline, str]] = {}


def is_step(item: ListItem) -> bool:
    return (
        item.task is None
        and item.inline is not None
        and not is_links_only(item.inline)
        and not is_image_only(item.inline)
        and bool(step_title(item))
    )


def is_pipeline(block: ListBlock) -> bool:
    """A list shaped like a pipeline: two or more steps, no hand-written clozes."""
    if any(has_cloze(i.inline) for i in block.items):
        return False
    return sum(is_step(i) for i in block.items) >= 2


def lead_in(visit: Visit) -> str:
    """What introduces a list: the bullet it sits under, else the paragraph right before it."""
    if visit.parents and visit.parents[-1].children and visit.parents[-1].children[0] is visit.block:
        return plain_text(visit.parents[-1].inline)
    index = visit.index
    before = visit.siblings[index - 1] if index > 0 else None
    return plain_text(before.inline) if isinstance(before, Paragraph) else ""


def list_shape(block: ListBlock, visit: Visit, note: Note) -> ListShape:
    """What the judge weighs of a list before it is asked step by step
    (judge/lists.py: is it a procedure?)."""
    return ListShape(
        ordered=block.ordered,
        titles=tuple(step_title(i) for i in block.items if is_step(i)),
        lines=tuple(plain_text(i.inline) for i in block.items if i.inline is not None),
        lead=lead_in(visit),
        heading=visit.section.path[-1] if visit.section.path else note.title,
    )


# ------------------------------------------------------------------ sentences

#: Words whose full stop ends no sentence (the lexicon's role ``abbreviation``).
_ABBREVIATIONS = having("abbreviation")


# A run of `.!?` is tried from its first character only: tried from each (100 KB of `!`),
# it read the rest of the run each time.
_SENTENCE_END = re.compile(r"[。！？]+[」』”’）)]*|(?<![.!?])[.!?]+[\"'”’)\]]*(?=\s)")
_WORD_CHAR = re.compile(r"[\w.]")


def _sentence_ends(text: str) -> list[int]:
    """Offsets in ``text`` just after each sentence end: ``。！？`` anywhere, ``.!?`` before
    a space and not after an abbreviation (``e.g.``) or a single letter (``J. Smith``)."""
    ends = []
    for match in _SENTENCE_END.finditer(text):
        if match.group(0)[0] == ".":
            word = _word_before(text, match.start())
            if word and (word.casefold().rstrip(".") in _ABBREVIATIONS or len(word) == 1):
                continue
        ends.append(match.end())
    return ends


def _word_before(text: str, end: int) -> str:
    """``re.search(r"([\\w.]+)$", text[:end]).group(1)`` ("" for None), reading back from
    ``end`` only: searching the text up to each full stop was quadratic."""
    if end and text[end - 1] == "\n":  # `$` matches before a last newline too
        end -= 1 if end > 1 and _WORD_CHAR.match(text[end - 2]) else 0
    start = end
    while start and _WORD_CHAR.match(text[start - 1]):
        start -= 1
    return text[start:end]


def opens_with_title(inline: Inline) -> bool:
    """Whether a paragraph's first line is a title (:func:`is_title_line`) with more lines below.

    >>> from cards.notes.markdown import markdown
    >>> opens_with_title(
    ...     Inline("", markdown().parseInline("**Increasing sequence theorem**\\nA bounded one converges.")[0].children)
    ... )
    True
    """
    tokens = inline.tokens
    cut = next((k for k, t in enumerate(tokens) if t.type in ("softbreak", "hardbreak")), None)
    return cut is not None and any(not blank(t) for t in tokens[cut:]) and is_title_line(tokens[:cut])


def is_title_line(line: list[Token]) -> bool:
    """Whether a line of a paragraph is all one bold, italic or highlighted span, as a
    line used for a heading is (``***Point estimators and estimates***`` above the text it titles).

    >>> from cards.notes.markdown import markdown
    >>> is_title_line(markdown().parseInline("***Point estimators and estimates***")[0].children)
    True
    >>> is_title_line(markdown().parseInline("**Osmosis** moves water")[0].children)
    False
    """
    tokens = [t for t in line if not blank(t)]
    return (
        len(tokens) >= 3
        and tokens[0].type in ("strong_open", "em_open", "mark_open")
        and matching_close(tokens, 0) == len(tokens) - 1
    )


def _line_ends_sentence(before: list[Token], after: list[Token], index: int) -> bool:
    """Whether a line break ends a sentence: the line ended with sentence punctuation
    (or a colon), or the next line opens with bold or a highlight, as a line of a
    glossary does (``**Deep**: far from the surface``). A hard-wrapped sentence goes on."""
    last = next(
        (t for t in reversed(before) if t.type != "softbreak" and (t.type != "text" or t.content.strip())), None
    )
    if last is not None and last.type == "text" and re.search(r"[.!?。！？:：;；]\s*$", last.content):
        return True
    # what follows the break, read from it (a copy of the rest per break was quadratic)
    following = next(
        (after[k] for k in range(index + 1, len(after)) if after[k].type != "text" or after[k].content.strip()), None
    )
    return following is not None and following.type in ("strong_open", "mark_open")


def sentences(inline: Inline) -> list[Inline]:
    """The sentences of an inline (:func:`split_sentences`), remembered per inline: the
    phrases and the terms kinds both read them (the list is not to be changed)."""
    known = _SENTENCES.get(id(inline))
    if known is not None and known[0] is inline:
        return known[1]
    found = split_sentences(inline)
    if len(_SENTENCES) >= 4096:
        _SENTENCES.clear()
    _SENTENCES[id(inline)] = (inline, found)  # the inline is held: its id is not reused meanwhile
    return found


_SENTENCES: dict[int, tuple[Inline, list[Inline]]] = {}


def split_sentences(inline: Inline) -> list[Inline]:
    """The sentences of an inline, split in its top-level text (never inside bold, a
    link or code), each as an inline of its own tokens.

    >>> from cards.notes.markdown import markdown
    >>> tokens = markdown().parseInline("Cells make **ATP**. It stores energy, e.g. for muscles.")[0].children
    >>> [plain_text(s) for s in sentences(Inline("", tokens))]
    ['Cells make ATP.', 'It stores energy, e.g. for muscles.']
    >>> tokens = markdown().parseInline("the **source view** $I'$ is fused")[0].children
    >>> plain_text(sentences(Inline("", tokens))[0])
    "the source view $I'$ is fused"
    >>> tokens = (
    ...     markdown()
    ...     .parseInline("**Deep**: far from the surface\\n**Superficial**: close to it\\nand hard\\nwrapped.")[0]
    ...     .children
    ... )
    >>> [plain_text(s) for s in sentences(Inline("", tokens))]
    ['Deep: far from the surface', 'Superficial: close to it and hard wrapped.']
    """
    found: list[list[Token]] = [[]]
    depth = 0
    for index, token in enumerate(inline.tokens):
        if depth == 0 and token.type == "text":
            start = 0
            for end in _sentence_ends(token.content):
                found[-1].append(with_content(token, token.content[start:end]))
                found.append([])
                start = end
            rest = token.content[start:]
            if rest.strip() or not found[-1]:
                found[-1].append(with_content(token, rest.lstrip() if not found[-1] else rest))
            elif found[-1]:
                found[-1].append(with_content(token, rest))  # the space between two spans (**a** $x$) stays
            continue
        if depth == 0 and token.type in ("softbreak", "hardbreak"):
            if found[-1] and _line_ends_sentence(found[-1], inline.tokens, index):
                found.append([])
            if not found[-1]:
                continue
        found[-1].append(token)
        depth += token.nesting
    return [Inline("", tokens) for tokens in found if any(t.type != "text" or t.content.strip() for t in tokens)]


_REFERS_BACK = re.compile(
    rf"^(?:{alternation('refers_back', script='latin')})\b|^(?:{alternation('refers_back', script='cjk')})",
    re.IGNORECASE,
)


def refers_back(sentence: str) -> bool:
    """Whether a sentence leans on the one before it (``It stores …``, ``这样 …``): shown
    alone on a card, it would not say what it is about.

    >>> (
    ...     refers_back("It stores energy for muscles."),
    ...     refers_back("这样就解决了缓存污染。"),
    ...     refers_back("ATP stores energy."),
    ... )
    (True, True, False)
    """
    return bool(_REFERS_BACK.match(sentence.strip()))


_PREMISE = re.compile(
    rf"^(?!sendo assim)(?:{alternation('premise', script='latin')})(?![\w-])"
    rf"|^(?:{alternation('premise', script='cjk')})",
    re.IGNORECASE,
)


def sets_the_scene(sentence: str) -> bool:
    """Whether a sentence only sets the scene for the statement after it (``Given a
    probability space …``, ``Seja f contínua …``, ``设 …``): a premise, not the fact.

    >>> sets_the_scene("Given a probability space (Ω, F, P) and a sample X."), sets_the_scene("设 f 在 [a,b] 上连续。")
    (True, True)
    >>> sets_the_scene("A bounded increasing sequence converges.")
    False
    """
    return _PREMISE.search(sentence.strip()) is not None


def titled_statement(parts: list[Inline], title: str) -> Inline:
    """A title line's statement: the first sentence (which holds the title) and the
    ones after it while each only sets the scene (:func:`sets_the_scene`), so the
    learner sees what the title names, not only its premises.

    >>> from cards.notes.markdown import markdown
    >>> tokens = (
    ...     markdown()
    ...     .parseInline(
    ...         "**Central limit theorem**\\nGiven iid X_i with finite variance. "
    ...         "Their mean is asymptotically normal. Proof below."
    ...     )[0]
    ...     .children
    ... )
    >>> plain_text(titled_statement(sentences(Inline("", tokens)), "Central limit theorem"))
    'Central limit theorem Given iid X_i with finite variance. Their mean is asymptotically normal.'
    """
    shown, end = parts[0], 0
    body = plain_text(parts[0]).strip()[len(title) :]
    while end + 1 < len(parts) and sets_the_scene(body):
        end += 1
        shown = joined(shown, parts[end])
        body = plain_text(parts[end])
    return shown


def joined(first: Inline, second: Inline) -> Inline:
    """Two sentences as one inline, a space between them."""
    space = Token("text", "", 0)
    space.content = " "
    return Inline("", [*first.tokens, space, *second.tokens])


def heading_inline(text: str) -> Inline:
    """A heading's plain text (math kept as ``$…$``) as an inline again, so a question
    made of it shows its formulas as MathJax, never as raw ``$``."""
    tokens = markdown().parseInline(text)
    return Inline(text, tokens[0].children or [] if tokens else [])


# ------------------------------------------------------------------ Spaced Repetition's flashcard notes

TAG = r"#[^\s#]+"


def is_flashcard_note(note: Note, settings: SpacedRepetition) -> bool:
    """Whether the plugin reads this note for cards: it carries a flashcard tag (in its
    text or its front matter), or the settings make every folder a deck.

    >>> from pathlib import PurePosixPath
    >>> from cards.notes.parse import parse_note
    >>> is_flashcard_note(parse_note("#flashcards/bio\\nQ::A", PurePosixPath("a.md"), deck="V"), SpacedRepetition())
    True
    >>> is_flashcard_note(parse_note("Q::A", PurePosixPath("a.md"), deck="V"), SpacedRepetition())
    False
    """
    if settings.folders_to_decks:
        return True
    names = [t.lstrip("#") for t in settings.tags]
    tags = re.findall(rf"(?<![\w&/\\]){TAG}", note.text)
    front = note.front_matter.get("tags", note.front_matter.get("tag"))
    listed = front if isinstance(front, list) else str(front or "").replace(",", " ").split()
    tags += [f"#{str(t).lstrip('#')}" for t in listed]
    return any(deck_of(tag, names) is not None for tag in tags)


def minable_marks(note: Note, plugins: Plugins, flashcards: bool | None = None) -> tuple[bool, bool]:
    """Whether other kinds may cloze ``**bold**`` and ``==highlights==`` in this note.

    Not in a flashcard note: there the writer's clozes are the plugin's, read above.
    Elsewhere, as the vault's plugin settings say (both, without the plugin).
    """
    if is_flashcard_note(note, plugins.osr) if flashcards is None else flashcards:
        return False, False
    return plugins.bold_clozes, plugins.highlight_clozes


def deck_of(tag: str, names: list[str]) -> str | None:
    """The sub-deck a flashcard tag names ("" for the tag itself), or None if it is not one."""
    bare = tag.lstrip("#")
    for name in names:
        if bare == name:
            return ""
        if bare.startswith(name + "/"):
            return bare[len(name) + 1 :].strip("/").replace("/", "::")
    return None
