"""From the resolver's picks to the plan: pip's install actions for each chosen version."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from ..environment.model import Environment
from ..environment.target import Target
from ..index.links import DistributionFile
from ..index.metadata import Unknown
from ..index.transport import redact_url
from ..names import PypiName
from .check import installed_view, pip_check
from .model import Action, Change, CondaRef, InstallPlan, Replaced

__all__ = ["Pick", "build_plan"]


@dataclass(frozen=True, slots=True)
class Pick:
    """One project the resolution settled on: an installed distribution kept (``file`` None)
    or a file to install, with what its metadata requires."""

    project: PypiName
    version: Version
    requested: bool
    extras: tuple[str, ...] = ()
    file: DistributionFile | None = None
    requires_dist: tuple[str, ...] = ()
    requires_python: str | None = None
    direct: bool = False  # the file came from a path or URL requirement


def _action(
    pick: Pick,
    file: DistributionFile,
    old: Version | None,
    ignore_installed: bool,
    force_reinstall: bool,
) -> Action | None:
    """pip's decision for a file over an installed version (None: nothing to do)."""
    if ignore_installed:
        return "install"
    if old is None or pick.version > old:
        return "upgrade"
    if pick.version < old:
        return "downgrade"
    if force_reinstall:
        return "reinstall"
    if file.url.startswith("file:") and file.kind == "sdist":
        return "reinstall"  # pip: a local sdist of the installed version is reinstalled
    return None  # pip: the same version from a remote or local wheel


def build_plan(
    env: Environment,
    target: Target,
    picks: Iterable[Pick],
    *,
    ignore_installed: bool = False,
    force_reinstall: bool = False,
    unknowns: Sequence[Unknown] = (),
    args: tuple[str, ...] = (),
) -> InstallPlan:
    """What installing ``picks`` does to ``env`` (pip's ``--dry-run --report`` and the
    uninstalls behind it), and ``pip check`` afterwards."""
    seen_installed = installed_view(env)
    changes: list[Change] = []
    for pick in picks:
        name = pick.project
        if pick.file is None:  # the installed distribution satisfies it
            if pick.requested:
                changes.append(Change(name, str(pick.version), "unchanged", True, pick.extras))
            continue
        existing = seen_installed.get(name)
        action: Action = "install"
        replaces = None
        if existing is not None:
            try:
                old: Version | None = Version(existing.version)
            except InvalidVersion:
                old = None
            decided = _action(pick, pick.file, old, ignore_installed, force_reinstall)
            if decided is None:
                if pick.requested:
                    changes.append(Change(name, str(pick.version), "unchanged", True))
                continue
            action = decided
            owner = env.owner(existing)
            replaces = Replaced(
                version=existing.version,
                installer=existing.installer,
                has_record=existing.has_record,
                kind=existing.kind,
                path=existing.path,
                conda_record=CondaRef(owner.name, owner.version, owner.build) if owner else None,
                uninstalled=not ignore_installed,
            )
        f = pick.file
        changes.append(
            Change(
                name=name,
                version=str(pick.version),
                action=action,
                requested=pick.requested,
                requested_extras=pick.extras,
                filename=f.filename,
                url=redact_url(f.url),
                hashes=f.hashes,
                is_yanked=f.yanked,
                yanked_reason=f.yanked_reason,
                requires_dist=pick.requires_dist,
                requires_python=pick.requires_python,
                replaces=replaces,
                file=f if f.kind != "other" else None,
                is_direct=pick.direct,
            )
        )
    changes.sort(key=lambda c: c.name)
    pip_dist = seen_installed.get("pip")
    return InstallPlan(
        target_pip=pip_dist.version if pip_dist is not None else None,
        changes=tuple(changes),
        check_after=pip_check(env, changes, target),
        unknowns=tuple(unknowns),
        args=args,
        target={
            "subdir": target.subdir,
            "python": target.python_version,
            "markers": target.markers(),
        },
    )
