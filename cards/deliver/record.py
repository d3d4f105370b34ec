"""The delivery record beside the output: every note this output has ever delivered.

``deck.apkg`` gets ``deck.apkg.cards-delivered.json`` (never anything in the notes, nor
in Anki). It is what keeps reconciliation to our own notes: a note is retired or moved
only if its GUID is one this output delivered (another vault synced into the same
collection has its own record and its own GUIDs). It holds:

- ``notes``: GUID -> the fingerprints of our fields as Anki was last seen to hold them
  after a delivery, newest first (an empty list: delivered, not yet seen there).
  AnkiConnect does not tell a note's GUID, so a note new to a record is recognised
  there by its fields; and a note whose fields match none of them was edited in Anki;
- ``tags``: GUID -> the tags this output last gave the note (so a tag the user added in
  Anki is told from one of ours that the notes dropped);
- ``decks``: every deck this output has put cards in (a card sitting in one of them
  follows its note to a new deck; a card the user moved elsewhere stays there);
- ``targets``: per Anki (``Target.key``): the digest of the deck last delivered there
  in full and seen there (an unchanged deck is not delivered again; a deck with an
  update Anki did not take has none, so the next sync tries again), the note id of
  each GUID there (how AnkiConnect tells our notes once it has seen them, edited or
  not), the GUIDs this output retired there (one taken out of retirement in Anki is
  not retired again), and the decks this output's deliveries created there (removed
  when they are left empty).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..untrusted import open_regular
from .contents import DeckContents

log = logging.getLogger("cards")
VERSION = 2
#: Fingerprints kept per note: a collection that missed a few syncs still holds one of them.
KEEP = 4


def _lists(table: object) -> bool:
    """``table`` maps text to lists (a record's ``notes`` and ``tags``), judged by its
    first entry: a record is written whole (atomically) or not at all."""
    if not isinstance(table, dict):
        return False
    first: object = next(iter(table.values()), [])
    return isinstance(first, list) and all(isinstance(x, str) for x in first)


def record_path(output: Path) -> Path:
    return output.with_name(output.name + ".cards-delivered.json")


@dataclass(slots=True)
class Delivered:
    """What this output delivered into one Anki (see the module doc)."""

    digest: str | None = None
    nids: dict[str, int] = field(default_factory=dict)
    retired: set[str] = field(default_factory=set)
    made: set[str] = field(default_factory=set)

    @classmethod
    def parse(cls, raw: Any) -> Delivered:
        if isinstance(raw, str):  # version 1: the digest alone
            return cls(raw)
        return cls(
            None if raw.get("digest") is None else str(raw["digest"]),
            {str(g): int(n) for g, n in raw.get("nids", {}).items()},
            {str(g) for g in raw.get("retired", ())},
            {str(d) for d in raw.get("made", ())},
        )

    def dump(self) -> dict[str, Any]:
        return {
            "digest": self.digest,
            "made": sorted(self.made),
            "retired": sorted(self.retired),
            "nids": dict(sorted(self.nids.items())),
        }


@dataclass(slots=True)
class Record:
    notes: dict[str, list[str]] = field(default_factory=dict)
    decks: set[str] = field(default_factory=set)
    targets: dict[str, Delivered] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Record:
        try:
            with open_regular(path) as handle:  # a link or a FIFO in its place is not followed
                raw = json.loads(handle.read())
            if raw.get("version") not in (1, VERSION):
                raise ValueError(f"version {raw.get('version')!r}")
            # JSON gives str keys; the values are taken as they are, not copied (a
            # record holds every note of a vault: copying it cost more than reading it)
            notes, tags = raw["notes"], raw.get("tags", {})
            if not (_lists(notes) and _lists(tags)):
                raise ValueError("malformed notes or tags")
            targets = {str(k): Delivered.parse(v) for k, v in raw["targets"].items()}
            return cls(notes, {str(d) for d in raw["decks"]}, targets, tags)
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning(
                "%s: cannot read the delivery record (%s); starting a new one: notes delivered before "
                "and gone from the notes since will not be retired",
                path,
                exc,
            )
            return cls()

    def at(self, key: str) -> Delivered:
        """What this output delivered into the Anki ``key`` (made on first use)."""
        return self.targets.setdefault(key, Delivered())

    def remember(self, deck: DeckContents) -> bool:
        """Every note of ``deck`` is ours from now on (recorded before it is delivered:
        a GUID this output made can only ever name our own note); whether the record
        learnt something (else it need not be written again)."""
        new = [guid for guid in deck.notes if guid not in self.notes]
        for guid in new:
            self.notes[guid] = []
        decks = deck.decks - self.decks
        self.decks.update(decks)
        return bool(new or decks)

    def seen(self, guid: str, fingerprint: str, tags: Iterable[str]) -> None:
        """Anki holds ``fingerprint`` for ``guid``, with our ``tags``, after a delivery."""
        known = self.notes.get(guid)
        if not known or known[0] != fingerprint:  # else: as it was (the usual case)
            self.notes[guid] = [fingerprint, *[f for f in known or () if f != fingerprint]][:KEEP]
        ours = list(tags)
        if ours:
            if self.tags.get(guid) != ours:
                self.tags[guid] = ours
        else:
            self.tags.pop(guid, None)

    def save(self, path: Path) -> None:
        data = {
            "version": VERSION,
            "decks": sorted(self.decks),
            "targets": {key: self.targets[key].dump() for key in sorted(self.targets)},
            "tags": dict(sorted(self.tags.items())),
            "notes": dict(sorted(self.notes.items())),
        }
        write_atomic(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
