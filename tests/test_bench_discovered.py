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


def test_pdnc_gold_tags_forces_tagged_quotes_and_scores_the_rest(tmp_path):
    from bench.pdnc import score

    text = '"Hello, Ann," said the stranger.\n\n"Hello."\n\n"Are you well?"\n\nNo more.\n\n'
    spans = [(text.index(q), text.index(q) + len(q)) for q in ("Hello, Ann", "Hello.",
                                                                "Are you well?")]
    (tmp_path / "text.txt").write_text(text)
    (tmp_path / "characters.csv").write_text(
        "Main Name,Aliases,Gender\nTom,[],M\nAnn,[],F\nBob,[],M\n")
    (tmp_path / "quotes.tsv").write_text(
        f"Q0\t[{list(spans[0])}]\tBob\tthe stranger\n"
        f"Q1\t[{list(spans[1])}]\tAnn\tnan\nQ2\t[{list(spans[2])}]\tBob\tnan\n")
    _name, plain = score(tmp_path)
    _name, forced = score(tmp_path, gold_tags=True)
    # As read, `the stranger` is no one of the cast, so the talk alternates from nobody.
    assert [(gold, chosen == gold) for gold, chosen, _r, _t in plain][0] == ("bob", False)
    # Told the stranger is Bob, only the untagged quotes are scored: Ann answers, then Bob.
    assert [(gold, chosen) for gold, chosen, _r, _t in forced] == [("ann", "ann"),
                                                                   ("bob", "bob")]
