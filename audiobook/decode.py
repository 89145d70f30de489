"""Script bytes -> text. UTF-8 (or a UTF-16/32 file with its BOM) as is; a legacy Windows
file is read as Windows-1252 with a warning; anything else fails with the line to look at.
"""

from __future__ import annotations

import codecs

from audiobook.errors import ScriptError, located

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
LEGACY = "cp1252"  # what Windows editors save as "ANSI"; a superset of printable Latin-1


def bom_codec(data: bytes) -> str | None:
    """The codec a UTF-16/32 byte order mark opening `data` names, if one does."""
    return next((codec for bom, codec in _BOMS if data.startswith(bom)), None)


def decode_script(data: bytes, path) -> tuple[str, str | None]:
    """(text, warning or None). Raises ScriptError naming the file and line."""
    if codec := bom_codec(data):
        try:
            return data.decode(codec), None
        except UnicodeDecodeError as bad:
            raise ScriptError(located(path, line_of(data, bad.start),
                                      f"broken {codec.upper()} text")) from None
    if b"\x00" in data[:4096]:
        raise ScriptError(f"{path}: looks like a binary file, not a text script")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as bad:
        line = line_of(data, bad.start)
    try:
        text = data.decode(LEGACY)
    except UnicodeDecodeError:
        raise ScriptError(located(path, line, "not UTF-8 text (save the file as UTF-8)")) from None
    return text, (f"line {line}: not UTF-8; read as Windows-1252. "
                  "Save the script as UTF-8 to be sure every character is right")


def line_of(data: bytes, offset: int) -> int:
    """The line, from 1, holding byte `offset`."""
    return data[:offset].count(b"\n") + 1
