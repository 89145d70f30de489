"""Offline multi-voice audiobook generator."""

import warnings

# pydub looks for ffmpeg on PATH at import and warns; we hand ffmpeg to it ourselves.
warnings.filterwarnings("ignore", message="Couldn't find ffmpeg", category=RuntimeWarning)

__version__ = "0.1.0"
