"""The vocabulary is data: cards/lexicon/<lang>.toml, read through one call, and the rules'
word lists and patterns are made of it."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path

import pytest

from cards import lexicon
from cards.extract import terms as extract_terms
from cards.judge import gaps, lists, terms
from cards.lexicon import LANGUAGES, alternation, having, words
from cards.text import Caseless
from cards.text import caseless as text_caseless

FOLDER = Path(lexicon.__file__).parent


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_file_reads_and_describes_its_roles(lang: str) -> None:
    text = (FOLDER / f"{lang}.toml").read_text("utf-8")
    data = tomllib.loads(text)
    described = set(re.findall(r"^#   (\w+) ", text, re.M))
    for word, roles in data.get("words", {}).items():
        assert word == " ".join(unicodedata.normalize("NFKC", word).casefold().split()), (
            f"{lang}: {word!r} is not folded"
        )
        assert roles and set(roles) <= described, f"{lang}: {word!r} has a role the file does not describe: {roles}"
    for category, value in data.items():
        if category != "words":
            assert isinstance(value, list) and value, f"{lang}: {category} is an ordered list of words"
            assert len(value) == len(set(value)), f"{lang}: {category} lists a word twice"


def test_no_language_file_is_left_out() -> None:
    assert {p.stem for p in FOLDER.glob("*.toml")} == set(LANGUAGES)


def test_the_overlapping_word_lists_are_one_list_of_words_with_roles() -> None:
    """A word that is a label, a passage label and a generic heading (``summary``) is
    written once, with its roles; the rules' sets are read from the roles."""
    english = tomllib.loads((FOLDER / "en.toml").read_text("utf-8"))["words"]
    assert {"label", "passage", "heading"} <= set(english["summary"])
    assert gaps.LABEL_WORDS == having("label") and terms.PASSAGE_LABELS == having("passage")
    assert "summary" in gaps.LABEL_WORDS & terms.PASSAGE_LABELS & terms.GENERIC_HEADINGS
    assert {"注意", "nota", "see also"} <= gaps.LABEL_WORDS  # every language's, phrases too


def test_a_pattern_is_made_of_every_languages_words() -> None:
    """The procedure names of every language reach the rule (judge/lists.py)."""
    assert {"steps", "procedura", "步骤"} <= set(words("procedure"))
    assert lists._PROCEDURE.search("Procedura di installazione") and lists._PROCEDURE.search("安装步骤")
    assert not lists._PROCEDURE.search("Advantages")


@pytest.mark.parametrize(
    ("category", "options", "text", "matches"),
    [
        ("procedure", {}, "configuration", True),  # configur*: the rest of a word
        ("procedure", {}, "setup", True),
        ("naming", {"spaces": r"\s+"}, "known   as", True),  # a space: any run of spaces, when asked
        ("naming", {}, "known   as", False),
        ("about_the_text", {"script": "latin", "either_case": True}, "My", True),  # lower case first letter: either
        ("about_the_text", {"script": "latin", "either_case": True}, "i", False),  # "I" is only itself
        ("sequence", {"script": "cjk"}, "然后", True),
        ("sequence", {"script": "cjk"}, "then", False),
    ],
)
def test_alternation(category: str, options: dict[str, object], text: str, matches: bool) -> None:
    assert bool(re.fullmatch(f"(?:{alternation(category, **options)})", text)) is matches  # type: ignore[arg-type]


def test_an_unknown_category_or_role_is_an_error_not_an_empty_list() -> None:
    with pytest.raises(KeyError):
        words("no such category")
    with pytest.raises(KeyError):
        having("no such role")


#: Every code point a str holds, surrogates included: the characters a note could hold.
_EVERY_CHARACTER = "".join(map(chr, range(0x110000)))


def _places(pattern: str, text: str, flags: int = 0) -> list[int]:
    return [m.start() for m in re.finditer(pattern, text, flags)]


@pytest.mark.parametrize("caseless", [extract_terms._NAMING], ids=["terms._NAMING"])
def test_a_caseless_pattern_finds_what_the_ignorecase_flag_finds(caseless: Caseless) -> None:
    """text.Caseless asks a lower-cased text with a case-sensitive pattern: each character
    of the pattern (and every ASCII letter and digit) must match, in the lower-cased text of
    every code point, exactly the characters it matches ignoring case; lower case must
    keep every character at its place and in its class (a word character, a space)."""
    lowered = text_caseless(_EVERY_CHARACTER)
    assert len(lowered) == len(_EVERY_CHARACTER)
    for cls in (r"\w", r"\s", r"\d"):
        assert _places(cls, lowered) == _places(cls, _EVERY_CHARACTER), cls
    for char in sorted(set(caseless.pattern) | set("abcdefghijklmnopqrstuvwxyz0123456789")):
        if char in "\\|()?*+.[]{}^$":
            continue  # the pattern's syntax, not a character it looks for
        literal = re.escape(char)
        assert _places(literal, lowered) == _places(literal, _EVERY_CHARACTER, re.IGNORECASE), char


@pytest.mark.parametrize(
    "text",
    ["It is Called the Krebs cycle", "KNOWN  AS x", "recalled", "这就是所谓的", "İs ſo", "nothing here", ""],
)
def test_caseless_naming_agrees_with_the_ignorecase_pattern(text: str) -> None:
    flagged = re.compile(extract_terms._NAMING.pattern, re.IGNORECASE)
    assert extract_terms._NAMING.found(text) == (flagged.search(text) is not None)
