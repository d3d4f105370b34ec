"""Signals at the edges of a build (issue 22 items 19 and 20): Ctrl-C while the command
is still loading ends quietly, and a SIGTERM after the deck and state were written
says so instead of claiming they were not changed.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cards
from cards.deck.state import state_path

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

PACKAGE = str(Path(cards.__file__).resolve().parent)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    root.mkdir()
    (root / "a.md").write_text("- What is the capital of France?\n  - Paris\n", "utf-8")
    return root


def _commands(vault: Path, out: Path) -> list[list[str]]:
    found = [[sys.executable, "-m", "cards", "build", str(vault), "-o", str(out)]]
    script = Path(sys.executable).parent / "cards"  # the command pip installed beside this Python
    if script.is_file():
        found.append([str(script), "build", str(vault), "-o", str(out)])
    return found


def test_ctrl_c_while_the_command_loads_is_never_a_traceback(vault: Path, tmp_path: Path) -> None:
    """Item 20: Ctrl-C in the first ~0.1 s gave a KeyboardInterrupt traceback from the
    command's imports. SIGINT at delays from 0 to 0.3 s: no traceback passes through
    the package's code (what runs before the package's first line is Python's own
    start-up, which no package can reach), and the exit is quiet: 130, or the build
    finished."""
    out = tmp_path / "deck.apkg"
    seen: list[tuple[float, int | None]] = []
    for command in _commands(vault, out):
        for step in range(21):
            delay = step * 0.015
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(delay)
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=120)
            assert PACKAGE not in stderr, (delay, command[0], stderr)
            if "Traceback" not in stderr:  # (one there is Python's own start-up, before the package)
                assert proc.returncode in (0, 130, -signal.SIGINT), (delay, proc.returncode, stderr)
            seen.append((delay, proc.returncode))
    assert any(code == 130 for _, code in seen)  # the quiet exit was reached, not only a finished build


def test_sigterm_after_the_deck_and_state_were_written_says_so(vault: Path, tmp_path: Path) -> None:
    """Item 19: a SIGTERM late in an incremental build (the deck and state already
    replaced, the cache being saved) exited 143 saying "the deck and its state were not
    changed". The build below gets SIGTERM as it starts saving its cache."""
    out = tmp_path / "deck.apkg"
    assert subprocess.run([sys.executable, "-m", "cards", "build", str(vault), "-o", str(out)]).returncode == 0
    old = out.read_bytes()
    (vault / "a.md").write_text("- What is the capital of France?\n  - Paris, on the Seine\n", "utf-8")
    late = (
        "import os, signal, sys\n"
        "from cards.pipeline import cache\n"
        "real = cache.NoteCache.save\n"
        "def save(self, *args, **kwargs):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    return real(self, *args, **kwargs)\n"
        "cache.NoteCache.save = save\n"
        "from cards.cli import main\n"
        "sys.argv = ['cards', *sys.argv[1:]]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", late, "build", str(vault), "-o", str(out)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 143, done.stderr
    assert "Traceback" not in done.stderr
    assert out.read_bytes() != old  # the new deck is in place ...
    assert f"terminated after {out} and its state were written" in done.stderr, done.stderr  # ... and it says so
    assert "were not changed" not in done.stderr
    again = subprocess.run(
        [sys.executable, "-m", "cards", "build", str(vault), "-o", str(out)], capture_output=True, text=True
    )
    assert again.returncode == 0 and "Traceback" not in again.stderr


def test_sigterm_before_anything_was_written_says_nothing_changed(vault: Path, tmp_path: Path) -> None:
    """The other side of item 19: terminated before the deck and state were replaced,
    the message says they were not changed, and they were not."""
    out = tmp_path / "deck.apkg"
    assert subprocess.run([sys.executable, "-m", "cards", "build", str(vault), "-o", str(out)]).returncode == 0
    old, state = out.read_bytes(), state_path(out).read_bytes()
    (vault / "a.md").write_text("- What is the capital of France?\n  - Paris, on the Seine\n", "utf-8")
    early = (
        "import os, signal, sys\n"
        "from cards.deck import package\n"
        "real = package.patch_rows\n"
        "def patch_rows(*args, **kwargs):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    return real(*args, **kwargs)\n"
        "package.patch_rows = patch_rows\n"
        "from cards.cli import main\n"
        "sys.argv = ['cards', *sys.argv[1:]]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", early, "build", str(vault), "-o", str(out)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 143, done.stderr
    assert "terminated; the deck and its state were not changed" in done.stderr
    assert out.read_bytes() == old and state_path(out).read_bytes() == state
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
