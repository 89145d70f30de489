"""Script parsing: text in, Book out. Pure: no I/O, no knowledge of voices.

Markdown: `# Book title`, `## Chapter title`, a thematic break (`***`, `* * *`, `---`) between
scenes, blank lines between paragraphs. Plain text: Gutenberg-style chapter headings.
Dialogue is whatever stands in double quotes (straight or curly); `[role]` right before an
opening quote forces that quote's speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

NARRATION = "narration"
DIALOGUE = "dialogue"


@dataclass(frozen=True)
class Segment:
    """A run of narration, or one quotation, inside a paragraph."""

    text: str
    kind: str  # NARRATION or DIALOGUE
    line: int
    override: str | None = None  # role forced by `[role]` markup
    continues_quote: bool = False  # a quote carried over from the previous paragraph
    role: str | None = None  # filled in by attribution
    rule: str | None = None  # the attribution rule that chose `role`


@dataclass(frozen=True)
class Paragraph:
    line: int
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)


@dataclass(frozen=True)
class Scene:
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Chapter:
    title: str
    line: int
    scenes: tuple[Scene, ...]

    def segments(self):
        """(scene number from 1, paragraph, segment) in reading order."""
        for number, scene in enumerate(self.scenes, 1):
            for paragraph in scene.paragraphs:
                for segment in paragraph.segments:
                    yield number, paragraph, segment


@dataclass(frozen=True)
class Book:
    title: str
    chapters: tuple[Chapter, ...]
    warnings: tuple[str, ...] = field(default=())

    def segments(self):
        for chapter in self.chapters:
            for _, _, segment in chapter.segments():
                yield segment

    def map_segments(self, fn) -> Book:
        """A new Book with `fn(segment)` in place of every segment."""
        chapters = tuple(
            replace(
                chapter,
                scenes=tuple(
                    Scene(
                        tuple(
                            replace(p, segments=tuple(fn(s) for s in p.segments))
                            for p in scene.paragraphs
                        )
                    )
                    for scene in chapter.scenes
                ),
            )
            for chapter in self.chapters
        )
        return replace(self, chapters=chapters)


# --- block structure -------------------------------------------------------------------

_SCENE_BREAK = re.compile(r"^\s*([*\-_])(?:\s*\1){2,}\s*$")
_ATX_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ROMAN = r"[IVXLCDM]+"
_NUMBER_WORDS = (
    r"(?:THE\s+)?(?:FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH|SEVENTH|EIGHTH|NINTH|TENTH|ELEVENTH|"
    r"TWELFTH|ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE|TEN|ELEVEN|TWELVE|[A-Z]+TEEN|"
    r"TWENTY|THIRTY|FORTY|FIFTY)(?:[\s-]+[A-Z]+)?"
)
_TEXT_CHAPTER = re.compile(
    rf"^\s*(?:CHAPTER|Chapter|BOOK|Book|PART|Part)\s+(?:{_ROMAN}|\d+|{_NUMBER_WORDS})\b[.:]?"
    rf"(?:\s+.*)?$",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass
class _Block:
    kind: str  # "title", "chapter", "break", "para"
    text: str
    line: int
    line_starts: list[tuple[int, int]] = field(default_factory=list)  # (offset, line)


def _blocks(text: str, markdown: bool) -> list[_Block]:
    """Split text into headings, scene breaks and paragraphs, keeping line numbers."""
    # Comments vanish but keep their newlines, so line numbers stay true.
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    blocks: list[_Block] = []
    current: _Block | None = None

    def flush():
        nonlocal current
        if current is not None:
            blocks.append(current)
            current = None

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            flush()
            continue
        heading = _ATX_HEADING.match(line) if markdown else None
        if heading:
            flush()
            level = len(heading.group(1))
            kind = "title" if level == 1 else "chapter" if level == 2 else "break"
            blocks.append(_Block(kind, heading.group(2), number))
            if kind == "break" and heading.group(2):
                blocks.append(_Block("para", heading.group(2), number, [(0, number)]))
            continue
        if _SCENE_BREAK.match(line):
            flush()
            blocks.append(_Block("break", "", number))
            continue
        if not markdown and current is None and _TEXT_CHAPTER.match(line):
            blocks.append(_Block("chapter", line, number))
            continue
        if current is None:
            current = _Block("para", line, number, [(0, number)])
        else:
            current.line_starts.append((len(current.text) + 1, number))
            current.text += " " + line
    flush()
    return blocks


# --- quotes ----------------------------------------------------------------------------

_OPENERS = {'"': '"', "\u201c": "\u201d"}
_OVERRIDE = re.compile(r"\[([A-Za-z][\w-]*)\]\s*$")
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1")
_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    text = _EMPHASIS.sub(r"\2", text)
    return _SPACES.sub(" ", text).strip()


def _line_at(block: _Block, offset: int) -> int:
    line = block.line
    for start, number in block.line_starts:
        if start <= offset:
            line = number
        else:
            break
    return line


def _is_opening_straight(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if after.isspace():
        return False
    return before.isspace() or before in "([{—–-\u2014:;,'" or i == 0


def _split_quotes(block: _Block, open_at_start: bool):
    """Yield Segments; return whether a quote was left open at the end."""
    text = block.text
    segments: list[Segment] = []
    closer: str | None = '"' if open_at_start else None
    start = 0
    override: str | None = None
    continues = open_at_start

    def emit(end: int, kind: str):
        nonlocal override, continues
        piece = text[start:end]
        forced = None
        if kind == NARRATION:
            marker = _OVERRIDE.search(piece)
            if marker and end < len(text):
                forced = marker.group(1).lower()
                piece = piece[: marker.start()]
        cleaned = _clean(piece)
        if cleaned:
            offset = start + (len(piece) - len(piece.lstrip()))
            segments.append(
                Segment(
                    cleaned,
                    kind,
                    _line_at(block, offset),
                    override=override if kind == DIALOGUE else None,
                    continues_quote=continues if kind == DIALOGUE else False,
                )
            )
            if kind == DIALOGUE:
                override, continues = None, False
        if forced:
            override = forced

    i = 0
    while i < len(text):
        ch = text[i]
        if closer is None:
            if ch == "\u201c" or (ch == '"' and _is_opening_straight(text, i)):
                emit(i, NARRATION)
                closer = _OPENERS[ch]
                start = i + 1
        elif ch == closer or (closer == "\u201d" and ch == '"') or (closer == '"' and ch == "\u201d"):
            emit(i, DIALOGUE)
            closer = None
            start = i + 1
        i += 1
    emit(len(text), DIALOGUE if closer else NARRATION)
    return segments, closer is not None


def _starts_with_opening_quote(text: str) -> bool:
    return text[:1] in _OPENERS


# --- the book --------------------------------------------------------------------------


def _title_from_text(blocks: list[_Block]) -> str | None:
    """A plain-text book's title: a short first line without final punctuation."""
    if blocks and blocks[0].kind == "para":
        first = blocks[0].text
        if len(first) <= 100 and not re.search(r"[.!?,;\"\u201d]$", first):
            blocks.pop(0)
            return first
    return None


def parse(text: str, *, markdown: bool = True, default_title: str = "Untitled") -> Book:
    """Parse a script into a Book. Never raises on odd text: problems become warnings."""
    blocks = _blocks(text, markdown)
    title = None
    if blocks and blocks[0].kind == "title":
        title = blocks.pop(0).text
    elif not markdown:
        title = _title_from_text(blocks)
    title = title or default_title

    warnings: list[str] = []
    chapters: list[Chapter] = []
    chapter_title, chapter_line = None, 1
    scenes: list[list[Paragraph]] = [[]]
    quote_open = False
    open_line = 0

    def close_chapter():
        nonlocal scenes
        kept = tuple(Scene(tuple(s)) for s in scenes if s)
        if kept:
            chapters.append(Chapter(chapter_title or title, chapter_line, kept))
        elif chapter_title is not None:
            warnings.append(f"line {chapter_line}: chapter {chapter_title!r} has no text; skipped")
        scenes = [[]]

    for block in blocks:
        if quote_open and not (block.kind == "para" and _starts_with_opening_quote(block.text)):
            warnings.append(f"line {open_line}: quotation is never closed")
            quote_open = False
        if block.kind in ("chapter", "title"):
            close_chapter()
            chapter_title, chapter_line = _clean(block.text), block.line
        elif block.kind == "break":
            if scenes[-1]:
                scenes.append([])
        else:
            if quote_open:  # a quote carried on: this paragraph reopens it
                block.text = block.text[1:]
            segments, still_open = _split_quotes(block, quote_open)
            if still_open and not quote_open:
                open_line = segments[-1].line if segments else block.line
            quote_open = still_open
            if segments:
                scenes[-1].append(Paragraph(block.line, tuple(segments)))
    if quote_open:
        warnings.append(f"line {open_line}: quotation is never closed")
    close_chapter()
    return Book(title, tuple(chapters), tuple(warnings))
