"""The Python layer before and after a plan, and its requirement edges: one owner for both
the findings' why-chains and the combined graph."""

from __future__ import annotations

from dataclasses import dataclass

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .environment.model import Environment
from .plan import Change, InstallPlan
from .requirements import active_requirements

__all__ = ["DistState", "dist_states", "requirement_edges"]


@dataclass(frozen=True, slots=True)
class DistState:
    """One distribution pip sees (the first of its name), before and after the plan."""

    before: str | None  # installed version, None if the plan adds it
    after: str | None  # planned version, None if the plan leaves it
    requires: tuple[str, ...]  # Requires-Dist after the plan
    owner: str | None  # the conda record that installed the version before
    extras: tuple[str, ...] = ()  # extras the request asks of it

    @property
    def version(self) -> str:
        return self.after or self.before or "?"


def dist_states(env: Environment, plan: InstallPlan | None) -> dict[str, DistState]:
    """Every distribution by PyPI name, as pip sees it before and after ``plan``."""
    out: dict[str, DistState] = {}
    for d in env.distributions:
        if d.name not in out:
            out[d.name] = DistState(d.version, None, d.requires_dist, d.owner)
    changes: dict[str, Change] = {
        c.name: c for c in (plan.changes if plan else ()) if c.action != "unchanged"
    }
    for name, c in changes.items():
        old = out.get(name)
        out[name] = DistState(
            old.before if old else None,
            c.version,
            c.requires_dist,
            old.owner if old else None,
            c.requested_extras,
        )
    return out


def requirement_edges(
    states: dict[str, DistState], markers: dict[str, str]
) -> dict[str, list[tuple[str, Requirement]]]:
    """For each distribution, the distributions its active requirements name (after the plan),
    with the requirement."""
    edges: dict[str, list[tuple[str, Requirement]]] = {}
    for name, st in states.items():
        deps: list[tuple[str, Requirement]] = []
        for req in active_requirements(st.requires, markers, st.extras):
            dep = str(canonicalize_name(req.name))
            if dep in states:
                deps.append((dep, req))
        edges[name] = deps
    return edges
