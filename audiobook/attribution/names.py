"""Finding cast members in text: names, aliases, titles, possessives.

A role is found by its `name` and `aliases` as written (`Mr. Bennet`), without the title
(`Bennet`), and by its first or last name alone when no other role shares it. A title in
the text picks between roles that share a surname (`Mrs. Bennet` vs `Mr. Bennet`). Names
must be capitalised in the text; an alias written in lower case in the cast (`the surgeon`)
matches in any case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from audiobook.cast import NARRATOR, Cast

# Titles that say the same in another language or a dialect: `Monsieur Poirot` is `Mr.
# Poirot`, `Mis' Hamilton` `Mrs. Hamilton`.
_SAME_TITLE = {"mister": "mr", "monsieur": "mr", "m": "mr", "signor": "mr", "signore": "mr",
               "herr": "mr", "senor": "mr", "señor": "mr", "madame": "mrs", "mme": "mrs",
               "signora": "mrs", "frau": "mrs", "senora": "mrs", "señora": "mrs",
               "mademoiselle": "miss", "mlle": "miss", "signorina": "miss", "fraulein": "miss",
               "fräulein": "miss", "mistah": "mr", "mis'": "mrs", "mis\u2019": "mrs"}
# Titles and the gender they imply (None: either).
TITLES = {
    "mr": "male", "sir": "male", "lord": "male", "master": "male", "uncle": "male",
    "father": "male", "brother": "male", "king": "male", "prince": "male", "count": "male",
    "duke": "male", "baron": "male",
    "mrs": "female", "miss": "female", "ms": "female", "lady": "female", "madam": "female",
    "aunt": "female", "mother": "female", "sister": "female", "queen": "female",
    "princess": "female", "countess": "female", "duchess": "female", "baroness": "female",
    "dame": "female",
    "dr": None, "doctor": None, "captain": None, "colonel": None, "major": None,
    "general": None, "professor": None, "rev": None, "reverend": None, "judge": None,
    "st": None, "saint": None, "parson": None, "squire": "male", "old": None, "young": None,
    "little": None,
}
TITLES |= {title: TITLES[same] for title, same in _SAME_TITLE.items()}  # `Herr` as `Mr.`
# Titles that are not also a way to refer to the person (`the parson` but not `the mr`).
_NOT_NOUNS = {"mr", "mister", "mrs", "miss", "ms", "m", "mme", "mlle", "st", "old", "young",
              "little", "sir", "madam", "rev", "dr", "monsieur", "mademoiselle", "dame", "lady",
              "signor", "signora", "signorina", "herr", "frau", "fraulein", "fräulein",
              "senor", "señor", "senora", "señora", "madame", "mistah", "mis'", "mis\u2019"}
# `Dr. Archie` is also `the doctor`.
_ABBREVIATED_NOUNS = {"dr": "doctor", "rev": "reverend", "prof": "professor", "capt": "captain",
                      "col": "colonel", "gen": "general"}
# Nouns for a speaker that a title contradicts: a girl is not married, a mother or a wife
# is (the titles denying the noun, the titles that allow it even so).
_UNLIKE_TITLES = {
    **dict.fromkeys(("girl", "lass", "maiden"), ({"mrs"}, {"miss"})),
    **dict.fromkeys(("mother", "wife", "widow", "grandmother"), ({"miss"}, {"mrs", "lady"})),
}
# The title a parent named by kin (`his mother`) goes by in the book.
_PARENT_TITLES = {"mother": "mrs", "father": "mr"}
# Titles that are also how the family calls someone: `uncle` alone means `Uncle John`.
_KIN_TITLES = {"uncle", "aunt", "father", "mother", "brother", "sister"}
# Letters a name can start with and go on in, Latin-1 included (`Émile`, `Señora Ruiz`);
# Latin Extended-A mixes its cases, so it counts as both (`Łukasz`, `Dvořák`).
UPPER = "A-ZÀ-ÖØ-Þ\u0100-\u017f"
LOWER = "a-zß-öø-ÿ\u0100-\u017f"
_TOKEN = re.compile(rf"[{UPPER}{LOWER}][\w'\u2019-]*\.?")
_POSSESSIVE = re.compile(r"['\u2019]s?$")
# Articles opening a description used as a name (`The Servant`, `a young nurse`).
_ARTICLES = ("the", "a", "an")
# Letters after a name: `R.N.`, `MD`, `K.C.B.`, `Jr.`
_POST_NOMINAL = re.compile(r"^(?:(?:[A-Z]\.?){2,5}|Jr\.?|Sr\.?|Esq\.?)$")


def _adjacent(text: str, a: tuple, b: tuple) -> bool:
    """Only spaces between two tokens: `Mr. Bennet`, not `Mr., Bennet`."""
    return text[a[1]:b[0]].isspace()


@dataclass(frozen=True)
class Mention:
    role: str
    start: int
    end: int
    text: str


def _key(words: list[str]) -> str:
    return " ".join(w.lower().rstrip(".") for w in words)


def _words(name: str) -> list[str]:
    return re.findall(r"[\w'\u2019.-]+", name)


class NameIndex:
    """Maps every way the text may name a role to that role's id."""

    def __init__(self, cast: Cast):
        self.genders = {r.id: r.gender for r in cast.roles.values()}
        exact: dict[str, set[str]] = {}  # full forms, titles included
        bare: dict[str, set[str]] = {}  # forms without titles, and single name parts
        self.lowercase: set[str] = set()  # forms that match in any case
        primary: dict[str, str] = {}
        self.surnames: dict[str, str] = {}
        self.titled: set[str] = set()
        self.titles: dict[str, set[str]] = {}  # each role's titles (`mrs`, `miss`)
        self.roles_names = {r.id: r.names for r in cast.roles.values()}
        for role in cast.roles.values():
            if role.id == NARRATOR and not role.aliases and role.name.lower() == "narrator":
                continue
            for index, name in enumerate(role.names):
                words = _words(name)
                if not words:
                    continue
                if len(words) > 1 and words[0].lower() in _ARTICLES:
                    # `The Servant`, `An Old Military Man`: a description, not a name. It
                    # matches in any case, never by one of its words, and with `the` too
                    # (`the old military man`); `a servant` is someone new, not `The Servant`.
                    exact.setdefault(_key(words), set()).add(role.id)
                    self.lowercase.add(_key(words))
                    if index == 0:
                        primary[_key(words)] = role.id
                    the = f"the {_key(words[1:])}"  # below a role written `the fellow`
                    bare.setdefault(the, set()).add(role.id)
                    self.lowercase.add(the)
                    continue
                if name == name.lower():
                    self.lowercase.add(_key(words))
                exact.setdefault(_key(words), set()).add(role.id)
                if index == 0:
                    primary[_key(words)] = role.id
                titled = 0
                while titled < len(words) - 1 and words[titled].lower().rstrip(".") in TITLES:
                    titled += 1
                rest = words[titled:]
                while len(rest) > 1 and _POST_NOMINAL.match(rest[-1]):
                    rest = rest[:-1]  # `John Good, R.N.` is `Good`, not `R.N.`
                if index == 0 and (titled or len(rest) > 1):
                    self.surnames[role.id] = rest[-1].lower()
                if index == 0 and titled:
                    self.titled.add(role.id)
                if titled:
                    self.titles.setdefault(role.id, set()).add(words[0].lower().rstrip("."))
                    bare.setdefault(_key(rest), set()).add(role.id)
                    # `Parson Tringham` is also `the parson`; `Mr.` gives no such noun.
                    noun = words[0].lower().rstrip(".")
                    noun = _ABBREVIATED_NOUNS.get(noun, noun)
                    if noun not in _NOT_NOUNS:
                        the = f"the {noun}"
                        bare.setdefault(the, set()).add(role.id)
                        self.lowercase.add(the)
                if len(rest) > 1 and name != name.lower():
                    for part in (rest[0], rest[-1]):
                        if part[:1].isupper() and part.lower().rstrip(".") not in TITLES:
                            bare.setdefault(_key([part]), set()).add(role.id)
        self.kin: dict[str, set[str]] = {}  # `uncle` -> the roles called `Uncle ...`
        for role in cast.roles.values():
            for name in role.names:
                words = _words(name)
                if len(words) > 1 and words[0].lower() in _KIN_TITLES and words[0][0].isupper():
                    self.kin.setdefault(words[0].lower(), set()).add(role.id)
        # `Mrs. John Dashwood` is the wife of `John Dashwood`, whatever else shares the surname.
        self.married: dict[str, str] = {}
        for role in cast.roles.values():
            for name in role.names:
                words = _words(name)
                if len(words) > 2 and words[0].lower().rstrip(".") == "mrs":
                    husbands = exact.get(_key(words[1:]), set()) - {role.id}
                    if len(husbands) == 1:
                        husband = next(iter(husbands))
                        self.married[role.id] = husband
                        self.married[husband] = role.id
        self.exact = exact
        self.bare = bare
        self.primary = primary
        self.max_words = max((len(k.split()) for k in (*exact, *bare)), default=0)
        self.forms = {*exact, *bare}
        self.starts = {k.split()[0] for k in self.forms} | set(TITLES)
        self.prefixes = {" ".join(k.split()[:n]) for k in self.forms
                         for n in range(1, len(k.split()) + 1)}

    def spouse_of(self, role: str) -> str | None:
        """`Mrs. John Dashwood` for `John Dashwood`, else `Mrs. Bennet` for `Mr. Bennet`: the
        one role of the other gender sharing a surname."""
        if role in self.married:
            return self.married[role]
        surname = self.surnames.get(role)
        gender = self.genders.get(role)
        if not surname or gender not in ("male", "female"):
            return None
        others = [r for r, s in self.surnames.items() if s == surname and r != role
                  and self.genders.get(r) not in (gender, "neutral")]
        if len(others) > 1:  # a daughter shares the surname too: the titled one is the spouse
            others = [r for r in others if r in self.titled]
        return others[0] if len(others) == 1 else None

    def parent_of(self, role: str, noun: str) -> str | None:
        """`his mother`, `her father`: the one role called `Mrs.` or `Mr.` and the owner's
        surname, as written (`Mrs. Hamilton` for `Joe Hamilton`)."""
        title = _PARENT_TITLES.get(noun)
        if not title:
            return None
        surnames = {words[-1].lower() for words in map(_words, self.roles_names.get(role, ()))
                    if len(words) > 1}
        found = {r for surname in surnames for r in self.exact.get(f"{title} {surname}", ())}
        found.discard(role)
        return found.pop() if len(found) == 1 else None

    def contradicts(self, role: str, noun: str | None) -> bool:
        """Does a title the book gives the role deny the noun describing a speaker? `the
        girl` is no `Mrs.`, `her mother` no `Miss` (unless also called `Mrs.`)."""
        unlike = _UNLIKE_TITLES.get(noun or "")
        return bool(unlike) and bool(self.titles.get(role, set()) & unlike[0]) and \
            not self.titles.get(role, set()) & unlike[1]

    def kin_role(self, word: str) -> str | None:
        """The one role whose name starts with this family title (`Uncle John` for `uncle`)."""
        roles = self.kin.get(word.lower(), ())
        return next(iter(roles)) if len(roles) == 1 else None

    def _resolve(self, title: str | None, form: str) -> str | None:
        key = _key(form.split())
        if title:
            titled = _key([title, *form.split()])
            if titled in self.exact and len(self.exact[titled]) == 1:
                return next(iter(self.exact[titled]))
        candidates = set(self.exact.get(key, ())) | set(self.bare.get(key, ()))
        if key in self.exact and len(self.exact[key]) == 1 and not title:
            return next(iter(self.exact[key]))
        if title:
            gender = TITLES.get(title.lower().rstrip("."))
            if gender:
                fitting = {r for r in candidates if self.genders.get(r) in (gender, "neutral")}
                if fitting:
                    candidates = fitting
        if len(candidates) == 1:
            return next(iter(candidates))
        if key in self.primary and self.primary[key] in candidates:
            return self.primary[key]
        return None

    def mentions(self, text: str) -> list[Mention]:
        """Named mentions of cast members, in order."""
        if not self.max_words:
            return []
        tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
        found: list[Mention] = []
        i = 0
        starts = self.starts
        while i < len(tokens):
            norm = tokens[i][2].rstrip(".").lower()
            if norm not in starts and _POSSESSIVE.sub("", norm) not in starts:
                i += 1
                continue
            hit = self._match_at(text, tokens, i)
            if hit:
                found.append(hit[0])
                i = hit[1]
            else:
                i += 1
        return found

    def _match_at(self, text: str, tokens: list, i: int) -> tuple[Mention, int] | None:
        word = tokens[i][2]
        norm = word.rstrip(".").lower()
        title = word if norm in TITLES and i + 1 < len(tokens) and \
            _adjacent(text, tokens[i], tokens[i + 1]) else None
        starts = ((i + 1, title), (i, None)) if title else ((i, None),)
        for first, title_word in starts:
            # Grow the phrase while it is the start of some form; keep the ones that are forms.
            candidates = []
            key = ""
            for end in range(first, min(len(tokens), first + self.max_words)):
                if end > first and not _adjacent(text, tokens[end - 1], tokens[end]):
                    break
                norm = tokens[end][2].rstrip(".").lower()
                bare_word = _POSSESSIVE.sub("", norm)
                if (key + " " + bare_word).strip() in self.forms:
                    candidates.append(end)
                key = (key + " " + norm).strip()
                if key not in self.prefixes:
                    break
            for end in reversed(candidates):
                words = [t[2] for t in tokens[first:end + 1]]
                words[-1] = _POSSESSIVE.sub("", words[-1].rstrip("."))
                key = _key(words)
                lowercase = key in self.lowercase
                if not lowercase and not words[0][:1].isupper():
                    continue
                if title_word and not title_word[:1].isupper() and not lowercase:
                    continue
                role = self._resolve(title_word, " ".join(words))
                if role:
                    start = tokens[i if title_word else first][0]
                    stop = tokens[end][1]
                    if text[stop - 1] == "." and tokens[end][2].rstrip(".").lower() not in TITLES:
                        stop -= 1
                    return Mention(role, start, stop, text[start:stop]), end + 1
        return None
