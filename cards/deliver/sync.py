"""``cards sync``: deliver the built deck into Anki and reconcile our notes there.

Which Anki: the one named (``--anki-connect URL``, ``--collection PATH``, ``--profile
NAME``), else the running Anki if AnkiConnect answers at its default address, else
the collection of Anki's default profile if Anki is closed; it is found (and asked
whether it answers) before the build, so a stopped Anki or a mistyped profile is told
at once. Then, holding the output's lock (so a build of the same output cannot
replace the deck meanwhile): read our notes in Anki, plan (reconcile.py), record the
deck's GUIDs as ours (record.py), make the backup (direct mode), import the package
fitted to this Anki (tailor.py), apply the plan, read back what Anki now holds
(verify.py: an update it did not take is set field by field, and one that still is not
there stays pending for the next sync), remove the decks the delivery emptied that only
it made, show the new deck list in a running Anki, and record what Anki holds. A deck
already delivered to that Anki, and seen there, is not delivered again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..pipeline.lock import output_lock
from ..pipeline.run import BuildResult
from .ankiconnect import ADDON_CODE, DEFAULT_URL, AnkiConnect, AnkiConnectTarget
from .collection import NO_ANKIWEB, CollectionTarget
from .contents import DeckContents, file_digest, read_deck
from .profiles import anki_base, profile_collection
from .reconcile import RETIRED_TAG, Plan, plan
from .record import Record, record_path
from .tailor import Wanted, import_path, reshaped, write_package
from .target import REFUSED, UNREACHABLE, AnkiNote, DeliveryError, Target
from .verify import Verified, expected, verify

#: Asked before retired notes are deleted: True goes ahead.
Confirm = Callable[[Sequence[AnkiNote]], bool]


@dataclass(frozen=True, slots=True)
class Choice:
    """Which Anki the user named (all None: find one)."""

    anki_connect: str | None = None
    api_key: str | None = None
    collection: Path | None = None
    profile: str | None = None
    base: Path | None = None  # Anki's data folder (default: profiles.anki_base())


@dataclass(frozen=True, slots=True)
class Options:
    delete_retired: bool = False
    dry_run: bool = False
    ankiweb: bool = False
    force: bool = False  # deliver even a deck this Anki has already


@dataclass(frozen=True, slots=True)
class Delivery:
    where: str
    plan: Plan
    delivered: bool  # False: a dry run, or this very deck was delivered there before
    dry_run: bool = False
    backup: str | None = None
    ankiweb: bool = False
    texts: Mapping[str, str] = field(default_factory=dict)  # a dry run's added and updated notes, by GUID
    verified: Verified | None = None  # what Anki holds after the delivery
    removed_decks: tuple[str, ...] = ()


def open_target(choice: Choice, *, delete: bool = False, ankiweb: bool = False) -> Target:
    """The Anki to deliver into (see the module doc); DeliveryError when there is none."""
    if choice.collection is not None:
        return CollectionTarget(choice.collection)
    base = choice.base if choice.base is not None else anki_base()
    if choice.profile is not None:
        _, path = profile_collection(base, choice.profile)
        return CollectionTarget(path)
    client = AnkiConnect(choice.anki_connect or DEFAULT_URL, api_key=choice.api_key)
    if choice.anki_connect is not None:
        return AnkiConnectTarget(client, delete=delete, ankiweb=ankiweb)
    try:
        return AnkiConnectTarget(client, delete=delete, ankiweb=ankiweb)
    except DeliveryError as exc:
        if exc.code != UNREACHABLE or ankiweb:
            raise
        not_running = exc
    try:
        name, path = profile_collection(base, None)
    except DeliveryError as exc:
        raise DeliveryError(f"{not_running}; and {exc}", exc.code) from None
    try:
        target = CollectionTarget(path)
    except DeliveryError as exc:
        if exc.code != UNREACHABLE:
            raise
        raise DeliveryError(
            f"AnkiConnect does not answer at {client.url}, and the collection of profile {name!r} is in use (Anki is "
            f"open without the add-on?): install AnkiConnect (code {ADDON_CODE}) and restart Anki, or close Anki",
            UNREACHABLE,
        ) from None
    target.where = f"{target.where} (profile {name!r}; AnkiConnect does not answer at {client.url})"
    return target


def probe(choice: Choice, options: Options = Options()) -> None:
    """Find the Anki a sync would deliver into and ask it what the delivery needs
    (before the build: a stopped Anki, a mistyped profile, a wrong key or a missing
    AnkiWeb login is told at once); DeliveryError if it cannot be delivered into."""
    target = open_target(choice, delete=options.delete_retired, ankiweb=options.ankiweb)
    try:
        if options.ankiweb:
            _check_ankiweb(target)
    finally:
        target.close()


def _check_ankiweb(target: Target) -> None:
    if not target.ankiweb:
        raise DeliveryError(NO_ANKIWEB, 2)
    if target.signed_in() is False:
        raise DeliveryError(
            f"{target.where} is not signed in to AnkiWeb, so --ankiweb would only open Anki's login window: sign in "
            "once in Anki (the Sync button), then sync again; nothing was changed",
            REFUSED,
        )


def _up_to_date(target: Target, record: Record, digest: str, options: Options) -> bool:
    """This very deck was delivered into this Anki and seen there, and no retired card
    of ours is back in play (answered in the reviewer): nothing to do."""
    here = record.targets.get(target.key)
    return (
        not (options.force or options.dry_run)
        and here is not None
        and here.digest == digest
        and not target.retired_in_play(RETIRED_TAG)
    )


def deliver(
    apkg: Path, target: Target, record_file: Path, options: Options = Options(), *, confirm: Confirm | None = None
) -> Delivery:
    """Deliver ``apkg`` into ``target`` and reconcile (see the module doc)."""
    record = Record.load(record_file)
    digest = file_digest(apkg)
    if _up_to_date(target, record, digest, options):
        return Delivery(target.where, Plan(), delivered=False)
    if options.ankiweb:
        _check_ankiweb(target)
    contents = read_deck(apkg, digest)
    notes = target.notes()
    the_plan = plan(contents, record, notes, key=target.key, delete_retired=options.delete_retired)
    if options.dry_run:
        texts = {g: contents.notes[g].text for g in (*the_plan.added, *the_plan.updated)}
        return Delivery(target.where, the_plan, delivered=False, dry_run=True, texts=texts)
    if the_plan.delete and (confirm is None or not confirm(the_plan.delete)):
        raise DeliveryError(
            f"nothing was changed: deleting {len(the_plan.delete)} retired note(s) was not confirmed "
            "(without --delete-retired they are suspended instead)"
        )
    if record.remember(contents) or not record_file.exists():
        record.save(record_file)  # before the import: from now on these GUIDs are ours to reconcile
    decks_before = target.decks()
    changes = (the_plan.added, the_plan.updates, the_plan.retire, the_plan.delete, the_plan.revive, the_plan.moves)
    backup = target.before_import() if any(changes) else None  # no backup of a collection left as it is
    wanted = _import(apkg, target, contents, the_plan)
    apply(the_plan, target)
    verified = verify(apkg, target, contents, the_plan, wanted, before={n.id for n in notes})
    removed = _tidy_decks(target, record, contents, decks_before)
    target.refresh()
    if options.ankiweb:
        target.sync_ankiweb()
    _remember(record, target, contents, the_plan, verified)
    record.save(record_file)
    return Delivery(
        target.where,
        the_plan,
        delivered=True,
        backup=backup,
        ankiweb=options.ankiweb,
        verified=verified,
        removed_decks=removed,
    )


def _import(apkg: Path, target: Target, contents: DeckContents, the_plan: Plan) -> dict[str, Wanted]:
    """Import what the plan adds and updates; returns, per GUID, what the note must hold."""
    updates = {u.guid: u for u in the_plan.updates}
    if not (the_plan.added or updates):
        return {}
    shapes = target.shapes()
    if len(the_plan.added) == len(contents.notes) and not updates and not reshaped(shapes):
        target.import_package(apkg)  # the first delivery: the deck is the package
        return expected(contents, the_plan.added)
    package = import_path(apkg)
    try:
        wanted = write_package(
            apkg, package, add=the_plan.added, updates=updates, shapes=shapes, now=int(time.time()) + 1
        )
        target.import_package(package)
    finally:
        with suppress(OSError):
            package.unlink()
    return wanted


def apply(the_plan: Plan, target: Target) -> None:
    """Make Anki what the plan says (after the import: it would undo a revival's untagging)."""
    for deck, card_ids in the_plan.by_deck().items():
        target.move(card_ids, deck)
    if the_plan.retire:
        target.add_tag([n.id for n in the_plan.retire], RETIRED_TAG)
        target.suspend([c.id for n in the_plan.retire for c in n.cards if not c.suspended])
    target.delete_notes([n.id for n in the_plan.delete])
    if the_plan.revive:
        target.remove_tag([n.id for n in the_plan.revive], RETIRED_TAG)
        target.unsuspend([c.id for n in the_plan.revive for c in n.cards if c.suspended])


def _parents(decks: frozenset[str]) -> set[str]:
    """Every deck in ``decks`` and each of its parents, case-folded as Anki compares names."""
    out: set[str] = set()
    for deck in decks:
        parts = deck.split("::")
        out.update("::".join(parts[: i + 1]).casefold() for i in range(len(parts)))
    return out


def _tidy_decks(target: Target, record: Record, contents: DeckContents, before: set[str]) -> tuple[str, ...]:
    """Note the decks this delivery created, then remove those of them (from any
    delivery) that hold no card now and no deck of the deck: only ever a deck the
    user never made, left empty by a move or a retirement."""
    here = record.at(target.key)
    in_use = _parents(contents.decks)
    known = {d.casefold() for d in before}
    here.made.update(d for d in target.decks() if d.casefold() not in known and d.casefold() in in_use)
    removed = []
    for deck in sorted(here.made, key=lambda d: -d.count("::")):  # children first
        if deck.casefold() in in_use:
            continue
        if target.remove_empty_deck(deck) or deck not in target.decks():
            here.made.discard(deck)
            removed.append(deck)
    return tuple(sorted(removed))


def _remember(record: Record, target: Target, contents: DeckContents, the_plan: Plan, verified: Verified) -> None:
    """What Anki holds now, for the next delivery (record.py)."""
    here = record.at(target.key)
    guid_of = {nid: guid for guid, nid in verified.ours.items()}
    for guid, note in contents.notes.items():
        if guid in verified.pending or guid in verified.kept or guid not in verified.ours:
            continue
        record.seen(guid, note.fingerprint, note.tags)
    if not target.by_guid:
        here.nids = dict(verified.ours)
    here.retired.update(guid_of[n.id] for n in the_plan.retire if n.id in guid_of)
    here.retired.difference_update(guid_of[n.id] for n in (*the_plan.revive, *the_plan.delete) if n.id in guid_of)
    here.retired.intersection_update(record.notes)
    here.digest = contents.digest if not verified.pending else None


def deliver_output(
    output: Path,
    choice: Choice,
    options: Options = Options(),
    *,
    confirm: Confirm | None = None,
    lock_timeout: float | None = None,
    apkg: Path | None = None,
) -> Delivery:
    """Deliver the deck built at ``output`` (or ``apkg``, a dry run's) holding the output's lock."""
    target = open_target(choice, delete=options.delete_retired, ankiweb=options.ankiweb)
    try:
        with output_lock(output, timeout=lock_timeout):
            return deliver(apkg or output, target, record_path(output), options, confirm=confirm)
    finally:
        target.close()


@contextmanager
def dry_build(paths: Sequence[Path], output: Path, **build_options: Any) -> Iterator[BuildResult]:
    """The deck a build of ``output`` would write, built in a temporary folder from a
    copy of its state (so with the same GUIDs), its notes read through the output's
    cache (as ``cards preview`` reads them: only notes changed since the last build are
    parsed), leaving the real deck, state and manifest untouched: a dry run changes
    nothing."""
    import shutil
    import tempfile

    from ..deck.state import state_path
    from ..pipeline.reading import read_vault
    from ..pipeline.run import build

    build_options.pop("lock_timeout", None)  # the scratch deck is nobody else's
    cache = build_options.pop("cache", True)
    with tempfile.TemporaryDirectory(prefix="cards-dry-run-") as tmp:
        scratch = Path(tmp) / output.name
        if state_path(output).exists():
            shutil.copyfile(state_path(output), state_path(scratch))
        reading_options = {k: v for k, v in build_options.items() if k in ("deck", "config", "jobs")}
        with read_vault(paths, output, cache=cache, **reading_options) as reading:
            yield build(list(paths), scratch, cache=False, collected=reading.collected, **build_options)


def summary(delivery: Delivery, apkg: Path) -> str:
    """The one line a sync prints, in the build line's words: added, updated, retired,
    each as Anki holds it now (a revived note counts as added, a note moved to another
    deck as updated, each said in parentheses), then what only a sync does."""
    p = delivery.plan
    if delivery.dry_run:
        moved = {m.note.id for m in p.moves}
        return (
            f"dry run, nothing changed: {apkg.name} into {delivery.where} would add {len(p.added) + len(p.revive)}"
            + (f" ({len(p.revive)} revived)" if p.revive else "")
            + f", update {len({u.note.id for u in p.updates} | moved)}"
            + (f" ({len(moved)} moved to another deck)" if moved else "")
            + f", retire {len(p.retire)}"
            + (f", delete {len(p.delete)}" if p.delete else "")
        )
    if not delivery.delivered:
        return f"{apkg} is in {delivery.where} already: nothing to deliver (--force delivers it again)"
    v = delivery.verified
    added = v.added if v is not None else len(p.added)
    updated = set(v.updated) if v is not None else {u.note.id for u in p.updates}
    extra = [
        x
        for x in (
            delivery.backup,
            f"removed {len(delivery.removed_decks)} empty deck(s)" if delivery.removed_decks else None,
            "asked Anki to sync with AnkiWeb" if delivery.ankiweb else None,
        )
        if x
    ]
    line = f"synced {apkg} into {delivery.where}: {_counts(added, updated, p)}" + (
        f" ({'; '.join(extra)})" if extra else ""
    )
    return line + _left_out(v, p)


def _left_out(v: Verified | None, p: Plan) -> str:
    """What the sync did not do, and why: notes changed in Anki after the build, notes
    Anki holds changed beyond telling, notes kept as edited in Anki."""
    line = ""
    if v is not None and v.pending:
        line += (
            f"; {len(v.pending)} not updated: changed in Anki after the build; run `cards sync` again to apply "
            f"({', '.join(v.pending.values())})"
        )
    if v is not None and v.missing:
        line += (
            f"; {len(v.missing)} not added: Anki holds a note of the same fact, changed there so that this tool "
            f"cannot tell it ({', '.join(v.missing.values())})"
        )
    if p.kept:
        line += f"; {len(p.kept)} kept as edited in Anki (unchanged in the notes since)"
    return line


def _counts(added: int, updated: set[int], p: Plan) -> str:
    """``3 added (1 revived), 5 updated (2 moved to another deck), 1 retired``."""
    moved = {m.note.id for m in p.moves}
    text = f"{added + len(p.revive)} added" + (f" ({len(p.revive)} revived)" if p.revive else "")
    text += f", {len(updated | moved)} updated" + (f" ({len(moved)} moved to another deck)" if moved else "")
    retired = f"{len(p.delete)} retired (deleted)" if p.delete else f"{len(p.retire)} retired"
    if p.left:
        retired += f" ({len(p.left)} left in play: taken out of retirement in Anki)"
    return f"{text}, {retired}"


def plan_lines(delivery: Delivery, *, limit: int = 10) -> list[str]:
    """A dry run's detail: which notes would be retired, revived, moved, deleted, added, updated."""
    p = delivery.plan
    lines: list[str] = []

    def section(verb: str, items: Sequence[str]) -> None:
        lines.extend(f"  {verb}: {item}" for item in items[:limit])
        if len(items) > limit:
            lines.append(f"  {verb}: … and {len(items) - limit} more")

    section("add", [delivery.texts.get(g, g) for g in p.added])
    section("update", [delivery.texts.get(g, g) for g in p.updated])
    section("retire", [n.text for n in p.retire])
    section("delete", [n.text for n in p.delete])
    section("revive", [n.text for n in p.revive])
    section("move", [f"{m.note.text} ({m.old} -> {m.new})" for m in p.moves])
    section("keep as edited in Anki", [n.text for n in p.kept])
    return lines
