"""pip's ``Factory``: makes requirements and candidates and finds a project's candidates; and
``collect_root_requirements``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from packaging.requirements import Requirement as PepRequirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ..environment.distribution import PythonDistribution
from ..environment.target import Target
from ..index.client import ProjectFiles
from ..index.links import DistributionFile
from ..index.metadata import DistMetadata, Unknown
from ..index.source import PackageIndex
from ..names import PypiName
from ..plan import PipRefusal
from ..requirements import is_pinned, marker_holds, parse_requirement
from .base import REQUIRES_PYTHON, Candidate, Req
from .candidates import ExtrasCandidate, IndexCandidate, InstalledCandidate, PythonCandidate
from .finder import Finder
from .found_candidates import FoundCandidates
from .options import PipRequest
from .requirements import ExplicitRequirement, SpecifierRequirement

__all__ = ["Factory", "PipAbort", "collect_root"]


class PipAbort(Exception):
    """pip stops the command while resolving (a hash error while preparing a candidate)."""

    def __init__(self, refusal: PipRefusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


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
    #: the dependencies last given for a candidate (by ``id``, as pip tracks candidates), for
    #: the reporter's prefetching: it warms them all as soon as the first is added
    _given_deps: dict[int, tuple[Candidate, list[Req]]] = field(default_factory=dict)
    #: next_files' answers (by ``id``, the entry holding its candidate): a backtracking
    #: resolution rejects and re-pins the same candidates hundreds of times
    _next: dict[tuple[int, int], tuple[IndexCandidate, list[DistributionFile]]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        self.finder = Finder(self.target, self.request)
        self.python = PythonCandidate(self.finder.python)
        self._markers = self.target.markers()

    def remember_dependencies(self, candidate: Candidate, deps: list[Req]) -> None:
        self._given_deps[id(candidate)] = (candidate, deps)

    def remembered_dependencies(self, candidate: Candidate) -> list[Req]:
        """What :meth:`remember_dependencies` last recorded for ``candidate`` (or nothing)."""
        found = self._given_deps.get(id(candidate))
        return found[1] if found is not None and found[0] is candidate else []

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

    def note_unknown(self, cand: IndexCandidate, meta: Unknown) -> None:
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
        self.unknowns[(cand.project, str(cand.version))] = replace(
            meta, project=cand.project, version=str(cand.version)
        )

    def note_installed_unknown(self, cand: InstalledCandidate) -> None:
        dist = cand.dist
        self.unknowns[(cand.project, str(cand.version))] = Unknown(
            dist.where or dist.path or cand.project,
            "",
            "installed-unknown",
            f"installed {cand.project} {cand.version}: requirements unknown"
            + (f" ({dist.origin_note})" if dist.origin_note else ""),
            cand.project,
            str(cand.version),
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
                Unknown(
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
                Unknown(filename, url, "invalid", "the metadata contradicts the file name"),
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
        return FoundCandidates(
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

    def next_files(self, candidate: IndexCandidate, count: int) -> list[DistributionFile]:
        """The best files of the ``count`` versions after ``candidate``'s, in pip's order: what
        the resolver tries next if it rejects ``candidate`` (speculation for prefetching)."""
        known = self._next.get((id(candidate), count))
        if known is not None and known[0] is candidate:
            return known[1]
        files = self.client.project_files(candidate.project)
        out: list[DistributionFile] = []
        seen: set[Version] = {candidate.version}
        for f in self.finder.best_first(candidate.project, files, SpecifierSet(), yanked=False):
            if f.version is None or f.version in seen or f.version > candidate.version:
                continue
            seen.add(f.version)
            out.append(f)
            if len(out) == count:
                break
        self._next[(id(candidate), count)] = (candidate, out)
        return out

    def iter_index_infos(
        self, project: str, specifier: SpecifierSet
    ) -> Iterator[tuple[Version, DistributionFile]]:
        """pip's ``iter_index_candidate_infos``: the applicable files best first, yanked ones
        only when every applicable file is yanked and the specifier pins a version."""
        files = self.client.project_files(project)
        if files.problems and (project, "") not in self.unknowns:
            # a page that could not be read (offline and not cached, an HTTP error): what is
            # planned without its files is not proven (pip, online, may well see them)
            self.unknowns[(project, "")] = Unknown(
                f"index page of {project}", "", "index-page", "; ".join(files.problems), project
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


class Constraints(Mapping[str, SpecifierSet]):
    """pip's constraints by project name: the request's own, and its ``held`` pins, each made a
    ``==version`` specifier only when the resolution asks for that project."""

    def __init__(self, given: Mapping[str, SpecifierSet], held: Mapping[str, str]) -> None:
        self._given = dict(given)
        self._held = dict(held)
        self._made: dict[str, SpecifierSet] = {}

    def __getitem__(self, key: str) -> SpecifierSet:
        found = self._made.get(key)
        if found is not None:
            return found
        given, version = self._given.get(key), self._held.get(key)
        if version is None:
            if given is None:
                raise KeyError(key)
            return given
        pin = SpecifierSet(f"=={version}")
        found = self._made[key] = pin if given is None else given & pin
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._given or key in self._held

    def __iter__(self) -> Iterator[str]:
        return iter({**self._given, **dict.fromkeys(self._held)})

    def __len__(self) -> int:
        return len(self._given.keys() | self._held.keys())


def collect_root(
    factory: Factory, request: PipRequest
) -> tuple[list[Req], Constraints, dict[str, int]]:
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
    held = {str(canonicalize_name(n)): v for n, v in request.held}
    return requirements, Constraints(constraints, held), user_requested


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
