"""The cases of tests/test_sync_user.py against the real Anki desktop app and the real AnkiConnect add-on.

    ANKICONNECT_SRC=path/to/anki-connect python benchmarks/desktop.py [--scripts DIR] [--n 300]

The tests run ``cards sync`` against the official ``anki`` package and a stand-in for
the add-on; this script runs the same cases against what a user runs: Anki's desktop
app (``aqt`` from PyPI, headless) with the AnkiConnect add-on, started and stopped by
the ``start.sh``/``stop.sh`` of ``--scripts`` (default: ``$ANKI_DESKTOP_SCRIPTS``, else
``../shared/anki-desktop`` beside this checkout; their README says what they install).
The add-on is not on any package registry: bring it yourself (``fetch
github:FooSoft/anki-connect``) and give its folder (a checkout, a bare git dir, its
``plugin/`` folder or an ``.ankiaddon``) in ``ANKICONNECT_SRC``; never commit it. Set
``ANKI_DESK_VENV`` to share the 622 MB venv with aqt between runs.

Each case runs through AnkiConnect (Anki running) and, where it applies, in direct
mode (Anki stopped, ``cards sync --collection`` on its profile's collection, then Anki
started again); either way Anki's state is read back through the add-on. Printed: one
line per case and mode (ok or FAIL with why, and seconds), then what a delivery costs
on a synthetic vault of ``--n`` notes. Exit status 1 if a case failed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from make_vault import make_vault  # noqa: E402

from cards.deliver.ankiconnect import AnkiConnect  # noqa: E402
from cards.deliver.contents import read_deck  # noqa: E402

BIO = """\
---
tags: [bio]
---
# Cells

- What holds a cell's genes?
  - The nucleus
- What makes a cell's energy?
  - The mitochondria
- What wraps a cell?
  - The membrane
"""
GEO = "# Capitals\n\n- What is the capital of France?\n  - Paris\n- What is the capital of Peru?\n  - Lima\n"
WRAPS = "- What wraps a cell?\n  - The membrane\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Desktop:
    """One real Anki, started by start.sh on ``base`` (its profile: ``test``)."""

    scripts: Path
    base: Path
    env: dict[str, str]
    url: str = ""

    @property
    def collection(self) -> Path:
        return self.base / "anki2" / self.env.get("ANKI_PROFILE", "test") / "collection.anki2"

    def start(self) -> None:
        done = subprocess.run(
            [str(self.scripts / "start.sh"), str(self.base)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        if done.returncode:
            raise SystemExit(f"the real Anki did not start:\n{done.stderr[-3000:]}")
        self.url = done.stdout.strip()

    def stop(self) -> None:
        subprocess.run([str(self.scripts / "stop.sh"), str(self.base)], env=self.env, capture_output=True, timeout=120)

    def kill(self) -> None:
        """SIGKILL the Anki start.sh started (its pid, as start.sh recorded it)."""
        pid = int((self.base / "run" / "anki.pid").read_text().strip())
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        (self.base / "run" / "anki.pid").unlink(missing_ok=True)

    def ask(self, action: str, **params: Any) -> Any:
        return AnkiConnect(self.url).call(action, **params)


@dataclass
class Case:
    """What one case needs: its own folder (so its own decks) and the Anki."""

    anki: Desktop
    mode: str  # "ankiconnect" or "direct"
    work: Path
    log: list[str] = field(default_factory=list)

    def vault(self, name: str, **notes: str) -> Path:
        vault = self.work / f"{name}-{self.mode}"
        for rel, text in notes.items():
            path = vault / rel.replace("__", "/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
        return vault

    def out(self, vault: Path) -> Path:
        return self.work / "out" / f"{vault.name}.apkg"

    def cards(self, *args: str, env: dict[str, str] | None = None, code: int = 0) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "cards", *args],
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=900,
        )
        output = done.stdout + done.stderr
        self.log.append(f"$ cards {' '.join(args)}\n{output}")
        if done.returncode != code or "Traceback" in output:
            raise AssertionError(f"cards {args[0]} exited {done.returncode} (wanted {code}): {output.strip()[-400:]}")
        return output

    def sync(self, vault: Path, *extra: str, out: Path | None = None, code: int = 0, **env: str) -> str:
        """``cards sync`` of ``vault`` into the Anki, the way this case's mode goes in."""
        out = out or self.out(vault)
        if self.mode == "direct":
            self.anki.stop()
            try:
                return self.cards(
                    "sync",
                    str(vault),
                    "-o",
                    str(out),
                    "--collection",
                    str(self.anki.collection),
                    *extra,
                    code=code,
                    env=env,
                )
            finally:
                self.anki.start()
        return self.cards(
            "sync", str(vault), "-o", str(out), "--anki-connect", self.anki.url, *extra, code=code, env=env
        )

    def notes(self, query: str) -> list[dict[str, Any]]:
        return list(self.anki.ask("notesInfo", notes=self.anki.ask("findNotes", query=query)))

    def note(self, query: str) -> dict[str, Any]:
        (found,) = self.notes(query)
        return found

    def queues(self, note: dict[str, Any]) -> list[int]:
        return [c["queue"] for c in self.anki.ask("cardsInfo", cards=note["cards"])]


def expect(line: str, *parts: str) -> None:
    for part in parts:
        if part not in line:
            raise AssertionError(f"wanted {part!r} in: {line.strip()[-400:]}")


def value(note: dict[str, Any], name: str) -> str:
    return str(note["fields"][name]["value"])


# ------------------------------------------------------------------ the cases


def marked(case: Case) -> str:
    """Bugs 1 and 2: an update held back by a mark, a tag, a leech reaches Anki; their tags stay."""
    vault = case.vault("mark", **{"bio.md": BIO})
    out = case.out(vault)
    case.sync(vault)
    deck = vault.name
    for tag in ("marked", "my-own-tag", "leech"):
        (vault / "bio.md").write_text(BIO.replace("The nucleus", f"The nucleus ({tag})"), "utf-8")
        earlier = str(int(time.time()) - 3600)
        case.cards("build", str(vault), "-o", str(out), env={"SOURCE_DATE_EPOCH": earlier})
        nucleus = case.note(f'deck:"{deck}" "What holds*"')
        case.anki.ask("addTags", notes=[nucleus["noteId"]], tags=tag)  # Anki stamps the note now
        if tag == "leech":
            case.anki.ask("suspend", cards=nucleus["cards"])
        line = case.sync(vault)
        expect(line, ": 0 added, 1 updated, 0 retired")
        nucleus = case.note(f'deck:"{deck}" "What holds*"')
        assert f"({tag})" in value(nucleus, "Back"), value(nucleus, "Back")
        assert tag in nucleus["tags"] and "bio" in nucleus["tags"], nucleus["tags"]
    assert {"marked", "my-own-tag", "leech"} <= set(nucleus["tags"])
    assert case.queues(nucleus) == [-1]  # the leech stays suspended
    expect(case.sync(vault), "already")
    return "3 held-back updates applied, user tags kept, leech left suspended"


def added_field(case: Case) -> str:
    """Bug 4: a field the user adds to a cards: note type keeps its content; delivery goes on."""
    vault = case.vault("field", **{"bio.md": BIO, "geo.md": GEO})
    deck = vault.name
    case.sync(vault)
    names = case.anki.ask("modelFieldNames", modelName="cards: basic")
    if "My mnemonic" not in names:  # the note type is shared by every case: add the field once
        case.anki.ask("modelFieldAdd", modelName="cards: basic", fieldName="My mnemonic")
    nucleus = case.note(f'deck:"{deck}" "What holds*"')
    case.anki.ask("updateNoteFields", note={"id": nucleus["noteId"], "fields": {"My mnemonic": "nuclear family"}})
    (vault / "bio.md").write_text(
        BIO.replace("The nucleus", "The nucleus, always").replace(WRAPS, "")
        + "- Which organelle builds proteins?\n  - The ribosome\n",
        "utf-8",
    )
    (vault / "places").mkdir()
    (vault / "geo.md").rename(vault / "places" / "geo.md")
    expect(case.sync(vault), ": 1 added, 3 updated (2 moved to another deck), 1 retired")
    nucleus = case.note(f'deck:"{deck}" "What holds*"')
    assert value(nucleus, "My mnemonic") == "nuclear family" and "always" in value(nucleus, "Back")
    models = case.anki.ask("modelNamesAndIds")
    assert not [m for m in models if m.startswith("cards: basic+")], models
    assert "cards::retired" in case.note(f'deck:"{deck}" "What wraps*"')["tags"]
    paris = case.note(f'deck:"{deck}*" "What is the capital of France?"')
    assert list(case.anki.ask("getDecks", cards=paris["cards"])) == [f"{deck}::places"]
    expect(case.sync(vault), "already")
    return "field kept; 1 added, 3 updated, 1 retired, 2 moved; no 'cards: basic+'"


def subfolder(case: Case) -> str:
    """Bug 3: a subfolder synced to its own output beside the whole vault."""
    cells = f"cells-{case.mode}"  # the subfolder's top-level deck: one per case (the collection is shared)
    vault = case.vault("whole", **{f"{cells}__bio.md": BIO, "geo.md": GEO})
    case.sync(vault)
    before = case.notes(f'deck:"{vault.name}*"')
    expect(case.sync(vault / cells), ": 3 added, 0 updated, 0 retired")
    assert case.notes(f'deck:"{vault.name}*"') == before, "the whole vault's notes changed"
    (vault / cells / "cards.toml").write_text('exclude = ["bio.md"]\n', "utf-8")
    (vault / cells / "more.md").write_text("- What is a ribosome?\n  - A protein factory\n", "utf-8")
    expect(case.sync(vault / cells), ": 1 added, 0 updated, 3 retired")
    whole = [n for n in case.notes(f'deck:"{vault.name}*"') if "ribosome" not in value(n, "Front")]
    assert whole == before, "the subfolder's retirement touched the whole vault's notes"
    return "3 notes of its own; its retirements left the whole vault's notes as they were"


def copied(case: Case) -> str:
    """Bug 3: a note copied into a second vault."""
    first = case.vault("first", **{"bio.md": BIO})
    second = case.vault("second", **{"copied.md": BIO, "geo.md": GEO})
    case.sync(first)
    expect(case.sync(second), ": 5 added, 0 updated, 0 retired")
    before = case.notes(f'deck:"{first.name}"')
    (second / "copied.md").unlink()
    expect(case.sync(second), ": 0 added, 0 updated, 3 retired")
    assert case.notes(f'deck:"{first.name}"') == before
    assert all(q != -1 for n in before for q in case.queues(n))
    return "5 added beside 3; dropping the copy retired only its own 3"


def reviewer(case: Case) -> str:
    """A retired card answered in the reviewer (unsuspended) is suspended again by a plain sync."""
    vault = case.vault("reviewer", **{"bio.md": BIO})
    case.sync(vault)
    (vault / "bio.md").write_text(BIO.replace(WRAPS, ""), "utf-8")
    expect(case.sync(vault), ", 1 retired")
    wraps = case.note(f'deck:"{vault.name}" "What wraps*"')
    case.anki.ask("unsuspend", cards=wraps["cards"])
    expect(case.sync(vault), ": 0 added, 0 updated, 1 retired")
    assert case.queues(wraps) == [-1]
    return "suspended again without --force"


def empty_decks(case: Case) -> str:
    """Decks a move left empty that only cards made are removed; the user's stay."""
    vault = case.vault("decks", **{"old__bio.md": BIO, "geo.md": GEO})
    case.anki.ask("createDeck", deck=f"{vault.name}-mine")
    case.sync(vault)
    (vault / "new").mkdir()
    (vault / "old" / "bio.md").rename(vault / "new" / "bio.md")
    expect(case.sync(vault), "3 updated (3 moved to another deck)", "removed 1 empty deck(s)")
    names = set(case.anki.ask("deckNames"))
    assert f"{vault.name}::old" not in names and f"{vault.name}::new" in names and f"{vault.name}-mine" in names
    return "the emptied deck removed, the user's empty deck kept"


def ankiweb(case: Case) -> str:
    """--ankiweb without an AnkiWeb login: refused before anything changes, no login window."""
    vault = case.vault("ankiweb", **{"bio.md": BIO})
    line = case.sync(vault, "--ankiweb", code=5, ANKI_BASE=str(case.anki.base / "anki2"))
    expect(line, "is not signed in to AnkiWeb", "nothing was changed")
    assert not case.anki.ask("findNotes", query=f'deck:"{vault.name}"')
    assert not case.out(vault).exists()
    return "exit 5, nothing built or delivered"


def crash(case: Case) -> str:
    """Anki killed during the import: said as such; the next sync finishes."""
    vault = case.work / f"crash-{case.mode}"
    make_vault(1000, vault, seed=3)
    out = case.out(vault)
    case.cards("build", str(vault), "-o", str(out), "-q")  # the sync's build is then a no-op
    record = out.with_name(out.name + ".cards-delivered.json")  # written just before the import
    command = [sys.executable, "-m", "cards", "sync", str(vault), "-o", str(out), "--anki-connect", case.anki.url]
    sync = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for _ in range(1200):
        if record.exists() or sync.poll() is not None:
            break
        time.sleep(0.05)
    time.sleep(0.3)  # the import of ~15,000 cards is under way in Anki
    case.anki.kill()
    output = sync.communicate(timeout=300)[0]
    case.log.append(output)
    expect(output, "Error: Anki stopped answering at", "during ")
    assert sync.returncode == 4, sync.returncode
    during = output.split(" during ", 1)[1].split(" ", 1)[0]
    case.anki.start()
    line = case.sync(vault)
    expect(line, "synced")
    held = len(case.anki.ask("findNotes", query=f'deck:"{vault.name}*"'))
    assert held == len(read_deck(out).notes), (held, len(read_deck(out).notes))
    return f"'stopped answering during {during}' (exit 4); after a restart: {line.strip().split(': ', 1)[-1]}"


CASES: list[tuple[Callable[[Case], str], tuple[str, ...]]] = [
    (marked, ("ankiconnect", "direct")),
    (added_field, ("ankiconnect", "direct")),
    (subfolder, ("ankiconnect", "direct")),
    (copied, ("ankiconnect", "direct")),
    (reviewer, ("ankiconnect", "direct")),
    (empty_decks, ("ankiconnect", "direct")),
    (ankiweb, ("ankiconnect",)),
    (crash, ("ankiconnect",)),
]


def timings(anki: Desktop, work: Path, n: int) -> list[str]:
    """What ``cards sync`` costs into the real Anki through AnkiConnect: the first
    delivery, the same deck again, one note edited, one deleted (builds excluded)."""
    vault = work / "timing"
    make_vault(n, vault, seed=1)
    out = work / "out" / "timing.apkg"
    case = Case(anki, "ankiconnect", work)
    rows = []

    def timed(label: str) -> None:
        case.cards("build", str(vault), "-o", str(out), "-q")
        started = time.perf_counter()
        line = case.sync(vault, "-q")
        rows.append(f"{label:<16} {time.perf_counter() - started:7.2f} s  {line.strip()}")

    timed("first")
    timed("again")
    notes = sorted(vault.rglob("*.md"))
    notes[0].write_text(notes[0].read_text("utf-8").replace("\n- ", "\n- Edited: ", 1), "utf-8")
    timed("one note edited")
    notes[1].unlink()
    timed("one note deleted")
    cards = len(anki.ask("findCards", query='deck:"timing*"'))
    return [f"{n} notes, {cards} cards in Anki", *rows]


@contextmanager
def desktop(scripts: Path, base: Path) -> Iterator[Desktop]:
    env = {
        **os.environ,
        "ANKICONNECT_PORT": str(free_port()),
        "ANKI_HEADLESS": os.environ.get("ANKI_HEADLESS", "offscreen"),
    }
    anki = Desktop(scripts, base, env)
    anki.start()
    try:
        yield anki
    finally:
        anki.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = os.environ.get("ANKI_DESKTOP_SCRIPTS") or str(ROOT.parent / "shared" / "anki-desktop")
    parser.add_argument("--scripts", type=Path, default=Path(default), help="the folder of start.sh and stop.sh")
    parser.add_argument("--n", type=int, default=300, help="notes of the vault the timings use (0: none)")
    parser.add_argument("--case", action="append", help="run only these cases (by name)")
    parser.add_argument("--keep", type=Path, help="use (and keep) this folder instead of a temporary one")
    args = parser.parse_args()
    if not os.environ.get("ANKICONNECT_SRC"):
        raise SystemExit("set ANKICONNECT_SRC to a copy of the AnkiConnect add-on (see this script's doc)")
    if not (args.scripts / "start.sh").is_file():
        raise SystemExit(f"{args.scripts}: no start.sh here; pass --scripts DIR or set ANKI_DESKTOP_SCRIPTS")
    work = args.keep or Path(tempfile.mkdtemp(prefix="cards-desktop-"))
    work.mkdir(parents=True, exist_ok=True)
    failed = 0
    try:
        with desktop(args.scripts, work / "anki") as anki:
            version = anki.ask("version")
            print(f"real Anki ({anki.ask('getProfiles')}) with AnkiConnect API {version} at {anki.url}", flush=True)
            for run, modes in CASES:
                if args.case and run.__name__ not in args.case:
                    continue
                for mode in modes:
                    case = Case(anki, mode, work / "cases")
                    started = time.perf_counter()
                    try:
                        detail = f"ok    {run(case)}"
                    except Exception as exc:  # noqa: BLE001 - a failed case is reported, the others still run
                        failed += 1
                        detail = f"FAIL  {type(exc).__name__}: {exc}"
                        (work / f"{run.__name__}-{mode}.log").write_text("\n".join(case.log), "utf-8")
                    print(f"{run.__name__:<12} {mode:<12} {time.perf_counter() - started:6.1f} s  {detail}", flush=True)
            if args.n:
                for row in timings(anki, work / "cases", args.n):
                    print(row, flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
