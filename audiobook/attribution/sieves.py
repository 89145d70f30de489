"""The attribution sieves, in the order they run.

Each sieve looks at one quote in its context and returns a role id or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from audiobook.attribution.names import PRONOUN_GENDER, NameIndex
from audiobook.cast import NARRATOR, Cast
from audiobook.script import DIALOGUE, Book, Segment

SPEECH_VERBS = frozenset(
    """said says say asked asks replied replies answered answers began begins whispered
    whispers called calls cried cries shouted shouts choked murmured murmurs added adds
    continued continues exclaimed muttered mutters yelled yells told responded admitted
    sighed laughed sobbed breathed repeated insisted declared demanded snapped growled
    pleaded begged stammered stuttered suggested observed remarked returned retorted
    interrupted agreed explained protested screamed groaned gasped hissed whimpered
    announced urged offered inquired enquired cautioned warned ventured ordered""".split()
)
PRONOUNS = {"he": "male", "she": "female"}
FIRST_PERSON = {"i"}

RULES = (
    "override",
    "continuation",
    "tag",
    "paragraph_tag",
    "paragraph_subject",
    "vocative",
    "turn_taking",
    "nearest_mention",
    "default",
)

_WORD = re.compile(r"[A-Za-z\u2019']+")


@dataclass
class _Context:
    """What the sieves may consult about one quote."""

    quote: Segment
    before: str  # narration in the same paragraph before the quote
    after: str  # narration right after the quote in the same paragraph
    paragraph_narration: str
    paragraph_quotes: list[Segment]
    history: list[str]  # speakers of earlier quotes in this chapter, in order
    recent_mentions: list[str] = field(default_factory=list)  # roles, most recent last
    names: NameIndex | None = None
    cast: Cast | None = None
    paragraph_speaker: str | None = None  # from a tag on another quote in the paragraph


# --- helpers ---------------------------------------------------------------------------


def _resolve_pronoun(pronoun: str, ctx: _Context, exclude: set[str]) -> str | None:
    if pronoun.lower() in FIRST_PERSON:
        return NARRATOR
    gender = PRONOUNS.get(pronoun.lower())
    if not gender:
        return None
    for role in reversed(ctx.recent_mentions):
        if role not in exclude and ctx.names.genders.get(role) == gender:
            return role
    candidates = [r.id for r in ctx.cast.characters if r.gender == gender and r.id not in exclude]
    return candidates[0] if len(candidates) == 1 else None


def _speaker_word(word: str, ctx: _Context, exclude: set[str]) -> str | None:
    role = ctx.names.role_of(word)
    if role:
        return role
    return _resolve_pronoun(word, ctx, exclude)


def addressed(quote: Segment, ctx: _Context) -> set[str]:
    """Roles named as the person spoken to: `Emily,` at the start, `, Alex.` at the end."""
    found = set()
    text = quote.text
    for m in ctx.names.mentions(text):
        before = text[: m.start].rstrip()
        after = text[m.end:].lstrip()
        at_start = not before or before[-1] in ",;.!?"
        at_end = not after or after[0] in ",.!?;"
        if (at_start and after[:1] in ",!?.") or (before.endswith(",") and at_end):
            found.add(m.role)
    return found


# --- sieves ----------------------------------------------------------------------------


def sieve_override(ctx: _Context) -> str | None:
    return ctx.quote.override


def sieve_continuation(ctx: _Context) -> str | None:
    if ctx.quote.continues_quote and ctx.history:
        return ctx.history[-1]
    return None


def _tag_in(text: str, ctx: _Context, exclude: set[str], after: bool) -> str | None:
    """`he said` / `said Mary` / `Mary said` at the start (after) or end (before) of text."""
    words = _WORD.findall(text)
    if not words:
        return None
    window = words[:4] if after else words[-4:]
    for i, word in enumerate(window):
        if word.lower() not in SPEECH_VERBS:
            continue
        # `he said`, `Alex said`: the word before the verb
        if i > 0:
            role = _speaker_word(window[i - 1], ctx, exclude)
            if role:
                return role
        # `said he`, `said Alex`, `said the man`: the word after the verb
        if i + 1 < len(window):
            role = _speaker_word(window[i + 1], ctx, exclude)
            if role:
                return role
    return None


def sieve_tag(ctx: _Context) -> str | None:
    exclude = addressed(ctx.quote, ctx)
    return _tag_in(ctx.after, ctx, exclude, after=True) or (
        _tag_in(ctx.before, ctx, exclude, after=False) if ctx.before.rstrip().endswith((",", ":")) else None
    )


def sieve_paragraph_tag(ctx: _Context) -> str | None:
    """Another quote in the same paragraph carries a tag: one speaker per paragraph."""
    return ctx.paragraph_speaker


_SUBJECT = re.compile(r"(?:^|[.!?]\s+|,\s+)(?:then,?\s+|and\s+|but\s+)?([A-Z]\w+)\s+(\w+)")


def sieve_paragraph_subject(ctx: _Context) -> str | None:
    """The character doing things in the paragraph's narration before the quote."""
    exclude = addressed(ctx.quote, ctx)
    text = ctx.before or ctx.paragraph_narration
    for m in reversed(list(_SUBJECT.finditer(text))):
        word = m.group(1)
        role = ctx.names.role_of(word)
        if role is None and word.lower() in PRONOUNS:
            role = _resolve_pronoun(word, ctx, exclude)
        if role and role not in exclude:
            return role
    return None


def sieve_vocative(ctx: _Context) -> str | None:
    """The person addressed is not the speaker; in a two-way talk the other one is."""
    spoken_to = addressed(ctx.quote, ctx)
    if not spoken_to:
        return None
    for role in reversed(ctx.history):
        if role not in spoken_to and role != NARRATOR:
            return role
    others = [r.id for r in ctx.cast.characters if r.id not in spoken_to]
    return others[0] if len(others) == 1 else None


def sieve_turn_taking(ctx: _Context) -> str | None:
    if len(ctx.history) >= 2 and ctx.history[-1] != ctx.history[-2]:
        return ctx.history[-2]
    return None


def sieve_nearest_mention(ctx: _Context) -> str | None:
    exclude = addressed(ctx.quote, ctx)
    for role in reversed(ctx.recent_mentions):
        if role not in exclude:
            return role
    return None


SIEVES = (
    ("override", sieve_override),
    ("continuation", sieve_continuation),
    ("tag", sieve_tag),
    ("paragraph_tag", sieve_paragraph_tag),
    ("paragraph_subject", sieve_paragraph_subject),
    ("vocative", sieve_vocative),
    ("turn_taking", sieve_turn_taking),
    ("nearest_mention", sieve_nearest_mention),
)


# --- driver ----------------------------------------------------------------------------


def attribute(book: Book, cast: Cast) -> Book:
    """Every segment gets a role and the rule that chose it. Narration is the narrator's."""
    names = NameIndex(cast)
    decided: dict[int, tuple[str, str]] = {}  # id(segment) -> (role, rule)
    for chapter in book.chapters:
        history: list[str] = []
        mentions: list[str] = []
        paragraphs = [p for scene in chapter.scenes for p in scene.paragraphs]
        for paragraph in paragraphs:
            segs = paragraph.segments
            quotes = [s for s in segs if s.kind == DIALOGUE]
            narration = " ".join(s.text for s in segs if s.kind != DIALOGUE)
            contexts = []
            running_mentions = list(mentions)
            for i, seg in enumerate(segs):
                if seg.kind != DIALOGUE:
                    running_mentions += [m.role for m in names.mentions(seg.text)]
                    continue
                before = segs[i - 1].text if i > 0 and segs[i - 1].kind != DIALOGUE else ""
                after = segs[i + 1].text if i + 1 < len(segs) and segs[i + 1].kind != DIALOGUE else ""
                ctx = _Context(seg, before, after, narration, quotes, history, list(running_mentions), names, cast)
                contexts.append(ctx)
            # One speaker per paragraph: a tag on any quote speaks for the untagged ones.
            tagged = [sieve_tag(c) for c in contexts]
            paragraph_speaker = next((t for t in tagged if t), None)
            for ctx in contexts:
                ctx.paragraph_speaker = paragraph_speaker
                ctx.history = list(history)
                role, rule = NARRATOR, "default"
                for name, sieve in SIEVES:
                    found = sieve(ctx)
                    if found and found in cast.roles:
                        role, rule = found, name
                        break
                decided[id(ctx.quote)] = (role, rule)
                history.append(role)
            mentions = running_mentions

    def assign(seg: Segment) -> Segment:
        if seg.kind == DIALOGUE:
            role, rule = decided[id(seg)]
            return replace(seg, role=role, rule=rule)
        return replace(seg, role=NARRATOR, rule=None)

    return book.map_segments(assign)
