"""The tuning loop: hear one scene or one role, list the engine's voices, check a cast.

Previews go through the same planning, cache, assembly and mastering as a full render,
so what you hear is what the book will sound like; only the selection is smaller.
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path

from audiobook import audio, export, synth
from audiobook.attribution import attribute
from audiobook.attribution.sieves import UNRESOLVED
from audiobook.attribution.tags import SPEECH_VERBS
from audiobook.cache import SegmentCache, default_cache_dir
from audiobook.cast import (NARRATOR, Cast, check_cast_text, default_cast, load_cast,
                            read_cast_text)
from audiobook.engines import Engine, VoiceInfo, create_engine
from audiobook.errors import CastError, OutputError, ScriptError, ToolError, located
from audiobook.plan import ChapterPlan, PlannedSegment, _utterances, plan_chapter
from audiobook.render import (Reporter, check_voices, load, read_script, translate_faults,
                              unresolved_warning)
from audiobook.script import DIALOGUE, NARRATION, Book
from audiobook.text import respeller

DEFAULT_SCRIPT = Path("script") / "heartstrings.md"
DEFAULT_VOICES = Path("voices.yaml")
DEFAULT_PREVIEW = Path("output") / "preview.wav"
STOCK_SENTENCE = "The quick brown fox jumps over the lazy dog, then rests in the warm sun."
PLAYERS = {"ffplay": ["-nodisp", "-autoexit", "-loglevel", "error"], "aplay": ["-q"],
           "afplay": []}
TRY_EDGE_MS = 300  # room tone around a `voices try` line


@dataclass
class Clip:
    path: Path
    duration_ms: float
    roles: list[str]  # in the order they are first heard
    label: str  # what was rendered, e.g. `chapter 3 "The Coffee Shop", scene 1`
    synthesized: int  # utterances that missed the cache
    spoken: list[str] = field(default_factory=list)  # text as the engine got it
    also: list[str] = field(default_factory=list)  # other scenes --find matched (`2.3`)


def resolve_voices(voices: str | Path | None) -> str | Path | None:
    """--voices, else ./voices.yaml when there is one."""
    return voices or (DEFAULT_VOICES if DEFAULT_VOICES.is_file() else None)


def cast_to_check(voices: str | Path | None, script: str | Path | None = None) -> str | Path:
    """--voices, else ./voices.yaml: a check needs a cast, so without either it says how
    to get one (not `check the --voices path`, which was never given)."""
    if found := resolve_voices(voices):
        return found
    raise CastError(f"no ./{DEFAULT_VOICES} here: give --voices FILE, or write one with "
                    f"`audiobook cast {script or 'SCRIPT'} --write {DEFAULT_VOICES}`")


def resolve_script(script: str | Path | None) -> str | Path | None:
    """SCRIPT, else the bundled script/heartstrings.md when there is one."""
    return script or (DEFAULT_SCRIPT if DEFAULT_SCRIPT.is_file() else None)


# --- choosing what to hear -------------------------------------------------------------


def _squash(text: str) -> str:
    text = text.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))
    return " ".join(text.split()).casefold()


def find_scenes(book: Book, phrase: str) -> list[tuple[int, int]]:
    """(chapter, scene), both from 1, of every scene whose text holds `phrase` (any case,
    any spacing, straight or curly quotes); a chapter title counts as its first scene."""
    wanted = _squash(phrase)
    if not wanted:  # would be in every scene
        raise ScriptError("--find: give a word or phrase of the scene to preview")
    found = []
    for c, chapter in enumerate(book.chapters, 1):
        for s, scene in enumerate(chapter.scenes, 1):
            text = " ".join(p.text for p in scene.paragraphs)
            if wanted in _squash(f"{chapter.title} {text}" if s == 1 else text):
                found.append((c, s))
    if not found:
        raise ScriptError(f"no scene contains {phrase!r}")
    return found


def _check_place(book: Book, script, chapter: int, scene: int | None) -> None:
    chapters = len(book.chapters)
    if not 1 <= chapter <= chapters:
        raise ScriptError(f"{script}: no chapter {chapter} (chapters 1-{chapters})")
    scenes = len(book.chapters[chapter - 1].scenes)
    if scene is not None and not 1 <= scene <= scenes:
        where = f"chapter {chapter} has scene 1 only" if scenes == 1 else \
            f"chapter {chapter} has scenes 1-{scenes}"
        raise ScriptError(f"{script}: no scene {chapter}.{scene} ({where})")


def parse_place(text: str) -> tuple[int, int]:
    """`3.1` -> (3, 1)."""
    m = re.fullmatch(r"\s*(\d+)\.(\d+)\s*", text)
    if not m:
        raise ScriptError(f"--scene {text!r}: expected CHAPTER.SCENE, e.g. 3.1")
    return int(m.group(1)), int(m.group(2))


# --- making the clip -------------------------------------------------------------------


def _engine(engine: str | Engine) -> Engine:
    return create_engine(engine) if isinstance(engine, str) else engine


def _render_clip(plan: ChapterPlan, out: Path, engine: Engine, cache_dir,
                 reporter: Reporter) -> tuple[float, int]:
    """Synthesise what is missing, then assemble and master exactly as a chapter is."""
    out = Path(out)
    if out.is_dir():
        raise OutputError(f"{out}: is a folder; pass a file name such as {out / 'preview.wav'}")
    if out.suffix.lower() != ".wav":
        raise OutputError(f"{out}: previews are WAV files; name it {out.with_suffix('.wav').name}")
    cache = SegmentCache(cache_dir or default_cache_dir())
    with translate_faults(plan.title, out.parent):
        # In this process, with the engine already started: a scene is too small to repay
        # starting worker processes.
        missed = synth.synthesize(plan.utterances, cache, engine, 1,
                                  lambda done, total: reporter.progress("synthesize", done, total))
        layout = audio.layout(plan, cache, engine.sample_rate)
        export.encode(audio.stream(plan, cache, layout), layout.sample_rate,
                      audio.mastering_filter(layout), {"wav": out})
    return layout.duration_ms, missed


def _roles_heard(plan: ChapterPlan) -> list[str]:
    return list(dict.fromkeys(s.role for s in plan.segments if s.utterances))


def preview_scene(
    script: str | Path,
    voices: str | Path | None,
    *,
    scene: tuple[int, int] | None = None,
    chapter: int | None = None,
    find: str | None = None,
    out: str | Path = DEFAULT_PREVIEW,
    engine: str | Engine = "pyttsx3",
    cache_dir: str | Path | None = None,
    reporter: Reporter | None = None,
) -> Clip:
    """Render one scene (or one chapter) to a WAV with the book's voices, pauses, mastering."""
    reporter = reporter or Reporter()
    if sum(x is not None for x in (scene, chapter, find)) != 1:
        raise ScriptError("choose one of --scene CH.SC, --chapter CH or --find TEXT")
    book, cast = load(script, voices)
    for warning in book.warnings:
        reporter.warning(f"{script}: {warning}")
    also: list[str] = []
    if find is not None:
        scene, *others = find_scenes(book, find)
        also = [f"{c}.{n}" for c, n in others]
    number, scene_number = scene if scene else (chapter, None)
    _check_place(book, script, number, scene_number)
    instance = _engine(engine)
    check_voices(cast, instance)
    source = book.chapters[number - 1]
    plan = plan_chapter(source, number, cast, f"{instance.name}/{instance.version}")
    label = f'chapter {number} "{source.title}"'
    if scene_number is not None:
        # Scene 1 keeps the chapter title the book reads before it.
        plan = replace(plan, segments=tuple(s for s in plan.segments if s.scene == scene_number))
        label += f", scene {scene_number}"
    duration, missed = _render_clip(plan, Path(out), instance, cache_dir, reporter)
    unresolved = sum(s.kind == DIALOGUE and s.rule in UNRESOLVED
                     for n, _, s in source.segments() if scene_number in (None, n))
    if unresolved and voices:  # as render warns: without a cast it is no news
        reporter.warning(unresolved_warning(unresolved, script, voices))
    return Clip(Path(out), duration, _roles_heard(plan), label, missed, also=also)


def _sample_line(book: Book, role: str) -> str | None:
    """A line the role speaks: the first of five words or more, else the first."""
    kind = NARRATION if role == NARRATOR else DIALOGUE
    lines = [s.text for s in book.segments() if s.role == role and s.kind == kind]
    return next((t for t in lines if len(t.split()) >= 5), lines[0] if lines else None)


def _role(cast: Cast, role: str):
    if role not in cast.roles:
        close = difflib.get_close_matches(role, list(cast.roles), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise CastError(f"{cast.source}: unknown role {role!r} ({hint}roles: "
                        f"{', '.join(cast.roles)})")
    return cast.roles[role]


def try_voice(
    role: str,
    text: str | None = None,
    *,
    voices: str | Path | None = None,
    script: str | Path | None = None,
    out: str | Path | None = None,
    engine: str | Engine = "pyttsx3",
    cache_dir: str | Path | None = None,
    reporter: Reporter | None = None,
) -> Clip:
    """Speak `text` (default: a line the role has in the script, else a stock sentence)
    with the role's voice, its pauses and the cast's pronunciations."""
    reporter = reporter or Reporter()
    cast = load_cast(voices) if voices else default_cast()
    chosen = _role(cast, role)
    if text is None and script:
        text = _sample_line(attribute(read_script(script), cast), role)
    text = text or STOCK_SENTENCE
    instance = _engine(engine)
    check_voices(replace(cast, roles={role: chosen}), instance)
    respell = respeller(cast.pronunciations) if cast.pronunciations else None
    utterances = _utterances(text, chosen.voice, f"{instance.name}/{instance.version}", respell)
    if not utterances:
        raise ScriptError(f"nothing to say in {text!r}")
    kind = NARRATION if role == NARRATOR else DIALOGUE
    segment = PlannedSegment(role, kind, 1, text, 0, 0, cast.pauses_for(role).sentence,
                             utterances)
    plan = ChapterPlan(0, text, f"try-{role}", TRY_EDGE_MS, TRY_EDGE_MS, (segment,))
    out = Path(out) if out else Path("output") / f"try-{role}.wav"
    duration, missed = _render_clip(plan, out, instance, cache_dir, reporter)
    v = chosen.voice
    label = f"{role}: {v.voice}, rate {v.rate}, pitch {v.pitch}, volume {v.volume}"
    return Clip(out, duration, [role], label, missed, [u.text for u in utterances])


# --- playing ---------------------------------------------------------------------------


def find_player() -> list[str] | None:
    """The command line of the first audio player on PATH, without the file."""
    for name, args in PLAYERS.items():
        path = shutil.which(name)
        if path:
            return [path, *args]
    return None


def play(path: Path) -> None:
    player = find_player()
    if player is None:
        raise ToolError(f"no audio player found (install ffplay, aplay or afplay); "
                        f"the file is at {path}")
    result = subprocess.run([*player, str(path)], check=False, capture_output=True)
    if result.returncode != 0:
        tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise ToolError(f"{Path(player[0]).name} could not play {path}: {tail[0]}")


# --- voices ----------------------------------------------------------------------------


def list_voices(engine: str | Engine = "pyttsx3", *, language: str | None = None,
                gender: str | None = None) -> tuple[list[VoiceInfo], list[str]]:
    """The engine's voices, filtered (language by prefix: `en` matches `en-gb`), and the
    variant names that may follow `+` in a voice id."""
    instance = _engine(engine)
    found = instance.voices()
    if language:
        want = language.lower()
        found = [v for v in found
                 if any(lang.lower() == want or lang.lower().startswith(want + "-")
                        for lang in v.languages)]
    if gender:
        found = [v for v in found if (v.gender or "").lower() == gender.lower()]
    return found, instance.variants()


def variant_note(variants: list[str]) -> str:
    """How to form a variant, and which names exist."""
    numbered = [v for v in variants if re.fullmatch(r"[fm]\d+", v)]
    named = [v for v in variants if v not in numbered]
    lines = ["Variants: add +NAME to a voice id, e.g. gmw/en-us+f3 (female) or gmw/en-us+m3 "
             "(male). Names are case-sensitive."]
    if numbered:
        lines.append("  numbered: " + " ".join("+" + v for v in numbered))
    if named:
        lines.append(f"  named ({len(named)}): " + " ".join("+" + v for v in named[:12])
                     + (" ..." if len(named) > 12 else ""))
    return "\n".join(lines)


@dataclass
class CheckReport:
    voices: str
    script: str | None
    roles: int
    problems: list[str]


_TAG_NAME = re.compile(
    r"\b(?:(?P<verb>[a-z]+)\s+(?P<after>[A-Z][a-z]+)|(?P<before>[A-Z][a-z]+)\s+(?P<verb2>[a-z]+))\b"
)
_NOT_NAMES = frozenset("I He She They We You It Then And But So The A An This That "
                       "Mr Mrs Ms Dr".split())


def _uncast_speakers(book: Book, cast: Cast, script) -> list[str]:
    """Names in speech tags (`said Mary`, `Mary asked`) that no role answers to."""
    known = {n.lower() for r in cast.roles.values() for name in r.names for n in name.split()}
    found: dict[str, int] = {}
    for chapter in book.chapters:
        for _, paragraph, segment in chapter.segments():
            has_dialogue = any(s.kind == DIALOGUE for s in paragraph.segments)
            if segment.kind != NARRATION or not has_dialogue:
                continue
            for m in _TAG_NAME.finditer(segment.text):
                verb, name = (m["verb"], m["after"]) if m["verb"] else (m["verb2"], m["before"])
                if verb in SPEECH_VERBS and name not in _NOT_NAMES and name.lower() not in known:
                    found.setdefault(name, segment.line)
    return [located(script, line, f"{name!r} speaks but no role is named {name}; add a role "
                                  f"with `name: {name}` to {cast.source}")
            for name, line in found.items()]


def check_voices_report(voices: str | Path, script: str | Path | None = None,
                        engine: str | Engine = "pyttsx3") -> CheckReport:
    """Every problem with a cast: its values, its voices against the engine, and its roles
    against the script (roles the script needs but lacks, roles it never uses)."""
    path = Path(voices)
    cast, problems = check_cast_text(read_cast_text(path), str(path))
    instance = _engine(engine)
    for role in cast.roles.values():
        problem = instance.check_voice(role.voice.voice)
        if problem:
            key = f"roles.{role.id}.voice"
            problems.append(located(cast.source, cast.line_of(key), f"{key}: {problem}"))
    if script:
        book = read_script(script)
        for segment in book.segments():
            if segment.override and segment.override not in cast.roles:
                problems.append(located(script, segment.line, f"[{segment.override}] is not a "
                                        f"role in {cast.source}; add it under roles:"))
        problems += _uncast_speakers(book, cast, script)
        # Attribute as a render would, with overrides naming missing roles set aside.
        usable = book.map_segments(
            lambda s: replace(s, override=None) if s.override not in cast.roles else s)
        heard = {s.role for s in attribute(usable, cast).segments()}
        for role in cast.characters:
            if role.id not in heard:
                key = f"roles.{role.id}"
                problems.append(located(cast.source, cast.line_of(key),
                                        f"{key}: never speaks in {script} (check its name "
                                        "and aliases)"))
    return CheckReport(str(path), str(script) if script else None, len(cast.roles), problems)
