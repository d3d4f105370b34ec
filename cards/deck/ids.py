"""Identity: the GUID of every card, the fixed note type ids, deck ids.

Anki matches an imported note to the one it has by GUID alone, and keeps its reviews.
So a GUID is a hash of what names the *fact*: the card kind, its note type and its
identity text (a Q/A card's question, a step's title, a phrase and its sentence),
width- and case-folded. It leaves out the answer, the deck, the folder, the file name,
the heading and the position, so editing those keeps every review.

What a hash cannot see (a typo fixed in a question) the build state beside the output
remembers: state.py matches a card that has no GUID yet to a card of the last build
that is gone now, by similar text in the same note. Without the state file, unchanged
cards still get their old GUIDs from the hash; only that edit-tracking is lost.

Two outputs never share a GUID (:func:`scoped_guid`): a new fact's GUID also hashes the
top-level deck its card goes into (``Vault`` of ``Vault::sub``), which names the
output, so the same fact synced from a subfolder to its own deck beside the whole
vault, or copied into a second vault, is two notes in one collection, never one note
two outputs fight over. The top-level deck and not the folder or the subdeck: moving
a note between folders keeps its GUID even without the state file. GUIDs made before
(:data:`SCHEME`, the fact alone) stay as they are: the state file carries every card's
GUID from build to build, and a note whose cards have such GUIDs gives its new facts
such GUIDs too (state.py), so a fact deleted and written again comes back as the same
Anki note, with its reviews.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence

from ..kinds import KINDS
from ..model import CLOZE, Card
from ..text import normalise

SCHEME = "cards/1"
#: The GUIDs of new facts since GUIDs are scoped by output (:func:`scoped_guid`).
SCOPED = "cards/2"

#: Note type ids, fixed forever: changing one makes Anki treat every note as new.
CLOZE_MODEL_ID = 1_742_931_207
BASIC_MODEL_ID = 1_742_931_208
REVERSED_MODEL_ID = 1_742_931_209
#: Every note type this tool writes: delivery (cards/deliver) touches notes of these
#: types only. A new note type's id goes here too (tests/test_deliver_plan.py checks).
MODEL_IDS: tuple[int, ...] = (CLOZE_MODEL_ID, BASIC_MODEL_ID, REVERSED_MODEL_ID)

_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"


def _hash64(*parts: str) -> int:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


#: Every two base91 digits, by their value (``91 * high + low``): a GUID's digits are
#: written two at a time, half the divisions of one at a time (a deck makes two GUIDs a card).
_PAIRS = tuple(high + low for high in _ALPHABET for low in _ALPHABET)


def guid_from(*parts: str) -> str:
    """A GUID in Anki's own base91 style (as genanki writes them): the hash's base91
    digits, most significant first, without leading zeros (``a`` for zero).

    >>> guid_from("x"), guid_from("a", "b") == guid_from("a\x1fb")
    ('h7CGD6+OW_', True)
    """
    value, out = _hash64(*parts), []
    while value >= len(_PAIRS):
        value, pair = divmod(value, len(_PAIRS))
        out.append(_PAIRS[pair])
    if value >= len(_ALPHABET):
        out.append(_PAIRS[value])
    elif value or not out:
        out.append(_ALPHABET[value])
    return "".join(reversed(out))


def scope_of(deck: str) -> str:
    """What names the output a card belongs to: its top-level deck, folded as Anki
    compares deck names (``Vault::sub`` and ``vault`` are one scope)."""
    return normalise(deck.split("::", 1)[0])


def scoped_guid(key: str, deck: str) -> str:
    """The GUID of a new fact with natural (or salted) key ``key`` whose card goes into
    ``deck``: the fact within its output (see the module doc).

    >>> scoped_guid("k", "Vault::a") == scoped_guid("k", "vault::b") != scoped_guid("k", "Other")
    True
    """
    return guid_from(SCOPED, scope_of(deck), key)


def deck_id(name: str) -> int:
    """A deck id in [2**30, 2**31) from the deck's full name (Anki matches decks by name)."""
    return (1 << 30) + _hash64("deck", name) % (1 << 30)


def natural_key(card: Card) -> str:
    return key_of(card.model, card.kind, card.identity)


#: Kinds whose cards the writer wrote as cards, in another tool's syntax (cards/kinds.py).
#: Their fact is the question or the clozed text whatever the syntax, so they are keyed
#: as the mined kind of the same shape: rewriting ``Q::A`` as a question bullet with its
#: answer nested under it, or an Obsidian_to_Anki block as ``Q:``/``A:``, keeps reviews.
WRITTEN_KINDS = frozenset(kind.name for kind in KINDS if kind.keyed == "shape")


def fact_kind(kind: str, model: str) -> str:
    """The kind a card's identity is keyed by (see :data:`WRITTEN_KINDS`).

    >>> fact_kind("osr", "basic"), fact_kind("o2a", "cloze"), fact_kind("steps", "cloze")
    ('qa', 'phrases', 'steps')
    """
    if kind in WRITTEN_KINDS:
        return "phrases" if model == CLOZE else "qa"
    return kind


def key_of(model: str, kind: str, identity: str) -> str:
    """The natural key of a card of this note type, kind and identity text."""
    return "\x1f".join((SCHEME, model, fact_kind(kind, model), normalise(identity)))


def natural_keys(cards: Sequence[Card], owners: Mapping[str, str] | None = None) -> list[str]:
    """One key per card, unique within the build (see :func:`unique_keys`)."""
    keys = unique_keys(
        [natural_key(c) for c in cards], lambda i: (cards[i].source.path.as_posix(), cards[i].context), owners
    )
    return [key_text(k) for k in keys]


#: A salted key, not yet spelled out: (natural key, note path, context, rank).
Salted = tuple[str, str, tuple[str, ...], int]


def key_text(key: str | Salted) -> str:
    """A key of :func:`unique_keys` as text (what the state file stores)."""
    if isinstance(key, str):
        return key
    natural, path, context, rank = key
    salted = "\x1f".join((natural, path, " › ".join(context)))
    return salted if rank == 1 else f"{salted}\x1f#{rank}"


def unique_keys(
    keys: Sequence[str],
    where: Callable[[int], tuple[str, tuple[str, ...]]],
    owners: Mapping[str, str] | None = None,
    outside: Collection[str] = (),
) -> list[str | Salted]:
    """Make the natural ``keys`` of a build unique; ``where(i)`` is card i's (note path, context).

    Two cards naming the same text (a step called "Setup" in two notes) are different
    facts. One of them keeps the plain key: the one whose note owned it last build
    (``owners``: key -> note path, from the state), else the first in path order, so a
    new note that repeats a title never takes the GUID of an old card. The others are
    told apart by note path and section, then by rank in source order (so a salted
    key depends on its own note only). ``outside``: keys whose plain form a card not
    in ``keys`` keeps (a build that patches a few notes, pipeline/incremental.py): all of their
    cards here are salted.

    A salted key comes back as a :data:`Salted` tuple, spelled out by :func:`key_text`
    when needed: a vault that repeats many texts held ~40 MiB of salted keys at once.
    """
    unique: list[str | Salted] = list(keys)
    counts = Counter(keys)  # at C speed; only the repeated keys are grouped below
    shared = {key for key in outside if key in counts}
    if len(counts) == len(keys) and not shared:
        return unique  # the usual case
    repeated = {key for key, count in counts.items() if count > 1} | shared
    del counts  # a table as long as the build: not kept while the salted keys are made
    groups: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        if key in repeated:
            groups.setdefault(key, []).append(index)
    for key, members in groups.items():
        owner_path = (owners or {}).get(key)
        owner = -1 if key in shared else next((i for i in members if where(i)[0] == owner_path), members[0])
        seen: Counter[tuple[str, str]] = Counter()  # (path, context text): one salted text
        for i in members:
            if i == owner:
                continue
            path, context = where(i)
            place = (path, " › ".join(context))
            seen[place] += 1
            unique[i] = (key, path, context, seen[place])
    return unique


def content_hash(card: Card, *, with_line: bool = True) -> str:
    """What Anki would show: when it changes, the note needs a newer modification time.

    ``with_line=False`` leaves out the source line, to tell a card whose text changed
    from one that only moved down because lines were added above it.
    """
    where = str(card.source) if with_line else card.source.path.as_posix()
    parts = (
        card.model,
        card.front,
        card.back,
        " › ".join(card.context),
        where,
        card.source_link,
        card.deck,
        " ".join(card.tags),
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]
