"""Parse Simple Repository API project pages: PEP 691 JSON and PEP 503 HTML."""

from __future__ import annotations

import json
from collections.abc import Iterator
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
    "PageEntry",
    "parse_html_page",
    "parse_json_page",
    "parse_page",
    "scan_json_page",
    "scan_page",
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
            out.append(PageEntry(version, f, page_url))
    return out


class PageEntry:
    """One file entry of a JSON page: its version text now, the :class:`DistributionFile`
    later."""

    __slots__ = ("_entry", "_file", "_page_url", "version_text")

    def __init__(self, version_text: str, entry: dict[str, Any], page_url: str) -> None:
        self.version_text = version_text  # as in the file name, not yet parsed
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
