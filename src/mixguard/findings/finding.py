"""A finding: what a plan breaks, with why (the chain, wanted vs found) and what to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["KINDS", "Finding", "FindingKind", "Severity"]

Severity = Literal["error", "warning", "info"]
FindingKind = Literal[
    "pip-refusal",
    "conda-override",
    "conda-constraint-violation",
    "pip-requirement-violation",
    "cuda-runtime-clash",
    "import-collision",
    "file-clobber",
    "uninstall-failure",
    "partial-uninstall",
    "conda-metadata-loss",
    "abi-mismatch",
    "known-incompatibility",
    "source-build",
    "unknown-metadata",
    # audit-only kinds (an environment as it is, no plan)
    "mixed-sources",
    "duplicate-dist",
    "missing-dist-info",
]
KINDS: tuple[str, ...] = FindingKind.__args__  # type: ignore[attr-defined]
_RANK = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Finding:
    kind: FindingKind
    severity: Severity
    subject: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    remedies: tuple[str, ...] = ()
    chain: tuple[str, ...] = ()  # how the plan gets there: requested -> ... -> subject
    confidence: Literal["high", "medium", "low"] = "high"

    @property
    def sort_key(self) -> tuple[int, str, str]:
        return (_RANK[self.severity], self.kind, self.subject)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "subject": self.subject,
            "message": self.message,
            "chain": list(self.chain),
            "confidence": self.confidence,
            "evidence": self.evidence,
            "remedies": list(self.remedies),
        }

    def __str__(self) -> str:
        why = f" (via {' -> '.join(self.chain)})" if len(self.chain) > 1 else ""
        return f"{self.severity}: {self.kind}: {self.message}{why}"
