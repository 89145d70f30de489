"""The attribution sieves, in the order they run.

Each quote is settled by the first rule that answers, and the rule's name is recorded on
the segment. A paragraph is one turn of a conversation: its quotes share a speaker unless
a quote carries its own tag.

  override          `[role]` markup before the quote (always wins)
  continuation      a quote carried over from the previous paragraph keeps its speaker
  tag               a speech tag beside the quote: `said Mary`, `Mary said`, `said she`,
                    `he replied`, `I said` (the narrator), `cried his wife`; in a new
                    paragraph right after someone spoke, `he said` is another man
  paragraph_tag     another quote of the same paragraph carries a tag
  paragraph_subject the subject of the narration next to the quote (`Mary frowned. "..."`)
  single_mention    the only character named in the paragraph's narration
  vocative          the person addressed by name in the previous turn answers
  turn_taking       conversations alternate: A, B, A, B (read both ways from known turns);
                    a quote addressing its own paragraph's speaker is the other side's
  nearest_mention   the most recently mentioned character who is not being addressed and
                    did not speak the previous turn (low confidence)
  default           nothing settled it: the narrator speaks, and the quote is reported

Throughout, a character addressed by name inside the quote (`"Emily, wait"`) is never its
speaker, and pronouns resolve by gender to the most recent fitting character.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import accumulate, chain

from audiobook.attribution.names import Mention, NameIndex
from audiobook.cast import NARRATOR, Cast
from audiobook.script import DIALOGUE, Book, Chapter, Segment

RULES = (
    "override",
    "continuation",
    "tag",
    "paragraph_tag",
    "paragraph_subject",
    "single_mention",
    "vocative",
    "turn_taking",
    "nearest_mention",
    "default",
)
LOW_CONFIDENCE = frozenset({"nearest_mention"})
UNRESOLVED = frozenset({"default"})
DEFAULT_ROLE = NARRATOR

SPEECH_VERBS = frozenset(
    """say says said saying ask asks asked asking reply replies replied answer answers answered
    begin begins began whisper whispers whispered call calls called cry cries cried shout
    shouts shouted choke choked murmur murmurs murmured add adds added continue continues
    continued exclaim exclaims exclaimed mutter mutters muttered yell yells yelled tell
    told respond responded admit admitted sigh sighed laugh laughed sob sobbed breathe breathed
    repeat repeated insist insisted declare declared demand demanded snap snapped growl growled
    plead pleaded beg begged stammer stammered stutter stuttered suggest suggested observe
    observed remark remarked return returned retort retorted interrupt interrupted agree agreed
    explain explained protest protested scream screamed groan groaned gasp gasped hiss hissed
    whimper whimpered announce announced urge urged offer offered inquire inquired enquire
    enquired caution cautioned warn warned venture ventured order ordered rejoin rejoined
    resume resumed persist persisted interpose interposed exclaim pursue pursued reason
    reasoned roar roared bawl bawled shriek shrieked squeak squeaked wail wailed moan moaned
    grumble grumbled complain complained object objected assent assented conclude concluded
    confess confessed acknowledge acknowledged proceed proceeded query queried reflect
    reflected think thought wonder wondered chuckle chuckled giggle giggled smile smiled
    grin grinned nod nodded sneer sneered scoff scoffed drawl drawled lisp lisped snarl
    snarled bark barked thunder thundered bellow bellowed sing sang sung chime chimed
    counter countered prompt prompted quote quoted read recite recited speak spoke spoken
    utter uttered articulate articulated intervene intervened mumble mumbled""".split()
)
# Verbs of manner that tag a quote only when joined to it (`"Yes," she smiled.`); after a
# quote that ends its sentence (`"Yes." Tom smiled.`) they begin a new action instead.
ACTION_VERBS = frozenset(
    """sigh sighed laugh laughed sob sobbed chuckle chuckled giggle giggled smile smiled grin
    grinned nod nodded sneer sneered scoff scoffed think thought wonder wondered reflect
    reflected breathe breathed""".split())
_TWO_WORD_VERBS = re.compile(
    r"\b(?:went|goes|go|going) on\b|\b(?:broke|breaks|put|puts|cut|cuts|chimed|struck) in\b|"
    r"\b(?:burst|bursts|called|cried|sang|spoke|blurted) out\b|\bspoke up\b", re.IGNORECASE)
PRONOUN_GENDER = {"he": "male", "she": "female", "him": "male", "her": "female", "his": "male"}
FIRST_PERSON = {"i"}
# Nouns that tell a speaker's gender when the tag names no character (`cried his wife`).
NOUN_GENDER = {
    **dict.fromkeys(
        """man men gentleman boy lad fellow husband father son brother uncle nephew king prince
        lord sir master mister grandfather grandpa papa dad daddy monk priest parson squire
        duke count baron sailor soldier""".split(), "male"),
    **dict.fromkeys(
        """woman women lady girl lass wife mother daughter sister aunt niece queen princess
        grandmother grandma mamma mama mum mummy mom maid maiden madam widow nun duchess
        countess baroness landlady hostess governess nurse""".split(), "female"),
}
_POSSESSIVE = re.compile(r"['\u2019]s?$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")
_ABBREVIATIONS = "".join(
    rf"(?<!\b{a})" for a in ("Mr", "Mrs", "Ms", "Dr", "St", "Mme", "Mlle", "Messrs", "Capt",
                               "Col", "Gen", "Rev", "Prof", "Hon", "Sr", "Jr", "M"))
_CLAUSE_END = re.compile(rf"(?:{_ABBREVIATIONS}\.)|[;!?:\u2014]|--")
_SENTENCE_END = re.compile(
    "(?<=[.!?])" + _ABBREVIATIONS.replace(")", r"\.)") + r"\s+(?=[A-Z\"\u201c\u2018'])")
_ADVERB = re.compile(r"ly$|^(?:then|again|now|once|too|also|still|at|last|presently|aloud|"
                     r"softly|suddenly|quickly|slowly|quietly|gently|at)$", re.IGNORECASE)


# --- what one quote looks like in its paragraph ---------------------------------------------


@dataclass
class Quote:
    segment: Segment
    before: str  # narration right before the quote in its paragraph ("" if none)
    after: str  # narration right after it
    addressed: set[str]  # roles spoken to by name inside the quote
    # Roles named earlier in the paragraph, each once, in order of its latest mention.
    prior: list[str] = field(default_factory=list)
    tag: str | None = None  # role named by a tag beside the quote
    tag_gender: str | None = None  # a tag was found, naming no character, but a gender
    tag_not: str | None = None  # a tag that rules a character out (`said her mother`)
    tag_pronoun: bool = False
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
    strength: int = 0  # how far neighbours may trust this turn's speaker
    salient: list[str] = field(default_factory=list)  # mentions, and whom `She` refers to

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


# --- helpers -----------------------------------------------------------------------------


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


_KIN_VOCATIVE = re.compile(
    r"(?:^|[,;:!?.\u2014-]\s*)(?:oh,?\s+|o\s+)?(?:my\s+(?:dear\s+|poor\s+|good\s+)?)?"
    r"(papa|pa|father|dad|daddy|mamma|mama|ma|mother|mum|mummy|sir|madam|ma['\u2019]am|uncle|"
    r"aunt|auntie|boy|girl|lad|lass|son|daughter|brother|sister|miss)"
    r"\s*(?=[,;:!?.\u2014-]|$)", re.IGNORECASE)


def addressed_gender(text: str) -> str | None:
    """The gender of someone addressed as `papa`, `sir`, `my girl`; None if unsure."""
    genders = {NOUN_GENDER.get(m.group(1).lower()) or _KIN.get(m.group(1).lower())
               for m in _KIN_VOCATIVE.finditer(text)}
    genders.discard(None)
    return genders.pop() if len(genders) == 1 else None


_KIN = {"pa": "male", "papa": "male", "dad": "male", "sir": "male", "ma": "female",
        "mama": "female", "ma'am": "female", "ma\u2019am": "female", "auntie": "female",
        "miss": "female", "mum": "female"}


# `his boy, Joe,`: a possessive noun phrase and a comma before a name say who the noun is.
_APPOSITION = re.compile(r"(?:^|\s)(?:[Hh]is|[Hh]er|[Tt]heir|[Ii]ts)(?:\s+[a-z][\w'\u2019-]*){1,2},$")


def addressed(text: str, names: NameIndex) -> set[str]:
    """Roles named as the person spoken to: `Emily,` at the start, `, Alex.` at the end."""
    found = set()
    for m in names.mentions(text):
        before = text[: m.start].rstrip()
        after = text[m.end:].lstrip()
        at_start = not before or before[-1] in ",;.!?\u2014-" or before.lower().endswith(
            ("oh", "dear", "my dear", "o", "ah", "yes", "no", "well"))
        at_end = not after or after[0] in ",.!?;\u2014-"
        if after[:1] == "," and _APPOSITION.search(before):
            continue  # `His boy, Joe, shaved me`: Joe is talked about, not to
        if (at_start and after[:1] in ",!?.;\u2014-") or (before.endswith(",") and at_end):
            found.add(m.role)
    for m in _KIN_VOCATIVE.finditer(text):
        role = names.kin_role(m.group(1))  # `Surely, uncle, ...` speaks to `Uncle John`
        if role:
            found.add(role)
    return found


def _pronoun_role(word: str, names: NameIndex, recent: list[str], exclude: set[str]) -> str | None:
    word = word.lower()
    if word in FIRST_PERSON:
        return NARRATOR
    gender = PRONOUN_GENDER.get(word)
    return _latest_of_gender(gender, names, recent, exclude) if gender else None


def _latest_of_gender(gender, names: NameIndex, recent: list[str], exclude: set[str]) -> str | None:
    for role in reversed(recent):
        if role not in exclude and role != NARRATOR and names.genders.get(role) == gender:
            return role
    fitting = [r for r, g in names.genders.items() if g == gender and r not in exclude
               and r != NARRATOR]
    return fitting[0] if len(fitting) == 1 else None


def _is_speech_verb(word: str) -> bool:
    return word.lower() in SPEECH_VERBS


@dataclass
class _Subject:
    role: str | None = None
    gender: str | None = None
    found: bool = False  # a tag was there, whether or not it named a cast member
    not_role: str | None = None  # `said her mother`: not the `her`
    pronoun: bool = False  # found through a pronoun: less sure than a name


SPOUSES = {"wife": "female", "lady": "female", "husband": "male", "spouse": None}


def _noun_phrase(text: str, names: NameIndex, recent: list[str], exclude: set[str],
                 at_start: bool) -> _Subject:
    """The speaker named by a short phrase: a name, a pronoun, or `the old man`."""
    text = text.strip(" ,")
    if not text:
        return _Subject()
    mentions = names.mentions(text)
    words = _WORD.findall(text)
    if mentions and (mentions[0].start <= 4 if at_start else True):
        m = mentions[0] if at_start else mentions[-1]
        if not _POSSESSIVE.search(m.text):
            return _Subject(m.role, found=True)
        # `cried Tom's wife`: the owner does not speak, the one owned does.
        head = next((w.lower() for w in _WORD.findall(text[m.end:])[:3]
                     if w.lower() in NOUN_GENDER or w.lower() in SPOUSES), None)
        spouse = names.spouse_of(m.role) if head in SPOUSES else None
        if spouse:
            return _Subject(spouse, found=True)
        if head:
            return _Subject(gender=NOUN_GENDER.get(head) or SPOUSES.get(head), found=True,
                            not_role=m.role)
    if not words:
        return _Subject()
    word = (words[0] if at_start else words[-1]).lower()
    # `him` or `her` alone is a subject only after `heard`: `he heard her tell`.
    if word in FIRST_PERSON or word in ("he", "she") or (
            word in ("him", "her") and len(words) == 1):
        role = _pronoun_role(word, names, recent, exclude)
        return _Subject(role, PRONOUN_GENDER.get(word), found=True, pronoun=word not in FIRST_PERSON)
    if words[0].lower() in ("the", "his", "her", "my", "their", "a", "an", "our", "your",
                            "its", "this", "that", "one", "another", "some"):
        head = next((w.lower() for w in words[1:4] if w.lower() in NOUN_GENDER
                     or w.lower() in SPOUSES), None)
        if head in SPOUSES and words[0].lower() in ("his", "her"):
            # `cried his wife`: the wife of the man just mentioned, by surname.
            owner = _latest_of_gender(PRONOUN_GENDER[words[0].lower()], names, recent, set())
            spouse = names.spouse_of(owner) if owner else None
            if spouse:
                return _Subject(spouse, found=True)
        gender = NOUN_GENDER.get(head) or SPOUSES.get(head) if head else None
        owner = None
        if words[0].lower() in ("his", "her"):
            owner = _latest_of_gender(PRONOUN_GENDER[words[0].lower()], names, recent, set())
        return _Subject(gender=gender, found=True, not_role=owner)
    return _Subject()


_REPORTED = re.compile(r"\s+(?:that|whether|if|how|what|nothing|so)\b", re.IGNORECASE)
# `He continued to fix me`, `she began to cry`: a verb after `to`, not the one spoken to.
_INFINITIVE = re.compile(
    r"\s+to\s+(?!(?:him|her|me|them|us|you|himself|herself|the|his|my|a|an|their|our|its|"
    r"one|whom|each)\b)[a-z]")


_HEARD = re.compile(r"\b(?:heard|hear|hears|overheard|overhear|overhears)\b", re.IGNORECASE)


def tag_after(text: str, names: NameIndex, recent: list[str], exclude: set[str]) -> _Subject:
    """A tag opening the narration after a quote: `said Mary`, `Mary said`, `he replied`."""
    clause = _CLAUSE_END.split(text, 1)[0]
    words = list(_WORD.finditer(clause))[:8]
    for i, w in enumerate(words):
        verb = _is_speech_verb(w.group()) or _TWO_WORD_VERBS.match(clause, w.start())
        if not verb:
            continue
        if _REPORTED.match(clause, w.end()) or _INFINITIVE.match(clause, w.end()):
            return _Subject()  # `Mr. Bennet replied that he had not`: reported, not a tag
        # `Mary said`, `the old man said`, `he quietly said`: subject before the verb.
        head = clause[: w.start()]
        # `she heard one voice say`, `he heard her tell`: the one heard speaks.
        head = _HEARD.split(head)[-1]
        if head.strip():
            subject = _noun_phrase(head, names, recent, exclude, at_start=True)
            if subject.found:
                return subject
        # `said Mary`, `said he`, `cried his wife`: subject after the verb.
        tail = clause[w.end():]
        if _TWO_WORD_VERBS.match(clause, w.start()):
            tail = clause[_TWO_WORD_VERBS.match(clause, w.start()).end():]
        tail_words = _WORD.findall(tail)
        if tail_words and tail_words[0].lower() in ("to", "with", "at", "in", "as", "after"):
            return _Subject()
        subject = _noun_phrase(" ".join(tail_words[:5]), names, recent, exclude, at_start=True)
        if subject.found:
            return subject
        if i > 3:
            break
    return _Subject()


def tag_before(text: str, names: NameIndex, recent: list[str], exclude: set[str]) -> _Subject:
    """A tag closing the narration before a quote: `Mary said,`, `said he:`, `he answered`."""
    stripped = text.rstrip()
    if not stripped or stripped[-1] not in ",:\u2014-":
        return _Subject()
    clause = re.split(rf"(?:{_ABBREVIATIONS}\.)\s|[;!?]\s", stripped)[-1]
    words = list(_WORD.finditer(clause))
    for w in reversed(words[-8:]):
        if not _is_speech_verb(w.group()) and not _TWO_WORD_VERBS.match(clause, w.start()):
            continue
        after = clause[w.end():].strip(" ,:\u2014-")
        if after:
            subject = _noun_phrase(after, names, recent, exclude, at_start=True)
            if subject.found and subject.role:
                return subject
        head = clause[: w.start()]
        # `Therefore I said:`, `and then she added:`: a pronoun right before the verb.
        near = _WORD.findall(head)[-3:]
        at = next((k for k in range(len(near) - 1, -1, -1)
                   if near[k].lower() in ("i", "he", "she")), None)
        pronoun = near[at] if at is not None else None
        if pronoun and all(_ADVERB.search(x) for x in near[at + 1:]):
            return _Subject(_pronoun_role(pronoun, names, recent, exclude),
                            PRONOUN_GENDER.get(pronoun.lower()), found=True,
                            pronoun=pronoun.lower() != "i")
        return clause_subject(head, names, recent, exclude)
    return _Subject()


def clause_subject(text: str, names: NameIndex, recent: list[str], exclude: set[str]) -> _Subject:
    """The subject at the head of a clause: `Mary turned to him and`, `He`, `Then she`."""
    text = re.sub(r"^\W*(?:then|and|but|so|now|here|at last|at length|presently),?\s+", "",
                  text.strip(), flags=re.IGNORECASE)
    if not text:
        return _Subject()
    first = _WORD.match(text)
    mentions = names.mentions(text[:60])
    if mentions and mentions[0].start == 0:
        return _Subject(mentions[0].role, found=True)
    if first and first.group().lower() in ("he", "she", "i"):
        return _Subject(_pronoun_role(first.group(), names, recent, exclude), found=True)
    return _Subject()


# --- pass 1: what the paragraph itself says ------------------------------------------------


# Narration after a quote this short is its tag; longer, it may hand the turn to its subject.
SHORT_TAG = 12
# Tags that say the speaker goes on, whoever spoke last (`"And then," he went on`).
_GOES_ON = re.compile(r"\b(?:continued|continues|went on|goes on|added|adds|resumed|pursued)\b",
                      re.IGNORECASE)


_SPOKEN_TO = re.compile(r"\bto\s+$", re.IGNORECASE)


def _tag_rule(quote: Quote, names: NameIndex, recent: list[str], last: str | None = None,
              going_on: str | None = None) -> None:
    """`last`: who spoke the turn right before this new paragraph, if anyone. A new paragraph
    is a new speaker, so `he said` there means the other man, unless the paragraph's own
    narration names `last` first or the tag says he goes on. `going_on`: who spoke the quote
    before this one, even across a little narration (not past the end of the conversation):
    `he went on`, `continued the old man` is him."""
    exclude = set(quote.addressed)
    tag_clauses = _CLAUSE_END.split(quote.after, 1)[0] + " " + quote.before[-40:]
    goes_on = _GOES_ON.search(tag_clauses)
    # `said he to Temple`, `she said to Lucy`: the one spoken to is not the speaker.
    exclude.update(m.role for m in names.mentions(tag_clauses)
                   if _SPOKEN_TO.search(tag_clauses, 0, m.start))
    if last and last not in quote.prior and not goes_on:
        exclude.add(last)
    subject = _Subject()
    # `"Yes." He turned away.` is a new sentence, not a tag: `"Yes," he said.` is one.
    new_sentence = quote.segment.text[-1:] in ".!?" and re.match(r"(?:He|She|They|It)\b", quote.after)
    if quote.interrupted:
        # The tag between the halves speaks for both, whatever follows the second.
        subject = tag_after(quote.before, names, recent, exclude)
    if quote.after and not new_sentence and not subject.found:
        subject = tag_after(quote.after, names, recent, exclude)
        if subject.found and quote.segment.text[-1:] == "." and _action_tag(quote.after):
            subject = _Subject()  # `"Yes." Tommy chuckled.`: an action, not a tag
    if not subject.found and quote.before:
        subject = tag_before(quote.before, names, recent, exclude)
    if goes_on and going_on and (subject.pronoun or subject.found and not subject.role) and \
            subject.gender in (None, names.genders.get(going_on)) and \
            going_on not in (subject.not_role, *quote.addressed):
        subject = _Subject(going_on, found=True, pronoun=True)
    # `"Yes," I said, "Jonathan Harker."`: the narrator's own tag wins over a name that
    # only looks like one spoken to.
    first_person = subject.role == NARRATOR and not subject.pronoun
    if subject.role and (subject.role not in quote.addressed or first_person):
        quote.tag = subject.role
        quote.tag_pronoun = subject.pronoun
    elif subject.found:
        quote.tag_gender = subject.gender
        quote.tag_not = subject.not_role


def _action_tag(text: str) -> bool:
    """Is the first verb of the narration a verb of manner (`chuckled`), not of saying?"""
    clause = _CLAUSE_END.split(text, 1)[0]
    verb = next((w for w in _WORD.findall(clause)[:6] if _is_speech_verb(w)), "")
    return verb.lower() in ACTION_VERBS


def _paragraph_subject(turn: Turn, quote: Quote, names: NameIndex,
                       exclude: set[str]) -> str | None:
    """The subject of the sentence before the quote, or of the first sentence after it
    (`exclude`: the turn's ruled-out roles, worked out once for all its quotes)."""
    recent = turn.recent + quote.prior
    if quote.before:
        for sentence in reversed(_SENTENCE_END.split(quote.before.strip())[-3:]):
            subject = clause_subject(sentence, names, recent, exclude)
            if subject.role and subject.role not in exclude:
                return subject.role
            if subject.found:
                break
    if quote.after and not quote.before:
        first = _SENTENCE_END.split(quote.after.strip())[0]
        subject = clause_subject(first, names, recent, exclude)
        if subject.role and subject.role not in exclude:
            return subject.role
    return None


def _settle_paragraph(turn: Turn, names: NameIndex, last: str | None = None,
                      previous: str | None = None) -> None:
    """Pass 1: the rules that need only this paragraph (and the people seen before it);
    `last`: the speaker of the turn just before, with no narration between; `previous`:
    that speaker even across narration."""
    for quote in turn.quotes:
        _tag_rule(quote, names, turn.recent + quote.prior,
                  None if quote.segment.continues_quote else last, previous)
        previous = quote.tag or previous
    tagged = [q for q in turn.quotes if q.tag]
    first = turn.quotes[0]
    last_tagged = None  # the nearest tagged quote before this one
    for index, quote in enumerate(turn.quotes):
        if quote.segment.override:
            quote.role, quote.rule = quote.segment.override, "override"
        elif quote.tag:
            # Before continuation: a carried-over quote with its own tag names its speaker.
            quote.role, quote.rule = quote.tag, "tag"
        elif quote.segment.continues_quote and index == 0:
            quote.rule = "continuation"  # filled in from the previous turn
        elif tagged:
            # The nearest tagged quote before this one, else the first after it.
            source = last_tagged or tagged[0]
            if source.tag not in quote.addressed:
                quote.role, quote.rule = source.tag, "paragraph_tag"
        if quote.tag:
            last_tagged = quote
    if first.segment.continues_quote and first.rule in ("continuation", "tag"):
        turn.continues = True  # one speech with the turn before: settled in pass 2, or it
        # carries the tag that settles the turn before (no change of speaker either way)
    if all(q.role for q in turn.quotes if q.rule != "continuation"):
        _set_turn(turn)
        return
    if turn.continues:
        return
    exclude = turn.addressed
    untagged = [q for q in turn.quotes if not q.role]
    gender = turn.gender
    role = None
    ruled_out = turn.ruled_out
    for quote in untagged:
        role = _paragraph_subject(turn, quote, names, ruled_out)
        if role:
            break
    if role and (not gender or names.genders.get(role) == gender):
        _fill(untagged, role, "paragraph_subject")
    else:
        named = list(dict.fromkeys(m.role for m in turn.mentions if m.role not in exclude))
        if len(named) == 1 and (not gender or names.genders.get(named[0]) == gender):
            _fill(untagged, named[0], "single_mention")
    _set_turn(turn)


def _fill(quotes: list[Quote], role: str, rule: str) -> None:
    for quote in quotes:
        if not quote.role and role not in quote.addressed:
            quote.role, quote.rule = role, rule


def _set_turn(turn: Turn) -> None:
    first = next((q for q in turn.quotes if q.role), None)
    if first:
        turn.speaker, turn.rule = first.role, first.rule
        named = any(q.tag == first.role and not q.tag_pronoun for q in turn.quotes)
        turn.strength = 3 if first.rule == "override" or named else 2


# --- pass 2: conversations ----------------------------------------------------------------


def _fits(role: str | None, turn: Turn, names: NameIndex) -> bool:
    if not role or role in turn.ruled_out:
        return False
    gender = turn.gender
    return not gender or names.genders.get(role) == gender


# Narration this long between two quotes ends a conversation (about five sentences).
LONG_NARRATION = 100


def _same_conversation(previous: Turn, turn: Turn) -> bool:
    """One scene, not split by more than two narration paragraphs or a long narration."""
    return previous.scene == turn.scene and turn.gap <= 2 and turn.gap_words <= LONG_NARRATION


def _conversations(turns: list[Turn]) -> list[list[Turn]]:
    """Runs of turns in one conversation (`_same_conversation`)."""
    runs: list[list[Turn]] = []
    for turn in turns:
        if runs and _same_conversation(runs[-1][-1], turn):
            runs[-1].append(turn)
        else:
            runs.append([turn])
    return runs


def _assign(turn: Turn, role: str, rule: str) -> None:
    turn.speaker, turn.rule = role, rule
    for quote in turn.quotes:
        if not quote.role:
            if quote.rule == "continuation" or role not in quote.addressed:
                quote.role = role
                quote.rule = quote.rule if quote.rule == "continuation" else rule


def _settle_conversation(run: list[Turn], names: NameIndex) -> None:
    """Fill unsettled turns from settled ones: vocatives, then alternation between anchors."""
    for i in range(1, len(run)):
        turn, prev = run[i], run[i - 1]
        if turn.speaker or turn.continues:
            continue
        spoken_to = [r for r in prev.addressed if r != prev.speaker]
        if len(spoken_to) == 1 and _fits(spoken_to[0], turn, names):
            _assign(turn, spoken_to[0], "vocative")
            turn.strength = 2
    before = _Latest(run[0].recent)  # named or speaking in the turns before turn i
    next_speaker = _next_speakers(run)
    for i, turn in enumerate(run):
        # `"No, papa."` in a talk between a father and a daughter: the daughter speaks.
        gender = None if turn.speaker or turn.continues else turn.addressed_gender
        if gender:
            pair = _two_participants([m.role for m in turn.mentions] + next_speaker[i], before)
            other = [r for r in pair if names.genders.get(r) not in (gender, "neutral")]
            if len(pair) == 2 and len(other) == 1 and _fits(other[0], turn, names) and any(
                    names.genders.get(r) == gender for r in pair):
                _assign(turn, other[0], "vocative")
                turn.strength = 2
        before.add(m.role for m in turn.mentions)
        if turn.speaker:
            before.add([turn.speaker])
    for turn in run:
        # `He tilted me again.` then `"And you get me wittles."`: the one acting speaks.
        if not turn.speaker and not turn.continues and turn.beat:
            role = _beat_subject(turn.beat, turn, names)
            if role and _fits(role, turn, names):
                _assign(turn, role, "paragraph_subject")
                turn.strength = 2
    partners = _partners(run)
    anchors = list(partners)  # the settled turns, in order
    starts = list(accumulate((not t.continues for t in run), initial=0))
    for i, turn in enumerate(run):
        if turn.speaker:
            continue
        if turn.continues:
            if i > 0 and run[i - 1].speaker:
                _assign(turn, run[i - 1].speaker, "continuation")
            continue
        guesses = []
        k = bisect_left(anchors, i)  # turn i is no anchor: anchors[k] is the first after it
        left = anchors[k - 1] if k > 0 else None
        right = anchors[k] if k < len(anchors) else None
        # Nearest anchor first; at equal distance the stronger, then the later one: a tag
        # is written where the reader needs resetting, so it reads back more safely.
        for side, anchor in enumerate((left, right)):
            if anchor is None:
                continue
            distance = abs(i - anchor)
            same = _hops(starts, anchor, i) % 2 == 0
            role = run[anchor].speaker if same else partners[anchor]
            if role and _fits(role, turn, names):
                guesses.append((distance, -run[anchor].strength, -side, role))
        if not guesses:
            guesses = _farther_guesses(run, i, anchors, k, starts, partners, names)
        if guesses:
            _assign(turn, min(guesses)[-1], "turn_taking")


def _farther_guesses(run: list[Turn], i: int, anchors: list[int], k: int,
                     starts: list[int], partners: dict[int, str | None],
                     names: NameIndex) -> list[tuple]:
    """Alternation for turn i from the anchors beyond its nearest ones: the nearest one's
    partner may be unknown (`"Hamidullah! am I late?"` opens the talk), the next names both."""
    guesses = []
    for side, anchor in enumerate((anchors[k - 2] if k > 1 else None,
                                   anchors[k + 1] if k + 1 < len(anchors) else None)):
        if anchor is None:
            continue
        same = _hops(starts, anchor, i) % 2 == 0
        role = run[anchor].speaker if same else partners[anchor]
        if _fits(role, run[i], names):
            guesses.append((abs(i - anchor), -run[anchor].strength, -side, role))
    return guesses


def _beat_subject(beat: str, turn: Turn, names: NameIndex) -> str | None:
    """The subject of the last sentence of the narration just before a turn."""
    last = _SENTENCE_END.split(beat.strip())[-1]
    # `he asserted; but she tossed her head`: the last clause's subject acts last.
    subject = clause_subject(re.split(r";\s+", last)[-1], names, turn.recent, turn.ruled_out)
    if subject.role and subject.role != NARRATOR:
        return subject.role
    return None


def _next_speakers(run: list[Turn]) -> list[list[str]]:
    """For each turn, [the speaker of the next settled turn after it], or [] if none."""
    found: list[list[str]] = []
    following: list[str] = []
    for turn in reversed(run):
        found.append(following)
        if turn.speaker:
            following = [turn.speaker]
    return found[::-1]


def _two_participants(around: list[str], before: _Latest) -> list[str]:
    """The two people most recently speaking or named: `around` a turn (its mentions, then
    the next speaker), else in the turns `before` it."""
    pair: list[str] = []
    for role in chain(reversed(around), before.newest_first()):
        if role not in pair and role != NARRATOR:
            pair.append(role)
        if len(pair) == 2:
            break
    return pair


def _hops(starts: list[int], a: int, b: int) -> int:
    """Changes of speaker between turns a and b, from `starts[k]`: the turns among the
    first k that are not continued quotes (those are no new turn)."""
    lo, hi = min(a, b), max(a, b)
    return starts[hi + 1] - starts[lo + 1]


def _partners(run: list[Turn]) -> dict[int, str | None]:
    """For each settled turn, who its speaker is talking with: a settled neighbour, else
    the latest other person addressed, speaking or named up to that turn."""
    spoke = {t.speaker for t in run}
    seen = _Latest(run[0].recent)
    speakers = _Latest()  # the settled speakers before turn a
    partners: dict[int, str | None] = {}
    for a, turn in enumerate(run):
        seen.add(m.role for m in turn.mentions)
        seen.add(sorted(turn.addressed))
        if not turn.speaker:
            continue
        seen.add([turn.speaker])
        other = turn.speaker
        neighbours = [run[j].speaker for j in (a - 1, a + 1) if 0 <= j < len(run)]
        # Else the latest other speaker of the conversation: someone only named in the
        # narration (`our visitor`) is less likely to be the one talking.
        partners[a] = next((r for r in neighbours if r and r != other), None) or next(
            (r for r in speakers.newest_first() if r != other), None) or next(
            (r for r in seen.newest_first() if r != other and (r != NARRATOR or r in spoke)),
            None)
        speakers.add([other])
    return partners


def _nearest(turn: Turn, previous: Turn | None, names: NameIndex) -> str | None:
    exclude = set(turn.addressed)
    if previous and previous.speaker and turn.gap == 0:
        exclude.add(previous.speaker)
    candidates = turn.recent + [m.role for m in turn.mentions]
    for role in reversed(candidates):
        if role not in exclude and role != NARRATOR and _fits(role, turn, names):
            return role
    return None


def _other_side(turns: list[Turn], i: int, quote: Quote) -> str | None:
    """Who answers the speaker of turn i: the speaker of a turn next to it, else the latest
    other person seen."""
    turn = turns[i]
    ruled_out = quote.addressed | {turn.speaker}
    near = [turns[j].speaker for j in (i - 1, i + 1) if 0 <= j < len(turns)]
    for role in chain(near, reversed(turn.recent + [m.role for m in turn.mentions])):
        if role and role not in ruled_out:
            return role
    return None


# --- driver ------------------------------------------------------------------------------


_PRONOUN_SUBJECT = re.compile(r"\W*(?:(?:And|But|Then|So|Now)\s+)?(He|She)\b")


def _salient(text: str, mentions: list[Mention], names: NameIndex, before: list[str]
             ) -> list[str]:
    """The roles `mentions` names in narration, in order, each sentence opening on `He` or
    `She` also naming again the latest fitting role before it: the one a story keeps talking
    about stays newest for `she said`, however many others her sentences mention."""
    roles: list[str] = []
    ends = [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]
    start = k = 0
    for end in ends:
        opening = _PRONOUN_SUBJECT.match(text, start)
        topic = _latest_of_gender(PRONOUN_GENDER[opening.group(1).lower()], names,
                                  before + roles, set()) if opening else None
        while k < len(mentions) and mentions[k].start < end:
            roles.append(mentions[k].role)
            k += 1
        if topic:
            roles.append(topic)
        start = end
    return roles


def _turns(chapter, names: NameIndex) -> list[Turn]:
    turns: list[Turn] = []
    pending: list[str] = []
    seen: list[str] = []  # roles named lately, for `She` opening a sentence
    gap = gap_words = 0
    beat = ""
    for scene_number, scene in enumerate(chapter.scenes, 1):
        for paragraph in scene.paragraphs:
            segs = paragraph.segments
            narration_parts = [s.text for s in segs if s.kind != DIALOGUE]
            narration = " ".join(narration_parts)
            mentions = names.mentions(narration)
            quotes = []
            prior = _Latest()
            for i, seg in enumerate(segs):
                if seg.kind != DIALOGUE:
                    prior.add(m.role for m in names.mentions(seg.text))
                    continue
                before = segs[i - 1].text if i > 0 and segs[i - 1].kind != DIALOGUE else ""
                if i == 0 and beat.rstrip().endswith(":"):
                    before = beat  # `His mother said:` closing the paragraph before
                after = segs[i + 1].text if i + 1 < len(segs) and segs[i + 1].kind != DIALOGUE else ""
                quotes.append(Quote(seg, before, after, addressed(seg.text, names),
                                    prior.oldest_first()))
                quotes[-1].interrupted = bool(before) and i >= 2 and \
                    segs[i - 2].kind == DIALOGUE and before.rstrip()[-1:] in ",:\u2014-"
            if not quotes:
                named = _salient(narration, mentions, names, seen)
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
            seen = (seen + turns[-1].salient)[-40:]
            pending, gap, gap_words, beat = [], 0, 0, ""
    return turns


def _attribute_chapter(chapter, names: NameIndex, cast: Cast) -> dict[int, tuple[str, str]]:
    turns = _turns(chapter, names)
    # Pass 1, in reading order, so pronouns see the speakers settled before them.
    recent: list[str] = []
    last = None  # who spoke last, if the turn ended on a quote or a short tag
    previous = None  # the turn before, in the same scene
    for turn in turns:
        recent.extend(turn.pre_mentions)
        turn.recent = recent[-40:]
        _settle_paragraph(turn, names, last if turn.gap == 0 and not turn.gap_words else None,
                          previous.speaker if previous and _same_conversation(previous, turn)
                          else None)
        previous = turn
        last = turn.speaker if len(turn.quotes[-1].after.split()) <= SHORT_TAG else None
        recent.extend(turn.salient)
        if turn.speaker:
            recent.append(turn.speaker)
    # Pass 2: conversations fill the gaps from settled turns.
    for run in _conversations(turns):
        _settle_conversation(run, names)
    previous = None
    for turn in turns:
        if not turn.speaker:
            if turn.continues and previous and previous.speaker:
                _assign(turn, previous.speaker, "continuation")
            else:
                role = _nearest(turn, previous, names)
                if role:
                    _assign(turn, role, "nearest_mention")
        previous = turn
    for i, turn in enumerate(turns):
        # `"Seven!" I answered. "Indeed, Watson, ..."`: a quote that speaks to the
        # paragraph's speaker is the other side's answer.
        for quote in turn.quotes:
            if not quote.role and turn.speaker in quote.addressed:
                quote.role = _other_side(turns, i, quote)
                quote.rule = "turn_taking" if quote.role else None
    decided = {}
    for turn in turns:
        for quote in turn.quotes:
            role, rule = quote.role, quote.rule
            if not role or role not in cast.roles:
                role, rule = DEFAULT_ROLE, "default"
            decided[id(quote.segment)] = (role, rule)
    return decided


def attribute(book: Book, cast: Cast) -> Book:
    """Every segment gets a role and the rule that chose it. Narration is the narrator's."""
    return replace(book, chapters=tuple(attribute_chapters(book.chapters, cast)))


def attribute_chapters(chapters: Iterable[Chapter], cast: Cast) -> Iterator[Chapter]:
    """`attribute`, a chapter at a time: no conversation runs from one chapter into the next,
    so a huge book never needs to be held whole."""
    names = NameIndex(cast)
    for chapter in chapters:
        decided = _attribute_chapter(chapter, names, cast)

        def assign(seg: Segment) -> Segment:
            if seg.kind == DIALOGUE:
                role, rule = decided[id(seg)]
                return replace(seg, role=role, rule=rule)
            return replace(seg, role=NARRATOR, rule=None)

        yield chapter.map_segments(assign)
