"""problems: a worked problem, or a quoted question and the text that answers it.

    > 惰性删除策略是怎么样的？

    不主动删除过期键，每次访问 key 时才检查它是否过期，过期则删除。

    > [!example] 例10.2
    > 已知摆线 $x=a(t-\\sin t)$，$y=a(1-\\cos t)$，求一拱与 $x$ 轴所围图形面积。

    首先确定积分上下限 …

    ## 练习 10.3
    求 $\\int_0^1 x^2 \\, dx$。

    解：$\\frac{1}{3}$。

    Double bonds in fatty acids are *cis* and must be *trans* for beta oxidation.

    **Solution**: the enzyme enoyl-CoA isomerase moves the double bond.

gives a question/answer card for each:

- a question quoted on its own (``> …?``, not a callout) is answered by the paragraph
  after it (and the block that paragraph introduces, when it ends in a colon);
- an ``[!example]``, ``[!exercise]`` or ``[!problem]`` callout whose text asks for
  something (求, 计算, 证明, Find, Compute, Prove, Show that …, or a question) is the
  problem; its own further text, or else the blocks after it up to the next heading,
  the solution;
- a paragraph that starts ``Solution:``, ``解：``, ``答：``, ``Soluzione:`` … answers
  the problem stated just before it (up to three paragraphs or formulas; a label such
  as ``Problem:``, ``练习 10.3``, ``Exercise 2.`` before the statement is dropped).

A solution is at most ten blocks and 1,500 characters: a longer one is a chapter to
read, not an answer to recall. A question with nothing after it gives no card.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from ..judge.answers import solution_fits
from ..judge.meta import personal
from ..judge.notes import is_drawing
from ..lexicon import alternation
from ..model import BASIC, Block, Blocks, Callout, Candidate, Field, Inline, ListBlock, Note, Paragraph, Solution, Span
from ..notes.inline import ends_with_question, has_cloze, is_image_only, is_links_only
from ..notes.markdown import markdown
from ..notes.parse import plain_blocks, plain_text
from .walk import Context, Visit

KIND = "problems"
STATEMENT_BLOCKS = 3
#: A quoted question's answer: the blocks after it up to the next question or heading,
#: at most this many and this long (the first block always).
ANSWER_BLOCKS = 4
ANSWER_CHARS = 600
_SPACES = r"\s+"  # a space of the lexicon's words: any run of spaces
PROBLEM_CALLOUTS = frozenset({"example", "exercise", "problem", "exercice", "esercizio"})
_ASKS = re.compile(
    rf"{alternation('asks', script='cjk')}"
    rf"|(?<![\w])(?:{alternation('asks', script='latin', spaces=_SPACES)})(?![\w])|=\s*\?|[?？]",
    re.IGNORECASE,
)
_SOLUTION = re.compile(
    rf"^\s*(?:\*\*|__)?(?:{alternation('solution_label')})\s*[:：.]?\s*(?:\*\*|__)?\s*[:：]?\s*", re.IGNORECASE
)
_PROBLEM = re.compile(
    rf"^\s*(?:\*\*|__)?(?:{alternation('problem_label')})\s*"
    r"(?:[0-9]+(?:\.[0-9]+)*)?\s*[:：.]?\s*(?:\*\*|__)?\s*[:：]?\s*",
    re.IGNORECASE,
)


def label(pattern: re.Pattern[str], source: str) -> re.Match[str] | None:
    """A label (``**Solution**:``, ``解：``, ``练习 10.3``) leading ``source``: it must hold
    a colon, a number or bold, or stand alone, so ``例如`` or ``Answer the phone`` is none.

    >>> (
    ...     bool(label(_SOLUTION, "**Solution**: the enzyme")),
    ...     bool(label(_SOLUTION, "解：x = 1")),
    ...     bool(label(_PROBLEM, "练习 10.3")),
    ... )
    (True, True, True)
    >>> (
    ...     bool(label(_PROBLEM, "例如，TCP")),
    ...     bool(label(_SOLUTION, "Answer the phone")),
    ...     bool(label(_SOLUTION, "解释了原因")),
    ... )
    (False, False, False)
    """
    found = pattern.match(source)
    if found is None:
        return None
    marked = re.search(r"[0-9:：*_]", found.group(0)) or not source[found.end() :].strip()
    return found if marked else None


def _quoted(note: Note, line: int) -> bool:
    """Whether the note's source line starts a block quote (the tree keeps a plain
    quote's blocks as ordinary ones)."""
    return line in _quote_lines(note.text)


@lru_cache(maxsize=8)
def _quote_lines(text: str) -> frozenset[int]:
    """The (1-based) lines of ``text`` that start a block quote: found once per note, not
    by splitting the note again for each paragraph (20,000 headings took minutes)."""
    return frozenset(n for n, line in enumerate(text.split("\n"), 1) if line.lstrip().startswith(">"))


def _lead_in(block: Block) -> bool:
    return isinstance(block, Paragraph) and plain_text(block.inline).rstrip().endswith((":", "："))


def _solution(blocks: list[Block]) -> Solution:
    return Solution(len(blocks), len(plain_blocks(blocks)))


def _fits(blocks: list[Block]) -> bool:
    """A solution short enough to recall (judge/answers.py)."""
    return solution_fits(len(blocks), len(plain_blocks(blocks)))


def _says(blocks: list[Block]) -> bool:
    text = plain_blocks(blocks)
    return bool(blocks) and bool(
        re.search(r"[^\W_]", text) or any(isinstance(b, Paragraph) and b.inline.tokens for b in blocks)
    )


def _card(
    note: Note,
    ctx: Context,
    visit: Visit,
    question: Field,
    answer: list[Block],
    line: int,
    identity: str,
    *,
    solution: Solution | None = None,
) -> Candidate:
    return ctx.candidate(
        note,
        kind=KIND,
        model=BASIC,
        front=question,
        back=(Blocks(answer),),
        crumbs=ctx.where(note, visit),
        identity=identity,
        line=line,
        facts=solution,
    )


def _until_heading(siblings: list[Block], start: int) -> list[Block]:
    """Blocks from ``start`` to the end of the section, stopping at the next quoted
    question or problem callout (a new problem)."""
    out: list[Block] = []
    for block in siblings[start:]:
        if isinstance(block, Callout) or (
            isinstance(block, Paragraph) and label(_PROBLEM, block.inline.source) and out
        ):
            break
        out.append(block)
    return out


def _quoted_question(note: Note, ctx: Context, visit: Visit, block: Paragraph) -> Iterator[Candidate]:
    if not _quoted(note, block.line) or not ends_with_question(plain_text(block.inline)):
        return
    answer = _answer_after(note, ctx, visit)
    first = answer[0] if answer else None
    if first is None or (isinstance(first, Paragraph) and (is_links_only(first.inline) or is_image_only(first.inline))):
        return
    if not _says(answer) or personal(plain_blocks(answer)):
        return
    ctx.claim(block)
    # the answer's paragraphs are this card's; its lists stay free, so their term lines
    # and procedures give their own cards too (an interview answer lists what to know)
    ctx.claim_blocks([b for b in answer if not isinstance(b, ListBlock)])
    yield _card(note, ctx, visit, (Span(block.inline.tokens),), answer, block.line, plain_text(block.inline))


def _answer_after(note: Note, ctx: Context, visit: Visit) -> list[Block]:
    """The blocks that answer a quoted question: its paragraphs and lists up to the next
    question or worked problem, at most ANSWER_BLOCKS and ANSWER_CHARS (the first always),
    without a lead-in left at the end."""
    answer: list[Block] = []
    for after in visit.siblings[visit.index + 1 :]:
        if not isinstance(after, (Paragraph, ListBlock)) or ctx.is_claimed(after):
            break
        if isinstance(after, Paragraph) and (
            _quoted(note, after.line) or label(_PROBLEM, after.inline.source) or label(_SOLUTION, after.inline.source)
        ):
            break  # the next question, or a worked problem of its own
        if answer and (len(answer) >= ANSWER_BLOCKS or len(plain_blocks([*answer, after])) > ANSWER_CHARS):
            break
        answer.append(after)
    while answer and _lead_in(answer[-1]):
        answer.pop()  # a lead-in whose list did not fit
    return answer


def _problem_callout(note: Note, ctx: Context, visit: Visit, callout: Callout) -> Iterator[Candidate]:
    if callout.kind not in PROBLEM_CALLOUTS or not callout.blocks:
        return
    statement = callout.blocks[0]
    if not isinstance(statement, Paragraph) or not _ASKS.search(plain_text(statement.inline)):
        return
    solution = callout.blocks[1:]
    if not solution:
        solution = _until_heading(visit.siblings, visit.index + 1)
    if not _says(solution) or any(ctx.is_claimed(b) for b in solution):
        return
    if _fits(solution):
        ctx.claim(callout)
        ctx.claim_blocks([*callout.blocks, *solution])
    front = (Span(statement.inline.tokens),)
    yield _card(
        note, ctx, visit, front, solution, callout.line, plain_text(statement.inline), solution=_solution(solution)
    )


def _without_label(inline: Inline, pattern: re.Pattern[str]) -> Inline:
    """The inline without its leading label (``**Solution**:``, ``练习 10.3``)."""
    found = label(pattern, inline.source)
    if found is None:
        return inline
    rest = inline.source[found.end() :]
    tokens = markdown().parseInline(rest) if rest.strip() else []
    return Inline(rest, tokens[0].children or [] if tokens else [])


def _solved(note: Note, ctx: Context, visit: Visit, block: Paragraph) -> Iterator[Candidate]:
    """A ``Solution:``/``解：`` paragraph and the statement before it."""
    if not label(_SOLUTION, block.inline.source) or ctx.is_claimed(block):
        return
    index = visit.index
    statement: list[Block] = []
    for before in reversed(visit.siblings[max(0, index - STATEMENT_BLOCKS) : index]):
        if not isinstance(before, Paragraph) or ctx.is_claimed(before) or label(_SOLUTION, before.inline.source):
            break
        statement.insert(0, before)
        if label(_PROBLEM, before.inline.source):
            break
    if not statement or not any(isinstance(b, Paragraph) and plain_text(b.inline) for b in statement):
        return
    first = _without_label(statement[0].inline, _PROBLEM)  # type: ignore[union-attr]
    answer_first = Paragraph(block.line, _without_label(block.inline, _SOLUTION))
    rest = _until_heading(visit.siblings, index + 1)
    solution: list[Block] = [answer_first] if plain_text(answer_first.inline) or answer_first.inline.tokens else []
    for extra in rest:
        if not _fits([*solution, extra]):
            break
        solution.append(extra)
    if not _says(solution):
        return
    question_blocks: list[Block] = [Paragraph(statement[0].line, first), *statement[1:]]
    ctx.claim_blocks([*statement, block, *solution])
    front: Field = (Blocks(question_blocks),) if len(question_blocks) > 1 else (Span(first.tokens),)
    yield _card(note, ctx, visit, front, solution, statement[0].line, plain_blocks(question_blocks))


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    if is_drawing(note.front_matter):
        return  # an Excalidraw drawing: labels on a canvas, not prose
    for visit in ctx.walk(note):
        block = visit.block
        if isinstance(block, Callout) and not ctx.is_claimed(block):
            yield from _problem_callout(note, ctx, visit, block)
        elif isinstance(block, Paragraph) and not ctx.is_claimed(block) and not has_cloze(block.inline):
            yield from _quoted_question(note, ctx, visit, block)
            yield from _solved(note, ctx, visit, block)
