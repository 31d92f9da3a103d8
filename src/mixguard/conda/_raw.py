"""The raw JSON layer: what repodata and conda-meta files hold, before validation."""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = ["RawPackageRecord", "RawPathEntry", "RawPathsData", "RawPrefixRecord"]


class RawPackageRecord(TypedDict, total=False):
    name: str
    version: str
    build: str
    build_number: int
    subdir: str
    depends: list[str]
    constrains: list[str]
    track_features: str | list[str]
    features: str | list[str]
    noarch: str | bool | None
    timestamp: int
    md5: str
    sha256: str
    size: int
    license: str
    license_family: str
    fn: str
    url: str
    channel: str
    platform: str | None
    arch: str | None


class RawPathEntry(TypedDict, total=False):
    _path: str
    path_type: str
    sha256: str
    sha256_in_prefix: str
    size_in_bytes: int
    no_link: bool
    file_mode: str
    prefix_placeholder: str


class RawPathsData(TypedDict, total=False):
    paths: list[RawPathEntry]
    paths_version: int


class RawPrefixRecord(RawPackageRecord, total=False):
    files: list[str]
    paths_data: RawPathsData
    requested_spec: str | None
    requested_specs: list[str]
    link: dict[str, Any] | None
    extracted_package_dir: str
    package_tarball_full_path: str
