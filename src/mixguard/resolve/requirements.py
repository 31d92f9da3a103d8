"""Requirements, as pip's ``resolution/resolvelib/requirements.py``: a specifier on a project,
an exact candidate (an extra's base, a URL), and Requires-Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packaging.requirements import Requirement as PepRequirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from ..requirements import requirement_text
from .base import REQUIRES_PYTHON, Candidate, Req, format_name

if TYPE_CHECKING:
    from .candidates import PythonCandidate

__all__ = ["ExplicitRequirement", "RequiresPythonRequirement", "SpecifierRequirement"]


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
        text = requirement_text(self.requirement)
        if not self.text:
            self.text = text
        # pip: str(ireq), i.e. the requirement and "(from <parent>)", and the extras. Computed
        # once: the resolver hashes requirements ~100,000 times in a large resolution, and
        # str(Requirement) is not cheap
        parent = self.parent.project if self.parent is not None else None
        self._equal = (self.name, text, parent)
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
        parts = [p.strip() for p in requirement_text(self.requirement).split(",")]
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
