"""Builds under a timer: two builds of one output take turns and leave a valid deck."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cards.pipeline.lock import LockTimeout, lock_path, output_lock

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from make_vault import make_vault  # noqa: E402

sys.path.pop(0)


def _build(vault: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    """``cards build`` (quiet unless ``-v`` is among ``extra``)."""
    quiet = [] if "-v" in extra else ["-q"]
    return subprocess.Popen(
        [sys.executable, "-m", "cards", "build", str(vault), "-o", str(out), *quiet, *(e for e in extra if e != "-v")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.anki
def test_two_concurrent_builds_leave_a_deck_anki_imports(tmp_path: Path) -> None:
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    vault = tmp_path / "vault"
    make_vault(60, vault, folders=6, seed=7)
    out = tmp_path / "deck.apkg"
    runs = [_build(vault, out), _build(vault, out)]
    for run in runs:
        stdout, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr
        assert "Traceback" not in stderr
    # the reference: the same vault built alone, without cache
    alone = tmp_path / "alone.apkg"
    single = _build(vault, alone, "--no-cache")
    assert single.wait(timeout=300) == 0
    col = Collection(str(tmp_path / "c.anki2"))
    try:
        response = col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(out.resolve()), options=ImportAnkiPackageOptions())
        )
        imported = len(response.log.new)
        assert imported > 0 and col.note_count() == imported
        reference = Collection(str(tmp_path / "r.anki2"))
        try:
            ref = reference.import_anki_package(
                ImportAnkiPackageRequest(package_path=str(alone.resolve()), options=ImportAnkiPackageOptions())
            )
            assert len(ref.log.new) == imported
        finally:
            reference.close()
    finally:
        col.close()
    assert not list(tmp_path.glob(".deck.apkg.*.tmp")), "a temporary file was left behind"


def test_a_held_lock_makes_the_build_wait_then_exit_3(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("Q: two plus two?\nA: four\n", "utf-8")
    out = tmp_path / "deck.apkg"
    with output_lock(out):
        run = _build(vault, out, "--lock-timeout", "1", "-v")
        _, stderr = run.communicate(timeout=120)
        quiet = _build(vault, out, "--lock-timeout", "0.5")
        _, quiet_err = quiet.communicate(timeout=120)
    assert run.returncode == 3 and quiet.returncode == 3
    assert "Traceback" not in stderr
    # who holds it (this test's process), said once while waiting and again on giving up
    me = f"pid {os.getpid()} ("
    assert stderr.count("waiting for another cards build writing") == 1
    assert f"waiting for another cards build writing {out}: {me}" in stderr
    assert f"Error: another cards build is writing {out}: {me}" in stderr
    assert "raise --lock-timeout" in stderr and "slow disk" not in stderr
    assert "waiting" not in quiet_err and me in quiet_err  # -q: only the problem
    assert not out.exists()
    # once the lock is free the same command succeeds
    run = _build(vault, out, "--lock-timeout", "5")
    assert run.wait(timeout=120) == 0 and out.exists()


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    with output_lock(out) as path:
        assert path == lock_path(out)
        assert json.loads(path.read_text("utf-8"))["pid"] == os.getpid()  # the holder says who it is
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from cards.pipeline.lock import output_lock\n"
                "try:\n    with output_lock(Path(sys.argv[1]), timeout=0.2): sys.exit(0)\n"
                "except Exception as e: print(type(e).__name__); sys.exit(3)",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert probe.returncode == 3 and "LockTimeout" in probe.stdout
    assert lock_path(out).read_bytes() == b""  # only while held
    with output_lock(out, timeout=0):
        pass
    with pytest.raises(LockTimeout):
        with output_lock(out):
            with output_lock(out, timeout=0.1):  # flock is per open file: a second open waits too
                pass
