"""Steps: a numbered procedure is a pipeline to recall step by step.

    ## Training pipeline
    1. **Cold start** with a few thousand long CoT samples
       - teaches the output format
    2. **Reasoning RL** (GRPO)
    3. Rejection sampling
       collects 600k reasoning samples

gives one cloze card per step: the whole list of step titles with this step's title as
the gap, the heading path (and the bullet the list sits under) as context, and the
step's details (its whole line and its sub-bullets) in Extra, never on the question
side where they could give it away. A step's title is its leading bold phrase, else
its first line. Task items and bullets that are only links or an image are not steps;
a list holding hand-written ``{{c1::...}}`` clozes is left to the phrases kind.

Only a procedure is drilled as a sequence: "recall item 3 of this list" is a poor
question for a list of properties, advantages or a syllabus. A list is a procedure when
its heading, its lead-in or the bullet it sits under says so (steps, process, pipeline,
how to, 步骤, 流程, 过程 …), when most of its items start with an instruction (Install,
Deploy, Switch …), or when they read in sequence (then, finally, 然后, 最后); a lead-in
that names an enumeration (advantages, types, 优点, 特点 …) wins over a weak sign. A
bulleted list under a lead-in that names steps is a procedure too. The judge drops the
candidates of any other list (rule ``not_a_procedure``), and their items stay free for
the other kinds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..deck.render import Renderer
from ..model import CLOZE, Card, Inline, ListBlock, ListItem, Note, Paragraph
from ..notes.parse import plain_text
from . import Context, Visit, make_card, sibling_index, walk, where
from .shapes import ends_with_question, has_cloze, is_image_only, is_links_only, leading_span

KIND = "steps"


def _title_tokens(inline: Inline) -> tuple[int, int]:
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
    start, end = _title_tokens(inline)
    title = plain_text(Inline("", inline.tokens[start:end]))
    if len(_TITLES) >= 4096:
        _TITLES.clear()
    _TITLES[id(inline)] = (inline, title)  # the inline is held: its id is not reused meanwhile
    return title


_TITLES: dict[int, tuple[Inline, str]] = {}


def _title_html(renderer: Renderer, item: ListItem) -> str:
    assert item.inline is not None
    start, end = _title_tokens(item.inline)
    return renderer.tokens(item.inline.tokens[start:end]).strip()


def _details_html(renderer: Renderer, item: ListItem) -> str:
    """The step's whole line, when it says more than the title, then its sub-blocks."""
    assert item.inline is not None
    _, end = _title_tokens(item.inline)
    more = plain_text(Inline("", item.inline.tokens[end:]))
    line = f"<p>{renderer.inline(item.inline)}</p>" if more else ""
    return line + renderer.blocks(item.children)


#: A procedure of up to this many steps is shown whole on each of its cards; a longer
#: one shows the step asked and its neighbours, this many in all, with "…" where the
#: list goes on: every card holding every title made a deck that grows as the square
#: of the list (4,000 steps: 50 s, and each card unreadable).
SHOWN_STEPS = 30


def _front(renderer: Renderer, steps: list[ListItem], k: int) -> str:
    """The list of step titles with step ``k``'s as the gap (rendered per card: each
    card owns its images)."""
    first = min(max(k - SHOWN_STEPS // 2, 0), max(len(steps) - SHOWN_STEPS, 0))
    shown = steps[first : first + SHOWN_STEPS]
    titles = [_title_html(renderer, s) for s in shown]
    rows = "".join(f"<li>{'{{c1::' + t + '}}' if first + j == k else t}</li>" for j, t in enumerate(titles))
    if len(shown) == len(steps):
        return f'<ol class="steps">{rows}</ol>'
    before = "<p>…</p>" if first > 0 else ""
    after = "<p>…</p>" if first + len(shown) < len(steps) else ""
    return f'{before}<ol class="steps" start="{first + 1}">{rows}</ol>{after}'


def _is_step(item: ListItem) -> bool:
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
    return sum(_is_step(i) for i in block.items) >= 2


_PROCEDURE = re.compile(
    r"(?<![\w-])(?:steps?|procedures?|process(?:es)?|pipelines?|workflows?|algorithms?|how to|how do|how does|stages?|phases?|"
    r"life ?cycles?|cycles?|sequence|in order|flow|recipe|protocol|instructions?|install(?:ation)?|set ?up|configur\w*|deploy\w*|"
    r"pathway|mechanism|cascade|circulation|routine|method|recipe|passaggi|procedura|processo|fasi|metodo)(?![\w-])"
    r"|步骤|流程|过程|阶段|顺序|如何|怎么|怎样|操作|执行|机制|周期|工作原理|通路|环节",
    re.IGNORECASE,
)
_STRONG_PROCEDURE = re.compile(
    r"(?<![\w-])(?:steps?|procedures?|process|pipeline|workflow|how to|instructions?)(?![\w-])|步骤|流程|过程",
    re.IGNORECASE,
)
_ENUMERATION = re.compile(
    r"(?<![\w-])(?:advantages?|disadvantages?|pros|cons|benefits?|drawbacks?|features?|properties|characteristics?|types?|kinds?|"
    r"examples?|reasons?|causes?|symptoms?|signs?|differences?|components?|parts?|principles?|rules?|tips?|goals?|requirements?|"
    r"uses?|applications?|functions?|roles?|limitations?|problems?|challenges?|categories|classes|factors?|elements?|attributes?|"
    r"options?|models?|layers?|levels?|aspects?|points?|members?|ways?|topics?|chapters?|contents?|syllabus|outline|agenda|"
    r"vantaggi|svantaggi|caratteristiche|proprietà|tipi|esempi)(?![\w-])"
    r"|pitfalls?|issues?|bugs?|faqs?|gotchas?|caveats?|notes?|resources?|links?|references?|tools?|libraries|commands?"
    r"|优点|缺点|优势|劣势|特点|特性|特征|类型|种类|分类|原因|作用|区别|功能|组成|方式|例子|示例|原则|注意|问题|症状|表现|应用|场景|因素|属性|要点|目录|坑|组件|工具|资源|命令",
    re.IGNORECASE,
)
_SEQUENCE = re.compile(
    r"(?<![\w-])(?:then|next|after|afterwards|finally|subsequently|until|once)(?![\w-])|然后|接着|之后|随后|最后|直到|首先|再",
    re.IGNORECASE,
)
#: Instructions a procedure's steps start with (the first word, case-folded).
_VERBS = frozenset(
    """add allocate apply ask assign build calculate call change check choose clean click close collect combine compare
    compile compute configure connect convert copy count create cut decide decode define delete deploy design determine
    divide do download draw drop edit enable enter establish estimate evaluate execute extract fetch fill filter find fit
    fix follow form generate get give go heat identify implement import initialise initialize insert install iterate join
    keep label launch learn let link list load lock log look make map mark measure merge mix move multiply normalise
    normalize note obtain open order parse pass pick place plan plot pour prepare press print process push put read record
    reduce register release remove repeat replace request reset resolve restart return review rinse run save scan
    select send serve set shift sign simplify smoke-test solve sort split start stir stop store submit subtract switch
    take test train transfer transform translate type unlock update upload use validate verify wait wash write
    rest fold knead bake preheat cook chop slice boil fry roast whisk pour season grind bring drain cover remove""".split()
)


def procedure_reason(block: ListBlock, visit: Visit, note: Note) -> str | None:
    """Why a list is not a procedure, or None when it is one (see the module's doc)."""
    lead = _lead_in(visit)
    heading = visit.section.path[-1] if visit.section.path else note.title
    named = f"{lead} {heading}"
    titles = [step_title(i) for i in block.items if _is_step(i)]
    verbs = sum(1 for t in titles if t.split() and t.split()[0].casefold().strip(".,:") in _VERBS)
    sequence = sum(1 for i in block.items if i.inline is not None and _SEQUENCE.search(plain_text(i.inline)))
    strong = verbs * 2 >= len(titles) or sequence >= 2
    if any(ends_with_question(t) for t in titles):
        return "a list of questions, not of steps"
    if titles and sum(len(t) > 90 or _width(t) > 120 for t in titles) * 2 > len(titles):
        return "its items are paragraphs, not steps with a name"
    if titles and sum(_is_sentence(t) for t in titles) * 2 > len(titles):
        return "its items are sentences, not steps with a name"
    if titles and sum(_defines(t) for t in titles) * 2 > len(titles):
        return "its items define terms (term: meaning), they are not steps"
    if not block.ordered:
        return None if _STRONG_PROCEDURE.search(last_sentence(lead)) else "a bulleted list, not introduced as steps"
    enumeration = _ENUMERATION.search(lead) or (not lead and _ENUMERATION.search(heading))
    if enumeration and not strong:
        return f"a list of {enumeration.group(0)}, not a procedure"
    if _PROCEDURE.search(named) or strong:
        return None
    return "nothing says it is a procedure (steps, process, first … then, instructions)"


def last_sentence(lead: str) -> str:
    """The sentence of a lead-in that introduces what follows it: its last one. A
    paragraph that mentions an instruction in passing (``A processor fetches one
    instruction at a time. Each has many cores.``) does not introduce steps.

    >>> last_sentence("A processor fetches one instruction at a time. Each GPU has many cores.")
    'Each GPU has many cores.'
    >>> last_sentence("安装步骤如下：")
    '安装步骤如下：'
    """
    pieces = [p for p in re.split(r"(?<=[.!?])\s+|(?<=[。！？])", lead.strip()) if p.strip()]
    return pieces[-1] if pieces else ""


def _is_sentence(title: str) -> bool:
    """A step title that reads as a sentence: a clause break inside a long CJK line, or
    more than twelve words (``Mix flour, water and salt`` is a name for a step)."""
    han = sum(1 for ch in title if "\u4e00" <= ch <= "\u9fff")
    return (han >= 12 and re.search(r"[，；;]", title.rstrip("，；;。")) is not None) or len(title.split()) > 12


def _defines(title: str) -> bool:
    """A list item that reads ``Term: what it means`` (a short name, then a colon)."""
    head, colon, rest = title.partition(":")
    if not colon:
        head, colon, rest = title.partition("：")
    return bool(colon) and 0 < len(head.split()) <= 5 and len(head) <= 40 and len(rest.split()) >= 2


def _width(text: str) -> int:
    return sum(2 if "\u2e80" <= ch <= "\ufaff" else 1 for ch in text)


def _lead_in(visit: Visit) -> str:
    """What introduces a list: the bullet it sits under, else the paragraph right before it."""
    if visit.parents and visit.parents[-1].children and visit.parents[-1].children[0] is visit.block:
        return plain_text(visit.parents[-1].inline)
    index = sibling_index(visit, missing=0)
    before = visit.siblings[index - 1] if index > 0 else None
    return plain_text(before.inline) if isinstance(before, Paragraph) else ""


def extract(note: Note, ctx: Context) -> Iterator[Card]:
    for visit in walk(note):
        block = visit.block
        if not isinstance(block, ListBlock) or not is_pipeline(block):
            continue
        reason = procedure_reason(block, visit, note)
        if reason is not None and not block.ordered:
            continue  # a bulleted list: no candidate to explain
        steps = [i for i in block.items if _is_step(i)]
        for k, item in enumerate(steps):
            if ctx.is_claimed(item):
                continue
            if reason is None:
                ctx.claim(item)  # a procedure's items are its steps; a mere list's stay free
            yield make_card(
                note,
                ctx,
                kind=KIND,
                model=CLOZE,
                front=_front(ctx.renderer, steps, k),
                back=_details_html(ctx.renderer, item),
                context=where(note, visit),
                identity=step_title(item),
                line=item.line,
                extra={"not_procedure": reason} if reason else None,
            )
