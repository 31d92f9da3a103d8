"""The text table ``conda list`` prints (``pypi_0`` rows are pip installs)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..conda.records import PackageRecord
from ..errors import EnvironmentReadError, ParseError, total
from ..names import pypi_name
from ._urls import _BUILD_NUMBER
from ._yaml import read_text
from .distribution import PythonDistribution
from .model import Environment
from .target import Target

__all__ = ["read_conda_list"]


@total("a saved `conda list`")
def read_conda_list(
    path: str | Path,
    *,
    subdir: str | None = None,
    overrides: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Environment:
    """Read saved ``conda list`` output. It names no platform: pass ``subdir`` if known."""
    text = read_text(path)
    records: list[PackageRecord] = []
    dists: list[PythonDistribution] = []
    env_path = None
    for n, raw_line in enumerate(text.splitlines(), 1):
        line = raw_line.strip()
        where = f"{path}: line {n}"
        if not line:
            continue
        if line.startswith("#"):
            if "packages in environment at" in line:
                env_path = line.split(" at ", 1)[1].rstrip(":").strip()
            continue
        cols = line.split()
        if len(cols) not in (3, 4):
            raise EnvironmentReadError(line, "expected 'name version build [channel]'", where)
        name, version, build = cols[:3]
        channel = cols[3] if len(cols) == 4 else None
        if channel == "pypi" or build == "pypi_0":
            dists.append(
                PythonDistribution(
                    name=pypi_name(name),
                    version=version,
                    kind="listed",
                    display_name=name,
                    installer="pip",
                    where=where,
                    metadata_origin="unknown",
                )
            )
            continue
        m = _BUILD_NUMBER.search(build)
        try:
            records.append(
                PackageRecord.from_dict(
                    {
                        "name": name,
                        "version": version,
                        "build": build,
                        "build_number": int(m.group(1)) if m else 0,
                        "subdir": subdir or "unknown",
                        # conda list leaves the column empty for the default channel
                        "channel": channel or "defaults",
                    },
                    where,
                )
            )
        except ParseError as exc:
            raise EnvironmentReadError(exc.value, exc.reason, where) from None
    if not records and not dists:
        raise EnvironmentReadError(
            str(path), "no packages found: not `conda list` output", str(path)
        )
    target = Target.from_records(records, subdir, overrides, environ)
    return Environment(
        source=str(path),
        kind="conda-list",
        target=target,
        records=tuple(records),
        distributions=tuple(dists),
        name=Path(env_path).name if env_path else None,
        channels=tuple(dict.fromkeys(r.channel for r in records if r.channel)),
    )
