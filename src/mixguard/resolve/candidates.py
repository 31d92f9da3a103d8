"""Candidates, as pip's ``resolution/resolvelib/candidates.py``: installed distributions,
index files, extras of either, and the target's Python."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from ..environment.distribution import PythonDistribution
from ..index.links import DistributionFile
from ..index.metadata import DistMetadata, Unknown
from .base import REQUIRES_PYTHON, Candidate, Req, format_name
from .requirements import ExplicitRequirement, RequiresPythonRequirement

if TYPE_CHECKING:
    from .factory import Factory

__all__ = ["ExtrasCandidate", "IndexCandidate", "InstalledCandidate", "PythonCandidate"]


@dataclass(eq=False)
class InstalledCandidate(Candidate):
    dist: PythonDistribution
    comes_from: str | None = None
    name: str = ""
    project: str = ""
    version: Version = field(default_factory=lambda: Version("0"))

    def __post_init__(self) -> None:
        self.project = canonicalize_name(self.dist.name)
        self.name = self.project
        self.version = Version(self.dist.version)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InstalledCandidate):
            return NotImplemented
        return self.name == other.name and self.version == other.version

    def __hash__(self) -> int:
        return hash((self.name, self.version))

    def iter_dependencies(self, factory: Factory, with_requires: bool) -> Iterator[Req]:
        # pip: an installed candidate brings its Requires-Dist, no Requires-Python
        if not with_requires:
            return
        if self.dist.metadata is None and self.dist.metadata_origin == "unknown":
            # listed by a file (a conda package not read, a `conda list` pypi row): its
            # requirements are unknown, which is not "none"
            factory.note_installed_unknown(self)
            return
        for text in self.dist.requires_dist:
            yield from factory.requirements_from_spec(text, parent=self, extras=frozenset())

    def __repr__(self) -> str:
        return f"Installed({self.project} {self.version})"


def _requires_python(text: str | None) -> SpecifierSet | None:
    if not text:
        return None
    try:
        spec = SpecifierSet(text)
    except InvalidSpecifier:
        return None
    return spec or None


@dataclass(eq=False)
class IndexCandidate(Candidate):
    """A file from an index, find-links or a direct URL, with its core metadata."""

    file: DistributionFile
    metadata: DistMetadata | Unknown
    name: str = ""
    project: str = ""
    version: Version = field(default_factory=lambda: Version("0"))
    direct: bool = False
    comes_from: str | None = None  # pip's ireq.comes_from: who required it when it was made

    def __post_init__(self) -> None:
        self.project = canonicalize_name(self.file.name)
        self.name = self.project
        assert self.file.version is not None
        self.version = self.file.version

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IndexCandidate) and self.file.url == other.file.url

    def __hash__(self) -> int:
        return hash(self.file.url)  # str hashes are cached by Python; a tuple's is not

    def iter_dependencies(self, factory: Factory, with_requires: bool) -> Iterator[Req]:
        meta = self.metadata
        if isinstance(meta, Unknown):
            factory.note_unknown(self, meta)
            return
        # pip: Requires-Python first, from the distribution's own metadata; an invalid one is
        # ignored with a warning (pip's BaseDistribution.requires_python)
        spec = _requires_python(meta.requires_python)
        if spec is not None and not factory.ignore_requires_python:
            yield RequiresPythonRequirement(spec, factory.python)
        if not with_requires:
            return
        for text in meta.requires_dist:
            yield from factory.requirements_from_spec(text, parent=self, extras=frozenset())

    def __repr__(self) -> str:
        return f"Index({self.project} {self.version} {self.file.filename})"


@dataclass(eq=False)
class ExtrasCandidate(Candidate):
    base: InstalledCandidate | IndexCandidate
    extras: frozenset[str]
    name: str = ""
    project: str = ""
    version: Version = field(default_factory=lambda: Version("0"))

    def __post_init__(self) -> None:
        self.project = self.base.project
        self.name = format_name(self.base.project, self.extras)
        self.version = self.base.version

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ExtrasCandidate)
            and self.base == other.base
            and self.extras == other.extras
        )

    def __hash__(self) -> int:
        return hash((self.base, self.extras))

    def _provided(self) -> frozenset[str]:
        if isinstance(self.base, InstalledCandidate):
            raw = (
                self.base.dist.metadata.get("provides_extra", []) if self.base.dist.metadata else []
            )
        elif isinstance(self.base.metadata, DistMetadata):
            raw = list(self.base.metadata.provides_extra)
        else:
            raw = []
        return frozenset(canonicalize_name(e) for e in raw)

    def iter_dependencies(self, factory: Factory, with_requires: bool) -> Iterator[Req]:
        # pip: depend on the exact base, then on what the valid extras add
        yield ExplicitRequirement(self.base)
        if not with_requires:
            return
        valid = self.extras & self._provided()
        if isinstance(self.base, InstalledCandidate):
            texts: tuple[str, ...] = self.base.dist.requires_dist
        elif isinstance(self.base.metadata, DistMetadata):
            texts = self.base.metadata.requires_dist
        else:
            return
        for text in texts:
            req = factory.parse_requirement(text)
            if req is None:
                continue
            if req.marker is None:
                keep = True
            elif not valid:
                keep = factory.marker_ok(req, "")
            else:
                keep = any(factory.marker_ok(req, e) for e in valid)
            if keep:
                yield from factory.requirements_from_spec(text, parent=self, extras=valid)

    def __repr__(self) -> str:
        return f"Extras({self.name} {self.version})"


@dataclass(eq=False)
class PythonCandidate(Candidate):
    version: Version
    name: str = REQUIRES_PYTHON
    project: str = REQUIRES_PYTHON
