"""Write a deterministic synthetic vault of Markdown notes, for benchmarks and scale tests.

    python benchmarks/make_vault.py 5000 /tmp/vault --folders 2000 --seed 1

Real vaults are private, so the benchmarks need a stand-in that looks like one: the
same note shapes the extractors care about, in roughly the proportions a reading-heavy
vault has, spread over many folders (deck mapping and walking cost scale with them).
The same arguments always give byte-identical files, so a timing change between two
runs is the code's doing and not the data's.

Note styles (share of the vault):

- 40% bilingual reading notes shaped like the seed note: ``# why`` question, ``# what``
  with a numbered pipeline of bold steps and indented details, ``# how`` with figure
  bullets and ``案例`` cases, task items under ``# ref.``, empty headings;
- 25% English study notes: headings, paragraphs with ``**bold**`` and ``==highlights==``,
  a question bullet with one answer child;
- 15% explicit-syntax notes: ``Q:``/``A:``, ``问：``/``答：``, ``front :: back``, ``{{c1::...}}``;
- 10% Obsidian notes: YAML front matter, ``[[wikilinks]]``, ``#tags``, ``![[pixel.png]]``;
- 10% collapsed notes: a reading note with every whitespace run turned into one space,
  on one line and without a final newline, as the seed note arrived.

All wording is generated here from small word lists; nothing is copied from real notes.
"""

from __future__ import annotations

import argparse
import random
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

__all__ = ["make_vault", "STYLES", "ATTACHMENT"]

ATTACHMENT = "attachments/pixel.png"

# (style, share) in the order the plan fills them; the rounding remainder goes to the first.
STYLES: tuple[tuple[str, float], ...] = (
    ("reading", 0.40),
    ("study", 0.25),
    ("explicit", 0.15),
    ("obsidian", 0.10),
    ("collapsed", 0.10),
)

# ---------------------------------------------------------------- word lists

# (English, Chinese) topic pairs, so a bilingual note can name its topic both ways.
TOPICS: tuple[tuple[str, str], ...] = (
    ("attention", "注意力机制"),
    ("knowledge distillation", "知识蒸馏"),
    ("reinforcement learning", "强化学习"),
    ("retrieval augmentation", "检索增强"),
    ("spaced repetition", "间隔重复"),
    ("photosynthesis", "光合作用"),
    ("compound interest", "复利"),
    ("Bayesian updating", "贝叶斯更新"),
    ("gradient descent", "梯度下降"),
    ("cache eviction", "缓存淘汰"),
    ("consensus protocols", "共识协议"),
    ("information entropy", "信息熵"),
    ("reward modelling", "奖励建模"),
    ("mixture of experts", "混合专家"),
    ("tokenization", "分词"),
    ("protein folding", "蛋白质折叠"),
    ("supply and demand", "供求关系"),
    ("habit formation", "习惯养成"),
    ("note taking", "笔记方法"),
    ("chain of thought", "思维链"),
    ("rejection sampling", "拒绝采样"),
    ("index structures", "索引结构"),
    ("plate tectonics", "板块构造"),
    ("immune memory", "免疫记忆"),
)

TERMS = (
    "baseline",
    "benchmark",
    "checkpoint",
    "reward signal",
    "cold start",
    "long context",
    "evaluation set",
    "learning rate",
    "warm-up",
    "ablation",
    "feedback loop",
    "prior",
    "trade-off",
    "latency",
    "throughput",
    "working memory",
    "retrieval cue",
    "base model",
)

CN_TERMS = (
    "冷启动",
    "基准测试",
    "奖励信号",
    "长上下文",
    "评测集",
    "学习率",
    "消融实验",
    "反馈回路",
    "先验",
    "权衡",
    "延迟",
    "吞吐量",
    "工作记忆",
    "提取线索",
    "基础模型",
    "数据配比",
    "偏好对齐",
)

PIPELINE_HEADINGS_CN = ("训练过程", "工作流程", "核心步骤", "推导过程", "实验流程")
PIPELINE_HEADINGS_EN = ("Training pipeline", "How it works", "Pipeline", "The procedure", "Steps")

STEP_VERBS_CN = ("准备", "筛选", "构造", "预训练", "微调", "蒸馏", "对齐", "评估", "合并", "复盘")
STEP_VERBS_EN = (
    "Collect",
    "Filter",
    "Build",
    "Pre-train",
    "Fine-tune",
    "Distil",
    "Align",
    "Evaluate",
    "Merge",
    "Review",
)

CN_DETAIL_OPENERS = ("一开始先", "这一阶段", "接下来", "为了进一步", "在此基础上", "作者指出", "简单来说", "换句话说")
CN_DETAIL_MIDDLES = (
    "用少量高质量数据让模型学会基本格式",
    "把规则奖励和格式奖励结合起来",
    "只保留答案正确且可读的样本",
    "把大模型的能力迁移到小模型上",
    "在不同规模上重复同样的流程",
    "用人工偏好数据修正输出风格",
    "控制每一步的成本和收益",
    "让结果可以被复现和比较",
    "先验证小规模再扩大规模",
    "把失败的样本单独拿出来分析",
    "让输出长度随难度自然增长",
)
CN_DETAIL_ENDS = (
    "，为后面的阶段打基础。",
    "，效果提升很明显。",
    "，这是整个流程的关键。",
    "。",
    "，但代价是更多的计算。",
    "，可以理解为一次热身。",
)

EN_DETAIL = (
    "Start from a small, clean set so that the format is learned before the content.",
    "The reward mixes a correctness check with a formatting check.",
    "Only samples that are both correct and readable are kept for the next round.",
    "The large model's behaviour is copied into several smaller ones.",
    "Each stage is cheap to rerun, which makes ablations practical.",
    "Human preference data smooths the style without changing the reasoning.",
    "Longer answers appear on their own as the problems get harder.",
    "Failures are logged separately and reviewed by hand.",
    "The same recipe is repeated at three different model sizes.",
)

EN_SENTENCES = (
    "The idea is older than it looks, and most of the new work is in the details.",
    "A worked example makes the definition much easier to remember.",
    "The common mistake is to confuse the cause with the symptom.",
    "Measuring it directly is hard, so people use a proxy instead.",
    "It only pays off when the effect compounds over many rounds.",
    "The textbook version leaves out the cost, which matters in practice.",
    "Two quantities move in opposite directions, and the balance point is the answer.",
    "Once you see the pattern it shows up in unrelated fields as well.",
    "The second chapter repeats the argument with a concrete data set.",
    "Nobody measured this carefully until the early experiments failed.",
)

CN_SENTENCES = (
    "从结果来看，步骤越多准确率越高，但成本也随之上升。",
    "这一点很容易被忽略，但它决定了最后的上限。",
    "作者用一个很简单的例子说明了这个问题。",
    "不要盲目跟风，要抓住问题背后的原理和证据。",
    "如果数据本身有偏差，再好的方法也救不回来。",
    "这部分的实验设计值得以后反复参考。",
    "换一个角度看，这其实是一个权衡问题。",
    "模型似乎学会了先回溯再重新构建答案。",
)

CASES_CN = (
    "孩子数学考了38分该怎么办",
    "把16个单词分成4类",
    "找出第三个字母是A的国家",
    "用一颗子弹看守一百个犯人",
    "比较两家快餐店的定位",
    "编一个关于恐龙的笑话",
    "解释什么是人的主动性",
    "信息熵与知识管理的关系",
    "估算一座城市的钢琴调音师数量",
    "给一段代码找出隐藏的错误",
)
RESULTS_CN = (
    "没有抓住问题的本质",
    "分类只对了两组",
    "有一个字母错了",
    "大部分正确",
    "没能理解笑话的笑点",
    "编笑话的能力还不太好",
    "回答得很完整",
    "陷入了空泛的大词",
    "推理过程正确但结论错了",
    "给出了两种可行方案",
)
CASES_EN = (
    "estimating the number of piano tuners in a city",
    "sorting sixteen words into four groups",
    "spotting the bug in a short function",
    "explaining a pun",
    "planning a week of revision",
    "summarising a long legal clause",
    "converting a recipe for twelve people",
)
RESULTS_EN = (
    "close, but it skipped one assumption",
    "two of the four groups were right",
    "found the bug on the first try",
    "missed the joke entirely",
    "a sensible plan with no rest days",
    "accurate and short",
    "wrong unit in the last step",
)

TAKEAWAYS_CN = (
    "训练步数越多，平均回答长度越长",
    "小模型蒸馏后在数学题上接近大模型",
    "奖励只看格式时模型会投机取巧",
    "准确率在前几千步提升最快",
    "长链思考带来了更高的准确率",
    "语言混杂的问题在加入一致性奖励后减少",
)
TAKEAWAYS_EN = (
    "accuracy rises fastest in the first few thousand steps",
    "answers get longer as training goes on",
    "the distilled model nearly matches the teacher on maths",
    "format-only rewards get gamed quickly",
    "mixed-language outputs drop once consistency is rewarded",
)

FOLDER_WORDS = (
    "reading",
    "papers",
    "courses",
    "biology",
    "economics",
    "ml",
    "systems",
    "history",
    "languages",
    "books",
    "lectures",
    "projects",
    "journal",
    "math",
    "physics",
    "chemistry",
    "读书笔记",
    "论文",
    "课程",
    "video notes",
    "daily",
    "research",
    "ideas",
)
AREAS = ("areas", "archive", "resources", "学习", "inbox")


# ---------------------------------------------------------------- helpers


def _png() -> bytes:
    """A valid 1x1 RGBA PNG, built by hand so the generator needs no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x3c\x8c\xdc\xff", 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _size(lines: list[str]) -> int:
    return len("\n".join(lines).encode("utf-8"))


def _cn_detail(rng: random.Random, topic_cn: str) -> str:
    """One Chinese detail sentence; a third of them carry a **bold** key phrase."""
    middle = rng.choice(CN_DETAIL_MIDDLES)
    if rng.random() < 0.35:
        middle = f"**{middle}**"
    if rng.random() < 0.3:
        middle = f"围绕{rng.choice([topic_cn, rng.choice(CN_TERMS)])}，{middle}"
    return rng.choice(CN_DETAIL_OPENERS) + middle + rng.choice(CN_DETAIL_ENDS)


def _en_detail(rng: random.Random) -> str:
    """One English detail sentence, sometimes with its key term in bold."""
    sentence = rng.choice(EN_DETAIL)
    if rng.random() < 0.35:
        term = rng.choice(TERMS)
        sentence = f"{sentence[:-1]}, which sets the **{term}** for what follows."
    return sentence


def _indent(rng: random.Random) -> str:
    """Nested-bullet indent for one note: editors differ, and parsers must cope with each."""
    return rng.choice(("  ", "    ", "  ", "\t"))


# ---------------------------------------------------------------- note styles


def _reading(rng: random.Random, index: int) -> tuple[str, str]:
    """A bilingual reading note in the seed's shape; most are Chinese with English terms."""
    en, cn = rng.choice(TOPICS)
    chinese = rng.random() < 0.7
    ind = _indent(rng)
    target = rng.triangular(1500, 4000, 1750)
    fig = index * 100  # figure numbers unique across the vault
    title = f"{cn} 读书笔记" if chinese else f"Reading notes on {en}"
    lines: list[str] = []
    if rng.random() < 0.35:
        lines += [
            "# videos checklist",
            "- [x] seen?",
            f"- [{rng.choice(' x')}] note-taking? thinking about it?",
            "- [ ] share?",
        ]
    lines += ["# why"]
    if chinese:
        lines.append(f"- 在 [[{rng.choice(TERMS)}]] 中，{cn}为什么比{rng.choice(CN_TERMS)}更有效，却便宜很多？")
    else:
        lines.append(f"- Why does {en} beat the usual {rng.choice(TERMS)} while costing far less?")
    if rng.random() < 0.5:
        lines.append(f"- ![](https://example.com/fig-{fig}.png)")
    lines += ["# what", f"## {rng.choice(PIPELINE_HEADINGS_CN if chinese else PIPELINE_HEADINGS_EN)}"]
    if rng.random() < 0.5:
        lines.append(f"![](https://example.com/fig-{fig + 1}.png)")
    verbs = rng.sample(STEP_VERBS_CN if chinese else STEP_VERBS_EN, rng.randint(4, 6))
    for k, verb in enumerate(verbs, start=1):
        term = rng.choice(CN_TERMS if chinese else TERMS)
        step = f"{verb}{term}" if chinese else f"{verb} the {term}"
        if rng.random() < 0.3:
            step += f" ({rng.choice(TERMS)})" if chinese else f" ({rng.choice(CN_TERMS)})"
        lines.append(f"{k}. **{step}**")
        for _ in range(rng.randint(2, 3)):
            lines.append("   - " + (_cn_detail(rng, cn) if chinese else _en_detail(rng)))
    takeaways = TAKEAWAYS_CN if chinese else TAKEAWAYS_EN
    colon = rng.choice((":", "："))
    figures: list[str] = []
    cases: list[str] = []
    good: list[str] = []

    def add_figure() -> None:
        number = fig + 2 + len(figures) // 2
        figures.extend([f"- ![](https://example.com/fig-{number}.png)", f"{ind}- {rng.choice(takeaways)}"])

    def add_case() -> None:
        k = len(cases) // 2 + 1
        if chinese:
            link = ""
            if rng.random() < 0.4:
                t = rng.randint(60, 3599)
                link = f"[00:{t // 60:02d}:{t % 60:02d}](https://example.com/v?t={t}s) "
            cases.extend(
                [f"- {link}案例{k}{colon}{rng.choice(CASES_CN)}", f"{ind}- 结果{colon}{rng.choice(RESULTS_CN)}"]
            )
        else:
            cases.extend([f"- Case {k}: {rng.choice(CASES_EN)}", f"{ind}- Result: {rng.choice(RESULTS_EN)}"])

    def add_good() -> None:
        good.append(f"{ind}- {rng.choice(CN_SENTENCES if chinese else EN_SENTENCES)}")

    def assemble() -> list[str]:
        body = ["# how", "## 论文解读" if chinese else "## Reading the figures", *figures]
        body += ["## 测试实例" if chinese else "## Cases", *cases]
        if good:
            body += ["# how good", "- signal 与 noise" if chinese else "- signal and noise", *good]
        return lines + body

    for _ in range(rng.randint(1, 3)):
        add_figure()
    for _ in range(rng.randint(1, 3)):
        add_case()
    tail = ["# inbox", "# todo", "# ref."]
    tail.append(f"- [ ] [{'论文原文' if chinese else 'The paper'}](https://example.com/ref-{index}-a)")
    tail.append(f"- [x] [{'视频' if chinese else 'Talk'}: {en}](https://example.com/ref-{index}-b)")
    tail += ["# related.", "# archive."]
    tail_size = _size(tail)
    while _size(assemble()) + tail_size < target:
        roll = rng.random()
        (add_case if roll < 0.45 else add_good if roll < 0.7 else add_figure)()
    lines = assemble()
    return "\n".join(lines + tail) + "\n", title


def _collapsed(rng: random.Random, index: int) -> tuple[str, str]:
    """A reading note whose newlines were lost: every whitespace run becomes one space."""
    text, title = _reading(rng, index)
    return " ".join(text.split()), title


def _study(rng: random.Random, index: int) -> tuple[str, str]:
    """An English study note: prose with bold and highlighted key phrases, one Q/A bullet."""
    en, _ = rng.choice(TOPICS)
    ind = _indent(rng)
    target = rng.triangular(1300, 3200, 1800)
    term = rng.choice(TERMS)
    title = f"{en.capitalize()} — study notes"
    lines = [f"# {en.capitalize()}", ""]
    lines.append(
        f"{rng.choice(EN_SENTENCES)} The core of **{en}** is the {term}, and =={rng.choice(TERMS)} is what it trades "
        f"away==."
    )
    lines += ["", "## Key ideas", ""]
    for _ in range(rng.randint(2, 4)):
        lines.append(f"- {rng.choice(EN_SENTENCES)[:-1]}, so **{rng.choice(TERMS)}** matters.")
    lines += ["", "## Check yourself", ""]
    lines += [
        f"- What does the {term} control in {en}?",
        f"{ind}- It sets how much the {rng.choice(TERMS)} can change per step.",
    ]
    section = 0
    while _size(lines) < target:
        section += 1
        lines += ["", f"## Part {section}: {rng.choice(TERMS)}", ""]
        sentences = rng.sample(EN_SENTENCES, rng.randint(2, 4))
        k = rng.randrange(len(sentences))
        words = sentences[k].split()
        if len(words) > 4:
            a = rng.randrange(len(words) - 3)
            mark = rng.choice(("**", "=="))
            words[a] = mark + words[a]
            words[a + 2] = words[a + 2] + mark
            sentences[k] = " ".join(words)
        lines.append(" ".join(sentences))
    lines += ["", "## Summary", "", f"{rng.choice(EN_SENTENCES)} Remember the ==one-line version== of {en}."]
    return "\n".join(lines) + "\n", title


def _explicit(rng: random.Random, index: int) -> tuple[str, str]:
    """Cards written by hand: Q/A pairs in two languages, ``::`` lines, a cloze sentence."""
    en, cn = rng.choice(TOPICS)
    target = rng.triangular(900, 2600, 1300)
    title = f"Flashcards {en}"
    lines = [f"# Flashcards: {en}", ""]
    n = 0
    while True:
        n += 1
        term = rng.choice(TERMS)
        cn_term = rng.choice(CN_TERMS)
        lines += [f"Q: What is the role of the {term} in {en}?", f"A: {rng.choice(EN_DETAIL)}", ""]
        lines += [f"问：{cn}里的{cn_term}指的是什么？", f"答：{rng.choice(CN_SENTENCES)}", ""]
        lines += [f"{term} :: {rng.choice(EN_SENTENCES)}", ""]
        lines += [
            f"In {en}, the {{{{c1::{term}}}}} decides {rng.choice(('the pace', 'the cost', 'the ceiling'))} of the "
            f"whole process.",
            "",
        ]
        if _size(lines) >= target or n > 20:
            break
    return "\n".join(lines), title


def _obsidian(rng: random.Random, index: int) -> tuple[str, str]:
    """An Obsidian note: front matter, wikilinks, inline tags and an embedded attachment."""
    en, cn = rng.choice(TOPICS)
    ind = _indent(rng)
    target = rng.triangular(1000, 3000, 1500)
    tags = sorted(
        {
            en.split()[0].lower(),
            rng.choice(("reading", "ml", "review", "zh")),
            rng.choice(("todo", "evergreen", "seed")),
        }
    )
    lines = ["---"]
    if rng.random() < 0.5:
        lines.append(f"tags: [{', '.join(tags)}]")
    else:
        lines += ["tags:", *(f"  - {t}" for t in tags)]
    lines += [
        "aliases:",
        f"  - {cn}",
        f'  - "{en} (notes)"',
        f"created: 2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "---",
        "",
    ]
    title = f"{en.capitalize()} in Obsidian"
    lines += [
        f"# {en.capitalize()}",
        "",
        f"Related to [[{rng.choice(TERMS)}]] and [[{rng.choice(TOPICS)[0]}|{rng.choice(TERMS)}]]. #{tags[0]} "
        f"#area/{rng.choice(('ml', 'bio', 'econ'))}",
        "",
        f"![[{ATTACHMENT.rsplit('/', 1)[1]}]]" if rng.random() < 0.6 else f"![[{ATTACHMENT.rsplit('/', 1)[1]}|200]]",
        "",
    ]
    while _size(lines) < target:
        term = rng.choice(TERMS)
        if rng.random() < 0.2:
            lines += ["", f"{rng.choice(EN_SENTENCES)} See [[{rng.choice(TOPICS)[0]}]] for the ==longer version==.", ""]
        lines.append(f"- The **{term}** links to [[{rng.choice(TERMS)}]] #{rng.choice(('review', 'idea', 'quote'))}")
        if rng.random() < 0.4:
            lines += [f"- Why does the {term} matter here?", f"{ind}- {rng.choice(EN_SENTENCES)}"]
    return "\n".join(lines) + "\n", title


GENERATORS: dict[str, Callable[[random.Random, int], tuple[str, str]]] = {
    "reading": _reading,
    "study": _study,
    "explicit": _explicit,
    "obsidian": _obsidian,
    "collapsed": _collapsed,
}


# ---------------------------------------------------------------- the vault


def _plan_styles(rng: random.Random, n: int) -> list[str]:
    """Exactly the STYLES shares of ``n`` (rounded), shuffled, so small vaults still mix."""
    counts = [int(n * share) for _, share in STYLES]
    # hand out the rounding remainder by largest fractional part (stable on ties)
    order = sorted(range(len(STYLES)), key=lambda i: -(n * STYLES[i][1] - counts[i]))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    plan = [name for (name, _), c in zip(STYLES, counts) for _ in range(c)]
    rng.shuffle(plan)
    return plan


def _plan_folders(rng: random.Random, k: int) -> list[str]:
    """``k`` distinct folder paths; about a quarter nest one level under an area folder.

    Area folders hold no notes themselves, so exactly ``k`` folders contain notes.
    """
    used: set[str] = set()
    folders: list[str] = []
    for j in range(k):
        base = rng.choice(FOLDER_WORDS)
        if base in used:
            base = f"{base}-{j}"
        used.add(base)
        if k > 1 and rng.random() < 0.25:
            folders.append(f"{rng.choice(AREAS)}/{base}")
        else:
            folders.append(base)
    return folders


def _file_name(rng: random.Random, title: str, index: int) -> str:
    """A unique, portable file name: the title (spaces and CJK kept) and a serial number."""
    safe = " ".join("".join(ch for ch in title if ch.isalnum() or ch in " -_.").split()).strip(" .")
    ext = ".markdown" if rng.random() < 0.03 else ".md"
    return f"{safe} {index:05d}{ext}"


def make_vault(n: int, out: Path, *, folders: int | None = None, seed: int = 0) -> list[Path]:
    """Write ``n`` notes under ``out`` and return their paths, in generation order.

    Also writes one attachment, ``attachments/pixel.png``, that the Obsidian notes
    embed; it is not in the returned list. Existing files are overwritten, others left
    alone. ``folders`` defaults to ``n // 50 + 1``.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    k = n // 50 + 1 if folders is None else folders
    if k < 1:
        raise ValueError("folders must be >= 1")
    rng = random.Random(seed)
    styles = _plan_styles(rng, n)
    folder_names = _plan_folders(rng, k)
    slots = [i % k for i in range(n)]
    rng.shuffle(slots)
    out.mkdir(parents=True, exist_ok=True)
    png = out / ATTACHMENT
    png.parent.mkdir(parents=True, exist_ok=True)
    png.write_bytes(_png())
    paths: list[Path] = []
    for index, (style, slot) in enumerate(zip(styles, slots)):
        text, title = GENERATORS[style](rng, index)
        path = out / folder_names[slot] / _file_name(rng, title, index)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: parse arguments, write the vault, print a one-line summary."""
    parser = argparse.ArgumentParser(description="Write a deterministic synthetic Markdown vault.")
    parser.add_argument("n", type=int, help="number of notes")
    parser.add_argument("out", type=Path, help="output folder (created if missing)")
    parser.add_argument("--folders", type=int, default=None, help="number of note folders (default: N // 50 + 1)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must be >= 0")
    if args.folders is not None and args.folders < 1:
        parser.error("--folders must be >= 1")
    paths = make_vault(args.n, args.out, folders=args.folders, seed=args.seed)
    size = sum(p.stat().st_size for p in paths)
    dirs = len({p.parent for p in paths})
    avg = size / len(paths) if paths else 0
    print(
        f"wrote {len(paths)} notes in {dirs} folders to {args.out} ({size / 1e6:.1f} MB, {avg / 1e3:.1f} KB per note)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
