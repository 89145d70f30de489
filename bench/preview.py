"""Preview speed: one scene against the whole book, both cold, both through the CLI.

    .venv/bin/python bench/preview.py [--runs 3]

Every scene of the book is previewed, each with a fresh cache folder, so every sentence is synthesised by the real
engine (pyttsx3 + espeak-ng). Prints median wall-clock seconds (process start included,
as a user waits for it) and, each with its target (issue #4):
  cold scene preview / cold full render   well under 1/3
  warm repeat of the same preview         near instant (no synthesis)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUDIOBOOK = [sys.executable, "-m", "audiobook"]
SCRIPT, VOICES = ROOT / "script" / "heartstrings.md", ROOT / "voices.yaml"


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([*AUDIOBOOK, *args], check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - start


def scenes() -> list[str]:
    from audiobook.render import read_script

    book = read_script(SCRIPT)
    return [f"{c}.{n}" for c, chapter in enumerate(book.chapters, 1)
            for n in range(1, len(chapter.scenes) + 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="cold full renders (median)")
    options = parser.parse_args()
    common = [str(SCRIPT), "--voices", str(VOICES)]
    # Bytecode caching on, as on any normal install (this sandbox turns it off).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        renders = [timed(["render", *common, "--out", str(work / f"book{run}"), "-q",
                          "--cache-dir", str(work / f"render-cache{run}")])
                   for run in range(options.runs)]
        render_s = statistics.median(renders)
        cold, warm = {}, {}
        for place in scenes():  # every scene, each with an empty cache
            preview = ["preview", *common, "--scene", place, "--cache-dir",
                       str(work / f"cache-{place}"), "--out", str(work / "preview.wav")]
            cold[place] = timed(preview)
            warm[place] = timed(preview)
    print(f"cold full render (mp3, default jobs)  {render_s:6.2f} s  (median of {options.runs})")
    for place in cold:
        print(f"  preview --scene {place}  cold {cold[place] / render_s:4.2f}  "
              f"warm {warm[place] / render_s:4.2f}  of the render")
    ratios = sorted(t / render_s for t in cold.values())
    print(f"cold scene preview / cold render: median {statistics.median(ratios):.2f}, "
          f"longest scene {ratios[-1]:.2f}   (target well under 0.33)")
    print(f"warm repeat / cold render: at most {max(warm.values()) / render_s:.2f}")


if __name__ == "__main__":
    main()
