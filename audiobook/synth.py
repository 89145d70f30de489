"""Make sure every utterance is in the cache: synthesise the missing ones, in parallel.

One engine per worker process, started with `spawn` (libespeak must not be forked after
initialisation). Workers write straight into the cache, so an interrupted render keeps
everything finished so far.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from audiobook.cache import SegmentCache
from audiobook.engines import Engine, create_engine
from audiobook.errors import EngineError
from audiobook.plan import Utterance

Progress = Callable[[int, int], None]  # (done, total)

_BATCH = 8  # utterances per task: fewer round trips, still fine-grained progress

_worker_engine: Engine | None = None
_worker_cache: SegmentCache | None = None


def _init_worker(engine_name: str, cache_root: str):
    global _worker_engine, _worker_cache
    _worker_engine = create_engine(engine_name)
    _worker_cache = SegmentCache(cache_root)


def _synthesize_batch(batch: list[Utterance]) -> int:
    for utterance in batch:
        _worker_cache.put(utterance.key, _worker_engine.synthesize(utterance.text, utterance.voice))
    return len(batch)


def missing(utterances: Iterable[Utterance], cache: SegmentCache) -> list[Utterance]:
    """Unique utterances not yet (validly) cached, in first-use order."""
    seen, todo = set(), []
    for u in utterances:
        if u.key not in seen:
            seen.add(u.key)
            if u.key not in cache:
                todo.append(u)
    return todo


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def synthesize(
    utterances: Iterable[Utterance],
    cache: SegmentCache,
    engine: str | Engine,
    jobs: int = 1,
    progress: Progress | None = None,
) -> int:
    """Fill the cache; return how many utterances were synthesised (cache misses)."""
    todo = missing(utterances, cache)
    total = len(todo)
    if progress:
        progress(0, total)
    if not todo:
        return 0
    if jobs <= 1 or total < 2 * _BATCH or not isinstance(engine, str):
        instance = create_engine(engine) if isinstance(engine, str) else engine
        for done, u in enumerate(todo, 1):
            cache.put(u.key, instance.synthesize(u.text, u.voice))
            if progress:
                progress(done, total)
        return total
    batches = [todo[i:i + _BATCH] for i in range(0, total, _BATCH)]
    done = 0
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, context, _init_worker, (engine, str(cache.root))) as pool:
        pending = {pool.submit(_synthesize_batch, b) for b in batches}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    done += future.result()
                    if progress:
                        progress(done, total)
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    if done != total:
        raise EngineError(f"synthesis finished {done} of {total} utterances")
    return total
