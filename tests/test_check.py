"""`audiobook check`: passes a render, fails each kind of bad file, and its figures agree
with ffmpeg's own measurements (astats, the stream line of `ffmpeg -i`)."""

import re
import subprocess

import pytest
from click.testing import CliRunner

from audiobook import acx, render, tools
from audiobook.cli import cli

SCRIPT = ("# Checked Book\n\n## One\n\n"
          "Anna walked in. The room was cold and the window was open.\n\n"
          '"Hello," said Anna. "Is anyone here at all?"\n\n'
          "## Two\n\nLater, they left the house together.\n")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    root = tmp_path_factory.mktemp("check")
    (root / "book.md").write_text(SCRIPT)
    result = render.render_book(root / "book.md", None, root / "out", engine="fake",
                                cache_dir=root / "cache")
    return result.book_dir


@pytest.fixture(scope="module")
def bad(book, tmp_path_factory):
    """Bad files made from a good chapter with ffmpeg, one fault each."""
    folder = tmp_path_factory.mktemp("bad")
    good = str(book / "01-one.mp3")
    recipes = {
        "loud.mp3": ["-af", "volume=6dB,alimiter=limit=0.5:level=0", "-c:a", "libmp3lame", "-b:a", "192k"],
        "clipped.mp3": ["-af", "volume=20dB", "-c:a", "libmp3lame", "-b:a", "192k"],
        "48k.mp3": ["-ar", "48000", "-c:a", "libmp3lame", "-b:a", "192k"],
        "64k.mp3": ["-c:a", "libmp3lame", "-b:a", "64k"],
        "vbr.mp3": ["-c:a", "libmp3lame", "-q:a", "2"],
        "silent-head.mp3": ["-af", "volume=0:enable='lt(t,0.7)'", "-c:a", "libmp3lame",
                            "-b:a", "192k"],
        "stereo.mp3": ["-af", "pan=stereo|c0=c0|c1=c0", "-c:a", "libmp3lame", "-b:a", "192k"],
        "chapter.wav": ["-c:a", "pcm_s16le"],
    }
    for name, args in recipes.items():
        tools.run_ffmpeg(["-y", "-i", good, *args, str(folder / name)], f"making {name}")
    return folder


def figures(path):
    report = acx.check(path)[0]
    return {f.name: f for f in report.figures}


def failing(path):
    return {name: f.note for name, f in figures(path).items() if not f.ok}


def test_a_render_passes(book):
    result = CliRunner().invoke(cli, ["check", str(book)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "01-one.mp3: pass"
    assert lines[1] == "  encoding     MP3 192 kbps CBR     pass  CBR, 192 kbps or more"
    assert lines[-1] == "2 files checked: all pass ACX"
    assert len(lines) == 2 * 10 + 1
    m = acx.check(book)[0].measurement
    assert (m.sample_rate, m.channels, m.bitrate_kbps, m.constant_bitrate) == (44100, 1, 192, True)
    assert abs(m.head_s - 0.75) <= 0.02 and abs(m.tail_s - 2.5) <= 0.03
    assert -72 < m.noise_floor_db < -68


@pytest.mark.parametrize("name, expected", [
    ("loud.mp3", {"RMS": "above -18 dBFS: too loud"}),
    ("48k.mp3", {"sample rate": "ACX wants 44100 Hz"}),
    ("64k.mp3", {"encoding": "below 192 kbps: re-encode at 192 kbps CBR"}),
    ("vbr.mp3", {"encoding": "variable bit rate: ACX wants CBR"}),
    ("silent-head.mp3", {"noise floor": "digital silence: lay room tone under pauses"}),
    ("chapter.wav", {"encoding": "ACX takes MP3 files"}),
])
def test_each_bad_file_fails_for_its_reason(bad, name, expected):
    assert failing(bad / name) == expected


def test_clipped_file_fails_its_peak(bad):
    problems = failing(bad / "clipped.mp3")  # 20 dB up: the room tone is too loud as well
    assert problems["peak"] == "above -3 dBFS: clipped"
    assert problems["RMS"] == "above -18 dBFS: too loud"
    assert problems["noise floor"] == "above -60 dBFS: too much noise"
    assert acx.measure(bad / "clipped.mp3").peak_db > 0  # an MP3 holds overs: none lost


def test_cli_exit_status_and_fail_lines(bad):
    result = CliRunner().invoke(cli, ["check", str(bad / "48k.mp3")])
    assert result.exit_code == 1
    assert "  sample rate  48000 Hz             FAIL  ACX wants 44100 Hz" in result.output
    assert result.output.splitlines()[0] == "48k.mp3: FAIL"
    assert result.output.splitlines()[-1] == "1 file checked: 1 fail ACX"


def test_folder_with_mixed_channels_fails_the_odd_one(bad, book, tmp_path):
    for name in ("01-one.mp3", "02-two.mp3"):
        (tmp_path / name).write_bytes((book / name).read_bytes())
    (tmp_path / "02-two.mp3").write_bytes((bad / "stereo.mp3").read_bytes())
    first, second = acx.check(tmp_path)
    assert first.ok and not second.ok
    assert {f.name: f.note for f in second.figures if not f.ok} == {
        "channels": "the book's other files are mono"}


def test_unreadable_paths_are_one_line_errors(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    runner = CliRunner()
    missing = runner.invoke(cli, ["check", str(tmp_path / "nope")])
    assert (missing.exit_code, missing.output) == (1, f"Error: {tmp_path / 'nope'}: no such file or folder\n")
    empty = runner.invoke(cli, ["check", str(tmp_path)])
    assert empty.output.startswith(f"Error: {tmp_path}: no MP3 files to check")
    text = runner.invoke(cli, ["check", str(tmp_path / "notes.txt")])
    assert text.output == f"Error: {tmp_path / 'notes.txt'}: not an audio file (mp3, wav, m4b, flac...)\n"


def test_the_out_folder_points_to_the_book_folder_inside(book, tmp_path):
    out = book.parent  # what render's --out named
    result = CliRunner().invoke(cli, ["check", str(out)])
    assert (result.exit_code, result.output) == (
        1, f"Error: {out}: no MP3 files here; the book is in {book}: audiobook check {book}\n")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "01-one.mp3").write_bytes((book / "01-one.mp3").read_bytes())
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.output == (f"Error: {tmp_path}: no MP3 files here; the books are in "
                             f"{tmp_path / 'a'}, {tmp_path / 'b'}: check one of them\n")


def astats(path, trim=None):
    args = [tools.ffmpeg(), "-hide_banner", "-nostdin", "-i", str(path), "-af",
            (f"atrim={trim[0]}:{trim[1]}," if trim else "") + "astats=measure_perchannel=none",
            "-f", "null", "-"]
    err = subprocess.run(args, capture_output=True, text=True).stderr
    value = lambda key: float(re.search(rf"{key}: (-?[0-9.]+)", err)[1])  # noqa: E731
    stream = re.search(r"Audio: mp3.*?, (\d+) Hz, (mono|stereo), \w+, (\d+) kb/s", err)
    return value("RMS level dB"), value("Peak level dB"), stream


@pytest.mark.parametrize("name", [None, "loud.mp3", "clipped.mp3", "48k.mp3", "stereo.mp3"])
def test_figures_agree_with_ffmpeg_within_half_a_db(book, bad, name):
    path = book / "02-two.mp3" if name is None else bad / name
    m = acx.measure(path)
    rms, peak, stream = astats(path)
    assert abs(m.rms_db - rms) < 0.5
    assert abs(m.peak_db - peak) < 0.5
    assert (m.sample_rate, m.channels, m.bitrate_kbps) == (
        int(stream[1]), {"mono": 1, "stereo": 2}[stream[2]], int(stream[3]))
    if name is None:  # the noise floor is the level of the room tone ffmpeg finds at the head
        head_rms, _, _ = astats(path, (0.1, 0.6))
        assert abs(m.noise_floor_db - head_rms) < 1.0
