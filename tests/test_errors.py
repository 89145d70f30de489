"""Bad input and faults, through the CLI: one `Error: ...` line naming the file and the line
or key, exit status 1, no traceback; warnings keep exit status 0."""

from __future__ import annotations

import json
import os
import pickle
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from audiobook import tools
from audiobook.cast import load_cast
from audiobook.cli import cli
from audiobook.engines.fake import FakeEngine
from audiobook.errors import CastError, ScriptError
from audiobook.render import read_script
from audiobook.synth import UtteranceFailed

AUDIOBOOK = str(Path(sys.executable).with_name("audiobook"))


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def render(script, *extra, out, cache):
    return invoke("render", script, "--engine", "fake", "--format", "wav", "--out", out,
                  "--cache-dir", cache, *extra)


def assert_error(result, line: str):
    assert result.stderr.splitlines() == [line], result.stderr
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # not an escaped exception
    assert result.stdout == ""


@pytest.fixture
def script(tmp_path):
    def write(text: str, name: str = "story.md") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def out(tmp_path):
    return tmp_path / "out"


# --- the script ------------------------------------------------------------------------


def test_missing_script(tmp_path, out, cache_dir):
    missing = tmp_path / "nope.md"
    assert_error(render(missing, out=out, cache=cache_dir), f"Error: {missing}: no such file")


def test_folder_given_for_script_or_voices(tmp_path):
    # The CLI's click paths refuse folders first; the library says the same in its own words.
    folder = tmp_path / "chapters"
    folder.mkdir()
    with pytest.raises(ScriptError, match=r"chapters: is a folder, not a file$"):
        read_script(folder)
    with pytest.raises(CastError, match=r"chapters: is a folder, not a file$"):
        load_cast(folder)


@pytest.mark.parametrize("text", ["", "\n\n  \n", "<!-- only a comment -->\n", "# Just a title\n"])
def test_script_without_text(script, out, cache_dir, text):
    path = script(text)
    assert_error(render(path, out=out, cache=cache_dir), f"Error: {path}: no text to read")


def test_binary_script(tmp_path, out, cache_dir):
    path = tmp_path / "cover.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert_error(render(path, out=out, cache=cache_dir),
                 f"Error: {path}: looks like a binary file, not a text script")


LEGACY = "# Caf\u00e9\n\n## One\n\nThe caf\u00e9 was warm.\n\n\u201cHello,\u201d said Zo\u00eb \u2014 softly.\n"


def test_windows_1252_script_is_read_with_a_warning(tmp_path, out, cache_dir):
    path = tmp_path / "legacy.md"
    path.write_bytes(LEGACY.encode("cp1252"))
    result = render(path, out=out, cache=cache_dir)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"Warning: {path}: line 1: not UTF-8; read as Windows-1252. Save the script as UTF-8 "
        "to be sure every character is right"
    ]
    manifest = json.loads((out / "cafe" / "manifest.json").read_text(encoding="utf-8"))
    texts = [s["text"] for s in manifest["chapters"][0]["segments"]]
    assert texts == ["One", "The caf\u00e9 was warm.", "Hello,", "said Zo\u00eb \u2014 softly."]


def test_utf16_script_with_bom_is_read_silently(tmp_path, out, cache_dir):
    path = tmp_path / "wide.md"
    path.write_bytes(LEGACY.encode("utf-16"))  # what Windows Notepad calls "Unicode"
    result = invoke("inspect", path, "--json")
    assert result.exit_code == 0 and result.stderr == ""
    data = json.loads(result.stdout)
    assert data["title"] == "Caf\u00e9"
    assert data["chapters"][0]["scenes"][0]["segments"][0]["text"] == "The caf\u00e9 was warm."


def test_undecodable_script_names_the_line(tmp_path, out, cache_dir):
    path = tmp_path / "mangled.md"
    path.write_bytes(b"# T\n\n## One\n\nfine\nbroken \x81\x8d here\n")  # not UTF-8, not cp1252
    assert_error(render(path, out=out, cache=cache_dir),
                 f"Error: {path}:6: not UTF-8 text (save the file as UTF-8)")


def test_unclosed_quote_warns_with_its_line_and_renders(script, out, cache_dir):
    path = script('# T\n\n## One\n\nShe said, "Wait for me.\n\nThe door shut.\n')
    result = render(path, out=out, cache=cache_dir)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [f"Warning: {path}: line 5: quotation is never closed"]
    manifest = json.loads((out / "t" / "manifest.json").read_text())
    assert [s["text"] for s in manifest["chapters"][0]["segments"]] == [
        "One", "She said,", "Wait for me.", "The door shut."]
    assert (out / "t" / "01-one.wav").is_file()


def test_chapter_without_text_warns_and_is_skipped(script, out, cache_dir):
    path = script("# T\n\n## One\n\nText.\n\n## Empty\n\n## Three\n\nMore.\n")
    result = render(path, out=out, cache=cache_dir)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"Warning: {path}: line 7: chapter 'Empty' has no text; skipped"]
    assert sorted(p.name for p in (out / "t").glob("*.wav")) == ["01-one.wav", "02-three.wav"]


def test_override_naming_an_uncast_role(script, tmp_path, out, cache_dir):
    voices = tmp_path / "voices.yaml"
    voices.write_text("roles:\n  narrator: {}\n  anna: {name: Anna}\n")
    path = script('# T\n\n## One\n\nA line.\n[bob] "Hi," he said.\n')
    assert_error(render(path, "--voices", voices, out=out, cache=cache_dir),
                 f"Error: {path}:6: [bob] is not a role in {voices} (roles: narrator, anna)")


# --- voices.yaml -----------------------------------------------------------------------

CAST_ERRORS = [
    ("roles:\n  narrator:\n    rate: 150\n   pitch: 40\n",
     "4: not valid YAML: expected <block end>, but found '<block mapping start>'"),
    ("roles:\n  narrator:\n\trate: 150\n",
     "3: not valid YAML: found character '\\t' that cannot start any token"),
    ("roles:\n  - narrator\n  - anna\n", "1: roles: must be a mapping, not a list"),
    ("roles:\n  narrator:\n    rate: 150\n    colour: red\n",
     "4: roles.narrator.colour: unknown key (expected one of: "),
    ("roles:\n  narrator:\n    rate: fast\n", "3: roles.narrator.rate: 'fast' must be a whole number"),
    ("roles:\n  narrator:\n    pitch: 150\n", "3: roles.narrator.pitch: 150 is out of range (0-100)"),
    ("roles:\n  narrator:\n    volume: -0.5\n",
     "3: roles.narrator.volume: -0.5 is out of range (0.0-1.0)"),
    ("roles:\n  anna:\n    pitch: 50\n", "1: roles.narrator: missing; the narrator role is required"),
]


@pytest.mark.parametrize(("yaml_text", "expected"), CAST_ERRORS,
                         ids=["indent", "tab", "list", "unknown", "type", "range", "volume", "narrator"])
def test_voices_yaml_errors_name_file_line_and_key(script, tmp_path, out, cache_dir,
                                                    yaml_text, expected):
    voices = tmp_path / "voices.yaml"
    voices.write_text(yaml_text)
    result = render(script("# T\n\nText.\n"), "--voices", voices, out=out, cache=cache_dir)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: {voices}:{expected}")
    assert not out.exists()  # refused before any work


def test_voices_yaml_saved_as_utf16_is_read_and_one_not_utf8_names_its_line(
        script, tmp_path, out, cache_dir):
    voices = tmp_path / "voices.yaml"
    voices.write_bytes("roles:\n  narrator: {name: Zo\u00eb}\n".encode("utf-16"))  # Notepad
    story = script("# T\n\nText.\n")
    assert invoke("inspect", story, "--voices", voices).exit_code == 0
    voices.write_bytes("roles:\n  narrator: {}\n  zoe: {name: Zo\u00eb}\n".encode("cp1252"))
    assert_error(render(story, "--voices", voices, out=out, cache=cache_dir),
                 f"Error: {voices}:3: not UTF-8 text (save the file as UTF-8)")


def test_missing_voices_yaml(script, tmp_path, out, cache_dir):
    voices = tmp_path / "voices.yaml"
    assert_error(render(script("Text.\n"), "--voices", voices, out=out, cache=cache_dir),
                 f"Error: {voices}: no such file (check the --voices path)")


# --- where the book goes ---------------------------------------------------------------


def test_output_path_is_a_file(script, tmp_path, cache_dir):
    target = tmp_path / "taken"
    target.write_text("mine")
    assert_error(render(script("# T\n\nText.\n"), out=target, cache=cache_dir),
                 f"Error: {target}: exists and is not a folder; choose another --out")
    assert target.read_text() == "mine"


def test_book_folder_is_a_file(script, out, cache_dir):
    (out).mkdir()
    (out / "t").write_text("mine")
    assert_error(render(script("# T\n\nText.\n"), out=out, cache=cache_dir),
                 f"Error: {out / 't'}: exists and is not a folder; choose another --out")


def test_output_folder_that_cannot_be_created(script, cache_dir):
    out = Path("/sys/audiobook-test")  # sysfs refuses new folders, even to root
    try:
        out.mkdir()
    except OSError as bad:
        reason = bad.strerror
    else:
        out.rmdir()
        pytest.skip("/sys is writable here")
    assert_error(render(script("# T\n\nText.\n"), out=out, cache=cache_dir),
                 f"Error: {out / 't'}: cannot create folder ({reason}); choose another --out")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permissions")
def test_output_folder_not_writable(script, out, cache_dir):
    (out / "t").mkdir(parents=True)
    (out / "t").chmod(0o555)
    try:
        assert_error(render(script("# T\n\nText.\n"), out=out, cache=cache_dir),
                     f"Error: {out / 't'}: not writable; choose another --out")
    finally:
        (out / "t").chmod(0o755)


def test_cache_not_writable(script, tmp_path, out):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")  # the cache cannot be created under it, even by root
    result = render(script("# T\n\nText.\n"), out=out, cache=blocker / "cache")
    assert_error(result, f"Error: {blocker / 'cache'}: part of this path is a file; "
                         "choose another --out or --cache-dir")


# --- disk full -------------------------------------------------------------------------


def _cli(*args, cwd, preexec_fn=None, prefix=()):
    return subprocess.run([*prefix, AUDIOBOOK, *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=60, preexec_fn=preexec_fn, check=False)


def _tmpfs_available(tmp_path) -> bool:
    probe = tmp_path / "probe"
    probe.mkdir()
    ok = subprocess.run(["unshare", "-Urm", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {probe}"],
                        capture_output=True, check=False) if shutil.which("unshare") else None
    return bool(ok) and ok.returncode == 0


@pytest.mark.parametrize("full", ["book", "cache"])
def test_disk_full(repo_root, tmp_path, full):
    """A real full disk: a 256 kB tmpfs in a private mount namespace (no root needed)."""
    if not _tmpfs_available(tmp_path):
        pytest.skip("cannot mount a tmpfs in a user namespace here")
    small = tmp_path / "small"
    small.mkdir()
    out = small / "out" if full == "book" else tmp_path / "out"
    cache = small / "cache" if full == "cache" else tmp_path / "cache"
    mount = f"mount -t tmpfs -o size=256k tmpfs {small} && exec \"$0\" \"$@\""
    result = _cli("render", repo_root / "script" / "heartstrings.md", "--engine", "fake",
                  "--format", "wav", "--out", out, "--cache-dir", cache, "-q", "--jobs", "1",
                  cwd=tmp_path, prefix=("unshare", "-Urm", "sh", "-c", mount))
    where = out / "heartstrings" if full == "book" else cache
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"Error: {where}: disk full; free some space, then run the same command again"]


def test_file_size_limit(repo_root, tmp_path):
    """RLIMIT_FSIZE: Python's writes fail with EFBIG, ffmpeg's get SIGXFSZ."""
    story = repo_root / "script" / "heartstrings.md"
    args = ("--engine", "fake", "--format", "wav", "--cache-dir", tmp_path / "cache", "-q")
    warm = _cli("render", story, "--out", tmp_path / "warm", *args, cwd=tmp_path)
    assert warm.returncode == 0, warm.stderr  # speech cached: only chapter files are big now

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    result = _cli("render", story, "--out", tmp_path / "out", *args, cwd=tmp_path, preexec_fn=limit)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"Error: {tmp_path / 'out' / 'heartstrings'}: file size limit reached (ulimit -f)"]
    # no chapter file, whole or half: only the lock and the state naming what was being written
    assert sorted(p.name for p in (tmp_path / "out" / "heartstrings").iterdir()) == [
        ".audiobook-state.json", ".lock"]


# --- missing programs ------------------------------------------------------------------


@pytest.fixture
def no_ffmpeg(monkeypatch):
    monkeypatch.delenv("AUDIOBOOK_FFMPEG", raising=False)
    monkeypatch.setattr(tools.shutil, "which", lambda name: None)
    monkeypatch.setattr(tools.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # import fails
    tools.ffmpeg.cache_clear()
    yield
    tools.ffmpeg.cache_clear()


def test_ffmpeg_missing_says_how_to_install(no_ffmpeg, script, out, cache_dir):
    result = render(script("# T\n\nText.\n"), out=out, cache=cache_dir)
    assert_error(result, "Error: ffmpeg not found: install it (apt install ffmpeg) "
                         "or `pip install imageio-ffmpeg`")
    assert not cache_dir.exists()  # refused before any synthesis


def test_bundled_ffmpeg_is_the_one_imageio_ffmpeg_names():
    import imageio_ffmpeg  # the slow way we avoid: it imports the package and runs ffmpeg

    assert tools.bundled_ffmpeg() == imageio_ffmpeg.get_ffmpeg_exe()


def test_ffmpeg_override_pointing_nowhere(monkeypatch, script, out, cache_dir):
    monkeypatch.setenv("AUDIOBOOK_FFMPEG", "/nowhere/ffmpeg")
    tools.ffmpeg.cache_clear()
    try:
        result = render(script("# T\n\nText.\n"), out=out, cache=cache_dir)
    finally:
        monkeypatch.delenv("AUDIOBOOK_FFMPEG")
        tools.ffmpeg.cache_clear()
    assert_error(result, "Error: AUDIOBOOK_FFMPEG=/nowhere/ffmpeg: no such program (fix or unset it)")


def test_espeak_missing_says_how_to_install(monkeypatch, script, out, cache_dir):
    monkeypatch.setattr(tools, "system_espeak", lambda: None)
    monkeypatch.setitem(sys.modules, "espeakng_loader", None)  # import fails
    tools.espeak_library.cache_clear()
    try:
        result = invoke("render", script("# T\n\nText.\n"), "--engine", "pyttsx3",
                        "--out", out, "--cache-dir", cache_dir)
    finally:
        tools.espeak_library.cache_clear()
    assert_error(result, "Error: espeak-ng not found: install it (apt install espeak-ng) "
                         "or `pip install espeakng-loader`")


# --- the engine ------------------------------------------------------------------------

ENGINE_SCRIPT = "# T\n\n## One\n\nA first line.\n\nThe lamp hums.\n\nA last line.\n"


@pytest.fixture
def engine_calls(monkeypatch):
    """FakeEngine.synthesize returning `answers[text]` in turn (then real audio); records calls."""
    calls: list[str] = []
    answers: dict[str, list[bytes]] = {}
    real = FakeEngine.synthesize

    def synthesize(self, text, voice):
        calls.append(text)
        queue = answers.get(text)
        return queue.pop(0) if queue else real(self, text, voice)

    monkeypatch.setattr(FakeEngine, "synthesize", synthesize)
    return calls, answers


@pytest.mark.parametrize("bad", [b"", bytes(4000)], ids=["empty", "silent"])
def test_engine_without_audio_twice_names_the_line(engine_calls, script, out, cache_dir, bad):
    calls, answers = engine_calls
    answers["The lamp hums."] = [bad, bad]
    path = script(ENGINE_SCRIPT)
    result = render(path, "--jobs", "1", out=out, cache=cache_dir)
    assert_error(result, f"Error: {path}:7: the fake engine returned no audio for "
                         "'The lamp hums.', also on a retry")
    assert calls.count("The lamp hums.") == 2  # one retry, no more
    assert not list((out / "t").glob("*.wav"))


def test_engine_without_audio_once_is_retried(engine_calls, script, out, cache_dir):
    calls, answers = engine_calls
    answers["The lamp hums."] = [b""]
    result = render(script(ENGINE_SCRIPT), "--jobs", "1", out=out, cache=cache_dir)
    assert result.exit_code == 0, result.output
    assert calls.count("The lamp hums.") == 2
    manifest = json.loads((out / "t" / "manifest.json").read_text())
    lamp = manifest["chapters"][0]["segments"][2]
    assert lamp["text"] == "The lamp hums."
    assert lamp["end_ms"] - lamp["start_ms"] == round(3 * 60000 / 165)  # 3 words at 165 wpm


def test_silent_role_in_worker_processes_names_the_line(script, tmp_path, out, cache_dir):
    """Volume 0 makes the fake engine write silence, inside real worker processes."""
    voices = tmp_path / "voices.yaml"
    voices.write_text("roles:\n  narrator: {}\n  ben: {name: Ben, volume: 0}\n")
    lines = [f"Sentence number {n} is here." for n in range(40)]
    lines.insert(20, '"Nothing," said Ben.')
    path = script("# T\n\n## One\n\n" + "\n\n".join(lines) + "\n")
    result = render(path, "--voices", voices, "--jobs", "2", out=out, cache=cache_dir)
    assert_error(result, f"Error: {path}:45: the fake engine returned no audio for "
                         "'Nothing,', also on a retry")


def test_an_engine_rate_that_does_not_divide_into_mp3_frames_stops_only_mp3(
        monkeypatch, script, out, cache_dir):
    monkeypatch.setattr(FakeEngine, "sample_rate", 16000)
    path = script(ENGINE_SCRIPT)
    wav = render(path, "--jobs", "1", out=out, cache=cache_dir)
    assert wav.exit_code == 0, wav.output
    assert (out / "t" / "01-one.wav").is_file()
    mp3 = invoke("render", path, "--engine", "fake", "--format", "mp3", "--jobs", "1",
                 "--out", out, "--cache-dir", cache_dir)
    assert_error(mp3, "Error: the engine speaks at 16000 Hz, which does not divide into MP3 "
                      "frames of 44100 Hz; for MP3 use an engine at 11025, 22050 or 44100 Hz, "
                      "or choose --format wav or m4b")


def test_utterance_failure_survives_pickling():
    again = pickle.loads(pickle.dumps(UtteranceFailed(12, "no audio")))
    assert (again.line, again.message, str(again)) == (12, "no audio", "line 12: no audio")


# --- --debug ---------------------------------------------------------------------------


def test_debug_shows_the_traceback(tmp_path):
    plain = _cli("render", "nope.md", "--engine", "fake", cwd=tmp_path)
    debug = _cli("--debug", "render", "nope.md", "--engine", "fake", cwd=tmp_path)
    assert plain.returncode == 1 and plain.stderr == "Error: nope.md: no such file\n"
    assert debug.returncode == 1
    assert debug.stderr.startswith("Traceback (most recent call last):")
    assert debug.stderr.splitlines()[-1] == "audiobook.errors.ScriptError: nope.md: no such file"


# --- preview and voices try share the render's fault handling ---------------------------


def test_preview_into_a_path_under_a_file(script, tmp_path, cache_dir):
    story = script('# T\n\n## C\n\n"Hello," said the narrator.\n')
    blocker = tmp_path / "book.txt"
    blocker.write_text("x")
    result = invoke("preview", story, "--scene", "1.1", "--engine", "fake",
                    "--out", blocker / "x.wav", "--cache-dir", cache_dir)
    assert_error(result, f"Error: {blocker}: part of this path is a file; "
                         "choose another --out or --cache-dir")


def test_preview_is_a_wav_whatever_the_name_says(script, tmp_path, cache_dir):
    story = script('# T\n\n## C\n\nSome words.\n')
    result = invoke("preview", story, "--scene", "1.1", "--engine", "fake",
                    "--out", tmp_path / "p.mp3", "--cache-dir", cache_dir)
    assert_error(result, f"Error: {tmp_path / 'p.mp3'}: previews are WAV files; name it p.wav")
    assert not (tmp_path / "p.mp3").exists()


def test_override_without_voices_names_the_default_cast(script, out, cache_dir):
    story = script('# T\n\n## C\n\n[bob] "Hi."\n')
    assert_error(render(story, out=out, cache=cache_dir),
                 f"Error: {story}:5: [bob] is not a role in the narrator-only cast used "
                 "without --voices (roles: narrator)")


def test_preview_reports_the_scripts_warnings(script, tmp_path, cache_dir):
    story = script('# T\n\n## C\n\n"Hello there.\n\nMore.\n')
    result = invoke("preview", story, "--scene", "1.1", "--engine", "fake",
                    "--out", tmp_path / "p.wav", "--cache-dir", cache_dir)
    assert result.exit_code == 0
    assert result.stderr == f"Warning: {story}: line 5: quotation is never closed\n"
