"""pip's resolution behaviour as a resolvelib provider (after pip 25.3's ``PipProvider`` and
``Factory``). The resolver itself is resolvelib's, unchanged: the same version pip vendors.

What is emulated, each from pip's code:

- installed distributions as candidates; with ``prefers_installed`` (no ``-U``, or ``-U`` with
  only-if-needed for a project the user did not name) the installed one comes first, else it is
  inserted in version order and replaces an index file of the same version;
- ``--force-reinstall`` hides installed distributions from the candidates; ``-I`` hides them
  altogether;
- candidate order: newest first, then wheel tag priority (``Finder``); yanked files only for
  ``==``/``===`` pins that only yanked files satisfy;
- identifier preference (``get_preference``): direct, pinned, upper-bounded, user order,
  "unfree", name; ``narrow_requirement_selection``: Requires-Python first, then backtrack causes;
- extras as separate identifiers (``name[extra]`` depends on the exact base candidate);
- constraints (``-c``) by project name, not extras."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packaging.specifiers import SpecifierSet
from resolvelib.providers import AbstractProvider

from .base import REQUIRES_PYTHON, Candidate, Req
from .factory import Factory
from .requirements import ExplicitRequirement, SpecifierRequirement

__all__ = ["PipProvider"]


if TYPE_CHECKING:
    # resolvelib's generics, typed as pip types its provider
    _ProviderBase = AbstractProvider[Req, Candidate, str]
else:
    _ProviderBase = AbstractProvider


@dataclass
class PipProvider(_ProviderBase):
    factory: Factory
    constraints: Mapping[str, SpecifierSet]
    user_requested: dict[str, int]
    ignore_dependencies: bool
    upgrade_strategy: str
    #: is_satisfied_by's answers by requirement, then candidate, by identity (each entry
    #: holds its objects: an id is not reused while its answer is kept)
    _satisfied: dict[int, tuple[Req, dict[int, tuple[Candidate, bool]]]] = field(
        default_factory=dict, repr=False
    )

    def identify(self, requirement_or_candidate: Any) -> str:
        return str(requirement_or_candidate.name)

    def narrow_requirement_selection(
        self,
        identifiers: Iterable[str],
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> Iterable[str]:
        backtrack: set[str] = set()
        for info in backtrack_causes:
            backtrack.add(info.requirement.name)
            if info.parent is not None:
                backtrack.add(info.parent.name)
        current = []
        for identifier in identifiers:
            if identifier == REQUIRES_PYTHON:
                return [identifier]
            if identifier in backtrack:
                current.append(identifier)
        return current if current else identifiers

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterable[Any]],
        backtrack_causes: Sequence[Any],
    ) -> Any:
        infos = list(information[identifier])
        direct = any(isinstance(i.requirement, ExplicitRequirement) for i in infos)
        operators = [
            (s.operator, s.version)
            for i in infos
            if isinstance(i.requirement, SpecifierRequirement)
            for s in i.requirement.specifier
        ]
        pinned = any(op[:2] == "==" and "*" not in ver for op, ver in operators)
        upper = any(op in ("<", "<=", "~=") or (op == "==" and "*" in ver) for op, ver in operators)
        unfree = bool(operators)
        order = self.user_requested.get(identifier, math.inf)
        return (not direct, not pinned, not upper, order, not unfree, identifier)

    def _eligible_for_upgrade(self, identifier: str) -> bool:
        if self.upgrade_strategy == "eager":
            return True
        if self.upgrade_strategy == "only-if-needed":
            return _with_identifier(self.user_requested, identifier) is not None
        return False

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Req]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> Iterable[Candidate]:
        constraint = _with_identifier(self.constraints, identifier) or SpecifierSet()
        return self.factory.find_candidates(
            identifier,
            requirements,
            incompatibilities,
            constraint,
            prefers_installed=not self._eligible_for_upgrade(identifier),
        )

    def is_satisfied_by(self, requirement: Req, candidate: Candidate) -> bool:
        # pip memoises this (@cache). resolvelib asks it for every pin on every round
        # (~130,000 times in a large resolution): keyed by identity, a hit runs no
        # __hash__ or __eq__ of ours
        by_req = self._satisfied.get(id(requirement))
        if by_req is None:
            by_req = self._satisfied[id(requirement)] = (requirement, {})
        hit = by_req[1].get(id(candidate))
        if hit is None:
            hit = by_req[1][id(candidate)] = (candidate, requirement.satisfied_by(candidate))
        return hit[1]

    def get_dependencies(self, candidate: Candidate) -> Iterable[Req]:
        deps = list(candidate.iter_dependencies(self.factory, not self.ignore_dependencies))
        self.factory.remember_dependencies(candidate, deps)  # the reporter warms them
        return deps


def _with_identifier(mapping: Mapping[str, Any], identifier: str) -> Any:
    # pip: look the identifier up, then the project without extras (constraints and user order)
    if identifier in mapping:
        return mapping[identifier]
    project = identifier.partition("[")[0]
    return mapping.get(project)
