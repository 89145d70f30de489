"""Killing a real `audiobook render` at several moments: no half-written file at a final
path, the same command finishes the book reusing what was done, and the result is the
uninterrupted render's, sample for sample. And two renders of one book at once."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest

AUDIOBOOK = str(Path(sys.executable).with_name("audiobook"))
REPO = Path(__file__).resolve().parent.parent
BOOK = "heartstrings"
INTERRUPTED = "Interrupted; finished work is kept. Run the same command to resume.\n"


def start(repo_root, out: Path, cache: Path, logs: Path, fmt: str = "wav") -> subprocess.Popen:
    """A render in its own session, like a terminal job; output to files, since a
    process killed with -9 leaves pipes open in whatever it started."""
    logs.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [AUDIOBOOK, "render", str(repo_root / "script" / f"{BOOK}.md"), "--engine", "fake",
         "--format", fmt, "--jobs", "2", "--out", str(out), "--cache-dir", str(cache), "-q"],
        stdout=open(logs / "stdout", "w"), stderr=open(logs / "stderr", "w"),  # noqa: SIM115
        start_new_session=True, cwd=logs,  # no ./voices.yaml: the narrator-only book
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # SIGABRT prints every thread's stack
    )


def finish(proc: subprocess.Popen, logs: Path) -> tuple[int, str, str]:
    try:
        code = proc.wait(timeout=60)
    except subprocess.TimeoutExpired:  # a hang: show where each thread of it waits
        os.kill(proc.pid, signal.SIGABRT)
        proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the render hung; its threads:\n" + (logs / "stderr").read_text())
    return code, (logs / "stdout").read_text(), (logs / "stderr").read_text()


def wait_for(condition, proc, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"the render ended before {what}"
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.002)


def group_members(pgid: int) -> list[str]:
    """Live (not zombie) processes of a process group, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(text[: text.rindex(")") + 1])
    return found


def frames(path: Path) -> bytes:
    with wave.open(str(path)) as wav:
        data = wav.readframes(wav.getnframes())
        assert len(data) == wav.getnframes() * wav.getsampwidth()  # nothing cut off
        return data


def final_files(folder: Path) -> dict[str, Path]:
    return {p.name: p for p in folder.iterdir() if not p.name.startswith(".")}


def cache_entries(cache: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in cache.glob("*/*.pcm")}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted render: {file name: frames for WAVs, bytes for the rest}."""
    root = tmp_path_factory.mktemp("reference")
    code, out, err = finish(start(REPO, root / "out", root / "cache", root), root)
    assert code == 0, err
    files = final_files(root / "out" / BOOK)
    assert sum(name.endswith(".wav") for name in files) == 5
    return {name: frames(p) if name.endswith(".wav") else p.read_bytes()
            for name, p in files.items()}


def check_nothing_half_written(folder: Path, reference: dict) -> None:
    """Whatever sits at a final path is whole: the reference's file exactly."""
    if not folder.exists():
        return
    for name, path in final_files(folder).items():
        if name == "manifest.json":
            json.loads(path.read_text())  # valid JSON, or absent
        got = frames(path) if name.endswith(".wav") else path.read_bytes()
        assert got == reference[name], f"{name} differs from the uninterrupted render"
    state = folder / ".audiobook-state.json"
    if state.exists():
        json.loads(state.read_text())


def speech_cached(cache: Path):
    return lambda: any(cache.glob("*/*.pcm"))


def encoding(folder: Path):
    return lambda: folder.is_dir() and any(p.name.startswith(".0") for p in folder.iterdir())


def chapter_done(folder: Path):
    return lambda: (folder / "01-alex-and-emily.wav").exists()


MOMENTS = {
    "synthesizing": speech_cached,
    "encoding": encoding,
    "first-chapter-done": chapter_done,
}


@pytest.mark.parametrize(("how", "moment"), [
    ("ctrl-c", "synthesizing"),  # SIGINT to the whole process group, as a terminal does
    ("ctrl-c", "encoding"),
    ("kill-int", "encoding"),  # SIGINT to the main process only: ffmpeg is not told
    ("kill-9", "synthesizing"),
    ("kill-9", "encoding"),
    ("kill-9", "first-chapter-done"),
])
def test_interrupted_render_resumes_to_the_same_book(repo_root, tmp_path, reference, how, moment):
    out, cache = tmp_path / "out", tmp_path / "cache"
    folder = out / BOOK
    proc = start(repo_root, out, cache, tmp_path / "first")
    wait_for(MOMENTS[moment](cache if moment == "synthesizing" else folder), proc, moment)
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        os.kill(proc.pid, signal.SIGKILL if how == "kill-9" else signal.SIGINT)
    code, stdout, stderr = finish(proc, tmp_path / "first")

    if how == "kill-9":
        assert code == -signal.SIGKILL
    else:  # a clean stop: one line, no traceback from the main process or its workers
        assert (code, stdout, stderr) == (130, "", INTERRUPTED)
    deadline = time.monotonic() + 5
    while group_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert group_members(proc.pid) == []  # no worker or ffmpeg left behind
    check_nothing_half_written(folder, reference)

    kept_speech = cache_entries(cache)
    state_file = folder / ".audiobook-state.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    kept_chapters = sum(1 for stem in state if stem[:1].isdigit())
    assert kept_speech  # every moment is after some speech was cached

    code, stdout, stderr = finish(start(repo_root, out, cache, tmp_path / "again"), tmp_path / "again")
    assert code == 0, stderr
    unchanged = f", {kept_chapters} unchanged" if kept_chapters else ""
    assert stdout == f"Rendered 5 chapters (12:53{unchanged}) into {folder}/\n"
    after = cache_entries(cache)
    assert {k: after.get(k) for k in kept_speech} == kept_speech  # reused, not redone
    files = final_files(folder)
    assert sorted(files) == sorted(reference)
    for name, path in files.items():
        got = frames(path) if name.endswith(".wav") else path.read_bytes()
        assert got == reference[name], f"{name} differs from the uninterrupted render"
    leftovers = [p.name for p in folder.iterdir()
                 if p.name.startswith(".") and p.name not in (".lock", ".audiobook-state.json")]
    assert leftovers == []  # temporary files of the killed render are swept


def lock_held(folder: Path):
    def held() -> bool:
        try:
            with open(folder / ".lock") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except FileNotFoundError:
            return False
        except BlockingIOError:
            return True
        return False

    return held


def test_second_render_into_the_same_book_is_refused(repo_root, tmp_path, reference):
    out = tmp_path / "out"
    first = start(repo_root, out, tmp_path / "cache", tmp_path / "first")
    wait_for(lock_held(out / BOOK), first, "the book lock")
    second = subprocess.run(
        [AUDIOBOOK, "render", str(repo_root / "script" / f"{BOOK}.md"), "--engine", "fake",
         "--format", "wav", "--out", str(out), "--cache-dir", str(tmp_path / "cache2")],
        capture_output=True, text=True, timeout=60, check=False,
        cwd=tmp_path)  # no ./voices.yaml, as for the first: no `Cast:` line before the error
    assert first.poll() is None  # the refusal came while the first was still working
    assert second.returncode == 1
    assert second.stderr == (f"Error: {out / BOOK}: another render is writing this book; "
                             "wait for it to finish\n")
    assert not (tmp_path / "cache2").exists()  # refused before doing any work
    code, _, stderr = finish(first, tmp_path / "first")
    assert code == 0, stderr
    for name, path in final_files(out / BOOK).items():
        got = frames(path) if name.endswith(".wav") else path.read_bytes()
        assert got == reference[name]


@pytest.mark.parametrize("how", ["ctrl-c", "kill-9"])
def test_an_mp3_render_stopped_while_encoding_blocks_resumes_to_the_same_files(
        repo_root, tmp_path, how):
    reference = tmp_path / "reference"
    code, _, stderr = finish(start(repo_root, reference / "out", reference / "cache", reference,
                                   "mp3"), reference)
    assert code == 0, stderr
    expected = {name: p.read_bytes() for name, p in final_files(reference / "out" / BOOK).items()}
    out, cache = tmp_path / "out", tmp_path / "cache"
    folder = out / BOOK
    proc = start(repo_root, out, cache, tmp_path / "first", "mp3")
    wait_for(lambda: folder.is_dir() and any(p.name.startswith(".block-")
                                             for p in folder.iterdir()), proc, "a block")
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        os.kill(proc.pid, signal.SIGKILL)
    code, stdout, stderr = finish(proc, tmp_path / "first")
    assert code == (130 if how == "ctrl-c" else -signal.SIGKILL), stderr
    for name, path in final_files(folder).items():  # whatever is at a final path is whole
        assert path.read_bytes() == expected[name], name
    code, _, stderr = finish(start(repo_root, out, cache, tmp_path / "again", "mp3"),
                             tmp_path / "again")
    assert code == 0, stderr
    assert {name: p.read_bytes() for name, p in final_files(folder).items()} == expected
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".block-")]
