"""``cards sync`` against real Anki collections, both ways in.

Direct mode opens the collection with the official ``anki`` package; AnkiConnect mode
talks HTTP to tests/fake_ankiconnect.py, which runs the add-on's actions (Anki's own
``AnkiPackageImporter`` included) on a real collection. The same scenario runs through
both: build, sync, study every card, make the everyday edits, sync, restore a deleted
fact, sync; every review is kept, the moved note's cards follow it, the deleted fact
is retired and then revived, and the user's own notes and another vault's are left
byte for byte as they were.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from anki.collection import Collection
from ankiclient import reviews, study_everything
from click.testing import CliRunner, Result
from fake_ankiconnect import FakeAnkiConnect
from test_identity_anki import PIPELINE as RL

from cards.cli import main
from cards.deliver.contents import read_deck
from cards.deliver.record import record_path

pytestmark = pytest.mark.anki

GEO = """\
# Capitals

- What is the capital of France?
  - Paris
- What is the capital of Peru?
  - Lima
"""

FIGS = """\
# Plots

- ![](img/plot.png)
  - Loss falls as the data grows
"""


def png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def make_vault(root: Path) -> Path:
    vault = root / "vault"
    (vault / "facts").mkdir(parents=True)
    (vault / "img").mkdir()
    (vault / "rl.md").write_text(RL, "utf-8")
    (vault / "facts" / "geo.md").write_text(GEO, "utf-8")
    (vault / "figs.md").write_text(FIGS, "utf-8")
    (vault / "img" / "plot.png").write_bytes(png())
    return vault


def make_other_vault(root: Path) -> Path:
    other = root / "other"
    other.mkdir()
    (other / "net.md").write_text("- What is TCP?\n  - A reliable transport protocol\n", "utf-8")
    return other


def seed_user(path: Path) -> list[int]:
    """The user's own notes, in their own deck and in Default: never ours to touch."""
    col = Collection(str(path))
    try:
        basic = col.models.by_name("Basic")
        assert basic is not None
        ids = []
        for deck, front in (("My deck", "der Hund"), ("Default", "la casa")):
            note = col.new_note(basic)
            note["Front"], note["Back"] = front, "?"
            col.add_note(note, col.decks.id(deck))
            ids.append(note.id)
        return ids
    finally:
        col.close()


class Direct:
    """Anki closed: cards sync opens the collection itself."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def args(self) -> list[str]:
        return ["--collection", str(self.path)]

    @contextmanager
    def col(self) -> Iterator[Collection]:
        col = Collection(str(self.path))
        try:
            yield col
        finally:
            col.close()

    def stop(self) -> None:
        pass


class ViaAnkiConnect:
    """Anki running with the add-on: the collection is the add-on's, held open."""

    def __init__(self, path: Path, **options: Any) -> None:
        self.fake = FakeAnkiConnect(path, **options)

    def args(self) -> list[str]:
        return ["--anki-connect", self.fake.url]

    @contextmanager
    def col(self) -> Iterator[Collection]:
        with self.fake.lock:
            yield self.fake.col

    def stop(self) -> None:
        self.fake.stop()


def sync(anki: Direct | ViaAnkiConnect, vault: Path, out: Path, *extra: str) -> Result:
    return CliRunner().invoke(main, ["sync", str(vault), "-o", str(out), *anki.args(), *extra], catch_exceptions=False)


def snapshot(col: Collection, note_ids: list[int]) -> tuple[Any, ...]:
    """Every row that belongs to these notes, their cards, reviews and decks, and every
    deck option group: what "untouched" means, byte for byte."""
    ids = ",".join(str(n) for n in note_ids)
    decks = col.db.list(f"select distinct did from cards where nid in ({ids})")
    return (
        col.db.all(f"select * from notes where id in ({ids}) order by id"),
        col.db.all(f"select * from cards where nid in ({ids}) order by id"),
        col.db.all(f"select * from revlog where cid in (select id from cards where nid in ({ids})) order by id"),
        col.db.all(f"select * from decks where id in ({','.join(str(d) for d in decks)}) order by id"),
        col.db.all("select * from deck_config order by id"),
    )


def nid_of(col: Collection, guid: str) -> int:
    nid = col.db.scalar("select id from notes where guid = ?", guid)
    assert nid, guid
    return int(nid)


def card_state(col: Collection, guid: str) -> list[tuple[int, str, int, int]]:
    """(card id, deck, queue, reviews) of each card of the note with ``guid``."""
    out = []
    for cid in col.card_ids_of_note(nid_of(col, guid)):
        card = col.get_card(cid)
        out.append((cid, col.decks.name(card.did), card.queue, reviews(col, cid)))
    return out


def guid_of(out: Path, text: str) -> str:
    (guid,) = [g for g, n in read_deck(out).notes.items() if text in n.text]
    return guid


@pytest.mark.parametrize("mode", ["direct", "ankiconnect"])
def test_everyday_edits_reach_anki_with_every_review_kept(mode: str, tmp_path: Path) -> None:
    col_path = tmp_path / "anki" / "collection.anki2"
    col_path.parent.mkdir()
    user_notes = seed_user(col_path)
    vault, other = make_vault(tmp_path), make_other_vault(tmp_path)
    out, other_out = tmp_path / "out" / "vault.apkg", tmp_path / "out" / "other.apkg"
    anki = Direct(col_path) if mode == "direct" else ViaAnkiConnect(col_path)
    try:
        assert sync(anki, other, other_out).exit_code == 0
        first = sync(anki, vault, out)
        assert first.exit_code == 0, first.output
        deck = read_deck(out)
        assert f"synced {out} into " in first.output
        assert f": {len(deck.notes)} added, 0 updated, 0 retired" in first.output
        if mode == "direct":
            assert list((col_path.parent / "backups").glob("*.colpkg")), "Anki's own backup comes first"

        with anki.col() as col:
            # every note arrived once, in its deck; the figure's image is in the media folder
            for guid, note in deck.notes.items():
                assert {d for _, d, _, _ in card_state(col, guid)} == {note.deck}
            media = Path(col.media.dir())
            assert [p.read_bytes() for p in media.iterdir() if p.suffix == ".png"] == [png()]
            assert study_everything(col) == col.card_count()
            studied = {guid: card_state(col, guid) for guid in deck.notes}
            others = [n for n in col.find_notes("") if n not in user_notes and col.get_note(n).guid not in deck.notes]
            assert len(others) == 1  # the other vault's note
            before = snapshot(col, user_notes + others)
        peru = guid_of(out, "capital of Peru")
        typo = guid_of(out, "grow lnoger")

        # the everyday edits, all at once: answer, question typo, a step inserted, the
        # note moved to another folder, a fact deleted
        text = RL.replace("Supervised fine-tuning.", "Supervised fine-tuning on curated chats.")
        text = text.replace("grow lnoger", "grow longer")
        text = text.replace(
            "2. **Clean data**", "2. **Filter spam**\n   - a small classifier\n3. **Clean data**"
        ).replace("3. **Train", "4. **Train")
        (vault / "archive" / "2025").mkdir(parents=True)
        (vault / "archive" / "2025" / "rl-training.md").write_text(text, "utf-8")
        (vault / "rl.md").unlink()
        (vault / "facts" / "geo.md").write_text(GEO.replace("- What is the capital of Peru?\n  - Lima\n", ""), "utf-8")
        second = sync(anki, vault, out)
        assert second.exit_code == 0, second.output
        after = read_deck(out)
        moved = [g for g, n in after.notes.items() if n.deck == "vault::archive::2025" and g in deck.notes]
        assert len(moved) == 7  # every old note of rl.md: 3 steps, a phrase, 2 questions (one typo-fixed), the Q/A
        assert ": 1 added, " in second.output and " (7 moved to another deck), 1 retired" in second.output
        assert guid_of(out, "grow longer") == typo

        with anki.col() as col:
            for guid, cards in studied.items():
                now = card_state(col, guid)
                assert [(cid, n) for cid, _, _, n in now] == [(cid, 1) for cid, _, _, _ in cards], (
                    f"reviews of {guid} lost"
                )
            for guid in moved:
                assert {d for _, d, _, _ in card_state(col, guid)} == {"vault::archive::2025"}
            assert "curated chats" in col.get_note(nid_of(col, guid_of(out, "What does SFT"))).fields[1]
            assert [q for _, _, q, _ in card_state(col, peru)] == [-1]
            assert col.get_note(nid_of(col, peru)).has_tag("cards::retired")
            assert col.find_notes("tag:cards::retired") == [nid_of(col, peru)]
            assert col.find_cards("is:suspended") == [c for c, _, _, _ in card_state(col, peru)]
            assert col.note_count() == len(user_notes) + len(others) + len(after.notes) + 1  # + the retired one
            assert snapshot(col, user_notes + others) == before

        # the deleted fact comes back: the same card, revived with its review
        (vault / "facts" / "geo.md").write_text(GEO, "utf-8")
        third = sync(anki, vault, out)
        assert third.exit_code == 0, third.output
        assert ": 1 added (1 revived), 0 updated, 0 retired" in third.output
        assert guid_of(out, "capital of Peru") == peru
        with anki.col() as col:
            ((cid, deck_name, queue, count),) = card_state(col, peru)
            assert (cid, deck_name, queue, count) == (studied[peru][0][0], "vault::facts", 2, 1)
            assert col.get_card(cid).type == 2
            assert not col.get_note(nid_of(col, peru)).has_tag("cards::retired")
            assert col.find_notes("tag:cards::retired") == []
            assert snapshot(col, user_notes + others) == before
    finally:
        anki.stop()


@pytest.mark.parametrize("mode", ["direct", "ankiconnect"])
def test_dry_run_changes_nothing_and_delete_retired_asks(mode: str, tmp_path: Path) -> None:
    col_path = tmp_path / "anki" / "collection.anki2"
    col_path.parent.mkdir()
    seed_user(col_path)
    vault = make_vault(tmp_path)
    out = tmp_path / "out" / "vault.apkg"
    anki = Direct(col_path) if mode == "direct" else ViaAnkiConnect(col_path)
    try:
        assert sync(anki, vault, out).exit_code == 0
        (vault / "facts" / "geo.md").write_text(GEO.replace("- What is the capital of Peru?\n  - Lima\n", ""), "utf-8")
        (vault / "rl.md").write_text(RL.replace("Supervised fine-tuning.", "SFT, really."), "utf-8")
        files = {p: p.read_bytes() for p in out.parent.iterdir() if p.is_file()}
        with anki.col() as col:
            rows = snapshot(col, list(col.find_notes("")))

        dry = sync(anki, vault, out, "--dry-run")
        assert dry.exit_code == 0, dry.output
        assert "dry run, nothing changed: vault.apkg into " in dry.output
        assert "would add 0, update 1, retire 1" in dry.output
        assert "  retire: What is the capital of Peru?" in dry.output
        assert "  update: What does SFT stand for?" in dry.output
        assert {p: p.read_bytes() for p in out.parent.iterdir() if p.is_file()} == files  # not even the deck
        with anki.col() as col:
            assert snapshot(col, list(col.find_notes(""))) == rows

        # deleting asks; with no terminal to ask on, it says so and changes nothing
        refused = sync(anki, vault, out, "--delete-retired")
        assert refused.exit_code == 1
        assert "delete: What is the capital of Peru?" in refused.output
        assert "--delete-retired would delete 1 note(s) from Anki: pass --yes to confirm" in refused.output
        with anki.col() as col:
            assert snapshot(col, list(col.find_notes(""))) == rows
        deleted = sync(anki, vault, out, "--delete-retired", "--yes")
        assert deleted.exit_code == 0, deleted.output
        assert "1 retired (deleted)" in deleted.output
        with anki.col() as col:
            assert not col.find_notes('"capital of Peru"')
            assert col.find_notes('"capital of France"')
            assert len(col.find_notes('"der Hund" or "la casa"')) == 2
    finally:
        anki.stop()


HOLDER = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
print("open", flush=True)
sys.stdin.readline()
col.close()
"""


def test_a_collection_open_elsewhere_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    col_path = tmp_path / "anki" / "collection.anki2"
    col_path.parent.mkdir()
    user = seed_user(col_path)
    with Direct(col_path).col() as col:
        rows = snapshot(col, user)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(col_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        out = tmp_path / "out" / "vault.apkg"
        result = sync(Direct(col_path), make_vault(tmp_path), out)
        assert result.exit_code == 4
        assert (
            f"Error: the collection {col_path} is in use (Anki is open): close Anki and sync again, or deliver into "
            f"the running Anki through the AnkiConnect add-on" in result.output
        )
        assert "Traceback" not in result.output
        assert not out.exists()  # told before the build, not after it
        assert not (col_path.parent / "backups").exists()
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=60)
    with Direct(col_path).col() as col:
        assert snapshot(col, user) == rows
        assert col.note_count() == len(user)
    assert "synced" in sync(Direct(col_path), tmp_path / "vault", out).output  # and once Anki is closed, it goes in


def test_without_a_flag_sync_finds_the_running_anki_else_the_default_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    import cards.deliver.sync as sync_module

    base = tmp_path / "Anki2"
    (base / "User 1").mkdir(parents=True)
    col_path = base / "User 1" / "collection.anki2"
    seed_user(col_path)
    monkeypatch.setenv("ANKI_BASE", str(base))
    with socket.socket() as probe:  # a port nothing listens on: Anki is not running
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setattr(sync_module, "DEFAULT_URL", closed)
    vault = make_vault(tmp_path)
    out = tmp_path / "out" / "vault.apkg"
    result = CliRunner().invoke(main, ["sync", str(vault), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"into collection {col_path} (profile 'User 1'; AnkiConnect does not answer at {closed}): " in result.output
    assert (base / "User 1" / "backups").is_dir()

    fake = FakeAnkiConnect(col_path)  # now Anki runs, with the add-on
    try:
        monkeypatch.setattr(sync_module, "DEFAULT_URL", fake.url)
        (vault / "facts" / "geo.md").write_text(GEO + "- What is the capital of Chile?\n  - Santiago\n", "utf-8")
        result = CliRunner().invoke(main, ["sync", str(vault), "-o", str(out)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert f"into Anki via AnkiConnect ({fake.url}): 1 added, 0 updated" in result.output
        assert "importPackage" in fake.calls
    finally:
        fake.stop()
    # Anki closed again; the profile named: the same collection, straight
    (vault / "facts" / "geo.md").write_text(GEO, "utf-8")
    result = CliRunner().invoke(
        main, ["sync", str(vault), "-o", str(out), "--profile", "User 1"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert f"synced {out} into collection {col_path}: 0 added, 0 updated, 1 retired (backup in " in result.output
    wrong = CliRunner().invoke(main, ["sync", str(vault), "-o", str(out), "--profile", "Nobody"])
    assert wrong.exit_code == 2
    assert f"Error: no Anki profile 'Nobody' in {base} (profiles: User 1)" in wrong.output


def test_two_vaults_in_one_collection_never_retire_each_other(tmp_path: Path) -> None:
    col_path = tmp_path / "collection.anki2"
    a, b = tmp_path / "a" / "notes", tmp_path / "b" / "notes"  # same folder name: the same deck
    for vault, fact in ((a, "What is TCP?"), (b, "What is UDP?")):
        vault.mkdir(parents=True)
        (vault / "net.md").write_text(f"Q: {fact}\nA: a transport protocol\n", "utf-8")  # cards written as cards
    anki = Direct(col_path)
    Collection(str(col_path)).close()
    assert sync(anki, a, tmp_path / "a.apkg").exit_code == 0
    assert sync(anki, b, tmp_path / "b.apkg").exit_code == 0
    (a / "net.md").write_text("Q: Which layer routes packets between networks?\nA: the network layer\n", "utf-8")
    result = sync(anki, a, tmp_path / "a.apkg")
    assert "1 added, 0 updated, 1 retired" in result.output
    with anki.col() as col:
        assert [col.get_note(n)["Front"] for n in col.find_notes("tag:cards::retired")] == ["What is TCP?"]
        assert col.find_cards('"What is UDP?" -is:suspended')
    assert "UDP" not in record_path(tmp_path / "a.apkg").read_text("utf-8")


# ------------------------------------------------------------------ AnkiConnect's refusals


def test_anki_not_running(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    result = CliRunner().invoke(
        main, ["sync", str(make_vault(tmp_path)), "-o", str(tmp_path / "v.apkg"), "--anki-connect", url]
    )
    assert result.exit_code == 4
    assert (
        f"Error: Anki is not running at {url} (connection refused): start Anki with the AnkiConnect add-on (code "
        f"2055492159), or close Anki and use --collection PATH or --profile NAME" in result.output
    )
    assert "Traceback" not in result.output


@pytest.mark.parametrize("given", [None, "wrong"])
def test_a_wrong_or_missing_api_key(tmp_path: Path, given: str | None) -> None:
    col_path = tmp_path / "collection.anki2"
    Collection(str(col_path)).close()
    anki = ViaAnkiConnect(col_path, api_key="s3cret")
    try:
        key = [] if given is None else ["--api-key", given]
        result = sync(anki, make_vault(tmp_path), tmp_path / "v.apkg", *key)
        assert result.exit_code == 5
        which = "it wants an API key" if given is None else "a wrong API key was given"
        assert (
            f"refused the request: {which}; pass the apiKey of the add-on's config (Tools › Add-ons › AnkiConnect › "
            f"Config) as --api-key" in result.output
        )
        assert anki.fake.col.note_count() == 0
        good = sync(anki, tmp_path / "vault", tmp_path / "v.apkg", "--api-key", "s3cret")
        assert good.exit_code == 0 and "synced" in good.output
    finally:
        anki.stop()


def test_an_addon_too_old_for_an_action(tmp_path: Path) -> None:
    col_path = tmp_path / "collection.anki2"
    Collection(str(col_path)).close()
    anki = ViaAnkiConnect(col_path, missing={"getDecks"})
    try:
        result = sync(anki, make_vault(tmp_path), tmp_path / "v.apkg")
        assert result.exit_code == 5
        assert (
            "is too old: it lacks getDecks; update it (Tools › Add-ons › Check for Updates), then restart Anki"
            in result.output
        )
        assert "importPackage" not in anki.fake.calls  # told before anything changed
        assert anki.fake.col.note_count() == 0
    finally:
        anki.stop()
    anki = ViaAnkiConnect(col_path, missing={"apiReflect"})
    try:
        result = sync(anki, tmp_path / "vault", tmp_path / "v.apkg")
        assert result.exit_code == 5
        assert "is too old for apiReflect: update it in Anki" in result.output
    finally:
        anki.stop()


def test_ankiweb_asks_the_running_anki_to_sync(tmp_path: Path) -> None:
    col_path = tmp_path / "collection.anki2"
    Collection(str(col_path)).close()
    anki = ViaAnkiConnect(col_path)
    try:
        result = sync(anki, make_vault(tmp_path), tmp_path / "v.apkg", "--ankiweb")
        assert result.exit_code == 0, result.output
        assert "(asked Anki to sync with AnkiWeb)" in result.output
        assert anki.fake.calls[-1] == "sync"
    finally:
        anki.stop()
    direct = sync(Direct(col_path), tmp_path / "vault", tmp_path / "v.apkg", "--ankiweb", "--force")
    assert direct.exit_code == 2
    assert "--ankiweb needs AnkiConnect: direct mode cannot sign in to AnkiWeb" in direct.output


def test_direct_mode_without_the_anki_package_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    col_path = tmp_path / "collection.anki2"
    Collection(str(col_path)).close()
    monkeypatch.setitem(sys.modules, "anki.collection", None)  # import anki.collection now fails
    result = sync(Direct(col_path), make_vault(tmp_path), tmp_path / "v.apkg")
    assert result.exit_code == 1
    assert (
        "Error: direct mode needs the anki package: pip install 'cards[anki]' (or pip install anki); or start Anki "
        "with the AnkiConnect add-on (code 2055492159)" in result.output
    )


def test_a_package_anki_refuses_is_an_error_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from anki.errors import AnkiException

    def refuse(self: Collection, request: Any) -> None:
        raise AnkiException("the file is not a valid .apkg file")

    col_path = tmp_path / "collection.anki2"
    Collection(str(col_path)).close()
    monkeypatch.setattr(Collection, "import_anki_package", refuse)
    result = sync(Direct(col_path), make_vault(tmp_path), tmp_path / "v.apkg")
    assert result.exit_code == 5
    assert (
        f"Error: Anki could not import {tmp_path / 'v.apkg'} into {col_path}: the file is not a valid .apkg file"
        in result.output
    )
    assert "Traceback" not in result.output
