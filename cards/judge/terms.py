"""Rules that look at what a card names: a term, a heading, a subject.

The fact kinds (terms, sections, tables, problems) turn a term, a heading or a table
cell into the question side of a card. Before they do, they ask the same few things of
it, answered here once so the kinds and the judge agree:

- is it a **question** already (``Why is the sky blue?``, ``进程和线程有什么区别``)?
- is it a **passage label** (``Note``, ``Example``, ``注意``), which heads text without
  naming anything, or **metadata** (``Date``, ``Author``, ``来源``)? Neither is a card.
- is it an **aspect** of a subject (``Treatment``, ``优点``, ``Causes``): a fine question
  once the subject is named with it (``Melanoma — Treatment``), a label alone?
- is it a **generic heading** (``Introduction``, ``References``, ``总结``) or a date?
- does it read as a **term** (a name, ≤ 6 words or 12 CJK characters) or as the start
  of a sentence (``The rest is easy``, ``我们可以得到``)?

Each answer is a reason (a short phrase for ``preview --explain``) or None. The rules
``not_a_fact`` of terms and of sections are made of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..model import Candidate, HeadingFacts, TermFacts
from ..notes.inline import prose, tokens_text
from ..text import normalise
from .as_text import candidate_of  # noqa: F401  (the examples' candidates)
from .gaps import LABEL_WORDS, is_label, is_ordinal
from .meta import personal

if TYPE_CHECKING:
    from markdown_it.token import Token

#: Labels that head a passage and name nothing, even with a subject beside them (folded).
PASSAGE_LABELS = frozenset(
    """note notes nb n.b tip tips hint hints warning caution important remark remarks example examples e.g eg
    solution solutions answer answers question questions idea ideas todo task tasks summary recap overview
    introduction conclusion conclusions takeaway takeaways attention ps p.s update edit edited aside
    see also key points in short for example tldr tl;dr important note side note fun fact key point core point main point
    main idea key idea big idea intuition motivation observation claim proof sketch recall reminder caveat insight lesson
    def defn thought thoughts first thought comment comments question idea todo fixme xxx trick tricks original es ex
    argument arguments reasoning 又如 再如 如 又 比如说
    nota esempio esempi osservazione soluzione attenzione obs observação exemplo exemplos solução resumo
    注意 注 备注 提示 例 例如 比如 举例 示例 例子 答 解 问 答案 问题 思路 总结 小结 说明 补充 ps 题目 解析 分析 重点 要点 核心 关键
    注意事项 小贴士 划重点 tips 重点掌握 掌握 熟记 记住 必背 做题思路 解题思路 典型例子 典型的例子 启发 启示 感悟 体会 evidence 设 令 假设 已知 同理""".split()
) | frozenset(
    {
        "see also",
        "key points",
        "in short",
        "for example",
        "side note",
        "fun fact",
        "important note",
        "key point",
        "core point",
        "main point",
        "main idea",
        "key idea",
        "big idea",
        "proof sketch",
        "first thought",
        "side evidence",
        "evidence",
        "typical example",
        "a typical example",
        "key formula",
        "key formulas",
        "key claim",
        "key claims",
        "key result",
        "key results",
        "可推出",
        "可得",
        "可知",
        "易知",
        "易得",
    }
)


#: Words that name one aspect of a subject (besides the judge's label words, folded):
#: ``Treatment``, ``概念``, ``实现`` ask something only beside what they are an aspect of.
ASPECT_WORDS = frozenset(
    """concept concepts principle principles mechanism mechanisms indications contraindications pathogenesis aetiology
    etiology details explanation implementation application applications example complexity performance cost costs
    advantages disadvantages strengths weaknesses characteristics structure composition classification meaning
    origin history role location regulation dosage dose adverse toxicity
    概念 性质 定理 推论 引理 公式 联系 补充 解析 流程 过程 实现 内部实现 用法 缺陷 好处 坏处 意义 含义 由来 历史 结构 组成 分类
    特征 影响 应用场景 使用场景 适用场景 性能 复杂度 时间复杂度 空间复杂度 代价 成本 局限 局限性 条件 前提 适用条件 推导 证明思路
    goal goals aim task tasks approach method methods idea core idea key idea basic idea contribution contributions novelty
    input inputs output outputs pipeline architecture result results limitation limitations dataset datasets metric metrics
    loss baseline setup training inference evaluation experiment experiments motivation challenge challenges
    principle general principle simple way usage test tests benefit benefits drawback drawbacks
    目标 任务 测试 基础 方法 办法 解决办法 解决方案 方案 思想 基本思想 核心思想 主要思想 思路 本质 特点 特性 优化 改进 创新点 贡献
    动机 输入 输出 结果 效果 作用 功能 用途 原因 原理 目的 场景 区别 缺点 优点 优势 劣势 不足 挑战 难点 问题
    concetto proprietà definizione struttura conceito propriedades definição estrutura manifestations""".split()
) | frozenset(
    {
        "clinical manifestations",
        "clinical features",
        "clinical presentation",
        "key features",
        "key clinical features",
        "signs and symptoms",
        "risk factors",
        "side effects",
        "adverse effects",
        "mechanism of action",
    }
)


#: Keys whose value describes the note, not its subject (folded).
METADATA_KEYS = frozenset(
    """date dates created updated modified time author authors by tags tag source sources link links url urls website
    site status type category categories alias aliases title id uid rating priority version published publisher
    year pages isbn doi course lecturer teacher professor instructor location place due deadline reviewed review
    cssclass cssclasses template parent up related previous next prev prerequisite prerequisites origin
    reference references ref refs via from read started finished progress owner assignee project area
    github repo repository paper arxiv pdf video youtube book blog article slides code homepage email username
    password user host hostname port ip server account login pwd item type
    作者 日期 时间 标签 来源 链接 地址 参考 参考资料 参考文献 状态 分类 类型 出处 原文 网址 更新 创建 版本 课程
    老师 讲师 上一层级 属性 相关 论文 代码 视频 博客 文章 官网 主页 邮箱 评分 下载 书籍 单位 时长
    autore fonte stato tipo data fonti riferimenti corso professore autor fonte estado tipo referências citekey textbook
    教材 参考书 推荐书籍 推荐阅读""".split()
) | frozenset(
    {
        "cite key",
        "citation key",
        "item type",
        "date added",
        "date modified",
        "access date",
        "last modified",
        "libro consigliato",
        "libri consigliati",
        "recommended book",
        "recommended books",
        "recommended reading",
    }
)


#: Headings whose text is about the note, not a fact of the subject (folded).
GENERIC_HEADINGS = frozenset(
    """introduction intro summary conclusion conclusions references reference sources source resources links link
    bibliography notes note todo tasks tags misc miscellaneous other others appendix changelog contents toc index
    preface abstract acknowledgements acknowledgments readme example examples exercise exercises questions
    further reading see also related table of contents overview recap outline agenda plan ideas thoughts
    comments discussion faq q&a homework assignment lecture lectures meeting meetings journal log
    总结 小结 参考 参考资料 参考文献 引用 目录 前言 引言 附录 备注 其他 链接 相关链接 相关 待办 例子 示例 练习 习题
    思考 想法 笔记 读书笔记 问题 讨论 作业 介绍 简介 概述 导读 写在前面 最后 结语 后记 致谢
    introduzione riassunto conclusione conclusioni riferimenti bibliografia esempio esempi esercizi esercizio note
    indice sommario introdução resumo conclusão referências exemplo exemplos exercícios notas índice
    ipotesi tesi dimostrazione hypothesis thesis proof lemma 假设 结论 关注作者 关于作者 作者 day days giorno giorni dia dias""".split()
) | frozenset(
    {
        "further reading",
        "see also",
        "table of contents",
        "q & a",
        "to do",
        "key takeaways",
        "写在前面",
        "caso base",
        "passo induttivo",
        "base case",
        "inductive step",
        "induction step",
        "about me",
        "about the author",
    }
)


_GENERIC_AFFIX = re.compile(
    r"^(?:introduction|intro|overview|summary|notes?|references?|outline)\s+(?:to|of|on|for)\b|"
    r"^(?:chapter|section|part|subheading|heading|lecture|lesson|unit|week|day|capitolo|lezione|aula|unidade|parte)\s*\d+\b|"
    r"(?:介绍|简介|概述|概要|总结|小结|笔记|思考|参考|前言|导读|目录|汇总|资料|链接|推荐|心得|感想)$",
    re.IGNORECASE,
)


_DATE = re.compile(
    r"^(?:\d{4}[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|(?:19|20)\d{2}|"
    r"\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|gen|mag|giu|lug|ago|set|ott|dic)\w*\.?\s+\d{2,4}|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s+\d{1,2},?\s+\d{4}|"
    r"(?:day|week|giorno|settimana|lezione|lecture|class|session|dia|semana|aula|unit|unidade|unità|chapter|capitolo|capítulo|"
    r"module|modulo|módulo|lesson|part|parte|第)\s*[\dIVX]+\s*[天周课讲章节]?|\d+\s*(?:giorno|giorni|day|days|dia|dias|tag|天)|"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica))$",
    re.IGNORECASE,
)


_QUESTION_WORDS = re.compile(
    r"^(?:what|why|how|when|where|which|who|whom|whose|is|are|was|were|does|do|did|can|could|should|would|will|"
    r"o que|por que|porque|como|quando|qual|quais|quem|onde|perché|cosa|che cosa|come|quando|quale|quali|chi|dove)\b",
    re.IGNORECASE,
)


_ZH_QUESTION = re.compile(r"什么|为什么|为何|如何|怎么|怎样|哪些|哪个|哪种|哪里|是否|多少|几种|有何|何为|何时|吗$|呢$")


def subject_of(candidates: Sequence[str]) -> str | None:
    """The first of ``candidates`` (the bullets and headings above an aspect, nearest
    first, then the note's title) that names a thing an aspect (``Treatment``, ``优点``)
    can be asked of: not itself an aspect, a label or a generic heading, not a clause
    (``Labels are not facts``) and not a file name (``label_gaps``); None when none does.

    >>> subject_of(["Treatment", "Atopic dermatitis", "Skin"]), subject_of(["Labels are not facts", "label_gaps"])
    ('Atopic dermatitis', None)
    """
    for text in candidates:
        name = re.sub(r"^\s*(?:\d+(?:\.\d+)*\.?)\s+", "", text).strip()
        if not name or is_aspect(name) or is_passage_label(name) or generic_heading(name) is not None:
            continue
        if (
            term_problem(name, marked=True) is None
            and not clause_edge(name)
            and not re.search(r"\b(?:is|are|was|were|not)\b|_", name)
        ):
            return name
    return None


def is_question(text: str) -> bool:
    """Whether ``text`` asks something: it ends in ``?``/``？``, starts with an
    interrogative, or holds a Chinese question word.

    >>> is_question("Why is the sky blue"), is_question("进程和线程有什么区别"), is_question("RNA polymerase I")
    (True, True, False)
    """
    text = normalise(text).strip()
    return text.endswith("?") or bool(_QUESTION_WORDS.match(text)) or bool(_ZH_QUESTION.search(text))


def _core(text: str) -> str:
    """Folded, without a trailing colon, leading section number or list marker."""
    core = re.sub(r"^[^\w$`(\[]+", "", normalise(text).strip()).rstrip(":.").strip()  # ✔️解决办法: the label
    return re.sub(r"^(?:\d+(?:\.\d+)*\.?|[a-z]\)|[ivx]+\.)\s+", "", core)


def is_passage_label(text: str) -> bool:
    """``Note``, ``Example``, ``注意``: heads a passage and names nothing.

    >>> is_passage_label("Note:"), is_passage_label("注意"), is_passage_label("Treatment")
    (True, True, False)
    """
    return _core(text) in PASSAGE_LABELS


def is_aspect(text: str) -> bool:
    """A label that names one aspect of a subject (``Treatment``, ``优点``, ``Causes``,
    ``方法 1``): a question only with its subject.

    >>> is_aspect("Treatment"), is_aspect("优点："), is_aspect("Note"), is_aspect("Osmosis")
    (True, True, False, False)
    """
    core = _core(text)
    singular = core[:-1] if core.endswith("s") and len(core) > 4 else core  # Treatments, Causes
    return not is_passage_label(text) and any(
        is_label(c) or c in LABEL_WORDS or c in ASPECT_WORDS for c in (core, singular)
    )


def is_metadata(text: str) -> bool:
    """``Date``, ``Author``, ``Source``, ``来源``: describes the note, not its subject.

    >>> is_metadata("Date"), is_metadata("来源"), is_metadata("Osmosis")
    (True, True, False)
    """
    return _core(text) in METADATA_KEYS


def generic_heading(text: str) -> str | None:
    """Why a heading names nothing a paragraph under it could define, or None.

    >>> generic_heading("References"), generic_heading("2023-05-01"), generic_heading("15 gen 2018")
    ('a generic heading (References)', 'a date', 'a date')
    >>> generic_heading("方法 1"), generic_heading("3. Liberation") is None, generic_heading("RNA polymerase I") is None
    ('a numbered label (方法 1)', True, True)
    """
    if _DATE.match(normalise(text).strip().rstrip(":").strip()):
        return "a date"
    core = _core(text)
    if not core or not re.search(r"[^\W\d_]", core):
        return "a heading without words"
    if len(core) < 2:
        return "a heading of one letter"
    if core in GENERIC_HEADINGS or core in PASSAGE_LABELS or _GENERIC_AFFIX.search(core):
        return f"a generic heading ({text.strip()})"
    if is_numbered(core):
        return f"a numbered label ({text.strip()})"
    return None


#: Words that start a clause, not a name (folded).
_CLAUSE_START = frozenset(
    """we i you they he she it this that these those there here let let's lets so but and or if when then first firstly in
    secondly finally also now thus hence therefore however because since although while where which who
    noi io voi loro questo questa quindi poi se quando allora nós eu você eles isso esta este então depois se quando""".split()
)


#: Verbs that make a clause of what comes before a colon (folded).
_CLAUSE_VERB = frozenset(
    """is are was were be been being am has have had do does did can could will would should shall may might must
    need needs show shows means mean gives give get gets make makes use used uses said says see saw look looks
    é são era eram foi foram tem têm pode podem deve devem è sono era erano ha hanno può possono deve devono""".split()
)


_ZH_CLAUSE = re.compile(
    r"[我你他她咱们吗呢吧啊呀这那就]|说|问|看到|想|如下|以下|下面|如图|所示|首先|然后|其次|最后|因为|所以|但是|如果|可以|需要|"
    r"记住|得到|可得|应该|还是|已经|一下|还有|(?<!是)是(?!否)"
)


#: How a Chinese clause starts (a condition, a connective, "let x …") or ends (a verb
#: waiting for its object: 则有, 可得, 记为).
_ZH_EDGE = re.compile(
    r"^(?:对于|假设|假如|特殊地|特别地|一般地|同理|其中|此时|这时|只有|只要|为了|由于|于是|从而|因此|注意到|可知|易知|显然|可见|"
    r"即|则|故|先|再|然后|首先|最后|得|或者|或|亦即|也就是|[令设若当取记对由因有在将把]\s*[$\\A-Za-z(（])"
    r"|(?:则有|可得|可知|即有|记为|记作|如下|以下|(?<![规原法准细否])则|(?<![行作认称成因以])为|(?<![所拥具含没特共固私公])有|(?<![获取求记心觉])得)$"
)


#: A label in two words or more: ``Example of …``, ``Motivating problem``, ``Dirty way`` (folded).
_LABEL_HEADS = frozenset(
    """eg e.g ex example examples esempio esempi exemplo note nota remark hint tip another two three four five six
    several many problem question solution answer idea""".split()
)


_LABEL_TAILS = frozenset(
    "problem problems question questions way ways case idea ideas thought thoughts point points remark remarks example examples note notes trick tricks hint hints tip tips issue issues".split()
)


#: A Chinese count before a classifier: what follows lists things, the words before name none.
_COUNT = re.compile(r"[一二两三四五六七八九十几多]\s*[种个点类条步项大]")


_WORD = re.compile(r"[A-Za-z\u00c0-\u024f0-9][\w'’\-.]*")


_HAN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


TERM_WORDS = 6


TERM_HAN = 12


TERM_CHARS = 60


_NUMBERED = re.compile(
    r"^(?:案例|例子|示例|实验|作业|题|情况|场景|条件|版本|unit|lecture|lesson|chapter|section|figure|fig|table|question|q|task|"
    r"item|point|note|exercise|esercizio|esempio|exemplo|caso|passo|subheading|heading|level|stage|phase|round|version)\s*[0-9一二三四五六七八九十]+(?:\.\d+)*[.)]?$",
    re.IGNORECASE,
)


_ORDINAL_WORD = re.compile(
    r"^(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|last|next|final|primo|secondo|terzo|primeiro|segundo|terceiro)$",
    re.IGNORECASE,
)


def is_numbered(text: str) -> bool:
    """A numbered label (``案例4``, ``Step 2``, ``Figure 3``, ``定理 4``, ``2nd``): names
    a place in the note, not a thing.

    >>> is_numbered("案例4"), is_numbered("Figure 3."), is_numbered("2nd"), is_numbered("Python 3")
    (True, True, True, False)
    """
    core = _core(text)
    return is_ordinal(core) or bool(_NUMBERED.match(core)) or bool(_ORDINAL_WORD.match(core))


def dated(path: Sequence[str]) -> bool:
    """Whether a heading path runs through a date (``2023-05-01``, ``giorno 3``, ``Day 2``):
    what stands under it is a log of that day, not a fact to learn."""
    return any(generic_heading(heading) == "a date" for heading in path)


def term_problem(text: str, *, marked: bool = False) -> str | None:
    """Why ``text`` (what stands before a colon) is not a term, or None when it names
    one. ``marked``: the writer set it in bold, italics or code, so only its length,
    labels and metadata count, not how it reads.

    >>> term_problem("Osmosis"), term_problem("互斥信号量 mutex"), term_problem("M3 (q)")
    (None, None, None)
    >>> term_problem("Date"), term_problem("Note"), term_problem("The rest is easy")
    ('metadata (Date)', 'a label (Note)', 'reads as a clause, not a term')
    >>> term_problem("从网上看到一个"), term_problem("2 factors"), term_problem("One two three four five six seven")
    ('reads as a clause, not a term', 'starts with a number', 'too long for a term')
    >>> term_problem("图中橙色部分"), term_problem("兼容性(surface format"), term_problem("Motivating problem")
    ('points at a figure', 'reads as a clause, not a term', 'a label (Motivating problem)')
    >>> term_problem("Geometrically"), term_problem("实现方案有两种"), term_problem("Supply") is None
    ('a label (Geometrically)', 'a count (两种, 三点), not a term', True)
    >>> term_problem("典型的例子")
    'a label (典型的例子)'
    """
    core = " ".join(text.split())
    if not core or not re.search(r"[^\W\d_]", core):
        return "no words"
    if is_metadata(core):
        return f"metadata ({core})"
    if is_passage_label(core):
        return f"a label ({core})"
    if is_numbered(core):
        return f"a numbered label ({core})"
    words, han = len(_WORD.findall(re.sub(r"\$[^$]*\$|`[^`]*`", "x", core))), len(_HAN.findall(core))
    if len(core) > TERM_CHARS + 20 * marked or words > TERM_WORDS + 4 * marked or han > TERM_HAN + 8 * marked:
        return "too long for a term"
    if marked:
        return None
    if re.match(r"^\d+(?:[.,]\d+)?\s", core) or re.fullmatch(r"[\d\s.,:/-]+", core):
        return "starts with a number"
    if core[0] in "「『“\"'‘(（[【<《-—–*>#|":
        return "starts with punctuation"
    if (
        re.search(r"[,，。;；!！?？]", core)
        or core.count("(") != core.count(")")
        or core.count("（") != core.count("）")
    ):
        return "reads as a clause, not a term"
    if re.search(r"→|->|=>|⇒|⟶|←|<-|<=>|⇔", re.sub(r"\$[^$]*\$", " ", core)):
        return "a relation, not a term"
    if re.search(
        r"(?<![\w])(?:the|this|that)\s+(?:figure|picture|image|diagram|graph|table)(?![\w])|图中|上图|下图|此图|该图",
        core,
        re.IGNORECASE,
    ):
        return "points at a figure"
    tokens = [w.casefold() for w in _WORD.findall(core)]
    if clause_edge(core) or any(t in _CLAUSE_VERB for t in tokens) or _ZH_CLAUSE.search(core):
        return "reads as a clause, not a term"
    if len(tokens) >= 2 and (tokens[0].rstrip(".") in _LABEL_HEADS or tokens[-1].rstrip(".") in _LABEL_TAILS):
        return f"a label ({core})"
    if (
        len(tokens) == 1
        and re.search(r"(?:ally|ively|ently|antly|ously|arly|ately|ibly|ably|ctly|ssly|efly|ughly)$", tokens[0])
        and not _HAN.search(core)
    ):
        return f"a label ({core})"  # Geometrically, Intuitively: a way of seeing, not a thing
    if _COUNT.search(core):
        return "a count (两种, 三点), not a term"
    return None


def clause_edge(text: str) -> bool:
    """Whether ``text`` starts as a clause does (``If``, ``We``, ``若 $x$``, ``对于``) or
    ends on a verb waiting for its object (``则有``, ``记为``): a lead-in, not a name.

    >>> clause_edge("若 $x$ 为整数"), clause_edge("When the list is empty"), clause_edge("Gamma 函数"), clause_edge("运算规则")
    (True, True, False, False)
    """
    text = " ".join(text.split())
    tokens = [w.casefold() for w in _WORD.findall(text)]
    first = tokens[0] if tokens and re.match(r"^\W*[A-Za-z\u00c0-\u024f]", text) else ""
    # Sostituendo l'ipotesi …, Combiniamo i termini: a gerund or a "we" verb opens a clause
    gerund = len(first) > 6 and first.endswith(("ando", "endo", "iamo", "emos", "amos"))
    return first in _CLAUSE_START or gerund or bool(_ZH_EDGE.search(text))


def says_something(text: str, *, words: int = 2, han: int = 4) -> bool:
    """At least ``words`` words (of two letters or more) or ``han`` CJK characters."""
    return len(re.findall(r"[^\W\d_]{2,}", text)) >= words or len(_HAN.findall(text)) >= han


def is_title(text: str) -> bool:
    """Words in Title Case (a paper's or a book's title): names a work, defines nothing.

    >>> is_title("On the Fairness of Detection and Re-Identification in Multiple Object Tracking")
    True
    >>> is_title("a protease that carries out apoptosis"), is_title("Binds Programmed Death Protein Ligand 1 and 2 (PDL1 and 2).")
    (False, False)
    """
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", text)]
    small = {
        "a",
        "an",
        "the",
        "of",
        "for",
        "and",
        "or",
        "in",
        "on",
        "to",
        "via",
        "with",
        "by",
        "at",
        "from",
        "is",
        "all",
        "you",
        "need",
    }
    big = [w for w in words if w.casefold() not in small]
    sentence = re.search(r"[.;。]\s", text) or text.rstrip().endswith((".", "。"))  # a title has no full stop
    return len(words) >= 4 and len(big) >= 3 and sum(w[0].isupper() for w in big) >= 0.8 * len(big) and not sentence


_POINTER = re.compile(
    r"^\s*(?:see(?:\s+(?:here|also|the|this|:))?|refer\s+to|cf\.?|vedi|veja|siehe|参考|参见|详见|见|请看|具体见)(?:\s|[:：]|$)",
    re.IGNORECASE,
)


_POINTER_INSIDE = re.compile(r"(?<![\w])(?:see here|see also|refer to|详见|参见|请参考)(?![\w])", re.IGNORECASE)


def is_pointer(text: str) -> bool:
    """Text that only sends the reader elsewhere (``See here: Drug Metabolism``,
    ``refer to advance_c++_skills.md``, ``详见 …``): no answer to recall.

    >>> is_pointer("See here: Drug Metabolism"), is_pointer("For classification, see here: Glands"), is_pointer("Seeds germinate in spring.")
    (True, True, False)
    """
    return len(text) < 120 and bool(_POINTER.match(text) or _POINTER_INSIDE.search(text))


#: What stands before the colon of the writer's own cards (claimed before this kind runs).
_EXPLICIT = frozenset(
    {
        "q",
        "a",
        "问",
        "答",
        "问题",
        "答案",
        "question",
        "answer",
        "front",
        "back",
        "text",
        "extra",
        "tags",
        "deck",
        "target deck",
        "file tags",
    }
)


def _links_out(tokens: list[Token]) -> bool:
    """A short definition that points to a web page (a bare URL or a link to one): a
    bookmark (``PhysX in the browser: https://…``), not what the term means. A definition
    that says more (twelve words, twenty-four CJK characters) keeps its link.

    >>> from cards.notes.markdown import markdown
    >>> _links_out(markdown().parseInline("WebAssembly PhysX: https://example.org/post")[0].children)
    True
    """
    out = any(
        (t.type == "link_open" and str(t.attrGet("href") or "").startswith(("http://", "https://")))
        or (t.type == "text" and re.search(r"https?://|www\.", t.content))
        for t in tokens
    )
    words = re.sub(r"(?:https?://|www\.)\S*", " ", prose(tokens, links=False))
    return out and len(re.findall(r"[^\W\d_]{2,}", words)) < 12 and len(re.findall(r"[\u4e00-\u9fff]", words)) < 24


def _says_something(tokens: list[Token]) -> bool:
    """A definition that holds words, a number or a formula, not only links, images or a URL."""
    if not tokens:
        return False
    if any(t.type.startswith("math") or t.type == "code_inline" for t in tokens):
        return True
    text = prose(tokens, links=False)
    if re.search(r"#\+[A-Z_]+", text):
        return False  # org-mode directives (#+END_IMPORTANT): markup, not a definition
    return bool(re.search(r"[^\W_]", re.sub(r"(?:https?://|www\.)\S*", " ", text)))


def entry_verdict(term: list[Token], definition: list[Token], marked: bool) -> tuple[bool, str | None]:
    """(is a candidate at all, why it is no term). Not a candidate: an explicit card's
    key, a time, a URL, nothing after the colon, a lead-in (``…as follows:``), a
    sentence before the colon. A candidate with a reason: a label or metadata."""
    name, value = tokens_text(term), tokens_text(definition)
    if not name or name.casefold() in _EXPLICIT or name.casefold().endswith(("http", "https", "ftp")):
        return False, None
    if name[-1:].isdigit() and value[:1].isdigit():  # a time, a ratio, a verse
        return False, None
    if not _says_something(definition) or value.endswith((":", "：", "?", "？")) or personal(value):
        return False, None  # nothing after the colon, a lead-in, a question, a remark
    if (
        not marked
        and not re.search(r"[^\W\d_]{4,}|[\u4e00-\u9fff]", value)
        and not any(t.type.startswith("math") for t in definition)
    ):
        return False, None  # a setting's value (容量: 30000, schedule: 80k), not a definition
    if not marked and re.fullmatch(r"\S*[\\/]\S*", value):
        return False, None  # a path (D:\exec\bin, /usr/include): a setting
    if is_title(value) or is_pointer(value) or _links_out(definition):
        return False, None  # a paper's title after its short name; "see …"; a bookmark
    problem = term_problem(name, marked=marked) or letter_symbol(name, value)
    if problem is None:
        return True, None
    if problem.startswith("one letter"):
        return True, problem
    if problem.startswith(("metadata", "a label", "a numbered label")):
        return True, problem
    return False, None


def letter_symbol(name: str, definition: str) -> str | None:
    """A name of one letter is a symbol of one proof or formula (``H: there is an upper
    bound``), unless the definition spells it out (``T: Tumour size`` of TNM staging).

    >>> letter_symbol("H", "esiste almeno un maggiorante"), letter_symbol("T", "Tumour size/location")
    ('one letter, a symbol rather than a term (H)', None)
    """
    if len(name) != 1 or not name.isalpha() or "\u4e00" <= name <= "\u9fff":
        return None
    first = re.search(r"[^\W\d_]+", definition)
    return (
        None
        if first and first.group(0)[0].casefold() == name.casefold()
        else f"one letter, a symbol rather than a term ({name})"
    )


def term_reason(facts: TermFacts) -> str | None:
    """Why a term line the terms kind proposes states no fact: a label, metadata, a
    symbol (a colon's term only: a run of ``Term — definition`` bullets names terms), or
    an aspect (``Treatment:``) with nothing named above it to ask it of.

    >>> term_reason(TermFacts("Date", "2023-01-01", marked=False)), term_reason(TermFacts("Treatment", "Emollients", marked=True))
    ('metadata (Date)', 'a label (Treatment) with nothing named above it to ask it of')
    >>> term_reason(TermFacts("Treatment", "Emollients", marked=True, subject="Atopic dermatitis")) is None
    True
    """
    if not facts.dashed:
        problem = term_problem(facts.name, marked=facts.marked) or letter_symbol(facts.name, facts.definition)
        if problem is not None:
            return problem
    if is_aspect(facts.name) and not facts.subject:
        return f"a label ({facts.name}) with nothing named above it to ask it of"
    return None


def not_a_term(card: Candidate) -> str | None:
    """A term line that states no fact (rule ``not_a_fact`` for terms, :func:`term_reason`).

    >>> not_a_term(candidate_of("terms", "Date", back="2023-01-01", facts=TermFacts("Date", "2023-01-01", marked=False)))
    'metadata (Date)'
    """
    return term_reason(card.facts) if isinstance(card.facts, TermFacts) else None


#: A section number before a heading's words (``3.4``, ``IV.``, ``b)``).
SECTION_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVXivx]+\.|[A-Za-z]\))\s+(?=\S)")


def heading_problem(heading: str) -> str | None:
    """Why a heading cannot ask for its paragraph: a generic heading, a date, a numbered
    label, or a clause (too long for a term, or it opens as a clause does).

    >>> heading_problem("Introduction"), heading_problem("We can write the sum so"), heading_problem("RNA polymerase I")
    ('a generic heading (Introduction)', 'the heading is a clause, not a term or a question', None)
    """
    reason = generic_heading(heading)
    if reason is None and not is_question(heading):
        bare = SECTION_NUMBER.sub("", heading, count=1)
        if term_problem(bare, marked=True) == "too long for a term" or clause_edge(bare):
            reason = "the heading is a clause, not a term or a question"
    return reason


def names_an_aspect(heading: str) -> bool:
    """A heading asked with its subject (``Atopic dermatitis — Treatment``): it names an
    aspect, or ends in a colon, and is no question."""
    return (heading.rstrip().endswith((":", "：")) or is_aspect(heading)) and not is_question(heading)


def heading_reason(facts: HeadingFacts) -> str | None:
    """Why a heading and its paragraph state no fact (:func:`heading_problem`, or an
    aspect with nothing named above it to ask it of).

    >>> heading_reason(HeadingFacts("Treatment")), heading_reason(HeadingFacts("Treatment", "Atopic dermatitis")) is None
    ('an aspect (Treatment) with nothing named above it to ask it of', True)
    """
    reason = heading_problem(facts.heading)
    if reason is None and names_an_aspect(facts.heading) and not facts.subject:
        return f"an aspect ({facts.heading}) with nothing named above it to ask it of"
    return reason


def not_a_heading_fact(card: Candidate) -> str | None:
    """A section whose heading asks nothing (rule ``not_a_fact`` for sections, :func:`heading_reason`).

    >>> not_a_heading_fact(candidate_of("sections", "References", back="Smith 2020", facts=HeadingFacts("References")))
    'a generic heading (References)'
    """
    return heading_reason(card.facts) if isinstance(card.facts, HeadingFacts) else None
