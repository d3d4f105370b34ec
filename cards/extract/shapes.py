"""Questions the card rules ask of an inline: is it only an image, only links, a question?"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import Block, Inline, ListBlock
from ..notes.folding import fold as fold  # re-exported for the extractors
from ..notes.folding import normalise as normalise
from ..notes.parse import plain_text

if TYPE_CHECKING:
    from markdown_it.token import Token

_IMAGE_EXT = re.compile(r"\.(png|jpe?g|gif|svg|webp|bmp|avif)$", re.IGNORECASE)


def _blank(token: Token) -> bool:
    return (token.type == "text" and not token.content.strip()) or token.type in ("softbreak", "hardbreak")


def is_image_only(inline: Inline | None) -> bool:
    if inline is None:
        return False
    seen = False
    for token in inline.tokens:
        if token.type == "image" or (token.type == "wikiembed" and _IMAGE_EXT.search(token.meta["target"])):
            seen = True
        elif not _blank(token):
            return False
    return seen


def is_links_only(inline: Inline | None) -> bool:
    """A bullet that is only links (a reading list) is never a card."""
    if inline is None:
        return False
    depth, seen = 0, False
    for token in inline.tokens:
        if token.type == "link_open":
            depth, seen = depth + 1, True
        elif token.type == "link_close":
            depth -= 1
        elif token.type == "wikilink":
            seen = True
        elif depth == 0 and not _blank(token):
            return False
    return seen


def without_tasks(blocks: list[Block]) -> list[Block]:
    """The blocks with task items left out: a to-do under a question does not answer it."""
    kept: list[Block] = []
    for block in blocks:
        if isinstance(block, ListBlock):
            items = [i for i in block.items if i.task is None]
            if items:
                kept.append(block if len(items) == len(block.items) else ListBlock(block.line, block.ordered, items))
        else:
            kept.append(block)
    return kept


def leading_span(inline: Inline) -> tuple[int, int] | None:
    """Token indices (open, close) of a bold or highlight span that starts the inline."""
    tokens = inline.tokens
    start = 0
    while start < len(tokens) and _blank(tokens[start]):
        start += 1
    if start >= len(tokens) or tokens[start].type not in ("strong_open", "mark_open"):
        return None
    close = matching_close(tokens, start)
    return (start, close) if close is not None else None


def matching_close(tokens: list[Token], start: int) -> int | None:
    """Index of the token that closes the span opened at ``tokens[start]``, or None."""
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    return None


def spans(inline: Inline) -> list[tuple[int, int]]:
    """Every top-level bold / highlight span, as (open, close) token indices."""
    found: list[tuple[int, int]] = []
    i, tokens = 0, inline.tokens
    while i < len(tokens):
        if tokens[i].type in ("strong_open", "mark_open"):
            close = matching_close(tokens, i)
            if close is None:
                break
            found.append((i, close))
            i = close + 1
        else:
            i += 1
    return found


def span_text(inline: Inline, span: tuple[int, int]) -> str:
    return plain_text(Inline("", inline.tokens[span[0] + 1 : span[1]]))


#: Words whose full stop ends no sentence.
_ABBREVIATIONS = frozenset(
    "e.g i.e etc vs cf al fig figs eq eqs no nos dr mr mrs ms prof st approx ca resp incl sec ch vol p pp".split()
)
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
    >>> opens_with_title(Inline("", markdown().parseInline("**Increasing sequence theorem**\\nA bounded one converges.")[0].children))
    True
    """
    tokens = inline.tokens
    cut = next((k for k, t in enumerate(tokens) if t.type in ("softbreak", "hardbreak")), None)
    return cut is not None and any(not _blank(t) for t in tokens[cut:]) and is_title_line(tokens[:cut])


def is_title_line(line: list[Token]) -> bool:
    """Whether a line of a paragraph is all one bold, italic or highlighted span, as a
    line used for a heading is (``***Point estimators and estimates***`` above the text it titles).

    >>> from cards.notes.markdown import markdown
    >>> is_title_line(markdown().parseInline("***Point estimators and estimates***")[0].children)
    True
    >>> is_title_line(markdown().parseInline("**Osmosis** moves water")[0].children)
    False
    """
    tokens = [t for t in line if not _blank(t)]
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
    """The sentences of an inline, split in its top-level text (never inside bold, a
    link or code), each as an inline of its own tokens.

    >>> from cards.notes.markdown import markdown
    >>> tokens = markdown().parseInline("Cells make **ATP**. It stores energy, e.g. for muscles.")[0].children
    >>> [plain_text(s) for s in sentences(Inline("", tokens))]
    ['Cells make ATP.', 'It stores energy, e.g. for muscles.']
    >>> tokens = markdown().parseInline("the **source view** $I'$ is fused")[0].children
    >>> plain_text(sentences(Inline("", tokens))[0])
    "the source view $I'$ is fused"
    >>> tokens = markdown().parseInline("**Deep**: far from the surface\\n**Superficial**: close to it\\nand hard\\nwrapped.")[0].children
    >>> [plain_text(s) for s in sentences(Inline("", tokens))]
    ['Deep: far from the surface', 'Superficial: close to it and hard wrapped.']
    """
    found: list[list[Token]] = [[]]
    depth = 0
    for index, token in enumerate(inline.tokens):
        if depth == 0 and token.type == "text":
            start = 0
            for end in _sentence_ends(token.content):
                found[-1].append(token.copy(content=token.content[start:end]))
                found.append([])
                start = end
            rest = token.content[start:]
            if rest.strip() or not found[-1]:
                found[-1].append(token.copy(content=rest.lstrip() if not found[-1] else rest))
            elif found[-1]:
                found[-1].append(token.copy(content=rest))  # the space between two spans (**a** $x$) stays
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
    r"^(?:this|these|that|those|it|its|they|their|them|such|here|thus|therefore|hence|so|then|also|moreover|however|"
    r"in this case|as a result|for this reason|the above|as mentioned|similarly|analogously|likewise)\b"
    r"|^(?:这|该|此|其|它|上述|上面|上方|以上|前面|这些|这样|因此|所以|于是|但是|然而|同时|另外|此外|那么|同理|类似地|类似的)",
    re.IGNORECASE,
)


def refers_back(sentence: str) -> bool:
    """Whether a sentence leans on the one before it (``It stores …``, ``这样 …``): shown
    alone on a card, it would not say what it is about.

    >>> refers_back("It stores energy for muscles."), refers_back("这样就解决了缓存污染。"), refers_back("ATP stores energy.")
    (True, True, False)
    """
    return bool(_REFERS_BACK.match(sentence.strip()))


_BARE_REFERENCE = re.compile(
    r"^(?:it|they|them|this is|these are|that is|those are|this means|so|thus|therefore|hence|as a result)\b"
    r"|^(?:这就是|这是|这些|这样|这时|它|其|所以|因此|于是|那么|可见)",
    re.IGNORECASE,
)


def refers_to_nothing_shown(sentence: str) -> bool:
    """Whether a sentence that opens its paragraph stands on text before the paragraph:
    a bare pronoun or connector (``It …``, ``So …``, ``这就是 …``); a noun after "this"
    (``This stage …``, ``这一阶段 …``) is named by the heading above.

    >>> refers_to_nothing_shown("这就是所谓的粘包问题。"), refers_to_nothing_shown("这一阶段结束后形成了 R1。")
    (True, False)
    """
    return bool(_BARE_REFERENCE.match(sentence.strip()))


_PREMISE = re.compile(
    r"^(?:given|let|suppose|assume|consider|for any|for every|for all|dad[oa]s?|sej[ao]m?|sendo(?! assim)|considere|suponha|"
    r"sia|siano|dat[oaie]|supponiamo|sei|gegeben|soit|soient|étant donné)(?![\w-])|^(?:设|令|假设|给定|已知|考虑)",
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
    >>> tokens = markdown().parseInline("**Central limit theorem**\\nGiven iid X_i with finite variance. Their mean is asymptotically normal. Proof below.")[0].children
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
    from markdown_it.token import Token

    space = Token("text", "", 0)
    space.content = " "
    return Inline("", [*first.tokens, space, *second.tokens])


def has_cloze(inline: Inline | None) -> bool:
    return inline is not None and any(t.type == "cloze_open" for t in inline.tokens)


def ends_with_question(value: str) -> bool:
    return fold(value).rstrip().endswith("?")
