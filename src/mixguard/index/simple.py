"""Parse Simple Repository API project pages: PEP 691 JSON and PEP 503 HTML."""

from __future__ import annotations

import json
import marshal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from ..errors import ParseError
from .links import DistributionFile, version_text_of_filename
from .transport import redact_url

__all__ = [
    "ACCEPT",
    "JSON_TYPE",
    "IndexPageError",
    "Page",
    "PageEntry",
    "PageVersion",
    "group_page",
    "pack_page",
    "parse_html_page",
    "parse_json_page",
    "parse_page",
    "scan_json_page",
    "scan_page",
    "unpack_page",
]

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
# pip's Accept header: JSON preferred, HTML accepted
ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"


class IndexPageError(ParseError):
    """A project page that is not valid PEP 691 JSON or PEP 503 HTML."""


def _absolute(base: str, url: str) -> str:
    # PyPI's JSON pages give absolute URLs: urljoin on 30k of them costs most of a page read
    return url if url.startswith(("https://", "http://")) else urljoin(base, url)


def _split_fragment(url: str) -> tuple[str, dict[str, str]]:
    if "#" not in url:
        return url, {}
    parts = urlsplit(url)
    hashes: dict[str, str] = {}
    if parts.fragment and "=" in parts.fragment:
        algo, _, value = parts.fragment.partition("=")
        if algo in ("sha256", "sha384", "sha512", "md5", "sha1", "sha224"):
            hashes[algo] = value
    return urlunsplit(parts._replace(fragment="")), hashes


def _meta_attr(value: str | None) -> bool | dict[str, str] | None:
    # data-dist-info-metadata / data-core-metadata: "true" or "<algo>=<hex>"
    if value is None:
        return None
    if value in ("", "true"):
        return True
    algo, sep, digest = value.partition("=")
    return {algo: digest} if sep else True


def parse_json_page(body: bytes, page_url: str) -> list[DistributionFile]:
    return [df for e in scan_json_page(body, page_url) if (df := e.get()) is not None]


def scan_json_page(body: bytes, page_url: str) -> list[PageEntry]:
    """A PEP 691 page as entries that parse into :class:`DistributionFile` on demand.

    Only the page's shape is checked here (every file needs ``filename`` and ``url``); each
    entry's version comes from its file name, and the rest is parsed when the resolver looks
    at that version: a large resolution reads ~140,000 entries and considers a few hundred
    versions.
    """
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise IndexPageError(
            body[:80].decode("utf-8", "replace"), f"invalid JSON: {reason}", redact_url(page_url)
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise IndexPageError(
            str(data)[:80], "not a PEP 691 project page (no 'files' list)", redact_url(page_url)
        )
    out: list[PageEntry] = []
    for i, f in enumerate(data["files"]):
        if (
            not isinstance(f, dict)
            or not isinstance(f.get("filename"), str)
            or not isinstance(f.get("url"), str)
        ):
            raise IndexPageError(
                f, "file entry needs 'filename' and 'url'", f"{redact_url(page_url)}: files[{i}]"
            )
        version = version_text_of_filename(f["filename"])
        if version is not None:
            out.append(PageEntry(version, f, page_url, i))
    return out


class PageEntry:
    """One file entry of a JSON page: its version text now, the :class:`DistributionFile`
    later."""

    __slots__ = ("_entry", "_file", "_page_url", "index", "version_text")

    def __init__(
        self, version_text: str, entry: dict[str, Any], page_url: str, index: int = 0
    ) -> None:
        self.version_text = version_text  # as in the file name, not yet parsed
        self.index = index  # its place in the page's ``files``
        self._entry: dict[str, Any] | None = entry
        self._page_url = page_url
        self._file: DistributionFile | None = None

    def get(self) -> DistributionFile | None:
        """The parsed file (None for a file pip would skip, as ``DistributionFile.from_link``);
        an entry of the wrong shape is an :class:`IndexPageError` naming the page."""
        if self._entry is None:
            return self._file
        try:
            return self._parse()
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise IndexPageError(
                str(self._entry)[:80],
                f"file entry of the wrong shape: {type(exc).__name__}: {exc}",
                redact_url(self._page_url),
            ) from None

    def _parse(self) -> DistributionFile | None:
        f = self._entry
        if f is None:
            return self._file
        meta: Any = f.get("core-metadata", f.get("dist-info-metadata"))
        url, frag_hashes = _split_fragment(_absolute(self._page_url, f["url"]))
        hashes = f.get("hashes") if isinstance(f.get("hashes"), dict) else frag_hashes
        self._file = DistributionFile.from_link(
            f["filename"],
            url,
            hashes=hashes,
            requires_python=f.get("requires-python"),
            yanked=f.get("yanked", False),
            upload_time=f.get("upload-time"),
            size=f.get("size") if isinstance(f.get("size"), int) else None,
            metadata=meta if isinstance(meta, (bool, dict)) else None,
            source=self._page_url,
        )
        self._entry = None  # parsed once; the raw dict can go
        return self._file


class PageVersion:
    """A JSON page's entries of one version text, in page order: what the resolver walks by.

    A large resolution's pages list ~140,000 files in ~20,000 versions, of which it reads a
    few hundred. A page read from its saved scan (:func:`unpack_page`) keeps each version's
    entries packed until that version is asked for.
    """

    __slots__ = ("_entries", "_packed", "page", "version_text")

    def __init__(
        self,
        version_text: str,
        page: Page,
        entries: tuple[PageEntry, ...] | None = None,
        packed: bytes | None = None,
    ) -> None:
        self.version_text = version_text
        self.page = page
        self._entries = entries
        self._packed = packed

    def __repr__(self) -> str:
        return f"PageVersion({self.version_text!r}, {self.page.url!r})"

    def entries(self) -> tuple[PageEntry, ...]:
        entries = self._entries
        if entries is None:
            # the resolver and the warming threads share pages: two may both unpack (equal
            # entries, parsed to equal files); one that finds the blob gone takes the other's
            packed = self._packed
            if packed is None:
                entries = self._entries
                assert entries is not None
                return entries
            entries = self._entries = _unpack_entries(packed, self.page.url)
            self._packed = None
        return entries


class Page:
    """One reading of one page: the groups of a page share it, by identity (the client puts
    a page's entries back in page order by it, then by ``PageEntry.index``)."""

    __slots__ = ("url",)

    def __init__(self, url: str) -> None:
        self.url = url


def group_page(entries: Iterable[PageEntry], page_url: str) -> list[PageVersion]:
    """A scanned page's entries grouped by version text (first appearance order)."""
    groups: dict[str, list[PageEntry]] = {}
    for e in entries:
        got = groups.get(e.version_text)
        if got is None:
            groups[e.version_text] = [e]
        else:
            got.append(e)
    page = Page(page_url)
    return [PageVersion(text, page, tuple(es)) for text, es in groups.items()]


#: the saved scan's layout; a file of another layout (or another marshal format) is
#: not read (the page's body is scanned again and the scan saved anew)
_PACK_FORMAT = f"mixguard-page-scan/1 marshal/{marshal.version}"


def pack_page(groups: Iterable[PageVersion]) -> bytes | None:
    """A page's grouped scan as bytes for the cache: ``(format, version texts, one marshal
    blob per version)``, each blob the entries' ``(index, version text, raw JSON entry)``.

    marshal, not pickle or JSON: it loads the page's ~20,000 texts and blobs with no Python
    code run and no objects built from the page's JSON (json.loads of the largest pages was
    most of a warm large resolution), and the entries' raw dicts come back as they were
    read. None if an entry was already parsed (its raw entry is gone) or is nested deeper
    than marshal writes.
    """
    texts: list[str] = []
    blobs: list[bytes] = []
    for g in groups:
        rows = []
        for e in g.entries():
            if e._entry is None:
                return None
            rows.append((e.index, e.version_text, e._entry))
        texts.append(g.version_text)
        try:
            blobs.append(marshal.dumps(tuple(rows)))
        except ValueError:  # nested deeper than marshal goes: the page is read from its JSON
            return None
    return marshal.dumps((_PACK_FORMAT, tuple(texts), tuple(blobs)))


def unpack_page(data: bytes, page_url: str) -> list[PageVersion]:
    """The groups :func:`pack_page` saved, each version's entries left packed.

    An :class:`IndexPageError` if ``data`` is not such a scan (the caller drops it)."""
    try:
        loaded = marshal.loads(data)
    except (ValueError, EOFError, TypeError) as exc:
        raise IndexPageError(
            f"{len(data)} bytes", f"not a saved page scan: {exc}", redact_url(page_url)
        ) from None
    if (
        not isinstance(loaded, tuple)
        or len(loaded) != 3
        or loaded[0] != _PACK_FORMAT
        or not isinstance(loaded[1], tuple)
        or not isinstance(loaded[2], tuple)
        or len(loaded[1]) != len(loaded[2])
        or not all(type(t) is str for t in loaded[1])
        or not all(type(b) is bytes for b in loaded[2])
    ):
        raise IndexPageError(
            repr(loaded)[:80], "not a saved page scan of this layout", redact_url(page_url)
        )
    _, texts, blobs = loaded
    page = Page(page_url)
    return [PageVersion(t, page, packed=b) for t, b in zip(texts, blobs, strict=True)]


def _unpack_entries(blob: bytes, page_url: str) -> tuple[PageEntry, ...]:
    try:
        out = []
        for index, text, entry in marshal.loads(blob):
            if type(index) is not int or type(text) is not str or type(entry) is not dict:
                raise TypeError(f"row {(index, text)!r}")
            out.append(PageEntry(text, entry, page_url, index))
        return tuple(out)
    except (ValueError, EOFError, TypeError) as exc:
        # the cache file's checksum held: this is not corruption on disk
        raise IndexPageError(
            f"{len(blob)} bytes", f"saved page scan of the wrong shape: {exc}", redact_url(page_url)
        ) from None


def parse_html_page(body: bytes, page_url: str) -> list[DistributionFile]:
    from ._anchors import Anchors  # html.parser: only for HTML pages (JSON needs none)

    parser = Anchors()
    try:
        parser.feed(body.decode("utf-8", "replace"))
        parser.close()
    except Exception as exc:  # HTMLParser is lenient; this is belt and braces
        raise IndexPageError(
            body[:80].decode("utf-8", "replace"), f"invalid HTML: {exc}", redact_url(page_url)
        ) from None
    base = urljoin(page_url, parser.base) if parser.base else page_url
    out: list[DistributionFile] = []
    for attrs, text in parser.anchors:
        href = attrs.get("href")
        if not href:
            continue
        url, hashes = _split_fragment(urljoin(base, href))
        filename = urlsplit(url).path.rsplit("/", 1)[-1] or text
        from urllib.parse import unquote

        filename = unquote(filename)
        meta = _meta_attr(attrs.get("data-core-metadata", attrs.get("data-dist-info-metadata")))
        df = DistributionFile.from_link(
            filename,
            url,
            hashes=hashes,
            requires_python=attrs.get("data-requires-python"),
            yanked=attrs["data-yanked"] or "" if "data-yanked" in attrs else False,
            metadata=meta,
            source=page_url,
        )
        if df is not None:
            out.append(df)
    return out


def parse_page(body: bytes, page_url: str, content_type: str | None) -> list[DistributionFile]:
    """Dispatch on the response's Content-Type (JSON for PEP 691, else HTML)."""
    with _page_errors(body, page_url):
        if _is_json(page_url, content_type):
            return parse_json_page(body, page_url)
        return parse_html_page(body, page_url)


def scan_page(
    body: bytes, page_url: str, content_type: str | None
) -> list[DistributionFile] | list[PageEntry]:
    """As :func:`parse_page`, JSON pages as :class:`PageEntry` objects (parsed on demand)."""
    with _page_errors(body, page_url):
        if _is_json(page_url, content_type):
            return scan_json_page(body, page_url)
        return parse_html_page(body, page_url)


@contextmanager
def _page_errors(body: bytes, page_url: str) -> Iterator[None]:
    """Total: a page of any shape is a result or an :class:`IndexPageError` naming it."""
    try:
        yield
    except IndexPageError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise IndexPageError(
            body[:80].decode("utf-8", "replace"),
            f"unreadable index page: {type(exc).__name__}: {exc}",
            redact_url(page_url),
        ) from None


def _is_json(page_url: str, content_type: str | None) -> bool:
    ctype = (content_type or "").split(";")[0].strip().lower()
    return ctype == JSON_TYPE or (ctype == "application/json") or page_url.endswith(".json")
