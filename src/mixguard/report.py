"""The report of a check or an audit: plan, findings, graph, remedies; as JSON and as text.

JSON follows ``docs/report-schema.json`` (``schema: "mixguard.report/2"``: version 2 adds
``target.facts``, each fact with its provenance, ``pip_configuration`` and ``hints``). Its ``plan.install``
entries keep the fields of pip's ``--dry-run --report`` install items (``metadata.name``,
``metadata.version``, ``requested``, ``download_info``, ``is_yanked``) and add ``action`` and
``replaces``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ._secrets import redact_data, redact_text
from ._version import __version__
from .environment.model import Environment
from .findings.finding import Finding
from .plan import InstallPlan
from .resolve.options import PipRequest

__all__ = ["SCHEMA", "Report", "severity_counts"]


def _first(names: Sequence[str], n: int = 8) -> str:
    """The first ``n`` names, and how many more."""
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")


def _fact_text(f: Any) -> str:
    value = f.value if f.value is not None else "none"
    return f"{f.name} {value} ({f.source})"


SCHEMA = "mixguard.report/2"
_SEVERITIES = ("error", "warning", "info")


@dataclass
class Report:
    """What ``pip install <request>`` would do to ``env`` and what it breaks (or, for an audit,
    what is already wrong). ``graph`` and ``remedies`` are computed on first use."""

    env: Environment
    findings: tuple[Finding, ...]
    plan: InstallPlan | None = None
    request: tuple[str, ...] = ()
    conflict: str | None = None  # pip's ResolutionImpossible message, when resolution fails
    notes: tuple[str, ...] = ()  # about the target (assumptions that change pip's choices)
    pip: PipRequest | None = None  # the request as pip would read it (configuration applied)
    cache_dropped: int = 0  # cache entries that failed verification (deleted, refetched)
    _remedies: Callable[[], tuple[Any, ...]] | None = field(default=None, repr=False)

    @cached_property
    def graph(self) -> Any:
        from .graph import build_graph

        return build_graph(self.env, self.plan)

    @cached_property
    def remedies(self) -> tuple[Any, ...]:
        return self._remedies() if self._remedies is not None else ()

    def worst(self) -> str | None:
        """The most severe finding's severity (None if there are none)."""
        return next((s for s in _SEVERITIES if any(f.severity == s for f in self.findings)), None)

    def fails(self, threshold: str) -> bool:
        """Whether the check fails at ``threshold`` ("error", "warning" or "never"): findings
        that severe, or an answer resting on facts that could not be had (unknown is never a
        pass)."""
        if threshold == "never":
            return False
        return self.failing_findings(threshold) or bool(self.unproven)

    def failing_findings(self, threshold: str) -> bool:
        """Whether findings reach ``threshold``."""
        if threshold == "never":
            return False
        limit = _SEVERITIES.index(threshold)
        return any(_SEVERITIES.index(f.severity) <= limit for f in self.findings)

    @property
    def unproven(self) -> tuple[str, ...]:
        """Why the answer may not be what pip does: configured options the check cannot honour,
        metadata, index pages or RECORDs that could not be read, a conflict that rests on
        pages not read."""
        out: list[str] = []
        if self.pip is not None:
            out += [f"not honoured: {x}" for x in self.pip.config_not_honoured]
        out += [
            f"unknown: {f.subject}: {f.message}"
            for f in self.findings
            if f.kind == "unknown-metadata"
        ]
        out += [
            f"unknown: {f.subject}: whether the driver can run it (__cuda not given)"
            for f in self.findings
            if f.evidence.get("driver_unknown")
        ]
        # a requirement of an installed distribution can only break when the plan changes the
        # version of something installed (a new install satisfies, never violates, one)
        if self.plan is not None and any(c.replaces is not None for c in self.plan.changes):
            blind = [
                d.name
                for d in self.env.distributions
                if d.metadata is None and d.metadata_origin == "unknown"
            ]
            if blind:
                shown = _first(blind)
                out.append(
                    f"unknown: the requirements of {len(blind)} installed distribution(s) "
                    f"({shown}): whether the install breaks them (pip check) is unproven"
                )
        if self.conflict is not None and "(mixguard: unproven" in self.conflict:
            out.append("unknown: the conflict rests on index pages that were not read")
        return tuple(out)

    def assumed_distributions(self) -> list[str]:
        """Conda packages whose requirements come from the PyPI release, not the package."""
        return [d.name for d in self.env.distributions if d.metadata_origin == "assumed from PyPI"]

    def by_package(self) -> list[tuple[str, list[Finding]]]:
        """Findings grouped by the package they are about (PyPI and conda spellings of one
        name together), most severe package first; each group most severe first."""
        from packaging.utils import canonicalize_name

        groups: dict[str, list[Finding]] = {}
        for f in sorted(self.findings, key=lambda f: f.sort_key):
            groups.setdefault(str(canonicalize_name(f.subject)), []).append(f)
        return sorted(groups.items(), key=lambda kv: (_SEVERITIES.index(kv[1][0].severity), kv[0]))

    # --- JSON -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        t = self.env.target
        data: dict[str, Any] = {
            "schema": SCHEMA,
            "mixguard": __version__,
            "environment": {
                "source": self.env.source,
                "kind": self.env.kind,
                "name": self.env.name,
                "distributions_assumed": self.assumed_distributions(),
                "distributions_unknown": [
                    d.name for d in self.env.distributions if d.metadata_origin == "unknown"
                ],
                "solved": list(self.env.solved),
            },
            "target": {
                "subdir": t.subdir,
                "python": t.python_version,
                "implementation": t.implementation,
                "markers": t.markers(),
                "tags": [str(x) for x in t.wheel_tags()[:20]],
                "virtual_packages": [str(v) for v in t.virtual_packages],
                "facts": [{"name": f.name, "value": f.value, "source": f.source} for f in t.facts],
            },
            "request": list(self.request),
            "pip_configuration": {
                "files": list(self.pip.config_files) if self.pip else [],
                "applied": list(self.pip.config_applied) if self.pip else [],
                "not_honoured": list(self.pip.config_not_honoured) if self.pip else [],
            },
            "hints": list(self.pip.hints) if self.pip else [],
            "unproven": list(self.unproven),
            "plan": self._plan_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "remedies": [r.to_dict() for r in self.remedies],
            "summary": self.summary(),
        }
        if self.conflict is not None:
            data["conflict"] = self.conflict
        redacted: dict[str, Any] = redact_data(data)  # no credential in any output
        return redacted

    def _plan_dict(self) -> dict[str, Any] | None:
        if self.plan is None:
            return None
        install = []
        for c in self.plan.installs:
            item: dict[str, Any] = {
                "metadata": {
                    "name": c.name,
                    "version": c.version,
                    "requires_dist": list(c.requires_dist),
                    "requires_python": c.requires_python,
                },
                "requested": c.requested,
                "requested_extras": list(c.requested_extras),
                "is_direct": c.is_direct,
                "is_yanked": c.is_yanked,
                "download_info": {"url": c.url, "archive_info": {"hashes": dict(c.hashes)}}
                if c.url
                else None,
                "action": c.action,
                "replaces": None,
            }
            if c.replaces is not None:
                r = c.replaces
                item["replaces"] = {
                    "version": r.version,
                    "installer": r.installer,
                    "has_record": r.has_record,
                    "kind": r.kind,
                    "path": r.path,
                    "conda_record": r.conda_record.label if r.conda_record else None,
                    "uninstalled": r.uninstalled,
                }
            install.append(item)
        remove = [
            {
                "name": c.name,
                "version": c.replaces.version,
                "conda_record": c.replaces.conda_record.label if c.replaces.conda_record else None,
            }
            for c in self.plan.installs
            if c.replaces is not None and c.replaces.uninstalled
        ]
        return {
            "pip_version": self.plan.pip_version,
            "target_pip": self.plan.target_pip,
            "install": install,
            "remove": remove,
            "unchanged": [c.name for c in self.plan.changes if c.action == "unchanged"],
            "pip_check_after": [str(p) for p in self.plan.check_after if p.introduced],
            "unknowns": [str(u) for u in self.plan.unknowns],
            "notes": [*self.plan.notes, *self.notes],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return redact_text(json.dumps(self.to_dict(), indent=indent, default=str))

    # --- text -------------------------------------------------------------------------------

    def summary(self) -> str:
        counts = {s: sum(1 for f in self.findings if f.severity == s) for s in _SEVERITIES}
        found = (
            ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
            or "no findings"
        )
        unproven = "; UNPROVEN: facts missing" if self.unproven else ""
        if self.conflict is not None:
            return f"pip cannot resolve this request; {found}{unproven}"
        if self.plan is not None and self.plan.refusals:
            return f"pip would stop with an error, installing nothing; {found}{unproven}"
        if self.plan is None:
            return f"audit of {self.env.name or self.env.source}: {found}"
        touched = sum(1 for c in self.plan.installs if c.replaces and c.replaces.conda_record)
        return (
            f"pip would {self.plan.summary()}"
            + (
                f", replacing {touched} conda package{'s' if touched != 1 else ''}"
                if touched
                else ""
            )
            + f"; {found}{unproven}"
        )

    def __repr__(self) -> str:
        return f"<Report {self.env.source!r}: {self.summary()}>"

    def _repr_html_(self) -> str:
        """A notebook shows a report as its findings table (:func:`mixguard.notebook.report_html`)."""
        from .notebook import report_html

        return report_html(self)

    def to_sarif(self) -> dict[str, Any]:
        """The report as SARIF 2.1.0 (:mod:`mixguard.sarif`)."""
        from .sarif import to_sarif

        return to_sarif(self)

    def index_lines(self) -> list[str]:
        """Where pip would look, as pip's options name it (empty for an audit)."""
        if self.pip is None:
            return []
        index = self.pip.index
        if index.no_index:
            out = ["--no-index"]
        else:
            out = [f"--index-url {index.index_url}"]
            out += [f"--extra-index-url {u}" for u in index.extra_index_urls]
        return out + [f"--find-links {f}" for f in index.find_links]

    def to_text(self) -> str:
        """The plain report, stable for scripts: no colour, one line per finding (what a
        script greps stays on one line). A person's terminal gets :mod:`mixguard.terminal`'s
        drawing, wrapped."""
        t = self.env.target
        lines = [
            f"mixguard: {self.summary()}",
            f"environment: {self.env.source} ({self.env.kind}); target {t.subdir or 'unknown'}, python "
            f"{t.python_version or 'unknown'}"
            + (
                f", {' '.join(str(v) for v in t.virtual_packages if v.name == '__cuda')}"
                if t.virtual_package("__cuda")
                else ""
            ),
        ]
        facts = [f for f in t.facts if f.name.startswith("__") and f.name != "__unix"]
        if facts:
            lines.append("target facts: " + ", ".join(_fact_text(f) for f in facts))
        assumed = self.assumed_distributions()
        if assumed:
            shown = _first(assumed)
            lines.append(
                f"assumed: requirements of {len(assumed)} conda package(s) taken from their PyPI "
                f"release (conda-forge may patch them): {shown}"
            )
        if self.env.solved:
            lines.append(
                f"solved: {len(self.env.solved)} conda record(s) picked by the solver "
                "(py-rattler), not read from the source"
            )
        if self.request:
            lines.append(f"request: pip install {' '.join(self.request)}")
        if self.pip is not None:
            lines.append(f"indexes: {', '.join(self.index_lines())}")
            files = ", ".join(self.pip.config_files)
            lines.append(
                f"pip configuration: files {files or 'none (the environment only)'}"
                if files or self.pip.config_applied
                else "pip configuration: none"
            )
            lines += [f"  applied: {x}" for x in self.pip.config_applied]
            lines += [
                f"  NOT HONOURED: {x}: the check may differ from pip"
                for x in self.pip.config_not_honoured
            ]
            lines += [f"hint: {h}" for h in self.pip.hints]
        if self.plan is not None and self.plan.refusals:
            lines += ["", "pip would stop with an error (nothing installed)"]
        if self.conflict:
            lines += ["", "pip would stop: ResolutionImpossible"]
            lines += [f"  {line}" for line in self.conflict.splitlines()]
        if self.plan is not None and self.plan.changes:
            lines += ["", "Changes (* = a package conda installed)"]
            rows = []
            for c in self.plan.changes:
                before = c.replaces.version if c.replaces else ""
                mark = "*" if c.replaces and c.replaces.conda_record else " "
                owner = (
                    f"conda: {c.replaces.conda_record}"
                    if c.replaces and c.replaces.conda_record
                    else ""
                )
                rows.append((mark, c.action, c.name, before, c.version, owner))
            w = [max(len(r[i]) for r in rows) for i in range(5)]
            for mark, action, name, before, after, owner in rows:
                arrow = f"{before} -> {after}" if before else after
                cols = (action.ljust(w[1]), name.ljust(w[2]), arrow.ljust(w[3] + w[4] + 4))
                lines.append(f" {mark} {'  '.join(cols)}  {owner}".rstrip())
        # one block per affected package, all its consequences together, most severe first
        for package, group in self.by_package():
            lines += ["", f"{group[0].severity.upper()}  {package}  ({severity_counts(group)})"]
            for f in group:
                lines.append(f"  {f.kind} {f.subject}: {f.message}")
                if len(f.chain) > 1:
                    lines.append(f"      why: {' -> '.join(f.chain)}")
                for r in f.remedies[:1]:
                    lines.append(f"      try: {r}")
        if self.unproven:
            lines += ["", "Unproven (the answer rests on facts that could not be had)"]
            lines += [f"  {u}" for u in self.unproven]
        notes = [*(self.plan.notes if self.plan is not None else ()), *self.notes]
        if notes:
            lines += ["", "Notes"] + [f"  {n}" for n in notes]
        rem = [r for r in self.remedies if r.summary]
        if rem:
            lines += ["", "Remedies"]
            for r in rem:
                ok = {True: "yes", False: "no", None: "unknown"}[r.ok]
                lines.append(f"  {r.kind} ({ok}): {r.summary}")
                if r.command:
                    lines.append(f"      {r.command}")
        return redact_text("\n".join(lines) + "\n")  # no credential in any output


def severity_counts(group: Sequence[Finding]) -> str:
    """``1 error, 2 warnings``: how many findings of each severity, most severe first."""
    return ", ".join(
        f"{n} {s}{'s' if n != 1 else ''}"
        for s in _SEVERITIES
        if (n := sum(1 for f in group if f.severity == s))
    )
