"""Large inputs: parse, attribute and plan stay linear in time, bounded in memory, and
never recurse. (A 50 MB script is measured by bench/large_inputs.py, too slow for tests.)"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audiobook.attribution import attribute
from audiobook.cast import Cast, Role, parse_cast
from audiobook.plan import MAX_UTTERANCE_CHARS, plan_book
from audiobook.script import parse

CAST = parse_cast("roles:\n  narrator: {}\n  anna: {name: Anna, gender: female}\n"
                  "  ben: {name: Ben, gender: male}\n")
VOCABULARY = "the a and of to in was he she it said Anna Ben door light morning house road".split()


def words(n_chars: int) -> str:
    """Unpunctuated words, about n_chars long."""
    rng = random.Random(1)
    out, size = [], 0
    while size < n_chars:
        word = rng.choice(VOCABULARY)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)


def pipeline(text: str):
    book = attribute(parse(text), CAST)
    return book, plan_book(book, CAST, "fake/1")


def _memory_mb(field: str = "VmRSS") -> float:
    """This process's resident memory now, or at its peak with "VmHWM". (Not ru_maxrss:
    a child's starts at its parent's size, which exec does not reset.)"""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) / 1000


def _reset_peak() -> float:
    """Start the high-water mark afresh (making the test text raised it) and return the
    resident memory now, to measure from."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    return _memory_mb()


def measured(make_text, size: int) -> tuple[float, float, tuple]:
    """(seconds, peak MB the pipeline added, (book, plans)) for `make_text(size)`, timed at
    full speed in a fresh process, whose memory high-water mark nothing else has raised."""
    code = (f"import json, sys, time; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
            f"import test_large as t\ntext = t.{make_text.__name__}({size})\n"
            "before = t._reset_peak(); start = time.perf_counter()\nt.pipeline(text)\n"
            "seconds = time.perf_counter() - start\n"
            "print(json.dumps([seconds, t._memory_mb('VmHWM') - before]))\n")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, timeout=120)
    seconds, peak = json.loads(child.stdout)
    return seconds, peak, pipeline(make_text(size))


def run_on(n_chars: int) -> str:
    return "# Run-on\n\n## One\n\n" + words(n_chars) + "\n"


def test_one_megabyte_paragraph_without_punctuation():
    seconds, peak, (book, plans) = measured(run_on, 1_000_000)
    assert seconds < 10 and peak < 150, (seconds, peak)  # measured: 1.5-2.2 s, 57 MB
    [chapter] = plans
    spoken = [u.text for u in chapter.utterances][1:]  # after the chapter title
    # Cut into engine-sized pieces that together say every word, in order.
    assert max(len(t) for t in spoken) <= MAX_UTTERANCE_CHARS
    assert len(spoken) > 1_000_000 / MAX_UTTERANCE_CHARS
    assert " ".join(spoken).split() == words(1_000_000).split()


def test_one_megabyte_hard_wrapped_paragraph_of_dialogue():
    """70-character lines, a quote every dozen words: each quote looks up its line."""
    rng = random.Random(2)
    text = []
    for _ in range(15_000):
        # The comma opens speech: after a bare word, a short quote is words a sentence quotes.
        text.append(" ".join(rng.choice(VOCABULARY) for _ in range(6)) + ",")
        text.append('"' + " ".join(rng.choice(VOCABULARY) for _ in range(6)) + '"')
    wrapped, line = [], ""
    for word in " ".join(text).split():
        if len(line) + len(word) > 70:
            wrapped.append(line)
            line = ""
        line = f"{line} {word}" if line else word
    wrapped.append(line)
    start = time.perf_counter()
    book = parse("# T\n\n## One\n\n" + "\n".join(wrapped) + "\n")
    seconds = time.perf_counter() - start
    assert seconds < 3, seconds  # measured 0.4 s; a line scan per quote took 9 s
    segments = list(book.segments())
    assert len(segments) == 30_000
    assert segments[-1].line == 4 + len(wrapped)  # the last quote is on the last line


def one_paragraph_of_talk(n_quotes: int) -> str:
    return "# Talk\n\n## One\n\n" + '"Hi," said Ben. She looked at Anna. ' * n_quotes + "\n"


def test_one_paragraph_of_four_thousand_tagged_quotes():
    """Each quote keeps only the narration since the quote before: a copy of the whole
    paragraph per quote took 300 MB here."""
    seconds, peak, (book, _) = measured(one_paragraph_of_talk, 4000)
    assert peak < 100, peak  # measured: about 10 MB
    assert seconds < 30, seconds  # measured: 2-3 s
    said = [s.role for s in book.segments() if s.kind == "dialogue"]
    assert said == ["ben"] * 4000


def chapters(n: int) -> str:
    return "# Many\n\n" + "".join(
        f"## Chapter {i}\n\nAnna opened door {i}. \"Hello,\" said Ben.\n\n" for i in range(1, n + 1))


def test_ten_thousand_chapters():
    seconds, peak, (book, plans) = measured(chapters, 10_000)
    assert seconds < 25 and peak < 150, (seconds, peak)  # measured: 3.6-5.1 s, 34 MB
    assert len(plans) == 10_000
    stems = [p.stem for p in plans]
    assert stems[0] == "00001-chapter-1" and stems[-1] == "10000-chapter-10000"
    assert sorted(stems) == stems  # the files list in reading order
    last = [(seg.kind, seg.role) for _, _, seg in book.chapters[-1].segments()]
    assert last == [("narration", "narrator"), ("dialogue", "ben"), ("narration", "narrator")]


def test_a_long_quoted_paragraph_after_a_numeral_heading_stays_linear():
    # The quoted-title check scanned it with a backtracking pattern: 60 kB took 10 s.
    text = "I\n\n\"" + "a b " * 30_000 + "\n"
    start = time.perf_counter()
    parse(text, markdown=False)
    assert time.perf_counter() - start < 2  # measured: 0.05 s


def test_spaced_quotation_marks_stay_linear():
    start = time.perf_counter()
    parse("# T\n\n" + 'a " b ' * 100_000)  # 0.6 MB; each mark looks ahead for a close
    assert time.perf_counter() - start < 5  # measured: 1.3 s


@pytest.mark.parametrize("marker", ["*a ", "_a ", "**a "])
def test_unmatched_emphasis_markers_stay_linear(marker):
    start = time.perf_counter()
    book = parse("# T\n\n" + marker * 300_000)  # 0.9 MB; 60 kB took 23 s before
    assert time.perf_counter() - start < 3
    assert sum(len(s.text) for s in book.segments()) == len(marker) * 300_000 - 1


def novel(n_chars: int) -> str:
    """Novel-shaped: a chapter every 200 paragraphs, two in three with a short exchange."""
    rng = random.Random(3)
    paragraphs, size, i = ["# Big"], 0, 0
    while size < n_chars:
        if i % 200 == 0:
            paragraphs.append(f"## Chapter {i // 200 + 1}")
        sentence = " ".join(rng.choice(VOCABULARY) for _ in range(12)).capitalize() + "."
        who = rng.choice(["Anna", "Ben"])
        paragraph = f'{sentence} "{sentence}" said {who}. {sentence}' if i % 3 else sentence
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
        i += 1
    return "\n\n".join(paragraphs) + "\n"


def test_large_script():
    seconds, peak, (book, plans) = measured(novel, 2_000_000)
    assert seconds < 30 and peak < 300, (seconds, peak)  # measured: 5.4-7.4 s, 30 MB
    text = novel(2_000_000)
    assert len(plans) == text.count("## Chapter")
    quotes = text.count('" said')
    narration_only = text.count("\n\n") - text.count("\n\n#") - quotes
    assert sum(1 for _ in book.segments()) == narration_only + 3 * quotes


STREAMED = """
import json, sys, tempfile
from pathlib import Path
sys.path.insert(0, {tests!r})
import test_large as t
from audiobook import render
from audiobook.render import Reporter, ScriptSource, chapter_plans, survey_script
render._KEEP_CHARS = 0  # as for a book too big to keep: read again a chapter at a time
path = Path(tempfile.mkdtemp()) / "novel.md"
path.write_text(t.novel({size}), encoding="utf-8")
source = ScriptSource.read(path)
before = t._reset_peak()
survey = survey_script(source, t.CAST, Reporter())
keys = [plan.key for plan in chapter_plans(source, survey, t.CAST, "fake/1")]
print(json.dumps([t._memory_mb("VmHWM") - before, len(keys)]))
"""


def test_render_reads_a_big_script_a_chapter_at_a_time():
    """Memory beyond the script's own text does not grow with the book: 4x the text, same
    peak. (Held whole, the book costs 10 bytes a character: 10 MB more for 1 MB more.)"""
    peaks = []
    for size in (300_000, 1_200_000):
        code = STREAMED.format(tests=str(Path(__file__).parent), size=size)
        child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               check=True, timeout=120)
        peak, chapters = json.loads(child.stdout)
        assert chapters == novel(size).count("## Chapter")
        peaks.append(peak)
    assert peaks[1] < peaks[0] + 3, peaks  # measured: 1.2 and 1.6 MB


def test_plans_made_a_chapter_at_a_time_are_those_of_the_whole_book(tmp_path, monkeypatch):
    from audiobook import render

    path = tmp_path / "novel.md"
    path.write_text(novel(60_000), encoding="utf-8")
    source = render.ScriptSource.read(path)
    monkeypatch.setattr(render, "_KEEP_CHARS", 0)
    survey = render.survey_script(source, CAST, render.Reporter())
    assert survey.kept is None
    streamed = list(render.chapter_plans(source, survey, CAST, "fake/1"))
    whole = pipeline(path.read_text())[1]
    assert len(streamed) == len(whole) == novel(60_000).count("## Chapter") == 3
    assert streamed == whole


def test_a_paragraph_where_no_she_fits_stays_linear():
    # Each `She` is no one named later in her sentence, so no one fits and the search for
    # her would reach back over every name before: 16,000 sentences took 30 s unbounded.
    cast = Cast(roles={"narrator": Role("narrator", "Narrator"),
                       "tom": Role("tom", "Tom", (), "male"), "mary": Role("mary", "Mary", (), "female")})
    text = '# T\n\n## One\n\nTom came in. "Hi," said Mary. ' + "She looked at Tom and Mary. " * 16_000
    start = time.perf_counter()
    attribute(parse(text), cast)
    assert time.perf_counter() - start < 12  # measured: 2.3 to 4 s
