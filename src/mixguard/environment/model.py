"""The ``Environment`` value every reader produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..conda.matchspec import MatchSpec
from ..conda.records import PackageRecord, PrefixRecord
from ..names import PypiName, conda_name, pypi_name
from .distribution import PythonDistribution
from .history import HistoryEntry
from .target import Target

__all__ = ["Environment", "EnvironmentProblem", "PipLine", "SourceKind"]

SourceKind = Literal[
    "prefix", "environment.yml", "explicit", "conda-lock", "pixi.lock", "conda-list"
]


@dataclass(frozen=True, slots=True)
class EnvironmentProblem:
    """Something already wrong in the environment as read (not caused by a plan)."""

    kind: Literal["missing-dist-info", "duplicate-dist", "missing-metadata", "duplicate-record"]
    subject: str
    message: str
    where: str = ""


@dataclass(frozen=True, slots=True)
class PipLine:
    """A line of an environment.yml ``pip:`` section: a requirement, ``-r file`` or an option."""

    line: str
    where: str


@dataclass(frozen=True, slots=True)
class Environment:
    """A conda environment as conda sees it and as pip sees it.

    - ``records``: conda packages (resolved builds, or pins from a file);
    - ``prefix_records``: the same with their linked files, when read from a prefix;
    - ``specs``: requested MatchSpecs, when the source gives specs rather than builds
      (``environment.yml`` without builds, ``--from-history``);
    - ``distributions``: Python distributions; ``owner`` links each to its conda record;
    - ``pip_lines``: the ``pip:`` section of an environment.yml, verbatim.
    """

    source: str
    kind: SourceKind
    target: Target
    records: tuple[PackageRecord, ...] = ()
    prefix_records: tuple[PrefixRecord, ...] = ()
    specs: tuple[MatchSpec, ...] = ()
    distributions: tuple[PythonDistribution, ...] = ()
    pip_lines: tuple[PipLine, ...] = ()
    channels: tuple[str, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    problems: tuple[EnvironmentProblem, ...] = ()
    name: str | None = None
    #: ``name-version-build`` of the records a solver picked (the source gave specs, not builds)
    solved: tuple[str, ...] = ()
    #: a file source whose Python distributions were filled in (``mixguard.describe``)
    described: bool = False
    # lookups by name (filled from the fields above; never passed: `replace` rebuilds them)
    _by_name: dict[str, PackageRecord] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    _dists_named: dict[str, tuple[PythonDistribution, ...]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    _dists_owned: dict[str, tuple[PythonDistribution, ...]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    _prefix_by_name: dict[str, PrefixRecord] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        # one pass each: lookups by name are constant-time (a check of a 5,000-package prefix
        # asks thousands of them)
        self._by_name.update({r.name: r for r in self.records})
        named: dict[str, list[PythonDistribution]] = {}
        owned: dict[str, list[PythonDistribution]] = {}
        for d in self.distributions:
            named.setdefault(d.name, []).append(d)
            if d.owner is not None:
                owned.setdefault(d.owner, []).append(d)
        self._dists_named.update({k: tuple(v) for k, v in named.items()})
        self._dists_owned.update({k: tuple(v) for k, v in owned.items()})
        for p in reversed(self.prefix_records):  # the first of a name wins, as before
            self._prefix_by_name[p.name] = p

    def __repr__(self) -> str:
        # the full field dump is ~900 KB for a real prefix: a REPL shows this instead
        t = self.target
        return (
            f"<Environment {self.kind} {self.source!r}: {len(self.records)} conda records, "
            f"{len(self.distributions)} Python distributions; target {t.subdir or '?'}, "
            f"python {t.python_version or '?'}>"
        )

    def record(self, name: str) -> PackageRecord | None:
        """The conda record named ``name``, if any."""
        return self._by_name.get(conda_name(name))

    def prefix_record(self, name: str) -> PrefixRecord | None:
        return self._prefix_by_name.get(conda_name(name))

    def distributions_named(self, name: str) -> tuple[PythonDistribution, ...]:
        return self._dists_named.get(pypi_name(name), ())

    def distribution(self, name: str) -> PythonDistribution | None:
        """The distribution pip would see for ``name`` (the first one found, as pip does)."""
        found = self.distributions_named(name)
        return found[0] if found else None

    def owner(self, dist: PythonDistribution) -> PackageRecord | None:
        """The conda record that installed ``dist``, if conda did."""
        return self.record(dist.owner) if dist.owner else None

    def conda_distributions(self) -> tuple[PythonDistribution, ...]:
        return tuple(d for d in self.distributions if d.owner is not None)

    def pip_distributions(self) -> tuple[PythonDistribution, ...]:
        """Distributions no conda record owns: what ``conda list`` shows as ``pypi_0``."""
        return tuple(d for d in self.distributions if d.owner is None)

    def dists_of(self, record_name: str) -> tuple[PythonDistribution, ...]:
        return self._dists_owned.get(conda_name(record_name), ())

    def names(self) -> tuple[PypiName, ...]:
        return tuple(dict.fromkeys(d.name for d in self.distributions))
