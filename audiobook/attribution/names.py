"""Finding cast members in text: names, aliases, titles, possessives, pronouns."""

from __future__ import annotations

import re
from dataclasses import dataclass

from audiobook.cast import Cast

TITLES = ("mr", "mrs", "miss", "ms", "dr", "sir", "lady", "lord", "madam", "madame", "captain")
PRONOUN_GENDER = {"he": "male", "him": "male", "his": "male", "she": "female", "her": "female"}


@dataclass(frozen=True)
class Mention:
    role: str | None  # role id, or None for a pronoun not yet resolved
    start: int
    end: int
    text: str
    gender: str | None = None  # for pronouns


class NameIndex:
    """Maps every way the text may name a role to that role's id."""

    def __init__(self, cast: Cast):
        forms: dict[str, set[str]] = {}
        for role in cast.roles.values():
            if role.id == "narrator" and not role.aliases and role.name.lower() == "narrator":
                continue
            for name in role.names:
                parts = name.split()
                candidates = {name, *parts} if len(parts) > 1 else {name}
                for form in candidates:
                    if form.lower().rstrip(".") in TITLES:
                        continue
                    forms.setdefault(form.lower(), set()).add(role.id)
        # A first or last name shared by two roles names neither.
        self.forms = {form: ids.pop() for form, ids in forms.items() if len(ids) == 1}
        self.genders = {r.id: r.gender for r in cast.roles.values()}
        alternatives = sorted(self.forms, key=len, reverse=True)
        title = r"(?:(?:" + "|".join(TITLES) + r")\.?\s+)?"
        if alternatives:
            names = "|".join(re.escape(a) for a in alternatives)
            self._pattern = re.compile(
                rf"\b{title}({names})(?:['\u2019]s)?\b", re.IGNORECASE
            )
        else:
            self._pattern = None

    def mentions(self, text: str) -> list[Mention]:
        """Named mentions of cast members, in order (names must be capitalised in text)."""
        if not self._pattern:
            return []
        found = []
        for m in self._pattern.finditer(text):
            word = m.group(1)
            if not word[:1].isupper():
                continue
            found.append(Mention(self.forms[word.lower()], m.start(), m.end(), m.group(0)))
        return found

    def role_of(self, word: str) -> str | None:
        return self.forms.get(word.lower().strip(".,;:!?'\u2019")) if word[:1].isupper() else None
