"""Which folders of a vault hold journals and templates, as the vault's own app says,
and how the app breaks a paragraph's lines.

Why: a daily note, a journal page or a template has nothing to learn, and the app the
notes are written in already knows where they live. Obsidian keeps the daily notes'
folder in ``.obsidian/daily-notes.json`` (``{"folder": "Journal"}``; the Periodic
Notes plugin in ``.obsidian/plugins/periodic-notes/data.json``) and the templates'
folder in ``.obsidian/templates.json`` (and Templater's in
``.obsidian/plugins/templater-obsidian/data.json``, ``templates_folder``). A Logseq
graph (``logseq/config.edn`` at its root, or ``pages/`` beside ``journals/``) keeps
its journal pages in ``journals/`` unless ``:journals-directory`` says otherwise, hides
the folders of ``:hidden``, and keeps backups of pages under ``logseq/`` (``bak/``),
which are never notes. Obsidian's ``.obsidian/app.json`` says whether a single newline
inside a paragraph is only a space (``"strictLineBreaks": true``, as CommonMark reads
it) or shows as a line break (its default). Nothing here reads a note: this is the vault's shape, read once
per build (and part of every note's cache key, since it decides what a note gives).

A settings file that cannot be read or is not JSON counts as absent: the build goes
on without it, as the app would with its defaults.

>>> layout = Layout(
...     journals=(("journals", "Logseq's journals folder"),),
...     templates=(("Templates", "the templates folder of .obsidian/templates.json"),),
... )
>>> layout.journal(PurePosixPath("journals/2024_01_02.md"))
"in Logseq's journals folder"
>>> layout.template(PurePosixPath("Templates/Daily.md"))
'in the templates folder of .obsidian/templates.json'
>>> layout.template(PurePosixPath("notes/Templates.md")) is None
True
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..untrusted import SETTINGS_LIMIT, read_in_vault

__all__ = ["Layout", "load_layout"]

DAILY_NOTES = PurePosixPath(".obsidian/daily-notes.json")
PERIODIC_NOTES = PurePosixPath(".obsidian/plugins/periodic-notes/data.json")
TEMPLATES = PurePosixPath(".obsidian/templates.json")
TEMPLATER = PurePosixPath(".obsidian/plugins/templater-obsidian/data.json")
LOGSEQ_CONFIG = PurePosixPath("logseq/config.edn")
APP = PurePosixPath(".obsidian/app.json")

#: A folder and what it is, as it will be reported ("Logseq's journals folder").
Folder = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Layout:
    """The folders a vault's app keeps for journals, templates and itself.

    Folders are vault-relative posix paths without a trailing slash. ``logseq`` is True
    for a Logseq graph; ``ignored`` are folders that hold no notes at all (Logseq's own
    ``logseq/``), skipped silently like ``.obsidian/``; ``hidden`` are folders the app
    hides (Logseq's ``:hidden``), skipped and reported. ``strict_line_breaks``: Obsidian's
    setting of that name is on (:meth:`line_breaks`).
    """

    logseq: bool = False
    journals: tuple[Folder, ...] = ()
    templates: tuple[Folder, ...] = ()
    hidden: tuple[Folder, ...] = ()
    ignored: tuple[str, ...] = ()
    strict_line_breaks: bool = False

    def line_breaks(self, *, obsidian: bool) -> bool:
        """Whether a soft line break (a single newline inside a paragraph) shows as a
        line break, as the vault's app shows it: in a Logseq graph (a block's lines) and
        in an Obsidian vault (``obsidian``: it has ``.obsidian/``) unless its
        ``strictLineBreaks`` is on; anywhere else it is a space, as CommonMark reads it
        (a hard-wrapped paragraph of a plain Markdown folder reads as one paragraph).

        >>> Layout().line_breaks(obsidian=True), Layout(strict_line_breaks=True).line_breaks(obsidian=True)
        (True, False)
        >>> Layout().line_breaks(obsidian=False), Layout(logseq=True).line_breaks(obsidian=False)
        (False, True)
        """
        return self.logseq or (obsidian and not self.strict_line_breaks)

    def journal(self, path: PurePosixPath) -> str | None:
        """Why the note at ``path`` is a journal page, or None."""
        return _within(path, self.journals)

    def template(self, path: PurePosixPath) -> str | None:
        """Why the note at ``path`` is a template, or None."""
        return _within(path, self.templates)

    def hidden_by_app(self, path: PurePosixPath) -> str | None:
        """Why the app hides the note at ``path``, or None."""
        return _within(path, self.hidden)

    def is_ignored(self, folder: PurePosixPath) -> bool:
        """Whether the walk skips ``folder`` without a word (it holds the app's files)."""
        return folder.as_posix() in self.ignored


def _within(path: PurePosixPath, folders: tuple[Folder, ...]) -> str | None:
    text = path.as_posix()
    for folder, what in folders:
        if folder == "" or text.startswith(folder + "/"):
            return f"in {what}"
    return None


def load_layout(root: Path) -> Layout:
    """The layout of the vault at ``root`` (a Logseq graph, an Obsidian vault, or neither)."""
    journals: list[Folder] = []
    templates: list[Folder] = []
    hidden: list[Folder] = []
    ignored: list[str] = []
    config = _read_text(root, root / LOGSEQ_CONFIG)
    logseq = config is not None or ((root / "pages").is_dir() and (root / "journals").is_dir())
    if logseq:
        edn = _without_comments(config or "")
        folder = _folder(_edn_string(edn, "journals-directory")) or "journals"
        journals.append(
            (
                folder,
                "Logseq's journals folder"
                if folder == "journals"
                else f"the journals folder of {LOGSEQ_CONFIG} (:journals-directory)",
            )
        )
        hidden.extend((f, f"a folder {LOGSEQ_CONFIG} hides (:hidden)") for f in _edn_strings(edn, "hidden") if f)
        if config is not None:
            ignored.append("logseq")  # config.edn, custom.css, bak/ (copies of pages), version-files/
    daily = _read_json(root, root / DAILY_NOTES)
    if daily is not None:
        folder = _folder(daily.get("folder"))
        if folder:
            journals.append((folder, f"the daily notes folder of {DAILY_NOTES}"))
    periodic = _read_json(root, root / PERIODIC_NOTES)
    if periodic is not None:
        for period in ("daily", "weekly", "monthly", "quarterly", "yearly"):
            settings = periodic.get(period)
            if isinstance(settings, dict) and settings.get("enabled", True) is not False:
                folder = _folder(settings.get("folder"))
                if folder:
                    journals.append((folder, f"the {period} notes folder of the Periodic Notes plugin"))
    for rel, key, what in (
        (TEMPLATES, "folder", f"the templates folder of {TEMPLATES}"),
        (TEMPLATER, "templates_folder", "Templater's templates folder"),
    ):
        data = _read_json(root, root / rel)
        folder = _folder(data.get(key)) if data is not None else ""
        if folder:
            templates.append((folder, what))
    app = _read_json(root, root / APP)
    strict = app is not None and app.get("strictLineBreaks") is True
    return Layout(logseq, _unique(journals), _unique(templates), _unique(hidden), tuple(ignored), strict)


def _unique(folders: list[Folder]) -> tuple[Folder, ...]:
    seen: dict[str, str] = {}
    for folder, what in folders:
        seen.setdefault(folder, what)
    return tuple(sorted(seen.items()))


def _folder(value: object) -> str:
    """A settings value as a vault-relative folder (``"/Journal/"`` -> ``Journal``);
    "" for none, for the vault root and for a path that leaves the vault."""
    if not isinstance(value, str):
        return ""
    parts = [p for p in value.replace("\\", "/").split("/") if p not in ("", ".")]
    if ".." in parts:
        return ""
    return "/".join(parts)


def _read_text(root: Path, path: Path) -> str | None:
    """A settings file of the vault, read as untrusted (notes/untrusted.py); None when
    it is missing, unreadable or refused."""
    try:
        data, _ = read_in_vault(root, path, limit=SETTINGS_LIMIT)
    except OSError:
        return None
    return data.decode("utf-8", errors="replace")


def _read_json(root: Path, path: Path) -> dict[str, Any] | None:
    text = _read_text(root, path)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


# EDN, as little of it as the three settings need: Logseq's config.edn is a map of
# keywords; comments run from ";" to the end of the line (outside strings).
_EDN_COMMENT = re.compile(r'"(?:[^"\\]|\\.)*"|;[^\n]*')
_EDN_STRING = r'"((?:[^"\\]|\\.)*)"'


def _without_comments(edn: str) -> str:
    return _EDN_COMMENT.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", edn)


def _edn_string(edn: str, key: str) -> str | None:
    match = re.search(rf":{re.escape(key)}\s+{_EDN_STRING}", edn)
    return match.group(1) if match else None


def _edn_strings(edn: str, key: str) -> list[str]:
    """The folders of a vector of strings (``:hidden ["/archived" "drafts"]``)."""
    match = re.search(rf":{re.escape(key)}\s+\[([^\]]*)\]", edn)
    if not match:
        return []
    return [_folder(s) for s in re.findall(_EDN_STRING, match.group(1))]
