"""The hand-written zip (zipping.py): what zip readers and Anki read, the same bytes
for the same input, and a big entry deflated in slices that join into one stream."""

from __future__ import annotations

import io
import os
import random
import zipfile
from pathlib import Path

import pytest

from cards.deck import zipping
from cards.deck.zipping import ZipWriter


def _archive(tmp_path: Path, big: bytes, threads: int) -> bytes:
    source = tmp_path / "big.bin"
    source.write_bytes(big)
    out = io.BytesIO()
    archive = ZipWriter(out, threads=threads)
    archive.add_file("collection.anki2", source)
    archive.add_bytes("media", b'{"0": "cell.png"}')
    archive.add_bytes("0", b"")
    archive.close()
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, 100_000, 1_000_003])
def test_zip_readers_read_it_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    monkeypatch.setattr(zipping, "SLICE", 64 << 10)  # many slices, each primed with the one before
    rng = random.Random(size)
    # text that repeats across slice borders (back-references into the slice before) and noise
    big = b"".join(
        rng.choice([b"the {{c1::mitochondrion}} makes ATP ", os.urandom(40)]) for _ in range(size // 37 + 1)
    )[:size]
    data = _archive(tmp_path, big, threads=2)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["collection.anki2", "media", "0"]
        assert archive.read("collection.anki2") == big
        assert archive.read("media") == b'{"0": "cell.png"}' and archive.read("0") == b""
        info = archive.getinfo("collection.anki2")
        assert info.date_time == (1980, 1, 1, 0, 0, 0) and info.compress_type == zipfile.ZIP_DEFLATED
        assert (info.external_attr >> 16) & 0o777 == 0o644
    assert _archive(tmp_path, big, threads=1) == data  # a function of the bytes, not of the threads


def test_a_compressible_file_is_compressed(tmp_path: Path) -> None:
    data = _archive(tmp_path, b"abc" * 1_000_000, threads=2)
    assert len(data) < 60_000


def test_a_rezip_reuses_the_unchanged_slices_and_gives_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cards.deck.zipping import Reuse

    monkeypatch.setattr(zipping, "SLICE", 64 << 10)
    rng = random.Random(7)
    old_bytes = b"".join(
        rng.choice([b"What is osmosis? Water crossing a membrane. ", os.urandom(30)]) for _ in range(40_000)
    )
    new_bytes = bytearray(old_bytes)
    new_bytes[300_000:300_010] = b"0123456789"  # one slice changed (and the next one's zdict)
    new_bytes += b"appended " * 5000  # and a longer file
    old_file, new_file, old_zip = tmp_path / "old.bin", tmp_path / "new.bin", tmp_path / "old.zip"
    old_file.write_bytes(old_bytes)
    new_file.write_bytes(bytes(new_bytes))
    with old_zip.open("wb") as handle:
        writer = ZipWriter(handle, threads=2)
        writer.add_bytes("first", b"an entry before, so the offset is not 0")
        deflated = writer.add_file("collection.anki2", old_file)
        writer.close()

    calls: list[int] = []
    real = zipping._deflate
    monkeypatch.setattr(zipping, "_deflate", lambda chunk, tail: calls.append(1) or real(chunk, tail))

    def zip_new(reuse: Reuse | None) -> bytes:
        out = io.BytesIO()
        writer = ZipWriter(out, threads=2)
        writer.add_file("collection.anki2", new_file, reuse=reuse)
        writer.close()
        return out.getvalue()

    fresh = zip_new(None)
    slices = len(calls)
    calls.clear()
    reused = zip_new(Reuse(old_file, old_zip, deflated))
    assert reused == fresh
    assert (
        len(calls) <= 2 + (len(new_bytes) - len(old_bytes)) // (64 << 10) + 2 < slices
    )  # only the changed and the new slices
    with zipfile.ZipFile(io.BytesIO(reused)) as archive:
        assert archive.read("collection.anki2") == bytes(new_bytes)


def test_bytes_compressed_already_are_stored_as_they_are(tmp_path: Path) -> None:
    photo = os.urandom(50_000)  # as good as a JPEG: deflate gains nothing
    out = io.BytesIO()
    archive = ZipWriter(out)
    archive.add_bytes("0", photo, store=True)
    archive.add_bytes("media", b'{"0": "photo.jpg"}')
    archive.close()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as read:
        assert read.testzip() is None and read.read("0") == photo
        assert (
            read.getinfo("0").compress_type == zipfile.ZIP_STORED
            and read.getinfo("media").compress_type == zipfile.ZIP_DEFLATED
        )
