"""A small conda-side resolution with the environment locked (resolvelib over MatchSpecs).

Used by the conda-first remedy: can conda channels satisfy these specs while every installed
record the request does not name stays exactly as it is? Virtual packages come from the target.
Candidate order: newest version, then highest build number, then newest timestamp, records
with track_features last (conda's own preferences, simplified: no channel priority).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from resolvelib import BaseReporter, ResolutionImpossible, Resolver
from resolvelib.providers import AbstractProvider

from ..errors import MixguardError, ParseError
from .matchspec import MatchSpec
from .records import PackageRecord

__all__ = ["CondaSolveError", "RecordSource", "solve_locked"]


class RecordSource(Protocol):
    """Where candidate records come from (a LocalChannel, a RepoData, a list)."""

    def records(self, name: str) -> tuple[PackageRecord, ...]: ...


class CondaSolveError(MixguardError):
    def __init__(self, message: str, causes: tuple[str, ...]) -> None:
        super().__init__(message)
        self.causes = causes


@dataclass(eq=False)
class _Root:
    spec: MatchSpec
    parent: PackageRecord | None = None

    @property
    def name(self) -> str:
        return self.spec.name


def _key(r: PackageRecord) -> tuple[Any, ...]:
    return (not r.track_features, r.version_order, r.build_number, r.timestamp or 0)


@dataclass
class _Provider(AbstractProvider):  # type: ignore[type-arg]
    sources: Sequence[RecordSource]
    locked: Mapping[str, PackageRecord]
    virtual: Mapping[str, PackageRecord]
    free: frozenset[str]
    _cache: dict[str, list[PackageRecord]] = field(default_factory=dict)
    _matching: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict)

    def identify(self, requirement_or_candidate: Any) -> str:
        return str(requirement_or_candidate.name)

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Any],
        candidates: Mapping[str, Iterator[Any]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> Any:
        return (identifier not in self.locked, identifier)

    def _all(self, name: str) -> list[PackageRecord]:
        if name not in self._cache:
            found: dict[tuple[str, str, str], PackageRecord] = {}
            for s in self.sources:
                for r in s.records(name):
                    found.setdefault((r.version, r.build, r.subdir), r)
            if name in self.locked:
                r = self.locked[name]
                found.setdefault((r.version, r.build, r.subdir), r)
            self._cache[name] = sorted(found.values(), key=_key, reverse=True)
        return self._cache[name]

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[_Root]],
        incompatibilities: Mapping[str, Iterator[PackageRecord]],
    ) -> Iterable[PackageRecord]:
        reqs = list(requirements[identifier])
        bad = {id(c) for c in incompatibilities.get(identifier, ())}
        if identifier.startswith("__"):
            pool = [self.virtual[identifier]] if identifier in self.virtual else []
        elif identifier in self.locked and identifier not in self.free:
            pool = [self.locked[identifier]]  # locked: the installed record or nothing
        else:
            pool = self._all(identifier)
            # many dependents repeat one spec (every package's "python >=3.10,<3.13.0a0"):
            # match each distinct spec once against the pool, and remember it across rounds
            allowed: frozenset[int] | None = None
            for text, spec in {r.spec.original: r.spec for r in reqs}.items():
                ids = self._matching.get((identifier, text))
                if ids is None:
                    ids = frozenset(id(c) for c in pool if spec.match(c))
                    self._matching[(identifier, text)] = ids
                allowed = ids if allowed is None else allowed & ids
            return [c for c in pool if id(c) not in bad and (allowed is None or id(c) in allowed)]
        return [c for c in pool if id(c) not in bad and all(r.spec.match(c) for r in reqs)]

    def is_satisfied_by(self, requirement: _Root, candidate: PackageRecord) -> bool:
        return requirement.spec.match(candidate)

    def get_dependencies(self, candidate: PackageRecord) -> Iterable[_Root]:
        out = []
        for text in candidate.depends:
            try:
                out.append(_Root(MatchSpec.parse(text), candidate))
            except ParseError:
                continue
        return out


def solve_locked(
    specs: Sequence[str],
    sources: Sequence[RecordSource],
    installed: Iterable[PackageRecord],
    virtual: Iterable[PackageRecord] = (),
    *,
    free: Iterable[str] = (),
) -> dict[str, PackageRecord]:
    """Records satisfying ``specs`` with every installed record locked except the ``free``
    names (and the names the specs ask for). Raises :class:`CondaSolveError` with the
    conflicting requirements when there is none."""
    roots = [_Root(MatchSpec.parse(s)) for s in specs]
    locked: dict[str, PackageRecord] = {str(r.name): r for r in installed}
    names = frozenset({r.spec.name for r in roots} | set(free))
    provider = _Provider(sources, locked, {v.name: v for v in virtual}, names)
    try:
        result = Resolver(provider, BaseReporter()).resolve(roots, max_rounds=20_000)
    except ResolutionImpossible as exc:
        causes = tuple(
            f"{c.parent.name} {c.parent.version} {c.parent.build} requires '{c.requirement.spec.original}'"
            if c.parent is not None
            else f"requested '{c.requirement.spec.original}'"
            for c in exc.causes
        )
        raise CondaSolveError(
            "no conda solution keeps the environment: " + "; ".join(causes), causes
        ) from None
    return dict(result.mapping)
