"""Export: encode a chapter's PCM stream with ffmpeg; tags, captions, playlist, M4B, manifest.

Every file is written under a temporary name in its own folder and renamed into place,
so a final path never holds a half-written file.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from audiobook import audio, mp3, tools
from audiobook.cache import BLOCK, SegmentCache, make_key
from audiobook.cast import BookMeta
from audiobook.errors import OutputError, ToolError
from audiobook.plan import ChapterPlan

FORMATS = ("mp3", "wav", "m4b")
CHAPTER_FORMATS = ("mp3", "wav")  # one file per chapter; m4b is one file per book
WORK_DIR = ".audiobook-work"  # mastered FLAC per chapter, kept for the M4B
M4B_BITRATE = "64k"  # mono speech; what audiobook stores sell
_CODEC = {
    # CBR 192 kbps for ACX; LAME quality 7 encodes twice as fast as the default with the
    # same SNR against the source (30.4 dB on chapter 3, README "Performance").
    "mp3": ["-c:a", "libmp3lame", "-b:a", "192k", "-compression_level", "7"],
    "wav": ["-c:a", "pcm_s16le"],
    "flac": ["-c:a", "flac", "-sample_fmt", "s16"],  # lossless master for the M4B
}


_UMASK = os.umask(0o022)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(final: Path):
    """Yield a temporary path beside `final`; rename it into place only on success."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.stem}-", suffix=final.suffix)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; a published file is world-readable
    try:
        yield Path(tmp)
        os.replace(tmp, final)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_text_atomic(final: Path, text: str) -> None:
    with atomic_path(final) as tmp:
        tmp.write_text(text, encoding="utf-8")


def encode(
    chunks: Iterable[bytes],
    sample_rate: int,
    audio_filter: str,
    outputs: dict[str, Path],
    finish: Callable[[str, Path], None] | None = None,
) -> None:
    """Stream 16-bit mono PCM through one ffmpeg run into each format in `outputs`.

    `finish(format, temporary_path)` runs on each file before it is renamed into place.
    """
    with contextlib.ExitStack() as stack:
        temps = {fmt: stack.enter_context(atomic_path(path)) for fmt, path in outputs.items()}
        n = len(temps)
        graph = f"[0:a]{audio_filter},asplit={n}" + "".join(f"[o{i}]" for i in range(n))
        maps = []
        for i, (fmt, tmp) in enumerate(temps.items()):
            maps += ["-map", f"[o{i}]", *_CODEC[fmt], "-ac", "1", "-f", fmt, str(tmp)]
        folder = next(iter(outputs.values())).parent
        _run_ffmpeg(chunks, sample_rate, graph, maps, folder, ", ".join(outputs))
        if finish:
            for fmt, tmp in temps.items():
                finish(fmt, tmp)


def _run_ffmpeg(chunks: Iterable[bytes], sample_rate: int, graph: str, outputs: list[str],
                folder: Path, what: str) -> None:
    """One ffmpeg run: PCM from `chunks` on its input, `graph` as its filters."""
    cmd = [tools.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
           "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
           "-filter_complex", graph, *outputs]
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=errors)
        with _ENCODERS_LOCK:
            _ENCODERS.add(proc)
        fed = False
        try:
            for chunk in chunks:
                proc.stdin.write(chunk)
            proc.stdin.close()
            fed = True
        except BrokenPipeError:  # ffmpeg died; its message is read below
            with contextlib.suppress(OSError):
                proc.stdin.close()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            with _ENCODERS_LOCK:
                _ENCODERS.discard(proc)
        code = proc.wait()
        if code == -signal.SIGXFSZ:
            raise OutputError(f"{folder}: file size limit reached (ulimit -f)")
        if code != 0 or not fed:  # ffmpeg ended early (Ctrl-C hits it too): a short file
            errors.seek(0)
            said = errors.read().decode("utf-8", "replace").strip()
            if "No space left" in said:
                raise OutputError(f"{folder}: disk full; free some space, then run the same "
                                  "command again")
            last = said.splitlines()[-1] if said else f"exit status {code}"
            raise ToolError(f"ffmpeg failed encoding {what}: {last}")


# Blocks are raw MP3 frames to be joined: no ID3 or Xing header of their own.
_BLOCK_CODEC = [*_CODEC["mp3"], "-write_xing", "0", "-id3v2_version", "0",
                "-map_metadata", "-1", "-ac", "1", "-f", "mp3"]


def _block_key(layout: audio.ChapterLayout, block: audio.Block, recipe: list) -> str:
    # Everything a block's audio depends on; a change to how room tone or the edge fades are
    # made needs a new tag here, or blocks of the old sound are reused.
    return make_key("mp3 block", layout.sample_rate, audio.ROOM_TONE_DB, audio.EDGE_FADE_MS,
                    recipe, audio.block_filter(layout, block), _BLOCK_CODEC, _ffmpeg_identity())


def _ffmpeg_identity() -> str:
    """The ffmpeg binary by path and size, since another build's LAME may encode other
    bytes (asking its version would cost a process)."""
    path = tools.ffmpeg()
    try:
        return f"{path} {os.path.getsize(path)}"
    except OSError:
        return path


BLOCKS_PER_RUN = 32  # an encoder and an open file each: bounds ffmpeg's memory and files


def write_mp3_blocks(plan: ChapterPlan, layout: audio.ChapterLayout, cache: SegmentCache,
                     folder: Path, out: Path) -> None:
    """Append each block of the chapter, as MP3 frames from the cache, to `out`.

    Blocks already cached are reused: after an edit only the edited block is encoded. The
    missing ones are encoded BLOCKS_PER_RUN to an ffmpeg run, each with its own filters and
    encoder, so a block's bytes are the same whichever others are encoded with it. Blocks
    are written in `folder` (the book's) under temporary names, then moved to the cache.
    A cached block is read once: its checksum is checked as it is copied, and one that
    fails is encoded again in its place. A damaged cache has the blocks still to come
    checked then too, so its bad blocks are encoded again together, not one run each."""
    recipes = [audio.block_recipe(plan, layout, block) for block in layout.blocks]
    blocks = [(block, _block_key(layout, block, recipe), recipe)
              for block, recipe in zip(layout.blocks, recipes)]

    def encode_all(entries) -> None:
        entries = list({entry[1]: entry for entry in entries}.values())  # one per key
        for first in range(0, len(entries), BLOCKS_PER_RUN):
            _encode_blocks(entries[first:first + BLOCKS_PER_RUN], layout, cache, folder)

    encode_all(entry for entry in blocks if not cache.has(entry[1], BLOCK))
    damaged = False
    with out.open("r+b") as file:
        file.seek(0, os.SEEK_END)
        for i, entry in enumerate(blocks):
            start = file.tell()
            if cache.copy_into(entry[1], file, BLOCK):
                continue
            file.seek(start)  # drop the partial copy of the corrupt (now deleted) entry
            file.truncate()
            bad = [entry]
            if not damaged:  # the first bad block: find the others (read twice, this once)
                damaged = True
                bad += [later for later in blocks[i + 1:]
                        if not cache.copy_into(later[1], None, BLOCK)]
            encode_all(bad)
            if not cache.copy_into(entry[1], file, BLOCK):
                raise OutputError(f"{cache.root}: an encoded block vanished from the cache "
                                  "during the render; run the same command again")


def _encode_blocks(blocks: list[tuple[audio.Block, str, list]], layout: audio.ChapterLayout,
                   cache: SegmentCache, folder: Path) -> None:
    """One ffmpeg run: the blocks' PCM end to end in, cut apart, each block's MP3 out."""
    graph = [f"[0:a]asplit={len(blocks)}" + "".join(f"[i{n}]" for n in range(len(blocks)))]
    start = 0
    for n, (block, _, _) in enumerate(blocks):
        graph.append(f"[i{n}]atrim=start_sample={start}:end_sample={start + block.frames},"
                     f"asetpts=PTS-STARTPTS,{audio.block_filter(layout, block)}[o{n}]")
        start += block.frames
    # Named as atomic_path names temporaries: files a render killed meanwhile leaves, the
    # next render of the book removes.
    paths = []
    try:
        for _ in blocks:
            fd, name = tempfile.mkstemp(dir=folder, prefix=".block-", suffix=".mp3")
            os.close(fd)
            paths.append(Path(name))
        maps = [arg for n, path in enumerate(paths)
                for arg in ("-map", f"[o{n}]", *_BLOCK_CODEC, str(path))]
        chunks = (pcm for _, _, recipe in blocks
                  for pcm in audio.block_pcm(cache, layout, recipe))
        _run_ffmpeg(chunks, layout.sample_rate, ";".join(graph), maps, folder, "mp3")
        for (block, key, _), path in zip(blocks, paths):
            wanted = block.frames * audio.OUTPUT_RATE // layout.sample_rate // audio.MP3_FRAME
            found = mp3_frame_count(path)
            if found != wanted:  # a header frame or another delay: later blocks would shift
                raise ToolError(f"{tools.ffmpeg()} encoded an MP3 block of {wanted} frames as "
                                f"{'something else' if found is None else f'{found} frames'}; "
                                "choose another ffmpeg with AUDIOBOOK_FFMPEG")
            cache.put_file(key, path, BLOCK)
    finally:
        for path in paths:
            path.unlink(missing_ok=True)


def mp3_frame_count(path: Path) -> int | None:
    """How many MPEG layer III frames the file is, end to end; None if it holds anything
    else (a tag, a cut frame)."""
    with path.open("rb") as f:
        count = sum(1 for _ in mp3.frames(f))
        return count if f.tell() == path.stat().st_size else None


_ENCODERS: set[subprocess.Popen] = set()  # running ffmpeg encoders, for stop_encoders()
_ENCODERS_LOCK = threading.Lock()


def stop_encoders() -> None:
    """Kill every running encoder: their chapters fail fast and leave only temporary files.
    For Ctrl-C, so the render stops now rather than after the chapters in progress."""
    with _ENCODERS_LOCK:
        for proc in _ENCODERS:
            proc.kill()


def write_manifest(path: Path, manifest: dict) -> None:
    write_text_atomic(path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
# --- tags ------------------------------------------------------------------------------


def book_meta(meta: BookMeta, script_title: str) -> BookMeta:
    """The book's metadata with its title filled in from the script when voices.yaml has none."""
    return meta if meta.title else replace(meta, title=script_title)


def _cover(meta: BookMeta) -> tuple[bytes, bool] | None:
    """(image bytes, is_png), or None without a cover."""
    if not meta.cover:
        return None
    try:
        data = Path(meta.cover).read_bytes()
    except OSError as bad:
        raise OutputError(f"{meta.cover}: cannot read the cover: {bad.strerror}") from None
    return data, data.startswith(b"\x89PNG")


def signature(meta: BookMeta, names: dict[str, str]) -> str:
    """Changes whenever tags, captions or file splitting would: part of the reuse key."""
    cover = _cover(meta)
    return make_key(meta.__dict__, make_key(cover[0].hex()) if cover else None, names,
                    audio.MAX_FILE_MS)


def _id3_frames(meta: BookMeta, title: str, track: int, total: int) -> list:
    from mutagen.id3 import APIC, COMM, TALB, TCOM, TCON, TDRC, TIT2, TLAN, TPE1, TPE2, TRCK

    frames = [TIT2(encoding=3, text=title), TALB(encoding=3, text=meta.title),
              TRCK(encoding=3, text=f"{track}/{total}"), TCON(encoding=3, text="Audiobook")]
    if meta.author:  # artist and album artist: players file the book under its author
        frames += [TPE1(encoding=3, text=meta.author), TPE2(encoding=3, text=meta.author)]
    if meta.narrator:  # composer is where Audiobookshelf and others look for the narrator
        frames.append(TCOM(encoding=3, text=meta.narrator))
    if meta.year:
        frames.append(TDRC(encoding=3, text=str(meta.year)))
    if meta.language:
        frames.append(TLAN(encoding=3, text=meta.language))
    if meta.description:
        frames.append(COMM(encoding=3, lang="eng", desc="", text=meta.description))
    cover = _cover(meta)
    if cover:
        frames.append(APIC(encoding=3, mime="image/png" if cover[1] else "image/jpeg", type=3,
                           desc="Cover", data=cover[0]))
    return frames


def tag_chapter(path: Path, fmt: str, meta: BookMeta, title: str, track: int, total: int) -> None:
    """ID3 tags (v2.3, what every player reads) on a chapter MP3 or WAV."""
    from mutagen.id3 import ID3
    from mutagen.wave import WAVE

    frames = _id3_frames(meta, title, track, total)
    if fmt == "mp3":
        tags = ID3()
        for frame in frames:
            tags.add(frame)
        tags.save(str(path), v2_version=3)
    else:
        wave = WAVE(str(path))
        wave.add_tags()
        for frame in frames:
            wave.tags.add(frame)
        wave.save(v2_version=3)


def tag_m4b(path: Path, meta: BookMeta) -> None:
    from mutagen.mp4 import MP4, MP4Cover

    book = MP4(str(path))
    if book.tags is None:
        book.add_tags()
    tags = book.tags
    for key in ("\xa9ART", "aART", "\xa9wrt", "\xa9day", "desc", "\xa9cmt", "covr"):
        tags.pop(key, None)  # a re-tag drops what the book section no longer has
    tags["\xa9nam"] = tags["\xa9alb"] = [meta.title]
    tags["\xa9gen"] = ["Audiobook"]
    tags["stik"] = [2]  # media kind: audiobook (Apple Books files it under Audiobooks)
    if meta.author:
        tags["\xa9ART"] = tags["aART"] = [meta.author]
    if meta.narrator:
        tags["\xa9wrt"] = [meta.narrator]
    if meta.year:
        tags["\xa9day"] = [str(meta.year)]
    if meta.description:
        tags["desc"] = tags["\xa9cmt"] = [meta.description]
    cover = _cover(meta)
    if cover:
        kind = MP4Cover.FORMAT_PNG if cover[1] else MP4Cover.FORMAT_JPEG
        tags["covr"] = [MP4Cover(cover[0], imageformat=kind)]
    book.save()


# --- captions and playlist -------------------------------------------------------------


def duration(ms: float, decimals: int = 0) -> str:
    """A length as people read it: `3:07`, `3:07.0` with decimals, `2:58:05` past an hour."""
    seconds = round(ms / 1000, decimals)  # rounded first: 59.96 s is `1:00.0`, not `0:60.0`
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    rest = f"{seconds:0{3 + decimals if decimals else 2}.{decimals}f}"
    return f"{hours}:{minutes:02d}:{rest}" if hours else f"{minutes}:{rest}"


def _clock(ms: float, separator: str) -> str:
    hours, rest = divmod(round(ms), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _cues(files: list[dict], names: dict[str, str], offsets: list[float]):
    for entry, offset in zip(files, offsets):
        for seg in entry["segments"]:
            speaker = names.get(seg["role"], seg["role"].title())
            yield offset + seg["start_ms"], offset + seg["end_ms"], speaker, " ".join(seg["text"].split())


def srt(files: list[dict], names: dict[str, str], offsets: list[float] | None = None) -> str:
    """SubRip: one numbered cue per manifest segment, `Speaker: text`."""
    cues = _cues(files, names, offsets or [0.0] * len(files))
    return "".join(f"{n}\n{_clock(a, ',')} --> {_clock(b, ',')}\n{who}: {text}\n\n"
                   for n, (a, b, who, text) in enumerate(cues, 1))


def vtt(files: list[dict], names: dict[str, str], offsets: list[float] | None = None) -> str:
    """WebVTT: one cue per manifest segment with a voice span, `<v Emily>text`."""
    def escape(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    cues = _cues(files, names, offsets or [0.0] * len(files))
    return "WEBVTT\n\n" + "".join(
        f"{_clock(a, '.')} --> {_clock(b, '.')}\n<v {escape(who)}>{escape(text)}\n\n"
        for a, b, who, text in cues)


def write_captions(folder: Path, stem: str, files: list[dict], names: dict[str, str],
                   offsets: list[float] | None = None) -> list[str]:
    written = []
    for suffix, make in ((".srt", srt), (".vtt", vtt)):
        write_text_atomic(folder / f"{stem}{suffix}", make(files, names, offsets))
        written.append(f"{stem}{suffix}")
    return written


def playlist(items: list[tuple[str, float, str]]) -> str:
    """Extended M3U of (file, duration_ms, title), in reading order."""
    lines = ["#EXTM3U"]
    for name, duration_ms, title in items:
        lines += [f"#EXTINF:{round(duration_ms / 1000)},{title}", name]
    return "\n".join(lines) + "\n"


# --- chapters --------------------------------------------------------------------------


def manifest_files(chapter: dict) -> list[dict]:
    """The per-file entries of a manifest chapter: itself, or its parts when it was split."""
    return chapter.get("parts", [chapter])


def _manifest_entry(plan: ChapterPlan, layout: audio.ChapterLayout, file: str | None) -> dict:
    return {
        "index": plan.index,
        "title": plan.title,
        "file": file,
        "duration_ms": round(layout.duration_ms),
        "segments": [
            {
                "role": plan.segments[t.index].role,
                "kind": plan.segments[t.index].kind,
                "scene": plan.segments[t.index].scene,
                "text": plan.segments[t.index].text,
                "start_ms": round(t.start_ms),
                "end_ms": round(t.end_ms),
            }
            for t in layout.segments
        ],
    }


def write_chapter(
    plan: ChapterPlan,
    chapter: audio.ChapterLayout,
    cache: SegmentCache,
    folder: Path,
    formats: list[str],
    meta: BookMeta,
    total: int,
    names: dict[str, str],
    limit_ms: float | None = None,
) -> dict:
    """Master and encode one chapter (in parts if it is too long for one file), tag it and
    caption it. With m4b asked for, the same mastered audio also goes to a FLAC in WORK_DIR.

    Returns the render state entry: files (audio), sidecars (captions, masters), masters
    and the manifest chapter.
    """
    kinds = [fmt for fmt in formats if fmt in CHAPTER_FORMATS]
    parts = audio.split(plan, chapter, cache, limit_ms)
    files, sidecars, masters, entries = {}, [], [], []
    for n, (part, layout) in enumerate(parts, 1):
        outputs = {fmt: folder / f"{part.stem}.{fmt}" for fmt in kinds}
        if "m4b" in formats:
            outputs["flac"] = folder / WORK_DIR / f"{part.stem}.flac"
            masters.append(f"{WORK_DIR}/{part.stem}.flac")

        def finish(fmt: str, path: Path, title: str = part.title) -> None:
            if fmt in CHAPTER_FORMATS:
                tag_chapter(path, fmt, meta, title, plan.index, total)

        if "mp3" in outputs:
            audio.check_mp3_rate(layout.sample_rate)
            with atomic_path(outputs["mp3"]) as tmp:
                finish("mp3", tmp)  # the tag first, into the empty file: nothing to move
                write_mp3_blocks(part, layout, cache, folder, tmp)
        continuous = {fmt: path for fmt, path in outputs.items() if fmt != "mp3"}
        if continuous:  # WAV and FLAC: one run over the whole chapter, nothing to reuse
            encode(audio.stream(part, cache, layout), layout.sample_rate,
                   audio.mastering_filter(layout), continuous, finish)
        for fmt in kinds:
            files[fmt if len(parts) == 1 else f"{fmt} part {n}"] = outputs[fmt].name
        entry = _manifest_entry(part, layout, outputs[kinds[0]].name if kinds else None)
        if kinds:
            sidecars += write_captions(folder, part.stem, [entry], names)
        entries.append(entry if len(parts) == 1 else {"part": n, **entry})
    manifest = entries[0] if len(entries) == 1 else {
        "index": plan.index, "title": plan.title,
        "duration_ms": sum(e["duration_ms"] for e in entries), "parts": entries,
    }
    return {"files": files, "sidecars": sidecars + masters, "masters": masters,
            "manifest": manifest}


# --- the whole book --------------------------------------------------------------------


def _ffmetadata_escape(text: str) -> str:
    for char in "\\=;#\n":
        text = text.replace(char, "\\" + char)
    return text


def _samples(master: Path) -> int:
    from mutagen.flac import FLAC

    return FLAC(str(master)).info.total_samples


def master_starts(chapters: list[tuple[str, list[Path]]]) -> list[float]:
    """Each master's start in the M4B, in ms, as write_m4b lays them end to end."""
    starts, position = [], 0
    for _, masters in chapters:
        for master in masters:
            starts.append(position * 1000 / audio.OUTPUT_RATE)
            position += _samples(master)
    return starts


def retag_m4b(path: Path, meta: BookMeta) -> None:
    """New tags on an M4B whose audio and markers stand: a copy re-tagged, then renamed."""
    with atomic_path(path) as tmp:
        shutil.copyfile(path, tmp)
        tag_m4b(tmp, meta)


def write_m4b(path: Path, chapters: list[tuple[str, list[Path]]], meta: BookMeta) -> list[float]:
    """One AAC M4B from the chapters' mastered FLACs, a chapter marker per chapter.

    Returns each master's start in ms (for the book's captions). Chapter times come from
    the masters' exact sample counts, so markers land on the sample where a chapter begins.
    """
    lines, listing, starts, position = [";FFMETADATA1", f"title={_ffmetadata_escape(meta.title)}"], [], [], 0
    for title, masters in chapters:
        begin = position
        for master in masters:
            starts.append(position * 1000 / audio.OUTPUT_RATE)
            position += _samples(master)
            listing.append("file '" + str(master.resolve()).replace("'", "'\\''") + "'")
        lines += ["[CHAPTER]", f"TIMEBASE=1/{audio.OUTPUT_RATE}", f"START={begin}",
                  f"END={position}", f"title={_ffmetadata_escape(title)}"]
    with tempfile.TemporaryDirectory() as work, atomic_path(path) as tmp:
        concat, metadata = Path(work) / "list.txt", Path(work) / "chapters.txt"
        concat.write_text("\n".join(listing) + "\n", encoding="utf-8")
        metadata.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tools.run_ffmpeg(["-y", "-f", "concat", "-safe", "0", "-i", str(concat),
                          "-f", "ffmetadata", "-i", str(metadata),
                          "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1",
                          "-c:a", "aac", "-aac_coder", "fast", "-b:a", M4B_BITRATE, "-ac", "1",
                          "-f", "ipod", str(tmp)], f"writing {path.name}")
        tag_m4b(tmp, meta)
    return starts


def write_book(folder: Path, slug: str, formats: list[str], chapters: list[dict],
               meta: BookMeta, names: dict[str, str], previous: dict | None) -> dict:
    """Book-wide files: the M4B (rebuilt only when a chapter or the tags changed), its
    captions, and the .m3u playlist. `chapters` are write_chapter's entries, in order, each
    with its reuse key. Returns this step's state entry."""
    key = make_key([c["key"] for c in chapters], formats, signature(meta, names))
    # The audio and markers alone: unchanged when only the tags or the speakers' names did.
    sound = make_key([c.get("sound") for c in chapters]) \
        if all(c.get("sound") for c in chapters) else None
    files, sidecars = {}, []
    if "m4b" in formats:
        m4b = folder / f"{slug}.m4b"
        files["m4b"] = m4b.name
        parts = [f for c in chapters for f in manifest_files(c["manifest"])]
        masters = [(c["manifest"]["title"], [folder / m for m in c["masters"]]) for c in chapters]
        stale = not previous or previous.get("key") != key or not m4b.is_file()
        if stale and sound and previous and previous.get("sound") == sound and m4b.is_file():
            retag_m4b(m4b, meta)  # seconds, where encoding a long book's AAC takes a minute
            sidecars += write_captions(folder, slug, parts, names, master_starts(masters))
        elif stale or not (folder / f"{slug}.srt").is_file() or not (folder / f"{slug}.vtt").is_file():
            starts = write_m4b(m4b, masters, meta)
            sidecars += write_captions(folder, slug, parts, names, starts)
        else:
            sidecars += [f"{slug}.srt", f"{slug}.vtt"]
    entries = [(f["file"], f["duration_ms"], f["title"])
               for c in chapters for f in manifest_files(c["manifest"]) if f["file"]]
    if not entries and files:
        entries = [(files["m4b"], sum(c["manifest"]["duration_ms"] for c in chapters), meta.title)]
    write_text_atomic(folder / f"{slug}.m3u", playlist(entries))
    return {"key": key, "sound": sound, "files": files, "sidecars": [*sidecars, f"{slug}.m3u"]}
