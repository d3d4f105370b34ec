"""The ``cards`` command: thin click commands over cards.build and cards.preview.

Exit codes: 0 all notes built; 1 some note had an error (the others were still built
and written); 2 usage errors (click's own).
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console

from .build import BuildResult, Collected, build, collect
from .config import KINDS, Config, ConfigError, load_config
from .errors import CardsError
from .preview import card_objects, print_cards, select
from .state import State, identify, state_path

CONTEXT = {"help_option_names": ["-h", "--help"]}
log = logging.getLogger("cards")

paths_argument = click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
deck_option = click.option("--deck", help="Root deck name (default: cards.toml's deck, else the folder's name).")


class _Echo(logging.Handler):
    """Warnings raised outside a note (state file, config) reach the user as ``Warning: ...``."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"Warning: {record.getMessage()}", err=True)


def _setup_logging() -> None:
    if not any(isinstance(h, _Echo) for h in log.handlers):
        log.addHandler(_Echo(logging.WARNING))
    log.propagate = False


def _config(paths: Sequence[Path], **flags: object) -> Config | None:
    """The first vault's cards.toml with flags applied (None lets each vault load its own)."""
    if len(paths) != 1:
        return None
    root = paths[0] if paths[0].is_dir() else paths[0].parent
    try:
        return load_config(root).with_overrides(**flags)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def report_problems(collected: Collected, *, quiet: bool = False) -> None:
    for warning in collected.warnings:
        click.echo(f"Warning: {warning}", err=True)
    for error in collected.errors:
        click.echo(f"Error: {error}", err=True)
    if not quiet:
        for result in collected.results:
            if result.reflowed:
                click.echo(f"{result.path}: line breaks were lost; structure restored by reflow", err=True)


def summary(result: BuildResult) -> str:
    collected, changes = result.collected, result.changes
    kinds = Counter(c.kind for c in collected.cards)
    by_kind = ", ".join(f"{kinds[k]} {k}" for k in sorted(kinds)) or "no cards"
    notes = len(collected.results)
    errors = len(collected.errors)
    status = f"wrote {result.output}" if result.written else f"{result.output} is up to date"
    reflowed = sum(r.reflowed for r in collected.results)
    return (
        f"{notes} notes ({errors} with errors{f', {reflowed} reflowed' if reflowed else ''}) -> "
        f"{len(collected.cards)} cards ({by_kind}); "
        f"{len(changes.added)} added, {len(changes.updated)} updated, {len(changes.retired)} retired; {status}"
    )


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="cards")
def main() -> None:
    """Turn a folder of Markdown notes into Anki flashcards, and keep the deck in step."""
    _setup_logging()


@main.command()
@paths_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="The .apkg to write (default: cards.toml's output, else <folder>.apkg).")
@deck_option
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, exists=True, path_type=Path), help="A folder whose card faces / CSS override the shipped ones.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
def build_cmd(paths: tuple[Path, ...], output: Path | None, deck: str | None, templates_dir: Path | None, quiet: bool) -> None:
    """Build an Anki deck (.apkg) from notes under PATHS.

    Re-importing a rebuilt deck updates the cards already in Anki and keeps their
    reviews. Notes with errors are reported and left out; the rest is still built
    (exit code 1).
    """
    config = _config(paths, deck=deck)
    output = output or (config.output if config and config.output else Path(f"{(paths[0] if paths[0].is_dir() else paths[0].parent).resolve().name}.apkg"))
    try:
        result = build(list(paths), output, deck=deck, config=config, templates_dir=templates_dir)
    except (CardsError, ConfigError) as exc:
        raise click.ClickException(str(exc)) from None
    report_problems(result.collected, quiet=quiet)
    if not quiet:
        click.echo(summary(result))
    if result.collected.errors:
        sys.exit(1)


build_cmd.name = "build"


@main.command()
@paths_argument
@deck_option
@click.option("--json", "as_json", is_flag=True, help="Print the cards as a JSON list (schema in the README).")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), help="Write a self-contained HTML page of every card, as Anki shows it.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Only cards of this kind (repeatable).")
@click.option("--note", help="Only notes whose path matches this glob (e.g. 'lectures/*.md').")
@click.option("--grep", help="Only cards whose text contains this (case-insensitive).")
@click.option("--changed", is_flag=True, help="Show what a rebuild of -o OUTPUT would add, update and retire.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="The deck whose last build --changed compares with.")
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, exists=True, path_type=Path), help="A folder whose card faces / CSS override the shipped ones.")
def preview(
    paths: tuple[Path, ...], deck: str | None, as_json: bool, html_file: Path | None, kinds: tuple[str, ...],
    note: str | None, grep: str | None, changed: bool, output: Path | None, templates_dir: Path | None,
) -> None:
    """Show the cards notes under PATHS give, before building a deck."""
    config = _config(paths, deck=deck)
    collected = collect(list(paths), deck=deck, config=config)
    if output is None and config is not None and config.output is not None:
        output = config.output
    previous = State.load(state_path(output)) if output is not None else State()
    identified = identify(collected.cards, previous, now=0)
    cards = select(identified.cards, kinds=kinds, note=note, grep=grep)
    console = Console(stderr=False, highlight=False, soft_wrap=False)
    report_problems(collected)
    if as_json:
        click.echo(json.dumps(card_objects(cards, templates_dir=templates_dir), ensure_ascii=False, indent=2))
    elif html_file is not None:
        from .preview_html import write_html_preview

        count = write_html_preview(cards, html_file, media=collected.media, templates_dir=templates_dir)
        click.echo(f"wrote {html_file} ({count} cards)")
    elif changed:
        _print_changes(console, identified, output, previous)
    else:
        print_cards(console, cards, templates_dir=templates_dir)
    if collected.errors:
        sys.exit(1)


def _print_changes(console: Console, identified: object, output: Path | None, previous: State) -> None:
    from .state import Identified

    assert isinstance(identified, Identified)
    if output is None or not previous.entries:
        where = output or "this deck"
        click.echo(f"no earlier build of {where} is known (pass -o OUT.apkg of a deck built by this version); every card would be added")
    changes = identified.changes
    cards = {c.guid: c for c in identified.cards}
    for label, guids in (("added", changes.added), ("updated", changes.updated)):
        for guid in guids:
            card = cards[guid]
            click.echo(f"{label:8} {card.kind:8} {card.source}  {card.identity.split(chr(31))[0][:70]}")
    for entry in changes.retired_entries:
        click.echo(f"{'retired':8} {entry.kind:8} {entry.path}  {entry.identity.split(chr(31))[0][:70]}")
    click.echo(f"{len(changes.added)} added, {len(changes.updated)} updated, {len(changes.retired)} retired, {len(changes.unchanged)} unchanged")
