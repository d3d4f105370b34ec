"""The vault config, ``cards.toml``: what a build includes and where its cards go.

A vault carries its own settings so that ``cards build my-vault/`` does the same thing
every time, whoever runs it; CLI flags override the file for one run. Every key is
optional and a vault without ``cards.toml`` builds with the defaults::

    deck = "My Vault"             # root deck (default: the vault folder's name)
    output = "~/Anki/vault.apkg"  # relative to the vault root; ~ is your home
    include = ["**/*.md"]
    exclude = ["drafts/**"]       # added to the built-in excludes (hidden folders)
    tag_prefix = "cards"
    only_tagged = ["anki"]        # only notes tagged #anki (or #anki/...) give cards
    density = "normal"            # few | normal | all: how sure the score must be to keep a card

    [kinds]
    figure = false

    [decks]
    "lectures/bio" = "Biology"

    [sync]                        # cards sync and watch --sync (not the cards)
    anki_connect = "http://127.0.0.1:8765"
    api_key = "..."               # AnkiConnect's apiKey, if it has one

A mistake in the file is a :class:`ConfigError` whose message starts with
``cards.toml:LINE:`` like a compiler's, says what is wrong and how to fix it. tomllib
does not report where a key was written, so :func:`_key_lines` scans the text for it.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

from .kinds import NAMES
from .untrusted import SETTINGS_LIMIT, UnsafeFile, read_in_vault

#: The densities a user chooses from, fewest cards first (judge/score.py holds their thresholds).
DENSITIES: tuple[str, ...] = ("few", "normal", "all")
DEFAULT_DENSITY = "normal"

__all__ = [
    "KINDS",
    "DENSITIES",
    "DEFAULT_DENSITY",
    "CONFIG_NAME",
    "Config",
    "ConfigError",
    "SyncSettings",
    "load_config",
    "load_sync",
]

KINDS: tuple[str, ...] = NAMES  # every card kind, in the order they run (kinds.py)
CONFIG_NAME = "cards.toml"
DEFAULT_INCLUDE: tuple[str, ...] = ("**/*.md", "**/*.markdown")

# Top-level keys and, for the error hints, a sample of each written correctly.
_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "deck": 'deck = "My Vault"',
        "output": 'output = "~/Anki/vault.apkg"',
        "include": 'include = ["**/*.md"]',
        "exclude": 'exclude = ["drafts/**"]',
        "tag_prefix": 'tag_prefix = "cards"',
        "only_tagged": 'only_tagged = ["anki"]',
        "density": 'density = "normal"  (or "few", or "all")',
        "kinds": "[kinds] with lines like figure = false",
        "decks": '[decks] with lines like "lectures/bio" = "Biology"',
        "sync": '[sync] with lines like api_key = "..." and anki_connect = "http://127.0.0.1:8765"',
    }
)
_SYNC_KEYS: Mapping[str, str] = MappingProxyType(
    {"anki_connect": 'anki_connect = "http://127.0.0.1:8765"', "api_key": 'api_key = "your AnkiConnect apiKey"'}
)


class ConfigError(Exception):
    """A problem in ``cards.toml``, located at a line so the user can go straight to it.

    ``str(error)`` is ``cards.toml:LINE: message``: the name only, because the file
    always sits at the vault root and the rest of the tool names files relative to it.
    """

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path.name}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Config:
    """Settings for one build, from ``cards.toml`` and then the CLI flags.

    ``decks`` maps a vault folder (posix, relative, no trailing slash) to a full deck
    name. ``kinds`` is the set of card kinds that are switched on.
    """

    deck: str | None = None
    output: Path | None = None
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    tag_prefix: str = ""
    #: Only notes carrying one of these tags give cards (empty: every note); tags as
    #: the note's Anki tags spell them (``bio::cells`` for ``#bio/cells``), no ``#``.
    only_tagged: tuple[str, ...] = ()
    kinds: frozenset[str] = frozenset(KINDS)
    #: How sure the score must be that a learner keeps a mined card (judge/score.py):
    #: "few" keeps the surest, "normal" the default, "all" every candidate that breaks no
    #: hard rule. Cards the author wrote are always kept.
    density: str = DEFAULT_DENSITY
    # hash=False: a mapping proxy is unhashable, and a Config should still be usable as a key.
    decks: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    path: Path | None = None

    def with_overrides(self, **flags: Any) -> Config:
        """Return a copy with each flag that is not None replacing the file's value.

        The CLI passes every option it has, set or not; None means "not given on the
        command line", so the file (or the default) stays in force. Values are
        coerced to the field types (a list becomes a tuple, a str path a Path) so
        callers can pass what click gives them.
        """
        fields = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(flags) - fields)
        if unknown:
            raise TypeError(f"unknown config field(s): {', '.join(unknown)}")
        changes: dict[str, Any] = {}
        for name, value in flags.items():
            if value is None:
                continue
            if name in ("output", "path"):
                value = Path(value)
            elif name in ("include", "exclude", "only_tagged"):
                value = (value,) if isinstance(value, str) else tuple(value)
            elif name == "kinds":
                value = frozenset(value)
            elif name == "decks":
                value = MappingProxyType({_norm_folder(k): v for k, v in dict(value).items()})
            changes[name] = value
        return dataclasses.replace(self, **changes)

    def deck_for_folder(self, folder: PurePosixPath, root_deck: str) -> str:
        """The deck for notes in ``folder`` (relative to the vault root).

        The longest folder in ``decks`` that is ``folder`` or one of its parents wins,
        so a mapping for ``lectures/bio`` beats one for ``lectures``. Without a
        mapping the folders become subdecks: ``a/b`` -> ``root::a::b``.
        """
        parts = tuple(p for p in folder.parts if p not in ("", "."))
        best: tuple[int, str] | None = None
        for key, deck in self.decks.items():
            key_parts = tuple(PurePosixPath(key).parts)
            if parts[: len(key_parts)] == key_parts and (best is None or len(key_parts) > best[0]):
                best = (len(key_parts), deck)
        if best is not None:
            return best[1]
        return "::".join((root_deck, *parts))

    def is_included(self, rel: PurePosixPath) -> bool:
        """Whether the file at ``rel`` (relative to the vault root) is a note to build.

        Hidden files and anything in a hidden folder (``.obsidian``, ``.trash``,
        ``.git``) never are. Otherwise the path must match an ``include`` glob and no
        ``exclude`` glob; an exclude glob also matches when it names a parent folder,
        so ``exclude = ["drafts"]`` works as well as ``"drafts/**"``. Globs are
        anchored at the vault root: ``*`` stays inside one folder, ``**`` spans any
        number of folders, including none (``**/*.md`` matches ``a.md``).
        """
        text = rel.as_posix()
        if any(part.startswith(".") and part not in (".", "..") for part in rel.parts):
            return False
        if not any(_glob(p).match(text) for p in self.include):
            return False
        return not self._excluded(rel)

    def excludes_folder(self, rel: PurePosixPath) -> bool:
        """Whether no file under folder ``rel`` can be included, so a walk may skip it.

        Lets the reader prune ``.obsidian`` or a big excluded ``drafts/`` tree without
        listing it.
        """
        if any(part.startswith(".") and part not in (".", "..") for part in rel.parts):
            return True
        return self._excluded(rel)

    def _excluded(self, rel: PurePosixPath) -> bool:
        if not self.exclude:
            return False  # the usual case: no folder prefixes to make for every note
        parts = rel.parts
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        return any(_glob(p).match(prefix) for p in self.exclude for prefix in prefixes)


@dataclass(frozen=True)
class SyncSettings:
    """``cards.toml``'s ``[sync]``: how ``cards sync`` reaches Anki when no flag says.

    Kept out of :class:`Config` on purpose: they never shape a card, and everything in
    a Config counts as card-shaping for the build's cache.
    """

    anki_connect: str | None = None
    api_key: str | None = None


# ---------------------------------------------------------------- globs


@lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """Compile a root-anchored glob into a regex over posix paths.

    fnmatch is not enough: its ``*`` crosses ``/`` and it has no ``**``, so
    ``**/*.md`` would miss ``a.md`` at the root.
    """
    pattern = pattern.replace("\\", "/").strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    pattern = pattern.strip("/")
    segments = [s for s in pattern.split("/") if s not in ("", ".")] or [""]
    out = []
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == "**":
            out.append(".*" if last else "(?:[^/]+/)*")
        else:
            out.append(_segment(seg) + ("" if last else "/"))
    return re.compile("".join(out) + r"\Z")


def _segment(seg: str) -> str:
    """Translate one path segment of a glob: ``*``, ``?`` and ``[...]`` classes."""
    out: list[str] = []
    i = 0
    while i < len(seg):
        c = seg[i]
        if c == "*":
            while i + 1 < len(seg) and seg[i + 1] == "*":
                i += 1
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = i + 1
            if j < len(seg) and seg[j] in "!^":
                j += 1
            if j < len(seg) and seg[j] == "]":
                j += 1
            while j < len(seg) and seg[j] != "]":
                j += 1
            if j >= len(seg):
                out.append(re.escape(c))
            else:
                body = seg[i + 1 : j]
                negate = body[:1] in ("!", "^")
                if negate:
                    body = body[1:]
                body = body.replace("\\", "\\\\")
                out.append(f"[{'^/' if negate else ''}{body}]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


# ---------------------------------------------------------------- loading


def load_config(root: Path) -> Config:
    """Read ``root/cards.toml`` into a :class:`Config`; ``Config()`` if there is none.

    ``output`` is resolved against ``root`` so that the build writes to the same place
    whatever the current directory is.
    """
    read = _read(root)
    if read is None:
        return Config()
    path, raw, text = read
    return _validate(raw, path, root, text)


def load_sync(root: Path) -> SyncSettings:
    """``root/cards.toml``'s ``[sync]`` (:class:`SyncSettings`; empty without the file)."""
    read = _read(root)
    if read is None:
        return SyncSettings()
    path, raw, text = read
    lines = _key_lines(text)
    return _validate_sync(raw.get("sync", {}), lambda key, message: ConfigError(path, _line_of(lines, key), message))


def _read(root: Path) -> tuple[Path, dict[str, Any], str] | None:
    """``root/cards.toml`` parsed: its path, its TOML, its text (None: there is none)."""
    path = root / CONFIG_NAME
    if not path.is_file():
        if path.exists():
            raise ConfigError(path, 1, f"{CONFIG_NAME} is not a file; remove it or make it a file")
        return None
    try:
        data, _ = read_in_vault(root, path, limit=SETTINGS_LIMIT)
    except UnsafeFile as exc:
        raise ConfigError(path, 1, f"{exc.strerror}; it is not read. Make it a file of the vault") from exc
    except OSError as exc:
        raise ConfigError(path, 1, f"cannot read the file ({exc.strerror}); check its permissions") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            path, 1, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the file as UTF-8"
        ) from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(path, text, exc) from exc
    return path, raw, text


def _syntax_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> ConfigError:
    """Turn tomllib's message into ours, with the line it names.

    tomllib says "(at end of document)" for unclosed values and sometimes for a key set
    twice ("cannot overwrite a value"); a duplicate we find ourselves, so the message
    names the key and points at its second assignment.
    """
    msg = str(exc)
    m = re.search(r"\s*\(at line (\d+), column (\d+)\)$", msg)
    detail = msg[: m.start()] if m else re.sub(r"\s*\(at end of document\)$", "", msg)
    detail = detail[:1].lower() + detail[1:]
    if detail.startswith("cannot overwrite a value"):
        dup = _duplicate_key(text)
        if dup is not None:
            line, key = dup
            return ConfigError(path, line, f"invalid TOML: {key} is set twice; keep only one of them")
    if m:
        return ConfigError(
            path, int(m.group(1)), f"invalid TOML at column {m.group(2)}: {detail}; fix the syntax there"
        )
    lines = text.splitlines()
    last = max((i + 1 for i, ln in enumerate(lines) if ln.strip()), default=1)
    return ConfigError(path, last, f"invalid TOML at end of file: {detail}; close the value or table opened above")


# Builds the error for a key path; _validate hands it to the table checkers.
_Fail = Callable[[tuple[str, ...], str], ConfigError]


def _validate(raw: dict[str, Any], path: Path, root: Path, text: str) -> Config:
    """Check the parsed TOML against the schema and build the Config.

    Every error names the line of the offending key: the user fixes a config by
    looking at it, not by searching for a key name.
    """
    lines = _key_lines(text)

    def fail(key: tuple[str, ...], message: str) -> ConfigError:
        return ConfigError(path, _line_of(lines, key), message)

    values: dict[str, Any] = {"path": path}
    for key in raw:
        if key not in _KEYS:
            raise fail((key,), f"unknown key {_q(key)}; {_suggest(key, _KEYS)}")

    if "deck" in raw:
        values["deck"] = _validate_deck(raw["deck"], fail)
    if "output" in raw:
        values["output"] = _validate_output(raw["output"], root, fail)
    for key in ("include", "exclude"):
        if key in raw:
            values[key] = _validate_globs(key, raw[key], fail)
    if "tag_prefix" in raw:
        values["tag_prefix"] = _validate_tag_prefix(raw["tag_prefix"], fail)
    checks: dict[str, Callable[[Any, _Fail], Any]] = {
        "density": _validate_density,
        "only_tagged": _validate_only_tagged,
        "kinds": _validate_kinds,
        "decks": _validate_decks,
    }
    for key, check in checks.items():
        if key in raw:
            values[key] = check(raw[key], fail)

    if "sync" in raw:
        _validate_sync(raw["sync"], fail)  # a mistake there is told by every command, as any other

    return Config(**values)


def _validate_deck(deck: Any, fail: _Fail) -> str:
    if not isinstance(deck, str):
        raise fail(("deck",), f'"deck" must be a string; write {_KEYS["deck"]}')
    if not deck.strip():
        raise fail(("deck",), f'"deck" is empty; name the root deck, e.g. {_KEYS["deck"]}, or remove the line')
    return deck.strip()


def _validate_output(output: Any, root: Path, fail: _Fail) -> Path:
    if not isinstance(output, str) or not output.strip():
        raise fail(("output",), f'"output" must be a file path string; write {_KEYS["output"]}')
    if not output.strip().lower().endswith(".apkg"):
        raise fail(("output",), f'"output" must end in .apkg (Anki imports only that); write {_KEYS["output"]}')
    return root / Path(output.strip()).expanduser()  # an absolute path replaces root


def _validate_globs(key: str, globs: Any, fail: _Fail) -> tuple[str, ...]:
    if not isinstance(globs, list) or not all(isinstance(g, str) for g in globs):
        raise fail((key,), f"{_q(key)} must be a list of strings; write {_KEYS[key]}")
    if key == "include" and not [g for g in globs if g.strip()]:
        raise fail((key,), f'"include" is empty, so no note would build; write {_KEYS[key]} or remove the line')
    return tuple(g.strip() for g in globs if g.strip())


def _validate_tag_prefix(prefix: Any, fail: _Fail) -> str:
    if not isinstance(prefix, str):
        raise fail(("tag_prefix",), f'"tag_prefix" must be a string; write {_KEYS["tag_prefix"]}')
    if any(ch.isspace() for ch in prefix):
        raise fail(("tag_prefix",), '"tag_prefix" contains a space, which Anki tags cannot; use "_" or "::" instead')
    return prefix.strip(":")


def _validate_sync(table: Any, fail: _Fail) -> SyncSettings:
    if not isinstance(table, dict):
        raise fail(("sync",), f'"sync" must be a table; write {_KEYS["sync"]}')
    values: dict[str, str] = {}
    for key, value in table.items():
        if key not in _SYNC_KEYS:
            raise fail(("sync", key), f"unknown key {_q(key)} in [sync]; {_suggest(key, _SYNC_KEYS)}")
        if not isinstance(value, str) or not value.strip():
            raise fail(("sync", key), f'"sync.{key}" must be a non-empty string; write {_SYNC_KEYS[key]}')
        values[key] = value.strip()
    return SyncSettings(**values)


def _validate_density(density: Any, fail: _Fail) -> str:
    if density not in DENSITIES:
        raise fail(("density",), f'"density" must be one of {", ".join(map(_q, DENSITIES))}; write {_KEYS["density"]}')
    return str(density)


def _validate_only_tagged(tags: Any, fail: _Fail) -> tuple[str, ...]:
    """Tags written as in a note (``#anki``, ``anki``, ``bio/cells``) -> as Anki spells them."""
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise fail(("only_tagged",), f'"only_tagged" must be a list of tags; write {_KEYS["only_tagged"]}')
    cleaned = []
    for tag in tags:
        name = tag.strip().lstrip("#").replace("/", "::")
        if not name:
            raise fail(
                ("only_tagged",), f'"only_tagged" holds an empty tag; write {_KEYS["only_tagged"]} or remove the line'
            )
        if any(ch.isspace() for ch in name):
            raise fail(
                ("only_tagged",),
                f'tag {_q(tag)} in "only_tagged" contains a space, which a tag cannot; '
                f"write it as in your notes, e.g. {_KEYS['only_tagged']}",
            )
        cleaned.append(name)
    return tuple(dict.fromkeys(cleaned))


def _validate_kinds(table: Any, fail: _Fail) -> frozenset[str]:
    if not isinstance(table, dict):
        raise fail(("kinds",), f'"kinds" must be a table; write {_KEYS["kinds"]}')
    enabled = set(KINDS)
    for name, on in table.items():
        if name not in KINDS:
            raise fail(("kinds", name), f"unknown card kind {_q(name)} in [kinds]; {_suggest(name, KINDS)}")
        if not isinstance(on, bool):
            raise fail(("kinds", name), f'"kinds.{name}" must be true or false; write {name} = false')
        (enabled.add if on else enabled.discard)(name)
    return frozenset(enabled)


def _validate_decks(table: Any, fail: _Fail) -> Mapping[str, str]:
    if not isinstance(table, dict):
        raise fail(("decks",), f'"decks" must be a table; write {_KEYS["decks"]}')
    decks: dict[str, str] = {}
    for folder, deck in table.items():
        where = ("decks", folder)
        if not isinstance(deck, str):
            raise fail(where, f'deck for folder {_q(folder)} must be a string; write {_q(folder)} = "Biology"')
        if not deck.strip():
            raise fail(where, f"deck for folder {_q(folder)} is empty; name a deck or remove the line")
        norm = _norm_folder(folder)
        if not norm:
            raise fail(where, f'folder {_q(folder)} in [decks] is the vault root; set deck = "..." at the top instead')
        if norm.startswith("/") or ".." in norm.split("/"):
            raise fail(
                where, f"folder {_q(folder)} in [decks] is outside the vault; write it relative to the vault root"
            )
        decks[norm] = deck.strip()
    return MappingProxyType(decks)


def _norm_folder(folder: str) -> str:
    """``./lectures\\bio/`` -> ``lectures/bio``; the root folder -> ``""``."""
    text = folder.replace("\\", "/").strip()
    absolute = text.startswith("/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    return ("/" if absolute else "") + "/".join(parts)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _suggest(word: str, known: Iterable[str]) -> str:
    """The fix part for an unknown name: the closest known one, or the whole list."""
    known = list(known)
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean {_q(close[0])}?"
    return "known: " + ", ".join(known)


# ---------------------------------------------------------------- locating keys

_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"(?:[^"\\]|\\.)*"'
_LITERAL = r"'[^']*'"
_KEY_PART = re.compile(rf"\s*({_BARE}|{_BASIC}|{_LITERAL})\s*")
_HEADER = re.compile(r"\s*\[(?!\[)(.*?)\]\s*(?:#.*)?$")
_ARRAY_HEADER = re.compile(r"\s*\[\[(.*?)\]\]\s*(?:#.*)?$")


def _parse_key(text: str) -> tuple[tuple[str, ...], str] | None:
    """Parse a dotted TOML key at the start of ``text``: (parts, the rest)."""
    parts: list[str] = []
    pos = 0
    while True:
        m = _KEY_PART.match(text, pos)
        if not m:
            return None
        token = m.group(1)
        if token.startswith('"'):
            token = _unescape(token[1:-1])
        elif token.startswith("'"):
            token = token[1:-1]
        parts.append(token)
        pos = m.end()
        if pos < len(text) and text[pos] == ".":
            pos += 1
            continue
        return tuple(parts), text[pos:]


def _unescape(body: str) -> str:
    try:
        value = tomllib.loads(f'k = "{body}"')["k"]
    except tomllib.TOMLDecodeError:
        return body
    return str(value)


def _key_lines(text: str) -> list[tuple[int, tuple[str, ...]]]:
    """Every table header and key assignment in the text: (line, full dotted path).

    A line-based scan, good enough for a config file: it skips the insides of
    multi-line strings, and keys inside an inline table are reported at the line of
    the table's own key, which is where a user would look.
    """
    found: list[tuple[int, tuple[str, ...]]] = []
    table: tuple[str, ...] = ()
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        if _ARRAY_HEADER.match(line):
            table = ("\0",)  # arrays of tables are not part of our schema
            continue
        m = _HEADER.match(line)
        if m:
            parsed = _parse_key(m.group(1))
            if parsed and not parsed[1].strip():
                table = parsed[0]
                found.append((number, table))
            continue
        parsed = _parse_key(line)
        if parsed and parsed[1].startswith("="):
            found.append((number, table + parsed[0]))
            rest = parsed[1]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_multiline = quote
    return found


def _line_of(lines: list[tuple[int, tuple[str, ...]]], key: tuple[str, ...]) -> int:
    """The line where ``key`` is set, else where its nearest parent is, else 1."""
    for n in range(len(key), 0, -1):
        want = key[:n]
        for number, path in lines:
            if path == want:
                return number
    return 1


def _duplicate_key(text: str) -> tuple[int, str] | None:
    """The second place a key or table is defined, for tomllib's line-less overwrite error."""
    seen: set[tuple[str, ...]] = set()
    for number, path in _key_lines(text):
        if path in seen:
            return number, _q(".".join(path))
        seen.add(path)
    return None
