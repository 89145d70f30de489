"""Content-addressed store of synthesised speech and encoded MP3 blocks.

An entry is `MAGIC + sha256(data) + data` at `<root>/<key[:2]>/<key>.pcm` (speech) or
`.mp3` (a block of a chapter's MP3, see export.py). Writes go to a
temporary file in the same folder and are renamed into place, so readers never see a half
entry and concurrent writers of the same key both leave a whole one. A read whose checksum
fails deletes the entry and reports a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

MAGIC = b"ABK1"
_HEADER = len(MAGIC) + 32
_PIECE = 1 << 20
SPEECH, BLOCK = "pcm", "mp3"  # the two kinds of entry, by file suffix
_ENTRY = re.compile(r"^[0-9a-f]{64}\.(pcm|mp3)$")


def default_cache_dir() -> Path:
    """$AUDIOBOOK_CACHE_DIR, else $XDG_CACHE_HOME/audiobook, else ~/.cache/audiobook."""
    explicit = os.environ.get("AUDIOBOOK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "audiobook"


def make_key(*parts) -> str:
    """A stable key from JSON-able parts (text, voice settings, engine version...)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheInfo:
    path: Path
    entries: int  # speech segments
    size_bytes: int  # of every entry
    blocks: int = 0  # encoded MP3 blocks


class SegmentCache:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str, kind: str) -> Path:
        return self.root / key[:2] / f"{key}.{kind}"

    def get(self, key: str, kind: str = SPEECH) -> bytes | None:
        path = self._path(key, kind)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return None
        pcm = blob[_HEADER:]
        if blob[: len(MAGIC)] != MAGIC or hashlib.sha256(pcm).digest() != blob[len(MAGIC):_HEADER]:
            path.unlink(missing_ok=True)  # corrupt or truncated: rebuild, never play
            return None
        return pcm

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def put(self, key: str, pcm: bytes, kind: str = SPEECH) -> None:
        def write(out) -> bytes:
            out.write(pcm)
            return hashlib.sha256(pcm).digest()

        self._store(key, kind, write)

    def _store(self, key: str, kind: str, write_data) -> None:
        """`write_data(out)` writes the data and returns its sha256, which goes in the
        header it leaves room for."""
        path = self._path(key, kind)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=f".{kind}")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(bytes(_HEADER))
                digest = write_data(out)
                out.seek(0)
                out.write(MAGIC + digest)
            os.replace(tmp, path)
        except BaseException as bad:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(bad, OSError) and bad.filename is None:
                bad.filename = str(self.root)  # a failed write says no file: name the cache
            raise

    # Streaming access, for entries too big to hold (an MP3 block of a long chapter).

    def has(self, key: str, kind: str = SPEECH) -> bool:
        """Whether the entry is there, unread: for a caller that reads it soon after with
        copy_into, which checks it then."""
        return self._path(key, kind).is_file()

    def copy_into(self, key: str, out, kind: str = SPEECH) -> bool:
        """Append the entry's data to the open file `out` (None: just verify it), in
        pieces. False if there is no such entry, or it fails its checksum (then deleted,
        and `out` has a partial copy: the caller discards it)."""
        path = self._path(key, kind)
        try:
            entry = path.open("rb")
        except FileNotFoundError:
            return False
        with entry:
            header = entry.read(_HEADER)
            digest = hashlib.sha256()
            while piece := entry.read(_PIECE):
                digest.update(piece)
                if out is not None:
                    out.write(piece)
        if header[: len(MAGIC)] != MAGIC or digest.digest() != header[len(MAGIC):]:
            path.unlink(missing_ok=True)
            return False
        return True

    def put_file(self, key: str, source: Path, kind: str = SPEECH) -> None:
        """put() of a file's content, read once, in pieces."""
        def copy(out) -> bytes:
            digest = hashlib.sha256()
            with source.open("rb") as data:
                while piece := data.read(_PIECE):
                    digest.update(piece)
                    out.write(piece)
            return digest.digest()

        self._store(key, kind, copy)

    def _entries(self):
        """Files this cache wrote: `<2 hex>/<64 hex>.pcm`, and temporaries a killed write left.
        Nothing else in the folder is counted or deleted (a mistyped --cache-dir is safe)."""
        if not self.root.is_dir():
            return
        for entry in self.root.glob("[0-9a-f][0-9a-f]/*.*"):
            if _ENTRY.match(entry.name) or (entry.name.startswith(".tmp-")
                                             and entry.suffix in (".pcm", ".mp3")):
                yield entry

    def info(self) -> CacheInfo:
        speech = blocks = size = 0
        for entry in self._entries():
            if not entry.name.startswith("."):
                speech += entry.suffix == ".pcm"
                blocks += entry.suffix == ".mp3"
                size += entry.stat().st_size
        return CacheInfo(self.root, speech, size, blocks)

    def clear(self) -> CacheInfo:
        """Delete every entry (and leftover temporaries); return what there was."""
        removed = self.info()
        folders = set()
        for entry in list(self._entries()):
            entry.unlink(missing_ok=True)
            folders.add(entry.parent)
        for folder in folders:
            with contextlib.suppress(OSError):  # not empty: something that is not ours
                folder.rmdir()
        return removed
