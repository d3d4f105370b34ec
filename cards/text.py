"""Text as a reader sees it: folding, width, CJK, and the words of an HTML field.

One place for the few questions every stage asks of plain text, so they mean one thing
everywhere: identity keys (deck/ids.py), the judge's rules and the kinds.
"""

from __future__ import annotations

import html
import re

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
