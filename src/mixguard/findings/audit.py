"""Audit an environment as it is (no plan): what mixing has already done to it.

(A module of ``mixguard.findings``, not ``mixguard.audit``: a top-level submodule of that name
would replace the public ``mixguard.audit()`` function on the package once imported.)

- ``mixed-sources``: a distribution pip installed over a conda package of the same project, with
  another version (the real TF2-GPU ``conda list``: pip numpy 1.19.5 over conda numpy-base 1.20.3);
- ``duplicate-dist`` and ``missing-dist-info``: from the reader's problems;
- ``pip-requirement-violation``: what ``pip check`` says now;
- ``conda-constraint-violation``: conda records whose specs the Python layer no longer meets;
- ``cuda-runtime-clash``: CUDA runtimes from both installers, and against ``__cuda``.
"""

from __future__ import annotations

from packaging.utils import canonicalize_name

from ..environment.model import Environment
from ..mapping import name_map
from ..plan import InstallPlan
from .context import Context
from .finding import Finding
from .rules import AUDIT_RULES

__all__ = ["audit"]


def _mixed_sources(env: Environment) -> list[Finding]:
    out = []
    nm = name_map()
    for d in env.pip_distributions():
        for r in env.records:
            if d.name not in (nm.pypi_names(r.name) or ()) and str(
                canonicalize_name(r.name)
            ) != str(d.name):
                continue
            same = d.version == r.version
            out.append(
                Finding(
                    kind="mixed-sources",
                    severity="info" if same else "warning",
                    subject=d.name,
                    message=f"pip's {d.name} {d.version} sits over conda's {r.name} {r.version} ({r.build}): "
                    + (
                        "same version, two installers own it"
                        if same
                        else f"Python imports pip's {d.version} while conda believes {r.version} is installed"
                    ),
                    evidence={
                        "pip": f"{d.name} {d.version}",
                        "conda": f"{r.name} {r.version} {r.build}",
                        "mapping": "table" if d.name in (nm.pypi_names(r.name) or ()) else "guess",
                    },
                    remedies=(
                        # pip's uninstall deletes the files both copies share (pip's RECORD lists
                        # them): conda's must then be put back, not merely "kept"
                        f"keep conda's: pip uninstall -y {d.name} && conda install --force-reinstall "
                        f"'{r.name}={r.version}={r.build}'",
                        f"or keep pip's: conda remove --force {r.name}",
                    ),
                )
            )
    return out


def _problems(env: Environment) -> list[Finding]:
    out = []
    for p in env.problems:
        if p.kind in ("duplicate-dist", "missing-dist-info"):
            out.append(
                Finding(
                    kind=p.kind,
                    severity="warning",
                    subject=p.subject,
                    message=p.message,
                    evidence={"where": p.where},
                )
            )
    return out


def audit(env: Environment) -> tuple[Finding, ...]:
    """Findings about an environment as it is, most severe first."""
    ctx = Context(env, InstallPlan(()))  # the environment as it is: no plan
    findings: list[Finding] = [
        *_mixed_sources(env),
        *_problems(env),
        *[f for rule in AUDIT_RULES for f in rule(ctx)],
    ]
    if env.kind == "conda-list":
        findings.append(
            Finding(
                kind="unknown-metadata",
                severity="info",
                subject="metadata",
                message="a saved `conda list` carries no package metadata: pip check, conda specs and imports are not "
                "judged; audit the prefix itself for them",
            )
        )
    return tuple(sorted(dict.fromkeys(findings), key=lambda f: f.sort_key))
