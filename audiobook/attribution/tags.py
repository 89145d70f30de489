"""Speech tags and their subjects: `said Mary`, `he replied`, `cried his wife`; who a
quote speaks to by name (`"Emily, wait"`); pronouns resolved by gender to a recent role.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from audiobook.attribution.names import _POSSESSIVE, LOWER, UPPER, NameIndex
from audiobook.cast import NARRATOR

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
    utter uttered articulate articulated intervene intervened mumble mumbled muse mused
    address addressed""".split()
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
_WORD = re.compile(rf"[{UPPER}{LOWER}][{UPPER}{LOWER}'\u2019-]*")
_ABBREVIATIONS = "".join(
    rf"(?<!\b{a})" for a in ("Mr", "Mrs", "Ms", "Dr", "St", "Mme", "Mlle", "Messrs", "Capt",
                               "Col", "Gen", "Rev", "Prof", "Hon", "Sr", "Jr", "M"))
_CLAUSE_END = re.compile(rf"(?:{_ABBREVIATIONS}\.)|[;!?:\u2014]|--")
_SENTENCE_END = re.compile(
    "(?<=[.!?])" + _ABBREVIATIONS.replace(")", r"\.)") + rf"\s+(?=[{UPPER}\"\u201c\u2018'])")
_ADVERB = re.compile(r"ly$|^(?:then|again|now|once|too|also|still|at|last|presently|aloud|"
                     r"softly|suddenly|quickly|slowly|quietly|gently|at)$", re.IGNORECASE)


_KIN_VOCATIVE = re.compile(
    r"(?:^|[,;:!?.\u2014-]\s*)(?:oh,?\s+|o\s+)?(?:my\s+(?:dear\s+|poor\s+|good\s+)?)?"
    r"(papa|pa|father|dad|daddy|mamma|mama|ma|mother|mum|mummy|sir|madam|ma['\u2019]am|uncle|"
    r"aunt|auntie|boy|girl|lad|lass|son|daughter|brother|sister|miss)"
    r"\s*(?=[,;:!?.\u2014-]|$)", re.IGNORECASE)


# `My brother, Tom, went fishing.`: a name set off after the noun says who it is, no call.
_NAMED_AFTER = re.compile(rf",\s*[{UPPER}][{LOWER}]+(?:\s+[{UPPER}][{LOWER}]+)?,\s+[a-z]")


def _kin_calls(text: str) -> list[str]:
    """The kin words and titles a quote calls someone by (`papa`, `sir`, `my girl`)."""
    return [m.group(1).lower() for m in _KIN_VOCATIVE.finditer(text)
            if not _NAMED_AFTER.match(text, m.end())]


def addressed_gender(text: str) -> str | None:
    """The gender of someone addressed as `papa`, `sir`, `my girl`; None if unsure."""
    genders = {NOUN_GENDER.get(word) or _KIN.get(word) for word in _kin_calls(text)}
    genders.discard(None)
    return genders.pop() if len(genders) == 1 else None


_KIN = {"pa": "male", "papa": "male", "dad": "male", "sir": "male", "ma": "female",
        "mama": "female", "ma'am": "female", "ma\u2019am": "female", "auntie": "female",
        "miss": "female", "mum": "female"}


# `his boy, Joe,`, `my gal, Minty,`: a possessive noun phrase and a comma before a name say
# who the noun is.
_APPOSITION = re.compile(
    r"(?:^|\s)(?:[Hh]is|[Hh]er|[Tt]heir|[Ii]ts|[Mm]y|[Oo]ur)(?:\s+[a-z][\w'\u2019-]*){1,2},$")


# Words that may open a call (`Oh Tom`, `my dear Mary`): whole words, not `to` in `to Tom`.
_CALL_OPENER = re.compile(r"\b(?:oh|dear|o|ah|yes|no|well)$", re.IGNORECASE)


_LINK = re.compile(r"\s*,?\s*(?:(and|or)\s+)?")
_LAST_LINK = re.compile(rf",?\s+(?:and|or)\s+[{UPPER}][{LOWER}]")


def _series(text: str, mentions: list) -> list:
    """The mentions in a series of names joined by `and` or `or` (`Tom, Ralph, and Stella`,
    the last maybe out of the cast): talked about, not called."""
    listed, group, joined = [], [], False
    for m in mentions:
        link = _LINK.fullmatch(text, group[-1].end, m.start) if group else None
        if link and m.start > group[-1].end:
            joined = joined or bool(link.group(1))
        else:
            listed += group if joined or group and _LAST_LINK.match(text, group[-1].end) else []
            group, joined = [], False
        group.append(m)
    return listed + (group if joined or group and _LAST_LINK.match(text, group[-1].end) else [])


def addressed(text: str, names: NameIndex, mentions: list | None = None) -> set[str]:
    """Roles named as the person spoken to: `Emily,` at the start, `, Alex.` at the end
    (`mentions`: the names in `text`, if found already)."""
    found = set()
    mentions = names.mentions(text) if mentions is None else mentions
    listed = _series(text, mentions)
    for m in mentions:
        if m in listed or _POSSESSIVE.search(m.text):
            # `Not Ronny, Ralph, and Stella?`: names in a series are talked about, and so is
            # a name in the possessive (`"John's."`)
            continue
        before = text[: m.start].rstrip()
        after = text[m.end:].lstrip()
        at_start = not before or before[-1] in ",;.!?\u2014-" or bool(
            _CALL_OPENER.search(before[-9:]))
        at_end = not after or after[0] in ",.!?;\u2014-"
        if after[:1] == "," and _APPOSITION.search(before):
            continue  # `His boy, Joe, shaved me`: Joe is talked about, not to
        # `..., and Fergus, what have you done?`: a name right after `and` opening a clause.
        joined = re.search(r"[,;!?.\u2014-]\s*(?:and|but)$", before[-12:]) and after[:1] == ","
        if (at_start and after[:1] in ",!?.;\u2014-") or (before.endswith(",") and at_end) or \
                joined:
            found.add(m.role)
    for word in _kin_calls(text):
        role = names.kin_role(word)  # `Surely, uncle, ...` speaks to `Uncle John`
        if role:
            found.add(role)
    return found


def _pronoun_role(word: str, names: NameIndex, recent: list[str], exclude: set[str]) -> str | None:
    word = word.lower()
    if word in FIRST_PERSON:
        return NARRATOR
    gender = PRONOUN_GENDER.get(word)
    return _latest_of_gender(gender, names, recent, exclude) if gender else None


_LOOKBACK = 500


def _latest_of_gender(gender, names: NameIndex, recent: list[str], exclude: set[str],
                      older: list[str] = ()) -> str | None:
    """The latest role of `recent`, else of `older` (named before it), of that gender,
    among the last _LOOKBACK named (a pronoun's antecedent is near; and a paragraph of
    thousands of names where none fits stays linear)."""
    for role in itertools.islice(itertools.chain(reversed(recent), reversed(older)), _LOOKBACK):
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
    # `said his brother`: the gender of the `his` (`any` for `said the other`), most
    # likely whoever spoke the turn before; pass 2 rules that speaker out.
    owner: str | None = None
    noun: str | None = None  # `said the girl`: the noun describing the speaker


# `said the agonized Harriet`: `the` and an adjective or two before a name still name her.
_EPITHET = re.compile(
    r"[Tt]he\s+(?:(?!(?:to|with|at|of|for|from|by|in|on|and|who)\s)[a-z][\w-]*\s+){1,2}")


# `said dour Major Callendar`, `cried poor Tom`: after the verb, an adjective or two with no
# `the` still name her (before it, `she told Tom and said` does not).
# Not `said someone behind Tom`, `cried everyone but Tom`: someone else, placed by Tom.
_BARE_EPITHET = re.compile(
    r"(?:(?!(?:to|with|at|of|for|from|by|in|on|and|who|he|she|it|they|we|you|him|her|his|"
    r"their|its|my|our|your|me|us|them|but|except|behind|near|beside|before|after|like|"
    r"someone|somebody|everyone|everybody|anyone|anybody|nobody|all|one|another|each|both|"
    r"some|many|several|others?)\s)[a-z][\w-]*\s+){1,2}")


SPOUSES = {"wife": "female", "lady": "female", "husband": "male", "spouse": None}


def _noun_phrase(text: str, names: NameIndex, recent: list[str], exclude: set[str],
                 at_start: bool, after_verb: bool = False) -> _Subject:
    """The speaker named by a short phrase: a name, a pronoun, or `the old man`
    (`after_verb`: the phrase follows the speech verb)."""
    text = text.strip(" ,")
    if not text:
        return _Subject()
    mentions = names.mentions(text)
    words = _WORD.findall(text)
    epithet = mentions and (_EPITHET.fullmatch(text[:mentions[0].start]) or after_verb and
                            _BARE_EPITHET.fullmatch(text[:mentions[0].start]))
    if mentions and (mentions[0].start <= 4 or epithet if at_start else True):
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
        # `a girl's voice`: the owner's noun tells the speaker's gender.
        head = next((w for w in (_POSSESSIVE.sub("", w.lower()) for w in words[1:4])
                     if w in NOUN_GENDER or w in SPOUSES), None)
        if head in SPOUSES and words[0].lower() in ("his", "her"):
            # `cried his wife`: the wife of the man just mentioned, by surname.
            spouse = _spouse_of_pronoun(words[0], names, recent)
            if spouse:
                return _Subject(spouse, found=True)
        gender = NOUN_GENDER.get(head) or SPOUSES.get(head) if head else None
        owner = owner_gender = None
        if words[0].lower() in ("his", "her"):
            owner_gender = PRONOUN_GENDER[words[0].lower()]
            owner = _latest_of_gender(owner_gender, names, recent, set())
            # `said his mother`: the `Mrs.` of his surname.
            parent = names.parent_of(owner, head) if owner and len(words) > 1 and \
                head == words[1].lower() else None
            if parent:
                return _Subject(parent, found=True)
        elif words[0].lower() == "the" and words[1:2] and words[1].lower() == "other":
            owner_gender = "any"
        return _Subject(gender=gender, found=True, not_role=owner, owner=owner_gender, noun=head)
    return _Subject()


# After a determiner (and an adjective or so) these are nouns: `his reply`, `the answer`.
_SPEECH_NOUNS = frozenset(
    """reply answer cry call shout whisper murmur laugh sigh sob groan retort remark protest
    demand scream gasp moan mutter query nod smile grin sneer snarl growl roar wail
    shriek""".split())
# (`heard her whisper`: a bare `her` before it may be the one speaking.)
_NOUN_FORM = re.compile(r"\b(?:(?:the|a|an|his|their|its|my|our|your)\s+(?:[a-z]+\s+)?|"
                        r"her\s+[a-z]+\s+)$", re.IGNORECASE)
_REPORTED = re.compile(r"\s+(?:that|whether|if|how|what|nothing|so)\b", re.IGNORECASE)
# `He continued to fix me`, `she began to cry`: a verb after `to`, not the one spoken to.
_INFINITIVE = re.compile(
    r"\s+to\s+(?!(?:him|her|me|them|us|you|himself|herself|the|his|my|a|an|their|our|its|"
    r"one|whom|each)\b)[a-z]")


_HEAD_CLAUSE = re.compile(r",\s*(?:and|but|so|then|while|when)\s+", re.IGNORECASE)
_HEARD = re.compile(r"\b(?:heard|hear|hears|overheard|overhear|overhears)\b", re.IGNORECASE)


def _hearer(text: str, names: NameIndex, recent: list[str], exclude: set[str]) -> set[str]:
    """`Mary heard her say`: the one hearing, never the `her` heard (that would be `herself`)."""
    role = clause_subject(_SENTENCE_END.split(text)[-1], names, recent, exclude).role
    return {role} if role else set()


def tag_after(text: str, names: NameIndex, recent: list[str], exclude: set[str]) -> _Subject:
    """A tag opening the narration after a quote: `said Mary`, `Mary said`, `he replied`."""
    clause = _CLAUSE_END.split(text, 1)[0]
    words = list(_WORD.finditer(clause))[:8]
    for i, w in enumerate(words):
        verb = _is_speech_verb(w.group()) or _TWO_WORD_VERBS.match(clause, w.start())
        if not verb:
            continue
        if w.group().lower() in _SPEECH_NOUNS and _NOUN_FORM.search(clause, 0, w.start()):
            return _Subject()  # `his invariable reply`, `the answer`: a noun, not a tag
        if _REPORTED.match(clause, w.end()) or _INFINITIVE.match(clause, w.end()):
            return _Subject()  # `Mr. Bennet replied that he had not`: reported, not a tag
        # `Mary said`, `the old man said`, `he quietly said`: subject before the verb.
        head = clause[: w.start()]
        # `she heard one voice say`, `he heard her tell`: the one heard speaks.
        heard = _HEARD.split(head)
        hearer = _hearer(heard[-2], names, recent, exclude) if len(heard) > 1 else set()
        exclude = exclude | hearer
        # `I was a dull black, so he called me`: the subject is in the verb's own clause, if
        # it has one (`Tom, pale, and trembling, answered` has it before).
        own = _HEAD_CLAUSE.split(heard[-1])[-1]
        subject = _noun_phrase(own, names, recent, exclude, at_start=True) if own.strip() \
            else _Subject()
        if not subject.found and heard[-1].strip():
            subject = _noun_phrase(heard[-1], names, recent, exclude, at_start=True)
        if subject.found:
            if hearer and not subject.role and not subject.not_role:
                # `she heard one voice say`: whoever it is, not the one hearing.
                subject.not_role = next(iter(hearer))
            return subject
        # `said Mary`, `said he`, `cried his wife`: subject after the verb.
        tail = clause[w.end():]
        if _TWO_WORD_VERBS.match(clause, w.start()):
            tail = clause[_TWO_WORD_VERBS.match(clause, w.start()).end():]
        tail_words = _WORD.findall(tail)
        if tail_words and tail_words[0].lower() in ("to", "with", "at", "in", "as", "after"):
            return _Subject()
        subject = _noun_phrase(" ".join(tail_words[:5]), names, recent, exclude, at_start=True,
                               after_verb=True)
        if subject.found:
            return subject
        if i > 3:
            break
    return _Subject()


def tag_before(text: str, names: NameIndex, recent: list[str], exclude: set[str]) -> _Subject:
    """A tag closing the narration before a quote: `Mary said,`, `said he:`, `he answered`."""
    stripped = text.rstrip()
    # `Tom took his leave saying "..."`: a speech verb right before the quote needs no comma.
    bare = _WORD.findall(stripped[-20:])[-1:]
    if not stripped or stripped[-1] not in ",:\u2014-" and not (
            bare and _is_speech_verb(bare[0]) and stripped.endswith(bare[0])):
        return _Subject()
    clause = re.split(rf"(?:{_ABBREVIATIONS}\.)\s|[;!?]\s", stripped)[-1]
    words = list(_WORD.finditer(clause))
    for w in reversed(words[-8:]):
        if not _is_speech_verb(w.group()) and not _TWO_WORD_VERBS.match(clause, w.start()):
            continue
        after = clause[w.end():].strip(" ,:\u2014-")
        # `A fellow said to Cantwell:`: the one spoken to follows `to`, the speaker comes before.
        if after and not re.match(r"(?:to|with|at)\b", after, re.IGNORECASE):
            subject = _noun_phrase(after, names, recent, exclude, at_start=True, after_verb=True)
            if subject.found and subject.role:
                return subject
        head = clause[: w.start()]
        heard = _HEARD.split(head)
        if len(heard) > 1 and heard[-1].strip():
            # `She heard him say,`: the one heard speaks, not the one hearing.
            return _noun_phrase(heard[-1], names, recent,
                                exclude | _hearer(heard[-2], names, recent, exclude), at_start=True)
        # `Therefore I said:`, `and then she added:`: a pronoun right before the verb.
        near = _WORD.findall(head)[-3:]
        at = next((k for k in range(len(near) - 1, -1, -1)
                   if near[k].lower() in ("i", "he", "she")), None)
        pronoun = near[at] if at is not None else None
        between = near[at + 1:] if pronoun else []
        # `When I came close she bowed and said,`: one verb joined to the speech verb.
        if pronoun and (all(_ADVERB.search(x) for x in between) or
                        len(between) == 2 and between[1].lower() == "and"):
            return _Subject(_pronoun_role(pronoun, names, recent, exclude),
                            PRONOUN_GENDER.get(pronoun.lower()), found=True,
                            pronoun=pronoun.lower() != "i")
        # `After a short pause Sir Thomas added`: a name right before the verb, or but for
        # an aside set off by commas (`Lilia, getting more and more angry, said`).
        named = names.mentions(head)
        between = _ASIDE.sub("", head[named[-1].end:]) if named else ""
        if named and not _POSSESSIVE.search(named[-1].text) and \
                not _PREPOSITION_END.search(head, 0, named[-1].start) and all(
                _ADVERB.search(x) for x in _WORD.findall(between)):
            return _Subject(named[-1].role, found=True)
        # `Mrs. Inglethorp turned away, and her husband said:`: the subject joined last.
        joined = _JOINED.split(head)
        if len(joined) > 1 and 0 < len(joined[-1].split()) <= 5:
            subject = _noun_phrase(_LEADING_ADVERB.sub("", joined[-1]), names, recent, exclude,
                                   at_start=True)
            if subject.found:
                return subject
        # `Tom, who had risen, took him by the hand and shook him, and said`: the subject
        # of the last clause that has one.
        return last_clause_subject(head, names, recent, exclude, _COORDINATE)
    return _Subject()


_ASIDE = re.compile(r"^,[^,]+,")  # `, getting angry,` between a subject and its verb
# Main clauses joined (`when`, `while` set a clause under the one before, not after it).
_COORDINATE = re.compile(r"(?:,\s*|\s+)(?:and|but)\s+", re.IGNORECASE)
# Clauses of a sentence: after `;`, and after `, and`, `, but`, `, then` (also `, and,`).
CLAUSES = re.compile(r";\s+|,\s*(?:and|but|then)(?:\s+|,\s*)")
# `looking towards Philip, said`: a name after a preposition is not the one speaking.
_PREPOSITION_END = re.compile(r"\b(?:to|towards|toward|at|with|of|for|from|by|on|upon|into|"
                              r"over|about|after|before|behind|beside|near)\s+$", re.IGNORECASE)
_NOUN_SUBJECT = re.compile(r"\W*(?:the|a|an|his|her|their|its|my|our|it|they|we|you)\b",
                           re.IGNORECASE)


_JOINED = re.compile(r"(?:,\s*|\s+)(?:and|but|while|when|whereupon|till|until)\s+", re.IGNORECASE)
_LEADING_ADVERB = re.compile(r"^\s*(?:then|now|at once|presently|suddenly)\b,?\s*", re.IGNORECASE)


_FRONTED = re.compile(r"[A-Z][a-z]*(?:\s+[a-z]+){1,5},\s+")
_SUBORDINATE = re.compile(r"^(?:when|as|while|after|before|though|although|if|since|once|"
                          r"as soon as)\s[^,;]{1,60},\s*", re.IGNORECASE)


def clause_subject(text: str, names: NameIndex, recent: list[str], exclude: set[str]) -> _Subject:
    """The subject at the head of a clause: `Mary turned to him and`, `He`, `Then she`,
    `Her husband` (the spouse of the one the `her` means)."""
    text = re.sub(r"^\W*(?:then|and|but|so|now|here|at last|at length|presently|whereupon),?\s+",
                  "", text.strip(), flags=re.IGNORECASE)
    # `Suddenly he began`, `Slowly Tom rose`: an adverb before the subject (not `Emily`).
    adverb = re.match(r"[A-Z][a-z]+ly\b,?\s+", text)
    if adverb and not names.mentions(adverb.group()):
        text = text[adverb.end():]
    # `When they entered, the old man arose`: the subject follows the clause set before it.
    text = _SUBORDINATE.sub("", text)
    if not text:
        return _Subject()
    # `All friskiness and friendliness, Miss Derek sat inside.`: a phrase set before a name.
    fronted = _FRONTED.match(text)
    if fronted and (m := names.mentions(text[fronted.end():fronted.end() + 60])) and \
            m[0].start == 0 and re.match(r"\s+[a-z]", text[fronted.end() + m[0].end:]):
        text = text[fronted.end():]
    first = _WORD.match(text)
    mentions = names.mentions(text[:60])
    if mentions and mentions[0].start == 0:
        owned = _owned_person(text[mentions[0].end:]) if _POSSESSIVE.search(mentions[0].text) \
            else None
        if owned:
            # `Cameron's companion said`: the companion, someone other than Cameron.
            spouse = names.spouse_of(mentions[0].role) if owned in SPOUSES else None
            return _Subject(spouse, found=True) if spouse else \
                _Subject(gender=NOUN_GENDER.get(owned) or SPOUSES.get(owned), found=True,
                         not_role=mentions[0].role)
        return _Subject(mentions[0].role, found=True)
    if first and first.group().lower() in ("he", "she", "i"):
        # `he was annoyed because Aziz had come`: a subject pronoun is no one named later in
        # its own clause (that would be `Aziz was annoyed because he had come`).
        later = {m.role for m in names.mentions(text)}
        return _Subject(_pronoun_role(first.group(), names, recent, exclude | later), found=True)
    spouse = _SPOUSE_SUBJECT.match(text)
    if spouse:
        # `Her husband bent over her`: the husband of the woman the `her` means.
        role = _spouse_of_pronoun(spouse.group(1), names, recent)
        if role and role not in exclude:
            return _Subject(role, found=True)
    return _Subject()


# Nouns for people with no gender of their own: `Tom's friend` is someone else, while
# `Tom's voice`, `Tom's face` is Tom.
_PEOPLE = frozenset("friend companion servant guest visitor partner child".split())


def _owned_person(text: str) -> str | None:
    """The noun after a possessive name if it means a person (`'s old friend`)."""
    return next((w for w in (w.lower() for w in _WORD.findall(text[:40])[:3])
                 if w in NOUN_GENDER or w in SPOUSES or w in _PEOPLE), None)


_SPOUSE_SUBJECT = re.compile(r"(his|her)\s+(?:husband|wife)\b", re.IGNORECASE)


def _spouse_of_pronoun(pronoun: str, names: NameIndex, recent: list[str]) -> str | None:
    """`his wife`, `her husband`: the spouse (by surname) of the latest one `his` or `her`
    can mean."""
    owner = _latest_of_gender(PRONOUN_GENDER[pronoun.lower()], names, recent, set())
    return names.spouse_of(owner) if owner else None


def last_clause_subject(text: str, names: NameIndex, recent: list[str], exclude: set[str],
                        joints: re.Pattern = CLAUSES) -> _Subject:
    """The subject of the clause joined last, or, when that clause has none of its own
    (`..., and shaking Tom by the hand, offered him a chair`), of the one before it; no one
    when it opens on a noun phrase outside the cast (`..., and the sight of them made Lilia
    laugh`)."""
    for clause in reversed(joints.split(text)):
        subject = clause_subject(clause, names, recent, exclude)
        if subject.found or _NOUN_SUBJECT.match(clause):
            return subject
    return _Subject()


def _action_tag(text: str) -> bool:
    """Is the first verb of the narration a verb of manner (`chuckled`), not of saying?"""
    clause = _CLAUSE_END.split(text, 1)[0]
    verb = next((w for w in _WORD.findall(clause)[:6] if _is_speech_verb(w)), "")
    return verb.lower() in ACTION_VERBS
