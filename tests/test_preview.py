"""`audiobook preview`: one scene or chapter, sounding exactly as in the book (fake engine)."""

import os
import stat

import numpy as np
import pytest
from click.testing import CliRunner

from audiobook import preview, render
from audiobook.cli import cli
from audio_helpers import decode
from conftest import PAD_MS, SMALL_SCRIPT, SMALL_VOICES

SCRIPT, VOICES = SMALL_SCRIPT, SMALL_VOICES


@pytest.fixture
def book(tmp_path):
    (tmp_path / "book.md").write_text(SCRIPT, encoding="utf-8")
    (tmp_path / "voices.yaml").write_text(VOICES, encoding="utf-8")
    return tmp_path


def run(book, cache_dir, *args):
    base = [str(book / "book.md"), "--voices", str(book / "voices.yaml"), "--engine", "fake",
            "--cache-dir", str(cache_dir)]
    return CliRunner().invoke(cli, ["preview", *base, *args])


def test_preview_scene_prints_file_duration_and_roles(book, cache_dir, one_block_per_chapter):
    out = book / "p.wav"
    result = run(book, cache_dir, "--scene", "1.1", "--out", str(out))
    assert result.exit_code == 0, result.output
    # head 750, title (1 word at 150 wpm: 400), scene 1500, narration (7 words + a sentence
    # pause: 3100), 700, anna 300, 450, narrator 800, 450, anna 900, 700, ben (2 words at
    # 120 wpm: 1000), 450, narrator 800, tail 2000: 14,300 ms, and the padding that ends a
    # block (one here) at a whole MP3 frame, as in the book's chapter.
    assert result.output == (
        f'{out}  0:14.3  chapter 1 "One", scene 1\n'
        "Roles heard: narrator, anna, ben\n"
    )
    assert 14.3 + PAD_MS[0] / 1000 <= len(decode(out)) / 22050 < 14.3 + PAD_MS[1] / 1000


def test_preview_of_a_later_scene_leaves_out_the_title(book, cache_dir):
    out = book / "p.wav"
    result = run(book, cache_dir, "--scene", "1.2", "--out", str(out))
    # head 750 + "Later, they left." (3 words at 150 wpm: 1200) + tail 2000 + padding
    assert result.output == f'{out}  0:04.0  chapter 1 "One", scene 2\nRoles heard: narrator\n'
    assert 3.95 + PAD_MS[0] / 1000 <= len(decode(out)) / 22050 < 3.95 + PAD_MS[1] / 1000


def test_find_picks_the_scene_holding_a_phrase(book, cache_dir):
    out = book / "p.wav"
    result = run(book, cache_dir, "--find", "GOODBYE,  ben", "--out", str(out))
    # 750 + title 400 + scene 1500 + anna 600 + 450 + narrator 800 + tail 2000
    assert result.output == (f'{out}  0:06.5  chapter 2 "Two", scene 1\n'
                             "Roles heard: narrator, anna\n")


@pytest.mark.parametrize("phrase", ["", "   "])
def test_find_with_no_words_is_an_error_not_every_scene(book, cache_dir, phrase):
    result = run(book, cache_dir, "--find", phrase, "--out", str(book / "p.wav"))
    assert (result.exit_code, result.output) == (
        1, "Error: --find: give a word or phrase of the scene to preview\n")
    assert not (book / "p.wav").exists()


def test_chapter_preview_is_the_books_chapter_sample_for_sample(book, cache_dir):
    result = run(book, cache_dir, "--chapter", "1", "--out", str(book / "ch1.wav"))
    assert result.exit_code == 0, result.output
    rendered = render.render_book(book / "book.md", book / "voices.yaml", book / "out",
                                  formats=("wav",), engine="fake", jobs=1, cache_dir=cache_dir)
    chapter = rendered.book_dir / rendered.chapters[0].files["wav"]
    ours, theirs = decode(book / "ch1.wav", 44100), decode(chapter, 44100)
    # Same voices, pauses and mastering: the same samples.
    assert len(ours) == len(theirs) and np.abs(ours - theirs).max() < 1e-4


def test_a_repeated_preview_synthesises_nothing(book, cache_dir):
    first = preview.preview_scene(book / "book.md", book / "voices.yaml", scene=(1, 1),
                                  out=book / "a.wav", engine="fake", cache_dir=cache_dir)
    again = preview.preview_scene(book / "book.md", book / "voices.yaml", scene=(1, 1),
                                  out=book / "b.wav", engine="fake", cache_dir=cache_dir)
    assert (first.synthesized, again.synthesized) == (8, 0)
    assert (book / "a.wav").read_bytes() == (book / "b.wav").read_bytes()


@pytest.mark.parametrize("args, message", [
    (["--scene", "3.1"], "Error: {book}: no chapter 3 (chapters 1-2)"),
    (["--scene", "1.3"], "Error: {book}: no scene 1.3 (chapter 1 has scenes 1-2)"),
    (["--scene", "2.2"], "Error: {book}: no scene 2.2 (chapter 2 has scene 1 only)"),
    (["--scene", "one"], "Error: --scene 'one': expected CHAPTER.SCENE, e.g. 3.1"),
    (["--find", "zebra"], "Error: no scene contains 'zebra'"),
    ([], "Error: choose one of --scene CH.SC, --chapter CH or --find TEXT"),
])
def test_preview_mistakes_are_one_line(book, cache_dir, args, message):
    result = run(book, cache_dir, *args)
    assert result.exit_code == 1
    assert result.output == message.format(book=book / "book.md") + "\n"


def test_bad_voice_id_is_one_line(book, cache_dir):
    (book / "voices.yaml").write_text(VOICES.replace("gmw/en-us,", "gmw/en-usa,"))
    result = run(book, cache_dir, "--scene", "1.1")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {book / 'voices.yaml'}:4: roles.ben.voice: unknown voice 'gmw/en-usa' "
        "(did you mean gmw/en-us, gmw/en, gmw/en-029?); `audiobook voices list` shows them\n")


def _fake_player(folder, name):
    folder.mkdir()
    player = folder / name
    player.write_text(f'#!/bin/sh\necho "$@" > "{folder}/played"\n')
    player.chmod(player.stat().st_mode | stat.S_IEXEC)
    return folder


def test_play_runs_the_first_player_found(book, cache_dir, monkeypatch):
    bin_dir = _fake_player(book / "bin", "aplay")
    monkeypatch.setenv("PATH", str(bin_dir))
    out = book / "p.wav"
    result = run(book, cache_dir, "--scene", "1.2", "--out", str(out), "--play")
    assert result.exit_code == 0, result.output
    assert (bin_dir / "played").read_text() == f"-q {out}\n"


def test_play_without_a_player_says_so_in_one_line(book, cache_dir, monkeypatch):
    (book / "empty").mkdir()
    monkeypatch.setenv("PATH", str(book / "empty"))
    out = book / "p.wav"
    result = CliRunner().invoke(cli, [
        "preview", str(book / "book.md"), "--voices", str(book / "voices.yaml"), "--engine",
        "fake", "--cache-dir", str(cache_dir), "--scene", "1.2", "--out", str(out), "--play"])
    assert result.exit_code == 1
    assert result.stderr == ("Error: no audio player found (install ffplay, aplay or afplay); "
                             f"the file is at {out}\n")
    assert out.is_file()  # the preview itself was made


def test_defaults_script_voices_and_output(tmp_path, cache_dir, monkeypatch, one_block_per_chapter):
    (tmp_path / "script").mkdir()
    (tmp_path / "script" / "heartstrings.md").write_text(SCRIPT, encoding="utf-8")
    (tmp_path / "voices.yaml").write_text(VOICES, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["preview", "--scene", "1.1", "--engine", "fake",
                                      "--cache-dir", str(cache_dir)])
    assert result.stdout == (f'{os.path.join("output", "preview.wav")}  0:14.3  '
                             'chapter 1 "One", scene 1\nRoles heard: narrator, anna, ben\n')
    assert result.stderr == "Cast: ./voices.yaml (no --voices given)\n"
    assert (tmp_path / "output" / "preview.wav").is_file()


def test_find_says_which_other_scenes_hold_the_phrase(book, cache_dir, one_block_per_chapter):
    out = book / "p.wav"
    result = run(book, cache_dir, "--find", "ben", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == (f'{out}  0:14.3  chapter 1 "One", scene 1\n'
                             "Roles heard: narrator, anna, ben\n"
                             "Also in: 2.1 (pick one with --scene)\n")
