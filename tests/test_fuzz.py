"""Fuzz: a note built from Markdown's special characters never breaks a build or hangs it.

Why: one unlucky or hostile note (a run of ``[``, an unclosed cloze, a YAML alias bomb)
once hung a build for minutes or ended it in a traceback (issue 22). Hypothesis writes
notes out of the characters every syntax we read is made of — brackets, emphasis, math,
clozes, Logseq properties, front matter, CJK — often in long runs, and each goes through
the whole per-note pipeline (reflow, parse, every extractor, the judge, the rows) and
through what ``cards preview --json`` prints (Anki's faces of every card). No exception
may escape, and a note may take at most ``_SECONDS`` plus ``_SECONDS_PER_KB`` per KB:
generous for a linear pipeline (about a hundredth of a second per KB here), far too
little for a quadratic one once a run is a few thousand characters long (CPU time, so
that a loaded machine does not fail it).

CI runs a fixed set of examples (``derandomize``); set ``CARDS_FUZZ_EXAMPLES`` to run
more, and ``CARDS_FUZZ_SEED`` to draw them at random from that seed.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, seed, settings
from hypothesis import strategies as st

from cards.cli import main
from cards.notes.media import MediaIndex
from cards.notes.read import NoteFile
from cards.pipeline.per_note import Vault, process_note
from cards.preview.json_view import card_objects

_SECONDS = 3.0
_SECONDS_PER_KB = 0.1
_EXAMPLES = int(os.environ.get("CARDS_FUZZ_EXAMPLES", "40"))
_SEED = os.environ.get("CARDS_FUZZ_SEED")

#: What the syntaxes are made of: single characters, and the pieces they open and close.
ATOMS = (
    *"[]()!*_$:{}=^|>#-`\\<",
    "1.",
    "2.",
    " ",
    "\n",
    "\t",
    "a",
    "Word ",
    "中文",
    "。",
    "？",
    "**",
    "==",
    "^^",
    "~~",
    "$$",
    "::",
    ":::",
    " :: ",
    "?",
    "[[",
    "]]",
    "![",
    "![[",
    "](",
    "[a](",
    "[[a|",
    "{{c1::",
    "{{c2::",
    "}}",
    "{{cloze ",
    "((",
    "))",
    "\\(",
    "\\)",
    "\\\\(",
    "```",
    "<!--",
    "-->",
    "<b>",
    "<script>",
    "- ",
    "- [ ] ",
    "> ",
    "> [!note] ",
    "# ",
    "## ",
    "1. **",
    "Q: ",
    "A: ",
    "问：",
    "答：",
    "&",
    "#tag ",
    "[^1]",
    "key:: ",
)

#: A run: one atom, once or many times over (a pathological note is mostly one long run).
_run = st.tuples(st.sampled_from(ATOMS), st.integers(1, 4)).map(lambda pair: pair[0] * pair[1]) | st.tuples(
    st.sampled_from(ATOMS), st.integers(1, 3000)
).map(lambda pair: pair[0] * pair[1])
_body = st.lists(_run, max_size=30).map("".join)
_YAML = (*"[]{}:,-&*!|>'\"#\n ", "a", "tags", "title", "tag", "&a ", "*a", "&b [*a, *a] ", ": ", "- ")
_front = st.one_of(
    st.just(""),
    st.lists(st.sampled_from(_YAML), max_size=40).map(lambda parts: "---\n" + "".join(parts) + "\n---\n"),
)
_properties = st.lists(
    st.tuples(
        st.sampled_from(("tags", "title", "alias", "id", "a-b")), _body.map(lambda s: s[:200].replace("\n", " "))
    ),
    max_size=3,
).map(lambda pairs: "".join(f"{key}:: {value}\n" for key, value in pairs))
NOTES = st.builds(lambda front, properties, body: front + properties + body, _front, _properties, _body)


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vault]:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "fuzz.md").write_text("placeholder", encoding="utf-8")
    yield Vault.open(root)


def _seeded(test):  # type: ignore[no-untyped-def]
    return seed(int(_SEED))(test) if _SEED is not None else test


@_seeded
@settings(
    max_examples=_EXAMPLES,
    derandomize=_SEED is None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(NOTES)
@example("[" * 20_000)
@example("{{c1::" * 4_000)
@example("- " + " ".join(f"**w{i}**" for i in range(600)))
@example("---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
         "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\ntags: *e\ntitle: *e\n---\n# Note\n")  # fmt: skip
@example("{{c1::answer}} " + "\\\\(" * 10_000)
def test_a_note_of_special_characters_never_breaks_or_hangs(vault: Vault, text: str) -> None:
    note = NoteFile(vault.root, PurePosixPath("fuzz.md"))
    began = time.process_time()  # CPU time: other processes on a shared machine do not count
    result = process_note(vault, note, text, MediaIndex(vault.root))
    objects = card_objects(result.cards)
    json.dumps(objects, ensure_ascii=False, indent=2)
    took = time.process_time() - began
    kb = len(text.encode("utf-8")) / 1024
    assert result.error is None or result.error.startswith("fuzz.md:"), result.error
    assert all(w.startswith("fuzz.md:") for w in result.warnings), result.warnings
    assert took <= _SECONDS + _SECONDS_PER_KB * kb, f"{took:.1f} s for {kb:.0f} KB"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 20_000,
        "{{c1::answer}} " + "\\\\(" * 10_000,
        "---\na: &a [x, x]\nb: &b [*a, *a]\ntags: *b\n---\n- **ATP** is made in the mitochondria\n",
        "title:: Fusion\ntags:: #physics, [[anyon model]]\n\n- Q: What is ((x))? A: {{c1::a}} $x ::\n",
    ],
    ids=["brackets", "cloze-then-parens", "front-matter-aliases", "logseq-properties"],
)
def test_preview_json_of_a_special_note_is_json(tmp_path: Path, text: str) -> None:
    """The same through the command itself: ``cards preview --json`` prints a JSON list."""
    (tmp_path / "fuzz.md").write_text(text, encoding="utf-8")
    done = CliRunner().invoke(main, ["preview", str(tmp_path), "--json"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert isinstance(json.loads(done.stdout), list)
