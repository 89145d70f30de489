"""Cast discovery: propose a voices.yaml from the characters who speak in a book.

Pure except `write_cast`. A character is proposed when a speech tag names them (`said
Mary`, `Mr. Bennet replied`), or describes them as often (`said the shopkeeper`, `the old
man said`, a first person's `said my father`: someone the book never names, or else the
name it stands in apposition to, `Mr. Wells, the lawyer,`; not `the doctor` when a `Dr.`
is cast); short and long forms of one name merge (`Holmes`, `Sherlock Holmes`), as do pet
forms (`Kit`, `Kitty`), not a family's (`Mrs.` and `Miss Hamilton`); gender comes from the
title (`Mrs.`), the noun (`the old woman`) or the pronouns that follow their name; lines
are counted by attributing the book with the proposed cast.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from audiobook.attribution import attribute
from audiobook.attribution.names import (_ABBREVIATED_NOUNS, _NOT_NOUNS, _POSSESSIVE,
                                         _SAME_TITLE, LOWER, TITLES, UPPER, NameIndex)
from audiobook.attribution.tags import NOUN_GENDER, SPEECH_VERBS
from audiobook.cast import NARRATOR, Cast, Role
from audiobook.errors import OutputError
from audiobook.script import DIALOGUE, Book, Segment

# Capitalised words that start sentences but are nobody's name.
_NOT_NAMES = frozenset(
    """The A An And But Then So Now Here There This That These Those What When Where Why How
    Who Which While After Before As At In On Of Or If It Its He She His Her Him They Them
    Their We Us Our You Your I Me My Yes No Oh Ah Well Not Nor Yet Still Just Only Even Once
    Again Presently Meanwhile Perhaps Indeed Instead Thus Hence Suddenly Finally At Lord God
    Heaven Sir Madam Mother Father Aunt Uncle One Some Every Each Nobody Somebody Everybody
    Someone Everyone Anyone Nothing Something Everything With Without From For To By Into
    Upon Under Over Through During Since Until Though Although Because Whether Unless Like
    Across Along Among Behind Beside Besides Between Beyond Toward Towards Within Against
    About Above Below Whilst All Another Both Either Neither Such Many Most Much More Few
    Several Two Three Four Five Six Seven Eight Nine Ten Often Always Never Sometimes Soon
    Later Today Tomorrow Yesterday Tonight""".split()
)
_TITLE = (r"(?:Mr|Mrs|Ms|Miss|Dr|Sir|Lady|Lord|Captain|Colonel|Major|Aunt|Uncle|Professor|Mme|"
          r"Mlle|St|Monsieur|Madame|Signor|Signora|Signorina|Herr|Frau|Señor|Señora|Mistah|"
          r"Mis['\u2019])\.?")
# A capitalised word, whole: `McDonald`, `Jean-Paul`, not `Mc` of `McDonald`.
_CAPITALISED = rf"[{UPPER}][{LOWER}'\u2019]+(?:-?[{UPPER}][{LOWER}'\u2019]+)*(?![\w'\u2019-])"
_NAME = rf"((?:{_TITLE}\s+)?{_CAPITALISED}(?:\s+{_CAPITALISED})?)"
_VERBS = "|".join(sorted(SPEECH_VERBS, key=len, reverse=True))
_AFTER_VERB = re.compile(rf"^\W*(?:{_VERBS})\s+{_NAME}")
_BEFORE_VERB = re.compile(rf"^\W*{_NAME}\s+(?:\w+ly\s+)?(?:{_VERBS})\b")
# `Mrs. Bennet said only, "Nonsense!"`: an adverb may follow the verb too.
_END_TAG = re.compile(rf"{_NAME}\s+(?:\w+ly\s+)?(?:{_VERBS})(?:\s+\w+ly)?\W*$")
_SUBJECT = re.compile(rf"^{_NAME}\s+[a-z]+")
_I_SAID = re.compile(rf"^\W*(?:I\s+(?:{_VERBS})|(?:{_VERBS})\s+I)\b")
_VOCATIVE = re.compile(rf"(?:^|,\s*){_NAME}(?=\s*[,!?]|\s*\.$)")
# `said the old man`, `the shopkeeper replied`, `the old man said,` before a quote: up to
# three lower-case words after `the`.
_DESCRIPTION_WORD = r"\s+[a-z][a-z-]+(?![\w'\u2019])"  # not `the man's wife`
_DETERMINER = r"([Tt]he|[Mm]y|[Oo]ur|[Hh]is|[Hh]er)"
_AFTER_VERB_DESCRIBED = re.compile(
    rf"^\W*(?:{_VERBS})\s+{_DETERMINER}((?:{_DESCRIPTION_WORD}){{1,3}})")
_BEFORE_VERB_DESCRIBED = re.compile(
    rf"^\W*{_DETERMINER}((?:{_DESCRIPTION_WORD}){{1,3}}?)\s+(?:\w+ly\s+)?(?:{_VERBS})\b")
_END_TAG_DESCRIBED = re.compile(
    rf"\b{_DETERMINER}((?:{_DESCRIPTION_WORD}){{1,3}}?)\s+(?:\w+ly\s+)?(?:{_VERBS})(?:\s+\w+ly)?"
    r"\W*$")
# Words that end a description (`said the man in the hat`, `said the girl, smiling`, `the
# boy half cried`: an adverb without -ly) or show it is none: `said the other`, `said the
# first`, `the voice said`.
_DESCRIPTION_ENDS = frozenset("""to with in at as on of for from by and or but who whose which
    that when while after before behind beside near under over across against into through
    beyond upon up down off out there here again then still now once half almost also never
    always quite had has have was is were would could should did does will shall must might
    can""".split())
_NOT_DESCRIPTIONS = frozenset("""other others first second third last latter former one two
    three rest same voice voices answer reply words word question cry""".split())
# What `his` or `her` makes of someone who is no kin: a role toward another (`said her
# visitor`: the visitor).
_ROLE_NOUNS = frozenset("""visitor guest host hostess companion friend servant maid nurse master
    mistress partner neighbour neighbor landlady landlord employer secretary attendant escort
    pupil tutor governess teacher doctor lawyer colleague caller interlocutor informant
    questioner listener""".split())
# What a sentence opening with no name may make speak that is no one: `The letter said,`.
_THINGS_THAT_SAY = frozenset("""letter letters note notes message telegram sign notice card paper
    papers book books newspaper article headline inscription label page words voice voices face
    eyes look clock report answer reply""".split())
# Words no noun phrase crosses: `a friend of the boy` is no boy.
_PHRASE_BREAKS = frozenset("""of to for with than in at by from on into upon about among like
    as after before behind beside near under over across against through beyond toward towards
    without within between who whom whose which that""".split())
# Where a sentence ends; not after `Mrs.`: `Mrs. Grant` starts no sentence about a `Grant`.
_SENTENCE_END = re.compile(r"(?<!Mr\.)(?<!Mrs\.)(?<!Ms\.)(?<!Dr\.)(?<!St\.)(?<=[.!?])\s+")
_DESCRIBED = ("the ", "my ", "our ")
_PRONOUNS = frozenset("i you he she it we they".split())
_MALE = {"he", "him", "his", "himself"}

# A variant (`+m3`) sets the timbre, the voice only the accent: each role of a gender gets
# a variant of its own (the voice's own, no `+`, counting as one) before any comes round
# again, with pitch and rate shifted then. Male: the voice's own and +m1..+m8; female:
# +f1..+f5, then espeak-ng's named variants whose file says `gender female` and that speak
# at a woman's pitch (200-290 Hz at pitch 60, +f1..+f5 190-225), twelve timbres. Left to
# the user: +linda, +steph2, +steph3 (near copies of +belinda and +steph), +grandma (an old
# woman's tremolo), +anikaRobot and +whisperf (a robot, a whisper), and the men's.
MALE_VOICES = [("gmw/en-us", 40), ("gmw/en-gb-x-rp+m3", 35), ("gmw/en-us+m1", 48),
               ("gmw/en-gb-scotland+m4", 42), ("gmw/en-us+m7", 30), ("gmw/en-029+m2", 45),
               ("gmw/en-gb-x-rp+m5", 38), ("gmw/en-us+m6", 44), ("gmw/en-gb-scotland+m8", 36)]
FEMALE_VOICES = [("gmw/en-us+f3", 60), ("gmw/en-gb-x-rp+f2", 65), ("gmw/en-us+f1", 55),
                 ("gmw/en-gb-scotland+f4", 62), ("gmw/en-us+f5", 70),
                 ("gmw/en-gb-x-rp+Annie", 60), ("gmw/en-us+belinda", 55),
                 ("gmw/en-gb-scotland+Alicia", 50), ("gmw/en-gb-x-rp+aunty", 58),
                 ("gmw/en-us+steph", 62), ("gmw/en-gb-x-rp+anika", 45), ("gmw/en-us+Andrea", 50)]
NEUTRAL_VOICES = [("gmw/en-us+m2", 50), ("gmw/en-gb-x-rp+f5", 52)]


@dataclass
class Character:
    id: str
    name: str
    aliases: list[str]
    gender: str
    tags: int  # tags, subjects before quotes and vocatives naming this character
    lines: int = 0  # quotes attributed to them with the proposed cast


@dataclass
class Proposal:
    title: str
    characters: list[Character]
    narrator_speaks: int  # quotes tagged `I said`: a first-person narrator who talks
    quotes: int
    narrator_names: tuple[str, ...] = ()  # what the others call a first-person narrator
    author: str | None = None  # the script's byline: voices.yaml's `book: author:`

    def cast(self) -> Cast:
        name, *aliases = self.narrator_names or ("Narrator",)
        roles = {NARRATOR: Role(NARRATOR, name, tuple(aliases))}
        for c in self.characters:
            roles[c.id] = Role(c.id, c.name, tuple(c.aliases), c.gender)
        return Cast(roles=roles, source="proposed cast")


def _strip_title(name: str) -> str:
    words = name.split()
    return " ".join(words[1:]) if len(words) > 1 and words[0].rstrip(".").lower() in TITLES else name


def _proper(name: str, proper: set[str]) -> bool:
    return all(w in proper for w in _strip_title(name).split())


def _tag_names(book: Book) -> tuple[Counter, int]:
    """Names in speech tags beside quotes, and how many tags say `I`."""
    found: Counter = Counter()
    # Words capitalised after a lowercase word somewhere, or after a title there (`told Mr.
    # Harris`: some are never written without one): names, not `Come` or `Soon`. Each
    # segment on its own: `said, "Hear, hear!"` does not make `Hear` a name.
    proper = {word for s in book.segments() for word in
              re.findall(rf"(?<=[{LOWER},;] )(?:{_TITLE}\s+)?({_CAPITALISED})", s.text)}
    # Words the book also writes in lower case (`horror`, `apologize`): a common word, when
    # only a sentence's start or a call gives it a capital, not a speech tag.
    common = {word for s in book.segments() for word in re.findall(rf"\b[{LOWER}]+\b", s.text)}
    # The genders of the titles each name is written with (`Mr. Bennet`, `Mrs. Bennet`).
    title_genders: dict[str, set] = {}
    for s in book.segments():
        for title, word in re.findall(rf"\b({_TITLE})\s+({_CAPITALISED})", s.text):
            title_genders.setdefault(word, set()).add(TITLES.get(title.rstrip(".").lower()))
    first_person, doubtful, went_on = 0, Counter(), []
    for scene in _scene_quotes(book):
        for seg, before, after in scene:
            # `regarded him as "India," and never`: a sentence runs through it
            # with no comma or colon to open speech: a quoted word, not a call.
            if re.search(rf"[{LOWER}]$", before) and re.match(rf"\s*[{LOWER}]", after):
                continue
            clause = re.split(r"(?<!Mr)(?<!Mrs)(?<!Dr)(?<!Ms)(?<!St)[.;!?]", after, 1)[0]
            if _I_SAID.match(clause):
                first_person += 1
                continue
            m = _AFTER_VERB.match(clause) or _BEFORE_VERB.match(clause)
            if not m and before.rstrip().endswith((",", ":")):
                m = _END_TAG.search(before.rstrip(" ,:"))
            nameless, went_on_with = False, None
            if not m:
                # `Emily looked up. "..."`: the subject just before the quote.
                sentences = re.split(r"(?<=[.!?])\s+", before.strip()) if before else [""]
                last = sentences[-1]
                # `Aunt Polly was vexed. Then she had a new inspiration:`: a `she` opening
                # the last sentence goes on with the subject of the one before.
                pronoun = re.match(r"(?:(?:Then|So|And|But)\s+)?(He|She|he|she)\b", last)
                if len(sentences) > 1 and pronoun:
                    last = sentences[-2]
                m = _SUBJECT.match(last)
                # Not a subject whose titles are all of the other gender: `Mr. Tom opened
                # the door. Then she said:` (the split cut `Mr.` off), `Sir Tom ...`; one
                # with none is weighed by its pronouns below.
                if m and len(sentences) > 1 and pronoun:
                    cut = re.search(rf"(?:^|\s)({_TITLE})$", sentences[-3]) \
                        if len(sentences) > 2 else None
                    subject = ((cut.group(1) + " ") if cut else "") + m.group(1)
                    title = _title_of(subject)
                    genders = {TITLES.get(title)} if title else \
                        set().union(*(title_genders.get(w, set()) for w in subject.split()))
                    other = "male" if pronoun.group(1).lower() == "she" else "female"
                    if genders == {other}:
                        m = None
                    elif not genders:
                        went_on_with = other
                # `Locking his hands behind his head, he ...`: a participle opening
                # the sentence, not a name, unless it is one elsewhere (`Manning`).
                if m and re.fullmatch(rf"[{UPPER}][{LOWER}]+(?:ing|ed|ly)", m.group(1)) \
                        and m.group(1) not in proper:
                    m = None
                # `The old man said, "..."`, `He looked up and the old man said`: a
                # sentence opening with no name leaves the tag to a description.
                if m and all(w in _NOT_NAMES for w in m.group(1).split()):
                    m, nameless = None, True
                if m and went_on_with:
                    went_on.append((m.group(1), went_on_with))
            described = None if m else _description(clause, before)
            # There a person (`The captain said,`, `the girls whispered`), not a thing (`The
            # letter said,`), which the sentence's `The`, taken for a name, had kept out.
            head = described.split()[-1] if described else ""
            if nameless and head in _THINGS_THAT_SAY:
                described = None
            if described:
                found[described] += 1
            names = [m.group(1)] if m else []
            names += [v.group(1) for v in _VOCATIVE.finditer(seg.text)
                      if _proper(v.group(1), proper)]
            tagged = 1 if m and m.re is not _SUBJECT else 0
            for n, name in enumerate(names):
                words = name.split()
                while words and words[-1] in _NOT_NAMES:
                    words.pop()
                # `All Gino said`: a word never capitalised inside a sentence
                # opens it; it is not part of the name.
                while len(words) > 1 and words[0] not in proper and \
                        words[0].rstrip(".").lower() not in TITLES:
                    words.pop(0)
                bare_title = len(words) == 1 and words[0].rstrip(".").lower() in TITLES
                # `Sir`, `Aunt` alone are calls; `Sir Thomas`, `Aunt Polly` names.
                titled = len(words) > 1 and words[0].rstrip(".").lower() in TITLES
                if words and (words[0] not in _NOT_NAMES or titled) and not bare_title and \
                        not re.search(r"['\u2019]", words[-1]):
                    name = " ".join(words)
                    if n >= tagged and name.lower() in common:
                        doubtful[name] += 1
                    else:
                        found[name] += 1
    found.update({name: n for name, n in doubtful.items() if name in found})
    # Nor an untitled one whose pronouns are of the other gender (`Tom opened the door.
    # Then she said:`, where Tom is a `he`), once the tags are all read.
    narration = " ".join(s.text for s in book.segments() if s.kind != DIALOGUE) \
        if went_on else ""
    genders = {name: _gender(name, [], narration) for name in {name for name, _ in went_on}}
    for name, other in went_on:
        if found[name] and genders[name] == other:
            found[name] -= 1
    found += Counter()  # none left at 0
    return found, first_person


def _description(clause: str, before: str) -> str | None:
    """`the old man` when the tag describes its speaker instead of naming them."""
    m = _AFTER_VERB_DESCRIBED.match(clause) or _BEFORE_VERB_DESCRIBED.match(clause)
    if not m and before.rstrip().endswith((",", ":")):
        m = _END_TAG_DESCRIBED.search(before.rstrip(" ,:"))
    if not m:
        return None
    if re.match(r"\s+[a-z-]+['\u2019]", m.string[m.end(2):]):
        return None  # `said the old man's wife`: the description is of an owner
    found, words = m.group(2).split(), []
    for n, word in enumerate(found):
        # `said the girl smiling`, `the man quietly`; but `the king`, `the elderly lady`,
        # `the big burly sailor` (a word of its own kind follows).
        following = found[n + 1] if n + 1 < len(found) else ""
        adverb = word.endswith(("ly", "ing")) and word not in NOUN_GENDER and (
            not following or following in _DESCRIPTION_ENDS or following.endswith(("ly", "ing")))
        if word in _DESCRIPTION_ENDS or words and adverb:
            break
        words.append(word)
    # `opened the door he said`: a pronoun is the subject, the description an object.
    if not words or words[-1] in _NOT_DESCRIPTIONS or words[-1] in SPEECH_VERBS or \
            set(words) & _PRONOUNS:
        return None
    # `said her visitor`: the visitor; `his wife`, `her mother-in-law` are whoever's they
    # are, `his letter`, `her face` no one, `his lordship` a title.
    determiner = m.group(1).lower()
    if determiner in ("his", "her"):
        if words[-1] not in _ROLE_NOUNS:
            return None
        determiner = "the"
    return determiner + " " + " ".join(words)


def _scene_quotes(book: Book) -> Iterator[list[tuple[Segment, str, str]]]:
    """Each scene's quotes in order, each with the narration right before and after it in
    its paragraph ("" where another quote or the paragraph's edge is)."""
    for chapter in book.chapters:
        for scene in chapter.scenes:
            quotes, previous = [], None
            for paragraph in scene.paragraphs:
                segs = paragraph.segments
                # A paragraph of narration that ends in a colon opens the quote that
                # starts the next one: `Aunt Polly was vexed ... Then she said:`.
                opener = previous[-1].text if previous and all(
                    s.kind != DIALOGUE for s in previous) and \
                    previous[-1].text.rstrip().endswith(":") else ""
                previous = segs
                for i, seg in enumerate(segs):
                    if seg.kind == DIALOGUE:
                        before = segs[i - 1].text if i and segs[i - 1].kind != DIALOGUE else \
                            opener if not i else ""
                        after = segs[i + 1].text if i + 1 < len(segs) and \
                            segs[i + 1].kind != DIALOGUE else ""
                        quotes.append((seg, before, after))
            yield quotes


def _quotes_beside_i(book: Book) -> list[str]:
    """The quotes right before or after one the narrator says (`"...," I said`)."""
    beside = []
    for quotes in _scene_quotes(book):
        mine = [bool(_I_SAID.match(after)) for _, _, after in quotes]
        beside += [seg.text for n, (seg, _, _) in enumerate(quotes)
                   if n and mine[n - 1] or n + 1 < len(mine) and mine[n + 1]]
    return beside


def _named_often(name: str, aliases: list[str], narration: str, often: int = 10) -> bool:
    forms = "|".join(re.escape(f) for f in sorted({name, *aliases}, key=len, reverse=True))
    found = re.finditer(rf"\b(?:{forms})\b", narration)
    return sum(1 for _ in itertools.islice(found, often)) >= often


def _title_of(name: str) -> str | None:
    if name == _strip_title(name):
        return None
    title = name.split()[0].rstrip(".").lower()
    return _SAME_TITLE.get(title, title)


_PET_ENDING = re.compile(r"(?:(?<=(.))\1)?(?:y|ie|ey|sy)")


def _merge(tags: Counter, text: str) -> list[tuple[str, list[str], int]]:
    """Group name forms of one person: `Sherlock Holmes`, `Holmes`, `Mr. Holmes`; but
    `Mr. Bennet` and `Mrs. Bennet` stay two people."""
    full_names = Counter(re.findall(rf"\b([{UPPER}][{LOWER}]+ [{UPPER}][{LOWER}]+)\b", text))
    # A surname tagged with two titles (`Mrs.` and `Miss Hamilton`) is a family's: its
    # titled forms join only the same title, and the surname alone is no one.
    titles: dict[str, set] = {}
    for name in tags:
        if _title_of(name):
            titles.setdefault(_strip_title(name), set()).add(_title_of(name))
    family = {bare for bare, found in titles.items() if len(found) > 1}
    groups: list[dict] = []
    ordered = sorted(tags.items(), key=lambda kv: (-len(_strip_title(kv[0]).split()), -kv[1]))
    for name, count in ordered:
        bare, title = _strip_title(name), _title_of(name)
        if bare in family and not title:
            continue
        homes = []
        for group in groups:
            for form in group["forms"]:
                form_bare, form_title = _strip_title(form), _title_of(form)
                # A family's titled forms join only the same title.
                same = bare == form_bare and (title == form_title or bare not in family and
                                              not (title and form_title))
                part = (len(bare.split()) == 1 and not title and len(form_bare.split()) > 1
                        and bare in form_bare.split())
                if same or part:
                    homes.append(group)
                    break
        if len(homes) == 1:
            homes[0]["forms"].add(name)
            homes[0]["count"] += count
            continue
        forms = {name}
        if len(bare.split()) == 1 and not title and not homes:
            longer = [f for f, n in full_names.items() if bare in f.split() and n >= 2
                      and not set(f.split()) & _NOT_NAMES]
            if len(longer) == 1:
                forms.add(longer[0])
        groups.append({"name": name, "forms": forms, "count": count})
    # `Mrs. Cavendish` is the one group whose full name (`Mary Cavendish`) ends in the
    # surname and whose gender the title fits: one person, tagged by first name and by title.
    # Not a title of a family's two women (`Mrs.` and `Miss Hamilton`: either may be Kitty).
    for group in list(groups):
        title, bare = _title_of(group["name"]), _strip_title(group["name"])
        if not title or len(bare.split()) != 1 or sum(
                TITLES.get(other) == TITLES.get(title) for other in titles.get(bare, ())) > 1:
            continue
        # Once in full will do for a `Miss` (`Adela Quested`, `Miss Quested`), unless the book
        # also says `Miss Elizabeth Bennet`: then sisters share the name, and a bare `Miss
        # Bennet` is the eldest, whoever the book names in full.
        once = title == "miss" and not re.search(rf"\bMiss [{UPPER}]\w+ {re.escape(bare)}\b", text)
        fits = [other for other in groups if other is not group and (any(
            not _title_of(f) and len(f.split()) == 2 and f.split()[1] == bare
            for f in other["forms"]) or once and _first_name_only(other["name"]) and
            full_names[f"{other['name']} {bare}"]) and _known_gender(
                other["name"], sorted(other["forms"]), text) == TITLES.get(title)]
        if len(fits) == 1:
            fits[0]["forms"] |= group["forms"]
            fits[0]["count"] += group["count"]
            groups.remove(group)
    # A pet form adds a diminutive ending to a name (`Kit` and `Kitty`, `Skaggs` and
    # `Skaggsy`, `Tom` and `Tommy`): one person, unless the pronouns tell two genders apart.
    # Not `Ann` and `Anna`, `Rob` and `Robin`: other names.
    for group in sorted(groups, key=lambda g: g["count"]):
        short = _strip_title(group["name"])
        if len(short.split()) != 1 or len(short) < 3:
            continue
        if group not in groups:
            continue
        pets = [other for other in groups if other is not group and
                not _title_of(other["name"]) and len(other["name"].split()) == 1 and
                _PET_ENDING.fullmatch(other["name"], len(short)) and
                other["name"].startswith(short)]
        if len(pets) != 1:
            continue
        genders = {_gender(g["name"], sorted(g["forms"]), text) for g in (group, pets[0])}
        if len(genders - {"neutral"}) > 1:
            continue
        keep, drop = sorted((group, pets[0]), key=lambda g: (-g["count"], -len(g["name"])))
        keep["forms"] |= drop["forms"] | {drop["name"]}
        keep["count"] += drop["count"]
        groups.remove(drop)
    # A bare surname two groups share (`Inglethorp` for Mr. and Mrs.) is no one's alias.
    shared = Counter(bare for g in groups for bare in
                     {_strip_title(f) for f in {*g["forms"], g["name"]} if _title_of(f)})
    return [(g["name"], sorted(f for f in g["forms"] - {g["name"]}
                                if _title_of(f) or shared[f] < 2), g["count"]) for g in groups]


def _first_name_only(name: str) -> bool:
    return len(name.split()) == 1 and not _title_of(name)


@functools.lru_cache(maxsize=1)
def _sentences(text: str) -> tuple[str, ...]:
    """The narration's sentences: split once per book, not once per name _gender weighs
    (discover clears it when it returns, so no book's narration outlives its call)."""
    return tuple(_SENTENCE_END.split(text))


def _gender(name: str, aliases: list[str], text: str) -> str:
    """From a gendered title, else from pronouns where the name is a sentence's subject:
    `Alex stood up, his heart pounding.` and `Emily froze. She ...`."""
    for form in (name, *aliases):
        title = form.split()[0].rstrip(".").lower()
        if TITLES.get(title):
            return TITLES[title]
    # The name with its title too: `Dr. Wilkins`, whose title tells no gender.
    bare = sorted({form for f in (name, *aliases) for form in (f, _strip_title(f))},
                  key=len, reverse=True)
    subject = re.compile(r"^(?:\W*(?:Then|But|And|So|When|As)\s+)?(?:" +
                         "|".join(re.escape(b) for b in bare) + r")\b")
    votes: Counter = Counter()
    # `Holmes, who loathed every form of society with his whole soul`: a relative clause's
    # own `his`, `himself` or `herself` (not `her`, maybe whom it acts on), with no other
    # name between, as for a subject (not `Mary, who had seen Tom with his dog`).
    names = "|".join(re.escape(b) for b in bare)
    for own in re.finditer(rf"\b(?:{names}),\s+who\s+([^.;:!?,]*?)\b(he|she|him|her|his|"
                           rf"himself|herself)\b", text):
        if own.group(2) in ("his", "himself", "herself") and \
                not re.search(r"(?<=\w )[A-Z]", "who " + own.group(1)):
            votes["male" if own.group(2) in _MALE else "female"] += 1
    # `Emma was a tall, big-boned woman`, `Jim, a small colored boy,`: what the name is;
    # the noun ends the phrase, whose words cross no preposition (not `Jane, a friend of the
    # boy,`, `Jane was a match for any man`, `Tom was a boy scout`). Twice a pronoun's weight:
    # at one, a role merging Hamidullah and his wife (`Hamidullah Begum was a distant
    # aunt`) has his `he`s outweigh it and turns male.
    nouns = "|".join(n for n in NOUN_GENDER if n not in ("men", "women"))
    filler = rf"(?:(?!(?:{'|'.join(_PHRASE_BREAKS)})\b)[a-z-]+,?\s+){{0,3}}?"
    ends = "|".join(_DESCRIPTION_ENDS | _PHRASE_BREAKS)
    for noun in re.findall(rf"\b(?:{names})(?:\s+was|,)\s+an?\s+{filler}({nouns})"
                           rf"(?=\s*[^\w\s'\u2019-]|\s*$|\s+(?:{ends})\b)", text):
        votes[NOUN_GENDER[noun]] += 2
    sentences = _sentences(text)
    for i, sentence in enumerate(sentences):
        named = subject.match(sentence)
        if not named:
            continue
        # The first pronoun after the subject, if it cannot be someone else's object: a
        # `his` or a `he`, with no other name between (`Gino appeared so fast that he`; not
        # `Mary smiled at Henry with his hat`).
        own = re.search(r"\b(he|she|him|his|her|himself|herself)\b", sentence, re.IGNORECASE)
        if own and (own.group(1).lower() in ("him", "her")
                    or re.search(r"(?<=\w )[A-Z]", sentence[named.end():own.start()])):
            own = None
        # `Philip did not know what she meant`: a `she` opening a question's clause after
        # a verb is someone else, as is the next sentence's `She` then.
        # Not `Harriet, if she had been allowed`: a clause of her own.
        embedded = re.search(r"(?<![,;])\s(?:what|why|how|where|whether|whom|who)\s+(?:he|she)\b",
                             sentence[named.end():])
        if own and embedded and own.start() >= named.end() + embedded.start():
            own = None
        # The next sentence's `He`, unless a later clause of this one has another subject:
        # `Mary was satisfied, and Henry ready to stay. He had come ...`.
        following = re.match(r"\W*(He|She)\b", sentences[i + 1]) if i + 1 < len(sentences) \
            and not embedded \
            and not re.search(r"(?:,|\band)\s+[A-Z]", sentence[named.end():]) else None
        for p in (own, following):
            if p:
                votes["male" if p.group(1).lower() in _MALE else "female"] += 1
    if votes and votes.most_common(1)[0][1] > sum(votes.values()) * 0.6:
        return votes.most_common(1)[0][0]
    return "neutral"


def _known_gender(name: str, aliases: list[str], text: str) -> str:
    """`_gender`, else what the first name tells (`_first_name_gender`)."""
    gender = _gender(name, aliases, text)
    return _first_name_gender(name, aliases) if gender == "neutral" else gender


@functools.cache
def _first_names():
    import gender_guesser.detector  # 0.2 s to load its list: only when a cast is proposed

    return gender_guesser.detector.Detector(case_sensitive=False)


def _first_name_gender(name: str, aliases: list[str]) -> str:
    """The gender a list of first names gives the first word of each form (`Adela`, `Henry
    Crawford`), when they agree: for people the narration seldom calls `he` or `she`
    beside their name. `Jo`, used for both, and unknown words tell nothing."""
    found = set()
    for form in (name, *aliases):
        words = _strip_title(form).split()
        # After a title, a lone word is a surname (`Dr. Lee`), not a first name.
        if words and words[0][:1].isupper() and (len(words) > 1 or form == words[0]):
            found.add(_FIRST_NAME_GENDERS.get(_first_names().get_gender(words[0])))
    found.discard(None)
    return found.pop() if len(found) == 1 else "neutral"


_FIRST_NAME_GENDERS = {"male": "male", "mostly_male": "male",
                       "female": "female", "mostly_female": "female"}


def _apposed(description: str, gender: str, text: str, named: NameIndex,
             characters: list[Character]) -> Character | None:
    """The one named character a description stands beside as an apposition: `Mr. Wells,
    the lawyer,` or `the boy Joe` make `the lawyer` Wells and `the boy` Joe."""
    words = r"\s+".join(re.escape(w) for w in description.split()[1:])
    # Not an owner (`handed the servant Tom's coat`).
    apposed = re.compile(rf"{_NAME},\s+the\s+{words}(?=\s*[,.;])|"
                         rf"\b[Tt]he\s+{words}\s+{_NAME}(?![\w'\u2019])")
    roles = {m.role for found in apposed.finditer(text)
             if not _POSSESSIVE.search(found.group(1) or found.group(2))
             for m in named.mentions(found.group(1) or found.group(2))}
    if len(roles) != 1:
        return None
    person = next(c for c in characters if c.id in roles)
    return None if "neutral" not in (gender, person.gender) and gender != person.gender else person


def role_id(name: str, taken: set[str], prefix: str = "c_") -> str:
    """A voices.yaml role id for `name`, not in `taken` (which it joins)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()  # Zoë: zoe
    base = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_") or "someone"
    if not base[0].isalpha():
        base = prefix + base
    role, n = base, 2
    while role in taken:
        role, n = f"{base}_{n}", n + 1
    taken.add(role)
    return role


def discover(book: Book, min_tags: int | None = None) -> Proposal:
    """Propose a cast: everyone named at least `min_tags` times (1 in a book of under 100
    quotes, else 2) by a speech tag, as the subject right before a quote, or as the person
    a quote addresses, or named so once and ten times in the narration; then keep those
    who speak at least one line with that cast."""
    try:
        return _discover(book, min_tags)
    finally:  # the cache of one book's sentences is for this call, not kept after it
        _sentences.cache_clear()


def _discover(book: Book, min_tags: int | None) -> Proposal:
    narration = " ".join(s.text for s in book.segments() if s.kind != DIALOGUE)
    # Segments kept apart, so no apposition runs from a quote into its tag (`"Good night,
    # Tom," the lawyer replied`).
    pieces = " | ".join(s.text for s in book.segments())
    tags, first_person = _tag_names(book)
    taken = {NARRATOR}
    characters = []
    if min_tags is None:
        min_tags = 1 if sum(s.kind == DIALOGUE for s in book.segments()) < 100 else 2
    described = Counter({d: n for d, n in tags.items() if d.startswith(_DESCRIBED)})
    for name, aliases, count in _merge(tags - described, narration):
        # Tagged once, but named all through the narration: a main character whose lines
        # go untagged (`Edmund`), not a passer-by.
        if count < min_tags and not (count and _named_often(name, aliases, narration)):
            continue
        characters.append(Character(role_id(name, taken), name, aliases,
                                    _known_gender(name, aliases, narration), count))
    # Someone the book only describes; not `the doctor` when a Dr. Lee is cast already.
    named = NameIndex(Proposal(book.title, characters, 0, 0).cast())
    titles = {form.split()[0].rstrip(".").lower() for c in characters
              for form in (c.name, *c.aliases) if _title_of(form)}
    title_nouns = {_ABBREVIATED_NOUNS.get(t, t) for t in titles
                   if t in _ABBREVIATED_NOUNS or t not in _NOT_NOUNS}
    for description, count in described.most_common():
        if count < min_tags or named.mentions(description):
            continue
        head = description.split()[-1]
        # `the doctor` beside two doctors cast (`Dr. Wilkins`, `Dr. Bauerstein`): one of
        # them, whom the attribution picks from the scene, not a third person.
        if head in title_nouns:
            continue
        # `the boy officer`: the head tells no gender, a noun before it does.
        gender = NOUN_GENDER.get(head) or next(
            (NOUN_GENDER[w] for w in reversed(description.split()[1:-1]) if w in NOUN_GENDER),
            None) or _gender(description.capitalize(), [], narration)
        person = description.startswith("the ") and \
            _apposed(description, gender, pieces, named, characters)
        if person:
            person.aliases.append(description)
            person.tags += count
            continue
        characters.append(Character(role_id(description.removeprefix("the "), taken),
                                    description, [], gender, count))
    # A first-person narrator is never named in the narration, only called by the others
    # (`"Hastings, look!"`): the name the others call most that the narration never uses.
    narrator_names: tuple[str, ...] = ()
    if first_person >= 2:
        words = set(re.findall(r"[\w'\u2019.]+", narration))
        unnarrated = [c for c in characters if not c.name.startswith(_DESCRIBED)
                      and not any(set(form.split()) <= words and
                                  _named_often(form, [], narration, often=1)
                                  for form in (c.name, *c.aliases))]
        # Called in a quote next to one the narrator says (`"Hastings, look!" ... "At
        # what?" I said`), twice at least and more often than anyone else.
        beside_i = _quotes_beside_i(book)
        calls = sorted(((sum(1 for q in beside_i for form in (c.name, *c.aliases)
                             if re.search(rf"\b{re.escape(form)}\s*[,!?.]", q)), c)
                        for c in unnarrated), key=lambda nc: -nc[0])
        if calls and calls[0][0] >= 2 and (len(calls) == 1 or calls[0][0] > calls[1][0]):
            called = calls[0][1]
            characters.remove(called)
            narrator_names = (called.name, *called.aliases)
    quotes = [s for s in book.segments() if s.kind == DIALOGUE]
    proposal = Proposal(book.title, characters, first_person, len(quotes), narrator_names,
                        book.author)
    lines = Counter(s.role for s in attribute(book, proposal.cast()).segments()
                    if s.kind == DIALOGUE)
    for c in characters:
        c.lines = lines.get(c.id, 0)
    proposal.characters = sorted((c for c in characters if c.lines),
                                 key=lambda c: (-c.lines, c.name))
    return proposal


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def describe(proposal: Proposal) -> list[str]:
    """The proposal as a table for the terminal."""
    people = proposal.characters
    out = [f"{_count(len(people), 'speaking character')} in "
           f"{_count(proposal.quotes, 'quote')}" + (f"; the narrator speaks too ({proposal.narrator_speaks}"
                                          " tags say `I`)" if proposal.narrator_speaks else "")
           + (f"; the others call the narrator {', '.join(proposal.narrator_names)}"
              if proposal.narrator_names else "")]
    if people:
        width = max(len(c.id) for c in people)
        name_width = max(len(c.name) for c in people)
        out.append(f"  {'role':<{width}}  {'name':<{name_width}}  gender   lines  aliases")
        for c in people:
            out.append(f"  {c.id:<{width}}  {c.name:<{name_width}}  {c.gender:<7} {c.lines:>6}"
                       f"  {', '.join(c.aliases)}".rstrip())
    return out


def _yaml_string(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z][\w .'\u2019-]*", text) and text.lower() not in (
        "yes", "no", "true", "false", "on", "off", "null") else '"' + text.replace('"', '\\"') + '"'


def to_yaml(proposal: Proposal) -> str:
    """voices.yaml text: every speaker with a distinct voice, commented for editing."""
    pools = {"male": list(MALE_VOICES), "female": list(FEMALE_VOICES),
             "neutral": list(NEUTRAL_VOICES)}
    used: Counter = Counter()
    out = [
        f"# Cast proposed by `audiobook cast` for {proposal.title!r}:",
        f"# {_count(len(proposal.characters), 'speaking character')} in "
        f"{_count(proposal.quotes, 'quote')}. Check names,",
        "# aliases and genders (they steer speaker attribution), then render.",
        "",
    ]
    if proposal.author:  # the artist tag players file the book under
        out += ["book:",
                f"  author: {_yaml_string(proposal.author)}   # from the script: the artist tag",
                ""]
    out += [
        "roles:",
        "  narrator:",
    ]
    if proposal.narrator_names:
        name, *aliases = proposal.narrator_names
        out += [f"    name: {_yaml_string(name)}   # what the others call the narrator",
                f"    aliases: [{', '.join(_yaml_string(a) for a in aliases)}]"]
    out += [
        "    voice: gmw/en-gb-x-rp" + ("   # the narrator also speaks: `I said`" if proposal.narrator_speaks else ""),
        "    rate: 160",
        "    pitch: 45",
        "    volume: 0.9",
    ]
    for c in proposal.characters:
        pool = pools[c.gender]
        index = used[c.gender]
        used[c.gender] += 1
        voice, pitch = pool[index % len(pool)]
        rounds = index // len(pool)  # beyond the pool: shift pitch and rate to stay distinct
        pitch = max(0, min(100, pitch + (8 * rounds if rounds % 2 else -8 * rounds)))
        rate = 160 + 8 * (index % 3) - 4 * rounds
        aliases = ", ".join(_yaml_string(a) for a in c.aliases)
        out += [
            "",
            f"  {c.id}:   # {c.lines} line{'s' if c.lines != 1 else ''}, named {c.tags} time{'s' if c.tags != 1 else ''} near quotes",
            f"    name: {_yaml_string(c.name)}",
            f"    aliases: [{aliases}]",
            f"    gender: {c.gender}" + ("   # unknown from the text: set male or female, and a "
                                   "voice to match" if c.gender == "neutral" else ""),
            f"    voice: {voice}",
            f"    rate: {rate}",
            f"    pitch: {pitch}",
            "    volume: 0.9",
        ]
    return "\n".join(out) + "\n"


def check_target(path: str | Path, force: bool) -> Path:
    """Refuse a folder, or an existing file unless `force`."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; pass a file name such as {path / 'voices.yaml'}")
    if path.exists() and not force:
        raise OutputError(f"{path}: already exists; pass --force to overwrite it")
    return path


def write_cast(proposal: Proposal, path: str | Path, force: bool = False) -> Path:
    """Write the proposal as voices.yaml; never over an existing file without `force`, not
    even one that appears while the proposal is being made."""
    from audiobook.export import atomic_path, write_text_atomic

    path = check_target(path, force)
    try:
        if force:
            write_text_atomic(path, to_yaml(proposal))
        else:
            with atomic_path(path) as tmp:
                tmp.write_text(to_yaml(proposal), encoding="utf-8")
                # A hard link publishes the whole file and fails if the name was taken
                # meanwhile; atomic_path's rename then finds the same file and the
                # temporary name goes.
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    raise
                except OSError:  # no hard links here (FAT, some network file systems)
                    if path.exists():
                        raise FileExistsError(path) from None
    except FileExistsError:
        raise OutputError(f"{path}: already exists; pass --force to overwrite it") from None
    except OSError as bad:
        raise OutputError(f"{path}: cannot write: {bad.strerror}") from None
    return path
