"""lexicon: the words the rules know, as data, one file per language (en.toml, zh.toml,
it.toml, pt.toml, es.toml, fr.toml, de.toml).

A rule asks for the words of a category (``procedure``, ``gloss``) or for the words that
have a role (``label``, ``emphasis``), every language's at once, and builds its pattern
from them; so teaching the rules a language, or a word, is an edit of data, not of code.
Two kinds of entries:

* **ordered lists**, one per category (``procedure = ["steps", "step", …]``): the words
  a rule's pattern tries, in order. A trailing ``*`` stands for the rest of a word
  (``configur*``: configure, configuration …).
* **words and their roles** (the ``[words]`` table: ``"note" = ["label", "passage"]``):
  a word is listed once however many lists it belongs to, folded (lower case).

Languages are read in :data:`LANGUAGES` order, each file's words in their order.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

#: The languages, in the order their words are tried.
LANGUAGES: tuple[str, ...] = ("en", "it", "pt", "es", "fr", "de", "zh")
_CJK = re.compile(r"[\u3000-\u9fff\uac00-\ud7af]")


@lru_cache(maxsize=1)
def _data() -> dict[str, dict[str, Any]]:
    here = files(__name__)
    return {lang: tomllib.loads(here.joinpath(f"{lang}.toml").read_text("utf-8")) for lang in LANGUAGES}


@cache
def words(category: str, *, languages: tuple[str, ...] = LANGUAGES) -> tuple[str, ...]:
    """The words of an ordered list, every language's (or ``languages``'), each once.

    >>> words("sequence")[:3], "然后" in words("sequence")
    (('then', 'next', 'after'), True)
    """
    found: dict[str, None] = {}
    for lang in languages:
        for word in _data()[lang].get(category, ()):
            found.setdefault(word)
    if not found:
        raise KeyError(f"the lexicon has no list {category!r}")
    return tuple(found)


@cache
def having(role: str) -> frozenset[str]:
    """Every word whose roles include ``role``, in every language.

    >>> {"note", "注意", "nota"} <= having("label"), "treatment" in having("passage")
    (True, False)
    """
    found = frozenset(
        word for lang in LANGUAGES for word, roles in _data()[lang].get("words", {}).items() if role in roles
    )
    if not found:
        raise KeyError(f"no word of the lexicon has the role {role!r}")
    return found


def alternation(
    category: str,
    *,
    spaces: str = r"\ ",
    script: str | None = None,
    languages: tuple[str, ...] = LANGUAGES,
    either_case: bool = False,
) -> str:
    """An ordered list as a regular expression's alternatives: each word escaped, in order.

    ``spaces``: what a space in a word stands for (``\\s+``: any run of spaces);
    ``script``: only the ``"latin"`` or only the ``"cjk"`` words; ``either_case``: a word
    that starts in lower case matches either case of its first letter (``my``: My, my),
    one that starts in upper case only itself (``I``).

    >>> alternation("procedure_named", script="cjk")
    '步骤|流程|过程'
    >>> re.fullmatch(alternation("procedure"), "configuration") is not None
    True
    """
    found = []
    for word in words(category, languages=languages):
        if script is not None and (script == "cjk") != bool(_CJK.search(word)):
            continue
        stem, rest = (word[:-1], r"\w*") if word.endswith("*") else (word, "")
        pattern = re.escape(stem).replace(r"\ ", spaces) + rest
        if either_case and stem[:1].islower():
            pattern = f"[{stem[0].upper()}{stem[0]}]" + pattern[len(re.escape(stem[0])) :]
        found.append(pattern)
    return "|".join(found)
