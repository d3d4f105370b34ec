"""cards.toml: defaults, every key, CLI overrides, folder decks, globs, and error messages.

Error tests assert the whole message, line number included, so a change of wording
or of the line we point at is a deliberate one.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from types import MappingProxyType

import pytest

from cards.config import KINDS, Config, ConfigError, load_config


def write(root: Path, text: str) -> Path:
    (root / "cards.toml").write_text(text, encoding="utf-8")
    return root


# ---------------------------------------------------------------- defaults and keys


def test_no_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config()
    assert config.deck is None
    assert config.output is None
    assert config.include == ("**/*.md", "**/*.markdown")
    assert config.exclude == ()
    assert config.tag_prefix == ""
    assert config.kinds == frozenset(KINDS)
    assert dict(config.decks) == {}
    assert config.path is None


def test_empty_file_gives_defaults_with_path(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "# nothing yet\n"))
    assert config == Config(path=tmp_path / "cards.toml")


def test_every_key(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            """\
deck = "My Vault"
output = "build/vault.apkg"
include = ["notes/**/*.md"]
exclude = ["drafts/**", "templates/**"]
tag_prefix = "cards"

[kinds]
figure = false
qa = true

[decks]
"lectures/bio" = "Biology"
"./lectures/chem/" = "Chemistry"
""",
        )
    )
    assert config.deck == "My Vault"
    assert config.output == tmp_path / "build" / "vault.apkg"
    home = load_config(write(tmp_path, 'output = "~/Anki/vault.apkg"\n'))
    assert home.output == Path.home() / "Anki" / "vault.apkg"  # ~ is the user's home, not a folder in the vault
    assert config.include == ("notes/**/*.md",)
    assert config.exclude == ("drafts/**", "templates/**")
    assert config.tag_prefix == "cards"
    assert config.kinds == frozenset(KINDS) - {"figure"}
    assert dict(config.decks) == {"lectures/bio": "Biology", "lectures/chem": "Chemistry"}
    assert isinstance(config.decks, MappingProxyType)
    assert config.path == tmp_path / "cards.toml"


def test_inline_and_dotted_tables(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'kinds = { figure = false, steps = false }\ndecks.bio = "Bio"\n'))
    assert config.kinds == frozenset(KINDS) - {"figure", "steps"}
    assert dict(config.decks) == {"bio": "Bio"}


def test_bom_and_crlf_are_fine(tmp_path: Path) -> None:
    (tmp_path / "cards.toml").write_bytes('\ufeffdeck = "Vault"\r\ntag_prefix = "x"\r\n'.encode())
    config = load_config(tmp_path)
    assert (config.deck, config.tag_prefix) == ("Vault", "x")


def test_config_is_hashable_and_frozen() -> None:
    config = Config()
    hash(config)
    with pytest.raises(AttributeError):
        config.deck = "x"  # type: ignore[misc]


# ---------------------------------------------------------------- overrides


def test_overrides_ignore_none_and_return_new_config(tmp_path: Path) -> None:
    base = load_config(write(tmp_path, 'deck = "File"\noutput = "a.apkg"\n'))
    same = base.with_overrides(deck=None, output=None)
    assert same == base
    new = base.with_overrides(deck="Flag", output="out/b.apkg", exclude=["x/**"], kinds=["qa"])
    assert new is not base
    assert new.deck == "Flag"
    assert new.output == Path("out/b.apkg")
    assert new.exclude == ("x/**",)
    assert new.kinds == frozenset({"qa"})
    assert base.deck == "File"  # the original is untouched
    assert new.path == base.path


def test_overrides_reject_unknown_flags() -> None:
    with pytest.raises(TypeError, match="colour"):
        Config().with_overrides(colour="red")


# ---------------------------------------------------------------- folder -> deck


def test_deck_for_folder_without_mapping() -> None:
    config = Config()
    assert config.deck_for_folder(PurePosixPath("."), "Vault") == "Vault"
    assert config.deck_for_folder(PurePosixPath(""), "Vault") == "Vault"
    assert config.deck_for_folder(PurePosixPath("a"), "Vault") == "Vault::a"
    assert config.deck_for_folder(PurePosixPath("a/b"), "Vault") == "Vault::a::b"


def test_deck_for_folder_longest_prefix_wins() -> None:
    config = Config().with_overrides(decks={"lectures": "Lectures", "lectures/bio": "Biology"})
    assert config.deck_for_folder(PurePosixPath("lectures/bio"), "V") == "Biology"
    assert config.deck_for_folder(PurePosixPath("lectures/bio/cells"), "V") == "Biology"
    assert config.deck_for_folder(PurePosixPath("lectures/chem"), "V") == "Lectures"
    assert config.deck_for_folder(PurePosixPath("lectures"), "V") == "Lectures"
    # a prefix is a whole folder name, not a string prefix
    assert config.deck_for_folder(PurePosixPath("lectures-old"), "V") == "V::lectures-old"
    assert config.deck_for_folder(PurePosixPath("other/lectures/bio"), "V") == "V::other::lectures::bio"


# ---------------------------------------------------------------- globs


@pytest.mark.parametrize(
    ("path", "included"),
    [
        ("a.md", True),
        ("x/y/a.md", True),
        ("b.markdown", True),
        ("a.txt", False),
        ("a.md.bak", False),
        ("drafts/a.md", False),
        ("drafts/x/y.md", False),
        ("draftsy/a.md", True),
        ("templates/t.md", False),
        ("notes/templates/t.md", True),
        ("old/skip.md", False),
        ("old/keep.md", True),
        ("old/deep/skip.md", True),
        (".obsidian/a.md", False),
        (".trash/a.md", False),
        ("x/.hidden/a.md", False),
        (".hidden.md", False),
        ("archive/2024/a.md", False),
    ],
)
def test_include_exclude(path: str, included: bool) -> None:
    config = Config(exclude=("drafts/**", "templates", "old/skip.md", "archive/*"))
    assert config.is_included(PurePosixPath(path)) is included


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("**/*.md", "a.md", True),
        ("**/*.md", "a/b/c.md", True),
        ("*.md", "a.md", True),
        ("*.md", "a/b.md", False),  # * stays inside one folder
        ("notes/**/*.md", "notes/a.md", True),
        ("notes/**/*.md", "notes/x/y/a.md", True),
        ("notes/**/*.md", "other/notes/a.md", False),
        ("**", "any/thing.md", True),
        ("?.md", "a.md", True),
        ("?.md", "ab.md", False),
        ("[ab].md", "b.md", True),
        ("[!ab].md", "c.md", True),
        ("[!ab].md", "a.md", False),
        ("a+b(1).md", "a+b(1).md", True),  # regex characters are literal
        ("./notes/*.md", "notes/a.md", True),
        ("/notes/*.md", "notes/a.md", True),
    ],
)
def test_include_glob_semantics(pattern: str, path: str, matches: bool) -> None:
    assert Config(include=(pattern,)).is_included(PurePosixPath(path)) is matches


def test_excludes_folder_prunes_walks() -> None:
    config = Config(exclude=("drafts/**",))
    assert config.excludes_folder(PurePosixPath(".obsidian"))
    assert config.excludes_folder(PurePosixPath("drafts/x"))
    assert not config.excludes_folder(PurePosixPath("notes"))


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'deck = "V"\ndek = "x"\n',
            'cards.toml:2: unknown key "dek"; did you mean "deck"?',
        ),
        (
            'deck = "V"\n\n\nexclude = "drafts/**"\n',
            'cards.toml:4: "exclude" must be a list of strings; write exclude = ["drafts/**"]',
        ),
        (
            'include = ["**/*.md", 3]\n',
            'cards.toml:1: "include" must be a list of strings; write include = ["**/*.md"]',
        ),
        (
            'deck = "V"\n\n[kinds]\nfigure = false\nfigures = true\n',
            'cards.toml:5: unknown card kind "figures" in [kinds]; did you mean "figure"?',
        ),
        (
            "[kinds]\nsteps = 0\n",
            'cards.toml:2: "kinds.steps" must be true or false; write steps = false',
        ),
        (
            "[kinds]\nzzz = true\n",
            'cards.toml:2: unknown card kind "zzz" in [kinds]; known: o2a, osr, details, callouts, logseq, qa, '
            "problems, figure, steps, terms, sections, prose, tables, outline, defines, phrases",
        ),
        (
            '# my vault\ndeck = "   "\n',
            'cards.toml:2: "deck" is empty; name the root deck, e.g. deck = "My Vault", or remove the line',
        ),
        (
            'output = "build/vault.zip"\n',
            'cards.toml:1: "output" must end in .apkg (Anki imports only that); write output = "~/Anki/vault.apkg"',
        ),
        (
            'deck = "V"\n[decks]\n"lectures/bio" = "Biology"\n"lectures/chem" = ""\n',
            'cards.toml:4: deck for folder "lectures/chem" is empty; name a deck or remove the line',
        ),
        (
            '[decks]\n"../elsewhere" = "X"\n',
            'cards.toml:2: folder "../elsewhere" in [decks] is outside the vault; write it relative to the vault root',
        ),
        (
            'deck = "V"\n[kind]\nfigure = false\n',
            'cards.toml:2: unknown key "kind"; did you mean "kinds"?',
        ),
        (
            'colour = "red"\n',
            'cards.toml:1: unknown key "colour"; known: deck, output, include, exclude, tag_prefix, only_tagged, '
            "density, kinds, decks, sync",
        ),
        (
            'tag_prefix = "my cards"\n',
            'cards.toml:1: "tag_prefix" contains a space, which Anki tags cannot; use "_" or "::" instead',
        ),
        (
            'deck = "V"\noutput = "a.apkg"\ninclude = [**/*.md]\n',
            "cards.toml:3: invalid TOML at column 12: invalid value; fix the syntax there",
        ),
        (
            'deck = "V"\n[kinds\nfigure = false\n',
            "cards.toml:2: invalid TOML at column 7: expected ']' at the end of a table declaration; fix the syntax "
            "there",
        ),
        (
            'deck = "V"\ntag_prefix = "a"\ndeck = "W"\n',
            'cards.toml:3: invalid TOML: "deck" is set twice; keep only one of them',
        ),
        (
            'deck = "V"\ninclude = ["a",\n  "b",\n',
            "cards.toml:3: invalid TOML at end of file: invalid value; close the value or table opened above",
        ),
    ],
)
def test_error_messages(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert str(info.value) == message
    assert info.value.path == tmp_path / "cards.toml"
    assert info.value.line == int(message.split(":")[1])


def test_invalid_utf8_is_line_one(tmp_path: Path) -> None:
    (tmp_path / "cards.toml").write_bytes(b'deck = "V"\ntag_prefix = "\xff"\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value) == "cards.toml:1: not valid UTF-8 (byte 0xff at offset 25); save the file as UTF-8"
    assert info.value.line == 1


def test_config_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "cards.toml").mkdir()
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value) == "cards.toml:1: cards.toml is not a file; remove it or make it a file"
