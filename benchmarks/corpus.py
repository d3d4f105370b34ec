"""Lay out the development corpus (benchmarks/corpus.toml) from local clones.

    python benchmarks/corpus.py --mirror /work/.mirror --out /work/corpus [--force]

For each repository listed in corpus.toml, finds its local clone under MIRROR (a bare
git directory at ``MIRROR/<owner>+<name>/repo`` or ``MIRROR/<owner>+<name>``, or a
normal clone at either place), and writes the files of the pinned commit (only its ``subfolder``
when one is given) into ``OUT/<owner>+<name>/``, with ``git archive``. It never
downloads anything: a repository without a local clone, or whose clone lacks the
pinned commit, is reported and skipped (exit status 1). A clone may lack some large
blobs (PDFs, plugin bundles): then the files are written one by one from the pinned tree
and the missing ones are named (``absent``), never silently dropped. Likewise a file whose
name this filesystem cannot hold (a name over 255 bytes, as long Japanese titles of web
clips are in UTF-8) is left out and named (``unwritable``), and the rest is laid out.

Why a script and not a copy in the repository: the notes are other people's text; the
project keeps only their names and commits, so the corpus can be rebuilt byte for byte.
"""

from __future__ import annotations

import argparse
import errno
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


# ISO 639-1, all 183 two-letter codes: a language key is checked against them, so that the
# usual slips ("jp", "cn", "vn", "cz", "gr", "ua", "dk": country codes) are refused instead of
# splitting one language in two when the corpus is counted per language. ("kr" is Kanuri, a
# real code: Korean is "ko".)
ISO_639_1 = frozenset(
    "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy "
    "da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu "
    "hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb "
    "lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om "
    "or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw "
    "ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu".split()
)
# The note-taking tools the corpus tells apart (what the notes were written in, which decides
# their syntax: wikilinks, blocks, dotted hierarchies, ...); "other" for GitBook, Zenn, Quartz
# sources and the like.
TOOLS = frozenset({"obsidian", "logseq", "markdown", "dendron", "foam", "typora", "other"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One pinned repository of the corpus."""

    repo: str  # owner/name
    commit: str
    subfolder: str = ""
    style: str = ""
    language: tuple[str, ...] = ()  # ISO 639-1 codes, main language first
    tool: str = ""  # one of TOOLS

    @property
    def slug(self) -> str:
        """The folder name under OUT: ``owner+name`` (as the mirror names it)."""
        return self.repo.replace("/", "+")


def _languages(value: object, where: str) -> tuple[str, ...]:
    """``"zh, en"`` as ``("zh", "en")``: ISO 639-1 codes, main first, none twice."""
    if not isinstance(value, str):
        raise ValueError(f"{where}: language must be a string of comma-separated ISO 639-1 codes")
    codes = tuple(code.strip() for code in value.split(","))
    wrong = [code for code in codes if code not in ISO_639_1]
    if wrong:
        raise ValueError(f"{where}: language {', '.join(map(repr, wrong))} is not an ISO 639-1 code (e.g. en, zh, ja)")
    if len(set(codes)) != len(codes):
        raise ValueError(f"{where}: language {value!r} names a language twice")
    return codes


def _entry(raw: dict[str, object], where: str) -> Entry:
    """One ``[[repo]]`` table checked: known keys, owner/name, a 40-hex commit, language, tool."""
    unknown = set(raw) - {"repo", "commit", "subfolder", "style", "language", "tool"}
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    tool = str(raw.get("tool", ""))
    if "tool" in raw and tool not in TOOLS:
        raise ValueError(f"{where}: tool {tool!r} is not one of {', '.join(sorted(TOOLS))}")
    language = _languages(raw["language"], where) if "language" in raw else ()
    entry = Entry(
        str(raw["repo"]),
        str(raw["commit"]),
        str(raw.get("subfolder", "")).strip("/"),
        str(raw.get("style", "")),
        language,
        tool,
    )
    owner, _, name = entry.repo.partition("/")
    if not owner or not name or "/" in name:
        raise ValueError(f"{where}: {entry.repo!r} is not owner/name")
    if len(entry.commit) != 40 or any(c not in "0123456789abcdef" for c in entry.commit):
        raise ValueError(f"{where}: {entry.repo}: commit must be 40 lowercase hex digits")
    return entry


def load_entries(path: Path = DEFAULT_LIST) -> list[Entry]:
    """The repositories of corpus.toml, checked: owner/name, a 40-hex commit, unique.

    ``language`` (ISO 639-1 codes, comma-separated, main language first) and ``tool``
    (one of TOOLS) are optional for a list of one's own, and checked when given; the
    shipped list gives both for every repository (tests/test_quality_bench.py).

    >>> import tempfile, os
    >>> p = Path(tempfile.mkdtemp()) / "c.toml"
    >>> head = '[[repo]]\\nrepo = "a/b"\\ncommit = "' + "0" * 40 + '"\\nstyle = "x"\\n'
    >>> _ = p.write_text(head + 'language = "zh, en"\\ntool = "logseq"\\n')
    >>> entry = load_entries(p)[0]
    >>> entry.slug, entry.language, entry.tool
    ('a+b', ('zh', 'en'), 'logseq')
    >>> _ = p.write_text(head + 'language = "jp"\\n')
    >>> load_entries(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: ...: language 'jp' is not an ISO 639-1 code (e.g. en, zh, ja)
    """
    data = tomllib.loads(path.read_text("utf-8"))
    entries = [_entry(raw, f"{path}: repo #{n}") for n, raw in enumerate(data.get("repo", []), 1)]
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
        unwritable = write_files(files, partial)
    else:
        unwritable = extract(data, partial)
    (partial / ".corpus-commit").write_text(entry.commit + "\n")
    (partial / ".corpus-absent").write_text("".join(f"{name}\n" for name in absent))
    (partial / ".corpus-unwritable").write_text("".join(f"{name}\n" for name in unwritable))
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def _too_long(exc: OSError) -> bool:
    """Whether ``exc`` says a name is longer than this filesystem allows."""
    return exc.errno == errno.ENAMETOOLONG


def extract(data: bytes, into: Path) -> list[str]:
    """Unpack the tar ``data`` into ``into``; the files whose names cannot be written there are returned."""
    unwritable: list[str] = []
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar:
            try:
                tar.extract(member, into, filter="data")
            except OSError as exc:
                if not _too_long(exc):
                    raise
                if not member.isdir():
                    unwritable.append(member.name)
    return unwritable


def write_files(files: dict[str, bytes], into: Path) -> list[str]:
    """Write ``files`` (path -> bytes) under ``into``; the ones whose names cannot be written are returned."""
    unwritable: list[str] = []
    for name, content in files.items():
        if ".." in Path(name).parts or Path(name).is_absolute():
            continue
        path = into / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        except OSError as exc:
            if not _too_long(exc):
                raise
            unwritable.append(name)
    return unwritable


def _listed(target: Path, name: str) -> list[str]:
    """The paths listed one a line in ``target/name`` (none when it is missing)."""
    listing = target / name
    return listing.read_text().split("\n")[:-1] if listing.exists() else []


def left_out(target: Path) -> str:
    """What the layout of ``target`` lacks, said in one parenthesis (empty when it lacks nothing)."""
    said = []
    for name, why in ((".corpus-absent", "absent from the clone"), (".corpus-unwritable", "with names too long here")):
        paths = _listed(target, name)
        if paths:
            notes = sum(1 for path in paths if path.lower().endswith((".md", ".markdown")))
            said.append(f"{len(paths)} files {why}, {notes} of them notes")
    return f"  ({'; '.join(said)})" if said else ""


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
        figures = f"{notes:5d} notes  {total / 1e6:7.1f} MB"
        print(f"{entry.repo:<45} {entry.commit[:10]}  {figures}  -> {target}{left_out(target)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
