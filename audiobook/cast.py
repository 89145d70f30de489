"""voices.yaml -> Cast. Validation names the file, the line, the key path and the bad value."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import yaml

from audiobook.decode import bom_codec, line_of
from audiobook.errors import CastError, located, read_user_file
from audiobook.text import Pronunciation

NARRATOR = "narrator"
GENDERS = ("female", "male", "neutral")


@dataclass(frozen=True)
class Voice:
    """Everything about a role that changes its sound."""

    voice: str = "gmw/en-us"
    rate: int = 165  # words per minute
    pitch: int = 50  # 0-100
    volume: float = 0.9  # 0.0-1.0


@dataclass(frozen=True)
class Pauses:
    """Silence, in milliseconds, at each kind of boundary."""

    sentence: int = 350
    paragraph: int = 750
    speaker_change: int = 500
    scene: int = 1600
    chapter_start: int = 750  # room tone before the chapter title
    chapter_end: int = 2500  # room tone after the last word


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    gender: str = "neutral"
    voice: Voice = field(default_factory=Voice)
    pauses: tuple[tuple[str, int], ...] = ()  # (key, ms) overriding the cast's pauses

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class BookMeta:
    """What the tags say about the book (voices.yaml `book:`); None means untold."""

    title: str | None = None  # None: the script's title
    author: str | None = None
    narrator: str | None = None  # narration credit
    cover: str | None = None  # absolute path of a JPEG or PNG
    year: int | None = None
    description: str | None = None
    language: str | None = None  # e.g. "en" or "en-GB"


@dataclass(frozen=True)
class Cast:
    roles: dict[str, Role]
    pauses: Pauses = field(default_factory=Pauses)
    book: BookMeta = field(default_factory=BookMeta)
    pronunciations: tuple[Pronunciation, ...] = ()
    source: str = "voices.yaml"
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # key path -> line

    def pauses_for(self, role_id: str) -> Pauses:
        """The cast's pauses with the role's own `pauses:` laid over them."""
        role = self.roles.get(role_id)
        return replace(self.pauses, **dict(role.pauses)) if role and role.pauses else self.pauses

    @property
    def narrator(self) -> Role:
        return self.roles[NARRATOR]

    @property
    def characters(self) -> list[Role]:
        return [r for r in self.roles.values() if r.id != NARRATOR]

    def line_of(self, path: str) -> int | None:
        return self.lines.get(path)


# Default voices by gender keep an uncast-looking role audibly different.
_DEFAULT_VOICE_BY_GENDER = {"female": "gmw/en-us+f3", "male": "gmw/en-us", "neutral": "gmw/en-us"}
_ROLE_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


# --- YAML with line numbers ------------------------------------------------------------


class _Mapping(dict):
    """A dict that remembers the line of each key."""

    line: int = 0
    key_lines: dict
    duplicates: dict  # key -> (line, line of its first use): reported with the key's path


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines, mapping.duplicates = {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise _Invalid(line, "", f"key {key!r} is not a string")
        if key in mapping:  # reported by _Validator.mapping, which knows the key's path
            mapping.duplicates.setdefault(key, (line, mapping.key_lines[key]))
            continue
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Invalid(Exception):
    def __init__(self, line, path, message):
        super().__init__(message)
        self.line, self.path, self.message = line, path, message


# --- validation ------------------------------------------------------------------------

_TOP_KEYS = ("roles", "pauses", "book", "pronunciations")
_ROLE_KEYS = ("name", "aliases", "gender", "voice", "rate", "pitch", "volume", "pauses")


def _type_name(value) -> str:
    return {str: "a string", int: "a whole number", float: "a number", bool: "true/false",
            list: "a list", type(None): "empty"}.get(type(value), "a mapping")


def _key_path(path: str, key: str) -> str:
    """`roles.narrator`; an empty or blank key shows as `""`, not as nothing."""
    shown = key if key.strip() else f'"{key}"'
    return f"{path}.{shown}" if path else shown


class _Validator:
    def __init__(self):
        self.lines: dict[str, int] = {}

    def mapping(self, value, path, line, allowed=None) -> dict:
        if not isinstance(value, dict):
            raise _Invalid(line, path, f"must be a mapping, not {_type_name(value)}")
        duplicates = sorted((at, first, key) for key, (at, first) in
                            getattr(value, "duplicates", {}).items())
        if duplicates:
            at, first, key = duplicates[0]
            raise _Invalid(at, _key_path(path, key), f"duplicate key (first on line {first})")
        for key in value:
            key_path = _key_path(path, key)
            key_line = value.key_lines.get(key, line) if isinstance(value, _Mapping) else line
            self.lines[key_path] = key_line
            if allowed is not None and key not in allowed:
                raise _Invalid(
                    key_line, key_path, f"unknown key (expected one of: {', '.join(allowed)})"
                )
        return value

    def line(self, path, fallback):
        return self.lines.get(path, fallback)

    def number(self, value, path, line, kind, low, high):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        ok = ok and math.isfinite(value)  # YAML's .nan and .inf are floats too
        if kind is int and ok and float(value) != int(value):
            ok = False
        if not ok:
            want = "a whole number" if kind is int else "a number"
            raise _Invalid(line, path, f"{value!r} must be {want}")
        if not low <= value <= high:
            raise _Invalid(line, path, f"{value!r} is out of range ({low}-{high})")
        return kind(value)

    def string(self, value, path, line):
        if not isinstance(value, str) or not value.strip():
            raise _Invalid(line, path, f"{value!r} must be a non-empty string")
        return value.strip()


def _role(v: _Validator, role_id: str, data, line: int) -> Role:
    path = _key_path("roles", role_id)
    if not _ROLE_ID.match(role_id):
        raise _Invalid(line, path, "role ids are lowercase letters, digits, '-' or '_'")
    if data is None:
        data = _Mapping()
        data.key_lines, data.duplicates = {}, {}
    data = v.mapping(data, path, line, _ROLE_KEYS)
    at = lambda key: v.line(f"{path}.{key}", line)  # noqa: E731
    name = v.string(data["name"], f"{path}.name", at("name")) if "name" in data else (
        role_id.replace("_", " ").replace("-", " ").title()
    )
    aliases = data.get("aliases", [])
    if aliases is None:
        aliases = []
    if not isinstance(aliases, list):
        raise _Invalid(at("aliases"), f"{path}.aliases", f"{aliases!r} must be a list of names")
    aliases = tuple(v.string(a, f"{path}.aliases", at("aliases")) for a in aliases)
    gender = data.get("gender", "neutral")
    if gender not in GENDERS:
        raise _Invalid(
            at("gender"), f"{path}.gender", f"{gender!r} must be one of: {', '.join(GENDERS)}"
        )
    default = Voice(voice=_DEFAULT_VOICE_BY_GENDER[gender])
    voice = Voice(
        voice=v.string(data["voice"], f"{path}.voice", at("voice"))
        if "voice" in data else default.voice,
        rate=v.number(data.get("rate", default.rate), f"{path}.rate", at("rate"), int, 80, 450),
        pitch=v.number(data.get("pitch", default.pitch), f"{path}.pitch", at("pitch"), int, 0, 100),
        volume=v.number(
            data.get("volume", default.volume), f"{path}.volume", at("volume"), float, 0.0, 1.0
        ),
    )
    pauses = (tuple(_pause_values(v, data["pauses"], f"{path}.pauses", at("pauses")).items())
              if "pauses" in data else ())
    return Role(role_id, name, aliases, gender, voice, pauses)


def _pause_values(v: _Validator, data, path: str, line: int) -> dict[str, int]:
    names = [f.name for f in fields(Pauses)]
    data = v.mapping(data, path, line, names)
    return {
        key: v.number(value, f"{path}.{key}", v.line(f"{path}.{key}", line), int, 0, 60000)
        for key, value in data.items()
    }


def _pauses(v: _Validator, data, line: int) -> Pauses:
    return replace(Pauses(), **_pause_values(v, data, "pauses", line))


def _pronunciations(v: _Validator, data, line: int) -> tuple[Pronunciation, ...]:
    """`word: respelling`, or `word: {say: respelling, match_case: true}`."""
    data = v.mapping(data, "pronunciations", line)
    entries, seen = [], {}
    for word, value in data.items():
        path = _key_path("pronunciations", word)
        at = v.line(path, line)
        if not word.strip():
            raise _Invalid(at, path, "empty key; write the word or phrase to respell")
        word = v.string(word, path, at)
        match_case = False
        if isinstance(value, dict):
            value = v.mapping(value, path, at, ("say", "match_case"))
            if "say" not in value:
                raise _Invalid(at, path, "needs `say:` (the respelling)")
            match_case = value.get("match_case", False)
            if not isinstance(match_case, bool):
                raise _Invalid(v.line(f"{path}.match_case", at), f"{path}.match_case",
                               f"{match_case!r} must be true or false")
            value = value["say"]
        say = v.string(value, path, at)
        folded = " ".join(word.split()) if match_case else " ".join(word.split()).casefold()
        if (folded, match_case) in seen:
            raise _Invalid(at, path, f"same word as line {seen[folded, match_case]} "
                           "(entries match any case unless `match_case: true`)")
        seen[folded, match_case] = at
        entries.append(Pronunciation(word, say, match_case))
    return tuple(entries)


_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _book(v: _Validator, data, line: int, source: str) -> BookMeta:
    names = [f.name for f in fields(BookMeta)]
    data = v.mapping(data, "book", line, names)
    at = lambda key: v.line(f"book.{key}", line)  # noqa: E731
    values = {
        key: v.string(value, f"book.{key}", at(key))
        for key, value in data.items() if key not in ("year", "cover")
    }
    if "year" in data:
        values["year"] = v.number(data["year"], "book.year", at("year"), int, 1000, 9999)
    if "language" in values and not _LANGUAGE.match(values["language"]):
        raise _Invalid(at("language"), "book.language",
                       f"{values['language']!r} must be a language code like en or en-GB")
    if "cover" in data:
        cover = Path(source).parent / v.string(data["cover"], "book.cover", at("cover"))
        if cover.suffix.lower() not in (".jpg", ".jpeg", ".png"):
            raise _Invalid(at("cover"), "book.cover", f"{cover.name}: must be a .jpg or .png")
        if not cover.is_file():
            raise _Invalid(at("cover"), "book.cover", f"no such file: {cover}")
        values["cover"] = str(cover.resolve())
    return BookMeta(**values)


def parse_cast(text: str, source: str = "voices.yaml") -> Cast:
    """Validate voices.yaml text. Raises CastError naming source, line and key path."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except _Invalid as bad:
        raise CastError(located(source, bad.line, f"{bad.path}: {bad.message}")) from None
    except yaml.YAMLError as bad:
        mark = getattr(bad, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(bad, "problem", None) or str(bad)
        raise CastError(located(source, line, f"not valid YAML: {problem}")) from None
    v = _Validator()
    try:
        if data is None:
            raise _Invalid(1, "roles", "the file is empty; it needs a `roles:` section")
        data = v.mapping(data, "", 1, _TOP_KEYS)
        if "roles" not in data:
            raise _Invalid(1, "roles", "missing; every cast needs `roles:` with a `narrator`")
        roles_line = v.line("roles", 1)
        roles_data = v.mapping(data["roles"], "roles", roles_line)
        if NARRATOR not in roles_data:
            raise _Invalid(roles_line, "roles.narrator", "missing; the narrator role is required")
        roles = {
            role_id: _role(v, role_id, value, v.line(_key_path("roles", role_id), roles_line))
            for role_id, value in roles_data.items()
        }
        pauses = _pauses(v, data["pauses"], v.line("pauses", 1)) if "pauses" in data else Pauses()
        book = _book(v, data["book"], v.line("book", 1), source) if "book" in data else BookMeta()
        pronunciations = (_pronunciations(v, data["pronunciations"], v.line("pronunciations", 1))
                          if data.get("pronunciations") is not None else ())
    except _Invalid as bad:
        message = f"{bad.path}: {bad.message}" if bad.path else bad.message
        raise CastError(located(source, bad.line, message)) from None
    return Cast(roles=roles, pauses=pauses, book=book, pronunciations=pronunciations,
                source=source, lines=v.lines)


def read_cast_text(path: str | Path) -> str:
    """voices.yaml's text: UTF-8, or UTF-16/32 with its BOM (as Notepad's "Unicode" saves);
    anything else is an error naming the line to look at."""
    data = read_user_file(path, CastError, "no such file (check the --voices path)")
    codec = bom_codec(data) or "utf-8"
    try:
        return data.decode(codec)
    except UnicodeDecodeError as bad:
        raise CastError(located(path, line_of(data, bad.start),
                                f"not {codec.upper()} text (save the file as UTF-8)")) from None


def load_cast(path: str | Path) -> Cast:
    return parse_cast(read_cast_text(path), str(path))


def default_cast() -> Cast:
    """A narrator-only cast, for books read without a voices.yaml."""
    return Cast(roles={NARRATOR: Role(NARRATOR, "Narrator")},
                source="the narrator-only cast used without --voices")


def check_cast_text(text: str, source: str = "voices.yaml") -> tuple[Cast, list[str]]:
    """Like parse_cast, but lists every problem instead of stopping at the first.

    Each key is validated on its own, so one bad value does not hide the next. Returns the
    cast built from the valid parts (bad values fall back to defaults; a missing narrator
    gets the default one) and the problems as `file:line: key: message`.
    """
    try:
        return parse_cast(text, source), []
    except CastError as first:
        first_problem = str(first)
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except (_Invalid, yaml.YAMLError):
        return default_cast(), [first_problem]  # not YAML: nothing more can be checked
    if not isinstance(data, _Mapping):
        return default_cast(), [first_problem]
    v, problems = _Validator(), []

    def valid(check, *args) -> bool:
        try:
            check(*args)
            return True
        except _Invalid as bad:
            message = f"{bad.path}: {bad.message}" if bad.path else bad.message
            problems.append((bad.line or 0, located(source, bad.line, message)))
            return False

    def only(mapping: _Mapping, keys) -> _Mapping:
        sub = _Mapping({k: mapping[k] for k in keys})
        sub.line, sub.key_lines = mapping.line, {k: mapping.key_lines[k] for k in keys}
        sub.duplicates = {k: d for k, d in mapping.duplicates.items() if k in keys}
        return sub

    def valid_part(value, check):
        """`value` without the keys that fail `check` on their own; None if it is no mapping."""
        if not isinstance(value, _Mapping):
            valid(check, value)
            return None
        return only(value, [k for k in value if valid(check, only(value, [k]))])

    top = valid_part(data, lambda m: v.mapping(m, "", 1, _TOP_KEYS))
    line = lambda key: v.line(key, 1)  # noqa: E731
    roles = {}
    roles_data = valid_part(top.get("roles"), lambda m: v.mapping(m, "roles", line("roles")))
    for role_id, value in (roles_data or {}).items():
        at = v.line(_key_path("roles", role_id), line("roles"))
        if not valid(_role, v, role_id, None, at):  # a bad role id fails every key
            continue
        good = valid_part(value, lambda m, r=role_id, a=at: _role(v, r, m, a)) if value else None
        roles[role_id] = _role(v, role_id, good, at)
    if "roles" not in top:
        problems.append((1, located(source, 1, "roles: missing; every cast needs `roles:`")))
    # Of the roles as written: a narrator listed twice is a duplicate, not missing.
    elif NARRATOR not in (top["roles"] if isinstance(top["roles"], dict) else {}):
        problems.append((line("roles"), located(source, line("roles"), "roles.narrator: "
                                                "missing; the narrator role is required")))
    roles.setdefault(NARRATOR, default_cast().narrator)
    parts = {}
    for key, build in (("pauses", lambda m: _pauses(v, m, line("pauses"))),
                       ("book", lambda m: _book(v, m, line("book"), source)),
                       ("pronunciations", lambda m: _pronunciations(v, m, line("pronunciations")))):
        if top.get(key) is not None:
            good = valid_part(top[key], build)
            if good is not None and valid(build, good):
                parts[key] = build(good)
    return (Cast(roles=roles, source=source, lines=v.lines, **parts),
            list(dict.fromkeys(p for _, p in sorted(problems, key=lambda p: p[0])))
            or [first_problem])
