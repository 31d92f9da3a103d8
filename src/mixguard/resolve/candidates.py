"""Candidates and requirements, modelled on pip's ``resolution/resolvelib`` objects.

Identifiers follow pip: a project's canonical name, ``name[extra1,extra2]`` for extras, and
``<Python from Requires-Python>`` for the interpreter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packaging.requirements import Requirement as PepRequirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from ..environment.distribution import PythonDistribution
from ..index.links import DistributionFile
from ..index.metadata import DistMetadata, MetadataUnknown

if TYPE_CHECKING:
    from .provider import Factory

__all__ = [
    "REQUIRES_PYTHON",
    "Candidate",
    "ExplicitRequirement",
    "ExtrasCandidate",
    "IndexCandidate",
    "InstalledCandidate",
    "PythonCandidate",
    "Req",
    "RequiresPythonRequirement",
    "SpecifierRequirement",
    "format_name",
]

REQUIRES_PYTHON = "<Python from Requires-Python>"


def format_name(project: str, extras: frozenset[str]) -> str:
    if not extras:
        return project
    return f"{project}[{','.join(sorted(extras))}]"


class Candidate:
    """A concrete (project, version) the resolver may pick.

    Equality is pip's (resolvelib's backjumping compares candidates and requirements):
    index files by URL, installed distributions by (name, version), extras by (base, extras).
    Incompatibilities are still tracked by ``id()``, as pip does."""

    name: str  # identifier
    project: str
    version: Version

    def iter_dependencies(self, factory: Factory, with_requires: bool) -> Iterator[Req]:
        return iter(())


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
    metadata: DistMetadata | MetadataUnknown
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
        if isinstance(meta, MetadataUnknown):
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


class Req:
    """A requirement the resolver must satisfy."""

    name: str  # identifier
    project: str
    parent: Candidate | None = None
    text: str = ""

    def satisfied_by(self, candidate: Candidate) -> bool:
        raise NotImplementedError

    def format_for_error(self) -> str:
        return self.text


@dataclass(eq=False)
class SpecifierRequirement(Req):
    """``name[extras] specifier`` (pip's SpecifierRequirement / SpecifierWithoutExtras)."""

    requirement: PepRequirement
    extras: frozenset[str]
    name: str = ""
    project: str = ""
    parent: Candidate | None = None
    text: str = ""
    user_supplied: bool = False
    root_comes_from: str | None = None  # "-r FILE (line N)" for a root requirement from a file

    _equal: tuple[object, ...] = field(default=(), init=False, repr=False)
    _hash: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        self.project = canonicalize_name(self.requirement.name)
        self.name = format_name(self.project, self.extras)
        if not self.text:
            self.text = str(self.requirement)
        # pip: str(ireq), i.e. the requirement and "(from <parent>)", and the extras. Computed
        # once: the resolver hashes requirements ~100,000 times in a large resolution, and
        # str(Requirement) is not cheap
        parent = self.parent.project if self.parent is not None else None
        self._equal = (self.name, str(self.requirement), parent)
        self._hash = hash(self._equal)

    @property
    def specifier(self) -> SpecifierSet:
        return self.requirement.specifier

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SpecifierRequirement):
            return NotImplemented
        return self is other or (self._hash == other._hash and self._equal == other._equal)

    def __hash__(self) -> int:
        return self._hash

    def satisfied_by(self, candidate: Candidate) -> bool:
        # pip: prereleases always allowed here; the finder already applied the policy
        return self.requirement.specifier.contains(candidate.version, prereleases=True)

    def format_for_error(self) -> str:
        # pip's SpecifierRequirement.format_for_error: "A, B and C" from "A,B,C"
        parts = [p.strip() for p in str(self.requirement).split(",")]
        if len(parts) == 1:
            return parts[0]
        return ", ".join(parts[:-1]) + " and " + parts[-1]

    def __repr__(self) -> str:
        return f"SpecifierRequirement({self.name}{self.requirement.specifier})"


@dataclass(eq=False)
class ExplicitRequirement(Req):
    candidate: Candidate
    name: str = ""
    project: str = ""
    parent: Candidate | None = None
    text: str = ""

    def __post_init__(self) -> None:
        self.name = self.candidate.name
        self.project = self.candidate.project
        self.text = f"{self.candidate.name}=={self.candidate.version}"

    def satisfied_by(self, candidate: Candidate) -> bool:
        return candidate == self.candidate

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExplicitRequirement) and self.candidate == other.candidate

    def __hash__(self) -> int:
        return hash(self.candidate)


@dataclass(eq=False)
class RequiresPythonRequirement(Req):
    specifier: SpecifierSet
    python: PythonCandidate
    name: str = REQUIRES_PYTHON
    project: str = REQUIRES_PYTHON
    parent: Candidate | None = None
    text: str = ""

    _memo: dict[Version, bool] = field(default_factory=dict, repr=False)
    _spec_text: str = field(default="", init=False, repr=False)

    def __post_init__(self) -> None:
        # str(SpecifierSet) sorts and formats its clauses: once, not on every hash and compare
        self._spec_text = str(self.specifier)
        self.text = f"Python {self._spec_text}"

    def satisfied_by(self, candidate: Candidate) -> bool:
        # asked once per pinned project on every round (the identifier collects every
        # candidate's Requires-Python): O(rounds x projects) specifier checks in a large
        # resolution, against one interpreter version
        ok = self._memo.get(candidate.version)
        if ok is None:
            ok = self._memo[candidate.version] = self.specifier.contains(
                candidate.version, prereleases=True
            )
        return ok

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, RequiresPythonRequirement)
            and self._spec_text == other._spec_text
            and self.python is other.python
        )

    def __hash__(self) -> int:
        return hash((self._spec_text, id(self.python)))
