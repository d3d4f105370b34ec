"""notes/markdown.markdown_for: a note parsed without the rules its text gives nothing
to is parsed to the same tokens as with every rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from cards.notes.markdown import _NEEDS, _without, markdown, markdown_for
from cards.notes.reflow import reflow

SAMPLES = Path(__file__).resolve().parent.parent / "sample_notes"

TEXTS = [
    "---\ntitle: x\n---\n# A\n\n- one **two** and *three* _four_\n- [[Page|alias]] ![[plot.png]]\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n> [!note] Title\n> body\n",
    "```python\ncode\n```\n~~~\nmore\n~~~\n\n$$\nx^2\n$$\n\nInline $y$ and $$z$$ and `tick`.\n",
    "<div>html</div>\n\n<b>bold</b> &amp; &copy; <https://x.org> \\*escaped\\*\n",
    "[ref]: https://x.org\n\nSee [ref] and [a](b) and ![img](c.png) ~~gone~~.\n",
    "{{c1::cloze::hint}} {{cloze logseq}} ==mark== ^^logseq^^ ((0123abcd-0000-0000-0000-000000000000))\n",
    "Setext\n======\n\nunder\n---\n\n***\n\n    indented code\n",
    "plain words only, nothing else\n",
    "",
]


def _tokens(md: object, text: str) -> list[dict[str, object]]:
    return [t.as_dict() for t in md.parse(text)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", TEXTS)
def test_a_note_parses_to_the_same_tokens_without_the_rules_it_cannot_use(text: str) -> None:
    assert _tokens(markdown_for(text), text) == _tokens(markdown(), text)


def test_the_sample_notes_parse_to_the_same_tokens() -> None:
    for path in sorted(SAMPLES.rglob("*.md")):
        text = reflow(path.read_text("utf-8")).text
        assert _tokens(markdown_for(text), text) == _tokens(markdown(), text), path


def test_every_rule_left_out_is_a_rule_of_the_parser() -> None:
    _without(frozenset(name for name, _ in _NEEDS))  # markdown-it refuses a name it does not know
    assert markdown_for("plain") is not markdown()  # the shared parser is never changed
