"""The engine interface: text and voice settings in, 16-bit mono PCM out."""

from __future__ import annotations

import difflib
from abc import ABC, abstractmethod
from dataclasses import dataclass

from audiobook.cast import Voice


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...] = ()
    gender: str | None = None


class Engine(ABC):
    name: str = "engine"
    sample_rate: int = 22050

    @property
    @abstractmethod
    def version(self) -> str:
        """Changes whenever the same settings could sound different (part of cache keys)."""

    @abstractmethod
    def voices(self) -> list[VoiceInfo]:
        """Base voices this engine offers."""

    def variants(self) -> list[str]:
        """Names accepted after `+` in a voice id (e.g. `f3` in `gmw/en-us+f3`)."""
        return []

    @abstractmethod
    def synthesize(self, text: str, voice: Voice) -> bytes:
        """Speech for `text` as 16-bit mono PCM at `sample_rate`, without silent ends."""

    def check_voice(self, voice_id: str) -> str | None:
        """None if the id is usable, else a message with close matches."""
        base, _, variant = voice_id.partition("+")
        ids = [v.id for v in self.voices()]
        if base not in ids:
            close = difflib.get_close_matches(base, ids, n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            return f"unknown voice {voice_id!r}{hint}; `audiobook voices list` shows them"
        if variant and variant not in self.variants():
            close = difflib.get_close_matches(variant, self.variants(), n=3, cutoff=0.5)
            hint = f" (did you mean {', '.join('+' + c for c in close)}?)" if close else ""
            return f"unknown voice variant '+{variant}' in {voice_id!r}{hint}; names are case-sensitive"
        return None
