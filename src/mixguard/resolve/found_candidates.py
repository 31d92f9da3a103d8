"""pip's lazy ``FoundCandidates``: a project's candidates in the order pip tries them, built
(and their metadata read) only as the resolver iterates."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from ..index.links import DistributionFile
from .base import Candidate

if TYPE_CHECKING:
    from .factory import Factory

__all__ = ["FoundCandidates"]


class FoundCandidates(Sequence[Candidate]):
    """pip's lazy ``FoundCandidates``: the index is read only when iterated.

    A ``Sequence``, as pip's is, only so that resolvelib's ``build_iter_view`` keeps it as it
    is: anything else it materialises with ``list()``, building every version's candidate (and
    fetching its metadata) where pip builds one. Indexing and ``len`` are never used.
    """

    def __init__(
        self,
        factory: Factory,
        project: str,
        extras: frozenset[str],
        specifier: SpecifierSet,
        prefers_installed: bool,
        incompatible: set[int],
        comes_from: str | None = None,
    ) -> None:
        self._comes_from = comes_from
        self._f = factory
        self._project = project
        self._extras = extras
        self._specifier = specifier
        self._prefers_installed = prefers_installed
        self._incompatible = incompatible
        self._installed = self._installed_candidate()
        self._bool: bool | None = None

    def _installed_candidate(self) -> Candidate | None:
        f = self._f
        if f.request.force_reinstall or f.request.ignore_installed:
            return None
        cand = f.installed_candidate(self._project, self._extras, self._comes_from)
        if cand is None:
            return None
        if not self._specifier.contains(cand.version, prereleases=True):
            return None
        if id(cand) in self._incompatible:
            return None
        return cand

    def _make(self, file: DistributionFile) -> Candidate | None:
        base = self._f.index_candidate(file, self._comes_from)
        if base is None:
            return None
        return self._f.extras_candidate(base, self._extras) if self._extras else base

    def _built(self) -> Iterator[Candidate]:
        """pip's ``FoundCandidates.__iter__``: one policy per case."""
        infos = self._f.iter_index_infos(self._project, self._specifier)
        if self._installed is None:
            return self._iter_built(infos)
        if self._prefers_installed:
            return self._iter_built_with_prepended(self._installed, infos)
        return self._iter_built_with_inserted(self._installed, infos)

    def _iter_built(
        self, infos: Iterator[tuple[Version, DistributionFile]], seen: set[Version] | None = None
    ) -> Iterator[Candidate]:
        """One candidate per version not ``seen``, newest first."""
        seen = set() if seen is None else seen
        for version, file in infos:
            if version in seen:
                continue
            cand = self._make(file)
            if cand is None:
                # pip: MetadataInvalid skips the version; a file that fails to build leaves the
                # next file of the same version a chance
                continue
            seen.add(version)
            yield cand

    def _iter_built_with_prepended(
        self, installed: Candidate, infos: Iterator[tuple[Version, DistributionFile]]
    ) -> Iterator[Candidate]:
        """The installed candidate first (no upgrade wanted), then the index's others."""
        yield installed
        yield from self._iter_built(infos, {installed.version})

    def _iter_built_with_inserted(
        self, installed: Candidate, infos: Iterator[tuple[Version, DistributionFile]]
    ) -> Iterator[Candidate]:
        """The installed candidate in version order (an upgrade is wanted).

        pip's ``_iter_built_with_inserted``, literally: its docstring says the installed
        candidate is inserted once; its code yields it before every index version it is not
        older than, and still yields an index file of the same version after it."""
        seen: set[Version] = set()
        for version, file in infos:
            if version in seen:
                continue
            if installed.version >= version:
                yield installed
                seen.add(installed.version)
            cand = self._make(file)
            if cand is None:
                continue
            yield cand
            seen.add(version)
        if installed.version not in seen:
            yield installed

    def __iter__(self) -> Iterator[Candidate]:
        return (c for c in self._built() if id(c) not in self._incompatible)

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError("lazy: iterate instead")  # pip: "don't do this"

    def __len__(self) -> int:
        raise NotImplementedError("lazy: iterate instead")

    def __bool__(self) -> bool:
        if self._bool is None:
            if self._prefers_installed and self._installed is not None:
                self._bool = True
            else:
                self._bool = any(True for _ in self)
        return self._bool
