"""The ``cards`` command: thin click commands over the build (cards.pipeline) and the preview (cards.preview).

Exit codes (``build``; ``watch`` uses 0, 2 and 130):

- 0: every note built (the deck was written, or was already up to date);
- 1: some note had an error (the others were still built and written), or another
  error that stopped the build (click's ``Error: ...``: bad cards.toml, unwritable output,
  no notes under a PATH);
- 2: usage error (click's own: unknown option, missing PATH);
- 3: another build of the same output held its lock for longer than ``--lock-timeout``;
- 130: interrupted (Ctrl-C), 143: terminated (SIGTERM) before the build finished; the
  deck and state on disk are the old ones, or (the message says so) both the new
  ones, never one of each (pipeline/commit.py).

``sync`` adds (cards.deliver.target):

- 4: the deck could not reach Anki: Anki is not running (AnkiConnect does not answer),
  the collection is in use (Anki is open) or missing; nothing in Anki was changed;
- 5: Anki answered but refused: a wrong or missing API key, an add-on too old for an
  action, an error inside Anki.

No command shows a traceback for a problem of the machine (an unwritable or full disk,
a vanished folder): :class:`_Commands` turns it into ``Error: PATH: cannot write
(reason); what to do``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .config import DENSITIES, KINDS, Config, ConfigError, load_config
from .deck.state import Changes, state_path
from .errors import CardsError, NoNotesError, ReadError, WriteError, reason, visible
from .model import Card
from .pipeline.run import WRITTEN, BuildResult, Collected, build, build_time, identify_cards

if TYPE_CHECKING:
    from rich.console import Console

    from .judge import Explained
    from .pipeline.lock import Holder

# rich and the preview load only for ``cards preview``: ``cards build`` starts faster.

CONTEXT = {"help_option_names": ["-h", "--help"]}
log = logging.getLogger("cards")

paths_argument = click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
deck_option = click.option("--deck", help="Root deck name (default: cards.toml's deck, else the folder's name).")


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """One line (or more) for the user, control characters made visible (errors.visible):
    a note's text, a file name or an image target can hold escape sequences, and no
    line the CLI prints may pass them to the terminal. Data for scripts (``--json``)
    and the preview's own colours go through ``click.echo`` as they are."""
    click.echo(visible(message), err=err, nl=nl)


class _Echo(logging.Handler):
    """Warnings raised outside a note (state file, config) reach the user as ``Warning: ...``."""

    def emit(self, record: logging.LogRecord) -> None:
        echo(f"Warning: {record.getMessage()}", err=True)


def _setup_logging() -> None:
    if not any(isinstance(h, _Echo) for h in log.handlers):
        log.addHandler(_Echo(logging.WARNING))
    log.propagate = False


def _config(paths: Sequence[Path], **flags: object) -> Config | None:
    """The first vault's cards.toml with flags applied (None lets each vault load its own)."""
    if len(paths) != 1:
        if flags.get("density") is not None:
            raise click.ClickException(
                "--density applies to one PATH; for several, set density in each vault's cards.toml"
            )
        return None
    root = paths[0] if paths[0].is_dir() else paths[0].parent
    try:
        return load_config(root).with_overrides(**flags)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def report_problems(collected: Collected, *, quiet: bool = False, verbose: bool = False) -> None:
    """Warnings and errors, then (unless ``quiet``) how many notes were reflowed and, with
    ``verbose``, which, and every note skipped as having nothing to learn, with why (the
    summary line counts them)."""
    for warning in collected.warnings:
        echo(f"Warning: {warning}", err=True)
    for error in collected.errors:
        echo(f"Error: {error}", err=True)
    reflowed = collected.summary.reflowed
    if reflowed and not quiet:
        many = len(reflowed) != 1
        more = "" if verbose else " (-v lists them)"
        echo(
            f"{len(reflowed)} note{'s' if many else ''} had lost {'their' if many else 'its'} line breaks; structure "
            f"restored{more}",
            err=True,
        )
        if verbose:
            for path in reflowed:
                echo(f"  {path}", err=True)
    if verbose:
        for path, why in collected.summary.skipped:
            echo(f"{path}: skipped, {why}", err=True)


def skipped_counts(collected: Collected) -> str:
    """``, 20 skipped: 14 journal, 6 contents`` (empty when none was)."""
    from .notes.skip import kind_of

    skipped = collected.summary.skipped
    if not skipped:
        return ""
    kinds: dict[str, int] = {}
    for _, why in skipped:
        kinds[kind_of(why)] = kinds.get(kind_of(why), 0) + 1
    return f", {len(skipped)} skipped: " + ", ".join(
        f"{n} {kind}" for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def changes_updated(changes: Changes) -> str:
    """``5 updated`` or ``5 updated (3 only moved)``: a line added above a card changes its
    source line, which Anki shows, so it is updated too, but its text is the same."""
    moved = f" ({len(changes.moved)} only moved)" if changes.moved else ""
    return f"{len(changes.updated)} updated{moved}"


def summary(result: BuildResult) -> str:
    """The build's one line. Cards are Anki's cards (a note with clozes c1 and c2 is
    two), as ``cards preview`` counts them; added / updated / retired count Anki notes."""
    collected, changes = result.collected, result.changes
    done = collected.summary
    kinds = dict(done.anki_kinds)
    by_kind = ", ".join(f"{kinds[k]} {k}" for k in sorted(kinds)) or "no cards"
    errors = len(done.errors)
    status = f"wrote {result.output}" if result.written else f"{result.output} is up to date"
    reflowed = len(done.reflowed)
    return (
        f"{done.notes} notes ({errors} with "
        f"errors{f', {reflowed} reflowed' if reflowed else ''}{skipped_counts(collected)}) -> "
        f"{done.anki_cards} cards ({by_kind}) in {done.cards} Anki notes"
        f"{f' ({done.below} candidates below the score threshold)' if done.below else ''}; "
        f"{len(changes.added)} added, {changes_updated(changes)}, {len(changes.retired)} retired; {status}"
    )


#: The distribution's name on PyPI (the command and the import package are ``cards``;
#: the name ``cards`` on PyPI belongs to an unrelated project).
DISTRIBUTION = "cards-anki"


class _Commands(click.Group):
    """Every command's problems of the machine as one ``Error:`` line, exit 1, never a
    traceback: an output that cannot be written, a PATH that cannot be read, a PATH
    without notes, and any other OSError (a folder that vanished mid-run)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """click's standalone main, with every ``Error:`` line's control characters made
        visible (errors.visible): click's own usage errors quote what was typed."""
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.ClickException as exc:
            setattr(exc, "message", visible(exc.message))  # click types it Final
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):  # Ctrl-C before a command's own handling
                echo("interrupted", err=True)
                sys.exit(130)
            echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (WriteError, ReadError, NoNotesError) as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{reason(exc)}; check the path and the disk, then run again") from None


@click.group(cls=_Commands, context_settings=CONTEXT)
@click.version_option(package_name=DISTRIBUTION, message="%(prog)s (%(package)s), version %(version)s")
def main() -> None:
    """Turn a folder of Markdown notes into Anki flashcards, and keep the deck in step."""
    _setup_logging()


def _output(paths: Sequence[Path], output: Path | None, config: Config | None) -> Path:
    if output is not None:
        return output
    if config is not None and config.output is not None:
        return config.output
    return Path(f"{(paths[0] if paths[0].is_dir() else paths[0].parent).resolve().name}.apkg")


def _warn_if_inside(paths: Sequence[Path], output: Path) -> None:
    """A deck written into the vault travels with the notes (Obsidian Sync, iCloud, git):
    allowed, with a warning (the walk never reads the build's own files)."""
    target = Path(os.path.abspath(output)).resolve()
    for path in paths:
        root = (path if path.is_dir() else path.parent).resolve()
        if target.is_relative_to(root):
            echo(
                f"Warning: {output} is inside the notes folder {path}: the deck and its state "
                f"({state_path(output).name}) travel with the notes (sync, git); write it elsewhere with -o "
                "or cards.toml's output (the build never reads them as notes)",
                err=True,
            )
            return


def _check_templates(templates_dir: Path | None) -> None:
    if templates_dir is not None:
        from .deck.templating import check_templates

        for warning in check_templates(templates_dir):
            echo(f"Warning: {warning}", err=True)


def _waiting(quiet: bool) -> Callable[[Path, Holder | None], None] | None:
    """What a build says, once, when another build of its output holds the lock."""
    if quiet:
        return None

    def say(output: Path, holder: Holder | None) -> None:
        who = holder.describe() if holder is not None else "a process that did not say who it is"
        echo(f"waiting for another cards build writing {output}: {who}", err=True)

    return say


def _no_notes(exc: NoNotesError, output: Path) -> click.ClickException:
    """The error for a PATH without notes; a deck built before may be emptied on purpose."""
    hint = f"; to empty {output} on purpose, pass --allow-empty" if state_path(output).exists() else ""
    return click.ClickException(f"{exc}{hint}")


output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .apkg to write (default: cards.toml's output, else <folder>.apkg).",
)
templates_option = click.option(
    "--templates",
    "templates_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A folder whose card faces / CSS override the shipped ones.",
)
no_cache_option = click.option(
    "--no-cache",
    is_flag=True,
    help="Parse every note again; ignore and do not update the build cache (in the user cache folder).",
)
jobs_option = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for parsing (default: one per CPU when 200+ notes need parsing; 1: none).",
)
allow_empty_option = click.option(
    "--allow-empty", is_flag=True, help="Build even when a PATH holds no notes (an empty deck; every card retired)."
)
lock_timeout_option = click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=120.0,
    show_default=True,
    help="Seconds to wait while another build of the same output runs (then exit 3).",
)
anki_connect_option = click.option(
    "--anki-connect",
    "anki_connect",
    metavar="URL",
    help="Deliver through AnkiConnect at URL (default: try http://127.0.0.1:8765, then the default profile's "
    "collection).",
)
api_key_option = click.option(
    "--api-key",
    envvar="CARDS_API_KEY",
    help="The apiKey of AnkiConnect's config, if it has one (or set CARDS_API_KEY, or api_key in cards.toml's [sync]).",
)
collection_option = click.option(
    "--collection",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Deliver straight into this collection.anki2 (Anki must be closed).",
)
profile_option = click.option(
    "--profile", help="Deliver straight into this Anki profile's collection (Anki must be closed)."
)
verbose_option = click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Also list the notes whose line breaks were restored, and the notes skipped as having nothing to learn "
    "(journals, templates, task lists ...) with why.",
)
density_option = click.option(
    "--density",
    type=click.Choice(DENSITIES),
    default=None,
    help="How many mined cards to keep: few (the surest), normal, or all (every one that breaks no hard rule); "
    "default: cards.toml's density, else normal. Cards the author wrote are always kept.",
)
ankiweb_option = click.option("--ankiweb", is_flag=True, help="Then ask Anki to sync with AnkiWeb (AnkiConnect only).")


@main.command()
@paths_argument
@output_option
@deck_option
@templates_option
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@verbose_option
@no_cache_option
@jobs_option
@lock_timeout_option
@allow_empty_option
@density_option
def build_cmd(
    paths: tuple[Path, ...],
    output: Path | None,
    deck: str | None,
    density: str | None,
    templates_dir: Path | None,
    quiet: bool,
    verbose: bool,
    no_cache: bool,
    jobs: int | None,
    lock_timeout: float,
    allow_empty: bool,
) -> None:
    """Build an Anki deck (.apkg) from notes under PATHS.

    Re-importing a rebuilt deck updates the cards already in Anki and keeps their
    reviews. Notes with errors are reported and left out; the rest is still built
    (exit code 1). Only notes changed since the last build are parsed again (the
    cache is in the user's cache folder); when nothing changed the deck is left untouched.
    Safe to run from cron or a systemd timer: two builds of one output take turns.
    """
    from .pipeline.lock import LockTimeout
    from .pipeline.processes import Terminated, ignore_further_interrupts, sigterm_as_interrupt
    from .pipeline.progress import BuildProgress

    config = _config(paths, deck=deck, density=density)
    output = _output(paths, output, config)
    if not quiet:
        _warn_if_inside(paths, output)
    _check_templates(templates_dir)
    try:
        with sigterm_as_interrupt(), BuildProgress(enabled=None if not quiet else False) as progress:
            result = build(
                list(paths),
                output,
                deck=deck,
                config=config,
                templates_dir=templates_dir,
                cache=not no_cache,
                jobs=jobs,
                lock_timeout=lock_timeout,
                progress=progress,
                on_wait=_waiting(quiet),
                allow_empty=allow_empty,
            )
    except LockTimeout as exc:
        echo(f"Error: {exc}", err=True)
        sys.exit(3)
    except KeyboardInterrupt as exc:
        ignore_further_interrupts()
        how = "terminated" if isinstance(exc, Terminated) else "interrupted"
        if getattr(exc, WRITTEN, False):  # it came after the new deck and state were in place
            echo(f"{how} after {output} and its state were written; the cache was not brought up to date", err=True)
        else:
            echo(f"{how}; the deck and its state were not changed", err=True)
        sys.exit(143 if isinstance(exc, Terminated) else 130)
    except NoNotesError as exc:
        raise _no_notes(exc, output) from None
    except (CardsError, ConfigError) as exc:
        raise click.ClickException(str(exc)) from None
    report_problems(result.collected, quiet=quiet, verbose=verbose)
    if not quiet:
        echo(summary(result))
    if result.collected.errors:
        sys.exit(1)


build_cmd.name = "build"


@main.command()
@paths_argument
@output_option
@deck_option
@templates_option
@jobs_option
@lock_timeout_option
@allow_empty_option
@click.option(
    "--sync", "sync_anki", is_flag=True, help="After each rebuild, deliver the deck into Anki as cards sync does."
)
@anki_connect_option
@api_key_option
@collection_option
@profile_option
@ankiweb_option
@density_option
def watch(
    paths: tuple[Path, ...],
    output: Path | None,
    deck: str | None,
    density: str | None,
    templates_dir: Path | None,
    jobs: int | None,
    lock_timeout: float,
    allow_empty: bool,
    sync_anki: bool,
    anki_connect: str | None,
    api_key: str | None,
    collection: Path | None,
    profile: str | None,
    ankiweb: bool,
) -> None:
    """Build the deck, then rebuild it within a second of every save under PATHS.

    Prints one line per rebuild (notes changed; cards added, updated, retired). A note
    with an error is reported and left out; the watcher keeps running. cards.toml is
    read again on every rebuild. With --sync each rebuild is delivered into Anki (a
    failed delivery is in the line, and retried on the next rebuild). Ctrl-C (or
    SIGTERM) stops it (exit 0).
    """
    from .pipeline.watch import watch as run_watch

    output = _output(paths, output, _config(paths, deck=deck, density=density))
    _warn_if_inside(paths, output)
    _check_templates(templates_dir)
    after = None
    if sync_anki:
        from .deliver.sync import Options, deliver_output
        from .deliver.sync import summary as sync_summary

        choice = _choice(paths, anki_connect, api_key, collection, profile)

        def deliver_now(result: BuildResult) -> str:
            delivery = deliver_output(output, choice, Options(ankiweb=ankiweb), lock_timeout=lock_timeout)
            return "; " + sync_summary(delivery, output)

        after = deliver_now
    elif any((anki_connect, api_key, collection, profile, ankiweb)):
        raise click.UsageError("--anki-connect, --api-key, --collection, --profile and --ankiweb go with --sync")

    def rebuild() -> BuildResult:
        config = _config(paths, deck=deck, density=density)
        return build(
            list(paths),
            output,
            deck=deck,
            config=config,
            templates_dir=templates_dir,
            jobs=jobs,
            lock_timeout=lock_timeout,
            on_wait=_waiting(False),
            allow_empty=allow_empty,
        )

    echo(f"watching {', '.join(str(p) for p in paths)} -> {output} (Ctrl-C to stop)", err=True)
    try:
        run_watch(
            paths,
            output,
            rebuild=rebuild,
            echo=echo,
            problem=lambda line: echo(line, err=True),
            after=after,
        )
    except KeyboardInterrupt:
        echo("stopped", err=True)
    except NoNotesError as exc:  # the first build's: later ones are reported and watching goes on
        raise _no_notes(exc, output) from None


def _choice(
    paths: Sequence[Path], anki_connect: str | None, api_key: str | None, collection: Path | None, profile: str | None
) -> Any:
    """The Anki the flags name; cards.toml's ``[sync]`` fills in what they leave out
    (a flag, or CARDS_API_KEY, wins)."""
    from .config import load_sync
    from .deliver.sync import Choice

    if sum(x is not None for x in (anki_connect, collection, profile)) > 1:
        raise click.UsageError("--anki-connect, --collection and --profile each name an Anki; use one of them")
    if len(paths) == 1:
        try:
            settings = load_sync(paths[0] if paths[0].is_dir() else paths[0].parent)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        if api_key is None:
            api_key = settings.api_key
        if anki_connect is None and collection is None and profile is None:
            anki_connect = settings.anki_connect
    return Choice(anki_connect=anki_connect, api_key=api_key, collection=collection, profile=profile)


def _confirm_delete(yes: bool) -> Callable[[Sequence[Any]], bool]:
    from .deliver.target import DeliveryError

    def confirm(notes: Sequence[Any]) -> bool:
        if yes:
            return True
        for note in notes:
            echo(f"  delete: {note.text}", err=True)
        if not sys.stdin.isatty():
            raise DeliveryError(
                f"--delete-retired would delete {len(notes)} note(s) from Anki: pass --yes to confirm (no terminal to "
                f"ask on)"
            )
        return click.confirm(
            f"Delete these {len(notes)} retired note(s) and their reviews from Anki?", default=False, err=True
        )

    return confirm


@main.command()
@paths_argument
@output_option
@deck_option
@templates_option
@anki_connect_option
@api_key_option
@collection_option
@profile_option
@click.option(
    "--delete-retired",
    is_flag=True,
    help="Delete the notes of vanished facts instead of suspending them (lists them and asks).",
)
@click.option("-y", "--yes", is_flag=True, help="Do not ask before --delete-retired deletes.")
@ankiweb_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print what would be added, updated, retired, revived and moved; change nothing (not even the deck).",
)
@click.option("--force", is_flag=True, help="Deliver even when this Anki has this very deck already.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@verbose_option
@no_cache_option
@jobs_option
@lock_timeout_option
@density_option
def sync(
    paths: tuple[Path, ...],
    output: Path | None,
    deck: str | None,
    density: str | None,
    templates_dir: Path | None,
    anki_connect: str | None,
    api_key: str | None,
    collection: Path | None,
    profile: str | None,
    delete_retired: bool,
    yes: bool,
    ankiweb: bool,
    dry_run: bool,
    force: bool,
    quiet: bool,
    verbose: bool,
    no_cache: bool,
    jobs: int | None,
    lock_timeout: float,
) -> None:
    """Build the deck as cards build does, then deliver it into Anki and reconcile it.

    Into a running Anki through the AnkiConnect add-on, or straight into the collection
    while Anki is closed (a backup is made first). Then, on the notes this tool made
    only: cards whose fact vanished are tagged cards::retired and suspended (or
    deleted), returning ones revived, cards whose deck changed moved. Exit codes as
    build's, plus 4 (Anki not reachable, collection in use) and 5 (Anki refused).
    """
    from .deliver.sync import Options, deliver_output, dry_build, plan_lines, probe
    from .deliver.sync import summary as sync_summary
    from .deliver.target import DeliveryError
    from .pipeline.lock import LockTimeout
    from .pipeline.progress import BuildProgress

    choice = _choice(paths, anki_connect, api_key, collection, profile)
    config = _config(paths, deck=deck, density=density)
    output = _output(paths, output, config)
    options = Options(delete_retired=delete_retired, dry_run=dry_run, ankiweb=ankiweb, force=force)
    kwargs: dict[str, Any] = dict(
        deck=deck, config=config, templates_dir=templates_dir, jobs=jobs, lock_timeout=lock_timeout
    )
    try:
        probe(choice, options)  # before the build: a stopped Anki or a wrong profile is told at once
        with ExitStack() as stack:
            if dry_run:
                result = stack.enter_context(dry_build(paths, output, cache=not no_cache, **kwargs))
            else:
                with BuildProgress(enabled=None if not quiet else False) as progress:
                    result = build(
                        list(paths), output, cache=not no_cache, progress=progress, on_wait=_waiting(quiet), **kwargs
                    )
            report_problems(result.collected, quiet=quiet, verbose=verbose)
            if not quiet and not dry_run:
                echo(summary(result))
            delivery = deliver_output(
                output, choice, options, confirm=_confirm_delete(yes), lock_timeout=lock_timeout, apkg=result.output
            )
    except LockTimeout as exc:
        echo(f"Error: {exc}", err=True)
        sys.exit(3)
    except KeyboardInterrupt:
        echo("interrupted; the sync did not finish (the next one completes it)", err=True)
        sys.exit(130)
    except DeliveryError as exc:
        echo(f"Error: {exc}", err=True)
        sys.exit(exc.code)
    except (CardsError, ConfigError) as exc:
        raise click.ClickException(str(exc)) from None
    if not quiet or dry_run:
        echo(sync_summary(delivery, output))
    if dry_run:
        for line in plan_lines(delivery):
            echo(line)
    if result.collected.errors:
        sys.exit(1)


@main.command()
@paths_argument
@deck_option
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the cards as a JSON list, one object per Anki card (schema in the README).",
)
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a self-contained HTML page of every card, as Anki shows it.",
)
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Only cards of this kind (repeatable).")
@click.option("--note", help="Only notes whose path matches this glob (e.g. 'lectures/*.md').")
@click.option("--grep", help="Only cards whose text contains this (case-insensitive).")
@click.option("--changed", is_flag=True, help="Show what a rebuild of -o OUTPUT would add, update and retire.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The deck to compare with (--changed) and take card ids from (default: cards.toml's output).",
)
@click.option(
    "--templates",
    "templates_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A folder whose card faces / CSS override the shipped ones.",
)
@click.option(
    "--pager/--no-pager",
    default=None,
    help="Page the terminal view (default: only when it is longer than the terminal).",
)
@verbose_option
@click.option(
    "--explain",
    is_flag=True,
    help="Also list the candidate cards a quality rule dropped, with the rule and why (terminal and --json).",
)
@density_option
def preview(
    paths: tuple[Path, ...],
    deck: str | None,
    density: str | None,
    as_json: bool,
    html_file: Path | None,
    kinds: tuple[str, ...],
    note: str | None,
    grep: str | None,
    changed: bool,
    output: Path | None,
    templates_dir: Path | None,
    pager: bool | None,
    verbose: bool,
    explain: bool,
) -> None:
    """Show the cards notes under PATHS give, before building a deck.

    Neither the deck nor its state is written: only the --html pages, and the cache
    of the deck a build would write (in the user cache folder), which makes the next
    preview of unchanged notes quick. With --explain, also why a fact gave no card:
    every candidate a quality rule dropped.
    """

    if sum((as_json, html_file is not None, changed)) > 1:
        raise click.UsageError("--json, --html and --changed each choose an output; use one of them")
    _check_templates(templates_dir)
    config = _config(paths, deck=deck, density=density)
    if output is None and config is not None and config.output is not None:
        output = config.output
    if changed and output is None:
        raise click.UsageError("--changed compares with the last build of a deck: pass -o OUT.apkg")
    from .pipeline.cache import deck_fingerprint
    from .pipeline.reading import read_vault

    target = _output(
        paths, output, config
    )  # whose cache and state the preview reads (it writes neither deck nor state)
    roots = [p if p.is_dir() else p.parent for p in paths]
    with read_vault(list(paths), target, deck=deck, config=config) as reading:
        collected = reading.collected
        report_problems(collected, verbose=verbose)
        if (as_json or html_file is not None) and not explain and not grep:
            from .preview.json_view import file_uri, note_view, view_objects, write_json

            roots_key = "\n".join(str(p.resolve()) for p in roots)  # the file:// links name the folders

            def make(path: str, found: Sequence[Card], guids: Sequence[str]) -> bytes:
                return note_view(found, guids, uri=file_uri(path, roots), templates_dir=templates_dir)

            views = reading.views(f"json/{deck_fingerprint(templates_dir)}/{roots_key}", make)
            if as_json:
                write_json(views, sys.stdout, kinds=kinds, note=note)
            else:
                assert html_file is not None
                from .preview.html_page import write_html_pages

                held = list(views)  # counted first: each page links to the others
                total = sum(1 for _ in view_objects(held, kinds=kinds, note=note))
                objects = ({**obj, "media": collected.media} for obj in view_objects(held, kinds=kinds, note=note))
                _wrote(html_file, total, write_html_pages(objects, total, html_file, templates_dir=templates_dir))
        else:
            _preview_cards(
                paths,
                reading.collected,
                target,
                deck=deck,
                config=config,
                as_json=as_json,
                html_file=html_file,
                kinds=kinds,
                note=note,
                grep=grep,
                changed=changed,
                templates_dir=templates_dir,
                pager=pager,
                explain=explain,
                roots=roots,
            )
    if collected.errors:
        sys.exit(1)


def _preview_cards(
    paths: Sequence[Path],
    collected: Collected,
    target: Path,
    *,
    deck: str | None,
    config: Config | None,
    as_json: bool,
    html_file: Path | None,
    kinds: tuple[str, ...],
    note: str | None,
    grep: str | None,
    changed: bool,
    templates_dir: Path | None,
    pager: bool | None,
    explain: bool,
    roots: list[Path],
) -> None:
    """Every preview but the plain ``--json``: from the cards themselves."""
    from rich.console import Console

    from .preview.json_view import card_objects, select
    from .preview.terminal import print_cards, print_changes, print_dropped

    identified = identify_cards(collected, target, now=build_time())
    cards = select(identified.cards, kinds=kinds, note=note, grep=grep)
    dropped = _explained(paths, deck, config, kinds=kinds, note=note, grep=grep) if explain else None
    if as_json and dropped is not None:
        from .preview.json_view import JSON_VERSION, dropped_objects

        objects = {
            "version": JSON_VERSION,
            "cards": card_objects(cards, templates_dir=templates_dir, roots=roots),
            "dropped": dropped_objects(dropped),
        }
        click.echo(json.dumps(objects, ensure_ascii=False, indent=2))
    elif as_json:
        click.echo(
            json.dumps(card_objects(cards, templates_dir=templates_dir, roots=roots), ensure_ascii=False, indent=2)
        )
    elif html_file is not None:
        from .preview.html_page import write_html_preview

        _wrote(
            html_file,
            *write_html_preview(cards, html_file, media=collected.media, templates_dir=templates_dir, roots=roots),
        )
    else:
        console = Console(highlight=False)
        if changed:
            known = state_path(target).exists()
            _show(
                console,
                pager,
                lambda c: print_changes(
                    c, identified, target, known=known, kinds=kinds, note=note, grep=grep, roots=roots
                ),
            )
        else:

            def draw(c: Console) -> None:
                print_cards(c, cards, roots=roots, scores=dropped is not None)
                if dropped is not None:
                    print_dropped(c, dropped, roots=roots)

            _show(console, pager, draw)


def _wrote(html_file: Path, count: int, pages: int) -> None:
    if pages == 1:
        echo(f"wrote {html_file} ({count} cards)")
        return
    from .preview.html_page import page_path

    echo(
        f"wrote {html_file} ({count} cards on {pages} pages: {html_file.name}, {page_path(html_file, 2).name} … "
        f"{page_path(html_file, pages).name})"
    )


def _explained(
    paths: Sequence[Path],
    deck: str | None,
    config: Config | None,
    *,
    kinds: Sequence[str],
    note: str | None,
    grep: str | None,
) -> list[Explained]:
    """The dropped candidates under ``paths`` that pass the preview's filters."""
    from fnmatch import fnmatch

    from .pipeline.explain import explain

    wanted = (grep or "").casefold()
    return [
        d
        for d in explain(list(paths), deck=deck, config=config)
        if (not kinds or d.kind in kinds)
        and (note is None or fnmatch(d.path, note) or fnmatch(d.path.rsplit("/", 1)[-1], note))
        and (not wanted or wanted in f"{d.front} {d.answer}".casefold())
    ]


def _show(console: Console, pager: bool | None, draw: Callable[[Console], None]) -> None:
    """Draw to the terminal, through a pager if asked or if a terminal view is taller than the screen."""
    if pager is False or not console.is_terminal:
        draw(console)
        return
    with console.capture() as capture:
        draw(console)
    text = capture.get()
    if pager or text.count("\n") >= console.height:
        click.echo_via_pager(text)
    else:
        click.echo(text, nl=False, color=True)
