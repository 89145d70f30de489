"""Time and peak memory of parse -> attribute -> plan on large scripts, too slow for tests.

    python bench/large_inputs.py [MEGABYTES ...]     (default: 1 5 50)

Each size runs in a fresh process (the memory high-water mark is per process) on a
novel-shaped script from tests/test_large.py: a chapter every 200 paragraphs, two
paragraphs in three with a short exchange. Prints seconds per stage and the peak RSS the
pipeline added, so linearity shows across sizes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, sys, time
sys.path[:0] = [{root!r}, {tests!r}]
import test_large as t
from audiobook.attribution import attribute
from audiobook.plan import plan_book
from audiobook.script import parse
text = t.novel({size})
before = t._memory_mb()
start = time.perf_counter()
book = parse(text)
parsed = time.perf_counter()
book = attribute(book, t.CAST)
attributed = time.perf_counter()
plans = plan_book(book, t.CAST, "fake/1")
planned = time.perf_counter()
print(json.dumps({{
    "parse": parsed - start, "attribute": attributed - parsed, "plan": planned - attributed,
    "peak_mb": t._memory_mb("VmHWM") - before,
    "text_mb": len(text) / 1e6, "chapters": len(plans),
    "utterances": sum(1 for p in plans for _ in p.utterances),
}}))
"""


def measure(megabytes: float) -> dict:
    code = CHILD.format(root=str(ROOT), tests=str(ROOT / "tests"), size=int(megabytes * 1e6))
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    return json.loads(child.stdout)


def main(sizes: list[float]) -> None:
    print(f"{'MB':>5} {'chapters':>8} {'utterances':>10} {'parse s':>8} {'attribute s':>11} "
          f"{'plan s':>7} {'s/MB':>5} {'peak MB':>8}")
    for size in sizes:
        r = measure(size)
        total = r["parse"] + r["attribute"] + r["plan"]
        print(f"{r['text_mb']:>5.0f} {r['chapters']:>8} {r['utterances']:>10} {r['parse']:>8.1f} "
              f"{r['attribute']:>11.1f} {r['plan']:>7.1f} {total / r['text_mb']:>5.1f} "
              f"{r['peak_mb']:>8.0f}", flush=True)


if __name__ == "__main__":
    main([float(a) for a in sys.argv[1:]] or [1, 5, 50])
