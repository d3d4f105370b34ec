"""sections: a heading followed by one short paragraph is a question and its answer.

    ## RNA polymerase I
    Makes the large ribosomal RNAs, in the nucleolus.

    ### 主从复制架构中，过期 key 如何处理？
    主节点删除过期 key 后，向从节点发送一条 del 命令。

    ## Atopic dermatitis
    ### Treatment
    Emollients, and topical steroids for flares.

    ## Pythagoras' theorem
    $$a^2 + b^2 = c^2$$

    Euler's identity:

    $$e^{i\\pi} + 1 = 0$$

gives one card per section: the heading on the front (with the headings above it as
context), the paragraph on the back. A heading that asks (``…?``, ``如何…``) is the
question; one that names a term asks for it; one that names an aspect (``Treatment``,
``优点``, ``Causes``) is asked with its subject (``Atopic dermatitis — Treatment``). The
paragraph must be the section's only prose, at most 400 characters; images may follow
it. **A formula as the fact**: a heading, or a short label line ending in a colon
(``Euler's identity:``), whose content is a display formula gives a card with the
formula on the back.

Never a card: a generic heading (Introduction, Summary, References, TODO, Notes, 总结,
参考, 目录 …), a date, a numbered label (``方法 1``, ``Case 2``), a paragraph that is
only links or an image, a question with no answer, a lead-in ending in a colon with
nothing after it, a section with a list, a table or a second paragraph (the other
kinds read those).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..judge.answers import section_problem
from ..judge.notes import is_drawing
from ..judge.terms import (
    SECTION_NUMBER,
    dated,
    heading_problem,
    heading_reason,
    is_aspect,
    names_an_aspect,
    subject_of,
    term_problem,
)
from ..model import BASIC, Block, Blocks, Candidate, Field, HeadingFacts, Inline, Note, Paragraph, Section, Sep, Span
from ..notes.inline import has_cloze, is_formula, is_image_only, with_content
from ..notes.parse import plain_text
from ..text import cjk
from .shapes import heading_inline
from .walk import Context, breadcrumb

KIND = "sections"


def _heading(text: str) -> Inline:
    """A heading's text as an inline again (the tree keeps it as plain text, math as ``$…$``),
    without its section number, its ``#tags`` and a colon that ends it."""
    text = SECTION_NUMBER.sub("", text, count=1).rstrip().rstrip(":：").rstrip()
    return heading_inline(
        " ".join(re.sub(r"(?<![\w&/])#[^\s#$]+", " ", text).split())
    )  # a #tag tags the note, it is no word of the question


def _prose_and_formulas(blocks: list[Block]) -> tuple[Paragraph | None, list[Paragraph]] | None:
    """(the one prose paragraph, the formulas and images after it) of a section, or
    None when the section holds anything else."""
    main: Paragraph | None = None
    rest: list[Paragraph] = []
    for block in blocks:
        if not isinstance(block, Paragraph) or has_cloze(block.inline):
            return None
        if is_formula(block) or is_image_only(block.inline):
            rest.append(block)
        elif main is None and not rest:
            main = block
        else:
            return None
    if not any(is_formula(b) for b in rest) and main is None:
        return None
    return main, rest


def _subject(note: Note, section: Section) -> str | None:
    """What an aspect heading is an aspect of: the nearest heading above that names
    something, else the note's title."""
    return subject_of([*reversed(section.path[:-1]), note.title])


def _card(
    note: Note,
    ctx: Context,
    front_inline: Inline,
    blocks: list[Block],
    *,
    context: tuple[str, ...],
    line: int,
    facts: HeadingFacts | None,
    subject: str = "",
) -> Candidate:
    front: Field = (Span(front_inline.tokens),)
    identity = plain_text(front_inline)
    if subject:
        front, identity = (Span(heading_inline(subject).tokens), Sep(" — "), *front), f"{subject} — {identity}"
    return ctx.candidate(
        note,
        kind=KIND,
        model=BASIC,
        front=front,
        back=(Blocks(blocks),),
        crumbs=context,
        identity=identity,
        line=line,
        facts=facts,
    )


def _headed(note: Note, ctx: Context, section: Section) -> Iterator[Candidate]:
    """The card of a heading and its one paragraph (or formula)."""
    if (
        not section.path
        or not section.blocks
        or any(ctx.is_claimed(b) for b in section.blocks)
        or dated(section.path[:-1])
    ):
        return
    found = _prose_and_formulas(section.blocks)
    if found is None or section_problem(*found) is not None:
        return
    heading = section.path[-1]
    subject = (_subject(note, section) or "") if heading_problem(heading) is None and names_an_aspect(heading) else ""
    facts = HeadingFacts(heading, subject)
    card = _card(
        note,
        ctx,
        _heading(heading),
        list(section.blocks),
        context=breadcrumb(note, Section(section.line, section.path[:-1], [])),
        line=section.line,
        facts=facts,
        subject=subject,
    )
    if heading_reason(facts) is None:
        ctx.claim_blocks(section.blocks)
    yield card


def _names(inline: Inline, name: str) -> bool:
    """A label line that names its formula: set in bold or italics, or a capitalised
    name of at most four words, or a short CJK name (not ``sendo que:``, ``则有：``)."""
    tokens = [t for t in inline.tokens if not (t.type == "text" and not t.content.strip(": ：\t"))]
    if tokens and tokens[0].type in ("strong_open", "em_open"):
        return True
    if cjk(name):
        return cjk(name) <= 8
    return name[:1].isupper() and len(name.split()) <= 4


def _labelled(note: Note, ctx: Context, section: Section) -> Iterator[Candidate]:
    """Cards of a short label line ending in a colon followed by display formulas."""
    blocks = section.blocks
    for k, block in enumerate(blocks[:-1]):
        if not isinstance(block, Paragraph) or ctx.is_claimed(block) or not is_formula(blocks[k + 1]):
            continue
        label = plain_text(block.inline)
        if not label.endswith((":", "：")) or "\n" in block.inline.source.strip():
            continue
        name = label.rstrip(":：").strip()
        if term_problem(name) is not None or is_aspect(name) or not _names(block.inline, name):
            continue
        formulas: list[Block] = []
        for after in blocks[k + 1 :]:
            if not is_formula(after) or ctx.is_claimed(after):
                break
            formulas.append(after)
        tokens = list(block.inline.tokens)
        if tokens and tokens[-1].type == "text":
            tokens[-1] = with_content(tokens[-1], tokens[-1].content.rstrip().rstrip(":：").rstrip())
        ctx.claim_blocks([block, *formulas])
        yield _card(
            note, ctx, Inline(name, tokens), formulas, context=breadcrumb(note, section), line=block.line, facts=None
        )


def extract(note: Note, ctx: Context) -> Iterator[Candidate]:
    if is_drawing(note.front_matter):
        return  # an Excalidraw drawing: labels on a canvas, not prose
    for section in note.sections:
        yield from _headed(note, ctx, section)
        yield from _labelled(note, ctx, section)
