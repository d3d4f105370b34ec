"""The extractors' rules one at a time, and invariants over ``sample_notes/``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from cards.deck.ids import natural_key
from cards.deck.state import State, identify
from cards.extract import EXTRACTORS
from cards.notes.inline import ends_with_question
from cards.pipeline.run import collect
from cards.preview.json_view import card_objects
from cards.text import fold, normalise

SAMPLES = Path(__file__).resolve().parent.parent / "sample_notes"


def kinds(cards) -> list[str]:
    return [c.kind for c in cards]


# ------------------------------------------------------------ full/half width


@pytest.mark.parametrize(
    "full, half",
    [
        ("问：GRPO 去掉了什么？\n答：价值模型。", "问:GRPO 去掉了什么?\n答:价值模型。"),
        ("Q：What is RL？ A：Learning from reward.", "Q: What is RL? A: Learning from reward."),
        ("- 为什么更长？\n  - 模型在思考。", "- 为什么更长?\n  - 模型在思考。"),
        ("- 案例1：孩子考了38分\n  - 结果：没抓住本质", "- 案例1:孩子考了38分\n  - 结果:没抓住本质"),
    ],
)
def test_full_and_half_width_punctuation_give_the_same_card(cards_from, full: str, half: str) -> None:
    (a,), (b,) = cards_from(full), cards_from(half)
    assert (a.kind, a.model) == (b.kind, b.model) == ("qa", "basic")
    assert natural_key(a) == natural_key(b)


def test_fold_reads_full_width_as_half_width() -> None:
    assert fold("：？，！（）") == ":?,!()"
    assert ends_with_question("为什么？ ") and ends_with_question("why?")
    assert normalise("  Ｑ：Ｗｈｙ？ ") == "q:why?"


def test_a_label_ending_in_a_full_width_comma_is_not_a_term(cards_from) -> None:
    assert cards_from("- 软推理能力，\n  - 不是解释") == []
    assert kinds(cards_from("- 软推理能力\n  - 没有标准答案时的推理能力")) == ["qa"]


# ------------------------------------------------------------ steps


def test_step_title_is_the_leading_bold_phrase_else_the_first_line(cards_from) -> None:
    cards = cards_from("1. **Mix** flour and water\n2. Rest the dough\n   for an hour\n")
    assert [c.identity for c in cards] == ["Mix", "Rest the dough"]
    assert cards[0].front == '<ol class="steps"><li>{{c1::Mix}}</li><li>Rest the dough</li></ol>'
    assert cards[0].back == "<p><b>Mix</b> flour and water</p>"
    assert cards[1].back == "<p>Rest the dough<br>for an hour</p>"


def test_step_details_stay_off_the_question_side(cards_from) -> None:
    cards = cards_from(
        "## Training pipeline\n\n1. **Cold start**\n   - a few thousand CoT samples\n2. **Reasoning RL**\n   - "
        "rule-based rewards\n"
    )
    for card in cards:
        assert "samples" not in card.front and "rewards" not in card.front
    assert "a few thousand CoT samples" in cards[0].back
    assert "rule-based rewards" in cards[1].back


def test_steps_context_is_the_heading_path_and_the_parent_bullet(cards_from) -> None:
    cards = cards_from("# what\n\n## 训练过程\n\n- 两个阶段\n  1. **冷启动**\n  2. **强化学习**\n", path="r1.md")
    assert [c.context for c in cards] == [("r1", "what", "训练过程", "两个阶段")] * 2


@pytest.mark.parametrize(
    "markdown",
    [
        "- **a** one\n- **b** two\n",  # unordered
        "1. **only** one step\n",
        "1. [ ] task\n2. [x] task\n",
        "1. [link](https://example.org)\n2. [[Page]]\n",
        "1. {{c1::hand}} written\n2. plain step\n",
    ],
)
def test_lists_that_are_not_pipelines(cards_from, markdown: str) -> None:
    assert "steps" not in kinds(cards_from(markdown))


def test_step_images_are_media_of_every_card(cards_from, note_from) -> None:
    from cards.extract import Context, extract_cards

    note = note_from("## Steps\n\n1. ![](a.png) look\n2. **Two**\n")
    cards = extract_cards(note, ctx=Context(resolve_image=lambda t: t), density="all")
    assert [c.media for c in cards] == [("a.png",), ("a.png",)]


# ------------------------------------------------------------ claims between kinds


def test_a_qa_bullet_is_not_also_a_phrase(cards_from) -> None:
    cards = cards_from("- Why does **GRPO** need no critic?\n  - It compares **a group** of answers.\n")
    assert kinds(cards) == ["qa"]


def test_a_figure_takeaway_may_also_be_a_phrase(cards_from) -> None:
    cards = cards_from("- ![](https://example.org/a.png)\n  - The model learns to **think**.\n")
    assert kinds(cards) == ["figure", "phrases"]


def test_a_question_answered_only_by_tasks_is_not_a_card(cards_from) -> None:
    assert cards_from("- Why?\n  - [ ] find out\n") == []
    (card,) = cards_from("- Why?\n  - [ ] find out\n  - because\n")
    assert card.back == "<ul><li>because</li></ul>"


# ------------------------------------------------------------ Obsidian


def test_trailing_tags_tag_the_note_and_leave_the_text(cards_from) -> None:
    (card,) = cards_from("The cell's **powerhouse** is the mitochondrion. #biology #exam/final\n", kinds={"phrases"})
    assert card.front == "The cell's {{c1::powerhouse}} is the mitochondrion."
    assert card.tags == ("biology", "exam::final")


def test_a_tag_inside_the_sentence_stays(cards_from) -> None:
    (card,) = cards_from("Engineers learn #python with **spaced repetition** daily.\n", kinds={"phrases"})
    assert card.front == "Engineers learn #python with {{c1::spaced repetition}} daily."


def test_callout_marker_is_not_part_of_the_card(cards_from) -> None:
    (card,) = cards_from("> [!tip] Remember\n> Use **spaced repetition** to review daily.\n")
    assert card.front == "Use {{c1::spaced repetition}} to review daily."
    assert card.source.line == 2


def test_front_matter_tags_and_title(cards_from) -> None:
    (card,) = cards_from("---\ntitle: Cells\ntags: [bio, exam]\n---\n- The **nucleus** holds DNA.\n")
    assert card.note_title == "Cells" and card.context == ("Cells",)
    assert card.tags == ("bio", "exam")


def test_wikilink_anchor_reads_as_obsidian_shows_it(cards_from) -> None:
    (card,) = cards_from("- See [[Cell#Nucleus]] and [[Cell#^x1]] for the **nucleolus** here\n")
    assert card.front == "See Cell &gt; Nucleus and Cell for the {{c1::nucleolus}} here"


# ------------------------------------------------------------ sample_notes


@pytest.fixture(scope="module")
def samples():
    return collect([SAMPLES])


def test_sample_notes_build_cleanly(samples) -> None:
    assert samples.errors == []
    assert samples.warnings == []
    assert len(samples.results) >= 5


def test_sample_notes_show_every_kind(samples) -> None:
    counts = samples.by_kind()
    assert set(counts) == set(EXTRACTORS)
    assert all(counts[k] >= 1 for k in EXTRACTORS), counts


def test_sample_notes_cards_are_deterministic_and_unique(samples) -> None:
    again = collect([SAMPLES])
    assert again.cards == samples.cards
    identified = identify(samples.cards, State(), now=1)
    guids = [c.guid for c in identified.cards]
    assert len(set(guids)) == len(guids)


def test_sample_notes_images_are_packaged(samples) -> None:
    assert sorted(Path(p).name for p in samples.media.values()) == ["fid-vs-steps.png", "respiration-diagram.png"]


def test_sample_notes_decks_follow_folders(samples) -> None:
    decks = Counter(c.deck.split("::", 1)[1] if "::" in c.deck else "" for c in samples.cards)
    assert {"biology", "networking", "reading", ""} <= set(decks)


def test_sample_notes_preview_json_has_every_kind(samples) -> None:
    objects = card_objects(identify(samples.cards, State(), now=1).cards)
    assert {o["kind"] for o in objects} == set(EXTRACTORS)
    assert all(o["source"]["path"] and o["source_link"].startswith("obsidian://") for o in objects)
