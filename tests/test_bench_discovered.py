"""bench/discovered.py's scoring of a proposed cast against a gold one (pure logic)."""

from audiobook.cast import NARRATOR, Cast, Role
from bench.discovered import compare, counts, wrong_genders


def _cast(*roles: Role) -> Cast:
    return Cast(roles={NARRATOR: Role(NARRATOR, "Narrator"), **{r.id: r for r in roles}})


def test_compare_counts_found_extra_split_and_where_wrong_quotes_went():
    gold = _cast(Role("holmes", "Sherlock Holmes", (), "male"),
                 Role("hudson", "Mrs. Hudson", (), "female"),
                 Role("lestrade", "Lestrade", (), "male"))
    proposed = _cast(Role("holmes", "Holmes", (), "neutral"),
                     Role("sherlock", "Sherlock", (), "male"),
                     Role("hudson", "Mrs. Hudson", (), "female"),
                     Role("the_man", "the man", (), "male"))
    rows = [("holmes", "holmes", "holmes"), ("holmes", "holmes", "sherlock"),
            ("hudson", "hudson", "the_man"), ("lestrade", "lestrade", "hudson"),
            ("hudson", "holmes", None)]
    r = compare("test", gold, proposed, {"holmes", "hudson", "lestrade"}, rows)
    n = counts(r)
    assert (n["found"], n["speakers"], n["roles"], n["extra"], n["split"]) == (2, 3, 4, 1, 1)
    assert (n["proposed"], n["gold"], n["quotes"]) == (2, 4, 5)
    assert {why: a for why, (a, _b) in r["losses"].items()} == {
        "given to an extra role": 1, "speaker not proposed": 1, "quote not parsed": 1}
    assert r["losses"]["quote not parsed"][1] == 0  # the gold cast got it wrong too
    assert wrong_genders(r) == [("holmes", "holmes")]
