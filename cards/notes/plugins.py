"""The settings of the flashcard plugins a vault already uses, read from ``.obsidian/``.

A user coming from another tool has told that tool how their cards are written: the
Obsidian Spaced Repetition plugin keeps its separators and cloze options in
``.obsidian/plugins/obsidian-spaced-repetition/data.json`` (under ``settings``), and
Obsidian_to_Anki keeps its markers and options in
``.obsidian/plugins/obsidian-to-anki-plugin/data.json``. Those settings beat our
defaults: a vault whose Spaced Repetition settings turn bold clozes off gets no bold
cloze from ``cards`` either. Without the files, each plugin's documented defaults hold.

A file that cannot be read or is not JSON is reported once and the defaults are used:
a broken plugin setting never stops a build.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import CardsError
from ..model import Source
from ..untrusted import SETTINGS_LIMIT, UnsafeFile, read_in_vault

log = logging.getLogger("cards")

OSR_SETTINGS = PurePosixPath(".obsidian/plugins/obsidian-spaced-repetition/data.json")
O2A_SETTINGS = PurePosixPath(".obsidian/plugins/obsidian-to-anki-plugin/data.json")


@dataclass(frozen=True, slots=True)
class SpacedRepetition:
    """What the Obsidian Spaced Repetition plugin's settings say about card syntax.

    ``found``: the vault has the plugin's settings file (the plugin is installed).
    ``cloze_patterns``: the plugin's cloze patterns (``==[123;;]answer[;;hint]==``); the
    plugin's own settings file holds them, or they follow from its three ``convert…``
    switches (highlights on, bold and curly braces off by default).
    """

    found: bool = False
    single: str = "::"
    single_reversed: str = ":::"
    multi: str = "?"
    multi_reversed: str = "??"
    end_marker: str = ""
    highlights: bool = True
    bold: bool = False
    curly: bool = False
    cloze_patterns: tuple[str, ...] = ("==[123;;]answer[;;hint]==",)
    tags: tuple[str, ...] = ("#flashcards",)
    folders_to_decks: bool = False
    comment_on_same_line: bool = False


@dataclass(frozen=True, slots=True)
class ObsidianToAnki:
    """What the Obsidian_to_Anki plugin's settings say about card syntax."""

    found: bool = False
    begin: str = "START"
    end: str = "END"
    begin_inline: str = "STARTI"
    end_inline: str = "ENDI"
    target_deck: str = "TARGET DECK"
    file_tags: str = "FILE TAGS"
    delete: str = "DELETE"
    frozen: str = "FROZEN"
    curly_cloze: bool = False
    highlights_to_clozes: bool = False
    #: note type name -> field names, as the plugin last read them from Anki
    fields: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class Plugins:
    """The flashcard plugins' settings of one vault (part of every note's cache key)."""

    osr: SpacedRepetition = field(default_factory=SpacedRepetition)
    o2a: ObsidianToAnki = field(default_factory=ObsidianToAnki)

    @property
    def bold_clozes(self) -> bool:
        """Whether ``**bold**`` may be a cloze in this vault (mined or written)."""
        return not self.osr.found or self.osr.bold or _pattern_uses(self.osr.cloze_patterns, "**")

    @property
    def highlight_clozes(self) -> bool:
        """Whether ``==highlight==`` may be a cloze in this vault (mined or written)."""
        return not self.osr.found or self.osr.highlights or _pattern_uses(self.osr.cloze_patterns, "==")


def _pattern_uses(patterns: tuple[str, ...], delimiter: str) -> bool:
    return any(p.startswith(delimiter) for p in patterns)


def load_plugins(root: Path) -> Plugins:
    """The plugins' settings of the vault at ``root`` (their defaults where absent)."""
    return Plugins(osr=_osr(_read(root, OSR_SETTINGS)), o2a=_o2a(_read(root, O2A_SETTINGS)))


def _read(root: Path, rel: PurePosixPath) -> dict[str, Any] | None:
    path = root / rel
    try:
        data = json.loads(read_in_vault(root, path, limit=SETTINGS_LIMIT)[0])
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, UnsafeFile) else type(exc).__name__
        log.warning(
            "%s", CardsError(Source(rel, 1), f"cannot read the plugin's settings ({why}); its defaults are used")
        )
        return {}
    return data if isinstance(data, dict) else {}


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _text(value: object, default: str) -> str:
    return value if isinstance(value, str) else default


def _flag(value: object, default: bool) -> bool:
    return value if isinstance(value, bool) else default


def _osr(data: dict[str, Any] | None) -> SpacedRepetition:
    if data is None:
        return SpacedRepetition()
    settings = _section(data, "settings") or data
    base = SpacedRepetition()
    highlights = _flag(settings.get("convertHighlightsToClozes"), base.highlights)
    bold = _flag(settings.get("convertBoldTextToClozes"), base.bold)
    curly = _flag(settings.get("convertCurlyBracketsToClozes"), base.curly)
    patterns = settings.get("clozePatterns")
    if isinstance(patterns, list) and all(isinstance(p, str) for p in patterns):
        chosen = tuple(p for p in patterns if p.strip())
    else:
        chosen = tuple(
            pattern
            for pattern, on in (
                ("==[123;;]answer[;;hint]==", highlights),
                ("**[123;;]answer[;;hint]**", bold),
                ("{{[123;;]answer[;;hint]}}", curly),
            )
            if on
        )
    tags = settings.get("flashcardTags")
    return SpacedRepetition(
        found=True,
        single=_text(settings.get("singleLineCardSeparator"), base.single),
        single_reversed=_text(settings.get("singleLineReversedCardSeparator"), base.single_reversed),
        multi=_text(settings.get("multilineCardSeparator"), base.multi),
        multi_reversed=_text(settings.get("multilineReversedCardSeparator"), base.multi_reversed),
        end_marker=_text(settings.get("multilineCardEndMarker"), base.end_marker).strip(),
        highlights=highlights,
        bold=bold,
        curly=curly,
        cloze_patterns=chosen,
        tags=tuple(t for t in tags if isinstance(t, str) and t.strip()) if isinstance(tags, list) else base.tags,
        folders_to_decks=_flag(settings.get("convertFoldersToDecks"), base.folders_to_decks),
        comment_on_same_line=_flag(settings.get("cardCommentOnSameLine"), base.comment_on_same_line),
    )


def _o2a(data: dict[str, Any] | None) -> ObsidianToAnki:
    if data is None:
        return ObsidianToAnki()
    settings = _section(data, "settings")
    syntax = _section(settings, "Syntax")
    defaults = _section(settings, "Defaults")
    base = ObsidianToAnki()
    raw_fields = _section(data, "fields_dict")
    fields = tuple(
        sorted(
            (str(name), tuple(str(f) for f in names)) for name, names in raw_fields.items() if isinstance(names, list)
        )
    )
    return ObsidianToAnki(
        found=True,
        begin=_text(syntax.get("Begin Note"), base.begin).strip() or base.begin,
        end=_text(syntax.get("End Note"), base.end).strip() or base.end,
        begin_inline=_text(syntax.get("Begin Inline Note"), base.begin_inline).strip() or base.begin_inline,
        end_inline=_text(syntax.get("End Inline Note"), base.end_inline).strip() or base.end_inline,
        target_deck=_text(syntax.get("Target Deck Line"), base.target_deck).strip() or base.target_deck,
        file_tags=_text(syntax.get("File Tags Line"), base.file_tags).strip() or base.file_tags,
        delete=_text(syntax.get("Delete Note Line"), base.delete).strip() or base.delete,
        frozen=_text(syntax.get("Frozen Fields Line"), base.frozen).strip() or base.frozen,
        curly_cloze=_flag(defaults.get("CurlyCloze"), base.curly_cloze),
        highlights_to_clozes=_flag(defaults.get("CurlyCloze - Highlights to Clozes"), base.highlights_to_clozes),
        fields=fields,
    )
