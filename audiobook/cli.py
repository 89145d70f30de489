"""The `audiobook` command: each subcommand a few lines over `audiobook.render`.

The only module that prints or exits. Library errors become one `Error: ...` line on
stderr and exit status 1; `--debug` shows the traceback instead.
"""

from __future__ import annotations

import json
import os
import select
import sys

import click

from audiobook import __version__, preview, render
from audiobook.attribution import report as attribution_report
from audiobook.engines import ENGINES
from audiobook.errors import AudiobookError, CastError
from audiobook.export import FORMATS, duration


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AudiobookError as error:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"Error: {error}", err=True)
            sys.exit(1)
        except BrokenPipeError as error:
            if not _stdout_closed():
                # A pipe to a worker or ffmpeg broke: a failure to report (click would exit
                # 1 in silence on any broken pipe).
                if ctx.obj and ctx.obj.get("debug"):
                    raise RuntimeError("broken pipe") from error
                click.echo(f"Error: broken pipe: {error}", err=True)
                sys.exit(1)
            # The reader stopped reading (`| head -1`): no error to report. Exit as `cat` and
            # `grep` do, killed by SIGPIPE: status 141 (128 + 13), which `set -o pipefail`
            # scripts already expect of them. Stdout goes to devnull so that the flush at exit
            # cannot raise again; click alone would exit 1.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except KeyboardInterrupt:
            click.echo("Interrupted; finished work is kept. Run the same command to resume.",
                       err=True)
            sys.exit(130)


def _stdout_closed() -> bool:
    """Whether stdout is a pipe nobody reads any more: Linux polls it POLLERR, macOS and
    the BSDs POLLHUP."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll (Windows), no real stdout
        return False


class _Reporter(render.Reporter):
    """Warnings on stderr; a progress bar with ETA only on a terminal and without --quiet."""

    LABELS = {"read": "Reading", "plan": "Planning", "synthesize": "Synthesizing",
              "encode": "Encoding"}

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.show_bar = not quiet and sys.stderr.isatty()
        self.bar = None
        self.stage = None
        self.chapters = ""  # which chapters the current batch covers, if there are batches

    def warning(self, message):
        if not self.quiet:
            self.close()  # on a line of its own, not after a bar's
            click.echo(f"Warning: {message}", err=True)

    def progress(self, stage, done, total):
        if not self.show_bar:
            return
        if stage != self.stage:
            self.close()
            self.stage = stage
            if total:
                label = self.LABELS.get(stage, stage)
                if stage in ("synthesize", "encode"):
                    label += self.chapters
                self.bar = click.progressbar(length=total, label=label,
                                             file=sys.stderr, show_eta=True, show_pos=True)
                self.bar.__enter__()
            return
        if self.bar:
            self.bar.update(done - self.bar.pos)

    def batch(self, first, last, total):
        self.chapters = f" (chapters {first}-{last} of {total})"

    def close(self):
        if self.bar:
            self.bar.__exit__(None, None, None)
            self.bar = None


engine_option = click.option(
    "--engine", type=click.Choice(ENGINES), default="pyttsx3", show_default=True,
    help="Synthesis engine ('fake' makes test tones, no speech).",
)


def _voices_option(default: str):
    return click.option("--voices", "voices", type=click.Path(dir_okay=False), default=None,
                        help=f"The cast: voices.yaml.  [default: {default}]")


# Every command takes ./voices.yaml without --voices (preview.resolve_voices): a render
# must not come out narrator-only where the preview that tuned it had the cast.
voices_here_option = _voices_option("./voices.yaml if there is one, else the narrator "
                                    "reads everything")


def _cast(voices: str | None, quiet: bool = False) -> str | None:
    """--voices, else ./voices.yaml, said on stderr: it may be another book's."""
    found = preview.resolve_voices(voices)
    if found and not voices and not quiet:
        click.echo(f"Cast: ./{found} (no --voices given)", err=True)
    return found


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="audiobook")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx, debug):
    """Turn a story script and a cast into a multi-voice audiobook."""
    ctx.obj = {"debug": debug}


@cli.command(name="render")
@click.argument("script", type=click.Path(dir_okay=False))
@voices_here_option
@click.option("--out", "out_dir", type=click.Path(), default="output",
              show_default=True, help="Folder for the book's folder.")
@click.option("--format", "formats", type=click.Choice(FORMATS), multiple=True,
              help="Chapter file format; repeat for several.  [default: mp3]")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes.  [default: number of cores]")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Segment cache.  [default: $AUDIOBOOK_CACHE_DIR or ~/.cache/audiobook]")
@engine_option
@click.option("--quiet", "-q", is_flag=True, help="No progress or warnings.")
def render_command(script, voices, out_dir, formats, jobs, cache_dir, engine, quiet):
    """Render SCRIPT into one audio file per chapter plus manifest.json."""
    reporter = _Reporter(quiet)
    try:
        result = render.render_book(script, _cast(voices, quiet), out_dir,
                                    formats=formats or ("mp3",),
                                    engine=engine, jobs=jobs, cache_dir=cache_dir,
                                    reporter=reporter)
    finally:
        reporter.close()
    reused = sum(c.reused for c in result.chapters)
    note = f", {reused} unchanged" if reused else ""
    count, length = len(result.chapters), duration(result.duration_ms)
    click.echo(f"Rendered {count} chapter{'s' if count != 1 else ''} ({length}{note}) into "
               f"{result.book_dir}/")
    if not quiet:
        for chapter in result.chapters:
            files = " ".join(chapter.files.values())
            click.echo(f"  {chapter.index:>2}. {chapter.title}  {duration(chapter.duration_ms)}"
                       f"  {files}")
        for name in result.files.values():
            click.echo(f"      whole book  {duration(result.duration_ms)}  {name}")


@cli.command(name="inspect")
@click.argument("script", type=click.Path(dir_okay=False))
@voices_here_option
@click.option("--json", "as_json", is_flag=True, help="Chapters -> scenes -> segments as JSON.")
def inspect_command(script, voices, as_json):
    """Show how SCRIPT is parsed and who speaks each quote, without making audio."""
    voices = _cast(voices)
    book, _ = render.load(script, voices)
    data = render.inspect_data(book)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(data["title"])
    for chapter in data["chapters"]:
        click.echo(f"\nChapter {chapter['index']}: {chapter['title']}")
        for scene in chapter["scenes"]:
            click.echo(f"  Scene {scene['index']}")
            for seg in scene["segments"]:
                text = seg["text"] if len(seg["text"]) <= 70 else seg["text"][:67] + "..."
                rule = f" ({seg['rule']})" if seg.get("rule") else ""
                click.echo(f"    {seg['line']:>4} {seg['role']:<10} {text}{rule}")
    if voices:
        click.echo("\nSpeaker attribution")
        for line in attribution_report(book).lines():
            click.echo(f"  {line}")
    for warning in data["warnings"]:
        click.echo(f"Warning: {script}: {warning}", err=True)


@cli.command(name="cast")
@click.argument("script", type=click.Path(dir_okay=False))
# Not dir_okay=False: a folder is refused by discover.check_target in one `Error:` line, as
# a bad --out is, rather than with click's usage message.
@click.option("--write", "write_to", type=click.Path(), metavar="FILE", default=None,
              help="Write the proposed cast to FILE (a voices.yaml).")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def cast_command(script, write_to, force):
    """Propose a voices.yaml cast from the characters who speak in SCRIPT."""
    from audiobook import discover  # here: its import costs every other command 16 ms

    if write_to:
        discover.check_target(write_to, force)
    proposal = discover.discover(render.read_script(script))
    for line in discover.describe(proposal):
        click.echo(line)
    if write_to:
        click.echo(f"Wrote {discover.write_cast(proposal, write_to, force)}")


@cli.group(name="cache")
def cache_group():
    """Inspect or empty the synthesised-speech cache."""


cache_dir_option = click.option(
    "--cache-dir", type=click.Path(file_okay=False), default=None,
    help="Segment cache.  [default: $AUDIOBOOK_CACHE_DIR or ~/.cache/audiobook]",
)


@cache_group.command(name="info")
@cache_dir_option
def cache_info_command(cache_dir):
    """Where the cache is, how many segments and MP3 blocks it holds, and its size."""
    info = render.cache_info(cache_dir)
    click.echo(f"{info.path}: {info.entries} segments, {info.blocks} MP3 blocks, "
               f"{info.size_bytes / 1e6:.1f} MB")


@cache_group.command(name="clear")
@cache_dir_option
def cache_clear_command(cache_dir):
    """Delete every cached segment and block (the next render synthesises everything again)."""
    removed = render.cache_clear(cache_dir)
    click.echo(f"{removed.path}: removed {removed.entries} segments, {removed.blocks} MP3 blocks")


@cli.command(name="check")
@click.argument("path", type=click.Path())
def check_command(path):
    """ACX report for PATH: a book folder's MP3s or one audio file. Exit 1 if any fails."""
    from audiobook import acx

    reports = acx.check(path)
    click.echo(acx.format_report(reports))
    if not all(report.ok for report in reports):
        sys.exit(1)


# --- the tuning loop: preview, voices list/try/check (library: audiobook/preview.py) ------

play_option = click.option("--play", is_flag=True, help="Play it with ffplay, aplay or afplay.")


@cli.command(name="preview")
@click.argument("script", type=click.Path(dir_okay=False), default=str(preview.DEFAULT_SCRIPT))
@voices_here_option
@click.option("--scene", help="CHAPTER.SCENE, both from 1 (e.g. 3.1).")
@click.option("--chapter", type=click.IntRange(1), help="A whole chapter, from 1.")
@click.option("--find", help="The scene holding this phrase.")
@click.option("--out", type=click.Path(dir_okay=False), default=str(preview.DEFAULT_PREVIEW),
              show_default=True, help="The WAV to write.")
@play_option
@cache_dir_option
@engine_option
def preview_command(script, voices, scene, chapter, find, out, play, cache_dir, engine):
    """Render one scene of SCRIPT as the book will sound, fast.  [SCRIPT: script/heartstrings.md]"""
    reporter = _Reporter(quiet=False)
    try:
        clip = preview.preview_scene(
            script, _cast(voices), chapter=chapter, find=find,
            scene=preview.parse_place(scene) if scene else None, out=out, engine=engine,
            cache_dir=cache_dir, reporter=reporter)
    finally:
        reporter.close()
    click.echo(f"{clip.path}  {duration(clip.duration_ms, 1)}  {clip.label}")
    click.echo(f"Roles heard: {', '.join(clip.roles)}")
    if clip.also:  # the first match was taken; say where else the phrase is
        more = f" and {len(clip.also) - 10} more" if len(clip.also) > 10 else ""
        click.echo(f"Also in: {', '.join(clip.also[:10])}{more} (pick one with --scene)")
    if play:
        preview.play(clip.path)


@cli.group(name="voices")
def voices_group():
    """List the engine's voices, hear a role, check a cast."""


@voices_group.command(name="list")
@click.option("--language", help="Language code or prefix (en matches en-gb, en-us...).")
@click.option("--gender", help="female, male...")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of {id, name, languages, gender}.")
@engine_option
def voices_list_command(language, gender, as_json, engine):
    """The voice ids voices.yaml may use, and how to form variants."""
    found, variants = preview.list_voices(engine, language=language, gender=gender)
    if as_json:
        click.echo(json.dumps([{"id": v.id, "name": v.name, "languages": list(v.languages),
                                "gender": v.gender} for v in found], indent=2))
        return
    for v in found:
        click.echo(f"{v.id:<26} {v.name:<36} {','.join(v.languages):<18} {v.gender or '-'}")
    if gender and not found:
        click.echo(f"No voice is listed as {gender}; a variant changes the voice, "
                   "e.g. gmw/en-us+f3 sounds female.")
    click.echo(f"{len(found)} voices.\n{preview.variant_note(variants)}")


@voices_group.command(name="try")
@click.argument("role")
@click.argument("text", required=False)
@voices_here_option
@click.option("--script", type=click.Path(dir_okay=False), default=None,
              help="Where to find a line of ROLE's.  [default: script/heartstrings.md]")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="The WAV to write.  [default: output/try-ROLE.wav]")
@play_option
@cache_dir_option
@engine_option
def voices_try_command(role, text, voices, script, out, play, cache_dir, engine):
    """Speak TEXT (default: a line ROLE says in the script) with ROLE's voice."""
    clip = preview.try_voice(role, text, voices=_cast(voices),
                             script=preview.resolve_script(script), out=out, engine=engine,
                             cache_dir=cache_dir)
    click.echo(f"{clip.path}  {duration(clip.duration_ms, 1)}  {clip.label}")
    click.echo(f"Said: {' '.join(clip.spoken)}")
    if play:
        preview.play(clip.path)


@voices_group.command(name="check")
@click.argument("script", type=click.Path(dir_okay=False), required=False)
@_voices_option("./voices.yaml")
@engine_option
def voices_check_command(script, voices, engine):
    """Check the cast against the engine and SCRIPT; list every problem."""
    report = preview.check_voices_report(preview.cast_to_check(voices, script),
                                         preview.resolve_script(script), engine)
    for problem in report.problems:
        click.echo(problem)
    against = f" and {report.script}" if report.script else ""
    if report.problems:
        raise CastError(f"{len(report.problems)} problem(s) in {report.voices}{against}")
    click.echo(f"{report.voices}: {report.roles} roles, every voice found; "
               f"no problems{' with ' + report.script if report.script else ''}")


def main():
    cli(prog_name="audiobook")
