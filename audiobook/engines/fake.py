"""A deterministic stand-in engine for tests: a tone per word, exact durations.

Duration is 60,000 / rate ms per word, so rate changes duration exactly; pitch and the
women's variants (`+f3`, `+Annie`) change the tone's frequency; volume scales its amplitude.
"""

from __future__ import annotations

import array
import math

from audiobook.cast import Voice
from audiobook.engines.base import Engine, VoiceInfo

_VOICES = ("gmw/en", "gmw/en-us", "gmw/en-gb-x-rp", "gmw/en-gb-scotland", "gmw/en-029")
# The numbered variants and the named women's `audiobook cast` gives (discover.FEMALE_VOICES),
# so a proposed cast renders here too.
_FEMALE_NAMED = ("Alicia", "Andrea", "Annie", "anika", "aunty", "belinda", "steph")
_VARIANTS = (tuple(f"f{i}" for i in range(1, 6)) + tuple(f"m{i}" for i in range(1, 9))
             + _FEMALE_NAMED)


def fake_duration_ms(text: str, rate: int) -> float:
    return max(1, len(text.split())) * 60000 / rate


def fake_frequency(voice: Voice) -> float:
    variant = voice.voice.partition("+")[2]
    base = 220.0 if variant.startswith("f") or variant in _FEMALE_NAMED else 110.0
    return base * (0.5 + voice.pitch / 100)


class FakeEngine(Engine):
    name = "fake"
    sample_rate = 22050

    @property
    def version(self) -> str:
        return "fake-1"

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo(v, v.split("/")[-1], (v.split("/")[-1],)) for v in _VOICES]

    def variants(self) -> list[str]:
        return list(_VARIANTS)

    def synthesize(self, text: str, voice: Voice) -> bytes:
        frames = round(fake_duration_ms(text, voice.rate) * self.sample_rate / 1000)
        period = max(2, round(self.sample_rate / fake_frequency(voice)))
        amplitude = voice.volume * 0.5 * 32767
        cycle = array.array(
            "h", (round(amplitude * math.sin(2 * math.pi * i / period)) for i in range(period))
        ).tobytes()
        whole, rest = divmod(frames, period)
        return cycle * whole + cycle[: rest * 2]
