"""Speaker attribution end to end on PDNC or LitBank: the cast `audiobook cast` proposes
instead of the gold one, as a user who renders the proposed voices.yaml unedited would get.

    python bench/discovered.py DIR [--skip CHARS] [--roles]
    python bench/discovered.py --litbank [DIR] [--paragraphs real|rebuilt|sentence] [--roles]

DIR is laid out as for bench/pdnc.py, whose reading, gold cast and quote matching are used
as they are. With `--litbank`, LitBank's excerpts are the texts instead, read, cast and
matched as bench/attribution.py does: by default the excerpts whose own paragraphs are
known, with them (`real`), or every excerpt with paragraphs rebuilt or one per sentence.
Per text and overall it prints
- gold speakers: of the speakers of the scored quotes, those a proposed role maps to
  (found), the share of the quotes they speak, and how many are named only by a role
  that names someone else too (merged);
- proposed roles (besides the narrator): how many, those that map to no gold character
  (extra) or to two or more (merged), and the gold characters two or more roles map to
  (split: one person, two voices);
- accuracy with the proposed cast (a quote is right when its chosen role maps to its gold
  speaker) beside bench/pdnc.py's accuracy with the gold cast, on the same quotes;
then where the quotes the proposed cast gets wrong went, how many roles that map to a man or
a woman have another gender or none, and with `--roles` who is missing, extra, merged, split
and wrongly gendered in each text.

The gold characters are those of the gold cast who speak somewhere in the text (PDNC's
characters.csv also lists people who are only mentioned). A proposed role maps to
them by its name and aliases (its forms) in three tiers; the first tier in which any form
finds anyone decides:
1. a form equals a gold character's main name or alias, case-insensitively, with a
   leading `the`, `a` or `an` dropped (`the servant` is `The Servant`);
2. the same with leading titles dropped from both (those of audiobook.attribution.names:
   `Mr.`, `Mrs.`, `Miss`, `Dr.`, `Aunt`, `Old` ...), unless the titles disagree in gender:
   `Aziz` is `Dr. Aziz`, `Mr. Cavendish` is `Cavendish` but not `Mrs. Cavendish`;
3. a one-word form, titles dropped, is the first or last word of the names of exactly one
   gold character (`Heaslop` is Ronny Heaslop; `Price` is nobody when three Prices speak).
A role that finds two gold characters in its tier maps to neither: it is merged. The
proposal's narrator maps to the gold narrator (bench/pdnc.py's: the speaker of `I said`;
bench/attribution.py's: the entity that is `I` in the narration).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audiobook.attribution.names import TITLES  # noqa: E402
from audiobook.cast import NARRATOR, Cast  # noqa: E402
from audiobook.discover import discover  # noqa: E402
from audiobook.script import parse  # noqa: E402
from bench.attribution import (DEFAULT_LITBANK, PARAGRAPH_MODES, REAL, Excerpt,  # noqa: E402
                               read_excerpts, to_markdown)
from bench.attribution import score as litbank_score  # noqa: E402
from bench.pdnc import build_cast, read_novel, score  # noqa: E402


def _plain(form: str) -> str:
    words = re.sub(r"[\u2018\u2019]", "'", form).lower().split()
    if len(words) > 1 and words[0] in ("the", "a", "an"):
        words = words[1:]
    return " ".join(words)


def _bare(form: str) -> tuple[str, str | None]:
    """The form without its titles, and the gender they give (`Mrs.`: female)."""
    words, gender = _plain(form).split(), None
    while len(words) > 1 and words[0].rstrip(".") in TITLES:
        gender = gender or TITLES[words[0].rstrip(".")]
        words = words[1:]
    return " ".join(words), gender


def map_roles(proposed: Cast, gold: Cast, speakers: set[str]) -> dict[str, frozenset]:
    """Each proposed role id -> the ids of the gold `speakers` it names: one (mapped), none
    (extra) or more (merged)."""
    exact, bare, parts = defaultdict(set), defaultdict(list), defaultdict(list)
    for gid in speakers:
        for form in gold.roles[gid].names:
            exact[_plain(form)].add(gid)
            name, gender = _bare(form)
            bare[name].append((gid, gender))
            for word in {name.split()[0], name.split()[-1]}:
                parts[word].append((gid, gender))

    def owners(table, name: str, gender: str | None) -> set[str]:
        # `Mr. Cavendish` is not `Mrs. Cavendish`
        return {gid for gid, g in table.get(name, ()) if not (g and gender and g != gender)}

    def as_written(form: str) -> set[str]:
        return exact.get(_plain(form), set())

    def untitled(form: str) -> set[str]:
        return owners(bare, *_bare(form))

    def one_part(form: str) -> set[str]:
        name, gender = _bare(form)
        found = owners(parts, name, gender) if " " not in name else set()
        return found if len(found) == 1 else set()

    mapping = {NARRATOR: frozenset({NARRATOR})}
    for rid, role in proposed.roles.items():
        if rid == NARRATOR:
            continue
        found = set()
        for tier in (as_written, untitled, one_part):
            found = set().union(*(tier(form) for form in role.names))
            if found:
                break
        mapping[rid] = frozenset(found)
    return mapping


def bench(folder: Path, skip: int = 0) -> dict:
    text, quotes, characters = read_novel(folder)
    gold, role_of = build_cast(characters, quotes)
    proposed = discover(parse(text, markdown=False)).cast()
    # Only the people who speak in the text: characters.csv also lists some who are only
    # mentioned (Mansfield Park's `Norris` beside `Mrs. Norris`), and no voice is theirs.
    speakers = {role_of[speaker] for _q, _s, speaker, _e in quotes if speaker in role_of}
    _name, with_gold = score(folder, skip)
    _name, with_proposed = score(folder, skip, cast=proposed)
    rows = [(g, chosen_gold, chosen) for (g, chosen_gold, _r, _t), (_g, chosen, _r2, _t2)
            in zip(with_gold, with_proposed, strict=True)]
    return compare(folder.name, gold, proposed, speakers, rows)


def bench_excerpt(excerpt: Excerpt, mode: str = REAL) -> dict:
    """bench() for a LitBank excerpt, its paragraphs built in `mode` (bench/attribution.py):
    its gold cast is every entity that speaks in it."""
    excerpt.markdown, excerpt.line_of, excerpt.more_lines = to_markdown(
        excerpt.name, excerpt.sentences, mode, excerpt.paragraph_starts)
    proposed = discover(parse(excerpt.markdown)).cast()
    with_gold = litbank_score(excerpt)
    with_proposed = litbank_score(replace(excerpt, cast=proposed))
    rows = [(q.speaker, chosen_gold, chosen) for (q, chosen_gold, _r, _s), (_q, chosen, _r2, _s2)
            in zip(with_gold, with_proposed, strict=True)]
    return compare(excerpt.name, excerpt.cast, proposed, {q.speaker for q in excerpt.quotes},
                   rows)


def compare(name: str, gold: Cast, proposed: Cast, speakers: set[str],
            rows: list[tuple[str, str | None, str | None]]) -> dict:
    """The proposed cast against the gold one on the scored quotes of a text: `rows` holds
    each quote's (gold role, the gold cast's choice, the proposed cast's choice)."""
    mapping = map_roles(proposed, gold, speakers)
    roles_of = defaultdict(list)  # gold id -> the proposed roles naming it alone
    in_merged = set()  # gold ids a merged role names
    for rid, gids in mapping.items():
        if len(gids) == 1:
            roles_of[next(iter(gids))].append(rid)
        in_merged |= gids if len(gids) > 1 else set()
    lines = Counter(c for _g, _cg, c in rows)
    for rids in roles_of.values():
        rids.sort(key=lambda r: -lines[r])
    losses: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for g, chosen_gold, chosen in rows:
        gids = mapping.get(chosen, frozenset())
        if gids == {g}:
            continue
        if g not in roles_of:
            why = "speaker only in a merged role" if g in in_merged else "speaker not proposed"
        elif chosen is None:
            why = "quote not parsed"
        elif not gids:
            why = "given to an extra role"
        elif len(gids) > 1:
            why = "given to a merged role"
        else:
            why = "given to another person"
        losses[why][0] += 1
        losses[why][1] += chosen_gold == g  # would the gold cast have had it?
    return {"name": name, "gold": gold, "proposed": proposed, "mapping": mapping,
            "speakers": Counter(g for g, _cg, _c in rows), "roles_of": roles_of,
            "in_merged": in_merged, "rows": rows, "lines": lines, "losses": losses}


def _pct(a: int, b: int) -> str:
    return f"{100 * a / max(1, b):.1f}%"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?", help="PDNC novels (bench/pdnc.py)")
    parser.add_argument("--litbank", type=Path, nargs="?", const=DEFAULT_LITBANK,
                        help="score LitBank's excerpts instead (bench/attribution.py)")
    parser.add_argument("--paragraphs", choices=(REAL, *PARAGRAPH_MODES), default=REAL,
                        help="with --litbank: the book's own paragraphs (only the excerpts "
                             "whose paragraphs are known) or rebuilt ones (every excerpt)")
    parser.add_argument("--skip", type=int, default=0, metavar="CHARS",
                        help="score only quotes starting at this character or later")
    parser.add_argument("--roles", action="store_true",
                        help="name the missing speakers and the extra, merged and split roles")
    args = parser.parse_args(argv)
    if (args.folder is None) == (args.litbank is None):
        parser.error("give a PDNC folder or --litbank")
    if args.litbank:
        excerpts = read_excerpts(args.litbank)
        if args.paragraphs == REAL:
            excerpts = [e for e in excerpts if e.paragraph_starts is not None]
        print(f"LitBank: {len(excerpts)} excerpts, {args.paragraphs} paragraphs"
              + (" (the excerpts whose own paragraphs are known)" if args.paragraphs == REAL
                 else " (every excerpt with attributed quotes)") + "\n")
        results = [bench_excerpt(e, args.paragraphs) for e in excerpts]
    else:
        novels = sorted(p for p in args.folder.iterdir() if (p / "quotes.tsv").is_file())
        results = [bench(folder, args.skip) for folder in novels]
    report(results, args.roles)
    return 0


def counts(r: dict) -> Counter:
    """The table's figures for one text's bench() result."""
    speakers, roles_of, mapping, rows = r["speakers"], r["roles_of"], r["mapping"], r["rows"]
    return Counter(
        speakers=len(speakers), found=sum(g in roles_of for g in speakers),
        covered=sum(c for g, c in speakers.items() if g in roles_of),
        in_merged=sum(g in r["in_merged"] and g not in roles_of for g in speakers),
        roles=len(mapping) - 1, extra=sum(not m for m in mapping.values()),
        merged=sum(len(m) > 1 for m in mapping.values()),
        split=sum(len(rids) > 1 for rids in roles_of.values()), quotes=len(rows),
        proposed=sum(mapping.get(c) == {g} for g, _cg, c in rows),
        gold=sum(cg == g for g, cg, _c in rows),
    )


def wrong_genders(r: dict) -> list[tuple[str, str]]:
    """(proposed role, gold role) of the roles that map to one gold person whose gender
    (male or female) they give otherwise: the other gender, or none."""
    return [(rid, next(iter(m))) for rid, m in r["mapping"].items()
            if len(m) == 1 and rid != NARRATOR
            and r["gold"].roles[next(iter(m))].gender in ("male", "female")
            and r["proposed"].roles[rid].gender != r["gold"].roles[next(iter(m))].gender]


def report(results: list[dict], roles: bool = False) -> None:
    print(f"{'':<28} {' gold speakers ':-^23}  {' proposed roles ':-^25}  "
          f"{' accuracy, cast: ':-^22}")
    print(f"{'text':<28} {'found':>7} {'quotes':>7} {'merged':>7}  {'roles':>5} {'extra':>6} "
          f"{'merged':>6} {'split':>5}  {'quotes':>6} {'proposed':>8} {'gold':>6}")
    total: Counter = Counter()
    losses: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        n = counts(r)
        total += n
        for why, (a, b) in r["losses"].items():
            losses[why][0] += a
            losses[why][1] += b
        _row(r["name"][:28], n)
    _row("all", total)
    print("\nquotes wrong with the proposed cast, by where they went; and how many of them "
          "the gold cast gets right:")
    for why, (a, b) in sorted(losses.items(), key=lambda kv: -kv[1][0]):
        print(f"  {why:<30} {a:>5}   {b:>5}")
    gained = sum(cg != g and r["mapping"].get(c) == {g}
                 for r in results for g, cg, c in r["rows"])
    lost = sum(b for _a, b in losses.values())
    extra = sum(r["lines"][rid] for r in results for rid, m in r["mapping"].items() if not m)
    merged = sum(r["lines"][rid] for r in results
                 for rid, m in r["mapping"].items() if len(m) > 1)
    second = sum(r["lines"][rid] for r in results
                 for rids in r["roles_of"].values() for rid in rids[1:])
    print(f"  {'total':<30} {total['quotes'] - total['proposed']:>5}   {lost:>5}")
    print(f"right with the proposed cast only: {gained}. Scored quotes given to extra roles: "
          f"{extra}, to merged roles: {merged}; right but in a split person's second (or "
          f"third) voice: {second}")
    genders = [(r, rid, gid) for r in results for rid, gid in wrong_genders(r)]
    print(f"roles of a man or a woman given the other gender: "
          f"{sum(r['proposed'].roles[rid].gender != 'neutral' for r, rid, _g in genders)}, "
          f"no gender: {sum(r['proposed'].roles[rid].gender == 'neutral' for r, rid, _g in genders)}"
          f" (their scored quotes: {sum(r['speakers'][g] for r, _rid, g in genders)})")
    if roles:
        for r in results:
            _details(r)


def _row(name: str, n: Counter) -> None:
    print(f"{name:<28} {n['found']:>3}/{n['speakers']:<3} {_pct(n['covered'], n['quotes']):>7} "
          f"{n['in_merged']:>7}  {n['roles']:>5} {n['extra']:>6} {n['merged']:>6} {n['split']:>5}  "
          f"{n['quotes']:>6} {_pct(n['proposed'], n['quotes']):>8} "
          f"{_pct(n['gold'], n['quotes']):>6}")


def _details(r: dict) -> None:
    gold, proposed, mapping, lines = r["gold"], r["proposed"], r["mapping"], r["lines"]

    def who(rid: str) -> str:
        return f"{proposed.roles[rid].name} ({lines[rid]})"

    print(f"\n[{r['name']}] (quotes in brackets: scored quotes, or those given to the role)")
    missing = [(g, n) for g, n in r["speakers"].most_common() if g not in r["roles_of"]]
    print("  not proposed: " + ", ".join(f"{gold.roles[g].name} ({n})" for g, n in missing
                                         if g not in r["in_merged"]))
    print("  only merged:  " + ", ".join(f"{gold.roles[g].name} ({n})" for g, n in missing
                                         if g in r["in_merged"]))
    print("  extra:        " + ", ".join(who(rid) for rid, m in mapping.items() if not m))
    print("  merged:       " + "; ".join(
        f"{who(rid)} = " + " + ".join(sorted(gold.roles[g].name for g in m))
        for rid, m in mapping.items() if len(m) > 1))
    print("  split:        " + "; ".join(
        f"{gold.roles[g].name} = " + " + ".join(who(rid) for rid in rids)
        for g, rids in r["roles_of"].items() if len(rids) > 1))
    print("  gender:       " + ", ".join(
        f"{who(rid)} {proposed.roles[rid].gender}, not {gold.roles[g].gender}"
        for rid, g in wrong_genders(r)))


if __name__ == "__main__":
    sys.exit(main())
