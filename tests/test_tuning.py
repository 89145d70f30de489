"""Settings that really change the sound, each proven by a measurement.

rate, pitch and volume on the real engine (one test each); pauses and per-role pause
overrides through a whole render, measured as gaps in manifest.json (fake engine, whose
durations are exact: 60000/rate ms per word).
"""

import json

import pytest

from audiobook import render
from audiobook.cast import Voice
from audiobook.engines import create_engine
from audio_helpers import median_pitch, pcm_to_float, rms_db

TEXT = "The quick brown fox jumps over the lazy dog near the river bank."


@pytest.fixture(scope="module")
def engine():
    return create_engine("pyttsx3")


def test_rate_changes_duration(engine):
    slow = engine.synthesize(TEXT, Voice("gmw/en-us", rate=120))
    fast = engine.synthesize(TEXT, Voice("gmw/en-us", rate=240))
    assert len(slow) / len(fast) == pytest.approx(2.0, rel=0.2)


def test_pitch_changes_measured_pitch(engine):
    low = median_pitch(pcm_to_float(engine.synthesize(TEXT, Voice("gmw/en-us", pitch=20))))
    high = median_pitch(pcm_to_float(engine.synthesize(TEXT, Voice("gmw/en-us", pitch=80))))
    assert 70 < low < 140 and high > 1.4 * low, (low, high)


def test_volume_changes_level(engine):
    loud = rms_db(pcm_to_float(engine.synthesize(TEXT, Voice("gmw/en-us", volume=0.8))))
    soft = rms_db(pcm_to_float(engine.synthesize(TEXT, Voice("gmw/en-us", volume=0.4))))
    assert loud - soft == pytest.approx(6.0, abs=1.5)  # 20*log10(2)


# --- pauses, measured in the manifest --------------------------------------------------

SCRIPT = (
    "# Pauses\n\n"
    "## One\n\n"
    "Anna walked in. The room was cold.\n\n"
    '"Hello," said Anna. "Is anyone here? Hello?"\n\n'
    '"Only me," Ben said.\n\n'
    "* * *\n\n"
    "Later, they left.\n"
)
PAUSES = "pauses: {sentence: 300, paragraph: 700, speaker_change: 450, scene: 1500}\n"


def _render(tmp_path, cache_dir, roles_extra=("", "", "")):
    narrator, anna, ben = roles_extra
    (tmp_path / "book.md").write_text(SCRIPT, encoding="utf-8")
    (tmp_path / "voices.yaml").write_text(
        "roles:\n"
        f"  narrator: {{voice: gmw/en-gb-x-rp, rate: 150{narrator}}}\n"
        f"  anna: {{name: Anna, gender: female, voice: gmw/en-us+f3, rate: 200{anna}}}\n"
        f"  ben: {{name: Ben, gender: male, voice: gmw/en-us, rate: 120{ben}}}\n" + PAUSES,
        encoding="utf-8")
    result = render.render_book(tmp_path / "book.md", tmp_path / "voices.yaml", tmp_path / "out",
                                formats=("wav",), engine="fake", jobs=1, cache_dir=cache_dir)
    segments = json.loads(result.manifest.read_text())["chapters"][0]["segments"]
    gaps = [(b["role"], b["start_ms"] - a["end_ms"]) for a, b in zip(segments, segments[1:])]
    lengths = [(s["role"], s["end_ms"] - s["start_ms"]) for s in segments]
    return gaps, lengths


def test_pauses_are_the_gaps_in_the_manifest(tmp_path, cache_dir, one_block_per_chapter):
    gaps, lengths = _render(tmp_path, cache_dir)
    assert gaps == [
        ("narrator", 1500),  # after the chapter title: scene
        ("anna", 700),  # new paragraph
        ("narrator", 450),  # "said Anna.": speaker change inside the paragraph
        ("anna", 450),
        ("ben", 700),  # new paragraph (and speaker): the larger
        ("narrator", 450),
        ("narrator", 1500),  # scene break
    ]
    # Inside a segment, sentences are `sentence` ms apart: words at 60000/rate ms each.
    assert lengths[1] == ("narrator", 7 * 400 + 300)
    assert lengths[4] == ("anna", 4 * 300 + 300)


def test_a_roles_own_pauses_change_only_its_gaps(tmp_path, cache_dir, one_block_per_chapter):
    gaps, lengths = _render(tmp_path, cache_dir, (
        "", ", pauses: {sentence: 1000}", ", pauses: {paragraph: 2000, speaker_change: 50}"))
    assert gaps == [
        ("narrator", 1500), ("anna", 700), ("narrator", 450), ("anna", 450),
        ("ben", 2000),  # Ben's own paragraph pause, before his line
        ("narrator", 450), ("narrator", 1500),
    ]
    assert lengths[1] == ("narrator", 7 * 400 + 300)  # the narrator keeps the cast's sentence
    assert lengths[4] == ("anna", 4 * 300 + 1000)  # Anna's own sentence pause


def test_role_pauses_are_validated_with_their_line(tmp_path):
    from audiobook.cast import parse_cast
    from audiobook.errors import CastError

    with pytest.raises(CastError) as error:
        parse_cast("roles:\n  narrator:\n    pauses:\n      sentense: 3\n", "v.yaml")
    assert str(error.value).startswith("v.yaml:4: roles.narrator.pauses.sentense: unknown key")
    with pytest.raises(CastError) as error:
        parse_cast("roles:\n  narrator:\n    pauses: {scene: -5}\n", "v.yaml")
    assert str(error.value) == "v.yaml:3: roles.narrator.pauses.scene: -5 is out of range (0-60000)"
