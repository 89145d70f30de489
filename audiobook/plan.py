"""Book + Cast -> what to say and how long to pause, per chapter. Pure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from audiobook.attribution.sieves import UNRESOLVED
from audiobook.cache import make_key
from audiobook.cast import NARRATOR, Cast, Voice
from audiobook.script import DIALOGUE, NARRATION, Book, Chapter
from audiobook.text import heading_words, normalize_for_speech, respeller, split_sentences


@dataclass(frozen=True, slots=True)  # slots: a novel holds millions of these
class Utterance:
    text: str  # what the engine is asked to say
    voice: Voice
    key: str  # cache key: changes whenever the sound could
    line: int = field(default=0, compare=False)  # script line, for errors about this utterance


@dataclass(frozen=True, slots=True)  # slots: a novel holds millions of these
class PlannedSegment:
    role: str
    kind: str
    scene: int
    text: str  # as written, for the manifest and captions
    line: int
    pause_before_ms: int
    sentence_pause_ms: int
    utterances: tuple[Utterance, ...]


@dataclass(frozen=True)
class ChapterPlan:
    index: int  # from 1
    title: str
    stem: str  # file name without extension
    head_ms: int
    tail_ms: int
    segments: tuple[PlannedSegment, ...]
    unresolved: int = 0  # quotes no attribution rule settled: the narrator reads them

    @property
    def utterances(self):
        for segment in self.segments:
            yield from segment.utterances

    @property
    def key(self) -> str:
        """Changes whenever anything in the chapter's audio could."""
        return make_key(
            self.head_ms,
            self.tail_ms,
            [(s.pause_before_ms, s.sentence_pause_ms, [u.key for u in s.utterances])
             for s in self.segments],
        )


def _plain(char: str) -> str:
    """A letter's ASCII form without its accents (`é` -> `e`, `ﬁ` -> `fi`), if it has one."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return bare if bare.isascii() else char


def slugify(text: str, limit: int = 48) -> str:
    """A file name's words in ASCII (`Café` -> `cafe`, `Alice’s` -> `alices`); a title with
    none (`Война и мир` -> `война-и-мир`) keeps its own letters rather than leave nothing.
    Any title that had an ASCII name keeps it: a re-render finds its folder and files."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not slug:
        slug = re.sub(r"[\W_]+", "-", "".join(map(_plain, unicodedata.normalize("NFC", text)))
                      .lower()).strip("-")
    return slug[:limit].rstrip("-") or "untitled"


def book_slug(title: str) -> str:
    """`Heartstrings: Nurturing Love...` -> `heartstrings`: the part before a subtitle."""
    return slugify(re.split(r"[:\u2014]", title, maxsplit=1)[0])


def stem_digits(count: int) -> int:
    return max(2, len(str(count)))  # file names sort in order: 001..120


def chapter_stem(index: int, title: str, digits: int) -> str:
    """A chapter's file name without extension: `01-alex-and-emily`."""
    return f"{index:0{digits}d}-{slugify(title)}"


def speech_text(sentence: str, respell=None) -> str:
    """A sentence as the engine should get it: the cast's respellings, then numbers and
    dashes made speakable. Respelling first, so entries match the script as written."""
    return normalize_for_speech(respell(sentence) if respell else sentence)


MAX_UTTERANCE_CHARS = 1000  # about a minute of speech


def bounded(sentence: str, limit: int = MAX_UTTERANCE_CHARS) -> list[str]:
    """A run-on longer than `limit` (a page with no full stop) in pieces cut at a comma or
    semicolon, else a space: engines slow down more than linearly on long inputs."""
    pieces, start = [], 0
    while len(sentence) - start > limit:
        end = start + limit
        cut = max(sentence.rfind(", ", start, end), sentence.rfind("; ", start, end))
        if cut < start + limit // 2:
            cut = sentence.rfind(" ", start, end)
        if cut <= start:
            cut = end - 1  # one enormous word
        pieces.append(sentence[start:cut + 1].strip())
        start = cut + 1
    pieces.append(sentence[start:].strip())
    return [piece for piece in pieces if piece]


def _utterances(text: str, voice: Voice, engine_version: str,
                respell=None, line: int = 0) -> tuple[Utterance, ...]:
    spoken = (piece for sentence in split_sentences(text)
              for piece in bounded(speech_text(sentence, respell)))
    return tuple(
        Utterance(sentence, voice, make_key(engine_version, sentence, voice.__dict__), line)
        for sentence in spoken
        if any(c.isalnum() for c in sentence)  # nothing to say in a lone "..."
    )


def plan_chapter(chapter: Chapter, index: int, cast: Cast, engine_version: str,
                 digits: int = 2) -> ChapterPlan:
    pauses = cast.pauses_for(NARRATOR)  # the narrator's pauses frame the chapter
    narrator = cast.roles[NARRATOR]
    respell = respeller(cast.pronunciations) if cast.pronunciations else None
    segments = [
        PlannedSegment(NARRATOR, NARRATION, 1, chapter.title, chapter.line, 0, pauses.sentence,
                       _utterances(heading_words(chapter.title), narrator.voice, engine_version,
                                   respell, chapter.line))
    ]
    previous_role, previous_scene, previous_paragraph = NARRATOR, 0, None
    for scene, paragraph, segment in chapter.segments():
        role = segment.role or NARRATOR
        mine = cast.pauses_for(role)  # a role's own pauses apply before and inside its lines
        if scene != previous_scene:
            gap = mine.scene
        elif paragraph is not previous_paragraph:
            gap = max(mine.paragraph, mine.speaker_change if role != previous_role else 0)
        else:
            gap = mine.speaker_change if role != previous_role else mine.sentence
        voice = cast.roles[role].voice
        utterances = _utterances(segment.text, voice, engine_version, respell, segment.line)
        if utterances:
            segments.append(
                PlannedSegment(role, segment.kind, scene, segment.text, segment.line, gap,
                               mine.sentence, utterances)
            )
        previous_role, previous_scene, previous_paragraph = role, scene, paragraph
    stem = chapter_stem(index, chapter.title, digits)
    unresolved = sum(s.kind == DIALOGUE and s.rule in UNRESOLVED for _, _, s in chapter.segments())
    return ChapterPlan(index, chapter.title, stem, pauses.chapter_start, pauses.chapter_end,
                       tuple(segments), unresolved)


def plan_book(book: Book, cast: Cast, engine_version: str) -> list[ChapterPlan]:
    """Book must be attributed (every segment has a role in the cast)."""
    digits = stem_digits(len(book.chapters))
    return [plan_chapter(ch, i, cast, engine_version, digits)
            for i, ch in enumerate(book.chapters, 1)]
