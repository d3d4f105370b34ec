"""Stage 6, deliver: a built deck (.apkg) -> the user's Anki, kept in step with the notes.

Two ways in: through the AnkiConnect add-on of a running Anki (``ankiconnect.py``), or
straight into a closed collection with the official ``anki`` package (``collection.py``,
the profile folders in ``profiles.py``). Either way Anki's own importer takes a package
fitted to what that Anki holds (``tailor.py``: only the notes added or changed, with the
user's tags and added fields kept), with the same options, then the notes this tool
made are reconciled (``reconcile.py``: retire vanished facts, revive returning ones,
move cards whose deck changed), never any other note, and what Anki holds is read back
(``verify.py``). ``sync.py`` runs it all.
"""
