"""MP3 chapters encoded in blocks: the joined blocks keep the layout's timing to the sample,
an edit re-encodes only its own block, and the bytes never depend on what was cached."""

import json
import shutil

import numpy as np
import pytest

from audiobook import audio, export
from audiobook.cache import SegmentCache
from audiobook.errors import EngineError, ToolError
from audiobook.plan import ChapterPlan, PlannedSegment, Utterance
from audiobook.cast import Voice
from audiobook.render import render_book
from audio_helpers import decode, onsets

WORDS = "amber birch cedar dune ember fjord glade heath inlet jetty knoll larch marsh".split()


def long_chapter(edit: str = "") -> str:
    """One chapter of 40 short paragraphs, each with its own words (so its own cache key)."""
    paragraphs = [f"The {WORDS[i % 13]} path number {i} runs {'on' * (1 + i % 3)}."
                  for i in range(40)]
    if edit:
        paragraphs[20] = edit
    return "# Blocks\n\n## One\n\n" + "\n\n".join(paragraphs) + "\n\n## Two\n\nA short one.\n"


def render(tmp_path, script_text, out, cache, formats=("mp3",)):
    script = tmp_path / "book.md"
    script.write_text(script_text, encoding="utf-8")
    voices = tmp_path / "voices.yaml"
    voices.write_text("roles:\n  narrator: {rate: 300}\npauses: {paragraph: 400}\n")
    return render_book(script, voices, out, formats=formats, engine="fake", jobs=1,
                       cache_dir=cache)


def mp3s(result):
    return {p.name: p.read_bytes() for p in sorted(result.book_dir.glob("*.mp3"))}


def test_joined_blocks_keep_the_manifest_timing_to_the_sample(tmp_path):
    result = render(tmp_path, long_chapter(), tmp_path / "out", tmp_path / "c", ("mp3", "wav"))
    chapter = json.loads(result.manifest.read_text())["chapters"][0]
    blocks = list((tmp_path / "c").glob("*/*.mp3"))
    assert len(blocks) >= 5  # chapter one really is in blocks (and chapter two is one)
    mp3 = decode(result.book_dir / "01-one.mp3", 44100)
    wav = decode(result.book_dir / "01-one.wav", 44100)
    # The blocks' encoder delays are cut away: the MP3 is exactly as long as the WAV, and
    # both are the manifest's length in whole MP3 frames.
    assert len(mp3) == len(wav) == round(chapter["duration_ms"] * 44.1 / 1152) * 1152
    heard = onsets(mp3, rate=44100, min_gap_ms=150)
    starts = [s["start_ms"] for s in chapter["segments"]]
    assert len(heard) == len(starts)
    assert max(abs(h - s) for h, s in zip(heard, starts)) < 2  # ms, in every block
    # Same audio as the continuous WAV, apart from MP3's loss and the blocks' first 25 ms.
    assert np.corrcoef(mp3, wav)[0, 1] > 0.99
    # To the sample: an encoder whose delay is not ENCODER_DELAY shifts every block.
    middle = slice(4096, len(wav) - 4096)
    error = {lag: np.mean((np.roll(mp3, -lag)[middle] - wav[middle]) ** 2) for lag in range(-3, 4)}
    assert min(error, key=error.get) == 0


def test_an_edit_re_encodes_only_its_block_and_matches_a_cold_render(tmp_path):
    cache = tmp_path / "c"
    first = mp3s(render(tmp_path, long_chapter(), tmp_path / "out", cache))
    before = set(cache.glob("*/*.mp3"))
    edited = render(tmp_path, long_chapter("A new line is here."), tmp_path / "out", cache)
    new_blocks = set(cache.glob("*/*.mp3")) - before
    assert 1 <= len(new_blocks) <= 2  # its block; two if it started or ended one
    second = mp3s(edited)
    assert second["02-two.mp3"] == first["02-two.mp3"]
    old, new = first["01-one.mp3"], second["01-one.mp3"]
    same_start = next(i for i, (a, b) in enumerate(zip(old, new)) if a != b)
    same_end = next(i for i, (a, b) in enumerate(zip(old[::-1], new[::-1])) if a != b)
    changed = len(new) - same_start - same_end
    # Only the new block's bytes differ: the blocks before and after are copied as they were.
    assert changed <= sum(p.stat().st_size for p in new_blocks)
    assert changed < len(new) / 3
    # Built partly from cached blocks, the file is the one a cold render makes...
    cold = render(tmp_path, long_chapter("A new line is here."), tmp_path / "cold", tmp_path / "c2")
    assert mp3s(cold) == second
    # ...and undoing the edit gives back the first bytes.
    undone = render(tmp_path, long_chapter(), tmp_path / "out", cache)
    assert mp3s(undone) == first


def test_a_corrupt_block_is_re_encoded(tmp_path):
    cache = tmp_path / "c"
    first = mp3s(render(tmp_path, long_chapter(), tmp_path / "a", cache))
    block = sorted(cache.glob("*/*.mp3"))[0]
    block.write_bytes(block.read_bytes()[:-10])
    again = mp3s(render(tmp_path, long_chapter(), tmp_path / "b", cache))
    assert again == first
    assert block.is_file()  # written again


def test_a_cache_of_many_corrupt_blocks_is_re_encoded_in_one_ffmpeg_run(tmp_path, monkeypatch):
    cache = tmp_path / "c"
    first = mp3s(render(tmp_path, long_chapter(), tmp_path / "a", cache))
    damaged = sorted(cache.glob("*/*.mp3"), key=lambda p: p.stat().st_size, reverse=True)[:4]
    for block in damaged:
        block.write_bytes(block.read_bytes()[:-10])
    runs = []
    encode_blocks = export._encode_blocks
    monkeypatch.setattr(export, "_encode_blocks",
                        lambda blocks, *a: (runs.append(len(blocks)), encode_blocks(blocks, *a)))
    again = mp3s(render(tmp_path, long_chapter(), tmp_path / "b", cache))
    assert again == first
    assert runs == [4]  # chapter one's largest blocks: one run, not one per block
    assert all(block.is_file() for block in damaged)


def test_a_warm_render_reads_each_cached_block_once(tmp_path, monkeypatch):
    from pathlib import Path

    cache = tmp_path / "c"
    first = mp3s(render(tmp_path, long_chapter(), tmp_path / "a", cache))
    blocks = set(cache.glob("*/*.mp3"))
    reads = []
    open_ = Path.open

    def spy(self, mode="r", *args, **kwargs):
        if self in blocks:
            reads.append((self.name, mode))
        return open_(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    again = mp3s(render(tmp_path, long_chapter(), tmp_path / "b", cache))  # every block cached
    assert again == first
    assert sorted(reads) == sorted((block.name, "rb") for block in blocks)


def plan_of(texts, pause=600):
    segments = tuple(
        PlannedSegment("narrator", "narration", 1, text, i + 1, pause if i else 0, 300,
                       (Utterance(text, Voice(), f"key of {text}"),))
        for i, text in enumerate(texts))
    return ChapterPlan(1, "T", "01-t", 750, 2000, segments)


def test_block_starts_depend_only_on_the_segment_itself():
    texts = [f"sentence {i}" for i in range(200)]
    plan = plan_of(texts)
    starts = audio.block_starts(plan)
    assert starts[0] == 0 and 25 < len(starts) < 100  # about one in BLOCK_EVERY
    # A segment inserted at the front shifts every index by one and moves no boundary.
    shifted = audio.block_starts(plan_of(["a new first line", *texts]))
    assert {texts[i] for i in starts[1:]} <= {(["a new first line", *texts])[i] for i in shifted}
    assert len(set(shifted) - {i + 1 for i in starts}) <= 2
    # Short pauses (inside a paragraph) never start a block.
    assert audio.block_starts(plan_of(texts, pause=audio.BLOCK_MIN_PAUSE_MS - 1)) == [0]


def cached_plan(tmp_path, count, frames):
    """plan_of `count` sentences, each in the cache with `frames` + 37 n frames of speech."""
    cache = SegmentCache(tmp_path)
    texts = [f"sentence {i}" for i in range(count)]
    for n, text in enumerate(texts):
        cache.put(f"key of {text}", b"\x10\x00" * (frames + 37 * n))
    return plan_of(texts), cache


def test_blocks_are_whole_mp3_frames_and_start_with_room_for_the_encoder_delay(tmp_path):
    plan, cache = cached_plan(tmp_path, 60, 1000)
    layout = audio.layout(plan, cache, 22050)
    assert len(layout.blocks) == len(audio.block_starts(plan))
    position = 0
    for block in layout.blocks:
        assert block.start == position
        assert (block.frames * 2) % 1152 == 0
        assert block.lead * 2 >= audio.ENCODER_DELAY
        assert block.tail >= round(audio.BLOCK_PAD_MS * 22.05)
        position += block.frames
    assert position == layout.frames
    # Exactly the chapter's pauses, but for the padding that closes each block.
    gaps = [b.start_ms - a.end_ms for a, b in zip(layout.segments, layout.segments[1:])]
    starts = {b.first for b in layout.blocks}
    for i, gap in enumerate(gaps, 1):
        if i in starts:
            assert 600 + 2 - 0.1 <= gap < 600 + 2 + 1152 / 44.1
        else:
            assert gap == pytest.approx(600, abs=0.05)


def test_the_chapter_gain_moves_in_steps():
    for rms_db in (-30.0, -27.13, -25.26, -24.99):
        layout = audio.ChapterLayout(22050, 1, (), rms_db)
        exact = audio.TARGET_RMS_DB - rms_db + audio.LIMITER_MAKEUP_DB
        assert layout.gain_db / audio.GAIN_STEP_DB == round(layout.gain_db / audio.GAIN_STEP_DB)
        assert abs(layout.gain_db - exact) <= audio.GAIN_STEP_DB / 2
    # A small change of level (a one-word edit) leaves the gain, and so every block, alone.
    assert audio.ChapterLayout(22050, 1, (), -27.13).gain_db == \
        audio.ChapterLayout(22050, 1, (), -27.16).gain_db


def test_a_blocks_bytes_do_not_depend_on_the_blocks_encoded_with_it(tmp_path, monkeypatch):
    together = mp3s(render(tmp_path, long_chapter(), tmp_path / "a", tmp_path / "c1"))
    monkeypatch.setattr(export, "BLOCKS_PER_RUN", 1)  # an ffmpeg run for every block
    alone = mp3s(render(tmp_path, long_chapter(), tmp_path / "b", tmp_path / "c2"))
    assert alone == together


def test_split_parts_stay_within_the_limit_with_their_block_padding(tmp_path):
    plan, cache = cached_plan(tmp_path, 12, 20000)
    layout = audio.layout(plan, cache, 22050)
    for k in range(1, 10):  # a limit that segments 0..k fill exactly, with head and tail
        limit = layout.segments[k].end_ms - layout.segments[0].start_ms + 750 + 2000
        parts = audio.split(plan, layout, cache, limit)
        assert len(parts) > 1
        # Each part ends its last block padded to a whole MP3 frame: that must fit too.
        assert max(lay.duration_ms for _, lay in parts) <= limit


def test_an_encoder_that_writes_other_than_the_blocks_frames_is_an_error(tmp_path, monkeypatch):
    # An ffmpeg that adds a header frame (here: Xing) or frames of its own to each block
    # would shift every later block: it must stop the render, and cache nothing.
    at = export._BLOCK_CODEC.index("-write_xing")
    codec = export._BLOCK_CODEC[:at] + export._BLOCK_CODEC[at + 2:]
    monkeypatch.setattr(export, "_BLOCK_CODEC", codec)
    with pytest.raises(ToolError, match=r"MP3 block of \d+ frames .* \d+ frames"):
        render(tmp_path, long_chapter(), tmp_path / "out", tmp_path / "c")
    assert not list((tmp_path / "c").glob("*/*.mp3"))
    assert not (tmp_path / "out" / "blocks" / "01-one.mp3").exists()


def test_an_engine_rate_that_does_not_divide_into_mp3_frames_is_told_only_for_mp3(tmp_path):
    cache = SegmentCache(tmp_path)
    cache.put("key of one", b"\x10\x00" * 1000)
    chapter = audio.layout(plan_of(["one"]), cache, 16000)  # WAV and M4B need no MP3 frames
    assert chapter.segments[0].end_ms - chapter.segments[0].start_ms == 1000 / 16
    with pytest.raises(EngineError, match="16000 Hz"):  # a user-facing error, no traceback
        audio.check_mp3_rate(16000)
    audio.check_mp3_rate(22050)


def test_a_block_is_keyed_by_its_room_tone_too(tmp_path, monkeypatch):
    cache = tmp_path / "c"
    before = mp3s(render(tmp_path, long_chapter(), tmp_path / "a", cache))
    monkeypatch.setattr(audio, "ROOM_TONE_DB", -62.0)  # what a retuned tone would do
    louder = mp3s(render(tmp_path, long_chapter(), tmp_path / "b", cache))
    cold = mp3s(render(tmp_path, long_chapter(), tmp_path / "c", tmp_path / "c2"))
    assert louder == cold != before  # no block of the old tone is reused


def test_blocks_are_encoded_where_a_killed_render_leaves_them_for_the_next(tmp_path,
                                                                          monkeypatch):
    from audiobook import render as render_module

    sources = []
    put_file = SegmentCache.put_file
    monkeypatch.setattr(SegmentCache, "put_file",
                        lambda self, key, source, kind: (sources.append(source),
                                                         put_file(self, key, source, kind)))
    first = render(tmp_path, long_chapter(), tmp_path / "out", tmp_path / "c")
    # In the book folder, named as the temporaries the next render clears away...
    assert sources and {s.parent for s in sources} == {first.book_dir}
    assert all(render_module._LEFTOVER.match(s.name) for s in sources)
    assert not list(first.book_dir.glob(".block-*"))  # ...and gone once cached
    leftover = first.book_dir / ".block-k1ll3d_x.mp3"  # a block being encoded at kill -9
    leftover.write_bytes(b"\xff\xfb" * 100)
    render(tmp_path, long_chapter("An edit."), tmp_path / "out", tmp_path / "c")
    assert not leftover.exists()


def test_cache_entries_are_copied_and_stored_in_pieces(tmp_path):
    import tracemalloc

    cache = SegmentCache(tmp_path / "c")
    source = tmp_path / "big.mp3"
    source.write_bytes(bytes(range(256)) * 160_000)  # 40 MB
    tracemalloc.start()
    cache.put_file("ab" * 32, source, "mp3")
    assert cache.copy_into("ab" * 32, None, "mp3")  # None: only verified
    with (tmp_path / "copy.mp3").open("wb") as out:
        assert cache.copy_into("ab" * 32, out, "mp3")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4_000_000  # a few 1 MB pieces, never the 40 MB
    assert (tmp_path / "copy.mp3").read_bytes() == source.read_bytes()
    entry = next((tmp_path / "c").glob("*/*.mp3"))
    entry.write_bytes(entry.read_bytes()[:-1])  # truncated: fails, and is deleted
    assert not cache.copy_into("ab" * 32, None, "mp3") and not entry.exists()


def test_another_ffmpeg_encodes_its_own_blocks(tmp_path, monkeypatch):
    from audiobook import tools

    render(tmp_path, long_chapter(), tmp_path / "a", tmp_path / "c")
    before = set((tmp_path / "c").glob("*/*.mp3"))
    other = tmp_path / "bin" / "ffmpeg"
    other.parent.mkdir()
    shutil.copy(tools.ffmpeg(), other)
    monkeypatch.setenv("AUDIOBOOK_FFMPEG", str(other))
    tools.ffmpeg.cache_clear()
    try:
        render(tmp_path, long_chapter(), tmp_path / "b", tmp_path / "c")
    finally:
        monkeypatch.delenv("AUDIOBOOK_FFMPEG")
        tools.ffmpeg.cache_clear()
    assert len(set((tmp_path / "c").glob("*/*.mp3")) - before) == len(before)
