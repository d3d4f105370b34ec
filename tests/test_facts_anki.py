"""Facts stated plainly (kinds terms, sections, tables, problems; steps from Logseq's
numbered blocks), built from the golden notes and imported into real Anki.

Every card Anki makes renders a question and an answer, with no template error and no
raw Markdown (``**``, ``==``, ``[[``, ``$``, ``::`` outside code and MathJax); the
fronts and backs are the ones each kind promises (README "What gets mined"); editing a
definition, a table cell or a solution updates the card in place and keeps its reviews.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ankiclient import (
    TEMPLATE_ERRORS,
    import_deck,
    note_id_for_guid,
    open_collection,
    reviews,
    strip_tags,
    study_everything,
)
from test_syntaxes_anki import _cards, build_and_import

pytestmark = pytest.mark.anki
KINDS = ("terms", "sections", "tables", "problems")
#: Markdown a learner must never see on a rendered face (code and MathJax taken out first).
RAW = re.compile(r"\*\*|==|\[\[|\]\]|(?<!\\)\$|::|<!--|\{:|\(\(|^#+\s|logseq\.order-list-type")


def raw_markup(html: str) -> list[str]:
    text = re.sub(r"<code>.*?</code>|<pre>.*?</pre>|\\\(.*?\\\)|\\\[.*?\\\]", " ", html, flags=re.S)
    return RAW.findall(strip_tags(text))


@pytest.mark.parametrize("kind", (*KINDS, "steps"))
def test_every_fact_card_renders_in_anki_without_markup(kind: str, tmp_path: Path) -> None:
    objects, faces = build_and_import(kind, tmp_path)
    assert len(faces) >= 4
    assert {o["kind"] for o in objects} >= ({kind} if kind != "steps" else {"steps"})
    for (guid, ordinal), (question, answer, _, _) in faces.items():
        assert strip_tags(question) and strip_tags(answer), (guid, ordinal)
        assert not TEMPLATE_ERRORS.search(question + answer), question + answer
        assert raw_markup(question) == [] and raw_markup(answer) == [], (question, answer)


def _by_question(kind: str, tmp_path: Path) -> dict[str, str]:
    return {q: a for q, a, _, _ in _cards(build_and_import(kind, tmp_path)[1])}


def test_terms_ask_the_term_and_answer_the_definition(tmp_path: Path) -> None:
    cards = _by_question("terms", tmp_path)
    assert cards["Osmosis"] == "water crossing a semi-permeable membrane"
    assert cards["Diffusion"] == "particles moving down their concentration gradient needs no energy"
    assert cards["git add -p"] == "stage changes hunk by hunk"
    assert cards["互斥信号量"] == "用于互斥访问缓冲区，初始化值为 1"
    assert cards["用户线程 — 优点"] == "切换在用户空间，效率较高"
    assert cards["Flameshot"] == "a screenshot tool for Linux"
    assert "The enzyme that unwinds DNA is called [...]." in cards
    assert cards["所谓[...]，就是运行中的程序。"] == "所谓进程，就是运行中的程序。"
    # metadata, labels, a numbered label, a time, a clause, a lone dash are no terms: rule
    # not_a_fact says so (tests/judge/not_a_fact.txt), a feature of the score (at density
    # all, as here, they render like any card; tests/golden/terms/ holds what normal keeps)


def test_sections_ask_the_heading_and_answer_the_paragraph(tmp_path: Path) -> None:
    cards = _by_question("sections", tmp_path)
    assert cards["RNA polymerase I"] == "Makes the large ribosomal RNAs, in the nucleolus."
    assert cards["主从复制架构中，过期 key 如何处理？"] == "主节点删除过期 key 后，向从节点发送一条 del 命令。"
    assert cards["Atopic dermatitis — Treatment"] == "Emollients, and topical steroids for flares."
    assert cards["Liberation"] == "The drug leaves its dosage form and dissolves."  # the section number left out
    assert cards["Pythagoras' theorem"] == r"\[a^2 + b^2 = c^2\]"  # a formula as the fact, MathJax for Anki
    assert cards["Euler's identity"] == r"\[e^{i\pi} + 1 = 0\]"


def test_tables_give_one_card_per_row(tmp_path: Path) -> None:
    cards = _by_question("tables", tmp_path)
    assert cards["pod — Linstor"] == "resource"
    assert cards["SYMTAB — 含义"] == "符号表"
    assert cards["Cell size — Necrosis · Apoptosis"] == "Necrosis: Enlarged Apoptosis: Reduced"
    assert len([q for q in cards if "Necrosis · Apoptosis" in q]) == 3


def test_problems_ask_the_statement_and_answer_the_solution(tmp_path: Path) -> None:
    cards = _by_question("problems", tmp_path)
    assert cards["惰性删除策略是怎么样的？"] == "不主动删除过期键，每次访问 key 时才检查它是否过期，过期则删除。"
    assert cards["What does the LRU policy evict?"] == "The key that was used least recently."
    assert cards[r"求 \(\int_0^1 x^2 \, dx\)。"] == r"\(\frac{1}{3}\)。"
    worked = next(a for q, a in cards.items() if q.startswith("已知摆线"))
    assert worked.startswith("首先确定积分上下限") and r"3\pi a^2" in worked
    assert cards["a disease has an incidence of 1 in 40,000. What is the carrier frequency?"].startswith(
        r"\(q = 1/200\)"
    )
    assert not any("我" in q for q in cards)  # the writer talking about themself is no question


NOTE = """\
# Transport

- **Osmosis**: water crossing a membrane

## RNA polymerase I
Makes ribosomal RNA.

## Storage

| Kubernetes | Linstor  |
|------------|----------|
| pod        | resource |
| container  | volume   |

## Optics

> Why is the sky blue?

Rayleigh scattering.
"""


def test_edited_answers_update_in_place_and_keep_reviews(tmp_path: Path) -> None:
    from cards.pipeline.run import build

    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "transport.md"
    note.write_text(NOTE, "utf-8")
    deck = tmp_path / "out" / "deck.apkg"
    first = build([vault], deck, now=1_700_000_000)
    kinds = sorted(c.kind for c in first.identified.cards)
    assert kinds == ["problems", "sections", "tables", "tables", "terms"], kinds
    col = open_collection(tmp_path)
    try:
        assert import_deck(col, deck).new == 5
        studied = study_everything(col)
        assert studied == 5
        ids = {c.identity: note_id_for_guid(col, c.guid) for c in first.identified.cards}

        text = (
            NOTE.replace("water crossing a membrane", "water crossing a semi-permeable membrane")
            .replace("Makes ribosomal RNA.", "Makes the large ribosomal RNAs.")
            .replace("| pod        | resource |", "| pod        | resource group |")
            .replace("Rayleigh scattering.", "Rayleigh scattering: blue light scatters most.")
        )
        note.write_text(text, "utf-8")
        second = build([vault], deck, now=1_700_000_100)
        assert {c.identity: c.guid for c in second.identified.cards} == {
            c.identity: c.guid for c in first.identified.cards
        }
        log = import_deck(col, deck)
        # the four edited notes update; the unchanged row is an existing note Anki skips ("duplicate")
        assert (log.new, log.updated, log.duplicate) == (0, 4, 1)
        assert col.note_count() == 5
        for identity, nid in ids.items():
            assert note_id_for_guid(col, next(c.guid for c in second.identified.cards if c.identity == identity)) == nid
        assert all(reviews(col, cid) == 1 for cid in col.find_cards(""))
        backs = " ".join(strip_tags(col.get_note(nid).fields[1]) for nid in col.find_notes(""))
        assert "semi-permeable" in backs and "resource group" in backs and "blue light scatters most" in backs
    finally:
        col.close()
