"""Properties of the parser and the attributer over generated text (hypothesis)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audiobook.attribution import RULES, attribute
from audiobook.cast import NARRATOR, parse_cast
from audiobook.script import DIALOGUE, NARRATION, parse

_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def words(text: str) -> list[str]:
    """The words of a text, emphasis markup (`*`, `_`) aside."""
    return _WORD.findall(text.replace("*", "").replace("_", ""))


def segment_words(book) -> list[str]:
    return [w for segment in book.segments() for w in words(segment.text)]


# Any text at all, with the characters the parser cares about made common.
SPECIAL = st.sampled_from(list('"\u201c\u201d\'\u2018\u2019*_#[]<>!-\n\n \t.,?') + [
    "\n\n", "## ", "# ", "* * *", "<!--", "-->", "[anna] ", "CHAPTER I.", "\r\n", "\u2028"])
ANY_TEXT = st.lists(st.one_of(st.text(max_size=12), SPECIAL), max_size=40).map("".join)


@FAST
@given(ANY_TEXT, st.booleans())
def test_any_text_parses(text, markdown):
    book = parse(text, markdown=markdown, default_title="Untitled")
    lines = max(1, len(text.splitlines()))
    for chapter in book.chapters:
        assert chapter.scenes and all(scene.paragraphs for scene in chapter.scenes)
    for segment in book.segments():
        assert segment.kind in (NARRATION, DIALOGUE)
        assert segment.text and segment.text == segment.text.strip()
        assert 1 <= segment.line <= lines
    assert all(w.startswith("line ") for w in book.warnings)


# Prose without the markup that may remove words (headings, `[role]`, `<!-- -->`).
PROSE = st.lists(
    st.one_of(st.text(st.characters(blacklist_characters="#[<", blacklist_categories=["Cs"]),
                      max_size=10),
              st.sampled_from(list('"\u201c\u201d\'\u2018\u2019*_ .,!?\n') + ["\n\n", "* * *"])),
    max_size=50,
).map("".join)


@FAST
@given(PROSE)
def test_every_word_lands_in_exactly_one_segment_in_order(text):
    book = parse(text, markdown=True, default_title="")
    assert segment_words(book) == words(text)


WORD = st.text(st.characters(categories=["L", "Nd"]), min_size=1, max_size=8)
SENTENCE = st.lists(WORD, min_size=1, max_size=6).map(" ".join)


@st.composite
def documents(draw):
    """A Markdown book with chapters, quotes, `[role]` overrides and comments, and the
    words a listener should hear, in order: chapter titles, then the text."""
    lines, expected = [], []
    for _ in range(draw(st.integers(1, 4))):
        title = draw(SENTENCE)
        lines += [f"## {title}", ""]
        expected += words(title)
        for _ in range(draw(st.integers(1, 3))):
            narration, quote = draw(SENTENCE), draw(SENTENCE)
            role = draw(st.sampled_from(["", "[anna] ", "[ben] "]))
            comment = draw(st.sampled_from(["", "<!-- a note for the editor -->"]))
            lines += [f'{narration} {role}"{quote}," {comment}she said.', ""]
            expected += [*words(narration), *words(quote), "she", "said"]
    return "\n".join(lines), expected


@FAST
@given(documents())
def test_markup_aside_every_word_is_kept_in_order(document):
    text, expected = document
    book = parse(text, markdown=True)
    heard = []
    for chapter in book.chapters:
        heard += words(chapter.title)
        heard += [w for _, _, s in chapter.segments() for w in words(s.text)]
    assert heard == expected


CAST = parse_cast(
    "roles:\n"
    "  narrator: {}\n"
    "  anna: {name: Anna Bell, gender: female, aliases: [Annie]}\n"
    "  ben: {name: Ben, gender: male}\n"
    "  cat: {name: The Cat}\n"
)
STORY_WORDS = st.sampled_from(
    ["Anna", "Annie", "Bell", "Ben", "Cat", "The", "she", "he", "I", "they", "said", "asked",
     "replied", "whispered", "to", "and", "Mr.", "Zed", "Dora", "\"", "\u201c", "\u201d", ",",
     ".", "?", "!", "\n\n", "[anna]", "[ben]", "[zed]", "[narrator]", "--", "'"])


@FAST
@given(st.one_of(st.lists(STORY_WORDS, max_size=80).map(" ".join), ANY_TEXT))
def test_attribution_never_returns_a_role_not_cast(text):
    book = attribute(parse(text, markdown=True), CAST)
    for segment in book.segments():
        assert segment.role in CAST.roles
        if segment.kind == NARRATION:
            assert segment.role == NARRATOR
        else:
            assert segment.rule in RULES


@FAST
@given(ANY_TEXT, st.integers(min_value=1, max_value=16))
def test_lazy_lines_are_splitlines(text, chunk):
    """A big script is split into lines a chunk at a time: the same lines, whatever the cut."""
    from audiobook.script import _lines

    assert list(_lines(text, chunk)) == text.splitlines()
