"""A deck and its state are replaced together or not at all, and a deck that is not the
one its state names is never "up to date" (issue 22 items 13 and 17; pipeline/commit.py).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from vaults import deck_fields, write_vault

import cards.atomic
from cards.cli import main
from cards.deck.state import state_path
from cards.pipeline.run import build

NOTES = {
    "a.md": "# Pipeline\n\n1. **Collect** data\n2. **Train** the model\n3. **Ship** it\n",
    "b.md": "# Facts\n\n- What is the capital of France?\n  - Paris\n",
}


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return write_vault(tmp_path / "vault", NOTES)


def _names_its_deck(out: Path) -> bool:
    last = state_path(out).read_bytes().splitlines()[-1]
    return json.loads(b"{" + last.removeprefix(b"],"))["deck"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_deck_and_state_are_replaced_together_or_not_at_all(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 13: a full disk while the state is written (patching the last deck, and a
    full build) leaves the old deck and state, byte for byte, and no temporary file."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("names an open file through /proc")
    out = tmp_path / "deck.apkg"
    assert CliRunner().invoke(main, ["build", str(vault), "-o", str(out)]).exit_code == 0
    before, state = out.read_bytes(), state_path(out).read_bytes()
    (vault / "b.md").write_text(NOTES["b.md"] + "- What is the capital of Italy?\n  - Rome\n", "utf-8")
    real = os.fsync

    def fsync(fd: int) -> None:
        if ".cards-state.json." in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    for extra in ([], ["--no-cache"]):
        monkeypatch.setattr(os, "fsync", fsync)
        result = CliRunner().invoke(main, ["build", str(vault), "-o", str(out), *extra])
        monkeypatch.setattr(os, "fsync", real)
        assert result.exit_code == 1, result.output
        assert f"Error: {state_path(out)}: cannot write (no space left on device)" in result.output, result.output
        assert "Traceback" not in result.output
        assert out.read_bytes() == before and state_path(out).read_bytes() == state
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    done = CliRunner().invoke(main, ["build", str(vault), "-o", str(out)])  # space again: the new pair
    assert done.exit_code == 0 and "wrote" in done.output
    assert any("Rome" in f for f in deck_fields(out)) and _names_its_deck(out)


def test_a_torn_pair_is_seen_and_the_deck_written_again(vault: Path, tmp_path: Path) -> None:
    """Item 13: only a crash between the two renames can tear the pair, and then only
    as the new state with the old deck (the state is renamed first, see the next test):
    the next build sees that the deck is not the one the state names, and writes it."""
    out = tmp_path / "deck.apkg"
    build([vault], out, now=1_700_000_000)
    old_deck = out.read_bytes()
    (vault / "b.md").write_text(NOTES["b.md"] + "- What is the capital of Italy?\n  - Rome\n", "utf-8")
    build([vault], out, now=1_700_000_100)
    out.write_bytes(old_deck)  # what a crash between the renames leaves: the new state, the old deck
    again = CliRunner().invoke(main, ["build", str(vault), "-o", str(out)])
    assert again.exit_code == 0 and f"wrote {out}" in again.output, again.output
    assert any("Rome" in f for f in deck_fields(out)) and _names_its_deck(out)


def test_the_state_is_renamed_before_the_deck(vault: Path, tmp_path: Path) -> None:
    """The protocol's order (pipeline/commit.py), for a full build and a patched one."""
    out = tmp_path / "deck.apkg"
    order: list[str] = []
    real = cards.atomic.Staged.commit

    def commit(self: cards.atomic.Staged) -> None:
        order.append(self.path.name)
        real(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cards.atomic.Staged, "commit", commit)
        build([vault], out, now=1_700_000_000)
        (vault / "b.md").write_text(NOTES["b.md"] + "- What is the capital of Italy?\n  - Rome\n", "utf-8")
        build([vault], out, now=1_700_000_100)
    assert order == [state_path(out).name, out.name] * 2


@pytest.mark.parametrize("how", ["garbage", "same size and times", "no cache"])
def test_a_deck_overwritten_since_is_never_up_to_date(vault: Path, tmp_path: Path, how: str) -> None:
    """Item 17: a deck overwritten with garbage was reported "is up to date" and stayed
    broken until a note changed."""
    out = tmp_path / "deck.apkg"
    extra = ["--no-cache"] if how == "no cache" else []
    assert CliRunner().invoke(main, ["build", str(vault), "-o", str(out), *extra]).exit_code == 0
    good = out.read_bytes()
    st = out.stat()
    if how == "same size and times":
        with out.open("r+b") as handle:  # in place: same inode and size
            handle.write(b"\0" * len(good))
        os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))
    else:
        out.write_bytes(b"garbage " * 100)
    again = CliRunner().invoke(main, ["build", str(vault), "-o", str(out), *extra])
    assert again.exit_code == 0, again.output
    assert f"wrote {out}" in again.output and "up to date" not in again.output
    assert out.read_bytes() == good
    quiet = CliRunner().invoke(main, ["build", str(vault), "-o", str(out), *extra])
    assert "is up to date" in quiet.output  # and then it is
