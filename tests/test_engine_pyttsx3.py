"""The real engine: proves pyttsx3 + espeak-ng synthesis is complete and obeys every setting.

NOTES.md measured the traps: settings changes dropped, empty files, audio cut short. Here
many utterances alternate voice, rate, pitch and volume; every output is measured.
"""

import pytest

from audiobook.cast import Voice
from audiobook.engines import create_engine
from audio_helpers import median_pitch, pcm_to_float, rms_db

TEXT = "The quick brown fox jumps over the lazy dog near the river bank."


@pytest.fixture(scope="module")
def engine():
    return create_engine("pyttsx3")


def test_engine_reports_its_versions_and_voices(engine):
    assert engine.version.startswith("pyttsx3-") and "espeak-ng-1." in engine.version
    ids = {v.id for v in engine.voices()}
    assert {"gmw/en-us", "gmw/en-gb-x-rp"} <= ids
    assert "f3" in engine.variants() and "Annie" in engine.variants()


def test_unknown_voices_are_reported_with_suggestions(engine):
    assert engine.check_voice("gmw/en-us+f3") is None
    assert "did you mean gmw/en-us" in engine.check_voice("gmw/en-usa")
    # variant names are case-sensitive: espeak silently falls back on `+annie`
    assert "+Annie" in engine.check_voice("gmw/en-us+annie")


def test_many_alternating_utterances_are_complete_and_obey_settings(engine):
    slow, fast = 110, 260
    low = Voice("gmw/en-us", rate=fast, pitch=20, volume=0.9)
    high = Voice("gmw/en-us+f3", rate=fast, pitch=80, volume=0.9)
    results = []
    for i in range(48):
        base = high if i % 2 else low
        voice = Voice(base.voice, rate=slow if i % 3 == 0 else fast, pitch=base.pitch,
                      volume=base.volume)
        pcm = engine.synthesize(TEXT, voice)
        x = pcm_to_float(pcm)
        results.append((voice, len(x) / engine.sample_rate, median_pitch(x)))

    fast_durations = [d for v, d, _ in results if v.rate == fast]
    slow_durations = [d for v, d, _ in results if v.rate == slow]
    # Every utterance is whole: same settings give the same length (to 5%) ...
    assert max(fast_durations) < 1.05 * min(fast_durations), results
    assert max(slow_durations) < 1.05 * min(slow_durations), results
    # ... and no rate change was dropped: every slow one is far longer than every fast one.
    assert min(slow_durations) > 1.7 * max(fast_durations), results
    # No pitch/voice change was dropped either.
    low_pitches = [p for v, _, p in results if v.voice == low.voice]
    high_pitches = [p for v, _, p in results if v.voice == high.voice]
    assert max(low_pitches) * 1.5 < min(high_pitches), results


def test_volume_changes_level_and_output_has_no_silent_padding(engine):
    loud = pcm_to_float(engine.synthesize(TEXT, Voice(volume=1.0)))
    quiet = pcm_to_float(engine.synthesize(TEXT, Voice(volume=0.25)))
    assert rms_db(loud) - rms_db(quiet) == pytest.approx(12.0, abs=2.0)  # 20*log10(4)
    rate = engine.sample_rate
    edge = int(0.03 * rate)  # espeak pads ~100 ms of silence; we keep only 15 ms
    assert abs(loud[: edge * 2]).max() > 0.01 and abs(loud[-edge * 2:]).max() > 0.005


def test_two_engine_objects_in_one_process_do_not_share_stale_settings(engine):
    # pyttsx3 keeps one espeak per process; an engine object that trusted its own record
    # of the last settings spoke the other object's rate here (5.5 s came out 2.4 s).
    other = create_engine("pyttsx3")
    slow, fast = Voice(rate=110), Voice(rate=260)
    first = len(engine.synthesize(TEXT, slow))
    other.synthesize(TEXT, fast)
    again = len(engine.synthesize(TEXT, slow))
    assert again == pytest.approx(first, rel=0.02)
