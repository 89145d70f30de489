"""Render speed as ratios against the physical floor L, measured in the same run.

L = raw espeak-ng speaking the whole book's text in one call + one ffmpeg MP3 encode
(192 kbps, 44.1 kHz) of that audio. Ratios, not seconds: machines are noisy and shared.
Each measurement runs --repeat times (default 3) and the fastest run counts, on both sides
of every ratio: noise from other work on the machine only ever adds time.

    .venv/bin/python bench/render_speed.py [--novel-words 20000] [--repeat 3]

Prints, each with its target (issue #5):
  cold render (default --jobs)        <= 1.0 L
  cold render --jobs 1                <= 1.5 L
  re-render after a one-sentence edit <= 0.15 x cold
  novel per-word time / book per-word <= 1.2
  peak RSS of the largest process     <= 500 MB
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audiobook import tools  # noqa: E402
from audiobook.render import read_script  # noqa: E402


def book_text(script: Path) -> str:
    book = read_script(script)
    return "\n\n".join(s.text for s in book.segments())


def raw_espeak_wav(text: str, wav_path: Path) -> None:
    """espeak-ng alone: the CLI when installed, else the same library in one synchronous call."""
    cli = shutil.which("espeak-ng")
    if cli:
        subprocess.run([cli, "-w", str(wav_path), "--stdin"], input=text.encode(), check=True)
        return
    library, data = tools.espeak_library()
    lib = ctypes.CDLL(library)
    rate = lib.espeak_Initialize(2, 0, data.encode() if data else None, 0)  # 2 = SYNCHRONOUS
    chunks: list[bytes] = []
    callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                     ctypes.c_void_p)

    def on_audio(wav, count, events):
        if count > 0:
            chunks.append(ctypes.string_at(wav, count * 2))
        return 0

    keep = callback_type(on_audio)
    lib.espeak_SetSynthCallback(keep)
    lib.espeak_SetVoiceByName(b"gmw/en-us")
    encoded = text.encode()
    lib.espeak_Synth(encoded, len(encoded) + 1, 0, 0, 0, 0x1, None, None)  # 0x1 = CHARS_UTF8
    with wave.open(str(wav_path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(chunks))


def floor_seconds(text: str, work: Path) -> tuple[float, float, float]:
    """(espeak seconds, ffmpeg seconds, audio seconds), espeak in a fresh process."""
    wav = work / "raw.wav"
    code = (
        "import sys, time; sys.path.insert(0, %r); from bench.render_speed import raw_espeak_wav;"
        "from pathlib import Path; t = time.perf_counter();"
        "raw_espeak_wav(open(%r).read(), Path(%r)); print(time.perf_counter() - t)"
    )
    text_file = work / "text.txt"
    text_file.write_text(text)
    out = subprocess.run([sys.executable, "-c", code % (str(ROOT), str(text_file), str(wav))],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    espeak_s = float(out.stdout.strip().splitlines()[-1])
    start = time.perf_counter()
    subprocess.run([tools.ffmpeg(), "-v", "error", "-y", "-i", str(wav), "-c:a", "libmp3lame",
                    "-b:a", "192k", "-ar", "44100", str(work / "raw.mp3")], check=True)
    ffmpeg_s = time.perf_counter() - start
    with wave.open(str(wav)) as w:
        audio_s = w.getnframes() / w.getframerate()
    return espeak_s, ffmpeg_s, audio_s


def timed_render(script: Path, out: Path, cache: Path, *extra: str) -> tuple[float, int]:
    """(seconds, peak RSS in KB of the largest process) for one `audiobook render`."""
    cmd = [sys.executable, "-m", "audiobook", "render", str(script), "--voices",
           str(ROOT / "voices.yaml"), "--out", str(out), "--cache-dir", str(cache), "--quiet",
           *extra]
    # Bytecode caching on, as on any normal install (this sandbox sets PYTHONDONTWRITEBYTECODE).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"render failed: {' '.join(cmd)}")
    # ru_maxrss of wait4 is the largest single descendant process, in KB on Linux.
    return seconds, usage.ru_maxrss


def novel_script(words: int, work: Path) -> Path:
    """A plain-text novel of about `words` words made from the bundled story's paragraphs."""
    book = read_script(ROOT / "script/heartstrings.md")
    paragraphs = []
    for chapter in book.chapters:
        for scene in chapter.scenes:
            for p in scene.paragraphs:
                paragraphs.append(" ".join(
                    f'"{s.text}"' if s.kind == "dialogue" else s.text for s in p.segments))
    out, count, chapter = ["A Long Novel", ""], 0, 0
    while count < words:
        chapter += 1
        out += [f"CHAPTER {chapter}", ""]
        for p in paragraphs:
            # A numbered variation per chapter, so nothing is served from the cache.
            text = f"In chapter {chapter}, {p[0].lower()}{p[1:]}"
            out += [text, ""]
            count += len(text.split())
            if count >= words:
                break
    path = work / "novel.txt"
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--novel-words", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each measurement; the fastest counts (noise only adds)")
    args = parser.parse_args()
    script = ROOT / "script/heartstrings.md"
    runs = range(max(1, args.repeat))
    with tempfile.TemporaryDirectory(prefix="audiobook-bench-") as tmp:
        work = Path(tmp)
        text = book_text(script)
        words = len(text.split())
        floors = [floor_seconds(text, work) for _ in runs]
        espeak_s = min(f[0] for f in floors)
        ffmpeg_s = min(f[1] for f in floors)
        audio_s = floors[0][2]
        floor = espeak_s + ffmpeg_s

        colds = [timed_render(script, work / f"o1-{i}", work / f"c1-{i}") for i in runs]
        cold, rss = min(c[0] for c in colds), max(c[1] for c in colds)
        cold1s = [timed_render(script, work / f"o2-{i}", work / f"c2-{i}", "--jobs", "1")
                  for i in runs]
        cold1, rss1 = min(c[0] for c in cold1s), max(c[1] for c in cold1s)

        source = script.read_text(encoding="utf-8")
        sentence = "The silence she left behind was deafening."
        shutil.copy(script, work / "heartstrings.md")
        timed_render(work / "heartstrings.md", work / "o3", work / "c3")
        folder = work / "o3" / "heartstrings"
        edits, untouched = [], []
        for word in ("loud", "heavy", "endless", "total", "cruel")[: len(runs)]:
            (work / "heartstrings.md").write_text(
                source.replace(sentence, f"The silence she left behind was {word}."),
                encoding="utf-8")
            before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.glob("*.mp3")}
            edits.append(timed_render(work / "heartstrings.md", work / "o3", work / "c3")[0])
            after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.glob("*.mp3")}
            untouched.append(sum(before[n] == after[n] for n in before))
        edit = min(edits)

        novel = novel_script(args.novel_words, work)
        novel_words = len(re.findall(r"\S+", novel.read_text()))
        novels = [timed_render(novel, work / f"o4-{i}", work / f"c4-{i}") for i in runs]
        novel_s, novel_rss = min(n[0] for n in novels), max(n[1] for n in novels)

    per_word_book = cold / words
    per_word_novel = novel_s / novel_words
    rows = [
        ("floor L = espeak-ng + ffmpeg mp3", f"{floor:.2f} s", f"(espeak {espeak_s:.2f} s, ffmpeg {ffmpeg_s:.2f} s, {audio_s / 60:.1f} min audio)", ""),
        ("cold render, default jobs", f"{cold / floor:.2f} L", "target <= 1.0 L", "ok" if cold <= floor else "MISS"),
        ("cold render, --jobs 1", f"{cold1 / floor:.2f} L", "target <= 1.5 L", "ok" if cold1 <= 1.5 * floor else "MISS"),
        ("re-render after 1-sentence edit", f"{edit / cold:.2f} x cold", f"target <= 0.15; {min(untouched)}/{len(before)} chapter files untouched", "ok" if edit <= 0.15 * cold else "MISS"),
        (f"novel ({novel_words} words) per-word time", f"{per_word_novel / per_word_book:.2f} x book", "target <= 1.2", "ok" if per_word_novel <= 1.2 * per_word_book else "MISS"),
        ("peak RSS, largest process", f"{max(rss, rss1, novel_rss) / 1024:.0f} MB", "target <= 500 MB", "ok" if max(rss, rss1, novel_rss) <= 500 * 1024 else "MISS"),
    ]
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, ffmpeg {tools.ffmpeg()}; "
          f"fastest of {len(runs)} runs each")
    for name, value, note, verdict in rows:
        print(f"{name:<40} {value:>12}  {note} {verdict}".rstrip())


if __name__ == "__main__":
    main()
