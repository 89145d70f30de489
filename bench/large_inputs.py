"""Time and peak memory of what `render` does before any sound, on large scripts.

    python bench/large_inputs.py [--whole] [MEGABYTES ...]     (default: 1 5 50)

Each size runs in a fresh process (the memory high-water mark is per process) on a
novel-shaped script from tests/test_large.py (a chapter every 200 paragraphs, two
paragraphs in three with a short exchange), written to a file and read as `render` reads
it: a survey pass (parse, check overrides, keep the chapters if the book is small) and a
pass that attributes and plans one chapter at a time, each plan dropped once its reuse key
is known. Prints seconds per pass and the peak RSS added over the script's own text, so
both linearity and the memory bound show across sizes. With --whole it measures the
old whole-book path instead (parse -> attribute -> plan_book, all held at once).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, sys, tempfile, time
from pathlib import Path
sys.path[:0] = [{root!r}, {tests!r}]
import test_large as t
from audiobook.render import Reporter, ScriptSource, chapter_plans, survey_script
path = Path(tempfile.mkdtemp()) / "novel.md"
path.write_text(t.novel({size}), encoding="utf-8")
source = ScriptSource.read(path)
before = t._reset_peak()
start = time.perf_counter()
if {whole}:
    from audiobook.attribution import attribute
    from audiobook.plan import plan_book
    from audiobook.script import parse
    book = attribute(parse(source.text), t.CAST)
    surveyed = time.perf_counter()
    plans = plan_book(book, t.CAST, "fake/1")
    chapters, utterances = len(plans), sum(1 for p in plans for _ in p.utterances)
else:
    survey = survey_script(source, t.CAST, Reporter())
    surveyed = time.perf_counter()
    chapters = utterances = 0
    for plan in chapter_plans(source, survey, t.CAST, "fake/1"):
        plan.key  # what the render asks of every chapter: may it be reused?
        chapters += 1
        utterances += sum(1 for _ in plan.utterances)
planned = time.perf_counter()
print(json.dumps({{
    "survey": surveyed - start, "plan": planned - surveyed,
    "peak_mb": t._memory_mb("VmHWM") - before,
    "text_mb": len(source.text) / 1e6, "chapters": chapters, "utterances": utterances,
}}))
"""


def measure(megabytes: float, whole: bool = False) -> dict:
    code = CHILD.format(root=str(ROOT), tests=str(ROOT / "tests"), size=int(megabytes * 1e6),
                        whole=whole)
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    return json.loads(child.stdout)


def main(sizes: list[float], whole: bool) -> None:
    first, second = ("parse+attr s", "plan s") if whole else ("survey s", "plan s")
    print(f"{'MB':>5} {'chapters':>8} {'utterances':>10} {first:>12} {second:>7} {'s/MB':>5} "
          f"{'peak MB':>8}")
    for size in sizes:
        r = measure(size, whole)
        total = r["survey"] + r["plan"]
        print(f"{r['text_mb']:>5.0f} {r['chapters']:>8} {r['utterances']:>10} "
              f"{r['survey']:>12.1f} {r['plan']:>7.1f} {total / r['text_mb']:>5.1f} "
              f"{r['peak_mb']:>8.0f}", flush=True)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("megabytes", type=float, nargs="*", default=[1, 5, 50])
    parser.add_argument("--whole", action="store_true",
                        help="measure the whole-book path (parse -> attribute -> plan_book)")
    args = parser.parse_args()
    main(args.megabytes, args.whole)
