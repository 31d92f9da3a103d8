"""Which index files become candidates, and in what order: pip's ``package_finder``.

- ``LinkEvaluator.evaluate_link``: format controls (``--only-binary``/``--no-binary``), wheel
  tags supported by the *target*, the link's ``Requires-Python`` against the target's
  ``major.minor.micro``; yanked links are kept here and handled by the factory.
- ``CandidateEvaluator``: the specifier (``--pre`` or the specifier's own pre-release rule)
  and pip's sort key ``(yank_value, binary_preference, version, tag priority, build tag)``,
  sorted stably and then reversed, exactly as pip does (ties favour later sources).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from ..environment.target import Target
from ..index.links import DistributionFile
from .options import PipRequest

__all__ = ["Finder"]


@lru_cache(maxsize=4096)
def _requires_python_ok(requires_python: str, python: Version) -> bool:
    try:
        return SpecifierSet(requires_python).contains(python)
    except InvalidSpecifier:
        return True  # pip ignores an invalid Requires-Python on a link


@dataclass
class Finder:
    target: Target
    request: PipRequest

    def __post_init__(self) -> None:
        tags = [str(t) for t in self.target.wheel_tags()]
        self._tag_priority = {t: i for i, t in enumerate(tags)}
        self._support_num = len(tags)
        v = self.target.python_version or "0"
        parts = (v.split(".") + ["0", "0"])[:3]
        self.python = Version(".".join(parts))

    def evaluate(self, project: str, file: DistributionFile) -> bool:
        """pip's ``LinkEvaluator.evaluate_link`` (yanked links allowed: the factory decides)."""
        if file.kind == "wheel":
            if not self.request.allows_binary(project):
                return False
            if file.name != project:
                return False
            if file.tags.isdisjoint(self._tag_priority):
                return False
        elif file.kind == "sdist":
            if not self.request.allows_source(project):
                return False
        else:
            return False
        if file.version is None:
            return False
        if file.requires_python and not self.request.ignore_requires_python:
            return _requires_python_ok(file.requires_python, self.python)
        return True

    def applicable(
        self, project: str, files: list[DistributionFile], specifier: SpecifierSet
    ) -> list[DistributionFile]:
        """pip's ``find_best_candidate(...).applicable_candidates``: best last."""
        found = [f for f in files if self.evaluate(project, f)]
        allow_pre = True if self.request.pre else None
        # pip filters version strings; Version objects give the same answer without re-parsing
        # every version of a large project on each call
        distinct = {f.version for f in found if f.version is not None}
        versions = set(specifier.filter(distinct, prereleases=allow_pre))
        chosen = [f for f in found if f.version in versions]
        return sorted(chosen, key=self._sort_key)

    def _sort_key(
        self, f: DistributionFile
    ) -> tuple[int, int, int, Version, int, tuple[object, ...]]:
        if f.kind == "wheel":
            pri = -min(self._tag_priority[t] for t in f.tags if t in self._tag_priority)
            binary = 1 if self.request.prefer_binary else 0
            build: tuple[object, ...] = tuple(f.build_tag)
        else:
            pri = -self._support_num
            binary = 0
            build = ()
        assert f.version is not None
        # no hash-checking mode: every link has an "allowed hash" (pip's first key is constant)
        return (1, -int(f.yanked), binary, f.version, pri, build)
