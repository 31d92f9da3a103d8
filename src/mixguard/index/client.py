"""The index client: pip's sources and ordering, cached pages, metadata in parallel."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .._paths import is_local, local_path
from ..names import PypiName
from ._warm_pool import WarmPool
from .cache import Cache, CachedPage
from .links import DistributionFile, parse_version
from .metadata import (
    DistMetadata,
    Limits,
    MetadataResult,
    Unknown,
    fetch_metadata,
    fetch_record,
    metadata_from_text,
)
from .simple import (
    ACCEPT,
    IndexPageError,
    PageEntry,
    PageVersion,
    group_page,
    pack_page,
    parse_html_page,
    scan_json_page,
    scan_page,
    unpack_page,
)
from .transport import FetchError, HttpTransport, Transport, redact_url

__all__ = ["PYPI", "IndexClient", "IndexConfig", "ProjectFiles"]

_T = TypeVar("_T")
_R = TypeVar("_R")

PYPI = "https://pypi.org/simple"


@dataclass(frozen=True, slots=True)
class IndexConfig:
    """Where pip would look.

    ``--index-url``, ``--extra-index-url``, ``--find-links`` and ``--no-index``, as pip reads them.
    """

    index_url: str = PYPI
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False

    @property
    def index_urls(self) -> tuple[str, ...]:
        return () if self.no_index else (self.index_url, *self.extra_index_urls)


#: the Content-Types pip reads an index page of (anything else: the page is skipped)
_PIP_PAGE_TYPES = (
    "text/html",
    "application/vnd.pypi.simple.v1+html",
    "application/vnd.pypi.simple.v1+json",
)


def _describes(meta: DistMetadata, file: DistributionFile) -> bool:
    """Whether metadata carries the name and version of ``file`` (a cache entry must)."""
    try:
        return canonicalize_name(meta.name) == canonicalize_name(str(file.name)) and (
            file.version is None or Version(meta.version) == file.version
        )
    except InvalidVersion:
        return False


_Item = DistributionFile | PageEntry | PageVersion


class ProjectFiles:
    """All files of one project across the sources, in pip's priority order, and what failed.

    JSON pages are kept as :class:`~mixguard.index.simple.PageVersion` groups of
    :class:`~mixguard.index.simple.PageEntry` objects: ``files`` parses every one (once),
    :meth:`versions` and :meth:`of_version` only the versions asked for; both keep the
    sources' order (and each page's own).
    """

    __slots__ = ("_by_version", "_entries", "_files", "_groups", "_merged", "name", "problems")

    def __init__(
        self,
        name: PypiName,
        files: Sequence[_Item],
        problems: tuple[str, ...] = (),  # pages that could not be read (redacted), offline misses
    ) -> None:
        self.name = name
        self.problems = problems
        self._entries = tuple(files)
        self._files: tuple[DistributionFile, ...] | None = None
        self._by_version: dict[Version, list[_Item]] | None = None
        self._merged: set[Version] = set()
        self._groups: dict[Version, tuple[DistributionFile, ...]] = {}

    def __repr__(self) -> str:
        return f"ProjectFiles({self.name!r}, {len(self._entries)} entries, {self.problems!r})"

    @property
    def files(self) -> tuple[DistributionFile, ...]:
        if self._files is None:
            self._files = tuple(
                df for e in self._in_order(self._entries) if (df := _parsed(e)) is not None
            )
        return self._files

    def versions(self) -> dict[Version, list[_Item]]:
        """Entries by the version their file name gives, in source order within each."""
        if self._by_version is None:
            # by text first (a str hash per group, not a Version hash), then one parse per
            # distinct text; texts that parse equal ("1.0", "1.0.0") share a group
            by_text: dict[str, list[_Item]] = {}
            for e in self._entries:
                if isinstance(e, DistributionFile):
                    if e.version is None:
                        continue
                    text = str(e.version)
                else:
                    text = e.version_text
                got = by_text.get(text)
                if got is None:
                    by_text[text] = [e]
                else:
                    got.append(e)
            groups: dict[Version, list[_Item]] = {}
            for text, entries in by_text.items():
                version = parse_version(text)
                if version is not None:
                    got = groups.get(version)
                    if got is None:
                        groups[version] = entries
                    else:
                        got.extend(entries)
                        self._merged.add(version)
            self._by_version = groups
        return self._by_version

    def of_version(self, version: Version) -> tuple[DistributionFile, ...]:
        """The parsed files of one version (what ``files`` has of it), in source order."""
        got = self._groups.get(version)
        if got is None:
            items = self.versions().get(version, ())
            if version in self._merged:
                expanded = self._in_order(items)
            else:
                expanded = [
                    x for e in items for x in (e.entries() if isinstance(e, PageVersion) else (e,))
                ]
            got = self._groups[version] = tuple(
                df for e in expanded if (df := _parsed(e)) is not None
            )
        return got

    def _in_order(self, items: Iterable[_Item]) -> list[DistributionFile | PageEntry]:
        """``items`` expanded, in source order and, within a page, in page order."""
        rank: dict[int, int] = {}
        for i, e in enumerate(self._entries):
            rank.setdefault(id(e.page if isinstance(e, PageVersion) else e), i)
        keyed: list[tuple[int, int, DistributionFile | PageEntry]] = []
        for e in items:
            if isinstance(e, PageVersion):
                r = rank[id(e.page)]
                keyed.extend((r, x.index, x) for x in e.entries())
            else:
                keyed.append((rank[id(e)], 0, e))
        keyed.sort(key=lambda k: (k[0], k[1]))
        return [x for _, _, x in keyed]


def _speculative(fn: Callable[..., object], *args: Any) -> None:
    # background work the caller will redo if needed: its own call reports any failure
    with suppress(Exception):
        fn(*args)


def _grouped(
    scanned: list[DistributionFile] | list[PageEntry], page_url: str
) -> list[DistributionFile] | list[PageVersion]:
    """A JSON page's entries as :class:`PageVersion` groups (an HTML page's files as they are)."""
    if scanned and isinstance(scanned[0], PageEntry):
        return group_page((e for e in scanned if isinstance(e, PageEntry)), page_url)
    return [f for f in scanned if isinstance(f, DistributionFile)]


def _parsed(entry: DistributionFile | PageEntry) -> DistributionFile | None:
    return entry if isinstance(entry, DistributionFile) else entry.get()


def _is_local(location: str) -> bool:
    return is_local(location)


def _local_path(location: str) -> Path:
    path = local_path(location)
    assert path is not None  # callers ask only for local locations
    return path


@dataclass
class IndexClient:
    """Reads project pages and metadata like pip, through a cache.

    ``offline=True`` never touches the network (``file://`` sources still work): pages and
    metadata come from the cache, and what is missing is reported, never guessed.
    """

    config: IndexConfig = field(default_factory=IndexConfig)
    transport: Transport = field(default_factory=HttpTransport)
    cache: Cache | None = None
    offline: bool = False
    limits: Limits = field(default_factory=Limits)
    workers: int = 16
    _pages: dict[str, ProjectFiles] = field(default_factory=dict, repr=False)
    _meta: dict[str, MetadataResult] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # one fetch per key at a time: a second caller (the resolver behind a prefetch) waits for it
    _inflight: dict[str, threading.Event] = field(default_factory=dict, repr=False)
    _warming: set[str] = field(default_factory=set, repr=False)
    _records: dict[str, tuple[str, ...] | None] = field(default_factory=dict, repr=False)
    #: a local find-links directory's files by project, listed once (pip's
    #: ``_FlatDirectoryToUrls`` also lists a directory once, not once per project)
    _dirs: dict[Path, dict[str, list[DistributionFile]]] = field(default_factory=dict, repr=False)
    _pool: WarmPool | None = field(default=None, repr=False)
    _spans: int = field(default=0, repr=False)  # resolutions under way (see warming)
    #: stopped, and no span opened since: a warming thread still at work (following a
    #: page's dependencies) must not start a new pool that would run on past the resolution
    _stopped: bool = field(default=False, repr=False)

    # --- project pages --------------------------------------------------------------------

    def project_files(self, name: str) -> ProjectFiles:
        """Files of ``name``, in pip's priority order (``PackageFinder.find_all_candidates``)."""
        key = "page:" + str(canonicalize_name(name))
        with self._once(key):
            return self._project_files(name)

    def _project_files(self, name: str) -> ProjectFiles:
        """Files of ``name``, in pip's priority order (``PackageFinder.find_all_candidates``).

        Local find-links files (newest first), then pages in order: find-links pages,
        ``--index-url``, each ``--extra-index-url``.
        """
        key = canonicalize_name(name)
        with self._lock:
            cached = self._pages.get(key)
        if cached is not None:
            return cached
        local_files: list[DistributionFile] = []
        page_files: list[_Item] = []
        problems: list[str] = []
        for loc in self.config.find_links:
            if _is_local(loc) and _local_path(loc).is_dir():
                local_files.extend(self._directory(_local_path(loc), key))
            else:
                # a find-links page lists every project's files, in page order
                listed = ProjectFiles(PypiName(key), self._page(loc, problems, project=False))
                page_files.extend(df for df in listed.files if df.name == str(key))
        for index in self.config.index_urls:
            page_files.extend(self._page(f"{index.rstrip('/')}/{key}/", problems, project=True))
        local_files.sort(key=lambda f: (f.version is not None, f.version, f.filename), reverse=True)
        result = ProjectFiles(PypiName(key), tuple(local_files + page_files), tuple(problems))
        with self._lock:
            self._pages[key] = result
        return result

    def _directory(self, path: Path, key: str) -> list[DistributionFile]:
        with self._lock:
            listing = self._dirs.get(path)
        if listing is None:
            listing = {}
            base = path.absolute()
            source = path.as_uri() if path.is_absolute() else base.as_uri()
            for entry in sorted(base.iterdir()):
                if entry.is_file():
                    df = DistributionFile.from_link(entry.name, entry.as_uri(), source=source)
                    if df is not None:
                        listing.setdefault(df.name, []).append(df)
            with self._lock:
                self._dirs[path] = listing
        return list(listing.get(key, ()))

    def _page(self, url: str, problems: list[str], project: bool) -> Sequence[_Item]:
        if _is_local(url):
            return self._local_page(url, problems)
        cache = self.cache
        cached: CachedPage | None = cache.page(url) if cache is not None else None
        if cached is not None and (self.offline or cached.fresh()):
            got = self._cached_page(cached, problems)
            if got is not None:
                return got
            cached = None  # its body was gone or damaged (dropped)
        if self.offline:
            problems.append(f"offline: no cached copy of {redact_url(url)}")
            return []
        if cached is not None:
            assert cache is not None
            if cache.page_scan(cached) is None and cache.page_body(cached) is None:
                cached = None  # nothing to fall back on or revalidate: ask unconditionally
        headers = {"Accept": ACCEPT}
        if cached is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        try:
            resp = self.transport.get(
                url, headers=headers, max_bytes=self.limits.max_download_bytes
            )
        except FetchError as exc:
            got = self._cached_page(cached, problems) if cached is not None else None
            if got is not None:
                problems.append(f"{exc}; used the cached copy")
                return got
            problems.append(str(exc))
            return []
        if resp.status == 304 and cached is not None:
            assert cache is not None
            got = self._cached_page(cache.touch_page(cached, resp.headers), problems)
            if got is None:
                problems.append(f"{redact_url(url)}: HTTP 304, and the cached copy is gone")
            return got or []
        if resp.status == 404 and project:
            return []  # pip: no such project on this index
        if resp.status != 200:
            problems.append(f"{redact_url(url)}: HTTP {resp.status}")
            return []
        if cache is not None:
            # its scan is saved when the page is first read back from the cache, not now:
            # packing a page costs CPU a cold resolution's fetching threads would take from
            # the resolver (the Airflow resolution: ~0.3 s of ~5 s)
            cache.store_page(url, resp.content, resp.headers)
        return self._parse(resp.content, resp.url, resp.header("content-type"), problems)

    def _cached_page(self, cached: CachedPage, problems: list[str]) -> Sequence[_Item] | None:
        """A cached page's entries, from its saved scan, else from its body (whose scan is
        then saved); None if neither can be read (the entry is dropped)."""
        cache = self.cache
        assert cache is not None
        packed = cache.page_scan(cached)
        if packed is not None:
            try:
                return unpack_page(packed, cached.url)
            except IndexPageError:
                cache.drop_page_scan(cached)
        body = cache.page_body(cached)
        if body is None:
            return None
        return self._parse(body, cached.url, cached.content_type, problems, cached)

    def _local_page(self, url: str, problems: list[str]) -> Sequence[_Item]:
        path = _local_path(url)
        base = path.resolve().as_uri() + ("/" if path.is_dir() else "")
        try:
            if path.is_dir():
                if (path / "index.json").is_file():
                    return group_page(
                        scan_json_page((path / "index.json").read_bytes(), base), base
                    )
                if (path / "index.html").is_file():
                    return parse_html_page((path / "index.html").read_bytes(), base)
                return []  # pip: an empty directory index has no candidates
            if path.is_file():
                return _grouped(
                    scan_page(
                        path.read_bytes(),
                        base,
                        "application/json" if path.suffix == ".json" else "text/html",
                    ),
                    base,
                )
        except (OSError, IndexPageError) as exc:
            problems.append(f"{redact_url(url)}: {exc}")
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            problems.append(f"{redact_url(url)}: unreadable index page: {type(exc).__name__}")
        return []

    def _parse(
        self,
        body: bytes,
        url: str,
        ctype: str | None,
        problems: list[str],
        cached: CachedPage | None = None,
    ) -> Sequence[_Item]:
        """The page's entries; a JSON page's scan is saved beside ``cached`` (its cache entry)."""
        if not _is_local(url) and not (ctype or "").lower().startswith(_PIP_PAGE_TYPES):
            # pip 25.3 (collector.py, _ensure_api_header) skips such a page with a warning
            return []
        try:
            scanned = _grouped(scan_page(body, url, ctype), url)
        except IndexPageError as exc:
            problems.append(str(exc))
            return []
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            # a page of the wrong shape (wrong JSON types, nesting): unreadable, said as such
            problems.append(f"{redact_url(url)}: unreadable index page: {type(exc).__name__}")
            return []
        groups = [g for g in scanned if isinstance(g, PageVersion)]
        if cached is not None and self.cache is not None and groups:
            packed = pack_page(groups)
            if packed is not None:
                self.cache.store_page_scan(cached, packed)
        return scanned

    # --- metadata -------------------------------------------------------------------------

    def metadata(self, file: DistributionFile) -> MetadataResult:
        """Core metadata of ``file``: memory, then disk cache, then the network."""
        mkey = Cache.metadata_key(file.sha256, file.url)
        with self._lock:
            hit = self._meta.get(mkey)
        if hit is not None:
            return hit
        with self._once(mkey):
            with self._lock:
                hit = self._meta.get(mkey)
            if hit is not None:
                return hit
            result = self._load(file, mkey)
            with self._lock:
                self._meta[mkey] = result
            return result

    @contextmanager
    def _once(self, key: str) -> Iterator[None]:
        """Run the body for ``key`` in one thread at a time; later callers wait, then run it
        (and find the memory cache filled)."""
        while True:
            with self._lock:
                event = self._inflight.get(key)
                if event is None:
                    event = self._inflight[key] = threading.Event()
                    break
            event.wait()
        try:
            yield
        finally:
            with self._lock:
                del self._inflight[key]
            event.set()

    def _load(self, file: DistributionFile, mkey: str) -> MetadataResult:
        if self.cache is not None:
            stored = self.cache.metadata(mkey, file.filename)
            if stored is not None:
                if isinstance(stored.get("text"), str):
                    try:
                        meta = metadata_from_text(stored["text"], "cache")
                    except ValueError:
                        meta = None
                    # verified: the metadata of this very file (its name and version)
                    if meta is not None and _describes(meta, file):
                        return meta
                    self.cache.drop_metadata(mkey)
                elif stored.get("kind") == "needs-build":
                    return Unknown(
                        file.filename,
                        file.display_url,
                        "needs-build",
                        str(stored.get("reason", "")),
                    )
        if self.offline and not file.url.startswith("file:"):
            return Unknown(
                file.filename,
                file.display_url,
                "offline",
                "offline, and the metadata is not in the cache",
            )
        result = fetch_metadata(self.transport, file, self.limits)
        if isinstance(result, DistMetadata) and result.record is not None:
            self._keep_record(file, result.record)
        if self.cache is not None:
            if isinstance(result, DistMetadata):
                self.cache.store_metadata(
                    mkey, {"text": result.text, "source": result.source}, file.filename
                )
            elif result.kind == "needs-build" and file.sha256:
                # deterministic for a given file: remember it, to avoid another download
                self.cache.store_metadata(
                    mkey, {"kind": "needs-build", "reason": result.reason}, file.filename
                )
        return result

    def record(self, file: DistributionFile) -> tuple[str, ...] | None:
        """The paths a wheel installs (RECORD), through the cache; None when unknown."""
        key = "record-" + Cache.metadata_key(file.sha256, file.url)
        with self._once(key):
            with self._lock:
                if key in self._records:
                    return self._records[key]
            paths = self._record(file, key)
            with self._lock:
                self._records[key] = paths
            return paths

    def _keep_record(self, file: DistributionFile, paths: tuple[str, ...]) -> None:
        """A RECORD read along with the METADATA (no request of its own): what
        :meth:`record` would have fetched, kept as it keeps it."""
        key = "record-" + Cache.metadata_key(file.sha256, file.url)
        with self._lock:
            self._records.setdefault(key, paths)
        if self.cache is not None and file.sha256:
            self.cache.store_metadata(key, {"paths": list(paths)}, file.filename)

    def prefetch_records(self, files: Iterable[DistributionFile]) -> None:
        """RECORDs of many wheels in parallel (the findings read one per planned wheel)."""
        self._parallel(self.record, [f for f in dict.fromkeys(files) if f.kind == "wheel"])

    def _record(self, file: DistributionFile, key: str) -> tuple[str, ...] | None:
        if self.cache is not None:
            stored = self.cache.metadata(key, file.filename)
            paths_ = stored.get("paths") if stored is not None else None
            if isinstance(paths_, list) and all(isinstance(p, str) for p in paths_):
                return tuple(paths_)
        if self.offline and not file.url.startswith("file:"):
            return None
        paths = fetch_record(self.transport, file, self.limits)
        if paths is not None and self.cache is not None and file.sha256:
            self.cache.store_metadata(key, {"paths": list(paths)}, file.filename)
        return paths

    def prefetch(self, files: Iterable[DistributionFile]) -> dict[str, MetadataResult]:
        """Metadata of many files in parallel (bounded by ``workers``), keyed by file name."""
        todo = list(dict.fromkeys(files))
        results = self._parallel(self.metadata, todo)
        return {f.filename: r for f, r in zip(todo, results, strict=True)}

    def warm(
        self,
        name: str,
        then: Callable[[ProjectFiles], DistributionFile | None] | None = None,
        *,
        priority: int = 0,
    ) -> None:
        """Start fetching the page of ``name`` in the background and return at once; then the
        metadata of the file ``then`` picks from it (the one the resolver will likely want).

        The resolver calls this for a candidate's dependencies as soon as it knows them, so
        that what it asks for next is already on its way: pip fetches each page and each
        METADATA when it gets there, and with ~50 ms a request Airflow's ~190 pages and ~200
        METADATA files one after another are seconds. A later :meth:`project_files` or
        :meth:`metadata` waits for the fetch in flight and shares it; what the resolver decides
        does not depend on when anything arrives. Does nothing offline or for local indexes
        (no network wait to overlap). For a name already read or on its way, only the pick is
        made again (once per ``then``, by its repr: the project and the specifier), since a
        new requirement on a known project may want another version: torch 2.1 pins
        ``nvidia-cuda-nvrtc-cu12==12.1.105``, whose page a newer torch had already read.
        """
        if not self.overlaps:
            return
        key = str(canonicalize_name(name))
        if key not in self._pages and key not in self._warming:
            self._submit_warm(key, self._warm_page, key, then, priority=priority)
        elif then is not None:
            self._submit_warm(f"pick:{key}:{then!r}", self._warm_page, key, then, priority=priority)

    def warm_record(self, file: DistributionFile) -> None:
        """Start reading a wheel's RECORD in the background (see :meth:`warm`)."""
        if self.offline or file.kind != "wheel" or file.url.startswith("file:"):
            return
        # wanted by the findings, after the resolution: behind what the resolver waits for
        self._submit_warm("record:" + file.url, self.record, file, priority=1)

    def warm_metadata(self, file: DistributionFile) -> None:
        """Start reading a file's METADATA in the background (see :meth:`warm`): the versions
        the resolver will try next when it backtracks through a project."""
        if self.offline or file.url.startswith("file:"):
            return
        self._submit_warm("metadata:" + file.url, self.metadata, file)

    def _submit_warm(
        self, key: str, fn: Callable[..., object], *args: Any, priority: int = 0
    ) -> None:
        """Run ``fn(*args)`` on the background pool once per ``key`` (until stop_warming);
        lower ``priority`` numbers first (:class:`~._warm_pool.WarmPool`)."""
        with self._lock:
            if key in self._warming or self._stopped:
                return
            self._warming.add(key)
            if self._pool is None:
                self._pool = WarmPool(self.workers)
            pool = self._pool
        pool.submit(priority, _speculative, fn, *args)  # shut down meanwhile: ignored

    @property
    def overlaps(self) -> bool:
        """Whether fetching ahead can overlap network waits (online, some index remote): for
        local indexes there is nothing to overlap, only CPU to share."""
        return not self.offline and any(not _is_local(u) for u in self.config.index_urls)

    @contextmanager
    def warming(self) -> Iterator[None]:
        """A resolution's span (see :class:`~.source.Prefetch`)."""
        with self._lock:
            self._spans += 1
            self._stopped = False
        try:
            yield
        finally:
            with self._lock:
                self._spans -= 1
                last = self._spans == 0
            if last:
                self.stop_warming()

    def stop_warming(self) -> None:
        """Drop the background fetches not yet started (a resolution that ended, maybe early,
        must not leave a queue for the interpreter to work through at exit)."""
        with self._lock:
            pool, self._pool = self._pool, None
            self._warming.clear()
            self._stopped = True
        if pool is not None:
            pool.shutdown()

    def _warm_page(
        self, key: str, then: Callable[[ProjectFiles], DistributionFile | None] | None
    ) -> None:
        files = self.project_files(key)
        chosen = then(files) if then is not None else None
        if chosen is not None:
            self.metadata(chosen)

    def prefetch_projects(self, names: Sequence[str]) -> dict[str, ProjectFiles]:
        """Project pages of many names in parallel."""
        names = list(dict.fromkeys(canonicalize_name(n) for n in names))
        return dict(zip(names, self._parallel(self.project_files, names), strict=True))

    def _parallel(self, fn: Callable[[_T], _R], items: Sequence[_T]) -> list[_R]:
        """``fn`` over ``items`` on up to ``workers`` threads, results in order."""
        if len(items) <= 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(items)))) as pool:
            return list(pool.map(fn, items))
