"""Text made for speech: sentence splitting, numbers, pauses, pronunciations. Pure."""

import pytest

from audiobook.cast import parse_cast
from audiobook.errors import CastError
from audiobook.plan import plan_book
from audiobook.script import parse
from audiobook.text import (
    Pronunciation,
    Respeller,
    heading_words,
    normalize_for_speech,
    number_words,
    ordinal_words,
    respeller,
    split_sentences,
    year_words,
)


@pytest.mark.parametrize("text, expected", [
    ("Mr. Smith met Mrs. Jones. They talked.", ["Mr. Smith met Mrs. Jones.", "They talked."]),
    ("Dr. Okafor lives on St. Mary Street. Ms. Lee does too.",
     ["Dr. Okafor lives on St. Mary Street.", "Ms. Lee does too."]),
    ("J. R. R. Tolkien wrote it. Then he slept.", ["J. R. R. Tolkien wrote it.", "Then he slept."]),
    ("The U.S. Army came. Pi is 3.14. It rose 2.5 points.",
     ["The U.S. Army came.", "Pi is 3.14.", "It rose 2.5 points."]),
    ("See No. 5 first. He said no. Then he left.",
     ["See No. 5 first.", "He said no.", "Then he left."]),
    ("Wait! Really? Yes... Fine.", ["Wait!", "Really?", "Yes...", "Fine."]),
])
def test_sentences_are_not_fooled_by_titles_initials_or_decimals(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize("n, words", [
    (0, "zero"), (7, "seven"), (13, "thirteen"), (42, "forty-two"), (100, "one hundred"),
    (105, "one hundred and five"), (1000, "one thousand"),
    (1250, "one thousand two hundred and fifty"), (2000005, "two million and five"),
])
def test_number_words(n, words):
    assert number_words(n) == words


@pytest.mark.parametrize("n, words", [
    (1, "first"), (2, "second"), (3, "third"), (5, "fifth"), (12, "twelfth"), (20, "twentieth"),
    (21, "twenty-first"), (103, "one hundred and third"),
])
def test_ordinal_words(n, words):
    assert ordinal_words(n) == words


@pytest.mark.parametrize("n, words", [
    (1999, "nineteen ninety-nine"), (1905, "nineteen oh five"), (1900, "nineteen hundred"),
    (2000, "two thousand"), (2008, "two thousand and eight"), (2010, "twenty ten"),
    (2023, "twenty twenty-three"), (1066, "ten sixty-six"),
])
def test_year_words(n, words):
    assert year_words(n) == words


@pytest.mark.parametrize("text, spoken", [
    ("In 1999 she was 21.", "In nineteen ninety-nine she was twenty-one."),
    ("the 3rd of May, 2023", "the third of May, twenty twenty-three"),
    ("It cost $3.50.", "It cost three dollars and fifty cents."),
    ("It cost $1, then $0.99.", "It cost one dollar, then ninety-nine cents."),
    ("£1,250 and €20", "one thousand two hundred and fifty pounds and twenty euros"),
    ("a $1.5 million deal", "a one point five million dollars deal"),
    ("12% of 3.14", "twelve percent of three point one four"),
    ("the 1990s", "the nineteen nineties"),
    ("at 10:05 or 9:00", "at ten oh five or nine o'clock"),
    ("pages 10-12", "pages ten to twelve"),
    ("1,000,000 stars", "one million stars"),
    ("Call 555-1234 now", "Call five five five, one two three four now"),
    ("(555) 234-5678 or 555-234-5678",
     "five five five, two three four, five six seven eight or "
     "five five five, two three four, five six seven eight"),
    ("pages 100-1000", "pages one hundred to one thousand"),
    ("in 1066 and 1,066 men", "in ten sixty-six and one thousand and sixty-six men"),
    ("between 500-1000 men, rooms 201-1200", "between five hundred to one thousand men, "
     "rooms two hundred and one to twelve hundred"),
    ("in 1000 ways, in 1050 ships, by 1066 votes",
     "in one thousand ways, in one thousand and fifty ships, "
     "by one thousand and sixty-six votes"),
    ("in 1914-1918", "in nineteen fourteen to nineteen eighteen"),
])
def test_numbers_read_naturally(text, spoken):
    assert normalize_for_speech(text) == spoken


@pytest.mark.parametrize("text, spoken", [
    ("something else\u2014perhaps pain\u2014flickering", "something else, perhaps pain, flickering"),
    ("Wait -- what", "Wait, what"),
    ("Well\u2026 maybe. Or... not", "Well, maybe. Or, not"),
    ("I was going to\u2014", "I was going to."),
    ("...and then", "and then"),
    ("Fine, \u2014 really", "Fine, really"),
])
def test_dashes_and_ellipses_become_short_pauses(text, spoken):
    assert normalize_for_speech(text) == spoken


@pytest.mark.parametrize("text, spoken", [
    # The Sport of the Gods prints 456 of these apart; espeak said `did ent`, `it es`.
    ("I did n't think it of him.", "I didn't think it of him."),
    ("It 's a shame that Joe has n't come; we 've waited, I 'll go, you 're late, I 'd "
     "say, I 'm sure.",
     "It's a shame that Joe hasn't come; we've waited, I'll go, you're late, I'd say, "
     "I'm sure."),
    ("Ca n\u2019t and wo n\u2019t, IT 'S", "Can\u2019t and won\u2019t, IT'S"),
    ("Tell 'em, 'tis so", "Tell 'em, 'tis so"),
    ("spelled with an 's' and a 'd'", "spelled with an 's' and a 'd'"),
    ("'s truth", "'s truth"),
    # A nested quote's stutter is no contraction.
    ("He said 'D-don't' and 'M-mother', then 'S... stop'.",
     "He said 'D-don't' and 'M-mother', then 'S, stop'."),
    # Before dashes and ellipses, as The Sport of the Gods prints them.
    ("think--it 's--it 's--Frank. He did n't----", "think, it's, it's, Frank. He didn't."),
])
def test_contractions_printed_apart_are_joined(text, spoken):
    assert normalize_for_speech(text) == spoken


@pytest.mark.parametrize("text, spoken", [
    # espeak-ng said "rev", "col", "capt", "gen", "prof", "hon", "L T", "J R".
    ("The Rev. Mr. Collins met Col. Brandon and Capt. Wentworth.",
     "The Reverend Mr. Collins met Colonel Brandon and Captain Wentworth."),
    ("Gen. Tilney, Prof. Moriarty, the Hon. John Yates, Lt. Price, Sgt. Troy, Maj. Dobbin, "
     "Gov. Bradford and Adm. Croft",
     "General Tilney, Professor Moriarty, the Honourable John Yates, Lieutenant Price, "
     "Sergeant Troy, Major Dobbin, Governor Bradford and Admiral Croft"),
    ("John Smith, Jr., came with Sir Thomas Sr.", "John Smith, Junior, came with Sir Thomas Senior."),
    ("The Hon. Secretary and the Hon. Treasurer rose.",
     "The Honorary Secretary and the Honorary Treasurer rose."),
    # Not before a capitalised name, or not capitalised: as written.
    ("the rev. gentleman, to rev. it up, Gen. 3 and Sr. Lopez",
     "the rev. gentleman, to rev. it up, Gen. three and Sr. Lopez"),
    # A king's numeral after a king's name; `I` is the pronoun, `World War II` a number.
    ("Henry VIII and George III's son met Louis XIV, John XXIII and Edward VI\u2019s heir.",
     "Henry the eighth and George the third's son met Louis the fourteenth, John the "
     "twenty-third and Edward the sixth\u2019s heir."),
    ("I told James I would. World War II, Part II, Malcolm X, Henry V, HENRY VIII, Henry MIX",
     "I told James I would. World War II, Part II, Malcolm X, Henry V, HENRY VIII, Henry MIX"),
])
def test_titles_and_kings_numerals_are_said_as_words(text, spoken):
    assert normalize_for_speech(text) == spoken


def test_a_capitalised_title_ends_no_sentence_before_a_name():
    assert split_sentences("He met the Hon. John Yates. Come here, hon. Now.") == [
        "He met the Hon. John Yates.", "Come here, hon.", "Now."]


# --- pronunciations --------------------------------------------------------------------

ENTRIES = (
    Pronunciation("facade", "fassahd"),
    Pronunciation("Reading", "Redding", match_case=True),
    Pronunciation("New York", "Noo Yawk"),
    Pronunciation("New York City", "the Big Apple"),
    Pronunciation("St.", "Saint"),
)


@pytest.mark.parametrize("text, spoken", [
    ("his facade, his Facade, his FACADE", "his fassahd, his fassahd, his fassahd"),
    ("facades and refacade stay", "facades and refacade stay"),  # whole words only
    ("Reading is in Berkshire; reading is fun", "Redding is in Berkshire; reading is fun"),
    ("New York City, New\nYork, new york", "the Big Apple, Noo Yawk, Noo Yawk"),  # longest first
    ("St. Paul and St.Ives", "Saint Paul and St.Ives"),
])
def test_pronunciations_whole_words_with_case_rules(text, spoken):
    assert Respeller(ENTRIES)(text) == spoken


def test_pronunciations_apply_in_one_pass():
    # A second pass would swap back: one regex over the text replaces each word once.
    swap = Respeller([Pronunciation("tomato", "potato"), Pronunciation("potato", "tomato")])
    assert swap("tomato potato") == "potato tomato"


def _cast_with(entries: str):
    return parse_cast("roles:\n  narrator: {voice: gmw/en-us}\n"
                      f"pronunciations:\n{entries}", "v.yaml")


def test_pronunciations_section_in_voices_yaml():
    cast = _cast_with("  facade: fassahd\n  Reading: {say: Redding, match_case: true}\n")
    assert cast.pronunciations == (Pronunciation("facade", "fassahd"),
                                   Pronunciation("Reading", "Redding", True))


@pytest.mark.parametrize("entries, message", [
    ("  facade: ''\n", "v.yaml:4: pronunciations.facade: '' must be a non-empty string"),
    ("  Facade: x\n  facade: y\n", "v.yaml:5: pronunciations.facade: same word as line 4 "
                                   "(entries match any case unless `match_case: true`)"),
    ("  Reading: {match_case: true}\n", "v.yaml:4: pronunciations.Reading: needs `say:` "
                                         "(the respelling)"),
    ("  Reading: {say: R, match_case: maybe}\n",
     "v.yaml:4: pronunciations.Reading.match_case: 'maybe' must be true or false"),
])
def test_bad_pronunciations_are_named_with_their_line(entries, message):
    with pytest.raises(CastError) as error:
        _cast_with(entries)
    assert str(error.value) == message


def test_planning_respells_and_normalises_once_per_cast_and_keys_change():
    book = parse("# B\n\n## One\n\nHis facade cost $5.\n\n## Two\n\nThe facade fell in 1999.\n")
    plain = parse_cast("roles:\n  narrator: {}\n")
    fixed = _cast_with("  facade: fassahd\n")
    respeller.cache_clear()
    plans = plan_book(book, fixed, "fake/1")
    assert respeller.cache_info().misses == 1  # one compiled regex for the whole book
    said = [u.text for p in plans for u in p.utterances]
    assert said == ["One", "His fassahd cost five dollars.", "Two",
                    "The fassahd fell in nineteen ninety-nine."]
    before = [u.key for p in plan_book(book, plain, "fake/1") for u in p.utterances]
    after = [u.key for p in plans for u in p.utterances]
    # Titles are unchanged; every respelled sentence gets a new cache key.
    assert [b == a for b, a in zip(before, after)] == [True, False, True, False]


def test_roman_numerals_of_chapter_headings_are_said_as_numbers():
    # espeak says `CHAPTER II` as "chapter roman two" and `CHAPTER I` as "chapter eye".
    book = parse("MANSFIELD PARK\n\nCHAPTER I\n\nOne.\n\nCHAPTER IX.\nTHE END\n\nTwo.\n\n"
                 "XIV\n\nThree.\n\nChapter 4\n\nFour.\n", markdown=False)
    plans = plan_book(book, parse_cast("roles:\n  narrator: {}\n"), "fake/1")
    assert [p.title for p in plans] == ["CHAPTER I", "CHAPTER IX: THE END", "XIV", "Chapter 4"]
    assert [p.segments[0].utterances[0].text for p in plans] == [
        "CHAPTER one", "CHAPTER nine: THE END", "fourteen", "Chapter four"]
    assert plans[0].segments[0].text == "CHAPTER I"  # captions and manifest keep the title


@pytest.mark.parametrize(("title", "said"), [
    ("BOOK I. CHAPTER IV.", "BOOK one. CHAPTER four."),
    ("VOLUME II CHAPTER IV", "VOLUME two CHAPTER four"),
    ("CHAPTER IV\u2014THE END", "CHAPTER four\u2014THE END"),
    ("CHAPTER IV, THE END", "CHAPTER four, THE END"),
])
def test_every_heading_numeral_in_a_title_is_said(title, said):
    assert heading_words(title) == said


@pytest.mark.parametrize("title", ["I Go to Styles", "MIX", "CIVIL WAR", "Chapter Ivan",
                                   "The Coffee Shop", "The Letter I Never Sent",
                                   "In which Book I is read", "Chapter X-Ray"])
def test_words_that_look_roman_in_a_title_stay_words(title):
    assert heading_words(title) == title


def test_a_part_heading_is_said_before_its_first_chapters_title():
    # A Passage to India: `PART I: MOSQUE` had no text of its own and was dropped unheard.
    book = parse("A PASSAGE TO INDIA\n\nPART I: MOSQUE\n\nCHAPTER I\n\nOne.\n\nCHAPTER II\n\n"
                 "Two.\n\nPART II: CAVES\n\nXII\n\nThree.\n", markdown=False)
    plans = plan_book(book, parse_cast("roles:\n  narrator: {}\n"), "fake/1")
    assert [p.title for p in plans] == ["PART I: MOSQUE. CHAPTER I", "CHAPTER II",
                                        "PART II: CAVES. XII"]
    assert [[u.text for u in p.segments[0].utterances] for p in plans] == [
        ["PART one: MOSQUE.", "CHAPTER one"], ["CHAPTER two"], ["PART two: CAVES. twelve"]]
    assert book.warnings == ()
