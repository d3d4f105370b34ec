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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cards.deck.notetypes import NOTE_TYPES
from cards.deck.templating import preview_environment
from cards.preview.faces import FaceError, cloze_ordinals, render_faces

__all__ = ["PAGE_SIZE", "PREVIEW_TEMPLATE", "embed_media", "page_path", "render_html", "write_html_pages"]

PREVIEW_TEMPLATE = "preview.html.j2"
#: Anki cards on one page. Why pages: a 3,000-note vault made one 73 MB page that a
#: browser could not open within two minutes; a page of 1,000 cards is a few MB.
PAGE_SIZE = 1000

# an <img>/<source>/... src or data attribute: quoted either way or bare, as Anki finds them
_MEDIA_ATTR = re.compile(
    r"""(?P<head><(?:img|audio|video|source|object)\b[^>]*?\b(?:src|data)\s*=\s*)"""
    r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s>"']+))""",
    re.IGNORECASE,
)
_FALLBACK_MIME = {".webp": "image/webp", ".svg": "image/svg+xml", ".avif": "image/avif"}


def _data_uri(path: Path) -> str:
    """The file as a ``data:`` URI, so the page needs nothing beside itself."""
    mime = mimetypes.guess_type(path.name)[0] or _FALLBACK_MIME.get(path.suffix.lower(), "application/octet-stream")
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


def _faces(card: Mapping[str, Any], ordinal: int, templates_dir: Path | None) -> tuple[str, str, str]:
    """(question, answer, error) for one Anki card; precomputed faces win."""
    if card.get("question") and card.get("answer"):
        return card["question"], card["answer"], ""
    try:
        question, answer = render_faces(card.get("note_type", "cloze"), card.get("fields", {}), ordinal, templates_dir)
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


@dataclass(frozen=True, slots=True)
class Paging:
    """Where a page sits among the pages of one preview (the template's ``paging``)."""

    page: int  # 1-based
    pages: int
    total: int  # Anki cards on every page
    size: int  # cards per page
    prev_href: str
    next_href: str


def render_html(
    cards: Sequence[Mapping[str, Any]],
    css: str,
    *,
    title: str = "Cards preview",
    lang: str = "en",
    templates_dir: Path | None = None,
    paging: Paging | None = None,
) -> str:
    """The whole preview page for ``cards`` (dicts as ``cards preview --json`` prints).

    A card dict gives ``note_type`` and ``fields`` (faces are rendered here), or
    ready ``question``/``answer`` HTML; ``media`` maps a field's bare file name to
    an absolute path to embed. A cloze note with several numbers becomes several
    articles, one per Anki card, unless the dict names its ``ordinal``. ``paging``:
    the page's place among several (links to the others, and how to filter).
    """
    from markupsafe import Markup

    views = [view for card in cards for view in _views(card, templates_dir)]
    template = preview_environment(templates_dir).get_template(PREVIEW_TEMPLATE)
    return template.render(
        cards=views,
        deck_css=Markup(_inline_css(css)),
        title=title,
        lang=lang,
        paging=paging,
    )


def page_path(path: Path, page: int) -> Path:
    """Page ``page`` of the preview written to ``path``: ``preview.html``, then
    ``preview-2.html``, ``preview-3.html`` … beside it."""
    return path if page == 1 else path.with_name(f"{path.stem}-{page}{path.suffix}")


def write_html_pages(
    objects: Iterable[Mapping[str, Any]],
    total: int,
    path: Path,
    *,
    templates_dir: Path | None = None,
    title: str = "Cards preview",
    size: int = PAGE_SIZE,
) -> int:
    """Write ``total`` card objects (as ``--json`` gives them, with ``media``) to
    :func:`page_path` pages of ``size`` cards, each page self-contained; return the
    number of pages. A page is written as soon as its cards are in: only one page's
    cards are held at a time."""
    from cards.atomic import write_atomic
    from cards.deck.templating import deck_css

    css = deck_css(templates_dir)
    pages = max(1, -(-total // size))
    batch: list[Mapping[str, Any]] = []
    page = 1

    def flush() -> None:
        paging = None
        if pages > 1:
            prev_href = page_path(path, page - 1).name if page > 1 else ""
            next_href = page_path(path, page + 1).name if page < pages else ""
            paging = Paging(page, pages, total, size, prev_href, next_href)
        page_title = title if pages == 1 else f"{title} ({page} of {pages})"
        text = render_html(batch, css, title=page_title, templates_dir=templates_dir, paging=paging)
        write_atomic(page_path(path, page), text.encode("utf-8"))

    for obj in objects:
        batch.append(obj)
        if len(batch) == size and page < pages:
            flush()
            batch.clear()
            page += 1
    flush()
    return pages


def write_html_preview(
    cards: Sequence[Any],
    path: Path,
    *,
    media: Mapping[str, Path],
    templates_dir: Path | None = None,
    title: str = "Cards preview",
    roots: Sequence[Path] = (),
) -> tuple[int, int]:
    """Render ``cards`` (model Cards) to offline pages at ``path`` (:func:`write_html_pages`);
    return the Anki cards and the pages written."""
    from cards.preview.json_view import card_objects

    objects = card_objects(cards, templates_dir=templates_dir, media=dict(media), roots=roots)
    return len(objects), write_html_pages(objects, len(objects), path, templates_dir=templates_dir, title=title)
