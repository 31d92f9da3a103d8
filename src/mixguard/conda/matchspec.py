"""Conda's MatchSpec: parsing (after ``conda.models.match_spec._parse_spec_str``) and matching.

Supported: ``name``, ``channel::name``, ``channel/subdir::name``, version specs (see
:mod:`mixguard.conda.version`), ``name version build`` and ``name=version=build``, build-string
globs, bracket keys (``version``, ``build``, ``build_number``, ``channel``, ``subdir``, ``md5``,
``sha256``, ``license``, ``license_family``, ``fn``, ``url``, ``track_features``, ``features``),
package URLs and ``feature@`` specs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ..errors import InvalidMatchSpec, ParseError
from .channel import KNOWN_SUBDIRS, Channel, channels_equal, split_subdir
from .version import VersionOrder, VersionSpec

if TYPE_CHECKING:
    from .records import PackageRecord

__all__ = ["FIELD_NAMES", "MatchSpec"]

# conda's FIELD_NAMES after name/version/build (the canonical string's bracket order)
_FIELD_ORDER = (
    "track_features",
    "features",
    "url",
    "md5",
    "sha256",
    "license",
    "license_family",
    "fn",
)
#: the fields a MatchSpec can constrain, in conda's order (``MatchSpec.FIELD_NAMES``)
FIELD_NAMES = ("channel", "subdir", "name", "version", "build", "build_number", *_FIELD_ORDER)
_FIELDS = frozenset(FIELD_NAMES)
_BRACKETS = re.compile(r".*(?:(\[.*\]))")
_PARENS = re.compile(r".*(?:(\(.*\)))")
_KEY_VALUE = re.compile(r"([a-zA-Z0-9_-]+?)=([\"']?)([^'\"]*?)(\2)(?:[, ]|$)")
_NAME_REST = re.compile(r"([^ =<>!~]+)?([><!=~ ].+)?")
_VERSION_BUILD = re.compile(r"((?:.+?)[^><!,|]?)(?:(?<![=!|,<>~])(?:[ =])([^-=,|<>~]+?))?$")
_PKG_EXTENSIONS = (".conda", ".tar.bz2")
_FEATURE_KEYS = frozenset({"track_features", "features"})
# CEP-26 package names (conda 26.5's _validate_package_name): distributable and virtual
_CEP26_NAME = re.compile(r"^(([a-z0-9])|([a-z0-9_](?!_)))[._-]?([a-z0-9]+(\.|-|_|$))*$")
_CEP26_VIRTUAL = re.compile(r"^__[a-z0-9][._-]?([a-z0-9]+(\.|-|_|$))*$")


def _validate_name(name: str, original: str) -> None:
    """conda 26.5 rejects names outside CEP-26 (``pkg..name``, ``.pkg``, ``"package"``);
    globs are not checked."""
    if "*" in name:
        return
    low = name.lower()
    bad = re.findall(r"[^a-z0-9._-]", low)
    if bad:
        raise InvalidMatchSpec(
            original, f"package name contains invalid characters ({''.join(dict.fromkeys(bad))})"
        )
    if not (_CEP26_NAME.match(low) or _CEP26_VIRTUAL.match(low)):
        raise InvalidMatchSpec(original, "invalid package name")


def _merge_globs(first: str, second: str) -> str:
    """Two glob fields at once (conda's ``GlobStrMatch.merge``): a literal the glob admits;
    of two prefix (or two suffix) globs the longer; else the regex intersection."""

    def is_pattern(v: str) -> bool:
        return "*" in v or (v.startswith("^") and v.endswith("$"))

    if not is_pattern(first) and is_pattern(second):
        first, second = second, first
    if not is_pattern(second):
        rx = _glob(first, lower=False)
        if rx is not None and rx.match(second):
            return second
        raise ValueError(f"Incompatible component merge:\n  - {first!r}\n  - {second!r}")
    if first.count("*") == second.count("*") == 1 and (
        first[0] == second[0] == "*" or first[-1] == second[-1] == "*"
    ):
        a, b = first.strip("*"), second.strip("*")
        if a in b:
            return second
        if b in a:
            return first
        raise ValueError(f"Incompatible component merge:\n  - {first!r}\n  - {second!r}")
    patterns = []
    for v in (first, second):
        if v.startswith("^") and v.endswith("$"):
            patterns.append(v[1:-1])
        elif "*" in v:
            patterns.append(re.escape(v).replace(r"\*", r".*"))
        else:
            patterns.append(v)
    return rf"^(?={patterns[0]})(?:{patterns[1]})$"


@lru_cache(maxsize=4096)
def _channel_of(text: str) -> Channel:
    return Channel.from_value(text)


def _channel_matches(spec_channel: str, source: str) -> bool:
    """conda's ``ChannelMatch.match``: a glob against the record channel's canonical name; a
    URL off the channel alias by base URL; else the spec's name against the record channel's
    name or canonical name (``defaults`` matches a ``pkgs/main`` record)."""
    try:
        other = _channel_of(source)
        if "*" in spec_channel or spec_channel.startswith("^"):
            rx = _glob(spec_channel, lower=False)
            return rx is not None and rx.match(other.canonical_name) is not None
        mine = _channel_of(spec_channel)
    except ValueError:
        return channels_equal(spec_channel, source)
    if "://" in spec_channel and mine.location and mine.location != "conda.anaconda.org":
        return mine.base_url == other.base_url
    return mine.name in (other.name, other.canonical_name)


def _canonical_channel(text: str) -> str:
    """How conda's ChannelMatch prints a channel (globs as given)."""
    if "*" in text or text.startswith("^"):
        return text
    try:
        return _channel_text(Channel.from_value(text), text)
    except ValueError:
        return text


def _feature_text(value: str) -> str:
    return " ".join(sorted(_features(value)))


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


@dataclass(frozen=True, slots=True, eq=False)
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
            # "*" (and "*/linux-64::") is any channel: nothing to match
            channel=None
            if components.get("channel") in (None, "*")
            else str(components["channel"]),
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
            if source is None or not _channel_matches(self.channel, source):
                return False
        return all(self._match_extra(key, value, record) for key, value in self.extra)

    @staticmethod
    def _match_extra(key: str, value: str, record: PackageRecord) -> bool:
        if key in ("track_features", "features"):
            return _features(value) == _features(getattr(record, key))
        actual = getattr(record, key, None)
        if key in ("license", "license_family"):
            # case-insensitive, globs allowed (conda: *[license_family='*GP*'])
            if actual is None:
                return False
            rx = _glob(value, lower=True)
            return rx.match(actual.lower()) is not None if rx else actual.lower() == value.lower()
        return actual == value

    # --- conda's MatchSpec object API: components, canonical string, equality by meaning ---

    def components(self) -> dict[str, str]:
        """The fields this spec constrains, as conda's canonical raw values (the channel by
        its canonical name), in conda's field order."""
        out: dict[str, str] = {}
        if self.channel is not None:
            out["channel"] = _canonical_channel(self.channel)
        if self.subdir is not None:
            out["subdir"] = self.subdir
        out["name"] = self.name.lower() if "*" not in self.name else self.name
        if self.version is not None:
            out["version"] = self.version.spec
        if self.build is not None:
            out["build"] = self.build
        if self.build_number is not None:
            out["build_number"] = self.build_number.spec
        extra = dict(self.extra)
        for key in _FIELD_ORDER:
            if key in extra:
                out[key] = _feature_text(extra[key]) if key in _FEATURE_KEYS else extra[key]
        return out

    def get_exact_value(self, field_name: str) -> str | None:
        """The field's value if it names one thing (no glob, range or regex), else None."""
        value = self.components().get(field_name)
        if value is None:
            return None
        if field_name == "version":
            assert self.version is not None
            return value if self.version.is_exact() else None
        if field_name in ("name", "build", "channel") and ("*" in value or value[:1] == "^"):
            return None
        return value

    def get_raw_value(self, field_name: str) -> str | None:
        return self.components().get(field_name)

    def __contains__(self, field_name: object) -> bool:
        if field_name == "name":
            return True
        return isinstance(field_name, str) and field_name in self.components()

    @property
    def is_name_only_spec(self) -> bool:
        return set(self.components()) == {"name"} and self.name != "*"

    @property
    def strictness(self) -> int:
        """conda-build's strictness: 1 name, 2 name+version, 3 anything more."""
        comps = self.components()
        if comps.get("name") == "*" and len(comps) == 1:
            return 3
        if set(comps) - {"name", "version", "build"}:
            return 3
        if self.get_exact_value("name") is None or "build" in comps:
            return 3
        return 2 if "version" in comps else 1

    def _key(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.components().items())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MatchSpec) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f'MatchSpec("{self}")'

    def __str__(self) -> str:
        """conda's canonical form (``conda.models.match_spec.MatchSpec.__str__``)."""
        comps = self.components()
        builder: list[str] = []
        brackets: list[str] = []
        channel = comps.get("channel")
        if channel is not None:
            builder.append(channel)
        subdir = comps.get("subdir")
        if subdir is not None:
            if channel is not None:
                builder.append(f"/{subdir}")
            else:
                brackets.append(f"subdir={subdir}")
        builder.append(("::%s" if builder else "%s") % comps["name"])
        version = comps.get("version")
        build = comps.get("build")
        version_exact = False
        if version is not None:
            if any(c in version for c in "><$^|,"):
                brackets.append(f"version='{version}'")
            elif version[:2] in ("!=", "~="):
                if build:
                    brackets.append(f"version='{version}'")
                else:
                    builder.append(version)
            elif version[-2:] == ".*":
                builder.append("=" + version[:-2])
            elif version == "*":
                pass
            elif version[-1] == "*":
                builder.append("=" + version[:-1])
            elif version.startswith("=="):
                builder.append(version)
                version_exact = True
            else:
                builder.append("==" + version)
                version_exact = True
        if build is not None:
            if any(c in build for c in "><$^|,"):
                brackets.append(f"build='{build}'")
            elif "*" in build:
                brackets.append(f"build={build}")
            elif version_exact:
                builder.append("=" + build)
            else:
                brackets.append(f"build={build}")
        skip_fn = "url" in comps and "fn" in comps
        for key in ("build_number", *_FIELD_ORDER):
            if key not in comps or (key == "fn" and skip_fn):
                continue
            if key == "url" and channel is not None:
                continue
            value = comps[key]
            if any(c in value for c in ", ="):
                brackets.append(f"{key}='{value}'")
            else:
                brackets.append(f"{key}={value}")
        if brackets:
            builder.append("[{}]".format(",".join(brackets)))
        return "".join(builder)

    @classmethod
    def merge(cls, specs: Iterable[MatchSpec | str]) -> tuple[MatchSpec, ...]:
        """Specs of one name combined into one (conda's ``MatchSpec.merge``): versions joined
        with ``,``, builds kept when equal or when one glob covers the other; specs for
        ``*`` are kept apart. Raises ``ValueError`` for fields that cannot both hold."""
        parsed = sorted(
            (s if isinstance(s, MatchSpec) else MatchSpec.parse(s) for s in specs if s), key=str
        )
        groups: dict[str, list[MatchSpec]] = {}
        loose: list[MatchSpec] = []
        for spec in parsed:
            (loose if spec.name == "*" else groups.setdefault(spec.name, [])).append(spec)
        merged: list[MatchSpec] = []
        for group in groups.values():
            comps = group[0].components()
            for other in group[1:]:
                for key, value in other.components().items():
                    have = comps.get(key)
                    if have is None or have == value:
                        comps[key] = value
                    elif key == "version":
                        comps[key] = VersionSpec.parse(have).merge(VersionSpec.parse(value)).spec
                    elif key in ("build", "channel") and (
                        "*" in have + value or have.startswith("^") or value.startswith("^")
                    ):
                        comps[key] = _merge_globs(have, value)
                    else:
                        raise ValueError(
                            f"Incompatible component merge:\n  - {have!r}\n  - {value!r}"
                        )
            merged.append(MatchSpec.from_components(comps, str(group[0])))
        return (*merged, *loose)


def _parse_url_spec(spec: str) -> dict[str, Any]:
    """A package file as a spec (conda's step 2): in a channel's subdir, every field of it;
    anywhere else (no subdir in the URL), only its file name and URL."""
    if "://" not in spec:
        from pathlib import Path

        spec = unquote(Path(spec).expanduser().absolute().as_uri())
    chn = Channel.from_value(spec)
    if not chn.platform or not chn.package_filename:
        return {"name": "*", "fn": unquote(spec.rsplit("/", 1)[-1]), "url": spec}
    fn = chn.package_filename
    stem = fn[: -len(".conda")] if fn.endswith(".conda") else fn[: -len(".tar.bz2")]
    parts = stem.rsplit("-", 2)
    if len(parts) != 3:
        raise InvalidMatchSpec(spec, "package file name is not name-version-build")
    return {
        "channel": chn.canonical_name,
        "subdir": chn.platform,
        "name": parts[0],
        "version": parts[1],
        "build": parts[2],
        "fn": fn,
        "url": spec,
    }


def _parse_channel(text: str | None) -> tuple[str | None, str | None]:
    """conda's ``_parse_channel``: a URL off the channel alias keeps its URL (so
    ``https://repo.anaconda.com/pkgs/main`` is not folded into ``defaults``); anything else is
    named by its canonical name (``pkgs/main`` is ``defaults``)."""
    if not text:
        return None, None
    if "*" in text.rsplit("/", 1)[0] or text.startswith("^"):
        return split_subdir(text)
    chn = Channel.from_value(text)
    return _channel_text(chn, text), chn.platform


def _channel_text(chn: Channel, text: str) -> str:
    if "://" in text and chn.location and chn.location != "conda.anaconda.org":
        return chn.base_url or chn.canonical_name
    return chn.canonical_name


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
    channel, subdir = _parse_channel(channel_str)
    if "channel" in brackets:
        b_channel, b_subdir = _parse_channel(brackets.pop("channel"))
        channel = b_channel or channel
        subdir = b_subdir or subdir
    if "subdir" in brackets:
        subdir = brackets.pop("subdir")

    m2 = _NAME_REST.match(spec)
    name, rest = m2.groups() if m2 else (None, None)
    if name is None:
        raise InvalidMatchSpec(original, "no package name found")
    _validate_name(name, original)
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
