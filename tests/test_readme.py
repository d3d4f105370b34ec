"""The README's promises: its example note gives the cards it lists, its commands exist."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from cards.cli import main
from cards.pipeline.run import collect

README = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
#: The quick start: one line that works on a stock Python (no system-wide pip install).
QUICK_START = (
    "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/cards build sample_notes -o sample_notes.apkg"
)


def test_example_note_gives_the_cards_in_the_table(tmp_path: Path) -> None:
    example = re.search(r"```markdown\n(.*?)```", README, re.S)
    assert example, "README lost its example note"
    assert len(example.group(1).splitlines()) <= 12
    (tmp_path / "grpo.md").write_text(example.group(1), "utf-8")
    cards = collect([tmp_path]).cards
    table = re.findall(r"^\| (steps|phrases|qa|figure) \|", README, re.M)
    assert Counter(c.kind for c in cards) == Counter(table)
    fronts = " ".join(c.front for c in cards)
    assert "What does SFT stand for?" in fronts and "{{c1::group baseline}}" in fronts


def test_readme_commands_are_the_real_ones() -> None:
    assert QUICK_START in README
    assert "bash .ci/run" in README and "python -m pytest" in README
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text("utf-8")
    assert "python -m pytest" in ci
    for command in ("build", "preview", "watch", "sync"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert f"cards {command}" in README
        for option in re.findall(r"^\s+(?:-\w, )?(--[a-z-]+)", result.output, re.M):
            if option not in ("--help", "--version"):
                assert option in README, f"cards {command} {option} is not in the README"
