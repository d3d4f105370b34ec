"""Find and load the template files: Anki card faces, deck CSS, the preview page.

The Anki templates (``templates/anki/*.html`` and ``style.css``) are loaded as raw
text and never go through jinja2: jinja would silently turn ``{{Back}}`` into an
empty string. Only ``preview.html.j2`` is a jinja2 template.

Where the files live:

* an installed wheel ships the top-level ``templates/`` folder as
  ``cards/templates/`` (hatchling ``force-include``), found with
  ``importlib.resources``;
* a source checkout or editable install has it beside the package, at
  ``<repo>/templates/``;
* a user's override directory (``--templates DIR``) wins per file, so a user can
  copy one face and leave the rest alone. It may mirror our layout
  (``DIR/anki/cloze_front.html``) or be flat (``DIR/cloze_front.html``).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from .notetypes import NOTE_TYPES, note_type

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "ANKI_DIR",
    "CSS_FILE",
    "MODEL_FILES",
    "TemplateNotFound",
    "anki_template",
    "deck_css",
    "model_templates",
    "preview_environment",
    "read_template",
    "templates_root",
]

ANKI_DIR = "anki"
CSS_FILE = "style.css"

# note type -> (question file, answer file) of its first card. The Anki template
# *names* and the other cards' files are in notetypes.py.
MODEL_FILES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {key: (kind.templates[0].front, kind.templates[0].back) for key, kind in NOTE_TYPES.items()}
)


class TemplateNotFound(FileNotFoundError):
    """A template file is in neither the override directory nor the shipped set."""


def templates_root(templates_dir: Path | None = None) -> Traversable | Path:
    """The folder holding the shipped templates (or ``templates_dir`` if given).

    Tries the wheel layout first because an installed package must never pick up a
    stray ``templates/`` folder from the current directory; then the checkout layout.
    """
    if templates_dir is not None:
        return Path(templates_dir)
    return _shipped_root()


def _shipped_root() -> Traversable | Path:
    """The shipped ``templates/`` folder: in the wheel, else in the source tree."""
    try:
        packaged = files("cards") / "templates"
        if packaged.is_dir():
            return packaged
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - odd importers
        pass
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if checkout.is_dir():
        return checkout
    raise TemplateNotFound(
        f"cards templates not found: neither {files('cards')}/templates nor {checkout} "
        "exists; reinstall cards or pass --templates DIR"
    )


def _candidates(relpath: str, templates_dir: Path | None) -> list[Traversable | Path]:
    """Where ``relpath`` may be, best first: the override (mirrored, then flat), then ours."""
    found: list[Traversable | Path] = []
    if templates_dir is not None:
        override = Path(templates_dir)
        found.append(override / relpath)
        flat = relpath.rsplit("/", 1)[-1]
        if flat != relpath:
            found.append(override / flat)
    root = _shipped_root()
    found.append(root.joinpath(*relpath.split("/")))
    return found


def read_template(relpath: str, templates_dir: Path | None = None) -> str:
    """Text of a template file given by its path under ``templates/`` (``anki/style.css``).

    Read as UTF-8 with any BOM dropped and CRLF normalised, because a user's editor
    may add either and Anki would show the BOM as a stray character.
    """
    for candidate in _candidates(relpath, templates_dir):
        if candidate.is_file():
            text = candidate.read_text(encoding="utf-8-sig")
            return text.replace("\r\n", "\n")
    raise TemplateNotFound(f"template {relpath!r} not found")


def anki_template(name: str, templates_dir: Path | None = None) -> str:
    """Raw text of one Anki file by its name in ``templates/anki/`` (``cloze_front.html``)."""
    return read_template(f"{ANKI_DIR}/{name}", templates_dir)


def model_templates(model: str, templates_dir: Path | None = None, card: int = 0) -> tuple[str, str]:
    """``(qfmt, afmt)`` of card ``card`` (0-based) of a note type, as package.py and
    preview/faces.py both need them."""
    template = note_type(model).templates[card]
    return anki_template(template.front, templates_dir), anki_template(template.back, templates_dir)


def deck_css(templates_dir: Path | None = None) -> str:
    """The CSS every note type of the deck shares (and the preview reuses)."""
    return anki_template(CSS_FILE, templates_dir)


def preview_environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """A jinja2 Environment for ``preview.html.j2`` that honours the override directory.

    ``autoescape`` because card text reaches the page only through ``|safe`` where we
    mean it; ``StrictUndefined`` so a typo in a template fails instead of rendering
    an empty string. (jinja2 is imported here: only the preview page needs it.)
    """
    import jinja2

    def load(name: str) -> str:
        try:
            return read_template(name, templates_dir)
        except TemplateNotFound:
            raise jinja2.TemplateNotFound(name) from None

    return jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def template_files() -> tuple[str, ...]:
    """Every file a ``--templates DIR`` may override, by its path under ``templates/``
    (it may also sit flat in DIR: ``DIR/cloze_front.html``)."""
    faces = {name: None for kind in NOTE_TYPES.values() for t in kind.templates for name in (t.front, t.back)}
    return (*(f"{ANKI_DIR}/{name}" for name in [*faces, CSS_FILE]), "preview.html.j2")


def check_templates(templates_dir: Path) -> list[str]:
    """What is wrong with a ``--templates`` folder, as warnings: each file in it that
    cards never reads (a typo in its name would otherwise be ignored silently), and a
    folder that overrides nothing at all."""
    known = set(template_files())
    flat = {name.rsplit("/", 1)[-1] for name in known}
    used: list[str] = []
    unknown: list[str] = []
    for path in sorted(templates_dir.rglob("*")):
        rel = path.relative_to(templates_dir).as_posix()
        if not path.is_file() or any(part.startswith(".") for part in rel.split("/")):
            continue
        (used if rel in known or rel in flat else unknown).append(rel)
    names = ", ".join(sorted(known))
    warnings = [
        f"{templates_dir / rel}: --templates reads no file of this name (it reads {names}); ignored" for rel in unknown
    ]
    if not used:
        warnings.append(
            f"{templates_dir}: holds none of the files --templates reads ({names}); the shipped ones are used"
        )
    return warnings
