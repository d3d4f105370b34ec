"""Notes with nothing to learn give nothing: journals, templates, task lists, tables of
contents, notes opted out, notes without the tags cards.toml asks for.

Each rule on a minimal note of its own; then ``tests/fixtures/vault`` (an Obsidian vault
with a daily notes folder, a templates folder and Templater's) built end to end and
imported into real Anki; then how a skip is reported (once, in the summary; ``-v``
lists them) and that the cache keeps the reasons.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path, PurePosixPath

import pytest
from ankiclient import import_deck, open_collection, rendered, strip_tags
from click.testing import CliRunner

from cards.cli import main
from cards.config import ConfigError, load_config
from cards.judge.notes import daily_name, link_share, skip_note, task_share, template_placeholder
from cards.notes.layout import Layout, load_layout
from cards.notes.parse import parse_note
from cards.notes.read import find_notes
from cards.pipeline.per_note import NoteResult
from cards.pipeline.run import build, collect

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def note(text: str, path: str = "note.md"):
    return parse_note(text, PurePosixPath(path), deck="D")


def why(
    text: str, path: str = "note.md", *, layout: Layout = Layout(), only_tagged: tuple[str, ...] = ()
) -> str | None:
    skip = skip_note(note(text, path), layout=layout, only_tagged=only_tagged)
    return str(skip) if skip else None


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
    return root


def results(root: Path, **kwargs) -> dict[str, NoteResult]:
    return {r.path.as_posix(): r for r in collect([root], **kwargs).results}


# ------------------------------------------------------------------ layout: where journals and templates live


def test_a_logseq_graph_keeps_journals_in_journals_unless_its_config_says_otherwise(tmp_path: Path) -> None:
    plain = write(tmp_path / "a", {"pages/x.md": "- x", "journals/2024_01_02.md": "- y"})
    assert load_layout(plain).journals == (("journals", "Logseq's journals folder"),)
    renamed = write(
        tmp_path / "b",
        {
            "logseq/config.edn": (
                '{:meta/version 1\n ;; :journals-directory "nope"\n :journals-directory "diary"\n'
                ' :hidden ["/old" "drafts/"]}\n'
            ),
        },
    )
    layout = load_layout(renamed)
    assert (
        layout.logseq
        and layout.journal(PurePosixPath("diary/2024_01_02.md"))
        == "in the journals folder of logseq/config.edn (:journals-directory)"
    )
    assert layout.journal(PurePosixPath("journals/2024_01_02.md")) is None
    assert [folder for folder, _ in layout.hidden] == ["drafts", "old"]
    assert layout.is_ignored(PurePosixPath("logseq"))
    assert load_layout(write(tmp_path / "c", {"notes/a.md": "x"})) == Layout()  # neither app: nothing special


def test_obsidian_settings_name_the_daily_notes_and_templates_folders(tmp_path: Path) -> None:
    root = write(
        tmp_path / "v",
        {
            ".obsidian/daily-notes.json": '{"folder": "/Journal/", "format": "YYYY-MM-DD"}',
            ".obsidian/templates.json": '{"folder": "Meta/Templates"}',
            ".obsidian/plugins/templater-obsidian/data.json": '{"templates_folder": "Tpl"}',
            ".obsidian/plugins/periodic-notes/data.json": json.dumps(
                {
                    "daily": {"enabled": True, "folder": "Periodic/Daily"},
                    "weekly": {"enabled": False, "folder": "Weekly"},
                    "monthly": {"folder": "../outside"},
                }
            ),
        },
    )
    layout = load_layout(root)
    assert [f for f, _ in layout.journals] == ["Journal", "Periodic/Daily"]  # a disabled period, a folder outside: none
    assert [f for f, _ in layout.templates] == ["Meta/Templates", "Tpl"]
    assert (
        layout.template(PurePosixPath("Meta/Templates/Daily.md"))
        == "in the templates folder of .obsidian/templates.json"
    )
    assert layout.template(PurePosixPath("Meta/Templates.md")) is None


def test_broken_settings_count_as_absent(tmp_path: Path) -> None:
    root = write(tmp_path / "v", {".obsidian/daily-notes.json": "{not json", ".obsidian/templates.json": '["a list"]'})
    assert load_layout(root) == Layout()


def test_the_walk_never_reads_templates_nor_logseq_backups(tmp_path: Path) -> None:
    root = write(
        tmp_path / "g",
        {
            "logseq/config.edn": "{}",
            "logseq/bak/pages/a.md": "- a **copy** of a page",
            "pages/a.md": "- the **page**",
            "Templates/t.md": b"\x00\x01 not text at all",
            ".obsidian/templates.json": '{"folder": "Templates"}',
        },
    )
    found = {f.path.as_posix(): f.skipped for f in find_notes(root, layout=load_layout(root))}
    assert found == {
        "Templates/t.md": "template (in the templates folder of .obsidian/templates.json)",
        "pages/a.md": None,
    }
    got = results(root)
    assert (
        got["Templates/t.md"].error is None and got["Templates/t.md"].skipped
    )  # binary, and never an error: never read


# ------------------------------------------------------------------ the rules, one note each


def test_journal_by_folder_or_by_a_date_for_a_name() -> None:
    layout = Layout(journals=(("journals", "Logseq's journals folder"),))
    assert (
        why("- the **Krebs** cycle", "journals/2024_01_02.md", layout=layout) == "journal (in Logseq's journals folder)"
    )
    assert why("- the **Krebs** cycle", "Journal/2024-05-21.md") == "journal (named by a date)"
    assert why("- the **Krebs** cycle", "lectures/2024-05-21 Krebs.md") is None
    assert [
        daily_name(PurePosixPath(p)) for p in ("2024.05.21.md", "20240521.md", "2024-05-21-x.md", "2024-02-30.md")
    ] == [True, False, False, True]


def test_a_readme_gives_nothing_mined_but_its_written_cards(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "network/README.md": "# About this book\n\nThe book has **200,000** words and is written for "
            "**programmers**.\n\nQ: What is TCP?\nA: A transport protocol.\n",
            "network/tcp.md": "# TCP\n\nTCP gives a **reliable byte stream** on top of IP.\n",
        },
    )
    got = results(root)
    assert str(got["network/README.md"].skipped).startswith("readme (")
    assert [c.front for c in got["network/README.md"].cards] == ["What is TCP?"]
    assert got["network/tcp.md"].skipped is None and got["network/tcp.md"].cards
    assert (
        why("- the **Krebs** cycle", "Readme.markdown") is not None
        and why("- the **Krebs** cycle", "Reading.md") is None
    )


@pytest.mark.parametrize(
    "text, placeholder",
    [
        ("---\ncreated: {{date}}\n---\n# Note\n\n- **x** y\n", "{{date}}"),
        ("---\ncreated: {{date:YYYY-MM-DD}}\n---\n", "{{date:YYYY-MM-DD}}"),
        ("# {{title}}\n\n- **x** y\n", "{{title}}"),
        ("\n\n# <% tp.file.title %>\n", "<% tp.file.title %>"),
        ("---\nday: <%* tR += tp.date.now() %>\n---\ntext", "<%* tR += tp.date.now() %>"),
        ("- <% today %>\n- notes", "<% today %>"),  # Logseq's template placeholder
        (
            "# Templating\n\nObsidian writes the date where you put {{date}}.\n",
            "",
        ),  # in the body: words about templates
        ("# Code\n\n```\n<% tp.file.title %>\n```\n", ""),
    ],
)
def test_template_placeholders_in_front_matter_or_title_line(text: str, placeholder: str) -> None:
    assert template_placeholder(text) == placeholder
    assert why(text) == (f"template ({placeholder} in its front matter or title)" if placeholder else None)


def test_a_task_list_gives_nothing_mined_but_a_note_with_a_few_tasks_does() -> None:
    todo = (
        "# Week\n\n- [ ] Finish the **enzymes** note\n- [ ] Email Ana\n  - about the lab\n- [x] Print slides\n- "
        "Library closes at 6.\n"
    )
    assert task_share(note(todo))[:2] == (3, 4)  # the task's own sub-bullet is the task's
    assert why(todo) == "tasks (3 of 4 items are tasks)"
    logseq = "- TODO Read chapter 3\n- DOING Write summary\n- LATER [#A] Ask about **ATP**\n- The lab is open.\n"
    assert why(logseq) == "tasks (3 of 4 items are tasks)"
    study = "# Cells\n\n- The **nucleus** holds DNA.\n- The **ribosome** makes proteins.\n- [ ] add membranes\n"
    assert why(study) is None
    assert why("- [ ] one lone task\n- and a fact\n") is None  # one task is never a list of them
    goals = (
        "Rust is a systems language designed with **performance and memory safety** in mind; its compiler catches "
        "a large class of memory and concurrency bugs.\n\n# Goals\n\n- [x] Finish the book\n- [ ] Write a CLI\n- [ ] "
        "Write an API\n"
    )
    assert task_share(note(goals))[:2] == (3, 4)
    assert why(goals) is None  # most items are tasks, but the prose outweighs them


def test_a_table_of_contents_gives_nothing_mined_but_links_inside_prose_do() -> None:
    index = "# Biology\n\n- [[Cells]]\n- [[Enzymes]] · [[ATP]]\n- [Course](https://example.org)\n- https://example.org/slides\n"
    assert link_share(note(index))[:2] == (4, 4)
    assert why(index) == "contents (4 of 4 lines are only links)"
    zettel = (
        "A file is only a **sequence of bytes**: without structure it holds no information, so files are organised "
        "in fields and records.\n\n[[Fields]]\n[[Records]]\n[[Access]]\n[[Compaction]]\n"
    )
    assert link_share(note(zettel))[:2] == (4, 5)
    assert why(zettel) is None  # 4 of 5 lines are links, but the prose outweighs them
    assert why("- see [[Cells]]\n- and [[ATP]]\n- **ATP** is energy.\n") is None  # "see [[x]]" is a sentence


@pytest.mark.parametrize("value", ["false", "no", "off", '"false"'])
def test_front_matter_cards_false_opts_a_note_out(value: str) -> None:
    assert (
        why(f"---\ncards: {value}\n---\n- The **nucleus** holds DNA.\n")
        == "opted out (cards: false in its front matter)"
    )


def test_logseq_page_property_cards_false_opts_a_page_out() -> None:
    assert why("cards:: false\n\n- The **nucleus** holds DNA.\n") == "opted out (cards: false in its front matter)"


def test_front_matter_cards_true_keeps_a_note_the_content_rules_would_skip() -> None:
    layout = Layout(journals=(("journals", "Logseq's journals folder"),))
    assert why("---\ncards: true\n---\n- [ ] a\n- [ ] b\n- [[x]]\n", "journals/2024-01-02.md", layout=layout) is None
    assert why("---\ncards: true\ncreated: {{date}}\n---\n- x\n") is not None  # a template stays a template


def test_only_tagged_keeps_notes_with_the_tag_from_front_matter_inline_or_tags_property() -> None:
    wanted = ("anki",)
    assert (
        why("- The **nucleus** holds DNA.\n", only_tagged=wanted)
        == "untagged (none of cards.toml's only_tagged: #anki)"
    )
    assert why("---\ntags: [anki, bio]\n---\n- The **nucleus** holds DNA.\n", only_tagged=wanted) is None
    assert why("- The **nucleus** holds DNA. #Anki/bio\n", only_tagged=wanted) is None  # nested and any case
    assert why("tags:: anki, biology\n\n- The **nucleus** holds DNA.\n", only_tagged=wanted) is None
    assert why("---\ncards: true\n---\n- x\n", only_tagged=wanted) is None  # cards: true opts in too
    assert why("- x #ankidroid\n", only_tagged=wanted) is not None


def test_only_tagged_ignores_the_folder_tag_and_is_part_of_the_cache_key(tmp_path: Path) -> None:
    root = write(
        tmp_path / "v",
        {"anki/cells.md": "- The **nucleus** holds DNA.\n", "b.md": "- The **ribosome** makes proteins. #anki\n"},
    )
    out = tmp_path / "deck.apkg"
    assert build([root], out).collected.summary.cards == 2
    (root / "cards.toml").write_text('only_tagged = ["#anki"]\n', "utf-8")
    again = build([root], out)
    assert again.collected.parsed == 2  # a card-shaping setting: every note parsed again
    got = {r.path.as_posix(): (len(r.rows), r.skipped) for r in again.collected.results}
    assert got == {"anki/cells.md": (0, "untagged (none of cards.toml's only_tagged: #anki)"), "b.md": (1, None)}
    card = again.collected.cards[0]
    assert card.tags == ("anki",)  # the folder tag still tags the cards that come


@pytest.mark.parametrize(
    "text, message",
    [
        ('only_tagged = "anki"\n', 'cards.toml:1: "only_tagged" must be a list of tags; write only_tagged = ["anki"]'),
        (
            'only_tagged = ["#"]\n',
            'cards.toml:1: "only_tagged" holds an empty tag; write only_tagged = ["anki"] or remove the line',
        ),
        (
            'deck = "D"\nonly_tagged = ["to learn"]\n',
            'cards.toml:2: tag "to learn" in "only_tagged" contains a space, which a tag cannot; write it as in your '
            'notes, e.g. only_tagged = ["anki"]',
        ),
    ],
)
def test_only_tagged_mistakes_are_named_with_their_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "cards.toml").write_text(text, "utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value) == message


def test_only_tagged_reads_as_anki_spells_tags(tmp_path: Path) -> None:
    (tmp_path / "cards.toml").write_text('only_tagged = ["#anki", "bio/cells", "anki"]\n', "utf-8")
    assert load_config(tmp_path).only_tagged == ("anki", "bio::cells")


# ------------------------------------------------------------------ the Obsidian fixture, end to end, into Anki


def test_the_vault_gives_only_what_has_something_to_learn(tmp_path: Path) -> None:
    vault = shutil.copytree(FIXTURES / "vault", tmp_path / "vault")
    got = {path: (len(r.rows), r.skipped) for path, r in results(vault).items()}
    assert got == {
        "Daily/2024-05-21.md": (
            1,
            "journal (in the daily notes folder of .obsidian/daily-notes.json)",
        ),  # its Q :: A only
        "README.md": (0, "contents (4 of 4 lines are only links)"),
        "Scripts/templates/Lecture.md": (0, "template (in Templater's templates folder)"),
        "Templates/Binary.md": (0, "template (in the templates folder of .obsidian/templates.json)"),
        "Templates/Daily.md": (0, "template (in the templates folder of .obsidian/templates.json)"),
        "notes/2024-05-22.md": (1, None),  # named by a date, but cards: true
        "notes/biology.md": (1, None),
        "notes/lecture-template.md": (0, 'template (<% tp.date.now("YYYY-MM-DD") %> in its front matter or title)'),
        "notes/private.md": (0, "opted out (cards: false in its front matter)"),
        "notes/todo.md": (0, "tasks (3 of 4 items are tasks)"),
    }


@pytest.mark.anki
def test_the_vault_in_anki_holds_the_written_card_of_the_daily_note_and_no_mined_one(tmp_path: Path) -> None:
    vault = shutil.copytree(FIXTURES / "vault", tmp_path / "vault")
    deck = tmp_path / "deck.apkg"
    result = CliRunner().invoke(main, ["build", str(vault), "-o", str(deck)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    col = open_collection(tmp_path)
    try:
        assert import_deck(col, deck).new == 3
        faces = sorted(strip_tags(rendered(col, cid)[0]) for cid in col.find_cards(""))
    finally:
        col.close()
    assert len(faces) == 3
    assert any(face.endswith("What does glycolysis produce") for face in faces)  # written in the daily note
    assert any("[...] moves water across a membrane" in face for face in faces)  # the dated note that said cards: true
    assert any("The [...] makes proteins" in face for face in faces)
    text = " ".join(faces)
    for mined_from_nothing in ("glycolysis happens", "Krebs", "Topic", "enzymes", "osmosis", "Gym", "Email"):
        assert mined_from_nothing not in text


# ------------------------------------------------------------------ reporting


def test_skips_are_counted_once_in_the_summary_and_listed_with_v(tmp_path: Path) -> None:
    vault = shutil.copytree(FIXTURES / "vault", tmp_path / "vault")
    deck = tmp_path / "deck.apkg"
    quiet = CliRunner().invoke(main, ["build", str(vault), "-o", str(deck)], catch_exceptions=False)
    assert quiet.exit_code == 0
    assert quiet.stdout.startswith(
        "10 notes (0 with errors, 8 skipped: 4 template, 1 contents, 1 journal, 1 opted out, 1 tasks) -> 3 cards "
    )
    assert "skipped" not in quiet.stderr and "Warning" not in quiet.stderr  # never a warning per note
    loud = CliRunner().invoke(main, ["build", str(vault), "-o", str(deck), "-v"], catch_exceptions=False)
    assert loud.stderr.splitlines() == [
        "Daily/2024-05-21.md: skipped, journal (in the daily notes folder of .obsidian/daily-notes.json)",
        "README.md: skipped, contents (4 of 4 lines are only links)",
        "Scripts/templates/Lecture.md: skipped, template (in Templater's templates folder)",
        "Templates/Binary.md: skipped, template (in the templates folder of .obsidian/templates.json)",
        "Templates/Daily.md: skipped, template (in the templates folder of .obsidian/templates.json)",
        'notes/lecture-template.md: skipped, template (<% tp.date.now("YYYY-MM-DD") %> in its front matter or title)',
        "notes/private.md: skipped, opted out (cards: false in its front matter)",
        "notes/todo.md: skipped, tasks (3 of 4 items are tasks)",
    ]
    assert "is up to date" in loud.stdout  # the no-op build knows its skips from the cache's manifest
    preview = CliRunner().invoke(main, ["preview", str(vault), "--json", "-v"], catch_exceptions=False)
    assert "notes/todo.md: skipped, tasks (3 of 4 items are tasks)" in preview.stderr


def test_the_reasons_survive_the_cache_and_a_patched_rebuild(tmp_path: Path) -> None:
    vault = shutil.copytree(FIXTURES / "vault", tmp_path / "vault")
    out = tmp_path / "deck.apkg"
    first = build([vault], out)
    (vault / "notes" / "biology.md").write_text(
        "# Biology\n\n- The **ribosome** makes proteins.\n- The **nucleus** holds DNA.\n", "utf-8"
    )
    patched = build([vault], out)
    assert patched.collected.parsed == 1
    assert patched.collected.summary.skipped == first.collected.summary.skipped
    assert dict(patched.collected.summary.skipped)["notes/todo.md"] == "tasks (3 of 4 items are tasks)"
    # a note that becomes a task list loses its mined cards, and says so
    (vault / "notes" / "biology.md").write_text("- [ ] learn the **ribosome**\n- [ ] and the nucleus\n", "utf-8")
    third = build([vault], out)
    assert dict(third.collected.summary.skipped)["notes/biology.md"] == "tasks (2 of 2 items are tasks)"
    assert len(third.changes.retired) == 2


def test_explain_lists_a_skipped_notes_candidates_under_nothing_to_learn(tmp_path: Path) -> None:
    vault = shutil.copytree(FIXTURES / "vault", tmp_path / "vault")
    result = CliRunner().invoke(main, ["preview", str(vault), "--json", "--explain"], catch_exceptions=False)
    dropped = json.loads(result.stdout)["dropped"]
    mine = {(d["source"]["path"], d["question"]): d["reason"] for d in dropped if d["rule"] == "nothing_to_learn"}
    assert mine[("Daily/2024-05-21.md", "Learned that [...] happens in the cytoplasm.")] == (
        "the note is skipped: journal (in the daily notes folder of .obsidian/daily-notes.json)"
    )
    assert any(
        path == "Templates/Daily.md"
        and reason.endswith("template (in the templates folder of .obsidian/templates.json)")
        for (path, _), reason in mine.items()
    )
    assert any(path == "notes/private.md" for path, _ in mine)  # opted out: every candidate, with why
    assert not any(path == "notes/biology.md" for path, _ in mine)
    assert not any("What does glycolysis produce" in question for _, question in mine)  # the written card is a card
