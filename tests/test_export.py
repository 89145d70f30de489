"""Publishing output read back independently: ID3/MP4 tags with mutagen, M4B chapter markers
with ffmpeg's ffmetadata, captions against the manifest, the playlist, reuse of the M4B."""

import json
import re
import subprocess

import pytest
from click.testing import CliRunner
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from mutagen.wave import WAVE

from audiobook import export, render, tools
from audiobook.cast import parse_cast
from audiobook.cli import cli
from audiobook.errors import CastError
from audio_helpers import decode, rms_db

BOOK = ("book:\n"
        "  title: A Small Book, Told Twice\n"
        "  author: Jo Writer\n"
        "  narrator: espeak-ng voices via audiobook\n"
        "  cover: cover.png\n"
        "  year: 2025\n"
        "  description: Anna and Ben leave a cold room.\n"
        "  language: en-GB\n")


@pytest.fixture
def cover(tmp_path):
    path = tmp_path / "cover.png"
    tools.run_ffmpeg(["-f", "lavfi", "-i", "color=c=0x884422:s=64x64", "-frames:v", "1",
                      str(path)], "making a cover")
    return path


@pytest.fixture
def book_voices(small_voices, cover):
    small_voices.write_text(small_voices.read_text() + BOOK)
    return small_voices


@pytest.fixture
def rendered(tmp_path, small_script, book_voices, cache_dir):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["render", str(small_script), "--voices", str(book_voices),
                                      "--out", str(out), "--cache-dir", str(cache_dir),
                                      "--engine", "fake", "--format", "mp3", "--format", "m4b"])
    assert result.exit_code == 0, result.output
    folder = out / "a-small-book"
    return folder, json.loads((folder / "manifest.json").read_text()), result.output


def test_render_lists_chapter_files_and_the_m4b(rendered):
    _, manifest, output = rendered
    durations = [c["duration_ms"] for c in manifest["chapters"]]
    assert output.splitlines()[-1].split() == [
        "whole", "book", render_minutes(sum(durations)), "a-small-book.m4b"]


def render_minutes(ms):
    s = round(ms / 1000)
    return f"{s // 60}:{s % 60:02d}"


def test_chapter_mp3_tags(rendered, cover):
    folder, _, _ = rendered
    tags = ID3(folder / "02-two.mp3")
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == "Two"
    assert str(tags["TALB"]) == "A Small Book, Told Twice"
    assert str(tags["TPE1"]) == "Jo Writer"
    assert str(tags["TPE2"]) == "Jo Writer"
    assert str(tags["TCOM"]) == "espeak-ng voices via audiobook"
    assert str(tags["TRCK"]) == "2/2"
    assert str(tags["TCON"]) == "Audiobook"
    assert str(tags["TDRC"]) == "2025"  # stored as v2.3 TYER, read back as v2.4
    assert tags.getall("COMM")[0].text == ["Anna and Ben leave a cold room."]
    picture = tags.getall("APIC")[0]
    assert (picture.type, picture.mime) == (3, "image/png")
    assert picture.data == cover.read_bytes()


def test_wav_chapters_are_tagged_too(tmp_path, small_script, book_voices, cache_dir):
    result = render.render_book(small_script, book_voices, tmp_path / "w", formats=["wav"],
                                engine="fake", cache_dir=cache_dir)
    tags = WAVE(result.book_dir / "01-one.wav").tags
    assert (str(tags["TIT2"]), str(tags["TRCK"]), str(tags["TCOM"])) == (
        "One", "1/2", "espeak-ng voices via audiobook")


def test_m4b_chapter_markers_and_tags(rendered, cover):
    folder, manifest, _ = rendered
    meta = subprocess.run([tools.ffmpeg(), "-v", "error", "-i", str(folder / "a-small-book.m4b"),
                           "-f", "ffmetadata", "-"], capture_output=True, text=True, check=True).stdout
    blocks = meta.split("[CHAPTER]")[1:]
    assert [re.search(r"^title=(.*)$", b, re.M)[1] for b in blocks] == ["One", "Two"]
    starts = [int(re.search(r"^START=(\d+)", b, re.M)[1]) for b in blocks]
    ends = [int(re.search(r"^END=(\d+)", b, re.M)[1]) for b in blocks]
    assert "TIMEBASE=1/44100" in blocks[0]
    one_ms = manifest["chapters"][0]["duration_ms"]
    assert starts[0] == 0 and ends[0] == starts[1]
    assert abs(starts[1] / 44.1 - one_ms) < 1  # marker on the sample where "Two" begins
    assert abs(ends[1] / 44.1 - sum(c["duration_ms"] for c in manifest["chapters"])) < 2

    tags = MP4(folder / "a-small-book.m4b").tags
    assert tags["\xa9nam"] == tags["\xa9alb"] == ["A Small Book, Told Twice"]
    assert tags["\xa9ART"] == tags["aART"] == ["Jo Writer"]
    assert tags["\xa9wrt"] == ["espeak-ng voices via audiobook"]
    assert (tags["\xa9gen"], tags["\xa9day"], tags["stik"]) == (["Audiobook"], ["2025"], [2])
    assert bytes(tags["covr"][0]) == cover.read_bytes()


def test_m4b_is_the_same_mastered_audio(rendered):
    """The M4B is cut from the chapters' mastered FLACs: chapter two has the MP3's level
    and length, and the masters are kept for the next render."""
    folder, manifest, _ = rendered
    mp3 = decode(folder / "02-two.mp3", rate=44100)
    book = decode(folder / "a-small-book.m4b", rate=44100)
    start = round(manifest["chapters"][0]["duration_ms"] * 44.1)
    two = book[start:start + len(mp3)]
    assert abs(len(book) - start - len(mp3)) < 0.01 * 44100
    assert abs(rms_db(two) - rms_db(mp3)) < 0.5
    assert sorted(p.name for p in (folder / ".audiobook-work").iterdir()) == [
        "01-one.flac", "02-two.flac"]


def parse_srt(text):
    cues = []
    for block in text.strip().split("\n\n"):
        number, times, line = block.split("\n")
        a, b = times.split(" --> ")
        cues.append((int(number), clock_ms(a.replace(",", ".")), clock_ms(b.replace(",", ".")), line))
    return cues


def clock_ms(stamp):
    h, m, s = stamp.split(":")
    return round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)


def test_captions_follow_the_manifest(rendered):
    folder, manifest, _ = rendered
    names = {"narrator": "Narrator", "anna": "Anna", "ben": "Ben"}
    for chapter in manifest["chapters"]:
        stem = chapter["file"].removesuffix(".mp3")
        srt = parse_srt((folder / f"{stem}.srt").read_text())
        segments = chapter["segments"]
        assert [(a, b) for _, a, b, _ in srt] == [(s["start_ms"], s["end_ms"]) for s in segments]
        assert [line for *_, line in srt] == [f"{names[s['role']]}: {s['text']}" for s in segments]
        vtt = (folder / f"{stem}.vtt").read_text().split("\n\n")
        assert vtt[0] == "WEBVTT"
        for cue, s in zip(vtt[1:], segments):
            times, text = cue.split("\n")
            a, b = times.split(" --> ")
            assert (clock_ms(a), clock_ms(b)) == (s["start_ms"], s["end_ms"])
            assert text == f"<v {names[s['role']]}>{s['text']}"
    vtt = (folder / "01-one.vtt").read_text()
    assert "<v Anna>Hello,\n" in vtt and "<v Ben>Only me,\n" in vtt


def test_book_captions_are_offset_by_chapter(rendered):
    folder, manifest, _ = rendered
    srt = parse_srt((folder / "a-small-book.srt").read_text())
    one, two = manifest["chapters"]
    first_of_two = srt[len(one["segments"])]
    assert first_of_two[3] == "Narrator: Two"
    assert abs(first_of_two[1] - (one["duration_ms"] + two["segments"][0]["start_ms"])) <= 1


def test_playlist_lists_chapters_in_order(rendered):
    folder, manifest, _ = rendered
    lines = (folder / "a-small-book.m3u").read_text().splitlines()
    one, two = manifest["chapters"]
    assert lines == ["#EXTM3U", f"#EXTINF:{round(one['duration_ms'] / 1000)},One", "01-one.mp3",
                     f"#EXTINF:{round(two['duration_ms'] / 1000)},Two", "02-two.mp3"]


def test_m4b_is_reused_and_removed_with_its_format(tmp_path, small_script, book_voices, cache_dir):
    args = dict(engine="fake", cache_dir=cache_dir)
    first = render.render_book(small_script, book_voices, tmp_path / "o", formats=["mp3", "m4b"], **args)
    m4b = first.book_dir / "a-small-book.m4b"
    stamp = m4b.stat().st_mtime_ns
    again = render.render_book(small_script, book_voices, tmp_path / "o", formats=["mp3", "m4b"], **args)
    assert all(c.reused for c in again.chapters) and m4b.stat().st_mtime_ns == stamp
    assert m4b.stat().st_mode & 0o044 == 0o044  # readable by all, unlike mkstemp's 0600
    mp3_only = render.render_book(small_script, book_voices, tmp_path / "o", formats=["mp3"], **args)
    assert mp3_only.files == {}
    assert not m4b.exists() and not list((first.book_dir / ".audiobook-work").glob("*.flac"))
    assert (first.book_dir / "01-one.vtt").is_file()


def test_a_change_of_tags_only_re_tags_the_m4b(tmp_path, small_script, book_voices,
                                               cache_dir, monkeypatch):
    # Setting the author of a 3-hour book encoded its whole M4B again: 65 s for new tags.
    args = dict(engine="fake", cache_dir=cache_dir, formats=["mp3", "m4b"])
    first = render.render_book(small_script, book_voices, tmp_path / "o", **args)
    m4b = first.book_dir / "a-small-book.m4b"
    def markers():
        return subprocess.run([tools.ffmpeg(), "-v", "error", "-i", str(m4b), "-f", "ffmetadata",
                               "-"], capture_output=True, text=True, check=True
                              ).stdout.split("[CHAPTER]")[1:]
    markers_before = markers()
    assert len(markers_before) == 2
    audio_before = decode(m4b, rate=44100)
    book_voices.write_text(book_voices.read_text().replace("  author: Jo Writer\n", "")
                           .replace("year: 2025", "year: 2026"))
    encoded = []
    real = export.write_m4b
    monkeypatch.setattr(export, "write_m4b", lambda *a, **k: encoded.append(1) or real(*a, **k))
    render.render_book(small_script, book_voices, tmp_path / "o", **args)
    assert not encoded
    tags = MP4(m4b).tags
    assert tags["\xa9day"] == ["2026"] and "\xa9ART" not in tags and "aART" not in tags
    assert tags["\xa9nam"] == ["A Small Book, Told Twice"] and tags["stik"] == [2]
    assert (decode(m4b, rate=44100) == audio_before).all()
    assert markers() == markers_before
    # A change of sound still encodes it.
    small_script.write_text(small_script.read_text().replace("cold", "chilly"))
    render.render_book(small_script, book_voices, tmp_path / "o", **args)
    assert encoded


def test_an_m4b_written_by_a_render_stopped_before_its_state_is_not_kept_for_old_audio(
        tmp_path, small_script, book_voices, cache_dir, monkeypatch):
    # Stopped after the new M4B landed, the state still held the old book's keys: rendering
    # the old text again kept the new text's audio.
    args = dict(engine="fake", cache_dir=cache_dir, formats=["mp3", "m4b"])
    first = render.render_book(small_script, book_voices, tmp_path / "o", **args)
    m4b = first.book_dir / "a-small-book.m4b"
    old_audio = decode(m4b, rate=44100)
    original = small_script.read_text()
    small_script.write_text(original.replace("cold", "chilly and grey"))

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(render, "_remove_stale", stop)
        with pytest.raises(KeyboardInterrupt):
            render.render_book(small_script, book_voices, tmp_path / "o", **args)
    assert len(decode(m4b, rate=44100)) != len(old_audio)  # the new M4B had landed
    small_script.write_text(original)
    render.render_book(small_script, book_voices, tmp_path / "o", **args)
    assert (decode(m4b, rate=44100) == old_audio).all()


@pytest.mark.parametrize("yaml, line, message", [
    ("book:\n  titel: X\n", 4, "book.titel: unknown key (expected one of: title, author"),
    ("book:\n  year: twenty\n", 4, "book.year: 'twenty' must be a whole number"),
    ("book:\n  language: English\n", 4, "book.language: 'English' must be a language code"),
    ("book:\n  cover: missing.jpg\n", 4, "book.cover: no such file: "),
    ("book:\n  cover: notes.txt\n", 4, "book.cover: notes.txt: must be a .jpg or .png"),
])
def test_book_section_is_validated(tmp_path, yaml, line, message):
    source = tmp_path / "voices.yaml"
    with pytest.raises(CastError) as error:
        parse_cast("roles:\n  narrator: {}\n" + yaml, str(source))
    assert str(error.value).startswith(f"{source}:{line}: {message}")


def test_book_section_defaults_and_cover_relative_to_voices(tmp_path, cover):
    cast = parse_cast("roles:\n  narrator: {}\nbook:\n  cover: cover.png\n  year: 1999\n",
                      str(tmp_path / "voices.yaml"))
    assert cast.book.cover == str(cover.resolve())
    assert (cast.book.year, cast.book.title, cast.book.author) == (1999, None, None)
    assert parse_cast("roles:\n  narrator: {}\n").book.narrator is None
