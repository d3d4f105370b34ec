"""Every rule's docstring example holds: the examples are the rules' documentation."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import cards

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(cards.__path__, "cards.") if not name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0, f"{name}: {failures} docstring example(s) fail; run python -m doctest -v on it"
