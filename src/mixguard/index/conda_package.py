"""What a conda package installs for pip to see, read from the channel without installing it.

A ``.conda`` file is an uncompressed zip of three members: ``metadata.json``,
``info-<stem>.tar.zst`` (small: ``index.json``, ``paths.json``) and ``pkg-<stem>.tar.zst`` (the
files). So, through HTTP Range requests as for a wheel:

1. the zip's central directory (one suffix read);
2. the whole ``info`` member (kilobytes): ``paths.json`` names the ``.dist-info``/``.egg-info``
   the package installs (so its PyPI name, version, kind and whether a RECORD is there) and
   ``index.json`` gives the record's ``depends``/``constrains`` (an ``@EXPLICIT`` file has none);
3. the ``pkg`` member, a zstd-compressed tar, which can only be read from its start: it is
   streamed through Range reads and the stream stops at the distribution's ``METADATA``
   (``PKG-INFO``). Cost: the compressed bytes before that member, bounded by
   ``Limits.max_range_bytes``; past the bound the requirements come from elsewhere (PyPI,
   marked as assumed) and the reason says so.

A ``.tar.bz2`` is one bzip2 stream with ``info/`` anywhere in it: reading its dist-info means
reading the whole package. It is read only when it is a local file (a ``file://`` channel);
from a remote channel it is not downloaded (the reason says what it would cost).

Results are cached by the package's sha256 (content-addressed), else by URL.
"""

from __future__ import annotations

import json
import re
import tarfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .._paths import is_local, local_path
from .cache import Cache
from .metadata import Limits, _Invalid, _RangeFile, _size_from
from .transport import FetchError, HttpTransport, Transport, redact_url

__all__ = ["CondaPackageReader", "PackageContents", "PackageDist", "PackageUnread"]

# the metadata directory or file of a distribution, first component under site-packages
_DIST_DIR = re.compile(r"^(?P<dir>[^/]+\.(?:dist-info|egg-info))(?:/(?P<member>.+))?$")
_SITE = re.compile(r"^(?:site-packages/|(?:lib/python[0-9.]+t?|Lib)/site-packages/)")
_CACHE_FORMAT = 1


@dataclass(frozen=True, slots=True)
class PackageDist:
    """One Python distribution inside a conda package."""

    path: str  # the metadata dir/file as the package lists it (``site-packages/x.dist-info``)
    kind: Literal["dist-info", "egg-info", "egg-info-file"]
    has_record: bool
    #: texts of the members read (``METADATA``, ``RECORD``, ``top_level.txt``...; ``""`` for an
    #: ``.egg-info`` file); empty when the metadata was not reached (``note`` says why)
    texts: Mapping[str, str] = field(default_factory=dict, compare=False)
    note: str = ""

    @property
    def metadata(self) -> str | None:
        for name in ("METADATA", "PKG-INFO", ""):
            if name in self.texts:
                return self.texts[name]
        return None


@dataclass(frozen=True, slots=True)
class PackageContents:
    """What a conda package installs, as far as pip is concerned."""

    url: str  # redacted
    dists: tuple[PackageDist, ...]
    index: Mapping[str, Any] = field(default_factory=dict, compare=False)
    files: tuple[str, ...] = field(default=(), compare=False, repr=False)
    read: str = ""  # how it was read ("info member by Range (12 KB)", "cache", ...)


@dataclass(frozen=True, slots=True)
class PackageUnread:
    """The package could not be read; ``reason`` says why (and what reading it would cost)."""

    url: str
    reason: str


def _site_relative(path: str) -> str | None:
    m = _SITE.match(path)
    return path[m.end() :] if m else None


def _dists_from_paths(paths: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Metadata dirs/files under site-packages, keyed by their path in the package."""
    found: dict[str, dict[str, Any]] = {}
    for p in paths:
        rel = _site_relative(p)
        if rel is None:
            continue
        m = _DIST_DIR.match(rel)
        if not m:
            continue
        base = p[: len(p) - len(rel)] + m.group("dir")
        member = m.group("member")
        entry = found.setdefault(base, {"members": set(), "file": member is None})
        if member is not None:
            entry["members"].add(member)
            entry["file"] = False
    return found


_WANTED = ("METADATA", "PKG-INFO", "RECORD", "installed-files.txt", "top_level.txt")


def _wanted_members(base: str, entry: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Archive member -> (dist dir, member name) for the texts a distribution needs."""
    if entry["file"]:
        return {base: (base, "")}  # an .egg-info file is the PKG-INFO itself
    return {f"{base}/{n}": (base, n) for n in _WANTED if n in entry["members"]}


class CondaPackageReader:
    """Reads conda packages' Python metadata from their channel (``file://`` or HTTP)."""

    def __init__(
        self,
        transport: Transport | None = None,
        cache: Cache | None = None,
        limits: Limits | None = None,
        *,
        offline: bool = False,
    ) -> None:
        self.transport: Transport = transport or HttpTransport()
        self.cache = cache
        self.limits = limits or Limits()
        self.offline = offline

    def read(self, url: str, sha256: str | None = None) -> PackageContents | PackageUnread:
        """What the package at ``url`` installs for pip (its dists), or why it is unknown."""
        shown = redact_url(url)
        key = "conda-" + Cache.metadata_key(sha256, url)
        fn = url.rsplit("/", 1)[-1]
        if self.cache is not None:
            stored = self.cache.metadata(key, f"{fn}#conda-contents")
            if stored is not None and stored.get("format") == _CACHE_FORMAT:
                try:
                    return _from_stored(shown, stored)
                except (KeyError, TypeError, ValueError):
                    self.cache.drop_metadata(key)
        local = is_local(url)
        if self.offline and not local:
            return PackageUnread(shown, "offline: the package was never read into the cache")
        try:
            if fn.endswith(".conda"):
                contents = self._read_conda(url, shown)
            elif fn.endswith(".tar.bz2"):
                if not local:
                    return PackageUnread(
                        shown,
                        "a .tar.bz2 is one bzip2 stream: reading its dist-info means "
                        "downloading the whole package, which mixguard does not do",
                    )
                contents = self._read_tar_bz2(url, shown)
            else:
                return PackageUnread(shown, "not a conda package file (.conda or .tar.bz2)")
        except _Invalid as exc:
            return PackageUnread(shown, exc.reason)
        except FetchError as exc:
            return PackageUnread(shown, f"cannot fetch: {exc.reason}")
        except (
            OSError,
            EOFError,
            ValueError,
            KeyError,
            tarfile.TarError,
            zipfile.BadZipFile,
        ) as exc:
            return PackageUnread(shown, f"unreadable package: {exc}")
        if self.cache is not None:
            self.cache.store_metadata(key, _to_stored(contents), f"{fn}#conda-contents")
        return contents

    # --- .conda -------------------------------------------------------------------------

    def _read_conda(self, url: str, shown: str) -> PackageContents:
        limits = self.limits
        resp = self.transport.get(
            url,
            headers={"Range": f"bytes=-{limits.tail_bytes}", "Accept-Encoding": "identity"},
            max_bytes=limits.tail_bytes + 1024,
        )
        if resp.status != 206:
            raise _Invalid(
                "fetch-failed",
                f"the server does not answer Range requests (HTTP {resp.status}): reading the "
                "package would mean downloading it whole",
            )
        size = _size_from(resp)
        if size is None:
            raise _Invalid("fetch-failed", "range response without a total size")
        rf = _RangeFile(self.transport, url, size, resp.content, limits)
        with zipfile.ZipFile(rf) as zf:
            names = zf.namelist()
            info = next(
                (n for n in names if n.startswith("info-") and n.endswith(".tar.zst")), None
            )
            pkg = next((n for n in names if n.startswith("pkg-") and n.endswith(".tar.zst")), None)
            if info is None or pkg is None:
                raise _Invalid("invalid", "not a .conda package: no info-*/pkg-* members")
            index, paths = _info_from_tar(_zstd_tar(zf.open(info)))
            dist_dirs = _dists_from_paths(paths)
            wanted = {k: v for b, e in dist_dirs.items() for k, v in _wanted_members(b, e).items()}
            texts: dict[str, str] = {}
            note = ""
            if wanted:
                try:
                    texts = _members_from_tar(_zstd_tar(zf.open(pkg)), set(wanted), limits)
                except _Invalid as exc:
                    note = exc.reason
        return PackageContents(
            shown,
            _dists(dist_dirs, texts, note),
            index,
            tuple(paths),
            f"{info} and pkg member up to the metadata by Range ({rf.fetched} bytes of {size})",
        )

    # --- .tar.bz2 (local only) ----------------------------------------------------------

    def _read_tar_bz2(self, url: str, shown: str) -> PackageContents:
        path = local_path(url)
        if path is None:
            raise FetchError(url, "not a local file")
        if not path.is_file():
            raise FetchError(url, "no such file", 404)
        with tarfile.open(path, "r:bz2") as tf:
            members = {m.name: m for m in tf.getmembers()}
            index: dict[str, Any] = {}
            paths: list[str] = []
            if "info/index.json" in members:
                index = _json_member(tf, members["info/index.json"])
            if "info/paths.json" in members:
                paths = _paths_json(_json_member(tf, members["info/paths.json"]))
            elif "info/files" in members:
                paths = _files_list(tf, members["info/files"])
            dist_dirs = _dists_from_paths(paths)
            texts: dict[str, str] = {}
            for base, entry in dist_dirs.items():
                for m in _wanted_members(base, entry):
                    if m in members:
                        texts[m] = _text_member(tf, members[m], self.limits)
        return PackageContents(
            shown, _dists(dist_dirs, texts, ""), index, tuple(paths), "local file"
        )


def _zstd_tar(member: Any) -> tarfile.TarFile:
    import zstandard

    stream = zstandard.ZstdDecompressor().stream_reader(member, closefd=True)
    return tarfile.open(fileobj=stream, mode="r|")


def _json_member(tf: tarfile.TarFile, m: tarfile.TarInfo) -> dict[str, Any]:
    fh = tf.extractfile(m)
    if fh is None:
        raise ValueError(f"{m.name} is not a file")
    value = json.loads(fh.read(16 * 1024 * 1024))
    if not isinstance(value, dict):
        raise ValueError(f"{m.name} is not a JSON object")
    return value


def _paths_json(value: Mapping[str, Any]) -> list[str]:
    return [str(p["_path"]) for p in value.get("paths", []) if isinstance(p, Mapping)]


def _files_list(tf: tarfile.TarFile, m: tarfile.TarInfo) -> list[str]:
    fh = tf.extractfile(m)
    return [] if fh is None else fh.read().decode("utf-8", "replace").splitlines()


def _text_member(tf: tarfile.TarFile, m: tarfile.TarInfo, limits: Limits) -> str:
    if m.size > limits.max_metadata_bytes:
        raise _Invalid("too-large", f"{m.name} is {m.size} bytes")
    fh = tf.extractfile(m)
    return "" if fh is None else fh.read().decode("utf-8", "replace")


def _info_from_tar(tf: tarfile.TarFile) -> tuple[dict[str, Any], list[str]]:
    index: dict[str, Any] = {}
    paths: list[str] | None = None
    files: list[str] = []
    with tf:
        for m in tf:  # a stream: members in archive order, each read as it passes
            if m.name == "info/index.json":
                index = _json_member(tf, m)
            elif m.name == "info/paths.json":
                paths = _paths_json(_json_member(tf, m))
            elif m.name == "info/files":
                files = _files_list(tf, m)
    return index, paths if paths is not None else files


def _members_from_tar(tf: tarfile.TarFile, wanted: set[str], limits: Limits) -> dict[str, str]:
    out: dict[str, str] = {}
    with tf:
        for m in tf:
            if m.name in wanted:
                out[m.name] = _text_member(tf, m, limits)
                if len(out) == len(wanted):
                    break  # stop the stream: nothing after the metadata is fetched
    return out


def _dists(
    dist_dirs: Mapping[str, Mapping[str, Any]], texts: Mapping[str, str], note: str
) -> tuple[PackageDist, ...]:
    out = []
    for base, entry in sorted(dist_dirs.items()):
        own = {
            name: texts[m] for m, (_, name) in _wanted_members(base, entry).items() if m in texts
        }
        kind: Literal["dist-info", "egg-info", "egg-info-file"] = (
            "dist-info"
            if base.endswith(".dist-info")
            else ("egg-info-file" if entry["file"] else "egg-info")
        )
        has_record = (
            "RECORD" in entry["members"]
            if kind == "dist-info"
            else "installed-files.txt" in entry["members"]
        )
        d = PackageDist(base, kind, has_record, own)
        if d.metadata is None:
            d = replace(d, note=note or "the package has no METADATA/PKG-INFO for it")
        out.append(d)
    return tuple(out)


def _to_stored(c: PackageContents) -> dict[str, Any]:
    return {
        "format": _CACHE_FORMAT,
        "dists": [
            {
                "path": d.path,
                "kind": d.kind,
                "has_record": d.has_record,
                "texts": dict(d.texts),
                "note": d.note,
            }
            for d in c.dists
        ],
        "index": dict(c.index),
        "files": list(c.files),
        "read": c.read,
    }


def _from_stored(url: str, v: Mapping[str, Any]) -> PackageContents:
    dists = tuple(
        PackageDist(
            str(d["path"]),
            d["kind"],
            bool(d["has_record"]),
            {str(k): str(t) for k, t in d["texts"].items()},
            str(d["note"]),
        )
        for d in v["dists"]
    )
    if any(d.kind not in ("dist-info", "egg-info", "egg-info-file") for d in dists):
        raise ValueError("unknown dist kind")
    return PackageContents(url, dists, dict(v["index"]), tuple(v["files"]), "cache")
