"""Script parsing: text in, Book out. Pure: no I/O, no knowledge of voices.

Markdown: `# Book title`, `## Chapter title`, a thematic break (`***`, `* * *`, `---`) between
scenes, blank lines between paragraphs. Plain text: Gutenberg-style chapter headings
(`CHAPTER I.`, `Chapter 1`, `CHAPTER THE FIRST`, optionally followed by a title line), and
Project Gutenberg front matter and licence dropped. Dialogue is whatever stands in double
quotes (straight or curly), or in single quotes in a book that quotes dialogue that way;
`[role]` right before an opening quote forces that quote's speaker. Words a narration
sentence merely quotes (`called her "child" in a pretty way`) are narration (`quoted_words`).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

NARRATION = "narration"
DIALOGUE = "dialogue"


@dataclass(frozen=True, slots=True)  # slots: a novel holds millions of these
class Segment:
    """A run of narration, or one quotation, inside a paragraph."""

    text: str
    kind: str  # NARRATION or DIALOGUE
    line: int
    override: str | None = None  # role forced by `[role]` markup
    continues_quote: bool = False  # a quote carried over from the previous paragraph
    role: str | None = None  # filled in by attribution
    rule: str | None = None  # the attribution rule that chose `role`


@dataclass(frozen=True, slots=True)  # slots: a novel holds millions of these
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

    def map_segments(self, fn) -> Chapter:
        """A new Chapter with `fn(segment)` in place of every segment."""
        return replace(self, scenes=tuple(
            Scene(tuple(replace(p, segments=tuple(fn(s) for s in p.segments))
                        for p in scene.paragraphs))
            for scene in self.scenes))


@dataclass(frozen=True)
class Book:
    title: str
    chapters: tuple[Chapter, ...]
    warnings: tuple[str, ...] = field(default=())
    author: str | None = None  # a plain-text title page's byline, or Gutenberg's `Author:`

    def segments(self):
        for chapter in self.chapters:
            for _, _, segment in chapter.segments():
                yield segment

    def map_segments(self, fn) -> Book:
        """A new Book with `fn(segment)` in place of every segment."""
        return replace(self, chapters=tuple(c.map_segments(fn) for c in self.chapters))


# --- block structure -------------------------------------------------------------------

_SCENE_BREAK = re.compile(r"^\s*([*\-_])(?:\s*\1){2,}\s*$")
_ATX_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ROMAN = r"[IVXLCDM]+"
_NUMBER_WORDS = (
    r"(?i:(?:THE\s+)?(?:FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH|SEVENTH|EIGHTH|NINTH|TENTH|"
    r"ELEVENTH|TWELFTH|[A-Z]+TEENTH|TWENTIETH|THIRTIETH|LAST|ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|"
    r"EIGHT|NINE|TEN|ELEVEN|TWELVE|[A-Z]+TEEN|TWENTY|THIRTY|FORTY|FIFTY)(?:[\s-]+[A-Z]+)?)"
)
# The keyword is capitalised or upper case: `Book did not...` must stay a paragraph.
_TEXT_CHAPTER = re.compile(
    rf"^(?:CHAPTER|Chapter|BOOK|Book|PART|Part|VOLUME|Volume|STAVE|Stave|LETTER|Letter)\s+"
    rf"(?:{_ROMAN}|\d+|{_NUMBER_WORDS})\b(\.?)(?:\s*([:.\-\u2014\u2013]?)\s*(\S.*))?$"
)
# A division above chapters: `PART I: MOSQUE`, `BOOK THE FIRST`.
_PART = re.compile(r"^(?:PART|Part|BOOK|Book|VOLUME|Volume)\s")
_BARE_NUMERAL = re.compile(rf"^(?:{_ROMAN}|\d+)\.?$")
_CONTENTS = re.compile(r"^(?:table of )?contents\.?$", re.IGNORECASE)
# Project Gutenberg's `[Illustration]`, `[Illustration: "Wrote it, sir?"]`.
_ILLUSTRATION = re.compile(r"^\[Illustrations?(?:[:.][^\]]*)?\]$", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_GUTENBERG_START = re.compile(
    r"^\s*\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG", re.IGNORECASE)
_GUTENBERG_END = re.compile(
    r"^\s*(?:\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG|End of (?:the )?Project Gutenberg)",
    re.IGNORECASE)
_GUTENBERG_WORD = re.compile(r"gutenberg", re.IGNORECASE)
_GUTENBERG_TITLE = re.compile(r"^\s*Title:\s*(\S.*?)\s*$")
_GUTENBERG_AUTHOR = re.compile(r"^\s*Author:\s*(\S.*?)\s*$")
_GUTENBERG_HEADLINE = re.compile(
    r"^The Project Gutenberg e-?book(?:, (?!by\b)| of )(\S.*?)(?:, by .*)?$", re.IGNORECASE)
_PRODUCTION_NOTE = re.compile(
    r"^(?:Produced by|E-?text prepared by|This e-?book|Transcriber['\u2019]?s? note|Transcribed by)",
    re.IGNORECASE)


@dataclass
class _Block:
    kind: str  # "title", "chapter", "break", "para"
    text: str
    line: int
    line_starts: list[tuple[int, int]] = field(default_factory=list)  # (offset, line)
    lines: list[str] = field(default_factory=list)  # the raw lines of a paragraph


def _lines(text: str, chunk: int = 1 << 20) -> Iterator[str]:
    """`text.splitlines()`, lazily: a 50 MB script must not become a million strings at once.
    Chunks end just after a `\\n`, so no line (nor a `\\r\\n`) is cut in two."""
    start = 0
    while start < len(text):
        cut = text.find("\n", start + chunk)
        end = len(text) if cut < 0 else cut + 1
        yield from text[start:end].splitlines()
        start = end


def _gutenberg_bounds(text: str
                      ) -> tuple[int, int | None, str | None, str | None] | None:
    """(index of the START line, of the END line or None, the `Title:`, the `Author:`) of
    a Project Gutenberg file; None for any other text."""
    if not _GUTENBERG_WORD.search(text):
        return None
    start, title, author = None, None, None
    for i, line in enumerate(_lines(text)):
        if start is None:
            if _GUTENBERG_START.match(line):
                start = i
            elif title is None and (m := _GUTENBERG_TITLE.match(line)):
                title = m.group(1)
            elif author is None and (m := _GUTENBERG_AUTHOR.match(line)):
                author = m.group(1)
        elif _GUTENBERG_END.match(line):
            return start, i, title, author
    return None if start is None else (start, None, title, author)


def _story_lines(text: str, bounds) -> Iterator[tuple[int, str]]:
    """(number from 1, line); Gutenberg front matter and licence come out blank, so line
    numbers stay true."""
    start, end = (bounds[0], bounds[1]) if bounds else (-1, None)
    for i, line in enumerate(_lines(text)):
        yield i + 1, line if start < i and (end is None or i < end) else ""


def _without_comments(text: str) -> str:
    """Comments vanish but keep their newlines, so line numbers stay true."""
    if "<!--" not in text:
        return text
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def _blocks(text: str, markdown: bool, bounds) -> Iterator[_Block]:
    """Headings, scene breaks and paragraphs, in order, with their line numbers."""
    current: _Block | None = None
    for number, raw in _story_lines(text, bounds):
        line = raw.strip()
        heading = _ATX_HEADING.match(line) if markdown and line else None
        scene_break = not heading and line and _SCENE_BREAK.match(line)
        if current is not None and (not line or heading or scene_break):
            current.text = " ".join(current.lines)  # joined once: `+=` is quadratic
            yield current
            current = None
        if not line:
            continue
        if heading:
            level = len(heading.group(1))
            kind = "title" if level == 1 else "chapter" if level == 2 else "break"
            yield _Block(kind, heading.group(2), number)
            if kind == "break" and heading.group(2):
                yield _Block("para", heading.group(2), number, [(0, number)], [heading.group(2)])
        elif scene_break:
            yield _Block("break", "", number)
        elif current is None:
            current = _Block("para", line, number, [(0, number)], [line])
        else:
            start, _ = current.line_starts[-1]
            current.line_starts.append((start + len(current.lines[-1]) + 1, number))
            current.lines.append(line)
    if current is not None:
        current.text = " ".join(current.lines)
        yield current


def _is_heading(line: str) -> bool:
    """`CHAPTER I.`, `Chapter 2: Title`, `Chapter 3 The Title`, `IV.`; not `Part of it was`."""
    if len(line) > 100:
        return False
    if _BARE_NUMERAL.match(line):
        return True
    m = _TEXT_CHAPTER.match(line)
    if not m:
        return False
    dot, separator, rest = m.groups()
    return not rest or bool(dot or separator) or _title_words(rest)


_SMALL_WORDS = frozenset(
    "a an the of in on and or to at for with by from into upon is as but that which who his her"
    .split())


def _title_words(text: str) -> bool:
    """Every word capitalised, except small ones: `Down the Rabbit-Hole`."""
    words = re.findall(r"[A-Za-z][\w'\u2019-]*", text)
    return bool(words) and words[0][0].isupper() and all(
        w[0].isupper() or w.lower() in _SMALL_WORDS for w in words)


# `"ALL THE WORLD'S A STAGE"`: words in capitals in quotes, no closing punctuation.
_QUOTED_CAPITALS = re.compile(r"^[\"\u201c]([^\"\u201c\u201d]*[^\s.!?,;:\"\u201c\u201d])[\"\u201d]$")


def _looks_like_title(block: _Block) -> bool:
    """A short line naming a chapter: `Down the Rabbit-Hole`, `THE PIGEON`, and in quotes
    when in capitals, of two words or more and with no closing punctuation (`"ALL THE
    WORLD'S A STAGE"`, as The Sport of the Gods has it; not `"YES!"`, not `"Come in"`)."""
    text = block.text
    if len(block.lines) != 1 or len(text) > 82:
        return False  # first: a long paragraph is no title, and no regex need scan it
    if (m := _QUOTED_CAPITALS.match(text)) and m.group(1).isupper() and \
            re.search(r"\s", m.group(1)):
        text = m.group(1)
    if len(text) > 80 or text[:1] in "\"\u201c\u2018'" or _is_heading(text):
        return False
    if re.search(r"[,;]$|[a-z][.!?]$", text) and not text.isupper():
        return False
    return _title_words(text)


def _plain_text_headings(blocks: Iterator[_Block], front_matter: bool) -> Iterator[_Block]:
    """Plain text: headings alone in their paragraph become chapters; contents lists go."""
    seen_chapter = False
    following: _Block | None = None  # a block read ahead, to see if it is a chapter's title
    while True:
        block, following = following or next(blocks, None), None
        if block is None:
            return
        if block.kind != "para":
            yield block
            continue
        lines = block.lines
        if len(lines) >= 3 and sum(_is_heading(line) for line in lines) * 2 >= len(lines):
            continue  # a table of contents
        if len(lines) == 1 and _CONTENTS.match(lines[0]):
            continue
        if _ILLUSTRATION.match(block.text):  # a picture's place, not words to read out
            continue
        if not seen_chapter and front_matter and _PRODUCTION_NOTE.match(block.text):
            continue
        if len(lines) <= 2 and _is_heading(lines[0]):
            title = lines[0].rstrip(".") if len(lines) == 1 else None
            if len(lines) == 2:
                title = f"{lines[0].rstrip('.:')}: {lines[1]}"
            else:
                following = next(blocks, None)
                if following is not None and following.kind == "para" and \
                        _looks_like_title(following):
                    title = f"{lines[0].rstrip('.:')}: {following.text}"
                    following = None
            yield _Block("chapter", title, block.line)
            seen_chapter = True
            continue
        yield block


# --- quotes ----------------------------------------------------------------------------

DOUBLE = "double"
SINGLE = "single"
_OVERRIDE = re.compile(r"\[([A-Za-z][\w-]*)\]\s*$")
# A role id as voices.yaml writes it, left in a segment's text (`[anna] Hello.`, `"Hi."
# [anna]`, `Text [anna] here.`): a misplaced marker, read out. Not an editor's `[sic]` nor
# a footnote's `[a]`, `[ii]`, `[1]`, which books print.
_STRAY = re.compile(r"\[(?!(?:sic|[ivxlc]+)\])([a-z][a-z0-9_-]+)\]")
# No marker inside: `.+?` would rescan to the paragraph's end from every unmatched `*`
# (quadratic: 60 kB of `*a ` took 23 s). Nesting is undone by a second pass instead.
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3})(?=[^\s*_])([^*_]+?)(?<=\S)\1")
_SPACES = re.compile(r"\s+")
# The markers left of italics around a quote: after it (`"Cousin Kate."_ she said`) and
# before it (`He read _"Cousin Kate."`).
_STRAY_EMPHASIS_AFTER = re.compile(r"^[*_]+(?=\s|$)")
_STRAY_EMPHASIS_BEFORE = re.compile(r"(?<![^\s])[*_]+$")
# Words that begin with an apostrophe: `'em`, `'tis`, `'twas`, `'cause`, `'90s`.
_ELISION = re.compile(
    r"(?:em|tis|twas|twere|twill|twould|cause|bout|til|till|un|uns|im|er|ere|ee|e|ow|ave|ad|"
    r"appen|prentice|gainst|neath|ope|n|s|d|ll|re|ve|m|t|nt|cept|spose|sposin|fore|mongst|"
    r"midst|round|most|kin|ello|allo|ouse|ome|is|as|alf|and|eard|ear|ere|igh|oo|at|ard)"
    r"(?![A-Za-z])|\d",
    re.IGNORECASE,
)
# Elisions that are also words, and start a quote when capitalised: `'And you?'`, not `'and`.
_CAPITAL_WORD = re.compile(r"(?:And|Is|As|At|Ere|Till|Round|Most)(?![A-Za-z])")
# `_` and `*`: a quote set in italics, `_"Cousin Kate."_`.
_OPEN_BEFORE = " \t([{\u2014\u2013-:;,/\u201c\u2018\"'_*"
_CLOSE_AFTER = " \t.,;:!?)]}\u2014\u2013-\u201d\u2019\"'\u2026_*"


def _clean(text: str) -> str:
    for _ in range(3):  # `**bold *and* italic**`: the inner pair first
        text, found = _EMPHASIS.subn(r"\2", text)
        if not found:
            break
    return _SPACES.sub(" ", text).strip()


def _line_at(block: _Block, offset: int) -> int:
    """The line of the last line start at or before `offset` (a binary search: a long
    paragraph has many lines and many quotes)."""
    i = bisect.bisect_right(block.line_starts, (offset, float("inf")))
    return block.line_starts[i - 1][1] if i else block.line


def _opens(text: str, i: int, style: str) -> bool:
    """Is the mark at i an opening quotation mark in a book quoting in `style`?"""
    ch = text[i]
    if style == DOUBLE:
        if ch not in "\u201c\"":
            return False
    elif ch not in "\u2018'":
        return False
    after = text[i + 1] if i + 1 < len(text) else " "
    if after.isspace() and not (i == 0 or text[i - 1].isspace()) or i + 1 >= len(text):
        return False
    if ch == "\u201c":
        return True
    if after.isspace() and i > 0 and text[max(0, i - 3):i].rstrip()[-1:] not in (":", ","):
        # A mark between spaces is a toggle: outside a quote it opens one, if the next
        # mark closes it (`He measured 5 " and left.` opens nothing). Opening a paragraph,
        # or after `said:`, it opens, closed or not: a speech may run into the next one.
        return _closed_later(text, i, style)
    if i > 0 and text[i - 1] not in _OPEN_BEFORE and not (
            text[i - 1] == "]" and _OVERRIDE.search(text, max(0, i - 64), i)):  # `[anna]"Hi."`
        return False
    if style == SINGLE and _ELISION.match(text, i + 1) and not _CAPITAL_WORD.match(text, i + 1) \
            and not (ch == "\u2018" and text[max(0, i - 2):i] in (", ", ": ", "; ")):
        return False  # `'em`, `'tis`; but `said she, ‘and then…’` (or `;`) resumes the speech
    return True


_MARKS = {DOUBLE: re.compile("[\"\u201c\u201d]"), SINGLE: re.compile("['\u2018\u2019]")}


def _closed_later(text: str, i: int, style: str, window: int = 3000) -> bool:
    """Whether the next quotation mark after i that closes or opens, within `window`
    characters, closes (bounded: a paragraph of stray marks parses in linear time)."""
    for mark in _MARKS[style].finditer(text, i + 1, i + window):
        j = mark.start()
        if _closes(text, j, style):
            return True
        if j + 1 < len(text) and not text[j + 1].isspace() and text[j - 1] in _OPEN_BEFORE:
            return False  # `... left. "Yes,"`: the next quote opens first
    return False


def _closes(text: str, i: int, style: str, lenient: bool = False) -> bool:
    """Is the mark at i a closing quotation mark? `lenient`: also a letter's apostrophe
    before a lowercase word (`goin' home`), which may close a quoted word (`'the house' was`)."""
    ch = text[i]
    if style == DOUBLE:
        if ch not in "\u201d\"":
            return False
    elif ch not in "\u2019'":
        return False
    after = text[i + 1] if i + 1 < len(text) else " "
    if i == 0 or text[i - 1].isspace() and not after.isspace():
        return False  # but a mark between spaces cannot open, so closes: `I don't see -- "`
    if ch == "\u201d":
        return True
    if after not in _CLOSE_AFTER:
        return False  # an apostrophe inside a word: don't, o'clock
    if style == SINGLE and text[i - 1].isalpha() and not lenient:
        # `goin' home`, `the boys' room`: a letter, then a lowercase word, is an apostrophe.
        rest = text[i + 1:i + 3]
        if rest[:1] == " " and rest[1:2].islower():
            return False
    return True


_LINE_OPENING = re.compile(r"(?m)^[ \t]*([\"\u201c\u2018'])(?=\S)(.{0,6})")


def quote_style(text: str) -> str:
    """DOUBLE, SINGLE for a book that opens more paragraphs with single quotes, or DASH for
    one with no quotation marks whose speeches open with a dash (Joyce)."""
    double = single = 0
    for found in _LINE_OPENING.finditer(text):
        mark, rest = found.groups()
        if mark in "\"\u201c":
            double += 1
        elif not _ELISION.match(rest):
            single += 1
    if not double and not single and not re.search("[\"\u201c\u201d\u2018]", text) and \
            sum(1 for _ in itertools.islice(_DASH_LINE.finditer(text), 3)) >= 3:
        return DASH
    return SINGLE if single > double else DOUBLE


# --- dash dialogue: `—Come up, Kinch! he said. Come up.` ---------------------------------

DASH = "dash"
_DASH_LINE = re.compile(r"(?m)^[ \t]*(?:\u2014|\u2015|--)(?!-)")
_DASH_OPEN = re.compile(r"^\s*(?:\u2014|\u2015|--)\s*|(?<=:)\s*(?:\u2014|\u2015|--)\s*(?=\S)")
_SAYING = (r"(?:said|says|say|asked|asks|ask|cried|cries|answered|answers|replied|replies|"
           r"called|calls|shouted|whispered|murmured|muttered|added|began|continued|repeated|"
           r"exclaimed|intoned|sang|laughed|sighed|demanded|broke in|went on|put in|told)")
_SPEAKER = r"(?:he|she|I|they|we|(?:[A-Z][\w'\u2019.-]*\s+){0,3}[A-Z][\w'\u2019-]*)"
# The tag inside a dash speech: after `,` `!` `?`, up to the end of its clause.
_DASH_TAG = re.compile(
    rf"(?<=[,!?])\s+(?:{_SPEAKER}\s+(?:\w+ly\s+)?{_SAYING}|{_SAYING}\s+{_SPEAKER})\b"
    r"[^.!?:;]*(?:[.!?:;]|$)")


def _split_dash(block: _Block) -> list[Segment]:
    """A dash opens speech that runs to the paragraph's end, except for its tag."""
    text = block.text
    marker = re.match(r"\s*\[([A-Za-z][\w-]*)\]\s*(?=\u2014|\u2015|--)", text)  # `[stephen] \u2014Yes.`
    skip = marker.end() if marker else 0
    opener = _DASH_OPEN.search(text[skip:])
    if not opener:
        return _segments(block, [(0, len(text), NARRATION)])
    pieces = [(skip, skip + opener.start(), NARRATION)]
    start = skip + opener.end()
    tag = _DASH_TAG.search(text, start)
    if tag:
        pieces += [(start, tag.start(), DIALOGUE), (tag.start(), tag.end(), NARRATION)]
        start = tag.end()
    pieces.append((start, len(text), DIALOGUE))
    return _segments(block, pieces, marker.group(1).lower() if marker else None)


def _segments(block: _Block, pieces, override: str | None = None) -> list[Segment]:
    out = []
    for a, b, kind in pieces:
        if kind == DIALOGUE and override:
            out_override, override = override, None
        else:
            out_override = None
        piece = block.text[a:b]
        cleaned = _clean(piece)
        if cleaned:
            offset = a + (len(piece) - len(piece.lstrip()))
            out.append(Segment(cleaned, kind, _line_at(block, offset), override=out_override))
    return out


# --- quoted words: `called her "child" in a pretty way` --------------------------------------

# Verbs that give a quote a speaker: after one, a quote is a line (`said "yes"`, `murmuring
# "It was not I,"`, `murmured the word "Diarrhoea,"`), and before one too (`"Yes," said he`).
_SPEECH_VERB = re.compile(
    r"(?:say|says|said|saying|tells?|told|telling|cr(?:y|ies|ied|ying)|repl(?:y|ies|ied|ying)|"
    r"sing|sings|singing|sang|sung|speaks?|speaking|spoke|spoken|begins?|beginning|began|"
    r"thinks?|thinking|thought|begged|begging|snapped|snapping|sobbed|sobbing|"
    r"(?:ask|answer|whisper|call|shout|murmur|mutter|add|exclaim|yell|repeat|insist|declar|"
    r"demand|plead|beg|stammer|stutter|observ|remark|return|retort|interrupt|protest|scream|"
    r"groan|gasp|hiss|announc|inquir|enquir|rejoin|resum|shriek|wail|moan|utter|mumbl|quot|"
    r"address|breath|sigh|laugh|sob|continu|roar|bellow|grumbl|chant|recit|read|echo|sneer|"
    r"snap|growl|bawl|wonder|agre|explain|suggest|whimper|drawl|lisp|snarl|pant|splutter|"
    r"sputter|blurt)(?:e|es|s|ed|d|ing)?)",
    re.IGNORECASE)
# The word before the quote, past `the words` and past whom a verb speaks to (`shouted at
# them "get out"`, `whispered to Mary "go on"`).
_LAST_WORD = re.compile(r"([^\W\d_][\w'\u2019-]*)(?:\s+the\s+words?|\s+(?:to|at)\s+(?:him|her|"
                        r"them|me|us|you|[A-Z][\w'\u2019-]*))?\s*$")
# A tag after the quote whose subject is a phrase: `"Go away," the old man said`, `"Yes,"
# her mother said`, `"Come in," a voice called`.
_TAG_AFTER = re.compile(r"\W*(?:the|a|an|her|his|my|their|our|your|[A-Z][\w'\u2019-]*)\b")
_WORD = re.compile(r"[^\W\d_]+")


def quoted_words(before: str, words: str, after: str) -> bool:
    """Whether a quotation is words a narration sentence quotes (`called her "child" in a
    pretty way`, `regarded him as "India," and never`), read by the narrator as part of
    that sentence, rather than a line someone says. `before` and `after`: the paragraph's
    text either side of the quotation marks. Such a quote is short (six words at most) and
    follows a word (not `,` `:` or a full stop) that is no speech verb (`said "yes"` is a
    line); the sentence goes on after it in lower case, or only a comma or full stop follows
    the closing mark (`the dreaded "Sister".`); it holds no sentence of its own (no `!` `?`
    `;` `:`, no comma between words, no full stop closing a capitalised quote: `a cry of
    "Fire!"`, `Hattie's laugh and "Thank you, fellows," followed her`), and no speech verb
    follows it (`"Yes," said he`, `"Go," she said`)."""
    words = words.strip()
    last = _LAST_WORD.search(before[-80:])
    if not words or not last or not after.strip() or len(words.split()) > 6:
        return False
    if _SPEECH_VERB.fullmatch(last.group(1)):
        return False
    if re.search(r"[!?;:]|,\s|\.\s+[A-Z]", words) or words[-1] == "." and not words[0].islower():
        return False
    rest = after.lstrip()
    if any(_SPEECH_VERB.fullmatch(word) for word in _WORD.findall(after)[:2]):
        return False  # `"Yes," said he`, `Then "Go," she said.`
    if _TAG_AFTER.match(after) and any(_SPEECH_VERB.fullmatch(word)
                                       for word in _WORD.findall(after)[1:4]):
        return False  # `and "Go away," the old man said`
    return rest[0].islower() or rest[0] in ".," and rest[1:2] in ("", " ")


def _split_quotes(block: _Block, open_at_start: bool, style: str = DOUBLE,
                  close_at: frozenset[int] = frozenset()):
    """Segments of one paragraph, whether a quote was left open at its end, and then the
    last `word' word` in that quote, which closes it if no paragraph carries it on.

    In a single-quoted book a quote holds no quote of its own: one opening inside a quote
    shows that an earlier `word' word` (`The 'walk in' was uttered, 'Go to...'`) closed it,
    and so does the paragraph's end, after a quote opened by a word (`call it 'the house'
    pre-eminently.`): speech follows a comma or colon. `close_at`: marks that close."""
    text = block.text
    segments: list[Segment] = []
    inside = open_at_start
    start = 0
    override: str | None = None
    continues = open_at_start

    def emit(end: int, kind: str):
        nonlocal override, continues
        piece = text[start:end]
        forced = None
        if kind == NARRATION:  # the italics around a quote, `_"Cousin Kate."_`, are not text
            if start > 0:
                piece = _STRAY_EMPHASIS_AFTER.sub("", piece)
            if end < len(text):
                piece = _STRAY_EMPHASIS_BEFORE.sub("", piece)
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

    def flush() -> None:
        """Emit the narration before the open quote, held back till the quote proves a
        line (a quote that proves words the sentence quotes is narration, read on)."""
        nonlocal start, pending
        if pending is not None:
            body, (start, mark) = start, pending
            emit(mark, NARRATION)
            start, pending = body, None

    def quoted(end: int) -> bool:
        """Whether the open quote, closed at `end`, is words its sentence quotes."""
        return pending is not None and quoted_words(
            text[max(0, start - 81):start - 1], text[start:end], text[end + 1:end + 40])

    marks = "\"\u201c\u201d" if style == DOUBLE else "'\u2018\u2019"
    pending = None  # (start, opening mark) of the narration before the open quote
    maybe = None  # the latest `word' word` inside the open quote
    after_word = False  # the open quote follows a word, not a comma or colon
    for i, ch in enumerate(text):
        if ch not in marks:
            continue
        if inside and maybe is not None and style == SINGLE and _opens(text, i, style):
            if quoted(maybe):  # the narration runs on through the quote, marks and all
                inside, start, pending, maybe = False, pending[0], None, None
            else:
                flush()
                emit(maybe, DIALOGUE)
                inside, start, maybe = False, maybe + 1, None
        if not inside and _opens(text, i, style):
            pending = (start, i)
            inside, start, maybe = True, i + 1, None
            after_word = text[max(0, i - 20):i].rstrip()[-1:].isalpha()  # bounded: linear
        elif inside and i > start and (_closes(text, i, style) or i in close_at):
            if quoted(i):
                inside, start, pending = False, pending[0], None
                continue
            flush()
            emit(i, DIALOGUE)
            inside, start = False, i + 1
        elif inside and i > start and style == SINGLE and _closes(text, i, style, lenient=True):
            maybe = i
        elif inside and i == start > 0 and _closes(text, i, style):
            # `""` says nothing: closed here, not left open to read out a lone `"`; nor does
            # a `[role]` before it pass on to the next quote.
            flush()
            inside, start, override = False, i + 1, None
    if inside and maybe is not None and after_word:
        return _split_quotes(block, open_at_start, style, close_at | {maybe})
    flush()
    emit(len(text), DIALOGUE if inside else NARRATION)
    return segments, inside, maybe if inside else None


def _strays(block: _Block, segments: list[Segment]) -> Iterator[tuple[int, str]]:
    """(line, marker) of each role marker left in the segments' text, in order. Its line is
    that of its next occurrence in the paragraph that opens no quote (one that does was taken
    as an override and is in no segment)."""
    at = 0
    for segment in segments:
        if "[" not in segment.text:  # most: no scan
            continue
        for found in _STRAY.finditer(segment.text):
            marker = found.group(0)
            at = max(at, next((o for o, n in block.line_starts if n == segment.line), 0))
            line = segment.line
            while (where := block.text.find(marker, at)) >= 0:
                at = where + len(marker)
                after = block.text[at:at + 64].lstrip()[:2]
                if not after or after[0] not in "\"\u201c'\u2018\u2014\u2015" and after != "--":
                    line = _line_at(block, where)
                    break
            yield line, marker


def _starts_with_opening_quote(text: str, style: str = DOUBLE) -> bool:
    return bool(text) and _opens(text, 0, style)


# --- the book --------------------------------------------------------------------------


def _is_text_title(block: _Block | None) -> bool:
    """A plain-text book's title: a short first line without final punctuation."""
    return block is not None and block.kind == "para" and len(block.text) <= 100 and \
        not re.search(r"[.!?,;\"\u201d]$", block.text)


# A title page's lines: `By Jane Austen`, `by E. M. Forster`, `By Jane Austen and Seth
# Grahame-Smith` (names after `by`, nothing after them: not `By Christmas the snow had
# come.`), `by` alone with the name on the next line, and a year, `(1814)`.
_NAME_WORD = r"[A-Z][\w.'\u2019-]*"
_BYLINE = re.compile(rf"^[Bb][Yy]\s+{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|and|&))*$")
_LONE_BY = re.compile(r"^[Bb][Yy]$")
_NAME_LINE = re.compile(rf"^{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|and|&))*$")
_YEAR_LINE = re.compile(r"^\(?\d{4}\)?\.?$")


def _past_title_page(first: _Block | None, blocks: Iterator[_Block]
                     ) -> tuple[_Block | None, Iterator[_Block], str | None]:
    """A plain-text book's title page after its title (`A STORY OF THE FRENCH REVOLUTION`,
    `By Charles Dickens`, `(1859)`) is dropped when it holds a byline: read out, it was a
    chapter of its own before chapter 1. It runs to the byline and the name and year lines
    right after it; lines after those are story (a poem's first lines), as is any page
    without a byline, and it is only short lines with no closing stop. Also returns the
    byline's names (`Jane Austen`; in capitals, `JANE AUSTEN`, as `Jane Austen`), or None."""
    page: list[_Block] = []
    block = first
    while block is not None and block.kind == "para" and len(block.lines) == 1 and \
            len(block.text) <= 80 and len(page) < 8 and \
            (_BYLINE.match(block.text) or not re.search(r"[.!?,;\"\u201d]$", block.text)):
        page.append(block)
        block = next(blocks, None)
    ahead = [*page, *([block] if block is not None else [])]
    by = next((i for i, b in enumerate(page) if _BYLINE.match(b.text) or _LONE_BY.match(b.text)
               and i + 1 < len(page) and _NAME_LINE.match(page[i + 1].text)), None)
    author = None
    if by is not None:
        author = _author(page[by].text if _BYLINE.match(page[by].text) else page[by + 1].text)
        end = by + 1
        while end < len(page) and (_YEAR_LINE.match(page[end].text) or _NAME_LINE.match(
                page[end].text) and _LONE_BY.match(page[end - 1].text)):
            end += 1
        ahead = ahead[end:]
    return (*((ahead[0], itertools.chain(ahead[1:], blocks)) if ahead else (None, blocks)),
            author)


def _author(line: str) -> str | None:
    """`By Jane Austen` -> `Jane Austen`; `BY JANE AUSTEN` -> `Jane Austen`. None for a
    byline that names no one (`BY THE AUTHOR OF WAVERLEY`) or may be a heading (`By Night`):
    a name has two words at least, or an initial."""
    names = " ".join(re.sub(r"^[Bb][Yy]\s+", "", line).split())
    words = names.split()
    if words[0].lower() in ("the", "a", "an", "author") or \
            len(words) < 2 and not re.search(r"\b[A-Z]\.", names):
        return None
    return names.title().replace(" And ", " and ") if names.isupper() else names


@dataclass
class BookStream:
    """A book read a chapter at a time, so a huge script never stands in memory parsed
    whole. `chapters` can be iterated once; `warnings` grows as it is."""

    title: str
    chapters: Iterator[Chapter]
    warnings: list[str]
    author: str | None = None


def parse(text: str, *, markdown: bool = True, default_title: str = "Untitled") -> Book:
    """Parse a script into a Book. Never raises on odd text: problems become warnings."""
    stream = parse_stream(text, markdown=markdown, default_title=default_title)
    chapters = tuple(stream.chapters)
    return Book(stream.title, chapters, tuple(stream.warnings), stream.author)


def parse_stream(text: str, *, markdown: bool = True, default_title: str = "Untitled"
                 ) -> BookStream:
    """`parse`, a chapter at a time: the same chapters and warnings, in the same order."""
    story = _without_comments(text)  # a marker inside a comment is no marker
    bounds = _gutenberg_bounds(story)
    gutenberg_title = bounds[2] if bounds else None
    author = bounds[3] if bounds else None
    blocks = _blocks(story, markdown, bounds)
    if not markdown:
        blocks = _plain_text_headings(blocks, front_matter=gutenberg_title is not None)
    first = next(blocks, None)
    title = None
    if first is not None and first.kind == "title":
        title, first = first.text, next(blocks, None)
    elif not markdown:
        if gutenberg_title:
            title = gutenberg_title
        elif _is_text_title(first):
            title, first = first.text, next(blocks, None)
            if m := _GUTENBERG_HEADLINE.match(title):  # a Gutenberg file cut before its markers
                title = m.group(1)
        if gutenberg_title and first is not None and first.kind == "para" and \
                _clean(first.text).lower() == gutenberg_title.lower():
            first = next(blocks, None)  # the title printed again at the head of the text
        if title:
            first, blocks, byline = _past_title_page(first, blocks)
            author = author or byline  # Gutenberg's `Author:` is surer than a title page
    title = title or default_title
    if first is not None:
        blocks = itertools.chain([first], blocks)
    warnings: list[str] = []
    return BookStream(title, _chapters(blocks, title, markdown, quote_style(text), warnings),
                      warnings, author)


def _chapters(blocks: Iterator[_Block], title: str, markdown: bool, style: str,
              warnings: list[str]) -> Iterator[Chapter]:
    chapter_title, chapter_line = None, 1
    part = None  # plain text: the part heading just read, if it is one
    scenes: list[list[Paragraph]] = [[]]
    quote_open = False
    open_line = 0

    def close_chapter(next_is_heading: bool = False) -> Chapter | None:
        nonlocal scenes
        kept = tuple(Scene(tuple(s)) for s in scenes if s)
        scenes = [[]]
        if kept:
            return Chapter(chapter_title or title, chapter_line, kept)
        if chapter_title is not None and not (next_is_heading and not markdown):
            warnings.append(f"line {chapter_line}: chapter {chapter_title!r} has no text; skipped")
        return None

    maybe_close = None  # where the open quote may have closed: (block, open at its start, mark)

    def never_continued() -> None:
        """The open quote is not carried on: close it at its last `word' word`, if any."""
        nonlocal quote_open, open_line
        if maybe_close:
            last, was_open, mark = maybe_close
            segments, still_open, _ = _split_quotes(last, was_open, style, frozenset({mark}))
            scenes[-1][-1] = Paragraph(last.line, tuple(segments))
            if not still_open:
                quote_open = False
                return
            open_line = next((s.line for s in reversed(segments) if s.kind == DIALOGUE),
                             last.line)
        warnings.append(f"line {open_line}: quotation is never closed")
        quote_open = False

    for block in blocks:
        if quote_open and not (block.kind == "para" and _starts_with_opening_quote(block.text, style)):
            never_continued()
        if block.kind in ("chapter", "title"):
            # A part heading with no text of its own (`PART I: MOSQUE`, then `CHAPTER I`) is
            # said before the next chapter's title, and shown in it, rather than lost.
            carried = part if not any(scenes) else None
            chapter = close_chapter(next_is_heading=True)
            if chapter:
                yield chapter
            heading = _clean(block.text)
            part = heading if not markdown and _PART.match(heading) else None
            chapter_title = f"{carried}. {heading}" if carried and not part else heading
            chapter_line = block.line
        elif block.kind == "break":
            if scenes[-1]:
                scenes.append([])
        else:
            if quote_open:  # a quote carried on: this paragraph reopens it
                block.text = block.text[1:]
                block.line_starts = [(max(0, o - 1), n) for o, n in block.line_starts]
            if style == DASH:
                segments, still_open, mark = _split_dash(block), False, None
            else:
                segments, still_open, mark = _split_quotes(block, quote_open, style)
            maybe_close = (block, quote_open, mark) if mark is not None and segments else None
            if still_open and not quote_open:
                open_line = segments[-1].line if segments else block.line
            quote_open = still_open
            # A marker that forced nothing would be read out: at either end of the paragraph
            # or in its middle (`Text [mara] here.`), in narration or inside a quote.
            for line, marker in _strays(block, segments):
                warnings.append(f"line {line}: {marker} is not right before an opening quote, "
                                "so it is read out as text")
            if segments:
                scenes[-1].append(Paragraph(block.line, tuple(segments)))
    if quote_open:
        never_continued()
    chapter = close_chapter()
    if chapter:
        yield chapter
