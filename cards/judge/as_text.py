"""A candidate written as plain text: what the rules' examples and fixtures are made of.

A rule reads a candidate's text (its :class:`~cards.model.View`), its kind and note type,
its breadcrumb and its facts, never its pieces, so a candidate given as text is judged
exactly as one a kind proposed.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePosixPath
from typing import Any

from .. import model
from ..model import BASIC, CLOZE, GAP, Candidate, Cell, Facts, Source, TableShape, View


def candidate_of(
    kind: str,
    front: str,
    hidden: str = "",
    back: str = "",
    *,
    crumbs: tuple[str, ...] = (),
    model: str | None = None,
    facts: Facts | None = None,
    written: bool = False,
    path: str = "note.md",
    line: int = 1,
) -> Candidate:
    """A candidate of ``kind`` that reads ``front`` (its gap as ``[...]``, hiding
    ``hidden``) and ``back``; a cloze when the front has a gap, unless ``model`` says.

    >>> c = candidate_of("phrases", "Cells make [...].", "ATP")
    >>> c.model, c.view.rest
    ('cloze', 'Cells make  .')
    """
    return Candidate(
        kind=kind,
        model=model or (CLOZE if GAP in front else BASIC),
        front=(),
        back=(),
        view=View(front, hidden, back),
        crumbs=crumbs,
        identity=f"{front}\x1f{hidden}",
        source=Source(PurePosixPath(path), line),
        written=written,
        facts=facts,
    )


def facts_to_json(facts: Facts | None) -> dict[str, Any] | None:
    """A candidate's facts as JSON, named by their type (what candidate dumps keep).

    >>> facts_to_json(model.Asked("term"))
    {'Asked': {'form': 'term'}}
    """
    return None if facts is None else {type(facts).__name__: dataclasses.asdict(facts)}


def facts_from_json(value: dict[str, Any] | None) -> Facts | None:
    """Facts from :func:`facts_to_json` (a table's cells may give their text alone).

    >>> facts_from_json({"Opening": {"sentence": "It stores energy."}})
    Opening(sentence='It stores energy.')
    """
    if not value:
        return None
    ((name, fields),) = value.items()
    kind = getattr(model, name)
    args: dict[str, Any] = {}
    for f in dataclasses.fields(kind):
        if f.name in fields:
            found = fields[f.name]
            if kind is TableShape and f.name == "body":
                found = tuple(tuple(_cell(cell) for cell in row) for row in found)
            elif isinstance(found, list):
                found = tuple(found)
            args[f.name] = found
    facts: Facts = kind(**args)
    return facts


def _cell(value: dict[str, Any]) -> Cell:
    text = value["text"]
    return Cell(
        text,
        value.get("empty", not text),
        value.get("links_only", False),
        value.get("image_only", False),
        value.get("math", False),
    )
