"""Every command against a folder it cannot write or read: one ``Error:`` line, exit 1,
no traceback, and the old deck and state whole.

The machine and CI run as root, which ignores file permissions. So when the tests run
as root, each command runs without the two capabilities that let root pass them
(CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, dropped from the bounding set before exec):
it is still root, and owns the folders, but the folders' modes now apply to it.
``test_permissions_really_apply`` proves it, so these tests can never pass by
writing after all. As another user they run as they are.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import cards.deck.package
import cards.deck.zipping
from cards.cli import main
from cards.deck.state import state_path

_PR_CAPBSET_DROP = 24
_DAC_CAPS = (1, 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH


def _unprivileged() -> None:
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in _DAC_CAPS:
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(
                ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed: cannot run without root's file permission override"
            )


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``cards ARGS`` as a user whose file permissions apply."""
    return subprocess.run(
        [sys.executable, "-m", "cards", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_unprivileged,
    )


@pytest.fixture
def place(tmp_path: Path) -> Iterator[dict[str, Path]]:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("# Facts\n\n- What is the capital of France?\n  - Paris\n", "utf-8")
    readonly, closed, hidden = tmp_path / "readonly", tmp_path / "closed", tmp_path / "hidden-vault"
    readonly.mkdir()
    closed.mkdir()
    shutil.copytree(vault, hidden)
    # a deck built before the folder became read-only: it must stay whole
    built = CliRunner().invoke(main, ["build", str(vault), "-o", str(readonly / "deck.apkg")])
    assert built.exit_code == 0, built.output
    (vault / "a.md").write_text("# Facts\n\n- What is the capital of Italy?\n  - Rome\n", "utf-8")
    readonly.chmod(0o555)
    closed.chmod(0o000)
    hidden.chmod(0o000)
    yield {"vault": vault, "readonly": readonly, "closed": closed, "hidden": hidden}
    for folder in (readonly, closed, hidden):
        folder.chmod(0o755)


def test_permissions_really_apply(place: dict[str, Path]) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; open(sys.argv[1], 'w')", str(place["readonly"] / "x")],
        capture_output=True,
        text=True,
        preexec_fn=_unprivileged,
    )
    assert probe.returncode != 0 and "PermissionError" in probe.stderr


def _assert_error(
    done: subprocess.CompletedProcess[str], path: Path, what: str = "cannot write", *, or_state: bool = False
) -> None:
    """One error line naming ``path`` (or, with ``or_state``, the deck's state file beside
    it: which of the two a build writes first depends on whether it patches the last
    deck, and both sit in the folder it cannot write)."""
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    names = [path, state_path(path)] if or_state else [path]
    assert any(f"Error: {name}: {what} (permission denied); " in done.stderr for name in names), done.stderr


@pytest.mark.parametrize("folder", ["readonly", "closed"])
def test_build_into_a_folder_it_cannot_write(place: dict[str, Path], folder: str) -> None:
    out = place[folder] / "deck.apkg"
    before = {p: p.read_bytes() for p in (out, state_path(out))} if folder == "readonly" else {}
    done = run("build", str(place["vault"]), "-o", str(out))
    _assert_error(done, out, or_state=True)
    assert "write somewhere you have permission to" in done.stderr
    place[folder].chmod(0o755)
    assert {p: p.read_bytes() for p in before} == before  # the old deck and state, whole
    assert [p.name for p in place[folder].iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("folder", ["readonly", "closed"])
def test_watch_into_a_folder_it_cannot_write(place: dict[str, Path], folder: str) -> None:
    out = place[folder] / "deck.apkg"
    _assert_error(run("watch", str(place["vault"]), "-o", str(out), timeout=60), out, or_state=True)


@pytest.mark.parametrize("folder", ["readonly", "closed"])
def test_preview_html_into_a_folder_it_cannot_write(place: dict[str, Path], folder: str) -> None:
    page = place[folder] / "preview.html"
    _assert_error(run("preview", str(place["vault"]), "--html", str(page)), page)


@pytest.mark.parametrize("command", [["build", "-o", "{tmp}/out.apkg"], ["preview"], ["watch", "-o", "{tmp}/out.apkg"]])
def test_every_command_on_notes_it_cannot_read(place: dict[str, Path], tmp_path: Path, command: list[str]) -> None:
    args = [command[0], str(place["hidden"]), *(a.format(tmp=tmp_path) for a in command[1:])]
    done = run(*args, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr  # click's check of PATHS: a usage error
    assert f"Error: Invalid value for 'PATHS...': Path '{place['hidden']}' is not readable." in done.stderr


def test_a_sub_folder_it_cannot_read_is_named(place: dict[str, Path], tmp_path: Path) -> None:
    locked = place["vault"] / "locked"
    locked.mkdir()
    (locked / "b.md").write_text("Q: one plus one?\nA: two\n", "utf-8")
    locked.chmod(0o000)
    try:
        done = run("build", str(place["vault"]), "-o", str(tmp_path / "out.apkg"))
    finally:
        locked.chmod(0o755)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert f"Warning: {locked}: cannot read the folder (permission denied); its notes are left out" in done.stderr


def _zip_full(*args: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _sqlite_full(*args: object, **kwargs: object) -> None:
    raise sqlite3.OperationalError("database or disk is full")


@pytest.mark.parametrize(
    ("where", "fail", "line"),
    [
        # the zip of the deck itself
        (
            (cards.deck.zipping.ZipWriter, "add_bytes"),
            _zip_full,
            r"^Error: {out}: cannot write \(no space left on device\); the disk is full: free some space and run "
            r"again$",
        ),
        # the deck's collection, made in the cache folder (or a temporary one)
        (
            (cards.deck.package, "_insert"),
            _sqlite_full,
            r"^Error: .*/collection\.anki2(\.new)?: cannot write \(database or disk is full\); the disk is full: free "
            r"some space and run again$",
        ),
    ],
    ids=["zip", "collection"],
)
def test_a_full_disk_is_one_line_and_the_old_deck_stays(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: tuple[object, str],
    fail: object,
    line: str,
) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("Q: two plus two?\nA: four\n", "utf-8")
    out = tmp_path / "deck.apkg"
    assert CliRunner().invoke(main, ["build", str(vault), "-o", str(out)]).exit_code == 0
    before, state = out.read_bytes(), state_path(out).read_bytes()
    (vault / "a.md").write_text("Q: two plus three?\nA: five\n", "utf-8")
    monkeypatch.setattr(*where, fail)
    for extra in ([], ["--no-cache"]):  # patching the last deck, and a full build
        result = CliRunner().invoke(main, ["build", str(vault), "-o", str(out), *extra])
        assert result.exit_code == 1, result.output
        assert re.search(line.format(out=re.escape(str(out))), result.output, re.M), result.output
        assert "Traceback" not in result.output
        assert out.read_bytes() == before and state_path(out).read_bytes() == state
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
