"""PEP 508 requirements as pip reads them, for a target: the one owner of parsing, marker
evaluation and the pin test (the resolver, pip check, the findings, the graph and snapshots
all ask here).

>>> req = parse_requirement('numpy>=1.21; python_version < "3.11"')
>>> marker_holds(req, {"python_version": "3.10"}), marker_holds(req, {"python_version": "3.12"})
(True, False)
>>> is_pinned("==1.2"), is_pinned("==1.2.*"), is_pinned(">=1")
(True, False, False)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache

from packaging.markers import InvalidMarker, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

__all__ = ["active_requirements", "is_pinned", "marker_holds", "parse_requirement"]


@lru_cache(maxsize=16384)
def parse_requirement(text: str) -> Requirement | None:
    """A Requires-Dist / requirement line, or None where pip would not accept it (pip drops
    the distribution version whose metadata has one: the caller decides). Cached: the same
    strings repeat across candidates and runs; callers never mutate the result."""
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def marker_holds(
    req: Requirement,
    markers: Mapping[str, str],
    extras: Iterable[str] = ("",),
    *,
    unknown: bool = True,
) -> bool:
    """Whether ``req``'s marker holds for the target's ``markers`` with one of ``extras``.

    ``unknown`` is the answer for a marker on something the target does not say (an
    undefined name): resolution keeps such a requirement (one project too many rather than one
    too few); ``pip check`` skips it, as pip's does when evaluation fails."""
    if req.marker is None:
        return True
    try:
        return any(req.marker.evaluate({**markers, "extra": e}) for e in extras)
    except (InvalidMarker, UndefinedEnvironmentName):
        return unknown


def active_requirements(
    texts: Iterable[str], markers: Mapping[str, str], extras: Iterable[str] = ()
) -> Iterator[Requirement]:
    """Parsed requirements whose marker holds for ``markers`` (with no extra, or one of
    ``extras``). A marker on something the target does not say keeps the requirement."""
    wanted = (*extras, "")
    for text in texts:
        req = parse_requirement(text)
        if req is not None and marker_holds(req, markers, wanted):
            yield req


def is_pinned(specifier: SpecifierSet | str) -> bool:
    """pip's pin test: ``===`` anything, or ``==`` without a trailing ``.*``."""
    if isinstance(specifier, str):
        try:
            specifier = SpecifierSet(specifier)
        except InvalidSpecifier:
            return False
    return any(
        s.operator == "===" or (s.operator == "==" and not s.version.endswith(".*"))
        for s in specifier
    )
