"""Where cards land: decks from folders, front matter and cards.toml; tags from all three."""

from __future__ import annotations

from pathlib import Path

from cards.pipeline.run import collect

NOTE = "- What is a ribosome?\n  - The machine that builds proteins.\n"


def decks_and_tags(root: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {c.source.path.as_posix(): (c.deck, c.tags) for c in collect([root]).cards}


def test_folders_front_matter_and_inline_tags(tmp_path: Path) -> None:
    root = tmp_path / "Vault"
    (root / "bio" / "cells").mkdir(parents=True)
    (root / "top.md").write_text(NOTE, "utf-8")
    (root / "bio" / "cells" / "ribosome.md").write_text(
        NOTE.replace("proteins.", "proteins. #molecular/biology"), "utf-8"
    )
    (root / "bio" / "own-deck.md").write_text(
        "---\ndeck: Exams::Final\ntags: [exam, cell biology]\n---\n" + NOTE, "utf-8"
    )
    assert decks_and_tags(root) == {
        "top.md": ("Vault", ()),
        "bio/cells/ribosome.md": ("Vault::bio::cells", ("bio::cells", "molecular::biology")),
        "bio/own-deck.md": ("Exams::Final", ("bio", "exam", "cell_biology")),
    }


def test_cards_toml_deck_mapping_and_tag_prefix(tmp_path: Path) -> None:
    root = tmp_path / "Vault"
    (root / "lectures" / "bio").mkdir(parents=True)
    (root / "lectures" / "bio" / "l1.md").write_text(NOTE, "utf-8")
    (root / "drafts").mkdir()
    (root / "drafts" / "wip.md").write_text(NOTE, "utf-8")
    (root / "cards.toml").write_text(
        'deck = "Study"\nexclude = ["drafts/**"]\ntag_prefix = "cards"\n[decks]\n"lectures/bio" = "Biology"\n', "utf-8"
    )
    assert decks_and_tags(root) == {"lectures/bio/l1.md": ("Biology", ("cards::lectures::bio",))}


def test_disabled_kind_gives_no_cards(tmp_path: Path) -> None:
    root = tmp_path / "Vault"
    root.mkdir()
    (root / "n.md").write_text(
        NOTE + "\n## How to brew\n\n1. **Boil** the water for the green tea\n2. **Steep** the leaves in the pot\n",
        "utf-8",
    )
    (root / "cards.toml").write_text('density = "all"\n', "utf-8")  # what the kinds make, not what the score keeps
    assert "steps" in {c.kind for c in collect([root]).cards}
    (root / "cards.toml").write_text('density = "all"\n[kinds]\nsteps = false\n', "utf-8")
    # the step titles are still bold phrases, so they become key-phrase cards instead
    kinds = {c.kind for c in collect([root]).cards}
    assert "steps" not in kinds and {"qa", "phrases"} <= kinds
