"""Identity rules that must never drift: pinned ids, and which edits keep a GUID."""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

from cards.deck.ids import (
    BASIC_MODEL_ID,
    CLOZE_MODEL_ID,
    REVERSED_MODEL_ID,
    deck_id,
    guid_from,
    natural_keys,
    scoped_guid,
)
from cards.deck.state import State, identify
from cards.model import BASIC, CLOZE, Card, Source


def card(
    identity: str,
    *,
    kind: str = "qa",
    back: str = "answer",
    path: str = "a.md",
    line: int = 1,
    context: tuple[str, ...] = ("a",),
) -> Card:
    return Card(
        kind=kind,
        model=BASIC if kind in ("qa", "figure") else CLOZE,
        front=identity,
        back=back,
        context=context,
        identity=identity,
        source=Source(PurePosixPath(path), line),
        deck="D",
        tags=(),
        note_title="a",
    )


def test_pinned_values() -> None:
    # Changing any of these makes Anki treat every note (or deck) as new: never do it.
    assert (CLOZE_MODEL_ID, BASIC_MODEL_ID, REVERSED_MODEL_ID) == (1_742_931_207, 1_742_931_208, 1_742_931_209)
    assert guid_from("cards/1", "basic", "qa", "what is rlhf?") == "u(!pqT,L?6"
    assert scoped_guid("cards/1\x1fbasic\x1fqa\x1fwhat is rlhf?", "Vault::sub") == guid_from(
        "cards/2", "vault", "cards/1\x1fbasic\x1fqa\x1fwhat is rlhf?"
    )
    assert deck_id("Vault::sub") == 1_173_608_859
    assert all((1 << 30) <= deck_id(n) < (1 << 31) for n in ("a", "b", "Vault", "中文"))


def guids(cards: list[Card], state: State | None = None) -> list[str]:
    return [c.guid for c in identify(cards, state or State(), now=1).cards]


def test_what_keeps_a_guid_without_state() -> None:
    base = card("What is RLHF?")
    (g,) = guids([base])
    assert guids([replace(base, back="edited answer")]) == [g]
    assert guids([replace(base, source=Source(PurePosixPath("moved/elsewhere.md"), 40))]) == [g]
    assert guids([replace(base, context=("a", "renamed heading"), deck="D::other::deck")]) == [g]
    assert guids([replace(base, deck="d")]) == [g]  # Anki's deck names ignore case
    assert guids([replace(base, identity="what is rlhf？", front="what is rlhf？")]) == [g]  # width and case fold
    assert guids([replace(base, identity="What is DPO?")]) != [g]


def test_typo_fix_keeps_guid_through_state() -> None:
    first = identify([card("Why do answers grow lnoger?"), card("What is GRPO?")], State(), now=1)
    second = identify([card("Why do answers grow longer?"), card("What is GRPO?")], first.state, now=2)
    assert [c.guid for c in second.cards] == [c.guid for c in first.cards]
    assert second.changes.updated == (first.cards[0].guid,)
    # without the state the fixed question is a new fact: only edit-tracking is lost
    assert guids([card("Why do answers grow longer?")]) != [first.cards[0].guid]


def test_a_different_fact_never_takes_an_old_guid() -> None:
    first = identify([card("What is RLHF?")], State(), now=1)
    second = identify([card("Which optimiser trains the policy?")], first.state, now=2)
    assert second.cards[0].guid != first.cards[0].guid
    assert second.changes.retired == (first.cards[0].guid,)


def test_same_text_in_two_notes_gives_two_guids_and_the_old_owner_keeps_its_own() -> None:
    setup_a = card("Setup", kind="steps", path="a.md")
    first = identify([setup_a], State(), now=1)
    setup_b = card("Setup", kind="steps", path="0-new.md")  # sorts before a.md
    second = identify([setup_b, setup_a], first.state, now=2)
    g_b, g_a = (c.guid for c in second.cards)
    assert g_a == first.cards[0].guid and g_b != g_a
    assert (
        len(set(natural_keys([setup_a, setup_b, replace(setup_b, source=Source(PurePosixPath("0-new.md"), 9))]))) == 3
    )


def test_modification_time_moves_only_with_content() -> None:
    first = identify([card("Q1?"), card("Q2?")], State(), now=100)
    second = identify([card("Q1?", back="new"), card("Q2?")], first.state, now=200)
    assert [second.mods[c.guid] for c in second.cards] == [200, 100]
    # a clock behind the last build still yields a newer time, or Anki would skip the edit
    third = identify([card("Q1?", back="newer"), card("Q2?")], second.state, now=150)
    assert third.mods[third.cards[0].guid] == 201


def test_a_new_card_never_takes_the_guid_an_edited_card_kept() -> None:
    # "lnoger" fixed: the card keeps the GUID of its old text. Later another note asks
    # the old text again: its hash is that GUID, but the GUID (and its reviews) stay.
    first = identify([card("Why do answers grow lnoger?", path="z.md")], State(), now=1)
    second = identify([card("Why do answers grow longer?", path="z.md")], first.state, now=2)
    kept = second.cards[0].guid
    assert kept == first.cards[0].guid == scoped_guid("cards/1\x1fbasic\x1fqa\x1fwhy do answers grow lnoger?", "D")
    third = identify(
        [card("Why do answers grow lnoger?", path="a.md"), card("Why do answers grow longer?", path="z.md")],
        second.state,
        now=3,
    )
    assert third.cards[1].guid == kept and third.cards[0].guid != kept
    assert third.changes.added == (third.cards[0].guid,) and not third.changes.updated


def test_two_outputs_give_one_fact_two_guids() -> None:
    # a subfolder synced to its own deck beside the whole vault, a note copied into a
    # second vault: the same fact in another top-level deck is another Anki note
    whole = card("What is RLHF?")
    (mine,) = guids([whole])
    (theirs,) = guids([replace(whole, deck="Sub")])
    assert mine != theirs
    assert guids([replace(whole, deck="Sub::deeper")]) == [theirs]


def test_a_note_with_guids_made_before_scoping_keeps_that_scheme() -> None:
    # a deck built by an earlier release: its cards' GUIDs are the fact's hash alone;
    # a fact deleted from such a note and written again must come back as the same note
    rlhf, dpo = card("What is RLHF?"), card("What is DPO?")
    legacy = {c.identity: guid_from("cards/1", "basic", "qa", c.identity.lower()) for c in (rlhf, dpo)}
    made = identify([rlhf, dpo], State(), now=1)
    earlier = State({legacy[c.identity]: made.state.entries[c.guid] for c in made.cards})  # as that release left it
    assert [c.guid for c in identify([rlhf, dpo], earlier, now=2).cards] == [
        legacy[rlhf.identity],
        legacy[dpo.identity],
    ]
    second = identify([rlhf], earlier, now=2)  # DPO deleted: retired
    assert second.changes.retired == (legacy[dpo.identity],)
    third = identify([rlhf, dpo], second.state, now=3)  # and written again: the same GUID
    assert third.cards[1].guid == legacy[dpo.identity] and third.changes.added == (legacy[dpo.identity],)
    # a new note in the same vault gets the scoped scheme
    fresh = identify([rlhf, card("What is PPO?", path="new.md")], second.state, now=3)
    assert fresh.cards[1].guid == scoped_guid("cards/1\x1fbasic\x1fqa\x1fwhat is ppo?", "D")
