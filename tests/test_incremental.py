"""A rebuild that patches the last deck gives what a full build gives.

Why: incremental.py replaces only the touched notes' rows in the last collection and
splices their lines of the state file. None of that may show: after each edit below,
the patching build and a full build from scratch (no cache, the same state file to
start from, the same time) must report the same changes, write the same state file
byte for byte, and a deck with the same notes and cards by GUID (fields, tags, note
type, modification time, deck, ordinal), decks, note types and media. Only ids and new
cards' positions may differ, which Anki does not match on; real Anki must import the
patched deck exactly as it imports the full one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cards.deck import package
from cards.deck.state import state_path
from cards.pipeline.cache import cache_dir
from cards.pipeline.run import BuildResult, build

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)

NOTES = {
    "a.md": "# A\n\n- What is **osmosis**?\n  - Water crossing a membrane.\n- The **mitochondrion** makes ATP.\n",
    "sub/b.md": "## How\n1. **Boil** water\n2. **Steep** the leaves\n",
    "sub/c.md": "# C\n\n- Which gas do plants take in?\n  - **Carbon dioxide**.\n",
    "d.md": "# D\n\n- The {{c1::heart}} has {{c2::four}} chambers.\n",
    "fig.md": "# Fig\n\n- ![[cell.png]]\n  - The nucleus holds the DNA.\n",
    "shared/x.md": "# X\n\n- What is shared?\n  - Twice asked, x.\n- What is only in x?\n  - X.\n",
    "shared/y.md": "# Y\n\n- What is shared?\n  - Twice asked, y.\n- What is only in y?\n  - Y.\n",
    **{f"filler/{i:02d}.md": f"# F{i}\n\n- What is filler {i}?\n  - Number {i}.\n" for i in range(30)},
    # how a deck is patched, not which candidates the score keeps (tests/test_score.py)
    "cards.toml": 'density = "all"\n',
}


def _write(root: Path, notes: dict[str, str]) -> None:
    for name, text in notes.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")


def _edit(name: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(vault: Path) -> None:
        text = (vault / name).read_text("utf-8")
        assert old in text
        (vault / name).write_text(text.replace(old, new), "utf-8")

    return apply


def _move(vault: Path) -> None:
    (vault / "archive").mkdir()
    shutil.move(vault / "sub" / "c.md", vault / "archive" / "plants.md")


def _several(vault: Path) -> None:
    _edit("a.md", "makes ATP", "makes most ATP")(vault)
    _write(vault, {"e.md": "# E\n\n- What is **2 + 3**?\n  - Five.\n"})
    (vault / "filler" / "29.md").unlink()


# (name, edit, how the build writes the deck: patched, in full, or not at all)
PATCH, FULL, NONE = ["patch"], ["full"], []
EDITS: list[tuple[str, Callable[[Path], None], list[str]]] = [
    (
        "answer edited",
        _edit("a.md", "Water crossing a membrane.", "Water crossing a membrane, down its gradient."),
        PATCH,
    ),
    ("typo fixed in a question", _edit("a.md", "What is **osmosis**?", "What is **osmossis**?"), PATCH),
    ("lines added above", _edit("a.md", "# A\n", "# A\n\nIntro.\n\n"), PATCH),
    ("note added", lambda v: _write(v, {"new/e.md": "# E\n\n- What is **2 + 2**?\n  - Four.\n"}), PATCH),
    ("note deleted", lambda v: (v / "d.md").unlink(), PATCH),
    ("note moved to a new folder (deck)", _move, PATCH),
    ("an edit, an added and a deleted note", _several, PATCH),
    ("a step inserted", _edit("sub/b.md", "2. **Steep**", "2. **Cool** it a little\n3. **Steep**"), PATCH),
    ("a note loses every card", lambda v: (v / "d.md").write_text("# D\n\nNothing to learn.\n", "utf-8"), PATCH),
    ("an image changed", lambda v: (v / "cell.png").write_bytes(PNG + b"\0"), PATCH),
    ("an image removed", lambda v: (v / "cell.png").unlink(), PATCH),
    (
        "a question the other note stops asking",
        _edit("filler/03.md", "What is filler 3?", "What is filler three?"),
        PATCH,
    ),
    (
        "a question another note asks too",
        _edit("d.md", "# D\n", "# D\n\n- What is filler 3?\n  - Not filler.\n"),
        PATCH,
    ),
    ("a shared question: the note that keeps it edited", _edit("shared/x.md", "- X.", "- Only X."), PATCH),
    ("a shared question: the other note edits it", _edit("shared/y.md", "Twice asked, y.", "Asked twice, y."), PATCH),
    (
        "a shared question: the other note drops it",
        _edit("shared/y.md", "- What is shared?\n  - Twice asked, y.\n", ""),
        PATCH,
    ),
    (
        "a shared question: a third note asks it",
        lambda v: _write(v, {"shared/a.md": "# A\n\n- What is shared?\n  - Three.\n"}),
        PATCH,
    ),
    (
        "a shared question: the owner's twin moves",
        lambda v: shutil.move(v / "shared" / "y.md", v / "shared" / "0.md"),
        PATCH,
    ),
    # patched: y.md's question now recurs in no other note, so y.md is judged again too
    # (pipeline/recurrence.py) and the patch knows who keeps the question
    (
        "a shared question: the note that keeps it drops it",
        _edit("shared/x.md", "- What is shared?\n  - Twice asked, x.\n", ""),
        PATCH,
    ),
    ("a broken note", lambda v: (v / "a.md").write_bytes(b"\xff\xfe broken"), NONE),  # its cards are kept: no change
]


def _deck(apkg: Path) -> dict[str, Any]:
    """What Anki reads from a deck, by GUID: ids and new-card positions left out."""
    with zipfile.ZipFile(apkg) as archive:
        db = apkg.parent / f"{apkg.name}.check.anki2"
        db.write_bytes(archive.read("collection.anki2"))
        names = json.loads(archive.read("media"))
        media = {name: archive.read(number) for number, name in names.items()}
    conn = sqlite3.connect(db)
    try:
        notes = {
            row[0]: row[1:]
            for row in conn.execute("SELECT guid, mid, mod, usn, tags, flds, sfld, csum, flags, data FROM notes")
        }
        cards = sorted(
            conn.execute(
                "SELECT n.guid, c.ord, c.did, c.mod, c.usn, c.type, c.queue, c.ivl, c.factor, c.reps, c.lapses, "
                "c.left, c.odue, c.odid, c.flags, c.data"
                " FROM cards c JOIN notes n ON n.id = c.nid"
            ).fetchall()
        )
        col = conn.execute(
            "SELECT crt, mod, scm, ver, dty, usn, ls, conf, models, decks, dconf, tags FROM col"
        ).fetchall()
        unique = conn.execute("SELECT count(*) = count(DISTINCT id) FROM cards").fetchone()[0]
        orphans = conn.execute("SELECT count(*) FROM cards WHERE nid NOT IN (SELECT id FROM notes)").fetchone()[0]
    finally:
        conn.close()
        db.unlink()
    assert unique and not orphans
    return {"notes": notes, "cards": cards, "col": col, "media": media}


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How each build wrote its deck: "full" (package.write_rows) or "patch"."""
    seen: list[str] = []
    for name, how in (("write_rows", "full"), ("patch_rows", "patch")):
        real = getattr(package, name)

        def spy(*args: Any, _real: Any = real, _how: str = how, **kwargs: Any) -> Any:
            seen.append(_how)
            return _real(*args, **kwargs)

        monkeypatch.setattr(package, name, spy)
    return seen


def _state_entries(deck: Path) -> bytes:
    """The deck's state file but its last line, which names the sha256 of its own deck
    (a patched deck's bytes differ from the full build's: ids); that it does is checked."""
    lines = state_path(deck).read_bytes().splitlines(keepends=True)
    assert json.loads(b"{" + lines[-1].removeprefix(b"],"))["deck"] == hashlib.sha256(deck.read_bytes()).hexdigest()
    return b"".join(lines[:-1])


def _start(tmp_path: Path) -> tuple[Path, Path]:
    vault = tmp_path / "vault"
    _write(vault, NOTES)
    (vault / "cell.png").write_bytes(PNG)
    deck = tmp_path / "inc" / "deck.apkg"
    build([vault], deck, now=1_700_000_000)
    return vault, deck


def _fresh(tmp_path: Path, vault: Path, state: bytes, now: int, name: str = "fresh") -> tuple[Path, BuildResult]:
    """A full build from scratch, from the state file ``state``."""
    fresh = tmp_path / f"{name}-{now}" / "deck.apkg"
    fresh.parent.mkdir()
    state_path(fresh).write_bytes(state)
    return fresh, build([vault], fresh, now=now, cache=False)


@pytest.mark.parametrize(("name", "apply", "patched"), EDITS, ids=[e[0] for e in EDITS])
def test_a_patched_deck_is_the_full_build(
    tmp_path: Path, writes: list[str], name: str, apply: Callable[[Path], None], patched: list[str]
) -> None:
    vault, deck = _start(tmp_path)
    apply(vault)
    writes.clear()
    state, before = state_path(deck).read_bytes(), deck.read_bytes()
    inc = build([vault], deck, now=1_700_000_100)
    assert writes == patched, name
    fresh, new = _fresh(tmp_path, vault, state, 1_700_000_100)
    assert inc.changes == new.changes
    assert bool(inc.changes.added or inc.changes.updated or inc.changes.retired) == bool(patched)
    assert _state_entries(deck) == _state_entries(fresh)
    if patched == NONE:
        assert deck.read_bytes() == before
    else:
        assert _deck(deck) == _deck(fresh)
    assert inc.collected.summary == new.collected.summary
    assert inc.collected.media == new.collected.media
    assert [c.guid for c in inc.identified.cards] == [c.guid for c in new.identified.cards]
    if patched == PATCH:
        # the touched notes, and the few whose lines' recurrence in the vault moved with
        # them (a count of 1, 2, 3-4 or 5+ notes: pipeline/recurrence.py)
        assert inc.collected.parsed <= 4


def test_patches_in_a_row_then_a_full_build(tmp_path: Path, writes: list[str]) -> None:
    """Each build patches the collection the last one left; a full build agrees."""
    vault, deck = _start(tmp_path)
    applied = 0
    for step, (name, apply, _patched) in enumerate(e for e in EDITS if e[2] == PATCH):
        try:
            apply(vault)
        except (AssertionError, FileNotFoundError):
            continue  # an earlier edit took away what this one edits
        applied += 1
        writes.clear()
        state = state_path(deck).read_bytes()
        build([vault], deck, now=1_700_000_100 + step)
        # d.md was deleted a step before: a new note without cards changes no card, unless
        # its lines move another note's recurrence (then that note is judged again)
        assert writes in ((NONE, PATCH) if name == "a note loses every card" else (PATCH,)), name
    assert applied >= len([e for e in EDITS if e[2] == PATCH]) - 2
    fresh, _ = _fresh(tmp_path, vault, state, 1_700_000_100 + step)
    assert _deck(deck) == _deck(fresh)
    assert _state_entries(deck) == _state_entries(fresh)


def test_nothing_out_of_step_is_patched(tmp_path: Path, writes: list[str]) -> None:
    """A deck, state or kept collection that is not the one the last build wrote
    makes the next build a full one."""
    vault, deck = _start(tmp_path)
    for step, spoil in enumerate(
        [
            lambda: deck.write_bytes(deck.read_bytes()),  # the deck replaced (a new inode and mtime)
            lambda: state_path(deck).write_bytes(state_path(deck).read_bytes()),
            lambda: (cache_dir(deck) / "collection.anki2").unlink(),
        ]
    ):
        _edit("a.md", "makes", f"makes {step}")(vault)
        spoil()
        writes.clear()
        state = state_path(deck).read_bytes()
        build([vault], deck, now=1_700_000_100 + step)
        assert writes == ["full"]
    fresh, _ = _fresh(tmp_path, vault, state, 1_700_000_102)
    assert _deck(deck) == _deck(fresh)


@pytest.mark.anki
def test_real_anki_imports_a_patched_deck_as_the_full_one(tmp_path: Path, writes: list[str]) -> None:
    from ankiclient import TEMPLATE_ERRORS, import_deck, open_collection, rendered, study_everything

    vault, deck = _start(tmp_path)
    cols = {}
    for name in ("patched", "full"):
        (tmp_path / name).mkdir()
        cols[name] = open_collection(tmp_path / name)
        import_deck(cols[name], deck)
        study_everything(cols[name])
    try:
        _several(vault)
        writes.clear()
        state = state_path(deck).read_bytes()
        build([vault], deck, now=1_700_000_100)
        assert writes == ["patch"]
        fresh, _ = _fresh(tmp_path, vault, state, 1_700_000_100)
        got = {"patched": import_deck(cols["patched"], deck), "full": import_deck(cols["full"], fresh)}
        assert got["patched"] == got["full"] and got["patched"].new == 1 and got["patched"].updated == 1
        for col in cols.values():
            for cid in col.find_cards(""):
                question, answer = rendered(col, cid)
                assert question.strip() and answer.strip() and not TEMPLATE_ERRORS.search(question + answer)
        same = [
            sorted(
                (n.guid, n.fields[0], c.ivl, c.reps)
                for c in col.find_cards("")
                for n in [col.get_card(c).note()]
                for c in [col.get_card(c)]
            )
            for col in cols.values()
        ]
        assert same[0] == same[1]
    finally:
        for col in cols.values():
            col.close()


def test_a_state_from_an_older_version_means_one_full_build(tmp_path: Path, writes: list[str]) -> None:
    """A version 2 state (one slice of entries per line) cannot be read by note: the
    next build is a full one, writes version 3, and the build after it patches."""
    vault, deck = _start(tmp_path)
    state = json.loads(state_path(deck).read_bytes())
    entries = [
        [guid, key, kind, model, identity, note, content, mod, text]
        for note, rows in state["notes"]
        for guid, key, kind, model, identity, content, mod, text in rows
    ]
    state_path(deck).write_text(json.dumps({"version": 2, "entries": sorted(entries)}), "utf-8")
    for step, expected in enumerate((FULL, PATCH)):
        _edit("a.md", "makes", f"makes {step}")(vault)
        writes.clear()
        build([vault], deck, now=1_700_000_100 + step)
        assert writes == expected
        assert json.loads(state_path(deck).read_bytes())["version"] == 4


def test_a_state_written_a_note_at_a_time_is_the_state_saved_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full build writes the state as it identifies the cards (build._streams); the
    same build holding every entry and saving them at once writes the same bytes."""
    vault, deck = _start(tmp_path)
    _several(vault)
    _edit("a.md", "What is **osmosis**?", "What is **osmossis**?")(vault)  # a typo fix: the state carries the GUID
    state = state_path(deck).read_bytes()
    out = {}
    for streams in (True, False):
        monkeypatch.setattr(sys.modules["cards.pipeline.run"], "_streams", lambda collected, _s=streams: _s)
        fresh, result = _fresh(tmp_path, vault, state, 1_700_000_100, name=f"streams-{streams}")
        assert result.written and result.changes.updated and result.changes.added and result.changes.retired
        out[streams] = (state_path(fresh).read_bytes(), fresh.read_bytes(), result.changes)
    assert out[True] == out[False]


def test_excluding_a_note_in_cards_toml_patches_the_deck(tmp_path: Path, writes: list[str]) -> None:
    """include / exclude choose files, they do not shape cards: the other notes' results
    stand, and the excluded note's cards are retired by a patch."""
    vault, deck = _start(tmp_path)
    (vault / "cards.toml").write_text('density = "all"\nexclude = ["filler/00.md"]\n', "utf-8")
    state = state_path(deck).read_bytes()
    writes.clear()
    inc = build([vault], deck, now=1_700_000_100)
    assert writes == PATCH and len(inc.changes.retired) == 1 and inc.collected.parsed == 0
    fresh, new = _fresh(tmp_path, vault, state, 1_700_000_100)
    assert inc.changes == new.changes and _deck(deck) == _deck(fresh)
