"""Rules about what fails at run time though metadata allows it: known incompatibilities
(``data/known-incompatibilities.json``) and compiled pip distributions across numpy 2."""

from __future__ import annotations

from packaging.utils import canonicalize_name

from ...conda.version import VersionOrder
from ...errors import ParseError
from ...requirements import parse_requirement
from ..context import Context
from ..finding import Finding
from ..known import match_known

__all__ = ["abi", "known"]


def abi(ctx: Context) -> list[Finding]:
    c = ctx.changes.get("numpy")
    if c is None or c.replaces is None:
        return []
    try:
        crossing = (
            VersionOrder(c.replaces.version) < VersionOrder("2.0a0") <= VersionOrder(c.version)
        )
    except ParseError:
        return []
    if not crossing:
        return []
    # conda's compiled packages pinned to numpy 1.x: the "numpy-2-abi" known incompatibility;
    # here, pip-installed compiled distributions, which no pin describes
    out = []
    for d in ctx.env.pip_distributions():
        compiled = any(p.endswith((".so", ".pyd")) for p in d.files)
        needs = any(
            (req := parse_requirement(t)) is not None and canonicalize_name(req.name) == "numpy"
            for t in d.requires_dist
        )
        if compiled and needs:
            out.append(
                Finding(
                    kind="abi-mismatch",
                    severity="warning",
                    subject=d.name,
                    message=f"pip-installed {d.name} {d.version} has compiled modules and uses numpy; if it was built "
                    f"against numpy 1.x it fails with numpy {c.version}",
                    evidence={
                        "dist": f"{d.name} {d.version}",
                        "numpy": c.version,
                        "basis": "compiled modules + numpy dependency",
                    },
                    chain=ctx.chain("numpy"),
                    confidence="low",
                )
            )
    return out


def known(ctx: Context) -> list[Finding]:
    """Runtime breakages metadata does not express (data/known-incompatibilities.json)."""
    return [
        Finding(
            kind="known-incompatibility",
            severity=m.entry["severity"],
            subject=m.subject,
            message=m.message,
            evidence=m.evidence,
            remedies=m.remedies,
            chain=ctx.chain(m.moved),
        )
        for m in match_known(ctx.env, ctx.changes)
    ]
