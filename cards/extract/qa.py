"""Q/A: a question and its answer become a basic card (question front, answer back).

Explicit forms::

    Q: What does GRPO drop?          问：GRPO 去掉了什么？
    A: The critic model.             答：价值模型。

    Q: one line works too A: like this

Bullets whose children answer them::

    - Why does the response grow longer?      (ends in ? or ？)
      - The model learns to think before answering.
    - 案例1：孩子数学考了38分                   (a labelled case: 案例N / Case N / Example N)
      - 结果：没有抓住问题的本质
    - 硬推理能力                                (a short term with one explaining child)
      - 编程和数学这类有标准答案的推理

A question with nothing to answer it is not a card.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..judge.lists import procedure_reason
from ..judge.terms import term_problem
from ..lexicon import alternation
from ..model import BASIC, Asked, Block, Blocks, Candidate, Field, Inline, ListBlock, ListItem, Note, Paragraph, Span
from ..notes.inline import ends_with_question, has_cloze, is_image_only, is_links_only, without_tasks
from ..notes.parse import inline_of, plain_text
from ..text import fold
from .shapes import is_pipeline, list_shape
from .walk import Context, Visit

KIND = "qa"
_Q = rf"(?:{alternation('question_marker')})\s*[:：]"
_A = rf"(?:{alternation('answer_marker')})\s*[:：]"
_ONE_LINE = re.compile(rf"^\s*{_Q}\s*(?P<q>.+?)\s+{_A}\s*(?P<a>.+?)\s*$", re.DOTALL | re.IGNORECASE)
_Q_ONLY = re.compile(rf"^\s*{_Q}\s*(?P<q>.+?)\s*$", re.DOTALL | re.IGNORECASE)
_A_ONLY = re.compile(rf"^\s*{_A}\s*(?P<a>.+?)\s*$", re.DOTALL | re.IGNORECASE)
_CASE = re.compile(rf"^(?:\[[^\]]*\]\([^)]*\)\s*)?(?:{alternation('case_label')})\s*(?:\d+\s*[:.]|:)", re.IGNORECASE)
TERM_MAX_CHARS = 24


def _inline(src: str) -> Inline:
    return inline_of(src)


def _colon(source: str) -> bool:
    """Whether a text holds a colon, as every ``Q:``/``A:`` marker does (a quick look)."""
    return ":" in source or "：" in source


def _explicit(source: str) -> tuple[Inline, Inline] | None:
    """(question, answer) of a one-block explicit card, if the text is one."""
    if "{{c" in source or not _colon(source):
        return None
    match = _ONE_LINE.match(source)
    if match:
        return _inline(match["q"]), _inline(match["a"])
    return None


def _question_only(inline: Inline | None) -> Inline | None:
    if inline is None or not _colon(inline.source):
        return None
    match = _Q_ONLY.match(inline.source)
    return _inline(match["q"]) if match else None


def _answer_only(inline: Inline | None) -> Inline | None:
    if inline is None or not _colon(inline.source):
        return None
    match = _A_ONLY.match(inline.source)
    return _inline(match["a"]) if match else None


def _is_case(inline: Inline) -> bool:
    return bool(_CASE.match(fold(inline.source).strip()))


def _is_term(item: ListItem, answer: list[Block]) -> bool:
    """A short label whose only child is one bullet explaining it; the label reads as a
    name (:func:`naming.term_problem`; ``同时检测bbox和Re-ID信息`` is a clause). A bare
    label (``Def``, ``Remarks``) passes here: the judge's ``label_question`` decides."""
    text = fold(plain_text(item.inline)).strip()
    if not text or len(text) > TERM_MAX_CHARS or text[-1] in ".,;:!。":
        return False
    marked = (
        item.inline is not None
        and bool(item.inline.tokens)
        and item.inline.tokens[0].type in ("code_inline", "strong_open", "em_open")
    )
    problem = term_problem(plain_text(item.inline), marked=marked)
    if problem is not None and not problem.startswith(("a label", "a numbered label")):
        return False
    if len(answer) != 1 or not isinstance(answer[0], ListBlock):
        return False
    only = answer[0].items
    if len(only) != 1 or only[0].inline is None or only[0].children or is_links_only(only[0].inline):
        return False
    return (
        fold(plain_text(only[0].inline)).strip().casefold() != text.casefold()
    )  # "level" under "level" explains nothing


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    for visit in ctx.walk(note):
        block = visit.block
        if isinstance(block, Paragraph):
            yield from _paragraph(note, ctx, visit, block)
        elif isinstance(block, ListBlock) and not _procedure(note, ctx, visit, block):
            yield from _bullets(note, ctx, visit, block)


def _procedure(note: Note, ctx: Context, visit: Visit, block: ListBlock) -> bool:
    """A list the steps kind asks step by step (its items are its own)."""
    if not ctx.shared("pipeline", block, lambda: is_pipeline(block)):
        return False
    return procedure_reason(ctx.shared("list_shape", block, lambda: list_shape(block, visit, note))) is None


def _card(
    note: Note,
    ctx: Context,
    visit: Visit,
    question: Inline,
    answer: Field,
    line: int,
    *,
    written: bool,
    shape: str = "",
) -> Candidate:
    """A question card; ``written``: the writer marked it as one (``Q:``/``A:``); ``shape``:
    how a mined one was recognised (``question``, ``case``, ``term``), for the judge."""
    return ctx.candidate(
        note,
        kind=KIND,
        model=BASIC,
        front=(Span(question.tokens),),
        back=answer,
        crumbs=ctx.where(note, visit),
        identity=plain_text(question),
        line=line,
        written=written,
        facts=Asked(shape) if shape else None,
    )


def _paragraph(note: Note, ctx: Context, visit: Visit, block: Paragraph) -> Iterator[Candidate]:
    if ctx.is_claimed(block):
        return
    pair = _explicit(block.inline.source)
    if pair:
        ctx.claim(block)
        yield _card(note, ctx, visit, pair[0], (Span(pair[1].tokens),), block.line, written=True)
        return
    question = _question_only(block.inline)
    if question is None:
        return
    siblings = visit.siblings
    index = visit.index
    following = siblings[index + 1] if 0 <= index < len(siblings) - 1 else None
    answer = _answer_only(following.inline) if isinstance(following, Paragraph) else None
    if answer is not None:
        ctx.claim(block)
        ctx.claim(following)
        yield _card(note, ctx, visit, question, (Span(answer.tokens),), block.line, written=True)


def _bullets(note: Note, ctx: Context, visit: Visit, block: ListBlock) -> Iterator[Candidate]:
    items = block.items
    for index, item in enumerate(items):
        if item.task is not None or item.inline is None or ctx.is_claimed(item) or has_cloze(item.inline):
            continue
        if is_links_only(item.inline) or is_image_only(item.inline):
            continue
        pair = _explicit(item.inline.source)
        if pair:
            ctx.claim(item)
            yield _card(
                note, ctx, visit, pair[0], (Span(pair[1].tokens), Blocks(item.children)), item.line, written=True
            )
            continue
        question = _question_only(item.inline)
        if question is not None:
            answer = _explicit_answer(item, items[index + 1] if index + 1 < len(items) else None, ctx)
            if answer is not None:
                ctx.claim(item)
                yield _card(note, ctx, visit, question, answer, item.line, written=True)
            continue
        answer_blocks = without_tasks(item.children)
        if not answer_blocks:
            continue
        shape = (
            "question"
            if ends_with_question(plain_text(item.inline))
            else "case"
            if _is_case(item.inline)
            else "term"
            if _is_term(item, answer_blocks)
            else ""
        )
        if shape:
            ctx.claim(item)
            for child in item.children:
                ctx.claim(child)
                if isinstance(child, ListBlock):
                    for grandchild in child.items:
                        ctx.claim(grandchild)
            yield _card(note, ctx, visit, item.inline, (Blocks(answer_blocks),), item.line, written=False, shape=shape)


def _explicit_answer(item: ListItem, next_item: ListItem | None, ctx: Context) -> Field | None:
    """The answer to a ``Q:`` bullet: an ``A:`` child, or an ``A:`` bullet right after it."""
    for child in item.children:
        if isinstance(child, ListBlock) and child.items:
            answer = _answer_only(child.items[0].inline)
            if answer is not None:
                ctx.claim(child.items[0])
                return (Span(answer.tokens), Blocks(child.items[0].children))
    if next_item is not None:
        answer = _answer_only(next_item.inline)
        if answer is not None:
            ctx.claim(next_item)
            return (Span(answer.tokens), Blocks(next_item.children))
    return None
