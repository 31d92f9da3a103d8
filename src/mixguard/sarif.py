"""The report as SARIF 2.1.0, for code-scanning gates (``mixguard check --format sarif``).

One run of one tool (``mixguard``); each finding is a result whose rule id is the finding's
kind and whose level follows its severity (error -> ``error``, warning -> ``warning``, info ->
``note``). The location is where the request came from when it is known -- the requirements
file and line pip read it from (``-r reqs.txt``) -- else the environment's file (or prefix).
What the check could not establish (``Report.unproven``) is reported as tool notifications,
so that a gate sees it: an unproven check is not a pass.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ._secrets import redact_data
from ._version import __version__

if TYPE_CHECKING:
    from .findings.finding import Finding
    from .report import Report

__all__ = ["SARIF_SCHEMA", "to_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_COMES_FROM = re.compile(r"^-[rc] (?P<path>.+) \(line (?P<line>\d+)\)$")

#: one line per kind: what the finding means (docs/findings.md has the full table)
_RULES: dict[str, str] = {
    "pip-refusal": "pip stops before installing anything",
    "conda-override": "pip replaces a distribution conda installed",
    "conda-constraint-violation": "a conda package's dependency or constraint no longer holds",
    "pip-requirement-violation": "pip check fails after the install",
    "cuda-runtime-clash": "pip's CUDA runtime clashes with conda's, or the driver cannot run it",
    "import-collision": "two distributions provide one import name",
    "file-clobber": "a wheel overwrites another package's file",
    "uninstall-failure": "pip stops half-way while uninstalling",
    "partial-uninstall": "pip's uninstall leaves conda's files behind",
    "conda-metadata-loss": "conda's records go stale: a later conda operation undoes pip's work",
    "abi-mismatch": "compiled modules built against another numpy ABI",
    "known-incompatibility": "a known runtime breakage the metadata does not express",
    "source-build": "a planned file is an sdist, built in the target",
    "unknown-metadata": "a fact could not be read: what rests on it is unproven",
    "mixed-sources": "pip's copy shadows a conda package",
    "duplicate-dist": "two metadata directories of one project",
    "missing-dist-info": "a conda Python package without metadata pip can see",
}


def _rule(kind: str) -> dict[str, Any]:
    return {
        "id": kind,
        "shortDescription": {"text": _RULES.get(kind, kind)},
        "help": {"text": f"{kind}: see docs/findings.md (The kinds) in mixguard's documentation"},
    }


def _location(report: Report, finding: Finding) -> dict[str, Any]:
    """The requirements-file line the finding's request came from, else the environment."""
    if report.pip is not None:
        wanted = {finding.chain[0] if finding.chain else finding.subject, finding.subject}
        from packaging.utils import canonicalize_name

        keys = {str(canonicalize_name(w.split(" ")[0].split("[")[0])) for w in wanted if w}
        for root in report.pip.requirements:
            m = _COMES_FROM.match(root.comes_from or "")
            if m and root.name in keys:
                return {
                    "physicalLocation": {
                        "artifactLocation": {"uri": m.group("path")},
                        "region": {"startLine": int(m.group("line"))},
                    }
                }
    return {"physicalLocation": {"artifactLocation": {"uri": report.env.source}}}


def to_sarif(report: Report) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log (a JSON-ready mapping, credentials redacted)."""
    kinds = sorted({f.kind for f in report.findings})
    results = [
        {
            "ruleId": f.kind,
            "ruleIndex": kinds.index(f.kind),
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [_location(report, f)],
            "properties": {
                "severity": f.severity,
                "subject": f.subject,
                "chain": list(f.chain),
                "remedies": list(f.remedies),
                "evidence": f.evidence,
            },
        }
        for f in report.findings
    ]
    notifications = [{"level": "warning", "message": {"text": u}} for u in report.unproven]
    if report.conflict is not None:
        notifications.append({"level": "error", "message": {"text": report.conflict}})
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "mixguard",
                "version": __version__,
                "rules": [_rule(k) for k in kinds],
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "commandLine": "pip install " + " ".join(report.request),
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": results,
        "properties": {"summary": report.summary(), "unproven": list(report.unproven)},
    }
    data: dict[str, Any] = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    redacted: dict[str, Any] = redact_data(data)
    return redacted
