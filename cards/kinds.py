"""The card kinds: one record per kind, the one list every other list of kinds comes from.

A kind is a module ``cards/extract/<name>.py`` (its ``extract`` proposes candidates),
a folder of golden notes ``tests/golden/<name>/`` and a README heading; the order here
is the order the kinds run in (earlier kinds win a contested node, extract/__init__.py).
``cards.toml``'s ``[kinds]`` (config.KINDS) and the identity of written cards
(deck/ids.py) read this table; tests/test_registry.py fails when a kind module or a
golden folder is missing from it, or it names one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import CLOZE


@dataclass(frozen=True, slots=True)
class Kind:
    """One card kind.

    ``written``: it reads cards the writer wrote for another tool (every card of it is
    the writer's own, never judged as mined). ``keyed``: how a card's identity (its GUID)
    is keyed: ``"kind"`` by this kind, ``"shape"`` as the mined kind of the same shape
    (a cloze as ``phrases``, a question as ``qa``), so rewriting ``Q::A`` as a question
    bullet with its answer nested under it keeps the card's reviews.
    """

    name: str
    written: bool
    keyed: str = "kind"
    summary: str = ""

    def fact_kind(self, model: str) -> str:
        """The kind a card of this kind and note type is keyed by.

        >>> BY_NAME["osr"].fact_kind("basic"), BY_NAME["o2a"].fact_kind("cloze"), BY_NAME["steps"].fact_kind("cloze")
        ('qa', 'phrases', 'steps')
        """
        if self.keyed == "shape":
            return "phrases" if model == CLOZE else "qa"
        return self.name


#: Every kind, in the order they run: cards written for other tools first (their lines
#: are never mined again), then the mined kinds.
KINDS: tuple[Kind, ...] = (
    Kind("o2a", True, "shape", "Obsidian_to_Anki's START/END blocks and STARTI … ENDI lines"),
    Kind("osr", True, "shape", "Obsidian Spaced Repetition's ::, :::, ?, ?? and its clozes"),
    Kind("details", True, "shape", "an HTML <details> whose <summary> asks"),
    Kind("callouts", True, "shape", "a callout whose title asks a question"),
    Kind("logseq", True, "shape", "a Logseq block tagged #card, and {{cloze}}"),
    Kind("qa", False, summary="Q:/A:, and a bullet whose children answer it"),
    Kind("problems", False, summary="a worked problem or a quoted question and its answer"),
    Kind("figure", False, summary="a bullet that is only an image, with its takeaway under it"),
    Kind("steps", False, summary="a numbered procedure, one cloze per step"),
    Kind("terms", False, summary="a term and its definition"),
    Kind("sections", False, summary="a heading and its one short paragraph"),
    Kind("prose", False, summary="a title or heading over prose, answered by its opening paragraph"),
    Kind("tables", False, summary="a glossary or comparison table, a card per row"),
    Kind("outline", False, summary="a bullet with two or more bullets under it"),
    Kind("defines", False, summary="a sentence that says what a thing is, its name as the gap"),
    Kind("phrases", False, summary="a bold or highlighted phrase in its sentence"),
)
BY_NAME = {kind.name: kind for kind in KINDS}
NAMES: tuple[str, ...] = tuple(BY_NAME)


def fact_kind(kind: str, model: str) -> str:
    """The kind a card's identity is keyed by (see :class:`Kind`); an unknown kind by itself.

    >>> fact_kind("osr", "basic"), fact_kind("o2a", "cloze"), fact_kind("steps", "cloze")
    ('qa', 'phrases', 'steps')
    """
    found = BY_NAME.get(kind)
    return found.fact_kind(model) if found is not None else kind
