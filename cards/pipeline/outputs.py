"""The output a build is given: checked before anything is read, so that a bad one
costs one clear line and nothing else.

A deck is written as ``OUT.apkg`` with ``OUT.apkg.cards-state.json``,
``OUT.apkg.cards-lock`` (and ``OUT.apkg.cards-delivered.json`` for ``cards sync``)
beside it, each through a temporary ``.NAME.XXXXXXXX.tmp``. So, before the build:

* the output must end in ``.apkg`` (what Anki imports; ``cards.toml`` asks the same);
* every name the build makes must fit the file system (``NAME_MAX``, 255 bytes on
  most): a 245-character deck name failed at the state file, with a message naming
  the deck; the error names the file whose name is too long;
* none of the deck, its state and its lock may be a symbolic link, a folder or a
  device (atomic.check_replaceable): the build replaces files, and a link replaced
  by a file leaves what it points to old, a device replaced by a file is gone.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..atomic import check_replaceable
from ..deck.state import state_path
from ..errors import WriteError
from .lock import lock_path

#: What a build (and cards sync) adds to the deck's name for the files beside it.
SUFFIXES = (".cards-state.json", ".cards-lock", ".cards-delivered.json")
#: What a temporary file adds to a name: ``.`` before, ``.XXXXXXXX.tmp`` after (mkstemp).
TEMPORARY = 1 + 1 + 8 + 4


class OutputError(WriteError):
    """An output the build refuses before it starts (the CLI prints it as one line)."""


def check_output(output: Path) -> None:
    """Raise :class:`OutputError` (an errors.WriteError) when ``output`` cannot be the
    deck: not ``.apkg``, a name too long for a file beside it, or a deck, state or
    lock path that is a link, a folder or a device."""
    if output.suffix.lower() != ".apkg":
        raise OutputError(
            output,
            OSError(errno.EINVAL, "not an .apkg file name"),
            advice="Anki imports .apkg packages: give the deck a name that ends in .apkg",
        )
    _check_names(output)
    for path in (output, state_path(output), lock_path(output)):
        check_replaceable(path)


def _check_names(output: Path) -> None:
    limit = _name_max(output.parent)
    room = limit - TEMPORARY - max(len(s) for s in SUFFIXES)
    size = len(os.fsencode(output.name))
    if size <= room:
        return
    for suffix in SUFFIXES:  # the first file whose own name is too long, else its temporary file
        name = output.name + suffix
        if len(os.fsencode(name)) > limit:
            break
    else:
        name = f".{output.name}{SUFFIXES[-1]}.XXXXXXXX.tmp"
    why = f"its name is {len(os.fsencode(name))} bytes, over the {limit} this file system allows"
    raise OutputError(
        output.with_name(name),
        OSError(errno.ENAMETOOLONG, why),
        advice=f"the build writes it beside {output.name}: give the deck a name of {room} bytes or less",
    )


def _name_max(folder: Path) -> int:
    """The longest file name the file system of ``folder`` (or its nearest existing
    parent) allows, in bytes; 255 where it cannot be asked."""
    for place in (folder, *folder.parents):
        try:
            return int(os.pathconf(place if str(place) else ".", "PC_NAME_MAX"))
        except (OSError, ValueError, AttributeError):
            continue
    return 255
