"""Into a running Anki through the AnkiConnect add-on (code 2055492159).

A small JSON-over-HTTP client (urllib: no new dependency) and the :class:`Target` on
top of it. The add-on answers ``{"result": ..., "error": ...}`` to a POST of
``{"action", "version", "params", "key"}`` on its port (8765 by default, loopback
only). The deck goes in through ``importPackage``, which runs Anki's own package
importer on the collection that is open (so updates keep reviews and media arrive);
the notes are read with ``findNotes``/``notesInfo``/``findCards``/``getDecks`` and
reconciled with ``changeDeck``, ``suspend``/``unsuspend`` and
``addTags``/``removeTags`` (``deleteNotes``, ``sync`` when asked).

Every action used is checked up front with ``apiReflect``: an add-on too old for one
of them is told before anything changes, not halfway through.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..deck.ids import MODEL_IDS
from .contents import fingerprint
from .target import REFUSED, UNREACHABLE, AnkiCard, AnkiNote, DeliveryError

DEFAULT_URL = "http://127.0.0.1:8765"
ADDON_CODE = "2055492159"
API_VERSION = 6
#: Actions every delivery uses; ``deleteNotes`` and ``sync`` are checked when asked for.
ACTIONS = (
    "importPackage",
    "findNotes",
    "notesInfo",
    "findCards",
    "getDecks",
    "changeDeck",
    "suspend",
    "unsuspend",
    "addTags",
    "removeTags",
)
#: Seconds to wait for an answer: a probe is quick; an import of a large deck is not.
PROBE_TIMEOUT = 5.0
TIMEOUT = 600.0
#: Ids per request: notesInfo answers with every field of every note.
CHUNK = 1000

OUR_NOTES = " OR ".join(f"mid:{mid}" for mid in MODEL_IDS)
#: No proxy: the add-on listens on this machine, and an http_proxy meant for the web
#: must not carry the collection's notes elsewhere.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


class AnkiConnect:
    """One AnkiConnect endpoint; :meth:`call` raises DeliveryError with the fix in it."""

    def __init__(self, url: str = DEFAULT_URL, *, api_key: str | None = None) -> None:
        self.url = url
        self.api_key = api_key

    def call(self, action: str, timeout: float = TIMEOUT, **params: Any) -> Any:
        request: dict[str, Any] = {"action": action, "version": API_VERSION, "params": params}
        if self.api_key is not None:
            request["key"] = self.api_key
        data = json.dumps(request).encode("utf-8")
        req = urllib.request.Request(self.url, data=data, headers={"Content-Type": "application/json"}, method="POST")
        try:
            with _OPENER.open(req, timeout=timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read()
            reply = _json(body)
            error = reply.get("error") if isinstance(reply, dict) else None
            raise self._refused(action, str(error) if error else f"HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise DeliveryError(
                    f"AnkiConnect at {self.url} did not answer {action} within {timeout:g} s: is Anki busy, or showing a dialog?",
                    UNREACHABLE,
                ) from None
            raise DeliveryError(
                f"Anki is not running at {self.url} ({_reason(reason)}): start Anki with the AnkiConnect add-on "
                f"(code {ADDON_CODE}), or close Anki and use --collection PATH or --profile NAME",
                UNREACHABLE,
            ) from None
        reply = _json(body)
        if not isinstance(reply, dict) or "error" not in reply or "result" not in reply:
            raise DeliveryError(
                f"something answers at {self.url}, but not as AnkiConnect does ({body[:80]!r})", REFUSED
            )
        if reply["error"] is not None:
            raise self._refused(action, str(reply["error"]))
        return reply["result"]

    def _refused(self, action: str, error: str) -> DeliveryError:
        if error.lower().startswith("unsupported action"):
            return DeliveryError(
                f"the AnkiConnect add-on at {self.url} is too old for {action}: update it in Anki "
                "(Tools › Add-ons › Check for Updates), then restart Anki",
                REFUSED,
            )
        if "api key" in error.lower():
            which = "a wrong API key was given" if self.api_key else "it wants an API key"
            return DeliveryError(
                f"AnkiConnect at {self.url} refused the request: {which}; pass the apiKey of the add-on's config "
                "(Tools › Add-ons › AnkiConnect › Config) as --api-key",
                REFUSED,
            )
        return DeliveryError(f"AnkiConnect at {self.url} failed on {action}: {error}", REFUSED)

    def check(self, actions: Iterable[str]) -> None:
        """The add-on answers, takes our key, and knows every action in ``actions``."""
        version = self.call("version", timeout=PROBE_TIMEOUT)
        if not isinstance(version, int) or version < API_VERSION:
            raise DeliveryError(
                f"the AnkiConnect add-on at {self.url} speaks API version {version}, {API_VERSION} is needed: update it "
                "(Tools › Add-ons › Check for Updates)",
                REFUSED,
            )
        wanted = list(actions)
        try:
            known = self.call("apiReflect", timeout=PROBE_TIMEOUT, scopes=["actions"], actions=wanted)["actions"]
        except (TypeError, KeyError):
            known = []
        missing = [a for a in wanted if a not in known]
        if missing:
            raise DeliveryError(
                f"the AnkiConnect add-on at {self.url} is too old: it lacks {', '.join(missing)}; update it "
                "(Tools › Add-ons › Check for Updates), then restart Anki",
                REFUSED,
            )


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    return str(getattr(reason, "strerror", None) or reason)


class AnkiConnectTarget:
    """The Anki that runs the add-on at ``url``."""

    def __init__(self, client: AnkiConnect, *, delete: bool = False, ankiweb: bool = False) -> None:
        self.client = client
        self.where = f"Anki via AnkiConnect ({client.url})"
        self.ankiweb = True
        self.key = f"ankiconnect {client.url}"
        client.check([*ACTIONS, *(["deleteNotes"] if delete else []), *(["sync"] if ankiweb else [])])

    def notes(self) -> list[AnkiNote]:
        call = self.client.call
        note_ids: list[int] = call("findNotes", query=OUR_NOTES)
        if not note_ids:
            return []
        infos: list[dict[str, Any]] = []
        for chunk in _chunks(note_ids):
            infos.extend(info for info in call("notesInfo", notes=chunk) if info)
        suspended = set(call("findCards", query=f"({OUR_NOTES}) is:suspended"))
        card_ids = [cid for info in infos for cid in info.get("cards", ())]
        deck_of: dict[int, str] = {}
        for chunk in _chunks(card_ids):
            for deck, ids in call("getDecks", cards=chunk).items():
                deck_of.update((cid, deck) for cid in ids)
        notes = []
        for info in infos:
            if "cards" not in info:
                raise DeliveryError(
                    f"AnkiConnect at {self.client.url} answered notesInfo without the notes' cards: update the add-on",
                    REFUSED,
                )
            fields = [f["value"] for f in sorted(info["fields"].values(), key=lambda f: f["order"])]
            cards = tuple(AnkiCard(cid, deck_of.get(cid, ""), cid in suspended) for cid in info["cards"])
            notes.append(
                AnkiNote(
                    info["noteId"], None, fingerprint(fields), tuple(info["tags"]), cards, fields[0] if fields else ""
                )
            )
        return notes

    def before_import(self) -> str | None:
        return None  # Anki makes its own backups while it runs

    def import_package(self, apkg: Path) -> None:
        # a path the Anki process reads: absolute, on this machine
        if self.client.call("importPackage", path=str(apkg.resolve())) is not True:
            raise DeliveryError(
                f"AnkiConnect at {self.client.url} did not import {apkg}: is a profile open in Anki?", REFUSED
            )

    def move(self, card_ids: Sequence[int], deck: str) -> None:
        self.client.call("changeDeck", cards=list(card_ids), deck=deck)

    def suspend(self, card_ids: Sequence[int]) -> None:
        if card_ids:
            self.client.call("suspend", cards=list(card_ids))

    def unsuspend(self, card_ids: Sequence[int]) -> None:
        if card_ids:
            self.client.call("unsuspend", cards=list(card_ids))

    def add_tag(self, note_ids: Sequence[int], tag: str) -> None:
        if note_ids:
            self.client.call("addTags", notes=list(note_ids), tags=tag)

    def remove_tag(self, note_ids: Sequence[int], tag: str) -> None:
        if note_ids:
            self.client.call("removeTags", notes=list(note_ids), tags=tag)

    def delete_notes(self, note_ids: Sequence[int]) -> None:
        if note_ids:
            self.client.call("deleteNotes", notes=list(note_ids))

    def sync_ankiweb(self) -> None:
        self.client.call("sync")

    def close(self) -> None:
        pass
