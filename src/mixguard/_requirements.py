"""Requires-Dist entries that apply to a target (shared by findings and the graph)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from packaging.markers import InvalidMarker, UndefinedEnvironmentName
from packaging.requirements import Requirement

from .resolve.provider import parse_requirement

__all__ = ["active_requirements"]


def active_requirements(
    texts: Iterable[str], markers: Mapping[str, str], extras: Iterable[str] = ()
) -> Iterator[Requirement]:
    """Parsed requirements whose marker holds for ``markers`` (with no extra, or one of
    ``extras``). A marker on something the target does not say keeps the requirement."""
    wanted = (*extras, "")
    for text in texts:
        req = parse_requirement(text)
        if req is None:
            continue
        if req.marker is not None:
            try:
                if not any(req.marker.evaluate({**markers, "extra": e}) for e in wanted):
                    continue
            except (InvalidMarker, UndefinedEnvironmentName):
                pass
        yield req
