"""Read a conda prefix: ``conda-meta/*.json``, ``conda-meta/history`` and site-packages.

Read-only by construction: files are opened for reading and nothing else is called.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

from ..conda.records import PrefixRecord
from ..errors import EnvironmentReadError, ParseError, total
from ..names import CondaName
from .distribution import (
    PythonDistribution,
    is_distribution_entry,
    read_distribution,
    top_level_from_paths,
)
from .history import HistoryEntry, parse_history
from .host import DETECT, HostFacts, host_cuda, host_facts
from .model import Environment, EnvironmentProblem
from .target import Target

__all__ = ["prefix_of_interpreter", "read_prefix"]


def _dist_dir_of(path: str) -> str | None:
    """The metadata dir/file a prefix path belongs to, e.g. ``.../numpy-1.21.6.dist-info``."""
    for marker in (".dist-info/", ".egg-info/", ".egg/"):
        idx = path.find(marker)
        if idx != -1:
            return path[: idx + len(marker) - 1]
    if path.endswith((".egg-info", ".egg")):
        return path
    return None


def _site_packages_dirs(prefix: Path, target: Target) -> list[Path]:
    found: list[Path] = []
    win = prefix / "Lib" / "site-packages"
    if win.is_dir():
        found.append(win)
    if target.python_short:
        suffix = "t" if target.free_threaded else ""
        p = prefix / "lib" / f"python{target.python_short}{suffix}" / "site-packages"
        if p.is_dir() and p not in found:
            found.append(p)
    if not found:
        found.extend(
            sorted(p for p in (prefix / "lib").glob("python*/site-packages") if p.is_dir())
        )
    return found


def prefix_of_interpreter(python: str | Path) -> Path:
    """The environment an interpreter belongs to, as pip's ``--python`` names one: the
    interpreter's path (``P/bin/python``, ``P/python.exe``) or the environment's directory.

    Taken from conda's layout, not by running the interpreter (it may be for another machine).

    >>> from mixguard.demo import demo_prefix
    >>> prefix_of_interpreter(demo_prefix()) == demo_prefix()
    True
    >>> prefix_of_interpreter("/nowhere/envs/tf/bin/python3.10")
    Traceback (most recent call last):
    mixguard.errors.EnvironmentReadError: --python: '/nowhere/envs/tf/bin/python3.10': no such interpreter
    """
    from ..errors import EnvironmentReadError

    path = Path(python)
    if path.is_dir():
        return path
    if not path.exists():
        raise EnvironmentReadError(str(python), "no such interpreter", "--python")
    parent = path.parent
    return parent.parent if parent.name in ("bin", "Scripts") else parent


@total("conda prefix")
def read_prefix(
    prefix: str | Path,
    *,
    overrides: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
    subdir: str | None = None,
    host: HostFacts | Literal["detect"] | None = DETECT,
    cuda_probe: Callable[[], tuple[str | None, str]] | None = None,
) -> Environment:
    """Read a conda environment from its prefix directory.

    ``overrides`` / ``environ`` set virtual packages (see
    :func:`mixguard.conda.virtual.virtual_facts`); ``subdir`` overrides the platform
    derived from the ``python`` record. A prefix is on this machine, so by default the
    virtual packages pip and conda would take from it (glibc, the CUDA driver, archspec) are
    detected when the prefix's platform is this machine's (``host="detect"``); ``host=None``
    uses conda's defaults instead, and a :class:`~mixguard.environment.host.HostFacts` (with
    ``cuda_probe``) describes another machine.
    """
    root = Path(prefix)
    meta_dir = root / "conda-meta"
    if not root.is_dir():
        raise EnvironmentReadError(
            str(prefix), "prefix does not exist or is not a directory", str(prefix)
        )
    if not meta_dir.is_dir():
        raise EnvironmentReadError(
            str(prefix), "not a conda prefix: no conda-meta/ directory", str(prefix)
        )

    records: list[PrefixRecord] = []
    # os.listdir, not glob: an unlistable conda-meta/ is an error, never an empty environment
    for path in sorted(meta_dir / n for n in os.listdir(meta_dir) if n.endswith(".json")):
        where = f"conda-meta/{path.name}"
        try:
            raw = json.loads(path.read_bytes())
        except (ValueError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise EnvironmentReadError(path.name, f"invalid JSON: {reason}", where) from None
        except OSError as exc:
            raise EnvironmentReadError(
                path.name, f"cannot read: {exc.strerror or exc}", where
            ) from None
        try:
            records.append(PrefixRecord.from_dict(raw, where))
        except ParseError as exc:
            raise EnvironmentReadError(exc.value, exc.reason, exc.where or where) from None

    history: tuple[HistoryEntry, ...] = ()
    hist_path = meta_dir / "history"
    if hist_path.exists():  # a history that cannot be read is an error, not an empty one
        history = parse_history(hist_path.read_text(encoding="utf-8", errors="replace"))

    facts: HostFacts | None
    if host == DETECT:
        facts, cuda_probe = host_facts(), host_cuda
    else:
        facts = host if isinstance(host, HostFacts) else None
    target = Target.from_records(
        (r.record for r in records),
        subdir,
        overrides,
        environ,
        host=facts,
        host_cuda=cuda_probe,
    )

    owners: dict[str, CondaName] = {}
    for rec in records:
        for f in rec.files:
            d = _dist_dir_of(f)
            if d is not None:
                owners.setdefault(d, rec.name)

    dists: list[PythonDistribution] = []
    for sp in _site_packages_dirs(root, target):
        rel_site = sp.relative_to(root).as_posix()
        # pip finds distributions through importlib.metadata's FastPath: os.listdir order,
        # .dist-info/.egg-info first, eggs after; the first of a name is the one pip sees
        names = os.listdir(sp)
        ordered = [n for n in names if not n.endswith(".egg")]
        for entry in [*ordered, *(n for n in names if n.endswith(".egg"))]:
            if not is_distribution_entry(entry):
                continue
            dist = read_distribution(sp, entry, rel_site)
            if dist is not None:
                owner = owners.get(dist.path)
                dist = dist.with_owner(owner)
                if not dist.top_level and owner is not None:
                    # no RECORD/top_level.txt (e.g. conda-forge protobuf's egg-info): the
                    # owning record's file list says which import names it installed
                    dist = _with_top_level_from(dist, records, owner, rel_site)
                dists.append(dist)

    problems = _problems(root, records, dists, owners)
    return Environment(
        source=str(root),
        kind="prefix",
        target=target,
        records=tuple(r.record for r in records),
        prefix_records=tuple(records),
        distributions=tuple(dists),
        channels=tuple(dict.fromkeys(c for r in records if (c := r.record.channel_name))),
        history=history,
        problems=problems,
        name=root.name,
    )


def _with_top_level_from(
    dist: PythonDistribution, records: list[PrefixRecord], owner: CondaName, rel_site: str
) -> PythonDistribution:
    from dataclasses import replace

    rec = next(r for r in records if r.name == owner)
    inside = tuple(f[len(rel_site) + 1 :] for f in rec.files if f.startswith(rel_site + "/"))
    return replace(dist, top_level=top_level_from_paths(inside))


def _problems(
    root: Path,
    records: list[PrefixRecord],
    dists: list[PythonDistribution],
    owners: dict[str, CondaName],
) -> tuple[EnvironmentProblem, ...]:
    problems: list[EnvironmentProblem] = []
    for d, owner in sorted(owners.items()):
        if not (root / d).exists():
            problems.append(
                EnvironmentProblem(
                    "missing-dist-info",
                    str(owner),
                    f"conda record {owner} lists {d}, which is missing from disk: pip cannot see "
                    "this distribution and conda's view of the environment is stale",
                    f"conda-meta ({owner})",
                )
            )
    by_name: dict[str, list[PythonDistribution]] = defaultdict(list)
    for dist in dists:
        by_name[dist.name].append(dist)
        if dist.metadata is None:
            problems.append(
                EnvironmentProblem(
                    "missing-metadata",
                    dist.name,
                    f"{dist.path} has no METADATA/PKG-INFO",
                    dist.path,
                )
            )
    for name, group in sorted(by_name.items()):
        if len(group) > 1:
            listed = ", ".join(
                f"{d.path} ({d.version}, {'conda: ' + d.owner if d.owner else 'pip'})"
                for d in group
            )
            problems.append(
                EnvironmentProblem(
                    "duplicate-dist",
                    name,
                    f"{len(group)} distributions of {name} are installed: {listed}; "
                    "pip sees only the first, conda's record may describe another",
                    group[0].path,
                )
            )
    seen: dict[str, PrefixRecord] = {}
    for rec in records:
        if rec.name in seen:
            problems.append(
                EnvironmentProblem(
                    "duplicate-record",
                    rec.name,
                    f"two conda records for {rec.name}: "
                    f"{seen[rec.name].dist_name} and {rec.dist_name}",
                    rec.where,
                )
            )
        seen[rec.name] = rec
    return tuple(problems)
