"""Rules about pip's own view: what `pip check` says after the plan, source builds, what pip
refuses, and what could not be read."""

from __future__ import annotations

from typing import Any

from packaging.utils import canonicalize_name

from ...plan import InstallPlan, PipCheckProblem
from ..context import Context
from ..finding import Finding

_SDIST = (".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar")

__all__ = ["installed_pip_check", "pip_check", "refusal_findings", "source_builds", "unknowns"]


def _evidence(p: PipCheckProblem) -> dict[str, Any]:
    return {
        "requirement": p.requirement,
        "dependency": p.dependency,
        "found": p.found,
        "kind": p.kind,
    }


def installed_pip_check(ctx: Context) -> list[Finding]:
    """(audit) What ``pip check`` says of the environment as it is."""
    from ...plan import pip_check as run_pip_check

    return [
        Finding(
            kind="pip-requirement-violation",
            severity="warning",
            subject=p.name,
            message=f"pip check: {p}",
            evidence=_evidence(p),
        )
        for p in run_pip_check(ctx.env, (), ctx.env.target)
    ]


def pip_check(ctx: Context) -> list[Finding]:
    out = []
    for p in ctx.plan.check_after:
        if p.introduced:
            chain = (
                ctx.chain(p.dependency)
                if canonicalize_name(p.dependency) in ctx.changes
                else ctx.chain(p.name)
            )
            out.append(
                Finding(
                    kind="pip-requirement-violation",
                    severity="error",
                    subject=p.name,
                    message=f"after the plan, pip check fails: {p}",
                    evidence=_evidence(p),
                    remedies=(
                        f"pip install '{p.requirement}' along with the request, or choose versions that agree",
                    ),
                    chain=chain,
                )
            )
        else:
            out.append(
                Finding(
                    kind="pip-requirement-violation",
                    severity="info",
                    subject=p.name,
                    message=f"already broken before the plan: {p}",
                    evidence={**_evidence(p), "introduced": False},
                )
            )
    return out


def source_builds(ctx: Context) -> list[Finding]:
    out = []
    for c in ctx.changes.values():
        if c.filename and c.filename.endswith(_SDIST):
            out.append(
                Finding(
                    kind="source-build",
                    severity="warning",
                    subject=c.name,
                    message=f"no compatible wheel: pip would build {c.name} {c.version} from "
                    f"{c.filename} in the target (compilers and headers needed; the build sees "
                    "pip's isolated build env, not conda's)",
                    evidence={"file": c.filename},
                    remedies=(f"conda install {c.name}", "or pin a version that has a wheel"),
                    chain=ctx.chain(c.name),
                )
            )
    return out


def unknowns(ctx: Context) -> list[Finding]:
    """What could not be read: the plan, or the findings resting on it, are unproven."""
    unchecked = [
        f"{c.name} {c.version}"
        for c in ctx.changes.values()
        if ctx.record_paths is None or ctx.record_paths(c) is None
    ]
    out = [
        Finding(
            kind="unknown-metadata",
            severity="warning",
            subject=u.project,
            message=f"the {u.filename} could not be read ({u.reason}): the plan was made without its "
            "files, so which versions pip picks, what it installs and every finding are unproven"
            if u.kind == "index-page"
            else f"metadata of {u.filename} is unknown ({u.reason}): its dependencies, and the "
            "findings that depend on them (constraints, pip check, CUDA, imports), are unproven",
            evidence={"file": u.filename, "kind": u.kind, "reason": u.reason},
            chain=ctx.chain(u.project),
        )
        for u in ctx.plan.unknowns
    ]
    if unchecked:
        out.append(
            Finding(
                kind="unknown-metadata",
                severity="warning",
                subject="RECORD",
                message=f"the files of {len(unchecked)} planned distribution(s) are not known (no RECORD read): "
                "file-clobber is unproven for them",
                evidence={"distributions": unchecked},
            )
        )
    return out


def refusal_findings(plan: InstallPlan) -> tuple[Finding, ...]:
    """pip stops with an error instead of installing (PEP 668, --require-virtualenv, hash
    mode): one error each, in pip's words."""
    return tuple(
        Finding(
            kind="pip-refusal",
            severity="error",
            subject=r.subject,
            message=r.message,
            evidence={"refusal": r.kind},
            remedies=_REFUSAL_REMEDIES.get(r.kind, ()),
        )
        for r in plan.refusals
    )


_REFUSAL_REMEDIES: dict[str, tuple[str, ...]] = {
    "externally-managed": (
        "install with conda instead, or pass --break-system-packages if pip must own it",
    ),
    "require-virtualenv": ("unset PIP_REQUIRE_VIRTUALENV (or require-virtualenv in pip.conf)",),
    "hash-unpinned": ("pin every requirement with == in hash-checking mode",),
    "hash-missing": ("add the dependency, pinned, with its --hash line",),
    "hash-mismatch": ("check the file's origin; update the --hash only if the change is expected",),
}
