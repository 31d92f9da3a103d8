"""Local conda channels built from prefixes, and the files conda writes for an environment.

``pack_prefix`` turns each ``conda-meta`` record of a prefix back into the ``.conda`` package
it was linked from (``info/index.json``, ``info/paths.json``, the files the prefix has; noarch
python paths un-relocated to ``site-packages/``), with conda-package-handling (conda's own
package writer), in ``<channel>/<subdir>/`` with a ``repodata.json``. ``explicit_file`` and
``conda_env_export`` then write what ``conda list --explicit --md5`` and ``conda env export``
write for that environment (conda's formats, not mixguard's ``export-env``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from conda_package_handling import api as cph

_INDEX_KEYS = (
    "name",
    "version",
    "build",
    "build_number",
    "subdir",
    "depends",
    "constrains",
    "track_features",
    "noarch",
    "timestamp",
    "license",
    "arch",
    "platform",
)


def _unrelocate(path: str, noarch: str | None, site: str) -> str:
    if noarch == "python":
        if path.startswith(site + "/"):
            return "site-packages/" + path[len(site) + 1 :]
        if path.startswith("bin/"):
            return "python-scripts/" + path[len("bin/") :]
    return path


def pack_prefix(prefix: Path, channel: Path, *, fmt: str = ".conda") -> list[dict[str, Any]]:
    """Pack every record of ``prefix`` into ``channel``; returns the repodata records."""
    site = next(
        (p.relative_to(prefix).as_posix() for p in (prefix / "lib").glob("python*/site-packages")),
        "Lib/site-packages",
    )
    out: list[dict[str, Any]] = []
    packages: dict[str, dict[str, dict[str, Any]]] = {}
    for meta in sorted((prefix / "conda-meta").glob("*.json")):
        rec = json.loads(meta.read_text())
        noarch = rec.get("noarch")
        if isinstance(noarch, dict):
            noarch = noarch.get("type")
        subdir = rec.get("subdir") or "noarch"
        fn = f"{rec['name']}-{rec['version']}-{rec['build']}{fmt}"
        work = channel / ".build" / fn
        (work / "info").mkdir(parents=True)
        index = {k: rec[k] for k in _INDEX_KEYS if rec.get(k) is not None}
        if noarch:
            index["noarch"] = noarch
        (work / "info" / "index.json").write_text(json.dumps(index))
        paths, archived = [], ["info/index.json", "info/paths.json"]
        for f in rec.get("files", []):
            inside = _unrelocate(f, noarch, site)
            paths.append({"_path": inside, "path_type": "hardlink"})
            src = prefix / f
            if src.is_file():
                (work / inside).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, work / inside)
                archived.append(inside)
        (work / "info" / "paths.json").write_text(json.dumps({"paths": paths, "paths_version": 1}))
        (channel / subdir).mkdir(parents=True, exist_ok=True)
        cph.create(str(work), archived, fn, out_folder=str((channel / subdir).resolve()))
        data = (channel / subdir / fn).read_bytes()
        entry = {
            **index,
            "depends": rec.get("depends", []),
            "md5": hashlib.md5(data).hexdigest(),
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "fn": fn,
            "subdir": subdir,
        }
        section = "packages.conda" if fmt == ".conda" else "packages"
        packages.setdefault(subdir, {}).setdefault(section, {})[fn] = entry
        out.append(entry)
    for subdir in {*packages, "noarch"}:
        (channel / subdir).mkdir(parents=True, exist_ok=True)
        body = {"info": {"subdir": subdir}, "packages": {}, "packages.conda": {}}
        body.update(packages.get(subdir, {}))
        (channel / subdir / "repodata.json").write_text(json.dumps(body))
    shutil.rmtree(channel / ".build")
    return out


def explicit_file(records: list[dict[str, Any]], channel: Path, platform: str) -> str:
    """``conda list --explicit --md5`` for the packed records."""
    base = channel.resolve().as_uri()
    lines = [
        "# This file may be used to create an environment using:",
        "# $ conda create --name <env> --file <this file>",
        f"# platform: {platform}",
        "@EXPLICIT",
    ]
    lines += [f"{base}/{r['subdir']}/{r['fn']}#{r['md5']}" for r in records]
    return "\n".join(lines) + "\n"


def conda_env_export(
    records: list[dict[str, Any]], channel: Path, name: str, pip: list[str]
) -> str:
    """``conda env export`` (with builds) in conda's layout: name, channels, dependencies with
    ``name=version=build`` and a ``pip:`` section of ``name==version``, then ``prefix:``."""
    lines = [f"name: {name}", "channels:", f"  - {channel.resolve().as_uri()}", "dependencies:"]
    lines += [f"  - {r['name']}={r['version']}={r['build']}" for r in records]
    if pip:
        lines.append("  - pip:")
        lines += [f"      - {p}" for p in pip]
    lines.append(f"prefix: /opt/conda/envs/{name}")
    return "\n".join(lines) + "\n"
