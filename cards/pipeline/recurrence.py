"""How often each note's lines recur across its vault, for the score: counted once per
build, kept short in the cache.

The score of a candidate depends on the other notes of its vault (judge/vault.py: a
heading every note has is a template's, not a fact). So a note's cached cards hold only
while the recurrence of its own lines stays what it was: its cache key names the
note's :meth:`~cards.judge.vault.Recurrence.signature` beside its bytes (collect.py).
When no note of a vault changed, neither did any signature: they come back from the
vault's cache record (made for the same notes with the same contents) without reading
a note.
Otherwise every note is read once more and its keys counted (about a quarter of a
millisecond a note), and only the notes whose signature moved are judged again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from types import MappingProxyType

import msgpack

from ..errors import CardsError
from ..judge.vault import NO_RECURRENCE, Recurrence, VaultKeys, note_keys
from ..notes.read import NoteFile, decode_note, read_note_bytes
from .cache import NoteCache

#: The cache record of a vault's signatures (cache.NoteCache.record): this prefix, then
#: the vault's root; it holds the hash of the vault's notes and contents it was made for.
RECORD = "recurrence:"


class VaultRecurrence:
    """The notes of one vault (with their bytes when already read, and with a ``cache``
    each one's content sha256 when known, which name the cache record): each note's
    signature, and its :class:`Recurrence` on demand."""

    def __init__(
        self,
        notes: Sequence[NoteFile],
        data: Sequence[bytes | None] = (),
        *,
        digests: Sequence[str | None] = (),
        cache: NoteCache | None = None,
        name: str = "",
    ) -> None:
        self.notes, self.data, self.cache = notes, data, cache
        self._found: list[Recurrence] | None = None
        self._contents = _contents(notes, digests) if cache is not None else None
        self._name = RECORD + name

    def signatures(self) -> list[str]:
        """Each note's signature, in order ("" for a note whose lines recur nowhere)."""
        cache, contents = self.cache, self._contents
        if cache is not None and contents is not None and self._found is None:
            kept = cache.record(self._name)
            try:
                held, signatures = msgpack.unpackb(kept, use_list=True, raw=False) if kept else ("", [])
                if held == contents and len(signatures) == len(self.notes):
                    if all(isinstance(s, str) for s in signatures):
                        return [str(s) for s in signatures]
            except (ValueError, TypeError, msgpack.ExtraData):
                pass  # damaged: counted again below
        signatures = [r.signature() for r in self.all()]
        if cache is not None and contents is not None:
            cache.put_record(self._name, msgpack.packb((contents, signatures), use_bin_type=True))
        return signatures

    def of(self, index: int) -> Recurrence:
        """Note ``index``'s recurrence (counting the vault's notes on first use)."""
        return self.all()[index]

    def all(self) -> list[Recurrence]:
        if self._found is None:
            counts = VaultKeys()
            keys = [self._keys(i) for i in range(len(self.notes))]
            for mine in keys:
                counts.add(mine)
            self._found = [counts.recurrence(mine) if mine else NO_RECURRENCE for mine in keys]
            self.data = ()  # the bytes are not needed again
        return self._found

    def _keys(self, index: int) -> frozenset[str]:
        note = self.notes[index]
        if note.skipped:
            return frozenset()
        data = self.data[index] if index < len(self.data) else None
        try:
            text = decode_note(data if data is not None else read_note_bytes(note), note.path)
        except CardsError:
            return frozenset()  # the build reports it where it reads the note
        return note_keys(text)


def note_bytes(notes: Sequence[NoteFile]) -> list[bytes | None]:
    """Each note's bytes, read once for its keys and its candidates (``preview
    --explain``, benchmarks/candidates.py); None for a note that cannot be read (the
    build reports why). A skipped note is read too: what it would have given is shown."""
    found: list[bytes | None] = []
    for note in notes:
        try:
            found.append(read_note_bytes(note))
        except CardsError:
            found.append(None)
    return found


def recurrence_of(buckets: dict[str, int] | None) -> Recurrence:
    """A Recurrence from its buckets as a worker process receives them."""
    return Recurrence(MappingProxyType(buckets)) if buckets else NO_RECURRENCE


def _contents(notes: Sequence[NoteFile], digests: Sequence[str | None]) -> str | None:
    """A hash of the notes' paths and contents: None when a note's content is unknown
    (it must be read anyway)."""
    if len(digests) != len(notes):
        return None
    digest = hashlib.sha256()
    for note, content in zip(notes, digests):
        if content is None and not note.skipped:
            return None
        digest.update(f"{note.path.as_posix()}\0{content or ''}\n".encode())
    return digest.hexdigest()
