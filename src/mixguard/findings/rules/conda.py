"""Rules about conda's side: packages pip replaces, conda constraints the plan breaks, conda
records left stale."""

from __future__ import annotations

from packaging.utils import canonicalize_name

from ..._commands import constraints_command
from ...conda.matchspec import MatchSpec
from ...conda.records import PackageRecord
from ...mapping import name_map
from ..context import Context, record_label, satisfies, specs_of
from ..finding import Finding, Severity

__all__ = [
    "compiled",
    "constraint_severity",
    "constraints",
    "couplings",
    "keep_remedies",
    "metadata_loss",
    "overrides",
]


def constraints(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    env = ctx.env
    for r in env.records:
        for fld, i, spec in specs_of(r):
            if spec.name.startswith("__") or "*" in spec.name:
                continue
            moved = ctx.moved(spec.name)
            if moved is None or moved.change.name in {d.name for d in env.dists_of(r.name)}:
                continue  # unchanged, or the record's own distribution (see the coupling rule)
            before = env.record(spec.name)
            if before is not None and not spec.match(before):
                continue  # already violated: the audit's business
            ok = satisfies(spec, spec.name, moved.version, "pypi_0", r.subdir)
            if ok is not False:
                continue
            verb = "requires" if fld == "depends" else "constrains"
            sev = constraint_severity(r, before)
            via = {
                "files": f"conda's {before.name} {before.version} replaced by pip"
                if before
                else "",
                "table": f"PyPI {moved.change.name} maps to conda {spec.name}",
                "guess": f"PyPI {moved.change.name} taken for conda {spec.name} by name",
            }[moved.how]
            out.append(
                Finding(
                    kind="conda-constraint-violation",
                    severity=sev,
                    subject=r.name,
                    message=f"conda's {record_label(r)} {verb} '{spec.original}', but after the plan "
                    f"{spec.name} is {moved.version} ({moved.change.action} by pip; {via})",
                    evidence={
                        "record": record_label(r),
                        "field": f"{fld}[{i}]",
                        "spec": spec.original,
                        "wanted": str(spec.version) if spec.version else spec.original,
                        "found": moved.version,
                        "before": before.version if before else None,
                        "mapping": moved.how,
                    },
                    remedies=keep_remedies(ctx, moved.change.name, before, spec.original),
                    chain=ctx.chain(moved.change.name),
                    confidence="high" if moved.how == "files" else "medium",
                )
            )
    out += couplings(ctx)
    return out


def keep_remedies(
    ctx: Context, pypi: str, before: PackageRecord | None, spec: str
) -> tuple[str, ...]:
    """Concrete commands (no placeholders): keep the package where conda has it."""
    out = []
    if before is not None:
        out.append(
            f"keep {pypi} at conda's {before.version}: add '{pypi}=={before.version}' to the "
            "pip request"
        )
    else:
        out.append(f"let conda choose within '{spec}': conda install '{spec}'")
    out.append(
        "or pin all of conda's Python packages: " + constraints_command(ctx.env, ctx.plan.args)
    )
    return tuple(out)


def compiled(r: PackageRecord | None) -> bool:
    return r is not None and not r.noarch and r.subdir != "noarch"


def constraint_severity(r: PackageRecord, moved: PackageRecord | None) -> Severity:
    """The rubric (docs/findings.md): a violated conda constraint makes conda's records
    inconsistent (a later conda operation undoes pip's work): a *warning*. It is an *error*
    only where loading breaks: a compiled package whose pin on another compiled package pip
    breaks (built against its ABI). A noarch metapackage's exact pin (conda-forge's
    ``typing-extensions`` on ``typing_extensions``) breaks nothing at run time."""
    return "error" if compiled(r) and compiled(moved) else "warning"


def couplings(ctx: Context) -> list[Finding]:
    """A replaced conda package whose build pins another package to its own version
    (conda-forge's protobuf 3.20.1 depends on libprotobuf 3.20.1.*): pip's new version needs
    that package at the new version, which the environment does not have."""
    out: list[Finding] = []
    env = ctx.env
    for c in ctx.changes.values():
        if c.replaces is None or c.replaces.conda_record is None:
            continue
        owner = env.record(c.replaces.conda_record.name)
        if owner is None:
            continue
        for fld, i, spec in specs_of(owner):
            if fld != "depends" or spec.version is None or spec.name == owner.name:
                continue
            text = str(spec.version)
            if not text.lstrip("=").startswith(owner.version):
                continue
            wanted = text.replace(owner.version, c.version, 1)
            dep = env.record(spec.name)
            # only a compiled library the Python package is built against (libprotobuf,
            # grpc-cpp): a Python package pinned this way is judged by the main rule
            if dep is None or env.dists_of(spec.name) or name_map().pypi_names(spec.name):
                continue
            need = MatchSpec.parse(f"{spec.name} {wanted}")
            if need.match(dep):
                continue
            out.append(
                Finding(
                    kind="conda-constraint-violation",
                    severity="warning",
                    subject=owner.name,
                    message=f"conda's {record_label(owner)} ties {owner.name} to {spec.name} '{text}'; pip's "
                    f"{c.name} {c.version} would need {spec.name} '{wanted}', the environment has "
                    f"{spec.name} {dep.version}",
                    evidence={
                        "record": record_label(owner),
                        "field": f"{fld}[{i}]",
                        "spec": spec.original,
                        "wanted": f"{spec.name} {wanted}",
                        "found": dep.version,
                        "coupling": True,
                    },
                    remedies=(
                        f"conda install '{owner.name}={c.version}' (moves {spec.name} with it)",
                    ),
                    chain=ctx.chain(c.name),
                    confidence="medium",
                )
            )
            # every other record that pins the coupled package now conflicts with the new need
            probe = wanted.rstrip("*").rstrip(".") or c.version
            for r in env.records:
                if r.name in (owner.name, spec.name):
                    continue
                for fld2, j, s2 in specs_of(r):
                    if s2.name != spec.name or s2.version is None:
                        continue
                    if s2.version.match(probe):
                        continue
                    out.append(
                        Finding(
                            kind="conda-constraint-violation",
                            severity="warning",
                            subject=r.name,
                            message=f"conda's {record_label(r)} pins '{s2.original}', which rules out the "
                            f"{spec.name} '{wanted}' that pip's {c.name} {c.version} needs",
                            evidence={
                                "record": record_label(r),
                                "field": f"{fld2}[{j}]",
                                "spec": s2.original,
                                "wanted": f"{spec.name} {wanted}",
                                "found": dep.version,
                                "coupling": True,
                            },
                            remedies=(
                                f"keep {c.name} within conda's pins: pip install '{c.name}=={c.replaces.version}'",
                            ),
                            chain=ctx.chain(c.name),
                            confidence="medium",
                        )
                    )
    return out


def overrides(ctx: Context) -> list[Finding]:
    out = []
    for c in ctx.changes.values():
        r = c.replaces
        if r is None or r.conda_record is None:
            continue
        sev: Severity = "info" if c.action == "reinstall" and c.version == r.version else "warning"
        verb = (
            "installs over"
            if not r.uninstalled
            else {"upgrade": "upgrades", "downgrade": "downgrades", "reinstall": "reinstalls"}.get(
                c.action, "replaces"
            )
        )
        out.append(
            Finding(
                kind="conda-override",
                severity=sev,
                subject=c.name,
                message=f"pip {verb} {c.name} {r.version}, installed by conda ({r.conda_record}), "
                f"with {c.version} from PyPI",
                evidence={
                    "action": c.action,
                    "conda_record": r.conda_record.label if r.conda_record else None,
                    "installed": r.version,
                    "planned": c.version,
                    "installer": r.installer,
                    "path": r.path,
                    "uninstalled": r.uninstalled,
                },
                remedies=(
                    f"conda install '{r.conda_record.name}={c.version}' if a conda build exists",
                    "pip install --no-deps only what conda lacks (see the --no-deps remedy)",
                    f"or keep conda's {r.version}: add '{c.name}=={r.version}' to the pip request",
                ),
                chain=ctx.chain(c.name),
            )
        )
    return out


def metadata_loss(ctx: Context) -> list[Finding]:
    out = []
    for c in ctx.changes.values():
        r = c.replaces
        if r is None or r.conda_record is None:
            continue
        rec = r.conda_record.name
        if r.uninstalled:
            msg = (
                f"pip removes {r.path or 'its metadata'}, which conda's {r.conda_record} installed: conda will still "
                f"list {rec} {r.version} while pip's {c.name} {c.version} is what is installed, and a "
                f"later conda update or removal of {rec} deletes pip's files"
            )
        else:
            msg = (
                f"pip installs {c.name} {c.version} over conda's {r.conda_record} without uninstalling "
                f"it: two metadata directories of {c.name}, and conda's record no longer matches the files"
            )
        out.append(
            Finding(
                kind="conda-metadata-loss",
                severity="warning",
                subject=rec,
                message=msg,
                evidence={
                    "conda_record": r.conda_record.label if r.conda_record else None,
                    "anchor": r.path,
                    "pip": f"{c.name} {c.version}",
                },
                remedies=(f"let conda own {c.name}: conda install '{rec}={c.version}'",),
                chain=ctx.chain(c.name),
            )
        )
    return out


def shadowed(ctx: Context) -> list[Finding]:
    """(audit) Conda specs on a Python package that pip's copy (shadowing conda's) no longer
    meets, judged by the same rubric as a plan's."""
    env = ctx.env
    out = []
    pip_versions: dict[str, str] = {str(d.name): d.version for d in env.pip_distributions()}
    nm = name_map()
    for r in env.records:
        specs = (*r.depends_specs(), *r.constrains_specs())
        for text, spec in zip((*r.depends, *r.constrains), specs, strict=True):
            names = [str(n) for n in nm.pypi_names(spec.name) or (canonicalize_name(spec.name),)]
            found = next((pip_versions[n] for n in names if n in pip_versions), None)
            if found is None or spec.version is None:
                continue
            if satisfies(spec, spec.name, found, "pypi_0", r.subdir) is False:
                out.append(
                    Finding(
                        kind="conda-constraint-violation",
                        severity=constraint_severity(r, env.record(spec.name)),
                        subject=r.name,
                        message=f"conda's {r.name} {r.version} requires '{text}', but pip's copy is {found}",
                        evidence={
                            "record": record_label(r),
                            "spec": text,
                            "found": found,
                        },
                    )
                )
    return out
