"""Distribution files as an index lists them (PEP 503 / 691 / 592 / 658 / 700)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
)
from packaging.version import InvalidVersion, Version

from ..names import PypiName
from .transport import redact_url

__all__ = ["DistributionFile", "FileKind"]

FileKind = Literal["wheel", "sdist", "other"]
_SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar")


@dataclass(frozen=True, slots=True)
class DistributionFile:
    """One file of a project on an index or find-links source.

    ``url`` may carry credentials (they are needed to fetch it); show ``display_url``.
    ``version`` is the PEP 440 version from the file name, local label (``+cu118``) intact.
    """

    filename: str
    url: str
    name: PypiName
    version: Version | None
    kind: FileKind
    hashes: tuple[tuple[str, str], ...] = ()
    requires_python: str | None = None
    yanked: bool = False
    yanked_reason: str | None = None
    upload_time: str | None = None
    size: int | None = None
    # PEP 658/714: None = not offered; () = offered without hashes; else its hashes
    metadata_hashes: tuple[tuple[str, str], ...] | None = None
    # "interpreter-abi-platform" strings, lower case, compressed tag sets expanded
    tags: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    build_tag: tuple[int, str] | tuple[()] = field(default=(), compare=False, repr=False)
    source: str = field(default="", compare=False, repr=False)  # the page or directory

    @classmethod
    def from_link(
        cls,
        filename: str,
        url: str,
        *,
        hashes: dict[str, str] | None = None,
        requires_python: str | None = None,
        yanked: bool | str = False,
        upload_time: str | None = None,
        size: int | None = None,
        metadata: bool | dict[str, str] | None = None,
        source: str = "",
    ) -> DistributionFile | None:
        """Parse a link; None for files that are not wheels or sdists (or are misnamed)."""
        kind: FileKind
        name: str
        tags: frozenset[str] = frozenset()
        build: tuple[int, str] | tuple[()] = ()
        try:
            if filename.endswith(".whl"):
                name, version, build, tags = _parse_wheel(filename)
                kind = "wheel"
            elif filename.endswith(_SDIST_SUFFIXES):
                name, version = _parse_sdist(filename)
                kind = "sdist"
            else:
                return None
        except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
            return None
        meta: tuple[tuple[str, str], ...] | None
        if metadata is None or metadata is False:
            meta = None
        elif metadata is True:
            meta = ()
        else:
            meta = tuple(sorted(metadata.items()))
        return cls(
            filename=filename,
            url=url,
            name=_canonical(name),
            version=version,
            kind=kind,
            hashes=tuple(sorted((hashes or {}).items())),
            requires_python=requires_python or None,
            yanked=bool(yanked) or yanked == "",
            yanked_reason=yanked if isinstance(yanked, str) and yanked else None,
            upload_time=upload_time,
            size=size,
            metadata_hashes=meta,
            tags=tags,
            build_tag=build,
            source=source,
        )

    @property
    def sha256(self) -> str | None:
        return dict(self.hashes).get("sha256")

    @property
    def display_url(self) -> str:
        return redact_url(self.url)

    @property
    def has_pep658_metadata(self) -> bool:
        return self.metadata_hashes is not None

    def __str__(self) -> str:
        return self.filename


def _parse_sdist(filename: str) -> tuple[str, Version]:
    if filename.endswith((".tar.gz", ".zip")):
        parsed, version = parse_sdist_filename(filename)
        return str(parsed), version
    # legacy archive formats pip still accepts: name-version.tar.bz2 etc.
    stem = filename
    for suffix in _SDIST_SUFFIXES:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    name, sep, version_text = stem.rpartition("-")
    if not sep:
        raise InvalidSdistFilename(filename)
    return name, Version(version_text)


_WHEEL_NAME = re.compile(r"^[\w\d._]+$", re.UNICODE)
_BUILD_TAG = re.compile(r"^(\d+)(.*)$")


@lru_cache(maxsize=8192)
def _canonical(name: str) -> PypiName:
    return PypiName(canonicalize_name(name))


@lru_cache(maxsize=65536)
def _version(text: str) -> Version:
    return Version(text)


@lru_cache(maxsize=8192)
def _tags(python: str, abi: str, platform: str) -> frozenset[str]:
    # as packaging 25's parse_tag (the one pip 25.3 vendors): split, lower-case, expand
    pys, abis, plats = (part.lower().split(".") for part in (python, abi, platform))
    return frozenset(f"{i}-{a}-{p}" for i in pys for a in abis for p in plats)


def version_text_of_filename(filename: str) -> str | None:
    """The version text ``DistributionFile.from_link`` would parse from ``filename``, cheaply;
    None where it would find none (not a wheel or sdist, no dash). The same splits as
    ``_parse_wheel`` and ``_parse_sdist`` (and packaging's ``parse_sdist_filename``)."""
    if filename.endswith(".whl"):
        parts = filename[: -len(".whl")].split("-", 6)
        return parts[1] if len(parts) in (5, 6) else None
    for suffix in _SDIST_SUFFIXES:
        if filename.endswith(suffix):
            _, sep, text = filename[: -len(suffix)].rpartition("-")
            return text if sep else None
    return None


def parse_version(text: str) -> Version | None:
    """``Version(text)``, cached; None if invalid."""
    try:
        return _version(text)
    except InvalidVersion:
        return None


def _parse_wheel(filename: str) -> tuple[str, Version, tuple[int, str] | tuple[()], frozenset[str]]:
    """PEP 427 file names, as ``packaging.utils.parse_wheel_filename`` reads them, but with tags
    kept as strings: an index page lists thousands of wheels, and building ``Tag`` objects
    for each dominated reading one."""
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        raise InvalidWheelFilename(filename)
    name = parts[0]
    if "__" in name or not _WHEEL_NAME.match(name):
        raise InvalidWheelFilename(filename)
    version = _version(parts[1])
    build: tuple[int, str] | tuple[()] = ()
    if len(parts) == 6:
        m = _BUILD_TAG.match(parts[2])
        if m is None:
            raise InvalidWheelFilename(filename)
        build = (int(m.group(1)), m.group(2))
    return name, version, build, _tags(parts[-3], parts[-2], parts[-1])
