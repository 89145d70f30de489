"""The segment cache and incremental rendering: hits, misses, corruption, reuse, determinism."""

import hashlib
import json
import multiprocessing

import pytest
from click.testing import CliRunner

from audiobook.cache import SegmentCache, default_cache_dir
from audiobook.cli import cli
from audiobook.render import render_book


def render(script, voices, out, cache, jobs=1, **kw):
    return render_book(script, voices, out, engine="fake", jobs=jobs, cache_dir=cache, **kw)


def snapshot(folder):
    return {p.name: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.glob("*.mp3"))}


def test_second_render_synthesises_nothing_and_rewrites_nothing(small_script, small_voices, tmp_path, cache_dir):
    first = render(small_script, small_voices, tmp_path / "out", cache_dir)
    before = snapshot(first.book_dir)
    second = render(small_script, small_voices, tmp_path / "out", cache_dir)
    assert first.synthesized == 12 and second.synthesized == 0
    assert [c.reused for c in second.chapters] == [True, True]
    assert snapshot(second.book_dir) == before


def test_editing_one_sentence_rebuilds_only_its_chapter(small_script, small_voices, tmp_path, cache_dir):
    first = render(small_script, small_voices, tmp_path / "out", cache_dir)
    before = snapshot(first.book_dir)
    small_script.write_text(small_script.read_text().replace("The room was cold.", "The room was warm."))
    second = render(small_script, small_voices, tmp_path / "out", cache_dir)
    after = snapshot(second.book_dir)
    assert second.synthesized == 1
    assert after["02-two.mp3"] == before["02-two.mp3"]  # same bytes, same mtime
    assert after["01-one.mp3"] != before["01-one.mp3"]
    manifest = json.loads(second.manifest.read_text())
    assert manifest["chapters"][0]["segments"][1]["text"] == "Anna walked in. The room was warm."


@pytest.mark.parametrize("change", [
    ("rate: 200", "rate: 210"), ("pitch: 60", "pitch: 61"), ("gmw/en-us+f3", "gmw/en-us+f2")])
def test_any_voice_setting_change_misses_the_cache(change, small_script, small_voices, tmp_path, cache_dir):
    render(small_script, small_voices, tmp_path / "a", cache_dir)
    small_voices.write_text(small_voices.read_text().replace(*change))
    again = render(small_script, small_voices, tmp_path / "a", cache_dir)
    assert again.synthesized == 3  # Anna's three sentences, nothing else
    assert [c.reused for c in again.chapters] == [False, False]


def test_pause_change_rebuilds_chapters_without_synthesis(small_script, small_voices, tmp_path, cache_dir):
    render(small_script, small_voices, tmp_path / "a", cache_dir)
    small_voices.write_text(small_voices.read_text().replace("scene: 1500", "scene: 1800"))
    again = render(small_script, small_voices, tmp_path / "a", cache_dir)
    assert again.synthesized == 0 and [c.reused for c in again.chapters] == [False, False]


def test_corrupt_and_truncated_entries_are_discarded_and_rebuilt(small_script, small_voices, tmp_path, cache_dir):
    first = render(small_script, small_voices, tmp_path / "a", cache_dir)
    reference = (first.book_dir / "01-one.mp3").read_bytes()
    entries = sorted(cache_dir.glob("*/*.pcm"))
    entries[0].write_bytes(entries[0].read_bytes()[:-100])  # truncated
    data = bytearray(entries[1].read_bytes())
    data[-1] ^= 0xFF  # one flipped byte
    entries[1].write_bytes(bytes(data))
    assert SegmentCache(cache_dir).get(entries[0].stem) is None
    assert not entries[0].exists()  # discarded on read
    again = render(small_script, small_voices, tmp_path / "b", cache_dir)
    assert again.synthesized == 2  # both bad entries, found and rebuilt
    assert (again.book_dir / "01-one.mp3").read_bytes() == reference


def _hammer(root, key, payload, rounds):
    cache = SegmentCache(root)
    for _ in range(rounds):
        cache.put(key, payload)


def test_concurrent_writers_never_leave_a_broken_entry(tmp_path):
    payloads = [bytes([i]) * 200_000 for i in range(4)]
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_hammer, args=(tmp_path, "ab" * 32, p, 30)) for p in payloads]
    for p in procs:
        p.start()
    cache = SegmentCache(tmp_path)
    seen = set()
    while any(p.is_alive() for p in procs):
        got = cache.get("ab" * 32)
        if got is not None:
            assert got in payloads
            seen.add(got[0])
    for p in procs:
        p.join()
    assert cache.get("ab" * 32) in payloads
    assert not list(tmp_path.glob("*/.tmp-*"))  # no temporary files left behind


def test_jobs_1_and_2_give_identical_files(small_script, small_voices, tmp_path):
    # enough distinct sentences that the worker pool really runs
    text = small_script.read_text()
    extra = "\n\n".join(f"Sentence number {i} is here." for i in range(40))
    small_script.write_text(text + "\n\n" + extra + "\n")
    one = render(small_script, small_voices, tmp_path / "one", tmp_path / "c1", jobs=1)
    two = render(small_script, small_voices, tmp_path / "two", tmp_path / "c2", jobs=2)
    assert two.synthesized == one.synthesized > 40
    for name in ("01-one.mp3", "02-two.mp3", "manifest.json"):
        assert (one.book_dir / name).read_bytes() == (two.book_dir / name).read_bytes()


def test_cache_location_and_commands(tmp_path, monkeypatch, small_script, small_voices):
    monkeypatch.setenv("AUDIOBOOK_CACHE_DIR", str(tmp_path / "envcache"))
    assert default_cache_dir() == tmp_path / "envcache"
    monkeypatch.delenv("AUDIOBOOK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "audiobook"
    cache = tmp_path / "c"
    render(small_script, small_voices, tmp_path / "out", cache)
    runner = CliRunner()
    info = runner.invoke(cli, ["cache", "info", "--cache-dir", str(cache)])
    size = sum(p.stat().st_size for p in cache.glob("*/*.*")) / 1e6
    blocks = len(list(cache.glob("*/*.mp3")))
    assert blocks >= 2  # at least one a chapter
    assert info.stdout == f"{cache}: 12 segments, {blocks} MP3 blocks, {size:.1f} MB\n"
    cleared = runner.invoke(cli, ["cache", "clear", "--cache-dir", str(cache)])
    assert cleared.stdout == f"{cache}: removed 12 segments, {blocks} MP3 blocks\n"
    assert runner.invoke(cli, ["cache", "info", "--cache-dir", str(cache)]).stdout == \
        f"{cache}: 0 segments, 0 MP3 blocks, 0.0 MB\n"


def test_clear_deletes_only_what_the_cache_wrote(tmp_path):
    cache = SegmentCache(tmp_path)
    cache.put("ab" * 32, b"\x01\x00" * 10)
    (tmp_path / "ab" / ".tmp-leftover.pcm").write_bytes(b"half")  # a killed write
    (tmp_path / "go" / "pkg").mkdir(parents=True)  # someone else's files, two-letter folder
    (tmp_path / "go" / "pkg" / "main.go").write_text("important")
    (tmp_path / "ab" / "notes.txt").write_text("mine")
    assert cache.info().entries == 1
    assert cache.clear().entries == 1
    assert (tmp_path / "go" / "pkg" / "main.go").read_text() == "important"
    assert (tmp_path / "ab" / "notes.txt").exists()
    assert not list(tmp_path.glob("ab/*.pcm")) and cache.info().entries == 0


def test_a_big_book_rendered_in_batches_is_the_same_book(small_script, small_voices, tmp_path,
                                                         cache_dir, monkeypatch):
    """A book over the memory bounds is read again a chapter at a time and built in batches;
    the files are those of a book held whole, byte for byte."""
    from audiobook import render as render_module

    whole = render(small_script, small_voices, tmp_path / "whole", cache_dir, formats=("mp3", "wav"))
    batches = []
    build_chapters = render_module._build_chapters
    monkeypatch.setattr(render_module, "_KEEP_CHARS", 0)
    monkeypatch.setattr(render_module, "_BATCH_CHARS", 1)
    monkeypatch.setattr(render_module, "_build_chapters",
                        lambda todo, *a: batches.append([p.stem for p in todo]) or build_chapters(todo, *a))

    class Batches(render_module.Reporter):
        seen = []

        def batch(self, first, last, total):
            self.seen.append((first, last, total))

    batched = render(small_script, small_voices, tmp_path / "batched", cache_dir,
                     formats=("mp3", "wav"), reporter=Batches())
    assert batches == [["01-one"], ["02-two"]]
    assert Batches.seen == [(1, 1, 2), (2, 2, 2)]  # told, for the progress bars' labels
    files = sorted(p.name for p in whole.book_dir.iterdir() if p.name != ".lock")
    assert files == sorted(p.name for p in batched.book_dir.iterdir() if p.name != ".lock")
    for name in files:
        assert (whole.book_dir / name).read_bytes() == (batched.book_dir / name).read_bytes(), name


def request_stop(monkeypatch):
    """From now on a render stops (as with Ctrl-C) right after its first chapter file lands,
    before the chapter is recorded. Call the returned function to turn that off."""
    from audiobook import export

    write_chapter = export.write_chapter

    def stop_after_writing(*args, **kwargs):
        write_chapter(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(export, "write_chapter", stop_after_writing)
    return lambda: monkeypatch.setattr(export, "write_chapter", write_chapter)


def test_a_stopped_rebuild_never_leaves_the_old_entry_vouching_for_new_audio(
        small_script, small_voices, tmp_path, cache_dir, monkeypatch):
    """Render, edit chapter one, stop right after its new file lands (before it is recorded),
    then undo the edit: the chapter is built again, not reused with the edited audio."""
    out = tmp_path / "out"
    first = render(small_script, small_voices, out, cache_dir)
    original = (first.book_dir / "01-one.mp3").read_bytes()
    text = small_script.read_text()
    small_script.write_text(text.replace("The room was cold.", "The room was very cold."))
    resume = request_stop(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        render(small_script, small_voices, out, cache_dir)
    assert (first.book_dir / "01-one.mp3").read_bytes() != original  # the edit's audio landed
    resume()
    small_script.write_text(text)
    again = render(small_script, small_voices, out, cache_dir)
    assert [c.reused for c in again.chapters] == [False, True]
    assert (again.book_dir / "01-one.mp3").read_bytes() == original


def test_a_stopped_render_that_drops_a_format_leaves_no_old_files(
        small_script, small_voices, tmp_path, cache_dir, monkeypatch):
    out = tmp_path / "out"
    first = render(small_script, small_voices, out, cache_dir, formats=("mp3", "wav"))
    resume = request_stop(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        render(small_script, small_voices, out, cache_dir, formats=("mp3",))
    resume()
    render(small_script, small_voices, out, cache_dir, formats=("mp3",))
    assert sorted(p.name for p in first.book_dir.glob("[!.]*")) == [
        "01-one.mp3", "01-one.srt", "01-one.vtt", "02-two.mp3", "02-two.srt", "02-two.vtt",
        "a-small-book.m3u", "manifest.json"]


@pytest.mark.parametrize("state", ["[]", '{"01-one": []}', '"text"'])
def test_a_hand_edited_state_file_is_ignored(state, small_script, small_voices, tmp_path, cache_dir):
    first = render(small_script, small_voices, tmp_path / "out", cache_dir)
    (first.book_dir / ".audiobook-state.json").write_text(state)
    again = render(small_script, small_voices, tmp_path / "out", cache_dir)
    assert [c.reused for c in again.chapters] == [False, False] and again.synthesized == 0
