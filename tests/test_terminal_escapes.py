"""No escape sequence from a vault reaches the terminal (issue 22 item 6).

A note's text, a file name or an image target can hold ESC, OSC 52 (write the
clipboard), OSC 0 (the window title), CSI (clear the screen, move the cursor), BEL
and C1 controls (the one-byte CSI U+009B). Every line the CLI prints shows them as
visible characters (``␛``, ``␇``, ``\\x9b``): the preview in a terminal or piped, and
the warnings and errors of every command.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ESC, BEL, CSI1 = "\x1b", "\x07", "\x9b"
TITLE = f"{ESC}]0;PWNED{BEL}"
CLIPBOARD = f"{ESC}]52;c;cm0gLXJmIH4K{BEL}"
CLEAR = f"{ESC}[2J{ESC}[H"
#: what rich itself writes when asked for colour: SGR styles and OSC 8 links
RICH_OWN = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b\x07]*(?:\x1b\\|\x07)")


def cards(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cards", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    root.mkdir()
    (root / "a.md").write_text(
        f"# Title {TITLE}\n"
        f"- What does {CLIPBOARD} do?\n  - it writes the clipboard {CLEAR} and {CSI1}2J\n"
        f"- ![[missing{ESC}]0;T{BEL}.png]]\n  - a figure\n"
        f"- [a link](https://example.com/{ESC}]0;T{BEL})\n  - what the link says\n",
        "utf-8",
    )
    if sys.platform != "win32":
        (root / f"evil{ESC}]0;T{BEL}.md").write_text("- Why is this file named so?\n  - to attack\n", "utf-8")
        (root / f"bad{ESC}[2J.md").write_bytes(b"- caf\xe9?\n  - latin-1\n")
    return root


def _no_raw_controls(text: str) -> None:
    leftover = RICH_OWN.sub("", text)
    raw = sorted({hex(ord(c)) for c in leftover if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0})
    assert not raw, f"raw control characters reached the terminal: {raw}"


def test_preview_shows_escape_sequences_as_visible_characters(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    for env in ({"NO_COLOR": "1", "TERM": "dumb"}, {"FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "100"}):
        done = cards("preview", str(vault), "--no-pager", "-o", str(out), env=env)
        assert "Traceback" not in done.stderr, done.stderr
        _no_raw_controls(done.stdout)
        _no_raw_controls(done.stderr)
        shown = RICH_OWN.sub("", done.stdout)
        # (rich drops BEL, BS, VT, FF and CR itself; every other control is shown)
        assert "␛]52;c;cm0gLXJmIH4K" in shown and "␛[2J␛[H" in shown and "\\x9b2J" in shown
        assert "evil␛]0;T.md" in shown


def test_warnings_and_errors_show_escape_sequences_as_visible_characters(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    for command in (
        ["build", str(vault), "-o", str(out)],
        ["preview", str(vault), "--json", "-o", str(out)],
        ["preview", str(vault), "--html", str(tmp_path / "p.html"), "-o", str(out)],
    ):
        done = cards(*command)
        assert "Traceback" not in done.stderr, done.stderr
        _no_raw_controls(done.stderr)
        assert "Error: bad␛[2J.md:1: invalid UTF-8" in done.stderr, done.stderr
        assert "missing␛]0;T␇.png: image not found in the vault" in done.stderr, done.stderr
    summary = cards("build", str(vault), "-o", str(out), "-v")
    _no_raw_controls(summary.stdout + summary.stderr)


def test_a_warm_preview_prints_each_warning_once(tmp_path: Path) -> None:
    """Minor: a preview of unchanged notes printed each image warning twice, the second
    time raw (logging's last resort, while the cached images were checked again)."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("- ![[lost.png]]\n  - a figure\n", "utf-8")
    out = tmp_path / "deck.apkg"
    warning = "a.md:1: lost.png: image not found in the vault"
    assert cards("build", str(vault), "-o", str(out)).returncode == 0
    for _ in range(2):
        done = cards("preview", str(vault), "--no-pager", "-o", str(out))
        assert done.returncode == 0, done.stderr
        assert done.stderr.count(warning) == 1 and f"Warning: {warning}" in done.stderr, done.stderr
