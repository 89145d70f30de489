"""Rendering with the fake engine, whose durations are exact: manifest times, pauses, files."""

import json

import pytest

from audiobook.cast import load_cast
from audiobook.engines.fake import fake_duration_ms
from audiobook.errors import CastError
from audiobook.render import render_book
from audio_helpers import decode, onsets
from conftest import PAD_MS


def render(script, voices, out, cache, **kw):
    return render_book(script, voices, out, engine="fake", jobs=1, cache_dir=cache, **kw)


@pytest.fixture
def rendered(small_script, small_voices, tmp_path, cache_dir, one_block_per_chapter):
    result = render(small_script, small_voices, tmp_path / "out", cache_dir, formats=("mp3", "wav"))
    manifest = json.loads(result.manifest.read_text())
    return result, manifest


def test_book_folder_has_a_file_per_chapter_and_manifest(rendered):
    result, manifest = rendered
    assert result.book_dir.name == "a-small-book"
    assert sorted(p.name for p in result.book_dir.iterdir() if not p.name.startswith(".")) == [
        "01-one.mp3", "01-one.srt", "01-one.vtt", "01-one.wav", "02-two.mp3", "02-two.srt",
        "02-two.vtt", "02-two.wav", "a-small-book.m3u", "manifest.json"]
    assert manifest["title"] == "A Small Book"
    assert [(c["index"], c["title"], c["file"]) for c in manifest["chapters"]] == [
        (1, "One", "01-one.mp3"), (2, "Two", "02-two.mp3")]


def test_manifest_segments_roles_kinds_scenes(rendered):
    _, manifest = rendered
    segments = manifest["chapters"][0]["segments"]
    assert [(s["role"], s["kind"], s["scene"], s["text"]) for s in segments] == [
        ("narrator", "narration", 1, "One"),
        ("narrator", "narration", 1, "Anna walked in. The room was cold."),
        ("anna", "dialogue", 1, "Hello,"),
        ("narrator", "narration", 1, "said Anna."),
        ("anna", "dialogue", 1, "Is anyone here?"),
        ("ben", "dialogue", 1, "Only me,"),
        ("narrator", "narration", 1, "Ben said."),
        ("narrator", "narration", 2, "Later, they left."),
    ]


def test_manifest_times_follow_word_durations_and_pauses(rendered, small_voices):
    _, manifest = rendered
    cast = load_cast(small_voices)
    p = cast.pauses
    rate = {role: cast.roles[role].voice.rate for role in cast.roles}

    def speech(text, role):  # sentences of one segment, each synthesised separately
        from audiobook.text import split_sentences
        parts = split_sentences(text)
        return sum(fake_duration_ms(s, rate[role]) for s in parts) + p.sentence * (len(parts) - 1)

    segments = manifest["chapters"][0]["segments"]
    gaps = [None, p.scene, p.paragraph, p.speaker_change, p.speaker_change,
            max(p.paragraph, p.speaker_change), p.speaker_change, p.scene]
    t = p.chapter_start
    for segment, gap in zip(segments, gaps):
        t += gap or 0
        assert segment["start_ms"] == pytest.approx(t, abs=1)
        t += speech(segment["text"], segment["role"])
        assert segment["end_ms"] == pytest.approx(t, abs=1)
    t += p.chapter_end
    padding = manifest["chapters"][0]["duration_ms"] - t  # to a whole MP3 frame
    assert PAD_MS[0] - 1 <= padding <= PAD_MS[1] + 1


@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_audio_positions_match_the_manifest_within_20ms(rendered, fmt):
    result, manifest = rendered
    chapter = manifest["chapters"][0]
    x = decode(result.book_dir / chapter["file"].replace(".mp3", f".{fmt}"))
    assert len(x) / 22.05 == pytest.approx(chapter["duration_ms"], abs=20)
    heard = onsets(x, min_gap_ms=200)  # segment starts, and sentence starts within them
    starts = [s["start_ms"] for s in chapter["segments"]]
    assert len(heard) == len(starts) + 1  # one segment has two sentences
    for expected in starts:
        assert min(abs(h - expected) for h in heard) < 20


def test_pauses_in_voices_yaml_change_the_gaps(small_script, small_voices, tmp_path, cache_dir,
                                               one_block_per_chapter):
    longer = tmp_path / "longer.yaml"
    longer.write_text(small_voices.read_text().replace("scene: 1500", "scene: 4000"))
    a = json.loads(render(small_script, small_voices, tmp_path / "a", cache_dir).manifest.read_text())
    b = json.loads(render(small_script, longer, tmp_path / "b", cache_dir).manifest.read_text())
    seg_a, seg_b = a["chapters"][0]["segments"], b["chapters"][0]["segments"]
    # the title->text gap and the scene break each grow by 2500 ms
    assert seg_b[1]["start_ms"] - seg_a[1]["start_ms"] == pytest.approx(2500, abs=1)
    assert seg_b[-1]["start_ms"] - seg_a[-1]["start_ms"] == pytest.approx(5000, abs=1)


def test_unknown_voice_is_an_error_naming_file_line_and_key(small_script, tmp_path, cache_dir):
    voices = tmp_path / "bad.yaml"
    voices.write_text("roles:\n  narrator:\n    voice: gmw/en-usa\n")
    with pytest.raises(CastError) as caught:
        render(small_script, voices, tmp_path / "out", cache_dir)
    assert str(caught.value) == (
        f"{voices}:3: roles.narrator.voice: unknown voice 'gmw/en-usa' (did you mean gmw/en-us, "
        "gmw/en, gmw/en-029?); `audiobook voices list` shows them")


def test_progress_reads_plans_synthesises_and_encodes(small_script, small_voices, tmp_path, cache_dir):
    from audiobook.render import Reporter

    calls = []

    class Recorder(Reporter):
        def progress(self, stage, done, total):
            calls.append((stage, done, total))

    render(small_script, small_voices, tmp_path / "out", cache_dir, reporter=Recorder())
    stages = [stage for stage, _, _ in calls]
    assert stages == sorted(stages, key=["read", "plan", "synthesize", "encode"].index)
    lines = small_script.read_text().count("\n") + 1
    assert [c for c in calls if c[0] == "read"] == [
        ("read", 3, lines), ("read", 15, lines), ("read", lines, lines)]
    assert [c for c in calls if c[0] == "plan"] == [("plan", 1, 2), ("plan", 2, 2)]
    assert calls[-1] == ("encode", 2, 2)
    synthesized = [done for stage, done, _ in calls if stage == "synthesize"]
    assert synthesized == list(range(13)) and all(t == 12 for s, _, t in calls if s == "synthesize")
