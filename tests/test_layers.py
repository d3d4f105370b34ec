"""The stages import one way only: the layers contract in pyproject.toml holds.

``[tool.importlinter]`` in pyproject.toml lists the stage packages from the top
(``cards.cli``) to the bottom (``cards.model``); a module may import only from layers
below its own, and ``cards.pipeline`` and ``cards.preview`` never import each other.
These tests run import-linter on the package under test (the installed one in CI) and
prove that the contract would catch an upward import, naming it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import cards

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "pyproject.toml"
PACKAGE = Path(cards.__file__).resolve().parent


def _lint(pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    script = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert script, "import-linter is a test dependency (pyproject.toml, extra 'test')"
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [script, "--no-cache", "--no-logo", str(CONFIG)],
        capture_output=True,
        text=True,
        env=env,
        cwd=pythonpath or ROOT,
    )


def test_the_stages_import_downward_only() -> None:
    result = _lint()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_every_module_sits_in_a_stage() -> None:
    """A new module goes into a stage's folder; only the named few live at the top."""
    top = {p.name for p in PACKAGE.glob("*.py")}
    assert top == {
        "__init__.py",
        "__main__.py",
        "atomic.py",
        "cli.py",
        "config.py",
        "errors.py",
        "kinds.py",
        "model.py",
        "text.py",
        "untrusted.py",
    }
    stages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert stages == {"notes", "extract", "judge", "deck", "pipeline", "preview", "deliver", "lexicon"}
    for stage in stages:
        assert not (PACKAGE / stage / f"{stage}.py").exists(), f"cards/{stage}/{stage}.py: name a module after its job"
        doc = (PACKAGE / stage / "__init__.py").read_text("utf-8")
        assert doc.lstrip().startswith('"""'), f"cards/{stage}/__init__.py says what the stage takes and gives"


def test_an_upward_import_breaks_the_contract_and_is_named(tmp_path: Path) -> None:
    copy = tmp_path / "cards"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "templates"))
    read = copy / "notes" / "read.py"
    lines = read.read_text("utf-8").splitlines()
    read.write_text(
        "\n".join([*lines, "from cards.pipeline import run  # upward: notes must not know the build"]) + "\n", "utf-8"
    )
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "cards.notes is not allowed to import cards.pipeline" in result.stdout
    assert f"cards.notes.read -> cards.pipeline.run (l.{len(lines) + 1})" in result.stdout


def test_build_and_preview_never_import_each_other(tmp_path: Path) -> None:
    copy = tmp_path / "cards"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "templates"))
    faces = copy / "preview" / "faces.py"
    faces.write_text(faces.read_text("utf-8") + "\nfrom cards.pipeline.cache import NoteCache  # sideways\n", "utf-8")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "cards.preview.faces -> cards.pipeline.cache" in result.stdout
