"""Text made for speech: sentence splitting. Pure functions over strings."""

from __future__ import annotations

import re

# Words that end in a period without ending a sentence.
ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr prof rev gen col capt lt sgt mt ft vs etc e.g i.e no vol fig approx"
    .split()
)

# A sentence ends at . ! ? or … (with closing quotes/brackets) followed by space and a
# capital, digit or opening quote.
_BOUNDARY = re.compile(r"([.!?\u2026]+[\"'\u201d\u2019)\]]*)\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences; `Mr.`, initials (`J. R.`) and decimals do not end one."""
    sentences: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end(1)
        before = text[start:end]
        word = re.search(r"(\S+)$", before)
        token = word.group(1).rstrip(".").lower() if word else ""
        if m.group(1).startswith(".") and len(m.group(1)) == 1:
            if token in ABBREVIATIONS or re.fullmatch(r"[a-z]", token):
                continue  # `Mr. Smith`, `J. Smith`
        sentences.append(text[start:end].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences
