"""Rules that look at the gap of a cloze: what it hides, and what stands right beside it.

A gap is the learner's question. It must hide a fact: not a letter or a reference
number (``tiny_gap``), not a label that heads a passage (``label_gap``), not a whole
clause to recite (``clause_gap``), not emphasis alone (``emphasis_gap``).
"""

from __future__ import annotations

import re

from ..model import Candidate
from ..text import cjk, normalise, width, words
from .as_text import candidate_of  # noqa: F401  (the examples' candidates)

__all__ = [
    "LABEL_WORDS",
    "EMPHASIS",
    "is_label",
    "is_ordinal",
    "tiny_gap",
    "label_gap",
    "clause_gap",
    "step_gap",
    "emphasis_gap",
]


def tiny_gap(card: Candidate) -> str | None:
    """A gap of at most two characters (a letter, a symbol, one CJK character) asks
    nothing worth remembering: the bold initials of ``**D**ictionary **O**f **K**eys``,
    a bold variable.

    >>> tiny_gap(candidate_of("phrases", "[...]ictionary Of Keys", "D"))
    'hides "D", 1 character'
    >>> tiny_gap(candidate_of("phrases", "such that [...] holds", "(1)"))
    'hides "(1)", an equation or reference number'
    >>> tiny_gap(candidate_of("phrases", "A [...] is a running program.", "进程")) is None
    True
    """
    if width(card.view.hidden) <= 2:
        return f'hides "{card.view.hidden}", {width(card.view.hidden)} character{"s" * (width(card.view.hidden) != 1)}'
    if re.fullmatch(r"\s*[(\[（]\s*\d+(?:\.\d+)*\s*[)\]）]\s*", card.view.hidden):
        return f'hides "{card.view.hidden.strip()}", an equation or reference number'
    return None


#: Words that head a passage rather than state a fact (folded).
LABEL_WORDS = frozenset(
    """note notes nb tip tips hint hints warning caution important remark remarks example examples e.g eg
    solution solutions answer answers question questions definition definitions proof theorem lemma corollary
    summary recap overview introduction conclusion conclusions result results output input outputs inputs
    step steps reason reasons cause causes effect effects advantage advantages disadvantage disadvantages pros cons
    pro con benefit benefits drawback drawbacks limitation limitations problem problems issue issues exercise
    exercises task tasks todo goal goals idea ideas source sources reference references etiology
    pathophysiology presentation diagnosis treatment management prognosis epidemiology complications symptoms
    signs investigations workup takeaway takeaways background context method methods usage comment comments
    syntax description purpose function functions features feature properties property types type case cases
    attention nota esempio esempi osservazione definizione teorema dimostrazione soluzione
    注意 注 备注 提示 优点 缺点 优势 劣势 特点 特性 原因 结果 结论 总结 小结 定义 定理 证明 解 答 问 例 例如 比如
    举例 示例 例子 方法 步骤 作用 功能 用途 目的 原理 区别 问题 答案 思路 分析 背景 概述 简介 说明 场景 应用""".split()
) | frozenset(
    {
        "see also",
        "key points",
        "key point",
        "side effects",
        "adverse effects",
        "risk factors",
        "in short",
        "for example",
    }
)


_ORDINAL = re.compile(
    r"^(?:方式|方法|步骤|第|情况|情形|类型|方案|阶段|练习|例题|习题|例|定理|定义|引理|推论|性质|原则|原因|条件|规则|要点|特点|"
    r"case|step|type|method|way|option|example|exercise|problem|part|phase|stage|theorem|lemma|definition|rule|esempio|esercizio)"
    r"\s*[0-9一二三四五六七八九十百]+(?:\.[0-9]+)*\s*[步种点类个条章节]?\.?$",
    re.I,
)


_SECTION = re.compile(r"^\d+(?:\.\d+)+\.?\s+\S|^\d+\.\s+\S")  # "3.4 Descriptor", "2. Methods"; not "50 steps"


def is_label(text: str) -> bool:
    """A label word (``Note``, ``优点``), an ordinal (``方式一``, ``Step 2``) or a section
    number (``3.4 Descriptor``), with or without its colon: heads a passage.

    >>> is_label("Note:"), is_label("方式一"), is_label("3.4 Descriptor"), is_label("glycolysis")
    (True, True, True, False)
    """
    core = normalise(text.strip().rstrip(":：").strip())
    return core in LABEL_WORDS or is_ordinal(text) or bool(_SECTION.match(text.strip()))


def is_ordinal(text: str) -> bool:
    """A numbered label: ``方式一``, ``Step 2``, ``定理 4``, ``例 6.3``.

    >>> is_ordinal("方式一"), is_ordinal("Step 2:"), is_ordinal("Windows 10")
    (True, True, False)
    """
    return bool(_ORDINAL.match(normalise(text.strip().rstrip(":：").strip())))


def label_gap(card: Candidate) -> str | None:
    """A gap that hides a label (a word that heads a passage) instead of a fact: it ends
    with a colon or is followed by one, is a label word (``Note``, ``Solution``,
    ``优点``), an ordinal (``方式一``, ``Step 2``) or a section number (``3.4 Descriptor``).
    A ``**term**: definition`` line is a definition, made into a question by its own kind.

    >>> label_gap(candidate_of("phrases", "[...] check the sign first.", "Note:"))
    'hides the label "Note:"'
    >>> label_gap(candidate_of("phrases", "[...]: water crossing a membrane", "Osmosis"))
    'hides "Osmosis", followed by a colon'
    >>> label_gap(candidate_of("phrases", "[...] uses a hash table.", "方式一"))
    'hides the label "方式一"'
    >>> label_gap(candidate_of("phrases", "[...] Yes, by the completeness axiom.", "Is every bounded set bounded above?"))
    'hides a question, not its answer'
    >>> label_gap(candidate_of("phrases", "Glucose is split by [...].", "glycolysis")) is None
    True
    """
    hidden = card.view.hidden.strip()
    if hidden.endswith(("?", "？")):
        return "hides a question, not its answer"
    if hidden.endswith((":", "：")) or is_label(hidden):
        return f'hides the label "{hidden}"'
    leads = len(words(card.view.before)) <= 2 and cjk(card.view.before) <= 4
    if leads and card.view.after.lstrip(" *").startswith((":", "：")):
        return f'hides "{hidden}", followed by a colon'
    return None


def clause_gap(card: Candidate) -> str | None:
    """A gap that hides a clause or a whole sentence asks the learner to recite prose,
    not to recall a fact: more than six words or twelve CJK characters, a clause break
    (a comma, a full stop) inside more than four words or eight CJK characters, or three
    words or more that outweigh the rest of the sentence (a long name is one word). A
    translation in parentheses does not count.

    >>> clause_gap(candidate_of("phrases", "所以，[...]。", "TCP 会重传报文，直到收到确认"))
    'hides a clause (TCP 会重传报文，直到收到确认)'
    >>> clause_gap(candidate_of("phrases", "TCP gives applications a [...] on top of IP.", "reliable, ordered byte stream")) is None
    True
    """
    hidden = card.view.hidden.strip()
    core = _without_glosses(hidden)
    words_, han = _counts(core)
    inner = re.search(r"[,，;；。]|[.!?](?:\s|$)", core.strip().rstrip(".。!！?？"))
    if (
        words_ > 6
        or han > 12
        or (inner and (words_ > 4 or han > 8))
        or ((words_ >= 3 or han >= 6) and width(core) > width(card.view.rest))
    ):
        return f"hides a clause ({hidden[:40]})"
    return None


def step_gap(card: Candidate) -> str | None:
    """A step may be a longer instruction than a phrase, commas and all: a gap that
    hides more than ten words or twenty CJK characters hides a sentence (rule
    ``clause_gap`` for every cloze kind but phrases).

    >>> step_gap(candidate_of("steps", "1. SFT 2. [...] 3. 拒绝采样", "推理取向的强化学习 (Reasoning Oriented RL，GRPO)")) is None
    True
    """
    hidden = card.view.hidden.strip()
    words_, han = _counts(_without_glosses(hidden))
    return f"hides a sentence ({hidden[:40]})" if words_ > 10 or han > 20 else None


def _without_glosses(hidden: str) -> str:
    """The hidden text without what stands in parentheses (a translation, an acronym)."""
    return re.sub(r"\([^()]*\)|（[^（）]*）", " ", hidden)


def _counts(core: str) -> tuple[int, int]:
    """(words of Latin script or digits, CJK characters)."""
    return len([t for t in core.split() if re.search(r"[A-Za-z0-9\u00c0-\u024f]", t)]), cjk(core)


#: Words that stress rather than state: a gap hiding only these tests nothing.
EMPHASIS = frozenset(
    """not no never always only all must very really important key main both each every none any more less most
    least much many few can cannot can't should shouldn't don't doesn't isn't aren't do does is are was were be
    the a an and or of to in on for with this that these those it they we you i
    di da del della per con il lo la le gli un una de do das dos para por com os um uma a/para
    不 不是 没有 不能 不会 一定 必须 很 非常 重要 关键 都 只 也 最 更 要 会 能 是 的 了 和 与 或
    没 无 未 别 勿 非 non não nao nunca sempre mai nicht kein keine nie immer pas jamais toujours ne
    yes sì si sí sim oui ja 对 是的 对的 没错
    if iff then but because so when unless 当且仅当 如果 那么 但是 因为 所以
    tutti tutte tutto ogni todos todas tous toutes alle 常见 不可以 不可 可以 所有 任意 任何""".split()
)


def emphasis_gap(card: Candidate) -> str | None:
    """A gap that hides only emphasis (``not``, ``always``, ``一定``): bold used to
    stress a sentence, not to mark its fact.

    >>> emphasis_gap(candidate_of("phrases", "Antibiotics do [...] treat viral infections.", "not"))
    'hides emphasis only ("not")'
    >>> emphasis_gap(candidate_of("phrases", "L insieme delle parti [...].", "CONTIENE INSIEME VUOTO"))
    'shouts rather than names ("CONTIENE INSIEME VUOTO")'
    >>> emphasis_gap(candidate_of("phrases", "A set is open [...] its complement is closed.", "if and only if"))
    'hides emphasis only ("if and only if")'
    >>> emphasis_gap(candidate_of("phrases", "先来看看[...]，线程会被阻塞。", "阻塞 I/O")) is None
    True
    >>> emphasis_gap(candidate_of("phrases", "Antibiotics do not treat [...] infections.", "viral")) is None
    True
    """
    folded = normalise(card.view.hidden)
    tokens = words(folded) + re.findall(r"[\u4e00-\u9fff]+", folded) or [card.view.hidden.strip()]  # 阻塞 I/O is no "I"
    if all(t in EMPHASIS for t in tokens):
        return f'hides emphasis only ("{card.view.hidden.strip()}")'
    parts = card.view.hidden.split()
    shouted = [w for w in parts if re.fullmatch(r"[A-Z][A-Z'’\-]*[A-Z]", w.strip(".,;:!?()"))]
    if not cjk(card.view.hidden) and len(parts) >= 2 and len(shouted) == len(parts) and max(map(len, shouted)) > 4:
        return f'shouts rather than names ("{card.view.hidden.strip()[:30]}")'
    return None
