"""The Python distributions an environment described by a file holds, as pip would see them.

A prefix has its ``.dist-info`` directories on disk. An ``@EXPLICIT`` file, a lock file, an
``environment.yml`` or a saved ``conda list`` only names conda packages, so for each conda
record, the best source reachable, in order:

a. **the conda package itself**, read from its channel (:mod:`.conda_package`): which
   distributions it installs, their names, versions, kinds, RECORD and Requires-Dist exactly as
   a prefix would have them (``conda package``). Its ``info/index.json`` also gives the record's
   ``depends``/``constrains`` where the source had none (``@EXPLICIT``), and its file list
   becomes the record's linked files;
b. **the PyPI release of the same version** (the PyPI name through the conda <-> PyPI map, the
   conda version read as PEP 440): ``assumed from PyPI``, because conda-forge patches
   requirements; the report says which packages rest on it;
c. **unknown**: the map says the package is a Python distribution, its requirements are not
   known; a plan that reaches them is unproven.

Distributions pip installed that a file lists without metadata (``pip:`` pins, ``conda list``
``pypi`` rows) get their release's metadata from the index (``PyPI``), else ``unknown``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Protocol

from packaging.version import InvalidVersion, Version

from ..conda.channel import channel_base_urls
from ..conda.records import PackageRecord, PrefixRecord, normalise_path
from ..environment.distribution import PythonDistribution, distribution_from_texts
from ..environment.model import Environment
from ..errors import MixguardError
from ..names import PypiName, pypi_name
from .conda_package import PackageContents, PackageUnread
from .metadata import DistMetadata
from .source import PackageIndex

__all__ = ["CondaPackages", "complete_distributions", "pep440_version"]


class CondaPackages(Protocol):
    """Reads a conda package's Python contents (:class:`.conda_package.CondaPackageReader`)."""

    def read(self, url: str, sha256: str | None = None) -> PackageContents | PackageUnread: ...


def pep440_version(conda_version: str) -> str | None:
    """A conda version as pip reads the same release, or None when it is not PEP 440.

    Mostly the same text. Where they differ: conda's ``_`` separates like ``.`` (``1.0_1``,
    not PEP 440: None); conda's ``2023c`` (tzdata) and ``1.0.0.post1`` forms parse only when
    PEP 440 has them; a conda epoch ``1!2.0`` is PEP 440's epoch. The dist-info a conda package
    carries is the truth (``tensorflow-estimator 2.9.1`` installs ``2.9.0``): this is only used
    when the package could not be read.

    >>> pep440_version("2.9.1"), pep440_version("1.0_1"), pep440_version("1.0rc1")
    ('2.9.1', None, '1.0rc1')
    """
    try:
        return str(Version(conda_version))
    except InvalidVersion:
        return None


def _site_packages(env: Environment) -> str | None:
    t = env.target
    if t.subdir is not None and t.subdir.startswith("win-"):
        return "Lib/site-packages"
    if t.python_short is None:
        return None
    suffix = "t" if t.free_threaded else ""
    return f"lib/python{t.python_short}{suffix}/site-packages"


def _relocate(path: str, record: PackageRecord, site: str | None) -> str:
    """A package path as linked into a prefix (noarch: python packages are relocated)."""
    path = normalise_path(path)
    if record.noarch == "python":
        if path.startswith("site-packages/") and site is not None:
            return f"{site}/{path[len('site-packages/') :]}"
        if path.startswith("python-scripts/"):
            return f"bin/{path[len('python-scripts/') :]}"
    return path


def _candidate_urls(record: PackageRecord, channels: Sequence[str]) -> list[str]:
    if record.url:
        return [record.url]
    subdirs = [s for s in dict.fromkeys((record.subdir, "noarch")) if s and s != "unknown"]
    exts = [record.fn[len(record.dist_name) :]] if record.fn else [".conda", ".tar.bz2"]
    chans = [record.channel] if record.channel else list(channels)
    return [
        f"{base}/{sub}/{record.dist_name}{ext}"
        for ch in chans
        for base in channel_base_urls(ch)
        for sub in subdirs
        for ext in exts
    ]


@dataclass(frozen=True, slots=True)
class _Outcome:
    record: PackageRecord
    prefix_record: PrefixRecord | None
    dists: tuple[PythonDistribution, ...]


def _pypi_meta(
    index: PackageIndex, name: str, version: str, tags: Iterable[str]
) -> tuple[DistMetadata | None, str]:
    """The release's metadata: a wheel for the target first, then any wheel, then an sdist."""
    try:
        files = index.project_files(name).of_version(Version(version))
    except (MixguardError, InvalidVersion) as exc:
        return None, f"{name} {version}: {exc}"
    if not files:
        return None, f"{name} {version} is not on the index"
    order = {t: i for i, t in enumerate(tags)}
    ranked = sorted(
        files,
        key=lambda f: (
            f.kind != "wheel",
            min((order.get(t, len(order)) for t in f.tags), default=len(order)),
        ),
    )
    reasons = []
    for f in ranked[:3]:
        meta = index.metadata(f)
        if isinstance(meta, DistMetadata):
            return meta, f.filename
        reasons.append(str(meta))
    return None, "; ".join(reasons)


def _from_package(
    record: PackageRecord, contents: PackageContents, url: str, site: str | None
) -> _Outcome:
    where = f"{url.rsplit('/', 1)[-1]}"
    rec = record
    index = contents.index
    if not record.depends and index.get("depends"):
        # an @EXPLICIT line names the build only: its index.json has the dependencies
        raw = {
            "name": record.name,
            "version": record.version,
            "build": record.build,
            "build_number": index.get("build_number", record.build_number),
            "subdir": index.get("subdir", record.subdir),
            "depends": index.get("depends") or [],
            "constrains": index.get("constrains") or [],
            "track_features": index.get("track_features") or "",
            "noarch": index.get("noarch"),
            "timestamp": index.get("timestamp"),
            "license": index.get("license"),
            "md5": record.md5,
            "sha256": record.sha256,
            "fn": record.fn,
            "url": record.url,
            "channel": record.channel,
        }
        rec = PackageRecord.from_dict(
            {k: v for k, v in raw.items() if v is not None}, f"{where}: info/index.json"
        )
        rec = replace(rec, where=record.where)
    files = tuple(_relocate(p, rec, site) for p in contents.files)
    dists = []
    for d in contents.dists:
        rel = _relocate(d.path, rec, site)
        dist = distribution_from_texts(
            rel, d.kind, d.texts, has_record=d.has_record, installer="conda", where=where
        )
        dists.append(
            replace(
                dist,
                owner=rec.name,
                metadata_origin="conda package" if dist.metadata is not None else "unknown",
                origin_note=d.note or contents.read,
            )
        )
    return _Outcome(rec, PrefixRecord(record=rec, files=files, where=record.where), tuple(dists))


def _python_package(record: PackageRecord) -> bool:
    return record.noarch == "python" or any(
        d.split()[0] in ("python", "python_abi") for d in record.depends if d.strip()
    )


def _from_map(
    record: PackageRecord,
    index: PackageIndex | None,
    tags: Sequence[str],
    unread: str,
    claimed: set[PypiName],
) -> _Outcome:
    from ..mapping import name_map

    names = name_map().pypi_names(record.name)
    if names is None:
        names = (pypi_name(record.name),) if _python_package(record) else ()
    elif len(names) > 1:
        # the map lists what a package vendors too (debugpy -> bytecode, debugpy): the
        # distribution named like the package is the one pip sees in site-packages
        base = pypi_name(record.name.removeprefix("python-").removeprefix("py-"))
        names = tuple(n for n in names if n in (base, pypi_name(record.name))) or names
    version = pep440_version(record.version)
    dists = []
    for name in names:
        if name in claimed:
            continue  # another record ships it (tensorflow-base, not the tensorflow metapackage)
        meta: DistMetadata | None = None
        why = unread
        if version is None:
            why = f"{unread}; conda version {record.version!r} is not a PEP 440 version"
        elif index is not None:
            meta, got = _pypi_meta(index, name, version, tags)
            why = f"{unread}; requirements from PyPI's {got}" if meta else f"{unread}; {got}"
        dists.append(
            PythonDistribution(
                name=name,
                version=meta.version if meta is not None else (version or record.version),
                kind="listed",
                display_name=str(name),
                metadata=meta.raw if meta is not None else None,
                installer="conda",
                has_record=True,  # conda packages of Python projects carry RECORD: unknown here
                owner=record.name,
                where=record.where,
                metadata_origin="assumed from PyPI" if meta is not None else "unknown",
                origin_note=why,
            )
        )
    return _Outcome(record, None, tuple(dists))


def _claim_order(records: Sequence[PackageRecord]) -> list[PackageRecord]:
    """Records other records depend on first: of ``tensorflow`` (a metapackage depending on
    ``tensorflow-base``) and ``tensorflow-base``, the files are in the latter."""
    names = {r.name for r in records}
    depended = {
        d.split()[0] for r in records for d in r.depends if d.strip() and d.split()[0] in names
    }
    return sorted(records, key=lambda r: r.name not in depended)


def complete_distributions(
    env: Environment,
    packages: CondaPackages | None,
    index: PackageIndex | None,
    *,
    workers: int = 8,
) -> Environment:
    """``env`` with the Python distributions its conda records and pip listings provide.

    A prefix is returned unchanged (its distributions were read from disk). ``packages`` reads
    conda packages from their channels (None: skip step a); ``index`` is the pip index for
    steps b and the pip-installed listings (None: those stay unknown).
    """
    if env.kind == "prefix":
        return env
    site = _site_packages(env)
    tags = [str(t) for t in env.target.wheel_tags()] if env.target.python_version else []
    records = [r for r in env.records if not r.name.startswith("__")]

    def read(record: PackageRecord) -> tuple[PackageRecord, PackageContents | str]:
        if packages is None:
            return record, "conda packages not read"
        reasons = []
        for url in _candidate_urls(record, env.channels):
            got = packages.read(url, record.sha256)
            if isinstance(got, PackageContents):
                return record, got
            reasons.append(got.reason)
            # a guessed URL that is not there, or a .tar.bz2 not downloaded: try the next
            # (noarch/, .conda); anything else (offline, unreachable) ends the search
            if not any(k in got.reason for k in ("no such file", "HTTP 404", ".tar.bz2")):
                break
        if not reasons:
            return record, "the source gives no URL or channel for the package"
        found = [r for r in reasons if "no such file" not in r and "HTTP 404" not in r]
        return record, f"conda package not read: {(found or reasons)[-1]}"

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        read_results = list(pool.map(read, records))
    outcomes: dict[str, _Outcome] = {}
    claimed: set[PypiName] = set()
    for record, got in read_results:
        if isinstance(got, PackageContents):
            out = _from_package(record, got, got.url, site)
            outcomes[record.name] = out
            claimed.update(d.name for d in out.dists)
    # pip-installed distributions the file lists shadow conda's (pip replaced them)
    listed = {d.name for d in env.distributions}
    unread = {r.name: got for r, got in read_results if isinstance(got, str)}
    by_name = {r.name: r for r in records}
    for record in _claim_order([by_name[n] for n in unread]):
        out = _from_map(record, index, tags, unread[record.name], claimed | listed)
        outcomes[record.name] = out
        claimed.update(d.name for d in out.dists)
    new_records = tuple(outcomes[r.name].record if r.name in outcomes else r for r in env.records)
    conda_dists = [d for r in records for d in outcomes[r.name].dists if d.name not in listed]
    pip_dists = [_pip_listed(d, index, tags) for d in env.distributions]
    prefix_records = tuple(
        o.prefix_record for r in records if (o := outcomes[r.name]).prefix_record is not None
    )
    return replace(
        env,
        records=new_records,
        prefix_records=prefix_records or env.prefix_records,
        distributions=(*pip_dists, *conda_dists),
    )


def _pip_listed(
    dist: PythonDistribution, index: PackageIndex | None, tags: Sequence[str]
) -> PythonDistribution:
    if dist.metadata is not None or dist.metadata_origin != "unknown":
        return dist
    if index is None:
        return replace(dist, origin_note="the index was not read")
    version = pep440_version(dist.version)
    if version is None:
        return replace(dist, origin_note=f"version {dist.version!r} is not PEP 440")
    meta, got = _pypi_meta(index, dist.name, version, tags)
    if meta is None:
        return replace(dist, origin_note=got)
    return replace(dist, metadata=meta.raw, metadata_origin="PyPI", origin_note=got)
