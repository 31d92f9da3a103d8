"""``environment.yml``: ``conda env export`` (with or without builds) and ``--from-history``.

Every conda dependency becomes a MatchSpec in ``Environment.specs``. An entry that pins
``name=version=build`` (an export with builds) names one exact build, so it also becomes a
record in ``Environment.records``. The ``pip:`` section is kept verbatim (requirements,
``-r`` files and options), and its ``name==version`` lines are the pip layer's distributions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from ..conda.matchspec import MatchSpec
from ..conda.records import PackageRecord
from ..errors import EnvironmentReadError, ParseError, total
from ..names import pypi_name
from ._urls import _BUILD_NUMBER
from ._yaml import load_yaml
from .distribution import PythonDistribution
from .model import Environment, PipLine
from .target import Target

__all__ = ["read_environment_file"]

_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;@]+)$")


@total("environment file")
def read_environment_file(
    path: str | Path,
    *,
    subdir: str | None = None,
    overrides: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Environment:
    data = load_yaml(path)
    if not isinstance(data, Mapping):
        raise EnvironmentReadError(str(path), "environment file must be a YAML mapping", str(path))
    deps = data.get("dependencies") or []
    if not isinstance(deps, list):
        raise EnvironmentReadError(deps, "'dependencies' must be a list", f"{path}: dependencies")
    specs: list[MatchSpec] = []
    records: list[PackageRecord] = []
    pip_lines: list[PipLine] = []
    dists: list[PythonDistribution] = []
    platforms = data.get("platforms") or data.get("platform") or []
    if isinstance(platforms, str):
        platforms = [platforms]
    if not isinstance(platforms, list) or not all(isinstance(p, str) for p in platforms):
        raise EnvironmentReadError(
            platforms, "'platforms' must be a list of subdirs", f"{path}: platforms"
        )
    if subdir is None and len(platforms) == 1:
        subdir = str(platforms[0])
    for i, dep in enumerate(deps):
        where = f"{path}: dependencies[{i}]"
        if isinstance(dep, Mapping):
            for key, value in dep.items():
                if key != "pip":
                    raise EnvironmentReadError(
                        key, "unknown dependency section (only 'pip')", where
                    )
                if not isinstance(value, list):
                    raise EnvironmentReadError(value, "'pip' must be a list", f"{where}.pip")
                for j, line in enumerate(value):
                    line_where = f"{where}.pip[{j}]"
                    pip_lines.append(PipLine(str(line), line_where))
                    m = _PIN.match(str(line).strip())
                    if m:
                        dists.append(
                            PythonDistribution(
                                name=pypi_name(m.group(1)),
                                version=m.group(2),
                                kind="listed",
                                display_name=m.group(1),
                                installer="pip",
                                where=line_where,
                                metadata_origin="unknown",
                            )
                        )
            continue
        if not isinstance(dep, str):
            raise EnvironmentReadError(dep, "dependency must be a string", where)
        try:
            spec = MatchSpec.parse(dep)
        except ParseError as exc:
            raise EnvironmentReadError(dep, exc.reason, where) from None
        specs.append(spec)
        pinned = _full_pin(dep)
        if pinned is not None:
            name, version, build = pinned
            m = _BUILD_NUMBER.search(build)
            records.append(
                PackageRecord.from_dict(
                    {
                        "name": name,
                        "version": version,
                        "build": build,
                        "build_number": int(m.group(1)) if m else 0,
                        "subdir": subdir or "unknown",
                    },
                    where,
                )
            )
    channels = data.get("channels") or []
    if not isinstance(channels, list):
        raise EnvironmentReadError(channels, "'channels' must be a list", f"{path}: channels")
    target = Target.from_records(
        records, subdir, overrides, environ, python=_python_from_specs(specs, records)
    )
    env_name = data.get("name")
    return Environment(
        source=str(path),
        kind="environment.yml",
        target=target,
        records=tuple(records),
        specs=tuple(specs),
        distributions=tuple(dists),
        pip_lines=tuple(pip_lines),
        channels=tuple(str(c) for c in channels),
        name=str(env_name) if env_name else None,
    )


def _full_pin(dep: str) -> tuple[str, str, str] | None:
    # `conda env export` writes name=version=build; anything else is a spec, not a build
    parts = dep.strip().split("=")
    if len(parts) == 3 and all(parts) and not any(c in dep for c in " <>!*,|[]"):
        return parts[0], parts[1], parts[2]
    return None


def _python_from_specs(specs: list[MatchSpec], records: list[PackageRecord]) -> str | None:
    if any(r.name == "python" for r in records):
        return None  # taken from the record
    for spec in specs:
        v = spec.version
        if (
            spec.name == "python"
            and v is not None
            and v.op in ("==", "=")
            and v.operand is not None
        ):
            return v.operand.raw
    return None
