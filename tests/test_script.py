"""The script parser: structure, quote forms, plain-text books."""

import pytest

from audiobook.script import DASH, DIALOGUE, NARRATION, SINGLE, parse, quote_style


def pieces(book):
    """(kind, text) of every segment in reading order."""
    return [(s.kind, s.text) for s in book.segments()]


def quotes(book):
    return [s.text for s in book.segments() if s.kind == DIALOGUE]


def narration(book):
    return [s.text for s in book.segments() if s.kind == NARRATION]


# --- Markdown structure ------------------------------------------------------------------


def test_markdown_title_chapters_scenes_and_paragraphs_with_lines():
    book = parse("# Book\n\n## One\n\nFirst para\nwrapped here.\n\n* * *\n\nSecond.\n\n"
                 "***\n\nThird.\n\n## Two\n\nFourth.\n")
    assert book.title == "Book"
    assert [c.title for c in book.chapters] == ["One", "Two"]
    one = book.chapters[0]
    assert [[p.text for p in s.paragraphs] for s in one.scenes] == [
        ["First para wrapped here."], ["Second."], ["Third."]]
    assert [p.line for s in one.scenes for p in s.paragraphs] == [5, 10, 14]
    assert one.line == 3


def test_comments_vanish_and_keep_line_numbers():
    book = parse("# B\n\n<!-- a\nlong comment -->\n\nText here.\n")
    assert pieces(book) == [(NARRATION, "Text here.")]
    assert next(book.segments()).line == 6


def test_override_before_an_opening_quote_forces_the_speaker():
    book = parse('# B\n\n[emily] "Hello," said Alex.\n')
    first = next(s for s in book.segments() if s.kind == DIALOGUE)
    assert (first.text, first.override) == ("Hello,", "emily")
    assert "[emily]" not in " ".join(s.text for s in book.segments())


@pytest.mark.parametrize("text", ['[emily]"Hello," said Alex.',
                                  "[emily]\u201cHello,\u201d said Alex."])
def test_override_touching_the_opening_quote_forces_the_speaker(text):
    # Without a space the quote was no quote: `[emily]"Hello,"` was narration, read aloud.
    book = parse(f"# B\n\n{text}\n")
    assert [(s.kind, s.text, s.override) for s in book.segments()] == [
        (DIALOGUE, "Hello,", "emily"), (NARRATION, "said Alex.", None)]


# --- quote forms ---------------------------------------------------------------------------


def test_straight_and_curly_double_quotes():
    book = parse('# B\n\n"Straight," he said. \u201cCurly,\u201d she said.\n')
    assert pieces(book) == [(DIALOGUE, "Straight,"), (NARRATION, "he said."),
                            (DIALOGUE, "Curly,"), (NARRATION, "she said.")]


def test_tag_interrupting_a_quote_gives_two_quotes_around_narration():
    book = parse('# B\n\n"I know," he said, "but not yet."\n')
    assert pieces(book) == [(DIALOGUE, "I know,"), (NARRATION, "he said,"),
                            (DIALOGUE, "but not yet.")]


def test_nested_single_quotes_stay_inside_the_double_quote():
    book = parse("# B\n\n\"He said 'never' to me,\" she said.\n")
    assert quotes(book) == ["He said 'never' to me,"]


def test_apostrophes_are_not_quotes_in_a_single_quoted_book():
    text = ("# B\n\n'Tell 'em it's five o'clock,' said Tom.\n\n"
            "'The boys' room is upstairs,' said Ann.\n\n'Goin' home,' he said.\n")
    book = parse(text)
    assert quote_style(text) == SINGLE
    assert quotes(book) == ["Tell 'em it's five o'clock,", "The boys' room is upstairs,",
                            "Goin' home,"]


def test_a_quoted_word_before_a_lowercase_word_closes_when_nothing_else_can():
    # `goin' home` is an apostrophe, but a quote opening inside a quote, or a paragraph's
    # end after a quote a word led into, shows that `'the house' was` closed.
    text = ("# B\n\n'Hello,' said Ann.\n\n"
            "The 'walk in' was uttered, and meant, 'Go to the Deuce:' even the gate said it.\n\n"
            "'Wuthering' being a provincial word.\n\n"
            "They call it here 'the house' pre-eminently.\n\n"
            "'I was goin' home,' he said.\n\n'Well, I was goin' home\n\n'And then,' said Tom.\n")
    book = parse(text)
    assert quotes(book) == ["Hello,", "walk in", "Go to the Deuce:", "Wuthering",
                            "I was goin' home,", "Well, I was goin' home", "And then,"]
    # `'the house'` closed, and is words the sentence quotes: the narrator reads them.
    assert "They call it here 'the house' pre-eminently." in narration(book)
    assert book.warnings == ()



# Shapes from The Sport of the Gods, A Passage to India, Mansfield Park, Styles, Where Angels
# Fear to Tread and LitBank: words a narration sentence quotes, read by the narrator.
@pytest.mark.parametrize("text", [
    'Mrs. Oakley was very gracious to her, and called her "child" in a pretty, patronising way.',
    'It was furnished with things handed down from "the house" from time to time.',
    "It was a messenger from the \u201cHouse,\u201d as they still called Oakley\u2019s home.",
    'In her ignorance, she regarded him as "India," and never surmised it.',
    'I looked with some curiosity at "Alfred darling". He struck a rather alien note.',
    'Cynthia had to retail this message to the dreaded "Sister".',
    'A "man of method" was, in Poirot\'s estimation, the highest praise.',
    'It bore the inscription "Mudkul State" across its bonnet.',
])
def test_words_a_narration_sentence_quotes_are_narration(text):
    book = parse(f"# B\n\n{text}\n")
    assert pieces(book) == [(NARRATION, text)]  # one sentence, its quote marks kept


@pytest.mark.parametrize("text, line", [
    ('He said "yes" and went out.', "yes"),  # after a speech verb
    ('The schoolboy murmured the word "Diarrhoea," but took courage.', "Diarrhoea,"),
    ('He was at her feet, murmuring "It was not I," striving to explain.', "It was not I,"),
    ('There was a cry of "Fire!" and all ran out.', "Fire!"),  # a sentence of its own
    ("Hattie's laugh and \"Thank you, fellows,\" followed her out.", "Thank you, fellows,"),
    ('The servant returned an indifferent "No." Aziz was in despair.', "No."),
    ('The young man uttered a rapid "I know."', "I know."),  # nothing after it
    ('THE READER "Wake up there," said a rough voice.', "Wake up there,"),  # a speech verb after
    ('He turned "Come in," she said.', "Come in,"),
    ("He wrote \"Of course there are exceptions, but not many\" in the book.",
     "Of course there are exceptions, but not many"),
    ('Then she said: "bring it" and left.', "bring it"),  # a colon opens speech
    # A tag after it whose subject is a phrase, and verbs with whom they speak to.
    ('She hesitated and then "Go away," the old man said.', "Go away,"),
    ('He looked up and "Yes," her mother said.', "Yes,"),
    ('There was a pause and "Come in," a voice called.', "Come in,"),
    ('After a while "Very well," the Colonel answered.', "Very well,"),
    ('She sobbed "Mother" and fell.', "Mother"),
    ('She shouted at them "get out" and they ran.', "get out"),
    ('He whispered to Mary "go on" and she went.', "go on"),
])
def test_quotes_someone_says_stay_dialogue(text, line):
    assert quotes(parse(f"# B\n\n{text}\n")) == [line]


def test_a_quoted_word_and_a_line_in_one_paragraph():
    book = parse('# B\n\nShe called it "the house," and then she said, "Come in."\n')
    assert pieces(book) == [(NARRATION, 'She called it "the house," and then she said,'),
                            (DIALOGUE, "Come in.")]


def test_a_capitalised_word_that_is_also_an_elision_opens_a_single_quote():
    # `'and` (hand) and `'is` (his) are elisions; `'And what?'` opening a paragraph is a quote.
    text = ("# B\n\n\u2018And what may it have been about?\u2019\n\n"
            "\u2018Is it far?\u2019 he asked.\n\n\u2018Give us yer \u2019and,\u2019 said Bill.\n")
    assert quotes(parse(text)) == ["And what may it have been about?", "Is it far?",
                                   "Give us yer \u2019and,"]


def test_curly_single_quoted_dialogue_with_nested_double_quotes():
    text = ("# B\n\n\u2018Read the sign: \u201cNo entry\u201d,\u2019 said Alice.\n\n"
            "\u2018I can\u2019t,\u2019 said the Rabbit.\n")
    assert quotes(parse(text)) == ["Read the sign: \u201cNo entry\u201d,", "I can\u2019t,"]


def test_a_quote_set_in_italics_is_a_quote_and_its_markers_are_not_read():
    book = parse("# B\n\n_\"Cousin Kate.\"_\n\nThey saw *\"Hamlet\"* there.\n")
    assert pieces(book) == [(DIALOGUE, "Cousin Kate."), (NARRATION, "They saw"),
                            (DIALOGUE, "Hamlet"), (NARRATION, "there.")]


def test_apostrophes_in_a_double_quoted_book_are_text():
    book = parse("# B\n\nIt's o'clock and 'tis late for the boys' tea.\n")
    assert pieces(book) == [(NARRATION, "It's o'clock and 'tis late for the boys' tea.")]


def test_quote_continued_over_paragraphs_without_closing_mark():
    book = parse('# B\n\n"First part of a long speech.\n\n"Second part," he said.\n')
    said = [s for s in book.segments() if s.kind == DIALOGUE]
    assert [(s.text, s.continues_quote, s.line) for s in said] == [
        ("First part of a long speech.", False, 3), ("Second part,", True, 5)]
    assert book.warnings == ()


def test_a_mark_after_a_spaced_dash_closes_the_interrupted_speech():
    text = ('# B\n\n"I don\'t see \u2014 "\n\n"You do not see?"\n\n'
            '"Well, I ought \u2014 " Dorcas hesitated.\n')
    book = parse(text)
    assert pieces(book) == [(DIALOGUE, "I don't see \u2014"), (DIALOGUE, "You do not see?"),
                            (DIALOGUE, "Well, I ought \u2014"), (NARRATION, "Dorcas hesitated.")]
    assert [s.continues_quote for s in book.segments() if s.kind == DIALOGUE] == [False] * 3
    assert book.warnings == ()


def test_a_mark_between_spaces_opens_a_quote_outside_one():
    # Stray spaces (a text whose dashes or nested quotes were dropped): the mark still counts.
    text = '# B\n\n" Grandmother, dear; not Granny, " said Mrs. Herriton. "Come in."\n'
    assert pieces(parse(text)) == [(DIALOGUE, "Grandmother, dear; not Granny,"),
                                   (NARRATION, "said Mrs. Herriton."), (DIALOGUE, "Come in.")]


def test_a_mark_between_spaces_that_nothing_closes_is_text():
    for text in ('He measured 5 " and then left.\n\n"Yes," said Tom.\n',
                 'He measured 5 " and then left. "Yes," said Tom.\n'):  # the next mark opens
        book = parse("# B\n\n" + text)
        assert pieces(book) == [(NARRATION, 'He measured 5 " and then left.'),
                                (DIALOGUE, "Yes,"), (NARRATION, "said Tom.")]
        assert book.warnings == ()


@pytest.mark.parametrize("first", ['\u201c I have a story.', '" I have a story.',
                                   'He said: " I have a story.'])
def test_a_spaced_mark_opening_a_speech_carried_into_the_next_paragraph(first):
    said = [s for s in parse(f'# B\n\n{first}\n\n" It began in May," she said.\n').segments()
            if s.kind == DIALOGUE]
    assert [(s.text, s.continues_quote) for s in said] == [
        ("I have a story.", False), ("It began in May,", True)]


def test_emphasis_markers_are_dropped_only_beside_a_quote():
    book = parse('# B\n\n_ Paid in full: 5 *\n\nShe read *"Go."* twice.\n')
    assert pieces(book) == [(NARRATION, "_ Paid in full: 5 *"), (NARRATION, "She read"),
                            (DIALOGUE, "Go."), (NARRATION, "twice.")]


def test_unclosed_quote_is_a_warning_with_its_line():
    book = parse('# B\n\n"Never closed.\n\nPlain text.\n')
    assert book.warnings == ("line 3: quotation is never closed",)
    assert pieces(book)[1] == (NARRATION, "Plain text.")


def test_italics_lose_their_underscores_and_wrapped_lines_join():
    book = parse('# B\n\n"_You_ want to tell\nme," said he, *slowly*.\n')
    assert pieces(book) == [(DIALOGUE, "You want to tell me,"), (NARRATION, "said he, slowly.")]


# --- plain text ----------------------------------------------------------------------------


def test_plain_text_heading_forms_become_chapters():
    text = ("A Tale\n\nCHAPTER I.\n\nOne.\n\nChapter 2\n\nTwo.\n\nCHAPTER THE THIRD\n\nThree.\n\n"
            "Chapter IV\nThe Title Line\n\nFour.\n\nCHAPTER V.\n\nTHE LONELY ROAD\n\nFive.\n")
    book = parse(text, markdown=False)
    assert book.title == "A Tale"
    assert [c.title for c in book.chapters] == [
        "CHAPTER I", "Chapter 2", "CHAPTER THE THIRD", "Chapter IV: The Title Line",
        "CHAPTER V: THE LONELY ROAD"]
    assert [c.scenes[0].paragraphs[0].text for c in book.chapters] == [
        "One.", "Two.", "Three.", "Four.", "Five."]


def test_a_chapter_title_in_quotes_and_capitals_is_the_title_not_dialogue():
    # The Sport of the Gods: `XII` then `"ALL THE WORLD'S A STAGE"` was read out as a quote
    # of Hattie Sterling's, and the chapter had no title.
    text = ('T\n\nXII\n\n"ALL THE WORLD\'S A STAGE"\n\n\nKitty fell in love.\n\n'
            'XIII\n\n\u201cTHE OAKLEYS\u201d\n\nGo.\n\n'
            'XIV\n\n"YES!"\n\nNo.\n\nXV\n\n"Come In"\n\nGo.\n')
    book = parse(text, markdown=False)
    assert [c.title for c in book.chapters] == [
        'XII: "ALL THE WORLD\'S A STAGE"', "XIII: \u201cTHE OAKLEYS\u201d", "XIV", "XV"]
    assert [(s.kind, s.text) for s in book.segments()] == [
        (NARRATION, "Kitty fell in love."), (NARRATION, "Go."), (DIALOGUE, "YES!"),
        (NARRATION, "No."), (DIALOGUE, "Come In"), (NARRATION, "Go.")]


def test_a_paragraph_starting_with_book_or_part_is_not_a_heading():
    book = parse("T\n\nCHAPTER I\n\nBook did well.\n\nPart I of it was sad, she said.\n",
                 markdown=False)
    assert len(book.chapters) == 1
    assert [p.text for p in book.chapters[0].scenes[0].paragraphs] == [
        "Book did well.", "Part I of it was sad, she said."]


def test_a_short_first_paragraph_is_not_taken_for_a_chapter_title():
    book = parse("T\n\nCHAPTER I\n\nIt was night.\n\nThe end.\n", markdown=False)
    assert book.chapters[0].title == "CHAPTER I"
    assert book.chapters[0].scenes[0].paragraphs[0].text == "It was night."


@pytest.mark.parametrize("page", [
    "(1814)\n\nBy Jane Austen", "by Jane Austen\n\n(1811)", "         by\n\nPAUL LAURENCE DUNBAR",
    "By E. M. Forster\n\n\n\n", "A STORY OF THE PARK\n\nBy Jane Austen",
    "By Jane Austen and Seth Grahame-Smith"])
def test_a_plain_text_title_page_is_no_chapter(page):
    # It was read out as chapter 1, named after the book, and chapter I became chapter 2.
    book = parse(f"MANSFIELD PARK\n\n{page}\n\nCHAPTER I\n\nIt was night.\n", markdown=False)
    assert book.title == "MANSFIELD PARK"
    assert [c.title for c in book.chapters] == ["CHAPTER I"]
    assert [s.text for s in book.segments()] == ["It was night."]
    assert book.chapters[0].scenes[0].paragraphs[0].line == 7 + page.count("\n")


@pytest.mark.parametrize(("text", "first"), [
    ("A TALE\n\nBy the river\n\nCHAPTER I\n\nNight.\n", "By the river"),  # no byline
    ("A TALE\n\nBy the river they sat.\n\nNight.\n", "By the river they sat."),
    ("A TALE\n\nDedication\n\nTo my mother\n\nCHAPTER I\n\nNight.\n", "Dedication"),
    ("A TALE\n\nBy Christmas the snow had come.\n\nIt was night.\n",
     "By Christmas the snow had come."),
    # After a byline only the byline goes: a poem's short lines are its first lines.
    ("THE WASTE LAND\n\nby T. S. Eliot\n\nApril is the cruellest month\n\nbreeding\n",
     "April is the cruellest month"),
    ("A TALE\n\nby\n\nhe was alone.\n", "by"),  # `by` and no name after it
])
def test_short_lines_after_the_title_without_a_byline_stay(text, first):
    book = parse(text, markdown=False)
    assert next(book.segments()).text == first


def test_a_byline_before_a_story_without_chapters_is_dropped():
    book = parse("A Tale\n\nby Someone\n\nIt was night. \"Hi,\" she said.\n", markdown=False)
    assert [c.title for c in book.chapters] == ["A Tale"]
    assert next(book.segments()).text == "It was night."


def test_gutenberg_front_matter_contents_and_licence_are_dropped():
    text = (
        "The Project Gutenberg eBook of A Tale\n\nTitle: A Tale\n\nAuthor: Someone\n\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK A TALE ***\n\nProduced by Volunteers\n\n"
        "A TALE\n\nCONTENTS\n\nCHAPTER I. The Start\nCHAPTER II. The End\nCHAPTER III. After\n\n"
        "CHAPTER I.\nThe Start\n\n\"Hello,\" said Ann.\n\nCHAPTER II.\nThe End\n\nGoodbye.\n\n"
        "*** END OF THE PROJECT GUTENBERG EBOOK A TALE ***\n\nSection 1. General Terms of Use\n")
    book = parse(text, markdown=False)
    assert book.title == "A Tale"
    assert [c.title for c in book.chapters] == ["CHAPTER I: The Start", "CHAPTER II: The End"]
    words = " ".join(s.text for s in book.segments())
    assert words == "Hello, said Ann. Goodbye."
    assert book.warnings == ()
    assert book.chapters[0].line == 19


def test_parse_never_raises_on_odd_text():
    for text in ["", "\n\n", '"', "\u201c\u201d\u2018\u2019'\"", "# \n## \n***", "'" * 50,
                 "[x]", '[x] "', "CHAPTER I\n\nCHAPTER II", "\x00\ufeff weird"]:
        for markdown in (True, False):
            parse(text, markdown=markdown)


def test_dash_dialogue_runs_to_the_paragraph_end_except_its_tag():
    text = ("# U\n\nHe held the bowl aloft and intoned: \u2014Introibo ad altare Dei.\n\n"
            "\u2014Thanks, old chap, he cried briskly. That will do nicely.\n\n"
            "\u2014The mockery of it! he said gaily.\n\n"
            "--Tell me, Mulligan, Stephen said quietly.\n\nStephen said nothing.\n")
    assert quote_style(text) == DASH
    assert [(s.kind, s.text) for s in parse(text).segments()] == [
        (NARRATION, "He held the bowl aloft and intoned:"),
        (DIALOGUE, "Introibo ad altare Dei."),
        (DIALOGUE, "Thanks, old chap,"), (NARRATION, "he cried briskly."),
        (DIALOGUE, "That will do nicely."),
        (DIALOGUE, "The mockery of it!"), (NARRATION, "he said gaily."),
        (DIALOGUE, "Tell me, Mulligan,"), (NARRATION, "Stephen said quietly."),
        (NARRATION, "Stephen said nothing."),
    ]


def test_a_book_with_quotation_marks_is_not_read_as_dash_dialogue():
    text = '# T\n\n\u2014Wait, he said.\n\n\u2014No.\n\n\u2014Yes.\n\n"Now," said Ann.\n'
    assert quote_style(text) != DASH
    assert [s.text for s in parse(text).segments() if s.kind == DIALOGUE] == ["Now,"]


@pytest.mark.parametrize("text, markdown, title, paragraphs", [
    # A Gutenberg marker inside a comment is no marker: the title stays.
    ("# Book\n\n<!--\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\n-->\n\nHello there.\n",
     True, "Book", ["Hello there."]),
    # A comment holding a lone \r must not shift where the story starts.
    ("<!-- note\rmore -->\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\nHello there.\n\n"
     "Second para.\n", False, "Untitled", ["Hello there.", "Second para."]),
    # A comment before the marker on its line: the marker still counts.
    ("Front matter.\n<!-- x -->*** START OF THE PROJECT GUTENBERG EBOOK X ***\nHello there.\n",
     False, "Untitled", ["Hello there."]),
])
def test_gutenberg_markers_are_found_in_the_text_without_comments(text, markdown, title, paragraphs):
    book = parse(text, markdown=markdown)
    assert book.title == title
    assert [p.text for c in book.chapters for s in c.scenes for p in s.paragraphs] == paragraphs


def test_a_single_quoted_speech_resumes_after_a_semicolon_tag_on_an_elision_word():
    text = ("# T\n\n\u2018Take your tea,\u2019 said she; \u2018and I\u2019ll tell you.\u2019\n\n"
            "\u2018Thank you,\u2019 said he.\n")
    assert quotes(parse(text)) == ["Take your tea,", "and I\u2019ll tell you.", "Thank you,"]


def test_a_single_quoted_speech_resumes_after_its_tag_even_on_an_elision_word():
    text = ("# T\n\n\u2018Take off your cap,\u2019 said Miss Betsey, \u2018and let me see you.\u2019\n\n"
            "\u2018Well,\u2019 he said. \u2018I\u2019ll give \u2019em the lot \u2019cause I can.\u2019\n")
    book = parse(text)
    assert [(s.kind, s.text) for s in book.segments()] == [
        (DIALOGUE, "Take off your cap,"), (NARRATION, "said Miss Betsey,"),
        (DIALOGUE, "and let me see you."),
        (DIALOGUE, "Well,"), (NARRATION, "he said."),
        (DIALOGUE, "I\u2019ll give \u2019em the lot \u2019cause I can."),
    ]


@pytest.mark.parametrize(("headline", "title"), [
    ("The Project Gutenberg EBook of A Passage to India, by E. M. Forster", "A Passage to India"),
    ("The Project Gutenberg eBook, Little Women, by Louisa May Alcott", "Little Women"),
    ("The Project Gutenberg eBook of Stand by Me, by Someone", "Stand by Me"),
    ("The Project Gutenberg EBook of By Sheer Pluck, by G. A. Henty", "By Sheer Pluck"),
    # No title in it: the headline stays whole rather than `by Someone`.
    ("The Project Gutenberg EBook, by Someone", "The Project Gutenberg EBook, by Someone"),
])
def test_a_gutenberg_headline_without_the_markers_gives_the_bare_title(headline, title):
    # The whole line was the title, and the book folder
    # `the-project-gutenberg-ebook-of-a-passage-to-india-by-e-m-forster`.
    assert parse(f"{headline}\n\nCHAPTER I\n\nHi.\n", markdown=False).title == title


def test_gutenberg_illustration_markers_are_not_read_out():
    # `[Illustration]` (four in The Mysterious Affair at Styles) was read by the narrator.
    text = ("A Tale\n\nCHAPTER I\n\nIt was night.\n\n[Illustration]\n\n"
            "[Illustration: \"Wrote it, sir?\" he\nasked.]\n\n\"Yes,\" she said. [Illustration]\n")
    book = parse(text, markdown=False)
    assert pieces(book) == [(NARRATION, "It was night."), (DIALOGUE, "Yes,"),
                            (NARRATION, "she said. [Illustration]")]  # inside a paragraph: text


def test_a_role_marker_before_no_quote_is_a_warning_with_its_line():
    # It forced no speaker and was read out, `[anna]` and all, without a word.
    book = parse('# B\n\nAnna came in.\n\n[anna] Hello there.\n\n"Hi." [anna]\n\n'
                 '[anna] "Fine."\n\nHe said [sic] it was so.\n\nHe wrote "recieve" [sic] there.\n\n'
                 'It was so [sic]\n\nSee the note [a]\n\nHe was right.[ii]\n')
    assert book.warnings == (
        "line 5: [anna] is not right before an opening quote, so it is read out as text",
        "line 7: [anna] is not right before an opening quote, so it is read out as text")
    # An editor's `[sic]` and a footnote's `[a]`, `[ii]` are no misplaced markers.


def test_a_role_marker_inside_a_paragraph_is_a_warning_with_its_line_and_stays_text():
    # `Text [mara] here.` was read out, `[mara]` and all, with no warning: only a
    # paragraph's first and last words were looked at.
    book = parse('# B\n\nText [mara] here.\n\nA long\nparagraph, then\n[ben] in it: "and '
                 '[ann] inside" and [cy] "Hi."\n\nHe said [sic] it [a] was [1] so [ii] then.\n')
    assert book.warnings == (
        "line 3: [mara] is not right before an opening quote, so it is read out as text",
        "line 7: [ben] is not right before an opening quote, so it is read out as text",
        "line 7: [ann] is not right before an opening quote, so it is read out as text")
    assert pieces(book)[:3] == [(NARRATION, "Text [mara] here."),
                                (NARRATION, "A long paragraph, then [ben] in it:"),
                                (DIALOGUE, "and [ann] inside")]
    assert [s.override for s in book.segments()][4] == "cy"  # a marker in place forces


def test_an_empty_quote_is_nothing_and_no_unclosed_quote():
    # `""` was `quotation is never closed` and a segment reading out a lone `"`.
    book = parse('# B\n\n""\n\nHe said \u201c\u201d and left.\n\n[anna] "" then "Hi," she said.\n')
    assert book.warnings == ()
    assert pieces(book) == [(NARRATION, "He said"), (NARRATION, "and left."),
                            (NARRATION, "then"), (DIALOGUE, "Hi,"), (NARRATION, "she said.")]
    assert [s.override for s in book.segments()] == [None] * 5  # `[anna]` went with the `""`
