"""A chapter read into turns: each paragraph with quotes is one turn of a conversation,
with its quotes, the narration around them and the people named before it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from audiobook.attribution.names import _POSSESSIVE, Mention, NameIndex
from audiobook.attribution.tags import (_SENTENCE_END, CLAUSES, PRONOUN_GENDER, SPEECH_VERBS,
                                        _latest_of_gender, addressed, addressed_gender)
from audiobook.script import DIALOGUE, Segment

# Narration after a quote this short is its tag; longer, it may hand the turn to its subject.
SHORT_TAG = 12


# --- what one quote looks like in its paragraph ---------------------------------------------


@dataclass
class Quote:
    segment: Segment
    before: str  # narration right before the quote in its paragraph ("" if none)
    after: str  # narration right after it
    addressed: set[str]  # roles spoken to by name inside the quote
    # Roles named earlier in the paragraph, each once, in order of its latest mention.
    prior: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)  # narration since the paragraph's last quote
    # Like `prior` (each role once, newest last), with whom each `She` means.
    topics: list[str] = field(default_factory=list)
    tag: str | None = None  # role named by a tag beside the quote
    tag_gender: str | None = None  # a tag was found, naming no character, but a gender
    tag_not: str | None = None  # a tag that rules a character out (`said her mother`)
    tag_owner: str | None = None  # `said his brother`: the `his`'s gender (`_Subject.owner`)
    tag_noun: str | None = None  # `said the girl`: the noun the tag describes the speaker by
    tag_pronoun: bool = False
    told: set[str] = field(default_factory=set)  # spoken to by the tag: `she said to Lucy`
    named: set[str] = field(default_factory=set)  # roles named inside the quote
    interrupted: bool = False  # the second half of `"I know," he said, "but not yet."`
    role: str | None = None
    rule: str | None = None


@dataclass
class Turn:
    """One paragraph with quotes: a turn of a conversation."""

    quotes: list[Quote]
    narration: str
    mentions: list[Mention]  # named characters in the narration, in order
    pre_mentions: list[str]  # roles named in narration paragraphs since the previous turn
    scene: int
    gap: int = 0  # narration-only paragraphs since the previous turn
    gap_words: int = 0  # words of narration in those paragraphs
    beat: str = ""  # the last narration paragraph before this turn, if any
    continues: bool = False  # opens with a quote carried over from the previous paragraph
    speaker: str | None = None
    rule: str | None = None
    recent: list[str] = field(default_factory=list)  # mentioned or speaking before, latest last
    # How far neighbours may trust this turn's speaker: 3 a tag names them, 2 a pronoun
    # tag, 1 a guess (a vocative, the narration's subject).
    strength: int = 0
    salient: list[str] = field(default_factory=list)  # mentions, and whom `She` refers to
    # The salient roles of a long narration after the last quote: newer than the speaker.
    trailing: list[str] = field(default_factory=list)
    called_gender: str | None = None  # the gender a neighbouring turn calls (`sir`, `madam`)

    @property
    def addressed(self) -> set[str]:
        return set().union(*(q.addressed for q in self.quotes)) if self.quotes else set()

    @property
    def ruled_out(self) -> set[str]:
        return self.addressed | {q.tag_not for q in self.quotes if q.tag_not}

    @property
    def addressed_gender(self) -> str | None:
        genders = {addressed_gender(q.segment.text) for q in self.quotes} - {None}
        return genders.pop() if len(genders) == 1 else None

    @property
    def gender(self) -> str | None:
        return next((q.tag_gender for q in self.quotes if q.tag_gender), None)

    @property
    def noun(self) -> str | None:
        return next((q.tag_noun for q in self.quotes if q.tag_noun), None)


class _Latest:
    """Roles in order of their latest mention. Every look-up here wants the newest role
    passing some test of the role alone, so repeats can go: looking back then skips only a
    few roles, however long the conversation behind it."""

    def __init__(self, roles=()):
        self._order: dict[str, None] = {}
        self.add(roles)

    def add(self, roles) -> None:
        for role in roles:
            self._order.pop(role, None)
            self._order[role] = None

    def newest_first(self):
        return reversed(self._order)

    def oldest_first(self) -> list[str]:
        return list(self._order)


# --- reading a chapter into turns -------------------------------------------------------


_PRONOUN_SUBJECT = re.compile(r"\W*(?:(?:And|But|Then|So|Now)\s+)?(He|She)\b")


def _salient(text: str, mentions: list[Mention], names: NameIndex, before: list[str],
             chain: dict | None = None) -> list[str]:
    """The roles `mentions` names in narration, in order, each sentence opening on `He` or
    `She` also naming again the latest fitting role before it (not one named later in its
    clause): the one a story keeps talking about stays newest for `she said`, however many
    others her sentences mention. `chain`: the pronoun chains running through narration
    paragraphs (`_follow_chain`), if followed."""
    roles: list[str] = []
    ends = [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]
    kin = _kin_mentions(text, mentions, names, before)
    if kin:
        mentions = sorted([*mentions, *kin], key=lambda m: m.start)
    start = k = 0
    for end in ends:
        opening = _PRONOUN_SUBJECT.match(text, start)
        topic = None
        if opening:
            # `She looked at Jane.`: the `She` is no one named later in her own clause
            # (that would be `herself`); `..., and Jane answered` is another clause.
            clause = CLAUSES.search(text, start, end)
            stop = clause.start() if clause else end
            later = {m.role for m in itertools.takewhile(lambda m: m.start < stop,
                                                           itertools.islice(mentions, k, None))}
            topic = _latest_of_gender(PRONOUN_GENDER[opening.group(1).lower()], names,
                                      roles, later, older=before)
        named = []  # (role, gender, whether it heads a main clause)
        while k < len(mentions) and mentions[k].start < end:
            m = mentions[k]
            if not _owner_only(text, m):
                roles.append(m.role)
                named.append((m.role, names.genders.get(m.role),
                              _heads_clause(text, start, m.start)))
            k += 1
        if topic:
            roles.append(topic)
        if chain is not None:
            _follow_chain(chain, text[start:end], named, topic, roles, names)
        start = end
    return roles


# `his mother`, `her husband`: kin of the other gender than the owner.
_KIN_PHRASE = re.compile(r"\b(?:(his)\s+(mother|wife)|(her)\s+(father|husband))\b",
                         re.IGNORECASE)


def _kin_mentions(text: str, mentions: list[Mention], names: NameIndex, before: list[str]
                  ) -> list[Mention]:
    """`his mother`, `her husband` in narration, as mentions of the one they mean, the `Mrs.`
    of his surname, her husband by surname (the owner: the latest fitting role before). Not
    `her mother`, `his father`: one of the owner's gender would take the owner's `she`."""
    found = []
    for m in _KIN_PHRASE.finditer(text):
        pronoun, noun = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        owner = _latest_of_gender(PRONOUN_GENDER[pronoun.lower()], names,
                                  [n.role for n in mentions if n.start < m.start()], set(),
                                  older=before)
        noun = noun.lower()
        # Only one the cast shows married has a spouse (`Mr. Bennet`, `Mrs. Bennet`: not his
        # daughter Elizabeth, whose `her husband` is no Bennet), and `Mr. Bennet`'s mother is
        # not the `Mrs. Bennet` who is his wife.
        married = owner and (owner in names.married or names.titles.get(owner, set())
                             & {"mr", "mrs"})
        role = owner and (married and names.spouse_of(owner) if noun in ("wife", "husband")
                          else not married and names.parent_of(owner, noun))
        if role:
            found.append(Mention(role, m.start(), m.end(), m.group()))
    return found


_SUBJECT_PRONOUN = {"male": re.compile(r"\b[Hh]e\b"), "female": re.compile(r"\b[Ss]he\b")}


def _follow_chain(chain: dict, sentence: str, named: list, topic: str | None,
                  roles: list[str], names: NameIndex) -> None:
    """Centering: a `he` chain keeps its man through a sentence that names another man only
    out of subject position (`tell Dr. Lal that he had`, `found that Dr. Lal had called`)
    while a `he` there goes on: he is named again after it, still the newest. `chain` holds,
    per gender, the one the chain means and the number of the sentence that last went on
    with it (the third sentence with no word of him ends it)."""
    n = chain.setdefault("n", 0)
    for gender, pronoun in _SUBJECT_PRONOUN.items():
        of_gender = [(role, head) for role, g, head in named if g == gender]
        heads = [role for role, head in of_gender if head]
        held = chain.get(gender)
        live = held and n - held[1] <= 2 and pronoun.search(sentence)
        if heads:
            chain[gender] = (heads[-1], n)  # a new subject takes the chain
        elif of_gender:
            if live and held[0] not in {role for role, _ in of_gender}:
                roles.append(held[0])
                chain[gender] = (held[0], n)
            else:
                chain[gender] = (of_gender[-1][0], n)
        elif topic and names.genders.get(topic) == gender:
            chain[gender] = (topic, n)
        elif live:
            chain[gender] = (held[0], n)
    chain["n"] = n + 1


# Joints between a sentence's clauses, and words that may open a clause before its subject.
_JOINT = re.compile(r"[;:\u2014]\s*|--\s*|,\s*(?:and|but|then|so|or)\s+")
# A time (`That night Huck came`) or a clause's conjunction (`When Huck came, he`) before
# a name leaves it the subject: the `he` after it is likeliest him.
_OPENERS = re.compile(
    r"^\W*(?:(?:and|but|then|so|now|yet|or|at last|presently|suddenly|when|whenever|as|if|"
    r"after|before|while|since|until|till|though|although|because|once|"
    r"(?:that|this|next|the next|one|every|each|last)\s+(?:night|morning|day|evening|"
    r"afternoon|week|time|moment)|it was|it is)\b\W*)*", re.IGNORECASE)


def _heads_clause(text: str, start: int, at: int) -> bool:
    """Is the name at `at` the subject of a main clause of the sentence from `start`: first
    in its clause, after an opening phrase set off by a comma (`When they came in, Tom`), or
    right after the speech verb (`said Tom`)? Not after a verb, a preposition or `that`."""
    # Only the clause's end decides, so 200 characters back will do: a sentence of a
    # megabyte with a name every few words was quadratic.
    head = _JOINT.split(text[max(start, at - 200):at])[-1]
    head = head[_OPENERS.match(head).end():]
    if not head.strip() or head.rstrip().endswith(","):
        return True
    words = re.findall(r"[A-Za-z]+", head)
    return len(words) == 1 and words[0].lower() in SPEECH_VERBS


def _owner_only(text: str, mention: Mention) -> bool:
    """`the stick in Holmes's hand`: named only as an owner inside a sentence, not the one a
    `he` after it means (`Holmes's face fell` opening it still is)."""
    if not _POSSESSIVE.search(mention.text):
        return False
    near = text[max(0, mention.start - 30):mention.start]  # bounded: paragraphs can be long
    before = re.search(r"(\w*)\s*$", near).group(1).lower()
    return bool(before) and before not in _CLAUSE_OPENERS  # after `in`, `at`, `saw`: an owner


# Words after which a possessive opens a clause: `and Tom's face fell`.
_CLAUSE_OPENERS = frozenset("and but then while when as till until so yet that".split())


def _echoed(text: str, said: str, names: NameIndex) -> set[str]:
    """Names that open a quote as a bare question or exclamation and were just spoken of
    in the turn before (`"Cynthia! That's not your wife?"` after `"...pick up Cynthia"`):
    an echo of what was said, not someone spoken to."""
    if not said:
        return set()
    first = names.mentions(text[:40])
    opens = first and not text[:first[0].start].strip(" \u2014-")
    if not opens or not re.match(r"[?!]", text[first[0].end:]):  # `"Evie? Off?"`
        return set()
    # Not a call repeated (`"Tom!"` then `"Tom!"`): the name was spoken of, not to.
    return {first[0].role} & ({m.role for m in names.mentions(said)} - addressed(said, names))


def _answers_with_name(text: str, said: str, found: list) -> set[str]:
    """A quote that is nothing but a name (`found`: the names in it), right after a question,
    answers it (`"Who is with you?" "The detective."`): the one named is spoken of, not called."""
    if not said.rstrip(" \u201d\"'").endswith("?"):
        return set()
    if len(found) != 1 or text[:found[0].start].strip() or \
            text[found[0].end:].strip() not in (".", ""):
        return set()
    return {found[0].role}


def _turns(chapter, names: NameIndex) -> list[Turn]:
    turns: list[Turn] = []
    pending: list[str] = []
    seen: list[str] = []  # roles named lately, for `She` opening a sentence
    gap = gap_words = 0
    beat = ""
    said = ""  # the quotes of the latest turn
    chain: dict = {}  # the `he` and `she` chains of the narration paragraphs since then
    for scene_number, scene in enumerate(chapter.scenes, 1):
        chain = {}  # a new scene starts afresh
        for paragraph in scene.paragraphs:
            segs = paragraph.segments
            narration_parts = [s.text for s in segs if s.kind != DIALOGUE]
            narration = " ".join(narration_parts)
            mentions = names.mentions(narration)
            quotes = []
            prior = _Latest()
            lead: list[str] = []
            for i, seg in enumerate(segs):
                if seg.kind != DIALOGUE:
                    prior.add(m.role for m in names.mentions(seg.text)
                              if not _owner_only(seg.text, m))
                    lead.append(seg.text)
                    continue
                before = segs[i - 1].text if i > 0 and segs[i - 1].kind != DIALOGUE else ""
                if i == 0 and beat.rstrip().endswith(":"):
                    before = beat  # `His mother said:` closing the paragraph before
                after = segs[i + 1].text if i + 1 < len(segs) and segs[i + 1].kind != DIALOGUE else ""
                inside = names.mentions(seg.text)
                spoken_to = addressed(seg.text, names, inside) - _echoed(seg.text, said, names) \
                    - _answers_with_name(seg.text, said, inside)
                quotes.append(Quote(seg, before, after, spoken_to, prior.oldest_first(),
                                    lead=lead, named={m.role for m in inside}))
                lead = []
                quotes[-1].interrupted = bool(before) and i >= 2 and \
                    segs[i - 2].kind == DIALOGUE and before.rstrip()[-1:] in ",:\u2014-"
            said = " ".join(q.segment.text for q in quotes) or said
            if not quotes:
                named = _salient(narration, mentions, names, seen, chain)
                pending.extend(named)
                seen = (seen + named)[-40:]
                gap += 1
                gap_words += len(narration.split())
                beat = narration
                continue
            # Narration opening the paragraph counts as narration between turns: a long
            # one ends the conversation as a narration paragraph would.
            lead = next(i for i, s in enumerate(segs) if s.kind == DIALOGUE)
            lead_words = sum(len(s.text.split()) for s in segs[:lead])
            if not beat and turns:
                # `"Yes," said Tom. Ogden put more candy in his mouth.`: more than a tag
                # after the last quote is a beat before this turn.
                after = turns[-1].quotes[-1].after
                rest = re.split(r";\s+|(?<=[.!?])\s+", after, 1)[1:]
                if len(after.split()) > SHORT_TAG or rest and len(rest[0].split()) >= 4:
                    beat = after
            turns.append(Turn(quotes, narration, mentions, pending, scene_number, gap,
                              gap_words + lead_words, beat))
            turns[-1].salient = _salient(narration, mentions, names, seen)
            chain = {}  # talk breaks a chain: the narration after it starts afresh
            after = quotes[-1].after
            if len(after.split()) > SHORT_TAG:
                turns[-1].trailing = _salient(after, names.mentions(after), names, seen)
            # One called by name in the quotes is there too (as in `recent`, sieves.py).
            seen = (seen + turns[-1].salient + sorted(turns[-1].addressed))[-40:]
            pending, gap, gap_words, beat = [], 0, 0, ""
    return turns
