"""Drive the official ``anki`` package as a real client: import decks, study, inspect.

Tests use this instead of any mock: what Anki accepts, renders and keeps is the
product's promise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.scheduler.v3 import CardAnswer

#: Text Anki paints into a card instead of raising when a template or field is wrong.
TEMPLATE_ERRORS = re.compile(
    r"docs\.ankiweb\.net/templates/errors|No cloze \d+ found|there is no field called|front of this card is "
    r"blank|Invalid HTML",
    re.IGNORECASE,
)


@dataclass
class Imported:
    new: int
    updated: int
    duplicate: int
    conflicting: int


def open_collection(folder: Path) -> Collection:
    return Collection(str(folder / "collection.anki2"))


def import_deck(col: Collection, apkg: Path) -> Imported:
    response = col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(apkg.resolve()), options=ImportAnkiPackageOptions())
    )
    log = response.log
    return Imported(len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting))


def strip_tags(html: str) -> str:
    import html as html_mod

    html = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    return " ".join(html_mod.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def rendered(col: Collection, card_id: int) -> tuple[str, str]:
    out = col.get_card(card_id).render_output()
    return out.question_text, out.answer_text


def note_id_for_guid(col: Collection, guid: str) -> int | None:
    return col.db.scalar("select id from notes where guid = ?", guid)


def study_everything(col: Collection) -> int:
    """Answer every card of every deck "easy" (new -> review), as a learner would."""
    studied = 0
    for deck in col.decks.all_names_and_ids():
        conf = col.decks.config_dict_for_deck_id(deck.id)
        conf["new"]["perDay"] = 100_000
        conf["rev"]["perDay"] = 100_000
        col.decks.update_config(conf)
    for deck in col.decks.all_names_and_ids():
        if "::" in deck.name:
            continue  # a parent deck serves its subdecks
        col.decks.select(deck.id)
        while True:
            queued = col.sched.get_queued_cards()
            if not queued.cards:
                break
            top = queued.cards[0]
            card = col.get_card(top.card.id)
            card.start_timer()
            col.sched.answer_card(col.sched.build_answer(card=card, states=top.states, rating=CardAnswer.EASY))
            studied += 1
    return studied


def reviews(col: Collection, card_id: int) -> int:
    return int(col.db.scalar("select count() from revlog where cid = ?", card_id) or 0)
