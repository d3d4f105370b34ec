"""The pipeline as a library: paths in, cards (and a deck) out.

read -> reflow -> parse -> extract per note (``process_note``, pure apart from image
lookups), then identify and package for the whole deck. The CLI is a thin layer over
``collect`` and ``build``; a script can call them the same way.
"""

from __future__ import annotations

import logging
import re
import time
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from .config import Config, load_config
from .errors import CardsError
from .extract import Context, extract_cards
from .media import MediaIndex
from .model import Card, Source
from .package import write_apkg
from .parse import parse_note
from .read import NoteFile, find_notes, read_note
from .reflow import reflow
from .render import Renderer
from .state import Changes, Identified, State, identify, state_path

log = logging.getLogger("cards")
_SCRIPT = re.compile(r"<\s*script\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class NoteResult:
    """What one note gave: its cards, or the error that stopped it, and its warnings."""

    path: PurePosixPath
    cards: tuple[Card, ...] = ()
    error: str | None = None
    warnings: tuple[str, ...] = ()
    reflowed: bool = False


@dataclass(frozen=True, slots=True)
class Vault:
    """One PATH given to the CLI: its root folder, config and root deck name."""

    root: Path
    config: Config
    deck: str
    obsidian: bool

    @classmethod
    def open(cls, path: Path, *, deck: str | None = None, config: Config | None = None) -> Vault:
        root = path if path.is_dir() else path.parent
        config = config if config is not None else load_config(root)
        name = deck or config.deck or root.resolve().name or "cards"
        return cls(root, config, name, (root / ".obsidian").is_dir())

    def notes(self, single: Path | None = None) -> list[NoteFile]:
        if single is not None and single.is_file():
            return [NoteFile(self.root, PurePosixPath(single.name))]
        return find_notes(self.root, include=self.config.is_included)

    def folder_tags(self, path: PurePosixPath) -> tuple[str, ...]:
        folder = "::".join(path.parent.parts)
        return (folder,) if folder else ()

    def source_link(self, source: Source) -> str:
        if not self.obsidian:
            return ""
        file = source.path.with_suffix("").as_posix() if source.path.suffix == ".md" else source.path.as_posix()
        return f"obsidian://open?vault={quote(self.root.resolve().name)}&file={quote(file)}"


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def process_note(vault: Vault, note: NoteFile, text: str, media: MediaIndex) -> NoteResult:
    """Text of one note -> its cards. Problems become messages that name file and line."""
    capture = _Capture()
    log.addHandler(capture)
    log.propagate, propagate = False, log.propagate
    try:
        flowed = reflow(text)
        script = _SCRIPT.search(text)
        if script:
            line = text.count("\n", 0, script.start()) + 1
            log.warning("%s", CardsError(Source(note.path, line), "raw <script> is not allowed on a card; it is shown as text"))
        config = vault.config
        deck = config.deck_for_folder(note.path.parent, vault.deck)
        tags = tuple(_prefixed(t, config.tag_prefix) for t in vault.folder_tags(note.path))
        parsed = parse_note(flowed.text, note.path, deck=deck, tags=tags, reflowed=flowed.reflowed,
                            warn=lambda e: log.warning("%s", e))
        if config.tag_prefix:
            parsed.tags = tuple(dict.fromkeys(_prefixed(t, config.tag_prefix) for t in parsed.tags))
        ctx = Context(renderer=Renderer(resolve_image=media.resolver(note.path, text)), source_link=vault.source_link)
        cards = extract_cards(parsed, kinds=config.kinds, ctx=ctx)
        if flowed.reflowed:
            cards = [_at_line_one(c) for c in cards]
        return NoteResult(note.path, tuple(cards), None, tuple(capture.messages), flowed.reflowed)
    except CardsError as error:
        return NoteResult(note.path, (), str(error), tuple(capture.messages))
    except RecursionError:
        return NoteResult(note.path, (), str(CardsError(Source(note.path, 1), "nested too deeply to parse; flatten the deepest lists")), tuple(capture.messages))
    finally:
        log.removeHandler(capture)
        log.propagate = propagate


def _prefixed(tag: str, prefix: str) -> str:
    return f"{prefix}::{tag}" if prefix and not tag.startswith(prefix + "::") else tag


def _at_line_one(card: Card) -> Card:
    """A reflowed note is one line on disk: every card comes from line 1 of it."""
    from dataclasses import replace

    return replace(card, source=Source(card.source.path, 1))


@dataclass(slots=True)
class Collected:
    """Every note's result, in path order, and the images the cards use."""

    results: list[NoteResult] = field(default_factory=list)
    media: dict[str, Path] = field(default_factory=dict)

    @property
    def cards(self) -> list[Card]:
        return [c for r in self.results for c in r.cards]

    @property
    def errors(self) -> list[str]:
        return [r.error for r in self.results if r.error]

    @property
    def warnings(self) -> list[str]:
        return [w for r in self.results for w in r.warnings]

    def by_kind(self) -> Counter[str]:
        return Counter(c.kind for c in self.cards)


def collect(paths: Sequence[Path], *, deck: str | None = None, config: Config | None = None) -> Collected:
    """Read, reflow, parse and extract every note under ``paths``."""
    collected = Collected()
    for path in paths:
        vault = Vault.open(path, deck=deck, config=config)
        media = MediaIndex(vault.root)
        for note in vault.notes(path if path.is_file() else None):
            try:
                text = read_note(note)
            except CardsError as error:
                collected.results.append(NoteResult(note.path, error=str(error)))
                continue
            collected.results.append(process_note(vault, note, text, media))
        collected.media.update(media.files)
    return collected


@dataclass(frozen=True, slots=True)
class BuildResult:
    collected: Collected
    identified: Identified
    output: Path
    written: bool  # False when the deck on disk was already this deck

    @property
    def changes(self) -> Changes:
        return self.identified.changes


def identify_cards(collected: Collected, output: Path | None, *, now: int | None = None) -> Identified:
    """GUIDs and modification times against the state of the last build of ``output``."""
    previous = State.load(state_path(output)) if output is not None else State()
    failed = frozenset(r.path.as_posix() for r in collected.results if r.error)
    return identify(collected.cards, previous, now=now or build_time(), keep_paths=failed)


def build_time() -> int:
    """Now, or ``SOURCE_DATE_EPOCH`` for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return int(epoch) if epoch and epoch.isdigit() else int(time.time())


def build(
    paths: Sequence[Path],
    output: Path,
    *,
    deck: str | None = None,
    config: Config | None = None,
    now: int | None = None,
    templates_dir: Path | None = None,
    collected: Collected | None = None,
) -> BuildResult:
    """Build the deck at ``output`` and the state beside it; skip the write when unchanged."""
    collected = collected or collect(paths, deck=deck, config=config)
    identified = identify_cards(collected, output, now=now)
    changes = identified.changes
    unchanged = not (changes.added or changes.updated or changes.retired)
    written = False
    if not (unchanged and output.exists() and state_path(output).exists()):
        media = {name: path for name, path in collected.media.items() if any(name in c.media for c in identified.cards)}
        write_apkg(identified.cards, identified.mods, output, media=media, templates_dir=templates_dir)
        identified.state.save(state_path(output))
        written = True
    return BuildResult(collected, identified, output, written)
