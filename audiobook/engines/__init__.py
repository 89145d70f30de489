"""Synthesis engines behind one small interface; pick one by name."""

from __future__ import annotations

from audiobook.engines.base import Engine, VoiceInfo
from audiobook.errors import EngineError

ENGINES = ("pyttsx3", "fake")


def create_engine(name: str) -> Engine:
    if name == "pyttsx3":
        from audiobook.engines.pyttsx3_engine import Pyttsx3Engine

        return Pyttsx3Engine()
    if name == "fake":
        from audiobook.engines.fake import FakeEngine

        return FakeEngine()
    raise EngineError(f"unknown engine {name!r} (choose from: {', '.join(ENGINES)})")


__all__ = ["ENGINES", "Engine", "VoiceInfo", "create_engine"]
