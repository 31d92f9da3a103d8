"""Replay ``pip install <args>`` in a target environment: :func:`resolve`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from resolvelib import BaseReporter, ResolutionImpossible, Resolver

from ..environment.distribution import PythonDistribution
from ..environment.model import Environment
from ..environment.target import Target
from ..errors import MixguardError
from ..index.client import IndexClient
from ..index.metadata import DistMetadata
from ..index.source import Index, Prefetch
from ..index.transport import redact_url
from ..names import PypiName
from ..requirements import marker_holds, parse_requirement
from .candidates import (
    REQUIRES_PYTHON,
    Candidate,
    ExtrasCandidate,
    IndexCandidate,
    InstalledCandidate,
    Req,
    SpecifierRequirement,
)
from .options import PipRequest, parse_pip_args
from .plan import Action, Change, ConflictCause, InstallPlan, PipCheckProblem, Replaced, UnknownItem
from .provider import Factory, PipAbort, PipProvider, collect_root
from .refusals import before_resolution, hash_refusals

__all__ = ["ResolutionImpossibleError", "installed_view", "pip_check", "resolve"]

_MAX_ROUNDS = 200_000  # pip's limit_how_complex_resolution_can_be


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
    nothing: the resolver asks for the same things whenever they arrive."""

    def __init__(self, prefetch: Prefetch, factory: Factory) -> None:
        self._prefetch = prefetch
        self._factory = factory

    def adding_requirement(self, requirement: Req, parent: Candidate | None) -> None:
        if isinstance(requirement, SpecifierRequirement):
            self._prefetch.warm(
                requirement.project,
                partial(self._factory.likely_pick, requirement.project, requirement.specifier),
            )

    def pinning(self, candidate: Candidate) -> None:
        if isinstance(candidate, IndexCandidate):
            self._prefetch.warm_record(candidate.file)


def installed_view(env: Environment) -> dict[str, PythonDistribution]:
    """What pip sees as installed: one distribution per name, the first found (as pip)."""
    out: dict[str, PythonDistribution] = {}
    for d in env.distributions:
        out.setdefault(canonicalize_name(d.name), d)
    return out


def resolve(
    env: Environment,
    request: PipRequest | Sequence[str],
    client: Index | None = None,
    *,
    target: Target | None = None,
    cwd: str | Path = ".",
) -> InstallPlan:
    """What ``pip install <request>`` would do in ``env``.

    ``request`` is a :class:`PipRequest` or the very arguments a user gives ``pip install``.
    Raises :class:`ResolutionImpossibleError` where pip would fail to resolve.
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
    reporter = _Reporter(client, factory)
    resolver = _Resolver(provider, reporter)
    try:
        for root in roots:  # every requested project's page at once, not one per round
            reporter.adding_requirement(root, None)
        result = resolver.resolve(roots, max_rounds=_MAX_ROUNDS)
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
    finally:
        client.stop_warming()
    plan = _plan(env, req, tgt, factory, result.mapping, user_requested)
    refused = hash_refusals(req, plan.installs)
    return replace(plan, refusals=refused) if refused else plan


def _plan(
    env: Environment,
    req: PipRequest,
    target: Target,
    factory: Factory,
    mapping: Mapping[str, Candidate],
    user_requested: Mapping[str, int],
) -> InstallPlan:
    requested_projects = {k.partition("[")[0] for k in user_requested}
    extras: dict[str, set[str]] = {}
    for ident, cand in mapping.items():
        if isinstance(cand, ExtrasCandidate) and ident.partition("[")[0] in requested_projects:
            extras.setdefault(cand.project, set()).update(cand.extras)
    seen_installed = installed_view(env)
    changes: list[Change] = []
    for ident, cand in mapping.items():
        if ident == REQUIRES_PYTHON or isinstance(cand, ExtrasCandidate):
            continue
        requested = cand.project in requested_projects
        if isinstance(cand, InstalledCandidate):
            if requested:
                changes.append(
                    Change(
                        PypiName(cand.project),
                        str(cand.version),
                        "unchanged",
                        True,
                        tuple(sorted(extras.get(cand.project, ()))),
                    )
                )
            continue
        assert isinstance(cand, IndexCandidate)
        existing = seen_installed.get(cand.project)
        action: Action = "install"
        replaces = None
        if existing is not None:
            try:
                old = Version(existing.version)
            except InvalidVersion:
                old = None
            if req.ignore_installed:
                action = "install"
            elif old is None or cand.version > old:
                action = "upgrade"
            elif cand.version < old:
                action = "downgrade"
            elif req.force_reinstall:
                action = "reinstall"
            elif cand.file.url.startswith("file:") and cand.file.kind == "sdist":
                action = "reinstall"  # pip: a local sdist of the installed version is reinstalled
            else:
                # pip: same version from a remote or local wheel: nothing to do
                if requested:
                    changes.append(
                        Change(PypiName(cand.project), str(cand.version), "unchanged", True)
                    )
                continue
            owner = env.owner(existing)
            replaces = Replaced(
                version=existing.version,
                installer=existing.installer,
                has_record=existing.has_record,
                kind=existing.kind,
                path=existing.path,
                conda_record=f"{owner.name} {owner.version} {owner.build}" if owner else None,
                uninstalled=not req.ignore_installed,
            )
        meta = cand.metadata
        changes.append(
            Change(
                name=PypiName(cand.project),
                version=str(cand.version),
                action=action,
                requested=requested,
                requested_extras=tuple(sorted(extras.get(cand.project, ()))),
                filename=cand.file.filename,
                url=redact_url(cand.file.url),
                hashes=cand.file.hashes,
                is_yanked=cand.file.yanked,
                yanked_reason=cand.file.yanked_reason,
                requires_dist=meta.requires_dist if isinstance(meta, DistMetadata) else (),
                requires_python=meta.requires_python if isinstance(meta, DistMetadata) else None,
                replaces=replaces,
                file=cand.file if cand.file.kind != "other" else None,
            )
        )
    changes.sort(key=lambda c: c.name)
    unknowns = tuple(
        UnknownItem(u.project, u.version, u.filename, u.kind, u.reason)
        for u in factory.unknowns.values()
    )
    pip_dist = seen_installed.get("pip")
    return InstallPlan(
        target_pip=pip_dist.version if pip_dist is not None else None,
        changes=tuple(changes),
        check_after=pip_check(env, changes, target),
        unknowns=unknowns,
        args=req.args,
        target={
            "subdir": target.subdir,
            "python": target.python_version,
            "markers": target.markers(),
        },
    )


def _requirements_of(deps: Sequence[str]) -> list[Requirement]:
    return [r for r in map(parse_requirement, deps) if r is not None]


def _broken(
    versions: Mapping[str, str],
    deps: Mapping[str, tuple[str, Sequence[str]]],
    markers: dict[str, str],
) -> dict[tuple[str, str], tuple[str, str | None, str]]:
    problems: dict[tuple[str, str], tuple[str, str | None, str]] = {}
    for name, (_version, requires) in deps.items():
        for r in _requirements_of(requires):
            if not marker_holds(r, markers, unknown=False):
                continue
            dep = canonicalize_name(r.name)
            found = versions.get(dep)
            if found is None:
                problems[(name, str(r))] = ("missing", None, r.name)
                continue
            try:
                ok = r.specifier.contains(Version(found), prereleases=True)
            except InvalidVersion:
                ok = False
            if not ok:
                problems[(name, str(r))] = ("conflict", found, r.name)
    return problems


def pip_check(
    env: Environment, changes: Sequence[Change], target: Target
) -> tuple[PipCheckProblem, ...]:
    """What ``pip check`` would report after the plan; ``introduced`` tells plan from past."""
    markers = target.markers()
    before_view = installed_view(env)
    before_versions = {n: d.version for n, d in before_view.items()}
    before_deps = {n: (d.version, d.requires_dist) for n, d in before_view.items()}
    after_versions = dict(before_versions)
    after_deps = dict(before_deps)
    for c in changes:
        if c.action == "unchanged":
            continue
        after_versions[c.name] = c.version
        after_deps[c.name] = (c.version, c.requires_dist)
    before = _broken(before_versions, before_deps, markers)
    after = _broken(after_versions, after_deps, markers)
    out = []
    for (name, req_text), (kind, found, dep) in sorted(after.items()):
        out.append(
            PipCheckProblem(
                PypiName(name),
                after_versions[name],
                req_text,
                dep,
                "missing" if kind == "missing" else "conflict",
                found,
                introduced=before.get((name, req_text)) != (kind, found, dep),
            )
        )
    return tuple(out)


def _describe_trigger(parent: Candidate) -> str:
    """pip's describe_trigger: the requirer the candidate was made for, else name==version."""
    comes_from = getattr(parent, "comes_from", None)
    return comes_from if comes_from else f"{parent.name}=={parent.version}"


def _single(req: object, parent: object, factory: Factory) -> ResolutionImpossibleError:
    """pip's ``_report_single_requirement_conflict``."""
    project = str(getattr(req, "project", ""))
    text = str(getattr(req, "text", req))
    disp = text if parent is None else f"{text} (from {getattr(parent, 'name', '')})"
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
    cause = ConflictCause(
        text, f"{getattr(parent, 'name', '')} {getattr(parent, 'version', '')}" if parent else None
    )
    return ResolutionImpossibleError("\n".join(lines), (cause,), (project,) if not versions else ())


def _impossible(
    exc: ResolutionImpossible,  # type: ignore[type-arg]
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
