"""Speaker-attribution accuracy on LitBank (Bamman et al., CC BY 4.0).

    python bench/attribution.py [--litbank DIR] [--book SUBSTRING] [--markdown] [--names-only]
                                [--paragraphs rebuilt|sentence|real] [--dump DIR]
                                [--errors N [--context L] [--rule R]]

Builds a development set from LitBank's quotation and coreference layers:
- the cast of each excerpt is every entity that speaks, named by its proper-name mentions
  (its common-noun mentions, `the surgeon`, when it has no name), plus its most frequent
  common-noun mention as an alias (`the parson`; `--names-only` leaves it out), gendered by
  the pronouns annotated as referring to it; the entity that is `I` in the narration is
  the `narrator`;
- LitBank gives one tokenized sentence per line and no paragraph breaks, so paragraphs are
  rebuilt by typographic convention (`_new_paragraph` and `to_markdown` say exactly how;
  the README summarises it), or one per sentence (`sentence`). Each sentence stays on its
  own line, so a quote's line is its sentence number and gold quotes align with parsed ones.
- `real` paragraphs are the book's own, for the excerpts whose breaks
  `bench/litbank_paragraphs.py` recovered from LitBank's original texts
  (`bench/litbank_paragraphs.json`); those excerpts are also scored in the other two modes,
  so the three can be compared on the same quotes.

Prints accuracy over all gold quotes (a quote the parser misses counts as wrong), accuracy
per rule, the confusions that cost most, and the time to attribute a ~150,000-word novel
built from the same excerpts.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audiobook import discover  # noqa: E402
from audiobook.attribution import RULES, attribute  # noqa: E402
from audiobook.attribution.tags import ACTION_VERBS, SPEECH_VERBS  # noqa: E402
from audiobook.cast import NARRATOR, Cast, Role  # noqa: E402
from audiobook.script import DIALOGUE, parse  # noqa: E402

DEFAULT_LITBANK = Path(__file__).resolve().parents[2] / "shared" / "litbank"
if not DEFAULT_LITBANK.is_dir():
    DEFAULT_LITBANK = Path("/work/shared/litbank")

FIRST_PERSON = {"i", "me", "my", "myself", "mine"}
MALE = {"he", "him", "his", "himself"}
FEMALE = {"she", "her", "hers", "herself"}
TITLE_GENDER = {"mr": "male", "sir": "male", "lord": "male", "mrs": "female", "miss": "female",
                "lady": "female", "madame": "female", "madam": "female", "ms": "female"}
OPEN_MARKS = {"\u201c", "\u2018"}
CLOSE_MARKS = {"\u201d", "\u2019"}
STRAIGHT = {'"', "'"}


@dataclass
class GoldQuote:
    qid: str
    sentence: int
    token: int
    text: str
    speaker: str  # role id


@dataclass
class Excerpt:
    name: str
    sentences: list[list[str]]
    quotes: list[GoldQuote]
    cast: Cast
    markdown: str = ""
    entity_roles: dict[str, str] = field(default_factory=dict)
    line_of: dict[int, int] = field(default_factory=dict)  # sentence -> markdown line
    more_lines: dict[int, list[int]] = field(default_factory=dict)  # its later paragraphs
    paragraph_starts: set[tuple[int, int]] | None = None  # (sentence, token), if known


# --- reading LitBank -------------------------------------------------------------------


def _clean_name(text: str) -> str:
    text = re.sub(r"\s*['\u2019]s$", "", text.strip())
    return re.sub(r"\s+", " ", text)


def _quote_spans(sentences, quotes) -> list[tuple[int, int]]:
    """Character spans of quotations in the .txt, to tell narration from speech."""
    starts, offset = [], 0
    for tokens in sentences:
        starts.append(offset)
        offset += len(" ".join(tokens)) + 1
    spans = []
    for s1, t1, s2, t2 in quotes:
        a = starts[s1] + len(" ".join(sentences[s1][:t1])) + (1 if t1 else 0)
        b = starts[s2] + len(" ".join(sentences[s2][: t2 + 1]))
        spans.append((a, b))
    return spans


def build_cast(mentions: dict[str, list[tuple[int, int, str, str]]], speakers: list[str],
               quote_spans: list[tuple[int, int]], nominal_alias: bool = True
               ) -> tuple[Cast, dict[str, str]]:
    """A gold cast: every speaking entity, with names, aliases and gender from coreference.
    With `nominal_alias`, a named entity also gets its most frequent common-noun mention
    in the narration (`the parson`, `my uncle`) as an alias when it is used at least twice
    and no other speaker's most frequent one is the same: what a reader writing the cast
    would list. Every mention of the excerpt counts the same, so no quote's gold speaker
    shows through."""

    def in_quote(pos: int) -> bool:
        return any(a <= pos < b for a, b in quote_spans)

    first_person = Counter()
    for entity, items in mentions.items():
        for start, _end, text, _kind in items:
            if text.lower() in FIRST_PERSON and not in_quote(start):
                first_person[entity] += 1
    narrator_entity = None
    if first_person:
        entity, count = first_person.most_common(1)[0]
        if count >= 3:
            narrator_entity = entity

    taken = {NARRATOR}
    roles = {NARRATOR: Role(NARRATOR, "Narrator")}
    entity_roles: dict[str, str] = {}
    for entity in dict.fromkeys(speakers):
        items = mentions.get(entity, [])
        proper = Counter(_clean_name(t) for _s, _e, t, k in items if k == "PROP")
        nominal = Counter(
            _clean_name(t).lower() for _s, _e, t, k in items
            if k == "NOM" and re.match(r"(?i)(the|my|our)\s+\w+(\s+\w+)?$", t.strip())
        )
        pronouns = Counter(t.lower() for _s, _e, t, k in items if k == "PRON")
        he = sum(pronouns[p] for p in MALE)
        she = sum(pronouns[p] for p in FEMALE)
        names = [n for n, _ in proper.most_common()] or [n for n, _ in nominal.most_common(3)]
        if nominal_alias and proper and nominal:
            noun, count = nominal.most_common(1)[0]
            if count >= 2 and noun not in (n.lower() for n in names):
                names.append(noun)
        gender = "male" if he > she else "female" if she > he else "neutral"
        if gender == "neutral" and names:
            title = names[0].split()[0].lower().rstrip(".")
            gender = TITLE_GENDER.get(title, "neutral")
        if entity == narrator_entity or entity.lower().startswith("narrator"):
            role_id = NARRATOR
            roles[NARRATOR] = Role(NARRATOR, names[0] if names else "Narrator",
                                   tuple(names[1:]), gender)
        else:
            role_id = discover.role_id(entity, taken, prefix="r_")
            name = names[0] if names else entity.rsplit("-", 1)[0].replace("_", " ")
            roles[role_id] = Role(role_id, name, tuple(names[1:]), gender)
        entity_roles[entity] = role_id
    shared = Counter(alias for role in roles.values() for alias in role.aliases
                     if alias == alias.lower())
    roles = {k: replace(r, aliases=tuple(a for a in r.aliases if shared[a] < 2))
             for k, r in roles.items()}
    return Cast(roles=roles, source="litbank gold cast"), entity_roles


def read_excerpt(litbank: Path, stem: str, nominal_alias: bool = True) -> Excerpt | None:
    quotes_dir = litbank / "quotations" / "tsv"
    coref_dir = litbank / "coref" / "brat"
    sentences = [line.split(" ") if line else [] for line in
                 (quotes_dir / f"{stem}.txt").read_text(encoding="utf-8").split("\n")]
    raw_quotes, attrib = {}, {}
    for line in (quotes_dir / f"{stem}.ann").read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if cols[0] == "QUOTE":
            raw_quotes[cols[1]] = (int(cols[2]), int(cols[3]), int(cols[4]), int(cols[5]), cols[6])
        elif cols[0] == "ATTRIB":
            attrib[cols[1]] = cols[2]
    if not attrib:
        return None
    kinds: dict[tuple[int, int], str] = {}
    by_entity: dict[str, list] = defaultdict(list)
    for line in (coref_dir / f"{stem}.ann").read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) < 3 or not cols[0].startswith("T"):
            continue
        label, start, end = cols[1].rsplit(" ", 2)
        span = (int(start), int(end))
        if re.match(r"(PROP|NOM|PRON)_", label):
            kinds[span] = label.split("_")[0]
        else:
            by_entity[label].append((span[0], span[1], cols[2]))
    mentions = {
        entity: [(a, b, text, kinds.get((a, b), "PRON" if text.lower() in MALE | FEMALE
                                                  | FIRST_PERSON else "NOM"))
                 for a, b, text in items]
        for entity, items in by_entity.items()
    }
    ordered = sorted(raw_quotes.items(), key=lambda kv: (kv[1][0], kv[1][1]))
    speakers = [attrib[q] for q, _ in ordered if q in attrib]
    spans = _quote_spans(sentences, [v[:4] for _, v in ordered])
    cast, entity_roles = build_cast(mentions, speakers, spans, nominal_alias)
    quotes = [GoldQuote(q, v[0], v[1], v[4], entity_roles[attrib[q]])
              for q, v in ordered if q in attrib]
    excerpt = Excerpt(stem.replace("_brat", ""), sentences, quotes, cast,
                      entity_roles=entity_roles)
    excerpt.markdown, excerpt.line_of, excerpt.more_lines = to_markdown(excerpt.name, sentences)
    return excerpt


def read_excerpts(litbank: Path, book: str = "", nominal_alias: bool = True) -> list[Excerpt]:
    """Every excerpt with attributed quotes whose name contains `book`, with its own
    paragraph starts where bench/litbank_paragraphs.json knows them."""
    stems = sorted(p.stem for p in (litbank / "quotations" / "tsv").glob("*.ann"))
    excerpts = [e for s in stems if book in s and (e := read_excerpt(litbank, s, nominal_alias))]
    known = json.loads(REAL_PARAGRAPHS.read_text())["paragraph_starts"] \
        if REAL_PARAGRAPHS.is_file() else {}
    for e in excerpts:
        if e.name in known:
            e.paragraph_starts = {tuple(p) for p in known[e.name]}
    return excerpts


# --- rebuilding paragraphs and spacing -------------------------------------------------

_NO_SPACE_BEFORE = re.compile(r" (?=[,.;:!?)\]}\u201d\u2019%]|n['\u2019]t\b|['\u2019](?:s|ll|re|ve|d|m)\b)")
_NO_SPACE_AFTER = re.compile(r"(?<=[(\[{\u201c\u2018$]) ")


def _straight_single_is_apostrophe(tokens: list[str], i: int) -> bool:
    """`the servants ' quarters`: a plural possessive, not a quotation mark."""
    before = tokens[i - 1] if i > 0 else ""
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    return before[-1:].isalpha() and before.endswith("s") and after[:1].islower()


_PUNCT_BEFORE = {",", ".", "!", "?", ";", ":", "--", "\u2014"}
_PUNCT_AFTER = {",", ".", "!", "?", ";", ":"}


def _opening(tokens: list[str], i: int, toggled: bool, last: bool | None) -> bool:
    """Is the straight mark at i an opening one? By its neighbours, as it would be printed
    (`gently, 'Edith!'`, `said "Exactly" to`), else by alternation. `last` is how the
    previous mark of its kind in the same run of tokens was read (None: there was none)."""
    token = tokens[i]
    before = tokens[i - 1] if i > 0 else None
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if before is None:
        return True
    if after is None:
        # `she said. "` / `could not love. '`: a mark after the end of a sentence, with no
        # quote open, opens the next one (`_settle` moves it there).
        return toggled and (token == '"' or before in {".", "!", "?"})
    if after in _PUNCT_AFTER:
        return False
    if before in _PUNCT_BEFORE:
        if last is not None:
            # Marks after punctuation alternate in a sentence: `"Yes," I said, "Jonathan
            # Harker."`, `'Yes,' replied she, 'by the order'`.
            return not last
        if token == "'":
            return after[:1].isupper()  # `gently, 'Edith!'`, but `'Hello,' said he`
        if before == ":" and after[:1].isupper():
            return True  # `she said in a very hysterical way: "Must you go?`
    if before[-1:].isalnum() and after[:1].isupper():
        return True  # `said "Exactly" to`, `put that down as 'Meg's clever nonsense.'`
    return toggled


def _detokenize(tokens: list[str], state: dict) -> str:
    """Tokens back to prose, joined as printed: no space after an opening quotation mark or
    before a closing one; straight quotes and `_` alternate between opening and closing.
    `state["dangling"]` tells whether the last token is a mark that opens a quote."""
    out: list[str] = []
    glue_next = False
    last: dict[str, bool] = {}
    state["dangling"] = False
    for i, token in enumerate(tokens):
        if token == "'" and _straight_single_is_apostrophe(tokens, i):
            out[-1] += token
            continue
        if token in STRAIGHT or token == "_":
            toggled = not state.get(token, False)
            # A sentence opening on a mark opens a quote (or re-opens one carried over).
            is_open = _opening(tokens, i, toggled, last.get(token)) if token in STRAIGHT \
                else toggled or i == 0
            state[token] = last[token] = is_open
            if is_open:
                if glue_next and out:
                    out[-1] += token  # `"'Death,'" quoted Warwick`
                else:
                    out.append(token)
                glue_next = True
                state["dangling"] = i == len(tokens) - 1
            elif out:
                out[-1] += token
            else:
                out.append(token)
            continue
        if token in OPEN_MARKS:
            state["dangling"] = i == len(tokens) - 1
        if glue_next and out:
            out[-1] += token
        else:
            out.append(token)
        glue_next = False
    text = " ".join(out)
    text = _NO_SPACE_BEFORE.sub("", text)
    return _NO_SPACE_AFTER.sub("", text)


def _marks(sentences: list[list[str]]) -> tuple[set[str], set[str]]:
    """The opening and closing marks this excerpt quotes dialogue with."""
    counts = Counter(tokens[0] for tokens in sentences if tokens)
    double = counts["\u201c"] + counts['"']
    single = counts["\u2018"] + counts["'"]
    if single > double:
        return {"\u2018", "'"}, {"\u2019", "'"}
    return {"\u201c", '"'}, {"\u201d", '"'}


def _quote_open_after(tokens: list[str], was_open: bool, opens: set[str], closes: set[str]) -> bool:
    state = was_open
    for i, token in enumerate(tokens):
        if token == "'" and _straight_single_is_apostrophe(tokens, i):
            continue
        if token in opens and token in closes:
            state = not state
        elif token in opens:
            state = True
        elif token in closes:
            state = False
    return state


_TAG_VERB = re.compile(r"\b(?:" + "|".join(sorted(SPEECH_VERBS)) + r")\b", re.IGNORECASE)
_REPORTED = re.compile(r" (?:that|whether|if|how|what)\b")
DASHES = {"\u2014", "--", "\u2015"}
PARAGRAPH_MODES = ("rebuilt", "sentence")
REAL = "real"  # the book's own paragraphs: only for excerpts in litbank_paragraphs.json
REAL_PARAGRAPHS = Path(__file__).resolve().parent / "litbank_paragraphs.json"


def _closed_at(tokens: list[str], closes: set[str]) -> int | None:
    """Index of the last closing mark in the sentence, if any."""
    ends = [i for i, t in enumerate(tokens) if t in closes]
    return ends[-1] if ends else None


def _own_tag(tokens: list[str], closes: set[str]) -> bool:
    """`"No," said Ann.`: a speech verb right after the quote that opens the sentence."""
    ends = [i for i, t in enumerate(tokens) if t in closes and i > 0]
    return bool(ends) and bool(_TAG_VERB.search(" ".join(tokens[ends[0] + 1: ends[0] + 6])))


def _is_tag_sentence(tokens: list[str]) -> bool:
    """`Mrs. Lennox gasped.` after `"What is it?"`: a short sentence with a speech verb
    (`Tommy nodded.` is an action, the listener's as often as not)."""
    text = " ".join(tokens)
    tag = _TAG_VERB.search(" ".join(tokens[:5]))
    return len(tokens) <= 10 and bool(tag) and not _REPORTED.match(text[tag.end():]) and \
        tag.group().lower() not in ACTION_VERBS


def _dash_book(sentences: list[list[str]]) -> bool:
    """Speech opened by a dash (`\u2014 Come up, Kinch!`) and no quotation marks at all."""
    marks = sum(t in OPEN_MARKS | CLOSE_MARKS | {'"'} for s in sentences for t in s)
    dashes = sum(1 for s in sentences for i, t in enumerate(s)
                 if t in DASHES and (i == 0 or s[i - 1] == ":"))
    return marks == 0 and dashes >= 3


def _new_paragraph(tokens, previous, paragraph, opens, closes, dash) -> bool:
    """Typographic conventions for where a paragraph starts, from the text alone:
    - a new quote right after a quote that closed its sentence untagged is a new turn;
    - a quote with its own tag (`"No," said Ann.`) is a new turn;
    - after a tagged quote (`"Yes," said he.`) the speaker goes on (`"I know."`), unless the
      tagged quote asked a question: then the next quote is the answer;
    - a quote after narration starts a paragraph unless the narration leads into it (`:` `,`);
    - a short tag sentence after a quote (`"What?" Ann gasped.`) belongs to it; other
      narration after a quote that closed its sentence starts a paragraph.
    """
    if dash:
        return tokens[0] in DASHES or any(
            t in DASHES and tokens[i - 1] == ":" for i, t in enumerate(tokens) if i)
    quote_in_paragraph = any(t in opens for s in paragraph for t in s)
    closed = _closed_at(previous, closes)
    if tokens[0] in opens:
        if previous[-1] in closes:
            return True
        if _own_tag(tokens, closes):
            return True
        if previous[-1] in {":", ","}:
            return False
        if quote_in_paragraph and closed is not None and \
                _TAG_VERB.search(" ".join(previous[closed + 1:])):
            return previous[closed - 1] == "?"
        if quote_in_paragraph and previous[0] not in opens and len(paragraph) > 1 and \
                _closed_at(paragraph[-2], closes) is not None and \
                (previous[0][:1].islower() or _is_tag_sentence(previous)):
            # `"Tell us your name!"` / `said the man.`: the tag split off by the tokenizer.
            asked = _closed_at(paragraph[-2], closes)
            return asked is not None and paragraph[-2][asked - 1] == "?"
        return True
    if previous[-1] in closes:
        # After `"What?"` a short `Ann gasped.` is its tag; after `"Yes."` it is an action.
        ended = previous[-2] if len(previous) > 1 else ""
        return ended not in {"?", "!", ",", "--", "\u2014"} or not _is_tag_sentence(tokens)
    return False


def _adjacent_quotes(tokens: list[str], was_open: bool, opens: set[str], closes: set[str]
                     ) -> list[int]:
    """Where a quote closes and the next opens with nothing between (`--" "Never mind!"`):
    LitBank's sentences run across paragraphs there, as a speaker's one speech is one quote."""
    cuts = []
    for i in range(1, len(tokens)):
        if tokens[i - 1] in closes and tokens[i] in opens and \
                _quote_open_after(tokens[:i - 1], was_open, opens, closes) and \
                not _quote_open_after(tokens[:i], was_open, opens, closes):
            cuts.append(i)
    return cuts


def _settle_start(tokens: list[str], t: int) -> int:
    """Where a paragraph found at token t really starts: before a token made only of opening
    marks (`\u201c\u2018Tis`), after the marks that close the paragraph before (`thoughts --'
    'Thrushcross`: of two straight marks in a row the first closes)."""
    while t > 0 and tokens[t - 1] and all(c in "\u201c\u2018" for c in tokens[t - 1]):
        t -= 1
    start = run = t
    while run < len(tokens) and (tokens[run] in DASHES or tokens[run] in
                                 OPEN_MARKS | CLOSE_MARKS | STRAIGHT):
        if tokens[run] in CLOSE_MARKS or tokens[run + 1: run + 2] == [tokens[run]] and \
                tokens[run] in STRAIGHT:
            start = run + 1
        run += 1
    return start if start < len(tokens) else t


def _settle(sentences: list[list[str]], starts: set[tuple[int, int]] | None
            ) -> tuple[list[list[str]], set[tuple[int, int]] | None, set[int]]:
    """LitBank's sentences as printed: a mark left at the end of a sentence that opens the
    next one (`she said. "` / `As you like."`) moved to it, and the book's paragraph starts
    (if known) settled by `_settle_start`. Also the sentences whose last token moved."""
    sentences = [list(tokens) for tokens in sentences]
    if starts is not None:
        starts = {(s, _settle_start(sentences[s], t) if t else 0) for s, t in starts}
    moved: set[int] = set()
    state: dict = {}
    for number, tokens in enumerate(sentences):
        if starts is not None and (number, 0) in starts:
            state = {}
        if not tokens:
            continue
        _detokenize(tokens, state)
        following = sentences[number + 1] if number + 1 < len(sentences) else []
        if state["dangling"] and len(tokens) > 1 and following and following[0] != tokens[-1]:
            following.insert(0, tokens.pop())
            moved.add(number)
            if starts is not None:
                starts = {(s, t + 1 if s == number + 1 and t else t) for s, t in starts}
                if (number, len(tokens)) in starts:
                    starts = (starts - {(number, len(tokens))}) | {(number + 1, 0)}
    return sentences, starts, moved


def to_markdown(title: str, sentences: list[list[str]], mode: str = "rebuilt",
                starts: set[tuple[int, int]] | None = None
                ) -> tuple[str, dict[int, int], dict[int, list[int]]]:
    """Markdown with paragraphs rebuilt (`rebuilt`) or one per sentence (`sentence`), the
    line of each sentence, and the lines of its later paragraphs if it spans several. In
    both modes, a quote left open and a sentence starting in lower case (`said he.` split
    off by the tokenizer) stay in the paragraph before, and a quote right after another
    (`"Well?" "Yes."`) starts a paragraph. In `real` mode the paragraphs start exactly at
    `starts`, (sentence, token) positions, and nothing is guessed. In every mode the text
    reads as printed (`_settle`, `_detokenize`): an opening mark LitBank left at the end of
    the sentence before starts its own sentence, no paragraph break falls inside a quote,
    and a book's paragraph reads its straight marks afresh."""
    opens, closes = _marks(sentences)
    sentences, starts, moved = _settle(sentences, starts if mode == REAL else None)
    dash = _dash_book(sentences)
    lines = [f"# {title}", "", "## Excerpt"]
    line_of: dict[int, int] = {}
    more_lines: dict[int, list[int]] = {}
    quote_open = False
    previous: list[str] = []
    paragraph: list[list[str]] = []
    state: dict = {}
    for number, tokens in enumerate(sentences):
        if not tokens:
            continue
        if mode == REAL:
            new_paragraph = not previous or (number, 0) in starts
        elif not previous:
            new_paragraph = True
        elif quote_open or tokens[0][:1].islower():
            new_paragraph = False
        elif mode == "sentence":
            new_paragraph = True
        else:
            new_paragraph = _new_paragraph(tokens, previous, paragraph, opens, closes, dash)
        if new_paragraph:
            lines.append("")
            paragraph = []
            if mode == REAL:
                state = {}  # a book's paragraph reads its quotation marks afresh
        paragraph.append(tokens)
        speech = next((i for i, t in enumerate(tokens) if dash and i and t in DASHES
                       and tokens[i - 1] == ":"), None) if mode != REAL else None
        if speech is not None:
            # `His mother said: -- O, Stephen will apologize.`: in the book the speech after
            # the colon is a paragraph of its own.
            lines += [_detokenize(tokens[:speech], state), ""]
            tokens = tokens[speech:]
        inside = sorted(t for s, t in starts if s == number and t) if mode == REAL else \
            _adjacent_quotes(tokens, quote_open, opens, closes)
        cuts = [0, *inside, len(tokens)]
        for a, b in zip(cuts, cuts[1:]):
            if a:
                lines.append("")
                more_lines.setdefault(number, []).append(len(lines) + 1)
                state = {}  # the cut is where a quote closed (or a book's paragraph starts)
            lines.append(_detokenize(tokens[a:b], state))
            line_of.setdefault(number, len(lines))
        quote_open = _quote_open_after(tokens, quote_open, opens, closes)
        previous = tokens
    for number in moved:
        # The quote that opens with the mark moved off this sentence is on the next line.
        if number + 1 in line_of:
            more_lines.setdefault(number, []).append(line_of[number + 1])
    return "\n".join(lines) + "\n", line_of, more_lines


# --- scoring ---------------------------------------------------------------------------

_ALNUM = re.compile(r"[^0-9a-z]+")


def _norm(text: str) -> str:
    return _ALNUM.sub("", text.lower())


def score(excerpt: Excerpt):
    """(gold, predicted role or None, rule or 'unparsed') for every gold quote."""
    book = attribute(parse(excerpt.markdown), excerpt.cast)
    by_line: dict[int, list] = defaultdict(list)
    segments = [s for s in book.segments() if s.kind == DIALOGUE]
    for segment in segments:
        by_line[segment.line].append(segment)
    results = []
    for gold in excerpt.quotes:
        want = _norm(gold.text)[:12]
        lines = [excerpt.line_of.get(gold.sentence, -1), *excerpt.more_lines.get(gold.sentence, ())]
        candidates = [s for line in lines for s in by_line.get(line, ())]
        match = next((s for s in candidates if _norm(s.text)[:12] == want[: len(_norm(s.text)[:12])]
                      and _norm(s.text)), None)
        if match is not None:
            by_line[match.line].remove(match)
            results.append((gold, match.role, match.rule, match))
        elif (within := _containing(segments, excerpt.line_of.get(gold.sentence, -1), want)):
            # LitBank splits `"Lizzy! (calling) Joan is not here"` into two quotes; the parser
            # keeps one, read in one voice: it counts for both.
            results.append((gold, within.role, within.rule, within))
        else:
            results.append((gold, None, "unparsed", None))
    return results


def _containing(segments: list, line: int, want: str):
    """The quote that starts on or a few lines before `line` and holds the text `want`."""
    near = [s for s in segments if line - 12 <= s.line <= line]
    return next((s for s in reversed(near) if len(want) >= 6 and want in _norm(s.text)), None)


def speed_check(excerpts: list[Excerpt], target_words: int = 150_000) -> tuple[int, float, float]:
    """Attribute one long novel made of the excerpts (casts merged); seconds to parse and attribute."""
    roles = {NARRATOR: Role(NARRATOR, "Narrator")}
    chapters, words = [], 0
    while words < target_words:
        for excerpt in excerpts:
            body = excerpt.markdown.split("## Excerpt", 1)[1]
            chapters.append(f"## {excerpt.name}\n{body}")
            words += len(body.split())
            for role in excerpt.cast.characters:
                roles.setdefault(role.id, role)
            if words >= target_words:
                break
    text = "# A long novel\n\n" + "\n".join(chapters)
    started = time.perf_counter()
    book = parse(text)
    parsed = time.perf_counter()
    attribute(book, Cast(roles=roles))
    done = time.perf_counter()
    return words, parsed - started, done - parsed


def evaluate(excerpts: list[Excerpt], mode: str) -> dict:
    """Score every excerpt with its paragraphs built in `mode`."""
    per_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    confusions: Counter = Counter()
    per_book, wrong = [], []
    marks: dict[str, dict[int, list[str]]] = {}  # excerpt -> line -> `gold/chosen` notes
    total = correct = 0
    for excerpt in excerpts:
        excerpt.markdown, excerpt.line_of, excerpt.more_lines = to_markdown(
            excerpt.name, excerpt.sentences, mode, excerpt.paragraph_starts)
        right_here = 0
        notes = marks.setdefault(excerpt.name, defaultdict(list))
        for gold, role, rule, segment in score(excerpt):
            ok = role == gold.speaker
            line = segment.line if segment else excerpt.line_of.get(gold.sentence, 0)
            notes[line].append(f"{gold.speaker}" + (f" ({rule})" if ok else f" != {role} ({rule})"))
            total += 1
            correct += ok
            right_here += ok
            per_rule[rule][0] += ok
            per_rule[rule][1] += 1
            if not ok:
                confusions[(rule, _kind(gold.speaker, excerpt.cast), _kind(role, excerpt.cast))] += 1
                wrong.append((excerpt, gold, role, rule, segment))
        per_book.append((excerpt.name, right_here, len(excerpt.quotes)))
    return {"total": total, "correct": correct, "per_rule": per_rule, "confusions": confusions,
            "per_book": per_book, "wrong": wrong, "marks": marks}


def _table(results: dict[str, dict], markdown: bool) -> list[str]:
    """Per rule, quotes and accuracy in each paragraph mode."""
    rules: list[str] = []
    for r in results.values():
        rules += [k for k in r["per_rule"] if k not in rules]
    order = [r for r in (*RULES, "unparsed") if r in rules] + [
        r for r in rules if r not in RULES and r != "unparsed"]
    modes = list(results)
    rows = [("all", {m: (results[m]["correct"], results[m]["total"]) for m in modes})]
    rows = [(rule, {m: tuple(reversed(results[m]["per_rule"].get(rule, [0, 0])))[::-1]
                    for m in modes}) for rule in order] + rows
    out = []
    if markdown:
        out.append("| rule | " + " | ".join(f"quotes ({m}) | accuracy ({m})" for m in modes) + " |")
        out.append("|---|" + "---:|---:|" * len(modes))
    else:
        out.append(f"{'rule':<20}" + "".join(f"{'quotes':>9}{'correct':>9}{'accuracy':>10}"
                                             for _ in modes) + "   (" + ", ".join(modes) + ")")
    for rule, cells in rows:
        parts = []
        for m in modes:
            ok, n = cells[m]
            acc = f"{100 * ok / n:.1f}%" if n else "-"
            parts.append((n, ok, acc))
        if markdown:
            name = f"**{rule}**" if rule == "all" else rule
            out.append(f"| {name} | " + " | ".join(f"{n} | {acc}" for n, _ok, acc in parts) + " |")
        else:
            out.append(f"{rule:<20}" + "".join(f"{n:>9}{ok:>9}{acc:>10}" for n, ok, acc in parts))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--litbank", type=Path, default=DEFAULT_LITBANK)
    parser.add_argument("--book", default="", help="only excerpts whose name contains this")
    parser.add_argument("--errors", type=int, default=0, help="show N wrong quotes in context")
    parser.add_argument("--context", type=int, default=0,
                        help="with --errors: lines of the excerpt shown before each wrong quote, "
                             "every quote marked with its gold speaker (and the wrong choice)")
    parser.add_argument("--rule", default="", help="with --errors: only quotes settled by this rule")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--names-only", action="store_true",
                        help="cast named entities by their proper names only, without their "
                             "most frequent common-noun mention (`the parson`) as an alias")
    parser.add_argument("--paragraphs", choices=(*PARAGRAPH_MODES, REAL), default="rebuilt",
                        help="the mode whose confusions, errors and dump are shown (`real`: "
                             "only the excerpts whose own paragraphs are known)")
    parser.add_argument("--dump", type=Path, help="write each rebuilt excerpt here as .md")
    args = parser.parse_args(argv)

    excerpts = read_excerpts(args.litbank, args.book, not args.names_only)
    with_real = [e for e in excerpts if e.paragraph_starts is not None]
    # The mode shown in detail last, so the excerpts keep its markdown for --errors/--dump.
    real = {m: evaluate(with_real, m) for m in (*PARAGRAPH_MODES, REAL)} if with_real else {}
    others = [m for m in PARAGRAPH_MODES if m != args.paragraphs]
    results = {m: evaluate(excerpts, m) for m in (*others, args.paragraphs)
               if m in PARAGRAPH_MODES}
    results = {m: results[m] for m in PARAGRAPH_MODES}
    if args.paragraphs == REAL:
        excerpts = with_real
        real[REAL] = evaluate(with_real, REAL)
    main_result = real[REAL] if args.paragraphs == REAL else results[args.paragraphs]
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        for e in excerpts:
            (args.dump / f"{e.name}.md").write_text(e.markdown, encoding="utf-8")

    total = main_result["total"]
    print(f"LitBank: {len(excerpts)} excerpts, {total} attributed quotes, cast: "
          + ("proper names only" if args.names_only else "names and most frequent noun alias"))
    for mode, r in results.items():
        print(f"Accuracy ({mode} paragraphs): {r['correct']}/{r['total']} = "
              f"{100 * r['correct'] / max(r['total'], 1):.1f}%")
    print()
    print("\n".join(_table(results, args.markdown)))
    if real:
        quotes = real[REAL]["total"]
        print(f"\nThe {len(with_real)} excerpts whose own paragraphs are known "
              f"({quotes} quotes), in every mode:")
        for mode, r in real.items():
            print(f"Accuracy ({mode} paragraphs): {r['correct']}/{r['total']} = "
                  f"{100 * r['correct'] / max(r['total'], 1):.1f}%")
        print()
        print("\n".join(_table(real, args.markdown)))
    print(f"\nCostliest confusions, {args.paragraphs} paragraphs (rule: gold -> chosen):")
    for (rule, gold_kind, chosen_kind), n in main_result["confusions"].most_common(8):
        print(f"  {n:>4}  {rule}: {gold_kind} -> {chosen_kind}")
    print("\nWorst excerpts:")
    for name, ok, n in sorted(main_result["per_book"], key=lambda b: b[1] - b[2])[:6]:
        print(f"  {n - ok:>4} wrong of {n:>3}  {name}")

    words, parse_s, attribute_s = speed_check(excerpts or [])
    print(f"\nSpeed: a {words:,}-word novel parsed in {parse_s:.2f} s, attributed in "
          f"{attribute_s:.2f} s")

    wrong = [w for w in main_result["wrong"] if not args.rule or w[3] == args.rule]
    for excerpt, gold, role, rule, segment in wrong[: args.errors]:
        line = segment.line if segment else excerpt.line_of.get(gold.sentence)
        print(f"\n[{excerpt.name}:{line}] gold={gold.speaker} chose={role} ({rule})")
        if not args.context:
            print("   ", gold.text[:160])
            continue
        lines = excerpt.markdown.split("\n")
        notes = main_result["marks"][excerpt.name]
        for number in range(max(1, line - args.context), min(len(lines), line + 2) + 1):
            mark = ">>" if number == line else "  "
            note = f"   [{'; '.join(notes[number])}]" if notes.get(number) else ""
            print(f"{mark}{number:>5} {lines[number - 1]}{note}")
    return 0


def _kind(role: str | None, cast: Cast) -> str:
    """Group roles for the confusion table: narrator, unparsed, or male/female character."""
    if role is None:
        return "(not found)"
    if role == NARRATOR:
        return "narrator"
    return f"{cast.roles[role].gender} character"


if __name__ == "__main__":
    sys.exit(main())
