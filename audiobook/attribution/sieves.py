"""The attribution sieves, in the order they run, and the entry points `attribute` and
`attribute_chapters`. Tags are found in `tags.py`, turns built in `turns.py`, and the
turn-taking sieves of pass 2 live in `conversation.py`.

Each quote is settled by the first rule that answers, and the rule's name is recorded on
the segment. A paragraph is one turn of a conversation: its quotes share a speaker unless
a quote carries its own tag.

  override          `[role]` markup before the quote (always wins)
  continuation      a quote carried over from the previous paragraph keeps its speaker
  tag               a speech tag beside the quote: `said Mary`, `Mary said`, `said she`,
                    `he replied`, `I said` (the narrator), `cried his wife`, `said his
                    mother` (the `Mrs.` of his surname) (`a girl's voice` is a woman, and
                    `she heard a voice say` not her), and a speech verb right before the
                    quote, even with no comma (`he called "Tom"`); in a new paragraph
                    right after someone spoke, `he said` is another man; `said dour Major
                    Callendar` is him, as `said the agonized Harriet` is her; a tag after
                    the quote naming no one nor a gender (`And she began the tale`) leaves
                    the one before it (`She said, "..."`); a tag's subject is in its verb's
                    own clause (`I was tired, so he called`);
                    `After a pause Sir Thomas added, "..."`: the name right before the verb,
                    or but for an aside in commas (`Lilia, getting angry, said`; not after a
                    preposition: `looking towards Tom, said`),
                    else the subject of the last main clause that has one (`Tom, who had
                    risen, shook him, and said`; `Tom's friend` heading it is not Tom);
                    `he` is the named subject of the sentence just before the quote, in its
                    paragraph or closing the one before (of its last clause with a subject);
                    a pronoun tag is not anyone the quote names (`"Jane is late," said she`);
                    a new sentence leading into the next quote tags that one (`"Yes." The
                    old man paused, then added: "..."`), and `added` after an untagged
                    quote opening a paragraph is not the last turn's speaker going on,
                    nor `She added` after narration naming another woman and not her
  paragraph_tag     another quote of the same paragraph carries a tag
  paragraph_subject the subject of the narration next to the quote (`Mary frowned. "..."`;
                    `Her husband rose.` is the husband of the woman the `her` means);
                    narration ending on someone speaking (`He heard her speak.`) is her;
                    after `, and` (or `, and,`), the subject joined last (`..., and he shut
                    the door.`), also in the quote's own paragraph (`Tom talked, and Mary
                    leaned over: "..."`); narration leading into the quote (`,` or `:`) is
                    said by its last clause's subject (`Tom strode on and I whispered:`),
                    one a closing `, who` follows (`gave it to Nibs, who said with a frown:`);
                    after a clause set first, its main subject (`When Tom came in, Huck rose.`),
                    or a phrase (`All friskiness and friendliness, Miss Derek sat inside.`);
                    right after someone spoke, a `she` there is another woman, and never the
                    one the quote's tag speaks to (`she said to Lucy`); a `he` meaning the
                    one spoken to (`He smiled at her. "Hello, Tom."`) gives no one, nor does a
                    paragraph before the turn meaning them; narration saying someone keeps
                    silent (`She did not reply.`) rules her out of the turn right after it,
                    and `No answer.` the one just called (and turn-taking counts no change
                    of speaker there: the other goes on);
                    a paragraph before the turn in the past perfect (`Jim had driven
                    away.`) tells what was over before, and one denying what its subject
                    did (`She did not quite catch.`) what did not happen: no beat for its
                    subject; one reporting what its subject said (`Tom explained that
                    ...`) gave them their say, and rules them out of the turn right after it
  single_mention    the only character named in the paragraph's narration, not one a tag
                    rules out (`Tom came up. "...," said his brother.`)
  vocative          the person addressed by name in the previous turn answers (not when
                    tags on both sides alternate through the turn, the caller is unknown
                    and the one called has not spoken yet; nor when the one called
                    answered already, or a tag names them in the paragraph beside, or a
                    narration paragraph of one sentence between shows another acting,
                    `Huck smiled.`: then no vocative; `paragraph_subject` gives Huck)
  turn_taking       conversations alternate: A, B, A, B (read both ways from known turns;
                    when they disagree, an anchor with no narration paragraph between
                    outweighs one across it; a voice joining the talk (not one of the
                    two talking at the earlier anchor) reads back only to the turn it
                    answers; then a named tag outweighs a pronoun tag,
                    and that a guess (vocative, narration subject), however near; a
                    turn one reading cannot fit, for it speaks to that reading's speaker,
                    hands it and every turn beyond it to the other reading; no reading
                    repeats the speaker a tag names in the paragraph beside; of two
                    readings, the one the next turn calls by name spoke (it is answered,
                    `"Your brother did, Joe."`); read forward
                    from a paragraph of two voices, the talk goes on from its last one;
                    a tag's `to Tom`, or narration just before bringing the speaker to
                    someone (`she met with Edmund`, `turned to me`, and from then on),
                    says whom its speaker talks with, else a speaker beside (not one
                    only guessed, across a narration paragraph), else the one they
                    last spoke with in a row of settled turns, not a third
                    voice that put in a word since; no reading gives a
                    turn to one its quotes name, `"Mary is braver."`);
                    a quote addressing its own paragraph's speaker is the other side's
  nearest_mention   the most recently mentioned character who is not being addressed and
                    did not speak the previous turn (unless narration closed that turn: a
                    beat lets its speaker go on) (low confidence)
  default           nothing settled it: the narrator speaks, and the quote is reported

Throughout, a turn right after one whose last quote calls `madam`, `sir`, `papa` is one of
that gender's (the one called answers; not when one of that gender is tagged in the turn
after it: then the caller went on), and a character addressed by name inside the quote
(`"Emily, wait"`) is never its speaker (a name alone answering a question, `"Who is it?"
"Emily."`, or in a list, `Emily, Jane, and Tom`, or in the possessive, `"Emily's."`,
addresses no one), and pronouns resolve by gender to the most recent fitting character
(named in the narration, speaking, or called by name in a quote); a sentence opening on
`She` names again the one it means, after the others it names (`She looked at Jane. "...,"
she said` is not Jane), across paragraphs and within the quote's own; a `he` opening a
clause is no one named later in it (`he was cross because Tom laughed`); in narration
paragraphs a `he` (or `she`) chain keeps its man through a sentence that names another
man only out of subject position while a `he` goes on in it (`It was simpler to tell Dr.
Lal that he had changed`), till a man is a clause's subject (also after `When` or `That
night`), talk or a new scene comes between, or three sentences pass without him; `his
mother`, `her husband` in narration name the one they mean, as a tag's do, by what the
cast shows of marriage (`Mr. Bennet`'s mother is not the `Mrs. Bennet` who is his wife,
unmarried Elizabeth's husband no Bennet; not `her mother`: she would take the owner's
`she`); a description in a tag is no one a title the book gives them contradicts (`said the girl` is no `Mrs.`,
`said her mother` no `Miss`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from audiobook.attribution.conversation import (_assign, _conversations, _fits, _other_side,
                                                _same_conversation, _settle_conversation)
from audiobook.attribution.names import UPPER, NameIndex
from audiobook.attribution.tags import (_CLAUSE_END, _SENTENCE_END, _action_tag, _Subject,
                                        clause_subject, last_clause_subject, tag_after,
                                        tag_before)
from audiobook.attribution.turns import SHORT_TAG, Quote, Turn, _Latest, _salient, _turns
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


# --- pass 1: what the paragraph itself says ------------------------------------------------


# Tags that say the speaker goes on, whoever spoke last (`"And then," he went on`).
_GOES_ON = re.compile(r"\b(?:continued|continues|went on|goes on|added|adds|resumed|pursued)\b",
                      re.IGNORECASE)


_SPOKEN_TO = re.compile(r"\b(?:to|addressing)\s+$", re.IGNORECASE)


def _tag_rule(quote: Quote, names: NameIndex, recent: list[str], last: str | None = None,
              going_on: str | None = None) -> None:
    """`last`: who spoke the turn right before this new paragraph, if anyone. A new paragraph
    is a new speaker, so `he said` there means the other man, unless the paragraph's own
    narration names `last` first or the tag says he goes on. `going_on`: who spoke the quote
    before this one, even across a little narration (not past the end of the conversation):
    `he went on`, `continued the old man` is him."""
    # `"Elinor will be settled," said she`: one spoken of in the quote is not who says it.
    exclude = quote.addressed | quote.named
    tag_clauses = _CLAUSE_END.split(quote.after, 1)[0] + " " + quote.before[-40:]
    goes_on = _GOES_ON.search(tag_clauses)
    # `said he to Temple`, `she said to Lucy`, `said he, addressing the old man`: the one
    # spoken to is not the speaker.
    spoken_to = {m.role for m in names.mentions(tag_clauses)
                 if _SPOKEN_TO.search(tag_clauses, 0, m.start)}
    exclude.update(spoken_to)
    quote.told = spoken_to
    if last and last not in quote.prior and not goes_on:
        exclude.add(last)
    subject = _Subject()
    # `"Yes." He turned away.` is a new sentence, not a tag: `"Yes," he said.` is one.
    new_sentence = quote.segment.text[-1:] in ".!?" and re.match(r"(?:He|She|They|It)\b", quote.after)
    # `"Yes." The old man paused, then added: "..."`: a new sentence leading into the next
    # quote is that quote's tag.
    new_sentence = new_sentence or quote.segment.text[-1:] in ".!?" and \
        re.match(f"[{UPPER}]", quote.after) and quote.after.rstrip()[-1:] == ":"
    if quote.interrupted:
        # The tag between the halves speaks for both, whatever follows the second, unless
        # a new sentence there tags the second half itself (`said she. He added,`).
        sentences = _SENTENCE_END.split(quote.before.strip())
        if len(sentences) > 1:
            subject = tag_before(sentences[-1], names, recent, exclude)
        if not subject.found:
            subject = tag_after(quote.before, names, recent, exclude)
    if quote.after and not new_sentence and not subject.found:
        subject = tag_after(quote.after, names, recent, exclude)
        if subject.found and quote.segment.text[-1:] == "." and _action_tag(quote.after):
            subject = _Subject()  # `"Yes." Tommy chuckled.`: an action, not a tag
    if quote.before and not (subject.role or subject.gender or subject.not_role):
        # `She said, "..." And she began the tale`: a tag after that names no one, nor
        # a gender, does not hide the tag leading into the quote.
        before = tag_before(quote.before, names, recent, exclude)
        if before.found or not subject.found:
            subject = before
    # `Mrs. Lal smiled. She added, "..."`: narration since that names another of that
    # gender, and not the one who spoke, is about whom the `she` means.
    named_since = subject.role in quote.prior and going_on not in quote.prior
    if goes_on and going_on and (subject.pronoun or subject.found and not subject.role) and \
            subject.gender in (None, names.genders.get(going_on)) and not named_since and \
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
        quote.tag_owner = subject.owner
        quote.tag_noun = subject.noun



def _actor(quote: Quote, turn: Turn, names: NameIndex) -> list[str]:
    """`Then he turned to his brother. "...," he said`: the named subject of the sentence
    just before a quote is who `he` is, not the person it last mentioned."""
    before = quote.before.strip()
    if not before and quote is turn.quotes[0] and turn.beat:
        before = turn.beat.strip()  # `Then Tom turned to Huck.` closing the paragraph before
    elif before[-1:] not in (".", "!", "?"):
        return []  # no narration before, or it is the tag itself (`Tom said,`)
    last = _SENTENCE_END.split(before)[-1]
    subject = last_clause_subject(last, names, turn.recent + quote.topics, set())
    return [subject.role] if subject.role and subject.role != NARRATOR else []


# A clause joined, with or without a comma, opening on its own subject (`and I took`).
_LEAD_JOINED = re.compile(rf"(?:,\s*|\s+)(?:and|but|while|whilst)\s+(?=[{UPPER}]|he\b|she\b)")
_WHO = re.compile(r",\s*who\s+[^,]*$")  # `..., Nibs, who waved her away with the remark:`


def _lead_in_subject(sentence: str, names: NameIndex, recent: list[str], exclude: set[str]
                     ) -> _Subject | None:
    """Narration leading into the quote (ending on `,` or `:`) is said by the subject of its
    last clause: the one a closing `, who` clause follows (`she gave it to Nibs, who waved
    her away with the remark:`), or the subject joined last, with or without a comma
    (`John strode on ahead and I whispered to Poirot:`, `whilst Cynthia hoped,`)."""
    who = _WHO.search(sentence)
    if who:
        before = names.mentions(sentence[:who.start()])
        if before and before[-1].end == who.start() and before[-1].role not in exclude:
            return _Subject(before[-1].role, found=True)
    parts = _LEAD_JOINED.split(sentence)
    if len(parts) > 1:
        subject = clause_subject(parts[-1], names, recent, exclude)
        if subject.found:
            return subject
    return None


def _paragraph_subject(turn: Turn, quote: Quote, names: NameIndex,
                       exclude: set[str], last: str | None = None) -> str | None:
    """The subject of the sentence before the quote, or of the first sentence after it, if
    it may speak (`exclude`: the turn's ruled-out roles, worked out once for all its quotes;
    a pronoun meaning one of them is about them, and gives no one). `last`:
    who spoke the turn just before; a new paragraph is a new speaker, so a `she` here is
    another woman, unless the paragraph names `last` first."""
    recent = turn.recent + quote.topics
    exclude = exclude | quote.told
    if last and last not in quote.prior:
        recent = [r for r in recent if r != last]
    if quote.before:
        for k, sentence in enumerate(reversed(_SENTENCE_END.split(quote.before.strip())[-3:])):
            # Right before the quote, the clause joined last; further back, the sentence's.
            # A `he` is the latest man, even one ruled out: then the narration is about him
            # (`He smiled at her. "Hello, Tom."`), not about a man further back.
            subject = (clause_subject if k else last_clause_subject)(sentence, names, recent, set())
            if not k and quote.before.rstrip()[-1:] in ",:":
                subject = _lead_in_subject(sentence, names, recent, exclude) or subject
            if subject.role and subject.role not in exclude:
                return subject.role
            if subject.found:
                break
    if quote.after and not quote.before:
        first = _SENTENCE_END.split(quote.after.strip())[0]
        subject = clause_subject(first, names, recent, set())
        if subject.role and subject.role not in exclude:
            return subject.role
    return None


def _settle_paragraph(turn: Turn, names: NameIndex, last: str | None = None,
                      previous: str | None = None) -> None:
    """Pass 1: the rules that need only this paragraph (and the people seen before it);
    `last`: the speaker of the turn just before, with no narration between; `previous`:
    that speaker even across narration."""
    topics = _Latest()
    for quote in turn.quotes:
        # Whom the paragraph's `She` means, named again after the sentence it opens: `She
        # forgot Adela. "...," she said` is not Adela (`_salient`, as across paragraphs).
        for text in quote.lead:
            topics.add(_salient(text, names.mentions(text), names,
                                turn.recent + topics.oldest_first()))
        quote.topics = topics.oldest_first()
    for i, quote in enumerate(turn.quotes):
        first_half = turn.quotes[i - 1] if i else None
        if quote.interrupted and first_half and first_half.tag and \
                first_half.after == quote.before and first_half.tag not in quote.addressed and \
                re.search("[A-Za-z]", quote.before) and \
                len(_SENTENCE_END.split(quote.before.strip())) == 1:
            # `"...," said he to Temple, "..."`: one tag between the halves, read once.
            quote.tag, quote.tag_pronoun = first_half.tag, first_half.tag_pronoun
        else:
            _tag_rule(quote, names, turn.recent + quote.topics + _actor(quote, turn, names),
                      None if quote.segment.continues_quote else last, previous)
        # A new paragraph opening on an untagged quote is a new speaker, unknown so far:
        # `added` after it is not the one who spoke the turn before going on.
        previous = quote.tag or (previous if i or quote.segment.continues_quote else None)
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
    exclude = turn.ruled_out  # `said his brother`: not the brother's owner
    untagged = [q for q in turn.quotes if not q.role]
    gender = turn.gender
    role = None
    ruled_out = turn.ruled_out
    for quote in untagged:
        role = _paragraph_subject(turn, quote, names, ruled_out,
                                  None if quote.segment.continues_quote else last)
        if role:
            break
    if role and (not gender or names.genders.get(role) == gender) and \
            not names.contradicts(role, turn.noun):
        _fill(untagged, role, "paragraph_subject")
    else:
        named = list(dict.fromkeys(m.role for m in turn.mentions if m.role not in exclude))
        if len(named) == 1 and (not gender or names.genders.get(named[0]) == gender) and \
                not names.contradicts(named[0], turn.noun):
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
        # A tag naming the speaker, a pronoun tag, then a guess from the narration.
        turn.strength = 3 if first.rule == "override" or named else \
            2 if first.rule in ("tag", "paragraph_tag") else 1



# --- pass 3, after the conversations (conversation.py): the nearest mention ----------


def _nearest(turn: Turn, previous: Turn | None, names: NameIndex) -> str | None:
    exclude = set(turn.addressed)
    # Right after a turn its speaker does not speak again; after a beat they may go on.
    if previous and previous.speaker and turn.gap == 0 and not turn.beat:
        exclude.add(previous.speaker)
    candidates = turn.recent + [m.role for m in turn.mentions]
    for role in reversed(candidates):
        if role not in exclude and role != NARRATOR and _fits(role, turn, names):
            return role
    return None



# --- driver ------------------------------------------------------------------------------


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
        # `"Mrs. Moore, I am afraid..."`: one called by name is there, whom a `she` may mean.
        recent.extend(sorted(turn.addressed - {turn.speaker}))
        if turn.speaker:
            recent.append(turn.speaker)
        recent.extend(turn.trailing)
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
