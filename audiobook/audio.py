"""Assembly and mastering: a chapter plan and cached speech in, a PCM stream out.

Two passes over the chapter, never holding it whole: the first measures (lengths, so the
manifest can be written, and energy, so the chapter gets one gain); the second yields the
audio with room tone under everything. Joining is `yield`, so time is linear in segments.

A chapter is a run of blocks, each a few segments long and a whole number of MP3 frames,
so each block can be encoded on its own and an edit re-encodes only its block (export.py).
Where blocks start depends only on the segments there, not on anything before them.
"""

from __future__ import annotations

import array
import functools
import math
import zlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace

from audiobook.cache import SegmentCache
from audiobook.errors import EngineError
from audiobook.plan import ChapterPlan

try:
    import audioop
except ImportError:  # Python 3.13+: the audioop-lts package provides it
    from pydub import pyaudioop as audioop

SAMPLE_WIDTH = 2
TARGET_RMS_DB = -20.0  # ACX: between -23 and -18 dBFS
# The limiter shaves about 1 dB of RMS off espeak speech (measured on Heartstrings); a
# fixed allowance instead of a measuring pass, which cost a fifth of the encode time.
LIMITER_MAKEUP_DB = 1.0
# ACX: peaks at or below -3 dBFS. The limiter runs before resampling (half the samples to
# look at); resampling and MP3 encoding then add up to 0.5 dB of overshoot (measured 0.46).
LIMIT_DB = -4.0
ROOM_TONE_DB = -70.0  # ACX: noise floor at or below -60, but never digital silence
OUTPUT_RATE = 44100
MAX_FILE_MS = 120 * 60 * 1000  # ACX: at most 120 minutes a file; longer chapters are split
# Loudness is set in steps, so a small edit rarely changes the chapter's gain (and so every
# block); a step of 0.5 dB keeps RMS within 0.25 dB of the target, well inside ACX's 5 dB.
GAIN_STEP_DB = 0.5

MP3_FRAME = 1152  # samples an MP3 frame holds at OUTPUT_RATE
# An encoder's first samples are its delay: LAME's 576 plus the decoder's 529. A block's
# first 1105 output samples are therefore left out and decode as silence (export.py), so
# every block starts with at least this much pause.
ENCODER_DELAY = 1105
BLOCK_LEAD_MS = 30
BLOCK_PAD_MS = 2  # the least pause a block ends with: its last 47 samples decode as silence
BLOCK_EVERY = 4  # on average, one segment in this many starts a block (~30 s of audio)
BLOCK_MIN_PAUSE_MS = 150  # a block starts only at a pause at least this long
# Every utterance fades in and out over its first and last few ms. espeak leaves no silence
# before a vowel (`Oh dear`, `Emily turned`): 12 of Heartstrings' 29 segments in The Coffee
# Shop reach -12 dBFS within their first 5 ms, a step out of room tone that can click.
# Lengths are untouched.
EDGE_FADE_MS = 5


@dataclass(frozen=True)
class TimedSegment:
    index: int  # position in plan.segments
    start_ms: float
    end_ms: float


@dataclass(frozen=True)
class Block:
    first: int  # segments first..end-1 of plan.segments
    end: int
    start: int  # in frames from the chapter's start
    frames: int  # a whole number of MP3 frames once resampled to OUTPUT_RATE
    lead: int  # frames of pause before the first segment
    tail: int  # frames of pause after the last (the chapter's tail in the last block)


@dataclass(frozen=True)
class ChapterLayout:
    sample_rate: int
    frames: int
    segments: tuple[TimedSegment, ...]
    speech_rms_db: float  # RMS of the assembled chapter before gain (silence counted)
    blocks: tuple[Block, ...] = ()

    @property
    def duration_ms(self) -> float:
        return self.frames * 1000 / self.sample_rate

    @property
    def gain_db(self) -> float:
        exact = TARGET_RMS_DB - self.speech_rms_db + LIMITER_MAKEUP_DB
        return round(exact / GAIN_STEP_DB) * GAIN_STEP_DB


def _frames(ms: float, rate: int) -> int:
    return round(ms * rate / 1000)


def _speech(cache: SegmentCache, key: str, rate: int) -> tuple[bytes, memoryview, bytes]:
    """An utterance as it is heard: its first and last EDGE_FADE_MS faded (a linear ramp
    from silence and back), and the middle as cached, uncopied."""
    pcm = cache.get(key)
    if pcm is None:
        raise EngineError("a synthesised segment vanished from the cache during the render")
    samples = len(pcm) // SAMPLE_WIDTH
    n = min(_frames(EDGE_FADE_MS, rate), samples // 2)
    whole = memoryview(pcm)[:samples * SAMPLE_WIDTH]
    if n < 1:
        return b"", whole, b""
    head, tail = array.array("h"), array.array("h")
    head.frombytes(whole[:n * SAMPLE_WIDTH])
    tail.frombytes(whole[(samples - n) * SAMPLE_WIDTH:])
    return (array.array("h", [x * i // n for i, x in enumerate(head)]).tobytes(),
            whole[n * SAMPLE_WIDTH:(samples - n) * SAMPLE_WIDTH],
            array.array("h", [x * (n - i) // n for i, x in enumerate(tail, 1)]).tobytes())


def block_starts(plan: ChapterPlan) -> list[int]:
    """Segments that start a block: the first, and one in about BLOCK_EVERY of those after
    a long pause, chosen by the segment's own words and voice. So an edit moves no block
    boundary but its own, and the blocks before and after it keep their bytes."""
    return [0] + [
        i for i in range(1, len(plan.segments))
        if plan.segments[i].pause_before_ms >= BLOCK_MIN_PAUSE_MS
        and zlib.crc32(plan.segments[i].utterances[0].key.encode()) % BLOCK_EVERY == 0
    ]


def _block_frame(rate: int) -> int | None:
    """Samples at `rate` in one MP3 frame, or None if that is not a whole number."""
    frame, rest = divmod(MP3_FRAME * rate, OUTPUT_RATE)
    return None if rest else frame  # engines speak at 22050 Hz; 11025 and 44100 also fit


def check_mp3_rate(rate: int) -> None:
    """MP3 blocks must be whole MP3 frames; WAV and M4B need no such rate."""
    if _block_frame(rate) is None:
        raise EngineError(f"the engine speaks at {rate} Hz, which does not divide into MP3 "
                          "frames of 44100 Hz; for MP3 use an engine at 11025, 22050 or "
                          "44100 Hz, or choose --format wav or m4b")


def layout(plan: ChapterPlan, cache: SegmentCache, rate: int) -> ChapterLayout:
    """Pass one: where every segment and block lands, and the chapter's energy. Blocks are
    whole MP3 frames when the rate allows (check_mp3_rate before encoding MP3)."""
    frame = _block_frame(rate) or 1  # no MP3 at this rate: blocks are only for streaming
    lead_min, pad_min = _frames(BLOCK_LEAD_MS, rate), _frames(BLOCK_PAD_MS, rate)
    starts = block_starts(plan)
    position, energy, timed, blocks = 0, 0.0, [], []
    for first, end in zip(starts, [*starts[1:], len(plan.segments)]):
        block_start = position
        pause = plan.head_ms if first == 0 else plan.segments[first].pause_before_ms
        lead = max(lead_min, _frames(pause, rate))
        position += lead
        for i in range(first, end):
            segment = plan.segments[i]
            position += _frames(segment.pause_before_ms, rate) if i > first else 0
            start = position
            for j, utterance in enumerate(segment.utterances):
                if j:
                    position += _frames(segment.sentence_pause_ms, rate)
                for piece in _speech(cache, utterance.key, rate):
                    n = len(piece) // SAMPLE_WIDTH
                    if n:
                        energy += float(audioop.rms(piece, SAMPLE_WIDTH)) ** 2 * n
                    position += n
            timed.append(TimedSegment(i, start * 1000 / rate, position * 1000 / rate))
        spoken_to = position
        if end == len(plan.segments):
            position += _frames(plan.tail_ms, rate)
        position += pad_min + (block_start - position - pad_min) % frame
        blocks.append(Block(first, end, block_start, position - block_start, lead,
                            position - spoken_to))
    rms = math.sqrt(energy / position) if position else 0.0
    rms_db = 20 * math.log10(rms / 32768) if rms > 0 else -120.0
    return ChapterLayout(rate, position, tuple(timed), rms_db, tuple(blocks))


_NOISE_REFERENCE_DB = -30.0  # the seeded noise is made once at this level, then scaled


@functools.cache
def _reference_noise(rate: int, seconds: float) -> bytes:
    rng = random.Random(20261126)
    sigma = 32768 * 10 ** (_NOISE_REFERENCE_DB / 20)
    samples = array.array("h", (max(-32768, min(32767, round(rng.gauss(0, sigma))))
                                for _ in range(int(rate * seconds))))
    return samples.tobytes()


class RoomTone:
    """A fixed, seeded loop of quiet noise: the same every render, so output is deterministic."""

    def __init__(self, rate: int, level_db: float, seconds: float = 1.0):
        scale = 10 ** ((level_db - _NOISE_REFERENCE_DB) / 20)
        self.loop = audioop.mul(_reference_noise(rate, seconds), SAMPLE_WIDTH, scale)
        self.offset = 0  # bytes into the loop

    def take(self, nbytes: int) -> bytes:
        out = []
        while nbytes > 0:
            piece = self.loop[self.offset:self.offset + nbytes]
            out.append(piece)
            nbytes -= len(piece)
            self.offset = (self.offset + len(piece)) % len(self.loop)
        return b"".join(out)

    def under(self, pcm: bytes) -> bytes:
        return audioop.add(pcm, self.take(len(pcm)), SAMPLE_WIDTH)


def block_recipe(plan: ChapterPlan, chapter: ChapterLayout, block: Block) -> list[int | str]:
    """What a block is made of, in order: pauses (ints, in frames) and speech (cache keys)."""
    rate = chapter.sample_rate
    recipe: list[int | str] = [block.lead]
    for i in range(block.first, block.end):
        segment = plan.segments[i]
        if i > block.first:
            recipe.append(_frames(segment.pause_before_ms, rate))
        for j, utterance in enumerate(segment.utterances):
            if j:
                recipe.append(_frames(segment.sentence_pause_ms, rate))
            recipe.append(utterance.key)
    recipe.append(block.tail)
    return recipe


def block_pcm(cache: SegmentCache, chapter: ChapterLayout, recipe: list[int | str]) -> Iterator[bytes]:
    """A block's PCM with room tone under speech and pauses, at the level that lands at
    ROOM_TONE_DB after the chapter's gain. The tone starts afresh in every block, so a
    block sounds the same wherever it is."""
    tone = RoomTone(chapter.sample_rate, ROOM_TONE_DB - chapter.gain_db)
    for item in recipe:
        if isinstance(item, int):
            yield tone.take(item * SAMPLE_WIDTH)
        else:
            for piece in _speech(cache, item, chapter.sample_rate):
                if piece:
                    yield tone.under(piece)


def stream(plan: ChapterPlan, cache: SegmentCache, chapter: ChapterLayout) -> Iterator[bytes]:
    """Pass two: the chapter's PCM, block after block."""
    for block in chapter.blocks:
        yield from block_pcm(cache, chapter, block_recipe(plan, chapter, block))


def mastering_filter(chapter: ChapterLayout) -> str:
    """ffmpeg filter chain: one gain for the whole chapter, a peak limiter, resample."""
    limit = 10 ** (LIMIT_DB / 20)
    return (
        f"volume={chapter.gain_db:.3f}dB,"
        f"alimiter=limit={limit:.4f}:level=0:latency=1:attack=5:release=50,"
        f"aresample={OUTPUT_RATE}"
    )


def block_filter(chapter: ChapterLayout, block: Block) -> str:
    """Mastering for one block encoded on its own, then only the samples that, after the
    encoder's delay, fill exactly the block's length in MP3 frames. So the blocks' MP3s
    joined end to end keep the layout's timing to the sample."""
    length = block.frames * OUTPUT_RATE // chapter.sample_rate
    return (f"{mastering_filter(chapter)},"
            f"atrim=start_sample={ENCODER_DELAY}:end_sample={length - MP3_FRAME + ENCODER_DELAY}")


def split_points(plan: ChapterPlan, chapter: ChapterLayout, limit_ms: float) -> list[int]:
    """Segment indices where a new part starts, so no part (with its room tone) exceeds
    `limit_ms`. Cuts at the widest pause (a scene, then a paragraph break) in the later half
    of each part; a single segment longer than the limit becomes a part of its own."""
    # A part's first and last blocks are padded anew to whole MP3 frames: allow two paddings.
    padding_ms = BLOCK_PAD_MS + MP3_FRAME * 1000 / OUTPUT_RATE
    timed = chapter.segments
    overhead = max(plan.head_ms, BLOCK_LEAD_MS) + plan.tail_ms + 2 * padding_ms
    if chapter.duration_ms <= limit_ms or len(timed) < 2:
        return []
    cuts, first = [], 0
    while True:
        start = timed[first].start_ms
        last_fit = first
        while last_fit + 1 < len(timed) and timed[last_fit + 1].end_ms - start + overhead <= limit_ms:
            last_fit += 1
        if last_fit == len(timed) - 1:
            return cuts
        candidates = range(first + 1, last_fit + 2)
        halfway = start + (limit_ms - overhead) / 2
        late = [c for c in candidates if timed[c].start_ms >= halfway] or list(candidates)
        first = max(late, key=lambda c: (plan.segments[c].pause_before_ms, c))
        cuts.append(first)


def split(plan: ChapterPlan, chapter: ChapterLayout, cache: SegmentCache,
          limit_ms: float | None = None) -> list[tuple[ChapterPlan, ChapterLayout]]:
    """The chapter as one or more files. Parts share the chapter's gain: loudness is set per
    chapter, so a split never changes how loud anything is."""
    cuts = split_points(plan, chapter, MAX_FILE_MS if limit_ms is None else limit_ms)
    if not cuts:
        return [(plan, chapter)]
    bounds = [0, *cuts, len(plan.segments)]
    parts = []
    for n, (lo, hi) in enumerate(zip(bounds, bounds[1:]), 1):
        part = replace(plan, title=f"{plan.title} (part {n})", stem=f"{plan.stem}-part{n}",
                       segments=plan.segments[lo:hi])
        part_layout = replace(layout(part, cache, chapter.sample_rate),
                              speech_rms_db=chapter.speech_rms_db)
        parts.append((part, part_layout))
    return parts
