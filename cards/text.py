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
    core = _MATHJAX_EDGES.sub("", text.strip()).strip()
    if core.isascii():
        return len(core)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in core)


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
