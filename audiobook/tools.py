"""Find the external programs: the system's when installed, else the ones shipped in wheels."""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

from audiobook.errors import ToolError


@functools.cache
def ffmpeg() -> str:
    """Path of an ffmpeg binary: $AUDIOBOOK_FFMPEG, then PATH, then imageio-ffmpeg's."""
    explicit = os.environ.get("AUDIOBOOK_FFMPEG")
    if explicit:
        if not shutil.which(explicit):
            raise ToolError(f"AUDIOBOOK_FFMPEG={explicit}: no such program (fix or unset it)")
        return shutil.which(explicit)
    found = shutil.which("ffmpeg") or bundled_ffmpeg()
    if not found:
        raise ToolError(
            "ffmpeg not found: install it (apt install ffmpeg) or `pip install imageio-ffmpeg`")
    return found


def bundled_ffmpeg() -> str | None:
    """imageio-ffmpeg's binary, found without importing the package: its import and its
    `ffmpeg -version` check cost 80 ms, a sixth of a re-render."""
    chosen = os.environ.get("IMAGEIO_FFMPEG_EXE")  # the package's own override
    if chosen:
        return shutil.which(chosen)
    spec = importlib.util.find_spec("imageio_ffmpeg")
    if spec and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            for exe in sorted(Path(folder, "binaries").glob("ffmpeg-*")):
                if os.access(exe, os.X_OK):
                    return str(exe)
    try:
        import imageio_ffmpeg  # a layout we do not know: ask the package itself

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return None


def run_ffmpeg(args: list[str], what: str, stdin=None) -> subprocess.CompletedProcess:
    """Run ffmpeg quietly; raise ToolError with its last words if it fails."""
    cmd = [ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", *args]
    result = subprocess.run(cmd, input=stdin, capture_output=True, check=False)
    if result.returncode != 0:
        tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise ToolError(f"ffmpeg failed {what}: {tail[0]}")
    return result


@functools.cache
def espeak_library() -> tuple[str, str | None]:
    """(library, data folder) for libespeak-ng: the system's if present, else espeakng-loader's.

    Must run before pyttsx3 is imported: pyttsx3 dlopens `libespeak-ng.so.1` at import,
    which resolves to an already-loaded library of that name.
    """
    system = None if os.environ.get("AUDIOBOOK_BUNDLED_ESPEAK") else system_espeak()
    if system:
        return system, None
    try:
        import espeakng_loader
    except ImportError:
        raise ToolError(
            "espeak-ng not found: install it (apt install espeak-ng) "
            "or `pip install espeakng-loader`"
        ) from None
    library, data = espeakng_loader.get_library_path(), espeakng_loader.get_data_path()
    ctypes.CDLL(library, mode=ctypes.RTLD_GLOBAL)
    os.environ["ESPEAK_DATA_PATH"] = data
    return library, data


def system_espeak() -> str | None:
    """The system's libespeak-ng, asked of the dynamic loader directly (ctypes.util.find_library
    spawns ldconfig and gcc: 20 ms)."""
    for name in ("libespeak-ng.so.1", "libespeak-ng.1.dylib"):  # Linux, macOS
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return name
    return None
