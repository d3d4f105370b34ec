"""The delivery record beside the output: every note this output has ever delivered.

``deck.apkg`` gets ``deck.apkg.cards-delivered.json`` (never anything in the notes, nor
in Anki). It is what keeps reconciliation to our own notes: a note is retired or moved
only if its GUID is one this output delivered (another vault synced into the same
collection has its own record and its own GUIDs). It holds:

- ``notes``: GUID -> the fingerprints of the fields last delivered for it, newest
  first (AnkiConnect does not tell a note's GUID, so a note is recognised there by
  its fields as we delivered them);
- ``decks``: every deck this output has put cards in (a card sitting in one of them
  follows its note to a new deck; a card the user moved elsewhere stays there);
- ``targets``: per Anki (reconcile's ``Target.key``) the digest of the deck last
  delivered there in full, so an unchanged deck is not delivered again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import write_atomic
from ..untrusted import open_regular
from .contents import DeckContents

log = logging.getLogger("cards")
VERSION = 1
#: Fingerprints kept per note: a collection that missed a few syncs still holds one of them.
KEEP = 4


def record_path(output: Path) -> Path:
    return output.with_name(output.name + ".cards-delivered.json")


@dataclass(slots=True)
class Record:
    notes: dict[str, list[str]] = field(default_factory=dict)
    decks: set[str] = field(default_factory=set)
    targets: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Record:
        try:
            with open_regular(path) as handle:  # a link or a FIFO in its place is not followed
                raw = json.loads(handle.read())
            if raw.get("version") != VERSION:
                raise ValueError(f"version {raw.get('version')!r}")
            notes = {str(g): [str(f) for f in fps] for g, fps in raw["notes"].items()}
            return cls(notes, {str(d) for d in raw["decks"]}, {str(k): str(v) for k, v in raw["targets"].items()})
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

    def remember(self, deck: DeckContents) -> None:
        """Every note of ``deck`` is ours from now on (recorded before it is delivered:
        a GUID this output made can only ever name our own note)."""
        for guid, note in deck.notes.items():
            seen = self.notes.get(guid)
            if seen is None:
                self.notes[guid] = [note.fingerprint]
            elif seen[0] != note.fingerprint:
                self.notes[guid] = [note.fingerprint, *[f for f in seen if f != note.fingerprint]][:KEEP]
        self.decks.update(deck.decks)

    def save(self, path: Path) -> None:
        data = {
            "version": VERSION,
            "decks": sorted(self.decks),
            "targets": dict(sorted(self.targets.items())),
            "notes": dict(sorted(self.notes.items())),
        }
        write_atomic(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
