"""What an install plan breaks in a conda environment: runs the rules of
:mod:`mixguard.findings.rules` over one :class:`~mixguard.findings.context.Context`.

Every rule compares the environment before the plan with the environment after it, so a
finding is something the plan causes; what was already wrong is ``info`` (or the audit's).
"""

from __future__ import annotations

from ..environment.model import Environment
from ..index.source import PackageIndex
from ..plan import Change, InstallPlan
from .context import Context, RecordPaths
from .finding import Finding
from .rules import CHECK_RULES
from .rules.pip import refusal_findings

__all__ = ["RecordPaths", "analyze", "records_from", "refusal_findings"]


def records_from(client: PackageIndex) -> RecordPaths:
    """``record_paths`` backed by an index (the :class:`~mixguard.index.client.IndexClient`
    reads wheel RECORDs with Range requests and caches them; offline, only what it holds)."""

    def paths(change: Change) -> tuple[str, ...] | None:
        return client.record(change.file) if change.file is not None else None

    return paths


def analyze(
    env: Environment, plan: InstallPlan, *, record_paths: RecordPaths | None = None
) -> tuple[Finding, ...]:
    """Every finding the plan causes in ``env``, most severe first.

    ``record_paths`` gives the site-packages paths a planned wheel installs (its RECORD), when
    known; without it, file-clobber is reported as unproven and imports come from the data.
    """
    ctx = Context(env, plan, record_paths)
    findings = [f for rule in CHECK_RULES for f in rule(ctx)]
    unique = _consistent_remedies(list(dict.fromkeys(findings)))
    return tuple(sorted(unique, key=lambda f: f.sort_key))


def _consistent_remedies(findings: list[Finding]) -> list[Finding]:
    """Never advise a version that an error of the same report says breaks: where an error's
    chain ends at a planned distribution, remedies moving that distribution to the planned
    version are dropped (keeping it where conda has it remains)."""
    from dataclasses import replace

    broken = {
        f.chain[-1].rsplit(" ", 1)[0]: f.chain[-1].rsplit(" ", 1)[1]
        for f in findings
        if f.severity == "error" and f.chain and " " in f.chain[-1]
    }
    out = []
    for f in findings:
        kept = tuple(
            r
            for r in f.remedies
            if not any(
                f"={version}'" in r and name in r.replace("_", "-")
                for name, version in broken.items()
            )
        )
        out.append(f if kept == f.remedies else replace(f, remedies=kept))
    return out
