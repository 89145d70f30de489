"""Preview speed: one scene against the whole book, both cold, both through the CLI.

    .venv/bin/python bench/preview.py [--scene 3.1] [--runs 3]

Each cold run gets a fresh cache folder, so every sentence is synthesised by the real
engine (pyttsx3 + espeak-ng). Prints median wall-clock seconds (process start included,
as a user waits for it) and, each with its target (issue #4):
  cold scene preview / cold full render   well under 1/3
  warm repeat of the same preview         near instant (no synthesis)
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scene", default="3.1", help="CHAPTER.SCENE to preview (3.1 is the "
                        "book's longest scene: the worst case)")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    common = [str(SCRIPT), "--voices", str(VOICES)]
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        renders, previews, warm = [], [], []
        for run in range(options.runs):
            renders.append(timed(["render", *common, "--out", str(work / f"book{run}"), "-q",
                                  "--cache-dir", str(work / f"render-cache{run}")]))
            cache = str(work / f"preview-cache{run}")
            preview = ["preview", *common, "--scene", options.scene, "--cache-dir", cache,
                       "--out", str(work / "preview.wav")]
            previews.append(timed(preview))
            warm.append(timed(preview))
        render_s, preview_s, warm_s = (statistics.median(x) for x in (renders, previews, warm))
    print(f"cold full render (mp3, default jobs)  {render_s:6.2f} s")
    print(f"cold preview --scene {options.scene:<16} {preview_s:6.2f} s")
    print(f"warm preview (same scene again)       {warm_s:6.2f} s")
    ratio = preview_s / render_s
    print(f"cold preview / cold render            {ratio:6.2f}   (target well under 0.33)")
    print(f"warm preview / cold render            {warm_s / render_s:6.2f}")


if __name__ == "__main__":
    main()
