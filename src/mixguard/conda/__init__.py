"""Conda semantics: versions, MatchSpecs, records, virtual packages, repodata."""

from __future__ import annotations

from .matchspec import MatchSpec
from .records import Link, PackageRecord, PathEntry, PrefixRecord
from .version import VersionOrder, VersionSpec

__all__ = [
    "Link",
    "MatchSpec",
    "PackageRecord",
    "PathEntry",
    "PrefixRecord",
    "VersionOrder",
    "VersionSpec",
]
