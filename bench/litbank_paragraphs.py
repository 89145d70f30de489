"""Where LitBank's excerpts break into paragraphs, recovered from the original texts.

LitBank ships each excerpt one tokenized sentence per line, with no paragraph breaks; its
repository's `original/` folder has the same text as published, paragraphs and all. Given
copies of those originals (only as far as each excerpt goes), this aligns the two and writes
`bench/litbank_paragraphs.json`: for each excerpt, the (sentence, token) positions where a
paragraph starts. Only positions are kept, no text.

    python bench/litbank_paragraphs.py ORIGINALS_DIR [--litbank ../shared/litbank]

Alignment is on letters and digits alone (LitBank retokenizes punctuation), with difflib for
the places where the texts differ; an excerpt is kept only if nearly all of it aligns.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "litbank_paragraphs.json"
MIN_ALIGNED = 0.97  # share of the excerpt's letters found in the original, in order
# A copy whose paragraphs are not separated by blank lines (Far from the Madding Crowd)
# shows only its headings: fewer than one break in this many letters means "unknown".
MAX_LETTERS_PER_PARAGRAPH = 2500
_OPENERS = {'"', "\u201c", "\u2018", "'", "`", "``", "(", "[", "--", "\u2014", "_"}
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _alnum(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def _original_stream(original: str) -> tuple[str, list[int]]:
    """The original's letters and digits, and the paragraph number of each."""
    letters, paragraph_of = [], []
    for number, paragraph in enumerate(_PARAGRAPH_BREAK.split(original.strip())):
        text = _alnum(paragraph)
        letters.append(text)
        paragraph_of += [number] * len(text)
    return "".join(letters), paragraph_of


def paragraph_starts(sentences: list[list[str]], original: str
                     ) -> tuple[list[tuple[int, int]], float]:
    """(positions where a paragraph starts after the first, share of letters aligned)."""
    stream, paragraph_of = _original_stream(original)
    tokens = [(s, t, _alnum(token)) for s, sentence in enumerate(sentences)
              for t, token in enumerate(sentence)]
    excerpt = "".join(letters for _, _, letters in tokens)
    mapping: dict[int, int] = {}  # excerpt letter -> original letter
    matcher = difflib.SequenceMatcher(None, excerpt, stream, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            mapping[a + k] = b + k
    aligned = len(mapping) / max(1, len(excerpt))
    starts: list[tuple[int, int]] = []
    offset, previous = 0, None
    for index, (s, t, letters) in enumerate(tokens):
        here = next((mapping[offset + k] for k in range(len(letters)) if offset + k in mapping),
                    None)
        offset += len(letters)
        if here is None:
            continue
        paragraph = paragraph_of[here]
        if previous is not None and paragraph > previous:
            # The paragraph starts at its opening quote or dash, not at the first word.
            first = index
            while first > 0 and tokens[first - 1][0] == s and sentences[s][tokens[first - 1][1]] \
                    in _OPENERS:
                first -= 1
            # `than I." "Oh?"`: of two straight marks, the first closes the paragraph before.
            if first < index and sentences[s][tokens[first][1]] == '"' and \
                    sentences[s][tokens[first + 1][1]] == '"':
                first += 1
            starts.append((s, tokens[first][1]))
        previous = paragraph
    return starts, aligned


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("originals", type=Path)
    parser.add_argument("--litbank", type=Path, default=ROOT.parent / "shared" / "litbank")
    args = parser.parse_args()
    found, skipped = {}, []
    for brat in sorted((args.litbank / "coref" / "brat").glob("*_brat.txt")):
        name = brat.name[: -len("_brat.txt")]
        original = args.originals / f"{name}.txt"
        if not original.is_file():
            continue
        sentences = [line.split(" ") if line else [] for line in
                     brat.read_text(encoding="utf-8").split("\n")]
        starts, aligned = paragraph_starts(sentences, original.read_text(encoding="utf-8"))
        letters = sum(len(_alnum(token)) for sentence in sentences for token in sentence)
        if aligned < MIN_ALIGNED:
            skipped.append(f"{name} ({aligned:.1%} aligned)")
            continue
        if len(starts) + 1 < letters / MAX_LETTERS_PER_PARAGRAPH:
            skipped.append(f"{name} (only {len(starts) + 1} paragraphs: no blank lines)")
            continue
        found[name] = starts
    rows = ",\n".join(f"  {json.dumps(name)}: {json.dumps(starts, separators=(',', ':'))}"
                      for name, starts in found.items())
    OUT.write_text('{"source": "LitBank original/ texts (CC BY 4.0), positions only",\n'
                   f'"paragraph_starts": {{\n{rows}\n}}}}\n', encoding="utf-8")
    print(f"{len(found)} excerpts with paragraphs written to {OUT.relative_to(ROOT)}")
    for line in skipped:
        print(f"skipped: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
