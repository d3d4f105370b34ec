"""Text as a reader sees it: folding, width, CJK, and the words of an HTML field.

One place for the few questions every stage asks of plain text, so they mean one thing
everywhere: identity keys (deck/ids.py), the judge's rules and the kinds.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_BLOCK = re.compile(r"<br\s*/?>|</?(?:p|li|ul|ol|div|tr|td|th|table|blockquote|pre)\b[^>]*>", re.I)
_IMAGE = re.compile(r"<img\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")


def html_to_text(fragment: str) -> str:
    """Visible text of a field: tags out, blocks apart, entities decoded, an image as
    ``[image]``. (The judge reads a candidate's text made from its pieces, deck/render.py,
    which gives the same words without rendering; this reads HTML that exists already.)

    >>> html_to_text("<b>ATP</b> is made in <ol><li>glycolysis</li><li>the Krebs&#32;cycle</li></ol>")
    'ATP is made in glycolysis the Krebs cycle'
    """
    fragment = _IMAGE.sub(" [image] ", fragment)
    return " ".join(html.unescape(_TAG.sub("", _BLOCK.sub(" ", fragment))).split())


def fold(value: str) -> str:
    """Width-folded (NFKC): full-width punctuation reads as half-width, ``：`` is ``:``, ``？`` is ``?``."""
    return unicodedata.normalize("NFKC", value)


@lru_cache(maxsize=65536)
def normalise(value: str) -> str:
    """Folded, case-folded, whitespace collapsed: ``ＡＴＰ`` is ``atp``. What identity keys
    and the judge compare.

    >>> normalise("  ＡＴＰ  Synthase ")
    'atp synthase'
    """
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


_MATHJAX_EDGES = re.compile(r"^\\\(|\\\)$")


def width(text: str) -> int:
    """Characters as a reader counts them: a wide (CJK) character is two; a formula's
    MathJax delimiters do not count.

    >>> width("ATP"), width("进程"), width(" \\\\(x\\\\) ")
    (3, 4, 1)
    """
    core = _MATHJAX_EDGES.sub("", text.strip()).strip() if "\\" in text else text.strip()  # a delimiter holds "\\"
    if core.isascii():
        return len(core)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in core)


#: The only characters whose ``str.lower`` is not what ``re.IGNORECASE`` matches them as:
#: ``İ`` (its lower case is two characters), dotless ``ı`` and long ``ſ`` (they match ``i``
#: and ``s``). Translated first, lower case then reads every character as the flag does.
_AS_IGNORECASE = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def caseless(text: str) -> str:
    """``text`` in lower case as ``re.IGNORECASE`` reads it, each character still at its place.

    >>> caseless("KNOWN as İstanbul"), len(caseless("İ")) == len("İ")
    ('known as istanbul', True)
    """
    return text.translate(_AS_IGNORECASE).lower()


class Caseless:
    """Whether ``re.compile(pattern, re.IGNORECASE)`` finds something in a text, asked of
    :func:`caseless` text with the pattern compiled case-sensitive: the same answer, faster.

    Why: re cannot skip ahead to the first letters of an alternation it reads ignoring
    case, so a long list of the lexicon's words is tried at every character (25 µs a
    sentence, the largest single regex cost of a build); with case fixed it jumps from one
    possible first letter to the next. The pattern is written in lower case (checked), so
    its letters find the lower-cased text's exactly where the flag found the text
    (tests/test_lexicon.py checks every character of the patterns so asked).
    """

    __slots__ = ("pattern", "_compiled")

    def __init__(self, pattern: str) -> None:
        if pattern != pattern.lower():
            raise ValueError(f"a caseless pattern is written in lower case: {pattern!r}")
        self.pattern = pattern
        self._compiled = re.compile(pattern)

    def found(self, text: str) -> bool:
        """``re.search(pattern, text, re.IGNORECASE) is not None``."""
        return self._compiled.search(caseless(text)) is not None


#: A CJK character: Han (with Extension A), kana, Hangul. A word of them has no spaces.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
#: A run of them.
CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")


def cjk(text: str) -> int:
    """How many CJK characters (:data:`CJK`) ``text`` holds.

    >>> cjk("TCP 会重传"), cjk("ひらがな"), cjk("ATP")
    (3, 4, 0)
    """
    return len(CJK.findall(text))


#: Hangul, whose words are spaced as Latin words are (CSS keeps a line break between them as a space).
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


def joins_without_space(before: str, after: str) -> bool:
    """Whether a soft line break between the characters ``before`` and ``after`` joins
    them with nothing rather than a space: both wide (East Asian F, W or H: Han, kana,
    full-width punctuation) and neither Hangul, as CSS Text 3 transforms a segment break
    (a hard-wrapped Chinese or Japanese paragraph reads without stray spaces).

    >>> joins_without_space("程", "序"), joins_without_space("。", "然"), joins_without_space("e", "程")
    (True, True, False)
    >>> joins_without_space("다", "한")
    False
    """
    return all(
        ch != "" and unicodedata.east_asian_width(ch) in "FWH" and not _HANGUL.match(ch) for ch in (before, after)
    )


_WORD = re.compile(r"[A-Za-z\u00c0-\u024f0-9][\w'’\-]*")


def words(text: str) -> list[str]:
    """The words of Latin script (and numbers) in ``text``; CJK text is no word here.

    >>> words("L'insieme è vuoto, 2 volte — 进程")
    ["L'insieme", 'è', 'vuoto', '2', 'volte']
    """
    return _WORD.findall(text)
