"""The .apkg's zip, written by hand: fixed entry times, and big entries deflated on
every core.

Why not ``zipfile``: it deflates an entry in one stream on one core, and the
collection of a 10,000-note deck (~110 MB) took 0.7 s of a 2-second rebuild. Here a
big entry is cut into slices deflated in parallel threads (zlib releases the GIL), as
pigz does: each slice is a raw deflate stream primed with the 32 KiB before it
(``zdict``) and ended by a sync flush, so the slices join into one valid stream, and
the output is a function of the bytes alone (the same file gives the same zip). The
format is the plain one (no zip64: an entry or archive of 4 GiB or more is refused,
far above any deck) that every zip reader, Anki included, reads.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

#: Deflate level of every entry. Level 1 compresses the ~110 MB collection of a
#: 10,000-note vault in a third of the default level's time for ~15 % more bytes.
LEVEL = 1
#: Slice of a big entry deflated by one thread (and the unit a rebuild may reuse: one
#: edit changes a handful of the 105 slices of a 10,000-note collection).
SLICE = 1 << 20
#: zlib's window: the bytes before a slice that it may refer back to.
WINDOW = 32 << 10
_DOS_DATE = (1 << 5) | 1  # 1980-01-01, the earliest a zip can say
_DOS_TIME = 0
_LIMIT = 0xFFFFFFFF
_STORED, _DEFLATED = 0, 8  # zip compression methods
#: A final empty block: ends a stream of sync-flushed slices.
_END = zlib.compressobj(LEVEL, zlib.DEFLATED, -15).flush()


@dataclass(frozen=True, slots=True)
class Deflated:
    """Where the deflated slices of a file sit in a zip written here: the entry's data
    offset in the zip, each slice's deflated length and the CRC-32 of those deflated
    bytes, in order, and the CRC-32 of the whole file (what the zip says of it)."""

    offset: int
    lengths: tuple[int, ...]
    slice: int  # the slice size they were cut with
    crcs: tuple[int, ...] = ()  # of each slice's deflated bytes: a slice is copied only if they are still these
    crc: int = 0  # of the file the slices hold (the zip entry's CRC-32)


@dataclass(frozen=True, slots=True)
class Reuse:
    """The last zip of a file: the file as it was (``source``), the zip (``archive``)
    and where its slices sit there. A slice whose bytes, and the bytes of the slice
    before it (its zdict), are what they were is copied from the old zip, not deflated
    again: it would deflate to the same bytes. Copied only if the deflated bytes in the
    old zip are still what was written (their CRC-32): a zip damaged on disk since
    (bit rot, a bad sector) is deflated afresh, its damage never copied."""

    source: Path
    archive: Path
    deflated: Deflated


class ZipWriter:
    """Entries appended one after another to a seekable binary file; ``close`` writes
    the central directory. Entries get mode 0644 and the time 1980-01-01 00:00."""

    def __init__(self, handle: BinaryIO, *, threads: int | None = None) -> None:
        self._handle = handle
        self._start = handle.tell()
        self._entries: list[tuple[bytes, int, int, int, int, int]] = []  # name, method, crc, packed, size, offset
        self._threads = threads or min(
            4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        )

    def add_bytes(self, name: str, data: bytes, *, store: bool = False) -> None:
        """``store``: as they are, not deflated (for bytes that are compressed already,
        a PNG or a JPEG: deflate would spend time to gain nothing)."""
        if store:
            self._entry(name, iter([data]), lambda: (zlib.crc32(data), len(data)), method=_STORED)
            return
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        self._entry(name, iter([compressor.compress(data) + compressor.flush()]), lambda: (zlib.crc32(data), len(data)))

    def add_file(self, name: str, path: Path, *, reuse: Reuse | None = None) -> Deflated:
        """A file deflated a slice per thread, read a slice at a time (never whole);
        with ``reuse``, the unchanged slices are copied from the last zip instead."""
        state = [0, 0]  # crc, size: known once every slice is read
        lengths: list[int] = []
        crcs: list[int] = []

        def packed() -> Iterator[bytes]:
            with ExitStack() as stack:
                source = stack.enter_context(path.open("rb"))
                pool = stack.enter_context(ThreadPoolExecutor(self._threads))
                old = old_zip = None
                if reuse is not None and reuse.deflated.slice == SLICE:
                    old = stack.enter_context(reuse.source.open("rb"))
                    old_zip = stack.enter_context(reuse.archive.open("rb"))
                    starts = [reuse.deflated.offset]
                    for length in reuse.deflated.lengths:
                        starts.append(starts[-1] + length)
                running: deque[Future[bytes] | bytes] = deque()
                tail = b""
                same_before = True  # the slice before this one is as it was
                index = 0
                while chunk := source.read(SLICE):
                    state[0] = zlib.crc32(chunk, state[0])
                    state[1] += len(chunk)
                    same = old is not None and old.read(SLICE) == chunk
                    copied = None
                    if same and same_before and old_zip is not None and index < len(starts) - 1:  # noqa: SIM102
                        old_zip.seek(starts[index])
                        copied = old_zip.read(starts[index + 1] - starts[index])
                        if (
                            reuse is None
                            or index >= len(reuse.deflated.crcs)
                            or (zlib.crc32(copied) != reuse.deflated.crcs[index])
                        ):
                            copied = None  # not what was written there: deflated afresh
                    running.append(copied if copied is not None else pool.submit(_deflate, chunk, tail))
                    same_before = same
                    tail = chunk[-WINDOW:]
                    index += 1
                    while len(running) > self._threads:
                        yield _done(running.popleft(), lengths, crcs)
                while running:
                    yield _done(running.popleft(), lengths, crcs)
            yield _END

        offset = self._entry(name, packed(), lambda: (state[0], state[1]))
        # the last slice is never reused (as before: it ends the stream)
        return Deflated(offset, tuple(lengths[:-1]), SLICE, tuple(crcs[:-1]), state[0])

    def _entry(
        self, name: str, packed: Iterator[bytes], crc_and_size: Callable[[], tuple[int, int]], method: int = _DEFLATED
    ) -> int:
        """Write an entry; the offset of its data in the zip."""
        raw = name.encode("ascii")
        handle = self._handle
        offset = handle.tell() - self._start
        handle.write(_local(raw, method, 0, 0, 0))  # sizes and crc follow the data: written over once known
        written = 0
        for piece in packed:
            handle.write(piece)
            written += len(piece)
        crc, size = crc_and_size()
        if max(written, size, offset) >= _LIMIT:
            raise ValueError(f"{name}: 4 GiB or more does not fit a plain zip")
        end = handle.tell()
        handle.seek(self._start + offset)
        handle.write(_local(raw, method, crc, written, size))
        handle.seek(end)
        self._entries.append((raw, method, crc, written, size, offset))
        return offset + len(_local(raw, method, 0, 0, 0))

    def close(self) -> None:
        handle = self._handle
        directory = handle.tell() - self._start
        for raw, method, crc, packed, size, offset in self._entries:
            handle.write(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    (3 << 8) | 20,
                    20,
                    0,
                    method,
                    _DOS_TIME,
                    _DOS_DATE,
                    crc,
                    packed,
                    size,
                    len(raw),
                    0,
                    0,
                    0,
                    0,
                    0o644 << 16,
                    offset,
                )
                + raw
            )
        length = handle.tell() - self._start - directory
        count = len(self._entries)
        handle.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, length, directory, 0))


def _done(piece: Future[bytes] | bytes, lengths: list[int], crcs: list[int]) -> bytes:
    out = piece if isinstance(piece, bytes) else piece.result()
    lengths.append(len(out))
    crcs.append(zlib.crc32(out))
    return out


def _local(raw: bytes, method: int, crc: int, packed: int, size: int) -> bytes:
    return (
        struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, _DOS_TIME, _DOS_DATE, crc, packed, size, len(raw), 0)
        + raw
    )


def _deflate(chunk: bytes, tail: bytes) -> bytes:
    """One slice as a raw deflate stream that may refer back into ``tail`` (the bytes
    before it), ended by a sync flush so that the next slice can follow it."""
    compressor = (
        zlib.compressobj(LEVEL, zlib.DEFLATED, -15, zdict=tail) if tail else zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    )
    return compressor.compress(chunk) + compressor.flush(zlib.Z_SYNC_FLUSH)
