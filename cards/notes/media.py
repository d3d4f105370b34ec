"""Local images: find them in the vault, refuse what lies outside it, name them safely.

A packaged file is named ``<stem>-<hash of its bytes>.<ext>``: two different images
called ``image.png`` in two folders never collide in Anki's flat media folder, and a
changed image gets a new name, so Anki never keeps showing the old one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from ..errors import CardsError
from ..model import Source
from ..untrusted import read_in_vault

log = logging.getLogger("cards")
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".avif"})


@dataclass(slots=True)
class MediaIndex:
    """All images of one vault; ``files`` maps packaged names to their paths."""

    root: Path
    files: dict[str, Path] = field(default_factory=dict)
    _by_name: dict[str, list[Path]] | None = None
    _names: dict[Path, str] = field(default_factory=dict)
    _located: dict[tuple[PurePosixPath, str], tuple[Path | None, str | None]] = field(default_factory=dict)
    #: sha256 (hex) of an image's bytes; the build passes the cache's, which knows an
    #: unchanged file by its stat (a vault of photos is not read again on every build)
    digest: Callable[[Path], str] | None = None
    _root: Path | None = None

    def _index(self) -> dict[str, list[Path]]:
        """Obsidian's ``![[name.png]]`` may point at a file in any folder of the vault."""
        if self._by_name is None:
            self._by_name = {}
            for dirpath, dirnames, filenames in os.walk(self.root):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if Path(name).suffix.lower() in IMAGE_SUFFIXES:
                        self._by_name.setdefault(name.lower(), []).append(Path(dirpath) / name)
        return self._by_name

    def name_for(self, path: Path) -> str:
        if path not in self._names:
            digest = (
                self.digest(path)
                if self.digest is not None
                else hashlib.sha256(read_in_vault(self.root, path)[0]).hexdigest()
            )[:12]
            stem = re.sub(r"[^\w.-]+", "_", path.stem)[:60] or "image"
            name = f"{stem}-{digest}{path.suffix.lower()}"
            self._names[path] = name
            self.files[name] = path
        return self._names[path]

    def resolver(self, note: PurePosixPath, text: str | Callable[[], str]) -> NoteImages:
        """``text``: the note's text, or a function that reads it (only a warning needs
        it, for its line number)."""
        return NoteImages(self, note, text)

    def locate(self, folder: PurePosixPath, target: str) -> tuple[Path | None, str | None]:
        """The file a note in ``folder`` means by ``target``, or why there is none.

        Remembered for the life of the index (one build): checking the images of
        thousands of cached notes asked the filesystem the same questions again.
        """
        key = (folder, target)
        found = self._located.get(key)
        if found is None:
            found = self._located[key] = self._locate(folder, target)
        return found

    def _locate(self, folder: PurePosixPath, target: str) -> tuple[Path | None, str | None]:
        """Where ``target`` is: beside the note, else from the vault root (Obsidian's
        "shortest path", Logseq's ``/assets/x.png`` and ``assets/x.png``), else, for a
        bare name, anywhere in the vault. A path that lies outside the vault is refused,
        and so is a file whose real path does (a symbolic link out of the vault, found
        by its path or by its bare name), or that is not an image; a missing file is
        "not found", naming where it was looked for.

        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> (root / "assets").mkdir()
        >>> _ = (root / "assets" / "x.png").write_bytes(b"png")
        >>> index = MediaIndex(root)
        >>> [
        ...     index.locate(PurePosixPath("pages"), t)[0] == (root / "assets/x.png").resolve()
        ...     for t in ("../assets/x.png", "/assets/x.png", "assets/x.png")
        ... ]
        [True, True, True]
        >>> index.locate(PurePosixPath("pages"), "../assets/y.png")[1]
        'image not found in the vault (looked for assets/y.png); the card shows its name instead'
        >>> index.locate(PurePosixPath(""), "../y.png")[1]
        'image path leads outside the vault; it is not packaged'
        """
        if self._root is None:
            self._root = self.root.resolve()
        root = self._root
        bare = "/" not in target and "\\" not in target
        if target.startswith("/"):  # Logseq: from the graph's root
            candidates = [root / target.lstrip("/")]
        else:
            candidates = [root / folder / target, root / target]
        looked: list[Path] = []
        for candidate in candidates:
            lexical = Path(os.path.normpath(candidate))
            if not lexical.is_relative_to(root):
                continue  # ../ out of the vault: refused below
            found, problem = self._check(lexical)
            if found is not None or problem is not None:
                return found, problem
            if lexical not in looked:
                looked.append(lexical)
        if bare:
            answers = [
                self._check(root / match.relative_to(self.root)) for match in self._index().get(target.lower(), [])
            ]
            for found, problem in answers:
                if found is not None:
                    return found, None
            if answers:
                return answers[0]
        if not looked:
            return None, "image path leads outside the vault; it is not packaged"
        where = (
            f"{target} in every folder" if bare else " or ".join(path.relative_to(root).as_posix() for path in looked)
        )
        return None, f"image not found in the vault (looked for {where}); the card shows its name instead"

    def _check(self, path: Path) -> tuple[Path | None, str | None]:
        """The file ``path`` (inside the vault, as written) if it may be packaged: a
        regular image file whose real path, links followed, is inside the vault too.
        (None, why) when it is refused; (None, None) when there is no such file.
        """
        assert self._root is not None
        root = self._root
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):  # a loop of links
            resolved = None
        shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        if resolved is None or not resolved.is_relative_to(root):
            if not os.path.lexists(path) and resolved is not None:
                return None, None
            where = f"to {resolved}, outside the vault" if resolved is not None else "that leads nowhere"
            return None, f"{shown} is a symbolic link {where}; it is not packaged"
        if not resolved.is_file():
            return None, None
        if resolved.suffix.lower() not in IMAGE_SUFFIXES:
            return None, "not an image file; it is not packaged"
        return resolved, None


@dataclass(slots=True)
class NoteImages:
    """Resolves the image targets of one note (callable as render.ImageResolver).

    Each warning is logged and also kept in ``warned`` (for the cache, which records
    what every lookup said)."""

    index: MediaIndex
    note: PurePosixPath
    text: str | Callable[[], str]
    warned: list[str] = field(default_factory=list)

    def __call__(self, target: str) -> str | None:
        target = target.strip()
        if re.match(r"^https?://", target, re.IGNORECASE):
            return target
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            self._warn(target, "only local files and http(s) images are shown; this image is left out")
            return None
        clean = unquote(target.split("#")[0].split("?")[0])
        path, problem = self.index.locate(self.note.parent, clean)
        if path is None:
            self._warn(clean, problem or "image not found", written=target)
            return None
        return self.index.name_for(path)

    def _warn(self, target: str, message: str, *, written: str | None = None) -> None:
        if callable(self.text):
            self.text = self.text()
        error = CardsError(Source(self.note, image_line(self.text, written or target, target)), f"{target}: {message}")
        self.warned.append(str(error))
        log.warning("%s", error)


def image_line(text: str, *targets: str) -> int:
    """The line of ``text`` that shows the image ``targets`` name (as written, then as
    understood): where it stands as an image or link target (``](x``, ``[[x``,
    ``src="x"``), else the first line that holds it, else 1.

    >>> image_line(chr(10).join(["see x.png below", "- ![](x.png)"]), "x.png")
    2
    """
    lines = text.splitlines()
    for target in targets:
        shown = re.compile(r"(?:\]\(\s*<?|\[\[|src\s*=\s*[\"']?)" + re.escape(target))
        for number, line in enumerate(lines, 1):
            if target in line and shown.search(line):
                return number
    for target in targets:
        for number, line in enumerate(lines, 1):
            if target in line:
                return number
    return 1
