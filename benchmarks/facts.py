"""Facts stated plainly in a note, found from its raw lines, independently of the
extractors: the denominator of recall in benchmarks/quality.py.

Why apart from ``cards/``: the extractors decide what becomes a card; these detectors
say what a learner would have wanted one for, so the two must not share code (a bug
shared by both would hide itself). Each detector takes a note's lines and returns
:class:`Fact` spans (1-based, inclusive); a fact counts as carded when some card of the
note has its source line inside the span.

- ``heading_paragraph``: a heading followed by exactly one short paragraph (at most
  400 characters), then another heading or the end of the note;
- ``term_definition``: a ``term: definition`` line or bullet (term at most 60
  characters; half- or full-width colon; ``**term**:``, ``**term:**``, `` `code`: ``);
- ``table_row``: a body row of a table of 2+ columns and 2+ body rows whose first cell
  reads as a term.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["CLASSES", "Fact", "body", "heading_paragraph", "table_row", "term_definition"]


@dataclass(frozen=True, slots=True)
class Fact:
    """A fact in a note: its class and its lines (1-based, inclusive)."""

    kind: str
    start: int
    end: int

    def covers(self, line: int) -> bool:
        return self.start <= line <= self.end


_FENCE = re.compile(r"^\s*(```|~~~)")


def body(text: str) -> list[str | None]:
    """The note's lines, with front matter and fenced code blanked out (None), so no
    detector reads them; list index + 1 is the line number. An Excalidraw drawing is
    blanked out whole.

    >>> body("---\\ntags: [a]\\n---\\n# T\\n```\\nx: 1\\n```\\nok")
    [None, None, None, '# T', None, None, None, 'ok']
    """
    lines: list[str | None] = list(text.splitlines())
    if "excalidraw-plugin:" in text[:2000]:
        return [None] * len(lines)  # an Excalidraw drawing: its text elements are labels of a picture
    n = 0
    if lines and lines[0] is not None and lines[0].strip() == "---":
        for end in range(1, len(lines)):
            if (lines[end] or "").strip() in ("---", "..."):
                for i in range(end + 1):
                    lines[i] = None
                n = end + 1
                break
    fence: str | None = None
    for i in range(n, len(lines)):
        line = lines[i]
        assert line is not None
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
            lines[i] = None
        elif fence is not None:
            lines[i] = None
            if m and m.group(1) == fence:
                fence = None
    return lines


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_TABLE_LINE = re.compile(r"^\s*\|")
_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$")
_LINKS = re.compile(r"!?\[\[[^\]]*\]\]|!?\[[^\]]*\]\([^)]*\)|https?://\S+")
_WORDY = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}|[\u4e00-\u9fff]")


def _block_start(line: str) -> bool:
    stripped = line.strip()
    return bool(
        _HEADING.match(line)
        or _LIST_ITEM.match(line)
        or _TABLE_LINE.match(line)
        or stripped.startswith((">", "<", "$$", "![", "|", "- [", "%%"))
        or re.fullmatch(r"(?:[-*_]\s*){3,}", stripped)
    )


def _says_something(text: str, *, words: int = 2, cjk: int = 4) -> bool:
    """Text that still says something once links and markup are taken out."""
    rest = _LINKS.sub(" ", text)
    found = _WORDY.findall(rest)
    latin = [w for w in found if w.isascii() or not re.match(r"[\u4e00-\u9fff]", w)]
    han = len(found) - len(latin)
    return len(latin) >= words or han >= cjk


def heading_paragraph(lines: Sequence[str | None]) -> list[Fact]:
    """A heading, then exactly one paragraph of at most 400 characters, then another
    heading or the end of the note.

    >>> heading_paragraph(body("## RNA polymerase I\\n\\nMakes most ribosomal RNA.\\n\\n## Next\\n"))
    [Fact(kind='heading_paragraph', start=1, end=3)]
    >>> heading_paragraph(body("## Steps\\n\\nFirst.\\n\\nSecond paragraph.\\n"))
    []
    >>> heading_paragraph(body("## Links\\n\\n- [[a]]\\n"))
    []
    """
    facts = []
    count = len(lines)
    for i, line in enumerate(lines):
        if line is None or not _HEADING.match(line):
            continue
        j = i + 1
        while j < count and lines[j] is not None and not (lines[j] or "").strip():
            j += 1
        paragraph: list[str] = []
        while j < count:
            current = lines[j]
            if current is None or not current.strip() or _block_start(current):
                break
            paragraph.append(current.strip())
            j += 1
        if not paragraph:
            continue
        end = j
        while j < count and lines[j] is not None and not (lines[j] or "").strip():
            j += 1
        closes = j >= count or (lines[j] is not None and _HEADING.match(lines[j] or "") is not None)
        text = " ".join(paragraph)
        if closes and len(text) <= 400 and _says_something(text):
            facts.append(Fact("heading_paragraph", i + 1, end))
    return facts


_PREFIX = re.compile(r"^\s*(?:>\s*)*(?:(?:[-*+]|\d+[.)])\s+)?(?:\[[ xX]\]\s+)?")
_EXPLICIT = frozenset(
    {"q", "a", "问", "答", "front", "back", "tags", "target deck", "file tags", "deck", "text", "extra", "id"}
)


def _split_colon(text: str) -> tuple[str, str] | None:
    """``text`` split at its first colon outside backticks, or None."""
    in_code = False
    for k, ch in enumerate(text):
        if ch == "`":
            in_code = not in_code
        elif ch in ":：" and not in_code:
            return text[:k], text[k + 1 :]
    return None


#: A term that is a numbered label, not a name: ``方式二``, ``原因二``, ``第一阶段``, ``Step 3``, ``Case 2``.
_NUMBERED_LABEL = re.compile(
    r"^(?:方式|方法|原因|条件|步骤|情况|场景|问题|阶段|第\S{1,3}|step|case|option|method|way|reason|condition|phase|stage|part)"
    r"\s*[0-9一二三四五六七八九十]+\S{0,2}$|^第[0-9一二三四五六七八九十]+",
    re.IGNORECASE,
)
#: A term that is a sentence, not a name: a clause break, or more than six words / twelve CJK characters.
_SENTENCE_TERM = re.compile(r"[，,；;。]|“|\"")


#: Words that head a remark rather than name a thing (folded): ``Remark: …`` states a
#: fact, but "Remark" is not its term.
_LABELS = frozenset(
    """note notes nb remark remarks idea ideas conclusion summary example examples e.g eg hint tip tips warning
    proof solution answer question problem generalization generalisation special case another problem recall
    observation result results motivation goal goals todo ps see also reference references source sources title
    注 注意 备注 例 例如 比如 其中 则 好处 坏处 总结 结论 提示 证明 解 答 问 问题 思路 目的 说明 原因 结果""".split()
) | frozenset({"special case", "another problem", "see also", "key idea", "side note"})


def _names_something(term: str) -> bool:
    """A term reads as a name: no math (``f: X → Y`` is notation), no numbered or generic
    label (``方式二``, ``Remark``), no image or hash id, no sentence (a quotation, a
    clause, a line of prose before its colon).

    >>> _names_something("Osmosis"), _names_something("$p$"), _names_something("方式二"), _names_something("Remark")
    (True, False, False, False)
    >>> _names_something("然后就会有人回答")  # prose, but nothing in its shape says so
    True
    """
    core = term.strip("*_> ").casefold()
    if (
        "$" in term
        or _NUMBERED_LABEL.match(core)
        or core in _LABELS
        or "![" in term
        or re.fullmatch(r"[0-9a-f]{16,}", core)
    ):
        return False
    cjk = sum(1 for ch in term if "\u4e00" <= ch <= "\u9fff")
    return not (_SENTENCE_TERM.search(term) or len(term.split()) > 6 or cjk > 12)


def term_definition(lines: Sequence[str | None]) -> list[Fact]:
    """A line or bullet ``term: definition``: the term at most 60 characters and a name
    (:func:`_names_something`), the definition saying something (not only math or an
    image, not a lead-in ending in a colon); not a URL, a time, a ``key:: value``
    property or an explicit card (``Q:``, ``Back:``), nor a label with nothing after it.

    >>> term_definition(body("- **Osmosis**: water crossing a membrane\\n"))
    [Fact(kind='term_definition', start=1, end=1)]
    >>> term_definition(body("`git add -p`：stage hunks one by one\\n"))
    [Fact(kind='term_definition', start=1, end=1)]
    >>> term_definition(body("Note:\\nSee https://example.org\\nQ: What is X?\\nid:: 64a1\\nat 10:30 we met\\n"))
    []
    >>> term_definition(body("- The map $p: X \\\\to Y$ given by\\n*方式二：调大参数*\\n迭代更新方式为: $W(x)$\\n"))
    []
    """
    facts = []
    for i, line in enumerate(lines):
        if line is None or _HEADING.match(line) or _TABLE_LINE.match(line) or "::" in line:
            continue
        text = _PREFIX.sub("", line, count=1).replace("**", "").replace("__", "")
        split = _split_colon(text)
        if split is None:
            continue
        term, definition = split[0].strip(), split[1].strip()
        if not term or len(term) > 60 or not _WORDY.search(term.replace("`", " ")) and "`" not in term:
            continue
        if (
            term.count("[") > term.count("]")
            or term.casefold() in _EXPLICIT
            or term.casefold().endswith(("http", "https", "ftp"))
        ):
            continue
        if term[-1].isdigit() and definition[:1].isdigit():
            continue
        if not definition or not _says_something(re.sub(r"\$[^$]*\$", " ", definition), words=1, cjk=2):
            continue
        if not _names_something(term) or definition.rstrip("*_ ").endswith((":", "：")):
            continue
        facts.append(Fact("term_definition", i + 1, i + 1))
    return facts


def _cells(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|"):
        row = row[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)]


def table_row(lines: Sequence[str | None]) -> list[Fact]:
    """Body rows of a table (2+ columns, 2+ body rows) whose first cell reads as a term
    (at most 60 characters, words not just a number, an image or a formula) and whose
    other cells are not all empty.

    >>> table_row(body("| term | meaning |\\n|---|---|\\n| ATP | energy currency |\\n| NADH | electron carrier |\\n"))
    [Fact(kind='table_row', start=3, end=3), Fact(kind='table_row', start=4, end=4)]
    >>> table_row(body("| n | time |\\n|---|---|\\n| 1 | 3 s |\\n| 2 | 5 s |\\n"))
    []
    """
    facts = []
    i, count = 1, len(lines)
    while i < count:
        header, delimiter = lines[i - 1], lines[i]
        if header is None or delimiter is None or "|" not in header or not _DELIMITER.match(delimiter):
            i += 1
            continue
        columns = len(_cells(header))
        rows = []
        j = i + 1
        while j < count and lines[j] is not None and "|" in (lines[j] or "") and (lines[j] or "").strip():
            rows.append(j)
            j += 1
        if columns >= 2 and len(rows) >= 2:
            for r in rows:
                cells = _cells(lines[r] or "")
                first = re.sub(r"[*_`]", "", cells[0]) if cells else ""
                if "$" in first:
                    continue  # a formula heads the row: a table of values, not of terms
                if (
                    0 < len(first) <= 60
                    and _WORDY.search(_LINKS.sub(lambda m: m.group(0).strip("![]()"), first))
                    and any(c for c in cells[1:])
                ):
                    facts.append(Fact("table_row", r + 1, r + 1))
        i = j + 1
    return facts


#: Every class, in report order.
CLASSES: Mapping[str, Callable[[Sequence[str | None]], list[Fact]]] = MappingProxyType(
    {"heading_paragraph": heading_paragraph, "term_definition": term_definition, "table_row": table_row}
)
