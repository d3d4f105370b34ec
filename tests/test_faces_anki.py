"""faces.render_faces must draw every card exactly as the real Anki client does.

The preview is only worth having if it shows what the learner will see, so each case
builds our two note types in a real ``anki`` Collection from the same template files,
adds a note, and compares Anki's ``render_output()`` with ours: the HTML byte for byte,
and (to give a readable failure first) the visible text.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from cards.deck.templating import deck_css, model_templates
from cards.preview.faces import FaceError, cloze_ordinals, render_faces

pytestmark = pytest.mark.anki

try:  # the anki package is a test dependency: a missing one is a failure, not a skip
    from anki.collection import Collection
except ImportError as exc:  # pragma: no cover
    raise ImportError("tests/test_faces_anki.py needs the `anki` package (pip install anki)") from exc

CLOZE_FIELDS = ("Text", "Extra", "Context", "Source")
BASIC_FIELDS = ("Front", "Back", "Context", "Source")
ANKI_ERRORS = (
    "No cloze",
    "there is no field called",
    "front of this card is blank",
    "docs.ankiweb.net/templates/errors",
    "Found '",
)

SOURCE_LINK = '<a href="obsidian://open?vault=V&amp;file=notes%2Fa.md">notes/a.md:12</a>'
CONTEXT = "DeepSeek-R1 读书笔记 › 训练过程"

CLOZE_CASES: dict[str, dict[str, str]] = {
    "plain": {"Text": "R1 starts from {{c1::DeepSeek-V3-Base}}."},
    "hint": {"Text": "Stage one is {{c1::cold start::which stage?}} training."},
    "many-ordinals": {"Text": "{{c1::SFT}} then {{c2::RL}} then {{c3::rejection sampling}}, then {{c2::RL}} again."},
    "html-inside": {"Text": "Reward is {{c1::<b>rule</b>-based <i>accuracy</i>}} plus format."},
    "mathjax": {"Text": r"The advantage is \(A_i = {{c1::\frac{r_i - \mu}{\sigma}}}\) per group."},
    "mathjax-outside": {"Text": r"{{c1::GRPO}} normalises \(r_i\) by \[\sigma\]."},
    "cjk": {"Text": "第一步是{{c1::冷启动}}，第二步是{{c2::面向推理的强化学习::哪种 RL？}}。"},
    "escaped-braces": {"Text": "Distill-&#123;Qwen/Llama&#125;-&#123;*B&#125; come from {{c1::R1}}."},
    "escaped-colons": {"Text": "Format is q&#58;&#58;a but {{c1::the answer&#58;&#58;not a hint}}."},
    "nested": {"Text": "{{c1::Outer {{c2::inner}} text}} ends."},
    "image": {"Text": '{{c1::<img src="a.png">}} shows the curve.', "Extra": '<img src="b c.png">'},
    "empty-extra": {"Text": "Only {{c1::text}}.", "Extra": "", "Source": ""},
    "br-only-extra": {"Text": "Only {{c1::text}}.", "Extra": "<br>", "Context": " <div></div> "},
    "full": {
        "Text": "Step {{c1::<b>cold start</b>}}",
        "Extra": "<ul><li>thousands of long CoT samples</li><li>readable output</li></ul>",
        "Context": CONTEXT,
        "Source": SOURCE_LINK,
    },
    "quotes-amp": {"Text": "{{c1::\"quoted\" &amp; 'single' <code>a&lt;b</code>}} and {{c2::x}}"},
}

BASIC_CASES: dict[str, dict[str, str]] = {
    "plain": {"Front": "Why cold start?", "Back": "Readability."},
    "full": {"Front": "案例1: 纯 RL？", "Back": "结果: 可读性差", "Context": CONTEXT, "Source": SOURCE_LINK},
    "image-front": {"Front": '<img src="a.png">', "Back": "GRPO reward curve", "Source": "notes/a.md:3"},
    "empty-back": {"Front": "Front only", "Back": ""},
    "mathjax": {"Front": r"\(e^{i\pi}\)?", "Back": r"\(-1\)"},
    "braces": {"Front": "&#123;&#123;c1&#58;&#58;not a cloze&#125;&#125;", "Back": "literal"},
}


# ------------------------------------------------------------------ helpers


def visible_text(fragment: str) -> str:
    """What a reader sees: tags stripped, entities decoded, whitespace collapsed."""
    without_tags = re.sub(r"<[^>]*>", " ", fragment)
    return " ".join(html.unescape(without_tags).split())


def _add_model(col: Collection, name: str, fields: tuple[str, ...], template: str, kind: str) -> dict:
    models = col.models
    model = models.new(name)
    if kind == "cloze":
        model["type"] = 1  # MODEL_CLOZE
    for field_name in fields:
        models.add_field(model, models.new_field(field_name))
    card = models.new_template(template)
    card["qfmt"], card["afmt"] = model_templates(kind)
    models.add_template(model, card)
    model["css"] = deck_css()
    models.add(model)
    return models.by_name(name)


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    path: Path = tmp_path_factory.mktemp("anki") / "collection.anki2"
    col = Collection(str(path))
    try:
        yield col
    finally:
        col.close()


@pytest.fixture(scope="module")
def models(collection: Collection) -> dict[str, dict]:
    return {
        "cloze": _add_model(collection, "cards-cloze", CLOZE_FIELDS, "Cloze", "cloze"),
        "basic": _add_model(collection, "cards-basic", BASIC_FIELDS, "Card 1", "basic"),
    }


def add_note(col: Collection, model: dict, values: dict[str, str]):
    note = col.new_note(model)
    for name, value in values.items():
        note[name] = value
    col.add_note(note, col.decks.id("Default"))
    return col.get_note(note.id)  # as stored: Anki may normalise field text on save


def assert_same_card(kind: str, note, card) -> None:
    anki = card.render_output()
    fields = dict(note.items())
    ours_q, ours_a = render_faces(kind, fields, card.ord + 1)
    for side, text in (("question", anki.question_text), ("answer", anki.answer_text)):
        for error in ANKI_ERRORS:
            assert error not in text, f"Anki rendered an error on the {side}: {text!r}"
    assert visible_text(ours_q) == visible_text(anki.question_text)
    assert visible_text(ours_a) == visible_text(anki.answer_text)
    assert ours_q == anki.question_text
    assert ours_a == anki.answer_text


# ------------------------------------------------------------------ tests


@pytest.mark.parametrize("case", sorted(CLOZE_CASES))
def test_cloze_faces_match_anki(collection: Collection, models: dict[str, dict], case: str) -> None:
    note = add_note(collection, models["cloze"], CLOZE_CASES[case])
    cards = note.cards()
    assert [c.ord + 1 for c in cards] == cloze_ordinals(*note.values())
    for card in cards:
        assert_same_card("cloze", note, card)


@pytest.mark.parametrize("case", sorted(BASIC_CASES))
def test_basic_faces_match_anki(collection: Collection, models: dict[str, dict], case: str) -> None:
    note = add_note(collection, models["basic"], BASIC_CASES[case])
    (card,) = note.cards()
    assert_same_card("basic", note, card)


def test_question_hides_the_gap_and_answer_shows_it(collection: Collection, models: dict[str, dict]) -> None:
    note = add_note(collection, models["cloze"], {"Text": "A {{c1::secret::hint}} B", "Extra": "more"})
    question, answer = render_faces("cloze", dict(note.items()), 1)
    assert question == (
        '\n<div class="question">A <span class="cloze" data-cloze="secret" data-ordinal="1">[hint]</span> B</div>\n'
    )
    assert "secret" not in visible_text(question)
    assert '<span class="cloze" data-ordinal="1">secret</span>' in answer
    assert '<hr id="answer">\n<div class="extra">more</div>' in answer
    assert question == note.cards()[0].render_output().question_text


def test_empty_fields_leave_no_boxes() -> None:
    question, answer = render_faces("cloze", {"Text": "{{c1::x}}", "Extra": "", "Context": "", "Source": ""})
    for face in (question, answer):
        assert "context" not in face and "extra" not in face and "source" not in face
    assert "<hr" not in answer


def test_basic_without_front_makes_no_card(tmp_path: Path) -> None:
    """Context alone must not make a card whose question is blank.

    basic_front.html nests the Context block inside ``{{#Front}}`` so that Front is
    the only field that can make the card. Checked through a real import, which is
    how notes reach a user's Anki (``add_note`` would force a card regardless).
    """
    import genanki
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    qfmt, afmt = model_templates("basic")
    model = genanki.Model(
        1607392319,
        "cards-basic",
        fields=[{"name": n} for n in BASIC_FIELDS],
        templates=[{"name": "Card 1", "qfmt": qfmt, "afmt": afmt}],
        css=deck_css(),
    )
    deck = genanki.Deck(2059400110, "Test")
    deck.add_note(genanki.Note(model=model, fields=["", "back", CONTEXT, "a.md:1"], guid="no-front"))
    deck.add_note(genanki.Note(model=model, fields=["front", "back", CONTEXT, "a.md:2"], guid="front"))
    apkg = tmp_path / "t.apkg"
    genanki.Package(deck).write_to_file(str(apkg), timestamp=1_700_000_000)
    col = Collection(str(tmp_path / "import.anki2"))
    try:
        result = col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions())
        )
        assert len(result.log.new) == 2
        assert col.card_count() == 1
    finally:
        col.close()
    with pytest.raises(FaceError, match="blank"):
        render_faces("basic", {"Front": "", "Back": "back", "Context": CONTEXT, "Source": ""})


def test_missing_cloze_is_an_error_not_a_blank_card() -> None:
    with pytest.raises(FaceError, match="no cloze 2"):
        render_faces("cloze", {"Text": "{{c1::x}}", "Extra": "", "Context": "", "Source": ""}, 2)


def test_clozes_in_any_field_make_cards(collection: Collection, models: dict[str, dict]) -> None:
    """Anki counts clozes in Extra/Source too; cloze_ordinals over all fields agrees."""
    note = add_note(
        collection, models["cloze"], {"Text": "{{c1::a}}", "Extra": "{{c2::b}}", "Source": "{{c0::{{c4::d}}}}"}
    )
    assert sorted(c.ord + 1 for c in note.cards()) == cloze_ordinals(*note.values()) == [1, 2, 4]
    assert cloze_ordinals(note["Text"]) == [1]


_PIECES = (
    "a",
    " b ",
    "训练",
    "›",
    "<b>",
    "</b>",
    "<br>",
    "<div>",
    "</div>",
    "\n",
    "::",
    ":",
    "}}",
    "{{",
    "{{c1:",
    "&#123;",
    "&amp;",
    "&nbsp;",
    "é",
    "'\"",
    "=/-",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "x^2",
    '<img src="a.png">',
    "<!-- c -->",
    "[sound:x.mp3]",
)


def _random_text(rnd: random.Random, size: int, depth: int = 0) -> str:
    out = []
    for _ in range(rnd.randint(0, size)):
        if depth < 3 and rnd.random() < 0.2:
            inner = _random_text(rnd, 3, depth + 1)
            hint = rnd.choice(["", "::" + _random_text(rnd, 2, 3)])
            out.append(f"{{{{c{rnd.choice([1, 1, 2, 3, 0, 12])}::{inner}{hint}}}}}")
        else:
            out.append(rnd.choice(_PIECES))
    return "".join(out)


def test_random_notes_match_anki(collection: Collection, models: dict[str, dict]) -> None:
    """A seeded fuzz over odd field text: hints, nesting, stray braces, MathJax, sounds."""
    rnd = random.Random(20240601)
    compared = 0
    for _ in range(300):
        kind = rnd.choice(["cloze", "basic"])
        names = CLOZE_FIELDS if kind == "cloze" else BASIC_FIELDS
        values = {name: _random_text(rnd, 10 if name in ("Text", "Front") else 3) for name in names}
        note = add_note(collection, models[kind], values)
        for card in note.cards():
            anki = card.render_output()
            try:
                ours = render_faces(kind, dict(note.items()), card.ord + 1)
            except FaceError as exc:
                # Anki paints its error into the card; we raise instead
                assert "No cloze" in anki.question_text or "blank" in anki.question_text, exc
                continue
            assert ours == (anki.question_text, anki.answer_text), values
            compared += 1
    assert compared > 150


def test_override_directory_wins_per_file(tmp_path: Path) -> None:
    """A user's own face replaces ours file by file; the rest stays shipped."""
    (tmp_path / "anki").mkdir()
    (tmp_path / "anki" / "cloze_front.html").write_text("<p>{{cloze:Text}}</p>", encoding="utf-8")
    fields = {"Text": "{{c1::x}}", "Extra": "", "Context": "", "Source": ""}
    question, answer = render_faces("cloze", fields, 1, templates_dir=tmp_path)
    assert question == '<p><span class="cloze" data-cloze="x" data-ordinal="1">[...]</span></p>'
    assert answer == render_faces("cloze", fields, 1)[1]
