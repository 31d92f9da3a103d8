"""``pip check`` before and after a plan (pip's ``check_package_set``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from packaging.utils import canonicalize_name

from ..environment.distribution import PythonDistribution
from ..environment.model import Environment
from ..environment.target import Target
from ..names import PypiName
from ..requirements import marker_holds, parse_requirement, satisfied_by_version
from .model import Change, PipCheckProblem

__all__ = ["installed_view", "pip_check"]


def installed_view(env: Environment) -> dict[str, PythonDistribution]:
    """What pip sees as installed: one distribution per name, the first found (as pip)."""
    out: dict[str, PythonDistribution] = {}
    for d in env.distributions:
        out.setdefault(canonicalize_name(d.name), d)
    return out


def _broken(
    versions: Mapping[str, str],
    deps: Mapping[str, tuple[str, Sequence[str]]],
    markers: dict[str, str],
) -> dict[tuple[str, str], tuple[str, str | None, str]]:
    problems: dict[tuple[str, str], tuple[str, str | None, str]] = {}
    for name, (_version, requires) in deps.items():
        for r in (r for r in map(parse_requirement, requires) if r is not None):
            if not marker_holds(r, markers, unknown=False):
                continue
            dep = canonicalize_name(r.name)
            found = versions.get(dep)
            if found is None:
                problems[(name, str(r))] = ("missing", None, r.name)
                continue
            if not satisfied_by_version(r.specifier, found):
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
