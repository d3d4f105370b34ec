"""Where Anki keeps its profiles, on Linux, macOS and Windows, and which one is the default.

Anki's data folder (``Anki2``) holds one folder per profile, each with its
``collection.anki2``, and ``prefs21.db`` with the profile list and the profile opened
last. The locations are Anki's own (its ``ProfileManager``): ``$ANKI_BASE`` when set;
Windows ``%APPDATA%\\Anki2``; macOS ``~/Library/Application Support/Anki2``; Linux
``$XDG_DATA_HOME/Anki2`` (default ``~/.local/share/Anki2``), or the Flatpak's
``~/.var/app/net.ankiweb.Anki/data/Anki2``.
"""

from __future__ import annotations

import io
import os
import pickle
import platform
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path

from .target import UNREACHABLE, DeliveryError

FLATPAK = Path(".var/app/net.ankiweb.Anki/data/Anki2")


def anki_base(*, env: Mapping[str, str] | None = None, system: str | None = None, home: Path | None = None) -> Path:
    """Anki's data folder on this machine (arguments: for tests of other systems)."""
    env = os.environ if env is None else env
    system = platform.system() if system is None else system
    home = Path.home() if home is None else home
    if env.get("ANKI_BASE"):
        return Path(env["ANKI_BASE"])
    if system == "Windows":
        return Path(env.get("APPDATA") or home / "AppData" / "Roaming") / "Anki2"
    if system == "Darwin":
        return home / "Library" / "Application Support" / "Anki2"
    base = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share") / "Anki2"
    if not base.exists() and (home / FLATPAK).exists():
        return home / FLATPAK
    return base


class _Inert:
    """What an object in Anki's profile data becomes when read (Qt's window geometry,
    say): nothing, and no code of its class runs."""

    def __new__(cls, *args: object, **kwargs: object) -> _Inert:
        return object.__new__(cls)

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def __setstate__(self, state: object) -> None:
        pass

    # what unpickling a mapping or a list subclass calls on it
    def __setitem__(self, key: object, value: object) -> None:
        pass

    def append(self, value: object) -> None:
        pass

    def extend(self, values: object) -> None:
        pass


class _NoObjects(pickle.Unpickler):
    """Anki's profile data is a pickled dict: its plain values are read, and any object
    in it (no class is ever loaded) becomes an :class:`_Inert`."""

    def find_class(self, module: str, name: str) -> type:
        return _Inert


def _load(data: bytes) -> dict[str, object]:
    try:
        meta = _NoObjects(io.BytesIO(data)).load()
    except Exception:  # noqa: BLE001 - an unreadable preference only loses the hint
        return {}
    return meta if isinstance(meta, dict) else {}


def _rows(base: Path) -> dict[str, bytes]:
    """prefs21.db's rows: profile name (and ``_global``) -> its pickled data."""
    path = base / "prefs21.db"
    if not path.is_file():
        return {}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return {
                str(name): bytes(data) for name, data in conn.execute("SELECT name, cast(data AS blob) FROM profiles")
            }
        finally:
            conn.close()
    except sqlite3.Error:
        return {}


def _prefs(base: Path) -> tuple[list[str], str | None]:
    """The profile names in prefs21.db and the profile opened last (None if unknown)."""
    rows = _rows(base)
    names = [name for name in rows if name != "_global"]
    found = _load(rows["_global"]).get("last_loaded_profile_name") if "_global" in rows else None
    return names, found if isinstance(found, str) else None


def signed_in(base: Path, running: Sequence[str]) -> bool | None:
    """Whether the profile Anki opened last in ``base`` is signed in to AnkiWeb (holds a
    sync key); None when that cannot be told: ``base`` is not the data folder of the
    Anki whose profiles are ``running`` (it was started with another one), or it names
    no profile."""
    rows = _rows(base)
    names = sorted(name for name in rows if name != "_global")
    if not names or names != sorted(running):
        return None
    _, last = _prefs(base)
    if last not in rows:
        return None
    return bool(_load(rows[last]).get("syncKey"))


def profiles(base: Path) -> list[str]:
    """Profile names: prefs21.db's list, else every folder that holds a collection."""
    names, _ = _prefs(base)
    if names:
        return sorted(names)
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / "collection.anki2").is_file())


def profile_collection(base: Path, name: str | None) -> tuple[str, Path]:
    """The profile ``name`` (default: the one Anki opened last, or the only one) and its
    collection; DeliveryError naming the choices when there is no single answer."""
    names = profiles(base)
    if not names:
        raise DeliveryError(
            f"no Anki profile in {base}: is Anki installed here? Pass --collection PATH to name a collection",
            UNREACHABLE,
        )
    if name is None:
        _, last = _prefs(base)
        if last in names:
            name = last
        elif len(names) == 1:
            name = names[0]
        else:
            raise DeliveryError(f"Anki has several profiles in {base} ({', '.join(names)}): pass --profile NAME", 2)
    elif name not in names:
        raise DeliveryError(f"no Anki profile {name!r} in {base} (profiles: {', '.join(names) or 'none'})", 2)
    return name, base / name / "collection.anki2"
