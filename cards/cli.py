"""The ``cards`` command: thin click commands over cards.build and cards.preview.

Exit codes: 0 all notes built; 1 some note had an error (the others were still built
and written); 2 usage errors (click's own).
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import click
from rich.console import Console

from .build import BuildResult, Collected, build, build_time, collect, identify_cards
from .config import KINDS, Config, ConfigError, load_config
from .errors import CardsError
from .preview import card_objects, print_changes, print_cards, select
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
@click.option("--json", "as_json", is_flag=True, help="Print the cards as a JSON list, one object per Anki card (schema in the README).")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), help="Write a self-contained HTML page of every card, as Anki shows it.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Only cards of this kind (repeatable).")
@click.option("--note", help="Only notes whose path matches this glob (e.g. 'lectures/*.md').")
@click.option("--grep", help="Only cards whose text contains this (case-insensitive).")
@click.option("--changed", is_flag=True, help="Show what a rebuild of -o OUTPUT would add, update and retire.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="The deck to compare with (--changed) and take card ids from (default: cards.toml's output).")
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, exists=True, path_type=Path), help="A folder whose card faces / CSS override the shipped ones.")
@click.option("--pager/--no-pager", default=None, help="Page the terminal view (default: only when it is longer than the terminal).")
def preview(
    paths: tuple[Path, ...], deck: str | None, as_json: bool, html_file: Path | None, kinds: tuple[str, ...],
    note: str | None, grep: str | None, changed: bool, output: Path | None, templates_dir: Path | None,
    pager: bool | None,
) -> None:
    """Show the cards notes under PATHS give, before building a deck.

    Nothing is written except the --html page: not the deck, not its state.
    """
    if sum((as_json, html_file is not None, changed)) > 1:
        raise click.UsageError("--json, --html and --changed each choose an output; use one of them")
    config = _config(paths, deck=deck)
    collected = collect(list(paths), deck=deck, config=config)
    if output is None and config is not None and config.output is not None:
        output = config.output
    if changed and output is None:
        raise click.UsageError("--changed compares with the last build of a deck: pass -o OUT.apkg")
    identified = identify_cards(collected, output, now=build_time())
    cards = select(identified.cards, kinds=kinds, note=note, grep=grep)
    roots = [p if p.is_dir() else p.parent for p in paths]
    report_problems(collected)
    if as_json:
        click.echo(json.dumps(card_objects(cards, templates_dir=templates_dir, roots=roots), ensure_ascii=False, indent=2))
    elif html_file is not None:
        from .preview_html import write_html_preview

        count = write_html_preview(cards, html_file, media=collected.media, templates_dir=templates_dir, roots=roots)
        click.echo(f"wrote {html_file} ({count} cards)")
    else:
        console = Console(highlight=False)
        if changed:
            assert output is not None
            known = state_path(output).exists()
            _show(console, pager, lambda c: print_changes(c, identified, output, known=known, kinds=kinds, note=note, grep=grep, roots=roots))
        else:
            _show(console, pager, lambda c: print_cards(c, cards, roots=roots))
    if collected.errors:
        sys.exit(1)


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
