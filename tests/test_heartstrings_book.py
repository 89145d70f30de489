"""The bundled book, rendered for real: the figures issue #2 promises a listener."""

import json

import numpy as np
import pytest

from audiobook.render import render_book
from audio_helpers import decode, median_pitch
from conftest import ROOT


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    result = render_book(ROOT / "script/heartstrings.md", ROOT / "voices.yaml", out,
                         cache_dir=out / "cache")
    return result, json.loads(result.manifest.read_text())


def test_one_mp3_per_chapter_and_ten_to_fourteen_minutes(book):
    result, manifest = book
    names = sorted(p.name for p in result.book_dir.glob("*.mp3"))
    assert names == [c["file"] for c in manifest["chapters"]] and len(names) == 5
    minutes = sum(c["duration_ms"] for c in manifest["chapters"]) / 60000
    assert 10 <= minutes <= 14


def test_three_distinct_voices_by_measured_pitch(book):
    result, manifest = book
    pitches = {"narrator": [], "alex": [], "emily": []}
    for chapter in manifest["chapters"]:
        audio = decode(result.book_dir / chapter["file"])
        for s in chapter["segments"]:
            piece = audio[int(s["start_ms"] * 22.05):int(s["end_ms"] * 22.05)]
            if len(piece) > 22050 // 2:  # half a second or more: a stable estimate
                pitches[s["role"]].append(median_pitch(piece))
    narrator, alex, emily = (float(np.median(pitches[r])) for r in ("narrator", "alex", "emily"))
    assert emily >= 1.3 * alex, (narrator, alex, emily)
    # The narrator is a third voice: another accent (en-gb-x-rp), and pitched apart from both.
    assert alex * 1.1 < narrator < emily / 1.3, (narrator, alex, emily)
