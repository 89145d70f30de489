"""The CLI end to end with CliRunner: exact output, exit codes, one-line errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from audiobook.cli import cli

HEARTSTRINGS_SPEAKERS = (
    ["alex"] * 2 + ["emily", "alex"] + ["alex"] * 2 + ["emily", "alex", "emily"] + ["alex"] * 2
    + ["emily", "alex", "alex"] + ["alex"] * 2 + ["emily"] * 2 + ["alex"] * 2 + ["emily"]
    + ["alex"] * 2
)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_render_small_script_prints_where_the_book_is(small_script, small_voices, tmp_path):
    out = tmp_path / "out"
    result = run("render", small_script, "--voices", small_voices, "--out", out,
                 "--engine", "fake", "--cache-dir", tmp_path / "c", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Rendered 2 chapters (0:24) into {out}/a-small-book/\n"
        "   1. One  0:17  01-one.mp3\n"
        "   2. Two  0:07  02-two.mp3\n"
    )
    assert result.stderr == ""  # not a terminal: no progress bar
    manifest = json.loads((out / "a-small-book" / "manifest.json").read_text())
    assert [c["file"] for c in manifest["chapters"]] == ["01-one.mp3", "02-two.mp3"]


def test_a_one_chapter_book_is_one_chapter(small_voices, tmp_path):
    script = tmp_path / "one.md"
    script.write_text("# Tiny\n\n## Only\n\nA line.\n", encoding="utf-8")
    result = run("render", script, "--voices", small_voices, "--out", tmp_path / "out",
                 "--engine", "fake", "--cache-dir", tmp_path / "c", "--quiet")
    assert result.stdout == f"Rendered 1 chapter (0:05) into {tmp_path / 'out'}/tiny/\n"


def test_render_again_reuses_chapters_and_quiet_prints_one_line(small_script, small_voices, tmp_path):
    args = ("render", small_script, "--voices", small_voices, "--out", tmp_path / "out",
            "--engine", "fake", "--cache-dir", tmp_path / "c", "--quiet")
    run(*args)
    again = run(*args)
    assert again.exit_code == 0
    assert again.stdout == f"Rendered 2 chapters (0:24, 2 unchanged) into {tmp_path}/out/a-small-book/\n"


def test_inspect_json_attributes_all_23_quotes_of_heartstrings(repo_root):
    result = run("inspect", repo_root / "script/heartstrings.md", "--voices",
                 repo_root / "voices.yaml", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["title"] == "Heartstrings: Nurturing Love through Challenges and Second Chances"
    assert len(data["chapters"]) == 5
    segments = [s for c in data["chapters"] for sc in c["scenes"] for s in sc["segments"]]
    dialogue = [s for s in segments if s["kind"] == "dialogue"]
    assert [s["role"] for s in dialogue] == HEARTSTRINGS_SPEAKERS
    assert {s["role"] for s in segments if s["kind"] == "narration"} == {"narrator"}
    assert all({"role", "kind", "text"} <= s.keys() for s in segments)


def test_script_keeps_every_word_of_the_seed(repo_root):
    import re

    seed = repo_root.parent / "shared/seed/000_780688a2373cba4a.txt"
    # The seed lives beside the repo on the team's machines and in CI.
    seed_words = re.findall(r"[\w’']+", seed.read_text(encoding="utf-8")) if seed.exists() else None
    result = run("inspect", repo_root / "script/heartstrings.md", "--json")
    data = json.loads(result.stdout)
    words = re.findall(r"[\w’']+", data["title"])
    for chapter in data["chapters"]:
        for scene in chapter["scenes"]:
            for s in scene["segments"]:
                words += re.findall(r"[\w’']+", s["text"])
    assert len(words) == 1874  # the seed counted the same way (wc -w says 1870: it joins dashes)
    if seed_words is not None:
        assert words == seed_words


def test_user_mistakes_are_one_line_errors(tmp_path):
    result = CliRunner().invoke(cli, ["render", str(tmp_path / "missing.md"), "--engine", "fake"])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path}/missing.md: no such file\n"
    assert result.stdout == ""


def test_progress_bars_of_a_batch_say_which_chapters_they_cover(capsys):
    from audiobook.cli import _Reporter

    reporter = _Reporter(quiet=False)
    reporter.show_bar = True  # as on a terminal
    reporter.batch(41, 80, 120)
    for stage in ("plan", "synthesize", "encode"):
        reporter.progress(stage, 0, 10)
        reporter.progress(stage, 10, 10)
    reporter.close()
    err = capsys.readouterr().err
    assert "Planning" in err and "Planning (chapters" not in err  # planning spans the book
    assert "Synthesizing (chapters 41-80 of 120)" in err
    assert "Encoding (chapters 41-80 of 120)" in err


def test_durations_past_an_hour_show_hours(monkeypatch, tmp_path):
    from audiobook import acx, preview, render

    book = render.RenderResult(tmp_path / "b", tmp_path / "b/manifest.json", [
        render.ChapterResult(1, "Long", {"mp3": "01-long.mp3"}, 10_685_000, False),
        render.ChapterResult(2, "Short", {"mp3": "02-short.mp3"}, 59_960, False)],
        files={"m4b": "b.m4b"})
    monkeypatch.setattr(render, "render_book", lambda *a, **k: book)
    result = run("render", "story.md", "--engine", "fake")
    assert result.stdout == (f"Rendered 2 chapters (2:59:05) into {tmp_path}/b/\n"
                             "   1. Long  2:58:05  01-long.mp3\n"
                             "   2. Short  1:00  02-short.mp3\n"
                             "      whole book  2:59:05  b.m4b\n")
    clip = preview.Clip(tmp_path / "p.wav", 3_723_460, ["narrator"], 'chapter 1 "Long"', 0)
    monkeypatch.setattr(preview, "preview_scene", lambda *a, **k: clip)
    result = run("preview", "story.md", "--chapter", "1", "--engine", "fake")
    assert result.stdout == f'{tmp_path}/p.wav  1:02:03.5  chapter 1 "Long"\nRoles heard: narrator\n'
    m = acx.Measurement(tmp_path / "01-long.mp3", "MP3", 44100, 1, 192, True, 10_685.0,
                        -20, -4, -70, 0.75, 2.5)
    assert [f for f in acx.assess(m) if f.name == "length"] == [
        acx.Figure("length", "2:58:05", False, "over 120 minutes: split the chapter")]


@pytest.fixture
def zed_script(tmp_path):
    """A speaker no cast has: Zed, twice in chapter 1 and 2."""
    script = tmp_path / "zed.md"
    script.write_text('# Zed\n\n## One\n\n"Hi," said Zed.\n\n"Hello," said Anna.\n\n'
                      '## Two\n\n"Bye," said Zed.\n', encoding="utf-8")
    return script


def test_render_warns_once_about_quotes_no_rule_settled(zed_script, small_voices, tmp_path):
    script = zed_script
    args = ("render", script, "--voices", small_voices, "--out", tmp_path / "out",
            "--engine", "fake", "--cache-dir", tmp_path / "c")
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"Warning: {script}: the narrator reads 2 quotes whose speaker was not found; "
        f"`audiobook inspect {script} --voices {small_voices}` lists them\n")
    assert run(*args, "--quiet").stderr == ""


def test_render_and_inspect_take_voices_yaml_of_the_working_folder(zed_script, small_voices,
                                                                   tmp_path, monkeypatch):
    # As preview does: a render must not come out narrator-only where its preview had a cast.
    monkeypatch.chdir(small_voices.parent)
    assert small_voices.name == "voices.yaml"
    result = run("render", zed_script, "--out", tmp_path / "out", "--engine", "fake",
                 "--cache-dir", tmp_path / "c", "--format", "wav")
    assert result.exit_code == 0, result.output
    # Said, for the file may be another book's.
    assert result.stderr.startswith("Cast: ./voices.yaml (no --voices given)\n")
    assert "--voices voices.yaml` lists them" in result.stderr  # Zed is no one of the cast
    assert "       7 anna       Hello, (tag)\n" in run("inspect", zed_script).stdout


def test_render_without_a_cast_renders_and_warns_of_nothing(zed_script, tmp_path):
    result = run("render", zed_script, "--out", tmp_path / "out", "--engine", "fake",
                 "--cache-dir", tmp_path / "c")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no cast asked for: no news that the narrator reads all


def test_preview_warns_about_the_scenes_quotes_no_rule_settled(zed_script, small_voices,
                                                               tmp_path):
    script = zed_script
    args = ("preview", script, "--voices", small_voices, "--out", tmp_path / "p.wav",
            "--engine", "fake", "--cache-dir", tmp_path / "c")
    result = run(*args, "--chapter", "2")
    assert result.exit_code == 0, result.output
    assert result.stderr == (  # its own quotes only: chapter 1's are not in this clip
        f"Warning: {script}: the narrator reads 1 quote whose speaker was not found; "
        f"`audiobook inspect {script} --voices {small_voices}` lists it\n")


def test_inspect_shows_a_part_heading_in_its_first_chapters_title(tmp_path):
    script = tmp_path / "india.txt"
    script.write_text("A PASSAGE TO INDIA\n\nPART I: MOSQUE\n\nCHAPTER I\n\nExcept for the "
                      "Marabar Caves.\n\nCHAPTER II\n\nHe ran.\n", encoding="utf-8")
    result = run("inspect", script)
    assert result.stdout == ("A PASSAGE TO INDIA\n\n"
                             "Chapter 1: PART I: MOSQUE. CHAPTER I\n  Scene 1\n"
                             "       7 narrator   Except for the Marabar Caves.\n\n"
                             "Chapter 2: CHAPTER II\n  Scene 1\n"
                             "      11 narrator   He ran.\n")


@pytest.mark.parametrize(("command", "default"), [
    (["render"], "./voices.yaml if there is one, else the narrator reads everything"),
    (["inspect"], "./voices.yaml if there is one, else the narrator reads everything"),
    (["preview"], "./voices.yaml if there is one, else the narrator reads everything"),
    (["voices", "try"], "./voices.yaml if there is one, else the narrator reads everything"),
    (["voices", "check"], "./voices.yaml"),
])
def test_voices_help_says_what_each_command_takes_without_it(command, default):
    result = CliRunner().invoke(cli, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    said = " ".join(result.output.split())
    assert f"--voices FILE The cast: voices.yaml. [default: {default}]" in said


def test_inspect_of_a_book_without_quotes_says_none_rather_than_nothing(tmp_path):
    script = tmp_path / "quiet.md"
    script.write_text("# Quiet\n\n## One\n\nNo one speaks here.\n", encoding="utf-8")
    voices = tmp_path / "voices.yaml"
    voices.write_text("roles:\n  narrator: {}\n", encoding="utf-8")
    result = run("inspect", script, "--voices", voices)
    assert result.exit_code == 0
    assert result.stdout.endswith(
        "Speaker attribution\n  Quotes: 0\n  Speakers: none\n  Rules: none\n"
        "  Unresolved (read by the narrator): none\n  Low confidence: none\n")


def _cli_into(stdout, *args, cwd):
    """The CLI of this checkout in a real process, its stdout into the given pipe end."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.Popen([sys.executable, "-m", "audiobook", *map(str, args)], cwd=cwd,
                            env=env, stdout=stdout, stderr=subprocess.PIPE, text=True)


def test_output_into_a_pipe_closed_after_one_line_ends_quietly_as_cat_does(tmp_path):
    script = tmp_path / "long.md"  # far more output than a pipe buffers (64 kB)
    script.write_text("# Long\n\n## One\n\n" + "A line of the story.\n\n" * 20000, encoding="utf-8")
    child = _cli_into(subprocess.PIPE, "inspect", script, cwd=tmp_path)
    assert child.stdout.readline() == "Long\n"
    child.stdout.close()  # `| head -1`
    assert child.wait(timeout=60) == 141  # SIGPIPE's status, as `cat` gives under pipefail
    assert child.stderr.read() == ""


@pytest.mark.parametrize("command", [["voices", "list", "--engine", "fake"],
                                     ["inspect", "script/heartstrings.md", "--voices",
                                      "voices.yaml"]])
def test_output_into_a_pipe_nobody_reads_is_no_error(command, repo_root):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    child = _cli_into(write_end, *command, cwd=repo_root)
    os.close(write_end)
    assert child.wait(timeout=60) == 141
    assert child.stderr.read() == ""


def test_a_broken_pipe_that_is_not_stdout_is_not_hushed(tmp_path):
    # A worker's or ffmpeg's pipe breaking is a failure, not a reader gone away: it must not
    # pass for `| head` with status 141.
    script = tmp_path / "s.md"
    script.write_text("# T\n\nText.\n", encoding="utf-8")
    code = ("from audiobook import render\n"
            "def broken(*args): raise BrokenPipeError(32, 'Broken pipe')\n"
            "render.inspect_data = broken\n"
            "from audiobook.cli import main\n"
            "main()\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    child = subprocess.run([sys.executable, "-c", code, "inspect", str(script)], env=env,
                           cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert child.returncode == 1
    assert child.stderr == "Error: broken pipe: [Errno 32] Broken pipe\n"
