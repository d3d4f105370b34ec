"""A new user's install works on a stock Python and gives the ``cards`` command.

Both run the real thing into a fresh virtual environment (pip resolves the runtime
dependencies from pyproject.toml): the README's quick-start line, as written, in a
clean copy of the project; and ``pip install`` of the wheel the project builds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from test_readme import QUICK_START

ROOT = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns(".git", ".venv*", "__pycache__", "*.egg-info", "*.apkg", "*.cards-*", ".pytest_cache")


def _env() -> dict[str, str]:
    """The environment without this test run's virtual environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(venv))
    env["PATH"] = (
        os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        if not shutil.which("python3", path=env.get("PATH"))
        else env["PATH"]
    )
    return env


def test_readme_quick_start_line_works_in_a_fresh_copy(tmp_path: Path) -> None:
    copy = tmp_path / "cards"
    shutil.copytree(ROOT, copy, ignore=SKIP)
    done = subprocess.run(
        ["bash", "-c", QUICK_START], cwd=copy, env=_env(), capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (copy / "sample_notes.apkg").is_file()
    assert "notes (0 with errors) -> " in done.stdout
    version = subprocess.run(
        [str(copy / ".venv" / "bin" / "cards"), "--version"], capture_output=True, text=True, timeout=60
    )
    assert version.returncode == 0 and version.stdout.startswith("cards (cards-anki), version "), version.stdout


def test_the_built_wheel_installs_the_cards_command(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = wheels.glob("cards_anki-*.whl")
    entry_points = next(n for n in zipfile.ZipFile(wheel).namelist() if n.endswith("entry_points.txt"))
    assert "cards = cards.__main__:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=_env(), timeout=300)
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(wheel)],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr
    out = tmp_path / "sample.apkg"
    done = subprocess.run(
        [str(venv / "bin" / "cards"), "build", str(ROOT / "sample_notes"), "-o", str(out)],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert out.is_file() and "notes (0 with errors) -> " in done.stdout
