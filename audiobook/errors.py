"""One exception family. The CLI turns any of these into a single `Error: ...` line."""

from pathlib import Path


class AudiobookError(Exception):
    """Base class for every error a user can cause or fix."""


class ScriptError(AudiobookError):
    """The story script cannot be read or parsed."""


class CastError(AudiobookError):
    """voices.yaml is missing, malformed or invalid."""


class EngineError(AudiobookError):
    """The TTS engine is unavailable or produced unusable audio."""


class ToolError(AudiobookError):
    """An external program (ffmpeg, espeak-ng) is missing or failed."""


class OutputError(AudiobookError):
    """The output cannot be written where it was asked to go."""


def located(path, line, message):
    """Prefix a message with `file:line:` the way compilers do."""
    where = f"{path}:{line}" if line else f"{path}"
    return f"{where}: {message}"


class CheckError(AudiobookError):
    """A file given to `audiobook check` cannot be read or measured."""


def read_user_file(path, error: type[AudiobookError], missing: str = "no such file") -> bytes:
    """The bytes of a file the user named; else `error` says in one line why it cannot be read."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: {missing}") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a file") from None
    except OSError as bad:
        raise error(f"{path}: cannot read: {bad.strerror}") from None
