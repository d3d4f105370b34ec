"""After the import: read back what Anki holds for the notes the delivery added or
changed, and count that, not the plan.

Why: Anki's importer may pass a note over (its modification time in Anki is newer
than the package's: a clock ahead, a note synced from another device), and then the
delivery must neither say "updated" nor record the deck as delivered. Such an update
is made field by field (AnkiConnect's ``updateNoteFields``; the collection's
``update_note``), its images stored first; one Anki still does not hold after that is
reported by note and stays pending: the next sync tries it again.
"""

from __future__ import annotations

import json
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .contents import DeckContents
from .reconcile import Plan, Update
from .tailor import Wanted, referenced
from .target import AnkiNote, Target


@dataclass(frozen=True, slots=True)
class Verified:
    """What Anki holds after a delivery."""

    added: int = 0  # notes it holds now that it did not before
    updated: frozenset[int] = frozenset()  # ids of the notes whose fields or tags it holds as changed
    ours: Mapping[str, int] = field(default_factory=dict)  # GUID -> note id, every note of ours there
    pending: Mapping[str, str] = field(default_factory=dict)  # GUID -> note text: an update it does not hold
    missing: Mapping[str, str] = field(default_factory=dict)  # GUID -> note text: a note it did not add
    kept: frozenset[str] = frozenset()  # GUIDs kept as edited in Anki


def _same_tags(have: Iterable[str], want: Iterable[str]) -> bool:
    return {t.casefold() for t in have} == {t.casefold() for t in want}


def _holds(note: AnkiNote | None, want: Wanted) -> bool:
    return note is not None and note.fingerprint == want.fingerprint and _same_tags(note.tags, want.tags)


def verify(
    apkg: Path,
    target: Target,
    contents: DeckContents,
    plan: Plan,
    wanted: Mapping[str, Wanted],
    *,
    before: set[int],
) -> Verified:
    """Check the delivery of ``apkg`` (see the module doc); ``wanted`` is what each
    added or updated note must hold (tailor.write_package), ``before`` the ids of our
    notes before the import."""
    deleted = {n.id for n in plan.delete}
    ours = {guid: nid for guid, nid in plan.ours.items() if nid not in deleted}
    new_ids = [i for i in target.note_ids() if i not in before]
    new_guids = target.guids(new_ids)  # a GUID tells an added note: its fields need not be read
    read = [u.note.id for u in plan.updates] + (new_ids if new_guids is None else [])
    held = {n.id: n for n in target.notes(read)}
    added, missing, found = _added(target, contents, plan, wanted, held, new_ids, new_guids, ours)
    updated = set(found)
    failed: list[Update] = []
    for update in plan.updates:
        if _holds(held.get(update.note.id), wanted[update.guid]):
            updated.add(update.note.id)
        else:
            failed.append(update)
    pending = {}
    if failed:
        _set_fields(apkg, target, failed, wanted)
        again = {n.id: n for n in target.notes([u.note.id for u in failed])}
        for update in failed:
            if _holds(again.get(update.note.id), wanted[update.guid]):
                updated.add(update.note.id)
            else:
                pending[update.guid] = contents.notes[update.guid].text
    kept = frozenset(guid for guid, nid in ours.items() if any(n.id == nid for n in plan.kept))
    return Verified(added, frozenset(updated), ours, pending, missing, kept)


def _added(
    target: Target,
    contents: DeckContents,
    plan: Plan,
    wanted: Mapping[str, Wanted],
    held: Mapping[int, AnkiNote],
    new_ids: Sequence[int],
    new_guids: Mapping[int, str] | None,
    ours: dict[str, int],
) -> tuple[int, dict[str, str], set[int]]:
    """The planned additions Anki holds now (their note ids go into ``ours``): how many
    it added, the ones it did not, and the ids of those it had already (an edited note
    of ours AnkiConnect could not tell, which the import updated)."""
    found: dict[str, int] = {}
    if new_guids is not None:
        by_guid = {guid: nid for nid, guid in new_guids.items()}
        found = {g: by_guid[g] for g in plan.added if g in by_guid}
    else:
        by_print: dict[str, list[AnkiNote]] = defaultdict(list)
        for nid in new_ids:
            if nid in held:
                by_print[held[nid].fingerprint].append(held[nid])
        for guid in plan.added:
            matches = by_print.get(wanted[guid].fingerprint, [])
            if len(matches) == 1:
                found[guid] = matches[0].id
    ours.update(found)
    missing = [g for g in plan.added if g not in found]
    already: set[int] = set()
    if missing and not target.by_guid:
        claimed = set(ours.values())
        by_print = defaultdict(list)
        for note in target.notes():
            if note.id not in claimed:
                by_print[note.fingerprint].append(note)
        for guid in list(missing):
            matches = by_print.get(wanted[guid].fingerprint, [])
            if len(matches) == 1:
                ours[guid] = matches[0].id
                missing.remove(guid)
                already.add(matches[0].id)
    return len(found), {g: contents.notes[g].text for g in missing}, already


def _set_fields(apkg: Path, target: Target, updates: Sequence[Update], wanted: Mapping[str, Wanted]) -> None:
    """Make the updates Anki's importer passed over, field by field (images first)."""
    needed = {name for u in updates for value in wanted[u.guid].fields.values() for name in referenced(value)}
    if needed:
        with zipfile.ZipFile(apkg) as archive:
            names = json.loads(archive.read("media") or b"{}")
            for key, name in names.items():
                if name in needed:
                    target.store_media(name, archive.read(key))
    for update in updates:
        want = wanted[update.guid]
        target.update_note(update.note.id, want.fields, want.tags)


def expected(contents: DeckContents, guids: Iterable[str]) -> dict[str, Wanted]:
    """What the notes of ``guids`` hold when the deck itself is imported (a first delivery)."""
    return {g: Wanted(contents.notes[g].fingerprint, contents.notes[g].tags, {}) for g in guids}
