"""An environment described by specs, created as conda and pip would create it.

``conda env create -f environment.yml`` solves the conda dependencies (rattler's solver, as
conda's default and pixi use), then runs ``pip install`` on the ``pip:`` section. A file that
pins every build (``conda env export``) is read, not solved; one that gives specs
(``numpy=1.26``, ``scipy``, ``--from-history``, ``--no-builds``) is solved here, and the records
that were solved rather than read are named in ``Environment.solved`` (the report shows them).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .environment.distribution import PythonDistribution
from .environment.model import Environment
from .errors import EnvironmentReadError
from .names import PypiName

if TYPE_CHECKING:
    from packaging.metadata import RawMetadata

__all__ = ["needs_solve", "replay_pip_section", "solve_environment"]


def needs_solve(env: Environment) -> bool:
    """Specs that do not all name one build: conda would solve them."""
    if env.kind != "environment.yml" or not env.specs:
        return False
    pinned = {r.name for r in env.records}
    return any(s.name not in pinned for s in env.specs)


def solve_environment(
    env: Environment, *, offline: bool = False, cache_dir: str | Path | None = None
) -> Environment:
    """The records conda's solver picks for the file's specs, from the file's channels."""
    from .conda.solve import CondaSolveError, solve

    channels = env.channels or ("conda-forge",)
    subdir = env.target.subdir
    if subdir is None:
        raise EnvironmentReadError(
            env.source,
            "the conda side must be solved and the file names no platform: give --platform",
            env.source,
        )
    base = Path(env.source).parent

    def local(c: str) -> str | None:
        if c.startswith("file:"):
            return c
        for p in (Path(c).expanduser(), base / c):
            if p.is_dir():
                return str(p.resolve())
        return None

    located = [local(c) or c for c in channels]
    if offline and any(local(c) is None for c in channels):
        raise EnvironmentReadError(
            env.source,
            "the conda side must be solved (the file gives specs, not builds) and its channels "
            f"({', '.join(channels)}) are not local: not possible offline",
            f"{env.source}: channels",
        )
    try:
        records = solve(
            [s.original for s in env.specs],
            located,
            subdir,
            env.target.virtual_records(),
            cache_dir=cache_dir,
        )
    except CondaSolveError as exc:
        raise EnvironmentReadError(
            env.source,
            f"conda could not create this environment: {exc}",
            f"{env.source}: dependencies",
        ) from None
    solved = tuple(sorted(r.dist_name for r in records))
    from .environment.target import Target

    solved_target = Target.from_records(records, subdir, environ={})
    # the platform and Python come from the solution; virtual packages stay the target's facts
    target = replace(
        solved_target,
        virtual_packages=env.target.virtual_packages,
        facts=(
            *(f for f in solved_target.facts if not f.name.startswith("__")),
            *(f for f in env.target.facts if f.name.startswith("__")),
        ),
    )
    return replace(env, records=records, target=target, solved=solved)


def replay_pip_section(
    env: Environment, client: Any, cwd: str | Path, *, exported: bool
) -> Environment:
    """``pip install`` of the ``pip:`` section, as ``conda env create`` runs it; what pip
    would install joins the environment as pip-installed distributions.

    ``exported``: the file pins every conda build (``conda env export``): its ``pip:`` pins
    are what pip had installed, dependencies included, and are read as such. A hand-written
    file's section is replayed, so that what the pins pull in is there too."""
    lines = [p.line for p in env.pip_lines]
    if not lines:
        return env
    listed = {d.where for d in env.distributions}
    if exported and all(p.where in listed for p in env.pip_lines):
        return env
    # the section's own pins are what the replay installs, not something already there
    section = {p.where for p in env.pip_lines}
    env = replace(
        env,
        distributions=tuple(d for d in env.distributions if d.where not in section),
    )
    from .resolve.options import parse_pip_args
    from .resolve.resolver import resolve

    args: list[str] = []
    for line in lines:
        args += line.split() if line.lstrip().startswith("-") else [line]
    from .index.client import IndexClient
    from .resolve.resolver import ResolutionImpossibleError

    request = parse_pip_args(args, cwd)
    # the section's own index options (--index-url, --find-links...) apply to it
    section_client = IndexClient(
        request.index,
        transport=client.transport,
        cache=client.cache,
        offline=client.offline,
        limits=client.limits,
    )
    try:
        plan = resolve(env, request, section_client, cwd=cwd)
    except ResolutionImpossibleError as exc:
        raise EnvironmentReadError(
            " ".join(lines),
            f"conda env create would stop at the pip section: {exc}",
            f"{env.source}: pip",
        ) from None
    added = []
    for c in plan.installs:
        meta: RawMetadata = {"metadata_version": "2.1", "name": c.name, "version": c.version}
        if c.requires_dist:
            meta["requires_dist"] = list(c.requires_dist)
        if c.requires_python:
            meta["requires_python"] = c.requires_python
        added.append(
            PythonDistribution(
                name=PypiName(c.name),
                version=c.version,
                kind="listed",
                display_name=c.name,
                metadata=meta,
                installer="pip",
                where=f"{env.source}: pip section (replayed)",
                metadata_origin="PyPI",
                origin_note=c.filename or "",
            )
        )
    names = {d.name for d in added}
    kept = tuple(d for d in env.distributions if d.name not in names)
    return replace(env, distributions=(*added, *kept))
