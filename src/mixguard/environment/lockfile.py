"""Lock files: conda-lock (``conda-lock.yml`` v0/v1) and pixi (``pixi.lock`` v4 to v7).

A lock file holds several platforms; the environment for one ``platform`` is read. With one
platform in the file it is chosen; with several, ``platform`` must be given (guessing the host's
would judge the wrong environment).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..conda.records import PackageRecord
from ..errors import EnvironmentReadError, total
from ..names import pypi_name
from ._urls import record_from_url
from ._yaml import load_yaml
from .distribution import PythonDistribution
from .model import Environment
from .target import Target

if TYPE_CHECKING:
    from packaging.metadata import RawMetadata

__all__ = ["read_lockfile"]


def _pick_platform(platforms: list[str], platform: str | None, path: str | Path) -> str:
    if platform is not None:
        if platform not in platforms:
            raise EnvironmentReadError(
                platform,
                f"platform not in lock file (it has: {', '.join(platforms) or 'none'})",
                str(path),
            )
        return platform
    if len(platforms) == 1:
        return platforms[0]
    raise EnvironmentReadError(
        str(path),
        f"lock file has several platforms ({', '.join(platforms)}): choose one",
        str(path),
    )


def _channels(value: object) -> tuple[str, ...]:
    """Both formats list channels as ``{url: ...}`` mappings (older ones as plain strings)."""
    items = value if isinstance(value, list) else []
    return tuple(str(c.get("url")) if isinstance(c, Mapping) else str(c) for c in items)


def _pip_dist(
    name: str,
    version: str,
    requires: list[str],
    where: str,
    url: str | None,
    requires_python: str | None = None,
) -> PythonDistribution:
    meta: RawMetadata = {"metadata_version": "2.1", "name": name, "version": version}
    if requires:
        meta["requires_dist"] = requires
    if requires_python:
        meta["requires_python"] = requires_python
    return PythonDistribution(
        name=pypi_name(name),
        version=version,
        kind="locked",
        display_name=name,
        metadata=meta,
        installer="pip",
        direct_url={"url": url} if url else None,
        where=where,
        metadata_origin="lock file",
    )


def _conda_lock(
    data: Mapping[str, Any], path: str | Path, platform: str | None, kw: dict[str, Any]
) -> Environment:
    meta = data.get("metadata") or {}
    if not isinstance(meta, Mapping):
        raise EnvironmentReadError(meta, "'metadata' must be a mapping", f"{path}: metadata")
    packages = data.get("package")
    if not isinstance(packages, list):
        raise EnvironmentReadError(packages, "'package' must be a list", f"{path}: package")
    platforms = [str(p) for p in meta.get("platforms") or []] or sorted(
        {str(p.get("platform")) for p in packages if isinstance(p, Mapping)}
    )
    chosen = _pick_platform(platforms, platform, path)
    records: list[PackageRecord] = []
    dists: list[PythonDistribution] = []
    for i, pkg in enumerate(packages):
        where = f"{path}: package[{i}]"
        if not isinstance(pkg, Mapping):
            raise EnvironmentReadError(pkg, "package entry must be a mapping", where)
        if pkg.get("platform") != chosen:
            continue
        deps = pkg.get("dependencies") or {}
        if not isinstance(deps, Mapping):
            raise EnvironmentReadError(
                deps, "'dependencies' must be a mapping", f"{where}.dependencies"
            )
        hashes = pkg.get("hash") or {}
        manager = pkg.get("manager")
        url = pkg.get("url")
        if manager == "conda":
            if not isinstance(url, str):
                raise EnvironmentReadError(url, "conda package needs a 'url'", f"{where}.url")
            depends = [
                f"{n} {s}".strip() if s not in ("*", "", None) else str(n) for n, s in deps.items()
            ]
            records.append(
                record_from_url(
                    url,
                    where,
                    depends=depends,
                    md5=hashes.get("md5"),
                    sha256=hashes.get("sha256"),
                )
            )
        elif manager == "pip":
            requires = [f"{n}{s}" if s not in ("*", "", None) else str(n) for n, s in deps.items()]
            dists.append(
                _pip_dist(
                    str(pkg.get("name")),
                    str(pkg.get("version")),
                    requires,
                    where,
                    url if isinstance(url, str) else None,
                )
            )
        else:
            raise EnvironmentReadError(
                manager, "unknown manager (expected conda or pip)", f"{where}.manager"
            )
    channels = _channels(meta.get("channels"))
    target = Target.from_records(records, chosen, **kw)
    return Environment(
        source=str(path),
        kind="conda-lock",
        target=target,
        records=tuple(records),
        distributions=tuple(dists),
        channels=channels,
    )


def _pixi(
    data: Mapping[str, Any],
    path: str | Path,
    platform: str | None,
    environment: str,
    kw: dict[str, Any],
) -> Environment:
    version = data.get("version")
    envs = data.get("environments")
    if not isinstance(envs, Mapping) or environment not in envs:
        have = ", ".join(envs) if isinstance(envs, Mapping) else "none"
        raise EnvironmentReadError(
            environment,
            f"no such environment in lock file (it has: {have})",
            f"{path}: environments",
        )
    env = envs[environment]
    per_platform = env.get("packages") or {}
    if not isinstance(per_platform, Mapping):
        raise EnvironmentReadError(
            per_platform,
            "'packages' must be a mapping",
            f"{path}: environments.{environment}.packages",
        )
    chosen = _pick_platform([str(p) for p in per_platform], platform, path)

    # index the package list by its locator (url for conda and pypi entries)
    by_url: dict[tuple[str, str], tuple[int, Mapping[str, Any]]] = {}
    for i, pkg in enumerate(data.get("packages") or []):
        if not isinstance(pkg, Mapping):
            raise EnvironmentReadError(
                pkg, "package entry must be a mapping", f"{path}: packages[{i}]"
            )
        if "kind" in pkg:  # v4
            key = (str(pkg["kind"]), str(pkg.get("url")))
        elif "conda" in pkg:
            key = ("conda", str(pkg["conda"]))
        elif "pypi" in pkg:
            key = ("pypi", str(pkg["pypi"]))
        else:
            raise EnvironmentReadError(
                dict(pkg), "package entry has no conda/pypi locator", f"{path}: packages[{i}]"
            )
        by_url[key] = (i, pkg)

    records: list[PackageRecord] = []
    dists: list[PythonDistribution] = []
    for j, ref in enumerate(per_platform[chosen] or []):
        where_ref = f"{path}: environments.{environment}.packages.{chosen}[{j}]"
        if not isinstance(ref, Mapping) or not ("conda" in ref or "pypi" in ref):
            raise EnvironmentReadError(ref, "expected {conda: url} or {pypi: url}", where_ref)
        kind = "conda" if "conda" in ref else "pypi"
        url = str(ref[kind])
        found = by_url.get((kind, url))
        if found is None:
            raise EnvironmentReadError(
                url, "referenced package is missing from 'packages'", where_ref
            )
        i, pkg = found
        where = f"{path}: packages[{i}]"
        if kind == "conda":
            extra = {
                k: pkg.get(k)
                for k in (
                    "depends",
                    "constrains",
                    "md5",
                    "sha256",
                    "size",
                    "timestamp",
                    "license",
                    "license_family",
                    "noarch",
                    "track_features",
                    "build_number",
                )
            }
            if pkg.get("build_number") is None:
                extra.pop("build_number")
            records.append(record_from_url(url, where, **extra))
        else:
            name = pkg.get("name")
            if not isinstance(name, str):
                raise EnvironmentReadError(name, "pypi package needs a 'name'", f"{where}.name")
            requires = [str(r) for r in pkg.get("requires_dist") or []]
            dists.append(
                _pip_dist(
                    name,
                    str(pkg.get("version") or ""),
                    requires,
                    where,
                    url,
                    pkg.get("requires_python"),
                )
            )
    channels = _channels(env.get("channels"))
    target = Target.from_records(records, chosen, **kw)
    return Environment(
        source=str(path),
        kind="pixi.lock",
        target=target,
        records=tuple(records),
        distributions=tuple(dists),
        channels=channels,
        name=f"{environment} (pixi.lock v{version})",
    )


@total("lock file")
def read_lockfile(
    path: str | Path,
    *,
    platform: str | None = None,
    environment: str = "default",
    overrides: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Environment:
    """Read a conda-lock or pixi lock file for one platform (and pixi environment)."""
    data = load_yaml(path)
    if not isinstance(data, Mapping):
        raise EnvironmentReadError(str(path), "lock file must be a YAML mapping", str(path))
    kw: dict[str, Any] = {"overrides": overrides, "environ": environ}
    if "environments" in data:
        version = data.get("version")
        if not isinstance(version, int) or version < 4:
            raise EnvironmentReadError(
                version, "unsupported pixi.lock version (4 to 7 are read)", f"{path}: version"
            )
        return _pixi(data, path, platform, environment, kw)
    if "package" in data:
        version = data.get("version", 0)
        if version not in (0, 1):
            raise EnvironmentReadError(
                version, "unsupported conda-lock version (0 and 1 are read)", f"{path}: version"
            )
        return _conda_lock(data, path, platform, kw)
    raise EnvironmentReadError(
        str(Path(path).name), "neither a conda-lock nor a pixi lock file", str(path)
    )
