"""Into a running Anki through the AnkiConnect add-on (code 2055492159).

A small JSON-over-HTTP client (urllib: no new dependency) and the :class:`Target` on
top of it. The add-on answers ``{"result": ..., "error": ...}`` to a POST of
``{"action", "version", "params", "key"}`` on its port (8765 by default, loopback
only). The deck goes in through ``importPackage``, which runs Anki's own package
importer on the collection that is open (so updates keep reviews and media arrive);
the notes are read with ``findNotes``/``notesInfo``/``findCards``/``getDecks`` (and
our note types with ``modelNamesAndIds``/``modelFieldNames``/``modelTemplates``) and
reconciled with ``changeDeck``, ``suspend``/``unsuspend``, ``addTags``/``removeTags``
and, for an update Anki's importer passed over, ``updateNoteFields`` and
``storeMediaFile`` (``deleteNotes``, ``sync`` when asked).

Every action used is checked up front with ``apiReflect``: an add-on too old for one
of them is told before anything changes, not halfway through. A few are used only when
the add-on has them: ``guiReviewActive``/``guiDeckBrowser`` (show the new deck list),
``deleteDecks`` (remove a deck the sync emptied), ``getProfiles`` (tell the profile
that is open, to know whether Anki is signed in to AnkiWeb).
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..deck.ids import MODEL_IDS
from .contents import anki_note
from .profiles import anki_base, signed_in
from .target import REFUSED, UNREACHABLE, AnkiCard, AnkiNote, DeliveryError, Shape

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
    "deckNames",
    "modelNamesAndIds",
    "modelFieldNames",
    "modelTemplates",
    "changeDeck",
    "suspend",
    "unsuspend",
    "addTags",
    "removeTags",
    "updateNoteFields",
    "storeMediaFile",
)
#: Used when the add-on has them (see the module doc); never a reason to refuse.
OPTIONAL = ("guiReviewActive", "guiDeckBrowser", "deleteDecks", "getProfiles")
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


def search_text(value: str) -> str:
    """``value`` quoted for an Anki search (``deck:"..."``): ``"``, ``*`` and ``_`` escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("*", "\\*").replace("_", "\\_")
    return f'"{escaped}"'


class AnkiConnect:
    """One AnkiConnect endpoint; :meth:`call` raises DeliveryError with the fix in it.

    Once the add-on has answered, a connection that fails is Anki that stopped
    answering (closed, or crashed) in the middle of a delivery, said as such: the next
    sync finishes what this one began.
    """

    def __init__(self, url: str = DEFAULT_URL, *, api_key: str | None = None) -> None:
        self.url = url
        self.api_key = api_key
        self.answered = False  # the add-on has answered a request

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
        except (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException) as exc:
            raise self._unreachable(action, exc, timeout) from None
        reply = _json(body)
        if not isinstance(reply, dict) or "error" not in reply or "result" not in reply:
            raise DeliveryError(
                f"something answers at {self.url}, but not as AnkiConnect does ({body[:80]!r})", REFUSED
            )
        self.answered = True
        if reply["error"] is not None:
            raise self._refused(action, str(reply["error"]))
        return reply["result"]

    def _unreachable(self, action: str, exc: Exception, timeout: float) -> DeliveryError:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(reason, (socket.timeout, TimeoutError)):
            return DeliveryError(
                f"AnkiConnect at {self.url} did not answer {action} within {timeout:g} s: is Anki busy, or showing a "
                f"dialog?",
                UNREACHABLE,
            )
        if self.answered:
            return DeliveryError(
                f"Anki stopped answering at {self.url} during {action} ({_reason(reason)}): was it closed, or did it "
                "crash? Start it again and run cards sync: it finishes this delivery",
                UNREACHABLE,
            )
        return DeliveryError(
            f"Anki is not running at {self.url} ({_reason(reason)}): start Anki with the AnkiConnect add-on "
            f"(code {ADDON_CODE}), or close Anki and use --collection PATH or --profile NAME",
            UNREACHABLE,
        )

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
                "(Tools › Add-ons › AnkiConnect › Config) as --api-key, the CARDS_API_KEY environment variable "
                "or api_key in cards.toml's [sync]",
                REFUSED,
            )
        return DeliveryError(f"AnkiConnect at {self.url} failed on {action}: {error}", REFUSED)

    def check(self, actions: Iterable[str], optional: Iterable[str] = ()) -> set[str]:
        """The add-on answers, takes our key, and knows every action in ``actions``;
        returns those of ``optional`` it knows too."""
        version = self.call("version", timeout=PROBE_TIMEOUT)
        if not isinstance(version, int) or version < API_VERSION:
            raise DeliveryError(
                f"the AnkiConnect add-on at {self.url} speaks API version {version}, {API_VERSION} is needed: update "
                f"it "
                "(Tools › Add-ons › Check for Updates)",
                REFUSED,
            )
        wanted, extra = list(actions), list(optional)
        try:
            known = self.call("apiReflect", timeout=PROBE_TIMEOUT, scopes=["actions"], actions=wanted + extra)[
                "actions"
            ]
        except (TypeError, KeyError):
            known = []
        missing = [a for a in wanted if a not in known]
        if missing:
            raise DeliveryError(
                f"the AnkiConnect add-on at {self.url} is too old: it lacks {', '.join(missing)}; update it "
                "(Tools › Add-ons › Check for Updates), then restart Anki",
                REFUSED,
            )
        return {a for a in extra if a in known}


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, http.client.RemoteDisconnected):
        return "the connection closed without an answer"
    return str(getattr(reason, "strerror", None) or reason) or type(reason).__name__


class AnkiConnectTarget:
    """The Anki that runs the add-on at ``url``."""

    by_guid = False

    def __init__(self, client: AnkiConnect, *, delete: bool = False, ankiweb: bool = False) -> None:
        self.client = client
        self.where = f"Anki via AnkiConnect ({client.url})"
        self.ankiweb = True
        self.key = f"ankiconnect {client.url}"
        self.extras = client.check(
            [*ACTIONS, *(["deleteNotes"] if delete else []), *(["sync"] if ankiweb else [])], OPTIONAL
        )
        self._model_ids: dict[str, int] | None = None

    def _models(self) -> dict[str, int]:
        """Note type name -> id (our note types may have been renamed in Anki)."""
        if self._model_ids is None:
            self._model_ids = {str(k): int(v) for k, v in self.client.call("modelNamesAndIds").items()}
        return self._model_ids

    def guids(self, ids: Sequence[int]) -> dict[int, str] | None:
        return None  # AnkiConnect does not tell them

    def note_ids(self) -> list[int]:
        return [int(n) for n in self.client.call("findNotes", query=OUR_NOTES)]

    def notes(self, ids: Sequence[int] | None = None) -> list[AnkiNote]:
        call = self.client.call
        note_ids = self.note_ids() if ids is None else list(ids)
        if not note_ids:
            return []
        infos: list[dict[str, Any]] = []
        for chunk in _chunks(note_ids):
            infos.extend(info for info in call("notesInfo", notes=chunk) if info)
        suspended = set(call("findCards", query=f"({OUR_NOTES}) is:suspended"))
        card_ids = [cid for info in infos for cid in info.get("cards", ())]
        deck_of: dict[int, str] = {}
        for chunk in _chunks(card_ids):
            for deck, cids in call("getDecks", cards=chunk).items():
                deck_of.update((cid, deck) for cid in cids)
        models = self._models()
        notes = []
        for info in infos:
            if "cards" not in info:
                raise DeliveryError(
                    f"AnkiConnect at {self.client.url} answered notesInfo without the notes' cards: update the add-on",
                    REFUSED,
                )
            fields = [(name, f["value"]) for name, f in sorted(info["fields"].items(), key=lambda kv: kv[1]["order"])]
            cards = [AnkiCard(cid, deck_of.get(cid, ""), cid in suspended) for cid in info["cards"]]
            model = models.get(info.get("modelName", ""), 0)
            notes.append(anki_note(info["noteId"], None, model, fields, info["tags"], cards))
        return notes

    def shapes(self) -> dict[int, Shape]:
        found = {}
        for name, mid in self._models().items():
            if mid in MODEL_IDS:
                fields = self.client.call("modelFieldNames", modelName=name)
                templates = self.client.call("modelTemplates", modelName=name)
                found[mid] = Shape(
                    tuple(fields), tuple((t, faces["Front"], faces["Back"]) for t, faces in templates.items())
                )
        return found

    def decks(self) -> set[str]:
        return set(self.client.call("deckNames"))

    def retired_in_play(self, tag: str) -> bool:
        return bool(self.client.call("findCards", query=f"({OUR_NOTES}) tag:{search_text(tag)} -is:suspended"))

    def before_import(self) -> str | None:
        return None  # Anki makes its own backups while it runs

    def import_package(self, apkg: Path) -> None:
        self._model_ids = None  # the import may add our note types
        # a path the Anki process reads: absolute, on this machine
        if self.client.call("importPackage", path=str(apkg.resolve())) is not True:
            raise DeliveryError(
                f"AnkiConnect at {self.client.url} did not import {apkg}: is a profile open in Anki?", REFUSED
            )

    def update_note(self, note_id: int, fields: Mapping[str, str], tags: Sequence[str]) -> None:
        call = self.client.call
        call("updateNoteFields", note={"id": note_id, "fields": dict(fields)})
        (info,) = call("notesInfo", notes=[note_id])
        have = {t.casefold(): t for t in info.get("tags", ())}
        want = {t.casefold(): t for t in tags}
        gone = [t for key, t in have.items() if key not in want]
        new = [t for key, t in want.items() if key not in have]
        if gone:
            call("removeTags", notes=[note_id], tags=" ".join(gone))
        if new:
            call("addTags", notes=[note_id], tags=" ".join(new))

    def store_media(self, name: str, data: bytes) -> None:
        self.client.call(
            "storeMediaFile", filename=name, data=base64.b64encode(data).decode("ascii"), deleteExisting=False
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

    def remove_empty_deck(self, name: str) -> bool:
        if "deleteDecks" not in self.extras or name.casefold() == "default":
            return False
        call = self.client.call
        names = call("deckNames")
        if name not in names or any(n.startswith(name + "::") for n in names):
            return False
        if call("findCards", query=f"deck:{search_text(name)}"):
            return False
        # cardsToo: Anki cannot remove a deck without its cards; it has none (just checked)
        call("deleteDecks", decks=[name], cardsToo=True)
        return True

    def refresh(self) -> None:
        # the deck list as it is now; never while the user is reviewing (that would end it)
        if {"guiReviewActive", "guiDeckBrowser"} <= self.extras and not self.client.call("guiReviewActive"):
            self.client.call("guiDeckBrowser")

    def signed_in(self) -> bool | None:
        if "getProfiles" not in self.extras:
            return None
        return signed_in(anki_base(), self.client.call("getProfiles"))

    def sync_ankiweb(self) -> None:
        self.client.call("sync")

    def close(self) -> None:
        pass
