"""voices.yaml -> Cast. Validation names the file, the line, the key path and the bad value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import yaml

from audiobook.errors import CastError, located

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

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Cast:
    roles: dict[str, Role]
    pauses: Pauses = field(default_factory=Pauses)
    source: str = "voices.yaml"
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # key path -> line

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


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise _Invalid(line, "", f"key {key!r} is not a string")
        if key in mapping:
            raise _Invalid(line, key, "duplicate key")
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Invalid(Exception):
    def __init__(self, line, path, message):
        super().__init__(message)
        self.line, self.path, self.message = line, path, message


# --- validation ------------------------------------------------------------------------

_TOP_KEYS = ("roles", "pauses")
_ROLE_KEYS = ("name", "aliases", "gender", "voice", "rate", "pitch", "volume")


def _type_name(value) -> str:
    return {str: "a string", int: "a whole number", float: "a number", bool: "true/false",
            list: "a list", type(None): "empty"}.get(type(value), "a mapping")


class _Validator:
    def __init__(self):
        self.lines: dict[str, int] = {}

    def mapping(self, value, path, line, allowed=None) -> dict:
        if not isinstance(value, dict):
            raise _Invalid(line, path, f"must be a mapping, not {_type_name(value)}")
        for key in value:
            key_path = f"{path}.{key}" if path else key
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
    path = f"roles.{role_id}"
    if not _ROLE_ID.match(role_id):
        raise _Invalid(line, path, "role ids are lowercase letters, digits, '-' or '_'")
    if data is None:
        data = _Mapping()
        data.key_lines = {}
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
    return Role(role_id, name, aliases, gender, voice)


def _pauses(v: _Validator, data, line: int) -> Pauses:
    names = [f.name for f in fields(Pauses)]
    data = v.mapping(data, "pauses", line, names)
    values = {
        key: v.number(value, f"pauses.{key}", v.line(f"pauses.{key}", line), int, 0, 60000)
        for key, value in data.items()
    }
    return replace(Pauses(), **values)


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
            role_id: _role(v, role_id, value, v.line(f"roles.{role_id}", roles_line))
            for role_id, value in roles_data.items()
        }
        pauses = _pauses(v, data["pauses"], v.line("pauses", 1)) if "pauses" in data else Pauses()
    except _Invalid as bad:
        message = f"{bad.path}: {bad.message}" if bad.path else bad.message
        raise CastError(located(source, bad.line, message)) from None
    return Cast(roles=roles, pauses=pauses, source=source, lines=v.lines)


def load_cast(path: str | Path) -> Cast:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CastError(f"{path}: no such file (pass --voices FILE)") from None
    except UnicodeDecodeError:
        raise CastError(f"{path}: not a UTF-8 text file") from None
    except OSError as bad:
        raise CastError(f"{path}: cannot read: {bad.strerror}") from None
    return parse_cast(text, str(path))


def default_cast() -> Cast:
    """A narrator-only cast, for books read without a voices.yaml."""
    return Cast(roles={NARRATOR: Role(NARRATOR, "Narrator")})
