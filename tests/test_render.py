"""Rendering with the fake engine, whose durations are exact: manifest times, pauses, files."""

import json

import pytest

from audiobook.cast import load_cast
from audiobook.engines.fake import fake_duration_ms
from audiobook.errors import CastError
from audiobook.render import render_book
from audio_helpers import decode, onsets
from conftest import PAD_MS


def render(script, voices, out, cache, **kw):
    return render_book(script, voices, out, engine="fake", jobs=1, cache_dir=cache, **kw)


@pytest.fixture
def rendered(small_script, small_voices, tmp_path, cache_dir, one_block_per_chapter):
    result = render(small_script, small_voices, tmp_path / "out", cache_dir, formats=("mp3", "wav"))
    manifest = json.loads(result.manifest.read_text())
    return result, manifest


def test_book_folder_has_a_file_per_chapter_and_manifest(rendered):
    result, manifest = rendered
    assert result.book_dir.name == "a-small-book"
    assert sorted(p.name for p in result.book_dir.iterdir() if not p.name.startswith(".")) == [
        "01-one.mp3", "01-one.srt", "01-one.vtt", "01-one.wav", "02-two.mp3", "02-two.srt",
        "02-two.vtt", "02-two.wav", "a-small-book.m3u", "manifest.json"]
    assert manifest["title"] == "A Small Book"
    assert [(c["index"], c["title"], c["file"]) for c in manifest["chapters"]] == [
        (1, "One", "01-one.mp3"), (2, "Two", "02-two.mp3")]


def test_manifest_segments_roles_kinds_scenes(rendered):
    _, manifest = rendered
    segments = manifest["chapters"][0]["segments"]
    assert [(s["role"], s["kind"], s["scene"], s["text"]) for s in segments] == [
        ("narrator", "narration", 1, "One"),
        ("narrator", "narration", 1, "Anna walked in. The room was cold."),
        ("anna", "dialogue", 1, "Hello,"),
        ("narrator", "narration", 1, "said Anna."),
        ("anna", "dialogue", 1, "Is anyone here?"),
        ("ben", "dialogue", 1, "Only me,"),
        ("narrator", "narration", 1, "Ben said."),
        ("narrator", "narration", 2, "Later, they left."),
    ]


def test_manifest_times_follow_word_durations_and_pauses(rendered, small_voices):
    _, manifest = rendered
    cast = load_cast(small_voices)
    p = cast.pauses
    rate = {role: cast.roles[role].voice.rate for role in cast.roles}

    def speech(text, role):  # sentences of one segment, each synthesised separately
        from audiobook.text import split_sentences
        parts = split_sentences(text)
        return sum(fake_duration_ms(s, rate[role]) for s in parts) + p.sentence * (len(parts) - 1)

    segments = manifest["chapters"][0]["segments"]
    gaps = [None, p.scene, p.paragraph, p.speaker_change, p.speaker_change,
            max(p.paragraph, p.speaker_change), p.speaker_change, p.scene]
    t = p.chapter_start
    for segment, gap in zip(segments, gaps):
        t += gap or 0
        assert segment["start_ms"] == pytest.approx(t, abs=1)
        t += speech(segment["text"], segment["role"])
        assert segment["end_ms"] == pytest.approx(t, abs=1)
    t += p.chapter_end
    padding = manifest["chapters"][0]["duration_ms"] - t  # to a whole MP3 frame
    assert PAD_MS[0] - 1 <= padding <= PAD_MS[1] + 1


@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_audio_positions_match_the_manifest_within_20ms(rendered, fmt):
    result, manifest = rendered
    chapter = manifest["chapters"][0]
    x = decode(result.book_dir / chapter["file"].replace(".mp3", f".{fmt}"))
    assert len(x) / 22.05 == pytest.approx(chapter["duration_ms"], abs=20)
    heard = onsets(x, min_gap_ms=200)  # segment starts, and sentence starts within them
    starts = [s["start_ms"] for s in chapter["segments"]]
    assert len(heard) == len(starts) + 1  # one segment has two sentences
    for expected in starts:
        assert min(abs(h - expected) for h in heard) < 20


def test_pauses_in_voices_yaml_change_the_gaps(small_script, small_voices, tmp_path, cache_dir,
                                               one_block_per_chapter):
    longer = tmp_path / "longer.yaml"
    longer.write_text(small_voices.read_text().replace("scene: 1500", "scene: 4000"))
    a = json.loads(render(small_script, small_voices, tmp_path / "a", cache_dir).manifest.read_text())
    b = json.loads(render(small_script, longer, tmp_path / "b", cache_dir).manifest.read_text())
    seg_a, seg_b = a["chapters"][0]["segments"], b["chapters"][0]["segments"]
    # the title->text gap and the scene break each grow by 2500 ms
    assert seg_b[1]["start_ms"] - seg_a[1]["start_ms"] == pytest.approx(2500, abs=1)
    assert seg_b[-1]["start_ms"] - seg_a[-1]["start_ms"] == pytest.approx(5000, abs=1)


def test_unknown_voice_is_an_error_naming_file_line_and_key(small_script, tmp_path, cache_dir):
    voices = tmp_path / "bad.yaml"
    voices.write_text("roles:\n  narrator:\n    voice: gmw/en-usa\n")
    with pytest.raises(CastError) as caught:
        render(small_script, voices, tmp_path / "out", cache_dir)
    assert str(caught.value) == (
        f"{voices}:3: roles.narrator.voice: unknown voice 'gmw/en-usa' (did you mean gmw/en-us, "
        "gmw/en, gmw/en-029?); `audiobook voices list` shows them")


def test_progress_reads_plans_synthesises_and_encodes(small_script, small_voices, tmp_path, cache_dir):
    from audiobook.render import Reporter

    calls = []

    class Recorder(Reporter):
        def progress(self, stage, done, total):
            calls.append((stage, done, total))

    render(small_script, small_voices, tmp_path / "out", cache_dir, reporter=Recorder())
    stages = [stage for stage, _, _ in calls]
    assert stages == sorted(stages, key=["read", "plan", "synthesize", "encode"].index)
    lines = small_script.read_text().count("\n") + 1
    assert [c for c in calls if c[0] == "read"] == [
        ("read", 3, lines), ("read", 15, lines), ("read", lines, lines)]
    assert [c for c in calls if c[0] == "plan"] == [("plan", 1, 2), ("plan", 2, 2)]
    assert calls[-1] == ("encode", 2, 2)
    synthesized = [done for stage, done, _ in calls if stage == "synthesize"]
    assert synthesized == list(range(13)) and all(t == 12 for s, _, t in calls if s == "synthesize")


# --- one book per folder -----------------------------------------------------------------

FOUNDATION = "# {title}\n\n## Seldon\n\nHari spoke.\n\n## Terminus\n\nThe city was {city}.\n"


def foundation(path, title="Foundation: Book One", city="new"):
    path.write_text(FOUNDATION.format(title=title, city=city), encoding="utf-8")
    return path


def snapshot(folder):  # but the lock, opened by every render
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()
            if p.name != ".lock"}


def test_a_book_whose_folder_holds_another_book_is_refused_and_touches_nothing(
        tmp_path, cache_dir):
    from audiobook.errors import OutputError

    one = foundation(tmp_path / "one.md")
    two = foundation(tmp_path / "two.md", "Foundation: Book Two", "old")
    out = tmp_path / "out"
    first = render(one, None, out, cache_dir)
    before = snapshot(first.book_dir)
    with pytest.raises(OutputError) as caught:
        render(two, None, out, cache_dir)
    assert str(caught.value) == (
        f"{out / 'foundation'}: holds the audiobook of another script ({one}, "
        "'Foundation: Book One'); choose another --out or move that folder away")
    assert snapshot(first.book_dir) == before


def test_the_same_script_with_its_title_edited_renders_into_its_folder(tmp_path, cache_dir):
    from audiobook.errors import OutputError

    script = foundation(tmp_path / "one.md")
    first = render(script, None, tmp_path / "out", cache_dir)
    foundation(script, "Foundation: The First Book")
    again = render(script, None, tmp_path / "out", cache_dir)
    assert again.book_dir == first.book_dir and len(again.chapters) == 2
    assert json.loads(again.manifest.read_text())["title"] == "Foundation: The First Book"
    with pytest.raises(OutputError, match="'Foundation: The First Book'"):  # still its own
        render(foundation(tmp_path / "two.md", "Foundation: Book Two"), None, tmp_path / "out",
               cache_dir)


def test_the_same_title_from_a_moved_script_reuses_its_chapters(tmp_path, cache_dir):
    script = foundation(tmp_path / "one.md")
    first = render(script, None, tmp_path / "out", cache_dir)
    moved = tmp_path / "moved.md"
    script.rename(moved)
    again = render(moved, None, tmp_path / "out", cache_dir)
    assert again.book_dir == first.book_dir and [c.reused for c in again.chapters] == [True, True]


def test_a_folder_whose_state_does_not_record_its_script_is_rendered_into(tmp_path, cache_dir):
    """As an older version left it: the render goes on as before, and records its book."""
    from audiobook.errors import OutputError

    one = foundation(tmp_path / "one.md")
    first = render(one, None, tmp_path / "out", cache_dir)
    state_file = first.book_dir / ".audiobook-state.json"
    state = json.loads(state_file.read_text())
    del state["_book"]["script"], state["_book"]["title"]
    state_file.write_text(json.dumps(state))
    two = foundation(tmp_path / "two.md", "Foundation: Book Two", "old")
    again = render(two, None, tmp_path / "out", cache_dir)
    assert json.loads(again.manifest.read_text())["title"] == "Foundation: Book Two"
    with pytest.raises(OutputError, match="'Foundation: Book Two'"):
        render(one, None, tmp_path / "out", cache_dir)


@pytest.mark.parametrize(("title", "slug"), [
    ("Heartstrings: Nurturing Love", "heartstrings"), ("Café Société", "cafe-societe"),
    ("Don_t stop -- 2 Go!", "don-t-stop-2-go"), ("Война и мир", "война-и-мир"),
    ("Ελληνικά", "ελληνικά"), ("東京物語", "東京物語"), ("Ｆｕｌｌ ﬁne", "full-fine"),
    ("!!!", "untitled"),
    # Names an ASCII title was given before letters of other scripts were kept: a re-render
    # must find its folder, not start a second copy beside it.
    ("Alice\u2019s Rabbit\u2013Hole", "alices-rabbithole"), ("Straße", "strae")])
def test_book_and_chapter_file_names_keep_letters_that_have_no_ascii_form(title, slug):
    from audiobook.plan import book_slug, chapter_stem

    assert book_slug(title) == slug
    assert chapter_stem(2, title.split(":")[0], 2) == f"02-{slug}"


def test_a_book_titled_in_another_script_gets_its_own_file_names(tmp_path, cache_dir):
    script = tmp_path / "war.md"
    script.write_text("# Война и мир\n\n## Глава первая\n\nТекст.\n\n## Глава вторая\n\n"
                      "Ещё текст.\n", encoding="utf-8")
    result = render(script, None, tmp_path / "out", cache_dir)
    assert result.book_dir.name == "война-и-мир"
    assert [c.files["mp3"] for c in result.chapters] == ["01-глава-первая.mp3",
                                                         "02-глава-вторая.mp3"]


def test_a_books_own_folder_as_out_is_refused_not_nested(small_script, small_voices, tmp_path,
                                                          cache_dir):
    from audiobook.errors import OutputError

    first = render(small_script, small_voices, tmp_path / "out", cache_dir)
    with pytest.raises(OutputError) as caught:
        render(small_script, small_voices, first.book_dir, cache_dir)
    assert str(caught.value) == (f"{first.book_dir}: is a rendered book's folder; --out takes "
                                 f"the folder that holds it ({tmp_path / 'out'})")
    assert not (first.book_dir / "a-small-book").exists()


@pytest.mark.parametrize("rendered_before", [True, False])
def test_a_file_no_render_wrote_at_a_chapters_name_is_not_overwritten(
        rendered_before, small_script, small_voices, tmp_path, cache_dir):
    from audiobook.errors import OutputError

    folder = tmp_path / "out" / "a-small-book"
    if rendered_before:
        render(small_script, small_voices, tmp_path / "out", cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "01-one.wav").write_bytes(b"mine")
    with pytest.raises(OutputError) as caught:
        render(small_script, small_voices, tmp_path / "out", cache_dir, formats=("mp3", "wav"))
    assert str(caught.value) == (f"{folder / '01-one.wav'}: not written by a render of this "
                                 "book; move it away or choose another --out")
    assert (folder / "01-one.wav").read_bytes() == b"mine"
    render(small_script, small_voices, tmp_path / "out", cache_dir)  # mp3 leaves it alone
    assert (folder / "01-one.wav").read_bytes() == b"mine"


def test_a_book_whose_state_file_is_gone_renders_again_into_its_folder(
        small_script, small_voices, tmp_path, cache_dir):
    # Deleted by hand, or the folder copied without dotfiles: its manifest names the book.
    first = render(small_script, small_voices, tmp_path / "out", cache_dir)
    (first.book_dir / ".audiobook-state.json").unlink()
    again = render(small_script, small_voices, tmp_path / "out", cache_dir)
    assert [c.files["mp3"] for c in again.chapters] == ["01-one.mp3", "02-two.mp3"]


def test_several_files_no_render_wrote_are_named_in_one_error(
        small_script, small_voices, tmp_path, cache_dir):
    from audiobook.errors import OutputError

    folder = tmp_path / "out" / "a-small-book"
    folder.mkdir(parents=True)
    for name in ("01-one.mp3", "02-two.mp3"):
        (folder / name).write_bytes(b"mine")
    with pytest.raises(OutputError) as caught:
        render(small_script, small_voices, tmp_path / "out", cache_dir)
    assert str(caught.value) == (f"{folder}: 2 files not written by a render of this book "
                                 "(01-one.mp3, 02-two.mp3); move them away or choose another "
                                 "--out")


def test_a_book_file_no_render_wrote_is_not_overwritten(small_script, small_voices, tmp_path,
                                                         cache_dir):
    from audiobook.errors import OutputError

    folder = tmp_path / "out" / "a-small-book"
    folder.mkdir(parents=True)
    (folder / "a-small-book.m4b").write_bytes(b"mine")
    with pytest.raises(OutputError, match="a-small-book.m4b: not written by a render"):
        render(small_script, small_voices, tmp_path / "out", cache_dir, formats=("mp3", "m4b"))
    assert (folder / "a-small-book.m4b").read_bytes() == b"mine"


@pytest.mark.parametrize("stopped_before", [True, False])
def test_a_manifest_no_render_wrote_is_not_overwritten(stopped_before, small_script,
                                                       small_voices, tmp_path, cache_dir,
                                                       monkeypatch):
    from audiobook import export
    from audiobook.errors import OutputError

    folder = tmp_path / "out" / "a-small-book"
    if stopped_before:  # a first render stopped after a chapter: it wrote no manifest
        write_chapter = export.write_chapter
        monkeypatch.setattr(export, "write_chapter", _stopped_after(write_chapter))
        with pytest.raises(KeyboardInterrupt):
            render(small_script, small_voices, tmp_path / "out", cache_dir)
        monkeypatch.setattr(export, "write_chapter", write_chapter)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text('{"mine": true}')
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(OutputError) as caught:
        render(small_script, small_voices, tmp_path / "out", cache_dir)
    assert str(caught.value) == (f"{folder / 'manifest.json'}: not written by a render of this "
                                 "book; move it away or choose another --out")
    assert (folder / "manifest.json").read_text() == '{"mine": true}'
    assert sorted(p.name for p in folder.iterdir() if p.name != ".lock") == \
        [name for name in before if name != ".lock"]


def test_a_books_own_manifest_is_rewritten_also_from_a_state_that_does_not_list_it(
        small_script, small_voices, tmp_path, cache_dir):
    first = render(small_script, small_voices, tmp_path / "out", cache_dir)
    state_file = first.book_dir / ".audiobook-state.json"
    state = json.loads(state_file.read_text())
    assert "manifest.json" in state["_book"]["sidecars"]
    state["_book"]["sidecars"].remove("manifest.json")  # as written before it was listed
    state_file.write_text(json.dumps(state))
    (first.book_dir / "01-one.mp3").unlink()
    again = render(small_script, small_voices, tmp_path / "out", cache_dir)
    assert json.loads(again.manifest.read_text())["title"] == "A Small Book"


def _stopped_after(write):
    """`write` that, once it has written, stops the render as Ctrl-C would."""
    def stop_after_writing(*args, **kwargs):
        write(*args, **kwargs)
        raise KeyboardInterrupt
    return stop_after_writing


def test_a_render_stopped_after_its_m4b_and_resumed_without_it_leaves_none(
        small_script, small_voices, tmp_path, cache_dir, monkeypatch):
    from audiobook import export

    write_book = export.write_book
    monkeypatch.setattr(export, "write_book", _stopped_after(write_book))
    with pytest.raises(KeyboardInterrupt):
        render(small_script, small_voices, tmp_path / "out", cache_dir, formats=("mp3", "m4b"))
    monkeypatch.setattr(export, "write_book", write_book)
    folder = tmp_path / "out" / "a-small-book"
    assert (folder / "a-small-book.m4b").is_file()
    render(small_script, small_voices, tmp_path / "out", cache_dir)
    assert not (folder / "a-small-book.m4b").exists()
    assert not (folder / "a-small-book.srt").exists()


def test_a_first_render_stopped_before_recording_a_chapter_file_resumes(
        small_script, small_voices, tmp_path, cache_dir, monkeypatch):
    """Its file landed before its entry: the next render knows it as the book's, and one of
    a chapter since renamed goes with the render's other stale files."""
    from audiobook import export

    write_chapter = export.write_chapter
    stop_after_writing = _stopped_after(write_chapter)
    monkeypatch.setattr(export, "write_chapter", stop_after_writing)
    with pytest.raises(KeyboardInterrupt):
        render(small_script, small_voices, tmp_path / "out", cache_dir)
    monkeypatch.setattr(export, "write_chapter", write_chapter)
    folder = tmp_path / "out" / "a-small-book"
    assert (folder / "01-one.mp3").is_file()
    assert "01-one" not in json.loads((folder / ".audiobook-state.json").read_text())
    again = render(small_script, small_voices, tmp_path / "out", cache_dir)
    assert [c.files["mp3"] for c in again.chapters] == ["01-one.mp3", "02-two.mp3"]

    with pytest.raises(KeyboardInterrupt):
        monkeypatch.setattr(export, "write_chapter", stop_after_writing)
        small_script.write_text(small_script.read_text().replace("## Two", "## Deux"))
        render(small_script, small_voices, tmp_path / "out", cache_dir)
    monkeypatch.setattr(export, "write_chapter", write_chapter)
    assert (folder / "02-deux.mp3").is_file()
    small_script.write_text(small_script.read_text().replace("## Deux", "## Zwei"))
    render(small_script, small_voices, tmp_path / "out", cache_dir)
    assert sorted(p.name for p in folder.glob("[!.]*")) == [
        "01-one.mp3", "01-one.srt", "01-one.vtt", "02-zwei.mp3", "02-zwei.srt", "02-zwei.vtt",
        "a-small-book.m3u", "manifest.json"]
