"""Text made for speech. Pure functions over strings.

- `split_sentences`: prose -> sentences, not fooled by `Mr.`, initials or decimals.
- `Respeller`: the cast's pronunciation fixes, applied in one regex pass.
- `normalize_for_speech`: dashes and ellipses become short pauses (commas, which espeak
  voices as a clause break); numbers, ordinals, years, times and money become words;
  titles before a name (`Rev.`, `Col.`) and a king's numeral (`Henry VIII`) are said.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import NamedTuple

# --- sentences -------------------------------------------------------------------------

# Words that end in a period without ending a sentence.
ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr prof rev gen col capt lt sgt mt ft vs e.g i.e approx".split()
)
# Capitalised titles that end no sentence before a capital (`the Hon. John Yates`); in lower
# case they may (`Come here, hon.`).
TITLE_ABBREVIATIONS = frozenset("Hon Maj Gov Adm".split())
# Abbreviations only when a number follows (`No. 5`), since "no." often ends a sentence.
NUMBER_ABBREVIATIONS = frozenset("no vol fig p pp ch".split())

# A sentence ends at . ! ? or … (with closing quotes/brackets) followed by space and a
# capital, digit or opening quote.
_BOUNDARY = re.compile(r"([.!?\u2026]+[\"'\u201d\u2019)\]]*)\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")
_INITIALS = re.compile(r"(?:[a-z]\.)*[a-z]")  # `j`, `u.s`, `j.r.r`


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences; `Mr.`, initials (`J. R.`, `U.S.`) and decimals do not end one."""
    sentences: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end(1)
        before = text[start:end]
        word = re.search(r"(\S+)$", before)
        token = word.group(1).rstrip(".").lower() if word else ""
        if m.group(1) == ".":
            if token in ABBREVIATIONS or _INITIALS.fullmatch(token) or \
                    word.group(1).rstrip(".") in TITLE_ABBREVIATIONS:
                continue  # `Mr. Smith`, `J. Smith`, `the U.S. Army`
            if token in NUMBER_ABBREVIATIONS and text[m.end():m.end() + 1].isdigit():
                continue  # `No. 5`
        sentences.append(text[start:end].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


# --- pronunciations --------------------------------------------------------------------


class Pronunciation(NamedTuple):
    word: str  # as written in the script: a word or a phrase
    say: str  # the respelling the engine is given
    match_case: bool = False  # True: only this exact capitalisation


class Respeller:
    """Replace whole words and phrases by their respellings in one pass over the text.

    All entries go into a single alternation (longest first, so `New York City` beats
    `New York`); case-insensitive entries sit in a scoped `(?i:...)` group.
    """

    def __init__(self, entries: Iterable[Pronunciation]):
        entries = list(entries)
        self.exact = {_squash(e.word): e.say for e in entries if e.match_case}
        self.folded = {_squash(e.word).casefold(): e.say for e in entries if not e.match_case}
        ordered = sorted(entries, key=lambda e: (-len(e.word), not e.match_case))
        alternatives = [
            _phrase_pattern(e.word) if e.match_case else f"(?i:{_phrase_pattern(e.word)})"
            for e in ordered
        ]
        self.pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)") if entries else None
        )

    def _replace(self, match: re.Match) -> str:
        found = _squash(match.group(0))
        say = self.exact.get(found)
        return say if say is not None else self.folded[found.casefold()]

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self._replace, text) if self.pattern else text


def _squash(phrase: str) -> str:
    return " ".join(phrase.split())


def _phrase_pattern(phrase: str) -> str:
    """Words of a phrase match across any run of whitespace (a line break in the script)."""
    return r"\s+".join(re.escape(word) for word in phrase.split())


@functools.lru_cache(maxsize=8)
def respeller(entries: tuple[Pronunciation, ...]) -> Respeller:
    """The compiled respeller for a cast's entries, built once per cast."""
    return Respeller(entries)


# --- numbers as words ------------------------------------------------------------------

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_ORDINAL_WORDS = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                  "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}


def _under_hundred(n: int) -> str:
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")


def _under_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return _under_hundred(rest)
    words = f"{_ONES[hundreds]} hundred"
    return f"{words} and {_under_hundred(rest)}" if rest else words


def number_words(n: int) -> str:
    """327 -> 'three hundred and twenty-seven'; 1,000,005 -> 'one million and five'."""
    if n < 0:
        return "minus " + number_words(-n)
    if n < 1000:
        return _under_thousand(n)
    parts = []
    for value, name in _SCALES:
        if n >= value:
            count, n = divmod(n, value)
            parts.append(f"{number_words(count)} {name}")
    if n:
        parts.append(("and " if n < 100 else "") + _under_thousand(n))
    return " ".join(parts)


def ordinal_words(n: int) -> str:
    """21 -> 'twenty-first'."""
    words = number_words(n)
    head, sep, last = words.rpartition("-" if "-" in words.split(" ")[-1] else " ")
    if last in _ORDINAL_WORDS:
        last = _ORDINAL_WORDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


def year_words(n: int) -> str:
    """1999 -> 'nineteen ninety-nine', 1905 -> 'nineteen oh five', 2008 -> 'two thousand and eight'."""
    high, low = divmod(n, 100)
    if 2000 <= n < 2010:
        return number_words(n)
    if low == 0:
        return f"{number_words(high)} hundred"
    if low < 10:
        return f"{number_words(high)} oh {_ONES[low]}"
    return f"{number_words(high)} {_under_hundred(low)}"


def _digits(text: str) -> str:
    return " ".join(_ONES[int(d)] for d in text)


def decimal_words(text: str) -> str:
    """'3.14' -> 'three point one four'; '1,250' -> 'one thousand two hundred and fifty'."""
    whole, _, fraction = text.replace(",", "").partition(".")
    words = number_words(int(whole or "0"))
    return f"{words} point {_digits(fraction)}" if fraction else words


_CURRENCIES = {"$": ("dollar", "dollars", "cent", "cents"),
               "£": ("pound", "pounds", "penny", "pence"),
               "€": ("euro", "euros", "cent", "cents")}
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MONEY = re.compile(rf"([$£€])({_NUMBER})(?:\s+(thousand|million|billion|trillion)\b)?")
_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b", re.IGNORECASE)
_DECADE = re.compile(r"\b(1[1-9]|20)(\d0)['\u2019]?s\b")
_YEAR = re.compile(r"(?<![\d.,])\b(1[1-9]\d\d|20\d\d)\b(?![.,]\d)")
# Before 1100 a number is a year only where the words say so (`in 1066`, `the year 1010`)
# and no plural follows (`in 1050 ships` is a count); 1000 itself stays "one thousand".
_EARLY_YEAR = re.compile(
    r"\b((?:[Ii]n|[Ss]ince|until|year|AD|A\.D\.)\s)(10(?!00)\d\d)\b"
    r"(?![.,]\d|\s?%|\s+[a-z]+s\b)")
# Phone numbers: `555-1234`, `555-234-5678`, `(555) 234-5678`; said digit by digit. The
# exchange starts 2-9 (as in North America) and the line number is not a round hundred,
# so `100-1000` and `500-1200` stay ranges.
_PHONE = re.compile(
    r"(?<![\w-])(?:\((\d{3})\)\s?|(\d{3})-)?([2-9]\d\d)-(?!\d\d00\b)(\d{4})(?![\w-])")
_TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b")
_PERCENT = re.compile(rf"({_NUMBER})\s?%")
_RANGE = re.compile(r"(\d)\s?[\u2013-]\s?(?=\d)")
_PLAIN = re.compile(rf"(?<![\w.,])({_NUMBER})(?!\w|[.,]\d)")


def _money(match: re.Match) -> str:
    one, many, small_one, small_many = _CURRENCIES[match.group(1)]
    amount, scale = match.group(2).replace(",", ""), match.group(3)
    if scale:
        return f"{decimal_words(amount)} {scale} {many}"
    whole, _, cents = amount.partition(".")
    units = int(whole)
    if len(cents) != 2:  # `$3.5` is not a price: read the number
        return f"{decimal_words(amount)} {one if amount == '1' else many}"
    parts = [f"{number_words(units)} {one if units == 1 else many}"] if units else []
    if int(cents):
        parts.append(f"{number_words(int(cents))} {small_one if int(cents) == 1 else small_many}")
    return " and ".join(parts) or f"zero {many}"


def _decade(match: re.Match) -> str:
    words = year_words(int(match.group(1) + match.group(2)))
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def _time(match: re.Match) -> str:
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes == 0:
        return f"{number_words(hours)} o'clock"
    tail = f"oh {_ONES[minutes]}" if minutes < 10 else _under_hundred(minutes)
    return f"{number_words(hours)} {tail}"


def _phone(match: re.Match) -> str:
    groups = [g for g in match.groups() if g]
    return ", ".join(_digits(g) for g in groups)


def numbers_to_words(text: str) -> str:
    """Money, percentages, ordinals, decades, years, times, phone numbers and plain
    numbers as spoken."""
    text = _PHONE.sub(_phone, text)
    text = _MONEY.sub(_money, text)
    text = _PERCENT.sub(lambda m: f"{decimal_words(m.group(1))} percent", text)
    text = _ORDINAL.sub(lambda m: ordinal_words(int(m.group(1))), text)
    text = _DECADE.sub(_decade, text)
    text = _TIME.sub(_time, text)
    text = _RANGE.sub(r"\1 to ", text)
    text = _YEAR.sub(lambda m: year_words(int(m.group(1))), text)
    text = _EARLY_YEAR.sub(lambda m: m.group(1) + year_words(int(m.group(2))), text)
    return _PLAIN.sub(lambda m: decimal_words(m.group(1)), text)


_ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}
_STRICT_ROMAN = r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
# A numeral after a heading word opening the title or following another heading
# (`CHAPTER IX`, `VOLUME II CHAPTER IV`, `CHAPTER IV\u2014THE END`; not `The Letter I Never
# Sent`), or one alone or before `.`/`:` opening a title (`I: THE HAMILTONS`, no `D` or `M`:
# not `MIX`): espeak says "roman nine" and reads a lone `I` as the pronoun.
_KEYWORD_NUMERAL = re.compile(
    rf"(?:CHAPTER|BOOK|PART|VOLUME|STAVE|LETTER)\s+(?=[MDCLXVI])({_STRICT_ROMAN})"
    r"(?=$|[\s.:,;\u2014\u2013]|-(?:\s|$))[\s.:,;\u2014\u2013-]*", re.IGNORECASE)
_BARE_NUMERAL = re.compile(r"^(?=[CLXVI])(C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))(?=$|[.:])")


def roman_value(numeral: str) -> int:
    values = [_ROMAN_VALUES[c] for c in numeral.upper()]
    return sum(-v if v < after else v for v, after in zip(values, values[1:] + [0]))


def heading_words(title: str) -> str:
    """A chapter title as said: `CHAPTER IX` -> `CHAPTER nine`, `I: THE HAMILTONS` ->
    `one: THE HAMILTONS`; each heading of `PART I: MOSQUE. CHAPTER I` (a part's heading kept
    in its first chapter's title) is said so."""
    return ". ".join(_heading_words(piece) for piece in title.split(". "))


def _said(m: re.Match) -> str:
    numeral = m.group(1)
    if not numeral.isupper():  # `Chapter iv` is no heading's numeral as books print them
        return m.group(0)
    return m.group(0)[:m.start(1) - m.start()] + number_words(roman_value(numeral)) + \
        m.group(0)[m.end(1) - m.start():]


def _heading_words(title: str) -> str:
    said, at = [], 0
    while m := _KEYWORD_NUMERAL.match(title, at):  # one heading after another
        said.append(_said(m))
        at = m.end()
    if said:
        return "".join(said) + title[at:]
    return _BARE_NUMERAL.sub(_said, title)


# --- titles and kings' numerals in running text -----------------------------------------

# espeak-ng says `Mr.`, `Mrs.`, `Dr.` and `St.` as words, but these as written (`Rev.` is
# "rev", `Col.` "col") or spelled out (`Lt.` "L T", `Jr.` "J R"); only capitalised and
# before a capitalised name (`Rev. Mr. Collins`), so `rev.` and `Gen. 3` stay as they are.
_TITLES = {"Rev": "Reverend", "Col": "Colonel", "Capt": "Captain", "Gen": "General",
           "Prof": "Professor", "Hon": "Honourable", "Lt": "Lieutenant", "Sgt": "Sergeant",
           "Maj": "Major", "Gov": "Governor", "Adm": "Admiral"}
_TITLE = re.compile(rf"(?<![\w.])({'|'.join(_TITLES)})\.(?=\s+([A-Z]\w*))")
# `Hon. Secretary`, `Hon. Treasurer`: an honorary officer, not the Honourable.
_OFFICES = frozenset({"Secretary", "Treasurer", "Sec", "Treas"})
# After a capitalised name: `John Smith, Jr.`, `Sir Thomas Sr.`; `Sr.` before a name is a
# Señor or a Sister (`Sr. Lopez`) and stays.
_SUFFIX = re.compile(r"\b([A-Z][a-z]+,?\s+)(?:(Jr)\.|Sr\.(?!\s+[A-Z]))")
# A king's, queen's or pope's numeral (`Henry VIII` -> Henry the eighth, `George III's`):
# only after one of these names, so `World War II` and `Part II` stay, and only of two
# letters or more: `I` is the pronoun (`I told James I would`), a lone `V` or `X` too often
# a letter (`Malcolm X`).
_REGNAL_NAMES = frozenset("""Henry George Edward William Charles James Richard John Louis
    Philip Frederick Peter Alexander Nicholas Napoleon Pius Leo Gregory Innocent Clement
    Benedict Boniface Urban Paul Sixtus Julius Elizabeth Mary Anne Victoria Catherine Alfonso
    Ferdinand Francis Joseph Leopold Ludwig Wilhelm Friedrich Gustavus Gustav Christian Olaf
    Rudolf Otto Conrad Pedro Carlos Philippe Henri Stephen David Robert Alfred Edmund Harold
    Ivan Constantine Ptolemy Ramses Rameses Michael Umberto Emmanuel Manuel Juan Felipe
    Fernando Karl Frederic Hugh Baldwin Malcolm Kenneth Duncan Donald Theodore""".split())
_REGNAL = re.compile(r"(?<![\w.])(" + "|".join(sorted(_REGNAL_NAMES)) + r")(\s+)"
                     r"(?=[IVX]{2})(X{0,3}(?:IX|IV|V?I{0,3}))(?=['\u2019]s\b|[^\w'\u2019-]|$)")


def _suffix(m: re.Match) -> str:
    word = "Junior" if m.group(2) else "Senior"
    at_end = not m.string[m.end():].strip()  # a sentence's last word keeps its full stop
    return m.group(1) + word + ("." if at_end else "")


def spoken_titles(text: str) -> str:
    """`Rev. Collins` -> `Reverend Collins`, `John Smith, Jr.` -> `John Smith, Junior.`,
    `Henry VIII's` -> `Henry the eighth's`."""
    text = _TITLE.sub(lambda m: "Honorary" if m.group(1) == "Hon" and m.group(2) in _OFFICES
                      else _TITLES[m.group(1)], text)
    text = _SUFFIX.sub(_suffix, text)
    return _REGNAL.sub(lambda m: f"{m.group(1)}{m.group(2)}the "
                       f"{ordinal_words(roman_value(m.group(3)))}", text)


# --- pauses ----------------------------------------------------------------------------

_ELLIPSIS = r"(?:\u2026|\.\s?\.\s?\.)"
_DASH = r"(?:\u2014|\u2015|--|\s\u2013\s)"  # em dash, horizontal bar, `--`, spaced en dash
_LEADING_PAUSE = re.compile(rf"^\s*(?:{_ELLIPSIS}|{_DASH})+\s*")
_TRAILING_PAUSE = re.compile(rf"\s*(?:{_ELLIPSIS}|{_DASH})+(?P<close>[\"'\u201d\u2019)\]]*)\s*$")
_INNER_PAUSE = re.compile(rf"\s*,?\s*(?:{_ELLIPSIS}|{_DASH})+\s*")


def pauses_to_commas(text: str) -> str:
    """`else—perhaps pain—flickering` -> `else, perhaps pain, flickering`; a trailing
    dash or ellipsis (speech breaking off) becomes a full stop, a leading one vanishes."""
    text = _LEADING_PAUSE.sub("", text)
    text = _TRAILING_PAUSE.sub(lambda m: "." + m.group("close"), text)
    text = _INNER_PAUSE.sub(", ", text)
    return re.sub(r",\s*([,.!?;:])", r"\1", text)  # no comma right before other punctuation


# A contraction printed apart from its word, as in older books (`did n't`, `It 's`,
# `we 've`): espeak reads it alone as letters (`ent`, `es`, `vee`); `'em`, `'tis` and a
# quoted letter (`an 's'`) are not it.
_DETACHED_CONTRACTION = re.compile(
    r"(?<=(\w)) +(n['\u2019]t|['\u2019](?:s|ve|ll|re|d|m))(?![\w'\u2019])", re.IGNORECASE)


def _join(m: re.Match) -> str:
    # In capitals after a lower-case word it is a nested quote's stutter (`said 'D-don't'`,
    # `'M-mother'`, `'S... stop'`), not `IT 'S`.
    stutter = m.group(2)[-1].isupper() and m.group(1).islower()
    return m.group() if stutter else m.group(2)


def joined_contractions(text: str) -> str:
    """`I did n't think it 's so` -> `I didn't think it's so`."""
    return _DETACHED_CONTRACTION.sub(_join, text)


def normalize_for_speech(text: str) -> str:
    """What the engine should be given for `text`, a sentence as written."""
    return pauses_to_commas(numbers_to_words(spoken_titles(joined_contractions(text))))
