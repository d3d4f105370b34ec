"""The automatic defect classes of issue 11, each a small function over one card as a
learner sees it (:class:`CardView`). A detector returns why the card is defective (a
short reason, truthy) or None.

Why here and not in ``cards/``: this is the measuring instrument, kept apart from the
extraction rules it judges, so that a change to the rules cannot quietly change the
yardstick. benchmarks/quality.py runs every detector over every card of a vault.

Classes (README "Measuring card quality"):

- ``label``: the hidden text (or a basic card's front) is a label, not a fact;
- ``tiny``: a gap of at most 2 characters (a CJK character counts as 2);
- ``shown``: the answer is on the front already (elsewhere in the question, in the
  breadcrumb, as an acronym in parentheses; a basic card's back inside its front);
- ``long``: a front of over 300 characters;
- ``markup``: raw Markdown / Logseq markup or task markers a learner would see.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from cards.preview.faces import strip_html

__all__ = ["CLASSES", "CardView", "fold", "label", "long", "markup", "plain", "shown", "tiny", "view_of", "width"]

GAP = "[...]"


@dataclass(frozen=True, slots=True)
class CardView:
    """One Anki card as the learner sees it, in plain text.

    ``front``: the question without the breadcrumb, each gap of this card as ``[...]``;
    ``hidden``: the texts this card hides (cloze), ``after``: the few characters right
    after each gap; ``back``: the answer (basic: the back; cloze: the Extra field);
    ``question``/``answer``: everything visible on each side, breadcrumb included, with
    code and MathJax taken out (what ``markup`` reads).
    """

    kind: str
    model: str
    front: str
    back: str
    hidden: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    question: str = ""
    answer: str = ""
    path: str = ""
    line: int = 0

    @property
    def full_front(self) -> str:
        """The front with every gap filled in (the Text field as plain text)."""
        text = self.front
        for hidden in self.hidden:
            text = text.replace(GAP, hidden, 1)
        return text


# ------------------------------------------------------------------ text helpers

_BLOCK_END = re.compile(
    r"<br\s*/?>|</?(?:p|li|ul|ol|div|tr|td|th|table|h[1-6]|blockquote|pre)\b[^>]*>|<hr\b[^>]*>", re.I
)
_CODE = re.compile(r"<(code|pre)\b[^>]*>.*?</\1>", re.I | re.S)
_MATHJAX = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.S)
_SOURCE_DIV = re.compile(r'<div class="source">.*?</div>', re.S)


def plain(fragment: str) -> str:
    """Visible text of an HTML fragment, blocks separated by a space, list items by a
    bullet, an image as ``[image]`` (a judge reading the text must know it is there).

    >>> plain("<ol><li>Glycolysis</li><li>Krebs&nbsp;cycle</li></ol>")
    '• Glycolysis • Krebs cycle'
    >>> plain('A gate: <img src="not.png" alt="">')
    'A gate: [image]'
    """
    fragment = re.sub(r"<img\b[^>]*>", " [image] ", re.sub(r"<li\b[^>]*>", " • ", fragment, flags=re.I), flags=re.I)
    return " ".join(strip_html(_BLOCK_END.sub(" ", fragment)).split())


def _visible_prose(fragment: str) -> str:
    """Visible text without code and MathJax, where markup characters are legitimate."""
    return _MATHJAX.sub(" ", plain(_CODE.sub(" ", _SOURCE_DIV.sub(" ", fragment))))


def fold(text: str) -> str:
    """Case- and width-folded text with whitespace collapsed (``Ｔｃｐ`` = ``tcp``).

    >>> fold("  Ｔｃｐ\\tHandshake ")
    'tcp handshake'
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def width(text: str) -> int:
    """Display width: a wide (CJK) character counts 2, others 1.

    >>> width("ab"), width("进程"), width("x")
    (2, 4, 1)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _contains(haystack: str, needle: str) -> bool:
    """``needle`` in ``haystack`` as a whole word where its ends are word characters."""
    if not needle:
        return False
    left = r"(?<!\w)" if needle[0].isalnum() and needle[0].isascii() else ""
    right = r"(?!\w)" if needle[-1].isalnum() and needle[-1].isascii() else ""
    return re.search(left + re.escape(needle) + right, haystack) is not None


# ------------------------------------------------------------------ building a view

_QUESTION = re.compile(
    r'^(?:\s*<div class="context">(?P<context>.*?)</div>)?\s*<div class="question">(?P<front>.*)</div>\s*$', re.S
)
_GAP_SPAN = re.compile(r'<span class="cloze" data-cloze="(?P<hidden>[^"]*)" data-ordinal="\d+">\[[^\]]*\]</span>')
_ANSWER_PART = re.compile(r'<div class="(?:answer|extra)">(?P<back>.*)</div>', re.S)


def view_of(obj: Mapping[str, Any]) -> CardView:
    """A :class:`CardView` of one ``cards preview --json`` object (json_view.card_objects)."""
    question_html = obj["question"]
    m = _QUESTION.match(question_html)
    front_html = m.group("front") if m else question_html
    hidden: list[str] = []
    after: list[str] = []
    marker = "\x00"

    def gap(match: re.Match[str]) -> str:
        hidden.append(plain(html.unescape(match.group("hidden"))))
        return marker

    front_marked = plain(_GAP_SPAN.sub(gap, front_html))
    pieces = front_marked.split(marker)
    after = [piece[:3] for piece in pieces[1:]]
    answer_html = _SOURCE_DIV.sub("", obj["answer"].split('<hr id="answer">', 1)[-1])
    back = _ANSWER_PART.search(answer_html)
    return CardView(
        kind=obj["kind"],
        model=obj["note_type"],
        front=front_marked.replace(marker, GAP),
        back=plain(back.group("back")) if back else "",
        hidden=tuple(hidden),
        after=tuple(after),
        context=tuple(obj["context"]),
        question=_visible_prose(question_html),
        answer=_visible_prose(obj["answer"]),
        path=obj["source"]["path"],
        line=obj["source"]["line"],
    )


# ------------------------------------------------------------------ label

#: Words that name a part of a note rather than state a fact (en, zh, it; folded).
LABEL_WORDS = frozenset(
    """
    note notes nb example examples e.g. eg i.e. solution solutions answer answers definition remark
    remarks tip tips hint hints warning caution important summary conclusion conclusions proof theorem
    lemma corollary question questions problem problems exercise exercises result results reason reasons
    cause causes advantage advantages disadvantage disadvantages pros cons source sources reference
    references see also related tags status date author link links overview introduction background goal
    goals purpose usage output input syntax description details explanation comment comments todo
    etiology aetiology pathophysiology pathogenesis symptoms signs diagnosis treatment management
    complications epidemiology presentation prognosis mechanism indications contraindications
    side effects adverse effects key points takeaway takeaways
    注意 注 优点 缺点 优势 劣势 特点 作用 原因 原理 定义 例 例如 例子 解 答 证明 总结 结论 方法 步骤 问题
    分析 思路 回答 答案 备注 提示 区别 联系 应用 用途 目的 结果 概念 性质 定理 推论 引理 公式 说明 补充
    小结 例题 练习 解析 题目 参考 来源 原文 场景 背景 流程 过程 实现 用法 示例 举例 缺陷 好处 坏处 问
    nota esempio definizione soluzione osservazione teorema dimostrazione proprietà esercizio
    """.split()
) | frozenset({"see also", "side effects", "adverse effects", "key points", "risk factors"})

_ORDINAL_LABEL = re.compile(
    r"^(?:方式|方法|步骤|第|情况|情形|类型|方案|阶段|练习|例题|习题|例|case|step|type|method|way|option|example|exercise|problem|part|phase|stage|esempio|esercizio)"
    r"\s*[0-9一二三四五六七八九十百]+(?:\.[0-9]+)*\s*[步种点类个条章节]?\.?$",
    re.I,
)
_SECTION_NUMBER = re.compile(r"^\d+(?:\.\d+)+\.?\s+[A-Z\u4e00-\u9fff]|^\d+\.\s+[A-Z\u4e00-\u9fff]")
_ALL_CAPS = re.compile(r"^[A-Z][A-Z0-9 _-]*[A-Z]$")
_COLONS = (":", "：")


def _is_label_text(text: str) -> str | None:
    core = text.strip().rstrip(":：").strip()
    folded = fold(core)
    if text.strip().endswith(_COLONS):
        return "ends with a colon"
    if folded in LABEL_WORDS:
        return "a label word"
    if _ORDINAL_LABEL.match(folded):
        return "an ordinal label"
    if _SECTION_NUMBER.match(core):
        return "a section number"
    return None


def label(card: CardView) -> str | None:
    """The hidden text is a label: ends with or is followed by a colon, or leads its line
    and is a label word (``Note``, ``优点``), an ordinal (``方式一``) or a section number
    (``3.4 Descriptor``), or is an ALL-CAPS word alone. For a basic card, its front
    (at most 40 characters) is such a label.

    >>> label(CardView("phrases", "cloze", "[...] the cell divides.", "", ("Note:",), (" th",)))
    'hidden "Note:" ends with a colon'
    >>> label(CardView("phrases", "cloze", "[...]: check the sign first.", "", ("Dosing",), (": c",)))
    'hidden "Dosing" is followed by a colon'
    >>> label(CardView("phrases", "cloze", "[...]", "", ("RECAP",), ("",)))
    'hidden "RECAP" is an ALL-CAPS word alone'
    >>> label(CardView("phrases", "cloze", "[...] uses a hash.", "", ("方式一",), (" us",)))
    'hidden "方式一" is an ordinal label'
    >>> label(CardView("phrases", "cloze", "[...] of SIFT", "", ("3.4 Descriptor",), (" of",)))
    'hidden "3.4 Descriptor" is a section number'
    >>> label(CardView("phrases", "cloze", "Glucose is split by [...].", "", ("glycolysis",), (".",))) is None
    True
    """
    if card.model == "basic":
        reason = _is_label_text(card.front)
        return f'front "{card.front}" is {reason}' if reason and len(card.front) <= 40 else None
    befores = card.front.split(GAP)[: len(card.hidden)]
    for hidden, after, before in zip(card.hidden, card.after, befores):
        reason = _is_label_text(hidden)
        leads = not re.sub(r"[\W_]+", "", before)  # a label leads its line: nothing but punctuation before it
        if reason and (reason == "ends with a colon" or leads):
            return f'hidden "{hidden}" {"ends with a colon" if reason == "ends with a colon" else "is " + reason}'
        if after.lstrip(" *").startswith(_COLONS):
            return f'hidden "{hidden}" is followed by a colon'
        rest = re.sub(r"[\W_]+", "", card.front.replace(GAP, ""))
        if _ALL_CAPS.match(hidden.strip()) and not rest:
            return f'hidden "{hidden}" is an ALL-CAPS word alone'
    return None


# ------------------------------------------------------------------ tiny


def tiny(card: CardView) -> str | None:
    """A gap of at most 2 characters of width (one letter, a symbol, one CJK character),
    MathJax delimiters and surrounding spaces not counted.

    >>> tiny(CardView("phrases", "cloze", "[...]ictionary Of Keys", "", ("D",), ("ict",)))
    'hidden "D" is 1 wide'
    >>> tiny(CardView("phrases", "cloze", "A [...] is a running program.", "", ("进程",), (" is",))) is None
    True
    """
    for hidden in card.hidden:
        core = re.sub(r"^\\\(|\\\)$", "", hidden.strip()).strip()
        if width(core) <= 2:
            return f'hidden "{hidden}" is {width(core)} wide'
    return None


# ------------------------------------------------------------------ shown


def _acronym(words: str) -> str:
    parts = [w for w in re.split(r"[\s\-/]+", words) if w and w[0].isalpha()]
    return "".join(w[0] for w in parts) if len(parts) >= 2 else ""


def shown(card: CardView) -> str | None:
    """The answer is on the front: a hidden text (folded, at least 3 wide) appears again
    in the question or in the breadcrumb, or its acronym stands in parentheses on the
    front, or it is an acronym whose words stand on the front; for a basic card, its
    back is inside its front or breadcrumb.

    >>> shown(CardView("phrases", "cloze", "[...] manages memory; the kernel runs first.", "", ("kernel",), (" ma",)))
    'hidden "kernel" is elsewhere on the front'
    >>> shown(
    ...     CardView(
    ...         "phrases",
    ...         "cloze",
    ...         "[...] (DHCP) hands out addresses.",
    ...         "",
    ...         ("Dynamic Host Configuration Protocol",),
    ...         (" (D",),
    ...     )
    ... )
    'hidden "Dynamic Host Configuration Protocol" is in parentheses as DHCP'
    >>> shown(CardView("qa", "basic", "What is TCP?", "TCP", context=("TCP",)))
    'the back "TCP" is on the front'
    >>> shown(CardView("phrases", "cloze", "Cells make [...] in mitochondria.", "", ("ATP",), (" in",))) is None
    True
    """
    crumbs = [fold(c) for c in card.context]
    if card.model == "basic":
        back = fold(card.back)
        if width(back) >= 3 and (_contains(fold(card.front), back) or any(_contains(c, back) for c in crumbs)):
            return f'the back "{card.back[:40]}" is on the front'
        return None
    front = fold(card.front)
    for hidden in card.hidden:
        needle = fold(hidden)
        if width(needle) < 3:
            continue
        if _contains(front, needle):
            return f'hidden "{hidden}" is elsewhere on the front'
        if any(_contains(c, needle) for c in crumbs):
            return f'hidden "{hidden}" is in the breadcrumb'
        acronym = fold(_acronym(hidden))
        if len(acronym) >= 2 and re.search(rf"[(（]\s*{re.escape(acronym)}\s*[)）]", front):
            return f'hidden "{hidden}" is in parentheses as {acronym.upper()}'
        bare = hidden.strip()
        if 2 <= len(bare) <= 8 and bare.isupper() and bare.isalpha():
            words = r"[\s\-/]+".join(rf"{re.escape(ch)}\w*" for ch in bare.casefold())
            if re.search(rf"(?<!\w){words}", front):
                return f'hidden "{hidden}" is spelled out on the front'
    return None


# ------------------------------------------------------------------ long

LONG_FRONT = 300


def long(card: CardView) -> str | None:
    """A front (gaps filled in, breadcrumb not counted) of over 300 characters.

    >>> long(CardView("phrases", "cloze", "x" * 301, ""))
    'front is 301 characters'
    >>> long(CardView("phrases", "cloze", "Short [...].", "", ("front",), (".",))) is None
    True
    """
    size = len(card.full_front.replace("• ", ""))  # the bullets plain() shows for list items are no text
    return f"front is {size} characters" if size > LONG_FRONT else None


# ------------------------------------------------------------------ markup

#: Raw markup a learner should never see (outside code and MathJax).
MARKUP_TOKENS = ("**", "==", "^^", "[[", "::", "<!--", "{:", "((", "$")
_MARKERS = re.compile(
    r"(?<![\w-])(?:TODO|DONE|DOING|LATER|WAITING|CANCELED|CANCELLED)(?![\w-])|collapsed::|#card\b|#flashcards?\b"
)


def markup(card: CardView) -> str | None:
    """Raw markup on the rendered question, answer or breadcrumb: ``**``, ``==``, ``^^``,
    ``[[``, ``::``, ``<!--``, ``{:``, ``((``, ``$`` (outside code and MathJax), task
    markers (``TODO``, ``DONE``), ``collapsed::``, ``#card``.

    >>> markup(CardView("qa", "basic", "x", "y", question="DONE read the paper", answer="ok"))
    'DONE on the card'
    >>> markup(CardView("qa", "basic", "x", "y", question="What is [[TCP]]?", answer="A protocol"))
    '[[ on the card'
    >>> markup(CardView("qa", "basic", "x", "y", question="What is TCP?", answer="A protocol")) is None
    True

    ``question`` and ``answer`` hold the breadcrumb as rendered, without code and MathJax
    (:func:`view_of`), so ``std::move`` in code or ``\\(a^2\\)`` in math is not markup.
    """
    for side in (card.question, card.answer):
        for token in MARKUP_TOKENS:
            if token in side:
                return f"{token} on the card"
        found = _MARKERS.search(side)
        if found:
            return f"{found.group(0)} on the card"
    return None


#: Every class, in report order.
CLASSES: Mapping[str, Callable[[CardView], str | None]] = MappingProxyType(
    {"label": label, "tiny": tiny, "shown": shown, "long": long, "markup": markup}
)
