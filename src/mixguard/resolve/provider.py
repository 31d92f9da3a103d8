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
- constraints (``-c``) by project name, not extras.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packaging.requirements import Requirement as PepRequirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from resolvelib.providers import AbstractProvider

from ..environment.distribution import PythonDistribution
from ..environment.target import Target
from ..index.client import ProjectFiles
from ..index.links import DistributionFile
from ..index.metadata import DistMetadata, MetadataUnknown
from ..index.source import PackageIndex
from ..names import PypiName
from ..requirements import is_pinned, marker_holds, parse_requirement
from .candidates import (
    REQUIRES_PYTHON,
    Candidate,
    ExplicitRequirement,
    ExtrasCandidate,
    IndexCandidate,
    InstalledCandidate,
    PythonCandidate,
    Req,
    RequiresPythonRequirement,
    SpecifierRequirement,
)
from .finder import Finder
from .options import PipRequest
from .plan import PipRefusal

__all__ = ["Factory", "PipAbort", "PipProvider", "Unknown"]


class PipAbort(Exception):
    """pip stops the command while resolving (a hash error while preparing a candidate)."""

    def __init__(self, refusal: PipRefusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class Unknown:
    """Something the resolution could not determine: metadata, or a build."""

    project: str
    version: str
    filename: str
    kind: str
    reason: str


@dataclass
class Factory:
    """Makes requirements and candidates, and finds candidates, as pip's ``Factory``."""

    target: Target
    request: PipRequest
    client: PackageIndex
    installed: Mapping[str, PythonDistribution]
    finder: Finder = field(init=False)
    python: PythonCandidate = field(init=False)
    unknowns: dict[tuple[str, str], Unknown] = field(default_factory=dict)
    _markers: dict[str, str] = field(default_factory=dict)
    _installed_cands: dict[tuple[str, frozenset[str]], Candidate] = field(default_factory=dict)
    _index_cands: dict[tuple[str, str], IndexCandidate] = field(default_factory=dict)
    _extras_cands: dict[tuple[int, frozenset[str]], ExtrasCandidate] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.finder = Finder(self.target, self.request)
        self.python = PythonCandidate(self.finder.python)
        self._markers = self.target.markers()

    @property
    def ignore_requires_python(self) -> bool:
        return self.request.ignore_requires_python

    # --- requirements -----------------------------------------------------------------------

    def parse_requirement(self, text: str) -> PepRequirement | None:
        return parse_requirement(text)

    def marker_ok(self, req: PepRequirement, extra: str) -> bool:
        return marker_holds(req, self._markers, (extra,))

    def requirements_from_spec(
        self,
        text: str,
        parent: Candidate | None,
        extras: frozenset[str],
        user_supplied: bool = False,
    ) -> Iterator[Req]:
        """pip's ``make_requirements_from_spec``: markers, then one or two requirements."""
        req = self.parse_requirement(text)
        if req is None:
            return
        wanted = extras or frozenset({""})
        if req.marker is not None and not any(self.marker_ok(req, e) for e in wanted):
            return
        req_extras = frozenset(canonicalize_name(e) for e in req.extras)
        if req.url:
            yield from self._url_requirements(req, parent, req_extras)
            return
        if req_extras and req.specifier:
            # pip's SpecifierWithoutExtrasRequirement: constrain the base project too
            yield SpecifierRequirement(
                req, frozenset(), parent=parent, text=text, user_supplied=user_supplied
            )
        yield SpecifierRequirement(
            req, req_extras, parent=parent, text=text, user_supplied=user_supplied
        )

    def _url_requirements(
        self, req: PepRequirement, parent: Candidate | None, extras: frozenset[str]
    ) -> Iterator[Req]:
        assert req.url is not None
        cand = self.candidate_from_url(req.url, canonicalize_name(req.name))
        base = ExplicitRequirement(cand, parent=parent)
        yield base
        if extras:
            yield ExplicitRequirement(self.extras_candidate(cand, extras), parent=parent)

    # --- candidates -------------------------------------------------------------------------

    def note_unknown(self, cand: IndexCandidate, meta: MetadataUnknown) -> None:
        if meta.kind == "hash-mismatch":
            # pip stops the whole install on a metadata file whose hash does not match
            raise PipAbort(
                PipRefusal(
                    "hash-mismatch",
                    cand.project,
                    f"THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. "
                    f"{cand.project}=={cand.version}: {meta.reason} ({meta.url}.metadata)",
                )
            )
        self.unknowns[(cand.project, str(cand.version))] = Unknown(
            cand.project, str(cand.version), meta.filename, meta.kind, meta.reason
        )

    def note_installed_unknown(self, cand: InstalledCandidate) -> None:
        dist = cand.dist
        self.unknowns[(cand.project, str(cand.version))] = Unknown(
            cand.project,
            str(cand.version),
            dist.where or dist.path or cand.project,
            "installed-unknown",
            f"installed {cand.project} {cand.version}: requirements unknown"
            + (f" ({dist.origin_note})" if dist.origin_note else ""),
        )

    def installed_candidate(
        self, project: str, extras: frozenset[str], comes_from: str | None = None
    ) -> Candidate | None:
        dist = self.installed.get(project)
        if dist is None:
            return None
        key: tuple[str, frozenset[str]] = (project, frozenset())
        if key not in self._installed_cands:
            try:
                self._installed_cands[key] = InstalledCandidate(dist, comes_from)
            except InvalidVersion:
                return None
        base = self._installed_cands[key]
        assert isinstance(base, InstalledCandidate)
        return self.extras_candidate(base, extras) if extras else base

    def index_candidate(
        self, file: DistributionFile, comes_from: str | None = None
    ) -> IndexCandidate | None:
        key = (file.name, file.url)
        if key not in self._index_cands:
            meta = self.client.metadata(file)
            if isinstance(meta, DistMetadata):
                # pip: metadata that contradicts the file name is invalid: skip that version
                if str(canonicalize_name(meta.name)) != str(file.name):
                    return None
                try:
                    if Version(meta.version) != file.version:
                        return None
                except InvalidVersion:
                    return None
                # pip 25.3's _check_metadata_consistency: every Requires-Dist line must parse
                # (whatever its marker), else MetadataInvalid: the link is discarded and the
                # resolver moves on to the next candidate
                if any(parse_requirement(t.strip()) is None for t in meta.requires_dist):
                    return None
            self._index_cands[key] = IndexCandidate(file, meta, comes_from=comes_from)
        return self._index_cands[key]

    def candidate_from_url(self, url: str, name: str) -> IndexCandidate:
        filename = url.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        file = DistributionFile.from_link(filename, url if "://" in url else f"file://{url}")
        if file is None:
            # a directory or VCS URL: only a build can tell its metadata
            fake = DistributionFile(
                filename=filename, url=url, name=PypiName(name), version=Version("0"), kind="other"
            )
            cand = IndexCandidate(
                fake,
                MetadataUnknown(
                    filename,
                    url,
                    "needs-build",
                    "a directory or VCS requirement: only a build can tell",
                ),
                direct=True,
            )
            return cand
        found = self.index_candidate(file)
        if found is None:
            found = IndexCandidate(
                file,
                MetadataUnknown(filename, url, "invalid", "the metadata contradicts the file name"),
            )
        found.direct = True
        return found

    def extras_candidate(self, base: Candidate, extras: frozenset[str]) -> ExtrasCandidate:
        assert isinstance(base, (InstalledCandidate, IndexCandidate))
        key = (id(base), extras)
        if key not in self._extras_cands:
            self._extras_cands[key] = ExtrasCandidate(base, extras)
        return self._extras_cands[key]

    def find_candidates(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Req]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
        constraint: SpecifierSet,
        prefers_installed: bool,
    ) -> Iterable[Candidate]:
        reqs = list(requirements[identifier])
        if identifier == REQUIRES_PYTHON:
            # pip: the interpreter is an explicit candidate like any other, so a backjump that
            # marked it incompatible (or a Requires-Python it fails) leaves no candidate
            bad = {id(c) for c in incompatibilities.get(identifier, ())}
            ok = id(self.python) not in bad and all(r.satisfied_by(self.python) for r in reqs)
            return [self.python] if ok else []
        project, _, rest = identifier.partition("[")
        extras = frozenset(rest.rstrip("]").split(",")) if rest else frozenset()
        explicit: list[Candidate] = []
        specs: list[SpecifierRequirement] = []
        for r in reqs:
            if isinstance(r, ExplicitRequirement):
                explicit.append(r.candidate)
            elif isinstance(r, SpecifierRequirement):
                specs.append(r)
        if extras:
            # pip: explicit candidates of the extra-less identifier, with the extras on top
            for r in requirements.get(project, ()):
                if isinstance(r, ExplicitRequirement):
                    explicit.append(self.extras_candidate(r.candidate, extras))
                elif isinstance(r, SpecifierRequirement):
                    specs.append(r)
        incompatible = {id(c) for c in incompatibilities.get(identifier, ())}
        if explicit:
            return [
                c
                for c in dict.fromkeys(explicit)
                if id(c) not in incompatible
                and constraint.contains(c.version, prereleases=True)
                and all(r.satisfied_by(c) for r in reqs)
            ]
        if not specs:
            return []
        specifier = SpecifierSet(str(constraint))
        for r in specs:
            specifier &= r.specifier
        # pip's template: the first requirement; its comes_from names the candidates it makes
        template = specs[0]
        comes_from = (
            template.parent.project if template.parent is not None else template.root_comes_from
        )
        return _FoundCandidates(
            self, project, extras, specifier, prefers_installed, incompatible, comes_from
        )

    def likely_pick(
        self, project: str, specifier: SpecifierSet, files: ProjectFiles
    ) -> DistributionFile | None:
        """The file pip will most likely take for ``project`` under ``specifier`` alone (the
        installed version, constraints and later requirements may change it): speculation
        for :meth:`IndexClient.warm`, never a decision."""
        if project in self.installed:
            return None  # pip will most likely keep what is installed
        return next(self.finder.best_first(project, files, specifier, yanked=False), None)

    def _index_infos(
        self, project: str, specifier: SpecifierSet
    ) -> Iterator[tuple[Version, DistributionFile]]:
        """pip's ``iter_index_candidate_infos``: the applicable files best first, yanked ones
        only when every applicable file is yanked and the specifier pins a version."""
        files = self.client.project_files(project)
        if files.problems and (project, "") not in self.unknowns:
            # a page that could not be read (offline and not cached, an HTTP error): what is
            # planned without its files is not proven (pip, online, may well see them)
            self.unknowns[(project, "")] = Unknown(
                project, "", f"index page of {project}", "index-page", "; ".join(files.problems)
            )
        unyanked = False
        for f in self.finder.best_first(project, files, specifier, yanked=False):
            unyanked = True
            assert f.version is not None
            yield f.version, f
        if not unyanked and is_pinned(specifier):
            for f in self.finder.best_first(project, files, specifier, yanked=True):
                assert f.version is not None
                yield f.version, f


class _FoundCandidates(Sequence[Candidate]):
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
        infos = self._f._index_infos(self._project, self._specifier)
        installed = self._installed
        seen: set[Version] = set()
        if installed is None:
            for version, file in infos:
                if version in seen:
                    continue
                cand = self._make(file)
                if cand is None:
                    # pip: MetadataInvalid skips the version; a file that fails to build
                    # leaves the next file of the same version a chance
                    continue
                seen.add(version)
                yield cand
        elif self._prefers_installed:
            yield installed
            seen.add(installed.version)
            for version, file in infos:
                if version in seen:
                    continue
                cand = self._make(file)
                if cand is None:
                    continue
                seen.add(version)
                yield cand
        else:
            # pip's _iter_built_with_inserted, literally: its docstring says the installed
            # candidate is inserted once, its code yields it before every index version it is
            # not older than, and still yields an index file of the same version after it
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


if TYPE_CHECKING:
    # resolvelib's generics, typed as pip types its provider
    _ProviderBase = AbstractProvider[Req, Candidate, str]
else:
    _ProviderBase = AbstractProvider


@dataclass
class PipProvider(_ProviderBase):
    factory: Factory
    constraints: dict[str, SpecifierSet]
    user_requested: dict[str, int]
    ignore_dependencies: bool
    upgrade_strategy: str
    _satisfied: dict[tuple[Req, Candidate], bool] = field(default_factory=dict, repr=False)

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
        # pip memoises this (@cache); requirements and candidates compare by identity
        key = (requirement, candidate)
        hit = self._satisfied.get(key)
        if hit is None:
            hit = self._satisfied[key] = requirement.satisfied_by(candidate)
        return hit

    def get_dependencies(self, candidate: Candidate) -> Iterable[Req]:
        return list(candidate.iter_dependencies(self.factory, not self.ignore_dependencies))


def _with_identifier(mapping: Mapping[str, Any], identifier: str) -> Any:
    # pip: look the identifier up, then the project without extras (constraints and user order)
    if identifier in mapping:
        return mapping[identifier]
    project = identifier.partition("[")[0]
    return mapping.get(project)


def collect_root(
    factory: Factory, request: PipRequest
) -> tuple[list[Req], dict[str, SpecifierSet], dict[str, int]]:
    """pip's ``collect_root_requirements``: requirements, constraints, user order."""
    requirements: list[Req] = []
    constraints: dict[str, SpecifierSet] = defaultdict(SpecifierSet)
    user_requested: dict[str, int] = {}
    for i, root in enumerate(request.requirements):
        if root.constraint:
            if root.requirement is None or root.requirement.url or root.requirement.extras:
                from ..errors import ParseError

                raise ParseError(
                    root.text, "constraints must be a name and a version specifier", root.where
                )
            req = root.requirement
            if req.marker is not None and not factory.marker_ok(req, ""):
                continue
            constraints[canonicalize_name(req.name)] &= req.specifier
            continue
        if root.requirement is not None and root.requirement.url is None and root.link is None:
            reqs = list(
                factory.requirements_from_spec(root.text, None, frozenset(), user_supplied=True)
            )
            for r in reqs:
                if isinstance(r, SpecifierRequirement):
                    r.root_comes_from = root.comes_from
        else:
            reqs = _link_requirements(factory, root)
        if not reqs:
            continue
        if reqs[0].name not in user_requested:
            user_requested[reqs[0].name] = i
        requirements.extend(reqs)
    requirements.sort(key=lambda r: r.name != r.project)
    return requirements, dict(constraints), user_requested


def _link_requirements(factory: Factory, root: Any) -> list[Req]:
    link = root.link or (root.requirement.url if root.requirement else None)
    assert isinstance(link, str)
    name = root.name or ""
    cand = factory.candidate_from_url(link, name)
    reqs: list[Req] = [ExplicitRequirement(cand)]
    extras = frozenset(
        canonicalize_name(e) for e in (root.requirement.extras if root.requirement else ())
    )
    if extras:
        reqs.append(ExplicitRequirement(factory.extras_candidate(cand, extras)))
    return reqs


__all__ += ["RequiresPythonRequirement", "collect_root"]
