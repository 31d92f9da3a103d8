"""A persistent cache of index pages and core metadata.

- Location: ``cache_dir`` argument, else ``$MIXGUARD_CACHE_DIR``, else the platform's user
  cache directory (platformdirs) + ``mixguard``.
- Metadata is keyed by the file's sha256 (content-addressed: it never goes stale); files an
  index lists without a hash are keyed by their (redacted) URL.
- A JSON page read back is scanned once more and the scan saved beside it (``.scan``,
  :func:`~mixguard.index.simple.pack_page`): later reads need neither its body nor its JSON.
- Pages keep ETag / Last-Modified for revalidation, and a freshness deadline from the server's
  ``Cache-Control: max-age`` or, for mirrors that send none, a TTL.
- Writes are atomic (temporary file + ``os.replace``), so concurrent runs never see partial files.
- The cache cannot lie: every entry records what it is for (a page: its URL and the body's
  sha256 and length; metadata: the file name and, for parsed metadata, the name and version it
  must carry; a saved scan: the body's sha256 and its own CRC-32) and is verified on read; an
  entry that fails is deleted and refetched (``Cache.dropped`` counts them, shown with
  ``--debug``).
- A cache that cannot be written (read-only, full disk) degrades to an uncached run: the first
  failure is kept in ``Cache.write_error`` (one warning line), nothing raises.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._atomic import atomic_write
from .transport import redact_url

__all__ = ["Cache", "CachedPage", "default_cache_dir"]

_MAX_AGE = re.compile(r"max-age=(\d+)")


def default_cache_dir() -> Path:
    env = os.environ.get("MIXGUARD_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("mixguard", appauthor=False))


@dataclass(frozen=True, slots=True)
class CachedPage:
    """A cached page's head (verified); its body is read, and verified, on demand
    (:meth:`Cache.page_body`): a page with a saved scan needs none."""

    url: str
    content_type: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: float
    max_age: float | None  # the server's Cache-Control max-age; None: use the reader's TTL
    ttl: float
    sha256: str  # of the body
    length: int
    body: bytes | None = field(default=None, repr=False, compare=False)  # when just stored

    def fresh(self, now: float | None = None) -> bool:
        limit = self.max_age if self.max_age is not None else self.ttl
        return (now or time.time()) - self.fetched_at < limit


def _max_age(headers: dict[str, str] | Any) -> float | None:
    cc = (headers.get("cache-control") or "").lower()
    if "no-cache" in cc or "no-store" in cc:
        return 0.0
    m = _MAX_AGE.search(cc)
    return float(m.group(1)) if m else None


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: a saved scan's head: the sha256 of the body it was made from (64 hex digits), then the
#: CRC-32 of the scan itself (8): a scan is used only with the very body its page's head
#: names, and never truncated or damaged (marshal is not made to read damaged data)
_SCAN_HEAD = 72


def _scan_head(body_sha256: str, payload: bytes) -> bytes:
    return body_sha256.encode("ascii", "replace")[:64].ljust(64, b"-") + (
        b"%08x" % zlib.crc32(payload)
    )


class Cache:
    """Pages and metadata on disk. ``ttl`` is the freshness of pages without cache headers."""

    def __init__(self, root: str | Path | None = None, ttl: float = 600.0) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()
        self.ttl = ttl
        self.dropped = 0  # entries that failed verification, deleted
        self.write_error: str | None = None  # the first write failure (then: uncached)

    def _drop(self, *paths: Path) -> None:
        self.dropped += 1
        for p in paths:
            with contextlib.suppress(OSError):
                p.unlink(missing_ok=True)

    def _write(self, path: Path, data: bytes) -> bool:
        if self.write_error is not None:
            return False
        try:
            atomic_write(path, data)
        except OSError as exc:
            self.write_error = f"{self.root}: {exc.strerror or exc}"
            return False
        return True

    # --- pages ----------------------------------------------------------------------------

    def _page_path(self, url: str) -> Path:
        k = _key(redact_url(url))  # no hash of a credential in a file name
        return self.root / "pages" / k[:2] / f"{k}.json"

    def page(self, url: str) -> CachedPage | None:
        """The head of the page cached for ``url``; its body is :meth:`page_body`."""
        path = self._page_path(url)
        try:
            head = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError):
            self._drop(path, path.with_suffix(".body"), path.with_suffix(".scan"))
            return None
        # verified: this very page's head (not another's, swapped); the body against it later
        if (
            not isinstance(head, dict)
            or head.get("url") != redact_url(url)
            or not isinstance(head.get("sha256"), str)
            or type(head.get("length")) is not int
        ):
            self._drop(path, path.with_suffix(".body"), path.with_suffix(".scan"))
            return None
        max_age = head.get("max_age")
        ctype, etag, modified = (
            head.get("content_type"),
            head.get("etag"),
            head.get("last_modified"),
        )
        fetched = head.get("fetched_at", 0)
        return CachedPage(
            url,
            ctype if isinstance(ctype, str) else None,
            etag if isinstance(etag, str) else None,
            modified if isinstance(modified, str) else None,
            float(fetched) if isinstance(fetched, (int, float)) else 0.0,
            float(max_age) if isinstance(max_age, (int, float)) else None,
            self.ttl,
            head["sha256"],
            head["length"],
        )

    def page_body(self, page: CachedPage) -> bytes | None:
        """The body ``page``'s head describes: whole (not truncated) and this very page's
        (not another's, swapped); else the entry is dropped and None."""
        if page.body is not None:
            return page.body
        path = self._page_path(page.url)
        try:
            body: bytes | None = path.with_suffix(".body").read_bytes()
        except OSError:
            body = None
        if body is None or len(body) != page.length or _sha256(body) != page.sha256:
            self._drop(path, path.with_suffix(".body"), path.with_suffix(".scan"))
            return None
        return body

    def store_page(self, url: str, body: bytes, headers: dict[str, str] | Any) -> CachedPage:
        page = CachedPage(
            url,
            headers.get("content-type"),
            headers.get("etag"),
            headers.get("last-modified"),
            time.time(),
            _max_age(headers),
            self.ttl,
            _sha256(body),
            len(body),
            body,
        )
        path = self._page_path(url)
        # body first: a reader that finds the head finds a complete body
        if self._write(path.with_suffix(".body"), body):
            self._write_head(path, page)
        return page

    def touch_page(self, page: CachedPage, headers: dict[str, str] | Any) -> CachedPage:
        """A 304: the page is fresh again."""
        fresh = CachedPage(
            page.url,
            page.content_type,
            headers.get("etag") or page.etag,
            headers.get("last-modified") or page.last_modified,
            time.time(),
            _max_age(headers) if headers.get("cache-control") else page.max_age,
            self.ttl,
            page.sha256,
            page.length,
            page.body,
        )
        self._write_head(self._page_path(page.url), fresh)
        return fresh

    def _write_head(self, path: Path, page: CachedPage) -> None:
        head = {
            "url": redact_url(page.url),
            "sha256": page.sha256,
            "length": page.length,
            "content_type": page.content_type,
            "etag": page.etag,
            "last_modified": page.last_modified,
            "fetched_at": page.fetched_at,
            "max_age": page.max_age,
        }
        self._write(path, json.dumps(head).encode())

    # --- saved page scans -----------------------------------------------------------------

    def page_scan(self, page: CachedPage) -> bytes | None:
        """The scan saved for exactly ``page``'s body (:func:`~mixguard.index.simple.pack_page`),
        checksum verified; None if there is none (or it was for another body: a page
        refreshed since)."""
        path = self._page_path(page.url).with_suffix(".scan")
        try:
            data = path.read_bytes()
        except OSError:
            return None
        head, payload = data[:_SCAN_HEAD], data[_SCAN_HEAD:]
        if head != _scan_head(page.sha256, payload):
            self._drop(path)
            return None
        return payload

    def store_page_scan(self, page: CachedPage, payload: bytes) -> None:
        path = self._page_path(page.url).with_suffix(".scan")
        self._write(path, _scan_head(page.sha256, payload) + payload)

    def drop_page_scan(self, page: CachedPage) -> None:
        """Forget a saved scan its reader found wrong."""
        self._drop(self._page_path(page.url).with_suffix(".scan"))

    # --- metadata -------------------------------------------------------------------------

    @staticmethod
    def metadata_key(sha256: str | None, url: str) -> str:
        return f"sha256-{sha256}" if sha256 else f"url-{_key(redact_url(url))}"

    def _meta_path(self, key: str) -> Path:
        return self.root / "metadata" / key[-2:] / f"{key}.json"

    def metadata(self, key: str, filename: str | None = None) -> dict[str, Any] | None:
        """The entry stored under ``key``; with ``filename``, only if it was stored for that
        file (an entry for another file, swapped or corrupted, is dropped)."""
        path = self._meta_path(key)
        try:
            value = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError):
            self._drop(path)
            return None
        if not isinstance(value, dict) or (filename is not None and value.get("for") != filename):
            self._drop(path)
            return None
        return value

    def drop_metadata(self, key: str) -> None:
        """Forget an entry a caller found wrong (its content does not match its file)."""
        self._drop(self._meta_path(key))

    def store_metadata(self, key: str, value: dict[str, Any], filename: str | None = None) -> None:
        stored = {**value, "for": filename} if filename is not None else value
        self._write(self._meta_path(key), json.dumps(stored).encode())
