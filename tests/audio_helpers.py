"""Measuring decoded audio in tests: independent of the code under test (numpy + ffmpeg)."""

import subprocess

import numpy as np

from audiobook import tools


def decode(path, rate=22050):
    raw = subprocess.run(
        [tools.ffmpeg(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar",
         str(rate), "-"],
        capture_output=True, check=True,
    ).stdout
    return np.frombuffer(raw, np.int16).astype(float) / 32768


def pcm_to_float(pcm: bytes):
    return np.frombuffer(pcm, np.int16).astype(float) / 32768


def rms_db(x):
    return 20 * np.log10(np.sqrt(np.mean(np.square(x))) + 1e-12)


def median_pitch(x, rate=22050):
    """Median fundamental frequency of voiced 40 ms frames, by autocorrelation."""
    n = int(0.04 * rate)
    found = []
    for i in range(0, len(x) - n, n):
        frame = x[i:i + n]
        if np.sqrt(np.mean(frame ** 2)) < 0.01:
            continue
        frame = frame - frame.mean()
        ac = np.correlate(frame, frame, "full")[n - 1:]
        lo, hi = int(rate / 400), int(rate / 60)
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.3 * ac[0]:
            found.append(rate / lag)
    return float(np.median(found)) if found else 0.0


def onsets(x, rate=22050, threshold=0.05, min_gap_ms=100):
    """Start times (ms) of loud runs separated by at least min_gap_ms of quiet."""
    loud = np.abs(x) > threshold
    times, last = [], -1e9
    idx = np.flatnonzero(loud)
    for i in idx:
        t = i * 1000 / rate
        if t - last > min_gap_ms:
            times.append(t)
        last = t
    return times
