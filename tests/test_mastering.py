"""Mastering on synthetic audio: one gain per chapter to -20 dBFS RMS, peaks limited below
-3 dBFS, 44.1 kHz, room tone (not digital silence) in every pause, exact head and tail, and
chapters longer than the file limit split at their widest pause."""

import json
import math
import re
import subprocess

import numpy as np
import pytest

from audiobook import audio, export, render, tools
from audiobook.cache import SegmentCache
from audiobook.plan import ChapterPlan, PlannedSegment, Utterance
from audiobook.cast import Voice
from audio_helpers import decode, rms_db
from conftest import PAD_MS

RATE = 22050


def tone(seconds, amplitude, freq=200.0, clicks=False):
    """A sine; with clicks, a spike 20 dB above its RMS every 100 ms, like speech's peaks."""
    t = np.arange(int(seconds * RATE)) / RATE
    x = amplitude * np.sin(2 * np.pi * freq * t)
    if clicks:
        x[:: RATE // 10] = amplitude / math.sqrt(2) * 10
    return (x * 32767).astype("<i2").tobytes()


def make_plan(cache, pieces, head=750, tail=2500, pauses=None):
    """A chapter of one utterance per piece of PCM, put in the cache under its own key."""
    segments = []
    for i, pcm in enumerate(pieces):
        key = f"{i:064x}"
        cache.put(key, pcm)
        gap = (pauses or [600] * len(pieces))[i] if i else 0
        segments.append(PlannedSegment("narrator", "narration", 1, f"piece {i}", i + 1, gap, 300,
                                       (Utterance(f"piece {i}", Voice(), key),)))
    return ChapterPlan(1, "Test", "01-test", head, tail, tuple(segments))


def master(tmp_path, plan, cache):
    layout = audio.layout(plan, cache, RATE)
    out = tmp_path / "out.wav"
    export.encode(audio.stream(plan, cache, layout), RATE, audio.mastering_filter(layout),
                  {"wav": out})
    return layout, out


@pytest.fixture
def cache(tmp_path):
    return SegmentCache(tmp_path / "cache")


def test_chapter_is_mastered_to_acx_figures(tmp_path, cache):
    plan = make_plan(cache, [tone(3, 0.05, clicks=True), tone(2, 0.02, clicks=True)])
    layout, out = master(tmp_path, plan, cache)
    x = decode(out, rate=44100)
    assert abs(len(x) - layout.frames * 2) <= 2  # resampled to 44.1 kHz, nothing lost
    assert abs(rms_db(x) - audio.TARGET_RMS_DB) < 1.0  # the limiter's loss roughly made up
    peak_db = 20 * math.log10(np.max(np.abs(x)))
    assert peak_db <= -3.4  # after the gain the clicks would reach 0 dBFS
    assert peak_db > -4.5  # ...and the limiter caught them, not a lower gain


def test_room_tone_under_head_pauses_and_tail(tmp_path, cache):
    plan = make_plan(cache, [tone(1, 0.3), tone(1, 0.3)], head=750, tail=2000, pauses=[0, 1000])
    layout, out = master(tmp_path, plan, cache)
    x = decode(out, rate=44100)
    ms = lambda a, b: x[int(a * 44.1):int(b * 44.1)]  # noqa: E731
    for quiet in (ms(20, 730), ms(1770, 2730), ms(3770, 5700)):  # head, pause, tail
        level = rms_db(quiet)
        assert -72.5 < level < -67.5, level  # about -70 dBFS: quiet, never digital silence
        assert np.count_nonzero(quiet) > 0.9 * len(quiet)
    loud = np.flatnonzero(np.abs(x) > 0.01)
    assert abs(loud[0] / 44.1 - 750) < 3  # head room tone exactly as planned
    tail_ms = layout.blocks[-1].tail * 1000 / RATE  # the tail, padded to a whole MP3 frame
    assert PAD_MS[0] <= tail_ms - 2000 < PAD_MS[1]
    assert abs((len(x) - loud[-1]) / 44.1 - tail_ms) < 3


def test_one_gain_per_chapter_not_per_sentence(tmp_path, cache):
    """A quiet sentence stays 12 dB below a loud one: levels are never evened out."""
    plan = make_plan(cache, [tone(2, 0.2), tone(2, 0.05)], pauses=[0, 500])
    _, out = master(tmp_path, plan, cache)
    x = decode(out, rate=44100)
    first = rms_db(x[int(0.85 * 44100):int(2.65 * 44100)])
    second = rms_db(x[int(3.35 * 44100):int(5.15 * 44100)])
    assert abs((first - second) - 20 * math.log10(4)) < 0.3


def test_split_points_prefer_the_widest_late_pause(cache):
    plan = make_plan(cache, [tone(1, 0.1)] * 8, head=500, tail=500,
                     pauses=[0, 300, 1600, 300, 750, 300, 300, 300])
    layout = audio.layout(plan, cache, RATE)
    assert layout.duration_ms > 10_000
    # Part 1 can reach segment 3; of the later half's boundaries the scene (1600 ms) before
    # segment 2 wins. Part 2 can reach segment 5: the paragraph (750 ms) before 4 wins.
    assert audio.split_points(plan, layout, 7000) == [2, 4]
    assert audio.split_points(plan, layout, 60_000) == []
    parts = audio.split(plan, layout, cache, 7000)
    assert [p.stem for p, _ in parts] == ["01-test-part1", "01-test-part2", "01-test-part3"]
    assert [p.title for p, _ in parts] == ["Test (part 1)", "Test (part 2)", "Test (part 3)"]
    assert all(lay.duration_ms <= 7000 for _, lay in parts)
    assert all(lay.gain_db == layout.gain_db for _, lay in parts)  # loudness set per chapter
    assert sum(len(p.segments) for p, _ in parts) == 8


def test_long_chapter_is_split_into_numbered_parts(tmp_path, cache_dir, small_script, small_voices,
                                                   monkeypatch):
    monkeypatch.setattr(audio, "MAX_FILE_MS", 9000)
    result = render.render_book(small_script, small_voices, tmp_path / "out", engine="fake",
                                cache_dir=cache_dir, formats=["mp3", "m4b"])
    manifest = json.loads(result.manifest.read_text())
    one = manifest["chapters"][0]
    assert [p["file"] for p in one["parts"]] == [f"01-one-part{n}.mp3" for n in (1, 2, 3)]
    assert one["duration_ms"] == sum(p["duration_ms"] for p in one["parts"])
    for part in one["parts"]:
        assert part["duration_ms"] <= 9000
        assert (result.book_dir / part["file"]).is_file()
        assert (result.book_dir / part["file"]).with_suffix(".vtt").is_file()
    # Cut at a paragraph break, then at the scene break; only part 1 reads the title.
    assert [len(p["segments"]) for p in one["parts"]] == [2, 5, 1]
    assert one["parts"][0]["segments"][0]["text"] == "One"
    assert [p["segments"][0]["scene"] for p in one["parts"]] == [1, 1, 2]
    assert manifest["chapters"][1]["file"] == "02-two.mp3"  # short chapters stay whole
    assert result.chapters[0].files == {f"mp3 part {n}": f"01-one-part{n}.mp3" for n in (1, 2, 3)}
    # The M4B has no length limit: one marker per chapter, its parts joined again.
    chapters = subprocess.run(
        [tools.ffmpeg(), "-v", "error", "-i", str(result.book_dir / "a-small-book.m4b"),
         "-f", "ffmetadata", "-"], capture_output=True, text=True, check=True).stdout
    assert re.findall(r"^title=(.*)$", chapters, re.M)[1:] == ["One", "Two"]
    start_two = int(re.findall(r"^START=(\d+)$", chapters, re.M)[1])
    assert abs(start_two / 44.1 - one["duration_ms"]) < 2


def test_each_utterance_fades_in_and_out_at_its_edges_without_changing_lengths(cache):
    # espeak leaves no silence before a vowel (`Oh dear`): the speech stepped out of room
    # tone at full level in its first ms, which can click at a join. The fake engine's tone
    # does the same (a sine from its first sample, cut off mid-cycle at its end).
    from audiobook.engines.fake import FakeEngine, fake_duration_ms

    engine = FakeEngine()
    texts = ["Oh dear", "Ah", "Oh dear me, no."]
    pieces = [engine.synthesize(t, Voice(rate=170)) for t in texts]
    plan = make_plan(cache, pieces, pauses=[0, 400, 400])
    layout = audio.layout(plan, cache, RATE)
    x = np.frombuffer(b"".join(audio.stream(plan, cache, layout)), dtype="<i2").astype(float)
    assert len(x) == layout.frames  # nothing added or cut
    one_ms = RATE // 1000
    for timed, text, pcm in zip(layout.segments, texts, pieces):
        assert timed.end_ms - timed.start_ms == pytest.approx(fake_duration_ms(text, 170), abs=0.05)
        start, end = round(timed.start_ms * RATE / 1000), round(timed.end_ms * RATE / 1000)
        original = np.frombuffer(pcm, dtype="<i2").astype(float)
        full = np.max(np.abs(original))
        assert np.max(np.abs(original[:one_ms])) > 0.5 * full  # it starts loud...
        assert np.max(np.abs(x[start:start + one_ms])) < 0.25 * full  # ...and is faded in
        assert np.max(np.abs(x[end - one_ms:end])) < 0.25 * full  # and out
        assert abs(x[start]) < 0.01 * full and abs(x[end - 1]) < 0.01 * full
        # past the fades it is the speech as synthesised, room tone under it
        fade = round(audio.EDGE_FADE_MS * RATE / 1000)
        assert np.max(np.abs(x[start + fade:end - fade] - original[fade:-fade])) < 0.01 * full
