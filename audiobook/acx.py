"""`audiobook check`: measure audio files against ACX's (Audible's) submission requirements.

Container facts come from the file itself (mutagen for the stream info, our own walk over
the MP3 frame headers for constant bit rate); levels come from decoding it with ffmpeg and
measuring the samples here, streaming, 10 ms at a time.
"""

from __future__ import annotations

import math
import subprocess
from dataclasses import dataclass
from pathlib import Path

from audiobook import mp3, tools
from audiobook.errors import CheckError
from audiobook.export import duration

try:
    import audioop
except ImportError:  # Python 3.13+: the audioop-lts package provides it
    from pydub import pyaudioop as audioop

# The ACX requirements, with the limits the report quotes.
SAMPLE_RATE = 44100
MIN_BITRATE_KBPS = 192
RMS_RANGE_DB = (-23.0, -18.0)
MAX_PEAK_DB = -3.0
MAX_NOISE_FLOOR_DB = -60.0
DIGITAL_SILENCE_DB = -90.0  # quieter than one bit: no room tone at all
HEAD_RANGE_S = (0.5, 1.0)
TAIL_RANGE_S = (1.0, 5.0)
MAX_LENGTH_S = 120 * 60

SPEECH_DB = -50.0  # a 10 ms window this loud is speech, not room tone
WINDOW_S = 0.01
WIDTH = 4  # bytes a sample: decoded as 32-bit integers
FLOOR_WINDOW_S = 0.5  # noise floor: RMS of the quietest half second


@dataclass(frozen=True)
class Measurement:
    path: Path
    container: str  # "MP3", "WAVE", "MP4"...
    sample_rate: int
    channels: int
    bitrate_kbps: int | None  # None: not a compressed format with a bit rate
    constant_bitrate: bool | None  # None: not MP3
    length_s: float
    rms_db: float
    peak_db: float
    noise_floor_db: float
    head_s: float  # room tone before the first speech
    tail_s: float  # room tone after the last speech


@dataclass(frozen=True)
class Figure:
    name: str
    value: str
    ok: bool
    note: str  # the requirement when it passes, what is wrong when it fails


@dataclass(frozen=True)
class FileReport:
    measurement: Measurement
    figures: tuple[Figure, ...]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.figures)


def _db(amplitude: float) -> float:
    return 20 * math.log10(amplitude) if amplitude > 0 else -math.inf


# --- container facts -------------------------------------------------------------------

def mp3_frame_bitrates(path: Path) -> set[int]:
    """The bit rates (kbps) of every MPEG layer III frame in the file: one value means CBR."""
    with open(path, "rb") as f:
        return {kbps for kbps, _ in mp3.frames(f, mp3.id3v2_length(f.read(10)))}


def _container(path: Path) -> tuple[str, int, int, int | None, bool | None]:
    import mutagen

    try:
        audio = mutagen.File(str(path))
    except mutagen.MutagenError as bad:
        raise CheckError(f"{path}: not a readable audio file ({bad})") from None
    if audio is None or not getattr(audio.info, "sample_rate", 0):
        raise CheckError(f"{path}: not an audio file (mp3, wav, m4b, flac...)")
    info, kind = audio.info, type(audio).__name__.upper()
    if kind == "MP3":
        bitrates = mp3_frame_bitrates(path)
        return kind, info.sample_rate, info.channels, min(bitrates or {0}), len(bitrates) == 1
    bitrate = round(info.bitrate / 1000) if getattr(info, "bitrate", 0) else None
    return kind, info.sample_rate, info.channels, bitrate, None


# --- levels ----------------------------------------------------------------------------


_HEADROOM_DB = 24.0  # decoded this far down, so overs (an MP3 can hold > 0 dBFS) stay whole


def _window_energies(path: Path, rate: int, channels: int) -> tuple[list[float], int, float]:
    """Mean square (of full scale 1.0) per 10 ms window, the peak sample magnitude (of 1.0)
    and the length in windows (the last one may be partial)."""
    window = max(1, round(rate * WINDOW_S)) * channels * WIDTH
    cmd = [tools.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path),
           "-map", "0:a:0", "-af", f"volume=-{_HEADROOM_DB}dB", "-f", "s32le",
           "-acodec", "pcm_s32le", "-"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    energies, peak, rest, windows = [], 0, b"", 0.0
    full = 2.0**31 * 10 ** (-_HEADROOM_DB / 20)  # full scale after the headroom
    scale = full**2
    while chunk := proc.stdout.read(window * 100):
        data = rest + chunk
        whole = len(data) - len(data) % window
        peak = max(peak, audioop.max(data[:whole], WIDTH) if whole else 0)
        energies += [audioop.rms(data[i:i + window], WIDTH) ** 2 / scale
                     for i in range(0, whole, window)]
        rest = data[whole:]
    if len(rest) >= WIDTH:  # the last, partial window
        rest = rest[: len(rest) - len(rest) % WIDTH]
        peak = max(peak, audioop.max(rest, WIDTH))
        energies.append(audioop.rms(rest, WIDTH) ** 2 / scale)
        windows = len(rest) / window
    error = proc.stderr.read().decode("utf-8", "replace").strip()
    if proc.wait() != 0:
        raise CheckError(f"{path}: ffmpeg cannot decode it: {error.splitlines()[-1:] or ['?']}")
    return energies, peak / full, len(energies) - 1 + windows if windows else len(energies)


def measure(path: str | Path) -> Measurement:
    path = Path(path)
    container, rate, channels, bitrate, cbr = _container(path)
    energies, peak, windows = _window_energies(path, rate, channels)
    if not energies:
        raise CheckError(f"{path}: holds no audio")
    partial = windows - (len(energies) - 1)  # weight of the last window
    total = sum(energies[:-1]) + energies[-1] * partial
    rms_db = _db(math.sqrt(total / windows))
    span = min(len(energies), round(FLOOR_WINDOW_S / WINDOW_S))
    running = sum(energies[:span])
    quietest = running
    for i in range(span, len(energies)):
        running += energies[i] - energies[i - span]
        quietest = min(quietest, running)
    floor_db = _db(math.sqrt(max(quietest, 0.0) / span))
    loud = [i for i, e in enumerate(energies) if e > 0 and _db(math.sqrt(e)) >= SPEECH_DB]
    head = (loud[0] if loud else len(energies)) * WINDOW_S
    tail = (windows - 1 - loud[-1] if loud else windows) * WINDOW_S
    return Measurement(path, container, rate, channels, bitrate, cbr, windows * WINDOW_S,
                       rms_db, _db(peak), floor_db, head, tail)


# --- judging ---------------------------------------------------------------------------


def _range(name, value, shown, low, high, unit, advice) -> Figure:
    if value < low:
        return Figure(name, shown, False, f"below {low:g}{unit}: {advice[0]}")
    if value > high:
        return Figure(name, shown, False, f"above {high:g}{unit}: {advice[1]}")
    return Figure(name, shown, True, f"{low:g} to {high:g}{unit}")


def assess(m: Measurement, channels: int | None = None) -> tuple[Figure, ...]:
    """Pass or fail per ACX figure. `channels`: what the other files of the book use."""
    figures = []
    if m.container != "MP3":
        figures.append(Figure("encoding", m.container, False, "ACX takes MP3 files"))
    else:
        shown = f"MP3 {m.bitrate_kbps} kbps {'CBR' if m.constant_bitrate else 'VBR'}"
        if not m.constant_bitrate:
            figures.append(Figure("encoding", shown, False, "variable bit rate: ACX wants CBR"))
        elif m.bitrate_kbps < MIN_BITRATE_KBPS:
            figures.append(Figure("encoding", shown, False,
                                  f"below {MIN_BITRATE_KBPS} kbps: re-encode at 192 kbps CBR"))
        else:
            figures.append(Figure("encoding", shown, True, f"CBR, {MIN_BITRATE_KBPS} kbps or more"))
    figures.append(Figure("sample rate", f"{m.sample_rate} Hz", m.sample_rate == SAMPLE_RATE,
                          f"{SAMPLE_RATE} Hz" if m.sample_rate == SAMPLE_RATE
                          else f"ACX wants {SAMPLE_RATE} Hz"))
    layout = {1: "mono", 2: "stereo"}.get(m.channels, f"{m.channels} channels")
    if m.channels not in (1, 2):
        figures.append(Figure("channels", layout, False, "ACX takes mono or stereo"))
    elif channels is not None and m.channels != channels:
        figures.append(Figure("channels", layout, False,
                              f"the book's other files are {'mono' if channels == 1 else 'stereo'}"))
    else:
        figures.append(Figure("channels", layout, True, "mono or stereo, the same in every file"))
    figures.append(_range("RMS", m.rms_db, f"{m.rms_db:.1f} dBFS", *RMS_RANGE_DB, " dBFS",
                          ("too quiet", "too loud")))
    peak_ok = m.peak_db <= MAX_PEAK_DB
    figures.append(Figure("peak", f"{m.peak_db:.1f} dBFS", peak_ok,
                          f"at most {MAX_PEAK_DB:g} dBFS" if peak_ok else
                          f"above {MAX_PEAK_DB:g} dBFS: " +
                          ("clipped" if m.peak_db > -0.1 else "limit the peaks")))
    if m.noise_floor_db < DIGITAL_SILENCE_DB:
        figures.append(Figure("noise floor", f"{m.noise_floor_db:.1f} dBFS", False,
                              "digital silence: lay room tone under pauses"))
    else:
        ok = m.noise_floor_db <= MAX_NOISE_FLOOR_DB
        figures.append(Figure("noise floor", f"{m.noise_floor_db:.1f} dBFS", ok,
                              f"at most {MAX_NOISE_FLOOR_DB:g} dBFS" if ok else
                              f"above {MAX_NOISE_FLOOR_DB:g} dBFS: too much noise"))
    figures.append(_range("head tone", m.head_s, f"{m.head_s:.2f} s", *HEAD_RANGE_S, " s",
                          ("speech starts too soon", "too long before the first word")))
    figures.append(_range("tail tone", m.tail_s, f"{m.tail_s:.2f} s", *TAIL_RANGE_S, " s",
                          ("ends too soon after the last word", "too long after the last word")))
    length_ok = m.length_s <= MAX_LENGTH_S
    figures.append(Figure("length", duration(m.length_s * 1000), length_ok,
                          "at most 120 minutes" if length_ok else
                          "over 120 minutes: split the chapter"))
    return tuple(figures)


def files_to_check(path: str | Path) -> list[Path]:
    """A single file, or every MP3 in a book folder (what ACX would receive), in order."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise CheckError(f"{path}: no such file or folder")
    found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".mp3" and p.is_file()
                   and not p.name.startswith("."))
    if not found:
        # Given render's --out folder: name the book folders inside it.
        books = sorted(str(sub) for sub in path.iterdir() if sub.is_dir()
                       and not sub.name.startswith(".") and any(sub.glob("*.mp3")))
        if len(books) == 1:
            raise CheckError(f"{path}: no MP3 files here; the book is in {books[0]}: "
                             f"audiobook check {books[0]}")
        if books:
            raise CheckError(f"{path}: no MP3 files here; the books are in {', '.join(books)}: "
                             "check one of them")
        raise CheckError(f"{path}: no MP3 files to check (ACX takes MP3: render with --format mp3)")
    return found


def check(path: str | Path) -> list[FileReport]:
    reports, channels = [], None
    for file in files_to_check(path):
        m = measure(file)
        reports.append(FileReport(m, assess(m, channels)))
        channels = channels or m.channels
    return reports


def format_report(reports: list[FileReport]) -> str:
    lines = []
    for report in reports:
        lines.append(f"{report.measurement.path.name}: {'pass' if report.ok else 'FAIL'}")
        for f in report.figures:
            lines.append(f"  {f.name:<12} {f.value:<20} {'pass' if f.ok else 'FAIL'}  {f.note}")
    failed = sum(not r.ok for r in reports)
    noun = "file" if len(reports) == 1 else "files"
    lines.append(f"{len(reports)} {noun} checked: " +
                 (f"{failed} fail ACX" if failed else "all pass ACX"))
    return "\n".join(lines)
