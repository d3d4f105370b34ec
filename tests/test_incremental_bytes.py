"""An incremental build writes the same bytes as a fresh one.

Why: the cache (cache.py), the whole-build fast path and the threaded deck/state
write (build.py) are shortcuts; none may show in the output. After an edit, an added
note and a deleted note, a build that reuses the cache must give the deck and state a
build from scratch gives, starting from the same state file, byte for byte.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from cards.build import build
from cards.state import state_path

NOTES = {
    "a.md": "# A\n\n- What is **osmosis**?\n  - Water crossing a membrane.\n- The **mitochondrion** makes ATP.\n",
    "sub/b.md": "## How\n1. **Boil** water\n2. **Steep** the leaves\n",
    "sub/c.md": "# C\n\n- Which gas do plants take in?\n  - **Carbon dioxide**.\n",
    "d.md": "# D\n\n- The {{c1::heart}} has {{c2::four}} chambers.\n",
}


def _write(root: Path, notes: dict[str, str]) -> None:
    for name, text in notes.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")


def test_incremental_build_equals_fresh_build(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    _write(vault, NOTES)
    incremental = tmp_path / "inc" / "deck.apkg"
    build([vault], incremental, now=1_700_000_000)
    build([vault], incremental, now=1_700_000_100)  # no-op: the fast path

    _write(vault, {"a.md": NOTES["a.md"].replace("makes ATP", "makes most ATP"), "e.md": "# E\n\n- What is **2 + 2**?\n  - Four.\n"})
    (vault / "sub" / "c.md").unlink()
    fresh = tmp_path / "fresh" / "deck.apkg"
    fresh.parent.mkdir()
    shutil.copyfile(state_path(incremental), state_path(fresh))  # the same state to start from

    inc = build([vault], incremental, now=1_700_000_200)
    new = build([vault], fresh, now=1_700_000_200, cache=False)
    assert inc.collected.parsed == 2 and inc.written  # only the edited and the added note
    assert inc.changes == new.changes and inc.changes.added and inc.changes.updated and inc.changes.retired
    assert incremental.read_bytes() == fresh.read_bytes()
    assert state_path(incremental).read_bytes() == state_path(fresh).read_bytes()
