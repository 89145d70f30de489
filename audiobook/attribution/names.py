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

# Titles and the gender they imply (None: either).
TITLES = {
    "mr": "male", "mister": "male", "sir": "male", "lord": "male", "master": "male",
    "monsieur": "male", "m": "male", "uncle": "male", "father": "male", "brother": "male",
    "king": "male", "prince": "male", "count": "male", "duke": "male", "baron": "male",
    "mrs": "female", "miss": "female", "ms": "female", "lady": "female", "madam": "female",
    "madame": "female", "mme": "female", "mlle": "female", "mademoiselle": "female",
    "aunt": "female", "mother": "female", "sister": "female", "queen": "female",
    "princess": "female", "countess": "female", "duchess": "female", "baroness": "female",
    "dame": "female",
    "dr": None, "doctor": None, "captain": None, "colonel": None, "major": None,
    "general": None, "professor": None, "rev": None, "reverend": None, "judge": None,
    "st": None, "saint": None, "parson": None, "squire": "male", "old": None, "young": None,
    "little": None,
}
# Titles that are not also a way to refer to the person (`the parson` but not `the mr`).
_NOT_NOUNS = {"mr", "mister", "mrs", "miss", "ms", "m", "mme", "mlle", "st", "old", "young",
              "little", "sir", "madam", "rev", "dr", "monsieur", "mademoiselle", "dame"}
_TITLE_RE = r"(?:" + "|".join(sorted(TITLES, key=len, reverse=True)) + r")\.?"


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
        for role in cast.roles.values():
            if role.id == NARRATOR and not role.aliases and role.name.lower() == "narrator":
                continue
            for index, name in enumerate(role.names):
                words = _words(name)
                if not words:
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
                if index == 0 and (titled or len(rest) > 1):
                    self.surnames[role.id] = rest[-1].lower()
                if titled:
                    bare.setdefault(_key(rest), set()).add(role.id)
                    # `Parson Tringham` is also `the parson`; `Mr.` gives no such noun.
                    noun = words[0].lower().rstrip(".")
                    if noun not in _NOT_NOUNS:
                        the = f"the {noun}"
                        bare.setdefault(the, set()).add(role.id)
                        self.lowercase.add(the)
                if len(rest) > 1 and name != name.lower():
                    for part in (rest[0], rest[-1]):
                        if part[:1].isupper() and part.lower().rstrip(".") not in TITLES:
                            bare.setdefault(_key([part]), set()).add(role.id)
        self.exact = exact
        self.bare = bare
        self.primary = primary
        forms = sorted({*exact, *bare}, key=len, reverse=True)
        if forms:
            alternatives = "|".join(
                r"\.?\s+".join(re.escape(w) for w in form.split()) for form in forms)
            self._pattern = re.compile(
                rf"(?<![\w'\u2019])(?:({_TITLE_RE})\s+)?({alternatives})"
                rf"(?:['\u2019]s?)?(?![\w'\u2019-])",
                re.IGNORECASE,
            )
        else:
            self._pattern = None

    def spouse_of(self, role: str) -> str | None:
        """`Mrs. Bennet` for `Mr. Bennet`: the one role of the other gender sharing a surname."""
        surname = self.surnames.get(role)
        gender = self.genders.get(role)
        if not surname or gender not in ("male", "female"):
            return None
        others = [r for r, s in self.surnames.items() if s == surname and r != role
                  and self.genders.get(r) not in (gender, "neutral")]
        return others[0] if len(others) == 1 else None

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
        if not self._pattern:
            return []
        found = []
        for m in self._pattern.finditer(text):
            title, form = m.group(1), m.group(2)
            key = _key(form.split())
            if key not in self.lowercase and not form[:1].isupper():
                continue
            if title and not title[:1].isupper() and key not in self.lowercase:
                title = None
            role = self._resolve(title, form)
            if role:
                found.append(Mention(role, m.start(), m.end(), m.group(0)))
        return found

    def role_of(self, word: str) -> str | None:
        """The role a single word names, if exactly one."""
        found = self.mentions(word)
        return found[0].role if len(found) == 1 and found[0].text.strip() else None
