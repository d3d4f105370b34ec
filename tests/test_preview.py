"""``cards preview``: filters, the JSON schema, the terminal view, --changed, paging.

Everything through the real CLI (CliRunner) or the real rendering functions; the
parity with Anki itself is in test_preview_anki.py, the HTML page in a real browser in
test_preview_browser.py.
"""

from __future__ import annotations

import io
import json
import re
import struct
import sys
import zlib
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from rich.console import Console

import cards.cli
from cards.cli import main
from cards.config import KINDS
from cards.deck.state import state_path
from cards.pipeline.run import build, collect
from cards.preview.json_view import JSON_KEYS, JSON_VERSION
from cards.preview.terminal import print_cards, render_card, wrap_offsets

SAMPLE = Path(__file__).resolve().parent.parent / "sample_notes"
ESC = "\x1b["

PIPELINE = """\
# Tea

## Brewing
1. **Boil** the water
   - bring it to 90 °C for green tea
2. **Steep** the leaves
3. **Pour** into cups
4. **Serve** at once
5. **Rinse** the pot

- Green tea turns bitter when the water is **too hot**.

## Terms
- Why warm the pot first?
  - The tea keeps its temperature while it steeps.
- Tannin
  - The bitter compound that long steeping releases.

## Figures
- ![](brew.png)
  - Steeping longer darkens the tea.
"""

EXPLICIT = """\
# Chemistry

Q: What is the pH of pure water?
A: 7

Water is made of {{c1::hydrogen}} and {{c2::oxygen::element}}.

- The area of a circle is **$\\pi r^2$**.
- 茶叶中的**茶多酚**决定了苦涩味。
"""


WRITTEN = """\
# Cards written for other tools

#flashcards/tea
Which tea is fermented?::pu-erh
Matcha:::powdered green tea

What makes oolong differ?
?
It is partly oxidised.

The ==leaf grade== says how whole the leaves are.

START
Basic
Where does Darjeeling grow?
Back: In the Himalayan foothills of West Bengal.
END

START
Cloze
Assam is a {{c1::black}} tea from {{c2::India}}.
END

- What is a gaiwan? #card
  - A lidded bowl for brewing.

> [!question] Why rinse the leaves?
> It wakes them and washes off dust.

<details>
<summary>What is a tea ceremony called in Japan?</summary>

Chanoyu.

</details>
"""


#: Facts stated plainly: a term, a heading and its paragraph, a glossary table, a quoted question.
FACTS = """\
# Tea varieties

- **Sencha**: a steamed Japanese green tea
- Gyokuro: a shaded green tea with a sweet, brothy taste

## Oolong
A partly oxidised tea, between green and black.

## Origins

| Tea        | Origin |
|------------|--------|
| Darjeeling | India  |
| Keemun     | China  |

## Bitterness

> Why does green tea turn bitter in boiling water?

Hot water draws out more catechins, which taste bitter.

## Storage

Keep tea in an airtight tin away from light, heat and smells; green tea keeps about a year.

A second paragraph about storing tea in a cool cupboard.

## Grades

- Whole-leaf grades
  - FTGFOP
  - TGFOP
  - FOP

Matcha is a stone-ground powder of shaded green tea leaves.
"""


def write_png(path: Path, width: int = 8, height: int = 6) -> None:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 30 % 256, y * 40 % 256, 90)) for x in range(width)) for y in range(height)
    )
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    )


def all_kinds_vault(root: Path, *, written: bool = True, facts: bool = True) -> Path:
    """A small vault with every card kind (a reversed pair among them), a local image, hand
    clozes c1/c2, a hint, math, CJK."""
    (root / "kitchen").mkdir(parents=True)
    (root / "kitchen" / "tea.md").write_text(PIPELINE, "utf-8")
    write_png(root / "kitchen" / "brew.png")
    (root / "chemistry.md").write_text(EXPLICIT, "utf-8")
    if written:
        (root / "written.md").write_text(WRITTEN, "utf-8")
    if facts:
        (root / "kitchen" / "varieties.md").write_text(FACTS, "utf-8")
    # every kind the notes give, whatever the score keeps (tests/test_score.py): these
    # tests look at how cards are shown, not at which are kept
    (root / "cards.toml").write_text('density = "all"\n', "utf-8")
    return root


@pytest.fixture()
def vault(tmp_path: Path) -> Path:
    """The kinds mined from the tea and chemistry notes (the tests below count its cards);
    ``every_kind`` adds the cards written for other tools and the facts stated plainly."""
    return all_kinds_vault(tmp_path / "vault", written=False, facts=False)


@pytest.fixture()
def every_kind(tmp_path: Path) -> Path:
    return all_kinds_vault(tmp_path / "every")


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see what a pipe sees: no forced colour from the CI environment."""
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "PAGER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")


def run(*args: str | Path) -> Any:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result


def preview_json(*args: str | Path) -> list[dict[str, Any]]:
    result = run("preview", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ------------------------------------------------------------------ filters


def test_every_kind_is_found(every_kind: Path) -> None:
    kinds = {obj["kind"] for obj in preview_json(every_kind)}
    assert kinds == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_kind_filter(every_kind: Path, kind: str) -> None:
    every = preview_json(every_kind)
    only = preview_json(every_kind, "--kind", kind)
    assert only and {o["kind"] for o in only} == {kind}
    assert len(only) == sum(o["kind"] == kind for o in every)


def test_kind_filter_repeats(vault: Path) -> None:
    both = preview_json(vault, "--kind", "qa", "--kind", "figure")
    assert {o["kind"] for o in both} == {"qa", "figure"}


def test_note_filter_globs_path_or_file_name(vault: Path) -> None:
    by_folder = preview_json(vault, "--note", "kitchen/*")
    assert by_folder and {o["source"]["path"] for o in by_folder} == {"kitchen/tea.md"}
    by_name = preview_json(vault, "--note", "chem*.md")
    assert by_name and {o["source"]["path"] for o in by_name} == {"chemistry.md"}
    assert preview_json(vault, "--note", "nothing/*") == []


def test_grep_filter_is_case_insensitive_and_searches_answers_and_headings(vault: Path) -> None:
    hits = preview_json(vault, "--grep", "TANNIN")
    assert [o["kind"] for o in hits] == ["qa"]
    in_answer = preview_json(vault, "--grep", "keeps its temperature")
    assert [o["fields"]["Front"] for o in in_answer] == ["Why warm the pot first?"]
    in_heading = preview_json(vault, "--grep", "brewing")
    assert {o["kind"] for o in in_heading} == {"steps", "phrases"}
    assert [o["fields"]["Text"] for o in preview_json(vault, "--grep", "茶多酚")] == [
        "茶叶中的{{c1::茶多酚}}决定了苦涩味。"
    ]


def test_filters_combine(vault: Path) -> None:
    every = preview_json(vault)
    combined = preview_json(vault, "--kind", "phrases", "--note", "kitchen/*", "--grep", "bitter")
    assert len(combined) == 1
    assert combined[0]["fields"]["Text"] == "Green tea turns bitter when the water is {{c1::too hot}}."
    expected = [
        o
        for o in every
        if o["kind"] == "phrases" and o["source"]["path"].startswith("kitchen/") and "bitter" in o["fields"]["Text"]
    ]
    assert combined == expected
    assert preview_json(vault, "--kind", "figure", "--note", "chemistry.md") == []


def test_filters_apply_to_the_terminal_view(vault: Path) -> None:
    out = run("preview", vault, "--kind", "qa", "--grep", "tannin").stdout
    assert "Tannin" in out and "Boil" not in out and "pH" not in out
    assert "1 card from 1 note" in out
    empty = run("preview", vault, "--grep", "no such text")
    assert empty.exit_code == 0 and "No cards." in empty.stdout


# ------------------------------------------------------------------ JSON schema


def _check_types(obj: dict[str, Any]) -> None:
    assert set(obj) == set(JSON_KEYS), sorted(set(obj) ^ set(JSON_KEYS))
    for key, kind in JSON_KEYS.items():
        assert type(obj[key]) in (kind if isinstance(kind, tuple) else (kind,)), (key, obj[key])
    assert obj["kind"] in KINDS
    assert obj["note_type"] in {"cloze", "basic", "reversed"}
    assert obj["ordinal"] >= 1 and (
        obj["note_type"] == "cloze" or obj["ordinal"] <= (2 if obj["note_type"] == "reversed" else 1)
    )
    names = (
        ["Text", "Extra", "Context", "Source"]
        if obj["note_type"] == "cloze"
        else ["Front", "Back", "Context", "Source"]
    )
    assert list(obj["fields"]) == names and all(type(v) is str for v in obj["fields"].values())
    assert all(type(c) is str for c in obj["context"]) and obj["context"][0] == obj["note"]
    assert all(type(t) is str for t in obj["tags"])
    assert set(obj["source"]) == {"path", "line"}
    assert type(obj["source"]["path"]) is str and type(obj["source"]["line"]) is int and obj["source"]["line"] >= 1
    assert obj["source_link"].startswith(("obsidian://", "file://"))
    assert obj["guid"] and obj["question"] and obj["answer"]


@pytest.mark.parametrize("where", ["sample_notes", "vault"])
def test_json_schema_for_every_object(where: str, vault: Path) -> None:
    objects = preview_json(SAMPLE if where == "sample_notes" else vault)
    assert len(objects) > 5
    for obj in objects:
        _check_types(obj)
    if where == "sample_notes":  # an Obsidian vault: links open the note in Obsidian
        assert all(o["source_link"].startswith("obsidian://open?vault=sample_notes&file=") for o in objects)
    else:
        assert {o["source_link"] for o in objects} == {
            (vault / "kitchen" / "tea.md").resolve().as_uri(),
            (vault / "chemistry.md").resolve().as_uri(),
        }
    # one object per Anki card: a note with c1 and c2 gives two, same GUID, ordinals 1 and 2
    by_guid: dict[str, list[int]] = {}
    for obj in objects:
        by_guid.setdefault(obj["guid"], []).append(obj["ordinal"])
    assert all(sorted(o) == list(range(1, len(o) + 1)) for o in by_guid.values())


def test_json_keys_are_documented_in_the_readme() -> None:
    readme = (SAMPLE.parent / "README.md").read_text("utf-8")
    section = readme.split("## Preview and the JSON schema", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([a-z_]+)` \|", section, re.M)
    assert documented == list(JSON_KEYS)
    assert f"schema version {JSON_VERSION}" in section


def test_json_golden_object(tmp_path: Path) -> None:
    (tmp_path / "tiny").mkdir()
    note = tmp_path / "tiny" / "bread.md"
    note.write_text(
        "---\ntags: [baking]\n---\n# Bread\n\nDough needs **time** to rise.\n\n- Why rest the dough?\n  - Gluten "
        "relaxes.\n",
        "utf-8",
    )
    objects = preview_json(tmp_path / "tiny", "--kind", "qa", "--kind", "phrases")
    # the keep-probability is the model's (tests/test_score.py): a number between 0 and 1 here
    assert all(0 < obj.pop("score") < 1 for obj in objects)
    link = note.resolve().as_uri()
    assert objects == [
        {
            "kind": "qa",
            "note_type": "basic",
            "ordinal": 1,
            "fields": {
                "Front": "Why rest the dough?",
                "Back": "<ul><li>Gluten relaxes.</li></ul>",
                "Context": '<span class="crumbs">bread</span>',
                "Source": "bread.md:8",
            },
            "question": '<div class="context"><span class="crumbs">bread</span></div>\n'
            '<div class="question">Why rest the dough?</div>\n',
            "answer": '<div class="context"><span class="crumbs">bread</span></div>\n'
            '<div class="question">Why rest the dough?</div>\n\n<hr id="answer">\n'
            '<div class="answer"><ul><li>Gluten relaxes.</li></ul></div>\n<div class="source">bread.md:8</div>\n',
            "context": ["bread"],
            "note": "bread",
            "deck": "tiny",
            "tags": ["baking"],
            "source": {"path": "bread.md", "line": 8},
            "source_link": link,
            "guid": "d<0b.<k1+o",  # ids.scoped_guid: the fact within the deck "tiny"
        },
        {
            "kind": "phrases",
            "note_type": "cloze",
            "ordinal": 1,
            "fields": {
                "Text": "Dough needs {{c1::time}} to rise.",
                "Extra": "",
                "Context": '<span class="crumbs">bread</span>',
                "Source": "bread.md:6",
            },
            "question": '<div class="context"><span class="crumbs">bread</span></div>\n'
            '<div class="question">Dough needs <span class="cloze" data-cloze="time" data-ordinal="1">[...]</span> to '
            "rise.</div>\n",
            "answer": '<div class="context"><span class="crumbs">bread</span></div>\n'
            '<div class="question">Dough needs <span class="cloze" data-ordinal="1">time</span> to rise.</div>\n\n'
            '<div class="source">bread.md:6</div>\n',
            "context": ["bread"],
            "note": "bread",
            "deck": "tiny",
            "tags": ["baking"],
            "source": {"path": "bread.md", "line": 6},
            "source_link": link,
            "guid": "ARFOZ=I<Mu",
        },
    ]


def test_json_guids_follow_the_build_state(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "deck.apkg"
    built = build([vault], out, now=1_700_000_000)
    before = {c.front: c.guid for c in built.identified.cards if c.kind == "qa"}
    tea = vault / "kitchen" / "tea.md"
    tea.write_text(PIPELINE.replace("Tannin", "Tannins"), "utf-8")  # a typo fix keeps the GUID via the state
    with_state = {o["fields"]["Front"]: o["guid"] for o in preview_json(vault, "-o", out) if o["kind"] == "qa"}
    without = {o["fields"]["Front"]: o["guid"] for o in preview_json(vault) if o["kind"] == "qa"}
    assert with_state["Tannins"] == before["Tannin"]
    assert without["Tannins"] != before["Tannin"]  # a fresh hash: the reason -o matters


def test_usage_errors() -> None:
    assert run("preview", SAMPLE, "--json", "--changed", "-o", "x.apkg").exit_code == 2
    assert run("preview", SAMPLE, "--json", "--html", "x.html").exit_code == 2
    missing = run("preview", SAMPLE, "--changed")
    assert missing.exit_code == 2 and "pass -o OUT.apkg" in missing.output


# ------------------------------------------------------------------ terminal


def test_terminal_output_has_no_escape_codes_when_piped(vault: Path) -> None:
    result = run("preview", vault)
    assert result.exit_code == 0
    assert ESC not in result.output and "\x1b]8;" not in result.output
    assert SAMPLE.exists()
    sample = run("preview", SAMPLE)
    assert sample.exit_code == 0 and ESC not in sample.output and "\x1b" not in sample.output


def test_terminal_view_of_a_pipeline(vault: Path) -> None:
    out = run("preview", vault, "--note", "kitchen/*", "--kind", "steps").stdout
    lines = out.splitlines()
    assert lines[0].startswith("tea  kitchen/tea.md ─")
    assert lines[1] == "Brewing"  # the H1 "Tea" repeats the title "tea": not in the breadcrumb
    blocks = out.split("\n\n")
    first = blocks[0].splitlines()[2:]
    assert first == [
        "  steps  kitchen/tea.md:4",
        "  Q   1. [...]",
        "      2. Steep",
        "      ⋯ 3 more",
        "  A   1. Boil",
        "        Boil the water",
        "        • bring it to 90 °C for green tea",
    ]
    third = blocks[2].splitlines()
    assert third == [
        "  steps  kitchen/tea.md:7",
        "  Q   ⋯ 1 more",
        "      2. Steep",
        "      3. [...]",
        "      4. Serve",
        "      ⋯ 1 more",
        "  A   3. Pour",
        "        Pour into cups",
    ]
    assert "5 cards from 1 note" in out
    assert re.search(r"kitchen/tea\.md +5 +5 *\n", out)


def test_terminal_groups_by_note_and_section_in_line_order(vault: Path) -> None:
    out = run("preview", vault).stdout
    headings = [l.rstrip() for l in out.splitlines() if l and not l.startswith(" ") and "─" not in l]
    # each note's H1 repeats its title, so the breadcrumb leaves it out
    assert headings[:4] == ["Brewing", "Terms", "Figures", "14 cards from 2 notes"]
    assert out.index("chemistry.md ─") < out.index("kitchen/tea.md ─")
    for where in ("chemistry.md:3", "chemistry.md:6", "kitchen/tea.md:4", "kitchen/tea.md:20"):
        assert f"  {where}" in out
    # hand-written clozes: one card per number, hint shown, the other number inactive
    assert (
        "phrases c1  chemistry.md:6\n  Q   Water is made of [...] and oxygen.\n  A   Water is made of hydrogen and "
        "oxygen." in out
    )
    assert "phrases c2  chemistry.md:6\n  Q   Water is made of hydrogen and [element]." in out
    assert re.search(r"Q   \[image: brew-[0-9a-f]+\.png\]\n  A   • Steeping longer darkens the tea\.", out)
    assert re.search(r"chemistry\.md +· +4 +1 +· +5 *\n", out)
    assert re.search(r"total +1 +5 +3 +5 +14", out), out


def test_gap_and_answer_are_highlighted_and_links_clickable_in_a_terminal(vault: Path) -> None:
    collected = collect([vault])
    card = next(c for c in collected.cards if c.kind == "phrases" and "too hot" in c.front)
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="truecolor", width=100)
    console.print(render_card(card, 1, link="file:///x/tea.md"))
    out = buffer.getvalue()
    gap = re.search(r"\x1b\[([0-9;]+)m\[\.\.\.\]\x1b\[0m", out)
    assert gap and "7" in gap.group(1).split(";")  # reverse video on [...]
    revealed = re.search(r"\x1b\[([0-9;]+)m too hot|\x1b\[([0-9;]+)mtoo hot\x1b\[0m", out)
    assert revealed, out
    assert "\x1b]8;" in out and "file:///x/tea.md" in out  # OSC 8 hyperlink on file:line


def test_no_color_is_honoured(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    print_cards(console, collect([vault]).cards)
    out = buffer.getvalue()
    assert "[...]" in out
    assert not re.search(r"\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7])(;[0-9;]*)?m", out), "colour codes despite NO_COLOR"


def test_terminal_link_falls_back_to_the_file_uri(vault: Path) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    print_cards(console, collect([vault]).cards, roots=[vault])
    assert (vault / "chemistry.md").resolve().as_uri() in buffer.getvalue()
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    print_cards(console, collect([SAMPLE]).cards, roots=[SAMPLE])
    assert "obsidian://open?vault=sample_notes&file=" in buffer.getvalue()


def test_wrapping_breaks_cjk_between_characters_and_never_before_closing_punctuation() -> None:
    text = "步骤越多，平均响应长度越长，意味着使用了更多的token，所以它正在学习创建非常长的解决方案。"
    offsets = wrap_offsets(text, 20)
    pieces = [text[a:b] for a, b in zip([0, *offsets], [*offsets, len(text)])]
    assert "".join(pieces) == text
    from rich.cells import cell_len

    assert all(cell_len(p.rstrip()) <= 20 for p in pieces)
    assert not any(p[0] in "，。" for p in pieces[1:])
    latin = "the quick brown fox jumps over the lazy dog"
    offsets = wrap_offsets(latin, 12)
    pieces = [latin[a:b] for a, b in zip([0, *offsets], [*offsets, len(latin)])]
    assert [p.strip() for p in pieces] == ["the quick", "brown fox", "jumps over", "the lazy dog"]


def test_long_output_is_paged_only_on_a_terminal(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paged: list[str] = []
    monkeypatch.setattr(click, "echo_via_pager", lambda text, *a, **k: paged.append(text))
    draw = lambda c: print_cards(c, collect([vault]).cards)  # noqa: E731
    tall = Console(file=io.StringIO(), force_terminal=True, width=100, height=200)
    short = Console(file=io.StringIO(), force_terminal=True, width=100, height=10)
    piped = Console(file=io.StringIO(), width=100, height=10)
    cards.cli._show(tall, None, draw)
    assert not paged
    cards.cli._show(short, None, draw)
    assert len(paged) == 1 and "[...]" in paged[0]
    cards.cli._show(short, False, draw)
    cards.cli._show(piped, None, draw)
    cards.cli._show(piped, True, draw)  # --pager on a pipe: just print
    assert len(paged) == 1
    cards.cli._show(tall, True, draw)
    assert len(paged) == 2
    # --pager through the CLI when piped: plain output, no pager, no escapes
    result = run("preview", vault, "--pager")
    assert result.exit_code == 0 and "[...]" in result.output and ESC not in result.output


# ------------------------------------------------------------------ --changed


def test_changed_with_no_state_says_so(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "never-built.apkg"
    result = run("preview", vault, "--changed", "-o", out)
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert f"No earlier build of {out} is known" in text
    assert "never-built.apkg.cards-state.json" in text and "nothing to compare with" in text
    assert "+ added" not in text
    assert not out.exists() and not state_path(out).exists()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_changed_lists_added_updated_and_retired_with_file_and_line(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "deck.apkg"
    build([vault], out, now=1_700_000_000)
    unchanged = run("preview", vault, "--changed", "-o", out)
    assert unchanged.exit_code == 0
    assert "No changes." in unchanged.stdout and "0 added, 0 updated, 0 retired, 13 unchanged notes" in unchanged.stdout

    tea = vault / "kitchen" / "tea.md"
    text = PIPELINE.replace(
        "   - bring it to 90 °C for green tea\n", "   - bring it to 80 °C for green tea\n"
    )  # an answer edit
    text = text.replace("5. **Rinse** the pot\n", "")  # a step removed
    text = text.replace("## Terms\n", "## Terms\n- Which tea is fermented the longest?\n  - Pu-erh.\n")  # a new card
    tea.write_text(text, "utf-8")
    before = _snapshot(vault) | {"out/" + k: v for k, v in _snapshot(out.parent).items()}

    result = run("preview", vault, "--changed", "-o", out)
    assert result.exit_code == 0, result.output
    got = result.stdout
    assert got.startswith(f"Compared with the last build of {out}\n")
    assert "+ added    qa  kitchen/tea.md:13\n  Q   Which tea is fermented the longest?\n  A   • Pu-erh." in got
    assert "~ updated  steps  kitchen/tea.md:4\n  Q   1. [...]\n      2. Steep\n      ⋯ 2 more\n" in got
    assert "• bring it to 80 °C for green tea" in got
    assert "- retired  steps  kitchen/tea.md\n      Rinse" in got
    # removing step 5 changes the lists of the other steps: each of them is updated;
    # the cards below the edit moved, and their Source field (file:line) with them
    # (marked as only moved: same text, a new line number)
    heads = re.findall(r"^  ([+~↓-]) \w+ +(\w+)  (\S+)$", got, re.M)
    assert heads == [
        ("~", "steps", "kitchen/tea.md:4"),
        ("~", "steps", "kitchen/tea.md:6"),
        ("~", "steps", "kitchen/tea.md:7"),
        ("~", "steps", "kitchen/tea.md:8"),
        ("↓", "phrases", "kitchen/tea.md:10"),
        ("+", "qa", "kitchen/tea.md:13"),
        ("↓", "qa", "kitchen/tea.md:15"),
        ("↓", "qa", "kitchen/tea.md:17"),
        ("↓", "figure", "kitchen/tea.md:21"),
        ("-", "steps", "kitchen/tea.md"),
    ]
    assert "1 added, 8 updated (4 only moved a line), 1 retired, 4 unchanged notes; nothing was written" in got
    assert ESC not in got
    # preview wrote nothing: the notes, the deck and its state are as they were
    after = _snapshot(vault) | {"out/" + k: v for k, v in _snapshot(out.parent).items()}
    assert after == before

    filtered = run("preview", vault, "--changed", "-o", out, "--kind", "qa").stdout
    assert re.findall(r"^  ([+~↓-]) \w+ +(\w+)  (\S+)$", filtered, re.M) == [
        ("+", "qa", "kitchen/tea.md:13"),
        ("↓", "qa", "kitchen/tea.md:15"),
        ("↓", "qa", "kitchen/tea.md:17"),
    ]
    retired_only = run("preview", vault, "--changed", "-o", out, "--grep", "rinse").stdout
    assert "- retired  steps  kitchen/tea.md" in retired_only and "+ added" not in retired_only

    # after the rebuild, nothing is left to change
    build([vault], out, now=1_700_000_100)
    assert "No changes." in run("preview", vault, "--changed", "-o", out).stdout


def test_html_page_from_the_cli(vault: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    result = run("preview", vault, "--html", page, "--note", "kitchen/*")
    objects = preview_json(vault, "--note", "kitchen/*")
    assert result.exit_code == 0 and f"wrote {page} ({len(objects)} cards)" in result.stdout
    text = page.read_text("utf-8")
    assert text.count('<article class="card') == len(objects)
    assert f'href="{(vault / "kitchen" / "tea.md").resolve().as_uri()}"' in text
    assert 'src="data:image/png;base64,' in text
    assert "http://" not in text and "https://" not in text
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ through the build's cache


def _expected_json(vault: Path, out: Path, **filters: Any) -> str:
    """What ``--json`` printed before it read the cache: every card rendered afresh."""
    from cards.pipeline.run import identify_cards
    from cards.preview.json_view import card_objects, select

    cards = select(identify_cards(collect([vault]), out).cards, **filters)
    return json.dumps(card_objects(cards, roots=[vault]), ensure_ascii=False, indent=2) + "\n"


def test_json_through_the_cache_is_the_same_text_and_renders_nothing_again(
    every_kind: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out" / "deck.apkg"
    build([every_kind], out, now=1_700_000_000)
    expected = _expected_json(every_kind, out)
    assert run("preview", every_kind, "--json", "-o", out).stdout == expected  # views made and kept

    def boom(*args: object, **kwargs: object) -> Any:
        raise AssertionError("a warm preview parses and renders nothing")

    monkeypatch.setattr("cards.preview.json_view.render_faces", boom)
    monkeypatch.setattr(sys.modules["cards.pipeline.collect"], "process_note", boom)
    assert run("preview", every_kind, "--json", "-o", out).stdout == expected
    for filters in (
        {"kinds": ("qa",)},
        {"note": "kitchen/*"},
        {"kinds": ("steps", "figure"), "note": "*.md"},
        {"note": "nothing*"},
    ):
        args: list[str | Path] = [f"--kind={k}" for k in filters.get("kinds", ())]  # type: ignore[union-attr]
        if "note" in filters:
            args += ["--note", str(filters["note"])]
        monkeypatch.undo()
        want = _expected_json(every_kind, out, **filters)
        monkeypatch.setattr("cards.preview.json_view.render_faces", boom)
        assert run("preview", every_kind, "--json", "-o", out, *args).stdout == want, filters


def test_preview_fills_the_cache_but_writes_no_deck_and_no_state(vault: Path, tmp_path: Path) -> None:
    from cards.pipeline.cache import cache_dir

    out = tmp_path / "out" / "deck.apkg"
    first = run("preview", vault, "--json", "-o", out)
    assert first.exit_code == 0 and json.loads(first.stdout)
    assert not out.parent.exists()  # no deck, no state, no lock beside it
    assert (cache_dir(out) / "cache.sqlite").is_file()
    built = build([vault], out, now=1_700_000_000)
    assert built.collected.parsed == 0 and built.written  # the notes came from the preview's entries
    # an edited note: parsed once by the preview, its cards those a build gives
    (vault / "kitchen" / "tea.md").write_text(PIPELINE.replace("Tannin", "Tannins"), "utf-8")
    assert run("preview", vault, "--json", "-o", out).stdout == _expected_json(vault, out)
    assert build([vault], out, now=1_700_000_100).collected.parsed == 0


def test_views_made_in_worker_processes_are_the_same_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, synthetic: Any
) -> None:
    """A first preview of many notes renders their cards in worker processes, which
    read the notes' entries from the cache file: the same text as one process makes."""
    vault = tmp_path / "big"
    synthetic(120, vault, seed=5)
    out = tmp_path / "out" / "deck.apkg"
    build([vault], out, now=1_700_000_000)

    reading = sys.modules["cards.pipeline.reading"]
    monkeypatch.setattr(sys.modules["cards.pipeline.collect"], "PARALLEL_MIN", 50)
    monkeypatch.setattr(reading, "_parallel_jobs", lambda jobs, todo: 2)
    inner = reading._made_in_workers
    made: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        for found in inner(*args, **kwargs):
            made.append(found[0])
            yield found

    monkeypatch.setattr(reading, "_made_in_workers", counted)
    first = run("preview", vault, "--json", "-o", out).stdout
    assert sorted(made) == list(range(120))  # every note's view came from a worker
    assert first == _expected_json(vault, out)
    made.clear()
    assert run("preview", vault, "--json", "-o", out).stdout == first and made == []


def test_a_view_made_under_other_guids_is_made_again(tmp_path: Path) -> None:
    """A note's view holds its cards' GUIDs, which depend on other notes too: a new note
    that repeats a question earlier in path order takes the plain key, so the unchanged
    note's card gets a salted GUID; its kept view must not print the old one."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "b.md").write_text("# Tea\n\nQ: What is tea?\nA: A drink made from leaves.\n", "utf-8")
    out = tmp_path / "out" / "deck.apkg"
    first = run("preview", vault, "--json", "-o", out)
    assert first.exit_code == 0 and first.stdout == _expected_json(vault, out)
    (vault / "a.md").write_text("# Tea\n\nQ: What is tea?\nA: Leaves in hot water.\n", "utf-8")
    second = run("preview", vault, "--json", "-o", out)
    assert second.stdout == _expected_json(vault, out)
    before = {obj["note"]: obj["guid"] for obj in json.loads(first.stdout)}
    after = {obj["note"]: obj["guid"] for obj in json.loads(second.stdout)}
    assert list(before) == ["b"] and sorted(after) == ["a", "b"]
    assert after["b"] != before["b"] and after["a"] == before["b"]  # the case this test is about
