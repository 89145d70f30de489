"""Export: encode a chapter's PCM stream with ffmpeg, tag it, and write the manifest.

Every file is written under a temporary name in its own folder and renamed into place,
so a final path never holds a half-written file.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from audiobook import tools
from audiobook.errors import OutputError, ToolError

FORMATS = ("mp3", "wav")
_CODEC = {
    "mp3": ["-c:a", "libmp3lame", "-b:a", "192k"],  # libmp3lame is CBR unless asked: ACX wants it
    "wav": ["-c:a", "pcm_s16le"],
}


@contextlib.contextmanager
def atomic_path(final: Path):
    """Yield a temporary path beside `final`; rename it into place only on success."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.stem}-", suffix=final.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, final)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_text_atomic(final: Path, text: str) -> None:
    with atomic_path(final) as tmp:
        tmp.write_text(text, encoding="utf-8")


def encode(
    chunks: Iterable[bytes],
    sample_rate: int,
    audio_filter: str,
    outputs: dict[str, Path],
    finish: Callable[[str, Path], None] | None = None,
) -> None:
    """Stream 16-bit mono PCM through one ffmpeg run into each format in `outputs`.

    `finish(format, temporary_path)` runs on each file before it is renamed into place.
    """
    with contextlib.ExitStack() as stack:
        temps = {fmt: stack.enter_context(atomic_path(path)) for fmt, path in outputs.items()}
        n = len(temps)
        graph = f"[0:a]{audio_filter},asplit={n}" + "".join(f"[o{i}]" for i in range(n))
        cmd = [tools.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
               "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
               "-filter_complex", graph]
        for i, (fmt, tmp) in enumerate(temps.items()):
            cmd += ["-map", f"[o{i}]", *_CODEC[fmt], "-ac", "1", "-f", fmt, str(tmp)]
        with tempfile.TemporaryFile() as errors:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=errors)
            try:
                for chunk in chunks:
                    proc.stdin.write(chunk)
                proc.stdin.close()
            except BrokenPipeError:
                pass  # ffmpeg died; its message is read below
            except BaseException:
                proc.kill()
                proc.wait()
                raise
            code = proc.wait()
            if code != 0:
                errors.seek(0)
                tail = errors.read().decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
                if "No space left" in tail[0]:
                    raise OutputError(f"{next(iter(outputs.values())).parent}: disk full")
                raise ToolError(f"ffmpeg failed encoding {', '.join(outputs)}: {tail[0]}")
        if finish:
            for fmt, tmp in temps.items():
                finish(fmt, tmp)


def tag_mp3(path: Path, title: str, album: str, track: int, total: int, artist: str | None) -> None:
    from mutagen.id3 import ID3, TALB, TCON, TIT2, TPE1, TRCK

    tags = ID3()
    tags.add(TIT2(encoding=3, text=title))
    tags.add(TALB(encoding=3, text=album))
    tags.add(TRCK(encoding=3, text=f"{track}/{total}"))
    tags.add(TCON(encoding=3, text="Audiobook"))
    if artist:
        tags.add(TPE1(encoding=3, text=artist))
    tags.save(str(path))


def write_manifest(path: Path, manifest: dict) -> None:
    write_text_atomic(path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
