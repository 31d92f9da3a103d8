"""Which index files become candidates, and in what order: pip's ``package_finder``.

- ``LinkEvaluator.evaluate_link``: format controls (``--only-binary``/``--no-binary``), wheel
  tags supported by the *target*, the link's ``Requires-Python`` against the target's
  ``major.minor.micro``; yanked links are kept here and handled by the factory.
- ``CandidateEvaluator``: the specifier (``--pre`` or the specifier's own pre-release rule)
  and pip's sort key ``(yank_value, binary_preference, version, tag priority, build tag)``,
  sorted stably and then reversed, exactly as pip does (ties favour later sources).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from ..environment.target import Target
from ..index.client import ProjectFiles
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
        # a set, not the dict: frozenset.isdisjoint(dict) walks all ~1,000 target tags per file
        self._tag_set = frozenset(tags)
        self._support_num = len(tags)
        v = self.target.python_version or "0"
        parts = (v.split(".") + ["0", "0"])[:3]
        self.python = Version(".".join(parts))
        # pip caches its finder's answers for the life of a resolution (``find_all_candidates``
        # per project, ``find_best_candidate`` per project and specifier); here: each version's
        # evaluated files per project, and each specifier clause's answer per version. A large
        # resolution asks for the same project thousands of times (every ``__bool__``, every
        # backjump): re-evaluating botocore's ~5,000 files each time took Airflow's check minutes
        self._projects: dict[int, _ProjectMemo] = {}
        # Keyed by the objects' ids, each entry holding its object (so the id cannot be reused
        # while the entry lives): hashing a packaging Version hashes its key's Infinity
        # markers through their repr, and a backtracking resolution asks these questions
        # ~100,000 times of the same Version objects
        self._clauses: dict[tuple[str, str], dict[int, tuple[Version, bool]]] = {}
        self._prerelease: dict[int, tuple[Version, bool]] = {}
        self._set_allows: dict[tuple[tuple[str, str], ...], bool] = {}

    def evaluate(self, project: str, file: DistributionFile) -> bool:
        """pip's ``LinkEvaluator.evaluate_link`` (yanked links allowed: the factory decides)."""
        if file.kind == "wheel":
            if not self.request.allows_binary(project):
                return False
            if file.name != project:
                return False
            if file.tags.isdisjoint(self._tag_set):
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

    def best_first(
        self, project: str, files: ProjectFiles, specifier: SpecifierSet, *, yanked: bool
    ) -> Iterator[DistributionFile]:
        """pip's ``find_best_candidate(...).applicable_candidates`` reversed (best first),
        only the yanked or only the unyanked ones, produced lazily.

        pip evaluates every link of the project, filters the versions with the specifier and
        sorts the lot by ``(yanked, binary preference, version, tag priority, build tag)``;
        the resolver then mostly takes the first. Here the versions are walked newest first
        and a version's files are parsed and evaluated only when it passes the specifier,
        which gives the same sequence (``tests/property/test_finder_lazy.py`` holds it equal
        to the eager computation) for the cost of the versions actually looked at.
        """
        memo = self._memo(project, files)
        ok = self._predicate(specifier, memo.has_final)
        allowed = self.request.allowed_hashes(project)
        if allowed is not None:
            yield from self._hashed(memo, ok, allowed, yanked)
            return
        classes: tuple[bool | None, ...] = (True, False) if self.request.prefer_binary else (None,)
        for binary in classes:
            for version in memo.versions_desc:
                if not ok(version):
                    continue
                for f in memo.group(version):
                    if f.yanked is yanked and (binary is None or (f.kind == "wheel") is binary):
                        yield f

    def _hashed(
        self,
        memo: _ProjectMemo,
        ok: Callable[[Version], bool],
        allowed: frozenset[str],
        yanked: bool,
    ) -> Iterator[DistributionFile]:
        """Hash-checking mode: pip's ``filter_unallowed_hashes`` (files whose hash is not
        allowed are dropped when any file matches) and its sort key, whose first element is
        then "has an allowed hash": eager, as pip is (hash mode is for short, pinned lists)."""

        def matches(f: DistributionFile) -> bool:
            return any(f"{a}:{h}" in allowed for a, h in f.hashes)

        applicable = [f for v in memo.versions_desc if ok(v) for f in memo.group(v)]
        if any(matches(f) for f in applicable):
            applicable = [f for f in applicable if not f.hashes or matches(f)]
        # the groups are already best first; re-sort the lot by pip's full key
        applicable.reverse()
        applicable.sort(key=lambda f: (int(matches(f)), *self._sort_key(f)[1:]))
        applicable.reverse()
        yield from (f for f in applicable if f.yanked is yanked)

    def _memo(self, project: str, files: ProjectFiles) -> _ProjectMemo:
        # keyed by id, and the memo holds the ProjectFiles: the id cannot be reused meanwhile
        memo = self._projects.get(id(files))
        if memo is None:
            memo = self._projects[id(files)] = _ProjectMemo(self, project, files)
        return memo

    def _predicate(
        self, specifier: SpecifierSet, has_final: Callable[[], bool]
    ) -> Callable[[Version], bool]:
        """Whether a version survives pip's ``specifier.filter(versions, prereleases)``.

        packaging 25's ``SpecifierSet.filter`` on a non-empty set is every clause's
        ``contains(v, prereleases=bool(P))`` (``P`` the argument, else the set's own
        ``prereleases``): a per-version test, each clause's comparison memoised. On an empty
        set, pre-releases pass only with ``--pre`` or when no final version is available at
        all (among versions with an applicable file).
        """
        pre = True if self.request.pre else None
        specs = list(specifier)
        is_pre = self._is_prerelease
        if not specs:
            if pre:
                return lambda v: True
            return lambda v: not is_pre(v) or not has_final()
        tables = []
        keys = []
        for spec in specs:
            key = (spec.operator, spec.version)
            keys.append(key)
            table = self._clauses.get(key)
            if table is None:
                table = self._clauses[key] = {}
            tables.append((spec, table))
        if pre is not None:
            allow = pre
        else:
            # ``specifier.prereleases``, which parses every clause's version to answer: a pure
            # function of the clauses (mixguard never sets a set's prereleases explicitly)
            clauses = tuple(keys)
            got = self._set_allows.get(clauses)
            if got is None:
                got = self._set_allows[clauses] = bool(specifier.prereleases)
            allow = got

        def ok(v: Version) -> bool:
            if not allow and is_pre(v):
                return False
            vid = id(v)
            for spec, table in tables:
                got = table.get(vid)
                if got is None or got[0] is not v:
                    got = table[vid] = (v, spec.contains(v, prereleases=True))
                if not got[1]:
                    return False
            return True

        return ok

    def _is_prerelease(self, v: Version) -> bool:
        got = self._prerelease.get(id(v))
        if got is None or got[0] is not v:
            got = self._prerelease[id(v)] = (v, v.is_prerelease)
        return got[1]

    def filter_versions(
        self, versions: Iterable[Version], specifier: SpecifierSet
    ) -> frozenset[Version]:
        """``specifier.filter(versions, prereleases)`` through the memoised per-version test
        (the property tests compare it with packaging)."""
        distinct = frozenset(versions)
        final = any(not v.is_prerelease for v in distinct)
        ok = self._predicate(specifier, lambda: final)
        return frozenset(v for v in distinct if ok(v))

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


class _ProjectMemo:
    """What the finder knows of one project's files: versions newest first, and each
    version's applicable files (parsed and evaluated on first use) in pip's order."""

    def __init__(self, finder: Finder, project: str, files: ProjectFiles) -> None:
        self._finder = finder
        self._project = project
        self.files = files
        self.versions_desc = sorted(files.versions(), reverse=True)
        self._groups: dict[Version, list[DistributionFile]] = {}
        self._has_final: bool | None = None

    def group(self, version: Version) -> list[DistributionFile]:
        got = self._groups.get(version)
        if got is None:
            finder = self._finder
            project = self._project
            ok = [f for f in self.files.of_version(version) if finder.evaluate(project, f)]
            # pip: a stable sort, reversed (equal keys: the later source first)
            ok.sort(key=finder._sort_key)
            ok.reverse()
            got = self._groups[version] = ok
        return got

    def has_final(self) -> bool:
        """Whether any final (not pre-release) version has an applicable file."""
        if self._has_final is None:
            self._has_final = any(not v.is_prerelease and self.group(v) for v in self.versions_desc)
        return self._has_final
