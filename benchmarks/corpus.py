"""Lay out the development corpus (benchmarks/corpus.toml) from local clones.

    python benchmarks/corpus.py --mirror /work/.mirror --out /work/corpus [--force]

For each repository listed in corpus.toml, finds its local clone under MIRROR (a bare
git directory at ``MIRROR/<owner>+<name>/repo`` or ``MIRROR/<owner>+<name>``, or a
normal clone at either place), and writes the files of the pinned commit (only its ``subfolder``
when one is given) into ``OUT/<owner>+<name>/``, with ``git archive``. It never
downloads anything: a repository without a local clone, or whose clone lacks the
pinned commit, is reported and skipped (exit status 1). A clone may lack some large
blobs (PDFs, plugin bundles): then the files are written one by one from the pinned tree
and the missing ones are named (``absent``), never silently dropped.

Why a script and not a copy in the repository: the notes are other people's text; the
project keeps only their names and commits, so the corpus can be rebuilt byte for byte.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tarfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_LIST = HERE / "corpus.toml"


@dataclass(frozen=True, slots=True)
class Entry:
    """One pinned repository of the corpus."""

    repo: str  # owner/name
    commit: str
    subfolder: str = ""
    style: str = ""

    @property
    def slug(self) -> str:
        """The folder name under OUT: ``owner+name`` (as the mirror names it)."""
        return self.repo.replace("/", "+")


def load_entries(path: Path = DEFAULT_LIST) -> list[Entry]:
    """The repositories of corpus.toml, checked: owner/name, a 40-hex commit, unique.

    >>> import tempfile, os
    >>> p = Path(tempfile.mkdtemp()) / "c.toml"
    >>> _ = p.write_text('[[repo]]\\nrepo = "a/b"\\ncommit = "' + "0" * 40 + '"\\nstyle = "x"\\n')
    >>> load_entries(p)[0].slug
    'a+b'
    """
    data = tomllib.loads(path.read_text("utf-8"))
    entries = []
    for n, raw in enumerate(data.get("repo", []), 1):
        unknown = set(raw) - {"repo", "commit", "subfolder", "style"}
        if unknown:
            raise ValueError(f"{path}: repo #{n}: unknown keys {sorted(unknown)}")
        entry = Entry(raw["repo"], raw["commit"], raw.get("subfolder", "").strip("/"), raw.get("style", ""))
        owner, _, name = entry.repo.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"{path}: repo #{n}: {entry.repo!r} is not owner/name")
        if len(entry.commit) != 40 or any(c not in "0123456789abcdef" for c in entry.commit):
            raise ValueError(f"{path}: {entry.repo}: commit must be 40 lowercase hex digits")
        entries.append(entry)
    slugs = [e.slug for e in entries]
    if len(set(slugs)) != len(slugs):
        raise ValueError(f"{path}: a repository is listed twice")
    return entries


def git_dir(mirror: Path, entry: Entry) -> Path | None:
    """The local git directory of ``entry`` under ``mirror``, or None."""
    base = mirror / entry.slug
    for candidate in (base / "repo", base / "repo" / ".git", base, base / ".git"):
        if (candidate / "objects").is_dir() and (candidate / "HEAD").exists():
            return candidate
    return None


def _git(gitdir: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", f"--git-dir={gitdir}", *args], capture_output=True, check=False)


def archive(gitdir: Path, entry: Entry) -> bytes:
    """A tar of the pinned commit (its subfolder only, when given)."""
    treeish = f"{entry.commit}:{entry.subfolder}" if entry.subfolder else entry.commit
    done = _git(gitdir, "archive", "--format=tar", treeish)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode("utf-8", "replace").strip() or f"git archive {treeish} failed")
    return done.stdout


def blobs(gitdir: Path, entry: Entry) -> tuple[dict[str, bytes], list[str]]:
    """Every file of the pinned tree read blob by blob: (path -> bytes, paths absent).

    The slow path for a clone that lacks some objects, where ``git archive`` fails.
    Symlinks and submodules are left out (a vault's notes are regular files).
    """
    treeish = f"{entry.commit}:{entry.subfolder}" if entry.subfolder else entry.commit
    listing = _git(gitdir, "ls-tree", "-r", "-z", treeish)
    if listing.returncode != 0:
        raise RuntimeError(listing.stderr.decode("utf-8", "replace").strip())
    wanted: list[tuple[str, str]] = []
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode in (b"100644", b"100755"):
            wanted.append((sha.decode(), name.decode("utf-8", "surrogateescape")))
    request = "".join(f"{sha}\n" for sha, _ in wanted).encode()
    done = subprocess.run(
        ["git", f"--git-dir={gitdir}", "cat-file", "--batch"], input=request, capture_output=True, check=False
    )
    out, pos = done.stdout, 0
    files: dict[str, bytes] = {}
    absent: list[str] = []
    for sha, name in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] == b"missing":
            absent.append(name)
            continue
        size = int(header[2])
        files[name] = out[pos : pos + size]
        pos += size + 1
    return files, absent


def lay_out(entry: Entry, mirror: Path, out: Path, *, force: bool = False) -> Path:
    """Write ``entry``'s files into ``out/<slug>`` (kept when it exists, unless ``force``)."""
    target = out / entry.slug
    stamp = target / ".corpus-commit"
    if target.exists() and not force and stamp.exists() and stamp.read_text().strip() == entry.commit:
        return target
    gitdir = git_dir(mirror, entry)
    if gitdir is None:
        raise FileNotFoundError(f"{entry.repo}: no local clone under {mirror / entry.slug}")
    if _git(gitdir, "cat-file", "-e", f"{entry.commit}^{{commit}}").returncode != 0:
        raise LookupError(f"{entry.repo}: commit {entry.commit} is not in {gitdir}")
    partial = out / f".{entry.slug}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    absent: list[str] = []
    try:
        data = archive(gitdir, entry)
    except RuntimeError:
        files, absent = blobs(gitdir, entry)
        for name, content in files.items():
            path = partial / name
            if ".." in Path(name).parts or Path(name).is_absolute():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    else:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(partial, filter="data")
    (partial / ".corpus-commit").write_text(entry.commit + "\n")
    (partial / ".corpus-absent").write_text("".join(f"{name}\n" for name in absent))
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def size_of(folder: Path) -> tuple[int, int]:
    """(Markdown notes, bytes of all files) under ``folder``."""
    notes = total = 0
    for path in folder.rglob("*"):
        if path.is_file():
            total += path.stat().st_size
            if path.suffix.lower() in (".md", ".markdown"):
                notes += 1
    return notes, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", type=Path, required=True, help="folder holding the local clones (owner+name/…)")
    parser.add_argument(
        "--out", type=Path, required=True, help="where to lay the vaults out (outside any git worktree)"
    )
    parser.add_argument(
        "--list", type=Path, default=DEFAULT_LIST, help="the corpus list (default: benchmarks/corpus.toml)"
    )
    parser.add_argument(
        "--force", action="store_true", help="lay out again even when OUT/<repo> holds the pinned commit"
    )
    args = parser.parse_args(argv)
    failed = 0
    args.out.mkdir(parents=True, exist_ok=True)
    for entry in load_entries(args.list):
        try:
            target = lay_out(entry, args.mirror, args.out, force=args.force)
        except (OSError, LookupError, RuntimeError) as exc:
            print(f"skipped {entry.repo}: {exc}", file=sys.stderr)
            failed += 1
            continue
        notes, total = size_of(target)
        absent_file = target / ".corpus-absent"
        absent = absent_file.read_text().split("\n")[:-1] if absent_file.exists() else []
        missing_notes = sum(1 for name in absent if name.lower().endswith((".md", ".markdown")))
        gone = f"  ({len(absent)} files absent from the clone, {missing_notes} of them notes)" if absent else ""
        print(f"{entry.repo:<45} {entry.commit[:10]}  {notes:5d} notes  {total / 1e6:7.1f} MB  -> {target}{gone}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
