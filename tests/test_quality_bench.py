"""The quality instrument of issue 11 measures what it says (benchmarks/quality.py).

Each defect detector (benchmarks/defects.py) and fact detector (benchmarks/facts.py) is
shown a tiny made-up case it must flag and one it must not; cards are made by hand as
``Card`` objects and rendered by the preview's own Anki faces, so the yardstick does not
move when the extractors change. The script runs end to end on sample_notes, and
benchmarks/corpus.py lays a repository out from a local clone (blob by blob when the
clone lacks an object). Nothing here is timed.
"""

from __future__ import annotations

import doctest
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from cards.model import BASIC, CLOZE, Card, Source
from cards.preview.json_view import card_objects

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import corpus  # noqa: E402
import defects  # noqa: E402
import facts  # noqa: E402


def _views(
    kind: str, model: str, front: str, back: str = "", context: tuple[str, ...] = ("note", "Section")
) -> list[defects.CardView]:
    card = Card(
        kind=kind,
        model=model,
        front=front,
        back=back,
        context=context,
        identity=front,
        source=Source(PurePosixPath("n.md"), 3),
        deck="D",
        tags=(),
        note_title=context[0],
    )
    return [defects.view_of(obj) for obj in card_objects([card])]


def _one(
    kind: str, model: str, front: str, back: str = "", context: tuple[str, ...] = ("note", "Section")
) -> defects.CardView:
    views = _views(kind, model, front, back, context)
    assert len(views) == 1
    return views[0]


# ------------------------------------------------------------------ the view


def test_view_of_reads_gap_front_back_and_breadcrumb_from_the_rendered_card() -> None:
    first, second = _views(
        "phrases", CLOZE, "Cells make {{c1::ATP}} in <b>{{c2::mitochondria}}</b>.", "<p>Extra text</p>"
    )
    assert first.front == "Cells make [...] in mitochondria." and first.hidden == ("ATP",) and first.after == (" in",)
    assert second.front == "Cells make ATP in [...]." and second.hidden == ("mitochondria",)
    assert first.back == "Extra text" and first.context == ("note", "Section")
    assert first.full_front == "Cells make ATP in mitochondria."
    assert (first.path, first.line) == ("n.md", 3)
    qa = _one("qa", BASIC, "What is osmosis?", "<ul><li>Water crossing a membrane.</li></ul>")
    assert qa.front == "What is osmosis?" and qa.back == "• Water crossing a membrane." and qa.hidden == ()
    assert "n.md:3" not in qa.answer  # the Source link is not part of what is judged


# ------------------------------------------------------------------ defect detectors


@pytest.mark.parametrize(
    "front",
    [
        "{{c1::Note:}} the cell divides in two.",
        "{{c1::Etiology}}: a virus in most cases.",
        "{{c1::SOLUTION}}",
        "{{c1::优点}}：速度快",
        "{{c1::方式一}} 用哈希表",
        "{{c1::3.4 Descriptor}} of SIFT",
    ],
)
def test_label_flags_a_hidden_label(front: str) -> None:
    assert defects.label(_one("phrases", CLOZE, front))


def test_label_flags_a_basic_card_whose_front_is_a_label() -> None:
    assert defects.label(_one("qa", BASIC, "Note:", "see the next slide"))
    assert defects.label(_one("qa", BASIC, "What does a ribosome make?", "Proteins")) is None


@pytest.mark.parametrize(
    "front",
    ["Glucose is split by {{c1::glycolysis}} in the cytoplasm.", "The {{c1::NOTE}} instruction is a no-op here."],
)
def test_label_passes_a_fact(front: str) -> None:
    assert defects.label(_one("phrases", CLOZE, front)) is None


def test_tiny_flags_a_letter_or_one_cjk_character_not_a_word() -> None:
    assert [defects.tiny(v) for v in _views("phrases", CLOZE, "{{c1::D}}ictionary {{c2::O}}f Keys")] == [
        'hidden "D" is 1 wide',
        'hidden "O" is 1 wide',
    ]
    assert defects.tiny(_one("phrases", CLOZE, "The variable {{c1::\\(x\\)}} is free."))
    assert defects.tiny(_one("phrases", CLOZE, "文件由{{c1::块}}组成"))
    assert defects.tiny(_one("phrases", CLOZE, "A running program is a {{c1::进程}}.")) is None
    assert defects.tiny(_one("phrases", CLOZE, "Cells make {{c1::ATP}}.")) is None


def test_shown_flags_the_answer_on_the_front() -> None:
    assert (
        defects.shown(_one("phrases", CLOZE, "The {{c1::kernel}} starts first; the kernel then mounts root."))
        == 'hidden "kernel" is elsewhere on the front'
    )
    assert (
        defects.shown(_one("phrases", CLOZE, "{{c1::Paging}} splits memory.", context=("os", "Paging")))
        == 'hidden "Paging" is in the breadcrumb'
    )
    assert "parentheses as DHCP" in (
        defects.shown(_one("phrases", CLOZE, "{{c1::Dynamic Host Configuration Protocol}} (DHCP) leases addresses."))
        or ""
    )
    assert "spelled out" in (
        defects.shown(_one("phrases", CLOZE, "{{c1::TLB}}: the translation lookaside buffer caches pages.")) or ""
    )
    assert defects.shown(_one("qa", BASIC, "Which layer does TCP live in?", "TCP")) == 'the back "TCP" is on the front'


def test_shown_passes_a_fair_question() -> None:
    assert defects.shown(_one("phrases", CLOZE, "The {{c1::kernel}} starts first, then init.")) is None
    assert (
        defects.shown(_one("phrases", CLOZE, "Kernels are {{c1::preemptive}} here.")) is None
    )  # "kernel" is not the gap
    assert defects.shown(_one("qa", BASIC, "Which layer does TCP live in?", "Transport")) is None


def test_long_flags_a_front_over_300_characters() -> None:
    sentence = "This sentence goes on about membranes. "
    assert defects.long(_one("phrases", CLOZE, sentence * 8 + "It ends in {{c1::osmosis}}.")) is not None
    assert defects.long(_one("phrases", CLOZE, sentence + "It ends in {{c1::osmosis}}.")) is None


@pytest.mark.parametrize(
    "front,token",
    [
        ("{{c1::TCP}} keeps **order", "**"),
        ("See [[Paging]] and {{c1::TLB}}", "[["),
        ("DONE read {{c1::the paper}}", "DONE"),
        ("Costs $5 for {{c1::one}}", "$"),
        ("((64be93db)) says {{c1::this}}", "(("),
        ("{{c1::front}} #card", "#card"),
    ],
)
def test_markup_flags_raw_markup(front: str, token: str) -> None:
    assert defects.markup(_one("phrases", CLOZE, front)) == f"{token} on the card"


def test_markup_flags_raw_math_in_the_breadcrumb_and_passes_code_and_mathjax() -> None:
    assert (
        defects.markup(_one("phrases", CLOZE, "Sum of {{c1::squares}}", context=("n", "The $x^2$ rule")))
        == "$ on the card"
    )
    assert defects.markup(_one("phrases", CLOZE, "Use <code>std::move</code> and \\(a^2\\) for {{c1::moves}}")) is None


# ------------------------------------------------------------------ fact detectors


def test_heading_paragraph_is_a_heading_with_one_short_paragraph() -> None:
    note = (
        "# Cell\n\n## RNA polymerase I\n\nIt makes most ribosomal RNA in the nucleolus.\n\n## Two "
        "paragraphs\n\nOne.\n\nTwo words.\n\n## Long\n\n" + "word " * 100 + "\n"
    )
    found = facts.heading_paragraph(facts.body(note))
    assert found == [facts.Fact("heading_paragraph", 3, 5)]


def test_term_definition_finds_terms_not_urls_labels_or_explicit_cards() -> None:
    note = (
        "- **Osmosis**: water crossing a membrane\n`ls -a`: lists hidden files\n进程：运行中的程序\n"
        "Note:\nSource: https://example.org/x\nQ: What is X?\nstatus:: done\nmet at 10:30 today\n- [link: a "
        "title](https://a.b)\n"
    )
    assert [f.start for f in facts.term_definition(facts.body(note))] == [1, 2, 3]


def test_table_row_finds_glossary_rows_not_numbers() -> None:
    note = (
        "| term | meaning |\n|---|:--|\n| **ATP** | energy |\n| NADH | carrier |\n\n| n | s |\n|---|---|\n| 1 | 2 "
        "|\n| 3 | 4 |\n\n| a | b |\n|---|---|\n| only | one |\n"
    )
    assert [f.start for f in facts.table_row(facts.body(note))] == [3, 4]


def test_facts_ignore_front_matter_and_code() -> None:
    note = "---\ntitle: A: B\n---\n```\nkey: value\n```\n"
    assert all(not detect(facts.body(note)) for detect in facts.CLASSES.values())


@pytest.mark.parametrize("module", [defects, facts, corpus])
def test_docstring_examples_hold(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0


# ------------------------------------------------------------------ the script, end to end


def _quality(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "quality.py"), *args], capture_output=True, text=True, timeout=300, check=True
    )
    return done.stdout


def test_quality_measures_sample_notes() -> None:
    sample = str(ROOT / "sample_notes")
    figures = json.loads(_quality(sample, "--json", "--jobs", "1"))["vaults"][0]
    assert figures["notes"] == 7 and figures["cards"] >= 50 and figures["anki_notes"] <= figures["cards"]
    assert sum(figures["kinds"].values()) == figures["cards"] and set(figures["kinds"]) >= {
        "steps",
        "phrases",
        "qa",
        "figure",
    }
    assert set(figures["defects"]) == {*defects.CLASSES, "any"}
    assert figures["defects"]["any"]["count"] <= sum(
        d["count"] for name, d in figures["defects"].items() if name != "any"
    )
    assert figures["skipped"] == {}
    assert set(figures["recall"]) == set(facts.CLASSES)
    assert all(0 <= r["carded"] <= r["facts"] for r in figures["recall"].values())
    table = _quality(sample, "--jobs", "1")
    assert "Defects (% of cards)" in table and "Recall" in table and "sample_notes" in table


def test_quality_counts_the_notes_skipped_per_reason() -> None:
    vault = str(ROOT / "tests" / "fixtures" / "vault")
    figures = json.loads(_quality(vault, "--json", "--jobs", "1"))["vaults"][0]
    assert figures["skipped"] == {"contents": 1, "journal": 1, "opted out": 1, "tasks": 1, "template": 4}
    assert "Notes skipped as having nothing to learn" in _quality(vault, "--jobs", "1")


def test_quality_sample_is_reproducible_and_shows_sources() -> None:
    sample = str(ROOT / "sample_notes")
    first = _quality(sample, "--sample", "4", "--seed", "7", "--jobs", "1")
    assert first == _quality(sample, "--sample", "4", "--seed", "7", "--jobs", "1")
    cards = re.findall(r"^\[\d+\] (\w+) (\S+\.md):(\d+)", first, re.M)
    assert len(cards) == 4
    for _, path, line in cards:
        source = (ROOT / "sample_notes" / path).read_text("utf-8").splitlines()[int(line) - 1]
        assert f"{int(line):5d}| {source}" in first
    assert first.count("   Q: ") == 4 and first.count("   A: ") == 4


def test_quality_lists_one_defect_class_and_missed_facts(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    vault.mkdir()
    # a card written for Spaced Repetition is kept whatever it asks (the judge drops only
    # mined cards), so it stands for a defective card here
    # a table of numbers gives no card (kind tables), though the recall detector counts its rows
    (vault / "n.md").write_text(
        "# N #flashcards\n\nThe kernel boots first::kernel\n\n| molecule | ATP yield |\n|---|---|\n| NADH | 2.5 |\n| "
        "FADH2 | 1.5 |\n",
        "utf-8",
    )
    listed = _quality(str(vault), "--defect", "shown", "--jobs", "1")
    assert "1 shown cards of 1" in listed and 'the back "kernel" is on the front' in listed
    missed = _quality(str(vault), "--missed", "5", "--jobs", "1")
    assert "2 of 2 missed facts" in missed and "table_row n.md:7-7" in missed and "    7| | NADH | 2.5 |" in missed


# ------------------------------------------------------------------ the corpus


def test_corpus_list_is_wide_and_says_language_and_tool() -> None:
    entries = corpus.load_entries()
    assert len(entries) >= 36 and all(e.style and e.language and e.tool for e in entries)
    assert len({code for e in entries for code in e.language}) >= 7
    assert {e.tool for e in entries} >= {"obsidian", "logseq", "markdown", "dendron", "foam", "typora"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('language = "jp"', "language 'jp' is not an ISO 639-1 code"),
        ('language = "zh, EN"', "language 'EN' is not an ISO 639-1 code"),
        ('language = "en, en"', "names a language twice"),
        ("language = 3", "language must be a string"),
        ('tool = "notion"', "tool 'notion' is not one of dendron, foam, logseq, markdown, obsidian, other, typora"),
    ],
)
def test_corpus_refuses_a_wrong_language_or_tool(tmp_path: Path, extra: str, message: str) -> None:
    listing = tmp_path / "corpus.toml"
    listing.write_text(f'[[repo]]\nrepo = "a/b"\ncommit = "{"0" * 40}"\n{extra}\n', "utf-8")
    with pytest.raises(ValueError, match=re.escape(message)):
        corpus.load_entries(listing)


def _git(repo: Path, *args: str, input_text: str | None = None) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], input=input_text, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def clone(tmp_path: Path) -> tuple[Path, str]:
    """A local clone under MIRROR/me+notes/repo with one commit: vault/a.md, vault/sub/b.md, other.md."""
    repo = tmp_path / "mirror" / "me+notes" / "repo"
    (repo / "vault" / "sub").mkdir(parents=True)
    (repo / "vault" / "a.md").write_text("# A\n", "utf-8")
    (repo / "vault" / "sub" / "b.md").write_text("# B\n", "utf-8")
    (repo / "other.md").write_text("# other\n", "utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "notes")
    return repo, _git(repo, "rev-parse", "HEAD")


def _run_corpus(tmp_path: Path, entries: str) -> subprocess.CompletedProcess[str]:
    listing = tmp_path / "corpus.toml"
    listing.write_text(entries, "utf-8")
    return subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "corpus.py"),
            "--mirror",
            str(tmp_path / "mirror"),
            "--out",
            str(tmp_path / "out"),
            "--list",
            str(listing),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_corpus_lays_out_the_pinned_subfolder(tmp_path: Path, clone: tuple[Path, str]) -> None:
    _, commit = clone
    done = _run_corpus(
        tmp_path,
        f'[[repo]]\nrepo = "me/notes"\ncommit = "{commit}"\nsubfolder = "vault"\nstyle = "test"\n'
        f'[[repo]]\nrepo = "nobody/absent"\ncommit = "{"0" * 40}"\nstyle = "no clone"\n',
    )
    out = tmp_path / "out" / "me+notes"
    assert (out / "a.md").read_text("utf-8") == "# A\n" and (out / "sub" / "b.md").exists()
    assert not (out / "other.md").exists() and not (out / "vault").exists()
    assert (out / ".corpus-commit").read_text().strip() == commit
    assert done.returncode == 1 and "skipped nobody/absent: nobody/absent: no local clone" in done.stderr
    assert re.search(r"me/notes\s+\w{10}\s+2 notes", done.stdout)


def test_corpus_names_the_files_a_clone_lacks(tmp_path: Path, clone: tuple[Path, str]) -> None:
    repo, commit = clone
    blob = _git(repo, "rev-parse", f"{commit}:other.md")
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    shutil.move(str(repo / ".git"), str(repo.parent / "bare"))
    shutil.rmtree(repo)
    (repo.parent / "bare").rename(repo)  # a bare git directory at MIRROR/me+notes/repo, as fetched
    done = _run_corpus(tmp_path, f'[[repo]]\nrepo = "me/notes"\ncommit = "{commit}"\nstyle = "test"\n')
    out = tmp_path / "out" / "me+notes"
    assert done.returncode == 0, done.stderr
    assert (out / "vault" / "a.md").exists() and not (out / "other.md").exists()
    assert (out / ".corpus-absent").read_text() == "other.md\n"
    assert "1 files absent from the clone, 1 of them notes" in done.stdout


@pytest.mark.parametrize("slow_path", [False, True])
def test_corpus_names_the_files_whose_names_this_filesystem_cannot_hold(
    tmp_path: Path, clone: tuple[Path, str], slow_path: bool
) -> None:
    repo, _ = clone
    long_name = "vault/" + "長" * 100 + ".md"  # 300 bytes in UTF-8: over the 255 a name may have here
    blob = _git(repo, "hash-object", "-w", "--stdin", input_text="# long\n")
    _git(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{long_name}")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a long name")
    commit = _git(repo, "rev-parse", "HEAD")
    if slow_path:  # a blob the clone lacks makes git archive fail: the files are written one by one
        other = _git(repo, "rev-parse", f"{commit}:other.md")
        (repo / ".git" / "objects" / other[:2] / other[2:]).unlink()
    done = _run_corpus(tmp_path, f'[[repo]]\nrepo = "me/notes"\ncommit = "{commit}"\nstyle = "test"\n')
    out = tmp_path / "out" / "me+notes"
    assert done.returncode == 0, done.stderr
    assert (out / "vault" / "a.md").exists() and (out / "vault" / "sub" / "b.md").exists()
    assert (out / ".corpus-unwritable").read_text("utf-8") == long_name + "\n"
    assert "1 files with names too long here, 1 of them notes" in done.stdout
