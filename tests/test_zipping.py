"""The hand-written zip (zipping.py): what zip readers and Anki read, the same bytes
for the same input, and a big entry deflated in slices that join into one stream."""

from __future__ import annotations

import io
import os
import random
import zipfile
from pathlib import Path

import pytest

from cards import zipping
from cards.zipping import ZipWriter


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
    big = b"".join(rng.choice([b"the {{c1::mitochondrion}} makes ATP ", os.urandom(40)]) for _ in range(size // 37 + 1))[:size]
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
