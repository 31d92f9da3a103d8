"""The CUDA stack each installer brings, read through ``data/cuda.json`` (no if-chains)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from packaging.utils import canonicalize_name

from ..conda.records import PackageRecord
from ..conda.version import VersionOrder

__all__ = ["CudaItem", "conda_cuda_items", "cuda_data", "min_driver_cuda", "pip_cuda_items"]


@lru_cache(maxsize=1)
def cuda_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (files("mixguard") / "data" / "cuda.json").read_text(encoding="utf-8")
    )
    return data


@dataclass(frozen=True, slots=True)
class CudaItem:
    """One thing that puts a CUDA runtime or library into the environment."""

    side: str  # "conda" or "pip"
    source: str  # "cudatoolkit 11.2.2 hbe64b41_10", "nvidia-cudnn-cu12 8.9.2.26", ...
    runtime: str | None  # CUDA major the item is built for, "11"
    library: str | None  # "cudart", "cudnn", ... (None: the item only implies a runtime)
    soname: str | None  # "libcudart.so.11.0"
    how: str  # how it was recognised: "package", "build string", "local version", ...


def min_driver_cuda(runtime: str) -> str | None:
    entry = cuda_data()["runtimes"].get(runtime)
    return str(entry["min_driver_cuda"]) if entry else None


def _soname(runtime: str | None, library: str | None, version: str | None) -> str | None:
    data = cuda_data()
    if library is None:
        return None
    if library in data["versioned_sonames"] and version:
        return str(data["versioned_sonames"][library]).format(major=version.split(".")[0])
    if runtime is None:
        return None
    libs: dict[str, str] = data["runtimes"].get(runtime, {}).get("libraries", {})
    return libs.get(library)


def conda_cuda_items(records: Iterable[PackageRecord]) -> list[CudaItem]:
    data = cuda_data()
    out: list[CudaItem] = []
    patterns = [re.compile(p) for p in data["build_string_patterns"]]
    for r in records:
        src = f"{r.name} {r.version} {r.build}"
        if r.name in data["conda_runtime_packages"]:
            major = r.version.split(".")[0]
            out.append(
                CudaItem("conda", src, major, "cudart", _soname(major, "cudart", None), "package")
            )
            continue
        if r.name in data["conda_library_packages"]:
            lib = data["conda_library_packages"][r.name]
            out.append(CudaItem("conda", src, None, lib, _soname(None, lib, r.version), "package"))
            continue
        for p in patterns:
            m = p.search(r.build)
            if m:
                out.append(CudaItem("conda", src, m.group("major"), None, None, "build string"))
                break
    return out


def pip_cuda_items(dists: Iterable[tuple[str, str]]) -> list[CudaItem]:
    """CUDA items from PyPI distributions given as (name, version)."""
    data = cuda_data()
    pattern = re.compile(data["pip_package_pattern"])
    projects = [re.compile(p) for p in data["pip_project_patterns"]]
    out: list[CudaItem] = []
    for name, version in dists:
        key = canonicalize_name(name)
        src = f"{key} {version}"
        m = pattern.match(key)
        if m:
            major = m.group("major")
            lib = data["pip_components"].get(m.group("component"))
            out.append(CudaItem("pip", src, major, lib, _soname(major, lib, version), "package"))
            continue
        if key in data["pip_cuda_projects"]:
            out.append(CudaItem("pip", src, data["pip_cuda_projects"][key], None, None, "package"))
            continue
        if key in data["pip_versioned_packages"]:
            # unsuffixed CUDA 13 wheels, cuda-toolkit, cuda-bindings: the version's major
            major = version.split(".")[0]
            lib = data["pip_versioned_packages"][key]
            out.append(
                CudaItem("pip", src, major, lib, _soname(major, lib, version), "package version")
            )
            continue
        found = next((hit for rx in projects if (hit := rx.match(key))), None)
        if found:
            out.append(CudaItem("pip", src, found.group("major"), None, None, "package name"))
            continue
        local = re.search(r"\+cu(\d{2,3})$", version)
        if local:
            digits = local.group(1)
            major = digits[:2]  # cu118 -> 11, cu121 -> 12
            out.append(CudaItem("pip", src, major, None, None, "local version"))
    return out


def driver_ok(runtime: str, cuda_virtual: str) -> bool | None:
    """Whether a driver advertising ``__cuda`` can run ``runtime`` (None: no data)."""
    need = min_driver_cuda(runtime)
    if need is None:
        return None
    try:
        return VersionOrder(cuda_virtual) >= VersionOrder(need)
    except ValueError:
        return None
