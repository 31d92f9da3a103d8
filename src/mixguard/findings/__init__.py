"""What a plan breaks: findings with their why, and the data they rest on."""

from __future__ import annotations

from .analyze import RecordPaths, analyze
from .finding import KINDS, Finding, FindingKind, Severity

__all__ = ["KINDS", "Finding", "FindingKind", "RecordPaths", "Severity", "analyze"]
