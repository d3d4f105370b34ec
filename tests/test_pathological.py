"""Pathological notes cost time in proportion to their size (issue 22, items 7-12).

Why: each shape here once hung a build for a minute or more, because a scan started
again from every candidate (every ``[``, every ``::``, every ``{{c1::``) and read to
the end of the text. A test either checks the structure that keeps the work linear (a
card shows at most 30 steps; a sentence of many phrases gives 20 candidates), or runs
the function at fault on a shape at a size the old code needed a minute or more for,
under a generous limit (the issue asks for such bounds; the figures themselves come
from ``benchmarks/pathological.py``, at 100 KB and 1 MB). The linear scans must say
what the regular expressions they replace said: each is checked against its regex on
generated text (the regex stays in its module as the specification).
"""

from __future__ import annotations

import copy
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from cards.deck.render import Renderer, render_card
from cards.extract import Context, extract_cards, problems, steps
from cards.extract.clozes import compile_pattern, find_deletions
from cards.extract.osr import SpacedRepetition, _single
from cards.extract.shapes import _ABBREVIATIONS, _sentence_ends, _word_before, sentences
from cards.extract.terms import _gap
from cards.judge import Dropped
from cards.model import Card, Inline, Note
from cards.notes import reflow as rf
from cards.notes.markdown import markdown
from cards.notes.parse import YAML_REPEATS, parse_note
from cards.notes.scan import bracket_spans
from cards.preview import faces

KB = 1024


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail when the block takes more than ``seconds`` of CPU time (interrupted then,
    where the platform can, rather than waiting out a hang). CPU time, not the clock:
    other work on a shared machine does not count."""

    def expire(*_: object) -> None:
        raise TimeoutError(f"over {seconds} s of CPU time")

    timer = hasattr(signal, "setitimer") and hasattr(signal, "SIGPROF")
    if timer:
        previous = signal.signal(signal.SIGPROF, expire)
        signal.setitimer(signal.ITIMER_PROF, seconds)
    began = time.process_time()
    try:
        yield
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, previous)
    assert time.process_time() - began <= seconds


def parse(text: str) -> Note:
    return parse_note(text, PurePosixPath("note.md"), deck="Test")


# ------------------------------------------------------------------ item 7: runs of [


@pytest.mark.parametrize("unit", ["[", "![", "[a](", "[[a|", "[]", "]("])
def test_reflow_of_a_run_of_brackets_is_linear(unit: str) -> None:
    """100 KB of ``[`` took 48 s: every ``[`` was tried as a link to the end of the line."""
    with within(5):
        rf.reflow(unit * (200 * KB // len(unit)))


@pytest.mark.parametrize("unit", ["[", "![", "[[a|"])
def test_markdown_of_a_run_of_brackets_is_linear(unit: str) -> None:
    """The wikilink and link rules looked for their closer from every opener."""
    with within(10):
        markdown().parse(unit * (200 * KB // len(unit)))


def test_reflow_of_many_headings_that_are_prose_is_linear() -> None:
    """`# a, # a, …` after a `##`: each dropped marker made the heading before it read
    again, its whole (growing) body each time."""
    with within(5):
        rf.reflow("## Title " + "# a, " * (100 * KB // 5))


# ------------------------------------------------------------------ item 8: ::


def test_a_line_of_separators_is_read_once() -> None:
    """1 MB of ``::`` took minutes: the backticks before each ``::`` were counted again."""
    with within(3):
        assert _single("::" * (150 * KB), SpacedRepetition(), flashcards=False) is None


def test_deletions_on_one_long_line_are_found_in_linear_time() -> None:
    with within(3):
        found = find_deletions("==a== " * 50_000, ["==[123;;]answer[;;hint]=="])
    assert len(found) == 50_000


def test_an_unclosed_deletion_with_many_hints_is_found_in_linear_time() -> None:
    """Found by the sweep: ``==`` then 10,000 ``;;`` (a #flashcards note) took 90 s, the
    lazy answer and hint of the pattern trying every split of the rest of the line."""
    with within(3):
        assert find_deletions("==" + ";;" * 50_000, ["==[123;;]answer[;;hint]=="]) == []


_PATTERNS = ("==[123;;]answer[;;hint]==", "{{answer}}", "answer[;;hint]", "**answer**", "\\[\\[answer\\]\\]")


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(("==", ";;", "a", " ", "{{", "}}", "**", "[[", "]]", "`", "1", "\n")), max_size=30))
def test_deletions_are_the_patterns_matches(pieces: list[str]) -> None:
    """Looking no further than a pattern's last closing text finds what the regex finds."""
    text = "".join(pieces)
    for pattern in _PATTERNS:
        regex = compile_pattern(pattern)
        assert regex is not None
        found = [(d.start, d.end) for d in find_deletions(text, [pattern])]
        everywhere = [
            (offset + m.start(), offset + m.end())
            for offset, line in _lines(text)
            for m in regex.finditer(line)
            if m["answer"].strip() and line.count("`", 0, m.start()) % 2 == 0
        ]
        assert found == _leftmost_longest(everywhere)


def _lines(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def _leftmost_longest(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


# ------------------------------------------------------------------ item 9: {{c1::


def test_unclosed_clozes_are_linear() -> None:
    """100 KB of unclosed ``{{c1::`` took over a minute: the inline rule scanned to the
    end from each, and reflow's paragraph cuts searched the growing chunk at each."""
    text = "{{c1::" * (100 * KB // 6)
    with within(10):
        rf.reflow(text)
        markdown().parse(text)


# ------------------------------------------------------------------ item 10: $a


def test_the_gap_of_a_long_sentence_is_found_in_linear_time() -> None:
    """terms._gap asked for every token whether all before it were blank."""
    tokens = [Token("text", "", 0, content=" ") for _ in range(100_000)]
    with within(3):
        assert _gap(tokens) is None


# ------------------------------------------------------------------ item 11: YAML aliases


def _bomb(levels: int) -> str:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * 9)}]" for k in range(1, levels)]
    front = "\n".join([*lines, f"tags: *l{levels - 1}", f"title: *l{levels - 1}"])
    return f"---\n{front}\n---\n\n- Mitochondria in cells make **ATP** for the cell.\n"


def test_a_yaml_alias_bomb_is_refused_with_a_warning() -> None:
    """A 1.2 KB note took minutes of CPU and rising memory (its tags and title read out
    of 9**9 strings). The front matter is ignored with a warning at the alias that
    passed the limit; the note still builds."""
    warned: list[str] = []
    with within(5):
        note = parse_note(_bomb(8), PurePosixPath("n.md"), deck="D", warn=lambda e: warned.append(str(e)))
    assert warned == [
        f"n.md:6: front matter repeats more than {YAML_REPEATS:,} values through YAML aliases; it is ignored"
    ]
    assert note.front_matter == {} and note.title == "n" and note.tags == ()
    assert extract_cards(note)  # the note still gives its card


def test_a_few_yaml_aliases_still_work() -> None:
    note = parse("---\nbase: &b [biology, cells]\ntags: *b\ntitle: Cells\n---\n\n- text\n")
    assert note.tags == ("biology", "cells") and note.title == "Cells"


# ------------------------------------------------------------------ item 12: many of a kind


def _procedure(count: int) -> str:
    names = [f"{a}{b}{c}".capitalize() for a in "kmpt" for b in "aeiou" for c in ("la", "ro", "vi")]
    return "# Procedure\n\n" + "".join(f"{i}. **{names[i - 1]}** the batch\n" for i in range(1, count + 1))


def test_a_long_procedure_shows_each_step_with_its_neighbours() -> None:
    """4,000 steps took 50 s and every card held all 4,000 titles (the deck grew as
    the square of the list): past 30 steps a card shows 30, numbered as in the list."""
    made = _steps_of(_procedure(45))
    assert len(made) == 45
    for k, card in enumerate(made):
        assert card.front.count("<li>") == steps.SHOWN_STEPS
        first = min(max(k - 15, 0), 15)  # the window stays inside the list
        assert f'<ol class="steps" start="{first + 1}">' in card.front
        assert card.front.startswith("<p>…</p>") == (first > 0)
        assert card.front.endswith("<p>…</p>") == (first < 15)
        assert "{{c1::" + card.identity + "}}" in card.front


def test_a_procedure_of_up_to_30_steps_shows_them_all() -> None:
    made = _steps_of(_procedure(30))
    assert len(made) == 30
    assert all(c.front.startswith('<ol class="steps"><li>') and c.front.count("<li>") == 30 for c in made)


def _steps_of(text: str) -> list[Card]:
    """Every step candidate of ``text``, rendered (kept or not)."""
    note = parse(text)
    return [
        render_card(c, Renderer(), note_deck=note.deck, note_tags=note.tags, note_title=note.title)
        for c in steps.extract(note, Context())
    ]


def test_a_sentence_of_many_phrases_gives_twenty_candidates() -> None:
    """A bullet of 2,222 bold words took 15 s: each of its 2,222 candidates held the
    whole bullet, and the judge dropped them all for their length."""
    dropped: list[Dropped] = []
    note = parse("- " + " ".join(f"**w{i}**" for i in range(500)) + "\n")
    with within(5):
        assert extract_cards(note, kinds=["phrases"], dropped=dropped) == []
    assert [d.candidate.identity.rsplit("\x1f", 1)[1] for d in dropped] == [f"w{i}" for i in range(20)]


def test_a_short_sentence_of_many_phrases_gives_them_all() -> None:
    dropped: list[Dropped] = []
    extract_cards(parse("- " + " ".join(f"**w{i}**" for i in range(30)) + "\n"), kinds=["phrases"], dropped=dropped)
    assert len(dropped) == 30


def _repeated(text: str, times: int) -> Note:
    """The note of ``text`` with its last section's blocks repeated (copies: each its own
    block), without parsing all of them."""
    note = parse(text)
    blocks = note.sections[-1].blocks
    note.sections[-1].blocks = [copy.copy(block) for _ in range(times) for block in blocks]
    return note


def test_quoted_questions_among_many_paragraphs_are_found_in_linear_time() -> None:
    """20,000 headings took 29 s: the note was split into lines again for each paragraph."""
    note = _repeated("# Heading\n\nText.\n", 10_000)
    note.text = "# Heading\n\nText.\n" * 10_000
    with within(3):
        list(problems.extract(note, Context()))


def test_many_lists_in_one_section_are_placed_in_linear_time() -> None:
    """Each list looked for its own place among its siblings from the first."""
    note = _repeated("# Steps\n\nDo this:\n\n1. Mix it\n2. Bake it\n", 20_000)
    with within(5):
        list(steps.extract(note, Context()))


def test_the_cloze_filter_is_linear() -> None:
    """``preview --json`` of a cloze and 40,000 ``\\(`` took 112 s (each opener read to the end)."""
    with within(3):
        faces.cloze_filter("{{c1::answer}} " + "\\(" * 40_000, 1, True)
        faces.strip_html("<" * 100_000)
        faces._extract_av_tags("[sound:" * 30_000, True)


def test_a_cloze_nested_in_its_own_number_stays_small_in_preview() -> None:
    """Found by the fuzz test: each level of ``{{c1::{{c1::…`` repeats the level inside
    it, encoded, in its ``data-cloze`` (as Anki does): ten levels around 4 KB made 82 MB
    of question. Past `MAX_HIDDEN` characters the attribute is left out; the face reads
    the same."""
    text = "{{c1::" * 10 + "&lt;" * 1_000 + "}}" * 10
    with within(3):
        question = faces.cloze_filter(text, 1, True)
    assert len(question) < 20 * faces.MAX_HIDDEN
    assert faces.strip_html(question) == "[...]"


@pytest.mark.parametrize("unit", ["!", "a. ", "?"])
def test_sentence_ends_are_found_in_linear_time(unit: str) -> None:
    """A run of `!` was tried from each of its characters; each full stop searched
    the text before it for its word."""
    with within(3):
        _sentence_ends(unit * (100 * KB // len(unit)))


def test_a_paragraph_of_many_lines_is_cut_into_sentences_in_linear_time() -> None:
    """Found by the fuzz test: each line break copied the rest of the paragraph to see
    what follows it (100 KB of `|a|` lines: 8 s, 1 MB: minutes)."""
    tokens = markdown().parseInline("|a|\n" * 60_000)[0].children or []
    with within(3):
        assert len(sentences(Inline("", tokens))) == 1


# ------------------------------------------------------------------ the scans say what the regexes said


_BRACKETS = st.text(alphabet=list("[]()!`$ a|\n\t\u3000:{}c1"), max_size=40)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(_BRACKETS)
def test_protected_spans_are_the_regex_spans(text: str) -> None:
    assert rf._protected_spans(text) == [m.span() for m in rf._PROTECTED.finditer(text)]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet=list("$ a\n\tx"), max_size=30))
def test_display_math_is_found_where_the_regex_finds_it(text: str) -> None:
    found = rf._DISPLAY_MATH.search(text)
    assert rf._display_math_start(text) == (found.start() if found else -1)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.text(alphabet=list("[]()!|a \n*_=`Q:A问答：\t"), max_size=50))
def test_visible_text_and_qa_pairs_are_the_regex_ones(text: str) -> None:
    seen = re.sub(rf._IMAGE, "", text)
    seen = re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", seen)
    seen = re.sub(r"\[([^\]]*)\]\([^)\s]*\)", r"\1", seen)
    assert rf._visible(text) == re.sub(r"\*\*|__|==|`", "", seen).strip()
    assert rf._qa_pairs(text) == len(rf._QA_PAIR.findall(text))


def test_bracket_spans_open_at_the_first_bracket_of_their_label() -> None:
    assert list(bracket_spans("[[a]] [b](c) [d] ![e](f g) [x [y](z)")) == [
        (0, 3, 5),
        (6, 8, 12),
        (27, 32, 36),
        (30, 32, 36),
    ]


_PIECES = (
    "# ", "## ", "- ", "1. ", "2. ", "**b**", "Q: ", "A: ", "问：", "答：", "{{c1::x}}", "{{c1::", " :: ", "。", ". ",
    "? ", "$$x$$", " $$y$$", "[a](b)", "[[w|x]]", "![i](p.png)", "`c`", "word ", "Word ", "A:", " ", "\n", ",",
    "[", "]", "Term", "总结 这篇 ", "![[x]] ",
)  # fmt: skip


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=20, max_size=100).map("".join))
def test_paragraph_cuts_and_titled_headings_are_as_before(line: str) -> None:
    """The linear `_paragraphs` and `_titled_headings` against the code they replace."""
    assert rf._paragraphs(line) == _paragraphs_before(line)
    markers = list(rf._MARKER.finditer(line))
    assert [m.span() for m in rf._titled_headings(line, markers)] == [
        m.span() for m in _titled_headings_before(line, markers)
    ]


def _paragraphs_before(text: str) -> list[str]:
    """reflow._paragraphs before issue 22 (quadratic): the specification."""
    protected = [m.span() for m in rf._PROTECTED.finditer(text)]

    def free(pos: int) -> bool:
        return not any(a <= pos < b for a, b in protected)

    cuts: list[int] = []
    start = 0
    events = sorted(
        [(m.start(), "q") for m in rf._Q_MARK.finditer(text) if free(m.start())]
        + [(m.end(), "t") for m in rf._TERM_MARK.finditer(text) if free(m.end())]
        + [(m.start(), "c") for m in rf._CLOZE_ONE.finditer(text) if free(m.start())]
    )
    for pos, kind in events:
        chunk = text[start:pos]
        answered = any(free(start + m.start()) for m in rf._A_MARK.finditer(chunk))
        card_before = answered or " :: " in chunk or "{{c" in chunk
        if (kind == "q" and card_before) or (kind == "t" and answered and " :: " not in chunk):
            cuts.append(pos)
            start = pos
        elif kind == "c" and (" :: " in chunk or any(free(start + m.start()) for m in rf._CLOZE_ONE.finditer(chunk))):
            ends = [start + m.end() for m in rf._SENTENCE_END.finditer(chunk) if free(start + m.start())]
            if ends and text[ends[-1] : pos].find("{{") == -1:
                cuts.append(ends[-1])
                start = ends[-1]
    parts = [text[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(text)])]
    math = rf._DISPLAY_MATH.search(parts[-1]) if parts else None
    if (
        math
        and math.start() > 0
        and not any(m.start() < math.start() + 1 < m.end() for m in rf._PROTECTED.finditer(parts[-1]))
    ):
        parts[-1:] = [parts[-1][: math.start()].strip(), parts[-1][math.start() :].strip()]
    return [p for p in parts if p]


def _titled_headings_before(line: str, markers: list[re.Match[str]]) -> list[re.Match[str]]:
    """reflow._titled_headings before issue 22 (quadratic): the specification."""
    kept = list(markers)
    changed = True
    while changed:
        changed = False
        for k, m in enumerate(kept):
            if not m.group("h"):
                continue
            end = kept[k + 1].start() if k + 1 < len(kept) else len(line)
            body = line[m.end() : end].strip()
            title = rf._cut_at_image(body)[0]
            if len(m.group("h")) >= 2 or m.start() == 0:
                title = rf._heading(m.group("h"), body)[0].text
            if not rf._is_title(title):
                del kept[k]
                changed = True
                break
    return kept


_FIELD = st.lists(
    st.sampled_from(("<", ">", "<!--", "-->", "<style", "</STYLE>", "<script", "</script>", "<b>", "a", " ", "\n",
                     "\\(", "\\)", "\\[", "\\]", "[sound:", "]", "[anki:tts][", "[/anki:tts]", "{{c1::", "}}", "{{c")),
    max_size=30,
).map("".join)  # fmt: skip


@settings(max_examples=400, derandomize=True, deadline=None)
@given(_FIELD)
def test_anki_filters_do_what_their_regexes_did(text: str) -> None:
    assert faces.strip_html_preserving_entities(text) == faces._HTML.sub("", text)
    stripped = faces._MATHJAX.sub(lambda m: m.group(1) + faces._HTML.sub("", m.group(2)) + m.group(3), text)
    assert faces._strip_html_in_mathjax(text) == stripped
    counter = iter(range(1 << 30))
    assert faces._extract_av_tags(text, True) == faces._AV_TAGS.sub(lambda m: f"[anki:play:q:{next(counter)}]", text)


_OLD_SENTENCE_END = re.compile(r"[。！？]+[」』”’）)]*|[.!?]+[\"'”’)\]]*(?=\s)")


@settings(max_examples=400, derandomize=True, deadline=None)
@given(
    st.lists(st.sampled_from((".", "!", "?", "。", " ", "\n", "a", "e.g", '"', ")", "中", "_")), max_size=30).map(
        "".join
    )
)
def test_sentence_ends_are_the_regex_ones(text: str) -> None:
    ends = []
    for match in _OLD_SENTENCE_END.finditer(text):
        if match.group(0)[0] == ".":
            word = re.search(r"([\w.]+)$", text[: match.start()])
            if word and (word.group(1).casefold().rstrip(".") in _ABBREVIATIONS or len(word.group(1)) == 1):
                continue
        ends.append(match.end())
    assert _sentence_ends(text) == ends
    word = re.search(r"([\w.]+)$", text)
    assert _word_before(text, len(text)) == (word.group(1) if word else "")
