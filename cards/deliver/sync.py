"""``cards sync``: deliver the built deck into Anki and reconcile our notes there.

Which Anki: the one named (``--anki-connect URL``, ``--collection PATH``, ``--profile
NAME``), else the running Anki if AnkiConnect answers at its default address, else
the collection of Anki's default profile if Anki is closed. Then, holding the
output's lock (so a build of the same output cannot replace the deck meanwhile):
read our notes in Anki, plan (reconcile.py), record the deck's GUIDs as ours
(record.py), make the backup (direct mode), import, apply the plan, record the deck
as delivered there. A deck already delivered to that Anki is not delivered again.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..deck.state import state_path
from ..pipeline.lock import output_lock
from ..pipeline.run import BuildResult, build
from .ankiconnect import ADDON_CODE, DEFAULT_URL, AnkiConnect, AnkiConnectTarget
from .collection import NO_ANKIWEB, CollectionTarget
from .contents import file_digest, read_deck
from .profiles import anki_base, profile_collection
from .reconcile import RETIRED_TAG, Plan, plan
from .record import Record, record_path
from .target import UNREACHABLE, AnkiNote, DeliveryError, Target

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


def deliver(
    apkg: Path, target: Target, record_file: Path, options: Options = Options(), *, confirm: Confirm | None = None
) -> Delivery:
    """Deliver ``apkg`` into ``target`` and reconcile (see the module doc)."""
    record = Record.load(record_file)
    digest = file_digest(apkg)
    if not (options.force or options.dry_run) and record.targets.get(target.key) == digest:
        return Delivery(target.where, Plan(), delivered=False)
    contents = read_deck(apkg, digest)
    if options.ankiweb and not target.ankiweb:
        raise DeliveryError(NO_ANKIWEB, 2)
    the_plan = plan(contents, record, target.notes(), delete_retired=options.delete_retired)
    if options.dry_run:
        texts = {g: contents.notes[g].text for g in (*the_plan.added, *the_plan.updated)}
        return Delivery(target.where, the_plan, delivered=False, dry_run=True, texts=texts)
    if the_plan.delete and (confirm is None or not confirm(the_plan.delete)):
        raise DeliveryError(
            f"nothing was changed: deleting {len(the_plan.delete)} retired note(s) was not confirmed "
            "(without --delete-retired they are suspended instead)"
        )
    record.remember(contents)
    record.save(record_file)  # before the import: from now on these GUIDs are ours to reconcile
    backup = target.before_import()
    target.import_package(apkg)
    apply(the_plan, target)
    if options.ankiweb:
        target.sync_ankiweb()
    record.targets[target.key] = contents.digest
    record.save(record_file)
    return Delivery(target.where, the_plan, delivered=True, backup=backup, ankiweb=options.ankiweb)


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
    copy of its state (so with the same GUIDs), leaving the real deck, state and
    cache untouched: a dry run changes nothing."""
    with tempfile.TemporaryDirectory(prefix="cards-dry-run-") as tmp:
        scratch = Path(tmp) / output.name
        if state_path(output).exists():
            shutil.copyfile(state_path(output), state_path(scratch))
        yield build(list(paths), scratch, cache=False, **build_options)


def summary(delivery: Delivery, apkg: Path) -> str:
    """The one line a sync prints."""
    p = delivery.plan
    if delivery.dry_run:
        return (
            f"dry run, nothing changed: {apkg.name} into {delivery.where} would add {len(p.added)}, update {len(p.updated)}, "
            f"retire {len(p.retire)}, revive {len(p.revive)}, move {len(p.moves)}"
            + (f", delete {len(p.delete)}" if p.delete else "")
        )
    if not delivery.delivered:
        return f"{apkg} is in {delivery.where} already: nothing to deliver (--force delivers it again)"
    retired = f"{len(p.delete)} retired (deleted)" if p.delete else f"{len(p.retire)} retired"
    extra = [x for x in (delivery.backup, "asked Anki to sync with AnkiWeb" if delivery.ankiweb else None) if x]
    return (
        f"synced {apkg} into {delivery.where}: {len(p.added)} added, {len(p.updated)} updated, {retired}, "
        f"{len(p.revive)} revived, {len(p.moves)} moved" + (f" ({'; '.join(extra)})" if extra else "")
    )


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
    return lines
