"""Field HTML: raw HTML and unsafe links never reach a card; cloze syntax only where we put it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cards.deck.render import Renderer, text


def field(cards_from, markdown: str) -> str:
    """Front and back of every card of a one-sentence note, joined."""
    return " ".join(f"{c.front} {c.back}" for c in cards_from(markdown))


@pytest.mark.parametrize(
    "markdown",
    [
        "- a **enzyme** with <script>alert(1)</script> inline",
        "- a **enzyme** with <img src=x onerror=alert(1)> inline",
        '- a **enzyme** with <a href="javascript:alert(1)">link</a> inline',
        '- a **enzyme** with <b onclick="alert(1)">bold</b> inline',
        '- a **enzyme** with <iframe src="https://example.org"></iframe> inline',
    ],
)
def test_raw_html_is_escaped(cards_from, markdown: str) -> None:
    html = field(cards_from, markdown)
    assert "{{c1::enzyme}}" in html
    assert not re.search(r"<(script|img|a|iframe)\b", html)
    assert "<b onclick" not in html
    assert "&lt;" in html


def test_script_block_never_reaches_a_field(cards_from) -> None:
    cards = cards_from('<script>alert("x")</script>\n\n- a **enzyme** phrase here\n')
    assert [c.front for c in cards] == ["a {{c1::enzyme}} phrase here"]


@pytest.mark.parametrize("tag", ["b", "i", "u", "sup", "sub", "mark", "kbd", "code"])
def test_harmless_formatting_tags_pass(cards_from, tag: str) -> None:
    assert f"x<{tag}>2</{tag}>" in field(cards_from, f"- the **enzyme** of x<{tag}>2</{tag}> here")


@pytest.mark.parametrize(
    "markdown",
    [
        '- the **enzyme** <span class="bg-red" onclick="alert(1)">binds</span> here',
        '- the **enzyme** <span style="color:red"><script>alert(1)</script>binds</span> here',
        '- the **enzyme** <font color="red" onmouseover="alert(1)">binds</font> here',
        '- the **enzyme** <mark onclick="alert(1)">binds</mark> here',
    ],
)
def test_wrapping_html_shows_its_words_and_no_attribute(cards_from, markdown: str) -> None:
    """A highlight or a colour written as HTML shows its words; its tag and attributes
    never reach a card, and what it wraps is escaped as any text is."""
    html = field(cards_from, markdown)
    assert "binds" in html
    assert not re.search(r"<(span|font|script)\b|onclick|onmouseover", html)


def test_br_passes(cards_from) -> None:
    assert "one<br>two" in field(cards_from, "- the **enzyme** is one<br>two")


@pytest.mark.parametrize(
    "link",
    ["[x](javascript:alert(1))", "<javascript:alert(1)>", "[x](vbscript:msgbox)", "[x](data:text/html,<b>)"],
)
def test_unsafe_link_schemes_never_become_links(cards_from, link: str) -> None:
    html = field(cards_from, f"- the **enzyme** and {link} here")
    assert "href" not in html and "<a" not in html


def test_unknown_scheme_keeps_the_text_and_drops_the_href(cards_from) -> None:
    assert "<a>x</a>" in field(cards_from, "- the **enzyme** and [x](ftp://example.org/f) here")


@pytest.mark.parametrize(
    "link, href",
    [
        ("[x](https://example.org/?a=1&b=2)", "https://example.org/?a=1&amp;b=2"),
        ("[x](mailto:me@example.org)", "mailto:me@example.org"),
        ("[x](obsidian://open?vault=v&file=f)", "obsidian://open?vault=v&amp;file=f"),
    ],
)
def test_safe_links_keep_their_href(cards_from, link: str, href: str) -> None:
    assert f'<a href="{href}">x</a>' in field(cards_from, f"- the **enzyme** and {link} here")


def test_braces_and_double_colons_are_escaped_outside_our_cloze(cards_from) -> None:
    (card,) = cards_from("- code `{{c1::x}}` and }} and std::move with the **enzyme** here")
    assert card.front == (
        "code <code>&#123;&#123;c1&#58;&#58;x&#125;&#125;</code> and &#125;&#125; "
        "and std&#58;&#58;move with the {{c1::enzyme}} here"
    )
    assert card.front.count("{{") == 1 and card.front.count("}}") == 1


def test_cloze_inside_a_phrase_keeps_the_braces_escaped(cards_from) -> None:
    (card,) = cards_from("- 得到**DeepSeek-R1-Distill-{Qwen/Llama}-{*B}**模型，兼顾资源。")
    assert card.front == "得到{{c1::DeepSeek-R1-Distill-&#123;Qwen/Llama&#125;-&#123;*B&#125;}}模型，兼顾资源。"


def test_cloze_hint_is_escaped(cards_from) -> None:
    (card,) = cards_from("- The capital is {{c1::Paris::a {city}}}.")
    assert "::a &#123;city" in card.front


def test_math_becomes_mathjax(cards_from) -> None:
    (card,) = cards_from("- Inline $a^{2}$ and display $$b_{1}$$ beside the **enzyme** here")
    assert card.front == r"Inline \(a^&#123;2&#125;\) and display \[b_&#123;1&#125;\] beside the {{c1::enzyme}} here"


def test_wikilinks_show_their_alias(cards_from) -> None:
    (card,) = cards_from("- See [[Page|the alias]] and [[Other]] for the **enzyme** here")
    assert card.front == "See the alias and Other for the {{c1::enzyme}} here"


def test_text_escapes_html_and_cloze_syntax() -> None:
    assert (
        text("<b>{{c1::x}}</b> & a::b") == "&lt;b&gt;&#123;&#123;c1&#58;&#58;x&#125;&#125;&lt;/b&gt; &amp; a&#58;&#58;b"
    )


def test_images_go_through_the_resolver() -> None:
    renderer = Renderer(resolve_image=lambda target: None if target.startswith("..") else f"media-{target}")
    assert renderer.image("a.png", "alt") == '<img src="media-a.png" alt="alt">'
    assert renderer.media == ["media-a.png"]
    assert renderer.image("../secret.png", "") == '<span class="missing-image">[../secret.png]</span>'
    assert renderer.image("a.png", '" onerror="x') == '<img src="media-a.png" alt="&quot; onerror=&quot;x">'


# ------------------------------------------------------------------ soft line breaks, as the vault's app shows them

WRAPPED = (
    "# Respiration\n\n"
    "The **Krebs cycle** runs in the\nmitochondrial matrix of the cell.\n\n"
    "**三羧酸循环**发生在线粒体\n基质中，产生 NADH。\n"
)


@pytest.mark.parametrize(
    ("files", "broken"),
    [
        ({}, False),  # a plain Markdown folder: CommonMark, a soft break is a space
        ({".obsidian/app.json": "{}"}, True),  # Obsidian's default shows it as a line break
        ({".obsidian/app.json": '{"strictLineBreaks": true}'}, False),
        ({".obsidian/app.json": '{"strictLineBreaks": false}'}, True),
        ({".obsidian/app.json": '{"strictLineBreaks": tru'}, True),  # not JSON: Obsidian's default
        ({".obsidian/app.json": '["strictLineBreaks"]'}, True),
        ({"logseq/config.edn": "{}"}, True),  # a Logseq block shows its lines
    ],
    ids=["plain", "obsidian", "strict", "not strict", "bad json", "not an object", "logseq"],
)
def test_a_soft_line_break_shows_as_the_vaults_app_shows_it(
    tmp_path: Path, files: dict[str, str], broken: bool
) -> None:
    from cards.pipeline.run import collect

    root = tmp_path / "v"
    # how a line break shows, whatever the score keeps (tests/test_score.py)
    for name, content in {**files, "respiration.md": WRAPPED, "cards.toml": 'density = "all"\n'}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, "utf-8")
    got = collect([root])
    texts = sorted(c.front for c in got.cards if c.kind == "phrases")
    assert "Traceback" not in " ".join(got.warnings)
    if broken:
        assert texts == [
            "The {{c1::Krebs cycle}} runs in the<br>mitochondrial matrix of the cell.",
            "{{c1::三羧酸循环}}发生在线粒体<br>基质中，产生 NADH。",
        ]
    else:
        assert texts == [
            "The {{c1::Krebs cycle}} runs in the mitochondrial matrix of the cell.",
            "{{c1::三羧酸循环}}发生在线粒体基质中，产生 NADH。",
        ]
