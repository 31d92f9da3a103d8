"""Replay ``pip install <args>`` in a target environment: :func:`resolve`."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version
from resolvelib import BaseReporter, ResolutionImpossible, ResolutionTooDeep, Resolver

from ..environment.model import Environment
from ..environment.target import Target
from ..errors import MixguardError
from ..index.client import IndexClient, ProjectFiles
from ..index.links import DistributionFile
from ..index.metadata import DistMetadata
from ..index.source import Index, Prefetch
from ..names import PypiName
from ..plan import ConflictCause, InstallPlan, Pick, build_plan, installed_view
from ..progress import NO_PROGRESS, Progress
from ..requirements import parse_requirement
from .base import REQUIRES_PYTHON, Candidate, Req
from .candidates import ExtrasCandidate, IndexCandidate, InstalledCandidate
from .factory import Factory, PipAbort, collect_root
from .options import PipRequest, parse_pip_args
from .provider import PipProvider
from .refusals import before_resolution, hash_refusals
from .requirements import SpecifierRequirement

__all__ = [
    "ResolutionCancelled",
    "ResolutionImpossibleError",
    "ResolutionTooDeepError",
    "resolve",
]

_MAX_ROUNDS = 200_000  # pip's limit_how_complex_resolution_can_be
_LOOKAHEAD = 8  # versions warmed ahead when the resolver rejects one


class ResolutionTooDeepError(MixguardError):
    """The resolver went past its round limit (pip's: 200,000, then pip stops with
    ``resolution-too-deep``); ``rounds`` is the limit that was reached."""

    def __init__(self, rounds: int) -> None:
        super().__init__(
            f"pip's resolver gave up after {rounds:,} rounds (resolution-too-deep): the "
            "dependencies backtrack more than it will try"
        )
        self.rounds = rounds


class ResolutionCancelled(MixguardError):
    """The caller's ``cancel`` event was set: the resolution stopped between two rounds (a
    speculative resolution whose answer is no longer wanted)."""


class ResolutionImpossibleError(MixguardError):
    """pip would stop with ResolutionImpossible; the message is pip's, the causes structured."""

    def __init__(
        self, message: str, causes: tuple[ConflictCause, ...], no_candidates: tuple[str, ...]
    ) -> None:
        super().__init__(message)
        self.causes = causes
        self.no_candidates = no_candidates


if TYPE_CHECKING:
    _ReporterBase = BaseReporter[Req, Candidate, str]
    _Resolver = Resolver[Req, Candidate, str]
else:
    _ReporterBase = BaseReporter
    _Resolver = Resolver


class _Reporter(_ReporterBase):
    """Side effects of the resolution, through resolvelib's hooks (pip's reporter seam): as a
    requirement is added, its page (and its likely pick's METADATA) is fetched in the
    background; as a wheel is pinned, its RECORD (the findings will want it). Decides
    nothing: the resolver asks for the same things whenever they arrive. Each pin is also
    told to ``progress`` (the terminal's display)."""

    def __init__(
        self,
        prefetch: Prefetch,
        factory: Factory,
        progress: Progress,
        cancel: threading.Event | None = None,
        constraints: Mapping[str, SpecifierSet] | None = None,
    ) -> None:
        self._prefetch = prefetch
        self._constraints = constraints or {}
        self._factory = factory
        self._progress = progress
        self._cancel = cancel
        self._warmed: dict[int, Candidate] = {}  # parents whose dependencies were warmed
        #: set when the resolution has ended: warming threads still at work start no more
        self.closed = False
        self._followed: set[str] = set()  # projects whose likely pick's deps were warmed
        self._lock = threading.Lock()
        self._pins: dict[tuple[str, bool], int] = {}  # times each project was pinned

    def starting_round(self, index: int) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise ResolutionCancelled("the resolution was cancelled")

    def adding_requirement(self, requirement: Req, parent: Candidate | None) -> None:
        # resolvelib adds a candidate's dependencies one at a time, each fetched as it is
        # added: at the first, every one of them starts on its way (pages and likely METADATA
        # in parallel, not one round trip after another)
        if parent is not None and id(parent) not in self._warmed:
            self._warmed[id(parent)] = parent
            for dep in self._factory.remembered_dependencies(parent):
                self._warm(dep)
        self._warm(requirement)

    def _warm(self, requirement: Req) -> None:
        if isinstance(requirement, SpecifierRequirement):
            self._prefetch.warm(
                requirement.project,
                partial(self._pick_and_follow, requirement.project, requirement.specifier, 0),
            )

    def _pick_and_follow(
        self, project: str, specifier: SpecifierSet, depth: int, files: ProjectFiles
    ) -> DistributionFile | None:
        """On a warming thread, once ``project``'s page is in: the file the resolver will
        likely take, and then its own dependencies' pages, and so on down the likely closure.
        The resolver learns a candidate's dependencies only when it pins it, so warming one
        level ahead left every deeper level's page and METADATA on the critical path, one
        after another (a cold seed check: ~35 fetches the resolver waited for). Speculation
        only: each project's dependencies are followed once (a later pick of it, under
        another specifier, warms only its own METADATA: following every version a backtrack
        tries, torch's, fetched twice what the resolution needed), markers are the target's,
        extras are not followed, and nothing is decided by what arrives. Each level down
        waits behind the one above (``priority``): what the resolver is about to need first."""
        constraint = self._constraints.get(project)
        if constraint is not None:  # -c lines and held pins (a remedy's conda versions)
            specifier = specifier & constraint
        file = self._factory.likely_pick(project, specifier, files)
        if file is None or self.closed:
            return file
        with self._lock:
            if project in self._followed:
                return file
            self._followed.add(project)
        meta = self._factory.client.metadata(file)
        if not isinstance(meta, DistMetadata):
            return None
        for text in meta.requires_dist:
            req = parse_requirement(text)
            if req is not None and (req.marker is None or self._factory.marker_ok(req, "")):
                dep = canonicalize_name(req.name)
                self._prefetch.warm(
                    dep,
                    partial(self._pick_and_follow, dep, req.specifier, depth + 1),
                    priority=depth + 1,
                )
        return file

    def rejecting_candidate(self, criterion: object, candidate: Candidate) -> None:
        # backtracking walks a project's versions newest first, each one's METADATA read as
        # it is reached (torch: a dozen versions of 500 MB wheels, by Range): the next few
        # start on their way together
        base = _index_base(candidate)
        if base is not None:
            for file in self._factory.next_files(base, _LOOKAHEAD):
                self._prefetch.warm_metadata(file)

    def pinning(self, candidate: Candidate) -> None:
        if isinstance(candidate, IndexCandidate):
            self._prefetch.warm_record(candidate.file)
        base = _index_base(candidate)
        if base is not None:
            # pinned again after a backjump: the resolver is walking this project's versions
            # down (no rejection to hear about); the next few start on their way. A request
            # with extras (transformers[torch]) walks the extras candidate's versions, each
            # pinned before its base: counted by the project, as one walk
            key = (candidate.project, type(candidate) is IndexCandidate)
            seen = self._pins[key] = self._pins.get(key, 0) + 1
            if seen > 1:
                for file in self._factory.next_files(base, _LOOKAHEAD):
                    self._prefetch.warm_metadata(file)
        if isinstance(candidate, (IndexCandidate, InstalledCandidate)):
            self._progress.pinned(candidate.project, str(candidate.version))


def resolve(
    env: Environment,
    request: PipRequest | Sequence[str],
    client: Index | None = None,
    *,
    target: Target | None = None,
    cwd: str | Path = ".",
    progress: Progress = NO_PROGRESS,
    max_rounds: int = _MAX_ROUNDS,
    cancel: threading.Event | None = None,
) -> InstallPlan:
    """What ``pip install <request>`` would do in ``env``.

    ``request`` is a :class:`PipRequest` or the very arguments a user gives ``pip install``.
    Raises :class:`ResolutionImpossibleError` where pip would fail to resolve, and
    :class:`ResolutionTooDeepError` past ``max_rounds`` (pip's own limit unless a caller, such
    as a remedy, bounds its effort lower). ``progress`` is told each pin. Setting ``cancel``
    (from another thread) stops the resolution at its next round with
    :class:`ResolutionCancelled`.
    """
    req = request if isinstance(request, PipRequest) else parse_pip_args(request, cwd)
    tgt = target or env.target
    refused = before_resolution(env, req)
    if refused:  # pip stops before it resolves anything
        return InstallPlan((), args=req.args, refusals=refused)
    if client is None:
        client = IndexClient(req.index)
    installed = {} if req.ignore_installed else installed_view(env)
    factory = Factory(tgt, req, client, installed)
    roots, constraints, user_requested = collect_root(factory, req)
    provider = PipProvider(factory, constraints, user_requested, req.no_deps, req.upgrade_strategy)
    reporter = _Reporter(client, factory, progress, cancel, constraints)
    resolver = _Resolver(provider, reporter)
    try:
        with client.warming():
            try:
                for root in roots:  # every requested project's page at once, not one per round
                    reporter.adding_requirement(root, None)
                result = resolver.resolve(roots, max_rounds=max_rounds)
            finally:
                reporter.closed = True
    except ResolutionTooDeep:
        raise ResolutionTooDeepError(max_rounds) from None
    except PipAbort as abort:
        return InstallPlan((), args=req.args, refusals=(abort.refusal,))
    except ResolutionImpossible as exc:
        err = _impossible(exc, factory, constraints)
        unread = [u for u in factory.unknowns.values() if u.kind == "index-page"]
        if unread:
            # pip would have read these pages: the conflict may be an artefact of their absence
            err = ResolutionImpossibleError(
                f"{err}\n(mixguard: unproven, index pages not read: "
                + "; ".join(u.reason for u in unread)
                + ")",
                err.causes,
                err.no_candidates,
            )
        raise err from None
    plan = build_plan(
        env,
        tgt,
        _picks(result.mapping, user_requested),
        ignore_installed=req.ignore_installed,
        force_reinstall=req.force_reinstall,
        unknowns=tuple(factory.unknowns.values()),
        args=req.args,
    )
    refused = hash_refusals(req, plan.installs)
    return replace(plan, refusals=refused) if refused else plan


def _index_base(candidate: Candidate) -> IndexCandidate | None:
    """The index candidate behind ``candidate`` (itself, or an extras candidate's base)."""
    if isinstance(candidate, ExtrasCandidate):
        candidate = candidate.base
    return candidate if isinstance(candidate, IndexCandidate) else None


def _picks(mapping: Mapping[str, Candidate], user_requested: Mapping[str, int]) -> list[Pick]:
    """The resolution's mapping as the plan's neutral picks (extras folded into their base)."""
    requested_projects = {k.partition("[")[0] for k in user_requested}
    extras: dict[str, set[str]] = {}
    for ident, cand in mapping.items():
        if isinstance(cand, ExtrasCandidate) and ident.partition("[")[0] in requested_projects:
            extras.setdefault(cand.project, set()).update(cand.extras)
    out = []
    for ident, cand in mapping.items():
        if ident == REQUIRES_PYTHON or isinstance(cand, ExtrasCandidate):
            continue
        requested = cand.project in requested_projects
        chosen = tuple(sorted(extras.get(cand.project, ())))
        if isinstance(cand, InstalledCandidate):
            out.append(Pick(PypiName(cand.project), cand.version, requested, chosen))
            continue
        assert isinstance(cand, IndexCandidate)
        meta = cand.metadata
        known = meta if isinstance(meta, DistMetadata) else None
        out.append(
            Pick(
                PypiName(cand.project),
                cand.version,
                requested,
                chosen,
                cand.file,
                known.requires_dist if known else (),
                known.requires_python if known else None,
                cand.direct,
            )
        )
    return out


def _describe_trigger(parent: Candidate) -> str:
    """pip's describe_trigger: the requirer the candidate was made for, else name==version."""
    return parent.comes_from or f"{parent.name}=={parent.version}"


def _single(req: Req, parent: Candidate | None, factory: Factory) -> ResolutionImpossibleError:
    """pip's ``_report_single_requirement_conflict``."""
    project = req.project
    text = req.text
    disp = text if parent is None else f"{text} (from {parent.name})"
    versions: set[Version] = set()
    yanked: set[Version] = set()
    for f in factory.client.project_files(project).files:
        if f.version is not None and factory.finder.evaluate(project, f):
            (yanked if f.yanked else versions).add(f.version)
    lines = []
    if yanked:
        lines.append(
            "Ignored the following yanked versions: " + ", ".join(str(v) for v in sorted(yanked))
        )
    lines.append(
        f"Could not find a version that satisfies the requirement {disp} "
        f"(from versions: {', '.join(str(v) for v in sorted(versions)) or 'none'})"
    )
    lines.append(f"No matching distribution found for {text}")
    cause = ConflictCause(text, f"{parent.name} {parent.version}" if parent else None)
    return ResolutionImpossibleError("\n".join(lines), (cause,), (project,) if not versions else ())


def _impossible(
    exc: ResolutionImpossible[Req, Candidate],
    factory: Factory,
    constraints: Mapping[str, object],
) -> ResolutionImpossibleError:
    infos = list(exc.causes)
    if len(infos) == 1 and infos[0].requirement.name not in constraints:
        return _single(infos[0].requirement, infos[0].parent, factory)
    causes = []
    triggers = set()
    for info in exc.causes:
        req, parent = info.requirement, info.parent
        text = req.format_for_error()
        if parent is None:
            triggers.add(text)
            causes.append(ConflictCause(text, None))
        else:
            triggers.add(_describe_trigger(parent))
            causes.append(ConflictCause(text, f"{parent.name} {parent.version}"))
    info_text = (
        ", ".join(sorted(triggers)[:-1]) + " and " + sorted(triggers)[-1]
        if len(triggers) > 1
        else (next(iter(triggers)) if triggers else "the requested packages")
    )
    # pip 25.3's _has_any_candidates asks find_candidates with no requirements, which finds
    # nothing: so pip lists every project of the conflict there (faithfully reproduced)
    no_candidates = sorted(
        {i.requirement.name for i in exc.causes if i.requirement.name != REQUIRES_PYTHON}
    )
    lines = [
        f"Cannot install {info_text} because these package versions have conflicting dependencies.",
        "",
        "The conflict is caused by:",
    ]
    lines += [f"    {c}" for c in causes]
    for key in sorted({i.requirement.name for i in exc.causes} & set(constraints)):
        lines.append(f"    The user requested (constraint) {key}{constraints[key]}")
    if no_candidates:
        lines += [
            "",
            "Additionally, some packages in these conflicts have no matching distributions "
            "available for your environment:",
        ] + [f"    {n}" for n in sorted(no_candidates)]
    return ResolutionImpossibleError("\n".join(lines), tuple(causes), tuple(sorted(no_candidates)))
