"""Width- and case-folding of text, apart from the Markdown modules.

Identity (deck/ids.py, deck/state.py) needs these two functions on every build, including a
no-op one; keeping them here lets those modules load without the Markdown parser.
"""

from __future__ import annotations

import unicodedata


def fold(value: str) -> str:
    """Full-width punctuation reads as half-width: ``：`` is ``:``, ``？`` is ``?``."""
    return unicodedata.normalize("NFKC", value)


def normalise(value: str) -> str:
    """Identity text: width-folded, case-folded, whitespace collapsed."""
    return " ".join(fold(value).casefold().split())
