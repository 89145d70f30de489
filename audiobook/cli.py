"""The `audiobook` command: each subcommand a few lines over `audiobook.render`.

The only module that prints or exits. Library errors become one `Error: ...` line on
stderr and exit status 1; `--debug` shows the traceback instead.
"""

from __future__ import annotations

import json
import sys

import click

from audiobook import __version__, render
from audiobook.engines import ENGINES
from audiobook.errors import AudiobookError
from audiobook.export import FORMATS


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AudiobookError as error:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"Error: {error}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted; finished work is kept. Run the same command to resume.",
                       err=True)
            sys.exit(130)


class _Reporter(render.Reporter):
    """Warnings on stderr; a progress bar with ETA only on a terminal and without --quiet."""

    LABELS = {"synthesize": "Synthesizing", "encode": "Encoding"}

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.show_bar = not quiet and sys.stderr.isatty()
        self.bar = None
        self.stage = None

    def warning(self, message):
        if not self.quiet:
            click.echo(f"Warning: {message}", err=True)

    def progress(self, stage, done, total):
        if not self.show_bar:
            return
        if stage != self.stage:
            self.close()
            self.stage = stage
            if total:
                self.bar = click.progressbar(length=total, label=self.LABELS.get(stage, stage),
                                             file=sys.stderr, show_eta=True, show_pos=True)
                self.bar.__enter__()
            return
        if self.bar:
            self.bar.update(done - self.bar.pos)

    def close(self):
        if self.bar:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _minutes(ms: float) -> str:
    seconds = round(ms / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


engine_option = click.option(
    "--engine", type=click.Choice(ENGINES), default="pyttsx3", show_default=True,
    help="Synthesis engine ('fake' makes test tones, no speech).",
)
voices_option = click.option(
    "--voices", "voices", type=click.Path(dir_okay=False), default=None,
    help="The cast: voices.yaml. Without it, the narrator reads everything.",
)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="audiobook")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx, debug):
    """Turn a story script and a cast into a multi-voice audiobook."""
    ctx.obj = {"debug": debug}


@cli.command(name="render")
@click.argument("script", type=click.Path(dir_okay=False))
@voices_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="output",
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
        result = render.render_book(script, voices, out_dir, formats=formats or ("mp3",),
                                    engine=engine, jobs=jobs, cache_dir=cache_dir,
                                    reporter=reporter)
    finally:
        reporter.close()
    reused = sum(c.reused for c in result.chapters)
    note = f", {reused} unchanged" if reused else ""
    click.echo(f"Rendered {len(result.chapters)} chapters ({_minutes(result.duration_ms)}"
               f"{note}) into {result.book_dir}/")
    if not quiet:
        for chapter in result.chapters:
            files = " ".join(chapter.files.values())
            click.echo(f"  {chapter.index:>2}. {chapter.title}  {_minutes(chapter.duration_ms)}"
                       f"  {files}")


@cli.command(name="inspect")
@click.argument("script", type=click.Path(dir_okay=False))
@voices_option
@click.option("--json", "as_json", is_flag=True, help="Chapters -> scenes -> segments as JSON.")
def inspect_command(script, voices, as_json):
    """Show how SCRIPT is parsed and who speaks each quote, without making audio."""
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
    for warning in data["warnings"]:
        click.echo(f"Warning: {warning}", err=True)


def main():
    cli(prog_name="audiobook")
