"""Repodata, loaded lazily by package name.

A conda-forge ``repodata.json`` holds hundreds of thousands of records; a check needs a few
dozen names. :class:`RepoData` therefore scans the raw bytes once, with a regex that only
finds each record's byte span and file name, and decodes a record (``json`` + validation)
only when its name is asked for. Files are read (or decompressed, for ``.json.zst`` and
``.json.bz2``) into one ``bytes`` object; the index holds offsets into it.

Formats: ``packages`` and ``packages.conda`` (``.conda`` preferred for the same
name-version-build, as conda does), repodata v2 ``info.base_url``, ``removed``, conda's cache
format (``_url``, ``_etag``, ...), and the bare ``{fn: record}`` form of conda's test indexes.
"""

from __future__ import annotations

import bz2
import contextlib
import hashlib
import json
import marshal
import re
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from .._atomic import atomic_write
from .._paths import local_path
from ..errors import ParseError, RepodataError
from ..names import CondaName, conda_name
from .channel import split_subdir
from .records import PackageRecord

__all__ = ["LocalChannel", "RepoData", "load_repodata"]

# JSON pieces as "unrolled loops": every alternative starts with a different character, so the
# engine never backtracks more than linearly, even on truncated input.
_STRING = rb'"[^"\\]*(?:\\.[^"\\]*)*"'
_OBJ0 = rb"\{[^{}\"]*(?:" + _STRING + rb"[^{}\"]*)*\}"
_OBJ1 = rb"\{[^{}\"]*(?:(?:" + _STRING + rb"|" + _OBJ0 + rb")[^{}\"]*)*\}"
# One "fn": {record} member of a packages object, with the separator after it.
_ENTRY = re.compile(
    rb'[ \t\r\n]*("[^"\\]*(?:\\.[^"\\]*)*")[ \t\r\n]*:[ \t\r\n]*(' + _OBJ1 + rb")[ \t\r\n]*([,}])"
)
_WS = re.compile(rb"[ \t\r\n]*")
_KEY = re.compile(rb'[ \t\r\n]*("[^"\\]*(?:\\.[^"\\]*)*")[ \t\r\n]*:[ \t\r\n]*')
_SCALAR = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|-?[0-9][0-9.eE+-]*|true|false|null')
_TOKEN = re.compile(rb'[\[\]{}"]')
_NAME = re.compile(rb'"name"[ \t\r\n]*:[ \t\r\n]*"([^"\\]*)"')
_SEP = re.compile(rb"[ \t\r\n]*([,}])")
_PACKAGE_SECTIONS = {b"packages": 0, b"packages.conda": 1, b"packages.whl": 2}
_EXTENSIONS = (".tar.bz2", ".conda")


def _stem(fn: str) -> str:
    for ext in _EXTENSIONS:
        if fn.endswith(ext):
            return fn[: -len(ext)]
    return fn


def _position(buf: bytes, offset: int) -> str:
    line = buf[:offset].count(b"\n") + 1
    col = offset - (buf[:offset].rfind(b"\n") + 1) + 1
    return f"line {line} column {col}"


# One record's place in the buffer: (start, end, fn, section); section 0 is "packages"
# (.tar.bz2), 1 is "packages.conda". A plain tuple: there is one per record.
_Span = tuple[int, int, str, int]


class RepoData:
    """One subdir's repodata; records are decoded per name, on demand.

    >>> rd = RepoData.from_bytes(b'{"packages": {"a-1-0.tar.bz2": {"name": "a", '
    ...     b'"version": "1", "build": "0", "build_number": 0, "subdir": "noarch"}}}', "inline")
    >>> [r.dist_name for r in rd.records("a")]
    ['a-1-0']
    """

    def __init__(
        self,
        buf: bytes,
        source: str,
        channel_url: str | None = None,
        subdir: str | None = None,
        *,
        _scanned: _SavedScan | None = None,
    ) -> None:
        self._buf = buf
        self.source = source
        self._index: dict[str, list[_Span] | bytes] = {}
        self._cache: dict[str, tuple[PackageRecord, ...]] = {}
        self._top: dict[str, Any] = {}
        self._count = 0
        self._fn_overrides: dict[int, str] = {}
        self._escaped: dict[int, int] = {}  # record start -> key position, for escaped keys
        if _scanned is not None:
            self._top, self._count, self._index, self._fn_overrides = _scanned
        else:
            self._scan()
        info = self._top.get("info") or {}
        if not isinstance(info, Mapping):
            raise RepodataError(info, "'info' must be an object", f"{source}: info")
        self.info: Mapping[str, Any] = info
        url = self._top.get("_url")
        legacy = self._top.get("metadata")
        if isinstance(legacy, Mapping):
            # conda-subchannel's block: base_url there is the channel URL (records live in
            # <base_url>/<subdir>/), unlike CEP-15's info.base_url which points at the files
            if channel_url is None and isinstance(legacy.get("base_url"), str):
                channel_url = legacy["base_url"]
            subdir = subdir or legacy.get("subdir")
            self._top.setdefault("repodata_version", legacy.get("repodata_version", 1))
        if channel_url is None and isinstance(url, str):
            channel_url, url_subdir = split_subdir(
                url.rsplit("/", 1)[0] if url.endswith(".json") else url
            )
            subdir = subdir or url_subdir
        self.channel_url = channel_url
        self.subdir: str | None = subdir or (
            info.get("subdir") if isinstance(info.get("subdir"), str) else None
        )
        base = info.get("base_url")
        self.base_url: str | None = base if isinstance(base, str) and base else None
        removed = self._top.get("removed") or []
        if not isinstance(removed, list):
            raise RepodataError(removed, "'removed' must be a list", f"{source}: removed")
        self.removed: frozenset[str] = frozenset(str(r) for r in removed)
        version = self._top.get("repodata_version", 1)
        self.repodata_version: int = version if isinstance(version, int) else 1

    # --- construction -------------------------------------------------------------------

    @classmethod
    def from_path(
        cls,
        path: str | Path,
        channel_url: str | None = None,
        *,
        index_dir: str | Path | None = None,
    ) -> RepoData:
        """Load ``repodata.json``, ``.json.zst`` or ``.json.bz2`` (by suffix).

        ``index_dir``: where to keep the scan's result (each name's record offsets) for the
        next load of the same file (same path, size, modification time and first/last bytes):
        the scan is a Python pass over every record (~1.7 s for conda-forge's 500k), the saved
        index loads in a few milliseconds. Best effort: an unreadable or stale index is
        ignored and rewritten; without ``index_dir`` nothing is written anywhere.
        """
        p = Path(path)
        try:
            if p.name.endswith(".zst"):
                import zstandard

                with p.open("rb") as fh:
                    buf: bytes = zstandard.ZstdDecompressor().stream_reader(fh).read()
            elif p.name.endswith(".bz2"):
                buf = bz2.decompress(p.read_bytes())
            else:
                buf = p.read_bytes()
                if not buf:
                    raise RepodataError(str(p), "empty repodata file", str(p))
        except OSError as exc:
            raise RepodataError(str(p), f"cannot read: {exc.strerror or exc}", str(p)) from None
        except (ValueError, EOFError) as exc:  # corrupt compressed stream
            raise RepodataError(str(p), f"cannot decompress: {exc}", str(p)) from None
        except Exception as exc:  # zstandard.ZstdError has no importable base here
            if type(exc).__name__ == "ZstdError":
                raise RepodataError(str(p), f"cannot decompress: {exc}", str(p)) from None
            raise
        if index_dir is None:
            return cls(buf, str(p), channel_url)
        saved = _SpanIndexFile(Path(index_dir), p, buf)
        scanned = saved.load()
        rd = cls(buf, str(p), channel_url, _scanned=scanned)
        if scanned is None:
            saved.store(rd)
        return rd

    @classmethod
    def from_bytes(cls, data: bytes, source: str, channel_url: str | None = None) -> RepoData:
        return cls(data, source, channel_url)

    # --- the scan -----------------------------------------------------------------------

    def _scan(self) -> None:
        buf, src = self._buf, self.source
        pos = _WS.match(buf, 0).end()  # type: ignore[union-attr]
        if pos >= len(buf) or buf[pos : pos + 1] != b"{":
            raise RepodataError(self._snippet(pos), "repodata must be a JSON object", f"{src}: $")
        pos += 1
        first = _KEY.match(buf, pos)
        if first is not None and _stem(self._key(first.group(1), pos)) != self._key(
            first.group(1), pos
        ):
            # conda's test indexes: the top level *is* the packages object
            self._scan_packages(pos - 1, None, "$")
            return
        while True:
            pos = _WS.match(buf, pos).end()  # type: ignore[union-attr]
            if buf[pos : pos + 1] == b"}":
                return
            m = _KEY.match(buf, pos)
            if m is None:
                raise self._error(pos, "$", "expected a key")
            key_raw = m.group(1)[1:-1]
            key = self._key(m.group(1), pos)
            pos = m.end()
            if key_raw in _PACKAGE_SECTIONS and buf[pos : pos + 1] == b"{":
                pos = self._scan_packages(pos, _PACKAGE_SECTIONS[key_raw], key)
            else:
                end = self._skip_value(pos, f"$.{key}")
                if key in (
                    "info",
                    "metadata",
                    "removed",
                    "repodata_version",
                    "_url",
                    "_etag",
                    "_mod",
                ):
                    self._top[key] = self._decode(pos, end, f"$.{key}")
                pos = end
            pos = _WS.match(buf, pos).end()  # type: ignore[union-attr]
            sep = buf[pos : pos + 1]
            if sep == b",":
                pos += 1
            elif sep == b"}":
                return
            else:
                raise self._error(pos, f"$.{key}", "expected ',' or '}'")

    def _scan_packages(self, pos: int, section: int | None, key: str) -> int:
        buf = self._buf
        find, count = buf.find, buf.count
        pos += 1  # past '{'
        after = _WS.match(buf, pos).end()  # type: ignore[union-attr]
        if buf[after : after + 1] == b"}":
            return after + 1
        last: str | None = None
        # a scan builds lists (only a saved index holds packed bytes)
        index: dict[str, list[_Span]] = self._index  # type: ignore[assignment]
        while True:
            # Fast path, all in C: the key has no escapes, and the record holds no backslash,
            # no nested '{' and an even number of quotes before its first '}', so that '}'
            # closes it. Anything else goes through the exact regex below.
            q1 = find(b'"', pos)
            q2 = find(b'"', q1 + 1) if q1 != -1 else -1
            ob = find(b"{", q2) if q2 != -1 else -1
            cb = find(b"}", ob) if ob != -1 else -1
            if (
                cb != -1
                and not buf[pos:q1].strip()
                and buf[q2 + 1 : ob].strip() == b":"
                and find(b"\\", q1, cb) == -1
                and find(b"{", ob + 1, cb) == -1
                and count(b'"', ob, cb) % 2 == 0
            ):
                fn = buf[q1 + 1 : q2].decode("utf-8", "replace")
                start, end = ob, cb + 1
                sep = _SEP.match(buf, end)
                if sep is None:
                    raise self._error(end, self._where(section, key, fn), "expected ',' or '}'")
                pos, closing, plain = sep.end(), sep.group(1) == b"}", True
            else:
                m = _ENTRY.match(buf, pos)
                if m is None:
                    raise self._error(
                        pos, self._where(section, key, last), "malformed or truncated record"
                    )
                fn = self._key(m.group(1), pos)
                start, end = m.span(2)
                pos, closing, plain = m.end(), m.group(3) == b"}", False
                if b"\\" in m.group(1):  # a saved index cannot read this key back simply
                    self._escaped[start] = m.start(1)
            sec = section if section is not None else (1 if fn.endswith(".conda") else 0)
            if sec != 2:  # wheels inside repodata (packages.whl) are not conda packages
                index.setdefault(self._name_of(fn, start, end, plain), []).append(
                    (start, end, fn, sec)
                )
                self._count += 1
            last = fn
            if closing:
                return pos

    @staticmethod
    def _where(section: int | None, key: str, last: str | None) -> str:
        base = "$" if section is None else f"$.{key}"
        return base if last is None else f"{base}[{last!r}] (the entry after it)"

    def _name_of(self, fn: str, start: int, end: int, plain: bool) -> str:
        """The record's own ``name`` (lower case); the file name's when it has none.

        ``plain``: the record has no backslash and no nested object, so each quote opens or
        closes a string and the first ``"name"`` followed by ``:`` is the key (a ``"name"``
        value in a list is not). Otherwise the record is decoded: a nested object may hold a
        ``name`` of its own before the record's."""
        buf = self._buf
        if plain:
            at = buf.find(b'"name"', start, end)
            while at != -1:
                m = _NAME.match(buf, at)
                if m is not None:
                    return m.group(1).decode("utf-8", "replace").lower()
                at = buf.find(b'"name"', at + 6, end)
        else:
            try:
                name = json.loads(buf[start:end]).get("name")
            except (ValueError, RecursionError, AttributeError):
                name = None  # a bad record says so when it is read
            if isinstance(name, str):
                return name.lower()
        return _stem(fn).rsplit("-", 2)[0].lower()

    def _skip_value(self, pos: int, where: str) -> int:
        buf = self._buf
        first = buf[pos : pos + 1]
        if first not in (b"{", b"["):
            m = _SCALAR.match(buf, pos)
            if m is None:
                raise self._error(pos, where, "expected a JSON value")
            return m.end()
        depth = 0
        while True:
            m = _TOKEN.search(buf, pos)
            if m is None:
                raise self._error(len(buf), where, "unexpected end of file")
            ch = m.group()
            if ch == b'"':
                s = re.compile(_STRING).match(buf, m.start())
                if s is None:
                    raise self._error(m.start(), where, "unterminated string")
                pos = s.end()
                continue
            depth += 1 if ch in (b"{", b"[") else -1
            pos = m.end()
            if depth == 0:
                return pos

    def _decode(self, start: int, end: int, where: str) -> Any:
        try:
            return json.loads(self._buf[start:end])
        except (ValueError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise RepodataError(
                self._snippet(start), f"invalid JSON: {reason}", f"{self.source}: {where}"
            ) from None

    def _key(self, raw: bytes, pos: int) -> str:
        try:
            return str(json.loads(raw))
        except ValueError:
            raise self._error(pos, "$", "invalid key") from None

    def _snippet(self, pos: int) -> str:
        return bytes(self._buf[pos : pos + 60]).decode("utf-8", "replace")

    def _error(self, pos: int, where: str, reason: str) -> RepodataError:
        if pos >= len(self._buf) or not bytes(self._buf[pos:]).strip():
            reason = "unexpected end of file (truncated?)"
        return RepodataError(
            self._snippet(pos),
            f"{reason} at {_position(self._buf, pos)}",
            f"{self.source}: {where}",
        )

    # --- queries ------------------------------------------------------------------------

    def __len__(self) -> int:
        """Number of records in the file (both sections)."""
        return self._count

    def names(self) -> frozenset[CondaName]:
        return frozenset(CondaName(n) for n in self._index)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._index

    def records(self, name: str) -> tuple[PackageRecord, ...]:
        """Every record of ``name``; ``.conda`` wins over ``.tar.bz2`` for one build."""
        key = conda_name(name)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        spans = self._spans(key)
        conda_stems = {_stem(fn) for _, _, fn, sec in spans if sec == 1}
        out = []
        for span in spans:
            if span[3] == 0 and _stem(span[2]) in conda_stems:
                continue
            out.append(self._record(span))
        result = tuple(out)
        self._cache[key] = result
        return result

    def _spans(self, name: str) -> list[_Span]:
        got = self._index.get(name)
        if got is None:
            return []
        if isinstance(got, bytes):  # from a saved index: (key position, start, end, section)
            flat = array("q")
            flat.frombytes(got)
            got = [
                (flat[i + 1], flat[i + 2], self._fn_at(flat[i]), flat[i + 3])
                for i in range(0, len(flat), 4)
            ]
            self._index[name] = got
        return got

    def _fn_at(self, keypos: int) -> str:
        """The file name whose key token starts at ``keypos`` (escaped keys were saved)."""
        if keypos in self._fn_overrides:
            return self._fn_overrides[keypos]
        end = self._buf.index(b'"', keypos + 1)
        return self._buf[keypos + 1 : end].decode("utf-8", "replace")

    def __iter__(self) -> Iterator[PackageRecord]:
        for name in sorted(self._index):
            yield from self.records(name)

    def _record(self, span: _Span) -> PackageRecord:
        start, end, fn, sec = span
        section = ("packages", "packages.conda")[sec]
        where = f"{self.source}: {section}[{fn!r}]"
        raw = self._decode(start, end, f"{section}[{fn!r}]")
        if not isinstance(raw, dict):
            raise RepodataError(raw, "record must be an object", where)
        raw.setdefault("fn", fn)
        if "subdir" not in raw and self.subdir:
            raw["subdir"] = self.subdir
        # conda sets url = base_url (or channel/subdir) + fn, whatever the record says
        url = self._url_for(fn)
        if url:
            raw["url"] = url
        channel = self.channel_url or (split_subdir(self.base_url)[0] if self.base_url else None)
        if channel and "channel" not in raw:
            raw["channel"] = channel
        try:
            return PackageRecord.from_dict(raw, where)
        except ParseError as exc:
            raise RepodataError(exc.value, exc.reason, exc.where or where) from None

    def _url_for(self, fn: str) -> str | None:
        if self.base_url:
            base = self.base_url
            if "://" not in base and self.source and Path(self.source).exists():
                # CEP-15: a relative base_url is relative to the repodata file itself
                base = urljoin(Path(self.source).resolve().as_uri(), base)
            return f"{base.rstrip('/')}/{fn}"
        if self.channel_url and self.subdir:
            return f"{self.channel_url.rstrip('/')}/{self.subdir}/{fn}"
        return None


def load_repodata(path: str | Path, channel_url: str | None = None) -> RepoData:
    """Shorthand for :meth:`RepoData.from_path`."""
    return RepoData.from_path(path, channel_url)


_REPODATA_NAMES = ("repodata.json", "repodata.json.zst", "repodata.json.bz2")


def _location_to_path(location: str | Path) -> Path:
    path = local_path(location)
    if path is None:
        text = str(location)
        raise RepodataError(text, "only local channels (paths or file:// URLs) are read here", text)
    return path


@dataclass(frozen=True)
class LocalChannel:
    """A channel directory laid out as ``<dir>/<subdir>/repodata.json``.

    Addressed by path or ``file://`` URL; reads the target subdir and ``noarch``.
    """

    root: Path
    url: str
    subdirs: tuple[str, ...]
    index_dir: Path | None = field(default=None, compare=False)  # see RepoData.from_path
    _repodata: dict[str, RepoData] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_location(
        cls, location: str | Path, subdir: str, index_dir: str | Path | None = None
    ) -> LocalChannel:
        root = _location_to_path(location)
        if not root.is_dir():
            raise RepodataError(str(location), "channel directory does not exist", str(location))
        present = []
        for sd in dict.fromkeys((subdir, "noarch")):
            if any((root / sd / n).is_file() for n in _REPODATA_NAMES):
                present.append(sd)
        if not present:
            raise RepodataError(
                str(location),
                f"no {subdir}/ or noarch/ repodata.json in the channel",
                str(location),
            )
        return cls(
            root,
            root.resolve().as_uri(),
            tuple(present),
            Path(index_dir) if index_dir is not None else None,
        )

    def repodata(self, subdir: str) -> RepoData:
        if subdir not in self._repodata:
            for n in _REPODATA_NAMES:
                p = self.root / subdir / n
                if p.is_file():
                    self._repodata[subdir] = RepoData.from_path(
                        p, channel_url=self.url, index_dir=self.index_dir
                    )
                    break
            else:
                raise RepodataError(
                    str(self.root / subdir), "no repodata in subdir", str(self.root)
                )
        return self._repodata[subdir]

    def records(self, name: str) -> tuple[PackageRecord, ...]:
        """Records of ``name`` across the channel's subdirs."""
        return tuple(r for sd in self.subdirs for r in self.repodata(sd).records(name))


# What a saved scan holds: the top-level keys kept, the record count, each name's spans packed
# as int64 (key position, start, end, section), and file names that cannot be read back from
# the key position (keys with JSON escapes).
_SavedScan = tuple[dict[str, Any], int, dict[str, list[_Span] | bytes], dict[int, str]]
_INDEX_FORMAT = 1


class _SpanIndexFile:
    """A RepoData scan saved under ``index_dir``, named by what identifies the file."""

    def __init__(self, index_dir: Path, path: Path, buf: bytes) -> None:
        try:
            st = path.stat()
            ident = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{len(buf)}|{_INDEX_FORMAT}"
        except OSError:
            ident = f"{path}|{len(buf)}|{_INDEX_FORMAT}"
        digest = hashlib.sha256(ident.encode())
        digest.update(buf[:65536])
        digest.update(buf[-65536:])
        self.path = index_dir / f"{digest.hexdigest()}.idx"

    def load(self) -> _SavedScan | None:
        # marshal, not JSON: 24k names of packed offsets load in milliseconds. The file lives
        # in the user's own cache directory, written by this code (marshal trusts its input)
        try:
            data = marshal.loads(self.path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return None
        if not (isinstance(data, tuple) and len(data) == 5 and data[0] == _INDEX_FORMAT):
            return None
        _, top, count, packed, overrides = data
        if not (
            isinstance(top, dict)
            and isinstance(count, int)
            and isinstance(packed, dict)
            and isinstance(overrides, dict)
            and all(isinstance(v, bytes) and len(v) % 32 == 0 for v in packed.values())
        ):
            return None  # not what this code writes: scan again
        return top, count, packed, overrides

    def store(self, rd: RepoData) -> None:
        buf = rd._buf
        packed: dict[str, bytes] = {}
        overrides: dict[int, str] = {}
        for name in rd._index:
            flat = array("q")
            for start, end, fn, sec in rd._spans(name):
                if start in rd._escaped:  # the scan noted where this key starts
                    q1 = rd._escaped[start]
                    overrides[q1] = fn
                else:
                    # no backslash in the key, so no quote inside it: the key is the last
                    # string before the ':' that precedes the record
                    colon = buf.rindex(b":", 0, start)
                    q1 = buf.rindex(b'"', 0, buf.rindex(b'"', 0, colon))
                flat.extend((q1, start, end, sec))
            packed[name] = flat.tobytes()
        data = (_INDEX_FORMAT, rd._top, rd._count, packed, overrides)
        # best effort (read-only or full cache): the next load scans again
        with contextlib.suppress(OSError, ValueError):
            atomic_write(self.path, marshal.dumps(data))
