"""Tests for cards.notes.reflow: collapsed notes get their structure back, others stay as is."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from cards.notes.reflow import Reflow, reflow

HERE = Path(__file__).parent / "reflow"
KEEP = sorted((HERE / "keep").glob("*.md"))
COLLAPSED = sorted(p for p in (HERE / "collapsed").glob("*.md") if not p.name.endswith(".expected.md"))
EXPECTED = sorted((HERE / "collapsed").glob("*.expected.md"))
SHAPES = sorted((HERE / "shape").glob("*.md")) + EXPECTED

MD = MarkdownIt("commonmark").enable("table").use(front_matter_plugin).use(tasklists_plugin)
PLAIN = MarkdownIt("commonmark").use(front_matter_plugin)  # keeps "[x] " in item text


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def tree(text: str) -> list[tuple[str, int, str]]:
    """The shape of a note: block tokens with their nesting level and their text."""
    shape = []
    for tok in MD.parse(text):
        if tok.type.endswith("_close") or tok.type in ("paragraph_open", "list_item_open"):
            continue  # list items are represented by their text, with level
        content = " ".join(tok.content.split()) if tok.type in ("inline", "front_matter") else ""
        shape.append((tok.type, tok.level, content))
    return shape


def outline(text: str) -> list[str]:
    """A readable outline (heading / list item text with indentation) for assertions."""
    lines, depth = [], 0
    for tok in PLAIN.parse(text):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif tok.type == "heading_open":
            lines.append(tok.tag)
        elif tok.type == "inline":
            lines.append("  " * depth + tok.content)
    return lines


def heading_titles(text: str) -> list[str]:
    toks = MD.parse(text)
    return [toks[i + 1].content for i, t in enumerate(toks) if t.type == "heading_open"]


# ------------------------------------------------------------------ keep corpus


def test_keep_corpus_is_large_enough() -> None:
    assert len(KEEP) >= 12


@pytest.mark.parametrize("path", KEEP, ids=lambda p: p.name)
def test_ordinary_notes_are_returned_unchanged(path: Path) -> None:
    text = read(path)
    result = reflow(text)
    assert result == Reflow(text, False)
    assert result.text == text  # byte for byte


@pytest.mark.parametrize("path", SHAPES, ids=lambda p: p.name)
def test_multi_line_notes_in_the_seed_shape_are_not_touched(path: Path) -> None:
    text = read(path)
    assert reflow(text) == Reflow(text, False)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "# C# - tips",
        "See issue #12 - fixed in 1.2.",
        "- a - b - c",
        "Q: 什么是 GRPO？ A: 一种不需要价值模型的 PPO 变体 - 用组内比较代替。",
        "a - b " * 40,
        "It costs 1. 2. 3. dollars - no, it is free - says the vendor " * 3,
    ],
)
def test_small_cases_are_unchanged(text: str) -> None:
    assert reflow(text) == Reflow(text, False)


# ------------------------------------------------------------------ collapsed notes


def test_collapsed_fixtures_exist() -> None:
    assert len(COLLAPSED) >= 3
    for path in COLLAPSED:
        body = read(path).split("\n---\n")[-1]
        assert body.strip().count("\n") == 0, f"{path.name} should be one line"


@pytest.mark.parametrize("path", COLLAPSED, ids=lambda p: p.name)
def test_collapsed_note_is_restored(path: Path) -> None:
    expected = read(path.with_name(path.stem + ".expected.md"))
    result = reflow(read(path))
    assert result.reflowed is True
    assert result.text == expected
    assert tree(result.text) == tree(expected)


def test_rlhf_pipeline_structure() -> None:
    out = outline(reflow(read(HERE / "collapsed" / "rlhf_pipeline.md")).text)
    text = "\n".join(out)
    # headings, with the title cut where the next block starts
    assert heading_titles(reflow(read(HERE / "collapsed" / "rlhf_pipeline.md")).text) == [
        "视频清单",
        "why",
        "what",
        "训练流程",
        "how",
        "图表解读",
        "测试实例",
        "how good",
        "inbox",
        "ref.",
    ]
    # task items stay flat items with their marker
    assert "  [x] 看完了?" in out and "  [ ] 写笔记? 还在想" in out
    # a question bullet owns the image that answers it
    assert (
        "  为什么 [[InstructGPT]] 只有 1.3B 参数,却比 175B 的 GPT-3 更受用户欢迎?\n    "
        "![](https://img.example.org/2024-rlhf-preference.png)" in text
    )
    # the image after "## 训练流程" is its own paragraph, then the numbered steps
    assert (
        "h2\n训练流程\n![](https://img.example.org/2024-rlhf-pipeline.jpeg)\n  **监督微调 (SFT)**\n    标注员" in text
    )
    # steps own their detail bullets
    assert "  **训练奖励模型 (Reward Model)**\n    对同一个提示" in text
    # image → takeaway, and the prose dashes stay in the sentence
    assert (
        "    标注员给出的偏好分数随模型规模平稳上升,说明对齐的收益并不依赖于规模,发现问题 - 修正 - 再评估....." in out
    )
    # label → case → result: three levels
    assert (
        "  指令遵循\n    [00:04:10](https://video.example.org/watch?v=abc&t=250s) 案例1:用三句话总结一篇论文\n"
        "      结果:严格三句,而且没有遗漏结论" in text
    )
    assert "  拒答能力\n    [00:12:30]" in text


def test_english_cases_and_steps() -> None:
    result = reflow(read(HERE / "collapsed" / "learning_rust.md"))
    out = outline(result.text)
    assert "      Result: E0382 use of moved value, fixed by passing &String" in out
    assert "  Closures" in out and "    Case 3: a closure that captures a counter by &mut" in out
    assert "      compiles" in out
    assert "   - A call like vec.push(vec.len()) reserves" in result.text  # 3-space indent under "4."
    assert "read - shrink - retry..." in result.text


def test_front_matter_is_kept() -> None:
    text = read(HERE / "collapsed" / "atomic_habits.md")
    result = reflow(text)
    assert result.reflowed
    assert result.text.startswith("---\ntitle: 原子习惯 Atomic Habits\ntags: [books, habits]\n---\n# 读书进度\n")
    assert MD.parse(result.text)[0].type == "front_matter"


def test_full_width_punctuation_counts() -> None:
    note = (
        "# 例子 - 软推理能力 - [00:01](https://v.example.org/1) 案例1：问一个脑筋急转弯 - 结果：答对了 "
        "- 深度思考 - [00:02](https://v.example.org/2) 案例2：为什么天空是蓝的？ - 讲清楚了 # 问答 "
        "- 这个模型会推理吗？ - 会一点"
    )
    out = outline(reflow(note).text)
    assert out == [
        "h1",
        "例子",
        "  软推理能力",
        "    [00:01](https://v.example.org/1) 案例1：问一个脑筋急转弯",
        "      结果：答对了",
        "  深度思考",
        "    [00:02](https://v.example.org/2) 案例2：为什么天空是蓝的？",
        "      讲清楚了",
        "h1",
        "问答",
        "  这个模型会推理吗？",
        "    会一点",
    ]


def test_code_span_and_fence_inside_a_collapsed_line_are_not_split() -> None:
    note = (
        "# setup - install with `pip install x - y # 1. z` - then run it "
        "- ```bash ls - la # 2. ``` # usage - [ ] try it - [x] read the docs"
    )
    result = reflow(note)
    assert result.reflowed
    assert "- install with `pip install x - y # 1. z`" in result.text
    assert "- ```bash ls - la # 2. ```" in result.text
    assert heading_titles(result.text) == ["setup", "usage"]


def test_collapsed_line_keeps_the_other_lines() -> None:
    line = read(HERE / "collapsed" / "learning_rust.md").strip()
    text = f"{line}\n\nwritten on the train\n"
    result = reflow(text)
    assert result.reflowed
    assert result.text.endswith("\n\nwritten on the train\n")


# ------------------------------------------------------------------ property: collapse → reflow


def test_collapse_then_reflow_recovers_the_tree() -> None:
    """Collapse every multi-line note in the seed's shape to one line; reflow; compare trees."""
    assert len(SHAPES) >= 10
    misses = []
    for path in SHAPES:
        original = read(path)
        if original.startswith("---\n"):
            end = original.index("\n---\n", 4) + 5
            front, body = original[:end], original[end:]
        else:
            front, body = "", original
        collapsed = front + " ".join(body.split())
        result = reflow(collapsed)
        if not (result.reflowed and tree(result.text) == tree(original)):
            misses.append(path.name)
    matched = 1 - len(misses) / len(SHAPES)
    print(f"\nreflow property: {len(SHAPES) - len(misses)}/{len(SHAPES)} = {matched:.0%} match; misses: {misses}")
    assert matched >= 0.9, misses


# A tiny generator of notes in the seed's shape, to vary the mix beyond the fixtures.
_words = st.sampled_from(["模型", "数据", "训练", "推理", "reward", "policy", "sample", "奖励", "梯度", "loss"])
_sentence = st.lists(_words, min_size=6, max_size=12).map(
    lambda ws: "，".join([" ".join(ws[:3]), "".join(ws[3:])]) + "。"
)
_title = st.lists(_words, min_size=1, max_size=3).map(" ".join)


@st.composite
def seed_shaped_note(draw: st.DrawFn) -> str:
    parts = [f"# {draw(_title)}", ""]
    for k in range(1, draw(st.integers(2, 5)) + 1):
        parts.append(f"{k}. **{draw(_title)}**")
        for _ in range(draw(st.integers(1, 3))):
            parts.append(f"   - {draw(_sentence)}")
    parts += ["", f"## {draw(_title)}", ""]
    for k in range(1, draw(st.integers(1, 4)) + 1):
        parts.append(f"- ![](https://img.example.org/{k}.png)")
        parts.append(f"  - {draw(_sentence)}")
    parts += ["", f"## {draw(_title)}", ""]
    for g in range(draw(st.integers(1, 3))):
        parts.append(f"- {draw(_title)}")
        for k in range(draw(st.integers(1, 3))):
            parts.append(f"  - [00:{g}{k}:00](https://v.example.org/{g}{k}) 案例{g}{k}：{draw(_title)}")
            parts.append(f"    - 结果：{draw(_sentence)}")
    parts += ["", "# ref.", "", f"- [ ] [{draw(_title)}](https://example.org/r)"]
    return "\n".join(parts) + "\n"


@settings(max_examples=60, deadline=None)
@given(seed_shaped_note())
def test_generated_notes_roundtrip(note: str) -> None:
    result = reflow(" ".join(note.split()))
    assert result.reflowed
    assert tree(result.text) == tree(note)
    assert reflow(note) == Reflow(note, False)  # the multi-line form itself is left alone


_pieces = st.sampled_from(
    [
        " # ",
        " ## ",
        " - ",
        " - [ ] ",
        " - [x] ",
        " 1. ",
        " 2. **",
        "**",
        " ![](u.png) ",
        "案例1:",
        "结果:",
        "Case 2: ",
        "?",
        "？",
        "`",
        "```",
        "[a](b)",
        "[[w]]",
        "\n",
        "---\n",
        " ",
        "word",
        "词语",
        "C#",
        "#12",
        ".....",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_pieces, st.text(max_size=8)), max_size=80).map("".join))
def test_any_text_is_safe_and_idempotent(text: str) -> None:
    result = reflow(text)
    assert isinstance(result, Reflow)
    if not result.reflowed:
        assert result.text == text
    else:
        assert "".join(result.text.split()) == "".join(text.split())  # only whitespace changes
        assert reflow(result.text).reflowed is False  # reflowing twice changes nothing more
