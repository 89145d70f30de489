"""MP3 frame headers: an MP3's frames walked without decoding them (for `check`, and to
verify encoded blocks)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import BinaryIO

_BITRATES = {  # kbps by bitrate index: MPEG-1 layer III, MPEG-2/2.5 layer III
    1: (None, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (None, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def id3v2_length(head: bytes) -> int:
    """Bytes of the ID3v2 tag that `head` (a file's first 10 bytes) starts, else 0."""
    if head[:3] != b"ID3" or len(head) < 10:
        return 0
    size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]  # 7-bit "syncsafe"
    return 10 + size + (10 if head[5] & 0x10 else 0)


def frames(f: BinaryIO, offset: int = 0) -> Iterator[tuple[int, int]]:
    """(kbps, length in bytes) of each MPEG layer III frame from `offset` on, up to the first
    thing that is not one: the end, an ID3v1 tag or junk (`f.tell()` is then where it is)."""
    while True:
        f.seek(offset)
        header = f.read(4)
        if len(header) < 4:
            f.seek(offset)
            return
        (word,) = struct.unpack(">I", header)
        version, layer = (word >> 19) & 3, (word >> 17) & 3
        index, rate_index = (word >> 12) & 15, (word >> 10) & 3
        if word >> 21 != 0x7FF or version == 1 or layer != 1 or index in (0, 15) or rate_index == 3:
            f.seek(offset)
            return
        kbps = _BITRATES[1 if version == 3 else 2][index]
        rate = _RATES[version][rate_index]
        length = (144 if version == 3 else 72) * kbps * 1000 // rate + ((word >> 9) & 1)
        yield kbps, length
        offset += length
