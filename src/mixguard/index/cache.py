"""A persistent cache of index pages and core metadata.

- Location: ``cache_dir`` argument, else ``$MIXGUARD_CACHE_DIR``, else the platform's user
  cache directory (platformdirs) + ``mixguard``.
- Metadata is keyed by the file's sha256 (content-addressed: it never goes stale); files an
  index lists without a hash are keyed by their (redacted) URL.
- Pages keep ETag / Last-Modified for revalidation, and a freshness deadline from the server's
  ``Cache-Control: max-age`` or, for mirrors that send none, a TTL.
- Writes are atomic (temporary file + ``os.replace``), so concurrent runs never see partial files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    url: str
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: float
    max_age: float | None  # the server's Cache-Control max-age; None: use the reader's TTL
    ttl: float

    def fresh(self, now: float | None = None) -> bool:
        limit = self.max_age if self.max_age is not None else self.ttl
        return (now or time.time()) - self.fetched_at < limit


def _max_age(headers: dict[str, str] | Any) -> float | None:
    cc = (headers.get("cache-control") or "").lower()
    if "no-cache" in cc or "no-store" in cc:
        return 0.0
    m = _MAX_AGE.search(cc)
    return float(m.group(1)) if m else None


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Cache:
    """Pages and metadata on disk. ``ttl`` is the freshness of pages without cache headers."""

    def __init__(self, root: str | Path | None = None, ttl: float = 600.0) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()
        self.ttl = ttl

    # --- pages ----------------------------------------------------------------------------

    def _page_path(self, url: str) -> Path:
        k = _key(redact_url(url))  # no hash of a credential in a file name
        return self.root / "pages" / k[:2] / f"{k}.json"

    def page(self, url: str) -> CachedPage | None:
        path = self._page_path(url)
        try:
            head = json.loads(path.read_bytes())
            body = (path.with_suffix(".body")).read_bytes()
        except (OSError, ValueError):
            return None
        max_age = head.get("max_age")
        return CachedPage(
            url,
            body,
            head.get("content_type"),
            head.get("etag"),
            head.get("last_modified"),
            float(head.get("fetched_at", 0)),
            float(max_age) if isinstance(max_age, (int, float)) else None,
            self.ttl,
        )

    def store_page(self, url: str, body: bytes, headers: dict[str, str] | Any) -> CachedPage:
        page = CachedPage(
            url,
            body,
            headers.get("content-type"),
            headers.get("etag"),
            headers.get("last-modified"),
            time.time(),
            _max_age(headers),
            self.ttl,
        )
        path = self._page_path(url)
        # body first: a reader that finds the head finds a complete body
        _atomic_write(path.with_suffix(".body"), body)
        self._write_head(path, page)
        return page

    def touch_page(self, page: CachedPage, headers: dict[str, str] | Any) -> CachedPage:
        """A 304: the page is fresh again."""
        fresh = CachedPage(
            page.url,
            page.body,
            page.content_type,
            headers.get("etag") or page.etag,
            headers.get("last-modified") or page.last_modified,
            time.time(),
            _max_age(headers) if headers.get("cache-control") else page.max_age,
            self.ttl,
        )
        self._write_head(self._page_path(page.url), fresh)
        return fresh

    def _write_head(self, path: Path, page: CachedPage) -> None:
        head = {
            "url": redact_url(page.url),
            "content_type": page.content_type,
            "etag": page.etag,
            "last_modified": page.last_modified,
            "fetched_at": page.fetched_at,
            "max_age": page.max_age,
        }
        _atomic_write(path, json.dumps(head).encode())

    # --- metadata -------------------------------------------------------------------------

    @staticmethod
    def metadata_key(sha256: str | None, url: str) -> str:
        return f"sha256-{sha256}" if sha256 else f"url-{_key(redact_url(url))}"

    def _meta_path(self, key: str) -> Path:
        return self.root / "metadata" / key[-2:] / f"{key}.json"

    def metadata(self, key: str) -> dict[str, Any] | None:
        try:
            value = json.loads(self._meta_path(key).read_bytes())
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def store_metadata(self, key: str, value: dict[str, Any]) -> None:
        _atomic_write(self._meta_path(key), json.dumps(value).encode())
