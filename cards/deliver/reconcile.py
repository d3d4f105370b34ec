"""The plan: what delivering a deck adds, updates, retires, revives and moves in Anki.

Pure: it compares the deck (contents.py), the delivery record (record.py) and the
notes of our note types that Anki holds (target.py), and changes nothing. The plan is
declarative (what Anki should look like), so running it twice does nothing the second
time, and a delivery cut short is finished by the next one.

Scope, the rule that keeps every other note safe: a note is ours only if it is of our
note types *and* its GUID is one this output delivered or delivers now. Through
AnkiConnect, which does not tell GUIDs, a note is ours if the record knows its note id
in that Anki (it saw it after an earlier delivery), else if its fields are exactly
fields we delivered for one GUID (a note edited in Anki before the record knew it, or
another vault's, is left alone). Then, for our notes only:

- a GUID in the deck that Anki lacks is *added*;
- a note whose fields (ours: a field the user added to our note type is theirs) differ
  from the deck's is *updated*, unless it was edited in Anki (its fields are none we
  delivered) and its note in the vault has not changed since our last delivery: then
  the user's edit is *kept*. An update sets our fields and our tags only: the fields
  the user added and the tags the user gave (``marked``, ``leech``, any) stay;
- a GUID no longer in the deck is *retired*: tagged ``cards::retired`` and its cards
  suspended (reviews kept), or deleted with ``delete_retired``; a retired note with a
  card that is not suspended (answered in the reviewer) is suspended again; one that
  lost its tag in Anki after we retired it is *left* as the user (or another output)
  wants it;
- a GUID in the deck whose note carries ``cards::retired`` is *revived*: untagged and
  unsuspended;
- a card of a GUID in the deck that sits in another deck than the deck's, in a deck
  this output has put cards in, is *moved* (a card the user moved to a deck of their
  own stays there; a card in a filtered deck is left to it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .contents import DeckContents, DeckNote
from .record import Record
from .target import AnkiNote

RETIRED_TAG = "cards::retired"


@dataclass(frozen=True, slots=True)
class Move:
    note: AnkiNote
    cards: tuple[int, ...]  # the note's cards that move (those in a deck of ours)
    old: str  # the deck the first of them is in
    new: str


@dataclass(frozen=True, slots=True)
class Update:
    """A note of ours whose fields or tags change."""

    note: AnkiNote
    guid: str
    fields: bool  # our fields become the deck's (False: only its tags change)
    tags: tuple[str, ...]  # every tag it ends with: the user's and the deck's


@dataclass(frozen=True, slots=True)
class Plan:
    added: tuple[str, ...] = ()  # GUIDs the import adds
    updates: tuple[Update, ...] = ()
    retire: tuple[AnkiNote, ...] = ()  # to tag and suspend
    delete: tuple[AnkiNote, ...] = ()  # retired notes to delete (delete_retired)
    revive: tuple[AnkiNote, ...] = ()
    moves: tuple[Move, ...] = ()
    already_retired: int = 0  # tagged and suspended before: nothing to do
    kept: tuple[AnkiNote, ...] = ()  # edited in Anki since our last delivery; the vault's note did not change
    left: tuple[AnkiNote, ...] = ()  # taken out of retirement in Anki: left as it is
    ours: Mapping[str, int] = field(default_factory=dict)  # GUID -> note id of our notes in Anki

    @property
    def updated(self) -> tuple[str, ...]:
        """GUIDs whose fields or tags the delivery changes."""
        return tuple(u.guid for u in self.updates)

    def by_deck(self) -> dict[str, list[int]]:
        """The cards to move, by the deck they go to."""
        out: dict[str, list[int]] = {}
        for move in self.moves:
            out.setdefault(move.new, []).extend(move.cards)
        return out


def tagged(note: AnkiNote) -> bool:
    return any(tag.casefold() == RETIRED_TAG for tag in note.tags)


def identify(notes: Sequence[AnkiNote], deck: DeckContents, record: Record, key: str = "") -> dict[int, str]:
    """Note id -> GUID for the notes that are ours (see the module's scope rule)."""
    ours: dict[int, str] = {}
    known = record.targets.get(key)
    by_id = {nid: guid for guid, nid in known.nids.items()} if known is not None else {}
    unknown: list[AnkiNote] = []
    for note in notes:
        if note.guid is not None:
            if note.guid in deck.notes or note.guid in record.notes:
                ours[note.id] = note.guid
        elif by_id.get(note.id) in deck.notes or by_id.get(note.id) in record.notes:
            ours[note.id] = by_id[note.id]
        else:
            unknown.append(note)
    if unknown:
        taken = set(ours.values())
        by_print: dict[str, set[str]] = defaultdict(set)
        for guid, shape in deck.notes.items():
            by_print[shape.fingerprint].add(guid)
        for guid, prints in record.notes.items():
            for print_ in prints:
                by_print[print_].add(guid)
        for note in unknown:
            guids = by_print.get(note.fingerprint, set()) - taken
            if len(guids) == 1:
                ours[note.id] = next(iter(guids))
    # two notes recognised as one GUID (a copy made in Anki): neither is touched
    count: dict[str, int] = defaultdict(int)
    for guid in ours.values():
        count[guid] += 1
    return {nid: guid for nid, guid in ours.items() if count[guid] == 1}


def wanted_tags(note: AnkiNote, wanted: DeckNote, delivered: Sequence[str]) -> tuple[str, ...]:
    """The tags ``note`` ends with: the deck's, and every tag of its own that is not one
    we manage (the deck's, those we ``delivered`` before, ``cards::retired``)."""
    managed = {t.casefold() for t in (*delivered, *wanted.tags, RETIRED_TAG)}
    return (*(t for t in note.tags if t.casefold() not in managed), *wanted.tags)


def _update(note: AnkiNote, guid: str, wanted: DeckNote, record: Record) -> Update | None | AnkiNote:
    """The update ``note`` needs (None: none; the note itself: its fields are kept as
    edited in Anki and its tags need nothing)."""
    if note.fingerprint == wanted.fingerprint and note.tags == wanted.tags:
        return None  # the usual case: as delivered, and no tag of the user's
    delivered = record.notes.get(guid, [])
    edited = bool(delivered) and note.fingerprint not in delivered and wanted.fingerprint == delivered[0]
    fields = note.fingerprint != wanted.fingerprint and not edited
    tags = wanted_tags(note, wanted, record.tags.get(guid, ()))
    retag = {t.casefold() for t in tags} != {t.casefold() for t in note.tags if t.casefold() != RETIRED_TAG}
    if fields or retag:
        return Update(note, guid, fields, tags)
    return note if edited and note.fingerprint != wanted.fingerprint else None


def _gone(
    note: AnkiNote,
    guid: str,
    delete_retired: bool,
    retired_here: set[str],
    retire: list[AnkiNote],
    delete: list[AnkiNote],
    left: list[AnkiNote],
) -> int:
    """Where a note of ours that the deck no longer holds goes: deleted (when asked),
    retired (again, if answered in the reviewer), or left as the user left it after we
    retired it here once. 1 when it is retired already, else 0."""
    if delete_retired:
        delete.append(note)
    elif tagged(note):
        if all(card.suspended for card in note.cards):
            return 1
        retire.append(note)  # answered in the reviewer: suspended again
    elif guid in retired_here:
        left.append(note)
    else:
        retire.append(note)
    return 0


def _move(note: AnkiNote, wanted: DeckNote, ours_decks: set[str]) -> Move | None:
    """The cards of a note that sit in another deck of ours than the deck wants."""
    if wanted.deck is None:
        return None
    away = [c for c in note.cards if c.deck.casefold() != wanted.deck.casefold() and c.deck.casefold() in ours_decks]
    return Move(note, tuple(c.id for c in away), away[0].deck, wanted.deck) if away else None


def plan(
    deck: DeckContents, record: Record, notes: Sequence[AnkiNote], *, key: str = "", delete_retired: bool = False
) -> Plan:
    """What delivering ``deck`` into the Anki ``key`` that holds ``notes`` does (see the module doc)."""
    ours = identify(notes, deck, record, key)
    ours_decks = {d.casefold() for d in record.decks | deck.decks}
    retired_here = record.targets[key].retired if key in record.targets else set()
    present: dict[str, AnkiNote] = {}
    updates: list[Update] = []
    retire: list[AnkiNote] = []
    delete: list[AnkiNote] = []
    left: list[AnkiNote] = []
    revive, moves, kept = [], [], []
    already = 0
    for note in notes:
        guid = ours.get(note.id)
        if guid is None:
            continue
        present[guid] = note
        wanted = deck.notes.get(guid)
        if wanted is None:
            already += _gone(note, guid, delete_retired, retired_here, retire, delete, left)
            continue
        change = _update(note, guid, wanted, record)
        if isinstance(change, Update):
            updates.append(change)
        elif change is not None:
            kept.append(change)
        if tagged(note):
            revive.append(note)
        move = _move(note, wanted, ours_decks)
        if move is not None:
            moves.append(move)
    added = tuple(g for g in deck.notes if g not in present)
    return Plan(
        added,
        tuple(updates),
        tuple(retire),
        tuple(delete),
        tuple(revive),
        tuple(moves),
        already,
        tuple(kept),
        tuple(left),
        {guid: note.id for guid, note in present.items()},
    )
