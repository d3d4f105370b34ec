"""A build that ends in any way takes its workers with it, and the next build runs.

Each test starts ``python -m cards build`` on a generated vault large enough to be
parsed in worker processes, in its own process group, waits until the workers exist,
then ends it: SIGTERM (``kill``, ``timeout``), SIGKILL, or two quick Ctrl-C. No process
of the group may be left a few seconds later, the deck and state on disk must be the
old ones byte for byte, and the next build must complete without waiting for a lock.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cards.deck.state import state_path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from make_vault import make_vault  # noqa: E402

sys.path.pop(0)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; PR_SET_PDEATHSIG is Linux's")

NOTES = 700  # > PARALLEL_MIN (200): parsed by a pool of workers


def _group(pgid: int) -> list[int]:
    """Live processes (not zombies) whose process group is ``pgid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, bytes, bytes]]:
    """A vault, its deck built once, then every note edited (the next build parses all)."""
    root = tmp_path_factory.mktemp("interrupt")
    vault = root / "vault"
    make_vault(NOTES, vault, folders=8, seed=3)
    # every note gains the same line below: the score would rightly call it boilerplate;
    # what is tested here is what an interrupted build leaves, whatever it keeps
    (vault / "cards.toml").write_text('density = "all"\n', "utf-8")
    out = root / "deck.apkg"
    done = subprocess.run(
        [sys.executable, "-m", "cards", "build", str(vault), "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    for note in vault.rglob("*.md"):
        note.write_text(
            note.read_text("utf-8") + "\n- What was added last?\n  - this line, which never lands in the old deck\n",
            "utf-8",
        )
    yield vault, out, out.read_bytes(), state_path(out).read_bytes()


def _start(vault: Path, out: Path) -> subprocess.Popen[str]:
    """A cold build (no cache: every note parsed), once its workers are running."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cards", "build", str(vault), "-o", str(out), "--no-cache", "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while len(_children(proc.pid)) < 2:
        assert proc.poll() is None, f"the build ended before its workers started: {proc.communicate()}"
        assert time.monotonic() < deadline, "no worker processes appeared"
        time.sleep(0.02)
    return proc


def _assert_all_gone(pgid: int, workers: list[int]) -> None:
    deadline = time.monotonic() + 5
    while (left := _group(pgid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, f"processes of the build left behind: {left}"
    assert not [w for w in workers if Path(f"/proc/{w}").exists() and "Z" not in _state(w)]


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "Z"
    return stat[stat.rindex(")") + 2]


def _next_build_completes(vault: Path, out: Path) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "cards", "build", str(vault), "-o", str(out), "--lock-timeout", "30"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "waiting for another cards build" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert b"never lands" in _collection(out)
    assert time.monotonic() - started < 300


def _collection(apkg: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(apkg) as archive:
        return archive.read("collection.anki2")


@pytest.fixture
def copy(built: tuple[Path, Path, bytes, bytes], tmp_path: Path) -> tuple[Path, Path, bytes, bytes]:
    """The built vault and deck, copied for one test (each test ends a build of its own)."""
    vault, out, deck, state = built
    mine = tmp_path / "deck.apkg"
    shutil.copy2(out, mine)
    shutil.copy2(state_path(out), state_path(mine))
    return vault, mine, deck, state


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_a_killed_build_leaves_no_process_and_the_next_build_runs(
    copy: tuple[Path, Path, bytes, bytes], how: str
) -> None:
    vault, out, deck, state = copy
    proc = _start(vault, out)
    workers = _children(proc.pid)
    os.kill(proc.pid, getattr(signal, how))  # the build alone, as kill and timeout(1) do
    _, stderr = proc.communicate(timeout=30)
    if how == "SIGTERM":
        assert proc.returncode == 143, stderr
        assert "terminated; the deck and its state were not changed" in stderr
        assert "Traceback" not in stderr
        assert not list(out.parent.glob(".*.tmp")), "a temporary file was left behind"
    else:
        assert proc.returncode == -signal.SIGKILL
    _assert_all_gone(proc.pid, workers)
    assert out.read_bytes() == deck and state_path(out).read_bytes() == state
    _next_build_completes(vault, out)


def test_two_quick_ctrl_c_stop_the_build_without_a_traceback(copy: tuple[Path, Path, bytes, bytes]) -> None:
    vault, out, deck, state = copy
    proc = _start(vault, out)
    workers = _children(proc.pid)
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
    time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    stopped = time.monotonic() - started
    assert proc.returncode == 130, stderr
    assert "interrupted; the deck and its state were not changed" in stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert stopped < 10, f"the build took {stopped:.1f} s to stop"
    _assert_all_gone(proc.pid, workers)
    assert out.read_bytes() == deck and state_path(out).read_bytes() == state
    assert not list(out.parent.glob(".*.tmp")), "a temporary file was left behind"
    _next_build_completes(vault, out)
