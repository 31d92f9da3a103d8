"""Conda's MatchSpec: parsing (after ``conda.models.match_spec._parse_spec_str``) and matching.

Supported: ``name``, ``channel::name``, ``channel/subdir::name``, version specs (see
:mod:`mixguard.conda.version`), ``name version build`` and ``name=version=build``, build-string
globs, bracket keys (``version``, ``build``, ``build_number``, ``channel``, ``subdir``, ``md5``,
``sha256``, ``license``, ``license_family``, ``fn``, ``url``, ``track_features``, ``features``),
package URLs and ``feature@`` specs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ..errors import InvalidMatchSpec, ParseError
from .channel import KNOWN_SUBDIRS, channels_equal, split_subdir
from .version import VersionOrder, VersionSpec

if TYPE_CHECKING:
    from .records import PackageRecord

__all__ = ["MatchSpec"]

_FIELDS = frozenset(
    {
        "channel",
        "subdir",
        "name",
        "version",
        "build",
        "build_number",
        "track_features",
        "features",
        "url",
        "md5",
        "sha256",
        "license",
        "license_family",
        "fn",
    }
)
_BRACKETS = re.compile(r".*(?:(\[.*\]))")
_PARENS = re.compile(r".*(?:(\(.*\)))")
_KEY_VALUE = re.compile(r"([a-zA-Z0-9_-]+?)=([\"']?)([^'\"]*?)(\2)(?:[, ]|$)")
_NAME_REST = re.compile(r"([^ =<>!~]+)?([><!=~ ].+)?")
_VERSION_BUILD = re.compile(r"((?:.+?)[^><!,|]?)(?:(?<![=!|,<>~])(?:[ =])([^-=,|<>~]+?))?$")
_PKG_EXTENSIONS = (".conda", ".tar.bz2")


def _parse_version_plus_build(text: str) -> tuple[str, str | None]:
    m = _VERSION_BUILD.search(text)
    if m:
        version, build = m.groups()
        build = build.strip() if build else build
    else:
        version, build = text, None
    return version.replace(" ", ""), build


def _sanitize_version(version: str, build: str | None) -> str:
    # '=1.2' means '1.2*'; '==1.2' with no build means exactly '1.2'
    if version in ("==", "="):
        return version
    if not version.startswith("="):
        return version
    bare = version.lstrip("=")
    if version.startswith("==") and build is None:
        return bare
    if not any(c in bare for c in "=,|"):
        if build is None and not bare.endswith("*"):
            return bare + "*"
        return bare
    return version


def _glob(pattern: str, lower: bool) -> re.Pattern[str] | None:
    if lower:
        pattern = pattern.lower()
    if pattern.startswith("^") and pattern.endswith("$"):
        try:
            return re.compile(pattern)
        except re.error:
            return None
    if "*" in pattern:
        return re.compile("^(?:{})$".format(re.escape(pattern).replace(r"\*", ".*")))
    return None


def _features(value: object) -> frozenset[str]:
    if not value:
        return frozenset()
    if isinstance(value, str):
        return frozenset(f.strip() for f in value.replace(" ", ",").split(",") if f.strip())
    if isinstance(value, (list, tuple, frozenset, set)):
        return frozenset(str(f).strip() for f in value if str(f).strip())
    return frozenset({str(value)})


@dataclass(frozen=True, slots=True)
class _BuildNumber:
    spec: str
    exact: int | None
    op: str | None = None
    operand: VersionOrder | None = None
    pattern: re.Pattern[str] | None = None

    @classmethod
    def parse(cls, raw: str | int, original: str) -> _BuildNumber:
        text = str(raw).strip()
        try:
            return cls(text, int(text))
        except ValueError:
            pass
        if text == "*":
            return cls(text, None)
        if text[:1] in ("=", "<", ">", "!"):
            m = re.match(r"^(=|==|!=|<=|>=|<|>|~=)(?![=<>!~])(\S+)$", text)
            if m is None or m.group(1) in ("=", "~="):
                raise InvalidMatchSpec(original, f"invalid build number spec {text!r}")
            try:
                return cls(text, None, m.group(1), VersionOrder.parse(m.group(2)))
            except ParseError:
                raise InvalidMatchSpec(original, f"invalid build number spec {text!r}") from None
        if text.startswith("^") and text.endswith("$"):
            return cls(text, None, pattern=re.compile(text))
        raise InvalidMatchSpec(original, f"invalid build number spec {text!r}")

    def match(self, number: int) -> bool:
        if self.exact is not None:
            return number == self.exact
        if self.op is not None and self.operand is not None:
            vo = VersionOrder.parse(str(number))
            return {
                "==": vo == self.operand,
                "!=": vo != self.operand,
                "<": vo < self.operand,
                "<=": vo <= self.operand,
                ">": vo > self.operand,
                ">=": vo >= self.operand,
            }[self.op]
        if self.pattern is not None:
            return self.pattern.match(str(number)) is not None
        return True


@dataclass(frozen=True, slots=True)
class MatchSpec:
    """A parsed conda MatchSpec.

    >>> spec = MatchSpec.parse("conda-forge::numpy >=1.21.6,<2.0a0")
    >>> spec.name, str(spec.version), spec.channel
    ('numpy', '>=1.21.6,<2.0a0', 'conda-forge')
    """

    original: str
    name: str
    version: VersionSpec | None = None
    build: str | None = None
    build_number: _BuildNumber | None = None
    channel: str | None = None
    subdir: str | None = None
    extra: tuple[tuple[str, str], ...] = ()
    _name_re: re.Pattern[str] | None = field(default=None, repr=False, compare=False)
    _build_re: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def parse(cls, spec: str) -> MatchSpec:
        """Parse a MatchSpec string; raises :class:`InvalidMatchSpec` quoting it."""
        if not isinstance(spec, str):
            raise InvalidMatchSpec(spec, "a MatchSpec must be a string")
        return _cached_parse(spec)

    @classmethod
    def from_components(cls, components: Mapping[str, Any], original: str) -> MatchSpec:
        unknown = sorted(set(components) - _FIELDS)
        if unknown:
            raise InvalidMatchSpec(original, f"cannot match on field(s): {', '.join(unknown)}")
        name = str(components.get("name") or "*")
        version = None
        if components.get("version") is not None:
            try:
                version = VersionSpec.parse(str(components["version"]))
            except ParseError as exc:
                raise InvalidMatchSpec(original, f"invalid version spec: {exc.reason}") from None
        build = components.get("build")
        build_number = None
        if components.get("build_number") is not None:
            build_number = _BuildNumber.parse(components["build_number"], original)
        extra = tuple(
            sorted(
                (k, str(v))
                for k, v in components.items()
                if k not in ("name", "version", "build", "build_number", "channel", "subdir")
            )
        )
        return cls(
            original=original,
            name=name,
            version=None if version is not None and version.kind == "always" else version,
            build=None if build in (None, "*") else str(build),
            build_number=build_number,
            channel=components.get("channel"),
            subdir=components.get("subdir"),
            extra=extra,
            _name_re=_glob(name, lower=True),
            _build_re=_glob(str(build), lower=False) if build not in (None, "*") else None,
        )

    def match(self, record: PackageRecord) -> bool:
        """Whether a package record satisfies every field of this spec."""
        if self.name != "*":
            if self._name_re is not None:
                if not self._name_re.match(record.name):
                    return False
            elif record.name != self.name.lower():
                return False
        if self.version is not None and not self.version.match(record.version):
            return False
        if self.build is not None:
            if self._build_re is not None:
                if not self._build_re.match(record.build):
                    return False
            elif record.build != self.build:
                return False
        if self.build_number is not None and not self.build_number.match(record.build_number):
            return False
        if self.subdir is not None and record.subdir != self.subdir:
            return False
        if self.channel is not None:
            source = record.channel or record.url
            if source is None or not channels_equal(self.channel, source):
                return False
        return all(self._match_extra(key, value, record) for key, value in self.extra)

    @staticmethod
    def _match_extra(key: str, value: str, record: PackageRecord) -> bool:
        if key in ("track_features", "features"):
            return _features(value) == _features(getattr(record, key))
        actual = getattr(record, key, None)
        if key in ("license", "license_family"):
            return actual is not None and actual.lower() == value.lower()
        return actual == value

    def __str__(self) -> str:
        head = ""
        if self.channel:
            head = f"{self.channel}/{self.subdir}::" if self.subdir else f"{self.channel}::"
        text = head + self.name
        if self.version is not None:
            text += f" {self.version}"
            if self.build is not None:
                text += f" {self.build}"
        elif self.build is not None:
            text += f" * {self.build}"
        keys = [f"{k}={v}" for k, v in self.extra]
        if self.build_number is not None:
            keys.insert(0, f"build_number={self.build_number.spec}")
        if self.subdir and not self.channel:
            keys.append(f"subdir={self.subdir}")
        return text + (f"[{','.join(keys)}]" if keys else "")


def _parse_url_spec(spec: str) -> dict[str, Any]:
    text = unquote(spec)
    head, _, fn = text.rpartition("/")
    stem = fn[: -len(".conda")] if fn.endswith(".conda") else fn[: -len(".tar.bz2")]
    parts = stem.rsplit("-", 2)
    if len(parts) != 3:
        raise InvalidMatchSpec(spec, "package file name is not name-version-build")
    components: dict[str, Any] = {
        "name": parts[0],
        "version": parts[1],
        "build": parts[2],
        "fn": fn,
    }
    channel, subdir = split_subdir(head) if head else ("", None)
    if subdir:
        components["subdir"] = subdir
        components["channel"] = channel
    if "://" in text:
        components["url"] = spec
    return components


def _parse_spec_str(original: str) -> dict[str, Any]:
    spec = original
    if spec.endswith("@"):
        return {"name": "*", "track_features": spec[:-1]}
    if "#" in spec:
        spec = spec[: spec.index("#")]
    spec = spec.split(" if ", 1)[0].strip()
    if spec.endswith(_PKG_EXTENSIONS):
        return _parse_url_spec(spec)

    brackets: dict[str, str] = {}
    m = _BRACKETS.match(spec)
    if m:
        text = m.group(1)
        spec = spec.replace(text, "")
        for kv in _KEY_VALUE.finditer(text[1:-1]):
            key, _, value, _ = kv.groups()
            if not key or not value:
                raise InvalidMatchSpec(original, "key-value mismatch in brackets")
            if key == "version":
                value = _sanitize_version(value, None)
            brackets[key] = value
    m = _PARENS.match(spec)
    if m:
        spec = spec.replace(m.group(1), "")

    pieces = spec.rsplit(":", 2)
    channel_str: str | None = None
    if len(pieces) == 3:
        channel_str, _namespace, spec = pieces
    elif len(pieces) == 2:
        _namespace, spec = pieces
    else:
        spec = pieces[0]
    channel: str | None = None
    subdir: str | None = None
    if channel_str:
        channel, subdir = split_subdir(channel_str)
    if "channel" in brackets:
        b_channel, b_subdir = split_subdir(brackets.pop("channel"))
        channel = b_channel or channel
        subdir = b_subdir or subdir
    if "subdir" in brackets:
        subdir = brackets.pop("subdir")

    m2 = _NAME_REST.match(spec)
    name, rest = m2.groups() if m2 else (None, None)
    if name is None:
        raise InvalidMatchSpec(original, "no package name found")
    rest = rest.strip() if rest else rest
    version: str | None = None
    build: str | None = None
    if rest:
        if "[" in rest:
            raise InvalidMatchSpec(original, "multiple brackets sections not allowed")
        version, build = _parse_version_plus_build(rest)
        version = _sanitize_version(version, build)
    components: dict[str, Any] = {"name": name}
    if channel:
        components["channel"] = channel
    if subdir:
        if subdir not in KNOWN_SUBDIRS:
            raise InvalidMatchSpec(original, f"unknown subdir {subdir!r}")
        components["subdir"] = subdir
    if version is not None:
        components["version"] = version
    if build is not None:
        components["build"] = build
    brackets.pop("name", None)  # conda warns and keeps the name outside the brackets
    components.update(brackets)
    return components


@lru_cache(maxsize=65536)
def _cached_parse(spec: str) -> MatchSpec:
    if not spec.strip():
        raise InvalidMatchSpec(spec, "empty MatchSpec")
    return MatchSpec.from_components(_parse_spec_str(spec), spec)
