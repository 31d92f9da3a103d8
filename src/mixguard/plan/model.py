"""The install plan's values: what ``pip install`` would do to each distribution."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..index.links import DistributionFile
from ..index.metadata import Unknown
from ..names import CondaName, PypiName

__all__ = [
    "EMULATED_PIP",
    "Action",
    "Change",
    "CondaRef",
    "ConflictCause",
    "InstallPlan",
    "PipCheckProblem",
    "PipRefusal",
    "Replaced",
]

Action = Literal["install", "upgrade", "downgrade", "reinstall", "unchanged"]

#: The pip release whose resolver mixguard replays (its provider, factory and finder).
EMULATED_PIP = "25.3"


@dataclass(frozen=True, slots=True)
class CondaRef:
    """The conda record that owns a replaced distribution.

    >>> CondaRef("numpy", "1.21.6", "py310h45f3432_0").label
    'numpy 1.21.6 py310h45f3432_0'
    """

    name: CondaName
    version: str
    build: str

    @property
    def label(self) -> str:
        """``name version build``, as ``conda list`` shows a record."""
        return f"{self.name} {self.version} {self.build}"

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, slots=True)
class Replaced:
    """The installed distribution a change replaces."""

    version: str
    installer: str | None
    has_record: bool
    kind: str  # dist-info, egg-info, egg-info-file, egg, ...
    path: str
    conda_record: CondaRef | None  # the conda package that owns it
    uninstalled: bool  # False under -I: pip installs over it without uninstalling


@dataclass(frozen=True, slots=True)
class Change:
    name: PypiName
    version: str
    action: Action
    requested: bool
    requested_extras: tuple[str, ...] = ()
    filename: str | None = None
    url: str | None = None  # redacted
    hashes: tuple[tuple[str, str], ...] = ()
    is_yanked: bool = False
    yanked_reason: str | None = None
    requires_dist: tuple[str, ...] = ()
    requires_python: str | None = None
    replaces: Replaced | None = None
    file: DistributionFile | None = field(
        default=None, compare=False, repr=False
    )  # to fetch RECORD
    #: pip's report ``is_direct``: the requirement named this file itself (a path or URL), as
    #: pip's ``InstallRequirement.is_direct`` (an ``original_link``); not for index files
    is_direct: bool = False


@dataclass(frozen=True, slots=True)
class PipCheckProblem:
    """One line of ``pip check``: a distribution whose requirement is missing or conflicting."""

    name: PypiName
    version: str
    requirement: str
    dependency: str  # the required project's name
    kind: Literal["missing", "conflict"]
    found: str | None  # the installed version, for a conflict
    introduced: bool  # True: the plan breaks it; False: already broken before

    def __str__(self) -> str:
        # pip check's own wording
        if self.kind == "missing":
            return f"{self.name} {self.version} requires {self.dependency}, which is not installed."
        return (
            f"{self.name} {self.version} has requirement {self.requirement}, "
            f"but you have {self.dependency} {self.found}."
        )


@dataclass(frozen=True, slots=True)
class ConflictCause:
    """One line of pip's "The conflict is caused by:" list."""

    requirement: str
    parent: str | None  # "name version", or None for the user's own request

    def __str__(self) -> str:
        return (
            f"{self.parent} depends on {self.requirement}"
            if self.parent
            else f"The user requested {self.requirement}"
        )


@dataclass(frozen=True, slots=True)
class PipRefusal:
    """pip would stop before installing anything: why, in pip's words."""

    kind: Literal[
        "externally-managed", "require-virtualenv", "hash-unpinned", "hash-missing", "hash-mismatch"
    ]
    subject: str  # the environment, or the project
    message: str  # pip's own error text


@dataclass(frozen=True, slots=True)
class InstallPlan:
    """What ``pip install <args>`` would do in the target environment (nothing is installed)."""

    changes: tuple[Change, ...]
    check_after: tuple[PipCheckProblem, ...] = ()
    unknowns: tuple[Unknown, ...] = ()
    pip_version: str = EMULATED_PIP
    target_pip: str | None = None  # the pip installed in the target, if any (may differ)
    args: tuple[str, ...] = ()
    target: dict[str, Any] = field(default_factory=dict, compare=False)
    #: pip would stop with these errors instead of installing (PEP 668, hash-checking mode...)
    refusals: tuple[PipRefusal, ...] = ()

    @property
    def installs(self) -> tuple[Change, ...]:
        """What pip would install (its ``--dry-run --report`` ``install`` list)."""
        return tuple(c for c in self.changes if c.action != "unchanged")

    @property
    def replaced(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.replaces is not None)

    def change(self, name: str) -> Change | None:
        from packaging.utils import canonicalize_name

        key = canonicalize_name(name)
        return next((c for c in self.changes if str(c.name) == str(key)), None)

    @property
    def notes(self) -> tuple[str, ...]:
        out = []
        if self.target_pip and self.target_pip.split(".")[:2] != self.pip_version.split(".")[:2]:
            out.append(
                f"the environment has pip {self.target_pip}; mixguard replays pip "
                f"{self.pip_version}'s resolver, whose choices may differ"
            )
        out += [f"unknown: {u.filename}: {u.reason}" for u in self.unknowns]
        return tuple(out)

    @property
    def complete(self) -> bool:
        """False when some metadata stayed unknown: the plan may then be wrong."""
        return not self.unknowns

    def summary(self) -> str:
        """What pip would do, as a verb phrase: ``install 32 and upgrade 1`` (after "pip
        would")."""
        if self.refusals:
            return "stop with an error, installing nothing"
        counts: dict[str, int] = {}
        for c in self.changes:
            counts[c.action] = counts.get(c.action, 0) + 1
        actions = ("install", "upgrade", "downgrade", "reinstall")
        done = [f"{a} {counts[a]}" for a in actions if counts.get(a)]
        kept = counts.get("unchanged", 0)
        if not done:
            return f"change nothing ({kept} already satisfied)" if kept else "do nothing"
        text = done[0] if len(done) == 1 else f"{', '.join(done[:-1])} and {done[-1]}"
        return text + (f" ({kept} already satisfied)" if kept else "")
