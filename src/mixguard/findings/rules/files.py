"""Rules about files: import names two distributions provide, files another package owns,
and what pip's uninstall of a replaced distribution does."""

from __future__ import annotations

from packaging.utils import canonicalize_name

from ...mapping import conda_import_names, name_map
from ...plan import Change
from ...resolve.uninstall import uninstall_outcome
from ..context import Context, site_of
from ..finding import Finding

__all__ = ["clobber", "imports", "same_project", "uninstall"]


def imports(ctx: Context) -> list[Finding]:
    record_paths = ctx.record_paths
    env = ctx.env
    nm = name_map()
    site = site_of(env)
    providers: dict[str, set[str]] = {}
    replaced_owners = {
        c.replaces.conda_record.name
        for c in ctx.changes.values()
        if c.replaces and c.replaces.conda_record and c.replaces.uninstalled
    }
    replaced_dists = {c.name for c in ctx.changes.values() if c.replaces and c.replaces.uninstalled}
    for pr in env.prefix_records:
        if pr.name in replaced_owners:
            continue
        for mod in conda_import_names(pr, site) if site else ():
            providers.setdefault(mod, set()).add(f"conda:{pr.name}")
    for d in env.pip_distributions():
        if d.name in replaced_dists:
            continue
        for mod in d.top_level:
            providers.setdefault(mod, set()).add(f"pip:{d.name}")
    out = []
    for c in ctx.changes.values():
        paths = record_paths(c) if record_paths else None
        mods: tuple[str, ...] | None
        if paths is not None:
            from ...environment.distribution import top_level_from_paths

            mods = top_level_from_paths(paths)
        else:
            curated = nm.imports_of_pypi(c.name)
            mods = tuple(m.split(".")[0] for m in curated) if curated else None
        for mod in mods or ():
            if mod in nm.namespaces:
                continue
            others = {
                p
                for p in providers.get(mod, set())
                if p.split(":", 1)[1] != c.name
                and not (
                    c.replaces
                    and c.replaces.conda_record
                    and p == f"conda:{c.replaces.conda_record.name}"
                )
            }
            if not others:
                continue
            who = ", ".join(sorted(others))
            out.append(
                Finding(
                    kind="import-collision",
                    severity="error",
                    subject=mod,
                    message=f"import {mod} would come from two distributions: pip's {c.name} {c.version} and "
                    f"{who.replace('conda:', 'conda package ').replace('pip:', 'pip distribution ')}; "
                    "one overwrites the other's files and neither installer knows",
                    evidence={
                        "import": mod,
                        "new": f"{c.name} {c.version}",
                        "existing": sorted(others),
                        "source": "RECORD" if paths is not None else "data/import_names.json",
                    },
                    remedies=(
                        f"use the conda package that provides {mod} (or remove it) instead of {c.name}",
                    ),
                    chain=ctx.chain(c.name),
                    confidence="high" if paths is not None else "medium",
                )
            )
    return out


def clobber(ctx: Context) -> list[Finding]:
    record_paths = ctx.record_paths
    env = ctx.env
    site = site_of(env)
    owned: dict[str, str] = {}
    for pr in env.prefix_records:
        for f in pr.files:
            owned[f] = pr.name
    out: list[Finding] = []
    for c in ctx.changes.values():
        paths = record_paths(c) if record_paths else None
        if paths is None:
            continue  # said by the unknowns rule
        hits: dict[str, list[str]] = {}
        for p in paths:
            full = f"{site}/{p}" if site and not p.startswith("../") else p
            rec = owned.get(full)
            if rec is not None and not same_project(ctx, rec, c):
                hits.setdefault(rec, []).append(full)
        for rec, files in sorted(hits.items()):
            out.append(
                Finding(
                    kind="file-clobber",
                    severity="error",
                    subject=c.name,
                    message=f"pip's {c.name} {c.version} writes {len(files)} file(s) that conda's {rec} owns "
                    f"(e.g. {files[0]}); conda will later remove or mis-report them",
                    evidence={"conda_record": rec, "files": files[:20], "count": len(files)},
                    remedies=(f"install {c.name} from conda, or remove {rec} first",),
                    chain=ctx.chain(c.name),
                )
            )
    return out


def same_project(ctx: Context, record: str, change: Change) -> bool:
    """Whether conda's ``record`` installed the very distribution ``change`` installs (its
    files list that project's metadata directory): its files are then the project's own --
    pip restoring conda's version after an earlier pip upgrade removed conda's metadata --
    not another owner's. (conda's py-opencv owns cv2/ but no opencv dist-info: another owner.)"""
    r = change.replaces
    if r is not None and r.conda_record is not None and r.conda_record.name == record:
        return True
    pr = ctx.env.prefix_record(record)
    if pr is None:
        return False
    for f in pr.files:
        for marker in (".dist-info/", ".egg-info"):
            idx = f.find(marker)
            if idx != -1:
                stem = f[:idx].rsplit("/", 1)[-1]
                if str(canonicalize_name(stem.split("-", 1)[0])) == str(change.name):
                    return True
    return False


def uninstall(ctx: Context) -> list[Finding]:
    """pip's uninstall of what the plan replaces, as ``req_uninstall.py`` does it (held
    against real pip in tests/test_uninstall_real.py): an abort is an error; an uninstall that
    leaves conda's files behind (no metadata points at them any more) is a warning."""
    out = []
    for c in ctx.changes.values():
        r = c.replaces
        if r is None or not r.uninstalled:
            continue
        dist = next((d for d in ctx.env.distributions_named(c.name) if d.path == r.path), None)
        if dist is None:
            continue
        outcome = uninstall_outcome(ctx.env, dist)
        owner = f" (installed by conda: {r.conda_record})" if r.conda_record else ""
        evidence = {
            "path": r.path,
            "kind": r.kind,
            "has_record": r.has_record,
            "conda_record": r.conda_record.label if r.conda_record else None,
        }
        if outcome.status == "unknown":
            out.append(
                Finding(
                    kind="unknown-metadata",
                    severity="warning",
                    subject=c.name,
                    message=f"whether pip can uninstall {c.name} {r.version}{owner} is {outcome.reason}",
                    evidence=evidence,
                    chain=ctx.chain(c.name),
                )
            )
        elif outcome.status == "aborts":
            out.append(
                Finding(
                    kind="uninstall-failure",
                    severity="error",
                    subject=c.name,
                    message=f"pip would stop while uninstalling {c.name} {r.version}{owner}: "
                    f"{outcome.reason}. pip's own --dry-run does not predict this; the install of "
                    f"{c.name} {c.version} aborts",
                    evidence=evidence,
                    remedies=(
                        (
                            f"conda install '{r.conda_record.name}>={c.version}'"
                            if r.conda_record
                            else f"remove {r.path} by hand first"
                        ),
                    ),
                    chain=ctx.chain(c.name),
                )
            )
        elif outcome.status == "partial":
            shown = ", ".join(outcome.left[:5]) + (
                f" and {len(outcome.left) - 5} more" if len(outcome.left) > 5 else ""
            )
            out.append(
                Finding(
                    kind="partial-uninstall",
                    severity="warning",
                    subject=c.name,
                    message=f"pip uninstalls {c.name} {r.version}{owner} by removing {outcome.reason}, "
                    f"and leaves {len(outcome.left)} of conda's file(s) behind with nothing "
                    f"pointing at them: {shown}",
                    evidence={
                        **evidence,
                        "left": list(outcome.left),
                        "removed": list(outcome.removed),
                    },
                    remedies=(
                        f"let conda replace it: conda install '{r.conda_record.name}'"
                        if r.conda_record
                        else f"remove the files left by {r.path} by hand",
                    ),
                    chain=ctx.chain(c.name),
                )
            )
    return out
