"""A vault cloned from someone else: what it holds must not read outside it, nor hang a build.

Git keeps symbolic links, and sync tools copy FIFOs: a vault can carry
``img/passwd.png -> /etc/passwd``, ``zero.md -> /dev/zero`` or a FIFO named ``x.md``.
None of those may put a file from outside the vault into a deck, block a build or
read without end; each is named in a warning. A link from one note to another inside
the same vault stays allowed (it is read as the note it leads to).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from cards.errors import CardsError
from cards.notes.read import NoteFile, read_note
from cards.pipeline.cache import NoteCache

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="POSIX links and FIFOs")

SECRET = b"root:x:0:0:the secret outside the vault:/root:/bin/bash\n"


def cards(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cards", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def _media(deck: Path) -> dict[str, bytes]:
    """The packaged files of a deck, by their names in Anki's media folder."""
    with zipfile.ZipFile(deck) as archive:
        index = json.loads(archive.read("media"))
        return {name: archive.read(number) for number, name in index.items()}


def _fields(deck: Path, tmp_path: Path) -> str:
    import sqlite3

    with zipfile.ZipFile(deck) as archive:
        (tmp_path / "col.anki2").write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "col.anki2")
    try:
        return "\n".join(row[0] for row in conn.execute("SELECT flds FROM notes"))
    finally:
        conn.close()


def test_images_linked_out_of_the_vault_are_never_packaged(tmp_path: Path) -> None:
    """Item 1: found by the bare name (Obsidian ``![[…]]``), beside the note, or in a
    Logseq graph's ``assets/``: a link out is refused and named; an image inside the
    vault, linked or not, is still packaged."""
    secret = tmp_path / "passwd"
    secret.write_bytes(SECRET)
    vault = tmp_path / "vault"
    (vault / "img").mkdir(parents=True)
    (vault / "assets").mkdir()
    (vault / "pages").mkdir()
    os.symlink(secret, vault / "img" / "passwd.png")
    os.symlink(secret, vault / "direct.png")
    os.symlink(secret, vault / "assets" / "evil.png")
    (vault / "img" / "real.png").write_bytes(b"\x89PNG real image")
    os.symlink("real.png", vault / "img" / "alias.png")  # a link inside the vault: fine
    (vault / "notes.txt").write_bytes(b"not an image")
    os.symlink("../notes.txt", vault / "img" / "text.png")  # inside, but not an image
    (vault / "a.md").write_text(
        "# Figures\n"
        "The passwd.png file is mentioned here first.\n"
        "- ![[passwd.png]]\n  - the takeaway of the bare name\n"
        "- ![](direct.png)\n  - the takeaway beside the note\n"
        "- ![[real.png]]\n  - the takeaway of a real image\n"
        "- ![[alias.png]]\n  - the takeaway of a linked image\n"
        "- ![[text.png]]\n  - the takeaway of a text file\n",
        "utf-8",
    )
    (vault / "pages" / "p.md").write_text("- ![x](evil.png)\n  - the takeaway of a Logseq asset\n", "utf-8")
    out = tmp_path / "deck.apkg"
    done = cards("build", str(vault), "-o", str(out))
    assert done.returncode == 0, done.stderr
    packaged = _media(out)
    assert all(SECRET not in data for data in packaged.values()), packaged.keys()
    assert b"not an image" not in b"".join(packaged.values())
    assert sorted(data for data in packaged.values()) == [b"\x89PNG real image"]  # real and alias: one file
    assert "Traceback" not in done.stderr
    out_of_vault = f"is a symbolic link to {secret}, outside the vault; it is not packaged"
    for line in (
        f"Warning: a.md:3: passwd.png: img/passwd.png {out_of_vault}",  # line 2 only mentions the name
        f"Warning: a.md:5: direct.png: direct.png {out_of_vault}",
        f"Warning: pages/p.md:1: evil.png: assets/evil.png {out_of_vault}",
        "Warning: a.md:11: text.png: not an image file; it is not packaged",
    ):
        assert line in done.stderr, done.stderr


def test_notes_linked_out_of_the_vault_fifos_and_devices_are_not_read(tmp_path: Path) -> None:
    """Item 2: a link out of the vault, to ``/dev/zero``, a FIFO, a link to nothing:
    each named in one warning and left out, and the build ends (a FIFO blocked it for
    ever, ``/dev/zero`` read until memory ran out). A link to a note of the vault is read."""
    outside = tmp_path / "secret.md"
    outside.write_text("- What is the secret outside the vault?\n  - the password hunter2\n", "utf-8")
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("- What is the capital of France?\n  - Paris\n", "utf-8")
    os.symlink(outside, vault / "outside.md")
    os.symlink("/dev/zero", vault / "zero.md")
    os.mkfifo(vault / "fifo.md")
    os.symlink("loop.md", vault / "loop.md")
    os.symlink("gone.md", vault / "dangling.md")
    (vault / "sub").mkdir()
    os.symlink("../a.md", vault / "sub" / "alias.md")  # inside the vault: read
    out = tmp_path / "deck.apkg"
    for command in (["build", str(vault), "-o", str(out)], ["preview", str(vault), "--json", "-o", str(out)]):
        done = cards(*command, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        for line in (
            f"Warning: outside.md: a symbolic link to {outside}, outside the vault; it is not read",
            "Warning: zero.md: a symbolic link to /dev/zero, outside the vault; it is not read",
            "Warning: fifo.md: a FIFO, not a regular file; it is not read",
            "Warning: loop.md: a symbolic link that leads nowhere (too many levels of symbolic links); it is not read",
            "Warning: dangling.md: a symbolic link that leads nowhere (no such file or directory); it is not read",
        ):
            assert done.stderr.count(line) == 1, done.stderr
    fields = _fields(out, tmp_path)
    assert "hunter2" not in fields and "secret outside" not in fields
    assert "capital of France" in fields
    assert "2 notes (0 with errors)" in cards("build", str(vault), "-o", str(out)).stdout  # a.md and sub/alias.md


def test_the_size_limit_holds_before_a_note_is_read(tmp_path: Path) -> None:
    """Item 2: a note over the limit is refused from its size, never read whole (a
    512 MiB sparse file cost 512 MiB of memory before it was refused)."""
    vault = tmp_path / "vault"
    vault.mkdir()
    with (vault / "huge.md").open("wb") as handle:
        handle.truncate(512 << 20)
    note = NoteFile(vault, PurePosixPath("huge.md"))
    tracemalloc.start()
    try:
        with pytest.raises(CardsError, match=r"huge\.md:1: note is 512 MiB, over the 5 MiB limit"):
            read_note(note)
        with pytest.raises(OSError, match="over the 5 MiB limit"):
            NoteCache(tmp_path / "cache").digest(vault, note.path, note.absolute, limit=5 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, peak


def test_a_note_that_links_to_itself_is_one_warning_everywhere(tmp_path: Path) -> None:
    """Item 21: ``ln -s a.md a.md``: build, preview --json and --html each say so once
    (preview --json and --html ended in a traceback)."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "b.md").write_text("- What is the capital of France?\n  - Paris\n", "utf-8")
    os.symlink("a.md", vault / "a.md")
    out = tmp_path / "deck.apkg"
    warning = "Warning: a.md: a symbolic link that leads nowhere (too many levels of symbolic links); it is not read"
    for command in (
        ["build", str(vault), "-o", str(out)],
        ["preview", str(vault), "--json", "-o", str(out)],
        ["preview", str(vault), "--html", str(tmp_path / "p.html"), "-o", str(out)],
        ["preview", str(vault), "--no-pager", "-o", str(out)],
    ):
        done = cards(*command)
        assert done.returncode == 0, (command, done.stderr)
        assert "Traceback" not in done.stderr
        assert done.stderr.count(warning) == 1, (command, done.stderr)
