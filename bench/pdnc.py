"""Speaker attribution on novels the rules were never tuned on: the Project Dialogism Novel
Corpus (PDNC; Vishnubhotla, Hammond and Hirst 2022), novels with their own paragraphs, every
quote's speaker and a gold cast (names, aliases, gender): the setting of issue #3's target.

    python bench/pdnc.py DIR [--errors N] [--skip CHARS] [--gold-tags]

DIR holds, for each novel, `NOVEL/text.txt` (an opening of `novel_text.txt`, any length),
`NOVEL/characters.csv` (`character_info.csv`, unchanged) and `NOVEL/quotes.tsv` (quote id,
`quoteByteSpans`, speaker and referring expression of each quote that starts in that
opening), copied from github.com/Priya22/project-dialogism-novel-corpus. Nothing of PDNC is
shipped. The rules were read against LitBank's excerpts (about the first 10,000 characters)
of 15 PDNC novels: score those only past the excerpt, with `--skip 15000`.

The cast is every character of `characters.csv` with its main name, aliases and gender;
the one the narration calls `I` (the gold speaker of most quotes tagged `I said`) is the
`narrator`; PDNC's two people of one name (`Christopher Robin - External` and `- Story`) are
one role, as a cast written for the book would have them. Quotes of `_group` and
`_unknowable` are not scored. A quote is right when
the parsed quote holding the start of its first span was given its speaker.
"""

from __future__ import annotations

import argparse
import ast
import csv
import itertools
import re
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audiobook import discover  # noqa: E402
from audiobook.attribution import attribute  # noqa: E402
from audiobook.cast import NARRATOR, Cast, Role  # noqa: E402
from audiobook.script import DIALOGUE, Book, parse  # noqa: E402

GENDERS = {"M": "male", "F": "female"}
UNSCORED = {"_group", "_unknowable"}
_SUFFIX = re.compile(r"\s+-\s+\w+$")
_FIRST_PERSON_TAG = re.compile(r"(?i)^(?:\w+\s+)?I\b|\bI$")  # `I said`, `said I`


def _alnum(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def read_novel(folder: Path):
    text = (folder / "text.txt").read_text(encoding="utf-8")
    cut = text.rfind("\n\n")  # the copy ends mid-paragraph: read whole paragraphs only
    text = text[:cut] if cut > 0 else text
    quotes = []
    for line in (folder / "quotes.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        qid, spans, speaker, *rest = line.split("\t")
        spans = ast.literal_eval(spans)
        if spans and spans[0][1] <= len(text):
            expression = (rest or [""])[0].strip()
            quotes.append((qid, spans, speaker.strip(), "" if expression == "nan" else expression))
    with (folder / "characters.csv").open(encoding="utf-8", newline="") as f:
        characters = list(csv.DictReader(f))
    return text, quotes, characters


def build_cast(characters, quotes) -> tuple[Cast, dict[str, str]]:
    """The gold cast; returns it and each PDNC speaker name's role id."""
    said_i = Counter(speaker for _q, _s, speaker, expression in quotes
                     if expression and _FIRST_PERSON_TAG.search(expression))
    narrator = said_i.most_common(1)[0][0] if said_i and said_i.most_common(1)[0][1] >= 2 else None
    roles = {NARRATOR: Role(NARRATOR, "Narrator")}
    role_of: dict[str, str] = {}
    taken = {NARRATOR}
    written_as: dict[str, list[str]] = {}  # each character's aliases, as quotes name speakers
    for row in characters:
        name = row["Main Name"].strip()
        if name in UNSCORED:
            continue
        aliases = ast.literal_eval(row["Aliases"]) if row["Aliases"].strip() else []
        written_as[name] = [a.strip() for a in aliases]
        # PDNC tells two people of one name apart as `Christopher Robin - External` and
        # `- Story`; the book calls both `Christopher Robin`, and so would a cast.
        spoken = _SUFFIX.sub("", name)
        aliases = tuple(sorted({_SUFFIX.sub("", a.strip()) for a in aliases if a.strip()}
                               - {spoken}))
        gender = GENDERS.get(row["Gender"].strip(), "neutral")
        if name == narrator:
            roles[NARRATOR] = Role(NARRATOR, spoken, aliases, gender)
            role_of[name] = NARRATOR
            continue
        # A cast would have one `Christopher Robin`: both PDNC people are scored as one role.
        same = next((r for r in roles.values() if r.name == spoken), None)
        if same:
            roles[same.id] = Role(same.id, spoken, tuple(sorted({*same.aliases, *aliases})),
                                  same.gender)
            role_of[name] = same.id
            continue
        role_id = discover.role_id(name, taken, prefix="r_")
        roles[role_id] = Role(role_id, spoken, aliases, gender)
        role_of[name] = role_id
    # PDNC sometimes names a quote's speaker by an alias (`Lucy` for Lucy Honeychurch):
    # the one character it belongs to.
    owners: dict[str, set[str]] = defaultdict(set)
    for name, aliases in written_as.items():
        for alias in aliases:
            owners[alias].add(role_of[name])
    for alias, roles_of_alias in owners.items():
        if alias not in role_of and len(roles_of_alias) == 1:
            role_of[alias] = next(iter(roles_of_alias))
    return Cast(roles=roles, source="PDNC gold cast"), role_of


def score(folder: Path, skip: int = 0, cast: Cast | None = None, gold_tags: bool = False):
    """(novel, [(gold role, chosen role, rule, quote text)]) for every scored quote that
    starts at character `skip` or later (the text before still counts as context). The
    book is attributed with `cast` if given (a proposed one: bench/discovered.py), else
    with the gold cast; the gold role is always the gold cast's. With `gold_tags`, every
    quote PDNC gives a referring expression (`said Mary`, `she said`) is forced to its gold
    speaker, as `[role]` markup would, and only the other quotes are scored: how the
    untagged quotes fare when every tag is read right."""
    text, quotes, characters = read_novel(folder)
    gold, role_of = build_cast(characters, quotes)
    book = parse(text, markdown=False)
    # Where each parsed quote lies in the text, in letters and digits (attribution keeps
    # the segments and their order, so an index here is one in the attributed book).
    stream = _alnum(text)
    placed = []  # (start, end, index of the segment)
    position = 0
    for index, segment in enumerate(book.segments()):
        letters = _alnum(segment.text)
        if not letters:
            continue
        at = stream.find(letters, position)
        if at < 0:
            continue
        placed.append((at, at + len(letters), index))
        position = at + len(letters)
    letters_before = [0]
    for ch in text:
        letters_before.append(letters_before[-1] + (ch.isalnum()))
    dialogue = {i for i, segment in enumerate(book.segments()) if segment.kind == DIALOGUE}

    def segment_of(start: int, end: int) -> int | None:
        here = letters_before[start] + (1 if _alnum(text[start:end]) else 0)
        return next((i for a, b, i in placed if a < here <= b and i in dialogue), None)

    scored = [(spans, speaker, expression) for _qid, spans, speaker, expression in quotes
              if speaker not in UNSCORED and speaker in role_of]
    if gold_tags:
        forced = {segment_of(*spans[0]): role_of[speaker]
                  for spans, speaker, expression in scored if expression}
        forced.pop(None, None)
        book = _force(book, forced)
        scored = [q for q in scored if not q[2]]
    segments = list(attribute(book, cast or gold).segments())
    results = []
    for spans, speaker, _expression in scored:
        start, end = spans[0]
        if start < skip:
            continue
        index = segment_of(start, end)
        segment = segments[index] if index is not None else None
        chosen, rule = (segment.role, segment.rule) if segment else (None, "unparsed")
        results.append((role_of[speaker], chosen, rule, text[start:end]))
    return folder.name, results


def _force(book: Book, roles: dict[int, str]) -> Book:
    """`book` with the segment at each index of `roles` forced to that role."""
    position = itertools.count()

    def force(segment):
        index = next(position)
        return replace(segment, override=roles[index]) if index in roles else segment

    return replace(book, chapters=tuple(chapter.map_segments(force) for chapter in book.chapters))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--errors", type=int, default=0, help="show N wrong quotes")
    parser.add_argument("--skip", type=int, default=0, metavar="CHARS",
                        help="score only quotes starting at this character or later")
    parser.add_argument("--gold-tags", action="store_true",
                        help="read every tag right (PDNC's speaker) and score the untagged "
                             "quotes: what turn-taking gets from perfect anchors")
    args = parser.parse_args(argv)
    novels = sorted(p for p in args.folder.iterdir() if (p / "quotes.tsv").is_file())
    per_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    total = correct = 0
    wrong = []
    print(f"{'novel':<30} {'quotes':>6} {'right':>6} {'accuracy':>9}")
    for folder in novels:
        name, results = score(folder, args.skip, gold_tags=args.gold_tags)
        ok = sum(gold == chosen for gold, chosen, _r, _t in results)
        for gold, chosen, rule, text in results:
            per_rule[rule][0] += gold == chosen
            per_rule[rule][1] += 1
            if gold != chosen:
                wrong.append((name, gold, chosen, rule, text))
        total += len(results)
        correct += ok
        print(f"{name:<30} {len(results):>6} {ok:>6} {100 * ok / max(1, len(results)):>8.1f}%")
    print(f"{'all':<30} {total:>6} {correct:>6} {100 * correct / max(1, total):>8.1f}%\n")
    print(f"{'rule':<20} {'quotes':>6} {'right':>6} {'accuracy':>9}")
    for rule, (ok, n) in sorted(per_rule.items(), key=lambda kv: -kv[1][1]):
        print(f"{rule:<20} {n:>6} {ok:>6} {100 * ok / n:>8.1f}%")
    for name, gold, chosen, rule, text in wrong[: args.errors]:
        print(f"\n[{name}] gold={gold} chose={chosen} ({rule})\n    {text[:150]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
