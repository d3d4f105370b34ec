"""What a new user meets first: a typo in the path, a deck written into the vault, a
build waiting for another, a --templates folder, the counts build and preview give."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cards.cli import main
from cards.deck.state import state_path
from cards.pipeline.cache import CACHE_ENV, cache_dir, legacy_cache_dir
from cards.pipeline.lock import lock_path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_notes"


def cards(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cards", *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("command", ["build", "preview", "watch"])
def test_an_empty_folder_is_an_error_not_an_empty_deck(tmp_path: Path, command: str) -> None:
    empty = tmp_path / "vault"
    empty.mkdir()
    (empty / "todo.txt").write_text("not a note", "utf-8")
    (empty / ".obsidian").mkdir()
    (empty / ".obsidian" / "hidden.md").write_text("# not read", "utf-8")
    out = tmp_path / "deck.apkg"
    done = cards(command, str(empty), *(["-o", str(out)] if command != "preview" else []), timeout=60)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"Error: no Markdown notes under {empty} (looked for files ending in .md or .markdown" in done.stderr
    assert "it holds 1 other file (1 .txt). Check the path" in done.stderr
    assert not out.exists() and not state_path(out).exists()


def test_an_emptied_vault_builds_only_on_purpose(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("Q: two plus two?\nA: four\n", "utf-8")
    out = tmp_path / "deck.apkg"
    assert cards("build", str(vault), "-o", str(out)).returncode == 0
    (vault / "a.md").unlink()
    before = out.read_bytes()
    refused = cards("build", str(vault), "-o", str(out))
    assert refused.returncode == 1 and "no Markdown notes under" in refused.stderr
    assert f"to empty {out} on purpose, pass --allow-empty" in refused.stderr
    assert out.read_bytes() == before
    emptied = cards("build", str(vault), "-o", str(out), "--allow-empty")
    assert emptied.returncode == 0, emptied.stderr
    assert f"Warning: no Markdown notes under {vault}; the deck has no cards from it (--allow-empty)" in emptied.stderr
    assert "0 added, 0 updated, 1 retired" in emptied.stdout


def test_an_output_inside_the_vault_is_warned_about_and_never_read(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / "sub").mkdir(parents=True)
    (vault / "a.md").write_text("Q: two plus two?\nA: four\n", "utf-8")
    (vault / "sub" / "b.md").write_text("- What is the capital of France?\n  - Paris\n", "utf-8")
    # a deck given a note's name by mistake is refused (issue 22: an output ends in .apkg)
    mistake = CliRunner().invoke(main, ["build", str(vault), "-o", str(vault / "deck.md")])
    assert mistake.exit_code == 1 and "not an .apkg file name" in mistake.output
    assert not (vault / "deck.md").exists()
    # a deck in the vault, and a cache an older version left there
    out = vault / "deck.apkg"
    legacy = legacy_cache_dir(out)
    (legacy / "notes" / "ab").mkdir(parents=True)
    (legacy / "notes" / "ab" / "stale.md").write_text("Q: stale?\nA: yes\n", "utf-8")
    first = CliRunner().invoke(main, ["build", str(vault), "-o", str(out)])
    assert first.exit_code == 0, first.output
    assert f"Warning: {out} is inside the notes folder {vault}" in first.output
    assert "2 notes (0 with errors) -> 2 cards" in first.output
    assert not legacy.exists() and cache_dir(out).is_dir()  # the old cache moved out of the vault
    second = CliRunner().invoke(main, ["build", str(vault), "-o", str(out)])
    assert "2 notes (0 with errors) -> 2 cards" in second.output and "is up to date" in second.output
    assert "deck.apkg" not in "".join(
        line for line in second.output.splitlines() if not line.startswith(("Warning:", "2 notes"))
    )
    fresh = CliRunner().invoke(main, ["build", str(vault), "-o", str(out), "--no-cache"])
    assert "2 notes (0 with errors) -> 2 cards" in fresh.output  # the walk itself skips it, not only the cache
    quiet = CliRunner().invoke(main, ["build", str(vault), "-o", str(out), "-q"])
    assert quiet.output == ""


def test_readme_config_output_stays_out_of_the_vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("Q: two plus two?\nA: four\n", "utf-8")
    readme = (ROOT / "README.md").read_text("utf-8")
    line = re.search(r'^output = "([^"]+)"', readme, re.M)
    assert line
    (vault / "cards.toml").write_text(f'output = "{line.group(1)}"\n', "utf-8")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    done = CliRunner().invoke(main, ["build", str(vault)])
    assert done.exit_code == 0, done.output
    assert "is inside the notes folder" not in done.output
    assert sorted(p.name for p in vault.iterdir()) == ["a.md", "cards.toml"]


def test_the_cache_lives_in_the_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "caches"))
    out = tmp_path / "out" / "deck.apkg"
    assert cache_dir(out).parent == tmp_path / "caches" / "decks"
    assert cache_dir(out) != cache_dir(tmp_path / "other" / "deck.apkg")
    assert cards("build", str(SAMPLE), "-o", str(out), "-q").returncode == 0
    assert (cache_dir(out) / "collection.anki2").is_file()
    assert sorted(p.name for p in out.parent.iterdir()) == sorted([out.name, state_path(out).name, lock_path(out).name])
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert cache_dir(out).parent == tmp_path / "xdg" / "cards" / "decks"


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", "utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))  # under a file: never a folder
    out = tmp_path / "deck.apkg"
    done = cards("build", str(SAMPLE), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "Warning: cannot use the cache folder" in done.stderr and f"Set {CACHE_ENV}" in done.stderr
    assert out.is_file()


def test_a_held_lock_is_never_taken_over_even_when_its_holder_looks_gone(tmp_path: Path) -> None:
    """Issue 22 item 18: a held flock means a live holder. What the lock file says of
    its holder (here the pid of a process that ended, as a build in another PID
    namespace or an orphaned worker of an older version would leave it) only describes
    it: the build waits, says so, and gives up (exit 3) instead of taking the lock over
    and writing beside it. (Versions before took over such a lock.)"""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("Q: two plus two?\nA: four\n", "utf-8")
    out = tmp_path / "deck.apkg"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock_path(out).write_text(
        json.dumps({"pid": dead.pid, "command": "cards build old", "since": time.time() - 60}), "utf-8"
    )
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); print('held', "
            "flush=True); time.sleep(300)",
            str(lock_path(out)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        done = cards("build", str(vault), "-o", str(out), "--lock-timeout", "1")
        assert done.returncode == 3, done.stderr
        assert f"Error: another cards build is writing {out}: pid {dead.pid} (cards build old)" in done.stderr
        assert "no such process runs here: it may run in another container or PID namespace" in done.stderr
        assert "taking it over" not in done.stderr and "Traceback" not in done.stderr
        assert not out.exists()
    finally:
        holder.kill()
        holder.wait()
    done = cards("build", str(vault), "-o", str(out), "--lock-timeout", "5")  # let go: the build runs
    assert done.returncode == 0, done.stderr and out.is_file()


def test_a_build_in_another_pid_namespace_keeps_its_lock(tmp_path: Path) -> None:
    """Issue 22 item 18, as it happened: a build in a container's PID namespace writes
    its own pid there (1), which on the host names another process (init, started at
    another time): the host's build took the lock over and the two ran at once."""
    import shutil

    probe = ["unshare", "--pid", "--fork", "--mount-proc", "true"]
    if shutil.which("unshare") is None or subprocess.run(probe, capture_output=True).returncode != 0:
        pytest.skip("needs unshare --pid (root or user namespaces) to start a process in its own PID namespace")
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("Q: two plus two?\nA: four\n", "utf-8")
    out = tmp_path / "deck.apkg"
    inside = subprocess.Popen(
        [
            "unshare",
            "--pid",
            "--fork",
            "--mount-proc",  # as a container has: its own /proc, where pid 1 is itself
            sys.executable,
            "-c",
            "import os, sys, time; from pathlib import Path; from cards.pipeline.lock import output_lock\n"
            "with output_lock(Path(sys.argv[1])):\n    print('held', os.getpid(), flush=True); time.sleep(300)",
            str(out),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert inside.stdout is not None and inside.stdout.readline() == "held 1\n"
        assert json.loads(lock_path(out).read_text("utf-8"))["pid"] == 1
        done = cards("build", str(vault), "-o", str(out), "--lock-timeout", "1")
        assert done.returncode == 3, done.stderr
        assert f"Error: another cards build is writing {out}: pid 1 (" in done.stderr
        assert not out.exists()
    finally:
        inside.kill()
        inside.wait()


def test_templates_files_are_checked(tmp_path: Path) -> None:
    faces = tmp_path / "faces"
    faces.mkdir()
    (faces / "style.css").write_text(".card { color: red; }\n", "utf-8")
    (faces / "clozefront.html").write_text("{{cloze:Text}}", "utf-8")
    out = tmp_path / "deck.apkg"
    done = CliRunner().invoke(main, ["build", str(SAMPLE), "-o", str(out), "--templates", str(faces)])
    assert done.exit_code == 0, done.output
    assert (
        f"Warning: {faces / 'clozefront.html'}: --templates reads no file of this name (it reads anki/basic_back.html"
        in done.output
    )
    assert "style.css: --templates" not in done.output
    unrelated = tmp_path / "unrelated"
    unrelated.mkdir()
    (unrelated / "notes.txt").write_text("x", "utf-8")
    done = CliRunner().invoke(main, ["preview", str(SAMPLE), "--json", "--templates", str(unrelated)])
    assert f"Warning: {unrelated}: holds none of the files --templates reads" in done.output


def test_readme_names_every_templates_file() -> None:
    from cards.deck.templating import template_files

    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme[readme.index("`--templates DIR`") :]
    for name in template_files():
        assert f"`{name.rsplit('/', 1)[-1]}`" in section, name
    shipped = {p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*") if p.is_file()}
    assert shipped == set(template_files())


def test_build_and_preview_count_the_same_cards(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "two.md").write_text(
        "- The {{c1::mitochondria}} makes {{c2::ATP}}.\n- Q: two plus two?\n  A: four\n", "utf-8"
    )
    (vault / "pair.md").write_text("#flashcards\n\nHund:::dog\n", "utf-8")  # a reversed pair
    # a note with two clozes is two Anki cards, and so is a reversed pair
    (vault / "copy.md").write_text((SAMPLE / "networking" / "tcp.md").read_text("utf-8"), "utf-8")
    built = CliRunner().invoke(main, ["build", str(vault), "-o", str(tmp_path / "d.apkg")])
    shown = CliRunner().invoke(main, ["preview", str(vault), "--json"])
    assert built.exit_code == 0 and shown.exit_code == 0, built.output + shown.output
    count = len(json.loads(shown.stdout))
    notes = len({card["guid"] for card in json.loads(shown.stdout)})
    assert {card["note_type"] for card in json.loads(shown.stdout)} >= {"cloze", "reversed"}
    assert count > notes  # a note with two clozes is two cards, and so is a reversed pair
    assert f"-> {count} cards (" in built.output and f"in {notes} Anki notes" in built.output
    table = CliRunner().invoke(main, ["preview", str(vault), "--no-pager"])
    assert f"{count} cards from 3 notes" in table.output
