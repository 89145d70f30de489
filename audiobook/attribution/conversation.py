"""Pass 2, turn-taking: runs of turns form conversations, and unsettled turns are filled
from settled ones (vocatives, the beat before a turn, alternation between anchors).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import accumulate, chain

from audiobook.attribution.names import UPPER, NameIndex
from audiobook.attribution.tags import (_PEOPLE, _SENTENCE_END, ACTION_VERBS, CLAUSES,
                                        NOUN_GENDER, _is_speech_verb, addressed_gender,
                                        clause_subject, tag_after)
from audiobook.attribution.turns import Quote, Turn, _Latest
from audiobook.cast import NARRATOR

def _fits(role: str | None, turn: Turn, names: NameIndex) -> bool:
    if not role or role in turn.ruled_out or names.contradicts(role, turn.noun):
        return False
    gender = names.genders.get(role)
    if turn.gender:
        return gender == turn.gender
    # A call is weaker than a tag: one the cast gives no gender may still answer `sir`.
    return not turn.called_gender or gender in (turn.called_gender, "neutral", None)


def _called_genders(run: list[Turn], names: NameIndex) -> None:
    """`"Can I help you, madam?"` `"No, thank you."`: the one called `sir` or `madam` answers
    right after, and who says `madam` answers a woman: a turn right after a call of one
    gender, with no narration between, is spoken by that gender."""
    for i, turn in enumerate(run):
        # The call in the turn's last quote: one before may have been answered in the turn.
        called = addressed_gender(run[i - 1].quotes[-1].segment.text) \
            if i and not turn.gap and not turn.continues else None
        # `"Can I have my dinner, mother?" he cried.` `"It begins at one."` `"...," replied
        # the mother.`: one of that gender tagged right after answers, the caller went on.
        after = run[i + 1] if i + 1 < len(run) and not run[i + 1].gap else None
        if after and after.strength == 3 and names.genders.get(after.speaker) == called:
            called = None
        turn.called_gender = called


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


def _answering(run: list[Turn], i: int, names: NameIndex) -> None:
    """`"...," said his brother` right after a turn: his is the one who just spoke, and
    whoever answers is someone else (`said the other` too); when that speaker is unknown,
    the `his` is still them, not the one their quote called by name."""
    if i == 0 or run[i].gap:
        return
    prev = run[i - 1].speaker
    called = run[i - 1].quotes[-1].addressed
    for quote in run[i].quotes:
        if not quote.tag_owner or quote.tag:
            continue
        if prev and quote.tag_owner in ("any", names.genders.get(prev)):
            quote.tag_not = prev
        elif not prev and quote.tag_not in called and \
                run[i - 1].gender in (None, quote.tag_owner):
            # `"Tom, am I late?" he cried. "No," said his host`: the `his` is the unknown
            # caller, not the one he called (the likeliest to answer).
            quote.tag_not = None


def _settle_by_beat(run: list[Turn], names: NameIndex, who) -> None:
    """Unsettled turns go to `who(beat, turn, names)`, read from the narration before them."""
    for turn in run:
        if not turn.speaker and not turn.continues and turn.beat:
            role = who(turn.beat, turn, names)
            if role and _fits(role, turn, names):
                _assign(turn, role, "paragraph_subject")
                turn.strength = 1


# Narration saying its subject keeps silent (`She did not reply.`, `Tom said nothing.`, `He
# did not contradict her.`), or that no answer came (`No answer.`, `A nod was the answer.`).
_SILENT = re.compile(r"\b(?:said nothing|(?:did not|didn't|could not|couldn't|would not|"
                     r"wouldn't) (?:\w+ly )?(?:reply|answer|speak|respond|contradict|object|"
                     r"protest)|(?:made|gave)? ?no (?:reply|answer|response)|"
                     r"(?:was|remained|kept) silent|was (?:the|his|her|their) (?:only )?"
                     r"(?:answer|reply))\b", re.IGNORECASE)

# What someone says or thinks: a silence after it is reported, not kept (`Tom said he
# would not object.`).
_SAYS_BEFORE = re.compile(r"\b(?:said|says|told|tells|thought|thinks|declared|promised|"
                          r"answered|replied|added|felt|knew)\b", re.IGNORECASE)


def _silent(sentence: str) -> bool:
    """Does the sentence say its subject keeps silent?"""
    silence = _SILENT.search(sentence)
    return bool(silence) and not _SAYS_BEFORE.search(sentence, 0, silence.start())


def _rule_out_silent(run: list[Turn], names: NameIndex) -> dict[int, str]:
    """`She did not reply.` just before a turn: she let her turn pass, so it is not hers.
    After `No answer.`, with no one as its subject, the one just called let it pass.
    `Lucy mumbled that ...`: she had her say in the narration, the turn after answers her.
    Returns, for each turn after a silence, the one who kept silent."""
    silent: dict[int, str] = {}
    for i, turn in enumerate(run):
        if turn.speaker or not turn.beat:
            continue
        last = _SENTENCE_END.split(turn.beat.strip())[-1]
        clause = CLAUSES.split(last)[-1]
        reported = _reports(clause)
        if reported or _silent(last):
            role = clause_subject(clause if reported else last, names, turn.recent,
                                  turn.ruled_out).role
            called = {r for q in run[i - 1].quotes for r in q.addressed} if i else set()
            if not role and len(called) == 1:
                role = called.pop()
            for quote in turn.quotes:
                quote.tag_not = quote.tag_not or role
            if role and not reported:
                silent[i] = role
    return silent


def _settle_conversation(run: list[Turn], names: NameIndex) -> None:
    """Fill unsettled turns from settled ones: vocatives, then alternation between anchors."""
    _called_genders(run, names)
    silent = _rule_out_silent(run, names)
    # `Then he heard her speak.` just before: she speaks, whoever was spoken to.
    _settle_by_beat(run, names, _beat_speaker)
    for i in range(1, len(run)):
        turn, prev = run[i], run[i - 1]
        _answering(run, i, names)
        if turn.speaker or turn.continues:
            continue
        # A quote never speaks to its own speaker (`"Yes," I said, "Jonathan Harker."`).
        # Nor does one who already answered, later in that paragraph, answer again.
        spoke = {q.role for q in prev.quotes} | {prev.speaker}
        spoken_to = sorted({r for q in prev.quotes for r in q.addressed if r not in spoke})
        if len(spoken_to) == 1 and _fits(spoken_to[0], turn, names) and \
                spoken_to[0] not in _tagged_beside(run, i) and \
                _beat_actor(turn, names) in (None, spoken_to[0]):
            _assign(turn, spoken_to[0], "vocative")
            turn.strength = 1
    before = _Latest(run[0].recent)  # named or speaking in the turns before turn i
    next_speaker = _next_speakers(run)
    for i, turn in enumerate(run):
        # `"No, papa."` in a talk between a father and a daughter: the daughter speaks.
        gender = None if turn.speaker or turn.continues else turn.addressed_gender
        if gender:
            pair = _two_participants([m.role for m in turn.mentions] + next_speaker[i], before)
            other = [r for r in pair if names.genders.get(r) not in (gender, "neutral")]
            if len(pair) == 2 and len(other) == 1 and _fits(other[0], turn, names) and any(
                    names.genders.get(r) == gender for r in pair) and \
                    other[0] not in _tagged_beside(run, i):
                _assign(turn, other[0], "vocative")
                turn.strength = 1
        before.add(m.role for m in turn.mentions)
        if turn.speaker:
            before.add([turn.speaker])
    # `He tilted me again.` then `"And you get me wittles."`: the one acting speaks.
    _settle_by_beat(run, names, _beat_subject)
    # `"Who is he?"` `She did not reply.` `"May I know his name?"`: the one who asked goes
    # on, no change of speaker, unless the one silent or the one before speaks the turn.
    keeps = {i for i, role in silent.items()
             if role not in (run[i].speaker, run[i - 1].speaker if i else None)}
    starts = list(accumulate((not t.continues and i not in keeps for i, t in enumerate(run)),
                             initial=0))
    # A speaker may go on after a narration paragraph: alternation holds across none.
    breaks = list(accumulate((bool(t.gap) for t in run), initial=0))
    _overrule_vocatives(run, starts, names)
    partners = _partners(run, names)
    anchors = list(partners)  # the settled turns, in order
    sides = _consistent_sides(run, anchors, starts, partners, names)
    for i, turn in enumerate(run):
        if turn.speaker:
            continue
        if turn.continues:
            if i > 0 and run[i - 1].speaker:
                _assign(turn, run[i - 1].speaker, "continuation")
            continue
        _answering(run, i, names)
        guesses = []
        k = bisect_left(anchors, i)  # turn i is no anchor: anchors[k] is the first after it
        left = anchors[k - 1] if k > 0 else None
        right = anchors[k] if k < len(anchors) else None
        # An anchor with no narration paragraph between first (after one, the speaker may
        # go on or change), then one not joining the talk, then the stronger (a tag naming
        # the speaker over a pronoun tag, and that over a guess from a vocative or the
        # narration: when they disagree, the weaker is the likelier wrong), then the
        # nearer, then the later one: a tag is written where the reader needs resetting,
        # so it reads back more safely.
        for side, anchor in enumerate((left, right)):
            if anchor is None:
                continue
            distance = abs(i - anchor)
            same = _hops(starts, anchor, i) % 2 == 0
            role = run[anchor].speaker if same else partners[anchor]
            # `"...," said Lucy. "You must have it," said Charlotte.`: the talk goes on
            # from the last voice of the paragraph, answered by the first.
            last = run[anchor].quotes[-1].role
            if side == 0 and last and last != run[anchor].speaker:
                role = last if same else run[anchor].speaker
            if role and _fits(role, turn, names):
                lo, hi = min(i, anchor), max(i, anchor)
                crosses = breaks[hi + 1] > breaks[lo + 1]
                # A voice joining the talk (not one of the two talking at the earlier
                # anchor, though it may have spoken before) answers the turn before it, no
                # earlier one: the turns before that are the two already talking.
                joins = side == 1 and distance > 1 and left is not None and \
                    partners[left] is not None and \
                    run[anchor].speaker not in (run[left].speaker, partners[left])
                guesses.append((crosses, joins, -run[anchor].strength, distance, -side, role))
        if i in sides:
            guesses = [g for g in guesses if -g[-2] == sides[i]] or guesses
        # `"Mary is braver than we are."`: no one speaks of themselves by name.
        named = set().union(*(q.named for q in turn.quotes))
        guesses = [g for g in guesses if g[-1] not in named] or guesses
        beside = _tagged_beside(run, i)
        guesses = [g for g in guesses if g[-1] not in beside] or guesses
        # `"..."` `"Yes, Mary, ..."`: a call by name answers the one who just spoke. Only a
        # narration paragraph between stops it (`Joe came in. "Hello, Joe."` inside the
        # next paragraph does not: requiring that too lost a development quote).
        after = run[i + 1] if i + 1 < len(run) else None
        if after and not after.gap and not after.continues and len(after.addressed) == 1:
            guesses = [g for g in guesses if g[-1] in after.addressed] or guesses
        if not guesses:
            guesses = _farther_guesses(run, i, anchors, k, starts, partners, names)
        if guesses:
            _assign(turn, min(guesses)[-1], "turn_taking")


def _beat_actor(turn: Turn, names: NameIndex) -> str | None:
    """Who acts in a narration paragraph of one sentence just before the turn (`Poirot
    smiled.`): a beat that close to the talk is about its next speaker, more surely than a
    call in the turn before it (`"..., Summerhaye?"`), which a third voice may answer.
    A longer narration moves the scene on, and its last subject tells less."""
    if not turn.gap or len(_SENTENCE_END.split(turn.beat.strip())) > 1:
        return None
    return _beat_subject(turn.beat, turn, names)


def _tagged_beside(run: list[Turn], i: int) -> set[str]:
    """Who a tag names in the turns right before and after turn i, with no narration
    between: a new paragraph of talk right after another is someone else's."""
    return {run[j].speaker for j in (i - 1, i + 1) if 0 <= j < len(run) and
            run[j].strength == 3 and not run[max(i, j)].gap and not run[max(i, j)].beat}


def _side_role(run: list[Turn], anchor: int, i: int, starts: list[int],
               partners: dict[int, str | None]) -> str | None:
    """Who speaks turn i if the talk alternates unbroken from the settled turn `anchor`."""
    return run[anchor].speaker if _hops(starts, anchor, i) % 2 == 0 else partners[anchor]


def _consistent_sides(run: list[Turn], anchors: list[int], starts: list[int],
                      partners: dict[int, str | None], names: NameIndex) -> dict[int, int]:
    """Between two settled turns, the alternation read from the earlier (side 0) holds up
    to where the talk breaks (a third voice, a speaker going on), the one read back from
    the later (side 1) after it. A turn that cannot be one reading's (it speaks to or rules
    out that reading's speaker) lies on the other side of the break, and so does every
    turn beyond it: those follow the other anchor, however near the first one is."""
    sides: dict[int, int] = {}
    for left, right in zip(anchors, anchors[1:]):
        between = [i for i in range(left + 1, right) if not run[i].continues]

        def breaks(anchor: int, i: int) -> bool:
            role = _side_role(run, anchor, i, starts, partners)
            return bool(role) and not _fits(role, run[i], names)

        not_left = [i for i in between if breaks(left, i)]
        not_right = [i for i in between if breaks(right, i)]
        if not_left and not_right and not_right[-1] > not_left[0]:
            continue  # the two readings contradict each other: no break fits both
        for i in between:
            if not_right and i <= not_right[-1]:
                sides[i] = 0
            elif not_left and i >= not_left[0]:
                sides[i] = 1
    return sides


def _overrule_vocatives(run: list[Turn], starts: list[int], names: NameIndex) -> None:
    """Between two tags naming two people, untagged turns that alternate exactly from one to
    the other are theirs: a call in passing to someone who has not spoken yet in the talk,
    from a turn whose own speaker is unknown, need not be answered by them (`"It is
    impossible here. Aziz! The red-nosed boy..."`), so its vocative guess gives way."""
    named = [i for i, t in enumerate(run) if t.strength == 3]
    for a, b in zip(named, named[1:]):
        one, other = run[a].speaker, run[b].speaker
        if one == other or _hops(starts, a, b) % 2 == 0:
            continue  # the tags do not alternate through the turns between
        for j in range(a + 1, b):
            turn, caller = run[j], run[j - 1]
            if turn.rule != "vocative" or caller.speaker and caller.rule != "vocative":
                continue
            role = one if _hops(starts, a, j) % 2 == 0 else other
            if turn.speaker != role and _fits(role, turn, names) and \
                    all(t.speaker != turn.speaker for t in run[:j]):
                turn.speaker, turn.rule, turn.strength = None, None, 0
                for quote in turn.quotes:
                    if quote.rule == "vocative":
                        quote.role = quote.rule = None


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
            guesses.append((-run[anchor].strength, abs(i - anchor), -side, role))
    return guesses


def _beat_subject(beat: str, turn: Turn, names: NameIndex) -> str | None:
    """The subject of the last sentence of the narration just before a turn. A `he` there
    is the latest man even if the turn rules him out (`He waved.` before `"Morning, Tom."`):
    the beat is about him, and hands the turn to no one."""
    last = _SENTENCE_END.split(beat.strip())[-1]
    if _silent(last):
        return None  # `She did not reply.`: she lets her turn pass
    # `he asserted; but she tossed her head`: the last clause's subject acts last.
    last = re.split(r";\s+", last)[-1]
    # `We followed him in, and he shut the door`: the subject joined last acts last.
    joined = re.split(r",\s*(?:and|but|then)(?:\s+|,\s*)", last)
    for clause in (joined[-1], last) if len(joined) > 1 else (last,):
        subject = clause_subject(clause, names, turn.recent, set())
        if subject.role == NARRATOR:
            return None  # `Holmes sat still, and I had said nothing`: I act last
        if subject.role:
            # `He had been out`: what was over before the moment of the turn; `She said
            # that ...`: she had her say.
            return None if _not_now(clause) else subject.role
    return None


# The subject at the head of a clause (with an apposition or a relative clause after it),
# up to the first lower-case word after it: where its verb begins.
_HEAD = re.compile(r"\W*(?:(?:[Tt]hen|[Aa]nd|[Bb]ut|[Ss]o|[Nn]ow)\s+)?(?:[A-Z][a-z]+ly,?\s+)?"
                   r"(?:[Hh]e|[Ss]he|(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Mm]y)\s+[a-z]+|"
                   rf"(?:[{UPPER}][\w'\u2019.-]*\s+)*?[{UPPER}][\w'\u2019.-]*)"
                   r"(?:,[^,]{1,60},)?\s+(?=[a-z])")
# `had driven`, `had not come`; not `had to go`, `had a letter` (a verb of its own).
_PAST_PERFECT = re.compile(r"(?:\w+ly\s+)?had\s+(?:(?:\w+ly|not|never|just|already|long)\s+)*"
                           r"(?!(?:to|no|a|an|the|his|her|their|my|its|some|any|nothing|"
                           r"something|much|little)\b)[a-z]+")
# A verb, perhaps whom it is said to (`told the young lady`), and what is said, in the
# narration's words.
_REPORTS = re.compile(r"(?:\w+ly\s+)?([a-z]+)(?:\s+(?:again|\w+ly))?(?:\s+(?:him|her|them|me|us|"
                      rf"[{UPPER}][\w.]+(?:\s+[{UPPER}]\w+)?|"
                      r"(?:the|his|her|their|my)\s+(?:[a-z]+\s+)?([a-z]+)))?"
                      r"\s+(?:that|whether|if|how|what|why)\b")
# A question asked, in the narration's words: `wanted damn well to know why` (not `wanted
# Mary to know how`, which is Mary's question).
_ASKS = re.compile(r"(?:\w+ly\s+)?(?:wanted|wished|desired|demanded|begged)"
                   r"(?:\s+(?:\w+ly|very\s+much|damn\s+well))?"
                   r"\s+to\s+know\s+(?:whether|if|how|what|why|who|where|when)\b")


# A mind or an ear denied: `did not quite catch`, `could scarcely recollect`, `did not think`:
# the subject took nothing in, so has nothing to say. Not `did not hesitate`, `did not wait
# for an answer`, `could not help smiling`, which they did.
_NEGATED = re.compile(r"(?:\w+ly\s+)?(?:(?:did|does|do|could|would|had|has)"
                      r"(?:\s+not|n't|\s+never|\s+scarcely|\s+hardly)|never|scarcely|hardly)"
                      r"(?:\s+(?:quite|at\s+once|even|\w+ly))?\s+(?:think|catch|hear|heard|"
                      r"understand|understood|know|notice|noticed|see|seen|recollect|remember|"
                      r"believe|follow|grasp|realize|realise|guess|thought|caught|known)\b")


def _not_now(clause: str) -> bool:
    """Is the clause no beat handing its subject the next turn? In the past perfect
    (`Major Callendar had driven away`) it tells what was over before the scene's moment;
    reporting what its subject said (`Lucy mumbled that ...`), it gave them their say;
    denied (`She did not quite catch.`), it tells what its subject did not do."""
    head = _HEAD.match(clause)
    return bool(head) and bool(_PAST_PERFECT.match(clause, head.end()) or
                               _NEGATED.match(clause, head.end())) or _reports(clause)


def _reports(clause: str) -> bool:
    """Does the clause report, in the narration's words, what its subject said?"""
    head = _HEAD.match(clause)
    if head and _ASKS.match(clause, head.end()):
        return True
    reports = head and _REPORTS.match(clause, head.end())
    # `told the young lady that`: said to a person; `answered the letter that morning` is no say.
    return bool(reports) and _is_speech_verb(reports.group(1)) and \
        reports.group(1) not in ACTION_VERBS and \
        (not reports.group(2) or reports.group(2) in NOUN_GENDER or reports.group(2) in _PEOPLE)


# A sentence ending on a speech verb and nothing it says: `Then one of them spoke.`
_SPOKE = re.compile(r"\b([A-Za-z]+)(?:\s+(?:\w+ly|again|aloud|at once|at last|first|up|out))*"
                    r"[\s.!:\u2014-]*$")


def _beat_speaker(beat: str, turn: Turn, names: NameIndex) -> str | None:
    """Who the narration just before a turn says is speaking, as its last words."""
    last = _SENTENCE_END.split(beat.strip())[-1]
    verb = _SPOKE.search(last)
    if not verb or not _is_speech_verb(verb.group(1)) or verb.group(1).lower() in ACTION_VERBS:
        return None
    role = tag_after(last, names, turn.recent, turn.ruled_out).role
    return role if role != NARRATOR else None


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


def _partners(run: list[Turn], names: NameIndex) -> dict[int, str | None]:
    """For each settled turn, who its speaker is talking with: the one its tag says is
    spoken to (`said he to Temple`) or the narration just before brings them to (`she met
    with Edmund`, and from then on), else a settled neighbour (not one only guessed, across
    a narration paragraph), else the one they last talked with, else the latest other
    person addressed, speaking or named up to that turn."""
    spoke = {t.speaker for t in run}
    seen = _Latest(run[0].recent)
    speakers = _Latest()  # the settled speakers before turn a
    talked_with: dict[str, str] = {}  # each speaker's other in the latest settled pair
    partners: dict[int, str | None] = {}
    for a, turn in enumerate(run):
        # Turns a - 2 and a - 1, both settled, different: who last talked with whom.
        if a >= 2 and run[a - 2].speaker and run[a - 1].speaker and \
                run[a - 2].speaker != run[a - 1].speaker:
            talked_with[run[a - 2].speaker] = run[a - 1].speaker
            talked_with[run[a - 1].speaker] = run[a - 2].speaker
        seen.add(m.role for m in turn.mentions)
        seen.add(sorted(turn.addressed))
        if not turn.speaker:
            continue
        seen.add([turn.speaker])
        other = turn.speaker
        # The turn before a narration paragraph, settled only by a guess (a vocative, the
        # narration's subject), may be another exchange: it says little about whom this one
        # talks with.
        neighbours = [run[j].speaker for j in (a - 1, a + 1) if 0 <= j < len(run) and
                      not (j < a and run[a].gap and run[j].strength < 2)]
        # `As soon as she met with Edmund she told him her distress.`: the narration before
        # the turn brings its speaker to someone, the one they talk with from then on,
        # more surely than a neighbour's speaker.
        lead = (turn.beat + " " + turn.quotes[0].before).strip()
        met = _met(_SENTENCE_END.split(lead)[-1], names) - {other}
        if len(met) == 1:
            role = talked_with[other] = met.pop()
            talked_with[role] = other
            neighbours = [role, *neighbours]
        # `"...," she said to Lucy`: the tag names whom she talks with, more surely than a
        # neighbour's speaker, who may be a third voice.
        told = set().union(*(q.told for q in turn.quotes)) - {other}
        if len(told) == 1:
            neighbours = [*told, *neighbours]
        # Else the one they last talked with, the other of the latest two settled turns in
        # a row they are one of: among three, a third voice putting in a word does not
        # take over the talk. Else the latest other speaker of the conversation: someone
        # only named in the narration (`our visitor`) is less likely to be the one talking.
        talked = talked_with.get(other)
        partners[a] = next((r for r in [*neighbours, talked] if r and r != other), None) or next(
            (r for r in speakers.newest_first() if r != other), None) or next(
            (r for r in seen.newest_first() if r != other and (r != NARRATOR or r in spoke)),
            None)
        speakers.add([other])
    return partners


# A verb that brings its subject to the person after it: `met with`, `turned to`, `joined`.
_MEETS = re.compile(r"\b(?:met|meets|meeting|joined|joins|found|finds|overtook|accosted|greeted|"
                    r"(?:turned|turns|turning|went|goes|came|comes|walked|ran|hurried|stepped)"
                    r"\s+(?:up\s+|back\s+|round\s+)?to|approached|approaches)"
                    r"(?:\s+with)?\s+$", re.IGNORECASE)


def _met(text: str, names: NameIndex) -> set[str]:
    """Those the narration says someone meets, joins or turns to (`she met with Edmund`,
    `John turned to me`: the narrator)."""
    people = [(m.role, m.start) for m in names.mentions(text)]
    people += [(NARRATOR, m.start()) for m in re.finditer(r"\bme\b", text)]
    return {role for role, start in people if _MEETS.search(text, max(0, start - 40), start)}


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

