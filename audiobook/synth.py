"""Make sure every utterance is in the cache: synthesise the missing ones, in parallel.

One engine per worker process, started with `spawn` (libespeak must not be forked after
initialisation). Workers write straight into the cache, so an interrupted render keeps
everything finished so far.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, wait

from audiobook.cache import SegmentCache
from audiobook.engines import Engine, create_engine
from audiobook.errors import EngineError
from audiobook.plan import Utterance

Progress = Callable[[int, int], None]  # (done, total)

_BATCH = 8  # utterances per task: fewer round trips, still fine-grained progress

_worker_engine: Engine | None = None
_worker_cache: SegmentCache | None = None


try:
    import audioop
except ImportError:  # Python 3.13+: the audioop-lts package provides it
    from pydub import pyaudioop as audioop

_SILENT_PEAK = 33  # below -60 dBFS: no speech in it


class UtteranceFailed(EngineError):
    """The engine failed on one utterance; `line` is its script line, for the message."""

    def __init__(self, line: int, message: str):
        super().__init__(line, message)  # both in args, so it survives pickling from a worker
        self.line, self.message = line, message

    def __str__(self):
        return f"line {self.line}: {self.message}"


def _audible(pcm: bytes) -> bool:
    pcm = pcm[: len(pcm) // 2 * 2]
    return bool(pcm) and audioop.max(pcm, 2) >= _SILENT_PEAK


def speak(engine: Engine, utterance: Utterance) -> bytes:
    """The engine's PCM for one utterance; empty or silent audio gets one retry."""
    try:
        pcm = engine.synthesize(utterance.text, utterance.voice)
        if not _audible(pcm):
            pcm = engine.synthesize(utterance.text, utterance.voice)
    except UtteranceFailed:
        raise
    except EngineError as bad:
        raise UtteranceFailed(utterance.line, str(bad)) from None
    if not _audible(pcm):
        raise UtteranceFailed(utterance.line, f"the {engine.name} engine returned no audio for "
                                              f"{utterance.text[:60]!r}, also on a retry")
    return pcm


def _exit_with_parent(parent: int) -> None:
    """A worker must not outlive a render killed with -9: it would wait for work forever."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _init_worker(engine_name: str, cache_root: str, parent: int | None = None):
    global _worker_engine, _worker_cache
    if parent:
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    _worker_engine = create_engine(engine_name)
    _worker_cache = SegmentCache(cache_root)


def _synthesize_batch(batch: list[Utterance]) -> int:
    for utterance in batch:
        _worker_cache.put(utterance.key, speak(_worker_engine, utterance))
    return len(batch)


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
    return synthesize_groups([list(utterances)], cache, engine, jobs, progress)


def synthesize_groups(
    groups: Sequence[Sequence[Utterance]],
    cache: SegmentCache,
    engine: str | Engine,
    jobs: int = 1,
    progress: Progress | None = None,
    ready: Callable[[int], None] | None = None,
    local: Engine | None = None,
) -> int:
    """Fill the cache for every group (a chapter, say), calling `ready(i)` as soon as all
    of group i is cached, so its assembly can overlap the synthesis of the rest.
    `local`: an engine already started in this process, used when there are too few
    utterances to be worth starting workers. Returns how many utterances were synthesised."""
    todo: list[Utterance] = []
    waiting: list[set[str]] = []  # per group: keys not yet in the cache
    groups_of: dict[str, list[int]] = {}  # missing key -> the groups that need it
    for i, group in enumerate(groups):
        need = set()
        for u in group:
            if u.key in groups_of:
                need.add(u.key)
            elif u.key not in cache:
                groups_of[u.key] = []
                todo.append(u)
                need.add(u.key)
            if u.key in need and i not in groups_of[u.key]:
                groups_of[u.key].append(i)
        waiting.append(need)
    total = len(todo)
    if progress:
        progress(0, total)
    for i, need in enumerate(waiting):
        if not need and ready:
            ready(i)

    def cached(keys: Iterable[str]) -> None:
        for key in keys:
            for i in groups_of[key]:
                waiting[i].discard(key)
                if not waiting[i] and ready:
                    ready(i)

    if not todo:
        return 0
    if jobs <= 1 or total < 2 * _BATCH or not isinstance(engine, str):
        instance = local or (create_engine(engine) if isinstance(engine, str) else engine)
        for done, u in enumerate(todo, 1):
            cache.put(u.key, speak(instance, u))
            cached([u.key])
            if progress:
                progress(done, total)
        return total
    import multiprocessing  # here: a re-render of a few sentences never needs it
    from concurrent.futures import ProcessPoolExecutor

    batches = [todo[i:i + _BATCH] for i in range(0, total, _BATCH)]
    done = 0
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, context, _init_worker,
                             (engine, str(cache.root), os.getpid())) as pool:
        with _workers_ignore_ctrl_c():  # workers are spawned during the submits
            pending = {pool.submit(_synthesize_batch, b): b for b in batches}
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    batch = pending.pop(future)
                    done += future.result()
                    cached(u.key for u in batch)
                    if progress:
                        progress(done, total)
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    if done != total:
        raise EngineError(f"synthesis finished {done} of {total} utterances")
    return total


class _workers_ignore_ctrl_c:
    """Processes started inside inherit SIGINT ignored, so Ctrl-C reaches only this one,
    which stops the pool in order (a worker hit while still importing dies with a traceback)."""

    def __enter__(self):
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, signal.SIG_IGN)

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
