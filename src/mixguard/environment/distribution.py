"""Python distributions as pip sees them: ``.dist-info``, ``.egg-info`` (dir or file), ``.egg``."""

from __future__ import annotations

import csv
import io
import json
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._core_metadata import parse_metadata
from ..errors import EnvironmentReadError
from ..names import CondaName, PypiName, pypi_name

if TYPE_CHECKING:
    from packaging.metadata import RawMetadata

__all__ = [
    "DistKind",
    "MetadataOrigin",
    "PythonDistribution",
    "distribution_from_texts",
    "read_distribution",
]

DistKind = Literal["dist-info", "egg-info", "egg-info-file", "egg", "locked", "listed"]
#: where a distribution's metadata (its Requires-Dist) was read:
#: ``prefix`` (its own METADATA in the prefix), ``conda package`` (the conda package's
#: dist-info, read from the channel), ``lock file``, ``PyPI`` (a pip-installed distribution's
#: metadata on the index), ``assumed from PyPI`` (a conda package's requirements taken from the
#: PyPI release of the same version: conda-forge may patch them), ``unknown``.
MetadataOrigin = Literal[
    "prefix", "conda package", "lock file", "PyPI", "assumed from PyPI", "unknown"
]

_SUFFIXES = (".dist-info", ".egg-info", ".egg")


@dataclass(frozen=True, slots=True)
class PythonDistribution:
    """One installed (or locked, or listed) Python distribution.

    ``owner`` is the conda package whose ``files`` list this distribution's metadata directory:
    conda installed it. ``None`` means pip (or another non-conda installer) did, which
    ``conda list`` shows as ``pypi_0``.
    """

    name: PypiName
    version: str
    kind: DistKind
    path: str = ""  # prefix-relative POSIX path of the metadata dir/file
    display_name: str = ""
    metadata: RawMetadata | None = field(default=None, compare=False, hash=False)
    installer: str | None = None
    has_record: bool = False  # RECORD (dist-info) or installed-files.txt (egg-info)
    requested: bool = False
    direct_url: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)
    top_level: tuple[str, ...] = ()
    files: tuple[str, ...] = field(default=(), compare=False, hash=False, repr=False)
    owner: CondaName | None = None
    where: str = field(default="", compare=False, repr=False)
    metadata_origin: MetadataOrigin = "prefix"
    #: why the metadata is what it is (the package read, the reason it is unknown)
    origin_note: str = field(default="", compare=False, repr=False)

    @property
    def requires_dist(self) -> tuple[str, ...]:
        return tuple(self.metadata.get("requires_dist", ())) if self.metadata else ()

    @property
    def requires_python(self) -> str | None:
        return self.metadata.get("requires_python") if self.metadata else None

    @property
    def installed_by_conda(self) -> bool:
        return self.owner is not None

    def with_owner(self, owner: CondaName | None) -> PythonDistribution:
        return replace(self, owner=owner)


def _read_text(path: Path, where: str) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise EnvironmentReadError(
            str(path), f"cannot read: {exc.strerror or exc}", where
        ) from None


def _parse_metadata(text: str) -> RawMetadata:
    raw = parse_metadata(text)
    # the values that repeat across distributions ("2.1", "1.0", "six", "numpy>=1.21") are
    # interned: parsing makes new strings for each, and a prefix holds thousands
    for key, value in raw.items():
        if type(value) is str:
            raw[key] = sys.intern(value)  # type: ignore[literal-required]
        elif type(value) is list and all(type(v) is str for v in value):
            raw[key] = [sys.intern(v) for v in value]  # type: ignore[literal-required]
    return raw


def _record_paths(text: str) -> tuple[str, ...]:
    rows = csv.reader(io.StringIO(text))
    return tuple(row[0] for row in rows if row and row[0])


def top_level_from_paths(paths: tuple[str, ...]) -> tuple[str, ...]:
    names: set[str] = set()
    for path in paths:
        first, sep, _rest = path.partition("/")
        if first in ("", "..", "__pycache__") or first.endswith(
            (".dist-info", ".egg-info", ".data")
        ):
            continue
        if not sep:  # a top-level file
            if first.endswith((".py", ".so", ".pyd")):
                mod = first.split(".", 1)[0]
            else:
                continue
        else:
            mod = first
        if mod.isidentifier():
            names.add(mod)
    return tuple(sorted(names))


def _name_version_from_filename(stem: str) -> tuple[str, str]:
    # "numpy-1.21.6" / "protobuf-3.20.1-py3.10" / "Django-2.1-py3.7"
    parts = stem.split("-")
    if len(parts) >= 2:
        return parts[0], parts[1]
    return stem, ""


def read_distribution(
    site_packages: Path, entry: str, rel_site: str, where_root: str = ""
) -> PythonDistribution | None:
    """Read ``entry`` (a name inside ``site_packages``) if it is distribution metadata."""
    path = site_packages / entry
    rel = f"{rel_site}/{entry}" if rel_site else entry
    where = f"{where_root}{rel}" if where_root else rel  # one string, not two equal ones
    if entry.endswith(".dist-info") and path.is_dir():
        kind: DistKind = "dist-info"
        meta_text = _read_text(path / "METADATA", where)
        record = _read_text(path / "RECORD", where)
        files = _record_paths(record) if record is not None else ()
        top = _read_text(path / "top_level.txt", where)
    elif entry.endswith(".egg-info") and path.is_dir():
        kind = "egg-info"
        meta_text = _read_text(path / "PKG-INFO", where)
        record = _read_text(path / "installed-files.txt", where)
        # installed-files.txt paths are relative to the egg-info dir
        files = tuple(
            _normalise(str(Path(entry) / line.strip()))
            for line in (record or "").splitlines()
            if line.strip()
        )
        top = _read_text(path / "top_level.txt", where)
    elif entry.endswith(".egg-info") and path.is_file():
        kind = "egg-info-file"
        meta_text, record, files, top = _read_text(path, where), None, (), None
    elif entry.endswith(".egg"):
        kind = "egg"
        record, files = None, ()
        if path.is_dir():
            meta_text = _read_text(path / "EGG-INFO" / "PKG-INFO", where)
            top = _read_text(path / "EGG-INFO" / "top_level.txt", where)
        elif path.is_file():
            meta_text, top = _read_zip_egg(path, where)
        else:
            return None
    else:
        return None

    metadata = _parse_metadata(meta_text) if meta_text is not None else None
    stem = entry.rsplit(".", 1)[0]
    fallback_name, fallback_version = _name_version_from_filename(stem)
    display = (metadata or {}).get("name") or fallback_name
    version = (metadata or {}).get("version") or fallback_version
    installer = _read_text(path / "INSTALLER", where) if kind == "dist-info" else None
    direct_url: Mapping[str, Any] | None = None
    if kind == "dist-info":
        du = _read_text(path / "direct_url.json", where)
        if du:
            try:
                loaded = json.loads(du)
            except (ValueError, RecursionError):
                loaded = None
            # pip reads it as a mapping; anything else is no direct URL
            direct_url = loaded if isinstance(loaded, dict) else None
    if top is not None:
        top_level = tuple(
            sorted(
                {t.strip().replace("/", ".").split(".")[0] for t in top.splitlines() if t.strip()}
            )
        )
    else:
        top_level = top_level_from_paths(files)
    return PythonDistribution(
        name=pypi_name(display),
        version=version,
        kind=kind,
        path=rel,
        display_name=display,
        metadata=metadata,
        installer=sys.intern(installer.strip()) if installer else None,
        has_record=record is not None,
        requested=kind == "dist-info" and (path / "REQUESTED").exists(),
        direct_url=direct_url,
        top_level=top_level,
        files=files,
        where=where,
    )


def distribution_from_texts(
    rel: str,
    kind: Literal["dist-info", "egg-info", "egg-info-file"],
    texts: Mapping[str, str],
    *,
    has_record: bool,
    installer: str | None,
    where: str,
) -> PythonDistribution:
    """A distribution from its metadata files' texts (read from a conda package, not a prefix):
    ``texts`` maps member names (``METADATA``, ``RECORD``, ``top_level.txt``; ``""`` for an
    ``.egg-info`` file) to their content; ``rel`` is its prefix-relative path."""
    entry = rel.rsplit("/", 1)[-1]
    meta_text = next((texts[n] for n in ("METADATA", "PKG-INFO", "") if n in texts), None)
    if kind == "dist-info":
        record = texts.get("RECORD")
        files = _record_paths(record) if record is not None else ()
    elif kind == "egg-info":
        record = texts.get("installed-files.txt")
        files = tuple(
            _normalise(f"{entry}/{line.strip()}")
            for line in (record or "").splitlines()
            if line.strip()
        )
    else:
        files = ()
    metadata = _parse_metadata(meta_text) if meta_text is not None else None
    fallback_name, fallback_version = _name_version_from_filename(entry.rsplit(".", 1)[0])
    display = (metadata or {}).get("name") or fallback_name
    top = texts.get("top_level.txt")
    top_level = (
        tuple(sorted({t.strip().split(".")[0] for t in top.splitlines() if t.strip()}))
        if top is not None
        else top_level_from_paths(files)
    )
    return PythonDistribution(
        name=pypi_name(display),
        version=(metadata or {}).get("version") or fallback_version,
        kind=kind,
        path=rel,
        display_name=display,
        metadata=metadata,
        installer=installer,
        has_record=has_record,
        top_level=top_level,
        files=files,
        where=where,
    )


def _normalise(path: str) -> str:
    parts: list[str] = []
    for part in path.replace("\\", "/").split("/"):
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            else:
                parts.append(part)
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def _read_zip_egg(path: Path, where: str) -> tuple[str | None, str | None]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            meta = (
                zf.read("EGG-INFO/PKG-INFO").decode("utf-8", "replace")
                if "EGG-INFO/PKG-INFO" in names
                else None
            )
            top = (
                zf.read("EGG-INFO/top_level.txt").decode("utf-8", "replace")
                if "EGG-INFO/top_level.txt" in names
                else None
            )
            return meta, top
    except (OSError, zipfile.BadZipFile) as exc:
        raise EnvironmentReadError(str(path), f"unreadable egg: {exc}", where) from None


def is_distribution_entry(name: str) -> bool:
    return name.endswith(_SUFFIXES)
