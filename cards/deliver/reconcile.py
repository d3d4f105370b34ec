"""The plan: what delivering a deck adds, updates, retires, revives and moves in Anki.

Pure: it compares the deck (contents.py), the delivery record (record.py) and the
notes of our note types that Anki holds (target.py), and changes nothing. The plan is
declarative (what Anki should look like), so running it twice does nothing the second
time, and a delivery cut short is finished by the next one.

Scope, the rule that keeps every other note safe: a note is ours only if it is of our
note types *and* its GUID is one this output delivered or delivers now. Through
AnkiConnect, which does not tell GUIDs, a note is ours only if its fields are exactly
fields we delivered for one GUID (a note edited in Anki, or another vault's, is left
alone). Then, for our notes only:

- a GUID no longer in the deck is *retired*: tagged ``cards::retired`` and its cards
  suspended (reviews kept), or deleted with ``delete_retired``;
- a GUID in the deck whose note carries ``cards::retired`` is *revived*: untagged and
  unsuspended;
- a card of a GUID in the deck that sits in another deck than the deck's, in a deck
  this output has put cards in, is *moved* (a card the user moved to a deck of their
  own stays there; a card in a filtered deck is left to it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .contents import DeckContents
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
class Plan:
    added: tuple[str, ...] = ()  # GUIDs the import adds
    updated: tuple[str, ...] = ()  # GUIDs whose fields the import changes
    retire: tuple[AnkiNote, ...] = ()  # to tag and suspend
    delete: tuple[AnkiNote, ...] = ()  # retired notes to delete (delete_retired)
    revive: tuple[AnkiNote, ...] = ()
    moves: tuple[Move, ...] = ()
    already_retired: int = 0  # tagged and suspended before: nothing to do

    def by_deck(self) -> dict[str, list[int]]:
        """The cards to move, by the deck they go to."""
        out: dict[str, list[int]] = {}
        for move in self.moves:
            out.setdefault(move.new, []).extend(move.cards)
        return out


def _tagged(note: AnkiNote) -> bool:
    return any(tag.casefold() == RETIRED_TAG for tag in note.tags)


def identify(notes: Sequence[AnkiNote], deck: DeckContents, record: Record) -> dict[int, str]:
    """Note id -> GUID for the notes that are ours (see the module's scope rule)."""
    ours: dict[int, str] = {}
    by_print: dict[str, set[str]] = defaultdict(set)
    if any(n.guid is None for n in notes):
        for guid, shape in deck.notes.items():
            by_print[shape.fingerprint].add(guid)
        for guid, prints in record.notes.items():
            for print_ in prints:
                by_print[print_].add(guid)
    for note in notes:
        if note.guid is not None:
            if note.guid in deck.notes or note.guid in record.notes:
                ours[note.id] = note.guid
        else:
            guids = by_print.get(note.fingerprint, set())
            if len(guids) == 1:
                ours[note.id] = next(iter(guids))
    # two notes recognised as one GUID (a copy made in Anki): neither is touched
    count: dict[str, int] = defaultdict(int)
    for guid in ours.values():
        count[guid] += 1
    return {nid: guid for nid, guid in ours.items() if count[guid] == 1}


def plan(deck: DeckContents, record: Record, notes: Sequence[AnkiNote], *, delete_retired: bool = False) -> Plan:
    """What delivering ``deck`` into the Anki that holds ``notes`` does (see the module doc)."""
    ours = identify(notes, deck, record)
    ours_decks = {d.casefold() for d in record.decks | deck.decks}
    present: dict[str, AnkiNote] = {}
    retire, delete, revive, moves = [], [], [], []
    already = 0
    for note in notes:
        guid = ours.get(note.id)
        if guid is None:
            continue
        present[guid] = note
        wanted = deck.notes.get(guid)
        if wanted is None:
            if delete_retired:
                delete.append(note)
            elif _tagged(note) and all(card.suspended for card in note.cards):
                already += 1
            else:
                retire.append(note)
            continue
        if _tagged(note):
            revive.append(note)
        if wanted.deck is not None:
            away = [
                c for c in note.cards if c.deck.casefold() != wanted.deck.casefold() and c.deck.casefold() in ours_decks
            ]
            if away:
                moves.append(Move(note, tuple(c.id for c in away), away[0].deck, wanted.deck))
    added = tuple(g for g in deck.notes if g not in present)
    updated = tuple(g for g, n in deck.notes.items() if g in present and present[g].fingerprint != n.fingerprint)
    return Plan(added, updated, tuple(retire), tuple(delete), tuple(revive), tuple(moves), already)
