"""Conda package records (repodata entries) and prefix records (``conda-meta/*.json``)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast, overload

from ..errors import InvalidMatchSpec, InvalidRecord, ParseError
from ..names import CondaName, conda_name
from ._raw import RawPackageRecord, RawPrefixRecord
from .matchspec import MatchSpec
from .version import VersionOrder

__all__ = ["Link", "PackageRecord", "PathEntry", "PrefixRecord"]

# conda treats timestamps above this as milliseconds (see conda.models.records).
_MS_THRESHOLD = 253402300799


def _req_str(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidRecord(value, f"field {key!r} must be a non-empty string", where)
    return value


def _opt_str(raw: Mapping[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidRecord(value, f"field {key!r} must be a string", where)
    return value


def _str_list(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise InvalidRecord(value, f"field {key!r} must be a list of strings", where)
    return tuple(value)


def _features(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        # conda accepts both "a b" and "a,b"
        return tuple(f for f in value.replace(",", " ").split() if f)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InvalidRecord(value, f"field {key!r} must be a string or a list of strings", where)


def _int(raw: Mapping[str, Any], key: str, where: str, default: int | None = None) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRecord(value, f"field {key!r} must be an integer", where)
    return value


def _noarch(raw: Mapping[str, Any], where: str) -> str | None:
    value = raw.get("noarch")
    if value in (None, False, ""):
        return None
    if value is True:
        return "generic"  # old records spell generic noarch as `noarch: true`
    if value in ("python", "generic"):
        return cast(str, value)
    raise InvalidRecord(value, "field 'noarch' must be 'python', 'generic' or absent", where)


def normalise_path(path: str) -> str:
    """Prefix-relative paths as POSIX: micromamba on Windows writes backslashes."""
    return path.replace("\\", "/")


@dataclass(frozen=True, slots=True)
class PackageRecord:
    """One conda package build, as repodata or ``info/index.json`` describe it."""

    name: CondaName
    version: str
    build: str
    build_number: int
    subdir: str
    depends: tuple[str, ...] = ()
    constrains: tuple[str, ...] = ()
    track_features: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    noarch: str | None = None
    timestamp: int | None = None  # milliseconds since the epoch
    md5: str | None = None
    sha256: str | None = None
    size: int | None = None
    license: str | None = None
    license_family: str | None = None
    fn: str | None = None
    url: str | None = None
    channel: str | None = None
    where: str = field(default="", compare=False, repr=False)

    @classmethod
    def from_dict(cls, raw: RawPackageRecord | Mapping[str, Any], where: str = "") -> PackageRecord:
        """Validate a repodata / index.json record; errors name ``where`` and the field."""
        return cls(**_package_fields(raw, where))

    @property
    def version_order(self) -> VersionOrder:
        """The version as conda orders it (parsing is cached by ``VersionOrder.parse``)."""
        return VersionOrder.parse(self.version)

    @property
    def dist_name(self) -> str:
        """``name-version-build``, the name conda-meta files and explicit URLs use."""
        return f"{self.name}-{self.version}-{self.build}"

    @property
    def spec(self) -> str:
        """``name=version=build``, as ``conda env export`` writes a record (conda's
        ``PackageRecord.spec``)."""
        return f"{self.name}={self.version}={self.build}"

    @property
    def spec_no_build(self) -> str:
        """``name=version`` (``conda env export --no-builds``)."""
        return f"{self.name}={self.version}"

    @property
    def channel_name(self) -> str | None:
        """The channel's short name (``conda-forge``), or None if unknown."""
        from .channel import channel_name

        source = self.channel or self.url
        return channel_name(source) if source else None

    def depends_specs(self) -> tuple[MatchSpec, ...]:
        """``depends`` as MatchSpecs; a bad spec names the record and index."""
        return self._specs("depends", self.depends)

    def constrains_specs(self) -> tuple[MatchSpec, ...]:
        return self._specs("constrains", self.constrains)

    def _specs(self, key: str, specs: tuple[str, ...]) -> tuple[MatchSpec, ...]:
        out = []
        for i, spec in enumerate(specs):
            try:
                out.append(MatchSpec.parse(spec))
            except ParseError as exc:
                raise InvalidMatchSpec(
                    spec, exc.reason, f"{self.where or self.dist_name}: {key}[{i}]"
                ) from None
        return tuple(out)


def _package_fields(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise InvalidRecord(raw, "record must be a JSON object", where)
    version = raw.get("version")
    if isinstance(version, (int, float)) and not isinstance(version, bool):
        version = str(version)  # a few old records carry numeric versions
    if not isinstance(version, str) or not version:
        raise InvalidRecord(version, "field 'version' must be a non-empty string", where)
    try:
        VersionOrder.parse(version)
    except ParseError as exc:
        raise InvalidRecord(
            version, exc.reason, f"{where}: version" if where else "version"
        ) from None
    timestamp = raw.get("timestamp")
    if timestamp is not None:
        if not isinstance(timestamp, (int, float)) or isinstance(timestamp, bool):
            raise InvalidRecord(timestamp, "field 'timestamp' must be a number", where)
        # seconds (possibly with a fraction: 1507565728.999) become milliseconds without
        # losing the fraction, as conda's TimestampField does
        if timestamp <= _MS_THRESHOLD:
            timestamp = round(timestamp * 1000)
        timestamp = int(timestamp)
    size = raw.get("size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int)):
        raise InvalidRecord(size, "field 'size' must be an integer", where)
    subdir = raw.get("subdir")
    if not isinstance(subdir, str) or not subdir:
        subdir = _subdir_from(raw)
    # The texts that repeat across records (a channel, "noarch", "python >=3.8"...) are
    # interned: json makes a new string for each occurrence, and a prefix or a repodata holds
    # thousands of records (5,000 conda packages: ~2 MB of copies).
    return {
        "name": conda_name(_req_str(raw, "name", where)),
        "version": _shared(version),
        "build": _shared(
            _req_str(raw, "build", where)
            if "build" in raw
            else _req_str(raw, "build_string", where)
        ),
        "build_number": _int(raw, "build_number", where, default=0),
        "subdir": _shared(subdir),
        "depends": tuple(map(_shared, _str_list(raw, "depends", where))),
        "constrains": tuple(map(_shared, _str_list(raw, "constrains", where))),
        "track_features": _features(raw, "track_features", where),
        "features": _features(raw, "features", where),
        "noarch": _shared(_noarch(raw, where)),
        "timestamp": timestamp,
        "md5": _opt_str(raw, "md5", where),
        "sha256": _opt_str(raw, "sha256", where),
        "size": size,
        "license": _shared(_opt_str(raw, "license", where)),
        "license_family": _shared(_opt_str(raw, "license_family", where)),
        "fn": _opt_str(raw, "fn", where),
        "url": _opt_str(raw, "url", where),
        "channel": _shared(_opt_str(raw, "channel", where)),
        "where": where,
    }


@overload
def _shared(text: str) -> str: ...
@overload
def _shared(text: None) -> None: ...
def _shared(text: str | None) -> str | None:
    return None if text is None else sys.intern(text)


def _subdir_from(raw: Mapping[str, Any]) -> str:
    # Very old records have no subdir; conda derives it from platform/arch.
    platform, arch = raw.get("platform"), raw.get("arch")
    if raw.get("noarch") or (platform is None and arch is None):
        return "noarch"
    arch_map = {
        "x86_64": "64",
        "x86": "32",
        "aarch64": "aarch64",
        "arm64": "arm64",
        "ppc64le": "ppc64le",
        "s390x": "s390x",
        "armv7l": "armv7l",
    }
    return f"{platform}-{arch_map.get(str(arch), str(arch))}"


@dataclass(frozen=True, slots=True)
class PathEntry:
    """One entry of a prefix record's ``paths_data``."""

    path: str
    path_type: str | None = None
    sha256: str | None = None
    size_in_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class Link:
    source: str | None
    type: int | str | None


@dataclass(frozen=True, slots=True)
class PrefixRecord:
    """A package as installed in a prefix: the record plus what conda linked."""

    record: PackageRecord
    files: tuple[str, ...] = ()
    paths_data: tuple[PathEntry, ...] = ()
    requested_spec: str | None = None
    requested_specs: tuple[str, ...] = ()
    link: Link | None = None
    where: str = field(default="", compare=False, repr=False)

    @classmethod
    def from_dict(cls, raw: RawPrefixRecord | Mapping[str, Any], where: str = "") -> PrefixRecord:
        record = PackageRecord.from_dict(raw, where)
        files = tuple(normalise_path(p) for p in _str_list(raw, "files", where))
        paths = _paths_data(raw.get("paths_data"), where)
        link_raw = raw.get("link")
        link = None
        if isinstance(link_raw, Mapping):
            source = link_raw.get("source")
            link = Link(
                normalise_path(source) if isinstance(source, str) else None, link_raw.get("type")
            )
        elif link_raw is not None:
            raise InvalidRecord(link_raw, "field 'link' must be an object", where)
        return cls(
            record=record,
            files=files,
            paths_data=paths,
            requested_spec=_opt_str(raw, "requested_spec", where),
            requested_specs=_str_list(raw, "requested_specs", where),
            link=link,
            where=where,
        )

    # The record's identity, forwarded for convenience.
    @property
    def name(self) -> CondaName:
        return self.record.name

    @property
    def version(self) -> str:
        return self.record.version

    @property
    def build(self) -> str:
        return self.record.build

    @property
    def dist_name(self) -> str:
        return self.record.dist_name

    @property
    def spec(self) -> str:
        return self.record.spec

    @property
    def spec_no_build(self) -> str:
        return self.record.spec_no_build


def _paths_data(value: object, where: str) -> tuple[PathEntry, ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise InvalidRecord(value, "field 'paths_data' must be an object", where)
    paths = value.get("paths", [])
    if not isinstance(paths, list):
        raise InvalidRecord(paths, "field 'paths_data.paths' must be a list", where)
    out = []
    for i, entry in enumerate(paths):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("_path"), str):
            raise InvalidRecord(
                entry, "path entry needs a string '_path'", f"{where}: paths_data.paths[{i}]"
            )
        size = entry.get("size_in_bytes")
        out.append(
            PathEntry(
                path=normalise_path(entry["_path"]),
                path_type=entry.get("path_type"),
                sha256=entry.get("sha256"),
                size_in_bytes=size if isinstance(size, int) else None,
            )
        )
    return tuple(out)
