"""The wheel carries what a plain ``pip install .`` needs: templates beside the package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_templates(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("cards_anki-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*") if p.is_file()}
    assert shipped, "templates/ is empty"
    assert {f"cards/{name}" for name in shipped} <= names
    assert "cards/py.typed" in names
    assert "cards/deck/templating.py" in names and "cards/cli.py" in names
    # every module of every stage, cards/pipeline/ included (a ".gitignore" line "build/"
    # once kept that whole stage out of the wheel)
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "cards").rglob("*.py")}
    assert modules and modules <= names, sorted(modules - names)
