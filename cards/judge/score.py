"""The keep-probability of a candidate: a small tree ensemble learned from judged candidates.

``benchmarks/train.py`` fits gradient-boosted trees on the judged set
(benchmarks/labels/judged.tsv: thousands of candidates of many public vaults, graded
good / weak / bad by hand, ../shared/JUDGING.md) and writes them to ``model.json`` beside
this module: the feature names (judge/features.py), the trees as arrays, and the
threshold of each density, fixed from leave-one-repository-out cross-validation. The
score is the probability that a learner keeps the card as it is (graded good).

Loading turns the trees into one Python function (compiled once per process, a few
milliseconds), so a candidate is scored in microseconds without numpy; the same arrays
walked node by node say which features moved the score most (``preview --explain``).
Nothing here is random: the same candidate gets the same score everywhere.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from ..config import DEFAULT_DENSITY, DENSITIES
from .features import NAMES

MODEL_FILE = "model.json"
FORMAT = 1


class ModelError(Exception):
    """The shipped model cannot be used (a broken install): the message says why."""


@dataclass(frozen=True, slots=True)
class Tree:
    """One regression tree as arrays: node ``i`` splits on ``feature[i] <= threshold[i]``
    (left) or not (right); a leaf has ``left[i] == -1``; ``value[i]`` is the node's raw
    output (a leaf's is what the tree adds)."""

    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]

    def path(self, x: Sequence[float]) -> list[int]:
        """The nodes ``x`` passes through, root first."""
        node, found = 0, [0]
        while self.left[node] >= 0:
            node = self.left[node] if x[self.feature[node]] <= self.threshold[node] else self.right[node]
            found.append(node)
        return found


@dataclass(frozen=True, slots=True)
class Model:
    """A trained keep-probability: ``base`` plus the trees' outputs, through a logistic."""

    base: float
    trees: tuple[Tree, ...]
    thresholds: Mapping[str, float]
    about: Mapping[str, Any]
    raw: Callable[[Sequence[float]], float]
    #: the rules the judged set finds right often enough that their objection drops a
    #: candidate at ``few`` and ``normal`` (benchmarks/train.py ``vetoes``); never at ``all``
    vetoes: frozenset[str] = frozenset()

    def probability(self, x: Sequence[float]) -> float:
        return 1.0 / (1.0 + math.exp(-self.raw(x)))

    def threshold(self, density: str) -> float:
        return self.thresholds[density]

    def weighed(self, x: Sequence[float], top: int = 3) -> list[tuple[str, float]]:
        """The features that moved this candidate's score most, with how far (in log-odds,
        positive towards keeping): each split on its path credits its feature with the
        change of the node's output."""
        moved: dict[int, float] = {}
        for tree in self.trees:
            nodes = tree.path(x)
            for parent, child in zip(nodes, nodes[1:]):
                feature = tree.feature[parent]
                moved[feature] = moved.get(feature, 0.0) + tree.value[child] - tree.value[parent]
        ranked = sorted(moved.items(), key=lambda item: -abs(item[1]))[:top]
        return [(NAMES[f], round(v, 2)) for f, v in ranked if abs(v) >= 0.005]


def _source(base: float, trees: Sequence[Tree]) -> str:
    """The trees as one Python function of a feature list (nested ifs, one sum)."""
    lines = ["def raw(x):", f"    s = {base!r}"]

    def emit(tree: Tree, node: int, depth: int) -> None:
        pad = "    " * depth
        if tree.left[node] < 0:
            lines.append(f"{pad}s += {tree.value[node]!r}")
            return
        lines.append(f"{pad}if x[{tree.feature[node]}] <= {tree.threshold[node]!r}:")
        emit(tree, tree.left[node], depth + 1)
        lines.append(f"{pad}else:")
        emit(tree, tree.right[node], depth + 1)

    for tree in trees:
        emit(tree, 0, 1)
    lines.append("    return s")
    return "\n".join(lines)


def model_from(data: Mapping[str, Any]) -> Model:
    """A model from its JSON form (see the module doc); ModelError when it does not fit
    this version's features."""
    if data.get("format") != FORMAT:
        raise ModelError(f"model format {data.get('format')!r}, expected {FORMAT}")
    if tuple(data.get("features", ())) != NAMES:
        raise ModelError("the model was trained on other features than this version computes")
    # Numbers only (int(), float()): the trees become Python source below.
    trees = tuple(
        Tree(
            tuple(int(f) for f in t["feature"]),
            tuple(float(v) for v in t["threshold"]),
            tuple(int(n) for n in t["left"]),
            tuple(int(n) for n in t["right"]),
            tuple(float(v) for v in t["value"]),
        )
        for t in data["trees"]
    )
    thresholds = {density: float(data["thresholds"][density]) for density in DENSITIES}
    namespace: dict[str, Any] = {}
    exec(compile(_source(float(data["base"]), trees), "<cards model>", "exec"), namespace)  # noqa: S102
    return Model(
        float(data["base"]),
        trees,
        MappingProxyType(thresholds),
        MappingProxyType(data.get("about", {})),
        namespace["raw"],
        frozenset(str(name) for name in data.get("vetoes", ())),
    )


@cache
def shipped_model() -> Model:
    """The model shipped with this version (loaded once per process)."""
    try:
        data = json.loads(resources.files(__package__).joinpath(MODEL_FILE).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the shipped {MODEL_FILE}: {exc}") from exc
    return model_from(data)


__all__ = ["DENSITIES", "DEFAULT_DENSITY", "Model", "ModelError", "Tree", "model_from", "shipped_model"]
