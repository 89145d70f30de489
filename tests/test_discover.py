"""Cast discovery and the `audiobook cast` command."""

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from audiobook.cast import parse_cast
from audiobook.cli import cli
from audiobook.discover import _tag_names, discover, to_yaml, write_cast
from audiobook.engines.fake import FakeEngine
from audiobook.errors import OutputError
from audiobook.script import parse

@pytest.fixture
def text_only(monkeypatch):
    """Gender from the text alone: a first name (`_first_name_gender`) would hide whether
    the text's own clues were read right."""
    monkeypatch.setattr("audiobook.discover._first_name_gender", lambda name, aliases: "neutral")


PASSAGE = """# A Visit

## One

Mrs. Bennet came in. She sat down by the window.

"Is he here?" asked Mrs. Bennet.

"Not yet," said Mr. Bennet. "Soon."

Elizabeth Bennet looked up from her book. Elizabeth smiled. She said nothing.

"He will come, mamma," said Elizabeth.

"I hope so, Lizzy," said Mrs. Bennet.

"So do I," I said.

Holmes stood. He took his hat. "Come, Watson," said Sherlock Holmes.

"Where?" said Holmes.
"""


def test_discover_finds_speakers_with_names_aliases_gender_and_lines():
    proposal = discover(parse(PASSAGE))
    found = {c.name: (c.id, c.aliases, c.gender, c.lines) for c in proposal.characters}
    # Mr. and Mrs. Bennet stay two people; `Holmes` joins `Sherlock Holmes`; `Come` and
    # `Soon` open quotes but are nobody; `Watson` is spoken to but never speaks.
    assert found == {
        "Mrs. Bennet": ("mrs_bennet", [], "female", 2),
        "Mr. Bennet": ("mr_bennet", [], "male", 2),
        "Elizabeth": ("elizabeth", [], "female", 1),
        "Sherlock Holmes": ("sherlock_holmes", ["Holmes"], "male", 2),
    }
    assert proposal.narrator_speaks == 1
    assert proposal.quotes == 8


SHOP = """# Shop

## One

Tom walked into the shop with Dr. Lee.

"Good morning," said the shopkeeper.

"Good morning," said Tom.

"You are early," said the old woman behind the counter.

"What can I do for you?" the shopkeeper asked.

"A loaf," said the other.

"He is not well," said the doctor.

"I am quite well," said Dr. Lee.

"Come again," the old woman said.
"""


def test_discover_keeps_no_books_narration_after_it_returns():
    from audiobook.discover import _sentences

    proposal = discover(parse(PASSAGE))
    assert proposal.characters  # it read the narration's sentences to weigh genders
    assert _sentences.cache_info().currsize == 0


def test_discover_casts_speakers_the_book_only_describes():
    proposal = discover(parse(SHOP))
    found = {c.name: (c.id, c.gender, c.tags) for c in proposal.characters}
    # `the shopkeeper` and `the old woman` (a woman by the noun) get roles of their own;
    # `the other` is no description, and `the doctor` is Dr. Lee, cast already.
    assert found == {
        "the shopkeeper": ("shopkeeper", "neutral", 2),
        "the old woman": ("old_woman", "female", 2),
        "Tom": ("tom", "male", 1),  # by his first name (`_first_name_gender`)
        "Dr. Lee": ("dr_lee", "neutral", 1),  # a surname after a title tells nothing
    }
    lines = {c.id: c.lines for c in proposal.characters}
    assert lines["shopkeeper"] == 2 and lines["dr_lee"] == 2  # `said the doctor` is Dr. Lee's


def test_proposed_yaml_is_a_valid_cast_with_distinct_known_voices():
    proposal = discover(parse(PASSAGE))
    cast = parse_cast(to_yaml(proposal), "proposed.yaml")
    assert set(cast.roles) == {"narrator", "mrs_bennet", "mr_bennet", "elizabeth",
                               "sherlock_holmes"}
    assert cast.roles["sherlock_holmes"].aliases == ("Holmes",)
    voices = [(r.voice.voice, r.voice.pitch, r.voice.rate) for r in cast.roles.values()]
    assert len(set(voices)) == len(voices)
    engine = FakeEngine()
    assert [engine.check_voice(v) for v, _, _ in voices] == [None] * len(voices)


def test_a_role_of_unknown_gender_asks_for_one_in_the_yaml():
    # Its voice comes from a pool of both: Henry Crawford got a woman's `+f5` unasked.
    # `Ogden`: no first name of the list either.
    text = to_yaml(discover(parse('# T\n\n"Hello," said Ogden.\n\nMary sat down; she smiled.\n\n'
                                 '"Hi," said Mary.\n')))
    assert "gender: neutral   # unknown from the text: set male or female, and a voice to " \
        "match\n" in text
    assert text.count("# unknown from the text") == 1  # Mary is a woman


def test_many_characters_of_one_gender_still_get_distinct_voices():
    surnames = ["Abbot", "Baker", "Carter", "Dawson", "Ellis", "Fisher", "Grant", "Hughes",
                "Irving", "Jones", "Knight", "Lowe", "Morgan", "Nash"]
    lines = "\n\n".join(f'"Hello," said Mr. {name}.' for name in surnames)
    proposal = discover(parse("# T\n\n" + lines + "\n\n" + lines))
    cast = parse_cast(to_yaml(proposal))
    voices = [(r.voice.voice, r.voice.pitch, r.voice.rate) for r in cast.characters]
    assert len(cast.characters) == 14 and len(set(voices)) == 14


def test_write_cast_never_overwrites_without_force(tmp_path):
    target = tmp_path / "voices.yaml"
    target.write_text("keep me")
    proposal = discover(parse(PASSAGE))
    with pytest.raises(OutputError) as caught:
        write_cast(proposal, target)
    assert str(caught.value) == f"{target}: already exists; pass --force to overwrite it"
    assert target.read_text() == "keep me"
    write_cast(proposal, target, force=True)
    assert parse_cast(target.read_text()).roles["sherlock_holmes"].gender == "male"


def test_cli_cast_prints_the_table_and_writes_a_renderable_cast(tmp_path, repo_root):
    runner = CliRunner()
    target = tmp_path / "cast.yaml"
    result = runner.invoke(cli, ["cast", str(repo_root / "script/heartstrings.md"),
                                 "--write", str(target)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "2 speaking characters in 23 quotes\n"
        "  role   name   gender   lines  aliases\n"
        "  alex   Alex   male        16\n"
        "  emily  Emily  female       7\n"
        f"Wrote {target}\n"
    )
    cast = parse_cast(target.read_text())
    assert (cast.roles["alex"].gender, cast.roles["emily"].gender) == ("male", "female")
    again = runner.invoke(cli, ["cast", str(repo_root / "script/heartstrings.md"),
                                "--write", str(target)])
    assert again.exit_code == 1
    assert again.output == f"Error: {target}: already exists; pass --force to overwrite it\n"


def test_cli_inspect_with_voices_explains_attribution(repo_root):
    result = CliRunner().invoke(cli, ["inspect", str(repo_root / "script/heartstrings.md"),
                                      "--voices", str(repo_root / "voices.yaml")])
    assert result.exit_code == 0, result.output
    assert '      35 alex       Emily, (tag)\n' in result.output
    assert result.output.endswith(
        "\nSpeaker attribution\n"
        "  Quotes: 23\n"
        "  Speakers: alex 16, emily 7\n"
        "  Rules: tag 10, paragraph_tag 7, paragraph_subject 5, vocative 1\n"
        "  Unresolved (read by the narrator): none\n"
        "  Low confidence: none\n"
    )


def test_cli_inspect_lists_unresolved_quotes_with_line_numbers(tmp_path):
    script = tmp_path / "s.md"
    script.write_text('# T\n\n## One\n\n"Who is there?"\n\nThe rain fell on Mary.\n\n"Cold."\n')
    voices = tmp_path / "v.yaml"
    voices.write_text("roles:\n  narrator: {}\n  mary: {name: Mary, gender: female}\n")
    result = CliRunner().invoke(cli, ["inspect", str(script), "--voices", str(voices)])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(
        "  Unresolved (read by the narrator): 1\n"
        "    line    5  narrator   default          Who is there?\n"
        "  Low confidence: 1\n"
        "    line    9  mary       nearest_mention  Cold.\n"
    )


def test_write_cast_does_not_overwrite_a_file_that_appears_meanwhile(tmp_path, monkeypatch):
    from audiobook import discover as module

    target = tmp_path / "voices.yaml"
    proposal = discover(parse(PASSAGE))
    real_yaml = module.to_yaml

    def someone_else_writes_first(found):  # while the proposal is being made
        target.write_text("theirs")
        return real_yaml(found)

    monkeypatch.setattr(module, "to_yaml", someone_else_writes_first)
    with pytest.raises(OutputError) as caught:
        write_cast(proposal, target)
    assert str(caught.value) == f"{target}: already exists; pass --force to overwrite it"
    assert target.read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["voices.yaml"]  # no temporary left
    target.unlink()
    monkeypatch.setattr(module, "to_yaml", real_yaml)
    write_cast(proposal, target)
    assert target.stat().st_mode & 0o777 == 0o644 & ~os.umask(os.umask(0))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["voices.yaml"]


FAMILY = """# The Hamiltons

## One

"Supper," said Mrs. Hamilton. "Come in."

"Coming," said Miss Hamilton.

"I am late," said Berry Hamilton.

"You are," Hamilton said.

All Gino said nothing. Gino was so quick that he had gone before they looked up.

"Go on," said Gino.

"Stay," said Berry.
"""


@pytest.mark.usefixtures("text_only")
def test_discover_keeps_a_family_apart_and_trims_a_word_that_opens_a_sentence():
    proposal = discover(parse(FAMILY))
    found = {c.name: (c.aliases, c.gender) for c in proposal.characters}
    # Mrs. and Miss Hamilton are two people, neither of them Berry, and `Hamilton` alone
    # could be any of the three; `All` opens a sentence and is no part of Gino's name, who
    # is a man by the `he` of his sentence.
    assert found == {
        "Mrs. Hamilton": ([], "female"),
        "Miss Hamilton": ([], "female"),
        "Berry Hamilton": (["Berry"], "neutral"),
        "Gino": ([], "male"),
    }


def test_discover_keeps_someone_tagged_once_but_named_all_through():
    lines = ["Edmund walked in the park. Edmund looked at the sky."] * 5
    quotes = "\n\n".join(f'"Line {n}," said Mary.\n\n"Reply {n}," said Tom.' for n in range(60))
    text = "# Park\n\n## One\n\n" + "\n\n".join(lines) + '\n\n"Hello," said Edmund.\n\n' + quotes
    edmund = {c.name: c.tags for c in discover(parse(text)).characters}
    # Over 100 quotes a name needs two tags; Edmund has one but ten mentions.
    assert edmund == {"Mary": 60, "Tom": 60, "Edmund": 1}
    fewer = text.replace("Edmund looked at the sky.", "He looked at the sky.")
    assert "Edmund" not in {c.name for c in discover(parse(fewer)).characters}


def test_descriptions_keep_their_nouns_and_their_quotes_keep_vocatives():
    text = ('# Court\n\n## One\n\nEmily came in.\n\n"Good morning, Emily," said the king.\n\n'
            '"Hello, Emily," said the elderly lady.\n\n"Sit," said the man\'s wife.\n\n'
            '"Thank you," said the king.\n\n"Not at all," said the elderly lady.\n\n'
            'Sherlock Holmes turned so fast that he fell. "Ow," said Sherlock Holmes.\n')
    found = {c.name: (c.gender, c.tags) for c in discover(parse(text)).characters}
    # `king` and `elderly` end in -ing and -ly, yet are the description; `the man's wife`
    # is no `the man`; Emily is called twice though both callers are described.
    assert found["the king"] == ("male", 2) and found["the elderly lady"] == ("female", 2)
    assert "the man" not in found
    more = discover(parse('# T\n\n## One\n\n"Ahoy," said the big burly sailor.\n\n'
                          '"Hush," said the old man\'s wife.\n\n"Ahoy!" said the big burly sailor.\n'))
    assert [c.name for c in more.characters] == ["the big burly sailor"]  # not `the old`
    assert found["Sherlock Holmes"] == ("male", 1)  # the `he` of his own sentence
    tags, _ = _tag_names(parse(text))
    assert tags["Emily"] == 2


def test_a_bare_title_calls_no_one():
    text = '# T\n\n## One\n\nJohn sat with Mrs. Moore.\n\n"Mrs." He stopped.\n\n"Yes?" said John.\n'
    assert _tag_names(parse(text))[0] == {"John": 1}


def test_a_bare_surname_one_family_member_owns_stays_their_alias():
    proposal = discover(parse('# T\n\n## One\n\n"Yes," said Mr. Holmes.\n\n"No," said Mr Holmes.\n\n'
                              '"Why?" said Holmes.\n\n"Because," said Mrs. Hudson.\n'))
    assert {c.name: c.aliases for c in proposal.characters} == {
        "Mr. Holmes": ["Holmes", "Mr Holmes"], "Mrs. Hudson": []}


@pytest.mark.usefixtures("text_only")
def test_foreign_titles_carry_gender_and_names_may_have_accents():
    text = ('# T\n\n## One\n\n"Buongiorno," said Signor Carella.\n\n"Guten Tag," said Frau Weber.\n\n'
            '"Hola," said Señora Ruiz.\n\n"Ciao," said Signor Carella.\n\n'
            'Émile sat down. He smiled at Zoë. "Salut," said Émile.\n\n"Hi," said Zoë.\n')
    found = {c.name: (c.id, c.gender) for c in discover(parse(text)).characters}
    assert found == {"Signor Carella": ("signor_carella", "male"),
                     "Frau Weber": ("frau_weber", "female"),
                     "Señora Ruiz": ("senora_ruiz", "female"),
                     "Émile": ("emile", "male"), "Zoë": ("zoe", "neutral")}


def test_a_titled_surname_joins_the_one_full_name_of_its_gender():
    text = ('# T\n\n## One\n\nMary Cavendish came in. She smiled. John Cavendish rose. He bowed.\n\n'
            'Mary Cavendish sat. She waited. John Cavendish sat. He frowned.\n\n'
            '"Tea?" said Mary.\n\n"Yes," said John.\n\n"Milk?" said Mrs. Cavendish.\n\n'
            '"No," said Mr. Cavendish.\n\n"Sugar?" said Mrs. Cavendish.\n\n"Two," said Mr. Cavendish.\n')
    found = {c.name: c.aliases for c in discover(parse(text)).characters}
    # Not four voices for two people; and `Mrs.` goes to the woman, `Mr.` to the man.
    assert found == {"Mary": ["Mary Cavendish", "Mrs. Cavendish"],
                     "John": ["John Cavendish", "Mr. Cavendish"]}


def test_a_title_that_alone_is_a_call_still_opens_a_name():
    text = ('# T\n\n## One\n\n"Sir," said Fanny.\n\n"Yes?" said Sir Thomas.\n\n'
            '"Aunt!" said Fanny.\n\n"Hush," said Aunt Polly.\n\n"Well," said Sir Thomas.\n\n'
            '"Go," said Aunt Polly.\n')
    assert _tag_names(parse(text))[0] == {"Fanny": 2, "Sir Thomas": 2, "Aunt Polly": 2}


def test_a_word_opening_a_quote_after_said_is_not_taken_for_a_name():
    text = ('# T\n\n## One\n\n"Well," said John.\n\nThe man said, "Exactly, sir."\n\n'
            '"Exactly," said John.\n\n"Exactly."\n')
    assert _tag_names(parse(text))[0] == {"John": 2, "the man": 1}


def test_a_title_two_women_of_a_family_share_joins_no_one():
    text = ('# T\n\n## One\n\nKitty Hamilton came in. She smiled. Kitty Hamilton sat. She waited.\n\n'
            '"Tea?" said Kitty.\n\n"Yes," said Mrs. Hamilton.\n\n"Milk?" said Miss Hamilton.\n\n'
            '"No," said Mrs. Hamilton.\n\n"Sugar?" said Miss Hamilton.\n\n"One," said Kitty.\n')
    found = {c.name: c.aliases for c in discover(parse(text)).characters}
    # Kitty may be either; the mother is not folded into the daughter.
    assert found == {"Kitty": ["Kitty Hamilton"], "Mrs. Hamilton": [], "Miss Hamilton": []}


def test_a_preposition_opening_a_sentence_is_no_name_even_after_a_lost_full_stop():
    # `narrowly With a groan`: a copy that lost its full stop capitalises `With` mid-sentence.
    text = ('# T\n\n## One\n\nPoirot watched him narrowly With a groan, Tom sat.\n\n'
            'With a smile, "Well?" said Tom.\n\nWith a nod: "Yes."\n\n"No," said Tom.\n')
    assert _tag_names(parse(text))[0] == {"Tom": 2}


def test_monsieur_and_mr_are_one_title_so_the_surname_stays_one_person():
    text = ('# T\n\n## One\n\n"Yes," said Poirot.\n\n"No," said Mr. Poirot.\n\n'
            '"Why?" said Monsieur Poirot.\n\n"Because," said Poirot.\n\n"Ah," said Mrs. Hudson.\n\n'
            '"Oh," said Mrs. Hudson.\n')
    assert {c.name: c.aliases for c in discover(parse(text)).characters} == {
        "Poirot": ["Monsieur Poirot", "Mr. Poirot"], "Mrs. Hudson": []}


def test_a_name_only_others_call_in_a_first_person_book_is_the_narrators():
    text = ('# T\n\n## One\n\nPoirot came in. He sat down by me.\n\n"Hastings, look," said Poirot.\n\n'
            '"At what?" I said.\n\n"At this, Hastings."\n\n"I see it," I said.\n\n'
            '"Good," said Poirot.\n')
    proposal = discover(parse(text))
    assert [c.name for c in proposal.characters] == ["Poirot"]
    assert proposal.narrator_names == ("Hastings",)
    assert proposal.cast().roles["narrator"].name == "Hastings"
    assert "narrator:\n    name: Hastings   # what the others call the narrator\n" in to_yaml(proposal)


def test_a_description_in_apposition_to_a_name_is_that_person():
    text = ('# T\n\n## One\n\nThere was Mr. Wells, the lawyer, and there was Anne.\n\n'
            'Anne brought in the boy Joe.\n\n"Well," said Mr. Wells.\n\n"Now," said the lawyer.\n\n'
            '"Yes," said Joe.\n\n"Go on," said the lawyer.\n\n"Here," said the boy.\n\n'
            '"There," said the boy.\n\n"Done," said Joe.\n\n"Indeed," said Anne.\n\n'
            '"So," said Anne.\n\n"Then," said the clerk.\n\n"Ah," said the clerk.\n')
    found = {c.name: c.aliases for c in discover(parse(text)).characters}
    # `the clerk`, beside no name, stays someone of their own.
    assert found == {"Mr. Wells": ["the lawyer"], "Joe": ["the boy"], "Anne": [],
                     "the clerk": []}


def test_a_pet_form_extending_a_name_is_the_same_person_unless_genders_differ():
    text = ('# T\n\n## One\n\nKitty sat down. She smiled.\n\n"Tea?" said Kitty.\n\n"Yes," said Kit.\n\n'
            '"Milk?" said Kitty.\n\n"No," said Kit.\n\nJean came in. He sat.\n\n'
            'Jeanne came in. She sat.\n\n"Hello," said Jean.\n\n"Hi," said Jeanne.\n\n'
            '"Well," said Jean.\n\n"So," said Jeanne.\n')
    found = {c.name: c.aliases for c in discover(parse(text)).characters}
    # Jean (he) and Jeanne (she) stay two people.
    assert found == {"Kitty": ["Kit"], "Jean": [], "Jeanne": []}


def test_the_narration_is_split_into_sentences_once_per_book(monkeypatch):
    from audiobook import discover as module

    splits = []
    sentence_end = module._SENTENCE_END

    class Counting:
        def split(self, text):
            splits.append(len(text))
            return sentence_end.split(text)

    monkeypatch.setattr(module, "_SENTENCE_END", Counting())
    module._sentences.cache_clear()  # another test may have split this very text
    text = ('# T\n\n## One\n\nKitty sat down. She smiled.\n\n"Tea?" said Kitty.\n\n'
            '"Yes," said Kit.\n\nJean came in. He sat.\n\nRosa came in. She sat.\n\n'
            '"Hello," said Jean.\n\n"Hi," said Rosa.\n')
    genders = {c.name: c.gender for c in discover(parse(text)).characters}
    assert genders == {"Kitty": "female", "Jean": "male", "Rosa": "female"}
    assert len(splits) == 1  # not once per name whose gender is weighed


def test_a_name_always_written_with_a_title_is_still_a_name_when_called():
    # `Harris` never follows a lowercase word itself, only `nodded to Mr.` does.
    text = ('# T\n\n## One\n\nTom nodded to Mr. Harris.\n\n"Come in, Mr. Harris," said Tom.\n\n'
            '"Thank you," said Mr. Harris.\n')
    assert _tag_names(parse(text))[0] == {"Tom": 1, "Mr. Harris": 2}


def test_a_quoted_word_a_sentence_runs_through_calls_no_one():
    # `"Boss,"` has no comma or colon before it and the sentence goes on in lower case.
    text = ('# T\n\n## One\n\nTom worked for the Boss.\n\n'
            'People called him "Boss," and never knew why.\n\n"Yes, Boss," said Tom.\n')
    assert _tag_names(parse(text))[0] == {"Tom": 1, "Boss": 1}


def test_a_title_that_stands_for_another_has_its_gender():
    # `Herr`, `Mlle`, `Mistah` take their gender from `Mr.` and `Miss`, in discovery too.
    text = ('# T\n\n## One\n\n"Well?" said Herr Weber.\n\n"Oui," said Mlle Roux.\n\n'
            '"Yes," said Mistah Oakley.\n')
    genders = {c.name: c.gender for c in discover(parse(text)).characters}
    assert genders == {"Herr Weber": "male", "Mlle Roux": "female", "Mistah Oakley": "male"}


def test_dialect_titles_are_mr_and_mrs_so_a_dialect_speaker_calls_no_new_person():
    text = ('# T\n\n## One\n\n"Well?" said Mr. Oakley.\n\n"Yes, suh," said Mistah Oakley.\n\n'
            '"Come," said Mrs. Hamilton.\n\n"Hush," said Mis\' Hamilton.\n\n'
            '"No," said Mr. Oakley.\n\n"Go," said Mrs. Hamilton.\n')
    found = {c.name: (sorted({c.name, *c.aliases}), c.gender)
             for c in discover(parse(text)).characters}
    assert sorted(found.values()) == [
        (["Mis' Hamilton", "Mrs. Hamilton"], "female"), (["Mistah Oakley", "Mr. Oakley"], "male")]


def test_the_doctor_is_no_new_person_when_two_doctors_are_cast():
    text = ('# T\n\n## One\n\n"Come in," said Dr. Wilkins.\n\n"Thank you," said Dr. Bauerstein.\n\n'
            '"Sit down," said the doctor.\n\n"Well?" said Dr. Wilkins.\n\n'
            '"Strychnine," said Dr. Bauerstein.\n\n"Ah," said the doctor.\n')
    assert {c.name for c in discover(parse(text)).characters} == {"Dr. Wilkins", "Dr. Bauerstein"}


def test_a_pronoun_after_another_name_gives_the_subject_no_gender():
    text = ('# T\n\n## One\n\nMary was glad of the house, and Henry ready to lengthen his visit. '
            'He had come for a few days only.\n\nMary smiled at Henry with his hat in her hand.\n\n'
            '"Stay," said Mary.\n\n"I will," said Henry.\n\n"Good," said Mary.\n\n'
            '"Yes," said Henry.\n')
    genders = {c.name: c.gender for c in discover(parse(text)).characters}
    # Henry's `his` and the next sentence's `He` are his, not Mary's.
    assert genders["Mary"] != "male"


def test_the_full_stop_of_a_title_ends_no_sentence_so_a_wife_gives_no_gender():
    text = ('# T\n\n## One\n\nMrs. Grant came in. She sat down. Mrs. Grant smiled. She poured tea.\n\n'
            '"Tea?" said Mrs. Grant.\n\n"Yes," said Dr. Grant.\n\n"Milk?" said Mrs. Grant.\n\n'
            '"No," said Dr. Grant.\n\nDr. Wilkins came in. He bowed. Dr. Wilkins sat. He frowned.\n\n'
            '"Well?" said Dr. Wilkins.\n\n"Ill," said Dr. Wilkins.\n')
    genders = {c.name: c.gender for c in discover(parse(text)).characters}
    # `Mrs. Grant came in.` is about her, not about a `Grant` the doctor might be; `Dr.
    # Wilkins came in.` is about him.
    assert genders == {"Mrs. Grant": "female", "Dr. Grant": "neutral", "Dr. Wilkins": "male"}


def test_a_call_before_a_described_tag_is_no_apposition():
    text = ('# T\n\n## One\n\n' + '"Yes," said Tom.\n\n"No," said the lawyer.\n\n' * 3 +
            '"Good night, Tom," the lawyer, smiling, replied.\n\nHe handed the lawyer Tom\'s coat.\n')
    assert {c.name: c.aliases for c in discover(parse(text)).characters} == {
        "Tom": [], "the lawyer": []}


def test_only_a_diminutive_ending_makes_a_pet_form():
    text = "# T\n\n## One\n\n" + "".join(
        f'"Yes," said {a}.\n\n"No," said {b}.\n\n' * 2
        for a, b in (("Ann", "Anna"), ("Rob", "Robin"), ("Tom", "Tommy")))
    assert sorted(c.name for c in discover(parse(text)).characters) == [
        "Ann", "Anna", "Rob", "Robin", "Tommy"]  # Tom and Tommy are one


def test_no_narrators_name_when_two_unnarrated_names_are_called_as_often():
    text = "# T\n\n## One\n\n" + ('"Sit down, Mary," said my father.\n\n"I will," I said.\n\n'
                                 '"Go on, John," said my mother.\n\n"Now," I said.\n\n') * 2
    assert discover(parse(text)).narrator_names == ()
    # A name called only far from the narrator's quotes is not theirs either.
    text = "# T\n\n## One\n\n" + ('"Go on, John," said my mother.\n\n"Yes," said my father.\n\n'
                                 '"Sit," said my mother.\n\n"Now," I said.\n\n') * 2
    assert discover(parse(text)).narrator_names == ()


def test_whole_names_with_inner_capitals_hyphens_and_accents():
    text = "# T\n\n## One\n\n" + '"Yes," said McDonald.\n\n"No," said Jean-Paul.\n\n"Ja," said Dvořák.\n\n' * 2
    assert sorted((c.name, c.id) for c in discover(parse(text)).characters) == [
        ("Dvořák", "dvorak"), ("Jean-Paul", "jean_paul"), ("McDonald", "mcdonald")]


def test_a_participle_or_a_determiner_opening_a_sentence_is_no_name():
    text = ('# T\n\n## One\n\nLocking his hands behind his head, he leaned back. "Well?"\n\n'
            'Another man came in. "No."\n\nManning bowed. "Sir?"\n\n"Yes," said Manning.\n\n'
            'Often she sang. "La."\n')
    # `Manning` is a name: it follows a lowercase word elsewhere (`said Manning`).
    assert _tag_names(parse(text))[0] == {"Manning": 2}


def test_a_first_persons_kin_described_in_tags_is_cast():
    text = ('# T\n\n## One\n\n"Come here," said my father.\n\n"Yes," I said.\n\n'
            '"He is busy," my mother answered.\n\n"Sit down," said our old master.\n\n'
            '"Now," said my father, smiling.\n')
    found = {c.name: (c.id, c.gender, c.lines) for c in discover(parse(text)).characters}
    # `my father`, `my mother`, `our old master` are people the narrator knows, not named.
    assert found == {"my father": ("my_father", "male", 2), "my mother": ("my_mother", "female", 1),
                     "our old master": ("our_old_master", "male", 1)}


def test_a_word_the_book_also_writes_in_lower_case_is_a_name_only_in_a_tag():
    text = ('# T\n\n## One\n\nHorror piled on horror. "Oh!"\n\n"Mama, come," said Kit.\n\n'
            '"Yes," said Rose.\n\nRose smiled. "Now?"\n\n"Good, Rose!"\n\n'
            'She was my mama, and a rose in June. "Apologize, apologize!"\n')
    # `Horror` opens a sentence and `Mama` is called, but both are common words here; `Rose`
    # is a name, a speech tag says so, though `rose` is written too.
    assert _tag_names(parse(text))[0] == {"Kit": 1, "Rose": 3}


def test_an_adverb_without_ly_ends_a_description():
    text = ('# T\n\n## One\n\n"Go!" the boy half cried, half shouted.\n\n'
            '"Now?" the old woman almost shouted.\n\n"Yes," the boy also said.\n')
    assert _tag_names(parse(text))[0] == {"the boy": 2, "the old woman": 1}


def test_a_gendered_noun_before_the_head_genders_a_description():
    text = ('# T\n\n## One\n\n"Awfully," said the boy officer.\n\n"Oh!" said Mrs. Lennox.\n\n'
            '"Some one has died," said the boy officer.\n')
    found = {c.name: c.gender for c in discover(parse(text)).characters}
    assert found["the boy officer"] == "male"


def test_a_narration_paragraph_ending_in_a_colon_opens_the_next_quote():
    text = ('# T\n\n## One\n\nThe Coroner hesitated for a moment, and then said:\n\n'
            '"Did you see him?"\n\nThe girl looked away.\n\n"No."\n\n'
            'A man came in. He sat down:\n\n"Hello."\n')
    # The Coroner's paragraph ends in a colon: it opens the quote after it. `The girl looked
    # away.` ends in a full stop, and `He sat down:` has no name for a subject.
    assert _tag_names(parse(text))[0] == {"Coroner": 1}


def test_a_he_or_she_opening_the_sentence_before_a_quote_goes_on_with_the_subject_before():
    text = ('# T\n\n## One\n\nAunt Polly was vexed, and missed a trick. Then she had a new '
            'inspiration:\n\n"Tom, did you?"\n\nTom ran. Sid looked up. She said nothing:\n\n'
            '"No."\n')
    # `Then she` goes on with `Aunt Polly`; `She said nothing` with `Sid looked up`, the
    # sentence right before, not with `Tom ran`.
    assert _tag_names(parse(text))[0] == {"Aunt Polly": 1, "Sid": 1}


def test_an_adverb_may_follow_the_verb_of_a_tag_before_a_quote():
    text = ('# T\n\n## One\n\nMrs. Bennet said only, "Nonsense, nonsense!"\n\n'
            'Then John answered quietly: "No."\n')
    assert _tag_names(parse(text))[0] == {"Mrs. Bennet": 1, "John": 1}


def test_a_sentence_opening_with_no_name_leaves_the_tag_before_a_quote_to_a_description():
    text = ('# T\n\n## One\n\nThe old man said, "No."\n\n'
            'He looked up and the old woman said gravely, "Go."\n\n'
            'He shut the door he said, "There."\n')
    # `The`, `He` open the sentences but name no one; `the door he` is no description.
    assert _tag_names(parse(text))[0] == {"the old man": 1, "the old woman": 1}


@pytest.mark.usefixtures("text_only")
def test_a_pronoun_opening_a_question_clause_after_the_subject_is_someone_else():
    text = ('# T\n\n## One\n\nPhilip did not know what she meant. She smiled.\n\n'
            'Philip understood now why she had not come.\n\n"Well," said Philip.\n\n'
            'Harriet, if she had been allowed, would have gone.\n\n"No," said Harriet.\n')
    found = {c.name: c.gender for c in discover(parse(text)).characters}
    # `what she`, `why she` after Philip's verb are another woman, and so is the next `She`;
    # `Harriet, if she` is Harriet.
    assert found == {"Philip": "neutral", "Harriet": "female"}


@pytest.mark.usefixtures("text_only")
def test_a_relative_clauses_own_his_or_herself_genders_the_name_before_it():
    text = ('# T\n\n## One\n\nI saw little of Holmes, who loathed society with his whole soul.\n\n'
            '"Well," said Holmes.\n\nI met Kit, who had seen her brother.\n\n"No," said Kit.\n')
    found = {c.name: c.gender for c in discover(parse(text)).characters}
    # `who ... his` is Holmes's; `who had seen her` may be someone else.
    assert found == {"Holmes": "male", "Kit": "neutral"}


@pytest.mark.usefixtures("text_only")
def test_what_a_name_is_said_to_be_genders_it():
    text = ('# T\n\n## One\n\nEmma was a tall, big-boned woman. He came in.\n\n'
            '"Well," said Emma.\n\nI met Jim, a small colored boy, by the gate.\n\n'
            '"No," said Jim.\n\nKit was a woman\'s friend.\n\n"Yes," said Kit.\n')
    found = {c.name: c.gender for c in discover(parse(text)).characters}
    # Over the next sentence's `He`; `a woman's friend` is not a woman.
    assert found == {"Emma": "female", "Jim": "male", "Kit": "neutral"}


def test_his_or_her_before_a_speakers_noun_describes_them_unless_kin():
    text = ('# T\n\n## One\n\n"Leave the hat," said her visitor.\n\n"Yes," cried his wife.\n\n'
            'His mother had said, "Go."\n\n"Well," the old man had said.\n')
    # `her visitor` is cast as `the visitor`; `his wife` and `his mother` are someone's kin,
    # whoever `his` is; `had` ends a description.
    assert _tag_names(parse(text))[0] == {"the visitor": 1, "the old man": 1}


@pytest.mark.usefixtures("text_only")
def test_what_a_name_is_said_to_be_crosses_no_preposition_and_ends_the_phrase():
    text = ('# T\n\n## One\n\nJane, a friend of the boy, came in.\n\n"Hi," said Jane.\n\n'
            'Tom was a servant of the lady.\n\n"Yes," said Tom.\n\n'
            'Kate was a match for any man. She smiled.\n\n"No," said Kate.\n\n'
            'Ned was a boy scout.\n\n"Go," said Ned.\n\n'
            'Anne was a quiet, gentle girl of nineteen.\n\n"Oh," said Anne.\n')
    found = {c.name: c.gender for c in discover(parse(text)).characters}
    # `of the boy`, `of the lady`, `for any man` are someone else; `a boy scout` is a scout;
    # `a quiet, gentle girl of nineteen` is a girl.
    assert found == {"Jane": "neutral", "Tom": "neutral", "Kate": "female", "Ned": "neutral",
                     "Anne": "female"}


@pytest.mark.usefixtures("text_only")
def test_a_relative_clauses_his_after_another_name_is_that_ones():
    text = ('# T\n\n## One\n\nMary, who had seen Tom with his dog, smiled.\n\n"Hi," said Mary.\n\n'
            'I met Ann, who hurt herself.\n\n"Oh," said Ann.\n')
    found = {c.name: c.gender for c in discover(parse(text)).characters}
    # `his dog` after `Tom` is Tom's, as for a subject; Ann's `herself` is her own.
    assert found == {"Mary": "neutral", "Ann": "female"}


def test_his_or_her_makes_a_description_only_of_a_role_toward_another():
    text = ('# T\n\n## One\n\nHis letter said, "Come."\n\nHer face said plainly, "No."\n\n'
            '"Yes," said his lordship.\n\n"Go," said her maid.\n\n"Hush," said her nurse.\n\n'
            '"Well," said his mother-in-law.\n\n"Ah," said his host.\n\n"Aye," said her man.\n')
    # A letter, a face and a title are no one; `her maid`, `her nurse`, `his host` are; kin
    # are whoever's they are, `-in-law` too, and `her man` (her husband? `his man`, his
    # servant) is no `the man`.
    assert _tag_names(parse(text))[0] == {"the maid": 1, "the nurse": 1, "the host": 1}


def test_a_sentence_opening_with_no_name_leaves_the_tag_only_to_a_person():
    text = ('# T\n\n## One\n\nThe letter said, "Come."\n\nThe old man said, "No."\n\n'
            'She was a fragile child. "Psychic," the girls whispered.\n\n'
            'The captain said, "Hoist."\n\nThe butler said, "Dinner."\n')
    # A letter is no one, as before a description was read there; people are, whatever
    # their trade.
    assert _tag_names(parse(text))[0] == {"the old man": 1, "the girls": 1, "the captain": 1,
                                          "the butler": 1}


def test_a_he_or_she_goes_on_with_no_subject_whose_titles_are_of_the_other_gender():
    text = ('# T\n\n## One\n\nIt rained. Mr. Tom opened the door. Then she had an idea:\n\n'
            '"Tea?"\n\nMr. Bennet came. Bennet sat down. She had an idea:\n\n"No."\n\n'
            'Miss Polly came. Polly was vexed. Then she had an idea:\n\n"Go."\n')
    # `Mr. Tom` (its title cut off by the sentence split) and `Bennet`, only ever `Mr.`,
    # are men: the `she` is someone else. `Polly`, only ever `Miss`, goes on.
    assert _tag_names(parse(text))[0] == {"Polly": 1}


def test_a_he_or_she_goes_on_with_no_subject_whose_pronouns_are_of_the_other_gender():
    text = ('# T\n\n## One\n\nTom came in. He sat down. Tom laughed. He ran.\n\n"Hi," said Tom.\n\n'
            'Tom opened the door. Then she had an idea:\n\n"Tea?"\n\n'
            'Ann came in. She sat down.\n\nAnn was vexed. Then she had an idea:\n\n"Go."\n')
    # Tom is a `he` elsewhere: the `she` after him is someone else; Ann's `she` goes on.
    assert _tag_names(parse(text))[0] == {"Tom": 1, "Ann": 1}


def test_a_name_that_goes_on_as_she_is_weighed_once_however_often(monkeypatch):
    from audiobook import discover as module

    calls = []
    real = module._gender
    monkeypatch.setattr(module, "_gender", lambda name, *rest: calls.append(name) or
                        real(name, *rest))
    text = "# T\n\n## One\n\n" + 'Tom opened the door. Then she said:\n\n"Hello."\n\n' * 50
    module._tag_names(parse(text))
    assert calls.count("Tom") == 1  # once per quote scanned the book 50 times: quadratic


def test_a_first_name_genders_one_the_text_gives_no_pronoun():
    text = ('# T\n\n## One\n\n"Come," said Adela.\n\n"Where?" said Henry Crawford.\n\n'
            '"Here," said Dr. Lee.\n\n"Now?" said Jo.\n\nMarion stood. He bowed.\n\n'
            '"Now," said Marion.\n\n"Go," said Adela.\n')
    found = {c.name: c.gender for c in discover(parse(text)).characters}
    # `Jo` is given to both; `Lee` after a title is a surname; the text's `He` outweighs
    # the list's `Marion`.
    assert found == {"Adela": "female", "Henry Crawford": "male", "Dr. Lee": "neutral",
                     "Jo": "neutral", "Marion": "male"}


def test_a_titled_surname_joins_the_full_name_a_first_name_genders():
    # No `she` beside `Mary`: her first name says which Crawford `Miss Crawford` is.
    text = ('# T\n\n## One\n\nMary Crawford came in. Henry Crawford rose. Mary Crawford sat.\n\n'
            'Henry Crawford sat.\n\n"Tea?" said Mary.\n\n"Yes," said Henry.\n\n'
            '"Milk?" said Miss Crawford.\n\n"No," said Henry.\n\n"Sugar?" said Miss Crawford.\n')
    found = {c.name: c.aliases for c in discover(parse(text)).characters}
    assert found == {"Mary": ["Mary Crawford", "Miss Crawford"], "Henry": ["Henry Crawford"]}


def test_one_speaker_and_one_quote_are_counted_in_the_singular(tmp_path):
    script = tmp_path / "one.md"
    script.write_text('# One\n\n## A\n\n"Hello," said Anna.\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["cast", str(script), "--write", str(tmp_path / "v.yaml")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "1 speaking character in 1 quote"
    assert "# 1 speaking character in 1 quote. Check names," in (tmp_path / "v.yaml").read_text()


def test_miss_joins_a_first_name_whose_full_name_the_book_gives_once():
    # `Miss Quested` is Adela, named in full once: a `Miss` is the one unmarried woman of
    # her surname cast. Not a `Mrs.`: `Mrs. Theobald` may be Lilia Theobald's mother.
    text = ('# T\n\n## One\n\nAdela Quested and Lilia Theobald came in.\n\n'
            '"Tea?" said Adela.\n\n"Yes," said Miss Quested.\n\n"Milk?" said Lilia.\n\n'
            '"No," said Mrs. Theobald.\n\n"Sugar?" said Adela.\n\n"Two," said Lilia.\n\n'
            '"One," said Miss Quested.\n\n"None," said Mrs. Theobald.\n')
    found = {c.name: c.aliases for c in discover(parse(text)).characters}
    assert found == {"Adela": ["Miss Quested"], "Lilia": [], "Mrs. Theobald": []}
    # `Miss Adela Quested` too: sisters share the name, and `Miss Quested` is the eldest.
    sisters = text.replace("came in.", "came in. Miss Adela Quested sat.")
    found = {c.name: c.aliases for c in discover(parse(sisters)).characters}
    assert found == {"Adela": [], "Miss Quested": [], "Lilia": [],
                     "Mrs. Theobald": []}


def test_write_into_a_folder_is_one_error_line(tmp_path):
    # It was click's usage message and exit status 2, unlike every other bad path.
    script = tmp_path / "s.md"
    script.write_text('# T\n\n"Hi," said Anna.\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["cast", str(script), "--write", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {tmp_path}: is a folder; pass a file name such as "
                             f"{tmp_path / 'voices.yaml'}\n")


def test_each_role_of_a_gender_gets_its_own_variant_before_any_repeats():
    # The 4th man had the 1st's timbre (`gmw/en-gb-scotland` and `gmw/en-us`, neither with a
    # `+` variant), and the 7th the 1st's very voice, only pitch and rate apart, while
    # +m4, +m5, +m6 and +m8 went unused.
    def variants(gender, title, count):
        names = ["Abbot", "Baker", "Carter", "Dawson", "Ellis", "Fisher", "Grant", "Hughes",
                 "Irving", "Jones"][:count]
        lines = "\n\n".join(f'"Hello," said {title} {name}.' for name in names)
        cast = parse_cast(to_yaml(discover(parse("# T\n\n" + lines + "\n\n" + lines))))
        assert [r.gender for r in cast.characters] == [gender] * count
        return [r.voice.voice.partition("+")[2] for r in cast.characters]

    men = variants("male", "Mr.", 10)
    assert sorted(men[:9]) == ["", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"]
    assert men[9] == men[0]  # then round again
    assert sorted(variants("female", "Mrs.", 5)) == ["f1", "f2", "f3", "f4", "f5"]


def test_each_woman_gets_her_own_variant_before_any_repeats():
    # Women had +f1..+f5 only: Mansfield Park's 9 women shared timbres (Fanny and Maria both
    # `gmw/en-gb-x-rp+f2`). espeak-ng's named women's variants follow the numbered ones.
    names = ["Abbot", "Baker", "Carter", "Dawson", "Ellis", "Fisher", "Grant", "Hughes",
             "Irving", "Jones", "Kemp", "Lacey", "Moore"]
    lines = "\n\n".join(f'"Hello," said Mrs. {name}.' for name in names)
    cast = parse_cast(to_yaml(discover(parse("# T\n\n" + lines + "\n\n" + lines))))
    assert [r.gender for r in cast.characters] == ["female"] * 13
    women = [r.voice.voice.partition("+")[2] for r in cast.characters]
    assert sorted(women[:12]) == sorted(["f1", "f2", "f3", "f4", "f5", "Annie", "belinda",
                                         "Alicia", "aunty", "steph", "anika", "Andrea"])
    assert women[12] == women[0]  # then round again
    assert cast.characters[12].voice != cast.characters[0].voice  # pitch and rate moved
    engine = FakeEngine()  # every name is one the engine takes (case-sensitive)
    assert all(engine.check_voice(r.voice.voice) is None for r in cast.characters)
    # ... and a woman's variant espeak-ng ships (the fake engine's list cannot tell).
    import espeakng_loader

    shipped = Path(espeakng_loader.get_data_path()) / "voices" / "!v"
    for name in women[5:12]:
        assert re.search(r"(?m)^gender\s+female", (shipped / name).read_text(errors="replace"))


@pytest.mark.parametrize(("page", "author"), [
    ("By Jane Austen\n\n(1814)", "Jane Austen"), ("by E. M. Forster", "E. M. Forster"),
    ("         by\n\nPAUL LAURENCE DUNBAR", "Paul Laurence Dunbar"),
    ("By Jane Austen & Seth Grahame-Smith", "Jane Austen & Seth Grahame-Smith"),
    ("A STORY", None),  # no byline: no `book:` section
    # Bylines that name no one, or a heading that looks like one: no author.
    ("BY THE AUTHOR OF WAVERLEY", None), ("By Moonlight", None), ("BY THE RIVER", None)])
def test_cast_write_gives_the_byline_as_the_books_author(tmp_path, page, author):
    # The title page was recognised and skipped, its byline lost: the proposed voices.yaml
    # had no `book: author:`, so the rendered files carried no artist tag.
    script = tmp_path / "book.txt"
    script.write_text(f"MANSFIELD PARK\n\n{page}\n\nCHAPTER I\n\n\"Hello,\" said Mrs. Grant.\n",
                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["cast", str(script), "--write", str(tmp_path / "v.yaml")])
    assert result.exit_code == 0, result.output
    written = (tmp_path / "v.yaml").read_text(encoding="utf-8")
    assert parse_cast(written).book.author == author
    assert ("book:" in written) == (author is not None)


def test_a_gutenberg_files_author_is_the_books_without_a_byline():
    text = ("The Project Gutenberg eBook of A Tale\n\nTitle: A Tale\n\nAuthor: Jane Austen\n\n"
            "*** START OF THE PROJECT GUTENBERG EBOOK A TALE ***\n\nCHAPTER I\n\n"
            "\"Hello,\" said Mrs. Grant.\n\n*** END OF THE PROJECT GUTENBERG EBOOK A TALE ***\n")
    book = parse(text, markdown=False)
    assert book.author == "Jane Austen"
    assert parse_cast(to_yaml(discover(book))).book.author == "Jane Austen"
    # Its `Author:` is surer than a byline on the title page.
    paged = text.replace("CHAPTER I", "A TALE\n\nBY WALTER SCOTT\n\nCHAPTER I")
    assert parse(paged, markdown=False).author == "Jane Austen"
