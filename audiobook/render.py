"""One function per use: inspect a book, render it. The CLI is a thin layer over these."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from audiobook import audio, export, synth, tools
from audiobook.attribution import attribute, attribute_chapters
from audiobook.cache import CacheInfo, SegmentCache, default_cache_dir, make_key
from audiobook.cast import Cast, default_cast, load_cast
from audiobook.decode import decode_script
from audiobook.engines import Engine, create_engine
from audiobook.errors import (CastError, EngineError, OutputError, ScriptError, located,
                               read_user_file)
from audiobook.plan import ChapterPlan, book_slug, chapter_stem, plan_chapter, stem_digits
from audiobook.script import DIALOGUE, Book, BookStream, Chapter, parse_stream

STATE_FILE = ".audiobook-state.json"
_BOOK_ENTRY = "_book"  # state entry of the book-wide files (M4B, playlist); stems start with digits
_REPLACED = "_replaced"  # files of chapters being rebuilt, until the render ends
_WRITING = "_writing"  # chapters being built: a file lands a moment before its entry
MANIFEST = "manifest.json"
_MASTERING_VERSION = "6"  # bump when mastering or encoding changes the bytes


class Reporter:
    """How the library talks back while it works. The default says nothing."""

    def warning(self, message: str) -> None:
        pass

    def progress(self, stage: str, done: int, total: int) -> None:
        pass

    def batch(self, first: int, last: int, total: int) -> None:
        """A book too big to hold is built in batches: the synthesis and encoding stages
        that follow cover chapters first..last of total."""


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScriptSource:
    """A script file's decoded text, to be parsed whole or a chapter at a time."""

    path: Path
    text: str
    encoding_warning: str | None

    @classmethod
    def read(cls, path: str | Path) -> ScriptSource:
        path = Path(path)
        data = read_user_file(path, ScriptError)
        return cls(path, *decode_script(data, path))

    def stream(self) -> BookStream:
        stream = parse_stream(self.text, markdown=self.path.suffix.lower() in (".md", ".markdown"),
                              default_title=self.path.stem.replace("_", " ").title())
        if self.encoding_warning:
            stream.warnings.insert(0, self.encoding_warning)
        return stream


def read_script(path: str | Path) -> Book:
    stream = ScriptSource.read(path).stream()
    chapters = tuple(stream.chapters)
    if not chapters:
        raise ScriptError(f"{path}: no text to read")
    return Book(stream.title, chapters, tuple(stream.warnings), stream.author)


def _check_overrides(chapters: Iterable[Chapter], cast: Cast, script: Path) -> None:
    for chapter in chapters:
        for _, _, segment in chapter.segments():
            if segment.override and segment.override not in cast.roles:
                known = ", ".join(cast.roles)
                raise ScriptError(
                    located(script, segment.line,
                            f"[{segment.override}] is not a role in {cast.source} (roles: {known})")
                )


def check_voices(cast: Cast, engine: Engine) -> None:
    for role in cast.roles.values():
        problem = engine.check_voice(role.voice.voice)
        if problem:
            key = f"roles.{role.id}.voice"
            raise CastError(located(cast.source, cast.line_of(key), f"{key}: {problem}"))


def load(script: str | Path, voices: str | Path | None) -> tuple[Book, Cast]:
    """Parse, cast and attribute: everything short of sound."""
    book = read_script(script)
    cast = load_cast(voices) if voices else default_cast()
    _check_overrides(book.chapters, cast, Path(script))
    return attribute(book, cast), cast


def inspect_data(book: Book) -> dict:
    """The parsed book as `--json` shows it: chapters -> scenes -> segments."""
    return {
        "title": book.title,
        "chapters": [
            {
                "index": i,
                "title": chapter.title,
                "scenes": [
                    {
                        "index": n,
                        "segments": [
                            {"role": s.role, "kind": s.kind, "text": s.text, "line": s.line,
                             **({"rule": s.rule} if s.kind == DIALOGUE else {})}
                            for p in scene.paragraphs for s in p.segments
                        ],
                    }
                    for n, scene in enumerate(chapter.scenes, 1)
                ],
            }
            for i, chapter in enumerate(book.chapters, 1)
        ],
        "warnings": list(book.warnings),
    }


def cache_info(cache_dir: str | Path | None = None):
    return SegmentCache(cache_dir or default_cache_dir()).info()


def cache_clear(cache_dir: str | Path | None = None) -> CacheInfo:
    """Empty the cache; returns what it held."""
    return SegmentCache(cache_dir or default_cache_dir()).clear()


# --- rendering -------------------------------------------------------------------------


@dataclass
class ChapterResult:
    index: int
    title: str
    files: dict[str, str]
    duration_ms: float
    reused: bool


@dataclass
class RenderResult:
    book_dir: Path
    manifest: Path
    chapters: list[ChapterResult] = field(default_factory=list)
    synthesized: int = 0
    files: dict[str, str] = field(default_factory=dict)  # book-wide: the M4B

    @property
    def duration_ms(self) -> float:
        return sum(c.duration_ms for c in self.chapters)


class _BookLock:
    """One render per book folder at a time; a second one is refused, not interleaved."""

    def __init__(self, folder: Path):
        self.path = folder / ".lock"

    def __enter__(self):
        self.handle = open(self.path, "w")  # noqa: SIM115 - held for the whole render
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise OutputError(
                f"{self.path.parent}: another render is writing this book; wait for it to finish"
            ) from None
        return self

    def __exit__(self, *exc):
        self.handle.close()


def _prepare_folder(out_dir: Path, slug: str) -> Path:
    if (out_dir / STATE_FILE).is_file():  # `--out output/heartstrings`: not a book in a book
        raise OutputError(f"{out_dir}: is a rendered book's folder; --out takes the folder that "
                          f"holds it ({out_dir.parent})")
    folder = out_dir / slug
    for path in (out_dir, folder):
        if path.exists() and not path.is_dir():
            raise OutputError(f"{path}: exists and is not a folder; choose another --out")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as bad:
        raise OutputError(f"{folder}: cannot create folder ({bad.strerror}); choose another --out"
                          ) from None
    if not os.access(folder, os.W_OK):
        raise OutputError(f"{folder}: not writable; choose another --out")
    return folder


# A temporary file of export.atomic_path: `.<stem>-<8 random>.<ext>`, hidden, never final.
_LEFTOVER = re.compile(r"^\..+-[a-z0-9_]{8}\.[a-z0-9]+$")
_AGAIN = "free some space, then run the same command again"
_DISK_ERRORS = {
    errno.ENOSPC: f"disk full; {_AGAIN}", errno.EDQUOT: f"disk quota exceeded; {_AGAIN}",
    errno.EFBIG: "file size limit reached (ulimit -f)",
    errno.EROFS: "read-only file system; choose another --out or --cache-dir",
    errno.EACCES: "permission denied; choose another --out or --cache-dir",
    errno.EPERM: "permission denied; choose another --out or --cache-dir",
    errno.EIO: "input/output error; check the disk",
    errno.ENOTDIR: "part of this path is a file; choose another --out or --cache-dir",
    errno.EEXIST: "part of this path is a file; choose another --out or --cache-dir",
}


def _remove_leftovers(folder: Path) -> None:
    """Temporary files of a render killed with -9; the lock says none is being written now."""
    for sub in (folder, folder / export.WORK_DIR):
        if sub.is_dir():
            for path in sub.iterdir():
                if _LEFTOVER.match(path.name) and path.is_file():
                    path.unlink(missing_ok=True)


@contextlib.contextmanager
def translate_faults(script, folder: Path):
    """Faults while rendering, told as what to do: the script line an engine failed on,
    the folder that is full or not writable."""
    try:
        yield
    except synth.UtteranceFailed as bad:
        raise EngineError(located(script, bad.line, bad.message)) from None
    except OSError as bad:
        if bad.errno not in _DISK_ERRORS:
            raise
        raise OutputError(f"{bad.filename or folder}: {_DISK_ERRORS[bad.errno]}") from None


def _read_state(folder: Path) -> tuple[dict, bool]:
    """The folder's render state ({} when there is none), and whether it is whole. Of one
    damaged (edited by hand) only the usable entries count: files it may have listed are
    then not known as this book's or not."""
    try:
        state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, True
    except (OSError, ValueError):
        return {}, False
    if not isinstance(state, dict):  # edited by hand: start afresh
        return {}, False
    usable = {k: v for k, v in state.items() if isinstance(v, dict)}
    return usable, len(usable) == len(state)


def _book_record(script: Path, title: str) -> dict:
    return {"script": str(script.resolve()), "title": title}


def _check_same_book(folder: Path, state: dict, record: dict) -> None:
    """A folder holds one book: OUT/<slug> of `Foundation: Book One` is not for `Foundation:
    Book Two`. The same book is the same script file (its title may have been edited) or the
    same title (the script moved); a state from before books were recorded is this one's."""
    book = state.get(_BOOK_ENTRY, {})
    if "script" not in book and "title" not in book:
        return
    if book.get("script") == record["script"] or book.get("title") == record["title"]:
        return
    raise OutputError(f"{folder}: holds the audiobook of another script ({book.get('script')}, "
                      f"{book.get('title')!r}); choose another --out or move that folder away")


def _chapter_names(stem: str, formats: Sequence[str]) -> list[str]:
    """The files export.write_chapter writes for a chapter, relative to the book folder,
    as named when it is not split (a split chapter's parts add `-partN` to each stem)."""
    kinds = [fmt for fmt in formats if fmt in export.CHAPTER_FORMATS]
    names = [f"{stem}.{fmt}" for fmt in kinds] + ([f"{stem}.srt", f"{stem}.vtt"] if kinds else [])
    if "m4b" in formats:
        names.append(f"{export.WORK_DIR}/{stem}.flac")
    return names


def _book_names(slug: str, formats: Sequence[str]) -> list[str]:
    """The book-wide files export.write_book writes: the playlist, the M4B and its captions."""
    return [f"{slug}.m3u"] + ([f"{slug}.{ext}" for ext in ("m4b", "srt", "vtt")]
                              if "m4b" in formats else [])


_PART = re.compile(r"^(.*)-part\d+(\.[^./]+)$")


def _files_by_name(folder: Path) -> dict[str, list[str]]:
    """The files in the book and work folders under each _chapter_names name they could be:
    `01-x-part2.mp3` under `01-x-part2.mp3` and `01-x.mp3`."""
    found: dict[str, list[str]] = {}
    for sub, prefix in ((folder, ""), (folder / export.WORK_DIR, f"{export.WORK_DIR}/")):
        if sub.is_dir():
            for path in sub.iterdir():
                name = prefix + path.name
                found.setdefault(name, []).append(name)
                part = _PART.match(name)
                if part:
                    found.setdefault(part[1] + part[2], []).append(name)
    return found


def _writing(state: dict) -> list[str]:
    names = state.get(_WRITING, {}).get("names", [])
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def _check_no_foreign_files(folder: Path, state: dict, stems: Iterable[str],
                            formats: Sequence[str]) -> None:
    """A file at a chapter's name that no render of this book wrote (the user's own) is not
    overwritten. Ours: listed in a state entry, or of a chapter a stopped render was writing
    (its file lands before its entry). The manifest is ours too once a render has written
    the book's files (a state from before the manifest was listed does not name it)."""
    ours = {name for entry in state.values() for name in _written(entry)}
    if "key" in state.get(_BOOK_ENTRY, {}):
        ours.add(MANIFEST)
    writing = set(_writing(state))
    existing = _files_by_name(folder)
    names = [name for stem in stems for name in _chapter_names(stem, formats)] + \
        _book_names(folder.name, formats) + [MANIFEST]
    foreign = [found for name in names for found in existing.get(name, ())
               if found not in ours and name not in writing]
    if len(foreign) == 1:
        raise OutputError(f"{folder / foreign[0]}: not written by a render of this book; "
                          "move it away or choose another --out")
    if foreign:  # all at once: not one run per file to find the next
        raise OutputError(f"{folder}: {len(foreign)} files not written by a render of this book "
                          f"({', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''}); "
                          "move them away or choose another --out")


def _rendered_before(folder: Path, title: str) -> bool:
    """Is this book's audiobook here though its state file is gone (deleted, or the folder
    copied without dotfiles)? Its manifest, which render writes last, names the book."""
    if (folder / STATE_FILE).exists():
        return False
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("title") == title


def _chapter_key(plan: ChapterPlan, formats: Sequence[str], tags: str, total: int) -> str:
    return make_key(_MASTERING_VERSION, plan.key, list(formats), plan.title, plan.stem,
                    tags, plan.index, total)


def _sound_key(plan: ChapterPlan) -> str:
    """Changes whenever the chapter's mastered audio or its marker title could; not with
    the tags, so a change of author re-tags the M4B instead of encoding it again."""
    return make_key(_MASTERING_VERSION, plan.key, plan.title, plan.stem)


# Bounds on what one render holds in memory, in characters of script text (a parsed and
# planned character costs about 10 bytes). A book under _KEEP_CHARS is parsed once and
# kept; a bigger one is read again, a chapter at a time, when its audio is made. Chapters
# are synthesised and built in batches of about _BATCH_CHARS.
_KEEP_CHARS = 2_000_000
_BATCH_CHARS = 2_000_000


@dataclass
class Survey:
    """What a first pass over the script learns: enough to name files before any sound.
    The pass checks every `[role]` override against the cast on the way."""

    title: str
    count: int  # chapters
    warnings: list[str]
    kept: list[Chapter] | None  # attributed chapters; None for a book too big to keep
    titles: list[str]  # of the chapters, to name their files


def _chars(chapter: Chapter) -> int:
    return sum(len(segment.text) for _, _, segment in chapter.segments())


def survey_script(source: ScriptSource, cast: Cast, reporter: Reporter) -> Survey:
    stream = source.stream()
    lines = source.text.count("\n") + 1
    kept: list[Chapter] | None = []
    count = chars = 0
    titles = []
    for chapter in stream.chapters:
        count += 1
        titles.append(chapter.title)
        _check_overrides([chapter], cast, source.path)
        if kept is not None:
            chars += _chars(chapter)
            if chars > _KEEP_CHARS:
                kept = None
            else:
                kept.append(chapter)
        reporter.progress("read", chapter.line, lines)
    reporter.progress("read", lines, lines)
    if not count:
        raise ScriptError(f"{source.path}: no text to read")
    if kept is not None:
        kept = list(attribute_chapters(kept, cast))
    return Survey(stream.title, count, stream.warnings, kept, titles)


def chapter_plans(source: ScriptSource, survey: Survey, cast: Cast, engine_version: str
                  ) -> Iterator[ChapterPlan]:
    """Every chapter's plan, in order, made as it is asked for: from the chapters the
    survey kept, or from the script read anew."""
    digits = stem_digits(survey.count)
    chapters = iter(survey.kept) if survey.kept is not None else \
        attribute_chapters(source.stream().chapters, cast)
    for index, chapter in enumerate(chapters, 1):
        yield plan_chapter(chapter, index, cast, engine_version, digits)


def _batches(plans: Iterable[ChapterPlan], needs_building) -> Iterator[list[ChapterPlan]]:
    """The plans that `needs_building`, in batches of about _BATCH_CHARS of text."""
    batch: list[ChapterPlan] = []
    chars = 0
    for plan in plans:
        if not needs_building(plan):
            continue
        batch.append(plan)
        chars += sum(len(s.text) for s in plan.segments)
        if chars >= _BATCH_CHARS:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def unresolved_warning(count: int, script, voices) -> str:
    them = "them" if count > 1 else "it"
    return (f"{script}: the narrator reads {count} quote{'s' if count > 1 else ''} whose "
            f"speaker was not found; `audiobook inspect {script} --voices {voices}` lists {them}")


def render_book(
    script: str | Path,
    voices: str | Path | None,
    out_dir: str | Path,
    *,
    formats: Sequence[str] = ("mp3",),
    engine: str | Engine = "pyttsx3",
    jobs: int | None = None,
    cache_dir: str | Path | None = None,
    reporter: Reporter | None = None,
) -> RenderResult:
    reporter = reporter or Reporter()
    formats = list(dict.fromkeys(formats)) or ["mp3"]
    for fmt in formats:
        if fmt not in export.FORMATS:
            raise OutputError(f"unknown format {fmt!r} (choose from: {', '.join(export.FORMATS)})")
    jobs = jobs or synth.default_jobs()
    source = ScriptSource.read(script)
    cast = load_cast(voices) if voices else default_cast()
    survey = survey_script(source, cast, reporter)
    for warning in survey.warnings:
        reporter.warning(f"{script}: {warning}")
    instance = create_engine(engine) if isinstance(engine, str) else engine
    check_voices(cast, instance)
    if "mp3" in formats:  # now, not after the first chapter's speech
        audio.check_mp3_rate(instance.sample_rate)
    tools.ffmpeg()  # missing ffmpeg should stop the render now, not after an hour of speech
    total = survey.count
    cache = SegmentCache(cache_dir or default_cache_dir())
    folder = _prepare_folder(Path(out_dir), book_slug(survey.title))
    meta = export.book_meta(cast.book, survey.title)
    names = {role.id: role.name for role in cast.roles.values()}
    tags = export.signature(meta, names)

    record = _book_record(Path(script), survey.title)

    with _BookLock(folder), translate_faults(script, folder):
        state, whole = _read_state(folder)
        _check_same_book(folder, state, record)  # before anything in the folder is touched
        if whole and not _rendered_before(folder, survey.title):
            digits = stem_digits(total)
            _check_no_foreign_files(folder, state, (chapter_stem(i, title, digits) for i, title
                                                    in enumerate(survey.titles, 1)), formats)
        _remove_leftovers(folder)
        cache.root.mkdir(parents=True, exist_ok=True)  # a bad --cache-dir fails here, by name
        result = RenderResult(folder, folder / MANIFEST)
        # Entries of chapters not reached yet stay, so a render stopped early loses none.
        new_state = dict(state)
        new_state[_BOOK_ENTRY] = {**state.get(_BOOK_ENTRY, {}), **record}
        chapters: list[tuple[int, str, str]] = []  # (index, title, stem), in book order
        rebuilt: set[str] = set()
        unresolved = 0  # quotes read by the narrator because no rule found their speaker

        def needs_building(plan: ChapterPlan) -> bool:
            nonlocal unresolved
            chapters.append((plan.index, plan.title, plan.stem))
            reporter.progress("plan", plan.index, total)
            unresolved += plan.unresolved
            if plan.index == total and unresolved and voices:  # without a cast it is no news
                reporter.warning(unresolved_warning(unresolved, script, voices))
            if _reusable(plan, state, folder, formats, tags, total):
                return False
            rebuilt.add(plan.stem)
            replaced = new_state.pop(plan.stem, None)
            if replaced:
                # Its files stay listed until the end, so a stopped render that writes fewer
                # of them (a format dropped) leaves none that no entry would remove.
                new_state.setdefault(_REPLACED, {"sidecars": []})["sidecars"] += \
                    _written(replaced)
            return True

        stopping = threading.Event()

        def build(plan: ChapterPlan) -> dict:
            layout = audio.layout(plan, cache, instance.sample_rate)
            if stopping.is_set():  # interrupted meanwhile: start no new encoder
                raise OutputError("render stopped")
            written = export.write_chapter(plan, layout, cache, folder, formats, meta,
                                           total, names)
            return {"key": _chapter_key(plan, formats, tags, total),
                    "sound": _sound_key(plan), **written}

        plans = chapter_plans(source, survey, cast, f"{instance.name}/{instance.version}")
        for todo in _batches(plans, needs_building):
            # Saved before any file is written: the entries of chapters being rebuilt are
            # gone (a render killed meanwhile must not leave one that vouches for the wrong
            # audio), and the chapters about to be written are named, so a file that lands
            # before its entry is known as this book's when the render resumes.
            writing = [name for p in todo for name in _chapter_names(p.stem, formats)]
            new_state[_WRITING] = {"names": list(dict.fromkeys(_writing(new_state) + writing))}
            export.write_text_atomic(folder / STATE_FILE, json.dumps(new_state, indent=1))
            if survey.kept is None:
                reporter.batch(todo[0].index, todo[-1].index, total)
            # Longest chapters first: the encode left running after synthesis ends is then short.
            todo.sort(key=lambda p: -sum(len(u.text) for u in p.utterances))
            result.synthesized += _build_chapters(
                todo, build, engine if isinstance(engine, str) else instance, instance, cache,
                jobs, reporter, stopping, new_state, folder)

        # Named before they are written, as the chapters are: a render stopped meanwhile
        # and resumed without M4B removes the one it left.
        new_state[_WRITING] = {"names": list(dict.fromkeys(
            _writing(new_state) + _book_names(folder.name, formats) + [MANIFEST]))}
        # The book's files may be replaced from here on: a render stopped meanwhile must not
        # find the old audio's keys vouching for a new M4B.
        for vouch in ("key", "sound"):
            new_state[_BOOK_ENTRY].pop(vouch, None)
        export.write_text_atomic(folder / STATE_FILE, json.dumps(new_state, indent=1))
        final = {stem: new_state[stem] for _, _, stem in chapters}
        final[_BOOK_ENTRY] = {**export.write_book(
            folder, folder.name, formats, [final[stem] for _, _, stem in chapters], meta, names,
            state.get(_BOOK_ENTRY)), **record}
        final[_BOOK_ENTRY]["sidecars"].append(MANIFEST)  # written last, below
        result.files = final[_BOOK_ENTRY]["files"]
        _remove_stale(folder, state, final)
        export.write_text_atomic(folder / STATE_FILE, json.dumps(final, indent=1))
        manifest = {"title": survey.title,
                    "chapters": [final[stem]["manifest"] for _, _, stem in chapters]}
        export.write_manifest(result.manifest, manifest)
        for index, title, stem in chapters:
            entry = final[stem]
            result.chapters.append(ChapterResult(
                index, title, entry["files"], entry["manifest"]["duration_ms"],
                stem not in rebuilt))
    return result


def _build_chapters(todo: list[ChapterPlan], build, engine, local: Engine,
                    cache: SegmentCache, jobs: int, reporter: Reporter,
                    stopping: threading.Event, new_state: dict, folder: Path) -> int:
    """Synthesise every chapter in `todo` and build each (assemble, master, encode) as soon
    as its speech is cached, while the workers synthesise the next ones. Each finished
    chapter goes into `new_state` and the state file at once. Returns the synthesised count."""
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        building = {}  # future -> plan
        recorded = set()  # futures whose chapter is in new_state

        def start_building(i: int) -> None:
            building[pool.submit(build, todo[i])] = todo[i]

        def record(future) -> None:
            # Saved per chapter: even a render killed with -9 keeps what it finished.
            recorded.add(future)
            new_state[building[future].stem] = future.result()
            export.write_text_atomic(folder / STATE_FILE, json.dumps(new_state, indent=1))

        def synthesis_progress(done: int, total: int) -> None:
            reporter.progress("synthesize", done, total)
            for future in list(building):
                if future.done() and future not in recorded:
                    record(future)

        try:
            synthesized = synth.synthesize_groups(
                [list(p.utterances) for p in todo], cache, engine, jobs,
                synthesis_progress, start_building, local)
            reporter.progress("encode", 0, len(todo))
            for done, future in enumerate(as_completed(building), 1):
                if future not in recorded:
                    record(future)
                reporter.progress("encode", done, len(todo))
        except BaseException:
            stopping.set()
            export.stop_encoders()  # Ctrl-C: end the chapters in progress now
            pool.shutdown(cancel_futures=True)
            _keep_finished(building, new_state, folder)
            raise
    return synthesized


def _keep_finished(building: dict, state: dict, folder: Path) -> None:
    """On a stop, record the chapters finished meanwhile, so the next run reuses them."""
    finished = {plan.stem: future.result() for future, plan in building.items()
                if future.done() and not future.cancelled() and future.exception() is None}
    if finished:
        with contextlib.suppress(OSError):  # a full disk may be why we stopped
            export.write_text_atomic(folder / STATE_FILE, json.dumps({**state, **finished},
                                                                     indent=1))


def _written(entry: dict) -> list[str]:
    """Every file a state entry stands for: audio, captions, mastered intermediates."""
    return [*entry.get("files", {}).values(), *entry.get("sidecars", [])]


def _reusable(plan, state, folder, formats, tags, total) -> bool:
    entry = state.get(plan.stem)
    if not entry or entry.get("key") != _chapter_key(plan, formats, tags, total):
        return False
    return all((folder / name).is_file() for name in _written(entry))


def _remove_stale(folder: Path, old: dict, new: dict) -> None:
    """Files an earlier render wrote that this book no longer has (a renamed chapter), also
    those of chapters a stopped render was writing that it never recorded."""
    keep = {name for entry in new.values() for name in _written(entry)}
    for entry in old.values():
        for name in _written(entry):
            if name not in keep:
                (folder / name).unlink(missing_ok=True)
    existing = _files_by_name(folder) if _writing(old) else {}
    for name in _writing(old):
        for found in existing.get(name, ()):
            if found not in keep:
                (folder / found).unlink(missing_ok=True)
