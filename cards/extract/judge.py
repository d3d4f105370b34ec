"""judge: the rules every mined card must pass, in one place.

The extractors propose candidates generously; these rules keep a candidate, or drop it
and say why, so a learner never reviews junk for years and a user can ask why a fact
gave no card (``cards preview --explain``). Each rule is a small function of one
candidate, as the learner would see it (:class:`Seen`), returning the reason to drop
it or None; the first rule that objects drops the card. Then two rules look at a
note's cards together (:data:`NOTE_RULES`).

Cards the writer wrote as cards (``Card.written``: another tool's syntax, ``Q:``/``A:``,
a hand-written ``{{c1::…}}``) are theirs: no rule drops them.

A rule's examples are its specification, and run as tests (tests/test_docstring_examples.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from ..model import Candidate

GAP = "[...]"


@dataclass(frozen=True, slots=True)
class Seen:
    """A candidate card in plain text: what a rule reads.

    ``front``: the question with this card's gap as ``[...]``; ``hidden``: what the gap
    hides ("" for a question/answer card); ``back``: the answer (a cloze: its Extra);
    ``crumbs``: the breadcrumb, one string per level; ``after``: what follows the gap.
    """

    kind: str
    front: str
    hidden: str = ""
    back: str = ""
    crumbs: tuple[str, ...] = ()
    cloze: bool = True
    #: what the extractor knew of the candidate (``Card.extra``), e.g. why a list is no procedure
    facts: Mapping[str, str] = field(default_factory=dict)

    @property
    def after(self) -> str:
        return self.front.split(GAP, 1)[1] if GAP in self.front else ""

    @property
    def before(self) -> str:
        return self.front.split(GAP, 1)[0] if GAP in self.front else self.front

    @property
    def rest(self) -> str:
        """The front without its gap: the context the learner recalls from."""
        return self.front.replace(GAP, " ")


@dataclass(frozen=True, slots=True)
class Dropped:
    """A candidate a rule dropped: the candidate, the rule, the reason."""

    candidate: Candidate
    rule: str
    reason: str

    def explained(self, source_link: str = "") -> Explained:
        view = self.candidate.view
        source = self.candidate.source
        return Explained(
            source.path.as_posix(),
            source.line,
            self.candidate.kind,
            view.front,
            view.hidden or view.back,
            self.rule,
            self.reason,
            source_link,
        )


@dataclass(frozen=True, slots=True)
class Explained:
    """A dropped candidate in plain text, as ``preview --explain`` shows it: where it came
    from, what it would have asked (the gap as ``[...]``) and answered, which rule
    dropped it and why."""

    path: str
    line: int
    kind: str
    front: str
    answer: str
    rule: str
    reason: str
    source_link: str = ""


# ------------------------------------------------------------------ plain text

_MATH = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.S)


def seen(candidate: Candidate) -> Seen:
    """What the learner sees of a candidate (a mined cloze has one gap, ``c1``)."""
    view = candidate.view
    return Seen(
        candidate.kind,
        view.front,
        view.hidden,
        view.back,
        candidate.crumbs,
        cloze=candidate.cloze,
        facts=candidate.facts,
    )


def fold(text: str) -> str:
    """Width- and case-folded, spaces collapsed: ``ＡＴＰ`` is ``atp``."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def width(text: str) -> int:
    """Characters as a reader counts them: a CJK character is two.

    >>> width("ATP"), width("进程"), width(" \\\\(x\\\\) ")
    (3, 4, 1)
    """
    core = re.sub(r"^\\\(|\\\)$", "", text.strip()).strip()
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in core)


def _han(text: str) -> int:
    return sum(
        1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3040" <= ch <= "\u30ff" or "\uac00" <= ch <= "\ud7af"
    )


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z\u00c0-\u024f0-9][\w'’\-]*", text)


def _occurs(haystack: str, needle: str) -> bool:
    """``needle`` in ``haystack`` as a whole word (a CJK needle anywhere); a part of a
    hyphenated word counts: ``public-key`` shows ``public``."""
    if not needle:
        return False
    if _han(needle):
        return needle in haystack
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


# ------------------------------------------------------------------ card rules


def not_a_procedure(card: Seen) -> str | None:
    """A numbered list that is not a procedure gives no steps cards: "recall item 3"
    of a list of properties, advantages or chapters is a poor question (steps.py says
    why the list is not a procedure).

    >>> not_a_procedure(Seen("steps", "1. [...] 2. Durability", "Atomicity", facts={"not_procedure": "a list of properties"}))
    'a list of properties'
    """
    return card.facts.get("not_procedure") or None


def not_a_fact(card: Seen) -> str | None:
    """A candidate of a fact kind (terms, sections, tables, problems) in the right shape
    that states no fact: a label or metadata before a colon, a generic heading, a table
    of numbers (the extractor says why).

    >>> not_a_fact(Seen("terms", "Date", back="2023-01-01", cloze=False, facts={"not_fact": "metadata (Date)"}))
    'metadata (Date)'
    """
    return card.facts.get("not_fact") or None


#: A breadcrumb level that opens one worked example or exercise (``Example 2``, ``esempio di ALU``,
#: ``例题``), or a section of them (``Exercises``, ``Esempi:``); ``Examples of transport`` lists facts.
_EXAMPLE = re.compile(
    r"^(?:example|exercise|esempio|esercizio|exemplo|exerc[ií]cio|ejemplo|ejercicio|beispiel|übung|exemple|exercice)(?![\w-])"
    r"|^(?:examples|exercises|esempi|esercizi|exemplos|exerc[ií]cios|ejemplos|ejercicios|beispiele|übungen|exemples|exercices)"
    r"\s*[0-9.:：)-]*\s*$|^(?:例题|例子|习题|练习|示例|例\s*[0-9一二三四五六七八九十])",
    re.IGNORECASE,
)


def worked_example(card: Seen) -> str | None:
    """A term, a section or a table row inside a worked example or an exercise holds that
    example's own values (``Y1 = A·B' + AC`` of one circuit, the state ``S11`` of one
    automaton): nothing to remember once the example is gone. Phrases and questions
    there may still state general facts and stay.

    >>> worked_example(Seen("sections", "SOP forms of the outputs", back="Y1 = AB' + AC", crumbs=("PLA", "esempio"), cloze=False))
    'belongs to a worked example ("esempio")'
    >>> worked_example(Seen("terms", "Sum", back="6", crumbs=("Induction", "Exercises"), cloze=False))
    'belongs to a worked example ("Exercises")'
    >>> worked_example(Seen("terms", "Osmosis", back="water crossing a membrane", crumbs=("Cells", "Examples of transport"), cloze=False)) is None
    True
    """
    if card.kind not in ("terms", "sections", "tables"):
        return None
    found = next((c for c in card.crumbs if _EXAMPLE.match(c.strip())), None)
    return f'belongs to a worked example ("{found[:40]}")' if found else None


def tiny_gap(card: Seen) -> str | None:
    """A gap of at most two characters (a letter, a symbol, one CJK character) asks
    nothing worth remembering: the bold initials of ``**D**ictionary **O**f **K**eys``,
    a bold variable.

    >>> tiny_gap(Seen("phrases", "[...]ictionary Of Keys", "D"))
    'hides "D", 1 character'
    >>> tiny_gap(Seen("phrases", "such that [...] holds", "(1)"))
    'hides "(1)", an equation or reference number'
    >>> tiny_gap(Seen("phrases", "A [...] is a running program.", "进程")) is None
    True
    """
    if card.cloze and width(card.hidden) <= 2:
        return f'hides "{card.hidden}", {width(card.hidden)} character{"s" * (width(card.hidden) != 1)}'
    if card.cloze and re.fullmatch(r"\s*[(\[（]\s*\d+(?:\.\d+)*\s*[)\]）]\s*", card.hidden):
        return f'hides "{card.hidden.strip()}", an equation or reference number'
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
    core = fold(text.strip().rstrip(":：").strip())
    return core in LABEL_WORDS or is_ordinal(text) or bool(_SECTION.match(text.strip()))


def is_ordinal(text: str) -> bool:
    """A numbered label: ``方式一``, ``Step 2``, ``定理 4``, ``例 6.3``.

    >>> is_ordinal("方式一"), is_ordinal("Step 2:"), is_ordinal("Windows 10")
    (True, True, False)
    """
    return bool(_ORDINAL.match(fold(text.strip().rstrip(":：").strip())))


def label_gap(card: Seen) -> str | None:
    """A gap that hides a label (a word that heads a passage) instead of a fact: it ends
    with a colon or is followed by one, is a label word (``Note``, ``Solution``,
    ``优点``), an ordinal (``方式一``, ``Step 2``) or a section number (``3.4 Descriptor``).
    A ``**term**: definition`` line is a definition, made into a question by its own kind.

    >>> label_gap(Seen("phrases", "[...] check the sign first.", "Note:"))
    'hides the label "Note:"'
    >>> label_gap(Seen("phrases", "[...]: water crossing a membrane", "Osmosis"))
    'hides "Osmosis", followed by a colon'
    >>> label_gap(Seen("phrases", "[...] uses a hash table.", "方式一"))
    'hides the label "方式一"'
    >>> label_gap(Seen("phrases", "[...] Yes, by the completeness axiom.", "Is every bounded set bounded above?"))
    'hides a question, not its answer'
    >>> label_gap(Seen("phrases", "Glucose is split by [...].", "glycolysis")) is None
    True
    """
    if not card.cloze:
        return None
    hidden = card.hidden.strip()
    if hidden.endswith(("?", "？")):
        return "hides a question, not its answer"
    if hidden.endswith((":", "：")) or is_label(hidden):
        return f'hides the label "{hidden}"'
    leads = len(_words(card.before)) <= 2 and _han(card.before) <= 4
    if leads and card.after.lstrip(" *").startswith((":", "：")):
        return f'hides "{hidden}", followed by a colon'
    return None


def clause_gap(card: Seen) -> str | None:
    """A gap that hides a clause or a whole sentence asks the learner to recite prose,
    not to recall a fact: more than six words or twelve CJK characters, a clause break
    (a comma, a full stop) inside more than four words or eight CJK characters, or three
    words or more that outweigh the rest of the sentence (a long name is one word). A
    translation in parentheses does not count. A step may be a longer instruction (ten
    words, twenty CJK characters).

    >>> clause_gap(Seen("phrases", "所以，[...]。", "TCP 会重传报文，直到收到确认"))
    'hides a clause (TCP 会重传报文，直到收到确认)'
    >>> clause_gap(Seen("phrases", "TCP gives applications a [...] on top of IP.", "reliable, ordered byte stream")) is None
    True
    >>> clause_gap(Seen("steps", "1. SFT 2. [...] 3. 拒绝采样", "推理取向的强化学习 (Reasoning Oriented RL，GRPO)")) is None
    True
    """
    if not card.cloze:
        return None
    hidden = card.hidden.strip()
    core = re.sub(r"\([^()]*\)|（[^（）]*）", " ", hidden)
    words, han = len([t for t in core.split() if re.search(r"[A-Za-z0-9\u00c0-\u024f]", t)]), _han(core)
    inner = re.search(r"[,，;；。]|[.!?](?:\s|$)", core.strip().rstrip(".。!！?？"))
    if card.kind != "phrases":  # a step is an instruction: longer, and commas are fine
        return f"hides a sentence ({hidden[:40]})" if words > 10 or han > 20 else None
    if (
        words > 6
        or han > 12
        or (inner and (words > 4 or han > 8))
        or ((words >= 3 or han >= 6) and width(core) > width(card.rest))
    ):
        return f"hides a clause ({hidden[:40]})"
    return None


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


def emphasis_gap(card: Seen) -> str | None:
    """A gap that hides only emphasis (``not``, ``always``, ``一定``): bold used to
    stress a sentence, not to mark its fact.

    >>> emphasis_gap(Seen("phrases", "Antibiotics do [...] treat viral infections.", "not"))
    'hides emphasis only ("not")'
    >>> emphasis_gap(Seen("phrases", "L insieme delle parti [...].", "CONTIENE INSIEME VUOTO"))
    'shouts rather than names ("CONTIENE INSIEME VUOTO")'
    >>> emphasis_gap(Seen("phrases", "A set is open [...] its complement is closed.", "if and only if"))
    'hides emphasis only ("if and only if")'
    >>> emphasis_gap(Seen("phrases", "先来看看[...]，线程会被阻塞。", "阻塞 I/O")) is None
    True
    >>> emphasis_gap(Seen("phrases", "Antibiotics do not treat [...] infections.", "viral")) is None
    True
    """
    if not card.cloze:
        return None
    folded = fold(card.hidden)
    tokens = _words(folded) + re.findall(r"[\u4e00-\u9fff]+", folded) or [card.hidden.strip()]  # 阻塞 I/O is no "I"
    if all(t in EMPHASIS for t in tokens):
        return f'hides emphasis only ("{card.hidden.strip()}")'
    words = card.hidden.split()
    shouted = [w for w in words if re.fullmatch(r"[A-Z][A-Z'’\-]*[A-Z]", w.strip(".,;:!?()"))]
    if not _han(card.hidden) and len(words) >= 2 and len(shouted) == len(words) and max(map(len, shouted)) > 4:
        return f'shouts rather than names ("{card.hidden.strip()[:30]}")'
    return None


def _acronym(text: str) -> str:
    parts = [w for w in re.split(r"[\s\-/]+", text) if w[:1].isalpha()]
    return "".join(w[0] for w in parts).casefold() if len(parts) >= 2 else ""


_GLOSS = re.compile(
    r"^\s*(?:[(（]|[,，]?\s*(?:i\.\s?e\.|aka|a\.k\.a\.|or|namely|that is|cioè|ovvero|ou seja|即|也就是|也叫|又称|又叫|亦称|简称|全称)\b)",
    re.IGNORECASE,
)


def _parts(hidden: str) -> list[str]:
    """A hidden text and the names inside it: ``缓冲池（Buffer Pool）`` is also ``缓冲池`` and
    ``Buffer Pool``."""
    found = [hidden]
    inside = re.findall(r"[(（]([^()（）]+)[)）]", hidden)
    outside = re.sub(r"[(（][^()（）]*[)）]", " ", hidden).strip()
    found += [p.strip() for p in (*inside, outside) if p.strip() and p.strip() != hidden]
    return found


#: Words too common to give an answer away when the breadcrumb holds them.
_STOPWORDS = frozenset(
    "the and for with from into del della dei delle per con una uno des les une pour avec dos das por com und der die das".split()
)


def _latin_words(text: str) -> set[str]:
    """Folded words, hyphenated and dotted ones split (``master-slave latch`` is
    ``master``, ``slave``, ``latch``; ``127.0.0.1`` is ``127``, ``0``, ``1``), short
    letter-only words (``a``, ``de``) left out; CJK text is no word here."""
    return {w for w in re.findall(r"[^\W_]+", fold(text)) if not _han(w) and not (len(w) <= 2 and w.isalpha())}


def answer_shown(card: Seen) -> str | None:
    """The answer is on the front already: the hidden text (or a name in it) again
    elsewhere in the question or in the breadcrumb, its acronym or a gloss (``i.e.``,
    ``即``, a translation in parentheses) right beside the gap, or (a question/answer
    card) the whole answer inside the question.

    >>> answer_shown(Seen("phrases", "[...] splits memory into pages.", "Paging", crumbs=("OS", "Paging")))
    'the breadcrumb shows "Paging"'
    >>> answer_shown(Seen("phrases", "[...] (DHCP) hands out addresses.", "Dynamic Host Configuration Protocol"))
    'the front shows its acronym DHCP'
    >>> answer_shown(Seen("qa", "What is TCP?", back="TCP", cloze=False))
    'the question shows the answer "TCP"'
    >>> answer_shown(Seen("phrases", "Innodb 设计了一个[...]。", "缓冲池（Buffer Pool）", crumbs=("为什么要有 Buffer Pool？",)))
    'the breadcrumb shows "Buffer Pool"'
    >>> answer_shown(Seen("phrases", "发送[...]（Echo Request）的消息", "回送请求"))
    'a gloss beside the gap gives "回送请求" away'
    >>> answer_shown(Seen("phrases", "Il [...] copia il master.", "flip-flop Slave", crumbs=("master-slave latch (o flip-flop SR master-slave)",)))
    'the breadcrumb shows the words of "flip-flop Slave"'
    >>> answer_shown(Seen("phrases", "Logarithmic map ([...]) sends a rotation to its axis.", "log"))
    'the front shows "Logarithmic", which begins with it'
    >>> answer_shown(Seen("phrases", "Cells make [...] in mitochondria.", "ATP")) is None
    True
    """
    if not card.cloze:
        back = fold(card.back)
        if back and (_occurs(fold(card.front), back) or any(_occurs(fold(c), back) for c in card.crumbs)):
            return f'the question shows the answer "{card.back[:40]}"'
        return None
    for part in _parts(card.hidden):
        needle = fold(part)
        if width(needle) < 2 or (part != card.hidden and width(needle) < 3):
            continue
        if _occurs(fold(card.rest), needle):
            return f'the front shows "{part}" again'
        if any(_occurs(fold(c), needle) for c in card.crumbs):
            return f'the breadcrumb shows "{part}"'
    bare = card.hidden.strip()
    if re.fullmatch(r"[A-Za-z]{3,}", bare):
        longer = re.search(rf"(?<![\w-]){re.escape(bare)}[a-z]+", card.rest, re.IGNORECASE)
        if longer:
            return f'the front shows "{longer.group(0)}", which begins with it'
    crumb_words = {w for c in card.crumbs for w in _latin_words(c)}
    hidden_words = _latin_words(card.hidden) - _STOPWORDS
    if hidden_words and not _han(card.hidden) and hidden_words <= crumb_words:
        return f'the breadcrumb shows the words of "{card.hidden.strip()[:40]}"'
    acronym = _acronym(card.hidden)
    if len(acronym) >= 2 and re.search(rf"[(（]\s*{re.escape(acronym)}s?\s*[)）]", fold(card.front)):
        return f"the front shows its acronym {acronym.upper()}"
    if _GLOSS.match(card.after):
        return f'a gloss beside the gap gives "{card.hidden}" away'
    bare = card.hidden.strip()
    if 2 <= len(bare) <= 8 and bare.isupper() and bare.isalpha():
        spelled = r"[\s\-/]+".join(rf"{re.escape(ch)}\w*" for ch in bare.casefold())
        if re.search(rf"(?<!\w){spelled}", fold(card.rest)):
            return f"the front spells out {bare}"
    return None


def label_question(card: Seen) -> str | None:
    """A mined question that is only a label (``Remarks``, ``Problem``, ``Proof``, ``注``)
    asks nothing; only ``Def`` under a breadcrumb that names the thing asks for its
    definition.

    >>> label_question(Seen("qa", "Remarks", back="At most one index is zero.", crumbs=("Electrodynamics",), cloze=False))
    'the question is the label "Remarks"'
    >>> label_question(Seen("qa", "Def", back="A space locally like R^n.", crumbs=("Topology", "Manifold"), cloze=False)) is None
    True
    """
    if card.cloze or card.kind != "qa":
        return None
    core = fold(card.front.rstrip(":：?？ ."))
    if core in LABEL_WORDS or core in {
        "def",
        "defs",
        "thm",
        "prop",
        "rmk",
        "ex",
        "eg",
        "pf",
        "idea",
        "key idea",
        "training",
        "problem",
        "key formula",
        "key formulas",
        "key claim",
        "key claims",
        "key result",
        "key results",
        "可推出",
        "可得",
        "可知",
    }:
        # "Manifold › Def" asks for the definition of what the breadcrumb names; a proof,
        # remarks or examples of it ask for nothing in particular
        defines = core in {"def", "defs", "definition", "definitions", "定义", "definizione"}
        named = len(card.crumbs) >= 2 and len(_words(card.crumbs[-1])) <= 5 and fold(card.crumbs[-1]) not in LABEL_WORDS
        if not (defines and named):
            return f'the question is the label "{card.front}"'
    return None


def vague_term(card: Seen) -> str | None:
    """A short bullet with one short child is not always a term and its definition
    (``drivers`` → ``nvidia drivers``, a journal bullet and its note): a term card needs
    an explanation of three words (six CJK characters) or more that is not the term
    again with a word added.

    >>> vague_term(Seen("qa", "drivers", back="nvidia drivers", cloze=False, facts={"shape": "term"}))
    'the answer does not explain "drivers"'
    >>> vague_term(Seen("qa", "Competitive inhibitor", back="Binds the active site and competes with the substrate.", cloze=False, facts={"shape": "term"})) is None
    True
    """
    if card.facts.get("shape") != "term":
        return None
    answer, term = fold(card.back), fold(card.front)
    short = len(_words(answer)) < 3 and _han(answer) < 6
    if short or (term in answer and len(_words(answer)) <= len(_words(term)) + 2 and _han(answer) <= _han(term) + 4):
        return f'the answer does not explain "{card.front}"'
    return None


_DANGLING = re.compile(
    r"(?<![\w])(?:the (?:above|following|figure|table|picture|diagram|image)|shown (?:above|below|here)|as shown|see (?:above|below|figure)|"
    r"(?:above|below)(?:,|\.|$)|this (?:figure|diagram|image|picture|table|equation|formula))"
    r"|上式|上述式|上方|上面的|上图|下图|如图|见图|下面的|下式|以下|下表|上表|图中|这张图|此图",
    re.IGNORECASE,
)


def dangling_reference(card: Seen) -> str | None:
    """A sentence about something the card cannot show (``the formula above``, ``如图``,
    ``上式称为 …``) cannot be answered from its front.

    >>> dangling_reference(Seen("phrases", "上式称为 [...]。", "特征方程"))
    'refers to something the card does not show ("上式")'
    >>> dangling_reference(Seen("phrases", "The [...] is shown above.", "loss curve"))
    'refers to something the card does not show ("shown above")'
    """
    if card.kind != "phrases":
        return None
    found = _DANGLING.search(_MATH.sub(" ", card.rest))
    return f'refers to something the card does not show ("{found.group(0).strip(" ,.")}")' if found else None


_PERSONAL = re.compile(
    r"(?<![\w'])(?:I|I'm|I've|I'd|I'll|[Mm]y|[Mm]e|[Mm]ine|[Mm]yself|[Ll]et's|[Ll]et us|[Ww]e'll|[Ww]e will (?:discuss|look|see)|[Tt]oday we|"
    r"[Ii]n this (?:post|article|note|chapter))(?![\w'])"
    r"|我(?!们)|我的|今天我们|我们来|我们说说|我们看看|我们再|再来|接下来我们|下面我们|这篇文章|本文|笔者|\d+\s*分(?![钟子析布类解配])",
)


#: Thanks to the reader, in the gap or around it: a closing remark, never a fact.
_THANKS = re.compile(
    r"谢谢|感谢(?:你|您|大家|各位|读者)|(?<![\w])(?:thanks? (?:you )?for (?:reading|watching|your support))(?![\w])",
    re.IGNORECASE,
)


#: Faces, gestures and fire (😂 🤣 🗿 🔥 🙏) and their Chinese web slang (哈哈, 手动狗头): a
#: sentence that laughs or cheers is an aside. Markers people put on facts (✅ ❌ ⚠️ 📌) are no jokes.
_JOKE = re.compile(
    "[\U0001f600-\U0001f64f\U0001f910-\U0001f92f\U0001f970-\U0001f97a\U0001f5e3\U0001f5ff\U0001f525\U0001f4aa]|哈哈|手动狗头|狗头"
)


def personal_or_meta(card: Seen) -> str | None:
    """A sentence about the writer, the reader or the text itself (``my plan is …``,
    ``today we look at …``, ``再来，我们说说 …``, exam points) holds no fact to learn.

    >>> personal_or_meta(Seen("phrases", "所以我的学习规划基本上是[...]的", "C++ 服务端方向"))
    'speaks of the writer or the text ("我")'
    >>> personal_or_meta(Seen("phrases", "QUESTO È [...] 🗿🔥🔥", "BASATO"))
    'a joke or an aside ("🗿")'
    >>> personal_or_meta(Seen("phrases", "其实主要还是[...]。", "谢谢你们的支持"))
    'speaks of the writer or the text ("谢谢")'
    >>> personal_or_meta(Seen("phrases", "The kernel schedules [...] by priority.", "threads")) is None
    True
    """
    if card.kind != "phrases":
        return None
    found = _PERSONAL.search(_MATH.sub(" ", card.rest)) or _THANKS.search(f"{card.rest} {card.hidden}")
    if found:
        return f'speaks of the writer or the text ("{found.group(0)}")'
    joke = _JOKE.search(card.rest)
    return f'a joke or an aside ("{joke.group(0)}")' if joke else None


def leans_on_before(card: Seen) -> str | None:
    """A sentence that opens a paragraph leaning on what came before it (``It …``,
    ``这就是 …``) needs text the card does not show (within a paragraph, the sentence
    before it is shown with it instead).

    >>> leans_on_before(Seen("phrases", "这就是所谓的[...]。", "粘包问题", facts={"leans_on_before": "这就是所谓的粘包问题。"}))
    'opens with a reference to text before it'
    """
    return "opens with a reference to text before it" if card.facts.get("leans_on_before") else None


def lead_in_gap(card: Seen) -> str | None:
    """A sentence that ends in a colon introduces what follows (a list, a formula): the
    fact is below it, so a gap in it asks for half a thought.

    >>> lead_in_gap(Seen("phrases", "The [...] has three stages:", "Krebs cycle"))
    'the sentence introduces what follows'
    """
    if card.kind == "phrases" and card.front.rstrip().endswith((":", "：")):
        return "the sentence introduces what follows"
    return None


LONG_FRONT = 300
LONG_SENTENCE = 200  # width: a CJK character counts two


def long_front(card: Seen) -> str | None:
    """A question of over 300 characters is a paragraph to read, not a question to
    answer; a phrase card's sentence over 200 (a CJK character counting two: about 40
    words or 100 characters) is one to decipher.

    >>> long_front(Seen("qa", "x" * 301, cloze=False))
    'the front is 301 characters'
    >>> long_front(Seen("phrases", "一" * 110 + "[...]", "y"))
    'the sentence is 221 wide'
    """
    full = card.front.replace(GAP, card.hidden)
    if len(full) > LONG_FRONT:
        return f"the front is {len(full)} characters"
    if card.kind == "phrases" and width(full) > LONG_SENTENCE:
        return f"the sentence is {width(full)} wide"
    return None


def thin_context(card: Seen) -> str | None:
    """A phrase with almost nothing around it cannot be recalled from its sentence: fewer
    than three words (six CJK characters) besides the gap. (A step's context is its
    list and its heading path.)

    >>> thin_context(Seen("phrases", "[...] :point_down:", "HTTP 篇"))
    'too little around the gap to recall it from'
    >>> thin_context(Seen("phrases", "Mitochondria in cells make [...].", "ATP")) is None
    True
    """
    if not card.cloze or card.kind != "phrases":
        return None
    rest = re.sub(r":[a-z_]+:", " ", card.rest)  # :emoji: shortcodes say nothing
    if len(_words(rest)) < 3 and _han(rest) < 6 and not (_han(rest) >= 3 and _words(rest)):
        return "too little around the gap to recall it from"
    return None


_LINK_ONLY = re.compile(r"^(?:https?://\S+|[^\w\[\]])*$")


def empty_answer(card: Seen) -> str | None:
    """A question card whose answer says nothing (empty, only links, or only an image)
    cannot be checked.

    >>> empty_answer(Seen("qa", "What is the plan?", back="https://example.org/plan", cloze=False))
    'the answer says nothing'
    >>> empty_answer(Seen("qa", "Open papers", back="{{query (and [[paper]] (task TODO))}}", cloze=False))
    'the answer is a Logseq macro, not words'
    >>> empty_answer(Seen("qa", "What is ATP?", back="The energy currency of the cell.", cloze=False)) is None
    True
    """
    if card.cloze:
        return None
    if not card.back.strip() or _LINK_ONLY.match(card.back.strip()):
        return "the answer says nothing"
    if re.fullmatch(
        r"(?:•\s*)?\{\{\s*(?:query|embed|renderer|video|tweet|youtube|pdf)\b.*\}\}", card.back.strip(), re.S | re.I
    ):
        return "the answer is a Logseq macro, not words"
    return None


_RAW = re.compile(
    r"\*\*|==|\^\^|\[\[|\]\]|<!--|\{:|\(\(|\)\)|(?<![\w\\])\$(?!\s)|(?<![\w-])(?:TODO|DONE|DOING|LATER|WAITING|CANCEL+ED)(?![\w-])"
    r"|#\+(?:BEGIN|END)_\w+"
)


def markup_left(card: Seen) -> str | None:
    """Raw markup a learner should never see (``**``, ``==``, ``[[``, ``((``, ``$``, a
    task marker) left on a side or in the breadcrumb after rendering: the note wrote
    something the renderer could not read, so the card would show noise.

    >>> markup_left(Seen("qa", "What is ((64a1-ff))?", back="x", cloze=False))
    'shows raw "(("'
    >>> markup_left(Seen("qa", "What is TCP?", back="A protocol", cloze=False)) is None
    True
    """
    for side in (card.front, card.back, *card.crumbs):
        found = _RAW.search(_MATH.sub(" ", side))
        if found:
            return f'shows raw "{found.group(0)}"'
    return None


Rule = Callable[[Seen], "str | None"]

#: The rules for one card, in the order they are asked.
RULES: Mapping[str, Rule] = MappingProxyType(
    {
        "not_a_procedure": not_a_procedure,
        "not_a_fact": not_a_fact,
        "worked_example": worked_example,
        "tiny_gap": tiny_gap,
        "label_gap": label_gap,
        "clause_gap": clause_gap,
        "emphasis_gap": emphasis_gap,
        "answer_shown": answer_shown,
        "label_question": label_question,
        "vague_term": vague_term,
        "lead_in_gap": lead_in_gap,
        "leans_on_before": leans_on_before,
        "dangling_reference": dangling_reference,
        "personal_or_meta": personal_or_meta,
        "thin_context": thin_context,
        "long_front": long_front,
        "empty_answer": empty_answer,
        "markup_left": markup_left,
    }
)


# ------------------------------------------------------------------ note rules

MAX_PER_SENTENCE = 3


def crowded_sentence(cards: Sequence[tuple[Candidate, Seen]]) -> dict[int, str]:
    """More than three gaps in one sentence mark a list of bold items, not a few key
    terms: none of them is asked (``**A**, **B**, **C** and **D** are ...``).

    Returns the indexes to drop, with the reason.
    """
    groups: dict[tuple[str, int, str], list[int]] = {}
    for index, (card, view) in enumerate(cards):
        if view.cloze and card.kind == "phrases":
            groups.setdefault(
                (card.source.path.as_posix(), card.source.line, view.front.replace(GAP, view.hidden)), []
            ).append(index)
    return {
        i: f"one of {len(group)} gaps in one sentence"
        for group in groups.values()
        if len(group) > MAX_PER_SENTENCE
        for i in group
    }


def near_duplicate(cards: Sequence[tuple[Candidate, Seen]]) -> dict[int, str]:
    """A note asks each thing once: a card with the same question and answer as an
    earlier one of the note is dropped."""
    first: dict[tuple[str, str, str], int] = {}
    found: dict[int, str] = {}
    for index, (_, view) in enumerate(cards):
        key = (fold(view.front), fold(view.hidden), fold(view.back))
        if key in first:
            found[index] = "asks what an earlier card of the note asks"
        else:
            first[key] = index
    return found


NoteRule = Callable[[Sequence[tuple[Candidate, Seen]]], dict[int, str]]
NOTE_RULES: Mapping[str, NoteRule] = MappingProxyType(
    {"crowded_sentence": crowded_sentence, "near_duplicate": near_duplicate}
)


# ------------------------------------------------------------------ the judge


def verdict(candidate: Candidate) -> tuple[str, str] | None:
    """(rule, reason) of the first rule that drops ``candidate``, or None to keep it. A
    card the author wrote passes every rule but ``not_a_fact``, which its own extractor
    sets (a ``<details>`` whose summary only says "click to expand")."""
    view = seen(candidate)
    if candidate.written:
        reason = not_a_fact(view)
        return ("not_a_fact", reason) if reason else None
    for name, rule in RULES.items():
        reason = rule(view)
        if reason:
            return name, reason
    return None


def judge_candidates(candidates: Iterable[Candidate], dropped: list[Dropped] | None = None) -> list[Candidate]:
    """The candidates that pass every rule, in order; the others go to ``dropped`` (if given)."""
    kept: list[tuple[Candidate, Seen]] = []
    for candidate in candidates:
        found = verdict(candidate)
        if found is None:
            kept.append((candidate, seen(candidate)))
        elif dropped is not None:
            dropped.append(Dropped(candidate, *found))
    for name, rule in NOTE_RULES.items():
        mined = [(c, v) for c, v in kept if not c.written]
        out = rule(mined)
        if out:
            gone = {id(mined[i][0]): reason for i, reason in out.items()}
            if dropped is not None:
                dropped.extend(Dropped(c, name, gone[id(c)]) for c, _ in kept if id(c) in gone)
            kept = [(c, v) for c, v in kept if id(c) not in gone]
    return [candidate for candidate, _ in kept]
