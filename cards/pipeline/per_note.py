"""One note -> its cards: reflow, parse, extract, with problems caught and located.

``process_note`` is the per-note pipeline. It touches no file but the images it looks
up, so the cache can store its result and worker processes can run it in parallel.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote

from ..config import Config, load_config
from ..deck.rows import Row, card_of
from ..errors import CardsError
from ..judge.vault import NO_RECURRENCE, Recurrence
from ..model import Card, Note, Source
from ..notes.blocks import BlockText
from ..notes.layout import Layout, load_layout
from ..notes.media import MediaIndex
from ..notes.plugins import Plugins, load_plugins
from ..notes.read import NoteFile, find_notes

if TYPE_CHECKING:
    from ..judge import Dropped, Verdicts

# The parser, extractors and renderer load only when a note is parsed (process_note):
# a build that finds nothing changed never imports them.


log = logging.getLogger("cards")
_SCRIPT = re.compile(r"<\s*script\b", re.IGNORECASE)


class NoteResult:
    """What one note gave: its cards (as rows, see deck/rows.py), or the error that stopped
    it, and its warnings. ``cards`` makes the Card objects on first use.

    ``skipped``: why the note has nothing to learn (judge/notes.py), e.g. ``journal (in
    Logseq's journals folder)``; such a note gives no card, or only the cards its author
    wrote (``#card``, ``Q::A``, …) for a journal, a task list or a table of contents.

    ``below``: how many of its candidates the score left out (their keep-probability was
    below the density's threshold), for the build's summary line."""

    __slots__ = ("path", "rows", "error", "warnings", "reflowed", "skipped", "below", "_cards")

    def __init__(
        self,
        path: PurePosixPath,
        rows: tuple[Row, ...] = (),
        error: str | None = None,
        warnings: tuple[str, ...] = (),
        reflowed: bool = False,
        skipped: str | None = None,
        below: int = 0,
    ) -> None:
        self.path = path
        self.below = below
        self.rows = rows
        self.error = error
        self.warnings = warnings
        self.reflowed = reflowed
        self.skipped = skipped
        self._cards: tuple[Card, ...] | None = None

    @property
    def cards(self) -> tuple[Card, ...]:
        if self._cards is None:
            self._cards = tuple(card_of(row, self.path) for row in self.rows)
        return self._cards

    def _fields(self) -> tuple[object, ...]:
        return (self.path, self.rows, self.error, self.warnings, self.reflowed, self.skipped, self.below)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoteResult) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"NoteResult(path={self.path!r}, cards={len(self.rows)}, error={self.error!r}, "
            f"warnings={self.warnings!r}, reflowed={self.reflowed}, skipped={self.skipped!r})"
        )


@dataclass(frozen=True, slots=True)
class Vault:
    """One PATH given to the CLI: its root folder, config and root deck name."""

    root: Path
    config: Config
    deck: str
    obsidian: bool
    plugins: Plugins = field(default_factory=Plugins)
    #: its journals and templates folders (part of every note's cache key)
    layout: Layout = field(default_factory=Layout)

    @classmethod
    def open(cls, path: Path, *, deck: str | None = None, config: Config | None = None) -> Vault:
        root = path if path.is_dir() else path.parent
        config = config if config is not None else load_config(root)
        name = deck or config.deck or root.resolve().name or "cards"
        return cls(root, config, name, (root / ".obsidian").is_dir(), load_plugins(root), load_layout(root))

    def notes(self, single: Path | None = None, *, skip: Collection[PurePosixPath] = ()) -> list[NoteFile]:
        """The vault's notes (or just ``single``); ``skip``: vault-relative paths never read."""
        if single is not None and single.is_file():
            return [NoteFile(self.root, PurePosixPath(single.name))]
        return find_notes(self.root, include=self.config.is_included, skip=skip, layout=self.layout)

    def inside(self, paths: Iterable[Path]) -> tuple[PurePosixPath, ...]:
        """Those of ``paths`` that lie inside the vault, vault-relative."""
        root = self.root.resolve()
        return tuple(
            PurePosixPath(p.relative_to(root).as_posix())
            for p in (Path(os.path.abspath(q)).resolve() for q in paths)
            if p.is_relative_to(root) and p != root
        )

    @property
    def line_breaks(self) -> bool:
        """Whether a soft line break shows as a line break on a card (notes/layout.py)."""
        return self.layout.line_breaks(obsidian=self.obsidian)

    def folder_tags(self, path: PurePosixPath) -> tuple[str, ...]:
        folder = "::".join(path.parent.parts)
        return (folder,) if folder else ()

    def source_link(self, source: Source) -> str:
        if not self.obsidian:
            return ""
        file = source.path.with_suffix("").as_posix() if source.path.suffix == ".md" else source.path.as_posix()
        return f"obsidian://open?vault={quote(self.root.resolve().name)}&file={quote(file)}"


class WarningCapture(logging.Handler):
    """Collects the warnings logged while one note is processed, for its result."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass(slots=True)
class Judged:
    """One note's candidates, judged (judge.Verdicts), with what the note is: its tree,
    whether its line breaks were restored, and why it has nothing to learn (None: it has)."""

    note: Note
    verdicts: Verdicts
    reflowed: bool
    skipped: str | None
    #: the note's images, each looked up once (extract.Context.resolve): for rendering
    resolve: Callable[[str], str | None]


def judge_text(
    vault: Vault,
    note: NoteFile,
    text: str,
    media: MediaIndex,
    blocks: BlockText | None = None,
    *,
    explain: bool = False,
    recurrence: Recurrence | None = None,
    score: bool = True,
) -> Judged | tuple[bool, str]:
    """Text of one note -> its candidates, judged: read → reflow → parse → skip →
    extract → judge, as DESIGN.md's data flow. A note that gives nothing at all (it opted
    out, a template) is not extracted unless ``explain`` asks what it would have given:
    then (reflowed, why) comes back instead. ``blocks``: the text of a block by its id,
    for ``((block refs))`` (notes/blocks.py). ``recurrence``: how often the note's lines
    recur in its vault (judge/vault.py; None: as in no other note); ``score=False`` keeps
    every candidate that breaks no hard rule, unscored (the training set). Problems are
    logged or raised as CardsError."""
    from ..deck.render import shows_missing_block
    from ..extract import Context, candidates
    from ..judge import judge_note
    from ..judge.notes import skip_note
    from ..notes.parse import parse_note
    from ..notes.reflow import reflow

    _warn_script(note, text)
    flowed = reflow(text)
    config = vault.config
    parsed = parse_note(
        flowed.text,
        note.path,
        deck=config.deck_for_folder(note.path.parent, vault.deck),
        reflowed=flowed.reflowed,
        warn=lambda e: log.warning("%s", e),
        blocks=blocks,
        logseq=vault.layout.logseq,
    )
    skip = skip_note(parsed, layout=vault.layout, only_tagged=config.only_tagged)  # its own tags, not its folder's
    why, written = (note.skipped, False) if note.skipped else (str(skip), skip.written) if skip else (None, True)
    if why is not None and not written and not explain:
        return flowed.reflowed, why  # nothing comes: no need to extract
    parsed.tags = _note_tags(vault, note.path, parsed.tags)
    ctx = Context(
        resolve_image=media.resolver(note.path, text),
        plugins=vault.plugins,
        root_deck=vault.deck,
        line_breaks=vault.line_breaks,
    )
    verdicts = judge_note(
        candidates(parsed, ctx, config.kinds),
        skipped=why,
        keeps_written=written,
        shows_missing=shows_missing_block,
        recurrence=recurrence or NO_RECURRENCE,
        density=config.density,
        score=score,
        explain=explain,
    )
    return Judged(parsed, verdicts, flowed.reflowed, why, ctx.resolve)


def note_cards(
    vault: Vault,
    note: NoteFile,
    text: str,
    media: MediaIndex,
    dropped: list[Dropped] | None = None,
    blocks: BlockText | None = None,
    recurrence: Recurrence | None = None,
) -> tuple[list[Card], bool, str | None, int]:
    """Text of one note -> its cards (the kept candidates, rendered), whether its line
    breaks were restored, why it has nothing to learn (judge/notes.py; None: it has),
    and how many candidates the score left out.
    ``dropped`` collects the candidates left out, with the rule and why (for ``preview
    --explain``): the judge's, ``nothing_to_learn`` for the mined candidates of a skipped
    note, ``missing_block`` for a card that would show a Logseq block the graph lacks."""
    from ..deck.render import Renderer, render_card
    from ..judge import SCORE

    judged = judge_text(vault, note, text, media, blocks, explain=dropped is not None, recurrence=recurrence)
    if not isinstance(judged, Judged):
        return [], *judged, 0
    if dropped is not None:
        dropped.extend(judged.verdicts.dropped)
    parsed = judged.note
    renderer = Renderer(resolve_image=judged.resolve, line_breaks=vault.line_breaks)
    cards = [
        render_card(
            c,
            renderer,
            note_deck=parsed.deck,
            note_tags=parsed.tags,
            note_title=parsed.title,
            source_link=vault.source_link(c.source),
            score=probability,
        )
        for c, probability in zip(judged.verdicts.kept, judged.verdicts.scores)
    ]
    if judged.reflowed:
        cards = [_at_line_one(c) for c in cards]
    below = sum(1 for d in judged.verdicts.dropped if d.rule == SCORE)
    return cards, judged.reflowed, judged.skipped, below


def _warn_script(note: NoteFile, text: str) -> None:
    script = _SCRIPT.search(text)
    if script:
        line = text.count("\n", 0, script.start()) + 1
        log.warning(
            "%s",
            CardsError(Source(note.path, line), "raw <script> never reaches a card: it is shown as text or left out"),
        )


def _note_tags(vault: Vault, path: PurePosixPath, own: tuple[str, ...]) -> tuple[str, ...]:
    """A note's tags: its folder's, then its own, cleaned (and prefixed, as cards.toml says)."""
    from ..notes.parse import clean_tag

    tags = tuple(dict.fromkeys(t for t in map(clean_tag, (*vault.folder_tags(path), *own)) if t))
    prefix = vault.config.tag_prefix
    return tuple(dict.fromkeys(_prefixed(t, prefix) for t in tags)) if prefix else tags


def process_note(
    vault: Vault,
    note: NoteFile,
    text: str,
    media: MediaIndex,
    blocks: BlockText | None = None,
    recurrence: Recurrence | None = None,
) -> NoteResult:
    """Text of one note -> its cards. Problems become messages that name file and line.

    ``blocks``: the text of a Logseq block by its id (notes/blocks.py), for the note's
    ``((block refs))``; a card whose question or answer would show one the graph lacks is
    left out. ``recurrence``: how often the note's lines recur in its vault (the score's
    vault features; None: in no other note).
    """
    from ..deck.rows import row_of, shared

    capture = WarningCapture()
    # The note's warnings travel in its result (the CLI prints them once, after the
    # build); other handlers would print them a second time while it runs.
    handlers, log.handlers = log.handlers, [capture]
    log.propagate, propagate = False, log.propagate
    try:
        cards, reflowed, skipped, below = note_cards(vault, note, text, media, blocks=blocks, recurrence=recurrence)
        rows = shared(tuple(row_of(c) for c in cards))
        return NoteResult(note.path, rows, None, tuple(capture.messages), reflowed, skipped, below)
    except CardsError as error:
        return NoteResult(note.path, (), str(error), tuple(capture.messages))
    except RecursionError:
        return NoteResult(
            note.path,
            (),
            str(CardsError(Source(note.path, 1), "nested too deeply to parse; flatten the deepest lists")),
            tuple(capture.messages),
        )
    finally:
        log.handlers = handlers
        log.propagate = propagate


def _prefixed(tag: str, prefix: str) -> str:
    return f"{prefix}::{tag}" if prefix and not tag.startswith(prefix + "::") else tag


def _at_line_one(card: Card) -> Card:
    """A reflowed note is one line on disk: every card comes from line 1 of it."""
    return replace(card, source=Source(card.source.path, 1))
