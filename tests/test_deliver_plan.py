"""The delivery plan and its record, without Anki: which notes are ours, and what happens to each."""

from __future__ import annotations

import logging
import pickle
import sqlite3
from pathlib import Path

import pytest

from cards.deck.ids import MODEL_IDS
from cards.deck.package import note_models
from cards.deliver.contents import DeckContents, DeckNote, fingerprint
from cards.deliver.profiles import anki_base, profile_collection, profiles, signed_in
from cards.deliver.reconcile import RETIRED_TAG, identify, plan
from cards.deliver.record import KEEP, Record
from cards.deliver.target import AnkiCard, AnkiNote, DeliveryError


def deck(**notes: tuple[str, str]) -> DeckContents:
    """guid=(deck, text) -> the deck's contents."""
    return DeckContents({g: DeckNote(g, d, fingerprint([t])) for g, (d, t) in notes.items()}, "digest")


def note(nid: int, guid: str | None, text: str, *cards: tuple[int, str, bool], tags: tuple[str, ...] = ()) -> AnkiNote:
    return AnkiNote(nid, guid, fingerprint([text]), tags, tuple(AnkiCard(*c) for c in cards), text)


def test_every_note_type_we_write_is_one_delivery_knows() -> None:
    assert sorted(m.model_id for m in note_models().values()) == sorted(MODEL_IDS)


def test_only_our_guids_are_touched_by_guid() -> None:
    record = Record({"gone": [fingerprint(["old"])]}, {"V"})
    notes = [
        note(1, "keep", "a", (11, "V", False)),
        note(2, "gone", "old", (21, "V", False)),
        note(3, "theirs", "b", (31, "V", False)),  # another vault's note of our note types
    ]
    p = plan(deck(keep=("V", "a")), record, notes)
    assert [n.id for n in p.retire] == [2]
    assert (p.added, p.updated, p.revive, p.moves, p.delete) == ((), (), (), (), ())
    assert identify(notes, deck(keep=("V", "a")), record) == {1: "keep", 2: "gone"}


def test_through_ankiconnect_a_note_is_ours_only_by_fields_we_delivered() -> None:
    record = Record(
        {"gone": [fingerprint(["old text"]), fingerprint(["older text"])], "keep": [fingerprint(["a, before"])]}, {"V"}
    )
    notes = [
        note(1, None, "a, before", (11, "V", False)),  # the import will update it
        note(2, None, "older text", (21, "V", False)),  # retired, recognised by an older delivery
        note(3, None, "edited in Anki", (31, "V", False)),  # ours once, edited by hand: left alone
        note(4, None, "twin", (41, "V", False)),  # two GUIDs delivered these fields: left alone
    ]
    both = DeckContents(
        {
            **deck(keep=("V", "a, now")).notes,
            "x": DeckNote("x", "V", fingerprint(["twin"])),
            "y": DeckNote("y", "V", fingerprint(["twin"])),
        },
        "d",
    )
    assert identify(notes, both, record) == {1: "keep", 2: "gone"}
    p = plan(both, record, notes)
    assert p.updated == ("keep",) and p.added == ("x", "y")
    assert [n.id for n in p.retire] == [2]


def test_a_copy_of_a_note_is_left_alone() -> None:
    notes = [note(1, None, "a", (11, "V", False)), note(2, None, "a", (21, "V", False))]
    assert identify(notes, deck(g=("V", "a")), Record()) == {}


def test_retire_once_delete_when_asked_revive_when_back() -> None:
    record = Record({"g": [fingerprint(["t"])]}, {"V"})
    fresh = note(1, "g", "t", (11, "V", False), (12, "V", True))
    assert [n.id for n in plan(deck(), record, [fresh]).retire] == [1]
    done = note(1, "g", "t", (11, "V", True), (12, "V", True), tags=("cards::Retired",))
    p = plan(deck(), record, [done])
    assert (p.retire, p.already_retired) == ((), 1)
    assert [n.id for n in plan(deck(), record, [done], delete_retired=True).delete] == [1]
    back = plan(deck(g=("V", "t")), record, [done])
    assert [n.id for n in back.revive] == [1] and back.retire == () and back.updated == ()
    assert RETIRED_TAG == "cards::retired"


def test_cards_follow_their_note_only_out_of_our_decks() -> None:
    record = Record({"g": [fingerprint(["t"])]}, {"V::old", "V"})
    cards = ((11, "V::old", False), (12, "My own deck", False), (13, "v::NEW", False), (14, "Filtered Deck 1", False))
    p = plan(deck(g=("V::new", "t")), record, [note(1, "g", "t", *cards)])
    ((move,),) = [p.moves]
    assert (move.cards, move.old, move.new) == ((11,), "V::old", "V::new")  # case-blind, like Anki's deck names
    assert p.by_deck() == {"V::new": [11]}


def test_a_plan_on_what_it_made_is_empty() -> None:
    d = deck(g=("V", "t"))
    record = Record()
    record.remember(d)
    p = plan(d, record, [note(1, "g", "t", (11, "V", False))])
    assert (p.added, p.updated, p.retire, p.revive, p.moves, p.delete, p.already_retired) == ((), (), (), (), (), (), 0)


def test_fingerprints_ignore_unicode_normal_forms() -> None:
    assert fingerprint(["Cafe\u0301"]) == fingerprint(["Caf\u00e9"])
    assert fingerprint(["a", "b"]) != fingerprint(["ab"]) != fingerprint(["a\x1fb", ""])


def test_the_record_keeps_a_few_fingerprints_and_survives_a_round_trip(tmp_path: Path) -> None:
    record = Record()
    record.remember(deck(g=("V", "v0")))
    assert record.notes["g"] == []  # ours from now on; not yet seen in Anki
    for i in range(KEEP + 2):
        record.seen("g", fingerprint([f"v{i}"]), ("bio", "a::b"))
    assert record.notes["g"] == [fingerprint([f"v{i}"]) for i in reversed(range(2, KEEP + 2))]
    assert record.tags["g"] == ["bio", "a::b"]  # as the deck gives them
    here = record.at("ankiconnect http://x")
    here.digest, here.nids, here.retired, here.made = "abc", {"g": 42}, {"old"}, {"V::gone"}
    path = tmp_path / "d.apkg.cards-delivered.json"
    record.save(path)
    assert Record.load(path) == record


def test_a_record_of_the_version_before_is_read(tmp_path: Path) -> None:
    path = tmp_path / "d.apkg.cards-delivered.json"
    path.write_text(
        '{"version":1,"decks":["V"],"targets":{"collection /c":"abc"},"notes":{"g":["f2","f1"]}}\n', "utf-8"
    )
    record = Record.load(path)
    assert record.notes == {"g": ["f2", "f1"]} and record.decks == {"V"}
    assert record.targets["collection /c"].digest == "abc" and record.tags == {}


def test_a_damaged_record_is_reported_and_replaced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "d.apkg.cards-delivered.json"
    path.write_text('{"version": 1, "notes": ', "utf-8")
    with caplog.at_level(logging.WARNING, logger="cards"):
        assert Record.load(path) == Record()
    assert f"{path}: cannot read the delivery record" in caplog.text


# ------------------------------------------------------------------ Anki's profiles


@pytest.mark.parametrize(
    ("system", "env", "expected"),
    [
        ("Linux", {}, "home/.local/share/Anki2"),
        ("Linux", {"XDG_DATA_HOME": "/xdg"}, "/xdg/Anki2"),
        ("Darwin", {}, "home/Library/Application Support/Anki2"),
        ("Windows", {"APPDATA": "/appdata"}, "/appdata/Anki2"),
        ("Windows", {"ANKI_BASE": "/portable"}, "/portable"),
    ],
)
def test_anki_base_per_system(system: str, env: dict[str, str], expected: str) -> None:
    assert anki_base(env=env, system=system, home=Path("home")) == Path(expected)


def test_the_flatpak_folder_when_the_usual_one_is_missing(tmp_path: Path) -> None:
    (tmp_path / ".var/app/net.ankiweb.Anki/data/Anki2").mkdir(parents=True)
    assert anki_base(env={}, system="Linux", home=tmp_path) == tmp_path / ".var/app/net.ankiweb.Anki/data/Anki2"


def prefs(base: Path, names: list[str], meta: object) -> None:
    base.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(base / "prefs21.db")
    conn.execute("create table profiles (name text primary key, data blob not null)")
    conn.execute("insert into profiles values ('_global', ?)", (pickle.dumps(meta, protocol=4),))
    conn.executemany(
        "insert into profiles values (?, ?)", [(n, pickle.dumps({"syncKey": None}, protocol=4)) for n in names]
    )
    conn.commit()
    conn.close()


def test_the_default_profile_is_the_one_anki_opened_last(tmp_path: Path) -> None:
    prefs(tmp_path, ["User 1", "Work"], {"last_loaded_profile_name": "Work", "ver": 0})
    assert profiles(tmp_path) == ["User 1", "Work"]
    assert profile_collection(tmp_path, None) == ("Work", tmp_path / "Work" / "collection.anki2")
    assert profile_collection(tmp_path, "User 1") == ("User 1", tmp_path / "User 1" / "collection.anki2")
    with pytest.raises(DeliveryError, match=r"no Anki profile 'Home' in .* \(profiles: User 1, Work\)"):
        profile_collection(tmp_path, "Home")


def test_several_profiles_and_no_hint_ask_for_one(tmp_path: Path) -> None:
    prefs(tmp_path, ["A", "B"], {"ver": 0})
    with pytest.raises(DeliveryError, match=r"several profiles .* \(A, B\): pass --profile NAME") as raised:
        profile_collection(tmp_path, None)
    assert raised.value.code == 2


class Loaded:
    """A class whose loading would run code: the profile reader must never load it."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("this must never run",))


def test_objects_in_anki_preferences_are_read_as_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Qt's window geometry and the like sit beside the plain values: those are still
    # read (the profile opened last, whether it is signed in), no class is loaded
    prefs(tmp_path, ["A", "B"], {"last_loaded_profile_name": "B", "geom": Path("x"), "hook": Loaded()})
    assert profile_collection(tmp_path, None) == ("B", tmp_path / "B" / "collection.anki2")
    assert capsys.readouterr().out == ""


def test_whether_the_open_profile_is_signed_in_to_ankiweb(tmp_path: Path) -> None:
    prefs(tmp_path, ["A", "B"], {"last_loaded_profile_name": "B"})
    assert signed_in(tmp_path, ["A", "B"]) is False  # prefs() writes profiles without a sync key
    conn = sqlite3.connect(tmp_path / "prefs21.db")
    conn.execute("update profiles set data = ? where name = 'B'", (pickle.dumps({"syncKey": "k", "geom": Loaded()}),))
    conn.commit()
    conn.close()
    assert signed_in(tmp_path, ["A", "B"]) is True
    assert signed_in(tmp_path, ["Other"]) is None  # another Anki (started with another data folder): cannot tell
    assert signed_in(tmp_path / "nothing", ["A"]) is None


def test_without_prefs_the_folders_with_a_collection_are_the_profiles(tmp_path: Path) -> None:
    (tmp_path / "Solo").mkdir()
    (tmp_path / "Solo" / "collection.anki2").write_bytes(b"")
    (tmp_path / "addons21").mkdir()
    assert profile_collection(tmp_path, None) == ("Solo", tmp_path / "Solo" / "collection.anki2")
    with pytest.raises(DeliveryError, match="no Anki profile in .*: is Anki installed here"):
        profile_collection(tmp_path / "nothing", None)
