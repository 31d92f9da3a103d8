"""The context every finding rule reads: the environment, the plan and the state after it."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from packaging.utils import canonicalize_name

from .._dependencies import dist_states, requirement_edges
from ..conda.matchspec import MatchSpec
from ..conda.records import PackageRecord
from ..conda.version import VersionOrder
from ..environment.model import Environment
from ..errors import ParseError
from ..mapping import name_map
from ..plan import Change, InstallPlan

__all__ = ["Context", "Moved", "RecordPaths", "record_label", "satisfies", "site_of", "specs_of"]

#: Paths (relative to site-packages) a planned distribution's wheel installs, or None if unknown.
RecordPaths = Callable[[Change], "tuple[str, ...] | None"]


@dataclass(frozen=True, slots=True)
class Moved:
    """A conda name whose Python distribution the plan moves to another version."""

    version: str
    change: Change
    how: str  # "files" (the record's own dist), "table", "guess"


@dataclass
class Context:
    """What every rule looks at: the environment, the plan, the state after it (each
    distribution's version and requirements), the dependency edges for why-chains, and the
    planned wheels' RECORD paths when known."""

    env: Environment
    plan: InstallPlan
    record_paths: RecordPaths | None = None
    changes: dict[str, Change] = field(default_factory=dict)
    after: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    edges: dict[str, list[str]] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)
    markers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.markers = self.env.target.markers()
        self.changes = {c.name: c for c in self.plan.changes if c.action != "unchanged"}
        states = dist_states(self.env, self.plan)
        self.after = {name: (st.version, st.requires) for name, st in states.items()}
        self.roots = [c.name for c in self.plan.changes if c.requested]
        self.edges = {
            name: [dep for dep, _req in deps]
            for name, deps in requirement_edges(states, self.markers).items()
        }

    def label(self, name: str) -> str:
        v = self.after.get(name, ("?",))[0]
        return f"{name} {v}"

    def chain(self, target: str) -> tuple[str, ...]:
        """A shortest dependency path from a requested distribution to ``target``."""
        target = canonicalize_name(target)
        prev: dict[str, str | None] = {r: None for r in self.roots}
        queue = deque(self.roots)
        while queue:
            cur = queue.popleft()
            if cur == target:
                path = []
                node: str | None = cur
                while node is not None:
                    path.append(self.label(node))
                    node = prev[node]
                return tuple(reversed(path))
            for dep in self.edges.get(cur, ()):
                if dep not in prev:
                    prev[dep] = cur
                    queue.append(dep)
        return (self.label(target),)

    def moved(self, conda: str) -> Moved | None:
        """Where the plan moves a conda name's Python side (through the mapping)."""
        for d in self.env.dists_of(conda):
            c = self.changes.get(d.name)
            if c is not None:
                return Moved(c.version, c, "files")
        table = name_map().pypi_names(conda)
        for p in table or ():
            c = self.changes.get(canonicalize_name(p))
            if c is not None:
                return Moved(c.version, c, "table")
        if table is None and self.env.record(conda) is None:
            c = self.changes.get(canonicalize_name(conda))
            if c is not None:
                return Moved(c.version, c, "guess")
        return None


def record_label(r: PackageRecord) -> str:
    return f"{r.name} {r.version} {r.build}"


def specs_of(r: PackageRecord) -> Iterable[tuple[str, int, MatchSpec]]:
    # A malformed spec raises InvalidMatchSpec (naming the record file and index): skipping it
    # would report the record's constraints as met when they are unknown.
    for fld, specs in (("depends", r.depends_specs()), ("constrains", r.constrains_specs())):
        for i, spec in enumerate(specs):
            yield fld, i, spec


def satisfies(spec: MatchSpec, name: str, version: str, build: str, subdir: str) -> bool | None:
    try:
        VersionOrder.parse(version)
    except ParseError:
        return None  # a PyPI version conda cannot order: unknown
    return spec.match(PackageRecord(name, version, build, 0, subdir))  # type: ignore[arg-type]


def site_of(env: Environment) -> str | None:
    for d in env.distributions:
        if d.path:
            return d.path.rsplit("/", 1)[0]
    t = env.target
    if t.platform == "win":
        return "Lib/site-packages"
    return f"lib/python{t.python_short}/site-packages" if t.python_short else None
