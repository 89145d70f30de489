"""pyttsx3 (espeak-ng driver) made reliable.

The traps, each measured (see README, "Why the engine looks like this"):
- espeak runs asynchronously and voice/rate/pitch/volume changes travel through its command
  queue; synthesising before the queue drains speaks with the previous settings or writes
  an empty file. We wait for espeak to go idle after every settings change.
- runAndWait returns after one 10 ms tick, usually before espeak has finished (the end-loop
  command is pumped with the save): we drive the espeak driver ourselves (save_to_file, then
  start the synthesis), wait for the `finished-utterance` event, which the driver sends after
  writing the file, and give every utterance its own file name so a late write can never be
  read as the next utterance.
- Only the last save_to_file per runAndWait is written, so we do one utterance per call.
- The driver prints `Audio saved to ...` on stdout; we swallow it.
- The driver accumulates audio with `bytes +=` (quadratic), so callers pass a sentence at a time.
- libespeak initialises once per process: one engine per process, never forked after init.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import io
import os
import shutil
import itertools
import tempfile
import threading
import time
import wave
from pathlib import Path

from pydub import AudioSegment
from pydub.silence import detect_leading_silence

from audiobook import tools
from audiobook.cast import Voice
from audiobook.engines.base import Engine, VoiceInfo
from audiobook.errors import EngineError

_IDLE_TIMEOUT_S = 10.0
_UTTERANCE_TIMEOUT_S = 120.0
_SILENCE_DBFS = -50.0
_KEEP_MS = 15  # keep a breath of the padding so soft onsets are not clipped


def _espeak_info(dll) -> tuple[str, str]:
    """(version, data path) as libespeak-ng reports them."""
    info = dll.espeak_Info
    info.restype = ctypes.c_char_p
    info.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
    path = ctypes.c_char_p()
    version = info(ctypes.byref(path)) or b"?"
    return version.decode(), (path.value or b"").decode()


class Pyttsx3Engine(Engine):
    name = "pyttsx3"
    sample_rate = 22050

    def __init__(self):
        tools.espeak_library()
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                import pyttsx3
                from pyttsx3.drivers import _espeak
                from pyttsx3.drivers.espeak import EspeakDriver
            self._tts = pyttsx3.init("espeak")
        except Exception as bad:  # noqa: BLE001 - pyttsx3 raises bare RuntimeErrors
            raise EngineError(f"cannot start pyttsx3 with espeak-ng: {bad}") from None
        self._espeak = _espeak
        # Settings go straight to the driver: through Engine.setProperty they wait in a
        # command queue that both our thread and espeak's callback thread pump, and a new
        # engine holds them until its first run loop.
        self._set = EspeakDriver.setProperty
        self._driver = self._tts.proxy._driver  # the EspeakDriver behind this pyttsx3 engine
        self._espeak_version, self._data_path = _espeak_info(_espeak.dll)
        self._pyttsx3_version = getattr(pyttsx3, "__version__", "2.99")
        # pyttsx3's binding of espeak_GetParameter drops the `current` argument.
        self._get_parameter = _espeak.dll.espeak_GetParameter
        self._get_parameter.restype = ctypes.c_int
        self._get_parameter.argtypes = [ctypes.c_int, ctypes.c_int]
        self._parameters = (_espeak.RATE, _espeak.PITCH, _espeak.VOLUME)
        self._finished: bool | None = None
        self._done = threading.Event()
        self._error: Exception | None = None
        self._counter = itertools.count()
        self._tts.connect("finished-utterance", self._on_finished)
        self._tts.connect("error", self._on_error)
        self._dir = Path(tempfile.mkdtemp(prefix="audiobook-tts-"))
        atexit.register(shutil.rmtree, self._dir, True)
        self._voices: list[VoiceInfo] | None = None

    # -- events ---------------------------------------------------------------------------
    def _on_finished(self, name, completed):
        self._finished = bool(completed)
        self._done.set()

    def _on_error(self, name, exception):
        self._error = exception

    # -- interface ------------------------------------------------------------------------
    @property
    def version(self) -> str:
        return f"pyttsx3-{self._pyttsx3_version}/espeak-ng-{self._espeak_version}"

    def voices(self) -> list[VoiceInfo]:
        if self._voices is None:
            found = []
            for v in self._tts.getProperty("voices"):
                gender = (v.gender or "").lower() or None
                found.append(VoiceInfo(v.id, v.name, tuple(v.languages or ()), gender))
            self._voices = found
        return self._voices

    def variants(self) -> list[str]:
        folder = Path(self._data_path) / "voices" / "!v"
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_file())

    def synthesize(self, text: str, voice: Voice) -> bytes:
        pcm = self._synthesize_once(text, voice)
        if not pcm:  # espeak occasionally drops an utterance: one retry, then give up
            pcm = self._synthesize_once(text, voice)
        if not pcm:
            raise EngineError(f"espeak-ng returned no audio for {text[:60]!r}")
        return pcm

    # -- internals ------------------------------------------------------------------------
    def _wait_idle(self):
        deadline = time.monotonic() + _IDLE_TIMEOUT_S
        while self._espeak.IsPlaying():
            if time.monotonic() > deadline:
                raise EngineError("espeak-ng did not become idle within 10 s")
            time.sleep(0.0005)

    def _state(self) -> tuple:
        """What espeak will speak with now: voice id (with variant), rate, pitch, volume."""
        current = self._espeak.GetCurrentVoice()
        voice_id = current.contents.identifier.decode().lower() if current else ""
        return (voice_id, *(self._get_parameter(p, 1) for p in self._parameters))

    def _apply(self, voice: Voice):
        """Set and then read back espeak's settings. Compared with espeak's own state, not a
        cached copy: pyttsx3 shares one espeak between every engine object in a process."""
        wanted = (voice.voice.lower(), voice.rate, min(voice.pitch, 99),
                  int(round(voice.volume * 100, 2)))  # pyttsx3's own volume conversion
        for _ in range(3):
            if self._state() == wanted:
                return
            # The voice first: loading a voice resets rate and pitch to its defaults.
            self._set("voice", voice.voice)
            self._set("rate", voice.rate)
            self._set("pitch", min(voice.pitch, 99))
            self._set("volume", voice.volume)
            self._wait_idle()  # settings travel through espeak's queue; let them land
        raise EngineError(f"espeak-ng did not take the settings {voice} (it has {self._state()})")

    def _synthesize_once(self, text: str, voice: Voice) -> bytes:
        self._apply(voice)
        path = self._dir / f"utterance-{os.getpid()}-{next(self._counter)}.wav"
        self._finished, self._error = None, None
        self._done.clear()
        with contextlib.redirect_stdout(io.StringIO()):  # the driver prints "Audio saved to"
            # The driver's own calls, without runAndWait's loop: that loop cannot tell when
            # the file is written and sleeps 10 ms an utterance (12 ms vs 3.5 ms measured).
            self._driver.save_to_file(text, str(path))
            self._driver._start_synthesis(text)
            finished = self._done.wait(_UTTERANCE_TIMEOUT_S)
        self._wait_idle()
        if not finished:
            raise EngineError(f"espeak-ng did not finish {text[:60]!r} within 120 s")
        if self._error is not None:
            raise EngineError(f"espeak-ng failed on {text[:60]!r}: {self._error}")
        if not self._finished or not path.exists():
            return b""
        with wave.open(str(path), "rb") as wav:
            if (wav.getnchannels(), wav.getsampwidth()) != (1, 2):
                raise EngineError("espeak-ng wrote an unexpected WAV format")
            self.sample_rate = wav.getframerate()
            pcm = wav.readframes(wav.getnframes())
        path.unlink(missing_ok=True)
        return _trim(pcm, self.sample_rate)


def _trim(pcm: bytes, rate: int) -> bytes:
    """Cut espeak's silent padding so the configured pauses are the pauses heard."""
    audio = AudioSegment(data=pcm, sample_width=2, frame_rate=rate, channels=1)
    if not len(audio):
        return b""
    head = detect_leading_silence(audio, _SILENCE_DBFS, chunk_size=5)
    tail = detect_leading_silence(audio.reverse(), _SILENCE_DBFS, chunk_size=5)
    if head >= len(audio):
        return b""  # all silence: treat as a failed utterance
    start = max(0, head - _KEEP_MS)
    end = min(len(audio), len(audio) - tail + _KEEP_MS)
    return audio[start:end].raw_data
