"""The deck and its state replaced together or not at all.

A deck and its state (``OUT.apkg.cards-state.json``: what the build gave each card,
which the next build identifies against) describe each other: a new deck with the
old state, or the old deck with a new state, must never be taken for a pair. Two files
cannot be renamed in one atomic step, so the build follows this protocol:

1. Both are written in full to temporary files beside them (``.NAME.XXXXXXXX.tmp``) and
   fsynced. The state's last line names the sha256 of the deck written with it
   (deck/state.py, version 4).
2. Any failure until then (a full disk while the state is written, Ctrl-C, a
   crash) removes both temporary files: the old deck and state stay, whole and
   together.
3. Then the state is renamed into place, and the deck after it, with Ctrl-C and
   SIGTERM held back in between (atomic.replace_together), and their folder fsynced.
4. Only a crash of the machine or SIGKILL between the two renames can tear the pair,
   and only one way: the new state with the old deck. The next build tells: the
   deck on disk is not the one its state names (the manifest's stamps, then the
   sha256 the state records), so it writes the deck again, from the same state, with
   the same GUIDs. The same check tells a deck overwritten or damaged since it was
   written (issue 22): never "is up to date".

Why the state first: a state whose deck did not land costs one rewrite of the deck;
a deck whose state did not land would be in the user's Anki with GUIDs the next
build's state does not know.

The kept collection in the cache (``collection.anki2``, which the next build patches)
is replaced last, and the cache's manifest is written after that: a build stopped
before then leaves a manifest that does not match the files on disk, and the next
build checks everything instead of patching.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import Staged, replace_together, sha256_file

if TYPE_CHECKING:
    from ..deck.package import Written

log = logging.getLogger("cards")


def replace_deck_and_state(
    deck: Written,
    state: Staged,
    *,
    scratch: Path | None = None,
    db: Path | None = None,
    committed: Callable[[], None] | None = None,
) -> None:
    """Put a staged deck and its staged state in place as one (module doc), then the
    kept collection ``scratch`` as ``db`` (the cache: if that fails, the cache only
    costs time: ``db`` is removed, so that no build patches a collection that is not
    the deck's). ``committed`` is told once the deck and state are in place."""
    replace_together(state, deck.staged, done=committed)
    if scratch is None or db is None:
        return
    try:
        os.replace(scratch, db)
    except OSError as exc:
        log.warning(
            "%s: cannot keep the deck's collection in the cache (%s); the next build writes the deck in full",
            db,
            exc.strerror or exc,
        )
        for path in (scratch, db):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass


def is_the_deck(output: Path, digest: str | None) -> bool:
    """Whether the file at ``output`` is the deck whose sha256 a state names (False
    when the state names none: an older state file, or a deck that cannot be read)."""
    if digest is None:
        return False
    try:
        return sha256_file(output) == digest
    except OSError:
        return False


def discard(*files: Written | Staged | None) -> None:
    """Drop staged files that will not be put in place."""
    for item in files:
        if item is None:
            continue
        (item if isinstance(item, Staged) else item.staged).discard()
