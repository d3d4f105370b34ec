"""Restore the structure of a note whose newlines were lost.

Why: notes copied out of some apps (web clippers, chat exports, a bad sync) arrive with
every line break turned into a space. Headings, bullets and numbered steps then run
together on one very long line, and a Markdown parser sees a single paragraph, so no
card could be mined from it. This module notices that shape and guesses the lost
structure back, before the note is parsed.

It has two halves:

* **Detection** must be safe. Only a note whose body is one (or a very few) long
  line(s) that together make up most of the note, and whose markers read as a note
  and not as prose, is touched: several ` # ` headings with list markers, or a heading
  and four or more list markers, or two or more ` - [ ]` tasks, or a run of
  ` 1. **Bold** ` / ` 2. **Bold** ` steps with bullets. Anything else (a normal
  multi-line note, a sentence with `C#`, `issue #12`, `1.` or ` - ` in it) comes back
  byte for byte with ``reflowed=False``.
* **Recovery** splits the line at block markers (headings, bullets, tasks, numbered
  items in sequence; never inside code, links or wikilinks), puts back dashes that
  read as prose (``解题 - 回溯 - 重现构建.....``), and rebuilds nesting from the shape:
  bullets after a numbered step belong to the step; the next bullet after a case
  (``案例1:`` / ``Case 3:``) is its result; a short answer after a question, and a
  takeaway after an image-only bullet, are their children; a short label
  (``- 软推理能力``) followed by more bullets is their parent.

Full-width punctuation counts as half-width (``：`` ``:``, ``？`` ``?``).
The module is pure: text in, text out.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

from .scan import Occurrences, Spans, bracket_spans


@dataclass(frozen=True, slots=True)
class Reflow:
    text: str  # Markdown to parse (the input unchanged when not collapsed)
    reflowed: bool  # True when the structure was guessed


# ------------------------------------------------------------------ patterns

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_FENCE_LINE = re.compile(r"^\s*(```|~~~)")
# Spans whose inside is never split: code, math, wikilinks, links and images
# (_protected_spans finds them: the bracket alternatives in linear time).
_CODE_MATH = r"```.*?```|`[^`\n]*`|\$\$.+?\$\$|\$[^$\s](?:[^$\n]*[^$\s])?\$"
_PROTECTED = re.compile(_CODE_MATH + r"|!?\[\[[^\]]*\]\]|!?\[[^\]]*\]\([^)\s]*\)")
_CODE_MATH_RE = re.compile(_CODE_MATH)
# A block marker starts after whitespace (or the start) and is followed by text.
_MARKER = re.compile(
    r"(?<!\S)"  # after whitespace or at the start
    r"(?:(?P<h>#{1,6})|(?P<t>-[ \t]\[[ xX]\])|(?P<b>-)|(?P<n>\d{1,3})\.)"
    r"(?=[ \t]+\S)"  # and followed by text
)
_IMAGE = r"(?:!\[[^\]]*\]\([^)\s]*\)|!\[\[[^\]]*\]\])"
_IMAGE_ONLY = re.compile(rf"^(?:{_IMAGE}|\[{_IMAGE}\]\([^)\s]*\))$")
_CASE = re.compile(
    r"^(?:\[[^\]]*\]\([^)\s]*\)\s*)?"  # an optional [00:13:03](url) timestamp
    r"(?:案例|例子|例|场景|Case|Example|Scenario|Q)\s*\d*\s*[:：]",
    re.I,
)
_RESULT = re.compile(r"^(?:结果|答案|答|回答|结论|Result|Answer|Outcome|A)\s*[:：]", re.I)
_SENTENCE_PUNCT = re.compile(r"[,，、。!！?？:：;；]|\.(?=\s|$)")  # not ".obsidian"
_TERMINAL = ("。", ".", "!", "！", "?", "？", ":", "：", ";", "；", ")", "）")
_ELLIPSIS = ("...", "…", "。。。")
_CJK = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]")

_MIN_LINE = 100  # a collapsed note is a long line
_MAX_LINES = 5  # ... and its body has very few lines
_SHORT_TITLE = 40  # visible characters in a heading title inside a collapsed line
_SHORT_LABEL = 20  # width of a label such as "软推理能力" or "Competitive inhibitor"
_SHORT_ANSWER = 80  # width (CJK characters, ~200 Latin) of an answer under a question
_PROSE_FRAGMENT = 8  # visible CJK characters in a fragment of "解题 - 回溯 - 重现构建"


@dataclass(slots=True)
class _Seg:
    kind: str  # "h" heading, "p" paragraph, "b" bullet, "t" task, "n" numbered item
    text: str
    mark: str = ""  # "#"*level, "[x]", or the item number


# ------------------------------------------------------------------ public API


def reflow(text: str) -> Reflow:
    """Return the note with its structure restored if it was collapsed, else as is."""
    front_match = _FRONT_MATTER.match(text)
    front = front_match.group(0) if front_match else ""
    body = text[len(front) :]
    lines = body.split("\n")
    content = [ln for ln in lines if ln.strip()]
    if not content or len(content) > _MAX_LINES:
        return Reflow(text, False)
    collapsed = _collapsed_lines(lines)
    total = sum(len(ln.strip()) for ln in content)
    if not collapsed or sum(len(lines[i].strip()) for i in collapsed) < 0.6 * total:
        return Reflow(text, False)
    return Reflow(front + "\n".join(_restored(lines, collapsed)), True)


def _collapsed_lines(lines: list[str]) -> dict[int, list[_Seg]]:
    """The lines (outside fences) that read as a collapsed note, each cut into its blocks."""
    collapsed: dict[int, list[_Seg]] = {}
    in_fence = False
    for i, line in enumerate(lines):
        if _FENCE_LINE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or len(line) < _MIN_LINE:
            continue
        if _looks_collapsed(_split(line.rstrip("\r"), strict=True)):
            collapsed[i] = _split(line.rstrip("\r"), strict=False)
    return collapsed


def _restored(lines: list[str], collapsed: dict[int, list[_Seg]]) -> list[str]:
    """The lines with each collapsed one written out as its blocks, a blank line around it."""
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in collapsed:
            if out and out[-1].strip():
                out.append("")
            out.append(_render(collapsed[i]))
            if i + 1 < len(lines) and lines[i + 1].strip():
                out.append("")
        else:
            out.append(line)
    return out


# ------------------------------------------------------------------ splitting


def _split(line: str, strict: bool) -> list[_Seg]:
    """Cut a collapsed line into blocks at the markers that read as structure.

    `strict` (used to decide whether the line is collapsed at all) counts a `#` only
    when a short title follows it; once a line is known to be collapsed every `# `
    starts a heading, and a title that runs on is cut after its first word.
    """
    covered = Spans(_protected_spans(line))

    def free(pos: int) -> bool:
        return not covered.covers(pos)

    markers = [m for m in _MARKER.finditer(line) if free(m.start())]
    markers = _numbered_in_sequence(line, markers)
    if strict:
        markers = _titled_headings(line, markers)

    segs: list[_Seg] = []
    head = line[: markers[0].start()].strip() if markers else line.strip()
    if head:
        segs.extend(_Seg("p", part) for part in _paragraphs(head))
    for k, m in enumerate(markers):
        end = markers[k + 1].start() if k + 1 < len(markers) else len(line)
        body = line[m.end() : end].strip()
        if m.group("h"):
            segs.extend(_heading(m.group("h"), body))
        elif m.group("t"):
            segs.append(_Seg("t", body, m.group("t")[-3:]))
        elif m.group("b"):
            math = _display_math_start(body)  # `- area is $\pi r^2$ $$ … $$`: the formula is a block
            if math > 0 and not _inside_protected(body, math + 1):
                segs += [_Seg("b", body[:math].strip()), _Seg("p", body[math:].strip())]
            else:
                segs.append(_Seg("b", body))
        else:
            segs.append(_Seg("n", body, m.group("n")))
    return _merge_prose_dashes(segs)


_BOLD_AFTER = re.compile(r"\s*\*\*")  # what `line[at:].lstrip().startswith("**")` asks, without the copy


def _numbered_in_sequence(line: str, markers: list[re.Match[str]]) -> list[re.Match[str]]:
    """Keep `N.` markers only where they count 1, 2, 3 … (two items at least).

    When the first step has a bold title (`1. **…**`), later steps must have one too,
    so that a `2.` inside a detail bullet is not mistaken for the next step.
    """
    keep: set[int] = set()
    run: list[int] = []
    run_bold = False

    def flush() -> None:
        if len(run) >= 2:
            keep.update(run)

    for k, m in enumerate(markers):
        if not m.group("n"):
            continue
        value = int(m.group("n"))
        bold = _BOLD_AFTER.match(line, m.end()) is not None
        if run and value == int(markers[run[-1]].group("n")) + 1 and (bold or not run_bold):
            run.append(k)
        elif value == 1:
            flush()
            run, run_bold = [k], bold
    flush()
    return [m for k, m in enumerate(markers) if not m.group("n") or k in keep]


def _titled_headings(line: str, markers: list[re.Match[str]]) -> list[re.Match[str]]:
    """Keep a `#` marker only if what follows reads as a title: short, no clause breaks.

    `… not with # like in Python, and the # sign …` is prose, not two headings. A `##`
    (or deeper) heading, which prose never writes, or a `#` that opens the line, may run on into a sentence
    (`## Opening a connection The three-way handshake …`): its title is cut off first.

    A marker dropped gives its text to the heading before it, which is then read again
    (the first marker that fails goes first). One pass with a stack does that in order;
    each reading looks at no more than the title's first `_TITLE_MARKDOWN` characters.
    """
    cuts = _TitleCuts(line)
    kept: list[re.Match[str]] = []
    for marker in [*markers, None]:
        end = marker.start() if marker is not None else len(line)
        while kept and kept[-1].group("h") and not _titled(_marker_title(line, kept[-1], end, cuts)):
            kept.pop()
        if marker is not None:
            kept.append(marker)
    return kept


#: A heading title is at most `_SHORT_TITLE` visible characters; one that runs past this
#: many characters of Markdown (links, images and all) before its text ends is prose.
_TITLE_MARKDOWN = 1000


class _TitleCuts:
    """Where a title can end in a line (`_cut_at_image`): each `![`, each `Q:` / `问：`."""

    def __init__(self, line: str) -> None:
        self.images = Occurrences(line, "![")
        self.cards = Occurrences.at([m.start() for m in _EXPLICIT_CARD.finditer(line)], 1)

    def first(self, start: int, end: int) -> int:
        """`_cut_at_image` of the body `line[start:end]` (`start` its first character):
        where its title ends, or -1."""
        image = self.images.next(start)
        image = image if start < image < end else -1
        card = self.cards.next(start + 1)
        card = card if 0 <= card < end else -1
        return min((p for p in (image, card) if p >= 0), default=-1)


_NON_SPACE = re.compile(r"\S")


def _titled(title: str | None) -> bool:
    return title is not None and _is_title(title)


def _marker_title(line: str, marker: re.Match[str], end: int, cuts: _TitleCuts) -> str | None:
    """The title a heading marker gives when its body runs to ``end``, as `_split`
    would cut it: `_cut_at_image`, and for a `##` (or a `#` opening the line) the first
    words of a title that runs on (`_heading`); None when it is too long to be one."""
    first = _NON_SPACE.search(line, marker.end(), end)
    if first is None:
        return ""
    start = first.start()
    cut = cuts.first(start, end)
    stop = cut if cut >= 0 else end
    runs_on = len(marker.group("h")) >= 2 or marker.start() == 0
    if stop - start > _TITLE_MARKDOWN:
        if not runs_on:
            return None
        words = line[start : start + _TITLE_MARKDOWN].split(maxsplit=9)
        return " ".join(words[: _sentence_start(words)]) if len(words) >= 2 else None
    title = line[start:stop].strip()
    if runs_on and not _is_title(title) and len(title.split(maxsplit=1)) == 2:
        words = title.split(maxsplit=9)  # _sentence_start reads the first nine words at most
        title = " ".join(words[: _sentence_start(words)])
    return title


def _is_title(title: str) -> bool:
    seen = _visible(title)
    short = len(seen) <= _SHORT_TITLE and len(seen.split()) <= 6
    return short and not re.search(r"[,，;；]", seen)


_EXPLICIT_CARD = re.compile(r"(?<=\s)(?:Q|问|问题)\s*[:：]")


def _cut_at_image(body: str) -> tuple[str, str]:
    """A title ends where an image or an explicit card (`Q:`, `问：`) begins."""
    found = [pos for pos in (body.find("!["), *(m.start() for m in _EXPLICIT_CARD.finditer(body))) if pos > 0]
    pos = min(found, default=-1)
    return (body[:pos].strip(), body[pos:].strip()) if pos > 0 else (body, "")


def _heading(hashes: str, body: str) -> list[_Seg]:
    """A heading title is short: an image, or the text after a title that runs on
    (`## 总结 这篇论文说明了……`), starts a paragraph of its own (the image after that
    text too: `# Respiration Cells make ATP. ![[cycle.png]]` is a heading, a sentence
    and a figure)."""
    title, rest = _cut_at_image(body)
    if not _is_title(title) and len(title.split(maxsplit=1)) == 2:
        words = title.split()
        k = _sentence_start(words)
        title, more = " ".join(words[:k]), " ".join(words[k:])
        return [_Seg("h", title, hashes)] + [_Seg("p", p) for part in (more, rest) for p in _paragraphs(part)]
    return [_Seg("h", title, hashes)] + [_Seg("p", p) for p in _paragraphs(rest)]


def _starts_sentence(word: str) -> bool:
    """Does this word read as the first word of a sentence (or of a code block)?"""
    word = word.lstrip("*_=\"'“‘(「[")
    return word.startswith("```") or bool(word[:1] and (word[0].isupper() or _CJK.match(word[0])))


def _sentence_start(words: list[str]) -> int:
    """Where the paragraph starts in a heading title that runs on: the number of title words.

    A CJK title has no spaces, so it is the first word (`总结 这篇论文说明了……`). A Latin
    title ends where a sentence starts: in a sentence-case title at the next capitalised
    (or CJK) word (`TCP basics | TCP gives …`, `Opening a connection | The three-way …`);
    in a Title Case title at the last capitalised word before the first lower-case one
    (`Flow Control | TCP uses …`, `Enzymes | Enzymes lower …`). No such word in reach: the
    first word.
    """
    if _CJK.match(words[0]) or len(words) < 2:
        return 1
    limit = min(len(words) - 1, 6)
    if words[1][:1].isupper() and not _CJK.match(words[1][0]):  # Title Case so far
        k = 1
        while k + 1 < len(words) and _starts_sentence(words[k + 1]) and not words[k + 1].startswith("```"):
            k += 1
        if k <= limit and k + 1 < len(words):
            return k
        return 1
    for k in range(1, limit + 1):
        if _starts_sentence(words[k]):
            return k
    return 1


_Q_MARK = re.compile(r"(?<!\S)(?:Q|Question|问|问题)\s*[:：]\s*\S", re.I)
_A_MARK = re.compile(r"(?<!\S)(?:A|Answer|答|答案)\s*[:：]\s*\S", re.I)
_A_MARKS = re.compile(f"(?=({_A_MARK.pattern}))", re.I)  # every place one matches, overlapping ones too
_TERM_MARK = re.compile(r"(?<=[.。!！?？])\s+(?=[^\s:：]{1,40}(?:\s[^\s:：]{1,40}){0,3}\s::\s)")
_CLOZE_ONE = re.compile(r"\{\{c1::")
_SENTENCE_END = re.compile(r"(?<=[.。!！?？])\s+")
_DISPLAY_MATH = re.compile(r"\s\$\$.+?\$\$\s*$")


def _inside_protected(text: str, pos: int) -> bool:
    """Whether ``pos`` lies strictly inside a protected span of ``text``."""
    return any(a < pos < b for a, b in _protected_spans(text))


def _protected_spans(text: str) -> list[tuple[int, int]]:
    r"""``[m.span() for m in _PROTECTED.finditer(text)]``, in linear time.

    The regex engine tries a link (``[^\]]*\]``) from every ``[`` to the first ``]``
    after it: 100 KB of ``[`` took a minute. The bracket spans come from
    scan.bracket_spans; code and math (which start at `` ` `` or ``$``, never at ``!``
    or ``[``) are the regex's, and the earlier of the two wins, as in the regex.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    code = _CODE_MATH_RE.search(text)
    brackets = bracket_spans(text)
    bracket = next(brackets, None)
    while code is not None or bracket is not None:
        if code is not None and code.start() < pos:
            code = _CODE_MATH_RE.search(text, pos)
        while bracket is not None and bracket[0] < pos:
            bracket = next(brackets, None)
        start = -1
        if bracket is not None:
            start = bracket[0] - 1 if bracket[0] > pos and text[bracket[0] - 1] == "!" else bracket[0]
        if bracket is not None and (code is None or start < code.start()):
            spans.append((start, bracket[2]))
        elif code is not None:
            spans.append(code.span())
        else:
            break
        pos = spans[-1][1]
    return spans


_DISPLAY_OPEN = re.compile(r"\s\$\$")


def _display_math_start(text: str) -> int:
    """``_DISPLAY_MATH.search(text).start()`` (-1: no match), in linear time.

    The formula must close the text (``$$`` then only white space), so there is one
    place it can close; it opens at the first `` $$`` on that line at least one
    character before it. The regex tried every `` $$`` against every later ``$$``.
    """
    body = text.rstrip()
    close = len(body) - 2
    if not body.endswith("$$") or close < 4:
        return -1
    line = max(text.rfind("\n", 0, close), 0)
    found = _DISPLAY_OPEN.search(text, line, close - 1)
    return found.start() if found else -1


def _paragraphs(text: str) -> list[str]:
    """Cut a run-on paragraph where the note plainly held several cards written by hand.

    A collapsed note loses the blank lines between paragraphs; most paragraphs can stay
    joined, but these are one card each and would be one wrong card joined:
    `Q: … A: … Q: … A: …` (a new `Q:` after an answer, a `::` card or a cloze),
    `… 。 Term :: definition` after such a pair, a sentence that starts its clozes
    again at `{{c1::` (or follows a `::` card), and a `$$…$$` display formula at the
    end of the text.
    """
    covered = Spans(_protected_spans(text))

    def free(pos: int) -> bool:
        return not covered.covers(pos)

    events = sorted(
        [(m.start(), "q") for m in _Q_MARK.finditer(text) if free(m.start())]
        + [(m.end(), "t") for m in _TERM_MARK.finditer(text) if free(m.end())]
        + [(m.start(), "c") for m in _CLOZE_ONE.finditer(text) if free(m.start())]
    )
    cuts = _cuts(text, events, free) if events else []
    parts = [text[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(text)])]
    math = _display_math_start(parts[-1]) if parts else -1
    if math > 0 and not _inside_protected(parts[-1], math + 1):
        parts[-1:] = [parts[-1][:math].strip(), parts[-1][math:].strip()]
    return [p for p in parts if p]


def _cuts(text: str, events: list[tuple[int, str]], free: Callable[[int], bool]) -> list[int]:
    """Where `_paragraphs` cuts ``text``, given its events (position, kind) in order.

    Each event asks about the chunk since the last cut (an answer in it? a `` :: ``?
    a cloze?). Asking by searching the chunk again made a long run of events without a
    cut quadratic (100 KB of unclosed ``{{c1::``); here every question is a lookup in
    an index of the whole text, and the chunk's answers are read once, as it grows.
    """
    marks = _Marks.of(text, free)
    answers = _Answers.of(text, free)
    cuts: list[int] = []
    start = 0
    for pos, kind in events:
        cut = marks.cut(kind, pos, start, answers.held(pos))
        if cut is None:
            continue
        cuts.append(cut)
        start = cut
        answers.restart(start)
    return cuts


@dataclass(frozen=True, slots=True)
class _Marks:
    """The marks a chunk is asked about, indexed once for the whole text."""

    colons: Occurrences
    clozes: Occurrences
    braces: Occurrences
    free_clozes: Occurrences
    runs: list[tuple[int, int]]  # sentence ends outside protected spans
    run_starts: list[int]

    @classmethod
    def of(cls, text: str, free: Callable[[int], bool]) -> _Marks:
        clozes = Occurrences(text, "{{c")
        free_clozes = Occurrences.at([p for p in clozes.positions if text.startswith("{{c1::", p) and free(p)], 6)
        runs = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text) if free(m.start())]
        return cls(Occurrences(text, " :: "), clozes, Occurrences(text, "{{"), free_clozes, runs, [a for a, _ in runs])

    def cut(self, kind: str, pos: int, start: int, answered: bool) -> int | None:
        """Where an event at ``pos`` cuts the chunk that began at ``start``, or None."""
        colon = self.colons.within(start, pos)
        if (kind == "q" and (answered or colon or self.clozes.within(start, pos))) or (
            kind == "t" and answered and not colon
        ):
            return pos
        if kind == "c" and (colon or self.free_clozes.within(start, pos)):
            k = bisect_left(self.run_starts, pos) - 1
            if k < 0 or self.run_starts[k] < start or self.braces.within(self.runs[k][1], pos):
                return None
            return self.runs[k][1]
        return None


@dataclass(slots=True)
class _Answers:
    """The answers (``A:`` marks) the chunk holds, as `finditer` over it would pick them,
    read once as the chunk grows."""

    answers: list[tuple[int, int]]  # every place an `A:` mark matches (overlapping ones too), with its end
    starts: list[int]
    free: Callable[[int], bool]
    next: int = 0
    taken_to: int = 0
    answered: bool = False

    @classmethod
    def of(cls, text: str, free: Callable[[int], bool]) -> _Answers:
        answers = [(m.start(), m.end(1)) for m in _A_MARKS.finditer(text)]
        return cls(answers, [a for a, _ in answers], free)

    def held(self, pos: int) -> bool:
        """Whether the chunk up to ``pos`` holds a free answer."""
        while not self.answered and self.next < len(self.answers):
            at, end = self.answers[self.next]
            if at >= pos or (at >= self.taken_to and end > pos):
                break  # not in the chunk (yet)
            if at >= self.taken_to:
                self.taken_to, self.answered = end, self.free(at)
            self.next += 1
        return self.answered

    def restart(self, start: int) -> None:
        """A new chunk begins at ``start``."""
        self.next, self.taken_to, self.answered = bisect_left(self.starts, start), start, False


def _merge_prose_dashes(segs: list[_Seg]) -> list[_Seg]:
    """Put back ` - ` that joins short fragments at the end of a sentence.

    `…的思考方式,解题 - 回溯 - 重现构建.....` is one sentence, not three bullets: the
    previous block is a sentence that runs on (no closing punctuation), and what follows
    is two or more tiny fragments, or one that trails off in an ellipsis.
    """
    out: list[_Seg] = []
    i = 0
    while i < len(segs):
        prev = out[-1] if out else None
        if prev is not None and segs[i].kind == "b" and _runs_on(prev):
            j = i
            while j < len(segs) and segs[j].kind == "b" and _is_fragment(segs[j].text):
                j += 1
            frags = segs[i:j]
            if len(frags) >= 2 or (frags and frags[-1].text.endswith(_ELLIPSIS)):
                prev.text = " - ".join([prev.text, *(f.text for f in frags)])
                i = j
                continue
        out.append(segs[i])
        i += 1
    return out


def _runs_on(seg: _Seg) -> bool:
    text = seg.text
    if seg.kind not in ("b", "p") or _is_special(text):
        return False
    seen = _visible(text)
    return (len(seen) >= 30 or bool(re.search(r"[,，、]", seen))) and not seen.endswith(_TERMINAL)


def _is_fragment(text: str) -> bool:
    seen = _visible(text).rstrip(".…。")
    limit = _PROSE_FRAGMENT if _CJK.search(seen) else 2 * _PROSE_FRAGMENT  # ~2 English words
    return "](" not in text and len(seen) <= limit and len(seen.split()) <= 2 and not _SENTENCE_PUNCT.search(seen)


# ------------------------------------------------------------------ shapes


def _visible(text: str) -> str:
    """The words a reader sees: images dropped, wikilinks and links as their text, no
    emphasis marks. As ``re.sub`` with ``_IMAGE``, ``\\[\\[(?:[^\\]|]*\\|)?([^\\]]*)\\]\\]``
    and ``\\[([^\\]]*)\\]\\([^)\\s]*\\)`` in turn, in linear time (scan.bracket_spans)."""
    if "[" in text:
        text = _replace_brackets(text, links=True, wikilinks=True, image=True)
        text = _replace_brackets(text, links=False, wikilinks=True, image=False)
        text = _replace_brackets(text, links=True, wikilinks=False, image=False)
    return re.sub(r"\*\*|__|==|`", "", text).strip()


def _replace_brackets(text: str, *, links: bool, wikilinks: bool, image: bool) -> str:
    """``text`` with each (non-overlapping, leftmost first) link or wikilink span replaced:
    an image (``!`` before the ``[``) by nothing, else a wikilink by its alias (else its
    target) and a link by its text."""
    out: list[str] = []
    pos = 0
    for at, close, end in bracket_spans(text, links=links, wikilinks=wikilinks):
        start = at - 1 if image else at
        if start < pos or (image and text[start] != "!"):
            continue
        out.append(text[pos:start])
        if not image:
            wiki = text.startswith("[[", at) and text.startswith("]]", close)
            bar = text.find("|", at + 2, close) if wiki else -1
            out.append(text[bar + 1 if bar >= 0 else at + 2 if wiki else at + 1 : close])
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _width(text: str) -> float:
    """Visible length with a Latin letter worth 0.4 of a CJK character (about as much meaning)."""
    seen = _visible(text)
    cjk = len(_CJK.findall(seen))
    return cjk + 0.4 * (len(seen) - cjk)


def _is_image_only(text: str) -> bool:
    return bool(_IMAGE_ONLY.match(text.strip()))


def _is_case(text: str) -> bool:
    return bool(_CASE.match(text))


def _is_question(text: str) -> bool:
    return text.rstrip().endswith(("?", "？"))


def _is_special(text: str) -> bool:
    return _is_case(text) or _is_question(text) or _is_image_only(text)


def _is_label(seg: _Seg) -> bool:
    """A short term such as `- 软推理能力` or `- signal 与 noise`."""
    text = seg.text
    if seg.kind != "b" or "](" in text or "`" in text or _RESULT.match(text) or _is_case(text):
        return False
    seen = _visible(seg.text)
    return 0 < _width(seen) <= _SHORT_LABEL and len(seen.split()) <= 4 and not _SENTENCE_PUNCT.search(seen)


_QA_PAIR = re.compile(r"(?:^|\s)(?:Q|问)\s*[:：]\S.*?\s(?:A|答)\s*[:：]", re.S)
_QA_Q = re.compile(r"(?:^|\s)(?:Q|问)\s*[:：]\S")
_QA_A = re.compile(r"\s(?:A|答)\s*[:：]")


def _qa_pairs(text: str) -> int:
    """``len(_QA_PAIR.findall(text))`` in linear time: a pair's answer mark is the first
    after its question, and once a question has none, no later one has (the regex
    looked for one to the end of the text from every question)."""
    count, pos = 0, 0
    while (question := _QA_Q.search(text, pos)) is not None:
        answer = _QA_A.search(text, question.end())
        if answer is None:
            break
        count, pos = count + 1, answer.end()
    return count


def _looks_collapsed(segs: list[_Seg]) -> bool:
    count = {kind: sum(s.kind == kind for s in segs) for kind in "hbtn"}
    items = count["b"] + count["t"] + count["n"]
    bold_steps = sum(s.kind == "n" and s.text.startswith("**") for s in segs)
    # a note of explicit cards only: a heading, then Q:/A: (问/答) pairs run together
    qa_pairs = _qa_pairs(" ".join(s.text for s in segs))
    return (
        (count["h"] >= 2 and items >= 1)
        or (count["h"] >= 1 and items >= 4)
        or (count["t"] >= 2 and items >= 3)
        or (bold_steps >= 2 and count["b"] >= 2)
        or (count["h"] >= 1 and qa_pairs >= 3)
    )


# ------------------------------------------------------------------ nesting


def _nest(items: list[_Seg]) -> list[tuple[int, _Seg]]:
    """Give each bullet of a flat run its depth (0, 1 or 2) from the shape of the run.

    label → case → result is the deepest shape: `- 软推理能力`, `  - 案例1:…`, `    - 结果:…`.
    A label whose first child is not a case is a term and its explanation
    (`- Receive window`, `  - How many bytes …`): the group ends after that child, except
    for open questions about the term (a question that takes no answer of its own). A
    question that has its answer, or any other bullet, is a fact of its own at the top.
    """
    out: list[tuple[int, _Seg]] = []
    group = 0  # 1 while bullets sit under a label
    term = False  # the label's group is a term and its explanation, not a run of cases
    i = 0
    while i < len(items):
        item = items[i]
        nxt = items[i + 1] if i + 1 < len(items) else None
        if item.kind == "t":
            out.append((0, item))
            group = 0
            i += 1
            continue
        if _is_label(item) and nxt is not None and nxt.kind == "b" and not _is_label(nxt):
            out.append((0, item))
            group, term = 1, not _is_case(nxt.text)
            i += 1
            continue
        takes = nxt is not None and _takes_child(item, nxt, items[i + 1 : i + 2])
        if group and term and out[-1][0] == 1 and not (_is_question(item.text) and not takes):
            group = 0  # a term is explained once; only open questions about it may follow
        out.append((group, item))
        i += 1
        if takes:
            assert nxt is not None
            out.append((group + 1, nxt))
            i += 1
    return out


def _takes_child(item: _Seg, nxt: _Seg, after: list[_Seg]) -> bool:
    """Is `nxt` the answer to `item`: a case's result, a question's answer, a takeaway?"""
    if nxt.kind != "b" or _is_case(nxt.text):
        return False
    if _is_image_only(nxt.text):
        return _is_question(item.text)  # a figure can answer a question, not a figure
    if _is_case(item.text):
        return True
    if _is_label(nxt) and after and after[0].kind == "b" and not _is_label(after[0]):
        return False  # `nxt` is the label of a new group, not an answer
    if _is_image_only(item.text):
        return True
    if _is_question(item.text):
        return bool(_RESULT.match(nxt.text)) or (not _is_question(nxt.text) and _width(nxt.text) <= _SHORT_ANSWER)
    return False


# ------------------------------------------------------------------ rendering


def _render(segs: list[_Seg]) -> str:
    """Write the blocks as ordinary Markdown, one blank line between blocks."""
    blocks: list[str] = []
    i = 0
    while i < len(segs):
        seg = segs[i]
        if seg.kind == "h":
            blocks.append(f"{seg.mark} {seg.text}".rstrip())
            i += 1
        elif seg.kind == "p":
            blocks.append(seg.text)
            i += 1
        elif seg.kind == "n":
            lines: list[str] = []
            while i < len(segs) and segs[i].kind == "n":
                step = segs[i]
                lines.append(f"{step.mark}. {step.text}".rstrip())
                i, children = _take_items(segs, i + 1)
                lines.extend(_bullets(children, indent=len(step.mark) + 2))
            blocks.append("\n".join(lines))
        else:
            i, items = _take_items(segs, i)
            blocks.append("\n".join(_bullets(items, indent=0)))
    return "\n\n".join(blocks)


def _take_items(segs: list[_Seg], i: int) -> tuple[int, list[_Seg]]:
    start = i
    while i < len(segs) and segs[i].kind in ("b", "t"):
        i += 1
    return i, segs[start:i]


def _bullets(items: list[_Seg], indent: int) -> list[str]:
    lines: list[str] = []
    for depth, item in _nest(items):
        marker = f"- {item.mark} " if item.kind == "t" else "- "
        lines.append((" " * (indent + 2 * depth) + marker + item.text).rstrip())
    return lines
