"""voices.yaml: defaults, and one exact message per kind of mistake (file:line: key: problem)."""

import pytest

from audiobook.cast import NARRATOR, Pauses, Voice, load_cast, parse_cast
from audiobook.errors import CastError


def error_of(text):
    with pytest.raises(CastError) as caught:
        parse_cast(text, "v.yaml")
    return str(caught.value)


def test_shipped_cast_has_three_distinct_voices(repo_root):
    cast = load_cast(repo_root / "voices.yaml")
    assert set(cast.roles) == {"narrator", "alex", "emily"}
    assert cast.roles["alex"].gender == "male" and cast.roles["emily"].gender == "female"
    assert len({r.voice for r in cast.roles.values()}) == 3
    assert cast.pauses.scene > cast.pauses.paragraph > cast.pauses.sentence


def test_minimal_roles_get_defaults():
    cast = parse_cast("roles:\n  narrator: {}\n  old_tom:\n  mary: {name: Mary Ann, gender: female}\n")
    assert cast.narrator.voice == Voice()
    assert cast.roles["old_tom"].name == "Old Tom" and cast.roles["old_tom"].gender == "neutral"
    assert cast.roles["mary"].voice.voice == "gmw/en-us+f3"  # female default differs
    assert cast.pauses == Pauses()
    assert [r.id for r in cast.characters] == ["old_tom", "mary"]


def test_narrator_may_be_a_character():
    cast = parse_cast("roles:\n  narrator: {name: Pip, aliases: [Philip], gender: male}\n")
    assert cast.roles[NARRATOR].names == ("Pip", "Philip")


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "v.yaml:1: roles: the file is empty; it needs a `roles:` section"),
        ("roles: [a, b]\n", "v.yaml:1: roles: must be a mapping, not a list"),
        ("roles:\n  alex: {}\n", "v.yaml:1: roles.narrator: missing; the narrator role is required"),
        ("roles:\n  narrator: {}\ncolour: red\n",
         "v.yaml:3: colour: unknown key (expected one of: roles, pauses, book, pronunciations)"),
        ("roles:\n  narrator:\n    voice: gmw/en\n    speed: 3\n",
         "v.yaml:4: roles.narrator.speed: unknown key "
         "(expected one of: name, aliases, gender, voice, rate, pitch, volume, pauses)"),
        ("roles:\n  narrator:\n    pitch: 150\n",
         "v.yaml:3: roles.narrator.pitch: 150 is out of range (0-100)"),
        ("roles:\n  narrator:\n    pitch: .nan\n",
         "v.yaml:3: roles.narrator.pitch: nan must be a whole number"),
        ("roles:\n  narrator:\n    volume: .inf\n",
         "v.yaml:3: roles.narrator.volume: inf must be a number"),
        ("roles:\n  narrator:\n    rate: fast\n",
         "v.yaml:3: roles.narrator.rate: 'fast' must be a whole number"),
        ("roles:\n  narrator:\n    volume: 1.5\n",
         "v.yaml:3: roles.narrator.volume: 1.5 is out of range (0.0-1.0)"),
        ("roles:\n  narrator: {}\n  bob: {gender: man}\n",
         "v.yaml:3: roles.bob.gender: 'man' must be one of: female, male, neutral"),
        ("roles:\n  narrator: {}\n  bob: {aliases: Robert}\n",
         "v.yaml:3: roles.bob.aliases: 'Robert' must be a list of names"),
        ("roles:\n  narrator: {}\n  Bob: {}\n",
         "v.yaml:3: roles.Bob: role ids are lowercase letters, digits, '-' or '_'"),
        ("roles:\n  narrator: {}\npauses:\n  scene: -5\n",
         "v.yaml:4: pauses.scene: -5 is out of range (0-60000)"),
        ("roles:\n  narrator: {}\npauses:\n  chapter: 5\n",
         "v.yaml:4: pauses.chapter: unknown key (expected one of: sentence, paragraph, "
         "speaker_change, scene, chapter_start, chapter_end)"),
        ("roles:\n  narrator: {}\n  narrator: {}\n",
         "v.yaml:3: roles.narrator: duplicate key (first on line 2)"),
        ("roles:\n  narrator:\n    rate: 100\n    pitch: 5\n    rate: 120\n",
         "v.yaml:5: roles.narrator.rate: duplicate key (first on line 3)"),
        ('roles:\n  narrator: {}\npronunciations:\n  "": foo\n',
         'v.yaml:4: pronunciations."": empty key; write the word or phrase to respell'),
        ("roles:\n  narrator: {rate: 100\n", "v.yaml:3: not valid YAML: expected ',' or '}', but got '<stream end>'"),
    ],
)
def test_each_mistake_has_one_exact_message(text, message):
    assert error_of(text) == message


def test_missing_file_is_named(tmp_path):
    with pytest.raises(CastError, match=r"nope.yaml: no such file"):
        load_cast(tmp_path / "nope.yaml")
