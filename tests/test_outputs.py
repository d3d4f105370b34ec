"""What the build writes is only ever a regular file it made: never through a link,
never over a device, never a name the file system cannot hold (issue 22 items 3, 4).

Each refusal is one ``Error:`` line naming the culprit (the lock, the state, the
deck), exit 1, and nothing is changed: not the file a link points to, not the link.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cards.deck.state import state_path
from cards.pipeline.lock import lock_path

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links, FIFOs and devices")


def cards(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cards", *args], capture_output=True, text=True, timeout=120, cwd=cwd, check=False
    )


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("- What is the capital of France?\n  - Paris\n", "utf-8")
    return vault


def _one_error(done: subprocess.CompletedProcess[str], line: str) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    errors = [text for text in done.stderr.splitlines() if text.startswith("Error:")]
    assert errors == [line], done.stderr


def test_a_lock_path_that_is_a_link_never_truncates_its_target(vault: Path, tmp_path: Path) -> None:
    """Item 3: ``ln -s ../victim.txt out/d.apkg.cards-lock`` left victim.txt empty."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", "utf-8")
    out = tmp_path / "out" / "d.apkg"
    out.parent.mkdir()
    os.symlink("../victim.txt", lock_path(out))
    done = cards("build", str(vault), "-o", str(out))
    _one_error(
        done,
        f"Error: {lock_path(out)}: cannot write (it is a symbolic link to ../victim.txt); a build replaces the file, "
        "never what a link points to: give the link's target as the output instead, or remove the link",
    )
    assert victim.read_text("utf-8") == "precious\n" and lock_path(out).is_symlink() and not out.exists()


def test_a_vault_cannot_plant_a_lock_link_through_its_config(vault: Path, tmp_path: Path) -> None:
    """Item 3, by the vault alone: ``output = "x.apkg"`` in cards.toml and a committed
    ``x.apkg.cards-lock`` link."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", "utf-8")
    (vault / "cards.toml").write_text('output = "x.apkg"\n', "utf-8")
    os.symlink(victim, vault / "x.apkg.cards-lock")
    done = cards("build", str(vault))
    assert done.returncode == 1 and "is a symbolic link" in done.stderr and "Traceback" not in done.stderr
    assert victim.read_text("utf-8") == "precious\n"


@pytest.mark.parametrize("which", ["deck", "state"])
def test_a_deck_or_state_that_is_a_link_is_not_replaced(vault: Path, tmp_path: Path, which: str) -> None:
    """Item 4: ``-o deck.apkg`` linked into a synced folder was replaced by a file,
    leaving the real deck old. Now the link and its target stay as they are."""
    out = tmp_path / "deck.apkg"
    real = tmp_path / "synced" / "real"
    real.parent.mkdir()
    real.write_bytes(b"the real file")
    path = out if which == "deck" else state_path(out)
    os.symlink(real, path)
    done = cards("build", str(vault), "-o", str(out))
    _one_error(
        done,
        f"Error: {path}: cannot write (it is a symbolic link to {real}); a build replaces the file, never what a "
        "link points to: give the link's target as the output instead, or remove the link",
    )
    assert path.is_symlink() and real.read_bytes() == b"the real file"


def test_a_fifo_or_device_in_the_place_of_the_deck_is_not_replaced(vault: Path, tmp_path: Path) -> None:
    """Item 4: as root, ``-o /dev/null`` replaced the device node with a file."""
    out = tmp_path / "deck.apkg"
    os.mkfifo(out)
    done = cards("build", str(vault), "-o", str(out))
    _one_error(
        done, f"Error: {out}: cannot write (it is a FIFO, not a regular file); choose another name, or move it away"
    )
    assert stat.S_ISFIFO(os.lstat(out).st_mode)
    if os.geteuid() == 0:
        device = tmp_path / "null.apkg"
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        done = cards("build", str(vault), "-o", str(device))
        assert done.returncode == 1 and "a character device, not a regular file" in done.stderr
        assert stat.S_ISCHR(os.lstat(device).st_mode)


@pytest.mark.parametrize("name", ["deck.txt", "deck", "deck.apkg.zip"])
def test_an_output_that_is_not_apkg_is_refused(vault: Path, tmp_path: Path, name: str) -> None:
    """Item 4: cards.toml refused such an output, -o took it."""
    out = tmp_path / name
    done = cards("build", str(vault), "-o", str(out))
    _one_error(
        done,
        f"Error: {out}: cannot write (not an .apkg file name); Anki imports .apkg packages: give the deck a name "
        "that ends in .apkg",
    )
    assert not out.exists() and not state_path(out).exists()


def test_a_lock_path_that_is_a_folder_names_the_lock(vault: Path, tmp_path: Path) -> None:
    """Minor: the message named the deck."""
    out = tmp_path / "d.apkg"
    lock_path(out).mkdir()
    done = cards("build", str(vault), "-o", str(out))
    _one_error(
        done, f"Error: {lock_path(out)}: cannot write (it is a folder); a folder has that name: choose a file name"
    )


def test_a_deck_name_too_long_for_the_files_beside_it_names_the_file(vault: Path, tmp_path: Path) -> None:
    """Minor: a 245-character -o failed at the state file, and the message named the deck."""
    out = tmp_path / ("d" * 240 + ".apkg")
    done = cards("build", str(vault), "-o", str(out))
    state = state_path(out)
    _one_error(
        done,
        f"Error: {state}: cannot write (its name is 262 bytes, over the 255 this file system allows); the build "
        f"writes it beside {out.name}: give the deck a name of 220 bytes or less",
    )
    assert not out.exists()
    ok = tmp_path / ("d" * 215 + ".apkg")
    assert cards("build", str(vault), "-o", str(ok)).returncode == 0
