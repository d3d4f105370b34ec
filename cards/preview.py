"""Cards -> what a person reads before importing: JSON for scripts, rich text for a terminal.

Both go through faces.render_faces, the same rendering Anki applies to our note types,
so the preview's question and answer are the ones Anki will show.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .faces import cloze_ordinals, render_faces
from .model import CLOZE, Card
from .render import card_fields

#: The JSON schema version; bump it only with a documented, breaking change.
JSON_VERSION = 1


def ordinals(card: Card) -> list[int]:
    """The Anki cards a note gives: one per cloze number, or the one basic card."""
    if card.model != CLOZE:
        return [1]
    return sorted(set(cloze_ordinals(card.front))) or [1]


def card_objects(cards: Sequence[Card], *, templates_dir: Path | None = None, media: dict[str, Path] | None = None) -> list[dict[str, Any]]:
    """One JSON-ready object per Anki card (a note with clozes c1 and c2 gives two)."""
    objects = []
    for card in cards:
        fields = card_fields(card)
        for ordinal in ordinals(card):
            question, answer = render_faces(card.model, fields, ordinal, templates_dir)
            obj: dict[str, Any] = {
                "kind": card.kind,
                "note_type": card.model,
                "ordinal": ordinal,
                "fields": fields,
                "question": question,
                "answer": answer,
                "context": list(card.context),
                "note": card.note_title,
                "deck": card.deck,
                "tags": list(card.tags),
                "source": {"path": card.source.path.as_posix(), "line": card.source.line},
                "source_link": card.source_link,
                "guid": card.guid,
            }
            if media is not None:
                obj["media"] = {name: str(media[name]) for name in card.media if name in media}
            objects.append(obj)
    return objects


def select(cards: Iterable[Card], *, kinds: Sequence[str] = (), note: str | None = None, grep: str | None = None) -> list[Card]:
    """The cards the preview filters keep: by kind, by note path glob, by text."""
    needle = grep.casefold() if grep else None
    kept = []
    for card in cards:
        if kinds and card.kind not in kinds:
            continue
        path = card.source.path.as_posix()
        if note and not (fnmatch(path, note) or fnmatch(card.source.path.name, note)):
            continue
        if needle and needle not in plain(card.front + " " + card.back + " " + " ".join(card.context)).casefold():
            continue
        kept.append(card)
    return kept


# ------------------------------------------------------------------ terminal

_GAP = re.compile(r'<span class="cloze"[^>]*>(.*?)</span>', re.S)
_BREAKS = re.compile(r"<br\s*/?>|</p>|</li>|</div>|<hr[^>]*>", re.I)


def plain(fragment: str) -> str:
    text = _BREAKS.sub("\n", fragment)
    text = re.sub(r"<li[^>]*>", "• ", text)
    text = re.sub(r"<img[^>]*src=\"([^\"]*)\"[^>]*>", r"[image \1]", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text).replace("\xa0", " ")
    return re.sub(r"\n\s*\n+", "\n", text).strip()


def _rich(fragment: str, gap_style: str) -> Text:
    out = Text()
    last = 0
    for match in _GAP.finditer(fragment):
        out.append(_inline_plain(fragment[last : match.start()]))
        out.append(_inline_plain(match.group(1)), style=gap_style)
        last = match.end()
    out.append(_inline_plain(fragment[last:]))
    return out


def _inline_plain(fragment: str) -> str:
    """Like plain() but keeps edge spaces, so pieces around a gap join correctly."""
    text = _BREAKS.sub("\n", fragment)
    text = re.sub(r"<li[^>]*>", "• ", text)
    text = re.sub(r"<img[^>]*src=\"([^\"]*)\"[^>]*>", r"[image \1]", text)
    text = html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\xa0", " ")
    return re.sub(r"\n\s*\n+", "\n", text)


def _side(card: Card, fields: dict[str, str], ordinal: int, templates_dir: Path | None) -> tuple[Text, Text]:
    """(question, answer) as terminal text: the gap marked on the front, filled on the back."""
    if card.model == CLOZE:
        question, answer = render_faces(card.model, fields, ordinal, templates_dir)
        q = _rich(_question_part(question), "bold reverse")
        a = _rich(_question_part(answer), "bold green")
        extra = plain(fields["Extra"])
        if extra:
            a.append("\n" + extra, style="dim")
        return q, a
    return Text(plain(fields["Front"])), Text(plain(fields["Back"]))


def _question_part(face: str) -> str:
    """The rendered Text field out of a whole face (the part inside class="question")."""
    match = re.search(r'<div class="question">(.*?)</div>', face, re.S)
    return match.group(1) if match else face


def print_cards(console: Console, cards: Sequence[Card], *, templates_dir: Path | None = None) -> None:
    """Cards grouped by note and section, then a table of counts by kind and note."""
    note = section = None
    for card in cards:
        where = card.source.path.as_posix()
        if where != note:
            note, section = where, None
            console.rule(Text(f"{card.note_title}  ({where})", style="bold"))
        crumbs = " › ".join(card.context[1:]) if len(card.context) > 1 else ""
        if crumbs != section:
            section = crumbs
            if crumbs:
                console.print(Text(crumbs, style="cyan"))
        fields = card_fields(card)
        for ordinal in ordinals(card):
            question, answer = _side(card, fields, ordinal, templates_dir)
            head = Text.assemble((f"[{card.kind}", "magenta"), (f" c{ordinal}" if card.model == CLOZE and ordinal > 1 else "", "magenta"), ("] ", "magenta"))
            link = Text(str(card.source), style="dim")
            if card.source_link:
                link.stylize(f"link {card.source_link}")
            console.print(head + link)
            console.print(Text("  Q: ") + question)
            console.print(Text("  A: ") + answer)
    counts_table(console, cards)


def counts_table(console: Console, cards: Sequence[Card]) -> None:
    kinds = sorted({c.kind for c in cards})
    table = Table(title=f"{sum(len(ordinals(c)) for c in cards)} cards")
    table.add_column("note")
    for kind in kinds:
        table.add_column(kind, justify="right")
    per_note: dict[str, Counter[str]] = {}
    for card in cards:
        per_note.setdefault(card.source.path.as_posix(), Counter())[card.kind] += len(ordinals(card))
    for note, counts in per_note.items():
        table.add_row(note, *(str(counts.get(k, 0)) for k in kinds))
    total = Counter(c.kind for c in cards for _ in ordinals(c))
    table.add_row(Text("total", style="bold"), *(str(total.get(k, 0)) for k in kinds))
    console.print(table)
