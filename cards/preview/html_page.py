"""Cards -> one self-contained HTML page that shows every card as Anki will.

``cards preview --html out.html`` exists so a user can check a deck before importing
it. The page is only honest if it uses the deck's own templates and CSS, so faces come
from :func:`cards.preview.faces.render_faces` (which matches Anki's renderer byte for byte)
and the deck's ``style.css`` is inlined unchanged. The page must open anywhere,
offline, from a file: no CDN, no network; local images are embedded as ``data:`` URIs.
One ``<article class="card">`` per Anki card, with ``.front`` and ``.back`` children.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cards.deck.notetypes import NOTE_TYPES
from cards.preview.faces import FaceError, cloze_ordinals, render_faces
from cards.deck.templating import preview_environment

__all__ = ["PREVIEW_TEMPLATE", "embed_media", "render_html"]

PREVIEW_TEMPLATE = "preview.html.j2"

# an <img>/<source>/... src or data attribute: quoted either way or bare, as Anki finds them
_MEDIA_ATTR = re.compile(
    r"""(?P<head><(?:img|audio|video|source|object)\b[^>]*?\b(?:src|data)\s*=\s*)"""
    r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s>"']+))""",
    re.IGNORECASE,
)
_FALLBACK_MIME = {".webp": "image/webp", ".svg": "image/svg+xml", ".avif": "image/avif"}


def _data_uri(path: Path) -> str:
    """The file as a ``data:`` URI, so the page needs nothing beside itself."""
    mime = mimetypes.guess_type(path.name)[0] or _FALLBACK_MIME.get(
        path.suffix.lower(), "application/octet-stream"
    )
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def embed_media(fragment: str, media: Mapping[str, str | Path]) -> str:
    """Rewrite ``src="name"`` of known media names to data URIs; leave others alone.

    Names are compared after decoding entities because a field may spell
    ``a&amp;b.png``; a file that cannot be read is left as a (broken) reference
    rather than failing the whole preview.
    """
    if not media:
        return fragment
    cache: dict[str, str | None] = {}

    def uri_for(name: str) -> str | None:
        if name not in cache:
            path = media.get(html.unescape(name))
            try:
                cache[name] = _data_uri(Path(path)) if path is not None else None
            except OSError:
                cache[name] = None
        return cache[name]

    def replace(match: re.Match[str]) -> str:
        name = match.group("dq") or match.group("sq") or match.group("bare") or ""
        uri = uri_for(name)
        if uri is None:
            return match.group(0)
        return f'{match.group("head")}"{uri}"'

    return _MEDIA_ATTR.sub(replace, fragment)


def _source_text(card: Mapping[str, Any]) -> str:
    source = card.get("source") or {}
    if isinstance(source, Mapping):
        path, line = source.get("path", ""), source.get("line")
        return f"{path}:{line}" if line else str(path)
    return str(source)


def _ordinals(card: Mapping[str, Any]) -> list[int]:
    """Which Anki cards this note makes: given, or every cloze number, or card 1."""
    if card.get("ordinal"):
        return [int(card["ordinal"])]
    if card.get("note_type") == "cloze" and not (card.get("question") and card.get("answer")):
        return cloze_ordinals(*card.get("fields", {}).values()) or [1]
    if card.get("note_type") in NOTE_TYPES and not (card.get("question") and card.get("answer")):
        return list(range(1, len(NOTE_TYPES[card["note_type"]].templates) + 1))
    return [1]


def _faces(
    card: Mapping[str, Any], ordinal: int, templates_dir: Path | None
) -> tuple[str, str, str]:
    """(question, answer, error) for one Anki card; precomputed faces win."""
    if card.get("question") and card.get("answer"):
        return card["question"], card["answer"], ""
    try:
        question, answer = render_faces(
            card.get("note_type", "cloze"), card.get("fields", {}), ordinal, templates_dir
        )
    except FaceError as exc:
        return "", "", f"Anki would show an error on this card: {exc}"
    return question, answer, ""


def _views(card: Mapping[str, Any], templates_dir: Path | None) -> list[dict[str, Any]]:
    """What the page template needs, one dict per Anki card of this note."""
    media = card.get("media") or {}
    views = []
    for ordinal in _ordinals(card):
        question, answer, error = _faces(card, ordinal, templates_dir)
        views.append(
            {
                "kind": card.get("kind", ""),
                "note_type": card.get("note_type", ""),
                "guid": card.get("guid", ""),
                "deck": card.get("deck", ""),
                "tags": list(card.get("tags", ())),
                "ordinal": ordinal,
                "question": embed_media(question, media),
                "answer": embed_media(answer, media),
                "error": error,
                "source_link": card.get("source_link", ""),
                "source_text": _source_text(card),
            }
        )
    return views


def _inline_css(css: str) -> str:
    """CSS safe to put inside ``<style>``: a ``</style`` in it would end the element."""
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)


def render_html(
    cards: Sequence[Mapping[str, Any]],
    css: str,
    *,
    title: str = "Cards preview",
    lang: str = "en",
    templates_dir: Path | None = None,
) -> str:
    """The whole preview page for ``cards`` (dicts as ``cards preview --json`` prints).

    A card dict gives ``note_type`` and ``fields`` (faces are rendered here), or
    ready ``question``/``answer`` HTML; ``media`` maps a field's bare file name to
    an absolute path to embed. A cloze note with several numbers becomes several
    articles, one per Anki card, unless the dict names its ``ordinal``.
    """
    from markupsafe import Markup

    views = [view for card in cards for view in _views(card, templates_dir)]
    template = preview_environment(templates_dir).get_template(PREVIEW_TEMPLATE)
    return template.render(
        cards=views,
        deck_css=Markup(_inline_css(css)),
        title=title,
        lang=lang,
    )


def write_html_preview(
    cards: Sequence[Any],
    path: Path,
    *,
    media: Mapping[str, Path],
    templates_dir: Path | None = None,
    title: str = "Cards preview",
    roots: Sequence[Path] = (),
) -> int:
    """Render ``cards`` (model Cards) to one offline page at ``path``; return the card count."""
    from cards.preview.json_view import card_objects
    from cards.atomic import write_atomic
    from cards.deck.templating import deck_css

    objects = card_objects(cards, templates_dir=templates_dir, media=dict(media), roots=roots)
    page = render_html(objects, deck_css(templates_dir), title=title, templates_dir=templates_dir)
    write_atomic(path, page.encode("utf-8"))
    return len(objects)
