"""``cards watch`` as a user runs it: a subprocess that follows saves until Ctrl-C."""

from __future__ import annotations

import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

TIMEOUT = 60.0


class Watcher:
    def __init__(self, vault: Path, out: Path, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cards", "watch", str(vault), "-o", str(out), *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        self.seen: list[tuple[str, str]] = []
        for name, stream in (("out", self.proc.stdout), ("err", self.proc.stderr)):
            threading.Thread(target=self._pump, args=(name, stream), daemon=True).start()

    def _pump(self, name: str, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.put((name, line.rstrip("\n")))

    def wait_for(self, predicate: Callable[[str, str], bool], what: str, *, since: int | None = None) -> str:
        """The next line matching ``predicate``; with ``since``, a line already seen from
        that index on counts too (stdout and stderr arrive in either order)."""
        for name, line in self.seen[since:] if since is not None else ():
            if predicate(name, line):
                return line
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                name, line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.proc.poll() is None, f"watcher exited early: {self.seen}"
                continue
            self.seen.append((name, line))
            if predicate(name, line):
                return line
        raise AssertionError(f"timed out waiting for {what}; saw {self.seen}")

    def stop(self) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        time.sleep(0.2)
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get()[1])
        return code, "\n".join([l for _, l in self.seen] + rest)


def fields(apkg: Path, tmp: Path) -> list[str]:
    with zipfile.ZipFile(apkg) as archive:
        (tmp / "peek.anki2").write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(tmp / "peek.anki2") as conn:
        return [row[0] for row in conn.execute("SELECT flds FROM notes")]


def wait_for_deck(out: Path, tmp: Path, needle: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if out.exists() and any(needle in f for f in fields(out, tmp)):
            return
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} never reached {out}")


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    root.mkdir()
    (root / "a.md").write_text("Q: two plus two?\nA: four\n", "utf-8")
    (root / "b.md").write_text("# Facts\n\n- What is the capital of France?\n  - Paris\n", "utf-8")
    return root


def test_watch_follows_saves_survives_a_broken_note_and_stops_cleanly(vault: Path, tmp_path: Path) -> None:
    out = vault / "deck.apkg"  # inside the vault: its own writes must not loop the watcher
    watcher = Watcher(vault, out)
    try:
        watcher.wait_for(lambda n, l: n == "out" and "wrote" in l, "the first build")
        assert out.exists()
        first_mtime = out.stat().st_mtime_ns

        (vault / "a.md").write_text("Q: two plus two?\nA: four, not five\n", "utf-8")
        line = watcher.wait_for(
            lambda n, l: n == "out" and "updated" in l and "1 updated" in l, "the rebuild after an edit"
        )
        assert "1 note changed" in line
        wait_for_deck(out, tmp_path, "four, not five")
        assert out.stat().st_mtime_ns != first_mtime

        mark = len(watcher.seen)
        (vault / "broken.md").write_bytes(b"# broken\n\n- \xff\xfe not utf-8\n")
        watcher.wait_for(
            lambda n, l: n == "err" and "broken.md:3: invalid UTF-8" in l, "the broken note's error", since=mark
        )
        watcher.wait_for(lambda n, l: n == "out" and "with errors" in l, "the rebuild line with errors", since=mark)

        (vault / "b.md").write_text("# Facts\n\n- What is the capital of France?\n  - Paris, on the Seine\n", "utf-8")
        watcher.wait_for(lambda n, l: n == "out" and "1 updated" in l, "the rebuild after the good edit")
        wait_for_deck(out, tmp_path, "on the Seine")
        assert watcher.proc.poll() is None

        # the watcher's own files did not trigger rebuilds of their own: wait and see no new line
        count = len([1 for n, l in watcher.seen if n == "out"])
        time.sleep(1.5)
        while not watcher.lines.empty():
            watcher.seen.append(watcher.lines.get())
        assert len([1 for n, l in watcher.seen if n == "out"]) == count, watcher.seen
    finally:
        code, output = watcher.stop()
    assert code in (0, 130), output
    assert "Traceback" not in output, output


def test_sigterm_also_stops_cleanly(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    watcher = Watcher(vault, out)
    watcher.wait_for(lambda n, l: n == "out" and "wrote" in l, "the first build")
    watcher.proc.send_signal(signal.SIGTERM)
    code, output = watcher.stop()
    assert code == 0, output
    assert "Traceback" not in output


@pytest.mark.anki
def test_watch_sync_delivers_each_rebuild_and_retries_a_failed_delivery(vault: Path, tmp_path: Path) -> None:
    from anki.collection import Collection
    from fake_ankiconnect import FakeAnkiConnect

    col_path = tmp_path / "collection.anki2"
    Collection(str(col_path)).close()
    fake = FakeAnkiConnect(col_path)
    port = int(fake.url.rsplit(":", 1)[1])
    out = vault / "deck.apkg"  # inside the vault: the delivery record must not loop the watcher either
    watcher = Watcher(vault, out, "--sync", "--anki-connect", fake.url)
    try:
        line = watcher.wait_for(lambda n, l: n == "out" and "synced" in l, "the first delivery")
        assert f"; synced {out} into Anki via AnkiConnect ({fake.url}): 2 added, 0 updated, 0 retired" in line
        with fake.lock:
            assert fake.col.note_count() == 2

        fake.stop()  # Anki quits: the rebuild still happens, the delivery fails and says so
        (vault / "a.md").write_text("Q: two plus two?\nA: four, not five\n", "utf-8")
        line = watcher.wait_for(lambda n, l: n == "out" and "1 updated" in l, "the rebuild while Anki is closed")
        assert f"; sync failed: Anki is not running at {fake.url} (connection refused)" in line
        assert line.endswith("(retried on the next rebuild)")
        assert watcher.proc.poll() is None

        fake = FakeAnkiConnect(col_path, port=port)  # Anki is back
        (vault / "b.md").write_text("# Facts\n\n- What is the capital of France?\n  - Paris, on the Seine\n", "utf-8")
        line = watcher.wait_for(lambda n, l: n == "out" and "synced" in l, "the delivery after Anki came back")
        assert ": 0 added, 2 updated, 0 retired" in line  # the missed edit too
        with fake.lock:
            shown = " ".join(fake.col.get_note(n).joined_fields() for n in fake.col.find_notes(""))
        assert "four, not five" in shown and "on the Seine" in shown

        count = len([1 for n, l in watcher.seen if n == "out"])
        time.sleep(1.5)  # its own record, beside the deck in the vault, triggers nothing
        while not watcher.lines.empty():
            watcher.seen.append(watcher.lines.get())
        assert len([1 for n, l in watcher.seen if n == "out"]) == count, watcher.seen
    finally:
        code, output = watcher.stop()
        fake.stop()
    assert code in (0, 130), output
    assert "Traceback" not in output
