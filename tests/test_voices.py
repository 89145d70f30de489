"""`audiobook voices list | try | check` (fake engine; its voices are fixed and known)."""

import json

import pytest
from click.testing import CliRunner

from audiobook.cli import cli
from audio_helpers import decode, median_pitch
from conftest import PAD_MS

SCRIPT = (
    "# A Small Book\n\n"
    "## One\n\n"
    "Anna walked in. The room was cold.\n\n"
    '"Hello," said Anna. "Is anyone here at all tonight?"\n\n'
    '"Only me," Ben said.\n'
)
VOICES = (
    "roles:\n"
    "  narrator: {voice: gmw/en-gb-x-rp, rate: 150}\n"
    "  anna: {name: Anna, gender: female, voice: gmw/en-us+f3, rate: 200, pitch: 60}\n"
    "  ben: {name: Ben, gender: male, voice: gmw/en-us, rate: 120, pitch: 40}\n"
    "pronunciations:\n"
    "  Anna: Ah-na\n"
    "  Only: {say: Ownly, match_case: true}\n"
)
VARIANTS_NOTE = (
    "Variants: add +NAME to a voice id, e.g. gmw/en-us+f3 (female) or gmw/en-us+m3 (male). "
    "Names are case-sensitive.\n"
    "  numbered: +f1 +f2 +f3 +f4 +f5 +m1 +m2 +m3 +m4 +m5 +m6 +m7 +m8\n"
    "  named (7): +Alicia +Andrea +Annie +anika +aunty +belinda +steph\n"
)


@pytest.fixture
def book(tmp_path):
    (tmp_path / "book.md").write_text(SCRIPT, encoding="utf-8")
    (tmp_path / "voices.yaml").write_text(VOICES, encoding="utf-8")
    return tmp_path


def invoke(*args):
    return CliRunner().invoke(cli, [*args, "--engine", "fake"])


# --- list ------------------------------------------------------------------------------


def test_list_filters_by_language_prefix_and_explains_variants():
    result = invoke("voices", "list", "--language", "en-gb")
    assert result.exit_code == 0
    assert result.output == (
        "gmw/en-gb-x-rp             en-gb-x-rp                           en-gb-x-rp         -\n"
        "gmw/en-gb-scotland         en-gb-scotland                       en-gb-scotland     -\n"
        "2 voices.\n" + VARIANTS_NOTE
    )


def test_list_json_is_a_list_of_objects_with_ids():
    data = json.loads(invoke("voices", "list", "--json").output)
    assert [v["id"] for v in data] == [
        "gmw/en", "gmw/en-us", "gmw/en-gb-x-rp", "gmw/en-gb-scotland", "gmw/en-029"]
    assert data[1] == {"id": "gmw/en-us", "name": "en-us", "languages": ["en-us"], "gender": None}


def test_list_by_gender_points_to_variants_when_none_match():
    result = invoke("voices", "list", "--gender", "female")
    assert result.output == ("No voice is listed as female; a variant changes the voice, "
                             "e.g. gmw/en-us+f3 sounds female.\n0 voices.\n" + VARIANTS_NOTE)


# --- try -------------------------------------------------------------------------------


def try_(book, cache_dir, *args):
    return invoke("voices", "try", *args, "--voices", str(book / "voices.yaml"), "--script",
                  str(book / "book.md"), "--cache-dir", str(cache_dir))


def test_try_speaks_a_line_the_role_has_with_pronunciations(book, cache_dir):
    out = book / "anna.wav"
    result = try_(book, cache_dir, "anna", "--out", str(out))
    assert result.exit_code == 0, result.output
    # Her first line of five words or more; 300 ms of room tone either side; 6 words at 200.
    assert result.output == (
        f"{out}  0:02.4  anna: gmw/en-us+f3, rate 200, pitch 60, volume 0.9\n"
        "Said: Is anyone here at all tonight?\n"
    )
    assert len(decode(out)) / 22050 == pytest.approx(2.4, abs=0.01)


def test_try_text_shows_respellings_and_numbers_as_spoken(book, cache_dir):
    result = try_(book, cache_dir, "ben", "Only anna paid $3.50\u2014only once.",
                  "--out", str(book / "b.wav"))
    assert result.output.splitlines()[1] == (
        "Said: Ownly Ah-na paid three dollars and fifty cents, only once.")


def test_try_falls_back_to_a_stock_sentence(book, cache_dir):
    # Cara is cast but never speaks in the script.
    text = VOICES.replace("pronunciations:", "  cara: {name: Cara}\npronunciations:")
    (book / "voices.yaml").write_text(text)
    result = try_(book, cache_dir, "cara", "--out", str(book / "c.wav"))
    assert result.output.splitlines()[1] == (
        "Said: The quick brown fox jumps over the lazy dog, then rests in the warm sun.")


def test_try_hears_the_roles_pitch_and_rate(book, cache_dir):
    def measure(pitch, rate):
        (book / "voices.yaml").write_text(
            f"roles:\n  narrator: {{}}\n  ben: {{voice: gmw/en-us, pitch: {pitch}, rate: {rate}}}\n")
        out = book / f"ben-{pitch}-{rate}.wav"
        assert try_(book, cache_dir, "ben", "one two three four five six", "--out",
                    str(out)).exit_code == 0
        x = decode(out)
        return median_pitch(x), len(x) / 22050 - 0.6  # less the room tone either side

    low_pitch, slow = measure(20, 120)
    high_pitch, fast = measure(80, 240)
    # The fake voice's tone is 110 * (0.5 + pitch/100) Hz: 77 and 143 Hz.
    assert low_pitch == pytest.approx(77, rel=0.05) and high_pitch == pytest.approx(143, rel=0.05)
    # ... and the padding to a whole MP3 frame that ends a clip, as it ends a chapter
    assert PAD_MS[0] / 1000 <= slow - 3.0 < PAD_MS[1] / 1000
    assert PAD_MS[0] / 1000 <= fast - 1.5 < PAD_MS[1] / 1000


def test_try_unknown_role_is_one_line(book, cache_dir):
    result = try_(book, cache_dir, "bem")
    assert result.exit_code == 1
    assert result.output == (f"Error: {book / 'voices.yaml'}: unknown role 'bem' "
                             "(did you mean ben? roles: narrator, anna, ben)\n")


def test_try_bad_voice_id_is_one_line(book, cache_dir):
    (book / "voices.yaml").write_text(VOICES.replace("gmw/en-us+f3", "gmw/en-us+F3"))
    result = try_(book, cache_dir, "anna")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {book / 'voices.yaml'}:3: roles.anna.voice: unknown voice variant '+F3' in "
        "'gmw/en-us+F3' (did you mean +m3, +f3?); names are case-sensitive\n")


# --- check -----------------------------------------------------------------------------


def check(book, *args):
    return invoke("voices", "check", str(book / "book.md"), "--voices",
                  str(book / "voices.yaml"), *args)


def test_check_passes_a_good_cast(book):
    result = check(book)
    assert result.exit_code == 0
    assert result.output == (f"{book / 'voices.yaml'}: 3 roles, every voice found; "
                             f"no problems with {book / 'book.md'}\n")


def test_check_lists_every_problem_and_fails(book):
    (book / "book.md").write_text(
        SCRIPT + '\n"Wait," said Dora.\n\n[carol] "Me too."\n', encoding="utf-8")
    (book / "voices.yaml").write_text(
        "roles:\n"
        "  narrator: {voice: gmw/en-gb-x-rpp, rate: 150}\n"
        "  anna: {name: Anna, gender: female, voice: gmw/en-us+F3, rate: 2000, pitch: 60}\n"
        "  ben: {name: Ben, gender: male, voice: gmw/en-us, volume: 1.5}\n"
        "  zed: {name: Zed}\n"
        "pauses: {sentence: -1}\n",
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["voices", "check", str(book / "book.md"), "--voices",
                                      str(book / "voices.yaml"), "--engine", "fake"])
    v, s = book / "voices.yaml", book / "book.md"
    assert result.exit_code == 1
    assert result.stdout == (
        f"{v}:3: roles.anna.rate: 2000 is out of range (80-450)\n"
        f"{v}:4: roles.ben.volume: 1.5 is out of range (0.0-1.0)\n"
        f"{v}:6: pauses.sentence: -1 is out of range (0-60000)\n"
        f"{v}:2: roles.narrator.voice: unknown voice 'gmw/en-gb-x-rpp' (did you mean "
        "gmw/en-gb-x-rp, gmw/en-gb-scotland?); `audiobook voices list` shows them\n"
        f"{v}:3: roles.anna.voice: unknown voice variant '+F3' in 'gmw/en-us+F3' (did you mean "
        "+m3, +f3?); names are case-sensitive\n"
        f"{s}:13: [carol] is not a role in {v}; add it under roles:\n"
        f"{s}:11: 'Dora' speaks but no role is named Dora; add a role with `name: Dora` to {v}\n"
        f"{v}:5: roles.zed: never speaks in {s} (check its name and aliases)\n"
    )
    assert result.stderr == f"Error: 8 problem(s) in {v} and {s}\n"


def test_check_names_a_duplicate_key_by_its_path(book):
    (book / "voices.yaml").write_text(VOICES + "  Anna: Anner\n", encoding="utf-8")
    v = book / "voices.yaml"
    result = CliRunner().invoke(cli, ["voices", "check", str(book / "book.md"), "--voices",
                                      str(v), "--engine", "fake"])
    assert result.stdout == f"{v}:8: pronunciations.Anna: duplicate key (first on line 6)\n"
    assert result.stderr == f"Error: 1 problem(s) in {v} and {book / 'book.md'}\n"


def test_check_of_a_missing_cast_is_one_line(tmp_path):
    result = invoke("voices", "check", "--voices", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nope.yaml'}: no such file (check the --voices path)\n"


def test_check_without_voices_and_no_cast_here_says_how_to_get_one():
    # It said `voices.yaml: no such file (check the --voices path)`, of a --voices never given.
    for args, script in (([], "SCRIPT"), (["story.md"], "story.md")):
        result = invoke("voices", "check", *args)
        assert result.exit_code == 1
        assert result.output == ("Error: no ./voices.yaml here: give --voices FILE, or write one "
                                 f"with `audiobook cast {script} --write voices.yaml`\n")
