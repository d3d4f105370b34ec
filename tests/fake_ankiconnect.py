"""A stand-in for the AnkiConnect add-on, on a real ``anki`` collection, for the tests.

It answers the actions ``cards sync`` uses the way the add-on (FooSoft/anki-connect,
``plugin/__init__.py`` and ``plugin/web.py``) does inside Anki: the same request and
reply shapes (``{"result", "error"}`` for version 6, ``"unsupported action"``, ``"valid
api key must be provided"``, a banner for an empty body), one request at a time, and
on the collection the same operations the add-on runs: ``importPackage`` is Anki's
``AnkiPackageImporter`` from the ``anki`` package, ``changeDeck`` takes cards out of a
filtered deck and sets their deck in SQL, ``suspend`` skips cards already so, and so
on. Written for these tests from the add-on's behaviour, not copied from it.

``api_key`` sets the add-on's apiKey; ``missing`` names actions the add-on is too old
to know; ``calls`` lists every action asked for, in order; ``profiles`` are the
profile names ``getProfiles`` tells; ``reviewing`` is whether Anki's reviewer shows a
card (``guiReviewActive``); ``crash_on`` names actions during which Anki dies: the
connection closes without an answer and the fake answers nothing more.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import threading
import warnings
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from anki.collection import Collection

API_VERSION = 6


class FakeAnkiConnect:
    def __init__(
        self,
        collection: Path,
        *,
        api_key: str | None = None,
        missing: Iterable[str] = (),
        port: int = 0,
        profiles: Iterable[str] = ("User 1",),
        crash_on: Iterable[str] = (),
    ) -> None:
        self.path = collection
        self.col = Collection(str(collection))
        self.api_key = api_key
        self.missing = set(missing)
        self.profiles = list(profiles)
        self.crash_on = set(crash_on)
        self.dead = False
        self.reviewing = False
        self.calls: list[str] = []
        self.lock = threading.Lock()  # one request at a time, as the add-on serves them
        self.actions: dict[str, Callable[..., Any]] = {
            "version": self.version,
            "requestPermission": self.request_permission,
            "apiReflect": self.api_reflect,
            "importPackage": self.import_package,
            "findNotes": self.find_notes,
            "findCards": self.find_cards,
            "notesInfo": self.notes_info,
            "getDecks": self.get_decks,
            "changeDeck": self.change_deck,
            "suspend": self.suspend,
            "unsuspend": self.unsuspend,
            "addTags": self.add_tags,
            "removeTags": self.remove_tags,
            "deleteNotes": self.delete_notes,
            "sync": self.sync,
            "deckNames": self.deck_names,
            "deleteDecks": self.delete_decks,
            "modelNamesAndIds": self.model_names_and_ids,
            "modelFieldNames": self.model_field_names,
            "modelTemplates": self.model_templates,
            "updateNoteFields": self.update_note_fields,
            "storeMediaFile": self.store_media_file,
            "guiReviewActive": self.gui_review_active,
            "guiDeckBrowser": self.gui_deck_browser,
            "getProfiles": self.get_profiles,
        }
        self.server = HTTPServer(("127.0.0.1", port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self, *, close: bool = True) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
        if close:
            self.col.close()

    # ------------------------------------------------------------- the protocol

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if fake.dies(body):
                    self.close_connection = True  # Anki is gone: no answer, the connection drops
                    return
                reply = fake.handle(body)
                data = reply if isinstance(reply, bytes) else json.dumps(reply).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Access-Control-Allow-Origin", "http://localhost")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def dies(self, body: bytes) -> bool:
        """Whether Anki dies on this request (``crash_on``), or died before."""
        try:
            action = json.loads(body.decode("utf-8")).get("action")
        except (ValueError, AttributeError):
            action = None
        if action in self.crash_on:
            self.dead = True
        return self.dead

    def handle(self, body: bytes) -> Any:
        try:
            request = json.loads(body.decode("utf-8"))
            if not isinstance(request, dict) or not isinstance(request.get("action"), str) or not request["action"]:
                raise ValueError("'action' is a required property")
        except ValueError as exc:
            if not body:
                return f"AnkiConnect v.{API_VERSION}".encode()
            return {"result": None, "error": str(exc)}
        name, version, params = request["action"], request.get("version", 4), request.get("params", {})
        with self.lock:
            self.calls.append(name)
            try:
                if request.get("key") != self.api_key and name != "requestPermission":
                    raise Exception("valid api key must be provided")
                method = self.actions.get(name)
                if method is None or name in self.missing:
                    raise Exception("unsupported action")
                if name == "requestPermission":
                    params = {**params, "origin": "", "allowed": True}
                result = method(**params)
            except Exception as exc:  # noqa: BLE001 - the add-on replies with any error's text
                return {"result": None, "error": str(exc)}
        return result if version <= 4 else {"result": result, "error": None}

    # ------------------------------------------------------------- the actions

    def version(self) -> int:
        return API_VERSION

    def request_permission(self, origin: str, allowed: bool) -> dict[str, Any]:
        return {"permission": "granted", "requireApikey": bool(self.api_key), "version": API_VERSION}

    def api_reflect(self, scopes: Any = None, actions: Any = None) -> dict[str, Any]:
        if not isinstance(scopes, list):
            raise Exception("scopes has invalid value")
        if not (actions is None or isinstance(actions, list)):
            raise Exception("actions has invalid value")
        result: dict[str, Any] = {"scopes": []}
        if "actions" in scopes:
            known = [a for a in self.actions if a not in self.missing]
            result["scopes"].append("actions")
            result["actions"] = [a for a in (actions if actions is not None else known) if a in known]
        return result

    def import_package(self, path: str) -> bool:
        # the add-on's importer; anki prints "deprecated" on stdout when it is looked up
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            from anki.importing import AnkiPackageImporter
        AnkiPackageImporter(self.col, path).run()
        return True

    def find_notes(self, query: str | None = None) -> list[int]:
        return [] if query is None else [int(n) for n in self.col.find_notes(query)]

    def find_cards(self, query: str | None = None) -> list[int]:
        return [] if query is None else [int(c) for c in self.col.find_cards(query)]

    def notes_info(self, notes: list[int]) -> list[dict[str, Any]]:
        from anki.errors import NotFoundError

        result: list[dict[str, Any]] = []
        for nid in notes:
            try:
                note = self.col.get_note(nid)
            except NotFoundError:
                result.append({})
                continue
            model = note.note_type()
            assert model is not None
            fields = {f["name"]: {"value": note.fields[f["ord"]], "order": f["ord"]} for f in model["flds"]}
            cards = self.col.db.list("select id from cards where nid = ? order by ord", note.id)
            result.append(
                {"noteId": note.id, "tags": note.tags, "fields": fields, "modelName": model["name"], "cards": cards}
            )
        return result

    def get_decks(self, cards: list[int]) -> dict[str, list[int]]:
        decks: dict[str, list[int]] = {}
        for card in cards:
            did = self.col.db.scalar("select did from cards where id=?", card)
            decks.setdefault(self.col.decks.get(did)["name"], []).append(card)
        return decks

    def change_deck(self, cards: list[int], deck: str) -> None:
        from anki.utils import ids2str, int_time

        did = self.col.decks.id(deck)
        self.col.sched.remFromDyn(cards)
        self.col.db.execute(
            f"update cards set usn=?, mod=?, did=? where id in {ids2str(cards)}", self.col.usn(), int_time(), did
        )

    def suspend(self, cards: list[int], suspend: bool = True) -> bool:
        # the add-on drops cards already in the wanted state (removing from the list it walks)
        for card in cards:
            if (self.col.get_card(card).queue == -1) == suspend:
                cards.remove(card)
        if not cards:
            return False
        if suspend:
            self.col.sched.suspend_cards(cards)
        else:
            self.col.sched.unsuspend_cards(cards)
        return True

    def unsuspend(self, cards: list[int]) -> None:
        self.suspend(cards, False)

    def add_tags(self, notes: list[int], tags: str, add: bool = True) -> None:
        if add:
            self.col.tags.bulk_add(notes, tags)
        else:
            self.col.tags.bulk_remove(notes, tags)

    def remove_tags(self, notes: list[int], tags: str) -> None:
        self.add_tags(notes, tags, False)

    def delete_notes(self, notes: list[int]) -> None:
        self.col.remove_notes(notes)

    def sync(self) -> None:
        pass  # the add-on starts Anki's sync with AnkiWeb (mw.onSync) and answers null

    def deck_names(self) -> list[str]:
        return [d.name for d in self.col.decks.all_names_and_ids()]

    def delete_decks(self, decks: list[str], cardsToo: bool = False) -> None:  # noqa: N803 - the add-on's name
        if not cardsToo:
            raise Exception("Since Anki 2.1.28 it's not possible to delete decks without deleting cards as well")
        for deck in [d for d in decks if d in self.deck_names()]:
            did = self.col.decks.id(deck)
            assert did is not None
            self.col.decks.remove([did])  # the deck, its subdecks and their cards, as decks.rem does

    def _model(self, name: str) -> dict[str, Any]:
        model = self.col.models.by_name(name)
        if model is None:
            raise Exception(f"model was not found: {name}")
        return model

    def model_names_and_ids(self) -> dict[str, int]:
        return {m.name: int(m.id) for m in self.col.models.all_names_and_ids()}

    def model_field_names(self, modelName: str) -> list[str]:  # noqa: N803 - the add-on's name
        return [f["name"] for f in self._model(modelName)["flds"]]

    def model_templates(self, modelName: str) -> dict[str, dict[str, str]]:  # noqa: N803 - the add-on's name
        return {t["name"]: {"Front": t["qfmt"], "Back": t["afmt"]} for t in self._model(modelName)["tmpls"]}

    def update_note_fields(self, note: dict[str, Any]) -> None:
        from anki.errors import NotFoundError

        try:
            anki_note = self.col.get_note(note["id"])
        except NotFoundError:
            raise Exception(f"Note was not found: {note['id']}") from None
        for name, value in note["fields"].items():
            if name in anki_note:
                anki_note[name] = value
        self.col.update_note(anki_note)

    def store_media_file(
        self,
        filename: str,
        data: str | None = None,
        path: str | None = None,
        url: str | None = None,
        skipHash: str | None = None,  # noqa: N803 - the add-on's name
        deleteExisting: bool = True,  # noqa: N803 - the add-on's name
    ) -> str:
        if not (data or path):
            raise Exception('You must provide a "data", "path", or "url" field.')
        content = base64.b64decode(data) if data else Path(path or "").read_bytes()
        if deleteExisting:
            self.col.media.trash_files([filename])
        return self.col.media.write_data(filename, content)

    def gui_review_active(self) -> bool:
        return self.reviewing

    def gui_deck_browser(self) -> None:
        pass  # the add-on shows the deck list (mw.moveToState("deckBrowser")): calls records it

    def get_profiles(self) -> list[str]:
        return list(self.profiles)
