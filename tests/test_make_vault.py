"""The synthetic vault generator: deterministic, the right size and shape.

Benchmarks compare timings across commits, which only means something if the vault
they run on is the same bytes every time.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from make_vault import ATTACHMENT, make_vault  # noqa: E402


def vault_hash(root: Path) -> str:
    """Hash of every file's relative path and bytes, in a fixed order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def notes_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".md", ".markdown"))


def test_same_arguments_same_bytes(tmp_path: Path) -> None:
    make_vault(120, tmp_path / "a", seed=7)
    make_vault(120, tmp_path / "b", seed=7)
    assert vault_hash(tmp_path / "a") == vault_hash(tmp_path / "b")


def test_other_seed_other_bytes(tmp_path: Path) -> None:
    make_vault(50, tmp_path / "a", seed=1)
    make_vault(50, tmp_path / "b", seed=2)
    assert vault_hash(tmp_path / "a") != vault_hash(tmp_path / "b")


def test_n_notes_written(tmp_path: Path) -> None:
    paths = make_vault(137, tmp_path)
    assert len(paths) == 137
    assert len(set(paths)) == 137
    assert sorted(paths) == notes_in(tmp_path)
    assert all(p.is_file() for p in paths)


def test_default_folder_count(tmp_path: Path) -> None:
    paths = make_vault(260, tmp_path)
    assert len({p.parent for p in paths}) == 260 // 50 + 1


def test_many_folders_some_nested(tmp_path: Path) -> None:
    paths = make_vault(2500, tmp_path, folders=2000, seed=3)
    folders = {p.parent.relative_to(tmp_path) for p in paths}
    assert len(folders) == 2000
    nested = [f for f in folders if len(f.parts) == 2]
    assert 0 < len(nested) < 2000
    assert all(len(f.parts) <= 2 for f in folders)


def test_fewer_notes_than_folders(tmp_path: Path) -> None:
    paths = make_vault(10, tmp_path, folders=2000)
    assert len({p.parent for p in paths}) == 10


def test_styles_and_sizes(tmp_path: Path) -> None:
    paths = make_vault(500, tmp_path, seed=5)
    texts = [p.read_text(encoding="utf-8") for p in paths]
    collapsed = [t for t in texts if "\n" not in t]
    assert len(collapsed) == 50  # 10%
    assert all(t.startswith("# ") and " 1. **" in t for t in collapsed)
    reading = [t for t in texts if "\n# why\n" in t or t.startswith("# why\n")]
    assert len(reading) == 200  # 40%
    for text in reading:
        assert 1500 <= len(text.encode("utf-8")) <= 4000
        assert "\n1. **" in text and "\n   - " in text
        assert "\n# ref.\n- [ ] " in text and "\n- [x] " in text
        assert "\n# inbox\n# todo\n" in text
    assert sum("\nQ: " in t and "\n问：" in t and " :: " in t and "{{c1::" in t for t in texts) == 75  # 15%
    obsidian = [t for t in texts if t.startswith("---\n")]
    assert len(obsidian) == 50
    assert all("aliases:" in t and "[[" in t and "![[pixel.png" in t for t in obsidian)
    average = sum(len(t.encode("utf-8")) for t in texts) / len(texts)
    assert 1900 <= average <= 2800


def test_attachment_is_a_png(tmp_path: Path) -> None:
    make_vault(5, tmp_path)
    data = (tmp_path / ATTACHMENT).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")


def test_command_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "make_vault.py"), "30", str(tmp_path / "v"), "--folders", "4", "--seed", "9"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("wrote 30 notes in 4 folders to ")
    make_vault(30, tmp_path / "w", folders=4, seed=9)
    assert vault_hash(tmp_path / "v") == vault_hash(tmp_path / "w")


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        make_vault(-1, Path("unused"))
    with pytest.raises(ValueError):
        make_vault(1, Path("unused"), folders=0)
