"""Core metadata of a distribution file, most specific source first, never guessed.

1. PEP 658/714 ``<file>.metadata``, its hash verified;
2. a wheel's ``*.dist-info/METADATA`` read through HTTP Range requests from the zip central
   directory (every read bounded); if the server ignores Range, a capped full download;
3. an sdist's ``PKG-INFO``, only when Metadata-Version >= 2.2 and ``Requires-Dist`` is not
   Dynamic; otherwise the file "needs a build to know";
4. local wheels and sdists (paths or ``file://``).

Anything else is a :class:`Unknown` with a reason: a failed fetch is never an empty
dependency list.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .._core_metadata import parse_metadata
from .._paths import local_path
from ..names import PypiName
from ._zip import MISSING, read_member
from .links import DistributionFile
from .transport import FetchError, Response, Transport, redact_url

if TYPE_CHECKING:
    from packaging.metadata import RawMetadata

__all__ = [
    "DistMetadata",
    "Limits",
    "MetadataResult",
    "Unknown",
    "UnknownKind",
    "fetch_metadata",
    "fetch_record",
    "metadata_from_text",
    "read_local_metadata",
]

MetadataSource = Literal["pep658", "range", "download", "sdist-pkg-info", "local", "cache"]
UnknownKind = Literal[
    "fetch-failed",
    "needs-build",
    "hash-mismatch",
    "invalid",
    "too-large",
    "offline",
    "index-page",  # a project page that could not be read
    "installed-unknown",  # an installed distribution whose requirements are not known
]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on every read: mixguard never downloads a 500 MB wheel to learn its deps."""

    tail_bytes: int = 64 * 1024  # first suffix read: EOCD and usually the central directory
    max_range_bytes: int = 32 * 1024 * 1024  # all Range reads of one wheel together
    max_metadata_bytes: int = 8 * 1024 * 1024  # uncompressed METADATA / PKG-INFO
    max_download_bytes: int = 64 * 1024 * 1024  # full download when Range is ignored / sdists


@dataclass(frozen=True, slots=True)
class DistMetadata:
    """Parsed core metadata (``packaging.metadata``) with where it came from."""

    name: PypiName
    version: str
    requires_dist: tuple[str, ...]
    requires_python: str | None
    provides_extra: tuple[str, ...]
    source: MetadataSource
    text: str = field(repr=False)
    raw: RawMetadata = field(repr=False, compare=False, hash=False)
    notes: tuple[str, ...] = ()
    #: the wheel's RECORD paths when the bytes read for METADATA (by Range) already held
    #: them: the findings want every planned wheel's RECORD, and reading it would otherwise
    #: ask for the archive's tail a second time
    record: tuple[str, ...] | None = field(default=None, repr=False, compare=False, hash=False)

    @property
    def known(self) -> Literal[True]:
        return True


@dataclass(frozen=True, slots=True)
class Unknown:
    """A fact that could not be determined -- metadata, a page, a build, an installed
    distribution's requirements -- from where it was found to the report: later stages say
    what it leaves unproven, nothing treats it as empty.

    ``project``/``version`` say whose fact it is once the resolver knows (a metadata fetch
    alone knows only its file)."""

    filename: str
    url: str  # redacted
    kind: UnknownKind
    reason: str
    project: str = ""
    version: str = ""

    @property
    def known(self) -> Literal[False]:
        return False

    def __str__(self) -> str:
        return f"{self.filename}: {self.reason}"


MetadataResult = DistMetadata | Unknown


class _Invalid(Exception):
    def __init__(self, kind: UnknownKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def metadata_from_text(
    text: str, source: MetadataSource, notes: tuple[str, ...] = ()
) -> DistMetadata:
    """Parse METADATA/PKG-INFO text; raises ``ValueError`` when name or version is missing."""
    raw = parse_metadata(text)
    name, version = raw.get("name"), raw.get("version")
    if not name or not version:
        raise ValueError("metadata has no Name or Version")
    return DistMetadata(
        name=PypiName(canonicalize_name(name)),
        version=version,
        requires_dist=tuple(raw.get("requires_dist", ())),
        requires_python=raw.get("requires_python"),
        provides_extra=tuple(raw.get("provides_extra", ())),
        source=source,
        text=text,
        raw=raw,
        notes=notes,
    )


def _decode(data: bytes, limits: Limits) -> str:
    if len(data) > limits.max_metadata_bytes:
        raise _Invalid(
            "too-large",
            f"metadata is {len(data)} bytes, over the {limits.max_metadata_bytes}-byte bound",
        )
    return data.decode("utf-8", "replace")


def _check(meta: DistMetadata, file: DistributionFile) -> DistMetadata:
    # metadata that names another project or version is inconsistent (pip refuses it too)
    if meta.name != file.name:
        raise _Invalid("invalid", f"metadata names {meta.name!r}, the file name says {file.name!r}")
    if file.version is not None:
        try:
            same = Version(meta.version) == file.version
        except InvalidVersion:
            same = False
        if not same:
            raise _Invalid(
                "invalid",
                f"metadata says version {meta.version}, the file name says {file.version}",
            )
    return meta


# --- wheels -------------------------------------------------------------------------------


def _metadata_member(zf: zipfile.ZipFile) -> zipfile.ZipInfo:
    candidates = [
        i
        for i in zf.infolist()
        if i.filename.count("/") == 1 and i.filename.endswith(".dist-info/METADATA")
    ]
    if not candidates:
        raise _Invalid("invalid", "the wheel has no .dist-info/METADATA")
    return candidates[0]


def _wheel_member(fh: io.RawIOBase | BinaryIO, size: int, suffix: str, bound: int) -> bytes | None:
    """The member by :mod:`._zip` (one header checked, not every entry parsed); None where it
    cannot be read that way with certainty: zipfile then reads the archive, as before."""
    got = read_member(fh, size, suffix, bound)
    if got == MISSING:
        raise _Invalid("invalid", f"the wheel has no .dist-info/{suffix.rpartition('/')[2]}")
    return got if isinstance(got, bytes) else None


def _metadata_of(fh: io.RawIOBase | BinaryIO, size: int, limits: Limits) -> str:
    """A wheel's METADATA text (``fh``: the archive, seekable)."""
    fast = _wheel_member(fh, size, ".dist-info/METADATA", limits.max_metadata_bytes)
    if fast is not None:
        return _decode(fast, limits)
    with zipfile.ZipFile(fh) as zf:
        return _from_zip(zf, limits)


def _from_zip(zf: zipfile.ZipFile, limits: Limits) -> str:
    info = _metadata_member(zf)
    if info.file_size > limits.max_metadata_bytes:
        raise _Invalid(
            "too-large",
            f"METADATA is {info.file_size} bytes, over the {limits.max_metadata_bytes}-byte bound",
        )
    with zf.open(info) as fh:
        return _decode(fh.read(limits.max_metadata_bytes + 1), limits)


class _NotFetched(Exception):
    """A read past the bytes at hand, on a :class:`_RangeFile` that may not fetch more."""


class _RangeFile(io.RawIOBase):
    """A read-only, seekable view of a remote file; reads become bounded Range requests
    (none once :attr:`fetching` is False: such a read raises :class:`_NotFetched`)."""

    def __init__(
        self, transport: Transport, url: str, size: int, tail: bytes, limits: Limits
    ) -> None:
        self._t, self._url, self._size, self._limits = transport, url, size, limits
        self._pos = 0
        self._have: list[tuple[int, bytes]] = [(size - len(tail), tail)]
        self.fetched = len(tail)
        self.fetching = True

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self._pos = {0: offset, 1: self._pos + offset, 2: self._size + offset}[whence]
        return self._pos

    def read(self, n: int | None = -1) -> bytes:
        end = self._size if n is None or n < 0 else min(self._size, self._pos + n)
        if end <= self._pos:
            return b""
        for start, data in self._have:
            if start <= self._pos and end <= start + len(data):
                out = data[self._pos - start : end - start]
                self._pos = end
                return out
        if not self.fetching:
            raise _NotFetched
        # read ahead a little: zipfile reads a local header, then the member right after it
        want_end = min(self._size, max(end, self._pos + 16 * 1024))
        if self.fetched + (want_end - self._pos) > self._limits.max_range_bytes:
            raise _Invalid(
                "too-large",
                f"reading the metadata needs over {self._limits.max_range_bytes} bytes of ranges",
            )
        resp = self._t.get(
            self._url,
            headers={"Range": f"bytes={self._pos}-{want_end - 1}", "Accept-Encoding": "identity"},
            max_bytes=want_end - self._pos + 1024,
        )
        if resp.status != 206:
            raise _Invalid("fetch-failed", f"range request answered HTTP {resp.status}")
        self.fetched += len(resp.content)
        self._have.append((self._pos, resp.content))
        out = resp.content[: end - self._pos]
        self._pos += len(out)
        return out


def _size_from(resp: Response) -> int | None:
    cr = resp.header("content-range")  # "bytes 100-199/12345"
    if cr and "/" in cr:
        total = cr.rsplit("/", 1)[1]
        if total.isdigit():
            return int(total)
    return None


def _wheel_by_range(transport: Transport, file: DistributionFile, limits: Limits) -> DistMetadata:
    resp = transport.get(
        file.url,
        headers={"Range": f"bytes=-{limits.tail_bytes}", "Accept-Encoding": "identity"},
        max_bytes=max(limits.tail_bytes, limits.max_download_bytes),
    )
    if resp.status == 200:
        # the server ignored Range and sent the whole file (within the download bound)
        return metadata_from_text(
            _metadata_of(io.BytesIO(resp.content), len(resp.content), limits),
            "download",
            ("server ignored Range: read from a full download",),
        )
    if resp.status != 206:
        raise _Invalid("fetch-failed", f"HTTP {resp.status}")
    size = _size_from(resp)
    if size is None:
        raise _Invalid("fetch-failed", "range response without a total size")
    rf = _RangeFile(transport, file.url, size, resp.content, limits)
    meta = metadata_from_text(_metadata_of(rf, size, limits), "range")
    rf.fetching = False
    try:
        # RECORD is the archive's last member but one, next to METADATA: usually at hand
        record = read_member(rf, size, ".dist-info/RECORD", limits.max_range_bytes)
    except _NotFetched:
        return meta
    return replace(meta, record=_record_paths(record)) if isinstance(record, bytes) else meta


def _record_of(fh: io.RawIOBase | BinaryIO, size: int, limits: Limits) -> tuple[str, ...]:
    """A wheel's RECORD paths (``fh``: the archive, seekable)."""
    fast = _wheel_member(fh, size, ".dist-info/RECORD", limits.max_range_bytes)
    if fast is not None:
        return _record_paths(fast)
    with zipfile.ZipFile(fh) as zf:
        return _record_member(zf, limits)


def _record_paths(data: bytes) -> tuple[str, ...]:
    text = data.decode("utf-8", "replace")
    return tuple(line.split(",", 1)[0] for line in text.splitlines() if line.strip())


def _record_member(zf: zipfile.ZipFile, limits: Limits) -> tuple[str, ...]:
    names = [
        i
        for i in zf.infolist()
        if i.filename.count("/") == 1 and i.filename.endswith(".dist-info/RECORD")
    ]
    if not names:
        raise _Invalid("invalid", "the wheel has no .dist-info/RECORD")
    if names[0].file_size > limits.max_range_bytes:
        raise _Invalid("too-large", "RECORD over the read bound")
    with zf.open(names[0]) as fh:
        return _record_paths(fh.read())


def fetch_record(
    transport: Transport, file: DistributionFile, limits: Limits | None = None
) -> tuple[str, ...] | None:
    """The paths a wheel installs (its RECORD, site-packages relative), read like METADATA:
    Range requests on the zip, bounded. None when it cannot be read (never guessed)."""
    lim = limits or Limits()
    if file.kind != "wheel":
        return None
    try:
        local = local_path(file.url) if file.url.startswith("file:") else None
        if local is not None:
            with local.open("rb") as fh:
                return _record_of(fh, local.stat().st_size, lim)
        resp = transport.get(
            file.url,
            headers={"Range": f"bytes=-{lim.tail_bytes}", "Accept-Encoding": "identity"},
            max_bytes=max(lim.tail_bytes, lim.max_download_bytes),
        )
        if resp.status == 200:
            return _record_of(io.BytesIO(resp.content), len(resp.content), lim)
        size = _size_from(resp) if resp.status == 206 else None
        if size is None:
            return None
        return _record_of(_RangeFile(transport, file.url, size, resp.content, lim), size, lim)
    except (_Invalid, FetchError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None


# --- sdists -------------------------------------------------------------------------------


def _sdist_pkg_info(data: bytes, filename: str, limits: Limits) -> DistMetadata:
    text = None
    if filename.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = [n for n in zf.namelist() if n.count("/") == 1 and n.endswith("/PKG-INFO")]
            if names:
                text = _decode(zf.read(names[0]), limits)
    else:
        with tarfile.open(fileobj=io.BytesIO(data)) as tf:
            for member in tf:
                if (
                    member.name.count("/") == 1
                    and member.name.endswith("/PKG-INFO")
                    and member.isfile()
                ):
                    fh = tf.extractfile(member)
                    if fh is not None:
                        text = _decode(fh.read(limits.max_metadata_bytes + 1), limits)
                    break
    if text is None:
        raise _Invalid(
            "needs-build", "the sdist has no PKG-INFO: only a build can tell its dependencies"
        )
    meta = metadata_from_text(text, "sdist-pkg-info")
    mv = meta.raw.get("metadata_version", "1.0")
    try:
        reliable = Version(mv) >= Version("2.2")
    except InvalidVersion:
        reliable = False
    if not reliable:
        raise _Invalid(
            "needs-build",
            f"PKG-INFO is Metadata-Version {mv} (< 2.2): its dependencies are not binding",
        )
    dynamic = {d.lower() for d in meta.raw.get("dynamic", [])}
    if "requires-dist" in dynamic:
        raise _Invalid(
            "needs-build", "PKG-INFO marks Requires-Dist as Dynamic: only a build can tell"
        )
    return meta


# --- entry points -------------------------------------------------------------------------

#: what reading an archive of any shape can raise (one list for the remote and local readers)
_UNREADABLE = (
    zipfile.BadZipFile,
    tarfile.TarError,
    EOFError,
    OSError,
    NotImplementedError,  # a compression method zipfile does not read
    RuntimeError,  # an encrypted member
    zlib.error,  # corrupt deflate data
    TypeError,
    RecursionError,
)


def _verify(data: bytes, hashes: tuple[tuple[str, str], ...], *, full: bool = False) -> str | None:
    for algo, expected in hashes:
        try:
            actual = hashlib.new(algo, data).hexdigest()
        except ValueError:
            continue
        if actual != expected.lower():
            if full:
                return f"{algo} mismatch: expected {expected.lower()}, got {actual}"
            return f"{algo} mismatch (expected {expected[:16]}..., got {actual[:16]}...)"
    return None


def fetch_metadata(
    transport: Transport, file: DistributionFile, limits: Limits | None = None
) -> MetadataResult:
    """The core metadata of ``file``, from the most specific source that works."""
    lim = limits or Limits()
    notes: list[str] = []
    try:
        if file.metadata_hashes is not None:
            try:
                resp = transport.get(file.url + ".metadata", max_bytes=lim.max_metadata_bytes)
                if resp.status == 200:
                    bad = _verify(resp.content, file.metadata_hashes, full=True)
                    if bad is None:
                        return _check(
                            metadata_from_text(_decode(resp.content, lim), "pep658"), file
                        )
                    # pip 25.3 (prepare.py, get_http_url(..., hashes=...)) stops with a
                    # HashMismatch here; reading the wheel instead would hide tampering
                    return Unknown(
                        file.filename,
                        redact_url(file.url),
                        "hash-mismatch",
                        f"{file.filename}.metadata: {bad}",
                    )
                else:
                    notes.append(f"PEP 658 metadata: HTTP {resp.status}")
            except FetchError as exc:
                notes.append(f"PEP 658 metadata: {exc.reason}")
        local = local_path(file.url) if file.url.startswith("file:") else None
        if local is not None:
            return read_local_metadata(local, lim, file)
        if file.kind == "wheel":
            meta = _wheel_by_range(transport, file, lim)
        elif file.kind == "sdist":
            resp = transport.get(file.url, max_bytes=lim.max_download_bytes)
            if resp.status != 200:
                raise _Invalid("fetch-failed", f"HTTP {resp.status}")
            meta = _sdist_pkg_info(resp.content, file.filename, lim)
        else:
            raise _Invalid("invalid", "neither a wheel nor an sdist")
        meta = _check(meta, file)
        if notes:
            meta = replace(meta, notes=(*meta.notes, *notes))
        return meta
    except _Invalid as exc:
        reason = "; ".join([*notes, exc.reason])
        kind: UnknownKind = (
            "hash-mismatch"
            if any("rejected" in n for n in notes) and exc.kind == "fetch-failed"
            else exc.kind
        )
        return Unknown(file.filename, redact_url(file.url), kind, reason)
    except FetchError as exc:
        kind = "too-large" if type(exc).__name__ == "TooLarge" else "fetch-failed"
        return Unknown(file.filename, redact_url(file.url), kind, "; ".join([*notes, exc.reason]))
    except _UNREADABLE as exc:
        return Unknown(
            file.filename,
            redact_url(file.url),
            "invalid",
            "; ".join([*notes, f"not a readable archive: {exc}"]),
        )
    except ValueError as exc:
        return Unknown(
            file.filename, redact_url(file.url), "invalid", "; ".join([*notes, str(exc)])
        )


def read_local_metadata(
    path: Path, limits: Limits | None = None, file: DistributionFile | None = None
) -> MetadataResult:
    """Metadata of a local wheel or sdist."""
    lim = limits or Limits()
    name = path.name
    try:
        if name.endswith(".whl"):
            with path.open("rb") as fh:
                meta = metadata_from_text(_metadata_of(fh, path.stat().st_size, lim), "local")
        else:
            if path.stat().st_size > lim.max_download_bytes:
                raise _Invalid("too-large", "sdist larger than the download bound")
            meta = _sdist_pkg_info(path.read_bytes(), name, lim)
            meta = DistMetadata(
                meta.name,
                meta.version,
                meta.requires_dist,
                meta.requires_python,
                meta.provides_extra,
                "local",
                meta.text,
                meta.raw,
            )
        return _check(meta, file) if file is not None else meta
    except _Invalid as exc:
        return Unknown(name, path.as_uri(), exc.kind, exc.reason)
    except FileNotFoundError:
        return Unknown(name, path.as_uri(), "fetch-failed", "no such file")
    except _UNREADABLE as exc:
        return Unknown(name, path.as_uri(), "invalid", f"not a readable archive: {exc}")
    except ValueError as exc:
        return Unknown(name, path.as_uri(), "invalid", str(exc))
